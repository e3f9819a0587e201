"""The ``hotel-occupancy`` command line, run for real: demo, init, db upgrade, board, history,
tasks, check and do, on SQLite files and on PostgreSQL.

Error paths run the installed console script in a subprocess, to prove what a user sees:
one line on stderr, a non-zero exit code, no traceback, and nothing changed. The rest calls
``main(argv, out)`` in-process, which is quicker.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from enum import Enum
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.cli import ExitCode, main
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.simulation import simulate, simulation_clock
from tests.support import FakeClock

CLI = Path(sys.executable).with_name("hotel-occupancy")

BOARD_HEADER = re.compile(
    r"^room\s+status\s+condition\s+service\s+disc\s+booking\s+guests\s+"
    r"expected checkout \((?P<zone>[\w/+-]+)\)"
    r"\s+arriving\s+flags$",
    re.MULTILINE,
)
OPERATION_HEADER = re.compile(r"^operation\s+entries$", re.MULTILINE)


# --- helpers -----------------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in ``cwd``."""
    assert CLI.exists(), f"console script not installed at {CLI}"
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, cwd=cwd, check=False, timeout=120
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The run failed with exactly one line on stderr (containing ``fragments``), no
    traceback and nothing on stdout; return that line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode != 0, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("hotel-occupancy"), line
    for fragment in fragments:
        assert fragment in line, line
    assert result.stdout == ""
    return line


def cli(*args: str) -> tuple[int, str]:
    """Run ``main`` in-process; return its exit code and what it printed on stdout."""
    out = StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def snapshot(url: str) -> StoreSnapshot:
    engine = create_engine(url)
    try:
        return SqlAlchemyUnitOfWork(engine).snapshot()
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> int:
    """Run raw SQL in one transaction on an engine configured like the library's (foreign
    keys on); return the number of rows it changed."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(sql)).rowcount
    finally:
        engine.dispose()


def copy_db(source: Path, target: Path) -> str:
    """Copy a SQLite database file (and its write-ahead log, if any); return its URL."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return sqlite_url(target)


def log_story(snap: StoreSnapshot) -> list[tuple[Any, ...]]:
    """Everything a log entry says, as plain values (a change to a booking that held no
    room has no room state: None)."""

    def value(member: Enum | None) -> object:
        return None if member is None else member.value

    return [
        (
            e.id,
            e.operation.value,
            e.room_id,
            e.from_room_id,
            e.booking_id,
            e.performed_by,
            value(e.status_before),
            value(e.status_after),
            value(e.condition_before),
            value(e.condition_after),
            e.timestamp,
            e.notes,
            dict(e.metadata),
        )
        for e in snap.log
    ]


def board_block(text: str) -> list[str]:
    """The lines of the room board printed in ``text`` (header to counts), each cut before
    its flags column and the counts line before its "due out" part: the parts that do not
    depend on the time the board was read at (due out and overdue do)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if BOARD_HEADER.match(line))
    flags = lines[start].index("flags")
    end = lines.index("", start)
    block = [line[:flags].rstrip() for line in lines[start:end]]
    return [*block, lines[end + 1].split(";")[0]]


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A 3-day, 16-room demo (seed 7) run once by the console script on a fresh file (big
    enough to end with parties of several guests in house, which the corruptions need)."""
    directory = tmp_path_factory.mktemp("demo")
    path = directory / "demo.db"
    result = run_cli(directory, "demo", "--db", sqlite_url(path), "--days", "3", "--rooms", "16")
    return path, result


@pytest.fixture
def demo_copy(demo_run: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> str:
    """A private copy of the demo database, to change at will; its URL."""
    path, result = demo_run
    assert result.returncode == 0, result.stderr
    return copy_db(path, tmp_path / "copy.db")


@pytest.fixture
def hotels_url(tmp_path: Path) -> str:
    """A database made by ``init`` holding two hotels registered through the services.

    Hotel ``lake``: rooms numbered 10, 9, 2 and 1A (registered in that order, capacity 2),
    staff ``fd`` (front desk), ``hk`` (housekeeping), ``sup`` (supervisor), ``mnt``
    (maintenance). Booking B1 (two guests) is in room 9; B0 stayed in room 2 and left (an
    open TURNOVER task); room 10 is in maintenance (an open MAINTENANCE task); B2 (one guest)
    is arriving with no room. Hotel ``hill``: room 1 and staff ``hill-fd``.
    """
    url = sqlite_url(tmp_path / "hotels.db")
    code, _ = cli("init", "--db", url)
    assert code == 0
    engine = create_engine(url)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="lake", name="Lake Hotel")
    for number in ("10", "9", "2", "1A"):
        services.register_room(
            uow, hotel_id="lake", room_id=f"lake-{number}", number=number, capacity=2
        )
    for staff_id, role in (
        ("fd", ho.StaffRole.FRONT_DESK),
        ("hk", ho.StaffRole.HOUSEKEEPING),
        ("sup", ho.StaffRole.SUPERVISOR),
        ("mnt", ho.StaffRole.MAINTENANCE),
    ):
        services.register_staff(uow, hotel_id="lake", staff_id=staff_id, name=staff_id, role=role)
    for booking_id, size in (("B0", 1), ("B1", 2), ("B2", 1)):
        services.register_booking(
            uow,
            hotel_id="lake",
            booking_id=booking_id,
            reference=f"REF-{booking_id}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{booking_id}-{i}", f"First{i}", "Guest") for i in range(size)],
        )
    services.assign_room(uow, booking_id="B0", room_id="lake-2", staff_id="fd")
    services.checkout_room(uow, room_id="lake-2", staff_id="fd")
    services.assign_room(uow, booking_id="B1", room_id="lake-9", staff_id="fd")
    services.start_maintenance(uow, room_id="lake-10", staff_id="mnt", reason="repaint")
    services.register_hotel(uow, hotel_id="hill", name="Hill Hotel")
    services.register_room(uow, hotel_id="hill", room_id="hill-1", number="1")
    services.register_staff(
        uow, hotel_id="hill", staff_id="hill-fd", name="H", role=ho.StaffRole.FRONT_DESK
    )
    engine.dispose()
    return url


# --- demo --------------------------------------------------------------------------------


