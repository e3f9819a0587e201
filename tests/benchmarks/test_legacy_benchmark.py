"""The legacy import's benchmark script runs and reports every figure it promises (a smoke
run: nothing here times anything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_legacy_benchmark_reports_its_figures(tmp_path: Path) -> None:
    """--quick imports a small generated legacy database with the library and the raw
    floor, gets the same rows from both, and prints speed, breakdown, ratio and memory."""
    out = tmp_path / "legacy.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "legacy_import.py"), "--quick",
         "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for heading in ("bookings/s", "raw sqlite3 floor", "library/floor time ratio",
                    "Where the library's time goes", "Peak memory"):  # fmt: skip
        assert heading in result.stdout
    figures = json.loads(out.read_text())
    assert figures["bookings"] > 0
    assert figures["rows"] > figures["bookings"]
    assert set(figures["differing_rows"].values()) == {0}  # the floor writes the same rows
    for kind in ("library", "floor"):
        assert figures[kind]["bookings_per_second"]["median"] > 0
        assert figures[kind]["rows_per_second"]["median"] > 0
    for part in ("source", "takeover", "writes", "commit"):
        assert figures["library"]["seconds"][part]["median"] >= 0
    assert figures["library_vs_floor_ratio"]["median"] > 0
    assert len(figures["peak_rss_mib"]) == 2
    assert all(mib > 0 for mib in figures["peak_rss_mib"].values())
