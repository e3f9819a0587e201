"""Benchmark of the legacy import (SPEC §12, issue 11 point 6): bookings per second into SQLite,
against a hand-written sqlite3 floor, and peak memory at two sizes.

    python3 tasks.py bench-legacy                        # full run (several minutes)
    python3 tasks.py bench-legacy --quick                # small sizes, one run: a smoke run
    python3 tasks.py bench-legacy --legacy legacy.db     # reuse (or create) this legacy file
    python3 tasks.py bench-legacy --repeat 5 --json out.json
    .venv/bin/python benchmarks/legacy_import.py ...     # the same without tasks.py

The legacy database is made by ``hotel_occupancy.testing.legacy.generate_legacy_database``
(one hotel, 1,000 rooms, 200,000 bookings, no defects; about ten target rows per booking:
the booking, its party, guests, about three history entries, tasks). A ``--legacy`` file
that exists is reused as it is.

- library: ``services.import_legacy(uow, LegacySqlSource.open(url))`` into a fresh SQLite
  file made with the library's ``create_engine`` + ``create_schema`` and its defaults
  (WAL, ``synchronous = FULL``, foreign keys on, ``secure_delete = ON``, ``BEGIN
  IMMEDIATE``, one transaction per hotel, batches of 1,000 bookings). The source and the
  unit of work are wrapped in timers, so the time splits into reading the source (its
  queries and row parsing), the writes (``uow.legacy.write``: building the rows and the
  inserts) and the rest, which is the takeover (the domain's reconciliation) and commit.
- floor: a hand-written ``sqlite3`` program that reads the same legacy rows (the same four
  sorted queries) and inserts the same target rows (same tables, columns and values, with
  minimal Python) into a fresh database of the same schema and settings, in one
  transaction. The few rows that are not a past booking or a closed task (the hotel, its
  staff and rooms, the open bookings, occupancy records, open tasks, IMPORT entries:
  under 2% of the rows) are copied from the library's result with INSERT ... SELECT. The
  two databases are then compared table by table (log ids aside): the figure says how
  many rows differ, which should be 0.
- memory: the import of two sizes (``--memory-sizes``), each in its own subprocess, peak
  RSS from ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (with Linux's ``VmHWM`` beside
  it). On Linux a child's ``ru_maxrss`` starts at what its parent held when it forked, so
  these run first, and the legacy databases are generated in subprocesses too: this
  process stays small until then.

Every figure is the median of ``--repeat`` runs, with the spread (min-max). Nothing here
asserts anything about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine as sa_create_engine

from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    create_schema,
    legacy_store,
)
from hotel_occupancy.adapters.sqlalchemy.engine import BUSY_TIMEOUT_MS
from hotel_occupancy.testing.legacy import create_legacy_schema, generate_legacy_database

NOW = datetime(2026, 12, 2, 18, tzinfo=UTC)
TABLES = [
    "ho_hotels", "ho_staff", "ho_rooms", "ho_bookings", "ho_booking_guests", "ho_occupancies",
    "ho_guests", "ho_tasks", "ho_log",
]  # fmt: skip


def summary(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples)}


def fmt(s: dict[str, float], digits: int = 0) -> str:
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f})"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def generate(path: Path, rooms: int, bookings: int) -> float:
    """Write a legacy database of one hotel at ``path`` in a subprocess (this one stays
    small: see :func:`child_memory`); seconds taken."""
    start = time.perf_counter()
    command = [sys.executable, __file__, "--child-generate", str(path), str(rooms), str(bookings)]
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def child_generate(path: Path, rooms: int, bookings: int) -> None:
    _remove(path)
    engine = sa_create_engine(f"sqlite:///{path}")
    create_legacy_schema(engine)
    generate_legacy_database(
        engine, hotels=1, rooms_per_hotel=rooms, bookings_per_hotel=bookings, defects=False
    )
    engine.dispose()


# --- the library, timed ---------------------------------------------------------------------


class Timer:
    """Seconds spent inside the wrapped calls (generators: inside each ``next``)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def call(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed

    def stream(self, function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            start = time.perf_counter()
            items = iter(function(*args, **kwargs))
            self.seconds += time.perf_counter() - start
            while True:
                start = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    self.seconds += time.perf_counter() - start
                    return
                self.seconds += time.perf_counter() - start
                yield item

        return timed


class TimedSource:
    """The source, every call timed."""

    def __init__(self, source: LegacySqlSource, timer: Timer) -> None:
        self._source = source
        for name in ("hotels", "room_hotels", "staff_hotels", "staff", "rooms", "open_stays"):
            setattr(self, name, timer.call(getattr(source, name)))
        self.count_bookings = timer.call(source.count_bookings)
        self.stays = timer.stream(source.stays)
        self.tasks = timer.stream(source.tasks)
        self.orphans = timer.stream(source.orphans)

    def __getattr__(self, name: str) -> Any:  # anything else (attributes) as it is
        return getattr(self._source, name)


class TimedLegacy:
    def __init__(self, legacy: Any, timer: Timer) -> None:
        self.write = timer.call(legacy.write)
        self.record = legacy.record
        self.save = legacy.save
        self._legacy = legacy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._legacy, name)


class TimedUnitOfWork:
    """The unit of work with ``legacy.write`` and ``commit`` timed."""

    def __init__(self, uow: SqlAlchemyUnitOfWork, writes: Timer, commits: Timer) -> None:
        self._uow = uow
        self.legacy = TimedLegacy(uow.legacy, writes)
        self.commit = commits.call(uow.commit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def __enter__(self) -> TimedUnitOfWork:
        self._uow.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._uow.__exit__(*exc)


def run_library(legacy: Path, target: Path) -> dict[str, Any]:
    """Import ``legacy`` into a fresh SQLite file at ``target``; seconds and counts."""
    _remove(target)
    engine = create_engine(f"sqlite:///{target}")
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=lambda: NOW)
    reading, writing, committing = Timer(), Timer(), Timer()
    with LegacySqlSource.open(f"sqlite:///{legacy}") as source:
        start = time.perf_counter()
        report = services.import_legacy(
            TimedUnitOfWork(uow, writing, committing),  # type: ignore[arg-type]
            TimedSource(source, reading),  # type: ignore[arg-type]
        )
        total = time.perf_counter() - start
    engine.dispose()
    return {
        "seconds": total,
        "source": reading.seconds,
        "writes": writing.seconds,
        "commit": committing.seconds,
        "takeover": total - reading.seconds - writing.seconds - committing.seconds,
        "bookings": report.counts["bookings"],
        "rows": count_rows(target),
        "conflicts": len(report.conflicts),
    }


def count_rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)


