"""The legacy mirror (§12, issue 13): after the cut-over, a day of operations through the
library with the mirror following the feed leaves the legacy columns true, on SQLite and
PostgreSQL legacy databases; the diff is then clean, a replay from the start writes the
same columns, and a mirror killed anywhere writes nothing twice."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.legacy_mirror import LegacySqlTarget
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_schema
from hotel_occupancy.adapters.sqlalchemy import create_engine as ho_create_engine
from hotel_occupancy.domain.side_by_side import DiffKind
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.test_cli import CLI

T = datetime(2026, 1, 10, 15, 0)  # a naive legacy time (UTC)
START = datetime(2026, 1, 11, 8, 0, tzinfo=UTC)


class Clock:
    """A clock that moves a minute each time it is read."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty legacy database of each kind."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    else:
        from tests.integration.sessions import fresh_database

        engine = fresh_database(request.getfixturevalue("postgres_url"), "legacy_mirror")
    create_legacy_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlAlchemyUnitOfWork]:
    """A fresh SQLite store with a moving clock."""
    engine = ho_create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    create_schema(engine)
    counter = itertools.count(100001)
    uow = SqlAlchemyUnitOfWork(engine, clock=Clock(), pins=lambda: str(next(counter)))
    yield uow
    uow.close()
    engine.dispose()


def build_hotel(db: LegacyDatabase) -> dict[str, int]:
    """A legacy hotel with every kind of room: two in house (one with a device token), one
    pre-assigned, a phantom occupancy, a dirty room, a ready one, and a departed stay whose
    guests linger."""
    hotel = db.hotel("Seaview")
    ids = {
        "hotel": hotel,
        "fd": db.staff(hotel, first_name="Fran", role="FRONT_DESK"),
        "hk": db.staff(hotel, first_name="Hal", role="HOUSEKEEPING"),
        "sv": db.staff(hotel, first_name="Sue", role="SUPERVISOR"),
    }
    for number in ("101", "102", "103", "105", "106"):
        ids[number] = db.room(hotel, number)
    ids["104"] = db.room(hotel, "104", is_occupied=True, room_status="OCCUPIED")
    db.execute("UPDATE rooms_room SET room_status = 'CHECKOUT_DIRTY' WHERE id = :id", id=ids["105"])
    ids["stay101"] = db.in_house_booking(hotel, ids["101"], checked_in_at=T, token="tok-101")
    ids["stay102"] = db.in_house_booking(hotel, ids["102"], checked_in_at=T)
    ids["arrival103"] = db.pre_assigned_booking(hotel, ids["103"], check_in=date(2026, 1, 11))
    ids["departed"] = db.departed_booking(
        hotel,
        ids["106"],
        checked_in_at=datetime(2026, 1, 5, 15),
        checked_out_at=datetime(2026, 1, 7, 10),
        update_room=False,
    )
    db.execute(  # the lingering guests of a legacy checkout
        "UPDATE guests_guest SET check_out_date = NULL WHERE booking_id = :id", id=ids["departed"]
    )
    return ids


