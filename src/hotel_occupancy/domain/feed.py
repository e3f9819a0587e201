"""The event feed (§11): the log, followed by other processes.

The log is the outbox: every entry is written in the transaction of its operation, so it is
exactly as durable as the state change. A reader follows it with positions: a
:class:`FeedPage` holds the next committed events and the position to pass back as
``after``. A position is opaque text made by the adapter (each adapter orders its log in
its own way, see :mod:`hotel_occupancy.services.ports`); :data:`START` is the position
before everything. Consumers are named readers whose position is stored with the data.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from hotel_occupancy.domain.events import OccupancyEvent

__all__ = ["START", "ConsumerPosition", "ConsumerStatus", "FeedPage"]

START = "0"
"""The position before the first entry: reading after it starts at the beginning."""


@frozen
class FeedPage:
    """The next committed events after a position, and the position after them (pass it
    back as ``after``; it moves on even when ``events`` is empty, past entries that are
    not events, such as imported legacy history)."""

    events: tuple[OccupancyEvent, ...]
    position: str


@frozen
class ConsumerPosition:
    """Where a named consumer stands in the feed, as stored."""

    consumer: str
    position: str
    updated_at: datetime


@frozen
class ConsumerStatus:
    """A consumer's position and how many committed entries lie beyond it."""

    consumer: str
    position: str
    lag: int
    updated_at: datetime
