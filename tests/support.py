"""Test support: a controllable clock and a small hotel ready to work with.

The hotel is the contract suite's own (:class:`hotel_occupancy.testing.Scene`, hotel ``H``
of :meth:`~hotel_occupancy.testing.Scene.main_hotel`), on the in-memory adapter, with the
names these tests have always used: hotel "Hotel Test", booking references ``REF-0001``,
party last names ``Last1``, a clock from 14:00:00 UTC moving one second per reading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import hotel_occupancy as ho
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.testing import Scene, SteppingClock
from hotel_occupancy.testing.contract.scene import HOTEL, STAFF

__all__ = ["STAFF", "START", "FakeClock", "World", "make_world"]

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


class FakeClock(SteppingClock):
    """The suite's stepping clock from :data:`START`, by one second per call by default;
    ``advance(...)`` and ``now`` move it without a reading."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)) -> None:
        super().__init__(start, step)


class World(Scene):
    """One hotel ``H`` with rooms 101-104 (capacity 2) and 201 (no limit), one staff member
    per role (ids ``fd``, ``hk``, ``sup``, ``mnt``, ``mgr``), on an in-memory store.

    A :class:`~hotel_occupancy.testing.Scene` whose bookings are referenced ``REF-0001``,
    ``REF-0002``... and whose :meth:`snapshot` is the scene's :meth:`state`.
    """

    hotel_id = HOTEL
    uow: InMemoryUnitOfWork

    def __init__(
        self, uow: InMemoryUnitOfWork, notifier: RecordingNotifier, clock: SteppingClock
    ) -> None:
        super().__init__(uow, clock, notifier, references="REF-{n:04d}", surnames="Last{n}")

    def snapshot(self) -> tuple[StoreSnapshot, tuple[ho.OccupancyEvent, ...]]:  # type: ignore[override]
        """The whole store and every event published so far."""
        return self.state()


def make_world(*, require_inspection: bool = False, timezone_name: str = "UTC") -> World:
    """Hotel ``H`` ("Hotel Test") on a new in-memory store, with a :class:`FakeClock`."""
    clock = FakeClock()
    notifier = RecordingNotifier()
    world = World(
        uow=InMemoryUnitOfWork(clock=clock, notifier=notifier), notifier=notifier, clock=clock
    )
    world.main_hotel(
        name="Hotel Test", require_inspection=require_inspection, timezone=timezone_name
    )
    return world
