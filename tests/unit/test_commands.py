"""Commands (issue 9): every mutating call as frozen data, checked when built, fingerprinted
from all its fields, round-tripping through JSON, and run by one runner."""

from __future__ import annotations

import hashlib
import inspect
import json
from datetime import date, time
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from hotel_occupancy.domain import commands as cmd
from hotel_occupancy.domain.commands import COMMANDS, Command
from hotel_occupancy.domain.policy import DEFAULT_GRANTS, OPERATION_SERVICES
from hotel_occupancy.services.runner import unhandled
from tests.support import World

PARTY = (ho.BookingGuest("g1", "Mei", "Lee"), ho.BookingGuest("g2", "Jun", "Lee"))

SAMPLES: dict[str, Command] = {
    "register_hotel": cmd.RegisterHotel(
        "H9",
        "Nine",
        require_inspection=True,
        timezone="Europe/Paris",
        checkout_time=time(10),
        enforce_stay_dates=True,
        stayover_every=2,
        checkout_credits=3,
        stayover_credits=2,
    ),
    "update_hotel": cmd.UpdateHotel(
        "H9",
        name="Neuf",
        require_inspection=False,
        checkout_time=time(13),
        enforce_stay_dates=True,
        stayover_every=3,
        checkout_credits=5,
        stayover_credits=2,
    ),
    "deactivate_hotel": cmd.DeactivateHotel("H9"),
    "reactivate_hotel": cmd.ReactivateHotel("H9"),
    "register_room": cmd.RegisterRoom("H9", "R9", "9", capacity=3),
    "register_staff": cmd.RegisterStaff("H9", "s9", "Sam", ho.StaffRole.SUPERVISOR),
    "deactivate_staff": cmd.DeactivateStaff("s9"),
    "reactivate_staff": cmd.ReactivateStaff("s9"),
    "update_staff": cmd.UpdateStaff("s9", name="Samuel", role=ho.StaffRole.SUPERVISOR),
    "update_room": cmd.UpdateRoom("R9", number="10", capacity=3),
    "register_booking": cmd.RegisterBooking(
        "H9", "B9", "REF-9", date(2026, 5, 1), date(2026, 5, 4), PARTY
    ),
    "register_device_token": cmd.RegisterDeviceToken("G9", "token-9"),
    "assign_room": cmd.AssignRoom("B9", "R9", "s9", notes="n", check_in=False),
    "check_in": cmd.CheckIn("B9", "s9", notes="n"),
    "reassign_room": cmd.ReassignRoom("B9", "R8", "s9", notes="n"),
    "unassign_room": cmd.UnassignRoom("B9", "s9", notes="n"),
    "move_guest": cmd.MoveGuest("R9", "R8", "s9", reason="leak"),
    "checkout_room": cmd.CheckoutRoom("R9", "s9", notes="n"),
    "mark_dirty": cmd.MarkDirty("R9", "s9", notes="n"),
    "start_cleaning": cmd.StartCleaning("R9", "s9"),
    "complete_cleaning": cmd.CompleteCleaning("R9", "s9", notes="n"),
    "inspect_room": cmd.InspectRoom("R9", "s9", passed=False, notes="n"),
    "set_out_of_order": cmd.SetOutOfOrder(
        "R9", "s9", "broken", until=date(2026, 5, 9), return_condition=ho.Condition.CLEAN
    ),
    "start_maintenance": cmd.StartMaintenance(
        "R9", "s9", "paint", until=date(2026, 5, 9), return_condition=ho.Condition.CLEAN
    ),
    "return_to_service": cmd.ReturnToService("R9", "s9", condition=ho.Condition.CLEAN, notes="n"),
    "change_stay": cmd.ChangeStay(
        "B9", "s9", arrival=date(2026, 5, 2), departure=date(2026, 5, 6), notes="n"
    ),
    "update_party": cmd.UpdateParty("B9", "s9", PARTY, notes="n"),
    "cancel_booking": cmd.CancelBooking("B9", "s9", reason="rebooked"),
    "mark_no_show": cmd.MarkNoShow("B9", "s9", notes="n"),
    "queue_arrival": cmd.QueueArrival("B9", "s9"),
    "set_service_status": cmd.SetServiceStatus("R9", "s9", ho.ServiceStatus.DND, notes="n"),
    "report_room_observation": cmd.ReportRoomObservation(
        "R9", "s9", occupied=True, guests=2, notes="n"
    ),
    "night_audit": cmd.NightAudit("H9", date(2026, 5, 3), "s9"),
    "assign_task": cmd.AssignTask("T9", "s8", "s9"),
    "generate_worksheets": cmd.GenerateWorksheets("H9", ("s8", "s7"), "s9", max_credits=12),
}
"""One command of every kind, with every field away from its default where it has one."""


