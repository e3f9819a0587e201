"""Property-based tests: a state machine that drives every service of §7, §9 and §10 and
checks §5.

Each step of :class:`OccupancyMachine` calls one service with ids drawn from the registered
ones, another hotel's ones and unknown ones, with staff of every role (and deactivated
staff), and with fresh, reused and conflicting ``request_id``s. An oracle computed from the
store's snapshot before the call and the transition table predicts the outcome: the exact
error class, checked in the order of §6 (input, request_id, existence, hotel, permission,
state), or success and the entries it must log. A refusal must leave the store and the
published events exactly as they were (I8); a success must append exactly the entries it
returns, publish one event per entry, and change nothing but what the operation names.

The front desk of §9 is driven too: changed stays and parties, cancellations and no-shows,
guests queued at the desk, arrivals pre-assigned to occupied rooms whose guest is due out
(the room then holds an in-house and an arriving booking), and hotels that switch the
enforcement of stay dates on and off; the clock moves on, so that guests fall due out and
check-ins fall inside and outside their dates.

So is the housekeeping day of §10, modelled by the oracle from the spec rather than read
off the library: guest service statuses (a make-up request dirties a clean room, DND and
refused service keep cleaners out), housekeeping's observations and the discrepancies they
open (SLEEP keeps guests out of a room, every front-office operation resolves what it
touches), night audits (stayovers when due, statuses reset, out-of-service windows closed;
repeated, out of order, after a day passed), and tasks given to attendants and worksheets
shared out (checked for their properties: one place for every unstarted task, started
tasks kept, nobody over the credit limit, the same sheets for the same inputs).
After every step all invariants (I1-I7, I9-I14, and §10's) are checked on the whole store, and
followers of the event feed (§11), on a unit of work of their own over the same store,
read on: what they have read must be exactly what the notifier published, in id order,
and their positions never move backwards.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
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
    ARRIVING_VARIANTS,
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

CLOCK_START = FakeClock().now
DAY = timedelta(days=1)

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
        "enforce_stay_dates": True,  # §9: check-in only within the booking's dates
        "stayover_every": 2,  # §10: a stayover cleaning every other night
        "checkout_credits": 3,
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
INITIAL_PARTIES = {"HA": (1, 2, 4, 1, 2), "HB": (3, 1, 1, 2)}

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
            "change_stay",
            "update_party",
            "cancel_booking",
            "mark_no_show",
            "queue_arrival",
            "night_audit",  # §10
            "set_service_status",
        }
    ),
    Role.HOUSEKEEPING: frozenset(
        {
            "mark_dirty",
            "start_cleaning",
            "complete_cleaning",
            "set_service_status",
            "report_room_observation",
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            "mark_dirty",
            "start_cleaning",
            "complete_cleaning",
            "inspect_room",
            "set_service_status",
            "report_room_observation",
            "assign_task",
            "generate_worksheets",
        }
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
    # §9: the front desk (a booking that holds no room logs STAY_CHANGE on the booking alone)
    "change_stay": Op.STAY_CHANGE,
    "update_party": Op.STAY_CHANGE,
    "cancel_booking": Op.UNASSIGN,
    "mark_no_show": Op.UNASSIGN,
    "queue_arrival": Op.STAY_CHANGE,
    # §10: the housekeeping day
    "set_service_status": Op.SERVICE_STATUS,
    "report_room_observation": Op.DISCREPANCY,
}
"""The services acting on one room: allowed_operations has one entry for each."""
HOTEL_LOGS: dict[str, Op] = {"night_audit": Op.NIGHT_AUDIT}
"""§10: the services acting on a whole hotel at once (no request_id: the date is the key)."""
ALL_LOGS = {**LOGS, **HOTEL_LOGS}
TASK_SERVICES = ("assign_task", "generate_worksheets")
"""§10: the services sharing out housekeeping tasks: they change no room and log nothing."""
GRANTS[Role.MANAGER] = frozenset(ALL_LOGS) | frozenset(TASK_SERVICES)
BOOKING_ACTIONS = ("change_stay", "update_party", "cancel_booking", "mark_no_show", "queue_arrival")
FRONT_OFFICE = frozenset(
    {
        "assign_room",
        "check_in",
        "reassign_room",
        "unassign_room",
        "move_guest",
        "checkout_room",
        *BOOKING_ACTIONS,
    }
)
"""§10: the front office's services; each resolves the discrepancy of every room it acts on."""
ATTENDANTS = frozenset({Role.HOUSEKEEPING, Role.SUPERVISOR})
"""§10: whom housekeeping tasks can be given to (when active)."""
ServiceStatus = ho.ServiceStatus
Kind = ho.DiscrepancyKind
KEEPS_OUT = frozenset({ServiceStatus.DND, ServiceStatus.SERVICE_REFUSED})
CLEANISH = frozenset({Condition.CLEAN, Condition.INSPECTED})
CLEANING_KINDS = (ho.TaskKind.TURNOVER, ho.TaskKind.CLEANING)

