"""The front desk on the command line (§9): ``arrivals``, ``departures`` and ``in-house``,
the board's arrivals into due-out rooms, and the front desk's operations through ``do``
(``change_stay``, ``update_party``, ``cancel_booking``, ``mark_no_show``, ``queue_arrival``,
``assign_room`` into a due-out room, ``update_hotel``), on SQLite files.

The command line reads the real clock, so the hotel's bookings are made around the real
today in Paris (the hotel's zone): a stay that ended yesterday is overdue whatever the time
of day, one ending in three days is not. Refusals run the installed console script in a
subprocess, to prove what a user sees: one line on stderr, exit code 1, nothing changed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from tests.integration.test_cli import assert_one_line_error, cli, run_cli, snapshot, sqlite_url

PARIS = ZoneInfo("Europe/Paris")


def today() -> date:
    """Today in Paris, the hotel's local date (what the commands default to)."""
    return datetime.now(UTC).astimezone(PARIS).date()


def day(offset: int) -> date:
    return today() + timedelta(days=offset)


def when(offset: int, at: time = time(11)) -> str:
    """The hotel's checkout time (11:00, Paris) ``offset`` days from today, as a table
    shows it: with the zone's abbreviation (CET or CEST)."""
    moment = datetime.combine(day(offset), at, PARIS)
    return f"{day(offset).isoformat()} {at:%H:%M} {moment.tzname()}"


@pytest.fixture
def desk_url(tmp_path: Path) -> str:
    """A database made by ``init`` holding hotel ``paris`` ("Hôtel Paris", Europe/Paris,
    checkout 11:00) and hotel ``lake`` (UTC; room L1, no bookings).

    Paris: rooms 101, 102 (capacity 2) and 103 (capacity 3); staff ``fd`` (front desk),
    ``hk`` (housekeeping). In house: D1 (one guest) in 101, due out yesterday (overdue);
    D2 (one guest) in 102, leaving in three days. Arriving today: A1 (one guest), pre-assigned
    into 101 while D1 is still there, and queued at the desk; A2 (two guests), no room; X1
    (one guest), no room. A3 (one guest) was due yesterday and has not come. F1 arrives in
    five days.
    """
    url = sqlite_url(tmp_path / "desk.db")
    code, _ = cli("init", "--db", url)
    assert code == 0
    engine = create_engine(url)
    uow = SqlAlchemyUnitOfWork(engine)  # the real clock, like the command line's
    services.register_hotel(uow, hotel_id="paris", name="Hôtel Paris", timezone="Europe/Paris")
    for number, capacity in (("101", 2), ("102", 2), ("103", 3)):
        services.register_room(
            uow, hotel_id="paris", room_id=f"p-{number}", number=number, capacity=capacity
        )
    for staff_id, role in (("fd", ho.StaffRole.FRONT_DESK), ("hk", ho.StaffRole.HOUSEKEEPING)):
        services.register_staff(uow, hotel_id="paris", staff_id=staff_id, name=staff_id, role=role)
    for booking_id, arrival, departure, size in (
        ("D1", -3, -1, 1),
        ("D2", -1, 3, 1),
        ("A1", 0, 2, 1),
        ("A2", 0, 1, 2),
        ("X1", 0, 1, 1),
        ("A3", -1, 1, 1),
        ("F1", 5, 6, 1),
    ):
        services.register_booking(
            uow,
            hotel_id="paris",
            booking_id=booking_id,
            reference=f"REF-{booking_id}",
            arrival=day(arrival),
            departure=day(departure),
            party=[
                ho.BookingGuest(f"{booking_id}-{i}", f"First{i}", f"Guest{booking_id}")
                for i in range(size)
            ],
        )
    services.assign_room(uow, booking_id="D1", room_id="p-101", staff_id="fd")
    services.assign_room(uow, booking_id="D2", room_id="p-102", staff_id="fd")
    services.assign_room(uow, booking_id="A1", room_id="p-101", staff_id="fd", check_in=False)
    services.queue_arrival(uow, booking_id="A1", staff_id="fd")
    services.register_hotel(uow, hotel_id="lake", name="Lake Hotel")
    services.register_room(uow, hotel_id="lake", room_id="L1", number="1")
    engine.dispose()
    return url


