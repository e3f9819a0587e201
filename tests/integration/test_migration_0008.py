"""Revision 0008 (deactivated hotels) from revision 0007 with a hotel in it: every hotel
stays active, the schema is create_schema's, and downgrading refuses while a hotel is
deactivated; a database made by create_schema goes down to 0007 and back. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.adapters.sqlalchemy import create_schema as ho_create_schema
from hotel_occupancy.domain.errors import StorageError
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from tests.integration.revisions import built_at, stored_rows
from tests.integration.sessions import fresh_database
from tests.integration.test_migration_0007 import _triggers
from tests.integration.test_migrations import describe_schema
from tests.support import FakeClock


def _build(uow: SqlAlchemyUnitOfWork) -> None:
    """Two hotels, a room each, a manager each, and one guest in house in H."""
    for hotel in ("H", "K"):
        services.register_hotel(uow, hotel_id=hotel, name=f"Hotel {hotel}")
        services.register_room(uow, hotel_id=hotel, room_id=f"{hotel}1", number="1")
        services.register_staff(
            uow, hotel_id=hotel, staff_id=f"{hotel}-m", name="Mo", role=ho.StaffRole.MANAGER
        )
    services.register_booking(
        uow,
        hotel_id="H",
        booking_id="B1",
        reference="OLD-1",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("g1", "Ada", "Old")],
    )
    services.assign_room(uow, booking_id="B1", room_id="H1", staff_id="H-m")


def _at_0007(engine: Engine) -> StoreSnapshot:
    snapshot = built_at(engine, "0007", _build, clock=FakeClock())
    assert "active" not in {c["name"] for c in inspect(engine).get_columns("ho_hotels")}
    return snapshot


def test_upgrading_from_0007_keeps_every_row_and_every_hotel_active(empty: Engine) -> None:
    """At head the store is the one of revision 0007, each hotel active, and its staff can
    act; a hotel can then be deactivated, and its staff are refused."""
    before = _at_0007(empty)
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    uow = SqlAlchemyUnitOfWork(empty, clock=FakeClock())
    after = uow.snapshot()
    assert after == before
    assert all(hotel.active for hotel in after.hotels)
    services.deactivate_hotel(uow, hotel_id="K")
    with pytest.raises(ho.PermissionDenied):
        services.mark_dirty(uow, room_id="K1", staff_id="K-m")
    assert services.checkout_room(uow, room_id="H1", staff_id="H-m")
    assert check_invariants(uow.snapshot()) == []


def test_an_upgraded_database_has_the_schema_of_create_schema(
    empty: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """With hotels in it, the upgraded database has exactly the tables, columns, defaults,
    keys, checks and indexes create_schema makes."""
    _at_0007(empty)
    migrate.upgrade(empty)
    if empty.dialect.name == "sqlite":
        fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    else:
        fresh = fresh_database(request.getfixturevalue("postgres_url"), "ho_fresh_0008")
    try:
        ho_create_schema(fresh)
        assert describe_schema(empty) == describe_schema(fresh)
    finally:
        fresh.dispose()


def test_after_the_upgrade_the_database_refuses_a_flag_that_is_neither(empty: Engine) -> None:
    """SQLite keeps ``active`` 0 or 1 (its CHECK); PostgreSQL's boolean type does it."""
    _at_0007(empty)
    migrate.upgrade(empty)
    refused = pytest.raises(DBAPIError, match=r"CHECK constraint failed|is of type boolean")
    with refused, empty.begin() as conn:
        conn.execute(text("UPDATE ho_hotels SET active = 2 WHERE hotel_id = 'H'"))
    with empty.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ho_hotels WHERE active")).scalar() == 2


def test_downgrading_to_0007_keeps_every_row_and_refuses_while_a_hotel_is_deactivated(
    empty: Engine,
) -> None:
    """With a hotel deactivated the downgrade is refused and changes nothing; reactivated,
    it drops the column and keeps every row as 0007 stored it."""
    _at_0007(empty)
    rows = stored_rows(empty)
    migrate.upgrade(empty)
    uow = SqlAlchemyUnitOfWork(empty, clock=FakeClock())
    services.deactivate_hotel(uow, hotel_id="K")
    with pytest.raises(StorageError, match="1 hotel"):
        migrate.downgrade(empty, "0007")
    assert migrate.current(empty) == migrate.head()
    services.reactivate_hotel(uow, hotel_id="K")
    migrate.downgrade(empty, "0007")
    assert migrate.current(empty) == "0007"
    assert stored_rows(empty) == rows


def test_a_database_made_by_create_schema_with_hotels_in_it_downgrades_to_0007_and_back(
    empty: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A database made by create_schema (SQLite: the CHECK on ``active`` at table level)
    goes down to 0007's schema keeping every row and trigger, and back up to head."""
    ho_create_schema(empty)
    uow = SqlAlchemyUnitOfWork(empty, clock=FakeClock())
    _build(uow)
    before = uow.snapshot()
    uow.close()
    rows = stored_rows(empty)
    triggers = _triggers(empty)
    columns = [c["name"] for c in inspect(empty).get_columns("ho_hotels")]
    assert columns[-1] == "active"

    migrate.downgrade(empty, "0007")

    assert migrate.current(empty) == "0007"
    if empty.dialect.name == "sqlite":
        reference = create_engine(f"sqlite:///{tmp_path / 'at_0007.db'}")
    else:
        reference = fresh_database(request.getfixturevalue("postgres_url"), "ho_at_0007")
    try:
        migrate.upgrade(reference, "0007")
        assert describe_schema(empty) == describe_schema(reference)
    finally:
        reference.dispose()
    assert _triggers(empty) == triggers
    downgraded = stored_rows(empty)
    assert downgraded.pop("ho_hotels") == [row[:-1] for row in rows.pop("ho_hotels")]
    assert downgraded == rows

    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    after = SqlAlchemyUnitOfWork(empty, clock=FakeClock())
    assert after.snapshot() == before
    assert _triggers(empty) == triggers
    services.deactivate_hotel(after, hotel_id="K")
    with pytest.raises(ho.PermissionDenied):
        services.mark_dirty(after, room_id="K1", staff_id="K-m")
