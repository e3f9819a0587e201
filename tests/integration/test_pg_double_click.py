"""A double-click: two concurrent calls with the same ``request_id`` (issue 10, item 1; I15).

The first call is held up by a lock a third session holds on the room's occupancy row (on
PostgreSQL), on the SQLite database (its write lock) or on the in-memory store (its lock),
and the second call arrives while the first is waiting. Once the third session lets go,
both calls must return the very same log entries, and the operation must be applied and
logged once, on every adapter. On PostgreSQL the second call is started only once the
first is seen waiting for the row lock, and released only once it is seen waiting too, so
the calls overlap exactly as in the double-click that failed.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, select

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.adapters.sqlalchemy.schema import occupancies
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.services.ports import UnitOfWork
from tests.integration.hotels import occupied_and_arriving
from tests.integration.sessions import WAIT, until, waiting_for_locks


@dataclass(frozen=True)
class Click:
    """The call clicked twice: a service, its arguments, and the room it locks."""

    service: Callable[..., tuple[ho.LogEntry, ...]]
    kwargs: dict[str, Any]
    room_id: str
    operations: tuple[ho.Operation, ...]


CLICKS = {
    "checkout_room": Click(
        services.checkout_room,
        {"room_id": "R1", "staff_id": "fd", "request_id": "co-1"},
        "R1",
        (ho.Operation.CHECKOUT,),
    ),
    "assign_room": Click(
        services.assign_room,
        {"booking_id": "B2", "room_id": "R2", "staff_id": "fd", "request_id": "as-1"},
        "R2",
        (ho.Operation.ASSIGN, ho.Operation.CHECKIN),
    ),
}


# --- the adapters ------------------------------------------------------------------------------


@dataclass
class Store:
    """One store on one adapter: a unit of work per thread over it, a way for a third
    party to hold what the calls need, and a way to see that a call is waiting for it."""

    name: str
    new_uow: Callable[[], SqlAlchemyUnitOfWork | InMemoryUnitOfWork]
    holding: Callable[[str], contextlib.AbstractContextManager[None]]
    waiting: Callable[[], int] | None = None
    """How many calls are waiting for a lock, where the store can tell (PostgreSQL)."""


def postgres_store(engine: Engine) -> Store:
    @contextlib.contextmanager
    def holding(room_id: str) -> Iterator[None]:
        with engine.connect() as conn, conn.begin():
            query = select(occupancies.c.room_id).where(occupancies.c.room_id == room_id)
            assert conn.execute(query.with_for_update()).scalar_one() == room_id
            yield

    return Store(
        "postgresql",
        lambda: SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier()),
        holding,
        lambda: waiting_for_locks(engine),
    )


def sqlite_store(engine: Engine) -> Store:
    @contextlib.contextmanager
    def holding(room_id: str) -> Iterator[None]:
        with engine.connect() as conn, conn.begin():  # BEGIN IMMEDIATE: the write lock
            yield

    return Store(
        "sqlite", lambda: SqlAlchemyUnitOfWork(engine, notifier=RecordingNotifier()), holding
    )


def memory_store() -> Store:
    store = InMemoryStore()

    @contextlib.contextmanager
    def holding(room_id: str) -> Iterator[None]:
        with store.lock:  # every transaction holds it from `with uow:` to its end
            yield

    return Store(
        "memory", lambda: InMemoryUnitOfWork(store=store, notifier=RecordingNotifier()), holding
    )


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Store:
    """The in-memory store, a fresh SQLite file, or the session's PostgreSQL emptied."""
    if request.param == "memory":
        return memory_store()
    if request.param == "sqlite":
        return sqlite_store(request.getfixturevalue("sqlite_engine"))
    return postgres_store(request.getfixturevalue("postgres_engine"))


# --- the calls ------------------------------------------------------------------------------


@dataclass
class Caller:
    """A thread making one call on its own unit of work, recording what it got."""

    uow: UnitOfWork
    call: Callable[[UnitOfWork], tuple[ho.LogEntry, ...]]
    started: threading.Event = field(default_factory=threading.Event)
    entries: tuple[ho.LogEntry, ...] | None = None
    error: BaseException | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.started.set()
        try:
            self.entries = self.call(self.uow)
        except BaseException as error:
            self.error = error
            self.detail = "".join(traceback.format_exception(error))

    def start(self) -> None:
        self.thread.start()
        assert self.started.wait(WAIT)

    def join(self) -> None:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "a call hung"


def click_twice(store: Store, click: Click, first: UnitOfWork | None = None) -> list[Caller]:
    """Make ``click``'s call twice at once while the room is held, as described above;
    ``first``: the unit of work of the first call (default: a new one)."""
    callers = [
        Caller(
            first if i == 0 and first is not None else store.new_uow(),
            lambda uow: click.service(uow, **click.kwargs),
        )
        for i in range(2)
    ]
    with store.holding(click.room_id):
        callers[0].start()
        if store.waiting is not None:
            waiting = store.waiting
            until(lambda: waiting() >= 1, "the first call waits for the room's lock")
        callers[1].start()
        if store.waiting is not None:
            waiting = store.waiting
            until(lambda: waiting() >= 2, "the second call waits too")
    for caller in callers:
        caller.join()
    return callers


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize("click_name", list(CLICKS))
def test_a_double_click_returns_the_same_entries_to_both_calls_on_every_adapter(
    store: Store, click_name: str
) -> None:
    """Two concurrent calls with one request_id both get the entries of one applied call."""
    click = CLICKS[click_name]
    occupied_and_arriving(store.new_uow())
    before = store.new_uow().snapshot()

    callers = click_twice(store, click)

    for caller in callers:
        assert caller.error is None, caller.detail
    first, second = (caller.entries for caller in callers)
    assert first is not None
    assert tuple(e.operation for e in first) == click.operations
    assert second == first
    after = store.new_uow().snapshot()
    assert check_invariants(after) == []
    new = [e for e in after.log if e not in before.log]
    assert tuple(new) == first
    assert len(after.request_ids - before.request_ids) == 1
    published = [e for c in callers for e in c.uow.notifier.events]  # type: ignore[attr-defined]
    assert [e.entry_id for e in published] == [e.id for e in first]


def test_a_double_click_whose_first_call_rolls_back_lets_the_second_one_act(
    postgres_engine: Engine,
) -> None:
    """If the first of two same-id calls rolls back, the waiting second one does the work."""
    store = postgres_store(postgres_engine)
    click = CLICKS["checkout_room"]
    occupied_and_arriving(store.new_uow())
    before = store.new_uow().snapshot()

    class Failure(RuntimeError):
        pass

    first = SqlAlchemyUnitOfWork(postgres_engine, notifier=RecordingNotifier())

    def fail_instead_of_committing() -> None:
        raise Failure("the first call fails just before its commit")

    first.commit = fail_instead_of_committing  # type: ignore[method-assign]
    callers = click_twice(store, click, first=first)

    assert isinstance(callers[0].error, Failure), callers[0].detail
    assert callers[1].error is None, callers[1].detail
    entries = callers[1].entries
    assert entries is not None
    assert [e.operation for e in entries] == [ho.Operation.CHECKOUT]
    after = store.new_uow().snapshot()
    assert check_invariants(after) == []
    assert [e for e in after.log if e not in before.log] == list(entries)
    assert {e.request_id for e in entries} == {"co-1"}
