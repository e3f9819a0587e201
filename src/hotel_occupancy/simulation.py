"""A reproducible simulation of several days at a hotel, through the public services only.

Used by ``hotel-occupancy demo``. Rooms, staff and bookings are generated from a seed; the
same seed and sizes give the same story (PINs aside, which come from ``secrets``). Each
day has departures (some early), housekeeping with inspections that sometimes fail,
rooms going out of order or into maintenance and coming back, pre-assignments, arrivals
and walk-ins, check-ins undone because they were made in error, and room moves; and at
the front desk (§9): stays extended and shortened, arrivals postponed, cancellations and
no-shows, companions joining and leaving, and arrivals pre-assigned into rooms whose guest
is due out, some of them waiting at the desk (queued) while housekeeping turns the room,
checked in as soon as it is ready. The hotel keeps Lisbon time; the story's hours are
local.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import define, field, frozen

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.services.ports import UnitOfWork

__all__ = ["SimulationReport", "simulate"]

HOTEL_ID = "harbour-view"
TIMEZONE = "Europe/Lisbon"
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
    """What happened: the hotel simulated, operations by service, refusals by error, and
    the front desk's story (§9) in counts."""

    hotel_id: str
    days: int
    rooms: int
    bookings: int
    operations: dict[str, int]
    refusals: dict[str, int]
    unplaced_arrivals: int
    last_day: date = FIRST_DAY
    """The date of the last day simulated (the hotel's local date)."""
    stays_extended: int = 0
    stays_shortened: int = 0
    arrivals_postponed: int = 0
    cancellations: int = 0
    no_shows: int = 0
    companions_joined: int = 0
    companions_left: int = 0
    due_out_assignments: int = 0
    """Arrivals pre-assigned to an occupied room whose guest was due out that day."""
    queued_arrivals: int = 0
    """Of those, the ones whose guest waited at the desk (``queue_arrival``)."""
    queued_checked_in: int = 0
    """Queued arrivals checked in as soon as housekeeping had turned their room."""


