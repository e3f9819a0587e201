"""The cases the original design got wrong (SPEC §1), each pinned down by a test."""

from __future__ import annotations

from collections import Counter

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork
from tests.support import World


def occupancy_records(world: World) -> Counter[str]:
    """How many occupancy records each room has in the store."""
    snapshot, _ = world.snapshot()
    return Counter(o.room_id for o in snapshot.occupancies)


def guests_of(world: World, booking_id: str) -> list[ho.Guest]:
    snapshot, _ = world.snapshot()
    return [g for g in snapshot.guests if g.booking_id == booking_id]


def clean(world: World, room_id: str) -> None:
    services.start_cleaning(world.uow, room_id=room_id, staff_id="hk")
    services.complete_cleaning(world.uow, room_id=room_id, staff_id="hk")


# --- one occupancy record per room, from registration on -----------------------------------------


def test_every_registered_room_has_its_occupancy_record_from_the_start(world: World) -> None:
    """Registration creates the one record: VACANT_CLEAN, CLEAN, no booking, no log entry."""
    assert occupancy_records(world) == Counter(
        {"R101": 1, "R102": 1, "R103": 1, "R104": 1, "R201": 1}
    )
    for row in services.room_board(world.uow, "H"):
        assert (row.status, row.condition, row.booking_id) == (
            ho.OccupancyStatus.VACANT_CLEAN,
            ho.Condition.CLEAN,
            None,
        )
        assert services.room_history(world.uow, row.room_id) == ()


@pytest.mark.parametrize("check_in", [True, False])
def test_assigning_a_vacant_room_reuses_its_existing_occupancy_record(
    world: World, check_in: bool
) -> None:
    """Assignment updates the room's existing record: it just works, and there is still one."""
    booking_id = world.booking()
    services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=check_in
    )
    assert occupancy_records(world)["R101"] == 1
    assert world.occupancy("R101").booking_id == booking_id
    world.assert_sound()


def test_a_room_that_has_had_a_whole_stay_is_assigned_again_with_one_record(world: World) -> None:
    """After occupy, checkout and cleaning, the next assignment still finds one record."""
    world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    clean(world, "R101")
    second = world.checked_in("R101")
    assert occupancy_records(world)["R101"] == 1
    assert world.occupancy("R101").booking_id == second
    world.assert_sound()


def test_moving_a_guest_into_a_room_with_an_occupancy_record_just_works(world: World) -> None:
    """The move target already has a record (and a past); the move updates it in place."""
    world.checked_in("R102")
    services.checkout_room(world.uow, room_id="R102", staff_id="fd")
    clean(world, "R102")
    booking_id = world.checked_in("R101")
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    assert occupancy_records(world) == Counter(
        {"R101": 1, "R102": 1, "R103": 1, "R104": 1, "R201": 1}
    )
    assert world.occupancy("R102").booking_id == booking_id
    assert world.occupancy("R101").booking_id is None
    world.assert_sound()


# --- a room straight after checkout --------------------------------------------------------------


def test_checking_into_a_room_straight_after_checkout_is_refused(world: World) -> None:
    """Without cleaning, a vacated room takes no new guest: RoomNotAvailable, nothing changes."""
    world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    booking_id = world.booking()
    before = world.snapshot()
    with pytest.raises(ho.RoomNotAvailable):
        services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    assert world.snapshot() == before
    assert world.occupancy("R101").status is ho.OccupancyStatus.VACANT_DIRTY


def test_moving_into_a_room_straight_after_checkout_is_refused(world: World) -> None:
    """A vacated, uncleaned room is no move target either."""
    world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    world.checked_in("R102")
    before = world.snapshot()
    with pytest.raises(ho.RoomNotAvailable):
        services.move_guest(world.uow, from_room_id="R102", to_room_id="R101", staff_id="fd")
    assert world.snapshot() == before


