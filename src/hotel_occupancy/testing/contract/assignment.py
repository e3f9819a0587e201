"""The contract on assigning bookings to rooms: assign and check in, pre-assign,
reassign and unassign, and the refusals of each."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    DEPARTURE_AT_11_UTC,
    DIRTY,
    HOTEL,
    INSPECTED,
    OCC,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    only,
    shape,
)


class AssignmentContract(SceneContract):
    """``assign_room``, ``check_in``, ``reassign_room`` and ``unassign_room``."""

    # --- assignment and check-in ----------------------------------------------------------

    def test_assigning_with_check_in_occupies_the_room_and_creates_the_guests(
        self, scene: Scene
    ) -> None:
        """assign_room logs ASSIGN then CHECKIN and creates one guest per party member."""
        booking_id = scene.booking(2)
        mark = scene.clock.mark
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd", notes="walk-in"
        )
        at = entries[0].timestamp
        assert at in scene.clock.since(mark)
        assert [shape(e) for e in entries] == [
            (Op.ASSIGN, VC, VC, CLEAN, CLEAN),
            (Op.CHECKIN, VC, OCC, CLEAN, CLEAN),
        ]
        for entry in entries:
            assert (entry.hotel_id, entry.room_id, entry.booking_id) == (HOTEL, "R101", booking_id)
            assert (entry.performed_by, entry.notes, entry.timestamp) == ("fd", "walk-in", at)
            assert entry.from_room_id is None
            assert entry.request_id is None
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
            OCC,
            CLEAN,
            booking_id,
        )
        assert occupancy.is_occupied
        assert occupancy.assigned_by == "fd"
        assert occupancy.occupied_since == at
        assert occupancy.expected_checkout == DEPARTURE_AT_11_UTC
        booking = scene.stored_booking(booking_id)
        assert (booking.checked_in_at, booking.checked_out_at) == (at, None)
        primary, companion = services.current_guests(scene.uow, "R101")
        assert (primary.booking_guest_id, primary.guest_type) == (
            f"{booking_id}-g0",
            ho.GuestType.PRIMARY,
        )
        assert (companion.booking_guest_id, companion.guest_type) == (
            f"{booking_id}-g1",
            ho.GuestType.COMPANION,
        )
        assert primary.primary_guest_id is None
        assert companion.primary_guest_id == primary.guest_id
        assert (primary.first_name, primary.last_name) == ("First0", f"Last-{booking_id}")
        for guest in (primary, companion):
            assert guest.id_pin is not None
            assert len(guest.id_pin) == 6
            assert guest.id_pin.isdigit()
            assert (guest.booking_id, guest.hotel_id) == (booking_id, HOTEL)
            assert (guest.check_in_date, guest.check_out_date) == (ARRIVAL, None)
            assert guest.device_token is None
        assert primary.id_pin != companion.id_pin

    def test_local_dates_and_checkout_time_follow_the_hotels_timezone(self, scene: Scene) -> None:
        """In Auckland 14:00 UTC is the next day, and checkout is at the local checkout time."""
        services.register_hotel(
            scene.uow,
            hotel_id="HA",
            name="Auckland",
            timezone="Pacific/Auckland",
            checkout_time=time(10, 30),
        )
        services.register_room(scene.uow, hotel_id="HA", room_id="RA1", number="1")
        services.register_staff(
            scene.uow, hotel_id="HA", staff_id="fdA", name="A", role=ho.StaffRole.FRONT_DESK
        )
        booking_id = scene.checked_in("RA1", hotel_id="HA", staff_id="fdA")
        # 12 March 2026 10:30 in Auckland (NZDT, UTC+13) is 11 March 21:30 UTC
        assert scene.occupancy("RA1").expected_checkout == datetime(2026, 3, 11, 21, 30, tzinfo=UTC)
        guest = only(services.current_guests(scene.uow, "RA1"))
        assert guest.check_in_date == date(2026, 3, 11)
        services.checkout_room(scene.uow, room_id="RA1", staff_id="fdA")
        assert only(scene.stored_guests(booking_id)).check_out_date == date(2026, 3, 11)

    def test_pre_assignment_keeps_the_rooms_status_and_condition(self, scene: Scene) -> None:
        """assign_room(check_in=False) to a dirty room only sets the booking."""
        scene.dirty("R102")
        booking_id = scene.booking(2)
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd", check_in=False
        )
        assert [shape(e) for e in entries] == [(Op.ASSIGN, VD, VD, DIRTY, DIRTY)]
        occupancy = scene.occupancy("R102")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
            VD,
            DIRTY,
            booking_id,
        )
        assert not occupancy.is_occupied
        assert occupancy.occupied_since is None
        assert scene.stored_booking(booking_id).checked_in_at is None
        assert scene.stored_guests(booking_id) == []
        assert services.current_guests(scene.uow, "R102") == ()

    def test_checking_in_a_pre_assigned_booking_logs_checkin_only(self, scene: Scene) -> None:
        """check_in of a booking pre-assigned to a ready room logs one CHECKIN entry."""
        booking_id = scene.pre_assigned("R101", 2)
        entries = services.check_in(scene.uow, booking_id=booking_id, staff_id="fd")
        assert [shape(e) for e in entries] == [(Op.CHECKIN, VC, OCC, CLEAN, CLEAN)]
        assert scene.occupancy("R101").occupied_since == entries[0].timestamp
        assert scene.stored_booking(booking_id).checked_in_at == entries[0].timestamp
        assert len(services.current_guests(scene.uow, "R101")) == 2

    def test_assigning_the_pre_assigned_room_with_check_in_is_a_check_in(
        self, scene: Scene
    ) -> None:
        """assign_room to the room the booking is pre-assigned to logs CHECKIN only."""
        booking_id = scene.pre_assigned("R101")
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd"
        )
        assert [e.operation for e in entries] == [Op.CHECKIN]
        assert scene.occupancy("R101").is_occupied

    def test_checking_in_to_a_dirty_room_is_room_not_available(self, scene: Scene) -> None:
        """A booking pre-assigned to a dirty room cannot check in, nor be assigned with
        check-in to another dirty room."""
        scene.dirty("R102")
        scene.dirty("R103")
        booking_id = scene.pre_assigned("R102")
        error = scene.refused(
            ho.RoomNotAvailable, services.check_in, booking_id=booking_id, staff_id="fd"
        )
        assert error.room_id == "R102"
        other = scene.booking()
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=other,
            room_id="R103",
            staff_id="fd",
        )

    def test_a_hotel_requiring_inspection_checks_in_to_inspected_rooms_only(
        self, scene: Scene
    ) -> None:
        """A CLEAN room is refused with RoomNotAvailable until it has been inspected."""
        scene.inspected_hotel()
        booking_id = scene.booking(hotel_id="HI")
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=booking_id,
            room_id="RI1",
            staff_id="fdI",
        )
        services.inspect_room(scene.uow, room_id="RI1", staff_id="supI")
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="RI1", staff_id="fdI"
        )
        assert [shape(e) for e in entries] == [
            (Op.ASSIGN, VC, VC, INSPECTED, INSPECTED),
            (Op.CHECKIN, VC, OCC, INSPECTED, INSPECTED),
        ]

    # --- reassign and unassign ------------------------------------------------------------

    def test_reassigning_moves_the_pre_assignment_and_leaves_the_old_room_as_it_was(
        self, scene: Scene
    ) -> None:
        """REASSIGN is logged on the target with from_room_id; the source keeps its state."""
        scene.dirty("R101")
        booking_id = scene.pre_assigned("R101")
        entries = services.reassign_room(
            scene.uow, booking_id=booking_id, to_room_id="R102", staff_id="fd", notes="view"
        )
        entry = only(entries)
        assert shape(entry) == (Op.REASSIGN, VC, VC, CLEAN, CLEAN)
        assert (entry.room_id, entry.from_room_id, entry.booking_id, entry.notes) == (
            "R102",
            "R101",
            booking_id,
            "view",
        )
        source = scene.occupancy("R101")
        assert (source.status, source.condition, source.booking_id) == (VD, DIRTY, None)
        target = scene.occupancy("R102")
        assert (target.status, target.condition, target.booking_id) == (VC, CLEAN, booking_id)
        assert services.room_history(scene.uow, "R101")[0] == entry
        assert services.booking_history(scene.uow, booking_id)[0] == entry

    def test_reassigning_to_the_room_already_held_is_room_not_available(self, scene: Scene) -> None:
        """Reassigning a booking to its own room is RoomNotAvailable."""
        booking_id = scene.pre_assigned("R101")
        scene.refused(
            ho.RoomNotAvailable,
            services.reassign_room,
            booking_id=booking_id,
            to_room_id="R101",
            staff_id="fd",
        )

    def test_reassigning_an_in_house_booking_is_booking_not_assignable(self, scene: Scene) -> None:
        """An in-house booking moves with move_guest, not reassign_room."""
        booking_id = scene.checked_in("R101")
        error = scene.refused(
            ho.BookingNotAssignable,
            services.reassign_room,
            booking_id=booking_id,
            to_room_id="R102",
            staff_id="fd",
        )
        assert error.booking_id == booking_id

    def test_unassigning_a_pre_assignment_frees_the_room(self, scene: Scene) -> None:
        """UNASSIGN clears the booking from the room; the booking can be assigned again."""
        booking_id = scene.pre_assigned("R101")
        entry = only(services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.UNASSIGN, VC, VC, CLEAN, CLEAN)
        assert (entry.room_id, entry.booking_id) == ("R101", booking_id)
        assert scene.occupancy("R101").booking_id is None
        services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd", check_in=False
        )
        assert scene.occupancy("R102").booking_id == booking_id

    def test_unassigning_an_in_house_booking_undoes_the_check_in(self, scene: Scene) -> None:
        """Undoing a check-in leaves the room vacant in its condition and removes the stay."""
        booking_id = scene.checked_in("R101", 2)
        stay = services.current_guests(scene.uow, "R101")
        scene.dirty("R101")
        entry = only(services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.UNASSIGN, OCC, VD, DIRTY, DIRTY)
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (VD, DIRTY, None)
        assert occupancy.occupied_since is None
        assert occupancy.expected_checkout is None
        assert len(scene.stored_tasks("R101", open_only=True)) == 1
        assert scene.stored_booking(booking_id).checked_in_at is None
        assert scene.stored_guests(booking_id) == []
        for guest in stay:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) is None
            scene.refused(ho.GuestNotFound, services.current_room, guest.guest_id)
        services.assign_room(scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd")
        assert len(services.current_guests(scene.uow, "R102")) == 2

    def test_a_check_in_cannot_be_undone_after_a_move(self, scene: Scene) -> None:
        """After move_guest, unassign_room is BookingNotAssignable."""
        booking_id = scene.checked_in("R101")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        scene.refused(
            ho.BookingNotAssignable,
            services.unassign_room,
            booking_id=booking_id,
            staff_id="fd",
        )

    def test_unassigning_a_booking_without_a_room_is_booking_not_assignable(
        self, scene: Scene
    ) -> None:
        """A booking that holds no room cannot be unassigned."""
        booking_id = scene.booking()
        scene.refused(
            ho.BookingNotAssignable,
            services.unassign_room,
            booking_id=booking_id,
            staff_id="fd",
        )

    # --- rooms and bookings that cannot be assigned ---------------------------------------

    def test_a_party_larger_than_the_room_is_capacity_exceeded(self, scene: Scene) -> None:
        """Three guests cannot be assigned (even pre-assigned) to a room for two."""
        booking_id = scene.booking(3)
        error = scene.refused(
            ho.CapacityExceeded,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="fd",
            check_in=False,
        )
        assert (error.room_id, error.booking_id) == ("R101", booking_id)

    def test_a_room_holding_another_booking_is_room_not_available(self, scene: Scene) -> None:
        """Pre-assigned and occupied rooms cannot take a second booking."""
        scene.pre_assigned("R101")
        scene.checked_in("R102")
        booking_id = scene.booking()
        for room_id in ("R101", "R102"):
            scene.refused(
                ho.RoomNotAvailable,
                services.assign_room,
                booking_id=booking_id,
                room_id=room_id,
                staff_id="fd",
                check_in=False,
            )

    def test_a_booking_assigned_elsewhere_or_in_house_is_booking_not_assignable(
        self, scene: Scene
    ) -> None:
        """A pre-assigned booking cannot be assigned to a second room; an in-house one
        cannot check in again."""
        pre = scene.pre_assigned("R101")
        scene.refused(
            ho.BookingNotAssignable,
            services.assign_room,
            booking_id=pre,
            room_id="R102",
            staff_id="fd",
        )
        in_house = scene.checked_in("R103")
        scene.refused(
            ho.BookingNotAssignable, services.check_in, booking_id=in_house, staff_id="fd"
        )
