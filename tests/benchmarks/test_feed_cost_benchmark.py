"""The feed-cost benchmark script runs both configurations and really measures what it says
(a smoke run on the tests' PostgreSQL server: nothing here times anything)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_feed_cost_benchmark_compares_writers_with_and_without_the_feed(
    tmp_path: Path, postgres_url: str
) -> None:
    """--quick runs writers of their own hotels and of one hotel, with the feed's triggers
    and without, all without an error; only the runs with them key entries and notify."""
    out = tmp_path / "feed.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "feed_cost.py"), "--quick", "--listen",
         "--url", postgres_url, "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for heading in ("Operations per second of 2 writers", "with feed ordering", "without",
                    "with/without", "load average at start", "load average at end"):  # fmt: skip
        assert heading in result.stdout
    figures = json.loads(out.read_text())
    assert {(r["layout"], r["configuration"]) for r in figures["runs"]} == {
        (layout, c) for layout in ("own", "shared") for c in ("with", "without")
    }
    for run in figures["runs"]:
        assert run["errors"] == 0, run["errors_by_type"]
        assert all(ops > 0 for ops in run["ops_per_writer"])  # every writer got work done
        assert run["log_entries"] > run["ops"] > 0
        if run["configuration"] == "with":
            assert run["triggers"] == ["ho_log_feed_notify", "ho_log_feed_txid"]
            assert run["entries_with_txid"] == run["log_entries"]
            assert run["notifications"] > 0
        else:
            assert run["triggers"] == []
            assert run["entries_with_txid"] == 0
            assert run["notifications"] == 0
    for layout in ("own", "shared"):
        assert figures["layouts"][layout]["with"]["vs_without"]["ratio_of_medians"] > 0
