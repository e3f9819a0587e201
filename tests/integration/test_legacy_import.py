"""The legacy import (§12, issue 11): every reconciliation rule on a legacy database built with
the legacy schema and the defect in question, imported into the in-memory store."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import Engine

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.domain.legacy import COUNT_KEYS, HotelSettings, ImportSettings
from hotel_occupancy.testing.legacy import LegacyDatabase

NOW = datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
T = datetime(2026, 1, 10, 15, 0)  # a naive legacy time (UTC)


class Pins:
    """A deterministic PIN source: 100001, 100002, ..."""

    def __init__(self) -> None:
        self.counter = itertools.count(100001)

    def __call__(self) -> str:
        return str(next(self.counter))


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    """An empty in-memory store whose clock says NOW."""
    return InMemoryUnitOfWork(clock=lambda: NOW, pins=Pins())


Importer = Callable[..., services.ImportReport]


@pytest.fixture
def run(legacy_engine: Engine, uow: InMemoryUnitOfWork) -> Importer:
    """Import the legacy database into ``uow``; the store's invariants must hold after."""

    def do(**kwargs: Any) -> services.ImportReport:
        report = services.import_legacy(uow, LegacySqlSource(legacy_engine), **kwargs)
        violations = check_invariants(uow.snapshot())
        assert violations == [], violations
        return report

    return do


def kinds(report: services.ImportReport) -> list[str]:
    """The kinds of the report's conflicts, in order."""
    return [c.kind.value for c in report.conflicts]


def conflict(report: services.ImportReport, kind: str) -> dict[str, str]:
    """The one conflict of ``kind`` in the report, as the JSON shows it."""
    found = [c.to_dict() for c in report.conflicts if c.kind.value == kind]
    assert len(found) == 1, kinds(report)
    return found[0]


def occupancy(uow: InMemoryUnitOfWork, room: int) -> ho.RoomOccupancy:
    """The imported occupancy record of legacy room ``room``."""
    return services.get_occupancy(uow, str(room))


def booking(uow: InMemoryUnitOfWork, legacy_id: int) -> ho.Booking:
    """The imported booking of legacy booking ``legacy_id``."""
    with uow.reading():
        found = uow.bookings.get(str(legacy_id))
    assert found is not None
    return found


# --- placement ---------------------------------------------------------------------------


