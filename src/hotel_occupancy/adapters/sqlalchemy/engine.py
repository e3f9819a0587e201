"""Engine set-up: what the library needs of a database connection.

On SQLite: a file database in WAL mode, foreign keys on, a busy timeout, and writers that
take the write lock at BEGIN (``BEGIN IMMEDIATE``, the documented pysqlite recipe), so
concurrent writers queue up instead of deadlocking or losing updates. PostgreSQL needs
nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = ["BEGIN_OPTION", "BUSY_TIMEOUT_MS", "configure_engine", "create_engine"]

BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite writer waits for the write lock before giving up."""

BEGIN_OPTION = "hotel_occupancy_begin"
"""The execution option naming the BEGIN statement of a transaction (read-only ones use
plain ``BEGIN`` on SQLite, so readers never take the write lock)."""


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
    conn.exec_driver_sql(conn.get_execution_options().get(BEGIN_OPTION, "BEGIN IMMEDIATE"))


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
