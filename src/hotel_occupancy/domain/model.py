"""Entities and values of the domain.

Every class here is an immutable attrs snapshot: a service that changes something stores a
new version made with :func:`replace` (``attrs.evolve``, faster); mutating a returned
object is impossible and could not change anything stored anyway.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time
from typing import Any, TypeAlias, TypeVar

import attrs
from attrs import frozen

from hotel_occupancy.domain.enums import (
    BookingStage,
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

__all__ = [
    "AllowedOperation",
    "BoardRow",
    "Booking",
    "BookingGuest",
    "BookingView",
    "DiscrepancyRow",
    "FrozenMap",
    "Guest",
    "Hotel",
    "HousekeepingTask",
    "LogEntry",
    "MetadataValue",
    "NightAudit",
    "Room",
    "RoomOccupancy",
    "Staff",
    "StayRow",
    "natural_key",
    "new_id",
    "replace",
]

MetadataValue: TypeAlias = str | int | bool | None


class FrozenMap(Mapping[str, MetadataValue]):
    """An immutable, hashable mapping of strings to JSON scalars (log entry metadata)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, MetadataValue] | None = None) -> None:
        self._items: dict[str, MetadataValue] = dict(items or {})

    def __getitem__(self, key: str) -> MetadataValue:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._items.items(), key=lambda kv: kv[0])))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


def _frozen_map(value: Mapping[str, MetadataValue] | None) -> FrozenMap:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


_STAY_CHANGE = Operation.STAY_CHANGE
T = TypeVar("T")
_UNCHANGED: Any = object()
_REPLACERS: dict[type, Callable[..., Any]] = {}


def replace(instance: T, **changes: Any) -> T:
    """A copy of the attrs ``instance`` with ``changes``: what :func:`attrs.evolve` does
    (the class's ``__init__`` runs, with its converters), at half the cost.

    For each class a function taking every field as an optional keyword is generated once,
    the way attrs generates ``__init__``; an unknown field is a TypeError.
    """
    cls = type(instance)
    replacer = _REPLACERS.get(cls)
    if replacer is None:
        replacer = _REPLACERS[cls] = _make_replacer(cls)
    return replacer(instance, **changes)  # type: ignore[no-any-return]


def _make_replacer(cls: type) -> Callable[..., Any]:
    fields = [a for a in attrs.fields(cls) if a.init]
    params = ", ".join(f"{a.alias}=_UNCHANGED" for a in fields)
    # __init__ takes the fields in this order: by position (a call of twenty keywords costs
    # half as much again), kw_only ones by keyword
    args = ", ".join(
        f"{f'{a.alias}=' if a.kw_only else ''}"
        f"instance.{a.name} if {a.alias} is _UNCHANGED else {a.alias}"
        for a in fields
    )
    source = f"def replace(instance, *, {params}):\n    return cls({args})\n"
    namespace: dict[str, Any] = {"_UNCHANGED": _UNCHANGED, "cls": cls}
    exec(compile(source, f"<replace {cls.__qualname__}>", "exec"), namespace)
    return namespace["replace"]  # type: ignore[no-any-return]


def new_id() -> str:
    """A library-created identifier (guests, tasks): 128 random bits, as 32 hex digits."""
    return secrets.token_hex(16)


_NATURAL = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=1 << 16)  # a hotel's room numbers, sorted on every board
def natural_key(text: str) -> str:
    r"""Sort key that orders room numbers naturally: "2" before "10", "A2" before "A10".

    The text is split into runs of digits and runs of other characters; runs compare in
    turn, a run of digits before any other run, digits by their value and then as text
    ("02" before "2"), other characters casefolded; the text itself breaks the last ties.
    The key is one string, so that a board of 10,000 rooms sorts by plain string
    comparisons: a run of digits is ``\x01``, the number of digits of its value (as one
    character), the value's digits, ``\x00`` and the run; another run is ``\x02``, the
    run casefolded and ``\x00``; the end is ``\x03`` and the text. The markers sort
    below every printable character (room numbers are printable), so comparing two keys
    is comparing run by run."""
    if text.isdecimal():  # the common case, the same key as below without the regex
        value = str(int(text))
        return f"\x01{chr(len(value))}{value}\x00{text}\x03{text}"
    return _natural_key(text)


