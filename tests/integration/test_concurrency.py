"""Concurrency on real databases: threads and separate processes racing for one room.

Every race runs on a SQLite file and on the session's PostgreSQL server, once with eight
threads (each with its own unit of work over the shared engine) and once with four
processes started with the ``spawn`` method (each with its own engine, made from the
database URL). The workers are released together by a barrier. Afterwards exactly one
worker has won, every other worker got a domain error, the store is sound, and the log and
the published events hold exactly the winner's entries.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import multiprocessing
import os
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.engine import Connection

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from hotel_occupancy.adapters.sqlalchemy.engine import BUSY_TIMEOUT_MS
from hotel_occupancy.adapters.sqlalchemy.schema import occupancies
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from tests.integration.hotels import build_hotel

THREADS = 8
PROCESSES = 4
WAIT = 60.0
"""The longest any barrier, join or queue read may wait (seconds); never reached when
things work, it only bounds a hang."""


# --- what a worker does and what it reports (all picklable, for spawned processes) -------

EntrySummary = tuple[int, str, str, str | None, str | None]
"""(entry id, operation, room id, booking id, from room id) of a log entry or event."""


@dataclass(frozen=True)
class Call:
    """One service call: the service's name in ``hotel_occupancy.services`` and its
    keyword arguments (the unit of work comes first, supplied by the worker)."""

    service: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What one worker's call did: the entries it returned and the events its notifier
    received, or the error it raised (its class name, whether it is a domain error, and the
    traceback, to report a failure precisely)."""

    entries: tuple[EntrySummary, ...] = ()
    events: tuple[EntrySummary, ...] = ()
    error: str | None = None
    domain_error: bool = False
    detail: str = ""
    pid: int = 0

    @property
    def won(self) -> bool:
        return self.error is None


def _summary(item: ho.LogEntry | ho.OccupancyEvent) -> EntrySummary:
    entry_id = item.id if isinstance(item, ho.LogEntry) else item.entry_id
    return (entry_id, item.operation.value, item.room_id, item.booking_id, item.from_room_id)


def perform(
    uow: SqlAlchemyUnitOfWork,
    call: Callable[[SqlAlchemyUnitOfWork], tuple[ho.LogEntry, ...]],
    start: Callable[[], object],
) -> Outcome:
    """Wait for the start signal, make ``call`` on ``uow`` and report what happened."""
    notifier = uow.notifier
    assert isinstance(notifier, RecordingNotifier)
    start()
    try:
        entries = call(uow)
    except Exception as error:
        return Outcome(
            events=tuple(_summary(e) for e in notifier.events),
            error=type(error).__name__,
            domain_error=isinstance(error, ho.RoomOccupancyError),
            detail="".join(traceback.format_exception(error)),
        )
    return Outcome(
        entries=tuple(_summary(e) for e in entries),
        events=tuple(_summary(e) for e in notifier.events),
    )


def service_call(call: Call) -> Callable[[SqlAlchemyUnitOfWork], tuple[ho.LogEntry, ...]]:
    """``call`` as a function of the unit of work."""
    return functools.partial(getattr(services, call.service), **call.kwargs)


_POOL_BARRIER: Any = None
"""In a pool process: the barrier shared by the pool's processes."""


def join_pool(barrier: Any) -> None:  # pragma: no cover - runs in a spawned process
    """Initialise a pool process with the pool's barrier."""
    global _POOL_BARRIER
    _POOL_BARRIER = barrier


def pool_ready() -> int:  # pragma: no cover - runs in a spawned process
    """Wait until every pool process is up; return this process's id."""
    _POOL_BARRIER.wait(WAIT)
    return os.getpid()


def process_worker(url: str, call: Call) -> Outcome:  # pragma: no cover - spawned process
    """The body of a worker process: its own engine from ``url``, one connection opened
    before the race so that the race is about the operation, then ``call``."""
    try:
        engine = create_engine(url)
        try:
            with engine.connect():
                pass
            uow = SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier())
            outcome = perform(uow, service_call(call), lambda: _POOL_BARRIER.wait(WAIT))
        finally:
            engine.dispose()
    except BaseException as error:  # report anything, even a broken barrier
        outcome = Outcome(error=type(error).__name__, detail=traceback.format_exc())
    return dataclasses.replace(outcome, pid=os.getpid())


