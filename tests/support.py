"""Test support: a controllable clock and a small hotel ready to work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.services.ports import UnitOfWork

START = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


class FakeClock:
    """A clock that moves only when told to (by one second per call by default)."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now += self.step
        return current

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


STAFF = {
    "fd": ho.StaffRole.FRONT_DESK,
    "hk": ho.StaffRole.HOUSEKEEPING,
    "sup": ho.StaffRole.SUPERVISOR,
    "mnt": ho.StaffRole.MAINTENANCE,
    "mgr": ho.StaffRole.MANAGER,
}


@dataclass
class World:
    """One hotel ``H`` with rooms 101-104 (capacity 2) and 201 (no limit), one staff member
    per role (ids ``fd``, ``hk``, ``sup``, ``mnt``, ``mgr``), on an in-memory store."""

    uow: UnitOfWork
    notifier: RecordingNotifier
    clock: FakeClock
    hotel_id: str = "H"
    _ids: count[int] = field(default_factory=lambda: count(1))

    def booking(self, guests: int = 1, *, booking_id: str | None = None) -> str:
        """Register an arriving booking with ``guests`` party members; return its id."""
        n = next(self._ids)
        booking_id = booking_id or f"B{n}"
        services.register_booking(
            self.uow,
            hotel_id=self.hotel_id,
            booking_id=booking_id,
            reference=f"REF-{n:04d}",
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 12),
            party=[
                ho.BookingGuest(f"{booking_id}-g{i}", f"First{i}", f"Last{n}")
                for i in range(guests)
            ],
        )
        return booking_id

    def checked_in(self, room_id: str, guests: int = 1) -> str:
        """A new booking assigned to and checked into ``room_id``; return its id."""
        booking_id = self.booking(guests)
        services.assign_room(self.uow, booking_id=booking_id, room_id=room_id, staff_id="fd")
        return booking_id

    def occupancy(self, room_id: str) -> ho.RoomOccupancy:
        return services.get_occupancy(self.uow, room_id)

    def snapshot(self) -> tuple[StoreSnapshot, tuple[ho.OccupancyEvent, ...]]:
        """The whole store and every event published so far."""
        assert isinstance(self.uow, InMemoryUnitOfWork)
        return self.uow.store.snapshot(), tuple(self.notifier.events)

    def assert_sound(self) -> None:
        """Every invariant holds."""
        snapshot, _ = self.snapshot()
        assert check_invariants(snapshot) == []


def make_world(*, require_inspection: bool = False, timezone_name: str = "UTC") -> World:
    clock = FakeClock()
    notifier = RecordingNotifier()
    uow = InMemoryUnitOfWork(clock=clock, notifier=notifier)
    services.register_hotel(
        uow,
        hotel_id="H",
        name="Hotel Test",
        require_inspection=require_inspection,
        timezone=timezone_name,
    )
    for number in ("101", "102", "103", "104"):
        services.register_room(uow, hotel_id="H", room_id=f"R{number}", number=number, capacity=2)
    services.register_room(uow, hotel_id="H", room_id="R201", number="201")
    for staff_id, role in STAFF.items():
        services.register_staff(
            uow, hotel_id="H", staff_id=staff_id, name=staff_id.upper(), role=role
        )
    return World(uow=uow, notifier=notifier, clock=clock)
