"""Property-based tests: a state machine that drives every service of §7 and checks §5.

Each step of :class:`OccupancyMachine` calls one service with ids drawn from the registered
ones, another hotel's ones and unknown ones, with staff of every role (and deactivated
staff), and with fresh, reused and conflicting ``request_id``s. An oracle computed from the
store's snapshot before the call and the transition table predicts the outcome: the exact
error class, checked in the order of §6 (input, request_id, existence, hotel, permission,
state), or success and the entries it must log. A refusal must leave the store and the
published events exactly as they were (I8); a success must append exactly the entries it
returns, publish one event per entry, and change nothing but what the operation names.
After every step all invariants (I1-I7, I9-I14) are checked on the whole store, and
followers of the event feed (§11), on a unit of work of their own over the same store,
read on: what they have read must be exactly what the notifier published, in id order,
and their positions never move backwards.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.feed import START
from hotel_occupancy.domain.invariants import StoreSnapshot, check_invariants
from hotel_occupancy.domain.model import natural_key
from hotel_occupancy.domain.transitions import (
    TRANSITIONS,
    RoomRole,
    RoomState,
    Service,
    Tenancy,
    Transition,
    all_states,
    transition,
)
from tests.support import FakeClock

Condition = ho.Condition
Status = ho.OccupancyStatus
Op = ho.Operation
Role = ho.StaffRole

# --- the world the machine starts from ---------------------------------------------------

HOTELS: dict[str, dict[str, Any]] = {
    "HA": {
        "name": "Alpenhof",
        "require_inspection": False,
        "timezone": "Europe/Berlin",
        "checkout_time": time(11),
    },
    "HB": {
        "name": "Harbour View",
        "require_inspection": True,
        "timezone": "Pacific/Auckland",
        "checkout_time": time(10, 30),
    },
}
HOTEL_IDS = tuple(HOTELS)

# room_id: (hotel_id, number, capacity). Both hotels have a room number "2".
ROOMS: dict[str, tuple[str, str, int | None]] = {
    "A101": ("HA", "101", 4),
    "A2": ("HA", "2", None),
    "A11": ("HA", "11", 2),
    "A10": ("HA", "10", 1),
    "B2": ("HB", "2", None),
    "B1": ("HB", "1", 2),
    "B3": ("HB", "3", 1),
}
BOARD_ORDER = {"HA": ["A2", "A10", "A11", "A101"], "HB": ["B1", "B2", "B3"]}

STAFF_ROLES: dict[str, Role] = {
    "fd": Role.FRONT_DESK,
    "hk": Role.HOUSEKEEPING,
    "sup": Role.SUPERVISOR,
    "mnt": Role.MAINTENANCE,
    "mgr": Role.MANAGER,
    "gone": Role.MANAGER,  # deactivated in setup: may do nothing despite the role
}
INITIAL_PARTIES = {"HA": (1, 2, 4), "HB": (3, 1)}

UNKNOWN_ROOM, UNKNOWN_BOOKING, UNKNOWN_STAFF, UNKNOWN_GUEST = (
    "R-nowhere",
    "B-nowhere",
    "S-nobody",
    "G-nobody",
)
ARRIVAL = date(2026, 3, 10)

# --- what §4 and §7 promise, written down independently of the library -------------------

GRANTS: dict[Role, frozenset[str]] = {
    Role.FRONT_DESK: frozenset(
        {
            "assign_room",
            "check_in",
            "reassign_room",
            "unassign_room",
            "move_guest",
            "checkout_room",
            "mark_dirty",
        }
    ),
    Role.HOUSEKEEPING: frozenset({"mark_dirty", "start_cleaning", "complete_cleaning"}),
    Role.SUPERVISOR: frozenset(
        {"mark_dirty", "start_cleaning", "complete_cleaning", "inspect_room"}
    ),
    Role.MAINTENANCE: frozenset({"set_out_of_order", "start_maintenance", "return_to_service"}),
}
LOGS: dict[str, Op] = {
    "assign_room": Op.ASSIGN,
    "check_in": Op.CHECKIN,
    "reassign_room": Op.REASSIGN,
    "unassign_room": Op.UNASSIGN,
    "move_guest": Op.MOVE,
    "checkout_room": Op.CHECKOUT,
    "mark_dirty": Op.STATUS_CHANGE,
    "start_cleaning": Op.CLEAN_START,
    "complete_cleaning": Op.CLEAN_COMPLETE,
    "inspect_room": Op.INSPECT,
    "set_out_of_order": Op.OUT_OF_ORDER,
    "start_maintenance": Op.MAINTENANCE,
    "return_to_service": Op.STATUS_CHANGE,
}
GRANTS[Role.MANAGER] = frozenset(LOGS)

ID_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "assign_room": ("booking_id", "room_id", "staff_id"),
    "check_in": ("booking_id", "staff_id"),
    "reassign_room": ("booking_id", "to_room_id", "staff_id"),
    "unassign_room": ("booking_id", "staff_id"),
    "move_guest": ("from_room_id", "to_room_id", "staff_id"),
}
DEFAULTS: dict[str, dict[str, object]] = {
    "assign_room": {"notes": "", "check_in": True},
    "check_in": {"notes": ""},
    "reassign_room": {"notes": ""},
    "unassign_room": {"notes": ""},
    "move_guest": {"reason": ""},
    "checkout_room": {"notes": ""},
    "mark_dirty": {"notes": ""},
    "start_cleaning": {},
    "complete_cleaning": {"notes": ""},
    "inspect_room": {"passed": True, "notes": ""},
    "set_out_of_order": {},
    "start_maintenance": {},
    "return_to_service": {"condition": Condition.DIRTY, "notes": ""},
}
DEFAULT_VARIANTS = {
    "assign_room": "pre-assign",
    "inspect_room": "passed",
    "return_to_service": "DIRTY",
}
SERVICES: dict[str, Callable[..., tuple[ho.LogEntry, ...]]] = {
    name: getattr(services, name) for name in LOGS
}
STATE_WORDS = re.compile(
    r"\b(VACANT_CLEAN|VACANT_DIRTY|OCCUPIED|OUT_OF_ORDER|DIRTY|CLEANING|CLEAN|INSPECTED)\b"
)
NOTES = ("", "front desk note")
FOLLOWERS: dict[str, tuple[str | None, int]] = {"every hotel": (None, 500), "HB by twos": ("HB", 2)}
"""The feed's followers: (hotel, or None for all, and the size of their pages)."""
CONSUMER_BATCH = 3
"""The most events the machine's consumer takes per step (so it sometimes lags behind)."""
T = TypeVar("T")


def attempt(call: Callable[[], T]) -> tuple[T | None, ho.RoomOccupancyError | None]:
    """The call's result, or the domain error it raised."""
    try:
        return call(), None
    except ho.RoomOccupancyError as error:
        return None, error


def valid_id(value: object) -> bool:
    """What §6 calls a usable id (the machine only ever generates good ids or empty ones)."""
    return isinstance(value, str) and bool(value.strip())


def local_date(hotel: ho.Hotel, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(hotel.timezone)).date()


def expected_checkout(hotel: ho.Hotel, booking: ho.Booking) -> datetime:
    local = datetime.combine(booking.departure, hotel.checkout_time, ZoneInfo(hotel.timezone))
    return local.astimezone(UTC)


def call_arguments(action: str, kwargs: Mapping[str, object]) -> dict[str, object]:
    """The arguments of a call with its defaults filled in (request_id left out)."""
    args = {**DEFAULTS[action], **{k: v for k, v in kwargs.items() if k != "request_id"}}
    if "condition" in args:
        with contextlib.suppress(ValueError):
            args["condition"] = Condition(args["condition"])
    return args


# --- a read-only view of a snapshot ---------------------------------------------------------


