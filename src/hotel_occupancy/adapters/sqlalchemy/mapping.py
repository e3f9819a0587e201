"""Plain functions between database rows and domain entities.

The domain classes know nothing of SQLAlchemy; these functions are the whole mapping. A
stored row that cannot be an entity (an unknown enum value, a malformed metadata text, a
missing column: a damaged or tampered database) is :class:`StorageError`, never a raw
``KeyError`` or ``ValueError``.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, ParamSpec, TypeVar

from attrs import fields

from hotel_occupancy.adapters.sqlalchemy.schema import as_utc
from hotel_occupancy.domain.bookings import stage_from
from hotel_occupancy.domain.credentials import PinAttempts
from hotel_occupancy.domain.enums import (
    Condition,
    DiscrepancyKind,
    GuestType,
    OccupancyStatus,
    Operation,
    ServiceStatus,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.errors import StorageError
from hotel_occupancy.domain.legacy import LegacyHotelRecord, Owner
from hotel_occupancy.domain.model import (
    BoardRow,
    Booking,
    BookingGuest,
    FrozenMap,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    NightAudit,
    Room,
    RoomOccupancy,
    Staff,
    StayRow,
)
from hotel_occupancy.services.ports import RequestRecord

Row = Mapping[Any, Any]
P = ParamSpec("P")
R = TypeVar("R")


def _reading(table: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn a row that cannot be read into an entity into StorageError naming ``table``."""

    def decorate(read: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(read)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return read(*args, **kwargs)
            except (KeyError, ValueError, TypeError, AttributeError) as error:
                raise StorageError(
                    f"a row of {table} is damaged and cannot be read ({type(error).__name__}: "
                    f"{error}); the database may have been changed by hand"
                ) from error

        return checked

    return decorate


_FIELDS: dict[tuple[type, tuple[str, ...]], tuple[tuple[str, ...], Callable[[Any], Any]]] = {}
"""By class and the fields left out: the names of the fields written and a getter of their
values (one C call for all of them)."""


def plain(entity: Any, *exclude: str) -> dict[str, Any]:
    """The entity's fields as a dict for an INSERT or UPDATE (enums as their values)."""
    cls = type(entity)
    found = _FIELDS.get((cls, exclude))
    if found is None:
        names = tuple(a.name for a in fields(cls) if a.name not in exclude)
        getter = operator.attrgetter(*names)
        found = _FIELDS[cls, exclude] = (
            names,
            getter if len(names) > 1 else lambda entity: (getter(entity),),
        )
    names, values_of = found
    return {
        name: value.value if isinstance(value, Enum) else value
        for name, value in zip(names, values_of(entity), strict=True)
    }


@_reading("ho_hotels")
def hotel(row: Row) -> Hotel:
    return Hotel(
        hotel_id=row["hotel_id"],
        name=row["name"],
        require_inspection=bool(row["require_inspection"]),
        timezone=row["timezone"],
        checkout_time=row["checkout_time"],
        enforce_stay_dates=bool(row["enforce_stay_dates"]),
        stayover_every=row["stayover_every"],
        checkout_credits=row["checkout_credits"],
        stayover_credits=row["stayover_credits"],
        active=bool(row["active"]),
    )


@_reading("ho_hotels")
def hotel_of_staff(row: Row) -> Hotel:
    """The hotel of a staff row read with its hotel's columns labelled ``hotel_<name>``."""
    return Hotel(
        hotel_id=row["hotel_id"],
        name=row["hotel_name"],
        require_inspection=bool(row["hotel_require_inspection"]),
        timezone=row["hotel_timezone"],
        checkout_time=row["hotel_checkout_time"],
        enforce_stay_dates=bool(row["hotel_enforce_stay_dates"]),
        stayover_every=row["hotel_stayover_every"],
        checkout_credits=row["hotel_checkout_credits"],
        stayover_credits=row["hotel_stayover_credits"],
        active=bool(row["hotel_active"]),
    )


@_reading("ho_rooms")
def room(row: Row) -> Room:
    return Room(row["room_id"], row["hotel_id"], row["number"], row["capacity"])


@_reading("ho_rooms")
def room_of_occupancy(row: Row) -> Room:
    """The room of an occupancy record read with its room's columns (``room_number``,
    ``room_capacity``)."""
    return Room(row["room_id"], row["hotel_id"], row["room_number"], row["room_capacity"])


@_reading("ho_staff")
def staff(row: Row) -> Staff:
    return Staff(
        row["staff_id"], row["hotel_id"], row["name"], StaffRole(row["role"]), bool(row["active"])
    )


@_reading("ho_bookings")
def bookings(rows: Iterable[Row]) -> dict[str, Booking]:
    """Bookings from rows of the booking table joined with the members of their party (not
    those taken out of it), ordered by position."""
    heads: dict[str, Row] = {}
    parties: dict[str, list[BookingGuest]] = {}
    for row in rows:
        booking_id = row["booking_id"]
        heads.setdefault(booking_id, row)
        parties.setdefault(booking_id, []).append(
            BookingGuest(row["booking_guest_id"], row["first_name"], row["last_name"])
        )
    return {
        booking_id: Booking(
            booking_id=booking_id,
            hotel_id=head["hotel_id"],
            reference=head["reference"],
            arrival=head["arrival"],
            departure=head["departure"],
            party=tuple(parties[booking_id]),
            checked_in_at=head["checked_in_at"],
            checked_out_at=head["checked_out_at"],
            moved_at=head["moved_at"],
            cancelled_at=head["cancelled_at"],
            cancelled_by=head["cancelled_by"],
            no_show_at=head["no_show_at"],
            no_show_by=head["no_show_by"],
            queued_at=head["queued_at"],
        )
        for booking_id, head in heads.items()
    }


def booking_row(booking: Booking) -> dict[str, Any]:
    return plain(booking, "party")


def party_rows(booking: Booking) -> list[dict[str, Any]]:
    return [
        {
            "booking_guest_id": member.booking_guest_id,
            "booking_id": booking.booking_id,
            "position": position,
            "first_name": member.first_name,
            "last_name": member.last_name,
        }
        for position, member in enumerate(booking.party)
    ]


_STATUS = {s.value: s for s in OccupancyStatus}
_CONDITION = {c.value: c for c in Condition}
_SERVICE = {s.value: s for s in ServiceStatus}
_DISCREPANCY: dict[str | None, DiscrepancyKind | None] = {d.value: d for d in DiscrepancyKind}
_DISCREPANCY[None] = None


@_reading("the room board")
def board_rows(rows: Iterable[Sequence[Any]]) -> list[BoardRow]:
    """Board rows from the driver's (room_id, number, status, condition, booking_id,
    reference, expected_checkout, guest_count, arriving_booking_id, service_status,
    discrepancy, queued); ``expected_checkout`` as the driver returns it (see
    :func:`~hotel_occupancy.adapters.sqlalchemy.schema.as_utc`), ``queued`` 1 or 0. The
    fields ``due_out``, ``overdue`` and ``expected_checkout_local`` are left at their
    defaults (the service's). A hotel's guests share a few expected checkouts: each text
    SQLite gives is parsed once. (Not a datetime psycopg gives: it is in the session's
    zone, and two of them an hour apart when the clocks go back are equal and hash alike,
    told apart only by ``fold``; each is converted on its own.)"""
    checkouts: dict[str, datetime] = {}
    board = []
    for (
        room_id,
        number,
        status,
        condition,
        booking_id,
        reference,
        expected,
        count,
        arriving,
        service,
        discrepancy,
        queued,
    ) in rows:
        if expected is None:
            checkout = None
        elif type(expected) is str:
            checkout = checkouts.get(expected)
            if checkout is None:
                checkout = checkouts[expected] = as_utc(expected)
        else:
            checkout = as_utc(expected)
        board.append(
            BoardRow(  # by position, in BoardRow's field order: a board maps thousands of rows
                room_id,
                number,
                _STATUS[status],
                _CONDITION[condition],
                booking_id,
                reference,
                count,
                checkout,
                arriving,
                False,
                False,
                None,
                _SERVICE[service],
                _DISCREPANCY[discrepancy],
                bool(queued),
            )
        )
    return board


@_reading("the front desk's lists")
def stay_row(row: Row) -> StayRow:
    """A front-desk row (arrivals, departures, in house) from the columns the repository's
    query names; ``expected_checkout_local`` and ``overdue`` left at their defaults."""
    checked_in_at, checked_out_at = row["checked_in_at"], row["checked_out_at"]
    booking_id, room_id = row["booking_id"], row["room_id"]
    arriving = room_id is not None and row["arriving_booking_id"] == booking_id
    in_house = checked_in_at is not None and checked_out_at is None
    expected = row["expected_checkout"] if room_id is not None and not arriving else None
    return StayRow(
        booking_id=booking_id,
        hotel_id=row["hotel_id"],
        reference=row["reference"],
        stage=stage_from(
            checked_in_at is not None,
            checked_out_at is not None,
            row["cancelled_at"] is not None,
            row["no_show_at"] is not None,
            room_id is not None,
        ),
        arrival=row["arrival"],
        departure=row["departure"],
        party_size=row["party_size"],
        primary_name=f"{row['first_name'] or ''} {row['last_name'] or ''}".strip(),
        room_id=room_id,
        room_number=row["room_number"],
        arriving=arriving,
        queued=row["queued_at"] is not None,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        expected_checkout=as_utc(expected) if in_house and expected is not None else None,
    )


@_reading("ho_guests")
def guest(row: Row) -> Guest:
    return Guest(
        guest_id=row["guest_id"],
        hotel_id=row["hotel_id"],
        booking_id=row["booking_id"],
        booking_guest_id=row["booking_guest_id"],
        guest_type=GuestType(row["guest_type"]),
        primary_guest_id=row["primary_guest_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        check_in_date=row["check_in_date"],
        check_out_date=row["check_out_date"],
        id_pin=row["id_pin"],
        device_token=row["device_token"],
    )


@_reading("ho_occupancies")
def occupancy(row: Row) -> RoomOccupancy:
    return RoomOccupancy(
        room_id=row["room_id"],
        hotel_id=row["hotel_id"],
        status=OccupancyStatus(row["status"]),
        condition=Condition(row["condition"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        booking_id=row["booking_id"],
        occupied_since=row["occupied_since"],
        expected_checkout=row["expected_checkout"],
        assigned_by=row["assigned_by"],
        last_cleaned_by=row["last_cleaned_by"],
        last_cleaned_at=row["last_cleaned_at"],
        last_inspected_by=row["last_inspected_by"],
        last_inspected_at=row["last_inspected_at"],
        arriving_booking_id=row["arriving_booking_id"],
        service_status=ServiceStatus(row["service_status"]),
        discrepancy=_optional(DiscrepancyKind, row["discrepancy"]),
        discrepancy_by=row["discrepancy_by"],
        discrepancy_at=row["discrepancy_at"],
        observed_guests=row["observed_guests"],
        out_of_service_until=row["out_of_service_until"],
        return_condition=_optional(Condition, row["return_condition"]),
    )


@_reading("ho_tasks")
def task(row: Row) -> HousekeepingTask:
    return HousekeepingTask(
        task_id=row["task_id"],
        hotel_id=row["hotel_id"],
        room_id=row["room_id"],
        kind=TaskKind(row["kind"]),
        status=TaskStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        created_by=row["created_by"],
        assigned_to=row["assigned_to"],
        booking_id=row["booking_id"],
        started_at=row["started_at"],
        closed_at=row["closed_at"],
    )


E = TypeVar("E", bound=Enum)


def _optional(kind: type[E], value: str | None) -> E | None:
    """The enum member ``value`` names, or None for NULL (imported history, §12)."""
    return None if value is None else kind(value)


@_reading("ho_log")
def entry(row: Row) -> LogEntry:
    return LogEntry(
        id=row["id"],
        hotel_id=row["hotel_id"],
        room_id=row["room_id"],
        operation=Operation(row["operation"]),
        performed_by=row["performed_by"],
        status_before=_optional(OccupancyStatus, row["status_before"]),
        status_after=_optional(OccupancyStatus, row["status_after"]),
        condition_before=_optional(Condition, row["condition_before"]),
        condition_after=_optional(Condition, row["condition_after"]),
        timestamp=row["timestamp"],
        booking_id=row["booking_id"],
        from_room_id=row["from_room_id"],
        notes=row["notes"],
        metadata=FrozenMap(json.loads(row["metadata"])),
        request_id=row["request_id"],
    )


def entry_row(draft: LogEntry) -> dict[str, Any]:
    """The INSERT values of a log entry, without its id (the database assigns it); states
    and room None (imported history) are NULL."""
    values = plain(draft, "id")
    values["metadata"] = _metadata_text(dict(draft.metadata))
    return values


# json.dumps with options builds an encoder per call: one, made once, encodes every entry
_metadata_text = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


@_reading("ho_requests")
def request(row: Row) -> RequestRecord:
    return RequestRecord(
        row["request_id"], row["action"], row["fingerprint"], row["hotel_id"], row["created_at"]
    )


def entries(rows: Sequence[Row]) -> list[LogEntry]:
    return [entry(row) for row in rows]


@_reading("ho_night_audits")
def night_audit(row: Row) -> NightAudit:
    return NightAudit(
        hotel_id=row["hotel_id"],
        business_date=row["business_date"],
        performed_by=row["performed_by"],
        performed_at=row["performed_at"],
        rooms_changed=row["rooms_changed"],
    )


@_reading("ho_pin_attempts")
def pin_attempts(row: Row) -> PinAttempts:
    locked = row["locked_until"]
    return PinAttempts(
        hotel_id=row["hotel_id"],
        room_id=row["room_id"],
        failures=row["failures"],
        first_failure_at=as_utc(row["first_failure_at"]),
        locked_until=None if locked is None else as_utc(locked),
    )


@_reading("ho_legacy_hotels")
def legacy_hotel(row: Row) -> LegacyHotelRecord:
    return LegacyHotelRecord(
        hotel_id=row["hotel_id"],
        legacy_hotel_id=row["legacy_hotel_id"],
        prefix=row["prefix"],
        owner=Owner(row["owner"]),
        imported_at=row["imported_at"],
    )