# --- running workers -----------------------------------------------------------------------


def run_threads(engine: Engine, calls: list[Call]) -> list[Outcome]:
    """Each call in its own thread with its own unit of work, released together."""
    barrier = threading.Barrier(len(calls), timeout=WAIT)
    outcomes: list[Outcome | None] = [None] * len(calls)

    def work(index: int) -> None:
        uow = SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier())
        try:
            outcomes[index] = perform(uow, service_call(calls[index]), barrier.wait)
        except BaseException as error:
            outcomes[index] = Outcome(error=type(error).__name__, detail=traceback.format_exc())

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    assert all(o is not None for o in outcomes)
    return [o for o in outcomes if o is not None]


@dataclass
class ProcessPool:
    """``PROCESSES`` spawned processes sharing a barrier; each race gives each one call."""

    executor: ProcessPoolExecutor
    barrier: Any


@pytest.fixture(scope="module")
def process_pool() -> Iterator[ProcessPool]:
    """Worker processes started with the ``spawn`` method, once for the module (starting
    a Python process is the slow part; each race still opens its own engines)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    executor = ProcessPoolExecutor(
        PROCESSES, mp_context=ctx, initializer=join_pool, initargs=(barrier,)
    )
    try:
        ready = [executor.submit(pool_ready) for _ in range(PROCESSES)]
        pids = {future.result(WAIT) for future in ready}
        assert len(pids) == PROCESSES
        assert os.getpid() not in pids
        yield ProcessPool(executor, barrier)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def run_processes(pool: ProcessPool, url: str, calls: list[Call]) -> list[Outcome]:
    """Each call in its own process with its own engine, released together. Every call
    waits at the pool's barrier, so no process can take two of them: each runs in a
    different process."""
    assert len(calls) == PROCESSES
    pool.barrier.reset()  # in case an earlier race broke it
    futures = [pool.executor.submit(process_worker, url, call) for call in calls]
    outcomes = [future.result(WAIT) for future in futures]
    assert len({o.pid for o in outcomes}) == PROCESSES
    assert os.getpid() not in {o.pid for o in outcomes}
    return outcomes


@dataclass
class Backend:
    """A database for a race: the test's engine and the URL a spawned process connects to."""

    name: str
    engine: Engine
    url: str


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """A fresh SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        engine: Engine = request.getfixturevalue("sqlite_engine")
        return Backend("sqlite", engine, engine.url.render_as_string(hide_password=False))
    engine = request.getfixturevalue("postgres_engine")
    return Backend("postgresql", engine, request.getfixturevalue("postgres_url"))


@dataclass
class Race:
    """A race about to run: its calls, and how many log entries there were before it."""

    backend: Backend
    runner: Runner
    calls: list[Call]
    before: StoreSnapshot
    outcomes: list[Outcome] = field(default_factory=list)

    def run(self) -> list[Outcome]:
        self.outcomes = self.runner.run(self.backend, self.calls)
        return self.outcomes


@dataclass
class Runner:
    """How the workers of a race run: threads sharing the engine, or processes."""

    workers: int
    pool: ProcessPool | None = None

    def run(self, backend: Backend, calls: list[Call]) -> list[Outcome]:
        if self.pool is None:
            return run_threads(backend.engine, calls)
        return run_processes(self.pool, backend.url, calls)


@pytest.fixture(params=["threads", "processes"])
def runner(request: pytest.FixtureRequest) -> Runner:
    """Race with threads sharing the engine, or with spawned processes."""
    if request.param == "threads":
        return Runner(THREADS)
    return Runner(PROCESSES, request.getfixturevalue("process_pool"))


# --- building the hotel ---------------------------------------------------------------------


def uow_on(engine: Engine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier())


def check_in(uow: SqlAlchemyUnitOfWork, booking_id: str, room_id: str) -> None:
    services.assign_room(uow, booking_id=booking_id, room_id=room_id, staff_id="fd")


# --- what every race must leave behind -------------------------------------------------------


def the_winner(race: Race, allowed: set[str]) -> tuple[int, Outcome, StoreSnapshot]:
    """Assert what every race leaves: one winner, domain errors for the others, a sound
    store, and a log and events holding exactly the winner's entries. Returns the winner's
    index, its outcome and the store afterwards."""
    outcomes = race.outcomes
    winners = [i for i, o in enumerate(outcomes) if o.won]
    report = "\n".join(
        f"worker {i}: {o.error or 'won'}\n{o.detail}" for i, o in enumerate(outcomes)
    )
    assert len(winners) == 1, report
    for outcome in outcomes:
        if not outcome.won:
            assert outcome.domain_error, outcome.detail
            assert outcome.error in allowed, outcome.detail
            assert outcome.events == (), "a refused call published events"
    index = winners[0]
    winner = outcomes[index]
    assert winner.entries, "the winner returned no log entries"
    assert winner.events == winner.entries, "the winner's events differ from its entries"

    after = uow_on(race.backend.engine).snapshot()
    assert check_invariants(after) == []
    known = {e.id for e in race.before.log}
    new = tuple(_summary(e) for e in after.log if e.id not in known)
    assert Counter(e[1] for e in new) == Counter(e[1] for e in winner.entries)
    assert new == winner.entries
    published = [e for o in outcomes for e in o.events]
    assert published == list(winner.entries)
    return index, winner, after


def occupancy_of(snapshot: StoreSnapshot, room_id: str) -> ho.RoomOccupancy:
    return next(o for o in snapshot.occupancies if o.room_id == room_id)


def booking_of(snapshot: StoreSnapshot, booking_id: str) -> ho.Booking:
    return next(b for b in snapshot.bookings if b.booking_id == booking_id)


def rooms_holding(snapshot: StoreSnapshot, booking_id: str) -> list[str]:
    return [o.room_id for o in snapshot.occupancies if o.booking_id == booking_id]


def prepare(
    backend: Backend, runner: Runner, arrange: Callable[[SqlAlchemyUnitOfWork, int], list[Call]]
) -> Race:
    uow = uow_on(backend.engine)
    calls = arrange(uow, runner.workers)
    return Race(backend, runner, calls, uow.snapshot())


# --- the races ------------------------------------------------------------------------------


def test_only_one_of_many_bookings_racing_for_one_room_gets_it(
    backend: Backend, runner: Runner
) -> None:
    """Bookings racing for one room: one gets it; the others get a domain error, leave no trace."""

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        bookings = [f"A{i}" for i in range(n)]
        build_hotel(uow, ["RA"], bookings)
        return [
            Call("assign_room", {"booking_id": b, "room_id": "RA", "staff_id": "fd"})
            for b in bookings
        ]

    race = prepare(backend, runner, arrange)
    race.run()
    index, winner, after = the_winner(race, {"RoomNotAvailable", "ConcurrencyConflict"})

    won = race.calls[index].kwargs["booking_id"]
    room = occupancy_of(after, "RA")
    assert (room.status, room.booking_id) == (ho.OccupancyStatus.OCCUPIED, won)
    assert [e[1] for e in winner.entries] == ["ASSIGN", "CHECKIN"]
    assert [b.booking_id for b in after.bookings if b.in_house] == [won]
    assert {g.booking_id for g in after.guests} == {won}
    for call in race.calls:
        if call.kwargs["booking_id"] != won:
            assert rooms_holding(after, call.kwargs["booking_id"]) == []


def test_one_booking_racing_into_many_rooms_lands_in_exactly_one(
    backend: Backend, runner: Runner
) -> None:
    """One booking raced into many rooms is checked into exactly one; the others stay vacant."""

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        rooms = [f"RB{i}" for i in range(n)]
        build_hotel(uow, rooms, ["B"])
        return [
            Call("assign_room", {"booking_id": "B", "room_id": r, "staff_id": "fd"}) for r in rooms
        ]

    race = prepare(backend, runner, arrange)
    race.run()
    index, _, after = the_winner(race, {"BookingNotAssignable", "ConcurrencyConflict"})

    won = race.calls[index].kwargs["room_id"]
    assert rooms_holding(after, "B") == [won]
    assert booking_of(after, "B").in_house
    assert len([g for g in after.guests if g.in_house]) == 1
    for call in race.calls:
        room_id = call.kwargs["room_id"]
        if room_id != won:
            room = occupancy_of(after, room_id)
            assert (room.status, room.booking_id) == (ho.OccupancyStatus.VACANT_CLEAN, None)


def test_only_one_of_many_guests_moving_into_one_room_gets_it(
    backend: Backend, runner: Runner
) -> None:
    """Guests racing to move into one room: one moves in, the others stay where they were."""

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        sources = [f"RC{i}" for i in range(n)]
        build_hotel(uow, [*sources, "RCT"], [f"C{i}" for i in range(n)])
        for i, room_id in enumerate(sources):
            check_in(uow, f"C{i}", room_id)
        return [
            Call("move_guest", {"from_room_id": r, "to_room_id": "RCT", "staff_id": "fd"})
            for r in sources
        ]

    race = prepare(backend, runner, arrange)
    race.run()
    index, winner, after = the_winner(race, {"RoomNotAvailable", "ConcurrencyConflict"})

    moved_from = race.calls[index].kwargs["from_room_id"]
    moved = f"C{index}"
    target = occupancy_of(after, "RCT")
    assert (target.status, target.booking_id) == (ho.OccupancyStatus.OCCUPIED, moved)
    assert [e[1] for e in winner.entries] == ["MOVE"]
    left = occupancy_of(after, moved_from)
    assert (left.status, left.booking_id) == (ho.OccupancyStatus.VACANT_DIRTY, None)
    for i, call in enumerate(race.calls):
        if i != index:
            stayed = occupancy_of(after, call.kwargs["from_room_id"])
            assert (stayed.status, stayed.booking_id) == (ho.OccupancyStatus.OCCUPIED, f"C{i}")
    assert all(rooms_holding(after, b.booking_id) != [] for b in after.bookings)


def test_a_room_checked_out_by_many_workers_at_once_is_checked_out_once(
    backend: Backend, runner: Runner
) -> None:
    """Workers checking out one room at once: one checkout is applied, logged and announced."""

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        build_hotel(uow, ["RD"], ["D"])
        check_in(uow, "D", "RD")
        return [Call("checkout_room", {"room_id": "RD", "staff_id": "fd"}) for _ in range(n)]

    race = prepare(backend, runner, arrange)
    race.run()
    _, winner, after = the_winner(race, {"RoomNotOccupied", "ConcurrencyConflict"})

    room = occupancy_of(after, "RD")
    assert (room.status, room.booking_id) == (ho.OccupancyStatus.VACANT_DIRTY, None)
    assert [e[1] for e in winner.entries] == ["CHECKOUT"]
    assert booking_of(after, "D").checked_out
    assert len([e for e in after.log if e.operation is ho.Operation.CHECKOUT]) == 1
    turnovers = [t for t in after.tasks if t.is_open and t.kind is ho.TaskKind.TURNOVER]
    assert [t.room_id for t in turnovers] == ["RD"]


def test_one_call_repeated_by_many_workers_with_one_request_id_acts_once_for_all_of_them(
    backend: Backend, runner: Runner
) -> None:
    """Workers repeating one checkout under one request_id (a double-click, many times over):
    it is applied, logged and announced once, and every worker gets its entries (I15)."""

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        build_hotel(uow, ["RQ"], ["Q"])
        check_in(uow, "Q", "RQ")
        kwargs = {"room_id": "RQ", "staff_id": "fd", "request_id": "double-click"}
        return [Call("checkout_room", kwargs) for _ in range(n)]

    race = prepare(backend, runner, arrange)
    outcomes = race.run()

    report = "\n".join(f"worker {i}: {o.error or 'ok'}\n{o.detail}" for i, o in enumerate(outcomes))
    assert all(o.won for o in outcomes), report
    (entries,) = {o.entries for o in outcomes}
    assert [e[1] for e in entries] == ["CHECKOUT"]
    after = uow_on(backend.engine).snapshot()
    assert check_invariants(after) == []
    known = {e.id for e in race.before.log}
    assert tuple(_summary(e) for e in after.log if e.id not in known) == entries
    assert [e for o in outcomes for e in o.events] == list(entries)  # announced once
    assert len(after.request_ids - race.before.request_ids) == 1


# --- retrying ---------------------------------------------------------------------------------


@dataclass
class Attempts:
    """What the attempts of each worker raised, recorded as they happen."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    conflicts: Counter[int] = field(default_factory=Counter)
    calls: Counter[int] = field(default_factory=Counter)

    def counted(self, index: int, service: Callable[..., Any]) -> Callable[..., Any]:
        """``service``, recording each of its attempts for worker ``index``."""

        @functools.wraps(service)
        def attempt(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.calls[index] += 1
            try:
                return service(*args, **kwargs)
            except ho.ConcurrencyConflict:
                with self.lock:
                    self.conflicts[index] += 1
                raise

        return attempt

    def all_conflicted(self, workers: int) -> bool:
        with self.lock:
            return all(self.conflicts[i] >= 1 for i in range(workers))


def impatient_engine(backend: Backend, impatient: threading.Event) -> Engine:
    """An engine on the backend whose transactions, while ``impatient`` is set, give up
    waiting for a lock almost at once (a 20 ms SQLite busy timeout, a 50 ms PostgreSQL lock
    timeout), so that a held lock makes them raise ConcurrencyConflict; otherwise they wait
    as usual."""
    if backend.name == "sqlite":
        engine = create_engine(backend.url)

        @event.listens_for(engine, "checkout")  # before BEGIN IMMEDIATE waits for the lock
        def busy_timeout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
            ms = 20 if impatient.is_set() else BUSY_TIMEOUT_MS
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {ms}")
            cursor.close()

        return engine
    engine = create_engine(backend.url)

    @event.listens_for(engine, "begin")
    def lock_timeout(conn: Connection) -> None:
        if impatient.is_set():
            conn.exec_driver_sql("SET LOCAL lock_timeout = '50ms'")

    return engine


@contextlib.contextmanager
def holding_locks(backend: Backend, room_ids: list[str]) -> Iterator[None]:
    """A transaction holding what the workers need: SQLite's write lock, or the rooms'
    occupancy rows on PostgreSQL (so the workers fail in the middle of their transaction,
    after they have locked their booking). Rolled back on leaving the block."""
    with backend.engine.connect() as conn, conn.begin():
        if backend.name == "postgresql":
            query = select(occupancies.c.room_id).where(occupancies.c.room_id.in_(room_ids))
            locked = conn.execute(query.with_for_update()).scalars().all()
            assert sorted(locked) == sorted(room_ids)
        # on SQLite, BEGIN IMMEDIATE has taken the write lock
        yield


def test_retrying_turns_lock_conflicts_into_success_and_publishes_each_event_once(
    backend: Backend,
) -> None:
    """Check-ins blocked by a held lock conflict, then succeed on retry; each event is sent once."""
    n = THREADS
    rooms = [f"RR{i}" for i in range(n)]
    bookings = [f"R{i}" for i in range(n)]
    uow = uow_on(backend.engine)
    build_hotel(uow, rooms, bookings)
    before = uow.snapshot()

    impatient = threading.Event()
    impatient.set()
    engine = impatient_engine(backend, impatient)
    attempts = Attempts()
    outcomes: list[Outcome | None] = [None] * n

    def work(i: int) -> None:
        worker_uow = SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier())
        call = functools.partial(
            services.Retrying(attempts=12, backoff=0.005),
            attempts.counted(i, services.assign_room),
            booking_id=bookings[i],
            room_id=rooms[i],
            staff_id="fd",
        )
        try:
            outcomes[i] = perform(worker_uow, lambda u: call(u), lambda: None)
        except BaseException as error:
            outcomes[i] = Outcome(error=type(error).__name__, detail=traceback.format_exc())

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(n)]
    try:
        with holding_locks(backend, rooms):
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + WAIT
            while not attempts.all_conflicted(n) and time.monotonic() < deadline:
                time.sleep(0.005)
            impatient.clear()  # from now on the retries wait for the lock
            assert attempts.all_conflicted(n), f"conflicts seen: {dict(attempts.conflicts)}"
        deadline = time.monotonic() + WAIT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in threads), "a worker thread hung"
    finally:
        engine.dispose()

    done = [o for o in outcomes if o is not None]
    assert len(done) == n
    for outcome in done:
        assert outcome.won, outcome.detail
        assert [e[1] for e in outcome.entries] == ["ASSIGN", "CHECKIN"]
        assert outcome.events == outcome.entries
    assert all(attempts.calls[i] > attempts.conflicts[i] >= 1 for i in range(n))

    after = uow_on(backend.engine).snapshot()
    assert check_invariants(after) == []
    known = {e.id for e in before.log}
    new = sorted(_summary(e) for e in after.log if e.id not in known)
    assert new == sorted(e for o in done for e in o.entries)
    assert sorted(e for o in done for e in o.events) == new
    assert Counter(e[1] for e in new) == {"ASSIGN": n, "CHECKIN": n}
    assert len(after.request_ids - before.request_ids) == n
    for room_id, booking_id in zip(rooms, bookings, strict=True):
        assert occupancy_of(after, room_id).booking_id == booking_id


