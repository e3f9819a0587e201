"""The contract on the order of the checks before any state is judged: existence in
the order of the arguments, the hotel, the permission, and a host's own policy."""

from __future__ import annotations

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    OOO,
    Scene,
    SceneContract,
    UnitOfWorkFactory,
    build_scene,
    only,
)


class AuthorisationContract(SceneContract):
    """Unknown ids, other hotels, permissions and policies (SPEC §6's order of checks)."""

    # --- refusals and the order of the checks ---------------------------------------------

    def test_unknown_ids_are_not_found_in_the_order_of_the_arguments(self, scene: Scene) -> None:
        """The first unknown argument decides: booking, then room, then staff."""
        scene.refused(
            ho.BookingNotFound,
            services.assign_room,
            booking_id="NOPE",
            room_id="NOPE",
            staff_id="NOPE",
        )
        booking_id = scene.booking()
        scene.refused(
            ho.RoomNotFound,
            services.assign_room,
            booking_id=booking_id,
            room_id="NOPE",
            staff_id="NOPE",
        )
        error = scene.refused(
            ho.StaffNotFound,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="NOPE",
        )
        assert error.staff_id == "NOPE"
        moved = scene.refused(
            ho.RoomNotFound,
            services.move_guest,
            from_room_id="NOPE-1",
            to_room_id="NOPE-2",
            staff_id="fd",
        )
        assert moved.room_id == "NOPE-1"

    def test_staff_of_another_hotel_is_hotel_mismatch_before_the_rooms_state(
        self, scene: Scene
    ) -> None:
        """Another hotel's manager gets HotelMismatch, the same whatever the room's state."""
        scene.second_hotel()
        vacant = scene.refused(
            ho.HotelMismatch, services.checkout_room, room_id="R101", staff_id="mgr2"
        )
        scene.checked_in("R101")
        occupied = scene.refused(
            ho.HotelMismatch, services.checkout_room, room_id="R101", staff_id="mgr2"
        )
        assert (occupied.message, dict(occupied.context)) == (vacant.message, dict(vacant.context))

    def test_a_booking_and_a_room_of_different_hotels_is_hotel_mismatch(self, scene: Scene) -> None:
        """A booking of H2 cannot be assigned to a room of H."""
        scene.second_hotel()
        booking_id = scene.booking(hotel_id="H2")
        scene.refused(
            ho.HotelMismatch,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="mgr",
        )

    def test_permission_is_checked_before_the_rooms_state(self, scene: Scene) -> None:
        """A role without the permission gets the same PermissionDenied whatever the room's
        state."""
        vacant = scene.refused(
            ho.PermissionDenied, services.checkout_room, room_id="R101", staff_id="hk"
        )
        assert vacant.staff_id == "hk"
        scene.checked_in("R101")
        occupied = scene.refused(
            ho.PermissionDenied, services.checkout_room, room_id="R101", staff_id="hk"
        )
        assert (occupied.message, dict(occupied.context)) == (vacant.message, dict(vacant.context))
        scene.checked_in("R102")
        scene.refused(
            ho.PermissionDenied,
            services.set_out_of_order,
            room_id="R102",
            staff_id="fd",
            reason="leak",
        )
        scene.refused(ho.PermissionDenied, services.inspect_room, room_id="R103", staff_id="hk")

    def test_a_host_policy_decides_who_may_call_what(self, uow_factory: UnitOfWorkFactory) -> None:
        """With a custom policy housekeeping may take rooms out of order and front desk may
        no longer mark rooms dirty."""
        policy = (
            ho.RolePolicy()
            .granting(ho.StaffRole.HOUSEKEEPING, "set_out_of_order")
            .revoking(ho.StaffRole.FRONT_DESK, "mark_dirty")
        )
        scene = build_scene(uow_factory, policy=policy)
        scene.refused(ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="fd")
        entry = only(
            services.set_out_of_order(scene.uow, room_id="R101", staff_id="hk", reason="leak")
        )
        assert entry.performed_by == "hk"
        assert scene.occupancy("R101").status is OOO
        scene.assert_sound()
