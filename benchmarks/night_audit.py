"""Benchmark of the night audit (SPEC §10, issue 15 point 2): one call for a 2,000-room hotel
on SQLite, against a hand-written sqlite3 floor doing the same reads and writes.

    python3 tasks.py bench-audit                    # 2,000 rooms, 5 runs
    python3 tasks.py bench-audit --rooms 500 --repeat 3 --json out.json
    .venv/bin/python benchmarks/night_audit.py ...  # the same without tasks.py

The hotel is built once through the library's services in a SQLite file (the library's
``create_engine`` defaults: WAL, ``synchronous = FULL``, foreign keys on, ``BEGIN
IMMEDIATE``): ``--rooms`` rooms, of which 70% are occupied by a guest who checked in the
day before (so every one of them is due a stayover cleaning), a tenth of those with a do
not disturb sign, and 5% out of order until the audited day. Each run copies that file
and audits the copy, so every run changes the same rooms:

- library: ``services.night_audit`` on the copy, one call, wall time; its statements are
  counted (an executemany counts once) to show they do not grow with the rooms changed;
- floor: a ``sqlite3`` program on another copy doing the audit's minimal work in one
  transaction: read the hotel's occupancy records, its in-house bookings and its open
  tasks (three SELECTs), then write the changed records (one executemany UPDATE of the
  columns that change), the new cleaning tasks, the closed tasks of the rooms returned to
  service, the log entries (executemany INSERTs) and the audit's record, and commit. The
  two copies are then compared (occupancy records, open tasks by room and kind, NIGHT_AUDIT
  entries by room): the figure says how many rooms differ, which should be 0;
- memory: the same audit on the in-memory adapter, for scale.

Every figure is the median of ``--repeat`` runs with the spread (min-max). Nothing here
asserts anything about time.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from hotel_occupancy.services.ports import UnitOfWork

HOTEL = "H"
DAY = date(2026, 6, 2)  # the business date audited
CHECK_IN = datetime(2026, 6, 1, 15, tzinfo=UTC)  # the guests arrived the day before
AUDIT_AT = datetime(2026, 6, 3, 2, tzinfo=UTC)  # the audit runs after midnight


class Clock:
    """A clock that can be set, moving one millisecond per reading."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def build(uow: UnitOfWork, clock: Clock, rooms: int) -> dict[str, int]:
    """The hotel of the module docstring; how many rooms of each kind it has."""
    clock.now = CHECK_IN - timedelta(hours=1)
    services.register_hotel(uow, hotel_id=HOTEL, name="Benchmark")
    for staff_id, role in (("fd", "FRONT_DESK"), ("mnt", "MAINTENANCE"), ("hk", "HOUSEKEEPING")):
        services.register_staff(
            uow, hotel_id=HOTEL, staff_id=staff_id, name=staff_id, role=ho.StaffRole(role)
        )
    occupied = rooms * 7 // 10
    out_of_order = rooms // 20
    for n in range(rooms):
        services.register_room(uow, hotel_id=HOTEL, room_id=f"R{n:05d}", number=str(n + 1))
    clock.now = CHECK_IN
    for n in range(occupied):
        services.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=f"B{n:05d}",
            reference=f"REF{n}",
            arrival=CHECK_IN.date(),
            departure=DAY + timedelta(days=3),
            party=[ho.BookingGuest(f"B{n:05d}-g", "Guest", str(n))],
        )
        services.assign_room(uow, booking_id=f"B{n:05d}", room_id=f"R{n:05d}", staff_id="fd")
        if n % 10 == 0:
            services.set_service_status(
                uow, room_id=f"R{n:05d}", staff_id="hk", status=ho.ServiceStatus.DND
            )
    for n in range(occupied, occupied + out_of_order):
        services.set_out_of_order(
            uow, room_id=f"R{n:05d}", staff_id="mnt", reason="paint", until=DAY
        )
    return {"rooms": rooms, "occupied": occupied, "out_of_order": out_of_order}


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def library_run(template: Path, workdir: Path) -> tuple[float, int, int, Path]:
    """Seconds of one ``night_audit`` call on a copy; its statements; entries; the copy."""
    copy = workdir / f"library-{uuid.uuid4().hex}.db"
    shutil.copyfile(template, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock(AUDIT_AT))
        services.get_occupancy(uow, "R00000")  # connect before timing
        with counting(engine) as statements:
            start = time.perf_counter()
            entries = services.night_audit(uow, hotel_id=HOTEL, business_date=DAY, staff_id="fd")
            seconds = time.perf_counter() - start
    finally:
        engine.dispose()
    return seconds, len(statements), len(entries), copy