def test_a_retry_after_a_commit_whose_answer_was_lost_replays_instead_of_acting_twice(
    backend: Backend,
) -> None:
    """A retry after a commit whose answer was lost replays it: one check-in, events sent once."""
    uow = uow_on(backend.engine)
    build_hotel(uow, ["RL"], ["L"])
    before = uow.snapshot()

    notifier = RecordingNotifier()
    worker = SqlAlchemyUnitOfWork(backend.engine, notifier=notifier)
    real_commit = worker.commit
    lost: list[bool] = []

    def commit_then_lose_the_answer() -> None:
        real_commit()
        if not lost:
            lost.append(True)
            raise ho.ConcurrencyConflict("the connection dropped after COMMIT")

    worker.commit = commit_then_lose_the_answer  # type: ignore[method-assign]
    entries = services.retrying(
        services.assign_room, worker, booking_id="L", room_id="RL", staff_id="fd"
    )

    assert lost == [True]
    after = uow_on(backend.engine).snapshot()
    assert check_invariants(after) == []
    known = {e.id for e in before.log}
    new = [e for e in after.log if e.id not in known]
    assert [e.operation for e in new] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    assert list(entries) == new
    assert [e.entry_id for e in notifier.events] == [e.id for e in new]
    assert len(after.request_ids - before.request_ids) == 1


