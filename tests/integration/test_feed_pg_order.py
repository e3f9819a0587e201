"""The feed on PostgreSQL, where entries do not commit in id order: transactions
interleaved by hand (raw connections, row locks), then writers racing in threads, and a
reader following its positions must get every committed entry exactly once, each room's
entries in id order."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import Connection

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, mapping
from hotel_occupancy.adapters.sqlalchemy import schema as s
from hotel_occupancy.domain.feed import START
from hotel_occupancy.testing.contract.feed import follow
from tests.integration.hotels import HOTEL, build_hotel
from tests.integration.sessions import WAIT, until, waiting_for_locks

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
VC, VD = ho.OccupancyStatus.VACANT_CLEAN, ho.OccupancyStatus.VACANT_DIRTY


@pytest.fixture
def uow(postgres_engine: Engine) -> Iterator[SqlAlchemyUnitOfWork]:
    """A unit of work on hotel ``H``: rooms R1..R4, front desk ``fd``, bookings B1, B2."""
    unit = SqlAlchemyUnitOfWork(postgres_engine)
    build_hotel(unit, ["R1", "R2", "R3", "R4"], ["B1", "B2"])
    yield unit
    unit.close()


def draft(room_id: str) -> ho.LogEntry:
    """An entry of hotel ``H`` marking ``room_id`` dirty, written by hand."""
    return ho.LogEntry(
        id=0,
        hotel_id=HOTEL,
        room_id=room_id,
        operation=ho.Operation.STATUS_CHANGE,
        performed_by="fd",
        status_before=VC,
        status_after=VD,
        condition_before=ho.Condition.CLEAN,
        condition_after=ho.Condition.DIRTY,
        timestamp=NOW,
        metadata={"action": "mark_dirty"},
    )


def append(conn: Connection, room_id: str) -> int:
    """Insert an entry on ``room_id`` in the connection's open transaction; its id."""
    key = conn.execute(insert(s.log), [mapping.entry_row(draft(room_id))]).inserted_primary_key
    assert key is not None
    return int(key[0])


def txid(conn: Connection) -> int:
    """The id of the connection's transaction (assigning one if it has none yet)."""
    return int(conn.execute(text("SELECT txid_current()")).scalar_one())


def lock_room(conn: Connection, room_id: str) -> None:
    """Lock the room's occupancy record as an operation on it does."""
    conn.execute(
        text("SELECT 1 FROM ho_occupancies WHERE room_id = :r FOR NO KEY UPDATE"), {"r": room_id}
    )


def ids(events: list[ho.OccupancyEvent]) -> list[int]:
    return [e.entry_id for e in events]


def test_an_entry_committing_after_a_higher_one_was_written_is_read_once_in_its_place(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine
) -> None:
    """A lower id committing after a higher one: neither is read early, then both, once."""
    _, start, _ = follow(uow)
    with postgres_engine.connect() as a:
        a.begin()
        a_id = append(a, "R1")
        (b,) = services.mark_dirty(uow, room_id="R2", staff_id="fd")
        assert b.id > a_id
        events, position, _ = follow(uow, start)
        assert events == [], "B came before A, which may still commit"
        a.commit()
    events, end, _ = follow(uow, position)
    assert ids(events) == [a_id, b.id]
    assert follow(uow, end)[0] == []
    assert ids(follow(uow, start)[0]) == [a_id, b.id], "from the old position: each once"


def test_a_rolled_back_transaction_stalls_the_reader_only_while_it_is_open(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine
) -> None:
    """While A (lower id) is open B is held back; once A rolls back, B is read at once."""
    _, start, _ = follow(uow)
    with postgres_engine.connect() as a:
        a.begin()
        append(a, "R1")
        (b,) = services.mark_dirty(uow, room_id="R2", staff_id="fd")
        assert follow(uow, start)[0] == []
        a.rollback()
    assert ids(follow(uow, start)[0]) == [b.id]


