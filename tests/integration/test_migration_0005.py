"""Migration 0005 (legacy handovers) brings a database of revision 0004 holding an imported
hotel forward: every row is kept, the hotel can be cut over and back, and it goes back
down again keeping who owns the hotel."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_schema, migrate
from hotel_occupancy.adapters.sqlalchemy import create_engine as ho_create_engine
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import Owner
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.revisions import built_at, stored_rows
from tests.integration.sessions import fresh_database

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[LegacySqlSource]:
    """A legacy hotel with an in-house room and a ready room."""
    engine = create_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    create_legacy_schema(engine)
    db = LegacyDatabase(engine)
    hotel = db.hotel()
    db.staff(hotel, role="HOUSEKEEPING", id=1)
    db.in_house_booking(hotel, db.room(hotel, "101"), checked_in_at=datetime(2026, 1, 10, 15))
    db.room(hotel, "102")
    yield LegacySqlSource(engine)
    engine.dispose()


def _store(engine: Engine) -> SqlAlchemyUnitOfWork:
    counter = itertools.count(100001)
    return SqlAlchemyUnitOfWork(engine, clock=lambda: NOW, pins=lambda: str(next(counter)))


def _imported_at_0004(engine: Engine, source: LegacySqlSource) -> StoreSnapshot:
    """The legacy hotel imported into a database at revision 0004; what it holds (imported
    at head and copied over: the library runs on the newest schema only)."""
    counter = itertools.count(100001)
    snapshot = built_at(
        engine,
        "0004",
        lambda uow: services.import_legacy(uow, source),
        clock=lambda: NOW,
        pins=lambda: str(next(counter)),
    )
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
    rows = stored_rows(empty)
    migrate.upgrade(empty)
    services.cut_over(_store(empty), source, "1", by="Dana")
    migrate.downgrade(empty, "0004")
    assert migrate.current(empty) == "0004"
    assert "ho_legacy_handovers" not in inspect(empty).get_table_names()
    uow = _store(empty)
    with uow.reading():
        record = uow.legacy.record("1")
    assert record is not None
    assert record.owner is Owner.LIBRARY
    kept = stored_rows(empty)
    del kept["ho_legacy_hotels"], rows["ho_legacy_hotels"]  # its owner changed, as above
    assert kept == rows
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    assert _store(empty).snapshot() == before


def _one_writer_ddl(engine: Engine) -> list[str]:
    """The one-writer guard as the database holds it."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"
            return [str(s) for s in conn.execute(text(query), {"n": "ho_log_one_writer"}).scalars()]
        triggers = conn.execute(
            text("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = :n"),
            {"n": "ho_log_one_writer"},
        ).scalars()
        functions = conn.execute(
            text("SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = :n"),
            {"n": "ho_log_one_writer"},
        ).scalars()
        return [*map(str, triggers), *map(str, functions)]


def test_after_the_upgrade_the_database_refuses_library_changes_to_a_legacy_owned_hotel(
    empty: Engine, source: LegacySqlSource, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """At head the database itself keeps one writer per hotel: an operation on the
    legacy-owned hotel is PermissionDenied with nothing changed, and works once it is cut
    over; the guard is the one create_schema makes."""
    before = _imported_at_0004(empty, source)
    migrate.upgrade(empty)
    uow = _store(empty)
    with pytest.raises(ho.PermissionDenied, match="legacy cutover"):
        services.mark_dirty(uow, room_id="2", staff_id="1")
    assert uow.snapshot() == before
    if empty.dialect.name == "sqlite":
        fresh = ho_create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    else:
        fresh = fresh_database(request.getfixturevalue("postgres_url"), "ho_fresh_0005")
    create_schema(fresh)
    assert _one_writer_ddl(empty) == _one_writer_ddl(fresh)
    assert _one_writer_ddl(empty)
    fresh.dispose()
