"""Database errors as domain errors: callers never see a raw driver exception.

A unique or foreign-key violation caused by a concurrent writer, a lock timeout (SQLSTATE
55P03, see :data:`~hotel_occupancy.adapters.sqlalchemy.engine.LOCK_TIMEOUT`), a deadlock
or a serialization failure becomes
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` (nothing changed; safe to
retry); any other database failure becomes
:class:`~hotel_occupancy.domain.errors.StorageError`.

A connection lost in the middle of a transaction is a StorageError that says, in its
``transaction`` context value, whether the transaction can have committed:

- :data:`~hotel_occupancy.services.retry.ROLLED_BACK`: lost before COMMIT was sent, so the
  server rolled it back; nothing changed and a retry is safe;
- :data:`~hotel_occupancy.services.retry.OUTCOME_UNKNOWN`: lost while COMMIT was under way,
  so it may or may not have committed; only a retry with the same ``request_id`` is safe
  (it replays the entries if the commit happened).

:func:`hotel_occupancy.services.retrying` follows these rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy import exc as sa_exc

from hotel_occupancy.domain.errors import (
    AlreadyRegistered,
    ConcurrencyConflict,
    PermissionDenied,
    RoomOccupancyError,
    StorageError,
)
from hotel_occupancy.domain.side_by_side import LEGACY_WRITES
from hotel_occupancy.services.retry import OUTCOME_UNKNOWN, ROLLED_BACK

__all__ = ["already_taken", "translate"]

_CONFLICT_SQLSTATES = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available (lock_timeout, NOWAIT)
    "23505",  # unique_violation
    "23P01",  # exclusion_violation
    "23503",  # foreign_key_violation (a row we relied on was changed concurrently)
}


def translate(error: sa_exc.DBAPIError, *, committing: bool = False) -> RoomOccupancyError:
    """The domain error for a database error; ``committing``: it was raised by COMMIT."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    message = str(orig).strip().splitlines()[0] if orig is not None else str(error)
    if error.connection_invalidated:  # the connection is gone, with its transaction
        if committing:
            return StorageError(
                f"the connection to the database was lost during COMMIT: {message}; the "
                "transaction may or may not have committed (retry only with the same "
                "request_id, which replays it if it did)",
                transaction=OUTCOME_UNKNOWN,
            )
        return StorageError(
            f"the connection to the database was lost: {message}; the transaction had not "
            "committed, so nothing was changed (safe to retry)",
            transaction=ROLLED_BACK,
        )
    if LEGACY_WRITES in message:  # the schema's one-writer guard (§12)
        return PermissionDenied(LEGACY_WRITES)
    if isinstance(error, sa_exc.IntegrityError) or sqlstate in _CONFLICT_SQLSTATES:
        return ConcurrencyConflict(f"a concurrent change won: {message}; nothing was changed")
    lowered = message.lower()
    if "database is locked" in lowered or "database table is locked" in lowered:
        return ConcurrencyConflict(f"the database stayed locked by another writer: {message}")
    return StorageError(f"the database failed: {message}")


_SQLITE_UNIQUE = {"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"}


def already_taken(
    error: sa_exc.IntegrityError, table: Table, row: Mapping[str, Any] | None = None
) -> AlreadyRegistered | None:
    """:class:`~hotel_occupancy.domain.errors.AlreadyRegistered` for a unique violation
    raised by an INSERT into ``table`` (an id, or a room number, already taken), or None
    for any other integrity error. It names what was taken as far as the database says
    (PostgreSQL: the key and its value; SQLite: the columns, and the primary key of
    ``row``, the row refused, when the caller knows it)."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    message = str(orig).strip().splitlines()[0] if orig is not None else str(error)
    where = table.name
    if sqlstate == "23505":  # PostgreSQL: "Key (room_id)=(17) already exists."
        diag = getattr(orig, "diag", None)
        detail = getattr(diag, "message_detail", None) or message
        constraint = getattr(diag, "constraint_name", None)
        if constraint:
            where = f"{table.name} ({constraint})"
    elif getattr(orig, "sqlite_errorname", None) in _SQLITE_UNIQUE or message.startswith(
        "UNIQUE constraint failed"
    ):  # SQLite: "UNIQUE constraint failed: ho_rooms.hotel_id, ho_rooms.number"
        detail = message
        if row is not None:
            key = ", ".join(f"{c.name} {row.get(c.name)!r}" for c in table.primary_key)
            detail = f"{key} ({message})"
    else:
        return None
    return AlreadyRegistered(
        f"a row written to {where} is already registered: {detail.rstrip('.')}; nothing is "
        "kept once the transaction rolls back",
        table=table.name,
    )