def ok(*args: str) -> str:
    """Run the command line in-process; it must succeed; return what it printed."""
    code, out = cli(*args)
    assert code == 0, out
    return out


def do(url: str, service: str, *arguments: str) -> list[dict[str, Any]]:
    """``do --json SERVICE name=value...``: the entries it logged."""
    entries: list[dict[str, Any]] = json.loads(ok("do", "--db", url, "--json", service, *arguments))
    return entries


def table_rows(out: str, header_line: int = 2) -> dict[str, list[str]]:
    """The rows of the table printed in ``out`` (its header on line ``header_line``), by
    their first cell, each cut into cells where the header's columns start."""
    lines = out.splitlines()
    header = lines[header_line]
    dashes = lines[header_line + 1]
    starts = [i for i, ch in enumerate(dashes) if ch == "-" and (i == 0 or dashes[i - 1] == " ")]
    rows = {}
    for line in lines[header_line + 2 :]:
        if not line:
            break
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows[cells[0]] = cells
    assert header.split()[0] in ("reference", "room")
    return rows


def refused(url: str, tmp_path: Path, *arguments: str) -> str:
    """``do`` in a subprocess: refused, one line on stderr, exit 1, nothing changed."""
    before = snapshot(url)
    result = run_cli(tmp_path, "do", "--db", url, *arguments)
    line = assert_one_line_error(result, "refused:")
    assert result.returncode == 1
    assert snapshot(url) == before
    return line


def local_and_utc(data: dict[str, Any], name: str) -> tuple[datetime, datetime]:
    """The time ``name`` of a JSON row in UTC and as ``<name>_local``, checked to be the
    same moment, the first in UTC and the second in Paris time."""
    utc = datetime.fromisoformat(data[name])
    local = datetime.fromisoformat(data[f"{name}_local"])
    assert utc.utcoffset() == timedelta(0)
    assert local == utc
    assert local.utcoffset() == utc.astimezone(PARIS).utcoffset()
    return utc, local


# --- arrivals, departures, in-house -------------------------------------------------------


def test_arrivals_lists_the_day_in_the_hotels_local_time_labelled_with_its_zone(
    desk_url: str,
) -> None:
    """Today's arrivals by room, then reference: A1 pre-assigned into 101 (arriving,
    queued), A2 and X1 without a room, and A3, due yesterday, an overdue arrival. The title
    names the hotel and the day; the time columns name the zone."""
    out = ok("arrivals", "--db", desk_url, "--hotel", "paris")
    lines = out.splitlines()
    assert lines[0] == f"Arrivals at Hôtel Paris (paris) on {today().isoformat()}"
    assert lines[1] == ""
    assert lines[2].split("  ")[0] == "reference"
    assert "checked in (Europe/Paris)" in lines[2]
    assert "expected checkout (Europe/Paris)" in lines[2]
    rows = table_rows(out)
    assert list(rows) == ["REF-A1", "REF-A2", "REF-A3", "REF-X1"]  # with a room first
    assert rows["REF-A1"][:7] == [
        "REF-A1", "ASSIGNED", "101", "1", "First0 GuestA1", day(0).isoformat(), day(2).isoformat()
    ]  # fmt: skip
    assert rows["REF-A1"][-1] == "queued, arriving"
    assert rows["REF-A2"][1:4] == ["ARRIVING", "", "2"]
    assert rows["REF-A3"][-1] == "overdue arrival"
    assert rows["REF-X1"][-1] == ""
    assert lines[-1] == "3 ARRIVING, 1 ASSIGNED; 1 overdue, 1 queued, 1 arriving"
    # the default day is today's, in the hotel's zone
    assert ok("arrivals", "--db", desk_url, "--hotel", "paris", "--date", day(0).isoformat()) == out


