"""Side by side with the legacy application (§12, issue 13): the diff between a legacy
database and the library, the cut-over it gates, and the drop plan's refusal."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork, create_schema
from hotel_occupancy.adapters.sqlalchemy import create_engine as ho_create_engine
from hotel_occupancy.cli import main
from hotel_occupancy.domain.legacy import Owner
from hotel_occupancy.domain.side_by_side import (
    DIFF_RULES,
    LEGACY_STATUS_OF,
    CutoverRefused,
    DiffKind,
    legacy_room_status,
    reads_as,
)
from hotel_occupancy.services.ports import LegacyImportUnitOfWork
from hotel_occupancy.testing.legacy import (
    GENERATED_TODAY,
    LegacyDatabase,
    generate_legacy_database,
)

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
T = datetime(2026, 1, 10, 15, 0)  # a naive legacy time (UTC)


def _pins() -> itertools.count[int]:
    return itertools.count(100001)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    """An empty in-memory store whose clock says NOW."""
    counter = _pins()
    return InMemoryUnitOfWork(clock=lambda: NOW, pins=lambda: str(next(counter)))


def _kinds(report: services.DiffReport) -> list[tuple[str, bool]]:
    return sorted((d.kind.value, d.reconciled) for d in report.differences)


def _small_hotel(db: LegacyDatabase) -> dict[str, int]:
    """A hotel with an in-house room, a pre-assigned room and a ready room."""
    hotel = db.hotel()
    rooms = {n: db.room(hotel, n) for n in ("101", "102", "103")}
    stay = db.in_house_booking(hotel, rooms["101"], checked_in_at=T)
    arriving = db.pre_assigned_booking(hotel, rooms["102"])
    return {"hotel": hotel, **{f"r{n}": r for n, r in rooms.items()}, "stay": stay,
            "arriving": arriving}  # fmt: skip


# --- the status table --------------------------------------------------------------------


def test_every_state_the_mirror_writes_reads_back_as_itself() -> None:
    """Each legacy room_status of LEGACY_STATUS_OF reads, by the import's rules, as the
    state it is written for (with the inspection the mirror records)."""
    for (status, condition), value in LEGACY_STATUS_OF.items():
        if condition is not None:
            assert legacy_room_status(status, condition) == value
            assert reads_as(value, inspected=True, status=status, condition=condition)
    assert not reads_as(
        "CHECKOUT_DIRTY",
        inspected=False,
        status=ho.OccupancyStatus.VACANT_CLEAN,
        condition=ho.Condition.CLEAN,
    )


def test_a_room_status_the_import_does_not_know_reads_as_nothing() -> None:
    """An unknown legacy room_status agrees with no state of the library."""
    assert not reads_as(
        "BROKEN",
        inspected=False,
        status=ho.OccupancyStatus.VACANT_DIRTY,
        condition=ho.Condition.DIRTY,
    )


def test_every_kind_of_difference_has_a_rule() -> None:
    """The table of differences names every kind, and both families are present."""
    assert set(DIFF_RULES) == set(DiffKind)
    assert {r.change for r in DIFF_RULES.values()} == {True, False}


# --- the diff ----------------------------------------------------------------------------


def test_a_clean_import_shows_no_difference(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """Right after importing a legacy hotel without defects, the diff finds nothing."""
    _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    report = services.legacy_diff(uow, source)
    assert report.clean, report.summary()
    assert report.hotels == ("1",)


def test_after_an_import_with_every_defect_each_difference_is_a_reported_conflict(
    tmp_path: Path,
) -> None:
    """On a generated legacy database with every defect, the diff after the import holds
    only reconciled column differences, each naming a room or booking of the report."""
    engine = create_engine(f"sqlite:///{tmp_path / 'big.db'}")
    generate_legacy_database(engine, hotels=2, rooms_per_hotel=40, years=1, defects=True)
    counter = _pins()
    now = datetime.combine(GENERATED_TODAY, datetime.min.time(), UTC).replace(hour=18)
    uow = InMemoryUnitOfWork(clock=lambda: now, pins=lambda: str(next(counter)))
    source = LegacySqlSource(engine)
    imported = services.import_legacy(uow, source)
    report = services.legacy_diff(uow, source)
    assert report.differences, "the generated defects leave legacy columns to rewrite"
    assert report.changes == ()
    named = {c.room_id for c in imported.conflicts} | {
        c.booking_reference for c in imported.conflicts
    }
    for d in report.differences:
        assert d.reconciled, d
        assert (d.room_id if d.booking_reference is None else d.booking_reference) in named, d
    engine.dispose()


def test_a_phantom_occupancy_is_a_reconciled_difference_of_the_room(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """A room the legacy says is occupied, with no in-house booking, differs in is_occupied
    and room_status; the import reported it, so both are reconciled."""
    hotel = db.hotel()
    db.room(hotel, "101", is_occupied=True, room_status="OCCUPIED")
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    report = services.legacy_diff(uow, source)
    assert _kinds(report) == [("occupied_flag", True), ("room_status", True)]
    assert report.changes == ()


def test_a_checkout_in_the_legacy_application_after_the_import_is_a_change(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """When the legacy application checks a guest out after the import, the diff shows the
    booking's checkout and the room's new state and holder as changes."""
    ids = _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    db.execute(
        "UPDATE hotel_roombooking SET checked_out_at = :t WHERE id = :id",
        t=datetime(2026, 1, 11, 10),
        id=ids["stay"],
    )
    db.execute(
        "UPDATE rooms_room SET is_occupied = :f, room_status = 'CHECKOUT_DIRTY' WHERE id = :id",
        f=False,
        id=ids["r101"],
    )
    db.execute(
        "UPDATE guests_guest SET check_out_date = '2026-01-11', room_id = NULL "
        "WHERE booking_id = :id",
        id=ids["stay"],
    )
    report = services.legacy_diff(uow, source)
    kinds = {d.kind for d in report.changes}
    assert {DiffKind.BOOKING_CHANGED, DiffKind.ROOM_STATE, DiffKind.ROOM_HOLDER} <= kinds
    booking = next(d for d in report.changes if d.kind is DiffKind.BOOKING_CHANGED)
    assert "checked_out_at" in booking.detail
    assert not any(d.reconciled for d in report.changes)


def test_a_booking_made_in_the_legacy_application_after_the_import_is_not_in_the_library(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """A legacy booking made after the import is listed as not in the library."""
    ids = _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    db.booking(ids["hotel"], booking_id="BK-NEW-1")
    report = services.legacy_diff(uow, source)
    assert [(d.kind, d.booking_reference) for d in report.differences] == [
        (DiffKind.BOOKING_NOT_IN_LIBRARY, "BK-NEW-1")
    ]


def test_a_room_cleaned_in_the_legacy_application_after_the_import_is_a_change(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """A room whose legacy status went from dirty to clean after the import differs in its
    state, and the room's cleaning record differs too."""
    hotel = db.hotel()
    room = db.room(hotel, "101", room_status="CHECKOUT_DIRTY")
    cleaner = db.staff(hotel, role="HOUSEKEEPING")
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    db.execute(
        "UPDATE rooms_room SET room_status = 'CLEANED_UNINSPECTED', cleaned_by_staff_id = :s, "
        "last_cleaned_at = :t WHERE id = :id",
        s=cleaner,
        t=T,
        id=room,
    )
    report = services.legacy_diff(uow, source)
    assert sorted(d.kind.value for d in report.changes) == ["room_housekeeping", "room_state"]
    assert "VACANT_DIRTY" in next(d for d in report.changes if d.kind is DiffKind.ROOM_STATE).detail


