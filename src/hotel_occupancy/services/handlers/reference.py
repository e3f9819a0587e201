"""Reference data: hotels, rooms, staff, bookings and device tokens (no log entries).
(``update_hotel`` lives with the front desk's handlers, whose settings it changes.)

The runner has already refused a new id that exists (AlreadyRegistered) and a reference
that does not (not found).
"""

from __future__ import annotations

from hotel_occupancy.domain.commands import (
    DeactivateHotel,
    DeactivateStaff,
    ReactivateHotel,
    ReactivateStaff,
    RegisterBooking,
    RegisterDeviceToken,
    RegisterHotel,
    RegisterRoom,
    RegisterStaff,
    UpdateRoom,
    UpdateStaff,
)
from hotel_occupancy.domain.enums import Condition, OccupancyStatus
from hotel_occupancy.domain.errors import AlreadyRegistered, GuestNotInHouse
from hotel_occupancy.domain.model import (
    Booking,
    Guest,
    Hotel,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
    replace,
)
from hotel_occupancy.domain.rules import check_capacity
from hotel_occupancy.services.lookups import get_booking
from hotel_occupancy.services.runner import Context, handles

NOTHING_LOGGED: tuple[LogEntry, ...] = ()


@handles(RegisterHotel)
def register_hotel(ctx: Context, cmd: RegisterHotel) -> tuple[LogEntry, ...]:
    ctx.uow.hotels.add(
        Hotel(
            cmd.hotel_id,
            cmd.name,
            cmd.require_inspection,
            cmd.timezone,
            cmd.checkout_time,
            cmd.enforce_stay_dates,
            cmd.stayover_every,
            cmd.checkout_credits,
            cmd.stayover_credits,
        )
    )
    return NOTHING_LOGGED


def _number_taken(hotel_id: str, number: str) -> AlreadyRegistered:
    """The refusal of a room number another room of the hotel already has."""
    return AlreadyRegistered(
        f"hotel {hotel_id!r} already has a room number {number!r}",
        hotel_id=hotel_id,
        number=number,
    )


@handles(RegisterRoom)
def register_room(ctx: Context, cmd: RegisterRoom) -> tuple[LogEntry, ...]:
    uow = ctx.uow
    if uow.rooms.number_taken(cmd.hotel_id, cmd.number):
        raise _number_taken(cmd.hotel_id, cmd.number)
    at = ctx.now()  # the clock is checked before anything is written
    uow.rooms.add(Room(cmd.room_id, cmd.hotel_id, cmd.number, cmd.capacity))
    uow.occupancies.add(
        RoomOccupancy(
            room_id=cmd.room_id,
            hotel_id=cmd.hotel_id,
            status=OccupancyStatus.VACANT_CLEAN,
            condition=Condition.CLEAN,
            created_at=at,
            updated_at=at,
        )
    )
    return NOTHING_LOGGED


@handles(RegisterStaff)
def register_staff(ctx: Context, cmd: RegisterStaff) -> tuple[LogEntry, ...]:
    ctx.uow.staff.add(Staff(cmd.staff_id, cmd.hotel_id, cmd.name, cmd.role))
    return NOTHING_LOGGED


@handles(DeactivateHotel)
def deactivate_hotel(ctx: Context, cmd: DeactivateHotel) -> tuple[LogEntry, ...]:
    hotel: Hotel = ctx.found["hotel_id"]
    if hotel.active:  # deactivating twice is harmless
        ctx.uow.hotels.update(replace(hotel, active=False))
    return NOTHING_LOGGED


@handles(ReactivateHotel)
def reactivate_hotel(ctx: Context, cmd: ReactivateHotel) -> tuple[LogEntry, ...]:
    hotel: Hotel = ctx.found["hotel_id"]
    if not hotel.active:  # reactivating an active hotel is harmless
        ctx.uow.hotels.update(replace(hotel, active=True))
    return NOTHING_LOGGED


@handles(DeactivateStaff)
def deactivate_staff(ctx: Context, cmd: DeactivateStaff) -> tuple[LogEntry, ...]:
    staff: Staff = ctx.found["staff_id"]
    if staff.active:  # deactivating twice is harmless
        ctx.uow.staff.update(replace(staff, active=False))
    return NOTHING_LOGGED


@handles(UpdateRoom)
def update_room(ctx: Context, cmd: UpdateRoom) -> tuple[LogEntry, ...]:
    uow = ctx.uow
    room: Room = ctx.found["room_id"]
    changed = replace(room, **cmd.changes())
    if changed == room:  # the room is already so
        return NOTHING_LOGGED
    if changed.number != room.number and uow.rooms.number_taken(room.hotel_id, changed.number):
        raise _number_taken(room.hotel_id, changed.number)
    if changed.capacity is not None and (room.capacity is None or changed.capacity < room.capacity):
        # a smaller room must still fit the parties it holds (I13): the booking in house or
        # pre-assigned, and the arriving booking awaiting it (its record is locked first)
        occupancy = ctx.occupancy(room.room_id)
        for booking_id in (occupancy.booking_id, occupancy.arriving_booking_id):
            if booking_id is not None:
                check_capacity(changed, get_booking(uow, booking_id))
    uow.rooms.update(changed)
    return NOTHING_LOGGED


@handles(UpdateStaff)
def update_staff(ctx: Context, cmd: UpdateStaff) -> tuple[LogEntry, ...]:
    staff: Staff = ctx.found["staff_id"]
    changed = replace(staff, **cmd.changes())
    if changed != staff:
        ctx.uow.staff.update(changed)
    return NOTHING_LOGGED


@handles(ReactivateStaff)
def reactivate_staff(ctx: Context, cmd: ReactivateStaff) -> tuple[LogEntry, ...]:
    staff: Staff = ctx.found["staff_id"]
    if not staff.active:  # reactivating an active member is harmless
        ctx.uow.staff.update(replace(staff, active=True))
    return NOTHING_LOGGED


@handles(RegisterBooking)
def register_booking(ctx: Context, cmd: RegisterBooking) -> tuple[LogEntry, ...]:
    uow = ctx.uow
    taken = uow.bookings.guest_ids_taken([m.booking_guest_id for m in cmd.party])
    if taken:
        raise AlreadyRegistered(
            f"booking guest ids already belong to another booking: {sorted(taken)}",
            booking_id=cmd.booking_id,
            booking_guest_ids=tuple(sorted(taken)),
        )
    uow.bookings.add(
        Booking(
            cmd.booking_id,
            cmd.hotel_id,
            cmd.reference,
            cmd.arrival,
            cmd.departure,
            tuple(cmd.party),
        )
    )
    return NOTHING_LOGGED


@handles(RegisterDeviceToken)
def register_device_token(ctx: Context, cmd: RegisterDeviceToken) -> tuple[LogEntry, ...]:
    guest: Guest = ctx.found["guest_id"]
    if not guest.in_house:
        raise GuestNotInHouse(
            f"guest {cmd.guest_id!r} is no longer in house", guest_id=cmd.guest_id
        )
    ctx.uow.guests.update_many([replace(guest, device_token=cmd.token)])
    return NOTHING_LOGGED