def fields(command_class: type[Command]) -> list[attrs.Attribute[Any]]:
    return list(attrs.fields(command_class))  # type: ignore[misc]


def test_every_service_that_changes_something_has_exactly_one_command() -> None:
    """The operations (of the table, and the two sharing out tasks) and the twelve
    reference-data services each have a command."""
    operations = {name for name, c in COMMANDS.items() if c.operation}
    reference = {name for name, c in COMMANDS.items() if not c.operation}
    assert operations == set(OPERATION_SERVICES)
    assert reference == {
        "register_hotel",
        "update_hotel",
        "deactivate_hotel",
        "reactivate_hotel",
        "register_room",
        "register_staff",
        "deactivate_staff",
        "reactivate_staff",
        "update_staff",
        "update_room",
        "register_booking",
        "register_device_token",
    }
    assert set(SAMPLES) == set(COMMANDS)


def test_a_command_lists_what_its_fields_refer_to_in_argument_order() -> None:
    """references() names the fields the runner looks up, with what they must be."""
    move = [(r.field, r.value, r.kind) for r in SAMPLES["move_guest"].references()]
    assert move == [
        ("from_room_id", "R9", cmd.Ref.ROOM_STATE),
        ("to_room_id", "R8", cmd.Ref.ROOM),
        ("staff_id", "s9", cmd.Ref.STAFF),
    ]
    room = [(r.field, r.kind.is_new) for r in SAMPLES["register_room"].references()]
    assert room == [("hotel_id", False), ("room_id", True)]
    assert SAMPLES["move_guest"].notes == "leak"
    assert SAMPLES["start_cleaning"].notes == ""


def test_every_command_has_a_handler_registered_with_the_runner() -> None:
    """Importing the services registers a handler for every command."""
    assert unhandled() == []


def test_every_operation_has_a_policy_grant() -> None:
    """The manager's grant names every operation, so each one has its place in the policy."""
    granted = set().union(*DEFAULT_GRANTS.values())
    assert granted == set(OPERATION_SERVICES)


@pytest.mark.parametrize("action", sorted(COMMANDS))
def test_each_service_function_takes_exactly_its_commands_fields(action: str) -> None:
    """The §7 function's keyword arguments and defaults are the command's fields, so a thin
    wrapper cannot drop an argument from the call or its fingerprint."""
    function = getattr(services, action)
    parameters = list(inspect.signature(function).parameters.values())
    assert parameters[0].name == "uow"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[1:])
    wrapper = [(p.name, p.default) for p in parameters[1:]]
    command = [
        (f.name, inspect.Parameter.empty if f.default is attrs.NOTHING else f.default)
        for f in fields(COMMANDS[action])
        if f.init  # (a night audit's request_id is its date, no argument)
    ]
    assert wrapper == command


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_a_command_round_trips_through_json(action: str) -> None:
    """to_json then from_json gives an equal command, with the same fingerprint."""
    command = SAMPLES[action]
    text = command.to_json()
    data = json.loads(text)
    assert data["command"] == action
    again = Command.from_json(text)
    assert again == command
    assert type(again) is type(command)
    assert again.fingerprint() == command.fingerprint()
    assert type(command).from_dict(data) == command


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_changing_any_field_changes_the_fingerprint_but_the_request_id_does_not(
    action: str,
) -> None:
    """The fingerprint is derived from every field but request_id (no argument can be left
    out of idempotency)."""
    command = SAMPLES[action]
    if attrs.fields_dict(type(command))["request_id"].init:  # type: ignore[arg-type]
        assert attrs.evolve(command, request_id="rq-1").fingerprint() == command.fingerprint()
    changed = {
        str: "other",
        bool: None,
        date: date(2026, 5, 5),
        time: time(12),
        int: 4,
    }
    for field in fields(type(command)):
        if field.name == "request_id":
            continue
        value = getattr(command, field.name)
        if isinstance(value, bool):
            new: object = not value
        elif isinstance(value, ho.StaffRole):
            new = ho.StaffRole.MANAGER
        elif isinstance(value, ho.Condition):
            new = ho.Condition.DIRTY
        elif isinstance(value, ho.ServiceStatus):
            new = ho.ServiceStatus.MAKE_UP_ROOM
        elif isinstance(value, tuple):
            new = value[:1]
        elif field.name == "timezone":
            new = "Asia/Tokyo"
        elif field.name == "arrival":
            new = date(2026, 4, 30)
        else:
            new = changed[type(value)]
        # (an observation counting guests must say occupied: drop the count with it; a room
        # made unlimited takes no capacity)
        extra: dict[str, object] = {}
        if field.name == "occupied":
            extra = {"guests": None}
        elif field.name == "unlimited_capacity":
            extra = {"capacity": None}
        other = attrs.evolve(command, **{field.name: new, **extra})
        assert other.fingerprint() != command.fingerprint(), field.name