def test_demo_on_a_fresh_file_prints_the_board_the_log_summary_and_sound_invariants(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """demo exits 0, prints the final board, the operation table, the worksheets handed
    out to the two attendants on the last morning (Lisbon time) and "Every invariant
    holds"."""
    path, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert out.startswith("Simulating 3 days at a 16-room hotel (seed 7)\n")
    assert BOARD_HEADER.search(out)
    assert OPERATION_HEADER.search(out)
    assert (
        "\nWorksheets handed out on the last morning at Harbour View Hotel (harbour-view), "
        "2026-06-03 07:30 WEST (Europe/Lisbon)\n"
    ) in out
    attendants = re.findall(r"^(\w+): \d+ rooms?, \d+ credits?$", out, re.MULTILINE)
    assert attendants == ["carmen", "dmitri"]
    assert re.search(r"^2 attendants: \d+ rooms?, \d+ credits?; ", out, re.MULTILINE)
    assert "Every invariant holds" in out
    assert f"board --db {sqlite_url(path)}" in out
    statuses = "|".join(s.value for s in ho.OccupancyStatus)
    rooms = re.findall(rf"^(\d{{3}})\s+({statuses})\s", out, re.MULTILINE)
    assert len(rooms) == 16


def test_demo_shows_a_progress_bar_on_stderr_and_keeps_stdout_for_the_report(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The progress bar goes to stderr, one step per simulated day, ending full."""
    _, result = demo_run
    for day in (1, 2, 3):
        assert f"simulating day {day}/3 [" in result.stderr
    assert "simulating day 3/3 [" + "#" * 30 + "]" in result.stderr
    assert "simulating day" not in result.stdout


def test_the_demo_report_agrees_with_what_the_database_holds(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The printed board equals the board command's (but for the due out and overdue flags,
    which the command judges at the time it runs), and the operation counts equal the log."""
    path, result = demo_run
    code, board = cli("board", "--db", sqlite_url(path))
    assert code == 0
    assert board_block(board) == board_block(result.stdout)
    header = BOARD_HEADER.search(result.stdout)
    assert header is not None
    assert header["zone"] == "Europe/Lisbon"
    log = snapshot(sqlite_url(path)).log
    counts = Counter(e.operation.value for e in log)
    for operation, n in counts.items():
        assert re.search(rf"^{operation}\s+{n}$", result.stdout, re.MULTILINE), operation
    assert f"Operation log: {len(log)} entries" in result.stdout


def test_the_same_seed_tells_the_same_story_and_another_seed_a_different_one(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Seed 7 twice gives the same output, board and log; seed 8 gives another log."""
    first_path, first = demo_run
    second_url = sqlite_url(tmp_path / "again.db")
    code, second_out = cli("demo", "--db", second_url, "--days", "3", "--rooms", "16")
    assert code == 0
    assert second_out.replace(second_url, "URL") == first.stdout.replace(
        sqlite_url(first_path), "URL"
    )
    boards = [cli("board", "--db", url, "--json") for url in (sqlite_url(first_path), second_url)]
    assert boards[0][0] == boards[1][0] == 0
    assert json.loads(boards[0][1]) == json.loads(boards[1][1])
    first_log = log_story(snapshot(sqlite_url(first_path)))
    assert first_log == log_story(snapshot(second_url))

    other_url = sqlite_url(tmp_path / "other.db")
    code, _ = cli("demo", "--db", other_url, "--days", "3", "--rooms", "16", "--seed", "8")
    assert code == 0
    assert log_story(snapshot(other_url)) != first_log
    capsys.readouterr()


def test_five_default_days_tell_every_kind_of_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default demo has pre-assignments, walk-ins, reassignments, moves, undone check-ins,
    early departures, failed inspections, rooms out of service and back; and the front
    desk's story (§9), told in the summary with counts above zero."""
    url = sqlite_url(tmp_path / "five.db")
    code, out = cli("demo", "--db", url)
    assert code == 0
    assert "Simulating 5 days at a 24-room hotel (seed 7)" in out
    assert "simulating day 5/5" in capsys.readouterr().err
    log = snapshot(url).log
    by_id = {e.id: e for e in log}
    Op = ho.Operation

    walk_in_assigns = set()
    for e in log:
        if e.operation is Op.CHECKIN and e.metadata.get("action") == "assign_room":
            before = by_id[e.id - 1]  # assign_room with check-in logs ASSIGN then CHECKIN
            assert before.operation is Op.ASSIGN
            assert (before.booking_id, before.room_id) == (e.booking_id, e.room_id)
            walk_in_assigns.add(before.id)
    pre_assignments = [e for e in log if e.operation is Op.ASSIGN and e.id not in walk_in_assigns]
    assert walk_in_assigns, "no walk-in (assign_room with check-in)"
    assert pre_assignments, "no pre-assignment (assign_room with check_in=False)"
    assert any(e.operation is Op.CHECKIN and e.metadata.get("action") == "check_in" for e in log), (
        "no pre-assigned booking checked in"
    )
    assert any(e.operation is Op.REASSIGN and e.from_room_id for e in log)
    assert any(e.operation is Op.MOVE and e.from_room_id for e in log)
    assert any(e.operation is Op.UNASSIGN and e.metadata.get("undo_check_in") is True for e in log)
    assert any(e.operation is Op.CHECKOUT and e.notes == "early departure" for e in log)
    assert any(e.operation is Op.CHECKOUT and e.notes != "early departure" for e in log)
    assert any(e.operation is Op.INSPECT and e.metadata.get("passed") is False for e in log)
    assert any(e.operation is Op.CLEAN_START for e in log)
    assert any(e.operation is Op.CLEAN_COMPLETE for e in log)
    for operation in (Op.NIGHT_AUDIT, Op.SERVICE_STATUS, Op.DISCREPANCY):
        assert any(e.operation is operation for e in log), operation
    assert re.search(
        r"^Housekeeping: 4 night audits made [1-9]\d* stayover cleanings? due; [1-9]\d* doors? "
        r"with a do-not-disturb sign skipped, [1-9]\d* of those rooms cleaned once it came "
        r"off; [1-9]\d* guests? declined service; [1-9]\d* make-up-room requests?; [1-9]\d* "
        r"SLEEP discrepanc(y|ies) found, [1-9]\d* resolved by a re-check; [1-9]\d* tasks? "
        r"given to an attendant by hand\.$",
        out,
        re.MULTILINE,
    ), out
    assert re.search(
        r"^Front desk: [1-9]\d* stays extended and [1-9]\d* shortened, [1-9]\d* arrivals "
        r"postponed, [1-9]\d* cancellations, [1-9]\d* no-shows, [1-9]\d* companions joined "
        r"and [1-9]\d* left; [1-9]\d* arrivals pre-assigned into rooms still occupied by a guest "
        r"due out, [1-9]\d* of them queued at the desk while housekeeping turned the room, "
        r"[1-9]\d* checked in as soon as it was ready\.$",
        out,
        re.MULTILINE,
    ), out
    out_of_service = {ho.OccupancyStatus.OUT_OF_ORDER, ho.OccupancyStatus.MAINTENANCE}
    back = [
        (start, end)
        for start in log
        if start.operation in (Op.OUT_OF_ORDER, Op.MAINTENANCE)
        for end in log
        if end.id > start.id
        and end.room_id == start.room_id
        and end.operation is Op.STATUS_CHANGE
        and end.status_before in out_of_service
        and end.status_after not in out_of_service
    ]
    assert back, "no room went out of service and came back"


def test_five_default_days_tell_the_front_desk_story_the_same_on_both_adapters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default demo extends and shortens stays, postpones arrivals, cancels, marks
    no-shows, lets companions join and leave, and pre-assigns arrivals into rooms whose
    guest is due out; some of those guests wait at the desk (queued), their check-in is
    refused until the room is turned, then done. The in-memory adapter tells the same story
    with the same report, and every invariant holds on it too."""
    url = sqlite_url(tmp_path / "five.db")
    code, _ = cli("demo", "--db", url)
    assert code == 0
    capsys.readouterr()
    log = snapshot(url).log
    Op = ho.Operation

    def stay_changes(action: str) -> list[ho.LogEntry]:
        return [e for e in log if e.operation is Op.STAY_CHANGE and e.metadata["action"] == action]

    dates = [e.metadata for e in stay_changes("change_stay")]
    assert any(m["departure_after"] > m["departure_before"] for m in dates), "no stay extended"
    assert any(m["departure_after"] < m["departure_before"] for m in dates), "no stay shortened"
    assert any(m["arrival_after"] > m["arrival_before"] for m in dates), "no arrival postponed"
    parties = [e.metadata for e in stay_changes("update_party")]
    assert any(m["joined"] for m in parties)
    assert any(m["left"] for m in parties)
    for action, why in (("cancel_booking", "cancelled"), ("mark_no_show", "no_show")):
        closed = [e for e in log if e.metadata.get("action") == action]
        assert closed, f"no {action}"
        assert all(e.metadata["why"] == why for e in closed)
        # a booking that held no room is logged alone, a pre-assignment is released
        assert {e.operation for e in closed} <= {Op.STAY_CHANGE, Op.UNASSIGN}
    arriving = [e for e in log if e.operation is Op.ASSIGN and e.metadata.get("arriving")]
    assert arriving, "no arrival pre-assigned into a due-out room"
    assert all(e.status_before is ho.OccupancyStatus.OCCUPIED for e in arriving)
    queued = stay_changes("queue_arrival")
    assert queued, "no guest queued at the desk"
    for entry in queued:  # the departing guest leaves, the room is turned, then check-in
        later = [e for e in log if e.room_id == entry.room_id and e.id > entry.id]
        checkout = next(e for e in later if e.operation is Op.CHECKOUT)
        assert checkout.booking_id != entry.booking_id
        check_in = next(e for e in later if e.operation is Op.CHECKIN)
        assert check_in.booking_id == entry.booking_id
        assert checkout.id < check_in.id
        assert any(
            e.operation is Op.CLEAN_COMPLETE and checkout.id < e.id < check_in.id for e in later
        )

    uow = InMemoryUnitOfWork(clock=simulation_clock())
    report = simulate(uow)
    assert all(getattr(report, name) > 0 for name in FRONT_DESK_COUNTS), report
    assert report.queued_checked_in <= report.queued_arrivals <= report.due_out_assignments
    assert report.last_day == date(2026, 6, 5)
    memory = uow.snapshot()
    assert check_invariants(memory) == []
    assert log_story(memory) == log_story(snapshot(url))


FRONT_DESK_COUNTS = (
    "stays_extended",
    "stays_shortened",
    "arrivals_postponed",
    "cancellations",
    "no_shows",
    "companions_joined",
    "companions_left",
    "due_out_assignments",
    "queued_arrivals",
    "queued_checked_in",
)


@pytest.mark.parametrize("seed", [1, 2, 3, 8])
def test_every_seed_tells_the_front_desk_story_and_keeps_the_invariants(seed: int) -> None:
    """Five days at 24 rooms, whatever the seed: every front desk event happens at least
    once (the story sees to it when there is an occasion), and every invariant holds."""
    uow = InMemoryUnitOfWork(clock=simulation_clock())
    report = simulate(uow, seed=seed)
    assert all(getattr(report, name) > 0 for name in FRONT_DESK_COUNTS), report
    assert check_invariants(uow.snapshot()) == []


HOUSEKEEPING_COUNTS = (
    "night_audits",
    "stayovers",
    "dnd",
    "dnd_cleaned",
    "service_refused",
    "make_up_requests",
    "sleep_found",
    "sleep_resolved",
    "tasks_given",
)


@pytest.mark.parametrize("seed", [1, 2, 3, 7, 8])
def test_every_seed_tells_the_housekeeping_day_and_never_tries_a_kept_out_room(
    seed: int,
) -> None:
    """Five days at 24 rooms, whatever the seed: every housekeeping event happens at least
    once, nobody tries to clean a room whose guests keep housekeeping out (no
    InvalidTransition refused along the way), and every invariant holds."""
    uow = InMemoryUnitOfWork(clock=simulation_clock())
    report = simulate(uow, seed=seed)
    assert all(getattr(report, name) > 0 for name in HOUSEKEEPING_COUNTS), report
    assert report.night_audits == 4
    assert report.dnd_cleaned <= report.dnd
    assert report.sleep_resolved == report.sleep_found
    assert "InvalidTransition" not in report.refusals
    assert check_invariants(uow.snapshot()) == []


def test_the_demo_tells_the_housekeeping_day_in_the_order_it_happens() -> None:
    """Default demo: a night audit of each business date that ended, at 00:30 Lisbon time
    the next day, by the night auditor, its stayovers marked; a do-not-disturb room is not
    touched until the sign comes off, then cleaned; a clean room asked to be made up turns
    dirty and is cleaned; a SLEEP is resolved by an agreeing re-check before anyone
    assigns the room; the last morning's worksheets are carmen's and dmitri's, within the
    credit limit, each worked by its attendant; and the supervisor gave tasks by hand."""
    uow = InMemoryUnitOfWork(clock=simulation_clock())
    report = simulate(uow)
    log = uow.snapshot().log
    Op = ho.Operation
    lisbon = ZoneInfo("Europe/Lisbon")

    audits = [e for e in log if e.operation is Op.NIGHT_AUDIT and "overdue_count" in e.metadata]
    assert [e.metadata["business_date"] for e in audits] == [f"2026-06-0{n}" for n in range(1, 5)]
    for entry in audits:
        local = entry.timestamp.astimezone(lisbon)
        closed = date.fromisoformat(str(entry.metadata["business_date"]))
        assert (local.date(), local.hour, local.minute) == (closed + timedelta(days=1), 0, 30)
    assert {e.performed_by for e in log if e.operation is Op.NIGHT_AUDIT} == {"nadia"}
    stayovers = [e for e in log if e.metadata.get("variant") == "stayover"]
    assert len(stayovers) == report.stayovers
    assert all(e.condition_after is ho.Condition.DIRTY for e in stayovers)

    def later(entry: ho.LogEntry) -> list[ho.LogEntry]:
        return [e for e in log if e.room_id == entry.room_id and e.id > entry.id]

    dnd = [e for e in log if e.metadata.get("service_status") == "DND"]
    assert dnd
    cleaned_after_lift = 0
    for entry in dnd:
        after = later(entry)
        lifted = next(
            e
            for e in after
            if e.operation in (Op.NIGHT_AUDIT, Op.CHECKOUT, Op.MOVE)
            or e.metadata.get("service_status") == "NONE"
        )
        assert not any(e.operation is Op.CLEAN_START and e.id < lifted.id for e in after)
        same_day = entry.timestamp.astimezone(lisbon).date()
        if lifted.operation is Op.SERVICE_STATUS and any(
            e.operation is Op.CLEAN_COMPLETE
            and e.id > lifted.id
            and e.timestamp.astimezone(lisbon).date() == same_day
            for e in after
        ):
            cleaned_after_lift += 1
    assert cleaned_after_lift == report.dnd_cleaned > 0

    made_up = [
        e
        for e in log
        if e.metadata.get("service_status") == "MAKE_UP_ROOM"
        and e.condition_before is ho.Condition.INSPECTED
    ]
    assert made_up, "no make-up-room request on a room already done"
    for entry in made_up:
        assert entry.condition_after is ho.Condition.DIRTY
        assert any(e.operation is Op.CLEAN_COMPLETE for e in later(entry))

    sleeps = [e for e in log if e.metadata.get("variant") == "SLEEP"]
    assert len(sleeps) == report.sleep_found > 0
    for entry in sleeps:
        assert entry.operation is Op.DISCREPANCY
        after = later(entry)
        resolved = next(e for e in after if e.metadata.get("resolved_discrepancy") == "SLEEP")
        assert (resolved.operation, resolved.metadata["variant"]) == (Op.DISCREPANCY, "agrees")
        assert not any(
            e.operation in (Op.ASSIGN, Op.CHECKIN, Op.CLEAN_START) and e.id < resolved.id
            for e in after
        )

    plan = report.worksheets
    assert plan is not None
    assert [sheet.staff_id for sheet in plan.sheets] == ["carmen", "dmitri"]
    assert all(sheet.credits <= 24 // 3 for sheet in plan.sheets)
    assert report.worksheets_at is not None
    assert report.worksheets_at.astimezone(lisbon).date() == report.last_day
    tasks = {task.task_id: task for task in uow.snapshot().tasks}
    for sheet in plan.sheets:  # each attendant worked their own sheet
        assert all(tasks[line.task_id].assigned_to == sheet.staff_id for line in sheet.lines)
    assert report.tasks_given > 0


def test_demo_refuses_a_database_that_already_holds_hotels(demo_copy: str, tmp_path: Path) -> None:
    """demo on a database with hotels: one line, exit 1, nothing changed."""
    before = snapshot(demo_copy)
    result = run_cli(tmp_path, "demo", "--db", demo_copy, "--days", "1", "--rooms", "2")
    assert_one_line_error(result, "already holds hotels")
    assert result.returncode == 1
    assert snapshot(demo_copy) == before


# --- init and db upgrade -----------------------------------------------------------------


def test_init_creates_the_schema_at_the_newest_revision(tmp_path: Path) -> None:
    """init on a new file creates the schema at head, and running it again is harmless."""
    path = tmp_path / "new.db"
    code, out = cli("init", "--db", sqlite_url(path))
    assert code == 0
    assert f"schema revision {migrate.head()}" in out
    assert path.exists()
    engine = create_engine(sqlite_url(path))
    try:
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
    assert cli("init", "--db", sqlite_url(path))[0] == 0
    assert cli("check", "--db", sqlite_url(path))[0] == 0


def test_db_upgrade_on_a_database_at_head_reports_its_revision(tmp_path: Path) -> None:
    """db upgrade on an initialised database says which revision it is at."""
    url = sqlite_url(tmp_path / "db.db")
    assert cli("init", "--db", url)[0] == 0
    code, out = cli("db", "upgrade", "--db", url)
    assert code == 0
    assert out.strip() == f"schema revision {migrate.head()} -> {migrate.head()}"


def test_db_upgrade_refuses_a_missing_file_without_creating_it(tmp_path: Path) -> None:
    """db upgrade on a file that does not exist: one line naming init, and no file appears."""
    path = tmp_path / "missing.db"
    result = run_cli(tmp_path, "db", "upgrade", "--db", sqlite_url(path))
    assert_one_line_error(result, "no database at", "init")
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_to_an_unknown_revision_is_one_line_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """db upgrade --revision nonsense: one line on stderr, no traceback, still at head."""
    url = sqlite_url(tmp_path / "db.db")
    assert cli("init", "--db", url)[0] == 0
    result = run_cli(tmp_path, "db", "upgrade", "--db", url, "--revision", "nonsense")
    assert_one_line_error(result, "nonsense")
    engine = create_engine(url)
    try:
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()


def test_a_database_at_an_unknown_schema_revision_is_refused_with_a_hint_to_upgrade(
    hotels_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """board on a database stamped with another revision: a storage failure (exit 3), one
    line naming db upgrade."""
    assert execute(hotels_url, "UPDATE ho_alembic_version SET version_num = '0000'") == 1
    code, out = cli("board", "--db", hotels_url, "--hotel", "lake")
    assert code == ExitCode.STORAGE
    assert out == ""
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "0000" in err[0]
    assert "db upgrade" in err[0]


# --- board, history, tasks ---------------------------------------------------------------


def test_board_asks_for_a_hotel_when_there_are_several(hotels_url: str, tmp_path: Path) -> None:
    """Without --hotel on a two-hotel database: one line listing the hotels."""
    result = run_cli(tmp_path, "board", "--db", hotels_url)
    assert_one_line_error(result, "several hotels", "--hotel", "hill", "lake")


def test_board_prints_a_table_in_natural_room_order(hotels_url: str) -> None:
    """The board is a table of the chosen hotel's rooms, 1A, 2, 9, 10, and a status count;
    times in the hotel's zone (UTC), named in the column title. B1 was due out on
    2026-03-12 (the board reads the real clock): overdue."""
    code, out = cli("board", "--db", hotels_url, "--hotel", "lake")
    assert code == 0
    lines = out.splitlines()
    header = BOARD_HEADER.match(lines[0])
    assert header is not None
    assert header["zone"] == "UTC"
    assert set(lines[1]) <= {"-", " "}
    numbers = [line.split()[0] for line in lines[2:6]]
    assert numbers == ["1A", "2", "9", "10"]
    assert lines[4].split() == [
        "9", "OCCUPIED", "CLEAN", "REF-B1", "2", "2026-03-12", "11:00", "UTC", "overdue"
    ]  # fmt: skip
    assert lines[5].split()[:3] == ["10", "MAINTENANCE", "CLEAN"]
    assert "hill" not in out
    assert lines[-1] == (
        "1 MAINTENANCE, 1 OCCUPIED, 1 VACANT_CLEAN, 1 VACANT_DIRTY; 1 due out (1 overdue)"
    )


def test_board_json_lists_the_rooms_with_their_fields_in_natural_order(hotels_url: str) -> None:
    """board --json is a list of rows with every field, in natural room order."""
    code, out = cli("board", "--db", hotels_url, "--hotel", "lake", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["number"] for r in rows] == ["1A", "2", "9", "10"]
    assert set(rows[0]) == {
        "hotel_id",
        "room_id",
        "number",
        "status",
        "condition",
        "booking_id",
        "booking_reference",
        "guest_count",
        "expected_checkout",
        "arriving_booking_id",
        "due_out",
        "overdue",
        "expected_checkout_local",
        "service_status",
        "discrepancy",
        "queued",
    }
    nine = rows[2]
    assert nine["room_id"] == "lake-9"
    assert (nine["status"], nine["booking_id"], nine["booking_reference"]) == (
        "OCCUPIED",
        "B1",
        "REF-B1",
    )
    assert nine["guest_count"] == 2
    assert nine["expected_checkout"].startswith("2026-03-12T11:00")
    assert nine["expected_checkout_local"] == "2026-03-12T11:00:00+00:00"  # a UTC hotel
    assert (nine["due_out"], nine["overdue"], nine["arriving_booking_id"]) == (True, True, None)
    assert rows[1]["status"] == "VACANT_DIRTY"
    assert rows[1]["booking_id"] is None
    code, hill = cli("board", "--db", hotels_url, "--hotel", "hill", "--json")
    assert code == 0
    assert [r["room_id"] for r in json.loads(hill)] == ["hill-1"]


def test_history_by_room_id_and_by_room_number_give_the_same_entries(hotels_url: str) -> None:
    """history --room takes a room id or, with its hotel, a room number; newest first."""
    code, by_id = cli("history", "--db", hotels_url, "--room", "lake-9", "--json")
    assert code == 0
    code, by_number = cli("history", "--db", hotels_url, "--room", "9", "--hotel", "lake", "--json")
    assert code == 0
    assert by_id == by_number
    entries = json.loads(by_id)
    assert [e["operation"] for e in entries] == ["CHECKIN", "ASSIGN"]
    assert entries[0]["id"] > entries[1]["id"]
    assert {e["room_id"] for e in entries} == {"lake-9"}
    assert {e["booking_id"] for e in entries} == {"B1"}
    assert entries[0]["status_before"] == "VACANT_CLEAN"
    assert entries[0]["status_after"] == "OCCUPIED"
    assert entries[0]["metadata"]["action"] == "assign_room"


def test_history_takes_a_room_number_without_hotel_when_there_is_one_hotel(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """On the one-hotel demo database, --room 101 means room-101."""
    url = sqlite_url(demo_run[0])
    code, by_number = cli("history", "--db", url, "--room", "101", "--json")
    assert code == 0
    code, by_id = cli("history", "--db", url, "--room", "room-101", "--json")
    assert code == 0
    assert by_number == by_id
    entries = json.loads(by_id)
    assert entries
    assert all("room-101" in (e["room_id"], e["from_room_id"]) for e in entries)
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)


def test_history_prints_a_readable_table_and_honours_the_limit(hotels_url: str) -> None:
    """The text history shows one row per entry with its change; --limit keeps the newest."""
    code, out = cli("history", "--db", hotels_url, "--room", "lake-2")
    assert code == 0
    lines = out.splitlines()
    assert re.match(r"^#\s+time \(UTC\)\s+operation\s+by\s+booking\s+status\s+condition", lines[0])
    rows = lines[2:]
    assert [row.split()[4] for row in rows] == ["CHECKOUT", "CHECKIN", "ASSIGN"]
    assert "OCCUPIED -> VACANT_DIRTY" in rows[0]
    assert "CLEAN -> DIRTY" in rows[0]
    code, limited = cli("history", "--db", hotels_url, "--room", "lake-2", "--limit", "1")
    assert code == 0
    assert limited.splitlines()[2:] == rows[:1]
    code, empty = cli("history", "--db", hotels_url, "--room", "lake-1A")
    assert code == 0
    assert empty == "no history yet for room lake-1A\n"


def test_history_of_an_unknown_room_is_one_line(hotels_url: str, tmp_path: Path) -> None:
    """history --room of a room that does not exist: one line, exit 1."""
    before = snapshot(hotels_url)
    result = run_cli(tmp_path, "history", "--db", hotels_url, "--room", "404", "--hotel", "lake")
    assert_one_line_error(result, "unknown room", "404")
    assert result.returncode == 1
    assert snapshot(hotels_url) == before


def test_history_by_room_number_on_several_hotels_asks_for_the_hotel(
    hotels_url: str, tmp_path: Path
) -> None:
    """A room number two hotels have, on a two-hotel database without --hotel: a usage
    error whose one line says to choose a hotel rather than calling the room unknown."""
    engine = create_engine(hotels_url)
    try:
        services.register_room(
            SqlAlchemyUnitOfWork(engine), hotel_id="hill", room_id="hill-9", number="9"
        )
    finally:
        engine.dispose()
    result = run_cli(tmp_path, "history", "--db", hotels_url, "--room", "9")
    assert_one_line_error(result, "--hotel", "hill", "lake")
    assert result.returncode == ExitCode.USAGE


def test_tasks_lists_open_tasks_by_room_number_and_as_json(hotels_url: str) -> None:
    """tasks shows the open tasks with room numbers; --json gives the task records."""
    code, out = cli("tasks", "--db", hotels_url, "--hotel", "lake")
    assert code == 0
    lines = out.splitlines()
    assert re.match(r"^room\s+task\s+status\s+assigned to\s+since \(UTC\)$", lines[0])
    rows = sorted(line.split()[:3] for line in lines[2:])
    assert rows == [["10", "MAINTENANCE", "OPEN"], ["2", "TURNOVER", "OPEN"]]
    code, raw = cli("tasks", "--db", hotels_url, "--hotel", "lake", "--json")
    assert code == 0
    tasks = json.loads(raw)
    assert [(t["room_id"], t["kind"], t["status"]) for t in tasks] == [
        ("lake-2", "TURNOVER", "OPEN"),
        ("lake-10", "MAINTENANCE", "OPEN"),
    ]  # oldest first: the checkout came before the maintenance
    assert tasks[0]["created_at"] <= tasks[1]["created_at"]
    assert all(t["hotel_id"] == "lake" and t["task_id"] for t in tasks)
    code, none = cli("tasks", "--db", hotels_url, "--hotel", "hill")
    assert code == 0
    assert none == "no open tasks\n"


# --- check -------------------------------------------------------------------------------


def test_check_passes_on_the_demo_database(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """check exits 0 on the demo's database, in text and in JSON."""
    path, _ = demo_run
    code, out = cli("check", "--db", sqlite_url(path))
    assert code == 0
    assert out.startswith("all invariants hold (1 hotels, 16 rooms, ")
    code, raw = cli("check", "--db", sqlite_url(path), "--json")
    assert code == 0
    report = json.loads(raw)
    assert report["ok"] is True
    assert report["violations"] == []
    assert report["rooms"] == 16
    assert report["log_entries"] == len(snapshot(sqlite_url(path)).log)


CORRUPTIONS = {
    "an in-house companion's guest record deleted": (
        "I5",
        "DELETE FROM ho_guests WHERE guest_id = (SELECT guest_id FROM ho_guests "
        "WHERE check_out_date IS NULL AND guest_type = 'COMPANION' ORDER BY guest_id LIMIT 1)",
    ),
    "an occupied room's booking no longer checked in": (
        "I2",
        "UPDATE ho_bookings SET checked_in_at = NULL WHERE booking_id = (SELECT booking_id "
        "FROM ho_occupancies WHERE status = 'OCCUPIED' ORDER BY room_id LIMIT 1)",
    ),
    "an occupied room's booking marked checked out": (
        "I4",
        "UPDATE ho_bookings SET checked_out_at = checked_in_at WHERE booking_id = (SELECT "
        "booking_id FROM ho_occupancies WHERE status = 'OCCUPIED' ORDER BY room_id LIMIT 1)",
    ),
    "a room's first log entry deleted": (
        "I9",
        "DELETE FROM ho_log WHERE id = (SELECT MIN(id) FROM ho_log WHERE room_id = 'room-101')",
    ),
    "the newest log entry deleted": (
        "I9",
        "DELETE FROM ho_log WHERE id = (SELECT MAX(id) FROM ho_log)",
    ),
    "the ASSIGN entry before a check-in deleted": (
        "I9",
        "DELETE FROM ho_log WHERE id = (SELECT a.id FROM ho_log a JOIN ho_log c "
        "ON c.booking_id = a.booking_id AND c.room_id = a.room_id AND c.operation = 'CHECKIN' "
        "AND c.id > a.id WHERE a.operation = 'ASSIGN' ORDER BY a.id DESC LIMIT 1)",
    ),
    "a room's capacity lowered under its party": (
        "I13",
        "UPDATE ho_rooms SET capacity = 1 WHERE room_id = (SELECT o.room_id FROM "
        "ho_occupancies o JOIN ho_booking_guests g ON g.booking_id = o.booking_id "
        "GROUP BY o.room_id HAVING COUNT(*) >= 2 ORDER BY o.room_id LIMIT 1)",
    ),
    "a front-desk clerk's check-in recorded as done in a housekeeping role": (
        "I14",
        "UPDATE ho_log SET metadata = json_set(metadata, '$.role', 'HOUSEKEEPING') WHERE id = "
        "(SELECT MIN(id) FROM ho_log WHERE performed_by = 'amara' AND operation = 'CHECKIN')",
    ),
    "an in-house guest's PIN malformed": (
        "I11",
        "UPDATE ho_guests SET id_pin = '12ab56' WHERE guest_id = (SELECT guest_id FROM "
        "ho_guests WHERE check_out_date IS NULL ORDER BY guest_id LIMIT 1)",
    ),
    "a departed guest brought back in house": (
        "I5",
        "UPDATE ho_guests SET check_out_date = NULL, id_pin = (SELECT printf('%06d', "
        "(MAX(CAST(id_pin AS INTEGER)) + 1) % 1000000) FROM ho_guests) WHERE guest_id = "
        "(SELECT guest_id FROM ho_guests WHERE check_out_date IS NOT NULL "
        "ORDER BY guest_id LIMIT 1)",
    ),
    "a room's occupancy record deleted": (
        "I1",
        "DELETE FROM ho_occupancies WHERE room_id = (SELECT room_id FROM ho_occupancies "
        "WHERE status = 'VACANT_CLEAN' ORDER BY room_id LIMIT 1)",
    ),
    "an open cleaning task for an inspected room": (
        "I6",
        "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, "
        "updated_at) SELECT 'stray-task', hotel_id, room_id, 'CLEANING', 'OPEN', "
        "'2026-06-03 20:00:00', '2026-06-03 20:00:00' FROM ho_occupancies "
        "WHERE condition = 'INSPECTED' ORDER BY room_id LIMIT 1",
    ),
    "a vacant room put into maintenance behind the log's back": (
        "I6",
        "UPDATE ho_occupancies SET status = 'MAINTENANCE' WHERE room_id = (SELECT room_id "
        "FROM ho_occupancies WHERE status = 'VACANT_CLEAN' AND booking_id IS NULL "
        "ORDER BY room_id LIMIT 1)",
    ),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_check_names_each_invariant_a_raw_sql_corruption_breaks(
    corruption: str, demo_copy: str
) -> None:
    """A corruption the database constraints allow makes check exit 4 naming the invariant."""
    invariant, sql = CORRUPTIONS[corruption]
    assert cli("check", "--db", demo_copy)[0] == 0
    assert execute(demo_copy, sql) == 1  # the database accepted it
    code, out = cli("check", "--db", demo_copy)
    assert code == ExitCode.INVARIANT, out
    assert re.match(r"^\d+ invariant violation\(s\):$", out.splitlines()[0])
    assert f"  {invariant}: " in out, out


def test_check_finds_a_dirty_room_whose_turnover_task_was_deleted(demo_copy: str) -> None:
    """After a checkout made with `do`, deleting the room's open TURNOVER task breaks I6."""
    occupied = [r for r in snapshot(demo_copy).occupancies if r.status.value == "OCCUPIED"]
    room_id = occupied[0].room_id
    code, _ = cli("do", "--db", demo_copy, "checkout_room", f"room_id={room_id}", "staff_id=amara")
    assert code == 0
    assert cli("check", "--db", demo_copy)[0] == 0
    deleted = execute(
        demo_copy,
        f"DELETE FROM ho_tasks WHERE room_id = '{room_id}' AND kind = 'TURNOVER' "
        "AND status IN ('OPEN', 'IN_PROGRESS')",
    )
    assert deleted == 1
    code, out = cli("check", "--db", demo_copy)
    assert code == ExitCode.INVARIANT
    assert f"  I6: room {room_id} is DIRTY with 0 open cleaning tasks" in out


def test_check_json_reports_ok_false_and_each_violation(demo_copy: str) -> None:
    """check --json on a corrupted database: ok false and the violations as records."""
    assert execute(demo_copy, CORRUPTIONS["a room's capacity lowered under its party"][1]) == 1
    code, raw = cli("check", "--db", demo_copy, "--json")
    assert code == ExitCode.INVARIANT
    report = json.loads(raw)
    assert report["ok"] is False
    assert report["violations"]
    assert {v["invariant"] for v in report["violations"]} == {"I13"}
    assert all(set(v) == {"invariant", "message"} and v["message"] for v in report["violations"])


def test_check_of_a_corrupted_database_exits_4_from_the_console_script(
    demo_copy: str, tmp_path: Path
) -> None:
    """The console script's check exits 4 and lists the violation on stdout, no traceback."""
    assert execute(demo_copy, CORRUPTIONS["a room's occupancy record deleted"][1]) == 1
    result = run_cli(tmp_path, "check", "--db", demo_copy)
    assert result.returncode == ExitCode.INVARIANT
    assert "Traceback" not in result.stderr
    assert "  I1: room " in result.stdout


# --- do ----------------------------------------------------------------------------------


def test_do_runs_a_permitted_operation_and_prints_its_entry(hotels_url: str) -> None:
    """do assign_room with check_in=false pre-assigns (ASSIGN only); do check_in --json then
    prints the CHECKIN entry."""
    code, out = cli(
        "do",
        "--db",
        hotels_url,
        "assign_room",
        "booking_id=B2",
        "room_id=lake-1A",
        "staff_id=fd",
        "check_in=false",
        "notes=early arrival",
    )
    assert code == 0
    rows = out.splitlines()[2:]
    assert len(rows) == 1
    assert rows[0].split()[4:7] == ["ASSIGN", "fd", "B2"]
    assert rows[0].endswith("early arrival")
    room = {o.room_id: o for o in snapshot(hotels_url).occupancies}["lake-1A"]
    assert (room.status, room.booking_id) == (ho.OccupancyStatus.VACANT_CLEAN, "B2")

    code, raw = cli("do", "--db", hotels_url, "--json", "check_in", "booking_id=B2", "staff_id=fd")
    assert code == 0
    entries = json.loads(raw)
    assert [(e["operation"], e["room_id"], e["booking_id"]) for e in entries] == [
        ("CHECKIN", "lake-1A", "B2")
    ]
    assert entries[0]["metadata"]["guest_count"] == 1


def test_do_passes_booleans_and_notes_through(hotels_url: str) -> None:
    """passed=no records a failed inspection; its notes are kept."""
    assert cli("do", "--db", hotels_url, "start_cleaning", "room_id=lake-2", "staff_id=hk")[0] == 0
    assert (
        cli("do", "--db", hotels_url, "complete_cleaning", "room_id=lake-2", "staff_id=hk")[0] == 0
    )
    code, raw = cli(
        "do",
        "--db",
        hotels_url,
        "--json",
        "inspect_room",
        "room_id=lake-2",
        "staff_id=sup",
        "passed=no",
        "notes=hair in the sink",
    )
    assert code == 0
    (entry,) = json.loads(raw)
    assert entry["operation"] == "INSPECT"
    assert entry["metadata"]["passed"] is False
    assert entry["notes"] == "hair in the sink"
    assert entry["condition_after"] == "DIRTY"


def test_a_refused_operation_is_one_line_exit_1_and_changes_nothing(
    hotels_url: str, tmp_path: Path
) -> None:
    """Housekeeping checking a guest out: "refused: PermissionDenied ...", exit 1, no change."""
    before = snapshot(hotels_url)
    result = run_cli(
        tmp_path, "do", "--db", hotels_url, "checkout_room", "room_id=lake-9", "staff_id=hk"
    )
    line = assert_one_line_error(result)
    assert result.returncode == 1
    assert line.startswith("hotel-occupancy: refused: PermissionDenied")
    assert snapshot(hotels_url) == before


def test_an_operation_refused_by_the_room_state_is_one_line_and_changes_nothing(
    hotels_url: str, tmp_path: Path
) -> None:
    """Checking out an empty room: "refused: ..." on one line, exit 1, no change."""
    before = snapshot(hotels_url)
    result = run_cli(
        tmp_path, "do", "--db", hotels_url, "checkout_room", "room_id=lake-1A", "staff_id=fd"
    )
    line = assert_one_line_error(result, "refused:")
    assert result.returncode == 1
    assert "lake-1A" in line
    assert snapshot(hotels_url) == before


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["checkout_room", "room_id=lake-9"], "staff_id=..."),
        (["checkout_room", "room_id=lake-9", "staff_id=fd", "colour=red"], "colour=red"),
        (["checkout_room", "room_id=lake-9", "staff_id=fd", "notes"], "'notes'"),
        (["checkout_room", "room_id=lake-9", "staff_id=fd", "uow=x"], "uow=x"),
        (["assign_room", "booking_id=B2", "room_id=lake-1A", "staff_id=fd", "check_in=maybe"],
         "check_in must be true or false"),
        (["checkout_room", "room_id=lake-404", "staff_id=fd"], "lake-404"),
        (["fly_to_the_moon", "room_id=lake-9"], "fly_to_the_moon"),
    ],
    ids=[
        "missing-argument",
        "unknown-argument",
        "not-name-value",
        "uow-argument",
        "bad-boolean",
        "unknown-room",
        "unknown-service",
    ],
)  # fmt: skip
def test_bad_do_arguments_give_one_line_and_change_nothing(
    hotels_url: str, tmp_path: Path, arguments: list[str], fragment: str
) -> None:
    """Missing, unknown or malformed arguments to do: one line, exit != 0, no change."""
    before = snapshot(hotels_url)
    result = run_cli(tmp_path, "do", "--db", hotels_url, *arguments)
    assert_one_line_error(result, fragment)
    assert snapshot(hotels_url) == before


def test_do_accepts_db_after_the_service_name(hotels_url: str, tmp_path: Path) -> None:
    """`do SERVICE --db URL name=value ...` (options after the service) works too."""
    result = run_cli(
        tmp_path, "do", "mark_dirty", "--db", hotels_url, "room_id=lake-1A", "staff_id=fd"
    )
    assert result.returncode == 0, result.stderr
    assert "STATUS_CHANGE" in result.stdout
    conditions = {o.room_id: o.condition for o in snapshot(hotels_url).occupancies}
    assert conditions["lake-1A"] is ho.Condition.DIRTY


# --- bad databases and bad commands ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["board", "--db", "not a url"], "malformed database URL"),
        (["board", "--db", "nosuchdialect://host/db"], "nosuchdialect"),
        (["board", "--db", "mysql://user@127.0.0.1:1/hotel"], "mysql"),
        (["frobnicate"], "frobnicate"),
        (["board", "--json", "--db"], "--db"),
        (["history", "--db", "sqlite:///x.db"], "--room"),
        (["init", "--db", "sqlite:///no/such/directory/x.db"], "unable to open"),
        (["demo", "--db", "sqlite:///d.db", "--days", "0"], "--days"),
    ],
    ids=[
        "malformed-url",
        "unknown-dialect",
        "unsupported-dialect",
        "unknown-command",
        "option-without-value",
        "missing-room",
        "init-in-missing-directory",
        "demo-zero-days",
    ],
)
def test_bad_input_gives_one_line_on_stderr_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    """Malformed or unsupported URLs, unknown commands, missing options: one line, no
    traceback, exit != 0, and no file left behind."""
    result = run_cli(tmp_path, *args)
    assert_one_line_error(result, fragment)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["board"],
        ["board", "--json"],
        ["history", "--room", "101"],
        ["tasks"],
        ["check"],
        ["do", "checkout_room", "room_id=room-101", "staff_id=amara"],
    ],
    ids=["board", "board-json", "history", "tasks", "check", "do"],
)
def test_a_missing_sqlite_file_is_reported_and_never_created(
    tmp_path: Path, command: list[str]
) -> None:
    """A read (or do) on a file that does not exist: one line suggesting init, no file made."""
    path = tmp_path / "absent.db"
    args = [*command[:1], "--db", sqlite_url(path), *command[1:]]
    result = run_cli(tmp_path, *args)
    assert_one_line_error(result, "no database at", "init")
    assert list(tmp_path.iterdir()) == []


