"""The operator commands of ``hotel-occupancy``: setting up and maintaining hotels, rooms,
staff and bookings one at a time and from CSV files, and ``do`` taking room numbers.

Everything runs ``main(argv, out)`` in-process on a SQLite file made by ``init``; what is
stored is read back through the services."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from hotel_occupancy.cli import ExitCode
from hotel_occupancy.domain.invariants import StoreSnapshot
from tests.integration.test_cli import cli, sqlite_url

TODAY = date.today()


def snapshot(url: str) -> StoreSnapshot:
    engine = create_engine(url)
    try:
        return SqlAlchemyUnitOfWork(engine).snapshot()
    finally:
        engine.dispose()


def ok(*args: str) -> str:
    """Run a command that must succeed; return what it printed."""
    code, out = cli(*args)
    assert code == ExitCode.OK, out
    return out


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An empty database made by ``init``."""
    url = sqlite_url(tmp_path / "hotel.db")
    ok("init", "--db", url)
    return url


@pytest.fixture
def lake(db: str) -> str:
    """Hotel ``lake`` (Europe/Zurich) with rooms 101 and 102 and front-desk clerk
    ``amara`` and maintenance ``max``, set up through the operator commands."""
    ok("hotel", "add", "lake", "--name", "Lake Hotel", "--timezone", "Europe/Zurich", "--db", db)
    ok("room", "add", "101", "--capacity", "2", "--db", db)
    ok("room", "add", "102", "--db", db)
    ok("staff", "add", "amara", "--name", "Amara Obi", "--role", "FRONT_DESK", "--db", db)
    ok("staff", "add", "max", "--name", "Max Roth", "--role", "MAINTENANCE", "--db", db)
    return db


def test_hotel_add_change_and_list_store_the_hotel_and_its_policy(db: str) -> None:
    """hotel add registers the hotel with its zone and settings, hotel change changes them,
    hotel list shows them; --json gives the hotel with its hotel_id."""
    out = ok(
        "hotel", "add", "lake", "--name", "Lake Hotel", "--timezone", "Europe/Zurich",
        "--checkout-time", "10:30", "--require-inspection", "--db", db,
    )  # fmt: skip
    assert out.startswith("hotel lake (Lake Hotel) added: timezone Europe/Zurich, checkout_time")
    (hotel,) = snapshot(db).hotels
    assert (hotel.timezone, hotel.checkout_time.isoformat(), hotel.require_inspection) == (
        "Europe/Zurich",
        "10:30:00",
        True,
    )
    raw = ok(
        "hotel", "change", "lake", "--name", "Lake", "--stayover-every", "2", "--json", "--db", db
    )
    changed = json.loads(raw)
    assert (changed["hotel_id"], changed["name"], changed["stayover_every"]) == ("lake", "Lake", 2)
    assert changed["require_inspection"] is True  # kept
    listing = ok("hotel", "list", "--db", db).splitlines()
    assert listing[0].split()[:3] == ["hotel", "name", "timezone"]
    assert listing[2].split()[:3] == ["lake", "Lake", "Europe/Zurich"]
    assert [h["hotel_id"] for h in json.loads(ok("hotel", "list", "--json", "--db", db))] == [
        "lake"
    ]


def test_adding_a_hotel_twice_is_refused_and_changes_nothing(db: str) -> None:
    """A second hotel add of the same id: refused (exit 1), the first hotel kept."""
    ok("hotel", "add", "lake", "--name", "Lake Hotel", "--db", db)
    before = snapshot(db)
    code, out = cli("hotel", "add", "lake", "--name", "Other", "--db", db)
    assert (code, out) == (ExitCode.REFUSED, "")
    assert snapshot(db) == before


