"""The bulk CSV loader of reference data (issue 16): every kind, upserts that a second run
leaves alone, dry runs, every kind of bad line with its line number, and all or nothing."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.csv_reference import CsvReport, CsvRowError, load_csv
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.testing.contract.scene import canonical
from tests.support import FakeClock, World

HOTELS = """hotel_id,name,timezone,checkout_time,require_inspection,stayover_every
lake,Lake Hotel,Europe/Zurich,10:30,true,2
city,City Hotel,,,,
"""
ROOMS = """room_id,number,capacity
lake-101,101,2
lake-102,102,
lake-201,201,4
"""
STAFF = """staff_id,name,role,active
ana,Ana Silva,FRONT_DESK,
ben,Ben Okafor,housekeeping,true
cy,Cy Moreau,supervisor,false
"""
BOOKINGS = """booking_id,reference,arrival,departure,guest_id,first_name,last_name
B1,ABC123,2026-03-10,2026-03-12,B1-g1,Mei,Lee
B1,,,,B1-g2,Jun,Lee
B2,XYZ789,2026-03-11,2026-03-11,B2-g1,,Solo
"""


def fresh() -> InMemoryUnitOfWork:
    """An empty in-memory store with a stepping clock."""
    return InMemoryUnitOfWork(clock=FakeClock())


def csv(text: str) -> io.StringIO:
    return io.StringIO(text)


def loaded() -> InMemoryUnitOfWork:
    """A store holding every kind of the sample files, loaded in order."""
    uow = fresh()
    assert load_csv(uow, "hotels", csv(HOTELS)).ok
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake").ok
    assert load_csv(uow, "staff", csv(STAFF), hotel_id="lake").ok
    assert load_csv(uow, "bookings", csv(BOOKINGS), hotel_id="lake").ok
    return uow


def stored(uow: InMemoryUnitOfWork) -> StoreSnapshot:
    return canonical(uow.snapshot())


def errors(report: CsvReport) -> list[tuple[int, str | None]]:
    """Where the report's errors are: (line, column)."""
    return [(e.line, e.column) for e in report.errors]


# --- every kind -------------------------------------------------------------------------


def test_hotels_are_registered_with_their_settings_and_defaults() -> None:
    """A hotel line registers the hotel with the settings given, the others defaulted."""
    uow = fresh()
    report = load_csv(uow, "hotels", csv(HOTELS))
    assert report == CsvReport(created=2)
    hotels = {h.hotel_id: h for h in uow.snapshot().hotels}
    assert hotels["lake"] == ho.Hotel(
        "lake", "Lake Hotel", True, "Europe/Zurich", time(10, 30), stayover_every=2
    )
    assert hotels["city"] == ho.Hotel("city", "City Hotel")


def test_a_hotel_line_with_active_false_deactivates_it_and_true_reactivates_it() -> None:
    """``active`` on a hotel line: false deactivates (a new hotel or a stored one), true
    reactivates, and the same file again changes nothing."""
    uow = fresh()
    closed = "hotel_id,name,active\nlake,Lake Hotel,false\ncity,City Hotel,\n"
    assert load_csv(uow, "hotels", csv(closed)) == CsvReport(created=2, deactivated=1)
    assert {h.hotel_id: h.active for h in uow.snapshot().hotels} == {"lake": False, "city": True}
    assert load_csv(uow, "hotels", csv(closed)) == CsvReport(unchanged=2)
    opened = "hotel_id,name,active\nlake,Lake Hotel,true\n"
    assert load_csv(uow, "hotels", csv(opened)) == CsvReport(updated=1, reactivated=1)
    assert all(h.active for h in uow.snapshot().hotels)


def test_rooms_are_registered_with_a_capacity_or_none() -> None:
    """Room lines of the keyword's hotel register rooms; a blank capacity is no limit."""
    uow = fresh()
    load_csv(uow, "hotels", csv(HOTELS))
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake") == CsvReport(created=3)
    assert set(uow.snapshot().rooms) == {
        ho.Room("lake-101", "lake", "101", 2),
        ho.Room("lake-102", "lake", "102", None),
        ho.Room("lake-201", "lake", "201", 4),
    }
    assert {o.status for o in uow.snapshot().occupancies} == {ho.OccupancyStatus.VACANT_CLEAN}


