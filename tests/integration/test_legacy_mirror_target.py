"""The mirror's legacy target (§12, side by side): LegacySqlTarget writes the library's rows
into the legacy columns of SQLite and PostgreSQL legacy databases, finding the imported
rows, making (and remembering) the ones the legacy database lacks, with its position
compared and stored in the same transaction."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import Connection

from hotel_occupancy import ConcurrencyConflict, StorageError
from hotel_occupancy.adapters.legacy import (
    LegacySqlSource,
    bookingguest,
    guest,
    room,
    roombooking,
    staff,
)
from hotel_occupancy.adapters.legacy_mirror import (
    LegacySqlTarget,
    mirror_metadata,
    mirror_positions,
)
from hotel_occupancy.domain.enums import GuestType, StaffRole
from hotel_occupancy.domain.errors import HotelNotFound, InvalidInput
from hotel_occupancy.domain.model import BookingGuest
from hotel_occupancy.domain.side_by_side import (
    MirrorAudit,
    MirrorBooking,
    MirrorGuest,
    MirrorHotel,
    MirrorRoom,
    MirrorStaff,
)
from hotel_occupancy.testing.legacy import LEGACY_TABLES, LegacyDatabase, create_legacy_schema
from tests.integration.sessions import fresh_database, until, waiting_for_locks

T0 = datetime(2026, 1, 10, 15, 0, 0, 123456, tzinfo=UTC)
"""A winter time (Lisbon is UTC+0), with microseconds."""
SUMMER = datetime(2026, 7, 10, 13, 30, 5, 654321, tzinfo=UTC)
"""A summer time (Lisbon is UTC+1)."""
TABLES = (staff, room, roombooking, bookingguest, guest)


# --- legacy databases ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_legacy(postgres_url: str) -> Iterator[Engine]:
    """A PostgreSQL database of this module's own on the test server."""
    engine = fresh_database(postgres_url, "legacy_mirror_target")
    yield engine
    engine.dispose()


