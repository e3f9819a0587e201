"""Plain data: everything the library returns becomes JSON-ready data, and commands come back.

``to_data`` and ``from_data`` are driven by attrs fields and type hints, so these tests find
the classes programmatically (every command, every exported attrs class) instead of
listing them, and a class added later is covered without a change here.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain import commands as commands_module
from hotel_occupancy.domain import data as plain
from hotel_occupancy.domain import from_data, to_data
from hotel_occupancy.domain.commands import COMMANDS, Command, RegisterDeviceToken
from hotel_occupancy.domain.credentials import PinRules

COMMAND_CLASSES = sorted(COMMANDS.values(), key=lambda cls: cls.action)
SECRET_COMMANDS = [
    cls for cls in COMMAND_CLASSES if any(plain.is_secret(f.name) for f in attrs.fields(cls))
]
EXPORTED_ATTRS = [getattr(ho, name) for name in ho.__all__ if attrs.has(getattr(ho, name))]


# --- strategies: a valid value for each field, from its type hint --------------------------

_ids = st.text(st.sampled_from("abcXYZ019-_.:é"), min_size=1, max_size=10)
_FIELD_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "timezone": st.sampled_from(["UTC", "Europe/Paris", "Asia/Tokyo"]),
    "condition": st.sampled_from([ho.Condition.DIRTY, ho.Condition.CLEAN]),
    "return_condition": st.sampled_from([ho.Condition.DIRTY, ho.Condition.CLEAN]),
}


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    """Values of the type ``hint`` that commands usually accept."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is not None and type(None) in args:  # Optional
        others = [a for a in args if a is not type(None)]
        return st.none() | st.one_of(*[_strategy(a) for a in others])
    if origin is not None:  # a sequence (a party, the attendants)
        item = args[0]
        if item is ho.BookingGuest:
            guest = st.builds(ho.BookingGuest, _ids, _ids, _ids)
            return st.lists(guest, min_size=1, max_size=3, unique_by=lambda g: g.booking_guest_id)
        return st.lists(_strategy(item), min_size=1, max_size=3, unique=True).map(tuple)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(list(hint))
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: _ids,
        bool: st.booleans(),
        int: st.integers(1, 5),
        date: st.dates(date(2000, 1, 1), date(2100, 1, 1)),
        time: st.times(),
    }
    return simple[hint]


@st.composite
def commands_of(draw: st.DrawFn, cls: type[Command]) -> Command:
    """A valid command of the class ``cls``, its fields drawn from their type hints."""
    arguments = {
        field.key: draw(
            _FIELD_STRATEGIES[field.key]
            if field.key in _FIELD_STRATEGIES
            else _strategy(field.hint)
        )
        for field in plain._fields_of(cls)
    }
    try:
        return cls(**arguments)
    except ho.InvalidInput:
        reject()


@pytest.mark.parametrize("cls", COMMAND_CLASSES, ids=lambda cls: cls.action)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_command_comes_back_exactly_from_its_json_data(
    cls: type[Command], data: st.DataObject
) -> None:
    """from_data(type(c), to_data(c)) == c for every command class, also through JSON text
    and through the Command base class; the data is that of Command.to_dict(); secrets are
    written only with redact=False."""
    command = data.draw(commands_of(cls))
    assert to_data(command, redact=False) == command.to_dict()  # one format, two doors
    written = json.loads(json.dumps(to_data(command, redact=False)))
    assert from_data(type(command), written) == command
    assert from_data(Command, written) == command
    if cls not in SECRET_COMMANDS:
        assert from_data(type(command), json.loads(json.dumps(to_data(command)))) == command


def test_the_commands_are_found_and_one_carries_a_secret() -> None:
    """The round trip covers every command class the commands module exports, and the
    device token is a secret."""
    exported = {
        value
        for value in vars(commands_module).values()
        if isinstance(value, type) and issubclass(value, Command) and value is not Command
    }
    assert exported == set(COMMAND_CLASSES)
    assert RegisterDeviceToken in SECRET_COMMANDS


def test_a_device_token_is_hidden_in_data_but_taken_from_a_caller() -> None:
    """to_data hides the token; from_data takes a real one and refuses the hidden marker."""
    command = RegisterDeviceToken(guest_id="g-1", token="fcm:secret-value")
    written = to_data(command)
    assert written == {
        "command": "register_device_token",
        "guest_id": "g-1",
        "token": plain.REDACTED,
        "request_id": None,
    }
    assert "secret-value" not in json.dumps(written)
    given_by_caller = {"guest_id": "g-1", "token": "fcm:secret-value"}
    assert from_data(RegisterDeviceToken, given_by_caller) == command
    with pytest.raises(ho.InvalidInput, match="token is redacted") as refused:
        from_data(RegisterDeviceToken, written)
    assert refused.value.context["field"] == "token"


