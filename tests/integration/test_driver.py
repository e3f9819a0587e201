"""The hot statements sent straight to the driver (adapters/sqlalchemy/driver.py): the same
SQL and values as ``Connection.execute``, the same rows back, the same statements per
operation, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, exc, func, select
from sqlalchemy.engine import Connection

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    create_schema,
    mapping,
)
from hotel_occupancy.adapters.sqlalchemy import repositories as repos
from hotel_occupancy.adapters.sqlalchemy.driver import _KEPT, Prepared, observed, read_rows
from hotel_occupancy.adapters.sqlalchemy.schema import hotels, rooms
from hotel_occupancy.domain.model import LogEntry
from tests.integration.hotels import build_hotel

PREPARED = {name: value for name, value in vars(repos).items() if isinstance(value, Prepared)}
PREPARED.update({f"_INSERT[{table.name}]": statement for table, statement in repos._INSERT.items()})
PREPARED.update({f"_APPEND_ROWS[{n}]": statement for n, statement in repos._APPEND_ROWS.items()})


def _clock() -> datetime:
    return datetime(2026, 3, 10, 15, tzinfo=UTC)


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The integration tests' engine (SQLite or PostgreSQL) with hotel H (rooms R1, R2;
    bookings B1, B2)."""
    build_hotel(SqlAlchemyUnitOfWork(engine, clock=_clock), ["R1", "R2"], ["B1", "B2"])
    return engine


def test_every_prepared_statement_of_the_repositories_compiles_for_both_databases(
    engine: Engine,
) -> None:
    """No prepared statement needs SQLAlchemy at execution (expanding IN, Python defaults)."""
    with engine.connect() as conn:
        for name, statement in PREPARED.items():
            binds = statement.statement.compile(dialect=conn.dialect).binds  # type: ignore[attr-defined]
            values = {bind: ["x", "y"] if bind in statement._expanding else "x" for bind in binds}
            form = statement.form(conn, None, values if statement._expanding else None)
            assert form is not None, name
            assert form.sql, name
            assert "POSTCOMPILE" not in form.sql, name


def test_the_sql_and_values_sent_to_the_driver_are_those_connection_execute_sends(
    engine: Engine,
) -> None:
    """For reads by key and writes with datetimes, dates, booleans and NULLs alike."""
    samples: list[tuple[Prepared, dict[str, Any]]] = [
        (repos._OCCUPANCY, {"key": "R1"}),
        (repos._STAFF_AND_HOTEL, {"key": "fd"}),
        (repos._GUESTS_OF_BOOKING, {"key": "B1"}),
        (
            repos._UPDATE_OCCUPANCY,
            {"updated_at": _clock(), "expected_checkout": None, "key": "R1"},
        ),
        (
            repos._UPDATE_BOOKING,
            {"checked_in_at": _clock(), "departure": date(2026, 3, 12), "key": "B1"},
        ),
        (repos._UPDATE_STAFF, {"active": False, "key": "fd"}),
        (repos._DETACH_PARTY, {"key": "nobody"}),
        (repos._APPEND_ROWS[2], _rows_of(_draft("first"), _draft("second", room="R2"))),
    ]
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        sent.append((statement, parameters))

    with engine.connect() as conn, conn.begin():
        event.listen(conn, "before_cursor_execute", record)
        for prepared, values in samples:
            sent.clear()
            conn.execute(prepared.statement, values)
            keys = tuple(k for k in values if k != "key") if prepared._dml else None
            form = prepared.form(conn, keys)
            assert sent == [(form.sql, form.bind(values))]
        conn.get_transaction().rollback()  # type: ignore[union-attr]


def _draft(notes: str, *, room: str = "R1") -> LogEntry:
    """A STATUS_CHANGE log entry (clean room made dirty) by ``fd`` in hotel H, its id not
    yet assigned."""
    return LogEntry(
        0,
        "H",
        room,
        ho.Operation.STATUS_CHANGE,
        "fd",
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.CLEAN,
        ho.Condition.DIRTY,
        _clock(),
        None,
        None,
        notes,
        {"action": "mark_dirty", "n": len(notes)},
    )


def _rows_of(*drafts: LogEntry) -> dict[str, Any]:
    """The values of one multi-row append of ``drafts`` (binds ``<column>_<row>``)."""
    return {
        f"{column}_{i}": value
        for i, draft in enumerate(drafts)
        for column, value in mapping.entry_row(draft).items()
    }


