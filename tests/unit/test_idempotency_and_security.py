"""request_id idempotency, the role policy (default and custom), hotel isolation, guest PINs,
device tokens and room capacity (SPEC §4, §5 I10-I14)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.invariants import check_invariants
from hotel_occupancy.services import pins as pin_module
from hotel_occupancy.services.ports import PinSource
from tests.support import STAFF, FakeClock, World, make_world

Op = Callable[[str, str | None], tuple[ho.LogEntry, ...]]
"""An operation ready to call: (staff_id, request_id) -> entries."""


# --- helpers -------------------------------------------------------------------------------------


def guests_of(world: World, booking_id: str) -> list[ho.Guest]:
    snapshot, _ = world.snapshot()
    return [g for g in snapshot.guests if g.booking_id == booking_id]


def primary_of(world: World, booking_id: str) -> ho.Guest:
    return next(g for g in guests_of(world, booking_id) if g.guest_type is ho.GuestType.PRIMARY)


def pre(world: World, room_id: str, party: int = 1) -> str:
    booking_id = world.booking(party)
    services.assign_room(
        world.uow, booking_id=booking_id, room_id=room_id, staff_id="mgr", check_in=False
    )
    return booking_id


def dirty(world: World, room_id: str) -> None:
    services.mark_dirty(world.uow, room_id=room_id, staff_id="mgr")


def world_with_policy(policy: object) -> World:
    """The hotel of tests.support.make_world, on a unit of work with ``policy``."""
    clock = FakeClock()
    notifier = RecordingNotifier()
    uow = InMemoryUnitOfWork(clock=clock, notifier=notifier, policy=policy)  # type: ignore[arg-type]
    services.register_hotel(uow, hotel_id="H", name="Hotel Test")
    for number in ("101", "102", "103", "104"):
        services.register_room(uow, hotel_id="H", room_id=f"R{number}", number=number, capacity=2)
    services.register_room(uow, hotel_id="H", room_id="R201", number="201")
    for staff_id, role in STAFF.items():
        services.register_staff(uow, hotel_id="H", staff_id=staff_id, name=staff_id, role=role)
    return World(uow=uow, notifier=notifier, clock=clock)


def add_hotel(world: World, hotel_id: str) -> None:
    """A second hotel on the same store, with the same room numbers and a front desk."""
    uow = world.uow
    services.register_hotel(uow, hotel_id=hotel_id, name=f"Hotel {hotel_id}")
    for number in ("101", "102"):
        services.register_room(
            uow, hotel_id=hotel_id, room_id=f"{hotel_id}-{number}", number=number, capacity=2
        )
    services.register_staff(
        uow, hotel_id=hotel_id, staff_id=f"{hotel_id}-fd", name="FD", role="FRONT_DESK"
    )
    services.register_staff(
        uow, hotel_id=hotel_id, staff_id=f"{hotel_id}-hk", name="HK", role="HOUSEKEEPING"
    )


def book_in(world: World, hotel_id: str, booking_id: str, party: int = 1) -> str:
    services.register_booking(
        world.uow,
        hotel_id=hotel_id,
        booking_id=booking_id,
        reference=booking_id,
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 11),
        party=[ho.BookingGuest(f"{booking_id}-g{i}", "A", "B") for i in range(party)],
    )
    return booking_id


def with_pin_source(world: World, draw: PinSource) -> None:
    """Give ``world`` a unit of work over the same store whose PINs come from ``draw``."""
    assert isinstance(world.uow, InMemoryUnitOfWork)
    world.uow = InMemoryUnitOfWork(
        store=world.uow.store, clock=world.clock, notifier=world.notifier, pins=draw
    )


def scripted_pins(world: World, *pins: str) -> list[str]:
    """Make the world's PIN source return ``pins`` in order; returns the PINs drawn."""
    drawn: list[str] = []
    source: Iterator[str] = iter(pins)

    def draw() -> str:
        pin = next(source)
        drawn.append(pin)
        return pin

    with_pin_source(world, draw)
    return drawn


# --- one ready-to-call operation per service -----------------------------------------------------


def _assign(w: World) -> Op:
    booking_id = w.booking()
    return lambda s, rq: services.assign_room(
        w.uow, booking_id=booking_id, room_id="R101", staff_id=s, request_id=rq
    )