def _natural_key(text: str) -> str:
    """:func:`natural_key` of any text, run by run."""
    key: list[str] = []
    for index, part in enumerate(_NATURAL.split(text)):
        if not part:
            continue
        if index % 2:  # a run of digits
            value = str(int(part))
            key.append(f"\x01{chr(len(value))}{value}\x00{part}")
        else:
            key.append(f"\x02{part.casefold()}\x00")
    key.append(f"\x03{text}")
    return "".join(key)


@frozen
class Hotel:
    """A property: owns rooms, staff and bookings, and holds the policy they follow."""

    hotel_id: str
    name: str
    require_inspection: bool = False
    timezone: str = "UTC"
    checkout_time: time = time(11)
    enforce_stay_dates: bool = False
    """When True, a check-in before the booking's arrival date or after its departure date
    (the hotel's local date) is refused (§9)."""
    stayover_every: int = 1
    """Nights between an in-house guest's stayover cleanings, which the night audit orders
    (§10): 1, every day; 2, every other day; 0, never."""
    checkout_credits: int = 2
    """What cleaning a vacant room (a checkout, a room back from maintenance) counts for on
    an attendant's worksheet."""
    stayover_credits: int = 1
    """What an occupied room's stayover cleaning counts for on a worksheet."""
    active: bool = True
    """False once deactivated (``deactivate_hotel``): its staff may do nothing until it is
    reactivated; its reference data can still be read and maintained."""


@frozen
class Room:
    """A sellable unit of a hotel. ``capacity`` is the most guests it takes, if limited."""

    room_id: str
    hotel_id: str
    number: str
    capacity: int | None = None


@frozen
class Staff:
    """A staff member; their ``role`` decides what they may do, and only while ``active``."""

    staff_id: str
    hotel_id: str
    name: str
    role: StaffRole
    active: bool = True


@frozen
class BookingGuest:
    """A named member of a booking's party."""

    booking_guest_id: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        """First and last name, separated by a space."""
        return f"{self.first_name} {self.last_name}".strip()


@frozen
class Booking:
    """A reservation: dates, the party, and where it stands (arriving, in house, departed).

    ``moved_at`` records the last room move of the stay: once a guest has moved, the
    check-in is final and can no longer be undone. ``cancelled_at``/``cancelled_by`` and
    ``no_show_at``/``no_show_by`` record who closed a booking that never arrived, and when;
    ``queued_at`` is set while its guest waits at the desk for the pre-assigned room.
    """

    booking_id: str
    hotel_id: str
    reference: str
    arrival: date
    departure: date
    party: tuple[BookingGuest, ...]
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    moved_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    no_show_at: datetime | None = None
    no_show_by: str | None = None
    queued_at: datetime | None = None

    @property
    def primary(self) -> BookingGuest:
        """The booking's primary guest: the first of the party."""
        return self.party[0]

    @property
    def in_house(self) -> bool:
        """Checked in and not yet checked out."""
        return self.checked_in_at is not None and self.checked_out_at is None

    @property
    def checked_out(self) -> bool:
        """The stay is over."""
        return self.checked_out_at is not None

    @property
    def cancelled(self) -> bool:
        """Cancelled before it arrived."""
        return self.cancelled_at is not None

    @property
    def no_show(self) -> bool:
        """Marked as a no-show: its guest never arrived."""
        return self.no_show_at is not None


def _secret(value: object) -> str:
    """How a credential shows in ``repr()``: never its value (logs and tracebacks)."""
    return "None" if value is None else "'<hidden>'"


