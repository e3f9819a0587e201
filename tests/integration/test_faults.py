"""Faults on real databases: processes killed mid-stream, and failures inside a transaction.

A process doing one operation after another on a SQLite file is killed with SIGKILL at a
random moment, again and again; every time the reopened database is sound and every room
is exactly where its log says. And a failure injected after any repository call of an
operation (a real constraint violation, a real database failure, or a bug) rolls the whole
operation back: the store and the published events are as before, and database errors
reach the caller as domain errors.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy import exc as sa_exc

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    StorageError,
    create_engine,
    create_schema,
)
from hotel_occupancy.adapters.sqlalchemy.schema import hotels
from hotel_occupancy.domain.invariants import check_invariants

WAIT = 60.0
"""The longest any wait may last (seconds); never reached when things work."""

HOTEL = "H"
ROOMS = [f"K{i}" for i in range(1, 7)]
BOOKINGS = 300
KILLS = 6
CONTINUATION = 60
"""Operations run in the test's own process after the last kill."""
SEED = 20260310


def register_booking(uow: SqlAlchemyUnitOfWork, booking_id: str) -> None:
    services.register_booking(
        uow,
        hotel_id=HOTEL,
        booking_id=booking_id,
        reference=f"REF-{booking_id}",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[
            ho.BookingGuest(f"{booking_id}-g0", "Ada", booking_id),
            ho.BookingGuest(f"{booking_id}-g1", "Bob", booking_id),
        ],
    )


def build_hotel(uow: SqlAlchemyUnitOfWork, rooms: list[str], *, require_inspection: bool) -> None:
    """Hotel ``H`` with the rooms and one staff member per role the cycle needs."""
    services.register_hotel(
        uow, hotel_id=HOTEL, name="Fault Hotel", require_inspection=require_inspection
    )
    for staff_id, role in (
        ("fd", ho.StaffRole.FRONT_DESK),
        ("hk", ho.StaffRole.HOUSEKEEPING),
        ("sup", ho.StaffRole.SUPERVISOR),
    ):
        services.register_staff(uow, hotel_id=HOTEL, staff_id=staff_id, name=staff_id, role=role)
    for number, room_id in enumerate(rooms, start=1):
        services.register_room(uow, hotel_id=HOTEL, room_id=room_id, number=str(number))


# --- the stream of operations a killed process runs ------------------------------------------


class GuestCycles:
    """Full guest cycles on the pre-built hotel, one operation per :meth:`step`, going round
    the rooms: an inspected vacant room takes the next fresh booking (assign and check in)
    while fewer than half the rooms are occupied; an in-house guest moves once to an
    inspected room, then checks out; a vacated room is cleaned and inspected. With no fresh
    booking left, inspected rooms are marked dirty, so the stream never ends. It starts from
    whatever state it finds."""

    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        self.uow = uow
        snapshot = uow.snapshot()
        held = {o.booking_id for o in snapshot.occupancies}
        self.fresh = sorted(
            b.booking_id
            for b in snapshot.bookings
            if b.checked_in_at is None and b.checked_out_at is None and b.booking_id not in held
        )
        self.turn = 0

    def step(self) -> tuple[ho.LogEntry, ...]:
        """Perform the next operation; return its entries."""
        board = services.room_board(self.uow, HOTEL)
        for offset in range(len(board)):
            index = (self.turn + offset) % len(board)
            action = self.action(board, board[index])
            if action is not None:
                self.turn = index + 1
                return action()
        raise AssertionError(f"no operation applies to any room: {board}")

    def action(
        self, board: Sequence[ho.BoardRow], row: ho.BoardRow
    ) -> Callable[[], tuple[ho.LogEntry, ...]] | None:
        """The next operation for the room of ``row``, or None for none just now."""
        uow, room_id = self.uow, row.room_id
        if row.status is ho.OccupancyStatus.OCCUPIED:
            assert row.booking_id is not None
            history = services.booking_history(uow, row.booking_id)
            if any(e.operation is ho.Operation.MOVE for e in history):
                return partial(services.checkout_room, uow, room_id=room_id, staff_id="fd")
            targets = [r.room_id for r in board if is_ready(r)]
            if not targets:
                return None
            return partial(
                services.move_guest, uow, from_room_id=room_id, to_room_id=targets[0], staff_id="fd"
            )
        if row.condition is ho.Condition.DIRTY:
            return partial(services.start_cleaning, uow, room_id=room_id, staff_id="hk")
        if row.condition is ho.Condition.CLEANING:
            return partial(services.complete_cleaning, uow, room_id=room_id, staff_id="hk")
        if row.condition is ho.Condition.CLEAN:
            return partial(services.inspect_room, uow, room_id=room_id, staff_id="sup")
        if not self.fresh:
            return partial(services.mark_dirty, uow, room_id=room_id, staff_id="hk")
        occupied = [r for r in board if r.status is ho.OccupancyStatus.OCCUPIED]
        if 2 * len(occupied) >= len(board):
            return None
        return partial(self.assign, room_id)

    def assign(self, room_id: str) -> tuple[ho.LogEntry, ...]:
        booking_id = self.fresh.pop(0)
        return services.assign_room(self.uow, booking_id=booking_id, room_id=room_id, staff_id="fd")


