"""Reference data: hotels, rooms, staff, bookings and device tokens.

These are not operations on a room: they take no staff member, write no log entry and
return an empty tuple. An update that changes nothing (the value is already so) is
harmless and writes nothing. Every id is chosen by the host application and unique within its
kind across the store; registering one twice is refused with AlreadyRegistered. Each
service builds its command and runs it with :func:`~hotel_occupancy.services.runner.execute`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

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
    UpdateHotel,
    UpdateRoom,
    UpdateStaff,
)
from hotel_occupancy.domain.enums import StaffRole
from hotel_occupancy.domain.model import BookingGuest, LogEntry
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import execute

__all__ = [
    "deactivate_hotel",
    "deactivate_staff",
    "reactivate_hotel",
    "reactivate_staff",
    "register_booking",
    "register_device_token",
    "register_hotel",
    "register_room",
    "register_staff",
    "update_hotel",
    "update_room",
    "update_staff",
]


def register_hotel(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    name: str,
    require_inspection: bool = False,
    timezone: str = "UTC",
    checkout_time: time = time(11),
    enforce_stay_dates: bool = False,
    stayover_every: int = 1,
    checkout_credits: int = 2,
    stayover_credits: int = 1,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register a hotel and its policy: whether rooms need an inspection before a guest
    checks in, its IANA ``timezone``, its local ``checkout_time``, whether check-in is
    refused outside a booking's stay dates (``enforce_stay_dates``), the nights between
    an in-house guest's stayover cleanings (``stayover_every``: 1 daily, 0 never) and what
    a checkout and a stayover cleaning count for on a worksheet (the credits)."""
    return execute(
        uow,
        RegisterHotel(
            hotel_id=hotel_id,
            name=name,
            require_inspection=require_inspection,
            timezone=timezone,
            checkout_time=checkout_time,
            enforce_stay_dates=enforce_stay_dates,
            stayover_every=stayover_every,
            checkout_credits=checkout_credits,
            stayover_credits=stayover_credits,
            request_id=request_id,
        ),
    )


def update_hotel(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    name: str | None = None,
    require_inspection: bool | None = None,
    checkout_time: time | None = None,
    enforce_stay_dates: bool | None = None,
    stayover_every: int | None = None,
    checkout_credits: int | None = None,
    stayover_credits: int | None = None,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Change a hotel's name or policy; an argument left as None keeps its value, and at
    least one must be given. The new policy applies from the next operation on: an
    in-house stay keeps the expected checkout it was given. The time zone cannot change
    (the hotel's stored local dates were made in it)."""
    return execute(
        uow,
        UpdateHotel(
            hotel_id=hotel_id,
            name=name,
            require_inspection=require_inspection,
            checkout_time=checkout_time,
            enforce_stay_dates=enforce_stay_dates,
            stayover_every=stayover_every,
            checkout_credits=checkout_credits,
            stayover_credits=stayover_credits,
            request_id=request_id,
        ),
    )


def register_room(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    room_id: str,
    number: str,
    capacity: int | None = None,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register a room; it starts VACANT_CLEAN, condition CLEAN, with no booking and no log
    entry. ``capacity`` is the most guests it takes (None: no limit)."""
    return execute(
        uow,
        RegisterRoom(
            hotel_id=hotel_id,
            room_id=room_id,
            number=number,
            capacity=capacity,
            request_id=request_id,
        ),
    )


def update_room(
    uow: UnitOfWork,
    *,
    room_id: str,
    number: str | None = None,
    capacity: int | None = None,
    unlimited_capacity: bool = False,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Change a room's ``number`` or ``capacity``; an argument left as None keeps its value,
    and at least one change must be given. ``unlimited_capacity=True`` removes the limit
    (InvalidInput together with ``capacity``). A number another room of the hotel has is
    AlreadyRegistered; a capacity smaller than the party of the booking the room holds (in
    house or pre-assigned) or awaits is CapacityExceeded. To take a room out of sale, use
    ``set_out_of_order`` or ``start_maintenance``."""
    return execute(
        uow,
        UpdateRoom(
            room_id=room_id,
            number=number,
            capacity=capacity,
            unlimited_capacity=unlimited_capacity,
            request_id=request_id,
        ),
    )


def register_staff(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    staff_id: str,
    name: str,
    role: StaffRole,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register an active staff member of a hotel with a role."""
    return execute(
        uow,
        RegisterStaff(
            hotel_id=hotel_id, staff_id=staff_id, name=name, role=role, request_id=request_id
        ),
    )


def deactivate_hotel(
    uow: UnitOfWork, *, hotel_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Deactivate a hotel: from now on every operation of its staff is refused
    (PermissionDenied); its reference data can still be read and maintained, and
    ``update_hotel`` still works. Deactivating twice is harmless."""
    return execute(uow, DeactivateHotel(hotel_id=hotel_id, request_id=request_id))


def reactivate_hotel(
    uow: UnitOfWork, *, hotel_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Reactivate a deactivated hotel: its staff may act again. Reactivating an active
    hotel is harmless."""
    return execute(uow, ReactivateHotel(hotel_id=hotel_id, request_id=request_id))


def deactivate_staff(
    uow: UnitOfWork, *, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Deactivate a staff member: from now on they may do nothing. Deactivating twice is
    harmless."""
    return execute(uow, DeactivateStaff(staff_id=staff_id, request_id=request_id))


def reactivate_staff(
    uow: UnitOfWork, *, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Reactivate a deactivated staff member: their role's grants apply again.
    Reactivating an active member is harmless."""
    return execute(uow, ReactivateStaff(staff_id=staff_id, request_id=request_id))


def update_staff(
    uow: UnitOfWork,
    *,
    staff_id: str,
    name: str | None = None,
    role: StaffRole | None = None,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Change a staff member's ``name`` or ``role``; an argument left as None keeps its
    value, and at least one must be given. The new role's grants apply from the next
    operation on."""
    return execute(uow, UpdateStaff(staff_id=staff_id, name=name, role=role, request_id=request_id))


def register_booking(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    booking_id: str,
    reference: str,
    arrival: date,
    departure: date,
    party: Sequence[BookingGuest],
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register an arriving booking: its human ``reference``, its dates (``departure`` on or
    after ``arrival``; equal for day use) and its party, the first being the primary."""
    return execute(
        uow,
        RegisterBooking(
            hotel_id=hotel_id,
            booking_id=booking_id,
            reference=reference,
            arrival=arrival,
            departure=departure,
            party=party,
            request_id=request_id,
        ),
    )


def register_device_token(
    uow: UnitOfWork, *, guest_id: str, token: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Attach a device token (for push messages) to an in-house guest's stay. It is cleared
    at checkout, so a departed guest's phone never hears about the next guest."""
    return execute(uow, RegisterDeviceToken(guest_id=guest_id, token=token, request_id=request_id))
