"""Engine set-up: what the library needs of a database connection.

On SQLite: a file database in WAL mode, foreign keys on, a busy timeout, and writers that
take the write lock at BEGIN (``BEGIN IMMEDIATE``, the documented pysqlite recipe), so
concurrent writers queue up instead of deadlocking or losing updates.

On PostgreSQL:

- **a lock timeout**: a statement waits at most ``lock_timeout`` seconds for a row lock
  (or the lock of a ``request_id`` being used by a concurrent call) held by another
  transaction, then fails with SQLSTATE 55P03, which the unit of work raises as
  :class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` (nothing changed; safe to
  retry). The default is :data:`LOCK_TIMEOUT` (5 s); set it with
  ``create_engine(url, lock_timeout=...)`` or ``configure_engine(engine, lock_timeout=...)``
  (``None``: wait for as long as it takes). It is set on every connection of the engine
  as it connects (psycopg: a startup option, so it costs no statement), so it applies to
  everything run on the engine's connections;
- **a liveness check on checkout from the pool**: a pooled connection whose server side
  has gone (its backend was terminated, the server restarted, an idle timeout closed it)
  is replaced by a new one before a unit of work uses it, so the first call after a
  dropped connection succeeds. The check costs no round trip for a healthy connection
  (the connection's socket has nothing to read); one that does gets a real ping. If the
  server is really down, connecting fails and the call raises
  :class:`~hotel_occupancy.domain.errors.StorageError`.

:func:`configure_engine` applies this to an engine made elsewhere (the unit of work calls
it on the engine it is given); it is idempotent and keeps a lock timeout set before.
"""

from __future__ import annotations

import math
import re
import select
import weakref
from typing import Any, Final

from attrs import define
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, Dialect
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from hotel_occupancy.adapters.sqlalchemy.driver import observed, on_driver

__all__ = [
    "BEGIN_OPTION",
    "BUSY_TIMEOUT_MS",
    "LOCK_TIMEOUT",
    "ForeignConnection",
    "configure_engine",
    "create_engine",
    "in_schema",
    "is_configured",
    "lock_timeout_of",
]

BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the write lock before giving up."""

LOCK_TIMEOUT = 5.0
"""How long (seconds) a PostgreSQL statement waits for a lock held by another transaction
before the call fails with ConcurrencyConflict, unless the engine says otherwise."""

BEGIN_OPTION = "hotel_occupancy_begin"
"""The execution option naming the BEGIN statement of a transaction (read-only ones use
plain ``BEGIN`` on SQLite, so readers never take the write lock)."""

_LIBPQ_DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg2cffi"})
"""Drivers built on libpq, which take server settings as the ``options`` startup parameter."""


class _Unset:
    """The type of :data:`_UNSET`: no lock timeout given."""

    def __repr__(self) -> str:
        return "UNCHANGED"


_UNSET: Final = _Unset()


# --- SQLite ----------------------------------------------------------------------------------


_SQLITE_CONNECTION_SETTINGS: Final = {
    "busy_timeout": BUSY_TIMEOUT_MS,
    "foreign_keys": 1,
    # freed space is zeroed: a cleared device token or PIN leaves no copy in the file
    "secure_delete": 1,
}
"""What the library needs of every SQLite connection it works on: set once per connection
on its own engines, and around each of its transactions on anyone else's."""

_SQLITE_FILE_SETTINGS: Final = {"journal_mode": "WAL", "synchronous": "FULL"}
"""What the library's own engines also set: choices a host makes for its own engine."""


def _on_sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # let SQLAlchemy, not pysqlite, decide when transactions begin (the pysqlite recipe)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for name, value in {**_SQLITE_CONNECTION_SETTINGS, **_SQLITE_FILE_SETTINGS}.items():
            cursor.execute(f"PRAGMA {name} = {value}")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    statement = conn.get_execution_options().get(BEGIN_OPTION, "BEGIN IMMEDIATE")
    if observed(conn):  # listeners and echo see it
        conn.exec_driver_sql(statement)
    else:  # the driver's cursor, as the repositories' statements (see .driver)
        on_driver(conn, statement).close()


# --- PostgreSQL ------------------------------------------------------------------------------


@define
class _PostgresSettings:
    """What :func:`configure_engine` set on one PostgreSQL engine (kept by its dialect,
    which the engine's copies made by ``execution_options`` share)."""

    lock_timeout: float | None

    def server_value(self) -> str:
        """The server's ``lock_timeout`` setting (``0``: no limit)."""
        if self.lock_timeout is None:
            return "0"
        return f"{max(1, math.ceil(self.lock_timeout * 1000))}ms"

    def listen(self, engine: Engine) -> None:
        libpq = engine.dialect.driver in _LIBPQ_DRIVERS

        def on_do_connect(
            dialect: Dialect, record: ConnectionPoolEntry, cargs: Any, cparams: dict[str, Any]
        ) -> None:
            # in the startup packet: no statement, and RESET ALL keeps it
            option = f"-c lock_timeout={self.server_value()}"
            cparams["options"] = f"{cparams.get('options', '')} {option}".strip()

        def on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"SET lock_timeout = '{self.server_value()}'")
            finally:
                cursor.close()
            dbapi_connection.commit()

        if libpq:
            event.listen(engine, "do_connect", on_do_connect)
        else:  # other drivers: a SET as each connection is made
            event.listen(engine, "connect", on_connect)
        event.listen(engine, "checkout", _on_postgres_checkout)