class _Clock:
    """The simulation's clock: it is wherever the story says it is (the hotel's local
    time of day, read in UTC)."""

    def __init__(self) -> None:
        self.now = _at(FIRST_DAY, 6)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=7)  # every reading a little later, as in real life
        return self.now

    def set(self, day: date, hour: int, minute: int = 0) -> None:
        self.now = max(self.now, _at(day, hour, minute))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` at the hotel, in UTC."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(TIMEZONE)).astimezone(UTC)


@define
class _Arrival:
    """A booking expected on a day, and what has become of it so far."""

    booking_id: str
    size: int
    departure: date
    room: str | None = None  # the room it is pre-assigned to
    due_out_room: bool = False  # pre-assigned into a room whose guest was due out
    queued: bool = False  # the guest waits at the desk
    no_show: bool = False  # the guest will not come
    done: bool = False  # checked in, cancelled, postponed, or given up


CLEANERS = ["carmen", "dmitri", "esi"]


@define
class _Run:
    uow: UnitOfWork
    rng: random.Random
    clock: _Clock
    rooms: dict[str, int] = field(factory=dict)  # room id -> capacity
    operations: Counter[str] = field(factory=Counter)
    refusals: Counter[str] = field(factory=Counter)
    story: Counter[str] = field(factory=Counter)  # what happened, by kind of event
    in_house: dict[str, date] = field(factory=dict)  # booking id -> departure
    expected: dict[date, list[_Arrival]] = field(factory=dict)  # arrivals by day
    next_booking: int = 1
    next_companion: int = 1
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

    def wants(self, kind: str, chance: float) -> bool:
        """Whether an event of ``kind`` happens here: with probability ``chance``, and
        surely while none has happened yet, so that every run of a few days tells every
        kind of event there is an occasion for, whatever the seed."""
        return self.story[kind] == 0 or self.rng.random() < chance

    def happened(self, kind: str) -> None:
        self.story[kind] += 1

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

    def vacant_rooms(self, party: int) -> list[str]:
        """Vacant rooms in service, in any condition, not assigned, that fit ``party``."""
        return sorted(
            r
            for r, row in self.board().items()
            if row.status in (ho.OccupancyStatus.VACANT_CLEAN, ho.OccupancyStatus.VACANT_DIRTY)
            and row.booking_id is None
            and self.rooms[r] >= party
        )

    def party(self, booking_id: str) -> tuple[ho.BookingGuest, ...]:
        return services.get_booking(self.uow, booking_id).booking.party

    def companion(self, booking_id: str, last_name: str) -> ho.BookingGuest:
        """A new member for the party of ``booking_id``, with an id never used before."""
        n = self.next_companion
        self.next_companion += 1
        return ho.BookingGuest(f"{booking_id}-c{n}", self.rng.choice(FIRST_NAMES), last_name)

    def turn(self, room_id: str, notes: str = "") -> None:
        """Housekeeping cleans a dirty room and the supervisor inspects it."""
        cleaner = self.rng.choice(CLEANERS)
        self.do(services.start_cleaning, room_id=room_id, staff_id=cleaner)
        self.do(services.complete_cleaning, room_id=room_id, staff_id=cleaner, notes=notes)
        self.do(services.inspect_room, room_id=room_id, staff_id="farid")

    def new_booking(self, day: date) -> _Arrival:
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
        return _Arrival(booking_id, size, departure)


def _setup(run: _Run, rooms: int) -> None:
    uow = run.uow
    services.register_hotel(
        uow,
        hotel_id=HOTEL_ID,
        name="Harbour View Hotel",
        require_inspection=True,
        timezone=TIMEZONE,
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


def _reservations(run: _Run, day: date, rooms: int) -> None:
    """06:00: the day's new bookings (besides those postponed to it) come in."""
    run.clock.set(day, 6)
    count = max(1, int(rooms * run.rng.uniform(0.25, 0.45)))
    run.expected.setdefault(day, []).extend(run.new_booking(day) for _ in range(count))


def _departures(run: _Run, day: date, hour: int) -> None:
    """Guests due out leave, half of them at 07:00 and the rest by 11:00; a few leave early.
    A room an arrival was pre-assigned to passes to it at the checkout."""
    run.clock.set(day, hour)
    for row in run.board().values():
        if row.status is not ho.OccupancyStatus.OCCUPIED or row.booking_id is None:
            continue
        due = run.in_house[row.booking_id] <= day and (hour >= 11 or run.rng.random() < 0.5)
        early = not due and hour < 11 and run.wants("early", 0.06)
        if due or early:
            notes = "early departure" if early else ""
            if run.do(services.checkout_room, room_id=row.room_id, staff_id="amara", notes=notes):
                run.in_house.pop(row.booking_id)
                if early:
                    run.happened("early")


def _stay_changes(run: _Run, day: date) -> None:
    """08:00 at the desk, for the guests in house: some stay longer (unless their room is
    promised to an arrival), some leave sooner; companions join a party, or leave it."""
    run.clock.set(day, 8)
    for row in run.board().values():
        booking_id = row.booking_id
        if row.status is not ho.OccupancyStatus.OCCUPIED or booking_id is None:
            continue
        departure = run.in_house[booking_id]
        if row.arriving_booking_id is None and run.wants("extended", 0.08):
            longer = departure + timedelta(days=run.rng.choice([1, 1, 2]))
            if run.do(
                services.change_stay,
                booking_id=booking_id,
                staff_id="amara",
                departure=longer,
                notes="staying longer",
            ):
                run.in_house[booking_id] = longer
                run.happened("extended")
        elif departure > day and run.wants("shortened", 0.05):
            sooner = max(day, departure - timedelta(days=run.rng.choice([1, 2])))
            if run.do(
                services.change_stay,
                booking_id=booking_id,
                staff_id="amara",
                departure=sooner,
                notes="leaving sooner",
            ):
                run.in_house[booking_id] = sooner
                run.happened("shortened")
        party = run.party(booking_id)
        if len(party) < run.rooms[row.room_id] and run.wants("joined", 0.08):
            if run.do(
                services.update_party,
                booking_id=booking_id,
                staff_id="amara",
                party=[*party, run.companion(booking_id, party[0].last_name)],
                notes="a companion joined",
            ):
                run.happened("joined")
        elif (
            len(party) > 1
            and run.wants("left", 0.03)
            and run.do(
                services.update_party,
                booking_id=booking_id,
                staff_id="amara",
                party=list(party[:-1]),
                notes="a companion left early",
            )
        ):
            run.happened("left")


def _expected_changes(run: _Run, day: date) -> None:
    """08:30: the day's arrivals call ahead: a few postpone by a day, some bring one more
    guest; then some are pre-assigned to a room whose guest is due out today."""
    run.clock.set(day, 8, 30)
    tomorrow = day + timedelta(days=1)
    for arrival in run.expected.get(day, []):
        if run.wants("postponed", 0.04):
            later = arrival.departure + timedelta(days=1)
            if run.do(
                services.change_stay,
                booking_id=arrival.booking_id,
                staff_id="bo",
                arrival=tomorrow,
                departure=later,
                notes="arriving a day later",
            ):
                arrival.done = True
                run.expected.setdefault(tomorrow, []).append(
                    _Arrival(arrival.booking_id, arrival.size, later)
                )
                run.happened("postponed")
        elif arrival.size < 4 and run.rng.random() < 0.05:
            party = run.party(arrival.booking_id)
            if run.do(
                services.update_party,
                booking_id=arrival.booking_id,
                staff_id="bo",
                party=[*party, run.companion(arrival.booking_id, party[0].last_name)],
                notes="one more in the party",
            ):
                arrival.size += 1
                run.happened("joined")
    for arrival in run.expected.get(day, []):
        if arrival.done or not run.wants("due_out", 0.3):
            continue
        due_out = sorted(
            r
            for r, row in run.board().items()
            if row.status is ho.OccupancyStatus.OCCUPIED
            and row.due_out
            and row.arriving_booking_id is None
            and run.rooms[r] >= arrival.size
        )
        if not due_out:
            continue
        room = run.rng.choice(due_out)
        if run.do(
            services.assign_room,
            booking_id=arrival.booking_id,
            room_id=room,
            staff_id="bo",
            check_in=False,
            notes="the room of a guest leaving today",
        ):
            arrival.room, arrival.due_out_room = room, True
            run.happened("due_out")


def _early_arrivals(run: _Run, day: date) -> None:
    """10:30: some guests arriving into a due-out room come early. Their room is not free
    yet (the check-in is refused: RoomNotAvailable), so they wait at the desk: queued,
    their room's cleaning first."""
    run.clock.set(day, 10, 30)
    for arrival in run.expected.get(day, []):
        if arrival.done or not arrival.due_out_room or not run.wants("queued", 0.6):
            continue
        if run.do(services.check_in, booking_id=arrival.booking_id, staff_id="amara"):
            run.in_house[arrival.booking_id] = arrival.departure  # the guest had left already
            arrival.done = True
        elif run.do(services.queue_arrival, booking_id=arrival.booking_id, staff_id="amara"):
            arrival.queued = True
            run.happened("queued")


def _turnarounds(run: _Run, day: date) -> None:
    """11:30: housekeeping turns the rooms the departures handed to arrivals, those with a
    guest waiting first; a waiting guest is checked in the moment the room is ready."""
    run.clock.set(day, 11, 30)
    waiting = sorted(
        (a for a in run.expected.get(day, []) if a.due_out_room and not a.done),
        key=lambda a: (not a.queued, a.booking_id),
    )
    board = run.board()
    for arrival in waiting:
        row = board[arrival.room or ""]
        if row.booking_id != arrival.booking_id:
            continue  # its departing guest has not left
        if row.status is ho.OccupancyStatus.VACANT_DIRTY:
            run.turn(row.room_id, notes="turned for a waiting guest" if arrival.queued else "")
        if arrival.queued and run.do(
            services.check_in, booking_id=arrival.booking_id, staff_id="amara"
        ):
            run.in_house[arrival.booking_id] = arrival.departure
            arrival.done = True
            run.happened("queued_checked_in")


def _housekeeping(run: _Run, day: date, hour: int) -> None:
    """Clean every dirty room (and, in the morning, most occupied ones) and inspect it."""
    run.clock.set(day, hour)
    for row in run.board().values():  # stayover service for most occupied rooms
        if hour < 12 and row.status is ho.OccupancyStatus.OCCUPIED and run.rng.random() < 0.7:
            run.do(services.mark_dirty, room_id=row.room_id, staff_id="carmen", notes="stayover")
    for row in sorted(run.board().values(), key=lambda r: r.number):
        if row.condition is not ho.Condition.DIRTY:
            continue
        cleaner = run.rng.choice(CLEANERS)
        run.do(services.start_cleaning, room_id=row.room_id, staff_id=cleaner)
        run.do(services.complete_cleaning, room_id=row.room_id, staff_id=cleaner)
        if run.wants("failed_inspection", 0.12):
            if run.do(
                services.inspect_room,
                room_id=row.room_id,
                staff_id="farid",
                passed=False,
                notes=run.rng.choice(["hair in the sink", "bed not made", "towels missing"]),
            ):
                run.happened("failed_inspection")
            run.do(services.start_cleaning, room_id=row.room_id, staff_id=cleaner)
            run.do(services.complete_cleaning, room_id=row.room_id, staff_id=cleaner)
        run.do(services.inspect_room, room_id=row.room_id, staff_id="farid")


def _maintenance(run: _Run, day: date) -> None:
    """10:00: yesterday's repairs are done; a room may go out of order or into
    maintenance (the first time out of order, the next into maintenance)."""
    run.clock.set(day, 10)
    board = run.board()
    for row in board.values():
        if row.status in (ho.OccupancyStatus.OUT_OF_ORDER, ho.OccupancyStatus.MAINTENANCE):
            run.do(
                services.return_to_service, room_id=row.room_id, staff_id="grace", notes="repaired"
            )
            run.turn(row.room_id)
    free = [
        r
        for r, row in board.items()
        if row.status is ho.OccupancyStatus.VACANT_CLEAN and row.booking_id is None
    ]
    if not free or not run.wants("repair", 0.5):
        return
    room = run.rng.choice(free)
    if run.story["out_of_order"] == 0 or (run.story["maintenance"] > 0 and run.rng.random() < 0.5):
        if run.do(
            services.set_out_of_order,
            room_id=room,
            staff_id="grace",
            reason=run.rng.choice(["broken window", "water leak", "no hot water"]),
        ):
            run.happened("out_of_order")
            run.happened("repair")
    elif run.do(
        services.start_maintenance,
        room_id=room,
        staff_id="grace",
        reason=run.rng.choice(["repaint", "replace carpet", "fix air conditioning"]),
    ):
        run.happened("maintenance")
        run.happened("repair")


def _arrivals(run: _Run, day: date) -> None:
    """12:00: most of the day's other arrivals are pre-assigned a vacant room in any
    condition; a few cancel (13:00) or ask for another room (14:00). From 15:00 the
    guests come, but for a few no-shows: into their room if it is ready, else another ready
    one, else none; walk-ins get a ready room, and a few are checked in to the wrong one,
    undone and done again."""
    run.clock.set(day, 12)
    arrivals = [a for a in run.expected.get(day, []) if not a.done]
    for arrival in arrivals:  # pre-assign most arrivals, in any condition
        if arrival.room is None and run.rng.random() < 0.6:
            candidates = run.vacant_rooms(arrival.size)
            if candidates:
                room = run.rng.choice(candidates)
                if run.do(
                    services.assign_room,
                    booking_id=arrival.booking_id,
                    room_id=room,
                    staff_id="bo",
                    check_in=False,
                ):
                    arrival.room = room
    _cancellations(run, day, arrivals)
    _room_requests(run, day, arrivals)
    run.clock.set(day, 15)
    for arrival in arrivals:
        if arrival.done:
            continue
        if not arrival.queued and run.wants("no_show_planned", 0.05):
            arrival.no_show = True  # never comes: the night desk marks it
            run.happened("no_show_planned")
            continue
        arrival.done = True
        _arrive(run, arrival)


def _arrive(run: _Run, arrival: _Arrival) -> None:
    """The guests of ``arrival`` are at the desk."""
    booking_id, size, departure = arrival.booking_id, arrival.size, arrival.departure
    if arrival.room is not None:
        if run.do(services.check_in, booking_id=booking_id, staff_id="amara"):
            run.in_house[booking_id] = departure
            return
        ready = run.ready_rooms(size)  # its room is not ready: move the assignment
        if ready and run.do(
            services.reassign_room,
            booking_id=booking_id,
            to_room_id=ready[0],
            staff_id="amara",
            notes="room not ready",
        ):
            if run.do(services.check_in, booking_id=booking_id, staff_id="amara"):
                run.in_house[booking_id] = departure
            return
        run.do(
            services.unassign_room, booking_id=booking_id, staff_id="amara", notes="no room ready"
        )
        run.unplaced += 1
        return
    ready = run.ready_rooms(size)  # a walk-in or an arrival without a room yet
    if not ready:
        run.unplaced += 1
        return
    room = ready[0]
    if not run.do(services.assign_room, booking_id=booking_id, room_id=room, staff_id="bo"):
        run.unplaced += 1
        return
    run.in_house[booking_id] = departure
    if run.wants("undone", 0.12) and run.do(  # checked into the wrong room: undo, redo
        services.unassign_room,
        booking_id=booking_id,
        staff_id="bo",
        notes="checked in to the wrong room",
    ):
        run.happened("undone")
        run.in_house.pop(booking_id)
        others = [r for r in run.ready_rooms(size) if r != room] or [room]
        if run.do(services.assign_room, booking_id=booking_id, room_id=others[0], staff_id="bo"):
            run.in_house[booking_id] = departure


def _cancellations(run: _Run, day: date, arrivals: list[_Arrival]) -> None:
    """13:00: a few of the day's arrivals cancel (releasing the room they were given)."""
    run.clock.set(day, 13)
    for arrival in arrivals:
        if arrival.done or arrival.queued or not run.wants("cancelled", 0.06):
            continue
        if run.do(
            services.cancel_booking,
            booking_id=arrival.booking_id,
            staff_id="bo",
            reason=run.rng.choice(["change of plans", "flight cancelled", "booked elsewhere"]),
        ):
            arrival.done = True
            run.happened("cancelled")


def _room_requests(run: _Run, day: date, arrivals: list[_Arrival]) -> None:
    """14:00: a few guests with a room waiting for them ask for another one: the
    pre-assignment moves to another vacant room that fits."""
    run.clock.set(day, 14)
    for arrival in arrivals:
        if arrival.done or arrival.room is None or not run.wants("reassigned", 0.1):
            continue
        if run.board()[arrival.room].status is ho.OccupancyStatus.OCCUPIED:
            continue  # still the departing guest's
        others = run.vacant_rooms(arrival.size)
        if not others:
            continue
        room = run.rng.choice(others)
        if run.do(
            services.reassign_room,
            booking_id=arrival.booking_id,
            to_room_id=room,
            staff_id="bo",
            notes=run.rng.choice(["a quieter room, please", "a room higher up", "sea view"]),
        ):
            arrival.room = room
            run.happened("reassigned")


def _moves(run: _Run, day: date) -> None:
    run.clock.set(day, 20)
    for row in list(run.board().values()):
        if row.status is ho.OccupancyStatus.OCCUPIED and run.wants("moved", 0.08):
            ready = [r for r in run.ready_rooms(row.guest_count) if r != row.room_id]
            if ready and run.do(
                services.move_guest,
                from_room_id=row.room_id,
                to_room_id=ready[-1],
                staff_id="bo",
                reason=run.rng.choice(["noise", "upgrade", "broken heating"]),
            ):
                run.happened("moved")


def _night_desk(run: _Run, day: date) -> None:
    """23:00: the day's arrivals who never came are no-shows (a room given to them is
    released)."""
    run.clock.set(day, 23)
    for arrival in run.expected.get(day, []):
        if arrival.no_show and not arrival.done:
            arrival.done = True
            if run.do(
                services.mark_no_show,
                booking_id=arrival.booking_id,
                staff_id="bo",
                notes="did not arrive",
            ):
                run.happened("no_show")


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
    day = FIRST_DAY
    for index in range(days):
        day = FIRST_DAY + timedelta(days=index)
        _reservations(run, day, rooms)
        _departures(run, day, hour=7)
        _stay_changes(run, day)
        _expected_changes(run, day)
        _housekeeping(run, day, hour=9)
        _maintenance(run, day)
        _early_arrivals(run, day)
        _departures(run, day, hour=11)
        _turnarounds(run, day)
        _arrivals(run, day)
        _housekeeping(run, day, hour=16)
        _moves(run, day)
        _night_desk(run, day)
        if progress is not None:
            progress(index + 1, days)
    story = run.story
    return SimulationReport(
        hotel_id=HOTEL_ID,
        days=days,
        rooms=rooms,
        bookings=run.next_booking - 1,
        operations=dict(run.operations),
        refusals=dict(run.refusals),
        unplaced_arrivals=run.unplaced,
        last_day=day,
        stays_extended=story["extended"],
        stays_shortened=story["shortened"],
        arrivals_postponed=story["postponed"],
        cancellations=story["cancelled"],
        no_shows=story["no_show"],
        companions_joined=story["joined"],
        companions_left=story["left"],
        due_out_assignments=story["due_out"],
        queued_arrivals=story["queued"],
        queued_checked_in=story["queued_checked_in"],
    )


def simulation_clock() -> Callable[[], datetime]:
    """The clock to build the simulation's unit of work with."""
    return _Clock()