def _pre_assign(w: World) -> Op:
    booking_id = w.booking()
    return lambda s, rq: services.assign_room(
        w.uow, booking_id=booking_id, room_id="R101", staff_id=s, check_in=False, request_id=rq
    )


def _check_in(w: World) -> Op:
    booking_id = pre(w, "R101")
    return lambda s, rq: services.check_in(w.uow, booking_id=booking_id, staff_id=s, request_id=rq)


def _reassign(w: World) -> Op:
    booking_id = pre(w, "R101")
    return lambda s, rq: services.reassign_room(
        w.uow, booking_id=booking_id, to_room_id="R102", staff_id=s, request_id=rq
    )


def _unassign(w: World) -> Op:
    booking_id = w.checked_in("R101")
    return lambda s, rq: services.unassign_room(
        w.uow, booking_id=booking_id, staff_id=s, request_id=rq
    )


def _move(w: World) -> Op:
    w.checked_in("R101")
    return lambda s, rq: services.move_guest(
        w.uow, from_room_id="R101", to_room_id="R102", staff_id=s, reason="noise", request_id=rq
    )


def _checkout(w: World) -> Op:
    w.checked_in("R101")
    return lambda s, rq: services.checkout_room(w.uow, room_id="R101", staff_id=s, request_id=rq)


def _mark_dirty(w: World) -> Op:
    return lambda s, rq: services.mark_dirty(w.uow, room_id="R101", staff_id=s, request_id=rq)


def _start_cleaning(w: World) -> Op:
    dirty(w, "R101")
    return lambda s, rq: services.start_cleaning(w.uow, room_id="R101", staff_id=s, request_id=rq)


def _complete_cleaning(w: World) -> Op:
    dirty(w, "R101")
    services.start_cleaning(w.uow, room_id="R101", staff_id="mgr")
    return lambda s, rq: services.complete_cleaning(
        w.uow, room_id="R101", staff_id=s, request_id=rq
    )


def _inspect(w: World) -> Op:
    return lambda s, rq: services.inspect_room(w.uow, room_id="R101", staff_id=s, request_id=rq)


def _out_of_order(w: World) -> Op:
    return lambda s, rq: services.set_out_of_order(
        w.uow, room_id="R101", staff_id=s, reason="leak", request_id=rq
    )


def _maintenance(w: World) -> Op:
    return lambda s, rq: services.start_maintenance(
        w.uow, room_id="R101", staff_id=s, reason="paint", request_id=rq
    )


def _return_to_service(w: World) -> Op:
    services.set_out_of_order(w.uow, room_id="R101", staff_id="mgr", reason="leak")
    return lambda s, rq: services.return_to_service(
        w.uow, room_id="R101", staff_id=s, request_id=rq
    )


SERVICES: dict[str, Callable[[World], Op]] = {
    "assign_room": _assign,
    "check_in": _check_in,
    "reassign_room": _reassign,
    "unassign_room": _unassign,
    "move_guest": _move,
    "checkout_room": _checkout,
    "mark_dirty": _mark_dirty,
    "start_cleaning": _start_cleaning,
    "complete_cleaning": _complete_cleaning,
    "inspect_room": _inspect,
    "set_out_of_order": _out_of_order,
    "start_maintenance": _maintenance,
    "return_to_service": _return_to_service,
}

FRONT_DESK = {
    "assign_room",
    "check_in",
    "reassign_room",
    "unassign_room",
    "move_guest",
    "checkout_room",
    "mark_dirty",
}
HOUSEKEEPING = {"mark_dirty", "start_cleaning", "complete_cleaning"}
DEFAULT_GRANTS = {
    "fd": FRONT_DESK,
    "hk": HOUSEKEEPING,
    "sup": HOUSEKEEPING | {"inspect_room"},
    "mnt": {"set_out_of_order", "start_maintenance", "return_to_service"},
    "mgr": set(SERVICES),
}
"""The default policy of §4, written out from the spec (staff ids of tests.support)."""


def test_the_service_table_covers_all_thirteen_operation_services() -> None:
    """SERVICES names every operation service the package exports, exactly once."""
    assert len(SERVICES) == 13
    assert all(callable(getattr(services, name)) for name in SERVICES)


