"""The SQLAlchemy repository of guest credentials: failed PIN attempts and resting PINs."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hotel_occupancy.adapters.sqlalchemy.driver import Prepared
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
_RESTING = Prepared(
    select(resting_pins.c.pin, resting_pins.c.until).where(
        resting_pins.c.hotel_id == bindparam("hotel"),
        resting_pins.c.pin.in_(bindparam("pins", expanding=True)),
    ),
    expanding=["pins"],
)


def _rest(dialect: Any) -> Any:
    """INSERT the resting PINs, or keep the later time of a PIN already resting: one
    statement (an upsert) on SQLite and PostgreSQL alike."""
    statement = dialect.insert(resting_pins)
    later = case(
        (statement.excluded.until > resting_pins.c.until, statement.excluded.until),
        else_=resting_pins.c.until,
    )
    return statement.on_conflict_do_update(
        index_elements=[resting_pins.c.hotel_id, resting_pins.c.pin], set_={"until": later}
    )


_REST = {"sqlite": Prepared(_rest(sqlite)), "postgresql": Prepared(_rest(postgresql))}


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
        conn = self._conn
        rows = [{"hotel_id": hotel_id, "pin": pin, "until": until} for pin in pins]
        if rows:
            _REST[conn.dialect.name].run_many(conn, rows)

    def quarantined(self, hotel_id: str, pins: Collection[str], at: datetime) -> set[str]:
        rows = _RESTING.rows(self._conn, {"hotel": hotel_id, "pins": list(pins)})
        return {row["pin"] for row in rows if row["until"] > at}
