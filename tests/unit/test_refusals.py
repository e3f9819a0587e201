"""Every refusal of SPEC §4 and §6: the right error class, nothing changed, no request_id used
up, and the checks made in the order §6 fixes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters import memory
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from tests.support import World, make_world

Call = Callable[[str | None], object]
"""A refused call, taking the request_id to pass (ignored by reference data)."""

# --- giving rooms and bookings a state (each returns the id the case needs) -----------------


def occupy(w: World, room_id: str, party: int = 1) -> str:
    """``room_id``, now occupied by a new in-house booking."""
    w.checked_in(room_id, guests=party)
    return room_id


def occupy_inspected(w: World, room_id: str) -> str:
    """``room_id`` inspected, then occupied (for hotels that require inspection)."""
    services.inspect_room(w.uow, room_id=room_id, staff_id="sup")
    return occupy(w, room_id)


def in_house(w: World, room_id: str, party: int = 1) -> str:
    """A new booking checked into ``room_id``."""
    return w.checked_in(room_id, guests=party)


def pre(w: World, room_id: str, party: int = 1) -> str:
    """A new booking pre-assigned to ``room_id``."""
    booking_id = w.booking(party)
    services.assign_room(
        w.uow, booking_id=booking_id, room_id=room_id, staff_id="fd", check_in=False
    )
    return booking_id


def assigned(w: World, room_id: str) -> str:
    """``room_id``, now pre-assigned to a new booking."""
    pre(w, room_id)
    return room_id


def departed(w: World, room_id: str) -> str:
    """A booking that stayed in ``room_id`` and checked out."""
    booking_id = w.checked_in(room_id)
    services.checkout_room(w.uow, room_id=room_id, staff_id="fd")
    return booking_id


def vacated(w: World, room_id: str) -> str:
    """``room_id`` straight after a checkout (VACANT_DIRTY)."""
    departed(w, room_id)
    return room_id


def moved(w: World, back: bool = False) -> str:
    """A booking checked into R101 and moved to R102 (and back to R101 if ``back``)."""
    booking_id = w.checked_in("R101")
    services.move_guest(w.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    if back:
        cleaning(w, "R101")
        services.complete_cleaning(w.uow, room_id="R101", staff_id="hk")
        services.move_guest(w.uow, from_room_id="R102", to_room_id="R101", staff_id="fd")
    return booking_id


def dirty(w: World, room_id: str) -> str:
    services.mark_dirty(w.uow, room_id=room_id, staff_id="hk")
    return room_id


def cleaning(w: World, room_id: str) -> str:
    if w.occupancy(room_id).condition is not ho.Condition.DIRTY:
        dirty(w, room_id)
    services.start_cleaning(w.uow, room_id=room_id, staff_id="hk")
    return room_id


def inspected(w: World, room_id: str) -> str:
    services.inspect_room(w.uow, room_id=room_id, staff_id="sup")
    return room_id


def out_of_order(w: World, room_id: str) -> str:
    services.set_out_of_order(w.uow, room_id=room_id, staff_id="mnt", reason="leak")
    return room_id


def in_maintenance(w: World, room_id: str) -> str:
    services.start_maintenance(w.uow, room_id=room_id, staff_id="mnt", reason="paint")
    return room_id


def deactivated(w: World, staff_id: str) -> str:
    services.deactivate_staff(w.uow, staff_id=staff_id)
    return staff_id


def departed_guest(w: World) -> str:
    booking_id = departed(w, "R101")
    snapshot, _ = w.snapshot()
    return next(g.guest_id for g in snapshot.guests if g.booking_id == booking_id)


def undone_guest(w: World) -> str:
    booking_id = w.checked_in("R101")
    snapshot, _ = w.snapshot()
    guest_id = next(g.guest_id for g in snapshot.guests if g.booking_id == booking_id)
    services.unassign_room(w.uow, booking_id=booking_id, staff_id="fd")
    return guest_id


# --- a second hotel -----------------------------------------------------------------------------


def h2(w: World) -> None:
    """Register hotel H2 (once): room R2, staff fd2/hk2/mgr2, booking B2 pre-assigned to R2."""
    uow = w.uow
    if any(h.hotel_id == "H2" for h in w.snapshot()[0].hotels):
        return
    services.register_hotel(uow, hotel_id="H2", name="Other")
    services.register_room(uow, hotel_id="H2", room_id="R2", number="101", capacity=4)
    services.register_room(uow, hotel_id="H2", room_id="R2b", number="102")
    for staff_id, role in (("fd2", "FRONT_DESK"), ("hk2", "HOUSEKEEPING"), ("mgr2", "MANAGER")):
        services.register_staff(uow, hotel_id="H2", staff_id=staff_id, name=staff_id, role=role)
    services.register_booking(
        uow,
        hotel_id="H2",
        booking_id="B2",
        reference="OTHER-1",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 11),
        party=[ho.BookingGuest("B2-g0", "Ann", "Other")],
    )
    services.assign_room(uow, booking_id="B2", room_id="R2", staff_id="fd2", check_in=False)


def foreign(w: World, key: str) -> str:
    """An id of hotel H2 (registering it if needed)."""
    h2(w)
    return key


# --- the calls ------------------------------------------------------------------------------------


def do_assign(w: World, booking_id: str, room_id: str, staff_id: str = "fd", **kw: object) -> Call:
    return lambda rq: services.assign_room(
        w.uow, booking_id=booking_id, room_id=room_id, staff_id=staff_id, request_id=rq, **kw
    )


def do_pre(w: World, booking_id: str, room_id: str, staff_id: str = "fd") -> Call:
    return do_assign(w, booking_id, room_id, staff_id, check_in=False)


def do_check_in(w: World, booking_id: str, staff_id: str = "fd") -> Call:
    return lambda rq: services.check_in(
        w.uow, booking_id=booking_id, staff_id=staff_id, request_id=rq
    )


def do_reassign(w: World, booking_id: str, to_room_id: str, staff_id: str = "fd") -> Call:
    return lambda rq: services.reassign_room(
        w.uow, booking_id=booking_id, to_room_id=to_room_id, staff_id=staff_id, request_id=rq
    )


def do_unassign(w: World, booking_id: str, staff_id: str = "fd") -> Call:
    return lambda rq: services.unassign_room(
        w.uow, booking_id=booking_id, staff_id=staff_id, request_id=rq
    )


def do_move(w: World, from_room_id: str, to_room_id: str, staff_id: str = "fd") -> Call:
    return lambda rq: services.move_guest(
        w.uow, from_room_id=from_room_id, to_room_id=to_room_id, staff_id=staff_id, request_id=rq
    )


def do_checkout(w: World, room_id: str, staff_id: str = "fd") -> Call:
    return lambda rq: services.checkout_room(
        w.uow, room_id=room_id, staff_id=staff_id, request_id=rq
    )


_ROOM_SERVICES: dict[str, tuple[Callable[..., object], dict[str, object]]] = {
    "mark_dirty": (services.mark_dirty, {}),
    "start_cleaning": (services.start_cleaning, {}),
    "complete_cleaning": (services.complete_cleaning, {}),
    "inspect_room": (services.inspect_room, {}),
    "inspect_room_failed": (services.inspect_room, {"passed": False}),
    "set_out_of_order": (services.set_out_of_order, {"reason": "broken"}),
    "start_maintenance": (services.start_maintenance, {"reason": "paint"}),
    "return_to_service": (services.return_to_service, {}),
    "return_to_service_clean": (services.return_to_service, {"condition": ho.Condition.CLEAN}),
}

_ROOM_ROLE = {
    "mark_dirty": "hk",
    "start_cleaning": "hk",
    "complete_cleaning": "hk",
    "inspect_room": "sup",
    "inspect_room_failed": "sup",
    "set_out_of_order": "mnt",
    "start_maintenance": "mnt",
    "return_to_service": "mnt",
    "return_to_service_clean": "mnt",
}


def do_room(w: World, name: str, room_id: str, staff_id: str | None = None, **kw: object) -> Call:
    """A housekeeping or service-state call; by default made by a role allowed to make it."""
    fn, defaults = _ROOM_SERVICES[name]
    staff = staff_id or _ROOM_ROLE[name]
    return lambda rq: fn(
        w.uow, room_id=room_id, staff_id=staff, request_id=rq, **{**defaults, **kw}
    )


def token_for(w: World, guest_id: str) -> Call:
    return lambda rq: services.register_device_token(w.uow, guest_id=guest_id, token="t")


def naive_clock_uow(w: World) -> InMemoryUnitOfWork:
    """A unit of work on the world's store whose clock returns naive datetimes."""
    assert isinstance(w.uow, InMemoryUnitOfWork)
    return InMemoryUnitOfWork(
        store=w.uow.store, clock=lambda: datetime(2026, 3, 10, 14, 0), notifier=w.notifier
    )


