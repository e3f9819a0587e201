"""The ``hotel-occupancy`` command line.

Every command takes ``--db URL`` (default: the SQLite file ``hotel-occupancy.db`` in the
current directory; ``demo`` uses ``hotel-occupancy-demo.db``, recreated on each run).
Errors are one line on stderr and a non-zero exit code; nothing is changed by a command
that fails.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, TextIO

from alembic.util import CommandError as AlembicError
from attrs import asdict, has
from sqlalchemy import Engine, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.schema import hotels
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.domain.transitions import ACTIONS
from hotel_occupancy.simulation import simulate, simulation_clock

PROG = "hotel-occupancy"
DEFAULT_DB = "sqlite:///hotel-occupancy.db"
DEMO_DB = "sqlite:///hotel-occupancy-demo.db"


class CommandError(Exception):
    """A failure to report as one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


# --- opening databases -------------------------------------------------------------------


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, read without writing a byte to it."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{path} is not a usable SQLite database: {error}") from None


def _not_ours(url: str) -> str:
    return f"{url} is not a hotel_occupancy database (create one with: {PROG} init)"


def open_engine(url: str, *, must_exist: bool = True) -> Engine:
    """An engine for ``url``; with ``must_exist``, the database must already hold the
    library's schema at the current revision. Nothing is written to a database that
    turns out not to be one of ours."""
    try:
        path = _sqlite_path(url)
    except (ArgumentError, ValueError) as error:
        raise CommandError(f"malformed database URL {url!r}: {error}") from None
    if must_exist and path is not None:
        if not path.exists():
            raise CommandError(f"no database at {path} (create one with: {PROG} init --db {url})")
        if "ho_occupancies" not in _sqlite_tables(path):
            raise CommandError(
                f"{url} is not a hotel_occupancy database (create one with: {PROG} init)"
            )
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise CommandError(f"malformed database URL {url!r}: {error}") from None
    except ImportError as error:
        raise CommandError(f"no driver installed for {url!r}: {error}") from None
    if not must_exist:
        return engine
    try:
        tables = set(sa_inspect(engine).get_table_names())
        revision = migrate.current(engine)
    except DBAPIError as error:
        raise CommandError(str(translate(error))) from None
    if "ho_occupancies" not in tables:
        raise CommandError(
            f"{url} is not a hotel_occupancy database (create one with: {PROG} init)"
        )
    if revision is not None and revision != migrate.head():
        raise CommandError(
            f"{url} has schema revision {revision}; this version needs {migrate.head()} "
            f"(run: {PROG} db upgrade --db {url})"
        )
    return engine


def _hotel_id(uow: SqlAlchemyUnitOfWork, requested: str | None) -> str:
    if requested:
        return requested
    hotels = _hotels(uow)
    if len(hotels) == 1:
        return hotels[0]
    if not hotels:
        raise CommandError("the database holds no hotel yet")
    raise CommandError(
        f"the database holds several hotels; choose one with --hotel ({', '.join(hotels)})"
    )


def _hotels(uow: SqlAlchemyUnitOfWork) -> list[str]:
    with uow.reading():
        return list(
            uow.connection.execute(select(hotels.c.hotel_id).order_by(hotels.c.hotel_id)).scalars()
        )


