"""The SQLAlchemy 2.x adapter: SQLite (embedded default) and PostgreSQL (psycopg 3).

::

    from hotel_occupancy.adapters.sqlalchemy import (
        SqlAlchemyUnitOfWork, create_engine, create_schema,
    )

    engine = create_engine("sqlite:///hotel.db")
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine)

On PostgreSQL the tables can live in a schema of their own:
``in_schema(create_engine(url), "hotel")`` (see ``docs/how-to/host-migrations.md``).
"""

from hotel_occupancy.adapters.sqlalchemy.engine import configure_engine, create_engine, in_schema
from hotel_occupancy.adapters.sqlalchemy.host_transaction import HostTransactionUnitOfWork
from hotel_occupancy.adapters.sqlalchemy.migrate import create_schema
from hotel_occupancy.adapters.sqlalchemy.schema import metadata
from hotel_occupancy.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.errors import StorageError

__all__ = [
    "HostTransactionUnitOfWork",
    "SqlAlchemyUnitOfWork",
    "StorageError",
    "configure_engine",
    "create_engine",
    "create_schema",
    "in_schema",
    "metadata",
]
