"""The ``hotel-occupancy`` command line.

Every command takes ``--db URL`` (default: the SQLite file ``hotel-occupancy.db`` in the
current directory; ``demo`` uses ``hotel-occupancy-demo.db``, recreated on each run).
Errors are one line on stderr and a non-zero exit code; nothing is changed by a command
that fails.

The reading commands (``board``, ``history``, ``tasks``, ``arrivals``, ``departures``,
``in-house``, ``discrepancies``, ``worksheets --show``, ``check``) only ever open read-only
transactions: on SQLite they never take the write lock, so they answer at once while a
writer works. ``board``, the front desk's lists and the housekeeping day's commands
(``night-audit``, ``worksheets``, ``discrepancies``) show times in the hotel's own zone,
which their titles name (``history``, ``tasks`` and ``follow`` keep to UTC); their
``--json`` gives each time in UTC and in local time (``*_local``). Text output shows
control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``), so stored text can neither
forge lines nor drive the terminal; ``--json`` is exact. A password in ``--db`` is never
printed.

``follow`` and ``relay`` run until interrupted (Ctrl-C or SIGTERM, their normal end: exit
code 0) unless given ``--once``; see :mod:`hotel_occupancy.relay` for the webhooks.
"""

from __future__ import annotations

import argparse
import getpass
import inspect
import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from enum import Enum, StrEnum
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, Protocol, TextIO, TypeVar

from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError as AlembicError
from attrs import asdict, frozen, has
from sqlalchemy import Connection, Engine, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import hotel_occupancy as ho
from hotel_occupancy import relay, services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.legacy_drop import render_plan
from hotel_occupancy.adapters.legacy_mirror import LegacySqlTarget
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate
from hotel_occupancy.adapters.sqlalchemy import engine as engine_setup
from hotel_occupancy.adapters.sqlalchemy.engine import BEGIN_OPTION
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.schema import hotels
from hotel_occupancy.domain.dates import local_date
from hotel_occupancy.domain.invariants import Violation, check_invariants
from hotel_occupancy.domain.legacy import ImportSettings, Owner
from hotel_occupancy.domain.transitions import ACTIONS
from hotel_occupancy.domain.zones import zone
from hotel_occupancy.services import lookups
from hotel_occupancy.services.feed import MAX_LIMIT
from hotel_occupancy.services.side_by_side import MIRROR_CONSUMER
from hotel_occupancy.simulation import simulate, simulation_clock

PROG = "hotel-occupancy"
DEFAULT_DB = "sqlite:///hotel-occupancy.db"
DEMO_DB = "sqlite:///hotel-occupancy-demo.db"


class CommandError(Exception):
    """A failure to report as one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(visible(f"{self.prog}: error: {message} (see {self.prog} --help)") + "\n")
        raise SystemExit(2)


# --- showing text safely -----------------------------------------------------------------

_ACTED_ON = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Unicode categories a terminal acts on instead of showing: C0 and C1 controls and DEL
(Cc), format characters such as bidi overrides (Cf), line and paragraph separators (Zl,
Zp), lone surrogates (Cs)."""


def visible_lines(text: str) -> str:
    """Each line of ``text`` made :func:`visible`, the line breaks kept."""
    return "".join(visible(line) + "\n" for line in text.splitlines())


def visible(text: str) -> str:
    """``text`` with every character a terminal would act on escaped as Python writes it
    (``\\n``, ``\\r``, ``\\x1b``, ``\\x9b``, ``\\u202e``...): printed, it is one line that
    looks like what is stored and cannot move the cursor, colour the screen or reorder
    what follows."""
    if text.isprintable():  # the common case; False for more than we escape (e.g. U+00A0)
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _ACTED_ON else ch
        for ch in text
    )


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)([^@\s]*)@")


def shown_url(url: str) -> str:
    """``url`` as it may be printed: its password, if it has one, masked as ``***``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # malformed: mask what looks like a password
        return _PASSWORD_IN_URL.sub(r"\1***@", url)
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def _passwords(url: str) -> list[str]:
    """The password of ``url`` in every spelling a message might repeat."""
    found = [match.group(2) for match in _PASSWORD_IN_URL.finditer(url)]
    with suppress(ArgumentError, ValueError):
        found.append(make_url(url).password or "")
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


# --- opening databases -------------------------------------------------------------------


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, read without writing a byte to it (waiting for a lock
    as long as the library's writers do)."""
    if path.is_dir():
        raise CommandError(f"{path} is a directory, not a database file")
    timeout = engine_setup.BUSY_TIMEOUT_MS / 1000
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        cause = _sqlite_cause(error, path, writing=False)
        raise CommandError(cause or f"{path} is not a usable SQLite database: {error}") from None


def _not_ours(url: str) -> str:
    return f"{shown_url(url)} is not a hotel_occupancy database (create one with: {PROG} init)"


@contextmanager
def _read_only(engine: Engine) -> Iterator[Connection]:
    """A connection for the command line's own reads: its transactions BEGIN read-only
    (on SQLite a plain ``BEGIN``, never the writers' ``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{BEGIN_OPTION: "BEGIN"})


def open_engine(url: str, *, must_exist: bool = True) -> Engine:
    """An engine for ``url``; with ``must_exist``, the database must already hold the
    library's schema at the current revision. Nothing is written to a database that
    turns out not to be one of ours, and checking takes no write lock."""
    shown = shown_url(url)
    try:
        path = _sqlite_path(url)
    except (ArgumentError, ValueError) as error:
        raise CommandError(f"malformed database URL {shown!r}: {error}") from None
    if must_exist and path is not None:
        if not path.exists():
            raise CommandError(f"no database at {path} (create one with: {PROG} init --db {shown})")
        if "ho_occupancies" not in _sqlite_tables(path):
            raise CommandError(_not_ours(url))
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise CommandError(f"malformed database URL {shown!r}: {error}") from None
    except ImportError as error:
        raise CommandError(f"no driver installed for {shown!r}: {error}") from None
    if not must_exist:
        return engine
    with _read_only(engine) as conn:
        tables = set(sa_inspect(conn).get_table_names())
        context = MigrationContext.configure(conn, opts={"version_table": migrate.VERSION_TABLE})
        revision = context.get_current_revision()
    if "ho_occupancies" not in tables:
        raise CommandError(_not_ours(url))
    if revision is not None and revision != migrate.head():
        raise CommandError(
            f"{shown} has schema revision {revision}; this version needs {migrate.head()} "
            f"(run: {PROG} db upgrade --db {shown})"
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


def _hotel(uow: SqlAlchemyUnitOfWork, hotel_id: str) -> ho.Hotel:
    """The hotel ``hotel_id`` (HotelNotFound, a refusal, if there is none)."""
    with uow.reading():
        return lookups.get_hotel(uow, hotel_id)


_FINDINGS = 50
"""The most findings of SQLite's integrity check reported."""


def _integrity_findings(engine: Engine) -> list[str]:
    """What SQLite finds wrong with the structure of the file (pages, b-trees, indexes),
    read-only: an empty list when it is sound, and on databases without such a check.

    ``PRAGMA integrity_check`` first; where it gives up on a damaged page, the lighter
    ``quick_check``; where even that cannot read the file, that is the finding."""
    if engine.dialect.name != "sqlite":
        return []
    failure: DBAPIError | None = None
    for pragma in ("integrity_check", "quick_check"):
        try:
            with _read_only(engine) as conn:
                rows = list(conn.exec_driver_sql(f"PRAGMA {pragma}({_FINDINGS})").scalars())
        except DBAPIError as error:
            if not _is_damage(error):
                raise
            failure = error
            continue
        found = [line for row in rows for line in str(row).splitlines()]
        return [line for line in found if line != "ok" and not line.startswith("*** ")]
    return [f"the file is too damaged to be checked: {_first_line(failure)}"]


# --- why a database failed ---------------------------------------------------------------

_DAMAGED = "the database is damaged or not a hotel_occupancy database"
_WRITERS = frozenset({"init", "db", "demo", "do", "legacy", "relay", "night-audit", "worksheets"})
"""The commands that write to the database (the others only read; ``follow`` writes its
consumer's position when given one; ``worksheets --show`` only reads)."""


