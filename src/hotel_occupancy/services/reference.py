"""Reference data: hotels, rooms, staff, bookings and device tokens.

These are not operations on a room: they take no staff member, write no log entry and
return an empty tuple. Every id is chosen by the host application and unique within its
kind across the store; registering one twice is refused with AlreadyRegistered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotel_occupancy.domain.enums import Condition, OccupancyStatus, StaffRole
from hotel_occupancy.domain.errors import AlreadyRegistered, GuestNotInHouse, InvalidInput
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    Hotel,
    LogEntry,
    Room,
    RoomOccupancy,
    Staff,
    replace,
)
from hotel_occupancy.domain.validation import (
    require_bool,
    require_capacity,
    require_date,
    require_enum,
    require_id,
    require_optional_id,
    require_text,
    require_time,
)
from hotel_occupancy.services import _common as c
from hotel_occupancy.services.ports import UnitOfWork

__all__ = [
    "deactivate_staff",
    "register_booking",
    "register_device_token",
    "register_hotel",
    "register_room",
    "register_staff",
]


def _require_timezone(value: object) -> str:
    name = require_id("timezone", value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"timezone must be an IANA time zone name; got {name!r}") from None
    return name


def register_hotel(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    name: str,
    require_inspection: bool = False,
    timezone: str = "UTC",
    checkout_time: time = time(11),
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register a hotel and its policy: whether rooms need an inspection before a guest
    checks in, its IANA ``timezone`` and its local ``checkout_time``."""
    require_id("hotel_id", hotel_id)
    require_text("name", name, required=True)
    require_bool("require_inspection", require_inspection)
    _require_timezone(timezone)
    require_time("checkout_time", checkout_time)
    require_optional_id("request_id", request_id)

    def body() -> str:
        if uow.hotels.get(hotel_id) is not None:
            raise AlreadyRegistered(f"hotel {hotel_id!r} is already registered", hotel_id=hotel_id)
        uow.hotels.add(Hotel(hotel_id, name, require_inspection, timezone, checkout_time))
        return hotel_id

    return c.run_reference(
        uow,
        "register_hotel",
        {
            "hotel_id": hotel_id,
            "name": name,
            "require_inspection": require_inspection,
            "timezone": timezone,
            "checkout_time": checkout_time,
        },
        request_id,
        body,
    )


