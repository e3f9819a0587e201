"""Text the command line prints: control characters escaped, passwords masked, tables,
JSON, and instants in the hotel's own zone."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hotel_occupancy.domain.data import to_data
from hotel_occupancy.domain.zones import zone

# --- showing text safely -----------------------------------------------------------------

_ACTED_ON = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Unicode categories a terminal acts on instead of showing: C0 and C1 controls and DEL
(Cc), format characters such as bidi overrides (Cf), line and paragraph separators (Zl,
Zp), lone surrogates (Cs)."""


def visible_lines(text: str) -> str:
    """Each line of ``text`` made :func:`visible`, the line breaks kept."""
    return "".join(visible(line) + "\n" for line in text.splitlines())


def visible(text: str) -> str:
    """``text`` with every character a terminal would act on escaped as Python writes it
    (``\\n``, ``\\r``, ``\\x1b``, ``\\x9b``, ``\\u202e``...): printed, it is one line that
    looks like what is stored and cannot move the cursor, colour the screen or reorder
    what follows."""
    if text.isprintable():  # the common case; False for more than we escape (e.g. U+00A0)
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _ACTED_ON else ch
        for ch in text
    )


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)([^@\s]*)@")


def shown_url(url: str) -> str:
    """``url`` as it may be printed: its password, if it has one, masked as ``***``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # malformed: mask what looks like a password
        return _PASSWORD_IN_URL.sub(r"\1***@", url)
    return url if parsed.password is None else parsed.render_as_string(hide_password=True)


def _passwords(url: str) -> list[str]:
    """The password of ``url`` in every spelling a message might repeat."""
    found = [match.group(2) for match in _PASSWORD_IN_URL.finditer(url)]
    with suppress(ArgumentError, ValueError):
        found.append(make_url(url).password or "")
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


# --- output ------------------------------------------------------------------------------


class Output(Protocol):
    """Where a command prints: a text stream (``sys.stdout``, ``io.StringIO``...)."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


class OutputError(Exception):
    """The output could not be written (a closed pipe, a full disk); its cause is the
    ``OSError``."""


class _GuardedOutput:
    """An output whose write failures are raised as :class:`OutputError`, told apart from
    every other error of a command."""

    def __init__(self, stream: Output) -> None:
        self.stream = stream

    def write(self, text: str, /) -> int:
        try:
            self.stream.write(text)
        except OSError as error:
            raise OutputError(error) from error
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputError(error) from error


def plain(value: Any) -> Any:
    """A JSON-ready version of results (attrs objects, enums, dates, collections of them):
    the library's :func:`~hotel_occupancy.domain.data.to_data`, so a secret (a guest's
    PIN, a device token, a field or key named so) is never printed: it is ``<hidden>``."""
    return to_data(value)


def print_json(value: Any, out: Output) -> None:
    """Print ``value`` (results, entities, plain data) as indented JSON, its secrets
    hidden (see :func:`plain`)."""
    json.dump(plain(value), out, indent=2)
    out.write("\n")


def table(rows: Sequence[Sequence[object]], out: Output) -> None:
    """Print rows as an aligned table, the first row being the header; control characters
    in the cells are shown escaped (see :func:`visible`)."""
    text = [["" if cell is None else visible(str(cell)) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(text[0]))]
    for index, row in enumerate(text):
        out.write(("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))).rstrip() + "\n")
        if index == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    """``moment`` in the IANA zone ``timezone`` (None stays None)."""
    return None if moment is None else moment.astimezone(zone(timezone))


def local_time(moment: datetime | None, timezone: str) -> str:
    """How the command line shows an instant: in the hotel's zone ``timezone``, to the
    minute, with the zone's abbreviation (``2026-06-01 14:05 CEST``); "" for None."""
    local = _local(moment, timezone)
    return "" if local is None else f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def local_iso(moment: datetime | None, timezone: str) -> str | None:
    """How ``--json`` gives an instant in the hotel's zone: ISO 8601 with its offset
    (``2026-06-01T14:05:00+02:00``); None for None."""
    local = _local(moment, timezone)
    return None if local is None else local.isoformat()