def _sqlite_error(error: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind ``error`` (raised through SQLAlchemy and the library)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return current
        if isinstance(current, DBAPIError) and isinstance(current.orig, sqlite3.Error):
            return current.orig
        current = current.__cause__ or current.__context__
    return None


def _first_line(error: BaseException | None) -> str:
    """The first line of an error's message (through SQLAlchemy, of the driver's)."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _is_damage(error: BaseException) -> bool:
    """Whether SQLite found the file damaged, or not a database at all."""
    found = _sqlite_error(error)
    return found is not None and getattr(found, "sqlite_errorname", "").startswith(
        ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    )


def _sqlite_cause(error: BaseException, path: Path | None, *, writing: bool) -> str | None:
    """A message naming the cause of a SQLite failure behind ``error`` (a damaged file, a
    lock held by another process, a directory or file the user may not write), or None
    when there is no SQLite error behind it or its cause is not one of those."""
    found = _sqlite_error(error)
    if found is None:
        return None
    name = getattr(found, "sqlite_errorname", "")
    detail = _first_line(found)
    if _is_damage(found):
        return f"{_DAMAGED}: {detail}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        where = path if path is not None else "the database"
        return f"{where} is locked by another process ({detail}); nothing was changed"
    if path is not None and name.startswith(
        ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_IOERR")
    ):
        problems = _access_problems(path, writing=writing)
        if problems:
            return (
                f"cannot {'write' if writing else 'read'} {path}: {'; '.join(problems)} ({detail})"
            )
    return None


def _access_problems(path: Path, *, writing: bool) -> list[str]:
    """What keeps SQLite from opening ``path``, or from writing to it, as far as the file
    system tells: a missing directory, a non-directory on the way, a directory given as the
    file, a file or a directory the user may not write. (SQLite keeps a database's ``-wal``
    and ``-shm`` files next to it, so even a reader may need to create them there.)"""
    path = Path(os.path.abspath(path))
    parent = path.parent
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return [f"{ancestor} is not a directory"]
    if ancestor != parent:
        return [f"directory {parent} does not exist"]
    if path.is_dir():
        return [f"{path} is a directory"]
    problems = []
    if path.exists() and not os.access(path, os.R_OK):
        problems.append(f"file {path} not readable")
    elif path.exists() and writing and not os.access(path, os.W_OK):
        problems.append(f"file {path} not writable")
    shm = Path(f"{path}-shm")
    for side in (Path(f"{path}-wal"), shm):
        if side.exists() and not os.access(side, os.R_OK | os.W_OK):
            problems.append(f"file {side} not writable")
    if (writing or not shm.exists()) and not os.access(parent, os.W_OK | os.X_OK):
        problems.append(f"directory {parent} not writable")
    return problems


_ADAPTER = "hotel_occupancy.adapters.sqlalchemy"


def _raised_reading_rows(error: BaseException) -> bool:
    """Whether ``error`` was raised inside the SQLAlchemy adapter (turning stored rows into
    objects), rather than by the command line's own code."""
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_globals.get("__name__", "").startswith(_ADAPTER):
            return True
        frame = frame.tb_next
    return False


# --- output ------------------------------------------------------------------------------


class Output(Protocol):
    """Where a command prints: a text stream (``sys.stdout``, ``io.StringIO``...)."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class OutputError(Exception):
    """The output could not be written (a closed pipe, a full disk); its cause is the
    ``OSError``."""


class _GuardedOutput:
    """An output whose write failures are raised as :class:`OutputError`, told apart from
    every other error of a command."""

    def __init__(self, stream: Output) -> None:
        self.stream = stream

    def write(self, text: str, /) -> int:
        try:
            self.stream.write(text)
        except OSError as error:
            raise OutputError(error) from error
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputError(error) from error


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


def print_json(value: Any, out: Output) -> None:
    """Print ``value`` (results, entities, plain data) as indented JSON."""
    json.dump(plain(value), out, indent=2)
    out.write("\n")


def table(rows: Sequence[Sequence[object]], out: Output) -> None:
    """Print rows as an aligned table, the first row being the header; control characters
    in the cells are shown escaped (see :func:`visible`)."""
    text = [["" if cell is None else visible(str(cell)) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(text[0]))]
    for index, row in enumerate(text):
        out.write(("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    """``moment`` in the IANA zone ``timezone`` (None stays None)."""
    return None if moment is None else moment.astimezone(zone(timezone))


@frozen
class Waiting:
    """A booking waiting for a room on the board: pre-assigned to a vacant room, or
    arriving into an occupied one whose guest is due out."""

    reference: str
    queued: bool


def _waiting_for(row: ho.BoardRow) -> str | None:
    """The booking waiting for the room of ``row``: the one arriving into it while its
    guest is due out, or the one pre-assigned to it while it is vacant."""
    if row.arriving_booking_id is not None:
        return row.arriving_booking_id
    return row.booking_id if row.status is not ho.OccupancyStatus.OCCUPIED else None


def waiting_bookings(uow: SqlAlchemyUnitOfWork, board: Sequence[ho.BoardRow]) -> dict[str, Waiting]:
    """The reference and queue state of each booking waiting for a room of ``board``."""
    waiting: dict[str, Waiting] = {}
    for row in board:
        booking_id = _waiting_for(row)
        if booking_id is not None:
            view = services.get_booking(uow, booking_id)
            waiting[booking_id] = Waiting(view.reference, view.booking.queued_at is not None)
    return waiting


def _queued(row: ho.BoardRow, waiting: dict[str, Waiting]) -> bool:
    """Whether the guest of the booking waiting for the room of ``row`` waits at the desk."""
    booking_id = _waiting_for(row)
    return row.queued or (booking_id in waiting and waiting[booking_id].queued)


def _board_flags(row: ho.BoardRow, waiting: dict[str, Waiting]) -> str:
    flags = ["overdue" if row.overdue else "due out"] if row.due_out or row.overdue else []
    if _queued(row, waiting):
        flags.append("queued")
    return ", ".join(flags)


SERVICE_LABELS: dict[ho.ServiceStatus, str] = {
    ho.ServiceStatus.NONE: "",
    ho.ServiceStatus.DND: "DND",
    ho.ServiceStatus.MAKE_UP_ROOM: "MAKE_UP",
    ho.ServiceStatus.SERVICE_REFUSED: "REFUSED",
}
"""How a guest service status reads in the compact columns of the board and the
worksheets (NONE is left blank)."""


def _reference(booking_id: str | None, waiting: dict[str, Waiting]) -> str:
    if booking_id is None:
        return ""
    return waiting[booking_id].reference if booking_id in waiting else booking_id


def print_board(
    board: Sequence[ho.BoardRow],
    out: Output,
    *,
    timezone: str = "UTC",
    waiting: dict[str, Waiting] | None = None,
) -> None:
    """The board as a table, times in the hotel's zone ``timezone`` (named in the column
    title): each room's guest service status (``service``: DND, MAKE_UP or REFUSED; blank
    for none) and open discrepancy (``disc``: SKIP, SLEEP or PERSON), the booking in it,
    the one arriving into it when its guest is due out, and the flags "due out" /
    "overdue" (the guest in house) and "queued" (the guest waiting at the desk for the
    room); then the counts."""
    waiting = waiting or {}
    rows: list[list[object]] = [
        [
            "room",
            "status",
            "condition",
            "service",
            "disc",
            "booking",
            "guests",
            f"expected checkout ({timezone})",
            "arriving",
            "flags",
        ]
    ]
    for r in board:
        rows.append(
            [
                r.number,
                r.status.value,
                r.condition.value,
                SERVICE_LABELS[r.service_status],
                r.discrepancy.value if r.discrepancy is not None else "",
                r.booking_reference or "",
                r.guest_count or "",
                _when(r.expected_checkout_local or _local(r.expected_checkout, timezone)),
                _reference(r.arriving_booking_id, waiting),
                _board_flags(r, waiting),
            ]
        )
    table(rows, out)
    counts = Counter(r.status.value for r in board)
    line = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    due = sum(1 for r in board if r.due_out or r.overdue)
    overdue = sum(1 for r in board if r.overdue)
    extra = [
        (due, f"due out ({overdue} overdue)" if overdue else "due out"),
        (sum(1 for r in board if r.arriving_booking_id is not None), "arriving"),
        (sum(1 for r in board if _queued(r, waiting)), "queued"),
        *(
            (sum(1 for r in board if r.service_status is status), status.value)
            for status in ho.ServiceStatus
            if status is not ho.ServiceStatus.NONE
        ),
        (sum(1 for r in board if r.discrepancy is not None), "with a discrepancy"),
    ]
    shown = [f"{n} {what}" for n, what in extra if n]
    out.write("\n" + line + (f"; {', '.join(shown)}" if shown else "") + "\n")


def show_board(uow: SqlAlchemyUnitOfWork, hotel_id: str, out: Output) -> None:
    """Print the hotel's room board (see :func:`print_board`)."""
    board = services.room_board(uow, hotel_id)
    print_board(
        board, out, timezone=_hotel(uow, hotel_id).timezone, waiting=waiting_bookings(uow, board)
    )


def _change(before: StrEnum | None, after: StrEnum | None) -> str:
    """``A -> B``, ``A`` when unchanged, ``(imported)`` for legacy history with no state."""
    if before is None or after is None:
        return "(imported)"
    return after.value if before is after else f"{before.value} -> {after.value}"


_CLOSED = {"cancelled": "cancelled", "no_show": "no-show"}
"""How a log entry's ``metadata["why"]`` reads, for a booking closed before it arrived."""


def _stay_change(metadata: Any) -> str:
    """What a STAY_CHANGE entry changed, from its metadata, in a few words."""
    action = metadata.get("action")
    if action == "change_stay":
        parts = [
            f"{what} {metadata.get(f'{what}_before')} -> {metadata.get(f'{what}_after')}"
            for what in ("arrival", "departure")
            if metadata.get(f"{what}_before") != metadata.get(f"{what}_after")
        ]
        return "; ".join(parts) or "dates"
    if action == "update_party":
        moves = [
            f"{metadata[key]} {key}"
            for key in ("joined", "left", "renamed")
            if isinstance(metadata.get(key), int) and metadata[key]
        ]
        size = f"party {metadata.get('party_before')} -> {metadata.get('party_after')}"
        return size + (f": {', '.join(moves)}" if moves else "")
    if action == "queue_arrival":
        return "queued"
    why = metadata.get("why")
    if isinstance(why, str) and why in _CLOSED:
        return _CLOSED[why]
    return str(action or "")


def describe_operation(entry: ho.LogEntry | ho.OccupancyEvent) -> str:
    """The operation of a log entry, with what the table would not show otherwise: the
    source of a move or reassignment, what a STAY_CHANGE changed, why a booking was
    released (cancelled, no-show), an arrival pre-assigned into a due-out room; what a
    night audit did to the room, the service status set, what an observation found, and
    the discrepancy an operation resolved (§10)."""
    details = []
    if entry.from_room_id:
        details.append(f"from {entry.from_room_id}")
    metadata = entry.metadata
    why = metadata.get("why")
    if entry.operation is ho.Operation.STAY_CHANGE:
        details.append(_stay_change(metadata))
    elif isinstance(why, str) and why in _CLOSED:  # a pre-assignment released
        details.append(_CLOSED[why])
    elif entry.operation is ho.Operation.ASSIGN and metadata.get("arriving") is True:
        details.append("arriving")
    elif entry.operation is ho.Operation.NIGHT_AUDIT:
        details.append(audit_change(entry))
    elif entry.operation is ho.Operation.SERVICE_STATUS:
        details.append(str(metadata.get("service_status", "")))
    elif entry.operation is ho.Operation.DISCREPANCY:
        details.append(str(metadata.get("variant", "")))
    resolved = metadata.get("resolved_discrepancy")
    if isinstance(resolved, str):
        details.append(f"resolves {resolved}")
    details = [d for d in details if d]
    return entry.operation.value + (f" ({'; '.join(details)})" if details else "")


