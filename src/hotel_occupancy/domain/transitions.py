"""The transition table: the one place that decides what may happen to a room.

A room's state has three independent dimensions (:class:`RoomState`): its *tenancy*
(vacant, pre-assigned to an arriving booking, occupied by an in-house booking), its
housekeeping :class:`~hotel_occupancy.domain.enums.Condition`, and its *service* state
(in service, out of order, in maintenance); an occupied room can also be *awaited* by an
arriving booking pre-assigned to it while its guest is due out (§9). The housekeeping
day (§10) adds what the guests of an occupied room asked of housekeeping (its
:class:`~hotel_occupancy.domain.enums.ServiceStatus`) and an open discrepancy between
what housekeeping saw and the front office. The headline
:class:`~hotel_occupancy.domain.enums.OccupancyStatus` is derived from them.

:data:`TRANSITIONS` lists every allowed transition as data: for one service (``action``),
one variant of its arguments, and one room it touches (the room acted on, or the source
room a booking leaves), the guards the room's state must pass (each with the error raised
when it does not), the new state, and what happens to the room's housekeeping tasks.
Services, :func:`hotel_occupancy.services.allowed_operations`, the state diagram in the
docs and the property tests all read this table; nothing else decides a transition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum, StrEnum

import attrs
from attrs import frozen

from hotel_occupancy.domain.enums import (
    Condition,
    DiscrepancyKind,
    OccupancyStatus,
    Operation,
    ServiceStatus,
)
from hotel_occupancy.domain.errors import (
    BookingNotAssignable,
    InvalidTransition,
    RoomNotAvailable,
    RoomNotOccupied,
    RoomOccupancyError,
)

__all__ = [
    "ACTIONS",
    "ARRIVING_VARIANTS",
    "CHECKPOINTS",
    "HOTEL_ACTIONS",
    "READY",
    "RESOLVED",
    "TRANSITIONS",
    "CleaningEffect",
    "Guard",
    "Refusal",
    "RoomRole",
    "RoomState",
    "Service",
    "Stamp",
    "TaskEffect",
    "Tenancy",
    "Transition",
    "all_states",
    "booking_effect",
    "choose",
    "default_steps",
    "default_variant",
    "ready_conditions",
    "source_row",
    "transition",
]


class Tenancy(StrEnum):
    """Who holds the room."""

    VACANT = "VACANT"
    ASSIGNED = "ASSIGNED"  # pre-assigned to an arriving booking
    OCCUPIED = "OCCUPIED"  # an in-house booking is in the room


class Service(StrEnum):
    """Whether the room can be sold."""

    IN_SERVICE = "IN_SERVICE"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    MAINTENANCE = "MAINTENANCE"


_NO_SERVICE = ServiceStatus.NONE


@frozen(cache_hash=True)
class RoomState:
    """The state of a room along its three dimensions, whether an arriving booking awaits
    it (only an occupied room: its guest is due out), what its guests asked of
    housekeeping (``guest_service``: only an occupied room has one but NONE) and its open
    discrepancy, if any (SKIP and PERSON only on an occupied room, SLEEP only on another)."""

    tenancy: Tenancy
    condition: Condition
    service: Service = Service.IN_SERVICE
    arriving: bool = False
    guest_service: ServiceStatus = ServiceStatus.NONE
    discrepancy: DiscrepancyKind | None = None
    status: OccupancyStatus = attrs.field(init=False, eq=False, repr=False)
    """The headline status derived from the three dimensions."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "status", _status(self.tenancy, self.condition, self.service))

    @classmethod
    def of(
        cls,
        status: OccupancyStatus,
        condition: Condition,
        has_booking: bool,
        has_arriving: bool = False,
        guest_service: ServiceStatus = _NO_SERVICE,
        discrepancy: DiscrepancyKind | None = None,
    ) -> RoomState:
        """The state of a stored occupancy record (``status``, ``condition``, booking set,
        arriving booking set, service status, open discrepancy)."""
        return _STORED[(status, condition, has_booking, has_arriving, guest_service, discrepancy)]

    @property
    def is_consistent(self) -> bool:
        """Only rooms in service are ever assigned or occupied; only an occupied room is
        awaited by an arriving booking or has a guest service status; SKIP and PERSON
        discrepancies are about an occupied room, SLEEP about one that is not."""
        occupied = self.tenancy is Tenancy.OCCUPIED
        in_service = self.service is Service.IN_SERVICE or self.tenancy is Tenancy.VACANT
        discrepancy = self.discrepancy
        return (
            in_service
            and (not self.arriving or occupied)
            and (occupied or self.guest_service is _NO_SERVICE)
            and (discrepancy is None or (discrepancy is not DiscrepancyKind.SLEEP) is occupied)
        )

    def label(self) -> str:
        """A short human-readable name, e.g. ``OCCUPIED/CLEAN``, ``VACANT_DIRTY+assigned``,
        ``OCCUPIED+arriving/DIRTY`` or ``OCCUPIED/CLEAN+DND+SKIP``."""
        suffix = "+assigned" if self.tenancy is Tenancy.ASSIGNED else ""
        if self.arriving:
            suffix += "+arriving"
        extra = ""
        if self.guest_service is not _NO_SERVICE:
            extra += f"+{self.guest_service.value}"
        if self.discrepancy is not None:
            extra += f"+{self.discrepancy.value}"
        return f"{self.status.value}{suffix}/{self.condition.value}{extra}"