def test_room_add_change_and_list_by_number(lake: str) -> None:
    """room add gives the room the id HOTEL-NUMBER (or --id); room change takes the room by
    number or id; room list shows every room with its capacity and state."""
    ok("room", "add", "103", "--id", "L-103", "--capacity", "3", "--db", lake)
    rooms = {r.room_id: r for r in snapshot(lake).rooms}
    assert set(rooms) == {"lake-101", "lake-102", "L-103"}
    assert (rooms["lake-101"].capacity, rooms["lake-102"].capacity) == (2, None)
    assert ok("room", "change", "101", "--capacity", "4", "--db", lake) == (
        "room 101 (lake-101) of hotel lake changed: capacity 4\n"
    )
    ok("room", "change", "L-103", "--number", "103A", "--unlimited", "--db", lake)
    rooms = {r.room_id: r for r in snapshot(lake).rooms}
    assert (rooms["lake-101"].capacity, rooms["L-103"].number, rooms["L-103"].capacity) == (
        4,
        "103A",
        None,
    )
    lines = ok("room", "list", "--db", lake).splitlines()
    assert [line.split()[:2] for line in lines[2:]] == [
        ["101", "lake-101"],
        ["102", "lake-102"],
        ["103A", "L-103"],
    ]
    listed = json.loads(ok("room", "list", "--json", "--db", lake))
    assert {r["hotel_id"] for r in listed} == {"lake"}
    assert listed[0]["status"] == "VACANT_CLEAN"


def test_a_room_number_taken_is_refused(lake: str) -> None:
    """room add with a number the hotel has: AlreadyRegistered, exit 1, nothing stored."""
    before = snapshot(lake)
    code, _ = cli("room", "add", "101", "--id", "other", "--db", lake)
    assert code == ExitCode.REFUSED
    assert snapshot(lake) == before


def test_room_out_of_order_and_return_use_the_operations_with_the_staff_member(
    lake: str,
) -> None:
    """room out-of-order takes the room out of sale (OUT_OF_ORDER, logged by the staff
    member with the reason); room return brings it back in the condition given."""
    out = ok(
        "room", "out-of-order", "102", "--staff", "max", "--reason", "water leak", "--db", lake
    )
    assert "SET_OUT_OF_ORDER" in out or "OUT_OF_ORDER" in out
    occupancy = {o.room_id: o for o in snapshot(lake).occupancies}["lake-102"]
    assert occupancy.status is ho.OccupancyStatus.OUT_OF_ORDER
    raw = ok(
        "room", "return", "102", "--staff", "max", "--condition", "CLEAN", "--json", "--db", lake
    )
    (entry,) = json.loads(raw)
    assert (entry["hotel_id"], entry["performed_by"], entry["room_id"]) == (
        "lake",
        "max",
        "lake-102",
    )
    occupancy = {o.room_id: o for o in snapshot(lake).occupancies}["lake-102"]
    assert occupancy.status is ho.OccupancyStatus.VACANT_CLEAN


def test_taking_a_room_out_of_sale_needs_the_staff_member(lake: str) -> None:
    """Without --staff: a usage error (exit 2), nothing changed."""
    before = snapshot(lake)
    code, _ = cli("room", "out-of-order", "102", "--reason", "leak", "--db", lake)
    assert code == ExitCode.USAGE
    assert snapshot(lake) == before


def test_staff_add_change_deactivate_reactivate_and_list(lake: str) -> None:
    """The staff commands store the member, change the role, deactivate (gone from the
    list without --all) and reactivate."""
    assert ok("staff", "change", "amara", "--role", "MANAGER", "--db", lake) == (
        "staff amara (Amara Obi) of hotel lake changed: MANAGER, active\n"
    )
    ok("staff", "deactivate", "max", "--db", lake)
    members = {m.staff_id: m for m in snapshot(lake).staff}
    assert (members["amara"].role, members["max"].active) == (ho.StaffRole.MANAGER, False)
    active = ok("staff", "list", "--db", lake).splitlines()[2:]
    assert [line.split()[0] for line in active] == ["amara"]
    everyone = json.loads(ok("staff", "list", "--all", "--json", "--db", lake))
    assert [(m["staff_id"], m["active"], m["hotel_id"]) for m in everyone] == [
        ("amara", True, "lake"),
        ("max", False, "lake"),
    ]
    ok("staff", "reactivate", "max", "--db", lake)
    assert all(m.active for m in snapshot(lake).staff)


