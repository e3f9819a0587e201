"""The scene of the contract suite: its clock, its small hotel, and the helpers its tests use.

:func:`build_scene` builds hotel ``H`` (see :class:`Scene`) through the public services on a
unit of work from the ``uow_factory`` fixture; :class:`SceneContract` gives every concern of
the suite that plays in it the ``scene`` fixture, which checks every invariant of SPEC §5
after the test. The library's own tests build the same hotel with the same class.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol, TypeVar

import pytest

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import RecordingNotifier
from hotel_occupancy.domain.credentials import PinRules
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.services.ports import (
    Clock,
    Inspectable,
    Notifier,
    PinSource,
    Policy,
    UnitOfWork,
)

__all__ = [
    "ContractUnitOfWork",
    "Scene",
    "SceneContract",
    "SteppingClock",
    "UnitOfWorkFactory",
    "build_scene",
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

ROOMS: tuple[tuple[str, str, int | None], ...] = (
    ("R101", "101", 2),
    ("R102", "102", 2),
    ("R103", "103", 2),
    ("R104", "104", 2),
    ("R201", "201", None),
)
"""The rooms of hotel ``H``: ``(room_id, number, capacity)``."""

STAFF: dict[str, ho.StaffRole] = {
    "fd": ho.StaffRole.FRONT_DESK,
    "hk": ho.StaffRole.HOUSEKEEPING,
    "sup": ho.StaffRole.SUPERVISOR,
    "mnt": ho.StaffRole.MAINTENANCE,
    "mgr": ho.StaffRole.MANAGER,
}
"""The staff of hotel ``H``, one member per role, by id."""

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
        self,
        *,
        clock: Clock,
        notifier: Notifier,
        policy: Policy | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> ContractUnitOfWork:
        """A unit of work over the fixture's fresh, empty storage. ``pins`` and
        ``pin_rules`` (None: the adapter's defaults) are passed on to the unit of work."""


class SteppingClock:
    """A clock that moves by a fixed step at every reading and remembers what it said.

    ``zone`` is the time zone of the (aware) values it returns; :attr:`handed_out` keeps
    every instant returned so far, in UTC. :attr:`now` is the instant the next reading
    returns; set it, or :meth:`advance` it, to jump in time.
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
    def now(self) -> datetime:
        """The instant the next reading returns."""
        return self._next

    @now.setter
    def now(self, value: datetime) -> None:
        self._next = value

    def advance(self, **delta: float) -> None:
        """Move on by ``timedelta(**delta)`` without a reading: ``clock.advance(hours=2)``."""
        self._next += timedelta(**delta)

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

    Hotel ``H`` (:meth:`main_hotel`) has rooms ``R101``-``R104`` (numbers "101"-"104",
    capacity 2) and ``R201`` (no limit), and one staff member per role: ``fd``, ``hk``,
    ``sup``, ``mnt``, ``mgr``. :meth:`second_hotel` and :meth:`inspected_hotel` add more
    hotels when a test needs them.

    ``policy`` is the role policy the invariants are judged by (default: the default
    policy). The n-th booking :meth:`booking` registers gets the reference ``references``
    and its party the last name ``surnames``, both formatted with ``n`` and ``booking_id``.
    """

    def __init__(
        self,
        uow: ContractUnitOfWork,
        clock: SteppingClock,
        notifier: RecordingNotifier,
        policy: ho.RolePolicy | None = None,
        *,
        references: str = "REF-{booking_id}",
        surnames: str = "Last-{booking_id}",
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.notifier = notifier
        self.policy = policy if policy is not None else ho.RolePolicy()
        self.references = references
        self.surnames = surnames
        self._bookings = 0

    # --- building -------------------------------------------------------------------------

    def register_hotel(
        self,
        hotel_id: str,
        rooms: Iterable[tuple[str, str, int | None]],
        staff: Iterable[tuple[str, ho.StaffRole]],
        *,
        name: str | None = None,
        require_inspection: bool = False,
        timezone: str = "UTC",
    ) -> None:
        """A hotel with ``(room_id, number, capacity)`` rooms and ``(staff_id, role)`` staff
        (each named after its id in capitals); ``name`` defaults to ``Hotel <hotel_id>``."""
        services.register_hotel(
            self.uow,
            hotel_id=hotel_id,
            name=name if name is not None else f"Hotel {hotel_id}",
            require_inspection=require_inspection,
            timezone=timezone,
        )
        for room_id, number, capacity in rooms:
            services.register_room(
                self.uow, hotel_id=hotel_id, room_id=room_id, number=number, capacity=capacity
            )
        for staff_id, role in staff:
            services.register_staff(
                self.uow, hotel_id=hotel_id, staff_id=staff_id, name=staff_id.upper(), role=role
            )

    def main_hotel(
        self, *, name: str | None = None, require_inspection: bool = False, timezone: str = "UTC"
    ) -> None:
        """Hotel ``H``: rooms ``R101``-``R104`` (capacity 2) and ``R201`` (no limit), staff
        ``fd``, ``hk``, ``sup``, ``mnt`` and ``mgr`` (one per role)."""
        self.register_hotel(
            HOTEL,
            ROOMS,
            STAFF.items(),
            name=name,
            require_inspection=require_inspection,
            timezone=timezone,
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

    def party(
        self, booking_id: str, guests: int, *, surname: str | None = None
    ) -> list[ho.BookingGuest]:
        """A party of ``guests`` members with ids ``<booking_id>-g<i>``, first names
        ``First<i>`` and the last name ``surname`` (default: ``Last-<booking_id>``, the
        default ``surnames``)."""
        last_name = surname if surname is not None else f"Last-{booking_id}"
        return [
            ho.BookingGuest(f"{booking_id}-g{i}", f"First{i}", last_name) for i in range(guests)
        ]

    def booking(
        self,
        guests: int = 1,
        *,
        hotel_id: str = HOTEL,
        booking_id: str | None = None,
        arrival: date = ARRIVAL,
        departure: date = DEPARTURE,
    ) -> str:
        """Register an arriving booking (by default 10 to 12 March 2026) with ``guests``
        party members; return its id (``B<n>`` for the scene's n-th booking unless
        ``booking_id`` is given)."""
        self._bookings += 1
        booking_id = booking_id or f"B{self._bookings}"
        names = {"n": self._bookings, "booking_id": booking_id}
        services.register_booking(
            self.uow,
            hotel_id=hotel_id,
            booking_id=booking_id,
            reference=self.references.format_map(names),
            arrival=arrival,
            departure=departure,
            party=self.party(booking_id, guests, surname=self.surnames.format_map(names)),
        )
        return booking_id

    @staticmethod
    def reference(booking_id: str) -> str:
        """The human reference :meth:`booking` gives a booking (with the default
        ``references``)."""
        return f"REF-{booking_id}"

    def checked_in(
        self,
        room_id: str,
        guests: int = 1,
        *,
        hotel_id: str = HOTEL,
        staff_id: str = "fd",
        departure: date = DEPARTURE,
    ) -> str:
        """A new booking assigned to and checked into ``room_id``; return its id."""
        booking_id = self.booking(guests, hotel_id=hotel_id, departure=departure)
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
        """Everything stored (in key order) and every event published so far."""
        return canonical(self.uow.snapshot()), tuple(self.notifier.events)

    def stored_booking(self, booking_id: str) -> ho.Booking:
        return only(b for b in self.uow.snapshot().bookings if b.booking_id == booking_id)

    def stored_guests(self, booking_id: str) -> list[ho.Guest]:
        """Every stored guest record of the booking, primary first then in party order."""
        found = [g for g in self.uow.snapshot().guests if g.booking_id == booking_id]
        return sorted(
            found, key=lambda g: (g.guest_type is not ho.GuestType.PRIMARY, g.booking_guest_id)
        )

    def stored_tasks(self, room_id: str, *, open_only: bool = False) -> list[ho.HousekeepingTask]:
        """Every stored task of the room (or only the open ones), oldest first."""
        found = [
            t
            for t in self.uow.snapshot().tasks
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
    pins: PinSource | None = None,
    pin_rules: PinRules | None = None,
) -> Scene:
    """Hotel ``H`` (see :class:`Scene`) on a unit of work from ``factory``, with a new
    :class:`SteppingClock` and :class:`~hotel_occupancy.adapters.memory.RecordingNotifier`
    unless given; ``pins`` and ``pin_rules`` are passed to the factory only when given."""
    clock = clock or SteppingClock()
    notifier = notifier or RecordingNotifier()
    extra: dict[str, object] = {}
    if pins is not None:
        extra["pins"] = pins
    if pin_rules is not None:
        extra["pin_rules"] = pin_rules
    uow = factory(clock=clock, notifier=notifier, policy=policy, **extra)  # type: ignore[arg-type]
    scene = Scene(uow, clock, notifier, policy)
    scene.main_hotel()
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


class SceneContract:
    """The base of every concern of the suite that plays in a :class:`Scene`: it needs the
    ``uow_factory`` fixture and gives the ``scene`` fixture."""

    @pytest.fixture
    def scene(self, uow_factory: UnitOfWorkFactory) -> Iterator[Scene]:
        """Hotel ``H`` on the adapter under test; every invariant is checked afterwards."""
        built = build_scene(uow_factory)
        yield built
        built.assert_sound()