def _status(tenancy: Tenancy, condition: Condition, service: Service) -> OccupancyStatus:
    if service is Service.OUT_OF_ORDER:
        return OccupancyStatus.OUT_OF_ORDER
    if service is Service.MAINTENANCE:
        return OccupancyStatus.MAINTENANCE
    if tenancy is Tenancy.OCCUPIED:
        return OccupancyStatus.OCCUPIED
    if condition.needs_cleaning:
        return OccupancyStatus.VACANT_DIRTY
    return OccupancyStatus.VACANT_CLEAN


def _record_state(
    status: OccupancyStatus,
    condition: Condition,
    has_booking: bool,
    has_arriving: bool,
    guest_service: ServiceStatus,
    discrepancy: DiscrepancyKind | None,
) -> RoomState:
    if status is OccupancyStatus.OCCUPIED:
        tenancy = Tenancy.OCCUPIED
    elif has_booking:
        tenancy = Tenancy.ASSIGNED
    else:
        tenancy = Tenancy.VACANT
    service = {
        OccupancyStatus.OUT_OF_ORDER: Service.OUT_OF_ORDER,
        OccupancyStatus.MAINTENANCE: Service.MAINTENANCE,
    }.get(status, Service.IN_SERVICE)
    return RoomState(tenancy, condition, service, has_arriving, guest_service, discrepancy)


# The state of every record an occupancy row can hold (inconsistent ones included, which
# the invariant checker reports), built once: reading a record's state makes no object.
_STORED = {
    (status, condition, has_booking, has_arriving, guest_service, discrepancy): _record_state(
        status, condition, has_booking, has_arriving, guest_service, discrepancy
    )
    for status in OccupancyStatus
    for condition in Condition
    for has_booking in (False, True)
    for has_arriving in (False, True)
    for guest_service in ServiceStatus
    for discrepancy in (None, *DiscrepancyKind)
}

INITIAL_STATE = RoomState(Tenancy.VACANT, Condition.CLEAN, Service.IN_SERVICE)
"""The state of a newly registered room: VACANT_CLEAN, condition CLEAN, no booking."""


_TENANCY_WORDS = {
    Tenancy.VACANT: "vacant and unassigned",
    Tenancy.ASSIGNED: "pre-assigned",
    Tenancy.OCCUPIED: "occupied",
}
_SERVICE_WORDS = {
    Service.IN_SERVICE: "in service",
    Service.OUT_OF_ORDER: "out of order",
    Service.MAINTENANCE: "in maintenance",
}


class _Ready(Enum):
    READY = "READY"


READY = _Ready.READY
"""Guard value meaning "ready for a guest": CLEAN or INSPECTED, or only INSPECTED when the
hotel requires inspection."""


class _Resolved(Enum):
    RESOLVED = "RESOLVED"


RESOLVED = _Resolved.RESOLVED
"""Effect value meaning "the room's open discrepancy, if any, is resolved"."""


_READY_CONDITIONS = (
    frozenset({Condition.CLEAN, Condition.INSPECTED}),  # the hotel requires no inspection
    frozenset({Condition.INSPECTED}),  # it does
)


def ready_conditions(require_inspection: bool) -> frozenset[Condition]:
    """The conditions in which a room may receive a guest."""
    return _READY_CONDITIONS[bool(require_inspection)]


class RoomRole(StrEnum):
    """Which room of an operation a row is about."""

    ROOM = "ROOM"  # the room acted on, where the log entry is written
    SOURCE = "SOURCE"  # the room a booking leaves in a move or a reassignment


