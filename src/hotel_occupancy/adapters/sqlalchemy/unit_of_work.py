"""The SQLAlchemy unit of work: one database transaction per service call.

SQLite (the embedded default) runs as a file database in WAL mode; writers take the
write lock at BEGIN (``BEGIN IMMEDIATE``, the documented pysqlite recipe), so concurrent
writers queue up behind a busy timeout instead of deadlocking or losing updates, while
readers never block. PostgreSQL (through psycopg 3) runs READ COMMITTED with the rows an
operation changes locked ``FOR UPDATE``; the database's constraints catch anything else.

Database errors never reach callers raw: a unique or foreign-key violation caused by a
concurrent writer, a lock timeout, a deadlock or a serialization failure becomes
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` (nothing changed; safe to
retry, see :func:`hotel_occupancy.services.retrying`), and any other database failure
becomes :class:`StorageError`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Table, event, select
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, RootTransaction
from sqlalchemy.pool import ConnectionPoolEntry

from hotel_occupancy.adapters.sqlalchemy import mapping, schema
from hotel_occupancy.adapters.sqlalchemy import repositories as repos
from hotel_occupancy.adapters.sqlalchemy.schema import metadata
from hotel_occupancy.domain.errors import ConcurrencyConflict, RoomOccupancyError
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.services.ports import Clock, Notifier, Policy
from hotel_occupancy.services.unit_of_work import UnitOfWorkBase

__all__ = [
    "SqlAlchemyUnitOfWork",
    "StorageError",
    "configure_engine",
    "create_engine",
    "create_schema",
]

BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the write lock before giving up."""

_BEGIN_OPTION = "hotel_occupancy_begin"


class StorageError(RoomOccupancyError):
    """The database failed in a way that is not a concurrent writer winning (e.g. it is
    unreachable, or its schema is missing). The original error is the ``__cause__``."""


def _on_sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # let SQLAlchemy, not pysqlite, decide when transactions begin (the pysqlite recipe)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN IMMEDIATE"))


def configure_engine(engine: Engine) -> Engine:
    """Prepare an engine for the library (idempotent; returns it).

    On SQLite: WAL mode, foreign keys on, a busy timeout, and writers that take the write
    lock at BEGIN. Other databases need nothing.
    """
    if engine.dialect.name == "sqlite" and not event.contains(engine, "begin", _on_sqlite_begin):
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        engine.dispose()  # connections made before now lack the connect hook
    return engine


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """``sqlalchemy.create_engine`` plus :func:`configure_engine`.

    ``sqlite:///hotel.db`` for an embedded file database; ``postgresql+psycopg://...`` for
    PostgreSQL.
    """
    return configure_engine(sa_create_engine(url, **kwargs))


def create_schema(engine: Engine) -> None:
    """Create the library's tables and indexes (those missing) in the database, and record
    it as being at the newest migration, so that later ``migrate.upgrade`` calls apply only
    what a newer version adds."""
    from hotel_occupancy.adapters.sqlalchemy import migrate  # migrate imports this module

    configure_engine(engine)
    with engine.begin() as conn:
        metadata.create_all(conn)
    if migrate.current(engine) is None:
        migrate.stamp(engine, "head")


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


class SqlAlchemyUnitOfWork(UnitOfWorkBase):
    """A unit of work over a SQLAlchemy engine (SQLite or PostgreSQL).

    ``clock``, ``notifier`` and ``policy`` as for the in-memory adapter. One unit of work
    serves any number of calls one after another; give each thread its own (they may share
    the engine).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(clock=clock, notifier=notifier, policy=policy)
        self.engine = configure_engine(engine)
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._writing = False
        # rows as read (or last written) in the current transaction, by (table, key): an
        # update then writes only the columns that changed (see repositories._update)
        self.rows_read: dict[tuple[str, str], dict[str, Any]] = {}
        self._hotels = repos.Hotels(self)
        self._rooms = repos.Rooms(self)
        self._staff = repos.StaffMembers(self)
        self._bookings = repos.Bookings(self)
        self._occupancies = repos.Occupancies(self)
        self._guests = repos.Guests(self)
        self._tasks = repos.Tasks(self)
        self._log = repos.Log(self)
        self._requests = repos.Requests(self)

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
                query = select(table).order_by(*(table.c[name] for name in order))
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
        self.rows_read.clear()
        try:
            conn = self.engine.connect()
        except sa_exc.DBAPIError as error:
            raise translate(error) from error
        try:
            if read_only:
                conn.execution_options(**{_BEGIN_OPTION: "BEGIN"})
            self._tx = conn.begin()
        except sa_exc.DBAPIError as error:
            conn.close()
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
                conn.close()
        self._publish_committed()
        if isinstance(exc, sa_exc.DBAPIError):
            raise translate(exc) from exc

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
            raise translate(error) from error
        self._events_committed()
        self._tx = None
        self.rows_read.clear()

    def rollback(self) -> None:
        """Roll the transaction back and drop its events."""
        tx, self._tx = self._tx, None
        self._drop_events()
        self.rows_read.clear()
        if tx is not None and tx.is_active:
            tx.rollback()