# --- the floor: hand-written sqlite3 --------------------------------------------------------

LOG_COLUMNS = (
    "hotel_id, room_id, operation, performed_by, booking_id, from_room_id, status_before, "
    "status_after, condition_before, condition_after, notes, metadata, timestamp, request_id"
)
OPEN = (
    "b.checked_out_at IS NULL AND (b.assigned_room_id IS NOT NULL OR b.checked_in_at IS NOT NULL)"
)
AUDIT = (  # (column index in the booking row, its staff column index, operation, column)
    (5, 6, "ASSIGN", "room_assigned_at"),
    (7, 8, "REASSIGN", "room_reassigned_at"),
    (9, 10, "UNASSIGN", "room_unassigned_at"),
    (11, 12, "MOVE", "room_moved_at"),
    (3, None, "CHECKIN", "checked_in_at"),
    (4, None, "CHECKOUT", "checked_out_at"),
)


def _connect_like_the_library(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        f"busy_timeout = {BUSY_TIMEOUT_MS}",
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = FULL",
        "secure_delete = ON",
        f"cache_size = {-_cache_kib()}",
    ):
        db.execute(f"PRAGMA {pragma}")
    return db


def _cache_kib() -> int:
    """The import's SQLite page cache (KiB); SQLite's default for a version without one."""
    kib: int = getattr(legacy_store, "SQLITE_IMPORT_CACHE_KIB", 2000)
    return kib


def _utc(text: str | None) -> str | None:
    """A legacy naive UTC time as the library stores it (ISO text with microseconds)."""
    if text is None:
        return None
    return datetime.fromisoformat(text).isoformat(" ", "microseconds")