class CleaningEffect(StrEnum):
    """What a transition does to the room's open cleaning task (TURNOVER or CLEANING)."""

    OPEN = "OPEN"  # make sure one is open, creating a CLEANING task if none is
    TURNOVER = "TURNOVER"  # the open one becomes an OPEN TURNOVER task, or one is created
    START = "START"  # the open one is IN_PROGRESS, assigned to the cleaner
    COMPLETE = "COMPLETE"  # the open one is DONE
    CANCEL = "CANCEL"  # the open one, if any, is CANCELLED


class TaskEffect(StrEnum):
    """What a transition does to the room's INSPECTION or MAINTENANCE task."""

    OPEN = "OPEN"  # make sure one is open (INSPECTION: only if the hotel requires it)
    COMPLETE = "COMPLETE"  # the open one, if any, is DONE
    CANCEL = "CANCEL"  # the open one, if any, is CANCELLED


class Stamp(StrEnum):
    """What a transition records on the occupancy record about who did it."""

    CLEANED = "CLEANED"  # last_cleaned_by and last_cleaned_at
    INSPECTED = "INSPECTED"  # last_inspected_by and last_inspected_at


@frozen
class Guard:
    """One condition a room's state must meet; ``error`` is raised when it does not.

    A field left as None is not checked. ``condition`` may be :data:`READY`.
    ``arriving``: whether an arriving booking must (True) or must not (False) await the
    room. ``guest_service`` and ``discrepancy``: the service statuses and discrepancies
    (None for none open) admitted. ``words``, if given, say what the guard asks for
    instead of the words made from its fields.
    """

    error: type[RoomOccupancyError]
    tenancy: frozenset[Tenancy] | None = None
    service: frozenset[Service] | None = None
    condition: frozenset[Condition] | _Ready | None = None
    arriving: bool | None = None
    guest_service: frozenset[ServiceStatus] | None = None
    discrepancy: frozenset[DiscrepancyKind | None] | None = None
    words: str | None = None

    def expectation(self, require_inspection: bool) -> str:
        """What the guard asks for, in words (e.g. ``vacant``, ``ready for a guest``)."""
        if self.words is not None:
            return self.words
        words: list[str] = []
        if self.tenancy is not None:
            words.append(" or ".join(_TENANCY_WORDS[t] for t in sorted(self.tenancy)))
        if self.service is not None:
            words.append(" or ".join(_SERVICE_WORDS[s] for s in sorted(self.service)))
        if self.condition is READY:
            ready = " or ".join(sorted(c.value for c in ready_conditions(require_inspection)))
            words.append(f"ready for a guest ({ready})")
        elif self.condition is not None:
            words.append(" or ".join(sorted(c.value for c in self.condition)))
        if self.arriving is True:
            words.append("awaited by an arriving booking")
        elif self.arriving is False:
            words.append("not awaited by an arriving booking")
        if self.guest_service is not None:
            words.append(
                "with service status " + " or ".join(sorted(s.value for s in self.guest_service))
            )
        if self.discrepancy is not None:
            kinds = sorted("none" if d is None else d.value for d in self.discrepancy)
            words.append("with discrepancy " + " or ".join(kinds))
        return " and ".join(words)

    def admits(self, state: RoomState, require_inspection: bool) -> bool:
        """Whether ``state`` passes this guard."""
        if self.tenancy is not None and state.tenancy not in self.tenancy:
            return False
        if self.service is not None and state.service not in self.service:
            return False
        if self.arriving is not None and state.arriving is not self.arriving:
            return False
        if self.guest_service is not None and state.guest_service not in self.guest_service:
            return False
        if self.discrepancy is not None and state.discrepancy not in self.discrepancy:
            return False
        if self.condition is READY:
            return state.condition in ready_conditions(require_inspection)
        return not (isinstance(self.condition, frozenset) and state.condition not in self.condition)


