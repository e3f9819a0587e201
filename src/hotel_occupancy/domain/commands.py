"""Commands: every mutating call of the library as plain, immutable data.

A command names one service (its ``action``) and carries that call's arguments, checked
by the field validators when the command is built: bad input (§6) never gets further than
the constructor. Commands are plain data, so a host can queue them, log them or send them
from an offline device::

    command = MoveGuest(from_room_id="R101", to_room_id="R102", staff_id="ana")
    text = command.to_json()
    assert Command.from_json(text) == command
    services.execute(uow, Command.from_json(text))

:meth:`Command.fingerprint` is derived from every field but ``request_id``, so no argument
can be left out of idempotency: the same ``request_id`` with any other argument is a
conflict, never a replay.

The fields also say what the runner (:func:`hotel_occupancy.services.execute`) looks up
before the handler runs, in field order: ``ref`` names what must exist (a room, a booking,
a staff member...) or, for a registration, what must not exist yet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, time
from enum import Enum, StrEnum
from typing import Any, ClassVar, TypeAlias, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from attrs import frozen

from hotel_occupancy.domain.enums import Condition, ServiceStatus, StaffRole
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import BookingGuest, MetadataValue
from hotel_occupancy.domain.validation import (
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    require_bool,
    require_capacity,
    require_count,
    require_date,
    require_enum,
    require_id,
    require_party,
    require_text,
    require_time,
)

__all__ = [
    "COMMANDS",
    "AssignRoom",
    "AssignTask",
    "CancelBooking",
    "ChangeStay",
    "CheckIn",
    "CheckoutRoom",
    "Command",
    "CompleteCleaning",
    "DeactivateStaff",
    "GenerateWorksheets",
    "InspectRoom",
    "MarkDirty",
    "MarkNoShow",
    "MoveGuest",
    "NightAudit",
    "QueueArrival",
    "ReactivateStaff",
    "ReassignRoom",
    "Ref",
    "Reference",
    "RegisterBooking",
    "RegisterDeviceToken",
    "RegisterHotel",
    "RegisterRoom",
    "RegisterStaff",
    "ReportRoomObservation",
    "ReturnToService",
    "SetOutOfOrder",
    "SetServiceStatus",
    "StartCleaning",
    "StartMaintenance",
    "UnassignRoom",
    "UpdateHotel",
    "UpdateParty",
    "UpdateRoom",
    "UpdateStaff",
    "command",
]

JsonValue: TypeAlias = str | int | bool | list[Any] | dict[str, Any] | None


class Ref(StrEnum):
    """What a field of a command refers to, looked up by the runner before the handler."""

    HOTEL = "HOTEL"  # an existing hotel
    TASK = "TASK"  # an existing housekeeping task
    ROOM = "ROOM"  # an existing room, read as its Room (number, capacity)
    ROOM_STATE = "ROOM_STATE"  # an existing room, read as its occupancy record (one read)
    STAFF = "STAFF"  # an existing staff member
    STAFF_MEMBERS = "STAFF_MEMBERS"  # existing staff members, several (a tuple of ids)
    BOOKING = "BOOKING"  # an existing booking
    GUEST = "GUEST"  # an existing guest record
    NEW_HOTEL = "NEW_HOTEL"  # a hotel id not registered yet
    NEW_ROOM = "NEW_ROOM"
    NEW_STAFF = "NEW_STAFF"
    NEW_BOOKING = "NEW_BOOKING"

    @property
    def is_new(self) -> bool:
        """A registration's id, which must not exist yet."""
        return self in _NEW_IDS

    @property
    def is_many(self) -> bool:
        """A field naming several of them (a tuple of ids), each looked up in turn."""
        return self is Ref.STAFF_MEMBERS


_NEW_IDS = frozenset({Ref.NEW_HOTEL, Ref.NEW_ROOM, Ref.NEW_STAFF, Ref.NEW_BOOKING})


@frozen
class Reference:
    """One field of a command that the runner looks up: its name, value and kind."""

    field: str
    value: str
    kind: Ref


# --- field codecs: how a value is written to JSON and read back ------------------------


