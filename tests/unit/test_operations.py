"""The effects of every operation of SPEC §4 on the in-memory adapter, their log entries
and their events."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, time, timedelta, timezone

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from tests.support import World, make_world

DEPARTURE_AT_11_UTC = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)


# --- helpers ------------------------------------------------------------------------------


def booking(world: World, booking_id: str) -> ho.Booking:
    """The stored booking."""
    snapshot, _ = world.snapshot()
    return next(b for b in snapshot.bookings if b.booking_id == booking_id)


def guests(world: World, booking_id: str) -> list[ho.Guest]:
    """Every stored guest record of the booking (in house or not)."""
    snapshot, _ = world.snapshot()
    return [g for g in snapshot.guests if g.booking_id == booking_id]


def tasks(world: World, room_id: str) -> list[ho.HousekeepingTask]:
    """Every stored task of the room, oldest first."""
    snapshot, _ = world.snapshot()
    found = [t for t in snapshot.tasks if t.room_id == room_id]
    return sorted(found, key=lambda t: (t.created_at, t.task_id))


def open_tasks(world: World, room_id: str) -> list[ho.HousekeepingTask]:
    """The room's open (OPEN or IN_PROGRESS) tasks."""
    return [t for t in tasks(world, room_id) if t.is_open]


def open_cleaning(world: World, room_id: str) -> list[ho.HousekeepingTask]:
    """The room's open TURNOVER or CLEANING tasks."""
    return [t for t in open_tasks(world, room_id) if t.kind.is_cleaning]


def pre_assigned(world: World, room_id: str, guests_count: int = 1) -> str:
    """A new booking pre-assigned (not checked in) to ``room_id``."""
    booking_id = world.booking(guests_count)
    services.assign_room(
        world.uow, booking_id=booking_id, room_id=room_id, staff_id="fd", check_in=False
    )
    return booking_id


def make_dirty(world: World, room_id: str) -> None:
    services.mark_dirty(world.uow, room_id=room_id, staff_id="hk")


def clean(world: World, room_id: str) -> None:
    services.start_cleaning(world.uow, room_id=room_id, staff_id="hk")
    services.complete_cleaning(world.uow, room_id=room_id, staff_id="hk")


def freeze_clock(world: World) -> datetime:
    """The instant the next operation will read from the clock."""
    world.clock.advance(minutes=7)
    return world.clock.now


# --- assign_room ----------------------------------------------------------------------------


def test_assign_with_check_in_logs_assign_then_checkin(world: World) -> None:
    """assign_room(check_in=True) appends ASSIGN then CHECKIN on the room, ids increasing."""
    booking_id = world.booking()
    entries = services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert [e.operation for e in entries] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    assign, checkin = entries
    assert assign.id < checkin.id
    assert {e.room_id for e in entries} == {"R101"}
    assert {e.booking_id for e in entries} == {booking_id}
    assert (assign.status_before, assign.condition_before) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.Condition.CLEAN,
    )
    assert (assign.status_after, assign.condition_after) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.Condition.CLEAN,
    )
    assert (checkin.status_before, checkin.status_after) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.OccupancyStatus.OCCUPIED,
    )
    assert checkin.condition_after is ho.Condition.CLEAN
    assert [e.id for e in services.room_history(world.uow, "R101")] == [checkin.id, assign.id]
    world.assert_sound()


def test_assign_with_check_in_occupies_the_room_now(world: World) -> None:
    """The room becomes OCCUPIED with the booking, occupied since now, until departure 11:00."""
    booking_id = world.booking()
    at = freeze_clock(world)
    services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    occupancy = world.occupancy("R101")
    assert occupancy.status is ho.OccupancyStatus.OCCUPIED
    assert occupancy.condition is ho.Condition.CLEAN
    assert occupancy.booking_id == booking_id
    assert occupancy.is_occupied
    assert occupancy.occupied_since == at
    assert occupancy.expected_checkout == DEPARTURE_AT_11_UTC
    assert occupancy.assigned_by == "fd"
    assert booking(world, booking_id).checked_in_at == at


def test_assign_with_check_in_creates_one_guest_per_party_member(world: World) -> None:
    """One Guest per BookingGuest: the first PRIMARY, the others COMPANIONs pointing to it."""
    booking_id = world.booking(guests=3)
    services.assign_room(world.uow, booking_id=booking_id, room_id="R201", staff_id="fd")
    party = booking(world, booking_id).party
    in_house = services.current_guests(world.uow, "R201")
    assert [g.booking_guest_id for g in in_house] == [m.booking_guest_id for m in party]
    primary, *companions = in_house
    assert primary.guest_type is ho.GuestType.PRIMARY
    assert primary.primary_guest_id is None
    assert len(companions) == 2
    for companion in companions:
        assert companion.guest_type is ho.GuestType.COMPANION
        assert companion.primary_guest_id == primary.guest_id
    assert [(g.first_name, g.last_name) for g in in_house] == [
        (m.first_name, m.last_name) for m in party
    ]
    assert {g.check_in_date for g in in_house} == {date(2026, 3, 10)}
    assert all(g.check_out_date is None and g.device_token is None for g in in_house)
    assert len(guests(world, booking_id)) == 3


def test_assign_with_check_in_gives_each_guest_a_fresh_six_digit_pin(world: World) -> None:
    """Every new guest holds a 6-digit PIN, none shared with another in-house guest."""
    first = world.checked_in("R101", guests=2)
    second = world.checked_in("R201", guests=3)
    pins = [g.id_pin for b in (first, second) for g in guests(world, b)]
    assert len(pins) == 5
    assert all(p is not None and re.fullmatch(r"\d{6}", p) for p in pins)
    assert len(set(pins)) == 5


