"""Alembic environment of hotel_occupancy's schema.

Used through :mod:`hotel_occupancy.adapters.sqlalchemy.migrate` (``upgrade(engine)``),
which hands this script a connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from hotel_occupancy.adapters.sqlalchemy.schema import metadata

VERSION_TABLE = "ho_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached from the alembic command line
    raise RuntimeError("run migrations through hotel_occupancy.adapters.sqlalchemy.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