def test_arrivals_json_gives_each_row_with_its_hotel_and_times_in_utc_and_local(
    desk_url: str,
) -> None:
    """arrivals --json: one object per booking with every field, the hotel's id and zone,
    and each time twice: UTC and ``*_local`` (None while it has not happened)."""
    rows = json.loads(ok("arrivals", "--db", desk_url, "--hotel", "paris", "--json"))
    assert [r["reference"] for r in rows] == ["REF-A1", "REF-A2", "REF-A3", "REF-X1"]
    a1 = rows[0]
    assert a1 == {
        "booking_id": "A1",
        "hotel_id": "paris",
        "reference": "REF-A1",
        "stage": "ASSIGNED",
        "arrival": day(0).isoformat(),
        "departure": day(2).isoformat(),
        "party_size": 1,
        "primary_name": "First0 GuestA1",
        "room_id": "p-101",
        "room_number": "101",
        "arriving": True,
        "queued": True,
        "checked_in_at": None,
        "checked_in_at_local": None,
        "checked_out_at": None,
        "checked_out_at_local": None,
        "expected_checkout": None,
        "expected_checkout_local": None,
        "overdue": False,
        "timezone": "Europe/Paris",
    }
    assert [r["overdue"] for r in rows] == [False, False, True, False]
    assert {r["hotel_id"] for r in rows} == {"paris"}


def test_departures_lists_who_is_due_out_and_who_is_overdue(desk_url: str) -> None:
    """Today: D1, due out yesterday, overdue. In three days: D2 leaves too, not overdue.
    The expected checkout is 11:00 Paris time, in UTC and local in the JSON."""
    out = ok("departures", "--db", desk_url, "--hotel", "paris")
    assert out.splitlines()[0] == f"Departures at Hôtel Paris (paris) on {today().isoformat()}"
    rows = table_rows(out)
    assert list(rows) == ["REF-D1"]
    assert rows["REF-D1"][1:3] == ["IN_HOUSE", "101"]
    assert rows["REF-D1"][-2:] == [when(-1), "overdue"]
    assert out.splitlines()[-1] == "1 IN_HOUSE; 1 overdue"

    later = ok("departures", "--db", desk_url, "--hotel", "paris", "--date", day(3).isoformat())
    rows = table_rows(later)
    assert list(rows) == ["REF-D1", "REF-D2"]
    assert rows["REF-D2"][-2:] == [when(3), ""]

    data = json.loads(
        ok(
            "departures",
            "--db",
            desk_url,
            "--hotel",
            "paris",
            "--json",
            "--date",
            day(3).isoformat(),
        )
    )
    d2 = data[1]
    assert (d2["booking_id"], d2["overdue"], d2["timezone"]) == ("D2", False, "Europe/Paris")
    _, local = local_and_utc(d2, "expected_checkout")
    assert (local.date(), local.hour, local.minute) == (day(3), 11, 0)
    local_and_utc(d2, "checked_in_at")


def test_in_house_lists_the_stays_with_their_check_in_in_local_time(desk_url: str) -> None:
    """in-house: D1 (overdue) and D2, checked in today; the table's check-in time is the
    JSON's UTC time read in Paris."""
    out = ok("in-house", "--db", desk_url, "--hotel", "paris")
    lines = out.splitlines()
    assert lines[0] == "In house at Hôtel Paris (paris)"
    rows = table_rows(out)
    assert list(rows) == ["REF-D1", "REF-D2"]
    assert [rows[r][-1] for r in rows] == ["overdue", ""]
    assert lines[-1] == "2 IN_HOUSE; 1 overdue"
    data = json.loads(ok("in-house", "--db", desk_url, "--hotel", "paris", "--json"))
    assert [(r["booking_id"], r["stage"], r["overdue"]) for r in data] == [
        ("D1", "IN_HOUSE", True),
        ("D2", "IN_HOUSE", False),
    ]
    for row in data:
        _, checked_in = local_and_utc(row, "checked_in_at")
        assert rows[row["reference"]][7] == checked_in.astimezone(PARIS).strftime(
            "%Y-%m-%d %H:%M %Z"
        )
        assert row["checked_out_at"] is None
        assert row["checked_out_at_local"] is None


