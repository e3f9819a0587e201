"""Schema migrations (Alembic), shipped inside the package.

``upgrade(engine)`` brings any database, empty or older, to the current schema;
``downgrade(engine, "base")`` removes it. ``current(engine)`` tells the revision a
database is at (None when it was never migrated). Database failures are raised as
:class:`~hotel_occupancy.domain.errors.ConcurrencyConflict` or
:class:`~hotel_occupancy.domain.errors.StorageError`.

The library's history is its own: Alembic records it in :data:`VERSION_TABLE`
(``ho_alembic_version``), never in the host application's ``alembic_version``, so the
two histories never meet. Every name the library creates starts with
:data:`TABLE_PREFIX`; :func:`include_name` and :func:`include_object` (or
:func:`exclude_library` for a host that has filters of its own) keep the host's
autogenerate away from them.

**A schema of its own (PostgreSQL).** Given an engine made by
:func:`~hotel_occupancy.adapters.sqlalchemy.engine.in_schema`, these functions work in
that schema: ``upgrade`` creates it if it does not exist, the version table is in it, and
each migration runs with the schema as its ``search_path`` (so the statements the
migrations send as text, the triggers' functions among them, are made in it). The
triggers' functions are then pinned to the schema (``ALTER FUNCTION ... SET search_path``),
so they find the schema's tables whoever calls them; the feed's notifications go to the
schema's own channel (:func:`~hotel_occupancy.adapters.sqlalchemy.schema.feed_channel`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import SchemaItem

from hotel_occupancy.adapters.sqlalchemy.engine import ForeignConnection, is_configured
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.schema import metadata, schema_of
from hotel_occupancy.domain.errors import StorageError

__all__ = [
    "create_schema",
    "current",
    "downgrade",
    "exclude_library",
    "head",
    "include_name",
    "include_object",
    "stamp",
    "upgrade",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TABLE_PREFIX = "ho_"
"""How the name of every table (and so of every index, constraint, trigger and function)
of the library starts."""

VERSION_TABLE = "ho_alembic_version"
"""The table in which Alembic records the library's revision (the host's own history stays
in its ``alembic_version``)."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``"base"``: no schema at all; a
    PostgreSQL schema of the library's own is left, empty)."""
    _run(engine, command.downgrade, revision, creating=False)


def stamp(engine: Engine, revision: str) -> None:
    """Record the database as being at ``revision`` without changing its tables (for a
    schema made by ``create_schema``, which stamps itself)."""
    _run(engine, command.stamp, revision)


def _run(
    engine: Engine,
    step: Callable[[Config, str], None],
    revision: str,
    *,
    creating: bool = True,
) -> None:
    config = _config()
    try:
        with _migrating(engine, creating=creating) as conn:
            config.attributes["connection"] = conn
            step(config, revision)
            if conn.dialect.name == "sqlite":
                _check_references(conn)
    except DBAPIError as error:
        raise translate(error) from error


