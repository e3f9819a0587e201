"""PostgreSQL connections: dropped connections, restarts, lock timeouts, and what
``retrying`` does when a connection is lost (issue 10, item 5 a, b and d).

- A pooled connection whose backend the server ended, or that a server restart cut, is
  replaced on checkout: the next call succeeds. A server that is really down gives
  StorageError, which is not retried.
- A call waits for a lock another transaction holds at most the engine's lock timeout,
  then fails with ConcurrencyConflict, having changed nothing.
- ``retrying`` retries a call whose connection was lost before COMMIT (nothing can have
  committed); a connection lost during COMMIT is retried only with a request id, which
  replays the commit if it happened; without one it is raised.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy
from sqlalchemy import Engine, select, text
from sqlalchemy import exc as sa_exc

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    StorageError,
    configure_engine,
    create_engine,
    create_schema,
)
from hotel_occupancy.adapters.sqlalchemy.engine import LOCK_TIMEOUT, lock_timeout_of
from hotel_occupancy.adapters.sqlalchemy.schema import occupancies
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.services.retry import OUTCOME_UNKNOWN, ROLLED_BACK
from tests import postgres
from tests.integration.hotels import HOTEL, occupied_and_arriving
from tests.integration.sessions import WAIT


def backend_pids(engine: Engine, application_name: str) -> set[int]:
    """The server processes of the sessions named ``application_name``."""
    with engine.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": application_name},
        ).scalars()
        return set(pids)


def terminate(engine: Engine, pids: set[int]) -> None:
    """End the server processes ``pids`` (from another session) and wait until they have."""
    with engine.connect() as conn:
        for pid in pids:
            ended = conn.execute(
                text("SELECT pg_terminate_backend(:pid, :wait_ms)"),
                {"pid": pid, "wait_ms": int(WAIT * 1000)},
            ).scalar_one()
            assert ended is True


def lock_timeout_setting(engine: Engine) -> str:
    """The server's lock_timeout in a unit of work's transaction on ``engine``."""
    uow = SqlAlchemyUnitOfWork(engine)
    with uow:
        value = uow.connection.exec_driver_sql("SHOW lock_timeout").scalar_one()
    return str(value)


# --- a) dropped connections and restarts -----------------------------------------------------


def test_the_first_call_after_the_server_ended_pooled_connections_succeeds(
    postgres_engine: Engine, postgres_url: str
) -> None:
    """Pooled connections whose backends were terminated are replaced: the next calls work."""
    name = "ho-dropped-connections"
    engine = create_engine(postgres_url, connect_args={"application_name": name})
    try:
        occupied_and_arriving(SqlAlchemyUnitOfWork(engine))
        with engine.connect(), engine.connect():  # two connections in the pool
            pass
        pooled = backend_pids(postgres_engine, name)
        assert len(pooled) == 2
        terminate(postgres_engine, pooled)

        uow = SqlAlchemyUnitOfWork(engine)
        board = services.room_board(uow, HOTEL)
        entries = services.checkout_room(uow, room_id="R1", staff_id="fd")

        assert [row.room_id for row in board] == ["R1", "R2"]
        assert [e.operation for e in entries] == [ho.Operation.CHECKOUT]
        assert backend_pids(postgres_engine, name).isdisjoint(pooled)
        assert check_invariants(SqlAlchemyUnitOfWork(engine).snapshot()) == []
    finally:
        engine.dispose()


@dataclass
class PrivateServer:
    """A PostgreSQL server of this module's own, which its tests restart and stop."""

    url: str
    data_directory: Path

    def pg_ctl(self, *arguments: str) -> None:
        bin_dir = postgres.find_bin_dir()
        assert bin_dir is not None
        log = self.data_directory.parent / "server.log"
        command = [str(bin_dir / "pg_ctl"), "-D", str(self.data_directory), "-l", str(log)]
        subprocess.run(
            postgres._as_postgres_user([*command, "-w", "-t", "60", *arguments]),
            check=True,
            capture_output=True,
            timeout=WAIT * 2,
        )

    def restart(self) -> None:
        """Restart the server, or start it again if it is stopped (with its options)."""
        self.pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


