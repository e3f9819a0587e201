"""SQLite timestamps written before UTCDateTime read and wrote them in one call each
(issue 17): a database filled by the earlier processors at the previous revision upgrades
to head, reads back the very same store, keeps the very same stored text, and goes on
storing timestamps in that text form. (The change left the SQL schema as it was: no
revision was added; test_migrations holds head to create_schema.)"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.types import TypeDecorator

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, migrate, schema
from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime
from hotel_occupancy.domain.invariants import check_invariants
from tests.integration.hotels import build_hotel
from tests.integration.revisions import built_at
from tests.support import FakeClock

# SQLAlchemy's storage format for SQLite DateTime, which both versions write
STORED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _build(uow: SqlAlchemyUnitOfWork) -> None:
    """Hotel H (two rooms, a manager), a guest checked in and moved to the other room."""
    build_hotel(uow, ["R1", "R2"], ["B1"], staff=("m", ho.StaffRole.MANAGER))
    services.assign_room(uow, booking_id="B1", room_id="R1", staff_id="m")
    services.move_guest(uow, from_room_id="R1", to_room_id="R2", staff_id="m")


def _processor(engine: Engine) -> object:
    """The bind processor SQLAlchemy uses for a UTCDateTime value on ``engine``."""
    dialect = engine.dialect
    return UTCDateTime().dialect_impl(dialect).bind_processor(dialect)


def _timestamps(path: Path) -> dict[tuple[str, str], list[object]]:
    """Every value of every timestamp column, as SQLite holds it (no conversion)."""
    engine = create_engine(f"sqlite:///{path}")
    columns = {
        (table, column["name"])
        for table in inspect(engine).get_table_names()
        for column in inspect(engine).get_columns(table)
        if table.startswith("ho_") and "DATETIME" in str(column["type"]).upper()
    }
    engine.dispose()
    with sqlite3.connect(path) as conn:
        return {
            (table, column): sorted(
                (v for (v,) in conn.execute(f'SELECT "{column}" FROM {table}')), key=repr
            )
            for table, column in sorted(columns)
        }


def test_a_database_of_the_earlier_processors_upgrades_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built at 0007 through the composed processors of before, then upgraded with today's:
    the same store, the same stored text, and new timestamps stored in the same form."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as before:  # the processors as they were: TypeDecorator's
        before.setattr(UTCDateTime, "bind_processor", TypeDecorator.bind_processor)
        before.setattr(UTCDateTime, "result_processor", TypeDecorator.result_processor)
        old = create_engine(f"sqlite:///{path}")
        assert _processor(old) is not schema._sqlite_text
        snapshot = built_at(old, "0007", _build, clock=FakeClock())
        old.dispose()
    stored = _timestamps(path)
    assert sum(len(values) for values in stored.values()) > 10  # the build wrote timestamps
    assert all(STORED.fullmatch(v) for vs in stored.values() for v in vs if v is not None)

    engine = create_engine(f"sqlite:///{path}")  # a new dialect: today's processors
    assert _processor(engine) is schema._sqlite_text
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    assert uow.snapshot() == snapshot
    assert _timestamps(path) == stored  # read, not rewritten

    services.checkout_room(uow, room_id="R2", staff_id="m")
    services.start_cleaning(uow, room_id="R2", staff_id="m")
    after = _timestamps(path)
    assert sum(map(len, after.values())) > sum(map(len, stored.values()))
    assert all(STORED.fullmatch(v) for vs in after.values() for v in vs if v is not None)
    assert check_invariants(uow.snapshot()) == []
    engine.dispose()