def _legacy_fingerprint(action: str, arguments: dict[str, object]) -> str:
    """The digest the services stored for a request id before commands existed."""

    def plain(value: object) -> object:
        if isinstance(value, ho.Condition | ho.StaffRole):
            return value.value
        if isinstance(value, date | time):
            return value.isoformat()
        if isinstance(value, ho.BookingGuest):
            return [value.booking_guest_id, value.first_name, value.last_name]
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    canonical = json.dumps(
        {"action": action, "arguments": {k: plain(v) for k, v in sorted(arguments.items())}},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_fingerprints_are_those_stored_before_commands_existed(action: str) -> None:
    """A request id used before the upgrade is still recognised as the same call."""
    command = SAMPLES[action]
    arguments = {
        f.name: getattr(command, f.name) for f in fields(type(command)) if f.name != "request_id"
    }
    assert command.fingerprint() == _legacy_fingerprint(action, arguments)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"command": "fly_to_the_moon"}, "unknown command"),
        ({"room_id": "R1"}, "unknown command"),
        ({"command": "mark_dirty", "room_id": "R1", "staff_id": "s", "colour": 1}, "colour"),
        ({"command": "mark_dirty", "room_id": "R1"}, "staff_id"),
        (
            {
                "command": "register_booking",
                "hotel_id": "H",
                "booking_id": "B",
                "reference": "R",
                "arrival": "2026-13-01",
                "departure": "2026-05-02",
                "party": [],
            },
            "ISO",
        ),
        (
            {
                "command": "register_booking",
                "hotel_id": "H",
                "booking_id": "B",
                "reference": "R",
                "arrival": "2026-05-01",
                "departure": "2026-05-02",
                "party": [{"booking_guest_id": "g"}],
            },
            "party[0]",
        ),
        (
            {"command": "return_to_service", "room_id": "R", "staff_id": "s", "condition": "X"},
            "condition",
        ),
        ({"command": "mark_dirty", "room_id": "", "staff_id": "s"}, "room_id"),
    ],
)
def test_bad_command_data_is_invalid_input(data: dict[str, object], words: str) -> None:
    """Unknown commands or arguments, missing ones and badly typed values are InvalidInput."""
    with pytest.raises(ho.InvalidInput, match=words.replace("[", r"\[").replace("]", r"\]")):
        Command.from_dict(data)


def test_json_that_is_not_an_object_is_invalid_input() -> None:
    """Text that is not JSON, or JSON that is not an object, is refused clearly."""
    with pytest.raises(ho.InvalidInput):
        Command.from_json("{not json")
    with pytest.raises(ho.InvalidInput):
        Command.from_json("[1, 2]")


