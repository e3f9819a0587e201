"""The event feed (SPEC §11) on the in-memory adapter: the services' input checks, the
feed against what the in-process notifier published, the in-memory positions (the last id
read), what a page costs, rollbacks through the undo journal, and waking followers."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryStore, InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.feed import START, ConsumerPosition
from hotel_occupancy.domain.legacy import TakenOver
from hotel_occupancy.services.feed import MAX_LIMIT
from tests.support import FakeClock, World, make_world

WAIT = 10.0
"""The longest a thread is waited for (seconds); only reached by a hang."""

Op = ho.Operation


def ids(events: Sequence[ho.OccupancyEvent]) -> list[int]:
    return [e.entry_id for e in events]


def day(world: World) -> None:
    """Some operations of hotels H and H2, interleaved."""
    world.second_hotel()
    world.checked_in("R101", 2)
    world.checked_in("R2-101", hotel_id="H2", staff_id="fd2")
    world.dirty("R102")
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R103", staff_id="fd")
    services.checkout_room(world.uow, room_id="R2-101", staff_id="fd2")
    world.clean("R101")
    services.checkout_room(world.uow, room_id="R103", staff_id="fd")


def history(hotel_id: str = "H", staff_id: str = "fd") -> ho.LogEntry:
    """An entry imported from a legacy audit column (history, not an event)."""
    return ho.LogEntry(
        id=0,
        hotel_id=hotel_id,
        room_id=None,
        operation=Op.CHECKOUT,
        performed_by=staff_id,
        status_before=None,
        status_after=None,
        condition_before=None,
        condition_after=None,
        timestamp=FakeClock()(),
        metadata={"imported": True, "action": "import", "legacy_column": "checked_out_at"},
    )


def dirty_draft(room_id: str = "R101") -> ho.LogEntry:
    return ho.LogEntry(
        id=0,
        hotel_id="H",
        room_id=room_id,
        operation=Op.STATUS_CHANGE,
        performed_by="hk",
        status_before=ho.OccupancyStatus.VACANT_CLEAN,
        status_after=ho.OccupancyStatus.VACANT_DIRTY,
        condition_before=ho.Condition.CLEAN,
        condition_after=ho.Condition.DIRTY,
        timestamp=FakeClock()(),
    )


@pytest.fixture
def world() -> World:
    return make_world()


# --- input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after",
    ["", "abc", "-1", "+1", " 1", "1 ", "01", "00", "1.0", "1_0", "\u0661", "9" * 201, -1, 1, 1.5],
)
def test_a_malformed_position_is_invalid_input(world: World, after: Any) -> None:
    """Positions are the decimal text the feed handed out: anything else is refused."""
    world.dirty("R101")
    with pytest.raises(ho.InvalidInput):
        services.read_feed(world.uow, after=after)
    with pytest.raises(ho.InvalidInput):
        services.wait_for_events(world.uow, after=after, timeout=0)


def test_a_position_past_the_end_of_the_store_is_invalid_input(world: World) -> None:
    """A position this store never handed out (beyond its last entry) is refused."""
    world.dirty("R101")
    assert services.read_feed(world.uow, after="1").events == ()
    with pytest.raises(ho.InvalidInput, match="past the end"):
        services.read_feed(world.uow, after="2")


def test_a_consumer_with_a_malformed_stored_position_is_refused(world: World) -> None:
    """consume and feed_status refuse a stored position this feed did not make."""
    world.dirty("R101")
    with world.uow:
        world.uow.feed.save_consumer(ConsumerPosition("odd", "x", world.clock()))
        world.uow.commit()
    with pytest.raises(ho.InvalidInput):
        services.consume(world.uow, consumer="odd", handler=lambda events: None)
    with pytest.raises(ho.InvalidInput):
        services.feed_status(world.uow)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1, True, 1.0, "5", None])
def test_a_limit_outside_1_to_max_limit_is_invalid_input(world: World, limit: Any) -> None:
    world.dirty("R101")
    with pytest.raises(ho.InvalidInput):
        services.read_feed(world.uow, limit=limit)
    with pytest.raises(ho.InvalidInput):
        services.consume(world.uow, consumer="c", handler=lambda events: None, limit=limit)


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_the_limits_at_the_edges_are_accepted(world: World, limit: int) -> None:
    world.dirty("R101")
    assert len(services.read_feed(world.uow, limit=limit).events) == 1


@pytest.mark.parametrize("consumer", ["", "   ", " c", None, 5, "x" * 1000, "a\nb"])
def test_a_consumer_name_that_is_not_an_id_is_invalid_input(world: World, consumer: Any) -> None:
    world.dirty("R101")
    with pytest.raises(ho.InvalidInput):
        services.consume(world.uow, consumer=consumer, handler=lambda events: None)
    assert services.feed_status(world.uow) == ()


@pytest.mark.parametrize("hotel_id", ["", "  ", 7])
def test_a_hotel_that_is_not_an_id_is_invalid_input(world: World, hotel_id: Any) -> None:
    with pytest.raises(ho.InvalidInput):
        services.read_feed(world.uow, hotel_id=hotel_id)
    with pytest.raises(ho.InvalidInput):
        services.wait_for_events(world.uow, after=START, timeout=0, hotel_id=hotel_id)


@pytest.mark.parametrize("timeout", [-1, -0.1, True, "1", None])
def test_a_timeout_that_is_not_a_number_of_seconds_is_invalid_input(
    world: World, timeout: Any
) -> None:
    with pytest.raises(ho.InvalidInput):
        services.wait_for_events(world.uow, after=START, timeout=timeout)


def test_a_refused_call_stores_no_consumer_position(world: World) -> None:
    """Input errors are raised before any transaction: nothing is stored."""
    world.dirty("R101")
    with pytest.raises(ho.InvalidInput):
        services.consume(world.uow, consumer="c", handler=lambda events: None, limit=0)
    assert services.feed_status(world.uow) == ()


# --- the feed and the notifier --------------------------------------------------------------


def test_the_feed_gives_exactly_the_events_the_notifier_published(world: World) -> None:
    """From START, in pages of any size, the events read are the events published."""
    day(world)
    published = world.notifier.events
    assert len(published) == 10
    for limit in (1, 2, 3, 7, 500):
        events: list[ho.OccupancyEvent] = []
        after = START
        while True:
            page = services.read_feed(world.uow, after=after, limit=limit)
            events += page.events
            if page.position == after:
                break
            after = page.position
        assert events == published, limit


def test_the_position_is_the_last_id_read(world: World) -> None:
    """In memory a position is the text of the last id read (or looked past)."""
    day(world)
    first = services.read_feed(world.uow, limit=3)
    assert first.position == str(first.events[-1].entry_id) == "3"
    last = len(world.uow.snapshot().log)
    assert services.read_feed(world.uow).position == str(last)
    by_hotel = services.read_feed(world.uow, hotel_id="H2")
    assert by_hotel.position == str(last), "past the other hotel's entries at the end"
    some = services.read_feed(world.uow, hotel_id="H2", limit=1)
    assert some.position == str(some.events[0].entry_id), "not past H2's next entry"


def test_a_page_reads_only_the_entries_it_returns(world: World) -> None:
    """A page costs O(limit + log n): it fetches only the entries it returns, however long
    the log and however few entries belong to the hotel."""
    day(world)
    for _ in range(200):
        world.dirty("R104")
        world.clean("R104")
    store = world.uow.store

    class Counting(dict[int, ho.LogEntry]):
        reads = 0

        def __getitem__(self, key: int) -> ho.LogEntry:
            Counting.reads += 1
            return super().__getitem__(key)

    store.log.rows = Counting(store.log.rows)
    page = services.read_feed(world.uow, hotel_id="H2", limit=2)
    assert len(page.events) == 2
    assert Counting.reads == 2
    Counting.reads = 0
    rest = services.read_feed(world.uow, after=page.position, hotel_id="H2")
    assert Counting.reads == len(rest.events) == 1
    assert rest.position == str(len(store.log.rows))


def test_imported_history_moves_the_position_without_an_event(world: World) -> None:
    """History entries are counted in the lag and passed over by the position."""
    world.dirty("R101")
    with world.uow:
        world.uow.legacy.write(TakenOver(entries=(history(), history())))
        world.uow.commit()
    page = services.read_feed(world.uow, after="1", limit=2)
    assert (page.events, page.position) == ((), "3")
    services.consume(world.uow, consumer="c", handler=lambda events: None, limit=1)
    assert [(s.consumer, s.lag) for s in services.feed_status(world.uow)] == [("c", 2)]
    assert services.wait_for_events(world.uow, after="1", timeout=0) is False


def test_a_failed_legacy_write_leaves_the_feed_as_it_was(world: World) -> None:
    """A bulk write refused as AlreadyRegistered is undone whole, feed index included."""
    world.dirty("R101")
    with world.uow:
        with pytest.raises(ho.AlreadyRegistered):
            world.uow.legacy.write(
                TakenOver(hotels=(ho.Hotel("H", "again"),), entries=(history(),))
            )
        world.uow.commit()
    assert world.uow.store.feed_ids.ids[None] == [1]
    assert world.uow.store.feed_ids.ids["H"] == [1]
    entry = services.mark_dirty(world.uow, room_id="R102", staff_id="hk")[0]
    assert ids(services.read_feed(world.uow, after="1").events) == [entry.id] == [2]


def test_a_rolled_back_append_is_cut_from_the_feed_index(world: World) -> None:
    """Undoing a transaction cuts its ids from the ordered lists, overall and per hotel."""
    world.dirty("R104")
    uow = world.uow
    with uow:
        uow.log.append([dirty_draft("R101"), dirty_draft("R102")])
        uow.commit()
        uow.log.append([dirty_draft("R103")])
        uow.rollback()
        uow.log.append([dirty_draft("R103")])
    assert uow.store.feed_ids.ids[None] == [1, 2, 3]
    assert uow.store.feed_ids.ids["H"] == [1, 2, 3]
    with uow.reading():
        assert uow.feed.lag(START) == 3
        assert uow.feed.lag("2") == 1
        assert uow.feed.lag("3") == 0


def test_consumer_positions_are_journaled(world: World) -> None:
    """A consumer's position saved in a transaction that rolls back is gone."""
    world.dirty("R101")
    with world.uow:
        world.uow.feed.save_consumer(ConsumerPosition("c", "1", world.clock()))
    assert services.feed_status(world.uow) == ()
    with world.uow.reading(), pytest.raises(RuntimeError, match="read-only"):
        world.uow.feed.save_consumer(ConsumerPosition("c", "1", world.clock()))


