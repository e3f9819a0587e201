"""The housekeeping day on the command line (§10): ``night-audit``, ``worksheets``,
``discrepancies``, the board's service and discrepancy columns, and the new services
through ``do``, on SQLite files.

The command line reads the real clock, so the hotel's day is set around the real today in
Lisbon (the hotel's zone): its rooms were let yesterday at noon, which is the business
date ``night-audit`` closes by default. Refusals run the installed console script in a
subprocess, to prove what a user sees: one line on stderr, exit code 1, nothing changed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from tests.integration.test_cli import assert_one_line_error, cli, run_cli, snapshot, sqlite_url
from tests.support import FakeClock

LISBON = ZoneInfo("Europe/Lisbon")


def today() -> date:
    """Today in Lisbon, the hotel's local date."""
    return datetime.now(UTC).astimezone(LISBON).date()


def yesterday() -> date:
    return today() - timedelta(days=1)


def lisbon_zone(day: date) -> str:
    """Lisbon's abbreviation at noon on ``day`` (WET or WEST), as the tables show it."""
    return str(datetime.combine(day, time(12), LISBON).tzname())


@pytest.fixture
def hk_url(tmp_path: Path) -> str:
    """A database made by ``init`` holding hotel ``lake`` ("Lake Hotel", Europe/Lisbon, no
    inspection), set up yesterday at noon, Lisbon time.

    Rooms 1, 2, 3, 4 and 10 (capacity 2); staff ``fd`` (front desk), ``hk`` and ``hk2``
    (housekeeping), ``sup`` (supervisor), ``mnt`` (maintenance). B1 (one guest, due out
    yesterday: overdue) is in room 1, clean; B2 (two guests, leaving in two days) is in room
    2, dirty (an open CLEANING task) with a do-not-disturb sign; housekeeping found a guest in
    room 3, which the front office shows vacant (an open SLEEP discrepancy); room 4 is out
    of order until yesterday (back DIRTY); room 10 is vacant and clean.
    """
    url = sqlite_url(tmp_path / "hk.db")
    code, _ = cli("init", "--db", url)
    assert code == 0
    noon = datetime.combine(yesterday(), time(12), LISBON).astimezone(UTC)
    engine = create_engine(url)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock(noon))
    services.register_hotel(uow, hotel_id="lake", name="Lake Hotel", timezone="Europe/Lisbon")
    for number in ("1", "2", "3", "4", "10"):
        services.register_room(
            uow, hotel_id="lake", room_id=f"lake-{number}", number=number, capacity=2
        )
    for staff_id, role in (
        ("fd", ho.StaffRole.FRONT_DESK),
        ("hk", ho.StaffRole.HOUSEKEEPING),
        ("hk2", ho.StaffRole.HOUSEKEEPING),
        ("sup", ho.StaffRole.SUPERVISOR),
        ("mnt", ho.StaffRole.MAINTENANCE),
    ):
        services.register_staff(uow, hotel_id="lake", staff_id=staff_id, name=staff_id, role=role)
    for booking_id, departure, size in (("B1", yesterday(), 1), ("B2", today() + timedelta(2), 2)):
        services.register_booking(
            uow,
            hotel_id="lake",
            booking_id=booking_id,
            reference=f"REF-{booking_id}",
            arrival=yesterday(),
            departure=departure,
            party=[ho.BookingGuest(f"{booking_id}-{i}", f"First{i}", "Guest") for i in range(size)],
        )
    services.assign_room(uow, booking_id="B1", room_id="lake-1", staff_id="fd")
    services.assign_room(uow, booking_id="B2", room_id="lake-2", staff_id="fd")
    services.mark_dirty(uow, room_id="lake-2", staff_id="hk")
    services.set_service_status(uow, room_id="lake-2", staff_id="hk", status=ho.ServiceStatus.DND)
    services.report_room_observation(uow, room_id="lake-3", staff_id="hk", occupied=True, guests=1)
    services.set_out_of_order(
        uow, room_id="lake-4", staff_id="mnt", reason="water leak", until=yesterday()
    )
    engine.dispose()
    return url


def ok(*args: str) -> str:
    """Run the command line in-process; it must succeed; return what it printed."""
    code, out = cli(*args)
    assert code == 0, out
    return out