def test_from_dict_on_a_command_class_refuses_another_command() -> None:
    """MoveGuest.from_dict will not build a CheckoutRoom."""
    data = SAMPLES["checkout_room"].to_dict()
    with pytest.raises(ho.InvalidInput, match="move_guest"):
        cmd.MoveGuest.from_dict(data)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: cmd.MoveGuest("R1", "R1", "s"), "same room"),
        (lambda: cmd.MoveGuest(" R1", "R2", "s"), "from_room_id"),
        (lambda: cmd.CheckoutRoom("R1", "s", notes="a\x00b"), "notes"),
        (lambda: cmd.SetOutOfOrder("R1", "s", "  "), "reason"),
        (lambda: cmd.ReturnToService("R1", "s", condition=ho.Condition.INSPECTED), "DIRTY or"),
        (lambda: cmd.AssignRoom("B", "R", "s", check_in=1), "check_in"),  # type: ignore[arg-type]
        (lambda: cmd.RegisterHotel("H", "Name", timezone="Mars/Olympus"), "timezone"),
        (lambda: cmd.RegisterRoom("H", "R", "1", capacity=0), "capacity"),
        (lambda: cmd.UpdateRoom("R"), "at least one"),
        (lambda: cmd.UpdateRoom("R", capacity=2, unlimited_capacity=True), "not both"),
        (lambda: cmd.UpdateRoom("R", number=""), "number"),
        (lambda: cmd.UpdateStaff("s"), "at least one"),
        (lambda: cmd.UpdateStaff("s", role="JANITOR"), "role"),  # type: ignore[arg-type]
        (lambda: cmd.RegisterStaff("H", "s", "S", "JANITOR"), "role"),  # type: ignore[arg-type]
        (
            lambda: cmd.RegisterBooking("H", "B", "R", date(2026, 5, 2), date(2026, 5, 1), PARTY),
            "before arrival",
        ),
        (lambda: cmd.RegisterBooking("H", "B", "R", date(2026, 5, 1), date(2026, 5, 1), ()), "at"),
        (lambda: cmd.RegisterDeviceToken("G", " t"), "whitespace"),
        (lambda: cmd.CheckIn("B", "s", request_id=""), "request_id"),
    ],
)
def test_a_command_with_bad_input_cannot_be_built(build: Any, field: str) -> None:
    """The field validators refuse bad input with InvalidInput (a ValueError) (§6)."""
    with pytest.raises(ho.InvalidInput, match=field):
        build()


def test_enum_fields_accept_their_values_as_strings() -> None:
    """A role or condition given as its value string is stored as the member."""
    assert cmd.RegisterStaff("H", "s", "S", "MANAGER").role is ho.StaffRole.MANAGER  # type: ignore[arg-type]
    command = cmd.ReturnToService("R", "s", condition="CLEAN")  # type: ignore[arg-type]
    assert command.condition is ho.Condition.CLEAN


def test_a_party_given_as_a_list_is_stored_as_a_tuple() -> None:
    """Commands are immutable all the way down: the party becomes a tuple."""
    booking = cmd.RegisterBooking("H", "B", "R", date(2026, 5, 1), date(2026, 5, 2), list(PARTY))
    assert booking.party == PARTY
    assert isinstance(booking.party, tuple)


def test_commands_are_frozen() -> None:
    """A built command cannot be changed."""
    command = SAMPLES["move_guest"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        command.reason = "other"  # type: ignore[misc]


def test_execute_runs_a_command_received_as_json_like_the_service_function(
    world: World,
) -> None:
    """A command sent as JSON (say, from an offline device) does what the function does."""
    booking_id = world.booking()
    text = cmd.AssignRoom(booking_id, "R101", "fd", request_id="rq-json").to_json()
    entries = services.execute(world.uow, Command.from_json(text))
    assert [e.operation for e in entries] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    assert world.occupancy("R101").booking_id == booking_id
    again = services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", request_id="rq-json"
    )
    assert again == entries  # the function's call is the command's replay
    world.assert_sound()


def test_execute_refuses_what_is_not_a_command() -> None:
    """Anything but a Command is InvalidInput, before a transaction starts."""
    with pytest.raises(ho.InvalidInput, match="Command"):
        services.execute(InMemoryUnitOfWork(), {"command": "mark_dirty"})  # type: ignore[arg-type]


_ids = st.text(st.sampled_from("abcXYZ019-_.:/é漢"), min_size=1, max_size=12)
_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40)


@given(
    booking_id=_ids,
    reference=_ids,
    arrival=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    nights=st.integers(0, 30),
    names=st.lists(st.tuples(_text, _text), min_size=1, max_size=4),
)
def test_any_valid_booking_command_round_trips_through_json(
    booking_id: str, reference: str, arrival: date, nights: int, names: list[tuple[str, str]]
) -> None:
    """Whatever ids, dates and (Unicode) names a valid booking has, JSON gives it back."""
    party = [
        ho.BookingGuest(f"g{index}", f"x{first}", last) for index, (first, last) in enumerate(names)
    ]
    departure = date.fromordinal(arrival.toordinal() + nights)
    command = cmd.RegisterBooking("H", booking_id, reference, arrival, departure, party)
    assert Command.from_json(command.to_json()) == command
