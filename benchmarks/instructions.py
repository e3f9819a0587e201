"""Instructions per guest cycle on the in-memory adapter, counted by valgrind's cachegrind.

    python3 benchmarks/instructions.py               # runs cachegrind twice, prints the figure
    python3 benchmarks/instructions.py --fresh       # the six operations only (see below)
    python3 benchmarks/instructions.py --sqlite      # the same cycle on a SQLite file
    python3 benchmarks/instructions.py --postgresql  # on PostgreSQL (the client's count)
    PYTHONPATH=/path/to/other/src python3 benchmarks/instructions.py   # another version

It runs itself twice under ``valgrind --tool=cachegrind --cache-sim=no`` (``--run 200``
and ``--run 400``, with ``PYTHONHASHSEED=0``) and prints the difference of the two ``I
refs`` divided by 200: start-up, imports, building the hotel and the warm-up cancel out.
Only the public services API is used, so the same script measures any version of the
library (point ``PYTHONPATH`` at its ``src``). Instruction counts hardly vary from run to
run (a few hundred per cycle), unlike times, so two versions compare on one figure.

The cycle is benchmarks/bench.py's: assign with check-in, move, checkout, start cleaning,
complete cleaning, inspect, on pairs of a 10-room hotel, then the clean-up of the room the
guest left (start and complete cleaning), so eight operations. ``--fresh`` gives every
cycle a fresh pair of rooms instead (860 rooms), so a cycle is the six operations alone.
The hotel is the same whatever the number of cycles, so only the cycles differ.

``--sqlite`` runs the cycle on a SQLite file (in a temporary directory) made by the
library's ``create_engine`` and ``create_schema``, its default settings: the count then
includes SQLite's own C code and the driver, but not the kernel's (the writes and the
flushes of a commit are system calls, which valgrind does not count), so it measures the
CPU work of the library and of SQLite, not the disk. Slower under valgrind (about a
minute), so 50 and 100 cycles are run. ``--postgresql`` runs it on a fresh database of the
tests' throwaway server (``tests/postgres.py``, started once for both runs): only the
client process runs under valgrind, so the count is the client's CPU work per cycle (the
library, SQLAlchemy, psycopg and libpq), not the server's.

``--run N`` (what valgrind runs) builds the hotel, warms up and runs N cycles.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

WARMUP = 30
MAX_CYCLES = 400
HOTEL, STAFF = "bench", "mgr"


class Clock:
    """A clock that moves one millisecond per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 8, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def run(cycles: int, fresh: bool, sqlite: bool, postgresql: str | None = None) -> None:
    import hotel_occupancy as ho
    from hotel_occupancy import services as s

    assert cycles <= MAX_CYCLES
    rooms = 2 * (WARMUP + MAX_CYCLES) if fresh else 10
    uow: Any
    if sqlite or postgresql:
        from hotel_occupancy.adapters.sqlalchemy import (
            SqlAlchemyUnitOfWork,
            create_engine,
            create_schema,
        )

        url = postgresql or f"sqlite:///{tempfile.mkdtemp()}/instructions.db"
        engine = create_engine(url)
        create_schema(engine)
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
    else:
        from hotel_occupancy.adapters.memory import InMemoryUnitOfWork

        uow = InMemoryUnitOfWork(clock=Clock())
    s.register_hotel(uow, hotel_id=HOTEL, name="Bench")
    for n in range(rooms):
        s.register_room(uow, hotel_id=HOTEL, room_id=f"r{n}", number=str(n), capacity=4)
    s.register_staff(uow, hotel_id=HOTEL, staff_id=STAFF, name="M", role=ho.StaffRole.MANAGER)
    for b in range(WARMUP + MAX_CYCLES):
        s.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=f"b{b}",
            reference=f"R{b}",
            arrival=date(2026, 1, 1),
            departure=date(2026, 1, 2),
            party=[ho.BookingGuest(f"b{b}-{i}", "G", str(i)) for i in range(2)],
        )
    for cycle in range(WARMUP + cycles):
        if fresh:
            a, b = f"r{2 * cycle}", f"r{2 * cycle + 1}"
        else:  # as benchmarks/bench.py: pairs in turn, swapping roles on each round
            pair, half = cycle % (rooms // 2), rooms // 2
            a, b = f"r{2 * pair}", f"r{2 * pair + 1}"
            if (cycle // half) % 2:
                a, b = b, a
        s.assign_room(uow, booking_id=f"b{cycle}", room_id=a, staff_id=STAFF)
        s.move_guest(uow, from_room_id=a, to_room_id=b, staff_id=STAFF)
        s.checkout_room(uow, room_id=b, staff_id=STAFF)
        s.start_cleaning(uow, room_id=b, staff_id=STAFF)
        s.complete_cleaning(uow, room_id=b, staff_id=STAFF)
        s.inspect_room(uow, room_id=b, staff_id=STAFF)
        if not fresh:  # the room left dirty by the move is ready for its next guest
            s.start_cleaning(uow, room_id=a, staff_id=STAFF)
            s.complete_cleaning(uow, room_id=a, staff_id=STAFF)


def instructions(cycles: int, fresh: bool, sqlite: bool, postgresql: str | None = None) -> int:
    """The ``I refs`` of one run of ``cycles`` cycles under cachegrind."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--run",
        str(cycles),
        *(["--fresh"] if fresh else []),
        *(["--sqlite"] if sqlite else []),
        *(["--postgresql-url", postgresql] if postgresql else []),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no I refs in valgrind's output:\n{done.stderr}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--fresh", action="store_true", help="a fresh pair of rooms per cycle")
    parser.add_argument("--sqlite", action="store_true", help="on a SQLite file, not in memory")
    parser.add_argument("--postgresql", action="store_true", help="on PostgreSQL, not in memory")
    parser.add_argument("--postgresql-url", help=argparse.SUPPRESS)  # (the run's database)
    parser.add_argument("--run", type=int, metavar="N", help="run N cycles (under valgrind)")
    args = parser.parse_args()
    if args.run is not None:
        run(args.run, args.fresh, args.sqlite, args.postgresql_url)
        return 0
    few, many = (50, 100) if args.sqlite or args.postgresql else (200, 400)
    if args.postgresql:
        low, high = on_postgresql(few, many, args.fresh)
    else:
        low, high = (instructions(n, args.fresh, args.sqlite) for n in (few, many))
    print(f"I refs: {low:,} ({few} cycles), {high:,} ({many} cycles)")
    print(f"instructions per guest cycle: {(high - low) // (many - few):,}")
    return 0


def on_postgresql(few: int, many: int, fresh: bool) -> tuple[int, int]:
    """The counts of both runs, each on a new database of one throwaway server."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import psycopg
    from sqlalchemy import make_url
    from tests import postgres

    counts = []
    with postgres.running_server() as url:
        admin = make_url(url).set(drivername="postgresql").render_as_string(False)
        for n in (few, many):
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE instructions_{n}")
            database = make_url(url).set(database=f"instructions_{n}")
            counts.append(instructions(n, fresh, False, database.render_as_string(False)))
    return counts[0], counts[1]


if __name__ == "__main__":
    sys.exit(main())