def is_ready(row: ho.BoardRow) -> bool:
    """A vacant, unassigned, inspected room: ready for a guest."""
    return (
        row.status is ho.OccupancyStatus.VACANT_CLEAN
        and row.condition is ho.Condition.INSPECTED
        and row.booking_id is None
    )


def run_cycles_forever(url: str, started: Any, errors: str) -> None:  # pragma: no cover
    """The body of the process to kill: guest cycles on its own engine until killed.
    ``started`` is set after its first operation; any error is written to ``errors``."""
    try:
        engine = create_engine(url)
        cycles = GuestCycles(SqlAlchemyUnitOfWork(engine))
        cycles.step()
        started.set()
        while True:
            cycles.step()
    except BaseException:
        Path(errors).write_text(traceback.format_exc())
        raise


def test_a_process_killed_in_the_middle_of_its_operations_leaves_a_sound_database(
    tmp_path: Path,
) -> None:
    """A process killed with SIGKILL mid-stream, six times, leaves a sound database each time."""
    database = tmp_path / "hotel.db"
    url = f"sqlite:///{database}"
    engine = create_engine(url)
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine)
    build_hotel(uow, ROOMS, require_inspection=True)
    for i in range(BOOKINGS):
        register_booking(uow, f"B{i:03d}")
    engine.dispose()

    ctx = multiprocessing.get_context("spawn")
    rng = random.Random(SEED)
    errors = tmp_path / "child-error.txt"
    logged = [0]
    for kill in range(KILLS):
        started = ctx.Event()
        child = ctx.Process(target=run_cycles_forever, args=(url, started, str(errors)))
        child.start()
        try:
            deadline = time.monotonic() + WAIT
            while child.is_alive() and time.monotonic() < deadline and not started.wait(0.05):
                pass
            if started.is_set():
                time.sleep(rng.uniform(0.2, 1.0))
            error = errors.read_text() if errors.exists() else ""
            assert child.is_alive(), f"kill {kill}: the process died by itself:\n{error}"
            assert started.is_set(), f"kill {kill}: the process never started working"
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join(WAIT)
            assert child.exitcode == -signal.SIGKILL
        finally:
            if child.is_alive():
                child.kill()
                child.join(WAIT)

        reopened = create_engine(url)
        try:
            with reopened.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            snapshot = SqlAlchemyUnitOfWork(reopened).snapshot()
        finally:
            reopened.dispose()
        assert check_invariants(snapshot) == [], f"after kill {kill}"
        assert len(snapshot.log) > logged[-1], f"kill {kill}: no operation was applied"
        logged.append(len(snapshot.log))

    assert logged == sorted(set(logged))

    # the store left by the last kill is still usable: full cycles go on in this process
    engine = create_engine(url)
    try:
        uow = SqlAlchemyUnitOfWork(engine)
        for i in range(len(ROOMS)):
            register_booking(uow, f"C{i:03d}")
        cycles = GuestCycles(uow)
        applied = [e for _ in range(CONTINUATION) for e in cycles.step()]
        assert check_invariants(SqlAlchemyUnitOfWork(engine).snapshot()) == []
    finally:
        engine.dispose()
    assert {e.operation for e in applied} >= {
        ho.Operation.ASSIGN,
        ho.Operation.CHECKIN,
        ho.Operation.MOVE,
        ho.Operation.CHECKOUT,
        ho.Operation.CLEAN_START,
        ho.Operation.CLEAN_COMPLETE,
        ho.Operation.INSPECT,
    }


# --- failures inside a transaction -------------------------------------------------------------

REPOSITORIES = (
    "hotels",
    "rooms",
    "staff",
    "bookings",
    "occupancies",
    "guests",
    "tasks",
    "log",
    "requests",
)
WRITES = {"add", "add_many", "update", "update_many", "remove_many", "append"}

Step = tuple[str, str]
"""(repository, method) of one repository call."""


