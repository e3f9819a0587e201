from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hotel_occupancy.adapters.sqlalchemy import create_engine, create_schema, metadata
from tests import postgres
from tests.support import World, make_world


@pytest.fixture
def world() -> World:
    """A small hotel on the in-memory adapter (see tests.support.World)."""
    return make_world()


@pytest.fixture
def inspected_world() -> World:
    """The same hotel, but it requires an inspection before a guest checks in."""
    return make_world(require_inspection=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a real PostgreSQL server started for this test session."""
    if postgres.find_bin_dir() is None:
        if postgres.required():
            pytest.fail(postgres.HOW_TO_ENABLE)
        pytest.skip(postgres.HOW_TO_ENABLE)
    with postgres.running_server() as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_schema(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(postgres_url, pool_size=10, max_overflow=40)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(_postgres_schema: Engine) -> Engine:
    """An engine on the session's PostgreSQL database, emptied before the test."""
    tables = ", ".join(t.name for t in metadata.sorted_tables)
    with _postgres_schema.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return _postgres_schema


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh SQLite file (WAL mode) with the schema created."""
    engine = create_engine(f"sqlite:///{tmp_path / 'hotel.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()
