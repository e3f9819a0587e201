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

The housekeeping day (§10): every night after the first, at 00:30, the night auditor
closes the business date that ended (stayover cleanings for the rooms in house, service
statuses reset, a room whose maintenance window ended back in service). At 07:30 the
supervisor shares the open cleaning among two attendants (``generate_worksheets``, a
credit limit each) and gives what is left over to the third (``assign_task``). From 09:00
the attendants work down their worksheets: a door with a do-not-disturb sign, or a guest
who declines service, is recorded and skipped (nobody tries to clean it); a guest asleep
in a room the front office shows vacant is reported (a SLEEP discrepancy), and the
supervisor's re-check finds the room empty, which resolves it. A guest may ask for their
room first (make up room) in the morning; in the afternoon most do-not-disturb signs come
off, a guest asks for a room already done to be made up again (the supervisor gives the
new task to an attendant), and the afternoon round cleans what is left, keep-out rooms
aside. The housekeeping day draws on randomness of its own (seeded from the seed too), so
that what happens in the rooms leaves the front desk's draws alone.
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
    """What happened: the hotel simulated, operations by service, refusals by error, the
    front desk's story (§9) and the housekeeping day's (§10) in counts, and the worksheets
    handed out on the last morning."""

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
    night_audits: int = 0
    """Night audits run (one a night, for the business date that ended)."""
    stayovers: int = 0
    """Stayover cleanings the night audits made due."""
    dnd: int = 0
    """Doors found with a do-not-disturb sign (skipped by the attendant)."""
    dnd_cleaned: int = 0
    """Of those, the rooms cleaned the same day once the sign came off."""
    service_refused: int = 0
    """Guests who declined service for the day."""
    make_up_requests: int = 0
    """Guests who asked for their room to be made up."""
    sleep_found: int = 0
    """SLEEP discrepancies found (a guest in a room the front office shows vacant)."""
    sleep_resolved: int = 0
    """Of those, the ones a re-check resolved."""
    tasks_given: int = 0
    """Tasks the supervisor gave to an attendant by hand (``assign_task``)."""
    worksheets: ho.WorksheetPlan | None = None
    """The worksheets handed out on the morning of the last day."""
    worksheets_at: datetime | None = None
    """When those worksheets were generated (UTC)."""


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
ATTENDANTS = CLEANERS[:2]
"""The attendants the morning's worksheets are shared among; the third cleaner takes the
overflow."""
SUPERVISOR = "farid"
NIGHT_AUDITOR = "nadia"


@define
class _Run:
    uow: UnitOfWork
    rng: random.Random
    clock: _Clock
    hk_rng: random.Random = field(factory=random.Random)
    """The housekeeping day's own randomness (seeded from the seed too), so that what
    happens in the rooms does not change the front desk's story."""
    rooms: dict[str, int] = field(factory=dict)  # room id -> capacity
    operations: Counter[str] = field(factory=Counter)
    refusals: Counter[str] = field(factory=Counter)
    story: Counter[str] = field(factory=Counter)  # what happened, by kind of event
    in_house: dict[str, date] = field(factory=dict)  # booking id -> departure
    expected: dict[date, list[_Arrival]] = field(factory=dict)  # arrivals by day
    next_booking: int = 1
    next_companion: int = 1
    unplaced: int = 0
    windows: set[str] = field(factory=set)  # rooms out of service until a given day
    dnd_today: set[str] = field(factory=set)  # rooms whose door had the sign this morning
    sleeping: list[str] = field(factory=list)  # rooms with a SLEEP discrepancy to re-check
    worksheets: ho.WorksheetPlan | None = None  # the latest morning's
    worksheets_at: datetime | None = None

    def call(self, service: Callable[..., object], **kwargs: object) -> object | None:
        """Call a service and return what it returns; count it, or count the refusal and
        return None (the story then moves on)."""
        try:
            result = service(self.uow, **kwargs)
        except ho.RoomOccupancyError as error:
            self.refusals[type(error).__name__] += 1
            return None
        self.operations[service.__name__] += 1
        return result

    def do(self, service: Callable[..., object], **kwargs: object) -> bool:
        """Call a service; count it, or count the refusal (the story then moves on)."""
        return self.call(service, **kwargs) is not None

    def wants(self, kind: str, chance: float) -> bool:
        """Whether an event of ``kind`` happens here: with probability ``chance``, and
        surely while none has happened yet, so that every run of a few days tells every
        kind of event there is an occasion for, whatever the seed."""
        return self.story[kind] == 0 or self.rng.random() < chance

    def hk_wants(self, kind: str, chance: float) -> bool:
        """:meth:`wants`, for the housekeeping day (drawn from its own randomness)."""
        return self.story[kind] == 0 or self.hk_rng.random() < chance

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
        stayover_every=1,  # a stayover cleaning every day
        checkout_credits=2,  # a checkout takes about twice a stayover's time
        stayover_credits=1,
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
        ("nadia", "Nadia", "FRONT_DESK"),  # the night auditor
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