def _later_entry_of_a_room_with_an_older_transaction(
    engine: Engine, keep_open: list[Connection] | None = None
) -> tuple[int, int, int, int]:
    """Build, with row locks, the case where a room's later entry is written by the
    transaction with the lower id: T2 gets its id first (it locks R3), [T0 starts and stays
    open, appended to ``keep_open``,] T1 locks R1 and writes e1, T2 waits for R1, T1
    commits, T2 writes e2 (a higher id) and commits. Returns (e1, e2, T2's id, T1's id)."""
    t1, t2 = engine.connect(), engine.connect()
    try:
        t2.begin()
        lock_room(t2, "R3")
        t2_txid = txid(t2)
        if keep_open is not None:
            t0 = engine.connect()
            keep_open.append(t0)
            t0.begin()
            assert txid(t0) > t2_txid
        t1.begin()
        lock_room(t1, "R1")
        t1_txid = txid(t1)
        e1 = append(t1, "R1")
        written: list[int] = []

        def second() -> None:
            lock_room(t2, "R1")  # waits for T1
            written.append(append(t2, "R1"))

        thread = threading.Thread(target=second)
        thread.start()
        until(lambda: waiting_for_locks(engine) == 1, "T2 waits for the lock T1 holds on R1")
        t1.commit()
        thread.join(WAIT)
        assert not thread.is_alive()
        t2.commit()
        (e2,) = written
    finally:
        t1.close()
        t2.close()
    assert e1 < e2
    assert t2_txid < t1_txid, "the transaction ids are the other way round"
    return e1, e2, t2_txid, t1_txid


@pytest.fixture
def third_transaction() -> Iterator[list[Connection]]:
    """Where the interleaving leaves the transaction it keeps open (closed at the end)."""
    kept: list[Connection] = []
    yield kept
    for conn in kept:
        conn.close()


def test_a_room_s_later_entry_written_by_an_older_transaction_comes_after_the_earlier(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine
) -> None:
    """A room's later entry written by the older transaction still comes second."""
    _, start, _ = follow(uow)
    e1, e2, _, _ = _later_entry_of_a_room_with_an_older_transaction(postgres_engine)
    assert ids(follow(uow, start)[0]) == [e1, e2]


def test_a_room_s_entries_stay_in_id_order_while_a_third_transaction_holds_the_horizon(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine, third_transaction: list[Connection]
) -> None:
    """With a third transaction holding the horizon between them, e1 still comes before e2."""
    _, start, _ = follow(uow)
    e1, e2, t2_txid, t1_txid = _later_entry_of_a_room_with_an_older_transaction(
        postgres_engine, third_transaction
    )
    with postgres_engine.connect() as conn:
        horizon = conn.execute(text("SELECT txid_snapshot_xmin(txid_current_snapshot())"))
        assert t2_txid < horizon.scalar_one() <= t1_txid, "T2 has ended, T1's id is not below"
    events, position, _ = follow(uow, start)
    assert e2 not in ids(events) or ids(events).index(e1) < ids(events).index(e2)
    (t0,) = third_transaction
    t0.rollback()
    rest, _, _ = follow(uow, position)
    assert ids(events + rest) == [e1, e2]


def test_the_trigger_keys_every_entry_whatever_the_writer_sends(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine
) -> None:
    """An INSERT naming txid 0 still gets its transaction's key (none lands behind a reader)."""
    _, start, _ = follow(uow)
    with postgres_engine.begin() as conn:
        own = txid(conn)
        row = {**mapping.entry_row(draft("R4")), "txid": 0}
        key = conn.execute(insert(s.log).returning(s.log.c.txid), [row]).scalar_one()
    assert key >= own
    assert len(follow(uow, start)[0]) == 1


# --- writers racing --------------------------------------------------------------------------

WRITERS = 6
ROUNDS = 40
ROOMS = {"H": ["R1", "R2", "R3", "R4"], "G": ["G1", "G2", "G3", "G4"]}


