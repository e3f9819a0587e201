"""Events: one per log entry, published to the notifier after the transaction commits."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from hotel_occupancy.domain.enums import Condition, OccupancyStatus, Operation
from hotel_occupancy.domain.model import FrozenMap, LogEntry

__all__ = ["OccupancyEvent"]


@frozen
class OccupancyEvent:
    """A state change that has been committed: the log entry's fields plus ``hotel_id``.

    A change to a booking that holds no room (§9: new dates, a new party, a cancellation
    or a no-show before it is assigned) has ``room_id`` and the four state fields None.
    """

    entry_id: int
    hotel_id: str
    room_id: str | None
    operation: Operation
    performed_by: str
    booking_id: str | None
    from_room_id: str | None
    status_before: OccupancyStatus | None
    status_after: OccupancyStatus | None
    condition_before: Condition | None
    condition_after: Condition | None
    notes: str
    metadata: FrozenMap
    timestamp: datetime
    request_id: str | None

    @classmethod
    def from_entry(cls, entry: LogEntry) -> OccupancyEvent:
        """The event announcing ``entry``. Entries imported from legacy audit columns are
        history, not changes to announce: they have no event (ValueError)."""
        if entry.is_imported_history:
            raise ValueError(f"log entry {entry.id} is imported history: it has no event")
        return cls(
            entry_id=entry.id,
            hotel_id=entry.hotel_id,
            room_id=entry.room_id,
            operation=entry.operation,
            performed_by=entry.performed_by,
            booking_id=entry.booking_id,
            from_room_id=entry.from_room_id,
            status_before=entry.status_before,
            status_after=entry.status_after,
            condition_before=entry.condition_before,
            condition_after=entry.condition_after,
            notes=entry.notes,
            metadata=entry.metadata,
            timestamp=entry.timestamp,
            request_id=entry.request_id,
        )
