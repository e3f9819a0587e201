"""The contract on the event feed (SPEC §11): the log read by other processes, consumers
and their stored positions, and waiting for events.

Each case is named after the behaviour of :class:`~hotel_occupancy.services.ports.
FeedRepository` (``uow.feed``) it checks, through the services that use it
(:func:`~hotel_occupancy.services.read_feed`, :func:`~hotel_occupancy.services.consume`,
:func:`~hotel_occupancy.services.feed_status`, :func:`~hotel_occupancy.services.
wait_for_events`). Positions are opaque: the cases only pass them back, and compare them
with ``uow.feed.precedes``.

The case on imported legacy history needs ``uow.legacy`` (a
:class:`~hotel_occupancy.services.ports.LegacyImportUnitOfWork`) and is skipped without
it. The case of a follower woken by another unit of work calls the factory a second time,
from another thread: that unit of work must work on the same storage as the first.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.domain.feed import START, ConsumerPosition
from hotel_occupancy.domain.legacy import TakenOver
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.testing.contract.scene import (
    CLEAN,
    DIRTY,
    HOTEL,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    UnitOfWorkFactory,
)

__all__ = ["FeedContract", "follow"]

WAIT = 10.0
"""The longest a thread is waited for (seconds); only reached by a hang."""

MAX_PAGES = 1000
"""More pages than any case needs: a follower still reading then is stuck."""


def follow(
    uow: UnitOfWork, after: str = START, *, hotel_id: str | None = None, limit: int = 500
) -> tuple[list[ho.OccupancyEvent], str, list[str]]:
    """Read pages from ``after`` until one brings no event and leaves the position where
    it was; return the events, the last position and every position handed out, checking
    on the way that no page is larger than ``limit`` and no position moves backwards."""
    events: list[ho.OccupancyEvent] = []
    positions = [after]
    for _ in range(MAX_PAGES):
        page = services.read_feed(uow, after=after, hotel_id=hotel_id, limit=limit)
        assert len(page.events) <= limit, f"a page of limit {limit} held {len(page.events)}"
        assert not precedes(uow, page.position, after), (
            f"read(after={after!r}) handed out the earlier position {page.position!r}"
        )
        events.extend(page.events)
        moved = page.position != after
        after = page.position
        positions.append(after)
        if not page.events and not moved:
            return events, after, positions
    raise AssertionError(f"the feed kept handing out pages after {MAX_PAGES} reads")


def precedes(uow: UnitOfWork, earlier: str, later: str) -> bool:
    """``uow.feed.precedes(earlier, later)``, in a read-only transaction."""
    with uow.reading():
        return uow.feed.precedes(earlier, later)


def entry_ids(events: Sequence[ho.OccupancyEvent]) -> list[int]:
    return [e.entry_id for e in events]


def status(uow: UnitOfWork, consumer: str) -> ho.ConsumerStatus | None:
    """The consumer's line of ``feed_status``, or None."""
    return next((s for s in services.feed_status(uow) if s.consumer == consumer), None)


def busy_day(scene: Scene) -> None:
    """Operations in hotels ``H`` and ``H2``, interleaved: nine entries, four of ``H2``."""
    scene.second_hotel()
    scene.checked_in("R101")  # H: ASSIGN, CHECKIN
    scene.checked_in("R2-101", hotel_id="H2", staff_id="fd2")  # H2: ASSIGN, CHECKIN
    scene.dirty("R102")  # H
    services.checkout_room(scene.uow, room_id="R2-101", staff_id="fd2")  # H2
    services.move_guest(scene.uow, from_room_id="R101", to_room_id="R103", staff_id="fd")  # H
    scene.dirty("R104")  # H
    services.start_cleaning(scene.uow, room_id="R2-101", staff_id="mgr2")


def draft(scene: Scene, room_id: str = "R101") -> ho.LogEntry:
    """A hand-built entry of hotel ``H``: room ``room_id`` (vacant clean) marked dirty by
    ``hk``, as ``mark_dirty`` would log it."""
    return ho.LogEntry(
        id=0,
        hotel_id=HOTEL,
        room_id=room_id,
        operation=Op.STATUS_CHANGE,
        performed_by="hk",
        status_before=VC,
        status_after=VD,
        condition_before=CLEAN,
        condition_after=DIRTY,
        timestamp=scene.clock(),
        metadata={"action": "mark_dirty"},
    )


def _write_later(writer: UnitOfWork) -> tuple[threading.Thread, list[BaseException]]:
    """A started thread that marks room ``R102`` dirty through ``writer`` after 0.2 s,
    and the list its error goes to."""
    errors: list[BaseException] = []

    def write() -> None:
        try:
            time.sleep(0.2)
            services.mark_dirty(writer, room_id="R102", staff_id="hk")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    return thread, errors


