"""The SQLAlchemy 2.x adapter: SQLite (embedded default) and PostgreSQL (psycopg 3).

::

    from hotel_occupancy.adapters.sqlalchemy import (
        SqlAlchemyUnitOfWork, create_engine, create_schema,
    )

    engine = create_engine("sqlite:///hotel.db")
    create_schema(engine)
    uow = SqlAlchemyUnitOfWork(engine)
"""

from hotel_occupancy.adapters.sqlalchemy.schema import metadata
from hotel_occupancy.adapters.sqlalchemy.unit_of_work import (
    SqlAlchemyUnitOfWork,
    StorageError,
    configure_engine,
    create_engine,
    create_schema,
)

__all__ = [
    "SqlAlchemyUnitOfWork",
    "StorageError",
    "configure_engine",
    "create_engine",
    "create_schema",
    "metadata",
]