def test_expected_checkout_follows_the_hotels_timezone_and_checkout_time(world: World) -> None:
    """expected_checkout is the departure date at the hotel's local checkout time, in UTC."""
    uow = world.uow
    services.register_hotel(
        uow, hotel_id="NZ", name="Auckland", timezone="Pacific/Auckland", checkout_time=time(10, 30)
    )
    services.register_room(uow, hotel_id="NZ", room_id="NZ1", number="1")
    services.register_staff(uow, hotel_id="NZ", staff_id="nzfd", name="F", role="FRONT_DESK")
    services.register_booking(
        uow,
        hotel_id="NZ",
        booking_id="NZB",
        reference="NZ-1",
        arrival=date(2026, 3, 11),
        departure=date(2026, 3, 12),
        party=[ho.BookingGuest("nz-g", "Kiri", "Te Kanawa")],
    )
    services.assign_room(uow, booking_id="NZB", room_id="NZ1", staff_id="nzfd")
    # 10:30 NZDT (UTC+13) on 12 March is 21:30 UTC on 11 March
    assert world.occupancy("NZ1").expected_checkout == datetime(2026, 3, 11, 21, 30, tzinfo=UTC)
    # the clock reads 14:00 UTC on 10 March, which is already 11 March in Auckland
    assert {g.check_in_date for g in services.current_guests(uow, "NZ1")} == {date(2026, 3, 11)}


def test_a_day_use_booking_checks_in_and_is_due_out_the_same_day(world: World) -> None:
    """Departure equal to arrival is allowed (day use); expected_checkout is that day."""
    services.register_booking(
        world.uow,
        hotel_id="H",
        booking_id="DAY",
        reference="DAY-1",
        arrival=date(2026, 3, 10),
        departure=date(2026, 3, 10),
        party=[ho.BookingGuest("DAY-g0", "Dee", "Day")],
    )
    services.assign_room(world.uow, booking_id="DAY", room_id="R101", staff_id="fd")
    assert world.occupancy("R101").expected_checkout == datetime(2026, 3, 10, 11, tzinfo=UTC)


def test_assign_without_check_in_only_pre_assigns(world: World) -> None:
    """check_in=False logs one ASSIGN and sets the booking; status and condition stay."""
    booking_id = world.booking()
    entries = services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=False
    )
    assert [e.operation for e in entries] == [ho.Operation.ASSIGN]
    occupancy = world.occupancy("R101")
    assert occupancy.booking_id == booking_id
    assert occupancy.status is ho.OccupancyStatus.VACANT_CLEAN
    assert occupancy.condition is ho.Condition.CLEAN
    assert not occupancy.is_occupied
    assert occupancy.occupied_since is None
    assert booking(world, booking_id).checked_in_at is None
    assert guests(world, booking_id) == []
    assert services.current_guests(world.uow, "R101") == ()
    world.assert_sound()


def test_pre_assigning_a_dirty_room_leaves_it_dirty(world: World) -> None:
    """A vacant room in service may be pre-assigned in any condition, which it keeps."""
    make_dirty(world, "R101")
    booking_id = world.booking()
    entries = services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=False
    )
    assert (entries[0].status_after, entries[0].condition_after) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
        booking_id,
    )
    assert len(open_cleaning(world, "R101")) == 1
    world.assert_sound()


def test_assigning_a_booking_pre_assigned_to_the_same_room_only_checks_in(world: World) -> None:
    """assign_room(check_in=True) on the booking's own pre-assigned room logs CHECKIN only."""
    booking_id = pre_assigned(world, "R101")
    entries = services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert [e.operation for e in entries] == [ho.Operation.CHECKIN]
    assert world.occupancy("R101").is_occupied
    assert [e.operation for e in services.booking_history(world.uow, booking_id)] == [
        ho.Operation.CHECKIN,
        ho.Operation.ASSIGN,
    ]
    world.assert_sound()


def test_assign_with_check_in_takes_an_inspected_room_in_an_inspection_hotel(
    inspected_world: World,
) -> None:
    """Where inspection is required, an INSPECTED room can be assigned and checked into."""
    world = inspected_world
    services.inspect_room(world.uow, room_id="R101", staff_id="sup")
    booking_id = world.booking()
    entries = services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert entries[-1].condition_after is ho.Condition.INSPECTED
    assert world.occupancy("R101").status is ho.OccupancyStatus.OCCUPIED
    world.assert_sound()


# --- check_in ------------------------------------------------------------------------------


def test_check_in_checks_a_pre_assigned_booking_into_its_room(world: World) -> None:
    """check_in logs CHECKIN, occupies the room and creates the stay's guests."""
    booking_id = pre_assigned(world, "R101", guests_count=2)
    at = freeze_clock(world)
    entries = services.check_in(world.uow, booking_id=booking_id, staff_id="fd", notes="late")
    assert [e.operation for e in entries] == [ho.Operation.CHECKIN]
    assert entries[0].room_id == "R101"
    assert entries[0].notes == "late"
    occupancy = world.occupancy("R101")
    assert occupancy.is_occupied
    assert occupancy.booking_id == booking_id
    assert occupancy.occupied_since == at
    assert occupancy.expected_checkout == DEPARTURE_AT_11_UTC
    assert booking(world, booking_id).checked_in_at == at
    assert len(services.current_guests(world.uow, "R101")) == 2
    world.assert_sound()