@frozen
class Transition:
    """One row of the table: a service, a variant of its arguments, a room role.

    ``arriving`` is what the row does to the room's arriving booking: True, the booking
    acted on becomes it; False, it is released; None, unchanged. A row that leaves an
    awaited room vacant hands the room to its arriving booking: the room is then
    pre-assigned to it (a checkout, a move out, an undone check-in of a due-out room).
    ``guest_service`` is the room's new service status (None: unchanged);
    ``discrepancy`` the discrepancy it opens, or :data:`RESOLVED` (the front office's rows
    resolve any open one), or None (unchanged).
    """

    action: str
    variant: str
    role: RoomRole
    operation: Operation
    guards: tuple[Guard, ...]
    tenancy: Tenancy | None = None
    condition: Condition | None = None
    service: Service | None = None
    cleaning: CleaningEffect | None = None
    inspection: TaskEffect | None = None
    maintenance: TaskEffect | None = None
    stamp: Stamp | None = None
    arriving: bool | None = None
    guest_service: ServiceStatus | None = None
    discrepancy: DiscrepancyKind | _Resolved | None = None
    # the state after this transition, per state before it (see apply)
    _after: dict[RoomState, RoomState] = attrs.field(
        factory=dict, init=False, eq=False, hash=False, repr=False
    )

    def refusal(self, state: RoomState, require_inspection: bool) -> Refusal | None:
        """The first guard ``state`` fails, as a :class:`Refusal`, or None if it passes."""
        for guard in self.guards:
            if not guard.admits(state, require_inspection):
                return Refusal(self, guard, state, require_inspection)
        return None

    @property
    def touches_tasks(self) -> bool:
        """Whether this row changes any of the room's housekeeping tasks."""
        return not (self.cleaning is None and self.inspection is None and self.maintenance is None)

    def apply(self, state: RoomState) -> RoomState:
        """The state after this transition (guards are not checked here)."""
        after = self._after.get(state)
        if after is None:  # computed once per state, then remembered
            tenancy = self.tenancy or state.tenancy
            arriving = state.arriving if self.arriving is None else self.arriving
            if arriving and tenancy is Tenancy.VACANT:  # handed to the arriving booking
                tenancy, arriving = Tenancy.ASSIGNED, False
            discrepancy = self.discrepancy
            after = self._after[state] = RoomState(
                tenancy,
                self.condition or state.condition,
                self.service or state.service,
                arriving,
                self.guest_service or state.guest_service,
                state.discrepancy
                if discrepancy is None
                else None
                if discrepancy is RESOLVED
                else discrepancy,
            )
        return after

    @property
    def resolves(self) -> bool:
        """Whether this row resolves the room's open discrepancy (the front office's rows
        and an agreeing observation do)."""
        return self.discrepancy is RESOLVED


@frozen
class Refusal:
    """Why a transition does not apply: the row, the failed guard, the room's state."""

    transition: Transition
    guard: Guard
    state: RoomState
    require_inspection: bool = False

    @property
    def error(self) -> type[RoomOccupancyError]:
        """The error class the refusal raises."""
        return self.guard.error

    def describe(self) -> str:
        """A sentence for the error message: what the operation needs and what it found."""
        t = self.transition
        where = "source room" if t.role is RoomRole.SOURCE else "room"
        return (
            f"{t.action} needs the {where} {self.guard.expectation(self.require_inspection)}, "
            f"but it is {self.state.label()}"
        )


_T = frozenset
_VACANT = _T({Tenancy.VACANT})
_OCCUPIED = _T({Tenancy.OCCUPIED})
_IN_SERVICE = _T({Service.IN_SERVICE})
_OUT_OF_SERVICE = _T({Service.OUT_OF_ORDER, Service.MAINTENANCE})
_NO_SLEEP = Guard(
    RoomNotAvailable,
    discrepancy=_T({None, DiscrepancyKind.SKIP, DiscrepancyKind.PERSON}),
    words="without an open SLEEP discrepancy (housekeeping found someone in it)",
)
_SELLABLE = (
    Guard(RoomNotAvailable, tenancy=_VACANT),
    Guard(RoomNotAvailable, service=_IN_SERVICE),
    _NO_SLEEP,
)
_READY = Guard(RoomNotAvailable, condition=READY)
_CLEANISH = _T({Condition.CLEAN, Condition.INSPECTED})
_PRE_ASSIGNED = Guard(BookingNotAssignable, tenancy=_T({Tenancy.ASSIGNED}))
_AWAITED = Guard(BookingNotAssignable, arriving=True)
_HELD = Guard(BookingNotAssignable, tenancy=_T({Tenancy.ASSIGNED, Tenancy.OCCUPIED}))


