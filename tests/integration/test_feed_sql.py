"""The feed on SQLite and PostgreSQL: pages, the hotel filter, consumers' positions and
lag, waiting woken by another writer's commit, and consumers killed part way (a handler
outside the database gets a batch again, one writing through the unit of work never
writes twice nor loses a write)."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.feed import START
from hotel_occupancy.services.feed import POLL_INTERVAL
from hotel_occupancy.services.ports import UnitOfWork
from tests.integration.hotels import HOTEL, build_hotel
from tests.integration.sessions import WAIT

ROOMS = ["R1", "R2", "R3", "R4"]


@pytest.fixture
def uow(engine: Engine) -> Iterator[SqlAlchemyUnitOfWork]:
    """Hotel ``H`` (rooms R1..R4, front desk ``fd``, bookings B1..B3) and hotel ``G``
    (rooms G1, G2, staff ``gfd``) on a fresh database of each kind."""
    unit = SqlAlchemyUnitOfWork(engine)
    build_hotel(unit, ROOMS, ["B1", "B2", "B3"])
    services.register_hotel(unit, hotel_id="G", name="Other")
    services.register_staff(
        unit, hotel_id="G", staff_id="gfd", name="G", role=ho.StaffRole.FRONT_DESK
    )
    services.register_room(unit, hotel_id="G", room_id="G1", number="1")
    services.register_room(unit, hotel_id="G", room_id="G2", number="2")
    yield unit
    unit.close()


def busy(uow: UnitOfWork) -> list[int]:
    """Interleaved entries of H and G; the ids of the entries written."""
    written: list[ho.LogEntry] = []
    for booking, room in (("B1", "R1"), ("B2", "R2")):
        written += services.assign_room(uow, booking_id=booking, room_id=room, staff_id="fd")
        written += services.mark_dirty(uow, room_id="G1", staff_id="gfd") if room == "R1" else []
    written += services.checkout_room(uow, room_id="R1", staff_id="fd")
    written += services.mark_dirty(uow, room_id="R3", staff_id="fd")
    return [e.id for e in written]


def follow(uow: UnitOfWork, after: str = START, **kwargs: object) -> tuple[list[int], str]:
    """Read pages until nothing more comes: the entry ids read and the last position."""
    read: list[int] = []
    for _ in range(1000):
        page = services.read_feed(uow, after=after, **kwargs)  # type: ignore[arg-type]
        read += [e.entry_id for e in page.events]
        if not page.events and page.position == after:
            return read, after
        after = page.position
    raise AssertionError("the feed never stopped handing out pages")


def precedes(uow: UnitOfWork, earlier: str, later: str) -> bool:
    with uow.reading():
        return uow.feed.precedes(earlier, later)


def test_pages_of_two_give_the_log_in_id_order_once(uow: SqlAlchemyUnitOfWork) -> None:
    """Following positions with limit=2 reads every entry once, by id, positions rising."""
    written = busy(uow)
    log = [e.id for e in uow.snapshot().log]
    position, read, positions = START, [], [START]
    while True:
        page = services.read_feed(uow, after=position, limit=2)
        assert len(page.events) <= 2
        if not page.events:
            break
        read += [e.entry_id for e in page.events]
        assert precedes(uow, position, page.position)
        position = page.position
        positions.append(position)
    assert read == log
    assert set(written) <= set(read)
    assert len(positions) == -(-len(log) // 2) + 1


def test_a_hotel_s_pages_hold_only_it_and_its_position_passes_the_others(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    """A hotel's pages hold only it; its end position is past the others', not its own."""
    busy(uow)
    log = uow.snapshot().log
    for hotel in (HOTEL, "G"):
        read, end = follow(uow, hotel_id=hotel, limit=1)
        assert read == [e.id for e in log if e.hotel_id == hotel]
        assert follow(uow, end)[0] == [], "the position stopped before another hotel's entry"
    _, end = follow(uow, hotel_id="G")
    (mine,) = services.mark_dirty(uow, room_id="R4", staff_id="fd")
    (theirs,) = services.mark_dirty(uow, room_id="G2", staff_id="gfd")
    assert follow(uow, end, hotel_id=HOTEL)[0] == [mine.id]
    assert follow(uow, end, hotel_id="G")[0] == [theirs.id]


def test_consumer_positions_only_move_forward_and_the_lag_counts_what_is_left(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    """Stored positions only rise, the lag counts what is left, a stale run moves nothing back."""
    busy(uow)
    total = len(uow.snapshot().log)
    lags, positions = [], []
    while services.consume(uow, consumer="c", handler=lambda events: None, limit=2):
        (status,) = services.feed_status(uow)
        lags.append(status.lag)
        positions.append(status.position)
    assert lags == [max(0, total - 2 * n) for n in range(1, len(lags) + 1)]
    assert lags[-1] == 0
    assert all(precedes(uow, a, b) for a, b in itertools.pairwise(positions))

    def stale(events: Sequence[ho.OccupancyEvent]) -> None:
        services.consume(uow, consumer="d", handler=lambda events: None)

    services.consume(uow, consumer="d", handler=stale, limit=1)
    (_, d) = services.feed_status(uow)
    assert (d.position, d.lag) == (positions[-1], 0), "the stale run moved the position back"
    services.mark_dirty(uow, room_id="R4", staff_id="fd")
    assert [s.lag for s in services.feed_status(uow)] == [1, 1]


def test_a_position_of_the_other_dialect_or_garbage_is_refused(uow: SqlAlchemyUnitOfWork) -> None:
    """Malformed positions are InvalidInput, never a database error."""
    busy(uow)
    for bad in ("-1", "01", "1:2:3", "x", "1:", ":1", "9" * 30):
        with pytest.raises(ho.InvalidInput):
            services.read_feed(uow, after=bad)
    with pytest.raises(ho.InvalidInput), uow.reading():
        uow.feed.lag("nope")


# --- waiting ---------------------------------------------------------------------------------


def test_a_waiting_follower_wakes_soon_after_another_thread_commits(
    uow: SqlAlchemyUnitOfWork, engine: Engine
) -> None:
    """wait_for_events wakes within 0.5 s of another thread's commit, not at the next poll."""
    busy(uow)
    _, end = follow(uow)
    committed: list[float] = []

    def write() -> None:
        writer = SqlAlchemyUnitOfWork(engine)
        try:
            time.sleep(0.3)
            services.mark_dirty(writer, room_id="R4", staff_id="fd")
            committed.append(time.monotonic())
        finally:
            writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        woken = services.wait_for_events(uow, after=end, timeout=5.0)
        at = time.monotonic()
    finally:
        thread.join(WAIT)
    assert woken is True
    (commit,) = committed
    assert at - commit < 0.5 < POLL_INTERVAL, f"woken {at - commit:.2f} s after the commit"


