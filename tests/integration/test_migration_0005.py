"""Migration 0005 (legacy handovers) brings a database of revision 0004 holding an imported
hotel forward: every row is kept, the hotel can be cut over and back, and it goes back
down again keeping who owns the hotel."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect

from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, migrate
from hotel_occupancy.adapters.sqlalchemy import create_engine as ho_create_engine
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import Owner
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.sessions import fresh_database

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty database of each kind (no schema at all)."""
    if request.param == "sqlite":
        engine = ho_create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        engine = fresh_database(request.getfixturevalue("postgres_url"), "ho_revision_0004")
    yield engine
    engine.dispose()


@pytest.fixture
def source(tmp_path: Path) -> Iterator[LegacySqlSource]:
    """A legacy hotel with an in-house room and a ready room."""
    engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    create_legacy_schema(engine)
    db = LegacyDatabase(engine)
    hotel = db.hotel()
    db.in_house_booking(hotel, db.room(hotel, "101"), checked_in_at=datetime(2026, 1, 10, 15))
    db.room(hotel, "102")
    yield LegacySqlSource(engine)
    engine.dispose()


def _store(engine: Engine) -> SqlAlchemyUnitOfWork:
    counter = itertools.count(100001)
    return SqlAlchemyUnitOfWork(engine, clock=lambda: NOW, pins=lambda: str(next(counter)))


def _imported_at_0004(engine: Engine, source: LegacySqlSource) -> StoreSnapshot:
    migrate.upgrade(engine, "0004")
    uow = _store(engine)
    services.import_legacy(uow, source)
    snapshot = uow.snapshot()
    assert len(snapshot.rooms) == 2
    return snapshot


def test_upgrading_from_0004_keeps_every_row_and_the_hotel_can_be_cut_over(
    empty: Engine, source: LegacySqlSource
) -> None:
    """At head every row is kept, the hotel still diffs clean, and its cut-over and return
    are recorded in the new table."""
    before = _imported_at_0004(empty, source)
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    uow = _store(empty)
    assert uow.snapshot() == before
    assert services.legacy_diff(uow, source).clean
    services.cut_over(uow, source, "1", by="Dana")
    services.cut_over(uow, source, "1", by="Dana", back=True)
    with uow.reading():
        assert [h.owner for h in uow.legacy.handovers("1")] == [Owner.LIBRARY, Owner.LEGACY]


def test_downgrading_0005_to_0004_drops_the_handovers_and_keeps_the_owner(
    empty: Engine, source: LegacySqlSource
) -> None:
    """Back to 0004: the handovers' table goes; every row stays, the owner with it."""
    before = _imported_at_0004(empty, source)
    migrate.upgrade(empty)
    services.cut_over(_store(empty), source, "1", by="Dana")
    migrate.downgrade(empty, "0004")
    assert migrate.current(empty) == "0004"
    assert "ho_legacy_handovers" not in inspect(empty).get_table_names()
    uow = _store(empty)
    assert uow.snapshot() == before
    with uow.reading():
        record = uow.legacy.record("1")
    assert record is not None
    assert record.owner is Owner.LIBRARY
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