def naive_assign(w: World, booking_id: str) -> Call:
    return lambda rq: services.assign_room(
        naive_clock_uow(w), booking_id=booking_id, room_id="R101", staff_id="fd", request_id=rq
    )


def naive_checkout(w: World, room_id: str) -> Call:
    return lambda rq: services.checkout_room(
        naive_clock_uow(w), room_id=room_id, staff_id="fd", request_id=rq
    )


def register_room_in(w: World, hotel_id: str, room_id: str) -> Call:
    return lambda rq: services.register_room(w.uow, hotel_id=hotel_id, room_id=room_id, number="9")


def register_booking(w: World, **overrides: object) -> Call:
    arguments: dict[str, object] = {
        "hotel_id": "H",
        "booking_id": "NEW",
        "reference": "NEW-1",
        "arrival": date(2026, 3, 10),
        "departure": date(2026, 3, 12),
        "party": [ho.BookingGuest("NEW-g0", "Nia", "New")],
    }
    arguments.update(overrides)
    return lambda rq: services.register_booking(w.uow, **arguments)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    name: str
    error: type[ho.RoomOccupancyError]
    setup: Callable[[World], Call]
    inspection: bool = False


def _cases() -> list[Case]:
    C = Case
    NA = ho.RoomNotAvailable
    NO = ho.RoomNotOccupied
    BA = ho.BookingNotAssignable
    IT = ho.InvalidTransition
    HM = ho.HotelMismatch
    PD = ho.PermissionDenied
    II = ho.InvalidInput
    AR = ho.AlreadyRegistered
    return [
        # RoomNotAvailable: the target cannot take the booking
        C("assign-occupied", NA, lambda w: do_assign(w, w.booking(), occupy(w, "R101"))),
        C("pre-assign-occupied", NA, lambda w: do_pre(w, w.booking(), occupy(w, "R101"))),
        C("assign-assigned", NA, lambda w: do_assign(w, w.booking(), assigned(w, "R101"))),
        C("pre-assign-assigned", NA, lambda w: do_pre(w, w.booking(), assigned(w, "R101"))),
        C("assign-dirty", NA, lambda w: do_assign(w, w.booking(), dirty(w, "R101"))),
        C("assign-being-cleaned", NA, lambda w: do_assign(w, w.booking(), cleaning(w, "R101"))),
        C("assign-just-vacated", NA, lambda w: do_assign(w, w.booking(), vacated(w, "R101"))),
        C("assign-uninspected", NA, lambda w: do_assign(w, w.booking(), "R101"), True),
        C("assign-out-of-order", NA, lambda w: do_assign(w, w.booking(), out_of_order(w, "R101"))),
        C("pre-assign-out-of-order", NA, lambda w: do_pre(w, w.booking(), out_of_order(w, "R101"))),
        C("assign-maintenance", NA, lambda w: do_assign(w, w.booking(), in_maintenance(w, "R101"))),
        C(
            "pre-assign-maintenance",
            NA,
            lambda w: do_pre(w, w.booking(), in_maintenance(w, "R101")),
        ),
        C("reassign-same-room", NA, lambda w: do_reassign(w, pre(w, "R101"), "R101")),
        C("reassign-occupied", NA, lambda w: do_reassign(w, pre(w, "R101"), occupy(w, "R102"))),
        C("reassign-assigned", NA, lambda w: do_reassign(w, pre(w, "R101"), assigned(w, "R102"))),
        C("reassign-ooo", NA, lambda w: do_reassign(w, pre(w, "R101"), out_of_order(w, "R102"))),
        C(
            "reassign-maint",
            NA,
            lambda w: do_reassign(w, pre(w, "R101"), in_maintenance(w, "R102")),
        ),
        C("move-occupied", NA, lambda w: do_move(w, occupy(w, "R101"), occupy(w, "R102"))),
        C("move-dirty", NA, lambda w: do_move(w, occupy(w, "R101"), dirty(w, "R102"))),
        C("move-assigned", NA, lambda w: do_move(w, occupy(w, "R101"), assigned(w, "R102"))),
        C("move-ooo", NA, lambda w: do_move(w, occupy(w, "R101"), out_of_order(w, "R102"))),
        C("move-maint", NA, lambda w: do_move(w, occupy(w, "R101"), in_maintenance(w, "R102"))),
        C("move-uninspected", NA, lambda w: do_move(w, occupy_inspected(w, "R101"), "R102"), True),
        C("check-in-dirty-room", NA, lambda w: do_check_in(w, pre(w, dirty(w, "R101")))),
        C("check-in-uninspected", NA, lambda w: do_check_in(w, pre(w, "R101")), True),
        # RoomNotOccupied: the operation needs an occupied room
        C("checkout-vacant", NO, lambda w: do_checkout(w, "R101")),
        C("checkout-assigned", NO, lambda w: do_checkout(w, assigned(w, "R101"))),
        C("checkout-twice", NO, lambda w: do_checkout(w, vacated(w, "R101"))),
        C("checkout-ooo", NO, lambda w: do_checkout(w, out_of_order(w, "R101"))),
        C("move-from-vacant", NO, lambda w: do_move(w, "R101", "R102")),
        C("move-from-assigned", NO, lambda w: do_move(w, assigned(w, "R101"), "R102")),
        C("move-from-vacated", NO, lambda w: do_move(w, vacated(w, "R101"), "R102")),
        # BookingNotAssignable: the booking's state is wrong
        C("assign-in-house", BA, lambda w: do_assign(w, in_house(w, "R101"), "R102")),
        C("assign-in-house-own-room", BA, lambda w: do_assign(w, in_house(w, "R101"), "R101")),
        C("pre-assign-in-house", BA, lambda w: do_pre(w, in_house(w, "R101"), "R102")),
        C("assign-checked-out", BA, lambda w: do_assign(w, departed(w, "R101"), "R102")),
        C("pre-assign-checked-out", BA, lambda w: do_pre(w, departed(w, "R101"), "R102")),
        C("assign-assigned-elsewhere", BA, lambda w: do_assign(w, pre(w, "R101"), "R102")),
        C("pre-assign-assigned-elsewhere", BA, lambda w: do_pre(w, pre(w, "R101"), "R102")),
        C("pre-assign-again-same-room", BA, lambda w: do_pre(w, pre(w, "R101"), "R101")),
        C("check-in-unassigned", BA, lambda w: do_check_in(w, w.booking())),
        C("check-in-in-house", BA, lambda w: do_check_in(w, in_house(w, "R101"))),
        C("check-in-checked-out", BA, lambda w: do_check_in(w, departed(w, "R101"))),
        C("reassign-unassigned", BA, lambda w: do_reassign(w, w.booking(), "R102")),
        C("reassign-in-house", BA, lambda w: do_reassign(w, in_house(w, "R101"), "R102")),
        C("reassign-checked-out", BA, lambda w: do_reassign(w, departed(w, "R101"), "R102")),
        C("unassign-unassigned", BA, lambda w: do_unassign(w, w.booking())),
        C("unassign-checked-out", BA, lambda w: do_unassign(w, departed(w, "R101"))),
        C("unassign-after-move", BA, lambda w: do_unassign(w, moved(w))),
        C("unassign-after-move-back", BA, lambda w: do_unassign(w, moved(w, back=True))),
        # CapacityExceeded: the party does not fit
        C("assign-too-big", ho.CapacityExceeded, lambda w: do_assign(w, w.booking(3), "R101")),
        C("pre-assign-too-big", ho.CapacityExceeded, lambda w: do_pre(w, w.booking(3), "R101")),
        C(
            "reassign-too-big",
            ho.CapacityExceeded,
            lambda w: do_reassign(w, pre(w, "R201", party=3), "R101"),
        ),
        C(
            "move-too-big",
            ho.CapacityExceeded,
            lambda w: do_move(w, occupy(w, "R201", party=3), "R101"),
        ),
        # InvalidTransition: anything else the table does not allow
        C("mark-dirty-dirty", IT, lambda w: do_room(w, "mark_dirty", dirty(w, "R101"))),
        C("mark-dirty-cleaning", IT, lambda w: do_room(w, "mark_dirty", cleaning(w, "R101"))),
        C("start-cleaning-clean", IT, lambda w: do_room(w, "start_cleaning", "R101")),
        C("start-cleaning-twice", IT, lambda w: do_room(w, "start_cleaning", cleaning(w, "R101"))),
        C(
            "start-cleaning-inspected",
            IT,
            lambda w: do_room(w, "start_cleaning", inspected(w, "R101")),
        ),
        C(
            "complete-cleaning-dirty",
            IT,
            lambda w: do_room(w, "complete_cleaning", dirty(w, "R101")),
        ),
        C("complete-cleaning-clean", IT, lambda w: do_room(w, "complete_cleaning", "R101")),
        C("inspect-dirty", IT, lambda w: do_room(w, "inspect_room", dirty(w, "R101"))),
        C(
            "inspect-failed-dirty",
            IT,
            lambda w: do_room(w, "inspect_room_failed", dirty(w, "R101")),
        ),
        C("inspect-cleaning", IT, lambda w: do_room(w, "inspect_room", cleaning(w, "R101"))),
        C("inspect-inspected", IT, lambda w: do_room(w, "inspect_room", inspected(w, "R101"))),
        C("ooo-occupied", IT, lambda w: do_room(w, "set_out_of_order", occupy(w, "R101"))),
        C("ooo-assigned", IT, lambda w: do_room(w, "set_out_of_order", assigned(w, "R101"))),
        C("ooo-ooo", IT, lambda w: do_room(w, "set_out_of_order", out_of_order(w, "R101"))),
        C(
            "ooo-maintenance",
            IT,
            lambda w: do_room(w, "set_out_of_order", in_maintenance(w, "R101")),
        ),
        C("maint-occupied", IT, lambda w: do_room(w, "start_maintenance", occupy(w, "R101"))),
        C("maint-assigned", IT, lambda w: do_room(w, "start_maintenance", assigned(w, "R101"))),
        C("maint-maint", IT, lambda w: do_room(w, "start_maintenance", in_maintenance(w, "R101"))),
        C("maint-ooo", IT, lambda w: do_room(w, "start_maintenance", out_of_order(w, "R101"))),
        C("return-in-service", IT, lambda w: do_room(w, "return_to_service", "R101")),
        C("return-clean-in-service", IT, lambda w: do_room(w, "return_to_service_clean", "R101")),
        C("return-occupied", IT, lambda w: do_room(w, "return_to_service", occupy(w, "R101"))),
        # HotelMismatch: room, booking and staff of one operation share a hotel
        C("assign-foreign-room", HM, lambda w: do_assign(w, w.booking(), foreign(w, "R2b"))),
        C("pre-assign-foreign-room", HM, lambda w: do_pre(w, w.booking(), foreign(w, "R2b"))),
        C("assign-foreign-booking", HM, lambda w: do_assign(w, foreign(w, "B2"), "R101")),
        C(
            "assign-foreign-staff",
            HM,
            lambda w: do_assign(w, w.booking(), "R101", foreign(w, "fd2")),
        ),
        C(
            "check-in-foreign-staff",
            HM,
            lambda w: do_check_in(w, pre(w, "R101"), foreign(w, "fd2")),
        ),
        C("check-in-foreign-booking", HM, lambda w: do_check_in(w, foreign(w, "B2"))),
        C("reassign-foreign-room", HM, lambda w: do_reassign(w, pre(w, "R101"), foreign(w, "R2b"))),
        C("reassign-foreign-booking", HM, lambda w: do_reassign(w, foreign(w, "B2"), "R101")),
        C(
            "unassign-foreign-staff",
            HM,
            lambda w: do_unassign(w, pre(w, "R101"), foreign(w, "fd2")),
        ),
        C("unassign-foreign-booking", HM, lambda w: do_unassign(w, foreign(w, "B2"))),
        C("move-foreign-room", HM, lambda w: do_move(w, occupy(w, "R101"), foreign(w, "R2b"))),
        C(
            "move-foreign-staff",
            HM,
            lambda w: do_move(w, occupy(w, "R101"), "R102", foreign(w, "fd2")),
        ),
        C(
            "checkout-foreign-staff",
            HM,
            lambda w: do_checkout(w, occupy(w, "R101"), foreign(w, "fd2")),
        ),
        C("checkout-foreign-room", HM, lambda w: do_checkout(w, foreign(w, "R2"))),
        *(
            C(
                f"{name}-foreign-staff",
                HM,
                lambda w, n=name: do_room(w, n, "R101", foreign(w, "mgr2")),
            )
            for name in _ROOM_SERVICES
        ),
        # PermissionDenied: the role may not call the service, or the staff is deactivated
        C("hk-assigns", PD, lambda w: do_assign(w, w.booking(), "R101", "hk")),
        C("mnt-checks-in", PD, lambda w: do_check_in(w, pre(w, "R101"), "mnt")),
        C("hk-reassigns", PD, lambda w: do_reassign(w, pre(w, "R101"), "R102", "hk")),
        C("mnt-unassigns", PD, lambda w: do_unassign(w, pre(w, "R101"), "mnt")),
        C("sup-moves", PD, lambda w: do_move(w, occupy(w, "R101"), "R102", "sup")),
        C("hk-checks-out", PD, lambda w: do_checkout(w, occupy(w, "R101"), "hk")),
        C("mnt-marks-dirty", PD, lambda w: do_room(w, "mark_dirty", "R101", "mnt")),
        C("fd-starts-cleaning", PD, lambda w: do_room(w, "start_cleaning", dirty(w, "R101"), "fd")),
        C(
            "mnt-completes-cleaning",
            PD,
            lambda w: do_room(w, "complete_cleaning", cleaning(w, "R101"), "mnt"),
        ),
        C("hk-inspects", PD, lambda w: do_room(w, "inspect_room", "R101", "hk")),
        C("fd-sets-ooo", PD, lambda w: do_room(w, "set_out_of_order", "R101", "fd")),
        C("sup-starts-maint", PD, lambda w: do_room(w, "start_maintenance", "R101", "sup")),
        C(
            "hk-returns-to-service",
            PD,
            lambda w: do_room(w, "return_to_service", out_of_order(w, "R101"), "hk"),
        ),
        C(
            "deactivated-fd-assigns",
            PD,
            lambda w: do_assign(w, w.booking(), "R101", deactivated(w, "fd")),
        ),
        C(
            "deactivated-mgr-marks-dirty",
            PD,
            lambda w: do_room(w, "mark_dirty", "R101", deactivated(w, "mgr")),
        ),
        C(
            "deactivated-mnt-ooo",
            PD,
            lambda w: do_room(w, "set_out_of_order", "R101", deactivated(w, "mnt")),
        ),
        C(
            "deactivated-fd-checks-out",
            PD,
            lambda w: do_checkout(w, occupy(w, "R101"), deactivated(w, "fd")),
        ),
        # NotFound and its subclasses
        C("assign-unknown-booking", ho.BookingNotFound, lambda w: do_assign(w, "nope", "R101")),
        C("assign-unknown-room", ho.RoomNotFound, lambda w: do_assign(w, w.booking(), "nope")),
        C(
            "assign-unknown-staff",
            ho.StaffNotFound,
            lambda w: do_assign(w, w.booking(), "R101", "nope"),
        ),
        C("check-in-unknown-booking", ho.BookingNotFound, lambda w: do_check_in(w, "nope")),
        C(
            "check-in-unknown-staff",
            ho.StaffNotFound,
            lambda w: do_check_in(w, pre(w, "R101"), "nope"),
        ),
        C("reassign-unknown-booking", ho.BookingNotFound, lambda w: do_reassign(w, "nope", "R101")),
        C(
            "reassign-unknown-room",
            ho.RoomNotFound,
            lambda w: do_reassign(w, pre(w, "R101"), "nope"),
        ),
        C("unassign-unknown-booking", ho.BookingNotFound, lambda w: do_unassign(w, "nope")),
        C("move-unknown-source", ho.RoomNotFound, lambda w: do_move(w, "nope", "R101")),
        C("move-unknown-target", ho.RoomNotFound, lambda w: do_move(w, occupy(w, "R101"), "nope")),
        C("checkout-unknown-room", ho.RoomNotFound, lambda w: do_checkout(w, "nope")),
        C(
            "checkout-unknown-staff",
            ho.StaffNotFound,
            lambda w: do_checkout(w, occupy(w, "R101"), "nope"),
        ),
        *(
            C(f"{name}-unknown-room", ho.RoomNotFound, lambda w, n=name: do_room(w, n, "nope"))
            for name in _ROOM_SERVICES
        ),
        C(
            "register-room-unknown-hotel",
            ho.HotelNotFound,
            lambda w: (
                lambda rq: services.register_room(w.uow, hotel_id="nope", room_id="X1", number="1")
            ),
        ),
        C(
            "register-staff-unknown-hotel",
            ho.HotelNotFound,
            lambda w: (
                lambda rq: services.register_staff(
                    w.uow, hotel_id="nope", staff_id="x", name="X", role="MANAGER"
                )
            ),
        ),
        C(
            "register-booking-unknown-hotel",
            ho.HotelNotFound,
            lambda w: register_booking(w, hotel_id="nope"),
        ),
        C(
            "deactivate-unknown-staff",
            ho.StaffNotFound,
            lambda w: lambda rq: services.deactivate_staff(w.uow, staff_id="nope"),
        ),
        C(
            "token-unknown-guest",
            ho.GuestNotFound,
            lambda w: lambda rq: services.register_device_token(w.uow, guest_id="nope", token="t"),
        ),
        C(
            "token-departed-guest",
            ho.GuestNotInHouse,
            lambda w: token_for(w, departed_guest(w)),
        ),
        C(
            "token-undone-guest",
            ho.GuestNotFound,
            lambda w: token_for(w, undone_guest(w)),
        ),
        # AlreadyRegistered
        C(
            "hotel-twice",
            AR,
            lambda w: lambda rq: services.register_hotel(w.uow, hotel_id="H", name="Again"),
        ),
        C(
            "room-id-twice",
            AR,
            lambda w: (
                lambda rq: services.register_room(w.uow, hotel_id="H", room_id="R101", number="999")
            ),
        ),
        C(
            "room-id-twice-other-hotel",
            AR,
            lambda w: register_room_in(w, foreign(w, "H2"), "R101"),
        ),
        C(
            "room-number-twice",
            AR,
            lambda w: (
                lambda rq: services.register_room(w.uow, hotel_id="H", room_id="R999", number="101")
            ),
        ),
        C(
            "staff-twice",
            AR,
            lambda w: (
                lambda rq: services.register_staff(
                    w.uow, hotel_id="H", staff_id="fd", name="Again", role="FRONT_DESK"
                )
            ),
        ),
        C("booking-twice", AR, lambda w: register_booking(w, booking_id=w.booking())),
        C(
            "booking-guest-id-reused",
            AR,
            lambda w: register_booking(
                w, party=[ho.BookingGuest(f"{w.booking()}-g0", "Copy", "Cat")]
            ),
        ),
        # InvalidInput: bad input, refused before anything else
        C("empty-booking-id", II, lambda w: do_assign(w, "", "R101")),
        C("blank-staff-id", II, lambda w: do_assign(w, w.booking(), "R101", "   ")),
        C("padded-room-id", II, lambda w: do_checkout(w, " R101")),
        C("room-id-not-a-string", II, lambda w: do_checkout(w, 101)),  # type: ignore[arg-type]
        C("empty-request-id", II, lambda w: lambda rq: do_room(w, "mark_dirty", "R101")("")),
        C("notes-not-text", II, lambda w: do_room(w, "mark_dirty", "R101", notes=42)),
        C("check-in-not-bool", II, lambda w: do_assign(w, w.booking(), "R101", check_in="yes")),
        C("passed-not-bool", II, lambda w: do_room(w, "inspect_room", "R101", passed=1)),
        C("move-same-room", II, lambda w: do_move(w, occupy(w, "R101"), "R101")),
        *(
            C(
                f"return-as-{type(bad).__name__}-{bad}",
                II,
                lambda w, b=bad: do_room(
                    w, "return_to_service", out_of_order(w, "R101"), condition=b
                ),
            )
            for bad in (
                ho.Condition.INSPECTED,
                ho.Condition.CLEANING,
                "INSPECTED",
                "BOGUS",
                "clean",
            )
        ),
        C(
            "unknown-role",
            II,
            lambda w: (
                lambda rq: services.register_staff(
                    w.uow, hotel_id="H", staff_id="x", name="X", role="JANITOR"
                )
            ),
        ),
        C(
            "departure-before-arrival",
            II,
            lambda w: register_booking(w, arrival=date(2026, 3, 12), departure=date(2026, 3, 11)),
        ),
        C("empty-party", II, lambda w: register_booking(w, party=[])),
        C("party-of-strings", II, lambda w: register_booking(w, party=["Ann"])),
        C(
            "party-with-duplicate-ids",
            II,
            lambda w: register_booking(
                w, party=[ho.BookingGuest("d", "A", "B"), ho.BookingGuest("d", "C", "D")]
            ),
        ),
        C("arrival-a-datetime", II, lambda w: register_booking(w, arrival=datetime(2026, 3, 10))),
        C(
            "bad-timezone",
            II,
            lambda w: (
                lambda rq: services.register_hotel(
                    w.uow, hotel_id="HX", name="X", timezone="Mars/Olympus"
                )
            ),
        ),
        C(
            "zero-capacity",
            II,
            lambda w: (
                lambda rq: services.register_room(
                    w.uow, hotel_id="H", room_id="R999", number="999", capacity=0
                )
            ),
        ),
        C(
            "empty-token",
            II,
            lambda w: lambda rq: services.register_device_token(w.uow, guest_id="g", token=""),
        ),
        C(
            "naive-clock-assign",
            II,
            lambda w: naive_assign(w, w.booking()),
        ),
        C(
            "naive-clock-checkout",
            II,
            lambda w: naive_checkout(w, occupy(w, "R101")),
        ),
        C(
            "naive-clock-mark-dirty",
            II,
            lambda w: (
                lambda rq: services.mark_dirty(
                    naive_clock_uow(w), room_id="R101", staff_id="hk", request_id=rq
                )
            ),
        ),
        C(
            "naive-clock-register-room",
            II,
            lambda w: (
                lambda rq: services.register_room(
                    naive_clock_uow(w), hotel_id="H", room_id="R999", number="999"
                )
            ),
        ),
    ]


