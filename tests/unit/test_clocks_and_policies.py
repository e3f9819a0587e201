"""Clocks and policies that misbehave (issue 10, point 7): a clock set back never puts a
checkout before its check-in, a clock far in the future is a clear error, and only a plain
True from a policy grants anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from tests.support import World, make_world


def test_a_clock_set_back_never_puts_a_checkout_before_its_check_in(world: World) -> None:
    """Times on a room never go backwards: the checkout takes the room's last time."""
    booking_id = world.checked_in("R101")
    checked_in = world.stored_booking(booking_id).checked_in_at
    assert checked_in is not None
    world.clock.advance(hours=-3)  # someone sets the server's clock back
    (entry,) = services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    booking = world.stored_booking(booking_id)
    assert booking.checked_out_at is not None
    assert booking.checked_out_at >= checked_in
    assert entry.timestamp == booking.checked_out_at
    times = [e.timestamp for e in reversed(services.room_history(world.uow, "R101"))]
    assert times == sorted(times)
    world.assert_sound()


def test_a_move_with_a_clock_set_back_keeps_both_rooms_in_time_order(world: World) -> None:
    """The move is no earlier than the last change of the source or of the target."""
    world.checked_in("R101")
    services.mark_dirty(world.uow, room_id="R102", staff_id="hk")
    services.start_cleaning(world.uow, room_id="R102", staff_id="hk")
    services.complete_cleaning(world.uow, room_id="R102", staff_id="hk")
    target_changed = world.occupancy("R102").updated_at
    world.clock.advance(hours=-5)
    (move,) = services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    assert move.timestamp >= target_changed
    for room_id in ("R101", "R102"):
        times = [e.timestamp for e in reversed(services.room_history(world.uow, room_id))]
        assert times == sorted(times), room_id
    world.assert_sound()


@pytest.mark.parametrize(
    "reading",
    [datetime(9999, 12, 31, 23, 0, tzinfo=UTC), datetime(1, 1, 1, 12, 0, tzinfo=UTC)],
    ids=["far-future", "year-one"],
)
def test_a_clock_outside_the_storable_years_is_a_clear_error_that_changes_nothing(
    reading: datetime,
) -> None:
    """In a UTC+14 hotel such a reading would overflow; it is refused as InvalidInput."""
    setup = make_world(timezone_name="Pacific/Kiritimati")
    booking_id = setup.booking()
    before = setup.snapshot()
    broken = InMemoryUnitOfWork(
        store=setup.uow.store, clock=lambda: reading, notifier=setup.notifier
    )
    with pytest.raises(ho.InvalidInput, match="clock"):
        services.assign_room(broken, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert setup.snapshot() == before


class _Sloppy:
    """A host policy that answers with anything but a bool."""

    def __init__(self, answer: object) -> None:
        self.answer = answer

    def permits(self, role: ho.StaffRole, action: str) -> object:
        return self.answer


@pytest.mark.parametrize(
    "answer", ["yes", 1, [True], object(), None], ids=["str", "int", "list", "object", "none"]
)
def test_a_policy_answer_other_than_true_denies(answer: object) -> None:
    """Truthy strings, numbers, lists and objects are not a grant: PermissionDenied."""
    notifier = RecordingNotifier()
    uow = InMemoryUnitOfWork(policy=_Sloppy(answer), notifier=notifier)  # type: ignore[arg-type]
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R1", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="s", name="S", role=ho.StaffRole.MANAGER)
    with pytest.raises(ho.PermissionDenied):
        services.mark_dirty(uow, room_id="R1", staff_id="s")
    assert services.get_occupancy(uow, "R1").condition is ho.Condition.CLEAN
    assert notifier.events == []


def test_a_policy_answering_true_grants() -> None:
    """The control: the same policy answering True lets the call through."""
    uow = InMemoryUnitOfWork(policy=_Sloppy(True))  # type: ignore[arg-type]
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R1", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="s", name="S", role=ho.StaffRole.MANAGER)
    (entry,) = services.mark_dirty(uow, room_id="R1", staff_id="s")
    assert entry.operation is ho.Operation.STATUS_CHANGE