def test_the_default_database_is_not_created_by_a_read_command(tmp_path: Path) -> None:
    """board without --db in an empty directory: one line, and no hotel-occupancy.db appears."""
    result = run_cli(tmp_path, "board")
    assert_one_line_error(result, "no database at", "hotel-occupancy.db")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["board"], ["check"], ["db", "upgrade"]])
def test_a_file_of_random_bytes_is_reported_and_left_untouched(
    tmp_path: Path, command: list[str]
) -> None:
    """A file that is not SQLite at all: one line, exit != 0, the file byte for byte intact."""
    path = tmp_path / "foreign.bin"
    content = bytes(range(256)) * 20
    path.write_bytes(content)
    result = run_cli(tmp_path, *command, "--db", sqlite_url(path))
    assert_one_line_error(result)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.bin"]


def _foreign_sqlite(path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO recipes (name) VALUES ('soup')")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "command", [["board"], ["tasks"], ["check", "--json"], ["history", "--room", "1"]]
)
def test_a_foreign_sqlite_database_is_reported_as_such(tmp_path: Path, command: list[str]) -> None:
    """A valid SQLite file of another application: one line saying it is not a
    hotel_occupancy database, exit != 0."""
    path = tmp_path / "recipes.db"
    _foreign_sqlite(path)
    result = run_cli(tmp_path, command[0], "--db", sqlite_url(path), *command[1:])
    assert_one_line_error(result, "is not a hotel_occupancy database")


