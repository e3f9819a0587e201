"""LegacySqlSource: the legacy database (§12) read leniently, streamed, on SQLite and
PostgreSQL."""

from __future__ import annotations

import sqlite3
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.exc import OperationalError

from hotel_occupancy.adapters.legacy import (
    LegacySqlSource,
    bookingguest,
    guest,
    hotel,
    housekeepingtask,
    roombooking,
)
from hotel_occupancy.domain.legacy import LegacyOrphan, LegacyStay
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.sessions import fresh_database

IN = datetime(2026, 1, 8, 15)
OUT = datetime(2026, 1, 10, 10)


def _sqlite(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    create_legacy_schema(engine)
    return engine


@pytest.fixture
def legacy_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = _sqlite(tmp_path / "legacy.db")
    yield engine
    engine.dispose()


@pytest.fixture
def db(legacy_engine: Engine) -> LegacyDatabase:
    return LegacyDatabase(legacy_engine)


@pytest.fixture
def source(legacy_engine: Engine) -> LegacySqlSource:
    return LegacySqlSource(legacy_engine)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` inside the block."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _hotel_with_every_kind_of_booking(
    db: LegacyDatabase, *, bad_checkout: str = "yesterday"
) -> dict[str, int]:
    """Hotel 1 with open and other bookings of each kind, and hotel 2 with one of its own;
    one booking's checked_out_at is the text ``bad_checkout``."""
    h1, h2 = db.hotel("Grand", id=1), db.hotel("Other", id=2)
    r1, r2, r3, r4 = (db.room(h1, n) for n in ("101", "102", "103", "104"))
    r9 = db.room(h2, "901")
    ids = {
        "in_house": db.in_house_booking(h1, r1, guests=2, checked_in_at=IN),
        "pre_assigned": db.pre_assigned_booking(h1, r2, guests=3),
        "checked_in_without_room": db.booking(h1, checked_in_at=IN),
        "departed": db.departed_booking(h1, r3, guests=2, checked_in_at=IN),
        "future": db.booking(h1),
        "bad_checkout": db.in_house_booking(h1, r4, guests=1, checked_in_at=IN),
        "checked_out_still_assigned": db.booking(
            h1, assigned_room_id=r1, checked_in_at=IN, checked_out_at=OUT
        ),
        "other_hotel": db.in_house_booking(h2, r9, guests=1, checked_in_at=IN),
    }
    db.party_member(ids["future"], first_name="Fay", is_primary=True)
    db.execute(
        "UPDATE hotel_roombooking SET checked_out_at = :v WHERE id = :b",
        v=bad_checkout,
        b=ids["bad_checkout"],
    )
    # a guest row of hotel 2 naming a booking of hotel 1 comes with that booking
    ids["foreign_guest"] = db.guest(h2, booking_id=ids["departed"], first_name="Far")
    return ids


def _rows_of(db: LegacyDatabase, table: str, booking: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(f"SELECT id FROM {table} WHERE booking_id = :b ORDER BY id", b=booking)
    ]


def test_every_booking_of_a_hotel_comes_once_through_open_stays_or_stays(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """open_stays and stays split the hotel's bookings in two, each by id, nothing twice."""
    ids = _hotel_with_every_kind_of_booking(db)
    opened = [s.booking.id for s in source.open_stays(1)]
    others = [s.booking.id for s in source.stays(1)]
    assert opened == [ids["in_house"], ids["pre_assigned"], ids["checked_in_without_room"]]
    assert others == sorted(
        [
            ids["departed"],
            ids["future"],
            ids["bad_checkout"],
            ids["checked_out_still_assigned"],
        ]
    )
    all_of_hotel = [r[0] for r in db.execute("SELECT id FROM hotel_roombooking WHERE hotel_id = 1")]
    assert sorted(opened + others) == sorted(all_of_hotel)
    assert source.count_bookings(1) == len(all_of_hotel) == 7


def test_each_stay_carries_exactly_its_party_and_guest_rows_in_id_order(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """A stay's party and guests are the rows naming its booking, whatever their hotel."""
    ids = _hotel_with_every_kind_of_booking(db)
    stays = [*source.open_stays(1), *source.stays(1)]
    for stay in stays:
        b = stay.booking.id
        assert [m.id for m in stay.party] == _rows_of(db, "hotel_bookingguest", b)
        assert [g.id for g in stay.guests] == _rows_of(db, "guests_guest", b)
        assert all(m.booking_id == b for m in stay.party)
        assert all(g.booking_id == b for g in stay.guests)
        rooms = db.execute(
            "SELECT DISTINCT room_id FROM housekeeping_housekeepingtask WHERE booking_id = :b",
            b=b,
        )
        assert sorted(stay.task_rooms) == sorted(r[0] for r in rooms)
    departed = next(s for s in stays if s.booking.id == ids["departed"])
    assert len(departed.party) == 2
    assert departed.task_rooms == (3,)  # the TURNOVER task of its checkout, in room 103
    foreign = [g for g in departed.guests if g.id == ids["foreign_guest"]]
    assert [g.hotel_id for g in foreign] == [2]
    pre_assigned = next(s for s in stays if s.booking.id == ids["pre_assigned"])
    assert [m.is_primary for m in pre_assigned.party] == [True, False, False]
    assert pre_assigned.guests == ()


def test_a_malformed_checkout_time_counts_as_checked_out_and_is_read_as_none(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """'yesterday' in checked_out_at: a stay, not an open one, with the time None and a problem."""
    ids = _hotel_with_every_kind_of_booking(db)
    assert ids["bad_checkout"] not in {s.booking.id for s in source.open_stays(1)}
    (stay,) = [s for s in source.stays(1) if s.booking.id == ids["bad_checkout"]]
    assert stay.booking.checked_out_at is None
    assert stay.booking.checked_in_at == IN.replace(tzinfo=UTC)
    assert stay.booking.problems == (
        "checked_out_at 'yesterday' is not a date and time; read as none",
    )
    assert len(stay.guests) == 1


def test_unreadable_dates_times_booleans_and_ids_become_none_or_false_with_problems(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """Junk in typed columns never raises: None (False for a boolean) and a problem naming it."""
    h = db.hotel(id=1)
    room = db.room(h, "101")
    staff = db.staff(h)
    booking = db.departed_booking(h, room, guests=1, checked_in_at=IN)
    task = db.task(h, room, booking_id=booking)
    db.execute("UPDATE rooms_room SET is_occupied = 'maybe', last_cleaned_at = '2025-13-45'")
    db.execute("UPDATE rooms_room SET cleaned_by_staff_id = 'abc', last_inspected_at = 12")
    db.execute("UPDATE staff_staff SET is_active = 7")
    db.execute("UPDATE hotel_roombooking SET check_in = '31/12/2025', room_moved_at = ''")
    db.execute("UPDATE hotel_roombooking SET room_assigned_by_id = 'x1'")
    db.execute("UPDATE hotel_bookingguest SET is_primary = 'si'")
    db.execute("UPDATE guests_guest SET check_in_date = 'soon', room_id = 1.5")
    db.execute("UPDATE housekeeping_housekeepingtask SET created_at = '2025-02-30 25:61:00'")

    (r,) = source.rooms(h)
    assert (r.is_occupied, r.last_cleaned_at, r.cleaned_by_staff_id, r.last_inspected_at) == (
        False,
        None,
        None,
        None,
    )
    assert r.problems == (
        "is_occupied is 'maybe', not a boolean; read as false",
        "cleaned_by_staff_id 'abc' is not an id; read as none",
        "last_cleaned_at '2025-13-45' is not a date and time; read as none",
        "last_inspected_at 12 is not a date and time; read as none",
    )
    (s,) = source.staff(h)
    assert (s.id, s.is_active, s.problems) == (
        staff,
        False,
        ("is_active is 7, not a boolean; read as false",),
    )
    (stay,) = source.stays(h)
    assert (stay.booking.check_in, stay.booking.room_moved_at) == (None, None)
    assert stay.booking.room_assigned_by_id is None
    assert stay.booking.check_out == date(2026, 1, 10)
    assert stay.booking.problems == (
        "check_in '31/12/2025' is not a date; read as none",
        "room_assigned_by_id 'x1' is not an id; read as none",
        "room_moved_at '' is not a date and time; read as none",
    )
    assert [m.is_primary for m in stay.party] == [False]
    assert stay.party[0].problems == ("is_primary is 'si', not a boolean; read as false",)
    (g,) = stay.guests
    assert (g.check_in_date, g.room_id) == (None, None)
    assert g.problems == (
        "room_id 1.5 is not an id; read as none",
        "check_in_date 'soon' is not a date; read as none",
    )
    (t,) = [t for t in source.tasks(h) if t.id == task]
    assert (t.created_at, t.booking_hotel_id) == (None, h)
    assert t.problems == ("created_at '2025-02-30 25:61:00' is not a date and time; read as none",)


def test_a_long_unreadable_value_is_shortened_in_its_problem(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """A problem quotes at most 40 characters of the raw value."""
    h = db.hotel(id=1)
    db.room(h, "101")
    db.execute("UPDATE rooms_room SET last_cleaned_at = :v", v="x" * 5000)
    (problem,) = source.rooms(h)[0].problems
    assert problem == f"last_cleaned_at '{'x' * 40}...' is not a date and time; read as none"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-08 15:04:05", datetime(2026, 1, 8, 15, 4, 5, tzinfo=UTC)),
        ("2026-01-08 15:04:05.250000", datetime(2026, 1, 8, 15, 4, 5, 250000, tzinfo=UTC)),
        ("2026-01-08T15:04:05", datetime(2026, 1, 8, 15, 4, 5, tzinfo=UTC)),
        ("2026-01-08 17:04:05+02:00", datetime(2026, 1, 8, 15, 4, 5, tzinfo=UTC)),
        ("2026-01-08T15:04:05Z", datetime(2026, 1, 8, 15, 4, 5, tzinfo=UTC)),
        (" 2026-01-08 15:04:05 ", datetime(2026, 1, 8, 15, 4, 5, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_each_format_the_legacy_columns_hold(
    db: LegacyDatabase, source: LegacySqlSource, raw: str, expected: datetime
) -> None:
    """Space or T, fractions, an offset or none: aware UTC, without a problem."""
    h = db.hotel(id=1)
    db.room(h, "101")
    db.execute("UPDATE rooms_room SET last_cleaned_at = :v", v=raw)
    (room,) = source.rooms(h)
    assert (room.last_cleaned_at, room.problems) == (expected, ())
    assert room.last_cleaned_at is not None
    assert room.last_cleaned_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, True), (0, False), ("t", True), ("f", False), ("True", True), ("false", False)],
)
def test_booleans_are_read_in_each_spelling_the_legacy_columns_hold(
    db: LegacyDatabase, source: LegacySqlSource, raw: object, expected: bool
) -> None:
    """0/1, t/f, true/false in any case read without a problem."""
    h = db.hotel(id=1)
    db.staff(h)
    db.execute("UPDATE staff_staff SET is_active = :v", v=raw)
    (member,) = source.staff(h)
    assert (member.is_active, member.problems) == (expected, ())


def test_naive_times_are_read_in_the_legacy_time_zone(
    db: LegacyDatabase, legacy_engine: Engine
) -> None:
    """Europe/Paris: 15:00 naive in January is 14:00 UTC, in July 13:00; offsets are kept."""
    h = db.hotel(id=1)
    db.room(h, "101")
    db.execute(
        "UPDATE rooms_room SET last_cleaned_at = '2026-01-08 15:00:00', "
        "last_inspected_at = '2026-07-08 15:00:00'"
    )
    source = LegacySqlSource(legacy_engine, legacy_timezone="Europe/Paris")
    (room,) = source.rooms(h)
    assert room.last_cleaned_at == datetime(2026, 1, 8, 14, tzinfo=UTC)
    assert room.last_inspected_at == datetime(2026, 7, 8, 13, tzinfo=UTC)
    db.execute("UPDATE rooms_room SET last_cleaned_at = '2026-01-08 15:00:00+00:00'")
    assert source.rooms(h)[0].last_cleaned_at == datetime(2026, 1, 8, 15, tzinfo=UTC)


def test_an_unknown_legacy_time_zone_is_refused(legacy_engine: Engine) -> None:
    """A zone zoneinfo does not know is a ValueError, not a KeyError later."""
    with pytest.raises(ValueError, match="Mars/Olympus"):
        LegacySqlSource(legacy_engine, legacy_timezone="Mars/Olympus")


def test_text_passes_through_with_nul_bytes_and_undecodable_bytes_do_not_raise(
    db: LegacyDatabase, legacy_engine: Engine, source: LegacySqlSource
) -> None:
    """NUL bytes reach the domain as they are; invalid UTF-8 is replaced, not fatal."""
    h = db.hotel("Gr\x00and", id=1)
    db.room(h, "101")
    with legacy_engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.execute("UPDATE rooms_room SET room_number = CAST(X'31FF30' AS TEXT)")
    assert source.hotels()[0].name == "Gr\x00and"
    assert source.rooms(h)[0].room_number == "1\ufffd0"


def test_the_pin_column_is_never_selected_and_no_problem_quotes_a_token_or_pin(
    db: LegacyDatabase, legacy_engine: Engine, source: LegacySqlSource
) -> None:
    """No statement names id_pin; a junk token and PIN appear in no problem."""
    ids = _hotel_with_every_kind_of_booking(db)
    db.execute("UPDATE rooms_room SET guest_fcm_token = 'tok-SECRET-2026-13-45'")
    db.execute("UPDATE guests_guest SET id_pin = 'x' || id")
    db.task(1, 1, booking_id=ids["departed"])
    with _statements(legacy_engine) as sent:
        rows: list[object] = [
            *source.hotels(),
            *source.rooms(1),
            *source.staff(1),
            *source.open_stays(1),
            *source.stays(1),
            *source.tasks(1),
            *source.orphans(),
        ]
        source.room_hotels()
        source.staff_hotels()
        source.count_bookings(1)
    assert sent
    assert not [s for s in sent if "id_pin" in s.lower()]
    text = repr(rows)
    assert "SECRET" not in text
    assert "'x1'" not in text


def test_orphans_are_the_rows_of_no_hotel_or_booking(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """Dangling hotel and booking references, and guests naming no booking, each once."""
    h = db.hotel(id=1)
    room = db.room(h, "101")
    kept = db.departed_booking(h, room, guests=1, checked_in_at=IN)
    db.room(99, "x", id=50)
    db.staff(99, id=60)
    lost = db.booking(98, id=70)
    db.task(97, room, id=80)
    db.party_member(4040, id=90)
    db.guest(h, booking_id=5050, id=100)
    db.guest(h, id=101)
    db.guest(96, id=102)
    db.guest(95, booking_id=kept, id=103)  # its booking exists: not an orphan
    db.guest(95, booking_id=lost, id=104)  # its booking exists (of no hotel): not an orphan
    assert list(source.orphans()) == [
        LegacyOrphan(
            "rooms_room", 50, "dangling_reference", "names hotel 99, which does not exist"
        ),
        LegacyOrphan(
            "staff_staff", 60, "dangling_reference", "names hotel 99, which does not exist"
        ),
        LegacyOrphan(
            "hotel_roombooking", 70, "dangling_reference", "names hotel 98, which does not exist"
        ),
        LegacyOrphan(
            "housekeeping_housekeepingtask",
            80,
            "dangling_reference",
            "names hotel 97, which does not exist",
        ),
        LegacyOrphan(
            "hotel_bookingguest",
            90,
            "dangling_reference",
            "names booking 4040, which does not exist",
        ),
        LegacyOrphan(
            "guests_guest", 100, "dangling_reference", "names booking 5050, which does not exist"
        ),
        LegacyOrphan("guests_guest", 101, "guest_without_booking", "names no booking"),
        LegacyOrphan(
            "guests_guest", 102, "dangling_reference", "names hotel 96, which does not exist"
        ),
    ]
    (stay,) = source.stays(h)
    assert [g.id for g in stay.guests] == [*_rows_of(db, "guests_guest", kept)]
    assert 103 in {g.id for g in stay.guests}


def test_orphans_are_found_with_anti_joins(
    db: LegacyDatabase, legacy_engine: Engine, source: LegacySqlSource
) -> None:
    """One NOT EXISTS statement per table, no list of every id."""
    db.hotel(id=1)
    with _statements(legacy_engine) as sent:
        assert list(source.orphans()) == []
    assert len(sent) == 6
    assert all("NOT (EXISTS" in s or "NOT EXISTS" in s for s in sent)


def test_tasks_carry_the_hotel_of_the_booking_they_name_across_keyset_pages(
    db: LegacyDatabase, legacy_engine: Engine
) -> None:
    """booking_hotel_id: the booking's hotel, None when it names none or a missing one."""
    h1, h2 = db.hotel(id=1), db.hotel(id=2)
    room = db.room(h1, "101")
    own = db.booking(h1)
    foreign = db.booking(h2)
    expected = {
        db.task(h1, room, booking_id=own): h1,
        db.task(h1, room, booking_id=foreign): h2,
        db.task(h1, room, booking_id=9999): None,
        db.task(h1, room): None,
        db.task(h1, room, booking_id=own): h1,
    }
    db.task(h2, room, booking_id=own)  # another hotel's task
    source = LegacySqlSource(legacy_engine, batch_size=2)
    with _statements(legacy_engine) as sent:
        tasks = list(source.tasks(h1))
    assert {t.id: t.booking_hotel_id for t in tasks} == expected
    assert [t.id for t in tasks] == sorted(expected)
    assert all(t.hotel_id == h1 and t.created_at is not None for t in tasks)
    assert len(sent) == 3  # pages of 2, 2, 1


def test_reference_rows_and_counts_are_read_by_id(
    db: LegacyDatabase, source: LegacySqlSource
) -> None:
    """hotels, rooms, staff and the id -> hotel maps are as written, in id order."""
    h1, h2 = db.hotel("Grand", id=1), db.hotel("Other", id=2)
    s2 = db.staff(h2, first_name="Bo", role="HOUSEKEEPING", is_active=False, id=7)
    s1 = db.staff(h1, id=3)
    r2 = db.room(h1, "102", id=20, room_status="CHECKOUT_DIRTY", guest_fcm_token="tok")
    r1 = db.room(
        h1,
        "101",
        id=10,
        is_occupied=True,
        cleaned_by_staff_id=s1,
        last_cleaned_at=datetime(2026, 1, 9, 8, 30),
    )
    r3 = db.room(h2, "201", id=30)
    assert [(x.id, x.name) for x in source.hotels()] == [(1, "Grand"), (2, "Other")]
    assert source.room_hotels() == {r1: h1, r2: h1, r3: h2}
    assert source.staff_hotels() == {s1: h1, s2: h2}
    assert [(m.id, m.first_name, m.role, m.is_active) for m in source.staff(h2)] == [
        (s2, "Bo", "HOUSEKEEPING", False)
    ]
    rooms = source.rooms(h1)
    assert [x.id for x in rooms] == [r1, r2]
    assert rooms[0].is_occupied is True
    assert rooms[0].cleaned_by_staff_id == s1
    assert rooms[0].last_cleaned_at == datetime(2026, 1, 9, 8, 30, tzinfo=UTC)
    assert (rooms[1].room_status, rooms[1].guest_fcm_token) == ("CHECKOUT_DIRTY", "tok")
    assert source.count_bookings(h2) == 0


def test_open_refuses_a_missing_file_and_creates_nothing(tmp_path: Path) -> None:
    """A path that does not exist is FileNotFoundError, and no empty database appears."""
    missing = tmp_path / "nope.db"
    with pytest.raises(FileNotFoundError, match=r"nope\.db"):
        LegacySqlSource.open(f"sqlite:///{missing}")
    assert not missing.exists()
    with pytest.raises(ValueError, match="SQLite file"):
        LegacySqlSource.open("sqlite://")


def test_open_reads_a_sqlite_file_read_only(tmp_path: Path) -> None:
    """Through open(), the file reads but cannot be written."""
    path = tmp_path / "legacy db #1.db"
    engine = _sqlite(path)
    db = LegacyDatabase(engine)
    db.hotel("Grand", id=1)
    for _ in range(3):
        db.party_member(db.booking(1), is_primary=True)
    engine.dispose()
    with LegacySqlSource.open(f"sqlite:///{path}", legacy_timezone="UTC", batch_size=1) as source:
        assert [h.name for h in source.hotels()] == ["Grand"]
        nested = [(s.booking.id, len(s.party), len(source.open_stays(1))) for s in source.stays(1)]
        assert nested == [(1, 1, 0), (2, 1, 0), (3, 1, 0)]
        with source.engine.begin() as conn, pytest.raises(OperationalError, match="readonly"):
            conn.execute(insert(hotel).values(id=2, name="Other"))
        assert [h.id for h in source.hotels()] == [1]


# --- streaming ---------------------------------------------------------------------------------


def _bulk_hotel(engine: Engine, bookings: int) -> None:
    """Hotel 1 with ``bookings`` past stays, each with 2 party rows and 2 guests (party
    ids interleaved out of booking order), written through the module's tables."""
    with engine.begin() as conn:
        conn.execute(insert(hotel), [{"id": 1, "name": "Grand"}])
        step = 5000
        for start in range(1, bookings + 1, step):
            ids = range(start, min(start + step, bookings + 1))
            conn.execute(
                insert(roombooking),
                [
                    {
                        "id": i,
                        "hotel_id": 1,
                        "booking_id": f"BK-{i}",
                        "check_in": date(2024, 1, 1),
                        "check_out": date(2024, 1, 3),
                        "checked_in_at": datetime(2024, 1, 1, 15),
                        "checked_out_at": datetime(2024, 1, 3, 10),
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(bookingguest),
                [
                    {
                        "id": 2 * (bookings + 1 - i) + k,  # the reverse of booking order
                        "booking_id": i,
                        "first_name": f"F{k}",
                        "last_name": "L",
                        "is_primary": k == 0,
                    }
                    for i in ids
                    for k in (0, 1)
                ],
            )
            conn.execute(
                insert(guest),
                [
                    {
                        "id": 2 * i + k,
                        "hotel_id": 1,
                        "booking_id": i,
                        "first_name": f"F{k}",
                        "last_name": "L",
                        "guest_type": "PRIMARY" if k == 0 else "COMPANION",
                        "check_in_date": date(2024, 1, 1),
                        "check_out_date": date(2024, 1, 3),
                    }
                    for i in ids
                    for k in (0, 1)
                ],
            )
            conn.execute(
                insert(housekeepingtask),
                [
                    {
                        "id": i,
                        "hotel_id": 1,
                        "room_id": 1,
                        "booking_id": i,
                        "task_type": "TURNOVER",
                        "status": "DONE",
                        "created_at": datetime(2024, 1, 3, 10),
                    }
                    for i in ids
                    if i % 10 == 0
                ],
            )


@pytest.fixture(scope="module")
def big_hotel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A legacy SQLite database whose hotel 1 has 50,000 bookings."""
    engine = _sqlite(tmp_path_factory.mktemp("legacy") / "big.db")
    _bulk_hotel(engine, 50_000)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def two_sizes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Engine]]:
    """Legacy SQLite databases whose hotel 1 has 1,000 and 4,000 bookings."""
    engines = {}
    for bookings in (1_000, 4_000):
        engines[bookings] = _sqlite(tmp_path_factory.mktemp("legacy") / f"b{bookings}.db")
        _bulk_hotel(engines[bookings], bookings)
    yield engines
    for engine in engines.values():
        engine.dispose()


def _traced_peak(engine: Engine, *, hold: bool) -> tuple[int, int, int]:
    """(stays, peak bytes, bytes still held at the end) of reading hotel 1's stays in
    batches of 250, keeping them all if ``hold``."""
    source = LegacySqlSource(engine, batch_size=250)
    list(source.stays(1))  # statements compiled and cached before the measure
    tracemalloc.start()
    try:
        if hold:
            held = list(source.stays(1))
            count = len(held)
        else:
            count = sum(1 for _ in source.stays(1))
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak, current


def test_streaming_keeps_memory_flat_whatever_the_number_of_bookings(
    two_sizes: dict[int, Engine],
) -> None:
    """Four times the bookings, about the same peak: a small fraction of what holding
    every stay takes, and no more than what one batch takes."""
    small, big = (_traced_peak(two_sizes[n], hold=False) for n in (1_000, 4_000))
    assert (small[0], big[0]) == (1_000, 4_000)
    count, _, held = _traced_peak(two_sizes[4_000], hold=True)
    assert count == 4_000
    assert held > 4_000 * 1_000  # sanity: each held stay takes over a kilobyte
    assert big[1] < small[1] * 1.5  # not four times
    assert big[1] < held / 4  # streaming 4,000 stays costs under 1,000 of them held


def test_the_statements_sent_do_not_grow_with_the_number_of_batches(
    big_hotel: Engine, tmp_path: Path
) -> None:
    """Streaming 50,000 bookings sends as many statements as streaming 1,000."""
    small = _sqlite(tmp_path / "small.db")
    _bulk_hotel(small, 1_000)
    counts = []
    for engine in (small, big_hotel):
        source = LegacySqlSource(engine, batch_size=500)
        with _statements(engine) as sent:
            stays = sum(
                len(s.party) == len(s.guests) == 2
                and s.task_rooms == ((1,) if s.booking.id % 10 == 0 else ())
                for s in source.stays(1)
            )
        counts.append(len(sent))
        assert stays in (1_000, 50_000)
    small.dispose()
    assert counts == [4, 4]


def test_tasks_cost_one_statement_per_batch(big_hotel: Engine) -> None:
    """5,000 tasks in batches of 500: 11 keyset pages (the last one empty)."""
    source = LegacySqlSource(big_hotel, batch_size=500)
    with _statements(big_hotel) as sent:
        assert sum(1 for _ in source.tasks(1)) == 5_000
    assert len(sent) == 11


def test_a_stream_given_up_part_way_gives_its_connection_back(big_hotel: Engine) -> None:
    """Closing a half-read stays() stream returns its connection to the pool."""
    source = LegacySqlSource(big_hotel, batch_size=500)
    stays = source.stays(1)
    assert next(stays).booking.id == 1
    assert big_hotel.pool.checkedout() == 1  # type: ignore[attr-defined]
    stays.close()
    assert big_hotel.pool.checkedout() == 0  # type: ignore[attr-defined]


# --- PostgreSQL --------------------------------------------------------------------------------


def _same_data(db: LegacyDatabase) -> None:
    """The same legacy rows on either database (nothing PostgreSQL would refuse or read
    otherwise: it takes 'yesterday' for a timestamp)."""
    ids = _hotel_with_every_kind_of_booking(db, bad_checkout="2026-01-10 10:00:00.5")
    staff = db.staff(1, id=5)
    db.execute(
        "UPDATE hotel_roombooking SET room_moved_at = :t, room_moved_by_id = :s WHERE id = :b",
        t=datetime(2026, 1, 9, 11, 15, 30, 123456),
        s=staff,
        b=ids["in_house"],
    )
    db.task(1, 1, booking_id=ids["departed"], status="DONE")
    db.task(1, 1, booking_id=ids["other_hotel"])
    db.task(1, 1)


def _everything(source: LegacySqlSource) -> dict[str, object]:
    stays: list[LegacyStay] = [
        *source.open_stays(1),
        *source.stays(1),
        *source.open_stays(2),
        *source.stays(2),
    ]
    return {
        "hotels": source.hotels(),
        "rooms": source.rooms(1),
        "staff": source.staff(1),
        "stays": stays,
        "tasks": list(source.tasks(1)),
        "room_hotels": source.room_hotels(),
        "staff_hotels": source.staff_hotels(),
        "count": source.count_bookings(1),
    }


def test_postgresql_gives_the_same_rows_as_sqlite(postgres_url: str, legacy_engine: Engine) -> None:
    """The same data read from both databases gives equal LegacyStay (and other) values."""
    pg = fresh_database(postgres_url, "legacy_source_same")
    try:
        create_legacy_schema(pg)
        _same_data(LegacyDatabase(pg))
        _same_data(LegacyDatabase(legacy_engine))
        url = pg.url.render_as_string(hide_password=False).replace("+psycopg", "")
        for zone in ("UTC", "America/New_York"):
            with LegacySqlSource.open(url, legacy_timezone=zone, batch_size=2) as opened:
                from_pg = _everything(opened)
            from_sqlite = _everything(
                LegacySqlSource(legacy_engine, legacy_timezone=zone, batch_size=2)
            )
            for what, rows in from_pg.items():
                assert (what, rows) == (what, from_sqlite[what])
        assert from_pg["count"] == 7
        stays = from_sqlite["stays"]
        assert isinstance(stays, list)
        assert len(stays) == 8
    finally:
        pg.dispose()


def test_postgresql_times_it_cannot_hold_in_python_are_problems_not_errors(
    postgres_url: str,
) -> None:
    """'infinity' and a year after 9999 in a timestamp column: None with a problem."""
    pg = fresh_database(postgres_url, "legacy_source_infinity")
    try:
        create_legacy_schema(pg)
        db = LegacyDatabase(pg)
        h = db.hotel(id=1)
        db.room(h, "101")
        db.execute(
            "UPDATE rooms_room SET last_cleaned_at = 'infinity', "
            "last_inspected_at = '12026-01-01 10:00:00', is_occupied = true"
        )
        (room,) = LegacySqlSource(pg).rooms(h)
        assert (room.last_cleaned_at, room.last_inspected_at, room.is_occupied) == (
            None,
            None,
            True,
        )
        assert room.problems == (
            "last_cleaned_at 'infinity' is not a date and time; read as none",
            "last_inspected_at '12026-01-01 10:00:00' is not a date and time; read as none",
        )
        assert list(LegacySqlSource(pg).orphans()) == []
    finally:
        pg.dispose()
