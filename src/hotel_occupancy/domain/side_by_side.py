"""Side by side with the legacy application (§12, phases 3 and 4): what the library's state
reads as in the legacy columns, and where a legacy database and the library disagree.

Two questions are asked of every imported hotel, and the diff answers both:

- *Has anything changed on one side that the other does not know?* The legacy rows are
  reconciled again by the import's own rules (:class:`~hotel_occupancy.domain.legacy.
  HotelTakeover`, the same code, so the same answer), and what that gives is compared with
  the library's rows: rooms, their state and holder, their last cleaning and inspection,
  bookings and their dates and stay times. These are *changed* differences. While the legacy
  application owns a hotel, a new ``legacy import`` brings them in; after the cut-over the
  mirror writes them out. The cut-over is refused while there is one.
- *Do the raw legacy columns say what the library says?* ``is_occupied``, ``room_status``,
  the room's device token, a booking's ``assigned_room_id``, its guests' ``room_id`` and
  ``check_out_date``. Where they do not, but the import's reconciliation of the same row
  reported a conflict (a phantom occupancy, a lingering guest...), the difference is
  *reconciled*: the library holds the resolved truth and the mirror will write it over the
  legacy columns once the library owns the hotel.

:data:`DIFF_RULES` is the table of the kinds of difference: what each means, and whether it
is a change or a legacy column. :data:`LEGACY_STATUS_OF` is what the mirror writes in
``room_status``; it reads back, by the import's :data:`~hotel_occupancy.domain.legacy.
LEGACY_ROOM_STATUS`, as the state it was written from (checked when this module loads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import attrs
from attrs import frozen

from hotel_occupancy.domain.enums import Condition, GuestType, OccupancyStatus, Operation, StaffRole
from hotel_occupancy.domain.errors import PermissionDenied, RoomOccupancyError
from hotel_occupancy.domain.legacy import (
    AUDIT_COLUMNS,
    LEGACY_ROOM_STATUS,
    Conflict,
    LegacyRoom,
    LegacyStay,
    Owner,
)
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    Guest,
    LogEntry,
    Room,
    RoomOccupancy,
)
from hotel_occupancy.domain.transitions import Service

__all__ = [
    "DIFF_RULES",
    "LEGACY_STATUS_OF",
    "LEGACY_WRITES",
    "MIRROR_AUDIT",
    "CutoverRefused",
    "DiffKind",
    "DiffRule",
    "Difference",
    "Handover",
    "HotelComparison",
    "MirrorAudit",
    "MirrorBooking",
    "MirrorGuest",
    "MirrorHotel",
    "MirrorRoom",
    "MirrorStaff",
    "legacy_room_status",
    "library_writes",
    "mirror_booking",
    "mirror_room",
    "reads_as",
    "refuse_legacy_writes",
]


# --- what the mirror writes in room_status ------------------------------------------------

LEGACY_STATUS_OF: Mapping[tuple[OccupancyStatus, Condition | None], str] = {
    (OccupancyStatus.OCCUPIED, None): "OCCUPIED",
    (OccupancyStatus.OUT_OF_ORDER, None): "OUT_OF_ORDER",
    (OccupancyStatus.MAINTENANCE, None): "MAINTENANCE_REQUIRED",
    (OccupancyStatus.VACANT_DIRTY, Condition.DIRTY): "CHECKOUT_DIRTY",
    (OccupancyStatus.VACANT_DIRTY, Condition.CLEANING): "CLEANING_IN_PROGRESS",
    (OccupancyStatus.VACANT_CLEAN, Condition.CLEAN): "CLEANED_UNINSPECTED",
    (OccupancyStatus.VACANT_CLEAN, Condition.INSPECTED): "READY_FOR_GUEST",
}
"""The legacy ``room_status`` of a room's state: by its status alone where the legacy value
says nothing of its condition (occupied, out of order, maintenance), else by status and
condition. A clean room that was not inspected is ``CLEANED_UNINSPECTED`` even where the
hotel does not ask for inspections: ``READY_FOR_GUEST`` reads back as INSPECTED when an
inspection is recorded, and the mirror records every inspection."""


def legacy_room_status(status: OccupancyStatus, condition: Condition) -> str:
    """The legacy ``room_status`` the mirror writes for a room in this state."""
    value = LEGACY_STATUS_OF.get((status, None)) or LEGACY_STATUS_OF.get((status, condition))
    if value is None:
        raise ValueError(f"no legacy room_status for {status} with {condition}")
    return value


_SERVICE_OF = {
    OccupancyStatus.OUT_OF_ORDER: Service.OUT_OF_ORDER,
    OccupancyStatus.MAINTENANCE: Service.MAINTENANCE,
}


def reads_as(
    room_status: str, *, inspected: bool, status: OccupancyStatus, condition: Condition
) -> bool:
    """Whether a legacy ``room_status`` (with an inspection recorded or not) says what a
    room of the library in this state is, as far as the legacy value can say it: an
    occupied room may show any value of a room in service; a room out of service, its
    service; a vacant room, its condition."""
    rule = LEGACY_ROOM_STATUS.get(room_status)
    if rule is None:
        return False
    if status is OccupancyStatus.OCCUPIED:
        return rule.service is Service.IN_SERVICE
    if status in _SERVICE_OF:
        return rule.service is _SERVICE_OF[status]
    read = Condition.INSPECTED if rule.inspected_if_recorded and inspected else rule.condition
    return rule.service is Service.IN_SERVICE and read is condition


def _check_round_trip() -> None:
    for (status, condition), value in LEGACY_STATUS_OF.items():
        for cond in (condition,) if condition is not None else tuple(Condition):
            if status is OccupancyStatus.OCCUPIED and cond.needs_cleaning:
                continue
            assert reads_as(value, inspected=True, status=status, condition=cond), (value, cond)


_check_round_trip()


# --- the kinds of difference --------------------------------------------------------------


class DiffKind(StrEnum):
    """Every kind of difference between a legacy database and the library."""

    # changes: the library and the reconciled legacy rows disagree
    ROOM_NOT_IN_LIBRARY = "room_not_in_library"
    ROOM_NOT_IN_LEGACY = "room_not_in_legacy"
    ROOM_STATE = "room_state"
    ROOM_HOLDER = "room_holder"
    ROOM_HOUSEKEEPING = "room_housekeeping"
    BOOKING_NOT_IN_LIBRARY = "booking_not_in_library"
    BOOKING_NOT_IN_LEGACY = "booking_not_in_legacy"
    BOOKING_CHANGED = "booking_changed"
    # legacy columns: the raw legacy columns disagree with the library
    OCCUPIED_FLAG = "occupied_flag"
    ROOM_STATUS = "room_status"
    DEVICE_TOKEN = "device_token"
    ASSIGNED_ROOM = "assigned_room"
    GUEST_ROOM = "guest_room"
    GUEST_CHECKOUT = "guest_checkout"


@frozen
class DiffRule:
    """What a kind of difference means; ``change`` when the two sides hold different facts
    (the cut-over waits for it), else a legacy column that says otherwise."""

    meaning: str
    change: bool


DIFF_RULES: Mapping[DiffKind, DiffRule] = {
    DiffKind.ROOM_NOT_IN_LIBRARY: DiffRule("a legacy room the library does not have", True),
    DiffKind.ROOM_NOT_IN_LEGACY: DiffRule("a room of the library the legacy hotel lacks", True),
    DiffKind.ROOM_STATE: DiffRule(
        "the room's status or condition, read from the legacy row by the import's rules, "
        "differs from the library's",
        True,
    ),
    DiffKind.ROOM_HOLDER: DiffRule(
        "the booking in the room (in house or pre-assigned) differs", True
    ),
    DiffKind.ROOM_HOUSEKEEPING: DiffRule(
        "who last cleaned or inspected the room, or when, differs", True
    ),
    DiffKind.BOOKING_NOT_IN_LIBRARY: DiffRule(
        "a legacy booking the library does not have (made after the import)", True
    ),
    DiffKind.BOOKING_NOT_IN_LEGACY: DiffRule(
        "a booking of the library the legacy database does not have", True
    ),
    DiffKind.BOOKING_CHANGED: DiffRule(
        "a booking's reference, dates, party, check-in, checkout or move differ", True
    ),
    DiffKind.OCCUPIED_FLAG: DiffRule(
        "rooms_room.is_occupied says otherwise than the library", False
    ),
    DiffKind.ROOM_STATUS: DiffRule("rooms_room.room_status says otherwise", False),
    DiffKind.DEVICE_TOKEN: DiffRule(
        "rooms_room.guest_fcm_token holds a device token on a room no guest is in", False
    ),
    DiffKind.ASSIGNED_ROOM: DiffRule(
        "an open booking's assigned_room_id is not the room the library has it in", False
    ),
    DiffKind.GUEST_ROOM: DiffRule(
        "an in-house guest's guests_guest.room_id is not the booking's room", False
    ),
    DiffKind.GUEST_CHECKOUT: DiffRule(
        "a departed guest's guests_guest row has no check_out_date", False
    ),
}


@frozen
class Difference:
    """One room or booking where the legacy database and the library disagree.

    ``reconciled`` is True when the import's reconciliation of the legacy rows as they are
    reports a conflict for the same room or booking: the library holds the resolved value.
    A difference never holds a PIN or a device token."""

    kind: DiffKind
    hotel_id: str
    detail: str
    room_id: str | None = None
    booking_reference: str | None = None
    reconciled: bool = False
    booking_id: str | None = None
    """The library's id of the booking concerned (None when the library has none)."""

    @property
    def change(self) -> bool:
        """True for a difference of facts (the cut-over waits for it)."""
        return DIFF_RULES[self.kind].change

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``kind``, ``hotel_id``, ``room_id`` or ``booking_reference``,
        ``detail``, ``change``, ``reconciled``."""
        out: dict[str, Any] = {"kind": self.kind.value, "hotel_id": self.hotel_id}
        if self.booking_reference is not None:
            out["booking_reference"] = self.booking_reference
        if self.room_id is not None:
            out["room_id"] = self.room_id
        if self.booking_id is not None:
            out["booking_id"] = self.booking_id
        out["detail"] = self.detail
        out["change"] = self.change
        out["reconciled"] = self.reconciled
        return out


# --- the comparison -----------------------------------------------------------------------

_BOOKING_FIELDS = ("reference", "arrival", "departure", "checked_in_at", "checked_out_at",
                   "moved_at")  # fmt: skip
_HOUSEKEEPING_FIELDS = ("last_cleaned_by", "last_cleaned_at", "last_inspected_by",
                        "last_inspected_at")  # fmt: skip


_CONDITION_UNSAID = frozenset(
    {OccupancyStatus.OCCUPIED, OccupancyStatus.OUT_OF_ORDER, OccupancyStatus.MAINTENANCE}
)
"""Statuses whose legacy ``room_status`` says nothing of the room's condition."""


