"""Migration 0004 (event feed) brings a database of revision 0003 with a hotel in it
forward: its entries are in the feed (first, by id), services and consumers work, the
PostgreSQL triggers are those create_schema makes, and it goes back down again."""

from __future__ import annotations

from sqlalchemy import Engine, insert, inspect, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    mapping,
    migrate,
)
from hotel_occupancy.adapters.sqlalchemy import schema as s
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.model import LogEntry
from hotel_occupancy.testing.contract.feed import follow
from tests.integration.hotels import build_hotel
from tests.integration.revisions import built_at, stored_rows
from tests.integration.sessions import fresh_database
from tests.support import START, FakeClock


def _hotel_at_0003(engine: Engine) -> StoreSnapshot:
    """A hotel at revision 0003: two guests checked in, one checked out; what it holds
    (built at head and copied over: the services run on the newest schema only)."""
    snapshot = built_at(engine, "0003", _build_hotel, clock=FakeClock())
    assert len(snapshot.log) == 5
    return snapshot


def _build_hotel(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1", "R2", "R3"], ["B1", "B2"])
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="fd")
    services.assign_room(uow, booking_id="B2", room_id="R2", staff_id="fd")
    services.checkout_room(uow, room_id="R2", staff_id="fd")


def _feed_keys(engine: Engine) -> list[int | None]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT txid FROM ho_log ORDER BY id")).scalars())


def _feed_ddl(engine: Engine) -> tuple[list[str], list[str]]:
    """The definitions of the log's triggers and of their functions (PostgreSQL)."""
    with engine.connect() as conn:
        triggers = conn.execute(
            text(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgrelid = 'ho_log'::regclass AND NOT tgisinternal "
                "AND tgname LIKE 'ho\\_log\\_feed\\_%' ORDER BY tgname"
            )
        ).scalars()
        functions = conn.execute(
            text(
                "SELECT pg_get_functiondef(oid) FROM pg_proc "
                "WHERE proname LIKE 'ho\\_log\\_feed\\_%' ORDER BY proname"
            )
        ).scalars()
        return list(triggers), list(functions)


def test_upgrading_from_0003_keeps_every_row_and_the_feed_delivers_the_old_entries(
    empty: Engine,
) -> None:
    """At head every row is kept and the old entries are the feed's first, by id."""
    engine = empty
    before = _hotel_at_0003(engine)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    try:
        assert uow.snapshot() == before
        keys = _feed_keys(engine)
        assert keys == [0 if engine.dialect.name == "postgresql" else None] * len(keys)
        events, position, _ = follow(uow)
        assert [e.entry_id for e in events] == [e.id for e in before.log]
        (entry,) = services.checkout_room(uow, room_id="R1", staff_id="fd")
        assert [e.entry_id for e in follow(uow, position)[0]] == [entry.id]
        delivered: list[int] = []
        assert services.consume(uow, consumer="c", handler=delivered.extend) == 6
        (status,) = services.feed_status(uow)
        assert (status.consumer, status.lag) == ("c", 0)
        assert services.get_occupancy(uow, "R1").status is ho.OccupancyStatus.VACANT_DIRTY
    finally:
        uow.close()


def test_an_upgraded_postgresql_database_has_the_triggers_of_create_schema(
    postgres_url: str, postgres_engine: Engine
) -> None:
    """Migration 0004 makes the triggers and functions create_schema makes."""
    engine = fresh_database(postgres_url, "ho_revision_0004")
    try:
        migrate.upgrade(engine)
        ddl = _feed_ddl(engine)
        assert ddl == _feed_ddl(postgres_engine)
        triggers, functions = ddl
        assert len(triggers) == 2
        assert len(functions) == 2
    finally:
        engine.dispose()


def test_downgrading_0004_to_0003_drops_the_feed_and_keeps_the_hotel(empty: Engine) -> None:
    """Back to 0003: the feed's table, column and triggers go, every row stays."""
    engine = empty
    _hotel_at_0003(engine)
    rows = stored_rows(engine)
    migrate.upgrade(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.consume(uow, consumer="c", handler=lambda events: None)
    migrate.downgrade(engine, "0003")
    assert migrate.current(engine) == "0003"
    inspector = inspect(engine)
    assert "ho_consumers" not in inspector.get_table_names()
    assert "txid" not in {c["name"] for c in inspector.get_columns("ho_log")}
    if engine.dialect.name == "postgresql":
        assert _feed_ddl(engine) == ([], [])
    assert stored_rows(engine) == rows
    entry_id = _checkout_entry_at_0003(engine)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert [e.entry_id for e in follow(uow)[0]][-1] == entry_id
    uow.close()


def _checkout_entry_at_0003(engine: Engine) -> int:
    """A checkout of R1 logged as a version of revision 0003 logs it; its id."""
    entry = LogEntry(
        id=0,
        hotel_id="H",
        room_id="R1",
        operation=ho.Operation.CHECKOUT,
        performed_by="fd",
        status_before=ho.OccupancyStatus.OCCUPIED,
        status_after=ho.OccupancyStatus.VACANT_DIRTY,
        condition_before=ho.Condition.CLEAN,
        condition_after=ho.Condition.DIRTY,
        timestamp=START,
        booking_id="B1",
    )
    with engine.begin() as conn:
        key = conn.execute(insert(s.log), [mapping.entry_row(entry)]).inserted_primary_key
    assert key is not None
    return int(key[0])