def test_a_utc_hotel_is_labelled_utc_and_an_empty_list_says_so(desk_url: str) -> None:
    """The lake hotel keeps UTC and has no bookings: each list says there is nobody."""
    assert ok("arrivals", "--db", desk_url, "--hotel", "lake", "--date", "2026-06-01") == (
        "Arrivals at Lake Hotel (lake) on 2026-06-01\n\nno arrivals due\n"
    )
    assert ok("departures", "--db", desk_url, "--hotel", "lake", "--date", "2026-06-01") == (
        "Departures at Lake Hotel (lake) on 2026-06-01\n\nno departures due\n"
    )
    assert ok("in-house", "--db", desk_url, "--hotel", "lake") == (
        "In house at Lake Hotel (lake)\n\nnobody in house\n"
    )
    assert json.loads(ok("in-house", "--db", desk_url, "--hotel", "lake", "--json")) == []
    board = ok("board", "--db", desk_url, "--hotel", "lake")
    assert "expected checkout (UTC)" in board.splitlines()[0]


@pytest.mark.parametrize(
    ("arguments", "fragment", "code"),
    [
        (["arrivals"], "several hotels", 2),
        (["in-house"], "--hotel", 2),
        (["arrivals", "--hotel", "paris", "--date", "2026-13-01"], "'--date'", 2),
        (["departures", "--hotel", "paris", "--date", "tomorrow"], "YYYY-MM-DD", 2),
        (["arrivals", "--hotel", "nowhere"], "refused: HotelNotFound", 1),
        (["in-house", "--hotel", "nowhere", "--json"], "nowhere", 1),
    ],
    ids=[
        "several-hotels", "several-hotels-in-house", "bad-date", "not-a-date",
        "unknown-hotel", "unknown-hotel-json",
    ],
)  # fmt: skip
def test_bad_arguments_to_the_lists_are_one_line(
    desk_url: str, tmp_path: Path, arguments: list[str], fragment: str, code: int
) -> None:
    result = run_cli(tmp_path, *arguments, "--db", desk_url)
    assert_one_line_error(result, fragment)
    assert result.returncode == code


def test_stored_text_is_shown_escaped_in_the_lists(desk_url: str, tmp_path: Path) -> None:
    """A guest's name with a bidi override and an escape sequence cannot drive the
    terminal: the text table shows them escaped, the JSON exact."""
    engine = create_engine(desk_url)
    uow = SqlAlchemyUnitOfWork(engine)
    services.register_booking(
        uow,
        hotel_id="lake",
        booking_id="E1",
        reference="REF-E1",
        arrival=date(2026, 6, 1),
        departure=date(2026, 6, 2),
        party=[ho.BookingGuest("E1-0", "Eve\u202e\x1b[2J", "Doe")],
    )
    engine.dispose()
    out = ok("arrivals", "--db", desk_url, "--hotel", "lake", "--date", "2026-06-01")
    assert "Eve\\u202e\\x1b[2J Doe" in out
    assert "\x1b" not in out
    assert "\u202e" not in out
    (row,) = json.loads(
        ok("arrivals", "--db", desk_url, "--hotel", "lake", "--date", "2026-06-01", "--json")
    )
    assert row["primary_name"] == "Eve\u202e\x1b[2J Doe"


# --- the board ---------------------------------------------------------------------------


def test_the_board_shows_the_arrival_waiting_for_a_due_out_room(desk_url: str) -> None:
    """Room 101 holds D1 (overdue) and A1 arriving into it, queued: the board names A1 in
    its "arriving" column and flags the room; the expected checkout is Paris time."""
    out = ok("board", "--db", desk_url, "--hotel", "paris")
    lines = out.splitlines()
    assert lines[0].split("  ")[0] == "room"
    assert "expected checkout (Europe/Paris)" in lines[0]
    rows = table_rows(out, header_line=0)
    assert rows["101"] == [
        "101", "OCCUPIED", "CLEAN", "", "", "REF-D1", "1", when(-1), "REF-A1", "overdue, queued"
    ]  # fmt: skip
    assert rows["102"] == ["102", "OCCUPIED", "CLEAN", "", "", "REF-D2", "1", when(3), "", ""]
    assert rows["103"][1:] == ["VACANT_CLEAN", "CLEAN", "", "", "", "", "", "", ""]
    assert lines[-1] == "2 OCCUPIED, 1 VACANT_CLEAN; 1 due out (1 overdue), 1 arriving, 1 queued"

    data = {
        r["number"]: r
        for r in json.loads(ok("board", "--db", desk_url, "--hotel", "paris", "--json"))
    }
    room = data["101"]
    assert (room["booking_id"], room["arriving_booking_id"]) == ("D1", "A1")
    assert (room["due_out"], room["overdue"]) == (True, True)
    utc = datetime.fromisoformat(room["expected_checkout"])
    local = datetime.fromisoformat(room["expected_checkout_local"])
    assert local == utc
    assert (local.date(), local.hour, local.utcoffset()) == (
        day(-1),
        11,
        utc.astimezone(PARIS).utcoffset(),
    )
    assert (data["102"]["due_out"], data["102"]["overdue"]) == (False, False)
    assert data["103"]["expected_checkout_local"] is None