ID_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "assign_room": ("booking_id", "room_id", "staff_id"),
    "check_in": ("booking_id", "staff_id"),
    "reassign_room": ("booking_id", "to_room_id", "staff_id"),
    "unassign_room": ("booking_id", "staff_id"),
    "move_guest": ("from_room_id", "to_room_id", "staff_id"),
    **dict.fromkeys(BOOKING_ACTIONS, ("booking_id", "staff_id")),
    "night_audit": ("hotel_id", "staff_id"),
    "assign_task": ("task_id", "assignee_id", "staff_id"),
    "generate_worksheets": ("hotel_id", "staff_id"),
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
    "set_out_of_order": {"until": None, "return_condition": Condition.DIRTY},
    "start_maintenance": {"until": None, "return_condition": Condition.DIRTY},
    "return_to_service": {"condition": Condition.DIRTY, "notes": ""},
    "change_stay": {"arrival": None, "departure": None, "notes": ""},
    "update_party": {"notes": ""},
    "cancel_booking": {"reason": ""},
    "mark_no_show": {"notes": ""},
    "queue_arrival": {},
    "set_service_status": {"notes": ""},
    "report_room_observation": {"guests": None, "notes": ""},
    "night_audit": {},
    "assign_task": {},
    "generate_worksheets": {"max_credits": None},
}
DEFAULT_VARIANTS = {
    "assign_room": "pre-assign",
    "inspect_room": "passed",
    "return_to_service": "DIRTY",
    "set_service_status": "DND",
    "report_room_observation": "agrees",
}
SERVICES: dict[str, Callable[..., Any]] = {
    name: getattr(services, name) for name in (*ALL_LOGS, *TASK_SERVICES)
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


def resolved(o: ho.RoomOccupancy, ts: datetime, **changes: Any) -> ho.RoomOccupancy:
    """The record after a front-office operation at ``ts`` changing ``changes``: its open
    discrepancy, if any, resolved and its report gone with it (§10)."""
    if o.discrepancy is not None:
        changes.update(
            discrepancy=None, discrepancy_by=None, discrepancy_at=None, observed_guests=None
        )
    return attrs.evolve(o, updated_at=ts, **changes)


def bad_party(party: object) -> bool:
    """Whether §6 refuses ``party`` as input: not a non-empty list of BookingGuests with ids,
    each with a first or a last name, no id twice."""
    if not isinstance(party, list | tuple) or not party:
        return True
    if not all(isinstance(m, ho.BookingGuest) for m in party):
        return True
    ids = [m.booking_guest_id for m in party]
    return (
        len(set(ids)) != len(ids)
        or not all(valid_id(i) for i in ids)
        or any(not (m.first_name.strip() or m.last_name.strip()) for m in party)
    )


def call_arguments(action: str, kwargs: Mapping[str, object]) -> dict[str, object]:
    """The arguments of a call with its defaults filled in (request_id left out)."""
    args = {**DEFAULTS[action], **{k: v for k, v in kwargs.items() if k != "request_id"}}
    for name, kind in (("condition", Condition), ("return_condition", Condition)):
        if name in args:
            with contextlib.suppress(ValueError):
                args[name] = kind(str(args[name]))
    if "status" in args:
        with contextlib.suppress(ValueError):
            args["status"] = ServiceStatus(str(args["status"]))
    attendants = args.get("attendants")
    if isinstance(attendants, list):
        args["attendants"] = tuple(attendants)
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
        # the room holding a booking, in either role (its own booking, or arriving, §9)
        self.holder = {o.booking_id: o.room_id for o in snap.occupancies if o.booking_id}
        self.awaits = {
            o.arriving_booking_id: o.room_id for o in snap.occupancies if o.arriving_booking_id
        }
        self.holder.update(self.awaits)

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
        return RoomState.of(
            o.status,
            o.condition,
            o.booking_id is not None,
            o.arriving_booking_id is not None,
            o.service_status,
            o.discrepancy,
        )

    def today(self, hotel_id: str, moment: datetime) -> date:
        return local_date(self.hotels[hotel_id], moment)

    def stage(self, booking: ho.Booking) -> ho.BookingStage:
        """Where §9 says the booking stands."""
        if booking.checked_out_at is not None:
            return ho.BookingStage.DEPARTED
        if booking.checked_in_at is not None:
            return ho.BookingStage.IN_HOUSE
        if booking.cancelled_at is not None:
            return ho.BookingStage.CANCELLED
        if booking.no_show_at is not None:
            return ho.BookingStage.NO_SHOW
        if booking.booking_id in self.holder:
            return ho.BookingStage.ASSIGNED
        return ho.BookingStage.ARRIVING

    def after_leaving(self, room_id: str, state: RoomState) -> tuple[RoomState, str | None, None]:
        """The room (state, booking, arriving booking) after its booking left it in
        ``state``: a room an arriving booking awaited is handed to it (§9)."""
        handed = self.occ[room_id].arriving_booking_id
        if state.tenancy is Tenancy.ASSIGNED:
            assert handed is not None, f"{room_id} is left pre-assigned to nobody"
            return state, handed, None
        return state, None, None

    def hotel_of(self, room_id: str) -> ho.Hotel:
        return self.hotels[self.rooms[room_id].hotel_id]

    def hotel_of_entry(self, entry: ho.LogEntry) -> str:
        """The hotel of an entry's room, or of its booking when it holds no room (§9)."""
        if entry.room_id is not None:
            return self.rooms[entry.room_id].hotel_id
        return self.bookings[str(entry.booking_id)].hotel_id

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

    # §10, written down independently of the library

    def tasks_of(self, hotel_id: str) -> list[ho.HousekeepingTask]:
        """The hotel's tasks, in an order that does not hang on their random ids."""
        return sorted(
            (t for t in self.snap.tasks if t.hotel_id == hotel_id),
            key=lambda t: (t.room_id, t.created_at, t.kind, t.status, t.updated_at),
        )

    def in_house_count(self, room_id: str) -> int:
        """The in-house guests of the room's booking, as the front office counts them."""
        o = self.occ[room_id]
        if o.status is not Status.OCCUPIED or o.booking_id is None:
            return 0
        return sum(g.in_house for g in self.guests_of(o.booking_id))

    def finding(self, room_id: str, occupied: bool, guests: int | None) -> Kind | None:
        """What an observation finds against the front office (§10): SKIP (occupied for the
        front office, found vacant), SLEEP (vacant for it, found occupied), PERSON (occupied
        both ways, another number of guests), or nothing (it agrees)."""
        front = self.occ[room_id].status is Status.OCCUPIED
        if front and not occupied:
            return Kind.SKIP
        if occupied and not front:
            return Kind.SLEEP
        if occupied and guests is not None and guests != self.in_house_count(room_id):
            return Kind.PERSON
        return None

    def awaiting(self, room_id: str) -> ho.Booking | None:
        """The arriving booking the room waits for: pre-assigned, or awaiting it (§9)."""
        o = self.occ[room_id]
        held = o.arriving_booking_id if o.status is Status.OCCUPIED else o.booking_id
        return self.bookings[held] if held else None

    def priority(self, room_id: str) -> ho.WorkPriority:
        """§10's urgency: queued arrivals, other arrivals, vacant dirty rooms, MAKE_UP_ROOM,
        stayovers; DND and refused rooms last."""
        o = self.occ[room_id]
        occupied = o.status is Status.OCCUPIED
        arriving = self.awaiting(room_id)
        if occupied and o.service_status in KEEPS_OUT:
            return ho.WorkPriority.KEEP_OUT
        if arriving is not None and arriving.queued_at is not None:
            return ho.WorkPriority.QUEUED_ARRIVAL
        if arriving is not None:
            return ho.WorkPriority.ARRIVAL
        if not occupied:
            return ho.WorkPriority.VACANT_DIRTY
        if o.service_status is ServiceStatus.MAKE_UP_ROOM:
            return ho.WorkPriority.MAKE_UP_ROOM
        return ho.WorkPriority.STAYOVER

    def work_lines(self, hotel_id: str) -> dict[str, ho.WorksheetLine]:
        """The hotel's open cleaning tasks as worksheet lines, by task id: a checkout (a
        vacant room) worth the hotel's checkout credits, a stayover its stayover credits."""
        hotel = self.hotels[hotel_id]
        lines = {}
        for task in self.snap.tasks:
            if task.hotel_id != hotel_id or not task.is_open or task.kind not in CLEANING_KINDS:
                continue
            o = self.occ[task.room_id]
            occupied = o.status is Status.OCCUPIED
            lines[task.task_id] = ho.WorksheetLine(
                task_id=task.task_id,
                room_id=task.room_id,
                number=self.rooms[task.room_id].number,
                kind=task.kind,
                status=task.status,
                priority=self.priority(task.room_id),
                credits=hotel.stayover_credits if occupied else hotel.checkout_credits,
                service_status=o.service_status,
            )
        return lines

    def sheet(self, hotel_id: str, staff_id: str) -> ho.Worksheet:
        """An attendant's worksheet as stored: the open cleaning tasks given to them."""
        mine = [
            line
            for task_id, line in self.work_lines(hotel_id).items()
            if self.tasks[task_id].assigned_to == staff_id
        ]
        return ho.Worksheet(staff_id, tuple(sorted(mine, key=work_key)))


def work_key(line: ho.WorksheetLine) -> tuple[object, ...]:
    """§10's work order: most urgent first, then by room number (naturally), then task."""
    return (int(line.priority), natural_key(line.number), line.task_id)


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
    """One log entry the call must append (``room_id`` None: on the booking alone, §9)."""

    room_id: str | None
    operation: Op
    before: RoomState | None
    after: RoomState | None
    booking_id: object = ANY
    from_room_id: str | None = None


Held = tuple[RoomState, str | None, str | None]
"""A room after a call: its state, its booking and its arriving booking (§9)."""


@dataclass
class Outcome:
    """What the oracle predicts for one call."""

    errors: tuple[type[ho.RoomOccupancyError], ...] = ()
    replay: tuple[ho.LogEntry, ...] | None = None
    steps: list[Step] = field(default_factory=list)
    rooms: dict[str, Held] = field(default_factory=dict)
    booking_id: str | None = None  # the booking the operation changes, if any
    # allowed_operations(judged) must predict the call: its reason is the error raised, or
    # (not strict: checks of other rooms or the party follow) a refusal it names is raised
    judged: str | None = None
    strict: bool = True
    carries: tuple[str, object] | None = None  # (attribute, id) the error must carry (§6)
    assigned: dict[str, str] = field(default_factory=dict)  # §10: task id -> its new assignee


Audits = Mapping[str, Mapping[date, tuple[ho.LogEntry, ...]]]
"""§10: the entries of every night audit so far, by hotel and business date."""
NO_SLEEP_ROWS = frozenset(
    {
        ("assign_room", "pre-assign", RoomRole.ROOM),
        ("check_in", "", RoomRole.ROOM),
        ("reassign_room", "", RoomRole.ROOM),
        ("move_guest", "", RoomRole.ROOM),
    }
)
"""§10: the rows that give a guest a room, which an open SLEEP discrepancy refuses."""


_ARRIVING, _ASSIGNED, _IN_HOUSE = (
    ho.BookingStage.ARRIVING,
    ho.BookingStage.ASSIGNED,
    ho.BookingStage.IN_HOUSE,
)
LIVE = frozenset({_ARRIVING, _ASSIGNED, _IN_HOUSE})
NOT_YET_ARRIVED = frozenset({_ARRIVING, _ASSIGNED})
ROOM_BOOKING_STAGES: dict[str, frozenset[ho.BookingStage]] = {
    "check_in": frozenset({_ASSIGNED}),
    "unassign_room": frozenset({_ASSIGNED, _IN_HOUSE}),
    "change_stay": LIVE,
    "update_party": LIVE,
    "cancel_booking": NOT_YET_ARRIVED,
    "mark_no_show": NOT_YET_ARRIVED,
    "queue_arrival": frozenset({_ASSIGNED}),
}
"""The stages in which a service may act on the booking a room holds, for the services
acting on the room's own booking (§9): allowed_operations judges that booking first."""


class Oracle:
    """Predicts a call's outcome from a snapshot taken before it (checks in §6's order).

    ``owners``: every booking guest id ever in a party, with its booking (an id that left
    a party stays its booking's); ``now``: the instant the call will read from the clock.
    """

    def __init__(
        self,
        view: View,
        requests: Mapping[str, tuple[str, dict[str, object], Any]],
        *,
        owners: Mapping[str, str],
        now: datetime,
        audits: Audits | None = None,
    ):
        self.v = view
        self.requests = requests
        self.owners = owners
        self.now = now
        self.audits: Audits = audits or {}
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
            self.settle(action)
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
        if action == "change_stay":
            arrival, departure = kwargs.get("arrival"), kwargs.get("departure")
            if arrival is None and departure is None:
                raise Refuse(ho.InvalidInput)  # nothing to change
            if arrival is not None and departure is not None and departure < arrival:  # type: ignore[operator]
                raise Refuse(ho.InvalidInput)  # §6: departure before arrival
        if action == "update_party" and bad_party(kwargs.get("party")):
            raise Refuse(ho.InvalidInput)  # §6: an empty party, or one no booking could have
        self._input_section_10(action, kwargs)

    @staticmethod
    def _input_section_10(action: str, kwargs: Mapping[str, object]) -> None:
        """§10's arguments: a known service status; an observation whose guests agree with
        it (more than none exactly when occupied); a window returning the room DIRTY or
        CLEAN; a non-empty list of distinct attendants and a positive credit limit."""
        if action == "set_service_status" and kwargs["status"] not in {
            s.value for s in ServiceStatus
        }:
            raise Refuse(ho.InvalidInput)
        if action == "report_room_observation":
            occupied, guests = kwargs["occupied"], kwargs.get("guests")
            if not isinstance(occupied, bool):
                raise Refuse(ho.InvalidInput)
            if guests is not None and (
                type(guests) is not int or not 0 <= guests <= 99 or (guests > 0) is not occupied
            ):
                raise Refuse(ho.InvalidInput)
        if "return_condition" in kwargs:
            value = kwargs["return_condition"]
            if value not in {c.value for c in Condition} or Condition(value) not in (
                Condition.DIRTY,
                Condition.CLEAN,
            ):
                raise Refuse(ho.InvalidInput)
        if action == "generate_worksheets":
            attendants = kwargs["attendants"]
            if (
                not isinstance(attendants, list | tuple)
                or not attendants
                or not all(valid_id(a) for a in attendants)
                or len(set(attendants)) != len(attendants)
            ):
                raise Refuse(ho.InvalidInput)
            limit = kwargs.get("max_credits")
            if limit is not None and (type(limit) is not int or not 1 <= limit <= 10_000):
                raise Refuse(ho.InvalidInput)

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

    def hotel(self, hotel_id: object) -> ho.Hotel:
        if hotel_id not in self.v.hotels:
            raise Refuse(ho.HotelNotFound, carries=("hotel_id", hotel_id))
        return self.v.hotels[str(hotel_id)]

    def task(self, task_id: object) -> ho.HousekeepingTask:
        if task_id not in self.v.tasks:
            raise Refuse(ho.TaskNotFound, carries=("task_id", task_id))
        return self.v.tasks[str(task_id)]

    @staticmethod
    def attendant(staff: ho.Staff) -> None:
        """§10: tasks go to active housekeeping staff (a state check: after permission)."""
        if not staff.active or staff.role not in ATTENDANTS:
            raise Refuse(ho.InvalidTransition)

    @staticmethod
    def same_hotel(hotel_id: str, *others: ho.Room | ho.Staff | ho.Booking) -> None:
        if any(o.hotel_id != hotel_id for o in others):
            raise Refuse(ho.HotelMismatch)

    def permit(self, staff: ho.Staff, action: str) -> None:
        """An active member whose role grants ``action``, of a hotel that is not
        deactivated."""
        if not staff.active or action not in GRANTS[staff.role]:
            raise Refuse(ho.PermissionDenied)
        if not self.v.hotels[staff.hotel_id].active:
            raise Refuse(ho.PermissionDenied, carries=("hotel_id", staff.hotel_id))

    def booking_call(self, action: str, args: dict[str, Any]) -> ho.Booking:
        """A booking service's existence, hotel and permission checks: its booking."""
        booking = self.booking(args["booking_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        return booking

    # state
    def arriving(self, booking: ho.Booking) -> None:
        """Only a booking that has not arrived and is still expected can be given a room."""
        if self.v.stage(booking) not in NOT_YET_ARRIVED:
            raise Refuse(ho.BookingNotAssignable)

    def stage_in(self, booking: ho.Booking, stages: Iterable[ho.BookingStage]) -> ho.BookingStage:
        stage = self.v.stage(booking)
        if stage not in stages:
            raise Refuse(ho.BookingNotAssignable)
        return stage

    def today(self, booking: ho.Booking) -> date:
        return self.v.today(booking.hotel_id, self.now)

    def within_dates(self, booking: ho.Booking) -> None:
        """§9: where the hotel enforces stay dates, no check-in outside them."""
        if self.v.hotels[booking.hotel_id].enforce_stay_dates and not (
            booking.arrival <= self.today(booking) <= booking.departure
        ):
            raise Refuse(ho.BookingNotAssignable)

    def table(self, row: Transition, room_id: str, state: RoomState | None = None) -> RoomState:
        """The state after ``row``, or the table's error class."""
        state = state or self.v.state(room_id)
        refusal = row.refusal(state, self.v.inspects(room_id))
        if refusal is not None:
            raise Refuse(refusal.error)
        # §10, said here as well as by the table: an open SLEEP discrepancy keeps guests out
        # of a room, a DND or refused service keeps cleaners out
        if (row.action, row.variant, row.role) in NO_SLEEP_ROWS and state.discrepancy is Kind.SLEEP:
            raise Refuse(ho.RoomNotAvailable)
        if row.action == "start_cleaning" and state.guest_service in KEEPS_OUT:
            raise Refuse(ho.InvalidTransition)
        return row.apply(state)

    def settle(self, action: str) -> None:
        """§10, whatever the table says: a front-office operation resolves the discrepancy
        of every room it acts on, and a room no guest occupies has no service status."""
        for room_id, (state, booking_id, arriving_id) in self.out.rooms.items():
            if action in FRONT_OFFICE:
                state = attrs.evolve(state, discrepancy=None)
            if state.tenancy is not Tenancy.OCCUPIED:
                state = attrs.evolve(state, guest_service=ServiceStatus.NONE)
            self.out.rooms[room_id] = (state, booking_id, arriving_id)

    @staticmethod
    def fits(room: ho.Room, booking: ho.Booking, size: int | None = None) -> None:
        size = len(booking.party) if size is None else size
        if room.capacity is not None and size > room.capacity:
            raise Refuse(ho.CapacityExceeded)

    def step(
        self,
        room_id: str | None,
        operation: Op,
        before: RoomState | None,
        after: RoomState | None,
        **kw: Any,
    ) -> None:
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
        self.out.rooms[room_id] = (after, booking.booking_id, None)

    def kept(self, room_id: str, after: RoomState) -> Held:
        """The room in ``after`` with the bookings it holds."""
        o = self.v.occ[room_id]
        return after, o.booking_id, o.arriving_booking_id

    # one method per booking service; the room services share _room_operation
    def _assign_room(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking(args["booking_id"])
        room = self.room(args["room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(booking.hotel_id, room, staff)
        self.permit(staff, action)
        self.out.booking_id = booking.booking_id
        held = self.v.holder.get(booking.booking_id)
        if args["check_in"] and held == room.room_id and self.v.stage(booking) is _ASSIGNED:
            self.within_dates(booking)  # §4: this is a check_in (CHECKIN only), §9 and all
            self.seat(held, booking)
            return
        self.arriving(booking)
        if held is not None:
            raise Refuse(ho.BookingNotAssignable)
        if args["check_in"]:  # allowed_operations judges assign_room with its default
            self.within_dates(booking)
            self.judge(room.room_id, strict=False)
        before = self.v.state(room.room_id)
        if not args["check_in"] and before.tenancy is Tenancy.OCCUPIED:
            self.due_out(room, booking, before)
            return
        assigned = self.table(transition(action, "pre-assign"), room.room_id)
        seated = None
        if args["check_in"]:
            seated = self.table(transition("check_in"), room.room_id, assigned)
        self.fits(room, booking)
        self.step(room.room_id, Op.ASSIGN, before, assigned, booking_id=booking.booking_id)
        if seated is not None:
            self.step(room.room_id, Op.CHECKIN, assigned, seated, booking_id=booking.booking_id)
        self.out.rooms[room.room_id] = (seated or assigned, booking.booking_id, None)

    def due_out(self, room: ho.Room, booking: ho.Booking, before: RoomState) -> None:
        """§9: an arrival pre-assigned to an occupied room whose guest departs today or is
        overdue, and that no other arrival awaits."""
        after = self.table(transition("assign_room", "due-out"), room.room_id)
        in_house = self.v.bookings[str(self.v.occ[room.room_id].booking_id)]
        if in_house.departure > self.v.today(room.hotel_id, self.now):
            raise Refuse(ho.RoomNotAvailable)  # its guest stays beyond today
        self.fits(room, booking)
        self.step(room.room_id, Op.ASSIGN, before, after, booking_id=booking.booking_id)
        self.out.rooms[room.room_id] = (after, in_house.booking_id, booking.booking_id)

    def _check_in(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        self.arriving(booking)
        held = self.v.holder.get(booking.booking_id)
        if held is None:
            raise Refuse(ho.BookingNotAssignable)
        self.within_dates(booking)
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
        awaited = booking.booking_id in self.v.awaits  # §9: as any pre-assignment
        variant = "arriving" if awaited else ""
        left = self.table(transition(action, variant, role=RoomRole.SOURCE), source)
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
        # an awaited room keeps its guest; a pre-assigned one is left unassigned
        self.out.rooms[source] = (left, self.v.occ[source].booking_id if awaited else None, None)
        self.out.rooms[room.room_id] = (after, booking.booking_id, None)

    def _unassign_room(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        stage = self.stage_in(booking, (_ASSIGNED, _IN_HOUSE))
        held = self.v.holder[booking.booking_id]
        if stage is _IN_HOUSE and self.v.moved_since_check_in(booking.booking_id):
            raise Refuse(ho.BookingNotAssignable)  # §4: any move makes the check-in final
        before = self.v.state(held)
        if booking.booking_id in self.v.awaits:  # §9: an arrival released, the guest stays
            after = self.table(transition(action, "arriving"), held)
            self.step(held, Op.UNASSIGN, before, after, booking_id=booking.booking_id)
            self.out.rooms[held] = (after, self.v.occ[held].booking_id, None)
            return
        self.judge(held, strict=True)
        after = self.table(transition(action), held)
        self.step(held, Op.UNASSIGN, before, after, booking_id=booking.booking_id)
        self.out.rooms[held] = self.v.after_leaving(held, after)

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
        self.out.rooms[source.room_id] = self.v.after_leaving(source.room_id, left)
        self.out.rooms[target.room_id] = (after, booking.booking_id, None)

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
        self.out.rooms[room.room_id] = self.v.after_leaving(room.room_id, after)

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
        elif args.get("until") is not None and args["until"] < self.v.today(
            room.hotel_id, self.now
        ):  # §10: a window ends today or later
            raise Refuse(ho.InvalidInput)
        if variant == DEFAULT_VARIANTS.get(action, ""):
            self.judge(room.room_id, strict=True)
        before = self.v.state(room.room_id)
        after = self.table(transition(action, variant), room.room_id)
        self.step(room.room_id, LOGS[action], before, after)
        self.out.rooms[room.room_id] = self.kept(room.room_id, after)

    # §9: the front desk
    def on_booking(self, action: str, booking: ho.Booking) -> None:
        """The entry of a change to ``booking``: on the room holding it, as the table says
        (the row for an arriving booking when it awaits the room), else on the booking
        alone (STAY_CHANGE, no room)."""
        room_id = self.v.holder.get(booking.booking_id)
        if room_id is None:
            self.step(None, Op.STAY_CHANGE, None, None, booking_id=booking.booking_id)
            return
        variant = "arriving" if booking.booking_id in self.v.awaits else ""
        if not variant:  # allowed_operations judges the room by the booking it holds
            self.judge(room_id, strict=True)
        before = self.v.state(room_id)
        after = self.table(transition(action, variant), room_id)
        self.step(room_id, LOGS[action], before, after, booking_id=booking.booking_id)
        if action in ("cancel_booking", "mark_no_show"):  # the pre-assignment is released
            self.out.rooms[room_id] = (
                (after, self.v.occ[room_id].booking_id, None) if variant else (after, None, None)
            )
        else:
            self.out.rooms[room_id] = self.kept(room_id, after)

    def _change_stay(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        stage = self.stage_in(booking, LIVE)
        arrival = booking.arrival if args["arrival"] is None else args["arrival"]
        departure = booking.departure if args["departure"] is None else args["departure"]
        if departure < arrival:
            raise Refuse(ho.InvalidInput)  # §6: with the booking's other date
        if (arrival, departure) == (booking.arrival, booking.departure):
            return  # nothing changes, nothing is logged
        if stage is _IN_HOUSE and (arrival != booking.arrival or departure < self.today(booking)):
            raise Refuse(ho.BookingNotAssignable)  # §9: in house
        self.on_booking(action, booking)  # a room an arrival awaits: RoomNotAvailable

    def _update_party(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        stage = self.stage_in(booking, LIVE)
        party = tuple(args["party"])
        if party == booking.party:
            return  # nothing changes, nothing is logged
        ids = {m.booking_guest_id for m in booking.party}
        joining = [m.booking_guest_id for m in party if m.booking_guest_id not in ids]
        if any(self.owners.get(i, booking.booking_id) != booking.booking_id for i in joining):
            raise Refuse(ho.AlreadyRegistered)  # §2: unique across the store
        if stage is _IN_HOUSE and party[0].booking_guest_id != booking.party[0].booking_guest_id:
            raise Refuse(ho.BookingNotAssignable)  # §9: the primary stays first
        room_id = self.v.holder.get(booking.booking_id)
        if room_id is not None:
            self.fits(self.v.rooms[room_id], booking, len(party))
        self.on_booking(action, booking)

    def _close(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        self.stage_in(booking, NOT_YET_ARRIVED)
        if action == "mark_no_show" and self.today(booking) < booking.arrival:
            raise Refuse(ho.BookingNotAssignable)  # not due yet: it cannot be a no-show
        self.on_booking(action, booking)

    _cancel_booking = _mark_no_show = _close

    def _queue_arrival(self, action: str, args: dict[str, Any]) -> None:
        booking = self.booking_call(action, args)
        self.stage_in(booking, (_ASSIGNED,))
        if booking.queued_at is not None:
            raise Refuse(ho.BookingNotAssignable)  # already waiting at the desk
        self.on_booking(action, booking)

    # §10: the housekeeping day, modelled here (not read off the table)
    def room_call(self, action: str, args: dict[str, Any]) -> tuple[str, RoomState]:
        """A one-room service's existence, hotel and permission checks: its room and state."""
        room = self.room(args["room_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(room.hotel_id, staff)
        self.permit(staff, action)
        return room.room_id, self.v.state(room.room_id)

    def _set_service_status(self, action: str, args: dict[str, Any]) -> None:
        """On an occupied room only, and not to the status it has; MAKE_UP_ROOM on a clean
        (or inspected) room also makes it dirty, with a cleaning task."""
        room_id, before = self.room_call(action, args)
        status = args["status"]
        if status is ServiceStatus.DND:  # allowed_operations judges the room for DND
            self.judge(room_id, strict=True)
        if before.tenancy is not Tenancy.OCCUPIED:
            raise Refuse(ho.RoomNotOccupied)
        if before.guest_service is status:
            raise Refuse(ho.InvalidTransition)
        after = attrs.evolve(before, guest_service=status)
        if status is ServiceStatus.MAKE_UP_ROOM and before.condition in CLEANISH:
            after = attrs.evolve(after, condition=Condition.DIRTY)
        booking_id = self.v.occ[room_id].booking_id
        self.step(room_id, Op.SERVICE_STATUS, before, after, booking_id=booking_id)
        self.out.rooms[room_id] = self.kept(room_id, after)

    def _report_room_observation(self, action: str, args: dict[str, Any]) -> None:
        """Always logged: it opens (or re-opens) what it finds, or resolves what was open."""
        room_id, before = self.room_call(action, args)
        self.judge(room_id, strict=True)  # an observation is never refused for the state
        found = self.v.finding(room_id, args["occupied"], args["guests"])
        after = attrs.evolve(before, discrepancy=found)
        booking_id = self.v.occ[room_id].booking_id
        self.step(room_id, Op.DISCREPANCY, before, after, booking_id=booking_id)
        self.out.rooms[room_id] = self.kept(room_id, after)

    def _night_audit(self, action: str, args: dict[str, Any]) -> None:
        """Once per hotel and business date (again: the first call's entries); never a
        date after today or before the last one audited. On each room, in room id order:
        a stayover cleaning when due, service statuses reset, windows that end closed."""
        hotel = self.hotel(args["hotel_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(hotel.hotel_id, staff)
        self.permit(staff, action)
        day: date = args["business_date"]
        if day > self.v.today(hotel.hotel_id, self.now):
            raise Refuse(ho.InvalidTransition)
        audited = self.audits.get(hotel.hotel_id, {})
        if day in audited:
            self.out.replay = audited[day]
            return
        if audited and day < max(audited):
            raise Refuse(ho.InvalidTransition)
        for room_id in sorted(self.v.rooms_of(hotel.hotel_id)):
            before = self.v.state(room_id)
            after = self.audited(hotel, room_id, day, before)
            if after is not None:
                booking_id = self.v.occ[room_id].booking_id
                self.step(room_id, Op.NIGHT_AUDIT, before, after, booking_id=booking_id)
                self.out.rooms[room_id] = self.kept(room_id, after)

    def audited(
        self, hotel: ho.Hotel, room_id: str, day: date, state: RoomState
    ) -> RoomState | None:
        """The room after the audit of ``day``, or None if the audit leaves it be."""
        o = self.v.occ[room_id]
        if state.service is not Service.IN_SERVICE:  # back when its window ends
            if o.out_of_service_until is None or o.out_of_service_until > day:
                return None
            assert o.return_condition is not None
            return attrs.evolve(state, service=Service.IN_SERVICE, condition=o.return_condition)
        if state.tenancy is not Tenancy.OCCUPIED:
            return None
        stay = self.v.bookings[str(o.booking_id)]
        assert stay.checked_in_at is not None
        nights = (day - local_date(hotel, stay.checked_in_at)).days + 1
        every = hotel.stayover_every
        due = every > 0 and nights >= 1 and nights % every == 0
        if due and state.condition in CLEANISH:
            return attrs.evolve(state, condition=Condition.DIRTY, guest_service=ServiceStatus.NONE)
        if state.guest_service is not ServiceStatus.NONE:
            return attrs.evolve(state, guest_service=ServiceStatus.NONE)
        return None

    def _assign_task(self, action: str, args: dict[str, Any]) -> None:
        """An open task, to an active housekeeping staff member of its hotel."""
        task = self.task(args["task_id"])
        assignee = self.staff(args["assignee_id"])
        staff = self.staff(args["staff_id"])
        self.same_hotel(task.hotel_id, assignee, staff)
        self.permit(staff, action)
        self.attendant(assignee)
        if not task.is_open:
            raise Refuse(ho.InvalidTransition)
        self.out.assigned = {task.task_id: assignee.staff_id}

    def _generate_worksheets(self, action: str, args: dict[str, Any]) -> None:
        """§6's order for the attendants too: they exist and are of the hotel (checked
        before permission), and are active housekeeping staff (a state check)."""
        hotel = self.hotel(args["hotel_id"])
        attendants = [self.staff(a) for a in args["attendants"]]
        staff = self.staff(args["staff_id"])
        self.same_hotel(hotel.hotel_id, *attendants, staff)
        self.permit(staff, action)
        for attendant in attendants:
            self.attendant(attendant)


# --- rule preconditions: a rule is picked only when some call of it can go far -----------


def some_room(test: Callable[[ho.RoomOccupancy], bool]) -> Callable[[Any], bool]:
    """A precondition: some room's occupancy record passes ``test``."""
    return lambda machine: any(test(o) for o in machine.store.snapshot().occupancies)


PRE_ASSIGNED = some_room(lambda o: o.booking_id is not None and o.status is not Status.OCCUPIED)
ASSIGNED = some_room(lambda o: o.booking_id is not None)
OCCUPIED = some_room(lambda o: o.status is Status.OCCUPIED)
OUT_OF_SERVICE = some_room(lambda o: o.status in (Status.OUT_OF_ORDER, Status.MAINTENANCE))
AWAITED = some_room(lambda o: o.arriving_booking_id is not None)


def ARRIVAL_HELD(machine: Any) -> bool:
    """Some booking is pre-assigned: to a vacant room, or as an arrival awaiting one."""
    return PRE_ASSIGNED(machine) or AWAITED(machine)


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
        # every booking guest id ever in a party, and its booking (ids that left stay taken)
        self.owners: dict[str, str] = {}
        self.next_member = itertools.count(1)
        # the feed's followers, in another unit of work (with a clock of its own)
        self.follower = InMemoryUnitOfWork(store=self.store, clock=FakeClock())
        self.positions = dict.fromkeys(FOLLOWERS, START)
        self.checked = 0  # how many published events the followers have read
        self.consumed: list[ho.OccupancyEvent] = []
        # §10: every night audit's entries, by hotel and business date
        self.audits: dict[str, dict[date, tuple[ho.LogEntry, ...]]] = {}
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
            for i, size in enumerate(INITIAL_PARTIES[hotel_id]):  # day use up to two nights
                self._register_booking(hotel_id, size, i % 3)

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
            st.tuples(st.sampled_from(sorted(ROOMS)), st.integers(0, 4), st.booleans()),
            max_size=6,
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

    @initialize(hours=st.sampled_from([0, 0, 20, 44, 68]))
    def the_machine_starts_on_some_day_of_the_stays(self, hours: int) -> None:
        """The clock starts on the first day of the initial stays or later: some guests are
        due out from the start, some arrivals are late, some stays are over (§9)."""
        self.clock.advance(hours=hours)

    # helpers -----------------------------------------------------------------------------

    def view(self) -> View:
        return View(self.store.snapshot())

    def _register_booking(
        self, hotel_id: str, size: int, nights: int, arrival: date | None = None
    ) -> str:
        n = next(self.next_booking)
        booking_id = f"{hotel_id}-B{n}"
        arrival = ARRIVAL + timedelta(days=n % 3) if arrival is None else arrival
        services.register_booking(
            self.uow,
            hotel_id=hotel_id,
            booking_id=booking_id,
            reference=f"REF-{n:04d}",
            arrival=arrival,
            departure=arrival + timedelta(days=nights),
            party=[
                ho.BookingGuest(f"{booking_id}-g{i}", f"Guest{i}", f"Family{n}")
                for i in range(size)
            ],
        )
        self.note_owners()
        return booking_id

    def note_owners(self) -> None:
        """Remember who each booking guest id belongs to (once taken, an id stays taken)."""
        for booking in self.store.snapshot().bookings:
            for member in booking.party:
                owner = self.owners.setdefault(member.booking_guest_id, booking.booking_id)
                assert owner == booking.booking_id, f"{member.booking_guest_id} changed hands"

    def today(self, hotel_id: str) -> date:
        """The hotel's local date on the clock."""
        return local_date(self.view().hotels[hotel_id], self.clock.now)

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
        """Call ``action`` with ``kwargs`` and a drawn request_id (none for the night audit,
        whose date is its key), and check the outcome."""
        if action not in HOTEL_LOGS:
            kwargs["request_id"] = self.pick_request_id(data)
        self.run(action, kwargs)

    def run(self, action: str, kwargs: dict[str, Any]) -> None:
        before = self.view()
        events = tuple(self.notifier.events)
        out = Oracle(
            before, self.requests, owners=self.owners, now=self.clock.now, audits=self.audits
        ).predict(action, kwargs)
        reason: str | None = None
        if out.judged is not None:
            allowed = services.allowed_operations(self.uow, out.judged)
            reason = next(a.reason for a in allowed if a.action == action)
        result, error = attempt(lambda: SERVICES[action](self.uow, **kwargs))
        self.note_owners()
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
            if action == "generate_worksheets":  # §10: the sheets as they stand
                assert result == self.current_plan(before, kwargs), "a replayed plan"
            else:
                assert result == out.replay, "a replay must return the very same entries"
            self.assert_unchanged(before, events, f"the replayed {action}")
            return
        if out.judged is not None:
            assert reason is None, (
                f"allowed_operations said {reason!r} for {action} on {out.judged}, "
                "yet the call succeeded"
            )
        if action in TASK_SERVICES:
            self.check_task_service(action, kwargs, out, before, events, result)
            return
        self.check_success(action, kwargs, out, before, events, result)
        if action in HOTEL_LOGS:
            day = kwargs["business_date"]
            self.audits.setdefault(kwargs["hotel_id"], {})[day] = result

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
        rid = kwargs.get("request_id")
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
            assert event.hotel_id == before.hotel_of_entry(entry)
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
            if expect.before is None or expect.after is None:  # on the booking alone (§9)
                assert (entry.status_before, entry.condition_before) == (None, None)
                assert (entry.status_after, entry.condition_after) == (None, None)
            else:
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
            assert entry.hotel_id == before.hotel_of_entry(entry)
            assert entry.metadata.get("action") == action, "the entry names the service called"
            assert entry.timestamp.utcoffset() == timedelta(0), "timestamps are aware UTC"
        if not out.steps:  # §9: a change that changes nothing logs nothing, stores nothing
            assert after.tables()[:-1] == before.tables()[:-1], f"{action} changed nothing"
        # the request is used up exactly when given
        expected_ids = before.snap.request_ids | ({rid} if rid is not None else set())
        assert after.snap.request_ids == expected_ids
        if rid is not None:
            self.requests[rid] = (action, call_arguments(action, kwargs), result)
            if rid in self.failed_request_ids:
                self.failed_request_ids.remove(rid)
        # the rooms acted on are in the state the table says; nothing else changed
        for room_id, (state, booking_id, arriving_id) in out.rooms.items():
            o = after.occ[room_id]
            assert (o.status, o.condition, o.booking_id, o.arriving_booking_id) == (
                state.status,
                state.condition,
                booking_id,
                arriving_id,
            ), f"room {room_id} after {action}"
            assert after.state(room_id) == state, f"room {room_id} after {action}"
        self.check_untouched(before, after, out)
        self.check_effects(action, kwargs, before, after, result)
        self.check_cleared_pins(before, after)
        if result:
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                result[0].notes = "changed"  # §7: returned objects are immutable snapshots
        assert self.view().snap.log[old:] == result

    # §10: sharing out the tasks -----------------------------------------------------------

    def check_task_service(
        self,
        action: str,
        kwargs: dict[str, Any],
        out: Outcome,
        before: View,
        events: tuple[ho.OccupancyEvent, ...],
        result: object,
    ) -> None:
        """assign_task and generate_worksheets change who has which task and nothing else:
        no log entry, no event, no room."""
        after = self.view()
        rid = kwargs.get("request_id")
        assert after.snap.log == before.snap.log, f"{action} logs nothing"
        assert tuple(self.notifier.events) == events, f"{action} publishes nothing"
        assert after.snap.request_ids == before.snap.request_ids | ({rid} if rid else set())
        if rid is not None:
            self.requests[rid] = (action, call_arguments(action, kwargs), ())
            if rid in self.failed_request_ids:
                self.failed_request_ids.remove(rid)
        if action == "assign_task":
            assert result == ()
            assigned: Mapping[str, str | None] = out.assigned
        else:
            assert isinstance(result, ho.WorksheetPlan)
            assigned = self.check_plan(kwargs, before, result)
        expected = dict(before.tasks)
        for task_id, assignee in assigned.items():
            task, now = before.tasks[task_id], after.tasks[task_id]
            if task.assigned_to != assignee:
                assert now == attrs.evolve(task, assigned_to=assignee, updated_at=now.updated_at)
                assert task.updated_at <= now.updated_at < self.clock.now
                expected[task_id] = now
        assert after.tasks == expected, f"{action} changes whom tasks are given to, nothing else"
        assert after.tables()[:6] == before.tables()[:6]
        if action == "generate_worksheets":
            hotel_id = kwargs["hotel_id"]
            assert isinstance(result, ho.WorksheetPlan)
            for sheet in result.sheets:  # the sheets are stored
                assert services.worksheet(self.uow, hotel_id, sheet.staff_id) == sheet
            again = services.generate_worksheets(
                self.uow,
                hotel_id=hotel_id,
                attendants=kwargs["attendants"],
                staff_id=kwargs["staff_id"],
                max_credits=kwargs.get("max_credits"),
            )
            assert again == result, "the same inputs give the same sheets"
            self.assert_unchanged(after, events, "sharing out the same tasks again")
            if rid is not None:  # a double-click: the very same plan, nothing shared again
                replayed = services.generate_worksheets(self.uow, **kwargs)
                assert replayed == result, "a replayed request gives the plan it gave"
                self.assert_unchanged(after, events, "the replayed generate_worksheets")

    @staticmethod
    def check_plan(
        kwargs: dict[str, Any], before: View, plan: ho.WorksheetPlan
    ) -> dict[str, str | None]:
        """What §10 says of the sheets: one per attendant in their order, each in work
        order; every open unstarted cleaning task on exactly one sheet or in the overflow;
        a started task on its cleaner's sheet, never moved; nobody given tasks beyond
        ``max_credits``; the overflow only what fits nobody. The unstarted tasks' new
        assignees, by task id."""
        attendants = list(kwargs["attendants"])
        limit = kwargs.get("max_credits")
        lines = before.work_lines(kwargs["hotel_id"])
        unstarted = {t for t, line in lines.items() if line.status is ho.TaskStatus.OPEN}
        assert [sheet.staff_id for sheet in plan.sheets] == attendants
        placed = [
            line.task_id
            for sheet in plan.sheets
            for line in sheet.lines
            if line.status is ho.TaskStatus.OPEN
        ]
        overflow = [line.task_id for line in plan.overflow]
        assert sorted(placed + overflow) == sorted(unstarted), (
            "every open unstarted cleaning task is on exactly one sheet or in the overflow"
        )
        for sheet in plan.sheets:
            assert all(line == lines[line.task_id] for line in sheet.lines)
            assert list(sheet.lines) == sorted(sheet.lines, key=work_key), "in work order"
            started = {
                line.task_id for line in sheet.lines if line.status is ho.TaskStatus.IN_PROGRESS
            }
            assert started == {
                t
                for t, line in lines.items()
                if line.status is ho.TaskStatus.IN_PROGRESS
                and before.tasks[t].assigned_to == sheet.staff_id
            }, "a started task stays on its cleaner's sheet"
            assert sheet.credits == sum(line.credits for line in sheet.lines)
            if limit is not None and len(started) < len(sheet.lines):
                assert sheet.credits <= limit, f"{sheet.staff_id} given over {limit} credits"
        assert all(line == lines[line.task_id] for line in plan.overflow)
        assert list(plan.overflow) == sorted(plan.overflow, key=work_key)
        if limit is None:
            assert not plan.overflow, "without a limit everything is shared out"
        for line in plan.overflow:
            assert limit is not None
            assert all(sheet.credits + line.credits > limit for sheet in plan.sheets), (
                f"{line.number} is left over though someone had room for it"
            )
        given = sorted(
            ((line, sheet.staff_id) for sheet in plan.sheets for line in sheet.lines),
            key=lambda pair: work_key(pair[0]),
        )
        assert plan.assignments == tuple(
            (line.task_id, staff_id) for line, staff_id in given if line.task_id in unstarted
        )
        assignees: dict[str, str | None] = dict.fromkeys(overflow)
        assignees.update(plan.assignments)
        return assignees

    @staticmethod
    def current_plan(v: View, kwargs: dict[str, Any]) -> ho.WorksheetPlan:
        """The plan a replayed generate_worksheets returns: the attendants' sheets as they
        stand, with the open unstarted tasks nobody has as the overflow."""
        hotel_id = kwargs["hotel_id"]
        sheets = tuple(v.sheet(hotel_id, staff_id) for staff_id in kwargs["attendants"])
        overflow = sorted(
            (
                line
                for task_id, line in v.work_lines(hotel_id).items()
                if line.status is ho.TaskStatus.OPEN and v.tasks[task_id].assigned_to is None
            ),
            key=work_key,
        )
        given = sorted(
            ((line, sheet.staff_id) for sheet in sheets for line in sheet.lines),
            key=lambda pair: work_key(pair[0]),
        )
        return ho.WorksheetPlan(
            sheets,
            tuple(overflow),
            tuple((line.task_id, s) for line, s in given if line.status is ho.TaskStatus.OPEN),
        )

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

        def back_in_service(room_id: str) -> None:
            """return_to_service, or a window the night audit closes (§10)."""
            o = after.occ[room_id]
            closed_as(room_id, (ho.TaskKind.MAINTENANCE,), ho.TaskStatus.DONE)
            assert (o.out_of_service_until, o.return_condition) == (None, None), "window closed"
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

        OccupancyMachine.check_resolutions(before, after, result)
        if action == "night_audit":
            OccupancyMachine.check_audit_summary(kwargs, before, result)
        for entry in result:
            if action in BOOKING_ACTIONS:
                OccupancyMachine.check_front_desk(action, kwargs, before, after, entry)
                continue
            room_id = entry.room_id
            assert room_id is not None
            hotel = after.hotel_of(room_id)
            o = after.occ[room_id]
            ts = entry.timestamp
            if entry.operation is Op.CHECKIN:
                booking = after.bookings[str(entry.booking_id)]
                assert booking == attrs.evolve(
                    before.bookings[booking.booking_id], checked_in_at=ts, queued_at=None
                ), "a check-in records when, and takes the guest out of the queue (§9)"
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
                unqueued = attrs.evolve(before.bookings[booking_id], queued_at=None)
                if before.occ[room_id].arriving_booking_id == booking_id:  # §9: an arrival
                    assert after.bookings[booking_id] == unqueued
                    assert after.guests_of(booking_id) == before.guests_of(booking_id)
                    assert o == resolved(before.occ[room_id], ts, arriving_booking_id=None), (
                        "the room's guest stays as they were"
                    )
                elif entry.status_before is Status.OCCUPIED:  # undoing a check-in
                    assert after.bookings[booking_id].checked_in_at is None
                    stay = [g.guest_id for g in before.guests_of(booking_id) if g.in_house]
                    assert not set(stay) & after.guests.keys(), "the stay's guests are removed"
                else:
                    assert after.bookings[booking_id] == unqueued
            elif entry.operation is Op.ASSIGN and len(result) == 1:
                booking_id = str(entry.booking_id)
                assert after.bookings[booking_id] == before.bookings[booking_id]
                if before.occ[room_id].status is Status.OCCUPIED:  # §9: awaits a due-out room
                    assert o == resolved(before.occ[room_id], ts, arriving_booking_id=booking_id), (
                        "the in-house stay is left as it was"
                    )
                else:
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
            elif action in ("set_out_of_order", "start_maintenance"):  # §10: its window
                until = kwargs.get("until")
                back = Condition(kwargs.get("return_condition", Condition.DIRTY))
                assert (o.out_of_service_until, o.return_condition) == (
                    (until, back) if until is not None else (None, None)
                )
            elif action in ("set_service_status", "report_room_observation", "night_audit"):
                OccupancyMachine.check_housekeeping_day(action, kwargs, before, after, entry)
            returned = action == "night_audit" and entry.status_before in (
                Status.OUT_OF_ORDER,
                Status.MAINTENANCE,
            )
            if returned or action == "return_to_service":
                back_in_service(room_id)

    @staticmethod
    def check_resolutions(before: View, after: View, result: tuple[ho.LogEntry, ...]) -> None:
        """§10: the first entry on a room whose open discrepancy the call resolved says
        which it was (``resolved_discrepancy``); no other entry says so."""
        seen: set[str] = set()
        for entry in result:
            room_id = entry.room_id
            first = room_id is not None and room_id not in seen
            if room_id is not None:
                seen.add(room_id)
            was = before.occ[room_id].discrepancy if first and room_id else None
            if was is not None and room_id and after.occ[room_id].discrepancy is None:
                assert entry.metadata.get("resolved_discrepancy") == was.value, entry
            else:
                assert "resolved_discrepancy" not in entry.metadata, entry

    @staticmethod
    def check_housekeeping_day(
        action: str, kwargs: dict[str, Any], before: View, after: View, entry: ho.LogEntry
    ) -> None:
        """What §10 says a service status, an observation and a night audit do beyond the
        room's state."""
        room_id = str(entry.room_id)
        was, o = before.occ[room_id], after.occ[room_id]
        ts = entry.timestamp
        had_tasks = {t.task_id: t for t in before.snap.tasks if t.room_id == room_id}
        now_tasks = {t.task_id: t for t in after.snap.tasks if t.room_id == room_id}
        cleaning = after.open_tasks(room_id, *CLEANING_KINDS)
        dirtied = entry.condition_before in CLEANISH and entry.condition_after is Condition.DIRTY
        if dirtied:  # a make-up request or a stayover on a clean room: a CLEANING task
            assert [(t.kind, t.status) for t in cleaning] == [
                (ho.TaskKind.CLEANING, ho.TaskStatus.OPEN)
            ], f"{action} leaves one OPEN CLEANING task in {room_id}"
            assert cleaning[0].task_id not in had_tasks
            assert not after.open_tasks(room_id, ho.TaskKind.INSPECTION)
        elif entry.status_before not in (Status.OUT_OF_ORDER, Status.MAINTENANCE):
            assert now_tasks == had_tasks, f"{action} leaves the tasks of {room_id} be"
        if action == "set_service_status":
            status = ServiceStatus(kwargs["status"])
            assert o.service_status is status
            assert entry.metadata.get("service_status") == status.value
            assert entry.booking_id == was.booking_id
            assert o == attrs.evolve(
                was,
                service_status=status,
                condition=o.condition,
                status=o.status,
                updated_at=ts,
            ), "a service status changes the status and maybe the condition, nothing else"
        elif action == "report_room_observation":
            occupied, guests = kwargs["occupied"], kwargs.get("guests")
            found = before.finding(room_id, occupied, guests)
            meta = entry.metadata
            assert meta.get("variant") == (found.value if found else "agrees")
            assert meta.get("expected_guests") == before.in_house_count(room_id)
            assert meta.get("front_office_occupied") is (was.status is Status.OCCUPIED)
            assert meta.get("observed_occupied") is occupied
            assert meta.get("observed_guests") == guests
            reported = (
                (found, kwargs["staff_id"], ts, guests) if found else (None, None, None, None)
            )
            assert (o.discrepancy, o.discrepancy_by, o.discrepancy_at, o.observed_guests) == (
                reported
            ), f"what the observation of {room_id} leaves open"
            assert (o.status, o.condition, o.booking_id, o.service_status) == (
                was.status,
                was.condition,
                was.booking_id,
                was.service_status,
            )
        else:  # the night audit
            day = kwargs["business_date"]
            assert entry.metadata.get("business_date") == day.isoformat()
            assert o.service_status is ServiceStatus.NONE
            assert entry.booking_id == was.booking_id

    @staticmethod
    def check_audit_summary(
        kwargs: dict[str, Any], before: View, result: tuple[ho.LogEntry, ...]
    ) -> None:
        """§10: the first entry of a night audit names the overdue departures it saw; its
        entries are in room id order, one per room."""
        rooms = [e.room_id for e in result]
        assert rooms == sorted(set(rooms), key=str), "one entry per room, in room id order"
        if not result:
            return
        day = kwargs["business_date"]
        overdue = sorted(
            b.booking_id
            for b in before.bookings_of(kwargs["hotel_id"])
            if b.in_house and b.departure <= day
        )
        meta = result[0].metadata
        assert json.loads(str(meta.get("overdue_departures"))) == overdue
        assert meta.get("overdue_count") == len(overdue)
        for entry in result[1:]:
            assert "overdue_departures" not in entry.metadata

    @staticmethod
    def check_front_desk(
        action: str,
        kwargs: dict[str, Any],
        before: View,
        after: View,
        entry: ho.LogEntry,
    ) -> None:
        """What §9 says a change to a booking does, beyond the room's state."""
        booking_id = str(entry.booking_id)
        was, now = before.bookings[booking_id], after.bookings[booking_id]
        hotel = after.hotels[was.hotel_id]
        ts = entry.timestamp
        today = local_date(hotel, ts)
        room_id = entry.room_id
        # the room is left as it was, but for the discrepancy the front office resolves (§10)
        same_room = room_id is None or after.occ[room_id] == (
            resolved(before.occ[room_id], ts)
            if before.occ[room_id].discrepancy is not None
            else before.occ[room_id]
        )
        same_guests = after.guests_of(booking_id) == before.guests_of(booking_id)
        if room_id is None:
            assert booking_id not in before.holder, "a booking holding a room logs on it"
        if action == "change_stay":
            arrival = was.arrival if kwargs.get("arrival") is None else kwargs["arrival"]
            departure = was.departure if kwargs.get("departure") is None else kwargs["departure"]
            assert now == attrs.evolve(was, arrival=arrival, departure=departure)
            dates = {d.isoformat() for d in (was.arrival, was.departure, arrival, departure)}
            assert dates <= set(entry.metadata.values()), "the entry holds the dates (§9)"
            if room_id is not None and was.in_house:  # expected_checkout follows
                assert after.occ[room_id] == resolved(
                    before.occ[room_id], ts, expected_checkout=expected_checkout(hotel, now)
                )
            else:
                assert same_room
            assert same_guests
        elif action == "update_party":
            party = tuple(kwargs["party"])
            assert now == attrs.evolve(was, party=party)
            assert same_room
            if not was.in_house:
                assert same_guests, "before check-in the party is all that changes"
                return
            staying = {g.booking_guest_id: g for g in before.guests_of(booking_id) if g.in_house}
            present = {g.booking_guest_id: g for g in after.guests_of(booking_id) if g.in_house}
            members = {m.booking_guest_id: m for m in party}
            assert present.keys() == members.keys(), "one in-house Guest per BookingGuest"
            primary = staying[was.party[0].booking_guest_id]
            for member_id, guest in present.items():
                member = members[member_id]
                if member_id in staying:  # renamed or not: keeps id, PIN and token
                    assert guest == attrs.evolve(
                        staying[member_id], first_name=member.first_name, last_name=member.last_name
                    )
                else:  # joined: a Guest of their own with a fresh PIN
                    assert guest.guest_id not in before.guests
                    assert (guest.first_name, guest.last_name) == (
                        member.first_name,
                        member.last_name,
                    )
                    assert guest.guest_type is ho.GuestType.COMPANION
                    assert guest.primary_guest_id == primary.guest_id
                    assert (guest.check_in_date, guest.check_out_date) == (today, None)
                    assert guest.id_pin is not None
                    assert guest.device_token is None
            for member_id, guest in staying.items():
                if member_id not in members:  # left: departs today, credentials cleared
                    assert after.guests[guest.guest_id] == attrs.evolve(
                        guest, check_out_date=today, id_pin=None, device_token=None
                    )
            for guest in before.guests_of(booking_id):
                if not guest.in_house:
                    assert after.guests[guest.guest_id] == guest, "past stays are history"
            joined = len(members.keys() - staying.keys())
            assert len(after.guests_of(booking_id)) == len(before.guests_of(booking_id)) + joined
        elif action == "queue_arrival":
            assert now == attrs.evolve(was, queued_at=ts)
            assert same_room
            assert same_guests
        else:  # cancel_booking, mark_no_show
            closed = "cancelled" if action == "cancel_booking" else "no_show"
            assert now == attrs.evolve(
                was,
                **{f"{closed}_at": ts, f"{closed}_by": kwargs["staff_id"]},
                queued_at=None,
            ), "the booking records who closed it and when"
            assert entry.metadata.get("why") == closed, "the entry says why (§9)"
            assert same_guests
            if room_id is not None:
                o = before.occ[room_id]
                if o.arriving_booking_id == booking_id:  # the room's guest stays
                    released = resolved(o, ts, arriving_booking_id=None)
                else:
                    released = resolved(o, ts, booking_id=None, assigned_by=None)
                assert after.occ[room_id] == released

    # reference data ------------------------------------------------------------------------

    @rule(
        hotel=st.sampled_from(HOTEL_IDS),
        size=st.integers(1, 4),
        nights=st.integers(0, 3),
        arrives=st.integers(-2, 3),
    )
    def registering_a_booking_adds_an_arriving_booking_and_nothing_else(
        self, hotel: str, size: int, nights: int, arrives: int
    ) -> None:
        """A new booking (arriving a few days around the hotel's today) is stored unassigned
        and not checked in, with no log entry."""
        before = self.view()
        events = tuple(self.notifier.events)
        arrival = self.today(hotel) + timedelta(days=arrives)
        booking_id = self._register_booking(hotel, size, nights, arrival)
        after = self.view()
        booking = after.bookings[booking_id]
        assert len(booking.party) == size
        assert (booking.arrival, booking.departure) == (arrival, arrival + timedelta(nights))
        assert (booking.checked_in_at, booking.checked_out_at) == (None, None)
        assert after.stage(booking) is ho.BookingStage.ARRIVING
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

    @rule(data=st.data(), active=st.booleans())
    def deactivating_or_reactivating_a_hotel_changes_only_its_active_flag(
        self, data: st.DataObject, active: bool
    ) -> None:
        """deactivate_hotel clears `active`, reactivate_hotel sets it (either twice is
        harmless), and nothing is logged; an unknown hotel is HotelNotFound. While a hotel
        is deactivated the oracle expects every operation of its staff to be refused."""
        hotel_id = data.draw(st.sampled_from(["HA", "HB", "H-nowhere"]), label="hotel_id")
        call = services.reactivate_hotel if active else services.deactivate_hotel
        before = self.view()
        events = tuple(self.notifier.events)
        result, error = attempt(lambda: call(self.uow, hotel_id=hotel_id))
        if hotel_id == "H-nowhere":
            assert type(error) is ho.HotelNotFound, f"{call.__name__} gave {error!r}"
            self.assert_unchanged(before, events, f"the refused {call.__name__}")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        assert after.hotels[hotel_id] == attrs.evolve(before.hotels[hotel_id], active=active)
        after.hotels[hotel_id] = before.hotels[hotel_id]
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

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

    @rule(data=st.data())
    def reactivating_staff_changes_only_their_active_flag(self, data: st.DataObject) -> None:
        """reactivate_staff sets `active` (on an active member it is harmless) and logs
        nothing; an unknown member is StaffNotFound."""
        staff_id = data.draw(st.sampled_from([*self.hires, UNKNOWN_STAFF]), label="staff_id")
        before = self.view()
        events = tuple(self.notifier.events)
        result, error = attempt(lambda: services.reactivate_staff(self.uow, staff_id=staff_id))
        if staff_id == UNKNOWN_STAFF:
            assert type(error) is ho.StaffNotFound, f"reactivating {staff_id} gave {error!r}"
            self.assert_unchanged(before, events, "the refused reactivate_staff")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        assert after.staff[staff_id] == attrs.evolve(before.staff[staff_id], active=True)
        after.staff[staff_id] = before.staff[staff_id]
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

    @rule(
        data=st.data(),
        name=st.sampled_from([None, "Renamed Hire"]),
        role=st.none() | st.sampled_from(list(Role)),
    )
    def updating_staff_changes_only_their_name_and_role(
        self, data: st.DataObject, name: str | None, role: Role | None
    ) -> None:
        """update_staff keeps what it is not given; no change at all is InvalidInput (before
        the lookup), an unknown member StaffNotFound; nothing is logged. Any role, also
        for a member who has acted: their entries record the role they acted in, by which
        I14 judges them."""
        staff_id = data.draw(st.sampled_from([*self.hires, UNKNOWN_STAFF]), label="staff_id")
        before = self.view()
        events = tuple(self.notifier.events)
        result, error = attempt(
            lambda: services.update_staff(self.uow, staff_id=staff_id, name=name, role=role)
        )
        expected: type[ho.RoomOccupancyError] | None = None
        if name is None and role is None:
            expected = ho.InvalidInput
        elif staff_id == UNKNOWN_STAFF:
            expected = ho.StaffNotFound
        if expected is not None:
            assert type(error) is expected, f"update_staff gave {error!r}"
            self.assert_unchanged(before, events, "the refused update_staff")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        was = before.staff[staff_id]
        assert after.staff[staff_id] == attrs.evolve(
            was, name=was.name if name is None else name, role=was.role if role is None else role
        )
        after.staff[staff_id] = was
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

    @rule(
        data=st.data(),
        capacity=st.sampled_from(["keep", "unlimited", 1, 2, 3, 4]),
        number=st.sampled_from(["keep", "own", "another's"]),
    )
    def changing_a_room_keeps_every_party_it_holds_and_its_hotel_s_numbers_unique(
        self, data: st.DataObject, capacity: str | int, number: str
    ) -> None:
        """update_room refuses no change (InvalidInput), an unknown room, another room's
        number of its hotel (AlreadyRegistered) and a capacity below the party of a booking
        the room holds or awaits (CapacityExceeded, I13), changing nothing; otherwise it
        changes only the room (its own number again is no change). Numbers never move here:
        the machine's rooms keep the numbers it registered."""
        room_id = data.draw(st.sampled_from([*ROOMS, UNKNOWN_ROOM]), label="room_id")
        before = self.view()
        events = tuple(self.notifier.events)
        room = before.rooms.get(room_id)
        new_number: str | None = None
        if number == "own":
            new_number = room.number if room is not None else "1"
        elif number == "another's":
            hotel = room.hotel_id if room is not None else "HA"
            others = [r.number for r in before.rooms.values() if r.hotel_id == hotel and r != room]
            new_number = data.draw(st.sampled_from(sorted(others)), label="number")
        new_capacity = capacity if isinstance(capacity, int) else None
        unlimited = capacity == "unlimited"
        result, error = attempt(
            lambda: services.update_room(
                self.uow,
                room_id=room_id,
                number=new_number,
                capacity=new_capacity,
                unlimited_capacity=unlimited,
            )
        )
        expected: type[ho.RoomOccupancyError] | None = None
        changed = None
        if new_number is None and new_capacity is None and not unlimited:
            expected = ho.InvalidInput
        elif room is None:
            expected = ho.RoomNotFound
        else:
            changed = attrs.evolve(
                room,
                number=room.number if new_number is None else new_number,
                capacity=room.capacity if capacity == "keep" else new_capacity,
            )
            occupancy = before.occ[room_id]
            held = [
                before.bookings[b]
                for b in (occupancy.booking_id, occupancy.arriving_booking_id)
                if b is not None
            ]
            if number == "another's":
                expected = ho.AlreadyRegistered
            elif changed.capacity is not None and any(
                len(b.party) > changed.capacity for b in held
            ):
                expected = ho.CapacityExceeded
        if expected is not None:
            assert type(error) is expected, f"update_room gave {error!r}, not {expected}"
            self.assert_unchanged(before, events, "the refused update_room")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        assert after.rooms[room_id] == changed
        after.rooms[room_id] = before.rooms[room_id]
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

    @rule(data=st.data(), which=st.integers(0, 20))
    def bad_input_is_refused_before_anything_else(self, data: st.DataObject, which: int) -> None:
        """Empty ids, a move to the same room, unknown enum values, a stay change without
        dates or departing before it arrives, an empty or nameless party; an unknown
        service status, guests that disagree with the observation, a window returning the
        room INSPECTED, no attendants or one twice, a credit limit of 0 (§10): InvalidInput,
        no change."""
        hotel = self.hotel(data)
        room = self.view().rooms_of(hotel)[0]
        staff = f"{hotel}-mgr"
        booking = self.view().bookings_of(hotel)[0].booking_id
        if which == 20:
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
            ("change_stay", {"booking_id": booking, "staff_id": staff}),
            (
                "change_stay",
                {
                    "booking_id": booking,
                    "staff_id": staff,
                    "arrival": ARRIVAL,
                    "departure": ARRIVAL - timedelta(days=1),
                },
            ),
            ("update_party", {"booking_id": booking, "staff_id": staff, "party": []}),
            (
                "update_party",
                {
                    "booking_id": booking,
                    "staff_id": staff,
                    "party": [ho.BookingGuest("nameless", " ", "")],
                },
            ),
            ("cancel_booking", {"booking_id": " ", "staff_id": staff}),
            # §10
            ("set_service_status", {"room_id": room, "staff_id": staff, "status": "SPARKLING"}),
            (
                "report_room_observation",
                {"room_id": room, "staff_id": staff, "occupied": False, "guests": 2},
            ),
            (
                "report_room_observation",
                {"room_id": room, "staff_id": staff, "occupied": True, "guests": -1},
            ),
            (
                "set_out_of_order",
                {
                    "room_id": room,
                    "staff_id": staff,
                    "reason": "x",
                    "until": self.today(hotel),
                    "return_condition": Condition.INSPECTED,
                },
            ),
            (
                "generate_worksheets",
                {"hotel_id": hotel, "attendants": [], "staff_id": staff},
            ),
            (
                "generate_worksheets",
                {"hotel_id": hotel, "attendants": [f"{hotel}-hk"] * 2, "staff_id": staff},
            ),
            (
                "generate_worksheets",
                {
                    "hotel_id": hotel,
                    "attendants": [f"{hotel}-hk"],
                    "staff_id": staff,
                    "max_credits": 0,
                },
            ),
            ("night_audit", {"hotel_id": "", "business_date": ARRIVAL, "staff_id": staff}),
            ("assign_task", {"task_id": " ", "assignee_id": f"{hotel}-hk", "staff_id": staff}),
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
        """The hotel's pre-assigned bookings, arrivals awaiting an occupied room (§9) more
        often."""
        held = [b.booking_id for b in v.bookings_of(hotel) if b.booking_id in v.holder]
        held = [b for b in held if not v.bookings[b].in_house]
        return [*held, *[b for b in held if b in v.awaits] * 3]

    @precondition(ARRIVAL_HELD)
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

    @precondition(ARRIVAL_HELD)
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
            held = [b.booking_id for b in v.bookings_of(hotel) if b.booking_id in v.holder]
            return [*held, *[b for b in held if b in v.awaits] * 3]

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

    @rule(
        data=st.data(),
        maintenance=st.booleans(),
        days=st.sampled_from([None, None, 0, 0, 1, 2, -1]),
        back=st.sampled_from([None, Condition.DIRTY, Condition.CLEAN]),
    )
    def taking_a_room_out_of_order_or_into_maintenance_follows_the_table(
        self, data: st.DataObject, maintenance: bool, days: int | None, back: Condition | None
    ) -> None:
        """set_out_of_order and start_maintenance need a vacant, unassigned room in service;
        with a window (§10) until a day not before today, returning DIRTY or CLEAN."""
        action = "start_maintenance" if maintenance else "set_out_of_order"
        v = self.view()
        row = transition(action)

        def fitting(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.admits(row, r)]

        hotel = self.hotel(data, lambda h: bool(fitting(h)))
        window: dict[str, Any] = {}
        if days is not None:
            window["until"] = self.today(hotel) + timedelta(days=days)
        if back is not None:
            window["return_condition"] = back
        self.call(
            action,
            data,
            room_id=self.pick_room(data, v, hotel, "room_id", fitting(hotel)),
            staff_id=self.pick_staff(data, v, hotel, action),
            reason="leaking tap" if maintenance else "broken window",
            **window,
        )

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

    # §10: the housekeeping day ------------------------------------------------------------------

    @precondition(OCCUPIED)
    @rule(
        data=st.data(),
        status=st.sampled_from([*ServiceStatus, ServiceStatus.DND, ServiceStatus.MAKE_UP_ROOM]),
        notes=st.sampled_from(NOTES),
    )
    def guests_ask_for_service_or_privacy_section_10(
        self, data: st.DataObject, status: ho.ServiceStatus, notes: str
    ) -> None:
        """set_service_status: on an occupied room only, never to the status it has;
        MAKE_UP_ROOM makes a clean room dirty, with a cleaning task."""
        v = self.view()

        def fitting(hotel: str) -> list[str]:
            return [
                r
                for r in v.rooms_of(hotel)
                if v.occ[r].status is Status.OCCUPIED and v.occ[r].service_status is not status
            ]

        hotel = self.hotel(data, lambda h: bool(fitting(h)))
        self.call(
            "set_service_status",
            data,
            room_id=self.pick_room(data, v, hotel, "room_id", fitting(hotel)),
            staff_id=self.pick_staff(data, v, hotel, "set_service_status"),
            status=status,
            notes=notes,
        )

    @rule(
        data=st.data(),
        occupied=st.booleans(),
        count=st.sampled_from(["none", "right", "other"]),
        notes=st.sampled_from(NOTES),
    )
    def housekeeping_reports_what_it_saw_in_a_room_section_10(
        self, data: st.DataObject, occupied: bool, count: str, notes: str
    ) -> None:
        """report_room_observation: SKIP, SLEEP or PERSON against the front office is kept
        open; an agreeing observation resolves it (guests that disagree with ``occupied``:
        see the bad input)."""
        v = self.view()

        def occupied_rooms(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.occ[r].status is Status.OCCUPIED]

        hotel = self.hotel(data, lambda h: bool(occupied_rooms(h)))
        preferred = occupied_rooms(hotel) if data.draw(st.booleans(), label="in house") else []
        room_id = self.pick_room(data, v, hotel, "room_id", preferred or v.rooms_of(hotel))
        right = v.in_house_count(room_id) if room_id in v.occ else 0
        guests: int | None = None
        if count == "right" and (right > 0) is occupied:
            guests = right
        elif count != "none" and occupied:  # a head count the front office does not have
            guests = max(1, right + data.draw(st.sampled_from([-1, 1, 2]), label="off by"))
        elif count != "none":
            guests = 0
        self.call(
            "report_room_observation",
            data,
            room_id=room_id,
            staff_id=self.pick_staff(data, v, hotel, "report_room_observation"),
            occupied=occupied,
            guests=guests,
            notes=notes,
        )

    @rule(
        data=st.data(),
        which=st.sampled_from(
            ["next"] * 3 + ["window"] * 2 + ["same day", "repeat", "future", "past"]
        ),
        sign=st.sampled_from([None, None, *ServiceStatus]),
        twice=st.booleans(),
    )
    def the_night_audit_closes_a_business_day_section_10(
        self, data: st.DataObject, which: str, sign: ho.ServiceStatus | None, twice: bool
    ) -> None:
        """night_audit, mostly of the day just over after a day passed, or of the last day
        of a window: stayovers due, service statuses reset (``sign``: a guest hangs one
        first), windows that end closed; a date audited before gives the first call's
        entries (``twice``: at once, by anyone permitted), a date after today or before the
        last one audited is InvalidTransition."""
        v = self.view()

        def windows(hotel: str) -> list[date]:
            return sorted(
                until
                for r in v.rooms_of(hotel)
                if (until := v.occ[r].out_of_service_until) is not None
            )

        hotel = self.hotel(data, lambda h: bool(windows(h)) if which == "window" else False)
        audited = self.audits.get(hotel, {})
        if (which in ("repeat", "past") and not audited) or (
            which == "window" and not windows(hotel)
        ):
            which = "next"
        if which == "next":
            self.clock.advance(hours=24)
        if sign is not None:  # the guests of an occupied room hang a sign before the audit
            occupied = [
                r
                for r in v.rooms_of(hotel)
                if v.occ[r].status is Status.OCCUPIED and v.occ[r].service_status is not sign
            ]
            if occupied:
                room_id = data.draw(st.sampled_from(occupied), label="sign on")
                self.call(
                    "set_service_status", data, room_id=room_id, staff_id=f"{hotel}-fd", status=sign
                )
        today = self.today(hotel)
        if which == "window":  # the night audit of a window's last day (or after it)
            until = data.draw(st.sampled_from(windows(hotel)), label="until")
            while self.today(hotel) < until:
                self.clock.advance(hours=24)
            today = self.today(hotel)
            day = max(until, *audited) if audited else until
        elif which in ("next", "same day"):
            day = today - timedelta(days=data.draw(st.integers(0, 1), label="days back"))
        elif which == "repeat":
            day = data.draw(st.sampled_from(sorted(audited)), label="audited")
        elif which == "future":
            day = today + timedelta(days=1)
        else:  # before the last date audited, and never audited
            day = min(audited) - timedelta(days=1)
        v = self.view()
        hotel_id = self.pick(data, "hotel_id", [hotel], [], [self.other(hotel)], "H-nowhere")
        kwargs = {
            "hotel_id": hotel_id,
            "business_date": day,
            "staff_id": self.pick_staff(data, v, hotel, "night_audit"),
        }
        self.run("night_audit", kwargs)
        if twice and day in self.audits.get(hotel_id, {}):  # a scheduler firing again
            able = [s.staff_id for s in v.staff_of(hotel) if "night_audit" in GRANTS[s.role]]
            again = data.draw(st.sampled_from(able), label="again by")
            self.run("night_audit", {**kwargs, "staff_id": again})

    @precondition(lambda self: any(t.is_open for t in self.store.snapshot().tasks))
    @rule(data=st.data())
    def a_supervisor_gives_a_task_to_an_attendant_section_10(self, data: st.DataObject) -> None:
        """assign_task: an open task to an active housekeeping staff member of its hotel."""
        v = self.view()

        def open_tasks(hotel: str) -> list[str]:
            return [t.task_id for t in v.tasks_of(hotel) if t.is_open]

        hotel = self.hotel(data, lambda h: bool(open_tasks(h)))
        other = self.other(hotel)
        closed = [t.task_id for t in v.tasks_of(hotel) if not t.is_open][-2:]
        foreign = [t.task_id for t in v.tasks_of(other) if t.is_open][:1]
        task_id = self.pick(data, "task_id", open_tasks(hotel), closed, foreign, "T-nowhere")
        able = [s.staff_id for s in v.staff_of(hotel) if s.active and s.role in ATTENDANTS]
        assignee = self.pick(
            data,
            "assignee_id",
            able,
            [s.staff_id for s in v.staff_of(hotel)],
            [f"{other}-hk"],
            UNKNOWN_STAFF,
        )
        self.call(
            "assign_task",
            data,
            task_id=task_id,
            assignee_id=assignee,
            staff_id=self.pick_staff(data, v, hotel, "assign_task"),
        )

    @rule(
        data=st.data(),
        limit=st.sampled_from([None, None, 1, 2, 3, 5]),
        mess=st.sampled_from([0, 0, 1, 2, 3]),
        intruder=st.sampled_from([False] * 5 + [True]),
    )
    def worksheets_share_the_days_cleaning_section_10(
        self, data: st.DataObject, limit: int | None, mess: int, intruder: bool
    ) -> None:
        """generate_worksheets: the open unstarted cleaning tasks, most urgent first, among
        active housekeeping staff of the hotel, nobody over ``max_credits`` (``mess``: a
        few clean rooms are found dirty first; ``intruder``: the team names someone who is
        not an active housekeeper of the hotel, or nobody)."""
        v = self.view()
        hotel = self.hotel(data)
        clean = [r for r in v.rooms_of(hotel) if v.occ[r].condition in CLEANISH]
        for room_id in clean[:mess]:
            self.call("mark_dirty", data, room_id=room_id, staff_id=f"{hotel}-hk", notes="")
        v = self.view()
        able = [s.staff_id for s in v.staff_of(hotel) if s.active and s.role in ATTENDANTS]
        team = list(data.draw(st.permutations(able), label="team"))
        team = team[: data.draw(st.integers(1, max(1, len(team))), label="team size")]
        if intruder:
            others = [s.staff_id for s in v.staff_of(hotel) if s.staff_id not in able]
            pool = [*others, f"{self.other(hotel)}-hk", UNKNOWN_STAFF]
            team.insert(
                data.draw(st.integers(0, len(team)), label="where"),
                data.draw(st.sampled_from(pool), label="intruder"),
            )
        self.call(
            "generate_worksheets",
            data,
            hotel_id=self.pick(data, "hotel_id", [hotel], [], [self.other(hotel)], "H-nowhere"),
            attendants=team,
            staff_id=self.pick_staff(data, v, hotel, "generate_worksheets"),
            max_credits=limit,
        )

    @rule()
    def the_housekeeping_day_queries_agree_with_the_store_section_10(self) -> None:
        """discrepancies lists each open one with what the front office says now;
        worksheet lists an attendant's open cleaning tasks in work order."""
        v = self.view()
        events = tuple(self.notifier.events)
        for hotel in HOTEL_IDS:
            zone = ZoneInfo(v.hotels[hotel].timezone)
            expected = []
            for room_id in BOARD_ORDER[hotel]:
                o = v.occ[room_id]
                if o.discrepancy is None:
                    continue
                assert o.discrepancy_at is not None
                expected.append(
                    ho.DiscrepancyRow(
                        room_id=room_id,
                        number=v.rooms[room_id].number,
                        kind=o.discrepancy,
                        status=o.status,
                        booking_id=o.booking_id if o.status is Status.OCCUPIED else None,
                        expected_guests=v.in_house_count(room_id),
                        observed_occupied=o.discrepancy is not Kind.SKIP,
                        observed_guests=o.observed_guests,
                        reported_by=str(o.discrepancy_by),
                        reported_at=o.discrepancy_at,
                        reported_at_local=o.discrepancy_at.astimezone(zone),
                    )
                )
            rows = services.discrepancies(self.uow, hotel)
            assert list(rows) == expected
            for row in rows:
                assert row.reported_at_local is not None
                assert (
                    row.reported_at_local.utcoffset()
                    == row.reported_at.astimezone(zone).utcoffset()
                )
            for member in v.staff_of(hotel):
                sheet = services.worksheet(self.uow, hotel, member.staff_id)
                assert sheet == v.sheet(hotel, member.staff_id)
            other = self.other(hotel)
            _, error = attempt(lambda: services.worksheet(self.uow, hotel, f"{other}-hk"))  # noqa: B023
            assert type(error) is ho.HotelMismatch, f"another hotel's worksheet: {error!r}"
            _, error = attempt(lambda: services.worksheet(self.uow, hotel, UNKNOWN_STAFF))  # noqa: B023
            assert type(error) is ho.StaffNotFound, f"an unknown staff member's: {error!r}"
        _, error = attempt(lambda: services.discrepancies(self.uow, "H-nowhere"))
        assert type(error) is ho.HotelNotFound, f"an unknown hotel's discrepancies: {error!r}"
        self.assert_unchanged(v, events, "a query")

    # §9: the front desk ------------------------------------------------------------------------

    def live(self, v: View, hotel: str, *stages: ho.BookingStage) -> list[str]:
        """The hotel's bookings in one of ``stages`` (default: not departed nor closed)."""
        wanted = stages or tuple(LIVE)
        return [b.booking_id for b in v.bookings_of(hotel) if v.stage(b) in wanted]

    @staticmethod
    def awaited_stays(v: View, hotel: str) -> list[str]:
        """The in-house bookings of rooms an arrival awaits (their stay cannot change)."""
        return [str(v.occ[r].booking_id) for r in v.rooms_of(hotel) if v.occ[r].arriving_booking_id]

    def stay_dates(self, data: st.DataObject, hotel: str) -> dict[str, date | None]:
        """New dates a few days around the hotel's today: a departure (often today), an
        arrival, or both (now and then departing the day before it arrives)."""
        today = self.today(hotel)
        which = data.draw(st.sampled_from(["departure"] * 2 + ["arrival", "both"]), label="dates")
        if which == "departure":
            offset = data.draw(st.just(0) | st.integers(-3, 4), label="departs")
            return {"departure": today + timedelta(days=offset)}
        arrival = today + timedelta(days=data.draw(st.integers(-3, 4), label="arrives"))
        if which == "arrival":
            return {"arrival": arrival}
        nights = data.draw(st.integers(-1, 3), label="nights")
        return {"arrival": arrival, "departure": arrival + timedelta(days=nights)}

    @rule(data=st.data(), notes=st.sampled_from(NOTES))
    def changing_a_stay_follows_section_9(self, data: st.DataObject, notes: str) -> None:
        """change_stay: new dates for a live booking; in house the arrival is fixed and the
        departure not before today, and the stay of a room an arrival awaits is fixed."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.live(v, h)))
        preferred = [
            *self.live(v, hotel),
            *self.live(v, hotel, _IN_HOUSE) * 2,
            *self.awaited_stays(v, hotel) * 2,
        ]
        self.call(
            "change_stay",
            data,
            booking_id=self.pick_booking(data, v, hotel, preferred),
            staff_id=self.pick_staff(data, v, hotel, "change_stay"),
            notes=notes,
            **self.stay_dates(data, hotel),
        )

    def edit_party(
        self, data: st.DataObject, booking_id: str, party: list[ho.BookingGuest], edit: str
    ) -> list[ho.BookingGuest]:
        """The party after one edit (some make it a party §6 refuses)."""

        def index() -> int:
            return data.draw(st.integers(0, len(party) - 1), label=f"{edit} whom")

        if edit == "join":
            member_id = f"{booking_id}-j{next(self.next_member)}"
            return [*party, ho.BookingGuest(member_id, "Joining", "Guest")]
        if edit == "rejoin":  # a member who left this party comes back
            gone = sorted(
                m
                for m, owner in self.owners.items()
                if owner == booking_id and m not in {g.booking_guest_id for g in party}
            )
            if not gone:
                return party
            member_id = data.draw(st.sampled_from(gone), label="rejoining")
            return [*party, ho.BookingGuest(member_id, "Back", "Again")]
        if edit == "another booking's guest":  # §2: ids are unique across the store
            taken = sorted(m for m, owner in self.owners.items() if owner != booking_id)
            member_id = data.draw(st.sampled_from(taken), label="taken id")
            return [*party, ho.BookingGuest(member_id, "Someone", "Else")]
        if edit == "empty":
            return []
        if edit == "nameless":
            return [*party, ho.BookingGuest(f"{booking_id}-j{next(self.next_member)}", "", " ")]
        if not party:
            return party
        if edit == "leave":
            i = index()
            return party[:i] + party[i + 1 :]
        if edit == "rename":
            i = index()
            m = party[i]
            return [
                *party[:i],
                ho.BookingGuest(m.booking_guest_id, f"{m.first_name}e", m.last_name),
                *party[i + 1 :],
            ]
        if edit == "new primary":
            i = index()
            return [party[i], *party[:i], *party[i + 1 :]]
        assert edit == "twice"  # one member twice
        m = party[index()]
        return [*party, ho.BookingGuest(m.booking_guest_id, "Double", m.last_name)]

    @rule(
        data=st.data(),
        edits=st.lists(
            st.sampled_from(
                [
                    *["join", "leave", "rename"] * 4,
                    *["rejoin", "new primary"] * 2,
                    *["another booking's guest", "empty", "nameless", "twice"],
                ]
            ),
            max_size=3,
        ),
        notes=st.sampled_from(NOTES),
    )
    def updating_a_party_follows_section_9(
        self, data: st.DataObject, edits: list[str], notes: str
    ) -> None:
        """update_party: joins, leaves and renames; in house joiners get a Guest with a
        fresh PIN, leavers depart, the primary stays first; the party fits the room; an
        empty or malformed party, or another booking's guest id, is refused."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.live(v, h)))
        in_house = self.live(v, hotel, _IN_HOUSE)
        booking_id = self.pick_booking(data, v, hotel, [*self.live(v, hotel), *in_house * 3])
        self.call(
            "update_party",
            data,
            booking_id=booking_id,
            staff_id=self.pick_staff(data, v, hotel, "update_party"),
            party=self.edited_party(data, v, booking_id, edits),
            notes=notes,
        )

    def edited_party(
        self, data: st.DataObject, v: View, booking_id: str, edits: list[str]
    ) -> list[ho.BookingGuest]:
        booking = v.bookings.get(booking_id)
        party = list(booking.party) if booking else [ho.BookingGuest("nobody-g", "No", "Body")]
        for edit in edits:
            party = self.edit_party(data, booking_id, party, edit)
        return party

    @precondition(OCCUPIED)
    @rule(
        data=st.data(),
        party=st.booleans(),
        edits=st.lists(
            st.sampled_from(["join", "join", "leave", "leave", "rename", "rejoin", "new primary"]),
            min_size=1,
            max_size=2,
        ),
        notes=st.sampled_from(NOTES),
    )
    def a_guest_in_house_changes_their_stay_or_party_section_9(
        self, data: st.DataObject, party: bool, edits: list[str], notes: str
    ) -> None:
        """In house: the arrival is fixed, the departure not before today, and
        ``expected_checkout`` follows it; joiners get a Guest with a fresh PIN, leavers
        depart with their PIN and token cleared, renamed guests keep id and PIN, the
        primary stays first, and the party fits the room."""
        v = self.view()
        occupied = sorted(r for r in ROOMS if v.occ[r].status is Status.OCCUPIED)
        room_id = data.draw(st.sampled_from(occupied), label="room")
        o = v.occ[room_id]
        booking_id, hotel = str(o.booking_id), o.hotel_id
        staff_id = self.pick_staff(data, v, hotel, "update_party" if party else "change_stay")
        if party:
            self.call(
                "update_party",
                data,
                booking_id=booking_id,
                staff_id=staff_id,
                party=self.edited_party(data, v, booking_id, edits),
                notes=notes,
            )
        else:
            self.call(
                "change_stay",
                data,
                booking_id=booking_id,
                staff_id=staff_id,
                notes=notes,
                **self.stay_dates(data, hotel),
            )

    @precondition(AWAITED)
    @rule(
        data=st.data(),
        action=st.sampled_from(
            [
                "check_in",
                "unassign_room",
                "reassign_room",
                "cancel_booking",
                "mark_no_show",
                "queue_arrival",
                "change_stay",
                "update_party",
                "assign_room",
            ]
        ),
        stay=st.booleans(),
        edits=st.lists(st.sampled_from(["join", "leave", "rename", "new primary"]), max_size=2),
    )
    def an_arrival_awaiting_an_occupied_room_is_a_pre_assignment_section_9(
        self, data: st.DataObject, action: str, stay: bool, edits: list[str]
    ) -> None:
        """An arrival awaiting a due-out room can be reassigned, unassigned, cancelled,
        marked a no-show, queued, given new dates or a new party as any pre-assignment, but
        not checked in before the room is vacated and ready, nor assigned again; and the
        stay of the guest it awaits cannot change (``stay``: act on that guest's booking)."""
        v = self.view()
        room_id = data.draw(st.sampled_from(sorted(v.awaits.values())), label="awaited room")
        o = v.occ[room_id]
        hotel = o.hotel_id
        booking_id = str(o.booking_id if stay else o.arriving_booking_id)
        staff_id = self.pick_staff(data, v, hotel, action)
        args: dict[str, Any] = {"booking_id": booking_id, "staff_id": staff_id}
        if action == "reassign_room":
            row = transition("reassign_room")
            free = [r for r in v.rooms_of(hotel) if v.admits(row, r)]
            args["to_room_id"] = self.pick_room(data, v, hotel, "to_room_id", free)
        elif action == "assign_room":  # once more, here or elsewhere
            args["room_id"] = self.pick_room(data, v, hotel, "room_id", [room_id])
            args["check_in"] = data.draw(st.booleans(), label="check_in")
        elif action == "change_stay":
            args.update(self.stay_dates(data, hotel))
        elif action == "update_party":
            args["party"] = self.edited_party(data, v, booking_id, edits)
        self.call(action, data, **args)

    @rule(data=st.data(), no_show=st.booleans(), text=st.sampled_from(NOTES))
    def cancelling_or_marking_a_no_show_follows_section_9(
        self, data: st.DataObject, no_show: bool, text: str
    ) -> None:
        """cancel_booking and mark_no_show close a booking that has not arrived (a no-show
        only from its arrival date on), releasing its pre-assignment or arrival."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.live(v, h, *NOT_YET_ARRIVED)))
        held = self.live(v, hotel, _ASSIGNED)
        held += [b for b in held if b in v.awaits] * 3
        action = "mark_no_show" if no_show else "cancel_booking"
        self.call(
            action,
            data,
            booking_id=self.pick_booking(
                data, v, hotel, [*self.live(v, hotel, *NOT_YET_ARRIVED), *held]
            ),
            staff_id=self.pick_staff(data, v, hotel, action),
            **({"notes": text} if no_show else {"reason": text}),
        )

    @precondition(ARRIVAL_HELD)
    @rule(data=st.data())
    def queueing_an_arrival_follows_section_9(self, data: st.DataObject) -> None:
        """queue_arrival: a pre-assigned (or arriving) booking's guest waits at the desk,
        once, until check-in, unassignment, cancellation or no-show."""
        v = self.view()
        hotel = self.hotel(data, lambda h: bool(self.pre_assigned(v, h)))
        self.call(
            "queue_arrival",
            data,
            booking_id=self.pick_booking(data, v, hotel, self.pre_assigned(v, hotel)),
            staff_id=self.pick_staff(data, v, hotel, "queue_arrival"),
        )

    def due_out(self, v: View, hotel: str) -> list[str]:
        """The hotel's occupied rooms whose guest departs today or is overdue, that no
        arrival awaits yet."""
        today = self.today(hotel)
        return [
            r
            for r in v.rooms_of(hotel)
            if v.occ[r].status is Status.OCCUPIED
            and not v.occ[r].arriving_booking_id
            and v.bookings[str(v.occ[r].booking_id)].departure <= today
        ]

    @precondition(lambda self: any(self.due_out(self.view(), h) for h in HOTEL_IDS))
    @rule(data=st.data(), notes=st.sampled_from(NOTES))
    def pre_assigning_an_arrival_to_an_occupied_room_follows_section_9(
        self, data: st.DataObject, notes: str
    ) -> None:
        """assign_room(check_in=False) onto an occupied room: only if its guest departs
        today or is overdue and no other arrival awaits it (or their guest stays on)."""
        v = self.view()

        def occupied(hotel: str) -> list[str]:
            return [r for r in v.rooms_of(hotel) if v.occ[r].status is Status.OCCUPIED]

        def due_out(hotel: str) -> list[str]:
            return self.due_out(v, hotel)

        hotel = self.hotel(data, lambda h: bool(due_out(h) and self.live(v, h, _ARRIVING)))
        self.call(
            "assign_room",
            data,
            booking_id=self.pick_booking(data, v, hotel, self.live(v, hotel, _ARRIVING)),
            room_id=self.pick_room(
                data, v, hotel, "room_id", [*due_out(hotel) * 3, *occupied(hotel)]
            ),
            staff_id=self.pick_staff(data, v, hotel, "assign_room"),
            notes=notes,
            check_in=False,
        )

    @rule(
        data=st.data(),
        hotel=st.sampled_from([*HOTEL_IDS, "H-nowhere"]),
        setting=st.sampled_from(
            ["enforce_stay_dates"] * 3 + ["stayover_every"] * 2 + ["checkout_credits"]
        ),
    )
    def a_hotel_switches_the_enforcement_of_stay_dates(
        self, data: st.DataObject, hotel: str, setting: str
    ) -> None:
        """update_hotel (reference data) changes the hotel's setting and nothing else, logs
        nothing; an unknown hotel, or no setting at all, is refused. The settings: stay
        dates enforced (§9), the nights between stayover cleanings (0: never) and what a
        checkout cleaning is worth (§10)."""
        choices: dict[str, list[Any]] = {
            "enforce_stay_dates": [True, False, None],
            "stayover_every": [0, 1, 2, 3],
            "checkout_credits": [1, 2, 3, None],
        }
        value = data.draw(st.sampled_from(choices[setting]), label=setting)
        before = self.view()
        events = tuple(self.notifier.events)
        result, error = attempt(
            lambda: services.update_hotel(self.uow, hotel_id=hotel, **{setting: value})
        )
        if value is None or hotel not in before.hotels:
            expected = ho.InvalidInput if value is None else ho.HotelNotFound
            assert type(error) is expected, f"update_hotel({hotel}, {value}) gave {error!r}"
            self.assert_unchanged(before, events, "the refused update_hotel")
            return
        assert error is None, repr(error)
        assert result == ()
        after = self.view()
        assert after.hotels[hotel] == attrs.evolve(before.hotels[hotel], **{setting: value})
        after.hotels[hotel] = before.hotels[hotel]
        assert after.tables() == before.tables()
        assert tuple(self.notifier.events) == events

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
        text = next((t for t in ("notes", "reason") if t in changed), None)
        if text is not None:
            changed[text] = f"{changed[text]} (again)"
        elif action == "assign_task":  # §10: no text either: to someone else
            changed["assignee_id"] = f"{args['assignee_id']}-else"
        elif action == "generate_worksheets":  # another credit limit
            changed["max_credits"] = 1 + int(str(args["max_credits"] or 0))
        elif "room_id" in args:  # start_cleaning has no text: another service, same room
            action = "mark_dirty"
            changed = {"room_id": args["room_id"], "staff_id": args["staff_id"], "notes": ""}
        else:  # queue_arrival has no text: another service on the same booking
            action = "check_in"
            changed = {"booking_id": args["booking_id"], "staff_id": args["staff_id"]}
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
            mark = self.clock.mark
            board = services.room_board(self.uow, hotel)
            moments = self.clock.since(mark) or [self.clock.now]
            zone = ZoneInfo(v.hotels[hotel].timezone)
            assert [row.room_id for row in board] == BOARD_ORDER[hotel], "natural order"
            for row in board:
                o = v.occ[row.room_id]
                assert (row.status, row.condition, row.booking_id, row.arriving_booking_id) == (
                    o.status,
                    o.condition,
                    o.booking_id,
                    o.arriving_booking_id,
                )
                assert row.expected_checkout == o.expected_checkout
                if o.status is Status.OCCUPIED:  # §9: due out today (or overdue)?
                    assert o.expected_checkout is not None
                    stay = v.bookings[str(o.booking_id)]
                    today = {local_date(v.hotels[hotel], t) for t in moments}
                    assert row.due_out in {stay.departure <= day for day in today}
                    assert row.overdue in {o.expected_checkout < t for t in moments}
                    local = o.expected_checkout.astimezone(zone)
                    assert row.expected_checkout_local == local
                    assert row.expected_checkout_local.utcoffset() == local.utcoffset()
                else:
                    assert (row.due_out, row.overdue, row.expected_checkout_local) == (
                        False,
                        False,
                        None,
                    )
                booking = v.bookings.get(row.booking_id) if row.booking_id else None
                assert row.booking_reference == (booking.reference if booking else None)
                awaiting = v.awaiting(row.room_id)  # §9 and §10's columns
                assert (row.service_status, row.discrepancy, row.queued) == (
                    o.service_status,
                    o.discrepancy,
                    awaiting is not None and awaiting.queued_at is not None,
                )
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

    @rule(offset=st.integers(-2, 2))
    def the_front_desk_lists_agree_with_the_store_and_change_nothing(self, offset: int) -> None:
        """get_booking, arrivals, departures and in_house (§9) read what the store holds:
        each booking's stage and room, and the right bookings in the right order."""
        v = self.view()
        events = tuple(self.notifier.events)
        for booking in v.snap.bookings:
            got = services.get_booking(self.uow, booking.booking_id)
            room_id = v.holder.get(booking.booking_id)
            assert (got.booking, got.stage, got.room_id, got.arriving) == (
                booking,
                v.stage(booking),
                room_id,
                booking.booking_id in v.awaits,
            )
            assert got.room_number == (v.rooms[room_id].number if room_id else None)
        _, error = attempt(lambda: services.get_booking(self.uow, UNKNOWN_BOOKING))
        assert type(error) is ho.BookingNotFound, f"get_booking of an unknown booking: {error!r}"
        for hotel in HOTEL_IDS:
            day = self.today(hotel) + timedelta(days=offset)
            mine = v.bookings_of(hotel)
            lists: dict[
                str,
                tuple[Callable[..., tuple[ho.StayRow, ...]], tuple[object, ...], list[ho.Booking]],
            ] = {
                "arrivals": (
                    services.arrivals,
                    (hotel, day),
                    [
                        b
                        for b in mine
                        if b.cancelled_at is None
                        and (
                            b.arrival == day
                            or (b.arrival < day and b.checked_in_at is None and not b.no_show)
                        )
                    ],
                ),
                "departures": (
                    services.departures,
                    (hotel, day),
                    [b for b in mine if b.in_house and b.departure <= day],
                ),
                "in_house": (
                    services.in_house,
                    (hotel,),
                    [b for b in mine if b.in_house],
                ),
            }
            for name, (query, args, expected) in lists.items():
                mark = self.clock.mark
                rows = query(self.uow, *args)
                moments = self.clock.since(mark) or [self.clock.now]
                assert {r.booking_id for r in rows} == {b.booking_id for b in expected}, name
                for row in rows:
                    self.check_stay_row(v, row, moments, day if name == "arrivals" else None)

                def order(row: ho.StayRow) -> tuple[object, ...]:
                    number = row.room_number
                    return (
                        number is None,
                        natural_key(number or ""),
                        row.reference,
                        row.booking_id,
                    )

                assert list(rows) == sorted(rows, key=order), f"{name}: by room, then reference"
        self.assert_unchanged(v, events, "a query")

    @staticmethod
    def check_stay_row(v: View, row: ho.StayRow, moments: list[datetime], day: date | None) -> None:
        """One row of the front desk's lists says what the store holds about its booking."""
        booking = v.bookings[row.booking_id]
        hotel = v.hotels[booking.hotel_id]
        room_id = v.holder.get(booking.booking_id)
        in_room = room_id is not None and booking.in_house
        checkout = v.occ[room_id].expected_checkout if in_room and room_id else None
        stage = v.stage(booking)
        expected = ho.StayRow(
            booking_id=booking.booking_id,
            hotel_id=booking.hotel_id,
            reference=booking.reference,
            stage=stage,
            arrival=booking.arrival,
            departure=booking.departure,
            party_size=len(booking.party),
            primary_name=booking.party[0].full_name,
            room_id=room_id,
            room_number=v.rooms[room_id].number if room_id else None,
            arriving=booking.booking_id in v.awaits,
            queued=booking.queued_at is not None,
            checked_in_at=booking.checked_in_at,
            checked_out_at=booking.checked_out_at,
            expected_checkout=checkout,
            expected_checkout_local=(
                checkout.astimezone(ZoneInfo(hotel.timezone)) if checkout else None
            ),
            overdue=row.overdue,
        )
        assert row == expected, f"{row} != {expected}"
        if stage in NOT_YET_ARRIVED:  # an arrival that should have come before the day
            assert row.overdue is (day is not None and booking.arrival < day)
        else:  # a stay past its expected checkout
            assert row.overdue in {checkout is not None and checkout < t for t in moments}

    # invariants --------------------------------------------------------------------------------

    @invariant()
    def arrivals_await_only_rooms_whose_guest_is_due_out(self) -> None:
        """§9 and I3: an arrival awaits only an occupied room whose in-house guest departs
        today or is overdue (their stay cannot be extended meanwhile), and is a booking
        still expected; a booking holds one room in one role; a cancelled or no-show
        booking says who closed it, never arrived and holds no room; a guest waiting at
        the desk waits for a pre-assigned room."""
        v = self.view()
        roles = [o.booking_id for o in v.snap.occupancies if o.booking_id] + list(v.awaits)
        assert len(roles) == len(set(roles)), "I3: one room, one role per booking"
        for o in v.snap.occupancies:
            if o.arriving_booking_id is None:
                continue
            assert o.status is Status.OCCUPIED, f"{o.room_id} awaits an arrival while vacant"
            stay = v.bookings[str(o.booking_id)]
            assert stay.departure <= v.today(o.hotel_id, self.clock.now), (
                f"{o.room_id} awaits {o.arriving_booking_id}, but its guest stays on"
            )
            arriving = v.bookings[o.arriving_booking_id]
            assert v.stage(arriving) is _ASSIGNED
            room = v.rooms[o.room_id]
            assert room.capacity is None or len(arriving.party) <= room.capacity
        for booking in v.snap.bookings:
            for closed in ("cancelled", "no_show"):
                at, by = getattr(booking, f"{closed}_at"), getattr(booking, f"{closed}_by")
                assert (at is None) == (by is None)
                if at is not None:
                    assert booking.checked_in_at is None
                    assert booking.booking_id not in v.holder
                    assert v.staff[by].hotel_id == booking.hotel_id
            assert not (booking.cancelled_at and booking.no_show_at), "closed once"
            if booking.queued_at is not None:
                assert v.stage(booking) is _ASSIGNED, f"{booking.booking_id} queued, not waiting"

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
        self.check_housekeeping_day_invariants(snap)

    def check_housekeeping_day_invariants(self, snap: StoreSnapshot) -> None:
        """§10: only an occupied room has a service status but NONE; SKIP and PERSON are
        about an occupied room, SLEEP about one that is not; who reported a discrepancy and
        when is set exactly while one is open; a window (its last day and return
        condition) only on a room out of order or in maintenance; one night audit per hotel
        and date, whose entries are the log's NIGHT_AUDIT entries of that date."""
        for o in snap.occupancies:
            occupied = o.status is Status.OCCUPIED
            assert occupied or o.service_status is ServiceStatus.NONE, o
            if o.discrepancy is not None:
                assert (o.discrepancy is Kind.SLEEP) is not occupied, o
                assert o.discrepancy_by is not None, o
                assert o.discrepancy_at is not None, o
            else:
                assert (o.discrepancy_by, o.discrepancy_at, o.observed_guests) == (
                    None,
                    None,
                    None,
                ), o
            window = (o.out_of_service_until, o.return_condition)
            if o.status in (Status.OUT_OF_ORDER, Status.MAINTENANCE) and window != (None, None):
                assert o.out_of_service_until is not None, o
                assert o.return_condition in (Condition.DIRTY, Condition.CLEAN), o
            else:
                assert window == (None, None), o
        audit_entries: dict[tuple[str, object], list[ho.LogEntry]] = {}
        for entry in snap.log:
            if entry.operation is Op.NIGHT_AUDIT:
                key = (entry.hotel_id, entry.metadata.get("business_date"))
                audit_entries.setdefault(key, []).append(entry)
        done = {
            (hotel_id, day.isoformat()): entries
            for hotel_id, days in self.audits.items()
            for day, entries in days.items()
        }
        assert audit_entries.keys() <= done.keys(), "every NIGHT_AUDIT entry is an audit's"
        for key, entries in done.items():
            assert tuple(audit_entries.get(key, ())) == entries, f"the audit {key}, once"

    @staticmethod
    def booking_verdict(v: View, room_id: str, action: str) -> str | None:
        """What the booking the room holds says about ``action`` on the room (§9): the
        room's own booking, or for check_in the arrival awaiting it; None if nothing."""
        o = v.occ[room_id]
        held = (o.arriving_booking_id or o.booking_id) if action == "check_in" else o.booking_id
        if held is None or action not in ROOM_BOOKING_STAGES:
            return None
        booking = v.bookings[held]
        stage = v.stage(booking)
        refused = (
            stage not in ROOM_BOOKING_STAGES[action]
            or (action == "unassign_room" and v.moved_since_check_in(held))
            or (action == "queue_arrival" and booking.queued_at is not None)
        )
        return "BookingNotAssignable" if refused else None

    @invariant()
    def allowed_operations_agree_with_the_transition_table(self) -> None:
        """For every room, allowed_operations says what the table says for its state, after
        what the booking table says for the booking the room holds (§9; dates aside)."""
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
                reason = self.booking_verdict(v, room_id, action)
                judged = state
                for row in rows if reason is None else []:
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


def spec_table(
    s: RoomState, inspection: bool
) -> dict[tuple[str, str, RoomRole], tuple[bool, type, RoomState]]:
    """§4's, §9's and §10's 'allowed when' and 'effect' columns for every row on ``s``:
    (admitted, error, new state), by (action, variant, role)."""
    vacant = s.tenancy is Tenancy.VACANT
    assigned = s.tenancy is Tenancy.ASSIGNED
    occupied = s.tenancy is Tenancy.OCCUPIED
    in_service = s.service is Service.IN_SERVICE
    ready = s.condition in READY[inspection]
    awaited = s.arriving  # an arrival is pre-assigned to the room while its guest is due out
    no_sleep = s.discrepancy is not Kind.SLEEP  # §10: nobody was found sleeping in it
    cleanish = s.condition in CLEANISH
    new = attrs.evolve

    def vacate(**changes: Any) -> RoomState:
        """§9: the room's booking leaves; an arrival awaiting the room now holds it; §10:
        the guests' service status goes with them."""
        tenancy = Tenancy.ASSIGNED if awaited else Tenancy.VACANT
        return new(s, tenancy=tenancy, arriving=False, guest_service=ServiceStatus.NONE, **changes)

    front_office = {
        ("assign_room", "pre-assign", RoomRole.ROOM): (
            vacant and in_service and no_sleep,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.ASSIGNED),
        ),
        ("assign_room", "due-out", RoomRole.ROOM): (  # §9 (the guest's dates: the handler's)
            occupied and not awaited,
            ho.RoomNotAvailable,
            new(s, arriving=True),
        ),
        ("check_in", "", RoomRole.ROOM): (  # §9: an arrival waits until the room is vacated
            assigned and ready and not awaited and no_sleep,
            ho.BookingNotAssignable if not (assigned or awaited) else ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.OCCUPIED),
        ),
        ("reassign_room", "", RoomRole.ROOM): (
            vacant and in_service and no_sleep,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.ASSIGNED),
        ),
        ("reassign_room", "", RoomRole.SOURCE): (
            assigned,
            ho.BookingNotAssignable,
            new(s, tenancy=Tenancy.VACANT),
        ),
        ("reassign_room", "arriving", RoomRole.SOURCE): (  # §9: the room's guest stays
            awaited,
            ho.BookingNotAssignable,
            new(s, arriving=False),
        ),
        ("unassign_room", "", RoomRole.ROOM): (
            not vacant,
            ho.BookingNotAssignable,
            vacate(),
        ),
        ("unassign_room", "arriving", RoomRole.ROOM): (
            awaited,
            ho.BookingNotAssignable,
            new(s, arriving=False),
        ),
        ("move_guest", "", RoomRole.SOURCE): (  # §9: a move leaves the arrival in place
            occupied,
            ho.RoomNotOccupied,
            vacate(condition=Condition.DIRTY),
        ),
        ("move_guest", "", RoomRole.ROOM): (
            vacant and in_service and ready and no_sleep,
            ho.RoomNotAvailable,
            new(s, tenancy=Tenancy.OCCUPIED),
        ),
        ("checkout_room", "", RoomRole.ROOM): (  # §9: VACANT_DIRTY, assigned to the arrival
            occupied,
            ho.RoomNotOccupied,
            vacate(condition=Condition.DIRTY),
        ),
        # §9: changes to the booking the room holds, or to the arrival awaiting it; the room
        # is left as it is, but the stay of a guest an arrival awaits cannot change
        ("change_stay", "", RoomRole.ROOM): (
            not vacant and not awaited,
            ho.BookingNotAssignable if vacant else ho.RoomNotAvailable,
            s,
        ),
        ("change_stay", "arriving", RoomRole.ROOM): (awaited, ho.BookingNotAssignable, s),
        ("update_party", "", RoomRole.ROOM): (not vacant, ho.BookingNotAssignable, s),
        ("update_party", "arriving", RoomRole.ROOM): (awaited, ho.BookingNotAssignable, s),
        ("queue_arrival", "", RoomRole.ROOM): (assigned, ho.BookingNotAssignable, s),
        ("queue_arrival", "arriving", RoomRole.ROOM): (awaited, ho.BookingNotAssignable, s),
        # cancel and no-show release a pre-assignment, or the arrival awaiting the room
        **{
            (action, variant, RoomRole.ROOM): effect
            for action in ("cancel_booking", "mark_no_show")
            for variant, effect in (
                ("", (assigned, ho.BookingNotAssignable, new(s, tenancy=Tenancy.VACANT))),
                ("arriving", (awaited, ho.BookingNotAssignable, new(s, arriving=False))),
            )
        },
    }
    housekeeping = {
        ("mark_dirty", "", RoomRole.ROOM): (
            cleanish,
            ho.InvalidTransition,
            new(s, condition=Condition.DIRTY),
        ),
        ("start_cleaning", "", RoomRole.ROOM): (  # §10: not while the guests keep it closed
            s.condition is Condition.DIRTY and s.guest_service not in KEEPS_OUT,
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
        **{
            ("return_to_service", c.value, RoomRole.ROOM): (
                not in_service,
                ho.InvalidTransition,
                new(s, service=Service.IN_SERVICE, condition=c),
            )
            for c in (Condition.DIRTY, Condition.CLEAN)
        },
    }
    # §10: what the guests ask (occupied rooms only, never the status the room has)
    asked: dict[tuple[str, str, RoomRole], tuple[bool, type, RoomState]] = {}
    for status in ServiceStatus:
        variants = {status.value: True}
        if status is ServiceStatus.MAKE_UP_ROOM:  # on a clean room, or on one to clean
            variants = {"MAKE_UP_ROOM": cleanish, "MAKE_UP_ROOM/dirty": not cleanish}
        for variant, condition_fits in variants.items():
            after = new(s, guest_service=status)
            if variant == "MAKE_UP_ROOM":
                after = new(after, condition=Condition.DIRTY)
            asked[("set_service_status", variant, RoomRole.ROOM)] = (
                occupied and s.guest_service is not status and condition_fits,
                ho.InvalidTransition if occupied else ho.RoomNotOccupied,
                after,
            )
    # what housekeeping saw, against the front office; and the night audit's steps
    seen = {
        ("report_room_observation", "agrees", RoomRole.ROOM): (
            True,
            ho.InvalidTransition,
            new(s, discrepancy=None),
        ),
        **{
            ("report_room_observation", kind.value, RoomRole.ROOM): (
                occupied is (kind is not Kind.SLEEP),
                ho.InvalidTransition,
                new(s, discrepancy=kind),
            )
            for kind in Kind
        },
        ("night_audit", "stayover", RoomRole.ROOM): (
            occupied and cleanish,
            ho.InvalidTransition,
            new(s, condition=Condition.DIRTY, guest_service=ServiceStatus.NONE),
        ),
        ("night_audit", "service-reset", RoomRole.ROOM): (
            occupied and s.guest_service is not ServiceStatus.NONE,
            ho.InvalidTransition,
            new(s, guest_service=ServiceStatus.NONE),
        ),
        **{
            ("night_audit", f"return-{c.value}", RoomRole.ROOM): (
                not in_service,
                ho.InvalidTransition,
                new(s, service=Service.IN_SERVICE, condition=c),
            )
            for c in (Condition.DIRTY, Condition.CLEAN)
        },
    }
    # §10: every front-office row resolves the room's open discrepancy
    resolved_rows = {
        key: (admitted, error, new(after, discrepancy=None))
        for key, (admitted, error, after) in front_office.items()
    }
    return {**resolved_rows, **housekeeping, **asked, **seen}


def spec_row(row: Transition, s: RoomState, inspection: bool) -> tuple[bool, type, RoomState]:
    """The spec's columns for one row of the table on ``s``."""
    return spec_table(s, inspection)[(row.action, row.variant, row.role)]


def test_the_table_has_exactly_the_rows_the_spec_names() -> None:
    """Every row of §4, §9 and §10 is in the table once, and the table has no other; the
    rows for an arrival awaiting an occupied room are the ARRIVING_VARIANTS."""
    keys = [(t.action, t.variant, t.role) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(spec_table(STATES[0], False))
    assert {t.variant for t in TRANSITIONS if t.variant in ARRIVING_VARIANTS} == ARRIVING_VARIANTS
    assert {t.action for t in TRANSITIONS} == set(ALL_LOGS), "one service per action"
    for t in TRANSITIONS:
        if t.variant in ARRIVING_VARIANTS:  # the room's own booking and state are left be
            assert (t.tenancy, t.condition, t.service) == (None, None, None), t
            releases = t.action in (
                "reassign_room",
                "unassign_room",
                "cancel_booking",
                "mark_no_show",
            )
            assert t.arriving is (
                True if t.action == "assign_room" else False if releases else None
            )
            assert not t.touches_tasks, t


def test_every_transition_row_does_what_the_spec_says_in_every_state() -> None:
    """Each row admits exactly the states §4, §9 and §10 name, refuses with their (and
    §6's) error, and lands where they say: every row, every state, both hotel policies."""
    for state in STATES:
        for inspection in (False, True):
            spec = spec_table(state, inspection)
            for row in TRANSITIONS:
                admitted, error, after = spec[(row.action, row.variant, row.role)]
                refusal = row.refusal(state, inspection)
                where = f"{row.action}/{row.variant}/{row.role} on {state.label()}"
                assert (refusal is None) == admitted, where
                if refusal is not None:
                    assert refusal.error is error, where
                else:
                    assert row.apply(state) == after, where
                    assert row.operation is ALL_LOGS[row.action]


def test_every_transition_row_maps_consistent_states_to_consistent_states() -> None:
    """An admitted row never leaves a room assigned or occupied while out of service, nor
    a service status or a discrepancy where §10 allows none."""
    known = set(STATES)
    for state in STATES:
        for inspection in (False, True):
            for row in TRANSITIONS:
                refusal = row.refusal(state, inspection)
                if refusal is None:
                    after = row.apply(state)
                    assert after.is_consistent
                    assert after in known
                else:
                    assert issubclass(refusal.error, ho.RoomOccupancyError)


def test_a_room_state_round_trips_through_its_record() -> None:
    """RoomState.of(status, condition, has booking, has arriving booking, service status,
    discrepancy) gives back every consistent state; a record without an arriving booking,
    service status or discrepancy is never awaited nor has one."""
    for state in STATES:
        assert state.is_consistent
        has_booking = state.tenancy is not Tenancy.VACANT
        assert (
            RoomState.of(
                state.status,
                state.condition,
                has_booking,
                state.arriving,
                state.guest_service,
                state.discrepancy,
            )
            == state
        )
        plain = (state.arriving, state.guest_service, state.discrepancy)
        if plain == (False, ServiceStatus.NONE, None):
            assert RoomState.of(state.status, state.condition, has_booking) == state


def test_the_headline_status_follows_section_3() -> None:
    """A vacant room in service is VACANT_CLEAN exactly when CLEAN or INSPECTED (I7)."""
    for state in STATES:
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
    """all_states() has each of the 128 consistent states once. Without §10's dimensions
    there are 24: 12 in service (vacant, assigned or occupied, in 4 conditions), 4 occupied
    ones an arrival awaits (§9), and 4+4 vacant out of service; only an occupied room in
    service is ever awaited. §10: each of the 8 occupied ones has one of 4 service statuses
    and no discrepancy, a SKIP or a PERSON (96); each of the 16 others has none or a
    SLEEP (32)."""
    assert len(STATES) == len(set(STATES)) == 128
    assert all(s.is_consistent for s in STATES)
    awaited = [s for s in STATES if s.arriving]
    assert len(awaited) == 4 * 4 * 3
    assert all(s.tenancy is Tenancy.OCCUPIED and s.service is Service.IN_SERVICE for s in awaited)
    assert {s.condition for s in awaited} == set(Condition)

    def consistent(s: RoomState) -> bool:
        occupied = s.tenancy is Tenancy.OCCUPIED
        return (
            (s.service is Service.IN_SERVICE or s.tenancy is Tenancy.VACANT)
            and (occupied or not s.arriving)
            and (occupied or s.guest_service is ServiceStatus.NONE)
            and (s.discrepancy is None or (s.discrepancy is Kind.SLEEP) is not occupied)
        )

    every = {
        RoomState(tenancy, condition, service, arriving, asked, kind)
        for tenancy in Tenancy
        for condition in Condition
        for service in Service
        for arriving in (False, True)
        for asked in ServiceStatus
        for kind in (None, *Kind)
    }
    assert {s for s in every if consistent(s)} == set(STATES)
    assert all(s.is_consistent == consistent(s) for s in every)


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


# --- §10's invariants: a store that breaks one is reported -----------------------------------


@functools.cache
def sound_housekeeping_day() -> StoreSnapshot:
    """A sound store of the housekeeping day: hotel H with a vacant room R1 housekeeping
    found someone in (SLEEP), an occupied room R2 whose guest hung DND after the night audit
    gave it a stayover cleaning, and a room R3 out of order until tomorrow; hotel H2 with a
    housekeeper of its own."""
    clock = FakeClock()
    uow = InMemoryUnitOfWork(clock=clock)
    for hotel_id in ("H", "H2"):
        services.register_hotel(uow, hotel_id=hotel_id, name=hotel_id)
        for role in (Role.FRONT_DESK, Role.HOUSEKEEPING, Role.MAINTENANCE):
            services.register_staff(
                uow,
                hotel_id=hotel_id,
                staff_id=f"{hotel_id}-{role.value}",
                name=role.value,
                role=role,
            )
    for n in (1, 2, 3):
        services.register_room(uow, hotel_id="H", room_id=f"R{n}", number=str(n))
    today = local_date(ho.Hotel("H", "H"), clock.now)
    services.register_booking(
        uow,
        hotel_id="H",
        booking_id="B1",
        reference="B1",
        arrival=today,
        departure=today + timedelta(days=2),
        party=[ho.BookingGuest("B1-g", "Ann", "Guest")],
    )
    services.assign_room(uow, booking_id="B1", room_id="R2", staff_id="H-FRONT_DESK")
    services.report_room_observation(uow, room_id="R1", staff_id="H-HOUSEKEEPING", occupied=True)
    services.set_out_of_order(
        uow,
        room_id="R3",
        staff_id="H-MAINTENANCE",
        reason="leak",
        until=today + timedelta(days=1),
        return_condition=Condition.CLEAN,
    )
    (stayover,) = services.night_audit(
        uow, hotel_id="H", business_date=today, staff_id="H-FRONT_DESK"
    )
    assert stayover.room_id == "R2"
    services.set_service_status(
        uow, room_id="R2", staff_id="H-HOUSEKEEPING", status=ho.ServiceStatus.DND
    )
    snapshot = uow.snapshot()
    assert check_invariants(snapshot) == []
    return snapshot


def broken_record(snapshot: StoreSnapshot, room_id: str, **changes: Any) -> StoreSnapshot:
    """``snapshot`` with the occupancy record of ``room_id`` changed as ``changes`` say."""
    return attrs.evolve(
        snapshot,
        occupancies=tuple(
            attrs.evolve(o, **changes) if o.room_id == room_id else o for o in snapshot.occupancies
        ),
    )


@pytest.mark.parametrize(
    ("room_id", "changes", "invariant", "words"),
    [
        ("R1", {"service_status": ho.ServiceStatus.DND}, "I7", "with service status DND"),
        ("R3", {"service_status": ho.ServiceStatus.MAKE_UP_ROOM}, "I7", "with service status"),
        ("R1", {"discrepancy": Kind.SKIP}, "I7", "VACANT_CLEAN with a SKIP discrepancy"),
        ("R1", {"discrepancy": Kind.PERSON}, "I7", "with a PERSON discrepancy"),
        (
            "R2",
            {
                "discrepancy": Kind.SLEEP,
                "discrepancy_by": "H-HOUSEKEEPING",
                "discrepancy_at": CLOCK_START,
            },
            "I7",
            "OCCUPIED with a SLEEP discrepancy",
        ),
        ("R1", {"discrepancy_by": None}, "I7", "SLEEP discrepancy nobody reported"),
        ("R1", {"discrepancy_at": None}, "I7", "SLEEP discrepancy nobody reported"),
        ("R2", {"discrepancy_by": "H-HOUSEKEEPING"}, "I7", "no discrepancy but a report"),
        ("R2", {"discrepancy_at": CLOCK_START}, "I7", "no discrepancy but a report"),
        ("R2", {"observed_guests": 2}, "I7", "no discrepancy but observed guests"),
        ("R1", {"discrepancy_by": "H2-HOUSEKEEPING"}, "I10", "of another or no hotel"),
        ("R1", {"discrepancy_by": "nobody"}, "I10", "of another or no hotel"),
        (
            "R1",
            {"out_of_service_until": date(2026, 3, 11), "return_condition": Condition.DIRTY},
            "I7",
            "VACANT_CLEAN with an out-of-service window",
        ),
        ("R2", {"return_condition": Condition.CLEAN}, "I7", "with an out-of-service window"),
        ("R3", {"return_condition": None}, "I7", "window is incomplete"),
        ("R3", {"out_of_service_until": None}, "I7", "window is incomplete"),
        ("R3", {"return_condition": Condition.INSPECTED}, "I7", "window is incomplete"),
    ],
)
def test_a_record_breaking_section_10_is_reported(
    room_id: str, changes: dict[str, Any], invariant: str, words: str
) -> None:
    """check_invariants names a service status on a room nobody occupies, a discrepancy on
    the wrong kind of room, a report without a discrepancy (or the reverse), a reporter of
    another hotel, and a window on a room in service or an incomplete one."""
    found = check_invariants(broken_record(sound_housekeeping_day(), room_id, **changes))
    assert any(v.invariant == invariant and words in v.message for v in found), found


def test_two_night_audits_of_one_date_are_reported() -> None:
    """I9: a second run's entries for a hotel and business date already audited."""
    snapshot = sound_housekeeping_day()
    (audit,) = [e for e in snapshot.log if e.operation is Op.NIGHT_AUDIT]
    again = attrs.evolve(audit, id=snapshot.log[-1].id + 1, timestamp=audit.timestamp + DAY)
    found = check_invariants(attrs.evolve(snapshot, log=(*snapshot.log, again)))
    assert any(
        v.invariant == "I9"
        and v.message == f"hotel H has 2 night audits of {audit.metadata['business_date']}"
        for v in found
    ), found


def test_a_night_audit_of_an_earlier_date_than_the_last_is_reported() -> None:
    """I9: the hotel's audited dates never go back."""
    snapshot = sound_housekeeping_day()
    (audit,) = [e for e in snapshot.log if e.operation is Op.NIGHT_AUDIT]
    day = date.fromisoformat(str(audit.metadata["business_date"]))
    earlier = attrs.evolve(
        audit,
        id=snapshot.log[-1].id + 1,
        timestamp=audit.timestamp + DAY,
        metadata={**audit.metadata, "business_date": (day - DAY).isoformat()},
    )
    found = check_invariants(attrs.evolve(snapshot, log=(*snapshot.log, earlier)))
    assert any(v.invariant == "I9" and "after hotel H audited" in v.message for v in found), found