def test_a_room_straight_after_checkout_may_be_pre_assigned(world: World) -> None:
    """check_in=False pre-assignment of the dirty room is allowed; check-in waits for cleaning."""
    world.checked_in("R101")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    booking_id = world.booking()
    (entry,) = services.assign_room(
        world.uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=False
    )
    assert entry.status_after is ho.OccupancyStatus.VACANT_DIRTY
    with pytest.raises(ho.RoomNotAvailable):
        services.check_in(world.uow, booking_id=booking_id, staff_id="fd")
    with pytest.raises(ho.RoomNotAvailable):
        services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    clean(world, "R101")
    services.check_in(world.uow, booking_id=booking_id, staff_id="fd")
    assert world.occupancy("R101").is_occupied
    world.assert_sound()


# --- one room's change never touches another -----------------------------------------------------


def test_checking_out_one_room_never_marks_another_room_vacant(world: World) -> None:
    """Checkout of R101 leaves R102 occupied and R103 pre-assigned, guests and PINs intact."""
    world.checked_in("R101")
    staying = world.checked_in("R102", guests=2)
    arriving = world.booking()
    services.assign_room(
        world.uow, booking_id=arriving, room_id="R103", staff_id="fd", check_in=False
    )
    others_before = [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")]
    staying_guests = guests_of(world, staying)
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")] == others_before
    assert world.occupancy("R102").is_occupied
    assert guests_of(world, staying) == staying_guests
    assert all(g.id_pin is not None for g in staying_guests)
    world.assert_sound()


def test_undoing_one_check_in_never_marks_another_room_vacant(world: World) -> None:
    """Undoing the check-in of R101 leaves every other room exactly as it was."""
    mistaken = world.checked_in("R101")
    staying = world.checked_in("R102")
    others_before = [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")]
    services.unassign_room(world.uow, booking_id=mistaken, staff_id="fd")
    assert [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")] == others_before
    assert world.occupancy("R102").booking_id == staying
    assert len(guests_of(world, staying)) == 1
    world.assert_sound()


def test_undoing_a_pre_assignment_never_touches_another_room(world: World) -> None:
    """Unassigning a pre-assigned booking clears only its own room."""
    pre = world.booking()
    services.assign_room(world.uow, booking_id=pre, room_id="R101", staff_id="fd", check_in=False)
    world.checked_in("R102")
    others_before = [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")]
    services.unassign_room(world.uow, booking_id=pre, staff_id="fd")
    assert [world.occupancy(r) for r in ("R102", "R103", "R104", "R201")] == others_before
    assert world.occupancy("R101").booking_id is None


# --- the occupancy is the single source of truth -------------------------------------------------


def test_deleting_guest_records_does_not_change_the_rooms_occupancy(world: World) -> None:
    """Removing guests through the repository leaves the room OCCUPIED with its booking."""
    booking_id = world.checked_in("R101", guests=2)
    occupancy_before = world.occupancy("R101")
    events_before = len(world.notifier.events)
    log_before = world.snapshot()[0].log
    with world.uow:
        world.uow.guests.remove_many([g.guest_id for g in guests_of(world, booking_id)])
        world.uow.commit()
    assert guests_of(world, booking_id) == []
    occupancy = world.occupancy("R101")
    assert occupancy == occupancy_before
    assert occupancy.status is ho.OccupancyStatus.OCCUPIED
    assert occupancy.booking_id == booking_id
    assert occupancy.is_occupied
    (row,) = [r for r in services.room_board(world.uow, "H") if r.room_id == "R101"]
    assert (row.status, row.booking_id) == (ho.OccupancyStatus.OCCUPIED, booking_id)
    assert world.snapshot()[0].log == log_before
    assert len(world.notifier.events) == events_before


def test_a_room_whose_guest_records_were_deleted_still_checks_out(world: World) -> None:
    """The occupancy, not the guest records, decides: checkout still vacates the room."""
    booking_id = world.checked_in("R101")
    with world.uow:
        world.uow.guests.remove_many([g.guest_id for g in guests_of(world, booking_id)])
        world.uow.commit()
    (entry,) = services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    assert entry.booking_id == booking_id
    assert world.occupancy("R101").status is ho.OccupancyStatus.VACANT_DIRTY


def test_a_guest_record_has_no_room_field(world: World) -> None:
    """A guest's room is found through the booking's occupancy, never stored on the guest."""
    names = {f.name for f in attrs.fields(ho.Guest)}
    assert not {"room", "room_id", "assigned_room"} & names
    booking_id = world.checked_in("R101")
    guest_id = guests_of(world, booking_id)[0].guest_id
    services.move_guest(world.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
    assert services.current_room(world.uow, guest_id) == "R102"


def test_a_room_record_has_no_device_token(world: World) -> None:
    """Device tokens live on the guest's stay, never on the room (I12)."""
    names = {f.name for f in attrs.fields(ho.RoomOccupancy)} | {
        f.name for f in attrs.fields(ho.Room)
    }
    assert not {n for n in names if "token" in n}


def test_a_departed_guests_device_token_is_gone_before_the_next_guest_checks_in(
    world: World,
) -> None:
    """The next guest of the room never inherits the previous guest's phone."""
    first = world.checked_in("R101")
    old_guest = guests_of(world, first)[0]
    services.register_device_token(world.uow, guest_id=old_guest.guest_id, token="old-phone")
    services.checkout_room(world.uow, room_id="R101", staff_id="fd")
    clean(world, "R101")
    second = world.checked_in("R101")
    snapshot, _ = world.snapshot()
    assert [g for g in snapshot.guests if g.device_token == "old-phone"] == []
    assert guests_of(world, first)[0].device_token is None
    assert all(g.device_token is None for g in services.current_guests(world.uow, "R101"))
    assert {g.booking_id for g in services.current_guests(world.uow, "R101")} == {second}


# --- who did what, and atomic check-in -----------------------------------------------------------


def test_who_assigned_reassigned_moved_and_unassigned_and_why_is_in_the_log(world: World) -> None:
    """The eight audit columns are replaced by the log: every step names its staff and notes."""
    booking_id = world.booking()
    uow = world.uow
    services.assign_room(
        uow, booking_id=booking_id, room_id="R101", staff_id="fd", check_in=False, notes="a"
    )
    services.reassign_room(uow, booking_id=booking_id, to_room_id="R102", staff_id="mgr", notes="b")
    services.check_in(uow, booking_id=booking_id, staff_id="fd", notes="c")
    services.move_guest(uow, from_room_id="R102", to_room_id="R103", staff_id="mgr", reason="d")
    history = services.booking_history(uow, booking_id)
    assert [(e.operation, e.performed_by, e.notes, e.room_id) for e in history] == [
        (ho.Operation.MOVE, "mgr", "d", "R103"),
        (ho.Operation.CHECKIN, "fd", "c", "R102"),
        (ho.Operation.REASSIGN, "mgr", "b", "R102"),
        (ho.Operation.ASSIGN, "fd", "a", "R101"),
    ]
    timestamps = [e.timestamp for e in history]
    assert timestamps == sorted(timestamps, reverse=True)


def test_a_check_in_that_fails_half_way_leaves_no_trace(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check-in is one transaction: a failure after the booking is updated undoes everything."""
    booking_id = world.booking(2)
    before = world.snapshot()

    def broken() -> str:
        raise OSError("entropy source unavailable")

    assert isinstance(world.uow, InMemoryUnitOfWork)
    world.uow = InMemoryUnitOfWork(
        store=world.uow.store, clock=world.clock, notifier=world.notifier, pins=broken
    )
    with pytest.raises(OSError, match="entropy"):
        services.assign_room(world.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
    snapshot, events = world.snapshot()
    assert events == before[1]
    assert set(snapshot.occupancies) == set(before[0].occupancies)
    assert set(snapshot.bookings) == set(before[0].bookings)
    assert snapshot.guests == before[0].guests
    assert snapshot.log == before[0].log
    assert snapshot.request_ids == before[0].request_ids
    world.assert_sound()