def print_history(entries: Sequence[ho.LogEntry], out: Output) -> None:
    rows: list[list[object]] = [
        ["#", "time (UTC)", "operation", "by", "booking", "status", "condition", "notes"]
    ]
    for e in entries:
        if e.is_booking_only:  # a booking that held no room: no room state to show
            status = condition = ""
        else:
            status, condition = (
                _change(e.status_before, e.status_after),
                _change(e.condition_before, e.condition_after),
            )
        rows.append(
            [
                e.id,
                _when(e.timestamp),
                describe_operation(e),
                e.performed_by,
                e.booking_id or "",
                status,
                condition,
                e.notes,
            ]
        )
    table(rows, out)


_STAY_TITLES = {
    "arrivals": "Arrivals",
    "departures": "Departures",
    "in-house": "In house",
}


def _stay_flags(row: ho.StayRow) -> str:
    """The flags of a row: "overdue arrival" (expected before the day, not arrived),
    "overdue" (past the expected checkout), "queued" (waiting at the desk), "arriving"
    (pre-assigned to a room whose guest is due out)."""
    late = "overdue arrival" if row.stage.is_open else "overdue"
    flags = [
        name
        for name, on in ((late, row.overdue), ("queued", row.queued), ("arriving", row.arriving))
        if on
    ]
    return ", ".join(flags)


def print_stays(rows: Sequence[ho.StayRow], out: Output, *, timezone: str) -> None:
    """The front desk's list of bookings as a table, times in the hotel's zone
    ``timezone`` (named in the column titles); then the counts by stage and flag."""
    table_rows: list[list[object]] = [
        [
            "reference",
            "stage",
            "room",
            "guests",
            "primary guest",
            "arrival",
            "departure",
            f"checked in ({timezone})",
            f"expected checkout ({timezone})",
            "flags",
        ]
    ]
    for r in rows:
        table_rows.append(
            [
                r.reference,
                r.stage.value,
                r.room_number or "",
                r.party_size,
                r.primary_name,
                r.arrival.isoformat(),
                r.departure.isoformat(),
                _when(_local(r.checked_in_at, timezone)),
                _when(r.expected_checkout_local or _local(r.expected_checkout, timezone)),
                _stay_flags(r),
            ]
        )
    table(table_rows, out)
    stages = Counter(r.stage.value for r in rows)
    line = ", ".join(f"{n} {stage}" for stage, n in sorted(stages.items()))
    flags = [
        (sum(1 for r in rows if r.overdue), "overdue"),
        (sum(1 for r in rows if r.queued), "queued"),
        (sum(1 for r in rows if r.arriving), "arriving"),
    ]
    shown = [f"{n} {what}" for n, what in flags if n]
    out.write("\n" + line + (f"; {', '.join(shown)}" if shown else "") + "\n")


def stay_data(row: ho.StayRow, timezone: str) -> dict[str, Any]:
    """A row of the front desk's lists as JSON-ready data: every field, each time in UTC
    and, as ``<name>_local``, in the hotel's zone (named by ``timezone``)."""
    data: dict[str, Any] = {}
    for name, value in plain(row).items():
        if name == "expected_checkout_local":
            continue  # placed beside its UTC twin below
        data[name] = value
        if name in ("checked_in_at", "checked_out_at", "expected_checkout"):
            moment = getattr(row, name)
            local = row.expected_checkout_local if name == "expected_checkout" else None
            data[f"{name}_local"] = plain(local or _local(moment, timezone))
    data["timezone"] = timezone
    return data


def print_tasks(tasks: Sequence[ho.HousekeepingTask], numbers: dict[str, str], out: Output) -> None:
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


def _count(n: int, what: str, plural: str | None = None) -> str:
    """``1 room``, ``2 rooms``."""
    return f"{n} {what if n == 1 else plural or what + 's'}"


def _local_title(moment: datetime, timezone: str) -> str:
    """``2026-06-02 07:30 (Europe/Lisbon)``: an instant in the hotel's zone, named."""
    return f"{_when(_local(moment, timezone))} ({timezone})"


# --- the housekeeping day: night audit, worksheets, discrepancies -------------------------

AUDIT_CHANGES = {
    "stayover": "stayover cleaning due",
    "service-reset": "service status reset",
    "return-DIRTY": "returned to service (DIRTY)",
    "return-CLEAN": "returned to service (CLEAN)",
}
"""What a night audit's entry did to its room, by the entry's ``metadata["variant"]``. A
stayover also resets the room's service status."""


def audit_change(entry: ho.LogEntry | ho.OccupancyEvent) -> str:
    """What the night audit's ``entry`` (or its event) changed in its room, in a few words."""
    variant = str(entry.metadata.get("variant", ""))
    return AUDIT_CHANGES.get(variant, variant or entry.operation.value)


@frozen
class AuditRun:
    """A run of ``night-audit``: the audit's entries and whether this run only replayed
    an audit of the same date done before (``replay``: nothing changed; the entries are
    that audit's). ``record`` is the audit as stored (who ran it, when); ``overdue`` the
    in-house bookings the audit found overdue to depart."""

    hotel: ho.Hotel
    business_date: date
    entries: tuple[ho.LogEntry, ...]
    replay: bool
    record: ho.NightAudit | None
    overdue: tuple[ho.BookingView, ...]
    numbers: dict[str, str]


def _overdue_ids(
    uow: SqlAlchemyUnitOfWork, hotel_id: str, day: date, entries: Sequence[ho.LogEntry]
) -> list[str]:
    """The bookings the audit of ``day`` found overdue: as its first entry's metadata
    says; an audit that changed no room has no entry to say it, so then the bookings in
    house now and due out on ``day`` or before."""
    if entries:
        try:
            found = json.loads(str(entries[0].metadata.get("overdue_departures", "[]")))
        except ValueError:
            found = []
        return [str(booking_id) for booking_id in found] if isinstance(found, list) else []
    return [row.booking_id for row in services.departures(uow, hotel_id, day)]


def print_night_audit(run: AuditRun, out: Output) -> None:
    """The night audit's rooms changed (number, what changed, status and condition, entry
    id) and the departures it found overdue; times in the hotel's zone."""
    hotel, tz = run.hotel, run.hotel.timezone
    out.write(
        visible(
            f"Night audit of {run.business_date.isoformat()} at {hotel.name} ({hotel.hotel_id})"
        )
        + "\n"
    )
    if run.record is not None:
        out.write(
            visible(
                f"audited by {run.record.performed_by} at "
                f"{_local_title(run.record.performed_at, tz)}"
            )
            + "\n"
        )
    if run.replay:
        out.write(
            "replay: this business date was audited before; nothing was changed now and the "
            "rooms below are those that audit changed\n"
        )
    out.write("\n")
    if run.entries:
        rows: list[list[object]] = [["room", "change", "status", "condition", "entry"]]
        for e in run.entries:
            rows.append(
                [
                    run.numbers.get(e.room_id or "", e.room_id or ""),
                    audit_change(e),
                    _change(e.status_before, e.status_after),
                    _change(e.condition_before, e.condition_after),
                    f"#{e.id}",
                ]
            )
        table(rows, out)
        kinds = Counter(audit_change(e) for e in run.entries)
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        out.write(f"\n{_count(len(run.entries), 'room')} changed: {summary}\n")
    else:
        out.write("no room changed\n")
    if not run.overdue:
        out.write("no overdue departures\n")
        return
    out.write(f"\n{_count(len(run.overdue), 'overdue departure')}:\n\n")
    rows = [["reference", "room", "departure", "stage"]]
    for view in run.overdue:
        rows.append(
            [
                view.reference,
                view.room_number or "",
                view.booking.departure.isoformat(),
                view.stage.value,
            ]
        )
    table(rows, out)


def night_audit_data(run: AuditRun) -> dict[str, Any]:
    """A run of ``night-audit`` as JSON-ready data."""
    record, tz = run.record, run.hotel.timezone
    return {
        "hotel_id": run.hotel.hotel_id,
        "business_date": run.business_date.isoformat(),
        "timezone": tz,
        "replay": run.replay,
        "performed_by": record.performed_by if record else None,
        "performed_at": plain(record.performed_at) if record else None,
        "performed_at_local": plain(_local(record.performed_at, tz)) if record else None,
        "rooms": [
            {
                "room_id": e.room_id,
                "number": run.numbers.get(e.room_id or "", e.room_id),
                "change": audit_change(e),
                "variant": e.metadata.get("variant"),
                "entry_id": e.id,
            }
            for e in run.entries
        ],
        "overdue_departures": [
            {
                "booking_id": view.booking_id,
                "reference": view.reference,
                "room_number": view.room_number,
                "departure": view.booking.departure.isoformat(),
                "stage": view.stage.value,
            }
            for view in run.overdue
        ],
        "entries": plain(run.entries),
    }


def worksheet_line_data(line: ho.WorksheetLine) -> dict[str, Any]:
    """A line of a worksheet as JSON-ready data (the priority by name, and its rank)."""
    return {
        "task_id": line.task_id,
        "room_id": line.room_id,
        "number": line.number,
        "kind": line.kind.value,
        "status": line.status.value,
        "priority": line.priority.name,
        "priority_rank": int(line.priority),
        "credits": line.credits,
        "service_status": line.service_status.value,
    }


