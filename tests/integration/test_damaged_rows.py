"""A damaged or tampered database (issue 10, point 4): a stored row that cannot be an entity
is StorageError, never a raw KeyError or ValueError, on every read that meets it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_engine, create_schema
from tests.integration.sessions import fresh_database
from tests.support import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own (its checks are switched off by the test, so it must not be
    the session's shared PostgreSQL database)."""
    if request.param == "sqlite":
        made = create_engine(f"sqlite:///{tmp_path / 'damaged.db'}")
    else:
        made = fresh_database(request.getfixturevalue("postgres_url"), "ho_damaged")
    create_schema(made)
    yield made
    made.dispose()


def _hotel(engine: Engine) -> SqlAlchemyUnitOfWork:
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R1", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="m", name="M", role=ho.StaffRole.MANAGER)
    services.mark_dirty(uow, room_id="R1", staff_id="m")
    return uow


def _tamper(engine: Engine, statement: str) -> None:
    """Run ``statement`` with the database's own checks switched off, as a hand edit would."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
            conn.exec_driver_sql(statement)
            conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
        else:
            table = statement.split()[1]
            for (name,) in conn.execute(
                text(
                    "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)"
                    " AND contype = 'c'"
                ),
                {"t": table},
            ):
                conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            conn.exec_driver_sql(statement)
        conn.commit()


READS: dict[str, Callable[[SqlAlchemyUnitOfWork], object]] = {
    "get_occupancy": lambda uow: services.get_occupancy(uow, "R1"),
    "room_board": lambda uow: services.room_board(uow, "H"),
    "room_history": lambda uow: services.room_history(uow, "R1"),
    "open_tasks": lambda uow: services.open_tasks(uow, "H"),
    "snapshot": lambda uow: uow.snapshot(),
    "an operation": lambda uow: services.start_cleaning(uow, room_id="R1", staff_id="m"),
}

DAMAGE = {
    "unknown status": "UPDATE ho_occupancies SET status = 'BOGUS'",
    "unknown log operation": "UPDATE ho_log SET operation = 'TELEPORT'",
    "malformed log metadata": "UPDATE ho_log SET metadata = '{not json'",
    "unknown task kind": "UPDATE ho_tasks SET kind = 'PAINTING'",
}

MEETS = {  # which reads meet which damaged row
    "unknown status": {"get_occupancy", "room_board", "snapshot", "an operation"},
    "unknown log operation": {"room_history", "snapshot"},
    "malformed log metadata": {"room_history", "snapshot"},
    "unknown task kind": {"open_tasks", "snapshot", "an operation"},
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_row_is_a_storage_error_for_every_read_that_meets_it(
    engine: Engine, damage: str
) -> None:
    """Each read of the damaged row raises StorageError naming the table, nothing raw."""
    uow = _hotel(engine)
    _tamper(engine, DAMAGE[damage])
    for name in sorted(MEETS[damage]):
        with pytest.raises(ho.StorageError, match="damaged") as raised:
            READS[name](uow)
        assert "ho_" in raised.value.message or "board" in raised.value.message, name
        assert isinstance(raised.value.__cause__, KeyError | ValueError | TypeError), name