@pytest.fixture(scope="module")
def private_server(postgres_url: str) -> Iterator[PrivateServer]:
    """A throwaway server for this module alone (the session's server is never stopped)."""
    with postgres.running_server() as url:
        engine = sqlalchemy.create_engine(url)
        with engine.connect() as conn:
            data = conn.execute(text("SHOW data_directory")).scalar_one()
        engine.dispose()
        yield PrivateServer(url, Path(data))


@pytest.fixture
def private_engine(private_server: PrivateServer) -> Iterator[Engine]:
    """An engine on the private server (running), with the schema and hotel ``H``."""
    private_server.restart()  # running, whatever the test before left
    engine = create_engine(private_server.url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    create_schema(engine)
    occupied_and_arriving(SqlAlchemyUnitOfWork(engine))
    yield engine
    engine.dispose()


def test_the_first_call_after_a_server_restart_succeeds(
    private_server: PrivateServer, private_engine: Engine
) -> None:
    """A restart cuts every pooled connection; the next call gets a new one and works."""
    uow = SqlAlchemyUnitOfWork(private_engine)
    assert services.get_occupancy(uow, "R1").is_occupied  # a connection is now pooled

    private_server.restart()
    entries = services.checkout_room(uow, room_id="R1", staff_id="fd")

    assert [e.operation for e in entries] == [ho.Operation.CHECKOUT]
    assert not services.get_occupancy(uow, "R1").is_occupied


def test_a_server_that_is_really_down_gives_a_storage_error_that_is_not_retried(
    private_server: PrivateServer, private_engine: Engine
) -> None:
    """With the server stopped, a call fails with StorageError, at once and only once."""
    uow = SqlAlchemyUnitOfWork(private_engine)
    assert services.get_occupancy(uow, "R1").is_occupied  # a connection is now pooled
    attempts: list[int] = []

    def checkout(uow: SqlAlchemyUnitOfWork, **kwargs: Any) -> tuple[ho.LogEntry, ...]:
        attempts.append(1)
        return services.checkout_room(uow, **kwargs)

    private_server.stop()
    try:
        with pytest.raises(StorageError) as raised:
            services.retrying(checkout, uow, room_id="R1", staff_id="fd", request_id="down-1")
    finally:
        private_server.restart()

    assert type(raised.value) is StorageError
    assert raised.value.context.get("transaction") is None  # not a lost transaction
    assert isinstance(raised.value.__cause__, sa_exc.DBAPIError)
    assert attempts == [1]
    assert services.get_occupancy(uow, "R1").is_occupied  # nothing happened


# --- b) lock timeouts --------------------------------------------------------------------------


def test_a_call_waiting_behind_a_foreign_row_lock_gives_up_after_the_lock_timeout(
    postgres_engine: Engine, postgres_url: str
) -> None:
    """A row locked by another session makes a call fail with ConcurrencyConflict once the
    engine's lock timeout has passed (here 0.2 s), changing nothing, instead of waiting."""
    occupied_and_arriving(SqlAlchemyUnitOfWork(postgres_engine))
    before = SqlAlchemyUnitOfWork(postgres_engine).snapshot()
    engine = create_engine(postgres_url, lock_timeout=0.2)
    outcome: list[BaseException | tuple[ho.LogEntry, ...]] = []
    notifier = RecordingNotifier()

    def call() -> None:
        uow = SqlAlchemyUnitOfWork(engine, notifier=notifier)
        try:
            outcome.append(services.checkout_room(uow, room_id="R1", staff_id="fd"))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=call, daemon=True)
    try:
        with postgres_engine.connect() as conn, conn.begin():  # the foreign lock
            query = select(occupancies.c.room_id).where(occupancies.c.room_id == "R1")
            conn.execute(query.with_for_update()).scalar_one()
            worker.start()
            worker.join(WAIT)  # the lock is held until the call has given up (or WAIT)
        worker.join(WAIT)
        assert not worker.is_alive()
    finally:
        engine.dispose()

    (error,) = outcome
    assert isinstance(error, ho.ConcurrencyConflict), error
    assert isinstance(error.__cause__, sa_exc.DBAPIError)
    assert getattr(error.__cause__.orig, "sqlstate", None) == "55P03"  # lock_not_available
    assert notifier.events == []
    assert SqlAlchemyUnitOfWork(postgres_engine).snapshot() == before


