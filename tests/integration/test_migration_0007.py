"""Migration 0007 (the housekeeping day) brings a database of revision 0006 with a hotel in
it forward: every row is kept, existing rows get the new columns' defaults (stayovers
cleaned every day, credits 2 and 1, no service status, no discrepancy, no window), the
schema and triggers are those create_schema makes, the new CHECKs guard it, and it goes
back down again while the database holds nothing revision 0006 cannot store."""

from __future__ import annotations

from collections.abc import Iterator
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
from tests.integration.test_migrations import describe_schema
from tests.support import FakeClock

AT = "2026-03-10 15:00:00"
NEW_COLUMNS = {
    "ho_hotels": {"stayover_every", "checkout_credits", "stayover_credits"},
    "ho_occupancies": {
        "service_status",
        "discrepancy",
        "discrepancy_by",
        "discrepancy_at",
        "observed_guests",
        "out_of_service_until",
        "return_condition",
    },
}
NEW_INDEXES = {
    "ho_occupancies": "ix_ho_occupancies_open_discrepancies",
    "ho_log": "ix_ho_log_hotel_id_operation_timestamp",
}


@pytest.fixture
def fresh(empty: Engine, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of the same kind as ``empty`` made by create_schema."""
    if empty.dialect.name == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    else:
        engine = fresh_database(request.getfixturevalue("postgres_url"), "ho_fresh_0007")
    ho_create_schema(engine)
    yield engine
    engine.dispose()


def _build_hotel(uow: SqlAlchemyUnitOfWork) -> None:
    """Hotel H: B1 in house in R1 (two guests, due out) with B5 arriving into it, B2
    pre-assigned to R2 and queued at the desk, B3 checked out of R3 (a cleaning task
    open), R4 out of order, R5 in maintenance, R6 vacant and clean, B4 arriving."""
    services.register_hotel(uow, hotel_id="H", name="Old", require_inspection=False)
    for n in range(1, 7):
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=str(n), capacity=3)
    services.register_staff(uow, hotel_id="H", staff_id="m", name="Mo", role=ho.StaffRole.MANAGER)
    for n in range(1, 6):
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=f"B{n}",
            reference=f"OLD-{n}",
            arrival=date(2026, 3, 9 if n == 1 else 10),
            departure=date(2026, 3, 10 if n == 1 else 12),
            party=[
                ho.BookingGuest(f"g{n}a", "Ada", "Old"),
                ho.BookingGuest(f"g{n}b", "Bo", "Ek"),
            ],
        )
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="m")
    services.assign_room(uow, booking_id="B5", room_id="R1", staff_id="m", check_in=False)
    services.assign_room(uow, booking_id="B2", room_id="R2", staff_id="m", check_in=False)
    services.queue_arrival(uow, booking_id="B2", staff_id="m")
    services.assign_room(uow, booking_id="B3", room_id="R3", staff_id="m")
    services.checkout_room(uow, room_id="R3", staff_id="m")
    services.set_out_of_order(uow, room_id="R4", staff_id="m", reason="leak")
    services.start_maintenance(uow, room_id="R5", staff_id="m", reason="paint")


def _hotel_at_0006(engine: Engine) -> StoreSnapshot:
    """The hotel of :func:`_build_hotel` at revision 0006, and what the store held (built
    at head and copied over: the services run on the newest schema only)."""
    snapshot = built_at(engine, "0006", _build_hotel, clock=FakeClock())
    statuses = {o.room_id: o.status for o in snapshot.occupancies}
    assert statuses == {
        "R1": ho.OccupancyStatus.OCCUPIED,
        "R2": ho.OccupancyStatus.VACANT_CLEAN,
        "R3": ho.OccupancyStatus.VACANT_DIRTY,
        "R4": ho.OccupancyStatus.OUT_OF_ORDER,
        "R5": ho.OccupancyStatus.MAINTENANCE,
        "R6": ho.OccupancyStatus.VACANT_CLEAN,
    }
    assert len(snapshot.guests) == 4
    assert snapshot.tasks
    assert len(snapshot.log) >= 6
    return snapshot


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _indexes(engine: Engine, table: str) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes(table)}


def _triggers(engine: Engine) -> list[str]:
    """Every trigger of the library's tables (and, on PostgreSQL, every trigger function)
    as the database holds it."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            return [str(sql) for sql in conn.execute(text(query)).scalars()]
        triggers = conn.execute(
            text(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY tgname"
            )
        ).scalars()
        functions = conn.execute(
            text(
                "SELECT pg_get_functiondef(p.oid) FROM pg_proc AS p "
                "JOIN pg_namespace AS n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND p.prorettype = 'trigger'::regtype "
                "ORDER BY p.proname"
            )
        ).scalars()
        return [*map(str, triggers), *map(str, functions)]


def _count(engine: Engine, query: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def test_upgrading_from_0006_keeps_every_row_and_gives_existing_rows_the_defaults(
    empty: Engine,
) -> None:
    """At head the hotel of revision 0006 is all there, row for row, log ids included: the
    hotel cleans stayovers every day for credits 2 and 1, no room has a service status, a
    discrepancy or a window, no night audit is recorded, and the board still says who
    waits at the desk."""
    engine = empty
    before = _hotel_at_0006(engine)
    for table, columns in NEW_COLUMNS.items():
        assert not columns & _columns(engine, table)
    assert "ho_night_audits" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    for table, columns in NEW_COLUMNS.items():
        assert columns <= _columns(engine, table)
    for table, index in NEW_INDEXES.items():
        assert index in _indexes(engine, table)
    uow = SqlAlchemyUnitOfWork(engine)
    assert uow.snapshot() == before
    with engine.connect() as conn:
        settings = conn.execute(
            text("SELECT stayover_every, checkout_credits, stayover_credits FROM ho_hotels")
        ).all()
        assert settings == [(1, 2, 1)]
        records = conn.execute(
            text(
                "SELECT service_status, discrepancy, discrepancy_by, discrepancy_at, "
                "observed_guests, out_of_service_until, return_condition FROM ho_occupancies"
            )
        ).all()
    assert records == [("NONE", None, None, None, None, None, None)] * 6
    assert _count(engine, "SELECT count(*) FROM ho_night_audits") == 0
    with uow.reading():
        hotel = uow.hotels.get("H")
        board = {row.room_id: row for row in uow.occupancies.board("H")}
    assert hotel is not None
    assert (hotel.stayover_every, hotel.checkout_credits, hotel.stayover_credits) == (1, 2, 1)
    assert {room for room, row in board.items() if row.queued} == {"R2"}
    assert board["R1"].arriving_booking_id == "B5"
    assert all(row.service_status is ho.ServiceStatus.NONE for row in board.values())
    assert all(row.discrepancy is None for row in board.values())


def test_an_upgraded_database_has_the_schema_and_triggers_of_create_schema(
    empty: Engine, fresh: Engine
) -> None:
    """With a hotel in it, the upgraded database has exactly the tables, columns, keys,
    checks and indexes create_schema makes, and the same triggers (and PostgreSQL trigger
    functions): SQLite's table copies dropped the guards of revision 0006, which the
    migration made again as they were."""
    engine = empty
    _hotel_at_0006(engine)
    migrate.upgrade(engine)
    assert describe_schema(engine) == describe_schema(fresh)
    triggers = _triggers(engine)
    assert triggers == _triggers(fresh)
    # SQLite: one-writer, 2 x 2 occupancy guards, the bookings' guard; PostgreSQL: those
    # (one per guard) and the feed's two, each trigger with its function
    assert len(triggers) == (6 if engine.dialect.name == "sqlite" else 12)


UPGRADED_REFUSALS = {
    "a service status on a vacant room": (
        "UPDATE ho_occupancies SET service_status = 'DND' WHERE room_id = 'R6'"
    ),
    "a skip discrepancy on a vacant room": (
        "UPDATE ho_occupancies SET discrepancy = 'SKIP', discrepancy_by = 'm', "
        f"discrepancy_at = '{AT}' WHERE room_id = 'R6'"
    ),
    "a discrepancy reported by nobody": (
        f"UPDATE ho_occupancies SET discrepancy = 'SKIP', discrepancy_at = '{AT}' "
        "WHERE room_id = 'R1'"
    ),
    "a window on an occupied room": (
        "UPDATE ho_occupancies SET out_of_service_until = '2026-03-12', "
        "return_condition = 'DIRTY' WHERE room_id = 'R1'"
    ),
    "a window without its return condition": (
        "UPDATE ho_occupancies SET out_of_service_until = '2026-03-12' WHERE room_id = 'R4'"
    ),
    "a hotel cleaning stayovers every 400 nights": ("UPDATE ho_hotels SET stayover_every = 400"),
    "a second night audit of a day": (
        "INSERT INTO ho_night_audits (hotel_id, business_date, performed_by, performed_at, "
        f"rooms_changed) VALUES ('H', '2026-03-10', 'm', '{AT}', 0); "
        "INSERT INTO ho_night_audits (hotel_id, business_date, performed_by, performed_at, "
        f"rooms_changed) VALUES ('H', '2026-03-10', 'm', '{AT}', 1)"
    ),
}


@pytest.mark.parametrize(
    "statements", list(UPGRADED_REFUSALS.values()), ids=list(UPGRADED_REFUSALS)
)
def test_after_the_upgrade_the_database_refuses_what_breaks_a_housekeeping_rule(
    empty: Engine, statements: str
) -> None:
    """The new CHECKs and key guard the upgraded database: raw SQL that breaks one of them
    is refused, and nothing of it is kept."""
    engine = empty
    _hotel_at_0006(engine)
    migrate.upgrade(engine)
    *setup, refused = statements.split("; ")
    with engine.begin() as conn:  # what the rule needs around it, itself accepted
        for statement in setup:
            conn.execute(text(statement))
    rows = stored_rows(engine)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(refused))
    assert stored_rows(engine) == rows


def test_downgrading_0007_to_0006_keeps_every_row_and_the_guards(empty: Engine) -> None:
    """Back to 0006: the new columns, indexes and table go, every row stays as 0006 stored
    it, the triggers are 0006's; upgrading again works and keeps the hotel."""
    engine = empty
    before = _hotel_at_0006(engine)
    rows = stored_rows(engine)
    old_triggers = _triggers(engine)
    assert old_triggers
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0006")
    assert migrate.current(engine) == "0006"
    for table, columns in NEW_COLUMNS.items():
        assert not columns & _columns(engine, table)
    for table, index in NEW_INDEXES.items():
        assert index not in _indexes(engine, table)
    assert "ho_night_audits" not in inspect(engine).get_table_names()
    assert stored_rows(engine) == rows
    assert _triggers(engine) == old_triggers
    migrate.upgrade(engine)
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before


def _entry(operation: str) -> str:
    """INSERT a log entry of hotel H on R1 (occupied, unchanged) of ``operation``."""
    return (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, status_before, "
        "status_after, condition_before, condition_after, notes, metadata, timestamp) VALUES "
        f"('H', 'R1', '{operation}', 'm', 'OCCUPIED', 'OCCUPIED', 'CLEAN', 'CLEAN', '', "
        f"'{{}}', '{AT}')"
    )


UNSTORABLE = {
    "a service status": "UPDATE ho_occupancies SET service_status = 'DND' WHERE room_id = 'R1'",
    "a discrepancy": (
        "UPDATE ho_occupancies SET discrepancy = 'SLEEP', discrepancy_by = 'm', "
        f"discrepancy_at = '{AT}', observed_guests = 1 WHERE room_id = 'R6'"
    ),
    "an out-of-service window": (
        "UPDATE ho_occupancies SET out_of_service_until = '2026-03-12', "
        "return_condition = 'CLEAN' WHERE room_id = 'R5'"
    ),
    "a NIGHT_AUDIT entry": _entry("NIGHT_AUDIT"),
    "a SERVICE_STATUS entry": _entry("SERVICE_STATUS"),
    "a DISCREPANCY entry": _entry("DISCREPANCY"),
    "a night audit": (
        "INSERT INTO ho_night_audits (hotel_id, business_date, performed_by, performed_at, "
        f"rooms_changed) VALUES ('H', '2026-03-10', 'm', '{AT}', 0)"
    ),
}


@pytest.mark.parametrize("statement", list(UNSTORABLE.values()), ids=list(UNSTORABLE))
def test_downgrading_a_database_holding_what_0006_cannot_store_is_refused(
    empty: Engine, statement: str
) -> None:
    """Revision 0006 has no room for a service status, a discrepancy, a window, the new
    operations' log entries or a night audit: the downgrade refuses and changes nothing."""
    engine = empty
    _hotel_at_0006(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(statement))
    rows = stored_rows(engine)
    triggers = _triggers(engine)
    with pytest.raises(ho.StorageError, match="cannot downgrade to revision 0006"):
        migrate.downgrade(engine, "0006")
    assert migrate.current(engine) == migrate.head()
    assert stored_rows(engine) == rows
    assert _triggers(engine) == triggers


def test_downgrading_drops_the_hotels_housekeeping_settings(empty: Engine) -> None:
    """What 0006 has no notion of but misstates nothing when gone (how often stayovers are
    cleaned, what cleanings count for) does not hold the downgrade back; upgrading again
    gives the defaults."""
    engine = empty
    _hotel_at_0006(engine)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE ho_hotels SET stayover_every = 0, checkout_credits = 5, "
                "stayover_credits = 3"
            )
        )
    migrate.downgrade(engine, "0006")
    assert migrate.current(engine) == "0006"
    migrate.upgrade(engine)
    with engine.connect() as conn:
        settings = conn.execute(
            text("SELECT stayover_every, checkout_credits, stayover_credits FROM ho_hotels")
        ).all()
    assert settings == [(1, 2, 1)]
