"""A departed guest's device token leaves no copy in the SQLite files (issue 10, point 6):
freed space is zeroed and the write-ahead log is emptied after a token is cleared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from tests.support import FakeClock

TOKEN = "apns-TOKEN-that-must-not-linger-7f3e9a"


def _files(path: Path) -> bytes:
    """Everything SQLite keeps on disk for the database: the file and its -wal."""
    found = b""
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            found += name.read_bytes()
    return found


@pytest.mark.parametrize("ending", ["checkout", "undone check-in"])
def test_a_cleared_device_token_is_in_neither_the_database_nor_its_log(
    tmp_path: Path, ending: str
) -> None:
    """While the guest is in house the token is on disk; once cleared, nowhere."""
    path = tmp_path / "hotel.db"
    engine = create_engine(f"sqlite:///{path}")
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="m", name="M", role=ho.StaffRole.MANAGER)
    services.register_booking(
        uow,
        hotel_id="H",
        booking_id="B",
        reference="REF",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("g", "Ada", "Lee")],
    )
    services.assign_room(uow, booking_id="B", room_id="R", staff_id="m")
    (guest,) = services.current_guests(uow, "R")
    services.register_device_token(uow, guest_id=guest.guest_id, token=TOKEN)
    assert TOKEN.encode() in _files(path)  # the control: the search does find it
    if ending == "checkout":
        services.checkout_room(uow, room_id="R", staff_id="m")
    else:
        services.unassign_room(uow, booking_id="B", staff_id="m")
    assert TOKEN.encode() not in _files(path)
    assert services.current_guests(uow, "R") == ()
    engine.dispose()