# --- bad data ----------------------------------------------------------------------------

_BOOKING = {
    "command": "register_booking",
    "hotel_id": "h",
    "booking_id": "b",
    "reference": "R-1",
    "arrival": "2026-03-10",
    "departure": "2026-03-12",
    "party": [{"booking_guest_id": "g", "first_name": "Ada", "last_name": "Byron"}],
}


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"reference": None}, "reference", "must be a string, not null"),
        ({"hotel_id": 7}, "hotel_id", "must be a string, not a number"),
        ({"arrival": "2026-13-01"}, "arrival", "ISO 8601 date"),
        ({"arrival": "2026-03-10T10:00"}, "arrival", "ISO 8601 date"),
        ({"arrival": 20260310}, "arrival", "ISO 8601 date"),
        ({"party": "Ada"}, "party", "must be a list"),
        (
            {"party": [{"booking_guest_id": "g", "first_name": 1, "last_name": "B"}]},
            "party[0].first_name",
            "must be a string",
        ),
        (
            {"party": [{"booking_guest_id": "g", "first_name": "A"}]},
            "party[0].last_name",
            "is missing",
        ),
        ({"nights": 2}, "nights", "is not a field of RegisterBooking"),
        ({"command": "check_in"}, "command", "must be 'register_booking'"),
    ],
)
def test_bad_data_is_invalid_input_naming_the_field(
    changes: dict[str, object], field: str, words: str
) -> None:
    """A wrong type, a bad date, a missing or unknown field: InvalidInput naming it."""
    data = {key: value for key, value in {**_BOOKING, **changes}.items() if value is not ...}
    with pytest.raises(ho.InvalidInput, match=words.replace("[", r"\[")) as refused:
        from_data(ho_commands().RegisterBooking, data)
    assert refused.value.context["field"] == field
    assert field in refused.value.message


def ho_commands() -> Any:
    """The commands module (imported late, as a host would reach it)."""
    from hotel_occupancy.domain import commands

    return commands


def test_a_missing_field_is_named() -> None:
    """A required field left out is InvalidInput naming it; a defaulted one may be left out."""
    check_in = ho_commands().CheckIn
    with pytest.raises(ho.InvalidInput, match="staff_id is missing") as refused:
        from_data(check_in, {"booking_id": "b"})
    assert refused.value.context["field"] == "staff_id"
    assert from_data(check_in, {"booking_id": "b", "staff_id": "s"}).notes == ""


def test_an_unknown_enum_value_is_named_with_the_values_allowed() -> None:
    """A role that is no StaffRole value says which values are."""
    data = {"hotel_id": "h", "staff_id": "s", "name": "Ana", "role": "front_desk"}
    with pytest.raises(ho.InvalidInput, match="role must be one of FRONT_DESK") as refused:
        from_data(ho_commands().RegisterStaff, data)
    assert refused.value.context["field"] == "role"


def test_an_unknown_command_name_is_invalid_input() -> None:
    """Command data naming no command, or data that is not an object, is refused."""
    with pytest.raises(ho.InvalidInput, match="must name a command"):
        from_data(Command, {"command": "explode"})
    with pytest.raises(ho.InvalidInput, match="must name a command"):
        from_data(Command, {"booking_id": "b"})
    with pytest.raises(ho.InvalidInput, match="must be an object, not a list"):
        from_data(Command, [])


def test_the_command_s_own_rules_still_apply_after_the_types() -> None:
    """Well-typed data the command refuses (a departure before arrival) is its refusal."""
    data = {**_BOOKING, "departure": "2026-03-01"}
    with pytest.raises(ho.InvalidInput, match="before arrival"):
        from_data(Command, data)


def test_a_bad_value_is_shown_in_the_message_but_never_a_secret_one() -> None:
    """The message quotes a wrong value, except the value of a secret field."""
    with pytest.raises(ho.InvalidInput, match="got '2026-99-01'"):
        from_data(
            ho_commands().ChangeStay, {"booking_id": "b", "staff_id": "s", "arrival": "2026-99-01"}
        )
    with pytest.raises(ho.InvalidInput) as refused:
        from_data(RegisterDeviceToken, {"guest_id": "g", "token": ["hunter2"]})
    assert "hunter2" not in str(refused.value)