def _returning(action: str, variant: str, operation: Operation, condition: Condition) -> Transition:
    """A row bringing a room back from out of order or maintenance, vacant in ``condition``
    (DIRTY, with a cleaning task; or CLEAN, awaiting inspection where the hotel requires
    one), its maintenance task done: return_to_service's, and the night audit's for a
    window that ends."""
    dirty = condition is Condition.DIRTY
    return Transition(
        action,
        variant,
        RoomRole.ROOM,
        operation,
        (Guard(InvalidTransition, service=_OUT_OF_SERVICE),),
        service=Service.IN_SERVICE,
        condition=condition,
        cleaning=CleaningEffect.OPEN if dirty else CleaningEffect.CANCEL,
        inspection=TaskEffect.CANCEL if dirty else TaskEffect.OPEN,
        maintenance=TaskEffect.COMPLETE,
    )


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "assign_room",
        "pre-assign",
        RoomRole.ROOM,
        Operation.ASSIGN,
        _SELLABLE,
        tenancy=Tenancy.ASSIGNED,
    ),
    Transition(  # an arrival into a room whose guest is due out (the handler checks dates)
        "assign_room",
        "due-out",
        RoomRole.ROOM,
        Operation.ASSIGN,
        (
            Guard(RoomNotAvailable, tenancy=_T({Tenancy.OCCUPIED})),
            Guard(RoomNotAvailable, arriving=False),
        ),
        arriving=True,
    ),
    Transition(
        "check_in",
        "",
        RoomRole.ROOM,
        Operation.CHECKIN,
        (
            Guard(RoomNotAvailable, arriving=False, words="left by its departing guest"),
            _PRE_ASSIGNED,
            _READY,
            _NO_SLEEP,
        ),
        tenancy=Tenancy.OCCUPIED,
    ),
    Transition(
        "reassign_room",
        "",
        RoomRole.ROOM,
        Operation.REASSIGN,
        _SELLABLE,
        tenancy=Tenancy.ASSIGNED,
    ),
    Transition(
        "reassign_room",
        "",
        RoomRole.SOURCE,
        Operation.REASSIGN,
        (_PRE_ASSIGNED,),
        tenancy=Tenancy.VACANT,
    ),
    Transition(
        "reassign_room",
        "arriving",
        RoomRole.SOURCE,
        Operation.REASSIGN,
        (_AWAITED,),
        arriving=False,
    ),
    Transition(
        "unassign_room",
        "",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_HELD,),
        tenancy=Tenancy.VACANT,
        guest_service=ServiceStatus.NONE,
    ),
    Transition(
        "unassign_room",
        "arriving",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_AWAITED,),
        arriving=False,
    ),
    Transition(
        "move_guest",
        "",
        RoomRole.SOURCE,
        Operation.MOVE,
        (Guard(RoomNotOccupied, tenancy=_T({Tenancy.OCCUPIED})),),
        tenancy=Tenancy.VACANT,
        condition=Condition.DIRTY,
        cleaning=CleaningEffect.TURNOVER,
        inspection=TaskEffect.CANCEL,
        guest_service=ServiceStatus.NONE,
    ),
    Transition(
        "move_guest",
        "",
        RoomRole.ROOM,
        Operation.MOVE,
        (*_SELLABLE, _READY),
        tenancy=Tenancy.OCCUPIED,
    ),
    Transition(
        "checkout_room",
        "",
        RoomRole.ROOM,
        Operation.CHECKOUT,
        (Guard(RoomNotOccupied, tenancy=_T({Tenancy.OCCUPIED})),),
        tenancy=Tenancy.VACANT,
        condition=Condition.DIRTY,
        cleaning=CleaningEffect.TURNOVER,
        inspection=TaskEffect.CANCEL,
        guest_service=ServiceStatus.NONE,
    ),
    Transition(
        "mark_dirty",
        "",
        RoomRole.ROOM,
        Operation.STATUS_CHANGE,
        (Guard(InvalidTransition, condition=_CLEANISH),),
        condition=Condition.DIRTY,
        cleaning=CleaningEffect.OPEN,
        inspection=TaskEffect.CANCEL,
    ),
    Transition(
        "start_cleaning",
        "",
        RoomRole.ROOM,
        Operation.CLEAN_START,
        (
            Guard(InvalidTransition, condition=_T({Condition.DIRTY})),
            Guard(
                InvalidTransition,
                guest_service=_T({ServiceStatus.NONE, ServiceStatus.MAKE_UP_ROOM}),
                words="not keeping housekeeping out (DND or SERVICE_REFUSED)",
            ),
        ),
        condition=Condition.CLEANING,
        cleaning=CleaningEffect.START,
    ),
    Transition(
        "complete_cleaning",
        "",
        RoomRole.ROOM,
        Operation.CLEAN_COMPLETE,
        (Guard(InvalidTransition, condition=_T({Condition.CLEANING})),),
        condition=Condition.CLEAN,
        cleaning=CleaningEffect.COMPLETE,
        inspection=TaskEffect.OPEN,
        stamp=Stamp.CLEANED,
    ),
    Transition(
        "inspect_room",
        "passed",
        RoomRole.ROOM,
        Operation.INSPECT,
        (Guard(InvalidTransition, condition=_T({Condition.CLEAN})),),
        condition=Condition.INSPECTED,
        inspection=TaskEffect.COMPLETE,
        stamp=Stamp.INSPECTED,
    ),
    Transition(
        "inspect_room",
        "failed",
        RoomRole.ROOM,
        Operation.INSPECT,
        (Guard(InvalidTransition, condition=_T({Condition.CLEAN})),),
        condition=Condition.DIRTY,
        cleaning=CleaningEffect.OPEN,
        inspection=TaskEffect.COMPLETE,
    ),
    Transition(
        "set_out_of_order",
        "",
        RoomRole.ROOM,
        Operation.OUT_OF_ORDER,
        (
            Guard(InvalidTransition, tenancy=_VACANT),
            Guard(InvalidTransition, service=_IN_SERVICE),
        ),
        service=Service.OUT_OF_ORDER,
    ),
    Transition(
        "start_maintenance",
        "",
        RoomRole.ROOM,
        Operation.MAINTENANCE,
        (
            Guard(InvalidTransition, tenancy=_VACANT),
            Guard(InvalidTransition, service=_IN_SERVICE),
        ),
        service=Service.MAINTENANCE,
        maintenance=TaskEffect.OPEN,
    ),
    _returning("return_to_service", "DIRTY", Operation.STATUS_CHANGE, Condition.DIRTY),
    _returning("return_to_service", "CLEAN", Operation.STATUS_CHANGE, Condition.CLEAN),
    # §9: the front desk's changes to a booking, on the room holding it (when one does)
    Transition(  # the stay of a guest an arrival awaits is fixed until it moves elsewhere
        "change_stay",
        "",
        RoomRole.ROOM,
        Operation.STAY_CHANGE,
        (_HELD, Guard(RoomNotAvailable, arriving=False)),
    ),
    Transition("change_stay", "arriving", RoomRole.ROOM, Operation.STAY_CHANGE, (_AWAITED,)),
    Transition("update_party", "", RoomRole.ROOM, Operation.STAY_CHANGE, (_HELD,)),
    Transition("update_party", "arriving", RoomRole.ROOM, Operation.STAY_CHANGE, (_AWAITED,)),
    Transition(
        "cancel_booking",
        "",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_PRE_ASSIGNED,),
        tenancy=Tenancy.VACANT,
    ),
    Transition(
        "cancel_booking",
        "arriving",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_AWAITED,),
        arriving=False,
    ),
    Transition(
        "mark_no_show",
        "",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_PRE_ASSIGNED,),
        tenancy=Tenancy.VACANT,
    ),
    Transition(
        "mark_no_show",
        "arriving",
        RoomRole.ROOM,
        Operation.UNASSIGN,
        (_AWAITED,),
        arriving=False,
    ),
    Transition("queue_arrival", "", RoomRole.ROOM, Operation.STAY_CHANGE, (_PRE_ASSIGNED,)),
    Transition("queue_arrival", "arriving", RoomRole.ROOM, Operation.STAY_CHANGE, (_AWAITED,)),
    # §10: the housekeeping day. What the guests ask of housekeeping (an occupied room only;
    # setting the status it has is refused, so a double-click is not logged twice)
    *(
        Transition(
            "set_service_status",
            variant,
            RoomRole.ROOM,
            Operation.SERVICE_STATUS,
            (
                Guard(RoomNotOccupied, tenancy=_OCCUPIED),
                Guard(
                    InvalidTransition,
                    guest_service=_T(ServiceStatus) - {status},
                    words=f"not already {status.value}",
                ),
                *conditions,
            ),
            guest_service=status,
            **effects,  # type: ignore[arg-type]
        )
        for variant, status, conditions, effects in (
            ("NONE", ServiceStatus.NONE, (), {}),
            ("DND", ServiceStatus.DND, (), {}),
            ("SERVICE_REFUSED", ServiceStatus.SERVICE_REFUSED, (), {}),
            (  # a make-up request on a clean room makes it dirty, with a cleaning task
                "MAKE_UP_ROOM",
                ServiceStatus.MAKE_UP_ROOM,
                (Guard(InvalidTransition, condition=_CLEANISH),),
                {
                    "condition": Condition.DIRTY,
                    "cleaning": CleaningEffect.OPEN,
                    "inspection": TaskEffect.CANCEL,
                },
            ),
            (  # ...and on a room already to clean (or being cleaned) only says it is wanted
                "MAKE_UP_ROOM/dirty",
                ServiceStatus.MAKE_UP_ROOM,
                (Guard(InvalidTransition, condition=_T({Condition.DIRTY, Condition.CLEANING})),),
                {},
            ),
        )
    ),
    # what housekeeping saw against the front office: the variant is the finding (see
    # hotel_occupancy.domain.discrepancies), an agreeing one resolves what was open
    Transition(
        "report_room_observation",
        "agrees",
        RoomRole.ROOM,
        Operation.DISCREPANCY,
        (),
        discrepancy=RESOLVED,
    ),
    Transition(
        "report_room_observation",
        "SKIP",
        RoomRole.ROOM,
        Operation.DISCREPANCY,
        (Guard(InvalidTransition, tenancy=_OCCUPIED),),
        discrepancy=DiscrepancyKind.SKIP,
    ),
    Transition(
        "report_room_observation",
        "SLEEP",
        RoomRole.ROOM,
        Operation.DISCREPANCY,
        (Guard(InvalidTransition, tenancy=_T({Tenancy.VACANT, Tenancy.ASSIGNED})),),
        discrepancy=DiscrepancyKind.SLEEP,
    ),
    Transition(
        "report_room_observation",
        "PERSON",
        RoomRole.ROOM,
        Operation.DISCREPANCY,
        (Guard(InvalidTransition, tenancy=_OCCUPIED),),
        discrepancy=DiscrepancyKind.PERSON,
    ),
    # the night audit, on each room it changes: a stayover cleaning when the hotel's
    # stayover_every says one is due (the handler says which rooms are due), service
    # statuses reset, and out-of-service windows that end return their room
    Transition(
        "night_audit",
        "stayover",
        RoomRole.ROOM,
        Operation.NIGHT_AUDIT,
        (
            Guard(InvalidTransition, tenancy=_OCCUPIED),
            Guard(InvalidTransition, condition=_CLEANISH),
        ),
        condition=Condition.DIRTY,
        cleaning=CleaningEffect.OPEN,
        inspection=TaskEffect.CANCEL,
        guest_service=ServiceStatus.NONE,
    ),
    Transition(
        "night_audit",
        "service-reset",
        RoomRole.ROOM,
        Operation.NIGHT_AUDIT,
        (
            Guard(InvalidTransition, tenancy=_OCCUPIED),
            Guard(InvalidTransition, guest_service=_T(ServiceStatus) - {ServiceStatus.NONE}),
        ),
        guest_service=ServiceStatus.NONE,
    ),
    # (a window that ends returns its room as return_to_service does, logged as the audit's)
    _returning("night_audit", "return-DIRTY", Operation.NIGHT_AUDIT, Condition.DIRTY),
    _returning("night_audit", "return-CLEAN", Operation.NIGHT_AUDIT, Condition.CLEAN),
)