def worksheets_data(
    hotel: ho.Hotel,
    at: datetime,
    sheets: Sequence[ho.Worksheet],
    overflow: Sequence[ho.WorksheetLine] | None,
    *,
    generated: bool,
) -> dict[str, Any]:
    """Worksheets as JSON-ready data: the time (UTC and local), each sheet with its lines
    and totals, and the overflow (None when not looked at: one attendant's sheet)."""
    return {
        "hotel_id": hotel.hotel_id,
        "timezone": hotel.timezone,
        "at": plain(at),
        "at_local": plain(_local(at, hotel.timezone)),
        "generated": generated,
        "sheets": [
            {
                "staff_id": sheet.staff_id,
                "rooms": len(sheet.lines),
                "credits": sheet.credits,
                "lines": [worksheet_line_data(line) for line in sheet.lines],
            }
            for sheet in sheets
        ],
        "overflow": None if overflow is None else [worksheet_line_data(line) for line in overflow],
    }


def _worksheet_table(lines: Sequence[ho.WorksheetLine], out: Output) -> None:
    rows: list[list[object]] = [["room", "task", "priority", "credits", "service", "status"]]
    for line in lines:
        rows.append(
            [
                line.number,
                line.kind.value,
                line.priority.name,
                line.credits,
                SERVICE_LABELS[line.service_status],
                line.status.value,
            ]
        )
    table(rows, out)


def print_worksheets(
    hotel: ho.Hotel,
    at: datetime,
    sheets: Sequence[ho.Worksheet],
    overflow: Sequence[ho.WorksheetLine] | None,
    out: Output,
    *,
    title: str = "Worksheets",
    leftover: str = "overflow",
) -> None:
    """Each attendant's sheet (room number, task, priority, credits, service status, task
    status) with its totals, then the tasks nobody has (unless None), named ``leftover``
    ("overflow" as generated, "unassigned" as shown later), and the totals; the header
    names the time in the hotel's zone."""
    out.write(
        visible(f"{title} at {hotel.name} ({hotel.hotel_id}), {_local_title(at, hotel.timezone)}")
        + "\n"
    )
    for sheet in sheets:
        out.write(
            "\n"
            + visible(
                f"{sheet.staff_id}: {_count(len(sheet.lines), 'room')}, "
                f"{_count(sheet.credits, 'credit')}"
            )
            + "\n"
        )
        if sheet.lines:
            _worksheet_table(sheet.lines, out)
    if not sheets:
        out.write("\nno attendant has a worksheet\n")
    rooms = sum(len(sheet.lines) for sheet in sheets)
    credits = sum(sheet.credits for sheet in sheets)
    totals = (
        f"{_count(len(sheets), 'attendant')}: {_count(rooms, 'room')}, {_count(credits, 'credit')}"
    )
    if overflow is not None:
        if overflow:
            out.write(
                f"\n{leftover} (no attendant): {_count(len(overflow), 'room')}, "
                f"{_count(sum(line.credits for line in overflow), 'credit')}\n"
            )
            _worksheet_table(overflow, out)
        totals += (
            f"; {leftover}: {_count(len(overflow), 'room')}" if overflow else f"; no {leftover}"
        )
    out.write(f"\n{totals}\n")


def _observed(row: ho.DiscrepancyRow) -> str:
    if not row.observed_occupied:
        return "vacant"
    if row.observed_guests is None:
        return "occupied"
    return f"occupied, {_count(row.observed_guests, 'guest')}"


def print_discrepancies(
    rows: Sequence[ho.DiscrepancyRow], references: dict[str, str], out: Output, *, timezone: str
) -> None:
    """The open discrepancies as a table, the time reported in the hotel's zone (named in
    the column title); then the counts by kind."""
    table_rows: list[list[object]] = [
        [
            "room",
            "kind",
            "front office",
            "booking",
            "expected guests",
            "observed",
            "reported by",
            f"reported at ({timezone})",
        ]
    ]
    for r in rows:
        table_rows.append(
            [
                r.number,
                r.kind.value,
                r.status.value,
                references.get(r.booking_id, r.booking_id) if r.booking_id else "",
                r.expected_guests,
                _observed(r),
                r.reported_by,
                _when(r.reported_at_local or _local(r.reported_at, timezone)),
            ]
        )
    table(table_rows, out)
    kinds = Counter(r.kind.value for r in rows)
    out.write(
        f"\n{_count(len(rows), 'open discrepancy', 'open discrepancies')}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + "\n"
    )


# --- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    engine = open_engine(args.db, must_exist=False)
    migrate.upgrade(engine)
    revision = migrate.current(engine)
    out.write(f"database ready at schema revision {revision}: {shown_url(args.db)}\n")
    return 0


def cmd_upgrade(args: argparse.Namespace, out: Output) -> int:
    path = _sqlite_path(args.db)
    if path is not None and not path.exists():
        raise CommandError(
            f"no database at {path} (create one with: {PROG} init --db {shown_url(args.db)})"
        )
    engine = open_engine(args.db, must_exist=False)
    before = migrate.current(engine)
    try:
        migrate.upgrade(engine, args.revision)
    except AlembicError as error:
        raise CommandError(f"cannot upgrade to {args.revision!r}: {error}") from None
    out.write(f"schema revision {before or 'none'} -> {migrate.current(engine)}\n")
    return 0


def cmd_board(args: argparse.Namespace, out: Output) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel_id = _hotel_id(uow, args.hotel)
    if args.json:
        print_json(services.room_board(uow, hotel_id), out)
    else:
        show_board(uow, hotel_id, out)
    return 0


def _iso_date(text: str) -> date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_stays(args: argparse.Namespace, out: Output) -> int:
    """``arrivals``, ``departures`` and ``in-house``: the front desk's lists."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel = _hotel(uow, _hotel_id(uow, args.hotel))
    day: date | None = None
    if args.command == "in-house":
        rows = services.in_house(uow, hotel.hotel_id)
    else:
        day = args.date or local_date(hotel, datetime.now(UTC))
        query = services.arrivals if args.command == "arrivals" else services.departures
        rows = query(uow, hotel.hotel_id, day)
    if args.json:
        print_json([stay_data(row, hotel.timezone) for row in rows], out)
        return 0
    title = _STAY_TITLES[args.command]
    when = "" if day is None else f" on {day.isoformat()}"
    out.write(visible(f"{title} at {hotel.name} ({hotel.hotel_id}){when}") + "\n\n")
    if rows:
        print_stays(rows, out, timezone=hotel.timezone)
    else:
        nobody = {"arrivals": "no arrivals", "departures": "no departures", "in-house": "nobody"}
        out.write(f"{nobody[args.command]} {'in house' if day is None else 'due'}\n")
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


def cmd_history(args: argparse.Namespace, out: Output) -> int:
    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    entries = services.room_history(uow, _room_id(uow, args.room, args.hotel))[: args.limit]
    if args.json:
        print_json(entries, out)
    elif entries:
        print_history(entries, out)
    else:
        out.write(f"no history yet for room {visible(args.room)}\n")
    return 0


def cmd_tasks(args: argparse.Namespace, out: Output) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel_id = _hotel_id(uow, args.hotel)
    tasks = services.open_tasks(uow, hotel_id)
    if args.json:
        print_json(tasks, out)
    else:
        numbers = {r.room_id: r.number for r in services.room_board(uow, hotel_id)}
        print_tasks(tasks, numbers, out)
    return 0


def _audit_record(uow: SqlAlchemyUnitOfWork, hotel_id: str, day: date) -> ho.NightAudit | None:
    with uow.reading():
        return uow.audits.get(hotel_id, day)


def night_audit_run(
    uow: SqlAlchemyUnitOfWork, hotel: ho.Hotel, day: date, staff_id: str
) -> AuditRun:
    """Run the night audit of ``day`` and tell whether it was a replay.

    A replay is told honestly, without guessing from times: the audit of the date is
    looked up (read-only) just before the call; if it was there, the call was a replay.
    Should another audit of the date commit between that look-up and the call (two
    schedulers firing at once), the call returns that audit's entries: its stored record
    then names someone other than ``staff_id`` and this run counts as a replay too (by the
    same staff id, the two runs cannot be told apart, and changed the same rooms)."""
    before = _audit_record(uow, hotel.hotel_id, day)
    entries = tuple(
        services.night_audit(uow, hotel_id=hotel.hotel_id, business_date=day, staff_id=staff_id)
    )
    record = _audit_record(uow, hotel.hotel_id, day)
    replay = before is not None or (record is not None and record.performed_by != staff_id)
    overdue = tuple(
        services.get_booking(uow, booking_id)
        for booking_id in _overdue_ids(uow, hotel.hotel_id, day, entries)
    )
    numbers = {row.room_id: row.number for row in services.room_board(uow, hotel.hotel_id)}
    return AuditRun(hotel, day, entries, replay, record, overdue, numbers)


def cmd_night_audit(args: argparse.Namespace, out: Output) -> int:
    """``night-audit``: close the business day (by default yesterday, the hotel's local
    date: the audit runs after midnight for the day that ended)."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel = _hotel(uow, _hotel_id(uow, args.hotel))
    day = args.date or local_date(hotel, datetime.now(UTC)) - timedelta(days=1)
    run = night_audit_run(uow, hotel, day, args.staff)
    if args.json:
        print_json(night_audit_data(run), out)
    else:
        print_night_audit(run, out)
    return 0


def _attendant_ids(text: str) -> list[str]:
    """The staff ids of ``--attendants a,b,c``."""
    ids = [part.strip() for part in text.split(",")]
    if not all(ids):
        raise CommandError(f"--attendants must be staff ids separated by commas, not {text!r}")
    return ids