def legacy_columns(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every legacy column the mirror writes, row by row (ids included)."""
    queries = {
        "rooms": "SELECT id, room_number, is_occupied, room_status, guest_fcm_token, "
        "cleaned_by_staff_id, inspected_by_staff_id, last_cleaned_at, last_inspected_at "
        "FROM rooms_room ORDER BY id",
        "bookings": "SELECT * FROM hotel_roombooking ORDER BY id",
        "party": "SELECT * FROM hotel_bookingguest ORDER BY id",
        "guests": "SELECT id, hotel_id, room_id, booking_id, booking_guest_id, primary_guest_id, "
        "first_name, last_name, guest_type, check_in_date, check_out_date "
        "FROM guests_guest ORDER BY id",
        "staff": "SELECT * FROM staff_staff ORDER BY id",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(q))] for name, q in queries.items()}


def mirror(uow: SqlAlchemyUnitOfWork, engine: Engine, consumer: str = "legacy-mirror") -> int:
    """Run the mirror until it has nothing more to do; return the events it read."""
    target = LegacySqlTarget(engine)
    source = LegacySqlSource(engine)
    total = 0
    while True:
        done = services.mirror_legacy(uow, target, source=source, consumer=consumer, limit=7)
        total += done.events
        if done.idle:
            return total


def a_day(uow: SqlAlchemyUnitOfWork, ids: dict[str, int], engine: Engine | None) -> None:
    """A day at the front desk and in housekeeping, the mirror running between steps
    (with ``engine``: the legacy database; without, some other process mirrors)."""
    fd, hk, sv = str(ids["fd"]), str(ids["hk"]), str(ids["sv"])
    r = {n: str(ids[n]) for n in ("101", "102", "103", "104", "105", "106")}
    services.checkout_room(uow, room_id=r["101"], staff_id=fd)
    _between(uow, engine)
    services.start_cleaning(uow, room_id=r["101"], staff_id=hk)
    services.complete_cleaning(uow, room_id=r["101"], staff_id=hk)
    services.inspect_room(uow, room_id=r["101"], staff_id=sv)
    services.move_guest(uow, from_room_id=r["102"], to_room_id=r["101"], staff_id=fd)
    _between(uow, engine)
    services.check_in(uow, booking_id=str(ids["arrival103"]), staff_id=fd)
    services.register_staff(
        uow,
        hotel_id=str(ids["hotel"]),
        staff_id="new-hk",
        name="Nia New",
        role=ho.StaffRole.HOUSEKEEPING,
    )
    services.start_cleaning(uow, room_id=r["104"], staff_id="new-hk")
    services.complete_cleaning(uow, room_id=r["104"], staff_id="new-hk")
    services.register_booking(
        uow,
        hotel_id=str(ids["hotel"]),
        booking_id="walk-in-1",
        reference="WALK-1",
        arrival=date(2026, 1, 11),
        departure=date(2026, 1, 13),
        party=(
            ho.BookingGuest("walk-in-1-a", "Wanda", "Walk"),
            ho.BookingGuest("walk-in-1-b", "Will", "Walk"),
        ),
    )
    services.assign_room(uow, booking_id="walk-in-1", room_id=r["104"], staff_id=fd)
    _between(uow, engine)
    services.start_cleaning(uow, room_id=r["102"], staff_id=hk)


def _between(uow: SqlAlchemyUnitOfWork, engine: Engine | None) -> None:
    if engine is not None:
        mirror(uow, engine)


def imported_and_cut_over(uow: SqlAlchemyUnitOfWork, engine: Engine) -> dict[str, int]:
    """The hotel built, imported and handed to the library."""
    ids = build_hotel(LegacyDatabase(engine))
    source = LegacySqlSource(engine)
    services.import_legacy(uow, source)
    services.cut_over(uow, source, str(ids["hotel"]), by="Dana")
    return ids


def test_after_a_day_with_the_mirror_running_the_legacy_database_agrees_with_the_library(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """Cut over, written whole, then a day of checkouts, cleaning, inspection, a move, a
    check-in, a walk-in and a new attendant, mirrored as it goes: the diff is clean."""
    ids = imported_and_cut_over(store, legacy)
    source = LegacySqlSource(legacy)
    assert not services.legacy_diff(store, source).clean  # the phantom and the rest
    mirror(store, legacy)
    assert services.legacy_diff(store, source, mirrored=LegacySqlTarget(legacy)).clean
    a_day(store, ids, legacy)
    mirror(store, legacy)
    report = services.legacy_diff(store, source, mirrored=LegacySqlTarget(legacy))
    assert report.clean, report.summary()


def test_the_mirror_writes_what_the_legacy_screens_read(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """A checkout clears is_occupied, assigned_room_id, the guests' room and the room's
    device token and sets checked_out_at and check_out_date; a move sets room_moved_at and
    room_moved_by_id; cleaning and inspection set the room's staff, times and status."""
    ids = imported_and_cut_over(store, legacy)
    mirror(store, legacy)
    a_day(store, ids, legacy)
    mirror(store, legacy)
    db = LegacyDatabase(legacy)
    (stay,) = db.execute(
        "SELECT assigned_room_id, checked_out_at FROM hotel_roombooking WHERE id = :id",
        id=ids["stay101"],
    )
    assert stay[0] is None
    assert stay[1] is not None
    guests = db.execute(
        "SELECT room_id, check_out_date FROM guests_guest WHERE booking_id = :id", id=ids["stay101"]
    )
    assert guests
    assert all(g[0] is None and g[1] is not None for g in guests)
    (moved,) = db.execute(
        "SELECT assigned_room_id, room_moved_at, room_moved_by_id FROM hotel_roombooking "
        "WHERE id = :id",
        id=ids["stay102"],
    )
    assert (moved[0], moved[2]) == (ids["101"], ids["fd"])
    assert moved[1] is not None
    (room101,) = db.execute(
        "SELECT is_occupied, room_status, guest_fcm_token, cleaned_by_staff_id, "
        "inspected_by_staff_id, last_inspected_at FROM rooms_room WHERE id = :id",
        id=ids["101"],
    )
    assert bool(room101[0])
    assert room101[1] == "OCCUPIED"
    assert room101[2] is None  # the new guest registered no device; the old token is gone
    assert (room101[3], room101[4]) == (ids["hk"], ids["sv"])
    assert room101[5] is not None
    (room102,) = db.execute(
        "SELECT is_occupied, room_status, guest_fcm_token FROM rooms_room WHERE id = :id",
        id=ids["102"],
    )
    assert (bool(room102[0]), room102[1], room102[2]) == (False, "CLEANING_IN_PROGRESS", None)
    (walk_in,) = db.execute(
        "SELECT b.id, b.assigned_room_id, b.checked_in_at FROM hotel_roombooking b "
        "WHERE b.booking_id = 'WALK-1'"
    )
    assert walk_in[1] == ids["104"]
    assert walk_in[2] is not None
    names = db.execute(
        "SELECT first_name, is_primary FROM hotel_bookingguest WHERE booking_id = :id ORDER BY id",
        id=walk_in[0],
    )
    assert [(n, bool(p)) for n, p in names] == [("Wanda", True), ("Will", False)]
    (cleaner,) = db.execute(
        "SELECT s.first_name, s.role FROM rooms_room r JOIN staff_staff s "
        "ON s.id = r.cleaned_by_staff_id WHERE r.id = :id",
        id=ids["104"],
    )
    assert tuple(cleaner) == ("Nia New", "HOUSEKEEPING")


def test_replaying_the_mirror_from_the_start_writes_the_same_legacy_columns(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """A second mirror (another consumer name) from the start of the feed leaves every
    legacy column as the first one left it: no row is added, none changes."""
    ids = imported_and_cut_over(store, legacy)
    mirror(store, legacy)
    a_day(store, ids, legacy)
    mirror(store, legacy)
    before = legacy_columns(legacy)
    assert mirror(store, legacy, consumer="replay") > 0
    assert legacy_columns(legacy) == before


def test_hotels_the_legacy_application_owns_are_not_written(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """Handed back to the legacy application, a hotel's legacy columns are left alone:
    the mirror reads on (the import's entries too) but writes none of them."""
    ids = imported_and_cut_over(store, legacy)
    source = LegacySqlSource(legacy)
    mirror(store, legacy)
    services.checkout_room(store, room_id=str(ids["101"]), staff_id=str(ids["fd"]))
    services.cut_over(store, source, str(ids["hotel"]), by="Dana", back=True)
    before = legacy_columns(legacy)
    assert mirror(store, legacy) > 0
    assert legacy_columns(legacy) == before


def test_a_stale_mirror_is_refused_and_writes_nothing(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """Two mirrors under one name: the one whose position is stale when it writes gets
    ConcurrencyConflict, and the legacy rows are those the other wrote."""
    ids = imported_and_cut_over(store, legacy)
    mirror(store, legacy)
    services.checkout_room(store, room_id=str(ids["101"]), staff_id=str(ids["fd"]))
    target = LegacySqlTarget(legacy)
    stale = target.position("legacy-mirror")
    mirror(store, legacy)
    after = legacy_columns(legacy)
    page = services.read_feed(store, after=stale or "0")
    with pytest.raises(ho.ConcurrencyConflict):
        target.apply([], consumer="legacy-mirror", expected=stale, position=page.position)
    assert legacy_columns(legacy) == after


@pytest.mark.parametrize("legacy", ["sqlite"], indirect=True)
def test_a_mirror_killed_anywhere_and_restarted_ends_as_one_that_never_stopped(
    legacy: Engine, store: SqlAlchemyUnitOfWork, tmp_path: Path
) -> None:
    """The `legacy mirror` process, killed with SIGKILL at random moments while the day
    goes on and started again, leaves the legacy columns exactly as a mirror replaying the
    whole feed once (no row twice, none missed)."""
    ids = imported_and_cut_over(store, legacy)
    store_url = str(store.engine.url)
    command = [str(CLI), "legacy", "mirror",
               "--from", store_url, "--to", str(legacy.url), "--limit", "2"]  # fmt: skip
    # kills before, around and after the moment the process is up: in units of its start-up
    # time here (a loaded machine starts it several times slower), some land at start-up
    started = time.monotonic()
    subprocess.run([*command[:3], "--help"], capture_output=True, check=True, timeout=120)
    up = time.monotonic() - started
    pauses = itertools.cycle([up * f for f in (0.3, 1.6, 0.6, 2.0, 1.2)])

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill_and_restart(process: subprocess.Popen[bytes], times: int) -> subprocess.Popen[bytes]:
        for _ in range(times):
            time.sleep(next(pauses))
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            process = start()
        return process

    process = start()
    try:
        process = kill_and_restart(process, 3)
        a_day(store, ids, None)  # the process mirrors it
        process = kill_and_restart(process, 3)
    finally:
        process.kill()
        process.wait()
    assert LegacySqlTarget(legacy).position("legacy-mirror") is not None  # they did work
    finished = subprocess.run([*command, "--once"], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    after = legacy_columns(legacy)
    assert services.legacy_diff(
        store, LegacySqlSource(legacy), mirrored=LegacySqlTarget(legacy)
    ).clean
    mirror(store, legacy, consumer="reference")
    assert legacy_columns(legacy) == after


def test_a_booking_registered_in_the_library_reaches_the_legacy_database_by_the_sweep(
    legacy: Engine, store: SqlAlchemyUnitOfWork
) -> None:
    """Registering a booking logs nothing, so no event tells the mirror: until a sweep
    the diff lists it as not in the legacy database; the sweep writes it (with its party)
    and the diff is clean; a second sweep finds nothing to write."""
    ids = imported_and_cut_over(store, legacy)
    mirror(store, legacy)
    services.register_booking(
        store,
        hotel_id=str(ids["hotel"]),
        booking_id="future-1",
        reference="FUT-1",
        arrival=date(2026, 2, 1),
        departure=date(2026, 2, 3),
        party=(ho.BookingGuest("future-1-a", "Fay", "Future"),),
    )
    mirror(store, legacy)
    source, target = LegacySqlSource(legacy), LegacySqlTarget(legacy)
    report = services.legacy_diff(store, source, mirrored=target)
    assert [(d.kind, d.booking_id) for d in report.differences] == [
        (DiffKind.BOOKING_NOT_IN_LEGACY, "future-1")
    ]
    swept = services.mirror_legacy(store, target, source=source, sweep=True)
    assert swept.synced == (str(ids["hotel"]),)
    assert services.legacy_diff(store, source, mirrored=target).clean
    rows = LegacyDatabase(legacy).execute(
        "SELECT b.check_in, p.first_name FROM hotel_roombooking b JOIN hotel_bookingguest p "
        "ON p.booking_id = b.id WHERE b.booking_id = 'FUT-1'"
    )
    assert [(str(d), n) for d, n in rows] == [("2026-02-01", "Fay")]
    assert services.mirror_legacy(store, target, source=source, sweep=True).idle
