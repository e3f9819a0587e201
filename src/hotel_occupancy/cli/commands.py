"""The commands of ``hotel-occupancy``: each ``cmd_*(args, out) -> int`` does one command
with the options click parsed (``args``, attribute per option) and returns its exit code;
:mod:`hotel_occupancy.cli.app` declares their options and help."""

from __future__ import annotations

import inspect
import json
import os
import signal
import sys
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from enum import Enum
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn, TextIO, TypeVar

from alembic.util import CommandError as AlembicError
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

import hotel_occupancy as ho
from hotel_occupancy import relay, services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.legacy_drop import render_plan
from hotel_occupancy.adapters.legacy_mirror import LegacySqlTarget
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, migrate
from hotel_occupancy.cli.database import (
    DEMO_DB,
    PROG,
    _hotel,
    _hotel_id,
    _hotels,
    _integrity_findings,
    _sqlite_path,
    open_engine,
)
from hotel_occupancy.cli.exits import CommandError, ExitCode, StorageProblem, UsageProblem
from hotel_occupancy.cli.text import (
    Output,
    local_iso,
    local_time,
    plain,
    print_json,
    shown_url,
    table,
    visible,
    visible_lines,
)
from hotel_occupancy.cli.views import (
    _STAY_TITLES,
    AuditRun,
    _change,
    _count,
    _overdue_ids,
    describe_operation,
    entry_data,
    night_audit_data,
    print_discrepancies,
    print_history,
    print_night_audit,
    print_stays,
    print_tasks,
    print_worksheets,
    show_board,
    stay_data,
    task_data,
    worksheets_data,
)
from hotel_occupancy.domain.dates import local_date
from hotel_occupancy.domain.invariants import Violation, check_invariants
from hotel_occupancy.domain.legacy import ImportSettings, Owner
from hotel_occupancy.domain.transitions import ACTIONS
from hotel_occupancy.domain.zones import zone
from hotel_occupancy.services.feed import MAX_LIMIT
from hotel_occupancy.simulation import simulate, simulation_clock

Args = SimpleNamespace
"""The parsed options of a command, one attribute each (and ``db``, the database URL)."""

# --- commands ----------------------------------------------------------------------------


def cmd_init(args: Args, out: Output) -> int:
    engine = open_engine(args.db, must_exist=False, schema=args.schema)
    migrate.upgrade(engine)
    revision = migrate.current(engine)
    out.write(f"database ready at schema revision {revision}: {shown_url(args.db)}\n")
    return 0


def cmd_upgrade(args: Args, out: Output) -> int:
    path = _sqlite_path(args.db)
    if path is not None and not path.exists():
        raise StorageProblem(
            f"no database at {path} (create one with: {PROG} init --db {shown_url(args.db)})"
        )
    engine = open_engine(args.db, must_exist=False, schema=args.schema)
    before = migrate.current(engine)
    try:
        migrate.upgrade(engine, args.revision)
    except AlembicError as error:
        raise UsageProblem(f"cannot upgrade to {args.revision!r}: {error}") from None
    out.write(f"schema revision {before or 'none'} -> {migrate.current(engine)}\n")
    return 0


def cmd_board(args: Args, out: Output) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
    hotel_id = _hotel_id(uow, args.hotel)
    if args.json:
        print_json(
            [{"hotel_id": hotel_id, **plain(row)} for row in services.room_board(uow, hotel_id)],
            out,
        )
    else:
        show_board(uow, hotel_id, out)
    return 0