def test_an_arrival_into_a_due_out_room_waits_until_the_room_is_turned(
    desk_url: str, tmp_path: Path
) -> None:
    """Through ``do``: A1's check-in is refused while D1 is in 101, and while the room is
    dirty after D1's checkout (the board then shows A1 pre-assigned, still queued); once
    housekeeping has cleaned it, A1 checks in, and in-house lists it."""
    line = refused(desk_url, tmp_path, "check_in", "booking_id=A1", "staff_id=fd")
    assert line.startswith("hotel-occupancy: refused: RoomNotAvailable")
    (checkout,) = do(desk_url, "checkout_room", "room_id=p-101", "staff_id=fd")
    assert (checkout["operation"], checkout["booking_id"]) == ("CHECKOUT", "D1")
    rows = table_rows(ok("board", "--db", desk_url, "--hotel", "paris"), header_line=0)
    assert rows["101"] == [
        "101", "VACANT_DIRTY", "DIRTY", "", "", "REF-A1", "", "", "", "queued"
    ]  # fmt: skip
    refused(desk_url, tmp_path, "check_in", "booking_id=A1", "staff_id=fd")
    do(desk_url, "start_cleaning", "room_id=p-101", "staff_id=hk")
    do(desk_url, "complete_cleaning", "room_id=p-101", "staff_id=hk")
    (check_in,) = do(desk_url, "check_in", "booking_id=A1", "staff_id=fd")
    assert (check_in["operation"], check_in["room_id"]) == ("CHECKIN", "p-101")
    data = json.loads(ok("in-house", "--db", desk_url, "--hotel", "paris", "--json"))
    a1 = next(r for r in data if r["booking_id"] == "A1")
    assert (a1["room_number"], a1["queued"], a1["arriving"]) == ("101", False, False)


def test_do_pre_assigns_into_a_due_out_room_and_queues_the_guest(desk_url: str) -> None:
    """``do assign_room check_in=false`` onto room 102 works once D2 is due out (its stay
    shortened to yesterday is refused, to today is not); the history names the arrival."""
    out = ok(
        "do", "--db", desk_url, "change_stay", "booking_id=D2", "staff_id=fd",
        f"departure={day(0).isoformat()}", "notes=leaving today",
    )  # fmt: skip
    assert f"STAY_CHANGE (departure {day(3).isoformat()} -> {day(0).isoformat()})" in out
    out = ok(
        "do", "--db", desk_url, "assign_room", "booking_id=A2", "room_id=p-102", "staff_id=fd",
        "check_in=false",
    )  # fmt: skip
    assert "ASSIGN (arriving)" in out
    assert "OCCUPIED" in out
    (entry,) = do(desk_url, "queue_arrival", "booking_id=A2", "staff_id=fd")
    assert entry["operation"] == "STAY_CHANGE"
    assert (entry["room_id"], entry["metadata"]["queued"]) == ("p-102", True)
    rows = table_rows(ok("board", "--db", desk_url, "--hotel", "paris"), header_line=0)
    assert rows["102"][8] == "REF-A2"
    assert rows["102"][9] in ("due out, queued", "overdue, queued")  # past 11:00 in Paris?
    history = ok("history", "--db", desk_url, "--hotel", "paris", "--room", "102")
    assert "STAY_CHANGE (queued)" in history
    assert "ASSIGN (arriving)" in history


# --- the front desk's operations through do ----------------------------------------------