CASES = _cases()


def prove_request_id_unused(world: World, request_id: str) -> None:
    """A later valid call with ``request_id`` succeeds and records it."""
    uow = world.uow
    services.register_room(uow, hotel_id="H", room_id="ZZ-probe", number="ZZ-999")
    services.register_staff(uow, hotel_id="H", staff_id="zz-mgr", name="Z", role="MANAGER")
    entries = services.mark_dirty(uow, room_id="ZZ-probe", staff_id="zz-mgr", request_id=request_id)
    assert [e.request_id for e in entries] == [request_id]


@contextmanager
def count_writes() -> Iterator[list[str]]:
    """Record every row write the in-memory store makes (even ones later rolled back)."""
    writes: list[str] = []
    original = memory._Table._write

    def recording(self: memory._Table[Any, Any], key: Any, row: Any, journal: Any) -> None:
        writes.append(f"{self.name}:{key}")
        original(self, key, row, journal)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory._Table, "_write", recording)
        yield writes


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_refused_call_raises_its_error_and_changes_nothing(case: Case) -> None:
    """The refusal raises exactly its error class; store, log, events and request ids stay."""
    world = make_world(require_inspection=case.inspection)
    call = case.setup(world)
    before = world.snapshot()
    with count_writes() as writes, pytest.raises(ho.RoomOccupancyError) as info:
        call("rq-refused")
    assert info.type is case.error, f"{info.type.__name__}: {info.value}"
    assert world.snapshot() == before
    assert writes == [], "a refusal must check everything before writing anything"
    prove_request_id_unused(world, "rq-refused")
    world.assert_sound()


