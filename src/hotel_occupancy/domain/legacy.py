"""Taking a hotel over from the legacy schema (§12): its rows, the rules that reconcile
them, and the report.

Pure: nothing here reads or writes a database. A source adapter reads the legacy rows
(parsing them leniently: what it could not read is None, with a sentence in the row's
``problems``); :class:`HotelTakeover` turns one legacy hotel's rows into the library's
entities and the :class:`Conflict` records saying how each disagreement was resolved;
the import service (:mod:`hotel_occupancy.services.legacy`) moves the rows between the two.

The declarative parts are tables: :data:`LEGACY_ROOM_STATUS` (a legacy ``room_status`` ->
the room's condition and service state), :data:`AUDIT_COLUMNS` (a booking's audit
column -> the operation of the log entry it becomes) and :data:`CONFLICT_RULES` (every
kind of conflict, what it means and how it is resolved), which the documentation lists.
The mirror and the diff of the side-by-side phase read the same tables.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import attrs
from attrs import frozen

from hotel_occupancy.domain.dates import expected_checkout, local_date
from hotel_occupancy.domain.enums import (
    Condition,
    GuestType,
    Operation,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    FrozenMap,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    MetadataValue,
    Room,
    RoomOccupancy,
    Staff,
)
from hotel_occupancy.domain.transitions import INITIAL_STATE, RoomState, Service, Tenancy
from hotel_occupancy.domain.validation import EARLIEST_YEAR, LATEST_YEAR
from hotel_occupancy.domain.zones import zone

__all__ = [
    "AUDIT_COLUMNS",
    "CONFLICT_RULES",
    "COUNT_KEYS",
    "LEGACY_ROOM_STATUS",
    "AuditColumn",
    "Conflict",
    "ConflictKind",
    "HotelSettings",
    "HotelTakeover",
    "ImportSettings",
    "LegacyBooking",
    "LegacyGuest",
    "LegacyHotel",
    "LegacyHotelRecord",
    "LegacyOrphan",
    "LegacyPartyMember",
    "LegacyRoom",
    "LegacyStaff",
    "LegacyStay",
    "LegacyTask",
    "Owner",
    "RoomStatusRule",
    "TakenOver",
]


# --- the legacy rows, as a source adapter reads them ---------------------------------------


@frozen
class LegacyHotel:
    """A ``hotel_hotel`` row."""

    id: int
    name: str
    problems: tuple[str, ...] = ()


@frozen
class LegacyStaff:
    """A ``staff_staff`` row."""

    id: int
    hotel_id: int
    first_name: str
    last_name: str
    role: str
    is_active: bool
    problems: tuple[str, ...] = ()


@frozen
class LegacyRoom:
    """A ``rooms_room`` row (times aware UTC)."""

    id: int
    hotel_id: int
    room_number: str
    is_occupied: bool
    room_status: str
    guest_fcm_token: str | None = attrs.field(default=None, repr=False)
    cleaned_by_staff_id: int | None = None
    inspected_by_staff_id: int | None = None
    last_cleaned_at: datetime | None = None
    last_inspected_at: datetime | None = None
    problems: tuple[str, ...] = ()


@frozen
class LegacyBooking:
    """A ``hotel_roombooking`` row (times aware UTC; a date or time the source could not
    read is None, with a sentence in ``problems``)."""

    id: int
    hotel_id: int
    booking_id: str
    check_in: date | None
    check_out: date | None
    assigned_room_id: int | None = None
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    room_assigned_at: datetime | None = None
    room_assigned_by_id: int | None = None
    room_reassigned_at: datetime | None = None
    room_reassigned_by_id: int | None = None
    room_unassigned_at: datetime | None = None
    room_unassigned_by_id: int | None = None
    room_moved_at: datetime | None = None
    room_moved_by_id: int | None = None
    problems: tuple[str, ...] = ()


@frozen
class LegacyPartyMember:
    """A ``hotel_bookingguest`` row."""

    id: int
    booking_id: int
    first_name: str
    last_name: str
    is_primary: bool
    problems: tuple[str, ...] = ()


@frozen
class LegacyGuest:
    """A ``guests_guest`` row. Its ``id_pin`` is never read: in-house guests get fresh PINs."""

    id: int
    hotel_id: int
    first_name: str
    last_name: str
    guest_type: str
    room_id: int | None = None
    booking_id: int | None = None
    booking_guest_id: int | None = None
    primary_guest_id: int | None = None
    check_in_date: date | None = None
    check_out_date: date | None = None
    problems: tuple[str, ...] = ()


@frozen
class LegacyTask:
    """A ``housekeeping_housekeepingtask`` row. ``booking_hotel_id`` is the hotel of the
    booking it names (None if it names none, or one that does not exist)."""

    id: int
    hotel_id: int
    room_id: int | None
    task_type: str
    status: str
    created_at: datetime | None
    booking_id: int | None = None
    booking_hotel_id: int | None = None
    assigned_to_id: int | None = None
    created_by_id: int | None = None
    problems: tuple[str, ...] = ()


@frozen
class LegacyStay:
    """A booking with its party rows, the ``guests_guest`` rows that name it, and the rooms
    of the housekeeping tasks that name it (after a clean legacy checkout, a past stay's
    room is recorded nowhere else)."""

    booking: LegacyBooking
    party: tuple[LegacyPartyMember, ...] = ()
    guests: tuple[LegacyGuest, ...] = ()
    task_rooms: tuple[int, ...] = ()


@frozen
class LegacyOrphan:
    """A legacy row that belongs to no hotel or booking the import can place it in: its
    table, its id, and what is wrong (``kind`` is a :class:`ConflictKind` value)."""

    table: str
    id: int
    kind: str
    detail: str


# --- the tables ----------------------------------------------------------------------------


@frozen
class RoomStatusRule:
    """What a legacy ``room_status`` says about a room that holds no in-house booking."""

    condition: Condition
    service: Service = Service.IN_SERVICE
    inspected_if_recorded: bool = False  # INSPECTED when an inspection is recorded


LEGACY_ROOM_STATUS: Mapping[str, RoomStatusRule] = {
    "READY_FOR_GUEST": RoomStatusRule(Condition.CLEAN, inspected_if_recorded=True),
    "CLEANED_UNINSPECTED": RoomStatusRule(Condition.CLEAN),
    "CHECKOUT_DIRTY": RoomStatusRule(Condition.DIRTY),
    "CLEANING_IN_PROGRESS": RoomStatusRule(Condition.CLEANING),
    # the legacy status says nothing of cleanliness: the room is cleaned before it sells
    "MAINTENANCE_REQUIRED": RoomStatusRule(Condition.DIRTY, Service.MAINTENANCE),
    "OUT_OF_ORDER": RoomStatusRule(Condition.DIRTY, Service.OUT_OF_ORDER),
    # what an in-house room says (an OCCUPIED room without one is a phantom)
    "OCCUPIED": RoomStatusRule(Condition.CLEAN),
}
"""§12's mapping of the legacy room statuses; any other value is ``unknown_room_status``."""


@frozen
class AuditColumn:
    """One audit column of ``hotel_roombooking`` and the log entry it becomes."""

    at: str
    by: str | None
    operation: Operation


