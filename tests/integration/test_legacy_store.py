"""The legacy import's store side (§12): ``uow.legacy`` on the in-memory adapter and on
SQLAlchemy (SQLite and PostgreSQL) writes taken-over rows in bulk, keeps the record of
imported hotels, and the database refuses log rows the import must never write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy import exc as sa_exc

import hotel_occupancy as ho
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import schema as s
from hotel_occupancy.domain.enums import GuestType, TaskKind, TaskStatus
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import LegacyHotelRecord, Owner, TakenOver
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
    replace,
)
from tests.integration.test_statement_counts import counting
from tests.support import FakeClock

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
EARLIER = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)

Store = InMemoryUnitOfWork | SqlAlchemyUnitOfWork

VACANT = ho.OccupancyStatus.VACANT_CLEAN
DIRTY = ho.OccupancyStatus.VACANT_DIRTY


def taken_over(hotel_id: str = "L1", bookings: int = 3) -> TakenOver:
    """A hotel as the import takes it over: two staff (one the deactivated import actor),
    three rooms (one occupied, one dirty with an open task, one clean), ``bookings``
    bookings of two guests each (the first in house), a closed task, an IMPORT entry per
    room and imported history (one entry naming no room)."""
    h = hotel_id
    actor, manager = f"{h}-import", f"{h}-7"
    booking_ids = [f"{h}-b{n}" for n in range(bookings)]
    in_house = booking_ids[0]
    occupied, dirty, clean = f"{h}-r1", f"{h}-r2", f"{h}-r3"
    party = {
        b: (BookingGuest(f"{b}-g1", "Ada", "Lovelace"), BookingGuest(f"{b}-g2", "Bo", "Ek"))
        for b in booking_ids
    }
    primary, companion = party[in_house]
    states = {
        occupied: (ho.OccupancyStatus.OCCUPIED, ho.Condition.CLEAN),
        dirty: (DIRTY, ho.Condition.DIRTY),
        clean: (VACANT, ho.Condition.INSPECTED),
    }
    return TakenOver(
        hotels=(Hotel(h, f"Legacy {h}", require_inspection=True, timezone="Europe/Oslo"),),
        staff=(
            Staff(actor, h, "Legacy import", ho.StaffRole.MANAGER, active=False),
            Staff(manager, h, "Kari Nordmann", ho.StaffRole.FRONT_DESK),
        ),
        rooms=(
            Room(occupied, h, "101", 2),
            Room(dirty, h, "102", None),
            Room(clean, h, "103", 3),
        ),
        bookings=tuple(
            Booking(
                booking_id=b,
                hotel_id=h,
                reference=f"BK-{n}",
                arrival=date(2026, 3, 8),
                departure=date(2026, 3, 12),
                party=party[b],
                checked_in_at=EARLIER if b == in_house else None,
            )
            for n, b in enumerate(booking_ids)
        ),
        occupancies=(
            RoomOccupancy(
                room_id=occupied,
                hotel_id=h,
                status=ho.OccupancyStatus.OCCUPIED,
                condition=ho.Condition.CLEAN,
                created_at=NOW,
                updated_at=NOW,
                booking_id=in_house,
                occupied_since=EARLIER,
                expected_checkout=datetime(2026, 3, 12, 10, tzinfo=UTC),
                assigned_by=manager,
            ),
            RoomOccupancy(
                room_id=dirty,
                hotel_id=h,
                status=DIRTY,
                condition=ho.Condition.DIRTY,
                created_at=NOW,
                updated_at=NOW,
                last_cleaned_by=manager,
                last_cleaned_at=EARLIER,
            ),
            RoomOccupancy(
                room_id=clean,
                hotel_id=h,
                status=VACANT,
                condition=ho.Condition.INSPECTED,
                created_at=NOW,
                updated_at=NOW,
                last_inspected_by=manager,
                last_inspected_at=EARLIER,
            ),
        ),
        guests=(
            Guest(
                guest_id=f"{h}-guest-1",
                hotel_id=h,
                booking_id=in_house,
                booking_guest_id=primary.booking_guest_id,
                guest_type=GuestType.PRIMARY,
                primary_guest_id=None,
                first_name=primary.first_name,
                last_name=primary.last_name,
                check_in_date=date(2026, 3, 8),
                id_pin="918273",
                device_token="token-of-the-room",
            ),
            Guest(
                guest_id=f"{h}-guest-2",
                hotel_id=h,
                booking_id=in_house,
                booking_guest_id=companion.booking_guest_id,
                guest_type=GuestType.COMPANION,
                primary_guest_id=f"{h}-guest-1",
                first_name=companion.first_name,
                last_name=companion.last_name,
                check_in_date=date(2026, 3, 8),
                id_pin="564738",
            ),
        ),
        tasks=(
            HousekeepingTask(
                task_id=f"{h}-task-5",
                hotel_id=h,
                room_id=dirty,
                kind=TaskKind.TURNOVER,
                status=TaskStatus.OPEN,
                created_at=EARLIER,
                updated_at=EARLIER,
                created_by=manager,
            ),
            HousekeepingTask(
                task_id=f"{h}-task-6",
                hotel_id=h,
                room_id=clean,
                kind=TaskKind.CLEANING,
                status=TaskStatus.DONE,
                created_at=EARLIER,
                updated_at=EARLIER,
                assigned_to=manager,
                closed_at=EARLIER + timedelta(hours=1),
            ),
        ),
        entries=(
            *(
                history(h, b, room, ho.Operation.ASSIGN, manager)
                for b, room in zip(booking_ids[1:], (None, clean, dirty), strict=False)
            ),
            history(h, in_house, occupied, ho.Operation.CHECKIN, actor),
            *(
                LogEntry(
                    id=0,
                    hotel_id=h,
                    room_id=room,
                    operation=ho.Operation.IMPORT,
                    performed_by=actor,
                    status_before=VACANT,
                    status_after=status,
                    condition_before=ho.Condition.CLEAN,
                    condition_after=condition,
                    timestamp=NOW,
                    booking_id=in_house if room == occupied else None,
                    notes="the room's state as taken over from the legacy database",
                    metadata={"imported": True, "action": "import", "legacy_room_id": 1},
                )
                for room, (status, condition) in states.items()
            ),
        ),
    )


def history(
    hotel_id: str, booking_id: str, room_id: str | None, operation: ho.Operation, by: str
) -> LogEntry:
    """An entry imported from a legacy audit column: no states, maybe no room."""
    metadata: dict[str, Any] = {"imported": True, "action": "import", "legacy_booking_id": 9}
    if room_id is None:
        metadata["room_unknown"] = True
    return LogEntry(
        id=0,
        hotel_id=hotel_id,
        room_id=room_id,
        operation=operation,
        performed_by=by,
        status_before=None,
        status_after=None,
        condition_before=None,
        condition_after=None,
        timestamp=EARLIER,
        booking_id=booking_id,
        notes="imported from hotel_roombooking.room_assigned_at",
        metadata=metadata,
    )


def by_key(rows: TakenOver) -> StoreSnapshot:
    """The snapshot a store holding just ``rows`` gives (entities in key order; log
    entries as given, their ids to compare separately)."""

    def ordered(entities: tuple[Any, ...], key: str) -> tuple[Any, ...]:
        return tuple(sorted(entities, key=lambda e: getattr(e, key)))

    return StoreSnapshot(
        hotels=ordered(rows.hotels, "hotel_id"),
        rooms=ordered(rows.rooms, "room_id"),
        staff=ordered(rows.staff, "staff_id"),
        bookings=ordered(rows.bookings, "booking_id"),
        guests=ordered(rows.guests, "guest_id"),
        occupancies=ordered(rows.occupancies, "room_id"),
        tasks=ordered(rows.tasks, "task_id"),
        log=rows.entries,
    )


def without_ids(snapshot: StoreSnapshot) -> StoreSnapshot:
    return replace(snapshot, log=tuple(replace(e, id=0) for e in snapshot.log))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def uow(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty store on each shipped adapter."""
    if request.param == "memory":
        yield InMemoryUnitOfWork(clock=FakeClock())
        return
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    yield SqlAlchemyUnitOfWork(engine, clock=FakeClock())


