"""Service calls inside a transaction the host application owns (a Session or a
Connection): each call a savepoint, the host's commit or rollback decides, and events wait
for the host's commit. On SQLite (the host's own plain engine) and on PostgreSQL."""

from __future__ import annotations

import gc
import logging
import sqlite3
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import (
    HostTransactionUnitOfWork,
    SqlAlchemyUnitOfWork,
    migrate,
)
from hotel_occupancy.domain.invariants import check_invariants
from tests.integration.hotels import build_hotel

host_metadata = MetaData()
invoices = Table(
    "invoices",
    host_metadata,
    Column("id", Integer, primary_key=True),
    Column("booking", String(40), nullable=False),
)


def _clock() -> datetime:
    return datetime(2026, 3, 10, 15, tzinfo=UTC)


def _foreign_keys_on(dbapi_connection: object, record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _prepared(engine: Engine) -> Engine:
    host_metadata.drop_all(engine)
    host_metadata.create_all(engine)
    build_hotel(SqlAlchemyUnitOfWork(engine, clock=_clock), ["R1", "R2"], ["B1", "B2"])
    return engine


@pytest.fixture
def pg_host_engine(postgres_engine: Engine) -> Iterator[Engine]:
    """A plain SQLAlchemy engine made by the host on the session's PostgreSQL database,
    holding the library's tables, the host's ``invoices`` and hotel ``H`` with rooms R1, R2
    and bookings B1, B2 arriving (committed)."""
    engine = _prepared(sqlalchemy.create_engine(postgres_engine.url.render_as_string(False)))
    yield engine
    host_metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def host_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The same on a SQLite file (foreign keys on, as SQLAlchemy advises) or PostgreSQL."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_host_engine")
        return
    engine = _plain_sqlite(tmp_path / "host.db")
    yield _prepared(engine)
    engine.dispose()


def _occupancy(engine: Engine, room_id: str) -> ho.RoomOccupancy:
    """The room's occupancy as committed, read by the library's own unit of work."""
    return services.get_occupancy(SqlAlchemyUnitOfWork(engine, clock=_clock), room_id=room_id)


def _invoices(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(invoices.c.booking).order_by(invoices.c.id)).scalars())


def _assign(uow: HostTransactionUnitOfWork, booking: str = "B1", room: str = "R1") -> None:
    """Pre-assign the booking to the room (no check-in)."""
    services.assign_room(uow, booking_id=booking, room_id=room, staff_id="fd", check_in=False)


def test_a_session_commit_makes_the_calls_durable_and_only_then_publishes_their_events(
    host_engine: Engine,
) -> None:
    """The host's writes and the library's commit together; events arrive after the commit."""
    notifier = RecordingNotifier()
    with Session(host_engine) as session, session.begin():
        session.execute(invoices.insert().values(booking="B1"))
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        _assign(uow)
        services.check_in(uow, booking_id="B1", staff_id="fd")
        assert notifier.events == []
        assert _occupancy(host_engine, "R1").status is ho.OccupancyStatus.VACANT_CLEAN  # not yet
    assert [e.operation for e in notifier.events] == [
        ho.Operation.ASSIGN,
        ho.Operation.CHECKIN,
    ]
    assert _occupancy(host_engine, "R1").status is ho.OccupancyStatus.OCCUPIED
    assert _invoices(host_engine) == ["B1"]
    feed = services.read_feed(SqlAlchemyUnitOfWork(host_engine)).events
    assert [e.entry_id for e in notifier.events] == [e.entry_id for e in feed[-2:]]
    assert not check_invariants(SqlAlchemyUnitOfWork(host_engine).snapshot())


def test_a_session_rollback_undoes_the_calls_with_the_host_s_writes_and_drops_the_events(
    host_engine: Engine,
) -> None:
    """Nothing of a rolled-back request stays, in the library's tables or the feed."""
    notifier = RecordingNotifier()
    before = services.read_feed(SqlAlchemyUnitOfWork(host_engine)).position
    with Session(host_engine) as session:
        session.execute(invoices.insert().values(booking="B1"))
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        _assign(uow)
        session.rollback()
    assert notifier.events == []
    assert _invoices(host_engine) == []
    assert _occupancy(host_engine, "R1").booking_id is None
    page = services.read_feed(SqlAlchemyUnitOfWork(host_engine), after=before)
    assert page.events == ()


