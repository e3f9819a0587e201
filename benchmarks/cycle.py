"""The nine-operation guest cycle, against raw drivers and under concurrency (issue 17, 1).

    python3 tasks.py bench-cycle                    # full run (about 13 minutes here)
    python3 tasks.py bench-cycle --quick            # a smoke run of a few seconds per part
    python3 tasks.py bench-cycle --no-postgres --repeat 3 --cycles 100 --json out.json
    .venv/bin/python benchmarks/cycle.py ...        # the same without tasks.py

Defaults: 5 runs of 100 timed cycles (after 10 untimed), 6 s per concurrent run; cut from
200 cycles and 10 s, which would take about 18 minutes on the project's 2-vCPU machine.

**The cycle.** One guest, nine operations, each its own transaction, through the public
service functions (``hotel_occupancy.services``): ``assign_room`` with check-in of a party
of two (the guests are registered on the booking), ``move_guest`` from room A to room B,
``checkout_room`` of B, then for A and then B ``start_cleaning``, ``complete_cleaning`` and
``inspect_room``. The hotel requires inspection (``require_inspection=True``): complete
cleaning opens an INSPECTION task and the inspection closes it, and the cycle leaves both
rooms VACANT_CLEAN/INSPECTED, the only condition in which such a hotel sells a room, so the
next cycle starts again on the same pair (``domain/transitions.py``: assign and move need
the room ``READY``; move and checkout leave a room DIRTY with a TURNOVER task). Staff: one
manager. Clock: bench.py's, one millisecond per reading. Ten log entries per cycle (assign
with check-in writes two).

**Single process** (part 1-3, 5). Every configuration runs ``--cycles`` timed cycles after
``--warmup`` untimed ones, on a fresh database each run, ``--repeat`` runs, in turn
forwards and backwards through the list so that a drift of the machine favours none:

- *memory*: the library on the in-memory adapter;
- *SQLite*: a file (ext4 here) in WAL mode made by the library's ``create_engine`` +
  ``create_schema``, with ``synchronous=NORMAL`` and with ``synchronous=FULL``. The
  library's engine sets ``synchronous`` itself (``adapters/sqlalchemy/engine.py``,
  ``_SQLITE_FILE_SETTINGS``) and ``create_engine`` has no option for it, so the other
  setting is made by a ``connect`` event listener this script adds to the engine after the
  library's own (so it runs last). The pragmas are read back from a pooled connection of
  each engine and reported; the library's default is what an engine without the listener
  says (FULL at the time of writing);
- *PostgreSQL 15* on loopback, twice: the tests' throwaway server (``tests/postgres.py``:
  ``fsync=off``, ``synchronous_commit=off``, ``full_page_writes=off``) and the same server
  started durable (``fsync=on``, ``synchronous_commit=on``, ``full_page_writes=on``; the
  helper's start with those three settings changed). ``SHOW`` reports what each runs with.

Beside each library run, in the same run, two hand-written baselines doing the minimal work
of the same nine operations, one transaction each (``BEGIN IMMEDIATE ... COMMIT`` on
SQLite, with the library connection's pragmas read back: WAL, the same ``synchronous``,
foreign keys, busy timeout, ``secure_delete``; on PostgreSQL psycopg 3 with the library's
``lock_timeout``, rows locked ``FOR NO KEY UPDATE`` before they are changed):

- *raw minimal* (``sqlite3``, ``psycopg``): a minimal schema of its own (:data:`MINIMAL_DDL`:
  bookings, rooms holding their state and their booking, guests, tasks, a log; primary
  keys, the references, one room per booking and a unique PIN per hotel), each state guard
  in the WHERE clause of a conditional ``UPDATE`` (``RETURNING`` what the log needs), about
  38 statements a cycle;
- *raw own schema*: the library's own tables made by ``create_schema`` (every constraint,
  index and trigger), read-then-write as the library does, writing the same rows (guests,
  resting PINs, tasks, log entries with the library's metadata) but with no permission,
  staff, capacity, request-id or feed work; the hotel's policy is read once. bench.py's
  ``sqlite3`` baseline, extended to nine operations and to psycopg.

Measured for every configuration and run: operations per second (operations / wall time
of the timed loop), wall and client CPU time per operation (``time.process_time()`` around
the loop / operations; on PostgreSQL also the server backend's CPU from
``/proc/<pid>/stat``), p50 and p99 latency of single operations, mean time per operation
kind. Ratios library/raw-minimal and library/raw-own-schema are taken run by run (wall
time per cycle; also client CPU) and summarised like every figure: median (min-max).

**Checked, not timed.** One more cycle after the timed ones counts, per operation, the
SQL statements sent (without BEGIN/COMMIT), the transactions committed and the log entries
written: the library must run exactly 9 operations (9 commits on SQL) per cycle. Then the
end state of every run is computed the same way for every implementation: both rooms'
state, and per cycle the log entries by operation, the tasks by kind and status, bookings
and guests checked out; guests in house and PINs held. It must equal the library's (and,
for the library's schema, ``check_invariants`` of a snapshot must find no violation, so
the own-schema baseline left a state the library itself accepts).

**Concurrency** (part 4). On the durable PostgreSQL server (``--concurrency-fsync``), 1, 2,
4 and 8 worker processes (``fork``), each with its own engine, unit of work, manager and
pair of rooms, run the cycle for ``--seconds`` (after registering their bookings and one
untimed cycle, all released together by a barrier), on ONE hotel (every worker's rooms in
it) and on MANY hotels (every worker its own). Figures: total operations per second (the
sum of each worker's operations over its own window), p50 and p99 latency of an
operation (from its first attempt to its success, all workers pooled), errors by
exception class (a ``ConcurrencyConflict`` or another error ``is_safe_to_retry`` is
counted, then the operation is tried again, at most :data:`ATTEMPTS` times, and counted as
a retry; nothing is retried silently), and bookings registered inside the window if a
worker ran out (should be 0). Beside them, the same worker counts of the *raw minimal*
baseline (psycopg, its own schema, every worker its own pair of rooms in one hotel,
nothing retried): what the machine itself gives when 8 processes share its cores. The
same for SQLite, 2 and 4 processes on one file (one hotel, the library's default
``synchronous``). Fresh database every run.

Nothing here asserts anything about time; ``tests/benchmarks/test_cycle_benchmark.py``
runs ``--quick`` and checks the structure. The load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import resource
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

from bench import Clock, _table  # benchmarks/ is on sys.path
from sqlalchemy import Engine, event, make_url

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.services.retry import is_safe_to_retry

ROOT = Path(__file__).resolve().parent.parent

OPS = (
    "assign_room",
    "move_guest",
    "checkout_room",
    "start_cleaning A",
    "complete_cleaning A",
    "inspect_room A",
    "start_cleaning B",
    "complete_cleaning B",
    "inspect_room B",
)
"""The nine operations of a cycle, in order (A: the room checked into, B: moved to)."""

HOTEL = "bench"
STAFF = "mgr"
ROOMS = ("r0", "r1")
OTHER_ROOMS = 8  # the hotel has ten rooms; the cycle uses two
ARRIVAL, DEPARTURE = date(2026, 1, 1), date(2026, 1, 2)
PARTY = 2
ATTEMPTS = 5
SYNC_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
PRAGMAS = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "secure_delete")
IMPLEMENTATIONS = ("library", "raw-minimal", "raw-own-schema")
SINGLE_FIGURES = (
    "ops_per_second",
    "cycles_per_second",
    "wall_us_per_op",
    "cpu_us_per_op",
    "server_cpu_us_per_op",
    "p50_us",
    "p99_us",
)

Step = Callable[[], int]
"""One operation; returns the number of log entries it wrote."""


# --- small helpers -------------------------------------------------------------------------


def summary(samples: Sequence[float | None]) -> dict[str, float] | None:
    values = [s for s in samples if s is not None]
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"median": median, "min": ordered[0], "max": ordered[-1]}


def percentile(samples: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0-100) of non-empty ``samples``."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def fmt(s: dict[str, float] | None, digits: int = 0, scale: float = 1.0) -> str:
    if s is None:
        return "-"
    m, lo, hi = (s[k] * scale for k in ("median", "min", "max"))
    return f"{m:,.{digits}f} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def progress(what: str, began: float) -> None:
    print(f"{what}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)


def ratio(s: dict[str, float] | None) -> str:
    if s is None:
        return "-"
    return f"{s['median']:.2f}x ({s['min']:.2f}-{s['max']:.2f})"


def load() -> dict[str, Any]:
    uptime = shutil.which("uptime")
    text = (
        subprocess.run([uptime], capture_output=True, text=True, check=False).stdout.strip()
        if uptime
        else ""
    )
    return {"loadavg": list(os.getloadavg()), "uptime": text}


def source() -> dict[str, Any]:
    """Which library was measured: where it was imported from (``PYTHONPATH`` may point at
    another checkout), that checkout's commit, and the files of its src/ changed since."""
    package = Path(ho.__file__).resolve().parent
    checkout = package.parent.parent  # .../src/hotel_occupancy -> the checkout

    def git(*command: str) -> str:
        found = subprocess.run(["git", *command], capture_output=True, text=True, cwd=checkout)
        return found.stdout.strip()

    changed = git("status", "--short", "--", "src")
    return {
        "imported_from": str(package),
        "commit": git("rev-parse", "HEAD"),
        "src_changes": changed.splitlines(),
    }


def filesystem(path: Path) -> str:
    """The type of the file system ``path`` is on (SQLite's fsyncs are real on ext4, free
    on tmpfs)."""
    found = subprocess.run(
        ["stat", "-f", "-c", "%T", str(path)], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or "unknown"


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process of this machine (a server backend)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def booking_ids(prefix: str, start: int, count: int) -> list[str]:
    return [f"{prefix}b{n}" for n in range(start, start + count)]


# --- the library ---------------------------------------------------------------------------


def register_bookings(uow: Any, hotel: str, ids: Sequence[str]) -> None:
    for booking in ids:
        services.register_booking(
            uow,
            hotel_id=hotel,
            booking_id=booking,
            reference=booking,
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest(f"{booking}-{i}", "Guest", str(i)) for i in range(PARTY)],
        )


def register_hotel(uow: Any, hotel: str, rooms: Sequence[str], staff: Sequence[str]) -> None:
    """A hotel that requires inspection, its rooms (capacity 4) and managers."""
    services.register_hotel(uow, hotel_id=hotel, name=hotel, require_inspection=True)
    for room in rooms:
        services.register_room(uow, hotel_id=hotel, room_id=room, number=room, capacity=4)
    for person in staff:
        services.register_staff(
            uow, hotel_id=hotel, staff_id=person, name=person, role=ho.StaffRole.MANAGER
        )