FRONT_OFFICE: frozenset[str] = frozenset(
    {
        "assign_room",
        "check_in",
        "reassign_room",
        "unassign_room",
        "move_guest",
        "checkout_room",
        "change_stay",
        "update_party",
        "cancel_booking",
        "mark_no_show",
        "queue_arrival",
    }
)
"""The front office's services: every row of theirs, on every room it touches, resolves
the room's open discrepancy (§10: the front office has acted on what it knows)."""

TRANSITIONS = tuple(
    attrs.evolve(t, discrepancy=RESOLVED) if t.action in FRONT_OFFICE else t for t in TRANSITIONS
)

_BY_KEY: Mapping[tuple[str, str, RoomRole], Transition] = {
    (t.action, t.variant, t.role): t for t in TRANSITIONS
}

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
"""The operation services with rows in the table, in its order (and, but for
:data:`HOTEL_ACTIONS`, of ``allowed_operations``)."""

HOTEL_ACTIONS: frozenset[str] = frozenset({"night_audit"})
"""Services that act on every room of a hotel at once rather than on one room:
``allowed_operations`` (one room's view) leaves them out."""

_DEFAULT_STEPS: Mapping[str, tuple[tuple[str, str, RoomRole], ...]] = {
    "assign_room": (("assign_room", "pre-assign", RoomRole.ROOM), ("check_in", "", RoomRole.ROOM)),
    "move_guest": (("move_guest", "", RoomRole.SOURCE),),
    "inspect_room": (("inspect_room", "passed", RoomRole.ROOM),),
    "return_to_service": (("return_to_service", "DIRTY", RoomRole.ROOM),),
    "set_service_status": (("set_service_status", "DND", RoomRole.ROOM),),
    "report_room_observation": (("report_room_observation", "agrees", RoomRole.ROOM),),
    "night_audit": (("night_audit", "stayover", RoomRole.ROOM),),
}
"""The rows a call of the service with its default arguments runs, one after the other, on
the room it acts on (the source of a move; the target of an assignment, which by default
also checks in), where that is not simply the service's own row. ``allowed_operations``
judges a room by them."""