def test_changing_an_unknown_staff_member_is_refused(lake: str) -> None:
    """staff change of a member who does not exist: StaffNotFound, exit 1."""
    code, _ = cli("staff", "change", "nobody", "--name", "X", "--db", lake)
    assert code == ExitCode.REFUSED


def test_booking_add_change_cancel_and_list(lake: str) -> None:
    """booking add registers the party (the primary first); booking change moves the
    departure (change_stay) and replaces the party (update_party); booking cancel closes
    it; booking list shows each booking's stage."""
    arrival, departure = TODAY + timedelta(days=3), TODAY + timedelta(days=5)
    ok(
        "booking", "add", "B7", "--reference", "LK-7", "--arrival", arrival.isoformat(),
        "--departure", departure.isoformat(), "--guest", "B7-1", "Ada", "Lee",
        "--guest", "B7-2", "Bo", "Lee", "--db", lake,
    )  # fmt: skip
    (booking,) = snapshot(lake).bookings
    assert [g.first_name for g in booking.party] == ["Ada", "Bo"]
    later = departure + timedelta(days=1)
    out = ok(
        "booking", "change", "B7", "--staff", "amara", "--departure", later.isoformat(),
        "--db", lake,
    )  # fmt: skip
    assert "STAY_CHANGE" in out
    ok("booking", "change", "B7", "--staff", "amara", "--guest", "B7-1", "Ada", "Lee", "--db", lake)
    (booking,) = snapshot(lake).bookings
    assert (booking.departure, len(booking.party)) == (later, 1)
    listed = json.loads(ok("booking", "list", "--json", "--db", lake))
    assert [(b["booking_id"], b["stage"], b["hotel_id"]) for b in listed] == [
        ("B7", "ARRIVING", "lake")
    ]
    ok("booking", "cancel", "B7", "--staff", "amara", "--reason", "flight cancelled", "--db", lake)
    assert ok("booking", "list", "--db", lake).splitlines()[2].split()[:3] == [
        "B7",
        "LK-7",
        "CANCELLED",
    ]
    code, _ = cli("booking", "cancel", "B7", "--staff", "amara", "--db", lake)
    assert code == ExitCode.REFUSED  # final


def test_booking_change_takes_the_dates_or_the_party_not_both(lake: str) -> None:
    """Dates and party together (two service calls), or neither: a usage error, exit 2,
    nothing changed."""
    ok(
        "booking", "add", "B9", "--arrival", TODAY.isoformat(), "--departure",
        TODAY.isoformat(), "--guest", "B9-1", "Al", "Ba", "--db", lake,
    )  # fmt: skip
    before = snapshot(lake)
    for extra in (
        ["--departure", (TODAY + timedelta(days=1)).isoformat(), "--guest", "B9-1", "Al", "Bo"],
        [],
    ):
        code, _ = cli("booking", "change", "B9", "--staff", "amara", *extra, "--db", lake)
        assert code == ExitCode.USAGE
    assert snapshot(lake) == before


def test_a_booking_without_a_party_is_a_usage_error(lake: str) -> None:
    """booking add without --guest: exit 2, nothing stored."""
    code, _ = cli(
        "booking", "add", "B8", "--arrival", TODAY.isoformat(), "--departure",
        TODAY.isoformat(), "--db", lake,
    )  # fmt: skip
    assert code == ExitCode.USAGE
    assert snapshot(lake).bookings == ()