def test_a_refused_call_leaves_the_host_s_transaction_usable(host_engine: Engine) -> None:
    """A refusal rolls back to the call's savepoint: what came before and after commits."""
    notifier = RecordingNotifier()
    with Session(host_engine) as session, session.begin():
        session.execute(invoices.insert().values(booking="B1"))
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        with pytest.raises(ho.RoomNotOccupied):
            services.checkout_room(uow, room_id="R2", staff_id="fd")  # nobody is in R2
        _assign(uow)
        session.execute(invoices.insert().values(booking="B2"))
    assert _invoices(host_engine) == ["B1", "B2"]
    assert _occupancy(host_engine, "R1").booking_id == "B1"
    assert [e.operation for e in notifier.events] == [ho.Operation.ASSIGN]


def test_a_call_failing_on_a_database_error_rolls_back_to_its_savepoint_only(
    host_engine: Engine,
) -> None:
    """A statement the database refuses mid-call (a trigger behind the services' back
    aborts the log entry) undoes that call's earlier writes; the host keeps its own."""
    _abort_log_entries_of(host_engine, "B2")
    try:
        with Session(host_engine) as session, session.begin():
            session.execute(invoices.insert().values(booking="B1"))
            uow = HostTransactionUnitOfWork(session, clock=_clock)
            with pytest.raises(ho.RoomOccupancyError, match="boom"):
                _assign(uow, "B2", "R2")  # the occupancy record was written, then the log failed
            _assign(uow, "B1", "R1")
        assert _invoices(host_engine) == ["B1"]
        assert _occupancy(host_engine, "R1").booking_id == "B1"
        assert _occupancy(host_engine, "R2").booking_id is None
    finally:
        _abort_log_entries_of(host_engine, None)


def _abort_log_entries_of(engine: Engine, booking: str | None) -> None:
    """A trigger refusing every log entry of ``booking`` ('boom'); None: drop it."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS test_boom")
            if booking is not None:
                conn.exec_driver_sql(
                    "CREATE TRIGGER test_boom BEFORE INSERT ON ho_log "
                    f"WHEN NEW.booking_id = '{booking}' BEGIN SELECT RAISE(ABORT, 'boom'); END"
                )
            return
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS test_boom ON ho_log")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS test_boom()")
        if booking is not None:
            conn.exec_driver_sql(
                "CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.booking_id = '{booking}' THEN RAISE EXCEPTION 'boom'; END IF; "
                "RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER test_boom BEFORE INSERT ON ho_log "
                "FOR EACH ROW EXECUTE FUNCTION test_boom()"
            )


def test_the_library_never_commits_the_host_s_transaction(host_engine: Engine) -> None:
    """Across several calls the only COMMIT on the connection is the host's own."""
    commits: list[object] = []
    with Session(host_engine) as session:
        uow = HostTransactionUnitOfWork(session, clock=_clock)
        conn = session.connection()
        event.listen(conn, "commit", commits.append)
        _assign(uow)
        services.check_in(uow, booking_id="B1", staff_id="fd")
        services.room_board(uow, hotel_id="H")
        assert commits == []
        session.commit()
    assert len(commits) == 1


def test_a_host_savepoint_rolled_back_drops_the_calls_inside_it_and_their_events(
    host_engine: Engine,
) -> None:
    """The host's own savepoint undoes a call; a later call sees the undone state afresh."""
    notifier = RecordingNotifier()
    with Session(host_engine) as session, session.begin():
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        with session.begin_nested() as savepoint:
            _assign(uow, "B1", "R1")
            savepoint.rollback()
        _assign(uow, "B2", "R1")  # R1 is free again: nothing of B1's assignment was kept
    assert _occupancy(host_engine, "R1").booking_id == "B2"
    assert [(e.operation, e.booking_id) for e in notifier.events] == [(ho.Operation.ASSIGN, "B2")]


