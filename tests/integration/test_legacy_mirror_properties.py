"""Property: whatever the library does to a hotel it owns, in whatever order, with the
mirror run at whatever moments, once the mirror has caught up (and swept for bookings no
event announced) the legacy database agrees
with the library (a clean diff), and a mirror replaying the feed from the start writes
exactly the same legacy columns."""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.legacy import LegacySqlSource
from hotel_occupancy.adapters.legacy_mirror import LegacySqlTarget
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.testing.legacy import LegacyDatabase, create_legacy_schema
from tests.integration.test_legacy_mirror import build_hotel, legacy_columns

ROOMS = ("101", "102", "103", "104", "105", "106")
ACTIONS = ("checkout", "clean", "inspect", "dirty", "out_of_order", "back", "move", "assign",
           "reassign", "unassign", "check_in", "mirror")  # fmt: skip

steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ROOMS), st.sampled_from(ROOMS)),
    max_size=25,
)


def _act(uow: InMemoryUnitOfWork, ids: dict[str, int], action: str, a: str, b: str, n: int) -> None:
    fd, hk, sv = str(ids["fd"]), str(ids["hk"]), str(ids["sv"])
    room, other = str(ids[a]), str(ids[b])
    held = services.get_occupancy(uow, room).booking_id
    calls = {
        "checkout": lambda: services.checkout_room(uow, room_id=room, staff_id=fd),
        "clean": lambda: (
            services.start_cleaning(uow, room_id=room, staff_id=hk),
            services.complete_cleaning(uow, room_id=room, staff_id=hk),
        ),
        "inspect": lambda: services.inspect_room(uow, room_id=room, staff_id=sv),
        "dirty": lambda: services.mark_dirty(uow, room_id=room, staff_id=hk),
        "out_of_order": lambda: services.set_out_of_order(
            uow, room_id=room, staff_id=str(ids["mt"]), reason="leak"
        ),
        "back": lambda: services.return_to_service(uow, room_id=room, staff_id=str(ids["mt"])),
        "move": lambda: services.move_guest(uow, from_room_id=room, to_room_id=other, staff_id=fd),
        "assign": lambda: _walk_in(uow, ids, room, n),
        "reassign": lambda: (
            held and services.reassign_room(uow, booking_id=held, to_room_id=other, staff_id=fd)
        ),
        "unassign": lambda: held and services.unassign_room(uow, booking_id=held, staff_id=fd),
        "check_in": lambda: held and services.check_in(uow, booking_id=held, staff_id=fd),
    }
    with contextlib.suppress(ho.RoomOccupancyError):  # a refusal changes nothing
        calls[action]()


def _walk_in(uow: InMemoryUnitOfWork, ids: dict[str, int], room: str, n: int) -> None:
    """A walk-in registered, then assigned (checked in every other time): the assignment
    may be refused, leaving a booking that only the mirror's sweep hears of."""
    booking = f"walk-in-{n}"
    services.register_booking(
        uow,
        hotel_id=str(ids["hotel"]),
        booking_id=booking,
        reference=f"W-{n}",
        arrival=datetime(2026, 1, 11).date(),
        departure=datetime(2026, 1, 13).date(),
        party=(ho.BookingGuest(f"{booking}-a", "Walk", f"In {n}"),),
    )
    services.assign_room(uow, booking_id=booking, room_id=room, staff_id=str(ids["fd"]),
                         check_in=n % 2 == 0)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_after_any_library_operations_the_caught_up_mirror_leaves_a_clean_diff(
    steps: list[tuple[str, str, str]],
) -> None:
    """Any sequence of operations, the mirror run in between at random: once it catches
    up the diff is clean, the store keeps every invariant, and a replay from the start
    writes the same legacy columns."""
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    create_legacy_schema(engine)
    db = LegacyDatabase(engine)
    ids = build_hotel(db)
    ids["mt"] = db.staff(ids["hotel"], first_name="Max", role="MAINTENANCE")
    moment = itertools.count()
    counter = itertools.count(100001)
    uow = InMemoryUnitOfWork(
        clock=lambda: datetime(2026, 1, 11, 8, tzinfo=UTC) + timedelta(minutes=next(moment)),
        pins=lambda: str(next(counter)),
    )
    source = LegacySqlSource(engine)
    target = LegacySqlTarget(engine)
    services.import_legacy(uow, source)
    services.cut_over(uow, source, str(ids["hotel"]), by="Dana")

    def catch_up(consumer: str = "legacy-mirror") -> None:
        for sweep in (False, True):
            while not services.mirror_legacy(
                uow, target, source=source, consumer=consumer, sweep=sweep
            ).idle:
                pass

    for n, (action, a, b) in enumerate(steps):
        if action == "mirror":
            catch_up()
        else:
            _act(uow, ids, action, a, b, n)
    catch_up()
    assert check_invariants(uow.snapshot()) == []
    report = services.legacy_diff(uow, source, mirrored=target)
    assert report.clean, report.summary()
    after = legacy_columns(engine)
    catch_up("replay")
    assert legacy_columns(engine) == after
    engine.dispose()
