"""A guest proves their PIN for their own room (§4, I11).

``verify_guest_pin`` is how a guest-facing device (a door panel, a tablet, the hotel's app)
checks a PIN: it names the room, so a PIN is only ever tried against the guests of one
room, and failures are counted per room in the store. After too many (``PinRules``) every
attempt for the room, right or wrong, is refused with :class:`PinLocked` until the lock
expires. Wrong PINs and locks are reported on the ``hotel_occupancy.security`` logger
(never the PIN itself). Staff tools that must find a guest by PIN alone use
``find_guest_by_pin``.
"""

from __future__ import annotations

import hmac
import logging

from hotel_occupancy.domain.credentials import record_failure
from hotel_occupancy.domain.errors import GuestNotFound, InvalidInput, PinLocked, RoomNotFound
from hotel_occupancy.domain.model import Guest
from hotel_occupancy.domain.validation import require_id
from hotel_occupancy.services.lookups import get_hotel
from hotel_occupancy.services.pins import PIN_DIGITS, is_pin
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import now

__all__ = ["verify_guest_pin"]

security = logging.getLogger("hotel_occupancy.security")


def verify_guest_pin(uow: UnitOfWork, *, hotel_id: str, room_number: str, pin: str) -> Guest:
    """The in-house guest of room ``room_number`` whose PIN ``pin`` is.

    A wrong PIN is GuestNotFound and counts as a failure for the room; after the unit of
    work's ``pin_rules.max_failures`` failures within its ``window``, every attempt for the
    room is PinLocked (a PermissionDenied) until ``lockout`` has passed. A right PIN clears
    the count. A malformed PIN is InvalidInput and counts for nothing.
    """
    require_id("hotel_id", hotel_id)
    require_id("room_number", room_number)
    if not is_pin(pin):
        raise InvalidInput(f"a PIN is {PIN_DIGITS} digits")
    with uow:
        at = now(uow)
        get_hotel(uow, hotel_id)
        room = uow.rooms.by_number(hotel_id, room_number)
        if room is None:
            raise RoomNotFound(
                f"hotel {hotel_id!r} has no room number {room_number!r}", hotel_id=hotel_id
            )
        attempts = uow.credentials.attempts(room.room_id)
        if attempts is not None and attempts.locked(at):
            raise PinLocked(
                f"too many wrong PINs for room {room_number!r}; try again later",
                hotel_id=hotel_id,
                room_id=room.room_id,
                locked_until=attempts.locked_until,
            )
        found = None
        occupancy = uow.occupancies.get(room.room_id)
        if occupancy is not None and occupancy.is_occupied and occupancy.booking_id is not None:
            for guest in uow.guests.for_booking(occupancy.booking_id):
                held = guest.id_pin if guest.in_house else None
                if held is not None and hmac.compare_digest(held, pin):
                    found = guest
        if found is not None:
            if attempts is not None:
                uow.credentials.clear_attempts(room.room_id)
            uow.commit()
            return found
        failed = record_failure(
            attempts, uow.pin_rules, hotel_id=hotel_id, room_id=room.room_id, at=at
        )
        uow.credentials.save_attempts(failed)
        uow.commit()
    if failed.locked_until is not None:
        security.warning(
            "room %s of hotel %s locked until %s after %d wrong PINs",
            room.room_id,
            hotel_id,
            failed.locked_until.isoformat(),
            failed.failures,
        )
    else:
        security.info("wrong PIN for room %s of hotel %s", room.room_id, hotel_id)
    raise GuestNotFound(
        f"no guest of room {room_number!r} has that PIN", hotel_id=hotel_id, room_id=room.room_id
    )
