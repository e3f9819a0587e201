"""Opening the library's database from the command line, and telling why it failed."""

from __future__ import annotations

import os
import shlex
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

import hotel_occupancy as ho
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    in_schema,
    migrate,
)
from hotel_occupancy.adapters.sqlalchemy import engine as engine_setup
from hotel_occupancy.adapters.sqlalchemy.engine import BEGIN_OPTION
from hotel_occupancy.adapters.sqlalchemy.schema import hotels
from hotel_occupancy.cli.exits import CommandError, StorageProblem, UsageProblem
from hotel_occupancy.cli.text import shown_url
from hotel_occupancy.services import lookups

PROG = "hotel-occupancy"
DEFAULT_DB = "sqlite:///hotel-occupancy.db"
DEMO_DB = "sqlite:///hotel-occupancy-demo.db"
ENV_DB = "HOTEL_OCCUPANCY_DB"
"""The environment variable naming the database when ``--db`` is not given."""

ENV_SCHEMA = "HOTEL_OCCUPANCY_SCHEMA"
"""The environment variable naming the library's PostgreSQL schema when ``--schema`` is not
given."""

# --- opening databases -------------------------------------------------------------------


def _parsed(url: str) -> URL:
    """``url`` parsed; a usage error (exit code 2) if it cannot be parsed at all."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as error:
        raise UsageProblem(f"malformed database URL {shown_url(url)!r}: {error}") from None


def _sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or SQLite in memory); a usage
    error if the URL cannot be parsed."""
    parsed = _parsed(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, read without writing a byte to it (waiting for a lock
    as long as the library's writers do)."""
    if path.is_dir():
        raise StorageProblem(f"{path} is a directory, not a database file")
    timeout = engine_setup.BUSY_TIMEOUT_MS / 1000
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        cause = _sqlite_cause(error, path, writing=False)
        raise StorageProblem(cause or f"{path} is not a usable SQLite database: {error}") from None


def _not_ours(url: str, schema: str | None = None, *, postgresql: bool = False) -> str:
    """Why the database at ``url`` (in ``schema``, if given) is not the library's, and how
    to make it so; on PostgreSQL without a schema, that its tables may be in one."""
    shown = shown_url(url)
    if schema is not None:
        return (
            f"{shown} has no hotel_occupancy tables in schema {schema!r} (create them with: "
            f"{PROG} --schema {shlex.quote(schema)} init; or give the --schema NAME they are in)"
        )
    hint = f"create one with: {PROG} init"
    if postgresql:
        hint += "; if the library's tables are in a schema of their own, give --schema NAME"
    return f"{shown} is not a hotel_occupancy database ({hint})"


@contextmanager
def _read_only(engine: Engine) -> Iterator[Connection]:
    """A connection for the command line's own reads: its transactions BEGIN read-only
    (on SQLite a plain ``BEGIN``, never the writers' ``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{BEGIN_OPTION: "BEGIN"})


def open_engine(url: str, *, must_exist: bool = True, schema: str | None = None) -> Engine:
    """An engine for ``url``; with ``must_exist``, the database must already hold the
    library's schema at the current revision. Nothing is written to a database that
    turns out not to be one of ours, and checking takes no write lock. ``schema``: the
    PostgreSQL schema of the library's tables (``--schema``; None: the default one)."""
    shown = shown_url(url)
    path = _sqlite_path(url)
    if must_exist and path is not None:
        if not path.exists():
            raise StorageProblem(
                f"no database at {path} (create one with: {PROG} init --db {shown})"
            )
        if "ho_occupancies" not in _sqlite_tables(path):
            raise StorageProblem(_not_ours(url))
    try:
        engine = create_engine(url)
    except NoSuchModuleError as error:  # a kind of database SQLAlchemy does not know
        raise StorageProblem(f"no database driver for {shown!r}: {error}") from None
    except (ArgumentError, ValueError) as error:  # a value of the URL that cannot be read
        raise UsageProblem(f"malformed database URL {shown!r}: {error}") from None
    except ImportError as error:
        raise StorageProblem(f"no driver installed for {shown!r}: {error}") from None
    run = click.get_current_context(silent=True)
    if run is not None:  # the command's connections close when it ends, not at exit
        run.call_on_close(engine.dispose)
    if schema is not None:
        try:
            engine = in_schema(engine, schema)
        except ValueError as error:
            raise UsageProblem(f"--schema {schema!r}: {error}") from None
    if not must_exist:
        return engine
    with _read_only(engine) as conn:
        tables = set(sa_inspect(conn).get_table_names(schema=schema))
        context = MigrationContext.configure(
            conn, opts={"version_table": migrate.VERSION_TABLE, "version_table_schema": schema}
        )
        revision = context.get_current_revision()
    if "ho_occupancies" not in tables:
        raise StorageProblem(_not_ours(url, schema, postgresql=engine.dialect.name == "postgresql"))
    if revision is not None and revision != migrate.head():
        raise StorageProblem(
            f"{shown} has schema revision {revision}; this version needs {migrate.head()} "
            f"(run: {PROG} db upgrade --db {shown})"
        )
    return engine


def _hotel_id(uow: SqlAlchemyUnitOfWork, requested: str | None) -> str:
    if requested:
        return requested
    hotels = _hotels(uow)
    if len(hotels) == 1:
        return hotels[0]
    if not hotels:
        raise CommandError("the database holds no hotel yet")
    raise UsageProblem(
        f"the database holds several hotels; choose one with --hotel ({', '.join(hotels)})"
    )


def _hotels(uow: SqlAlchemyUnitOfWork) -> list[str]:
    with uow.reading():
        return list(
            uow.connection.execute(select(hotels.c.hotel_id).order_by(hotels.c.hotel_id)).scalars()
        )


def _hotel(uow: SqlAlchemyUnitOfWork, hotel_id: str) -> ho.Hotel:
    """The hotel ``hotel_id`` (HotelNotFound, a refusal, if there is none)."""
    with uow.reading():
        return lookups.get_hotel(uow, hotel_id)


_FINDINGS = 50
"""The most findings of SQLite's integrity check reported."""


def _integrity_findings(engine: Engine) -> list[str]:
    """What SQLite finds wrong with the structure of the file (pages, b-trees, indexes),
    read-only: an empty list when it is sound, and on databases without such a check.

    ``PRAGMA integrity_check`` first; where it gives up on a damaged page, the lighter
    ``quick_check``; where even that cannot read the file, that is the finding."""
    if engine.dialect.name != "sqlite":
        return []
    failure: DBAPIError | None = None
    for pragma in ("integrity_check", "quick_check"):
        try:
            with _read_only(engine) as conn:
                rows = list(conn.exec_driver_sql(f"PRAGMA {pragma}({_FINDINGS})").scalars())
        except DBAPIError as error:
            if not _is_damage(error):
                raise
            failure = error
            continue
        found = [line for row in rows for line in str(row).splitlines()]
        return [line for line in found if line != "ok" and not line.startswith("*** ")]
    return [f"the file is too damaged to be checked: {_first_line(failure)}"]


# --- why a database failed ---------------------------------------------------------------

_DAMAGED = "the database is damaged or not a hotel_occupancy database"
_WRITERS = frozenset(
    {"init", "db", "demo", "do", "legacy", "relay", "night-audit", "worksheets"}
    | {"hotel", "room", "staff", "booking"}
)
"""The commands that write to the database (the others only read; ``follow`` writes its
consumer's position when given one; ``worksheets --show`` only reads)."""


def _sqlite_error(error: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind ``error`` (raised through SQLAlchemy and the library)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            return current
        if isinstance(current, DBAPIError) and isinstance(current.orig, sqlite3.Error):
            return current.orig
        current = current.__cause__ or current.__context__
    return None


def _first_line(error: BaseException | None) -> str:
    """The first line of an error's message (through SQLAlchemy, of the driver's)."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _is_damage(error: BaseException) -> bool:
    """Whether SQLite found the file damaged, or not a database at all."""
    found = _sqlite_error(error)
    return found is not None and getattr(found, "sqlite_errorname", "").startswith(
        ("SQLITE_CORRUPT", "SQLITE_NOTADB")
    )


def _sqlite_cause(error: BaseException, path: Path | None, *, writing: bool) -> str | None:
    """A message naming the cause of a SQLite failure behind ``error`` (a damaged file, a
    lock held by another process, a directory or file the user may not write), or None
    when there is no SQLite error behind it or its cause is not one of those."""
    found = _sqlite_error(error)
    if found is None:
        return None
    name = getattr(found, "sqlite_errorname", "")
    detail = _first_line(found)
    if _is_damage(found):
        return f"{_DAMAGED}: {detail}"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        where = path if path is not None else "the database"
        return f"{where} is locked by another process ({detail}); nothing was changed"
    if path is not None and name.startswith(
        ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH", "SQLITE_IOERR")
    ):
        problems = _access_problems(path, writing=writing)
        if problems:
            return (
                f"cannot {'write' if writing else 'read'} {path}: {'; '.join(problems)} ({detail})"
            )
    return None


def _access_problems(path: Path, *, writing: bool) -> list[str]:
    """What keeps SQLite from opening ``path``, or from writing to it, as far as the file
    system tells: a missing directory, a non-directory on the way, a directory given as the
    file, a file or a directory the user may not write. (SQLite keeps a database's ``-wal``
    and ``-shm`` files next to it, so even a reader may need to create them there.)"""
    path = Path(os.path.abspath(path))
    parent = path.parent
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return [f"{ancestor} is not a directory"]
    if ancestor != parent:
        return [f"directory {parent} does not exist"]
    if path.is_dir():
        return [f"{path} is a directory"]
    problems = []
    if path.exists() and not os.access(path, os.R_OK):
        problems.append(f"file {path} not readable")
    elif path.exists() and writing and not os.access(path, os.W_OK):
        problems.append(f"file {path} not writable")
    shm = Path(f"{path}-shm")
    for side in (Path(f"{path}-wal"), shm):
        if side.exists() and not os.access(side, os.R_OK | os.W_OK):
            problems.append(f"file {side} not writable")
    if (writing or not shm.exists()) and not os.access(parent, os.W_OK | os.X_OK):
        problems.append(f"directory {parent} not writable")
    return problems


_ADAPTER = "hotel_occupancy.adapters.sqlalchemy"


def _raised_reading_rows(error: BaseException) -> bool:
    """Whether ``error`` was raised inside the SQLAlchemy adapter (turning stored rows into
    objects), rather than by the command line's own code."""
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_globals.get("__name__", "").startswith(_ADAPTER):
            return True
        frame = frame.tb_next
    return False