# --- idempotency ---------------------------------------------------------------------------------


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_repeated_request_returns_the_same_entries_and_changes_nothing(service: str) -> None:
    """Same request_id, operation and arguments: the very same entries, no change, no event."""
    world = make_world()
    op = SERVICES[service](world)
    first = op("mgr", "req-1")
    assert first
    assert all(e.request_id == "req-1" for e in first)
    before = world.snapshot()
    again = op("mgr", "req-1")
    assert again == first
    assert [e.id for e in again] == [e.id for e in first]
    assert world.snapshot() == before
    world.assert_sound()


def test_a_double_clicked_assignment_assigns_once(world: World) -> None:
    """Two identical assign_room calls with one request_id log ASSIGN and CHECKIN once."""
    booking_id = world.booking()
    for _ in range(3):
        services.assign_room(
            world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", request_id="click"
        )
    history = services.booking_history(world.uow, booking_id)
    assert [e.operation for e in history] == [ho.Operation.CHECKIN, ho.Operation.ASSIGN]
    assert len(world.notifier.events) == 2
    assert len(guests_of(world, booking_id)) == 1


def test_a_replay_needs_no_permission_and_no_valid_state(world: World) -> None:
    """A replay returns at once, even after the staff member was deactivated."""
    world.checked_in("R101")
    first = services.checkout_room(world.uow, room_id="R101", staff_id="fd", request_id="co")
    services.deactivate_staff(world.uow, staff_id="fd")
    before = world.snapshot()
    assert services.checkout_room(world.uow, room_id="R101", staff_id="fd", request_id="co") == (
        first
    )
    assert world.snapshot() == before


def test_a_replay_through_another_unit_of_work_on_the_store_returns_the_entries(
    world: World,
) -> None:
    """request_ids are remembered by the store, not by one unit of work."""
    assert isinstance(world.uow, InMemoryUnitOfWork)
    first = services.mark_dirty(world.uow, room_id="R101", staff_id="hk", request_id="md")
    other = InMemoryUnitOfWork(store=world.uow.store, clock=world.clock, notifier=world.notifier)
    before = world.snapshot()
    assert services.mark_dirty(other, room_id="R101", staff_id="hk", request_id="md") == first
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"condition": ho.Condition.CLEAN}, {"condition": "CLEAN"}),
        ({}, {"condition": ho.Condition.DIRTY}),
        ({}, {"notes": ""}),
    ],
    ids=["enum-vs-string", "default-vs-explicit-condition", "default-vs-explicit-notes"],
)
def test_equal_arguments_spelled_differently_replay(
    world: World, first: dict[str, object], second: dict[str, object]
) -> None:
    """An argument given as its enum or its string, or left to its default, is the same call."""
    services.set_out_of_order(world.uow, room_id="R101", staff_id="mnt", reason="leak")
    entries = services.return_to_service(
        world.uow,
        room_id="R101",
        staff_id="mnt",
        request_id="rts",
        **first,  # type: ignore[arg-type]
    )
    before = world.snapshot()
    again = services.return_to_service(
        world.uow,
        room_id="R101",
        staff_id="mnt",
        request_id="rts",
        **second,  # type: ignore[arg-type]
    )
    assert again == entries
    assert world.snapshot() == before


def _conflicts() -> list[tuple[str, Callable[[World], Op], Callable[[World], Op]]]:
    def mark(room: str, notes: str = "") -> Callable[[World], Op]:
        return lambda w: (
            lambda s, rq: services.mark_dirty(
                w.uow, room_id=room, staff_id=s, notes=notes, request_id=rq
            )
        )

    def assign(check_in: bool, room: str = "R101", new: bool = False) -> Callable[[World], Op]:
        """Assign booking CB (registered first if ``new``)."""

        def setup(w: World) -> Op:
            booking_id = w.booking(booking_id="CB") if new else "CB"
            return lambda s, rq: services.assign_room(
                w.uow,
                booking_id=booking_id,
                room_id=room,
                staff_id=s,
                check_in=check_in,
                request_id=rq,
            )

        return setup

    def inspect(passed: bool) -> Callable[[World], Op]:
        return lambda w: (
            lambda s, rq: services.inspect_room(
                w.uow, room_id="R102", staff_id=s, passed=passed, request_id=rq
            )
        )

    def other_hotel_mark(w: World) -> Op:
        add_hotel(w, "H2")
        return lambda s, rq: services.mark_dirty(
            w.uow, room_id="H2-101", staff_id="H2-hk", request_id=rq
        )

    return [
        ("another-room", mark("R101"), mark("R102")),
        ("other-notes", mark("R101"), mark("R101", notes="again")),
        ("another-operation", mark("R102"), _start_cleaning),
        ("check-in-flag", assign(False, new=True), assign(True)),
        ("assign-another-room", assign(False, new=True), assign(False, "R102")),
        ("inspection-result", inspect(True), inspect(False)),
        ("another-hotel", mark("R101"), other_hotel_mark),
    ]