AUDIT_COLUMNS: tuple[AuditColumn, ...] = (
    AuditColumn("room_assigned_at", "room_assigned_by_id", Operation.ASSIGN),
    AuditColumn("room_reassigned_at", "room_reassigned_by_id", Operation.REASSIGN),
    AuditColumn("room_unassigned_at", "room_unassigned_by_id", Operation.UNASSIGN),
    AuditColumn("room_moved_at", "room_moved_by_id", Operation.MOVE),
    AuditColumn("checked_in_at", None, Operation.CHECKIN),
    AuditColumn("checked_out_at", None, Operation.CHECKOUT),
)
"""Each non-null audit column of a booking is one imported log entry, in this order for one
time (``checked_in_at`` and ``checked_out_at`` name no staff: the import actor does)."""


class ConflictKind(StrEnum):
    """Every kind of disagreement or damage the import resolves and reports."""

    # named by §12
    DOUBLE_OCCUPANCY = "double_occupancy"
    PHANTOM_OCCUPANCY = "phantom_occupancy"
    OCCUPIED_FLAG_FALSE = "occupied_flag_false"
    PREASSIGNMENT_CONFLICT = "preassignment_conflict"
    CROSS_HOTEL_REFERENCE = "cross_hotel_reference"
    GUEST_ROOM_DRIFT = "guest_room_drift"
    LINGERING_GUEST = "lingering_guest"
    STALE_DEVICE_TOKEN = "stale_device_token"
    UNKNOWN_ROOM_STATUS = "unknown_room_status"
    # met in legacy data, resolved by the closest honest rule
    EMPTY_PARTY = "empty_party"
    PRIMARY_GUEST_UNCLEAR = "primary_guest_unclear"
    UNKNOWN_STAFF_ROLE = "unknown_staff_role"
    DATES_REVERSED = "dates_reversed"
    DANGLING_REFERENCE = "dangling_reference"
    DUPLICATE_ROOM_NUMBER = "duplicate_room_number"
    NUL_IN_TEXT = "nul_in_text"
    MISSING_VALUE = "missing_value"
    UNREADABLE_VALUE = "unreadable_value"
    IN_HOUSE_WITHOUT_ROOM = "in_house_without_room"
    CHECKOUT_WITHOUT_CHECKIN = "checkout_without_checkin"
    OUT_OF_SERVICE_OCCUPIED = "out_of_service_occupied"
    UNMATCHED_GUEST = "unmatched_guest"
    GUEST_NOT_IN_HOUSE = "guest_not_in_house"
    GUEST_WITHOUT_BOOKING = "guest_without_booking"
    STALE_OPEN_TASK = "stale_open_task"
    UNKNOWN_TASK = "unknown_task"


@frozen
class ConflictRule:
    """What a kind of conflict is, and how the import resolves it, in words."""

    found: str
    resolution: str


CONFLICT_RULES: Mapping[ConflictKind, ConflictRule] = {
    ConflictKind.DOUBLE_OCCUPANCY: ConflictRule(
        "two or more in-house bookings are assigned to one room",
        "the latest check-in occupies the room; the others are registered, not placed",
    ),
    ConflictKind.PHANTOM_OCCUPANCY: ConflictRule(
        "the room says it is occupied but no in-house booking is assigned to it",
        "vacant and dirty (VACANT_DIRTY), with a cleaning task",
    ),
    ConflictKind.OCCUPIED_FLAG_FALSE: ConflictRule(
        "an in-house booking is assigned to a room whose is_occupied is false",
        "the booking wins: the room is OCCUPIED",
    ),
    ConflictKind.PREASSIGNMENT_CONFLICT: ConflictRule(
        "a pre-assigned booking's room is occupied, out of service, or already "
        "pre-assigned to another booking",
        "the earliest assignment to a vacant room in service keeps it; this booking is "
        "registered, not placed",
    ),
    ConflictKind.CROSS_HOTEL_REFERENCE: ConflictRule(
        "a row names a room, staff member or booking of another hotel",
        "the reference is dropped (a booking is registered, not placed)",
    ),
    ConflictKind.GUEST_ROOM_DRIFT: ConflictRule(
        "a guest row's room differs from its booking's room",
        "the booking's room wins",
    ),
    ConflictKind.LINGERING_GUEST: ConflictRule(
        "guests of a checked-out booking have no check-out date",
        "they depart with the booking, on its checkout date",
    ),
    ConflictKind.STALE_DEVICE_TOKEN: ConflictRule(
        "a device token is left on a room no guest is in",
        "dropped (a token on an occupied room moves to the primary in-house guest)",
    ),
    ConflictKind.UNKNOWN_ROOM_STATUS: ConflictRule(
        "the room's status is none of the legacy values the import knows",
        "vacant and dirty (VACANT_DIRTY)",
    ),
    ConflictKind.EMPTY_PARTY: ConflictRule(
        "a booking has no party rows",
        "its party is made of its guest rows, or of one guest named after the booking",
    ),
    ConflictKind.PRIMARY_GUEST_UNCLEAR: ConflictRule(
        "a booking's party has no primary guest, or several",
        "the first primary by id (or the first member by id) is the primary",
    ),
    ConflictKind.UNKNOWN_STAFF_ROLE: ConflictRule(
        "a staff member's role is none the library knows",
        "imported deactivated, as HOUSEKEEPING: register them again with their role",
    ),
    ConflictKind.DATES_REVERSED: ConflictRule(
        "a booking's planned departure is before its arrival",
        "the two dates are swapped",
    ),
    ConflictKind.DANGLING_REFERENCE: ConflictRule(
        "a row names a hotel, room, staff member or booking that does not exist",
        "a row that cannot exist without it is not imported; otherwise the reference is dropped",
    ),
    ConflictKind.DUPLICATE_ROOM_NUMBER: ConflictRule(
        "two rooms of one hotel have the same number",
        "the first (lowest id) keeps it; the others get '#<legacy id>' appended",
    ),
    ConflictKind.NUL_IN_TEXT: ConflictRule(
        "text holds NUL bytes or other control characters",
        "they are removed",
    ),
    ConflictKind.MISSING_VALUE: ConflictRule(
        "a name, number or reference is empty",
        "a placeholder naming the legacy row is used",
    ),
    ConflictKind.UNREADABLE_VALUE: ConflictRule(
        "a date or time cannot be read, or lies outside the years 1900-9998",
        "treated as missing (a booking with neither date is not imported)",
    ),
    ConflictKind.IN_HOUSE_WITHOUT_ROOM: ConflictRule(
        "a booking is checked in and not out, but assigned to no room",
        "registered, not placed",
    ),
    ConflictKind.CHECKOUT_WITHOUT_CHECKIN: ConflictRule(
        "a booking is checked out but was never checked in",
        "checked in at its checkout time",
    ),
    ConflictKind.OUT_OF_SERVICE_OCCUPIED: ConflictRule(
        "an in-house booking is in a room marked out of order or in maintenance",
        "the booking wins: the room is OCCUPIED and in service",
    ),
    ConflictKind.UNMATCHED_GUEST: ConflictRule(
        "a guest row matches no member of its booking's party (or one already matched)",
        "not imported: the party is the list of the booking's guests",
    ),
    ConflictKind.GUEST_NOT_IN_HOUSE: ConflictRule(
        "a guest row belongs to a booking that is neither in house nor checked out",
        "not imported: guest records exist only for in-house and departed stays",
    ),
    ConflictKind.GUEST_WITHOUT_BOOKING: ConflictRule(
        "a guest row names no booking",
        "not imported",
    ),
    ConflictKind.STALE_OPEN_TASK: ConflictRule(
        "an open housekeeping task disagrees with the room's imported state",
        "imported as CANCELLED",
    ),
    ConflictKind.UNKNOWN_TASK: ConflictRule(
        "a housekeeping task's type or status is none the library knows",
        "not imported",
    ),
}


