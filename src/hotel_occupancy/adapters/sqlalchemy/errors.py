"""Database errors as domain errors: callers never see a raw driver exception.

A unique or foreign-key violation caused by a concurrent writer, a lock timeout, a
deadlock or a serialization failure becomes
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` (nothing changed; safe to
retry); any other database failure becomes
:class:`~hotel_occupancy.domain.errors.StorageError`.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from hotel_occupancy.domain.errors import ConcurrencyConflict, RoomOccupancyError, StorageError

__all__ = ["translate"]

_CONFLICT_SQLSTATES = {
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "55P03",  # lock_not_available
    "23505",  # unique_violation
    "23P01",  # exclusion_violation
    "23503",  # foreign_key_violation (a row we relied on was changed concurrently)
}


def translate(error: sa_exc.DBAPIError) -> RoomOccupancyError:
    """The domain error for a database error."""
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    message = str(orig).strip().splitlines()[0] if orig is not None else str(error)
    if isinstance(error, sa_exc.IntegrityError) or sqlstate in _CONFLICT_SQLSTATES:
        return ConcurrencyConflict(f"a concurrent change won: {message}; nothing was changed")
    lowered = message.lower()
    if "database is locked" in lowered or "database table is locked" in lowered:
        return ConcurrencyConflict(f"the database stayed locked by another writer: {message}")
    return StorageError(f"the database failed: {message}")