def test_one_in_house_booking_occupies_its_room_with_fresh_pins(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """An in-house booking makes its room OCCUPIED with it, one guest per party member, each
    with a fresh six-digit PIN (never the legacy four-digit one)."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.in_house_booking(hotel, room, guests=2, checked_in_at=T)
    report = run()
    record = occupancy(uow, room)
    assert (record.status, record.condition, record.booking_id) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.Condition.CLEAN,
        str(stay),
    )
    guests = services.current_guests(uow, str(room))
    assert [g.guest_type for g in guests] == [ho.GuestType.PRIMARY, ho.GuestType.COMPANION]
    assert all(g.id_pin is not None and len(g.id_pin) == 6 for g in guests)
    assert booking(uow, stay).checked_in_at == T.replace(tzinfo=UTC)
    assert report.counts["in_house_bookings"] == 1
    assert report.conflicts == ()


def test_the_latest_check_in_wins_a_double_occupancy(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Two in-house bookings on one room: the later check-in occupies it; the other is
    registered, not placed, and its legacy check-in time is kept in the report."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    early = db.in_house_booking(hotel, room, checked_in_at=datetime(2026, 1, 9, 14))
    late = db.in_house_booking(hotel, room, checked_in_at=datetime(2026, 1, 10, 16))
    report = run()
    assert occupancy(uow, room).booking_id == str(late)
    loser = booking(uow, early)
    assert (loser.checked_in_at, loser.checked_out_at) == (None, None)
    found = conflict(report, "double_occupancy")
    assert found["booking_reference"] == f"BK-{early}"
    assert "2026-01-09 14:00:00" in found["resolution"]
    assert report.counts["in_house_bookings"] == 1


def test_an_occupied_flag_with_no_in_house_booking_is_a_phantom(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """is_occupied with no in-house booking: VACANT_DIRTY, with an open cleaning task."""
    hotel = db.hotel()
    room = db.room(hotel, "101", is_occupied=True, room_status="OCCUPIED")
    report = run()
    assert occupancy(uow, room).status is ho.OccupancyStatus.VACANT_DIRTY
    assert [t.kind for t in services.open_tasks(uow, str(hotel))] == [ho.TaskKind.CLEANING]
    assert conflict(report, "phantom_occupancy")["room_id"] == str(room)


def test_an_in_house_booking_wins_over_a_false_occupied_flag(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """An in-house booking on a room whose is_occupied is false (Guest.delete()): OCCUPIED."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.in_house_booking(hotel, room)
    db.execute("UPDATE rooms_room SET is_occupied = 0 WHERE id = :id", id=room)
    report = run()
    assert occupancy(uow, room).booking_id == str(stay)
    assert occupancy(uow, room).is_occupied
    assert conflict(report, "occupied_flag_false")["room_id"] == str(room)


def test_a_pre_assigned_booking_keeps_its_vacant_room_and_never_becomes_occupied(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A pre-assigned booking holds its vacant room, whose status and condition stay."""
    hotel = db.hotel()
    room = db.room(hotel, "101", room_status="CHECKOUT_DIRTY")
    arriving = db.pre_assigned_booking(hotel, room)
    report = run()
    record = occupancy(uow, room)
    assert (record.status, record.booking_id) == (ho.OccupancyStatus.VACANT_DIRTY, str(arriving))
    assert not record.is_occupied
    assert report.counts["pre_assigned_bookings"] == 1


def test_a_second_pre_assignment_or_one_on_an_occupied_room_is_not_placed(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """The earliest pre-assignment keeps a vacant room; a later one, and one on an occupied
    room, are preassignment_conflict and registered unplaced."""
    hotel = db.hotel()
    vacant = db.room(hotel, "101")
    occupied = db.room(hotel, "102")
    first = db.pre_assigned_booking(hotel, vacant, assigned_at=datetime(2026, 1, 1, 9))
    second = db.pre_assigned_booking(hotel, vacant, assigned_at=datetime(2026, 1, 2, 9))
    db.in_house_booking(hotel, occupied)
    on_occupied = db.pre_assigned_booking(hotel, occupied)
    report = run()
    assert occupancy(uow, vacant).booking_id == str(first)
    with uow.reading():
        assert uow.occupancies.for_booking(str(second)) is None
        assert uow.occupancies.for_booking(str(on_occupied)) is None
    references = {
        c.booking_reference for c in report.conflicts if c.kind.value == "preassignment_conflict"
    }
    assert references == {f"BK-{second}", f"BK-{on_occupied}"}


def test_a_booking_assigned_to_another_hotels_room_is_not_placed(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A booking assigned to a room of another hotel: cross_hotel_reference, not placed."""
    first, second = db.hotel("One"), db.hotel("Two")
    db.room(first, "101")
    foreign = db.room(second, "201")
    stray = db.booking(first, assigned_room_id=foreign, checked_in_at=T)
    db.party_member(stray, is_primary=True)
    report = run()
    assert occupancy(uow, foreign).booking_id is None
    assert booking(uow, stray).checked_in_at is None
    assert conflict(report, "cross_hotel_reference")["booking_reference"] == f"BK-{stray}"


def test_a_guest_row_in_another_room_follows_its_booking(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A guest row whose room differs from its booking's: the booking's room wins."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    elsewhere = db.room(hotel, "102")
    stay = db.in_house_booking(hotel, room, guests=1)
    db.execute("UPDATE guests_guest SET room_id = :r WHERE booking_id = :b", r=elsewhere, b=stay)
    report = run()
    (guest,) = services.current_guests(uow, str(room))
    assert services.current_room(uow, guest.guest_id) == str(room)
    assert services.current_guests(uow, str(elsewhere)) == ()
    assert conflict(report, "guest_room_drift")["booking_reference"] == f"BK-{stay}"


def test_guests_lingering_after_checkout_depart_with_their_booking(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Guests of a checked-out booking without check_out_date depart on its checkout date."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.departed_booking(hotel, room, checked_out_at=datetime(2026, 1, 5, 10))
    db.execute(
        "UPDATE guests_guest SET check_out_date = NULL, room_id = :r WHERE booking_id = :b",
        r=room,
        b=stay,
    )
    report = run()
    with uow.reading():
        guests = uow.guests.for_booking(str(stay))
    assert guests
    assert {g.check_out_date for g in guests} == {date(2026, 1, 5)}
    assert all(g.id_pin is None for g in guests)
    assert conflict(report, "lingering_guest")["booking_reference"] == f"BK-{stay}"


def test_a_room_token_moves_to_the_primary_guest_or_is_dropped(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """The device token on an occupied room moves to its primary in-house guest; on a
    vacant room it is dropped as stale_device_token."""
    hotel = db.hotel()
    occupied = db.room(hotel, "101")
    vacant = db.room(hotel, "102", guest_fcm_token="tok-old-guest")
    db.in_house_booking(hotel, occupied, guests=2, token="tok-current")
    report = run()
    primary, companion = services.current_guests(uow, str(occupied))
    assert (primary.device_token, companion.device_token) == ("tok-current", None)
    assert report.counts["device_tokens_moved"] == 1
    assert conflict(report, "stale_device_token")["room_id"] == str(vacant)


@pytest.mark.parametrize(
    ("legacy_status", "inspected", "status", "condition"),
    [
        ("READY_FOR_GUEST", True, "VACANT_CLEAN", "INSPECTED"),
        ("READY_FOR_GUEST", False, "VACANT_CLEAN", "CLEAN"),
        ("CLEANED_UNINSPECTED", False, "VACANT_CLEAN", "CLEAN"),
        ("CHECKOUT_DIRTY", False, "VACANT_DIRTY", "DIRTY"),
        ("CLEANING_IN_PROGRESS", False, "VACANT_DIRTY", "CLEANING"),
        ("MAINTENANCE_REQUIRED", False, "MAINTENANCE", "DIRTY"),
        ("OUT_OF_ORDER", False, "OUT_OF_ORDER", "DIRTY"),
        ("DIRTY", False, "VACANT_DIRTY", "DIRTY"),
    ],
)
def test_each_legacy_room_status_maps_to_its_state(
    db: LegacyDatabase,
    run: Importer,
    uow: InMemoryUnitOfWork,
    legacy_status: str,
    inspected: bool,
    status: str,
    condition: str,
) -> None:
    """Each legacy room_status becomes the state §12 says; an unknown one is VACANT_DIRTY."""
    hotel = db.hotel()
    inspector = db.staff(hotel, role="SUPERVISOR")
    room = db.room(
        hotel,
        "101",
        room_status=legacy_status,
        inspected_by_staff_id=inspector if inspected else None,
        last_inspected_at=T if inspected else None,
    )
    report = run()
    record = occupancy(uow, room)
    assert (record.status.value, record.condition.value) == (status, condition)
    assert ("unknown_room_status" in kinds(report)) is (legacy_status == "DIRTY")
    if inspected:
        assert record.last_inspected_by == str(inspector)


def test_an_occupied_room_status_with_an_in_house_booking_is_clean(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """room_status OCCUPIED is what an in-house room says: condition CLEAN."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    db.in_house_booking(hotel, room)
    run()
    assert occupancy(uow, room).condition is ho.Condition.CLEAN


# --- history -----------------------------------------------------------------------------


def test_every_audit_column_becomes_one_imported_entry_with_its_time_and_staff(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Each audit timestamp is one entry with the original time and staff (the import actor
    where the row names none), visible in room and booking history, marked imported."""
    hotel = db.hotel()
    clerk = db.staff(hotel, first_name="Cleo", last_name="Desk")
    room = db.room(hotel, "101")
    stay = db.booking(
        hotel,
        assigned_room_id=room,
        room_assigned_at=datetime(2026, 1, 9, 10),
        room_assigned_by_id=clerk,
        checked_in_at=datetime(2026, 1, 10, 15),
    )
    db.party_member(stay, is_primary=True)
    db.execute("UPDATE rooms_room SET is_occupied = 1, room_status = 'OCCUPIED'")
    report = run()
    history = services.booking_history(uow, str(stay))
    assert [(e.operation, e.performed_by) for e in history] == [
        (ho.Operation.IMPORT, f"legacy-import-{hotel}"),  # the room taken over, with it
        (ho.Operation.CHECKIN, f"legacy-import-{hotel}"),
        (ho.Operation.ASSIGN, str(clerk)),
    ]
    assert [e.timestamp for e in history] == [
        NOW,
        datetime(2026, 1, 10, 15, tzinfo=UTC),
        datetime(2026, 1, 9, 10, tzinfo=UTC),
    ]
    assert all(e.metadata["imported"] is True for e in history)
    room_ops = [e.operation for e in services.room_history(uow, str(room))]
    assert room_ops == [ho.Operation.IMPORT, ho.Operation.CHECKIN, ho.Operation.ASSIGN]
    assert report.counts["history_entries"] == 2
    with uow.reading():
        actor = uow.staff.get(f"legacy-import-{hotel}")
    assert actor is not None
    assert not actor.active


def test_history_before_a_move_does_not_claim_a_room(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Entries older than a later move happened in a room the legacy row no longer names:
    they are in the booking's history, not in the current room's."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.in_house_booking(hotel, room, checked_in_at=datetime(2026, 1, 9, 15))
    db.execute(
        "UPDATE hotel_roombooking SET room_moved_at = :at WHERE id = :b",
        at=datetime(2026, 1, 10, 9),
        b=stay,
    )
    run()
    by_op = {e.operation: e for e in services.booking_history(uow, str(stay))}
    assert by_op[ho.Operation.MOVE].room_id == str(room)
    assert by_op[ho.Operation.CHECKIN].room_id is None
    assert by_op[ho.Operation.CHECKIN].metadata["room_unknown"] is True
    assert booking(uow, stay).moved_at is not None


# --- data the spec does not name ------------------------------------------------------------


def test_an_empty_party_is_made_of_the_bookings_guest_rows(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A booking without party rows gets its party from its guest rows, reported."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.in_house_booking(hotel, room, guests=2)
    db.execute("DELETE FROM hotel_bookingguest WHERE booking_id = :b", b=stay)
    db.execute("UPDATE guests_guest SET booking_guest_id = NULL WHERE booking_id = :b", b=stay)
    report = run()
    assert len(booking(uow, stay).party) == 2
    assert len(services.current_guests(uow, str(room))) == 2
    assert conflict(report, "empty_party")["booking_reference"] == f"BK-{stay}"


def test_a_booking_with_no_party_and_no_guests_gets_one_named_guest(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """With neither party nor guest rows, the party is one guest named after the booking."""
    hotel = db.hotel()
    lonely = db.booking(hotel, booking_id="BK-LONELY")
    report = run()
    (member,) = booking(uow, lonely).party
    assert (member.first_name, member.last_name) == ("Guest", "BK-LONELY")
    assert conflict(report, "empty_party")["booking_reference"] == "BK-LONELY"


def test_an_unknown_staff_role_imports_the_member_deactivated(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A staff member with an unknown role is imported deactivated, reported."""
    hotel = db.hotel()
    night = db.staff(hotel, role="NIGHT_AUDITOR")
    report = run()
    with uow.reading():
        member = uow.staff.get(str(night))
    assert member is not None
    assert not member.active
    assert "unknown_staff_role" in kinds(report)


def test_reversed_booking_dates_are_swapped(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A departure before the arrival: the dates are swapped, reported."""
    hotel = db.hotel()
    odd = db.booking(hotel, check_in=date(2026, 2, 5), check_out=date(2026, 2, 3))
    db.party_member(odd, is_primary=True)
    report = run()
    imported = booking(uow, odd)
    assert (imported.arrival, imported.departure) == (date(2026, 2, 3), date(2026, 2, 5))
    assert "dates_reversed" in kinds(report)


def test_duplicate_room_numbers_are_told_apart(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Two rooms with one number: the first keeps it, the other gets '#<id>' appended."""
    hotel = db.hotel()
    first = db.room(hotel, "101")
    second = db.room(hotel, "101")
    report = run()
    numbers = {r.room_id: r.number for r in services.room_board(uow, str(hotel))}
    assert numbers == {str(first): "101", str(second): f"101#{second}"}
    assert conflict(report, "duplicate_room_number")["room_id"] == str(second)


def test_nul_bytes_are_removed_from_text(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Text with NUL bytes is imported without them, reported."""
    hotel = db.hotel()
    odd = db.booking(hotel)
    db.party_member(odd, first_name="Ma\x00ria", last_name="Lopez", is_primary=True)
    report = run()
    assert booking(uow, odd).party[0].first_name == "Maria"
    assert "nul_in_text" in kinds(report)


def test_unreadable_and_dangling_values_are_reported_not_fatal(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """A date that is not one, a booking assigned to a room that does not exist and a guest
    naming a missing booking are reported; the import goes on."""
    hotel = db.hotel()
    db.room(hotel, "101")
    bad_date = db.booking(hotel)
    db.party_member(bad_date, is_primary=True)
    db.execute("UPDATE hotel_roombooking SET check_in = 'soon' WHERE id = :b", b=bad_date)
    ghost_room = db.booking(hotel, assigned_room_id=999, checked_in_at=T)
    db.party_member(ghost_room, is_primary=True)
    db.guest(hotel, booking_id=4242)
    report = run()
    assert booking(uow, bad_date).arrival == booking(uow, bad_date).departure
    assert booking(uow, ghost_room).checked_in_at is None
    found = kinds(report)
    assert "unreadable_value" in found
    assert found.count("dangling_reference") == 2


def test_a_booking_checked_out_but_never_in_is_checked_in_at_its_checkout(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """checked_out_at without checked_in_at: checked in at the checkout time, reported."""
    hotel = db.hotel()
    odd = db.booking(hotel, checked_out_at=datetime(2026, 1, 3, 10))
    db.party_member(odd, is_primary=True)
    report = run()
    imported = booking(uow, odd)
    assert imported.checked_in_at == imported.checked_out_at
    assert "checkout_without_checkin" in kinds(report)


# --- the report, idempotency, other hotels ---------------------------------------------------


def _messy(db: LegacyDatabase) -> None:
    """A small hotel with a bit of everything: stays, history, tokens, defects."""
    hotel = db.hotel("Messy")
    clerk = db.staff(hotel)
    rooms = [db.room(hotel, str(100 + n)) for n in range(1, 7)]
    db.in_house_booking(hotel, rooms[0], guests=2, token="tok-a")
    db.in_house_booking(hotel, rooms[1], guests=1)
    db.in_house_booking(hotel, rooms[1], guests=1, checked_in_at=datetime(2026, 1, 8, 9))
    db.pre_assigned_booking(hotel, rooms[2])
    db.departed_booking(hotel, rooms[3])
    db.execute("UPDATE rooms_room SET guest_fcm_token = 'tok-stale' WHERE id = :r", r=rooms[4])
    db.execute("UPDATE rooms_room SET is_occupied = 1 WHERE id = :r", r=rooms[5])
    db.task(hotel, rooms[3], task_type="TURNOVER", status="OPEN", assigned_to_id=clerk)
    db.task(hotel, rooms[0], task_type="CLEANING", status="DONE")


def test_the_report_has_exactly_the_shape_of_the_spec(db: LegacyDatabase, run: Importer) -> None:
    """counts with the nine keys, conflicts with kind, room_id or booking_reference, detail
    and resolution; never a PIN or a device token."""
    _messy(db)
    report = run()
    data = json.loads(report.to_json())
    assert list(data) == ["counts", "conflicts"]
    assert list(data["counts"]) == list(COUNT_KEYS)
    assert data["conflicts"]
    for item in data["conflicts"]:
        assert set(item) in (
            {"kind", "room_id", "detail", "resolution"},
            {"kind", "booking_reference", "detail", "resolution"},
            {"kind", "detail", "resolution"},
        )
    text = report.to_json() + report.summary()
    assert "tok-" not in text
    assert "100001" not in text


def test_a_second_run_changes_nothing_and_reports_the_same(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Running the import again writes nothing and gives the same report."""
    _messy(db)
    first = run()
    before = uow.snapshot()
    second = run()
    assert uow.snapshot() == before
    assert second.to_dict() == first.to_dict()
    assert [h.outcome for h in second.hotels] == ["legacy-owned: no change"]


def test_a_dry_run_writes_nothing_and_reports_the_same(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork, legacy_engine: Engine
) -> None:
    """--dry-run does the whole import, rolls it back and reports what a real run does."""
    _messy(db)
    empty = uow.snapshot()
    dry = run(dry_run=True)
    assert uow.snapshot() == empty
    real = run()
    assert dry.to_dict() == real.to_dict()


def test_other_hotels_of_the_store_are_left_untouched(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork, legacy_engine: Engine
) -> None:
    """An import into a store holding another hotel leaves it as it was; a hotel id taken by
    a hotel that was not imported is refused, and a prefix avoids it."""
    services.register_hotel(uow, hotel_id="own", name="Our own")
    services.register_room(uow, hotel_id="own", room_id="own-1", number="1")
    _messy(db)
    with uow.reading():
        before = (uow.hotels.get("own"), uow.occupancies.get("own-1"))
    run()
    with uow.reading():
        assert (uow.hotels.get("own"), uow.occupancies.get("own-1")) == before
    services.register_hotel(uow, hotel_id="x1", name="Taken")
    with pytest.raises(ho.AlreadyRegistered, match="prefix"):
        services.import_legacy(uow, LegacySqlSource(legacy_engine), prefix="x")
    report = services.import_legacy(uow, LegacySqlSource(legacy_engine), prefix="y-")
    assert [h.hotel_id for h in report.hotels] == ["y-1"]


def test_settings_give_the_hotel_what_the_legacy_schema_lacks(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """Time zone, checkout time and inspection come from the settings, per legacy hotel."""
    db.hotel("A")
    db.hotel("B")
    run(
        settings=ImportSettings(
            defaults=HotelSettings(timezone="Europe/Paris", checkout_time=time(10)),
            hotels={2: HotelSettings(require_inspection=True)},
        )
    )
    with uow.reading():
        a, b = uow.hotels.get("1"), uow.hotels.get("2")
    assert a is not None
    assert b is not None
    assert (a.timezone, a.checkout_time, a.require_inspection) == ("Europe/Paris", time(10), False)
    assert (b.timezone, b.require_inspection) == ("UTC", True)


def test_settings_files_with_unknown_keys_or_bad_values_are_refused() -> None:
    """A typo in a settings file is an error naming it, not a silently ignored key."""
    with pytest.raises(ho.InvalidInput, match="timezon"):
        ImportSettings.from_mapping({"defaults": {"timezon": "UTC"}})
    with pytest.raises(ho.InvalidInput, match="checkout_time"):
        ImportSettings.from_mapping({"hotels": {"1": {"checkout_time": "noon"}}})
    with pytest.raises(ho.InvalidInput, match="time zone"):
        ImportSettings.from_mapping({"legacy_timezone": "Mars/Olympus"})
    settings = ImportSettings.from_mapping(
        {"defaults": {"timezone": "Europe/Paris"}, "hotels": {"2": {"checkout_time": "10:30"}}}
    )
    assert settings.for_hotel(2) == HotelSettings("Europe/Paris", time(10, 30), False)


def test_the_services_carry_on_from_the_imported_state(
    legacy_engine: Engine, db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """After the import and the cut-over, staff work on: check out an imported stay and
    clean its room, check in an imported pre-assignment; every invariant (I9 too) holds."""
    hotel = db.hotel()
    clerk = db.staff(hotel, role="MANAGER")
    occupied = db.room(hotel, "101")
    arriving_room = db.room(hotel, "102")
    stay = db.in_house_booking(hotel, occupied, guests=2, token="tok-1")
    arriving = db.pre_assigned_booking(hotel, arriving_room)
    run()
    services.cut_over(uow, LegacySqlSource(legacy_engine), str(hotel), by="Dana")
    staff = str(clerk)
    services.checkout_room(uow, room_id=str(occupied), staff_id=staff)
    assert booking(uow, stay).checked_out_at == NOW
    services.start_cleaning(uow, room_id=str(occupied), staff_id=staff)
    services.complete_cleaning(uow, room_id=str(occupied), staff_id=staff)
    services.check_in(uow, booking_id=str(arriving), staff_id=staff)
    assert occupancy(uow, arriving_room).is_occupied
    assert [o.operation for o in services.room_history(uow, str(occupied))][:2] == [
        ho.Operation.CLEAN_COMPLETE,
        ho.Operation.CLEAN_START,
    ]
    assert check_invariants(uow.snapshot()) == []


def test_a_clean_room_of_an_inspection_hotel_awaits_its_inspection(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """In a hotel requiring inspection, a room imported CLEAN has an open INSPECTION task,
    as complete_cleaning would have left it; an INSPECTED one has none."""
    hotel = db.hotel()
    cleaned = db.room(hotel, "101", room_status="CLEANED_UNINSPECTED")
    db.room(hotel, "102", room_status="READY_FOR_GUEST", last_inspected_at=T)
    run(settings=ImportSettings(defaults=HotelSettings(require_inspection=True)))
    tasks = services.open_tasks(uow, str(hotel))
    assert [(t.room_id, t.kind) for t in tasks] == [(str(cleaned), ho.TaskKind.INSPECTION)]


def test_settings_and_source_must_agree_on_the_legacy_time_zone(
    legacy_engine: Engine, uow: InMemoryUnitOfWork
) -> None:
    """Settings naming a legacy time zone the source does not read in are refused, not
    silently ignored."""
    with pytest.raises(ho.InvalidInput, match="legacy_timezone='Europe/Paris'"):
        services.import_legacy(
            uow,
            LegacySqlSource(legacy_engine),
            settings=ImportSettings(legacy_timezone="Europe/Paris"),
        )
    report = services.import_legacy(
        uow,
        LegacySqlSource(legacy_engine, legacy_timezone="Europe/Paris"),
        settings=ImportSettings(legacy_timezone="Europe/Paris"),
    )
    assert report.counts["hotels"] == 0


def test_an_in_house_booking_without_a_readable_date_is_reported_not_placed(
    db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """An in-house booking whose dates are both unreadable cannot be imported: the import
    goes on, reports it, and its room is a phantom instead of occupied by nothing."""
    hotel = db.hotel()
    room = db.room(hotel, "101")
    stay = db.in_house_booking(hotel, room)
    db.execute(
        "UPDATE hotel_roombooking SET check_in = 'soon', check_out = 'later' WHERE id = :b",
        b=stay,
    )
    report = run()
    assert occupancy(uow, room).booking_id is None
    assert occupancy(uow, room).status is ho.OccupancyStatus.VACANT_DIRTY
    with uow.reading():
        assert uow.bookings.get(str(stay)) is None
    found = kinds(report)
    assert "phantom_occupancy" in found
    assert "unreadable_value" in found


def test_the_store_refuses_library_changes_to_a_hotel_the_legacy_application_writes(
    legacy_engine: Engine, db: LegacyDatabase, run: Importer, uow: InMemoryUnitOfWork
) -> None:
    """One writer per hotel: before the cut-over (and after handing back) an operation on
    an imported hotel is PermissionDenied and changes nothing; after it, it works."""
    hotel = db.hotel()
    clerk = db.staff(hotel, role="MANAGER")
    occupied = db.room(hotel, "101")
    db.in_house_booking(hotel, occupied, guests=1)
    run()
    before = uow.snapshot()
    with pytest.raises(ho.PermissionDenied, match="legacy cutover"):
        services.checkout_room(uow, room_id=str(occupied), staff_id=str(clerk))
    assert uow.snapshot() == before
    source = LegacySqlSource(legacy_engine)
    services.cut_over(uow, source, str(hotel), by="Dana")
    services.mark_dirty(uow, room_id=str(occupied), staff_id=str(clerk))
    services.cut_over(uow, source, str(hotel), by="Dana", back=True)
    with pytest.raises(ho.PermissionDenied):
        services.checkout_room(uow, room_id=str(occupied), staff_id=str(clerk))
