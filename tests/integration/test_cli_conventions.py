"""What holds for every command of ``hotel-occupancy``: the database from ``--db`` (before
or after the command) or ``HOTEL_OCCUPANCY_DB``, ``--version``, shell completion, the exit
codes, help with examples that parse, ``hotel_id`` on every ``--json`` row, and times in
the hotel's own zone with its abbreviation."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import click
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.cli import ExitCode, main
from hotel_occupancy.cli.app import COMPLETE_VAR, resolve, root, split_example
from hotel_occupancy.cli.text import print_json
from tests.integration.test_cli import CLI, cli, execute, snapshot, sqlite_url

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.now(PARIS).date()


def ok(*args: str) -> str:
    code, out = cli(*args)
    assert code == ExitCode.OK, out
    return out


@pytest.fixture
def paris(tmp_path: Path) -> str:
    """A database holding hotel ``paris`` (Europe/Paris): rooms 101 and 102, clerk ``fd``,
    housekeeper ``hk``, supervisor ``sup``, maintenance ``mnt``; booking P1 in house in
    101, P2 arriving; a TURNOVER task open on 102 (its guest P0 left); a SLEEP discrepancy
    on 102."""
    url = sqlite_url(tmp_path / "paris.db")
    ok("init", "--db", url)
    ok("hotel", "add", "paris", "--name", "Paris", "--timezone", "Europe/Paris", "--db", url)
    for number in ("101", "102"):
        ok("room", "add", number, "--capacity", "2", "--db", url)
    for staff_id, role in (
        ("fd", "FRONT_DESK"),
        ("hk", "HOUSEKEEPING"),
        ("sup", "SUPERVISOR"),
        ("mnt", "MAINTENANCE"),
    ):
        ok("staff", "add", staff_id, "--name", staff_id, "--role", role, "--db", url)
    leave = (TODAY + timedelta(days=2)).isoformat()
    for booking_id in ("P0", "P1", "P2"):
        ok(
            "booking", "add", booking_id, "--arrival", TODAY.isoformat(), "--departure", leave,
            "--guest", f"{booking_id}-1", "Ada", booking_id, "--db", url,
        )  # fmt: skip
    ok("do", "assign_room", "booking_id=P0", "room=102", "staff_id=fd", "--db", url)
    ok("do", "checkout_room", "room=102", "staff_id=fd", "--db", url)
    ok("do", "assign_room", "booking_id=P1", "room=101", "staff_id=fd", "--db", url)
    ok(
        "do", "report_room_observation", "room=102", "staff_id=hk", "occupied=true",
        "guests=1", "--db", url,
    )  # fmt: skip
    return url


# --- the database: --db and HOTEL_OCCUPANCY_DB ------------------------------------------


def test_the_database_comes_from_the_environment_variable_without_db(
    paris: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HOTEL_OCCUPANCY_DB names the database when --db is not given."""
    monkeypatch.setenv("HOTEL_OCCUPANCY_DB", paris)
    assert ok("board").splitlines()[2].split()[0] == "101"