# --- what the services return --------------------------------------------------------------


@pytest.fixture
def stay() -> InMemoryUnitOfWork:
    """A hotel with a guest in house in room 101 and a device token registered."""
    uow = InMemoryUnitOfWork(clock=lambda: datetime(2026, 3, 10, 15, tzinfo=UTC))
    services.register_hotel(uow, hotel_id="h", name="Harbour", timezone="Europe/Lisbon")
    services.register_room(uow, hotel_id="h", room_id="r-101", number="101", capacity=2)
    services.register_staff(
        uow, hotel_id="h", staff_id="ana", name="Ana", role=ho.StaffRole.MANAGER
    )
    services.register_booking(
        uow,
        hotel_id="h",
        booking_id="b-1",
        reference="HV-1",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("g-1", "Ada", "Byron")],
    )
    services.assign_room(uow, booking_id="b-1", room_id="r-101", staff_id="ana")
    (guest,) = services.current_guests(uow, "r-101")
    services.register_device_token(uow, guest_id=guest.guest_id, token="fcm:abc")
    return uow


def test_the_results_of_queries_come_back_exactly(stay: InMemoryUnitOfWork) -> None:
    """Log entries, board rows, a booking view, a feed page, occupancy, allowed operations
    and tasks survive to_data, JSON text and from_data unchanged."""
    results: list[tuple[Any, Any]] = [
        (tuple[ho.LogEntry, ...], services.room_history(stay, "r-101")),
        (list[ho.BoardRow], list(services.room_board(stay, "h"))),
        (ho.BookingView, services.get_booking(stay, "b-1")),
        (ho.FeedPage, services.read_feed(stay)),
        (ho.RoomOccupancy, services.get_occupancy(stay, "r-101")),
        (tuple[ho.AllowedOperation, ...], tuple(services.allowed_operations(stay, "r-101"))),
        (tuple[ho.HousekeepingTask, ...], tuple(services.open_tasks(stay, "h"))),
    ]
    for hint, value in results:
        text = json.dumps(to_data(value))
        assert from_data(hint, json.loads(text)) == value, hint


def test_a_service_s_tuple_of_log_entries_is_a_list_of_objects(stay: InMemoryUnitOfWork) -> None:
    """The entries a mutating service returns are a list of objects with enum values."""
    entries = services.checkout_room(stay, room_id="r-101", staff_id="ana")
    written = to_data(entries)
    assert isinstance(written, list)
    assert written[0]["operation"] == "CHECKOUT"  # type: ignore[index,call-overload]
    assert written[0]["status_after"] == "VACANT_DIRTY"  # type: ignore[index,call-overload]
    assert written[0]["timestamp"] == "2026-03-10T15:00:00+00:00"  # type: ignore[index,call-overload]


def test_a_guest_s_pin_and_device_token_are_hidden(stay: InMemoryUnitOfWork) -> None:
    """A guest's id_pin and device_token are written as the marker; None stays None."""
    (guest,) = services.current_guests(stay, "r-101")
    assert guest.id_pin
    assert guest.device_token
    written = to_data(guest)
    assert written["id_pin"] == written["device_token"] == plain.REDACTED  # type: ignore[index,call-overload]
    assert guest.id_pin not in json.dumps(written)
    assert from_data(ho.Guest, to_data(guest, redact=False)) == guest
    cleared = attrs.evolve(guest, id_pin=None, device_token=None)
    assert to_data(cleared)["id_pin"] is None  # type: ignore[index,call-overload]


def test_a_found_guest_s_pin_is_hidden(stay: InMemoryUnitOfWork) -> None:
    """find_guest_by_pin's result, as data, does not give the PIN back."""
    (guest,) = services.current_guests(stay, "r-101")
    found = services.find_guest_by_pin(stay, "h", guest.id_pin)
    assert found is not None
    assert guest.id_pin not in json.dumps(to_data(found))


def test_an_event_keeps_its_timestamp_offset_and_metadata(stay: InMemoryUnitOfWork) -> None:
    """An event's aware timestamp keeps its offset, its metadata is an object."""
    event = services.read_feed(stay).events[0]
    written = to_data(event)
    assert written["timestamp"].endswith("+00:00")  # type: ignore[index,call-overload,union-attr]
    assert written["metadata"] == dict(event.metadata)  # type: ignore[index,call-overload]
    assert from_data(ho.OccupancyEvent, written) == event


