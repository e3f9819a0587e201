"""Deadlocks between two operations on PostgreSQL (issue 10, item 5c).

Each case interleaves two operations deterministically, in two threads with their own
connections: the first takes its first ``k`` row locks and pauses; the second starts and
takes its own (or is seen waiting for one of the first's); then both go on. Every pair
here deadlocked before (one of the two got ConcurrencyConflict from PostgreSQL's deadlock
detector, SQLSTATE 40P01). The pause is counted in locking statements sent to the server
(``FOR ... UPDATE``), not in repository calls, so the cases keep their meaning however
the services come to order their reads.

Found with a storm of 16 processes making random operations on 8 rooms (5% of the
operations were deadlock victims):

- a room's operation (mark_dirty, cleaning...) on a room holding a booking, against an
  operation that locks that booking first (check_in, unassign, reassign, assign): the log
  entry (or task) naming the booking took a KEY SHARE lock on it for its foreign key, which
  the other's ``FOR UPDATE`` blocked. Fixed in the adapter: rows are locked ``FOR NO KEY
  UPDATE``, which foreign-key checks do not wait for;
- checkout or move (the room first, then its booking) against check_in, unassign, assign
  or reassign of that booking (the booking first, then its room). Made deadlock-free in
  the adapter: a booking asked for while the transaction holds a room is locked
  ``NOWAIT``, so the room's operation fails at once with ConcurrencyConflict (safe to
  retry) instead of deadlocking; the services locking the booking first would remove the
  conflict too (see the last section);
- two operations locking two rooms in opposite orders (moves between two occupied rooms,
  reassignments swapping two rooms, a move into a room whose booking is being reassigned
  to the mover's room). These need the services to lock an operation's rooms in one
  order (ascending ``room_id``); the last section states what they must do, and fails
  until they do.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from hotel_occupancy.domain.invariants import check_invariants
from tests.integration.hotels import build_hotel
from tests.integration.sessions import WAIT, until, waiting_for_locks

LOCKING = ("FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "FOR KEY SHARE")


# --- the hotel -------------------------------------------------------------------------------


MANAGER = ("mgr", ho.StaffRole.MANAGER)


def in_house(uow: SqlAlchemyUnitOfWork, booking_id: str, room_id: str) -> None:
    services.assign_room(uow, booking_id=booking_id, room_id=room_id, staff_id="mgr")


def pre_assigned(uow: SqlAlchemyUnitOfWork, booking_id: str, room_id: str) -> None:
    services.assign_room(
        uow, booking_id=booking_id, room_id=room_id, staff_id="mgr", check_in=False
    )


# --- two operations, interleaved -------------------------------------------------------------


@dataclass
class Worker:
    """One operation in a thread of its own, pausing after its ``pause_after``-th locking
    statement until told to go on."""

    name: str
    call: Callable[[SqlAlchemyUnitOfWork], object]
    pause_after: int
    uow: SqlAlchemyUnitOfWork
    locking_statements: int = 0
    paused: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def _run(self) -> None:
        try:
            self.call(self.uow)
        except BaseException as error:
            self.error = error
            self.detail = "".join(traceback.format_exception(error))
        finally:
            self.done.set()

    def after_locking_statement(self) -> None:
        self.locking_statements += 1
        if self.locking_statements == self.pause_after:
            self.paused.set()
            assert self.go.wait(WAIT), f"{self.name} was never told to go on"

    @property
    def sqlstate(self) -> str | None:
        cause = self.error.__cause__ if self.error is not None else None
        if isinstance(cause, sa_exc.DBAPIError):
            return getattr(cause.orig, "sqlstate", None)
        return None

    def outcome(self) -> str:
        """``ok``, the error's class name, with the SQLSTATE for a ConcurrencyConflict."""
        if self.error is None:
            return "ok"
        name = type(self.error).__name__
        return f"{name}:{self.sqlstate}" if isinstance(self.error, ho.ConcurrencyConflict) else name