def test_check_in_after_cleaning_a_dirty_pre_assigned_room_succeeds(world: World) -> None:
    """A dirty room pre-assigned to a booking takes the guest once it is clean."""
    make_dirty(world, "R101")
    booking_id = pre_assigned(world, "R101")
    clean(world, "R101")
    services.check_in(world.uow, booking_id=booking_id, staff_id="fd")
    assert world.occupancy("R101").is_occupied
    world.assert_sound()


# --- reassign_room -----------------------------------------------------------------------------


def test_reassign_moves_the_pre_assignment_and_the_source_keeps_its_state(world: World) -> None:
    """REASSIGN on the target with from_room_id; the source keeps status and condition."""
    make_dirty(world, "R101")
    booking_id = pre_assigned(world, "R101")
    source_before = world.occupancy("R101")
    entries = services.reassign_room(
        world.uow, booking_id=booking_id, to_room_id="R102", staff_id="fd", notes="view"
    )
    (entry,) = entries
    assert entry.operation is ho.Operation.REASSIGN
    assert (entry.room_id, entry.from_room_id, entry.booking_id) == ("R102", "R101", booking_id)
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.OccupancyStatus.VACANT_CLEAN,
    )
    assert entry.notes == "view"
    source = world.occupancy("R101")
    assert source.booking_id is None
    assert (source.status, source.condition) == (source_before.status, source_before.condition)
    assert len(open_cleaning(world, "R101")) == 1
    target = world.occupancy("R102")
    assert target.booking_id == booking_id
    assert target.status is ho.OccupancyStatus.VACANT_CLEAN
    world.assert_sound()


def test_room_history_of_the_reassign_source_lists_the_entry(world: World) -> None:
    """room_history of the room a booking was reassigned out of includes the REASSIGN."""
    booking_id = pre_assigned(world, "R101")
    (entry,) = services.reassign_room(
        world.uow, booking_id=booking_id, to_room_id="R102", staff_id="fd"
    )
    assert services.room_history(world.uow, "R101")[0] == entry
    assert services.room_history(world.uow, "R102")[0] == entry


def test_reassign_to_a_dirty_room_is_allowed_and_keeps_it_dirty(world: World) -> None:
    """The target of a reassignment is judged as for a pre-assignment: any condition."""
    booking_id = pre_assigned(world, "R101")
    make_dirty(world, "R102")
    services.reassign_room(world.uow, booking_id=booking_id, to_room_id="R102", staff_id="fd")
    target = world.occupancy("R102")
    assert (target.status, target.booking_id) == (ho.OccupancyStatus.VACANT_DIRTY, booking_id)
    world.assert_sound()


# --- unassign_room ------------------------------------------------------------------------------


def test_unassign_clears_a_pre_assignment_and_keeps_the_rooms_state(world: World) -> None:
    """A pre-assigned booking is cleared from its room; status and condition stay."""
    make_dirty(world, "R101")
    booking_id = pre_assigned(world, "R101")
    (entry,) = services.unassign_room(world.uow, booking_id=booking_id, staff_id="fd")
    assert entry.operation is ho.Operation.UNASSIGN
    assert (entry.room_id, entry.booking_id) == ("R101", booking_id)
    assert entry.status_before == entry.status_after == ho.OccupancyStatus.VACANT_DIRTY
    occupancy = world.occupancy("R101")
    assert occupancy.booking_id is None
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    services.assign_room(
        world.uow, booking_id=booking_id, room_id="R102", staff_id="fd", check_in=False
    )
    assert world.occupancy("R102").booking_id == booking_id
    world.assert_sound()


def test_unassign_of_an_in_house_booking_undoes_the_check_in(world: World) -> None:
    """Undoing a check-in clears checked_in_at and removes the stay's guests and PINs."""
    booking_id = world.checked_in("R101", guests=2)
    stay = guests(world, booking_id)
    services.register_device_token(world.uow, guest_id=stay[0].guest_id, token="tok-1")
    pins = [g.id_pin for g in stay]
    (entry,) = services.unassign_room(world.uow, booking_id=booking_id, staff_id="fd")
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.OccupancyStatus.VACANT_CLEAN,
    )
    assert booking(world, booking_id).checked_in_at is None
    assert guests(world, booking_id) == []
    snapshot, _ = world.snapshot()
    assert all(g.device_token != "tok-1" for g in snapshot.guests)
    for pin in pins:
        assert pin is not None
        assert services.find_guest_by_pin(world.uow, "H", pin) is None
    occupancy = world.occupancy("R101")
    assert occupancy.booking_id is None
    assert occupancy.status is ho.OccupancyStatus.VACANT_CLEAN
    assert occupancy.occupied_since is None
    assert occupancy.expected_checkout is None
    world.assert_sound()


def test_a_booking_whose_check_in_was_undone_can_be_assigned_again(world: World) -> None:
    """After the undo the booking is arriving again and checks into another room."""
    booking_id = world.checked_in("R101", guests=2)
    services.unassign_room(world.uow, booking_id=booking_id, staff_id="fd")
    entries = services.assign_room(world.uow, booking_id=booking_id, room_id="R102", staff_id="fd")
    assert [e.operation for e in entries] == [ho.Operation.ASSIGN, ho.Operation.CHECKIN]
    assert world.occupancy("R102").is_occupied
    assert len(services.current_guests(world.uow, "R102")) == 2
    assert world.occupancy("R101").booking_id is None
    world.assert_sound()


