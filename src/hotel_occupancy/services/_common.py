"""Helpers shared by the services: lookups, checks, and the transaction runner."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from hotel_occupancy.domain.enums import TaskKind, TaskStatus
from hotel_occupancy.domain.errors import (
    BookingNotFound,
    CapacityExceeded,
    GuestNotFound,
    HotelMismatch,
    HotelNotFound,
    InvalidInput,
    PermissionDenied,
    RequestIdConflict,
    RoomNotFound,
    StaffNotFound,
)
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    MetadataValue,
    Room,
    RoomOccupancy,
    Staff,
    replace,
)
from hotel_occupancy.domain.transitions import (
    CleaningEffect,
    RoomState,
    TaskEffect,
    Transition,
)
from hotel_occupancy.services.ports import RequestRecord, UnitOfWork

PIN_DIGITS = 6
_PIN_ATTEMPTS = 64


def now(uow: UnitOfWork) -> datetime:
    """The unit of work's clock, checked to be aware and normalised to UTC."""
    value = uow.clock()
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"the clock must return an aware datetime, it returned {value!r}")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def local_date(hotel: Hotel, moment: datetime) -> date:
    """The hotel's local calendar date at ``moment``."""
    return moment.astimezone(ZoneInfo(hotel.timezone)).date()


def expected_checkout(hotel: Hotel, booking: Booking) -> datetime:
    """The departure date at the hotel's checkout time, as an aware UTC datetime."""
    local = datetime.combine(booking.departure, hotel.checkout_time, ZoneInfo(hotel.timezone))
    return local.astimezone(UTC)


# --- lookups (existence checks) ---------------------------------------------------------


def get_hotel(uow: UnitOfWork, hotel_id: str) -> Hotel:
    hotel = uow.hotels.get(hotel_id)
    if hotel is None:
        raise HotelNotFound(f"no hotel {hotel_id!r}", hotel_id=hotel_id)
    return hotel


def get_room(uow: UnitOfWork, room_id: str) -> Room:
    room = uow.rooms.get(room_id)
    if room is None:
        raise RoomNotFound(f"no room {room_id!r}", room_id=room_id)
    return room


def get_staff(uow: UnitOfWork, staff_id: str) -> Staff:
    staff = uow.staff.get(staff_id)
    if staff is None:
        raise StaffNotFound(f"no staff member {staff_id!r}", staff_id=staff_id)
    return staff


def get_booking(uow: UnitOfWork, booking_id: str) -> Booking:
    booking = uow.bookings.get(booking_id)
    if booking is None:
        raise BookingNotFound(f"no booking {booking_id!r}", booking_id=booking_id)
    return booking


def get_guest(uow: UnitOfWork, guest_id: str) -> Guest:
    guest = uow.guests.get(guest_id)
    if guest is None:
        raise GuestNotFound(f"no guest {guest_id!r}", guest_id=guest_id)
    return guest


def room_occupancy(uow: UnitOfWork, room_id: str) -> RoomOccupancy:
    """The room's occupancy record, which exists exactly when the room does (I1): one read
    checks the room's existence and gives its state. RoomNotFound if there is none."""
    occupancy = uow.occupancies.get(room_id)
    if occupancy is None:
        raise RoomNotFound(f"no room {room_id!r}", room_id=room_id)
    return occupancy


# --- hotel and permission checks --------------------------------------------------------


def same_hotel(hotel_id: str, *others: Room | Staff | Booking) -> None:
    """Every one of ``others`` belongs to ``hotel_id`` (I10), else HotelMismatch."""
    for other in others:
        if other.hotel_id != hotel_id:
            kind, key = _describe(other)
            raise HotelMismatch(
                f"{kind} {key!r} belongs to hotel {other.hotel_id!r}, not {hotel_id!r}",
                hotel_id=hotel_id,
                **{f"{kind}_id": key},
            )


def _describe(thing: Room | Staff | Booking) -> tuple[str, str]:
    if isinstance(thing, Room):
        return "room", thing.room_id
    if isinstance(thing, Staff):
        return "staff", thing.staff_id
    return "booking", thing.booking_id


def authorise(uow: UnitOfWork, staff: Staff, action: str) -> None:
    """The staff member is active and the policy lets their role call ``action`` (I14)."""
    if not staff.active:
        raise PermissionDenied(
            f"staff member {staff.staff_id!r} is deactivated", staff_id=staff.staff_id
        )
    if not uow.policy.permits(staff.role, action):
        raise PermissionDenied(
            f"a {staff.role.value} may not call {action}",
            staff_id=staff.staff_id,
            role=staff.role.value,
            action=action,
        )


def check_capacity(room: Room, booking: Booking) -> None:
    """The booking's party fits the room (I13)."""
    if room.capacity is not None and len(booking.party) > room.capacity:
        raise CapacityExceeded(
            f"a party of {len(booking.party)} does not fit room {room.number!r} "
            f"(capacity {room.capacity})",
            room_id=room.room_id,
            booking_id=booking.booking_id,
            party_size=len(booking.party),
            capacity=room.capacity,
        )


