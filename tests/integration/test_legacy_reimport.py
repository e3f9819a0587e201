"""Importing again while the legacy application owns a hotel (§12, issue 13 point 1): what
changed in the legacy rows since the last run comes in as imported entries, the report
says what changed, every invariant holds, the diff is clean after, a run on unchanged rows
writes nothing, and a hotel the library owns is never overwritten."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_schema
from hotel_occupancy.adapters.sqlalchemy import create_engine as ho_create_engine
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.services.ports import LegacyImportUnitOfWork
from hotel_occupancy.testing.legacy import LegacyDatabase

T = datetime(2026, 1, 10, 15, 0)  # a naive legacy time (UTC)
FIRST = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


class Clock:
    """The time of the first import, then an hour later at each run."""

    def __init__(self) -> None:
        self.now = FIRST

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The store's clock, moved by the tests."""
    return Clock()


@pytest.fixture
def uow(clock: Clock) -> InMemoryUnitOfWork:
    """An empty in-memory store."""
    counter = itertools.count(100001)
    return InMemoryUnitOfWork(clock=clock, pins=lambda: str(next(counter)))


def _hotel(db: LegacyDatabase) -> dict[str, int]:
    hotel = db.hotel()
    ids = {"hotel": hotel, "fd": db.staff(hotel, role="FRONT_DESK")}
    for number in ("101", "102", "103", "104"):
        ids[number] = db.room(hotel, number)
    db.execute("UPDATE rooms_room SET room_status = 'CHECKOUT_DIRTY' WHERE id = :id", id=ids["104"])
    ids["stay"] = db.in_house_booking(hotel, ids["101"], checked_in_at=T, token="tok")
    ids["arrival"] = db.pre_assigned_booking(hotel, ids["102"], check_in=date(2026, 1, 11))
    return ids


def _import(uow: LegacyImportUnitOfWork, engine: Engine) -> services.ImportReport:
    report = services.import_legacy(uow, LegacySqlSource(engine))
    snapshot = uow.snapshot()  # type: ignore[attr-defined]
    assert check_invariants(snapshot) == []
    return report


def _again(uow: LegacyImportUnitOfWork, engine: Engine, clock: Clock) -> dict[str, int]:
    clock.now += timedelta(hours=1)
    report = _import(uow, engine)
    (hotel,) = report.hotels
    diff = services.legacy_diff(uow, LegacySqlSource(engine))
    assert diff.changes == (), diff.summary()
    return {k: v for k, v in hotel.changes.items() if v}


def _checkout_in_legacy(db: LegacyDatabase, ids: dict[str, int]) -> None:
    """What the legacy application writes when the guest of room 101 leaves."""
    db.execute(
        "UPDATE hotel_roombooking SET checked_out_at = :t, assigned_room_id = NULL WHERE id = :id",
        t=datetime(2026, 1, 11, 12, 30),
        id=ids["stay"],
    )
    db.execute(
        "UPDATE guests_guest SET room_id = NULL, check_out_date = '2026-01-11' "
        "WHERE booking_id = :id",
        id=ids["stay"],
    )
    db.execute(
        "UPDATE rooms_room SET is_occupied = :f, room_status = 'CHECKOUT_DIRTY' WHERE id = :id",
        f=False,
        id=ids["101"],
    )


def test_a_legacy_checkout_since_the_last_run_is_brought_in(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """The booking is checked out, its guests depart without PIN or device, the room is
    vacant and dirty with an IMPORT entry from its old state, and the history gains the
    checkout entry, marked as imported."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    _checkout_in_legacy(db, ids)
    changes = _again(uow, legacy_engine, clock)
    assert changes == {
        "bookings_updated": 1,
        "guests_updated": 2,
        "rooms_changed": 1,
        "tasks_added": 1,
        "history_entries_added": 1,
    }
    room = str(ids["101"])
    assert services.get_occupancy(uow, room).status is ho.OccupancyStatus.VACANT_DIRTY
    with uow.reading():
        guests = uow.guests.for_booking(str(ids["stay"]))
    assert [(g.check_out_date, g.id_pin, g.device_token) for g in guests] == [
        (date(2026, 1, 11), None, None)
    ] * 2
    last = services.room_history(uow, room)[0]
    assert (last.operation, last.status_before, last.status_after) == (
        ho.Operation.IMPORT,
        ho.OccupancyStatus.OCCUPIED,
        ho.OccupancyStatus.VACANT_DIRTY,
    )
    checkout = [e for e in services.booking_history(uow, str(ids["stay"]))
                if e.operation is ho.Operation.CHECKOUT]  # fmt: skip
    assert len(checkout) == 1
    assert checkout[0].is_imported_history


def test_a_booking_made_and_checked_in_in_the_legacy_application_is_brought_in(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """A new legacy booking checked into a vacant room: the booking, its party, in-house
    guests with fresh six-digit PINs, the room OCCUPIED with it."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    stay = db.in_house_booking(
        ids["hotel"], ids["103"], checked_in_at=datetime(2026, 1, 11, 12, 40)
    )
    changes = _again(uow, legacy_engine, clock)
    assert changes["bookings_added"] == 1
    assert changes["guests_added"] == 2
    assert changes["rooms_changed"] == 1
    occupancy = services.get_occupancy(uow, str(ids["103"]))
    assert (occupancy.status, occupancy.booking_id) == (ho.OccupancyStatus.OCCUPIED, str(stay))
    guests = services.current_guests(uow, str(ids["103"]))
    assert len(guests) == 2
    assert all(g.id_pin is not None and len(g.id_pin) == 6 for g in guests)


