"""Guest PINs (§4, I11): six digits, unguessable, unique among a hotel's in-house guests,
and never one freed less than the quarantine ago (``PinRules.quarantine``).

Where PINs come from is a port (:data:`~hotel_occupancy.services.ports.PinSource`), like the
clock: :func:`secret_pin` is the default, drawn with :mod:`secrets`; a test suite passes its
own source to the unit of work (``InMemoryUnitOfWork(pins=...)``).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotel_occupancy.services.ports import UnitOfWork

__all__ = ["PIN_DIGITS", "fresh_pins", "is_pin", "rest", "secret_pin"]

PIN_DIGITS = 6
_ATTEMPTS = 64


def secret_pin() -> str:
    """A fresh 6-digit PIN from the ``secrets`` module."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def is_pin(value: object) -> bool:
    """Whether ``value`` has the form of a PIN: six ASCII digits."""
    return (
        isinstance(value, str) and len(value) == PIN_DIGITS and value.isascii() and value.isdigit()
    )


def fresh_pins(uow: UnitOfWork, hotel_id: str, count: int, at: datetime) -> list[str]:
    """``count`` distinct PINs from the unit of work's source that no in-house guest of the
    hotel holds (I11) and that are not resting after a checkout at ``at``."""
    draw = uow.pins
    pins: set[str] = set()
    draws = 0
    for _ in range(_ATTEMPTS):
        while len(pins) < count and draws < _ATTEMPTS * count:
            pin = draw()
            draws += 1
            if not is_pin(pin):
                raise ValueError(f"the PIN source returned {pin!r}, not {PIN_DIGITS} digits")
            pins.add(pin)
        if len(pins) < count:
            break  # the source keeps repeating itself
        taken = uow.guests.pins_in_use(hotel_id, pins)
        if not taken:
            taken = uow.credentials.quarantined(hotel_id, pins, at)
        if not taken:
            return list(pins)
        pins -= taken
    raise RuntimeError("could not draw a free PIN; the hotel has too many in-house guests")


def rest(uow: UnitOfWork, hotel_id: str, pins: list[str | None], at: datetime) -> None:
    """Keep the PINs freed at ``at`` (by a checkout, a removed guest, an undone check-in)
    from being issued again for the quarantine of the unit of work's PIN rules."""
    freed = [pin for pin in pins if pin is not None]
    if freed:
        uow.credentials.quarantine(hotel_id, freed, at + uow.pin_rules.quarantine)
