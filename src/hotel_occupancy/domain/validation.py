"""Input validation: bad input is refused with :class:`InvalidInput` before anything else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import TypeVar

from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import BookingGuest

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_CAPACITY",
    "MAX_ID_LENGTH",
    "MAX_TEXT_LENGTH",
    "require_aware_utc",
    "require_bool",
    "require_capacity",
    "require_date",
    "require_enum",
    "require_id",
    "require_optional_id",
    "require_party",
    "require_text",
    "require_time",
]

MAX_ID_LENGTH = 128
"""Identifiers longer than this are refused (they fit any database column we create)."""

MAX_TEXT_LENGTH = 4000
"""Notes and reasons longer than this are refused."""

MAX_CAPACITY = 1000
"""The largest room capacity accepted (it fits any database's integer column)."""

EARLIEST_YEAR = 1900
LATEST_YEAR = 9998
"""Booking dates outside these years are refused: they are typos, and their checkout time
would fall outside what a datetime can hold in some time zones."""


def _require_utf8(name: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{name} is not valid Unicode text (it has a lone surrogate)") from None


E = TypeVar("E", bound=Enum)


def require_id(name: str, value: object) -> str:
    """A non-empty identifier without surrounding whitespace or control characters."""
    if (  # the common case in one pass: plain ASCII (always valid UTF-8), nothing to report
        type(value) is str
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isascii()
        and value.isprintable()
        and not value[0].isspace()
        and not value[-1].isspace()
    ):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, not {type(value).__name__}")
    if not value or not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    if value != value.strip():
        raise InvalidInput(f"{name} must not start or end with whitespace: {value!r}")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(f"{name} is longer than {MAX_ID_LENGTH} characters")
    if not value.isprintable():  # control characters, line breaks, NUL...
        raise InvalidInput(f"{name} must not contain control characters: {value!r}")
    _require_utf8(name, value)
    return value


def require_optional_id(name: str, value: object) -> str | None:
    """An identifier, or None."""
    return None if value is None else require_id(name, value)


def require_text(name: str, value: object, *, required: bool = False) -> str:
    """Free text (notes, reasons, names); ``required`` text must not be blank."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise InvalidInput(f"{name} must not be empty")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidInput(f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    if "\x00" in value:
        raise InvalidInput(f"{name} must not contain NUL characters")
    _require_utf8(name, value)
    return value


def require_capacity(value: object) -> int | None:
    """A room capacity: a whole number from 1 to MAX_CAPACITY, or None (no limit)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CAPACITY:
        raise InvalidInput(
            f"capacity must be a whole number from 1 to {MAX_CAPACITY}, or None; got {value!r}"
        )
    return value


def require_count(name: str, value: object, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}; got {value!r}")
    return value


def require_bool(name: str, value: object) -> bool:
    """A real bool (not 0/1, not a string)."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be True or False, not {value!r}")
    return value


def require_enum(name: str, enum: type[E], value: object) -> E:
    """A member of ``enum``, given as the member or its value string."""
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum)
        raise InvalidInput(f"{name} must be one of {allowed}; got {value!r}") from None


def require_date(name: str, value: object) -> date:
    """A calendar date (a datetime is refused: it would smuggle a time of day in)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{name} must be a date, not {type(value).__name__}")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidInput(
            f"{name} {value.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR}"
        )
    return value


def require_time(name: str, value: object) -> time:
    """A naive time of day (the hotel's local wall-clock time)."""
    if not isinstance(value, time):
        raise InvalidInput(f"{name} must be a datetime.time, not {type(value).__name__}")
    if value.tzinfo is not None:
        raise InvalidInput(f"{name} is a local time of day and must not carry a timezone")
    return value


def require_aware_utc(name: str, value: object) -> datetime:
    """A timezone-aware datetime, normalised to UTC."""
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, not {type(value).__name__}")
    offset = value.utcoffset()
    if offset is None:
        raise InvalidInput(f"{name} must be timezone-aware (got the naive {value!r})")
    return value.astimezone(UTC)


def require_party(party: object) -> tuple[BookingGuest, ...]:
    """A booking's party: at least one BookingGuest (the first is the primary), each with an
    id and a first or a last name, no id twice."""
    if isinstance(party, (str, bytes)) or not isinstance(party, Sequence):
        raise InvalidInput("party must be a sequence of BookingGuest")
    if not party:
        raise InvalidInput("party must have at least one guest (the first is the primary)")
    members: list[BookingGuest] = []
    for index, member in enumerate(party):
        if not isinstance(member, BookingGuest):
            raise InvalidInput(
                f"party[{index}] must be a BookingGuest, not {type(member).__name__}"
            )
        require_id(f"party[{index}].booking_guest_id", member.booking_guest_id)
        require_text(f"party[{index}].first_name", member.first_name)
        require_text(f"party[{index}].last_name", member.last_name)
        if not (member.first_name.strip() or member.last_name.strip()):
            raise InvalidInput(f"party[{index}] needs a first or a last name")
        members.append(member)
    ids = [m.booking_guest_id for m in members]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InvalidInput(f"booking guest ids appear twice in the party: {duplicated}")
    return tuple(members)