def _shown(value: object) -> str:
    return "none" if value is None else str(value)


class HotelComparison:
    """Compares one hotel of the library with its legacy rows.

    Feed it the reconciled rows (the import's :class:`~hotel_occupancy.domain.legacy.
    HotelTakeover` of the legacy rows as they are) beside the legacy rows they came from,
    then :meth:`finish` with the reconciliation's conflicts. ``ids`` maps the legacy
    rows the mirror made for the library's own, (kind, legacy id) -> library id (kinds
    ``staff``, ``room``, ``booking``); every other legacy id is the library's after the
    prefix, as the import made it.
    """

    def __init__(
        self,
        *,
        hotel_id: str,
        prefix: str,
        occupancies: Sequence[RoomOccupancy],
        bookings: Iterable[Booking],
        ids: Mapping[tuple[str, int], str] | None = None,
    ) -> None:
        self.hotel_id = hotel_id
        self.prefix = prefix
        self._occupancies = {o.room_id: o for o in occupancies}
        self._bookings = {b.booking_id: b for b in bookings}
        self._ids = dict(ids or {})
        self._seen_bookings: set[str] = set()
        self._differences: list[Difference] = []
        self._in_room: dict[str, str] = {  # booking id -> room id, as the library has it
            o.booking_id: o.room_id for o in occupancies if o.booking_id is not None
        }

    def _add(
        self,
        kind: DiffKind,
        detail: str,
        *,
        room: str | None = None,
        reference: str | None = None,
        booking: str | None = None,
    ) -> None:
        self._differences.append(
            Difference(
                kind,
                self.hotel_id,
                detail,
                room_id=room,
                booking_reference=reference,
                booking_id=booking,
            )
        )

    def _library_id(self, kind: str, legacy_id: int) -> str:
        return self._ids.get((kind, legacy_id), f"{self.prefix}{legacy_id}")

    def _room_id(self, legacy_id: int | None) -> str | None:
        return None if legacy_id is None else self._library_id("room", legacy_id)

    def _translated(self, kind: str, imported_id: str | None) -> str | None:
        """The library's id of an id the reconciliation made (the prefix and a legacy key)."""
        if imported_id is None or not self._ids or not imported_id.startswith(self.prefix):
            return imported_id
        key = imported_id[len(self.prefix) :]
        return self._library_id(kind, int(key)) if key.isdigit() else imported_id

    def _as_library(self, o: RoomOccupancy) -> RoomOccupancy:
        """A reconciled occupancy record with the library's ids."""
        if not self._ids:
            return o
        return attrs.evolve(
            o,
            room_id=self._translated("room", o.room_id) or o.room_id,
            booking_id=self._translated("booking", o.booking_id),
            last_cleaned_by=self._translated("staff", o.last_cleaned_by),
            last_inspected_by=self._translated("staff", o.last_inspected_by),
        )

    # rooms ----------------------------------------------------------------------------------

    def rooms(self, legacy: Sequence[LegacyRoom], reconciled: Sequence[RoomOccupancy]) -> None:
        """Compare the rooms: the reconciled occupancy records against the library's, and
        the raw legacy room columns against the library's state."""
        rows = {self._room_id(r.id): r for r in legacy}
        reconciled = [self._as_library(o) for o in reconciled]
        for theirs in reconciled:
            ours = self._occupancies.get(theirs.room_id)
            if ours is None:
                self._add(
                    DiffKind.ROOM_NOT_IN_LIBRARY,
                    "the library has no such room",
                    room=theirs.room_id,
                )
                continue
            self._room(ours, theirs, rows[theirs.room_id])
        for room_id in sorted(self._occupancies.keys() - {o.room_id for o in reconciled}):
            self._add(
                DiffKind.ROOM_NOT_IN_LEGACY, "the legacy hotel has no such room", room=room_id
            )

    def _room(self, ours: RoomOccupancy, theirs: RoomOccupancy, row: LegacyRoom) -> None:
        room = ours.room_id
        if ours.status != theirs.status or (
            ours.condition != theirs.condition and ours.status not in _CONDITION_UNSAID
        ):
            self._add(
                DiffKind.ROOM_STATE,
                f"library {ours.status} ({ours.condition}), legacy reads {theirs.status} "
                f"({theirs.condition}) from room_status {row.room_status!r}",
                room=room,
            )
        if ours.booking_id != theirs.booking_id:
            self._add(
                DiffKind.ROOM_HOLDER,
                f"library: booking {_shown(ours.booking_id)}, legacy: booking "
                f"{_shown(theirs.booking_id)}",
                room=room,
            )
        changed = [f for f in _HOUSEKEEPING_FIELDS if getattr(ours, f) != getattr(theirs, f)]
        if changed:
            self._add(
                DiffKind.ROOM_HOUSEKEEPING,
                "; ".join(
                    f"{f}: library {_shown(getattr(ours, f))}, legacy {_shown(getattr(theirs, f))}"
                    for f in changed
                ),
                room=room,
            )
        occupied = ours.status is OccupancyStatus.OCCUPIED
        if row.is_occupied != occupied:
            self._add(
                DiffKind.OCCUPIED_FLAG,
                f"is_occupied is {row.is_occupied}, the library has the room {ours.status}",
                room=room,
            )
        inspected = row.inspected_by_staff_id is not None or row.last_inspected_at is not None
        if not reads_as(
            row.room_status, inspected=inspected, status=ours.status, condition=ours.condition
        ):
            self._add(
                DiffKind.ROOM_STATUS,
                f"room_status {row.room_status!r}, the library has the room {ours.status} "
                f"({ours.condition}): {legacy_room_status(ours.status, ours.condition)!r}",
                room=room,
            )
        if row.guest_fcm_token and not occupied:
            self._add(
                DiffKind.DEVICE_TOKEN,
                f"a device token is stored on a room the library has {ours.status}",
                room=room,
            )

    # bookings -------------------------------------------------------------------------------

    def stay(self, stay: LegacyStay, reconciled: Sequence[Booking]) -> None:
        """Compare one legacy booking (its reconciled form, if the import takes it: an
        unreadable one it does not) with the library's."""
        b = stay.booking
        booking_id = self._library_id("booking", b.id)
        reference = reconciled[0].reference if reconciled else b.booking_id or booking_id
        self._seen_bookings.add(booking_id)
        ours = self._bookings.get(booking_id)
        if not reconciled:
            if ours is not None:
                self._add(
                    DiffKind.BOOKING_CHANGED,
                    "the legacy row can no longer be read (see the import's report)",
                    reference=reference,
                    booking=booking_id,
                )
            return
        theirs = reconciled[0]
        if ours is None:
            self._add(
                DiffKind.BOOKING_NOT_IN_LIBRARY,
                f"legacy booking {b.id}, {theirs.arrival} to {theirs.departure}",
                reference=reference,
                booking=booking_id,
            )
            return
        changed = [f for f in _BOOKING_FIELDS if getattr(ours, f) != getattr(theirs, f)]
        if [(g.first_name, g.last_name) for g in ours.party] != [
            (g.first_name, g.last_name) for g in theirs.party
        ]:
            changed.append("party")
        if changed:
            self._add(
                DiffKind.BOOKING_CHANGED,
                "; ".join(
                    f"{f}: library {_shown(getattr(ours, f))}, legacy {_shown(getattr(theirs, f))}"
                    if f != "party"
                    else f"party: library {len(ours.party)}, legacy {len(theirs.party)} guest(s)"
                    for f in changed
                ),
                reference=reference,
                booking=booking_id,
            )
        self._columns(stay, ours, reference)

    def _columns(self, stay: LegacyStay, ours: Booking, reference: str) -> None:
        b = stay.booking
        booking_id = ours.booking_id
        room = self._in_room.get(ours.booking_id)
        departed = ours.checked_out_at is not None
        if not departed and self._room_id(b.assigned_room_id) != room:
            self._add(
                DiffKind.ASSIGNED_ROOM,
                f"assigned_room_id {_shown(b.assigned_room_id)}, the library has the booking "
                + (f"in room {room}" if room is not None else "in no room"),
                reference=reference,
                booking=booking_id,
            )
        in_house = ours.checked_in_at is not None and not departed and room is not None
        for guest in stay.guests:
            if in_house and self._room_id(guest.room_id) != room:
                self._add(
                    DiffKind.GUEST_ROOM,
                    f"guest {guest.id} has room_id {_shown(guest.room_id)}, the booking is in "
                    f"room {room}",
                    reference=reference,
                    booking=booking_id,
                )
            if departed and guest.check_out_date is None:
                self._add(
                    DiffKind.GUEST_CHECKOUT,
                    f"guest {guest.id} of the departed booking has no check_out_date",
                    reference=reference,
                    booking=booking_id,
                )

    def finish(self, conflicts: Iterable[Conflict]) -> list[Difference]:
        """The differences, with those the reconciliation explains marked ``reconciled``;
        library bookings no legacy row names are added as not in the legacy database."""
        for booking_id in sorted(self._bookings.keys() - self._seen_bookings):
            booking = self._bookings[booking_id]
            self._add(
                DiffKind.BOOKING_NOT_IN_LEGACY,
                f"library booking {booking_id}, {booking.arrival} to {booking.departure}",
                reference=booking.reference,
                booking=booking_id,
            )
        rooms = {c.room_id for c in conflicts if c.room_id is not None}
        references = {c.booking_reference for c in conflicts if c.booking_reference is not None}
        out = []
        for d in self._differences:
            explained = not d.change and (
                (d.room_id is not None and d.room_id in rooms)
                or (d.booking_reference is not None and d.booking_reference in references)
            )
            out.append(d if not explained else _reconciled(d))
        return out