def write(uow: Store, *batches: TakenOver, commit: bool = True) -> None:
    with uow:
        for rows in batches:
            uow.legacy.write(rows)
        if commit:
            uow.commit()


def test_a_written_batch_reads_back_identically_through_the_snapshot(
    uow: Store,
) -> None:
    """Every row written and committed is in the snapshot as given; entries numbered in order."""
    rows = taken_over()
    write(uow, rows)
    snapshot = uow.snapshot()
    assert without_ids(snapshot) == by_key(rows)
    ids = [e.id for e in snapshot.log]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids) == len(rows.entries)


def test_a_written_batch_reads_back_through_the_repositories(
    uow: Store,
) -> None:
    """Rooms, staff, bookings, occupancy, guests, tasks and the log read back as written."""
    rows = taken_over()
    write(uow, rows)
    with uow.reading():
        assert uow.hotels.get("L1") == rows.hotels[0]
        assert [uow.staff.get(m.staff_id) for m in rows.staff] == list(rows.staff)
        assert [uow.rooms.get(r.room_id) for r in rows.rooms] == list(rows.rooms)
        assert uow.rooms.by_number("L1", "102") == rows.rooms[1]
        assert [uow.bookings.get(b.booking_id) for b in rows.bookings] == list(rows.bookings)
        assert [uow.occupancies.get(o.room_id) for o in rows.occupancies] == list(rows.occupancies)
        assert uow.occupancies.for_booking("L1-b0") == rows.occupancies[0]
        assert list(uow.guests.for_booking("L1-b0")) == list(rows.guests)
        assert uow.guests.pins_in_use("L1", ["918273", "000000"]) == {"918273"}
        assert list(uow.tasks.open_for_room("L1-r2")) == [rows.tasks[0]]
        unplaced = [replace(e, id=0) for e in uow.log.for_booking("L1-b1")]
        occupied = [replace(e, id=0) for e in uow.log.for_room("L1-r1")]
    assert unplaced == [rows.entries[0]]  # imported history naming no room
    assert unplaced[0].room_id is None
    assert unplaced[0].is_imported_history
    assert occupied == [rows.entries[3], rows.entries[2]]  # newest first: IMPORT, CHECKIN
    assert occupied[0].operation is ho.Operation.IMPORT
    assert occupied[1].status_after is None


