"""The contract on guest credentials: PINs proved for a room, locks after too many wrong
ones, PINs resting after checkout; and the credential and room-number ports they use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.domain.credentials import PinAttempts, PinRules
from hotel_occupancy.testing.contract.scene import (
    HOTEL,
    START,
    Scene,
    SteppingClock,
    UnitOfWorkFactory,
    build_scene,
)

__all__ = ["CredentialsContract"]

RULES = PinRules(
    max_failures=3,
    window=timedelta(minutes=10),
    lockout=timedelta(minutes=5),
    quarantine=timedelta(hours=2),
)


class _Script:
    """A PIN source that returns the PINs it is given, then fresh ones."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.count = 100000

    def __call__(self) -> str:
        if self.queue:
            return self.queue.pop(0)
        self.count += 1
        return str(self.count)


class CredentialsContract:
    """Guest PINs on the adapter under test: ``verify_guest_pin``, locks, quarantine."""

    @pytest.fixture
    def pin_scene(self, uow_factory: UnitOfWorkFactory) -> Iterator[Scene]:
        """Hotel ``H`` on a unit of work with :data:`RULES` and a scripted PIN source (the
        factory must pass ``pins`` and ``pin_rules`` on to the unit of work)."""
        script = _Script()
        scene = build_scene(
            uow_factory,
            clock=SteppingClock(step=timedelta(seconds=1)),
            pins=script,
            pin_rules=RULES,
        )
        assert scene.uow.pins is script, "the factory must pass pins= to the unit of work"
        assert scene.uow.pin_rules is RULES, "the factory must pass pin_rules= on"
        scene.script = script  # type: ignore[attr-defined]
        yield scene
        scene.assert_sound()

    def _checked_in(self, scene: Scene, room_id: str, pin: str) -> str:
        scene.script.queue.append(pin)  # type: ignore[attr-defined]
        return scene.checked_in(room_id)

    def test_a_guest_proves_their_pin_for_their_own_room(self, pin_scene: Scene) -> None:
        """The right PIN for the room gives its in-house guest; another room's does not."""
        booking_id = self._checked_in(pin_scene, "R101", "111111")
        self._checked_in(pin_scene, "R102", "222222")
        guest = services.verify_guest_pin(
            pin_scene.uow, hotel_id=HOTEL, room_number="101", pin="111111"
        )
        assert guest.booking_id == booking_id
        with pytest.raises(ho.GuestNotFound):
            services.verify_guest_pin(
                pin_scene.uow, hotel_id=HOTEL, room_number="101", pin="222222"
            )

    def test_too_many_wrong_pins_lock_the_room_even_for_the_right_one(
        self, pin_scene: Scene
    ) -> None:
        """After max_failures wrong PINs every attempt is PinLocked until the lock ends."""
        self._checked_in(pin_scene, "R101", "111111")
        uow = pin_scene.uow
        for wrong in ("000001", "000002", "000003"):
            with pytest.raises(ho.GuestNotFound):
                services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="101", pin=wrong)
        with pytest.raises(ho.PinLocked) as locked:
            services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="101", pin="111111")
        assert isinstance(locked.value, ho.PermissionDenied)
        # another room of the hotel is not locked
        self._checked_in(pin_scene, "R102", "222222")
        assert services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="102", pin="222222")
        pin_scene.clock.advance(minutes=6)
        guest = services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="101", pin="111111")
        assert guest.id_pin == "111111"

    def test_a_right_pin_clears_the_count_of_wrong_ones(self, pin_scene: Scene) -> None:
        """Two wrong, one right, two wrong again: never locked (the count starts over)."""
        self._checked_in(pin_scene, "R101", "111111")
        uow = pin_scene.uow
        for pin in ("000001", "000002", "111111", "000003", "000004", "111111"):
            if pin == "111111":
                services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="101", pin=pin)
            else:
                with pytest.raises(ho.GuestNotFound):
                    services.verify_guest_pin(uow, hotel_id=HOTEL, room_number="101", pin=pin)

    def test_a_pin_freed_at_checkout_rests_before_it_is_issued_again(
        self, pin_scene: Scene
    ) -> None:
        """The next guest never gets the PIN the last one had until the quarantine ends."""
        self._checked_in(pin_scene, "R101", "424242")
        services.checkout_room(pin_scene.uow, room_id="R101", staff_id="fd")
        pin_scene.script.queue.extend(["424242", "515151"])  # type: ignore[attr-defined]
        booking_id = pin_scene.checked_in("R102")
        (guest,) = services.current_guests(pin_scene.uow, "R102")
        assert guest.booking_id == booking_id
        assert guest.id_pin == "515151"
        pin_scene.clock.advance(hours=3)
        self._checked_in(pin_scene, "R103", "424242")
        (later,) = services.current_guests(pin_scene.uow, "R103")
        assert later.id_pin == "424242"

    def test_rooms_by_number_finds_the_room_of_that_hotel_only(self, pin_scene: Scene) -> None:
        """rooms.by_number gives the hotel's room with that number, else None."""
        pin_scene.second_hotel()
        uow = pin_scene.uow
        with uow.reading():
            found = uow.rooms.by_number(HOTEL, "101")
            assert found is not None
            assert found.room_id == "R101"
            assert uow.rooms.by_number(HOTEL, "999") is None
            other = uow.rooms.by_number("H2", "101")
            assert other is not None
            assert other.room_id == "R2-101"

    def test_credentials_store_replace_and_clear_a_rooms_attempts(self, pin_scene: Scene) -> None:
        """save_attempts stores or replaces, attempts reads back, clear_attempts forgets."""
        uow = pin_scene.uow
        first = PinAttempts(HOTEL, "R101", 1, START)
        second = PinAttempts(HOTEL, "R101", 2, START, START + timedelta(minutes=5))
        with uow:
            assert uow.credentials.attempts("R101") is None
            uow.credentials.save_attempts(first)
            uow.credentials.save_attempts(second)
            uow.commit()
        with uow.reading():
            assert uow.credentials.attempts("R101") == second
        with uow:
            uow.credentials.clear_attempts("R101")
            uow.rollback()
        with uow.reading():
            assert uow.credentials.attempts("R101") == second  # the clear was rolled back
        with uow:
            uow.credentials.clear_attempts("R101")
            uow.commit()
        with uow.reading():
            assert uow.credentials.attempts("R101") is None

    def test_credentials_quarantine_keeps_the_later_time_per_pin(self, pin_scene: Scene) -> None:
        """quarantined tells which PINs rest at a time; a longer rest wins, a shorter not."""
        uow = pin_scene.uow
        until = START + timedelta(hours=1)
        with uow:
            uow.credentials.quarantine(HOTEL, ["111111", "222222"], until)
            uow.credentials.quarantine(HOTEL, ["111111"], until + timedelta(hours=1))
            uow.credentials.quarantine(HOTEL, ["222222"], until - timedelta(minutes=30))
            uow.commit()
        with uow.reading():
            pins = ["111111", "222222", "333333"]
            assert uow.credentials.quarantined(HOTEL, pins, START) == {"111111", "222222"}
            later = until + timedelta(minutes=1)
            assert uow.credentials.quarantined(HOTEL, pins, later) == {"111111"}
            assert uow.credentials.quarantined("H2", pins, START) == set()