def refuse_unless_allowed(
    t: Transition, occupancy: RoomOccupancy, hotel: Hotel, **context: object
) -> RoomState:
    """The room's state if ``t`` may apply to it, else the error the table names."""
    return check_transition(t, state_of(occupancy), occupancy.room_id, hotel, **context)


def check_transition(
    t: Transition, state: RoomState, room_id: str, hotel: Hotel, **context: object
) -> RoomState:
    """``state`` if ``t`` may apply to a room in it, else the error the table names."""
    refusal = t.refusal(state, hotel.require_inspection)
    if refusal is not None:
        raise refusal.error(f"{refusal.describe()} (room {room_id!r})", room_id=room_id, **context)
    return state


def state_of(occupancy: RoomOccupancy) -> RoomState:
    return RoomState.of(occupancy.status, occupancy.condition, occupancy.booking_id is not None)


def with_state(
    occupancy: RoomOccupancy, state: RoomState, at: datetime, **changes: Any
) -> RoomOccupancy:
    """The occupancy record moved to ``state`` (and the other ``changes``), in one copy."""
    return replace(
        occupancy, status=state.status, condition=state.condition, updated_at=at, **changes
    )


def vacated(occupancy: RoomOccupancy, state: RoomState, at: datetime) -> RoomOccupancy:
    """The occupancy record after its booking left, in ``state``."""
    return with_state(
        occupancy,
        state,
        at,
        booking_id=None,
        occupied_since=None,
        expected_checkout=None,
        assigned_by=None,
    )


# --- PINs -------------------------------------------------------------------------------


def draw_pin() -> str:
    """A fresh 6-digit PIN from the ``secrets`` module."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def fresh_pins(uow: UnitOfWork, hotel_id: str, count: int) -> list[str]:
    """``count`` distinct PINs no in-house guest of the hotel holds (I11)."""
    pins: set[str] = set()
    for _ in range(_PIN_ATTEMPTS):
        while len(pins) < count:
            pins.add(draw_pin())
        taken = uow.guests.pins_in_use(hotel_id, pins)
        if not taken:
            return list(pins)
        pins -= taken
    raise RuntimeError("could not draw a free PIN; the hotel has too many in-house guests")


def new_id() -> str:
    """A library-created identifier (guests, tasks): 128 random bits, as 32 hex digits."""
    return secrets.token_hex(16)


# --- housekeeping tasks -------------------------------------------------------------------


def apply_task_effects(
    uow: UnitOfWork,
    t: Transition,
    *,
    hotel: Hotel,
    room_id: str,
    staff_id: str,
    booking_id: str | None,
    at: datetime,
) -> None:
    """Open, start, close or cancel the room's tasks as the transition says (I6)."""
    if t.cleaning is None and t.inspection is None and t.maintenance is None:
        return
    cleaning = inspection = maintenance = None  # the oldest open task of each kind
    for task in uow.tasks.open_for_room(room_id):
        if task.kind is TaskKind.INSPECTION:
            inspection = inspection or task
        elif task.kind is TaskKind.MAINTENANCE:
            maintenance = maintenance or task
        else:  # TURNOVER or CLEANING
            cleaning = cleaning or task

    def create(kind: TaskKind, status: TaskStatus = TaskStatus.OPEN) -> None:
        started = status is TaskStatus.IN_PROGRESS
        uow.tasks.add(
            HousekeepingTask(
                task_id=new_id(),
                hotel_id=hotel.hotel_id,
                room_id=room_id,
                kind=kind,
                status=status,
                created_at=at,
                updated_at=at,
                created_by=staff_id,
                booking_id=booking_id,
                assigned_to=staff_id if started else None,
                started_at=at if started else None,
            )
        )

    cleaning_effect = t.cleaning
    if cleaning_effect is CleaningEffect.OPEN:
        if cleaning is None:
            create(TaskKind.CLEANING)
    elif cleaning_effect is CleaningEffect.TURNOVER:
        if cleaning is None:
            create(TaskKind.TURNOVER)
        else:
            uow.tasks.update(
                replace(
                    cleaning,
                    kind=TaskKind.TURNOVER,
                    status=TaskStatus.OPEN,
                    booking_id=booking_id,
                    assigned_to=None,  # new work: whoever starts the turnover takes it
                    started_at=None,
                    updated_at=at,
                )
            )
    elif cleaning_effect is CleaningEffect.START:
        if cleaning is None:
            create(TaskKind.CLEANING, TaskStatus.IN_PROGRESS)
        else:
            uow.tasks.update(
                replace(
                    cleaning,
                    status=TaskStatus.IN_PROGRESS,
                    assigned_to=staff_id,
                    started_at=at,
                    updated_at=at,
                )
            )
    elif cleaning_effect is not None:  # COMPLETE or CANCEL
        _close(uow, cleaning, cleaning_effect is CleaningEffect.COMPLETE, at)

    if t.inspection is TaskEffect.OPEN:
        if hotel.require_inspection and inspection is None:
            create(TaskKind.INSPECTION)
    elif t.inspection is not None:
        _close(uow, inspection, t.inspection is TaskEffect.COMPLETE, at)

    if t.maintenance is TaskEffect.OPEN:
        if maintenance is None:
            create(TaskKind.MAINTENANCE)
    elif t.maintenance is TaskEffect.COMPLETE:
        _close(uow, maintenance, True, at)