# --- CSV files ----------------------------------------------------------------------------


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_room_import_dry_run_writes_nothing_then_the_import_adds_and_a_rerun_changes_nothing(
    lake: str, tmp_path: Path
) -> None:
    """A rooms file: --dry-run counts and writes nothing; the import adds and changes the
    rooms; the same file again leaves everything unchanged."""
    rooms = write(
        tmp_path / "rooms.csv",
        "room_id,number,capacity\nlake-101,101,3\nlake-201,201,2\nlake-202,202,\n",
    )
    before = snapshot(lake)
    out = ok("room", "import", rooms, "--hotel", "lake", "--dry-run", "--db", lake)
    assert "1 created" not in out
    assert "2 created, 1 updated, 0 unchanged" in out
    assert "dry run: nothing was written" in out
    assert snapshot(lake) == before
    ok("room", "import", rooms, "--hotel", "lake", "--db", lake)
    stored = {r.room_id: r.capacity for r in snapshot(lake).rooms}
    assert stored == {"lake-101": 3, "lake-102": None, "lake-201": 2, "lake-202": None}
    report = json.loads(ok("room", "import", rooms, "--hotel", "lake", "--json", "--db", lake))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)
    assert report["errors"] == []
    assert report["hotel_id"] == "lake"


def test_a_file_with_bad_lines_is_reported_line_by_line_exits_1_and_writes_nothing(
    lake: str, tmp_path: Path
) -> None:
    """A staff file with a bad role on line 3 and a missing name on line 4: both reported
    with their line numbers, exit 1, nothing written (not even the good line 2)."""
    staff = write(
        tmp_path / "staff.csv",
        "staff_id,name,role\nsofia,Sofia,SUPERVISOR\nbad,Bad,JUGGLER\nnoname,,FRONT_DESK\n",
    )
    before = snapshot(lake)
    code, out = cli("staff", "import", staff, "--hotel", "lake", "--db", lake)
    assert code == ExitCode.REFUSED
    assert "line 3, column role" in out
    assert "line 4, column name" in out
    assert "2 bad line(s): nothing was written" in out
    assert snapshot(lake) == before


def test_hotel_and_booking_imports_register_what_the_files_give(db: str, tmp_path: Path) -> None:
    """A hotels file registers the hotel; a bookings file (a line per guest) its booking."""
    hotels = write(tmp_path / "hotels.csv", "hotel_id,name,timezone\nhill,Hill Inn,Europe/Oslo\n")
    ok("hotel", "import", hotels, "--db", db)
    assert [(h.hotel_id, h.timezone) for h in snapshot(db).hotels] == [("hill", "Europe/Oslo")]
    arrival = TODAY + timedelta(days=2)
    bookings = write(
        tmp_path / "bookings.csv",
        "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
        f"H1,HI-1,{arrival},{arrival + timedelta(days=1)},H1-1,Ada,Lee\n"
        "H1,,,,H1-2,Bo,Lee\n",
    )
    out = ok("booking", "import", bookings, "--hotel", "hill", "--db", db)
    assert "1 created" in out
    (booking,) = snapshot(db).bookings
    assert (booking.hotel_id, [g.booking_guest_id for g in booking.party]) == (
        "hill",
        ["H1-1", "H1-2"],
    )


def test_a_file_that_cannot_be_read_is_one_line(lake: str, tmp_path: Path) -> None:
    """An import of a file that does not exist: refused in one line, exit 1."""
    code, out = cli("room", "import", str(tmp_path / "nope.csv"), "--db", lake)
    assert (code, out) == (ExitCode.REFUSED, "")


