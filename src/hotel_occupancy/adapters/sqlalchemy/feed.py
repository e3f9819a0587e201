"""The event feed on SQLAlchemy (§11): the log read in an order in which nothing can commit
before what was read, the consumers' positions, and waiting for new entries.

**SQLite** has one writer at a time (``BEGIN IMMEDIATE``): entries commit in id order, so
the feed reads by id. A position is the last id read, in decimal (``"0"``: the start).

**PostgreSQL** numbers entries from a sequence while many transactions write at once: a
transaction holding id 5 may commit after one holding id 6 was read, so reading by id
would skip 5. The feed reads by transaction-id horizon instead. Every entry carries a key,
``ho_log.txid``, set by a ``BEFORE INSERT`` trigger (see :mod:`.schema`): the writing
transaction's id (``txid_current()``), raised to the highest key of the entries already
naming one of its rooms (as ``room_id`` or ``from_room_id``). The feed's order is
``(txid, id)``, and a read hands out only entries whose key lies below the reader's horizon
``H = txid_snapshot_xmin(txid_current_snapshot())``, the oldest transaction still running.
A position is the ``(txid, id)`` of the last entry read, as ``"txid:id"`` (``"0"``: the
start).

Why nothing is ever skipped: a transaction still running when the reader takes its
snapshot has an id of at least ``H``, and every entry it writes has a key of at least its
id, so of at least ``H``. Hence every entry with a key below ``H`` was written by a
transaction that has ended: it is committed and visible to the reader, or rolled back and
gone for good. The entries below the horizon are final; a read hands them out in
``(txid, id)`` order and anything that commits later sorts after every one of them.

Why each room's entries arrive in id order: let ``a`` and ``b`` be entries naming room R,
``a.id < b.id``. The operations on R queue up on R's occupancy lock (``FOR NO KEY UPDATE``,
see :mod:`.repositories`), so the transaction that wrote ``a`` had committed before the one
that wrote ``b`` inserted it, and the trigger saw ``a``: ``b.txid >= a.txid``; with equal
keys the ids decide. So ``(a.txid, a.id) < (b.txid, b.id)``. Ordering by the raw
transaction id would not do: a transaction that got its id early (it locked another room)
and then waited for R writes the later entry ``b`` with the lower id, and ordering by
``txid`` would deliver ``b`` before ``a``. Cutting the log into horizon ranges delivered
each in id order is not enough either: with a third transaction running between the two
ids, the horizon can fall between them, putting ``b`` in an earlier range than ``a``.

The bound, documented: the horizon is the oldest running transaction, so a long
transaction (a host's transaction left open, a legacy import) holds back every entry
keyed at or above its id, of every hotel, until it ends; entries are then delivered at
once, none lost. A rolled-back transaction has ended: it stalls nobody afterwards. Writers
send no statement for the feed (the triggers do the work) and never wait for each other
because of it: the trigger only reads the index of the log.

**Waiting.** :meth:`SqlFeed.wait` uses a connection of its own, kept by the feed (closed by
:meth:`SqlFeed.close`, which ``SqlAlchemyUnitOfWork.close()`` calls, or when the unit of
work is garbage collected). The first call opens it, starts watching and returns at once
(the caller reads again, so a commit between its read and the watch is seen); later calls
block until a change or the timeout. PostgreSQL: ``LISTEN hotel_occupancy_feed`` (in a
schema of the library's own, the schema's channel ``hotel_occupancy_feed.<schema>``); the
log's statement trigger notifies at commit (no payload, one notification per
transaction). SQLite: ``PRAGMA data_version``, looked at every :data:`SQLITE_POLL` seconds,
changes when another connection commits. Other drivers sleep out the timeout (the service
looks every ``POLL_INTERVAL`` seconds anyway).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import BigInteger, Engine, Integer, bindparam, delete, func, insert, select, tuple_
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from hotel_occupancy.adapters.sqlalchemy import mapping
from hotel_occupancy.adapters.sqlalchemy.schema import (
    LOG_ENTRY_COLUMNS,
    consumers,
    feed_channel,
    lock_name,
    log,
    schema_of,
)
from hotel_occupancy.domain.errors import InvalidInput, StorageError
from hotel_occupancy.domain.feed import START, ConsumerPosition
from hotel_occupancy.domain.model import LogEntry

__all__ = ["SQLITE_POLL", "FeedTransaction", "SqlFeed"]

logger = logging.getLogger("hotel_occupancy.sqlalchemy")

SQLITE_POLL = 0.05
"""Seconds between two looks at SQLite's ``data_version`` while waiting."""

