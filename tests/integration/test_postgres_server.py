"""The PostgreSQL test server itself."""

from __future__ import annotations

from sqlalchemy import Engine, text


def test_the_test_server_is_a_real_postgresql(postgres_engine: Engine) -> None:
    """The server started from the system's binaries answers as PostgreSQL."""
    with postgres_engine.connect() as conn:
        version = conn.execute(text("select version()")).scalar_one()
    assert "PostgreSQL" in version
