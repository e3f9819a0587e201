"""The legacy test-data tools: the schema, the builder and the generator (on SQLite)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from hotel_occupancy.testing.legacy import (
    DEFECT_KINDS,
    LEGACY_SCHEMA,
    LEGACY_TABLES,
    GeneratedLegacy,
    LegacyDatabase,
    create_legacy_schema,
    generate_legacy_database,
)

AUDIT_COLUMNS = (
    "room_assigned_at",
    "room_reassigned_at",
    "room_unassigned_at",
    "room_moved_at",
    "checked_in_at",
    "checked_out_at",
)
KNOWN_STATUSES = (
    "READY_FOR_GUEST",
    "OCCUPIED",
    "CHECKOUT_DIRTY",
    "CLEANING_IN_PROGRESS",
    "CLEANED_UNINSPECTED",
    "MAINTENANCE_REQUIRED",
    "OUT_OF_ORDER",
)
KNOWN_ROLES = ("FRONT_DESK", "HOUSEKEEPING", "SUPERVISOR", "MAINTENANCE", "MANAGER")
IN_HOUSE = "b.checked_in_at IS NOT NULL AND b.checked_out_at IS NULL"
DATE_COLUMNS = {
    "rooms_room": ("last_cleaned_at", "last_inspected_at"),
    "hotel_roombooking": ("check_in", "check_out", *AUDIT_COLUMNS),
    "guests_guest": ("check_in_date", "check_out_date"),
    "housekeeping_housekeepingtask": ("created_at",),
}


def generate_small(engine: Engine) -> GeneratedLegacy:
    """The small database of these tests: 2 hotels x 30 rooms, a year of history, seed 1."""
    return generate_legacy_database(engine, hotels=2, rooms_per_hotel=30, years=1, seed=1)


def sqlite_engine_at(path: Path) -> Engine:
    """A plain SQLAlchemy engine on a SQLite file (foreign keys not enforced)."""
    return sa.create_engine(f"sqlite:///{path}")


@pytest.fixture
def legacy_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file with the legacy tables."""
    engine = sqlite_engine_at(tmp_path / "legacy.db")
    create_legacy_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, GeneratedLegacy]]:
    """The small generated database with defects, shared by the tests of this module."""
    engine = sqlite_engine_at(tmp_path_factory.mktemp("legacy") / "generated.db")
    result = generate_small(engine)
    yield engine, result
    engine.dispose()


def scalar(conn: Connection, sql: str) -> int:
    """The integer a query returns."""
    return int(conn.execute(sa.text(sql)).scalar_one())


def is_unreadable(value: Any) -> bool:
    """Whether a stored date or datetime value is text that is not a date."""
    if value is None:
        return False
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return True
    return False


def count_nul(conn: Connection) -> int:
    """Names containing a NUL character."""
    return sum(
        "\x00" in (first + last)
        for table in ("staff_staff", "hotel_bookingguest", "guests_guest")
        for first, last in conn.execute(sa.text(f"SELECT first_name, last_name FROM {table}"))
    )


def count_unreadable(conn: Connection) -> int:
    """Date and datetime values that are not dates."""
    return sum(
        is_unreadable(value)
        for table, columns in DATE_COLUMNS.items()
        for row in conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}"))
        for value in row
    )