def test_case_names_are_unique() -> None:
    """Every refusal case has its own id, so a failure names exactly one."""
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))


def test_bad_input_is_a_value_error() -> None:
    """InvalidInput is both a RoomOccupancyError and a ValueError."""
    world = make_world()
    with pytest.raises(ValueError, match="booking_id") as info:
        services.assign_room(world.uow, booking_id="", room_id="R101", staff_id="fd")
    assert isinstance(info.value, ho.RoomOccupancyError)
    assert isinstance(info.value, ho.InvalidInput)


def test_not_found_errors_carry_the_missing_id() -> None:
    """Errors carry the ids involved as attributes."""
    world = make_world()
    with pytest.raises(ho.RoomNotFound) as room:
        services.checkout_room(world.uow, room_id="R999", staff_id="fd")
    assert room.value.room_id == "R999"
    with pytest.raises(ho.BookingNotFound) as booking:
        services.check_in(world.uow, booking_id="B999", staff_id="fd")
    assert booking.value.booking_id == "B999"
    with pytest.raises(ho.StaffNotFound) as staff:
        services.mark_dirty(world.uow, room_id="R101", staff_id="S999")
    assert staff.value.staff_id == "S999"


def test_capacity_exceeded_names_the_room_and_the_booking() -> None:
    """CapacityExceeded carries the room and booking ids."""
    world = make_world()
    booking_id = world.booking(3)
    with pytest.raises(ho.CapacityExceeded) as info:
        services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert (info.value.room_id, info.value.booking_id) == ("R101", booking_id)