def _reconciled(d: Difference) -> Difference:
    return attrs.evolve(d, reconciled=True)


# --- who writes a hotel -------------------------------------------------------------------


@frozen
class Handover:
    """One change of a hotel's writer (§12): the cut-over to the library, or back."""

    hotel_id: str
    owner: Owner
    at: datetime
    by: str
    reason: str = ""


LEGACY_WRITES = (
    "the legacy application writes this hotel until `legacy cutover` hands it to the library"
)
"""Why the store refuses a state change of a legacy-owned hotel (one writer at a time)."""


def library_writes(entry: LogEntry) -> bool:
    """Whether a log entry records a change the library made (not the import's own IMPORT
    entries or imported history): the store refuses one for a hotel the legacy application
    still owns (§12, one writer per hotel)."""
    return entry.operation is not Operation.IMPORT and not entry.is_imported_history


def refuse_legacy_writes(hotel_id: str) -> PermissionDenied:
    """The refusal of a library change to a hotel the legacy application writes."""
    return PermissionDenied(f"hotel {hotel_id}: {LEGACY_WRITES}")


class CutoverRefused(RoomOccupancyError):
    """The hotel cannot be handed to the library: the legacy database and the library
    hold different facts (``differences``, each a change). Bring them in with ``legacy
    import`` first, then look again with ``legacy diff``."""

    def __init__(self, message: str, differences: Sequence[Difference] = ()) -> None:
        super().__init__(message)
        self.differences = tuple(differences)


