"""The ``hotel-occupancy`` command tree (click), its global options and how a run ends:
one line on stderr for a failure, and an exit code from :class:`ExitCode`."""

from __future__ import annotations

import getpass
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from datetime import date
from typing import Any, TextIO

import click
from click.core import ParameterSource
from click.shell_completion import get_completion_class, shell_complete
from sqlalchemy.exc import DBAPIError

import hotel_occupancy as ho
from hotel_occupancy import relay
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.cli import admin, commands
from hotel_occupancy.cli.database import (
    _DAMAGED,
    _WRITERS,
    DEFAULT_DB,
    DEMO_DB,
    ENV_DB,
    ENV_SCHEMA,
    PROG,
    _raised_reading_rows,
    _sqlite_cause,
    _sqlite_path,
)
from hotel_occupancy.cli.exits import EXIT_CODES_HELP, CommandError, ExitCode, UsageProblem
from hotel_occupancy.cli.text import Output, OutputError, _GuardedOutput, _passwords, visible
from hotel_occupancy.services.feed import MAX_LIMIT
from hotel_occupancy.services.side_by_side import MIRROR_CONSUMER

COMPLETE_VAR = "_HOTEL_OCCUPANCY_COMPLETE"
"""The environment variable of click's completion protocol for ``hotel-occupancy``."""

Handler = Callable[[commands.Args, Output], int]


class State:
    """What a run of the command line shares between its group and its command: where
    it prints, the database the options chose, and the parsed options of the command."""

    def __init__(self, out: Output, *, parse_only: bool = False) -> None:
        self.out = out
        self.db: str | None = None  # the innermost --db given
        self.db_from_env = False  # whether that is HOTEL_OCCUPANCY_DB's value
        self.schema: str | None = None  # --schema: the library's PostgreSQL schema
        self.parse_only = parse_only
        self.args: commands.Args | None = None
        self.command_path: list[str] = []