def default_steps(action: str) -> tuple[Transition, ...]:
    """The rows a call of ``action`` with default arguments runs on the room it acts on."""
    keys = _DEFAULT_STEPS.get(action, ((action, "", RoomRole.ROOM),))
    return tuple(_BY_KEY[key] for key in keys)


def default_variant(action: str) -> str:
    """The variant a service takes with its default arguments."""
    return next(t.variant for t in default_steps(action) if t.action == action)


def transition(action: str, variant: str = "", role: RoomRole = RoomRole.ROOM) -> Transition:
    """The row for ``action`` / ``variant`` / ``role``; KeyError if the table has none."""
    return _BY_KEY[(action, variant, role)]


_CHOICES: dict[tuple[str, tuple[str, ...]], tuple[Transition, ...]] = {}


def choose(
    action: str, variants: tuple[str, ...], state: RoomState, require_inspection: bool
) -> Transition | Refusal:
    """The first of the rows ``action``/``variants`` (on the room acted on) that admits
    ``state``; if none does, the first row's refusal. Where a call may run one of several
    rows, the table's guards decide which, not the handler."""
    rows = _CHOICES.get((action, variants))
    if rows is None:  # (looked up once per choice: the night audit chooses for every room)
        rows = _CHOICES[(action, variants)] = tuple(
            _BY_KEY[(action, variant, RoomRole.ROOM)] for variant in variants
        )
    for t in rows:
        if t.refusal(state, require_inspection) is None:
            return t
    refusal = rows[0].refusal(state, require_inspection)
    assert refusal is not None
    return refusal


