"""The contract on storage and reference data: a fresh store, the registrations read back
exactly, unique ids, bad input, deactivated and reactivated staff, device tokens, and
changes to rooms and staff."""

from __future__ import annotations

from datetime import time

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    DEPARTURE,
    HOTEL,
    VC,
    Scene,
    SceneContract,
    SteppingClock,
    UnitOfWorkFactory,
    canonical,
    only,
)


class ReferenceDataContract(SceneContract):
    """Storage and reference data: ``register_*``, ``deactivate_staff``,
    ``reactivate_staff``, ``update_room``, ``update_staff`` and ``register_device_token``."""

    # --- storage and reference data -------------------------------------------------------

    def test_a_new_unit_of_work_starts_over_empty_storage(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """The factory's unit of work stores nothing at first."""
        uow = uow_factory(clock=SteppingClock(), notifier=RecordingNotifier())
        assert canonical(uow.snapshot()) == StoreSnapshot()

    def test_reference_data_reads_back_exactly_as_registered(self, scene: Scene) -> None:
        """Hotels, rooms, staff and bookings are stored with every field as given."""
        services.register_hotel(
            scene.uow,
            hotel_id="HP",
            name="Hôtel de Paris",
            require_inspection=True,
            timezone="Europe/Paris",
            checkout_time=time(10, 30),
        )
        booking_id = scene.booking(3)
        snapshot = scene.snapshot()
        hotels = {h.hotel_id: h for h in snapshot.hotels}
        assert hotels["HP"] == ho.Hotel("HP", "Hôtel de Paris", True, "Europe/Paris", time(10, 30))
        assert hotels[HOTEL] == ho.Hotel(HOTEL, "Hotel H", False, "UTC", time(11))
        rooms = {r.room_id: r for r in snapshot.rooms}
        assert rooms["R101"] == ho.Room("R101", HOTEL, "101", 2)
        assert rooms["R201"] == ho.Room("R201", HOTEL, "201", None)
        staff = {s.staff_id: s for s in snapshot.staff}
        assert staff["hk"] == ho.Staff("hk", HOTEL, "HK", ho.StaffRole.HOUSEKEEPING, True)
        assert scene.stored_booking(booking_id) == ho.Booking(
            booking_id,
            HOTEL,
            Scene.reference(booking_id),
            ARRIVAL,
            DEPARTURE,
            tuple(scene.party(booking_id, 3)),
        )

    def test_a_registered_room_starts_vacant_clean_without_log_or_event(self, scene: Scene) -> None:
        """A new room is VACANT_CLEAN, CLEAN, unassigned, with no log entry and no event."""
        mark = scene.clock.mark
        assert services.register_room(scene.uow, hotel_id=HOTEL, room_id="R9", number="9") == ()
        occupancy = scene.occupancy("R9")
        assert (occupancy.room_id, occupancy.hotel_id) == ("R9", HOTEL)
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (VC, CLEAN, None)
        assert not occupancy.is_occupied
        assert occupancy.occupied_since is None
        assert occupancy.expected_checkout is None
        assert occupancy.assigned_by is None
        assert occupancy.last_cleaned_by is None
        assert occupancy.last_inspected_by is None
        assert occupancy.created_at in scene.clock.since(mark)
        assert occupancy.updated_at == occupancy.created_at
        assert services.room_history(scene.uow, "R9") == ()
        assert scene.snapshot().log == ()
        assert scene.notifier.events == []

    def test_registering_a_hotel_id_twice_is_already_registered(self, scene: Scene) -> None:
        """A hotel id can be registered only once."""
        error = scene.refused(
            ho.AlreadyRegistered, services.register_hotel, hotel_id=HOTEL, name="Again"
        )
        assert error.hotel_id == HOTEL

    def test_a_room_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A room id taken in one hotel is refused in another hotel."""
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_room,
            hotel_id="H2",
            room_id="R101",
            number="999",
        )
        assert error.room_id == "R101"

    def test_a_room_number_is_unique_within_its_hotel_only(self, scene: Scene) -> None:
        """A second room "101" is refused in hotel H but another hotel may have one."""
        scene.refused(
            ho.AlreadyRegistered,
            services.register_room,
            hotel_id=HOTEL,
            room_id="R999",
            number="101",
        )
        scene.second_hotel()
        numbers = sorted((r.hotel_id, r.number) for r in scene.snapshot().rooms)
        assert numbers.count(("H2", "101")) == 1
        assert numbers.count((HOTEL, "101")) == 1

    def test_a_staff_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A staff id taken in one hotel is refused in another hotel."""
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_staff,
            hotel_id="H2",
            staff_id="fd",
            name="Other",
            role=ho.StaffRole.FRONT_DESK,
        )
        assert error.staff_id == "fd"

    def test_a_booking_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A booking id taken in one hotel is refused in another hotel."""
        booking_id = scene.booking()
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_booking,
            hotel_id="H2",
            booking_id=booking_id,
            reference="OTHER",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("fresh-guest", "Ann", "Other")],
        )
        assert error.booking_id == booking_id

    def test_booking_guest_ids_are_unique_across_the_store(self, scene: Scene) -> None:
        """A booking reusing another booking's guest id is refused, even in another hotel."""
        booking_id = scene.booking(2)
        scene.second_hotel()
        scene.refused(
            ho.AlreadyRegistered,
            services.register_booking,
            hotel_id="H2",
            booking_id="B-new",
            reference="NEW",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("fresh", "Ann", "New"), scene.party(booking_id, 2)[1]],
        )

    def test_registering_in_an_unknown_hotel_is_hotel_not_found(self, scene: Scene) -> None:
        """Rooms, staff and bookings of an unknown hotel are refused with HotelNotFound."""
        scene.refused(
            ho.HotelNotFound, services.register_room, hotel_id="NOPE", room_id="RX", number="1"
        )
        scene.refused(
            ho.HotelNotFound,
            services.register_staff,
            hotel_id="NOPE",
            staff_id="sx",
            name="X",
            role=ho.StaffRole.MANAGER,
        )
        error = scene.refused(
            ho.HotelNotFound,
            services.register_booking,
            hotel_id="NOPE",
            booking_id="BX",
            reference="X",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("gx", "X", "Y")],
        )
        assert error.hotel_id == "NOPE"

    def test_bad_input_is_a_value_error_and_stores_nothing(self, scene: Scene) -> None:
        """Empty ids, reversed dates, empty parties, unknown roles and same-room moves are
        refused with InvalidInput, a ValueError."""
        assert issubclass(ho.InvalidInput, ValueError)
        scene.refused(
            ho.InvalidInput, services.register_room, hotel_id=HOTEL, room_id="", number="1"
        )
        scene.refused(
            ho.InvalidInput,
            services.register_booking,
            hotel_id=HOTEL,
            booking_id="BX",
            reference="X",
            arrival=DEPARTURE,
            departure=ARRIVAL,
            party=[ho.BookingGuest("gx", "X", "Y")],
        )
        scene.refused(
            ho.InvalidInput,
            services.register_booking,
            hotel_id=HOTEL,
            booking_id="BX",
            reference="X",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[],
        )
        scene.refused(
            ho.InvalidInput,
            services.register_staff,
            hotel_id=HOTEL,
            staff_id="sx",
            name="X",
            role="JANITOR",
        )
        scene.checked_in("R101")
        scene.refused(
            ho.InvalidInput,
            services.move_guest,
            from_room_id="R101",
            to_room_id="R101",
            staff_id="fd",
        )

    def test_a_huge_capacity_is_stored_as_given_or_refused_as_bad_input(self, scene: Scene) -> None:
        """Capacities beyond 32 and 64 bits either read back exactly or are InvalidInput,
        never a storage error."""
        for room_id, capacity in (("R-2e31", 2**31), ("R-2e64", 2**64)):
            before = scene.state()
            try:
                services.register_room(
                    scene.uow, hotel_id=HOTEL, room_id=room_id, number=room_id, capacity=capacity
                )
            except ho.InvalidInput:
                assert scene.state() == before
            else:
                stored = only(r for r in scene.snapshot().rooms if r.room_id == room_id)
                assert stored.capacity == capacity

    def test_text_that_utf8_cannot_encode_is_stored_or_refused_as_bad_input(
        self, scene: Scene
    ) -> None:
        """Notes holding a lone surrogate either read back exactly or are InvalidInput,
        never a raw encoding error."""
        before = scene.state()
        try:
            entries = services.mark_dirty(
                scene.uow, room_id="R101", staff_id="hk", notes="bad \ud800 text"
            )
        except ho.InvalidInput:
            assert scene.state() == before
        else:
            assert services.room_history(scene.uow, "R101") == entries
            assert only(entries).notes == "bad \ud800 text"

    def test_deactivated_staff_may_do_nothing(self, scene: Scene) -> None:
        """After deactivate_staff even a manager is refused with PermissionDenied."""
        assert services.deactivate_staff(scene.uow, staff_id="mgr") == ()
        assert services.deactivate_staff(scene.uow, staff_id="mgr") == ()
        assert only(s for s in scene.snapshot().staff if s.staff_id == "mgr").active is False
        assert scene.snapshot().log == ()
        error = scene.refused(
            ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="mgr"
        )
        assert error.staff_id == "mgr"
        scene.refused(ho.StaffNotFound, services.deactivate_staff, staff_id="NOPE")

    def test_device_tokens_need_an_in_house_guest(self, scene: Scene) -> None:
        """Unknown guests are GuestNotFound; departed ones GuestNotInHouse (a GuestNotFound)."""
        assert issubclass(ho.GuestNotInHouse, ho.GuestNotFound)
        scene.refused(ho.GuestNotFound, services.register_device_token, guest_id="NOPE", token="t")
        scene.checked_in("R101")
        guest = only(services.current_guests(scene.uow, "R101"))
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        error = scene.refused(
            ho.GuestNotInHouse,
            services.register_device_token,
            guest_id=guest.guest_id,
            token="tok",
        )
        assert error.guest_id == guest.guest_id

    # --- changing reference data ----------------------------------------------------------

    def test_update_room_changes_its_number_and_capacity_and_nothing_else(
        self, scene: Scene
    ) -> None:
        """update_room stores the new number and capacity, logs and publishes nothing, and
        frees the old number for another room."""
        before = scene.snapshot()
        assert services.update_room(scene.uow, room_id="R101", number="105", capacity=3) == ()
        after = scene.snapshot()
        rooms = {r.room_id: r for r in after.rooms}
        assert rooms["R101"] == ho.Room("R101", HOTEL, "105", 3)
        assert [r for r in after.rooms if r.room_id != "R101"] == [
            r for r in before.rooms if r.room_id != "R101"
        ]
        assert (after.occupancies, after.log, after.staff) == (
            before.occupancies,
            before.log,
            before.staff,
        )
        assert scene.notifier.events == []
        services.update_room(scene.uow, room_id="R101", unlimited_capacity=True)
        assert only(r for r in scene.snapshot().rooms if r.room_id == "R101") == ho.Room(
            "R101", HOTEL, "105", None
        )
        services.register_room(scene.uow, hotel_id=HOTEL, room_id="R9", number="101")
        assert only(r for r in scene.snapshot().rooms if r.number == "101").room_id == "R9"

    def test_update_room_keeps_what_it_is_not_given_and_refuses_no_change_or_bad_input(
        self, scene: Scene
    ) -> None:
        """A capacity alone keeps the number and a number alone the capacity; no change,
        capacity with unlimited_capacity, or a bad number or capacity is InvalidInput, and an
        unknown room RoomNotFound, all changing nothing."""
        services.update_room(scene.uow, room_id="R102", capacity=4)
        services.update_room(scene.uow, room_id="R201", number="201A")
        rooms = {r.room_id: r for r in scene.snapshot().rooms}
        assert rooms["R102"] == ho.Room("R102", HOTEL, "102", 4)
        assert rooms["R201"] == ho.Room("R201", HOTEL, "201A", None)
        error = scene.refused(ho.InvalidInput, services.update_room, room_id="R102")
        assert "at least one" in str(error)
        scene.refused(
            ho.InvalidInput,
            services.update_room,
            room_id="R102",
            capacity=2,
            unlimited_capacity=True,
        )
        scene.refused(ho.InvalidInput, services.update_room, room_id="R102", number=" 7")
        scene.refused(ho.InvalidInput, services.update_room, room_id="R102", capacity=0)
        missing = scene.refused(ho.RoomNotFound, services.update_room, room_id="NOPE", number="7")
        assert missing.room_id == "NOPE"

    def test_a_room_number_another_room_of_the_hotel_has_is_already_registered(
        self, scene: Scene
    ) -> None:
        """Renumbering a room to a number its hotel uses is AlreadyRegistered, as
        register_room; its own number changes nothing, and another hotel's is free."""
        error = scene.refused(
            ho.AlreadyRegistered, services.update_room, room_id="R101", number="102"
        )
        assert (error.hotel_id, error.context["number"]) == (HOTEL, "102")
        state = scene.state()
        assert services.update_room(scene.uow, room_id="R101", number="101") == ()
        assert scene.state() == state
        scene.second_hotel()
        services.update_room(scene.uow, room_id="R2-101", number="102")
        assert only(r for r in scene.snapshot().rooms if r.room_id == "R2-101").number == "102"

    def test_a_capacity_below_the_party_the_room_holds_is_capacity_exceeded(
        self, scene: Scene
    ) -> None:
        """A room cannot shrink below the party of its in-house or pre-assigned booking
        (CapacityExceeded, nothing changed); it may shrink to fit it, or once it left."""
        scene.checked_in("R201", 3)
        error = scene.refused(ho.CapacityExceeded, services.update_room, room_id="R201", capacity=2)
        assert (error.room_id, error.context["capacity"], error.context["party_size"]) == (
            "R201",
            2,
            3,
        )
        services.update_room(scene.uow, room_id="R201", capacity=3)
        assert only(r for r in scene.snapshot().rooms if r.room_id == "R201").capacity == 3
        scene.pre_assigned("R102", 2)
        scene.refused(ho.CapacityExceeded, services.update_room, room_id="R102", capacity=1)
        services.checkout_room(scene.uow, room_id="R201", staff_id="fd")
        services.update_room(scene.uow, room_id="R201", capacity=1)
        assert only(r for r in scene.snapshot().rooms if r.room_id == "R201").capacity == 1

    def test_update_staff_changes_name_and_role_and_the_new_role_applies(
        self, scene: Scene
    ) -> None:
        """update_staff keeps what it is not given; the new role's grants apply at once;
        no change or a bad role is InvalidInput, an unknown member StaffNotFound."""
        scene.refused(ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="mnt")
        assert (
            services.update_staff(scene.uow, staff_id="mnt", role=ho.StaffRole.HOUSEKEEPING) == ()
        )
        services.update_staff(scene.uow, staff_id="mnt", name="Moved To Rooms")
        assert only(s for s in scene.snapshot().staff if s.staff_id == "mnt") == ho.Staff(
            "mnt", HOTEL, "Moved To Rooms", ho.StaffRole.HOUSEKEEPING, True
        )
        assert only(services.mark_dirty(scene.uow, room_id="R101", staff_id="mnt"))
        scene.refused(ho.InvalidInput, services.update_staff, staff_id="mnt")
        scene.refused(ho.InvalidInput, services.update_staff, staff_id="mnt", role="JANITOR")
        scene.refused(ho.InvalidInput, services.update_staff, staff_id="mnt", name="  ")
        error = scene.refused(ho.StaffNotFound, services.update_staff, staff_id="NOPE", name="X")
        assert error.staff_id == "NOPE"

    def test_a_change_of_role_leaves_what_the_member_did_before_allowed(self, scene: Scene) -> None:
        """Entries record the role their staff member acted in, and I14 judges them by it:
        housekeeping's mark_dirty stays allowed after the member moves to maintenance."""
        entry = only(services.mark_dirty(scene.uow, room_id="R101", staff_id="hk"))
        assert entry.metadata["role"] == "HOUSEKEEPING"
        services.update_staff(scene.uow, staff_id="hk", role=ho.StaffRole.MAINTENANCE)
        scene.refused(ho.PermissionDenied, services.start_cleaning, room_id="R101", staff_id="hk")
        scene.assert_sound()

    def test_a_deactivated_hotel_s_staff_may_do_nothing_until_it_is_reactivated(
        self, scene: Scene
    ) -> None:
        """deactivate_hotel (twice is harmless) refuses every operation of its staff with
        PermissionDenied naming the hotel, leaves queries and reference data working and
        logs nothing; reactivate_hotel lets them act again; an unknown hotel is
        HotelNotFound."""
        assert services.deactivate_hotel(scene.uow, hotel_id=HOTEL) == ()
        state = scene.state()
        assert services.deactivate_hotel(scene.uow, hotel_id=HOTEL) == ()
        assert scene.state() == state
        error = scene.refused(
            ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="hk"
        )
        assert error.hotel_id == HOTEL
        assert services.room_board(scene.uow, HOTEL)  # reading still works
        services.update_hotel(scene.uow, hotel_id=HOTEL, name="Closed for winter")
        assert only(h for h in scene.snapshot().hotels if h.hotel_id == HOTEL).active is False
        assert scene.snapshot().log == ()
        assert services.reactivate_hotel(scene.uow, hotel_id=HOTEL) == ()
        assert only(services.mark_dirty(scene.uow, room_id="R101", staff_id="hk"))
        scene.refused(ho.HotelNotFound, services.deactivate_hotel, hotel_id="NOPE")
        scene.assert_sound()

    def test_reactivated_staff_may_act_again(self, scene: Scene) -> None:
        """reactivate_staff undoes deactivate_staff (twice, or on an active member, is
        harmless) and logs nothing; an unknown member is StaffNotFound."""
        services.deactivate_staff(scene.uow, staff_id="hk")
        scene.refused(ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="hk")
        assert services.reactivate_staff(scene.uow, staff_id="hk") == ()
        state = scene.state()
        assert services.reactivate_staff(scene.uow, staff_id="hk") == ()
        assert scene.state() == state
        assert only(s for s in scene.snapshot().staff if s.staff_id == "hk").active is True
        assert scene.snapshot().log == ()
        assert only(services.mark_dirty(scene.uow, room_id="R101", staff_id="hk"))
        scene.refused(ho.StaffNotFound, services.reactivate_staff, staff_id="NOPE")

    def test_reference_updates_replay_their_request_id_and_refuse_another_call(
        self, scene: Scene
    ) -> None:
        """A repeated update_room, update_staff or reactivate_staff with its request_id
        changes nothing (even after a later change); the id with other arguments is
        RequestIdConflict; a refused call does not use up its id."""
        scene.refused(
            ho.AlreadyRegistered,
            services.update_room,
            room_id="R101",
            number="102",
            request_id="rq-room",
        )
        assert "rq-room" not in scene.snapshot().request_ids
        services.update_room(scene.uow, room_id="R101", number="105", request_id="rq-room")
        services.update_room(scene.uow, room_id="R101", number="106")
        state = scene.state()
        assert (
            services.update_room(scene.uow, room_id="R101", number="105", request_id="rq-room")
            == ()
        )
        assert scene.state() == state
        error = scene.refused(
            ho.RequestIdConflict,
            services.update_room,
            room_id="R101",
            number="107",
            request_id="rq-room",
        )
        assert error.request_id == "rq-room"
        services.update_staff(scene.uow, staff_id="fd", name="Desk", request_id="rq-staff")
        services.deactivate_staff(scene.uow, staff_id="fd", request_id="rq-off")
        services.reactivate_staff(scene.uow, staff_id="fd", request_id="rq-on")
        services.deactivate_staff(scene.uow, staff_id="fd")
        state = scene.state()
        assert services.reactivate_staff(scene.uow, staff_id="fd", request_id="rq-on") == ()
        assert (
            services.update_staff(scene.uow, staff_id="fd", name="Desk", request_id="rq-staff")
            == ()
        )
        assert scene.state() == state
        scene.refused(
            ho.RequestIdConflict,
            services.update_staff,
            staff_id="fd",
            name="Other",
            request_id="rq-staff",
        )
        scene.refused(
            ho.RequestIdConflict, services.reactivate_staff, staff_id="hk", request_id="rq-on"
        )
        assert {"rq-room", "rq-staff", "rq-off", "rq-on"} <= scene.snapshot().request_ids