def _emptied_pg(engine: Engine) -> Engine:
    """The module's PostgreSQL database with nothing but empty legacy tables."""
    with engine.begin() as conn:
        for name in (*(t.name for t in mirror_metadata.sorted_tables), *reversed(LEGACY_TABLES)):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name} CASCADE")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS boom() CASCADE")
    create_legacy_schema(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty legacy database: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
        create_legacy_schema(engine)
        yield engine
        engine.dispose()
    else:
        yield _emptied_pg(request.getfixturevalue("pg_legacy"))


@pytest.fixture
def db(legacy: Engine) -> LegacyDatabase:
    """A builder of rows in the legacy database."""
    return LegacyDatabase(legacy)


@pytest.fixture
def target(legacy: Engine) -> Iterator[LegacySqlTarget]:
    """The mirror's target on the legacy database (legacy times in UTC)."""
    with LegacySqlTarget(legacy) as t:
        yield t


# --- helpers ------------------------------------------------------------------------------


def _row(engine: Engine, table: Any, row_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == row_id)).one()
    return dict(row._mapping)


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the legacy tables the mirror writes, by id."""
    with engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))]
            for t in TABLES
        }


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _imported(db: LegacyDatabase, *, hotel_id: int = 1) -> dict[str, Any]:
    """A legacy hotel as the import found it: staff 3, room 17 occupied by booking 655 (two
    guests, a device token on the room), room 18 vacant (hotel 2: 103, 117, 118, 1655)."""
    o = hotel_id - 1
    h = db.hotel("Grand", id=hotel_id)
    s = db.staff(h, first_name="Ann", last_name="Lee", role="HOUSEKEEPING", id=o * 100 + 3)
    r17 = db.room(h, "101", id=o * 100 + 17)
    r18 = db.room(h, "102", id=o * 100 + 18)
    b = db.in_house_booking(h, r17, guests=2, token="tok-old", id=o * 1000 + 655)
    party = [
        r[0]
        for r in db.execute(
            "SELECT id FROM hotel_bookingguest WHERE booking_id = :b ORDER BY id", b=b
        )
    ]
    guests = [
        r[0]
        for r in db.execute("SELECT id FROM guests_guest WHERE booking_id = :b ORDER BY id", b=b)
    ]
    return {
        "hotel": h,
        "staff": s,
        "rooms": (r17, r18),
        "booking": b,
        "party": party,
        "guests": guests,
    }


def _checked_out(ids: dict[str, Any], prefix: str) -> MirrorHotel:
    """What the library says of the imported hotel after booking 655 checked out of its
    room, which staff 3 cleaned, and was moved (its audit columns)."""
    p = prefix
    r17, _ = ids["rooms"]
    b = ids["booking"]
    party = tuple(
        BookingGuest(f"{p}{m}", first, "Lee")
        for m, first in zip(ids["party"], ("Gina", "Hal"), strict=True)
    )
    primary, companion = (f"{p}guest-{g}" for g in ids["guests"])
    return MirrorHotel(
        hotel_id=f"{p}hotel",
        legacy_hotel_id=ids["hotel"],
        prefix=p,
        staff=(MirrorStaff(f"{p}{ids['staff']}", "Ann Lee", StaffRole.HOUSEKEEPING, True),),
        rooms=(
            MirrorRoom(
                room_id=f"{p}{r17}",
                number="101",
                is_occupied=False,
                room_status="CLEANED_UNINSPECTED",
                device_token=None,
                cleaned_by=f"{p}{ids['staff']}",
                last_cleaned_at=T0 + timedelta(days=2, hours=1),
                inspected_by=None,
                last_inspected_at=None,
            ),
        ),
        bookings=(
            MirrorBooking(
                booking_id=f"{p}{b}",
                reference="BK-655",
                arrival=date(2026, 1, 10),
                departure=date(2026, 1, 12),
                assigned_room=None,
                checked_in_at=T0,
                checked_out_at=T0 + timedelta(days=2),
                moved_at=T0 + timedelta(hours=3),
                party=party,
                guests=(
                    MirrorGuest(
                        primary,
                        party[0].booking_guest_id,
                        None,
                        GuestType.PRIMARY,
                        "Gina",
                        "Lee",
                        None,
                        date(2026, 1, 10),
                        date(2026, 1, 12),
                    ),
                    MirrorGuest(
                        companion,
                        party[1].booking_guest_id,
                        primary,
                        GuestType.COMPANION,
                        "Hal",
                        "Lee",
                        None,
                        date(2026, 1, 10),
                        date(2026, 1, 12),
                    ),
                ),
                audit=(
                    MirrorAudit(
                        "room_moved_at",
                        "room_moved_by_id",
                        T0 + timedelta(hours=3),
                        f"{p}{ids['staff']}",
                    ),
                ),
            ),
        ),
    )


def _new_hotel(legacy_hotel_id: int, *, room_number: str = "201") -> MirrorHotel:
    """Rows the library made itself (no legacy row): a staff member, a room, an in-house
    booking with a party of two and their guest records."""
    party = (BookingGuest("bg-1", "Ivy", "Ng"), BookingGuest("bg-2", "Jo", "Ng"))
    return MirrorHotel(
        hotel_id="h-new",
        legacy_hotel_id=legacy_hotel_id,
        prefix="",
        staff=(MirrorStaff("s-new", "Kim Park", StaffRole.FRONT_DESK, True),),
        rooms=(
            MirrorRoom(
                "r-new",
                room_number,
                True,
                "OCCUPIED",
                "tok-new",
                "s-new",
                T0,
                "s-new",
                T0 + timedelta(minutes=30),
            ),
        ),
        bookings=(
            MirrorBooking(
                booking_id="b-new",
                reference="LIB-1",
                arrival=date(2026, 1, 10),
                departure=date(2026, 1, 13),
                assigned_room="r-new",
                checked_in_at=T0 + timedelta(hours=1),
                checked_out_at=None,
                moved_at=None,
                party=party,
                guests=(  # the companion first: the primary must still be written first
                    MirrorGuest(
                        "g-2",
                        "bg-2",
                        "g-1",
                        GuestType.COMPANION,
                        "Jo",
                        "Ng",
                        "r-new",
                        date(2026, 1, 10),
                        None,
                    ),
                    MirrorGuest(
                        "g-1",
                        "bg-1",
                        None,
                        GuestType.PRIMARY,
                        "Ivy",
                        "Ng",
                        "r-new",
                        date(2026, 1, 10),
                        None,
                    ),
                ),
                audit=(MirrorAudit("room_assigned_at", "room_assigned_by_id", T0, "s-new"),),
            ),
        ),
    )


# --- updates of imported rows -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "L-"])
def test_imported_rows_are_found_by_their_legacy_ids_and_updated_in_place(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget, prefix: str
) -> None:
    """Ids "17" or "L-17" name legacy row 17, updated in place: no new row, no map entry."""
    ids = _imported(db)
    r17, r18 = ids["rooms"]
    before = {t.name: _count(legacy, t) for t in TABLES}
    target.apply([_checked_out(ids, prefix)], consumer="mirror", expected=None, position="p1")

    assert {t.name: _count(legacy, t) for t in TABLES} == before
    assert target.id_map(ids["hotel"]) == {}
    r = _row(legacy, room, r17)
    assert (r["is_occupied"], r["room_status"], r["guest_fcm_token"]) == (
        False,
        "CLEANED_UNINSPECTED",
        None,
    )
    assert (r["cleaned_by_staff_id"], r["last_cleaned_at"]) == (
        3,
        datetime(2026, 1, 12, 16, 0, 0, 123456),
    )
    assert (r["hotel_id"], r["room_number"]) == (1, "101")
    b = _row(legacy, roombooking, ids["booking"])
    assert (b["booking_id"], b["assigned_room_id"], b["check_out"]) == (
        "BK-655",
        None,
        date(2026, 1, 12),
    )
    assert b["checked_out_at"] == datetime(2026, 1, 12, 15, 0, 0, 123456)
    assert (b["room_moved_at"], b["room_moved_by_id"]) == (
        datetime(2026, 1, 10, 18, 0, 0, 123456),
        3,
    )
    assert b["room_assigned_at"] is not None  # an audit column not written keeps its value
    primary, companion = (_row(legacy, guest, g) for g in ids["guests"])
    assert (primary["room_id"], primary["check_out_date"], primary["first_name"]) == (
        None,
        date(2026, 1, 12),
        "Gina",
    )
    assert (companion["primary_guest_id"], companion["booking_guest_id"]) == (
        ids["guests"][0],
        ids["party"][1],
    )
    assert primary["id_pin"] is not None  # never touched
    party = [_row(legacy, bookingguest, m) for m in ids["party"]]
    assert [(m["first_name"], m["is_primary"]) for m in party] == [("Gina", True), ("Hal", False)]
    assert _row(legacy, room, r18)["room_status"] == "READY_FOR_GUEST"


def test_an_existing_legacy_staff_row_is_never_changed(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A staff member the legacy database has keeps its legacy name, role and flag."""
    ids = _imported(db)
    mirror = _checked_out(ids, "")
    renamed = MirrorHotel(
        hotel_id=mirror.hotel_id,
        legacy_hotel_id=mirror.legacy_hotel_id,
        prefix="",
        staff=(MirrorStaff("3", "Someone Else", StaffRole.MANAGER, False),),
    )
    target.apply([renamed], consumer="mirror", expected=None, position="p1")
    s = _row(legacy, staff, 3)
    assert (s["first_name"], s["last_name"], s["role"], s["is_active"]) == (
        "Ann",
        "Lee",
        "HOUSEKEEPING",
        True,
    )
    assert _count(legacy, staff) == 1