# Independent detectors of each defect kind: a number of offending rows or groups.
DETECTORS: dict[str, Callable[[Connection], int]] = {
    "double_occupancy": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM (SELECT b.assigned_room_id FROM hotel_roombooking b "
        f"WHERE {IN_HOUSE} GROUP BY b.assigned_room_id HAVING COUNT(*) > 1)",
    ),
    "phantom_occupancy": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM rooms_room r WHERE r.is_occupied = 1 AND NOT EXISTS "
        f"(SELECT 1 FROM hotel_roombooking b WHERE b.assigned_room_id = r.id AND {IN_HOUSE})",
    ),
    "occupied_flag_false": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM rooms_room r WHERE r.is_occupied = 0 AND EXISTS "
        f"(SELECT 1 FROM hotel_roombooking b WHERE b.assigned_room_id = r.id AND {IN_HOUSE})",
    ),
    "preassignment_conflict": lambda c: scalar(
        c,
        "WITH open AS (SELECT * FROM hotel_roombooking WHERE assigned_room_id IS NOT NULL "
        "AND checked_out_at IS NULL) SELECT COUNT(*) FROM open a JOIN open b "
        "ON a.assigned_room_id = b.assigned_room_id AND a.id < b.id "
        "WHERE b.checked_in_at IS NULL AND a.check_in < b.check_out AND b.check_in < a.check_out",
    ),
    "cross_hotel_reference": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM hotel_roombooking b JOIN rooms_room r "
        "ON r.id = b.assigned_room_id WHERE r.hotel_id != b.hotel_id",
    ),
    "guest_room_drift": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM guests_guest g JOIN hotel_roombooking b ON b.id = g.booking_id "
        f"WHERE {IN_HOUSE} AND g.room_id != b.assigned_room_id",
    ),
    "lingering_guest": lambda c: scalar(
        c,
        "SELECT COUNT(DISTINCT b.id) FROM guests_guest g JOIN hotel_roombooking b "
        "ON b.id = g.booking_id WHERE b.checked_out_at IS NOT NULL "
        "AND g.room_id IS NOT NULL AND g.check_out_date IS NULL",
    ),
    "stale_device_token": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM rooms_room r WHERE r.guest_fcm_token IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM hotel_roombooking b WHERE b.assigned_room_id = r.id AND {IN_HOUSE})",
    ),
    "unknown_room_status": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM rooms_room WHERE room_status NOT IN "
        f"({', '.join(repr(s) for s in KNOWN_STATUSES)})",
    ),
    "empty_party": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM hotel_roombooking WHERE id NOT IN "
        "(SELECT booking_id FROM hotel_bookingguest)",
    ),
    "unknown_staff_role": lambda c: scalar(
        c,
        f"SELECT COUNT(*) FROM staff_staff WHERE role NOT IN "
        f"({', '.join(repr(s) for s in KNOWN_ROLES)})",
    ),
    "dates_reversed": lambda c: scalar(
        c, "SELECT COUNT(*) FROM hotel_roombooking WHERE check_out < check_in"
    ),
    "dangling_reference": lambda c: scalar(
        c,
        "SELECT (SELECT COUNT(*) FROM hotel_roombooking WHERE assigned_room_id NOT IN "
        "(SELECT id FROM rooms_room)) + (SELECT COUNT(*) FROM guests_guest WHERE booking_id "
        "NOT IN (SELECT id FROM hotel_roombooking)) + (SELECT COUNT(*) FROM rooms_room WHERE "
        "cleaned_by_staff_id NOT IN (SELECT id FROM staff_staff))",
    ),
    "duplicate_room_number": lambda c: scalar(
        c,
        "SELECT COUNT(*) FROM (SELECT hotel_id, room_number FROM rooms_room "
        "GROUP BY hotel_id, room_number HAVING COUNT(*) > 1)",
    ),
    "nul_in_text": count_nul,
    "unreadable_value": count_unreadable,
}


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every legacy table, in id order."""
    with engine.connect() as conn:
        return {
            table: [
                tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in LEGACY_TABLES
        }


def test_the_legacy_schema_is_created_on_sqlite_exactly_as_the_schema_file_says(
    legacy_engine: Engine,
) -> None:
    """create_legacy_schema runs the shipped schema text: every table, DATETIME columns."""
    with legacy_engine.connect() as conn:
        tables: dict[str, str] = dict(
            conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
        )
        columns = [row[1] for row in conn.execute(sa.text("PRAGMA table_info(rooms_room)"))]
    assert set(tables) == set(LEGACY_TABLES)
    assert "last_cleaned_at        DATETIME NULL" in tables["rooms_room"]
    assert tables["rooms_room"] in LEGACY_SCHEMA
    assert columns[-2:] == ["last_cleaned_at", "last_inspected_at"]


def test_in_house_booking_writes_what_a_legacy_check_in_writes(legacy_engine: Engine) -> None:
    """A check-in: the room assigned and occupied, the party, one guest row per member."""
    db = LegacyDatabase(legacy_engine)
    hotel = db.hotel()
    desk = db.staff(hotel)
    room = db.room(hotel, "101")
    booking = db.in_house_booking(
        hotel,
        room,
        guests=3,
        checked_in_at=datetime(2026, 1, 10, 15, 30),
        token="device-1",
        assigned_by_id=desk,
    )

    ((ref, check_in, check_out, assigned, checked_in, checked_out, at, by),) = db.execute(
        "SELECT booking_id, check_in, check_out, assigned_room_id, checked_in_at, "
        "checked_out_at, room_assigned_at, room_assigned_by_id FROM hotel_roombooking"
    )
    assert (ref, check_in, check_out) == (f"BK-{booking}", "2026-01-10", "2026-01-12")
    assert (assigned, checked_in, checked_out, by) == (room, "2026-01-10 15:30:00", None, desk)
    assert at < checked_in
    party = db.execute("SELECT id, is_primary FROM hotel_bookingguest ORDER BY id")
    assert [primary for _, primary in party] == [1, 0, 0]
    guests = db.execute(
        "SELECT id, room_id, booking_id, booking_guest_id, primary_guest_id, guest_type, "
        "check_in_date, check_out_date, id_pin FROM guests_guest ORDER BY id"
    )
    first = guests[0][0]
    assert [g[1:8] for g in guests] == [
        (room, booking, party[0][0], None, "PRIMARY", "2026-01-10", None),
        (room, booking, party[1][0], first, "COMPANION", "2026-01-10", None),
        (room, booking, party[2][0], first, "COMPANION", "2026-01-10", None),
    ]
    pins = [g[8] for g in guests]
    assert len(set(pins)) == 3
    assert all(len(pin) == 4 and pin.isdigit() for pin in pins)
    assert db.execute(
        "SELECT is_occupied, room_status, guest_fcm_token FROM rooms_room WHERE id = :r", r=room
    ) == [(1, "OCCUPIED", "device-1")]


def test_departed_booking_leaves_what_a_clean_legacy_checkout_leaves(
    legacy_engine: Engine,
) -> None:
    """A checkout: room cleared from booking and guests, pins gone, room dirty, token kept."""
    db = LegacyDatabase(legacy_engine)
    hotel = db.hotel()
    room = db.room(hotel, "101", guest_fcm_token="old-device")
    booking = db.departed_booking(
        hotel,
        room,
        guests=2,
        checked_in_at=datetime(2026, 1, 3, 16),
        checked_out_at=datetime(2026, 1, 5, 9, 15),
    )
    assert db.execute(
        "SELECT assigned_room_id, checked_out_at FROM hotel_roombooking WHERE id = :b", b=booking
    ) == [(None, "2026-01-05 09:15:00")]
    assert (
        db.execute(
            "SELECT room_id, check_in_date, check_out_date, id_pin FROM guests_guest ORDER BY id"
        )
        == [(None, "2026-01-03", "2026-01-05", None)] * 2
    )
    assert db.execute("SELECT is_occupied, room_status, guest_fcm_token FROM rooms_room") == [
        (0, "CHECKOUT_DIRTY", "old-device")
    ]
    assert db.execute(
        "SELECT task_type, status, booking_id FROM housekeeping_housekeepingtask"
    ) == [("TURNOVER", "OPEN", booking)]


def test_pre_assigned_booking_has_a_room_and_a_party_but_no_guest_rows(
    legacy_engine: Engine,
) -> None:
    """An assignment before arrival: assigned room and audit, party, no guests, room as is."""
    db = LegacyDatabase(legacy_engine)
    hotel = db.hotel()
    room = db.room(hotel, "101")
    booking = db.pre_assigned_booking(hotel, room, guests=2, check_in=date(2026, 1, 11))
    assert db.execute(
        "SELECT assigned_room_id, room_assigned_at, checked_in_at FROM hotel_roombooking"
    ) == [(room, "2026-01-10 12:00:00", None)]
    assert db.execute(
        "SELECT COUNT(*) FROM hotel_bookingguest WHERE booking_id = :b", b=booking
    ) == [(2,)]
    assert db.execute("SELECT COUNT(*) FROM guests_guest") == [(0,)]
    assert db.execute("SELECT is_occupied, room_status FROM rooms_room") == [(0, "READY_FOR_GUEST")]


def test_the_builder_writes_dangling_references_and_unreadable_dates_on_sqlite(
    legacy_engine: Engine,
) -> None:
    """Raw defects go in as they are: a missing room id and a date that is not one."""
    db = LegacyDatabase(legacy_engine)
    hotel = db.hotel()
    booking = db.booking(hotel, assigned_room_id=999, id=41)
    db.execute("UPDATE hotel_roombooking SET checked_in_at = :v WHERE id = :b", v="yesterday", b=41)
    assert booking == 41
    assert db.execute(
        "SELECT booking_id, assigned_room_id, checked_in_at FROM hotel_roombooking"
    ) == [("BK-41", 999, "yesterday")]


def test_a_small_generated_database_has_every_defect_kind_planted(
    generated: tuple[Engine, GeneratedLegacy],
) -> None:
    """On SQLite, each kind is planted at least three times and every table has rows."""
    _, result = generated
    assert set(result.planted) == set(DEFECT_KINDS)
    assert {kind: n for kind, n in result.planted.items() if n < 3} == {}
    assert len(result.hotel_ids) == 2
    assert all(result.rows[table] > 0 for table in LEGACY_TABLES)


def test_every_planted_defect_is_visible_in_the_generated_data(
    generated: tuple[Engine, GeneratedLegacy],
) -> None:
    """An independent query finds at least as many offenders as were planted, per kind."""
    engine, result = generated
    with engine.connect() as conn:
        found = {kind: detect(conn) for kind, detect in DETECTORS.items()}
    assert {
        k: (found[k], result.planted[k]) for k in DEFECT_KINDS if found[k] < result.planted[k]
    } == {}


def test_the_audit_timestamp_count_matches_an_independent_count(
    generated: tuple[Engine, GeneratedLegacy],
) -> None:
    """audit_timestamps equals the non-null audit values counted row by row in Python."""
    engine, result = generated
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM hotel_roombooking"))
        counted = sum(value is not None for row in rows for value in row)
    assert counted > result.rows["hotel_roombooking"]
    assert result.audit_timestamps == counted


def test_generation_is_deterministic_for_a_seed(
    tmp_path: Path, generated: tuple[Engine, GeneratedLegacy]
) -> None:
    """The same seed writes the same rows; another seed writes other rows."""
    engine, result = generated
    paths = ("again.db", "tiny-1.db", "tiny-2.db")
    again, tiny_1, tiny_2 = (sqlite_engine_at(tmp_path / name) for name in paths)
    try:
        assert generate_small(again) == result
        assert dump(again) == dump(engine)
        for tiny, seed in ((tiny_1, 1), (tiny_2, 2)):
            generate_legacy_database(
                tiny, hotels=1, rooms_per_hotel=10, bookings_per_hotel=60, seed=seed
            )
        assert dump(tiny_1)["hotel_roombooking"] != dump(tiny_2)["hotel_roombooking"]
    finally:
        for e in (again, tiny_1, tiny_2):
            e.dispose()


def test_a_generated_database_without_defects_is_clean_and_streams_its_batches(
    tmp_path: Path,
) -> None:
    """defects=False: no detector finds anything, rooms cover every legacy status, and
    progress reports each table's rows as they are written."""
    engine = sqlite_engine_at(tmp_path / "clean.db")
    reports: list[tuple[str, int]] = []
    try:
        result = generate_legacy_database(
            engine,
            hotels=2,
            rooms_per_hotel=24,
            years=1,
            seed=5,
            defects=False,
            batch_size=500,
            progress=lambda table, n: reports.append((table, n)),
        )
        with engine.connect() as conn:
            found = {kind: detect(conn) for kind, detect in DETECTORS.items()}
            statuses = {
                s for (s,) in conn.execute(sa.text("SELECT DISTINCT room_status FROM rooms_room"))
            }
            in_house = scalar(conn, f"SELECT COUNT(*) FROM hotel_roombooking b WHERE {IN_HOUSE}")
    finally:
        engine.dispose()
    assert set(result.planted.values()) == {0}
    assert {kind: n for kind, n in found.items() if n} == {}
    assert statuses == set(KNOWN_STATUSES)
    assert 0.55 * 48 <= in_house <= 0.75 * 48
    last = dict(reports)
    assert last == result.rows
    assert len([1 for table, _ in reports if table == "guests_guest"]) > 2
