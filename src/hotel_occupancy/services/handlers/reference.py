"""Reference data: hotels, rooms, staff, bookings and device tokens (no log entries).

The runner has already refused a new id that exists (AlreadyRegistered) and a reference
that does not (not found).
"""

from __future__ import annotations

from hotel_occupancy.domain.commands import (
    DeactivateStaff,
    RegisterBooking,
    RegisterDeviceToken,
    RegisterHotel,
    RegisterRoom,
    RegisterStaff,
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


@handles(RegisterRoom)
def register_room(ctx: Context, cmd: RegisterRoom) -> tuple[LogEntry, ...]:
    uow = ctx.uow
    if uow.rooms.number_taken(cmd.hotel_id, cmd.number):
        raise AlreadyRegistered(
            f"hotel {cmd.hotel_id!r} already has a room number {cmd.number!r}",
            hotel_id=cmd.hotel_id,
            number=cmd.number,
        )
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


@handles(DeactivateStaff)
def deactivate_staff(ctx: Context, cmd: DeactivateStaff) -> tuple[LogEntry, ...]:
    staff: Staff = ctx.found["staff_id"]
    if staff.active:  # deactivating twice is harmless
        ctx.uow.staff.update(replace(staff, active=False))
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
