"""The SQLAlchemy unit of work: one database transaction per service call.

SQLite (the embedded default) runs as a file database in WAL mode; writers take the
write lock at BEGIN (``BEGIN IMMEDIATE``, the documented pysqlite recipe), so concurrent
writers queue up behind a busy timeout instead of deadlocking or losing updates, while
readers never block. PostgreSQL (through psycopg 3) runs READ COMMITTED with the rows an
operation changes locked ``FOR NO KEY UPDATE``; the database's constraints catch anything
else. A call with a ``request_id`` first takes a transaction-scoped advisory lock on it,
so a concurrent call with the same id waits for the first to end and then replays it
(see :class:`.repositories.Requests`). A lock held by another transaction is waited for
at most the engine's lock timeout (5 s unless configured, see :mod:`.engine`).

Database errors never reach callers raw: a unique or foreign-key violation caused by a
concurrent writer, a lock timeout, a deadlock or a serialization failure becomes
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` (nothing changed; safe to
retry, see :func:`hotel_occupancy.services.retrying`), and any other database failure
becomes :class:`~hotel_occupancy.domain.errors.StorageError`. A connection lost during
a transaction is a StorageError saying whether it can have committed: before COMMIT it
cannot (``transaction="rolled back"``, safe to retry), during COMMIT nobody knows
(``transaction="outcome unknown"``, safe to retry with the same ``request_id`` only).
See :mod:`.errors`.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, RootTransaction

from hotel_occupancy.adapters.sqlalchemy import mapping, schema
from hotel_occupancy.adapters.sqlalchemy import repositories as repos
from hotel_occupancy.adapters.sqlalchemy.credentials import Credentials
from hotel_occupancy.adapters.sqlalchemy.driver import release_cursor
from hotel_occupancy.adapters.sqlalchemy.engine import (
    BEGIN_OPTION,
    ForeignConnection,
    is_configured,
)
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.feed import SqlFeed
from hotel_occupancy.adapters.sqlalchemy.legacy_store import LegacyImports
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy
from hotel_occupancy.services.unit_of_work import UnitOfWorkBase

__all__ = ["SqlAlchemyUnitOfWork"]

logger = logging.getLogger("hotel_occupancy.sqlalchemy")


class SqlAlchemyUnitOfWork(UnitOfWorkBase):
    """A unit of work over a SQLAlchemy engine (SQLite or PostgreSQL).

    ``clock``, ``notifier``, ``policy``, ``pins`` and ``pin_rules`` as for the in-memory
    adapter. An engine made by :func:`.engine.create_engine` (or given to
    :func:`.engine.configure_engine`) carries the library's settings; any other engine is
    left as it is, and the settings are applied to each of this unit of work's
    transactions only (:class:`.engine.ForeignConnection`). One unit of work
    serves any number of calls one after another; give each thread its own (they may share
    the engine). A unit of work that waited for the feed (``wait_for_events``) keeps a
    connection of its own for that: :meth:`close` closes it (so does garbage collection).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> None:
        super().__init__(
            clock=clock, notifier=notifier, policy=policy, pins=pins, pin_rules=pin_rules
        )
        # an engine the library did not configure is never changed: its settings are
        # applied to each of the library's own transactions only (see ForeignConnection)
        self.engine = engine
        self._engine_is_foreign = not is_configured(engine)  # once: not on the hot path
        self._foreign: ForeignConnection | None = None
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._writing = False
        # rows as read (or last written) in the current transaction, by (table, key): an
        # update then writes only the columns that changed (see repositories._update)
        self.rows_read: dict[tuple[str, str], dict[str, Any]] = {}
        # device tokens read and cleared in the current transaction (see _scrub)
        self.tokens_read: set[str] = set()
        self.scrub_after_commit = False
        self._hotels = repos.Hotels(self)
        self._rooms = repos.Rooms(self)
        self._bookings = repos.Bookings(self)
        self._occupancies = repos.Occupancies(self, self._rooms)
        self._tasks = repos.Tasks(self)
        self._staff = repos.StaffMembers(self, self._hotels, self._occupancies, self._tasks)
        self._guests = repos.Guests(self)
        self._log = repos.Log(self)
        self._requests = repos.Requests(self)
        self._audits = repos.NightAudits(self)
        self._credentials = Credentials(self)
        self._legacy = LegacyImports(self, self._hotels, self._tasks)
        self._feed = SqlFeed(self)

    @property
    def hotels(self) -> repos.Hotels:
        return self._hotels

    @property
    def rooms(self) -> repos.Rooms:
        return self._rooms

    @property
    def staff(self) -> repos.StaffMembers:
        return self._staff

    @property
    def bookings(self) -> repos.Bookings:
        return self._bookings

    @property
    def occupancies(self) -> repos.Occupancies:
        return self._occupancies

    @property
    def guests(self) -> repos.Guests:
        return self._guests

    @property
    def tasks(self) -> repos.Tasks:
        return self._tasks

    @property
    def log(self) -> repos.Log:
        return self._log

    @property
    def requests(self) -> repos.Requests:
        return self._requests

    @property
    def audits(self) -> repos.NightAudits:
        """The night audits done (§10; see :class:`.repositories.NightAudits`)."""
        return self._audits

    @property
    def credentials(self) -> Credentials:
        return self._credentials

    @property
    def feed(self) -> SqlFeed:
        """The log as a feed, and the consumers' positions (§11; see :mod:`.feed`)."""
        return self._feed

    def close(self) -> None:
        """Close the connection kept for waiting on the feed, if any (the unit of work
        stays usable; the engine and its pool are the caller's)."""
        self._feed.close()

    @property
    def legacy(self) -> LegacyImports:
        """The legacy import's bulk writes and records (§12)."""
        return self._legacy

    @property
    def connection(self) -> Connection:
        """The connection of the current transaction."""
        if self._conn is None:
            raise RuntimeError("repositories are only usable inside `with uow:`")
        return self._conn

    @property
    def writing(self) -> bool:
        """True inside a read-write transaction."""
        return self._writing

    def snapshot(self) -> StoreSnapshot:
        """Everything stored, read in one read-only transaction."""
        with self.reading():
            conn = self.connection

            def rows(table: Table, *order: str) -> list[Any]:
                columns = schema.LOG_ENTRY_COLUMNS if table is schema.log else (table,)
                query = select(*columns).order_by(*(table.c[name] for name in order))
                return list(conn.execute(query).mappings())

            booking_rows = conn.execute(repos.bookings_query()).mappings()
            return StoreSnapshot(
                hotels=tuple(mapping.hotel(r) for r in rows(schema.hotels, "hotel_id")),
                rooms=tuple(mapping.room(r) for r in rows(schema.rooms, "room_id")),
                staff=tuple(mapping.staff(r) for r in rows(schema.staff, "staff_id")),
                bookings=tuple(mapping.bookings(booking_rows).values()),
                guests=tuple(mapping.guest(r) for r in rows(schema.guests, "guest_id")),
                occupancies=tuple(
                    mapping.occupancy(r) for r in rows(schema.occupancies, "room_id")
                ),
                tasks=tuple(mapping.task(r) for r in rows(schema.tasks, "task_id")),
                log=tuple(mapping.entry(r) for r in rows(schema.log, "id")),
                request_ids=frozenset(conn.execute(select(schema.requests.c.request_id)).scalars()),
            )

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already in a transaction")
        read_only = self._begin_events()
        self._end_transaction()  # nothing kept from before
        try:
            conn = self.engine.connect()
        except sa_exc.DBAPIError as error:
            raise translate(error) from error
        try:
            if self._engine_is_foreign:
                self._foreign = ForeignConnection(conn)
                self._tx = conn.begin()
                self._foreign.begin(writing=not read_only)
            else:
                if read_only:
                    conn.execution_options(**{BEGIN_OPTION: "BEGIN"})
                self._tx = conn.begin()
        except sa_exc.DBAPIError as error:
            self._close(conn)
            raise translate(error) from error
        self._conn = conn
        self._writing = not read_only
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        try:
            self.rollback()
        finally:
            self._conn = None
            self._tx = None
            self._writing = False
            if conn is not None:
                self._close(conn)
        self._publish_committed()
        if isinstance(exc, sa_exc.DBAPIError):
            raise translate(exc) from exc

    def _close(self, conn: Connection) -> None:
        """Give the connection back, with its own settings restored if it is foreign."""
        foreign, self._foreign = self._foreign, None
        release_cursor(conn)  # the last rows read are freed with it
        try:
            if foreign is not None and not conn.invalidated:
                foreign.restore()
        except Exception:  # never hand the host a connection with the library's settings
            logger.warning("could not restore a connection's settings", exc_info=True)
            conn.invalidate()
        finally:
            conn.close()

    def commit(self) -> None:
        """Commit the transaction; its events are published when the block ends."""
        if self._tx is None:
            raise RuntimeError("commit() outside `with uow:`")
        try:
            self._tx.commit()
        except sa_exc.DBAPIError as error:
            self._drop_events()
            # the driver may still hold the failed transaction (SQLite keeps it, and its
            # write lock): never give this connection back to the pool
            if self._conn is not None:
                self._conn.invalidate()
            raise translate(error, committing=True) from error
        self._events_committed()
        self._tx = None
        scrub = self.scrub_after_commit
        self._end_transaction()
        if scrub:
            self._scrub()

    def _end_transaction(self) -> None:
        """Forget what the repositories kept of the transaction that ended."""
        self.rows_read.clear()
        self.tokens_read.clear()
        self.scrub_after_commit = False
        self._hotels._end_transaction()
        self._bookings._end_transaction()
        self._occupancies._end_transaction()
        self._rooms._end_transaction()
        self._tasks._end_transaction()

    def _scrub(self) -> None:
        """A committed transaction cleared a device token: on SQLite, copy the write-ahead
        log into the database and empty it, so no old page holding the token stays in the
        ``-wal`` file (``secure_delete`` already zeroes freed space in the database file).
        A reader still on an older snapshot can keep the log from emptying; the next
        checkpoint then finishes the job."""
        conn = self._conn
        if conn is None or self.engine.dialect.name != "sqlite":
            return
        driver = conn.connection.driver_connection
        if driver is None:
            return
        try:
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # the commit stands; the log empties at a later checkpoint
            logger.warning("could not empty the SQLite write-ahead log", exc_info=True)

    def rollback(self) -> None:
        """Roll the transaction back and drop its events."""
        tx, self._tx = self._tx, None
        self._drop_events()
        self._end_transaction()
        if tx is not None and tx.is_active:
            tx.rollback()
