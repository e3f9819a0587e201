"""What the event feed's ordering costs concurrent writers on PostgreSQL (issue 12, point 4).

    python3 tasks.py bench-feed                    # full run (about seven minutes)
    python3 tasks.py bench-feed --quick            # 2 writers, 2 s, 1 repeat: a smoke run
    python3 tasks.py bench-feed --json out.json --repeat 10 --seconds 6 --bookings 150
    python3 tasks.py bench-feed --layout own --variant no-notify --variant txid-only
    .venv/bin/python benchmarks/feed_cost.py ...   # the same without tasks.py

The feed's order on PostgreSQL is two triggers on ``ho_log`` (``schema.FEED_TRIGGERS``): a
``BEFORE INSERT`` row trigger setting ``txid`` to the highest of ``txid_current()`` and the
``txid`` of the entries already naming the entry's rooms, and a statement-level ``AFTER
INSERT`` trigger sending ``NOTIFY``. This measures operations per second of ``--workers``
writer processes (8 by default) with them in place and without them, in the same run.

- **Server**: the tests' throwaway server (``tests/postgres.py``: loopback, ``fsync=off``,
  ``synchronous_commit=off``), or the one of ``--url``. Every run gets a database of its
  own, made for it and dropped after it, so each starts from the same empty tables.
- **Configurations**: ``with`` is the schema as ``create_schema`` makes it; ``without`` is
  the same schema, then ``DROP TRIGGER`` of both triggers (``txid`` then stays NULL).
  ``--variant NAME`` adds ``with:NAME``: the library's schema changed by the experimental
  statements of :data:`VARIANTS` (in the benchmark's database only, never the library's).
  They alternate ``--repeat`` times, in turn forwards and backwards (``with, without``,
  then ``without, with``), so that a drift of the machine favours neither.
- **Layouts**: ``own``, every writer on a hotel of its own (the normal case: writers of
  different hotels), and ``shared``, all writers on one hotel, each on rooms of its own.
  The trigger looks the txid up per room, so rooms are never shared.
- **Workload**: each writer is a process with its own engine and unit of work, running
  guest cycles through the public services, each operation its own transaction: assign
  with check-in, move, checkout, start cleaning, complete cleaning, inspect, then start
  and complete the cleaning of the room moved out of (bench.py's cycle, the clean-up
  counted too: every one of the eight writes a log entry), on ``--rooms`` rooms in pairs.
  Bookings are registered before the clock starts (a writer that runs out registers more
  in its window, counted apart, not as operations). After ``--warmup`` seconds each
  writer counts the operations it starts in the next ``--seconds``, over its own window
  (to the end of its last operation). An operation that fails is counted as an error and
  tried again (at most 3 times, then the run fails).
- **CPU time**: over its window each writer takes its own CPU time
  (``time.process_time``) and its server backend's (``/proc/<pid>/stat``, when the
  server runs on this machine): milliseconds per operation, client and server. On a
  machine this small the writers are CPU bound, so the server's extra CPU time per
  operation sizes the triggers' cost with much less noise than ops/s does ("by server
  CPU": the ops/s ratio that extra time alone would give).
- **Where the backends wait**: every 0.1 s of the counted window, the parent samples
  ``pg_stat_activity`` of the run's database: running, waiting for a lock or I/O (which),
  or idle, waiting for the writer. NOTIFY's commit lock shows as ``Lock object``.
- **Checked after each run**: the log entries written, how many have a ``txid``, the
  triggers on ``ho_log``, and the NOTIFYs a listener received (``--listen``: a connection
  of the parent process listening on the feed's channel, as a follower would).

Figures: ops/s median (min-max) over the repeats; with/without as the ratio of the medians
and the ratios of each repeat's pair, median (min-max). The load average is printed at
start and end (a shared VM). Nothing here asserts anything about time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Self

from bench import Clock, _table, cycle_rooms, fmt, summary  # benchmarks/ is on sys.path
from sqlalchemy import Engine, make_url, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from hotel_occupancy.adapters.sqlalchemy.schema import FEED_CHANNEL

FEED_TRIGGER_NAMES = ("ho_log_feed_txid", "ho_log_feed_notify")
LAYOUTS = {"own": "own hotel each", "shared": "one hotel"}
CONFIGURATIONS = {"with": "with feed ordering", "without": "without"}
ATTEMPTS = 3
SAMPLE_EVERY = 0.1

VARIANTS = {
    # the row trigger without its look-ups: what the key would cost as a plain column
    # default (the order of a room's entries is then lost: a bound, not a candidate)
    "txid-only": [
        """CREATE OR REPLACE FUNCTION ho_log_feed_txid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := txid_current();
    RETURN NEW;