class View:
    """A snapshot of the store, indexed for the oracle and the checks."""

    def __init__(self, snap: StoreSnapshot) -> None:
        self.snap = snap
        self.hotels = {h.hotel_id: h for h in snap.hotels}
        self.rooms = {r.room_id: r for r in snap.rooms}
        self.staff = {s.staff_id: s for s in snap.staff}
        self.bookings = {b.booking_id: b for b in snap.bookings}
        self.guests = {g.guest_id: g for g in snap.guests}
        self.occ = {o.room_id: o for o in snap.occupancies}
        self.tasks = {t.task_id: t for t in snap.tasks}
        self.holder = {o.booking_id: o.room_id for o in snap.occupancies if o.booking_id}

    def tables(self) -> tuple[object, ...]:
        """Everything stored, independent of the order rows are kept in."""
        return (
            self.hotels,
            self.rooms,
            self.staff,
            self.bookings,
            self.guests,
            self.occ,
            self.tasks,
            self.snap.log,
            self.snap.request_ids,
        )

    def state(self, room_id: str) -> RoomState:
        o = self.occ[room_id]
        return RoomState.of(o.status, o.condition, o.booking_id is not None)

    def hotel_of(self, room_id: str) -> ho.Hotel:
        return self.hotels[self.rooms[room_id].hotel_id]

    def inspects(self, room_id: str) -> bool:
        return self.hotel_of(room_id).require_inspection

    def admits(self, row: Transition, room_id: str, state: RoomState | None = None) -> bool:
        return row.refusal(state or self.state(room_id), self.inspects(room_id)) is None

    def guests_of(self, booking_id: str) -> list[ho.Guest]:
        return sorted(
            (g for g in self.snap.guests if g.booking_id == booking_id),
            key=lambda g: (g.booking_guest_id, g.check_in_date, g.in_house),
        )

    def open_tasks(self, room_id: str, *kinds: ho.TaskKind) -> list[ho.HousekeepingTask]:
        return [
            t for t in self.snap.tasks if t.room_id == room_id and t.is_open and t.kind in kinds
        ]

    def moved_since_check_in(self, booking_id: str) -> bool:
        """Whether the log shows a MOVE of the booking after its last CHECKIN."""
        checkins = [
            e.id for e in self.snap.log if e.booking_id == booking_id and e.operation is Op.CHECKIN
        ]
        if not checkins:
            return False
        return any(
            e.operation is Op.MOVE and e.booking_id == booking_id and e.id > max(checkins)
            for e in self.snap.log
        )

    def rooms_of(self, hotel_id: str) -> list[str]:
        return [r for r, (h, _, _) in ROOMS.items() if h == hotel_id]

    def bookings_of(self, hotel_id: str) -> list[ho.Booking]:
        return sorted(
            (b for b in self.snap.bookings if b.hotel_id == hotel_id), key=lambda b: b.booking_id
        )

    def staff_of(self, hotel_id: str) -> list[ho.Staff]:
        return sorted(
            (s for s in self.snap.staff if s.hotel_id == hotel_id), key=lambda s: s.staff_id
        )


# --- the oracle ------------------------------------------------------------------------------

ANY = object()  # "the entry's booking_id is not specified for this operation"


class Refuse(Exception):
    """The oracle's verdict that the call must raise one of ``errors``."""

    def __init__(
        self, *errors: type[ho.RoomOccupancyError], carries: tuple[str, object] | None = None
    ) -> None:
        super().__init__(", ".join(e.__name__ for e in errors))
        self.errors = errors
        self.carries = carries


@dataclass
class Step:
    """One log entry the call must append."""

    room_id: str
    operation: Op
    before: RoomState
    after: RoomState
    booking_id: object = ANY
    from_room_id: str | None = None


@dataclass
class Outcome:
    """What the oracle predicts for one call."""

    errors: tuple[type[ho.RoomOccupancyError], ...] = ()
    replay: tuple[ho.LogEntry, ...] | None = None
    steps: list[Step] = field(default_factory=list)
    rooms: dict[str, tuple[RoomState, str | None]] = field(default_factory=dict)
    booking_id: str | None = None  # the booking the operation changes, if any
    # allowed_operations(judged) must predict the call: its reason is the error raised, or
    # (not strict: checks of other rooms or the party follow) a refusal it names is raised
    judged: str | None = None
    strict: bool = True
    carries: tuple[str, object] | None = None  # (attribute, id) the error must carry (§6)