def test_undoing_a_check_in_leaves_the_room_in_its_current_condition(world: World) -> None:
    """A room marked dirty during the stay is left VACANT_DIRTY with its cleaning task."""
    booking_id = world.checked_in("R101")
    make_dirty(world, "R101")
    services.unassign_room(world.uow, booking_id=booking_id, staff_id="fd")
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    assert len(open_cleaning(world, "R101")) == 1
    world.assert_sound()


# --- move_guest ------------------------------------------------------------------------------


def test_move_occupies_the_target_and_leaves_the_source_dirty(world: World) -> None:
    """The target is OCCUPIED since now; the source VACANT_DIRTY with a TURNOVER task."""
    booking_id = world.checked_in("R101", guests=2)
    source_before = world.occupancy("R101")
    at = freeze_clock(world)
    (entry,) = services.move_guest(
        world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd", reason="noisy"
    )
    assert entry.operation is ho.Operation.MOVE
    assert (entry.room_id, entry.from_room_id, entry.booking_id) == ("R102", "R101", booking_id)
    assert entry.notes == "noisy"
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.OccupancyStatus.OCCUPIED,
    )
    target = world.occupancy("R102")
    assert target.is_occupied
    assert target.booking_id == booking_id
    assert target.occupied_since == at
    assert target.expected_checkout == source_before.expected_checkout == DEPARTURE_AT_11_UTC
    source = world.occupancy("R101")
    assert (source.status, source.condition, source.booking_id) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
        None,
    )
    (turnover,) = open_cleaning(world, "R101")
    assert turnover.kind is ho.TaskKind.TURNOVER
    assert turnover.status is ho.TaskStatus.OPEN
    assert turnover.booking_id == booking_id
    assert services.room_history(world.uow, "R101")[0] == entry
    world.assert_sound()


def test_moved_guests_keep_their_pins_and_device_tokens(world: World) -> None:
    """A move changes no guest record: same ids, PINs and tokens; current_room follows."""
    booking_id = world.checked_in("R101", guests=2)
    primary = guests(world, booking_id)[0]
    services.register_device_token(world.uow, guest_id=primary.guest_id, token="phone-1")
    before = sorted(guests(world, booking_id), key=lambda g: g.guest_id)
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    after = sorted(guests(world, booking_id), key=lambda g: g.guest_id)
    assert after == before
    assert services.current_room(world.uow, primary.guest_id) == "R102"
    assert {g.guest_id for g in services.current_guests(world.uow, "R102")} == {
        g.guest_id for g in before
    }
    assert services.current_guests(world.uow, "R101") == ()
    assert primary.id_pin is not None
    assert services.find_guest_by_pin(world.uow, "H", primary.id_pin) == attrs.evolve(
        primary, device_token="phone-1"
    )


def test_move_turns_the_sources_stayover_cleaning_task_into_the_turnover(world: World) -> None:
    """An open stayover CLEANING task on the source is reused as its TURNOVER task."""
    world.checked_in("R101")
    make_dirty(world, "R101")
    (stayover,) = open_cleaning(world, "R101")
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    (turnover,) = open_cleaning(world, "R101")
    assert turnover.task_id == stayover.task_id
    assert turnover.kind is ho.TaskKind.TURNOVER
    world.assert_sound()


# --- checkout_room ---------------------------------------------------------------------------


def test_checkout_vacates_the_room_dirty_and_checks_the_booking_out(world: World) -> None:
    """CHECKOUT: booking checked out now, room VACANT_DIRTY without booking or dates."""
    booking_id = world.checked_in("R101", guests=2)
    at = freeze_clock(world)
    (entry,) = services.checkout_room(world.uow, room_id="R101", staff_id="fd", notes="bye")
    assert entry.operation is ho.Operation.CHECKOUT
    assert (entry.room_id, entry.booking_id, entry.notes) == ("R101", booking_id, "bye")
    assert (entry.status_before, entry.condition_before) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.Condition.CLEAN,
    )
    assert (entry.status_after, entry.condition_after) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    assert booking(world, booking_id).checked_out_at == at
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    assert occupancy.booking_id is None
    assert occupancy.occupied_since is None
    assert occupancy.expected_checkout is None
    assert not occupancy.is_occupied
    assert services.current_guests(world.uow, "R101") == ()
    world.assert_sound()


def test_checkout_clears_every_guests_pin_and_device_token(world: World) -> None:
    """Every departing guest loses their PIN and device token and gets a check_out_date."""
    booking_id = world.checked_in("R201", guests=3)
    for index, guest in enumerate(guests(world, booking_id)):
        services.register_device_token(world.uow, guest_id=guest.guest_id, token=f"t{index}")
    services.checkout_room(world.uow, room_id="R201", staff_id="fd")
    departed = guests(world, booking_id)
    assert len(departed) == 3
    assert all(g.id_pin is None and g.device_token is None for g in departed)
    assert {g.check_out_date for g in departed} == {date(2026, 3, 10)}
    for guest in departed:
        assert services.current_room(world.uow, guest.guest_id) is None


def test_checkout_date_is_the_hotels_local_today() -> None:
    """check_out_date is the hotel-local date, not the UTC date."""
    world = make_world(timezone_name="America/Los_Angeles")
    booking_id = world.checked_in("R101")
    world.clock.now = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # 19:00 on 10 March in LA
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert {g.check_out_date for g in guests(world, booking_id)} == {date(2026, 3, 10)}


def test_checkout_opens_exactly_one_turnover_task(world: World) -> None:
    """After checkout the room has one OPEN TURNOVER task linked to the booking."""
    booking_id = world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    (task,) = open_tasks(world, "R101")
    assert task.kind is ho.TaskKind.TURNOVER
    assert task.status is ho.TaskStatus.OPEN
    assert task.booking_id == booking_id
    assert task.hotel_id == "H"
    assert task.created_by == "fd"


