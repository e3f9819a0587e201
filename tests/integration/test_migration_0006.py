"""Migration 0006 (the front desk) brings a database of revision 0005 with a hotel in it
forward: every row is kept, the new columns start empty (hotels do not enforce stay dates),
the new guards work and are the ones create_schema makes, and it goes back down again while
the database holds nothing revision 0005 cannot store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.adapters.sqlalchemy import create_schema as ho_create_schema
from hotel_occupancy.domain.invariants import StoreSnapshot
from tests.integration.revisions import built_at, stored_rows
from tests.integration.sessions import fresh_database
from tests.support import FakeClock

AT = "2026-03-10 15:00:00"
NEW_COLUMNS = {
    "ho_hotels": {"enforce_stay_dates"},
    "ho_bookings": {"cancelled_at", "cancelled_by", "no_show_at", "no_show_by", "queued_at"},
    "ho_occupancies": {"arriving_booking_id"},
}
TRIGGERS = (
    "ho_log_one_writer",
    "ho_occupancies_one_room_per_booking",
    "ho_occupancies_open_bookings",
)


def _build_hotel(uow: SqlAlchemyUnitOfWork) -> None:
    services.register_hotel(uow, hotel_id="H", name="Old", require_inspection=False)
    for n in (1, 2, 3, 4):
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=str(n), capacity=3)
    services.register_staff(
        uow, hotel_id="H", staff_id="fd", name="Front", role=ho.StaffRole.FRONT_DESK
    )
    for n in (1, 2, 3, 4):
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=f"B{n}",
            reference=f"OLD-{n}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[
                ho.BookingGuest(f"g{n}a", "Ada", "Old"),
                ho.BookingGuest(f"g{n}b", "Bo", "Ek"),
            ],
        )
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="fd")
    services.assign_room(uow, booking_id="B2", room_id="R2", staff_id="fd", check_in=False)
    services.assign_room(uow, booking_id="B3", room_id="R3", staff_id="fd")
    services.checkout_room(uow, room_id="R3", staff_id="fd")


def _hotel_at_0005(engine: Engine) -> StoreSnapshot:
    """A hotel at revision 0005: B1 in house in R1 with its two guests, B2 pre-assigned to
    R2, B3 checked out of R3 (a cleaning task open), B4 arriving; their log entries; what
    the store holds (built at head and copied over: the services run on the newest schema
    only)."""
    snapshot = built_at(engine, "0005", _build_hotel, clock=FakeClock())
    assert len(snapshot.guests) == 4
    assert len(snapshot.log) >= 4
    assert snapshot.tasks
    return snapshot


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _guard_ddl(engine: Engine) -> list[str]:
    """The triggers (and PostgreSQL trigger functions) of migration 0006's guards as the
    database holds them."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = (
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                + " OR ".join(f"name LIKE '{name}%'" for name in TRIGGERS)
                + " ORDER BY name"
            )
            return [str(sql) for sql in conn.execute(text(query)).scalars()]
        names = {"names": list(TRIGGERS)}
        triggers = conn.execute(
            text(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgname = ANY(:names) ORDER BY tgname"
            ),
            names,
        ).scalars()
        functions = conn.execute(
            text(
                "SELECT pg_get_functiondef(oid) FROM pg_proc "
                "WHERE proname = ANY(:names) ORDER BY proname"
            ),
            names,
        ).scalars()
        return [*map(str, triggers), *map(str, functions)]