def make_ready(uow: Any, rooms: Sequence[str], staff: str) -> None:
    """New rooms are CLEAN; in a hotel that requires inspection they sell once INSPECTED."""
    for room in rooms:
        services.inspect_room(uow, room_id=room, staff_id=staff)


def build_library_hotel(uow: Any, bookings: Sequence[str]) -> None:
    others = [f"r{n}" for n in range(2, 2 + OTHER_ROOMS)]
    register_hotel(uow, HOTEL, [*ROOMS, *others], [STAFF])
    register_bookings(uow, HOTEL, bookings)
    make_ready(uow, ROOMS, STAFF)


class LibraryCycle:
    """The nine operations through the public service functions."""

    def __init__(self, uow: Any, staff: str, rooms: tuple[str, str]) -> None:
        self.uow = uow
        self.staff = staff
        self.rooms = rooms

    def steps(self, booking: str) -> list[Step]:
        s, uow, by = services, self.uow, self.staff
        a, b = self.rooms
        return [
            lambda: len(s.assign_room(uow, booking_id=booking, room_id=a, staff_id=by)),
            lambda: len(s.move_guest(uow, from_room_id=a, to_room_id=b, staff_id=by)),
            lambda: len(s.checkout_room(uow, room_id=b, staff_id=by)),
            *self._housekeeping(a),
            *self._housekeeping(b),
        ]

    def _housekeeping(self, room: str) -> list[Step]:
        s, uow, by = services, self.uow, self.staff
        return [
            lambda: len(s.start_cleaning(uow, room_id=room, staff_id=by)),
            lambda: len(s.complete_cleaning(uow, room_id=room, staff_id=by)),
            lambda: len(s.inspect_room(uow, room_id=room, staff_id=by)),
        ]


# --- end state ------------------------------------------------------------------------------


@dataclass
class State:
    """What a cycle leaves behind, counted the same way for every implementation."""

    rooms: list[str]
    counts: Counter[str]
    guests_in_house: int
    pins_held: int


def snapshot_state(snapshot: StoreSnapshot, hotel: str, rooms: Sequence[str]) -> State:
    occupancies = {o.room_id: o for o in snapshot.occupancies}
    counts: Counter[str] = Counter()
    for entry in snapshot.log:
        if entry.hotel_id == hotel:
            counts[f"log {entry.operation.value}"] += 1
    for task in snapshot.tasks:
        if task.hotel_id == hotel:
            counts[f"task {task.kind.value} {task.status.value}"] += 1
    counts["bookings checked out"] = sum(
        b.hotel_id == hotel and b.checked_out_at is not None for b in snapshot.bookings
    )
    guests = [g for g in snapshot.guests if g.hotel_id == hotel]
    counts["guests checked out"] = sum(g.check_out_date is not None for g in guests)
    return State(
        rooms=[
            room_label(o.status.value, o.condition.value, o.booking_id)
            for o in (occupancies[r] for r in rooms)
        ],
        counts=counts,
        guests_in_house=sum(g.check_out_date is None for g in guests),
        pins_held=sum(g.id_pin is not None for g in guests),
    )


def room_label(status: str, condition: str, booking: str | None) -> str:
    return f"{status}/{condition}/{'held' if booking else 'free'}"


def end_state(before: State, after: State, cycles: int) -> dict[str, Any]:
    delta = {
        key: (after.counts[key] - before.counts[key]) / cycles
        for key in sorted(set(after.counts) | set(before.counts))
        if after.counts[key] != before.counts[key]
    }
    return {
        "rooms": after.rooms,
        "per_cycle": delta,
        "guests_in_house": after.guests_in_house,
        "pins_held": after.pins_held,
    }


EXPECTED_END_STATE = {
    "rooms": [room_label("VACANT_CLEAN", "INSPECTED", None)] * 2,
    "per_cycle": {
        "bookings checked out": 1.0,
        "guests checked out": float(PARTY),
        "log ASSIGN": 1.0,
        "log CHECKIN": 1.0,
        "log CHECKOUT": 1.0,
        "log CLEAN_COMPLETE": 2.0,
        "log CLEAN_START": 2.0,
        "log INSPECT": 2.0,
        "log MOVE": 1.0,
        "task INSPECTION DONE": 2.0,
        "task TURNOVER DONE": 2.0,
    },
    "guests_in_house": 0,
    "pins_held": 0,
}
"""What every implementation must leave (``end_state``), the library included."""


# --- the raw baselines ----------------------------------------------------------------------


class Refused(RuntimeError):
    """A raw baseline's state guard failed (it never should in this cycle)."""


class Raw:
    """What both raw baselines share: the driver connection, one transaction per
    operation, timestamps as the library stores them, and counters for the check."""

    def __init__(self, conn: Any, dialect: str, clock: Clock) -> None:
        self.conn = conn
        self.pg = dialect == "postgresql"
        self.lock = " FOR NO KEY UPDATE" if self.pg else ""
        self.clock = clock
        self.statements = 0
        self.commits = 0

    def sql(self, text: str) -> str:
        text = text.replace("{lock}", self.lock)
        return text.replace("?", "%s") if self.pg else text

    def q(self, sql: str, params: Sequence[object] = ()) -> Any:
        self.statements += 1
        return self.conn.execute(sql, params)

    @contextmanager
    def tx(self) -> Iterator[None]:
        if not self.pg:
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()
        self.commits += 1

    def ts(self, moment: datetime) -> object:
        """A UTC timestamp as the column takes it (SQLite: the library's ISO text)."""
        if self.pg:
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, value: date) -> object:
        return value if self.pg else value.isoformat()

    def close(self) -> None:
        self.conn.close()

    # the nine operations, each written by the baseline (``self.rooms``: its pair A, B)
    rooms: tuple[str, str]
    assign: Callable[[str, str], int]
    move: Callable[[str, str], int]
    checkout: Callable[[str], int]
    start_cleaning: Callable[[str], int]
    complete_cleaning: Callable[[str], int]
    inspect: Callable[[str], int]

    def steps(self, booking: str) -> list[Step]:
        a, b = self.rooms
        return [
            lambda: self.assign(booking, a),
            lambda: self.move(a, b),
            lambda: self.checkout(b),
            *self._housekeeping(a),
            *self._housekeeping(b),
        ]

    def _housekeeping(self, room: str) -> list[Step]:
        return [
            lambda: self.start_cleaning(room),
            lambda: self.complete_cleaning(room),
            lambda: self.inspect(room),
        ]


# the library's log metadata, written as it writes it
META = {
    "ASSIGN": '{"action":"assign_room","check_in":true,"party_size":%d,"role":"MANAGER","variant":"pre-assign"}',
    "CHECKIN": '{"action":"assign_room","guest_count":%d,"role":"MANAGER","step":"check_in"}',
    "MOVE": '{"action":"move_guest","role":"MANAGER"}',
    "CHECKOUT": '{"action":"checkout_room","guest_count":%d,"role":"MANAGER"}',
    "CLEAN_START": '{"action":"start_cleaning","role":"MANAGER"}',
    "CLEAN_COMPLETE": '{"action":"complete_cleaning","role":"MANAGER"}',
    "INSPECT": '{"action":"inspect_room","passed":true,"role":"MANAGER","variant":"passed"}',
}
OPEN = "('OPEN', 'IN_PROGRESS')"
CLEANING_KINDS = "('TURNOVER', 'CLEANING')"