@contextmanager
def _migrating(engine: Engine, *, creating: bool = True) -> Iterator[Connection]:
    """A connection in one transaction for a migration, committed if the block ends
    normally. An engine the library did not configure is left as it was: the library's
    settings apply to this transaction only (:class:`.engine.ForeignConnection`). In a
    schema of the library's own (PostgreSQL), see :func:`_placed`."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if is_configured(engine):
            if sqlite:
                _sqlite_foreign_keys(conn, "OFF")
            try:
                with conn.begin(), _placed(conn, creating=creating):
                    yield conn
            finally:
                if sqlite:
                    _sqlite_foreign_keys(conn, "ON")
            return
        foreign = ForeignConnection(conn)
        try:
            with conn.begin():
                foreign.begin(writing=True, foreign_keys=False)
                with _placed(conn, creating=creating):
                    yield conn
        finally:
            foreign.restore()


_FUNCTIONS = text(
    "SELECT p.oid::regprocedure::text FROM pg_proc AS p "
    "JOIN pg_namespace AS n ON n.oid = p.pronamespace "
    "WHERE n.nspname = :schema AND left(p.proname, 3) = 'ho_' ORDER BY 1"
)
_SCHEMA_EXISTS = text("SELECT 1 FROM pg_namespace WHERE nspname = :schema")


@contextmanager
def _placed(conn: Connection, *, creating: bool) -> Iterator[None]:
    """In a PostgreSQL schema of the library's own (an engine of
    :func:`~.engine.in_schema`): create the schema if ``creating`` and it is missing, make
    it the transaction's ``search_path`` (the migrations' statements sent as text name
    the tables and functions without a schema), and at the end pin every function of the
    library in it to the schema, so that a trigger finds the schema's tables whatever the
    ``search_path`` of the session that fires it."""
    schema = schema_of(conn)
    if schema is None or conn.dialect.name != "postgresql":
        yield
        return
    quoted = conn.dialect.identifier_preparer.quote_schema(schema)
    if creating and conn.execute(_SCHEMA_EXISTS, {"schema": schema}).first() is None:
        conn.exec_driver_sql(f"CREATE SCHEMA {quoted}")
    conn.exec_driver_sql(f"SET LOCAL search_path TO {quoted}")
    yield
    for signature in conn.execute(_FUNCTIONS, {"schema": schema}).scalars().all():
        conn.exec_driver_sql(f"ALTER FUNCTION {signature} SET search_path = {quoted}, pg_temp")


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
            context = MigrationContext.configure(conn, opts=_version_options(conn))
            return context.get_current_revision()
    except DBAPIError as error:
        raise translate(error) from error


def _version_options(conn: Connection) -> dict[str, Any]:
    """Alembic's options naming the library's version table, in its schema if it has one."""
    return {"version_table": VERSION_TABLE, "version_table_schema": schema_of(conn)}


def head() -> str:
    """The newest revision shipped with this version of the library."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


_CREATING = 0x686F_6373
"""The first key of the PostgreSQL advisory lock :func:`create_schema` holds while it looks
and creates (the two-integer key space, apart from the library's other locks), with
``hashtext`` of the schema the tables are placed in: one creator at a time per schema."""


def create_schema(engine: Engine) -> None:
    """Create the library's tables, indexes and triggers in a database that has none of
    them, and record it as being at the newest migration, so that later
    ``migrate.upgrade`` calls apply only what a newer version adds; all in one transaction.

    Safe to call on every start of an application, from several processes at once (one
    creates, the others find it made): a database already at the newest revision is left
    as it is. Refused with StorageError, nothing changed: a database at an older revision
    (``migrate.upgrade`` migrates it; creating the tables it lacks would leave it half
    migrated), one made by a newer version of the library, and one holding the library's
    tables without a recorded revision (made by hand: ``migrate.stamp`` records it)."""
    config = _config()
    try:
        with _migrating(engine) as conn:
            schema = schema_of(conn)
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:space, hashtext(:schema))"),
                    {"space": _CREATING, "schema": schema or ""},
                )
            context = MigrationContext.configure(conn, opts=_version_options(conn))
            revision = context.get_current_revision()
            if revision is not None:
                _refuse_other_revision(revision)
                return  # at the newest revision: made already
            tables = [
                name
                for name in inspect(conn).get_table_names(schema=schema)
                if name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
            ]
            if tables:
                raise StorageError(
                    f"the database holds the library's tables ({', '.join(sorted(tables)[:3])}"
                    f"{', ...' if len(tables) > 3 else ''}) but no schema revision: if they "
                    "were made by create_schema or metadata.create_all of this version, "
                    "record them with migrate.stamp(engine, migrate.head()) (nothing was "
                    "changed)"
                )
            metadata.create_all(conn)
            config.attributes["connection"] = conn
            command.stamp(config, "head")
    except DBAPIError as error:
        raise translate(error) from error