def test_upgrading_from_0005_keeps_every_row_and_the_new_columns_start_empty(
    empty: Engine,
) -> None:
    """At head the hotel of revision 0005 is all there, row for row, log ids included: its
    bookings neither cancelled, no-shows nor queued, no room with an arriving booking, the
    hotel not enforcing stay dates, every member of a party in its place."""
    engine = empty
    before = _hotel_at_0005(engine)
    for table, columns in NEW_COLUMNS.items():
        assert not columns & _columns(engine, table)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    for table, columns in NEW_COLUMNS.items():
        assert columns <= _columns(engine, table)
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT enforce_stay_dates FROM ho_hotels")).all() == [(False,)]
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM ho_bookings WHERE cancelled_at IS NOT NULL OR "
                    "cancelled_by IS NOT NULL OR no_show_at IS NOT NULL OR no_show_by IS NOT NULL "
                    "OR queued_at IS NOT NULL"
                )
            ).scalar_one()
            == 0
        )
        assert (
            conn.execute(
                text("SELECT count(*) FROM ho_occupancies WHERE arriving_booking_id IS NOT NULL")
            ).scalar_one()
            == 0
        )
        positions = conn.execute(
            text("SELECT booking_id, position FROM ho_booking_guests ORDER BY booking_id, position")
        ).all()
    assert positions == [(f"B{n}", p) for n in (1, 2, 3, 4) for p in (0, 1)]


UPGRADED_REFUSALS = {
    "a booking in house in one room and arriving into another": (
        "UPDATE ho_occupancies SET booking_id = 'B4', status = 'OCCUPIED', "
        "condition = 'CLEAN', occupied_since = '2026-03-10' WHERE room_id = 'R4'; "
        "UPDATE ho_occupancies SET arriving_booking_id = 'B4' WHERE room_id = 'R1'"
    ),
    "an arriving booking on a vacant room": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'B4' WHERE room_id = 'R2'"
    ),
    "a cancelled booking put on a room": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'fd' "
        "WHERE booking_id = 'B4'; "
        "UPDATE ho_occupancies SET booking_id = 'B4' WHERE room_id = 'R4'"
    ),
    "a checked-in booking marked as a no-show": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'fd' WHERE booking_id = 'B1'"
    ),
    "a checked-in booking queued at the desk": (
        f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'B1'"
    ),
    "a STAY_CHANGE entry naming neither a room nor a booking": (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, notes, metadata, "
        f"timestamp) VALUES ('H', NULL, 'STAY_CHANGE', 'fd', '', '{{}}', '{AT}')"
    ),
}


@pytest.mark.parametrize(
    "statements", list(UPGRADED_REFUSALS.values()), ids=list(UPGRADED_REFUSALS)
)
def test_after_the_upgrade_the_database_refuses_what_breaks_a_front_desk_rule(
    empty: Engine, statements: str
) -> None:
    """The new CHECKs and triggers guard the upgraded database: raw SQL that breaks one of
    them is refused, and nothing of it is kept."""
    engine = empty
    _hotel_at_0005(engine)
    migrate.upgrade(engine)
    *setup, refused = statements.split("; ")
    with engine.begin() as conn:  # what the rule needs around it, itself accepted
        for statement in setup:
            conn.execute(text(statement))
    rows = stored_rows(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(refused))
    assert stored_rows(engine) == rows


