"""The contract on housekeeping: dirty rooms, cleaning, inspection, rooms out of order
and in maintenance, and the tasks that follow them."""

from __future__ import annotations

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    CLEAN,
    CLEANING,
    DIRTY,
    HOTEL,
    INSPECTED,
    MAINT,
    OCC,
    OOO,
    VC,
    VD,
    Op,
    Scene,
    SceneContract,
    only,
    shape,
)


class HousekeepingContract(SceneContract):
    """``mark_dirty``, ``start_cleaning``, ``complete_cleaning``, ``inspect_room``,
    ``set_out_of_order``, ``start_maintenance`` and ``return_to_service``."""

    # --- housekeeping ---------------------------------------------------------------------

    def test_mark_dirty_on_an_occupied_room_opens_a_cleaning_task(self, scene: Scene) -> None:
        """Stayover service: condition DIRTY, status still OCCUPIED, one CLEANING task."""
        booking_id = scene.checked_in("R101")
        entry = only(services.mark_dirty(scene.uow, room_id="R101", staff_id="hk", notes="st"))
        assert shape(entry) == (Op.STATUS_CHANGE, OCC, OCC, CLEAN, DIRTY)
        assert (entry.booking_id, entry.performed_by, entry.notes) == (booking_id, "hk", "st")
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
            OCC,
            DIRTY,
            booking_id,
        )
        task = only(scene.stored_tasks("R101"))
        assert (task.kind, task.status, task.created_by) == (
            ho.TaskKind.CLEANING,
            ho.TaskStatus.OPEN,
            "hk",
        )

    def test_cleaning_moves_the_condition_and_closes_the_task(self, scene: Scene) -> None:
        """CLEAN_START sets CLEANING with the task in progress; CLEAN_COMPLETE sets CLEAN,
        last_cleaned_by and the task DONE (no inspection task in this hotel)."""
        scene.dirty("R101", "fd")
        started = only(services.start_cleaning(scene.uow, room_id="R101", staff_id="hk"))
        assert shape(started) == (Op.CLEAN_START, VD, VD, DIRTY, CLEANING)
        task = only(scene.stored_tasks("R101"))
        assert (task.status, task.assigned_to) == (ho.TaskStatus.IN_PROGRESS, "hk")
        done = only(
            services.complete_cleaning(scene.uow, room_id="R101", staff_id="hk", notes="ok")
        )
        assert shape(done) == (Op.CLEAN_COMPLETE, VD, VC, CLEANING, CLEAN)
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.last_cleaned_by) == (
            VC,
            CLEAN,
            "hk",
        )
        task = only(scene.stored_tasks("R101"))
        assert (task.kind, task.status) == (ho.TaskKind.CLEANING, ho.TaskStatus.DONE)
        assert services.open_tasks(scene.uow, HOTEL) == ()

    def test_cleaning_steps_out_of_order_are_invalid_transitions(self, scene: Scene) -> None:
        """start_cleaning needs DIRTY, complete_cleaning CLEANING, mark_dirty CLEAN."""
        scene.refused(ho.InvalidTransition, services.start_cleaning, room_id="R101", staff_id="hk")
        scene.dirty("R101")
        scene.refused(
            ho.InvalidTransition, services.complete_cleaning, room_id="R101", staff_id="hk"
        )
        error = scene.refused(
            ho.InvalidTransition, services.mark_dirty, room_id="R101", staff_id="hk"
        )
        assert error.room_id == "R101"

    def test_a_passed_inspection_marks_the_room_inspected(self, scene: Scene) -> None:
        """INSPECT passed: condition INSPECTED and last_inspected_by set."""
        entry = only(services.inspect_room(scene.uow, room_id="R101", staff_id="sup"))
        assert shape(entry) == (Op.INSPECT, VC, VC, CLEAN, INSPECTED)
        assert entry.metadata["passed"] is True
        occupancy = scene.occupancy("R101")
        assert (occupancy.condition, occupancy.last_inspected_by) == (INSPECTED, "sup")

    def test_a_failed_inspection_makes_the_room_dirty_with_a_cleaning_task(
        self, scene: Scene
    ) -> None:
        """INSPECT failed: condition DIRTY, VACANT_DIRTY, one CLEANING task."""
        entry = only(services.inspect_room(scene.uow, room_id="R101", staff_id="sup", passed=False))
        assert shape(entry) == (Op.INSPECT, VC, VD, CLEAN, DIRTY)
        assert entry.metadata["passed"] is False
        assert scene.occupancy("R101").last_inspected_by is None
        task = only(scene.stored_tasks("R101", open_only=True))
        assert task.kind is ho.TaskKind.CLEANING

    def test_inspecting_a_room_that_is_not_clean_is_invalid_transition(self, scene: Scene) -> None:
        """Only a CLEAN room can be inspected (not an INSPECTED or DIRTY one)."""
        services.inspect_room(scene.uow, room_id="R101", staff_id="sup")
        scene.refused(ho.InvalidTransition, services.inspect_room, room_id="R101", staff_id="sup")
        scene.dirty("R102")
        scene.refused(ho.InvalidTransition, services.inspect_room, room_id="R102", staff_id="sup")

    def test_where_inspection_is_required_cleaning_opens_an_inspection_task(
        self, scene: Scene
    ) -> None:
        """complete_cleaning opens an INSPECTION task that a passed inspection closes."""
        scene.inspected_hotel()
        scene.dirty("RI1", "hkI")
        scene.clean("RI1", "hkI")
        cleaning, inspection = scene.stored_tasks("RI1")
        assert (cleaning.kind, cleaning.status) == (ho.TaskKind.CLEANING, ho.TaskStatus.DONE)
        assert (inspection.kind, inspection.status) == (ho.TaskKind.INSPECTION, ho.TaskStatus.OPEN)
        services.inspect_room(scene.uow, room_id="RI1", staff_id="supI")
        closed = only(t for t in scene.stored_tasks("RI1") if t.kind is ho.TaskKind.INSPECTION)
        assert closed.status is ho.TaskStatus.DONE
        occupancy = scene.occupancy("RI1")
        assert (occupancy.condition, occupancy.last_inspected_by) == (INSPECTED, "supI")
        assert services.open_tasks(scene.uow, "HI") == ()

    def test_mark_dirty_cancels_an_open_inspection_task(self, scene: Scene) -> None:
        """A room found dirty before its inspection gets a CLEANING task instead."""
        scene.inspected_hotel()
        scene.dirty("RI1", "hkI")
        scene.clean("RI1", "hkI")
        scene.dirty("RI1", "hkI")
        inspection = only(t for t in scene.stored_tasks("RI1") if t.kind is ho.TaskKind.INSPECTION)
        assert inspection.status is ho.TaskStatus.CANCELLED
        task = only(scene.stored_tasks("RI1", open_only=True))
        assert task.kind is ho.TaskKind.CLEANING

    # --- out of order and maintenance -----------------------------------------------------

    def test_out_of_order_keeps_the_condition_until_returned_to_service_clean(
        self, scene: Scene
    ) -> None:
        """OUT_OF_ORDER keeps DIRTY and its task; return_to_service CLEAN cancels the task."""
        scene.dirty("R101")
        entry = only(
            services.set_out_of_order(scene.uow, room_id="R101", staff_id="mnt", reason="leak")
        )
        assert shape(entry) == (Op.OUT_OF_ORDER, VD, OOO, DIRTY, DIRTY)
        assert entry.notes == "leak"
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition) == (OOO, DIRTY)
        assert len(scene.stored_tasks("R101", open_only=True)) == 1
        back = only(
            services.return_to_service(
                scene.uow, room_id="R101", staff_id="mnt", condition=ho.Condition.CLEAN
            )
        )
        assert shape(back) == (Op.STATUS_CHANGE, OOO, VC, DIRTY, CLEAN)
        task = only(scene.stored_tasks("R101"))
        assert task.status is ho.TaskStatus.CANCELLED

    def test_maintenance_opens_a_task_that_return_to_service_closes(self, scene: Scene) -> None:
        """MAINTENANCE opens a MAINTENANCE task; returning DIRTY closes it and opens cleaning."""
        entry = only(
            services.start_maintenance(scene.uow, room_id="R101", staff_id="mnt", reason="paint")
        )
        assert shape(entry) == (Op.MAINTENANCE, VC, MAINT, CLEAN, CLEAN)
        task = only(scene.stored_tasks("R101", open_only=True))
        assert (task.kind, task.status) == (ho.TaskKind.MAINTENANCE, ho.TaskStatus.OPEN)
        back = only(services.return_to_service(scene.uow, room_id="R101", staff_id="mnt"))
        assert shape(back) == (Op.STATUS_CHANGE, MAINT, VD, CLEAN, DIRTY)
        by_kind = {t.kind: t.status for t in scene.stored_tasks("R101")}
        assert by_kind == {
            ho.TaskKind.MAINTENANCE: ho.TaskStatus.DONE,
            ho.TaskKind.CLEANING: ho.TaskStatus.OPEN,
        }

    def test_occupied_or_assigned_rooms_cannot_leave_service(self, scene: Scene) -> None:
        """Out of order or maintenance of an occupied or assigned room is InvalidTransition."""
        scene.checked_in("R101")
        scene.pre_assigned("R102")
        scene.refused(
            ho.InvalidTransition,
            services.set_out_of_order,
            room_id="R101",
            staff_id="mnt",
            reason="leak",
        )
        scene.refused(
            ho.InvalidTransition,
            services.start_maintenance,
            room_id="R102",
            staff_id="mnt",
            reason="paint",
        )

    def test_return_to_service_is_refused_inspected_or_for_a_room_in_service(
        self, scene: Scene
    ) -> None:
        """INSPECTED is bad input; a room in service cannot return to it."""
        scene.refused(
            ho.InvalidTransition, services.return_to_service, room_id="R101", staff_id="mnt"
        )
        services.set_out_of_order(scene.uow, room_id="R101", staff_id="mnt", reason="leak")
        scene.refused(
            ho.InvalidInput,
            services.return_to_service,
            room_id="R101",
            staff_id="mnt",
            condition=ho.Condition.INSPECTED,
        )

    def test_a_room_out_of_order_cannot_take_a_booking(self, scene: Scene) -> None:
        """Pre-assigning a room out of order is RoomNotAvailable."""
        services.set_out_of_order(scene.uow, room_id="R101", staff_id="mnt", reason="leak")
        booking_id = scene.booking()
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="fd",
            check_in=False,
        )
