"""Queries: read-only views of occupancy, guests, history and tasks.

Each takes the unit of work and its key positionally, runs in its own transaction and
returns immutable snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from hotel_occupancy.domain.bookings import room_rule, stage_of
from hotel_occupancy.domain.dates import local_date
from hotel_occupancy.domain.enums import BookingStage
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import (
    AllowedOperation,
    BoardRow,
    BookingView,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    RoomOccupancy,
    StayRow,
    natural_key,
    replace,
)
from hotel_occupancy.domain.occupancy import state_of
from hotel_occupancy.domain.transitions import (
    ACTIONS,
    HOTEL_ACTIONS,
    RoomState,
    Transition,
    default_steps,
)
from hotel_occupancy.domain.validation import require_date, require_id
from hotel_occupancy.domain.zones import zone
from hotel_occupancy.services import lookups as c
from hotel_occupancy.services.pins import PIN_DIGITS, is_pin
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import now

__all__ = [
    "allowed_operations",
    "arrivals",
    "booking_history",
    "current_guests",
    "current_room",
    "departures",
    "find_guest_by_pin",
    "get_booking",
    "get_occupancy",
    "in_house",
    "open_tasks",
    "room_board",
    "room_history",
]


def get_occupancy(uow: UnitOfWork, room_id: str) -> RoomOccupancy:
    """The room's occupancy record."""
    require_id("room_id", room_id)
    with uow.reading():
        c.get_room(uow, room_id)
        return c.room_occupancy(uow, room_id)


def _local(hotel: Hotel, moment: datetime | None) -> datetime | None:
    return None if moment is None else _in_zone(hotel, moment)


def _in_zone(hotel: Hotel, moment: datetime) -> datetime:
    return moment.astimezone(zone(hotel.timezone))


def room_board(uow: UnitOfWork, hotel_id: str) -> tuple[BoardRow, ...]:
    """One row per room of the hotel, in natural order of room number ("2" before "10").

    Each row also says whether the in-house guest is ``due_out`` (leaves today, the hotel's
    local date, or should have left already) or ``overdue`` (past the expected checkout,
    given in UTC and as ``expected_checkout_local``), and which booking, if any, is
    pre-assigned to the room to arrive after them (``arriving_booking_id``).
    """
    require_id("hotel_id", hotel_id)
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        rows = uow.occupancies.board(hotel_id)
        at = now(uow)
    today = local_date(hotel, at)
    # what an expected checkout means now, by checkout: a hotel's guests share a few
    seen: dict[datetime, tuple[bool, bool, datetime]] = {}
    return tuple(_board_row(hotel, row, at, today, seen) for row in sorted(rows, key=_by_number))


def _by_number(row: BoardRow) -> str:
    return natural_key(row.number)


def _board_row(
    hotel: Hotel,
    row: BoardRow,
    at: datetime,
    today: date,
    seen: dict[datetime, tuple[bool, bool, datetime]],
) -> BoardRow:
    """``row`` with what its expected checkout means at ``at`` (``seen``: what the expected
    checkouts met so far mean: due out, overdue, the time in the hotel's zone)."""
    checkout = row.expected_checkout
    if checkout is None:
        return row
    meaning = seen.get(checkout)
    if meaning is None:
        there = _in_zone(hotel, checkout)
        meaning = seen[checkout] = (there.date() <= today, checkout < at, there)
    due_out, overdue, there = meaning
    return BoardRow(  # by position (a third of replace's cost): a board has thousands
        row.room_id,
        row.number,
        row.status,
        row.condition,
        row.booking_id,
        row.booking_reference,
        row.guest_count,
        checkout,
        row.arriving_booking_id,
        due_out,
        overdue,
        there,
        row.service_status,
        row.discrepancy,
        row.queued,
    )