def register_room(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    room_id: str,
    number: str,
    capacity: int | None = None,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register a room; it starts VACANT_CLEAN, condition CLEAN, with no booking and no log
    entry. ``capacity`` is the most guests it takes (None: no limit)."""
    require_id("hotel_id", hotel_id)
    require_id("room_id", room_id)
    require_id("number", number)
    require_capacity(capacity)
    require_optional_id("request_id", request_id)

    def body() -> str:
        c.get_hotel(uow, hotel_id)
        if uow.rooms.get(room_id) is not None:
            raise AlreadyRegistered(f"room {room_id!r} is already registered", room_id=room_id)
        if uow.rooms.number_taken(hotel_id, number):
            raise AlreadyRegistered(
                f"hotel {hotel_id!r} already has a room number {number!r}",
                hotel_id=hotel_id,
                number=number,
            )
        at = c.now(uow)
        uow.rooms.add(Room(room_id, hotel_id, number, capacity))
        uow.occupancies.add(
            RoomOccupancy(
                room_id=room_id,
                hotel_id=hotel_id,
                status=OccupancyStatus.VACANT_CLEAN,
                condition=Condition.CLEAN,
                created_at=at,
                updated_at=at,
            )
        )
        return hotel_id

    return c.run_reference(
        uow,
        "register_room",
        {"hotel_id": hotel_id, "room_id": room_id, "number": number, "capacity": capacity},
        request_id,
        body,
    )


def register_staff(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    staff_id: str,
    name: str,
    role: StaffRole,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register an active staff member of a hotel with a role."""
    require_id("hotel_id", hotel_id)
    require_id("staff_id", staff_id)
    require_text("name", name, required=True)
    chosen = require_enum("role", StaffRole, role)
    require_optional_id("request_id", request_id)

    def body() -> str:
        c.get_hotel(uow, hotel_id)
        if uow.staff.get(staff_id) is not None:
            raise AlreadyRegistered(
                f"staff member {staff_id!r} is already registered", staff_id=staff_id
            )
        uow.staff.add(Staff(staff_id, hotel_id, name, chosen))
        return hotel_id

    return c.run_reference(
        uow,
        "register_staff",
        {"hotel_id": hotel_id, "staff_id": staff_id, "name": name, "role": chosen},
        request_id,
        body,
    )


def deactivate_staff(
    uow: UnitOfWork, *, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Deactivate a staff member: from now on they may do nothing. Deactivating twice is
    harmless."""
    require_id("staff_id", staff_id)
    require_optional_id("request_id", request_id)

    def body() -> str:
        staff = c.get_staff(uow, staff_id)
        if staff.active:
            uow.staff.update(replace(staff, active=False))
        return staff.hotel_id

    return c.run_reference(uow, "deactivate_staff", {"staff_id": staff_id}, request_id, body)


def _require_party(party: object) -> tuple[BookingGuest, ...]:
    if isinstance(party, (str, bytes)) or not isinstance(party, Sequence):
        raise InvalidInput("party must be a sequence of BookingGuest")
    if not party:
        raise InvalidInput("party must have at least one guest (the first is the primary)")
    members: list[BookingGuest] = []
    for index, member in enumerate(party):
        if not isinstance(member, BookingGuest):
            raise InvalidInput(
                f"party[{index}] must be a BookingGuest, not {type(member).__name__}"
            )
        require_id(f"party[{index}].booking_guest_id", member.booking_guest_id)
        require_text(f"party[{index}].first_name", member.first_name)
        require_text(f"party[{index}].last_name", member.last_name)
        if not (member.first_name.strip() or member.last_name.strip()):
            raise InvalidInput(f"party[{index}] needs a first or a last name")
        members.append(member)
    ids = [m.booking_guest_id for m in members]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InvalidInput(f"booking guest ids appear twice in the party: {duplicated}")
    return tuple(members)


def register_booking(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    booking_id: str,
    reference: str,
    arrival: date,
    departure: date,
    party: Sequence[BookingGuest],
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Register an arriving booking: its human ``reference``, its dates (``departure`` on or
    after ``arrival``; equal for day use) and its party, the first being the primary."""
    require_id("hotel_id", hotel_id)
    require_id("booking_id", booking_id)
    require_id("reference", reference)
    require_date("arrival", arrival)
    require_date("departure", departure)
    if departure < arrival:
        raise InvalidInput(
            f"departure {departure.isoformat()} is before arrival {arrival.isoformat()}",
            booking_id=booking_id,
        )
    members = _require_party(party)
    require_optional_id("request_id", request_id)

    def body() -> str:
        c.get_hotel(uow, hotel_id)
        if uow.bookings.get(booking_id) is not None:
            raise AlreadyRegistered(
                f"booking {booking_id!r} is already registered", booking_id=booking_id
            )
        taken = uow.bookings.guest_ids_taken([m.booking_guest_id for m in members])
        if taken:
            raise AlreadyRegistered(
                f"booking guest ids already belong to another booking: {sorted(taken)}",
                booking_id=booking_id,
                booking_guest_ids=tuple(sorted(taken)),
            )
        uow.bookings.add(Booking(booking_id, hotel_id, reference, arrival, departure, members))
        return hotel_id

    return c.run_reference(
        uow,
        "register_booking",
        {
            "hotel_id": hotel_id,
            "booking_id": booking_id,
            "reference": reference,
            "arrival": arrival,
            "departure": departure,
            "party": members,
        },
        request_id,
        body,
    )


def register_device_token(
    uow: UnitOfWork, *, guest_id: str, token: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Attach a device token (for push messages) to an in-house guest's stay. It is cleared
    at checkout, so a departed guest's phone never hears about the next guest."""
    require_id("guest_id", guest_id)
    require_text("token", token, required=True)
    if token != token.strip():
        raise InvalidInput("token must not start or end with whitespace")
    require_optional_id("request_id", request_id)

    def body() -> str:
        guest = c.get_guest(uow, guest_id)
        if not guest.in_house:
            raise GuestNotInHouse(f"guest {guest_id!r} is no longer in house", guest_id=guest_id)
        uow.guests.update_many([replace(guest, device_token=token)])
        return guest.hotel_id

    return c.run_reference(
        uow, "register_device_token", {"guest_id": guest_id, "token": token}, request_id, body
    )