class RawOwnSchema(Raw):
    """The nine operations in raw SQL on the library's own schema (``create_schema``):
    read the rows, check the transition's guards, write what the library writes."""

    def __init__(
        self, conn: Any, dialect: str, clock: Clock, hotel: str, staff: str, rooms: tuple[str, str]
    ) -> None:
        super().__init__(conn, dialect, clock)
        self.hotel, self.staff, self.rooms = hotel, staff, rooms
        q = self.sql
        self.s_booking = q(
            "SELECT checked_in_at, cancelled_at, no_show_at, departure FROM ho_bookings "
            "WHERE booking_id = ?{lock}"
        )
        self.s_occupancy = q(
            "SELECT status, condition, booking_id, arriving_booking_id, discrepancy, "
            "service_status, expected_checkout FROM ho_occupancies WHERE room_id = ?{lock}"
        )
        self.s_two = q(
            "SELECT room_id, status, condition, booking_id, arriving_booking_id, discrepancy, "
            "service_status, expected_checkout FROM ho_occupancies WHERE room_id IN (?, ?) "
            "ORDER BY room_id{lock}"
        )
        self.s_party = q(
            "SELECT booking_guest_id, first_name, last_name FROM ho_booking_guests "
            "WHERE booking_id = ? AND position IS NOT NULL ORDER BY position"
        )
        self.u_checked_in = q("UPDATE ho_bookings SET checked_in_at = ? WHERE booking_id = ?")
        self.u_moved = q("UPDATE ho_bookings SET moved_at = ? WHERE booking_id = ?")
        self.u_checked_out = q("UPDATE ho_bookings SET checked_out_at = ? WHERE booking_id = ?")
        self.u_occupy = q(
            "UPDATE ho_occupancies SET status = 'OCCUPIED', booking_id = ?, occupied_since = ?, "
            "expected_checkout = ?, assigned_by = ?, updated_at = ? WHERE room_id = ?"
        )
        self.u_vacate = q(
            "UPDATE ho_occupancies SET status = 'VACANT_DIRTY', condition = 'DIRTY', "
            "booking_id = NULL, occupied_since = NULL, expected_checkout = NULL, "
            "assigned_by = NULL, service_status = 'NONE', updated_at = ? WHERE room_id = ?"
        )
        self.u_condition = q(
            "UPDATE ho_occupancies SET condition = ?, updated_at = ? WHERE room_id = ?"
        )
        self.u_cleaned = q(
            "UPDATE ho_occupancies SET status = ?, condition = 'CLEAN', last_cleaned_by = ?, "
            "last_cleaned_at = ?, updated_at = ? WHERE room_id = ?"
        )
        self.u_inspected = q(
            "UPDATE ho_occupancies SET condition = 'INSPECTED', last_inspected_by = ?, "
            "last_inspected_at = ?, updated_at = ? WHERE room_id = ?"
        )
        self.i_rest = q(
            "INSERT INTO ho_resting_pins (hotel_id, pin, until) SELECT hotel_id, id_pin, ? "
            "FROM ho_guests WHERE booking_id = ? AND check_out_date IS NULL AND id_pin IS NOT NULL "
            "ON CONFLICT (hotel_id, pin) DO UPDATE SET until = CASE WHEN excluded.until > "
            "ho_resting_pins.until THEN excluded.until ELSE ho_resting_pins.until END"
        )
        self.u_guests_out = q(
            "UPDATE ho_guests SET check_out_date = ?, id_pin = NULL, device_token = NULL "
            "WHERE booking_id = ? AND check_out_date IS NULL"
        )
        self.s_open_tasks = q(
            f"SELECT task_id, kind FROM ho_tasks WHERE room_id = ? AND status IN {OPEN}"
        )
        self.i_task = q(
            "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, "
            "updated_at, created_by, booking_id) VALUES (?, ?, ?, ?, 'OPEN', ?, ?, ?, ?)"
        )
        self.u_task_turnover = q(
            "UPDATE ho_tasks SET kind = 'TURNOVER', status = 'OPEN', assigned_to = NULL, "
            "started_at = NULL, booking_id = ?, updated_at = ? WHERE task_id = ?"
        )
        self.u_task_cancel = q(
            "UPDATE ho_tasks SET status = 'CANCELLED', closed_at = ?, updated_at = ? "
            "WHERE task_id = ?"
        )
        self.u_task_start = q(
            "UPDATE ho_tasks SET status = 'IN_PROGRESS', assigned_to = ?, started_at = ?, "
            f"updated_at = ? WHERE room_id = ? AND kind IN {CLEANING_KINDS} AND status = 'OPEN'"
        )
        self.u_task_done = q(
            "UPDATE ho_tasks SET status = 'DONE', closed_at = ?, updated_at = ? "
            f"WHERE room_id = ? AND kind IN {CLEANING_KINDS} AND status IN {OPEN}"
        )
        self.i_inspection = q(
            "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, "
            "updated_at, created_by) SELECT ?, ?, ?, 'INSPECTION', 'OPEN', ?, ?, ? WHERE NOT "
            "EXISTS (SELECT 1 FROM ho_tasks WHERE room_id = ? AND kind = 'INSPECTION' "
            f"AND status IN {OPEN})"
        )
        self.u_inspection_done = q(
            "UPDATE ho_tasks SET status = 'DONE', closed_at = ?, updated_at = ? "
            f"WHERE room_id = ? AND kind = 'INSPECTION' AND status IN {OPEN}"
        )
        self.log_row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)"
        self.i_log = {
            n: q(
                "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id, "
                "from_room_id, status_before, status_after, condition_before, condition_after, "
                "notes, metadata, timestamp) VALUES " + ", ".join([self.log_row] * n)
            )
            for n in (1, 2)
        }
        self.i_guests = {
            n: q(
                "INSERT INTO ho_guests (guest_id, hotel_id, booking_id, booking_guest_id, "
                "guest_type, primary_guest_id, first_name, last_name, check_in_date, id_pin) "
                "VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * n)
            )
            for n in range(1, 5)
        }
        self.s_pins = {n: q(self._pins_taken(n)) for n in range(1, 5)}
        # the hotel's policy, read once
        require, checkout, zone = self.conn.execute(
            q(
                "SELECT require_inspection, checkout_time, timezone FROM ho_hotels WHERE hotel_id = ?"
            ),
            (hotel,),
        ).fetchone()
        if zone != "UTC":
            raise NotImplementedError("the raw baseline knows only UTC hotels")
        self.ready = ("INSPECTED",) if require else ("CLEAN", "INSPECTED")
        self.checkout_time = (
            checkout if isinstance(checkout, day_time) else day_time.fromisoformat(checkout)
        )
        self.quarantine = PinRules().quarantine
        self.conn.commit()

    @staticmethod
    def _pins_taken(n: int) -> str:
        marks = ", ".join(["?"] * n)
        return (
            f"SELECT id_pin FROM ho_guests WHERE hotel_id = ? AND id_pin IN ({marks}) "
            f"UNION ALL SELECT pin FROM ho_resting_pins WHERE hotel_id = ? AND pin IN ({marks}) "
            "AND until > ?"
        )

    def log(self, rows: list[tuple[object, ...]], at: object) -> int:
        params: list[object] = []
        for row in rows:
            params += [self.hotel, *row, at]
        self.q(self.i_log[len(rows)], params)
        return len(rows)

    def free_pins(self, count: int, now: object) -> list[str]:
        while True:
            pins = [f"{secrets.randbelow(1_000_000):06d}" for _ in range(count)]
            if len(set(pins)) < count:
                continue
            taken = self.q(self.s_pins[count], (self.hotel, *pins, self.hotel, *pins, now))
            if taken.fetchone() is None:
                return pins

    def assign(self, booking: str, room: str) -> int:
        with self.tx():
            at = self.clock()
            now = self.ts(at)
            checked_in, cancelled, no_show, departure = self.q(
                self.s_booking, (booking,)
            ).fetchone()
            if checked_in is not None or cancelled is not None or no_show is not None:
                raise Refused("booking not arriving")
            status, condition, holder, arriving, discrepancy, _, _ = self.q(
                self.s_occupancy, (room,)
            ).fetchone()
            if (
                status != "VACANT_CLEAN"
                or condition not in self.ready
                or holder is not None
                or arriving is not None
                or discrepancy == "SLEEP"
            ):
                raise Refused("room not ready")
            party = self.q(self.s_party, (booking,)).fetchall()
            pins = self.free_pins(len(party), now)
            self.q(self.u_checked_in, (now, booking))
            ids = [secrets.token_hex(16) for _ in party]
            today = self.day(at.date())
            params: list[object] = []
            for i, ((member, first, last), guest, pin) in enumerate(
                zip(party, ids, pins, strict=True)
            ):
                kind, primary = ("PRIMARY", None) if i == 0 else ("COMPANION", ids[0])
                params += [guest, self.hotel, booking, member, kind, primary, first, last, today]
                params.append(pin)
            self.q(self.i_guests[len(party)], params)
            leaves = departure if isinstance(departure, date) else date.fromisoformat(departure)
            expected = self.ts(datetime.combine(leaves, self.checkout_time, UTC))
            self.q(self.u_occupy, (booking, now, expected, self.staff, now, room))
            n = len(party)
            occupied = "OCCUPIED"
            return self.log(
                [
                    (room, "ASSIGN", self.staff, booking, None, status, status, condition,
                     condition, META["ASSIGN"] % n),
                    (room, "CHECKIN", self.staff, booking, None, status, occupied, condition,
                     condition, META["CHECKIN"] % n),
                ],
                now,
            )  # fmt: skip

    def turnover(self, room: str, booking: str, now: object) -> None:
        """The room needs a turnover: its open cleaning task becomes one (or one is made),
        an open inspection is cancelled (the library's TURNOVER and CANCEL effects)."""
        cleaning = None
        for task, kind in self.q(self.s_open_tasks, (room,)).fetchall():
            if kind in ("TURNOVER", "CLEANING"):
                cleaning = task
            elif kind == "INSPECTION":
                self.q(self.u_task_cancel, (now, now, task))
        if cleaning is not None:
            self.q(self.u_task_turnover, (booking, now, cleaning))
        else:
            self.q(
                self.i_task,
                (
                    secrets.token_hex(16),
                    self.hotel,
                    room,
                    "TURNOVER",
                    now,
                    now,
                    self.staff,
                    booking,
                ),
            )

    def move(self, source: str, target: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            rows = {row[0]: row[1:] for row in self.q(self.s_two, (source, target)).fetchall()}
            status, _, booking, arriving, _, _, expected = rows[source]
            if status != "OCCUPIED" or arriving is not None:
                raise Refused("source not occupied (or awaited)")
            t_status, t_condition, holder, t_arriving, discrepancy, _, _ = rows[target]
            if (
                t_status != "VACANT_CLEAN"
                or t_condition not in self.ready
                or holder is not None
                or t_arriving is not None
                or discrepancy == "SLEEP"
            ):
                raise Refused("target not ready")
            self.q(self.u_moved, (now, booking))
            self.q(self.u_vacate, (now, source))
            self.turnover(source, booking, now)
            self.q(self.u_occupy, (booking, now, expected, self.staff, now, target))
            return self.log(
                [(target, "MOVE", self.staff, booking, source, t_status, "OCCUPIED", t_condition,
                  t_condition, META["MOVE"])],
                now,
            )  # fmt: skip

    def checkout(self, room: str) -> int:
        with self.tx():
            at = self.clock()
            now = self.ts(at)
            status, condition, booking, arriving, _, _, _ = self.q(
                self.s_occupancy, (room,)
            ).fetchone()
            if status != "OCCUPIED" or arriving is not None:
                raise Refused("room not occupied (or awaited)")
            self.q(self.u_checked_out, (now, booking))
            self.q(self.i_rest, (self.ts(at + self.quarantine), booking))
            guests = self.q(self.u_guests_out, (self.day(at.date()), booking)).rowcount
            self.q(self.u_vacate, (now, room))
            self.turnover(room, booking, now)
            return self.log(
                [(room, "CHECKOUT", self.staff, booking, None, status, "VACANT_DIRTY", condition,
                  "DIRTY", META["CHECKOUT"] % guests)],
                now,
            )  # fmt: skip

    def start_cleaning(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            status, condition, _, _, _, service, _ = self.q(self.s_occupancy, (room,)).fetchone()
            if condition != "DIRTY" or service not in ("NONE", "MAKE_UP_ROOM"):
                raise Refused("not dirty, or housekeeping kept out")
            self.q(self.u_condition, ("CLEANING", now, room))
            self.q(self.u_task_start, (self.staff, now, now, room))
            return self.log(
                [(room, "CLEAN_START", self.staff, None, None, status, status, condition,
                  "CLEANING", META["CLEAN_START"])],
                now,
            )  # fmt: skip

    def complete_cleaning(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            status, condition, _, _, _, _, _ = self.q(self.s_occupancy, (room,)).fetchone()
            if condition != "CLEANING":
                raise Refused("not being cleaned")
            after = status if status == "OCCUPIED" else "VACANT_CLEAN"
            self.q(self.u_cleaned, (after, self.staff, now, now, room))
            self.q(self.u_task_done, (now, now, room))
            if self.ready == ("INSPECTED",):
                self.q(
                    self.i_inspection,
                    (secrets.token_hex(16), self.hotel, room, now, now, self.staff, room),
                )
            return self.log(
                [(room, "CLEAN_COMPLETE", self.staff, None, None, status, after, condition,
                  "CLEAN", META["CLEAN_COMPLETE"])],
                now,
            )  # fmt: skip

    def inspect(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            status, condition, _, _, _, _, _ = self.q(self.s_occupancy, (room,)).fetchone()
            if condition != "CLEAN":
                raise Refused("not clean")
            self.q(self.u_inspected, (self.staff, now, now, room))
            self.q(self.u_inspection_done, (now, now, room))
            return self.log(
                [(room, "INSPECT", self.staff, None, None, status, status, condition,
                  "INSPECTED", META["INSPECT"])],
                now,
            )  # fmt: skip


MINIMAL_DDL = {
    "sqlite": """
CREATE TABLE m_bookings (booking_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL,
  departure DATE NOT NULL, checked_in_at TIMESTAMP, moved_at TIMESTAMP, checked_out_at TIMESTAMP);
CREATE TABLE m_rooms (room_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL, status TEXT NOT NULL,
  condition TEXT NOT NULL, booking_id TEXT UNIQUE REFERENCES m_bookings (booking_id),
  updated_at TIMESTAMP NOT NULL);
CREATE TABLE m_guests (guest_id TEXT PRIMARY KEY, hotel_id TEXT NOT NULL,
  booking_id TEXT NOT NULL REFERENCES m_bookings (booking_id), position INTEGER NOT NULL,
  first_name TEXT NOT NULL, last_name TEXT NOT NULL, pin TEXT, checked_in DATE,
  checked_out DATE, UNIQUE (hotel_id, pin));
CREATE INDEX m_guests_booking ON m_guests (booking_id);
CREATE TABLE m_tasks (task_id INTEGER PRIMARY KEY, hotel_id TEXT NOT NULL,
  room_id TEXT NOT NULL REFERENCES m_rooms (room_id), kind TEXT NOT NULL, status TEXT NOT NULL,
  assigned_to TEXT, created_at TIMESTAMP NOT NULL, closed_at TIMESTAMP);
CREATE INDEX m_tasks_room ON m_tasks (room_id, status);
CREATE TABLE m_log (id INTEGER PRIMARY KEY, hotel_id TEXT NOT NULL,
  room_id TEXT NOT NULL REFERENCES m_rooms (room_id), operation TEXT NOT NULL,
  staff_id TEXT NOT NULL, booking_id TEXT, from_room_id TEXT, status_before TEXT NOT NULL,
  status_after TEXT NOT NULL, condition_before TEXT NOT NULL, condition_after TEXT NOT NULL,
  at TIMESTAMP NOT NULL);
CREATE INDEX m_log_room ON m_log (room_id, id);
""",
    "postgresql": """
CREATE TABLE m_bookings (booking_id text PRIMARY KEY, hotel_id text NOT NULL,
  departure date NOT NULL, checked_in_at timestamptz, moved_at timestamptz,
  checked_out_at timestamptz);
CREATE TABLE m_rooms (room_id text PRIMARY KEY, hotel_id text NOT NULL, status text NOT NULL,
  condition text NOT NULL, booking_id text UNIQUE REFERENCES m_bookings (booking_id),
  updated_at timestamptz NOT NULL);
CREATE TABLE m_guests (guest_id text PRIMARY KEY, hotel_id text NOT NULL,
  booking_id text NOT NULL REFERENCES m_bookings (booking_id), position integer NOT NULL,
  first_name text NOT NULL, last_name text NOT NULL, pin text, checked_in date,
  checked_out date, UNIQUE (hotel_id, pin));
CREATE INDEX m_guests_booking ON m_guests (booking_id);
CREATE TABLE m_tasks (task_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hotel_id text NOT NULL, room_id text NOT NULL REFERENCES m_rooms (room_id),
  kind text NOT NULL, status text NOT NULL, assigned_to text, created_at timestamptz NOT NULL,
  closed_at timestamptz);
CREATE INDEX m_tasks_room ON m_tasks (room_id, status);
CREATE TABLE m_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, hotel_id text NOT NULL,
  room_id text NOT NULL REFERENCES m_rooms (room_id), operation text NOT NULL,
  staff_id text NOT NULL, booking_id text, from_room_id text, status_before text NOT NULL,
  status_after text NOT NULL, condition_before text NOT NULL, condition_after text NOT NULL,
  at timestamptz NOT NULL);
CREATE INDEX m_log_room ON m_log (room_id, id);
""",
}
"""The raw-minimal baseline's schema: what a correct hand-written implementation of this
cycle needs (a room holds at most one booking, a PIN is unique in a hotel, references
hold), nothing more."""

RANDOM_PIN = {
    "sqlite": "printf('%06d', abs(random()) % 1000000)",
    "postgresql": "lpad(floor(random() * 1000000)::int::text, 6, '0')",
}


class RawMinimal(Raw):
    """The nine operations in the fewest statements on :data:`MINIMAL_DDL`: each guard in
    the WHERE clause of a conditional UPDATE, a PIN collision caught by the unique index
    (the operation is then run again)."""

    def __init__(self, conn: Any, dialect: str, clock: Clock, rooms: tuple[str, str]) -> None:
        super().__init__(conn, dialect, clock)
        self.rooms = rooms
        self.pin_retries = 0
        q = self.sql
        self.u_check_in = q(
            "UPDATE m_bookings SET checked_in_at = ? WHERE booking_id = ? AND checked_in_at IS NULL"
        )
        self.u_occupy = q(
            "UPDATE m_rooms SET status = 'OCCUPIED', booking_id = ?, updated_at = ? "
            "WHERE room_id = ? AND status = 'VACANT_CLEAN' AND condition = 'INSPECTED' "
            "AND booking_id IS NULL RETURNING condition"
        )
        self.u_pins = q(
            f"UPDATE m_guests SET pin = {RANDOM_PIN[dialect]}, checked_in = ? WHERE booking_id = ?"
        )
        self.s_held = q(
            "SELECT booking_id, condition FROM m_rooms WHERE room_id = ? AND status = 'OCCUPIED'"
            "{lock}"
        )
        self.u_vacate = q(
            "UPDATE m_rooms SET status = 'VACANT_DIRTY', condition = 'DIRTY', booking_id = NULL, "
            "updated_at = ? WHERE room_id = ?"
        )
        self.u_moved = q("UPDATE m_bookings SET moved_at = ? WHERE booking_id = ?")
        self.u_checked_out = q("UPDATE m_bookings SET checked_out_at = ? WHERE booking_id = ?")
        self.u_guests_out = q(
            "UPDATE m_guests SET pin = NULL, checked_out = ? WHERE booking_id = ? "
            "AND checked_out IS NULL"
        )
        self.u_cancel_open = q(
            f"UPDATE m_tasks SET status = 'CANCELLED', closed_at = ? WHERE room_id = ? "
            f"AND status IN {OPEN}"
        )
        self.i_task = q(
            "INSERT INTO m_tasks (hotel_id, room_id, kind, status, created_at) "
            "VALUES (?, ?, ?, 'OPEN', ?)"
        )
        self.u_start = q(
            "UPDATE m_rooms SET condition = 'CLEANING', updated_at = ? WHERE room_id = ? "
            "AND condition = 'DIRTY' RETURNING status"
        )
        self.u_task_start = q(
            "UPDATE m_tasks SET status = 'IN_PROGRESS', assigned_to = ? WHERE room_id = ? "
            f"AND kind IN {CLEANING_KINDS} AND status = 'OPEN'"
        )
        self.u_complete = q(
            "UPDATE m_rooms SET condition = 'CLEAN', status = CASE WHEN status = 'OCCUPIED' "
            "THEN status ELSE 'VACANT_CLEAN' END, updated_at = ? WHERE room_id = ? "
            "AND condition = 'CLEANING' RETURNING status"
        )
        self.u_task_done = q(
            "UPDATE m_tasks SET status = 'DONE', closed_at = ? WHERE room_id = ? "
            f"AND kind IN {CLEANING_KINDS} AND status IN {OPEN}"
        )
        self.u_inspect = q(
            "UPDATE m_rooms SET condition = 'INSPECTED', updated_at = ? WHERE room_id = ? "
            "AND condition = 'CLEAN' RETURNING status"
        )
        self.u_inspection_done = q(
            "UPDATE m_tasks SET status = 'DONE', closed_at = ? WHERE room_id = ? "
            f"AND kind = 'INSPECTION' AND status IN {OPEN}"
        )
        row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        self.i_log = {
            n: q(
                "INSERT INTO m_log (hotel_id, room_id, operation, staff_id, booking_id, "
                "from_room_id, status_before, status_after, condition_before, condition_after, "
                "at) VALUES " + ", ".join([row] * n)
            )
            for n in (1, 2)
        }
        self.unique_violation: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)
        if self.pg:
            import psycopg

            self.unique_violation = (psycopg.errors.UniqueViolation,)

    @staticmethod
    def create(
        conn: Any,
        dialect: str,
        bookings: Sequence[str],
        clock: Clock,
        rooms: Sequence[str] | None = None,
    ) -> None:
        """The schema, the hotel's rooms (ready; by default ROOMS and the others) and the
        bookings with their parties."""
        pg = dialect == "postgresql"
        for statement in MINIMAL_DDL[dialect].split(";"):
            if statement.strip():
                conn.execute(statement)
        now = clock()
        stamp = now if pg else now.replace(tzinfo=None).isoformat(" ", "microseconds")
        RawMinimal.add_bookings(conn, dialect, bookings)
        if rooms is None:
            rooms = [*ROOMS, *(f"r{n}" for n in range(2, 2 + OTHER_ROOMS))]
        RawMinimal._many(
            conn,
            dialect,
            "INSERT INTO m_rooms (room_id, hotel_id, status, condition, updated_at) "
            "VALUES (?, ?, 'VACANT_CLEAN', 'INSPECTED', ?)",
            [(r, HOTEL, stamp) for r in rooms],
        )
        conn.commit()

    @staticmethod
    def add_bookings(conn: Any, dialect: str, bookings: Sequence[str]) -> None:
        """The bookings with their parties (not committed)."""
        departure = DEPARTURE if dialect == "postgresql" else DEPARTURE.isoformat()
        RawMinimal._many(
            conn,
            dialect,
            "INSERT INTO m_bookings (booking_id, hotel_id, departure) VALUES (?, ?, ?)",
            [(b, HOTEL, departure) for b in bookings],
        )
        RawMinimal._many(
            conn,
            dialect,
            "INSERT INTO m_guests (guest_id, hotel_id, booking_id, position, first_name, "
            "last_name) VALUES (?, ?, ?, ?, ?, ?)",
            [(f"{b}-{i}", HOTEL, b, i, "Guest", str(i)) for b in bookings for i in range(PARTY)],
        )

    @staticmethod
    def _many(conn: Any, dialect: str, sql: str, rows: list[tuple[object, ...]]) -> None:
        if dialect == "postgresql":
            with conn.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)
        else:
            conn.executemany(sql, rows)

    def log(self, rows: list[tuple[object, ...]], at: object) -> int:
        params: list[object] = []
        for row in rows:
            params += [HOTEL, *row, at]
        self.q(self.i_log[len(rows)], params)
        return len(rows)

    def one(self, sql: str, params: Sequence[object]) -> Any:
        row = self.q(sql, params).fetchone()
        if row is None:
            raise Refused(sql)
        return row

    def assign(self, booking: str, room: str) -> int:
        for _ in range(ATTEMPTS):
            try:
                return self._assign(booking, room)
            except self.unique_violation:  # two in-house guests drew the same PIN
                self.pin_retries += 1
        raise Refused("no free PIN")

    def _assign(self, booking: str, room: str) -> int:
        with self.tx():
            at = self.clock()
            now = self.ts(at)
            if self.q(self.u_check_in, (now, booking)).rowcount != 1:
                raise Refused("booking not arriving")
            (condition,) = self.one(self.u_occupy, (booking, now, room))
            self.q(self.u_pins, (self.day(at.date()), booking))
            v = "VACANT_CLEAN"
            return self.log(
                [(room, "ASSIGN", STAFF, booking, None, v, v, condition, condition),
                 (room, "CHECKIN", STAFF, booking, None, v, "OCCUPIED", condition, condition)],
                now,
            )  # fmt: skip

    def move(self, source: str, target: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            booking, _ = self.one(self.s_held, (source,))
            self.q(self.u_vacate, (now, source))
            (condition,) = self.one(self.u_occupy, (booking, now, target))
            self.q(self.u_moved, (now, booking))
            self.q(self.u_cancel_open, (now, source))
            self.q(self.i_task, (HOTEL, source, "TURNOVER", now))
            return self.log(
                [(target, "MOVE", STAFF, booking, source, "VACANT_CLEAN", "OCCUPIED", condition,
                  condition)],
                now,
            )  # fmt: skip

    def checkout(self, room: str) -> int:
        with self.tx():
            at = self.clock()
            now = self.ts(at)
            booking, condition = self.one(self.s_held, (room,))
            self.q(self.u_vacate, (now, room))
            self.q(self.u_checked_out, (now, booking))
            self.q(self.u_guests_out, (self.day(at.date()), booking))
            self.q(self.u_cancel_open, (now, room))
            self.q(self.i_task, (HOTEL, room, "TURNOVER", now))
            return self.log(
                [(room, "CHECKOUT", STAFF, booking, None, "OCCUPIED", "VACANT_DIRTY", condition,
                  "DIRTY")],
                now,
            )  # fmt: skip

    def start_cleaning(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            (status,) = self.one(self.u_start, (now, room))
            self.q(self.u_task_start, (STAFF, room))
            return self.log(
                [(room, "CLEAN_START", STAFF, None, None, status, status, "DIRTY", "CLEANING")],
                now,
            )

    def complete_cleaning(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            (status,) = self.one(self.u_complete, (now, room))
            before = "OCCUPIED" if status == "OCCUPIED" else "VACANT_DIRTY"
            self.q(self.u_task_done, (now, room))
            self.q(self.i_task, (HOTEL, room, "INSPECTION", now))  # none can be open here
            return self.log(
                [(room, "CLEAN_COMPLETE", STAFF, None, None, before, status, "CLEANING", "CLEAN")],
                now,
            )

    def inspect(self, room: str) -> int:
        with self.tx():
            now = self.ts(self.clock())
            (status,) = self.one(self.u_inspect, (now, room))
            self.q(self.u_inspection_done, (now, room))
            return self.log(
                [(room, "INSPECT", STAFF, None, None, status, status, "CLEAN", "INSPECTED")], now
            )

    def state(self) -> State:
        c = self.conn
        rooms = {
            r: room_label(s, cond, b)
            for r, s, cond, b in c.execute(
                "SELECT room_id, status, condition, booking_id FROM m_rooms"
            ).fetchall()
        }
        counts: Counter[str] = Counter()
        for op, n in c.execute("SELECT operation, count(*) FROM m_log GROUP BY operation"):
            counts[f"log {op}"] = n
        for kind, status, n in c.execute(
            "SELECT kind, status, count(*) FROM m_tasks GROUP BY kind, status"
        ):
            counts[f"task {kind} {status}"] = n
        (counts["bookings checked out"],) = c.execute(
            "SELECT count(*) FROM m_bookings WHERE checked_out_at IS NOT NULL"
        ).fetchone()
        departed, in_house, pins = c.execute(
            "SELECT count(checked_out), count(*) FILTER (WHERE checked_in IS NOT NULL AND "
            "checked_out IS NULL), count(pin) FROM m_guests"
        ).fetchone()
        counts["guests checked out"] = departed
        c.commit()
        return State([rooms[r] for r in ROOMS], counts, in_house, pins)


# --- databases -------------------------------------------------------------------------------


def sqlite_pragmas(dbapi_connection: Any) -> dict[str, Any]:
    cursor = dbapi_connection.cursor()
    try:
        found = {p: cursor.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}
    finally:
        cursor.close()
    found["synchronous"] = SYNC_NAMES.get(found["synchronous"], found["synchronous"])
    return found


def library_sqlite_engine(path: Path, synchronous: str | None) -> Engine:
    """The library's engine on ``path``; ``synchronous`` (if given) set by a ``connect``
    listener added after the library's own, since create_engine has no option for it."""
    engine = create_engine(f"sqlite:///{path}")
    if synchronous is not None:

        def set_synchronous(dbapi_connection: Any, record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.close()

        event.listen(engine, "connect", set_synchronous)
    return engine


def engine_pragmas(engine: Engine) -> dict[str, Any]:
    raw = engine.raw_connection()
    try:
        return sqlite_pragmas(raw)
    finally:
        raw.close()


def raw_sqlite(path: Path, pragmas: dict[str, Any]) -> sqlite3.Connection:
    """A sqlite3 connection with the same pragmas as the library's connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    for name in ("busy_timeout", "foreign_keys", "secure_delete", "journal_mode", "synchronous"):
        conn.execute(f"PRAGMA {name} = {pragmas[name]}")
    return conn


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def durable_server() -> Iterator[str]:
    """The tests' throwaway server (``tests/postgres.py``), started with fsync,
    synchronous_commit and full_page_writes on instead of off."""
    from tests import postgres

    bin_dir = postgres.find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError(postgres.HOW_TO_ENABLE)
    as_user = postgres._as_postgres_user
    root = Path(tempfile.mkdtemp(prefix="ho-pg-durable-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        for user in ("postgres", "nobody"):
            if subprocess.run(["id", user], capture_output=True, check=False).returncode == 0:
                shutil.chown(root, user=user)
                break
        os.chmod(root, 0o700)
    port = postgres._free_port()
    subprocess.run(
        as_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
        "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200"
    )
    subprocess.run(
        as_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
                 "-t", "60", "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


class PgServer:
    """A running server: fresh databases on it, and what it runs with."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.psycopg = psycopg
        self.made = 0
        self.template = False

    def admin(self) -> Any:
        return self.psycopg.connect(libpq(self.url), autocommit=True)

    def settings(self) -> dict[str, str]:
        with self.admin() as conn:
            return {
                name: str(conn.execute(f"SHOW {name}").fetchone()[0])
                for name in ("server_version", "fsync", "synchronous_commit", "full_page_writes",
                             "wal_sync_method", "shared_buffers")
            }  # fmt: skip

    def url_of(self, database: str) -> str:
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    @contextmanager
    def database(self, schema: bool) -> Iterator[str]:
        """A new database (dropped afterwards); ``schema``: with the library's schema, copied
        from a template made once by ``create_schema`` (copying is much faster)."""
        template = f"cycle_{os.getpid()}_template"
        if schema and not self.template:
            with self.admin() as conn:
                conn.execute(f'CREATE DATABASE "{template}"')
            engine = create_engine(self.url_of(template))
            create_schema(engine)
            engine.dispose()
            self.template = True
        self.made += 1
        name = f"cycle_{os.getpid()}_{self.made}"
        with self.admin() as conn:
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if schema else "")
            )
        try:
            yield self.url_of(name)
        finally:
            with self.admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- single-process runs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    key: str
    title: str
    backend: str  # memory, sqlite, postgresql
    synchronous: str | None = None  # sqlite
    server: PgServer | None = None  # postgresql


@dataclass
class Subject:
    """One implementation set up on one configuration, ready to cycle."""

    steps: Callable[[str], list[Step]]
    state: Callable[[], State]
    violations: Callable[[], int | None] = lambda: None
    server_pid: int | None = None
    current_pid: Callable[[], int | None] = lambda: None
    engine: Engine | None = None
    raw: Raw | None = None
    details: dict[str, Any] = field(default_factory=dict)


def attempt(step: Step, errors: Counter[str]) -> int:
    """Run ``step``, again after an error that is safe to retry (counted, never hidden)."""
    for n in range(ATTEMPTS):
        try:
            return step()
        except Exception as error:
            errors[type(error).__name__] += 1
            if n + 1 == ATTEMPTS or not is_safe_to_retry(error, with_request_id=False):
                raise
    raise AssertionError("unreachable")


def timed(subject: Subject, bookings: Sequence[str]) -> dict[str, Any]:
    """Run the cycles of ``bookings`` timed: wall and CPU around the loop, each op alone."""
    latencies: list[float] = []
    per_op = [0.0] * len(OPS)
    errors: Counter[str] = Counter()
    clock = time.perf_counter
    server0 = cpu_seconds(subject.server_pid)
    cpu0 = time.process_time()
    start = clock()
    for booking in bookings:
        for index, step in enumerate(subject.steps(booking)):
            began = clock()
            attempt(step, errors)
            spent = clock() - began
            latencies.append(spent)
            per_op[index] += spent
    wall = clock() - start
    cpu = time.process_time() - cpu0
    server1 = cpu_seconds(subject.server_pid)
    ops = len(latencies)
    server = server1 - server0 if server0 is not None and server1 is not None else None
    if subject.current_pid() not in (None, subject.server_pid):
        server = None  # the work was not all on the backend that was watched
    return {
        "cycles": len(bookings),
        "operations": ops,
        "wall_seconds": wall,
        "ops_per_second": ops / wall,
        "cycles_per_second": len(bookings) / wall,
        "wall_us_per_op": wall / ops * 1e6,
        "cpu_us_per_op": cpu / ops * 1e6,
        "server_cpu_us_per_op": server / ops * 1e6 if server is not None else None,
        "p50_us": percentile(latencies, 50) * 1e6,
        "p99_us": percentile(latencies, 99) * 1e6,
        "per_op_us": {op: t / len(bookings) * 1e6 for op, t in zip(OPS, per_op, strict=True)},
        "errors": dict(errors),
    }


def verify(subject: Subject, booking: str) -> dict[str, Any]:
    """One more cycle, counting per operation the statements (no BEGIN/COMMIT), the
    commits and the log entries; 'operations' counts the calls that wrote an entry."""
    statements: list[int | None] = []
    commits: list[int | None] = []
    entries: list[int] = []
    counted = {"statements": 0, "commits": 0}

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"):
            counted["statements"] += 1

    def on_commit(conn: Any) -> None:
        counted["commits"] += 1

    if subject.engine is not None:
        event.listen(subject.engine, "before_cursor_execute", on_statement)
        event.listen(subject.engine, "commit", on_commit)
    try:
        for step in subject.steps(booking):
            raw = subject.raw
            before = (
                (raw.statements, raw.commits)
                if raw is not None
                else (counted["statements"], counted["commits"])
            )
            entries.append(step())
            after = (
                (raw.statements, raw.commits)
                if raw is not None
                else (counted["statements"], counted["commits"])
            )
            sql = raw is not None or subject.engine is not None
            statements.append(after[0] - before[0] if sql else None)
            commits.append(after[1] - before[1] if sql else None)
    finally:
        if subject.engine is not None:
            event.remove(subject.engine, "before_cursor_execute", on_statement)
            event.remove(subject.engine, "commit", on_commit)
    sql = subject.engine is not None or subject.raw is not None
    return {
        "operations_per_cycle": sum(1 for n in entries if n > 0),
        "log_entries_per_cycle": sum(entries),
        "transactions_per_cycle": sum(c or 0 for c in commits) if sql else None,
        "statements_per_cycle": sum(s or 0 for s in statements) if sql else None,
        "statements_per_op": dict(zip(OPS, statements, strict=True)) if sql else None,
    }


@contextmanager
def subject_for(
    config: Config, implementation: str, bookings: Sequence[str], workdir: Path, tag: str
) -> Iterator[Subject]:
    clock = Clock()
    if config.backend == "memory":
        uow: Any = InMemoryUnitOfWork(clock=clock)
        build_library_hotel(uow, bookings)
        yield Subject(
            steps=LibraryCycle(uow, STAFF, ROOMS).steps,
            state=lambda: snapshot_state(uow.snapshot(), HOTEL, ROOMS),
            violations=lambda: len(check_invariants(uow.snapshot())),
        )
        return
    if config.backend == "sqlite":
        path = workdir / f"{tag}.db"
        engine = library_sqlite_engine(path, config.synchronous)
        pragmas = engine_pragmas(engine)
        if implementation == "raw-minimal":
            engine.dispose()
            conn = raw_sqlite(path, pragmas)
            RawMinimal.create(conn, "sqlite", bookings, clock)
            raw = RawMinimal(conn, "sqlite", clock, ROOMS)
            try:
                yield Subject(
                    steps=raw.steps,
                    state=raw.state,
                    raw=raw,
                    details={"pragmas": sqlite_pragmas(conn)},
                )
            finally:
                raw.close()
            return
        create_schema(engine)
        uow = SqlAlchemyUnitOfWork(engine, clock=clock)
        build_library_hotel(uow, bookings)
        try:
            if implementation == "library":
                yield Subject(
                    steps=LibraryCycle(uow, STAFF, ROOMS).steps,
                    state=lambda: snapshot_state(uow.snapshot(), HOTEL, ROOMS),
                    violations=lambda: len(check_invariants(uow.snapshot())),
                    engine=engine,
                    details={"pragmas": engine_pragmas(engine)},
                )
            else:
                own = RawOwnSchema(raw_sqlite(path, pragmas), "sqlite", clock, HOTEL, STAFF, ROOMS)
                try:
                    yield Subject(
                        steps=own.steps,
                        state=lambda: snapshot_state(uow.snapshot(), HOTEL, ROOMS),
                        violations=lambda: len(check_invariants(uow.snapshot())),
                        raw=own,
                        details={"pragmas": sqlite_pragmas(own.conn)},
                    )
                finally:
                    own.close()
        finally:
            engine.dispose()
        return
    assert config.server is not None

    with config.server.database(schema=implementation != "raw-minimal") as url:
        if implementation == "raw-minimal":
            pg = raw_psycopg(url)
            RawMinimal.create(pg, "postgresql", bookings, clock)
            raw = RawMinimal(pg, "postgresql", clock, ROOMS)
            try:
                yield Subject(
                    steps=raw.steps, state=raw.state, raw=raw, server_pid=pg.info.backend_pid
                )
            finally:
                raw.close()
            return
        engine = create_engine(url)  # the schema is there already (copied)
        uow = SqlAlchemyUnitOfWork(engine, clock=clock)
        build_library_hotel(uow, bookings)
        try:
            if implementation == "library":
                pid = pooled_backend(engine)
                yield Subject(
                    steps=LibraryCycle(uow, STAFF, ROOMS).steps,
                    state=lambda: snapshot_state(uow.snapshot(), HOTEL, ROOMS),
                    violations=lambda: len(check_invariants(uow.snapshot())),
                    engine=engine,
                    server_pid=pid,
                    current_pid=lambda: pooled_backend(engine),
                )
            else:
                pg = raw_psycopg(url)
                own = RawOwnSchema(pg, "postgresql", clock, HOTEL, STAFF, ROOMS)
                try:
                    yield Subject(
                        steps=own.steps,
                        state=lambda: snapshot_state(uow.snapshot(), HOTEL, ROOMS),
                        violations=lambda: len(check_invariants(uow.snapshot())),
                        raw=own,
                        server_pid=pg.info.backend_pid,
                    )
                finally:
                    own.close()
        finally:
            engine.dispose()


def pooled_backend(engine: Engine) -> int | None:
    """The backend pid of the engine's pooled connection (the one a unit of work takes
    next: used one call at a time, the pool holds one); None if it holds several."""
    if engine.pool.checkedin() > 1:  # type: ignore[attr-defined]
        return None
    pooled = engine.raw_connection()
    try:
        return int(pooled.driver_connection.info.backend_pid)  # type: ignore[union-attr]
    finally:
        pooled.close()


def raw_psycopg(url: str) -> Any:
    """A psycopg connection for a raw baseline, with the library's ``lock_timeout``."""
    import psycopg

    lock_timeout = f"-c lock_timeout={int(ho_lock_timeout() * 1000)}ms"
    return psycopg.connect(libpq(url), options=lock_timeout)


def ho_lock_timeout() -> float:
    from hotel_occupancy.adapters.sqlalchemy.engine import LOCK_TIMEOUT

    return LOCK_TIMEOUT


def run_single(
    config: Config, implementation: str, cycles: int, warmup: int, workdir: Path, tag: str
) -> dict[str, Any]:
    bookings = booking_ids("", 0, warmup + cycles + 1)
    with subject_for(config, implementation, bookings, workdir, tag) as subject:
        before = subject.state()
        errors: Counter[str] = Counter()
        for booking in bookings[:warmup]:
            for step in subject.steps(booking):
                attempt(step, errors)
        figures = timed(subject, bookings[warmup : warmup + cycles])
        figures.update(verify(subject, bookings[-1]))
        figures["warmup_errors"] = dict(errors)
        figures["end_state"] = end_state(before, subject.state(), len(bookings))
        figures["invariant_violations"] = subject.violations()
        if isinstance(subject.raw, RawMinimal):
            figures["pin_retries"] = subject.raw.pin_retries
        figures.update(subject.details)
        return figures


# --- concurrency -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSpec:
    index: int
    url: str
    hotel: str
    staff: str
    rooms: tuple[str, str]
    bookings: int
    seconds: float
    raw: bool = False  # the raw minimal baseline (psycopg), not the library


@dataclass
class Cycles:
    """What a worker process runs: its bookings' cycles, and how to get more bookings."""

    ids: list[str]
    steps: Callable[[str], list[Step]]
    more: Callable[[int], list[str]]  # register bookings from this index on: their ids
    retryable: Callable[[BaseException], bool]
    close: Callable[[], None]


def library_cycles(spec: WorkerSpec) -> Cycles:
    """The library's cycle on the worker's rooms, its bookings registered, one cycle run."""
    engine = create_engine(spec.url)
    try:
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
        prefix = f"w{spec.index}-"
        ids = booking_ids(prefix, 0, spec.bookings)
        register_bookings(uow, spec.hotel, ids)
        make_ready(uow, spec.rooms, spec.staff)
        cycle = LibraryCycle(uow, spec.staff, spec.rooms)
        for step in cycle.steps(ids[0]):
            attempt(step, Counter())
    except BaseException:
        engine.dispose()
        raise

    def more(start: int) -> list[str]:
        added = booking_ids(prefix, start, 20)
        register_bookings(uow, spec.hotel, added)
        return added

    return Cycles(
        ids,
        cycle.steps,
        more,
        lambda error: is_safe_to_retry(error, with_request_id=False),
        engine.dispose,
    )


def raw_cycles(spec: WorkerSpec) -> Cycles:
    """The raw minimal baseline's cycle (psycopg) on the worker's rooms, whose rows and
    bookings the parent made; one cycle run. Nothing is retried: its rooms are its own,
    and a PIN collision is handled inside ``assign``."""
    conn = raw_psycopg(spec.url)
    clock = Clock()
    raw = RawMinimal(conn, "postgresql", clock, spec.rooms)
    prefix = f"w{spec.index}-"
    ids = booking_ids(prefix, 0, spec.bookings)
    try:
        for step in raw.steps(ids[0]):
            step()
    except BaseException:
        conn.close()
        raise

    def more(start: int) -> list[str]:
        added = booking_ids(prefix, start, 20)
        RawMinimal.add_bookings(conn, "postgresql", added)
        conn.commit()
        return added

    return Cycles(ids, raw.steps, more, lambda error: False, conn.close)


def worker(spec: WorkerSpec, barrier: Any, results: Any) -> None:
    """One process: set up its cycles (``spec.raw``: the raw baseline's, else the
    library's), wait for the others, and run cycles for ``spec.seconds``."""
    outcome: dict[str, Any] = {"index": spec.index, "ops": 0, "refills": 0, "retries": 0}
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    cycles: Cycles | None = None
    try:
        cycles = raw_cycles(spec) if spec.raw else library_cycles(spec)
        ids = cycles.ids
        barrier.wait(timeout=600)
        clock = time.perf_counter
        cpu0 = time.process_time()
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        start = clock()
        deadline = start + spec.seconds
        end = start
        next_booking = 1
        running = True
        try:
            while running:
                if next_booking >= len(ids):  # ran out: register more, inside the window
                    ids += cycles.more(len(ids))
                    outcome["refills"] += 1
                for step in cycles.steps(ids[next_booking]):
                    began = clock()
                    if began >= deadline:  # only operations started in the window count
                        running = False
                        break
                    for n in range(ATTEMPTS):
                        try:
                            step()
                            break
                        except Exception as error:
                            errors[type(error).__name__] += 1
                            if n + 1 == ATTEMPTS or not cycles.retryable(error):
                                raise
                            outcome["retries"] += 1
                    end = clock()
                    latencies.append(end - began)
                    outcome["ops"] += 1
                next_booking += 1
        except Exception:
            outcome["failure"] = traceback.format_exc()
        outcome["seconds"] = end - start
        outcome["cpu_seconds"] = time.process_time() - cpu0
        usage = resource.getrusage(resource.RUSAGE_SELF)  # the kernel's share, and why
        outcome["system_seconds"] = usage.ru_stime - usage0.ru_stime
        outcome["voluntary_switches"] = usage.ru_nvcsw - usage0.ru_nvcsw
        outcome["involuntary_switches"] = usage.ru_nivcsw - usage0.ru_nivcsw
    except Exception:
        outcome["failure"] = traceback.format_exc()
        with suppress(Exception):
            barrier.abort()
    finally:
        if cycles is not None:
            cycles.close()
        outcome["errors"] = dict(errors)
        outcome["latencies"] = latencies
        results.put(outcome)


def run_concurrent(
    url: str, layout: str, workers: int, seconds: float, bookings: int
) -> dict[str, Any]:
    """One run of ``workers`` processes on the database at ``url`` (schema made here).
    ``layout``: "one hotel" or "many hotels" (the library), or "raw minimal" (the raw
    baseline on PostgreSQL, on a database without the library's schema: one hotel, as it
    has no hotel row anyone locks)."""
    if layout == "raw minimal":
        import psycopg

        rooms = [(f"w{i}-a", f"w{i}-b") for i in range(workers)]
        with psycopg.connect(libpq(url)) as conn:
            RawMinimal.create(
                conn,
                "postgresql",
                [b for i in range(workers) for b in booking_ids(f"w{i}-", 0, bookings)],
                Clock(),
                rooms=[r for pair in rooms for r in pair],
            )
        specs = [
            WorkerSpec(i, url, HOTEL, STAFF, rooms[i], bookings, seconds, raw=True)
            for i in range(workers)
        ]
        return run_workers(specs, seconds)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":  # (PostgreSQL: copied with the database)
        create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
    specs = []
    if layout == "one hotel":
        rooms = [(f"w{i}-a", f"w{i}-b") for i in range(workers)]
        staff = [f"w{i}-mgr" for i in range(workers)]
        register_hotel(uow, "H", [r for pair in rooms for r in pair], staff)
        hotels = ["H"] * workers
    else:
        rooms, staff, hotels = [], [], []
        for i in range(workers):
            rooms.append((f"w{i}-a", f"w{i}-b"))
            staff.append(f"w{i}-mgr")
            hotels.append(f"H{i}")
            register_hotel(uow, hotels[i], rooms[i], [staff[i]])
    engine.dispose()  # nothing of the parent's is left open for the children
    for i in range(workers):
        specs.append(WorkerSpec(i, url, hotels[i], staff[i], rooms[i], bookings, seconds))
    return run_workers(specs, seconds)


def run_workers(specs: Sequence[WorkerSpec], seconds: float) -> dict[str, Any]:
    """Start one process per spec, released together by a barrier; their figures."""
    workers = len(specs)
    context: Any = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    barrier = context.Barrier(workers)
    results = context.Queue()
    processes = [context.Process(target=worker, args=(s, barrier, results)) for s in specs]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=seconds + 900) for _ in processes]
    for process in processes:
        process.join()
    failures = [o["failure"] for o in outcomes if "failure" in o]
    latencies = [t for o in outcomes for t in o["latencies"]]
    errors: Counter[str] = Counter()
    for o in outcomes:
        errors.update(o["errors"])
    rate = sum(o["ops"] / o["seconds"] for o in outcomes if o.get("seconds"))
    operations = max(1, sum(o["ops"] for o in outcomes))

    def per_op(name: str) -> float:
        return sum(o.get(name, 0) for o in outcomes) / operations

    return {
        "ops_per_second": rate,
        "operations": sum(o["ops"] for o in outcomes),
        "p50_ms": percentile(latencies, 50) * 1e3 if latencies else None,
        "p99_ms": percentile(latencies, 99) * 1e3 if latencies else None,
        "ops_per_worker": [o["ops"] for o in outcomes],
        "client_cpu_us_per_op": per_op("cpu_seconds") * 1e6,
        # of it, in the kernel (system calls, scheduling)
        "client_system_us_per_op": per_op("system_seconds") * 1e6,
        # a worker waiting for the server (voluntary) or preempted (involuntary)
        "voluntary_switches_per_op": per_op("voluntary_switches"),
        "involuntary_switches_per_op": per_op("involuntary_switches"),
        "errors": dict(errors),
        "retries": sum(o["retries"] for o in outcomes),
        "refills": sum(o["refills"] for o in outcomes),
        "failures": failures,
    }


# --- the run ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--no-postgres", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--repeat", type=int, help="runs of everything (default 5, quick 1)")
    parser.add_argument("--cycles", type=int, help="timed cycles per run (default 100, quick 5)")
    parser.add_argument("--warmup", type=int, help="untimed cycles first (default 10, quick 1)")
    parser.add_argument("--seconds", type=float, help="per concurrent run (default 6, quick 0.5)")
    parser.add_argument("--workers", default="1,2,4,8", help="PostgreSQL worker counts")
    parser.add_argument("--sqlite-workers", default="2,4", help="SQLite process counts")
    parser.add_argument(
        "--concurrency-fsync", choices=("on", "off", "both"), default="on",
        help="which PostgreSQL server the concurrent runs use (default: on)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "cycle-results.json")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    cycles = args.cycles or (5 if args.quick else 100)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 10)
    seconds = args.seconds or (0.5 if args.quick else 6.0)
    pg_workers = [int(n) for n in args.workers.split(",") if n]
    sqlite_workers = [int(n) for n in args.sqlite_workers.split(",") if n]

    sys.path.insert(0, str(ROOT))
    from tests import postgres

    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
        },
        "source": source(),
        "load_at_start": load(),
        "settings": {
            "repeat": repeat,
            "cycles": cycles,
            "warmup": warmup,
            "seconds": seconds,
            "quick": args.quick,
            "operations": list(OPS),
            "pg_workers": pg_workers,
            "sqlite_workers": sqlite_workers,
            "concurrency_fsync": args.concurrency_fsync,
        },
        "notes": [],
    }
    print(f"load at start: {results['load_at_start']['uptime']}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="ho-cycle-") as tmp:
        workdir = Path(tmp)
        results["machine"]["workdir_filesystem"] = filesystem(workdir)
        probe = library_sqlite_engine(workdir / "probe.db", None)
        default = engine_pragmas(probe)
        probe.dispose()
        results["sqlite_library_default"] = default
        configs = [Config("memory", "in-memory adapter", "memory")]
        for sync in ("NORMAL", "FULL"):
            configs.append(
                Config(
                    f"sqlite-{sync.lower()}",
                    f"SQLite file, WAL, synchronous={sync}"
                    + (" (library default)" if default["synchronous"] == sync else " (listener)"),
                    "sqlite",
                    None if default["synchronous"] == sync else sync,
                )
            )
        servers: dict[str, Any] = {}
        began = time.perf_counter()
        with _servers(args.no_postgres, postgres, results["notes"]) as urls:
            progress("servers started", began)
            for fsync, url in urls.items():
                server = PgServer(url)
                servers[fsync] = server
                shown = server.settings()
                results.setdefault("postgres", {})[f"fsync-{fsync}"] = shown
                configs.append(
                    Config(
                        f"pg-fsync-{fsync}",
                        f"PostgreSQL {shown['server_version'].split()[0]}, loopback, "
                        f"fsync={shown['fsync']}, synchronous_commit={shown['synchronous_commit']}",
                        "postgresql",
                        server=server,
                    )
                )
            results["configurations"] = {c.key: c.title for c in configs}
            single = run_all_single(configs, repeat, cycles, warmup, workdir)
            results["single"] = single
            results["ratios"] = ratios(single)
            results["concurrency"] = run_all_concurrent(
                servers, args.concurrency_fsync, pg_workers, sqlite_workers, repeat, seconds,
                single, workdir,
            )  # fmt: skip
    results["load_at_end"] = load()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    print(f"\nfigures written to {args.json}")
    return 0


@contextmanager
def _servers(no_postgres: bool, postgres: Any, notes: list[str]) -> Iterator[dict[str, str]]:
    if no_postgres:
        notes.append("PostgreSQL left out (--no-postgres)")
        yield {}
        return
    if postgres.find_bin_dir() is None:
        notes.append(f"PostgreSQL left out: {postgres.HOW_TO_ENABLE}")
        yield {}
        return
    with ExitStack() as durable, ExitStack() as throwaway:
        with ThreadPoolExecutor(1) as pool:  # the two servers start side by side
            started = pool.submit(durable.enter_context, durable_server())
            off = throwaway.enter_context(postgres.running_server())
            on = started.result()
        yield {"on": on, "off": off}


def run_all_single(
    configs: list[Config], repeat: int, cycles: int, warmup: int, workdir: Path
) -> list[dict[str, Any]]:
    order = [
        (c, impl)
        for c in configs
        for impl in (IMPLEMENTATIONS if c.backend != "memory" else ("library",))
    ]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {(c.key, i): [] for c, i in order}
    for r in range(repeat):
        for n, (config, implementation) in enumerate(order if r % 2 == 0 else order[::-1]):
            tag = f"{config.key}-{implementation}-{r}-{n}"
            began = time.perf_counter()
            runs[(config.key, implementation)].append(
                run_single(config, implementation, cycles, warmup, workdir, tag)
            )
            progress(f"  {config.key} {implementation}", began)
        print(f"single-process run {r + 1}/{repeat} done", file=sys.stderr)
    out = []
    for config, implementation in order:
        these = runs[(config.key, implementation)]
        library = runs[(config.key, "library")]
        first = these[0]
        errors: Counter[str] = Counter()
        for run in these:
            errors.update(run["errors"])
            errors.update(run["warmup_errors"])
        out.append(
            {
                "configuration": config.key,
                "title": config.title,
                "implementation": implementation,
                "summary": {key: summary([run[key] for run in these]) for key in SINGLE_FIGURES},
                "per_op_us": {op: summary([run["per_op_us"][op] for run in these]) for op in OPS},
                "errors": dict(errors),
                "operations_per_cycle": first["operations_per_cycle"],
                "log_entries_per_cycle": first["log_entries_per_cycle"],
                "transactions_per_cycle": first["transactions_per_cycle"],
                "statements_per_cycle": first["statements_per_cycle"],
                "statements_per_op": first["statements_per_op"],
                "end_state": first["end_state"],
                "end_state_as_expected": all(
                    run["end_state"] == EXPECTED_END_STATE for run in these
                ),
                "end_state_same_as_library": all(
                    run["end_state"] == lib["end_state"]
                    for run, lib in zip(these, library, strict=True)
                ),
                "invariant_violations": summary(
                    [
                        run["invariant_violations"]
                        for run in these
                        if run["invariant_violations"] is not None
                    ]
                ),
                "pragmas": first.get("pragmas"),
                "pin_retries": sum(run.get("pin_retries", 0) for run in these),
                "runs": these,
            }
        )
    return out


def ratios(single: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Library / raw, run by run: wall time per cycle and client CPU per operation."""
    by = {(s["configuration"], s["implementation"]): s["runs"] for s in single}
    out: dict[str, dict[str, Any]] = {}
    for (config, implementation), library in by.items():
        if implementation != "library" or (config, "raw-minimal") not in by:
            continue
        out[config] = {}
        for raw in ("raw-minimal", "raw-own-schema"):
            pairs = list(zip(library, by[(config, raw)], strict=True))
            out[config][f"library/{raw}"] = {
                "wall": summary([lib["wall_us_per_op"] / r["wall_us_per_op"] for lib, r in pairs]),
                "client_cpu": summary(
                    [lib["cpu_us_per_op"] / r["cpu_us_per_op"] for lib, r in pairs]
                ),
                "ratio_of_medians": median_ratio(library, by[(config, raw)]),
            }
    return out


def median_ratio(library: list[dict[str, Any]], raw: list[dict[str, Any]]) -> float:
    lib = summary([r["wall_us_per_op"] for r in library])
    base = summary([r["wall_us_per_op"] for r in raw])
    assert lib is not None
    assert base is not None
    return lib["median"] / base["median"]


def run_all_concurrent(
    servers: dict[str, PgServer],
    which: str,
    pg_workers: list[int],
    sqlite_workers: list[int],
    repeat: int,
    seconds: float,
    single: list[dict[str, Any]],
    workdir: Path,
) -> list[dict[str, Any]]:
    rate = {  # cycles per second of one process, by (configuration, library or raw)
        (s["configuration"], s["implementation"] == "raw-minimal"): s["summary"][
            "cycles_per_second"
        ]["median"]
        for s in single
        if s["implementation"] in ("library", "raw-minimal")
    }
    cpus = os.cpu_count() or 1
    plan: list[tuple[str, str, int]] = []  # (configuration, layout, workers)
    for fsync in ("on", "off"):
        if fsync in servers and which in (fsync, "both"):
            plan += [
                (f"pg-fsync-{fsync}", layout, n)
                for layout in ("one hotel", "many hotels", "raw minimal")
                for n in pg_workers
            ]
    plan += [("sqlite-full", "one hotel", n) for n in sqlite_workers]
    runs: dict[tuple[str, str, int], list[dict[str, Any]]] = {p: [] for p in plan}
    for r in range(repeat):
        for key in plan if r % 2 == 0 else plan[::-1]:
            config, layout, workers = key
            # enough bookings for the rate one process reached, shared by the CPUs
            one = rate.get((config, layout == "raw minimal"), 50.0)
            per_worker = one * seconds * min(workers, cpus) / workers
            bookings = math.ceil(1.5 * per_worker) + 5
            began = time.perf_counter()
            if config.startswith("pg"):
                server = servers[config.removeprefix("pg-fsync-")]
                with server.database(schema=layout != "raw minimal") as url:
                    runs[key].append(run_concurrent(url, layout, workers, seconds, bookings))
            else:
                path = workdir / f"concurrent-{r}-{layout.replace(' ', '-')}-{workers}.db"
                runs[key].append(
                    run_concurrent(f"sqlite:///{path}", layout, workers, seconds, bookings)
                )
            progress(f"  {config} {layout} x{workers}", began)
        print(f"concurrent run {r + 1}/{repeat} done", file=sys.stderr)
    out = []
    for key in plan:
        config, layout, workers = key
        these = runs[key]
        errors: Counter[str] = Counter()
        for run in these:
            errors.update(run["errors"])
        out.append(
            {
                "configuration": config,
                "layout": layout,
                "workers": workers,
                "summary": {
                    k: summary([run[k] for run in these])
                    for k in (
                        "ops_per_second",
                        "p50_ms",
                        "p99_ms",
                        "client_cpu_us_per_op",
                        "client_system_us_per_op",
                        "voluntary_switches_per_op",
                        "involuntary_switches_per_op",
                    )
                },
                "errors": dict(errors),
                "retries": sum(run["retries"] for run in these),
                "refills": sum(run["refills"] for run in these),
                "failures": [f for run in these for f in run["failures"]],
                "runs": these,
            }
        )
    return out


# --- the report ------------------------------------------------------------------------------


SHORT = {"library": "library", "raw-minimal": "raw minimal", "raw-own-schema": "raw own schema"}


def report(results: dict[str, Any]) -> None:
    settings = results["settings"]
    print(f"\nload at start: {results['load_at_start']['uptime']}")
    changes = results["source"]["src_changes"]
    print(
        f"library measured: commit {results['source']['commit'][:10]} "
        f"(imported from {results['source']['imported_from']})"
        + (f", with uncommitted changes in src/: {'; '.join(changes)}" if changes else "")
    )
    for note in results["notes"]:
        print(f"note: {note}")
    default = results["sqlite_library_default"]
    print(
        f"SQLite library default (read back from create_engine's connection): "
        f"journal_mode={default['journal_mode']}, synchronous={default['synchronous']}; the "
        "other synchronous setting is made by a connect listener in this benchmark"
    )
    for key, shown in results.get("postgres", {}).items():
        print(
            f"PostgreSQL {key}: server {shown['server_version']}, fsync={shown['fsync']}, "
            f"synchronous_commit={shown['synchronous_commit']}, "
            f"full_page_writes={shown['full_page_writes']}"
        )
    print(
        f"\nSingle process: {settings['cycles']} timed cycles of 9 operations per run, "
        f"{settings['repeat']} runs; median (min-max)"
    )
    rows = [
        ["configuration", "implementation", "ops/s", "wall us/op", "client CPU us/op",
         "server CPU us/op", "p50 us", "p99 us", "stmts/cycle", "errors"]
    ]  # fmt: skip
    for s in results["single"]:
        m = s["summary"]
        rows.append(
            [
                s["configuration"],
                SHORT[s["implementation"]],
                fmt(m["ops_per_second"]),
                fmt(m["wall_us_per_op"]),
                fmt(m["cpu_us_per_op"]),
                fmt(m["server_cpu_us_per_op"]),
                fmt(m["p50_us"]),
                fmt(m["p99_us"]),
                str(s["statements_per_cycle"] if s["statements_per_cycle"] is not None else "-"),
                str(sum(s["errors"].values())),
            ]
        )
    _table(rows)
    print("\nLibrary / raw, run by run: wall time per cycle (client CPU per op); median (min-max)")
    rows = [["configuration", "library/raw minimal", "library/raw own schema"]]
    for config, pair in results["ratios"].items():
        rows.append(
            [config]
            + [
                f"{ratio(pair[k]['wall'])}; CPU {ratio(pair[k]['client_cpu'])}"
                for k in ("library/raw-minimal", "library/raw-own-schema")
            ]
        )
    _table(rows)
    print("\nMicroseconds per operation (mean within a run), median of runs")
    columns = results["single"]
    rows = [["operation", *(f"{s['configuration']}:{s['implementation']}" for s in columns)]]
    for op in OPS:
        rows.append([op, *(f"{s['per_op_us'][op]['median']:,.0f}" for s in columns)])
    _table(rows)
    checks = [
        (s["configuration"], s["implementation"])
        for s in results["single"]
        if not (s["end_state_as_expected"] and s["end_state_same_as_library"])
    ]
    ops = {s["operations_per_cycle"] for s in results["single"] if s["implementation"] == "library"}
    print(
        f"\nChecks: the library ran {sorted(ops)} operation(s) per cycle; end state "
        + ("the same for every implementation" if not checks else f"DIFFERS for {checks}")
        + "; invariant violations: "
        + ", ".join(
            f"{s['configuration']} {s['implementation']} {int(s['invariant_violations']['max'])}"
            for s in results["single"]
            if s["invariant_violations"] is not None
        )
    )
    if results["concurrency"]:
        print(
            f"\nConcurrent processes, library, {settings['seconds']:g} s per run, "
            f"{settings['repeat']} runs; median (min-max); errors and retries: all runs"
        )
        rows = [["configuration", "layout", "workers", "ops/s total", "p50 ms", "p99 ms",
                 "client CPU us/op", "of it kernel", "switches/op vol", "invol",
                 "errors", "retries", "refills"]]  # fmt: skip
        for c in results["concurrency"]:
            m = c["summary"]
            errors = ", ".join(f"{k} {v}" for k, v in sorted(c["errors"].items())) or "0"
            rows.append(
                [c["configuration"], c["layout"], str(c["workers"]), fmt(m["ops_per_second"]),
                 fmt(m["p50_ms"], 2), fmt(m["p99_ms"], 2), fmt(m["client_cpu_us_per_op"]),
                 fmt(m["client_system_us_per_op"]), fmt(m["voluntary_switches_per_op"], 1),
                 fmt(m["involuntary_switches_per_op"], 1),
                 errors, str(c["retries"]), str(c["refills"])]
            )  # fmt: skip
        _table(rows)
        failed = [f for c in results["concurrency"] for f in c["failures"]]
        if failed:
            print(f"\n{len(failed)} worker(s) failed; first:\n{failed[0]}")
    print(f"\nload at end: {results['load_at_end']['uptime']}")


if __name__ == "__main__":
    sys.exit(main())
