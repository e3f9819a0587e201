"""A first walk through a guest's stay, to show the pieces fit together."""

from __future__ import annotations

import hotel_occupancy as ho
from hotel_occupancy import services
from tests.support import World


def test_a_guest_cycle_leaves_every_invariant_intact(world: World) -> None:
    """Assign with check-in, move, checkout and a full clean keep I1-I14 true throughout."""
    booking = world.checked_in("R101", guests=2)
    world.assert_sound()
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    world.assert_sound()
    services.checkout_room(world.uow, room_id="R102", staff_id="fd")
    services.start_cleaning(world.uow, room_id="R102", staff_id="hk")
    services.complete_cleaning(world.uow, room_id="R102", staff_id="hk")
    services.inspect_room(world.uow, room_id="R102", staff_id="sup")
    world.assert_sound()
    assert world.occupancy("R102").condition is ho.Condition.INSPECTED
    assert [e.operation for e in services.booking_history(world.uow, booking)] == [
        ho.Operation.CHECKOUT,
        ho.Operation.MOVE,
        ho.Operation.CHECKIN,
        ho.Operation.ASSIGN,
    ]


def test_the_fast_natural_key_for_plain_numbers_equals_the_general_one() -> None:
    """Numbers made only of digits get exactly the key the general splitting would give."""
    from hotel_occupancy.domain.model import _natural_key, natural_key

    for text in ["0", "2", "02", "10", "101", "000", "٣", "1234567890123456789012345"]:
        assert natural_key(text) == _natural_key(text)
    assert sorted(["10", "2", "02", "1"], key=natural_key) == ["1", "02", "2", "10"]