# --- new rows -----------------------------------------------------------------------------


def test_new_rows_are_inserted_recorded_in_the_id_map_and_reused_by_a_second_apply(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """Rows the legacy database lacks are inserted and mapped once; a second apply updates them."""
    h = db.hotel(id=1)
    target.apply([_new_hotel(h)], consumer="mirror", expected=None, position="p1")
    counts = {t.name: _count(legacy, t) for t in TABLES}
    assert counts == {
        "staff_staff": 1,
        "rooms_room": 1,
        "hotel_roombooking": 1,
        "hotel_bookingguest": 2,
        "guests_guest": 2,
    }
    mapping = target.id_map(h)
    assert sorted(mapping.values()) == ["b-new", "bg-1", "bg-2", "g-1", "g-2", "r-new", "s-new"]
    legacy_of = {(kind, lib): legacy_id for (kind, legacy_id), lib in mapping.items()}
    s = _row(legacy, staff, legacy_of[("staff", "s-new")])
    assert (s["first_name"], s["last_name"], s["role"], s["is_active"], s["hotel_id"]) == (
        "Kim Park",
        "",
        "FRONT_DESK",
        True,
        h,
    )
    r = _row(legacy, room, legacy_of[("room", "r-new")])
    assert (r["room_number"], r["is_occupied"], r["guest_fcm_token"], r["cleaned_by_staff_id"]) == (
        "201",
        True,
        "tok-new",
        legacy_of[("staff", "s-new")],
    )
    b = _row(legacy, roombooking, legacy_of[("booking", "b-new")])
    assert (b["hotel_id"], b["booking_id"], b["assigned_room_id"], b["room_assigned_by_id"]) == (
        h,
        "LIB-1",
        legacy_of[("room", "r-new")],
        legacy_of[("staff", "s-new")],
    )
    first, second = (_row(legacy, bookingguest, legacy_of[("party", m)]) for m in ("bg-1", "bg-2"))
    assert (first["booking_id"], first["is_primary"], second["is_primary"]) == (
        legacy_of[("booking", "b-new")],
        True,
        False,
    )
    companion = _row(legacy, guest, legacy_of[("guest", "g-2")])
    assert (companion["primary_guest_id"], companion["booking_guest_id"], companion["room_id"]) == (
        legacy_of[("guest", "g-1")],
        legacy_of[("party", "bg-2")],
        legacy_of[("room", "r-new")],
    )
    assert (companion["guest_type"], companion["id_pin"]) == ("COMPANION", None)

    checked_out = _new_hotel(h)
    stay = checked_out.bookings[0]
    checked_out = MirrorHotel(
        hotel_id=checked_out.hotel_id,
        legacy_hotel_id=h,
        prefix="",
        staff=checked_out.staff,
        rooms=(MirrorRoom("r-new", "201", False, "CHECKOUT_DIRTY", None, "s-new", T0, None, None),),
        bookings=(
            MirrorBooking(
                stay.booking_id,
                stay.reference,
                stay.arrival,
                stay.departure,
                None,
                stay.checked_in_at,
                T0 + timedelta(days=3),
                None,
                stay.party,
                tuple(
                    MirrorGuest(
                        g.guest_id,
                        g.booking_guest_id,
                        g.primary_guest_id,
                        g.guest_type,
                        g.first_name,
                        g.last_name,
                        None,
                        g.check_in_date,
                        date(2026, 1, 13),
                    )
                    for g in stay.guests
                ),
            ),
        ),
    )
    target.apply([checked_out], consumer="mirror", expected="p1", position="p2")
    assert {t.name: _count(legacy, t) for t in TABLES} == counts
    assert target.id_map(h) == mapping
    r = _row(legacy, room, legacy_of[("room", "r-new")])
    assert (r["is_occupied"], r["guest_fcm_token"], r["inspected_by_staff_id"]) == (
        False,
        None,
        None,
    )
    g1 = _row(legacy, guest, legacy_of[("guest", "g-1")])
    assert (g1["room_id"], g1["check_out_date"]) == (None, date(2026, 1, 13))


def test_on_postgresql_new_ids_come_from_the_tables_own_identity_when_it_has_one(
    pg_legacy: Engine,
) -> None:
    """New ids come from a table's identity if it has one, else the largest id plus one."""
    engine = _emptied_pg(pg_legacy)
    with engine.begin() as conn:
        for table in ("staff_staff", "rooms_room", "hotel_roombooking", "hotel_bookingguest"):
            conn.exec_driver_sql(
                f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
                "(START WITH 5000)"
            )
    db = LegacyDatabase(engine)
    h = db.hotel(id=1)
    db.guest(h, id=40)
    with LegacySqlTarget(engine) as target:
        target.apply([_new_hotel(h)], consumer="mirror", expected=None, position="p1")
        kinds = {(kind, legacy_id) for kind, legacy_id in target.id_map(h)}
    assert {k: i for k, i in kinds if k in ("staff", "room", "booking")} == {
        "staff": 5000,
        "room": 5000,
        "booking": 5000,
    }
    assert sorted(i for k, i in kinds if k == "party") == [5000, 5001]
    assert sorted(i for k, i in kinds if k == "guest") == [41, 42]


def test_the_map_names_the_mirrors_rows_so_the_convention_never_takes_them_for_others(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A row the mirror made for "r-new" is never taken for a library room named by its id."""
    h = db.hotel(id=1)
    target.apply([_new_hotel(h)], consumer="mirror", expected=None, position="p1")
    (made,) = [i for (k, i), lib in target.id_map(h).items() if k == "room" and lib == "r-new"]
    other = MirrorHotel(
        "h-new",
        h,
        "",
        rooms=(
            MirrorRoom(str(made), "999", False, "CHECKOUT_DIRTY", None, None, None, None, None),
        ),
    )
    target.apply([other], consumer="mirror", expected="p1", position="p2")
    assert _row(legacy, room, made)["room_number"] == "201"
    assert _row(legacy, room, made)["room_status"] == "OCCUPIED"
    assert _count(legacy, room) == 2


# --- hotels are kept apart ----------------------------------------------------------------


def test_rows_of_another_legacy_hotel_are_never_matched(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """Ids of another hotel's rows get new rows in their own hotel; the other's stay untouched."""
    other = _imported(db, hotel_id=2)
    h = db.hotel("Small", id=1)
    before = _rows(legacy)
    mirror = _checked_out(other, "")
    mirror = MirrorHotel("h1", h, "", mirror.staff, mirror.rooms, mirror.bookings)
    target.apply([mirror], consumer="mirror", expected=None, position="p1")
    after = _rows(legacy)
    for table, rows in before.items():
        assert after[table][: len(rows)] == rows, table
    assert {t: len(r) - len(before[t]) for t, r in after.items()} == {
        "staff_staff": 1,
        "rooms_room": 1,
        "hotel_roombooking": 1,
        "hotel_bookingguest": 2,
        "guests_guest": 2,
    }
    assert all(r["hotel_id"] == h for r in after["rooms_room"][len(before["rooms_room"]) :])
    assert len(target.id_map(h)) == 7
    assert target.id_map(2) == {}


def test_a_party_row_of_another_booking_is_not_taken_for_the_booking_written(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A party id naming another booking's party row gets a new row of its own booking."""
    ids = _imported(db)
    other = db.booking(ids["hotel"], id=700)
    stranger = db.party_member(other, first_name="Not", last_name="Mine")
    mirror = _checked_out(ids, "")
    b = mirror.bookings[0]
    party = (BookingGuest(str(stranger), "Gina", "Lee"), b.party[1])
    guests = tuple(
        MirrorGuest(
            g.guest_id,
            str(stranger) if i == 0 else g.booking_guest_id,
            g.primary_guest_id,
            g.guest_type,
            g.first_name,
            g.last_name,
            None,
            g.check_in_date,
            g.check_out_date,
        )
        for i, g in enumerate(b.guests)
    )
    booking = MirrorBooking(
        b.booking_id,
        b.reference,
        b.arrival,
        b.departure,
        None,
        b.checked_in_at,
        b.checked_out_at,
        b.moved_at,
        party,
        guests,
    )
    target.apply(
        [MirrorHotel(mirror.hotel_id, ids["hotel"], "", mirror.staff, (), (booking,))],
        consumer="mirror",
        expected=None,
        position="p1",
    )
    assert _row(legacy, bookingguest, stranger)["first_name"] == "Not"
    (made,) = [i for (k, i) in target.id_map(ids["hotel"]) if k == "party"]
    assert (_row(legacy, bookingguest, made)["booking_id"], made != stranger) == (
        ids["booking"],
        True,
    )
    assert _row(legacy, guest, ids["guests"][0])["booking_guest_id"] == made


# --- the position -------------------------------------------------------------------------


def test_a_stale_expected_position_is_refused_and_nothing_is_written(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A stale expected position raises ConcurrencyConflict and nothing at all is written."""
    ids = _imported(db)
    db.hotel(id=9)
    target.apply([], consumer="mirror", expected=None, position="p1")
    before = _rows(legacy)
    for stale in (None, "p0"):
        with pytest.raises(ConcurrencyConflict, match="'mirror' is at position 'p1'"):
            target.apply(
                [_checked_out(ids, ""), _new_hotel(9)],
                consumer="mirror",
                expected=stale,
                position="p2",
                synced={"h": T0},
            )
    assert _rows(legacy) == before
    assert (target.position("mirror"), target.synced("mirror"), target.id_map(9)) == ("p1", {}, {})
    with pytest.raises(ConcurrencyConflict, match="'other' is at position None, not 'p1'"):
        target.apply([], consumer="other", expected="p1", position="p2")
    assert target.position("other") is None


def test_the_position_and_the_synced_hotels_are_stored_with_the_rows(
    target: LegacySqlTarget,
) -> None:
    """Positions move only when given; synced times read back aware UTC, per consumer."""
    assert (target.position("mirror"), target.synced("mirror")) == (None, {})
    target.apply([], consumer="mirror", expected=None, position=None)
    assert target.position("mirror") is None  # nothing stored: still before the first
    lisbon_summer = timezone(timedelta(hours=1))
    target.apply(
        [],
        consumer="mirror",
        expected=None,
        position="p1",
        synced={"h1": SUMMER.astimezone(lisbon_summer), "h2": T0},
    )
    target.apply([], consumer="mirror", expected="p1", position=None, synced={"h1": T0})
    assert target.position("mirror") == "p1"
    synced = target.synced("mirror")
    assert synced == {"h1": T0, "h2": T0}
    assert all(at.utcoffset() == timedelta(0) for at in synced.values())
    target.apply([], consumer="second", expected=None, position="q1")
    assert (target.position("second"), target.synced("second")) == ("q1", {})
    assert target.position("mirror") == "p1"


def test_a_concurrent_first_apply_waits_for_the_other_and_is_refused(
    legacy: Engine, target: LegacySqlTarget, db: LegacyDatabase
) -> None:
    """A first apply waits for a concurrent first position, then raises ConcurrencyConflict."""
    h = db.hotel(id=1)
    target.prepare()
    errors: list[BaseException] = []
    started = threading.Event()
    with legacy.connect() as other:
        if legacy.dialect.name == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        other.execute(
            insert(mirror_positions).values(consumer="mirror", position="p-other", updated_at=T0)
        )

        def run() -> None:
            started.set()
            try:
                target.apply([_new_hotel(h)], consumer="mirror", expected=None, position="p1")
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        started.wait()
        if legacy.dialect.name == "postgresql":
            until(lambda: waiting_for_locks(legacy) >= 1, "the apply waits for the lock")
        else:
            thread.join(0.5)
            assert thread.is_alive(), "the apply did not wait for the write lock"
        other.commit()
        thread.join(20)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], ConcurrencyConflict)
    assert target.position("mirror") == "p-other"
    assert _count(legacy, room) == 0


# --- times --------------------------------------------------------------------------------


def test_times_round_trip_through_the_legacy_reader_in_a_non_utc_zone(
    legacy: Engine, db: LegacyDatabase
) -> None:
    """Written in Europe/Lisbon, times and dates read back the same through LegacySqlSource."""
    ids = _imported(db)
    mirror = _checked_out(ids, "")
    b = mirror.bookings[0]
    audit = (
        MirrorAudit("room_assigned_at", "room_assigned_by_id", SUMMER - timedelta(days=1), "3"),
        MirrorAudit("room_reassigned_at", "room_reassigned_by_id", SUMMER, "3"),
        MirrorAudit("room_unassigned_at", "room_unassigned_by_id", T0, "3"),
    )
    booking = MirrorBooking(
        b.booking_id,
        b.reference,
        date(2026, 7, 9),
        date(2026, 7, 12),
        "17",
        SUMMER - timedelta(hours=2),
        None,
        SUMMER,
        b.party,
        tuple(
            MirrorGuest(
                g.guest_id,
                g.booking_guest_id,
                g.primary_guest_id,
                g.guest_type,
                g.first_name,
                g.last_name,
                "17",
                date(2026, 7, 9),
                None,
            )
            for g in b.guests
        ),
        audit,
    )
    summer_room = MirrorRoom("17", "101", True, "OCCUPIED", "tok-7", "3", SUMMER, "3", T0)
    mirror = MirrorHotel("hotel", 1, "", mirror.staff, (summer_room,), (booking,))
    with LegacySqlTarget(legacy, legacy_timezone="Europe/Lisbon") as target:
        assert target.legacy_timezone == "Europe/Lisbon"
        target.apply([mirror], consumer="mirror", expected=None, position="p1")

    raw = _row(legacy, room, 17)
    assert raw["last_cleaned_at"] == datetime(2026, 7, 10, 14, 30, 5, 654321)  # UTC+1
    assert raw["last_inspected_at"] == datetime(2026, 1, 10, 15, 0, 0, 123456)  # UTC+0
    source = LegacySqlSource(legacy, legacy_timezone="Europe/Lisbon")
    (r17, _) = source.rooms(1)
    assert (r17.last_cleaned_at, r17.last_inspected_at, r17.is_occupied, r17.problems) == (
        SUMMER,
        T0,
        True,
        (),
    )
    assert (r17.cleaned_by_staff_id, r17.inspected_by_staff_id, r17.guest_fcm_token) == (
        3,
        3,
        "tok-7",
    )
    (stay,) = source.open_stays(1)
    read = stay.booking
    assert (read.check_in, read.check_out, read.assigned_room_id) == (
        date(2026, 7, 9),
        date(2026, 7, 12),
        17,
    )
    assert (read.checked_in_at, read.checked_out_at, read.room_moved_at, read.room_moved_by_id) == (
        SUMMER - timedelta(hours=2),
        None,
        SUMMER,
        None,
    )
    assert (read.room_assigned_at, read.room_reassigned_at, read.room_unassigned_at) == (
        SUMMER - timedelta(days=1),
        SUMMER,
        T0,
    )
    assert (read.room_assigned_by_id, read.room_reassigned_by_id, read.problems) == (3, 3, ())
    assert [(m.first_name, m.is_primary) for m in stay.party] == [("Gina", True), ("Hal", False)]
    assert [(g.room_id, g.check_in_date, g.check_out_date, g.guest_type) for g in stay.guests] == [
        (17, date(2026, 7, 9), None, "PRIMARY"),
        (17, date(2026, 7, 9), None, "COMPANION"),
    ]


def test_a_naive_time_is_refused_before_anything_is_written(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """The domain's times are aware: a naive one is InvalidInput, and nothing changes."""
    ids = _imported(db)
    mirror = _checked_out(ids, "")
    naive = MirrorRoom(
        "17", "101", False, "CHECKOUT_DIRTY", None, None, datetime(2026, 1, 1, 10), None, None
    )
    before = _rows(legacy)
    with pytest.raises(InvalidInput, match="last_cleaned_at must be an aware datetime"):
        target.apply(
            [MirrorHotel("hotel", 1, "", mirror.staff, (naive,))],
            consumer="mirror",
            expected=None,
            position="p1",
        )
    assert (_rows(legacy), target.position("mirror")) == (before, None)


# --- failures -----------------------------------------------------------------------------


def _nothing_written(legacy: Engine, target: LegacySqlTarget, before: Any, *hotels: int) -> None:
    assert _rows(legacy) == before
    assert target.position("mirror") is None
    assert target.synced("mirror") == {}
    assert all(target.id_map(h) == {} for h in hotels)


def test_an_invalid_audit_column_in_the_second_hotel_leaves_nothing_written(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A bad audit column in the second hotel rolls back the first hotel's rows too."""
    first = db.hotel(id=1)
    ids = _imported(db, hotel_id=2)
    mirror = _checked_out(ids, "")
    b = mirror.bookings[0]
    bad = MirrorBooking(
        b.booking_id,
        b.reference,
        b.arrival,
        b.departure,
        None,
        b.checked_in_at,
        b.checked_out_at,
        None,
        b.party,
        b.guests,
        (MirrorAudit("check_in", "room_moved_by_id", T0, str(ids["staff"])),),
    )
    before = _rows(legacy)
    with pytest.raises(InvalidInput, match="not a pair of the legacy audit columns"):
        target.apply(
            [_new_hotel(first), MirrorHotel("h2", 2, "", mirror.staff, mirror.rooms, (bad,))],
            consumer="mirror",
            expected=None,
            position="p1",
            synced={"h-new": T0},
        )
    _nothing_written(legacy, target, before, first, 2)


def test_a_reference_the_hotel_cannot_resolve_is_refused_and_nothing_is_written(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A room of another hotel, or a missing legacy hotel, is refused with nothing written."""
    h = db.hotel(id=1)
    other = db.hotel(id=2)
    db.room(other, "900", id=900)
    new = _new_hotel(h)
    b = new.bookings[0]
    stray = MirrorBooking(
        b.booking_id, b.reference, b.arrival, b.departure, "900", None, None, None, b.party
    )
    before = _rows(legacy)
    with pytest.raises(InvalidInput, match="names room '900'"):
        target.apply(
            [MirrorHotel("h", h, "", new.staff, new.rooms, (stray,))],
            consumer="mirror",
            expected=None,
            position="p1",
        )
    with pytest.raises(HotelNotFound, match="legacy hotel 77"):
        target.apply([_new_hotel(77)], consumer="mirror", expected=None, position="p1")
    _nothing_written(legacy, target, before, h, 77)


def test_a_database_error_in_the_middle_of_apply_rolls_every_write_back(
    legacy: Engine, db: LegacyDatabase, target: LegacySqlTarget
) -> None:
    """A legacy trigger failing on the second hotel's guests: StorageError, nothing kept."""
    first = db.hotel(id=1)
    second = db.hotel(id=2)
    with legacy.begin() as conn:
        if legacy.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON guests_guest WHEN NEW.hotel_id = 2 "
                "BEGIN SELECT json('boom: no guests here'); END"  # fails when it runs
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.hotel_id = 2 THEN RAISE EXCEPTION 'boom: no guests here'; END IF; "
                "RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER boom BEFORE INSERT ON guests_guest "
                "FOR EACH ROW EXECUTE FUNCTION boom()"
            )
    before = _rows(legacy)
    with pytest.raises(StorageError, match=r"boom: no guests here|malformed JSON"):
        target.apply(
            [_new_hotel(first), _new_hotel(second, room_number="301")],
            consumer="mirror",
            expected=None,
            position="p1",
            synced={"h-new": T0},
        )
    _nothing_written(legacy, target, before, first, second)
    target.apply([_new_hotel(first)], consumer="mirror", expected=None, position="p1")
    assert target.position("mirror") == "p1"


# --- the target itself --------------------------------------------------------------------


def test_open_owns_its_engine_and_refuses_an_unknown_zone_or_a_missing_file(
    tmp_path: Path,
) -> None:
    """open() owns and disposes its engine; a missing file or unknown zone is refused."""
    path = tmp_path / "legacy.db"
    with pytest.raises(FileNotFoundError):
        LegacySqlTarget.open(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    create_legacy_schema(engine)
    LegacyDatabase(engine).hotel(id=1)
    with pytest.raises(ValueError, match="unknown legacy time zone 'Mars/Olympus'"):
        LegacySqlTarget(engine, legacy_timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="unknown legacy time zone"):
        LegacySqlTarget.open(f"sqlite:///{path}", legacy_timezone="Mars/Olympus")
    disposed: list[Engine] = []
    with LegacySqlTarget.open(f"sqlite:///{path}", legacy_timezone="Asia/Tokyo") as target:
        event.listen(target.engine, "engine_disposed", disposed.append)
        target.apply([_new_hotel(1)], consumer="mirror", expected=None, position="p1")
        assert (target.legacy_timezone, target.position("mirror")) == ("Asia/Tokyo", "p1")
    assert disposed == [target.engine]
    assert _row(engine, room, 1)["last_cleaned_at"] == datetime(2026, 1, 11, 0, 0, 0, 123456)
    with LegacySqlTarget(engine) as borrowed:
        event.listen(engine, "engine_disposed", disposed.append)
        borrowed.apply([], consumer="mirror", expected="p1", position="p2")
    assert disposed == [target.engine]  # an engine made elsewhere stays open
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0  # left as it was
    engine.dispose()


def test_on_sqlite_an_engine_that_begins_its_own_transactions_is_written_the_same(
    tmp_path: Path,
) -> None:
    """An engine that issues its own deferred BEGIN is locked and written all the same."""
    engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    create_legacy_schema(engine)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    LegacyDatabase(engine).hotel(id=1)
    with LegacySqlTarget(engine) as target:
        target.apply([_new_hotel(1)], consumer="mirror", expected=None, position="p1")
        with pytest.raises(ConcurrencyConflict):
            target.apply([_new_hotel(1)], consumer="mirror", expected=None, position="p2")
        assert target.position("mirror") == "p1"
    assert _count(engine, guest) == 2
    engine.dispose()