CONFLICTS = _conflicts()


@pytest.mark.parametrize(
    ("name", "first", "second"), CONFLICTS, ids=[name for name, _, _ in CONFLICTS]
)
def test_a_reused_request_id_with_another_call_is_a_conflict(
    name: str, first: Callable[[World], Op], second: Callable[[World], Op]
) -> None:
    """Same request_id, different operation or arguments: RequestIdConflict, nothing changes."""
    world = make_world()
    first(world)("mgr", "shared")
    op = second(world)
    before = world.snapshot()
    with pytest.raises(ho.RequestIdConflict) as info:
        op("mgr" if name != "another-hotel" else "H2-hk", "shared")
    assert info.value.request_id == "shared"
    assert world.snapshot() == before


def test_a_request_id_is_not_used_up_by_a_refused_call(world: World) -> None:
    """A refused call leaves its request_id free for the corrected call."""
    booking_id = world.booking()
    services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    with pytest.raises(ho.RoomNotAvailable):
        services.assign_room(
            world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", request_id="try"
        )
    entries = services.assign_room(
        world.uow, booking_id=booking_id, room_id="R102", staff_id="fd", request_id="try"
    )
    assert [e.room_id for e in entries] == ["R102", "R102"]


# --- the role policy -----------------------------------------------------------------------------


@pytest.mark.parametrize("service", list(SERVICES))
@pytest.mark.parametrize("staff_id", list(DEFAULT_GRANTS))
def test_the_default_policy_grants_each_role_exactly_its_services(
    staff_id: str, service: str
) -> None:
    """Every role x service: allowed and logged, or PermissionDenied with nothing changed."""
    world = make_world()
    op = SERVICES[service](world)
    before = world.snapshot()
    if service in DEFAULT_GRANTS[staff_id]:
        entries = op(staff_id, None)
        assert entries
        assert {e.performed_by for e in entries} == {staff_id}
        world.assert_sound()
    else:
        with pytest.raises(ho.PermissionDenied) as info:
            op(staff_id, None)
        assert info.value.staff_id == staff_id
        assert world.snapshot() == before


def test_the_default_policy_is_the_policy_of_a_default_unit_of_work() -> None:
    """InMemoryUnitOfWork() uses RolePolicy(), whose grants match §4."""
    policy = InMemoryUnitOfWork().policy
    for staff_id, role in STAFF.items():
        for service in SERVICES:
            assert policy.permits(role, service) == (service in DEFAULT_GRANTS[staff_id])


def test_a_custom_policy_can_grant_housekeeping_the_checkout() -> None:
    """RolePolicy().granting(...) passed to the unit of work lets housekeeping check out."""
    world = world_with_policy(ho.RolePolicy().granting(ho.StaffRole.HOUSEKEEPING, "checkout_room"))
    world.checked_in("R101")
    (entry,) = services.checkout_room(world.uow, room_id="R101", staff_id="hk")
    assert entry.performed_by == "hk"
    with pytest.raises(ho.PermissionDenied):
        services.inspect_room(world.uow, room_id="R102", staff_id="hk")


def test_a_custom_policy_can_revoke_a_default_grant() -> None:
    """RolePolicy().revoking(...) takes move_guest away from the front desk only."""
    world = world_with_policy(ho.RolePolicy().revoking(ho.StaffRole.FRONT_DESK, "move_guest"))
    world.checked_in("R101")
    before = world.snapshot()
    with pytest.raises(ho.PermissionDenied):
        services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    assert world.snapshot() == before
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="mgr")
    assert world.occupancy("R102").is_occupied