class Oracle:
    """Predicts a call's outcome from a snapshot taken before it (checks in §6's order)."""

    def __init__(self, view: View, requests: Mapping[str, tuple[str, dict[str, object], Any]]):
        self.v = view
        self.requests = requests
        self.out = Outcome()

    def predict(self, action: str, kwargs: Mapping[str, object]) -> Outcome:
        try:
            self._input(action, kwargs)
            rid = kwargs.get("request_id")
            if rid is not None and rid in self.requests:
                recorded_action, recorded_args, entries = self.requests[rid]
                if recorded_action == action and recorded_args == call_arguments(action, kwargs):
                    return Outcome(replay=entries)
                raise Refuse(ho.RequestIdConflict, carries=("request_id", rid))
            getattr(self, f"_{action}", self._room_operation)(
                action, call_arguments(action, kwargs)
            )
        except Refuse as refusal:
            return Outcome(
                errors=refusal.errors,
                judged=self.out.judged,
                strict=self.out.strict,
                carries=refusal.carries,
            )
        return self.out

    # input (§6: refused before anything else)
    def _input(self, action: str, kwargs: Mapping[str, object]) -> None:
        for name in ID_ARGUMENTS.get(action, ("room_id", "staff_id")):
            if not valid_id(kwargs[name]):
                raise Refuse(ho.InvalidInput)
        if kwargs.get("request_id") is not None and not valid_id(kwargs["request_id"]):
            raise Refuse(ho.InvalidInput)
        if action == "move_guest" and kwargs["from_room_id"] == kwargs["to_room_id"]:
            raise Refuse(ho.InvalidInput)
        if action == "return_to_service" and "condition" in kwargs:
            value = kwargs["condition"]
            if value not in {c.value for c in Condition}:
                raise Refuse(ho.InvalidInput)
            if Condition(value) not in (Condition.DIRTY, Condition.CLEAN):
                # "never INSPECTED": §4 does not name the error class; either is defensible
                raise Refuse(ho.InvalidInput, ho.InvalidTransition)

    # existence, hotel, permission
    def booking(self, booking_id: object) -> ho.Booking:
        if booking_id not in self.v.bookings:
            raise Refuse(ho.BookingNotFound, carries=("booking_id", booking_id))
        return self.v.bookings[str(booking_id)]

    def room(self, room_id: object) -> ho.Room:
        if room_id not in self.v.rooms:
            raise Refuse(ho.RoomNotFound, carries=("room_id", room_id))
        return self.v.rooms[str(room_id)]

    def staff(self, staff_id: object) -> ho.Staff:
        if staff_id not in self.v.staff:
            raise Refuse(ho.StaffNotFound, carries=("staff_id", staff_id))
        return self.v.staff[str(staff_id)]

    @staticmethod
    def same_hotel(hotel_id: str, *others: ho.Room | ho.Staff | ho.Booking) -> None:
        if any(o.hotel_id != hotel_id for o in others):
            raise Refuse(ho.HotelMismatch)

    @staticmethod
    def permit(staff: ho.Staff, action: str) -> None:
        if not staff.active or action not in GRANTS[staff.role]:
            raise Refuse(ho.PermissionDenied)

    # state
    @staticmethod
    def arriving(booking: ho.Booking) -> None:
        if booking.checked_out or booking.in_house:
            raise Refuse(ho.BookingNotAssignable)

    def table(self, row: Transition, room_id: str, state: RoomState | None = None) -> RoomState:
        """The state after ``row``, or the table's error class."""
        state = state or self.v.state(room_id)
        refusal = row.refusal(state, self.v.inspects(room_id))
        if refusal is not None:
            raise Refuse(refusal.error)
        return row.apply(state)

    @staticmethod
    def fits(room: ho.Room, booking: ho.Booking) -> None:
        if room.capacity is not None and len(booking.party) > room.capacity:
            raise Refuse(ho.CapacityExceeded)

    def step(self, room_id: str, operation: Op, before: RoomState, after: RoomState, **kw: Any):
        self.out.steps.append(Step(room_id, operation, before, after, **kw))

    def judge(self, room_id: str, *, strict: bool) -> None:
        """From here on the outcome hangs on ``room_id``'s state (and maybe later checks)."""
        self.out.judged = room_id
        self.out.strict = strict

    def seat(self, room_id: str, booking: ho.Booking) -> None:
        """The CHECKIN of a booking pre-assigned to ``room_id``."""
        before = self.v.state(room_id)
        after = self.table(transition("check_in"), room_id)
        self.step(room_id, Op.CHECKIN, before, after, booking_id=booking.booking_id)
        self.out.rooms[room_id] = (after, booking.booking_id)

    # one method per booking service; the room services share _room_operation
    def _assign_room(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking(args["booking_id"])
        room = self.room(args["room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, room, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        self.arriving(booking)
        held = self.v.holder.get(booking.booking_id)
        if held is not None:
            if held == room.room_id and args["check_in"]:
                self.seat(held, booking)  # §4: this is a check_in (CHECKIN only)
                return
            raise Refuse(ho.BookingNotAssignable)
        if args["check_in"]:  # allowed_operations judges assign_room with its default
            self.judge(room.room_id, strict=False)
        before = self.v.state(room.room_id)
        assigned = self.table(transition(action, "pre-assign"), room.room_id)
        seated = None
        if args["check_in"]:
            seated = self.table(transition("check_in"), room.room_id, assigned)
        self.fits(room, booking)
        self.step(room.room_id, Op.ASSIGN, before, assigned, booking_id=booking.booking_id)
        if seated is not None:
            self.step(room.room_id, Op.CHECKIN, assigned, seated, booking_id=booking.booking_id)
        self.out.rooms[room.room_id] = (seated or assigned, booking.booking_id)

    def _check_in(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking(args["booking_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        self.arriving(booking)
        held = self.v.holder.get(booking.booking_id)
        if held is None:
            raise Refuse(ho.BookingNotAssignable)
        self.judge(held, strict=True)
        self.seat(held, booking)

    def _reassign_room(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking(args["booking_id"])
        room = self.room(args["to_room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, room, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        self.arriving(booking)
        source = self.v.holder.get(booking.booking_id)
        if source is None:
            raise Refuse(ho.BookingNotAssignable)
        if source == room.room_id:
            raise Refuse(ho.RoomNotAvailable)  # §4: the room the booking already holds
        left = self.table(transition(action, role=RoomRole.SOURCE), source)
        self.judge(room.room_id, strict=False)  # the target, as allowed_operations judges it
        before = self.v.state(room.room_id)
        after = self.table(transition(action), room.room_id)
        self.fits(room, booking)
        self.step(
            room.room_id,
            Op.REASSIGN,
            before,
            after,
            booking_id=booking.booking_id,
            from_room_id=source,
        )
        self.out.rooms[source] = (left, None)
        self.out.rooms[room.room_id] = (after, booking.booking_id)

    def _unassign_room(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking(args["booking_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        if booking.checked_out:
            raise Refuse(ho.BookingNotAssignable)
        held = self.v.holder.get(booking.booking_id)
        if held is None:
            raise Refuse(ho.BookingNotAssignable)
        if booking.in_house and self.v.moved_since_check_in(booking.booking_id):
            raise Refuse(ho.BookingNotAssignable)  # §4: any move makes the check-in final
        self.judge(held, strict=True)
        before = self.v.state(held)
        after = self.table(transition(action), held)
        self.step(held, Op.UNASSIGN, before, after, booking_id=booking.booking_id)
        self.out.rooms[held] = (after, None)

    def _move_guest(self, action: str, args: dict[str, Any]) -> None:
        source = self.room(args["from_room_id"])
        target = self.room(args["to_room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(source.hotel_id, target, staff)
        self.permit(staff, action)
        self.judge(source.room_id, strict=False)  # the source, as allowed_operations judges it
        left = self.table(transition(action, role=RoomRole.SOURCE), source.room_id)
        booking = self.v.bookings[str(self.v.occ[source.room_id].booking_id)]
        self.out.booking_id = booking.booking_id
        before = self.v.state(target.room_id)
        after = self.table(transition(action), target.room_id)
        self.fits(target, booking)
        self.step(
            target.room_id,
            Op.MOVE,
            before,
            after,
            booking_id=booking.booking_id,
            from_room_id=source.room_id,
        )
        self.out.rooms[source.room_id] = (left, None)
        self.out.rooms[target.room_id] = (after, booking.booking_id)

    def _checkout_room(self, action: str, args: dict[str, Any]) -> None:
        room = self.room(args["room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(room.hotel_id, staff)
        self.permit(staff, action)
        self.judge(room.room_id, strict=True)
        before = self.v.state(room.room_id)
        after = self.table(transition(action), room.room_id)
        booking_id = self.v.occ[room.room_id].booking_id
        self.out.booking_id = booking_id
        self.step(room.room_id, Op.CHECKOUT, before, after, booking_id=booking_id)
        self.out.rooms[room.room_id] = (after, None)

    def _room_operation(self, action: str, args: dict[str, Any]) -> None:
        room = self.room(args["room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(room.hotel_id, staff)
        self.permit(staff, action)
        variant = ""
        if action == "inspect_room":
            variant = "passed" if args["passed"] else "failed"
        elif action == "return_to_service":
            variant = args["condition"].value
        if variant == DEFAULT_VARIANTS.get(action, ""):
            self.judge(room.room_id, strict=True)
        before = self.v.state(room.room_id)
        after = self.table(transition(action, variant), room.room_id)
        self.step(room.room_id, LOGS[action], before, after)
        self.out.rooms[room.room_id] = (after, self.v.occ[room.room_id].booking_id)


# --- rule preconditions: a rule is picked only when some call of it can go far -----------


def some_room(test: Callable[[ho.RoomOccupancy], bool]) -> Callable[[Any], bool]:
    """A precondition: some room's occupancy record passes ``test``."""
    return lambda machine: any(test(o) for o in machine.store.snapshot().occupancies)


PRE_ASSIGNED = some_room(lambda o: o.booking_id is not None and o.status is not Status.OCCUPIED)
ASSIGNED = some_room(lambda o: o.booking_id is not None)
OCCUPIED = some_room(lambda o: o.status is Status.OCCUPIED)
OUT_OF_SERVICE = some_room(lambda o: o.status in (Status.OUT_OF_ORDER, Status.MAINTENANCE))


def in_condition(*conditions: Condition) -> Callable[[Any], bool]:
    return some_room(lambda o: o.condition in conditions)


# --- the state machine -------------------------------------------------------------------------


class OccupancyMachine(RuleBasedStateMachine):
    """Every service, valid and invalid calls, with every invariant checked after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.notifier = RecordingNotifier()
        self.uow = InMemoryUnitOfWork(clock=self.clock, notifier=self.notifier)
        self.store = self.uow.store
        # request_id -> (service, arguments with defaults, entries returned)
        self.requests: dict[str, tuple[str, dict[str, object], tuple[ho.LogEntry, ...]]] = {}
        self.failed_request_ids: list[str] = []
        self.next_booking = itertools.count(1)
        self.next_hire = itertools.count(1)
        self.next_token = itertools.count(1)
        self.hires: list[str] = []
        self.seen_guests: dict[str, None] = {}  # every guest id ever stored, in order
        # the feed's followers, in another unit of work (with a clock of its own)
        self.follower = InMemoryUnitOfWork(store=self.store, clock=FakeClock())
        self.positions = dict.fromkeys(FOLLOWERS, START)
        self.checked = 0  # how many published events the followers have read
        self.consumed: list[ho.OccupancyEvent] = []
        for hotel_id, policy in HOTELS.items():
            services.register_hotel(self.uow, hotel_id=hotel_id, **policy)
        for room_id, (hotel_id, number, capacity) in ROOMS.items():
            services.register_room(
                self.uow, hotel_id=hotel_id, room_id=room_id, number=number, capacity=capacity
            )
        for hotel_id in HOTELS:
            for key, role in STAFF_ROLES.items():
                services.register_staff(
                    self.uow,
                    hotel_id=hotel_id,
                    staff_id=f"{hotel_id}-{key}",
                    name=f"{key} of {hotel_id}",
                    role=role,
                )
            services.deactivate_staff(self.uow, staff_id=f"{hotel_id}-gone")
            for size in INITIAL_PARTIES[hotel_id]:
                self._register_booking(hotel_id, size, 2)

    # varied starting points (each call checked like any other step) -----------------------

    @initialize(rooms=st.sets(st.sampled_from([r for r in ROOMS if ROOMS[r][0] == "HB"])))
    def some_rooms_of_the_inspecting_hotel_start_inspected(self, rooms: set[str]) -> None:
        """A supervisor inspects some rooms of HB, so guests can be seated there."""
        for room_id in sorted(rooms):
            self.run(
                "inspect_room",
                {"room_id": room_id, "staff_id": "HB-sup", "passed": True, "request_id": None},
            )

    @initialize(
        seats=st.lists(
            st.tuples(st.sampled_from(sorted(ROOMS)), st.integers(0, 2), st.booleans()),
            max_size=4,
        )
    )
    def some_bookings_start_in_house_or_pre_assigned(
        self, seats: list[tuple[str, int, bool]]
    ) -> None:
        """The front desk seats or pre-assigns some initial bookings (refusals allowed)."""
        for room_id, index, check_in in seats:
            hotel = ROOMS[room_id][0]
            booking = self.view().bookings_of(hotel)[index % len(INITIAL_PARTIES[hotel])]
            self.run(
                "assign_room",
                {
                    "booking_id": booking.booking_id,
                    "room_id": room_id,
                    "staff_id": f"{hotel}-fd",
                    "check_in": check_in,
                    "request_id": None,
                },
            )

    # helpers -----------------------------------------------------------------------------

    def view(self) -> View:
        return View(self.store.snapshot())

    def _register_booking(self, hotel_id: str, size: int, nights: int) -> str:
        n = next(self.next_booking)
        booking_id = f"{hotel_id}-B{n}"
        services.register_booking(
            self.uow,
            hotel_id=hotel_id,
            booking_id=booking_id,
            reference=f"REF-{n:04d}",
            arrival=ARRIVAL + timedelta(days=n % 3),
            departure=ARRIVAL + timedelta(days=n % 3 + nights),
            party=[
                ho.BookingGuest(f"{booking_id}-g{i}", f"Guest{i}", f"Family{n}")
                for i in range(size)
            ],
        )
        return booking_id

    @staticmethod
    def pick(
        data: st.DataObject,
        label: str,
        preferred: Iterable[str],
        own: Iterable[str],
        foreign: Iterable[str],
        unknown: str,
    ) -> str:
        """An id: often one that lets the call go far, sometimes any of the hotel's,
        another hotel's, or an unknown one."""
        pool = [*list(preferred) * 8, *own, *foreign, unknown]
        return data.draw(st.sampled_from(pool), label=label)

    @staticmethod
    def hotel(data: st.DataObject, favoured: Callable[[str], bool] = lambda h: False) -> str:
        """A hotel, more often one where ``favoured`` holds (a call there can go far)."""
        pool = [*[h for h in HOTEL_IDS if favoured(h)] * 3, *HOTEL_IDS]
        return data.draw(st.sampled_from(pool), label="hotel")

    @staticmethod
    def other(hotel_id: str) -> str:
        return next(h for h in HOTEL_IDS if h != hotel_id)

    def pick_staff(self, data: st.DataObject, v: View, hotel_id: str, action: str) -> str:
        own = [s.staff_id for s in v.staff_of(hotel_id)]
        able = [s.staff_id for s in v.staff_of(hotel_id) if s.active and action in GRANTS[s.role]]
        foreign = [s.staff_id for s in v.staff_of(self.other(hotel_id))][:2]  # fd, gone
        return self.pick(data, "staff_id", able, own, foreign, UNKNOWN_STAFF)

    def pick_room(
        self, data: st.DataObject, v: View, hotel_id: str, label: str, preferred: Iterable[str]
    ) -> str:
        return self.pick(
            data,
            label,
            preferred,
            v.rooms_of(hotel_id),
            v.rooms_of(self.other(hotel_id))[:1],
            UNKNOWN_ROOM,
        )

    def pick_booking(
        self, data: st.DataObject, v: View, hotel_id: str, preferred: Iterable[str]
    ) -> str:
        return self.pick(
            data,
            "booking_id",
            preferred,
            [b.booking_id for b in v.bookings_of(hotel_id)],
            [b.booking_id for b in v.bookings_of(self.other(hotel_id))][:1],
            UNKNOWN_BOOKING,
        )

    def pick_request_id(self, data: st.DataObject) -> str | None:
        fresh = f"rq-{len(self.requests) + len(self.failed_request_ids) + 1}"
        pool: list[str | None] = [
            *[None] * 8,
            *[fresh] * 4,
            *self.failed_request_ids[-1:],
            *list(self.requests)[-1:],
        ]
        return data.draw(st.sampled_from(pool), label="request_id")

    def assert_unchanged(
        self, before: View, events: tuple[ho.OccupancyEvent, ...], why: str
    ) -> None:
        after = self.view()
        assert after.tables() == before.tables(), f"I8: {why} changed the store"
        assert tuple(self.notifier.events) == events, f"I8: {why} published events"

    # the call and its checks ---------------------------------------------------------------

    def call(self, action: str, data: st.DataObject, **kwargs: Any) -> None:
        """Call ``action`` with ``kwargs`` and a drawn request_id, and check the outcome."""
        kwargs["request_id"] = self.pick_request_id(data)
        self.run(action, kwargs)

    def run(self, action: str, kwargs: dict[str, Any]) -> None:
        before = self.view()
        events = tuple(self.notifier.events)
        out = Oracle(before, self.requests).predict(action, kwargs)
        reason: str | None = None
        if out.judged is not None:
            allowed = services.allowed_operations(self.uow, out.judged)
            reason = next(a.reason for a in allowed if a.action == action)
        result, error = attempt(lambda: SERVICES[action](self.uow, **kwargs))
        if error is not None:
            self.assert_unchanged(before, events, f"the refused {action} ({error!r})")
            assert out.errors, f"{action}({kwargs}) was refused with {error!r}; expected success"
            assert type(error) in out.errors, (
                f"{action}({kwargs}) raised {error!r}; expected "
                f"{' or '.join(e.__name__ for e in out.errors)}"
            )
            if isinstance(error, ho.InvalidInput):
                assert isinstance(error, ValueError), "bad input is refused with a ValueError"
            if out.carries is not None:
                name, value = out.carries
                assert getattr(error, name, None) == value, f"{error!r} should carry {name}"
            if isinstance(error, ho.HotelMismatch | ho.PermissionDenied):
                assert not STATE_WORDS.search(str(error)), (
                    f"{error!r} tells a foreign or unauthorised caller the room's state (§6)"
                )
            if out.judged is not None and (out.strict or reason is not None):
                assert reason == type(error).__name__, (
                    f"allowed_operations said {reason!r} for {action} on {out.judged}, "
                    f"the call raised {error!r}"
                )
            rid = kwargs.get("request_id")
            if rid is not None and rid not in self.requests and rid not in self.failed_request_ids:
                self.failed_request_ids.append(rid)
            return
        assert result is not None
        assert not out.errors, (
            f"{action}({kwargs}) succeeded with {result}; expected "
            f"{' or '.join(e.__name__ for e in out.errors)}"
        )
        if out.replay is not None:
            assert result == out.replay, "a replayed request_id must return the very same entries"
            self.assert_unchanged(before, events, f"the replayed {action}")
            return
        if out.judged is not None:
            assert reason is None, (
                f"allowed_operations said {reason!r} for {action} on {out.judged}, "
                "yet the call succeeded"
            )
        self.check_success(action, kwargs, out, before, events, result)

    def check_success(
        self,
        action: str,
        kwargs: dict[str, Any],
        out: Outcome,
        before: View,
        events: tuple[ho.OccupancyEvent, ...],
        result: tuple[ho.LogEntry, ...],
    ) -> None:
        after = self.view()
        rid = kwargs["request_id"]
        # the returned entries are the new tail of the log, one event each
        assert isinstance(result, tuple)
        old = len(before.snap.log)
        assert after.snap.log[:old] == before.snap.log, "the log is append-only"
        assert after.snap.log[old:] == result, "the returned entries are the log's new tail"
        new_events = tuple(self.notifier.events)[len(events) :]
        assert tuple(self.notifier.events)[: len(events)] == events
        assert len(new_events) == len(result), "exactly one event per log entry"
        for event, entry in zip(new_events, result, strict=True):
            assert event.entry_id == entry.id
            assert event.hotel_id == before.rooms[entry.room_id].hotel_id
            for f in attrs.fields(ho.LogEntry):
                if f.name != "id":
                    assert getattr(event, f.name) == getattr(entry, f.name), f.name
        # each entry is the one the table predicts
        assert len(result) == len(out.steps), f"{action} logged {result}, expected {out.steps}"
        last_id = before.snap.log[-1].id if before.snap.log else 0
        for entry, expect in zip(result, out.steps, strict=True):
            assert entry.id > last_id
            last_id = entry.id
            assert entry.room_id == expect.room_id
            assert entry.operation is expect.operation
            assert (entry.status_before, entry.condition_before) == (
                expect.before.status,
                expect.before.condition,
            )
            assert (entry.status_after, entry.condition_after) == (
                expect.after.status,
                expect.after.condition,
            )
            assert entry.from_room_id == expect.from_room_id
            if expect.booking_id is not ANY:
                assert entry.booking_id == expect.booking_id
            assert entry.performed_by == kwargs["staff_id"]
            assert entry.request_id == rid
            assert entry.hotel_id == before.rooms[entry.room_id].hotel_id
            assert entry.timestamp.utcoffset() == timedelta(0), "timestamps are aware UTC"
        # the request is used up exactly when given
        expected_ids = before.snap.request_ids | ({rid} if rid is not None else set())
        assert after.snap.request_ids == expected_ids
        if rid is not None:
            self.requests[rid] = (action, call_arguments(action, kwargs), result)
            if rid in self.failed_request_ids:
                self.failed_request_ids.remove(rid)
        # the rooms acted on are in the state the table says; nothing else changed
        for room_id, (state, booking_id) in out.rooms.items():
            o = after.occ[room_id]
            assert (o.status, o.condition, o.booking_id) == (
                state.status,
                state.condition,
                booking_id,
            ), f"room {room_id} after {action}"
        self.check_untouched(before, after, out)
        self.check_effects(action, kwargs, before, after, result)
        self.check_cleared_pins(before, after)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result[0].notes = "changed"  # §7: returned objects are immutable snapshots
        assert self.view().snap.log[old:] == result

    @staticmethod
    def check_untouched(before: View, after: View, out: Outcome) -> None:
        assert (after.hotels, after.rooms, after.staff) == (
            before.hotels,
            before.rooms,
            before.staff,
        )
        for booking_id in before.bookings.keys() | after.bookings.keys():
            if booking_id != out.booking_id:
                assert before.bookings.get(booking_id) == after.bookings.get(booking_id)
        for guest_id in before.guests.keys() | after.guests.keys():
            guest = before.guests.get(guest_id) or after.guests[guest_id]
            if guest.booking_id != out.booking_id:
                assert before.guests.get(guest_id) == after.guests.get(guest_id)
        for room_id in before.occ.keys() | after.occ.keys():
            if room_id not in out.rooms:
                assert before.occ.get(room_id) == after.occ.get(room_id), room_id
        for task_id in before.tasks.keys() | after.tasks.keys():
            task = before.tasks.get(task_id) or after.tasks[task_id]
            if task.room_id not in out.rooms:
                assert before.tasks.get(task_id) == after.tasks.get(task_id)

    def check_cleared_pins(self, before: View, after: View) -> None:
        """A PIN cleared at checkout (or with an undone check-in) finds nobody (I11)."""
        for guest in before.snap.guests:
            now = after.guests.get(guest.guest_id)
            if guest.id_pin is not None and (now is None or now.id_pin is None):
                found = services.find_guest_by_pin(self.uow, guest.hotel_id, guest.id_pin)
                assert found is None or (found.in_house and found.guest_id != guest.guest_id), (
                    f"the cleared PIN of guest {guest.guest_id} still finds {found}"
                )

    @staticmethod
    def check_effects(
        action: str,
        kwargs: dict[str, Any],
        before: View,
        after: View,
        result: tuple[ho.LogEntry, ...],
    ) -> None:
        """What §4's effect column says beyond the room's state."""
        staff_id = kwargs["staff_id"]
        cleaning = (ho.TaskKind.TURNOVER, ho.TaskKind.CLEANING)

        def closed_as(room_id: str, kinds: tuple[ho.TaskKind, ...], status: ho.TaskStatus) -> None:
            """The room's tasks of ``kinds`` that were open are now ``status``."""
            for task in before.open_tasks(room_id, *kinds):
                assert after.tasks[task.task_id].status is status, (action, task.kind, status)

        def turnover(room_id: str) -> None:
            """One OPEN TURNOVER task: the open cleaning task reused, or a new one (§3)."""
            had = before.open_tasks(room_id, *cleaning)
            now = after.open_tasks(room_id, *cleaning)
            assert [(t.kind, t.status) for t in now] == [
                (ho.TaskKind.TURNOVER, ho.TaskStatus.OPEN)
            ], f"{action} leaves one OPEN TURNOVER task in {room_id}"
            if had:
                assert now[0].task_id == had[0].task_id, "an open cleaning task is reused"

        for entry in result:
            room_id = entry.room_id
            hotel = after.hotel_of(room_id)
            o = after.occ[room_id]
            ts = entry.timestamp
            if entry.operation is Op.CHECKIN:
                booking = after.bookings[str(entry.booking_id)]
                assert booking.checked_in_at == ts
                assert o.occupied_since == ts
                assert o.expected_checkout == expected_checkout(hotel, booking)
                guests = [g for g in after.guests_of(booking.booking_id) if g.in_house]
                assert sorted(g.booking_guest_id for g in guests) == sorted(
                    m.booking_guest_id for m in booking.party
                ), "one Guest per BookingGuest"
                primary = next(g for g in guests if g.guest_type is ho.GuestType.PRIMARY)
                assert primary.booking_guest_id == booking.party[0].booking_guest_id
                assert all(g.check_in_date == local_date(hotel, ts) for g in guests)
            elif entry.operation is Op.CHECKOUT:
                booking = after.bookings[str(entry.booking_id)]
                assert booking.checked_out_at == ts
                for guest in before.guests_of(booking.booking_id):
                    gone = after.guests[guest.guest_id]
                    if guest.in_house:
                        assert gone.check_out_date == local_date(hotel, ts)
                    assert (gone.id_pin, gone.device_token) == (None, None)
                turnover(room_id)
            elif entry.operation is Op.MOVE:
                source = str(entry.from_room_id)
                booking_id = str(entry.booking_id)
                assert after.guests_of(booking_id) == before.guests_of(booking_id), (
                    "guests keep their PINs and tokens in a move"
                )
                assert o.occupied_since == ts
                assert o.expected_checkout == before.occ[source].expected_checkout
                turnover(source)
            elif entry.operation is Op.UNASSIGN:
                booking_id = str(entry.booking_id)
                if entry.status_before is Status.OCCUPIED:  # undoing a check-in
                    assert after.bookings[booking_id].checked_in_at is None
                    stay = [g.guest_id for g in before.guests_of(booking_id) if g.in_house]
                    assert not set(stay) & after.guests.keys(), "the stay's guests are removed"
                else:
                    assert after.bookings[booking_id] == before.bookings[booking_id]
            elif entry.operation is Op.ASSIGN and len(result) == 1:
                booking_id = str(entry.booking_id)
                assert after.bookings[booking_id] == before.bookings[booking_id]
                assert o.assigned_by == staff_id
            elif action == "start_cleaning":
                tasks = after.open_tasks(room_id, *cleaning)
                assert [(t.status, t.assigned_to) for t in tasks] == [
                    (ho.TaskStatus.IN_PROGRESS, staff_id)
                ]
            elif action == "complete_cleaning":
                assert o.last_cleaned_by == staff_id
                closed_as(room_id, cleaning, ho.TaskStatus.DONE)
                inspections = after.open_tasks(room_id, ho.TaskKind.INSPECTION)
                assert len(inspections) == (1 if hotel.require_inspection else 0)
            elif action == "inspect_room":
                assert not after.open_tasks(room_id, ho.TaskKind.INSPECTION)
                if kwargs.get("passed", True):
                    assert o.last_inspected_by == staff_id
                else:
                    assert [t.kind for t in after.open_tasks(room_id, *cleaning)] == [
                        ho.TaskKind.CLEANING
                    ]
            elif action == "mark_dirty":
                closed_as(room_id, (ho.TaskKind.INSPECTION,), ho.TaskStatus.CANCELLED)
                assert [t.kind for t in after.open_tasks(room_id, *cleaning)] == [
                    ho.TaskKind.CLEANING
                ]
            elif action == "return_to_service":
                closed_as(room_id, (ho.TaskKind.MAINTENANCE,), ho.TaskStatus.DONE)
                if o.condition is Condition.CLEAN:
                    closed_as(room_id, cleaning, ho.TaskStatus.CANCELLED)
                else:  # a CLEANING task, unless one is open (I6)
                    had = before.open_tasks(room_id, *cleaning)
                    now = after.open_tasks(room_id, *cleaning)
                    assert len(now) == 1
                    if had:
                        assert now[0].task_id == had[0].task_id
                    else:
                        assert now[0].kind is ho.TaskKind.CLEANING

    # reference data ------------------------------------------------------------------------

    @rule(hotel=st.sampled_from(HOTEL_IDS), size=st.integers(1, 4), nights=st.integers(0, 3))
    def registering_a_booking_adds_an_arriving_booking_and_nothing_else(
        self, hotel: str, size: int, nights: int
    ) -> None:
        """A new booking is stored unassigned and not checked in, with no log entry."""
        before = self.view()
        events = tuple(self.notifier.events)
        booking_id = self._register_booking(hotel, size, nights)
        after = self.view()
        booking = after.bookings[booking_id]
        assert len(booking.party) == size
        assert (booking.checked_in_at, booking.checked_out_at) == (None, None)
        assert booking_id not in after.holder
        del after.bookings[booking_id]
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

    @rule(hotel=st.sampled_from(HOTEL_IDS), role=st.sampled_from(list(Role)))
    def hiring_staff_adds_an_active_member_and_nothing_else(self, hotel: str, role: Role) -> None:
        """A registered staff member is active with the given role; nothing else changes."""
        before = self.view()
        staff_id = f"{hotel}-hire{next(self.next_hire)}"
        result = services.register_staff(
            self.uow, hotel_id=hotel, staff_id=staff_id, name="New Hire", role=role
        )
        assert result == ()
        after = self.view()
        assert after.staff.pop(staff_id) == ho.Staff(staff_id, hotel, "New Hire", role, True)
        assert after.tables() == before.tables()
        self.hires.append(staff_id)

    @rule(data=st.data())
    def deactivating_staff_changes_only_their_active_flag(self, data: st.DataObject) -> None:
        """deactivate_staff clears `active` (twice is harmless) and logs nothing."""
        pool = [*self.hires, "HA-gone", "HB-gone", UNKNOWN_STAFF]
        staff_id = data.draw(st.sampled_from(pool), label="staff_id")
        before = self.view()
        events = tuple(self.notifier.events)
        result, error = attempt(lambda: services.deactivate_staff(self.uow, staff_id=staff_id))
        if staff_id == UNKNOWN_STAFF:
            assert type(error) is ho.StaffNotFound, f"deactivating {staff_id} gave {error!r}"
            self.assert_unchanged(before, events, "the refused deactivate_staff")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        assert after.staff[staff_id] == attrs.evolve(before.staff[staff_id], active=False)
        after.staff[staff_id] = before.staff[staff_id]
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

    @precondition(lambda self: bool(self.store.snapshot().guests))
    @rule(data=st.data())
    def registering_a_device_token_touches_only_an_in_house_guest(
        self, data: st.DataObject
    ) -> None:
        """A token lands on an in-house guest; departed or unknown guests are refused."""
        before = self.view()
        events = tuple(self.notifier.events)
        stored = sorted(
            before.snap.guests, key=lambda g: (g.booking_id, g.booking_guest_id, g.check_in_date)
        )
        in_house = [g.guest_id for g in stored if g.in_house]
        departed = [g.guest_id for g in stored if not g.in_house]
        removed = [g for g in self.seen_guests if g not in before.guests]
        pool = [*in_house * 3, *departed, *removed, UNKNOWN_GUEST]
        guest_id = data.draw(st.sampled_from(pool), label="guest_id")
        token = f"device-{next(self.next_token)}"
        if guest_id in in_house:
            expected: tuple[type[ho.RoomOccupancyError], ...] = ()
        elif guest_id in departed:
            expected = (ho.GuestNotInHouse,)
        elif guest_id in removed:  # a check-in undone: §4 says the records are removed
            expected = (ho.GuestNotFound, ho.GuestNotInHouse)
        else:
            expected = (ho.GuestNotFound,)
        result, error = attempt(
            lambda: services.register_device_token(self.uow, guest_id=guest_id, token=token)
        )
        if error is not None:
            self.assert_unchanged(before, events, "the refused register_device_token")
            assert type(error) in expected, f"{error!r} for guest {guest_id}"
            return
        assert not expected, f"a token was registered for guest {guest_id}; expected refusal"
        assert result == ()
        after = self.view()
        assert after.guests[guest_id] == attrs.evolve(before.guests[guest_id], device_token=token)
        after.guests[guest_id] = before.guests[guest_id]
        assert after.tables() == before.tables(), "a token changes nothing but the guest"
        assert tuple(self.notifier.events) == events

    @rule(data=st.data(), which=st.integers(0, 6))
    def registrations_that_break_uniqueness_or_name_no_hotel_change_nothing(
        self, data: st.DataObject, which: int
    ) -> None:
        """Duplicate ids, a duplicate number in one hotel, or an unknown hotel are refused."""
        v = self.view()
        hotel = self.hotel(data)
        booking = v.bookings_of(hotel)[0]
        party = [ho.BookingGuest("fresh-guest", "Fresh", "Guest")]
        attempts: list[tuple[type[ho.RoomOccupancyError], Callable[[], object]]] = [
            (
                ho.AlreadyRegistered,
                lambda: services.register_hotel(self.uow, hotel_id=hotel, name="Again"),
            ),
            (
                ho.AlreadyRegistered,
                lambda: services.register_room(
                    self.uow, hotel_id=hotel, room_id=v.rooms_of(hotel)[0], number="999"
                ),
            ),
            (
                ho.AlreadyRegistered,
                lambda: services.register_room(
                    self.uow, hotel_id=hotel, room_id="R-new", number=ROOMS[v.rooms_of(hotel)[0]][1]
                ),
            ),
            (
                ho.AlreadyRegistered,
                lambda: services.register_staff(
                    self.uow, hotel_id=hotel, staff_id=f"{hotel}-fd", name="X", role=Role.MANAGER
                ),
            ),
            (
                ho.AlreadyRegistered,
                lambda: services.register_booking(
                    self.uow,
                    hotel_id=hotel,
                    booking_id=booking.booking_id,
                    reference="R",
                    arrival=ARRIVAL,
                    departure=ARRIVAL,
                    party=party,
                ),
            ),
            (
                ho.AlreadyRegistered,
                lambda: services.register_booking(
                    self.uow,
                    hotel_id=hotel,
                    booking_id="B-fresh",
                    reference="R",
                    arrival=ARRIVAL,
                    departure=ARRIVAL,
                    party=[*party, booking.party[0]],
                ),
            ),
            (
                ho.HotelNotFound,
                lambda: services.register_booking(
                    self.uow,
                    hotel_id="H-nowhere",
                    booking_id="B-fresh",
                    reference="R",
                    arrival=ARRIVAL,
                    departure=ARRIVAL,
                    party=party,
                ),
            ),
        ]
        expected, register = attempts[which]
        events = tuple(self.notifier.events)
        _, error = attempt(register)
        assert type(error) is expected, f"registration {which} gave {error!r}"
        self.assert_unchanged(v, events, "a refused registration")

    # bad input ------------------------------------------------------------------------------

    @rule(data=st.data(), which=st.integers(0, 6))
    def bad_input_is_refused_before_anything_else(self, data: st.DataObject, which: int) -> None:
        """Empty ids, a move to the same room, unknown enum values: InvalidInput, no change."""
        hotel = self.hotel(data)
        room = self.view().rooms_of(hotel)[0]
        staff = f"{hotel}-mgr"
        booking = self.view().bookings_of(hotel)[0].booking_id
        if which == 6:
            before = self.view()
            events = tuple(self.notifier.events)
            empty_party = data.draw(st.booleans(), label="empty party (else departs early)")
            _, error = attempt(
                lambda: services.register_booking(
                    self.uow,
                    hotel_id=hotel,
                    booking_id="B-bad",
                    reference="BAD",
                    arrival=ARRIVAL,
                    departure=ARRIVAL - timedelta(days=0 if empty_party else 1),
                    party=[] if empty_party else [ho.BookingGuest("bad-g", "Bad", "Input")],
                )
            )
            assert isinstance(error, ho.InvalidInput), f"a bad booking gave {error!r}"
            assert isinstance(error, ValueError)
            self.assert_unchanged(before, events, "a refused registration")
            return
        calls: list[tuple[str, dict[str, Any]]] = [
            ("checkout_room", {"room_id": "", "staff_id": staff, "notes": ""}),
            ("assign_room", {"booking_id": booking, "room_id": room, "staff_id": ""}),
            ("move_guest", {"from_room_id": room, "to_room_id": room, "staff_id": staff}),
            (
                "return_to_service",
                {"room_id": room, "staff_id": staff, "condition": "SPARKLING"},
            ),
            (
                "return_to_service",
                {"room_id": room, "staff_id": staff, "condition": Condition.INSPECTED},
            ),
            ("check_in", {"booking_id": "", "staff_id": staff}),
        ]
        action, kwargs = calls[which]
        self.call(action, data, **kwargs)

    # operations -------------------------------------------------------------------------------

    @rule(data=st.data(), check_in=st.booleans(), notes=st.sampled_from(NOTES))
    def assigning_a_room_checks_in_or_pre_assigns_as_the_table_says(
        self, data: st.DataObject, check_in: bool, notes: str
    ) -> None:
        """assign_room with check_in True (ASSIGN+CHECKIN) or False (ASSIGN) follows §4."""
        v = self.view()
        pre = transition("assign_room", "pre-assign")
        seat = transition("check_in")

        def ready(hotel: str) -> list[str]:
            return [
                r
                for r in v.rooms_of(hotel)
                if v.admits(pre, r) and (not check_in or v.admits(seat, r, pre.apply(v.state(r))))
            ]

        def arriving(hotel: str) -> list[str]:
            return [
                b.booking_id
                for b in v.bookings_of(hotel)
                if b.checked_in_at is None and b.checked_out_at is None
            ]

        hotel = self.hotel(data, lambda h: bool(ready(h) and arriving(h)))
        booking = self.pick_booking(data, v, hotel, arriving(hotel))
        held = [v.holder[booking]] if booking in v.holder else []  # the check-in path of §4
        room = self.pick_room(data, v, hotel, "room_id", [*ready(hotel), *held])
        self.call(
            "assign_room",
            data,
            booking_id=booking,
            room_id=room,
            staff_id=self.pick_staff(data, v, hotel, "assign_room"),
            notes=notes,
            check_in=check_in,
        )

    @staticmethod
    def pre_assigned(v: View, hotel: str) -> list[str]:
        return [
            b.booking_id
            for b in v.bookings_of(hotel)
            if b.booking_id in v.holder and not b.in_house
        ]

    @precondition(PRE_ASSIGNED)
    @rule(data=st.data())
    def checking_in_a_pre_assigned_booking_follows_the_table(self, data: st.DataObject) -> None:
        """check_in needs a pre-assigned booking whose room is ready (§4)."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.pre_assigned(v, h)))
        self.call(
            "check_in",
            data,
            booking_id=self.pick_booking(data, v, hotel, self.pre_assigned(v, hotel)),
            staff_id=self.pick_staff(data, v, hotel, "check_in"),
            notes="",
        )

    @precondition(PRE_ASSIGNED)
    @rule(data=st.data())
    def reassigning_a_pre_assigned_booking_follows_the_table(self, data: st.DataObject) -> None:
        """reassign_room moves a pre-assignment to a sellable room (§4)."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.pre_assigned(v, h)))
        row = transition("reassign_room")
        sellable = [r for r in v.rooms_of(hotel) if v.admits(row, r)]
        self.call(
            "reassign_room",
            data,
            booking_id=self.pick_booking(data, v, hotel, self.pre_assigned(v, hotel)),
            to_room_id=self.pick_room(data, v, hotel, "to_room_id", sellable),
            staff_id=self.pick_staff(data, v, hotel, "reassign_room"),
            notes="",
        )

    @precondition(ASSIGNED)
    @rule(data=st.data(), notes=st.sampled_from(NOTES))
    def unassigning_a_booking_follows_the_table(self, data: st.DataObject, notes: str) -> None:
        """unassign_room clears a pre-assignment or undoes a check-in not followed by a move."""
        v = self.view()

        def assigned(hotel: str) -> list[str]:
            return [b.booking_id for b in v.bookings_of(hotel) if b.booking_id in v.holder]

        hotel = self.hotel(data, lambda h: bool(assigned(h)))
        self.call(
            "unassign_room",
            data,
            booking_id=self.pick_booking(data, v, hotel, assigned(hotel)),
            staff_id=self.pick_staff(data, v, hotel, "unassign_room"),
            notes=notes,
        )

    @precondition(OCCUPIED)
    @rule(data=st.data())
    def moving_a_guest_follows_the_table(self, data: st.DataObject) -> None:
        """move_guest takes an occupied source to a ready, free target (§4)."""
        v = self.view()
        source_row = transition("move_guest", role=RoomRole.SOURCE)
        target_row = transition("move_guest")

        def occupied(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.admits(source_row, r)]

        def free(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.admits(target_row, r)]

        hotel = self.hotel(data, lambda h: bool(occupied(h) and free(h)))
        self.call(
            "move_guest",
            data,
            from_room_id=self.pick_room(data, v, hotel, "from_room_id", occupied(hotel)),
            to_room_id=self.pick_room(data, v, hotel, "to_room_id", free(hotel)),
            staff_id=self.pick_staff(data, v, hotel, "move_guest"),
            reason=data.draw(st.sampled_from(["", "noisy neighbours"]), label="reason"),
        )

    def room_operation(
        self, data: st.DataObject, action: str, variant: str = "", **extra: Any
    ) -> None:
        """Call a one-room service, mostly on a room whose state the table admits."""
        v = self.view()
        row = transition(action, variant)

        def fitting(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.admits(row, r)]

        hotel = self.hotel(data, lambda h: bool(fitting(h)))
        self.call(
            action,
            data,
            room_id=self.pick_room(data, v, hotel, "room_id", fitting(hotel)),
            staff_id=self.pick_staff(data, v, hotel, action),
            **extra,
        )

    @precondition(OCCUPIED)
    @rule(data=st.data())
    def checking_out_a_room_follows_the_table(self, data: st.DataObject) -> None:
        """checkout_room needs an occupied room and leaves it VACANT_DIRTY with a TURNOVER."""
        self.room_operation(data, "checkout_room", notes="")

    @rule(data=st.data(), notes=st.sampled_from(NOTES))
    def marking_a_room_dirty_follows_the_table(self, data: st.DataObject, notes: str) -> None:
        """mark_dirty needs condition CLEAN or INSPECTED, whatever the status."""
        self.room_operation(data, "mark_dirty", notes=notes)

    @precondition(in_condition(Condition.DIRTY))
    @rule(data=st.data())
    def starting_to_clean_follows_the_table(self, data: st.DataObject) -> None:
        """start_cleaning needs condition DIRTY."""
        self.room_operation(data, "start_cleaning")

    @precondition(in_condition(Condition.CLEANING))
    @rule(data=st.data())
    def completing_cleaning_follows_the_table(self, data: st.DataObject) -> None:
        """complete_cleaning needs condition CLEANING."""
        self.room_operation(data, "complete_cleaning", notes="")

    @precondition(in_condition(Condition.CLEAN))
    @rule(data=st.data(), passed=st.booleans())
    def inspecting_a_room_follows_the_table(self, data: st.DataObject, passed: bool) -> None:
        """inspect_room (passed or failed) needs condition CLEAN."""
        variant = "passed" if passed else "failed"
        self.room_operation(data, "inspect_room", variant, passed=passed, notes="")

    @rule(data=st.data(), maintenance=st.booleans())
    def taking_a_room_out_of_order_or_into_maintenance_follows_the_table(
        self, data: st.DataObject, maintenance: bool
    ) -> None:
        """set_out_of_order and start_maintenance need a vacant, unassigned room in service."""
        if maintenance:
            self.room_operation(data, "start_maintenance", reason="leaking tap")
        else:
            self.room_operation(data, "set_out_of_order", reason="broken window")

    @precondition(OUT_OF_SERVICE)
    @rule(data=st.data(), condition=st.sampled_from([None, Condition.DIRTY, Condition.CLEAN]))
    def returning_a_room_to_service_follows_the_table(
        self, data: st.DataObject, condition: Condition | None
    ) -> None:
        """return_to_service (DIRTY by default, or CLEAN) needs OUT_OF_ORDER or MAINTENANCE."""
        extra: dict[str, Any] = {"notes": ""}
        if condition is not None:
            extra["condition"] = condition
        variant = (condition or Condition.DIRTY).value
        self.room_operation(data, "return_to_service", variant, **extra)

    # idempotency ------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.requests))
    @rule(data=st.data())
    def repeating_a_request_returns_the_same_entries_and_changes_nothing(
        self, data: st.DataObject
    ) -> None:
        """The same request_id, operation and arguments replays the very same entries."""
        rid = data.draw(st.sampled_from(list(self.requests)), label="request_id")
        action, args, _entries = self.requests[rid]
        self.run(action, {**args, "request_id": rid})

    @precondition(lambda self: bool(self.requests))
    @rule(data=st.data())
    def reusing_a_request_id_for_another_call_is_a_conflict(self, data: st.DataObject) -> None:
        """The same request_id with other arguments or another service: RequestIdConflict."""
        rid = data.draw(st.sampled_from(list(self.requests)), label="request_id")
        action, args, _entries = self.requests[rid]
        changed = dict(args)
        for text in ("notes", "reason"):
            if text in changed:
                changed[text] = f"{changed[text]} (again)"
                break
        else:  # start_cleaning has no text: call another service on the same room
            action = "mark_dirty"
            changed = {"room_id": args["room_id"], "staff_id": args["staff_id"], "notes": ""}
        self.run(action, {**changed, "request_id": rid})

    # time and queries -----------------------------------------------------------------------

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        """The clock moves on (local dates change at different moments); nothing stored changes."""
        before = self.view()
        self.clock.advance(hours=hours)
        assert self.view().tables() == before.tables()

    @rule()
    def the_queries_agree_with_the_store_and_change_nothing(self) -> None:
        """room_board, guests, PINs, history and tasks read what the store holds."""
        v = self.view()
        events = tuple(self.notifier.events)
        for hotel in HOTEL_IDS:
            board = services.room_board(self.uow, hotel)
            assert [row.room_id for row in board] == BOARD_ORDER[hotel], "natural order"
            for row in board:
                o = v.occ[row.room_id]
                assert (row.status, row.condition, row.booking_id) == (
                    o.status,
                    o.condition,
                    o.booking_id,
                )
                assert row.expected_checkout == o.expected_checkout
                booking = v.bookings.get(row.booking_id) if row.booking_id else None
                assert row.booking_reference == (booking.reference if booking else None)
                in_house = (
                    [g for g in v.guests_of(booking.booking_id) if g.in_house] if booking else []
                )
                assert row.guest_count == len(in_house)
            tasks = services.open_tasks(self.uow, hotel)
            assert {t.task_id for t in tasks} == {
                t.task_id for t in v.snap.tasks if t.hotel_id == hotel and t.is_open
            }
        for guest in v.snap.guests:
            where = services.current_room(self.uow, guest.guest_id)
            if guest.in_house:
                assert where == v.holder[guest.booking_id]
                assert guest.id_pin is not None
                found = services.find_guest_by_pin(self.uow, guest.hotel_id, guest.id_pin)
                assert found == guest
                elsewhere = services.find_guest_by_pin(
                    self.uow, self.other(guest.hotel_id), guest.id_pin
                )
                assert elsewhere is None or elsewhere.hotel_id != guest.hotel_id
            else:
                assert where is None
        for room_id in ROOMS:
            current = services.current_guests(self.uow, room_id)
            o = v.occ[room_id]
            expected = (
                {g.guest_id for g in v.guests_of(o.booking_id) if g.in_house}
                if o.status is Status.OCCUPIED and o.booking_id
                else set()
            )
            assert {g.guest_id for g in current} == expected
            history = services.room_history(self.uow, room_id)
            assert list(history) == sorted(
                (e for e in v.snap.log if room_id in (e.room_id, e.from_room_id)),
                key=lambda e: -e.id,
            ), "room_history lists the room's entries, moves out included, newest first"
        for booking in v.snap.bookings:
            assert list(services.booking_history(self.uow, booking.booking_id)) == sorted(
                (e for e in v.snap.log if e.booking_id == booking.booking_id),
                key=lambda e: -e.id,
            ), "booking_history lists the booking's entries, newest first"
        _, error = attempt(lambda: services.current_room(self.uow, UNKNOWN_GUEST))
        assert type(error) is ho.GuestNotFound, f"current_room of an unknown guest: {error!r}"
        self.assert_unchanged(v, events, "a query")

    # invariants --------------------------------------------------------------------------------

    def moves_forward(self, before: str, after: str) -> bool:
        with self.follower.reading():
            return after == before or self.follower.feed.precedes(before, after)

    @invariant()
    def followers_of_the_feed_read_exactly_what_was_published(self) -> None:
        """Each follower reads on to the end of the feed: what it read since the last step
        is what the notifier published since (of its hotel), same entries in the same
        order, and its position only moved forward; a consumer taking a few events per
        step has been given exactly the first events published, and its lag counts the
        rest."""
        published = self.notifier.events
        fresh = published[self.checked :]
        for name, (hotel_id, limit) in FOLLOWERS.items():
            after = self.positions[name]
            read: list[ho.OccupancyEvent] = []
            for _ in range(1000):
                page = services.read_feed(
                    self.follower, after=after, hotel_id=hotel_id, limit=limit
                )
                assert len(page.events) <= limit
                assert self.moves_forward(after, page.position), f"{name}: position went back"
                read.extend(page.events)
                if page.position == after:
                    break
                after = page.position
            self.positions[name] = after
            expected = [e for e in fresh if hotel_id is None or e.hotel_id == hotel_id]
            assert read == expected, f"{name} read other events than were published"
        self.checked = len(published)
        before = len(self.consumed)
        services.consume(
            self.follower, consumer="mirror", handler=self.consumed.extend, limit=CONSUMER_BATCH
        )
        assert self.consumed[before:] == published[before : len(self.consumed)]
        mirror = services.feed_status(self.follower)[0]
        assert mirror.lag == len(published) - len(self.consumed)

    @invariant()
    def every_invariant_holds(self) -> None:
        """I1-I7 and I9-I14 hold; only successful calls used up their request_id."""
        snap = self.store.snapshot()
        assert check_invariants(snap) == []
        assert snap.request_ids == frozenset(self.requests)
        for guest in snap.guests:
            self.seen_guests.setdefault(guest.guest_id)

    @invariant()
    def allowed_operations_agree_with_the_transition_table(self) -> None:
        """For every room, allowed_operations says what the table says for its state."""
        v = self.view()
        for room_id in ROOMS:
            state = v.state(room_id)
            inspects = v.inspects(room_id)
            got = {a.action: a for a in services.allowed_operations(self.uow, room_id)}
            assert set(got) == set(LOGS), "one entry per operation service"
            for action, entry in got.items():
                if action == "move_guest":
                    rows = [transition(action, role=RoomRole.SOURCE)]
                elif action == "assign_room":
                    rows = [transition(action, "pre-assign"), transition("check_in")]
                else:
                    rows = [transition(action, DEFAULT_VARIANTS.get(action, ""))]
                reason = None
                judged = state
                for row in rows:
                    refusal = row.refusal(judged, inspects)
                    if refusal is not None:
                        reason = refusal.error.__name__
                        break
                    judged = row.apply(judged)
                assert entry.operation is LOGS[action]
                assert (entry.allowed, entry.reason) == (reason is None, reason), (
                    f"{action} on {room_id} in {state.label()}"
                )


OccupancyMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEveryServiceKeepsEveryInvariant = OccupancyMachine.TestCase


# --- plain properties of the table and the board ----------------------------------------------

STATES = list(all_states())
READY = {True: {Condition.INSPECTED}, False: {Condition.CLEAN, Condition.INSPECTED}}


def spec_row(row: Transition, s: RoomState, inspection: bool) -> tuple[bool, type, RoomState]:
    """§4's 'allowed when' and 'effect' columns for one row: (admitted, error, new state)."""
    vacant = s.tenancy is Tenancy.VACANT
    in_service = s.service is Service.IN_SERVICE
    ready = s.condition in READY[inspection]
    new = attrs.evolve
    key = (row.action, row.variant, row.role)
    table: dict[tuple[str, str, RoomRole], tuple[bool, type, RoomState]] = {
        ("assign_room", "pre-assign", RoomRole.ROOM): (
            vacant and in_service,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.ASSIGNED),
        ),
        ("check_in", "", RoomRole.ROOM): (
            s.tenancy is Tenancy.ASSIGNED and ready,
            ho.BookingNotAssignable if s.tenancy is not Tenancy.ASSIGNED else ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.OCCUPIED),
        ),
        ("reassign_room", "", RoomRole.ROOM): (
            vacant and in_service,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.ASSIGNED),
        ),
        ("reassign_room", "", RoomRole.SOURCE): (
            s.tenancy is Tenancy.ASSIGNED,
            ho.BookingNotAssignable,
            new(s, tenancy=Tenancy.VACANT),
        ),
        ("unassign_room", "", RoomRole.ROOM): (
            not vacant,
            ho.BookingNotAssignable,
            new(s, tenancy=Tenancy.VACANT),
        ),
        ("move_guest", "", RoomRole.SOURCE): (
            s.tenancy is Tenancy.OCCUPIED,
            ho.RoomNotOccupied,
            new(s, tenancy=Tenancy.VACANT, condition=Condition.DIRTY),
        ),
        ("move_guest", "", RoomRole.ROOM): (
            vacant and in_service and ready,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.OCCUPIED),
        ),
        ("checkout_room", "", RoomRole.ROOM): (
            s.tenancy is Tenancy.OCCUPIED,
            ho.RoomNotOccupied,
            new(s, tenancy=Tenancy.VACANT, condition=Condition.DIRTY),
        ),
        ("mark_dirty", "", RoomRole.ROOM): (
            s.condition in (Condition.CLEAN, Condition.INSPECTED),
            ho.InvalidTransition,
            new(s, condition=Condition.DIRTY),
        ),
        ("start_cleaning", "", RoomRole.ROOM): (
            s.condition is Condition.DIRTY,
            ho.InvalidTransition,
            new(s, condition=Condition.CLEANING),
        ),
        ("complete_cleaning", "", RoomRole.ROOM): (
            s.condition is Condition.CLEANING,
            ho.InvalidTransition,
            new(s, condition=Condition.CLEAN),
        ),
        ("inspect_room", "passed", RoomRole.ROOM): (
            s.condition is Condition.CLEAN,
            ho.InvalidTransition,
            new(s, condition=Condition.INSPECTED),
        ),
        ("inspect_room", "failed", RoomRole.ROOM): (
            s.condition is Condition.CLEAN,
            ho.InvalidTransition,
            new(s, condition=Condition.DIRTY),
        ),
        ("set_out_of_order", "", RoomRole.ROOM): (
            vacant and in_service,
            ho.InvalidTransition,
            new(s, service=Service.OUT_OF_ORDER),
        ),
        ("start_maintenance", "", RoomRole.ROOM): (
            vacant and in_service,
            ho.InvalidTransition,
            new(s, service=Service.MAINTENANCE),
        ),
        ("return_to_service", "DIRTY", RoomRole.ROOM): (
            not in_service,
            ho.InvalidTransition,
            new(s, service=Service.IN_SERVICE, condition=Condition.DIRTY),
        ),
        ("return_to_service", "CLEAN", RoomRole.ROOM): (
            not in_service,
            ho.InvalidTransition,
            new(s, service=Service.IN_SERVICE, condition=Condition.CLEAN),
        ),
    }
    return table[key]


@given(row=st.sampled_from(TRANSITIONS), state=st.sampled_from(STATES), inspection=st.booleans())
def test_every_transition_row_does_what_section_4_says(
    row: Transition, state: RoomState, inspection: bool
) -> None:
    """Each row admits exactly §4's states, refuses with §4/§6's error, and lands where §4 says."""
    admitted, error, after = spec_row(row, state, inspection)
    refusal = row.refusal(state, inspection)
    assert (refusal is None) == admitted, f"{row.action}/{row.variant} on {state.label()}"
    if refusal is not None:
        assert refusal.error is error
    else:
        assert row.apply(state) == after
        assert row.operation is LOGS[row.action]


@given(row=st.sampled_from(TRANSITIONS), state=st.sampled_from(STATES), inspection=st.booleans())
def test_every_transition_row_maps_consistent_states_to_consistent_states(
    row: Transition, state: RoomState, inspection: bool
) -> None:
    """An admitted row never leaves a room assigned or occupied while out of service."""
    if row.refusal(state, inspection) is None:
        after = row.apply(state)
        assert after.is_consistent
        assert after in STATES
    else:
        assert issubclass(row.refusal(state, inspection).error, ho.RoomOccupancyError)


@given(state=st.sampled_from(STATES))
def test_a_room_state_round_trips_through_status_condition_and_booking(state: RoomState) -> None:
    """RoomState.of(status, condition, has booking) gives back every consistent state."""
    assert state.is_consistent
    assert RoomState.of(state.status, state.condition, state.tenancy is not Tenancy.VACANT) == state


@given(state=st.sampled_from(STATES))
def test_the_headline_status_follows_section_3(state: RoomState) -> None:
    """A vacant room in service is VACANT_CLEAN exactly when CLEAN or INSPECTED (I7)."""
    if state.service is Service.OUT_OF_ORDER:
        assert state.status is Status.OUT_OF_ORDER
    elif state.service is Service.MAINTENANCE:
        assert state.status is Status.MAINTENANCE
    elif state.tenancy is Tenancy.OCCUPIED:
        assert state.status is Status.OCCUPIED
    else:
        clean = state.condition in (Condition.CLEAN, Condition.INSPECTED)
        assert state.status is (Status.VACANT_CLEAN if clean else Status.VACANT_DIRTY)


def test_all_states_lists_every_consistent_state_once() -> None:
    """all_states() has each of the 20 consistent states (12 in service, 4+4 out) once."""
    assert len(STATES) == len(set(STATES)) == 20
    assert all(s.is_consistent for s in STATES)


@given(
    numbers=st.lists(st.integers(0, 2000), min_size=1, max_size=8, unique=True),
    prefix=st.sampled_from(["", "A", "East-"]),
)
def test_the_room_board_lists_rooms_in_natural_order_of_their_numbers(
    numbers: list[int], prefix: str
) -> None:
    """room_board orders room numbers naturally: "2" before "10", "A9" before "A10"."""
    uow = InMemoryUnitOfWork(clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="Board")
    for n in numbers:
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=f"{prefix}{n}")
    board = services.room_board(uow, "H")
    assert [row.number for row in board] == [f"{prefix}{n}" for n in sorted(numbers)]


@given(a=st.integers(0, 10**6), b=st.integers(0, 10**6), prefix=st.text("AB-", max_size=2))
def test_natural_key_orders_digit_runs_by_value(a: int, b: int, prefix: str) -> None:
    """natural_key compares the numbers in room numbers by value, not as text."""
    left, right = natural_key(f"{prefix}{a}"), natural_key(f"{prefix}{b}")
    assert (left < right) == (a < b)
    assert natural_key("2") < natural_key("10")
