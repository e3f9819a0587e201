"""The ``hotel-occupancy`` command line (click, from the ``cli`` extra).

The database is ``--db URL``, given before or after the command name (after wins), else the
environment variable ``HOTEL_OCCUPANCY_DB``, else the SQLite file ``hotel-occupancy.db`` in
the current directory (``demo`` uses ``hotel-occupancy-demo.db``, recreated on each run).
Errors are one line on stderr and an exit code of :class:`ExitCode` (1 refused, 2 usage,
3 storage, 4 invariant violation); nothing is changed by a command that fails.

The reading commands (``board``, ``history``, ``tasks``, ``arrivals``, ``departures``,
``in-house``, ``discrepancies``, ``worksheets --show``, ``check``, the ``list`` commands)
only ever open read-only transactions: on SQLite they never take the write lock, so they
answer at once while a writer works. Every time is shown in the hotel's own zone with its
abbreviation (``2026-06-01 14:05 CEST``); ``--json`` gives each time in UTC and, as
``*_local``, in ISO 8601 with the hotel's offset, and every row names its ``hotel_id``.
Text output shows control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``), so stored
text can neither forge lines nor drive the terminal; ``--json`` is exact. A password in a
database URL is never printed.

``follow``, ``relay`` and ``legacy mirror`` run until interrupted (Ctrl-C or SIGTERM, their
normal end: exit code 0) unless given ``--once``; see :mod:`hotel_occupancy.relay` for the
webhooks. See docs/cli.md.

This module imports click only when the command line runs, so that the entry point can
say which extra to install when it is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from hotel_occupancy.cli.exits import ExitCode

__all__ = ["ExitCode", "main", "run"]

NEEDS_CLICK = "the command line needs click, from the cli extra: pip install 'hotel-occupancy[cli]'"
"""What a run of the command line without click is told (the ``cli`` extra to install)."""

MISSING_CLICK = f"hotel-occupancy: {NEEDS_CLICK}"


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line on ``argv`` (default: the process's arguments), printing to
    ``out`` (default: stdout); return the exit code (see :class:`ExitCode`). Without click
    it raises ModuleNotFoundError naming the ``cli`` extra to install."""
    try:
        from hotel_occupancy.cli.app import main as run_command_line
    except ModuleNotFoundError as missing:
        if missing.name != "click":
            raise
        raise ModuleNotFoundError(f"hotel_occupancy.cli: {NEEDS_CLICK}", name="click") from missing
    return run_command_line(argv, out)


def run() -> None:
    """Console-script entry point: exit with :func:`main`'s code, or say in one line that
    the ``cli`` extra is missing (exit code 1)."""
    try:
        import click  # noqa: F401
    except ImportError:
        sys.stderr.write(MISSING_CLICK + "\n")
        sys.exit(ExitCode.REFUSED)
    sys.exit(main())
