"""A device token registered while the guest checks out never survives the checkout.

The two calls are interleaved deterministically on PostgreSQL (READ COMMITTED, where
each statement sees what committed before it): the registration reads the guest, then the
checkout runs and commits, then the registration writes. On SQLite writers take the write
lock at BEGIN, so the two transactions cannot interleave; the test runs there too.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from sqlalchemy import Engine

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.invariants import check_invariants
from tests.support import FakeClock

WAIT = 30.0


def checked_in_guest(engine: Engine) -> str:
    """A hotel with one booking of one guest in house in room R1; the guest's id."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_room(uow, hotel_id="H", room_id="R1", number="1")
    services.register_staff(uow, hotel_id="H", staff_id="fd", name="F", role="FRONT_DESK")
    services.register_booking(
        uow,
        hotel_id="H",
        booking_id="B",
        reference="B",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("B-1", "Ann", "Lee")],
    )
    services.assign_room(uow, booking_id="B", room_id="R1", staff_id="fd")
    (guest,) = services.current_guests(uow, "R1")
    return guest.guest_id


def test_a_token_registered_during_a_checkout_is_refused_or_cleared(engine: Engine) -> None:
    """Registration reads the in-house guest, checkout commits, registration writes: the
    departed guest ends with no token and no PIN, whichever way the race is settled."""
    guest_id = checked_in_guest(engine)
    registering = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    read_guest = threading.Event()
    checkout_done = threading.Event()
    original_get = registering.guests.get

    def get_then_wait(key: str) -> Any:
        guest = original_get(key)
        read_guest.set()
        # on PostgreSQL the checkout can commit meanwhile (unless this read locked the
        # guest, in which case it waits for us); on SQLite it waits for our write lock
        checkout_done.wait(timeout=2.0)
        return guest

    registering.guests.get = get_then_wait  # type: ignore[method-assign]
    outcome: list[BaseException | tuple[object, ...]] = []

    def register() -> None:
        try:
            outcome.append(
                services.register_device_token(registering, guest_id=guest_id, token="phone-1")
            )
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=register)
    worker.start()
    assert read_guest.wait(timeout=WAIT)
    checking_out = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    checkout_error: list[BaseException] = []

    def checkout() -> None:
        try:
            services.checkout_room(checking_out, room_id="R1", staff_id="fd")
        except BaseException as error:
            checkout_error.append(error)
        finally:
            checkout_done.set()

    checker = threading.Thread(target=checkout)
    checker.start()
    worker.join(timeout=WAIT)
    checker.join(timeout=WAIT)
    assert not worker.is_alive()
    assert not checker.is_alive()
    assert checkout_error == []
    assert len(outcome) == 1
    if isinstance(outcome[0], BaseException):  # settled as "registered too late"
        assert isinstance(outcome[0], ho.GuestNotInHouse), repr(outcome[0])
    snapshot = SqlAlchemyUnitOfWork(engine).snapshot()
    (guest,) = (g for g in snapshot.guests if g.guest_id == guest_id)
    assert guest.check_out_date is not None
    assert guest.device_token is None
    assert guest.id_pin is None
    assert check_invariants(snapshot) == []