def test_staff_are_registered_and_active_false_deactivates_a_new_member() -> None:
    """Staff lines register members with their role (any case); active=false deactivates."""
    uow = fresh()
    load_csv(uow, "hotels", csv(HOTELS))
    report = load_csv(uow, "staff", csv(STAFF), hotel_id="lake")
    assert report == CsvReport(created=3, deactivated=1)
    assert set(uow.snapshot().staff) == {
        ho.Staff("ana", "lake", "Ana Silva", ho.StaffRole.FRONT_DESK, True),
        ho.Staff("ben", "lake", "Ben Okafor", ho.StaffRole.HOUSEKEEPING, True),
        ho.Staff("cy", "lake", "Cy Moreau", ho.StaffRole.SUPERVISOR, False),
    }


def test_bookings_group_guest_lines_and_the_first_is_the_primary() -> None:
    """One line per guest, grouped by booking id in file order: the first is the primary."""
    uow = loaded()
    bookings = {b.booking_id: b for b in uow.snapshot().bookings}
    assert bookings["B1"] == ho.Booking(
        "B1",
        "lake",
        "ABC123",
        date(2026, 3, 10),
        date(2026, 3, 12),
        (ho.BookingGuest("B1-g1", "Mei", "Lee"), ho.BookingGuest("B1-g2", "Jun", "Lee")),
    )
    assert bookings["B2"].party == (ho.BookingGuest("B2-g1", "", "Solo"),)
    assert bookings["B2"].arrival == bookings["B2"].departure  # day use


def test_the_lines_of_a_booking_need_not_be_next_to_each_other() -> None:
    """Guest lines of one booking anywhere in the file join it, in their order."""
    uow = fresh()
    load_csv(uow, "hotels", csv(HOTELS))
    text = (
        "hotel_id,booking_id,reference,arrival,departure,guest_id,last_name\n"
        "lake,B1,R1,2026-03-10,2026-03-11,a,A\n"
        "lake,B2,R2,2026-03-10,2026-03-11,b,B\n"
        ",B1,,,,c,C\n"
    )
    assert load_csv(uow, "bookings", csv(text)) == CsvReport(created=2)
    b1 = next(b for b in uow.snapshot().bookings if b.booking_id == "B1")
    assert [g.booking_guest_id for g in b1.party] == ["a", "c"]


def test_a_hotel_id_column_serves_lines_of_several_hotels() -> None:
    """With a hotel_id column each line names its hotel; the keyword fills blank cells."""
    uow = fresh()
    load_csv(uow, "hotels", csv(HOTELS))
    text = "hotel_id,room_id,number\nlake,L1,1\ncity,C1,1\n,C2,2\n"
    assert load_csv(uow, "rooms", csv(text), hotel_id="city") == CsvReport(created=3)
    rooms = {r.room_id: r.hotel_id for r in uow.snapshot().rooms}
    assert rooms == {"L1": "lake", "C1": "city", "C2": "city"}


def test_rows_may_come_as_mappings_instead_of_text() -> None:
    """An iterable of mappings (as csv.DictReader gives) loads as the text would."""
    uow = fresh()
    load_csv(uow, "hotels", csv(HOTELS))
    rows = [
        {"staff_id": "ana", "name": "Ana", "role": "MANAGER"},
        {"staff_id": "ben", "name": "Ben", "role": "MAINTENANCE", "active": "no"},
    ]
    assert load_csv(uow, "staff", rows, hotel_id="lake") == CsvReport(created=2, deactivated=1)
    bad = load_csv(uow, "staff", [{"staff_id": "cy", "name": "Cy"}], hotel_id="lake")
    assert errors(bad) == [(1, "role")]


# --- upserts ----------------------------------------------------------------------------


def test_loading_the_same_files_again_changes_nothing() -> None:
    """A second run counts every entity unchanged and writes nothing, request ids included."""
    uow = loaded()
    before = stored(uow)
    assert load_csv(uow, "hotels", csv(HOTELS)) == CsvReport(unchanged=2)
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake") == CsvReport(unchanged=3)
    assert load_csv(uow, "staff", csv(STAFF), hotel_id="lake") == CsvReport(unchanged=3)
    assert load_csv(uow, "bookings", csv(BOOKINGS), hotel_id="lake") == CsvReport(unchanged=2)
    assert stored(uow) == before


