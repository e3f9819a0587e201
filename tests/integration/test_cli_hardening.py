"""The command line under attack and bad luck (issue 10): readers that never wait for the
write lock, terminal output that cannot be forged, damaged databases and broken output
streams that end in one line, and the details of URLs, arguments and file permissions.

What a user sees is proved by running the installed console script in a subprocess; the
cases that need a shorter lock wait than the library's busy timeout call ``main`` in-process.
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine
from hotel_occupancy.adapters.sqlalchemy import engine as engine_setup
from hotel_occupancy.cli import ExitCode
from tests.integration.test_cli import (
    CLI,
    assert_one_line_error,
    cli,
    snapshot,
    sqlite_url,
)
from tests.support import FakeClock

READ_BOUND_S = 6.0
"""How long a read command may take while another process holds the write lock: well
under the library's 10 s busy timeout, which a reader waiting for the lock would hit."""

EVIL = (
    "late checkout\n"
    "999  2026-01-01 00:00  CHECKOUT  forged  B9  OCCUPIED  CLEAN  row\r"
    "\x1b[31mred\x1b[0m\x07\x08\x7f\x9b2J\u202eevil\u2066\u2028\u0085\ttab"
)
"""A note full of what a terminal acts on: line breaks, ANSI escapes, C0 and C1 controls,
Unicode bidi overrides and line separators."""


# --- helpers -----------------------------------------------------------------------------