def test_an_import_for_one_hotel_refuses_a_line_naming_another_and_writes_nothing(
    lake: str, tmp_path: Path
) -> None:
    """room import --hotel lake with a line of hotel hill: that line is bad, exit 1."""
    ok("hotel", "add", "hill", "--name", "Hill", "--db", lake)
    rooms = write(
        tmp_path / "rooms.csv",
        "hotel_id,room_id,number\nlake,lake-103,103\nhill,hill-1,1\n,lake-104,104\n",
    )
    before = snapshot(lake)
    code, out = cli("room", "import", rooms, "--hotel", "lake", "--json", "--db", lake)
    assert code == ExitCode.REFUSED
    report = json.loads(out)
    assert report["hotel_id"] == "lake"
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(3, "hotel_id")]
    assert "'hill'" in report["errors"][0]["message"]
    assert snapshot(lake) == before
    staff = write(
        tmp_path / "staff.csv", "hotel_id,staff_id,name,role\nhill,kim,Kim,HOUSEKEEPING\n"
    )
    code, out = cli("staff", "import", staff, "--hotel", "lake", "--db", lake)
    assert code == ExitCode.REFUSED
    assert "line 2, column hotel_id" in out
    assert snapshot(lake) == before


def test_a_later_line_of_a_booking_naming_another_hotel_is_refused(
    lake: str, tmp_path: Path
) -> None:
    """booking import --hotel lake: a guest line of the booking naming hill is bad."""
    ok("hotel", "add", "hill", "--name", "Hill", "--db", lake)
    arrival = TODAY + timedelta(days=2)
    bookings = write(
        tmp_path / "bookings.csv",
        "hotel_id,booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
        f"lake,L1,LK-1,{arrival},{arrival + timedelta(days=1)},L1-1,Ada,Lee\n"
        "hill,L1,,,,L1-2,Bo,Lee\n",
    )
    before = snapshot(lake)
    code, out = cli("booking", "import", bookings, "--hotel", "lake", "--db", lake)
    assert code == ExitCode.REFUSED
    assert "line 3, column hotel_id" in out
    assert snapshot(lake) == before


def test_an_import_without_hotel_on_a_one_hotel_database_loads_into_that_hotel(
    lake: str, tmp_path: Path
) -> None:
    """No --hotel and no hotel_id column, one hotel: its rooms, staff and bookings."""
    rooms = write(tmp_path / "rooms.csv", "room_id,number\nlake-201,201\n")
    report = json.loads(ok("room", "import", rooms, "--json", "--db", lake))
    assert (report["hotel_id"], report["created"]) == ("lake", 1)
    staff = write(tmp_path / "staff.csv", "staff_id,name,role\nkim,Kim,HOUSEKEEPING\n")
    assert "1 created" in ok("staff", "import", staff, "--db", lake)
    arrival = TODAY + timedelta(days=2)
    bookings = write(
        tmp_path / "bookings.csv",
        "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
        f"L1,LK-1,{arrival},{arrival + timedelta(days=1)},L1-1,Ada,Lee\n",
    )
    assert "1 created" in ok("booking", "import", bookings, "--db", lake)
    stored = snapshot(lake)
    assert {r.room_id: r.hotel_id for r in stored.rooms}["lake-201"] == "lake"
    assert {m.staff_id: m.hotel_id for m in stored.staff}["kim"] == "lake"
    assert [b.hotel_id for b in stored.bookings] == ["lake"]


def test_an_import_without_hotel_on_a_several_hotel_database_takes_each_line_s_hotel(
    lake: str, tmp_path: Path
) -> None:
    """Two hotels, no --hotel: a file whose lines name their hotels loads into each."""
    ok("hotel", "add", "hill", "--name", "Hill", "--db", lake)
    rooms = write(
        tmp_path / "rooms.csv", "hotel_id,room_id,number\nlake,lake-201,201\nhill,hill-1,1\n"
    )
    report = json.loads(ok("room", "import", rooms, "--json", "--db", lake))
    assert (report["hotel_id"], report["created"]) == (None, 2)
    hotels = {r.room_id: r.hotel_id for r in snapshot(lake).rooms}
    assert (hotels["lake-201"], hotels["hill-1"]) == ("lake", "hill")