def test_db_beats_the_environment_variable(
    paris: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--db given, the environment variable is not used (here: it names no database)."""
    monkeypatch.setenv("HOTEL_OCCUPANCY_DB", sqlite_url(tmp_path / "nowhere.db"))
    assert cli("board")[0] == ExitCode.STORAGE
    assert cli("board", "--db", paris)[0] == ExitCode.OK
    assert cli("--db", paris, "board")[0] == ExitCode.OK


@pytest.mark.parametrize(
    "arguments",
    [
        ["--db", "{good}", "board"],
        ["board", "--db", "{good}"],
        ["--db", "{bad}", "board", "--db", "{good}"],
        ["--db", "{bad}", "room", "list", "--db", "{good}"],
    ],
    ids=["before", "after", "after-wins", "after-a-subcommand-wins"],
)
def test_db_is_accepted_before_or_after_the_command_and_the_one_after_wins(
    paris: str, tmp_path: Path, arguments: list[str]
) -> None:
    """--db before the command, after it, or both (the one after the command wins): the
    good one chosen, the command runs; the missing one chosen, a storage failure."""
    bad = sqlite_url(tmp_path / "nowhere.db")
    argv = [a.format(good=paris, bad=bad) for a in arguments]
    assert cli(*argv)[0] == ExitCode.OK
    swapped = [a.format(good=bad, bad=paris) for a in arguments]
    assert cli(*swapped)[0] == ExitCode.STORAGE  # the database that wins is not there


def test_demo_never_takes_the_database_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With HOTEL_OCCUPANCY_DB set, demo still writes its own file (or the --db given, before
    or after the command), never the operators' database."""
    operators = tmp_path / "operators.db"
    monkeypatch.setenv("HOTEL_OCCUPANCY_DB", sqlite_url(operators))
    monkeypatch.chdir(tmp_path)
    assert cli("demo", "--days", "1", "--rooms", "2")[0] == ExitCode.OK
    assert (tmp_path / "hotel-occupancy-demo.db").exists()
    given = tmp_path / "given.db"
    assert cli("demo", "--days", "1", "--rooms", "2", "--db", sqlite_url(given))[0] == 0
    assert given.exists()
    assert not operators.exists()


def test_the_version_is_the_package_s(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints ``hotel-occupancy VERSION`` and exits 0."""
    out = StringIO()
    assert main(["--version"], out=out) == ExitCode.OK
    assert out.getvalue() == f"hotel-occupancy {ho.__version__}\n"


# --- completion ---------------------------------------------------------------------------


def completion(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_prints_click_s_script_for_the_shell(shell: str) -> None:
    """``completion SHELL`` prints the script click's own protocol gives
    (``_HOTEL_OCCUPANCY_COMPLETE=SHELL_source``), naming the completion variable."""
    printed = completion({}, "completion", shell)
    assert printed.returncode == 0, printed.stderr
    assert COMPLETE_VAR in printed.stdout
    sourced = completion({COMPLETE_VAR: f"{shell}_source"})
    assert sourced.returncode == 0, sourced.stderr
    assert printed.stdout.strip() == sourced.stdout.strip()


def test_completing_a_command_name_through_the_environment_protocol() -> None:
    """bash asks for the words completing ``bo``: board and booking, and only those."""
    asked = completion(
        {COMPLETE_VAR: "bash_complete", "COMP_WORDS": "hotel-occupancy bo", "COMP_CWORD": "1"}
    )
    assert asked.returncode == 0, asked.stderr
    assert sorted(asked.stdout.split()) == ["plain,board", "plain,booking"]


def test_completing_an_option_of_a_command() -> None:
    """bash asks for the options of ``room list`` starting ``--h``: --hotel and --help."""
    asked = completion(
        {
            COMPLETE_VAR: "bash_complete",
            "COMP_WORDS": "hotel-occupancy room list --h",
            "COMP_CWORD": "3",
        }
    )
    assert sorted(asked.stdout.split()) == ["plain,--help", "plain,--hotel"]


# --- exit codes -----------------------------------------------------------------------------


def test_the_exit_codes_are_distinct_and_documented() -> None:
    """Each code has its own number, and both --help and docs/cli.md list them all."""
    assert len({int(code) for code in ExitCode}) == len(ExitCode)
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 130, 141]
    out = StringIO()
    assert main(["--help"], out=out) == ExitCode.OK
    help_text = " ".join(out.getvalue().split())
    page = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"{int(code)} " in help_text, code
        assert re.search(rf"^\| {int(code)} \| \w", page, re.MULTILINE), code


def test_exit_code_0_for_success(paris: str) -> None:
    """A command that does what was asked exits 0."""
    assert cli("board", "--db", paris)[0] == ExitCode.OK


def test_exit_code_1_for_a_refusal(paris: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Checking in a booking that does not exist: refused, exit 1."""
    code, out = cli("do", "check_in", "booking_id=nope", "staff_id=fd", "--db", paris)
    assert (code, out) == (ExitCode.REFUSED, "")
    assert capsys.readouterr().err.startswith("hotel-occupancy: refused: BookingNotFound")


def test_exit_code_2_for_a_usage_error(paris: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option, an unknown command, a missing required option: exit 2, one line
    pointing to the command's help."""
    for argv in (["board", "--bogus"], ["boards"], ["history"]):
        code, out = cli(*argv, "--db", paris)
        assert (code, out) == (ExitCode.USAGE, ""), argv
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("hotel-occupancy: error: ")
        assert "--help" in line


@pytest.mark.parametrize("argv", [[], ["room"], ["legacy"]], ids=["root", "room", "legacy"])
def test_a_group_without_its_command_prints_its_help_and_exits_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """No command given: the group's help (its commands listed) on stdout, exit 2."""
    out = StringIO()
    assert main(argv, out=out) == ExitCode.USAGE
    assert out.getvalue().startswith(f"Usage: {' '.join(['hotel-occupancy', *argv])} ")
    assert "Commands:" in out.getvalue()
    assert capsys.readouterr().err == ""


def test_exit_code_3_for_a_storage_failure(tmp_path: Path) -> None:
    """No database at the URL, and a file that is no hotel_occupancy database: exit 3."""
    assert cli("board", "--db", sqlite_url(tmp_path / "nowhere.db"))[0] == ExitCode.STORAGE
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert cli("board", "--db", sqlite_url(other))[0] == ExitCode.STORAGE


@pytest.mark.parametrize(
    "argv",
    [
        ["board", "--db", "not a url"],
        ["init", "--db", "not a url"],
        ["db", "upgrade", "--db", "not a url"],
        ["demo", "--db", "not a url"],
        ["board", "--db", "postgresql+psycopg://user:s3cret@localhost:notaport/db"],
        ["init", "--db", "sqlite:///{tmp}/x.db?timeout=soon"],
    ],
    ids=["board", "init", "db-upgrade", "demo", "bad-port", "bad-query-value"],
)
def test_a_database_url_that_cannot_be_read_is_a_usage_error(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --db URL that does not parse (or a value of it that does not): exit 2, one line
    saying it is malformed, no traceback, no file made."""
    code, out = cli(*[a.format(tmp=tmp_path) for a in argv])
    assert (code, out) == (ExitCode.USAGE, "")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("hotel-occupancy: error: malformed database URL")
    assert "s3cret" not in line
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_of_an_unknown_kind_is_a_storage_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A URL that parses but names a database no driver opens: exit 3, saying so."""
    assert cli("board", "--db", "nosuchdialect://host/db")[0] == ExitCode.STORAGE
    assert "no database driver for 'nosuchdialect://host/db'" in capsys.readouterr().err


def test_bad_input_to_an_operation_is_a_refusal_as_documented(
    paris: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``do ... room_id=`` (an empty id): the library refuses it, InvalidInput, exit 1, as
    the page's table of exit codes says; nothing changes."""
    page = (Path(__file__).parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    (refused,) = [line for line in page.splitlines() if line.startswith("| 1 |")]
    assert "InvalidInput" in refused
    before = snapshot(paris)
    code, out = cli("do", "checkout_room", "room_id=", "staff_id=fd", "--db", paris)
    assert (code, out) == (ExitCode.REFUSED, "")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("hotel-occupancy: refused: InvalidInput: room_id")
    assert snapshot(paris) == before


def test_an_unknown_room_is_a_refusal_named_room_not_found(
    paris: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``do ... room=9999`` and ``history --room 9999``: refused as the services refuse an
    unknown room id, RoomNotFound, exit 1."""
    for argv in (
        ["do", "checkout_room", "room=9999", "staff_id=fd"],
        ["history", "--room", "9999", "--hotel", "paris"],
    ):
        assert cli(*argv, "--db", paris) == (ExitCode.REFUSED, ""), argv
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("hotel-occupancy: refused: RoomNotFound: unknown room '9999'")


def test_exit_code_4_for_an_invariant_violation(paris: str) -> None:
    """A room's occupancy record deleted by hand (the database allows it; I1 does not):
    check exits 4 naming the invariant."""
    assert ok("check", "--db", paris).startswith("all invariants hold")
    assert execute(paris, "DELETE FROM ho_occupancies WHERE room_id = 'paris-102'") == 1
    code, out = cli("check", "--db", paris)
    assert code == ExitCode.INVARIANT, out
    assert "  I1: " in out


def test_exit_code_130_for_ctrl_c(paris: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while a command works: one line, exit 130."""

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "room_board", interrupted)
    assert cli("board", "--db", paris)[0] == ExitCode.INTERRUPTED


def test_exit_code_141_when_the_reader_goes_away(paris: str) -> None:
    """The output's reader gone (a broken pipe): exit 141, quietly."""

    class Gone(StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    assert main(["board", "--db", paris], out=Gone()) == ExitCode.BROKEN_PIPE


def test_without_click_the_entry_point_names_the_extra() -> None:
    """With click missing, ``run()`` says in one line to install the cli extra, exit 1."""
    code = "import sys; sys.modules['click'] = None\nfrom hotel_occupancy.cli import run\nrun()\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == ExitCode.REFUSED
    (line,) = result.stderr.splitlines()
    assert "pip install 'hotel-occupancy[cli]'" in line


def test_without_click_main_names_the_extra() -> None:
    """With click missing, ``main()`` raises ModuleNotFoundError naming the cli extra."""
    code = (
        "import sys; sys.modules['click'] = None\n"
        "from hotel_occupancy.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except ModuleNotFoundError as missing:\n"
        "    print(missing.name, missing, sep='|')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.strip().split("|")
    assert name == "click"
    assert "pip install 'hotel-occupancy[cli]'" in message


# --- help and its examples ------------------------------------------------------------------


def every_command() -> Iterator[list[str]]:
    """The path of every command and group of the command line."""

    def walk(command: click.Command, path: list[str]) -> Iterator[list[str]]:
        yield path
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                yield from walk(sub, [*path, name])

    yield from walk(root, [])


COMMANDS = list(every_command())


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "(root)" for p in COMMANDS])
def test_every_help_has_examples_and_each_example_parses(path: list[str]) -> None:
    """Each command's help ends with Examples; each example is a command line that parses
    (options, values and required arguments checked as a run would, nothing run) and runs
    this command or one under it."""
    out = StringIO()
    assert main([*path, "--help"], out=out) == ExitCode.OK
    text = out.getvalue()
    assert "Examples:" in text, text
    examples = [
        line.strip()
        for line in text.split("Examples:", 1)[1].splitlines()
        if line.strip().startswith("hotel-occupancy")
    ]
    assert examples, text
    for example in examples:
        resolved = resolve(split_example(example))
        assert resolved[: len(path)] == path, example


def test_an_example_that_does_not_parse_is_caught() -> None:
    """The check the examples pass fails for a line with an unknown option."""
    with pytest.raises(click.UsageError):
        resolve(split_example("hotel-occupancy board --bogus"))


CLI_PAGE = Path(__file__).parents[2] / "docs" / "cli.md"
_FENCE = re.compile(r"^```[a-z]*[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_SUBSTITUTION = re.compile(r"\$\((hotel-occupancy [^)]*)\)")


def console_examples(text: str) -> list[list[str]]:
    """The arguments of every ``hotel-occupancy`` command line in the fenced blocks of a
    Markdown text (``hotel-occupancy`` left out): lines continued with a backslash joined,
    comments dropped, each command of ``a; b`` or ``a | b`` apart, and those run in
    ``$(...)``."""
    found: list[list[str]] = []
    for block in _FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            inner = _SUBSTITUTION.findall(line)
            lexer = shlex.shlex(_SUBSTITUTION.sub("", line), posix=True, punctuation_chars=";|&")
            lexer.whitespace_split = True
            command: list[str] = []
            for word in [*lexer, ";"]:
                if word.strip(";|&"):
                    command.append(word)
                    continue
                if command[:1] == ["hotel-occupancy"]:
                    found.append(command[1:])
                command = []
            found.extend(shlex.split(example, comments=True)[1:] for example in inner)
    return found


DOC_EXAMPLES = console_examples(CLI_PAGE.read_text(encoding="utf-8"))


def test_the_documentation_examples_are_found() -> None:
    """The page's examples are read: continued lines, several per line, `$(...)`."""
    assert len(DOC_EXAMPLES) > 30
    assert ["completion", "bash"] in DOC_EXAMPLES  # from eval "$(hotel-occupancy ...)"
    assert ["staff", "list", "--all"] in DOC_EXAMPLES  # the third of a line of three
    booking = next(e for e in DOC_EXAMPLES if e[:2] == ["booking", "add"])
    assert booking[-4:] == ["--guest", "B7-2", "Bo", "Lee"]  # a continued line
    assert sum(e[0] == "do" for e in DOC_EXAMPLES) >= 3
    text = "```text\nhotel-occupancy a --x 1  # no\nexport X=1; hotel-occupancy b | head\n```\n"
    assert console_examples(text) == [["a", "--x", "1"], ["b"]]


@pytest.mark.parametrize("example", DOC_EXAMPLES, ids=[" ".join(e) for e in DOC_EXAMPLES])
def test_every_example_of_the_command_line_page_parses(example: list[str]) -> None:
    """Each command line of docs/cli.md parses as a run would parse it, nothing run: its
    command, options and values; for do, names the operation takes and its required ones."""
    assert resolve(example), example


@pytest.mark.parametrize(
    "example",
    [
        "hotel-occupancy do move_guest booking_id=B7 from_room=101 to_room=102 staff_id=a",
        "hotel-occupancy do check_in booking_id=B7",
        "hotel-occupancy do set_out_of_order room=104 staff_id=S3 reason=x until=soon",
    ],
    ids=["unknown-argument", "missing-argument", "malformed-value"],
)
def test_a_do_example_with_arguments_the_operation_refuses_is_caught(example: str) -> None:
    """A do line naming an argument the service does not take, missing one it needs, or
    with a value of the wrong kind does not pass the examples' check."""
    with pytest.raises(click.UsageError):
        resolve(split_example(example))


# --- JSON rows carry hotel_id ---------------------------------------------------------------


def _guest_with_secrets(url: str) -> ho.Guest:
    """An in-house guest of ``url`` as stored, given a PIN and a device token."""
    guest = next(g for g in snapshot(url).guests if g.in_house)
    return attrs.evolve(guest, id_pin="481516", device_token="tok-2342-secret")


def test_json_output_never_shows_a_guest_s_pin_or_device_token(
    paris: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A --json result holding a guest (here, what a do service returned) shows its PIN
    and device token as <hidden>, never their values."""
    guest = _guest_with_secrets(paris)

    def update_hotel(uow: object, *, hotel_id: str) -> tuple[ho.Guest, ...]:
        return (guest,)

    monkeypatch.setattr(services, "update_hotel", update_hotel)
    out = ok("do", "update_hotel", "hotel_id=paris", "--json", "--db", paris)
    (shown,) = json.loads(out)
    assert (shown["guest_id"], shown["id_pin"], shown["device_token"]) == (
        guest.guest_id,
        "<hidden>",
        "<hidden>",
    )
    assert "481516" not in out
    assert "tok-2342-secret" not in out


def test_printed_json_hides_secrets_however_deep(paris: str) -> None:
    """print_json, which every --json output goes through, hides a guest's secrets inside
    lists and mappings, and a mapping's secret keys; "no PIN" stays null."""
    guest = _guest_with_secrets(paris)
    out = StringIO()
    print_json(
        {"rows": [{"guests": (guest, attrs.evolve(guest, id_pin=None))}], "device_token": "x1"},
        out,
    )
    data = json.loads(out.getvalue())
    first, second = data["rows"][0]["guests"]
    assert (first["id_pin"], first["device_token"], data["device_token"]) == ("<hidden>",) * 3
    assert second["id_pin"] is None
    assert "481516" not in out.getvalue()


JSON_RUNS: dict[str, list[str]] = {
    "board": ["board"],
    "history": ["history", "--room", "101"],
    "tasks": ["tasks"],
    "arrivals": ["arrivals"],
    "departures": ["departures", "--date", (TODAY + timedelta(days=2)).isoformat()],
    "in-house": ["in-house"],
    "night-audit": ["night-audit", "--staff", "fd"],
    "worksheets": ["worksheets", "--staff", "sup", "--attendants", "hk"],
    "discrepancies": ["discrepancies"],
    "do": ["do", "set_service_status", "room=101", "staff_id=hk", "status=DND"],
    "follow": ["follow", "--after", "0", "--once"],
    "hotel add": ["hotel", "add", "hill", "--name", "Hill"],
    "hotel change": ["hotel", "change", "paris", "--name", "Paris Nord"],
    "hotel list": ["hotel", "list"],
    "hotel deactivate": ["hotel", "deactivate", "hill"],
    "hotel reactivate": ["hotel", "reactivate", "hill"],
    "room add": ["room", "add", "103", "--hotel", "paris"],
    "room change": ["room", "change", "102", "--capacity", "3"],
    "room list": ["room", "list", "--hotel", "paris"],
    "room out-of-order": ["room", "out-of-order", "102", "--staff", "mnt", "--reason", "leak"],
    "room return": ["room", "return", "102", "--staff", "mnt"],
    "staff add": [
        "staff", "add", "kim", "--name", "Kim", "--role", "HOUSEKEEPING", "--hotel", "paris",
    ],
    "staff change": ["staff", "change", "kim", "--name", "Kim Lee"],
    "staff deactivate": ["staff", "deactivate", "kim"],
    "staff reactivate": ["staff", "reactivate", "kim"],
    "staff list": ["staff", "list", "--hotel", "paris"],
    "booking add": [
        "booking", "add", "P3", "--hotel", "paris", "--arrival", TODAY.isoformat(),
        "--departure", TODAY.isoformat(), "--guest", "P3-1", "Bo", "Lee",
    ],
    "booking change": ["booking", "change", "P3", "--staff", "fd", "--guest", "P3-1", "Bo", "Li"],
    "booking cancel": ["booking", "cancel", "P3", "--staff", "fd"],
    "booking list": ["booking", "list", "--hotel", "paris"],
    "hotel import": ["hotel", "import", "{hotels}"],
    "room import": ["room", "import", "{rooms}", "--hotel", "paris"],
    "staff import": ["staff", "import", "{staff}", "--hotel", "paris"],
    "booking import": ["booking", "import", "{bookings}", "--hotel", "paris"],
}  # fmt: skip
"""A run of each command with --json, in this order, on the ``paris`` database."""

WHOLE_STORE = {"check", "legacy import", "legacy diff"}
"""The --json commands that report on the whole store, all hotels at once: an object
without one hotel_id (check's violations, the legacy reports' per-hotel sections)."""


def json_commands() -> set[str]:
    return {
        " ".join(path)
        for path in COMMANDS
        if path
        and not isinstance(command := root_command(path), click.Group)
        and any(param.name == "json" for param in command.params)
    }


def root_command(path: list[str]) -> click.Command:
    command: click.Command = root
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def rows_of(data: Any) -> list[dict[str, Any]]:
    """The rows of a command's JSON: the list's items, or the object itself."""
    return data if isinstance(data, list) else [data]


def test_every_json_row_carries_its_hotel_id(paris: str, tmp_path: Path) -> None:
    """Every command with --json (the whole-store reports aside) prints rows, or one
    object, each naming its hotel_id (a hotels file's report: the key, None); the walk
    covers every such command."""
    assert set(JSON_RUNS) == json_commands() - WHOLE_STORE
    files = {
        "hotels": "hotel_id,name\nparis,Paris\n",
        "rooms": "room_id,number\nparis-101,101\n",
        "staff": "staff_id,name,role\nfd,fd,FRONT_DESK\n",
        "bookings": "booking_id,reference,arrival,departure,guest_id,first_name\n"
        f"P9,P9,{TODAY},{TODAY},P9-1,Cy\n",
    }
    paths = {}
    for kind, body in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(body, encoding="utf-8")
        paths[kind] = str(path)
    for name, argv in JSON_RUNS.items():
        code, out = cli(*[a.format(**paths) for a in argv], "--json", "--db", paris)
        assert code == ExitCode.OK, name
        if name == "follow":
            rows = [json.loads(line) for line in out.splitlines()]
        else:
            rows = rows_of(json.loads(out))
        assert rows, name
        if name == "hotel import":  # the file names its hotels: the report names none
            assert [row["hotel_id"] for row in rows] == [None]
            continue
        assert all(row.get("hotel_id") in ("paris", "hill") for row in rows), (name, rows)


# --- local times ----------------------------------------------------------------------------


def paris_time(moment: datetime, seconds: bool = False) -> str:
    local = moment.astimezone(PARIS)
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


LOCAL = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? CES?T")


def test_history_tasks_follow_and_the_lists_show_paris_time_with_its_zone(paris: str) -> None:
    """The times of history, tasks, follow, in-house and the board are Paris times with
    CET/CEST; their JSON gives the same instants with Paris's offset."""
    entries = json.loads(ok("history", "--room", "101", "--json", "--db", paris))
    stamp = datetime.fromisoformat(entries[0]["timestamp"])
    local = datetime.fromisoformat(entries[0]["timestamp_local"])
    assert local == stamp
    assert local.utcoffset() == stamp.astimezone(PARIS).utcoffset()
    assert entries[0]["timezone"] == "Europe/Paris"
    history = ok("history", "--room", "101", "--db", paris)
    assert paris_time(stamp) in history.splitlines()[2]
    assert "time (Europe/Paris)" in history.splitlines()[0]
    (task,) = json.loads(ok("tasks", "--json", "--db", paris))
    created = datetime.fromisoformat(task["created_at"])
    assert datetime.fromisoformat(task["created_at_local"]) == created
    assert paris_time(created) in ok("tasks", "--db", paris)
    follow = ok("follow", "--after", "0", "--once", "--db", paris).splitlines()
    assert all(
        re.search(r"  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T  paris  ", line) for line in follow
    )
    in_house = ok("in-house", "--db", paris)
    (row,) = [line for line in in_house.splitlines() if line.startswith("P1")]
    assert len(LOCAL.findall(row)) == 2  # checked in, expected checkout
    board = ok("board", "--db", paris)
    assert LOCAL.search(board.splitlines()[2])


def test_the_night_audit_and_the_worksheets_name_the_local_time_with_its_zone(
    paris: str,
) -> None:
    """night-audit says who audited when (Paris time, CET/CEST, and the zone's name);
    worksheets' header too; their JSON has the local times with Paris's offset."""
    out = ok("night-audit", "--staff", "fd", "--db", paris)
    assert re.search(r"^audited by fd at " + LOCAL.pattern + r" \(Europe/Paris\)$", out, re.M)
    sheets = ok("worksheets", "--staff", "sup", "--attendants", "hk", "--db", paris)
    assert re.search(LOCAL.pattern + r" \(Europe/Paris\)$", sheets.splitlines()[0])
    data = json.loads(ok("worksheets", "--show", "--json", "--db", paris))
    at = datetime.fromisoformat(data["at_local"])
    assert at.utcoffset() == datetime.fromisoformat(data["at"]).astimezone(PARIS).utcoffset()


def test_the_local_time_formatter_names_summer_and_winter_time() -> None:
    """The one formatter: CEST in June, CET in January; None shows as nothing."""
    from hotel_occupancy.cli.text import local_iso, local_time

    june = datetime(2026, 6, 1, 12, 5, tzinfo=ZoneInfo("UTC"))
    january = datetime(2026, 1, 1, 12, 5, tzinfo=ZoneInfo("UTC"))
    assert local_time(june, "Europe/Paris") == "2026-06-01 14:05 CEST"
    assert local_time(january, "Europe/Paris") == "2026-01-01 13:05 CET"
    assert local_time(None, "Europe/Paris") == ""
    assert local_iso(june, "Europe/Paris") == "2026-06-01T14:05:00+02:00"
    assert date.fromisoformat(str(local_iso(june, "UTC"))[:10]) == date(2026, 6, 1)
