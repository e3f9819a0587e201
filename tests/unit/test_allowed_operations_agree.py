"""``services.allowed_operations`` and the operation services cannot disagree.

For every consistent room state of the transition table (§3), in a hotel that requires
inspection and in one that does not, a fresh in-memory hotel is built and the room under
test is driven into that state through the public services only; the stored state is
checked to be exactly the target. Then each operation service is called once, with its
default arguments and on its own fresh copy of the scene, for this room as the one acted
on (§7): the target of an assignment or a reassignment, the room of its own booking for
``check_in`` and ``unassign_room`` (for ``check_in``, the booking an occupied room awaits,
if any), the source of a move, the room of its own booking for the front desk's changes
(§9). What ``allowed_operations`` said
about the room beforehand must be what the call did: allowed exactly when it succeeds, and
otherwise the name of the error class it raised; the operation it names is the one the
call logs first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain.transitions import (
    ACTIONS,
    HOTEL_ACTIONS,
    RoomState,
    Service,
    Tenancy,
    all_states,
)

Condition = ho.Condition
Status = ho.OccupancyStatus
ROOM_ACTIONS = tuple(a for a in ACTIONS if a not in HOTEL_ACTIONS)
"""The services allowed_operations judges: those acting on one room (not the night audit)."""

HOTEL = "H"
STAFF = "M"  # a manager: the policy never refuses, so only the room's state decides
ROOM = "R1"  # the room under test
PRE_ROOM = "R2"  # ready and holding PRE: the source of a reassignment onto ROOM
SPARE_ROOM = "R3"  # vacant and ready: the target of a move out of ROOM
OWN = "B-own"  # the booking ROOM holds when it is assigned or occupied
PRE = "B-pre"  # pre-assigned to PRE_ROOM
FRESH = "B-fresh"  # arriving, assigned to no room
ARRIVING = "B-arr"  # pre-assigned to ROOM while OWN is in house and due out (§9)
TODAY = date(2026, 3, 10)
START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


class SteppingClock:
    """A clock that moves one second per reading, from the arrival day's afternoon."""

    def __init__(self) -> None:
        self._ticks = count()

    def __call__(self) -> datetime:
        return START + timedelta(seconds=next(self._ticks))


def ready_condition(require_inspection: bool) -> ho.Condition:
    """The condition in which a room may receive a guest in this hotel."""
    return Condition.INSPECTED if require_inspection else Condition.CLEAN


def describe(state: RoomState) -> str:
    """E.g. ``OCCUPIED-CLEANING-IN_SERVICE``: tenancy, condition, service (``+arriving``,
    then any guest service status and discrepancy)."""
    arriving = "+arriving" if state.arriving else ""
    extra = ""
    if state.guest_service is not ho.ServiceStatus.NONE:
        extra += f"-{state.guest_service.value}"
    if state.discrepancy is not None:
        extra += f"-{state.discrepancy.value}"
    return f"{state.tenancy.value}{arriving}-{state.condition.value}-{state.service.value}{extra}"


def expected_status(state: RoomState) -> ho.OccupancyStatus:
    """The headline status §3 gives a room in ``state`` (derived here, not by the library)."""
    if state.service is Service.OUT_OF_ORDER:
        return Status.OUT_OF_ORDER
    if state.service is Service.MAINTENANCE:
        return Status.MAINTENANCE
    if state.tenancy is Tenancy.OCCUPIED:
        return Status.OCCUPIED
    if state.condition in (Condition.DIRTY, Condition.CLEANING):
        return Status.VACANT_DIRTY
    return Status.VACANT_CLEAN


def next_condition_step(current: ho.Condition, target: ho.Condition) -> Callable[..., object]:
    """The housekeeping service that takes a room one step from ``current`` towards ``target``.

    The conditions go round CLEAN -> (INSPECTED ->) DIRTY -> CLEANING -> CLEAN.
    """
    if current is Condition.CLEAN and target is Condition.INSPECTED:
        return services.inspect_room
    if current in (Condition.CLEAN, Condition.INSPECTED):
        return services.mark_dirty
    if current is Condition.DIRTY:
        return services.start_cleaning
    return services.complete_cleaning