def test_waiting_with_nothing_new_returns_false_after_the_timeout(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    """Nothing new: False after the timeout; after close() the next wait still works."""
    busy(uow)
    _, end = follow(uow)
    began = time.monotonic()
    assert services.wait_for_events(uow, after=end, timeout=0.4) is False
    assert 0.4 <= time.monotonic() - began < 1.5
    uow.close()
    assert services.wait_for_events(uow, after=end, timeout=0.1) is False
    services.mark_dirty(uow, room_id="R4", staff_id="fd")
    assert services.wait_for_events(uow, after=end, timeout=5.0) is True


class _BrokenWatcher:
    """A watching connection whose every wait fails, as one the database dropped."""

    def wait(self, timeout: float) -> None:
        raise ConnectionResetError("the server closed the connection")

    def close(self) -> None:
        pass


@pytest.mark.parametrize("failure", ["opening", "waiting"])
def test_a_watch_that_keeps_failing_is_retried_once_per_wait_with_one_warning_each(
    uow: SqlAlchemyUnitOfWork,
    failure: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """If the watching connection cannot be opened, or breaks on every wait, a wait of
    0.3 s sleeps the rest of it after one warning: over 1.2 s of waiting the follower
    tries a handful of times, not in a tight loop flooding its log."""
    from hotel_occupancy.adapters.sqlalchemy import feed
    from hotel_occupancy.services import feed as feed_service

    busy(uow)
    _, end = follow(uow)
    opened: list[object] = []

    def broken(engine: Engine) -> _BrokenWatcher:
        opened.append(engine)
        if failure == "opening":
            raise ConnectionRefusedError("the server is not accepting connections")
        return _BrokenWatcher()

    monkeypatch.setattr(feed, "_watcher", broken)
    monkeypatch.setattr(feed_service, "POLL_INTERVAL", 0.3)
    uow.close()  # the watcher opened by follow() is gone
    began = time.monotonic()
    with caplog.at_level("WARNING", logger=feed.logger.name):
        assert services.wait_for_events(uow, after=end, timeout=1.2) is False
    assert time.monotonic() - began >= 1.2
    assert 1 <= len(opened) <= 8, len(opened)
    warnings = [r for r in caplog.records if r.name == feed.logger.name]
    assert 1 <= len(warnings) <= 8, len(warnings)


# --- consumers killed part way ---------------------------------------------------------------

CONSUMER = textwrap.dedent(
    """
    import os, signal, sys, time
    from sqlalchemy import text
    from hotel_occupancy import services
    from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine

    url, mode, record, table, batches = sys.argv[1:6]
    uow = SqlAlchemyUnitOfWork(create_engine(url))
    handled = 0

    def outside(events):
        global handled
        with open(record, "a") as f:
            f.write("".join(f"{e.entry_id}\\n" for e in events))
            f.flush()
            os.fsync(f.fileno())
        handled += 1
        if mode == "exit-in-handler" and handled == int(batches):
            os._exit(3)

    def inside(events, uow):
        global handled
        for e in events:
            uow.connection.execute(
                text(f"INSERT INTO {table} (entry_id) VALUES (:id)"), {"id": e.entry_id}
            )
        handled += 1
        if mode == "exit-in-handler" and handled == int(batches):
            os._exit(3)
        time.sleep(0.05)

    while True:
        if table == "-":
            n = services.consume(uow, consumer="relay", handler=outside, limit=2)
        else:
            n = services.consume(
                uow, consumer="copier", handler=inside, limit=2, transactional=True
            )
        if mode == "exit-after-commit" and n:
            os._exit(4)
        if n == 0:
            break
    print("done", flush=True)
    """
)


def _consumer(url: str, mode: str, record: Path, table: str, batches: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CONSUMER, url, mode, str(record), table, str(batches)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_consumer_killed_after_its_handler_ran_gets_the_batch_again(
    uow: SqlAlchemyUnitOfWork, engine: Engine, tmp_path: Path
) -> None:
    """A consumer dying in its handler stores nothing: the next run gets that batch again."""
    busy(uow)
    record = tmp_path / "delivered.txt"
    process = _consumer(_url(engine), "exit-in-handler", record, "-", 2)
    _, errors = process.communicate(timeout=WAIT)
    assert process.returncode == 3, errors
    first_run = [int(line) for line in record.read_text().split()]
    assert len(first_run) == 4
    (status,) = services.feed_status(uow)
    assert status.lag == len(uow.snapshot().log) - 2, "only the first batch was stored"
    again: list[int] = []

    def handler(events: Sequence[ho.OccupancyEvent]) -> None:
        again.extend(e.entry_id for e in events)

    while services.consume(uow, consumer="relay", handler=handler, limit=2):
        pass
    log = [e.id for e in uow.snapshot().log]
    assert again[:2] == first_run[2:], "the batch of the killed run came again"
    assert first_run[:2] + again == log


@pytest.fixture
def copies(engine: Engine) -> Iterator[str]:
    """A table of the test's own the transactional handler copies entry ids into (no
    unique key: a double write would show)."""
    name = f"feed_copies_{os.getpid()}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        conn.execute(text(f"CREATE TABLE {name} (entry_id INTEGER NOT NULL)"))
    yield name
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {name}"))


def _copied(uow: SqlAlchemyUnitOfWork, table: str) -> int:
    """How many rows the table holds (read-only: no SQLite write lock taken)."""
    with uow.reading():
        return int(uow.connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_a_transactional_consumer_killed_anywhere_writes_each_entry_exactly_once(
    uow: SqlAlchemyUnitOfWork, engine: Engine, tmp_path: Path, copies: str
) -> None:
    """Killed in the handler, after a commit or from outside: each entry copied exactly once."""
    busy(uow)
    services.register_staff(
        uow, hotel_id=HOTEL, staff_id="hk", name="H", role=ho.StaffRole.HOUSEKEEPING
    )
    for _ in range(8):  # more entries, for a longer run to kill
        services.start_cleaning(uow, room_id="R3", staff_id="hk")
        services.complete_cleaning(uow, room_id="R3", staff_id="hk")
        services.mark_dirty(uow, room_id="R3", staff_id="hk")
    rng = random.Random(1)
    url, record = _url(engine), tmp_path / "unused.txt"
    plan = [("exit-in-handler", 1), ("exit-after-commit", 0), ("exit-in-handler", 2)]
    plan += [("sigkill", 0)] * 4
    killed_mid_run = 0
    for mode, batches in plan:
        before = _copied(uow, copies)
        process = _consumer(url, mode, record, copies, batches)
        if mode == "sigkill":  # once it has copied something: somewhere in its run
            deadline = time.monotonic() + WAIT
            while _copied(uow, copies) == before and process.poll() is None:
                assert time.monotonic() < deadline, "the consumer never copied anything"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.12))
            process.send_signal(signal.SIGKILL)
        _, errors = process.communicate(timeout=WAIT)
        assert process.returncode in (3, 4, -signal.SIGKILL, 0), errors
        lag = sum(s.lag for s in services.feed_status(uow))  # none before the first commit
        if process.returncode == -signal.SIGKILL and lag > 0:
            killed_mid_run += 1
    assert killed_mid_run >= 2, "the kills from outside all missed the runs"

    def copy(events: Sequence[ho.OccupancyEvent], unit: SqlAlchemyUnitOfWork) -> None:
        for e in events:
            unit.connection.execute(
                text(f"INSERT INTO {copies} (entry_id) VALUES (:id)"), {"id": e.entry_id}
            )

    while services.consume(uow, consumer="copier", handler=copy, limit=3, transactional=True):
        pass
    with engine.connect() as conn:
        copied = Counter(conn.execute(text(f"SELECT entry_id FROM {copies}")).scalars())
    log = [e.id for e in uow.snapshot().log]
    assert sorted(copied) == log, "an entry was lost"
    assert set(copied.values()) == {1}, "an entry was copied twice"