def run_floor(legacy: Path, library: Path, target: Path) -> dict[str, Any]:
    """The same rows, by hand: seconds, bookings, rows."""
    _remove(target)
    engine = create_engine(f"sqlite:///{target}")
    create_schema(engine)
    engine.dispose()
    start = time.perf_counter()
    db = _connect_like_the_library(target)
    db.execute(f"ATTACH DATABASE '{legacy.as_uri()}?mode=ro' AS legacy")
    db.execute(f"ATTACH DATABASE '{library.as_uri()}?mode=ro' AS lib")
    db.execute("BEGIN IMMEDIATE")
    (hotel,) = db.execute("SELECT id FROM legacy.hotel_hotel").fetchone()
    h, actor = str(hotel), f"legacy-import-{hotel}"
    db.execute(
        "CREATE TEMP TABLE open_ids AS SELECT CAST(b.id AS TEXT) AS id "
        f"FROM legacy.hotel_roombooking b WHERE b.hotel_id = ? AND {OPEN}",
        (hotel,),
    )
    staff = {int(s) for (s,) in db.execute("SELECT staff_id FROM lib.ho_staff") if s.isdigit()}
    rooms = {int(r) for (r,) in db.execute("SELECT room_id FROM lib.ho_rooms")}
    # what is not a past booking or a closed task: copied from the library's result
    for table, where in (
        ("ho_hotels", ""),
        ("ho_staff", ""),
        ("ho_rooms", ""),
        ("ho_bookings", "WHERE booking_id IN (SELECT id FROM open_ids)"),
        ("ho_booking_guests", "WHERE booking_id IN (SELECT id FROM open_ids)"),
        ("ho_occupancies", ""),
        ("ho_guests", "WHERE booking_id IN (SELECT id FROM open_ids)"),
    ):
        db.execute(f"INSERT INTO main.{table} SELECT * FROM lib.{table} {where}")
    read = db.cursor  # four sorted streams, as the library's source reads them
    which = f"b.hotel_id = {int(hotel)} AND NOT ({OPEN})"
    bookings = read().execute(
        "SELECT b.id, b.booking_id, b.check_in, b.checked_in_at, b.checked_out_at, "
        "b.room_assigned_at, b.room_assigned_by_id, b.room_reassigned_at, "
        "b.room_reassigned_by_id, b.room_unassigned_at, b.room_unassigned_by_id, "
        "b.room_moved_at, b.room_moved_by_id, b.check_out, b.assigned_room_id "
        f"FROM legacy.hotel_roombooking b WHERE {which} ORDER BY b.id"
    )
    party = read().execute(
        "SELECT p.booking_id, p.id, p.first_name, p.last_name, p.is_primary FROM "
        "legacy.hotel_bookingguest p JOIN legacy.hotel_roombooking b ON b.id = p.booking_id "
        f"WHERE {which} ORDER BY b.id, p.id"
    )
    guests = read().execute(
        "SELECT g.booking_id, g.id, g.room_id, g.booking_guest_id, g.check_in_date, "
        "g.check_out_date FROM legacy.guests_guest g JOIN legacy.hotel_roombooking b "
        f"ON b.id = g.booking_id WHERE {which} ORDER BY b.id, g.id"
    )
    task_rooms = read().execute(
        "SELECT t.booking_id, t.room_id FROM legacy.housekeeping_housekeepingtask t JOIN "
        f"legacy.hotel_roombooking b ON b.id = t.booking_id WHERE {which} ORDER BY b.id, t.id"
    )

    def grouped(rows: sqlite3.Cursor) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
        group: list[tuple[Any, ...]] = []
        key = None
        for row in rows:
            if row[0] != key:
                if group:
                    yield key, group  # type: ignore[misc]
                key, group = row[0], []
            group.append(row)
        if group:
            yield key, group  # type: ignore[misc]

    def take(groups: Iterator[tuple[int, list[Any]]], head: list[Any], key: int) -> list[Any]:
        while head[0] is not None and head[0][0] < key:
            head[0] = next(groups, None)
        if head[0] is not None and head[0][0] == key:
            rows: list[Any] = head[0][1]
            head[0] = next(groups, None)
            return rows
        return []

    streams = [grouped(party), grouped(guests), grouped(task_rooms)]
    heads = [[next(s, None)] for s in streams]
    out_b: list[tuple[Any, ...]] = []
    out_p: list[tuple[Any, ...]] = []
    out_g: list[tuple[Any, ...]] = []
    out_l: list[tuple[Any, ...]] = []
    count = 0

    def flush() -> None:
        db.executemany(
            "INSERT INTO main.ho_bookings (booking_id, hotel_id, reference, arrival, "
            "departure, checked_in_at, checked_out_at, moved_at) VALUES (?,?,?,?,?,?,?,?)",
            out_b,
        )
        db.executemany("INSERT INTO main.ho_booking_guests VALUES (?,?,?,?,?)", out_p)
        db.executemany("INSERT INTO main.ho_guests VALUES (?,?,?,?,?,?,?,?,?,?,NULL,NULL)", out_g)
        db.executemany(
            "INSERT INTO main.ho_log (hotel_id, room_id, operation, performed_by, booking_id, "
            "notes, metadata, timestamp) VALUES (?,?,?,?,?,?,?,?)",
            out_l,
        )
        for rows in (out_b, out_p, out_g, out_l):
            rows.clear()

    for b in bookings:
        count += 1
        legacy_id = b[0]
        bid = str(legacy_id)
        departed = b[4] is not None
        members = take(streams[0], heads[0], legacy_id)
        guest_rows = take(streams[1], heads[1], legacy_id)
        tasks_of = take(streams[2], heads[2], legacy_id)
        checked_in, checked_out = (_utc(b[3]), _utc(b[4])) if departed else (None, None)
        out_b.append(
            (bid, h, b[1], b[2], b[13], checked_in, checked_out, _utc(b[11]) if departed else None)
        )
        members.sort(key=lambda m: (not m[4], m[1]))
        for position, m in enumerate(members):
            out_p.append((str(m[1]), bid, position, m[2], m[3]))
        if departed:
            index = {m[1]: i for i, m in enumerate(members)}
            matched = {index[g[3]]: g for g in guest_rows if g[3] in index}
            out_day = checked_out[:10]  # type: ignore[index]
            primary = None
            for i, m in enumerate(members):
                g = matched.get(i)
                if g is None:
                    continue
                gid = f"guest-{g[1]}"
                day_out = g[5] or out_day
                day_in = min(g[4] or checked_in[:10], day_out)  # type: ignore[index]
                kind = "PRIMARY" if primary is None else "COMPANION"
                out_g.append((gid, h, bid, str(m[1]), kind, primary, m[2], m[3], day_in, day_out))
                primary = primary or gid
        room = b[14]
        if room is None:
            named = [g[2] for g in guest_rows] + [t[1] for t in tasks_of]
            room = next((r for r in named if r in rooms), None)
        changes = [b[7], b[11]]
        last_change = max((_utc(t) for t in changes if t is not None), default=None)
        entries = []
        for at_index, by_index, operation, column in AUDIT:
            at = _utc(b[at_index])
            if at is None:
                continue
            where = room
            if last_change is not None and at < last_change:
                where = None
            if operation == "UNASSIGN" and b[14] is not None:
                where = None
            by = b[by_index] if by_index is not None else None
            performed = str(by) if by in staff else actor
            unknown = ',"room_unknown":true' if where is None else ""
            metadata = (
                f'{{"action":"import","imported":true,"legacy_booking_id":{legacy_id},'
                f'"legacy_column":"{column}"{unknown}}}'
            )
            entries.append(
                (
                    h,
                    None if where is None else str(where),
                    operation,
                    performed,
                    bid,
                    f"imported from hotel_roombooking.{column}",
                    metadata,
                    at,
                )
            )
        entries.sort(key=lambda e: e[7])
        out_l.extend(entries)
        if len(out_b) >= 1000:
            flush()
    flush()
    tasks = db.execute(
        "SELECT t.id, t.room_id, t.task_type, t.status, t.created_at, t.booking_id, "
        "t.assigned_to_id, t.created_by_id, b.hotel_id FROM legacy.housekeeping_housekeepingtask t "
        "LEFT JOIN legacy.hotel_roombooking b ON b.id = t.booking_id "
        "WHERE t.hotel_id = ? AND t.status IN ('DONE', 'CANCELLED') ORDER BY t.id",
        (hotel,),
    )
    out_t = []
    for t in tasks:
        created = _utc(t[4])
        booking = str(t[5]) if t[5] is not None and t[8] == hotel else None
        out_t.append(
            (
                f"task-{t[0]}", h, str(t[1]), t[2], t[3], created, created,
                str(t[7]) if t[7] in staff else None, str(t[6]) if t[6] in staff else None,
                booking,
            )
        )  # fmt: skip
    db.executemany("INSERT INTO main.ho_tasks VALUES (?,?,?,?,?,?,?,?,?,?,NULL,NULL)", out_t)
    # the rest, as the library's finish() writes it: open tasks, IMPORT entries
    db.execute(
        "INSERT INTO main.ho_tasks SELECT * FROM lib.ho_tasks WHERE task_id NOT IN "
        "(SELECT 'task-' || id FROM legacy.housekeeping_housekeepingtask "
        "WHERE status IN ('DONE', 'CANCELLED'))"
    )
    db.execute(
        f"INSERT INTO main.ho_log ({LOG_COLUMNS}) SELECT {LOG_COLUMNS} FROM lib.ho_log "
        "WHERE operation = 'IMPORT' OR booking_id IN (SELECT id FROM open_ids) ORDER BY id"
    )
    db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "bookings": count, "rows": count_rows(target)}