def test_a_night_audit_fired_by_many_callers_at_once_runs_once(
    backend: Backend, runner: Runner
) -> None:
    """A scheduler firing the night audit from several workers at once: one set of entries is
    written, every caller gets those very entries back, and only one published them."""
    business_date = datetime.now(UTC).date()  # the guests checked in today: a night due

    def arrange(uow: SqlAlchemyUnitOfWork, n: int) -> list[Call]:
        rooms = [f"RN{i}" for i in range(3)]
        build_hotel(uow, rooms, ["N0", "N1"])
        check_in(uow, "N0", "RN0")
        check_in(uow, "N1", "RN1")
        return [
            Call(
                "night_audit",
                {"hotel_id": "H", "business_date": business_date, "staff_id": "fd"},
            )
            for _ in range(n)
        ]

    race = prepare(backend, runner, arrange)
    outcomes = race.run()
    report = "\n".join(f"worker {i}: {o.error}\n{o.detail}" for i, o in enumerate(outcomes))
    assert all(o.won for o in outcomes), report
    entries = {o.entries for o in outcomes}
    assert len(entries) == 1, report
    (written,) = entries
    assert [(e[1], e[2]) for e in written] == [("NIGHT_AUDIT", "RN0"), ("NIGHT_AUDIT", "RN1")]
    publishers = [o for o in outcomes if o.events]
    assert len(publishers) == 1
    assert publishers[0].events == written
    after = uow_on(backend.engine).snapshot()
    audited = [e for e in after.log if e.operation is ho.Operation.NIGHT_AUDIT]
    assert [e.id for e in audited] == [e[0] for e in written]
    assert check_invariants(after) == []
