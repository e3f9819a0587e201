"""Queries: read-only views of occupancy, guests, history and tasks.

Each takes the unit of work and its key positionally, runs in its own transaction and
returns immutable snapshots.
"""

from __future__ import annotations

from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import (
    AllowedOperation,
    BoardRow,
    Guest,
    HousekeepingTask,
    LogEntry,
    RoomOccupancy,
    natural_key,
)
from hotel_occupancy.domain.occupancy import state_of
from hotel_occupancy.domain.transitions import ACTIONS, RoomState, Transition, default_steps
from hotel_occupancy.domain.validation import require_id
from hotel_occupancy.services import lookups as c
from hotel_occupancy.services.pins import PIN_DIGITS, is_pin
from hotel_occupancy.services.ports import UnitOfWork

__all__ = [
    "allowed_operations",
    "booking_history",
    "current_guests",
    "current_room",
    "find_guest_by_pin",
    "get_occupancy",
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


def room_board(uow: UnitOfWork, hotel_id: str) -> tuple[BoardRow, ...]:
    """One row per room of the hotel, in natural order of room number ("2" before "10")."""
    require_id("hotel_id", hotel_id)
    with uow.reading():
        c.get_hotel(uow, hotel_id)
        rows = uow.occupancies.board(hotel_id)
    return tuple(sorted(rows, key=lambda row: natural_key(row.number)))


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

    Judged on the room's state alone, with each service's default arguments, for this room
    as the one acted on: the source of a move, the target of an assignment (which by
    default also checks in), the room of a pre-assigned booking for ``check_in``. When not
    allowed, ``reason`` is the name of the error class the call would raise.
    """
    require_id("room_id", room_id)
    with uow.reading():
        room = c.get_room(uow, room_id)
        occupancy = c.room_occupancy(uow, room_id)
        hotel = c.get_hotel(uow, room.hotel_id)
    state = state_of(occupancy)
    result = []
    for action in ACTIONS:
        steps = default_steps(action)  # the rows a call with default arguments runs here
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