class InjectedBug(RuntimeError):
    """A failure that is not a database error (a bug in an adapter, say)."""


class _Counted(Exception):
    """Raised instead of committing once the calls of an operation are counted."""


@dataclass(frozen=True)
class OperationCall:
    """One operation service, called on a unit of work with fixed arguments."""

    name: str
    call: Callable[[SqlAlchemyUnitOfWork], tuple[ho.LogEntry, ...]]
    operations: tuple[ho.Operation, ...]


OPERATIONS = {
    "assign_room": OperationCall(
        "assign_room",
        lambda uow: services.assign_room(
            uow, booking_id="NEW", room_id="F1", staff_id="fd", request_id="req-assign"
        ),
        (ho.Operation.ASSIGN, ho.Operation.CHECKIN),
    ),
    "checkout_room": OperationCall(
        "checkout_room",
        lambda uow: services.checkout_room(
            uow, room_id="F2", staff_id="fd", request_id="req-checkout"
        ),
        (ho.Operation.CHECKOUT,),
    ),
    "move_guest": OperationCall(
        "move_guest",
        lambda uow: services.move_guest(
            uow, from_room_id="F2", to_room_id="F3", staff_id="fd", request_id="req-move"
        ),
        (ho.Operation.MOVE,),
    ),
}


@dataclass(frozen=True)
class Fault:
    """What goes wrong after a repository call, and what the caller must see."""

    name: str
    cause: Callable[[SqlAlchemyUnitOfWork], None]
    expected: type[Exception]
    database_error: type[sa_exc.DBAPIError] | None = None
    """The database's own error, which the expected domain error must carry as its cause."""


def duplicate_key(uow: SqlAlchemyUnitOfWork) -> None:
    """A real unique-constraint violation from the database."""
    columns = [column.name for column in hotels.c]
    uow.connection.execute(insert(hotels).from_select(columns, select(hotels)))


def database_failure(uow: SqlAlchemyUnitOfWork) -> None:
    """A real OperationalError: on SQLite a statement the database cannot run, on
    PostgreSQL the server ending the connection in the middle of the transaction."""
    if uow.engine.dialect.name == "sqlite":
        uow.connection.exec_driver_sql("SELECT * FROM no_such_table")
    else:
        uow.connection.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")


def bug(uow: SqlAlchemyUnitOfWork) -> None:
    raise InjectedBug("injected failure")


FAULTS = {
    "integrity-error": Fault(
        "integrity-error", duplicate_key, ho.ConcurrencyConflict, sa_exc.IntegrityError
    ),
    "operational-error": Fault(
        "operational-error", database_failure, StorageError, sa_exc.OperationalError
    ),
    "bug": Fault("bug", bug, InjectedBug),
}


def arrange(engine: Engine) -> None:
    """Room F1 vacant and clean with booking NEW arriving; F2 occupied by booking IN (two
    guests, stayover cleaning started: its condition CLEANING with a task in progress);
    F3 vacant and clean."""
    uow = SqlAlchemyUnitOfWork(engine)
    build_hotel(uow, ["F1", "F2", "F3"], require_inspection=False)
    register_booking(uow, "NEW")
    register_booking(uow, "IN")
    services.assign_room(uow, booking_id="IN", room_id="F2", staff_id="fd")
    services.mark_dirty(uow, room_id="F2", staff_id="hk")
    services.start_cleaning(uow, room_id="F2", staff_id="hk")