def test_assign_with_check_in_needs_only_the_assign_room_permission() -> None:
    """A call needs the permission of the service called; the invariant checker agrees (I14)."""
    policy = ho.RolePolicy({ho.StaffRole.FRONT_DESK: {"assign_room"}})
    world = world_with_policy(policy)
    booking_id = world.booking()
    entries = services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert [e.operation for e in entries] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    with pytest.raises(ho.PermissionDenied):
        services.check_in(world.uow, booking_id=world.booking(), staff_id="fd")
    snapshot, _ = world.snapshot()
    assert check_invariants(snapshot, policy) == []


def test_a_role_missing_from_a_custom_policy_may_do_nothing() -> None:
    """With grants for housekeeping only, even the manager is refused."""
    world = world_with_policy(ho.RolePolicy({ho.StaffRole.HOUSEKEEPING: {"mark_dirty"}}))
    for staff_id in ("mgr", "fd", "sup"):
        with pytest.raises(ho.PermissionDenied):
            services.mark_dirty(world.uow, room_id="R101", staff_id=staff_id)
    services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    assert world.occupancy("R101").condition is ho.Condition.DIRTY


def test_any_object_with_permits_is_a_policy_asked_by_service_name() -> None:
    """A duck-typed policy is consulted with the service's name, not the logged operation."""
    asked: list[tuple[ho.StaffRole, str]] = []

    class Recording:
        def permits(self, role: ho.StaffRole, action: str) -> bool:
            asked.append((role, action))
            return action != "return_to_service"

    world = world_with_policy(Recording())
    services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    services.set_out_of_order(world.uow, room_id="R102", staff_id="hk", reason="leak")
    with pytest.raises(ho.PermissionDenied):
        services.return_to_service(world.uow, room_id="R102", staff_id="mgr")
    assert asked == [
        (ho.StaffRole.HOUSEKEEPING, "mark_dirty"),
        (ho.StaffRole.HOUSEKEEPING, "set_out_of_order"),
        (ho.StaffRole.MANAGER, "return_to_service"),
    ]


def test_a_deactivated_staff_member_may_do_nothing_whatever_the_policy() -> None:
    """Deactivation beats a policy that permits everything."""

    class Everything:
        def permits(self, role: ho.StaffRole, action: str) -> bool:
            return True

    for name, make in SERVICES.items():
        world = world_with_policy(Everything())
        services.register_staff(world.uow, hotel_id="H", staff_id="boss", name="B", role="MANAGER")
        services.deactivate_staff(world.uow, staff_id="boss")
        op = make(world)
        before = world.snapshot()
        with pytest.raises(ho.PermissionDenied):
            op("boss", None)
        assert world.snapshot() == before, name


@pytest.mark.parametrize(
    "grants",
    [{ho.StaffRole.FRONT_DESK: {"fly_to_the_moon"}}, {"JANITOR": {"mark_dirty"}}],
    ids=["unknown-service", "unknown-role"],
)
def test_a_policy_naming_unknown_services_or_roles_is_refused(
    grants: dict[object, set[str]],
) -> None:
    """RolePolicy refuses grants it cannot understand with InvalidInput."""
    with pytest.raises(ho.InvalidInput):
        ho.RolePolicy(grants)  # type: ignore[arg-type]


# --- hotel isolation -----------------------------------------------------------------------------


def test_each_hotel_sees_only_its_own_rooms_and_tasks(world: World) -> None:
    """Room board and open tasks are per hotel, even with equal room numbers."""
    add_hotel(world, "H2")
    services.mark_dirty(world.uow, room_id="H2-101", staff_id="H2-hk")
    services.mark_dirty(world.uow, room_id="R102", staff_id="hk")
    board = services.room_board(world.uow, "H2")
    assert [row.room_id for row in board] == ["H2-101", "H2-102"]
    assert [t.room_id for t in services.open_tasks(world.uow, "H2")] == ["H2-101"]
    assert [t.room_id for t in services.open_tasks(world.uow, "H")] == ["R102"]
    assert "H2-101" not in {row.room_id for row in services.room_board(world.uow, "H")}