def test_changed_dates_and_a_legacy_room_status_change_are_brought_in(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """An in-house stay extended and a dirty room cleaned in the legacy application: the
    booking's departure and expected checkout move, its guests keep their PINs and device,
    the room is clean and its import-made cleaning task is cancelled."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    before = services.current_guests(uow, str(ids["101"]))
    db.execute(
        "UPDATE hotel_roombooking SET check_out = '2026-01-20' WHERE id = :id", id=ids["stay"]
    )
    db.execute(
        "UPDATE rooms_room SET room_status = 'CLEANED_UNINSPECTED' WHERE id = :id", id=ids["104"]
    )
    changes = _again(uow, legacy_engine, clock)
    assert changes == {"bookings_updated": 1, "rooms_changed": 2, "tasks_cancelled": 1}
    with uow.reading():
        booking = uow.bookings.get(str(ids["stay"]))
    assert booking is not None
    assert booking.departure == date(2026, 1, 20)
    expected = services.get_occupancy(uow, str(ids["101"])).expected_checkout
    assert expected is not None
    assert expected.date() == date(2026, 1, 20)
    assert services.current_guests(uow, str(ids["101"])) == before
    assert services.get_occupancy(uow, str(ids["104"])).status is ho.OccupancyStatus.VACANT_CLEAN
    assert services.open_tasks(uow, str(ids["hotel"])) == ()


def test_a_legacy_move_is_brought_in_as_a_move(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """A guest moved from 101 to 103 in the legacy application: 103 is occupied with the
    booking, 101 vacant and dirty, and the booking's history gains the MOVE."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    db.execute(
        "UPDATE hotel_roombooking SET assigned_room_id = :r, room_moved_at = :t, "
        "room_moved_by_id = :s WHERE id = :id",
        r=ids["103"],
        t=datetime(2026, 1, 11, 12, 10),
        s=ids["fd"],
        id=ids["stay"],
    )
    db.execute("UPDATE guests_guest SET room_id = :r WHERE booking_id = :id",
               r=ids["103"], id=ids["stay"])  # fmt: skip
    db.execute(
        "UPDATE rooms_room SET is_occupied = :t, room_status = 'OCCUPIED', guest_fcm_token = "
        "'tok' WHERE id = :id",
        t=True,
        id=ids["103"],
    )
    db.execute(
        "UPDATE rooms_room SET is_occupied = :f, room_status = 'CHECKOUT_DIRTY', "
        "guest_fcm_token = NULL WHERE id = :id",
        f=False,
        id=ids["101"],
    )
    changes = _again(uow, legacy_engine, clock)
    assert changes["rooms_changed"] == 2
    assert changes["history_entries_added"] == 1
    assert services.get_occupancy(uow, str(ids["103"])).booking_id == str(ids["stay"])
    assert services.get_occupancy(uow, str(ids["101"])).status is ho.OccupancyStatus.VACANT_DIRTY
    moves = [e for e in services.booking_history(uow, str(ids["stay"]))
             if e.operation is ho.Operation.MOVE]  # fmt: skip
    assert len(moves) == 1