def test_the_lock_timeout_is_five_seconds_unless_configured_and_configuring_keeps_it(
    postgres_engine: Engine, postgres_url: str
) -> None:
    """create_engine and a unit of work over a foreign engine give 5 s (the foreign engine
    in the library's transactions only); a configured value survives configure_engine
    being called again; None means no limit."""
    made_here = create_engine(postgres_url)
    made_elsewhere = sqlalchemy.create_engine(postgres_url)
    configured = create_engine(postgres_url, lock_timeout=0.25)
    try:
        assert LOCK_TIMEOUT == 5.0
        assert lock_timeout_setting(made_here) == "5s"
        assert lock_timeout_setting(made_elsewhere) == "5s"  # SET LOCAL in its transaction
        assert lock_timeout_of(made_elsewhere) is None  # the engine itself is left alone
        with made_elsewhere.connect() as conn:  # the host's own use: the server's default
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar_one() == "0"
        configure_engine(configured)  # as every unit of work over it does
        assert lock_timeout_setting(configured) == "250ms"
        assert lock_timeout_of(configured) == 0.25
        configure_engine(configured, lock_timeout=None)
        assert lock_timeout_setting(configured) == "0"
        assert lock_timeout_of(configured) is None
    finally:
        for engine in (made_here, made_elsewhere, configured):
            engine.dispose()


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_a_lock_timeout_that_is_not_a_positive_number_of_seconds_is_refused(
    postgres_url: str, bad: float
) -> None:
    """lock_timeout=0, negative, NaN or infinite is a ValueError, not a silent no-limit."""
    with pytest.raises(ValueError, match="lock_timeout"):
        create_engine(postgres_url, lock_timeout=bad)


# --- d) what retrying retries ------------------------------------------------------------------


def losing_the_connection_once(uow: SqlAlchemyUnitOfWork) -> list[int]:
    """Make the first call of ``uow.occupancies.get`` end its own connection on the server
    (a real OperationalError in the middle of the transaction); returns a list that grows
    by one at each call of it."""
    real = uow.occupancies.get
    calls: list[int] = []

    def get(room_id: str) -> Any:
        result = real(room_id)
        calls.append(1)
        if len(calls) == 1:
            uow.connection.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")
        return result

    uow.occupancies.get = get  # type: ignore[method-assign]
    return calls


def test_retrying_retries_a_call_whose_connection_was_lost_before_commit(
    postgres_engine: Engine,
) -> None:
    """A connection lost in the middle of the transaction is a StorageError saying it rolled
    back, and retrying runs the call again: it is applied once."""
    occupied_and_arriving(SqlAlchemyUnitOfWork(postgres_engine))
    before = SqlAlchemyUnitOfWork(postgres_engine).snapshot()
    once = SqlAlchemyUnitOfWork(postgres_engine)
    losing_the_connection_once(once)
    with pytest.raises(StorageError) as raised:
        services.checkout_room(once, room_id="R1", staff_id="fd")
    assert raised.value.context["transaction"] == ROLLED_BACK
    assert SqlAlchemyUnitOfWork(postgres_engine).snapshot() == before

    notifier = RecordingNotifier()
    uow = SqlAlchemyUnitOfWork(postgres_engine, notifier=notifier)
    calls = losing_the_connection_once(uow)
    entries = services.retrying(services.checkout_room, uow, room_id="R1", staff_id="fd")

    assert len(calls) == 2  # the lost attempt, then the one that worked
    assert [e.operation for e in entries] == [ho.Operation.CHECKOUT]
    after = SqlAlchemyUnitOfWork(postgres_engine).snapshot()
    assert [e for e in after.log if e not in before.log] == list(entries)
    assert [e.entry_id for e in notifier.events] == [e.id for e in entries]
    assert check_invariants(after) == []


def losing_the_answer_to_commit(engine: Engine) -> list[int]:
    """Make the next COMMIT on ``engine`` commit, then lose the connection before its
    answer arrives (the connection closes and the driver raises, as when the network or
    the server dies at that moment). Returns the list of COMMITs made (one item each)."""
    dialect = engine.dialect
    real = dialect.do_commit
    commits: list[int] = []

    def do_commit(connection: Any) -> None:  # the pool's proxy of the driver's connection
        real(connection)
        commits.append(1)
        if len(commits) == 1:
            connection.dbapi_connection.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    dialect.do_commit = do_commit  # type: ignore[method-assign, assignment]
    return commits


