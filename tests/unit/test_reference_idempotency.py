"""Registrations and the other reference-data services are idempotent under request_id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from tests.support import World

Call = Callable[[World, str | None], object]

CALLS: dict[str, tuple[Call, Call]] = {
    # a call, and a different call of the same service
    "register_hotel": (
        lambda w, r: services.register_hotel(w.uow, hotel_id="H9", name="Nine", request_id=r),
        lambda w, r: services.register_hotel(w.uow, hotel_id="H9", name="Other", request_id=r),
    ),
    "register_room": (
        lambda w, r: services.register_room(
            w.uow, hotel_id="H", room_id="R900", number="900", request_id=r
        ),
        lambda w, r: services.register_room(
            w.uow, hotel_id="H", room_id="R900", number="901", request_id=r
        ),
    ),
    "register_staff": (
        lambda w, r: services.register_staff(
            w.uow, hotel_id="H", staff_id="new", name="N", role=ho.StaffRole.HOUSEKEEPING,
            request_id=r,
        ),
        lambda w, r: services.register_staff(
            w.uow, hotel_id="H", staff_id="new", name="N", role=ho.StaffRole.MANAGER,
            request_id=r,
        ),
    ),
    "deactivate_staff": (
        lambda w, r: services.deactivate_staff(w.uow, staff_id="hk", request_id=r),
        lambda w, r: services.deactivate_staff(w.uow, staff_id="sup", request_id=r),
    ),
    "register_booking": (
        lambda w, r: services.register_booking(
            w.uow, hotel_id="H", booking_id="BX", reference="X", arrival=date(2026, 3, 10),
            departure=date(2026, 3, 11), party=[ho.BookingGuest("bx-1", "A", "B")], request_id=r,
        ),
        lambda w, r: services.register_booking(
            w.uow, hotel_id="H", booking_id="BX", reference="X", arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12), party=[ho.BookingGuest("bx-1", "A", "B")], request_id=r,
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CALLS))
def test_a_repeated_registration_with_its_request_id_changes_nothing(
    world: World, name: str
) -> None:
    """The same call under the same request_id returns () and leaves everything as it was."""
    call, _ = CALLS[name]
    assert call(world, "reg-1") == ()
    before = world.snapshot()
    assert call(world, "reg-1") == ()
    assert world.snapshot() == before


@pytest.mark.parametrize("name", list(CALLS))
def test_a_request_id_reused_for_another_registration_is_a_conflict(
    world: World, name: str
) -> None:
    """Another call under a used request_id raises RequestIdConflict and changes nothing."""
    call, other = CALLS[name]
    call(world, "reg-2")
    before = world.snapshot()
    with pytest.raises(ho.RequestIdConflict):
        other(world, "reg-2")
    assert world.snapshot() == before


def test_a_refused_registration_does_not_use_up_its_request_id(world: World) -> None:
    """A registration refused as AlreadyRegistered leaves its request_id free for later."""
    with pytest.raises(ho.AlreadyRegistered):
        services.register_room(world.uow, hotel_id="H", room_id="R101", number="7", request_id="r")
    services.register_room(world.uow, hotel_id="H", room_id="R777", number="777", request_id="r")
    assert services.get_occupancy(world.uow, "R777").status is ho.OccupancyStatus.VACANT_CLEAN


def test_a_device_token_registration_is_idempotent_and_keeps_no_copy_of_the_token(
    world: World,
) -> None:
    """Replaying a token registration changes nothing; the request record holds a digest."""
    world.checked_in("R101")
    (guest,) = services.current_guests(world.uow, "R101")
    services.register_device_token(
        world.uow, guest_id=guest.guest_id, token="tok-1", request_id="t"
    )
    services.register_device_token(
        world.uow, guest_id=guest.guest_id, token="tok-1", request_id="t"
    )
    with pytest.raises(ho.RequestIdConflict):
        services.register_device_token(
            world.uow, guest_id=guest.guest_id, token="tok-2", request_id="t"
        )
    with world.uow:
        record = world.uow.requests.get("t")
    assert record is not None
    assert "tok-1" not in record.fingerprint
    assert services.current_guests(world.uow, "R101")[0].device_token == "tok-1"


def test_registering_a_hotel_with_a_checkout_time_can_be_replayed(world: World) -> None:
    """Arguments that are times and dates take part in the request fingerprint."""
    services.register_hotel(
        world.uow, hotel_id="HT", name="T", checkout_time=time(10, 30), request_id="h"
    )
    assert (
        services.register_hotel(
            world.uow, hotel_id="HT", name="T", checkout_time=time(10, 30), request_id="h"
        )
        == ()
    )
    with pytest.raises(ho.RequestIdConflict):
        services.register_hotel(
            world.uow, hotel_id="HT", name="T", checkout_time=time(12), request_id="h"
        )
