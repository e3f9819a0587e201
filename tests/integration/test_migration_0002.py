"""Migration 0002 (guest credentials) brings a database of revision 0001 with a hotel in it
forward without losing anything, and back down again (issue 10, point 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine, func, insert, inspect, select

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, migrate
from hotel_occupancy.adapters.sqlalchemy import schema as s
from tests.support import FakeClock

AT = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _hotel_at_0001(engine: Engine) -> None:
    """A hotel with a room, a staff member and an in-house guest, written as revision 0001
    stores them (the code of this version cannot run its services on that schema)."""
    migrate.upgrade(engine, "0001")
    rows = {
        s.hotels: {
            "hotel_id": "H",
            "name": "Old",
            "require_inspection": False,
            "timezone": "UTC",
            "checkout_time": time(11),
        },
        s.rooms: {"room_id": "R1", "hotel_id": "H", "number": "1", "capacity": None},
        s.staff: {
            "staff_id": "m",
            "hotel_id": "H",
            "name": "M",
            "role": "MANAGER",
            "active": True,
        },
        s.bookings: {
            "booking_id": "B1",
            "hotel_id": "H",
            "reference": "OLD-1",
            "arrival": date(2026, 3, 10),
            "departure": date(2026, 3, 12),
        },
        s.booking_guests: {
            "booking_guest_id": "g1",
            "booking_id": "B1",
            "position": 0,
            "first_name": "Ada",
            "last_name": "Old",
        },
    }
    with engine.begin() as conn:
        for table, row in rows.items():
            conn.execute(insert(table), [row])
        conn.execute(
            insert(s.occupancies),
            [
                {
                    "room_id": "R1",
                    "hotel_id": "H",
                    "status": "VACANT_CLEAN",
                    "condition": "CLEAN",
                    "created_at": AT,
                    "updated_at": AT,
                }
            ],
        )


def test_upgrading_from_0001_keeps_the_data_and_adds_the_credential_tables(
    empty: Engine,
) -> None:
    """The hotel of revision 0001 is all there at head, and PIN checks work on it."""
    engine = empty
    _hotel_at_0001(engine)
    assert "ho_pin_attempts" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    tables = set(inspect(engine).get_table_names())
    assert {"ho_pin_attempts", "ho_resting_pins"} <= tables
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    assert services.get_occupancy(uow, "R1").status is ho.OccupancyStatus.VACANT_CLEAN
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="m")
    (guest,) = services.current_guests(uow, "R1")
    assert guest.id_pin is not None
    found = services.verify_guest_pin(uow, hotel_id="H", room_number="1", pin=guest.id_pin)
    assert found.guest_id == guest.guest_id
    services.checkout_room(uow, room_id="R1", staff_id="m")
    with engine.connect() as conn:
        resting = conn.execute(select(func.count()).select_from(s.resting_pins)).scalar()
    assert resting == 1


def test_downgrading_0002_to_0001_keeps_the_hotel(empty: Engine) -> None:
    """Going back to 0001 drops only the credential tables."""
    engine = empty
    _hotel_at_0001(engine)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0001")
    tables = set(inspect(engine).get_table_names())
    assert "ho_pin_attempts" not in tables
    assert "ho_resting_pins" not in tables
    with engine.connect() as conn:
        assert conn.execute(select(s.bookings.c.reference)).scalars().all() == ["OLD-1"]
        assert conn.execute(select(s.rooms.c.room_id)).scalars().all() == ["R1"]
