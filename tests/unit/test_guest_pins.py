"""Guest PINs (issue 10, point 6): proved per room, locked after too many wrong ones, kept
out of reprs and logs, and resting after checkout; the pure rules behind them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain.credentials import PinAttempts, PinRules, record_failure
from tests.support import World

AT = datetime(2026, 3, 10, 12, tzinfo=UTC)
RULES = PinRules(max_failures=3, window=timedelta(minutes=10), lockout=timedelta(minutes=5))


def test_a_guests_repr_never_shows_the_pin_or_the_device_token(world: World) -> None:
    """A guest in a log line or a traceback shows that a PIN and token exist, not what."""
    booking_id = world.checked_in("R101")
    (guest,) = services.current_guests(world.uow, "R101")
    services.register_device_token(world.uow, guest_id=guest.guest_id, token="tok-SECRET-42")
    (guest,) = services.current_guests(world.uow, "R101")
    assert guest.id_pin is not None
    assert guest.device_token == "tok-SECRET-42"
    text = repr(guest)
    assert guest.id_pin not in text
    assert "SECRET" not in text
    assert "<hidden>" in text
    assert booking_id in text


def test_wrong_pins_and_locks_are_logged_without_the_pin(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The security logger hears of every wrong PIN and of the lock, never the PIN."""
    world.checked_in("R101")
    caplog.set_level(logging.INFO, logger="hotel_occupancy.security")
    for _ in range(5):
        with pytest.raises(ho.GuestNotFound):
            services.verify_guest_pin(world.uow, hotel_id="H", room_number="101", pin="000009")
    messages = [r.getMessage() for r in caplog.records if r.name == "hotel_occupancy.security"]
    assert len(messages) == 5
    assert "locked" in messages[-1]
    assert all("000009" not in m for m in messages)


def test_a_lock_is_kept_in_the_store_not_in_the_unit_of_work(world: World) -> None:
    """Another unit of work (another process, a restart) sees the same lock."""
    world.checked_in("R101")
    (guest,) = services.current_guests(world.uow, "R101")
    for _ in range(5):
        with pytest.raises(ho.GuestNotFound):
            services.verify_guest_pin(world.uow, hotel_id="H", room_number="101", pin="000009")
    other = InMemoryUnitOfWork(store=world.uow.store, clock=world.clock)
    assert guest.id_pin is not None
    with pytest.raises(ho.PinLocked) as locked:
        services.verify_guest_pin(other, hotel_id="H", room_number="101", pin=guest.id_pin)
    assert locked.value.room_id == "R101"


@pytest.mark.parametrize(
    ("room_number", "pin", "error"),
    [
        ("101", "12345", ho.InvalidInput),
        ("101", "abcdef", ho.InvalidInput),
        ("999", "123456", ho.RoomNotFound),
    ],
)
def test_a_malformed_pin_or_an_unknown_room_counts_for_nothing(
    world: World, room_number: str, pin: str, error: type[Exception]
) -> None:
    """Bad input is refused before anything is counted: five of them lock nothing."""
    world.checked_in("R101")
    (guest,) = services.current_guests(world.uow, "R101")
    for _ in range(6):
        with pytest.raises(error):
            services.verify_guest_pin(world.uow, hotel_id="H", room_number=room_number, pin=pin)
    assert guest.id_pin is not None
    found = services.verify_guest_pin(world.uow, hotel_id="H", room_number="101", pin=guest.id_pin)
    assert found.guest_id == guest.guest_id


def test_a_departed_guests_pin_proves_nothing(world: World) -> None:
    """After checkout the old PIN is a wrong PIN for the room."""
    world.checked_in("R101")
    (guest,) = services.current_guests(world.uow, "R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert guest.id_pin is not None
    with pytest.raises(ho.GuestNotFound):
        services.verify_guest_pin(world.uow, hotel_id="H", room_number="101", pin=guest.id_pin)


def test_failures_count_up_to_the_lock_then_start_over_after_it() -> None:
    """record_failure counts within the window, locks at max_failures, restarts after."""
    first = record_failure(None, RULES, hotel_id="H", room_id="R", at=AT)
    assert (first.failures, first.locked_until) == (1, None)
    second = record_failure(first, RULES, hotel_id="H", room_id="R", at=AT + timedelta(minutes=1))
    third = record_failure(second, RULES, hotel_id="H", room_id="R", at=AT + timedelta(minutes=2))
    assert third.failures == 3
    assert third.locked_until == AT + timedelta(minutes=7)
    assert third.locked(AT + timedelta(minutes=6))
    assert not third.locked(AT + timedelta(minutes=7))
    after = record_failure(third, RULES, hotel_id="H", room_id="R", at=AT + timedelta(minutes=8))
    assert (after.failures, after.first_failure_at) == (1, AT + timedelta(minutes=8))


def test_failures_older_than_the_window_are_forgotten() -> None:
    """A failure more than ``window`` after the first starts the count again."""
    old = PinAttempts("H", "R", 2, AT)
    later = record_failure(old, RULES, hotel_id="H", room_id="R", at=AT + timedelta(minutes=11))
    assert later.failures == 1


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_failures": 0},
        {"window": timedelta(0)},
        {"lockout": -timedelta(seconds=1)},
        {"quarantine": 3},
        {"max_failures": True},
    ],
    ids=["no-failures", "empty-window", "negative-lockout", "number-quarantine", "bool"],
)
def test_pin_rules_refuse_limits_that_protect_nothing(arguments: dict[str, object]) -> None:
    """Zero, negative or mistyped limits are InvalidInput."""
    with pytest.raises(ho.InvalidInput):
        PinRules(**arguments)  # type: ignore[arg-type]