def test_an_upgraded_database_has_the_guards_of_create_schema_and_serves_the_front_desk(
    empty: Engine, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The triggers (and functions) of the upgraded database are those create_schema makes,
    the one-writer guard included (SQLite copied ho_log, dropping it, and made it again);
    the log takes a STAY_CHANGE entry naming a booking and no room, the services run, and
    a legacy-owned hotel is still refused."""
    engine = empty
    _hotel_at_0005(engine)
    migrate.upgrade(engine)
    if engine.dialect.name == "sqlite":
        fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    else:
        fresh = fresh_database(request.getfixturevalue("postgres_url"), "ho_fresh_0006")
    ho_create_schema(fresh)
    try:
        ddl = _guard_ddl(engine)
        assert ddl == _guard_ddl(fresh)
        assert len(ddl) == (5 if engine.dialect.name == "sqlite" else 6)
    finally:
        fresh.dispose()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id, "
                "notes, metadata, timestamp) VALUES "
                f"('H', NULL, 'STAY_CHANGE', 'fd', 'B4', '', '{{}}', '{AT}')"
            )
        )
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.checkout_room(uow, room_id="R1", staff_id="fd")
    assert services.get_occupancy(uow, "R1").status is ho.OccupancyStatus.VACANT_DIRTY
    before = uow.snapshot()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ho_legacy_hotels (hotel_id, legacy_hotel_id, prefix, owner, "
                f"imported_at) VALUES ('H', 1, '', 'LEGACY', '{AT}')"
            )
        )
    with pytest.raises(ho.PermissionDenied, match="legacy cutover"):
        services.mark_dirty(uow, room_id="R4", staff_id="fd")
    assert uow.snapshot() == before


def test_downgrading_0006_to_0005_keeps_every_row_and_the_old_guards(empty: Engine) -> None:
    """Back to 0005: the new columns and guards go, every row stays as 0005 stored it, the
    one-writer guard is 0005's again; upgrading again works."""
    engine = empty
    before = _hotel_at_0005(engine)
    rows = stored_rows(engine)
    old_guards = _guard_ddl(engine)
    assert len(old_guards) == (1 if engine.dialect.name == "sqlite" else 2)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0005")
    assert migrate.current(engine) == "0005"
    for table, columns in NEW_COLUMNS.items():
        assert not columns & _columns(engine, table)
    assert stored_rows(engine) == rows
    assert _guard_ddl(engine) == old_guards
    migrate.upgrade(engine)
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before


UNSTORABLE = {
    "a STAY_CHANGE entry": (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id, notes, "
        f"metadata, timestamp) VALUES ('H', NULL, 'STAY_CHANGE', 'fd', 'B4', '', '{{}}', '{AT}')"
    ),
    "a member taken out of a party": (
        "UPDATE ho_booking_guests SET position = NULL WHERE booking_guest_id = 'g4b'"
    ),
    "a cancelled booking": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'fd' WHERE booking_id = 'B4'"
    ),
    "a no-show booking": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'fd' WHERE booking_id = 'B4'"
    ),
    "an arriving booking": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'B4' WHERE room_id = 'R1'"
    ),
}


@pytest.mark.parametrize("statement", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_downgrading_a_database_holding_what_0005_cannot_store_is_refused(
    empty: Engine, statement: str
) -> None:
    """Revision 0005 has no room for a booking's change logged without a room, a party's
    former member, a cancellation, a no-show or an arriving booking: the downgrade refuses
    and changes nothing."""
    engine = empty
    _hotel_at_0005(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(statement))
    rows = stored_rows(engine)
    with pytest.raises(ho.StorageError, match="cannot downgrade to revision 0005"):
        migrate.downgrade(engine, "0005")
    assert migrate.current(engine) == migrate.head()
    assert stored_rows(engine) == rows


def test_downgrading_drops_the_queue_and_the_stay_dates_setting(empty: Engine) -> None:
    """What 0005 has no notion of but misstates nothing when gone (a hotel enforcing stay
    dates, a guest waiting at the desk) does not hold the downgrade back."""
    engine = empty
    _hotel_at_0005(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE ho_hotels SET enforce_stay_dates = true"))
        conn.execute(text(f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'B2'"))
    migrate.downgrade(engine, "0005")
    assert migrate.current(engine) == "0005"
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT enforce_stay_dates FROM ho_hotels")).all() == [(False,)]
        assert (
            conn.execute(
                text("SELECT count(*) FROM ho_bookings WHERE queued_at IS NOT NULL")
            ).scalar_one()
            == 0
        )


def test_a_sqlite_migration_gives_its_connection_back_with_foreign_keys_enforced(
    tmp_path: Path,
) -> None:
    """SQLite migrates with foreign key enforcement off (its table copies need it); the
    connection it used goes back to the pool enforcing them again."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.db'}")
    try:
        migrate.upgrade(engine, "0005")
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            with pytest.raises(IntegrityError):
                conn.execute(
                    text("INSERT INTO ho_rooms (room_id, hotel_id, number) VALUES ('R', 'X', '1')")
                )
    finally:
        engine.dispose()