def test_do_change_stay_extends_an_in_house_stay_and_the_board_follows(desk_url: str) -> None:
    """A new departure for D2 moves the room's expected checkout (11:00 Paris on the new
    day); the entry records the dates before and after."""
    out = ok(
        "do", "--db", desk_url, "change_stay", "booking_id=D2", "staff_id=fd",
        f"departure={day(5).isoformat()}", "notes=two more nights",
    )  # fmt: skip
    (line,) = out.splitlines()[2:]
    assert f"STAY_CHANGE (departure {day(3).isoformat()} -> {day(5).isoformat()})" in line
    assert line.endswith("two more nights")
    rows = table_rows(ok("board", "--db", desk_url, "--hotel", "paris"), header_line=0)
    assert rows["102"][7] == when(5)
    entries = json.loads(
        ok("do", "--db", desk_url, "--json", "change_stay", "booking_id=D2", "staff_id=fd",
           f"departure={day(4).isoformat()}")
    )  # fmt: skip
    (entry,) = entries
    assert (entry["room_id"], entry["booking_id"]) == ("p-102", "D2")
    assert entry["metadata"]["departure_before"] == day(5).isoformat()
    assert entry["metadata"]["departure_after"] == day(4).isoformat()


def test_do_change_stay_of_a_booking_without_a_room_logs_on_the_booking(desk_url: str) -> None:
    """A2 holds no room: the entry has no room and no room state; giving the same dates
    again changes nothing and says so."""
    arrival, departure = f"arrival={day(1).isoformat()}", f"departure={day(2).isoformat()}"
    (entry,) = do(desk_url, "change_stay", "booking_id=A2", "staff_id=fd", arrival, departure)
    assert entry["room_id"] is None
    assert (entry["status_before"], entry["status_after"]) == (None, None)
    assert entry["metadata"]["arrival_after"] == day(1).isoformat()
    again = ok("do", "--db", desk_url, "change_stay", "booking_id=A2", "staff_id=fd", departure)
    assert again == "nothing to change: nothing logged\n"
    out = ok("do", "--db", desk_url, "change_stay", "booking_id=X1", "staff_id=fd", departure)
    (line,) = out.splitlines()[2:]
    assert "STAY_CHANGE (departure" in line
    assert "(imported)" not in line  # a booking-only entry has no room state to show
    moved = json.loads(ok("arrivals", "--db", desk_url, "--hotel", "paris", "--json"))
    assert "A2" not in {r["booking_id"] for r in moved}  # it arrives tomorrow now


def test_do_update_party_takes_the_party_as_json(desk_url: str) -> None:
    """A companion joins D2 in house (objects or lists of three strings); the board counts
    two guests; a renamed primary keeps the party's size."""
    party = json.dumps(
        [
            {"booking_guest_id": "D2-0", "first_name": "First0", "last_name": "GuestD2"},
            ["D2-9", "Nia", "GuestD2"],
        ]
    )
    out = ok(
        "do", "--db", desk_url, "update_party", "booking_id=D2", "staff_id=fd", f"party={party}",
        "notes=her sister joined",
    )  # fmt: skip
    assert "STAY_CHANGE (party 1 -> 2: 1 joined)" in out
    board = json.loads(ok("board", "--db", desk_url, "--hotel", "paris", "--json"))
    assert {r["number"]: r["guest_count"] for r in board}["102"] == 2
    renamed = json.dumps([["D2-0", "Firsta", "GuestD2"], ["D2-9", "Nia", "GuestD2"]])
    (entry,) = do(desk_url, "update_party", "booking_id=D2", "staff_id=fd", f"party={renamed}")
    assert entry["metadata"]["renamed"] == 1
    assert entry["metadata"]["party_after"] == 2


def test_do_update_party_refuses_a_party_too_big_for_the_room(
    desk_url: str, tmp_path: Path
) -> None:
    party = json.dumps([["D2-0", "First0", "GuestD2"], ["D2-8", "A", "B"], ["D2-9", "C", "D"]])
    line = refused(
        desk_url, tmp_path, "update_party", "booking_id=D2", "staff_id=fd", f"party={party}"
    )
    assert line.startswith("hotel-occupancy: refused: CapacityExceeded")