@pytest.fixture
def dedicated_engine(postgres_engine: Engine, postgres_url: str) -> Iterator[Engine]:
    """An engine of its own on the session's (emptied) database, with hotel ``H``."""
    occupied_and_arriving(SqlAlchemyUnitOfWork(postgres_engine))
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def test_retrying_replays_a_call_whose_commit_happened_but_whose_answer_was_lost(
    dedicated_engine: Engine,
) -> None:
    """A connection lost during COMMIT has an unknown outcome; retrying, which always has a
    request id, retries it and the retry replays the commit that happened: applied once."""
    before = SqlAlchemyUnitOfWork(dedicated_engine).snapshot()
    commits = losing_the_answer_to_commit(dedicated_engine)
    attempts: list[str | None] = []

    def checkout(
        uow: SqlAlchemyUnitOfWork, *, room_id: str, staff_id: str, request_id: str | None = None
    ) -> tuple[ho.LogEntry, ...]:
        attempts.append(request_id)
        return services.checkout_room(
            uow, room_id=room_id, staff_id=staff_id, request_id=request_id
        )

    entries = services.retrying(
        checkout, SqlAlchemyUnitOfWork(dedicated_engine), room_id="R1", staff_id="fd"
    )

    assert len(attempts) == 2
    assert attempts[0] is not None
    assert attempts[0] == attempts[1]  # the same generated request id: a replay
    assert len(commits) == 1  # the retry replayed: it had nothing to commit
    after = SqlAlchemyUnitOfWork(dedicated_engine).snapshot()
    new = [e for e in after.log if e not in before.log]
    assert [e.operation for e in new] == [ho.Operation.CHECKOUT]
    assert list(entries) == new
    assert check_invariants(after) == []


def test_a_commit_lost_without_a_request_id_is_raised_as_an_unknown_outcome_not_retried(
    dedicated_engine: Engine,
) -> None:
    """A service without a request id whose COMMIT lost its answer is not called again
    (it did commit: a retry would act twice); the error says the outcome is unknown."""
    before = SqlAlchemyUnitOfWork(dedicated_engine).snapshot()
    losing_the_answer_to_commit(dedicated_engine)
    attempts: list[int] = []

    def checkout(uow: SqlAlchemyUnitOfWork, *, room_id: str, staff_id: str) -> Any:
        attempts.append(1)
        return services.checkout_room(uow, room_id=room_id, staff_id=staff_id)

    with pytest.raises(StorageError) as raised:
        services.retrying(
            checkout, SqlAlchemyUnitOfWork(dedicated_engine), room_id="R1", staff_id="fd"
        )

    assert attempts == [1]
    assert raised.value.context["transaction"] == OUTCOME_UNKNOWN
    assert isinstance(raised.value.__cause__, sa_exc.OperationalError)
    after = SqlAlchemyUnitOfWork(dedicated_engine).snapshot()
    assert [e.operation for e in after.log if e not in before.log] == [ho.Operation.CHECKOUT]


def test_retrying_raises_at_once_what_it_may_not_retry(postgres_engine: Engine) -> None:
    """A refusal or a StorageError that is no lost transaction is raised at the first attempt."""
    occupied_and_arriving(SqlAlchemyUnitOfWork(postgres_engine))
    attempts: list[int] = []

    def counted(call: Callable[..., Any]) -> Callable[..., Any]:
        def attempt(uow: SqlAlchemyUnitOfWork, **kwargs: Any) -> Any:
            attempts.append(1)
            return call(uow, **kwargs)

        return attempt

    uow = SqlAlchemyUnitOfWork(postgres_engine)
    with pytest.raises(ho.RoomNotOccupied):
        services.retrying(counted(services.checkout_room), uow, room_id="R2", staff_id="fd")
    assert attempts == [1]

    def broken(uow: SqlAlchemyUnitOfWork) -> Any:
        with uow:
            uow.connection.exec_driver_sql("SELECT * FROM no_such_table")

    attempts.clear()
    with pytest.raises(StorageError):
        services.retrying(counted(broken), uow)
    assert attempts == [1]