COUNT_KEYS: tuple[str, ...] = (
    "hotels",
    "rooms",
    "staff",
    "bookings",
    "guests",
    "in_house_bookings",
    "pre_assigned_bookings",
    "history_entries",
    "device_tokens_moved",
)
"""The keys of the report's ``counts``, in order (§12)."""


class Owner(StrEnum):
    """Who writes a hotel's rooms and bookings: one writer at a time (§12)."""

    LEGACY = "LEGACY"  # the legacy application; the import brings its changes in
    LIBRARY = "LIBRARY"  # hotel_occupancy, after the cut-over


@frozen
class LegacyHotelRecord:
    """That a hotel of the store was taken over from a legacy database, and who owns it."""

    hotel_id: str
    legacy_hotel_id: int
    prefix: str
    owner: Owner
    imported_at: datetime


@frozen
class Conflict:
    """One disagreement or damage in the legacy data, and how it was resolved."""

    kind: ConflictKind
    detail: str
    resolution: str
    room_id: str | None = None
    booking_reference: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The report's shape: ``kind``, ``room_id`` or ``booking_reference`` (as the kind
        concerns; neither for a staff member or a hotel), ``detail``, ``resolution``."""
        out = {"kind": self.kind.value}
        if self.booking_reference is not None:
            out["booking_reference"] = self.booking_reference
        elif self.room_id is not None:
            out["room_id"] = self.room_id
        out["detail"] = self.detail
        out["resolution"] = self.resolution
        return out


# --- settings -----------------------------------------------------------------------------


@frozen
class HotelSettings:
    """What the legacy schema does not hold about a hotel."""

    timezone: str = "UTC"
    checkout_time: time = time(11)
    require_inspection: bool = False


@frozen
class ImportSettings:
    """The settings of an import: per legacy hotel id, with defaults for the others, and
    the time zone the legacy database's naive times are in (Django stores UTC)."""

    defaults: HotelSettings = HotelSettings()
    hotels: Mapping[int, HotelSettings] = attrs.field(factory=dict)
    legacy_timezone: str = "UTC"

    def for_hotel(self, legacy_hotel_id: int) -> HotelSettings:
        """The settings of one legacy hotel."""
        return self.hotels.get(legacy_hotel_id, self.defaults)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ImportSettings:
        """Settings from a parsed settings file (TOML or JSON)::

            legacy_timezone = "UTC"          # the zone of the legacy database's naive times
            [defaults]                       # for every hotel not named below
            timezone = "Europe/Paris"
            checkout_time = "11:00"
            require_inspection = false
            [hotels.2]                       # legacy hotel id 2
            timezone = "Europe/London"       # keys not given come from [defaults]

        Unknown keys and bad values raise InvalidInput naming them.
        """
        _only(data, {"legacy_timezone", "defaults", "hotels"}, "the settings")
        defaults = _hotel_settings(data.get("defaults", {}), HotelSettings(), "[defaults]")
        hotels_data = data.get("hotels", {})
        if not isinstance(hotels_data, Mapping):
            raise InvalidInput("[hotels] must be a table of legacy hotel ids")
        hotels: dict[int, HotelSettings] = {}
        for key, value in hotels_data.items():
            if not str(key).isdecimal():
                raise InvalidInput(f"[hotels.{key}]: a legacy hotel id is a number")
            hotels[int(key)] = _hotel_settings(value, defaults, f"[hotels.{key}]")
        legacy_timezone = data.get("legacy_timezone", "UTC")
        _require_zone("legacy_timezone", legacy_timezone)
        return cls(defaults=defaults, hotels=hotels, legacy_timezone=legacy_timezone)