@pytest.mark.parametrize("started", [False, True], ids=["open", "in-progress"])
def test_checkout_reuses_an_open_stayover_cleaning_task(world: World, started: bool) -> None:
    """An open (or started) stayover CLEANING task becomes the OPEN TURNOVER task; never two."""
    world.checked_in("R101")
    make_dirty(world, "R101")
    if started:
        services.start_cleaning(world.uow, room_id="R101", staff_id="hk")
    (stayover,) = open_cleaning(world, "R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    (turnover,) = open_cleaning(world, "R101")
    assert turnover.task_id == stayover.task_id
    assert turnover.kind is ho.TaskKind.TURNOVER
    assert turnover.status is ho.TaskStatus.OPEN
    assert turnover.assigned_to is None  # a turnover is new work, for whoever starts it
    assert turnover.started_at is None
    assert len([t for t in tasks(world, "R101") if t.kind.is_cleaning]) == 1
    assert world.occupancy("R101").condition is ho.Condition.DIRTY
    world.assert_sound()


def test_checkout_cancels_an_open_inspection_task(inspected_world: World) -> None:
    """A stayover clean awaiting inspection: checkout cancels the INSPECTION task."""
    world = inspected_world
    services.inspect_room(world.uow, room_id="R101", staff_id="sup")
    world.checked_in("R101")
    make_dirty(world, "R101")
    clean(world, "R101")
    assert [t.kind for t in open_tasks(world, "R101")] == [ho.TaskKind.INSPECTION]
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    kinds = {t.kind: t.status for t in tasks(world, "R101") if t.kind is ho.TaskKind.INSPECTION}
    assert kinds == {ho.TaskKind.INSPECTION: ho.TaskStatus.CANCELLED}
    world.assert_sound()


# --- housekeeping ---------------------------------------------------------------------------


def test_mark_dirty_makes_a_vacant_room_dirty_with_a_cleaning_task(world: World) -> None:
    """mark_dirty: condition DIRTY, status VACANT_DIRTY, one OPEN CLEANING task."""
    (entry,) = services.mark_dirty(world.uow, room_id="R101", staff_id="hk", notes="stain")
    assert entry.operation is ho.Operation.STATUS_CHANGE
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.OccupancyStatus.VACANT_DIRTY,
    )
    assert (entry.condition_before, entry.condition_after) == (
        ho.Condition.CLEAN,
        ho.Condition.DIRTY,
    )
    assert entry.notes == "stain"
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    (task,) = open_tasks(world, "R101")
    assert (task.kind, task.status) == (ho.TaskKind.CLEANING, ho.TaskStatus.OPEN)


@pytest.mark.parametrize("condition", [ho.Condition.CLEAN, ho.Condition.INSPECTED])
def test_mark_dirty_accepts_a_clean_or_inspected_room(
    world: World, condition: ho.Condition
) -> None:
    """mark_dirty is allowed from CLEAN and from INSPECTED, and logs the condition it left."""
    if condition is ho.Condition.INSPECTED:
        services.inspect_room(world.uow, room_id="R101", staff_id="sup")
    (entry,) = services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    assert (entry.condition_before, entry.condition_after) == (condition, ho.Condition.DIRTY)
    assert world.occupancy("R101").condition is ho.Condition.DIRTY
    world.assert_sound()


def test_a_stayover_clean_keeps_the_room_occupied_throughout(world: World) -> None:
    """Cleaning depends on the condition only: an occupied room stays OCCUPIED with its guests."""
    booking_id = world.checked_in("R101", guests=2)
    in_house = services.current_guests(world.uow, "R101")
    make_dirty(world, "R101")
    (start,) = services.start_cleaning(world.uow, room_id="R101", staff_id="hk")
    (done,) = services.complete_cleaning(world.uow, room_id="R101", staff_id="hk")
    for entry in (start, done):
        assert entry.status_before == entry.status_after == ho.OccupancyStatus.OCCUPIED
        assert entry.booking_id == booking_id
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.Condition.CLEAN,
        booking_id,
    )
    assert occupancy.last_cleaned_by == "hk"
    assert services.current_guests(world.uow, "R101") == in_house
    assert open_tasks(world, "R101") == []
    world.assert_sound()


def test_mark_dirty_on_an_occupied_room_keeps_it_occupied(world: World) -> None:
    """Stayover service: status OCCUPIED and booking kept, condition DIRTY, a task opens."""
    booking_id = world.checked_in("R101")
    (entry,) = services.mark_dirty(world.uow, room_id="R101", staff_id="fd")
    assert entry.booking_id == booking_id
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
        ho.OccupancyStatus.OCCUPIED,
        ho.Condition.DIRTY,
        booking_id,
    )
    (task,) = open_tasks(world, "R101")
    assert (task.kind, task.booking_id) == (ho.TaskKind.CLEANING, booking_id)
    world.assert_sound()


def test_mark_dirty_on_an_out_of_order_room_changes_only_the_condition(world: World) -> None:
    """mark_dirty depends on the condition only: an OUT_OF_ORDER room stays out of order."""
    services.set_out_of_order(world.uow, room_id="R101", staff_id="mnt", reason="leak")
    services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.OUT_OF_ORDER,
        ho.Condition.DIRTY,
    )
    assert len(open_cleaning(world, "R101")) == 1
    world.assert_sound()