def _close(uow: UnitOfWork, task: HousekeepingTask | None, done: bool, at: datetime) -> None:
    """Close ``task`` (if there is one) as DONE, or CANCELLED when not ``done``."""
    if task is not None:
        status = TaskStatus.DONE if done else TaskStatus.CANCELLED
        uow.tasks.update(replace(task, status=status, updated_at=at, closed_at=at))


# --- log entries and the transaction runner -------------------------------------------------


def draft_entry(
    t: Transition,
    op: OpContext,
    *,
    hotel_id: str,
    room_id: str,
    staff_id: str,
    before: RoomState,
    after: RoomState,
    booking_id: str | None = None,
    from_room_id: str | None = None,
    notes: str = "",
    metadata: Mapping[str, MetadataValue] | None = None,
) -> LogEntry:
    """A log entry (id not yet assigned) for transition ``t`` on ``room_id``.

    Its metadata names the service that was called (``action``, what the policy allowed)
    and, when that service ran another row of the table (``assign_room`` checking in),
    that row as ``step``.
    """
    meta: dict[str, MetadataValue] = {"action": op.action}
    if t.action != op.action:
        meta["step"] = t.action
    if t.variant:
        meta["variant"] = t.variant
    meta.update(metadata or {})
    return LogEntry(
        id=0,
        hotel_id=hotel_id,
        room_id=room_id,
        operation=t.operation,
        performed_by=staff_id,
        status_before=before.status,
        status_after=after.status,
        condition_before=before.condition,
        condition_after=after.condition,
        timestamp=op.at,
        booking_id=booking_id,
        from_room_id=from_room_id,
        notes=notes,
        metadata=meta,
        request_id=op.request_id,
    )


def fingerprint(action: str, arguments: Mapping[str, object]) -> str:
    """A digest of a call's canonical text, to recognise a repeated ``request_id``."""

    def plain(value: object) -> object:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, date | time):
            return value.isoformat()
        if isinstance(value, BookingGuest):
            return [value.booking_guest_id, value.first_name, value.last_name]
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    canonical = json.dumps(
        {"action": action, "arguments": {k: plain(v) for k, v in sorted(arguments.items())}},
        sort_keys=True,
        separators=(",", ":"),
    )
    # a digest, so that no argument (a device token, a guest's name) outlives its purpose
    return hashlib.sha256(canonical.encode()).hexdigest()


def _used_request(uow: UnitOfWork, request_id: str | None, print_: str) -> bool:
    """Whether ``request_id`` was already used for this very call; RequestIdConflict if it
    was used for another."""
    if request_id is None:
        return False
    record = uow.requests.get(request_id)
    if record is None:
        return False
    if record.fingerprint != print_:
        raise RequestIdConflict(  # naming no more than the caller's own id
            f"request_id {request_id!r} was already used for another call",
            request_id=request_id,
        )
    return True


def run_reference(
    uow: UnitOfWork,
    action: str,
    arguments: Mapping[str, object],
    request_id: str | None,
    body: Callable[[], str],
) -> tuple[LogEntry, ...]:
    """Run a registration in one transaction, idempotent under ``request_id`` like the
    operations: a repeat of the same call returns ``()`` and changes nothing.

    ``body`` checks, writes, and returns the hotel id the request belongs to.
    """
    print_ = fingerprint(action, arguments) if request_id is not None else ""
    with uow:
        if _used_request(uow, request_id, print_):
            return ()
        hotel_id = body()
        if request_id is not None:
            uow.requests.add(RequestRecord(request_id, action, print_, hotel_id, now(uow)))
        uow.commit()
    return ()


class OpContext:
    """What one run of an operation service knows: its unit of work, time and request."""

    __slots__ = ("action", "at", "request_id", "uow")

    def __init__(self, uow: UnitOfWork, action: str, at: datetime, request_id: str | None):
        self.uow = uow
        self.action = action
        self.at = at
        self.request_id = request_id


def run_operation(
    uow: UnitOfWork,
    action: str,
    arguments: Mapping[str, object],
    request_id: str | None,
    body: Callable[[OpContext], tuple[str, Sequence[LogEntry]]],
) -> tuple[LogEntry, ...]:
    """Run ``body`` in one transaction: replay or refuse a used ``request_id``, append the
    drafted entries, record the request, commit, and publish one event per entry.

    ``body`` checks everything, makes its changes, and returns the hotel id and the drafts.
    """
    print_ = fingerprint(action, arguments) if request_id is not None else ""
    with uow:
        if request_id is not None and _used_request(uow, request_id, print_):
            return tuple(uow.log.for_request(request_id))
        op = OpContext(uow, action, now(uow), request_id)
        hotel_id, drafts = body(op)
        if request_id is not None:
            uow.requests.add(RequestRecord(request_id, action, print_, hotel_id, op.at))
        entries = uow.log.append(drafts)
        uow.emit(OccupancyEvent.from_entry(entry) for entry in entries)
        uow.commit()
    return entries