def get_booking(uow: UnitOfWork, booking_id: str) -> BookingView:
    """The booking with its ``stage`` (ARRIVING, ASSIGNED, IN_HOUSE, DEPARTED, CANCELLED,
    NO_SHOW) and the room holding it, if any (``arriving``: pre-assigned to an occupied
    room whose guest is due out)."""
    require_id("booking_id", booking_id)
    with uow.reading():
        booking = c.get_booking(uow, booking_id)
        holder = None if booking.checked_out else uow.occupancies.for_booking(booking_id)
        room = c.get_room(uow, holder.room_id) if holder is not None else None
    return BookingView(
        booking=booking,
        stage=stage_of(booking, holder is not None),
        room_id=room.room_id if room is not None else None,
        room_number=room.number if room is not None else None,
        arriving=holder is not None and holder.arriving_booking_id == booking_id,
    )


_OPEN = frozenset({BookingStage.ARRIVING, BookingStage.ASSIGNED})


def _stays(
    hotel: Hotel, rows: Sequence[StayRow], at: datetime, day: date | None
) -> tuple[StayRow, ...]:
    """The rows with their local times and ``overdue``, by room number then reference."""
    done = []
    for row in rows:
        if row.stage in _OPEN:
            overdue = day is not None and row.arrival < day
        else:
            overdue = row.expected_checkout is not None and row.expected_checkout < at
        done.append(
            replace(
                row,
                expected_checkout_local=_local(hotel, row.expected_checkout),
                overdue=overdue,
            )
        )
    return tuple(
        sorted(
            done,
            key=lambda r: (
                r.room_number is None,
                natural_key(r.room_number or ""),
                r.reference,
                r.booking_id,
            ),
        )
    )


def arrivals(uow: UnitOfWork, hotel_id: str, day: date) -> tuple[StayRow, ...]:
    """The hotel's arrivals on ``day`` (a local date): every booking arriving that day in
    any stage but CANCELLED (arrived ones are IN_HOUSE or DEPARTED, those that never came
    NO_SHOW), and those due before it that have not arrived yet, ``overdue``. By room
    number (bookings without a room last), then reference."""
    require_id("hotel_id", hotel_id)
    require_date("day", day)
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        rows = uow.bookings.arrivals(hotel_id, day)
        at = now(uow)
    return _stays(hotel, rows, at, day)


def departures(uow: UnitOfWork, hotel_id: str, day: date) -> tuple[StayRow, ...]:
    """The hotel's in-house bookings due out on ``day`` (a local date) or before it (those
    past their expected checkout are ``overdue``), by room number, then reference."""
    require_id("hotel_id", hotel_id)
    require_date("day", day)
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        rows = uow.bookings.departures(hotel_id, day)
        at = now(uow)
    return _stays(hotel, rows, at, None)


def in_house(uow: UnitOfWork, hotel_id: str) -> tuple[StayRow, ...]:
    """The hotel's in-house bookings (those past their expected checkout are ``overdue``),
    by room number, then reference."""
    require_id("hotel_id", hotel_id)
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        rows = uow.bookings.in_house(hotel_id)
        at = now(uow)
    return _stays(hotel, rows, at, None)


def current_guests(uow: UnitOfWork, room_id: str) -> tuple[Guest, ...]:
    """The in-house guests in the room, primary first (empty unless it is occupied)."""
    require_id("room_id", room_id)
    with uow.reading():
        c.get_room(uow, room_id)
        occupancy = c.room_occupancy(uow, room_id)
        if not occupancy.is_occupied or occupancy.booking_id is None:
            return ()
        return tuple(g for g in uow.guests.for_booking(occupancy.booking_id) if g.in_house)


def current_room(uow: UnitOfWork, guest_id: str) -> str | None:
    """The id of the room the guest is in; None once they have departed."""
    require_id("guest_id", guest_id)
    with uow.reading():
        guest = c.get_guest(uow, guest_id)
        if not guest.in_house:
            return None
        occupancy = uow.occupancies.for_booking(guest.booking_id)
        return occupancy.room_id if occupancy is not None and occupancy.is_occupied else None