def test_a_hotel_cannot_act_on_another_hotels_rooms_or_bookings(world: World) -> None:
    """Staff of H2 cannot touch H's rooms; H's staff cannot seat H2's booking (I10)."""
    add_hotel(world, "H2")
    book_in(world, "H2", "B-H2")
    before = world.snapshot()
    with pytest.raises(ho.HotelMismatch):
        services.mark_dirty(world.uow, room_id="R101", staff_id="H2-hk")
    with pytest.raises(ho.HotelMismatch):
        services.assign_room(world.uow, booking_id="B-H2", room_id="R101", staff_id="fd")
    with pytest.raises(ho.HotelMismatch):
        services.assign_room(world.uow, booking_id="B-H2", room_id="R101", staff_id="H2-fd")
    assert world.snapshot() == before
    services.assign_room(world.uow, booking_id="B-H2", room_id="H2-101", staff_id="H2-fd")
    assert world.occupancy("H2-101").is_occupied
    world.assert_sound()


def test_every_event_names_the_hotel_of_its_room(world: World) -> None:
    """Events of two hotels carry their own hotel_id."""
    add_hotel(world, "H2")
    world.notifier.clear()
    services.mark_dirty(world.uow, room_id="H2-101", staff_id="H2-hk")
    services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    assert [(e.room_id, e.hotel_id) for e in world.notifier.events] == [
        ("H2-101", "H2"),
        ("R101", "H"),
    ]


# --- PINs ----------------------------------------------------------------------------------------


def test_pins_are_six_digits_drawn_with_secrets(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """draw_pin asks secrets.randbelow for a number below 10**6 and zero-pads it."""
    asked: list[int] = []

    def randbelow(n: int) -> int:
        asked.append(n)
        return 42

    monkeypatch.setattr(pin_module.secrets, "randbelow", randbelow)
    booking_id = world.checked_in("R101")
    assert asked == [10**6]
    assert primary_of(world, booking_id).id_pin == "000042"


def test_a_pin_held_by_an_in_house_guest_is_never_handed_out_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colliding draw is thrown away and a fresh PIN drawn (I11)."""
    drawn = scripted_pins(world, "123456", "123456", "654321")
    first = world.checked_in("R101")
    second = world.checked_in("R102")
    assert drawn == ["123456", "123456", "654321"]
    assert primary_of(world, first).id_pin == "123456"
    assert primary_of(world, second).id_pin == "654321"
    world.assert_sound()


def test_a_check_in_that_cannot_draw_a_free_pin_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If every draw collides, the check-in fails as a whole: no state, log or event left."""
    holder = world.checked_in("R101")
    taken = primary_of(world, holder).id_pin
    assert taken is not None
    with_pin_source(world, lambda: taken)
    booking_id = world.booking()
    before, events_before = world.snapshot()
    with pytest.raises(Exception, match="PIN"):
        services.assign_room(world.uow, booking_id=booking_id, room_id="R102", staff_id="fd")
    after, events_after = world.snapshot()
    assert events_after == events_before
    assert after.log == before.log
    assert set(after.bookings) == set(before.bookings)
    assert set(after.occupancies) == set(before.occupancies)
    assert after.guests == before.guests
    assert after.request_ids == before.request_ids


def test_the_guests_of_one_party_get_distinct_pins(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two draws of the same PIN within one check-in still give every guest their own."""
    scripted_pins(world, "111111", "111111", "222222")
    booking_id = world.checked_in("R101", guests=2)
    assert sorted(g.id_pin or "" for g in guests_of(world, booking_id)) == ["111111", "222222"]


def test_two_hotels_may_hand_out_the_same_pin(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PINs are unique per hotel; find_guest_by_pin looks in the one hotel it is given."""
    scripted_pins(world, "424242", "424242")
    add_hotel(world, "H2")
    here = world.checked_in("R101")
    there = book_in(world, "H2", "B-H2")
    services.assign_room(world.uow, booking_id=there, room_id="H2-101", staff_id="H2-fd")
    found_here = services.find_guest_by_pin(world.uow, "H", "424242")
    found_there = services.find_guest_by_pin(world.uow, "H2", "424242")
    assert found_here is not None
    assert found_here.booking_id == here
    assert found_there is not None
    assert found_there.booking_id == there


def test_find_guest_by_pin_finds_the_in_house_guest(world: World) -> None:
    """Every in-house guest is found by their own PIN."""
    booking_id = world.checked_in("R201", guests=3)
    for guest in guests_of(world, booking_id):
        assert guest.id_pin is not None
        assert services.find_guest_by_pin(world.uow, "H", guest.id_pin) == guest


def test_checkout_clears_pins_and_a_cleared_pin_finds_nobody(world: World) -> None:
    """After checkout no guest of the stay holds a PIN and their old PINs find nobody."""
    booking_id = world.checked_in("R101", guests=2)
    pins = [g.id_pin for g in guests_of(world, booking_id)]
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert all(g.id_pin is None for g in guests_of(world, booking_id))
    for pin in pins:
        assert pin is not None
        assert services.find_guest_by_pin(world.uow, "H", pin) is None


def test_a_pin_freed_by_checkout_may_go_to_the_next_guest_after_its_quarantine(
    world: World,
) -> None:
    """Once the holder has left and the PIN has rested, it finds the new guest, never the
    old one. (Before issue 10 it could go to the next guest at once; a freed PIN now rests
    for PinRules.quarantine first: see test_a_freed_pin_is_not_issued_again_at_once.)"""
    scripted_pins(world, "777777", "777777")
    old = world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    world.clock.advance(days=2)
    new = world.checked_in("R102")
    found = services.find_guest_by_pin(world.uow, "H", "777777")
    assert found is not None
    assert found.booking_id == new
    assert found.booking_id != old


def test_a_freed_pin_is_not_issued_again_at_once(world: World) -> None:
    """Right after checkout the freed PIN rests: the next guest gets another one (I11)."""
    drawn = scripted_pins(world, "777777", "777777", "888888")
    world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    new = world.checked_in("R102")
    assert drawn == ["777777", "777777", "888888"]
    assert services.find_guest_by_pin(world.uow, "H", "777777") is None
    found = services.find_guest_by_pin(world.uow, "H", "888888")
    assert found is not None
    assert found.booking_id == new


def test_the_pin_of_an_undone_check_in_finds_nobody(world: World) -> None:
    """Undoing a check-in removes the stay's PINs."""
    booking_id = world.checked_in("R101")
    pin = primary_of(world, booking_id).id_pin
    assert pin is not None
    services.unassign_room(world.uow, booking_id=booking_id, staff_id="fd")
    assert services.find_guest_by_pin(world.uow, "H", pin) is None


def test_find_guest_by_pin_of_an_unused_pin_is_none(world: World) -> None:
    """A well-formed PIN nobody holds finds nobody."""
    world.checked_in("R101")
    held = {g.id_pin for g in world.snapshot()[0].guests}
    unused = next(p for p in ("000000", "000001") if p not in held)
    assert services.find_guest_by_pin(world.uow, "H", unused) is None


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "12 456", "١٢٣٤٥٦", 123456, ""])
def test_find_guest_by_pin_refuses_what_is_not_six_digits(world: World, pin: object) -> None:
    """Only six ASCII digits are a PIN."""
    with pytest.raises(ho.InvalidInput):
        services.find_guest_by_pin(world.uow, "H", pin)  # type: ignore[arg-type]