@pytest.mark.parametrize(
    ("party", "fragment"),
    [
        ("not json", "it is not JSON"),
        ('{"booking_guest_id": "D2-0"}', "a JSON list of members"),
        ('[{"booking_guest_id": "D2-0"}]', "party[0] must be"),
        ('[["D2-0", "First0"]]', "party[0] must be"),
        ('[["D2-0", "First0", 7]]', "all strings"),
    ],
    ids=["not-json", "not-a-list", "missing-keys", "short-list", "not-strings"],
)
def test_a_malformed_party_is_one_line_and_changes_nothing(
    desk_url: str, tmp_path: Path, party: str, fragment: str
) -> None:
    before = snapshot(desk_url)
    result = run_cli(
        tmp_path, "do", "--db", desk_url, "update_party", "booking_id=D2", "staff_id=fd",
        f"party={party}",
    )  # fmt: skip
    assert_one_line_error(result, "error:", fragment)
    assert snapshot(desk_url) == before


def test_do_refuses_to_change_the_arrival_of_a_guest_in_house(
    desk_url: str, tmp_path: Path
) -> None:
    line = refused(
        desk_url, tmp_path, "change_stay", "booking_id=D2", "staff_id=fd",
        f"arrival={day(0).isoformat()}",
    )  # fmt: skip
    assert line.startswith("hotel-occupancy: refused: BookingNotAssignable")
    assert "arrival" in line


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["change_stay", "booking_id=D2", "staff_id=fd", "departure=soon"], "must be a date"),
        (["change_stay", "booking_id=D2", "staff_id=fd", "arrival="], "YYYY-MM-DD"),
        (["update_hotel", "hotel_id=paris", "checkout_time=noon"], "must be a time of day"),
        (["update_hotel", "hotel_id=paris", "enforce_stay_dates=maybe"], "true or false"),
        (["update_party", "booking_id=D2", "staff_id=fd"], "party=..."),
        (["queue_arrival", "booking_id=A1", "staff_id=fd", "notes=x"], "notes=x"),
    ],
    ids=["bad-date", "empty-date", "bad-time", "bad-boolean", "missing-party", "no-notes"],
)
def test_bad_front_desk_arguments_are_one_line_and_change_nothing(
    desk_url: str, tmp_path: Path, arguments: list[str], fragment: str
) -> None:
    """A value that does not parse, a missing or unknown argument: a usage error (exit 2)
    in one line, nothing changed."""
    before = snapshot(desk_url)
    result = run_cli(tmp_path, "do", "--db", desk_url, *arguments)
    assert_one_line_error(result, "error:", fragment)
    assert result.returncode == 2
    assert snapshot(desk_url) == before


def test_do_cancel_booking_is_final(desk_url: str, tmp_path: Path) -> None:
    """X1 cancelled (logged on the booking, the reason its notes); cancelling it again or
    assigning it a room is refused."""
    out = ok(
        "do", "--db", desk_url, "cancel_booking", "booking_id=X1", "staff_id=fd",
        "reason=flight cancelled",
    )  # fmt: skip
    (line,) = out.splitlines()[2:]
    assert "STAY_CHANGE (cancelled)" in line
    assert line.endswith("flight cancelled")
    line = refused(desk_url, tmp_path, "cancel_booking", "booking_id=X1", "staff_id=fd")
    assert line.startswith("hotel-occupancy: refused: BookingNotAssignable")
    line = refused(
        desk_url, tmp_path, "assign_room", "booking_id=X1", "room_id=p-103", "staff_id=fd"
    )
    assert "cancelled" in line
    rows = json.loads(ok("arrivals", "--db", desk_url, "--hotel", "paris", "--json"))
    assert "X1" not in {r["booking_id"] for r in rows}


def test_do_cancel_booking_releases_a_pre_assignment(desk_url: str) -> None:
    """Cancelling A1, which waits for room 101: UNASSIGN on the room, saying why; the
    board no longer shows an arrival there."""
    (entry,) = do(desk_url, "cancel_booking", "booking_id=A1", "staff_id=fd")
    assert (entry["operation"], entry["room_id"], entry["metadata"]["why"]) == (
        "UNASSIGN",
        "p-101",
        "cancelled",
    )
    history = ok("history", "--db", desk_url, "--hotel", "paris", "--room", "101", "--limit", "1")
    assert "UNASSIGN (cancelled)" in history
    rows = table_rows(ok("board", "--db", desk_url, "--hotel", "paris"), header_line=0)
    assert rows["101"][8:] == ["", "overdue"]


