"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh SQLite file, or the session's PostgreSQL database emptied."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    value: Engine = request.getfixturevalue(name)
    return value
