"""The benchmark script runs and measures every figure it reports (nothing here times)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CYCLE = ["assign_room", "move_guest", "checkout_room", "start_cleaning", "complete_cleaning",
         "inspect_room"]  # fmt: skip


def test_the_benchmark_script_reports_every_figure_it_promises(tmp_path: Path) -> None:
    """A smoke run prints the table and writes JSON with a positive figure for every cell."""
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke", "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "full guest cycle" in result.stdout
    figures = json.loads(out.read_text())
    for kind in ("memory", "sqlite", "baseline"):
        for op in CYCLE:
            assert figures["ops_per_second"][kind][op]["median"] > 0
        assert figures["cycles_per_second"][kind]["median"] > 0
    assert set(figures["statements_per_operation"]["sqlite"]) == set(CYCLE)
    assert all(n > 0 for n in figures["statements_per_operation"]["sqlite"].values())
    assert figures["sqlite_vs_baseline_cycle_ratio"]["median"] > 0
    for kind in ("memory", "sqlite"):
        assert all(s["median"] > 0 for s in figures["cycle_microseconds_by_rooms"][kind].values())
        assert all(s["median"] > 0 for s in figures["room_board_milliseconds"][kind].values())
    raw = figures["room_board_milliseconds"]["sqlite raw query"]  # the query alone, timed
    assert set(raw) == set(figures["room_board_milliseconds"]["sqlite"])
    assert all(s["median"] > 0 for s in raw.values())
    assert all(r > 0 for r in figures["room_board_sqlite_vs_raw_query"].values())


def test_the_instruction_count_script_runs_its_cycle_on_both_backends() -> None:
    """The cycle benchmarks/instructions.py counts under valgrind runs to the end, in memory
    and on SQLite, without valgrind (which CI does not install)."""
    for backend in ([], ["--sqlite"]):
        result = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "instructions.py"), "--run", "2", *backend],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr


def test_the_instruction_count_script_builds_and_reads_its_board(tmp_path: Path) -> None:
    """The board the instruction count measures is built, then read by room_board and by
    its raw query to the end, without valgrind (which CI does not install)."""
    script, db = str(ROOT / "benchmarks" / "instructions.py"), str(tmp_path / "board.db")
    steps = [
        ["--build-board", db, "--board-rooms", "20"],
        ["--run-board", "lib", "2", "--db", db],
        ["--run-board", "raw", "2", "--db", db],
    ]
    for step in steps:
        result = subprocess.run(
            [sys.executable, script, *step],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    refused = subprocess.run(
        [sys.executable, script, "--run-board", "both", "2", "--db", db],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "lib or raw" in refused.stderr
