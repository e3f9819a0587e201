"""The adapter contract suite: what every unit of work must do, whatever it stores in.

Every adapter of ``hotel_occupancy`` (in-memory, SQLAlchemy on SQLite or PostgreSQL, or one
you write for another framework) must give the same results for the same calls (SPEC §5,
I15). This module holds the behavioural tests that say so, as a pytest base class. To run
them against your adapter, subclass :class:`UnitOfWorkContract` in one of your test modules
(the class name must start with ``Test`` so that pytest collects it) and define one
fixture, ``uow_factory``::

    import pytest
    from hotel_occupancy.testing import UnitOfWorkContract

    from my_app.occupancy import DjangoUnitOfWork


    class TestDjangoAdapter(UnitOfWorkContract):
        @pytest.fixture
        def uow_factory(self, empty_database):
            def factory(*, clock, notifier, policy=None):
                return DjangoUnitOfWork(
                    empty_database, clock=clock, notifier=notifier, policy=policy
                )

            return factory

The factory is called with keyword arguments only: ``clock`` (a zero-argument callable
returning aware datetimes), ``notifier`` (an object with ``publish(event)``) and ``policy``
(a role policy, or None for the default one). It returns a unit of work that implements
both :class:`~hotel_occupancy.services.ports.UnitOfWork` and
:class:`~hotel_occupancy.services.ports.Inspectable` (``uow.snapshot()`` returns everything
stored). Each time the fixture is built (once per test) its storage must be fresh and
empty; every test calls the factory exactly once. The fixture may also live in a
``conftest.py``. Events must be published once the transaction is over: the suite's
notifier calls ``uow.snapshot()`` when an event arrives, and expects a notifier that
raises to leave the operation committed. Import the suite from ``hotel_occupancy.testing``
(not from this module directly) so that pytest rewrites its assertions.

The suite builds its own small hotels through the public services only, using its own
stepping clock, and checks every operation's effects, every error of SPEC §6 (each time
verifying that the refused call changed nothing and published nothing, I8), the order of
the checks, request-id replays, the queries, the log, the events, the timestamps, the
immutability of returned objects, and ``check_invariants(uow.snapshot()) == []`` after
every test. Running it needs pytest only (hypothesis is not needed); each test takes well
under a second on SQLite.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Protocol, TypeVar

import attrs
import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.services.ports import Clock, Inspectable, Notifier, Policy, UnitOfWork

__all__ = [
    "ContractUnitOfWork",
    "Scene",
    "SteppingClock",
    "UnitOfWorkContract",
    "UnitOfWorkFactory",
]

E = TypeVar("E", bound=BaseException)
T = TypeVar("T")

START = datetime(2026, 3, 10, 14, 0, 0, 123456, tzinfo=UTC)
"""The first instant the suite's clock hands out (microseconds included on purpose)."""

STEP = timedelta(seconds=1, microseconds=1)
"""How far the suite's clock moves at each reading."""

HOTEL = "H"
ARRIVAL = date(2026, 3, 10)
DEPARTURE = date(2026, 3, 12)
DEPARTURE_AT_11_UTC = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)

STAFF: dict[str, ho.StaffRole] = {
    "fd": ho.StaffRole.FRONT_DESK,
    "hk": ho.StaffRole.HOUSEKEEPING,
    "sup": ho.StaffRole.SUPERVISOR,
    "mnt": ho.StaffRole.MAINTENANCE,
    "mgr": ho.StaffRole.MANAGER,
}

VC = ho.OccupancyStatus.VACANT_CLEAN
VD = ho.OccupancyStatus.VACANT_DIRTY
OCC = ho.OccupancyStatus.OCCUPIED
OOO = ho.OccupancyStatus.OUT_OF_ORDER
MAINT = ho.OccupancyStatus.MAINTENANCE
CLEAN = ho.Condition.CLEAN
DIRTY = ho.Condition.DIRTY
CLEANING = ho.Condition.CLEANING
INSPECTED = ho.Condition.INSPECTED
Op = ho.Operation


class ContractUnitOfWork(UnitOfWork, Inspectable, Protocol):
    """A unit of work that can also show everything it stores (``snapshot()``)."""


class UnitOfWorkFactory(Protocol):
    """What the ``uow_factory`` fixture returns: builds the unit of work under test."""

    def __call__(
        self, *, clock: Clock, notifier: Notifier, policy: Policy | None = None
    ) -> ContractUnitOfWork:
        """A unit of work over the fixture's fresh, empty storage."""


class SteppingClock:
    """A clock that moves by a fixed step at every reading and remembers what it said.

    ``zone`` is the time zone of the (aware) values it returns; :attr:`handed_out` keeps
    every instant returned so far, in UTC.
    """

    def __init__(self, start: datetime = START, step: timedelta = STEP, zone: tzinfo = UTC):
        self._next = start
        self.step = step
        self.zone = zone
        self.handed_out: list[datetime] = []

    def __call__(self) -> datetime:
        value = self._next
        self._next += self.step
        self.handed_out.append(value.astimezone(UTC))
        return value.astimezone(self.zone)

    @property
    def mark(self) -> int:
        """How many readings so far; pass it to :meth:`since`."""
        return len(self.handed_out)

    def since(self, mark: int) -> list[datetime]:
        """The instants handed out since ``mark``."""
        return self.handed_out[mark:]


class ProbeNotifier(RecordingNotifier):
    """A recording notifier that can also run a check on each event, or fail."""

    def __init__(self) -> None:
        super().__init__()
        self.on_publish: Callable[[ho.OccupancyEvent], None] | None = None
        self.failing = False

    def publish(self, event: ho.OccupancyEvent) -> None:
        super().publish(event)
        if self.on_publish is not None:
            self.on_publish(event)
        if self.failing:
            raise RuntimeError("the notifier is down")