def test_reading_a_foreign_sqlite_database_changes_nothing_in_it(tmp_path: Path) -> None:
    """board on another application's SQLite file leaves it byte for byte as it was."""
    path = tmp_path / "recipes.db"
    _foreign_sqlite(path)
    before = path.read_bytes()
    result = run_cli(tmp_path, "board", "--db", sqlite_url(path))
    assert_one_line_error(result, "is not a hotel_occupancy database")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipes.db"]
    assert path.read_bytes() == before


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> str:
    """The URL of a new, empty database on the test PostgreSQL server."""
    admin: Engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ho_cli"))
        conn.execute(text("CREATE DATABASE ho_cli"))
        conn.execute(text("DROP DATABASE IF EXISTS ho_cli_absent"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/ho_cli"


def test_the_command_line_works_on_postgresql(fresh_postgres_url: str, tmp_path: Path) -> None:
    """init, then board --json and check on PostgreSQL through --db."""
    url = fresh_postgres_url
    result = run_cli(tmp_path, "init", "--db", url)
    assert result.returncode == 0, result.stderr
    assert f"schema revision {migrate.head()}" in result.stdout
    engine = create_engine(url)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="pg", name="PG Hotel")
    for number in ("10", "2"):
        services.register_room(uow, hotel_id="pg", room_id=f"pg-{number}", number=number)
    services.register_staff(uow, hotel_id="pg", staff_id="s", name="S", role=ho.StaffRole.MANAGER)
    services.mark_dirty(uow, room_id="pg-10", staff_id="s")
    engine.dispose()

    result = run_cli(tmp_path, "board", "--db", url, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["number"], r["status"]) for r in rows] == [
        ("2", "VACANT_CLEAN"),
        ("10", "VACANT_DIRTY"),
    ]
    result = run_cli(tmp_path, "check", "--db", url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("all invariants hold (1 hotels, 2 rooms, 1 log entries)")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_postgresql_database_is_one_line_and_not_created(
    fresh_postgres_url: str, postgres_url: str, tmp_path: Path
) -> None:
    """board on a PostgreSQL database that does not exist: one line, exit != 0, not created."""
    absent = fresh_postgres_url.rsplit("/", 1)[0] + "/ho_cli_absent"
    result = run_cli(tmp_path, "board", "--db", absent)
    assert_one_line_error(result, "ho_cli_absent")
    admin = create_engine(postgres_url)
    try:
        with admin.connect() as conn:
            names = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        admin.dispose()
    assert "ho_cli_absent" not in names
    assert "ho_cli" in names