class FeedContract(SceneContract):
    """The event feed: reading from positions, the hotel filter, consumers, waiting."""

    # --- reading ----------------------------------------------------------------------------

    def test_feed_read_from_start_gives_every_committed_entry_s_event_in_id_order(
        self, scene: Scene
    ) -> None:
        """read_feed(after=START) gives the event of every stored entry, by id: the events
        the notifier received."""
        busy_day(scene)
        page = services.read_feed(scene.uow, after=START)
        log = sorted(scene.snapshot().log, key=lambda e: e.id)
        assert len(log) == 9
        assert list(page.events) == [ho.OccupancyEvent.from_entry(e) for e in log]
        assert list(page.events) == scene.notifier.events
        assert precedes(scene.uow, START, page.position)
        assert services.read_feed(scene.uow, after=0).events == page.events, "0 is START"

    def test_feed_read_pages_of_limit_follow_positions_without_loss_or_duplicate(
        self, scene: Scene
    ) -> None:
        """Following the positions with pages of 2 gives every event once, in id order, and
        each position comes after the one before."""
        busy_day(scene)
        events, last, positions = follow(scene.uow, limit=2)
        assert events == scene.notifier.events
        assert len(set(entry_ids(events))) == len(events)
        moved = [p for p, q in itertools.pairwise(positions) if p != q]
        for earlier, later in itertools.pairwise(moved):
            assert precedes(scene.uow, earlier, later)
        assert services.read_feed(scene.uow, after=last).events == ()
        services.mark_dirty(scene.uow, room_id="R201", staff_id="hk")
        page = services.read_feed(scene.uow, after=last, limit=2)
        assert list(page.events) == scene.notifier.events[-1:], "the next entry follows"

    def test_feed_read_with_a_hotel_gives_only_that_hotel_and_its_positions_follow(
        self, scene: Scene
    ) -> None:
        """With hotel_id, pages hold only that hotel's events, all of them, in id order;
        the position moves past the other hotels' entries but not past the hotel's own."""
        busy_day(scene)
        published = scene.notifier.events
        for hotel_id in (HOTEL, "H2"):
            events, _, _ = follow(scene.uow, hotel_id=hotel_id, limit=2)
            assert events == [e for e in published if e.hotel_id == hotel_id], hotel_id
        _, last, _ = follow(scene.uow, hotel_id=HOTEL, limit=1)
        services.start_cleaning(scene.uow, room_id="R102", staff_id="hk")  # H
        services.complete_cleaning(scene.uow, room_id="R2-101", staff_id="mgr2")  # H2
        services.complete_cleaning(scene.uow, room_id="R102", staff_id="hk")  # H
        newer = scene.notifier.events[-3:]
        first = services.read_feed(scene.uow, after=last, hotel_id=HOTEL, limit=1)
        assert list(first.events) == [newer[0]]
        second = services.read_feed(scene.uow, after=first.position, hotel_id=HOTEL, limit=1)
        assert list(second.events) == [newer[2]], "the H2 entry between is passed over"
        after_all = services.read_feed(scene.uow, after=second.position, hotel_id=HOTEL)
        assert after_all.events == ()
        other = services.read_feed(scene.uow, after=first.position, hotel_id="H2")
        assert list(other.events) == [newer[1]], "H's position is not past H2's entry"

    def test_feed_read_of_a_hotel_without_entries_moves_past_the_others(self, scene: Scene) -> None:
        """A hotel with no entries reads nothing, and its position moves on past the other
        hotels' entries (a follower of it does not read them again)."""
        busy_day(scene)
        page = services.read_feed(scene.uow, hotel_id="NO-SUCH-HOTEL")
        assert page.events == ()
        assert precedes(scene.uow, START, page.position)
        assert services.read_feed(scene.uow, after=page.position).events == ()

    def test_feed_read_refuses_a_position_the_adapter_did_not_make(self, scene: Scene) -> None:
        """read with a malformed position is InvalidInput."""
        scene.dirty("R101")
        with pytest.raises(ho.InvalidInput):
            services.read_feed(scene.uow, after="not a position!")

    def test_feed_a_refused_operation_adds_nothing(self, scene: Scene) -> None:
        """A refused call leaves nothing to read and the lag as it was."""
        scene.checked_in("R101")
        _, last, _ = follow(scene.uow)
        services.consume(scene.uow, consumer="watcher", handler=lambda events: None)
        scene.refused(ho.RoomNotOccupied, services.checkout_room, room_id="R102", staff_id="fd")
        booking_id = scene.booking()
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="fd",
        )
        assert services.read_feed(scene.uow, after=last).events == ()
        watcher = status(scene.uow, "watcher")
        assert watcher is not None
        assert watcher.lag == 0

    def test_feed_a_rolled_back_transaction_adds_nothing(self, scene: Scene) -> None:
        """Entries appended in a transaction that is not committed are never read, and
        the next committed entry is read at once."""
        scene.dirty("R104")
        _, last, _ = follow(scene.uow)
        uow = scene.uow
        with uow:
            uow.log.append([draft(scene)])
            uow.rollback()
        with uow:
            uow.log.append([draft(scene, "R102")])  # the block ends without commit()
        assert services.read_feed(uow, after=last).events == ()
        with uow.reading():
            assert uow.feed.lag(last) == 0
        entry = services.mark_dirty(uow, room_id="R101", staff_id="hk")[0]
        assert entry_ids(services.read_feed(uow, after=last).events) == [entry.id]

    def test_feed_imported_history_is_not_an_event_but_the_position_moves_past_it(
        self, scene: Scene
    ) -> None:
        """An entry imported from legacy audit columns is history: read_feed gives no event
        for it, yet its position moves past it, and the next entry is read after it."""
        uow = scene.uow
        legacy = getattr(uow, "legacy", None)
        if legacy is None:
            pytest.skip("the adapter has no `legacy` repository to write imported history")
        scene.dirty("R104")
        _, last, _ = follow(uow)
        history = ho.LogEntry(
            id=0,
            hotel_id=HOTEL,
            room_id=None,
            operation=Op.CHECKIN,
            performed_by="fd",
            status_before=None,
            status_after=None,
            condition_before=None,
            condition_after=None,
            timestamp=scene.clock(),
            metadata={"imported": True, "action": "import", "legacy_column": "checked_in_at"},
        )
        with uow:
            legacy.write(TakenOver(entries=(history,)))
            uow.commit()
        page = services.read_feed(uow, after=last, limit=1)
        assert page.events == ()
        assert precedes(uow, last, page.position), "the position moves past history"
        entry = services.mark_dirty(uow, room_id="R101", staff_id="hk")[0]
        assert entry_ids(services.read_feed(uow, after=page.position).events) == [entry.id]
        assert entry_ids(services.read_feed(uow, after=last).events) == [entry.id]

    # --- consumers --------------------------------------------------------------------------

    def test_feed_consume_delivers_the_events_then_stores_the_position(self, scene: Scene) -> None:
        """consume hands the events to the handler, and stores the consumer's position
        only after the handler returned."""
        scene.checked_in("R101")
        uow = scene.uow
        seen: list[list[ho.OccupancyEvent]] = []
        stored_meanwhile: list[ho.ConsumerStatus | None] = []

        def handler(events: Sequence[ho.OccupancyEvent]) -> None:
            seen.append(list(events))
            stored_meanwhile.append(status(uow, "mirror"))

        assert status(uow, "mirror") is None
        assert services.consume(uow, consumer="mirror", handler=handler) == 2
        assert seen == [scene.notifier.events]
        assert stored_meanwhile == [None], "the position was stored before the handler ran"
        mirror = status(uow, "mirror")
        assert mirror is not None
        assert mirror.lag == 0
        assert mirror.updated_at in scene.clock.handed_out

    def test_feed_consume_continues_where_the_last_run_stopped(self, scene: Scene) -> None:
        """The next run delivers only what came after; a run with nothing new does not call
        the handler and returns 0."""
        scene.checked_in("R101")
        batches: list[list[int]] = []
        services.consume(scene.uow, consumer="c", handler=lambda e: batches.append(entry_ids(e)))
        scene.dirty("R102")
        services.consume(scene.uow, consumer="c", handler=lambda e: batches.append(entry_ids(e)))
        assert services.consume(scene.uow, consumer="c", handler=lambda e: batches.append([])) == 0
        ids = entry_ids(scene.notifier.events)
        assert batches == [ids[:2], ids[2:]]

    def test_feed_consume_with_a_limit_delivers_batches_in_order(self, scene: Scene) -> None:
        """Runs with limit=1 deliver one event each, in id order, each once."""
        scene.checked_in("R101")
        scene.dirty("R102")
        delivered: list[int] = []
        while services.consume(
            scene.uow, consumer="c", handler=lambda e: delivered.extend(entry_ids(e)), limit=1
        ):
            assert len(delivered) <= 3
        assert delivered == entry_ids(scene.notifier.events)

    def test_feed_consume_with_a_hotel_delivers_only_that_hotel(self, scene: Scene) -> None:
        """consume(hotel_id=...) delivers the hotel's events and moves past the others."""
        busy_day(scene)
        delivered: list[ho.OccupancyEvent] = []
        services.consume(scene.uow, consumer="h2", handler=delivered.extend, hotel_id="H2")
        assert delivered == [e for e in scene.notifier.events if e.hotel_id == "H2"]
        h2 = status(scene.uow, "h2")
        assert h2 is not None
        assert h2.lag == 0

    def test_feed_consume_redelivers_when_the_handler_raises(self, scene: Scene) -> None:
        """A handler that raises leaves the position where it was: the next run delivers
        the same events again (at least once)."""
        scene.checked_in("R101")
        attempts: list[list[int]] = []

        def failing(events: Sequence[ho.OccupancyEvent]) -> None:
            attempts.append(entry_ids(events))
            raise RuntimeError("the webhook is down")

        with pytest.raises(RuntimeError, match="webhook"):
            services.consume(scene.uow, consumer="relay", handler=failing)
        assert status(scene.uow, "relay") is None
        services.consume(
            scene.uow, consumer="relay", handler=lambda e: attempts.append(entry_ids(e))
        )
        ids = entry_ids(scene.notifier.events)
        assert attempts == [ids, ids]
        relay = status(scene.uow, "relay")
        assert relay is not None
        assert relay.lag == 0

    def test_feed_transactional_consume_commits_the_handler_s_writes_with_the_position(
        self, scene: Scene
    ) -> None:
        """With transactional=True the handler runs inside the transaction that stores
        the position: what it writes through the unit of work commits with it."""
        scene.checked_in("R101")
        seen: list[int] = []

        def copy(events: Sequence[ho.OccupancyEvent], uow: UnitOfWork) -> None:
            seen.extend(entry_ids(events))
            uow.feed.save_consumer(ConsumerPosition("side-write", START, uow.clock()))

        count = services.consume(scene.uow, consumer="tx", handler=copy, transactional=True)
        assert count == 2
        assert seen == entry_ids(scene.notifier.events)
        names = [s.consumer for s in services.feed_status(scene.uow)]
        assert names == ["side-write", "tx"]

    def test_feed_transactional_consume_that_raises_keeps_neither_writes_nor_position(
        self, scene: Scene
    ) -> None:
        """A transactional handler that raises rolls back its writes and the position."""
        scene.checked_in("R101")

        def failing(events: Sequence[ho.OccupancyEvent], uow: UnitOfWork) -> None:
            uow.feed.save_consumer(ConsumerPosition("side-write", START, uow.clock()))
            raise RuntimeError("the copy failed")

        with pytest.raises(RuntimeError, match="copy failed"):
            services.consume(scene.uow, consumer="tx", handler=failing, transactional=True)
        assert services.feed_status(scene.uow) == ()
        delivered: list[int] = []

        def copy(events: Sequence[ho.OccupancyEvent], uow: UnitOfWork) -> None:
            delivered.extend(entry_ids(events))

        services.consume(scene.uow, consumer="tx", handler=copy, transactional=True)
        assert delivered == entry_ids(scene.notifier.events), "delivered again"

    def test_feed_consumer_positions_never_move_backwards(self, scene: Scene) -> None:
        """A run that read an older batch and finishes after a later run of the same
        consumer does not move the stored position back."""
        scene.checked_in("R101")
        scene.dirty("R102")
        uow = scene.uow
        late: list[int] = []

        def slow(events: Sequence[ho.OccupancyEvent]) -> None:
            late.extend(entry_ids(events))
            # meanwhile another run of the same consumer reads everything and stores it
            services.consume(uow, consumer="c", handler=lambda e: late.extend(entry_ids(e)))

        services.consume(uow, consumer="c", handler=slow, limit=1)
        ids = entry_ids(scene.notifier.events)
        assert late == [ids[0], *ids]
        c = status(uow, "c")
        assert c is not None
        assert c.lag == 0, "the stale run moved the position back"
        _, end, _ = follow(uow)
        assert not precedes(uow, c.position, end)
        assert services.consume(uow, consumer="c", handler=lambda e: late.append(-1)) == 0

    def test_feed_save_consumer_replaces_and_consumer_reads_it_back(self, scene: Scene) -> None:
        """feed.consumer returns the position save_consumer stored (the last one saved),
        None for an unknown consumer; consumers lists them by name."""
        scene.checked_in("R101")
        uow = scene.uow
        end = services.read_feed(uow).position
        first = ConsumerPosition("b", START, scene.clock())
        second = ConsumerPosition("b", end, scene.clock())
        other = ConsumerPosition("a", end, scene.clock())
        with uow:
            uow.feed.save_consumer(first)
            uow.feed.save_consumer(other)
            uow.commit()
        with uow:
            uow.feed.save_consumer(second)
            uow.commit()
        with uow.reading():
            assert uow.feed.consumer("b") == second
            assert uow.feed.consumer("nobody") is None
            assert list(uow.feed.consumers()) == [other, second]
            assert uow.feed.precedes(START, end)
            assert not uow.feed.precedes(end, end)
            assert not uow.feed.precedes(end, START)

    def test_feed_status_lists_each_consumer_with_its_lag_by_name(self, scene: Scene) -> None:
        """feed_status gives every consumer, by name, with the count of committed entries
        beyond its position."""
        scene.checked_in("R101")
        scene.dirty("R102")
        services.consume(scene.uow, consumer="zeta", handler=lambda e: None)
        services.consume(scene.uow, consumer="alpha", handler=lambda e: None, limit=1)
        lines = services.feed_status(scene.uow)
        assert [(s.consumer, s.lag) for s in lines] == [("alpha", 2), ("zeta", 0)]
        scene.dirty("R103")
        assert [s.lag for s in services.feed_status(scene.uow)] == [3, 1]
        for line in lines:
            assert line.updated_at in scene.clock.handed_out

    # --- waiting ----------------------------------------------------------------------------

    def test_feed_wait_for_events_returns_true_at_once_when_there_are_events(
        self, scene: Scene
    ) -> None:
        """Events already after the position: True without waiting out the timeout."""
        scene.dirty("R101")
        began = time.monotonic()
        assert services.wait_for_events(scene.uow, after=START, timeout=5.0) is True
        assert time.monotonic() - began < 2.5

    def test_feed_wait_for_events_returns_false_after_the_timeout_when_there_are_none(
        self, scene: Scene
    ) -> None:
        """No events after the position: False once the timeout has passed, not before."""
        scene.dirty("R101")
        _, last, _ = follow(scene.uow)
        began = time.monotonic()
        assert services.wait_for_events(scene.uow, after=last, timeout=0.3) is False
        waited = time.monotonic() - began
        assert 0.25 <= waited < 2.5, waited

    def test_feed_wait_for_events_of_a_hotel_ignores_the_other_hotels(self, scene: Scene) -> None:
        """With hotel_id, another hotel's events do not count."""
        scene.second_hotel()
        scene.dirty("R101")
        _, last, _ = follow(scene.uow)
        scene.dirty("R2-101", staff_id="mgr2")
        assert services.wait_for_events(scene.uow, after=last, timeout=0.2, hotel_id=HOTEL) is False
        assert services.wait_for_events(scene.uow, after=last, timeout=0.2, hotel_id="H2") is True

    def test_feed_wait_returns_when_another_unit_of_work_commits_before_its_timeout(
        self, scene: Scene, uow_factory: UnitOfWorkFactory
    ) -> None:
        """feed.wait(timeout), outside a transaction, returns once a unit of work on the
        same storage commits an entry in another thread: it is woken, not left to sleep
        out its timeout."""
        scene.dirty("R101")
        _, last, _ = follow(scene.uow)
        writer = uow_factory(clock=scene.clock, notifier=RecordingNotifier())
        thread, errors = _write_later(writer)
        began = time.monotonic()
        try:
            scene.uow.feed.wait(4.0)
            waited = time.monotonic() - began
        finally:
            thread.join(WAIT)
        assert errors == []
        assert waited < 3.0, f"feed.wait slept {waited:.2f} s of 4 although the log grew"
        assert services.read_feed(scene.uow, after=last).events != ()

    def test_feed_wait_for_events_wakes_when_another_unit_of_work_commits(
        self, scene: Scene, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A follower waiting in one thread returns True when a unit of work on the same
        storage commits an entry in another thread, well before its timeout."""
        scene.dirty("R101")
        _, last, _ = follow(scene.uow)
        writer = uow_factory(clock=scene.clock, notifier=RecordingNotifier())
        thread, errors = _write_later(writer)
        began = time.monotonic()
        try:
            woken = services.wait_for_events(scene.uow, after=last, timeout=5.0)
            waited = time.monotonic() - began
        finally:
            thread.join(WAIT)
        assert errors == []
        assert woken is True, (
            "the event committed by another unit of work was not seen: the factory, called "
            "again in one test, must give a unit of work over the same storage"
        )
        assert waited < 2.5, f"woken after {waited:.2f} s"
        page = services.read_feed(scene.uow, after=last)
        assert [(e.operation, e.room_id) for e in page.events] == [(Op.STATUS_CHANGE, "R102")]