def canonical(snapshot: StoreSnapshot) -> StoreSnapshot:
    """The snapshot with every collection in key order (adapters may list them in any)."""
    return StoreSnapshot(
        hotels=tuple(sorted(snapshot.hotels, key=operator.attrgetter("hotel_id"))),
        rooms=tuple(sorted(snapshot.rooms, key=operator.attrgetter("room_id"))),
        staff=tuple(sorted(snapshot.staff, key=operator.attrgetter("staff_id"))),
        bookings=tuple(sorted(snapshot.bookings, key=operator.attrgetter("booking_id"))),
        guests=tuple(sorted(snapshot.guests, key=operator.attrgetter("guest_id"))),
        occupancies=tuple(sorted(snapshot.occupancies, key=operator.attrgetter("room_id"))),
        tasks=tuple(sorted(snapshot.tasks, key=operator.attrgetter("task_id"))),
        log=tuple(sorted(snapshot.log, key=operator.attrgetter("id"))),
        request_ids=frozenset(snapshot.request_ids),
    )


def only(items: Iterable[T]) -> T:
    """The single item of ``items``."""
    found = list(items)
    assert len(found) == 1, f"expected exactly one, found {found!r}"
    return found[0]


def assign(obj: object, name: str, value: object) -> None:
    """Try to change an attribute of a returned object."""
    setattr(obj, name, value)