def differences(one: Path, other: Path) -> dict[str, int]:
    """Rows of each table in one database and not the other (both ways; log ids aside)."""
    db = sqlite3.connect(one)
    db.execute(f"ATTACH DATABASE '{other}' AS other")
    out = {}
    for table in TABLES:
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
        listed = ", ".join(f'"{c}"' for c in columns)
        a = f"SELECT {listed} FROM main.{table}"
        b = f"SELECT {listed} FROM other.{table}"
        out[table] = sum(
            db.execute(f"SELECT count(*) FROM ({x} EXCEPT {y})").fetchone()[0]
            for x, y in ((a, b), (b, a))
        )
    db.close()
    return out


# --- memory ---------------------------------------------------------------------------------


def _high_water_mark() -> int | None:
    """This process's own peak RSS in bytes (Linux: VmHWM), or None where unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def child_memory(legacy: Path, target: Path) -> None:
    """(In a subprocess of its own.) Import, then print the peak RSS in bytes as JSON:
    ``ru_maxrss``, and Linux's VmHWM as a cross-check (``ru_maxrss`` of a child starts at
    what its parent held when it forked, which is why the parent runs these first)."""
    result = run_library(legacy, target)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024  # Linux reports KiB
    figures = {"peak_rss_bytes": peak, "vm_hwm_bytes": _high_water_mark()}
    print(json.dumps({**figures, "bookings": result["bookings"]}))


def measure_memory(legacy: Path, target: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child-memory", str(legacy), str(target)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, one run (smoke)")
    parser.add_argument("--legacy", type=Path, help="the legacy database (created if missing)")
    parser.add_argument("--bookings", type=int, help="bookings of the legacy hotel (200,000)")
    parser.add_argument("--rooms", type=int, help="rooms of the legacy hotel (1,000)")
    parser.add_argument("--repeat", type=int, help="runs of each timing (3)")
    parser.add_argument("--memory-sizes", help="two booking counts, e.g. 50000,200000")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--sqlite-cache-kib", type=int, help="the import's SQLite page cache")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child-memory", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sqlite_cache_kib is not None:
        legacy_store.SQLITE_IMPORT_CACHE_KIB = args.sqlite_cache_kib
        os.environ["HO_BENCH_CACHE_KIB"] = str(args.sqlite_cache_kib)
    elif "HO_BENCH_CACHE_KIB" in os.environ:  # a memory subprocess
        legacy_store.SQLITE_IMPORT_CACHE_KIB = int(os.environ["HO_BENCH_CACHE_KIB"])
    if args.child_generate:
        path, rooms_text, bookings_text = args.child_generate
        child_generate(Path(path), int(rooms_text), int(bookings_text))
        return 0
    if args.child_memory:
        child_memory(*args.child_memory)
        return 0
    rooms = args.rooms or (100 if args.quick else 1_000)
    bookings = args.bookings or (2_000 if args.quick else 200_000)
    repeat = args.repeat or (1 if args.quick else 3)
    sizes = [int(s) for s in (args.memory_sizes or "").split(",") if s] or (
        [500, 2_000] if args.quick else [50_000, 200_000]
    )
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "load_average_before": os.getloadavg(),
        },
        "settings": {
            "rooms": rooms,
            "bookings": bookings,
            "repeat": repeat,
            "quick": args.quick,
            "sqlite_import_cache_kib": _cache_kib(),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        legacy = args.legacy or work / "legacy.db"
        if not legacy.exists():
            seconds = generate(legacy, rooms, bookings)
            print(f"generated {legacy} in {seconds:.1f} s", file=sys.stderr)
        if not args.no_memory:  # first, while this process is small (see child_memory)
            memory = {}
            for size in sizes:
                path = legacy if size == bookings else work / f"m{size}.db"
                if not path.exists():
                    generate(path, rooms, size)
                memory[str(size)] = measure_memory(path, work / f"mem-{size}.db")
                print(f"memory at {size:,} bookings measured", file=sys.stderr)
            results["peak_rss_mib"] = {
                size: figures["peak_rss_bytes"] / 2**20 for size, figures in memory.items()
            }
            results["vm_hwm_mib"] = {
                size: (figures["vm_hwm_bytes"] or 0) / 2**20 for size, figures in memory.items()
            }
        library_runs, floor_runs = [], []
        for run in range(repeat):
            lib = run_library(legacy, work / "library.db")
            library_runs.append(lib)
            floor = run_floor(legacy, work / "library.db", work / "floor.db")
            floor_runs.append(floor)
            print(
                f"run {run + 1}/{repeat}: library {lib['seconds']:.1f} s, "
                f"floor {floor['seconds']:.1f} s",
                file=sys.stderr,
            )
        results["differing_rows"] = differences(work / "library.db", work / "floor.db")
        n, rows = library_runs[0]["bookings"], library_runs[0]["rows"]
        results["bookings"], results["rows"] = n, rows
        results["library"] = {
            "bookings_per_second": summary([n / r["seconds"] for r in library_runs]),
            "rows_per_second": summary([rows / r["seconds"] for r in library_runs]),
            "seconds": {
                part: summary([r[part] for r in library_runs])
                for part in ("seconds", "source", "takeover", "writes", "commit")
            },
        }
        results["floor"] = {
            "bookings_per_second": summary([n / r["seconds"] for r in floor_runs]),
            "rows_per_second": summary([r["rows"] / r["seconds"] for r in floor_runs]),
            "seconds": summary([r["seconds"] for r in floor_runs]),
        }
        results["library_vs_floor_ratio"] = summary(
            [
                lib["seconds"] / fl["seconds"]
                for lib, fl in zip(library_runs, floor_runs, strict=True)
            ]
        )
        results["machine"]["load_average_after"] = os.getloadavg()
    print_report(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nfigures written to {args.json}")
    return 0


def print_report(results: dict[str, Any]) -> None:
    lib, floor = results["library"], results["floor"]
    repeat = results["settings"]["repeat"]
    print(
        f"\nLegacy import into SQLite: {results['bookings']:,} bookings, {results['rows']:,} "
        f"rows; median (min-max) of {repeat} run(s)"
    )
    _table(
        [
            ["", "bookings/s", "rows/s", "seconds"],
            ["library", fmt(lib["bookings_per_second"]), fmt(lib["rows_per_second"]),
             fmt(lib["seconds"]["seconds"], 1)],
            ["raw sqlite3 floor", fmt(floor["bookings_per_second"]),
             fmt(floor["rows_per_second"]), fmt(floor["seconds"], 1)],
        ]
    )  # fmt: skip
    print(f"library/floor time ratio: {fmt(results['library_vs_floor_ratio'], 2)}x")
    differing = sum(results["differing_rows"].values())
    print(f"rows differing between the two databases: {differing:,}")
    print("\nWhere the library's time goes (seconds)")
    seconds = lib["seconds"]
    total = seconds["seconds"]["median"]
    _table(
        [
            ["part", "seconds", "share"],
            *(
                [part, fmt(seconds[part], 2), f"{seconds[part]['median'] / total:.0%}"]
                for part in ("source", "takeover", "writes", "commit")
            ),
        ]
    )
    if "peak_rss_mib" in results:
        print("\nPeak memory of an import (RSS, MiB), each in its own process")
        peaks = results["peak_rss_mib"]
        hwm = results["vm_hwm_mib"]
        _table(
            [
                ["bookings", "peak RSS (ru_maxrss)", "VmHWM"],
                *([f"{int(s):,}", f"{m:,.1f}", f"{hwm[s]:,.1f}"] for s, m in peaks.items()),
            ]
        )


def _table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
