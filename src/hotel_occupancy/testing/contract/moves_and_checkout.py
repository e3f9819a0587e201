"""The contract on moving in-house guests and checking them out."""

from __future__ import annotations

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    ARRIVAL,
    CLEAN,
    DEPARTURE_AT_11_UTC,
    DIRTY,
    HOTEL,
    OCC,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    only,
    shape,
)


class MovesAndCheckoutContract(SceneContract):
    """``move_guest`` and ``checkout_room``."""

    # --- move and checkout ----------------------------------------------------------------

    def test_moving_occupies_the_target_and_leaves_the_source_dirty_with_a_turnover_task(
        self, scene: Scene
    ) -> None:
        """MOVE on the target; the source is VACANT_DIRTY with a TURNOVER task; guests keep
        their PINs and tokens."""
        booking_id = scene.checked_in("R101", 2)
        before = services.current_guests(scene.uow, "R101")
        services.register_device_token(scene.uow, guest_id=before[0].guest_id, token="tok-1")
        before = services.current_guests(scene.uow, "R101")
        entry = only(
            services.move_guest(
                scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd", reason="noisy"
            )
        )
        assert shape(entry) == (Op.MOVE, VC, OCC, CLEAN, CLEAN)
        assert (entry.room_id, entry.from_room_id, entry.booking_id, entry.notes) == (
            "R102",
            "R101",
            booking_id,
            "noisy",
        )
        target = scene.occupancy("R102")
        assert (target.status, target.booking_id, target.occupied_since) == (
            OCC,
            booking_id,
            entry.timestamp,
        )
        assert target.expected_checkout == DEPARTURE_AT_11_UTC
        source = scene.occupancy("R101")
        assert (source.status, source.condition, source.booking_id) == (VD, DIRTY, None)
        assert source.occupied_since is None
        task = only(scene.stored_tasks("R101"))
        assert (task.kind, task.status, task.booking_id) == (
            ho.TaskKind.TURNOVER,
            ho.TaskStatus.OPEN,
            booking_id,
        )
        after = services.current_guests(scene.uow, "R102")
        assert after == before
        assert after[0].device_token == "tok-1"
        assert services.current_guests(scene.uow, "R101") == ()
        assert services.current_room(scene.uow, after[0].guest_id) == "R102"

    def test_moving_out_of_a_room_that_is_not_occupied_is_room_not_occupied(
        self, scene: Scene
    ) -> None:
        """The source of a move must be occupied."""
        scene.pre_assigned("R101")
        error = scene.refused(
            ho.RoomNotOccupied,
            services.move_guest,
            from_room_id="R101",
            to_room_id="R102",
            staff_id="fd",
        )
        assert error.room_id == "R101"

    def test_moving_into_a_dirty_room_is_room_not_available(self, scene: Scene) -> None:
        """The target of a move must be ready for a guest."""
        scene.checked_in("R101")
        scene.dirty("R102")
        error = scene.refused(
            ho.RoomNotAvailable,
            services.move_guest,
            from_room_id="R101",
            to_room_id="R102",
            staff_id="fd",
        )
        assert error.room_id == "R102"

    def test_moving_a_party_into_a_room_too_small_is_capacity_exceeded(self, scene: Scene) -> None:
        """A party of three cannot move into a room for two."""
        booking_id = scene.checked_in("R201", 3)
        error = scene.refused(
            ho.CapacityExceeded,
            services.move_guest,
            from_room_id="R201",
            to_room_id="R101",
            staff_id="fd",
        )
        assert error.booking_id == booking_id

    def test_checkout_departs_the_guests_and_clears_their_pins_and_tokens(
        self, scene: Scene
    ) -> None:
        """CHECKOUT: booking checked out, guests departed today without PIN or token, room
        VACANT_DIRTY with one open TURNOVER task."""
        booking_id = scene.checked_in("R101", 2)
        guests = services.current_guests(scene.uow, "R101")
        services.register_device_token(scene.uow, guest_id=guests[1].guest_id, token="tok-2")
        entry = only(services.checkout_room(scene.uow, room_id="R101", staff_id="fd", notes="paid"))
        assert shape(entry) == (Op.CHECKOUT, OCC, VD, CLEAN, DIRTY)
        assert (entry.booking_id, entry.notes) == (booking_id, "paid")
        assert scene.stored_booking(booking_id).checked_out_at == entry.timestamp
        departed = scene.stored_guests(booking_id)
        assert [g.guest_id for g in departed] == [g.guest_id for g in guests]
        for guest in departed:
            assert (guest.check_out_date, guest.id_pin, guest.device_token) == (ARRIVAL, None, None)
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (VD, DIRTY, None)
        assert (occupancy.occupied_since, occupancy.expected_checkout) == (None, None)
        task = only(scene.stored_tasks("R101", open_only=True))
        assert (task.kind, task.status, task.booking_id) == (
            ho.TaskKind.TURNOVER,
            ho.TaskStatus.OPEN,
            booking_id,
        )
        for guest in guests:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) is None
            assert services.current_room(scene.uow, guest.guest_id) is None
        assert services.current_guests(scene.uow, "R101") == ()

    def test_checkout_reuses_the_open_cleaning_task(self, scene: Scene) -> None:
        """A stayover cleaning in progress becomes the room's one OPEN TURNOVER task."""
        booking_id = scene.checked_in("R101")
        scene.dirty("R101")
        services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        started = only(scene.stored_tasks("R101"))
        assert (started.kind, started.status) == (ho.TaskKind.CLEANING, ho.TaskStatus.IN_PROGRESS)
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        task = only(scene.stored_tasks("R101"))
        assert task.task_id == started.task_id
        assert (task.kind, task.status, task.booking_id) == (
            ho.TaskKind.TURNOVER,
            ho.TaskStatus.OPEN,
            booking_id,
        )
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition) == (VD, DIRTY)

    def test_checking_out_a_vacant_room_is_room_not_occupied(self, scene: Scene) -> None:
        """Checkout needs an occupied room."""
        error = scene.refused(
            ho.RoomNotOccupied, services.checkout_room, room_id="R101", staff_id="fd"
        )
        assert error.room_id == "R101"

    def test_a_checked_out_booking_cannot_be_assigned_again(self, scene: Scene) -> None:
        """A departed booking is BookingNotAssignable."""
        booking_id = scene.checked_in("R101")
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        scene.refused(
            ho.BookingNotAssignable,
            services.assign_room,
            booking_id=booking_id,
            room_id="R102",
            staff_id="fd",
        )
