"""Benchmarks of hotel_occupancy: how fast it is, how it scales, how close to SQLite's floor.

    python3 tasks.py bench               # full run (a few minutes); prints a table
    python3 tasks.py bench --quick       # small sizes and few repeats, for a smoke run
    python3 tasks.py bench --json out.json

For every operation of a full guest cycle (assign with check-in, move, checkout, start
cleaning, complete cleaning, inspect) it measures operations per second on the in-memory
adapter, a SQLite file in WAL mode and PostgreSQL (when its binaries are installed), the
SQL statements each operation sends, and a hand-written ``sqlite3`` baseline doing the same
minimal reads and writes in the same transactions, so the library/baseline ratio comes
from the same run on the same machine. It then measures the cost of a guest cycle at
several hotel sizes and the latency of ``room_board``. Every figure is the median of
repeated runs, with the spread (min-max) beside it. Nothing here is a test: it prints
figures, it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema

CYCLE = [
    "assign_room",
    "move_guest",
    "checkout_room",
    "start_cleaning",
    "complete_cleaning",
    "inspect_room",
]
HOTEL = "bench"
STAFF = "mgr"


class Clock:
    """A clock that moves one millisecond per reading (timestamps stay distinct)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 8, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def build_hotel(uow: Any, rooms: int, bookings: int, party: int = 2) -> None:
    """A hotel of ``rooms`` rooms (no inspection needed), a manager and ``bookings``."""
    services.register_hotel(uow, hotel_id=HOTEL, name="Bench")
    for n in range(rooms):
        services.register_room(uow, hotel_id=HOTEL, room_id=f"r{n}", number=str(n), capacity=4)
    services.register_staff(
        uow, hotel_id=HOTEL, staff_id=STAFF, name="M", role=ho.StaffRole.MANAGER
    )
    for b in range(bookings):
        services.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=f"b{b}",
            reference=f"R{b}",
            arrival=date(2026, 1, 1),
            departure=date(2026, 1, 2),
            party=[ho.BookingGuest(f"b{b}-{i}", "G", str(i)) for i in range(party)],
        )