def test_the_report_counts_bad_lines_not_errors(lake: str, tmp_path: Path) -> None:
    """One line with three bad values is one bad line, its three errors listed."""
    staff = write(tmp_path / "staff.csv", "staff_id,name,role,active\ns9,,JUGGLER,often\n")
    code, out = cli("staff", "import", staff, "--db", lake)
    assert code == ExitCode.REFUSED
    assert [line for line in out.splitlines() if line.startswith("  line 2")] == [
        "  line 2, column active: must be true or false, not 'often'",
        "  line 2, column name: a value is required",
        "  line 2, column role: must be a staff role (FRONT_DESK, HOUSEKEEPING, SUPERVISOR, "
        "MAINTENANCE, MANAGER), not 'JUGGLER'",
    ]
    assert out.splitlines()[-1] == "1 bad line(s): nothing was written"


# --- do with room numbers -------------------------------------------------------------------


@pytest.fixture
def stayed(lake: str) -> str:
    """Booking S1 (one guest) checked into room 101 of lake."""
    ok(
        "booking", "add", "S1", "--arrival", TODAY.isoformat(), "--departure",
        (TODAY + timedelta(days=1)).isoformat(), "--guest", "S1-1", "Cy", "Ng", "--db", lake,
    )  # fmt: skip
    ok("do", "assign_room", "booking_id=S1", "room=101", "staff_id=amara", "--db", lake)
    return lake


def occupancy(url: str, room_id: str) -> ho.RoomOccupancy:
    return {o.room_id: o for o in snapshot(url).occupancies}[room_id]


def test_do_takes_a_room_number_as_room(stayed: str) -> None:
    """``room=101`` stands for the room numbered 101: the booking went into lake-101 and
    checkout_room by number checks it out."""
    assert occupancy(stayed, "lake-101").status is ho.OccupancyStatus.OCCUPIED
    ok("do", "checkout_room", "room=101", "staff_id=amara", "--db", stayed)
    assert occupancy(stayed, "lake-101").status is ho.OccupancyStatus.VACANT_DIRTY


def test_do_takes_a_room_number_as_room_id_when_no_room_has_that_id(stayed: str) -> None:
    """``room_id=101``: no room has the id 101, one has the number: that room."""
    ok("do", "checkout_room", "room_id=101", "staff_id=amara", "--db", stayed)
    assert occupancy(stayed, "lake-101").status is ho.OccupancyStatus.VACANT_DIRTY


