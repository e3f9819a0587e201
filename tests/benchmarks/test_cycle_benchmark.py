"""The nine-operation cycle's benchmark runs every configuration it promises and checks what
it measured (a smoke run of ``benchmarks/cycle.py --quick``: nothing here times anything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import postgres

ROOT = Path(__file__).resolve().parents[2]
SQL = ("sqlite-normal", "sqlite-full", "pg-fsync-on", "pg-fsync-off")
IMPLEMENTATIONS = ("library", "raw-minimal", "raw-own-schema")


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The JSON of one quick run (with PostgreSQL when its binaries are installed)."""
    out = tmp_path_factory.mktemp("cycle") / "cycle.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "cycle.py"), "--quick", "--json", str(out)]
    if postgres.find_bin_dir() is None:
        if postgres.required():
            pytest.fail(postgres.HOW_TO_ENABLE)
        command.append("--no-postgres")
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    for heading in ("Single process", "Library / raw", "Microseconds per operation", "Checks",
                    "load at start", "load at end", "synchronous=FULL"):  # fmt: skip
        assert heading in result.stdout
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


def configurations(figures: dict[str, Any]) -> list[str]:
    return [c for c in ("memory", *SQL) if c in figures["configurations"]]


def test_every_configuration_and_implementation_produced_a_positive_rate(
    figures: dict[str, Any],
) -> None:
    """Each configuration ran the library, and each SQL one both raw baselines, at > 0 ops/s."""
    found = {(s["configuration"], s["implementation"]) for s in figures["single"]}
    expected = {("memory", "library")} | {
        (c, i) for c in configurations(figures) if c != "memory" for i in IMPLEMENTATIONS
    }
    assert found == expected
    for s in figures["single"]:
        for key in ("ops_per_second", "cycles_per_second", "wall_us_per_op", "cpu_us_per_op"):
            assert s["summary"][key]["median"] > 0, (s["configuration"], s["implementation"], key)
        assert s["summary"]["p99_us"]["median"] >= s["summary"]["p50_us"]["median"] > 0
        for op in figures["settings"]["operations"]:
            assert s["per_op_us"][op]["median"] > 0
    for config, pair in figures["ratios"].items():
        assert config in SQL
        for raw in ("raw-minimal", "raw-own-schema"):
            assert pair[f"library/{raw}"]["wall"]["median"] > 0


def test_single_process_runs_had_no_errors(figures: dict[str, Any]) -> None:
    """No operation of a single-process run failed, not even once before a retry."""
    for s in figures["single"]:
        assert s["errors"] == {}, (s["configuration"], s["implementation"])
        assert all(run["errors"] == {} for run in s["runs"])


def test_the_library_ran_exactly_nine_operations_per_cycle(figures: dict[str, Any]) -> None:
    """The checked cycle made nine calls that wrote ten log entries, in nine transactions on
    SQL; the baselines committed nine transactions too."""
    assert len(figures["settings"]["operations"]) == 9
    for s in figures["single"]:
        assert s["operations_per_cycle"] == 9
        assert s["log_entries_per_cycle"] == 10
        if s["configuration"] != "memory":
            assert s["transactions_per_cycle"] == 9
            assert s["statements_per_cycle"] > 9


def test_the_raw_baselines_left_the_same_end_state_as_the_library(
    figures: dict[str, Any],
) -> None:
    """Both rooms sellable again, the same log entries, tasks, departures per cycle, no guest
    in house and no PIN held, for every implementation; the library's own invariant check
    finds nothing wrong where the library's schema was used."""
    for s in figures["single"]:
        where = (s["configuration"], s["implementation"])
        assert s["end_state_as_expected"], where
        assert s["end_state_same_as_library"], where
        assert s["end_state"]["rooms"] == ["VACANT_CLEAN/INSPECTED/free"] * 2
        assert s["end_state"]["per_cycle"]["log MOVE"] == 1
        if s["implementation"] != "raw-minimal":
            assert s["invariant_violations"]["max"] == 0, where


def test_the_sqlite_synchronous_settings_are_the_ones_named(figures: dict[str, Any]) -> None:
    """The pragmas read back from each SQLite connection match the configuration, the same
    for the library and its raw baselines (WAL, foreign keys on)."""
    assert figures["sqlite_library_default"]["synchronous"] == "FULL"
    for s in figures["single"]:
        if s["configuration"].startswith("sqlite"):
            wanted = s["configuration"].removeprefix("sqlite-").upper()
            assert s["pragmas"]["synchronous"] == wanted
            assert s["pragmas"]["journal_mode"] == "wal"
            assert s["pragmas"]["foreign_keys"] == 1


def test_concurrent_runs_cover_every_worker_count_and_layout(figures: dict[str, Any]) -> None:
    """SQLite with 2 and 4 processes on one file, and (with PostgreSQL) 1, 2, 4 and 8 workers
    on one hotel, on many and of the raw minimal baseline, each at > 0 ops/s with
    latencies, the kernel's part of the client CPU within it, no worker failing."""
    runs = {(c["configuration"], c["layout"], c["workers"]): c for c in figures["concurrency"]}
    expected = {("sqlite-full", "one hotel", n) for n in (2, 4)}
    if "pg-fsync-on" in figures["configurations"]:
        expected |= {
            ("pg-fsync-on", layout, n)
            for layout in ("one hotel", "many hotels", "raw minimal")
            for n in (1, 2, 4, 8)
        }
    assert set(runs) == expected
    for key, c in runs.items():
        assert c["summary"]["ops_per_second"]["median"] > 0, key
        assert c["summary"]["p99_ms"]["median"] >= c["summary"]["p50_ms"]["median"] > 0, key
        assert c["failures"] == [], key
        assert all(n > 0 for run in c["runs"] for n in run["ops_per_worker"]), key
        for run in c["runs"]:
            assert 0 <= run["client_system_us_per_op"] <= run["client_cpu_us_per_op"], key
            assert run["voluntary_switches_per_op"] >= 0, key
            assert run["involuntary_switches_per_op"] >= 0, key
        assert sum(c["errors"].values()) >= c["retries"] >= 0


def test_postgresql_ran_once_durable_and_once_not(figures: dict[str, Any]) -> None:
    """The two PostgreSQL servers run with fsync on and off, as their names say."""
    if "postgres" not in figures:
        pytest.skip(postgres.HOW_TO_ENABLE)
    assert figures["postgres"]["fsync-on"]["fsync"] == "on"
    assert figures["postgres"]["fsync-on"]["synchronous_commit"] == "on"
    assert figures["postgres"]["fsync-off"]["fsync"] == "off"