@pytest.fixture
def workers_engine(postgres_engine: Engine, postgres_url: str) -> Iterator[Engine]:
    """An engine for the two workers (the session's database, emptied), whose sessions
    detect a deadlock after 50 ms instead of PostgreSQL's default 1 s."""
    engine = create_engine(postgres_url)

    @event.listens_for(engine, "connect")
    def detect_deadlocks_early(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("SET deadlock_timeout = '50ms'")
        dbapi_connection.commit()

    yield engine
    engine.dispose()


def interleave(
    engine: Engine,
    observer: Engine,
    first: tuple[Callable[[SqlAlchemyUnitOfWork], object], int],
    second: tuple[Callable[[SqlAlchemyUnitOfWork], object], int],
) -> tuple[Worker, Worker]:
    """Run ``first`` until its k-th locking statement, then ``second`` until its own (or
    until it waits for a lock), then let both go on; return both once they are done."""
    workers = [
        Worker(name, call, k, SqlAlchemyUnitOfWork(engine))
        for name, (call, k) in (("first", first), ("second", second))
    ]
    by_thread = {id(w.thread): w for w in workers}

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        worker = by_thread.get(id(threading.current_thread()))
        if worker is not None and any(clause in statement for clause in LOCKING):
            worker.after_locking_statement()

    event.listen(engine, "after_cursor_execute", count)
    try:
        a, b = workers
        a.thread.start()
        until(lambda: a.paused.is_set() or a.done.is_set(), "the first operation has its locks")
        b.thread.start()
        until(
            lambda: b.paused.is_set() or b.done.is_set() or waiting_for_locks(observer) >= 1,
            "the second operation has its locks, or waits for the first's",
        )
        for worker in workers:
            worker.go.set()
        for worker in workers:
            worker.thread.join(WAIT)
            assert not worker.thread.is_alive(), f"{worker.name} hung"
    finally:
        event.remove(engine, "after_cursor_execute", count)
    return a, b


def report(*workers: Worker) -> str:
    return "\n".join(f"{w.name}: {w.outcome()}\n{w.detail}" for w in workers)


def assert_sound(engine: Engine) -> None:
    assert check_invariants(SqlAlchemyUnitOfWork(engine).snapshot()) == []


# --- fixed in the adapter: foreign keys and bookings locked out of order -----------------------


@dataclass(frozen=True)
class Case:
    """Two operations that deadlocked, the hotel they run in, and what each must get."""

    arrange: Callable[[SqlAlchemyUnitOfWork], None]
    first: tuple[Callable[[SqlAlchemyUnitOfWork], object], int]
    second: tuple[Callable[[SqlAlchemyUnitOfWork], object], int]
    outcomes: tuple[set[str], set[str]]


def _room_pre_assigned(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1"], ["B1"], staff=MANAGER)
    pre_assigned(uow, "B1", "R1")


def _room_occupied(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1"], ["B1"], staff=MANAGER)
    in_house(uow, "B1", "R1")


def _room_occupied_and_a_room_ready(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1", "R2"], ["B1"], staff=MANAGER)
    in_house(uow, "B1", "R1")


def _check_in(booking_id: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.check_in(uow, booking_id=booking_id, staff_id="mgr")


def _unassign(booking_id: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.unassign_room(uow, booking_id=booking_id, staff_id="mgr")


def _mark_dirty(room_id: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.mark_dirty(uow, room_id=room_id, staff_id="mgr")


def _checkout(room_id: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.checkout_room(uow, room_id=room_id, staff_id="mgr")


def _move(source: str, target: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.move_guest(
        uow, from_room_id=source, to_room_id=target, staff_id="mgr"
    )


def _reassign(booking_id: str, target: str) -> Callable[[SqlAlchemyUnitOfWork], object]:
    return lambda uow: services.reassign_room(
        uow, booking_id=booking_id, to_room_id=target, staff_id="mgr"
    )


REFUSED_AT_ONCE = "ConcurrencyConflict:55P03"
"""A booking asked for out of the canonical order, and held by the other: NOWAIT."""

ADAPTER_CASES = {
    # the booking's log entry (and task) took a KEY SHARE lock that FOR UPDATE blocked
    "check_in vs mark_dirty of its pre-assigned room": Case(
        _room_pre_assigned,
        (_check_in("B1"), 1),
        (_mark_dirty("R1"), 1),
        ({"RoomNotAvailable"}, {"ok"}),  # the room was dirty by the time it was checked
    ),
    "unassign vs mark_dirty of its occupied room": Case(
        _room_occupied,
        (_unassign("B1"), 1),
        (_mark_dirty("R1"), 1),
        ({"ok"}, {"ok"}),
    ),
    # the room first, then its booking; against the booking first, then its room
    "unassign vs checkout of the same stay": Case(
        _room_occupied,
        (_unassign("B1"), 1),
        (_checkout("R1"), 1),
        ({"ok"}, {REFUSED_AT_ONCE, "RoomNotOccupied"}),
    ),
    "unassign vs move of the same stay": Case(
        _room_occupied_and_a_room_ready,
        (_unassign("B1"), 1),
        (_move("R1", "R2"), 2),
        ({"ok"}, {REFUSED_AT_ONCE, "RoomNotOccupied"}),
    ),
    "check_in vs checkout of the same stay": Case(
        _room_occupied,
        (_check_in("B1"), 1),
        (_checkout("R1"), 1),
        ({"BookingNotAssignable"}, {REFUSED_AT_ONCE, "ok"}),
    ),
}


@pytest.mark.parametrize("case_name", list(ADAPTER_CASES))
def test_two_operations_that_deadlocked_now_end_each_with_its_own_outcome(
    postgres_engine: Engine, workers_engine: Engine, case_name: str
) -> None:
    """Interleaved as they deadlocked before, the two operations end without a deadlock."""
    case = ADAPTER_CASES[case_name]
    case.arrange(SqlAlchemyUnitOfWork(postgres_engine))

    a, b = interleave(workers_engine, postgres_engine, case.first, case.second)

    assert "40P01" not in {a.sqlstate, b.sqlstate}, report(a, b)
    assert a.outcome() in case.outcomes[0], report(a, b)
    assert b.outcome() in case.outcomes[1], report(a, b)
    assert_sound(postgres_engine)


# --- needs the services: an operation's rows locked in one order -------------------------------


def _two_rooms_occupied(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1", "R2"], ["B1", "B2"], staff=MANAGER)
    in_house(uow, "B1", "R1")
    in_house(uow, "B2", "R2")


def _two_rooms_pre_assigned(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1", "R2"], ["B1", "B2"], staff=MANAGER)
    pre_assigned(uow, "B1", "R1")
    pre_assigned(uow, "B2", "R2")


def _one_occupied_one_pre_assigned(uow: SqlAlchemyUnitOfWork) -> None:
    build_hotel(uow, ["R1", "R2"], ["B1", "B2"], staff=MANAGER)
    in_house(uow, "B1", "R1")
    pre_assigned(uow, "B2", "R2")


SERVICE_CASES = {
    # each locks its source room, then the other's: both must be refused (targets taken)
    "moves between two occupied rooms in opposite directions": Case(
        _two_rooms_occupied,
        (_move("R1", "R2"), 1),
        (_move("R2", "R1"), 1),
        ({"RoomNotAvailable"}, {"RoomNotAvailable"}),
    ),
    # each locks its booking and its room, then the other's room
    "reassignments swapping two pre-assigned rooms": Case(
        _two_rooms_pre_assigned,
        (_reassign("B1", "R2"), 2),
        (_reassign("B2", "R1"), 2),
        ({"RoomNotAvailable"}, {"RoomNotAvailable"}),
    ),
    # the move locks R1 then R2; the reassignment B2, R2, then R1
    "a move into a room whose booking is reassigned to the mover's room": Case(
        _one_occupied_one_pre_assigned,
        (_move("R1", "R2"), 1),
        (_reassign("B2", "R1"), 2),
        ({"RoomNotAvailable"}, {"RoomNotAvailable"}),
    ),
    # with the booking locked first, the checkout waits for the undo and is then refused
    "unassign vs checkout of the same stay, without a conflict": Case(
        _room_occupied,
        (_unassign("B1"), 1),
        (_checkout("R1"), 1),
        ({"ok"}, {"RoomNotOccupied"}),
    ),
}


@pytest.mark.parametrize("case_name", list(SERVICE_CASES))
def test_two_operations_locking_the_same_rows_in_one_order_are_refused_cleanly(
    postgres_engine: Engine, workers_engine: Engine, case_name: str
) -> None:
    """Operations locking their booking, then their rooms in room_id order, never deadlock:
    each is refused as its state says, not with a ConcurrencyConflict."""
    case = SERVICE_CASES[case_name]
    case.arrange(SqlAlchemyUnitOfWork(postgres_engine))

    a, b = interleave(workers_engine, postgres_engine, case.first, case.second)

    assert not isinstance(a.error, ho.ConcurrencyConflict), report(a, b)
    assert not isinstance(b.error, ho.ConcurrencyConflict), report(a, b)
    assert a.outcome() in case.outcomes[0], report(a, b)
    assert b.outcome() in case.outcomes[1], report(a, b)
    assert_sound(postgres_engine)


# --- the adapter's part: locking in the canonical order, each row once ---------------------------


def test_locking_several_occupancy_records_takes_their_locks_in_ascending_room_order(
    postgres_engine: Engine, workers_engine: Engine
) -> None:
    """occupancies.lock(["R2", "R1"]) waiting for R1's lock does not yet hold R2's."""
    build_hotel(
        SqlAlchemyUnitOfWork(postgres_engine), ["R2", "R1"], [], staff=MANAGER
    )  # R2 stored first
    locked: list[set[str]] = []
    release = threading.Event()

    def lock_both() -> None:
        uow = SqlAlchemyUnitOfWork(workers_engine)
        with uow:
            locked.append(set(uow.occupancies.lock(["R2", "R1"])))
            release.wait(WAIT)

    worker = threading.Thread(target=lock_both, daemon=True)
    row = "SELECT room_id FROM ho_occupancies WHERE room_id = '{}' FOR UPDATE"
    with postgres_engine.connect() as holder, holder.begin():
        holder.exec_driver_sql(row.format("R1"))
        worker.start()
        until(lambda: waiting_for_locks(postgres_engine) >= 1, "the call waits for R1")
        with postgres_engine.connect() as probe, probe.begin():
            assert probe.exec_driver_sql(row.format("R2") + " NOWAIT").scalar_one() == "R2"
    until(lambda: bool(locked), "the call has both records")
    with (
        postgres_engine.connect() as probe,
        probe.begin(),
        pytest.raises(sa_exc.OperationalError),  # now it holds R2 too
    ):
        probe.exec_driver_sql(row.format("R2") + " NOWAIT")
    release.set()
    worker.join(WAIT)
    assert locked == [{"R1", "R2"}]


def test_rows_locked_in_a_write_transaction_are_read_from_the_database_once(
    engine: Engine,
) -> None:
    """The booking a room holds, then its rooms: two statements; reading them again, none."""
    uow = SqlAlchemyUnitOfWork(engine)
    build_hotel(uow, ["R1", "R2"], ["B1"], staff=MANAGER)
    in_house(uow, "B1", "R1")
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    with uow:
        event.listen(engine, "before_cursor_execute", record)
        try:
            booking = uow.bookings.held_by("R1")
            records = uow.occupancies.lock(["R2"], holding=["B1"])
            first = len(sent)
            again = (
                uow.bookings.get("B1"),
                uow.occupancies.get("R1"),
                uow.occupancies.get("R2"),
                uow.occupancies.for_booking("B1"),
                uow.occupancies.lock(["R1", "R2"], holding=["B1"]),
            )
        finally:
            event.remove(engine, "before_cursor_execute", record)

    assert first == 2
    assert len(sent) == first
    assert booking is not None
    assert booking.booking_id == "B1"
    assert sorted(records) == ["R1", "R2"]
    assert records["R1"].booking_id == "B1"
    assert again == (booking, records["R1"], records["R2"], records["R1"], records)
    with uow:  # a new transaction reads again
        assert uow.bookings.held_by("R2") is None
        assert uow.occupancies.get("R1") == records["R1"]
