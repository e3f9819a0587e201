"""The contract on ``request_id``: replays, conflicts, and where they come in the order
of the checks."""

from __future__ import annotations

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    Op,
    Scene,
    SceneContract,
    only,
)


class IdempotencyContract(SceneContract):
    """Request ids: a replay returns the same entries, a reuse for another call is a
    conflict."""

    # --- request ids ----------------------------------------------------------------------

    def test_a_replayed_request_returns_equal_entries_and_changes_nothing(
        self, scene: Scene
    ) -> None:
        """The same call with the same request_id returns the very same entries again."""
        booking_id = scene.booking(2)
        first = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd", request_id="req-1"
        )
        assert [e.request_id for e in first] == ["req-1", "req-1"]
        state = scene.state()
        again = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd", request_id="req-1"
        )
        assert again == first
        assert scene.state() == state
        assert "req-1" in scene.snapshot().request_ids

    def test_a_replay_is_answered_even_after_the_room_has_moved_on(self, scene: Scene) -> None:
        """A repeated checkout returns its entry although the room is no longer occupied and
        its clerk has since been deactivated."""
        scene.checked_in("R101")
        first = services.checkout_room(
            scene.uow, room_id="R101", staff_id="fd", request_id="req-out"
        )
        scene.clean("R101")
        services.deactivate_staff(scene.uow, staff_id="fd")
        state = scene.state()
        again = services.checkout_room(
            scene.uow, room_id="R101", staff_id="fd", request_id="req-out"
        )
        assert again == first
        assert scene.state() == state

    def test_a_request_id_reused_for_another_call_is_request_id_conflict(
        self, scene: Scene
    ) -> None:
        """Other arguments or another operation under a used request_id are refused."""
        services.mark_dirty(scene.uow, room_id="R101", staff_id="hk", request_id="req-2")
        error = scene.refused(
            ho.RequestIdConflict,
            services.mark_dirty,
            room_id="R102",
            staff_id="hk",
            request_id="req-2",
        )
        assert error.request_id == "req-2"
        scene.refused(
            ho.RequestIdConflict,
            services.start_cleaning,
            room_id="R101",
            staff_id="hk",
            request_id="req-2",
        )

    def test_a_request_id_conflict_is_found_before_existence_and_state(self, scene: Scene) -> None:
        """A used request_id on a call naming an unknown room is RequestIdConflict."""
        services.mark_dirty(scene.uow, room_id="R101", staff_id="hk", request_id="req-3")
        scene.refused(
            ho.RequestIdConflict,
            services.checkout_room,
            room_id="NOPE",
            staff_id="fd",
            request_id="req-3",
        )

    def test_bad_input_is_refused_before_the_request_id_is_looked_at(self, scene: Scene) -> None:
        """A used request_id on a call with bad input is InvalidInput, not a conflict."""
        services.mark_dirty(scene.uow, room_id="R101", staff_id="hk", request_id="req-6")
        scene.refused(
            ho.InvalidInput,
            services.mark_dirty,
            room_id=" R101",
            staff_id="hk",
            request_id="req-6",
        )

    def test_request_ids_are_unique_across_hotels(self, scene: Scene) -> None:
        """A request_id used in hotel H conflicts with a call in hotel H2."""
        scene.second_hotel()
        services.mark_dirty(scene.uow, room_id="R101", staff_id="fd", request_id="req-4")
        scene.refused(
            ho.RequestIdConflict,
            services.mark_dirty,
            room_id="R2-101",
            staff_id="fd2",
            request_id="req-4",
        )

    def test_a_refused_call_does_not_use_up_its_request_id(self, scene: Scene) -> None:
        """After a refusal the same request_id serves the same call once it can succeed."""
        scene.dirty("R102")
        booking_id = scene.pre_assigned("R102")
        scene.refused(
            ho.RoomNotAvailable,
            services.check_in,
            booking_id=booking_id,
            staff_id="fd",
            request_id="req-5",
        )
        assert "req-5" not in scene.snapshot().request_ids
        scene.clean("R102")
        entry = only(
            services.check_in(scene.uow, booking_id=booking_id, staff_id="fd", request_id="req-5")
        )
        assert (entry.operation, entry.request_id) == (Op.CHECKIN, "req-5")
        assert scene.occupancy("R102").is_occupied