def test_find_guest_by_pin_of_an_unknown_hotel_is_hotel_not_found(world: World) -> None:
    """The hotel must exist."""
    with pytest.raises(ho.HotelNotFound):
        services.find_guest_by_pin(world.uow, "nope", "123456")


# --- device tokens -------------------------------------------------------------------------------


def test_a_device_token_is_attached_to_the_in_house_guest(world: World) -> None:
    """register_device_token stores the token on the guest, not on the room."""
    booking_id = world.checked_in("R101")
    guest = primary_of(world, booking_id)
    room_before = world.occupancy("R101")
    services.register_device_token(world.uow, guest_id=guest.guest_id, token="apns:abc")
    assert primary_of(world, booking_id).device_token == "apns:abc"
    assert services.current_guests(world.uow, "R101")[0].device_token == "apns:abc"
    assert world.occupancy("R101") == room_before
    assert not hasattr(room_before, "device_token")


def test_a_new_device_token_replaces_the_old_one(world: World) -> None:
    """Registering again replaces the token."""
    booking_id = world.checked_in("R101")
    guest_id = primary_of(world, booking_id).guest_id
    services.register_device_token(world.uow, guest_id=guest_id, token="one")
    services.register_device_token(world.uow, guest_id=guest_id, token="two")
    assert primary_of(world, booking_id).device_token == "two"


