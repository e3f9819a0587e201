"""A reproducible simulation of several days at a hotel, through the public services only.

Used by ``hotel-occupancy demo``. Rooms, staff and bookings are generated from a seed; the
same seed and sizes give the same story (PINs aside, which come from ``secrets``). Each
day has departures (some early), housekeeping with inspections that sometimes fail,
rooms going out of order or into maintenance and coming back, pre-assignments, arrivals
and walk-ins, check-ins undone because they were made in error, and room moves.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from attrs import define, field, frozen

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.services.ports import UnitOfWork

__all__ = ["SimulationReport", "simulate"]

HOTEL_ID = "harbour-view"
FIRST_DAY = date(2026, 6, 1)
FIRST_NAMES = [
    "Ada",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Fatima",
    "Goran",
    "Hana",
    "Ines",
    "Jon",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
]
LAST_NAMES = [
    "Okafor",
    "Lee",
    "Garcia",
    "Novak",
    "Smith",
    "Haddad",
    "Kim",
    "Rossi",
    "Silva",
    "Nguyen",
    "Müller",
    "Dubois",
    "Kowalski",
    "Tanaka",
    "Olsen",
    "Costa",
]


@frozen
class SimulationReport:
    """What happened: the hotel simulated, operations by service, refusals by error."""

    hotel_id: str
    days: int
    rooms: int
    bookings: int
    operations: dict[str, int]
    refusals: dict[str, int]
    unplaced_arrivals: int


class _Clock:
    """The simulation's clock: it is wherever the story says it is."""

    def __init__(self) -> None:
        self.now = datetime.combine(FIRST_DAY, time(6), UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)  # every reading a little later, as in real life
        return self.now

    def set(self, day: date, hour: int, minute: int = 0) -> None:
        self.now = max(self.now, datetime.combine(day, time(hour, minute), UTC))


@define
class _Run:
    uow: UnitOfWork
    rng: random.Random
    clock: _Clock
    rooms: dict[str, int] = field(factory=dict)  # room id -> capacity
    operations: Counter[str] = field(factory=Counter)
    refusals: Counter[str] = field(factory=Counter)
    next_booking: int = 1
    unplaced: int = 0

    def do(self, service: Callable[..., tuple[ho.LogEntry, ...]], **kwargs: object) -> bool:
        """Call a service; count it, or count the refusal (the story then moves on)."""
        try:
            service(self.uow, **kwargs)
        except ho.RoomOccupancyError as error:
            self.refusals[type(error).__name__] += 1
            return False
        self.operations[service.__name__] += 1
        return True

    def board(self) -> dict[str, ho.BoardRow]:
        return {row.room_id: row for row in services.room_board(self.uow, HOTEL_ID)}

    def ready_rooms(self, party: int) -> list[str]:
        """Vacant, inspected rooms that fit ``party``, smallest first."""
        return sorted(
            (
                r
                for r, row in self.board().items()
                if row.status is ho.OccupancyStatus.VACANT_CLEAN
                and row.booking_id is None
                and row.condition is ho.Condition.INSPECTED
                and self.rooms[r] >= party
            ),
            key=lambda r: (self.rooms[r], r),
        )

    def new_booking(self, day: date) -> tuple[str, int, date]:
        n = self.next_booking
        self.next_booking += 1
        size = self.rng.choices([1, 2, 3, 4], weights=[35, 45, 12, 8])[0]
        last = self.rng.choice(LAST_NAMES)
        booking_id = f"bk-{n:05d}"
        departure = day + timedelta(days=self.rng.choice([0, 1, 1, 2, 2, 3, 4]))
        services.register_booking(
            self.uow,
            hotel_id=HOTEL_ID,
            booking_id=booking_id,
            reference=f"HV-{day:%y%m%d}-{n:04d}",
            arrival=day,
            departure=departure,
            party=[
                ho.BookingGuest(f"{booking_id}-{i}", self.rng.choice(FIRST_NAMES), last)
                for i in range(size)
            ],
        )
        return booking_id, size, departure