def cmd_stays(args: Args, out: Output) -> int:
    """``arrivals``, ``departures`` and ``in-house``: the front desk's lists."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
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


def resolve_room(
    uow: SqlAlchemyUnitOfWork, room: str, hotel: str | None, *, number_only: bool = False
) -> str:
    """The id of the room ``room`` names: a room id (unless ``number_only``), else a room
    number of the hotel ``hotel``, or of the one hotel holding a room of that number; a
    number several hotels have is a usage error asking for ``--hotel``; a room nothing
    names is RoomNotFound (a refusal, as the service's own)."""
    if not number_only:
        try:
            services.get_occupancy(uow, room)  # the room's state, read as the command will
            return room
        except ho.RoomNotFound:
            pass
    found = [
        (hotel_id, row.room_id)
        for hotel_id in ([hotel] if hotel else _hotels(uow))
        for row in services.room_board(uow, hotel_id)
        if row.number == room
    ]
    if len(found) == 1:
        return found[0][1]
    if found:
        hotels = ", ".join(sorted(hotel_id for hotel_id, _ in found))
        raise UsageProblem(
            f"room number {room!r} is in several hotels ({hotels}); choose one with --hotel"
        )
    where = {"hotel_id": hotel} if hotel else {}
    raise ho.RoomNotFound(
        f"unknown room {room!r}" + (f" at hotel {hotel}" if hotel else ""), **where
    )


def cmd_history(args: Args, out: Output) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
    entries = services.room_history(uow, resolve_room(uow, args.room, args.hotel))[: args.limit]
    timezone = _hotel(uow, entries[0].hotel_id).timezone if entries else "UTC"
    if args.json:
        print_json([entry_data(entry, timezone) for entry in entries], out)
    elif entries:
        print_history(entries, out, timezone=timezone)
    else:
        out.write(f"no history yet for room {visible(args.room)}\n")
    return 0


def cmd_tasks(args: Args, out: Output) -> int:
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
    hotel_id = _hotel_id(uow, args.hotel)
    tasks = services.open_tasks(uow, hotel_id)
    timezone = _hotel(uow, hotel_id).timezone
    if args.json:
        print_json([task_data(task, timezone) for task in tasks], out)
    else:
        numbers = {r.room_id: r.number for r in services.room_board(uow, hotel_id)}
        print_tasks(tasks, numbers, out, timezone=timezone)
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


def cmd_night_audit(args: Args, out: Output) -> int:
    """``night-audit``: close the business day (by default yesterday, the hotel's local
    date: the audit runs after midnight for the day that ended)."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
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
        raise UsageProblem(f"--attendants must be staff ids separated by commas, not {text!r}")
    return ids


def cmd_worksheets(args: Args, out: Output) -> int:
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
            raise UsageProblem(
                "--show only shows the current worksheets, it does not generate them: "
                f"leave out {' and '.join(given)}"
            )
    elif args.attendant is not None:
        raise UsageProblem("--attendant goes with --show")
    elif args.staff is None or args.attendants is None:
        raise UsageProblem(
            "generating worksheets needs --staff ID and --attendants ID,ID,... "
            "(--show shows the current ones)"
        )
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
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


def cmd_discrepancies(args: Args, out: Output) -> int:
    """``discrepancies``: the open discrepancies between housekeeping and the front office."""
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
    hotel = _hotel(uow, _hotel_id(uow, args.hotel))
    rows = services.discrepancies(uow, hotel.hotel_id)
    if args.json:
        print_json(
            [
                {"hotel_id": hotel.hotel_id, **plain(row), "timezone": hotel.timezone}
                for row in rows
            ],
            out,
        )
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


def cmd_check(args: Args, out: Output) -> int:
    engine = open_engine(args.db, schema=args.schema)
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
    return ExitCode.INVARIANT if violations else ExitCode.OK


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


def cmd_legacy_import(args: Args, out: Output) -> int:
    settings = load_settings(args.settings) if args.settings else ImportSettings()
    engine = open_engine(args.db, schema=args.schema)
    try:
        return _legacy_import(args, settings, SqlAlchemyUnitOfWork(engine), out)
    finally:
        engine.dispose()


def _legacy_import(
    args: Args, settings: ImportSettings, uow: SqlAlchemyUnitOfWork, out: Output
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


def _beside_legacy(args: Args, run: Callable[..., T]) -> T:
    """Run ``run(uow, source, settings=..., mirrored=...)`` on the store of ``--db`` and
    the legacy database of ``--from`` (read, and read as the mirror's target for the rows
    it made), with the settings of ``--settings``."""
    settings = load_settings(args.settings) if args.settings else ImportSettings()
    engine = open_engine(args.db, schema=args.schema)
    try:
        with _legacy_source(args.source, settings) as source:
            mirrored = LegacySqlTarget(source.engine, legacy_timezone=settings.legacy_timezone)
            return run(SqlAlchemyUnitOfWork(engine), source, settings=settings, mirrored=mirrored)
    finally:
        engine.dispose()


def cmd_legacy_diff(args: Args, out: Output) -> int:
    hotels = [args.hotel] if args.hotel else None
    report = _beside_legacy(args, partial(services.legacy_diff, hotels=hotels))
    out.write(report.to_json() if args.json else visible_lines(report.summary()))
    return 0 if report.clean else 1


def cmd_legacy_cutover(args: Args, out: Output) -> int:
    handover = _beside_legacy(
        args,
        partial(
            services.cut_over, hotel_id=args.hotel, by=args.by, reason=args.reason, back=args.back
        ),
    )
    whom = "the library" if handover.owner is Owner.LIBRARY else "the legacy application"
    engine = open_engine(args.db, schema=args.schema)
    try:
        timezone = _hotel(SqlAlchemyUnitOfWork(engine), handover.hotel_id).timezone
    finally:
        engine.dispose()
    out.write(
        visible(
            f"hotel {handover.hotel_id} is written by {whom} since "
            f"{local_time(handover.at, timezone)} ({handover.by})"
        )
        + "\n"
    )
    return 0


def cmd_legacy_mirror(args: Args, out: Output) -> int:
    if args.limit < 1:
        raise UsageProblem("--limit must be at least 1")
    if not args.sweep_every >= 0:  # NaN too
        raise UsageProblem("--sweep-every must be 0 or more seconds")
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


def cmd_legacy_drop_plan(args: Args, out: Output) -> int:
    engine = open_engine(args.db, schema=args.schema)
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

DO_HELP = f"""Call a service with name=value arguments: SERVICE is one of
{", ".join(DO_SERVICES)}.

A room is given by id (room_id=lake-101) or by number (room=101, to_room=, from_room=, or
room_id=101 when no room has that id), looked up in --hotel's rooms, else in every hotel's
(a number several hotels have needs --hotel). Booleans are true or
false, dates YYYY-MM-DD, times of day HH:MM, whole numbers digits (none for an optional one
left unset); an enum (status, return_condition) is one of its values, e.g. DND or CLEAN; a
list of ids (attendants) is comma-separated or a JSON list; a party is a JSON list of its
members, the primary first, each {{"booking_guest_id": ..., "first_name": ...,
"last_name": ...}} or [booking_guest_id, first_name, last_name]. A refusal is one line on
stderr and exit code 1; nothing is changed."""


ROOM_NUMBERS = {"room": "room_id", "to_room": "to_room_id", "from_room": "from_room_id"}
"""``do``'s names for a room given by its number (``room=101``), by the parameter they
stand for; a ``*room_id`` parameter takes a number too when no room has that id."""


def _parse_party(name: str, text: str) -> list[ho.BookingGuest]:
    """A party given on the command line, as JSON (see :data:`_PARTY_FORM`)."""
    try:
        data = json.loads(text)
    except ValueError:
        raise UsageProblem(f"{name} must be {_PARTY_FORM}; it is not JSON: {text!r}") from None
    if not isinstance(data, list):
        raise UsageProblem(f"{name} must be {_PARTY_FORM}")
    party = []
    for index, member in enumerate(data):
        values: list[object] | None = None
        if isinstance(member, dict) and set(member) == set(_PARTY_KEYS):
            values = [member[key] for key in _PARTY_KEYS]
        elif isinstance(member, list) and len(member) == len(_PARTY_KEYS):
            values = list(member)
        if values is None or not all(isinstance(value, str) for value in values):
            raise UsageProblem(f"{name}[{index}] must be {_MEMBER_FORM}")
        party.append(ho.BookingGuest(*(str(value) for value in values)))
    return party


def _parse_ids(name: str, text: str) -> list[str]:
    """A list of ids given on the command line: comma-separated, or a JSON list of
    strings."""
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            raise UsageProblem(
                f"{name} must be a JSON list of ids; it is not JSON: {text!r}"
            ) from None
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise UsageProblem(f"{name} must be a JSON list of ids (strings)")
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
        raise UsageProblem(f"{name} must be true or false, not {text!r}")
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise UsageProblem(f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None
    if kind == "time":
        try:
            return time_of_day.fromisoformat(text)
        except ValueError:
            raise UsageProblem(f"{name} must be a time of day (HH:MM), not {text!r}") from None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise UsageProblem(f"{name} must be a whole number, not {text!r}") from None
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
        raise UsageProblem(f"{name} must be one of {values}; not {text!r}")
    return text


def _hotel_settings(hotel: ho.Hotel) -> str:
    return (
        f"hotel {hotel.hotel_id} ({hotel.name}): require_inspection "
        f"{str(hotel.require_inspection).lower()}, timezone {hotel.timezone}, checkout_time "
        f"{hotel.checkout_time:%H:%M}, enforce_stay_dates {str(hotel.enforce_stay_dates).lower()}"
        f", stayover_every {hotel.stayover_every}, checkout_credits {hotel.checkout_credits}"
        f", stayover_credits {hotel.stayover_credits}"
    )


def _json_result(uow: SqlAlchemyUnitOfWork, result: object) -> object:
    """What ``do --json`` prints: log entries with their local times, anything else (an
    updated hotel) as plain data."""
    if isinstance(result, list | tuple) and all(isinstance(e, ho.LogEntry) for e in result):
        zones: dict[str, str] = {}
        for entry in result:
            if entry.hotel_id not in zones:
                zones[entry.hotel_id] = _hotel(uow, entry.hotel_id).timezone
        return [entry_data(entry, zones[entry.hotel_id]) for entry in result]
    return plain(result)


DoRooms = dict[str, tuple[str, bool]]
"""``do``'s rooms by the parameter they are for: (a room id or number, whether only a
number)."""


def do_arguments(service_name: str, arguments: Sequence[str]) -> tuple[dict[str, object], DoRooms]:
    """The keyword arguments of ``do SERVICE name=value...`` read from ``arguments`` (the
    rooms apart, still to be looked up in the database), checked as a run checks them
    before opening the database: only names the service takes, each once, values of their
    kind, every required one given. UsageProblem if not."""
    service = getattr(services, service_name)
    parameters = inspect.signature(service).parameters
    kwargs: dict[str, object] = {}
    rooms: DoRooms = {}
    for pair in arguments:
        name, sep, value = pair.partition("=")
        target = ROOM_NUMBERS.get(name, name)
        if sep and target in parameters and target.endswith("room_id"):
            if target in kwargs or target in rooms:
                raise UsageProblem(f"{service_name}: {target} is given more than once")
            rooms[target] = (value, name != target)
            continue
        if not sep or name not in parameters or name == "uow":
            allowed = ", ".join(p for p in parameters if p != "uow")
            raise UsageProblem(
                f"{service_name} takes name=value arguments among: {allowed}; got {pair!r}"
            )
        if name in kwargs:
            raise UsageProblem(f"{service_name}: {name} is given more than once")
        kwargs[name] = _parse_value(name, value, parameters[name].annotation)
    missing = [
        p.name
        for p in parameters.values()
        if p.name != "uow"
        and p.default is inspect.Parameter.empty
        and p.name not in kwargs
        and p.name not in rooms
    ]
    if missing:
        raise UsageProblem(f"{service_name} needs {', '.join(f'{m}=...' for m in missing)}")
    return kwargs, rooms


def cmd_do(args: Args, out: Output) -> int:
    service = getattr(services, args.service)
    kwargs, rooms = do_arguments(args.service, args.arguments)
    uow = SqlAlchemyUnitOfWork(open_engine(args.db, schema=args.schema))
    for name, (room, number_only) in rooms.items():
        kwargs[name] = resolve_room(uow, room, args.hotel, number_only=number_only)
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
        print_json(_json_result(uow, result), out)
    elif args.service == "update_hotel":  # reference data: nothing is logged
        out.write(visible(_hotel_settings(_hotel(uow, str(kwargs["hotel_id"])))) + "\n")
    elif args.service == "assign_task":  # a task is not a room's state: nothing is logged
        out.write(
            visible(f"task {kwargs['task_id']} is assigned to {kwargs['assignee_id']}") + "\n"
        )
    elif result:
        print_history(result, out, timezone=_hotel(uow, result[0].hotel_id).timezone)
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


def cmd_demo(args: Args, out: Output) -> int:
    if args.days < 1 or args.rooms < 1 or args.rooms > 2000 or args.days > 365:
        raise UsageProblem("--days must be 1-365 and --rooms 1-2000")
    path = _sqlite_path(args.db)
    if args.db == DEMO_DB and path is not None and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = open_engine(args.db, must_exist=False, schema=args.schema)
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
    its transaction rolled back), and a second Ctrl-C or SIGTERM during ``cleanup`` is
    ignored, so neither ends in a traceback. The signal handlers are restored afterwards."""
    in_main = threading.current_thread() is threading.main_thread()

    def stop(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt

    terminate = signal.signal(signal.SIGTERM, stop) if in_main else None
    try:
        work()
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:
            interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
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


def event_line(event: ho.OccupancyEvent, timezone: str = "UTC") -> str:
    """One readable line for an event: entry id, time (to the second, in the hotel's zone
    ``timezone``, with its abbreviation), hotel, room ("no room" for a change to a booking
    that holds none), operation (see :func:`describe_operation`), booking, the status and
    condition change, who, and the notes; control characters escaped."""
    local = event.timestamp.astimezone(zone(timezone))
    parts = [
        f"#{event.entry_id}",
        f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}",
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


def cmd_follow(args: Args, out: Output) -> int:
    if args.after is not None and args.consumer is not None:
        raise UsageProblem(
            "--after and --consumer exclude each other (a consumer resumes from its stored "
            "position)"
        )
    if args.limit is not None and args.limit < 1:
        raise UsageProblem("--limit must be at least 1")
    engine = open_engine(args.db, schema=args.schema)
    uow = SqlAlchemyUnitOfWork(engine)
    _until_interrupted(lambda: _follow(args, uow, out), lambda: _close(uow, engine))
    return 0


def _close(uow: SqlAlchemyUnitOfWork, engine: Engine) -> None:
    uow.close()  # the connection kept for waiting on the feed
    engine.dispose()


def _follow(args: Args, uow: SqlAlchemyUnitOfWork, out: Output) -> None:
    hotel = _feed_hotel(uow, args.hotel)
    if args.consumer is not None:
        position = relay.stored_position(uow, args.consumer)
    elif args.after is not None:
        position = args.after
    else:
        position = relay.end_position(uow, hotel)
    size = 1 if args.json else _TEXT_PAGE
    printed = 0
    zones: dict[str, str] = {}

    def timezone(hotel_id: str) -> str:
        if hotel_id not in zones:
            zones[hotel_id] = _hotel(uow, hotel_id).timezone
        return zones[hotel_id]

    while True:
        limit = size if args.limit is None else min(size, args.limit - printed)
        page = services.read_feed(uow, after=position, hotel_id=hotel, limit=limit)
        for event in page.events:
            if args.json:
                tz = timezone(event.hotel_id)
                record = {
                    **relay.event_data(event),
                    "timestamp_local": local_iso(event.timestamp, tz),
                    "timezone": tz,
                    "position": page.position,
                }
                out.write(json.dumps(plain(record)) + "\n")
            else:
                out.write(event_line(event, timezone(event.hotel_id)) + "\n")
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
        raise UsageProblem(f"{option} must be more than 0 and at most {_LONGEST:g} seconds")


def _relay_warning(line: str, url: str) -> None:
    """Report a failed delivery on stderr: one line, control characters escaped."""
    text = line.replace(url, relay.shown_url(url))
    sys.stderr.write(visible(f"{PROG}: relay: {text}") + "\n")
    sys.stderr.flush()


def cmd_relay(args: Args, out: Output) -> int:
    secret = os.environ.get(relay.SECRET_VARIABLE, "")
    if not secret:
        raise UsageProblem(
            f"set the environment variable {relay.SECRET_VARIABLE} to the webhook secret "
            "(every delivery is signed with it)"
        )
    if not 1 <= args.batch <= MAX_LIMIT:
        raise UsageProblem(f"--batch must be from 1 to {MAX_LIMIT}")
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
        raise UsageProblem(f"--url {relay.shown_url(args.url)!r}: {error}") from None
    backoff = relay.Backoff(args.retry_initial, max(args.retry_initial, args.retry_max))
    engine = open_engine(args.db, schema=args.schema)
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