def test_mark_dirty_cancels_an_open_inspection_task(inspected_world: World) -> None:
    """A CLEAN room awaiting inspection marked dirty: INSPECTION cancelled, CLEANING opened."""
    world = inspected_world
    make_dirty(world, "R101")
    clean(world, "R101")
    (inspection,) = open_tasks(world, "R101")
    assert inspection.kind is ho.TaskKind.INSPECTION
    make_dirty(world, "R101")
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses[inspection.task_id] is ho.TaskStatus.CANCELLED
    assert [t.kind for t in open_tasks(world, "R101")] == [ho.TaskKind.CLEANING]
    world.assert_sound()


def test_start_cleaning_puts_the_task_in_progress_for_the_cleaner(world: World) -> None:
    """start_cleaning: condition CLEANING, the open task IN_PROGRESS assigned to the cleaner."""
    make_dirty(world, "R101")
    (task_before,) = open_tasks(world, "R101")
    at = freeze_clock(world)
    (entry,) = services.start_cleaning(world.uow, room_id="R101", staff_id="sup")
    assert entry.operation is ho.Operation.CLEAN_START
    assert (entry.condition_before, entry.condition_after) == (
        ho.Condition.DIRTY,
        ho.Condition.CLEANING,
    )
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.CLEANING,
    )
    (task,) = open_tasks(world, "R101")
    assert task.task_id == task_before.task_id
    assert task.status is ho.TaskStatus.IN_PROGRESS
    assert task.assigned_to == "sup"
    assert task.started_at == at


def test_complete_cleaning_records_the_cleaner_and_closes_the_task(world: World) -> None:
    """complete_cleaning: condition CLEAN, last_cleaned_by, the task DONE, no INSPECTION."""
    make_dirty(world, "R101")
    services.start_cleaning(world.uow, room_id="R101", staff_id="hk")
    (task_before,) = open_tasks(world, "R101")
    (entry,) = services.complete_cleaning(world.uow, room_id="R101", staff_id="hk", notes="ok")
    assert entry.operation is ho.Operation.CLEAN_COMPLETE
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.OccupancyStatus.VACANT_CLEAN,
    )
    occupancy = world.occupancy("R101")
    assert occupancy.condition is ho.Condition.CLEAN
    assert occupancy.status is ho.OccupancyStatus.VACANT_CLEAN
    assert occupancy.last_cleaned_by == "hk"
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses == {task_before.task_id: ho.TaskStatus.DONE}
    assert open_tasks(world, "R101") == []
    world.assert_sound()


def test_complete_cleaning_opens_an_inspection_task_where_inspection_is_required(
    inspected_world: World,
) -> None:
    """In a require_inspection hotel, complete_cleaning opens one INSPECTION task."""
    world = inspected_world
    make_dirty(world, "R101")
    clean(world, "R101")
    (task,) = open_tasks(world, "R101")
    assert (task.kind, task.status) == (ho.TaskKind.INSPECTION, ho.TaskStatus.OPEN)
    assert world.occupancy("R101").condition is ho.Condition.CLEAN
    world.assert_sound()


def test_passed_inspection_marks_the_room_inspected(inspected_world: World) -> None:
    """inspect_room(passed=True): INSPECTED, last_inspected_by, INSPECTION task DONE."""
    world = inspected_world
    make_dirty(world, "R101")
    clean(world, "R101")
    (inspection,) = open_tasks(world, "R101")
    (entry,) = services.inspect_room(world.uow, room_id="R101", staff_id="sup")
    assert entry.operation is ho.Operation.INSPECT
    assert (entry.condition_before, entry.condition_after) == (
        ho.Condition.CLEAN,
        ho.Condition.INSPECTED,
    )
    occupancy = world.occupancy("R101")
    assert occupancy.condition is ho.Condition.INSPECTED
    assert occupancy.status is ho.OccupancyStatus.VACANT_CLEAN
    assert occupancy.last_inspected_by == "sup"
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses[inspection.task_id] is ho.TaskStatus.DONE
    assert open_tasks(world, "R101") == []
    world.assert_sound()


def test_failed_inspection_sends_the_room_back_to_cleaning(inspected_world: World) -> None:
    """inspect_room(passed=False): DIRTY with a CLEANING task; the INSPECTION task DONE."""
    world = inspected_world
    make_dirty(world, "R101")
    clean(world, "R101")
    (inspection,) = open_tasks(world, "R101")
    (entry,) = services.inspect_room(
        world.uow, room_id="R101", staff_id="sup", passed=False, notes="hair in sink"
    )
    assert (entry.condition_after, entry.status_after) == (
        ho.Condition.DIRTY,
        ho.OccupancyStatus.VACANT_DIRTY,
    )
    assert entry.notes == "hair in sink"
    occupancy = world.occupancy("R101")
    assert occupancy.condition is ho.Condition.DIRTY
    assert occupancy.last_inspected_by is None
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses[inspection.task_id] is ho.TaskStatus.DONE
    (cleaning,) = open_tasks(world, "R101")
    assert (cleaning.kind, cleaning.status) == (ho.TaskKind.CLEANING, ho.TaskStatus.OPEN)
    world.assert_sound()


# --- service state ----------------------------------------------------------------------------


def test_set_out_of_order_keeps_the_condition(world: World) -> None:
    """OUT_OF_ORDER: status changes, condition and open cleaning task stay; reason is noted."""
    make_dirty(world, "R101")
    (entry,) = services.set_out_of_order(
        world.uow, room_id="R101", staff_id="mnt", reason="broken window"
    )
    assert entry.operation is ho.Operation.OUT_OF_ORDER
    assert entry.notes == "broken window"
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.OccupancyStatus.OUT_OF_ORDER,
    )
    assert entry.condition_before == entry.condition_after == ho.Condition.DIRTY
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.OUT_OF_ORDER,
        ho.Condition.DIRTY,
    )
    assert len(open_cleaning(world, "R101")) == 1
    world.assert_sound()