END
$$"""
    ],
    # the row trigger as it is, without the NOTIFY (what the wake-up costs)
    "no-notify": ["DROP TRIGGER ho_log_feed_notify ON ho_log"],
    # the same key, with the two look-ups of from_room_id only for the entries naming one
    # (a move); the others (seven of the cycle's eight) make two look-ups instead of four
    "skip-null": [
        """CREATE OR REPLACE FUNCTION ho_log_feed_txid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := GREATEST(
        txid_current(),
        (SELECT max(txid) FROM ho_log WHERE room_id = NEW.room_id AND txid IS NOT NULL),
        (SELECT max(txid) FROM ho_log
         WHERE from_room_id = NEW.room_id AND from_room_id IS NOT NULL AND txid IS NOT NULL));
    IF NEW.from_room_id IS NOT NULL THEN
        NEW.txid := GREATEST(
            NEW.txid,
            (SELECT max(txid) FROM ho_log WHERE room_id = NEW.from_room_id AND txid IS NOT NULL),
            (SELECT max(txid) FROM ho_log
             WHERE from_room_id = NEW.from_room_id AND from_room_id IS NOT NULL
               AND txid IS NOT NULL));
    END IF;
    RETURN NEW;
END
$$"""
    ],
}
"""Experimental changes to the feed's triggers (``--variant``), run after
``create_schema`` in the benchmark's own database only: to size where the cost lies and
what a cheaper trigger would save. None of them is the library's schema."""


# --- one writer ------------------------------------------------------------------------


class Writer:
    """What one writer process works on: its hotel, its rooms, its manager, its bookings."""

    def __init__(self, index: int, hotel: str, rooms: int) -> None:
        self.prefix = f"w{index}-"
        self.hotel = hotel
        self.rooms = rooms
        self.staff = f"{self.prefix}mgr"
        self.bookings = 0

    def register(self, uow: Any, bookings: int) -> None:
        """Its manager and rooms, and ``bookings`` more arriving bookings."""
        services.register_staff(
            uow, hotel_id=self.hotel, staff_id=self.staff, name="M", role=ho.StaffRole.MANAGER
        )
        for n in range(self.rooms):
            services.register_room(
                uow, hotel_id=self.hotel, room_id=f"{self.prefix}r{n}", number=f"{self.prefix}{n}"
            )
        for _ in range(bookings):
            self.add_booking(uow)

    def add_booking(self, uow: Any) -> None:
        b = f"{self.prefix}b{self.bookings}"
        services.register_booking(
            uow,
            hotel_id=self.hotel,
            booking_id=b,
            reference=b,
            arrival=date(2026, 1, 1),
            departure=date(2026, 1, 2),
            party=[ho.BookingGuest(f"{b}-{i}", "G", str(i)) for i in range(2)],
        )
        self.bookings += 1

    def cycle(self, uow: Any, cycle: int) -> list[Callable[[], object]]:
        """The eight operations of guest ``cycle``: in at A, moved to B, out, B cleaned and
        inspected, A cleaned (bench.py's cycle, its clean-up included)."""
        a, b = (f"{self.prefix}{room}" for room in cycle_rooms(cycle, self.rooms))
        by = {"staff_id": self.staff}
        return [
            partial(
                services.assign_room, uow, booking_id=f"{self.prefix}b{cycle}", room_id=a, **by
            ),
            partial(services.move_guest, uow, from_room_id=a, to_room_id=b, **by),
            *(
                partial(operation, uow, room_id=room, **by)
                for room, operation in [
                    (b, services.checkout_room),
                    (b, services.start_cleaning),
                    (b, services.complete_cleaning),
                    (b, services.inspect_room),
                    (a, services.start_cleaning),
                    (a, services.complete_cleaning),
                ]
            ),
        ]


