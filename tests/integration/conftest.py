"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh SQLite file, or the session's PostgreSQL database emptied."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    value: Engine = request.getfixturevalue(name)
    return value


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