# --- what the mirror writes ---------------------------------------------------------------

MIRROR_AUDIT: Mapping[Operation, tuple[str, str]] = {
    column.operation: (column.at, column.by) for column in AUDIT_COLUMNS if column.by is not None
}
"""The operations whose time and staff the mirror writes in a booking's audit columns (the
reverse of the import's :data:`~hotel_occupancy.domain.legacy.AUDIT_COLUMNS`): ASSIGN,
REASSIGN, UNASSIGN and MOVE. Check-in and checkout times come from the booking itself."""


@frozen
class MirrorStaff:
    """A staff member the legacy rows name (a ``staff_staff`` row is made for one the
    legacy database does not have: ``first_name`` the name, ``last_name`` empty)."""

    staff_id: str
    name: str
    role: StaffRole
    active: bool


@frozen
class MirrorRoom:
    """The legacy columns of one room (``rooms_room``), as the library's state says them."""

    room_id: str
    number: str
    is_occupied: bool
    room_status: str
    device_token: str | None = attrs.field(repr=False)
    cleaned_by: str | None
    last_cleaned_at: datetime | None
    inspected_by: str | None
    last_inspected_at: datetime | None


@frozen
class MirrorAudit:
    """One audit column pair of a booking: ``room_assigned_at``/``room_assigned_by_id``..."""

    at_column: str
    by_column: str
    at: datetime
    by: str