def test_batches_written_one_after_another_number_their_entries_on(
    uow: Store,
) -> None:
    """Entries of a later write get higher ids than those of an earlier one."""
    first, second = taken_over("L1"), taken_over("L2")
    write(uow, first, second)
    log = uow.snapshot().log
    assert [e.hotel_id for e in log] == ["L1"] * 6 + ["L2"] * 6
    assert [e.id for e in log] == sorted(e.id for e in log)


def test_a_rolled_back_write_leaves_nothing(uow: Store) -> None:
    """A write whose transaction is not committed leaves no row, and no hotel in any cache."""
    with uow:
        uow.legacy.write(taken_over())
        assert uow.hotels.get("L1") is not None  # the transaction sees it
    assert uow.snapshot() == StoreSnapshot()
    with uow.reading():
        assert uow.hotels.get("L1") is None


def test_a_committed_write_is_known_to_later_transactions(uow: Store) -> None:
    """The hotel written is found in the next transaction of the same unit of work."""
    write(uow, taken_over())
    with uow.reading():
        hotel = uow.hotels.get("L1")
    assert hotel is not None
    assert hotel.timezone == "Europe/Oslo"


@pytest.mark.parametrize(
    ("clash", "taken"),
    [
        ("hotel", "L1"),
        ("room", "L1-r1"),
        ("booking", "L1-b1"),
        ("guest", "L1-guest-2"),
        ("room twice in the batch", "L2-r1"),
    ],
)
def test_a_write_naming_a_taken_id_raises_already_registered_and_changes_nothing(
    uow: Store, clash: str, taken: str
) -> None:
    """An id already taken refuses the write, naming it; after rollback nothing changed."""
    rows = taken_over()
    write(uow, rows)
    before = uow.snapshot()
    fresh = taken_over("L2")
    if clash == "hotel":
        fresh = replace(fresh, hotels=(*fresh.hotels, *rows.hotels))
    elif clash == "room":
        fresh = replace(fresh, rooms=(*fresh.rooms, rows.rooms[0]))
    elif clash == "booking":
        fresh = replace(fresh, bookings=(*fresh.bookings, rows.bookings[1]))
    elif clash == "guest":
        fresh = replace(fresh, guests=(*fresh.guests, rows.guests[1]))
    else:
        fresh = replace(fresh, rooms=(*fresh.rooms, fresh.rooms[0]))
    with uow, pytest.raises(ho.AlreadyRegistered) as refused:
        uow.legacy.write(fresh)
    assert "already registered" in str(refused.value)
    assert taken in str(refused.value)
    assert uow.snapshot() == before
    write(uow, taken_over("L3"))  # the unit of work goes on
    assert [h.hotel_id for h in uow.snapshot().hotels] == ["L1", "L3"]