def test_start_maintenance_opens_a_maintenance_task(world: World) -> None:
    """MAINTENANCE: status MAINTENANCE, condition kept, one OPEN MAINTENANCE task."""
    (entry,) = services.start_maintenance(world.uow, room_id="R101", staff_id="mnt", reason="AC")
    assert entry.operation is ho.Operation.MAINTENANCE
    assert entry.notes == "AC"
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.MAINTENANCE,
        ho.Condition.CLEAN,
    )
    (task,) = open_tasks(world, "R101")
    assert (task.kind, task.status, task.created_by) == (
        ho.TaskKind.MAINTENANCE,
        ho.TaskStatus.OPEN,
        "mnt",
    )
    world.assert_sound()


def test_return_to_service_dirty_closes_maintenance_and_opens_cleaning(world: World) -> None:
    """return_to_service (default DIRTY): VACANT_DIRTY, MAINTENANCE task DONE, a CLEANING task."""
    services.start_maintenance(world.uow, room_id="R101", staff_id="mnt", reason="AC")
    (maintenance,) = open_tasks(world, "R101")
    (entry,) = services.return_to_service(world.uow, room_id="R101", staff_id="mnt")
    assert entry.operation is ho.Operation.STATUS_CHANGE
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.MAINTENANCE,
        ho.OccupancyStatus.VACANT_DIRTY,
    )
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_DIRTY,
        ho.Condition.DIRTY,
    )
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses[maintenance.task_id] is ho.TaskStatus.DONE
    (cleaning,) = open_tasks(world, "R101")
    assert cleaning.kind is ho.TaskKind.CLEANING
    world.assert_sound()


def test_return_to_service_clean_closes_maintenance_without_cleaning(world: World) -> None:
    """return_to_service(CLEAN): VACANT_CLEAN, MAINTENANCE task DONE, no cleaning task."""
    services.start_maintenance(world.uow, room_id="R101", staff_id="mnt", reason="AC")
    (maintenance,) = open_tasks(world, "R101")
    services.return_to_service(
        world.uow, room_id="R101", staff_id="mnt", condition=ho.Condition.CLEAN
    )
    occupancy = world.occupancy("R101")
    assert (occupancy.status, occupancy.condition) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.Condition.CLEAN,
    )
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses == {maintenance.task_id: ho.TaskStatus.DONE}
    world.assert_sound()


def test_return_to_service_clean_cancels_the_open_cleaning_task(world: World) -> None:
    """A dirty out-of-order room returned CLEAN: its cleaning task is cancelled."""
    make_dirty(world, "R101")
    (cleaning,) = open_cleaning(world, "R101")
    services.set_out_of_order(world.uow, room_id="R101", staff_id="mnt", reason="leak")
    (entry,) = services.return_to_service(
        world.uow, room_id="R101", staff_id="mnt", condition="CLEAN"
    )
    assert (entry.status_before, entry.status_after) == (
        ho.OccupancyStatus.OUT_OF_ORDER,
        ho.OccupancyStatus.VACANT_CLEAN,
    )
    statuses = {t.task_id: t.status for t in tasks(world, "R101")}
    assert statuses == {cleaning.task_id: ho.TaskStatus.CANCELLED}
    world.assert_sound()


def test_return_to_service_dirty_from_out_of_order_reuses_the_cleaning_task(
    world: World,
) -> None:
    """A dirty out-of-order room returned DIRTY keeps exactly one open cleaning task."""
    make_dirty(world, "R101")
    (cleaning,) = open_cleaning(world, "R101")
    services.set_out_of_order(world.uow, room_id="R101", staff_id="mnt", reason="leak")
    services.return_to_service(world.uow, room_id="R101", staff_id="mnt")
    assert [t.task_id for t in open_cleaning(world, "R101")] == [cleaning.task_id]
    world.assert_sound()


# --- log entries and events -----------------------------------------------------------------


def test_every_entry_records_who_when_why_and_the_request(world: World) -> None:
    """performed_by, notes, request_id and the clock's timestamp are on every entry."""
    booking_id = world.booking()
    at = freeze_clock(world)
    entries = services.assign_room(
        world.uow,
        booking_id=booking_id,
        room_id="R101",
        staff_id="mgr",
        notes="VIP",
        request_id="req-assign",
    )
    assert len(entries) == 2
    for entry in entries:
        assert entry.performed_by == "mgr"
        assert entry.notes == "VIP"
        assert entry.request_id == "req-assign"
        assert entry.timestamp == at
        assert entry.timestamp.utcoffset() == timedelta(0)
        assert entry.hotel_id == "H"
    assert entries[0].metadata["action"] == "assign_room"


def test_an_entry_without_request_id_records_none(world: World) -> None:
    """An operation called without request_id logs request_id None."""
    (entry,) = services.mark_dirty(world.uow, room_id="R101", staff_id="hk")
    assert entry.request_id is None
    assert entry.notes == ""


def test_timestamps_from_a_non_utc_aware_clock_are_normalised_to_utc(world: World) -> None:
    """An aware clock in another offset gives the same instant, stored in UTC."""
    plus_five = timezone(timedelta(hours=5))
    moment = datetime(2026, 3, 10, 20, 0, tzinfo=plus_five)
    assert isinstance(world.uow, InMemoryUnitOfWork)
    uow = InMemoryUnitOfWork(store=world.uow.store, clock=lambda: moment, notifier=world.notifier)
    (entry,) = services.mark_dirty(uow, room_id="R101", staff_id="hk")
    assert entry.timestamp == moment
    assert entry.timestamp.tzinfo is UTC