def test_every_call_carries_a_request_id_derived_from_the_line() -> None:
    """The store records one csv: request id per call a load made."""
    uow = loaded()
    ids = sorted(uow.snapshot().request_ids)
    assert len(ids) == 2 + 3 + 4 + 2  # hotels, rooms, staff (cy registered and deactivated)
    assert all(i.startswith("csv:") for i in ids)
    assert any(i.startswith("csv:staff:cy:deactivate_staff:") for i in ids)


def test_what_differs_is_updated_and_what_is_left_out_is_kept() -> None:
    """Changed settings, numbers, capacities, names and roles are updated; settings the
    file leaves out keep their stored values."""
    uow = loaded()
    hotels = "hotel_id,name,checkout_time\nlake,Lake Palace,11:00\ncity,City Hotel,\n"
    assert load_csv(uow, "hotels", csv(hotels)) == CsvReport(updated=1, unchanged=1)
    lake = next(h for h in uow.snapshot().hotels if h.hotel_id == "lake")
    assert (lake.name, lake.checkout_time, lake.require_inspection, lake.stayover_every) == (
        "Lake Palace",
        time(11),
        True,
        2,
    )
    rooms = "room_id,number,capacity\nlake-101,101A,3\nlake-102,102,2\nlake-201,201,4\n"
    assert load_csv(uow, "rooms", csv(rooms), hotel_id="lake") == CsvReport(updated=2, unchanged=1)
    numbers = "room_id,number\nlake-201,202\n"  # no capacity column: capacities kept
    assert load_csv(uow, "rooms", csv(numbers), hotel_id="lake") == CsvReport(updated=1)
    assert set(uow.snapshot().rooms) == {
        ho.Room("lake-101", "lake", "101A", 3),
        ho.Room("lake-102", "lake", "102", 2),
        ho.Room("lake-201", "lake", "202", 4),
    }
    staff = "staff_id,name,role\nana,Ana Silva,MANAGER\n"  # no active column: kept
    assert load_csv(uow, "staff", csv(staff), hotel_id="lake") == CsvReport(updated=1)
    ana = next(s for s in uow.snapshot().staff if s.staff_id == "ana")
    assert (ana.role, ana.active) == (ho.StaffRole.MANAGER, True)


def test_a_blank_capacity_lifts_the_limit_of_a_stored_room() -> None:
    """The capacity column given blank means no limit, for a stored room too."""
    uow = loaded()
    text = "room_id,number,capacity\nlake-201,201,\n"
    assert load_csv(uow, "rooms", csv(text), hotel_id="lake") == CsvReport(updated=1)
    assert next(r for r in uow.snapshot().rooms if r.room_id == "lake-201").capacity is None


def test_active_true_reactivates_and_false_deactivates_stored_staff() -> None:
    """The active column deactivates and reactivates members, counted as updates too."""
    uow = loaded()
    text = (
        "staff_id,name,role,active\nana,Ana Silva,FRONT_DESK,false\ncy,Cy Moreau,SUPERVISOR,yes\n"
    )
    report = load_csv(uow, "staff", csv(text), hotel_id="lake")
    assert report == CsvReport(updated=2, deactivated=1, reactivated=1)
    active = {s.staff_id: s.active for s in uow.snapshot().staff}
    assert active == {"ana": False, "ben": True, "cy": True}
    assert load_csv(uow, "staff", csv(text), hotel_id="lake") == CsvReport(unchanged=2)


def test_rooms_can_take_the_numbers_other_rooms_of_the_file_give_up() -> None:
    """A room may take a number another room of the same file moves away from."""
    uow = loaded()
    text = "room_id,number\nlake-101,102\nlake-102,103\n"
    assert load_csv(uow, "rooms", csv(text), hotel_id="lake") == CsvReport(updated=2)
    numbers = {r.room_id: r.number for r in uow.snapshot().rooms}
    assert numbers == {"lake-101": "102", "lake-102": "103", "lake-201": "201"}