def write(
    url: str,
    writer: Writer,
    bookings: int,
    warmup: float,
    seconds: float,
    start: Any,
    results: Any,
) -> None:
    """A writer process: register, wait for the others, warm up, then count the operations
    started in the counted window, and the CPU time they took here and in the server."""
    outcome: dict[str, Any] = {"ops": 0, "warmup_ops": 0, "late_bookings": 0}
    errors: Counter[str] = Counter()
    engine = create_engine(url, pool_size=1, max_overflow=0)  # one connection, reused
    try:
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
        writer.register(uow, bookings)
        backend = _backend_pid(engine)
        start.wait()
        clock = time.monotonic
        counting = clock() + warmup
        end = counting + seconds
        began: tuple[float, float, float | None] | None = None
        cycle = 0
        while clock() < end:
            if cycle >= writer.bookings:
                writer.add_booking(uow)
                outcome["late_bookings"] += began is not None
            for operation in writer.cycle(uow, cycle):
                now = clock()
                if now >= end:
                    break
                if began is None and now >= counting:
                    began = (now, time.process_time(), _cpu_seconds(backend))
                _attempt(operation, errors)
                outcome["ops" if began is not None else "warmup_ops"] += 1
            cycle += 1
        assert began is not None, "no operation started in the counted window"
        ended = (clock(), time.process_time(), _cpu_seconds(backend))
        outcome["seconds"] = ended[0] - began[0]
        outcome["client_cpu"] = ended[1] - began[1]
        same = backend is not None and _backend_pid(engine) == backend
        outcome["server_cpu"] = (
            ended[2] - began[2] if same and None not in (*began, *ended) else None
        )
    except Exception:
        outcome["failure"] = traceback.format_exc()
        start.abort()  # the others, and the parent, stop waiting for this one
    finally:
        engine.dispose()
        outcome["errors"] = dict(errors)
        results.put(outcome)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU time of a process of this machine (a server's backend); None
    when it cannot be read (a server elsewhere, no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _attempt(operation: Callable[[], object], errors: Counter[str]) -> None:
    for attempt in range(ATTEMPTS):
        try:
            operation()
            return
        except Exception as error:
            errors[type(error).__name__] += 1
            if attempt == ATTEMPTS - 1:
                raise


# --- one run ---------------------------------------------------------------------------


def set_up(engine: Engine, configuration: str) -> None:
    """The library's schema, then the triggers dropped or the row trigger's function
    replaced, as the configuration says."""
    create_schema(engine)
    with engine.begin() as conn:
        if configuration == "without":
            for name in FEED_TRIGGER_NAMES:
                conn.execute(text(f"DROP TRIGGER {name} ON ho_log"))
        elif configuration.startswith("with:"):
            for statement in VARIANTS[configuration.removeprefix("with:")]:
                conn.execute(text(statement))


@contextmanager
def scratch_database(admin: Engine, name: str) -> Iterator[str]:
    """A new empty database on the server of ``admin``; its URL. Dropped afterwards."""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Watcher:
    """A connection of the parent process, doing its ``step`` in a thread until stopped."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(_libpq_url(url), autocommit=True)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Self:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.step()

    def step(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.conn.close()


class Listener(Watcher):
    """A follower: listens on the feed's channel, counting the notifications."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.conn.execute(f"LISTEN {FEED_CHANNEL}")
        self.received = 0

    def step(self) -> None:
        for _ in self.conn.notifies(timeout=0.2):
            self.received += 1


class WaitSampler(Watcher):
    """Every :data:`SAMPLE_EVERY` seconds, where the writers' backends are: running,
    waiting for a lock or something else (which), or idle, waiting for their client."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.samples: Counter[str] = Counter()

    def step(self) -> None:
        for state, kind, event in self.conn.execute(
            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        ):
            if state != "active":
                self.samples[f"{state} (client's turn)"] += 1
            else:
                self.samples["running" if kind is None else f"waiting: {kind} {event}"] += 1
        self.stopping.wait(SAMPLE_EVERY)


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run_once(
    admin: Engine, args: argparse.Namespace, layout: str, configuration: str, run: int
) -> dict[str, Any]:
    """One run of ``args.workers`` writers: their counts and what the log holds after."""
    name = f"ho_feed_cost_{os.getpid()}_{run}"
    with scratch_database(admin, name) as url:
        engine = create_engine(url)
        set_up(engine, configuration)
        hotels = [f"h{w}" for w in range(args.workers)] if layout == "own" else ["h0"]
        uow = SqlAlchemyUnitOfWork(engine, clock=Clock())
        for hotel in hotels:
            services.register_hotel(uow, hotel_id=hotel, name=hotel)
        engine.dispose()  # nothing open across the fork

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        start = context.Barrier(args.workers + 1)
        results = context.Queue()
        writers = [
            context.Process(
                target=write,
                args=(
                    url,
                    Writer(w, hotels[w % len(hotels)], args.rooms),
                    args.bookings,
                    args.warmup,
                    args.seconds,
                    start,
                    results,
                ),
            )
            for w in range(args.workers)
        ]
        for process in writers:
            process.start()
        listener = Listener(url).start() if args.listen else None
        with suppress(threading.BrokenBarrierError):  # a writer failed: its outcome says
            start.wait(timeout=600)
        load_at_start = os.getloadavg()
        time.sleep(args.warmup)
        sampler = WaitSampler(url).start()
        outcomes = [results.get(timeout=args.warmup + args.seconds + 600) for _ in writers]
        sampler.stop()
        for process in writers:
            process.join()
        if listener is not None:
            listener.stop()

        with engine.connect() as conn:
            entries, keyed = conn.execute(text("SELECT count(*), count(txid) FROM ho_log")).one()
            triggers = sorted(
                conn.execute(
                    text(
                        "SELECT tgname FROM pg_trigger "
                        "WHERE tgrelid = 'ho_log'::regclass AND NOT tgisinternal "
                        "AND tgname LIKE 'ho\\_log\\_feed\\_%'"
                    )
                ).scalars()
            )
        engine.dispose()
    errors: Counter[str] = Counter()
    for outcome in outcomes:
        errors.update(outcome["errors"])
    done = [o for o in outcomes if "failure" not in o]
    ops = sum(o["ops"] for o in done)
    server_cpu = [o["server_cpu"] for o in done]
    return {
        "layout": layout,
        "configuration": configuration,
        "ops": ops,
        # each writer's operations over its own window (it ends with its last operation)
        "ops_per_second": sum(o["ops"] / o["seconds"] for o in done),
        "ops_per_writer": [o["ops"] for o in done],
        "warmup_ops": sum(o["warmup_ops"] for o in done),
        "late_bookings": sum(o["late_bookings"] for o in done),
        "client_cpu_ms_per_op": 1e3 * sum(o["client_cpu"] for o in done) / max(ops, 1),
        "server_cpu_ms_per_op": None if None in server_cpu else 1e3 * sum(server_cpu) / max(ops, 1),
        "errors": sum(errors.values()),
        "errors_by_type": dict(errors),
        "failures": [o["failure"] for o in outcomes if "failure" in o],
        "log_entries": entries,
        "entries_with_txid": keyed,
        "triggers": triggers,
        "notifications": None if listener is None else listener.received,
        "backend_samples": dict(sampler.samples),
        "load_average": {"start": load_at_start, "end": os.getloadavg()},
    }


# --- the whole benchmark ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2 writers, 2 s, 1 repeat")
    parser.add_argument("--workers", type=int, default=None, help="writer processes (8)")
    parser.add_argument("--seconds", type=float, default=None, help="counted seconds (20)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before (3)")
    parser.add_argument("--repeat", type=int, default=None, help="pairs of runs (3)")
    parser.add_argument("--rooms", type=int, default=10, help="rooms per writer, in pairs")
    parser.add_argument("--bookings", type=int, default=None, help="per writer, made before")
    parser.add_argument("--layout", choices=LAYOUTS, action="append", help="default: both")
    parser.add_argument("--variant", choices=VARIANTS, action="append", default=[])
    parser.add_argument("--listen", action="store_true", help="a follower LISTENs meanwhile")
    parser.add_argument("--url", help="a PostgreSQL server to use (default: start one)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)
    for option, full, quick in [
        ("workers", 8, 2),
        ("seconds", 20.0, 2.0),
        ("warmup", 3.0, 0.5),
        ("repeat", 3, 1),
        ("bookings", 500, 150),
    ]:
        if getattr(args, option) is None:
            setattr(args, option, quick if args.quick else full)
    layouts = args.layout or list(LAYOUTS)
    configurations = ["with", "without", *(f"with:{v}" for v in args.variant)]

    server: Any = nullcontext(args.url)
    if args.url is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import postgres  # the same throwaway server the tests use

        if postgres.find_bin_dir() is None:
            print(postgres.HOW_TO_ENABLE, file=sys.stderr)
            return 2
        server = postgres.running_server()

    load_at_start = os.getloadavg()
    print(f"load average at start: {_load(load_at_start)} ({os.cpu_count()} CPUs)", flush=True)
    runs: list[dict[str, Any]] = []
    with server as url:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            server_version = conn.execute(text("SHOW server_version")).scalar_one()
        for repeat in range(args.repeat):
            for layout in layouts:
                # with, without; then without, with: a drift of the machine favours neither
                for configuration in configurations[:: -1 if repeat % 2 else 1]:
                    run = run_once(admin, args, layout, configuration, len(runs))
                    runs.append({"repeat": repeat, **run})
                    print(
                        f"repeat {repeat + 1}/{args.repeat} {layout:6} {configuration:12} "
                        f"{run['ops_per_second']:8.1f} ops/s, {run['errors']} errors, "
                        f"load {_load(run['load_average']['end'])}",
                        file=sys.stderr,
                        flush=True,
                    )
        admin.dispose()
    load_at_end = os.getloadavg()

    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "postgresql": server_version,
        },
        "settings": {
            k: getattr(args, k)
            for k in ("workers", "seconds", "warmup", "repeat", "rooms", "bookings", "listen")
        },
        "load_average": {"start": load_at_start, "end": load_at_end},
        "layouts": {
            layout: figures([r for r in runs if r["layout"] == layout], configurations)
            for layout in layouts
        },
        "runs": runs,
    }
    print_report(results)
    print(f"load average at end: {_load(load_at_end)}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"figures written to {args.json}")
    failures = [f for r in runs for f in r["failures"]]
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


def figures(runs: list[dict[str, Any]], configurations: list[str]) -> dict[str, Any]:
    """Per configuration: ops/s and CPU time per operation over the repeats, errors, the
    log's state; and each other configuration against ``without``."""
    by = {c: [r for r in runs if r["configuration"] == c] for c in configurations}
    out: dict[str, Any] = {}
    for c, rs in by.items():
        out[c] = {
            "ops_per_second": summary([r["ops_per_second"] for r in rs]),
            "errors": sum(r["errors"] for r in rs),
            "late_bookings": sum(r["late_bookings"] for r in rs),
            "log_entries": sum(r["log_entries"] for r in rs),
            "entries_with_txid": sum(r["entries_with_txid"] for r in rs),
            "client_cpu_ms_per_op": summary([r["client_cpu_ms_per_op"] for r in rs]),
        }
        samples: Counter[str] = Counter()
        for r in rs:
            samples.update(r["backend_samples"])
        total = max(samples.total(), 1)
        out[c]["backends"] = {k: n / total for k, n in samples.most_common()}
        if all(r["server_cpu_ms_per_op"] is not None for r in rs):
            out[c]["server_cpu_ms_per_op"] = summary([r["server_cpu_ms_per_op"] for r in rs])
    for c in configurations:
        if c == "without":
            continue
        pairs = zip(by[c], by["without"], strict=True)
        out[c]["vs_without"] = {
            "ratio_of_medians": _median(out[c]) / _median(out["without"]),
            "pairs": summary([w["ops_per_second"] / o["ops_per_second"] for w, o in pairs]),
        }
        if "server_cpu_ms_per_op" in out[c] and "server_cpu_ms_per_op" in out["without"]:
            # the throughput ratio if CPU were all there is to it: the writers' own work is
            # the same in both (the same statements), so only the server's CPU time per
            # operation is taken from each, the client's from ``without`` (its difference
            # between the two is the machine's noise)
            client = out["without"]["client_cpu_ms_per_op"]["median"]
            out[c]["vs_without"]["cpu_per_op_ratio"] = (client + _server(out["without"])) / (
                client + _server(out[c])
            )
    return out


def _median(figures: dict[str, Any]) -> float:
    return float(figures["ops_per_second"]["median"])


def _server(figures: dict[str, Any]) -> float:
    return float(figures["server_cpu_ms_per_op"]["median"])


def print_report(results: dict[str, Any]) -> None:
    s = results["settings"]
    print(
        f"\nOperations per second of {s['workers']} writers on PostgreSQL "
        f"{results['machine']['postgresql']}, {s['seconds']:g} s after {s['warmup']:g} s "
        f"of warm-up, median (min-max) over {s['repeat']} runs"
    )
    rows = [["writers on", "configuration", "ops/s", "errors", "entries with txid",
             "CPU ms/op client+server", "with/without: medians; pairs", "by server CPU"]]  # fmt: skip
    for layout, configurations in results["layouts"].items():
        for c, f in configurations.items():
            versus = f.get("vs_without", {})
            server = f.get("server_cpu_ms_per_op")
            rows.append(
                [
                    LAYOUTS[layout],
                    _named(c),
                    fmt(f["ops_per_second"], 1),
                    str(f["errors"]),
                    f"{f['entries_with_txid']:,} of {f['log_entries']:,}",
                    f"{f['client_cpu_ms_per_op']['median']:.2f}+"
                    + (f"{server['median']:.2f}" if server else "?"),
                    f"{versus['ratio_of_medians']:.3f}; pairs {fmt(versus['pairs'], 3)}"
                    if versus
                    else "",
                    f"{versus['cpu_per_op_ratio']:.3f}" if "cpu_per_op_ratio" in versus else "",
                ]
            )
    _table(rows)
    print(
        f"\nWhere the writers' backends were, share of samples every {SAMPLE_EVERY:g} s in the "
        "counted windows"
    )
    shares: Counter[str] = Counter()
    for configurations in results["layouts"].values():
        for f in configurations.values():
            shares.update(f["backends"])
    places = [place for place, _ in shares.most_common(6)]
    rows = [["writers on", "configuration", *places, "other"]]
    for layout, configurations in results["layouts"].items():
        for c, f in configurations.items():
            b = f["backends"]
            rows.append(
                [
                    LAYOUTS[layout],
                    _named(c),
                    *(f"{b.get(place, 0):.1%}" for place in places),
                    f"{max(0.0, 1 - sum(b.get(place, 0) for place in places)):.1%}",
                ]
            )
    _table(rows)
    late = sum(f["late_bookings"] for cs in results["layouts"].values() for f in cs.values())
    if late:
        print(
            f"({late} bookings were registered inside the counted windows, the writers having "
            "used up those made before: raise --bookings)"
        )


def _named(configuration: str) -> str:
    variant = configuration.removeprefix("with:")
    return CONFIGURATIONS.get(configuration, f"with trigger '{variant}'")


def _load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


if __name__ == "__main__":
    sys.exit(main())