# --- the order of the checks (§6) ------------------------------------------------------------


def bind(call: Call, request_id: str | None) -> Callable[[], object]:
    """``call`` with its request_id fixed (everything else was evaluated already)."""
    return lambda: call(request_id)


def used(w: World, request_id: str = "used") -> str:
    """``request_id``, now used by a successful mark_dirty of R104."""
    services.mark_dirty(w.uow, room_id="R104", staff_id="hk", request_id=request_id)
    return request_id


@dataclass(frozen=True)
class Order:
    name: str
    error: type[ho.RoomOccupancyError]
    setup: Callable[[World], Callable[[], object]]
    attrs: tuple[tuple[str, str], ...] = ()


ORDER = [
    # input before request_id
    Order(
        "input-before-request-id",
        ho.InvalidInput,
        lambda w: bind(do_assign(w, "", "R101"), used(w)),
    ),
    Order(
        "same-room-before-request-id",
        ho.InvalidInput,
        lambda w: bind(do_move(w, occupy(w, "R101"), "R101"), used(w)),
    ),
    Order(
        "bad-condition-before-request-id",
        ho.InvalidInput,
        lambda w: bind(do_room(w, "return_to_service", "R101", condition="INSPECTED"), used(w)),
    ),
    # input before existence
    Order(
        "input-before-existence",
        ho.InvalidInput,
        lambda w: bind(do_assign(w, "nope", "nope", ""), None),
    ),
    # request_id before existence, hotel, permission and state
    Order(
        "request-id-before-existence",
        ho.RequestIdConflict,
        lambda w: bind(do_assign(w, "nope", "nope", "nope"), used(w)),
    ),
    Order(
        "request-id-before-hotel",
        ho.RequestIdConflict,
        lambda w: bind(do_checkout(w, "R101", foreign(w, "fd2")), used(w)),
    ),
    Order(
        "request-id-before-permission",
        ho.RequestIdConflict,
        lambda w: bind(do_checkout(w, occupy(w, "R101"), "hk"), used(w)),
    ),
    Order(
        "request-id-before-state",
        ho.RequestIdConflict,
        lambda w: bind(do_checkout(w, "R101"), used(w)),
    ),
    # existence, in the order of the arguments
    Order(
        "booking-before-room-and-staff",
        ho.BookingNotFound,
        lambda w: bind(do_assign(w, "nope-b", "nope-r", "nope-s"), None),
        (("booking_id", "nope-b"),),
    ),
    Order(
        "room-before-staff",
        ho.RoomNotFound,
        lambda w: bind(do_assign(w, w.booking(), "nope-r", "nope-s"), None),
        (("room_id", "nope-r"),),
    ),
    Order(
        "move-source-before-target",
        ho.RoomNotFound,
        lambda w: bind(do_move(w, "nope-from", "nope-to", "nope-s"), None),
        (("room_id", "nope-from"),),
    ),
    Order(
        "move-target-before-staff",
        ho.RoomNotFound,
        lambda w: bind(do_move(w, "R101", "nope-to", "nope-s"), None),
        (("room_id", "nope-to"),),
    ),
    Order(
        "reassign-booking-before-room",
        ho.BookingNotFound,
        lambda w: bind(do_reassign(w, "nope-b", "nope-r", "nope-s"), None),
    ),
    Order(
        "checkout-room-before-staff",
        ho.RoomNotFound,
        lambda w: bind(do_checkout(w, "nope-r", "nope-s"), None),
    ),
    Order(
        "check-in-booking-before-staff",
        ho.BookingNotFound,
        lambda w: bind(do_check_in(w, "nope-b", "nope-s"), None),
    ),
    # existence before hotel and permission
    Order(
        "existence-before-hotel",
        ho.StaffNotFound,
        lambda w: bind(do_assign(w, w.booking(), foreign(w, "R2b"), "nope-s"), None),
    ),
    Order(
        "existence-before-permission",
        ho.RoomNotFound,
        lambda w: bind(do_assign(w, w.booking(), "nope-r", "hk"), None),
    ),
    # hotel before permission and state
    Order(
        "hotel-before-permission",
        ho.HotelMismatch,
        lambda w: bind(do_assign(w, w.booking(), "R101", foreign(w, "hk2")), None),
    ),
    Order(
        "hotel-before-deactivation",
        ho.HotelMismatch,
        lambda w: bind(do_assign(w, w.booking(), "R101", deactivated(w, foreign(w, "fd2"))), None),
    ),
    Order(
        "hotel-before-state",
        ho.HotelMismatch,
        lambda w: bind(do_checkout(w, "R101", foreign(w, "fd2")), None),
    ),
    Order(
        "hotel-before-state-housekeeping",
        ho.HotelMismatch,
        lambda w: bind(do_room(w, "start_cleaning", "R101", foreign(w, "mgr2")), None),
    ),
    # permission before state
    Order(
        "permission-before-state-checkout",
        ho.PermissionDenied,
        lambda w: bind(do_checkout(w, "R101", "hk"), None),
    ),
    Order(
        "permission-before-state-assign",
        ho.PermissionDenied,
        lambda w: bind(do_assign(w, w.booking(), occupy(w, "R101"), "hk"), None),
    ),
    Order(
        "permission-before-booking-state",
        ho.PermissionDenied,
        lambda w: bind(do_unassign(w, w.booking(), "hk"), None),
    ),
    Order(
        "permission-before-capacity",
        ho.PermissionDenied,
        lambda w: bind(do_assign(w, w.booking(3), "R101", "mnt"), None),
    ),
    Order(
        "permission-before-cleaning-state",
        ho.PermissionDenied,
        lambda w: bind(do_room(w, "start_cleaning", "R101", "fd"), None),
    ),
    Order(
        "deactivation-before-state",
        ho.PermissionDenied,
        lambda w: bind(do_checkout(w, "R101", deactivated(w, "fd")), None),
    ),
]