def _booking_effects() -> Mapping[Operation, tuple[bool, Tenancy | None]]:
    effects: dict[Operation, tuple[bool, Tenancy | None]] = {}
    for t in TRANSITIONS:
        if t.role is not RoomRole.ROOM or t.variant in ARRIVING_VARIANTS:
            continue  # (rows about an arriving booking leave the room's own booking be)
        takes_room = any(g.tenancy == _VACANT for g in t.guards)
        effect = (takes_room, t.tenancy)
        if effects.setdefault(t.operation, effect) != effect:
            raise AssertionError(f"rows logging {t.operation} disagree on the booking")
    return effects


ARRIVING_VARIANTS: frozenset[str] = frozenset({"due-out", "arriving"})
"""The variants of rows acting on a room's arriving booking (the one awaiting an occupied
room, §9) rather than on the booking the room holds."""

_BOOKING_EFFECTS = _booking_effects()
_SOURCE_ROWS: Mapping[Operation, Transition] = {
    t.operation: t for t in TRANSITIONS if t.role is RoomRole.SOURCE and not t.variant
}


CHECKPOINTS: frozenset[Operation] = frozenset({Operation.IMPORT})
"""Operations that are not a transition but a checkpoint: the entry records the whole state
the room was taken over in (status, condition and booking after), from its registration
state. No service runs them; the legacy import writes one per room, and replaying a room's
log (I9) restarts from it."""


def booking_effect(operation: Operation) -> tuple[bool, Tenancy | None]:
    """What the rows logging ``operation`` do to the booking the room holds, as the table
    says: whether they need the room unassigned before (they bring the booking), and the
    tenancy they leave (VACANT: booking cleared; ASSIGNED or OCCUPIED: the entry's booking;
    None: unchanged). Every row logging one operation agrees (checked at import)."""
    return _BOOKING_EFFECTS[operation]


def source_row(operation: Operation) -> Transition | None:
    """The row for the room a booking leaves in ``operation`` (MOVE, REASSIGN), if any."""
    return _SOURCE_ROWS.get(operation)


def all_states() -> Iterator[RoomState]:
    """Every consistent room state (rooms out of service are never assigned; only occupied
    rooms are awaited by an arriving booking)."""
    for service in Service:
        for tenancy in Tenancy:
            for arriving in (False, True):
                for guest_service in ServiceStatus:
                    for discrepancy in (None, *DiscrepancyKind):
                        for condition in Condition:
                            state = RoomState(
                                tenancy, condition, service, arriving, guest_service, discrepancy
                            )
                            if state.is_consistent:
                                yield state