def _only(data: object, keys: set[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{where} must be a table of settings")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise InvalidInput(f"{where}: unknown setting(s) {unknown}; known: {sorted(keys)}")


def _require_zone(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} must be an IANA time zone name; got {value!r}")
    try:
        zone(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name} must be an IANA time zone name; got {value!r}") from None
    return value


def _hotel_settings(data: object, base: HotelSettings, where: str) -> HotelSettings:
    _only(data, {"timezone", "checkout_time", "require_inspection"}, where)
    assert isinstance(data, Mapping)
    changes: dict[str, Any] = {}
    if "timezone" in data:
        changes["timezone"] = _require_zone(f"{where} timezone", data["timezone"])
    if "checkout_time" in data:
        value = data["checkout_time"]
        try:
            changes["checkout_time"] = (
                value if isinstance(value, time) else time.fromisoformat(value)
            )
        except (TypeError, ValueError):
            raise InvalidInput(f"{where} checkout_time must be HH:MM; got {value!r}") from None
    if "require_inspection" in data:
        if not isinstance(data["require_inspection"], bool):
            raise InvalidInput(f"{where} require_inspection must be true or false")
        changes["require_inspection"] = data["require_inspection"]
    return attrs.evolve(base, **changes)


# --- the takeover of one hotel ------------------------------------------------------------


@frozen
class TakenOver:
    """Rows for the store, in an order its foreign keys accept."""

    hotels: tuple[Hotel, ...] = ()
    staff: tuple[Staff, ...] = ()
    rooms: tuple[Room, ...] = ()
    bookings: tuple[Booking, ...] = ()
    occupancies: tuple[RoomOccupancy, ...] = ()
    guests: tuple[Guest, ...] = ()
    tasks: tuple[HousekeepingTask, ...] = ()
    entries: tuple[LogEntry, ...] = ()

    def __len__(self) -> int:
        return sum(len(getattr(self, f.name)) for f in attrs.fields(TakenOver))

    @classmethod
    def merge(cls, parts: Iterable[TakenOver]) -> TakenOver:
        """The rows of ``parts``, field by field, in order."""
        fields: dict[str, list[Any]] = {f.name: [] for f in attrs.fields(cls)}
        for part in parts:
            for name, rows in fields.items():
                rows.extend(getattr(part, name))
        return cls(**{name: tuple(rows) for name, rows in fields.items()})


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # Unicode's Cc, but tab/CR/LF
_SPACES = re.compile("[\t\r\n]")


def _clean(text: str | None) -> tuple[str, bool]:
    """``text`` without control characters (tabs and line breaks become spaces), trimmed,
    and whether a control character other than those was removed."""
    if text is None:
        return "", False
    if text.isprintable():  # the common case: nothing to remove (isprintable is False on Cc)
        return text.strip(), False
    kept, removed = _CONTROL.subn("", text)
    return _SPACES.sub(" ", kept).strip(), removed > 0


def _in_range(moment: datetime | date | None) -> bool:
    return moment is not None and EARLIEST_YEAR <= moment.year <= LATEST_YEAR


@frozen
class _Placement:
    """Where an open legacy booking ends up: its room, and whether it is in house there."""

    room: int
    in_house: bool


class HotelTakeover:
    """Turns one legacy hotel's rows into the library's entities, collecting conflicts.

    Construct it with the hotel's reference rows and its *open* stays (bookings not checked
    out that are assigned to a room or checked in: at most a few per room), which decide
    every room's state. Then feed it every other stay (:meth:`stay`) and every task
    (:meth:`task`) in any order, and :meth:`finish` returns the rooms' occupancy records,
    their open tasks and one IMPORT entry per room. Every method returns the rows to
    write; :attr:`conflicts` and :attr:`counts` grow as it goes.
    """

    def __init__(
        self,
        *,
        hotel: LegacyHotel,
        settings: HotelSettings,
        prefix: str,
        now: datetime,
        staff: Sequence[LegacyStaff],
        rooms: Sequence[LegacyRoom],
        open_stays: Sequence[LegacyStay],
        room_hotels: Mapping[int, int],
        staff_hotels: Mapping[int, int],
    ) -> None:
        self.prefix = prefix
        self.now = now
        self.legacy = hotel
        self.conflicts: list[Conflict] = []
        self.counts: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)
        self.counts["hotels"] = 1
        self._room_hotels = room_hotels
        self._staff_hotels = staff_hotels
        self._pins: list[str] = []
        name, damaged = _clean(hotel.name)
        self.hotel = Hotel(
            hotel_id=self.id(hotel.id),
            name=name or f"Hotel {hotel.id}",
            require_inspection=settings.require_inspection,
            timezone=settings.timezone,
            checkout_time=settings.checkout_time,
        )
        self._problems(hotel.problems, what=f"hotel {hotel.id}")
        if damaged:
            self._add(ConflictKind.NUL_IN_TEXT, f"hotel {hotel.id}'s name")
        if not name:
            self._add(ConflictKind.MISSING_VALUE, f"hotel {hotel.id} has no name")
        self.actor = Staff(
            staff_id=f"{prefix}legacy-import-{hotel.id}",
            hotel_id=self.hotel.hotel_id,
            name="Legacy import",
            role=StaffRole.MANAGER,
            active=False,
        )
        self._staff = {row.id: self._staff_member(row) for row in staff}
        self._rooms: dict[int, LegacyRoom] = {}
        self._room_entities: list[Room] = []
        self._register_rooms(rooms)
        self._open: dict[int, _Placement] = {}
        self._placed_dates: dict[int, tuple[date, date]] = {}  # filled by stay()
        self._open_stays = list(open_stays)
        self._place(self._open_stays)
        self._skipped_bookings: set[int] = set()
        self._room_token_to: dict[int, str] = {}
        self._open_tasks: dict[int, list[LegacyTask]] = defaultdict(list)

    # ids and conflicts ----------------------------------------------------------------------

    def id(self, legacy_id: int | str) -> str:
        """The store's id for a legacy primary key: the key as text, after the prefix."""
        return f"{self.prefix}{legacy_id}"

    def _add(
        self,
        kind: ConflictKind,
        detail: str,
        *,
        room: int | None = None,
        booking: LegacyBooking | None = None,
        resolution: str | None = None,
    ) -> None:
        reference = (
            None if booking is None else (_clean(booking.booking_id)[0] or self.id(booking.id))
        )
        self.conflicts.append(
            Conflict(
                kind=kind,
                detail=detail,
                resolution=resolution or CONFLICT_RULES[kind].resolution,
                room_id=None if room is None else self.id(room),
                booking_reference=reference,
            )
        )

    def _problems(
        self,
        problems: Iterable[str],
        *,
        what: str,
        room: int | None = None,
        booking: LegacyBooking | None = None,
    ) -> None:
        for problem in problems:
            self._add(
                ConflictKind.UNREADABLE_VALUE, f"{what}: {problem}", room=room, booking=booking
            )

    def _text(
        self,
        value: str | None,
        *,
        what: str,
        placeholder: str,
        room: int | None = None,
        booking: LegacyBooking | None = None,
    ) -> str:
        text, damaged = _clean(value)
        if damaged:
            self._add(ConflictKind.NUL_IN_TEXT, what, room=room, booking=booking)
        if not text:
            self._add(
                ConflictKind.MISSING_VALUE,
                f"{what} is empty",
                room=room,
                booking=booking,
                resolution=f"'{placeholder}' is used",
            )
            return placeholder
        return text

    def _staff_ref(
        self,
        legacy_id: int | None,
        *,
        what: str,
        room: int | None = None,
        booking: LegacyBooking | None = None,
    ) -> str | None:
        """The store's id of a staff member the row names, or None (reported) if it names
        one that does not exist or belongs to another hotel."""
        if legacy_id is None:
            return None
        if legacy_id in self._staff:
            return self._staff[legacy_id].staff_id
        kind = (
            ConflictKind.CROSS_HOTEL_REFERENCE
            if legacy_id in self._staff_hotels
            else ConflictKind.DANGLING_REFERENCE
        )
        self._add(kind, f"{what} names staff {legacy_id}", room=room, booking=booking)
        return None

    # reference rows ---------------------------------------------------------------------------

    def _staff_member(self, row: LegacyStaff) -> Staff:
        self.counts["staff"] += 1
        what = f"staff {row.id}"
        self._problems(row.problems, what=what)
        name = self._text(
            f"{_clean(row.first_name)[0]} {_clean(row.last_name)[0]}",
            what=f"{what}'s name",
            placeholder=f"Staff {row.id}",
        )
        if _clean(row.first_name)[1] or _clean(row.last_name)[1]:
            self._add(ConflictKind.NUL_IN_TEXT, f"{what}'s name")
        active = row.is_active
        try:
            role = StaffRole(_clean(row.role)[0].upper())
        except ValueError:
            self._add(ConflictKind.UNKNOWN_STAFF_ROLE, f"{what} ({name}) has the role {row.role!r}")
            role, active = StaffRole.HOUSEKEEPING, False
        return Staff(self.id(row.id), self.hotel.hotel_id, name, role, active)

    def _register_rooms(self, rooms: Sequence[LegacyRoom]) -> None:
        taken: set[str] = set()
        for row in sorted(rooms, key=lambda r: r.id):
            self.counts["rooms"] += 1
            self._rooms[row.id] = row
            self._problems(row.problems, what=f"room {row.id}", room=row.id)
            number = self._text(
                row.room_number,
                what=f"room {row.id}'s number",
                placeholder=f"#{row.id}",
                room=row.id,
            )
            if number in taken:
                renamed = f"{number}#{row.id}"
                while renamed in taken:
                    renamed += "#"
                self._add(
                    ConflictKind.DUPLICATE_ROOM_NUMBER,
                    f"room {row.id} has the number {number!r} of an earlier room",
                    room=row.id,
                    resolution=f"numbered {renamed!r}",
                )
                number = renamed
            taken.add(number)
            self._room_entities.append(Room(self.id(row.id), self.hotel.hotel_id, number))

    def reference_rows(self) -> TakenOver:
        """The hotel, its import actor, its staff and its rooms."""
        return TakenOver(
            hotels=(self.hotel,),
            staff=(self.actor, *self._staff.values()),
            rooms=tuple(self._room_entities),
        )

    # placement ------------------------------------------------------------------------------

    def _room_of(self, booking: LegacyBooking, *, report: bool) -> int | None:
        """The booking's legacy room if it is a room of this hotel (reported if not)."""
        room = booking.assigned_room_id
        if room is None or room in self._rooms:
            return room
        if report:
            kind = (
                ConflictKind.CROSS_HOTEL_REFERENCE
                if room in self._room_hotels
                else ConflictKind.DANGLING_REFERENCE
            )
            self._add(
                kind,
                f"the booking is assigned to room {room}, "
                + ("of another hotel" if room in self._room_hotels else "which does not exist"),
                booking=booking,
                resolution="registered, not placed" + _kept(booking.checked_in_at),
            )
        return None

    def _place(self, stays: Sequence[LegacyStay]) -> None:
        in_house: dict[int, list[LegacyBooking]] = defaultdict(list)
        arriving: dict[int, list[LegacyBooking]] = defaultdict(list)
        for stay in stays:
            b = stay.booking
            room = self._room_of(b, report=True)
            if b.checked_out_at is not None or not (
                _in_range(b.check_in) or _in_range(b.check_out)
            ):
                continue  # a booking with no readable date is not imported (stay() reports it)
            if room is None:
                if b.checked_in_at is not None and b.assigned_room_id is None:
                    self._add(
                        ConflictKind.IN_HOUSE_WITHOUT_ROOM,
                        "checked in and not out, assigned to no room",
                        booking=b,
                        resolution="registered, not placed" + _kept(b.checked_in_at),
                    )
                continue
            (in_house if b.checked_in_at is not None else arriving)[room].append(b)
        for room, bookings in in_house.items():
            ranked = sorted(bookings, key=lambda b: (b.checked_in_at, b.id), reverse=True)
            winner = ranked[0]
            self._open[winner.id] = _Placement(room, True)
            for loser in ranked[1:]:
                self._add(
                    ConflictKind.DOUBLE_OCCUPANCY,
                    f"in house in room {room} with booking {self._reference(winner)}, "
                    "which checked in later",
                    booking=loser,
                    resolution="registered, not placed" + _kept(loser.checked_in_at),
                )
        for room, bookings in arriving.items():
            ranked = sorted(
                bookings,
                key=lambda b: (b.room_assigned_at is None, b.room_assigned_at or self.now, b.id),
            )
            rule = self._status_rule(self._rooms[room], report=False)
            blocked = room in {p.room for p in self._open.values() if p.in_house}
            if blocked or (rule is not None and rule.service is not Service.IN_SERVICE):
                ranked_free: list[LegacyBooking] = []
                reason = "occupied" if blocked else "out of service"
            else:
                ranked_free, reason = ranked[:1], ""
                self._open[ranked[0].id] = _Placement(room, False)
            for loser in ranked[len(ranked_free) :]:
                why = (
                    f"room {room} is {reason}"
                    if reason
                    else f"room {room} is pre-assigned to booking {self._reference(ranked[0])}"
                )
                self._add(ConflictKind.PREASSIGNMENT_CONFLICT, why, booking=loser)
        self.counts["in_house_bookings"] = sum(p.in_house for p in self._open.values())
        self.counts["pre_assigned_bookings"] = sum(not p.in_house for p in self._open.values())

    def _reference(self, booking: LegacyBooking) -> str:
        return _clean(booking.booking_id)[0] or self.id(booking.id)

    def pins_needed(self) -> int:
        """How many fresh PINs the in-house guests need (one per party member)."""
        return sum(
            max(1, len(stay.party) or len(stay.guests))
            for stay in self._open_stays
            if self._open.get(stay.booking.id, _Placement(0, False)).in_house
        )

    def give_pins(self, pins: Sequence[str]) -> None:
        """The fresh PINs to hand out to in-house guests (drawn by the caller)."""
        self._pins = list(pins)

    # the room's state -------------------------------------------------------------------------

    def _status_rule(self, row: LegacyRoom, *, report: bool) -> RoomStatusRule | None:
        rule = LEGACY_ROOM_STATUS.get(row.room_status)
        if rule is None and report:
            self._add(
                ConflictKind.UNKNOWN_ROOM_STATUS,
                f"room_status {row.room_status!r}",
                room=row.id,
            )
        return rule

    def _room_state(self, row: LegacyRoom, booking: LegacyBooking | None) -> RoomState:
        """The imported state of a room, given the open booking placed on it."""
        placement = None if booking is None else self._open[booking.id]
        rule = self._status_rule(row, report=True)
        inspected = row.inspected_by_staff_id is not None or row.last_inspected_at is not None
        if rule is None:
            condition, service = Condition.DIRTY, Service.IN_SERVICE
        else:
            condition, service = rule.condition, rule.service
            if rule.inspected_if_recorded and inspected:
                condition = Condition.INSPECTED
        if placement is not None and placement.in_house:
            if not row.is_occupied and booking is not None:
                self._add(
                    ConflictKind.OCCUPIED_FLAG_FALSE,
                    f"booking {self._reference(booking)} is in house, is_occupied is false",
                    room=row.id,
                )
            if service is not Service.IN_SERVICE:
                self._add(
                    ConflictKind.OUT_OF_SERVICE_OCCUPIED,
                    f"room_status {row.room_status!r} with an in-house booking",
                    room=row.id,
                )
            return RoomState(Tenancy.OCCUPIED, condition, Service.IN_SERVICE)
        if row.is_occupied or row.room_status == "OCCUPIED":
            self._add(
                ConflictKind.PHANTOM_OCCUPANCY,
                f"is_occupied {row.is_occupied}, room_status {row.room_status!r}, "
                "no in-house booking",
                room=row.id,
            )
            tenancy = Tenancy.ASSIGNED if placement is not None else Tenancy.VACANT
            return RoomState(tenancy, Condition.DIRTY, Service.IN_SERVICE)
        tenancy = Tenancy.ASSIGNED if placement is not None else Tenancy.VACANT
        return RoomState(tenancy, condition, service)

    # bookings ---------------------------------------------------------------------------------

    def open_rows(self) -> TakenOver:
        """The open stays' bookings, party and guest records (call after give_pins)."""
        return TakenOver.merge(self.stay(stay) for stay in self._open_stays)

    @property
    def open_count(self) -> int:
        """How many open stays the takeover was given."""
        return len(self._open_stays)

    def stay(self, stay: LegacyStay) -> TakenOver:
        """One booking with its party, guest records and history (any stay not open, or
        an open one through :meth:`open_rows`)."""
        b = stay.booking
        self.counts["bookings"] += 1
        self.counts["guests"] += len(stay.guests)
        what = f"booking {b.id}"
        self._problems(b.problems, what=what, booking=b)
        for member in stay.party:
            self._problems(member.problems, what=f"party member {member.id}", booking=b)
        for guest in stay.guests:
            self._problems(guest.problems, what=f"guest {guest.id}", booking=b)
        dates = self._dates(b)
        if dates is None:
            self._skipped_bookings.add(b.id)
            if stay.party:
                self._add(
                    ConflictKind.UNREADABLE_VALUE,
                    f"the party rows {[m.id for m in stay.party]} of the booking",
                    booking=b,
                    resolution="not imported with their booking",
                )
            for guest in stay.guests:
                self._add(
                    ConflictKind.UNMATCHED_GUEST,
                    f"guest {guest.id}'s booking is not imported",
                    booking=b,
                )
            return TakenOver()
        arrival, departure = dates
        placement = self._open.get(b.id)
        if placement is not None:
            self._placed_dates[b.id] = dates
        in_house = placement is not None and placement.in_house
        departed = b.checked_out_at is not None
        checked_in_at = b.checked_in_at if (in_house or departed) else None
        if departed and checked_in_at is None:
            self._add(
                ConflictKind.CHECKOUT_WITHOUT_CHECKIN,
                f"checked out at {b.checked_out_at:%Y-%m-%d %H:%M} UTC, never checked in",
                booking=b,
            )
            checked_in_at = b.checked_out_at
        party = self._party(stay)
        booking = Booking(
            booking_id=self.id(b.id),
            hotel_id=self.hotel.hotel_id,
            reference=self._reference(b)[:128],
            arrival=arrival,
            departure=departure,
            party=tuple(member for member, _ in party),
            checked_in_at=checked_in_at,
            checked_out_at=b.checked_out_at,
            moved_at=b.room_moved_at if (in_house or departed) else None,
        )
        guests = self._guests(stay, booking, party, in_house=in_house, departed=departed)
        entries = self._history(stay, booking)
        return TakenOver(bookings=(booking,), guests=guests, entries=entries)

    def _dates(self, b: LegacyBooking) -> tuple[date, date] | None:
        arrival = b.check_in if _in_range(b.check_in) else None
        departure = b.check_out if _in_range(b.check_out) else None
        for name, value in (("check_in", b.check_in), ("check_out", b.check_out)):
            if value is not None and not _in_range(value):
                self._add(
                    ConflictKind.UNREADABLE_VALUE, f"{name} {value} is out of range", booking=b
                )
        if arrival is None and departure is None:
            self._add(
                ConflictKind.UNREADABLE_VALUE,
                "the booking has neither a readable arrival nor departure date",
                booking=b,
                resolution="not imported",
            )
            return None
        arrival = arrival or departure
        departure = departure or arrival
        assert arrival is not None
        assert departure is not None
        if departure < arrival:
            self._add(
                ConflictKind.DATES_REVERSED,
                f"check_in {arrival}, check_out {departure}",
                booking=b,
            )
            arrival, departure = departure, arrival
        return arrival, departure

    def _party(self, stay: LegacyStay) -> list[tuple[BookingGuest, int | None]]:
        """The booking's party, primary first, each with the legacy party row id."""
        b = stay.booking
        members = sorted(stay.party, key=lambda m: (not m.is_primary, m.id))
        if members and sum(m.is_primary for m in members) != 1:
            self._add(
                ConflictKind.PRIMARY_GUEST_UNCLEAR,
                f"{sum(m.is_primary for m in members)} party members are marked primary",
                booking=b,
            )
        party: list[tuple[BookingGuest, int | None]] = []
        for m in members:
            party.append((self._member(m.id, m.first_name, m.last_name, b, "party"), m.id))
        if not party:
            guests = sorted(stay.guests, key=lambda g: (g.guest_type != "PRIMARY", g.id))
            if guests:
                for g in guests:
                    party.append((self._member(g.id, g.first_name, g.last_name, b, "guest"), None))
                resolution = "the party is made of the booking's guest rows"
            else:
                party.append(
                    (
                        BookingGuest(self.id(f"booking-{b.id}-guest"), "Guest", self._reference(b)),
                        None,
                    )
                )
                resolution = "one guest named 'Guest <reference>'"
            self._add(ConflictKind.EMPTY_PARTY, "no party rows", booking=b, resolution=resolution)
        return party

    def _member(
        self, legacy_id: int, first: str, last: str, b: LegacyBooking, source: str
    ) -> BookingGuest:
        first_name, first_damaged = _clean(first)
        last_name, last_damaged = _clean(last)
        if first_damaged or last_damaged:
            self._add(ConflictKind.NUL_IN_TEXT, f"{source} {legacy_id}'s name", booking=b)
        if not (first_name or last_name):
            self._add(
                ConflictKind.MISSING_VALUE,
                f"{source} {legacy_id} has no name",
                booking=b,
                resolution="named 'Guest'",
            )
            first_name = "Guest"
        key = legacy_id if source == "party" else f"guest-{legacy_id}"
        return BookingGuest(self.id(key), first_name, last_name)

    def _guests(
        self,
        stay: LegacyStay,
        booking: Booking,
        party: list[tuple[BookingGuest, int | None]],
        *,
        in_house: bool,
        departed: bool,
    ) -> tuple[Guest, ...]:
        b = stay.booking
        if not (in_house or departed):
            for g in stay.guests:
                self._add(
                    ConflictKind.GUEST_NOT_IN_HOUSE,
                    f"guest {g.id} belongs to a booking that is not in house",
                    booking=b,
                )
            return ()
        matched = self._match(stay, party)
        room = self._open[b.id].room if in_house else None
        if departed:
            assert booking.checked_out_at is not None
            checkout_day = local_date(self.hotel, booking.checked_out_at)
            lingering = [
                g for g in stay.guests if g.check_out_date is None and g in matched.values()
            ]
            if lingering:
                self._add(
                    ConflictKind.LINGERING_GUEST,
                    f"{len(lingering)} guest row(s) of the checked-out booking have no "
                    "check_out_date",
                    booking=b,
                )
        for g in stay.guests:
            if _clean(g.first_name)[1] or _clean(g.last_name)[1]:
                self._add(ConflictKind.NUL_IN_TEXT, f"guest {g.id}'s name", booking=b)
            if g.hotel_id != self.legacy.id:
                self._add(
                    ConflictKind.CROSS_HOTEL_REFERENCE,
                    f"guest {g.id} names hotel {g.hotel_id}, its booking this hotel",
                    booking=b,
                    resolution="the booking's hotel wins",
                )
            if in_house and g.room_id != room:
                self._add(
                    ConflictKind.GUEST_ROOM_DRIFT,
                    f"guest {g.id} is in room {g.room_id}, the booking in room {room}",
                    booking=b,
                )
        records: list[Guest] = []
        checked_in_day = local_date(self.hotel, booking.checked_in_at or self.now)
        for index, (member, _legacy) in enumerate(party):
            legacy_guest = matched.get(index)
            if legacy_guest is None and departed:
                continue  # the legacy application made no record of this member
            guest_id = (
                self.id(f"guest-{legacy_guest.id}")
                if legacy_guest is not None
                else self.id(f"guest-of-{member.booking_guest_id}")
            )
            check_in_date = checked_in_day
            legacy_day = None if legacy_guest is None else legacy_guest.check_in_date
            if legacy_day is not None and _in_range(legacy_day):
                check_in_date = legacy_day
            if departed:
                out_day = (
                    legacy_guest.check_out_date
                    if legacy_guest is not None and _in_range(legacy_guest.check_out_date)
                    else checkout_day
                )
                pin, token = None, None
            else:
                out_day = None
                pin = self._pins.pop() if self._pins else None
                token = self._token_for(room) if index == 0 else None
            primary = records[0].guest_id if records else None
            records.append(
                Guest(
                    guest_id=guest_id,
                    hotel_id=self.hotel.hotel_id,
                    booking_id=booking.booking_id,
                    booking_guest_id=member.booking_guest_id,
                    guest_type=GuestType.PRIMARY if primary is None else GuestType.COMPANION,
                    primary_guest_id=primary,
                    first_name=member.first_name,
                    last_name=member.last_name,
                    check_in_date=min(check_in_date, out_day) if out_day else check_in_date,
                    check_out_date=out_day,
                    id_pin=pin,
                    device_token=token,
                )
            )
        return tuple(records)

    def _match(
        self, stay: LegacyStay, party: list[tuple[BookingGuest, int | None]]
    ) -> dict[int, LegacyGuest]:
        """Which legacy guest row is which party member (by index): by the party row the
        guest names, else by name; the rest are reported."""
        b = stay.booking
        by_legacy = {legacy: i for i, (_, legacy) in enumerate(party) if legacy is not None}
        by_guest_row = {
            member.booking_guest_id: i for i, (member, legacy) in enumerate(party) if legacy is None
        }
        by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, (member, _) in enumerate(party):
            by_name[(member.first_name.casefold(), member.last_name.casefold())].append(i)
        matched: dict[int, LegacyGuest] = {}
        for g in sorted(stay.guests, key=lambda g: g.id):
            index = by_legacy.get(g.booking_guest_id) if g.booking_guest_id is not None else None
            if index is None:
                index = by_guest_row.get(self.id(f"guest-{g.id}"))
            if index is None:
                key = (_clean(g.first_name)[0].casefold(), _clean(g.last_name)[0].casefold())
                index = next((i for i in by_name.get(key, []) if i not in matched), None)
            if index is None or index in matched:
                self._add(
                    ConflictKind.UNMATCHED_GUEST,
                    f"guest {g.id} matches no member of the party"
                    + (" not already matched" if index is not None else ""),
                    booking=b,
                )
                continue
            matched[index] = g
        return matched

    def _token_for(self, room: int | None) -> str | None:
        if room is None:
            return None
        row = self._rooms[room]
        token = _clean(row.guest_fcm_token)[0]
        if not token:
            return None
        self._room_token_to[room] = token
        self.counts["device_tokens_moved"] += 1
        return token

    def _history(self, stay: LegacyStay, booking: Booking) -> tuple[LogEntry, ...]:
        """One imported entry per non-null audit column of the booking."""
        b = stay.booking
        room = self._room_of(b, report=False)
        if room is None:  # the legacy row has lost its room: a guest row or a task may name it
            named = [g.room_id for g in stay.guests] + list(stay.task_rooms)
            room = next((r for r in named if r in self._rooms), None)
        changed = [t for t in (b.room_reassigned_at, b.room_moved_at) if t is not None]
        last_change = max(changed) if changed else None
        entries: list[LogEntry] = []
        for column in AUDIT_COLUMNS:
            at: datetime | None = getattr(b, column.at)
            if at is None:
                continue
            where = room
            if last_change is not None and at < last_change:
                where = None  # before a later move or reassignment: the room is not known
            if column.operation is Operation.UNASSIGN and b.assigned_room_id is not None:
                where = None  # assigned again since: which room it left is not known
            by = (
                self._staff_ref(
                    getattr(b, column.by), what=f"booking {b.id}'s {column.by}", booking=b
                )
                if column.by is not None
                else None
            )
            metadata: dict[str, MetadataValue] = {
                "imported": True,
                "action": "import",
                "legacy_column": column.at,
                "legacy_booking_id": b.id,
            }
            if where is None:
                metadata["room_unknown"] = True
            entries.append(
                LogEntry(
                    id=0,
                    hotel_id=self.hotel.hotel_id,
                    room_id=None if where is None else self.id(where),
                    operation=column.operation,
                    performed_by=by or self.actor.staff_id,
                    status_before=None,
                    status_after=None,
                    condition_before=None,
                    condition_after=None,
                    timestamp=at,
                    booking_id=booking.booking_id,
                    notes=f"imported from hotel_roombooking.{column.at}",
                    metadata=FrozenMap(metadata),
                )
            )
        entries.sort(key=lambda e: e.timestamp)
        self.counts["history_entries"] += len(entries)
        return tuple(entries)

    # tasks ------------------------------------------------------------------------------------

    def task(self, row: LegacyTask) -> TakenOver:
        """A legacy task: a closed one is imported as it is; an open one waits for
        :meth:`finish`, which keeps those the room's state needs and cancels the others."""
        problem = self._task_problem(row)
        if problem is not None:
            kind, detail = problem
            self._add(kind, detail, room=row.room_id if row.room_id in self._rooms else None)
            return TakenOver()
        if row.status in ("OPEN", "IN_PROGRESS"):
            assert row.room_id is not None
            self._open_tasks[row.room_id].append(row)
            return TakenOver()
        return TakenOver(tasks=(self._task(row, TaskStatus(row.status)),))

    def _task_problem(self, row: LegacyTask) -> tuple[ConflictKind, str] | None:
        if row.task_type not in TaskKind.__members__ or row.status not in TaskStatus.__members__:
            return ConflictKind.UNKNOWN_TASK, (
                f"task {row.id}: type {row.task_type!r}, status {row.status!r}"
            )
        if row.room_id is None or row.room_id not in self._rooms:
            kind = (
                ConflictKind.CROSS_HOTEL_REFERENCE
                if row.room_id in self._room_hotels
                else ConflictKind.DANGLING_REFERENCE
            )
            return kind, f"task {row.id} names room {row.room_id}"
        return None

    def _task(self, row: LegacyTask, status: TaskStatus) -> HousekeepingTask:
        assert row.room_id is not None
        what = f"task {row.id}"
        self._problems(row.problems, what=what, room=row.room_id)
        booking_id = None
        if row.booking_id is not None:
            if (
                row.booking_hotel_id == self.legacy.id
                and row.booking_id not in self._skipped_bookings
            ):
                booking_id = self.id(row.booking_id)
            else:
                self._add(
                    ConflictKind.CROSS_HOTEL_REFERENCE
                    if row.booking_hotel_id is not None
                    else ConflictKind.DANGLING_REFERENCE,
                    f"{what} names booking {row.booking_id}",
                    room=row.room_id,
                )
        created = (
            row.created_at if row.created_at is not None and _in_range(row.created_at) else self.now
        )
        closed = status in (TaskStatus.DONE, TaskStatus.CANCELLED)
        started = status is TaskStatus.IN_PROGRESS
        return HousekeepingTask(
            task_id=self.id(f"task-{row.id}"),
            hotel_id=self.hotel.hotel_id,
            room_id=self.id(row.room_id),
            kind=TaskKind(row.task_type),
            status=status,
            created_at=created,
            updated_at=self.now if status is not TaskStatus(row.status) else created,
            created_by=self._staff_ref(row.created_by_id, what=what, room=row.room_id),
            assigned_to=self._staff_ref(row.assigned_to_id, what=what, room=row.room_id),
            booking_id=booking_id,
            started_at=created if started else None,
            closed_at=self.now if status is not TaskStatus(row.status) and closed else None,
        )

    # the rooms' state, last -------------------------------------------------------------------

    def finish(self) -> TakenOver:
        """Every room's occupancy record, the open tasks its state needs, and its IMPORT
        entry (call after every stay and task was fed)."""
        placed = {p.room: booking_id for booking_id, p in self._open.items()}
        open_bookings = {s.booking.id: s.booking for s in self._open_stays}
        occupancies: list[RoomOccupancy] = []
        tasks: list[HousekeepingTask] = []
        entries: list[LogEntry] = []
        for room_id, row in self._rooms.items():
            legacy_booking = open_bookings.get(placed[room_id]) if room_id in placed else None
            state = self._room_state(row, legacy_booking)
            if row.guest_fcm_token and room_id not in self._room_token_to:
                self._add(
                    ConflictKind.STALE_DEVICE_TOKEN,
                    "a device token is stored on the room and no in-house guest takes it",
                    room=room_id,
                )
            occupancies.append(self._occupancy(row, state, legacy_booking))
            tasks.extend(self._room_tasks(row, state, legacy_booking))
            entries.append(self._import_entry(row, state, legacy_booking))
        return TakenOver(occupancies=tuple(occupancies), tasks=tuple(tasks), entries=tuple(entries))

    def _occupancy(
        self, row: LegacyRoom, state: RoomState, booking: LegacyBooking | None
    ) -> RoomOccupancy:
        in_house = state.tenancy is Tenancy.OCCUPIED
        assigned_by = None
        since = None
        expected = None
        if booking is not None:
            for at, by in (
                (booking.room_moved_at, booking.room_moved_by_id),
                (booking.room_reassigned_at, booking.room_reassigned_by_id),
                (booking.room_assigned_at, booking.room_assigned_by_id),
            ):
                if at is not None and by is not None and by in self._staff:
                    assigned_by = self._staff[by].staff_id
                    break
            assigned_by = assigned_by or self.actor.staff_id
            dates = self._placed_dates[booking.id]
            if in_house:
                moments = [t for t in (booking.checked_in_at, booking.room_moved_at) if t]
                since = max(moments) if moments else self.now
                expected = expected_checkout(self.hotel, dates[1])
        return RoomOccupancy(
            room_id=self.id(row.id),
            hotel_id=self.hotel.hotel_id,
            status=state.status,
            condition=state.condition,
            created_at=self.now,
            updated_at=self.now,
            booking_id=None if booking is None else self.id(booking.id),
            occupied_since=since,
            expected_checkout=expected,
            assigned_by=assigned_by,
            last_cleaned_by=self._staff_id(row.cleaned_by_staff_id),
            last_cleaned_at=row.last_cleaned_at,
            last_inspected_by=self._staff_id(row.inspected_by_staff_id),
            last_inspected_at=row.last_inspected_at,
        )

    def _staff_id(self, legacy_id: int | None) -> str | None:
        """The store's id of a staff member of this hotel, or None (reported elsewhere)."""
        member = None if legacy_id is None else self._staff.get(legacy_id)
        return None if member is None else member.staff_id

    def _room_tasks(
        self, row: LegacyRoom, state: RoomState, booking: LegacyBooking | None
    ) -> list[HousekeepingTask]:
        """The room's open legacy tasks, kept where its state needs them (I6), cancelled
        (and reported) where it does not; the tasks it needs and has not, created."""
        for staff_column in (row.cleaned_by_staff_id, row.inspected_by_staff_id):
            self._staff_ref(staff_column, what=f"room {row.id}", room=row.id)
        wanted: list[tuple[tuple[TaskKind, ...], TaskStatus]] = []
        if state.condition.needs_cleaning:
            status = (
                TaskStatus.IN_PROGRESS if state.condition is Condition.CLEANING else TaskStatus.OPEN
            )
            wanted.append(((TaskKind.TURNOVER, TaskKind.CLEANING), status))
        if state.service is Service.MAINTENANCE:
            wanted.append(((TaskKind.MAINTENANCE,), TaskStatus.OPEN))
        if state.condition is Condition.CLEAN and self.hotel.require_inspection:
            wanted.append(((TaskKind.INSPECTION,), TaskStatus.OPEN))
        legacy = sorted(
            self._open_tasks.get(row.id, []),
            key=lambda t: (t.created_at is None, t.created_at or self.now, t.id),
            reverse=True,
        )
        out: list[HousekeepingTask] = []
        for kinds, status in wanted:
            keep = next((t for t in legacy if TaskKind(t.task_type) in kinds), None)
            if keep is not None:
                legacy.remove(keep)
                out.append(self._task(keep, status))
            else:  # what the services would have opened (complete_cleaning: INSPECTION)
                kind = kinds[0] if row.room_status == "CHECKOUT_DIRTY" else kinds[-1]
                started = status is TaskStatus.IN_PROGRESS
                out.append(
                    HousekeepingTask(
                        task_id=self.id(f"import-{row.id}-{kind.value.lower()}"),
                        hotel_id=self.hotel.hotel_id,
                        room_id=self.id(row.id),
                        kind=kind,
                        status=status,
                        created_at=self.now,
                        updated_at=self.now,
                        created_by=self.actor.staff_id,
                        booking_id=None,
                        started_at=self.now if started else None,
                    )
                )
        for stale in legacy:
            self._add(
                ConflictKind.STALE_OPEN_TASK,
                f"task {stale.id} ({stale.task_type} {stale.status}) on a room imported "
                f"{state.label()}",
                room=row.id,
            )
            out.append(self._task(stale, TaskStatus.CANCELLED))
        return out

    def _import_entry(
        self, row: LegacyRoom, state: RoomState, booking: LegacyBooking | None
    ) -> LogEntry:
        metadata: dict[str, Any] = {
            "imported": True,
            "action": "import",
            "legacy_room_id": row.id,
            "legacy_room_status": _clean(row.room_status)[0][:100],
            "legacy_is_occupied": row.is_occupied,
        }
        return LogEntry(
            id=0,
            hotel_id=self.hotel.hotel_id,
            room_id=self.id(row.id),
            operation=Operation.IMPORT,
            performed_by=self.actor.staff_id,
            status_before=INITIAL_STATE.status,
            status_after=state.status,
            condition_before=INITIAL_STATE.condition,
            condition_after=state.condition,
            timestamp=self.now,
            booking_id=None if booking is None else self.id(booking.id),
            notes="the room's state as taken over from the legacy database",
            metadata=FrozenMap(metadata),
        )


def _kept(checked_in_at: datetime | None) -> str:
    """The words that keep a legacy check-in time in the report."""
    if checked_in_at is None:
        return ""
    return f"; legacy check-in at {checked_in_at:%Y-%m-%d %H:%M:%S} UTC"
