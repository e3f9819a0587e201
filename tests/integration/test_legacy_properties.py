"""Property: whatever a legacy database holds, the import never crashes, the store it builds
keeps every invariant, every legacy row is imported or named, and a second run changes
nothing (issue 11, points 2 and 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema

NOW = datetime(2026, 1, 11, 12, tzinfo=UTC)
BASE = datetime(2026, 1, 1, 8)

STATUSES = st.sampled_from(
    [
        "READY_FOR_GUEST",
        "OCCUPIED",
        "CHECKOUT_DIRTY",
        "CLEANING_IN_PROGRESS",
        "CLEANED_UNINSPECTED",
        "MAINTENANCE_REQUIRED",
        "OUT_OF_ORDER",
        "closed",
        "",
    ]
)
ROLES = st.sampled_from(["FRONT_DESK", "HOUSEKEEPING", "MANAGER", "night", "Supervisor"])
MOMENTS = st.one_of(st.none(), st.integers(0, 400).map(lambda h: BASE + timedelta(hours=h)))
DAYS = st.integers(-3, 12).map(lambda d: date(2026, 1, 1) + timedelta(days=d))
NAMES = st.sampled_from(["Ann", "Bo", "", "Z\x00e", "Li Wei"])


@st.composite
def legacy_rows(draw: st.DrawFn) -> list[tuple[str, dict[str, object]]]:
    """A small legacy database as a list of builder calls (table, arguments); ids are
    positions, so references may name rows of another hotel or none at all."""
    calls: list[tuple[str, dict[str, object]]] = []
    hotels = draw(st.integers(1, 2))
    calls += [("hotel", {"name": draw(NAMES)}) for _ in range(hotels)]
    hotel = st.integers(1, hotels)
    calls += [
        ("staff", {"hotel_id": draw(hotel), "role": draw(ROLES), "first_name": draw(NAMES)})
        for _ in range(draw(st.integers(0, 3)))
    ]
    rooms = draw(st.integers(1, 5))
    calls += [
        (
            "room",
            {
                "hotel_id": draw(hotel),
                "number": draw(st.sampled_from(["1", "2", "2", "10", ""])),
                "room_status": draw(STATUSES),
                "is_occupied": draw(st.booleans()),
                "guest_fcm_token": draw(st.sampled_from([None, "tok"])),
                "inspected_by_staff_id": draw(st.sampled_from([None, 1, 9])),
            },
        )
        for _ in range(rooms)
    ]
    reference = st.sampled_from([None, None, 1, 2, 3, 4, 5, 99])
    bookings = draw(st.integers(0, 6))
    for _ in range(bookings):
        calls.append(
            (
                "booking",
                {
                    "hotel_id": draw(hotel),
                    "check_in": draw(DAYS),
                    "check_out": draw(DAYS),
                    "assigned_room_id": draw(reference),
                    "checked_in_at": draw(MOMENTS),
                    "checked_out_at": draw(MOMENTS),
                    "room_assigned_at": draw(MOMENTS),
                    "room_assigned_by_id": draw(reference),
                    "room_moved_at": draw(MOMENTS),
                    "room_unassigned_at": draw(MOMENTS),
                },
            )
        )
    if bookings:
        calls += [
            (
                "party_member",
                {
                    "booking_id": draw(st.integers(1, bookings + 1)),
                    "first_name": draw(NAMES),
                    "is_primary": draw(st.booleans()),
                },
            )
            for _ in range(draw(st.integers(0, 6)))
        ]
    calls += [
        (
            "guest",
            {
                "hotel_id": draw(hotel),
                "booking_id": draw(st.one_of(st.none(), st.integers(1, bookings + 2))),
                "room_id": draw(reference),
                "first_name": draw(NAMES),
                "check_out_date": draw(st.one_of(st.none(), DAYS)),
            },
        )
        for _ in range(draw(st.integers(0, 5)))
    ]
    calls += [
        (
            "task",
            {
                "hotel_id": draw(hotel),
                "room_id": draw(st.integers(1, rooms + 1)),
                "task_type": draw(st.sampled_from(["TURNOVER", "CLEANING", "MAINTENANCE", "X"])),
                "status": draw(st.sampled_from(["OPEN", "IN_PROGRESS", "DONE", "LOST"])),
                "booking_id": draw(st.one_of(st.none(), st.integers(1, bookings + 1))),
            },
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    return calls


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=legacy_rows())
def test_any_legacy_database_imports_into_a_sound_store(
    calls: list[tuple[str, dict[str, object]]],
) -> None:
    """Random legacy rows (defects of every kind mixed): the import finishes, the store keeps
    every invariant, it holds or reports every booking, room, staff member and guest, and a
    second run changes nothing and reports the same."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    create_legacy_schema(engine)
    db = LegacyDatabase(engine)
    for method, arguments in calls:
        getattr(db, method)(**arguments)
    uow = InMemoryUnitOfWork(clock=lambda: NOW)
    report = services.import_legacy(uow, LegacySqlSource(engine))
    store = uow.snapshot()
    assert check_invariants(store) == []
    written = {name: sum(1 for m, _ in calls if m == name) for name in ("room", "staff", "booking")}
    assert report.counts["rooms"] == written["room"]
    assert report.counts["staff"] == written["staff"]
    assert report.counts["bookings"] == written["booking"]
    assert report.counts["guests"] == sum(1 for m, _ in calls if m == "guest")
    assert (
        len(store.rooms) + sum("rooms_room" in c.detail for c in report.conflicts)
        == written["room"]
    )
    assert report.counts["in_house_bookings"] == sum(1 for o in store.occupancies if o.is_occupied)
    again = services.import_legacy(uow, LegacySqlSource(engine))
    assert uow.snapshot() == store
    assert again.to_dict() == report.to_dict()
    engine.dispose()
