"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from hotel_occupancy.adapters.sqlalchemy import create_engine as library_engine
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.sessions import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh SQLite file, or the session's PostgreSQL database emptied."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    value: Engine = request.getfixturevalue(name)
    return value


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database of each kind (no schema at all): a SQLite file made by the
    library's create_engine, or a new database of the test server named after the module
    (the migration tests build an older revision in it)."""
    if request.param == "sqlite":
        engine = library_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        module = request.module.__name__.rsplit(".", 1)[-1]
        engine = fresh_database(request.getfixturevalue("postgres_url"), f"ho_empty_{module}")
    yield engine
    engine.dispose()


@pytest.fixture
def legacy_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty legacy database (the legacy schema) in a SQLite file."""
    engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    create_legacy_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(legacy_engine: Engine) -> LegacyDatabase:
    """A builder of legacy rows."""
    return LegacyDatabase(legacy_engine)