def test_a_bare_connection_publishes_when_the_host_says_it_committed(
    host_engine: Engine,
) -> None:
    """With a Connection the events wait for host_committed(), called after the commit."""
    notifier = RecordingNotifier()
    with host_engine.connect() as conn:
        uow = HostTransactionUnitOfWork(conn, clock=_clock, notifier=notifier)
        conn.execute(invoices.insert().values(booking="B1"))
        _assign(uow)
        conn.commit()
        assert notifier.events == []
        uow.host_committed()
        uow.host_committed()  # nothing twice
    assert [e.operation for e in notifier.events] == [ho.Operation.ASSIGN]
    assert _invoices(host_engine) == ["B1"]
    assert _occupancy(host_engine, "R1").booking_id == "B1"


def test_a_bare_connection_rollback_drops_the_events_and_the_changes(
    host_engine: Engine,
) -> None:
    """A rolled-back Connection publishes nothing, even if host_committed() is then called."""
    notifier = RecordingNotifier()
    with host_engine.connect() as conn:
        uow = HostTransactionUnitOfWork(conn, clock=_clock, notifier=notifier)
        _assign(uow)
        conn.rollback()
        uow.host_committed()
    assert notifier.events == []
    assert _occupancy(host_engine, "R1").booking_id is None


def test_a_bare_connection_commit_never_confirmed_is_dropped_with_a_warning(
    host_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Events of a commit the host did not confirm are not published by a later one."""
    notifier = RecordingNotifier()
    with host_engine.connect() as conn:
        uow = HostTransactionUnitOfWork(conn, clock=_clock, notifier=notifier)
        _assign(uow, "B1", "R1")
        conn.commit()
        with caplog.at_level(logging.WARNING, logger="hotel_occupancy.sqlalchemy"):
            _assign(uow, "B2", "R2")  # the next transaction begins
        conn.commit()
        uow.host_committed()
    assert [e.booking_id for e in notifier.events] == ["B2"]
    assert "host_committed()" in caplog.text


def test_a_session_over_the_library_s_own_engine_works_the_same(
    host_engine: Engine, tmp_path: Path
) -> None:
    """A host Session on an engine made by create_engine commits the calls with it."""
    from hotel_occupancy.adapters.sqlalchemy import create_engine

    url = host_engine.url.render_as_string(False)
    engine = create_engine(url)
    try:
        with Session(engine) as session, session.begin():
            _assign(HostTransactionUnitOfWork(session, clock=_clock))
        assert _occupancy(engine, "R1").booking_id == "B1"
    finally:
        engine.dispose()


def test_the_host_connection_s_settings_are_put_back_after_each_call(
    host_engine: Engine,
) -> None:
    """The library's lock timeout or SQLite pragmas last for its savepoint only."""
    with host_engine.connect() as conn:
        settings = _settings(conn)
        uow = HostTransactionUnitOfWork(conn, clock=_clock)
        _assign(uow)
        assert _settings(conn) == settings
        with pytest.raises(ho.RoomNotOccupied):
            services.checkout_room(uow, room_id="R2", staff_id="fd")
        assert _settings(conn) == settings
        conn.rollback()


def _settings(conn: Connection) -> list[object]:
    if conn.dialect.name == "sqlite":
        driver = conn.connection.driver_connection
        assert driver is not None
        return [
            driver.execute(f"PRAGMA {p}").fetchone()[0] for p in ("busy_timeout", "secure_delete")
        ]
    return [conn.execute(text("SHOW lock_timeout")).scalar()]


def test_a_session_that_is_not_a_session_or_connection_is_refused_clearly() -> None:
    """Handing anything else is a TypeError naming what is accepted."""
    with pytest.raises(TypeError, match="Session or Connection"):
        HostTransactionUnitOfWork("sqlite:///x.db")  # type: ignore[arg-type]


def test_a_closed_unit_of_work_stops_following_a_session_that_outlives_it(
    host_engine: Engine,
) -> None:
    """After close() the session's later commits publish nothing through the old one."""
    notifier = RecordingNotifier()
    with Session(host_engine) as session:
        first = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        _assign(first)
        first.close()
        session.commit()
        second = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        _assign(second, "B2", "R2")
        session.commit()
    assert [e.booking_id for e in notifier.events] == ["B2"]
    assert not event.contains(session, "after_commit", first._session_committed)


def test_a_call_that_times_out_on_a_lock_leaves_the_host_s_transaction_usable(
    pg_host_engine: Engine,
) -> None:
    """A row another request holds (PostgreSQL): ConcurrencyConflict, then the host goes on
    and commits. (On SQLite the second request would wait for the write lock at BEGIN.)"""
    host_engine = pg_host_engine
    with Session(host_engine) as first, first.begin():
        _assign(HostTransactionUnitOfWork(first, clock=_clock), "B1", "R1")  # R1 locked
        with Session(host_engine) as second, second.begin():
            uow = HostTransactionUnitOfWork(second, clock=_clock, lock_timeout=0.2)
            with pytest.raises(ho.ConcurrencyConflict):
                _assign(uow, "B2", "R1")
            second.execute(invoices.insert().values(booking="B2"))
            _assign(uow, "B2", "R2")
            assert second.execute(text("SHOW lock_timeout")).scalar() == "0"  # put back
    assert _invoices(host_engine) == ["B2"]
    assert _occupancy(host_engine, "R1").booking_id == "B1"
    assert _occupancy(host_engine, "R2").booking_id == "B2"


def test_a_host_sqlite_connection_without_foreign_keys_gets_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite cannot turn foreign keys on inside a transaction: the library says so once."""
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    migrate.upgrade(engine)
    build_hotel(SqlAlchemyUnitOfWork(engine, clock=_clock), ["R1", "R2"], ["B1", "B2"])
    warnings = caplog.at_level(logging.WARNING, logger="hotel_occupancy.sqlalchemy")
    with warnings, Session(engine) as session, session.begin():
        uow = HostTransactionUnitOfWork(session, clock=_clock)
        _assign(uow, "B1", "R1")
        _assign(uow, "B2", "R2")
    assert caplog.text.count("foreign keys off") == 1
    assert _occupancy(engine, "R2").booking_id == "B2"
    engine.dispose()


def test_the_library_s_own_schema_applies_to_its_statements_only_in_the_host_s_session(
    postgres_url: str,
) -> None:
    """PostgreSQL: the library in schema ``lib``, the host's table in ``public``, one Session
    for both; the call lands in ``lib``, the host's insert in ``public``, and the host's
    connection keeps no translation afterwards."""
    from hotel_occupancy.adapters.sqlalchemy import in_schema
    from tests.integration.sessions import fresh_database

    library = fresh_database(postgres_url, "ho_host_schema")
    migrate.upgrade(in_schema(library, "lib"))
    build_hotel(SqlAlchemyUnitOfWork(in_schema(library, "lib"), clock=_clock), ["R1"], ["B1"])
    engine = sqlalchemy.create_engine(library.url.render_as_string(False))
    host_metadata.create_all(engine)
    try:
        with Session(engine) as session, session.begin():
            uow = HostTransactionUnitOfWork(session, clock=_clock, schema="lib")
            _assign(uow)
            session.execute(invoices.insert().values(booking="B1"))
            assert session.connection().get_execution_options().get("schema_translate_map") is None
        with engine.connect() as conn:
            booked = "SELECT booking_id FROM lib.ho_occupancies WHERE room_id = 'R1'"
            assert conn.execute(text(booked)).scalar_one() == "B1"
            assert conn.execute(text("SELECT booking FROM public.invoices")).scalar_one() == "B1"
            assert conn.execute(text("SELECT to_regclass('public.ho_rooms')")).scalar() is None
    finally:
        engine.dispose()
        library.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def recipe_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A host engine whose savepoints nest in its transactions: on SQLite the library's
    create_engine (the pysqlite recipe), on PostgreSQL any engine; prepared as above."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_host_engine")
        return
    from hotel_occupancy.adapters.sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'recipe.db'}")
    migrate.upgrade(engine)
    yield _prepared(engine)
    engine.dispose()


def test_a_host_savepoint_released_and_then_rolled_back_with_the_host_publishes_nothing(
    recipe_engine: Engine,
) -> None:
    """Releasing a savepoint of the host's is no commit: the events wait, then drop."""
    notifier = RecordingNotifier()
    with Session(recipe_engine) as session:
        session.begin()
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        with session.begin_nested():
            _assign(uow)
        assert notifier.events == []
        session.rollback()
    assert notifier.events == []
    assert _occupancy(recipe_engine, "R1").booking_id is None


def test_a_host_savepoint_released_publishes_once_the_host_commits(
    recipe_engine: Engine,
) -> None:
    """The events of a call in a released savepoint go out with the host's commit, once."""
    notifier = RecordingNotifier()
    with Session(recipe_engine) as session, session.begin():
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=notifier)
        with session.begin_nested():
            _assign(uow)
        assert notifier.events == []
    assert [e.operation for e in notifier.events] == [ho.Operation.ASSIGN]
    assert _occupancy(recipe_engine, "R1").booking_id == "B1"