def drive(uow: InMemoryUnitOfWork, require_inspection: bool, target: RoomState) -> None:
    """Take ROOM from its registration state (VACANT/CLEAN/IN_SERVICE) to ``target``."""
    if target.tenancy is Tenancy.ASSIGNED:
        services.assign_room(uow, booking_id=OWN, room_id=ROOM, staff_id=STAFF, check_in=False)
    elif target.tenancy is Tenancy.OCCUPIED:
        if require_inspection:  # a check-in needs a room ready for a guest
            services.inspect_room(uow, room_id=ROOM, staff_id=STAFF)
        services.assign_room(uow, booking_id=OWN, room_id=ROOM, staff_id=STAFF)
    if target.arriving:  # OWN departs today, and an arrival is pre-assigned to its room
        services.change_stay(uow, booking_id=OWN, staff_id=STAFF, departure=TODAY)
        services.assign_room(uow, booking_id=ARRIVING, room_id=ROOM, staff_id=STAFF, check_in=False)
    guest_service = target.guest_service
    if guest_service is ho.ServiceStatus.MAKE_UP_ROOM:  # before cleaning: it may make it dirty
        services.set_service_status(uow, room_id=ROOM, staff_id=STAFF, status=guest_service)
    for _ in range(len(Condition)):  # the longest way round the conditions is three steps
        current = services.get_occupancy(uow, ROOM).condition
        if current is target.condition:
            break
        next_condition_step(current, target.condition)(uow, room_id=ROOM, staff_id=STAFF)
    if guest_service.keeps_out:  # after cleaning: nobody cleans a DND room
        services.set_service_status(uow, room_id=ROOM, staff_id=STAFF, status=guest_service)
    if target.service is Service.OUT_OF_ORDER:
        services.set_out_of_order(uow, room_id=ROOM, staff_id=STAFF, reason="x")
    elif target.service is Service.MAINTENANCE:
        services.start_maintenance(uow, room_id=ROOM, staff_id=STAFF, reason="x")
    if target.discrepancy is not None:  # last: the front desk's calls above resolve one
        occupied = target.discrepancy is not ho.DiscrepancyKind.SKIP
        guests = 5 if target.discrepancy is ho.DiscrepancyKind.PERSON else None
        services.report_room_observation(
            uow, room_id=ROOM, staff_id=STAFF, occupied=occupied, guests=guests
        )


def build_scene(require_inspection: bool, target: RoomState) -> InMemoryUnitOfWork:
    """A fresh hotel whose ROOM is in ``target``, with PRE_ROOM and SPARE_ROOM ready.

    The stored state of the three rooms is checked, so a wrong walk cannot go unnoticed.
    """
    uow = InMemoryUnitOfWork(clock=SteppingClock())
    services.register_hotel(
        uow, hotel_id=HOTEL, name="Agreement", require_inspection=require_inspection
    )
    for room_id, number in ((ROOM, "101"), (PRE_ROOM, "102"), (SPARE_ROOM, "103")):
        services.register_room(uow, hotel_id=HOTEL, room_id=room_id, number=number)
    services.register_staff(
        uow, hotel_id=HOTEL, staff_id=STAFF, name="Manager", role=ho.StaffRole.MANAGER
    )
    for n, booking_id in enumerate((OWN, PRE, FRESH, ARRIVING), start=1):
        services.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=booking_id,
            reference=f"REF-{n}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{booking_id}-g0", "Ada", f"Guest{n}")],
        )
    if require_inspection:
        for room_id in (PRE_ROOM, SPARE_ROOM):
            services.inspect_room(uow, room_id=room_id, staff_id=STAFF)
    services.assign_room(uow, booking_id=PRE, room_id=PRE_ROOM, staff_id=STAFF, check_in=False)
    drive(uow, require_inspection, target)

    ready = ready_condition(require_inspection)
    stored = {
        room_id: services.get_occupancy(uow, room_id) for room_id in (ROOM, PRE_ROOM, SPARE_ROOM)
    }
    found = {
        room_id: (
            occupancy.status,
            occupancy.condition,
            occupancy.booking_id,
            occupancy.arriving_booking_id,
            occupancy.service_status,
            occupancy.discrepancy,
        )
        for room_id, occupancy in stored.items()
    }
    none = ho.ServiceStatus.NONE
    wanted = {
        ROOM: (
            expected_status(target),
            target.condition,
            None if target.tenancy is Tenancy.VACANT else OWN,
            ARRIVING if target.arriving else None,
            target.guest_service,
            target.discrepancy,
        ),
        PRE_ROOM: (Status.VACANT_CLEAN, ready, PRE, None, none, None),
        SPARE_ROOM: (Status.VACANT_CLEAN, ready, None, None, none, None),
    }
    assert found == wanted, f"the scene for {describe(target)} was built wrong"
    return uow


def held_or_fresh(uow: InMemoryUnitOfWork) -> str:
    """ROOM's booking if it holds one, else the arriving booking assigned nowhere."""
    return services.get_occupancy(uow, ROOM).booking_id or FRESH