def cmd_worksheets(args: argparse.Namespace, out: Output) -> int:
    """``worksheets``: generate the attendants' worksheets, or (``--show``) show the
    current ones."""
    generating = {
        "--staff": args.staff,
        "--attendants": args.attendants,
        "--max-credits": args.max_credits,
    }
    if args.show:
        given = [option for option, value in generating.items() if value is not None]
        if given:
            raise CommandError(
                "--show only shows the current worksheets, it does not generate them: "
                f"leave out {' and '.join(given)}"
            )
    elif args.attendant is not None:
        raise CommandError("--attendant goes with --show")
    elif args.staff is None or args.attendants is None:
        raise CommandError(
            "generating worksheets needs --staff ID and --attendants ID,ID,... "
            "(--show shows the current ones)"
        )
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel = _hotel(uow, _hotel_id(uow, args.hotel))
    at = datetime.now(UTC)
    overflow: Sequence[ho.WorksheetLine] | None
    if not args.show:
        plan = services.generate_worksheets(
            uow,
            hotel_id=hotel.hotel_id,
            attendants=_attendant_ids(args.attendants),
            staff_id=args.staff,
            max_credits=args.max_credits,
        )
        sheets: Sequence[ho.Worksheet] = plan.sheets
        overflow = plan.overflow
    elif args.attendant is not None:
        sheets, overflow = (services.worksheet(uow, hotel.hotel_id, args.attendant),), None
    else:
        current = services.worksheets(uow, hotel.hotel_id)
        sheets, overflow = current.sheets, current.overflow
    if args.json:
        print_json(worksheets_data(hotel, at, sheets, overflow, generated=not args.show), out)
    else:
        if args.show:
            print_worksheets(hotel, at, sheets, overflow, out, leftover="unassigned")
        else:
            print_worksheets(hotel, at, sheets, overflow, out, title="Worksheets generated")
    return 0


def cmd_discrepancies(args: argparse.Namespace, out: Output) -> int:
    """``discrepancies``: the open discrepancies between housekeeping and the front office."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    hotel = _hotel(uow, _hotel_id(uow, args.hotel))
    rows = services.discrepancies(uow, hotel.hotel_id)
    if args.json:
        print_json([{**plain(row), "timezone": hotel.timezone} for row in rows], out)
        return 0
    out.write(visible(f"Open discrepancies at {hotel.name} ({hotel.hotel_id})") + "\n\n")
    if not rows:
        out.write("no open discrepancies\n")
        return 0
    references = {
        r.booking_id: r.booking_reference
        for r in services.room_board(uow, hotel.hotel_id)
        if r.booking_id and r.booking_reference
    }
    print_discrepancies(rows, references, out, timezone=hotel.timezone)
    return 0


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    engine = open_engine(args.db)
    # the file's structure first: damage the rows' reading would not meet is damage too
    violations = [Violation("integrity", finding) for finding in _integrity_findings(engine)]
    snapshot = None
    try:
        snapshot = SqlAlchemyUnitOfWork(engine).snapshot()
    except ho.StorageError as error:
        if not violations:
            raise
        violations.append(Violation("integrity", f"the data cannot be read: {error}"))
    if snapshot is not None:
        violations.extend(check_invariants(snapshot))
    if args.json:
        print_json(
            {
                "ok": not violations,
                "rooms": None if snapshot is None else len(snapshot.rooms),
                "log_entries": None if snapshot is None else len(snapshot.log),
                "violations": [
                    {"invariant": v.invariant, "message": v.message} for v in violations
                ],
            },
            out,
        )
    elif violations:
        out.write(f"{len(violations)} invariant violation(s):\n")
        for violation in violations:
            out.write(f"  {visible(str(violation))}\n")
    elif snapshot is not None:
        out.write(
            f"all invariants hold ({len(snapshot.hotels)} hotels, {len(snapshot.rooms)} rooms, "
            f"{len(snapshot.log)} log entries)\n"
        )
    return 1 if violations else 0


def load_settings(path: str) -> ImportSettings:
    """The import settings in the TOML (or, ending in ``.json``, JSON) file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot read the settings file {path}: {error.strerror}") from None
    try:
        data = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise CommandError(f"the settings file {path} is malformed: {error}") from None
    try:
        return ImportSettings.from_mapping(data)
    except ho.InvalidInput as error:
        raise CommandError(f"the settings file {path}: {error}") from None


class ProgressBar:
    """Draws the import's progress on a terminal, at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = 0.0
        self.hotel: str | None = None

    def __call__(self, progress: services.ImportProgress) -> None:
        now = time.monotonic()
        finished = progress.done >= progress.total
        if not finished and progress.hotel_id == self.hotel and now - self.drawn < 0.1:
            return
        if self.hotel is not None and progress.hotel_id != self.hotel:
            self.stream.write("\n")
        self.hotel, self.drawn = progress.hotel_id, now
        share = progress.done / progress.total if progress.total else 1.0
        filled = round(self.WIDTH * share)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\rhotel {visible(progress.hotel_id)} [{bar}] {share:4.0%} "
            f"{progress.done:,}/{progress.total:,} bookings"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.hotel is not None:
            self.stream.write("\n")
            self.stream.flush()


def _write_report(path: str, text: str) -> None:
    """Write the report file whole or not at all (a temporary file renamed over it)."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        raise CommandError(f"cannot write the report {path}: {error.strerror}") from None


def cmd_legacy_import(args: argparse.Namespace, out: Output) -> int:
    settings = load_settings(args.settings) if args.settings else ImportSettings()
    engine = open_engine(args.db)
    try:
        return _legacy_import(args, settings, SqlAlchemyUnitOfWork(engine), out)
    finally:
        engine.dispose()


def _legacy_import(
    args: argparse.Namespace, settings: ImportSettings, uow: SqlAlchemyUnitOfWork, out: Output
) -> int:
    source = _legacy_source(args.source, settings)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show else None
    try:
        with source:
            report = services.import_legacy(
                uow,
                source,
                settings=settings,
                prefix=args.prefix,
                dry_run=args.dry_run,
                progress=bar,
            )
    finally:
        if bar is not None:
            bar.close()
    if args.report:
        _write_report(args.report, report.to_json())
    if args.json:
        out.write(report.to_json())
    else:
        out.write(visible_lines(report.summary()))
        if args.report:
            out.write(f"report written to {args.report}\n")
    return 0


H = TypeVar("H", LegacySqlSource, LegacySqlTarget)


def _open_legacy(kind: type[H], url: str, settings: ImportSettings) -> H:
    """The legacy database at ``url``, read (a source) or written (the mirror's target),
    its times in the settings' zone; a URL or file that will not open is one line."""
    try:
        return kind.open(url, legacy_timezone=settings.legacy_timezone)
    except (ArgumentError, NoSuchModuleError, ValueError, OSError) as error:
        raise CommandError(f"cannot open the legacy database {shown_url(url)}: {error}") from None


def _legacy_source(url: str, settings: ImportSettings) -> LegacySqlSource:
    return _open_legacy(LegacySqlSource, url, settings)


T = TypeVar("T")


def _beside_legacy(args: argparse.Namespace, run: Callable[..., T]) -> T:
    """Run ``run(uow, source, settings=..., mirrored=...)`` on the store of ``--db`` and
    the legacy database of ``--from`` (read, and read as the mirror's target for the rows
    it made), with the settings of ``--settings``."""
    settings = load_settings(args.settings) if args.settings else ImportSettings()
    engine = open_engine(args.db)
    try:
        with _legacy_source(args.source, settings) as source:
            mirrored = LegacySqlTarget(source.engine, legacy_timezone=settings.legacy_timezone)
            return run(SqlAlchemyUnitOfWork(engine), source, settings=settings, mirrored=mirrored)
    finally:
        engine.dispose()


def cmd_legacy_diff(args: argparse.Namespace, out: Output) -> int:
    hotels = [args.hotel] if args.hotel else None
    report = _beside_legacy(args, partial(services.legacy_diff, hotels=hotels))
    out.write(report.to_json() if args.json else visible_lines(report.summary()))
    return 0 if report.clean else 1


def cmd_legacy_cutover(args: argparse.Namespace, out: Output) -> int:
    handover = _beside_legacy(
        args,
        partial(
            services.cut_over, hotel_id=args.hotel, by=args.by, reason=args.reason, back=args.back
        ),
    )
    whom = "the library" if handover.owner is Owner.LIBRARY else "the legacy application"
    out.write(
        visible(
            f"hotel {handover.hotel_id} is written by {whom} since "
            f"{handover.at:%Y-%m-%d %H:%M:%S} UTC ({handover.by})"
        )
        + "\n"
    )
    return 0


def cmd_legacy_mirror(args: argparse.Namespace, out: Output) -> int:
    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    if not args.sweep_every >= 0:  # NaN too
        raise CommandError("--sweep-every must be 0 or more seconds")
    settings = load_settings(args.settings) if args.settings else ImportSettings()
    target = _open_legacy(LegacySqlTarget, args.target, settings)
    try:
        engine = open_engine(args.store)
    except BaseException:
        target.close()
        raise
    uow = SqlAlchemyUnitOfWork(engine)
    source = LegacySqlSource(target.engine, legacy_timezone=settings.legacy_timezone)

    def work() -> None:
        swept = float("-inf")  # sweep first, then when the feed is quiet, every --sweep-every
        while True:
            sweep = time.monotonic() - swept >= args.sweep_every
            done = services.mirror_legacy(
                uow,
                target,
                source=source,
                settings=settings,
                consumer=args.consumer,
                limit=args.limit,
                sweep=sweep,
            )
            if sweep:
                swept = time.monotonic()
            for hotel_id in done.synced:
                out.write(visible(f"hotel {hotel_id}: legacy rows written") + "\n")
            if done.events:
                out.write(f"mirrored {done.events:,} event(s), position {done.position}\n")
            out.flush()
            if not done.idle:
                continue
            if args.once and sweep:
                return
            if args.once:
                swept = float("-inf")  # one last sweep, then exit
                continue
            services.wait_for_events(uow, after=done.position or "0", timeout=relay.WAIT)

    def cleanup() -> None:
        target.close()
        _close(uow, engine)

    _until_interrupted(work, cleanup)
    return 0