# --- output ------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A JSON-ready version of results (attrs objects, enums, dates)."""
    if has(type(value)):
        return {k: plain(v) for k, v in asdict(value, recurse=False).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def print_json(value: Any, out: TextIO) -> None:
    """Print ``value`` (results, entities, plain data) as indented JSON."""
    json.dump(plain(value), out, indent=2)
    out.write("\n")


def table(rows: Sequence[Sequence[object]], out: TextIO) -> None:
    """Print rows as an aligned table, the first row being the header."""
    text = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(text[0]))]
    for index, row in enumerate(text):
        out.write(("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def print_board(board: Sequence[ho.BoardRow], out: TextIO) -> None:
    rows: list[list[object]] = [
        ["room", "status", "condition", "booking", "guests", "expected checkout"]
    ]
    for r in board:
        rows.append(
            [
                r.number,
                r.status.value,
                r.condition.value,
                r.booking_reference or "",
                r.guest_count or "",
                _when(r.expected_checkout),
            ]
        )
    table(rows, out)
    counts = Counter(r.status.value for r in board)
    out.write("\n" + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + "\n")


def print_history(entries: Sequence[ho.LogEntry], out: TextIO) -> None:
    rows: list[list[object]] = [
        ["#", "time (UTC)", "operation", "by", "booking", "status", "condition", "notes"]
    ]
    for e in entries:
        status = e.status_after.value
        if e.status_before is not e.status_after:
            status = f"{e.status_before.value} -> {status}"
        condition = e.condition_after.value
        if e.condition_before is not e.condition_after:
            condition = f"{e.condition_before.value} -> {condition}"
        operation = e.operation.value + (f" (from {e.from_room_id})" if e.from_room_id else "")
        rows.append(
            [
                e.id,
                _when(e.timestamp),
                operation,
                e.performed_by,
                e.booking_id or "",
                status,
                condition,
                e.notes,
            ]
        )
    table(rows, out)


def print_tasks(tasks: Sequence[ho.HousekeepingTask], numbers: dict[str, str], out: TextIO) -> None:
    if not tasks:
        out.write("no open tasks\n")
        return
    rows: list[list[object]] = [["room", "task", "status", "assigned to", "since"]]
    for t in tasks:
        rows.append(
            [
                numbers.get(t.room_id, t.room_id),
                t.kind.value,
                t.status.value,
                t.assigned_to or "",
                _when(t.created_at),
            ]
        )
    table(rows, out)


# --- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    engine = open_engine(args.db, must_exist=False)
    migrate.upgrade(engine)
    out.write(f"database ready at schema revision {migrate.current(engine)}: {args.db}\n")
    return 0


def cmd_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    path = _sqlite_path(args.db)
    if path is not None and not path.exists():
        raise CommandError(f"no database at {path} (create one with: {PROG} init --db {args.db})")
    engine = open_engine(args.db, must_exist=False)
    before = migrate.current(engine)
    try:
        migrate.upgrade(engine, args.revision)
    except AlembicError as error:
        raise CommandError(f"cannot upgrade to {args.revision!r}: {error}") from None
    out.write(f"schema revision {before or 'none'} -> {migrate.current(engine)}\n")
    return 0


def cmd_board(args: argparse.Namespace, out: TextIO) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    board = services.room_board(uow, _hotel_id(uow, args.hotel))
    if args.json:
        print_json(board, out)
    else:
        print_board(board, out)
    return 0


def _room_id(uow: SqlAlchemyUnitOfWork, room: str, hotel: str | None) -> str:
    """A room id, also accepting a room number of the (only or chosen) hotel."""
    try:
        services.get_occupancy(uow, room)
        return room
    except ho.RoomNotFound:
        pass
    hotel_id = _hotel_id(uow, hotel)  # several hotels: the number needs --hotel
    for row in services.room_board(uow, hotel_id):
        if row.number == room:
            return row.room_id
    raise CommandError(f"unknown room {room!r}")


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    entries = services.room_history(uow, _room_id(uow, args.room, args.hotel))[: args.limit]
    if args.json:
        print_json(entries, out)
    elif entries:
        print_history(entries, out)
    else:
        out.write(f"no history yet for room {args.room}\n")
    return 0


def cmd_tasks(args: argparse.Namespace, out: TextIO) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel_id = _hotel_id(uow, args.hotel)
    tasks = services.open_tasks(uow, hotel_id)
    if args.json:
        print_json(tasks, out)
    else:
        numbers = {r.room_id: r.number for r in services.room_board(uow, hotel_id)}
        print_tasks(tasks, numbers, out)
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    snapshot = uow.snapshot()
    violations = check_invariants(snapshot)
    if args.json:
        print_json(
            {
                "ok": not violations,
                "rooms": len(snapshot.rooms),
                "log_entries": len(snapshot.log),
                "violations": [
                    {"invariant": v.invariant, "message": v.message} for v in violations
                ],
            },
            out,
        )
    elif violations:
        out.write(f"{len(violations)} invariant violation(s):\n")
        for violation in violations:
            out.write(f"  {violation}\n")
    else:
        out.write(
            f"all invariants hold ({len(snapshot.hotels)} hotels, {len(snapshot.rooms)} rooms, "
            f"{len(snapshot.log)} log entries)\n"
        )
    return 1 if violations else 0


def _parse_value(name: str, text: str) -> object:
    if name in ("check_in", "passed"):
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise CommandError(f"{name} must be true or false, not {text!r}")
    return text


def cmd_do(args: argparse.Namespace, out: TextIO) -> int:
    service = getattr(services, args.service)
    parameters = inspect.signature(service).parameters
    kwargs: dict[str, object] = {}
    for pair in args.arguments:
        name, sep, value = pair.partition("=")
        if not sep or name not in parameters or name == "uow":
            allowed = ", ".join(p for p in parameters if p != "uow")
            raise CommandError(
                f"{args.service} takes name=value arguments among: {allowed}; got {pair!r}"
            )
        kwargs[name] = _parse_value(name, value)
    missing = [
        p.name
        for p in parameters.values()
        if p.name != "uow" and p.default is inspect.Parameter.empty and p.name not in kwargs
    ]
    if missing:
        raise CommandError(f"{args.service} needs {', '.join(f'{m}=...' for m in missing)}")
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    entries = service(uow, **kwargs)
    if args.json:
        print_json(entries, out)
    else:
        print_history(entries, out)
    return 0


class _Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = f"simulating day {done}/{total} [{'#' * filled}{'.' * (width - filled)}]"
        if self.tty:
            self.stream.write("\r" + bar + ("\n" if done == total else ""))
        else:
            self.stream.write(bar + "\n")
        self.stream.flush()


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.days < 1 or args.rooms < 1 or args.rooms > 2000 or args.days > 365:
        raise CommandError("--days must be 1-365 and --rooms 1-2000")
    path = _sqlite_path(args.db)
    if args.db == DEMO_DB and path is not None and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = open_engine(args.db, must_exist=False)
    migrate.upgrade(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=simulation_clock())
    if _hotels(uow):
        raise CommandError(f"{args.db} already holds hotels; run the demo on an empty database")
    out.write(f"Simulating {args.days} days at a {args.rooms}-room hotel (seed {args.seed})\n")
    report = simulate(
        uow, seed=args.seed, days=args.days, rooms=args.rooms, progress=_Progress(sys.stderr)
    )
    out.write("\nRoom board at the end of the last day:\n\n")
    print_board(services.room_board(uow, report.hotel_id), out)
    snapshot = uow.snapshot()
    log = snapshot.log
    staff = len({e.performed_by for e in log})
    out.write(f"\nOperation log: {len(log)} entries by {staff} staff members\n\n")
    by_operation = Counter(e.operation.value for e in log)
    failed = sum(
        1 for e in log if e.operation is ho.Operation.INSPECT and e.metadata.get("passed") is False
    )
    undone = sum(
        1 for e in log if e.operation is ho.Operation.UNASSIGN and e.metadata.get("undo_check_in")
    )
    early = sum(
        1 for e in log if e.operation is ho.Operation.CHECKOUT and e.notes == "early departure"
    )
    table([["operation", "entries"], *sorted(by_operation.items())], out)
    out.write(
        f"\n{report.bookings} bookings; {early} early departures, {failed} failed inspections, "
        f"{undone} check-ins undone, {report.unplaced_arrivals} arrivals without a ready room.\n"
    )
    if report.refusals:
        refused = ", ".join(f"{n} {name}" for name, n in sorted(report.refusals.items()))
        out.write(f"Refused along the way (and handled): {refused}.\n")
    violations = check_invariants(snapshot)
    if violations:
        out.write("Invariants BROKEN:\n" + "".join(f"  {v}\n" for v in violations))
        return 1
    out.write(f"Every invariant holds. Explore it: {PROG} board --db {args.db}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, description="Rooms, bookings and housekeeping: hotel_occupancy's command line."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {ho.__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="URL",
        help=f"SQLAlchemy database URL (default: {DEFAULT_DB})",
    )
    output = _Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON for machines")
    hotel = _Parser(add_help=False)
    hotel.add_argument("--hotel", metavar="ID", help="the hotel (needed when there are several)")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    demo = commands.add_parser("demo", help="simulate several days at a hotel")
    demo.add_argument(
        "--db",
        default=DEMO_DB,
        metavar="URL",
        help=f"an empty database (default: {DEMO_DB}, recreated on every run)",
    )
    demo.set_defaults(handler=cmd_demo)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--days", type=int, default=5)
    demo.add_argument("--rooms", type=int, default=24)
    commands.add_parser("init", parents=[common], help="create the schema (Alembic)").set_defaults(
        handler=cmd_init
    )
    db = commands.add_parser("db", help="schema migrations")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    upgrade = db_commands.add_parser(
        "upgrade", parents=[common], help="migrate the schema to the newest revision"
    )
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(handler=cmd_upgrade)
    commands.add_parser(
        "board", parents=[common, output, hotel], help="the room board"
    ).set_defaults(handler=cmd_board)
    history = commands.add_parser(
        "history", parents=[common, output, hotel], help="a room's operation log"
    )
    history.add_argument("--room", required=True, help="room id or number")
    history.add_argument("--limit", type=int, default=50, help="newest N entries (default 50)")
    history.set_defaults(handler=cmd_history)
    commands.add_parser(
        "tasks", parents=[common, output, hotel], help="open housekeeping tasks"
    ).set_defaults(handler=cmd_tasks)
    commands.add_parser(
        "check", parents=[common, output], help="verify every invariant; exit 1 on violations"
    ).set_defaults(handler=cmd_check)
    do = commands.add_parser(
        "do", parents=[common, output], help="call an operation service: do SERVICE name=value ..."
    )
    do.add_argument("service", choices=ACTIONS, metavar="SERVICE", help=", ".join(ACTIONS))
    do.add_argument("arguments", nargs="*", metavar="name=value")
    do.set_defaults(handler=cmd_do)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) == "do":
        # options may come after the service name: the name=value pairs are left over
        pairs = [item for item in extra if "=" in item and not item.startswith("-")]
        args.arguments = [*args.arguments, *pairs]
        extra = [item for item in extra if item not in pairs]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    try:
        return handler(args, out)
    except CommandError as error:
        sys.stderr.write(f"{PROG}: error: {error}\n")
    except ho.RoomOccupancyError as error:
        sys.stderr.write(f"{PROG}: refused: {type(error).__name__}: {error}\n")
    except DBAPIError as error:
        sys.stderr.write(f"{PROG}: error: {translate(error)}\n")
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