def _plain(value: object) -> JsonValue:
    """The JSON form of a command's field value."""
    if isinstance(value, Enum):
        return value.value  # type: ignore[no-any-return]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, BookingGuest):
        return {
            "booking_guest_id": value.booking_guest_id,
            "first_name": value.first_name,
            "last_name": value.last_name,
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value  # type: ignore[return-value]


def _from_iso(parse: Callable[[str], Any]) -> Callable[[object], object]:
    def decode(value: object) -> object:
        if not isinstance(value, str):
            return value  # the field's validator says what is wrong with it
        try:
            return parse(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not an ISO 8601 value") from None

    return decode


def _decode_party(value: object) -> object:
    if not isinstance(value, list):
        return value
    members: list[object] = []
    for index, member in enumerate(value):
        if isinstance(member, Mapping):
            keys = {"booking_guest_id", "first_name", "last_name"}
            if set(member) != keys:
                raise InvalidInput(f"party[{index}] must have exactly the keys {sorted(keys)}")
            members.append(
                BookingGuest(member["booking_guest_id"], member["first_name"], member["last_name"])
            )
        else:
            members.append(member)
    return members


def _same(value: object) -> object:
    return value


_DECODERS: Mapping[str, Callable[[object], object]] = {
    "plain": _same,
    "date": _from_iso(date.fromisoformat),
    "time": _from_iso(time.fromisoformat),
    "party": _decode_party,
}


# --- fields -----------------------------------------------------------------------------

E = TypeVar("E", bound=Enum)


def _fields(cls: type[Command]) -> tuple[attrs.Attribute[Any], ...]:
    return attrs.fields(cast(Any, cls))  # type: ignore[no-any-return]


def _check(rule: Callable[[str, Any], object]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator that applies ``rule(field_name, value)``."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        rule(attribute.name, value)

    return validate


def _field(
    rule: Callable[[str, Any], object] | None = None,
    *,
    validator: Callable[[Any, Any, Any], None] | None = None,
    default: Any = attrs.NOTHING,
    ref: Ref | None = None,
    notes: bool = False,
    codec: str = "plain",
    converter: Callable[[Any], Any] | None = None,
) -> Any:
    return attrs.field(
        default=default,
        validator=validator if rule is None else _check(rule),
        converter=converter,
        metadata={"ref": ref, "notes": notes, "codec": codec},
    )


# The validators of the most common fields accept the common case themselves, in one pass
# (for an identifier, the same test as require_id's own fast path), and leave everything
# else to the full rules, which name what is wrong: every command built checks these.
# tests/unit/test_fast_paths.py checks they accept exactly what the full rules accept.


def _valid_id(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (
        type(value) is str
        and 0 < len(value) <= MAX_ID_LENGTH
        and value.isascii()
        and value.isprintable()
        and not value[0].isspace()
        and not value[-1].isspace()
    ):
        require_id(attribute.name, value)


def _valid_text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # plain ASCII (always valid UTF-8) within the length, without NUL
    if not (
        type(value) is str
        and len(value) <= MAX_TEXT_LENGTH
        and value.isascii()
        and "\x00" not in value
    ):
        require_text(attribute.name, value)


def _valid_bool(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not True and value is not False:
        require_bool(attribute.name, value)


def _valid_required_text(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    require_text(attribute.name, value, required=True)


def identifier(ref: Ref | None = None) -> Any:
    """A required identifier (non-empty, no surrounding whitespace or control characters)."""
    return _field(validator=_valid_id, ref=ref)


def text(*, default: Any = "", required: bool = False, notes: bool = False) -> Any:
    """Free text; ``notes`` marks the text that becomes the log entry's notes."""
    check = _valid_required_text if required else _valid_text
    return _field(validator=check, default=default, notes=notes)


def flag(default: bool) -> Any:
    """A real bool."""
    return _field(validator=_valid_bool, default=default)


def day() -> Any:
    """A calendar date."""
    return _field(require_date, codec="date")


def clock_time(default: time) -> Any:
    """A naive local time of day."""
    return _field(require_time, default=default, codec="time")


def _optional(rule: Callable[[str, Any], object]) -> Callable[[str, Any], object]:
    def check(name: str, value: object) -> object:
        return None if value is None else rule(name, value)

    return check


def optional_day() -> Any:
    """A calendar date, or None (unchanged)."""
    return _field(_optional(require_date), default=None, codec="date")


def optional_clock_time() -> Any:
    """A naive local time of day, or None (unchanged)."""
    return _field(_optional(require_time), default=None, codec="time")


def optional_flag() -> Any:
    """A real bool, or None (unchanged)."""
    return _field(_optional(require_bool), default=None)


def count(low: int, high: int, default: Any = attrs.NOTHING) -> Any:
    """A whole number from ``low`` to ``high`` (not a bool)."""
    return _field(lambda name, value: require_count(name, value, low, high), default=default)


def optional_count(low: int, high: int) -> Any:
    """A whole number from ``low`` to ``high``, or None."""
    return _field(_optional(lambda n, v: require_count(n, v, low, high)), default=None)


def _party() -> Any:
    """A booking's party: at least one BookingGuest, stored as a tuple."""
    return _field(lambda _name, value: require_party(value), converter=_as_tuple, codec="party")


def _to_member(enum: type[E]) -> Callable[[object], object]:
    """A converter to a member of ``enum`` that leaves what is none for the validator to
    refuse (so that fields are still checked in their order)."""

    def convert(value: object) -> object:
        try:
            return value if isinstance(value, enum) else enum(value)
        except ValueError:
            return value

    return convert


def choice(enum: type[E], default: Any = attrs.NOTHING) -> Any:
    """A member of ``enum``, given as the member or its value."""

    def rule(name: str, value: object) -> None:
        require_enum(name, enum, value)

    return _field(rule, default=default, converter=_to_member(enum))


def _valid_request_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _valid_id(instance, attribute, value)


def _request_id() -> Any:
    return _field(validator=_valid_request_id, default=None)


def _as_tuple(value: object) -> object:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return tuple(value)
    return value


# --- the base class ---------------------------------------------------------------------

COMMANDS: dict[str, type[Command]] = {}
"""Every command class, by the name of the service it calls."""

C = TypeVar("C", bound="Command")


def command(action: str, *, operation: bool = True) -> Callable[[type[C]], type[C]]:
    """Register a command class for the service named ``action``. ``operation=False``
    marks reference data: no acting staff member, no log entry."""

    def register(cls: type[C]) -> type[C]:
        if action in COMMANDS:
            raise TypeError(f"two commands for {action!r}")
        cls.action = action
        cls.operation = operation
        fields = _fields(cls)
        # read off the fields once: the runner asks for them on every call
        cls.reference_fields = tuple(
            (f.name, f.metadata["ref"]) for f in fields if f.metadata.get("ref") is not None
        )
        cls.notes_field = next((f.name for f in fields if f.metadata.get("notes")), None)
        COMMANDS[action] = cls
        return cls

    return register


class Command:
    """One call of a mutating service, as data. Subclasses are frozen attrs classes."""

    __slots__ = ()

    action: ClassVar[str]
    """The name of the service this command calls (what the role policy grants)."""
    operation: ClassVar[bool]
    """True for operations on rooms (acting staff, log entries); False for reference data."""
    reference_fields: ClassVar[tuple[tuple[str, Ref], ...]]
    """The fields the runner looks up, with what they refer to, in argument order."""
    notes_field: ClassVar[str | None]
    """The field whose text becomes the notes of the log entries, if any."""
    booking_of: ClassVar[str | None] = None
    """The field naming a room whose booking the operation changes though the command
    does not name it (a checkout, a move): the runner locks that booking first."""
    request_id: str | None

    # --- what the runner reads ------------------------------------------------------------

    @property
    def actor(self) -> str | None:
        """The id of the acting staff member; None for reference data."""
        return getattr(self, "staff_id", None) if self.operation else None

    def references(self) -> Iterator[Reference]:
        """The fields to look up before the handler runs, in argument order."""
        for name, kind in self.reference_fields:
            value = getattr(self, name)
            for one in value if kind.is_many else (value,):
                yield Reference(name, one, kind)

    @property
    def notes(self) -> str:
        """The text that becomes the notes of the log entries ("" if there is none)."""
        name = self.notes_field
        return "" if name is None else str(getattr(self, name))

    @property
    def variant(self) -> str:
        """The variant of the service's table rows these arguments select."""
        return ""

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        """Arguments worth recording in the metadata of the log entries."""
        return {}

    # --- idempotency ------------------------------------------------------------------------

    def fingerprint(self) -> str:
        """A digest of the call (the service and every argument but ``request_id``), to
        recognise a repeated ``request_id``. A digest, so that no argument (a device token,
        a guest's name) outlives its purpose in the store."""
        arguments = {
            field.name: _legacy_plain(getattr(self, field.name))
            for field in _fields(type(self))
            if field.name != "request_id"
        }
        canonical = json.dumps(
            {"action": self.action, "arguments": dict(sorted(arguments.items()))},
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    # --- plain data -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, JsonValue]:
        """The command as JSON-ready data: ``{"command": action, <field>: <value>...}``."""
        data: dict[str, JsonValue] = {"command": self.action}
        for field in _fields(type(self)):
            if field.init:  # (a night audit's request_id is no argument)
                data[field.name] = _plain(getattr(self, field.name))
        return data

    def to_json(self) -> str:
        """The command as a JSON object (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Command:
        """The command ``data`` describes (as made by :meth:`to_dict`). Called on
        :class:`Command` it builds whichever command ``data["command"]`` names; called on a
        subclass it also checks that ``data`` is that command. Bad data is InvalidInput."""
        if not isinstance(data, Mapping):
            raise InvalidInput("a command must be a JSON object")
        name = data.get("command")
        target = COMMANDS.get(name) if isinstance(name, str) else None
        if target is None:
            raise InvalidInput(f"unknown command {name!r}; known: {', '.join(sorted(COMMANDS))}")
        if cls is not Command and target is not cls:
            raise InvalidInput(f"expected the command {cls.action!r}, got {name!r}")
        fields = {f.name: f for f in _fields(target) if f.init}
        unknown = sorted(set(data) - set(fields) - {"command"})
        if unknown:
            raise InvalidInput(f"unknown arguments for {name}: {unknown}")
        arguments: dict[str, object] = {}
        for key, field in fields.items():
            if key in data:
                arguments[key] = _DECODERS[field.metadata.get("codec", "plain")](data[key])
            elif field.default is attrs.NOTHING:
                raise InvalidInput(f"{name} needs the argument {key!r}")
        return target(**arguments)

    @classmethod
    def from_json(cls, text: str | bytes) -> Command:
        """The command a JSON text describes (see :meth:`from_dict`)."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as error:
            raise InvalidInput(f"a command must be JSON text: {error}") from None
        return cls.from_dict(data)


def _legacy_plain(value: object) -> object:
    """The canonical form the fingerprints of request ids stored so far were made of (kept
    so that a replay after an upgrade is still recognised)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, BookingGuest):
        return [value.booking_guest_id, value.first_name, value.last_name]
    if isinstance(value, list | tuple):
        return [_legacy_plain(v) for v in value]
    return value


# --- reference data ---------------------------------------------------------------------


def _require_timezone(name: str, value: object) -> None:
    zone = require_id(name, value)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name} must be an IANA time zone name; got {zone!r}") from None


def _require_token(name: str, value: object) -> None:
    token = require_text(name, value, required=True)
    if token != token.strip():
        raise InvalidInput(f"{name} must not start or end with whitespace")


MAX_STAYOVER_EVERY = 366
"""The most nights a hotel may set between stayover cleanings."""
MAX_CREDITS = 100
"""The most credits a hotel may set for one cleaning."""


@command("register_hotel", operation=False)
@frozen
class RegisterHotel(Command):
    """Register a hotel and its policy."""

    hotel_id: str = identifier(Ref.NEW_HOTEL)
    name: str = text(required=True, default=attrs.NOTHING)
    require_inspection: bool = flag(False)
    timezone: str = _field(_require_timezone, default="UTC")
    checkout_time: time = clock_time(time(11))
    enforce_stay_dates: bool = flag(False)
    stayover_every: int = count(0, MAX_STAYOVER_EVERY, default=1)
    checkout_credits: int = count(1, MAX_CREDITS, default=2)
    stayover_credits: int = count(1, MAX_CREDITS, default=1)
    request_id: str | None = _request_id()


@command("update_hotel", operation=False)
@frozen
class UpdateHotel(Command):
    """Change a hotel's name or policy; an argument left as None keeps its value. (Its time
    zone is not among them: stored local dates and times were made in it.)"""

    hotel_id: str = identifier(Ref.HOTEL)
    name: str | None = _field(
        _optional(lambda n, v: require_text(n, v, required=True)), default=None
    )
    require_inspection: bool | None = optional_flag()
    checkout_time: time | None = optional_clock_time()
    enforce_stay_dates: bool | None = optional_flag()
    stayover_every: int | None = optional_count(0, MAX_STAYOVER_EVERY)
    checkout_credits: int | None = optional_count(1, MAX_CREDITS)
    stayover_credits: int | None = optional_count(1, MAX_CREDITS)
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if all(getattr(self, f) is None for f in _HOTEL_SETTINGS):
            raise InvalidInput(
                f"update_hotel needs at least one of {', '.join(_HOTEL_SETTINGS)}",
                hotel_id=self.hotel_id,
            )

    def changes(self) -> dict[str, object]:
        """The settings this update gives, by field of :class:`~hotel_occupancy.Hotel`."""
        return {f: getattr(self, f) for f in _HOTEL_SETTINGS if getattr(self, f) is not None}


_HOTEL_SETTINGS = (
    "name",
    "require_inspection",
    "checkout_time",
    "enforce_stay_dates",
    "stayover_every",
    "checkout_credits",
    "stayover_credits",
)


@command("register_room", operation=False)
@frozen
class RegisterRoom(Command):
    """Register a room of a hotel; it starts VACANT_CLEAN."""

    hotel_id: str = identifier(Ref.HOTEL)
    room_id: str = identifier(Ref.NEW_ROOM)
    number: str = identifier()
    capacity: int | None = _field(lambda _name, value: require_capacity(value), default=None)
    request_id: str | None = _request_id()


@command("register_staff", operation=False)
@frozen
class RegisterStaff(Command):
    """Register an active staff member of a hotel."""

    hotel_id: str = identifier(Ref.HOTEL)
    staff_id: str = identifier(Ref.NEW_STAFF)
    name: str = text(required=True, default=attrs.NOTHING)
    role: StaffRole = choice(StaffRole)
    request_id: str | None = _request_id()


@command("deactivate_hotel", operation=False)
@frozen
class DeactivateHotel(Command):
    """Deactivate a hotel: from now on its staff may do nothing (its reference data can
    still be read and maintained)."""

    hotel_id: str = identifier(Ref.HOTEL)
    request_id: str | None = _request_id()


@command("reactivate_hotel", operation=False)
@frozen
class ReactivateHotel(Command):
    """Reactivate a deactivated hotel: its staff may act again."""

    hotel_id: str = identifier(Ref.HOTEL)
    request_id: str | None = _request_id()


@command("deactivate_staff", operation=False)
@frozen
class DeactivateStaff(Command):
    """Deactivate a staff member: from now on they may do nothing."""

    staff_id: str = identifier(Ref.STAFF)
    request_id: str | None = _request_id()


@command("reactivate_staff", operation=False)
@frozen
class ReactivateStaff(Command):
    """Reactivate a deactivated staff member: their role's grants apply again."""

    staff_id: str = identifier(Ref.STAFF)
    request_id: str | None = _request_id()


@command("update_staff", operation=False)
@frozen
class UpdateStaff(Command):
    """Change a staff member's name or role; an argument left as None keeps its value."""

    staff_id: str = identifier(Ref.STAFF)
    name: str | None = _field(
        _optional(lambda n, v: require_text(n, v, required=True)), default=None
    )
    role: StaffRole | None = _field(
        _optional(lambda n, v: require_enum(n, StaffRole, v)),
        default=None,
        converter=_to_member(StaffRole),
    )
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.role is None:
            raise InvalidInput(
                "update_staff needs at least one of name, role", staff_id=self.staff_id
            )

    def changes(self) -> dict[str, object]:
        """The settings this update gives, by field of :class:`~hotel_occupancy.Staff`."""
        given = {"name": self.name, "role": self.role}
        return {f: v for f, v in given.items() if v is not None}


@command("update_room", operation=False)
@frozen
class UpdateRoom(Command):
    """Change a room's number or capacity; an argument left as None keeps its value, and
    ``unlimited_capacity`` removes the limit (not together with ``capacity``)."""

    room_id: str = identifier(Ref.ROOM)
    number: str | None = _field(_optional(require_id), default=None)
    capacity: int | None = _field(
        _optional(lambda _name, value: require_capacity(value)), default=None
    )
    unlimited_capacity: bool = flag(False)
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if self.unlimited_capacity and self.capacity is not None:
            raise InvalidInput(
                "update_room takes capacity or unlimited_capacity, not both",
                room_id=self.room_id,
            )
        if self.number is None and self.capacity is None and not self.unlimited_capacity:
            raise InvalidInput(
                "update_room needs at least one of number, capacity, unlimited_capacity",
                room_id=self.room_id,
            )

    def changes(self) -> dict[str, object]:
        """The settings this update gives, by field of :class:`~hotel_occupancy.Room`."""
        given: dict[str, object] = {}
        if self.number is not None:
            given["number"] = self.number
        if self.capacity is not None or self.unlimited_capacity:
            given["capacity"] = self.capacity
        return given


def _require_departure(instance: RegisterBooking, _attribute: object, value: object) -> None:
    departure = require_date("departure", value)
    if isinstance(instance.arrival, date) and departure < instance.arrival:
        raise InvalidInput(
            f"departure {departure.isoformat()} is before arrival {instance.arrival.isoformat()}",
            booking_id=instance.booking_id,
        )


@command("register_booking", operation=False)
@frozen
class RegisterBooking(Command):
    """Register an arriving booking with its dates and party (the first is the primary)."""

    hotel_id: str = identifier(Ref.HOTEL)
    booking_id: str = identifier(Ref.NEW_BOOKING)
    reference: str = identifier()
    arrival: date = day()
    departure: date = _field(validator=_require_departure, codec="date")
    party: Sequence[BookingGuest] = _party()
    request_id: str | None = _request_id()


@command("register_device_token", operation=False)
@frozen
class RegisterDeviceToken(Command):
    """Attach a device token to an in-house guest's stay."""

    guest_id: str = identifier(Ref.GUEST)
    token: str = _field(_require_token)
    request_id: str | None = _request_id()


# --- operations -------------------------------------------------------------------------


@command("assign_room")
@frozen
class AssignRoom(Command):
    """Assign a room to an arriving booking, and by default check it in."""

    booking_id: str = identifier(Ref.BOOKING)
    room_id: str = identifier(Ref.ROOM)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    check_in: bool = flag(True)
    request_id: str | None = _request_id()

    @property
    def variant(self) -> str:
        return "pre-assign"


@command("check_in")
@frozen
class CheckIn(Command):
    """Check a pre-assigned booking into its room."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("reassign_room")
@frozen
class ReassignRoom(Command):
    """Move a pre-assigned booking to another room."""

    booking_id: str = identifier(Ref.BOOKING)
    to_room_id: str = identifier(Ref.ROOM)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("unassign_room")
@frozen
class UnassignRoom(Command):
    """Take a booking off its room (undoing a check-in made in error, if in house)."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("move_guest")
@frozen
class MoveGuest(Command):
    """Move an in-house booking to another ready room."""

    booking_of: ClassVar[str | None] = "from_room_id"

    from_room_id: str = identifier(Ref.ROOM_STATE)
    to_room_id: str = identifier(Ref.ROOM)
    staff_id: str = identifier(Ref.STAFF)
    reason: str = text(notes=True)
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if self.from_room_id == self.to_room_id:
            raise InvalidInput(
                f"a guest cannot move from room {self.from_room_id!r} to the same room",
                room_id=self.from_room_id,
            )


@command("checkout_room")
@frozen
class CheckoutRoom(Command):
    """Check the in-house booking out of an occupied room."""

    booking_of: ClassVar[str | None] = "room_id"

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("mark_dirty")
@frozen
class MarkDirty(Command):
    """A CLEAN or INSPECTED room needs cleaning."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("start_cleaning")
@frozen
class StartCleaning(Command):
    """A cleaner starts on a DIRTY room."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    request_id: str | None = _request_id()


@command("complete_cleaning")
@frozen
class CompleteCleaning(Command):
    """Cleaning is finished: the room is CLEAN."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("inspect_room")
@frozen
class InspectRoom(Command):
    """Inspect a CLEAN room: passed, INSPECTED; failed, DIRTY again."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    passed: bool = flag(True)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()

    @property
    def variant(self) -> str:
        return "passed" if self.passed else "failed"

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        return {"passed": self.passed}


def _require_window_condition(instance: Command, attribute: object, value: object) -> None:
    chosen = require_enum("return_condition", Condition, value)
    if chosen not in (Condition.DIRTY, Condition.CLEAN):
        raise InvalidInput(
            f"a room returns to service DIRTY or CLEAN, not {chosen.value}",
            room_id=getattr(instance, "room_id", None),
        )


def _return_condition() -> Any:
    return _field(
        validator=_require_window_condition,
        default=Condition.DIRTY,
        converter=_to_member(Condition),
    )


class _Window:
    """An out-of-service window: ``until`` (the last day out of service, the hotel's local
    date; None: until returned by hand) and the condition the night audit of that day
    returns the room in."""

    __slots__ = ()
    until: date | None
    return_condition: Condition

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        if self.until is None:
            return {}
        return {"until": self.until.isoformat(), "return_condition": self.return_condition.value}

    def record_changes(self) -> Mapping[str, object]:
        """What the window writes on the occupancy record."""
        if self.until is None:
            return {}
        return {"out_of_service_until": self.until, "return_condition": self.return_condition}


@command("set_out_of_order")
@frozen
class SetOutOfOrder(_Window, Command):
    """Take a vacant, unassigned room out of order (until a day, if given)."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    reason: str = text(required=True, default=attrs.NOTHING, notes=True)
    until: date | None = optional_day()
    return_condition: Condition = _return_condition()
    request_id: str | None = _request_id()


@command("start_maintenance")
@frozen
class StartMaintenance(_Window, Command):
    """Put a vacant, unassigned room into maintenance (until a day, if given)."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    reason: str = text(required=True, default=attrs.NOTHING, notes=True)
    until: date | None = optional_day()
    return_condition: Condition = _return_condition()
    request_id: str | None = _request_id()


def _require_return_condition(instance: ReturnToService, attribute: object, value: object) -> None:
    chosen = require_enum("condition", Condition, value)
    if chosen not in (Condition.DIRTY, Condition.CLEAN):
        raise InvalidInput(
            f"a room returns to service DIRTY or CLEAN, not {chosen.value}",
            room_id=instance.room_id,
        )


@command("return_to_service")
@frozen
class ReturnToService(Command):
    """Bring a room back from OUT_OF_ORDER or MAINTENANCE, DIRTY (default) or CLEAN."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    condition: Condition = _field(
        validator=_require_return_condition,
        default=Condition.DIRTY,
        converter=_to_member(Condition),
    )
    notes: str = text(notes=True)
    request_id: str | None = _request_id()

    @property
    def variant(self) -> str:
        return self.condition.value


# --- §9: the front desk's changes to a booking ----------------------------------------


@command("change_stay")
@frozen
class ChangeStay(Command):
    """New dates for a booking; a date left as None keeps its value."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    arrival: date | None = optional_day()
    departure: date | None = optional_day()
    notes: str = text(notes=True)
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if self.arrival is None and self.departure is None:
            raise InvalidInput(
                "change_stay needs a new arrival, a new departure or both",
                booking_id=self.booking_id,
            )
        if (
            self.arrival is not None
            and self.departure is not None
            and self.departure < self.arrival
        ):
            raise InvalidInput(
                f"departure {self.departure.isoformat()} is before arrival "
                f"{self.arrival.isoformat()}",
                booking_id=self.booking_id,
            )


@command("update_party")
@frozen
class UpdateParty(Command):
    """The booking's whole new party (the first is the primary)."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    party: Sequence[BookingGuest] = _party()
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("cancel_booking")
@frozen
class CancelBooking(Command):
    """Cancel a booking that has not arrived; a pre-assignment is released."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    reason: str = text(notes=True)
    request_id: str | None = _request_id()


@command("mark_no_show")
@frozen
class MarkNoShow(Command):
    """Record that a booking's guest never arrived; a pre-assignment is released."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()


@command("queue_arrival")
@frozen
class QueueArrival(Command):
    """The pre-assigned booking's guest waits at the desk: their room comes first."""

    booking_id: str = identifier(Ref.BOOKING)
    staff_id: str = identifier(Ref.STAFF)
    request_id: str | None = _request_id()


# --- §10: the housekeeping day -----------------------------------------------------------


@command("set_service_status")
@frozen
class SetServiceStatus(Command):
    """What the guests of an occupied room ask of housekeeping: do not disturb, make up
    the room, no service today, or nothing (NONE)."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    status: ServiceStatus = choice(ServiceStatus)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()

    @property
    def variant(self) -> str:
        return self.status.value

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        return {"service_status": self.status.value}


MAX_OBSERVED_GUESTS = 99
"""The most guests an observation may count in a room."""


@command("report_room_observation")
@frozen
class ReportRoomObservation(Command):
    """What housekeeping saw in a room: whether it is occupied and, if counted, how many
    guests are in it."""

    room_id: str = identifier(Ref.ROOM_STATE)
    staff_id: str = identifier(Ref.STAFF)
    occupied: bool = _field(validator=_valid_bool)
    guests: int | None = optional_count(0, MAX_OBSERVED_GUESTS)
    notes: str = text(notes=True)
    request_id: str | None = _request_id()

    def __attrs_post_init__(self) -> None:
        if self.guests is not None and (self.guests > 0) is not self.occupied:
            raise InvalidInput(
                f"an observation of {self.guests} guests must say occupied={self.guests > 0}",
                room_id=self.room_id,
            )

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        return {"observed_occupied": self.occupied, "observed_guests": self.guests}


@command("night_audit")
@frozen
class NightAudit(Command):
    """Close a hotel's business day: stayover cleanings, service statuses reset, windows
    that end returned to service. Once per hotel and business date: a second call returns
    the first one's entries (so it takes no ``request_id``: the date is its key)."""

    hotel_id: str = identifier(Ref.HOTEL)
    business_date: date = day()
    staff_id: str = identifier(Ref.STAFF)

    request_id: None = attrs.field(default=None, init=False)

    def entry_metadata(self) -> Mapping[str, MetadataValue]:
        return {"business_date": self.business_date.isoformat()}


@command("assign_task")
@frozen
class AssignTask(Command):
    """Give an open housekeeping task to an active housekeeping staff member."""

    task_id: str = identifier(Ref.TASK)
    assignee_id: str = identifier(Ref.STAFF)
    staff_id: str = identifier(Ref.STAFF)
    request_id: str | None = _request_id()


def _require_attendants(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise InvalidInput("attendants must be a non-empty list of staff ids")
    for index, staff_id in enumerate(value):
        require_id(f"attendants[{index}]", staff_id)
    if len(set(value)) != len(value):
        raise InvalidInput("attendants must not name a staff member twice")


MAX_SHEET_CREDITS = 10_000
"""The most credits a worksheet may be limited to."""


@command("generate_worksheets")
@frozen
class GenerateWorksheets(Command):
    """Share the hotel's open, unstarted cleaning tasks among the attendants by credits,
    most urgent first (see :mod:`hotel_occupancy.domain.worksheets`)."""

    hotel_id: str = identifier(Ref.HOTEL)
    attendants: tuple[str, ...] = _field(
        validator=_require_attendants, converter=_as_tuple, ref=Ref.STAFF_MEMBERS
    )
    staff_id: str = identifier(Ref.STAFF)
    max_credits: int | None = optional_count(1, MAX_SHEET_CREDITS)
    request_id: str | None = _request_id()