def test_the_feed_is_only_usable_in_a_transaction_except_wait(world: World) -> None:
    with pytest.raises(RuntimeError, match="inside"):
        world.uow.feed.read(START, hotel_id=None, limit=1)
    world.uow.feed.wait(0)  # returns at once
    with world.uow.reading(), pytest.raises(RuntimeError, match="outside"):
        world.uow.feed.wait(0)


def test_a_transactional_handler_runs_inside_the_transaction(world: World) -> None:
    """The handler gets the unit of work in the write transaction that stores the position."""
    world.checked_in("R101")
    inside: list[bool] = []

    def handler(events: Sequence[ho.OccupancyEvent], uow: Any) -> None:
        inside.append(uow is world.uow and uow._journal is not None and not uow._read_only)
        assert uow.feed.consumer("tx") is None  # not stored yet

    assert services.consume(world.uow, consumer="tx", handler=handler, transactional=True) == 2
    assert inside == [True]


def test_a_consumer_is_given_only_events_and_moves_past_history(world: World) -> None:
    """A batch of only imported history calls no handler but moves the position."""
    with world.uow:
        world.uow.legacy.write(TakenOver(entries=(history(),)))
        world.uow.commit()
    calls: list[object] = []
    assert services.consume(world.uow, consumer="c", handler=calls.append) == 0
    assert calls == []
    assert [(s.position, s.lag) for s in services.feed_status(world.uow)] == [("1", 0)]