@pytest.mark.parametrize("count", [2, 3, repos._APPEND_BATCH, repos._APPEND_BATCH + 1, 40])
def test_entries_appended_together_each_get_the_id_of_their_own_row(
    engine: Engine, count: int
) -> None:
    """One append of several entries (one INSERT up to a batch, SQLAlchemy's path beyond)
    returns each with the id the database gave its row, in order, as the log reads back."""
    drafts = [_draft(f"entry {i}", room=("R1", "R2")[i % 2]) for i in range(count)]
    uow = SqlAlchemyUnitOfWork(engine, clock=_clock)
    with uow:
        first = uow.log.append([_draft("before")])
        appended = uow.log.append(drafts)
        uow.commit()
    assert [e.notes for e in appended] == [d.notes for d in drafts]
    assert [e.id for e in appended] == list(range(first[0].id + 1, first[0].id + 1 + count))
    stored = {e.id: e for e in uow.snapshot().log}
    assert [stored[e.id] for e in appended] == list(appended)
    with uow:  # the same drafts appended one by one store the very same values
        alone = [uow.log.append([d])[0] for d in drafts]
        uow.commit()
    columns = ", ".join(f'"{c}"' for c in mapping.entry_row(drafts[0]))  # all but the id
    with engine.connect() as conn:  # as the driver gives them: no result processing

        def raw(entries: Sequence[LogEntry]) -> list[Any]:
            ids = ", ".join(str(e.id) for e in entries)
            query = f"SELECT {columns} FROM ho_log WHERE id IN ({ids}) ORDER BY id"
            return [tuple(row) for row in conn.exec_driver_sql(query)]

        assert raw(appended) == raw(alone)


def test_rows_read_through_the_driver_equal_the_rows_sqlalchemy_reads(engine: Engine) -> None:
    """Aware datetimes, dates and booleans come back converted exactly as Row._mapping."""
    services.assign_room(
        SqlAlchemyUnitOfWork(engine, clock=_clock), booking_id="B1", room_id="R1", staff_id="fd"
    )
    reads: list[tuple[Prepared, dict[str, Any]]] = [
        (repos._OCCUPANCY, {"key": "R1"}),
        (repos._STAFF_AND_HOTEL, {"key": "fd"}),
        (repos._BOOKING, {"key": "B1"}),
        (repos._GUESTS_OF_BOOKING, {"key": "B1"}),
        (repos._LOG_OF_ROOM, {"key": "R1"}),
    ]
    with engine.connect() as conn:
        assert not observed(conn)
        for prepared, values in reads:
            expected = [dict(row._mapping) for row in conn.execute(prepared.statement, values)]
            got = prepared.rows(conn, values)
            assert got == expected
            assert got, "the sample reads something"
            assert [type(v) for v in got[0].values()] == [type(v) for v in expected[0].values()]


def test_the_driver_path_sends_the_same_statements_per_operation_as_the_observed_path(
    tmp_path: Path,
) -> None:
    """SQLite's own trace of a guest cycle counts the same statements whether or not a
    listener makes the library go through exec_driver_sql."""
    traced: list[str] = []

    def on_connect(dbapi_connection: sqlite3.Connection, record: object) -> None:
        dbapi_connection.set_trace_callback(traced.append)

    def cycle(engine: Engine, booking: str) -> list[int]:
        uow = SqlAlchemyUnitOfWork(engine, clock=_clock)
        steps = [
            lambda: services.assign_room(uow, booking_id=booking, room_id="R1", staff_id="fd"),
            lambda: services.move_guest(uow, from_room_id="R1", to_room_id="R2", staff_id="fd"),
            lambda: services.checkout_room(uow, room_id="R2", staff_id="fd"),
            lambda: services.start_cleaning(uow, room_id="R2", staff_id="fd"),
            lambda: services.complete_cleaning(uow, room_id="R2", staff_id="fd"),
        ]
        counts = []
        for step in steps:
            traced.clear()
            step()
            counts.append(len(traced))
        return counts

    counts = []
    for observe in (False, True):
        engine = create_engine(f"sqlite:///{tmp_path / f'trace-{observe}.db'}")
        event.listen(engine, "connect", on_connect)
        create_schema(engine)
        build_hotel(
            SqlAlchemyUnitOfWork(engine, clock=_clock),
            ["R1", "R2"],
            ["B1", "B2"],
            staff=("fd", ho.StaffRole.MANAGER),
        )
        if observe:
            event.listen(engine, "before_cursor_execute", lambda *args: None)
        counts.append(cycle(engine, "B1"))
        engine.dispose()
    assert counts[0] == counts[1]
    assert all(n > 3 for n in counts[0])


