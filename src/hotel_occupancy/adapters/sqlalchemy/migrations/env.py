"""Alembic environment of hotel_occupancy's schema.

Used through :mod:`hotel_occupancy.adapters.sqlalchemy.migrate` (``upgrade(engine)``),
which hands this script a connection in ``config.attributes["connection"]``. The library's
history is kept in its own version table, ``ho_alembic_version`` (never the host's
``alembic_version``); on an engine of ``in_schema`` it is in that schema, with the tables.
"""

from __future__ import annotations

from alembic import context

from hotel_occupancy.adapters.sqlalchemy.schema import metadata, schema_of

VERSION_TABLE = "ho_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached from the alembic command line
    raise RuntimeError("run migrations through hotel_occupancy.adapters.sqlalchemy.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    version_table_schema=schema_of(connection),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