_CONSUMER_LOCKS = 0x686F_6665
"""The first key of the PostgreSQL advisory locks on consumers (the two-integer key space,
apart from the request ids' one-bigint locks): ``pg_advisory_xact_lock(this, hashtext(name))``."""


class FeedTransaction(Protocol):
    """What the feed needs of its unit of work."""

    @property
    def connection(self) -> Connection:
        """The connection of the current transaction."""

    @property
    def writing(self) -> bool:
        """True inside a read-write transaction."""

    @property
    def engine(self) -> Engine:
        """The unit of work's engine."""


# --- positions -------------------------------------------------------------------------------

_DECIMAL = r"(0|[1-9][0-9]{0,18})"
_ID_POSITION = re.compile(_DECIMAL)
_KEY_POSITION = re.compile(f"{_DECIMAL}:{_DECIMAL}")

Key = tuple[int, int]
"""A PostgreSQL position: the ``(txid, id)`` of the last entry read."""


def _refuse(position: str) -> InvalidInput:
    return InvalidInput(f"after must be a position returned by the feed, not {position!r}")


def _id_position(position: str) -> int:
    if not isinstance(position, str) or _ID_POSITION.fullmatch(position) is None:
        raise _refuse(position)
    return int(position)


def _key_position(position: str) -> Key:
    if position == START:
        return (0, 0)
    match = _KEY_POSITION.fullmatch(position) if isinstance(position, str) else None
    if match is None:
        raise _refuse(position)
    return (int(match[1]), int(match[2]))


def _key_text(key: Key) -> str:
    return START if key == (0, 0) else f"{key[0]}:{key[1]}"


# --- statements ------------------------------------------------------------------------------

_BY_ID = select(*LOG_ENTRY_COLUMNS).where(log.c.id > bindparam("after")).order_by(log.c.id)
_PAGE_BY_ID = _BY_ID.limit(bindparam("limit"))
_PAGE_OF_HOTEL_BY_ID = _BY_ID.where(log.c.hotel_id == bindparam("hotel")).limit(bindparam("limit"))
_LAST_ID = select(func.max(log.c.id))
_LAG_BY_ID = select(func.count()).select_from(log).where(log.c.id > bindparam("after"))

_KEY = tuple_(log.c.txid, log.c.id)
_AFTER = tuple_(bindparam("txid", type_=BigInteger), bindparam("id", type_=Integer))
_UP_TO = tuple_(bindparam("top_txid", type_=BigInteger), bindparam("top_id", type_=Integer))
_HORIZON = func.txid_snapshot_xmin(func.txid_current_snapshot())
# the last final entry: the highest (txid, id) below the horizon, in one snapshot
_LAST_FINAL = (
    select(log.c.txid, log.c.id)
    .where(log.c.txid.is_not(None), log.c.txid < _HORIZON)
    .order_by(log.c.txid.desc(), log.c.id.desc())
    .limit(1)
)
_BY_KEY = (
    select(*LOG_ENTRY_COLUMNS, log.c.txid)
    .where(log.c.txid.is_not(None), _KEY > _AFTER, _KEY <= _UP_TO)
    .order_by(log.c.txid, log.c.id)
)
_PAGE_BY_KEY = _BY_KEY.limit(bindparam("limit"))
_PAGE_OF_HOTEL_BY_KEY = _BY_KEY.where(log.c.hotel_id == bindparam("hotel")).limit(
    bindparam("limit")
)
_LAG_BY_KEY = select(func.count()).select_from(log).where(log.c.txid.is_not(None), _KEY > _AFTER)

_CONSUMER = select(consumers).where(consumers.c.consumer == bindparam("name"))
_LOCK_CONSUMER = select(
    func.pg_advisory_xact_lock(_CONSUMER_LOCKS, func.hashtext(bindparam("name")))
)
_CONSUMERS = select(consumers).order_by(consumers.c.consumer)
_DELETE_CONSUMER = delete(consumers).where(consumers.c.consumer == bindparam("name"))


