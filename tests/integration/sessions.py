"""Helpers for tests that interleave database sessions: bounded waits, who is waiting for
a lock, and databases of their own on the test PostgreSQL server."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, text

from hotel_occupancy.adapters.sqlalchemy import create_engine

WAIT = 30.0
"""How long a test waits for something that should happen at once before it fails."""


def until(condition: Callable[[], bool], what: str, wait: float = WAIT) -> None:
    """Wait until ``condition()`` holds (bounded: a hang fails the test, saying ``what``)."""
    deadline = time.monotonic() + wait
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.005)


def waiting_for_locks(engine: Engine) -> int:
    """How many sessions of the engine's PostgreSQL database are waiting for a lock."""
    with engine.connect() as conn:
        count = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar_one()
    return int(count)


def fresh_database(postgres_url: str, name: str) -> Engine:
    """An engine on a new, empty database ``name`` of the test server (dropped first if a
    previous run left it), for tests that must not share the session's database."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return create_engine(postgres_url.rsplit("/", 1)[0] + f"/{name}")