def cmd_legacy_drop_plan(args: argparse.Namespace, out: Output) -> int:
    engine = open_engine(args.db)
    try:
        services.require_library_owned(SqlAlchemyUnitOfWork(engine))
    finally:
        engine.dispose()
    out.write(render_plan(args.dialect))
    return 0


DO_SERVICES: tuple[str, ...] = (*ACTIONS, "assign_task", "generate_worksheets", "update_hotel")
"""The services ``do`` calls: every operation, giving tasks to attendants and sharing out
the worksheets, and the hotel's settings (reference data)."""

_PARTY_KEYS = ("booking_guest_id", "first_name", "last_name")
_MEMBER_FORM = (
    '{"booking_guest_id": ..., "first_name": ..., "last_name": ...} '
    "or [booking_guest_id, first_name, last_name], all strings"
)
_PARTY_FORM = f"a JSON list of members, the primary first, each {_MEMBER_FORM}"

_DO_HELP = """Call a service with name=value arguments, for example:

  do check_in booking_id=B1 staff_id=S1
  do change_stay booking_id=B1 staff_id=S1 departure=2026-06-08 notes="one more night"
  do update_party booking_id=B1 staff_id=S1 party='[["G1", "Ada", "Lee"], ["G2", "Bo", "Lee"]]'
  do update_hotel hotel_id=H1 enforce_stay_dates=true checkout_time=12:00
  do update_hotel hotel_id=H1 stayover_every=2 checkout_credits=3 stayover_credits=1
  do set_service_status room_id=R1 staff_id=S2 status=DND
  do report_room_observation room_id=R3 staff_id=S2 occupied=true guests=1
  do set_out_of_order room_id=R4 staff_id=S3 reason="water leak" until=2026-06-09
  do night_audit hotel_id=H1 staff_id=S1 business_date=2026-06-07
  do generate_worksheets hotel_id=H1 staff_id=S4 attendants=S2,S5 max_credits=12
  do assign_task task_id=T1 assignee_id=S5 staff_id=S4

Booleans are true or false, dates YYYY-MM-DD, times of day HH:MM, whole numbers digits
(none for an optional one left unset); an enum (status, return_condition) is one of its
values, e.g. DND or CLEAN; a list of ids (attendants) is comma-separated or a JSON list;
a party is a JSON list of its members, the primary first, each {"booking_guest_id": ...,
"first_name": ..., "last_name": ...} or [booking_guest_id, first_name, last_name]. A
refusal is one line on stderr and exit code 1; nothing is changed."""


def _parse_party(name: str, text: str) -> list[ho.BookingGuest]:
    """A party given on the command line, as JSON (see :data:`_PARTY_FORM`)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise CommandError(f"{name} must be {_PARTY_FORM}; it is not JSON: {text!r}") from None
    if not isinstance(data, list):
        raise CommandError(f"{name} must be {_PARTY_FORM}")
    party = []
    for index, member in enumerate(data):
        values: list[object] | None = None
        if isinstance(member, dict) and set(member) == set(_PARTY_KEYS):
            values = [member[key] for key in _PARTY_KEYS]
        elif isinstance(member, list) and len(member) == len(_PARTY_KEYS):
            values = list(member)
        if values is None or not all(isinstance(value, str) for value in values):
            raise CommandError(f"{name}[{index}] must be {_MEMBER_FORM}")
        party.append(ho.BookingGuest(*(str(value) for value in values)))
    return party


def _parse_ids(name: str, text: str) -> list[str]:
    """A list of ids given on the command line: comma-separated, or a JSON list of
    strings."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            raise CommandError(
                f"{name} must be a JSON list of ids; it is not JSON: {text!r}"
            ) from None
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise CommandError(f"{name} must be a JSON list of ids (strings)")
        return data
    return [part.strip() for part in text.split(",")]


def _enum_named(kind: str) -> type[Enum] | None:
    """The library's enum named ``kind`` (``ServiceStatus``, ``Condition``...), or None."""
    found = getattr(ho, kind, None) if kind.isidentifier() else None
    return found if isinstance(found, type) and issubclass(found, Enum) else None


def _parse_value(name: str, text: str, annotation: object = "str") -> object:
    """The value of ``name=text`` for a parameter annotated ``annotation`` (the service's
    own annotation, a string): booleans, ISO dates and times, numbers, the library's
    enums by value, lists of ids, a party as JSON; for an optional parameter that is not
    text, ``none`` is None; everything else (ids, notes) is passed as the text."""
    written = str(annotation)
    kind = written.removesuffix(" | None")
    if kind != written and kind != "str" and text.lower() in ("none", "null"):
        return None
    if kind == "bool":
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise CommandError(f"{name} must be true or false, not {text!r}")
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None
    if kind == "time":
        try:
            return time_of_day.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{name} must be a time of day (HH:MM), not {text!r}") from None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise CommandError(f"{name} must be a whole number, not {text!r}") from None
    if "BookingGuest" in kind:
        return _parse_party(name, text)
    if kind in ("Sequence[str]", "tuple[str, ...]", "list[str]"):
        return _parse_ids(name, text)
    enum = _enum_named(kind)
    if enum is not None:
        for member in enum:
            if text in (member.value, member.name):
                return member
        values = ", ".join(str(member.value) for member in enum)
        raise CommandError(f"{name} must be one of {values}; not {text!r}")
    return text


def _hotel_settings(hotel: ho.Hotel) -> str:
    return (
        f"hotel {hotel.hotel_id} ({hotel.name}): require_inspection "
        f"{str(hotel.require_inspection).lower()}, timezone {hotel.timezone}, checkout_time "
        f"{hotel.checkout_time:%H:%M}, enforce_stay_dates {str(hotel.enforce_stay_dates).lower()}"
        f", stayover_every {hotel.stayover_every}, checkout_credits {hotel.checkout_credits}"
        f", stayover_credits {hotel.stayover_credits}"
    )


def cmd_do(args: argparse.Namespace, out: Output) -> int:
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
        if name in kwargs:
            raise CommandError(f"{args.service}: {name} is given more than once")
        kwargs[name] = _parse_value(name, value, parameters[name].annotation)
    missing = [
        p.name
        for p in parameters.values()
        if p.name != "uow" and p.default is inspect.Parameter.empty and p.name not in kwargs
    ]
    if missing:
        raise CommandError(f"{args.service} needs {', '.join(f'{m}=...' for m in missing)}")
    uow = SqlAlchemyUnitOfWork(open_engine(args.db))
    result = service(uow, **kwargs)
    if isinstance(result, ho.WorksheetPlan):  # generate_worksheets: the sheets, not entries
        hotel = _hotel(uow, str(kwargs["hotel_id"]))
        at = datetime.now(UTC)
        if args.json:
            print_json(
                worksheets_data(hotel, at, result.sheets, result.overflow, generated=True), out
            )
        else:
            print_worksheets(
                hotel, at, result.sheets, result.overflow, out, title="Worksheets generated"
            )
    elif args.json:
        print_json(result, out)
    elif args.service == "update_hotel":  # reference data: nothing is logged
        out.write(visible(_hotel_settings(_hotel(uow, str(kwargs["hotel_id"])))) + "\n")
    elif args.service == "assign_task":  # a task is not a room's state: nothing is logged
        out.write(
            visible(f"task {kwargs['task_id']} is assigned to {kwargs['assignee_id']}") + "\n"
        )
    elif result:
        print_history(result, out)
    elif args.service == "night_audit":
        out.write(f"night audit of {kwargs['business_date']}: no room changed\n")
    else:
        out.write("nothing to change: nothing logged\n")
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


def cmd_demo(args: argparse.Namespace, out: Output) -> int:
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
        raise CommandError(
            f"{shown_url(args.db)} already holds hotels; run the demo on an empty database"
        )
    out.write(f"Simulating {args.days} days at a {args.rooms}-room hotel (seed {args.seed})\n")
    report = simulate(
        uow, seed=args.seed, days=args.days, rooms=args.rooms, progress=_Progress(sys.stderr)
    )
    out.write("\nRoom board at the end of the last day:\n\n")
    show_board(uow, report.hotel_id, out)
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
    out.write(
        f"Front desk: {report.stays_extended} stays extended and {report.stays_shortened} "
        f"shortened, {report.arrivals_postponed} arrivals postponed, {report.cancellations} "
        f"cancellations, {report.no_shows} no-shows, {report.companions_joined} companions "
        f"joined and {report.companions_left} left; {report.due_out_assignments} arrivals "
        f"pre-assigned into rooms still occupied by a guest due out, {report.queued_arrivals} "
        f"of them queued at the desk while housekeeping turned the room, "
        f"{report.queued_checked_in} checked in as soon as it was ready.\n"
    )
    out.write(
        f"Housekeeping: {_count(report.night_audits, 'night audit')} made "
        f"{_count(report.stayovers, 'stayover cleaning')} due; "
        f"{_count(report.dnd, 'door')} with a do-not-disturb sign skipped, "
        f"{report.dnd_cleaned} of those rooms cleaned once it came off; "
        f"{_count(report.service_refused, 'guest')} declined service; "
        f"{_count(report.make_up_requests, 'make-up-room request')}; "
        f"{_count(report.sleep_found, 'SLEEP discrepancy', 'SLEEP discrepancies')} found, "
        f"{report.sleep_resolved} resolved by a re-check; "
        f"{_count(report.tasks_given, 'task')} given to an attendant by hand.\n"
    )
    if report.refusals:
        refused = ", ".join(f"{n} {name}" for name, n in sorted(report.refusals.items()))
        out.write(f"Refused along the way (and handled): {refused}.\n")
    if report.worksheets is not None and report.worksheets_at is not None:
        out.write("\n")
        print_worksheets(
            _hotel(uow, report.hotel_id),
            report.worksheets_at,
            report.worksheets.sheets,
            report.worksheets.overflow,
            out,
            title="Worksheets handed out on the last morning",
        )
        out.write("\n")
    violations = check_invariants(snapshot)
    if violations:
        out.write("Invariants BROKEN:\n" + "".join(f"  {visible(str(v))}\n" for v in violations))
        return 1
    last_day = report.last_day.isoformat()
    out.write(
        f"Every invariant holds. Explore it: {PROG} board --db {shown_url(args.db)}\n"
        f"  {PROG} arrivals --date {last_day} --db {shown_url(args.db)}\n"
        f"  {PROG} in-house --db {shown_url(args.db)}\n"
        f"  {PROG} worksheets --show --db {shown_url(args.db)}\n"
    )
    return 0