def ok_json(*args: str) -> Any:
    """Run the command line in-process with ``--json``; it must succeed; its data."""
    return json.loads(ok(*args, "--json"))


def refused(url: str, tmp_path: Path, *arguments: str) -> str:
    """The console script in a subprocess: refused, one line on stderr, exit 1, nothing
    changed; return the line."""
    before = snapshot(url)
    result = run_cli(tmp_path, *arguments, "--db", url)
    line = assert_one_line_error(result, "refused:")
    assert result.returncode == 1
    assert snapshot(url) == before
    return line


def failed(url: str, tmp_path: Path, *arguments: str) -> str:
    """The console script in a subprocess: a usage error (not a refusal), one line on
    stderr, exit 2, nothing changed; return the line."""
    before = snapshot(url)
    result = run_cli(tmp_path, *arguments, "--db", url)
    line = assert_one_line_error(result, "error:")
    assert result.returncode == 2
    assert snapshot(url) == before
    return line


def room(url: str, room_id: str) -> ho.RoomOccupancy:
    return {o.room_id: o for o in snapshot(url).occupancies}[room_id]


def task_rows(url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ok_json("tasks", "--db", url)
    return rows


# --- night-audit -------------------------------------------------------------------------


def test_night_audit_closes_yesterday_by_default_and_prints_the_rooms_it_changed(
    hk_url: str,
) -> None:
    """Without --date the audit closes yesterday (Lisbon): room 1's stayover, room 2's
    service status reset (it was dirty already), room 4 back from out of order; the
    overdue departure B1 is listed; it is no replay."""
    out = ok("night-audit", "--db", hk_url, "--staff", "fd")
    lines = out.splitlines()
    assert lines[0] == f"Night audit of {yesterday().isoformat()} at Lake Hotel (lake)"
    assert lines[1].startswith("audited by fd at ")
    assert lines[1].endswith(" (Europe/Lisbon)")
    assert "replay" not in out
    rows = {line.split()[0]: line for line in lines if re.match(r"^\d+\s{2,}\D", line)}
    assert set(rows) == {"1", "2", "4"}
    assert "stayover cleaning due" in rows["1"]
    assert "CLEAN -> DIRTY" in rows["1"]
    assert "service status reset" in rows["2"]
    assert "returned to service (DIRTY)" in rows["4"]
    assert "OUT_OF_ORDER -> VACANT_DIRTY" in rows["4"]
    assert "3 rooms changed: " in out
    assert re.search(rf"^REF-B1\s+1\s+{yesterday().isoformat()}\s+IN_HOUSE$", out, re.MULTILINE)
    assert room(hk_url, "lake-1").condition is ho.Condition.DIRTY
    assert room(hk_url, "lake-2").service_status is ho.ServiceStatus.NONE
    assert room(hk_url, "lake-4").status is ho.OccupancyStatus.VACANT_DIRTY


def test_a_second_night_audit_of_the_date_is_a_replay_with_the_same_entries(
    hk_url: str,
) -> None:
    """Run twice (the second time by another member of the front desk's staff, as a
    second scheduler would), the audit says the second run is a replay, shows the first
    run's rooms and entries, and changes nothing."""
    first = ok_json("night-audit", "--db", hk_url, "--staff", "fd")
    assert first["replay"] is False
    assert first["business_date"] == yesterday().isoformat()
    assert [r["number"] for r in first["rooms"]] == ["1", "2", "4"]
    assert [d["reference"] for d in first["overdue_departures"]] == ["REF-B1"]
    after_first = snapshot(hk_url)
    second = ok_json("night-audit", "--db", hk_url, "--staff", "fd")
    assert second["replay"] is True
    assert second["entries"] == first["entries"]
    assert second["rooms"] == first["rooms"]
    assert (second["performed_by"], second["performed_at"]) == (
        first["performed_by"],
        first["performed_at"],
    )
    assert snapshot(hk_url) == after_first
    text = ok("night-audit", "--db", hk_url, "--staff", "fd")
    assert "replay: this business date was audited before" in text
    assert "stayover cleaning due" in text


def test_night_audit_json_gives_the_time_in_utc_and_in_the_hotel_zone(hk_url: str) -> None:
    """The JSON names the zone and gives the audit's time twice: UTC and Lisbon time, the
    same instant."""
    data = ok_json("night-audit", "--db", hk_url, "--staff", "fd")
    assert data["timezone"] == "Europe/Lisbon"
    utc = datetime.fromisoformat(data["performed_at"])
    local = datetime.fromisoformat(data["performed_at_local"])
    assert local == utc
    assert local.utcoffset() == utc.astimezone(LISBON).utcoffset()
    assert {e["operation"] for e in data["entries"]} == {"NIGHT_AUDIT"}


def test_night_audit_of_a_day_after_today_is_refused_with_exit_1(
    hk_url: str, tmp_path: Path
) -> None:
    """Auditing tomorrow: "refused: InvalidTransition" on one line, exit 1, no change."""
    tomorrow = (today() + timedelta(days=1)).isoformat()
    line = refused(hk_url, tmp_path, "night-audit", "--staff", "fd", "--date", tomorrow)
    assert line.startswith("hotel-occupancy: refused: InvalidTransition")


def test_night_audit_by_housekeeping_is_refused(hk_url: str, tmp_path: Path) -> None:
    """Housekeeping may not run the audit: "refused: PermissionDenied", nothing changed."""
    line = refused(hk_url, tmp_path, "night-audit", "--staff", "hk")
    assert "PermissionDenied" in line


# --- worksheets --------------------------------------------------------------------------


def test_worksheets_generated_in_json_are_the_ones_show_gives_back(hk_url: str) -> None:
    """After the audit, the three cleanings are shared between hk and hk2 (in that order);
    --show gives the same sheets without generating, and --attendant one of them."""
    ok("night-audit", "--db", hk_url, "--staff", "fd")
    made = ok_json("worksheets", "--db", hk_url, "--staff", "sup", "--attendants", "hk,hk2")
    assert made["generated"] is True
    assert [s["staff_id"] for s in made["sheets"]] == ["hk", "hk2"]
    numbers = sorted(line["number"] for s in made["sheets"] for line in s["lines"])
    assert numbers == ["1", "2", "4"]
    assert made["overflow"] == []
    lines = {line["number"]: line for s in made["sheets"] for line in s["lines"]}
    assert (lines["4"]["priority"], lines["4"]["credits"]) == ("VACANT_DIRTY", 2)
    assert (lines["1"]["priority"], lines["1"]["credits"]) == ("STAYOVER", 1)
    assert all(s["credits"] == sum(x["credits"] for x in s["lines"]) for s in made["sheets"])
    assignees = {t["task_id"]: t["assigned_to"] for t in task_rows(hk_url)}
    for sheet in made["sheets"]:
        for line in sheet["lines"]:
            assert assignees[line["task_id"]] == sheet["staff_id"]

    shown = ok_json("worksheets", "--db", hk_url, "--show")
    assert shown["generated"] is False
    assert shown["sheets"] == made["sheets"]
    assert shown["overflow"] == []
    one = ok_json("worksheets", "--db", hk_url, "--show", "--attendant", "hk2")
    assert one["sheets"] == [s for s in made["sheets"] if s["staff_id"] == "hk2"]
    assert one["overflow"] is None


def test_worksheets_over_the_credit_limit_list_the_overflow(hk_url: str) -> None:
    """With at most 1 credit each, room 4's checkout cleaning (2 credits) fits nobody: it
    is the overflow, and --show lists it as the work nobody has."""
    ok("night-audit", "--db", hk_url, "--staff", "fd")
    out = ok(
        "worksheets", "--db", hk_url, "--staff", "sup", "--attendants", "hk,hk2",
        "--max-credits", "1",
    )  # fmt: skip
    assert "overflow (no attendant): 1 room, 2 credits" in out
    assert re.search(r"^4\s+CLEANING\s+VACANT_DIRTY\s+2\s+OPEN$", out, re.MULTILINE)
    assert out.rstrip().endswith("2 attendants: 2 rooms, 2 credits; overflow: 1 room")
    shown = ok_json("worksheets", "--db", hk_url, "--show")
    assert [line["number"] for line in shown["overflow"]] == ["4"]
    text = ok("worksheets", "--db", hk_url, "--show")
    assert "unassigned (no attendant): 1 room, 2 credits" in text
    assert text.rstrip().endswith("2 attendants: 2 rooms, 2 credits; unassigned: 1 room")


def test_worksheets_text_names_the_hotel_time_and_each_attendant_with_totals(
    hk_url: str,
) -> None:
    """The header names the hotel, the time in Lisbon and the zone; each attendant's line
    counts rooms and credits; a do-not-disturb room shows DND in its service column."""
    out = ok("worksheets", "--db", hk_url, "--staff", "sup", "--attendants", "hk")
    header = out.splitlines()[0]
    assert re.fullmatch(
        r"Worksheets generated at Lake Hotel \(lake\), \d{4}-\d\d-\d\d \d\d:\d\d "
        r"WES?T \(Europe/Lisbon\)",
        header,
    ), header
    assert "\nhk: 1 room, 1 credit\n" in out  # room 2 (its DND keeps it last)
    assert re.search(r"^2\s+CLEANING\s+KEEP_OUT\s+1\s+DND\s+OPEN$", out, re.MULTILINE)
    assert out.rstrip().endswith("1 attendant: 1 room, 1 credit; no overflow")


def test_worksheets_refuse_show_mixed_with_generating_options(hk_url: str, tmp_path: Path) -> None:
    """--show with --staff, or generating without --attendants: one line, exit 2."""
    line = failed(hk_url, tmp_path, "worksheets", "--show", "--staff", "sup")
    assert "--staff" in line
    line = failed(hk_url, tmp_path, "worksheets", "--staff", "sup")
    assert "--attendants" in line


def test_worksheets_for_a_front_desk_clerk_are_refused(hk_url: str, tmp_path: Path) -> None:
    """A front desk clerk is no attendant: "refused: InvalidTransition", nothing changed."""
    line = refused(hk_url, tmp_path, "worksheets", "--staff", "sup", "--attendants", "hk,fd")
    assert "InvalidTransition" in line


# --- discrepancies -----------------------------------------------------------------------


def test_discrepancies_lists_the_open_sleep_with_its_time_in_the_hotel_zone(hk_url: str) -> None:
    """Room 3's SLEEP: front office VACANT_CLEAN, no guest expected, one seen by hk, the
    time in Lisbon (12:00 yesterday); the JSON has both times and the zone."""
    out = ok("discrepancies", "--db", hk_url)
    lines = out.splitlines()
    assert lines[0] == "Open discrepancies at Lake Hotel (lake)"
    assert "reported at (Europe/Lisbon)" in lines[2]
    (row,) = [line for line in lines if line.startswith("3 ")]
    assert row.split()[:4] == ["3", "SLEEP", "VACANT_CLEAN", "0"]
    assert "occupied, 1 guest" in row
    assert row.split()[-4:] == ["hk", yesterday().isoformat(), "12:00", lisbon_zone(yesterday())]
    assert lines[-1] == "1 open discrepancy: 1 SLEEP"
    (data,) = ok_json("discrepancies", "--db", hk_url)
    assert (data["number"], data["kind"], data["observed_guests"]) == ("3", "SLEEP", 1)
    assert data["timezone"] == "Europe/Lisbon"
    local = datetime.fromisoformat(data["reported_at_local"])
    assert (local.date(), local.hour) == (yesterday(), 12)
    assert local == datetime.fromisoformat(data["reported_at"])


def test_an_agreeing_observation_through_do_empties_the_discrepancy_list(hk_url: str) -> None:
    """do report_room_observation occupied=false on room 3 resolves its SLEEP."""
    out = ok(
        "do", "--db", hk_url, "report_room_observation", "room_id=lake-3", "staff_id=hk",
        "occupied=false",
    )  # fmt: skip
    assert "DISCREPANCY (agrees; resolves SLEEP)" in out
    assert ok("discrepancies", "--db", hk_url).endswith("no open discrepancies\n")
    assert ok_json("discrepancies", "--db", hk_url) == []


# --- the board ---------------------------------------------------------------------------


def test_the_board_shows_service_status_and_discrepancy_columns_and_counts(hk_url: str) -> None:
    """Room 2 shows DND, room 3 SLEEP, in their compact columns; the counts line names
    them; the JSON has the fields."""
    out = ok("board", "--db", hk_url)
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["room", "status", "condition", "service", "disc"]
    cells = {line.split()[0]: line.split() for line in lines[2:7]}
    assert cells["2"][:4] == ["2", "OCCUPIED", "DIRTY", "DND"]
    assert cells["3"][:4] == ["3", "VACANT_CLEAN", "CLEAN", "SLEEP"]
    assert lines[-1].endswith("1 DND, 1 with a discrepancy")
    data = {r["number"]: r for r in ok_json("board", "--db", hk_url)}
    assert (data["2"]["service_status"], data["3"]["discrepancy"]) == ("DND", "SLEEP")
    assert (data["1"]["service_status"], data["1"]["discrepancy"]) == ("NONE", None)


# --- the new services through do ---------------------------------------------------------


def test_do_set_service_status_takes_the_status_by_value(hk_url: str) -> None:
    """status=MAKE_UP_ROOM on clean room 1: SERVICE_STATUS, the room DIRTY; the history
    names the status."""
    (entry,) = json.loads(
        ok("do", "--db", hk_url, "--json", "set_service_status", "room_id=lake-1",
           "staff_id=hk", "status=MAKE_UP_ROOM")
    )  # fmt: skip
    assert (entry["operation"], entry["condition_after"]) == ("SERVICE_STATUS", "DIRTY")
    assert entry["metadata"]["service_status"] == "MAKE_UP_ROOM"
    assert room(hk_url, "lake-1").service_status is ho.ServiceStatus.MAKE_UP_ROOM
    history = ok("history", "--db", hk_url, "--room", "1", "--limit", "1")
    assert "SERVICE_STATUS (MAKE_UP_ROOM)" in history


def test_do_refuses_an_unknown_service_status_with_its_choices(hk_url: str, tmp_path: Path) -> None:
    """status=SLEEPING: one line naming the statuses, exit 2, nothing changed."""
    line = failed(
        hk_url, tmp_path, "do", "set_service_status", "room_id=lake-1", "staff_id=hk",
        "status=SLEEPING",
    )  # fmt: skip
    assert "NONE, DND, MAKE_UP_ROOM, SERVICE_REFUSED" in line


def test_do_setting_the_service_status_a_room_has_is_refused(hk_url: str, tmp_path: Path) -> None:
    """DND again on room 2: "refused: InvalidTransition", exit 1."""
    line = refused(
        hk_url, tmp_path, "do", "set_service_status", "room_id=lake-2", "staff_id=hk",
        "status=DND",
    )  # fmt: skip
    assert "InvalidTransition" in line


def test_do_report_room_observation_takes_a_guest_count(hk_url: str) -> None:
    """Three guests seen in room 2, where B2 has two: a PERSON discrepancy, listed."""
    (entry,) = json.loads(
        ok("do", "--db", hk_url, "--json", "report_room_observation", "room_id=lake-2",
           "staff_id=hk", "occupied=true", "guests=3")
    )  # fmt: skip
    assert (entry["operation"], entry["metadata"]["variant"]) == ("DISCREPANCY", "PERSON")
    assert entry["metadata"]["observed_guests"] == 3
    kinds = {r["number"]: r["kind"] for r in ok_json("discrepancies", "--db", hk_url)}
    assert kinds == {"2": "PERSON", "3": "SLEEP"}


def test_do_assign_task_gives_a_task_and_says_so(hk_url: str) -> None:
    """Room 2's cleaning task given to hk2: a line saying so, and the task list agrees."""
    (task,) = [t for t in task_rows(hk_url) if t["room_id"] == "lake-2"]
    out = ok(
        "do", "--db", hk_url, "assign_task", f"task_id={task['task_id']}", "assignee_id=hk2",
        "staff_id=sup",
    )  # fmt: skip
    assert out == f"task {task['task_id']} is assigned to hk2\n"
    (after,) = [t for t in task_rows(hk_url) if t["room_id"] == "lake-2"]
    assert after["assigned_to"] == "hk2"


def test_do_assign_task_to_a_front_desk_clerk_is_refused_with_exit_1(
    hk_url: str, tmp_path: Path
) -> None:
    """A task given to fd: "refused: InvalidTransition", exit 1, nothing changed."""
    (task,) = [t for t in task_rows(hk_url) if t["room_id"] == "lake-2"]
    line = refused(
        hk_url, tmp_path, "do", "assign_task", f"task_id={task['task_id']}", "assignee_id=fd",
        "staff_id=sup",
    )  # fmt: skip
    assert line.startswith("hotel-occupancy: refused: InvalidTransition")


@pytest.mark.parametrize("attendants", ["hk2,hk", '["hk2", "hk"]'], ids=["commas", "json"])
def test_do_generate_worksheets_takes_attendants_as_commas_or_json(
    hk_url: str, attendants: str
) -> None:
    """attendants=hk2,hk or a JSON list: the sheets in that order; max_credits=none is no
    limit (nothing overflows)."""
    data = json.loads(
        ok("do", "--db", hk_url, "--json", "generate_worksheets", "hotel_id=lake",
           "staff_id=sup", f"attendants={attendants}", "max_credits=none")
    )  # fmt: skip
    assert [s["staff_id"] for s in data["sheets"]] == ["hk2", "hk"]
    assert data["overflow"] == []
    text = ok(
        "do", "--db", hk_url, "generate_worksheets", "hotel_id=lake", "staff_id=sup",
        f"attendants={attendants}",
    )  # fmt: skip
    assert "\nhk2: 1 room, 1 credit\n" in text


def test_do_night_audit_takes_the_business_date(hk_url: str) -> None:
    """business_date=yesterday: the audit's NIGHT_AUDIT entries, the first naming the
    overdue departures; the history describes them."""
    entries = json.loads(
        ok("do", "--db", hk_url, "--json", "night_audit", "hotel_id=lake", "staff_id=fd",
           f"business_date={yesterday().isoformat()}")
    )  # fmt: skip
    assert [e["room_id"] for e in entries] == ["lake-1", "lake-2", "lake-4"]
    assert json.loads(entries[0]["metadata"]["overdue_departures"]) == ["B1"]
    history = ok("history", "--db", hk_url, "--room", "4", "--limit", "1")
    assert "NIGHT_AUDIT (returned to service (DIRTY))" in history


def test_do_set_out_of_order_takes_until_and_return_condition(hk_url: str) -> None:
    """until=today and return_condition=CLEAN on room 10 are stored on its occupancy."""
    (entry,) = json.loads(
        ok("do", "--db", hk_url, "--json", "set_out_of_order", "room_id=lake-10",
           "staff_id=mnt", "reason=broken window", f"until={today().isoformat()}",
           "return_condition=CLEAN")
    )  # fmt: skip
    assert entry["operation"] == "OUT_OF_ORDER"
    ten = room(hk_url, "lake-10")
    assert (ten.out_of_service_until, ten.return_condition) == (today(), ho.Condition.CLEAN)


def test_do_start_maintenance_takes_until_none_as_no_window(hk_url: str) -> None:
    """until=none: maintenance with no end date (returned by hand)."""
    (entry,) = json.loads(
        ok("do", "--db", hk_url, "--json", "start_maintenance", "room_id=lake-10",
           "staff_id=mnt", "reason=repaint", "until=none")
    )  # fmt: skip
    assert entry["status_after"] == "MAINTENANCE"
    assert room(hk_url, "lake-10").out_of_service_until is None


def test_do_refuses_a_return_condition_that_is_no_condition(hk_url: str, tmp_path: Path) -> None:
    """return_condition=SPARKLING: one line naming the conditions, exit 2."""
    line = failed(
        hk_url, tmp_path, "do", "start_maintenance", "room_id=lake-10", "staff_id=mnt",
        "reason=repaint", "return_condition=SPARKLING",
    )  # fmt: skip
    assert "return_condition must be one of" in line


def test_do_update_hotel_sets_the_housekeeping_settings(hk_url: str) -> None:
    """stayover_every, checkout_credits and stayover_credits: stored and printed back."""
    out = ok(
        "do", "--db", hk_url, "update_hotel", "hotel_id=lake", "stayover_every=2",
        "checkout_credits=3", "stayover_credits=1",
    )  # fmt: skip
    assert out.rstrip().endswith("stayover_every 2, checkout_credits 3, stayover_credits 1")
    (hotel,) = snapshot(hk_url).hotels
    assert (hotel.stayover_every, hotel.checkout_credits, hotel.stayover_credits) == (2, 3, 1)


def test_do_refuses_a_guest_count_that_is_not_a_number(hk_url: str, tmp_path: Path) -> None:
    """guests=two: one line, exit 2, nothing changed."""
    line = failed(
        hk_url, tmp_path, "do", "report_room_observation", "room_id=lake-3", "staff_id=hk",
        "occupied=true", "guests=two",
    )  # fmt: skip
    assert "guests must be a whole number" in line