@frozen
class MirrorGuest:
    """The legacy columns of one guest record (``guests_guest``)."""

    guest_id: str
    booking_guest_id: str
    primary_guest_id: str | None
    guest_type: GuestType
    first_name: str
    last_name: str
    room_id: str | None
    check_in_date: date
    check_out_date: date | None


@frozen
class MirrorBooking:
    """The legacy columns of one booking (``hotel_roombooking``), its party
    (``hotel_bookingguest``, the first primary) and its guests. ``assigned_room`` is the
    room the library has it in (in house or pre-assigned), None once it is checked out."""

    booking_id: str
    reference: str
    arrival: date
    departure: date
    assigned_room: str | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    moved_at: datetime | None
    party: tuple[BookingGuest, ...]
    guests: tuple[MirrorGuest, ...] = ()
    audit: tuple[MirrorAudit, ...] = ()


@frozen
class MirrorHotel:
    """What the mirror writes for one imported hotel: the staff its rows name first (they
    are referenced), then rooms, then bookings. Ids are the library's; the target finds
    the legacy row of each (the imported ids are the legacy keys after ``prefix``) or makes
    one."""

    hotel_id: str
    legacy_hotel_id: int
    prefix: str
    staff: tuple[MirrorStaff, ...] = ()
    rooms: tuple[MirrorRoom, ...] = ()
    bookings: tuple[MirrorBooking, ...] = ()