def _refuse_other_revision(revision: str) -> None:
    """StorageError unless ``revision`` is the newest this version of the library ships."""
    scripts = ScriptDirectory.from_config(_config())
    newest = scripts.get_current_head()
    if revision == newest:
        return
    if revision in {script.revision for script in scripts.walk_revisions()}:
        raise StorageError(
            f"the database is at schema revision {revision}, older than this version's "
            f"{newest}: migrate it with migrate.upgrade(engine) (nothing was changed)"
        )
    raise StorageError(
        f"the database is at schema revision {revision}, which this version of the library "
        f"does not know (its newest is {newest}): it was made by a newer version; upgrade "
        "the library (nothing was changed)"
    )


# --- the host application's autogenerate -----------------------------------------------------

IncludeName = Callable[[str | None, str, MutableMapping[Any, str | None]], bool]
"""Alembic's ``include_name`` hook: ``(name, type_, parent_names) -> bool``."""

IncludeObject = Callable[[SchemaItem, str | None, str, bool, SchemaItem | None], bool]
"""Alembic's ``include_object`` hook: ``(object, name, type_, reflected, compare_to) -> bool``."""


def _library_name(name: str | None) -> bool:
    return name is not None and name.startswith(TABLE_PREFIX)


def include_name(
    name: str | None, type_: str, parent_names: MutableMapping[Any, str | None]
) -> bool:
    """Alembic's ``include_name`` hook for the HOST's ``env.py``: False for the library's
    tables (named ``ho_...``, its version table among them) and for everything of theirs
    (columns, indexes, constraints), True for anything else; autogenerate then neither
    reflects nor compares them."""
    if type_ == "schema":
        return True
    if type_ == "table":
        return not _library_name(name)
    return not _library_name(parent_names.get("table_name"))


def include_object(
    object: SchemaItem,  # Alembic's name for it
    name: str | None,
    type_: str,
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    """Alembic's ``include_object`` hook for the HOST's ``env.py``: False for the library's
    tables (named ``ho_...``) and for their columns, indexes and constraints, True for
    anything else (a host metadata that imported the library's tables compares without
    them too)."""
    table = object if type_ == "table" else getattr(object, "table", None)
    table_name = getattr(table, "name", None) if table is not None else None
    return not _library_name(name if type_ == "table" else table_name)


def exclude_library(
    schema: str | None = None,
    *,
    include_name: IncludeName | None = None,
    include_object: IncludeObject | None = None,
) -> dict[str, Any]:
    """The ``include_name`` and ``include_object`` arguments of Alembic's
    ``context.configure`` for a HOST's ``env.py``: they leave out the library's objects
    (as :func:`include_name` and :func:`include_object` do) and, given the PostgreSQL
    ``schema`` the library lives in, everything in that schema; anything else is decided
    by the host's own filters, if given (else included)::

        context.configure(..., **migrate.exclude_library("hotel", include_object=mine))
    """
    host_name, host_object = include_name, include_object

    def name_filter(
        name: str | None, type_: str, parent_names: MutableMapping[Any, str | None]
    ) -> bool:
        if schema is not None and (
            (type_ == "schema" and name == schema) or parent_names.get("schema_name") == schema
        ):
            return False
        if not _include_name(name, type_, parent_names):
            return False
        return host_name is None or host_name(name, type_, parent_names)

    def object_filter(
        object: SchemaItem,
        name: str | None,
        type_: str,
        reflected: bool,
        compare_to: SchemaItem | None,
    ) -> bool:
        table = object if type_ == "table" else getattr(object, "table", None)
        if schema is not None and getattr(table, "schema", None) == schema:
            return False
        if not _include_object(object, name, type_, reflected, compare_to):
            return False
        return host_object is None or host_object(object, name, type_, reflected, compare_to)

    return {"include_name": name_filter, "include_object": object_filter}


_include_name = include_name
_include_object = include_object