def _setup(run: _Run, rooms: int) -> None:
    uow = run.uow
    services.register_hotel(
        uow,
        hotel_id=HOTEL_ID,
        name="Harbour View Hotel",
        require_inspection=True,
        timezone="UTC",
        checkout_time=time(11),
    )
    per_floor = max(1, min(20, (rooms + 2) // 3))
    for index in range(rooms):
        floor, slot = divmod(index, per_floor)
        number = f"{floor + 1}{slot + 1:02d}"
        capacity = run.rng.choices([1, 2, 3, 4], weights=[15, 55, 20, 10])[0]
        run.rooms[f"room-{number}"] = capacity
        services.register_room(
            uow, hotel_id=HOTEL_ID, room_id=f"room-{number}", number=number, capacity=capacity
        )
    staff = [
        ("amara", "Amara", "FRONT_DESK"),
        ("bo", "Bo", "FRONT_DESK"),
        ("carmen", "Carmen", "HOUSEKEEPING"),
        ("dmitri", "Dmitri", "HOUSEKEEPING"),
        ("esi", "Esi", "HOUSEKEEPING"),
        ("farid", "Farid", "SUPERVISOR"),
        ("grace", "Grace", "MAINTENANCE"),
        ("hugo", "Hugo", "MANAGER"),
    ]
    for staff_id, name, role in staff:
        services.register_staff(
            uow, hotel_id=HOTEL_ID, staff_id=staff_id, name=name, role=ho.StaffRole(role)
        )
    for room_id in run.rooms:  # opening round: the supervisor inspects every room
        run.do(services.inspect_room, room_id=room_id, staff_id="farid", notes="opening round")


def _departures(run: _Run, day: date, in_house: dict[str, date], hour: int) -> None:
    """Guests due out leave, half of them at 07:00 and the rest by 11:00; a few leave early."""
    run.clock.set(day, hour)
    for row in run.board().values():
        if row.status is not ho.OccupancyStatus.OCCUPIED or row.booking_id is None:
            continue
        due = in_house[row.booking_id] <= day and (hour >= 11 or run.rng.random() < 0.5)
        early = not due and hour < 11 and run.rng.random() < 0.06
        if due or early:
            notes = "early departure" if early else ""
            if run.do(services.checkout_room, room_id=row.room_id, staff_id="amara", notes=notes):
                in_house.pop(row.booking_id)


def _housekeeping(run: _Run, day: date, hour: int) -> None:
    """Clean every dirty room (and, in the morning, most occupied ones) and inspect it."""
    run.clock.set(day, hour)
    cleaners = ["carmen", "dmitri", "esi"]
    for row in run.board().values():  # stayover service for most occupied rooms
        if hour < 12 and row.status is ho.OccupancyStatus.OCCUPIED and run.rng.random() < 0.7:
            run.do(services.mark_dirty, room_id=row.room_id, staff_id="carmen", notes="stayover")
    for row in sorted(run.board().values(), key=lambda r: r.number):
        if row.condition is not ho.Condition.DIRTY:
            continue
        cleaner = run.rng.choice(cleaners)
        run.do(services.start_cleaning, room_id=row.room_id, staff_id=cleaner)
        run.do(services.complete_cleaning, room_id=row.room_id, staff_id=cleaner)
        if run.rng.random() < 0.12:
            run.do(
                services.inspect_room,
                room_id=row.room_id,
                staff_id="farid",
                passed=False,
                notes=run.rng.choice(["hair in the sink", "bed not made", "towels missing"]),
            )
            run.do(services.start_cleaning, room_id=row.room_id, staff_id=cleaner)
            run.do(services.complete_cleaning, room_id=row.room_id, staff_id=cleaner)
        run.do(services.inspect_room, room_id=row.room_id, staff_id="farid")


def _maintenance(run: _Run, day: date) -> None:
    run.clock.set(day, 10)
    board = run.board()
    for row in board.values():  # yesterday's repairs are done
        if row.status in (ho.OccupancyStatus.OUT_OF_ORDER, ho.OccupancyStatus.MAINTENANCE):
            run.do(
                services.return_to_service, room_id=row.room_id, staff_id="grace", notes="repaired"
            )
            run.do(services.start_cleaning, room_id=row.room_id, staff_id="esi")
            run.do(services.complete_cleaning, room_id=row.room_id, staff_id="esi")
            run.do(services.inspect_room, room_id=row.room_id, staff_id="farid")
    free = [
        r
        for r, row in board.items()
        if row.status is ho.OccupancyStatus.VACANT_CLEAN and row.booking_id is None
    ]
    if free and run.rng.random() < 0.5:
        room = run.rng.choice(free)
        if run.rng.random() < 0.5:
            run.do(
                services.set_out_of_order,
                room_id=room,
                staff_id="grace",
                reason=run.rng.choice(["broken window", "water leak", "no hot water"]),
            )
        else:
            run.do(
                services.start_maintenance,
                room_id=room,
                staff_id="grace",
                reason=run.rng.choice(["repaint", "replace carpet", "fix air conditioning"]),
            )


def _arrivals(run: _Run, day: date, in_house: dict[str, date], rooms: int) -> None:
    run.clock.set(day, 12)
    arrivals = [
        run.new_booking(day) for _ in range(max(1, int(rooms * run.rng.uniform(0.25, 0.45))))
    ]
    placed: dict[str, str] = {}
    for booking_id, size, _ in arrivals:  # pre-assign most arrivals, in any condition
        if run.rng.random() < 0.6:
            candidates = [
                r
                for r, row in run.board().items()
                if row.status in (ho.OccupancyStatus.VACANT_CLEAN, ho.OccupancyStatus.VACANT_DIRTY)
                and row.booking_id is None
                and run.rooms[r] >= size
            ]
            if candidates:
                room = run.rng.choice(sorted(candidates))
                if run.do(
                    services.assign_room,
                    booking_id=booking_id,
                    room_id=room,
                    staff_id="bo",
                    check_in=False,
                ):
                    placed[booking_id] = room
    run.clock.set(day, 15)
    for booking_id, size, departure in arrivals:
        if booking_id in placed:
            if run.do(services.check_in, booking_id=booking_id, staff_id="amara"):
                in_house[booking_id] = departure
                continue
            ready = run.ready_rooms(size)  # its room is not ready: move the assignment
            if ready and run.do(
                services.reassign_room,
                booking_id=booking_id,
                to_room_id=ready[0],
                staff_id="amara",
                notes="room not ready",
            ):
                if run.do(services.check_in, booking_id=booking_id, staff_id="amara"):
                    in_house[booking_id] = departure
                continue
            run.do(
                services.unassign_room,
                booking_id=booking_id,
                staff_id="amara",
                notes="no room ready",
            )
            run.unplaced += 1
            continue
        ready = run.ready_rooms(size)  # a walk-in or an arrival without a room yet
        if not ready:
            run.unplaced += 1
            continue
        room = ready[0]
        if not run.do(services.assign_room, booking_id=booking_id, room_id=room, staff_id="bo"):
            run.unplaced += 1
            continue
        in_house[booking_id] = departure
        if run.rng.random() < 0.12:  # checked into the wrong room: undo and redo
            run.do(
                services.unassign_room,
                booking_id=booking_id,
                staff_id="bo",
                notes="checked in to the wrong room",
            )
            in_house.pop(booking_id)
            others = [r for r in run.ready_rooms(size) if r != room] or [room]
            if run.do(
                services.assign_room, booking_id=booking_id, room_id=others[0], staff_id="bo"
            ):
                in_house[booking_id] = departure


def _moves(run: _Run, day: date) -> None:
    run.clock.set(day, 20)
    for row in list(run.board().values()):
        if row.status is ho.OccupancyStatus.OCCUPIED and run.rng.random() < 0.08:
            ready = [r for r in run.ready_rooms(row.guest_count) if r != row.room_id]
            if ready:
                run.do(
                    services.move_guest,
                    from_room_id=row.room_id,
                    to_room_id=ready[-1],
                    staff_id="bo",
                    reason=run.rng.choice(["noise", "upgrade", "broken heating"]),
                )


def simulate(
    uow: UnitOfWork,
    *,
    seed: int = 7,
    days: int = 5,
    rooms: int = 24,
    progress: Callable[[int, int], object] | None = None,
) -> SimulationReport:
    """Simulate ``days`` days at a new hotel of ``rooms`` rooms on ``uow``.

    Build ``uow`` with ``clock=simulation_clock()``: the story sets the time of day.
    ``progress(day, days)`` is called after each day.
    """
    if days < 1 or rooms < 1:
        raise ValueError("a simulation needs at least one day and one room")
    clock = getattr(uow, "clock", None)
    if not isinstance(clock, _Clock):
        raise ValueError("build the unit of work with clock=simulation_clock()")
    run = _Run(uow=uow, rng=random.Random(seed), clock=clock)
    _setup(run, rooms)
    in_house: dict[str, date] = {}
    for index in range(days):
        day = FIRST_DAY + timedelta(days=index)
        _departures(run, day, in_house, hour=7)
        _housekeeping(run, day, hour=9)
        _maintenance(run, day)
        _departures(run, day, in_house, hour=11)
        _arrivals(run, day, in_house, rooms)
        _housekeeping(run, day, hour=16)
        _moves(run, day)
        if progress is not None:
            progress(index + 1, days)
    return SimulationReport(
        hotel_id=HOTEL_ID,
        days=days,
        rooms=rooms,
        bookings=run.next_booking - 1,
        operations=dict(run.operations),
        refusals=dict(run.refusals),
        unplaced_arrivals=run.unplaced,
    )


def simulation_clock() -> Callable[[], datetime]:
    """The clock to build the simulation's unit of work with."""
    return _Clock()