# --- following the feed ------------------------------------------------------------------

_TEXT_PAGE = 500
"""Events per read when following as text (``--json`` reads one at a time, so that each
line's ``position`` is exactly the position after its event)."""


def _until_interrupted(work: Callable[[], object], cleanup: Callable[[], object]) -> None:
    """Run ``work``, then ``cleanup``. An interrupt is ``work``'s normal end, not an error:
    Ctrl-C (SIGINT) and SIGTERM both stop it as KeyboardInterrupt (between two statements,
    its transaction rolled back), and a second Ctrl-C during ``cleanup`` is ignored, so
    neither ends in a traceback. The signal handlers are restored afterwards."""
    in_main = threading.current_thread() is threading.main_thread()

    def stop(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt

    terminate = signal.signal(signal.SIGTERM, stop) if in_main else None
    try:
        work()
    except KeyboardInterrupt:
        pass
    finally:
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
        try:
            cleanup()
        finally:
            if in_main:
                signal.signal(signal.SIGINT, interrupt)
                signal.signal(signal.SIGTERM, terminate)


def _feed_hotel(uow: SqlAlchemyUnitOfWork, requested: str | None) -> str | None:
    """The hotel ``--hotel`` names (None for every hotel); CommandError if it is unknown."""
    if requested is None:
        return None
    if requested not in _hotels(uow):
        raise CommandError(f"unknown hotel {requested!r}")
    return requested


def event_line(event: ho.OccupancyEvent) -> str:
    """One readable line for an event: entry id, time, hotel, room ("no room" for a change
    to a booking that holds none), operation (see :func:`describe_operation`), booking, the
    status and condition change, who, and the notes; control characters escaped."""
    parts = [
        f"#{event.entry_id}",
        event.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        event.hotel_id,
        "no room" if event.room_id is None else f"room {event.room_id}",
        describe_operation(event),
    ]
    if event.booking_id:
        parts.append(f"booking {event.booking_id}")
    if event.status_after is not None:  # a change to a booking holding no room has no state
        parts.append(f"status {_change(event.status_before, event.status_after)}")
        parts.append(f"condition {_change(event.condition_before, event.condition_after)}")
    parts.append(f"by {event.performed_by}")
    if event.notes:
        parts.append(f"notes {event.notes!r}")
    return "  ".join(visible(part) for part in parts)


def cmd_follow(args: argparse.Namespace, out: Output) -> int:
    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1")
    engine = open_engine(args.db)
    uow = SqlAlchemyUnitOfWork(engine)
    _until_interrupted(lambda: _follow(args, uow, out), lambda: _close(uow, engine))
    return 0


def _close(uow: SqlAlchemyUnitOfWork, engine: Engine) -> None:
    uow.close()  # the connection kept for waiting on the feed
    engine.dispose()


def _follow(args: argparse.Namespace, uow: SqlAlchemyUnitOfWork, out: Output) -> None:
    hotel = _feed_hotel(uow, args.hotel)
    if args.consumer is not None:
        position = relay.stored_position(uow, args.consumer)
    elif args.after is not None:
        position = args.after
    else:
        position = relay.end_position(uow, hotel)
    size = 1 if args.json else _TEXT_PAGE
    printed = 0
    while True:
        limit = size if args.limit is None else min(size, args.limit - printed)
        page = services.read_feed(uow, after=position, hotel_id=hotel, limit=limit)
        for event in page.events:
            if args.json:
                record = {**relay.event_data(event), "position": page.position}
                out.write(json.dumps(record) + "\n")
            else:
                out.write(event_line(event) + "\n")
        out.flush()
        printed += len(page.events)
        moved, position = page.position != position, page.position
        if moved and args.consumer is not None:
            relay.store_position(uow, args.consumer, position)  # after printing: at least once
        if args.limit is not None and printed >= args.limit:
            return
        if moved:
            continue
        if args.once:
            return
        services.wait_for_events(uow, after=position, timeout=relay.WAIT, hotel_id=hotel)


_LONGEST = 3600.0
"""The longest timeout or pause the relay takes, in seconds."""


def _seconds(option: str, value: float) -> None:
    if not 0 < value <= _LONGEST:  # NaN too
        raise CommandError(f"{option} must be more than 0 and at most {_LONGEST:g} seconds")


def _relay_warning(line: str, url: str) -> None:
    """Report a failed delivery on stderr: one line, control characters escaped."""
    text = line.replace(url, relay.shown_url(url))
    sys.stderr.write(visible(f"{PROG}: relay: {text}") + "\n")
    sys.stderr.flush()


def cmd_relay(args: argparse.Namespace, out: Output) -> int:
    secret = os.environ.get(relay.SECRET_VARIABLE, "")
    if not secret:
        raise CommandError(
            f"set the environment variable {relay.SECRET_VARIABLE} to the webhook secret "
            "(every delivery is signed with it)"
        )
    if not 1 <= args.batch <= MAX_LIMIT:
        raise CommandError(f"--batch must be from 1 to {MAX_LIMIT}")
    _seconds("--timeout", args.timeout)
    _seconds("--retry-initial", args.retry_initial)
    _seconds("--retry-max", args.retry_max)
    try:
        webhook = relay.Webhook(
            args.url,
            secret.encode("utf-8"),
            timeout=args.timeout,
            user_agent=f"{PROG}/{ho.__version__}",
        )
    except ho.InvalidInput as error:
        raise CommandError(f"--url {relay.shown_url(args.url)!r}: {error}") from None
    backoff = relay.Backoff(args.retry_initial, max(args.retry_initial, args.retry_max))
    engine = open_engine(args.db)
    uow = SqlAlchemyUnitOfWork(engine)

    def delivered(page: ho.FeedPage, attempts: int) -> None:
        out.write(visible(relay.describe(page, attempts)) + "\n")
        out.flush()

    def failed(reason: str, pause: float) -> None:
        _relay_warning(f"delivery failed ({reason}); retrying in {pause:.1f} s", args.url)

    def work() -> None:
        relay.relay(
            uow,
            consumer=args.consumer,
            post=webhook.post,
            hotel_id=_feed_hotel(uow, args.hotel),
            batch=args.batch,
            once=args.once,
            backoff=backoff,
            delivered=delivered,
            failed=failed,
        )

    _until_interrupted(work, lambda: _close(uow, engine))
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
    day = _Parser(add_help=False)
    day.add_argument(
        "--date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the hotel's local date (default: today there)",
    )
    commands.add_parser(
        "arrivals",
        parents=[common, output, hotel, day],
        help="the day's arrivals, and those due before that have not arrived",
    ).set_defaults(handler=cmd_stays)
    commands.add_parser(
        "departures",
        parents=[common, output, hotel, day],
        help="the in-house guests due out on the day, and those overdue",
    ).set_defaults(handler=cmd_stays)
    commands.add_parser(
        "in-house", parents=[common, output, hotel], help="the bookings in house"
    ).set_defaults(handler=cmd_stays)
    night_audit = commands.add_parser(
        "night-audit",
        parents=[common, output, hotel],
        help="close the business day: stayover cleanings, service statuses reset, rooms "
        "back from out of order; prints the rooms changed and the overdue departures",
        description="Run the night audit of one business date (once per hotel and date: "
        "run again, it changes nothing and says it was a replay, showing the first run's "
        "rooms). It runs after midnight for the day that ended, so the date defaults to "
        "yesterday's local date at the hotel.",
    )
    night_audit.add_argument(
        "--staff", required=True, metavar="ID", help="who runs it (front desk or manager)"
    )
    night_audit.add_argument(
        "--date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="the business date to close, the hotel's local date (default: yesterday there; "
        "an audit before midnight needs --date with today's date)",
    )
    night_audit.set_defaults(handler=cmd_night_audit)
    worksheets = commands.add_parser(
        "worksheets",
        parents=[common, output, hotel],
        help="share the open cleaning tasks among attendants (--staff, --attendants), or "
        "show the current worksheets (--show)",
        description="With --staff and --attendants: share the open, unstarted cleaning tasks "
        "among the attendants by credits, most urgent first, store who has which and show "
        "the sheets and the overflow. With --show: show the current sheets without changing "
        "anything (every attendant with tasks, and the tasks nobody has; or one attendant's "
        "sheet with --attendant).",
    )
    worksheets.add_argument(
        "--staff", metavar="ID", help="who shares the work out (supervisor or manager)"
    )
    worksheets.add_argument(
        "--attendants",
        metavar="ID,ID,...",
        help="the attendants on duty, comma-separated, in the order their sheets are listed",
    )
    worksheets.add_argument(
        "--max-credits",
        type=int,
        metavar="N",
        help="the most credits one attendant may be given (default: no limit)",
    )
    worksheets.add_argument(
        "--show", action="store_true", help="show the current worksheets; generate nothing"
    )
    worksheets.add_argument(
        "--attendant", metavar="ID", help="with --show: only this attendant's worksheet"
    )
    worksheets.set_defaults(handler=cmd_worksheets)
    commands.add_parser(
        "discrepancies",
        parents=[common, output, hotel],
        help="the open discrepancies between housekeeping's observations and the front office",
    ).set_defaults(handler=cmd_discrepancies)
    commands.add_parser(
        "check", parents=[common, output], help="verify every invariant; exit 1 on violations"
    ).set_defaults(handler=cmd_check)
    do = commands.add_parser(
        "do",
        parents=[common, output],
        help="call an operation service (or update_hotel): do SERVICE name=value ...",
        description=_DO_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    do.add_argument("service", choices=DO_SERVICES, metavar="SERVICE", help=", ".join(DO_SERVICES))
    do.add_argument("arguments", nargs="*", metavar="name=value")
    do.set_defaults(handler=cmd_do)
    follow = commands.add_parser(
        "follow",
        parents=[common, output],
        help="print each committed event as it happens, like tail -f (Ctrl-C stops it)",
    )
    follow.add_argument("--hotel", metavar="ID", help="only this hotel's events (default: all)")
    start = follow.add_mutually_exclusive_group()
    start.add_argument(
        "--after",
        metavar="POSITION",
        help="start after this position (0: from the start; default: only new events)",
    )
    start.add_argument(
        "--consumer",
        metavar="NAME",
        help="resume from this consumer's stored position and store it as events are printed",
    )
    follow.add_argument("--once", action="store_true", help="print what is there, then exit")
    follow.add_argument("--limit", type=int, metavar="N", help="exit after N events")
    follow.set_defaults(handler=cmd_follow)
    relay_command = commands.add_parser(
        "relay",
        parents=[common],
        help=f"deliver the feed as signed webhooks (secret in ${relay.SECRET_VARIABLE})",
    )
    relay_command.add_argument(
        "--consumer", required=True, metavar="NAME", help="the consumer whose position is stored"
    )
    relay_command.add_argument("--url", required=True, metavar="URL", help="where to POST")
    relay_command.add_argument(
        "--hotel", metavar="ID", help="only this hotel's events (default: all)"
    )
    relay_command.add_argument(
        "--batch", type=int, default=100, metavar="N", help="events per POST at most (100)"
    )
    relay_command.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for an answer (10)",
    )
    relay_command.add_argument(
        "--retry-initial",
        type=float,
        default=0.5,
        metavar="S",
        help="first pause after a failure, doubling (0.5)",
    )
    relay_command.add_argument(
        "--retry-max", type=float, default=30.0, metavar="S", help="longest pause (30)"
    )
    relay_command.add_argument(
        "--once", action="store_true", help="deliver what is there, then exit"
    )
    relay_command.set_defaults(handler=cmd_relay)
    legacy = commands.add_parser("legacy", help="take hotels over from the legacy schema")
    legacy_commands = legacy.add_subparsers(
        dest="legacy_command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    legacy_import = legacy_commands.add_parser(
        "import",
        parents=[common, output],
        help="import the legacy database's hotels, reconciling and reporting every conflict",
    )
    legacy_import.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="the legacy database"
    )
    legacy_import.add_argument("--report", metavar="FILE", help="write the JSON report here")
    legacy_import.add_argument(
        "--dry-run", action="store_true", help="do everything, then roll back: write nothing"
    )
    legacy_import.add_argument(
        "--settings", metavar="FILE", help="hotel settings the legacy schema lacks (TOML/JSON)"
    )
    legacy_import.add_argument("--prefix", default="", help="put before every imported id")
    legacy_import.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar on stderr (default: when it is a terminal)",
    )
    legacy_import.set_defaults(handler=cmd_legacy_import)
    source = _Parser(add_help=False)
    source.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="the legacy database"
    )
    source.add_argument(
        "--settings", metavar="FILE", help="the settings the hotels were imported with"
    )
    legacy_diff = legacy_commands.add_parser(
        "diff",
        parents=[common, output, source],
        help="list every room and booking where the legacy database and the library disagree "
        "(exit 0 only when there is none)",
    )
    legacy_diff.add_argument("--hotel", metavar="ID", help="only this hotel (the library's id)")
    legacy_diff.set_defaults(handler=cmd_legacy_diff)
    legacy_cutover = legacy_commands.add_parser(
        "cutover",
        parents=[common, source],
        help="hand an imported hotel to the library (refused while the diff finds changes)",
    )
    legacy_cutover.add_argument("--hotel", required=True, metavar="ID", help="the hotel")
    legacy_cutover.add_argument(
        "--by",
        default=getpass.getuser(),
        help="who hands the hotel over (default: the login name)",
    )
    legacy_cutover.add_argument("--reason", default="", help="why, for the record")
    legacy_cutover.add_argument(
        "--back",
        action="store_true",
        help="hand the hotel back to the legacy application (while its columns exist)",
    )
    legacy_cutover.set_defaults(handler=cmd_legacy_cutover)
    legacy_mirror = legacy_commands.add_parser(
        "mirror",
        help="write the legacy columns of the hotels the library owns, following the feed",
    )
    legacy_mirror.add_argument(
        "--from", dest="store", required=True, metavar="URL", help="the library's database"
    )
    legacy_mirror.add_argument(
        "--to", dest="target", required=True, metavar="LEGACY_URL", help="the legacy database"
    )
    legacy_mirror.add_argument(
        "--settings", metavar="FILE", help="the settings the hotels were imported with"
    )
    legacy_mirror.add_argument(
        "--consumer",
        default=MIRROR_CONSUMER,
        help=f"the name of its position in the legacy database ({MIRROR_CONSUMER})",
    )
    legacy_mirror.add_argument(
        "--limit", type=int, default=500, metavar="N", help="events per transaction (500)"
    )
    legacy_mirror.add_argument(
        "--sweep-every",
        type=float,
        default=60.0,
        metavar="S",
        help="look for bookings registered since (no event tells of them) at most every S "
        "seconds (60)",
    )
    legacy_mirror.add_argument(
        "--once", action="store_true", help="mirror what is there, sweep, then exit"
    )
    legacy_mirror.set_defaults(handler=cmd_legacy_mirror)
    drop_plan = legacy_commands.add_parser(
        "drop-plan",
        parents=[common],
        help="print the SQL that removes the legacy columns (refused while the legacy "
        "application owns a hotel)",
    )
    drop_plan.add_argument(
        "--dialect",
        choices=["sqlite", "postgresql"],
        required=True,
        help="the legacy database's kind",
    )
    drop_plan.set_defaults(handler=cmd_legacy_drop_plan)
    return parser