def floor_run(template: Path, workdir: Path) -> tuple[float, Path]:
    """Seconds of the hand-written audit of the module docstring on a copy; the copy."""
    copy = workdir / f"floor-{uuid.uuid4().hex}.db"
    shutil.copyfile(template, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("SELECT 1").fetchall()
    start = time.perf_counter()
    at = AUDIT_AT.isoformat()
    conn.execute("BEGIN IMMEDIATE")
    records = conn.execute(
        "SELECT room_id, status, condition, booking_id, service_status, out_of_service_until,"
        " return_condition FROM ho_occupancies WHERE hotel_id = ? ORDER BY room_id",
        (HOTEL,),
    ).fetchall()
    conn.execute(
        "SELECT booking_id, checked_in_at, departure FROM ho_bookings WHERE hotel_id = ? AND"
        " checked_in_at IS NOT NULL AND checked_out_at IS NULL",
        (HOTEL,),
    ).fetchall()
    maintenance = {
        room_id: task_id
        for task_id, room_id, kind in conn.execute(
            "SELECT task_id, room_id, kind FROM ho_tasks WHERE hotel_id = ? AND status IN"
            " ('OPEN', 'IN_PROGRESS')",
            (HOTEL,),
        )
        if kind == "MAINTENANCE"
    }
    updates, new_tasks, closed, entries = [], [], [], []
    for room_id, status, condition, booking_id, service, until, back in records:
        if status == "OCCUPIED" and condition in ("CLEAN", "INSPECTED"):
            after_status, after = "OCCUPIED", "DIRTY"
            updates.append(("OCCUPIED", "DIRTY", "NONE", None, None, at, room_id))
            variant = "stayover"
        elif status == "OCCUPIED" and service != "NONE":
            after_status, after = status, condition
            updates.append((status, condition, "NONE", None, None, at, room_id))
            variant = "service-reset"
        elif until is not None and until <= DAY.isoformat():
            after_status, after = (
                ("VACANT_DIRTY", "DIRTY") if back == "DIRTY" else ("VACANT_CLEAN", "CLEAN")
            )
            updates.append((after_status, after, "NONE", None, None, at, room_id))
            if room_id in maintenance:  # (out of order: no maintenance task to close)
                closed.append(("DONE", at, at, maintenance[room_id]))
            variant = f"return-{back}"
        else:
            continue
        if after == "DIRTY" and condition != "DIRTY":
            new_tasks.append(
                (uuid.uuid4().hex, HOTEL, room_id, "CLEANING", "OPEN", at, at, "fd", booking_id)
            )
        meta = json.dumps({"action": "night_audit", "variant": variant, "business_date": str(DAY)})
        entries.append(
            (HOTEL, room_id, "NIGHT_AUDIT", "fd", booking_id, status, after_status,
             condition, after, "", meta, at)
        )  # fmt: skip
    conn.executemany(
        "UPDATE ho_occupancies SET status = ?, condition = ?, service_status = ?,"
        " out_of_service_until = ?, return_condition = ?, updated_at = ? WHERE room_id = ?",
        updates,
    )
    conn.executemany(
        "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, updated_at,"
        " created_by, booking_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_tasks,
    )
    conn.executemany(
        "UPDATE ho_tasks SET status = ?, updated_at = ?, closed_at = ? WHERE task_id = ?", closed
    )
    conn.executemany(
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id,"
        " status_before, status_after, condition_before, condition_after, notes, metadata,"
        " timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        entries,
    )
    conn.execute(
        "INSERT INTO ho_night_audits (hotel_id, business_date, performed_by, performed_at,"
        " rooms_changed) VALUES (?, ?, ?, ?, ?)",
        (HOTEL, DAY.isoformat(), "fd", at, len(entries)),
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds, copy


def outcome(path: Path) -> dict[str, tuple[object, ...]]:
    """Per room: status, condition, service status, open task kinds, NIGHT_AUDIT entries."""
    conn = sqlite3.connect(path)
    rooms: dict[str, tuple[object, ...]] = {}
    for room_id, status, condition, service in conn.execute(
        "SELECT room_id, status, condition, service_status FROM ho_occupancies"
    ):
        kinds = tuple(
            sorted(
                kind
                for (kind,) in conn.execute(
                    "SELECT kind FROM ho_tasks WHERE room_id = ? AND status IN"
                    " ('OPEN', 'IN_PROGRESS')",
                    (room_id,),
                )
            )
        )
        (audited,) = conn.execute(
            "SELECT count(*) FROM ho_log WHERE room_id = ? AND operation = 'NIGHT_AUDIT'",
            (room_id,),
        ).fetchone()
        rooms[room_id] = (status, condition, service, kinds, audited)
    conn.close()
    return rooms


def memory_run(rooms: int) -> float:
    clock = Clock(CHECK_IN)
    uow = InMemoryUnitOfWork(clock=clock)
    build(uow, clock, rooms)
    clock.now = AUDIT_AT
    start = time.perf_counter()
    services.night_audit(uow, hotel_id=HOTEL, business_date=DAY, staff_id="fd")
    return time.perf_counter() - start


def summary(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples)}


def timed(repeat: int, run: Callable[[], float]) -> dict[str, float]:
    return summary([run() for _ in range(repeat)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rooms", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ho-audit-") as tmp:
        workdir = Path(tmp)
        template = workdir / "hotel.db"
        engine = create_engine(f"sqlite:///{template}")
        create_schema(engine)
        clock = Clock(CHECK_IN)
        started = time.perf_counter()
        shape = build(SqlAlchemyUnitOfWork(engine, clock=clock), clock, args.rooms)
        engine.dispose()
        built = time.perf_counter() - started
        library, floor, statements, entries, differing = [], [], set(), set(), set()
        for _ in range(args.repeat):
            seconds, sent, changed, lib_copy = library_run(template, workdir)
            library.append(seconds)
            statements.add(sent)
            entries.add(changed)
            floor_seconds, floor_copy = floor_run(template, workdir)
            floor.append(floor_seconds)
            a, b = outcome(lib_copy), outcome(floor_copy)
            differing.add(sum(1 for room in a if a[room] != b.get(room)))
            lib_copy.unlink()
            floor_copy.unlink()
        results = {
            "machine": platform.platform(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "hotel": shape,
            "build_seconds": round(built, 1),
            "library_seconds": summary(library),
            "floor_seconds": summary(floor),
            "ratio": statistics.median(library) / statistics.median(floor),
            "statements": sorted(statements),
            "entries": sorted(entries),
            "rooms_differing_from_floor": sorted(differing),
            "memory_seconds": timed(args.repeat, lambda: memory_run(args.rooms)),
        }
    lib, flo, mem = results["library_seconds"], results["floor_seconds"], results["memory_seconds"]
    print(
        f"night audit of {shape['rooms']} rooms ({sorted(entries)} entries), median of {args.repeat}:"
    )
    print(f"  library, SQLite: {lib['median']:.3f} s ({lib['min']:.3f}-{lib['max']:.3f})")
    print(f"  sqlite3 floor:   {flo['median']:.3f} s ({flo['min']:.3f}-{flo['max']:.3f})")
    print(f"  ratio: {results['ratio']:.1f}x; statements: {sorted(statements)}")
    print(f"  rooms differing from the floor: {sorted(differing)}")
    print(f"  in-memory: {mem['median']:.3f} s ({mem['min']:.3f}-{mem['max']:.3f})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