def mirror_room(room: Room, occupancy: RoomOccupancy, device_token: str | None) -> MirrorRoom:
    """The legacy columns of a room in this state (``device_token``: the primary in-house
    guest's, cleared on a room no guest is in)."""
    occupied = occupancy.status is OccupancyStatus.OCCUPIED
    return MirrorRoom(
        room_id=room.room_id,
        number=room.number,
        is_occupied=occupied,
        room_status=legacy_room_status(occupancy.status, occupancy.condition),
        device_token=device_token if occupied else None,
        cleaned_by=occupancy.last_cleaned_by,
        last_cleaned_at=occupancy.last_cleaned_at,
        inspected_by=occupancy.last_inspected_by,
        last_inspected_at=occupancy.last_inspected_at,
    )


def mirror_booking(
    booking: Booking,
    room_id: str | None,
    guests: Sequence[Guest],
    audit: Sequence[MirrorAudit] = (),
) -> MirrorBooking:
    """The legacy columns of a booking the library has in ``room_id`` (or none), with its
    guest records: a departed guest's room is cleared."""
    departed = booking.checked_out_at is not None
    room = None if departed else room_id
    return MirrorBooking(
        booking_id=booking.booking_id,
        reference=booking.reference,
        arrival=booking.arrival,
        departure=booking.departure,
        assigned_room=room,
        checked_in_at=booking.checked_in_at,
        checked_out_at=booking.checked_out_at,
        moved_at=booking.moved_at,
        party=booking.party,
        guests=tuple(
            MirrorGuest(
                guest_id=g.guest_id,
                booking_guest_id=g.booking_guest_id,
                primary_guest_id=g.primary_guest_id,
                guest_type=g.guest_type,
                first_name=g.first_name,
                last_name=g.last_name,
                room_id=room if booking.checked_in_at is not None and g.in_house else None,
                check_in_date=g.check_in_date,
                check_out_date=g.check_out_date,
            )
            for g in guests
        ),
        audit=tuple(audit),
    )
