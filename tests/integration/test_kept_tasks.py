"""A write transaction keeps the open tasks of the rooms it locked (read with the acting
staff member on PostgreSQL, by their own query on SQLite): what it serves from the keep is
what the database holds, after every kind of write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from sqlalchemy import Engine, event

import hotel_occupancy as ho
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    mapping,
)
from hotel_occupancy.adapters.sqlalchemy import repositories as repos
from hotel_occupancy.domain.model import HousekeepingTask
from tests.integration.hotels import HOTEL, build_hotel

AT = datetime(2026, 3, 10, 15, tzinfo=UTC)


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The integration tests' engine (SQLite or PostgreSQL) with hotel H: rooms R1, R2 and
    a manager."""
    build_hotel(SqlAlchemyUnitOfWork(engine), ["R1", "R2"], [], staff=("mgr", ho.StaffRole.MANAGER))
    return engine


def task(task_id: str, minutes: int, room: str = "R1", **changes: Any) -> HousekeepingTask:
    """An open INSPECTION task (a kind a room may have several of) of ``room``, created
    ``minutes`` after AT."""
    at = AT + timedelta(minutes=minutes)
    kind = ho.TaskKind.INSPECTION
    made = HousekeepingTask(task_id, HOTEL, room, kind, ho.TaskStatus.OPEN, at, at)
    return attrs.evolve(made, **changes)


def test_kept_open_tasks_are_what_the_database_holds_after_every_write(engine: Engine) -> None:
    """Tasks added (later, earlier and at the same time as kept ones), started, moved in
    time, closed, written in bulk and moved to another room: open_for_room equals a fresh
    read each time, for both rooms."""
    uow = SqlAlchemyUnitOfWork(engine)
    with uow:  # tasks before the transaction that keeps them
        uow.tasks.add_many([task("t-b", 5), task("t-x", 5, room="R2")])
        uow.commit()
    sent: list[str] = []
    with uow:  # (a listener of this transaction's connection only: it ends with it)
        event.listen(uow.connection, "before_cursor_execute", lambda c, cur, s, *a: sent.append(s))
        uow.occupancies.lock(["R1", "R2"])
        assert uow.staff.get("mgr") is not None

        def as_stored(room: str) -> list[HousekeepingTask]:
            rows = repos._OPEN_TASKS_OF_ROOM.rows(uow.connection, {"key": room})
            return [mapping.task(row) for row in rows]

        def check(room: str = "R1") -> bool:
            """The kept tasks equal the stored ones; whether a query was sent for them."""
            sent.clear()
            kept = list(uow.tasks.open_for_room(room))
            queried = bool(sent)
            assert kept == as_stored(room), (room, sent)
            return queried

        writes = [
            lambda: uow.tasks.add(task("t-c", 9)),  # after every kept one
            lambda: uow.tasks.add(task("t-a", 5)),  # at the time of one: the database orders
            lambda: uow.tasks.update(task("t-c", 9, status=ho.TaskStatus.IN_PROGRESS)),
            lambda: uow.tasks.update(task("t-c", 1)),  # moved before the others
            lambda: uow.tasks.update(task("t-b", 5, status=ho.TaskStatus.DONE, closed_at=AT)),
            lambda: uow.tasks.add_many([task("t-d", 20)]),
            lambda: uow.tasks.update_many([task("t-d", 20, status=ho.TaskStatus.CANCELLED)]),
            lambda: uow.tasks.update(task("t-x", 5, room="R1")),  # moved to another room
        ]
        queried = [check("R2"), check()]
        for write in writes:
            write()
            queried.append(check())
        assert check("R2")  # the room t-x left: forgotten, read again, as stored...
        assert list(uow.tasks.open_for_room("R2")) == []  # ...without t-x
        uow.rollback()
    if engine.dialect.name == "postgresql":  # kept from the staff member's read, then followed
        assert queried[:4] == [False, False, False, True]  # the tie made it read again
    else:
        assert queried[:2] == [True, True]  # by their own query
