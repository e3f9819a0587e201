"""Rules every operation shares that are not about one room's state: one hotel per
operation (I10) and a party that fits its room (I13)."""

from __future__ import annotations

from hotel_occupancy.domain.errors import CapacityExceeded, HotelMismatch
from hotel_occupancy.domain.model import Booking, Guest, Hotel, Room, RoomOccupancy, Staff

__all__ = ["check_capacity", "check_same_hotel", "describe"]

Owned = Hotel | Room | RoomOccupancy | Staff | Booking | Guest


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


def check_capacity(room: Room, booking: Booking) -> None:
    """The booking's party fits the room (I13), else CapacityExceeded."""
    if room.capacity is not None and len(booking.party) > room.capacity:
        raise CapacityExceeded(
            f"a party of {len(booking.party)} does not fit room {room.number!r} "
            f"(capacity {room.capacity})",
            room_id=room.room_id,
            booking_id=booking.booking_id,
            party_size=len(booking.party),
            capacity=room.capacity,
        )