def _clean(run: _Run, room_id: str, cleaner: str) -> None:
    """``cleaner`` cleans the room and the supervisor inspects it; now and then the
    inspection fails and the room is cleaned again."""
    run.do(services.start_cleaning, room_id=room_id, staff_id=cleaner)
    run.do(services.complete_cleaning, room_id=room_id, staff_id=cleaner)
    if run.hk_wants("failed_inspection", 0.12):
        if run.do(
            services.inspect_room,
            room_id=room_id,
            staff_id=SUPERVISOR,
            passed=False,
            notes=run.hk_rng.choice(["hair in the sink", "bed not made", "towels missing"]),
        ):
            run.happened("failed_inspection")
        run.do(services.start_cleaning, room_id=room_id, staff_id=cleaner)
        run.do(services.complete_cleaning, room_id=room_id, staff_id=cleaner)
    run.do(services.inspect_room, room_id=room_id, staff_id=SUPERVISOR)


def _service(run: _Run, row: ho.BoardRow, cleaner: str) -> None:
    """The room of ``row`` (as it was before cleaning) is cleaned by ``cleaner``; a
    make-up-room request it answered is then marked done."""
    _clean(run, row.room_id, cleaner)
    if row.service_status is ho.ServiceStatus.MAKE_UP_ROOM:
        run.do(
            services.set_service_status,
            room_id=row.room_id,
            staff_id=cleaner,
            status=ho.ServiceStatus.NONE,
            notes="room made up",
        )


def _night_audit(run: _Run, business_date: date) -> None:
    """00:30: the night auditor closes the business date that ended. The rooms it
    returns to service (a maintenance window that ended) leave the windows watched."""
    run.clock.set(business_date + timedelta(days=1), 0, 30)
    entries = run.call(
        services.night_audit,
        hotel_id=HOTEL_ID,
        business_date=business_date,
        staff_id=NIGHT_AUDITOR,
    )
    if not isinstance(entries, tuple):
        return
    run.happened("night_audit")
    for entry in entries:
        variant = entry.metadata.get("variant")
        if variant == "stayover":
            run.happened("stayover")
        elif isinstance(variant, str) and variant.startswith("return-"):
            run.windows.discard(entry.room_id or "")
    run.dnd_today.clear()


