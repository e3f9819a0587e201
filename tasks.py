#!/usr/bin/env python3
"""The project's two commands, needing nothing but Python 3.11+ and pip.

    python3 tasks.py demo    # set up .venv if needed, then run `hotel-occupancy demo`
    python3 tasks.py check   # set up .venv if needed, then tests, mypy, ruff, import-linter
    python3 tasks.py bench   # the benchmarks: a table on stdout, figures in JSON
    python3 tasks.py bench-legacy  # the legacy import's benchmark (benchmarks/legacy_import.py)
    python3 tasks.py bench-feed    # the event feed's cost to writers (benchmarks/feed_cost.py)
    python3 tasks.py bench-audit   # the night audit of 2,000 rooms (benchmarks/night_audit.py)
    python3 tasks.py bench-cycle   # the nine-operation cycle vs raw drivers (benchmarks/cycle.py)

The virtual environment lives in .venv and is (re)installed whenever pyproject.toml
changes. Extra arguments after ``check`` go to pytest, e.g. ``python3 tasks.py check -x``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*command: str | Path) -> None:
    print("$", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    """Create .venv and install the project with its dev tools, once per pyproject.toml."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an older python3
        sys.exit("hotel_occupancy needs Python 3.11 or newer")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    if not PYTHON.exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def demo(args: list[str]) -> None:
    _run(BIN / "hotel-occupancy", "demo", *args)


def bench(args: list[str]) -> None:
    _run(PYTHON, "benchmarks/bench.py", *args)


def bench_legacy(args: list[str]) -> None:
    _run(PYTHON, "benchmarks/legacy_import.py", *args)


def bench_feed(args: list[str]) -> None:
    _run(PYTHON, "benchmarks/feed_cost.py", *args)


def bench_audit(args: list[str]) -> None:
    _run(PYTHON, "benchmarks/night_audit.py", *args)


def bench_cycle(args: list[str]) -> None:
    _run(PYTHON, "benchmarks/cycle.py", *args)


def check(args: list[str]) -> None:
    _run(PYTHON, "-m", "pytest", *args)
    _run(PYTHON, "-m", "mypy", "--strict", "src")
    _run(PYTHON, "-m", "ruff", "check", ".")
    _run(PYTHON, "-m", "ruff", "format", "--check", ".")
    _run(BIN / "lint-imports")
    print("all checks passed", flush=True)


COMMANDS = {
    "demo": demo,
    "check": check,
    "bench": bench,
    "bench-legacy": bench_legacy,
    "bench-feed": bench_feed,
    "bench-audit": bench_audit,
    "bench-cycle": bench_cycle,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(COMMANDS)}}} [args...]")
    ensure_venv()
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