@frozen
class Guest:
    """The in-house record of one BookingGuest during one stay.

    It has no room: its room is the one its booking occupies. ``check_out_date`` is None
    while the guest is in house and the hotel's local date of departure afterwards, when
    ``id_pin`` and ``device_token`` have been cleared.
    """

    guest_id: str
    hotel_id: str
    booking_id: str
    booking_guest_id: str
    guest_type: GuestType
    primary_guest_id: str | None
    first_name: str
    last_name: str
    check_in_date: date
    check_out_date: date | None = None
    id_pin: str | None = attrs.field(default=None, repr=_secret)
    device_token: str | None = attrs.field(default=None, repr=_secret)

    @property
    def in_house(self) -> bool:
        """True until the stay is checked out."""
        return self.check_out_date is None


@frozen
class RoomOccupancy:
    """The one record per room that says what state it is in and which booking holds it.

    ``booking_id`` is the booking in house (status OCCUPIED) or pre-assigned (vacant).
    ``arriving_booking_id`` is a booking pre-assigned to an OCCUPIED room whose guest is due
    out (§9): at checkout it becomes the room's pre-assigned ``booking_id``.

    ``service_status`` is what the guests of an occupied room asked of housekeeping (§10;
    NONE on every other room). ``discrepancy`` is an open disagreement between what
    housekeeping saw and the front office, with who reported it, when, and the number of
    guests seen (``observed_guests``, if counted). ``out_of_service_until`` is the last day
    of an out-of-order or maintenance window; the night audit of that day returns the room
    to service in ``return_condition``.
    """

    room_id: str
    hotel_id: str
    status: OccupancyStatus
    condition: Condition
    created_at: datetime
    updated_at: datetime
    booking_id: str | None = None
    occupied_since: datetime | None = None
    expected_checkout: datetime | None = None
    assigned_by: str | None = None
    last_cleaned_by: str | None = None
    last_cleaned_at: datetime | None = None
    last_inspected_by: str | None = None
    last_inspected_at: datetime | None = None
    arriving_booking_id: str | None = None
    service_status: ServiceStatus = ServiceStatus.NONE
    discrepancy: DiscrepancyKind | None = None
    discrepancy_by: str | None = None
    discrepancy_at: datetime | None = None
    observed_guests: int | None = None
    out_of_service_until: date | None = None
    return_condition: Condition | None = None

    @property
    def is_occupied(self) -> bool:
        """An in-house booking is in the room."""
        return self.status is OccupancyStatus.OCCUPIED and self.booking_id is not None

    def holds(self, booking_id: str) -> bool:
        """Whether the record holds ``booking_id``, in either role."""
        return booking_id == self.booking_id or booking_id == self.arriving_booking_id


@frozen
class LogEntry:
    """One state change of one room, appended to the operation log and never changed.

    For MOVE and REASSIGN, ``room_id`` is the target and ``from_room_id`` the source; the
    before/after fields describe the target.

    A change to a booking that holds no room (STAY_CHANGE: its dates, party, cancellation
    or no-show, §9) has ``room_id`` and the four before/after fields None
    (:attr:`is_booking_only`).

    Entries imported from a legacy database's audit columns (``metadata["imported"]`` is
    True, operation other than IMPORT) record what the legacy row says happened, not a
    state change the library saw: their four before/after fields are None, and so is
    ``room_id`` when the legacy data does not say which room it was (see
    :attr:`is_imported_history`). Every other entry has all of them.
    """

    id: int
    hotel_id: str
    room_id: str | None
    operation: Operation
    performed_by: str
    status_before: OccupancyStatus | None
    status_after: OccupancyStatus | None
    condition_before: Condition | None
    condition_after: Condition | None
    timestamp: datetime
    booking_id: str | None = None
    from_room_id: str | None = None
    notes: str = ""
    metadata: FrozenMap = attrs.field(factory=FrozenMap, converter=_frozen_map)
    request_id: str | None = None

    @property
    def is_imported_history(self) -> bool:
        """Imported from a legacy audit column: history, not a state change to replay."""
        return self.status_after is None and self.operation is not _STAY_CHANGE

    @property
    def is_booking_only(self) -> bool:
        """A change to a booking that held no room (§9): no room, no room state."""
        return self.room_id is None and self.status_after is None and not self.is_imported_history