# --- waiting ---------------------------------------------------------------------------------


def test_every_follower_sharing_the_store_is_woken_by_one_commit(world: World) -> None:
    """Several threads waiting on units of work over one store all wake at one commit."""
    world.dirty("R101")
    store = world.uow.store
    woken: list[tuple[bool, float]] = []
    ready = threading.Barrier(4, timeout=WAIT)

    def follower() -> None:
        uow = InMemoryUnitOfWork(store=store)
        ready.wait()
        began = time.monotonic()
        woken.append((services.wait_for_events(uow, after="1", timeout=5), began))

    threads = [threading.Thread(target=follower) for _ in range(3)]
    for thread in threads:
        thread.start()
    ready.wait()
    time.sleep(0.1)
    writer = InMemoryUnitOfWork(store=store, clock=world.clock)
    services.mark_dirty(writer, room_id="R102", staff_id="hk")
    committed = time.monotonic()
    for thread in threads:
        thread.join(WAIT)
    assert [w for w, _ in woken] == [True] * 3
    assert time.monotonic() - committed < 0.9, "woken by the commit, not by polling"


def test_a_rolled_back_transaction_wakes_no_follower(world: World) -> None:
    """Only a commit that appended to the log notifies; a rollback leaves followers asleep."""
    world.dirty("R101")
    uow = world.uow
    services.read_feed(uow, after="1")
    writer = InMemoryUnitOfWork(store=uow.store, clock=world.clock)
    with writer:
        writer.log.append([dirty_draft("R102")])
    services.register_hotel(writer, hotel_id="H3", name="no log entry")
    began = time.monotonic()
    uow.feed.wait(0.3)
    assert time.monotonic() - began >= 0.25


