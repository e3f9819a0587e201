"""The event feed (§11): read the log from another process, as named consumers, and wait.

Following the positions, a reader gets every committed event exactly once, each room's
events in id order. Delivery to a handler outside the database is at least once (the
position is saved after the handler returns; a crash between the two delivers the batch
again, so the event's ``entry_id`` is the handler's idempotency key). A handler run
``transactional=True`` writes through the unit of work it is given, in the transaction
that saves the position: exactly once in effect. Positions never move backwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import START, ConsumerPosition, ConsumerStatus, FeedPage
from hotel_occupancy.domain.model import LogEntry
from hotel_occupancy.domain.validation import require_id, require_optional_id
from hotel_occupancy.services.ports import UnitOfWork

__all__ = [
    "POLL_INTERVAL",
    "consume",
    "consumer_position",
    "feed_status",
    "read_feed",
    "store_consumer_position",
    "wait_for_events",
]

MAX_LIMIT = 10_000
"""The most events one page may hold."""

POLL_INTERVAL = 1.0
"""Seconds between two looks at the log while waiting: the longest a lost wake-up
notification can delay an event."""

Handler = Callable[[Sequence[OccupancyEvent]], object]
TransactionalHandler = Callable[[Sequence[OccupancyEvent], UnitOfWork], object]


def _position(after: object) -> str:
    if after is None or (type(after) is int and after == 0):
        return START
    if not isinstance(after, str) or not after or len(after) > 200:
        raise InvalidInput(f"after must be a position returned by the feed, not {after!r}")
    return after


def _limit(limit: object) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}")
    return limit


def _events(entries: Sequence[LogEntry]) -> tuple[OccupancyEvent, ...]:
    """The events of the entries; imported legacy history is not an event."""
    return tuple(OccupancyEvent.from_entry(e) for e in entries if not e.is_imported_history)


def _read(uow: UnitOfWork, after: str, hotel_id: str | None, limit: int) -> FeedPage:
    entries, position = uow.feed.read(after, hotel_id=hotel_id, limit=limit)
    return FeedPage(events=_events(entries), position=position)


def read_feed(
    uow: UnitOfWork, *, after: str | int = START, hotel_id: str | None = None, limit: int = 500
) -> FeedPage:
    """The next committed events after the position ``after`` (of one hotel, or all), at
    most ``limit``, and the position to pass back as ``after`` next time."""
    position = _position(after)
    hotel = require_optional_id("hotel_id", hotel_id)
    size = _limit(limit)
    with uow.reading():
        return _read(uow, position, hotel, size)


def consume(
    uow: UnitOfWork,
    *,
    consumer: str,
    handler: Handler | TransactionalHandler,
    hotel_id: str | None = None,
    limit: int = 500,
    transactional: bool = False,
) -> int:
    """Hand the next batch of events after the consumer's stored position to ``handler``,
    then store the position after them; return how many events it was given (0 when
    there were none; the position may still move past entries that are not events).

    ``handler(events)`` runs outside any transaction: at least once (a failure or a crash
    before the position is stored delivers the batch again). With ``transactional=True``,
    ``handler(events, uow)`` runs inside the transaction that stores the position and may
    write through ``uow``: its writes and the position commit together, exactly once in
    effect. A position never moves backwards: if another run of the same consumer got
    further meanwhile, its position stays.
    """
    name = require_id("consumer", consumer)
    hotel = require_optional_id("hotel_id", hotel_id)
    size = _limit(limit)
    if transactional:
        with uow:
            stored = uow.feed.consumer(name)
            page = _read(uow, START if stored is None else stored.position, hotel, size)
            if page.events:
                handler(page.events, uow)  # type: ignore[call-arg]
            _advance(uow, name, stored, page.position)
            uow.commit()
        return len(page.events)
    with uow.reading():
        stored = uow.feed.consumer(name)
        page = _read(uow, START if stored is None else stored.position, hotel, size)
    if page.events:
        handler(page.events)  # type: ignore[call-arg]
    store_consumer_position(uow, consumer=name, position=page.position)
    return len(page.events)


def consumer_position(uow: UnitOfWork, consumer: str) -> str:
    """The stored position of ``consumer``; the start of the feed for a new consumer."""
    name = require_id("consumer", consumer)
    with uow.reading():
        stored = uow.feed.consumer(name)
    return START if stored is None else stored.position


def store_consumer_position(uow: UnitOfWork, *, consumer: str, position: str) -> None:
    """Store ``position`` for ``consumer`` after its side effect is done (what
    :func:`consume` does for its handler), unless the consumer stands there or further
    already: a position never moves backwards."""
    name = require_id("consumer", consumer)
    with uow:
        _advance(uow, name, uow.feed.consumer(name), _position(position))
        uow.commit()


def _advance(uow: UnitOfWork, name: str, stored: ConsumerPosition | None, position: str) -> None:
    """Store ``position`` for the consumer unless that would move it backwards."""
    if stored is not None and not uow.feed.precedes(stored.position, position):
        return  # not further: nothing to store, and never backwards
    uow.feed.save_consumer(ConsumerPosition(name, position, uow.clock()))


def feed_status(uow: UnitOfWork) -> tuple[ConsumerStatus, ...]:
    """Every consumer's stored position and lag (committed entries beyond it), by name."""
    with uow.reading():
        return tuple(
            ConsumerStatus(c.consumer, c.position, uow.feed.lag(c.position), c.updated_at)
            for c in uow.feed.consumers()
        )


def wait_for_events(
    uow: UnitOfWork, *, after: str | int, timeout: float, hotel_id: str | None = None
) -> bool:
    """Block until there are committed events after ``after`` (of one hotel, or any), or
    ``timeout`` seconds have passed; return whether there are. The adapter wakes it when
    a writer commits (PostgreSQL LISTEN/NOTIFY, SQLite's data_version, a condition in
    memory); it also looks every :data:`POLL_INTERVAL` seconds, so a lost wake-up delays
    an event by at most that."""
    position = _position(after)
    hotel = require_optional_id("hotel_id", hotel_id)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        raise InvalidInput(f"timeout must be a number of seconds, not {timeout!r}")
    deadline = time.monotonic() + timeout
    while True:
        with uow.reading():
            page = _read(uow, position, hotel, 1)
        if page.events:
            return True
        if page.position != position:  # past entries that are not events, or another hotel's
            position = page.position
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        uow.feed.wait(min(remaining, POLL_INTERVAL))