def test_a_change_made_before_and_undone_since_is_made_again() -> None:
    """A line whose very change was loaded once and undone by hand since is carried out
    again, not mistaken for a replay."""
    uow = loaded()
    text = "room_id,number,capacity\nlake-101,101,3\n"
    assert load_csv(uow, "rooms", csv(text), hotel_id="lake") == CsvReport(updated=1)
    services.update_room(uow, room_id="lake-101", capacity=2)
    assert load_csv(uow, "rooms", csv(text), hotel_id="lake") == CsvReport(updated=1)
    assert next(r for r in uow.snapshot().rooms if r.room_id == "lake-101").capacity == 3


# --- dry runs ---------------------------------------------------------------------------


def test_a_dry_run_counts_what_a_load_would_do_and_writes_nothing() -> None:
    """dry_run gives the counts of the real run, and the store stays as it was."""
    uow = fresh()
    before = stored(uow)
    assert load_csv(uow, "hotels", csv(HOTELS), dry_run=True) == CsvReport(created=2)
    assert stored(uow) == before
    uow = loaded()
    before = stored(uow)
    text = "staff_id,name,role,active\nana,Ana,FRONT_DESK,false\nben,Ben Okafor,HOUSEKEEPING,\n"
    dry = load_csv(uow, "staff", csv(text), hotel_id="lake", dry_run=True)
    assert dry == CsvReport(updated=1, unchanged=1, deactivated=1)
    assert stored(uow) == before
    assert load_csv(uow, "staff", csv(text), hotel_id="lake") == dry


def test_a_dry_run_reports_the_errors_a_load_would() -> None:
    """A dry run of a bad file lists the same errors as the load would."""
    uow = loaded()
    text = "room_id,number\nlake-101,201\n"
    dry = load_csv(uow, "rooms", csv(text), hotel_id="lake", dry_run=True)
    assert errors(dry) == [(2, "number")]
    assert load_csv(uow, "rooms", csv(text), hotel_id="lake") == dry


# --- bad lines --------------------------------------------------------------------------


def test_header_problems_are_errors_of_line_1() -> None:
    """Unknown, repeated and missing columns are reported on the header line."""
    uow = loaded()
    text = "staff_id,name,colour,name\nzed,Zed,blue,Zed\n"
    report = load_csv(uow, "staff", csv(text), hotel_id="lake")
    assert errors(report) == [(1, "colour"), (1, "name"), (1, "role")]
    assert "unknown column" in report.errors[0].message
    missing = load_csv(uow, "rooms", csv("room_id,number\nR,1\n"))
    assert errors(missing) == [(1, "hotel_id")]


@pytest.mark.parametrize(
    ("kind", "text", "where", "words"),
    [
        ("rooms", "room_id,number\nR9,\n", (2, "number"), "required"),
        ("rooms", "room_id,number,capacity\nR9,9,two\n", (2, "capacity"), "whole number"),
        ("rooms", "room_id,number,capacity\nR9,9,0\n", (2, "capacity"), "capacity"),
        ("rooms", "room_id,number\nR9\tx,9\n", (2, "room_id"), "room_id"),
        ("staff", "staff_id,name,role\ns9,Sam,JANITOR\n", (2, "role"), "staff role"),
        ("staff", "staff_id,name,role,active\ns9,Sam,MANAGER,maybe\n", (2, "active"), "true"),
        (
            "bookings",
            "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
            "B9,R9,2026-02-30,2026-03-02,g9,A,B\n",
            (2, "arrival"),
            "YYYY-MM-DD",
        ),
        (
            "bookings",
            "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
            "B9,R9,2026-03-02,2026-03-01,g9,A,B\n",
            (2, "departure"),
            "before arrival",
        ),
        (
            "bookings",
            "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
            "B9,R9,2026-03-01,2026-03-02,g9,,\n",
            (2, "first_name"),
            "first or a last name",
        ),
        ("hotels", "hotel_id,name,checkout_time\nh9,H9,25:00\n", (2, "checkout_time"), "HH:MM"),
        ("hotels", "hotel_id,name,timezone\nh9,H9,Mars/Olympus\n", (2, "timezone"), "IANA"),
        ("hotels", "hotel_id,name,stayover_every\nh9,H9,-1\n", (2, "stayover_every"), "stayover"),
        ("rooms", "room_id,number\nR9,9,extra\n", (2, None), "values"),
    ],
)
def test_a_bad_value_is_an_error_of_its_line_and_column(
    kind: str, text: str, where: tuple[int, str | None], words: str
) -> None:
    """A missing or unreadable value, or one the service would refuse, names its line
    and column, and nothing is written."""
    uow = loaded()
    before = stored(uow)
    report = load_csv(uow, kind, csv(text), hotel_id="lake")  # type: ignore[arg-type]
    assert errors(report) == [where]
    assert words in report.errors[0].message
    assert not report.ok
    assert stored(uow) == before