def test_do_mark_no_show_closes_an_overdue_arrival(desk_url: str) -> None:
    """A3 never came: marked a no-show, it is NO_SHOW on yesterday's arrivals and no longer
    an overdue arrival today."""
    out = ok("do", "--db", desk_url, "mark_no_show", "booking_id=A3", "staff_id=fd")
    assert "STAY_CHANGE (no-show)" in out
    yesterday = ok("arrivals", "--db", desk_url, "--hotel", "paris", "--date", day(-1).isoformat())
    assert table_rows(yesterday)["REF-A3"][1] == "NO_SHOW"
    assert "REF-A3" not in table_rows(ok("arrivals", "--db", desk_url, "--hotel", "paris"))


def test_do_update_hotel_changes_the_settings_and_they_apply(desk_url: str, tmp_path: Path) -> None:
    """update_hotel (reference data: nothing logged, ``--json`` prints ``[]``) prints the
    hotel's settings; with stay dates enforced, F1 (due in five days) cannot check in."""
    out = ok(
        "do", "--db", desk_url, "update_hotel", "hotel_id=paris", "enforce_stay_dates=true",
        "checkout_time=12:30",
    )  # fmt: skip
    assert out == (
        "hotel paris (Hôtel Paris): require_inspection false, timezone Europe/Paris, "
        "checkout_time 12:30, enforce_stay_dates true, stayover_every 1, checkout_credits 2, "
        "stayover_credits 1\n"
    )
    assert do(desk_url, "update_hotel", "hotel_id=paris", "name=Hôtel de Paris") == []
    line = refused(
        desk_url, tmp_path, "assign_room", "booking_id=F1", "room_id=p-103", "staff_id=fd"
    )
    assert line.startswith("hotel-occupancy: refused: BookingNotAssignable")
    (_, check_in) = do(desk_url, "assign_room", "booking_id=A2", "room_id=p-103", "staff_id=fd")
    assert check_in["operation"] == "CHECKIN"
    rows = table_rows(ok("board", "--db", desk_url, "--hotel", "paris"), header_line=0)
    assert rows["103"][7] == when(1, time(12, 30))  # the new checkout time
    assert ok("in-house", "--db", desk_url, "--hotel", "paris").startswith(
        "In house at Hôtel de Paris (paris)"
    )


def test_do_update_hotel_of_an_unknown_hotel_is_refused(desk_url: str, tmp_path: Path) -> None:
    before = snapshot(desk_url)
    result = run_cli(tmp_path, "do", "--db", desk_url, "update_hotel", "hotel_id=nowhere", "name=X")
    line = assert_one_line_error(result, "refused: HotelNotFound")
    assert result.returncode == 1
    assert snapshot(desk_url) == before
    assert "nowhere" in line


def test_do_lists_the_front_desk_services(tmp_path: Path) -> None:
    """``do --help`` names every service it calls, the front desk's and update_hotel too."""
    result = run_cli(tmp_path, "do", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for service in (
        "change_stay",
        "update_party",
        "cancel_booking",
        "mark_no_show",
        "queue_arrival",
        "update_hotel",
    ):
        assert service in text
    assert "YYYY-MM-DD" in text


def test_follow_shows_a_change_to_a_booking_without_a_room(desk_url: str) -> None:
    """A cancellation of a booking that holds no room is an event without a room: follow
    prints "no room" and what changed, no room state; ``--json`` has the fields None."""
    do(desk_url, "cancel_booking", "booking_id=X1", "staff_id=fd", "reason=plans changed")
    out = ok("follow", "--db", desk_url, "--after", "0", "--once", "--hotel", "paris")
    last = out.splitlines()[-1]
    assert "  no room  STAY_CHANGE (cancelled)  booking X1  by fd  notes 'plans changed'" in last
    assert "status" not in last
    assert "ASSIGN (arriving)  booking A1  status OCCUPIED" in out
    assert "STAY_CHANGE (queued)  booking A1" in out
    raw = ok("follow", "--db", desk_url, "--after", "0", "--once", "--json", "--hotel", "paris")
    event = json.loads(raw.splitlines()[-1])
    assert (event["room_id"], event["status_after"], event["operation"]) == (
        None,
        None,
        "STAY_CHANGE",
    )
    assert event["metadata"]["why"] == "cancelled"
