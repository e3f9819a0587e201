"""The SQLAlchemy repository of guest credentials: failed PIN attempts and resting PINs."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from hotel_occupancy.adapters.sqlalchemy.mapping import pin_attempts as attempts_of
from hotel_occupancy.adapters.sqlalchemy.repositories import Transaction
from hotel_occupancy.adapters.sqlalchemy.schema import pin_attempts, resting_pins
from hotel_occupancy.domain.credentials import PinAttempts

__all__ = ["Credentials"]

_ATTEMPTS = select(pin_attempts).where(pin_attempts.c.room_id == bindparam("room"))
_ATTEMPTS_LOCKED = _ATTEMPTS.with_for_update()
_INSERT_ATTEMPTS = insert(pin_attempts)
_UPDATE_ATTEMPTS = (
    update(pin_attempts)
    .where(pin_attempts.c.room_id == bindparam("room"))
    .values(
        failures=bindparam("failures"),
        first_failure_at=bindparam("first_failure_at"),
        locked_until=bindparam("locked_until"),
    )
)
_CLEAR_ATTEMPTS = delete(pin_attempts).where(pin_attempts.c.room_id == bindparam("room"))
_RESTING = select(resting_pins.c.pin, resting_pins.c.until).where(
    resting_pins.c.hotel_id == bindparam("hotel"),
    resting_pins.c.pin.in_(bindparam("pins", expanding=True)),
)
_REST = insert(resting_pins)
_REST_LONGER = (
    update(resting_pins)
    .where(
        resting_pins.c.hotel_id == bindparam("hotel"),
        resting_pins.c.pin == bindparam("the_pin"),
        resting_pins.c.until < bindparam("new_until"),
    )
    .values(until=bindparam("new_until"))
)


class Credentials:
    """Failed PIN attempts per room and PINs resting after checkout, in two tables."""

    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    @property
    def _conn(self) -> Connection:
        return self._uow.connection

    def attempts(self, room_id: str) -> PinAttempts | None:
        # locked in a write transaction: concurrent wrong PINs are each counted
        query = _ATTEMPTS_LOCKED if self._uow.writing else _ATTEMPTS
        row = self._conn.execute(query, {"room": room_id}).first()
        return attempts_of(row._mapping) if row is not None else None

    def save_attempts(self, attempts: PinAttempts) -> None:
        values: dict[str, Any] = {
            "failures": attempts.failures,
            "first_failure_at": attempts.first_failure_at,
            "locked_until": attempts.locked_until,
        }
        result = self._conn.execute(_UPDATE_ATTEMPTS, {"room": attempts.room_id, **values})
        if result.rowcount == 0:
            self._conn.execute(
                _INSERT_ATTEMPTS,
                {"room_id": attempts.room_id, "hotel_id": attempts.hotel_id, **values},
            )

    def clear_attempts(self, room_id: str) -> None:
        self._conn.execute(_CLEAR_ATTEMPTS, {"room": room_id})

    def quarantine(self, hotel_id: str, pins: Collection[str], until: datetime) -> None:
        rows = self._conn.execute(_RESTING, {"hotel": hotel_id, "pins": list(pins)})
        resting = {row.pin: row.until for row in rows}
        new = [{"hotel_id": hotel_id, "pin": p, "until": until} for p in pins if p not in resting]
        if new:
            self._conn.execute(_REST, new)
        longer = [
            {"hotel": hotel_id, "the_pin": p, "new_until": until}
            for p, held in resting.items()
            if held < until
        ]
        if longer:
            self._conn.execute(_REST_LONGER, longer)

    def quarantined(self, hotel_id: str, pins: Collection[str], at: datetime) -> set[str]:
        rows = self._conn.execute(_RESTING, {"hotel": hotel_id, "pins": list(pins)})
        return {pin for pin, until in rows if until > at}
