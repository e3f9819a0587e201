"""The command line's exit codes and the errors that choose them (importable without
click, so that the entry point can say the ``cli`` extra is missing)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the exit status of ``hotel-occupancy`` means (documented in ``--help`` and in
    docs/cli.md)."""

    OK = 0
    """The command did what was asked."""
    REFUSED = 1
    """The library refused (not allowed, an invalid transition, not found...), or a
    command's own check failed (``legacy diff`` found differences); nothing changed."""
    USAGE = 2
    """The command line itself is wrong: an unknown command or option, a missing or
    malformed value, options that exclude each other."""
    STORAGE = 3
    """The database failed: unreachable, locked, damaged, not a hotel_occupancy database,
    or at another schema revision."""
    INVARIANT = 4
    """``check`` (or ``demo``) found invariants violated."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT) outside ``follow``, ``relay`` and ``legacy mirror``, whose
    normal end it is."""
    BROKEN_PIPE = 141
    """The reader of the output went away (``| head``): 128 + SIGPIPE."""


EXIT_CODES_HELP = """Exit codes: 0 success; 1 refused (not allowed, invalid transition, not found);
2 usage error; 3 storage failure (database unreachable, locked, damaged, not a
hotel_occupancy database); 4 invariant violation (check); 130 interrupted; 141 broken pipe."""


class CommandError(Exception):
    """A failure to report as one line on stderr, with its exit code."""

    code: ExitCode = ExitCode.REFUSED

    def __init__(self, message: str, code: ExitCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class StorageProblem(CommandError):
    """The database cannot be used (exit code 3)."""

    code = ExitCode.STORAGE


class UsageProblem(CommandError):
    """The command line is wrong in a way only the command can tell (exit code 2)."""

    code = ExitCode.USAGE
