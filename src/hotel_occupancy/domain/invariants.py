"""The invariants of §5, checked over a snapshot of a whole store.

:func:`check_invariants` returns every violation it finds (an empty list means the store
is sound). The property tests run it after every step; any adapter can build a
:class:`StoreSnapshot` to run it against its own data.

I8 (a refused operation changes nothing) and I15 (adapters agree) are about pairs of
snapshots and are checked by the tests that compare them.

The housekeeping day (§10) adds to the room's state, and its checks are reported under the
invariant they extend: I7 (a room's recorded state is consistent: a guest service status
only on an occupied room, SKIP and PERSON only on an occupied room and SLEEP only on
another, who reported a discrepancy and when exactly while one is open, an out-of-service
window only on a room out of service), I10 (the reporter is of the room's hotel) and I9
(the log holds at most one night audit per hotel and business date, and their dates never
go back).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from attrs import frozen

from hotel_occupancy.domain.enums import (
    Condition,
    DiscrepancyKind,
    OccupancyStatus,
    Operation,
    ServiceStatus,
    StaffRole,
    TaskKind,
)
from hotel_occupancy.domain.model import (
    Booking,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
)
from hotel_occupancy.domain.policy import RolePolicy
from hotel_occupancy.domain.transitions import (
    CHECKPOINTS,
    INITIAL_STATE,
    RoomState,
    Tenancy,
    booking_effect,
    source_row,
)

__all__ = ["Replayed", "StoreSnapshot", "Violation", "check_invariants", "replay", "replay_room"]


@frozen
class StoreSnapshot:
    """Everything an adapter stores, as plain tuples of entities."""

    hotels: tuple[Hotel, ...] = ()
    rooms: tuple[Room, ...] = ()
    staff: tuple[Staff, ...] = ()
    bookings: tuple[Booking, ...] = ()
    guests: tuple[Guest, ...] = ()
    occupancies: tuple[RoomOccupancy, ...] = ()
    tasks: tuple[HousekeepingTask, ...] = ()
    log: tuple[LogEntry, ...] = ()
    request_ids: frozenset[str] = frozenset()


@frozen
class Violation:
    """One broken invariant: which one (``"I2"``), and what was found."""

    invariant: str
    message: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.message}"


@frozen
class Replayed:
    """What replaying a room's log gives (:func:`replay`): its status, condition, booking
    and arriving booking, and the discontinuities found on the way."""

    status: OccupancyStatus
    condition: Condition
    booking_id: str | None
    arriving_booking_id: str | None
    problems: tuple[str, ...]


def replay_room(
    room_id: str, entries: Iterable[LogEntry]
) -> tuple[OccupancyStatus, Condition, str | None, list[str]]:
    """Replay a room's log from its registration state (I9): the replayed status,
    condition and booking, and the discontinuities found (see :func:`replay`, which also
    gives the arriving booking)."""
    done = replay(room_id, entries)
    return done.status, done.condition, done.booking_id, list(done.problems)


def replay(room_id: str, entries: Iterable[LogEntry]) -> Replayed:
    """Replay a room's log from its registration state (I9), reading the transition
    table for what each operation does to the room's booking and to the room a booking
    leaves.

    The discontinuities found are an entry whose "before" does not match the state the
    entries before it left, or that needs the room to hold (or not hold) a booking the
    entries before it did not leave.

    An entry about the booking that awaits the occupied room (its arriving booking, §9)
    leaves the room's own booking be: ASSIGN on an occupied room makes it, UNASSIGN or a
    reassignment out of the room releases it, and a checkout or move out of the room (or
    an undone check-in) hands the room to it, as the table's rows do.

    History imported from legacy audit columns and changes to a booking that held no room
    change nothing (they record no room state); a checkpoint (:data:`CHECKPOINTS`: IMPORT)
    sets the state and booking its entry records.
    """
    state = INITIAL_STATE
    booking: str | None = None
    arriving: str | None = None
    problems: list[str] = []

    def settle(status: OccupancyStatus, condition: Condition) -> RoomState:
        return RoomState.of(status, condition, booking is not None, arriving is not None)

    for entry in sorted(entries, key=lambda e: e.id):
        if (
            entry.status_before is None
            or entry.status_after is None
            or entry.condition_before is None
            or entry.condition_after is None
        ):
            continue  # imported history, or a booking's change: no room state
        on_room = entry.room_id == room_id
        if on_room and (entry.status_before, entry.condition_before) != (
            state.status,
            state.condition,
        ):
            verb = "takes the room over from" if entry.operation in CHECKPOINTS else "starts from"
            problems.append(
                f"entry {entry.id} ({entry.operation.value}) {verb} "
                f"{entry.status_before.value}/{entry.condition_before.value} but the log "
                f"left {state.status.value}/{state.condition.value}"
            )
        if on_room and entry.operation in CHECKPOINTS:
            booking, arriving = entry.booking_id, None
            state = settle(entry.status_after, entry.condition_after)
        elif on_room and arriving is not None and entry.booking_id == arriving:
            if entry.operation is Operation.UNASSIGN:  # the arriving booking leaves
                arriving = None
            state = settle(entry.status_after, entry.condition_after)
        elif on_room and entry.operation is Operation.ASSIGN and state.tenancy is Tenancy.OCCUPIED:
            if arriving is not None:
                problems.append(
                    f"entry {entry.id} (ASSIGN) makes {entry.booking_id} the room's arriving "
                    f"booking but the log left {arriving} as it"
                )
            arriving = entry.booking_id
            state = settle(entry.status_after, entry.condition_after)
        elif on_room:
            takes_room, tenancy_after = booking_effect(entry.operation)
            expected = None if takes_room else entry.booking_id
            if booking != expected:
                problems.append(
                    f"entry {entry.id} ({entry.operation.value}) needs the room to hold "
                    f"booking {expected} but the log left it holding {booking}"
                )
            if tenancy_after is Tenancy.VACANT:
                booking, arriving = arriving, None  # handed to the arriving booking, if any
            elif tenancy_after is not None:
                booking = entry.booking_id
            state = settle(entry.status_after, entry.condition_after)
        elif entry.from_room_id == room_id:
            if arriving is not None and entry.booking_id == arriving:
                arriving = None  # reassigned elsewhere: the room's guest stays
                state = settle(state.status, state.condition)
            elif leaving := source_row(entry.operation):
                state = leaving.apply(state)
                booking = arriving if state.tenancy is Tenancy.ASSIGNED else None
                arriving = None
    return Replayed(state.status, state.condition, booking, arriving, tuple(problems))


class _Permits(Protocol):
    def permits(self, role: StaffRole, action: str) -> bool: ...


class _Bad(Protocol):
    def __call__(self, invariant: str, message: str) -> None: ...


_OUT_OF_SERVICE = (OccupancyStatus.OUT_OF_ORDER, OccupancyStatus.MAINTENANCE)
_RETURN_CONDITIONS = (Condition.DIRTY, Condition.CLEAN)


def _check_housekeeping_day(occupancy: RoomOccupancy, staff: dict[str, Staff], bad: _Bad) -> None:
    """§10 on one occupancy record (I7, I10): the service status, the open discrepancy
    and its report, the out-of-service window."""
    room_id, status = occupancy.room_id, occupancy.status
    occupied = status is OccupancyStatus.OCCUPIED
    if occupancy.service_status is not ServiceStatus.NONE and not occupied:
        bad(
            "I7",
            f"room {room_id} is {status.value} with service status "
            f"{occupancy.service_status.value}",
        )
    kind = occupancy.discrepancy
    if kind is not None and (kind is DiscrepancyKind.SLEEP) is occupied:
        bad("I7", f"room {room_id} is {status.value} with a {kind.value} discrepancy")
    if kind is None:
        if (occupancy.discrepancy_by, occupancy.discrepancy_at) != (None, None):
            bad("I7", f"room {room_id} has no discrepancy but a report of one")
        if occupancy.observed_guests is not None:
            bad("I7", f"room {room_id} has no discrepancy but observed guests")
    else:
        if occupancy.discrepancy_by is None or occupancy.discrepancy_at is None:
            bad("I7", f"room {room_id} has a {kind.value} discrepancy nobody reported")
        reporter = staff.get(occupancy.discrepancy_by or "")
        if occupancy.discrepancy_by is not None and (
            reporter is None or reporter.hotel_id != occupancy.hotel_id
        ):
            bad(
                "I10",
                f"room {room_id}'s discrepancy names reporter {occupancy.discrepancy_by} "
                "of another or no hotel",
            )
    until, condition = occupancy.out_of_service_until, occupancy.return_condition
    if (until, condition) != (None, None):
        if status not in _OUT_OF_SERVICE:
            bad("I7", f"room {room_id} is {status.value} with an out-of-service window")
        if until is None or condition not in _RETURN_CONDITIONS:
            bad(
                "I7",
                f"room {room_id}'s out-of-service window is incomplete: until {until}, "
                f"returning {condition}",
            )


def _check_night_audits(log: Iterable[LogEntry], bad: _Bad) -> None:
    """§10 on the log (I9): the entries of one hotel's night audit of one business date
    come from one run (one time, one staff member), and a hotel's audited dates never go
    back."""
    runs: dict[tuple[str, object], set[tuple[datetime, str]]] = defaultdict(set)
    last: dict[str, str] = {}
    for entry in sorted(log, key=lambda e: e.id):
        if entry.operation is not Operation.NIGHT_AUDIT:
            continue
        day = entry.metadata.get("business_date")
        runs[(entry.hotel_id, day)].add((entry.timestamp, entry.performed_by))
        if not isinstance(day, str):
            bad("I9", f"night audit entry {entry.id} names no business date")
            continue
        before = last.get(entry.hotel_id)
        if before is not None and day < before:  # ISO dates sort as the days do
            bad(
                "I9",
                f"night audit entry {entry.id} audits {day} after hotel {entry.hotel_id} "
                f"audited {before}",
            )
        else:
            last[entry.hotel_id] = day
    for (hotel_id, audited), seen in runs.items():
        if len(seen) > 1:
            bad("I9", f"hotel {hotel_id} has {len(seen)} night audits of {audited}")


def _acting_role(entry: LogEntry, actor: Staff) -> StaffRole | None:
    """The role the staff member acted in, as the entry records it (``metadata["role"]``;
    None if it names no role there is); entries written before the role was recorded
    are judged by the member's role now."""
    recorded = entry.metadata.get("role")
    if recorded is None:
        return actor.role
    try:
        return StaffRole(str(recorded))
    except ValueError:
        return None