def test_an_id_twice_in_the_file_is_an_error_of_the_second_line() -> None:
    """A repeated id (or guest id) is reported where it repeats, naming the first line."""
    uow = fresh()
    report = load_csv(uow, "hotels", csv("hotel_id,name\nh,One\nk,Two\nh,Three\n"))
    assert errors(report) == [(4, "hotel_id")]
    assert "line 2" in report.errors[0].message
    load_csv(uow, "hotels", csv(HOTELS))
    text = (
        "booking_id,reference,arrival,departure,guest_id,last_name\n"
        "B1,R1,2026-03-10,2026-03-11,g,A\n"
        "B2,R2,2026-03-10,2026-03-11,g,B\n"
    )
    assert errors(load_csv(uow, "bookings", csv(text), hotel_id="lake")) == [(3, "guest_id")]


def test_the_lines_of_a_booking_must_agree_on_its_dates() -> None:
    """A later line of a booking giving another date than its first is an error."""
    uow = loaded()
    text = (
        "booking_id,reference,arrival,departure,guest_id,last_name\n"
        "B9,R9,2026-03-10,2026-03-11,g1,A\n"
        "B9,,2026-03-12,,g2,B\n"
    )
    report = load_csv(uow, "bookings", csv(text), hotel_id="lake")
    assert errors(report) == [(3, "arrival")]


def test_a_room_number_two_rooms_would_share_is_an_error() -> None:
    """A number given twice for one hotel, or held by a stored room the file does not
    move, or a ring of rooms swapping numbers, is refused."""
    uow = loaded()
    twice = "room_id,number\nR8,8\nR9,8\n"
    assert errors(load_csv(uow, "rooms", csv(twice), hotel_id="lake")) == [(3, "number")]
    held = "room_id,number\nR9,101\n"
    report = load_csv(uow, "rooms", csv(held), hotel_id="lake")
    assert errors(report) == [(2, "number")]
    assert "lake-101" in report.errors[0].message
    swap = "room_id,number\nlake-101,102\nlake-102,101\n"
    assert errors(load_csv(uow, "rooms", csv(swap), hotel_id="lake")) == [
        (2, "number"),
        (3, "number"),
    ]
    other = "hotel_id,room_id,number\ncity,C1,101\n"  # another hotel may have a "101"
    assert load_csv(uow, "rooms", csv(other)) == CsvReport(created=1)


def test_what_the_store_refuses_is_an_error_of_its_line() -> None:
    """An unknown hotel, an id of another hotel, a time zone change, a guest id another
    booking has, and a stored booking that differs are errors of their lines."""
    uow = loaded()
    cases: list[tuple[str, str, str | None, tuple[int, str]]] = [
        ("rooms", "room_id,number\nR9,9\n", "nowhere", (2, "hotel_id")),
        ("rooms", "hotel_id,room_id,number\ncity,lake-101,9\n", None, (2, "room_id")),
        ("hotels", "hotel_id,name,timezone\nlake,Lake Hotel,Asia/Tokyo\n", None, (2, "timezone")),
        (
            "bookings",
            "booking_id,reference,arrival,departure,guest_id,last_name\n"
            "B9,R9,2026-03-10,2026-03-11,B1-g2,X\n",
            "lake",
            (2, "guest_id"),
        ),
        (
            "bookings",
            "booking_id,reference,arrival,departure,guest_id,first_name,last_name\n"
            "B2,XYZ789,2026-03-11,2026-03-13,B2-g1,,Solo\n",
            "lake",
            (2, "departure"),
        ),
    ]
    before = stored(uow)
    for kind, text, hotel, where in cases:
        report = load_csv(uow, kind, csv(text), hotel_id=hotel)  # type: ignore[arg-type]
        assert errors(report) == [where], text
    assert stored(uow) == before
    conflict = load_csv(uow, "bookings", csv(cases[-1][1]), hotel_id="lake")
    assert "change_stay" in conflict.errors[0].message


