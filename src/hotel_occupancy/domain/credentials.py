"""Guest credentials: how many wrong PINs a room may see, and how long a freed PIN rests.

A PIN has six digits: a million values. Without a limit, whoever can try PINs for a room
finds the guest's in a few hundred thousand tries, and with thousands of guests in house a
random guess against the whole hotel succeeds far more often. So a guest proves a PIN for
their own room (``verify_guest_pin``), failures are counted per room in the store, and
after :attr:`PinRules.max_failures` failures within :attr:`PinRules.window` the room is
locked for :attr:`PinRules.lockout`: every attempt, right or wrong, is refused until then.
A PIN freed at checkout is not handed out again for :attr:`PinRules.quarantine`, so the
next guest never receives the PIN the last one may still be typing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
from attrs import frozen

from hotel_occupancy.domain.errors import InvalidInput

__all__ = ["PinAttempts", "PinRules", "RestingPin", "record_failure"]


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number of 1 or more, not {value!r}")


def _duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInput(f"{attribute.name} must be a positive timedelta, not {value!r}")


@frozen
class PinRules:
    """The limits on guesses and the quarantine of freed PINs (pass your own to the unit of
    work as ``pin_rules=``)."""

    max_failures: int = attrs.field(default=5, validator=_count)
    """Wrong PINs for one room within ``window`` that lock it."""
    window: timedelta = attrs.field(default=timedelta(minutes=15), validator=_duration)
    """How long failures are remembered: a failure after it starts the count again."""
    lockout: timedelta = attrs.field(default=timedelta(minutes=15), validator=_duration)
    """How long a room stays locked after the last failure allowed."""
    quarantine: timedelta = attrs.field(default=timedelta(days=1), validator=_duration)
    """How long a PIN freed at checkout (or by an undone check-in) is not issued again."""


@frozen
class PinAttempts:
    """The failed PIN attempts on one room: how many since when, and until when it is
    locked (None: not locked)."""

    hotel_id: str
    room_id: str
    failures: int
    first_failure_at: datetime
    locked_until: datetime | None = None

    def locked(self, at: datetime) -> bool:
        """Whether the room refuses every attempt at ``at``."""
        return self.locked_until is not None and at < self.locked_until


def record_failure(
    previous: PinAttempts | None, rules: PinRules, *, hotel_id: str, room_id: str, at: datetime
) -> PinAttempts:
    """The attempts on the room after a wrong PIN at ``at``."""
    expired = previous is None or (
        (previous.locked_until is not None and at >= previous.locked_until)
        or (previous.locked_until is None and at - previous.first_failure_at > rules.window)
    )
    if previous is None or expired:
        failures, since = 1, at
    else:
        failures, since = previous.failures + 1, previous.first_failure_at
    locked_until = at + rules.lockout if failures >= rules.max_failures else None
    return PinAttempts(hotel_id, room_id, failures, since, locked_until)


@frozen
class RestingPin:
    """A PIN of a hotel freed at checkout, not issued again before ``until``."""

    hotel_id: str
    pin: str
    until: datetime
