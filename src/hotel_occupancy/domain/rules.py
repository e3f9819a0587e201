"""Rules every operation shares that are not about one room's state: one hotel per
operation (I10), a party that fits its room (I13), and the dates of a stay (§9)."""

from __future__ import annotations

from datetime import date

from hotel_occupancy.domain.errors import (
    BookingNotAssignable,
    CapacityExceeded,
    HotelMismatch,
    RoomNotAvailable,
)
from hotel_occupancy.domain.model import (
    Booking,
    Guest,
    Hotel,
    HousekeepingTask,
    Room,
    RoomOccupancy,
    Staff,
)

__all__ = [
    "check_capacity",
    "check_due_out",
    "check_same_hotel",
    "check_stay_dates",
    "describe",
]

Owned = Hotel | Room | RoomOccupancy | Staff | Booking | Guest | HousekeepingTask


def describe(thing: Owned) -> tuple[str, str]:
    """The kind of ``thing`` (``room``, ``staff``...) and its id."""
    if isinstance(thing, Room | RoomOccupancy):
        return "room", thing.room_id
    if isinstance(thing, Staff):
        return "staff", thing.staff_id
    if isinstance(thing, Booking):
        return "booking", thing.booking_id
    if isinstance(thing, Guest):
        return "guest", thing.guest_id
    if isinstance(thing, HousekeepingTask):
        return "task", thing.task_id
    return "hotel", thing.hotel_id


def check_same_hotel(hotel_id: str, *others: Owned) -> None:
    """Every one of ``others`` belongs to ``hotel_id`` (I10), else HotelMismatch."""
    for other in others:
        if other.hotel_id != hotel_id:
            kind, key = describe(other)
            raise HotelMismatch(
                f"{kind} {key!r} belongs to hotel {other.hotel_id!r}, not {hotel_id!r}",
                hotel_id=hotel_id,
                **{f"{kind}_id": key},
            )


def check_stay_dates(hotel: Hotel, booking: Booking, today: date) -> None:
    """Where the hotel enforces stay dates, ``today`` (its local date) lies within the
    booking's stay, else BookingNotAssignable: no check-in before the arrival date or
    after the departure date."""
    if not hotel.enforce_stay_dates or booking.arrival <= today <= booking.departure:
        return
    when = "before its arrival" if today < booking.arrival else "after its departure"
    raise BookingNotAssignable(
        f"booking {booking.reference!r} ({booking.booking_id!r}) stays from "
        f"{booking.arrival.isoformat()} to {booking.departure.isoformat()}: hotel "
        f"{hotel.hotel_id!r} enforces stay dates, and {today.isoformat()} is {when}",
        booking_id=booking.booking_id,
    )


def check_due_out(room_id: str, in_house: Booking, today: date) -> None:
    """The in-house booking of ``room_id`` departs ``today`` (the hotel's local date) or
    is overdue, so that an arriving booking may be pre-assigned to the room; else
    RoomNotAvailable."""
    if in_house.departure > today:
        raise RoomNotAvailable(
            f"room {room_id!r} is occupied until {in_house.departure.isoformat()}: an "
            "arriving booking can only be pre-assigned to an occupied room whose guest "
            "departs today or is overdue",
            room_id=room_id,
        )


def check_capacity(room: Room, booking: Booking, party_size: int | None = None) -> None:
    """The booking's party (of ``party_size``, if given: a new party) fits the room (I13),
    else CapacityExceeded."""
    size = len(booking.party) if party_size is None else party_size
    if room.capacity is not None and size > room.capacity:
        raise CapacityExceeded(
            f"a party of {size} does not fit room {room.number!r} (capacity {room.capacity})",
            room_id=room.room_id,
            booking_id=booking.booking_id,
            party_size=size,
            capacity=room.capacity,
        )
