"""The small hotel the concurrency, fault and PostgreSQL tests build: rooms, one staff
member, single-guest bookings arriving 10 March 2026."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.services.ports import UnitOfWork

HOTEL = "H"


def build_hotel(
    uow: UnitOfWork,
    rooms: Sequence[str],
    bookings: Sequence[str],
    *,
    staff: tuple[str, ho.StaffRole] = ("fd", ho.StaffRole.FRONT_DESK),
) -> None:
    """Hotel ``H`` with the rooms (numbered 1, 2... in order, no capacity limit), one staff
    member (``fd`` at the front desk by default) and one arriving booking per id, whose
    guest is ``<id>-g0``."""
    services.register_hotel(uow, hotel_id=HOTEL, name="Test Hotel")
    staff_id, role = staff
    services.register_staff(uow, hotel_id=HOTEL, staff_id=staff_id, name=staff_id, role=role)
    for number, room_id in enumerate(rooms, start=1):
        services.register_room(uow, hotel_id=HOTEL, room_id=room_id, number=str(number))
    for booking_id in bookings:
        services.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=booking_id,
            reference=f"REF-{booking_id}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{booking_id}-g0", "Ada", booking_id)],
        )


def occupied_and_arriving(uow: UnitOfWork) -> None:
    """Hotel ``H``: room ``R1`` occupied by booking ``B1``, room ``R2`` vacant and clean
    with booking ``B2`` arriving, and a front desk member ``fd``."""
    build_hotel(uow, ["R1", "R2"], ["B1", "B2"])
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="fd")