def _store_db(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--db`` before or after the command name: the innermost one given wins."""
    if value is not None:
        state = ctx.ensure_object(State)
        state.db = value
        source = ctx.get_parameter_source(param.name or "db")
        state.db_from_env = source is ParameterSource.ENVIRONMENT


def _store_schema(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.ensure_object(State).schema = value


def _database(ctx: click.Context, default: str) -> str:
    """The database of this run: ``--db`` (after the command, else before it), then
    :data:`ENV_DB` (``demo`` excepted: it never takes the operators' database from the
    environment), then ``default``."""
    state = ctx.ensure_object(State)
    if state.db is not None and not (state.db_from_env and default == DEMO_DB):
        return state.db
    return default


def db_option(default: str = DEFAULT_DB, what: str = "SQLAlchemy database URL") -> Any:
    """``--db URL`` on a command (the same option as before the command name)."""
    return click.option(
        "--db",
        metavar="URL",
        expose_value=False,
        is_eager=True,
        callback=_store_db,
        help=f"{what} (default: ${ENV_DB}, else {default})",
    )


json_option = click.option("--json", "json", is_flag=True, help="print JSON for machines")
hotel_option = click.option(
    "--hotel", metavar="ID", help="the hotel (needed when the database holds several)"
)


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """The value of a ``--date`` option: a date written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not a date (YYYY-MM-DD): {value!r}") from None


def examples(*lines: str) -> str:
    """An epilog listing example command lines, kept as written (click's ``\\b``)."""
    return "\b\nExamples:\n" + "".join(f"  {PROG} {line}\n" for line in lines)


def handled_by(handler: Handler, *, default_db: str = DEFAULT_DB) -> Callable[..., int]:
    """A click callback running ``handler(args, out)`` with the parsed options as
    ``args`` (and ``db``, the database chosen, and ``command``, the top-level command)."""

    def callback(**params: Any) -> int:
        ctx = click.get_current_context()
        state = ctx.ensure_object(State)
        path = ctx.command_path.split()[1:]
        args = commands.Args(
            **params, db=_database(ctx, default_db), schema=state.schema, command=path[0]
        )
        state.args, state.command_path = args, path
        if state.parse_only:
            return ExitCode.OK
        return handler(args, state.out)

    callback.__name__ = handler.__name__
    return callback


# --- the tree ----------------------------------------------------------------------------

ROOT_HELP = f"""Rooms, bookings and housekeeping: hotel_occupancy's command line.

The database is --db URL (before or after the command name; after wins), else the
environment variable {ENV_DB}, else {DEFAULT_DB}. Every time is shown in the hotel's own
zone with its abbreviation; --json gives times in UTC and, as *_local, with the hotel's
offset, and every row names its hotel_id."""


@click.group(
    name=PROG,
    help=ROOT_HELP,
    epilog="\b\n"
    + EXIT_CODES_HELP
    + "\n\n"
    + examples(
        "init",
        "--db sqlite:///lake.db board",
        "board --db sqlite:///lake.db --hotel lake",
        "completion bash",
    ),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    metavar="URL",
    envvar=ENV_DB,
    show_envvar=True,
    expose_value=False,
    is_eager=True,
    callback=_store_db,
    help=f"SQLAlchemy database URL for every command (default: {DEFAULT_DB})",
)
@click.option(
    "--schema",
    metavar="NAME",
    envvar=ENV_SCHEMA,
    show_envvar=True,
    expose_value=False,
    is_eager=True,
    callback=_store_schema,
    help="PostgreSQL only: the schema the library's tables live in (default: the "
    "database's default schema; see docs/how-to/host-migrations.md)",
)
@click.version_option(ho.__version__, "--version", prog_name=PROG, message="%(prog)s %(version)s")
def root() -> None:
    """The command line's group; its commands do the work."""


def _command(
    group: click.Group,
    name: str,
    handler: Handler,
    *options: Callable[[Any], Any],
    help: str,
    example: Sequence[str],
    short_help: str | None = None,
    default_db: str = DEFAULT_DB,
    db_help: str = "SQLAlchemy database URL",
    with_db: bool = True,
) -> click.Command:
    """Add the command ``name`` to ``group``: its options (``--db`` after them), help and
    examples."""
    callback: Any = handled_by(handler, default_db=default_db)
    stack = [*options, db_option(default_db, db_help)] if with_db else list(options)
    for option in reversed(stack):
        callback = option(callback)
    return group.command(name, help=help, short_help=short_help, epilog=examples(*example))(
        callback
    )


_command(
    root,
    "demo",
    commands.cmd_demo,
    click.option("--seed", type=int, default=7, show_default=True, help="the random seed"),
    click.option("--days", type=int, default=5, show_default=True, help="days to simulate"),
    click.option("--rooms", type=int, default=24, show_default=True, help="rooms of the hotel"),
    help="Simulate several days at a generated hotel in an empty database; print the board, "
    f"a log summary and the invariant check. Without --db it uses {DEMO_DB}, recreated on "
    f"every run (${ENV_DB} is not used: the demo never writes to the operators' database).",
    short_help="simulate several days at a hotel",
    example=["demo", "demo --days 7 --rooms 40 --seed 3"],
    default_db=DEMO_DB,
    db_help="an empty database",
)
_command(
    root,
    "init",
    commands.cmd_init,
    help="Create the library's schema (Alembic) in a new or empty database.",
    example=["init", "init --db sqlite:///lake.db"],
)


@root.group(
    "db", epilog=examples("db upgrade", "db upgrade --revision head --db sqlite:///lake.db")
)
def db_group() -> None:
    """Schema migrations."""


_command(
    db_group,
    "upgrade",
    commands.cmd_upgrade,
    click.option("--revision", default="head", show_default=True, help="the target revision"),
    help="Migrate an existing database's schema to the newest revision (or --revision).",
    example=["db upgrade", "db upgrade --db postgresql+psycopg://app@db/hotel"],
)
_command(
    root,
    "board",
    commands.cmd_board,
    hotel_option,
    json_option,
    help="The room board: each room's status, condition, guest service status, open "
    "discrepancy, booking, the booking arriving into it, and the flags due out, overdue and "
    "queued; times in the hotel's zone.",
    short_help="the room board",
    example=["board", "board --hotel lake --json"],
)
_command(
    root,
    "history",
    commands.cmd_history,
    click.option("--room", required=True, metavar="ROOM", help="room id or number"),
    click.option("--limit", type=int, default=50, metavar="N", help="newest N entries (50)"),
    hotel_option,
    json_option,
    help="A room's operation log, newest first; ROOM is a room id or a room number of the "
    "(only or chosen) hotel.",
    short_help="a room's operation log",
    example=["history --room 101", "history --room lake-101 --limit 10 --json"],
)
_command(
    root,
    "tasks",
    commands.cmd_tasks,
    hotel_option,
    json_option,
    help="The open housekeeping tasks of the hotel.",
    short_help="open housekeeping tasks",
    example=["tasks", "tasks --hotel lake --json"],
)
date_option = click.option(
    "--date",
    metavar="YYYY-MM-DD",
    callback=_iso_date,
    help="the hotel's local date (default: today there)",
)
for _name, _help, _short in (
    (
        "arrivals",
        "The day's arrivals, and those due before that have not arrived.",
        "the day's arrivals",
    ),
    (
        "departures",
        "The in-house guests due out on the day, and those overdue.",
        "the day's departures",
    ),
):
    _command(
        root,
        _name,
        commands.cmd_stays,
        hotel_option,
        date_option,
        json_option,
        help=_help,
        short_help=_short,
        example=[_name, f"{_name} --hotel lake --date 2026-06-01 --json"],
    )
_command(
    root,
    "in-house",
    commands.cmd_stays,
    hotel_option,
    json_option,
    help="The bookings in house.",
    short_help="the bookings in house",
    example=["in-house", "in-house --hotel lake --json"],
)
_command(
    root,
    "night-audit",
    commands.cmd_night_audit,
    click.option(
        "--staff", required=True, metavar="ID", help="who runs it (front desk or manager)"
    ),
    click.option(
        "--date",
        metavar="YYYY-MM-DD",
        callback=_iso_date,
        help="the business date to close, the hotel's local date (default: yesterday there; "
        "an audit before midnight needs --date with today's date)",
    ),
    hotel_option,
    json_option,
    help="Close the business day: stayover cleanings, service statuses reset, rooms back "
    "from out of order; prints the rooms changed and the overdue departures. Once per hotel "
    "and date: run again, it changes nothing and says it was a replay, showing the first "
    "run's rooms. It runs after midnight for the day that ended, so the date defaults to "
    "yesterday's local date at the hotel.",
    short_help="close the business day",
    example=["night-audit --staff night-manager", "night-audit --staff amara --date 2026-06-01"],
)
_command(
    root,
    "worksheets",
    commands.cmd_worksheets,
    click.option("--staff", metavar="ID", help="who shares the work out (supervisor or manager)"),
    click.option(
        "--attendants",
        metavar="ID,ID,...",
        help="the attendants on duty, comma-separated, in the order their sheets are listed",
    ),
    click.option(
        "--max-credits",
        type=int,
        metavar="N",
        help="the most credits one attendant may be given (default: no limit)",
    ),
    click.option("--show", is_flag=True, help="show the current worksheets; generate nothing"),
    click.option("--attendant", metavar="ID", help="with --show: only this attendant's worksheet"),
    hotel_option,
    json_option,
    help="With --staff and --attendants: share the open, unstarted cleaning tasks among the "
    "attendants by credits, most urgent first, store who has which and show the sheets and "
    "the overflow. With --show: show the current sheets without changing anything (every "
    "attendant with tasks, and the tasks nobody has; or one attendant's sheet with "
    "--attendant).",
    short_help="share out the cleaning, or show the worksheets",
    example=[
        "worksheets --staff sofia --attendants ana,ben --max-credits 12",
        "worksheets --show --attendant ana",
    ],
)
_command(
    root,
    "discrepancies",
    commands.cmd_discrepancies,
    hotel_option,
    json_option,
    help="The open discrepancies between housekeeping's observations and the front office.",
    short_help="open discrepancies",
    example=["discrepancies", "discrepancies --hotel lake --json"],
)
_command(
    root,
    "check",
    commands.cmd_check,
    json_option,
    help="Verify every invariant over the whole database (and, on SQLite, the file's "
    f"integrity); exit code {int(ExitCode.INVARIANT)} listing the violations.",
    short_help="verify every invariant",
    example=["check", "check --json --db sqlite:///lake.db"],
)
_command(
    root,
    "do",
    commands.cmd_do,
    click.argument("service", type=click.Choice(commands.DO_SERVICES), metavar="SERVICE"),
    click.argument("arguments", nargs=-1, metavar="name=value..."),
    click.option("--hotel", metavar="ID", help="the hotel of a room given by number"),
    json_option,
    help=commands.DO_HELP,
    short_help="call an operation service: do SERVICE name=value ...",
    example=[
        "do check_in booking_id=B1 staff_id=S1",
        "do checkout_room room=101 staff_id=amara",
        "do set_out_of_order room=104 staff_id=S3 reason='water leak' until=2026-06-09",
        "do update_hotel hotel_id=H1 checkout_time=12:00 --json",
    ],
)
_command(
    root,
    "follow",
    commands.cmd_follow,
    click.option("--hotel", metavar="ID", help="only this hotel's events (default: all)"),
    click.option(
        "--after",
        metavar="POSITION",
        help="start after this position (0: from the start; default: only new events)",
    ),
    click.option(
        "--consumer",
        metavar="NAME",
        help="resume from this consumer's stored position and store it as events are printed "
        "(not with --after)",
    ),
    click.option("--once", is_flag=True, help="print what is there, then exit"),
    click.option("--limit", type=int, metavar="N", help="exit after N events"),
    json_option,
    help="Print each committed event as it happens, like tail -f (Ctrl-C or SIGTERM stops "
    "it, exit code 0).",
    short_help="print each event as it happens",
    example=["follow", "follow --after 0 --once --json", "follow --consumer screen --hotel lake"],
)
_command(
    root,
    "relay",
    commands.cmd_relay,
    click.option("--consumer", required=True, metavar="NAME", help="whose position is stored"),
    click.option("--url", required=True, metavar="URL", help="where to POST"),
    click.option("--hotel", metavar="ID", help="only this hotel's events (default: all)"),
    click.option("--batch", type=int, default=100, metavar="N", help="events per POST (100)"),
    click.option("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait (10)"),
    click.option(
        "--retry-initial",
        type=float,
        default=0.5,
        metavar="S",
        help="first pause after a failure, doubling (0.5)",
    ),
    click.option("--retry-max", type=float, default=30.0, metavar="S", help="longest pause (30)"),
    click.option("--once", is_flag=True, help="deliver what is there, then exit"),
    help="Deliver the feed as signed webhooks (the secret in "
    f"${relay.SECRET_VARIABLE}); batches of at most {MAX_LIMIT} events.",
    short_help=f"deliver the feed as signed webhooks (${relay.SECRET_VARIABLE})",
    example=["relay --consumer billing --url https://billing.example/hooks --once"],
)


@root.group("legacy", epilog=examples("legacy import --from sqlite:///old.db --dry-run"))
def legacy_group() -> None:
    """Take hotels over from the legacy schema."""


_source_options = (
    click.option("--from", "source", required=True, metavar="URL", help="the legacy database"),
    click.option("--settings", metavar="FILE", help="the settings the hotels were imported with"),
)
_command(
    legacy_group,
    "import",
    commands.cmd_legacy_import,
    click.option("--from", "source", required=True, metavar="URL", help="the legacy database"),
    click.option("--report", metavar="FILE", help="write the JSON report here"),
    click.option("--dry-run", is_flag=True, help="do everything, then roll back: write nothing"),
    click.option(
        "--settings", metavar="FILE", help="hotel settings the legacy schema lacks (TOML/JSON)"
    ),
    click.option("--prefix", default="", help="put before every imported id"),
    click.option(
        "--progress/--no-progress",
        default=None,
        help="draw a progress bar on stderr (default: when it is a terminal)",
    ),
    json_option,
    help="Import the legacy database's hotels, reconciling and reporting every conflict.",
    short_help="import the legacy database's hotels",
    example=[
        "legacy import --from sqlite:///old.db --dry-run",
        "legacy import --from sqlite:///old.db --settings hotels.toml --report import.json",
    ],
)
_command(
    legacy_group,
    "diff",
    commands.cmd_legacy_diff,
    *_source_options,
    click.option("--hotel", metavar="ID", help="only this hotel (the library's id)"),
    json_option,
    help="List every room and booking where the legacy database and the library disagree "
    f"(exit code 0 only when there is none, else {int(ExitCode.REFUSED)}).",
    short_help="where the legacy database and the library disagree",
    example=["legacy diff --from sqlite:///old.db", "legacy diff --from sqlite:///old.db --json"],
)
_command(
    legacy_group,
    "cutover",
    commands.cmd_legacy_cutover,
    *_source_options,
    click.option("--hotel", required=True, metavar="ID", help="the hotel"),
    click.option(
        "--by",
        default=getpass.getuser,
        help="who hands the hotel over (default: the login name)",
    ),
    click.option("--reason", default="", help="why, for the record"),
    click.option(
        "--back",
        is_flag=True,
        help="hand the hotel back to the legacy application (while its columns exist)",
    ),
    help="Hand an imported hotel to the library (refused while the diff finds changes).",
    short_help="hand an imported hotel to the library",
    example=["legacy cutover --from sqlite:///old.db --hotel 1 --reason 'go live'"],
)
_command(
    legacy_group,
    "mirror",
    commands.cmd_legacy_mirror,
    click.option("--from", "store", required=True, metavar="URL", help="the library's database"),
    click.option("--to", "target", required=True, metavar="LEGACY_URL", help="the legacy database"),
    click.option("--settings", metavar="FILE", help="the settings the hotels were imported with"),
    click.option(
        "--consumer",
        default=MIRROR_CONSUMER,
        help=f"the name of its position in the legacy database ({MIRROR_CONSUMER})",
    ),
    click.option("--limit", type=int, default=500, metavar="N", help="events per transaction"),
    click.option(
        "--sweep-every",
        type=float,
        default=60.0,
        metavar="S",
        help="look for bookings registered since (no event tells of them) at most every S "
        "seconds (60)",
    ),
    click.option("--once", is_flag=True, help="mirror what is there, sweep, then exit"),
    help="Write the legacy columns of the hotels the library owns, following the feed.",
    short_help="write the legacy columns, following the feed",
    example=["legacy mirror --from sqlite:///hotel.db --to sqlite:///old.db --once"],
    with_db=False,
)
_command(
    legacy_group,
    "drop-plan",
    commands.cmd_legacy_drop_plan,
    click.option(
        "--dialect",
        type=click.Choice(["sqlite", "postgresql"]),
        required=True,
        help="the legacy database's kind",
    ),
    help="Print the SQL that removes the legacy columns (refused while the legacy "
    "application owns a hotel).",
    short_help="the SQL that removes the legacy columns",
    example=["legacy drop-plan --dialect postgresql"],
)


def cmd_completion(args: commands.Args, out: Output) -> int:
    """``completion SHELL``: print the shell's completion script."""
    shell_class = get_completion_class(args.shell)
    assert shell_class is not None  # the choice allows known shells only
    out.write(shell_class(root, {}, PROG, COMPLETE_VAR).source().rstrip("\n") + "\n")
    return ExitCode.OK


_command(
    root,
    "completion",
    cmd_completion,
    click.argument("shell", type=click.Choice(["bash", "zsh", "fish"])),
    help="Print the shell completion script for bash, zsh or fish. Load it in the shell's "
    'start-up file, e.g. for bash: eval "$(hotel-occupancy completion bash)".',
    short_help="print the shell completion script",
    example=["completion bash", "completion zsh", "completion fish"],
    with_db=False,
)

admin.register(root, _command, hotel_option=hotel_option, json_option=json_option)


# --- running -----------------------------------------------------------------------------


class _Errors:
    """Reports a failure of one command as one line on stderr: every password the command
    line was given masked, control characters escaped, the cause named when SQLite tells
    it."""

    def __init__(self, argv: Sequence[str], args: commands.Args | None) -> None:
        found = vars(args) if args is not None else {}
        self.url: str = found.get("db") or found.get("store") or ""
        self.writing = (found.get("command") in _WRITERS and not found.get("show", False)) or bool(
            found.get("consumer")
        )
        self.passwords = sorted(
            {
                secret
                for text in [*argv, os.environ.get(ENV_DB, ""), self.url]
                for secret in _passwords(text)
            },
            key=len,
            reverse=True,
        )

    def say(self, line: str) -> None:
        for password in self.passwords:
            line = line.replace(password, "***")
        sys.stderr.write(visible(f"{PROG}: {line}") + "\n")

    def cause(self, error: BaseException) -> str | None:
        try:
            path = _sqlite_path(self.url)
        except CommandError:  # a URL that cannot be parsed names no file
            path = None
        return _sqlite_cause(error, path, writing=self.writing)


def _invoke(argv: list[str], state: State) -> int:
    """Parse ``argv`` and run its command; click's own stops (``--help``, ``--version``)
    and usage errors are returned and raised as they come."""
    try:
        with root.make_context(PROG, argv, obj=state) as ctx:
            result = root.invoke(ctx)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    return ExitCode.OK if result is None else int(result)


_NO_COMMAND: tuple[type[click.UsageError], ...] = tuple(
    found
    for found in [getattr(click.exceptions, "NoArgsIsHelpError", None)]
    if isinstance(found, type) and issubclass(found, click.UsageError)
)
"""What click (8.2 and later) raises for a group given without its command."""


def _run(argv: list[str], state: State) -> int:
    """Run a command; report its failure, if any, as one line; return the exit code."""
    try:
        return _invoke(argv, state)
    except _NO_COMMAND as error:  # a group given without its command: its help, on stdout
        state.out.write(error.format_message().rstrip("\n") + "\n")
        return ExitCode.USAGE
    except click.UsageError as error:
        errors = _Errors(argv, state.args)
        where = error.ctx.command_path if error.ctx is not None else PROG
        errors.say(f"error: {error.format_message()} (see {where} --help)")
        return ExitCode.USAGE
    except click.ClickException as error:
        _Errors(argv, state.args).say(f"error: {error.format_message()}")
        return error.exit_code
    except click.Abort:
        _Errors(argv, state.args).say("interrupted")
        return ExitCode.INTERRUPTED
    except CommandError as error:
        errors = _Errors(argv, state.args)
        if error.code is ExitCode.USAGE:
            where = " ".join([PROG, *state.command_path])
            errors.say(f"error: {error} (see {where} --help)")
        else:
            errors.say(f"error: {error}")
        return error.code
    except ho.StorageError as error:
        errors = _Errors(argv, state.args)
        errors.say(f"error: {errors.cause(error) or error}")
        return ExitCode.STORAGE
    except ho.RoomOccupancyError as error:
        errors = _Errors(argv, state.args)
        cause = errors.cause(error) if isinstance(error, ho.ConcurrencyConflict) else None
        errors.say(f"error: {cause}" if cause else f"refused: {type(error).__name__}: {error}")
        return ExitCode.STORAGE if cause else ExitCode.REFUSED
    except DBAPIError as error:
        errors = _Errors(argv, state.args)
        errors.say(f"error: {errors.cause(error) or translate(error)}")
        return ExitCode.STORAGE
    except (ValueError, KeyError, TypeError) as error:
        if not _raised_reading_rows(error):
            raise  # a bug of the command line itself: keep its traceback
        _Errors(argv, state.args).say(
            f"error: {_DAMAGED}: a stored value cannot be read ({type(error).__name__}: {error})"
        )
        return ExitCode.STORAGE
    except KeyboardInterrupt:
        _Errors(argv, state.args).say("interrupted")
        return ExitCode.INTERRUPTED


def _discard_stdout() -> None:
    """Send what is still buffered for stdout nowhere, so that the interpreter's final
    flush does not fail again (and print a traceback) at exit."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (tests, embedding)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _output_failed(error: OutputError, stream: Output, errors: _Errors) -> int:
    """Report that the output could not be written; return the exit code."""
    if stream is sys.stdout:
        _discard_stdout()
    cause = error.__cause__
    if isinstance(cause, BrokenPipeError):  # the reader went away: stop quietly
        return ExitCode.BROKEN_PIPE
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause
    errors.say(f"error: cannot write the output: {reason}")
    return ExitCode.REFUSED


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments), printing to
    ``out`` (default: stdout; click's help and version go there too); return the exit
    code (see :class:`ExitCode`). With ``_HOTEL_OCCUPANCY_COMPLETE`` set, answer click's
    shell-completion protocol instead."""
    stream: Output = out or sys.stdout
    arguments = list(sys.argv[1:] if argv is None else argv)
    output = _GuardedOutput(stream)
    state = State(output)
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:  # the shell asks for completions (click writes them to stdout itself)
        return shell_complete(root, {"obj": state}, PROG, COMPLETE_VAR, instruction)
    try:
        with redirect_stdout(output):
            code = _run(arguments, state)
            output.flush()
    except OutputError as error:
        return _output_failed(error, stream, _Errors(arguments, state.args))
    return code


def resolve(argv: Sequence[str]) -> list[str]:
    """The command path (``["legacy", "import"]``) that ``argv`` would run, its options
    parsed and checked as a run would, without running it (``do``'s ``name=value``
    arguments too: names the service takes, values of their kind, the required ones);
    click.UsageError if it does not parse (for the tests that keep the examples of the
    help and of the documentation honest)."""
    output = _GuardedOutput(sys.stdout)
    state = State(output, parse_only=True)
    with redirect_stdout(output):
        _invoke(list(argv), state)
    args = state.args
    if state.command_path == ["do"] and args is not None:
        try:
            commands.do_arguments(args.service, args.arguments)
        except UsageProblem as problem:
            raise click.UsageError(f"do {args.service}: {problem}") from None
    return state.command_path


def split_example(line: str) -> list[str]:
    """The arguments of an example line of a help text (``hotel-occupancy`` left out)."""
    words = shlex.split(line)
    assert words[0] == PROG, line
    return words[1:]