def test_the_diff_of_one_hotel_leaves_the_others_out(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """``hotels=`` compares only the hotels named; a hotel never imported is refused."""
    _small_hotel(db)
    other = db.hotel("Other")
    db.room(other, "1", is_occupied=True, room_status="OCCUPIED")
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    assert services.legacy_diff(uow, source, hotels=["1"]).clean
    assert not services.legacy_diff(uow, source, hotels=[str(other)]).clean
    with pytest.raises(ho.HotelNotFound):
        services.legacy_diff(uow, source, hotels=["nope"])


# --- the cut-over ------------------------------------------------------------------------


def test_the_cutover_is_refused_while_the_legacy_database_holds_changes(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """A hotel whose legacy rows changed since the import stays with the legacy application:
    the cut-over is refused, names the changes, and records nothing."""
    ids = _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    db.booking(ids["hotel"], booking_id="BK-NEW-2")
    before = uow.snapshot()
    with pytest.raises(CutoverRefused) as refused:
        services.cut_over(uow, source, "1", by="Dana")
    assert [d.kind for d in refused.value.differences] == [DiffKind.BOOKING_NOT_IN_LIBRARY]
    assert "legacy import" in str(refused.value)
    assert uow.snapshot() == before
    with uow.reading():
        assert uow.legacy.record("1").owner is Owner.LEGACY  # type: ignore[union-attr]
        assert uow.legacy.handovers("1") == []


def test_the_cutover_hands_a_hotel_with_only_reconciled_differences_to_the_library(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """A hotel whose only differences are conflicts the import resolved is handed to the
    library; the handover names who, when and why."""
    hotel = db.hotel()
    db.room(hotel, "101", is_occupied=True, room_status="OCCUPIED")
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    handover = services.cut_over(uow, source, "1", by="Dana", reason="diff clean but phantoms")
    assert (handover.owner, handover.at, handover.by) == (Owner.LIBRARY, NOW, "Dana")
    with uow.reading():
        assert uow.legacy.record("1").owner is Owner.LIBRARY  # type: ignore[union-attr]
        assert uow.legacy.handovers("1") == [handover]


def test_a_second_cutover_changes_nothing_and_handing_back_is_recorded(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """Cutting a hotel over twice (a double click) records one handover; handing it back
    records a second, and the legacy application owns it again."""
    _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    first = services.cut_over(uow, source, "1", by="Dana")
    assert services.cut_over(uow, source, "1", by="Sam") == first
    back = services.cut_over(uow, source, "1", by="Sam", back=True, reason="rollback drill")
    assert back.owner is Owner.LEGACY
    with uow.reading():
        assert [h.owner for h in uow.legacy.handovers("1")] == [Owner.LIBRARY, Owner.LEGACY]
        assert uow.legacy.record("1").owner is Owner.LEGACY  # type: ignore[union-attr]


def test_the_drop_plan_waits_until_the_library_owns_every_imported_hotel(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """require_library_owned refuses while a hotel is legacy-owned, naming it, and passes
    once every hotel is cut over."""
    _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    with pytest.raises(CutoverRefused, match="hotel\\(s\\) 1"):
        services.require_library_owned(uow)
    services.cut_over(uow, source, "1", by="Dana")
    assert [r.hotel_id for r in services.require_library_owned(uow)] == ["1"]


# --- on the SQL adapters, and the command line --------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlAlchemyUnitOfWork]:
    """A fresh store of each SQL kind whose clock says NOW."""
    if request.param == "sqlite":
        engine = ho_create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        from tests.integration.sessions import fresh_database

        engine = fresh_database(request.getfixturevalue("postgres_url"), "ho_side_by_side")
    create_schema(engine)
    counter = _pins()
    yield SqlAlchemyUnitOfWork(engine, clock=lambda: NOW, pins=lambda: str(next(counter)))
    engine.dispose()


def _same_diff(uow: LegacyImportUnitOfWork, source: LegacySqlSource) -> list[dict[str, object]]:
    return services.legacy_diff(uow, source).to_dict()["differences"]  # type: ignore[no-any-return]


def test_the_sql_stores_give_the_diff_and_the_cutover_the_memory_store_gives(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork, store: SqlAlchemyUnitOfWork
) -> None:
    """Imported into SQLite or PostgreSQL, the same legacy hotel diffs exactly as in
    memory, and its cut-over and handovers are stored the same."""
    ids = _small_hotel(db)
    db.room(ids["hotel"], "104", is_occupied=True, room_status="OCCUPIED")
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    services.import_legacy(store, source)
    db.booking(ids["hotel"], booking_id="BK-NEW-3")
    expected = _same_diff(uow, source)
    assert len(expected) == 3
    assert _same_diff(store, source) == expected
    db.execute("DELETE FROM hotel_bookingguest WHERE booking_id IN "
               "(SELECT id FROM hotel_roombooking WHERE booking_id = 'BK-NEW-3')")  # fmt: skip
    db.execute("DELETE FROM hotel_roombooking WHERE booking_id = 'BK-NEW-3'")
    for target in (uow, store):
        services.cut_over(target, source, "1", by="Dana")
    with uow.reading(), store.reading():
        assert store.legacy.handovers("1") == uow.legacy.handovers("1")
        assert store.legacy.records() == uow.legacy.records()


def _cli(*args: str) -> tuple[int, str]:
    import io

    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue()


def test_the_command_line_diffs_cuts_over_and_plans_the_drop(
    legacy_engine: Engine, db: LegacyDatabase, tmp_path: Path
) -> None:
    """`legacy diff` exits 1 with differences (JSON on --json) and 0 without; `legacy
    drop-plan` is refused until `legacy cutover` hands the hotel over, then prints SQL."""
    hotel = db.hotel()
    phantom = db.room(hotel, "101", is_occupied=True, room_status="OCCUPIED")
    source_url = str(legacy_engine.url)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    assert _cli("init", "--db", store_url)[0] == 0
    assert (
        _cli("legacy", "import", "--from", source_url, "--db", store_url, "--no-progress")[0] == 0
    )
    code, printed = _cli("legacy", "diff", "--from", source_url, "--db", store_url, "--json")
    assert code == 1
    assert {d["kind"] for d in json.loads(printed)["differences"]} == {
        "occupied_flag",
        "room_status",
    }
    assert _cli("legacy", "drop-plan", "--db", store_url, "--dialect", "sqlite")[0] == 1
    code, printed = _cli(
        "legacy", "cutover", "--from", source_url, "--db", store_url, "--hotel", "1", "--by", "Dana"
    )
    assert (code, "written by the library" in printed) == (0, True)
    code, printed = _cli("legacy", "drop-plan", "--db", store_url, "--dialect", "postgresql")
    assert code == 0
    assert "DROP COLUMN" in printed
    db.execute(
        "UPDATE rooms_room SET is_occupied = :f, room_status = 'CHECKOUT_DIRTY' WHERE id = :id",
        f=False,
        id=phantom,
    )
    code, printed = _cli("legacy", "diff", "--from", source_url, "--db", store_url)
    assert (code, printed) == (0, "hotel 1: no differences\n")


def test_the_diff_reads_the_legacy_database_and_writes_nothing(
    legacy_engine: Engine, db: LegacyDatabase, uow: InMemoryUnitOfWork
) -> None:
    """The diff changes neither the store nor the legacy database."""
    _small_hotel(db)
    source = LegacySqlSource(legacy_engine)
    services.import_legacy(uow, source)
    before = uow.snapshot()
    with legacy_engine.connect() as conn:
        legacy_before = conn.execute(text("SELECT * FROM rooms_room ORDER BY id")).all()
    services.legacy_diff(uow, source)
    assert uow.snapshot() == before
    with legacy_engine.connect() as conn:
        assert conn.execute(text("SELECT * FROM rooms_room ORDER BY id")).all() == legacy_before