def _upsert(dialect: Any) -> Any:
    statement = dialect.insert(consumers)
    return statement.on_conflict_do_update(
        index_elements=[consumers.c.consumer],
        set_={
            "position": statement.excluded.position,
            "updated_at": statement.excluded.updated_at,
        },
    )


_SAVE_CONSUMER = {"sqlite": _upsert(sqlite_dialect), "postgresql": _upsert(pg_dialect)}


def _consumer(row: Any) -> ConsumerPosition:
    try:
        return ConsumerPosition(row["consumer"], row["position"], row["updated_at"])
    except (KeyError, TypeError, ValueError) as error:  # pragma: no cover - damaged row
        raise StorageError(
            f"a row of ho_consumers is damaged and cannot be read: {error}"
        ) from error


# --- the repository --------------------------------------------------------------------------


class SqlFeed:
    """:class:`~hotel_occupancy.services.ports.FeedRepository` on SQLAlchemy: by id on
    SQLite (and any other database, which must commit entries in id order), by
    ``(txid, id)`` below the transaction-id horizon on PostgreSQL (see the module)."""

    def __init__(self, uow: FeedTransaction) -> None:
        self._uow = uow
        self._by_key = uow.engine.dialect.name == "postgresql"
        self._watch: list[_Watcher] = []  # the watcher, once a wait() made it
        # a unit of work dropped without close(): its watcher's connection closes with it
        self._finalizer = weakref.finalize(self, _close_all, self._watch)

    # positions

    def precedes(self, earlier: str, later: str) -> bool:
        if self._by_key:
            return _key_position(earlier) < _key_position(later)
        return _id_position(earlier) < _id_position(later)

    def read(
        self, after: str, *, hotel_id: str | None, limit: int
    ) -> tuple[Sequence[LogEntry], str]:
        if self._by_key:
            return self._read_by_key(_key_position(after), hotel_id, limit)
        return self._read_by_id(_id_position(after), hotel_id, limit)

    def _read_by_id(
        self, after: int, hotel_id: str | None, limit: int
    ) -> tuple[Sequence[LogEntry], str]:
        conn = self._uow.connection
        # one snapshot: SQLite's read transaction sees the database as at its first read
        if hotel_id is None:
            rows = conn.execute(_PAGE_BY_ID, {"after": after, "limit": limit}).mappings().all()
        else:
            params = {"after": after, "hotel": hotel_id, "limit": limit}
            rows = conn.execute(_PAGE_OF_HOTEL_BY_ID, params).mappings().all()
        entries = mapping.entries(rows)
        if len(entries) == limit:
            return entries, str(entries[-1].id)
        if hotel_id is None:  # every entry after `after` was read
            return entries, str(entries[-1].id) if entries else str(after)
        # the hotel has no more entries in this snapshot: move past the others' too
        last = conn.execute(_LAST_ID).scalar()
        return entries, str(max(after, last or 0))

    def _read_by_key(
        self, after: Key, hotel_id: str | None, limit: int
    ) -> tuple[Sequence[LogEntry], str]:
        conn = self._uow.connection
        # first the last final entry (its snapshot's horizon); then, in a later snapshot
        # which holds every entry up to it just the same, the page up to it
        top = conn.execute(_LAST_FINAL).first()
        if top is None or (top.txid, top.id) <= after:
            return [], _key_text(after)
        params: dict[str, Any] = {
            "txid": after[0],
            "id": after[1],
            "top_txid": top.txid,
            "top_id": top.id,
            "limit": limit,
        }
        if hotel_id is not None:
            params["hotel"] = hotel_id
        page = _PAGE_BY_KEY if hotel_id is None else _PAGE_OF_HOTEL_BY_KEY
        rows = conn.execute(page, params).mappings().all()
        entries = mapping.entries(rows)
        if len(rows) == limit:
            last = rows[-1]
            return entries, _key_text((last["txid"], last["id"]))
        # nothing more up to the last final entry (for this hotel): past all of it
        return entries, _key_text((top.txid, top.id))

    def lag(self, after: str) -> int:
        conn = self._uow.connection
        if self._by_key:
            txid, id_ = _key_position(after)
            count = conn.execute(_LAG_BY_KEY, {"txid": txid, "id": id_}).scalar_one()
        else:
            count = conn.execute(_LAG_BY_ID, {"after": _id_position(after)}).scalar_one()
        return int(count)

    # consumers

    def consumer(self, name: str) -> ConsumerPosition | None:
        conn = self._uow.connection
        query = _CONSUMER
        if self._uow.writing and self._by_key:
            # two runs of one consumer take turns, even before its first position is
            # stored (a row lock needs a row); in a statement of its own, so that the
            # read below takes its snapshot once the lock is held
            conn.execute(_LOCK_CONSUMER, {"name": lock_name(schema_of(conn), name)})
            query = _CONSUMER.with_for_update()
        row = conn.execute(query, {"name": name}).mappings().first()
        return _consumer(row) if row is not None else None

    def save_consumer(self, position: ConsumerPosition) -> None:
        conn = self._uow.connection
        values = {
            "consumer": position.consumer,
            "position": position.position,
            "updated_at": position.updated_at,
        }
        upsert = _SAVE_CONSUMER.get(conn.dialect.name)
        if upsert is None:  # another database: two statements
            conn.execute(_DELETE_CONSUMER, {"name": position.consumer})
            upsert = insert(consumers)
        conn.execute(upsert, [values])

    def consumers(self) -> Sequence[ConsumerPosition]:
        return [_consumer(row) for row in self._uow.connection.execute(_CONSUMERS).mappings()]

    # waiting

    def wait(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for another connection's commit. The first call
        only opens the watching connection (the caller reads again, then waits). If that
        fails, or the connection breaks, the failure is logged and the rest of
        ``timeout`` is slept: a follower of a broken database polls it once per timeout,
        with one warning each time, never in a tight loop."""
        timeout = max(0.0, timeout)
        deadline = time.monotonic() + timeout
        if not self._watch:
            try:
                self._watch.append(_watcher(self._uow.engine))
                return  # watching from now on
            except Exception:  # the database is unreachable: the caller's read will say
                logger.warning("cannot watch the log for new entries", exc_info=True)
        else:
            try:
                self._watch[0].wait(timeout)
                return
            except Exception:  # the connection broke: a new one next time
                logger.warning("lost the connection watching the log", exc_info=True)
                self.close()
        time.sleep(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        """Close the connection the feed keeps for :meth:`wait` (a later wait opens a new
        one)."""
        _close_all(self._watch)


def _close_all(watchers: list[_Watcher]) -> None:
    while watchers:
        watchers.pop().close()


# --- watching the log ------------------------------------------------------------------------


class _Watcher(Protocol):
    def wait(self, timeout: float) -> None: ...
    def close(self) -> None: ...


def _dbapi_connection(engine: Engine) -> Any:
    """A DBAPI connection of the engine's own, taken out of its pool (closing it closes it)."""
    fairy = engine.raw_connection()
    fairy.detach()
    return fairy.dbapi_connection


def _watcher(engine: Engine) -> _Watcher:
    name = engine.dialect.name
    if name == "sqlite":
        return _DataVersion(_dbapi_connection(engine))
    if name == "postgresql" and engine.dialect.driver == "psycopg":
        channel = engine.dialect.identifier_preparer.quote(feed_channel(schema_of(engine)))
        return _Listen(_dbapi_connection(engine), channel)
    return _Sleep()


class _DataVersion:
    """SQLite: ``PRAGMA data_version`` changes when another connection commits."""

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._lock = threading.Lock()  # close() may come from the garbage collector
        try:
            self._version = self._read()
        except BaseException:
            connection.close()
            raise

    def _read(self) -> int:
        with self._lock:
            cursor = self._conn.execute("PRAGMA data_version")
            try:
                return int(cursor.fetchone()[0])
            finally:
                cursor.close()

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            version = self._read()
            if version != self._version:
                self._version = version
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(SQLITE_POLL, remaining))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _Listen:
    """PostgreSQL (psycopg 3): ``LISTEN`` on a connection in autocommit mode."""

    def __init__(self, connection: Any, channel: str) -> None:
        self._conn = connection
        try:
            connection.rollback()
            connection.autocommit = True
            connection.execute(f"LISTEN {channel}")
        except BaseException:
            connection.close()
            raise

    def wait(self, timeout: float) -> None:
        # notifications that came while nobody waited are kept by psycopg, and given first
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        self._conn.close()


class _Sleep:
    """Any other driver: no wake-up, the caller polls."""

    def wait(self, timeout: float) -> None:
        time.sleep(timeout)

    def close(self) -> None:
        pass