def test_a_sqlite_host_engine_leaving_transactions_to_pysqlite_gets_a_savepoint_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A call in a host savepoint on such an engine is warned about, once, with the fix."""
    engine = _prepared(_plain_sqlite(tmp_path / "plain.db"))
    warnings = caplog.at_level(logging.WARNING, logger="hotel_occupancy.sqlalchemy")
    with warnings, Session(engine) as session, session.begin():
        uow = HostTransactionUnitOfWork(session, clock=_clock)
        with session.begin_nested():
            _assign(uow, "B1", "R1")
        with session.begin_nested():
            _assign(uow, "B2", "R2")
    assert caplog.text.count("pysqlite begins itself") == 1
    assert "create_engine" in caplog.text
    engine.dispose()


def _plain_sqlite(path: Path) -> Engine:
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _foreign_keys_on)
    migrate.upgrade(engine)
    return engine


def test_a_sqlite_database_that_stays_locked_is_a_conflict_and_the_host_keeps_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer holding the file: ConcurrencyConflict (not a raw driver error), the
    host connection's own settings back, and the call goes through once the lock is gone."""
    from hotel_occupancy.adapters.sqlalchemy import host_transaction

    path = tmp_path / "locked.db"
    engine = _prepared(_plain_sqlite(path))
    monkeypatch.setitem(host_transaction._SQLITE_BLOCK_SETTINGS, "busy_timeout", 50)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with engine.connect() as conn:
            settings = _settings(conn)
            uow = HostTransactionUnitOfWork(conn, clock=_clock)
            with pytest.raises(ho.ConcurrencyConflict, match="locked"):
                _assign(uow)
            assert _settings(conn) == settings
            conn.rollback()
            other.execute("ROLLBACK")
            _assign(uow)
            conn.commit()
            uow.host_committed()
        assert _occupancy(engine, "R1").booking_id == "B1"
    finally:
        other.close()
        engine.dispose()