def test_a_capacity_below_the_party_a_room_holds_is_an_error(world: World) -> None:
    """A room cannot shrink below the party of the booking it holds."""
    world.checked_in("R201", 3)
    before = world.snapshot()
    text = "room_id,number,capacity\nR201,201,2\n"
    report = load_csv(world.uow, "rooms", csv(text), hotel_id="H")
    assert errors(report) == [(2, "capacity")]
    assert world.snapshot() == before
    assert load_csv(
        world.uow, "rooms", csv("room_id,number,capacity\nR201,201,3\n"), hotel_id="H"
    ).ok


def test_every_bad_line_is_listed_at_once() -> None:
    """A file with several bad lines reports each of them, in line order."""
    uow = loaded()
    text = (
        "staff_id,name,role,active\n"
        "s1,One,MANAGER,\n"
        "s2,,MANAGER,\n"
        "s3,Three,CHEF,\n"
        "s4,Four,MANAGER,often\n"
        "s1,Again,MANAGER,\n"
    )
    report = load_csv(uow, "staff", csv(text), hotel_id="lake")
    assert errors(report) == [(3, "name"), (4, "role"), (5, "active"), (6, "staff_id")]
    assert str(report.errors[0]) == "line 3, column name: a value is required"


# --- messy input ------------------------------------------------------------------------


def test_a_bom_crlf_blank_lines_and_whitespace_are_read_as_plain_csv() -> None:
    """A byte-order mark, CRLF line ends, blank lines and padded values load cleanly."""
    uow = fresh()
    text = "\ufeff Hotel_ID , name \r\n\r\n  lake ,  Lake Hotel  \r\n\r\n\r\n"
    assert load_csv(uow, "hotels", csv(text)) == CsvReport(created=1)
    assert uow.snapshot().hotels == (ho.Hotel("lake", "Lake Hotel"),)


def test_a_nul_character_is_an_error_of_its_line_and_column() -> None:
    """A NUL in a value is refused with its line and column, and nothing is written."""
    uow = fresh()
    report = load_csv(uow, "hotels", csv("hotel_id,name\nlake,La\x00ke\ncity,City\n"))
    assert errors(report) == [(2, "name")]
    assert "NUL" in report.errors[0].message
    assert uow.snapshot().hotels == ()


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", " , \r\n"])
def test_an_empty_file_is_a_clear_error(text: str) -> None:
    """A file with no header line is an error of line 1 that says it is empty."""
    report = load_csv(fresh(), "rooms", csv(text), hotel_id="lake")
    assert report.errors == (
        CsvRowError(1, None, "the file is empty: it needs a header line naming the columns"),
    )


def test_a_header_without_lines_loads_nothing() -> None:
    """A file with only its header is fine and changes nothing."""
    uow = fresh()
    assert load_csv(uow, "hotels", csv("hotel_id,name\n")) == CsvReport()


def test_csv_the_csv_module_cannot_read_is_an_error_not_a_crash() -> None:
    """A quoted value running past the csv module's field limit is reported on the line
    it starts on, and nothing is written."""
    uow = fresh()
    text = 'hotel_id,name\nlake,"Lake\n' + "x" * 200_000
    report = load_csv(uow, "hotels", csv(text))
    assert errors(report) == [(2, None)]
    assert "field limit" in report.errors[0].message
    assert uow.snapshot().hotels == ()


def test_a_bad_kind_or_hotel_keyword_is_invalid_input() -> None:
    """The call's own arguments are checked: an unknown kind or a bad hotel id."""
    with pytest.raises(ho.InvalidInput, match="kind"):
        load_csv(fresh(), "guests", csv("x\n"))  # type: ignore[arg-type]
    with pytest.raises(ho.InvalidInput, match="hotel_id"):
        load_csv(fresh(), "rooms", csv("room_id,number\n"), hotel_id=" lake")


# --- all or nothing ---------------------------------------------------------------------


def test_one_bad_line_keeps_every_good_line_from_being_written() -> None:
    """Good lines around a bad one are not written either."""
    uow = loaded()
    before = stored(uow)
    text = "room_id,number,capacity\nR7,7,1\nR8,8,lots\nR9,9,1\n"
    report = load_csv(uow, "rooms", csv(text), hotel_id="lake")
    assert errors(report) == [(3, "capacity")]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert stored(uow) == before