def test_a_second_run_after_bringing_changes_in_writes_nothing(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """Once the changes are in, running the import again finds nothing to write: the same
    state and the same log."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    _checkout_in_legacy(db, ids)
    _again(uow, legacy_engine, clock)
    before = uow.snapshot()
    assert _again(uow, legacy_engine, clock) == {}
    assert uow.snapshot() == before


def test_a_dry_run_of_a_repeated_import_reports_the_changes_and_writes_nothing(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """--dry-run on a legacy-owned hotel counts what it would bring in and rolls it back."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    _checkout_in_legacy(db, ids)
    before = uow.snapshot()
    report = services.import_legacy(uow, LegacySqlSource(legacy_engine), dry_run=True)
    (hotel,) = report.hotels
    assert hotel.changes["bookings_updated"] == 1
    assert "dry run" in hotel.outcome
    assert uow.snapshot() == before


def test_a_hotel_the_library_owns_is_never_overwritten_by_an_import(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, clock: Clock
) -> None:
    """After the cut-over, legacy changes are not imported: the store stays as it was and
    the outcome says why."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    services.cut_over(uow, LegacySqlSource(legacy_engine), str(ids["hotel"]), by="Dana")
    _checkout_in_legacy(db, ids)
    before = uow.snapshot()
    report = services.import_legacy(uow, LegacySqlSource(legacy_engine))
    assert [h.outcome for h in report.hotels] == ["owned by the library: not imported again"]
    assert uow.snapshot() == before


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> Iterator[SqlAlchemyUnitOfWork]:
    """A fresh SQL store of each kind with the test's clock."""
    if request.param == "sqlite":
        engine = ho_create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        from tests.integration.sessions import fresh_database

        engine = fresh_database(request.getfixturevalue("postgres_url"), "ho_reimport")
    create_schema(engine)
    counter = itertools.count(100001)
    yield SqlAlchemyUnitOfWork(engine, clock=clock, pins=lambda: str(next(counter)))
    engine.dispose()


def test_the_sql_stores_bring_the_same_changes_in_as_the_memory_store(
    legacy_engine: Engine,
    db: LegacyDatabase,
    uow: InMemoryUnitOfWork,
    sql_store: SqlAlchemyUnitOfWork,
    clock: Clock,
) -> None:
    """A checkout, a new in-house booking and a move since the import, brought into SQLite
    or PostgreSQL: the same changes as in memory, the same rooms and bookings."""
    ids = _hotel(db)
    _import(uow, legacy_engine)
    _import(sql_store, legacy_engine)
    _checkout_in_legacy(db, ids)
    db.in_house_booking(ids["hotel"], ids["103"], checked_in_at=datetime(2026, 1, 11, 12, 40))
    in_memory = _again(uow, legacy_engine, clock)
    clock.now -= timedelta(hours=1)  # the same "now" for both
    assert _again(sql_store, legacy_engine, clock) == in_memory
    mine, theirs = uow.snapshot(), sql_store.snapshot()
    assert (mine.occupancies, mine.bookings) == (theirs.occupancies, theirs.bookings)


def test_a_day_of_legacy_changes_on_a_realistic_database_comes_in_whole(
    tmp_path: Path, clock: Clock
) -> None:
    """On a generated legacy database with every defect: after the import, the legacy
    application checks out every other in-house stay, checks in its arrivals and cleans
    its dirty rooms; importing again brings it all in, every invariant holds, the diff
    finds no change left, and a third run writes nothing."""
    from sqlalchemy import create_engine

    from hotel_occupancy.testing.legacy import GENERATED_TODAY, generate_legacy_database

    engine = create_engine(f"sqlite:///{tmp_path / 'big.db'}")
    generate_legacy_database(engine, hotels=2, rooms_per_hotel=30, years=1, defects=True)
    clock.now = datetime.combine(GENERATED_TODAY, datetime.min.time(), UTC).replace(hour=18)
    counter = itertools.count(100001)
    uow = InMemoryUnitOfWork(clock=clock, pins=lambda: str(next(counter)))
    _import(uow, engine)
    db = LegacyDatabase(engine)
    later = clock.now.replace(tzinfo=None) + timedelta(minutes=30)
    in_house = db.execute(
        "SELECT id, assigned_room_id FROM hotel_roombooking WHERE checked_in_at IS NOT NULL "
        "AND checked_out_at IS NULL AND assigned_room_id IS NOT NULL ORDER BY id"
    )
    for booking, room in in_house[::2]:
        db.execute("UPDATE hotel_roombooking SET checked_out_at = :t, assigned_room_id = NULL "
                   "WHERE id = :id", t=later, id=booking)  # fmt: skip
        db.execute("UPDATE guests_guest SET room_id = NULL, check_out_date = :d "
                   "WHERE booking_id = :id", d=later.date(), id=booking)  # fmt: skip
        db.execute("UPDATE rooms_room SET is_occupied = :f, room_status = 'CHECKOUT_DIRTY' "
                   "WHERE id = :id", f=False, id=room)  # fmt: skip
    arrivals = db.execute(
        "SELECT b.id, b.assigned_room_id FROM hotel_roombooking b JOIN rooms_room r "
        "ON r.id = b.assigned_room_id WHERE b.checked_in_at IS NULL AND b.checked_out_at IS "
        "NULL AND r.is_occupied = :f AND r.room_status = 'READY_FOR_GUEST' ORDER BY b.id",
        f=False,
    )
    for booking, room in arrivals[:5]:
        db.execute("UPDATE hotel_roombooking SET checked_in_at = :t WHERE id = :id",
                   t=later, id=booking)  # fmt: skip
        db.execute("UPDATE rooms_room SET is_occupied = :t, room_status = 'OCCUPIED' "
                   "WHERE id = :id", t=True, id=room)  # fmt: skip
    db.execute("UPDATE rooms_room SET room_status = 'CLEANED_UNINSPECTED' "
               "WHERE room_status = 'CHECKOUT_DIRTY' AND id % 3 = 0")  # fmt: skip
    clock.now += timedelta(hours=1)
    report = _import(uow, engine)
    assert all("change(s) brought in" in h.outcome for h in report.hotels), report.summary()
    diff = services.legacy_diff(uow, LegacySqlSource(engine))
    assert diff.changes == (), diff.summary()
    before = uow.snapshot()
    clock.now += timedelta(hours=1)
    assert [h.outcome for h in _import(uow, engine).hotels] == ["legacy-owned: no change"] * 2
    assert uow.snapshot() == before
    engine.dispose()
