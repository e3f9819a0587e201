"""Existence checks: reading what a call names, or refusing it as not found (§6).

:data:`LOOKUPS` says, for each kind of reference a command can make
(:class:`~hotel_occupancy.domain.commands.Ref`), how to read it and what to raise when it
is missing (or, for a registration's new id, already there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from hotel_occupancy.domain.commands import Ref
from hotel_occupancy.domain.errors import (
    AlreadyRegistered,
    BookingNotFound,
    GuestNotFound,
    HotelNotFound,
    RoomNotFound,
    RoomOccupancyError,
    StaffNotFound,
    TaskNotFound,
)
from hotel_occupancy.domain.model import Booking, Guest, Hotel, Room, RoomOccupancy, Staff
from hotel_occupancy.services.ports import UnitOfWork

__all__ = [
    "LOOKUPS",
    "Lookup",
    "get_booking",
    "get_guest",
    "get_hotel",
    "get_room",
    "get_staff",
    "lookup",
    "room_occupancy",
]


@frozen
class Lookup:
    """How to read one kind of reference, and the words and error for a refusal."""

    repository: str  # the unit of work's repository to ``get`` it from
    words: str  # "room", "staff member"...
    key: str  # the error's context key: "room_id"...
    missing: type[RoomOccupancyError]

    def refuse_missing(self, value: str) -> RoomOccupancyError:
        return self.missing(f"no {self.words} {value!r}", **{self.key: value})

    def refuse_taken(self, value: str) -> RoomOccupancyError:
        return AlreadyRegistered(
            f"{self.words} {value!r} is already registered", **{self.key: value}
        )


_HOTEL = Lookup("hotels", "hotel", "hotel_id", HotelNotFound)
_ROOM = Lookup("rooms", "room", "room_id", RoomNotFound)
_STAFF = Lookup("staff", "staff member", "staff_id", StaffNotFound)
_BOOKING = Lookup("bookings", "booking", "booking_id", BookingNotFound)
# the occupancy record exists exactly when the room does (I1): one read checks the room's
# existence and gives its state
_ROOM_STATE = Lookup("occupancies", "room", "room_id", RoomNotFound)
_GUEST = Lookup("guests", "guest", "guest_id", GuestNotFound)
_TASK = Lookup("tasks", "task", "task_id", TaskNotFound)

LOOKUPS: Mapping[Ref, Lookup] = {
    Ref.HOTEL: _HOTEL,
    Ref.ROOM: _ROOM,
    Ref.ROOM_STATE: _ROOM_STATE,
    Ref.STAFF: _STAFF,
    Ref.STAFF_MEMBERS: _STAFF,
    Ref.BOOKING: _BOOKING,
    Ref.GUEST: _GUEST,
    Ref.TASK: _TASK,
    Ref.NEW_HOTEL: _HOTEL,
    Ref.NEW_ROOM: _ROOM,
    Ref.NEW_STAFF: _STAFF,
    Ref.NEW_BOOKING: _BOOKING,
}


def lookup(uow: UnitOfWork, kind: Ref, value: str) -> Any:
    """What ``value`` refers to; its not-found error if nothing does. For a registration's
    new id (``kind.is_new``): None, or AlreadyRegistered if it exists."""
    way = LOOKUPS[kind]
    found = getattr(uow, way.repository).get(value)
    if kind.is_new:
        if found is not None:
            raise way.refuse_taken(value)
        return None
    if found is None:
        raise way.refuse_missing(value)
    return found


# The getters read their repository directly (the same checks as :func:`lookup`, one call
# fewer): the runner and the handlers call them on every operation.


def get_hotel(uow: UnitOfWork, hotel_id: str) -> Hotel:
    hotel = uow.hotels.get(hotel_id)
    if hotel is None:
        raise _HOTEL.refuse_missing(hotel_id)
    return hotel


def get_room(uow: UnitOfWork, room_id: str) -> Room:
    room = uow.rooms.get(room_id)
    if room is None:
        raise _ROOM.refuse_missing(room_id)
    return room


def room_occupancy(uow: UnitOfWork, room_id: str) -> RoomOccupancy:
    """The room's occupancy record; RoomNotFound if there is no such room."""
    occupancy = uow.occupancies.get(room_id)
    if occupancy is None:
        raise _ROOM_STATE.refuse_missing(room_id)
    return occupancy


def get_staff(uow: UnitOfWork, staff_id: str) -> Staff:
    staff = uow.staff.get(staff_id)
    if staff is None:
        raise _STAFF.refuse_missing(staff_id)
    return staff


def get_booking(uow: UnitOfWork, booking_id: str) -> Booking:
    booking = uow.bookings.get(booking_id)
    if booking is None:
        raise _BOOKING.refuse_missing(booking_id)
    return booking


def get_guest(uow: UnitOfWork, guest_id: str) -> Guest:
    guest = uow.guests.get(guest_id)
    if guest is None:
        raise _GUEST.refuse_missing(guest_id)
    return guest