class Scene:
    """A small hotel built through the public services on the unit of work under test.

    Hotel ``H`` has rooms ``R101``-``R104`` (numbers "101"-"104", capacity 2) and ``R201``
    (no limit), and one staff member per role: ``fd``, ``hk``, ``sup``, ``mnt``, ``mgr``.
    :meth:`second_hotel` and :meth:`inspected_hotel` add more hotels when a test needs them.
    """

    def __init__(
        self,
        uow: ContractUnitOfWork,
        clock: SteppingClock,
        notifier: RecordingNotifier,
        policy: ho.RolePolicy,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.notifier = notifier
        self.policy = policy
        self._bookings = 0

    # --- building -------------------------------------------------------------------------

    def register_hotel(
        self,
        hotel_id: str,
        rooms: Iterable[tuple[str, str, int | None]],
        staff: Iterable[tuple[str, ho.StaffRole]],
        *,
        require_inspection: bool = False,
    ) -> None:
        """A hotel with ``(room_id, number, capacity)`` rooms and ``(staff_id, role)`` staff."""
        services.register_hotel(
            self.uow,
            hotel_id=hotel_id,
            name=f"Hotel {hotel_id}",
            require_inspection=require_inspection,
        )
        for room_id, number, capacity in rooms:
            services.register_room(
                self.uow, hotel_id=hotel_id, room_id=room_id, number=number, capacity=capacity
            )
        for staff_id, role in staff:
            services.register_staff(
                self.uow, hotel_id=hotel_id, staff_id=staff_id, name=staff_id.upper(), role=role
            )

    def second_hotel(self) -> None:
        """Hotel ``H2``: room ``R2-101`` (number "101", capacity 2), staff ``fd2`` (front
        desk) and ``mgr2`` (manager)."""
        self.register_hotel(
            "H2",
            [("R2-101", "101", 2)],
            [("fd2", ho.StaffRole.FRONT_DESK), ("mgr2", ho.StaffRole.MANAGER)],
        )

    def inspected_hotel(self) -> None:
        """Hotel ``HI``, which requires inspection: rooms ``RI1`` and ``RI2``, staff ``fdI``,
        ``hkI`` and ``supI``."""
        self.register_hotel(
            "HI",
            [("RI1", "1", None), ("RI2", "2", None)],
            [
                ("fdI", ho.StaffRole.FRONT_DESK),
                ("hkI", ho.StaffRole.HOUSEKEEPING),
                ("supI", ho.StaffRole.SUPERVISOR),
            ],
            require_inspection=True,
        )

    def party(self, booking_id: str, guests: int) -> list[ho.BookingGuest]:
        """A party of ``guests`` members with ids ``<booking_id>-g<i>``."""
        return [
            ho.BookingGuest(f"{booking_id}-g{i}", f"First{i}", f"Last-{booking_id}")
            for i in range(guests)
        ]

    def booking(self, guests: int = 1, *, hotel_id: str = HOTEL) -> str:
        """Register an arriving booking (10 to 12 March 2026); return its id."""
        self._bookings += 1
        booking_id = f"B{self._bookings}"
        services.register_booking(
            self.uow,
            hotel_id=hotel_id,
            booking_id=booking_id,
            reference=self.reference(booking_id),
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=self.party(booking_id, guests),
        )
        return booking_id

    @staticmethod
    def reference(booking_id: str) -> str:
        """The human reference :meth:`booking` gives a booking."""
        return f"REF-{booking_id}"

    def checked_in(
        self, room_id: str, guests: int = 1, *, hotel_id: str = HOTEL, staff_id: str = "fd"
    ) -> str:
        """A new booking assigned to and checked into ``room_id``; return its id."""
        booking_id = self.booking(guests, hotel_id=hotel_id)
        services.assign_room(self.uow, booking_id=booking_id, room_id=room_id, staff_id=staff_id)
        return booking_id

    def pre_assigned(
        self, room_id: str, guests: int = 1, *, hotel_id: str = HOTEL, staff_id: str = "fd"
    ) -> str:
        """A new booking pre-assigned (not checked in) to ``room_id``; return its id."""
        booking_id = self.booking(guests, hotel_id=hotel_id)
        services.assign_room(
            self.uow, booking_id=booking_id, room_id=room_id, staff_id=staff_id, check_in=False
        )
        return booking_id

    def dirty(self, room_id: str, staff_id: str = "hk") -> None:
        """Mark the room dirty."""
        services.mark_dirty(self.uow, room_id=room_id, staff_id=staff_id)

    def clean(self, room_id: str, staff_id: str = "hk") -> None:
        """Clean a dirty room (start and complete)."""
        services.start_cleaning(self.uow, room_id=room_id, staff_id=staff_id)
        services.complete_cleaning(self.uow, room_id=room_id, staff_id=staff_id)

    # --- reading --------------------------------------------------------------------------

    def occupancy(self, room_id: str) -> ho.RoomOccupancy:
        return services.get_occupancy(self.uow, room_id)

    def snapshot(self) -> StoreSnapshot:
        """Everything stored, in key order."""
        return canonical(self.uow.snapshot())

    def state(self) -> tuple[StoreSnapshot, tuple[ho.OccupancyEvent, ...]]:
        """Everything stored and every event published so far."""
        return self.snapshot(), tuple(self.notifier.events)

    def stored_booking(self, booking_id: str) -> ho.Booking:
        return only(b for b in self.snapshot().bookings if b.booking_id == booking_id)

    def stored_guests(self, booking_id: str) -> list[ho.Guest]:
        """Every stored guest record of the booking, primary first then in party order."""
        found = [g for g in self.snapshot().guests if g.booking_id == booking_id]
        return sorted(
            found, key=lambda g: (g.guest_type is not ho.GuestType.PRIMARY, g.booking_guest_id)
        )

    def stored_tasks(self, room_id: str, *, open_only: bool = False) -> list[ho.HousekeepingTask]:
        """Every stored task of the room (or only the open ones), oldest first."""
        found = [
            t
            for t in self.snapshot().tasks
            if t.room_id == room_id and (t.is_open or not open_only)
        ]
        return sorted(found, key=lambda t: (t.created_at, t.task_id))

    # --- checking -------------------------------------------------------------------------

    def refused(
        self, error: type[E], call: Callable[..., object], /, *args: object, **kwargs: object
    ) -> E:
        """Call ``call(uow, *args, **kwargs)``, expect exactly ``error``, and check that
        nothing stored changed and nothing was published (I8)."""
        before = self.state()
        with pytest.raises(error) as raised:
            call(self.uow, *args, **kwargs)
        assert type(raised.value) is error, (
            f"{type(raised.value).__name__} raised where {error.__name__} was expected: "
            f"{raised.value}"
        )
        after = self.state()
        assert after[0] == before[0], "a refused call changed what is stored (I8)"
        assert after[1] == before[1], "a refused call published events (I8)"
        return raised.value

    def assert_sound(self) -> None:
        """Every invariant of SPEC §5 holds over everything stored."""
        assert check_invariants(self.uow.snapshot(), self.policy) == []


def build_scene(
    factory: UnitOfWorkFactory,
    *,
    policy: ho.RolePolicy | None = None,
    clock: SteppingClock | None = None,
    notifier: RecordingNotifier | None = None,
) -> Scene:
    """Hotel ``H`` (see :class:`Scene`) on a unit of work from ``factory``."""
    clock = clock or SteppingClock()
    notifier = notifier or RecordingNotifier()
    uow = factory(clock=clock, notifier=notifier, policy=policy)
    scene = Scene(uow, clock, notifier, policy or ho.RolePolicy())
    scene.register_hotel(
        HOTEL,
        [
            ("R101", "101", 2),
            ("R102", "102", 2),
            ("R103", "103", 2),
            ("R104", "104", 2),
            ("R201", "201", None),
        ],
        STAFF.items(),
    )
    return scene


def shape(entry: ho.LogEntry) -> tuple[object, ...]:
    """An entry's operation with its status and condition before and after."""
    return (
        entry.operation,
        entry.status_before,
        entry.status_after,
        entry.condition_before,
        entry.condition_after,
    )


def is_aware_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


class UnitOfWorkContract:
    """The contract suite. Subclass it as ``Test...`` and define the ``uow_factory``
    fixture (see the module's documentation)."""

    @pytest.fixture
    def scene(self, uow_factory: UnitOfWorkFactory) -> Iterator[Scene]:
        """Hotel ``H`` on the adapter under test; every invariant is checked afterwards."""
        built = build_scene(uow_factory)
        yield built
        built.assert_sound()

    # --- storage and reference data -------------------------------------------------------

    def test_a_new_unit_of_work_starts_over_empty_storage(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        """The factory's unit of work stores nothing at first."""
        uow = uow_factory(clock=SteppingClock(), notifier=RecordingNotifier())
        assert canonical(uow.snapshot()) == StoreSnapshot()

    def test_reference_data_reads_back_exactly_as_registered(self, scene: Scene) -> None:
        """Hotels, rooms, staff and bookings are stored with every field as given."""
        services.register_hotel(
            scene.uow,
            hotel_id="HP",
            name="Hôtel de Paris",
            require_inspection=True,
            timezone="Europe/Paris",
            checkout_time=time(10, 30),
        )
        booking_id = scene.booking(3)
        snapshot = scene.snapshot()
        hotels = {h.hotel_id: h for h in snapshot.hotels}
        assert hotels["HP"] == ho.Hotel("HP", "Hôtel de Paris", True, "Europe/Paris", time(10, 30))
        assert hotels[HOTEL] == ho.Hotel(HOTEL, "Hotel H", False, "UTC", time(11))
        rooms = {r.room_id: r for r in snapshot.rooms}
        assert rooms["R101"] == ho.Room("R101", HOTEL, "101", 2)
        assert rooms["R201"] == ho.Room("R201", HOTEL, "201", None)
        staff = {s.staff_id: s for s in snapshot.staff}
        assert staff["hk"] == ho.Staff("hk", HOTEL, "HK", ho.StaffRole.HOUSEKEEPING, True)
        assert scene.stored_booking(booking_id) == ho.Booking(
            booking_id,
            HOTEL,
            Scene.reference(booking_id),
            ARRIVAL,
            DEPARTURE,
            tuple(scene.party(booking_id, 3)),
        )

    def test_a_registered_room_starts_vacant_clean_without_log_or_event(self, scene: Scene) -> None:
        """A new room is VACANT_CLEAN, CLEAN, unassigned, with no log entry and no event."""
        mark = scene.clock.mark
        assert services.register_room(scene.uow, hotel_id=HOTEL, room_id="R9", number="9") == ()
        occupancy = scene.occupancy("R9")
        assert (occupancy.room_id, occupancy.hotel_id) == ("R9", HOTEL)
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (VC, CLEAN, None)
        assert not occupancy.is_occupied
        assert occupancy.occupied_since is None
        assert occupancy.expected_checkout is None
        assert occupancy.assigned_by is None
        assert occupancy.last_cleaned_by is None
        assert occupancy.last_inspected_by is None
        assert occupancy.created_at in scene.clock.since(mark)
        assert occupancy.updated_at == occupancy.created_at
        assert services.room_history(scene.uow, "R9") == ()
        assert scene.snapshot().log == ()
        assert scene.notifier.events == []

    def test_registering_a_hotel_id_twice_is_already_registered(self, scene: Scene) -> None:
        """A hotel id can be registered only once."""
        error = scene.refused(
            ho.AlreadyRegistered, services.register_hotel, hotel_id=HOTEL, name="Again"
        )
        assert error.hotel_id == HOTEL

    def test_a_room_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A room id taken in one hotel is refused in another hotel."""
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_room,
            hotel_id="H2",
            room_id="R101",
            number="999",
        )
        assert error.room_id == "R101"

    def test_a_room_number_is_unique_within_its_hotel_only(self, scene: Scene) -> None:
        """A second room "101" is refused in hotel H but another hotel may have one."""
        scene.refused(
            ho.AlreadyRegistered,
            services.register_room,
            hotel_id=HOTEL,
            room_id="R999",
            number="101",
        )
        scene.second_hotel()
        numbers = sorted((r.hotel_id, r.number) for r in scene.snapshot().rooms)
        assert numbers.count(("H2", "101")) == 1
        assert numbers.count((HOTEL, "101")) == 1

    def test_a_staff_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A staff id taken in one hotel is refused in another hotel."""
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_staff,
            hotel_id="H2",
            staff_id="fd",
            name="Other",
            role=ho.StaffRole.FRONT_DESK,
        )
        assert error.staff_id == "fd"

    def test_a_booking_id_is_unique_across_the_store(self, scene: Scene) -> None:
        """A booking id taken in one hotel is refused in another hotel."""
        booking_id = scene.booking()
        scene.second_hotel()
        error = scene.refused(
            ho.AlreadyRegistered,
            services.register_booking,
            hotel_id="H2",
            booking_id=booking_id,
            reference="OTHER",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("fresh-guest", "Ann", "Other")],
        )
        assert error.booking_id == booking_id

    def test_booking_guest_ids_are_unique_across_the_store(self, scene: Scene) -> None:
        """A booking reusing another booking's guest id is refused, even in another hotel."""
        booking_id = scene.booking(2)
        scene.second_hotel()
        scene.refused(
            ho.AlreadyRegistered,
            services.register_booking,
            hotel_id="H2",
            booking_id="B-new",
            reference="NEW",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("fresh", "Ann", "New"), scene.party(booking_id, 2)[1]],
        )

    def test_registering_in_an_unknown_hotel_is_hotel_not_found(self, scene: Scene) -> None:
        """Rooms, staff and bookings of an unknown hotel are refused with HotelNotFound."""
        scene.refused(
            ho.HotelNotFound, services.register_room, hotel_id="NOPE", room_id="RX", number="1"
        )
        scene.refused(
            ho.HotelNotFound,
            services.register_staff,
            hotel_id="NOPE",
            staff_id="sx",
            name="X",
            role=ho.StaffRole.MANAGER,
        )
        error = scene.refused(
            ho.HotelNotFound,
            services.register_booking,
            hotel_id="NOPE",
            booking_id="BX",
            reference="X",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[ho.BookingGuest("gx", "X", "Y")],
        )
        assert error.hotel_id == "NOPE"

    def test_bad_input_is_a_value_error_and_stores_nothing(self, scene: Scene) -> None:
        """Empty ids, reversed dates, empty parties, unknown roles and same-room moves are
        refused with InvalidInput, a ValueError."""
        assert issubclass(ho.InvalidInput, ValueError)
        scene.refused(
            ho.InvalidInput, services.register_room, hotel_id=HOTEL, room_id="", number="1"
        )
        scene.refused(
            ho.InvalidInput,
            services.register_booking,
            hotel_id=HOTEL,
            booking_id="BX",
            reference="X",
            arrival=DEPARTURE,
            departure=ARRIVAL,
            party=[ho.BookingGuest("gx", "X", "Y")],
        )
        scene.refused(
            ho.InvalidInput,
            services.register_booking,
            hotel_id=HOTEL,
            booking_id="BX",
            reference="X",
            arrival=ARRIVAL,
            departure=DEPARTURE,
            party=[],
        )
        scene.refused(
            ho.InvalidInput,
            services.register_staff,
            hotel_id=HOTEL,
            staff_id="sx",
            name="X",
            role="JANITOR",
        )
        scene.checked_in("R101")
        scene.refused(
            ho.InvalidInput,
            services.move_guest,
            from_room_id="R101",
            to_room_id="R101",
            staff_id="fd",
        )

    def test_a_huge_capacity_is_stored_as_given_or_refused_as_bad_input(self, scene: Scene) -> None:
        """Capacities beyond 32 and 64 bits either read back exactly or are InvalidInput,
        never a storage error."""
        for room_id, capacity in (("R-2e31", 2**31), ("R-2e64", 2**64)):
            before = scene.state()
            try:
                services.register_room(
                    scene.uow, hotel_id=HOTEL, room_id=room_id, number=room_id, capacity=capacity
                )
            except ho.InvalidInput:
                assert scene.state() == before
            else:
                stored = only(r for r in scene.snapshot().rooms if r.room_id == room_id)
                assert stored.capacity == capacity

    def test_text_that_utf8_cannot_encode_is_stored_or_refused_as_bad_input(
        self, scene: Scene
    ) -> None:
        """Notes holding a lone surrogate either read back exactly or are InvalidInput,
        never a raw encoding error."""
        before = scene.state()
        try:
            entries = services.mark_dirty(
                scene.uow, room_id="R101", staff_id="hk", notes="bad \ud800 text"
            )
        except ho.InvalidInput:
            assert scene.state() == before
        else:
            assert services.room_history(scene.uow, "R101") == entries
            assert only(entries).notes == "bad \ud800 text"

    def test_deactivated_staff_may_do_nothing(self, scene: Scene) -> None:
        """After deactivate_staff even a manager is refused with PermissionDenied."""
        assert services.deactivate_staff(scene.uow, staff_id="mgr") == ()
        assert services.deactivate_staff(scene.uow, staff_id="mgr") == ()
        assert only(s for s in scene.snapshot().staff if s.staff_id == "mgr").active is False
        assert scene.snapshot().log == ()
        error = scene.refused(
            ho.PermissionDenied, services.mark_dirty, room_id="R101", staff_id="mgr"
        )
        assert error.staff_id == "mgr"
        scene.refused(ho.StaffNotFound, services.deactivate_staff, staff_id="NOPE")

    # --- assignment and check-in -----------------------------------------------------------

    def test_assigning_with_check_in_occupies_the_room_and_creates_the_guests(
        self, scene: Scene
    ) -> None:
        """assign_room logs ASSIGN then CHECKIN and creates one guest per party member."""
        booking_id = scene.booking(2)
        mark = scene.clock.mark
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd", notes="walk-in"
        )
        at = entries[0].timestamp
        assert at in scene.clock.since(mark)
        assert [shape(e) for e in entries] == [
            (Op.ASSIGN, VC, VC, CLEAN, CLEAN),
            (Op.CHECKIN, VC, OCC, CLEAN, CLEAN),
        ]
        for entry in entries:
            assert (entry.hotel_id, entry.room_id, entry.booking_id) == (HOTEL, "R101", booking_id)
            assert (entry.performed_by, entry.notes, entry.timestamp) == ("fd", "walk-in", at)
            assert entry.from_room_id is None
            assert entry.request_id is None
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
            OCC,
            CLEAN,
            booking_id,
        )
        assert occupancy.is_occupied
        assert occupancy.assigned_by == "fd"
        assert occupancy.occupied_since == at
        assert occupancy.expected_checkout == DEPARTURE_AT_11_UTC
        booking = scene.stored_booking(booking_id)
        assert (booking.checked_in_at, booking.checked_out_at) == (at, None)
        primary, companion = services.current_guests(scene.uow, "R101")
        assert (primary.booking_guest_id, primary.guest_type) == (
            f"{booking_id}-g0",
            ho.GuestType.PRIMARY,
        )
        assert (companion.booking_guest_id, companion.guest_type) == (
            f"{booking_id}-g1",
            ho.GuestType.COMPANION,
        )
        assert primary.primary_guest_id is None
        assert companion.primary_guest_id == primary.guest_id
        assert (primary.first_name, primary.last_name) == ("First0", f"Last-{booking_id}")
        for guest in (primary, companion):
            assert guest.id_pin is not None
            assert len(guest.id_pin) == 6
            assert guest.id_pin.isdigit()
            assert (guest.booking_id, guest.hotel_id) == (booking_id, HOTEL)
            assert (guest.check_in_date, guest.check_out_date) == (ARRIVAL, None)
            assert guest.device_token is None
        assert primary.id_pin != companion.id_pin

    def test_local_dates_and_checkout_time_follow_the_hotels_timezone(self, scene: Scene) -> None:
        """In Auckland 14:00 UTC is the next day, and checkout is at the local checkout time."""
        services.register_hotel(
            scene.uow,
            hotel_id="HA",
            name="Auckland",
            timezone="Pacific/Auckland",
            checkout_time=time(10, 30),
        )
        services.register_room(scene.uow, hotel_id="HA", room_id="RA1", number="1")
        services.register_staff(
            scene.uow, hotel_id="HA", staff_id="fdA", name="A", role=ho.StaffRole.FRONT_DESK
        )
        booking_id = scene.checked_in("RA1", hotel_id="HA", staff_id="fdA")
        # 12 March 2026 10:30 in Auckland (NZDT, UTC+13) is 11 March 21:30 UTC
        assert scene.occupancy("RA1").expected_checkout == datetime(2026, 3, 11, 21, 30, tzinfo=UTC)
        guest = only(services.current_guests(scene.uow, "RA1"))
        assert guest.check_in_date == date(2026, 3, 11)
        services.checkout_room(scene.uow, room_id="RA1", staff_id="fdA")
        assert only(scene.stored_guests(booking_id)).check_out_date == date(2026, 3, 11)

    def test_pre_assignment_keeps_the_rooms_status_and_condition(self, scene: Scene) -> None:
        """assign_room(check_in=False) to a dirty room only sets the booking."""
        scene.dirty("R102")
        booking_id = scene.booking(2)
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd", check_in=False
        )
        assert [shape(e) for e in entries] == [(Op.ASSIGN, VD, VD, DIRTY, DIRTY)]
        occupancy = scene.occupancy("R102")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (
            VD,
            DIRTY,
            booking_id,
        )
        assert not occupancy.is_occupied
        assert occupancy.occupied_since is None
        assert scene.stored_booking(booking_id).checked_in_at is None
        assert scene.stored_guests(booking_id) == []
        assert services.current_guests(scene.uow, "R102") == ()

    def test_checking_in_a_pre_assigned_booking_logs_checkin_only(self, scene: Scene) -> None:
        """check_in of a booking pre-assigned to a ready room logs one CHECKIN entry."""
        booking_id = scene.pre_assigned("R101", 2)
        entries = services.check_in(scene.uow, booking_id=booking_id, staff_id="fd")
        assert [shape(e) for e in entries] == [(Op.CHECKIN, VC, OCC, CLEAN, CLEAN)]
        assert scene.occupancy("R101").occupied_since == entries[0].timestamp
        assert scene.stored_booking(booking_id).checked_in_at == entries[0].timestamp
        assert len(services.current_guests(scene.uow, "R101")) == 2

    def test_assigning_the_pre_assigned_room_with_check_in_is_a_check_in(
        self, scene: Scene
    ) -> None:
        """assign_room to the room the booking is pre-assigned to logs CHECKIN only."""
        booking_id = scene.pre_assigned("R101")
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R101", staff_id="fd"
        )
        assert [e.operation for e in entries] == [Op.CHECKIN]
        assert scene.occupancy("R101").is_occupied

    def test_checking_in_to_a_dirty_room_is_room_not_available(self, scene: Scene) -> None:
        """A booking pre-assigned to a dirty room cannot check in, nor be assigned with
        check-in to another dirty room."""
        scene.dirty("R102")
        scene.dirty("R103")
        booking_id = scene.pre_assigned("R102")
        error = scene.refused(
            ho.RoomNotAvailable, services.check_in, booking_id=booking_id, staff_id="fd"
        )
        assert error.room_id == "R102"
        other = scene.booking()
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=other,
            room_id="R103",
            staff_id="fd",
        )

    def test_a_hotel_requiring_inspection_checks_in_to_inspected_rooms_only(
        self, scene: Scene
    ) -> None:
        """A CLEAN room is refused with RoomNotAvailable until it has been inspected."""
        scene.inspected_hotel()
        booking_id = scene.booking(hotel_id="HI")
        scene.refused(
            ho.RoomNotAvailable,
            services.assign_room,
            booking_id=booking_id,
            room_id="RI1",
            staff_id="fdI",
        )
        services.inspect_room(scene.uow, room_id="RI1", staff_id="supI")
        entries = services.assign_room(
            scene.uow, booking_id=booking_id, room_id="RI1", staff_id="fdI"
        )
        assert [shape(e) for e in entries] == [
            (Op.ASSIGN, VC, VC, INSPECTED, INSPECTED),
            (Op.CHECKIN, VC, OCC, INSPECTED, INSPECTED),
        ]

    # --- reassign and unassign ---------------------------------------------------------------

    def test_reassigning_moves_the_pre_assignment_and_leaves_the_old_room_as_it_was(
        self, scene: Scene
    ) -> None:
        """REASSIGN is logged on the target with from_room_id; the source keeps its state."""
        scene.dirty("R101")
        booking_id = scene.pre_assigned("R101")
        entries = services.reassign_room(
            scene.uow, booking_id=booking_id, to_room_id="R102", staff_id="fd", notes="view"
        )
        entry = only(entries)
        assert shape(entry) == (Op.REASSIGN, VC, VC, CLEAN, CLEAN)
        assert (entry.room_id, entry.from_room_id, entry.booking_id, entry.notes) == (
            "R102",
            "R101",
            booking_id,
            "view",
        )
        source = scene.occupancy("R101")
        assert (source.status, source.condition, source.booking_id) == (VD, DIRTY, None)
        target = scene.occupancy("R102")
        assert (target.status, target.condition, target.booking_id) == (VC, CLEAN, booking_id)
        assert services.room_history(scene.uow, "R101")[0] == entry
        assert services.booking_history(scene.uow, booking_id)[0] == entry

    def test_reassigning_to_the_room_already_held_is_room_not_available(self, scene: Scene) -> None:
        """Reassigning a booking to its own room is RoomNotAvailable."""
        booking_id = scene.pre_assigned("R101")
        scene.refused(
            ho.RoomNotAvailable,
            services.reassign_room,
            booking_id=booking_id,
            to_room_id="R101",
            staff_id="fd",
        )

    def test_reassigning_an_in_house_booking_is_booking_not_assignable(self, scene: Scene) -> None:
        """An in-house booking moves with move_guest, not reassign_room."""
        booking_id = scene.checked_in("R101")
        error = scene.refused(
            ho.BookingNotAssignable,
            services.reassign_room,
            booking_id=booking_id,
            to_room_id="R102",
            staff_id="fd",
        )
        assert error.booking_id == booking_id

    def test_unassigning_a_pre_assignment_frees_the_room(self, scene: Scene) -> None:
        """UNASSIGN clears the booking from the room; the booking can be assigned again."""
        booking_id = scene.pre_assigned("R101")
        entry = only(services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.UNASSIGN, VC, VC, CLEAN, CLEAN)
        assert (entry.room_id, entry.booking_id) == ("R101", booking_id)
        assert scene.occupancy("R101").booking_id is None
        services.assign_room(
            scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd", check_in=False
        )
        assert scene.occupancy("R102").booking_id == booking_id

    def test_unassigning_an_in_house_booking_undoes_the_check_in(self, scene: Scene) -> None:
        """Undoing a check-in leaves the room vacant in its condition and removes the stay."""
        booking_id = scene.checked_in("R101", 2)
        stay = services.current_guests(scene.uow, "R101")
        scene.dirty("R101")
        entry = only(services.unassign_room(scene.uow, booking_id=booking_id, staff_id="fd"))
        assert shape(entry) == (Op.UNASSIGN, OCC, VD, DIRTY, DIRTY)
        occupancy = scene.occupancy("R101")
        assert (occupancy.status, occupancy.condition, occupancy.booking_id) == (VD, DIRTY, None)
        assert occupancy.occupied_since is None
        assert occupancy.expected_checkout is None
        assert len(scene.stored_tasks("R101", open_only=True)) == 1
        assert scene.stored_booking(booking_id).checked_in_at is None
        assert scene.stored_guests(booking_id) == []
        for guest in stay:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) is None
            scene.refused(ho.GuestNotFound, services.current_room, guest.guest_id)
        services.assign_room(scene.uow, booking_id=booking_id, room_id="R102", staff_id="fd")
        assert len(services.current_guests(scene.uow, "R102")) == 2

    def test_a_check_in_cannot_be_undone_after_a_move(self, scene: Scene) -> None:
        """After move_guest, unassign_room is BookingNotAssignable."""
        booking_id = scene.checked_in("R101")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        scene.refused(
            ho.BookingNotAssignable,
            services.unassign_room,
            booking_id=booking_id,
            staff_id="fd",
        )

    def test_unassigning_a_booking_without_a_room_is_booking_not_assignable(
        self, scene: Scene
    ) -> None:
        """A booking that holds no room cannot be unassigned."""
        booking_id = scene.booking()
        scene.refused(
            ho.BookingNotAssignable,
            services.unassign_room,
            booking_id=booking_id,
            staff_id="fd",
        )

    # --- move and checkout -------------------------------------------------------------------

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

    # --- housekeeping ------------------------------------------------------------------------

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

    # --- out of order and maintenance ----------------------------------------------------------

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

    # --- refusals and the order of the checks ---------------------------------------------------

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

    def test_a_party_larger_than_the_room_is_capacity_exceeded(self, scene: Scene) -> None:
        """Three guests cannot be assigned (even pre-assigned) to a room for two."""
        booking_id = scene.booking(3)
        error = scene.refused(
            ho.CapacityExceeded,
            services.assign_room,
            booking_id=booking_id,
            room_id="R101",
            staff_id="fd",
            check_in=False,
        )
        assert (error.room_id, error.booking_id) == ("R101", booking_id)

    def test_a_room_holding_another_booking_is_room_not_available(self, scene: Scene) -> None:
        """Pre-assigned and occupied rooms cannot take a second booking."""
        scene.pre_assigned("R101")
        scene.checked_in("R102")
        booking_id = scene.booking()
        for room_id in ("R101", "R102"):
            scene.refused(
                ho.RoomNotAvailable,
                services.assign_room,
                booking_id=booking_id,
                room_id=room_id,
                staff_id="fd",
                check_in=False,
            )

    def test_a_booking_assigned_elsewhere_or_in_house_is_booking_not_assignable(
        self, scene: Scene
    ) -> None:
        """A pre-assigned booking cannot be assigned to a second room; an in-house one
        cannot check in again."""
        pre = scene.pre_assigned("R101")
        scene.refused(
            ho.BookingNotAssignable,
            services.assign_room,
            booking_id=pre,
            room_id="R102",
            staff_id="fd",
        )
        in_house = scene.checked_in("R103")
        scene.refused(
            ho.BookingNotAssignable, services.check_in, booking_id=in_house, staff_id="fd"
        )

    def test_device_tokens_need_an_in_house_guest(self, scene: Scene) -> None:
        """Unknown guests are GuestNotFound; departed ones GuestNotInHouse (a GuestNotFound)."""
        assert issubclass(ho.GuestNotInHouse, ho.GuestNotFound)
        scene.refused(ho.GuestNotFound, services.register_device_token, guest_id="NOPE", token="t")
        scene.checked_in("R101")
        guest = only(services.current_guests(scene.uow, "R101"))
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        error = scene.refused(
            ho.GuestNotInHouse,
            services.register_device_token,
            guest_id=guest.guest_id,
            token="tok",
        )
        assert error.guest_id == guest.guest_id

    # --- request ids ---------------------------------------------------------------------------

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

    # --- queries -------------------------------------------------------------------------------

    def test_room_board_is_in_natural_order_with_references_and_guest_counts(
        self, scene: Scene
    ) -> None:
        """One row per room of the hotel, "2" before "10", with booking reference and
        in-house guest count."""
        scene.second_hotel()
        for number in ("10", "2", "9"):
            services.register_room(scene.uow, hotel_id=HOTEL, room_id=f"R{number}", number=number)
        in_house = scene.checked_in("R101", 2)
        arriving = scene.pre_assigned("R102", 2)
        board = services.room_board(scene.uow, HOTEL)
        assert [row.number for row in board] == ["2", "9", "10", "101", "102", "103", "104", "201"]
        rows = {row.room_id: row for row in board}
        occupied = rows["R101"]
        assert (occupied.status, occupied.condition, occupied.booking_id) == (OCC, CLEAN, in_house)
        assert (occupied.booking_reference, occupied.guest_count) == (
            Scene.reference(in_house),
            2,
        )
        assert occupied.expected_checkout == DEPARTURE_AT_11_UTC
        assert occupied.expected_checkout.tzinfo is UTC
        assigned = rows["R102"]
        assert (assigned.status, assigned.booking_id, assigned.booking_reference) == (
            VC,
            arriving,
            Scene.reference(arriving),
        )
        assert (assigned.guest_count, assigned.expected_checkout) == (0, None)
        empty = rows["R2"]
        assert (empty.status, empty.booking_id, empty.booking_reference, empty.guest_count) == (
            VC,
            None,
            None,
            0,
        )
        assert [row.room_id for row in services.room_board(scene.uow, "H2")] == ["R2-101"]

    def test_current_guests_are_the_in_house_party_of_an_occupied_room_only(
        self, scene: Scene
    ) -> None:
        """Vacant and pre-assigned rooms have no current guests; occupied ones their party."""
        scene.pre_assigned("R102", 2)
        booking_id = scene.checked_in("R101", 2)
        assert services.current_guests(scene.uow, "R103") == ()
        assert services.current_guests(scene.uow, "R102") == ()
        guests = services.current_guests(scene.uow, "R101")
        assert [g.booking_guest_id for g in guests] == [f"{booking_id}-g0", f"{booking_id}-g1"]
        assert {g.guest_id for g in guests} == {g.guest_id for g in scene.stored_guests(booking_id)}

    def test_current_room_follows_the_guest_and_unknown_guests_are_not_found(
        self, scene: Scene
    ) -> None:
        """current_room is the room while in house, None after departure."""
        scene.checked_in("R101")
        guest = only(services.current_guests(scene.uow, "R101"))
        assert services.current_room(scene.uow, guest.guest_id) == "R101"
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        assert services.current_room(scene.uow, guest.guest_id) == "R102"
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        assert services.current_room(scene.uow, guest.guest_id) is None
        scene.refused(ho.GuestNotFound, services.current_room, "NOPE")

    def test_room_history_is_newest_first_and_includes_moves_and_reassignments_out(
        self, scene: Scene
    ) -> None:
        """A room's history lists the moves and reassignments that left it."""
        scene.checked_in("R101")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.start_cleaning(scene.uow, room_id="R101", staff_id="hk")
        history = services.room_history(scene.uow, "R101")
        assert [e.operation for e in history] == [Op.CLEAN_START, Op.MOVE, Op.CHECKIN, Op.ASSIGN]
        assert [e.id for e in history] == sorted((e.id for e in history), reverse=True)
        assert [e.operation for e in services.room_history(scene.uow, "R102")] == [Op.MOVE]
        booking_id = scene.pre_assigned("R103")
        services.reassign_room(scene.uow, booking_id=booking_id, to_room_id="R104", staff_id="fd")
        assert [e.operation for e in services.room_history(scene.uow, "R103")] == [
            Op.REASSIGN,
            Op.ASSIGN,
        ]
        assert [e.operation for e in services.room_history(scene.uow, "R104")] == [Op.REASSIGN]

    def test_booking_history_is_newest_first_and_only_the_bookings(self, scene: Scene) -> None:
        """booking_history lists the booking's own entries, newest first."""
        booking_id = scene.checked_in("R101")
        scene.checked_in("R103")
        services.move_guest(scene.uow, from_room_id="R101", to_room_id="R102", staff_id="fd")
        services.checkout_room(scene.uow, room_id="R102", staff_id="fd")
        history = services.booking_history(scene.uow, booking_id)
        assert [e.operation for e in history] == [Op.CHECKOUT, Op.MOVE, Op.CHECKIN, Op.ASSIGN]
        assert {e.booking_id for e in history} == {booking_id}
        assert [e.id for e in history] == sorted((e.id for e in history), reverse=True)

    def test_open_tasks_lists_the_hotels_open_tasks_oldest_first(self, scene: Scene) -> None:
        """Done tasks and other hotels' tasks are left out."""
        scene.second_hotel()
        services.mark_dirty(scene.uow, room_id="R2-101", staff_id="fd2")
        scene.dirty("R103")
        scene.clean("R103")
        scene.dirty("R101")
        services.start_maintenance(scene.uow, room_id="R102", staff_id="mnt", reason="paint")
        tasks = services.open_tasks(scene.uow, HOTEL)
        assert [(t.room_id, t.kind, t.status) for t in tasks] == [
            ("R101", ho.TaskKind.CLEANING, ho.TaskStatus.OPEN),
            ("R102", ho.TaskKind.MAINTENANCE, ho.TaskStatus.OPEN),
        ]
        assert {t.hotel_id for t in tasks} == {HOTEL}
        assert [t.room_id for t in services.open_tasks(scene.uow, "H2")] == ["R2-101"]

    def test_allowed_operations_judge_the_rooms_state(self, scene: Scene) -> None:
        """One entry per operation service, with the error class a refused call would raise."""
        vacant = {a.action: a.reason for a in services.allowed_operations(scene.uow, "R101")}
        assert vacant == {
            "assign_room": None,
            "check_in": "BookingNotAssignable",
            "reassign_room": None,
            "unassign_room": "BookingNotAssignable",
            "move_guest": "RoomNotOccupied",
            "checkout_room": "RoomNotOccupied",
            "mark_dirty": None,
            "start_cleaning": "InvalidTransition",
            "complete_cleaning": "InvalidTransition",
            "inspect_room": None,
            "set_out_of_order": None,
            "start_maintenance": None,
            "return_to_service": "InvalidTransition",
        }
        scene.checked_in("R101")
        occupied = services.allowed_operations(scene.uow, "R101")
        by_action = {a.action: a for a in occupied}
        assert by_action["checkout_room"].allowed
        assert by_action["checkout_room"].operation is Op.CHECKOUT
        assert by_action["mark_dirty"].operation is Op.STATUS_CHANGE
        assert by_action["move_guest"].reason is None
        assert by_action["assign_room"].reason == "RoomNotAvailable"
        assert by_action["set_out_of_order"].reason == "InvalidTransition"
        assert all(a.allowed == (a.reason is None) for a in occupied)

    def test_find_guest_by_pin_finds_in_house_guests_of_that_hotel_only(self, scene: Scene) -> None:
        """A PIN finds its in-house guest in its hotel, nobody elsewhere or after checkout."""
        scene.second_hotel()
        scene.checked_in("R101", 2)
        guests = services.current_guests(scene.uow, "R101")
        for guest in guests:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) == guest
            assert services.find_guest_by_pin(scene.uow, "H2", guest.id_pin) is None
        services.checkout_room(scene.uow, room_id="R101", staff_id="fd")
        for guest in guests:
            assert guest.id_pin is not None
            assert services.find_guest_by_pin(scene.uow, HOTEL, guest.id_pin) is None

    def test_queries_on_unknown_keys_are_not_found(self, scene: Scene) -> None:
        """Each query names the missing room, hotel or booking."""
        for query in (
            services.get_occupancy,
            services.current_guests,
            services.room_history,
            services.allowed_operations,
        ):
            scene.refused(ho.RoomNotFound, query, "NOPE")
        scene.refused(ho.HotelNotFound, services.room_board, "NOPE")
        scene.refused(ho.HotelNotFound, services.open_tasks, "NOPE")
        scene.refused(ho.HotelNotFound, services.find_guest_by_pin, "NOPE", "123456")
        scene.refused(ho.BookingNotFound, services.booking_history, "NOPE")

    # --- the log, events, timestamps and returned objects -----------------------------------

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

    # --- scale -------------------------------------------------------------------------------

    def test_a_hotel_of_fifty_rooms_and_a_party_of_four(self, scene: Scene) -> None:
        """Fifty rooms on the board in natural order; a party of four checks in and out."""
        services.register_hotel(scene.uow, hotel_id="BIG", name="Big")
        for n in range(50, 0, -1):
            services.register_room(
                scene.uow,
                hotel_id="BIG",
                room_id=f"BIG-{n}",
                number=str(n),
                capacity=4 if n == 7 else 2,
            )
        services.register_staff(
            scene.uow, hotel_id="BIG", staff_id="fdB", name="B", role=ho.StaffRole.FRONT_DESK
        )
        board = services.room_board(scene.uow, "BIG")
        assert [row.number for row in board] == [str(n) for n in range(1, 51)]
        too_many = scene.booking(5, hotel_id="BIG")
        scene.refused(
            ho.CapacityExceeded,
            services.assign_room,
            booking_id=too_many,
            room_id="BIG-7",
            staff_id="fdB",
        )
        booking_id = scene.checked_in("BIG-7", 4, hotel_id="BIG", staff_id="fdB")
        guests = services.current_guests(scene.uow, "BIG-7")
        assert [g.guest_type for g in guests] == [ho.GuestType.PRIMARY] + [
            ho.GuestType.COMPANION
        ] * 3
        assert {g.primary_guest_id for g in guests[1:]} == {guests[0].guest_id}
        assert len({g.id_pin for g in guests}) == 4
        row = only(r for r in services.room_board(scene.uow, "BIG") if r.room_id == "BIG-7")
        assert (row.status, row.booking_id, row.guest_count) == (OCC, booking_id, 4)
        services.checkout_room(scene.uow, room_id="BIG-7", staff_id="fdB")
        assert all(not g.in_house for g in scene.stored_guests(booking_id))
        assert [r.status for r in services.room_board(scene.uow, "BIG")].count(VC) == 49