@frozen
class HousekeepingTask:
    """A piece of housekeeping or maintenance work on a room."""

    task_id: str
    hotel_id: str
    room_id: str
    kind: TaskKind
    status: TaskStatus
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    assigned_to: str | None = None
    booking_id: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """OPEN or IN_PROGRESS."""
        return self.status.is_open


@frozen
class BoardRow:
    """One room on the room board.

    ``expected_checkout`` is UTC, ``expected_checkout_local`` the same time in the hotel's
    zone. ``due_out``: the in-house booking leaves today (the hotel's local date) or should
    have left already; ``overdue``: its expected checkout has passed.
    ``arriving_booking_id``: a booking pre-assigned to the room while its guest is due out.
    ``service_status``: what its guests asked of housekeeping (§10); ``discrepancy``: an
    open disagreement between housekeeping and the front office; ``queued``: the guest of
    the booking awaiting the room (pre-assigned or arriving) waits at the desk.
    """

    room_id: str
    number: str
    status: OccupancyStatus
    condition: Condition
    booking_id: str | None
    booking_reference: str | None
    guest_count: int
    expected_checkout: datetime | None
    arriving_booking_id: str | None = None
    due_out: bool = False
    overdue: bool = False
    expected_checkout_local: datetime | None = None
    service_status: ServiceStatus = ServiceStatus.NONE
    discrepancy: DiscrepancyKind | None = None
    queued: bool = False


@frozen
class BookingView:
    """A booking with where it stands (:func:`hotel_occupancy.services.get_booking`).

    ``room_id``/``room_number``: the room holding it (pre-assigned, arriving or in house),
    or None. ``arriving``: it is pre-assigned to an occupied room whose guest is due out,
    and takes the room over at their checkout.
    """

    booking: Booking
    stage: BookingStage
    room_id: str | None = None
    room_number: str | None = None
    arriving: bool = False

    @property
    def booking_id(self) -> str:
        """The booking's id."""
        return self.booking.booking_id

    @property
    def reference(self) -> str:
        """The booking's reference."""
        return self.booking.reference


@frozen
class StayRow:
    """One booking on the front desk's lists: arrivals, departures, in house (§9).

    Times are UTC with their hotel-local twins (``*_local``). ``overdue`` on an arrival: it
    should have arrived before the day asked for and has not; on a departure or an in-house
    stay: its expected checkout has passed.
    """

    booking_id: str
    hotel_id: str
    reference: str
    stage: BookingStage
    arrival: date
    departure: date
    party_size: int
    primary_name: str
    room_id: str | None
    room_number: str | None
    arriving: bool
    queued: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    expected_checkout: datetime | None
    expected_checkout_local: datetime | None = None
    overdue: bool = False


@frozen
class NightAudit:
    """The record of one hotel's night audit of one business date (§10): there is at
    most one per hotel and date. ``rooms_changed`` counts its log entries."""

    hotel_id: str
    business_date: date
    performed_by: str
    performed_at: datetime
    rooms_changed: int = 0


@frozen
class DiscrepancyRow:
    """One open discrepancy (:func:`hotel_occupancy.services.discrepancies`): what
    housekeeping saw in a room against what the front office says.

    ``status``/``booking_id``/``expected_guests``: the front office's view now (the room's
    status, its in-house booking, that booking's in-house guests); ``observed_occupied`` and
    ``observed_guests``: what was seen. ``reported_at`` is UTC, ``reported_at_local`` the
    same time in the hotel's zone.
    """

    room_id: str
    number: str
    kind: DiscrepancyKind
    status: OccupancyStatus
    booking_id: str | None
    expected_guests: int
    observed_occupied: bool
    observed_guests: int | None
    reported_by: str
    reported_at: datetime
    reported_at_local: datetime | None = None


@frozen
class AllowedOperation:
    """Whether one operation service may act on a room in its current state, and if not,
    the name of the error class calling it would raise."""

    action: str
    operation: Operation
    allowed: bool
    reason: str | None
