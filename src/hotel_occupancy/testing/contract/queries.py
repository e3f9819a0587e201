"""The contract on the queries: the board, guests, rooms, histories, tasks, allowed
operations and PINs, with their orderings, and a larger hotel."""

from __future__ import annotations

from datetime import UTC

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    CLEAN,
    DEPARTURE_AT_11_UTC,
    HOTEL,
    OCC,
    VC,
    Op,
    Scene,
    SceneContract,
    only,
)


class QueryContract(SceneContract):
    """The queries of SPEC §7 and a hotel of fifty rooms."""

    # --- queries --------------------------------------------------------------------------

    def test_room_board_is_in_natural_order_with_references_and_guest_counts(
        self, scene: Scene
    ) -> None:
        """One row per room of the hotel, "2" before "10", with booking reference and
        in-house guest count."""
        scene.second_hotel()
        for number in ("10", "2", "9"):
            services.register_room(scene.uow, hotel_id=HOTEL, room_id=f"R{number}", number=number)
        in_house = scene.checked_in("R101", 2)
        arriving = scene.pre_assigned("R102", 2)
        board = services.room_board(scene.uow, HOTEL)
        assert [row.number for row in board] == ["2", "9", "10", "101", "102", "103", "104", "201"]
        rows = {row.room_id: row for row in board}
        occupied = rows["R101"]
        assert (occupied.status, occupied.condition, occupied.booking_id) == (OCC, CLEAN, in_house)
        assert (occupied.booking_reference, occupied.guest_count) == (
            Scene.reference(in_house),
            2,
        )
        assert occupied.expected_checkout == DEPARTURE_AT_11_UTC
        assert occupied.expected_checkout.tzinfo is UTC
        assigned = rows["R102"]
        assert (assigned.status, assigned.booking_id, assigned.booking_reference) == (
            VC,
            arriving,
            Scene.reference(arriving),
        )
        assert (assigned.guest_count, assigned.expected_checkout) == (0, None)
        empty = rows["R2"]
        assert (empty.status, empty.booking_id, empty.booking_reference, empty.guest_count) == (
            VC,
            None,
            None,
            0,
        )
        assert [row.room_id for row in services.room_board(scene.uow, "H2")] == ["R2-101"]

    def test_current_guests_are_the_in_house_party_of_an_occupied_room_only(
        self, scene: Scene
    ) -> None:
        """Vacant and pre-assigned rooms have no current guests; occupied ones their party."""
        scene.pre_assigned("R102", 2)
        booking_id = scene.checked_in("R101", 2)
        assert services.current_guests(scene.uow, "R103") == ()
        assert services.current_guests(scene.uow, "R102") == ()
        guests = services.current_guests(scene.uow, "R101")
        assert [g.booking_guest_id for g in guests] == [f"{booking_id}-g0", f"{booking_id}-g1"]
        assert {g.guest_id for g in guests} == {g.guest_id for g in scene.stored_guests(booking_id)}

    def test_current_room_follows_the_guest_and_unknown_guests_are_not_found(
        self, scene: Scene
    ) -> None:
        """current_room is the room while in house, None after departure."""
        scene.checked_in("R101")
        guest = only(services.current_guests(scene.uow, "R101"))
        assert services.current_room(scene.uow, guest.guest_id) == "R101"
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        assert services.current_room(scene.uow, guest.guest_id) == "R102"
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        assert services.current_room(scene.uow, guest.guest_id) is None
        scene.refused(ho.GuestNotFound, services.current_room, "NOPE")

    def test_room_history_is_newest_first_and_includes_moves_and_reassignments_out(
        self, scene: Scene
    ) -> None:
        """A room's history lists the moves and reassignments that left it."""
        scene.checked_in("R101")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        history = services.room_history(scene.uow, "R101")
        assert [e.operation for e in history] == [Op.CLEAN_START, Op.MOVE, Op.CHECKIN, Op.ASSIGN]
        assert [e.id for e in history] == sorted((e.id for e in history), reverse=True)
        assert [e.operation for e in services.room_history(scene.uow, "R102")] == [Op.MOVE]
        booking_id = scene.pre_assigned("R103")
        services.reassign_room(scene.uow, booking_id=booking_id, to_room_id="R104", staff_id="fd")
        assert [e.operation for e in services.room_history(scene.uow, "R103")] == [
            Op.REASSIGN,
            Op.ASSIGN,
        ]
        assert [e.operation for e in services.room_history(scene.uow, "R104")] == [Op.REASSIGN]

    def test_booking_history_is_newest_first_and_only_the_bookings(self, scene: Scene) -> None:
        """booking_history lists the booking's own entries, newest first."""
        booking_id = scene.checked_in("R101")
        scene.checked_in("R103")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        history = services.booking_history(scene.uow, booking_id)
        assert [e.operation for e in history] == [Op.CHECKOUT, Op.MOVE, Op.CHECKIN, Op.ASSIGN]
        assert {e.booking_id for e in history} == {booking_id}
        assert [e.id for e in history] == sorted((e.id for e in history), reverse=True)

    def test_open_tasks_lists_the_hotels_open_tasks_oldest_first(self, scene: Scene) -> None:
        """Done tasks and other hotels' tasks are left out."""
        scene.second_hotel()
        services.mark_dirty(scene.uow, room_id="R2-101", staff_id="fd2")
        scene.dirty("R103")
        scene.clean("R103")
        scene.dirty("R101")
        services.start_maintenance(scene.uow, room_id="R102", staff_id="mnt", reason="paint")
        tasks = services.open_tasks(scene.uow, HOTEL)
        assert [(t.room_id, t.kind, t.status) for t in tasks] == [
            ("R101", ho.TaskKind.CLEANING, ho.TaskStatus.OPEN),
            ("R102", ho.TaskKind.MAINTENANCE, ho.TaskStatus.OPEN),
        ]
        assert {t.hotel_id for t in tasks} == {HOTEL}
        assert [t.room_id for t in services.open_tasks(scene.uow, "H2")] == ["R2-101"]

    def test_allowed_operations_judge_the_rooms_state(self, scene: Scene) -> None:
        """One entry per operation service, with the error class a refused call would raise."""
        vacant = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R101")}
        assert vacant == {
            "assign_room": None,
            "check_in": "BookingNotAssignable",
            "reassign_room": None,
            "unassign_room": "BookingNotAssignable",
            "move_guest": "RoomNotOccupied",
            "checkout_room": "RoomNotOccupied",
            "mark_dirty": None,
            "start_cleaning": "InvalidTransition",
            "complete_cleaning": "InvalidTransition",
            "inspect_room": None,
            "set_out_of_order": None,
            "start_maintenance": None,
            "return_to_service": "InvalidTransition",
            "change_stay": "BookingNotAssignable",
            "update_party": "BookingNotAssignable",
            "cancel_booking": "BookingNotAssignable",
            "mark_no_show": "BookingNotAssignable",
            "queue_arrival": "BookingNotAssignable",
            "set_service_status": "RoomNotOccupied",
            "report_room_observation": None,
        }
        scene.checked_in("R101")
        occupied = services.allowed_operations(scene.uow, "R101")
        by_action = {a.action: a for a in occupied}
        assert by_action["checkout_room"].allowed
        assert by_action["checkout_room"].operation is Op.CHECKOUT
        assert by_action["mark_dirty"].operation is Op.STATUS_CHANGE
        assert by_action["move_guest"].reason is None
        assert by_action["assign_room"].reason == "RoomNotAvailable"
        assert by_action["set_out_of_order"].reason == "InvalidTransition"
        assert by_action["change_stay"].reason is None
        assert by_action["change_stay"].operation is Op.STAY_CHANGE
        assert by_action["cancel_booking"].reason == "BookingNotAssignable"
        assert all(a.allowed == (a.reason is None) for a in occupied)

    def test_find_guest_by_pin_finds_in_house_guests_of_that_hotel_only(self, scene: Scene) -> None:
        """A PIN finds its in-house guest in its hotel, nobody elsewhere or after checkout."""
        scene.second_hotel()
        scene.checked_in("R101", 2)
        guests = services.current_guests(scene.uow, "R101")
        for guest in guests:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) == guest
            assert services.find_guest_by_pin(scene.uow, "H2", guest.id_pin) is None
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        for guest in guests:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) is None

    def test_queries_on_unknown_keys_are_not_found(self, scene: Scene) -> None:
        """Each query names the missing room, hotel or booking."""
        for query in (
            services.get_occupancy,
            services.current_guests,
            services.room_history,
            services.allowed_operations,
        ):
            scene.refused(ho.RoomNotFound, query, "NOPE")
        scene.refused(ho.HotelNotFound, services.room_board, "NOPE")
        scene.refused(ho.HotelNotFound, services.open_tasks, "NOPE")
        scene.refused(ho.HotelNotFound, services.find_guest_by_pin, "NOPE", "123456")
        scene.refused(ho.BookingNotFound, services.booking_history, "NOPE")

    # --- scale ----------------------------------------------------------------------------

    def test_a_hotel_of_fifty_rooms_and_a_party_of_four(self, scene: Scene) -> None:
        """Fifty rooms on the board in natural order; a party of four checks in and out."""
        services.register_hotel(scene.uow, hotel_id="BIG", name="Big")
        for n in range(50, 0, -1):
            services.register_room(
                scene.uow,
                hotel_id="BIG",
                room_id=f"BIG-{n}",
                number=str(n),
                capacity=4 if n == 7 else 2,
            )
        services.register_staff(
            scene.uow, hotel_id="BIG", staff_id="fdB", name="B", role=ho.StaffRole.FRONT_DESK
        )
        board = services.room_board(scene.uow, "BIG")
        assert [row.number for row in board] == [str(n) for n in range(1, 51)]
        too_many = scene.booking(5, hotel_id="BIG")
        scene.refused(
            ho.CapacityExceeded,
            services.assign_room,
            booking_id=too_many,
            room_id="BIG-7",
            staff_id="fdB",
        )
        booking_id = scene.checked_in("BIG-7", 4, hotel_id="BIG", staff_id="fdB")
        guests = services.current_guests(scene.uow, "BIG-7")
        assert [g.guest_type for g in guests] == [ho.GuestType.PRIMARY] + [
            ho.GuestType.COMPANION
        ] * 3
        assert {g.primary_guest_id for g in guests[1:]} == {guests[0].guest_id}
        assert len({g.id_pin for g in guests}) == 4
        row = only(r for r in services.room_board(scene.uow, "BIG") if r.room_id == "BIG-7")
        assert (row.status, row.booking_id, row.guest_count) == (OCC, booking_id, 4)
        services.checkout_room(scene.uow, room_id="BIG-7", staff_id="fdB")
        assert all(not g.in_house for g in scene.stored_guests(booking_id))
        assert [r.status for r in services.room_board(scene.uow, "BIG")].count(VC) == 49