def run_a_busy_day(world: World) -> list[ho.LogEntry]:
    """Every operation service at least once; the entries they returned, in order."""
    uow = world.uow
    out: list[ho.LogEntry] = []
    b1, b2, b3 = world.booking(), world.booking(2), world.booking()
    out += services.assign_room(uow, booking_id=b1, room_id="R101", staff_id="fd")
    out += services.assign_room(uow, booking_id=b2, room_id="R102", staff_id="fd", check_in=False)
    out += services.reassign_room(uow, booking_id=b2, to_room_id="R103", staff_id="fd")
    out += services.check_in(uow, booking_id=b2, staff_id="fd")
    out += services.assign_room(uow, booking_id=b3, room_id="R104", staff_id="fd", check_in=False)
    out += services.unassign_room(uow, booking_id=b3, staff_id="fd")
    out += services.move_guest(uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    out += services.checkout_room(uow, room_id="R102", staff_id="fd")
    out += services.mark_dirty(uow, room_id="R103", staff_id="hk")
    out += services.start_cleaning(uow, room_id="R101", staff_id="hk")
    out += services.complete_cleaning(uow, room_id="R101", staff_id="hk")
    out += services.inspect_room(uow, room_id="R101", staff_id="sup")
    out += services.set_out_of_order(uow, room_id="R104", staff_id="mnt", reason="leak")
    out += services.return_to_service(uow, room_id="R104", staff_id="mnt")
    out += services.start_maintenance(uow, room_id="R201", staff_id="mnt", reason="paint")
    out += services.return_to_service(uow, room_id="R201", staff_id="mnt", condition="CLEAN")
    return out


def test_one_event_per_entry_carries_the_entrys_fields_and_hotel(world: World) -> None:
    """Every log entry is announced by exactly one event with its fields plus hotel_id."""
    world.notifier.clear()
    entries = run_a_busy_day(world)
    events = world.notifier.events
    assert len(events) == len(entries) == 17
    assert [e.entry_id for e in events] == [e.id for e in entries]
    for event, entry in zip(events, entries, strict=True):
        assert event == ho.OccupancyEvent.from_entry(entry)
        assert event.hotel_id == "H"
        assert (event.operation, event.room_id, event.performed_by) == (
            entry.operation,
            entry.room_id,
            entry.performed_by,
        )
        assert (event.status_before, event.status_after) == (
            entry.status_before,
            entry.status_after,
        )
        assert (event.condition_before, event.condition_after) == (
            entry.condition_before,
            entry.condition_after,
        )
        assert (event.booking_id, event.from_room_id, event.timestamp) == (
            entry.booking_id,
            entry.from_room_id,
            entry.timestamp,
        )
    world.assert_sound()


def test_log_entry_ids_increase_and_the_log_holds_every_returned_entry(world: World) -> None:
    """Entries get increasing ids and the stored log is exactly what the services returned."""
    entries = run_a_busy_day(world)
    ids = [e.id for e in entries]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    snapshot, _ = world.snapshot()
    assert list(snapshot.log) == entries


def test_events_are_published_only_after_the_transaction_is_over(world: World) -> None:
    """When the notifier hears of an entry, the store is unlocked and shows the new state."""
    assert isinstance(world.uow, InMemoryUnitOfWork)
    store = world.uow.store
    seen: list[tuple[bool, ho.OccupancyStatus]] = []

    class Probe:
        def publish(self, event: ho.OccupancyEvent) -> None:
            result: list[bool] = []

            def try_lock() -> None:
                got = store.lock.acquire(blocking=False)
                if got:
                    store.lock.release()
                result.append(got)

            thread = threading.Thread(target=try_lock)
            thread.start()
            thread.join()
            reader = InMemoryUnitOfWork(store=store)
            seen.append((result[0], services.get_occupancy(reader, event.room_id).status))

    uow = InMemoryUnitOfWork(store=store, clock=world.clock, notifier=Probe())
    booking_id = world.booking()
    services.assign_room(uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert seen == [(True, ho.OccupancyStatus.OCCUPIED), (True, ho.OccupancyStatus.OCCUPIED)]


def test_registrations_write_no_log_entry_and_publish_nothing(world: World) -> None:
    """Reference data returns an empty tuple, logs nothing and announces nothing."""
    world.notifier.clear()
    before, _ = world.snapshot()
    uow = world.uow
    assert services.register_room(uow, hotel_id="H", room_id="R301", number="301") == ()
    assert services.register_staff(uow, hotel_id="H", staff_id="x", name="X", role="MANAGER") == ()
    assert services.deactivate_staff(uow, staff_id="x") == ()
    booking_id = world.checked_in("R101")
    world.notifier.clear()
    after_checkin, _ = world.snapshot()
    guest = guests(world, booking_id)[0]
    assert services.register_device_token(uow, guest_id=guest.guest_id, token="tok") == ()
    after, _ = world.snapshot()
    assert after.log == after_checkin.log
    assert world.notifier.events == []
    assert len(after_checkin.log) == len(before.log) + 2
    occupancy = world.occupancy("R301")
    assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
        ho.OccupancyStatus.VACANT_CLEAN,
        ho.Condition.CLEAN,
        None,
    )
    assert services.room_history(uow, "R301") == ()