def test_the_room_board_read_through_the_driver_equals_the_board_read_observed(
    engine: Engine,
) -> None:
    """room_board gives the same rows whether its query goes to the driver's cursor or, a
    listener watching, through exec_driver_sql."""
    uow = SqlAlchemyUnitOfWork(engine, clock=_clock)
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="fd")
    direct = services.room_board(uow, "H")
    seen: list[str] = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        watched = services.room_board(uow, "H")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert any("ho_occupancies" in statement for statement in seen)
    assert watched == direct
    assert [row.room_id for row in direct] == ["R1", "R2"]
    assert direct[0].booking_id == "B1"
    assert direct[0].expected_checkout is not None


def test_a_connection_with_a_listener_is_observed_and_one_without_is_not(
    tmp_path: Path,
) -> None:
    """Listeners, handle_error hooks and echo each route statements through SQLAlchemy."""
    engine = create_engine(f"sqlite:///{tmp_path / 'o.db'}")
    with engine.connect() as conn:
        assert not observed(conn)
    event.listen(engine, "handle_error", lambda context: None)
    with engine.connect() as conn:
        assert observed(conn)
    echoing = create_engine(f"sqlite:///{tmp_path / 'e.db'}", echo=True)
    with echoing.connect() as conn:
        assert observed(conn)
    engine.dispose()
    echoing.dispose()


def test_an_expanding_in_reads_the_same_rows_whatever_the_size_of_its_lists(
    engine: Engine,
) -> None:
    """Empty lists, short ones and lists too long to keep a form for (SQLAlchemy's path)."""
    from hotel_occupancy.adapters.sqlalchemy.driver import _MAX_LISTED

    statement = repos._ROOMS_AND_HOLDERS_READ
    many = ["R1", *(f"none-{n}" for n in range(_MAX_LISTED)), "R2"]
    with engine.connect() as conn:
        for ids, bookings in (([], []), (["R1"], []), (["R2", "R1"], ["B1"]), (many, [])):
            values = {"ids": ids, "bookings": bookings}
            expected = [dict(row._mapping) for row in conn.execute(statement.statement, values)]
            assert statement.rows(conn, values) == expected
            assert len(expected) == len({"R1", "R2"} & set(ids))
        assert statement.form(conn, None, {"ids": many, "bookings": []}) is None


def test_an_interrupt_during_a_statement_invalidates_the_connection_as_sqlalchemy_does(
    tmp_path: Path,
) -> None:
    """Ctrl-C inside the driver's execute: the interrupt goes on, and the connection,
    in a state nobody knows, never returns to the pool."""
    engine = create_engine(f"sqlite:///{tmp_path / 'stop.db'}")
    create_schema(engine)

    class Interrupting:
        def __init__(self, cursor: Any) -> None:
            self._cursor = cursor

        def execute(self, *args: Any) -> None:
            raise KeyboardInterrupt

        def close(self) -> None:
            self._cursor.close()

    with engine.connect() as conn:
        fairy = conn.connection
        real = fairy.cursor
        fairy.cursor = lambda: Interrupting(real())  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            repos._OCCUPANCY.rows(conn, {"key": "R1"})
        assert conn.invalidated
    engine.dispose()


def test_sqlite_s_begin_sent_to_the_driver_takes_the_write_lock_only_for_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a connection nobody observes, the engine's BEGIN goes to the driver's cursor,
    not through ``exec_driver_sql``: a write transaction holds SQLite's write lock from
    its start (another writer is refused at once), a read transaction (``reading()``)
    does not."""
    path = tmp_path / "lock.db"
    engine = create_engine(f"sqlite:///{path}")
    create_schema(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    uow = SqlAlchemyUnitOfWork(engine)

    def not_this_way(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("BEGIN went through Connection.exec_driver_sql")

    monkeypatch.setattr(Connection, "exec_driver_sql", not_this_way)
    try:
        with uow:
            assert not observed(uow.connection)
            assert uow.connection.connection.driver_connection.in_transaction
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with uow.reading():
            assert uow.connection.connection.driver_connection.in_transaction
            other.execute("BEGIN IMMEDIATE")  # a reader leaves the write lock free
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()


def _kept(conn: Connection) -> Any:
    """The driver cursor ``conn``'s prepared statements reuse (None: none kept)."""
    kept = conn.connection.info.get(_KEPT)
    return None if kept is None else kept[1]


def test_prepared_statements_on_one_connection_reuse_one_driver_cursor(engine: Engine) -> None:
    """Reads and writes share the connection's cursor; each reads its own result, never the
    one before it; a reconnected connection gets a cursor of its own."""
    with engine.connect() as conn:
        assert len(repos._OCCUPANCY.rows(conn, {"key": "R1"})) == 1
        cursor = _kept(conn)
        assert cursor is not None
        assert repos._OCCUPANCY.rows(conn, {"key": "no such room"}) == []
        changed, _ = repos._UPDATE_ROOM.run(conn, {"key": "R2", "capacity": 3})
        assert changed == 1
        assert [row["capacity"] for row in repos._ROOM.rows(conn, {"key": "R2"})] == [3]
        assert _kept(conn) is cursor
        conn.rollback()
        first_connection = conn.connection.dbapi_connection
        conn.invalidate()
        assert [row["room_id"] for row in repos._OCCUPANCY.rows(conn, {"key": "R1"})] == ["R1"]
        assert conn.connection.dbapi_connection is not first_connection
        assert _kept(conn) is not cursor


