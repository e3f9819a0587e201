"""Databases at older revisions, for the migrations' tests.

The library's code reads and writes the newest schema only, so a migration's test cannot run
services on a database of an older revision. :func:`built_at` runs them in a scratch
database at head instead (of the same kind: SQLite or PostgreSQL), then copies its rows into
the database at the old revision: only the columns that revision has, and a value it cannot
hold (in a column it lacks, one that is not NULL, false or the column's server default, which
the migration adding the column gives the rows it finds; a row of a table it lacks) fails the
test.
:func:`stored_rows` reads a database of any revision as plain rows, to compare what it holds
before and after a migration.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, MetaData, insert, inspect, select, text

from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    create_engine,
    create_schema,
    metadata,
    migrate,
)
from hotel_occupancy.adapters.sqlalchemy import schema as s
from hotel_occupancy.domain.invariants import StoreSnapshot
from tests.integration.sessions import fresh_database

_THE_DATABASES_OWN = {"txid"}  # the feed's key: set by the target's trigger, if it has one


def built_at(
    engine: Engine,
    revision: str,
    build: Callable[[SqlAlchemyUnitOfWork], None],
    **options: Any,
) -> StoreSnapshot:
    """Migrate ``engine`` (empty) to ``revision`` and fill it with what ``build`` makes
    through services on a unit of work made with ``options``; what the store held then."""
    with tempfile.TemporaryDirectory() as directory:
        scratch = _scratch(engine, Path(directory))
        try:
            create_schema(scratch)
            uow = SqlAlchemyUnitOfWork(scratch, **options)
            try:
                build(uow)
                snapshot = uow.snapshot()
            finally:
                uow.close()
            migrate.upgrade(engine, revision)
            copy_rows(scratch, engine)
        finally:
            scratch.dispose()
    return snapshot


def _scratch(engine: Engine, directory: Path) -> Engine:
    if engine.dialect.name == "postgresql":
        url = engine.url.render_as_string(hide_password=False)
        return fresh_database(url, f"{engine.url.database}_scratch")
    return create_engine(f"sqlite:///{directory / 'scratch.db'}")


def _server_default(column: Column[Any]) -> str | None:
    """The column's server default as SQL text without quotes ('NONE', 1), or None."""
    arg = getattr(column.server_default, "arg", None)
    if arg is None:
        return None
    return (arg if isinstance(arg, str) else str(getattr(arg, "text", arg))).strip("'")


def _implied(column: Column[Any], value: Any) -> bool:
    """Whether a revision lacking ``column`` implies ``value``: NULL, false, or what the
    migration adding the column gives existing rows (its server default)."""
    if value is None:
        return True
    default = _server_default(column)
    if isinstance(value, bool):  # a flag without a default is implied false
        if default is None:
            return value is False
        return default.upper() in (("TRUE", "1") if value else ("FALSE", "0"))
    return default is not None and str(value) == default


def copy_rows(source: Engine, target: Engine) -> None:
    """Every row of ``source`` (at head) into ``target`` (at any revision), in one
    transaction, log ids included."""
    inspector = inspect(target)
    present = {
        t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
    }
    with source.connect() as read, target.begin() as write:
        for table in metadata.sorted_tables:
            rows = [dict(row) for row in read.execute(select(table)).mappings()]
            if not rows:
                continue
            columns = present.get(table.name)
            assert columns is not None, f"{table.name} holds rows the old revision has no table for"
            for row in rows:
                lost = {
                    name: value
                    for name, value in row.items()
                    if name not in columns | _THE_DATABASES_OWN
                    and not _implied(table.c[name], value)
                }
                assert not lost, f"a row of {table.name} holds what the old revision cannot: {lost}"
            if table is s.guests:  # a primary guest before its companions
                rows.sort(key=lambda row: row["primary_guest_id"] is not None)
            kept = columns - _THE_DATABASES_OWN
            write.execute(insert(table), [{k: v for k, v in r.items() if k in kept} for r in rows])
        if target.dialect.name == "postgresql":  # the copied ids are taken: number on after them
            for table in (s.log, s.legacy_handovers):
                if table.name in present:
                    write.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"max(id)) FROM {table.name} HAVING count(*) > 0"
                        )
                    )


def stored_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the library, as the database holds it (any revision)."""
    reflected = MetaData()
    reflected.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for name, table in sorted(reflected.tables.items())
            if name.startswith("ho_") and name != migrate.VERSION_TABLE
        }
