"""Schema migrations (Alembic), shipped inside the package.

``upgrade(engine)`` brings any database, empty or older, to the current schema;
``downgrade(engine, "base")`` removes it. ``current(engine)`` tells the revision a
database is at (None when it was never migrated). Database failures are raised as
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` or
:class:`~hotel_occupancy.domain.errors.StorageError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from hotel_occupancy.adapters.sqlalchemy.engine import ForeignConnection, is_configured
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.schema import metadata
from hotel_occupancy.domain.errors import StorageError

__all__ = ["create_schema", "current", "downgrade", "head", "stamp", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "ho_alembic_version"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"``: no schema at all)."""
    _run(engine, command.downgrade, revision)


def stamp(engine: Engine, revision: str) -> None:
    """Record the database as being at ``revision`` without changing its tables (for a
    schema made by ``create_schema``, which stamps itself)."""
    _run(engine, command.stamp, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = _config()
    try:
        with _migrating(engine) as conn:
            config.attributes["connection"] = conn
            step(config, revision)
            if conn.dialect.name == "sqlite":
                _check_references(conn)
    except DBAPIError as error:
        raise translate(error) from error


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for a migration, committed if the block ends
    normally. An engine the library did not configure is left as it was: the library's
    settings apply to this transaction only (:class:`.engine.ForeignConnection`)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if is_configured(engine):
            if sqlite:
                _sqlite_foreign_keys(conn, "OFF")
            try:
                with conn.begin():
                    yield conn
            finally:
                if sqlite:
                    _sqlite_foreign_keys(conn, "ON")
            return
        foreign = ForeignConnection(conn)
        try:
            with conn.begin():
                foreign.begin(writing=True, foreign_keys=False)
                yield conn
        finally:
            foreign.restore()


def _sqlite_foreign_keys(conn: Connection, setting: str) -> None:
    """Turn SQLite's foreign key enforcement on or off on ``conn``, outside a transaction
    (inside one the pragma does nothing). A migration runs with it off, as SQLite's own
    procedure for altering a table asks: Alembic's batch mode copies a table into a new one
    and drops the old, which with enforcement on fails (or, deferred, fails the commit) for
    a table other tables' rows refer to; :func:`_check_references` checks the references
    at the end instead."""
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None  # an open connection has one
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA foreign_keys = {setting}")
    finally:
        cursor.close()


def _check_references(conn: Connection) -> None:
    """Refuse (roll back) a SQLite migration that leaves a row referring to nothing."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise StorageError(
            f"the migration would leave {len(broken)} row(s) of {', '.join(tables)} referring "
            "to rows that do not exist; nothing was changed"
        )


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            return context.get_current_revision()
    except DBAPIError as error:
        raise translate(error) from error


def head() -> str:
    """The newest revision shipped with this version of the library."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def create_schema(engine: Engine) -> None:
    """Create the library's tables and indexes (those missing) in the database, and record
    it as being at the newest migration, so that later ``migrate.upgrade`` calls apply only
    what a newer version adds."""
    try:
        with _migrating(engine) as conn:
            metadata.create_all(conn)
    except DBAPIError as error:
        raise translate(error) from error
    if current(engine) is None:
        stamp(engine, "head")