def test_units_of_work_on_one_long_lived_connection_leave_no_listeners_or_objects_behind(
    host_engine: Engine,
) -> None:
    """A worker's connection serving a unit of work per request keeps one set of
    listeners, and the units of work done with are garbage collected."""
    with host_engine.connect() as conn:
        gone: list[weakref.ref[HostTransactionUnitOfWork]] = []
        for _ in range(20):
            uow = HostTransactionUnitOfWork(conn, clock=_clock)
            services.room_board(uow, hotel_id="H")
            conn.commit()
            uow.host_committed()
            gone.append(weakref.ref(uow))
        del uow
        gc.collect()
        assert [ref() for ref in gone] == [None] * 20
        assert len(conn.dispatch.commit) == 1
        assert len(conn.dispatch.rollback) == 1


def test_a_refused_call_by_the_notifier_after_the_host_commits_restores_the_connection(
    tmp_path: Path,
) -> None:
    """A notifier's call, run in a transaction of its own after the host's commit and
    refused, rolls back before the pooled connection's own settings are put back."""
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'nofk.db'}")  # foreign keys off
    migrate.upgrade(engine)
    _prepared(engine)
    checked_in: list[int] = []

    def on_checkin(dbapi_connection: Any, record: object) -> None:
        checked_in.append(dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0])

    refusals: list[Exception] = []

    class Reacting:
        def publish(self, event: object) -> None:
            try:
                services.checkout_room(uow, room_id="R2", staff_id="fd")  # nobody is in R2
            except ho.RoomNotOccupied as refused:
                refusals.append(refused)

    event.listen(engine, "checkin", on_checkin)
    with Session(engine) as session, session.begin():
        uow = HostTransactionUnitOfWork(session, clock=_clock, notifier=Reacting())
        _assign(uow)
    assert len(refusals) == 1
    assert checked_in
    assert set(checked_in) == {0}
    engine.dispose()
