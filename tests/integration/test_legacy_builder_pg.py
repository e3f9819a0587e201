"""The legacy test-data tools on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from hotel_occupancy.testing.legacy import (
    LEGACY_TABLES,
    SQLITE_ONLY_DEFECTS,
    LegacyDatabase,
    create_legacy_schema,
    generate_legacy_database,
)


@pytest.fixture
def legacy_pg(postgres_engine: Engine) -> Iterator[Engine]:
    """The session's PostgreSQL database with the legacy tables, dropped afterwards."""
    create_legacy_schema(postgres_engine)
    try:
        yield postgres_engine
    finally:
        with postgres_engine.begin() as conn:
            for table in reversed(LEGACY_TABLES):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")


def test_the_legacy_schema_on_postgresql_uses_the_usual_type_names(legacy_pg: Engine) -> None:
    """DATETIME columns are TIMESTAMP, booleans default to true/false, FKs and UNIQUE stay."""
    inspector = sa.inspect(legacy_pg)
    rooms = {c["name"]: c for c in inspector.get_columns("rooms_room")}
    staff = {c["name"]: c for c in inspector.get_columns("staff_staff")}
    assert set(LEGACY_TABLES) <= set(inspector.get_table_names())
    assert isinstance(rooms["last_cleaned_at"]["type"], sa.TIMESTAMP)
    assert str(rooms["is_occupied"]["default"]).lower() == "false"
    assert str(staff["is_active"]["default"]).lower() == "true"
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("guests_guest")} == {
        "hotel_hotel",
        "rooms_room",
        "hotel_roombooking",
        "hotel_bookingguest",
        "guests_guest",
    }
    assert [u["column_names"] for u in inspector.get_unique_constraints("guests_guest")] == [
        ["id_pin"]
    ]


def test_in_house_booking_on_postgresql_writes_a_check_in(legacy_pg: Engine) -> None:
    """The builder's check-in on PostgreSQL: booleans, timestamps, guests in the room."""
    db = LegacyDatabase(legacy_pg)
    hotel = db.hotel()
    room = db.room(hotel, "101")
    checked_in = datetime(2026, 1, 10, 15, 30)
    booking = db.in_house_booking(hotel, room, guests=2, checked_in_at=checked_in, token="t")
    assert db.execute(
        "SELECT assigned_room_id, checked_in_at FROM hotel_roombooking WHERE id = :b", b=booking
    ) == [(room, checked_in)]
    assert db.execute("SELECT is_occupied, room_status, guest_fcm_token FROM rooms_room") == [
        (True, "OCCUPIED", "t")
    ]
    assert db.execute("SELECT COUNT(*) FROM guests_guest WHERE room_id = :r", r=room) == [(2,)]


def test_a_generated_database_on_postgresql_keeps_its_foreign_keys(legacy_pg: Engine) -> None:
    """Generation writes parents first (PostgreSQL checks every foreign key) and plants
    every kind PostgreSQL can hold."""
    result = generate_legacy_database(
        legacy_pg, hotels=2, rooms_per_hotel=12, years=1, bookings_per_hotel=300, seed=3
    )
    with legacy_pg.connect() as conn:
        bookings = conn.execute(sa.text("SELECT COUNT(*) FROM hotel_roombooking")).scalar_one()
    assert result.rows["hotel_roombooking"] == bookings >= 600
    assert {k for k, n in result.planted.items() if n == 0} == SQLITE_ONLY_DEFECTS