@pytest.mark.parametrize("case", ORDER, ids=[c.name for c in ORDER])
def test_checks_run_in_the_order_of_section_6(case: Order) -> None:
    """Input, request_id, existence in argument order, hotel, permission, then state."""
    world = make_world()
    call = case.setup(world)
    before = world.snapshot()
    with count_writes() as writes, pytest.raises(ho.RoomOccupancyError) as info:
        call()
    assert writes == []
    assert info.type is case.error, f"{info.type.__name__}: {info.value}"
    for name, value in case.attrs:
        assert getattr(info.value, name) == value
    assert world.snapshot() == before


ROOM_STATES: dict[str, Callable[[World], object]] = {
    "vacant-clean": lambda w: None,
    "vacant-dirty": lambda w: dirty(w, "R101"),
    "being-cleaned": lambda w: cleaning(w, "R101"),
    "pre-assigned": lambda w: assigned(w, "R101"),
    "occupied": lambda w: occupy(w, "R101"),
    "out-of-order": lambda w: out_of_order(w, "R101"),
    "maintenance": lambda w: in_maintenance(w, "R101"),
}


@pytest.mark.parametrize(
    ("service", "staff_id"),
    [
        ("checkout_room", "fd2"),
        ("checkout_room", "hk"),
        ("mark_dirty", "mgr2"),
        ("mark_dirty", "mnt"),
        ("set_out_of_order", "fd"),
        ("start_cleaning", "hk2"),
    ],
)
def test_an_outsider_learns_nothing_about_the_rooms_state(service: str, staff_id: str) -> None:
    """Staff of another hotel or without permission get the same error in every room state."""
    errors = []
    for prepare in ROOM_STATES.values():
        world = make_world()
        h2(world)
        prepare(world)
        if service == "checkout_room":
            call = do_checkout(world, "R101", staff_id)
        else:
            call = do_room(world, service, "R101", staff_id)
        with pytest.raises(ho.RoomOccupancyError) as info:
            call(None)
        errors.append(info.value)
    assert {type(e) for e in errors} <= {ho.HotelMismatch, ho.PermissionDenied}
    assert all(e == errors[0] for e in errors), errors
    assert all(str(e) == str(errors[0]) for e in errors)