def test_a_device_token_survives_a_move_and_is_cleared_at_checkout(world: World) -> None:
    """Tokens belong to the stay (I12): kept across a move, cleared at checkout."""
    booking_id = world.checked_in("R101", guests=2)
    for index, guest in enumerate(guests_of(world, booking_id)):
        services.register_device_token(world.uow, guest_id=guest.guest_id, token=f"tok{index}")
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    assert sorted(g.device_token or "" for g in guests_of(world, booking_id)) == ["tok0", "tok1"]
    services.checkout_room(world.uow, room_id="R102", staff_id="fd")
    assert all(g.device_token is None for g in guests_of(world, booking_id))
    world.assert_sound()


def test_a_departed_guest_cannot_register_a_token(world: World) -> None:
    """register_device_token for a checked-out guest: GuestNotInHouse, a GuestNotFound."""
    booking_id = world.checked_in("R101")
    guest_id = primary_of(world, booking_id).guest_id
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    before = world.snapshot()
    with pytest.raises(ho.GuestNotInHouse) as info:
        services.register_device_token(world.uow, guest_id=guest_id, token="late")
    assert isinstance(info.value, ho.GuestNotFound)
    assert info.value.guest_id == guest_id
    assert world.snapshot() == before
    assert primary_of(world, booking_id).device_token is None


def test_an_unknown_guest_cannot_register_a_token(world: World) -> None:
    """register_device_token for a guest id nobody has: GuestNotFound, not GuestNotInHouse."""
    with pytest.raises(ho.GuestNotFound) as info:
        services.register_device_token(world.uow, guest_id="ghost", token="t")
    assert type(info.value) is ho.GuestNotFound


def test_current_room_of_an_unknown_guest_is_guest_not_found(world: World) -> None:
    """current_room raises GuestNotFound for an unknown guest and is None once departed."""
    with pytest.raises(ho.GuestNotFound):
        services.current_room(world.uow, "ghost")
    booking_id = world.checked_in("R101")
    guest_id = primary_of(world, booking_id).guest_id
    assert services.current_room(world.uow, guest_id) == "R101"
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert services.current_room(world.uow, guest_id) is None


# --- capacity ------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_in", [True, False])
def test_a_party_as_big_as_the_capacity_fits(world: World, check_in: bool) -> None:
    """A party of 2 fits a room of capacity 2."""
    booking_id = world.booking(2)
    services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=check_in
    )
    assert world.occupancy("R101").booking_id == booking_id


def test_a_room_without_capacity_takes_any_party(world: World) -> None:
    """R201 has no capacity: a party of 9 checks in."""
    booking_id = world.checked_in("R201", guests=9)
    assert len(services.current_guests(world.uow, "R201")) == 9
    assert world.occupancy("R201").booking_id == booking_id
    world.assert_sound()


@pytest.mark.parametrize(
    "how", ["assign", "pre-assign", "reassign", "move"], ids=lambda s: f"by-{s}"
)
def test_a_party_bigger_than_the_capacity_never_gets_the_room(world: World, how: str) -> None:
    """Every way into a room checks the party against its capacity (I13)."""
    if how in ("assign", "pre-assign"):
        booking_id = world.booking(3)

        def attempt() -> object:
            return services.assign_room(
                world.uow,
                booking_id=booking_id,
                room_id="R101",
                staff_id="fd",
                check_in=how == "assign",
            )
    elif how == "reassign":
        booking_id = pre(world, "R201", party=3)

        def attempt() -> object:
            return services.reassign_room(
                world.uow, booking_id=booking_id, to_room_id="R101", staff_id="fd"
            )
    else:
        booking_id = world.checked_in("R201", guests=3)

        def attempt() -> object:
            return services.move_guest(
                world.uow, from_room_id="R201", to_room_id="R101", staff_id="fd"
            )

    before = world.snapshot()
    with pytest.raises(ho.CapacityExceeded):
        attempt()
    assert world.snapshot() == before
    assert world.occupancy("R101").booking_id is None


def test_pin_draws_are_not_all_the_same(world: World) -> None:
    """Real draws differ: 20 guests get 20 different PINs without any scripting."""
    booking_id = world.checked_in("R201", guests=20)
    pins = {g.id_pin for g in guests_of(world, booking_id)}
    assert len(pins) == 20
    assert None not in pins