def test_wait_returns_at_once_after_a_commit_it_did_not_see(world: World) -> None:
    """A commit between a follower's read and its wait is not lost: wait returns at once."""
    world.dirty("R101")
    uow = world.uow
    services.read_feed(uow, after="1")
    services.mark_dirty(InMemoryUnitOfWork(store=uow.store), room_id="R102", staff_id="hk")
    began = time.monotonic()
    uow.feed.wait(5)
    assert time.monotonic() - began < 1


def test_wait_for_events_with_a_zero_timeout_only_looks(world: World) -> None:
    world.dirty("R101")
    assert services.wait_for_events(world.uow, after=START, timeout=0) is True
    assert services.wait_for_events(world.uow, after="1", timeout=0) is False


def test_followers_in_threads_read_every_event_once_while_writers_commit() -> None:
    """Two writer threads and a follower thread on one store: the follower, waiting and
    reading, ends with exactly the published events, in id order."""
    store = InMemoryStore()
    notifier = RecordingNotifier()
    clock = FakeClock()
    world = World(InMemoryUnitOfWork(store=store, notifier=notifier, clock=clock), notifier, clock)
    world.main_hotel()
    world.second_hotel()
    lock = threading.Lock()

    def stamp() -> Any:
        with lock:
            return clock()

    done = threading.Event()
    read: list[ho.OccupancyEvent] = []

    def writer(room_id: str, staff_id: str) -> None:
        uow = InMemoryUnitOfWork(store=store, notifier=notifier, clock=stamp)
        for _ in range(15):
            services.mark_dirty(uow, room_id=room_id, staff_id=staff_id)
            services.start_cleaning(uow, room_id=room_id, staff_id=staff_id)
            services.complete_cleaning(uow, room_id=room_id, staff_id=staff_id)

    def follower() -> None:
        uow = InMemoryUnitOfWork(store=store)
        after = START
        while True:
            finished = done.is_set()
            page = services.read_feed(uow, after=after, limit=4)
            read.extend(page.events)
            if page.position == after and finished:
                return
            after = page.position
            services.wait_for_events(uow, after=after, timeout=0.05)

    threads = [
        threading.Thread(target=writer, args=("R101", "hk")),
        threading.Thread(target=writer, args=("R2-101", "mgr2")),
    ]
    reader = threading.Thread(target=follower)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    done.set()
    reader.join(WAIT)
    assert len(notifier.events) == 90
    assert read == sorted(notifier.events, key=lambda e: e.entry_id)
    assert ids(read) == list(range(1, 91))
