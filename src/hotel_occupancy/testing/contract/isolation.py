"""The contract on what surrounds every operation: log entry ids, timestamps read from
the clock, events published once and only after commit, a failing notifier, and frozen
returned objects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.testing.contract.scene import (
    CLEANING,
    DIRTY,
    HOTEL,
    OCC,
    VC,
    Op,
    ProbeNotifier,
    Scene,
    SceneContract,
    SteppingClock,
    UnitOfWorkFactory,
    assign,
    build_scene,
    is_aware_utc,
    only,
)


class IsolationContract(SceneContract):
    """The log, events after commit, timestamps and the clock, frozen returned objects."""

    # --- the log, events, timestamps and returned objects ---------------------------------

    def test_log_entry_ids_increase_with_every_entry(self, scene: Scene) -> None:
        """Ids grow within a call and from one call to the next, as stored."""
        booking_id = scene.booking()
        returned = list(
            services.assign_room(scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
        )
        returned += services.mark_dirty(scene.uow, room_id="R101", staff_id="hk")
        returned += services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        returned += services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        ids = [e.id for e in returned]
        assert ids == sorted(set(ids))
        assert tuple(returned) == scene.snapshot().log

    def test_timestamps_are_aware_utc_and_read_from_the_clock(self, scene: Scene) -> None:
        """Every stored timestamp is aware UTC and one the clock handed out."""
        booking_id = scene.checked_in("R101", 2)
        scene.dirty("R101")
        services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        snapshot = scene.snapshot()
        found: list[datetime] = []
        entities: list[ho.Booking | ho.RoomOccupancy | ho.HousekeepingTask | ho.LogEntry] = [
            *snapshot.bookings,
            *snapshot.occupancies,
            *snapshot.tasks,
            *snapshot.log,
        ]
        for entity in entities:
            for name, value in attrs.asdict(entity, recurse=False).items():
                if isinstance(value, datetime) and name != "expected_checkout":
                    found.append(value)
        assert found
        for value in found:
            assert is_aware_utc(value), value
            assert value in scene.clock.handed_out, value
        assert scene.stored_booking(booking_id).checked_out_at == snapshot.log[-1].timestamp

    def test_a_clock_in_another_zone_is_stored_as_utc(self, uow_factory: UnitOfWorkFactory) -> None:
        """A clock answering in UTC+05:30 gives the same instants, stored and read as UTC."""
        clock = SteppingClock(zone=timezone(timedelta(hours=5, minutes=30)))
        scene = build_scene(uow_factory, clock=clock)
        booking_id = scene.booking()
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd"
        )
        for value in (
            entries[0].timestamp,
            scene.occupancy("R101").occupied_since,
            scene.stored_booking(booking_id).checked_in_at,
            scene.snapshot().log[0].timestamp,
        ):
            assert value is not None
            assert is_aware_utc(value)
            assert value in clock.handed_out
        scene.assert_sound()

    def test_every_log_entry_is_published_once_with_its_hotel(self, scene: Scene) -> None:
        """The events are exactly the stored entries, in order, each with its hotel_id."""
        scene.second_hotel()
        scene.checked_in("R101")
        scene.checked_in("R2-101", hotel_id="H2", staff_id="fd2")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.checkout_room(scene.uow, room_id="R2-101", staff_id="fd2")
        log = scene.snapshot().log
        assert scene.notifier.events == [ho.OccupancyEvent.from_entry(e) for e in log]
        rooms = {r.room_id: r.hotel_id for r in scene.snapshot().rooms}
        for event in scene.notifier.events:
            assert event.room_id is not None
            assert event.hotel_id == rooms[event.room_id]
        assert {e.hotel_id for e in scene.notifier.events} == {HOTEL, "H2"}

    def test_events_are_published_only_after_commit(self, uow_factory: UnitOfWorkFactory) -> None:
        """When an event arrives, uow.snapshot() already shows its entry and its effects."""
        notifier = ProbeNotifier()
        scene = build_scene(uow_factory, notifier=notifier)
        seen: list[tuple[bool, ho.OccupancyStatus]] = []
        failures: list[Exception] = []

        def probe(event: ho.OccupancyEvent) -> None:
            try:
                snapshot = scene.uow.snapshot()
            except Exception as error:
                failures.append(error)
                return
            stored = {e.id for e in snapshot.log}
            status = only(o for o in snapshot.occupancies if o.room_id == event.room_id).status
            seen.append((event.entry_id in stored, status))

        notifier.on_publish = probe
        booking_id = scene.booking()
        services.assign_room(scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd")
        assert failures == [], "uow.snapshot() failed inside the notifier"
        assert seen == [(True, OCC), (True, OCC)]
        scene.assert_sound()

    def test_a_failing_notifier_does_not_undo_the_operation(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """A notifier that raises loses its event, but the operation stays committed."""
        notifier = ProbeNotifier()
        scene = build_scene(uow_factory, notifier=notifier)
        notifier.failing = True
        entry = only(services.mark_dirty(scene.uow, room_id="R101", staff_id="hk"))
        assert scene.snapshot().log == (entry,)
        assert scene.occupancy("R101").condition is DIRTY
        notifier.failing = False
        services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        assert scene.occupancy("R101").condition is CLEANING
        assert [e.operation for e in notifier.events] == [Op.STATUS_CHANGE, Op.CLEAN_START]
        scene.assert_sound()

    def test_returned_objects_are_frozen(self, scene: Scene) -> None:
        """Entries, occupancies, rows, guests, tasks and allowed operations refuse changes."""
        booking_id = scene.booking()
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd"
        )
        scene.dirty("R101")
        occupancy = scene.occupancy("R101")
        targets: list[tuple[object, str, object]] = [
            (entries[0], "notes", "changed"),
            (occupancy, "status", VC),
            (services.room_board(scene.uow, HOTEL)[0], "guest_count", 99),
            (services.current_guests(scene.uow, "R101")[0], "id_pin", "000000"),
            (services.open_tasks(scene.uow, HOTEL)[0], "status", ho.TaskStatus.DONE),
            (services.allowed_operations(scene.uow, "R101")[0], "allowed", False),
            (services.room_history(scene.uow, "R101")[0], "operation", Op.MOVE),
        ]
        for obj, name, value in targets:
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                assign(obj, name, value)
        assert scene.occupancy("R101") == occupancy
        assert services.booking_history(scene.uow, booking_id)[-1] == entries[0]