def pre_assigned_or_fresh(uow: InMemoryUnitOfWork) -> str:
    """The booking ROOM awaits (pre-assigned, or arriving into it), else as held_or_fresh."""
    occupancy = services.get_occupancy(uow, ROOM)
    return occupancy.arriving_booking_id or occupancy.booking_id or FRESH


def renamed_party(uow: InMemoryUnitOfWork) -> list[ho.BookingGuest]:
    """The party of ROOM's booking with its primary guest renamed."""
    booking = services.get_booking(uow, held_or_fresh(uow)).booking
    return [ho.BookingGuest(m.booking_guest_id, "Renamed", m.last_name) for m in booking.party]


BOOKING_SERVICES = frozenset(
    {"change_stay", "update_party", "cancel_booking", "mark_no_show", "queue_arrival"}
)
"""The front desk's changes to a booking (§9): on a room that holds no booking they have
no booking of the room to act on (a call on another booking would not be about this room),
so there allowed_operations must say BookingNotAssignable and nothing is called."""


Call = Callable[[InMemoryUnitOfWork], tuple[ho.LogEntry, ...]]

# One call per operation service, with its default arguments, for ROOM as the room acted on.
CALLS: dict[str, Call] = {
    "assign_room": lambda uow: services.assign_room(
        uow, booking_id=FRESH, room_id=ROOM, staff_id=STAFF
    ),
    "check_in": lambda uow: services.check_in(
        uow, booking_id=pre_assigned_or_fresh(uow), staff_id=STAFF
    ),
    "reassign_room": lambda uow: services.reassign_room(
        uow, booking_id=PRE, to_room_id=ROOM, staff_id=STAFF
    ),
    "unassign_room": lambda uow: services.unassign_room(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF
    ),
    "move_guest": lambda uow: services.move_guest(
        uow, from_room_id=ROOM, to_room_id=SPARE_ROOM, staff_id=STAFF
    ),
    "checkout_room": lambda uow: services.checkout_room(uow, room_id=ROOM, staff_id=STAFF),
    "mark_dirty": lambda uow: services.mark_dirty(uow, room_id=ROOM, staff_id=STAFF),
    "start_cleaning": lambda uow: services.start_cleaning(uow, room_id=ROOM, staff_id=STAFF),
    "complete_cleaning": lambda uow: services.complete_cleaning(uow, room_id=ROOM, staff_id=STAFF),
    "inspect_room": lambda uow: services.inspect_room(uow, room_id=ROOM, staff_id=STAFF),
    "set_out_of_order": lambda uow: services.set_out_of_order(
        uow, room_id=ROOM, staff_id=STAFF, reason="x"
    ),
    "start_maintenance": lambda uow: services.start_maintenance(
        uow, room_id=ROOM, staff_id=STAFF, reason="x"
    ),
    "return_to_service": lambda uow: services.return_to_service(uow, room_id=ROOM, staff_id=STAFF),
    "change_stay": lambda uow: services.change_stay(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF, departure=date(2026, 3, 13)
    ),
    "update_party": lambda uow: services.update_party(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF, party=renamed_party(uow)
    ),
    "cancel_booking": lambda uow: services.cancel_booking(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF
    ),
    "mark_no_show": lambda uow: services.mark_no_show(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF
    ),
    "queue_arrival": lambda uow: services.queue_arrival(
        uow, booking_id=held_or_fresh(uow), staff_id=STAFF
    ),
    "set_service_status": lambda uow: services.set_service_status(
        uow, room_id=ROOM, staff_id=STAFF, status=ho.ServiceStatus.DND
    ),
    "report_room_observation": lambda uow: services.report_room_observation(
        uow, room_id=ROOM, staff_id=STAFF, occupied=False
    ),
}

STATES = tuple(all_states())
CASES = [(require_inspection, state) for require_inspection in (False, True) for state in STATES]


def case_id(case: tuple[bool, RoomState]) -> str:
    """E.g. ``inspect-OCCUPIED-CLEANING-IN_SERVICE`` or ``no-inspect-VACANT-CLEAN-MAINTENANCE``."""
    require_inspection, state = case
    return f"{'inspect' if require_inspection else 'no-inspect'}-{describe(state)}"