def check_invariants(snapshot: StoreSnapshot, policy: _Permits | None = None) -> list[Violation]:
    """Every violation of I1-I7 and I9-I14 in ``snapshot``.

    I14 is judged with ``policy`` (anything with ``permits(role, action)``; default: the
    default :class:`RolePolicy`).
    """
    policy = policy if policy is not None else RolePolicy()
    found: list[Violation] = []

    def bad(invariant: str, message: str) -> None:
        found.append(Violation(invariant, message))

    rooms = {r.room_id: r for r in snapshot.rooms}
    bookings = {b.booking_id: b for b in snapshot.bookings}
    staff = {s.staff_id: s for s in snapshot.staff}
    hotels = {h.hotel_id: h for h in snapshot.hotels}

    # I1: exactly one occupancy record per registered room
    per_room = Counter(o.room_id for o in snapshot.occupancies)
    for room_id in rooms:
        if per_room[room_id] != 1:
            bad("I1", f"room {room_id} has {per_room[room_id]} occupancy records")
    for occupancy in snapshot.occupancies:
        registered = rooms.get(occupancy.room_id)
        if registered is None:
            bad("I1", f"occupancy record of unknown room {occupancy.room_id}")
        elif registered.hotel_id != occupancy.hotel_id:
            bad("I10", f"occupancy of room {occupancy.room_id} names hotel {occupancy.hotel_id}")

    # I3: a booking holds at most one room, in one role (its own or arriving, §9)
    holders: dict[str, list[str]] = defaultdict(list)
    for occupancy in snapshot.occupancies:
        if occupancy.booking_id is not None:
            holders[occupancy.booking_id].append(occupancy.room_id)
        if occupancy.arriving_booking_id is not None:
            holders[occupancy.arriving_booking_id].append(occupancy.room_id)
    for booking_id, room_ids in holders.items():
        if len(room_ids) > 1:
            bad("I3", f"booking {booking_id} is assigned to rooms {sorted(room_ids)}")

    # §9: an arriving booking awaits an occupied room, has not arrived, is still expected
    for occupancy in snapshot.occupancies:
        arriving_id = occupancy.arriving_booking_id
        if arriving_id is None:
            continue
        arriving = bookings.get(arriving_id)
        if occupancy.status is not OccupancyStatus.OCCUPIED or occupancy.booking_id is None:
            bad("I3", f"room {occupancy.room_id} awaits {arriving_id} without being occupied")
        if arriving is None:
            bad("I2", f"room {occupancy.room_id} awaits unknown booking {arriving_id}")
            continue
        if arriving.checked_in_at is not None or arriving.cancelled or arriving.no_show:
            bad("I2", f"room {occupancy.room_id} awaits {arriving_id}, which is not arriving")
        if arriving.hotel_id != occupancy.hotel_id:
            bad("I10", f"room {occupancy.room_id} awaits booking {arriving_id} of another hotel")
        room = rooms.get(occupancy.room_id)
        if room is not None and room.capacity is not None and len(arriving.party) > room.capacity:
            bad(
                "I13",
                f"arriving party of {len(arriving.party)} for room {occupancy.room_id} "
                f"(capacity {room.capacity})",
            )
    for closed in snapshot.bookings:
        if (closed.cancelled or closed.no_show) and (
            closed.checked_in_at is not None or closed.booking_id in holders
        ):
            bad("I2", f"closed booking {closed.booking_id} is in house or holds a room")
        if closed.queued_at is not None and (
            closed.checked_in_at is not None or closed.booking_id not in holders
        ):
            bad("I2", f"queued booking {closed.booking_id} is not pre-assigned")

    # I2, I4, I7, I10, I13 per occupancy record
    for occupancy in snapshot.occupancies:
        room_id = occupancy.room_id
        booking = bookings.get(occupancy.booking_id) if occupancy.booking_id else None
        if occupancy.booking_id is not None and booking is None:
            bad("I2", f"room {room_id} holds unknown booking {occupancy.booking_id}")
        if occupancy.status is OccupancyStatus.OCCUPIED and (
            booking is None or not booking.in_house
        ):
            bad("I2", f"room {room_id} is OCCUPIED without an in-house booking")
        if booking is not None:
            if booking.checked_out:
                bad("I4", f"checked-out booking {booking.booking_id} still holds room {room_id}")
            if booking.in_house and occupancy.status is not OccupancyStatus.OCCUPIED:
                bad(
                    "I2",
                    f"in-house booking {booking.booking_id} holds room {room_id} "
                    f"which is {occupancy.status.value}",
                )
            if booking.hotel_id != occupancy.hotel_id:
                bad("I10", f"room {room_id} holds booking {booking.booking_id} of another hotel")
            room = rooms.get(room_id)
            if (
                room is not None
                and room.capacity is not None
                and len(booking.party) > room.capacity
            ):
                bad(
                    "I13",
                    f"party of {len(booking.party)} in room {room_id} (capacity {room.capacity})",
                )
        derived = RoomState.of(occupancy.status, occupancy.condition, booking is not None)
        if not derived.is_consistent:
            bad("I7", f"room {room_id} is {occupancy.status.value} but holds a booking")
        if derived.status is not occupancy.status:
            bad(
                "I7",
                f"room {room_id} is {occupancy.status.value} with condition "
                f"{occupancy.condition.value}",
            )
        if occupancy.is_occupied != (occupancy.status is OccupancyStatus.OCCUPIED):
            bad("I2", f"room {room_id} is_occupied disagrees with its status")
        _check_housekeeping_day(occupancy, staff, bad)
    occupying = {o.booking_id for o in snapshot.occupancies if o.booking_id is not None}
    for booking in snapshot.bookings:
        if booking.in_house and booking.booking_id not in occupying:
            bad("I2", f"in-house booking {booking.booking_id} occupies no room")

    # I5, I11, I12: guests
    in_house: dict[str, list[Guest]] = defaultdict(list)
    pins: Counter[tuple[str, str]] = Counter()
    for guest in snapshot.guests:
        booking = bookings.get(guest.booking_id)
        if booking is None:
            bad("I5", f"guest {guest.guest_id} belongs to unknown booking {guest.booking_id}")
            continue
        if guest.hotel_id != booking.hotel_id:
            bad("I10", f"guest {guest.guest_id} and booking {booking.booking_id} differ in hotel")
        if guest.in_house:
            in_house[guest.booking_id].append(guest)
            if guest.id_pin is None or len(guest.id_pin) != 6 or not guest.id_pin.isdigit():
                bad("I11", f"in-house guest {guest.guest_id} has PIN {guest.id_pin!r}")
            else:
                pins[(guest.hotel_id, guest.id_pin)] += 1
        else:
            if guest.id_pin is not None:
                bad("I11", f"departed guest {guest.guest_id} still has a PIN")
            if guest.device_token is not None:
                bad("I12", f"departed guest {guest.guest_id} still has a device token")
    for (hotel_id, _pin), count in pins.items():
        if count > 1:
            bad("I11", f"{count} in-house guests of hotel {hotel_id} share one PIN")
    for booking in snapshot.bookings:
        guests = in_house.get(booking.booking_id, [])
        if booking.in_house:
            have = sorted(g.booking_guest_id for g in guests)
            want = sorted(m.booking_guest_id for m in booking.party)
            if have != want:
                bad("I5", f"in-house booking {booking.booking_id} has guests {have}, party {want}")
            primaries = [g for g in guests if g.guest_type.value == "PRIMARY"]
            if len(primaries) != 1 or any(
                g.primary_guest_id != primaries[0].guest_id for g in guests if g not in primaries
            ):
                bad("I5", f"in-house booking {booking.booking_id} lacks one primary guest")
        elif guests:
            bad("I5", f"booking {booking.booking_id} is not in house but has in-house guests")

    # I6: housekeeping tasks follow the condition
    open_tasks: dict[str, Counter[TaskKind]] = defaultdict(Counter)
    for task in snapshot.tasks:
        if task.is_open:
            open_tasks[task.room_id][task.kind] += 1
        room = rooms.get(task.room_id)
        if room is not None and room.hotel_id != task.hotel_id:
            bad("I10", f"task {task.task_id} names another hotel than its room")
    for occupancy in snapshot.occupancies:
        counts = open_tasks.get(occupancy.room_id, Counter())
        cleaning = counts[TaskKind.TURNOVER] + counts[TaskKind.CLEANING]
        expected = 1 if occupancy.condition.needs_cleaning else 0
        if cleaning != expected:
            bad(
                "I6",
                f"room {occupancy.room_id} is {occupancy.condition.value} with "
                f"{cleaning} open cleaning tasks",
            )
        in_maintenance = occupancy.status is OccupancyStatus.MAINTENANCE
        if counts[TaskKind.MAINTENANCE] != (1 if in_maintenance else 0):
            bad(
                "I6",
                f"room {occupancy.room_id} is {occupancy.status.value} with "
                f"{counts[TaskKind.MAINTENANCE]} open maintenance tasks",
            )
        if counts[TaskKind.INSPECTION] > (1 if occupancy.condition is Condition.CLEAN else 0):
            bad(
                "I6",
                f"room {occupancy.room_id} is {occupancy.condition.value} with "
                f"{counts[TaskKind.INSPECTION]} open inspection tasks",
            )

    # I9: replaying a room's log reproduces its state
    by_room: dict[str, list[LogEntry]] = defaultdict(list)
    for entry in snapshot.log:
        if entry.room_id is not None:
            by_room[entry.room_id].append(entry)
        if entry.from_room_id is not None:
            by_room[entry.from_room_id].append(entry)
    for occupancy in snapshot.occupancies:
        done = replay(occupancy.room_id, by_room.get(occupancy.room_id, []))
        for problem in done.problems:
            bad("I9", f"room {occupancy.room_id}: {problem}")
        if (done.status, done.condition, done.booking_id, done.arriving_booking_id) != (
            occupancy.status,
            occupancy.condition,
            occupancy.booking_id,
            occupancy.arriving_booking_id,
        ):
            bad(
                "I9",
                f"replaying room {occupancy.room_id} gives {done.status.value}/"
                f"{done.condition.value}/{done.booking_id}/{done.arriving_booking_id}, stored "
                f"{occupancy.status.value}/{occupancy.condition.value}/"
                f"{occupancy.booking_id}/{occupancy.arriving_booking_id}",
            )

    _check_night_audits(snapshot.log, bad)

    # I10 and I14: every entry's room, booking and staff share a hotel; the role allowed it
    ids = [e.id for e in snapshot.log]
    if ids != sorted(set(ids)):
        bad("I9", "log entry ids are not unique and increasing")
    for entry in snapshot.log:
        members: list[Room | Staff | Booking | None] = [staff.get(entry.performed_by)]
        if entry.room_id is not None:
            members.append(rooms.get(entry.room_id))
        if entry.from_room_id is not None:
            members.append(rooms.get(entry.from_room_id))
        if entry.booking_id is not None:
            members.append(bookings.get(entry.booking_id))
        if any(m is None for m in members):
            bad("I10", f"log entry {entry.id} names something unknown")
        elif any(m.hotel_id != entry.hotel_id for m in members if m is not None):
            bad("I10", f"log entry {entry.id} mixes hotels")
        actor = staff.get(entry.performed_by)
        action = entry.metadata.get("action")
        if entry.metadata.get("imported") is True:
            pass  # taken over from a legacy database: no service of this store applied it
        elif actor is not None:
            role = _acting_role(entry, actor)
            if role is None:
                bad("I14", f"log entry {entry.id} names an unknown role {entry.metadata['role']!r}")
            elif not (isinstance(action, str) and policy.permits(role, action)):
                bad("I14", f"log entry {entry.id}: a {role.value} may not {action}")
        if entry.hotel_id not in hotels:
            bad("I10", f"log entry {entry.id} names unknown hotel {entry.hotel_id}")
    return found