def recording(calls: list[Step], step: Step, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, appending ``step`` to ``calls`` each time it is called."""

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(step)
        return real(*args, **kwargs)

    return spy


def count_calls(engine: Engine, operation: OperationCall) -> list[Step]:
    """The repository calls ``operation`` makes, in order: a spy records them, and the
    transaction is abandoned instead of committed."""
    uow = SqlAlchemyUnitOfWork(engine)
    calls: list[Step] = []
    for repository in REPOSITORIES:
        repo = getattr(uow, repository)
        for method in dir(type(repo)):
            if method.startswith("_"):
                continue

            setattr(repo, method, recording(calls, (repository, method), getattr(repo, method)))

    def abandon() -> None:
        raise _Counted

    uow.commit = abandon  # type: ignore[method-assign]
    with pytest.raises(_Counted):
        operation.call(uow)
    return calls


def failing_after(uow: SqlAlchemyUnitOfWork, step: Step, nth: int, fault: Fault) -> None:
    """Make the ``nth`` call of ``step`` on ``uow`` run, then fail with ``fault``."""
    repository, method = step
    repo = getattr(uow, repository)
    real = getattr(repo, method)
    seen = [0]

    def faulty(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        seen[0] += 1
        if seen[0] == nth:
            fault.cause(uow)
        return result

    setattr(repo, method, faulty)


def raised_by(
    call: Callable[[SqlAlchemyUnitOfWork], object], uow: SqlAlchemyUnitOfWork
) -> BaseException:
    """The exception ``call(uow)`` raises, whatever it is."""
    try:
        call(uow)
    except Exception as error:
        return error
    pytest.fail("the operation succeeded despite the injected failure")


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("operation_name", list(OPERATIONS))
def test_a_failure_after_any_repository_call_rolls_the_whole_operation_back(
    engine: Engine, operation_name: str, fault_name: str
) -> None:
    """A failure after any repository call rolls it all back; DB errors become domain errors."""
    operation, fault = OPERATIONS[operation_name], FAULTS[fault_name]
    arrange(engine)
    before = SqlAlchemyUnitOfWork(engine).snapshot()
    calls = count_calls(engine, operation)
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before
    assert {method for _, method in calls} & WRITES, "the operation wrote nothing"
    assert calls[-2:] == [("requests", "add"), ("log", "append")]

    injected = 0
    for step, total in Counter(calls).items():
        for nth in range(1, total + 1):
            notifier = RecordingNotifier()
            uow = SqlAlchemyUnitOfWork(engine, notifier=notifier)
            failing_after(uow, step, nth, fault)
            where = f"{fault.name} after call {nth} of {step[0]}.{step[1]}"
            error = raised_by(operation.call, uow)
            assert type(error) is fault.expected, f"{where}: {error!r}"
            if fault.database_error is not None:
                assert isinstance(error, ho.RoomOccupancyError), where
                assert isinstance(error.__cause__, fault.database_error), f"{where}: {error!r}"
            assert notifier.events == [], f"{where}: events were published"
            assert SqlAlchemyUnitOfWork(engine).snapshot() == before, f"{where}: state changed"
            injected += 1
    assert injected == len(calls)

    notifier = RecordingNotifier()
    entries = operation.call(SqlAlchemyUnitOfWork(engine, notifier=notifier))
    assert tuple(e.operation for e in entries) == operation.operations
    assert [e.entry_id for e in notifier.events] == [e.id for e in entries]
    after = SqlAlchemyUnitOfWork(engine).snapshot()
    assert check_invariants(after) == []
    assert len(after.log) == len(before.log) + len(entries)
    assert len(after.request_ids - before.request_ids) == 1


def fail_the_commit(uow: SqlAlchemyUnitOfWork) -> None:
    """Make the coming COMMIT fail for real: on SQLite a foreign key violation deferred to
    COMMIT, on PostgreSQL the server ending the connection (from another session) just
    before it."""
    conn = uow.connection
    if uow.engine.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        conn.exec_driver_sql(
            "UPDATE ho_occupancies SET assigned_by = 'nobody' WHERE room_id = 'F3'"
        )
        return
    pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with uow.engine.connect() as other:
        ended = other.execute(
            text("SELECT pg_terminate_backend(:pid, :wait_ms)"), {"pid": pid, "wait_ms": 10_000}
        ).scalar_one()
    assert ended is True


@pytest.mark.parametrize("operation_name", list(OPERATIONS))
def test_a_commit_that_fails_changes_nothing_and_leaves_the_database_usable(
    engine: Engine, operation_name: str
) -> None:
    """A failed COMMIT changes nothing, publishes nothing, and leaves the database usable."""
    operation = OPERATIONS[operation_name]
    arrange(engine)
    before = SqlAlchemyUnitOfWork(engine).snapshot()

    notifier = RecordingNotifier()
    uow = SqlAlchemyUnitOfWork(engine, notifier=notifier)
    real_commit = uow.commit
    failed: list[bool] = []

    def commit() -> None:
        fail_the_commit(uow)
        failed.append(True)
        real_commit()

    uow.commit = commit  # type: ignore[method-assign]
    error = raised_by(operation.call, uow)
    assert failed == [True]
    assert isinstance(error, ho.ConcurrencyConflict | StorageError), repr(error)
    assert isinstance(error.__cause__, sa_exc.DBAPIError), repr(error)
    assert notifier.events == []
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before

    notifier = RecordingNotifier()
    entries = operation.call(SqlAlchemyUnitOfWork(engine, notifier=notifier))
    assert tuple(e.operation for e in entries) == operation.operations
    assert [e.entry_id for e in notifier.events] == [e.id for e in entries]
    assert check_invariants(SqlAlchemyUnitOfWork(engine).snapshot()) == []