def _worksheets(run: _Run, day: date) -> None:
    """07:30: the supervisor shares the open cleaning among the two attendants, a credit
    limit each, and gives what is left over to the third cleaner."""
    run.clock.set(day, 7, 30)
    limit = max(4, len(run.rooms) // 3)
    plan = run.call(
        services.generate_worksheets,
        hotel_id=HOTEL_ID,
        attendants=ATTENDANTS,
        staff_id=SUPERVISOR,
        max_credits=limit,
    )
    if not isinstance(plan, ho.WorksheetPlan):
        return
    run.worksheets, run.worksheets_at = plan, run.clock.now
    for line in plan.overflow:
        if run.do(
            services.assign_task, task_id=line.task_id, assignee_id=CLEANERS[2], staff_id=SUPERVISOR
        ):
            run.happened("task_given")


def _early_requests(run: _Run, day: date) -> None:
    """08:45: a guest whose room awaits its stayover cleaning asks for it first (make up
    room: it goes up the worksheet)."""
    run.clock.set(day, 8, 45)
    for row in run.board().values():
        if (
            row.status is ho.OccupancyStatus.OCCUPIED
            and row.condition is ho.Condition.DIRTY
            and row.service_status is ho.ServiceStatus.NONE
            and run.hk_wants("make_up", 0.06)
            and run.do(
                services.set_service_status,
                room_id=row.room_id,
                staff_id="amara",
                status=ho.ServiceStatus.MAKE_UP_ROOM,
                notes="the guest asks for the room early",
            )
        ):
            run.happened("make_up")


def _morning_round(run: _Run, day: date) -> None:
    """09:00: each cleaner works down their worksheet. At an occupied room's door the sign
    may say do not disturb, or the guest declines service: recorded, and the room skipped
    (the attendant does not knock). In a room the front office shows vacant a guest may be
    found asleep: reported (a SLEEP discrepancy) and left for the supervisor. The
    supervisor then inspects any room left clean but not inspected."""
    run.clock.set(day, 9)
    for cleaner in CLEANERS:
        for line in services.worksheet(run.uow, HOTEL_ID, cleaner).lines:
            row = run.board()[line.room_id]
            if row.condition is not ho.Condition.DIRTY:
                continue  # done by someone else meanwhile
            if row.status is ho.OccupancyStatus.OCCUPIED:
                if row.service_status.keeps_out:
                    continue
                staying = run.in_house.get(row.booking_id or "", day) > day
                if staying and run.hk_wants("dnd", 0.12):
                    if run.do(
                        services.set_service_status,
                        room_id=row.room_id,
                        staff_id=cleaner,
                        status=ho.ServiceStatus.DND,
                        notes="do-not-disturb sign on the door",
                    ):
                        run.dnd_today.add(row.room_id)
                        run.happened("dnd")
                    continue
                if staying and run.hk_wants("refused", 0.03):
                    if run.do(
                        services.set_service_status,
                        room_id=row.room_id,
                        staff_id=cleaner,
                        status=ho.ServiceStatus.SERVICE_REFUSED,
                        notes="the guest declines service today",
                    ):
                        run.happened("refused")
                    continue
            elif (
                row.booking_id is None
                and row.discrepancy is None
                and not run.sleeping
                and run.hk_wants("sleep", 0.04)
            ):
                if run.do(
                    services.report_room_observation,
                    room_id=row.room_id,
                    staff_id=cleaner,
                    occupied=True,
                    guests=1,
                    notes="a guest asleep in the room",
                ):
                    run.sleeping.append(row.room_id)
                    run.happened("sleep")
                continue
            _service(run, row, cleaner)
    for row in run.board().values():
        if row.condition is ho.Condition.CLEAN:
            run.do(services.inspect_room, room_id=row.room_id, staff_id=SUPERVISOR)


def _recheck(run: _Run, day: date) -> None:
    """09:45: the supervisor looks into the rooms where a guest was found asleep: the
    guest has gone (the observation agrees with the front office: resolved)."""
    run.clock.set(day, 9, 45)
    for room_id in run.sleeping:
        if run.do(
            services.report_room_observation,
            room_id=room_id,
            staff_id=SUPERVISOR,
            occupied=False,
            notes="re-checked: nobody there",
        ):
            run.happened("sleep_resolved")
    run.sleeping.clear()


def _service_requests(run: _Run, day: date) -> None:
    """15:30: most do-not-disturb signs of the morning come off (the guests went out);
    a guest whose room was done asks for it to be made up again, and the supervisor
    gives the new task to the third cleaner."""
    run.clock.set(day, 15, 30)
    board = run.board()
    for room_id in sorted(run.dnd_today):
        row = board[room_id]
        if (
            row.service_status is ho.ServiceStatus.DND
            and run.hk_wants("dnd_lifted", 0.7)
            and run.do(
                services.set_service_status,
                room_id=room_id,
                staff_id="amara",
                status=ho.ServiceStatus.NONE,
                notes="the guests went out: the room can be done",
            )
        ):
            run.happened("dnd_lifted")
    done = sorted(
        r
        for r, row in board.items()
        if row.status is ho.OccupancyStatus.OCCUPIED
        and row.condition is ho.Condition.INSPECTED
        and row.service_status is ho.ServiceStatus.NONE
    )
    if not done or not run.hk_wants("make_up_again", 0.4):
        return
    room_id = run.hk_rng.choice(done)
    if not run.do(
        services.set_service_status,
        room_id=room_id,
        staff_id="amara",
        status=ho.ServiceStatus.MAKE_UP_ROOM,
        notes="spilled coffee: please make up the room",
    ):
        return
    run.happened("make_up")
    run.happened("make_up_again")
    for task in services.open_tasks(run.uow, HOTEL_ID):
        if task.room_id != room_id or task.kind is not ho.TaskKind.CLEANING:
            continue
        if run.do(
            services.assign_task, task_id=task.task_id, assignee_id=CLEANERS[2], staff_id=SUPERVISOR
        ):
            run.happened("task_given")


def _afternoon_round(run: _Run, day: date) -> None:
    """16:00: every dirty room is cleaned, by whoever has its task (else anyone), and
    inspected; rooms whose guests keep housekeeping out are left alone. A room cleaned
    once its do-not-disturb sign came off counts in the story."""
    run.clock.set(day, 16)
    holders = {
        task.room_id: task.assigned_to
        for task in services.open_tasks(run.uow, HOTEL_ID)
        if task.kind.is_cleaning and task.assigned_to
    }
    for row in sorted(run.board().values(), key=lambda r: r.number):
        if row.condition is not ho.Condition.DIRTY:
            continue
        if row.status is ho.OccupancyStatus.OCCUPIED and row.service_status.keeps_out:
            continue
        cleaner = holders.get(row.room_id) or run.hk_rng.choice(CLEANERS)
        _service(run, row, cleaner)
        if row.room_id in run.dnd_today:
            run.happened("dnd_cleaned")


def _maintenance(run: _Run, day: date) -> None:
    """10:00: yesterday's repairs are done; a room may go out of order or into
    maintenance (the first time out of order, the next into maintenance)."""
    run.clock.set(day, 10)
    board = run.board()
    for row in board.values():
        if row.room_id in run.windows:
            continue  # back when its window ends: the night audit returns it
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
        until=day + timedelta(days=1),  # a two-day job: the night audit returns it
        return_condition=ho.Condition.CLEAN,  # the painters leave it clean, to inspect
    ):
        run.windows.add(room)
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
    run = _Run(uow=uow, rng=random.Random(seed), clock=clock, hk_rng=random.Random(f"{seed}/rooms"))
    _setup(run, rooms)
    day = FIRST_DAY
    for index in range(days):
        day = FIRST_DAY + timedelta(days=index)
        if index:
            _night_audit(run, day - timedelta(days=1))
        _reservations(run, day, rooms)
        _departures(run, day, hour=7)
        _worksheets(run, day)
        _stay_changes(run, day)
        _expected_changes(run, day)
        _early_requests(run, day)
        _morning_round(run, day)
        _recheck(run, day)
        _maintenance(run, day)
        _early_arrivals(run, day)
        _departures(run, day, hour=11)
        _turnarounds(run, day)
        _arrivals(run, day)
        _service_requests(run, day)
        _afternoon_round(run, day)
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
        night_audits=story["night_audit"],
        stayovers=story["stayover"],
        dnd=story["dnd"],
        dnd_cleaned=story["dnd_cleaned"],
        service_refused=story["refused"],
        make_up_requests=story["make_up"],
        sleep_found=story["sleep"],
        sleep_resolved=story["sleep_resolved"],
        tasks_given=story["task_given"],
        worksheets=run.worksheets,
        worksheets_at=run.worksheets_at,
    )


def simulation_clock() -> Callable[[], datetime]:
    """The clock to build the simulation's unit of work with."""
    return _Clock()