def disagreement(action: str, judged: ho.AllowedOperation, uow: InMemoryUnitOfWork) -> str | None:
    """What ``judged`` got wrong about calling ``action`` on ``uow``'s ROOM, or None."""
    said = f"allowed_operations said allowed={judged.allowed}, reason={judged.reason!r}"
    if judged.allowed != (judged.reason is None):
        return f"{action}: {said}, which is not one answer"
    if action in BOOKING_SERVICES and services.get_occupancy(uow, ROOM).booking_id is None:
        if judged.reason != "BookingNotAssignable":
            return f"{action}: {said} for a room holding no booking"
        return None
    try:
        entries = CALLS[action](uow)
    except Exception as error:
        raised = type(error).__name__
        if judged.allowed or judged.reason != raised:
            return f"{action}: {said}; the call raised {raised}: {error}"
        return None
    if not judged.allowed:
        logged = [e.operation.value for e in entries]
        return f"{action}: {said}; the call succeeded and logged {logged}"
    if not entries:
        return f"{action}: {said}; the call succeeded but logged nothing"
    if entries[0].operation is not judged.operation:
        return (
            f"{action}: allowed_operations said operation {judged.operation.value}; "
            f"the call logged {entries[0].operation.value} first"
        )
    return None


def test_the_walk_covers_every_consistent_room_state() -> None:
    """The states walked are every tenancy x condition x service, out of service only vacant,
    and every occupied one in service again awaited by an arriving booking; each occupied
    one with every guest service status, and with no discrepancy, SKIP or PERSON; each
    other one with no discrepancy or SLEEP."""
    plain = {
        (tenancy, condition, service, False)
        for tenancy in Tenancy
        for condition in Condition
        for service in Service
        if service is Service.IN_SERVICE or tenancy is Tenancy.VACANT
    } | {(Tenancy.OCCUPIED, condition, Service.IN_SERVICE, True) for condition in Condition}
    kinds = ho.DiscrepancyKind
    expected = set()
    for tenancy, condition, service, arriving in plain:
        if tenancy is Tenancy.OCCUPIED:
            expected |= {
                (tenancy, condition, service, arriving, status, discrepancy)
                for status in ho.ServiceStatus
                for discrepancy in (None, kinds.SKIP, kinds.PERSON)
            }
        else:
            expected |= {
                (tenancy, condition, service, arriving, ho.ServiceStatus.NONE, discrepancy)
                for discrepancy in (None, kinds.SLEEP)
            }
    walked = [
        (s.tenancy, s.condition, s.service, s.arriving, s.guest_service, s.discrepancy)
        for s in STATES
    ]
    assert sorted(walked, key=str) == sorted(expected, key=str)


def test_this_module_calls_every_operation_service() -> None:
    """Every one-room operation service of the transition table has a call here, and only
    those (the night audit, acting on a whole hotel, is not one room's)."""
    assert set(CALLS) == set(ROOM_ACTIONS)
    assert set(ACTIONS) - set(ROOM_ACTIONS) == {"night_audit"}


def test_every_operation_service_is_a_public_service_function() -> None:
    """Each action of the transition table names a function exported by ``services``."""
    missing = [
        a for a in ACTIONS if a not in services.__all__ or not callable(getattr(services, a))
    ]
    assert missing == []


def test_allowed_operations_reports_each_operation_service_exactly_once() -> None:
    """allowed_operations has one entry per one-room operation service, none left out."""
    uow = build_scene(False, RoomState(Tenancy.VACANT, Condition.CLEAN))
    reported = [entry.action for entry in services.allowed_operations(uow, ROOM)]
    assert sorted(reported) == sorted(ROOM_ACTIONS)


@pytest.mark.parametrize(("require_inspection", "state"), CASES, ids=[case_id(c) for c in CASES])
def test_allowed_operations_says_what_every_service_does_in_this_state(
    require_inspection: bool, state: RoomState
) -> None:
    """Each allowed_operations entry for the room matches what calling its service does."""
    judged = services.allowed_operations(build_scene(require_inspection, state), ROOM)
    by_action = {entry.action: entry for entry in judged}
    problems: list[str] = []
    if sorted(entry.action for entry in judged) != sorted(ROOM_ACTIONS):
        problems.append(f"allowed_operations reported {[e.action for e in judged]}")
    for action in ROOM_ACTIONS:
        if action not in by_action:
            problems.append(f"{action}: allowed_operations has no entry for it")
        elif action not in CALLS:
            problems.append(f"{action}: this module has no call for it")
        else:
            found = disagreement(action, by_action[action], build_scene(require_inspection, state))
            if found is not None:
                problems.append(found)
    hotel = "requiring" if require_inspection else "not requiring"
    heading = f"{len(problems)} disagreement(s) in {describe(state)}, hotel {hotel} inspection:"
    assert problems == [], "\n".join([heading, *problems])