class RacedRooms:
    """The rooms of a store where another writer takes room number "102" between the
    loader's check and its calls: the service then finds the number taken."""

    def __init__(self, rooms: object) -> None:
        self._rooms = rooms

    def __getattr__(self, name: str) -> object:
        return getattr(self._rooms, name)

    def number_taken(self, hotel_id: str, number: str) -> bool:
        return number == "102" or bool(self._rooms.number_taken(hotel_id, number))  # type: ignore[attr-defined]


class RacedUnitOfWork(InMemoryUnitOfWork):
    @property
    def rooms(self) -> RacedRooms:  # type: ignore[override]
        return RacedRooms(super().rooms)


def test_a_refusal_found_only_by_the_calls_writes_nothing_and_names_its_line() -> None:
    """A call refused although the check passed (a concurrent writer) rolls back the calls
    made before it, and the report names the line."""
    uow: Any = RacedUnitOfWork(clock=FakeClock())  # (its rooms are a stand-in)
    load_csv(uow, "hotels", csv(HOTELS))
    before = stored(uow)
    report = load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake")
    assert errors(report) == [(3, None)]
    assert "AlreadyRegistered" in report.errors[0].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert stored(uow) == before


class FailingClock:
    """A clock that fails at its ``fail_at``-th reading (a crash in the middle of a load)."""

    def __init__(self, fail_at: int) -> None:
        self.readings = 0
        self.fail_at = fail_at

    def __call__(self) -> datetime:
        self.readings += 1
        if self.readings == self.fail_at:
            raise RuntimeError("the machine fell over")
        return datetime(2026, 3, 10, 14, tzinfo=UTC) + timedelta(seconds=self.readings)


def test_a_crash_in_the_middle_of_a_load_leaves_none_of_it_written() -> None:
    """The calls of one load are one transaction: a crash at the third room keeps the
    first two from being written."""
    clock = FailingClock(fail_at=10**9)
    uow = InMemoryUnitOfWork(clock=clock)
    load_csv(uow, "hotels", csv(HOTELS))
    before = stored(uow)
    clock.fail_at = clock.readings + 3  # each room registration reads the clock once
    with pytest.raises(RuntimeError, match="fell over"):
        load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake")
    assert stored(uow) == before
    clock.fail_at = 10**9
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake") == CsvReport(created=3)


def test_the_loaded_store_keeps_every_invariant() -> None:
    """After loading every kind and then changing it, every invariant of §5 holds."""
    uow = loaded()
    load_csv(uow, "rooms", csv("room_id,number,capacity\nlake-101,110,1\n"), hotel_id="lake")
    assert check_invariants(uow.snapshot()) == []


# --- on SQLite --------------------------------------------------------------------------


def test_on_sqlite_a_load_is_one_transaction_of_the_database(sqlite_engine: Engine) -> None:
    """On SQLite a load writes all its lines, a second run nothing, and a crash in the
    middle of one leaves the database as it was."""
    clock = FailingClock(fail_at=10**9)
    uow = SqlAlchemyUnitOfWork(sqlite_engine, clock=clock)
    assert load_csv(uow, "hotels", csv(HOTELS)) == CsvReport(created=2)
    assert load_csv(uow, "staff", csv(STAFF), hotel_id="lake") == CsvReport(
        created=3, deactivated=1
    )
    before = canonical(uow.snapshot())
    clock.fail_at = clock.readings + 3
    with pytest.raises(RuntimeError, match="fell over"):
        load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake")
    assert canonical(uow.snapshot()) == before
    clock.fail_at = 10**9
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake") == CsvReport(created=3)
    assert load_csv(uow, "rooms", csv(ROOMS), hotel_id="lake") == CsvReport(unchanged=3)
    renumber = "room_id,number\nlake-101,102\nlake-102,103\n"
    assert load_csv(uow, "rooms", csv(renumber), hotel_id="lake") == CsvReport(updated=2)
    assert {r.room_id: r.number for r in uow.snapshot().rooms} == {
        "lake-101": "102",
        "lake-102": "103",
        "lake-201": "201",
    }