def test_a_room_number_taken_in_the_hotel_is_already_registered(
    uow: Store,
) -> None:
    """Two rooms of one hotel with one number are refused like a taken id."""
    rows = taken_over()
    twin = replace(rows.rooms[0], room_id="L1-r9")
    with uow, pytest.raises(ho.AlreadyRegistered):
        uow.legacy.write(replace(rows, rooms=(*rows.rooms, twin)))
    assert uow.snapshot() == StoreSnapshot()


def test_a_saved_record_is_read_back_and_replaced_by_the_next_save(
    uow: Store,
) -> None:
    """save() stores the record of a hotel's import; a second save for it replaces it."""
    record = LegacyHotelRecord("L1", 1, "", Owner.LEGACY, imported_at=NOW)
    with uow:
        uow.legacy.write(taken_over())
        assert uow.legacy.record("L1") is None
        uow.legacy.save(record)
        uow.commit()
    with uow.reading():
        assert uow.legacy.record("L1") == record
        assert uow.legacy.record("L2") is None
    cut_over = replace(record, owner=Owner.LIBRARY, imported_at=NOW + timedelta(days=3))
    with uow:
        uow.legacy.save(cut_over)
        uow.commit()
    with uow.reading():
        assert uow.legacy.record("L1") == cut_over


def test_a_record_saved_in_a_rolled_back_transaction_is_not_kept(
    uow: Store,
) -> None:
    """Like every write, save() is undone by a rollback."""
    write(uow, taken_over())
    with uow:
        uow.legacy.save(LegacyHotelRecord("L1", 1, "x-", Owner.LEGACY, imported_at=NOW))
    with uow.reading():
        assert uow.legacy.record("L1") is None


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """An empty database of each kind, with the schema."""
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