@pytest.mark.parametrize("cls", EXPORTED_ATTRS, ids=lambda cls: cls.__name__)
def test_every_exported_attrs_class_has_hints_from_data_can_read(cls: type) -> None:
    """Each attrs class of hotel_occupancy resolves its type hints: from_data of empty data
    names its first required field as missing (or builds it, when every field has a
    default, and it comes back the same)."""
    required = [f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING]
    if required:
        with pytest.raises(ho.InvalidInput, match=f"{required[0]} is missing"):
            from_data(cls, {})
    else:
        built = from_data(cls, {})
        assert from_data(cls, to_data(built, redact=False)) == built


# --- the conventions -----------------------------------------------------------------------


def test_times_durations_decimals_and_local_datetimes_round_trip() -> None:
    """ISO 8601 for dates, times, offsets and durations; a Decimal as a string."""
    lisbon = datetime(2026, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    assert to_data(lisbon) == "2026-07-01T12:30:00+01:00"
    assert from_data(datetime, to_data(lisbon)) == lisbon
    assert from_data(datetime, "2026-07-01T11:30:00Z") == lisbon
    assert from_data(datetime, to_data(lisbon)).utcoffset() == timedelta(hours=1)
    assert to_data(time(11, 30)) == "11:30:00"
    assert to_data(Decimal("12.50")) == "12.50"
    assert from_data(Decimal, "12.50") == Decimal("12.50")
    for duration, text in [
        (timedelta(0), "PT0S"),
        (timedelta(minutes=15), "PT15M"),
        (timedelta(days=1), "P1D"),
        (timedelta(days=1, hours=2, seconds=1.5), "P1DT2H1.5S"),
        (-timedelta(hours=1), "-PT1H"),
    ]:
        assert to_data(duration) == text
        assert from_data(timedelta, text) == duration
    assert from_data(PinRules, to_data(PinRules())) == PinRules()
    with pytest.raises(ho.InvalidInput, match="duration"):
        from_data(timedelta, "P")


def test_collections_and_mappings_become_lists_and_objects() -> None:
    """Sets are sorted lists, mapping keys are text (an enum key its value), and back."""
    assert to_data(frozenset({"b", "a"})) == ["a", "b"]
    assert from_data(frozenset[str], ["a", "b"]) == frozenset({"a", "b"})
    counts = {ho.OccupancyStatus.OCCUPIED: 2}
    assert to_data(counts) == {"OCCUPIED": 2}
    assert from_data(dict[ho.OccupancyStatus, int], {"OCCUPIED": 2}) == counts
    assert from_data(dict[int, str], {"7": "x"}) == {7: "x"}
    assert from_data(tuple[int, str], [1, "a"]) == (1, "a")
    with pytest.raises(ho.InvalidInput, match=r"\[1\] must be a whole number, not a boolean"):
        from_data(list[int], [1, True])


def test_a_secret_named_key_of_a_mapping_is_hidden() -> None:
    """Mapping keys named like secrets are hidden too (a PIN in metadata never leaks)."""
    assert to_data({"pin": "123456", "room": "101", "device_token": None}) == {
        "pin": plain.REDACTED,
        "room": "101",
        "device_token": None,
    }


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("id_pin", True),
        ("pin", True),
        ("pin_hash", True),
        ("device_token", True),
        ("guest_fcm_token", True),
        ("pins", True),
        ("webhook_secret", True),
        ("pin_rules", False),
        ("spinner", False),
        ("tokenizer", False),
        ("room_id", False),
    ],
)
def test_secret_fields_are_recognised_by_name(name: str, secret: bool) -> None:
    """Names ending in pin, token, secret or password (or _hash, s after) are secrets."""
    assert plain.is_secret(name) is secret


def test_metadata_can_mark_any_field_secret() -> None:
    """attrs metadata {"secret": True} hides a field whatever its name."""

    @attrs.frozen
    class Login:
        user: str
        passphrase_text: str = attrs.field(metadata={"secret": True})

    assert to_data(Login("ana", "x")) == {"user": "ana", "passphrase_text": plain.REDACTED}


def test_a_value_of_an_unknown_type_is_a_type_error() -> None:
    """to_data refuses what it cannot write, as json.dumps does."""
    with pytest.raises(TypeError, match="object"):
        to_data(object())


def test_aware_and_naive_datetimes_keep_what_they_are() -> None:
    """An aware datetime keeps its offset; a naive one stays naive."""
    aware = datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=-5)))
    assert to_data(aware) == "2026-01-01T09:00:00-05:00"
    assert from_data(datetime, to_data(aware)).utcoffset() == timedelta(hours=-5)
    assert from_data(datetime, "2026-01-01T09:00:00").tzinfo is None
