"""An operation that waited for a room's occupancy record sees the room's tasks as the
transaction it waited for left them (PostgreSQL, READ COMMITTED).

The SQL adapter reads a room's open tasks along with the acting staff member, in the
statement after the one that locks the record, not in the locking statement itself: a
statement reads the snapshot it started with, and the locking one starts before the
transaction holding the record commits. Here ``complete_cleaning`` holds the record (it
closes the cleaning task and opens an inspection) while ``inspect_room`` waits for it;
the inspection must then close the inspection task the first one opened.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, select

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.adapters.sqlalchemy.schema import occupancies
from hotel_occupancy.domain.invariants import check_invariants
from tests.integration.hotels import HOTEL, build_hotel
from tests.integration.sessions import WAIT, until, waiting_for_locks


@contextlib.contextmanager
def holding(engine: Engine, room_id: str) -> Iterator[None]:
    """A third session holding the room's occupancy record locked."""
    with engine.connect() as conn, conn.begin():
        query = select(occupancies.c.room_id).where(occupancies.c.room_id == room_id)
        assert conn.execute(query.with_for_update()).scalar_one() == room_id
        yield


def test_an_inspection_that_waited_for_a_cleaning_closes_the_task_the_cleaning_opened(
    postgres_engine: Engine,
) -> None:
    """complete_cleaning, then inspect_room queued behind it on the room's record: the
    inspection closes the INSPECTION task the cleaning opened, no task is left open."""
    uow = SqlAlchemyUnitOfWork(postgres_engine)
    build_hotel(uow, ["R1"], [], staff=("mgr", ho.StaffRole.MANAGER))
    services.update_hotel(uow, hotel_id=HOTEL, require_inspection=True)
    services.mark_dirty(uow, room_id="R1", staff_id="mgr")
    services.start_cleaning(uow, room_id="R1", staff_id="mgr")
    outcomes: dict[str, Any] = {}

    def call(name: str) -> None:
        service = getattr(services, name)
        try:
            outcomes[name] = service(
                SqlAlchemyUnitOfWork(postgres_engine), room_id="R1", staff_id="mgr"
            )
        except Exception as error:  # reported below, with the other call's outcome
            outcomes[name] = error

    threads = []
    with holding(postgres_engine, "R1"):
        for name in ("complete_cleaning", "inspect_room"):  # queued in this order
            threads.append(threading.Thread(target=call, args=(name,), daemon=True))
            threads[-1].start()
            waiting = len(threads)
            until(lambda n=waiting: waiting_for_locks(postgres_engine) >= n, f"{name} waits")
    for thread in threads:
        thread.join(WAIT)
        assert not thread.is_alive(), "a call did not finish"
    assert not any(isinstance(o, Exception) for o in outcomes.values()), outcomes
    assert [e.operation for e in outcomes["inspect_room"]] == [ho.Operation.INSPECT]
    assert services.get_occupancy(uow, "R1").condition is ho.Condition.INSPECTED
    assert list(services.open_tasks(uow, HOTEL)) == []
    assert check_invariants(uow.snapshot()) == []