def test_a_write_sends_as_many_statements_whatever_the_number_of_bookings(
    engine: Engine,
) -> None:
    """One executemany per table: ten times the bookings, the same statements."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    sent = []
    for hotel_id, bookings in (("L1", 5), ("L2", 50)):
        rows = taken_over(hotel_id, bookings)
        with uow:
            with counting(engine) as statements:
                uow.legacy.write(rows)
            uow.commit()
        sent.append(statements)
    assert sent[0] == sent[1]
    assert sent[0].count("INSERT") == 9  # every table of the batch, once
    assert len(uow.snapshot().bookings) == 55


def _log_row(**changes: Any) -> dict[str, Any]:
    row = {
        "hotel_id": "L1",
        "room_id": "L1-r1",
        "operation": "ASSIGN",
        "performed_by": "L1-7",
        "booking_id": None,
        "from_room_id": None,
        "status_before": None,
        "status_after": None,
        "condition_before": None,
        "condition_after": None,
        "notes": "",
        "metadata": "{}",
        "timestamp": NOW,
        "request_id": None,
    }
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "row",
    [
        _log_row(
            room_id=None,
            status_before="VACANT_CLEAN",
            status_after="OCCUPIED",
            condition_before="CLEAN",
            condition_after="CLEAN",
        ),
        _log_row(status_before="VACANT_CLEAN", condition_after="CLEAN"),
        _log_row(
            status_before="VACANT_CLEAN",
            status_after="OCCUPIED",
            condition_before="CLEAN",
        ),
        _log_row(operation="CLEAN_START"),
        _log_row(operation="IMPORT"),
        _log_row(room_id=None, operation="INSPECT"),
        _log_row(from_room_id="L1-r1"),
    ],
    ids=[
        "no room but states",
        "two states of four",
        "three states of four",
        "no states on CLEAN_START",
        "no states on IMPORT",
        "no room and no states on INSPECT",
        "source is the target",
    ],
)
def test_the_database_refuses_a_log_row_the_import_must_never_write(
    engine: Engine, row: dict[str, Any]
) -> None:
    """The CHECK constraints of ho_log refuse missing states and rooms outside history."""
    write(SqlAlchemyUnitOfWork(engine, clock=FakeClock()), taken_over())
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert(s.log), [row])


@pytest.mark.parametrize(
    "row",
    [
        _log_row(room_id=None),
        _log_row(operation="CHECKOUT", booking_id="L1-b0"),
        _log_row(
            operation="IMPORT",
            status_before="VACANT_CLEAN",
            status_after="VACANT_DIRTY",
            condition_before="CLEAN",
            condition_after="DIRTY",
        ),
    ],
    ids=["history naming no room", "history of a room", "an IMPORT entry"],
)
def test_the_database_accepts_the_log_rows_the_import_writes(
    engine: Engine, row: dict[str, Any]
) -> None:
    """Imported history (with or without its room) and IMPORT entries are stored."""
    write(SqlAlchemyUnitOfWork(engine, clock=FakeClock()), taken_over())
    with engine.begin() as conn:
        conn.execute(insert(s.log), [row])
    log = SqlAlchemyUnitOfWork(engine).snapshot().log
    assert log[-1].operation.value == row["operation"]
    assert log[-1].room_id == row["room_id"]


def test_the_database_refuses_an_unknown_owner_of_a_legacy_hotel(engine: Engine) -> None:
    """ho_legacy_hotels.owner is LEGACY or LIBRARY."""
    write(SqlAlchemyUnitOfWork(engine, clock=FakeClock()), taken_over())
    row = {
        "hotel_id": "L1",
        "legacy_hotel_id": 1,
        "prefix": "",
        "owner": "NOBODY",
        "imported_at": NOW,
    }
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert(s.legacy_hotels), [row])


def test_the_history_operations_of_the_schema_are_the_audit_columns_operations() -> None:
    """The CHECK's list of history operations is the one the import's table makes entries of."""
    from hotel_occupancy.domain.legacy import AUDIT_COLUMNS

    assert set(s.HISTORY_OPERATIONS) == {c.operation for c in AUDIT_COLUMNS}


# --- the bulk path: its values are SQLAlchemy's ------------------------------------------------


def _sqlalchemy_rows(bulk: Any, items: tuple[Any, ...], dialect: Any) -> list[tuple[Any, ...]]:
    """The rows of ``items`` as SQLAlchemy binds them: the mapping's row dicts, each value
    through its column type's bind processor for ``dialect``."""
    from hotel_occupancy.adapters.sqlalchemy import mapping

    if bulk.table is s.bookings:
        dicts = [mapping.booking_row(b) for b in items]
    elif bulk.table is s.booking_guests:
        dicts = [member for b in items for member in mapping.party_rows(b)]
    elif bulk.table is s.log:
        dicts = [mapping.entry_row(e) for e in items]
    else:
        dicts = [mapping.plain(item) for item in items]
    assert all(set(d) == set(bulk.names) for d in dicts)
    processors = [
        bulk.table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in bulk.names
    ]
    return [
        tuple(
            value if process is None else process(value)
            for process, value in zip(processors, (d[n] for n in bulk.names), strict=True)
        )
        for d in dicts
    ]


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
def test_the_bulk_rows_hold_the_values_sqlalchemy_would_bind(dialect_name: str) -> None:
    """Each bulk table's tuples equal what SQLAlchemy binds for the same entities (times
    in another offset than UTC included), and name every column but the log's id and txid."""
    from sqlalchemy.dialects import postgresql, sqlite

    from hotel_occupancy.adapters.sqlalchemy import legacy_store

    dialect = sqlite.dialect() if dialect_name == "sqlite" else postgresql.psycopg.dialect()
    rows = taken_over(bookings=4)
    oslo = datetime(2026, 3, 8, 17, 30, 12, 5, tzinfo=ZoneInfo("Europe/Oslo"))
    departed = replace(rows.bookings[1], checked_in_at=oslo, checked_out_at=NOW, moved_at=NOW)
    rows = replace(rows, bookings=(*rows.bookings, replace(departed, booking_id="L1-b9")))
    items = {
        s.bookings: rows.bookings,
        s.booking_guests: rows.bookings,
        s.guests: rows.guests,
        s.tasks: rows.tasks,
        s.log: rows.entries,
    }
    converters = legacy_store._CONVERTERS[dialect_name]
    for bulk in legacy_store.BULK:
        # the log's id is the database's, and so is txid (the feed's key, set by a trigger)
        unsent = {"id", "txid"} if bulk.table is s.log else set()
        expected_names = {c.name for c in bulk.table.c} - unsent
        assert set(bulk.names) == expected_names, bulk.table.name
        ours = bulk.rows(items[bulk.table], *converters)
        assert ours == _sqlalchemy_rows(bulk, items[bulk.table], dialect), bulk.table.name


def test_the_bulk_path_refuses_a_naive_time_like_the_column_type() -> None:
    from hotel_occupancy.adapters.sqlalchemy import legacy_store

    for utc, _ in legacy_store._CONVERTERS.values():
        with pytest.raises(ValueError, match="naive datetime"):
            utc(datetime(2026, 3, 8, 12))


def test_an_import_transaction_raises_the_sqlite_page_cache_and_its_end_restores_it(
    sqlite_engine: Engine,
) -> None:
    """Inside a transaction that wrote legacy rows the cache is the import's; once it
    commits or rolls back the connection has its own setting again."""
    from hotel_occupancy.adapters.sqlalchemy import legacy_store

    uow = SqlAlchemyUnitOfWork(sqlite_engine, clock=FakeClock())

    def cache_size() -> int:
        size: int = uow.connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        return size

    with uow:
        before = cache_size()
    for hotel_id, commit in (("L1", True), ("L2", False)):
        with uow:
            uow.legacy.write(taken_over(hotel_id))
            assert cache_size() == -legacy_store.SQLITE_IMPORT_CACHE_KIB
            if commit:
                uow.commit()
        with uow:
            assert cache_size() == before
    assert [h.hotel_id for h in uow.snapshot().hotels] == ["L1"]