def test_a_room_number_two_hotels_have_is_a_usage_error_asking_for_the_hotel(
    stayed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Room 101 in two hotels: without --hotel, exit 2 naming both hotels and --hotel,
    nothing changed; with --hotel lake, lake's room."""
    ok("hotel", "add", "hill", "--name", "Hill", "--db", stayed)
    ok("room", "add", "101", "--hotel", "hill", "--db", stayed)
    capsys.readouterr()
    before = snapshot(stayed)
    code, out = cli("do", "checkout_room", "room=101", "staff_id=amara", "--db", stayed)
    assert (code, out) == (ExitCode.USAGE, "")
    (line,) = capsys.readouterr().err.splitlines()
    assert "--hotel" in line
    assert "hill, lake" in line
    assert snapshot(stayed) == before
    ok("do", "checkout_room", "room=101", "staff_id=amara", "--hotel", "lake", "--db", stayed)
    assert occupancy(stayed, "lake-101").status is ho.OccupancyStatus.VACANT_DIRTY


def test_an_unknown_room_number_is_refused(stayed: str) -> None:
    """``room=999``: no such room, exit 1, nothing changed."""
    before = snapshot(stayed)
    code, _ = cli("do", "checkout_room", "room=999", "staff_id=amara", "--db", stayed)
    assert code == ExitCode.REFUSED
    assert snapshot(stayed) == before


def test_a_room_given_twice_is_a_usage_error(stayed: str) -> None:
    """``room=`` and ``room_id=`` together name one parameter twice: exit 2."""
    code, _ = cli(
        "do", "checkout_room", "room=101", "room_id=lake-101", "staff_id=amara", "--db", stayed
    )
    assert code == ExitCode.USAGE


def test_the_services_see_the_rooms_the_operator_commands_made(lake: str) -> None:
    """What room add stored is what the services read: the board lists both rooms."""
    engine = create_engine(lake)
    try:
        board = services.room_board(SqlAlchemyUnitOfWork(engine), "lake")
    finally:
        engine.dispose()
    assert [row.number for row in board] == ["101", "102"]


def test_schema_places_the_library_s_tables_in_a_postgresql_schema_of_their_own(
    postgres_url: str,
) -> None:
    """--schema (or $HOTEL_OCCUPANCY_SCHEMA) before the command: init, set up and read a
    hotel in schema ``frontdesk``; the public schema holds none of the library's tables."""
    from sqlalchemy import inspect

    from tests.integration.sessions import fresh_database

    engine = fresh_database(postgres_url, "ho_cli_schema")
    url = engine.url.render_as_string(False)
    try:
        ok("--schema", "frontdesk", "init", "--db", url)
        ok("--schema", "frontdesk", "hotel", "add", "lake", "--name", "Lake", "--db", url)
        ok("--schema", "frontdesk", "room", "add", "101", "--db", url)
        board = json.loads(ok("--schema", "frontdesk", "board", "--json", "--db", url))
        assert [row["number"] for row in board] == ["101"]
        tables = inspect(engine)
        assert "ho_rooms" in tables.get_table_names(schema="frontdesk")
        assert not [t for t in tables.get_table_names(schema="public") if t.startswith("ho_")]
        code, _ = cli("board", "--db", url)  # without it: not a library database here
        assert code == ExitCode.STORAGE
    finally:
        engine.dispose()


def test_tables_not_found_on_postgresql_the_error_says_how_with_schema(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No library tables: the hint names --schema (the tables may be in one); with
    --schema nosuch, it says to init with that --schema. Exit 3 both times."""
    from tests.integration.sessions import fresh_database

    engine = fresh_database(postgres_url, "ho_cli_schema_hint")
    url = engine.url.render_as_string(False)
    try:
        ok("--schema", "frontdesk", "init", "--db", url)
        capsys.readouterr()
        assert cli("board", "--db", url) == (ExitCode.STORAGE, "")
        (line,) = capsys.readouterr().err.splitlines()
        assert "is not a hotel_occupancy database" in line
        assert "hotel-occupancy init" in line
        assert "--schema NAME" in line
        assert cli("--schema", "nosuch", "board", "--db", url) == (ExitCode.STORAGE, "")
        (line,) = capsys.readouterr().err.splitlines()
        assert "no hotel_occupancy tables in schema 'nosuch'" in line
        assert "hotel-occupancy --schema nosuch init" in line
    finally:
        engine.dispose()


def test_schema_on_sqlite_is_a_usage_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """SQLite has no schemas: --schema is refused with exit 2, saying why."""
    code, _ = cli("--schema", "frontdesk", "board", "--db", db)
    assert code == ExitCode.USAGE
    assert "no schemas" in capsys.readouterr().err


def test_a_deactivated_hotel_refuses_its_staff_until_it_is_reactivated(
    lake: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """hotel deactivate: do is refused (exit 1) and hotel list says so; hotel reactivate:
    the same call works."""
    assert "deactivated" in ok("hotel", "deactivate", "lake", "--db", lake)
    assert "deactivated" in ok("hotel", "list", "--db", lake)
    code, _ = cli("do", "mark_dirty", "room=101", "staff_id=amara", "--db", lake)
    assert code == ExitCode.REFUSED
    assert "hotel 'lake' is deactivated" in capsys.readouterr().err
    assert snapshot(lake).log == ()
    ok("hotel", "reactivate", "lake", "--db", lake)
    ok("do", "mark_dirty", "room=101", "staff_id=amara", "--db", lake)
    assert [e.operation for e in snapshot(lake).log] == [ho.Operation.STATUS_CHANGE]