def test_a_failed_statement_closes_the_kept_cursor_and_the_next_one_gets_a_new_cursor(
    engine: Engine,
) -> None:
    """A driver error comes back as SQLAlchemy's, and the connection goes on working."""
    with engine.connect() as conn:
        with conn.begin():
            row = dict(conn.execute(select(hotels)).one()._mapping)
            assert repos._OCCUPANCY.rows(conn, {"key": "R1"})
        failed = _kept(conn)
        with pytest.raises(exc.IntegrityError), conn.begin():
            repos._INSERT[hotels].run(conn, row)  # the hotel H again: its key is taken
        assert _kept(conn) is None
        with conn.begin():
            assert [r["room_id"] for r in repos._OCCUPANCY.rows(conn, {"key": "R2"})] == ["R2"]
        assert _kept(conn) not in (None, failed)


def test_a_long_read_gets_its_own_cursor_closed_once_read(engine: Engine) -> None:
    """``read_rows`` (the room board's thousands of rows) does not keep its result in the
    connection's kept cursor."""
    with engine.connect() as conn:
        repos._OCCUPANCY.rows(conn, {"key": "R1"})
        kept = _kept(conn)
        seen: list[Any] = []
        room_ids = read_rows(
            conn,
            "SELECT room_id FROM ho_rooms ORDER BY room_id",
            (),
            lambda cursor: seen.append(cursor) or [row[0] for row in cursor],
        )
        assert room_ids == ["R1", "R2"]
        assert seen[0] is not kept
        assert _kept(conn) is kept


def test_a_unit_of_work_releases_the_kept_cursor_when_its_transaction_ends(
    engine: Engine,
) -> None:
    """The last rows read do not stay in a pooled connection's cursor between operations."""
    uow = SqlAlchemyUnitOfWork(engine, clock=_clock)
    for end in ("commit", "rollback"):
        with uow:
            assert uow.occupancies.get("R1") is not None
            assert uow._conn is not None
            info = uow._conn.connection.info
            cursor = info[_KEPT][1]
            if end == "commit":
                uow.commit()
        assert _KEPT not in info
        with pytest.raises(engine.dialect.loaded_dbapi.Error):
            cursor.execute("SELECT 1")  # closed


def _failing_on_r2(conn: Connection) -> None:
    """Give ``conn``'s SQLite connection ``fails_on_r2(x)``: x, but an error for 'R2' (so a
    query over R1 and R2 fails on its second row, as the rows are fetched)."""

    def fails_on_r2(value: str) -> str:
        if value == "R2":
            raise ValueError("R2")
        return value

    conn.connection.dbapi_connection.create_function("fails_on_r2", 1, fails_on_r2)  # type: ignore[union-attr]


def test_a_driver_error_while_rows_are_fetched_is_raised_as_sqlalchemy_s(tmp_path: Path) -> None:
    """SQLite steps through a query's rows as they are fetched: an error on the second row,
    in a prepared read or in a long read, comes back as SQLAlchemy's exception (which the
    unit of work translates), never as the driver's own, and the connection goes on."""
    engine = create_engine(f"sqlite:///{tmp_path / 'fetch.db'}")
    create_schema(engine)
    build_hotel(SqlAlchemyUnitOfWork(engine, clock=_clock), ["R1", "R2"], [])
    failing = Prepared(
        select(func.fails_on_r2(rooms.c.room_id).label("room_id")).order_by(rooms.c.room_id)
    )
    with engine.connect() as conn:
        _failing_on_r2(conn)
        with pytest.raises(exc.OperationalError) as prepared_failure:
            failing.rows(conn, {})
        assert isinstance(prepared_failure.value.orig, sqlite3.OperationalError)
        assert _kept(conn) is None
        sql = "SELECT fails_on_r2(room_id) FROM ho_rooms ORDER BY room_id"
        with pytest.raises(exc.OperationalError) as long_failure:
            read_rows(conn, sql, (), lambda cursor: [row[0] for row in cursor])
        assert isinstance(long_failure.value.orig, sqlite3.OperationalError)
        assert [row["room_id"] for row in repos._OCCUPANCY.rows(conn, {"key": "R2"})] == ["R2"]
    engine.dispose()