EXIT_BROKEN_PIPE = 141
"""The exit code when the reader of the output went away (``| head``): 128 + SIGPIPE, what
a shell reports for a tool that signal stopped."""


class _Errors:
    """Reports a failure of one command as one line on stderr: the password of its
    ``--db`` masked, control characters escaped, the cause named when SQLite tells it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url: str = getattr(args, "db", "") or getattr(args, "store", "") or ""
        self.writing = (args.command in _WRITERS and not getattr(args, "show", False)) or bool(
            getattr(args, "consumer", None)
        )
        self.passwords = [
            *_passwords(self.url),
            *_passwords(getattr(args, "source", "") or ""),
            *_passwords(getattr(args, "url", "") or ""),
            *_passwords(getattr(args, "target", "") or ""),
        ]

    def say(self, line: str) -> None:
        for password in self.passwords:
            line = line.replace(password, "***")
        sys.stderr.write(visible(f"{PROG}: {line}") + "\n")

    def cause(self, error: BaseException) -> str | None:
        try:
            path = _sqlite_path(self.url)
        except (ArgumentError, ValueError):
            path = None
        return _sqlite_cause(error, path, writing=self.writing)


def _run(
    handler: Callable[[argparse.Namespace, Output], int],
    args: argparse.Namespace,
    out: Output,
    errors: _Errors,
) -> int:
    """Run a command; report its failure, if any, as one line; return the exit code."""
    try:
        return handler(args, out)
    except CommandError as error:
        errors.say(f"error: {error}")
    except ho.StorageError as error:
        errors.say(f"error: {errors.cause(error) or error}")
    except ho.RoomOccupancyError as error:
        cause = errors.cause(error) if isinstance(error, ho.ConcurrencyConflict) else None
        errors.say(f"error: {cause}" if cause else f"refused: {type(error).__name__}: {error}")
    except DBAPIError as error:
        errors.say(f"error: {errors.cause(error) or translate(error)}")
    except (ValueError, KeyError, TypeError) as error:
        if not _raised_reading_rows(error):
            raise  # a bug of the command line itself: keep its traceback
        errors.say(
            f"error: {_DAMAGED}: a stored value cannot be read ({type(error).__name__}: {error})"
        )
    except KeyboardInterrupt:
        errors.say("interrupted")
        return 130
    return 1


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
        return EXIT_BROKEN_PIPE
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else cause
    errors.say(f"error: cannot write the output: {reason}")
    return 1


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code."""
    stream: Output = out or sys.stdout
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "command", None) == "do":
        # options may come after the service name: the name=value pairs are left over
        pairs = [item for item in extra if "=" in item and not item.startswith("-")]
        args.arguments = [*args.arguments, *pairs]
        extra = [item for item in extra if item not in pairs]
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace, Output], int] = args.handler
    errors = _Errors(args)
    output = _GuardedOutput(stream)
    try:
        code = _run(handler, args, output, errors)
        output.flush()
    except OutputError as error:
        return _output_failed(error, stream, errors)
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