_POSTGRES: weakref.WeakKeyDictionary[Dialect, _PostgresSettings] = weakref.WeakKeyDictionary()


def _may_be_gone(dbapi_connection: Any) -> bool:
    """False if the connection looks alive without a round trip: the driver does not know
    it closed or broken, and its socket has nothing to read (an idle connection whose
    server side went away has: the server's goodbye, or the end of the stream)."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        fileno = dbapi_connection.fileno()
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fileno, select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        readable, _, _ = select.select([fileno], [], [], 0)
    except (AttributeError, OSError, TypeError, ValueError):
        return True  # no socket to look at: ping
    return bool(readable)


def _on_postgres_checkout(
    dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """Make sure a connection taken from the pool is alive (SQLAlchemy's
    pessimistic-disconnect recipe, with a free check first): if it may be gone, ping it;
    if the ping fails, DisconnectionError makes the pool replace it with a new one."""
    if not _may_be_gone(dbapi_connection):
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # leave it idle, as the pool gave it
    except Exception as error:
        raise sa_exc.DisconnectionError(f"a pooled connection was gone: {error}") from error


# --- both ------------------------------------------------------------------------------------


def _check_lock_timeout(lock_timeout: float | None) -> float | None:
    if lock_timeout is None:
        return None
    if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, int | float):
        raise TypeError(f"lock_timeout must be a number of seconds or None, not {lock_timeout!r}")
    if not math.isfinite(lock_timeout) or lock_timeout <= 0:
        raise ValueError(f"lock_timeout must be a positive number of seconds, not {lock_timeout!r}")
    return float(lock_timeout)


def configure_engine(engine: Engine, *, lock_timeout: float | _Unset | None = _UNSET) -> Engine:
    """Prepare an engine for the library (idempotent; returns it).

    On SQLite: WAL mode, foreign keys on, a busy timeout, and writers that take the write
    lock at BEGIN. On PostgreSQL: the lock timeout (seconds; ``None`` for none) and a
    liveness check of pooled connections (see the module's documentation). Without
    ``lock_timeout``, an engine configured before keeps its lock timeout and a new one
    gets :data:`LOCK_TIMEOUT`; a new setting applies to connections made from then on
    (the idle pooled ones are closed). Other databases need nothing.
    """
    if not isinstance(lock_timeout, _Unset):
        lock_timeout = _check_lock_timeout(lock_timeout)
    name = engine.dialect.name
    if name == "sqlite" and not event.contains(engine, "begin", _on_sqlite_begin):
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        engine.dispose()  # connections made before now lack the connect hook
    elif name == "postgresql":
        settings = _POSTGRES.get(engine.dialect)
        if settings is None:
            timeout = LOCK_TIMEOUT if isinstance(lock_timeout, _Unset) else lock_timeout
            settings = _POSTGRES[engine.dialect] = _PostgresSettings(timeout)
            settings.listen(engine)
            engine.dispose()  # connections made before now lack the lock timeout
        elif not isinstance(lock_timeout, _Unset) and lock_timeout != settings.lock_timeout:
            settings.lock_timeout = lock_timeout
            engine.dispose()
    return engine


def is_configured(engine: Engine) -> bool:
    """Whether the engine was prepared by :func:`configure_engine` (or made by
    :func:`create_engine`): its connections carry the library's settings already. An
    engine that was not is never changed by the library; see :class:`ForeignConnection`."""
    name = engine.dialect.name
    if name == "sqlite":
        return event.contains(engine, "begin", _on_sqlite_begin)
    if name == "postgresql":
        return engine.dialect in _POSTGRES
    return True


class ForeignConnection:
    """The library's settings for one transaction on a connection of an engine it did not
    configure (the host application's), restored when the transaction ends, so the
    host's own use of its engine is exactly as before.

    On SQLite: foreign keys on, the busy timeout, ``secure_delete`` on, and a ``BEGIN
    IMMEDIATE`` for a writing transaction (plain ``BEGIN`` for a reading one) issued by the
    library itself; afterwards the connection's own ``isolation_level``, foreign-key,
    busy-timeout and secure-delete settings are put back. (``journal_mode`` belongs to
    the database file, not the connection: WAL is set by the library's migrations.) On
    PostgreSQL: ``SET LOCAL lock_timeout``, which ends with the transaction by itself.
    """

    def __init__(self, conn: Connection, *, lock_timeout: float | None = LOCK_TIMEOUT) -> None:
        self._conn = conn
        self._lock_timeout = lock_timeout
        self._saved: tuple[Any, dict[str, Any]] | None = None

    def begin(self, *, writing: bool, foreign_keys: bool = True) -> None:
        """Begin the library's transaction on the connection (after ``conn.begin()``);
        ``foreign_keys=False`` for a SQLite migration, which checks references itself."""
        conn = self._conn
        if conn.dialect.name == "sqlite":
            driver = conn.connection.driver_connection
            assert driver is not None
            settings = {**_SQLITE_CONNECTION_SETTINGS, "foreign_keys": int(foreign_keys)}
            # on the driver (not SQLAlchemy's bookkeeping), its errors raised as SQLAlchemy's
            saved = {name: on_driver(conn, f"PRAGMA {name}").fetchone()[0] for name in settings}
            self._saved = (driver.isolation_level, saved)
            driver.isolation_level = None  # the library, not pysqlite, says when to BEGIN
            for name, value in settings.items():
                on_driver(conn, f"PRAGMA {name} = {value}")
            on_driver(conn, "BEGIN IMMEDIATE" if writing else "BEGIN")
        elif conn.dialect.name == "postgresql":
            timeout = _PostgresSettings(self._lock_timeout).server_value()
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{timeout}'")

    def restore(self) -> None:
        """Put the connection's own settings back (after the transaction ended)."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        driver = self._conn.connection.driver_connection
        assert driver is not None
        isolation_level, pragmas = saved
        for name, value in pragmas.items():
            on_driver(self._conn, f"PRAGMA {name} = {int(value)}")
        driver.isolation_level = isolation_level


def lock_timeout_of(engine: Engine) -> float | None:
    """The lock timeout (seconds) :func:`configure_engine` set on a PostgreSQL engine;
    None if it has none (or is no configured PostgreSQL engine)."""
    settings = _POSTGRES.get(engine.dialect)
    return settings.lock_timeout if settings is not None else None


def create_engine(
    url: str | URL,
    *,
    lock_timeout: float | None = LOCK_TIMEOUT,
    schema: str | None = None,
    **kwargs: Any,
) -> Engine:
    """``sqlalchemy.create_engine`` plus :func:`configure_engine`.

    ``sqlite:///hotel.db`` for an embedded file database; ``postgresql+psycopg://...`` for
    PostgreSQL. ``lock_timeout``: how long (seconds) a PostgreSQL statement waits for a
    lock another transaction holds before the call fails with ConcurrencyConflict
    (``None``: no limit; SQLite waits :data:`BUSY_TIMEOUT_MS` for its write lock).
    ``schema``: on PostgreSQL, the schema the library's tables live in
    (:func:`in_schema`); ``None``: the connection's default schema.
    """
    try:
        engine = sa_create_engine(url, **kwargs)
    except ModuleNotFoundError as missing:
        raise ModuleNotFoundError(
            f"{missing.name} is needed for this database URL; for PostgreSQL: "
            "pip install 'hotel-occupancy[postgresql]'",
            name=missing.name,
        ) from missing
    engine = configure_engine(engine, lock_timeout=lock_timeout)
    if schema is None:
        return engine
    try:
        return in_schema(engine, schema)
    except ValueError:
        engine.dispose()
        raise


# --- placement -------------------------------------------------------------------------------

_TRANSLATE: Final = "schema_translate_map"  # read back by schema.schema_of

_MAX_NAME = 63
"""PostgreSQL's longest identifier (bytes): a longer schema name would be cut short."""

_SCHEMA_NAME: Final = re.compile(f"[A-Za-z_][A-Za-z0-9_]{{0,{_MAX_NAME - 1}}}")
"""The schema names :func:`in_schema` takes: they need no escaping in a channel name or a
statement's text (and SQLAlchemy quotes one with capitals)."""


def in_schema(engine: Engine, schema: str) -> Engine:
    """A copy of ``engine`` whose connections place the library's tables in the PostgreSQL
    schema ``schema`` (SQLAlchemy's ``schema_translate_map``: the tables, schema-less in
    :data:`~hotel_occupancy.adapters.sqlalchemy.schema.metadata`, are named
    ``"schema".ho_...`` in every statement). The copy shares the engine's pool and
    settings; the engine itself is not changed. Give the copy to
    ``SqlAlchemyUnitOfWork`` and to :mod:`.migrate` (whose ``upgrade`` creates the schema
    if it does not exist). SQLite has no schemas: there the tables' ``ho_`` prefix sets
    them apart, and this raises ValueError.
    """
    if not isinstance(schema, str) or _SCHEMA_NAME.fullmatch(schema) is None:
        raise ValueError(
            "schema must be a name of ASCII letters, digits and underscores, not starting "
            f"with a digit, at most {_MAX_NAME} long, not {schema!r}"
        )
    if engine.dialect.name != "postgresql":
        raise ValueError(
            f"{engine.dialect.name} has no schemas: the library's tables are set apart by "
            "their ho_ prefix there (leave schema unset)"
        )
    translate = {**(engine.get_execution_options().get(_TRANSLATE) or {}), None: schema}
    return engine.execution_options(**{_TRANSLATE: translate})
