"""The SQLAlchemy 2.x adapter: SQLite (embedded default) and PostgreSQL (psycopg 3).

::

    from hotel_occupancy.adapters.sqlalchemy import (
        SqlAlchemyUnitOfWork, create_engine, create_schema,
    )

    engine = create_engine("sqlite:///hotel.db")
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine)
"""

from hotel_occupancy.adapters.sqlalchemy.engine import configure_engine, create_engine
from hotel_occupancy.adapters.sqlalchemy.migrate import create_schema
from hotel_occupancy.adapters.sqlalchemy.schema import metadata
from hotel_occupancy.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.errors import StorageError

__all__ = [
    "SqlAlchemyUnitOfWork",
    "StorageError",
    "configure_engine",
    "create_engine",
    "create_schema",
    "metadata",
]