def run(
    cwd: Path, *args: str, timeout: float = 120, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in ``cwd`` (stdout and stderr captured unless
    ``options`` say otherwise)."""
    if "stdout" not in options:
        options["stdout"] = subprocess.PIPE
    return subprocess.run(
        [str(CLI), *args],
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        check=False,
        timeout=timeout,
        **options,
    )


def controls(output: str) -> list[str]:
    """The characters of ``output``, other than its line ends, that a terminal acts on."""
    return [
        ch
        for ch in output.replace("\n", "")
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
    ]


def tamper(path: Path, sql: str) -> int:
    """Change a SQLite file behind the library's back: CHECK constraints and foreign keys
    off, as a hand-edit with the sqlite3 shell would; return the number of rows changed."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute("PRAGMA foreign_keys = OFF")
        changed = conn.execute(sql).rowcount
        conn.commit()
    return changed


def checkpoint(path: Path) -> None:
    """Move everything in the write-ahead log into the database file itself."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def root_page(path: Path, name: str) -> int:
    """The page number of the root of a table or index."""
    with closing(sqlite3.connect(path)) as conn:
        page: int = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()[0]
    return page


def smash_page(path: Path, page: int, seed: int = 10) -> None:
    """Overwrite one page of a SQLite file with random bytes."""
    with closing(sqlite3.connect(path)) as conn:
        size: int = conn.execute("PRAGMA page_size").fetchone()[0]
    with path.open("r+b") as file:
        file.seek((page - 1) * size)
        file.write(random.Random(seed).randbytes(size))


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another connection holds the write lock (``BEGIN IMMEDIATE``) with an uncommitted
    change, for the duration of the block."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE ho_rooms SET number = 'uncommitted' WHERE room_id = 'h-103'")
        yield
    finally:
        conn.rollback()
        conn.close()


def as_unprivileged() -> dict[str, Any]:
    """subprocess options running the command as an ordinary user, so that file
    permissions apply (root bypasses them); nothing to change when not root."""
    if os.geteuid() != 0:
        return {}
    return {"user": 65534, "group": 65534, "extra_groups": []}


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def hotel_db(tmp_path: Path) -> Path:
    """A database made by ``init`` with hotel ``h``: rooms 101 (booking B1 in house), 102
    (B0 left: VACANT_DIRTY with an open TURNOVER task) and 103 (vacant clean); staff ``fd``
    (front desk), ``hk`` (housekeeping). Its path; the write-ahead log is checkpointed."""
    path = tmp_path / "hotel.db"
    assert cli("init", "--db", sqlite_url(path))[0] == 0
    engine = create_engine(sqlite_url(path))
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="h", name="Harbour Hotel")
    for number in ("101", "102", "103"):
        services.register_room(uow, hotel_id="h", room_id=f"h-{number}", number=number)
    services.register_staff(
        uow, hotel_id="h", staff_id="fd", name="F", role=ho.StaffRole.FRONT_DESK
    )
    services.register_staff(
        uow, hotel_id="h", staff_id="hk", name="K", role=ho.StaffRole.HOUSEKEEPING
    )
    for booking_id in ("B0", "B1"):
        services.register_booking(
            uow,
            hotel_id="h",
            booking_id=booking_id,
            reference=f"REF-{booking_id}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"{booking_id}-g", "Ada", "Guest")],
        )
    services.assign_room(uow, booking_id="B0", room_id="h-102", staff_id="fd")
    services.checkout_room(uow, room_id="h-102", staff_id="fd")
    services.assign_room(uow, booking_id="B1", room_id="h-101", staff_id="fd")
    engine.dispose()
    checkpoint(path)
    return path


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A fresh directory an unprivileged user can enter (pytest's own are private)."""
    directory = Path(tempfile.mkdtemp(prefix="ho-cli-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        for sub in [directory, *directory.rglob("*")]:
            if sub.is_dir():
                sub.chmod(0o755)
        shutil.rmtree(directory)


# --- item 2: readers never take the write lock -------------------------------------------

READ_COMMANDS = [["board"], ["tasks"], ["history", "--room", "101"], ["check"], ["board", "--json"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[" ".join(c) for c in READ_COMMANDS])
def test_a_read_command_answers_at_once_while_another_process_holds_the_write_lock(
    hotel_db: Path, tmp_path: Path, command: list[str]
) -> None:
    """board, tasks, history and check on SQLite return their usual output within a few
    seconds while another connection holds an uncommitted write transaction."""
    args = [command[0], "--db", sqlite_url(hotel_db), *command[1:]]
    expected = run(tmp_path, *args)
    assert expected.returncode == 0, expected.stderr
    with write_lock_held(hotel_db):
        try:
            result = run(tmp_path, *args, timeout=READ_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{command[0]} waited for the write lock for {READ_BOUND_S} s or more")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == expected.stdout  # the uncommitted change is not seen


# --- item 3: text output shows control characters, JSON stays exact ----------------------


def test_history_shows_control_characters_of_a_note_as_escapes_and_forges_no_row(
    hotel_db: Path,
) -> None:
    """A note with line breaks, ANSI escapes, C0/C1 controls and bidi overrides is one
    history row with every such character escaped; --json gives the note exactly."""
    url = sqlite_url(hotel_db)
    code, _ = cli(
        "do", "--db", url, "checkout_room", "room_id=h-101", "staff_id=fd", f"notes={EVIL}"
    )
    assert code == 0
    code, out = cli("history", "--db", url, "--room", "101")
    assert code == 0
    assert controls(out) == []
    lines = out.splitlines()  # also splits at \r, \x85 and \u2028: a forged row would show
    assert len(lines) == 2 + 3  # header, rule, CHECKOUT, CHECKIN, ASSIGN
    checkout = lines[2]
    assert checkout.split()[4] == "CHECKOUT"
    for escape in (r"\n999", r"\r", r"\x1b[31m", r"\x07", r"\x08", r"\x7f", r"\x9b", r"\u202e",
                   r"\u2066", r"\u2028", r"\x85", r"\ttab"):  # fmt: skip
        assert escape in checkout, escape
    code, raw = cli("history", "--db", url, "--room", "101", "--json")
    assert code == 0
    assert json.loads(raw)[0]["notes"] == EVIL


def test_do_prints_the_entry_of_a_note_with_control_characters_escaped(hotel_db: Path) -> None:
    """The table `do` prints after an operation escapes its note like history does."""
    url = sqlite_url(hotel_db)
    code, out = cli(
        "do", "--db", url, "checkout_room", "room_id=h-101", "staff_id=fd", f"notes={EVIL}"
    )
    assert code == 0
    assert controls(out) == []
    assert len(out.splitlines()) == 3
    assert r"\x1b[31mred\x1b[0m" in out


def test_board_and_tasks_show_tampered_text_escaped_and_json_exact(hotel_db: Path) -> None:
    """A room number and a booking reference changed by hand to hold escapes and line
    breaks: board and tasks keep one row per room, escaped; board --json is exact."""
    forged_number = "102\x1b[2J\n104  VACANT_CLEAN"
    forged_reference = "REF\u202e1B\r\x1b]0;pwned\x07"
    assert tamper(
        hotel_db, f"UPDATE ho_rooms SET number = '{forged_number}' WHERE room_id = 'h-102'"
    )
    assert tamper(
        hotel_db, f"UPDATE ho_bookings SET reference = '{forged_reference}' WHERE booking_id = 'B1'"
    )
    url = sqlite_url(hotel_db)
    code, board = cli("board", "--db", url)
    assert code == 0
    assert controls(board) == []
    lines = board.splitlines()
    assert len(lines) == 2 + 3 + 2  # header, rule, three rooms, blank line, counts
    assert any(line.startswith(r"102\x1b[2J\n104  VACANT_CLEAN") for line in lines)
    assert r"REF\u202e1B\r\x1b]0;pwned\x07" in board
    code, raw = cli("board", "--db", url, "--json")
    assert code == 0
    rows = {r["room_id"]: r for r in json.loads(raw)}
    assert rows["h-102"]["number"] == forged_number
    assert rows["h-101"]["booking_reference"] == forged_reference
    code, tasks = cli("tasks", "--db", url)
    assert code == 0
    assert controls(tasks) == []
    assert len(tasks.splitlines()) == 3
    assert tasks.splitlines()[2].startswith(r"102\x1b[2J\n104  VACANT_CLEAN  TURNOVER")


def test_check_shows_violations_naming_tampered_ids_escaped_and_json_exact(
    hotel_db: Path,
) -> None:
    """A room id changed by hand to hold an escape sequence: check's violation lines show it
    escaped, one line each; check --json gives it exactly."""
    evil_id = "h-103\x1b[31m\u202e"
    assert tamper(hotel_db, f"UPDATE ho_rooms SET room_id = '{evil_id}' WHERE room_id = 'h-103'")
    url = sqlite_url(hotel_db)
    code, out = cli("check", "--db", url)
    assert code == ExitCode.INVARIANT
    assert controls(out) == []
    assert r"h-103\x1b[31m\u202e" in out
    assert all(line.startswith("  ") for line in out.splitlines()[1:])
    code, raw = cli("check", "--db", url, "--json")
    assert code == ExitCode.INVARIANT
    assert any(evil_id in v["message"] for v in json.loads(raw)["violations"])


def test_an_error_line_shows_control_characters_of_the_input_escaped(tmp_path: Path) -> None:
    """A --db path with an escape sequence and a line break: the error is still one line on
    stderr, with them escaped."""
    result = run(tmp_path, "board", "--db", sqlite_url(tmp_path / "x\x1b[31m\nforged.db"))
    line = assert_one_line_error(result, "no database at", r"x\x1b[31m\nforged.db")
    assert controls(line) == []


# --- item 4: damaged databases and broken output ------------------------------------------

TAMPERING = {
    "unknown-status": "UPDATE ho_occupancies SET status = 'BOGUS' WHERE room_id = 'h-101'",
    "log-time-not-a-time": "UPDATE ho_log SET timestamp = 'garbage' WHERE room_id = 'h-101'",
    "log-time-a-number": "UPDATE ho_log SET timestamp = 5 WHERE room_id = 'h-101'",
    "checkout-time-not-a-time": "UPDATE ho_hotels SET checkout_time = 'xx'",
    "task-created-not-a-time": "UPDATE ho_tasks SET created_at = 'soon'",
}
DAMAGE_READERS = {
    "unknown-status": [["board"], ["tasks"], ["history", "--room", "101"], ["check"]],
    "log-time-not-a-time": [["history", "--room", "101"], ["check"]],
    "log-time-a-number": [["history", "--room", "101"], ["check"]],
    "checkout-time-not-a-time": [["board"], ["check"]],
    "task-created-not-a-time": [["tasks"], ["check", "--json"]],
}
DAMAGE_CASES = [(t, c) for t, commands in DAMAGE_READERS.items() for c in commands]


@pytest.mark.parametrize(
    ("tampering", "command"), DAMAGE_CASES, ids=[f"{t}-{c[0]}" for t, c in DAMAGE_CASES]
)
def test_a_row_changed_by_hand_gives_one_line_saying_the_database_is_damaged(
    hotel_db: Path, tmp_path: Path, tampering: str, command: list[str]
) -> None:
    """A stored value the library cannot read (unknown enum, a time that is not one): the
    command that meets it prints one line naming the damage and exits 3 (a storage
    failure), no traceback (check may instead list it among its findings, exit 4, when
    SQLite's integrity check sees it)."""
    assert tamper(hotel_db, TAMPERING[tampering]) >= 1
    result = run(tmp_path, command[0], "--db", sqlite_url(hotel_db), *command[1:])
    assert "Traceback" not in result.stderr, result.stderr
    listed = command[0] == "check" and bool(result.stdout)
    assert result.returncode == (ExitCode.INVARIANT if listed else ExitCode.STORAGE)
    if listed:
        assert result.stderr == ""
        assert "integrity" in result.stdout
        assert "damaged" in result.stdout
    else:
        line = assert_one_line_error(result, "damaged")
        assert "refused" not in line


def test_check_reports_a_page_of_random_bytes_in_an_index_as_a_violation(
    hotel_db: Path,
) -> None:
    """An index page overwritten with random bytes (the data itself still readable): check
    runs SQLite's integrity check and exits 4 listing its findings, in text and in JSON."""
    url = sqlite_url(hotel_db)
    assert cli("check", "--db", url)[0] == 0
    smash_page(hotel_db, root_page(hotel_db, "ix_ho_log_from_room_id"))
    assert cli("board", "--db", url)[0] == 0  # what board reads is intact
    code, out = cli("check", "--db", url)
    assert code == ExitCode.INVARIANT, out
    assert not out.startswith("all invariants hold")
    assert re.search(r"^  integrity: ", out, re.MULTILINE), out
    code, raw = cli("check", "--db", url, "--json")
    assert code == ExitCode.INVARIANT
    report = json.loads(raw)
    assert report["ok"] is False
    assert {v["invariant"] for v in report["violations"]} == {"integrity"}


@pytest.mark.parametrize("command", [["board"], ["history", "--room", "101"], ["check"]])
def test_a_page_of_random_bytes_in_a_table_gives_one_line_or_a_violation_never_a_traceback(
    hotel_db: Path, tmp_path: Path, command: list[str]
) -> None:
    """The occupancy table's page overwritten with random bytes: board and history print one
    line saying the database is damaged (exit 3); check exits 4 reporting the damage."""
    smash_page(hotel_db, root_page(hotel_db, "ho_occupancies"))
    result = run(tmp_path, command[0], "--db", sqlite_url(hotel_db), *command[1:])
    assert "Traceback" not in result.stderr, result.stderr
    expected = ExitCode.INVARIANT if command[0] == "check" else ExitCode.STORAGE
    assert result.returncode == expected
    if command[0] == "check":
        assert re.search(r"^  integrity: ", result.stdout, re.MULTILINE), result.stdout
    else:
        assert_one_line_error(result, "damaged")


@pytest.mark.parametrize(
    "command",
    [["board"], ["history", "--room", "102", "--json"]],
    ids=["small-output", "output-larger-than-the-buffer"],
)
def test_writing_to_a_closed_pipe_ends_quietly_with_a_non_zero_exit(
    hotel_db: Path, tmp_path: Path, command: list[str]
) -> None:
    """stdout is a pipe whose reader has gone (`| head` after it stopped): nothing on
    stderr, and a non-zero exit code."""
    long_note = "x" * 4000  # history then holds three 4,000-character notes
    assert tamper(hotel_db, f"UPDATE ho_log SET notes = '{long_note}' WHERE room_id = 'h-102'") == 3
    read, write = os.pipe()
    os.close(read)
    try:
        result = run(tmp_path, command[0], "--db", sqlite_url(hotel_db), *command[1:], stdout=write)
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode != 0


def test_writing_to_a_full_device_ends_with_one_line_and_exit_1(
    hotel_db: Path, tmp_path: Path
) -> None:
    """stdout redirected to /dev/full: one line on stderr saying the output could not be
    written, exit 1, no traceback."""
    with open("/dev/full", "w") as full:
        result = run(tmp_path, "board", "--db", sqlite_url(hotel_db), stdout=full)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hotel-occupancy: error: ")
    assert "No space left on device" in lines[0]
    assert result.returncode == 1


# --- item 8: URLs, repeated arguments, file permissions and locks -------------------------

SECRET_URLS = {
    "unsupported-dialect": "mysql://user:s3cret@127.0.0.1:1/hotel",
    "malformed-port": "postgresql+psycopg://user:s3cret@localhost:notaport/db",
    "server-down": "postgresql+psycopg://user:s3cret@127.0.0.1:1/db",
    "encoded-password": "mysql://user:s3cr%40t%2F@127.0.0.1:1/hotel",
}


@pytest.mark.parametrize("name", list(SECRET_URLS))
def test_a_password_in_the_database_url_never_appears_in_an_error(
    tmp_path: Path, name: str
) -> None:
    """Errors about a URL with a password (unsupported, malformed, unreachable) are one line
    that shows the URL's user and host at most, never the password."""
    url = SECRET_URLS[name]
    result = run(tmp_path, "board", "--db", url)
    line = assert_one_line_error(result)
    for secret in ("s3cret", "s3cr%40t%2F", "s3cr@t/"):
        assert secret not in line


@pytest.fixture
def secret_postgres_url(postgres_url: str) -> str:
    """The URL, with a password, of a new empty database on the test PostgreSQL server
    (which trusts its clients, so any password is accepted)."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ho_cli_secret"))
        conn.execute(text("CREATE DATABASE ho_cli_secret"))
    admin.dispose()
    url = make_url(postgres_url).set(database="ho_cli_secret", password="s3cret")
    return url.render_as_string(hide_password=False)


def test_a_password_in_a_postgresql_url_never_appears_in_output(
    secret_postgres_url: str, tmp_path: Path
) -> None:
    """board on an empty PostgreSQL database, then init and board: neither the error nor the
    output shows the password, only its mask."""
    url = secret_postgres_url
    assert "s3cret" in url
    result = run(tmp_path, "board", "--db", url)
    line = assert_one_line_error(result, "is not a hotel_occupancy database")
    assert "s3cret" not in line
    assert "***" in line
    result = run(tmp_path, "init", "--db", url)
    assert result.returncode == 0, result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert "***@" in result.stdout
    result = run(tmp_path, "board", "--db", url)
    assert_one_line_error(result, "no hotel yet")
    assert "s3cret" not in result.stderr


def test_a_repeated_argument_to_do_is_refused_and_changes_nothing(
    hotel_db: Path, tmp_path: Path
) -> None:
    """`do checkout_room room_id=h-103 room_id=h-101`: one line naming the argument given
    twice, exit 1, and no room checked out (the last value does not silently win)."""
    url = sqlite_url(hotel_db)
    before = snapshot(url)
    result = run(
        tmp_path,
        "do",
        "--db",
        url,
        "checkout_room",
        "room_id=h-103",
        "room_id=h-101",
        "staff_id=fd",
    )
    assert_one_line_error(result, "room_id", "more than once")
    assert result.returncode == ExitCode.USAGE
    assert snapshot(url) == before


def test_init_in_a_directory_that_is_not_writable_says_so(shared_dir: Path) -> None:
    """init of a new file in a read-only directory (mode 0o555, run as an ordinary user):
    one line saying the directory is not writable."""
    directory = shared_dir / "readonly"
    directory.mkdir()
    directory.chmod(0o555)
    result = run(shared_dir, "init", "--db", sqlite_url(directory / "new.db"), **as_unprivileged())
    line = assert_one_line_error(result, "directory", str(directory), "not writable")
    assert "usable" not in line
    assert list(directory.iterdir()) == []


def test_reading_a_database_in_a_directory_that_is_not_writable_says_so(
    hotel_db: Path, shared_dir: Path
) -> None:
    """board on a database whose directory is read-only (SQLite cannot create its -shm file
    there): one line saying the directory is not writable, not "not a usable database"."""
    directory = shared_dir / "readonly"
    directory.mkdir()
    shutil.copyfile(hotel_db, directory / "hotel.db")
    (directory / "hotel.db").chmod(0o644)
    directory.chmod(0o555)
    result = run(
        shared_dir, "board", "--db", sqlite_url(directory / "hotel.db"), **as_unprivileged()
    )
    line = assert_one_line_error(result, "directory", str(directory), "not writable")
    assert "usable" not in line


def test_a_write_to_a_read_only_database_file_says_the_file_is_not_writable(
    hotel_db: Path, shared_dir: Path
) -> None:
    """do on a database file of mode 0o444 in a writable directory (run as an ordinary
    user): one line saying the file is not writable; the file is unchanged."""
    directory = shared_dir / "open"
    directory.mkdir()
    directory.chmod(0o777)
    path = directory / "hotel.db"
    shutil.copyfile(hotel_db, path)
    path.chmod(0o444)
    before = path.read_bytes()
    result = run(
        shared_dir, "do", "--db", sqlite_url(path), "mark_dirty", "room_id=h-103",
        "staff_id=fd", **as_unprivileged(),
    )  # fmt: skip
    line = assert_one_line_error(result, "file", str(path), "not writable")
    assert "usable" not in line
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("where", "fragment"),
    [("missing/dir/new.db", "does not exist"), ("a-file/new.db", "is not a directory")],
    ids=["missing-directory", "under-a-file"],
)
def test_init_where_no_directory_can_hold_the_file_says_why(
    tmp_path: Path, where: str, fragment: str
) -> None:
    """init under a directory that does not exist, or under a regular file: one line naming
    the cause (and SQLite's own words), no file created."""
    (tmp_path / "a-file").write_text("not a directory\n")
    result = run(tmp_path, "init", "--db", sqlite_url(tmp_path / where))
    line = assert_one_line_error(result, fragment, "unable to open")
    assert "usable" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_directory_given_as_the_database_is_reported_as_a_directory(tmp_path: Path) -> None:
    """board --db on a directory: one line saying it is a directory."""
    (tmp_path / "adir").mkdir()
    result = run(tmp_path, "board", "--db", sqlite_url(tmp_path / "adir"))
    line = assert_one_line_error(result, "is a directory")
    assert "usable" not in line


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's lock wait cut to 0.2 s for the in-process calls of this test."""
    monkeypatch.setattr(engine_setup, "BUSY_TIMEOUT_MS", 200)


def test_a_database_locked_exclusively_by_another_process_is_reported_as_locked(
    hotel_db: Path, short_busy_timeout: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another connection holds the file in exclusive locking mode: board says, in one line,
    that it is locked by another process (not that it is not a usable database)."""
    gc.collect()  # close the connections of engines left by in-process commands
    holder = sqlite3.connect(hotel_db, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE ho_hotels SET name = name")
        holder.execute("COMMIT")  # the exclusive lock stays
        code, out = cli("board", "--db", sqlite_url(hotel_db))
    finally:
        holder.close()
    assert (code, out) == (ExitCode.STORAGE, "")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert "locked by another process" in err[0]
    assert "usable" not in err[0]


def test_a_write_behind_another_writer_past_the_busy_timeout_says_locked_by_another_process(
    hotel_db: Path, short_busy_timeout: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """do while another connection keeps the write lock past the busy timeout: one line
    saying the database is locked by another process, exit 3, nothing changed."""
    url = sqlite_url(hotel_db)
    before = snapshot(url)
    with write_lock_held(hotel_db):
        code, out = cli("do", "--db", url, "mark_dirty", "room_id=h-103", "staff_id=fd")
    assert (code, out) == (ExitCode.STORAGE, "")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert "locked by another process" in err[0]
    assert snapshot(url) == before