def room_history(uow: UnitOfWork, room_id: str) -> tuple[LogEntry, ...]:
    """Every log entry of the room, newest first, including moves and reassignments out."""
    require_id("room_id", room_id)
    with uow.reading():
        c.get_room(uow, room_id)
        return tuple(uow.log.for_room(room_id))


def booking_history(uow: UnitOfWork, booking_id: str) -> tuple[LogEntry, ...]:
    """Every log entry about the booking, newest first."""
    require_id("booking_id", booking_id)
    with uow.reading():
        c.get_booking(uow, booking_id)
        return tuple(uow.log.for_booking(booking_id))


def open_tasks(uow: UnitOfWork, hotel_id: str) -> tuple[HousekeepingTask, ...]:
    """The hotel's open (OPEN or IN_PROGRESS) tasks, oldest first."""
    require_id("hotel_id", hotel_id)
    with uow.reading():
        c.get_hotel(uow, hotel_id)
        tasks = uow.tasks.open_for_hotel(hotel_id)
    return tuple(sorted(tasks, key=lambda t: (t.created_at, t.room_id, t.kind.value, t.task_id)))


def _judge(steps: tuple[Transition, ...], state: RoomState, require_inspection: bool) -> str | None:
    for step in steps:
        refusal = step.refusal(state, require_inspection)
        if refusal is not None:
            return refusal.error.__name__
        state = step.apply(state)
    return None


def allowed_operations(uow: UnitOfWork, room_id: str) -> tuple[AllowedOperation, ...]:
    """For each operation service, whether it may act on this room in its current state.

    Judged on the room's state, with each service's default arguments, for this room as
    the one acted on: the source of a move, the target of an assignment (which by default
    also checks in), the room of a pre-assigned booking for ``check_in`` (the booking
    awaiting it, if any), the room of its booking for the front desk's changes (§9). The
    booking the room holds is judged by the booking table first, as the services do (an
    in-house booking that has moved can no longer be unassigned; a queued one queued
    again). When not allowed, ``reason`` is the name of the error class the call would
    raise. Rules on dates (a no-show before its arrival, a stay outside enforced dates)
    are not judged here.
    """
    require_id("room_id", room_id)
    with uow.reading():
        room = c.get_room(uow, room_id)
        occupancy = c.room_occupancy(uow, room_id)
        hotel = c.get_hotel(uow, room.hotel_id)
        own = uow.bookings.get(occupancy.booking_id) if occupancy.booking_id else None
        awaiting = (
            uow.bookings.get(occupancy.arriving_booking_id)
            if occupancy.arriving_booking_id
            else own
        )
    state = state_of(occupancy)
    result = []
    for action in ACTIONS:
        if action in HOTEL_ACTIONS:  # (not one room's operation: the night audit)
            continue
        steps = default_steps(action)  # the rows a call with default arguments runs here
        reason = None
        rule = room_rule(action)
        subject = awaiting if action == "check_in" else own
        if rule is not None and subject is not None:
            refusal = rule.refusal(subject, stage_of(subject, True))
            reason = None if refusal is None else type(refusal).__name__
        if reason is None:
            reason = _judge(steps, state, hotel.require_inspection)
        result.append(AllowedOperation(action, steps[0].operation, reason is None, reason))
    return tuple(result)


def find_guest_by_pin(uow: UnitOfWork, hotel_id: str, pin: str) -> Guest | None:
    """The in-house guest of the hotel holding ``pin``; None if nobody does."""
    require_id("hotel_id", hotel_id)
    if not is_pin(pin):
        raise InvalidInput(f"a PIN is {PIN_DIGITS} digits")
    with uow.reading():
        c.get_hotel(uow, hotel_id)
        return uow.guests.find_by_pin(hotel_id, pin)