def _two_hotels(uow: SqlAlchemyUnitOfWork) -> None:
    """Hotels H (from build_hotel) and G, each with four rooms, a manager, and two guests
    checked in (in the first two rooms)."""
    services.register_staff(uow, hotel_id="H", staff_id="mgr", name="M", role=ho.StaffRole.MANAGER)
    services.register_hotel(uow, hotel_id="G", name="Other")
    services.register_staff(uow, hotel_id="G", staff_id="gmgr", name="M", role=ho.StaffRole.MANAGER)
    for number, room in enumerate(ROOMS["G"], start=1):
        services.register_room(uow, hotel_id="G", room_id=room, number=str(number))
    for b in ("GB1", "GB2"):
        services.register_booking(
            uow,
            hotel_id="G",
            booking_id=b,
            reference=b,
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{b}-g", "Ada", b)],
        )
    for hotel, bookings, staff in (("H", ("B1", "B2"), "mgr"), ("G", ("GB1", "GB2"), "gmgr")):
        for booking, room in zip(bookings, ROOMS[hotel], strict=False):
            services.assign_room(uow, booking_id=booking, room_id=room, staff_id=staff)


def _writer(engine: Engine, seed: int, errors: list[BaseException], done: threading.Event) -> None:
    """Random operations on the two hotels: moves (two rooms locked at once), dirtying
    and cleaning; refusals and conflicts are part of the race."""
    rng = random.Random(seed)
    uow = SqlAlchemyUnitOfWork(engine)
    try:
        for _ in range(ROUNDS):
            hotel = rng.choice(["H", "G"])
            staff = "mgr" if hotel == "H" else "gmgr"
            a, b = rng.sample(ROOMS[hotel], 2)
            action = rng.randrange(4)
            try:
                if action == 0:
                    services.move_guest(uow, from_room_id=a, to_room_id=b, staff_id=staff)
                elif action == 1:
                    services.mark_dirty(uow, room_id=a, staff_id=staff)
                elif action == 2:
                    services.start_cleaning(uow, room_id=a, staff_id=staff)
                else:
                    services.complete_cleaning(uow, room_id=a, staff_id=staff)
            except ho.RoomOccupancyError as error:
                if isinstance(error, ho.StorageError):
                    raise
    except BaseException as error:
        errors.append(error)
    finally:
        uow.close()
        done.set()


def test_racing_writers_and_a_follower_see_the_log_once_each_room_in_id_order(
    uow: SqlAlchemyUnitOfWork, postgres_engine: Engine
) -> None:
    """Six racing writers and a follower: the log read once, each room's entries by id."""
    _two_hotels(uow)
    errors: list[BaseException] = []
    finished = [threading.Event() for _ in range(WRITERS)]
    read: list[ho.OccupancyEvent] = []

    def reader() -> None:
        follower = SqlAlchemyUnitOfWork(postgres_engine)
        try:
            position = START
            while not all(f.is_set() for f in finished):
                page = services.read_feed(follower, after=position, limit=7)
                read.extend(page.events)
                position = page.position
                if not page.events:
                    services.wait_for_events(follower, after=position, timeout=0.05)
            read.extend(follow(follower, position)[0])
        except BaseException as error:
            errors.append(error)
        finally:
            follower.close()

    threads = [
        threading.Thread(target=_writer, args=(postgres_engine, n, errors, finished[n]))
        for n in range(WRITERS)
    ]
    threads.append(threading.Thread(target=reader))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, 120 - (time.monotonic() - began)))
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    log = uow.snapshot().log
    assert sorted(ids(read)) == sorted(e.id for e in log)
    assert len(set(ids(read))) == len(read), "an entry was read twice"
    by_room: dict[str, list[int]] = defaultdict(list)
    for e in read:
        for room in {e.room_id, e.from_room_id} - {None}:
            assert room is not None
            by_room[room].append(e.entry_id)
    for room, entry_ids in by_room.items():
        assert entry_ids == sorted(entry_ids), f"room {room}'s entries out of id order"
    assert len(log) > 40, "the race wrote too little to mean anything"