def cycle_rooms(cycle: int, rooms: int) -> tuple[str, str]:
    """The rooms (A, B) of guest ``cycle``: pairs in turn, swapping roles on each round, so
    that A (left dirty by the move, cleaned afterwards) is ready again when reused."""
    pair = cycle % (rooms // 2)
    first, second = f"r{2 * pair}", f"r{2 * pair + 1}"
    return (first, second) if (cycle // (rooms // 2)) % 2 == 0 else (second, first)


def library_cycle(uow: Any, cycle: int, rooms: int) -> Iterator[tuple[str, Callable[[], object]]]:
    """The six operations of guest ``cycle`` (rooms A -> B), then the untimed clean-up of A."""
    a, b = cycle_rooms(cycle, rooms)
    s = services
    yield (
        "assign_room",
        lambda: s.assign_room(uow, booking_id=f"b{cycle}", room_id=a, staff_id=STAFF),
    )
    yield "move_guest", lambda: s.move_guest(uow, from_room_id=a, to_room_id=b, staff_id=STAFF)
    yield "checkout_room", lambda: s.checkout_room(uow, room_id=b, staff_id=STAFF)
    yield "start_cleaning", lambda: s.start_cleaning(uow, room_id=b, staff_id=STAFF)
    yield "complete_cleaning", lambda: s.complete_cleaning(uow, room_id=b, staff_id=STAFF)
    yield "inspect_room", lambda: s.inspect_room(uow, room_id=b, staff_id=STAFF)
    yield (
        "_cleanup",
        lambda: (
            s.start_cleaning(uow, room_id=a, staff_id=STAFF),
            s.complete_cleaning(uow, room_id=a, staff_id=STAFF),
        ),
    )


def time_cycles(
    make_steps: Callable[[int], Iterator[tuple[str, Callable[[], object]]]], cycles: int
) -> dict[str, float]:
    """Seconds spent in each operation over ``cycles`` guest cycles (clean-up not counted)."""
    spent = dict.fromkeys(CYCLE, 0.0)
    clock = time.perf_counter
    for cycle in range(cycles):
        for name, step in make_steps(cycle):
            if name == "_cleanup":
                step()
                continue
            start = clock()
            step()
            spent[name] += clock() - start
    return spent


# --- the hand-written sqlite3 baseline ---------------------------------------------------


class Baseline:
    """The same guest cycle in raw ``sqlite3``: the minimal reads and writes, one
    ``BEGIN IMMEDIATE`` transaction per operation, on the library's own schema."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "busy_timeout = 10000",
            "foreign_keys = ON",
            "journal_mode = WAL",
            "synchronous = FULL",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        self.clock = Clock()
        self.task_id = 0

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def log(self, db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        db.executemany(
            "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id, "
            "from_room_id, status_before, status_after, condition_before, condition_after, "
            "notes, metadata, timestamp) VALUES ('bench', ?, ?, 'mgr', ?, ?, ?, ?, ?, ?, '', '{}', ?)",
            rows,
        )

    def now(self) -> str:
        return self.clock().replace(tzinfo=None).isoformat(" ")

    def assign(self, booking: str, room: str) -> None:
        with self.tx() as db:
            now = self.now()
            status, condition, holder = db.execute(
                "SELECT status, condition, booking_id FROM ho_occupancies WHERE room_id = ?",
                (room,),
            ).fetchone()
            (checked_in,) = db.execute(
                "SELECT checked_in_at FROM ho_bookings WHERE booking_id = ?", (booking,)
            ).fetchone()
            assert status == "VACANT_CLEAN"
            assert holder is None
            assert checked_in is None
            party = db.execute(
                "SELECT booking_guest_id, first_name, last_name FROM ho_booking_guests "
                "WHERE booking_id = ? ORDER BY position",
                (booking,),
            ).fetchall()
            db.execute(
                "UPDATE ho_bookings SET checked_in_at = ? WHERE booking_id = ?", (now, booking)
            )
            db.executemany(
                "INSERT INTO ho_guests (guest_id, hotel_id, booking_id, booking_guest_id, "
                "guest_type, first_name, last_name, check_in_date, id_pin) "
                "VALUES (?, 'bench', ?, ?, ?, ?, ?, '2026-01-01', ?)",
                [
                    (
                        f"{booking}-{now}-{i}",
                        booking,
                        g,
                        "PRIMARY" if i == 0 else "COMPANION",
                        first,
                        last,
                        f"{(hash((now, i)) % 1_000_000):06d}",
                    )
                    for i, (g, first, last) in enumerate(party)
                ],
            )
            db.execute(
                "UPDATE ho_occupancies SET status = 'OCCUPIED', booking_id = ?, occupied_since = ?, "
                "expected_checkout = ?, assigned_by = 'mgr', updated_at = ? WHERE room_id = ?",
                (booking, now, now, now, room),
            )
            self.log(
                db,
                [
                    (room, "ASSIGN", booking, None, status, status, condition, condition, now),
                    (room, "CHECKIN", booking, None, status, "OCCUPIED", condition, condition, now),
                ],
            )

    def move(self, source: str, target: str) -> None:
        with self.tx() as db:
            now = self.now()
            _, _, booking, expected = db.execute(
                "SELECT status, condition, booking_id, expected_checkout FROM ho_occupancies "
                "WHERE room_id = ?",
                (source,),
            ).fetchone()
            status, condition, holder = db.execute(
                "SELECT status, condition, booking_id FROM ho_occupancies WHERE room_id = ?",
                (target,),
            ).fetchone()
            assert holder is None
            assert status == "VACANT_CLEAN"
            db.execute("UPDATE ho_bookings SET moved_at = ? WHERE booking_id = ?", (now, booking))
            db.execute(
                "UPDATE ho_occupancies SET status = 'VACANT_DIRTY', condition = 'DIRTY', "
                "booking_id = NULL, occupied_since = NULL, expected_checkout = NULL, "
                "assigned_by = NULL, updated_at = ? WHERE room_id = ?",
                (now, source),
            )
            self.new_task(db, source, "TURNOVER", booking, now)
            db.execute(
                "UPDATE ho_occupancies SET status = 'OCCUPIED', booking_id = ?, occupied_since = ?, "
                "expected_checkout = ?, assigned_by = 'mgr', updated_at = ? WHERE room_id = ?",
                (booking, now, expected, now, target),
            )
            self.log(
                db,
                [(target, "MOVE", booking, source, status, "OCCUPIED", condition, condition, now)],
            )

    def new_task(
        self, db: sqlite3.Connection, room: str, kind: str, booking: str | None, now: str
    ) -> None:
        self.task_id += 1
        db.execute(
            "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, "
            "updated_at, created_by, booking_id) VALUES (?, 'bench', ?, ?, 'OPEN', ?, ?, 'mgr', ?)",
            (f"t{self.task_id}", room, kind, now, now, booking),
        )

    def checkout(self, room: str) -> None:
        with self.tx() as db:
            now = self.now()
            status, condition, booking = db.execute(
                "SELECT status, condition, booking_id FROM ho_occupancies WHERE room_id = ?",
                (room,),
            ).fetchone()
            assert status == "OCCUPIED"
            db.execute(
                "UPDATE ho_bookings SET checked_out_at = ? WHERE booking_id = ?", (now, booking)
            )
            db.execute(
                "UPDATE ho_guests SET check_out_date = '2026-01-02', id_pin = NULL, device_token = NULL "
                "WHERE booking_id = ? AND check_out_date IS NULL",
                (booking,),
            )
            db.execute(
                "UPDATE ho_occupancies SET status = 'VACANT_DIRTY', condition = 'DIRTY', "
                "booking_id = NULL, occupied_since = NULL, expected_checkout = NULL, "
                "assigned_by = NULL, updated_at = ? WHERE room_id = ?",
                (now, room),
            )
            db.execute(
                "SELECT task_id FROM ho_tasks WHERE room_id = ? AND status IN ('OPEN', 'IN_PROGRESS')",
                (room,),
            ).fetchall()
            self.new_task(db, room, "TURNOVER", booking, now)
            self.log(
                db,
                [
                    (
                        room,
                        "CHECKOUT",
                        booking,
                        None,
                        status,
                        "VACANT_DIRTY",
                        condition,
                        "DIRTY",
                        now,
                    )
                ],
            )

    def housekeeping(
        self, room: str, before: str, after: str, operation: str, task: str | None
    ) -> None:
        with self.tx() as db:
            now = self.now()
            status, condition = db.execute(
                "SELECT status, condition FROM ho_occupancies WHERE room_id = ?", (room,)
            ).fetchone()
            assert condition == before
            new_status = "VACANT_CLEAN" if after in ("CLEAN", "INSPECTED") else "VACANT_DIRTY"
            db.execute(
                "UPDATE ho_occupancies SET status = ?, condition = ?, updated_at = ? WHERE room_id = ?",
                (new_status, after, now, room),
            )
            if task is not None:
                db.execute(
                    "UPDATE ho_tasks SET status = ?, updated_at = ? WHERE room_id = ? "
                    "AND status IN ('OPEN', 'IN_PROGRESS')",
                    (task, now, room),
                )
            self.log(db, [(room, operation, None, None, status, new_status, condition, after, now)])

    def steps(self, cycle: int, rooms: int) -> Iterator[tuple[str, Callable[[], object]]]:
        a, b = cycle_rooms(cycle, rooms)
        yield "assign_room", lambda: self.assign(f"b{cycle}", a)
        yield "move_guest", lambda: self.move(a, b)
        yield "checkout_room", lambda: self.checkout(b)
        yield (
            "start_cleaning",
            lambda: self.housekeeping(b, "DIRTY", "CLEANING", "CLEAN_START", "IN_PROGRESS"),
        )
        yield (
            "complete_cleaning",
            lambda: self.housekeeping(b, "CLEANING", "CLEAN", "CLEAN_COMPLETE", "DONE"),
        )
        yield "inspect_room", lambda: self.housekeeping(b, "CLEAN", "INSPECTED", "INSPECT", None)
        yield (
            "_cleanup",
            lambda: (
                self.housekeeping(a, "DIRTY", "CLEANING", "CLEAN_START", "IN_PROGRESS"),
                self.housekeeping(a, "CLEANING", "CLEAN", "CLEAN_COMPLETE", "DONE"),
            ),
        )


# --- runs --------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples)}


def run_adapter(
    kind: str, rooms: int, cycles: int, workdir: Path, pg_url: str | None, run: int
) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds per operation (total over ``cycles``) and statements per operation."""
    statements: dict[str, int] = {}
    engine: Engine | None = None
    if kind == "memory":
        uow: Any = InMemoryUnitOfWork(clock=Clock())
    elif kind == "sqlite":
        engine = create_engine(f"sqlite:///{workdir / f'lib-{rooms}-{run}.db'}")
        create_schema(engine)
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
    else:
        assert pg_url is not None
        engine = create_engine(pg_url)
        _reset_postgres(engine)
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
    build_hotel(uow, rooms, cycles + 1)
    spent = time_cycles(lambda c: library_cycle(uow, c, rooms), cycles)
    if engine is not None:  # statements per operation, counted on one more cycle
        counted: list[str] = []
        listener = lambda *a: counted.append(a[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        for name, step in library_cycle(uow, cycles, rooms):
            counted.clear()
            step()
            statements[name] = len(counted)
        event.remove(engine, "before_cursor_execute", listener)
        statements.pop("_cleanup", None)
        engine.dispose()
    return spent, statements


def _reset_postgres(engine: Engine) -> None:
    from sqlalchemy import text

    from hotel_occupancy.adapters.sqlalchemy import metadata

    create_schema(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)} RESTART IDENTITY CASCADE"
            )
        )


def run_baseline(rooms: int, cycles: int, workdir: Path, run: int) -> dict[str, float]:
    path = workdir / f"base-{rooms}-{run}.db"
    engine = create_engine(f"sqlite:///{path}")
    create_schema(engine)
    build_hotel(SqlAlchemyUnitOfWork(engine, clock=Clock()), rooms, cycles + 1)
    engine.dispose()
    baseline = Baseline(path)
    return time_cycles(lambda c: baseline.steps(c, rooms), cycles)


def board_latency(
    kind: str, rooms: int, workdir: Path, repeats: int
) -> dict[str, dict[str, float]]:
    """room_board's latency on a hotel of ``rooms`` rooms, half of them in house (under
    "library"); on SQLite also the raw query reading the same rows (under "raw query"):
    the board's own SQL text and parameters sent with ``sqlite3`` on its own connection and
    fetched, nothing converted; the two are timed in turn, sample by sample."""
    raw: sqlite3.Connection | None = None
    if kind == "memory":
        uow: Any = InMemoryUnitOfWork(clock=Clock())
    else:
        path = workdir / f"board-{rooms}.db"
        engine = create_engine(f"sqlite:///{path}")
        create_schema(engine)
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
    build_hotel(uow, rooms, rooms // 2)
    for b in range(rooms // 2):  # half the hotel in house
        services.assign_room(uow, booking_id=f"b{b}", room_id=f"r{2 * b}", staff_id=STAFF)
    if kind != "memory":
        from hotel_occupancy.adapters.sqlalchemy.repositories import _BOARD

        compiled = _BOARD.compile(dialect=engine.dialect)
        values = compiled.construct_params({"hotel": HOTEL})
        parameters = tuple(values[name] for name in compiled.positiontup or ())
        raw = sqlite3.connect(path)
    samples: dict[str, list[float]] = {"library": [], "raw query": []}
    try:
        for _ in range(repeats):
            # collect the garbage of what ran before, outside the timing, so that a pause
            # of the collector inside it is due to the board's own allocations
            gc.collect()
            start = time.perf_counter()
            board = services.room_board(uow, HOTEL)
            samples["library"].append(time.perf_counter() - start)
            assert len(board) == rooms
            if raw is not None:
                gc.collect()
                start = time.perf_counter()
                read = raw.execute(compiled.string, parameters).fetchall()
                samples["raw query"].append(time.perf_counter() - start)
                assert len(read) == rooms
    finally:
        if raw is not None:
            raw.close()
    return {name: summary(taken) for name, taken in samples.items() if taken}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run (for tests)")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    repeats = 1 if args.smoke else 2 if args.quick else 5
    cycles = 4 if args.smoke else 30 if args.quick else 300
    sizes = [10, 20] if args.smoke else [10, 100] if args.quick else [10, 1_000, 10_000]
    board_sizes = [20, 40] if args.smoke else [100, 300] if args.quick else [1_000, 10_000]
    if args.smoke:
        args.no_postgres = True

    pg: Any = nullcontext(None)
    if not args.no_postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import postgres  # the same throwaway server the tests use

        if postgres.find_bin_dir() is not None:
            pg = postgres.running_server()
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "settings": {
            "repeats": repeats,
            "cycles": cycles,
            "quick": args.quick,
            "smoke": args.smoke,
        },
    }
    with tempfile.TemporaryDirectory() as tmp, pg as pg_url:
        workdir = Path(tmp)
        kinds = ["memory", "sqlite"] + (["postgresql"] if pg_url else [])
        per_op: dict[str, dict[str, list[float]]] = {
            k: {op: [] for op in CYCLE} for k in [*kinds, "baseline"]
        }
        statements: dict[str, dict[str, int]] = {}
        for run in range(repeats):
            for kind in kinds:
                spent, counted = run_adapter(kind, 10, cycles, workdir, pg_url, run)
                for op in CYCLE:
                    per_op[kind][op].append(cycles / spent[op])
                if counted:
                    statements[kind] = counted
            spent = run_baseline(10, cycles, workdir, run)
            for op in CYCLE:
                per_op["baseline"][op].append(cycles / spent[op])
            print(f"run {run + 1}/{repeats} done", file=sys.stderr)
        results["ops_per_second"] = {
            k: {op: summary(v) for op, v in ops.items()} for k, ops in per_op.items()
        }
        results["cycles_per_second"] = {}
        for kind, ops in per_op.items():
            per_run = [1 / sum(1 / ops[op][r] for op in CYCLE) for r in range(repeats)]
            results["cycles_per_second"][kind] = summary(per_run)
        ratios = [  # library seconds per cycle / baseline seconds per cycle, run by run
            sum(1 / per_op["sqlite"][op][r] for op in CYCLE)
            / sum(1 / per_op["baseline"][op][r] for op in CYCLE)
            for r in range(repeats)
        ]
        results["sqlite_vs_baseline_cycle_ratio"] = summary(ratios)
        results["statements_per_operation"] = statements

        scaling: dict[str, dict[str, dict[str, float]]] = {}
        for kind in ("memory", "sqlite"):
            scaling[kind] = {}
            for size in sizes:
                samples = []
                for run in range(max(1, repeats // 2 + 1)):
                    spent, _ = run_adapter(kind, size, min(cycles, 200), workdir, None, 100 + run)
                    samples.append(sum(spent.values()) / min(cycles, 200) * 1e6)
                scaling[kind][str(size)] = summary(samples)
                print(f"scaling {kind} {size} rooms done", file=sys.stderr)
        results["cycle_microseconds_by_rooms"] = scaling
        boards = {
            (kind, size): board_latency(kind, size, workdir, repeats * 3)
            for kind in ("memory", "sqlite")
            for size in board_sizes
        }
        results["room_board_milliseconds"] = {
            label: {
                str(size): {k: v * 1e3 for k, v in boards[(kind, size)][part].items()}
                for size in board_sizes
            }
            for label, kind, part in (
                ("memory", "memory", "library"),
                ("sqlite", "sqlite", "library"),
                ("sqlite raw query", "sqlite", "raw query"),
            )
        }
        results["room_board_sqlite_vs_raw_query"] = {  # the ratio of the medians
            str(size): boards[("sqlite", size)]["library"]["median"]
            / boards[("sqlite", size)]["raw query"]["median"]
            for size in board_sizes
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_report(results, kinds)
    print(f"\nfigures written to {args.json}")
    return 0


def fmt(s: dict[str, float], digits: int = 0) -> str:
    return f"{s['median']:,.{digits}f} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f})"


def print_report(results: dict[str, Any], kinds: list[str]) -> None:
    ops = results["ops_per_second"]
    columns = [*kinds, "baseline"]
    print("\nOperations per second, median (min-max) over", results["settings"]["repeats"], "runs")
    header = ["operation", *(f"{k}" for k in columns), "statements (sqlite)", "sqlite/baseline"]
    rows = [header]
    for op in CYCLE:
        ratio = ops["baseline"][op]["median"] / ops["sqlite"][op]["median"]
        rows.append(
            [
                op,
                *(fmt(ops[k][op]) for k in columns),
                str(results["statements_per_operation"].get("sqlite", {}).get(op, "")),
                f"{ratio:.2f}x",
            ]
        )
    cps = results["cycles_per_second"]
    rows.append(
        [
            "full guest cycle",
            *(fmt(cps[k]) for k in columns),
            "",
            f"{fmt(results['sqlite_vs_baseline_cycle_ratio'], 2)}x",
        ]
    )
    _table(rows)
    print("\nCost of one guest cycle (microseconds) by hotel size, median (min-max)")
    scaling = results["cycle_microseconds_by_rooms"]
    sizes = list(next(iter(scaling.values())))
    _table(
        [
            ["adapter", *(f"{s} rooms" for s in sizes)],
            *([k, *(fmt(scaling[k][s]) for s in sizes)] for k in scaling),
        ]
    )
    print("\nroom_board latency (milliseconds), median (min-max)")
    board = results["room_board_milliseconds"]
    sizes = list(next(iter(board.values())))
    _table(
        [
            ["adapter", *(f"{s} rooms" for s in sizes)],
            *([k, *(fmt(board[k][s], 1) for s in sizes)] for k in board),
        ]
    )
    ratio = results["room_board_sqlite_vs_raw_query"]
    print(
        "room_board on SQLite / its raw query (ratio of medians): "
        + ", ".join(f"{r:.2f}x at {s} rooms" for s, r in ratio.items())
    )


def _table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    sys.exit(main())
