"""Migration 0003 (legacy import) brings a database of revision 0002 with a hotel in it
forward without losing anything, so that services and the legacy import work on it, and
back down again while it holds nothing revision 0002 cannot store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy import exc as sa_exc

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    mapping,
    migrate,
)
from hotel_occupancy.adapters.sqlalchemy import schema as s
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import LegacyHotelRecord, Owner, TakenOver
from tests.integration.revisions import built_at, stored_rows
from tests.integration.test_legacy_store import NOW, history, taken_over
from tests.support import FakeClock


def _hotel_at_0002(engine: Engine) -> StoreSnapshot:
    """A hotel at revision 0002: rooms, staff, a booking in house with its guests, one
    checked out, their log entries and an open cleaning task; what the store holds (built
    at head and copied over: the services run on the newest schema only)."""
    snapshot = built_at(engine, "0002", _build_hotel, clock=FakeClock())
    assert len(snapshot.log) >= 3
    assert len(snapshot.guests) == 4
    assert snapshot.tasks
    return snapshot


def _build_hotel(uow: SqlAlchemyUnitOfWork) -> None:
    services.register_hotel(uow, hotel_id="H", name="Old", require_inspection=False)
    for n in (1, 2):
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=str(n), capacity=2)
    services.register_staff(
        uow, hotel_id="H", staff_id="fd", name="Front", role=ho.StaffRole.FRONT_DESK
    )
    for n in (1, 2):
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=f"B{n}",
            reference=f"OLD-{n}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[ho.BookingGuest(f"g{n}a", "Ada", "Old"), ho.BookingGuest(f"g{n}b", "Bo", "Ek")],
        )
        services.assign_room(uow, booking_id=f"B{n}", room_id=f"R{n}", staff_id="fd")
    services.checkout_room(uow, room_id="R2", staff_id="fd")


def test_upgrading_from_0002_keeps_every_row_and_adds_the_legacy_table(empty: Engine) -> None:
    """At head the hotel of revision 0002 is all there, row for row, log ids included."""
    engine = empty
    before = _hotel_at_0002(engine)
    assert "ho_legacy_hotels" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert "ho_legacy_hotels" in inspect(engine).get_table_names()
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before


def test_services_and_the_legacy_import_work_on_an_upgraded_database(empty: Engine) -> None:
    """After the upgrade a checkout logs on after the old entries, and imported history
    (no room, no states) and IMPORT entries are stored."""
    engine = empty
    before = _hotel_at_0002(engine)
    migrate.upgrade(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    (entry,) = services.checkout_room(uow, room_id="R1", staff_id="fd")
    assert entry.id > max(e.id for e in before.log)
    rows = taken_over("L1")
    with uow:
        uow.legacy.write(rows)
        uow.legacy.save(LegacyHotelRecord("L1", 1, "", Owner.LEGACY, imported_at=NOW))
        uow.commit()
    log = uow.snapshot().log
    assert [e.operation for e in log[-len(rows.entries) :]] == [e.operation for e in rows.entries]
    assert any(e.room_id is None and e.is_imported_history for e in log)
    assert services.get_occupancy(uow, "R1").status is ho.OccupancyStatus.VACANT_DIRTY


def test_downgrading_0003_to_0002_keeps_the_hotel_and_restores_the_old_checks(
    empty: Engine,
) -> None:
    """Without imported entries, going back to 0002 keeps every row, drops the legacy
    table, and the log again refuses an entry without states."""
    engine = empty
    before = _hotel_at_0002(engine)
    rows = stored_rows(engine)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0002")
    assert migrate.current(engine) == "0002"
    assert "ho_legacy_hotels" not in inspect(engine).get_table_names()
    assert stored_rows(engine) == rows
    stateless = history("H", "B1", "R1", ho.Operation.ASSIGN, "fd")
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert(s.log), [mapping.entry_row(stateless)])
    migrate.upgrade(engine)  # and up again
    assert SqlAlchemyUnitOfWork(engine).snapshot() == before


def test_downgrading_a_database_holding_imported_history_is_refused(empty: Engine) -> None:
    """Revision 0002 cannot store imported history: the downgrade refuses and changes nothing."""
    engine = empty
    _hotel_at_0002(engine)
    migrate.upgrade(engine)
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with uow:
        uow.legacy.write(TakenOver(entries=(history("H", "B1", None, ho.Operation.ASSIGN, "fd"),)))
        uow.commit()
    before = uow.snapshot()
    with pytest.raises(ho.StorageError, match="cannot downgrade"):
        migrate.downgrade(engine, "0002")
    assert migrate.current(engine) == migrate.head()
    assert uow.snapshot() == before
    with engine.connect() as conn:
        assert conn.execute(select(s.legacy_hotels)).all() == []
