"""The runner: one way every command is carried out, in the fixed order of §6.

:func:`execute` takes any :class:`~hotel_occupancy.domain.commands.Command` (its input was
checked when it was built) and, in one transaction:

1. replays or refuses a used ``request_id`` (a replay returns the stored entries at once),
   then, for an operation, takes the rows it will change in one canonical order;
2. looks up what the command's fields refer to, in argument order (not found; or, for a
   registration, already registered);
3. checks that they belong to one hotel (HotelMismatch);
4. checks the acting staff member's permission (PermissionDenied);
5. calls the command's handler, which checks the state against the domain's tables and
   makes the changes specific to it, returning its log entry drafts;
6. records the request, appends the entries, commits, and publishes one event per entry
   after commit.

A handler is registered with :func:`handles` and says only what is specific to its
command; :class:`Context` gives it what the runner has read and the shared steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeVar

import attrs

from hotel_occupancy.domain.bookings import BookingStage, stage_of
from hotel_occupancy.domain.commands import COMMANDS, Command, Ref
from hotel_occupancy.domain.enums import Operation
from hotel_occupancy.domain.errors import InvalidInput, PermissionDenied, RequestIdConflict
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.housekeeping import task_changes
from hotel_occupancy.domain.model import (
    Booking,
    Hotel,
    LogEntry,
    MetadataValue,
    RoomOccupancy,
    Staff,
    new_id,
)
from hotel_occupancy.domain.rules import check_same_hotel
from hotel_occupancy.domain.transitions import Refusal, RoomState, Transition, choose
from hotel_occupancy.domain.validation import EARLIEST_YEAR, LATEST_YEAR
from hotel_occupancy.services.lookups import LOOKUPS, Lookup, get_hotel, room_occupancy
from hotel_occupancy.services.ports import RequestRecord, UnitOfWork

__all__ = ["Context", "Handler", "Stored", "execute", "handles", "now", "run"]

C = TypeVar("C", bound=Command)
Handler = Callable[["Context", Any], Sequence[LogEntry]]
"""What is specific to one command: checks of state, changes, and the entries to log."""

_DEPARTED = BookingStage.DEPARTED  # (a global: an Enum member is dear to read on 3.11)
_STAY_CHANGE = Operation.STAY_CHANGE


class Stored(tuple[LogEntry, ...]):
    """What a handler returns when it finds its call already done, by an earlier call it is
    the same as by nature (a night audit of a date already audited): the entries that call
    stored. The runner appends and publishes nothing for them."""

    __slots__ = ()


class _Route:
    """How the runner carries out one command class: its handler, and what it reads off
    the class's fields once, at registration, instead of on every call."""

    __slots__ = ("booking_fields", "handler", "lookups", "many", "room_fields")

    def __init__(self, command: type[Command], handler: Handler) -> None:
        self.handler = handler
        self.lookups: tuple[tuple[str, Lookup, bool, bool], ...] = tuple(
            (name, LOOKUPS[kind], kind.is_new, kind is Ref.NEW_HOTEL)
            for name, kind in command.reference_fields
        )
        """(field, how to look it up, a registration's new id?, the hotel registered?)"""
        self.many: frozenset[str] = frozenset(
            name for name, kind in command.reference_fields if kind.is_many
        )
        """The fields naming several things (each looked up in turn, in argument order):
        :meth:`Context.admit` takes another path for a command that has one."""
        self.booking_fields = tuple(n for n, k in command.reference_fields if k is Ref.BOOKING)
        self.room_fields = tuple(
            n for n, k in command.reference_fields if k is Ref.ROOM or k is Ref.ROOM_STATE
        )


_HANDLERS: dict[type[Command], _Route] = {}


def handles(command: type[C]) -> Callable[[Callable[[Context, C], Sequence[LogEntry]]], Handler]:
    """Register the decorated function as the handler of ``command``."""

    def register(handler: Callable[[Context, C], Sequence[LogEntry]]) -> Handler:
        if command in _HANDLERS:
            raise TypeError(f"{command.__name__} has a handler already")
        _HANDLERS[command] = _Route(command, handler)
        return handler

    return register


def unhandled() -> list[str]:
    """The commands without a handler (none, once the services are imported)."""
    return sorted(name for name, cls in COMMANDS.items() if cls not in _HANDLERS)


def now(uow: UnitOfWork) -> datetime:
    """The unit of work's clock, checked to be aware, within the years the library stores
    (so no hotel's local time of it overflows), and normalised to UTC."""
    value = uow.clock()
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"the clock must return an aware datetime, it returned {value!r}")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidInput(
            f"the clock returned {value.isoformat()}, outside the years "
            f"{EARLIEST_YEAR}-{LATEST_YEAR}: is it set right?"
        )
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def authorise(uow: UnitOfWork, staff: Staff, action: str) -> None:
    """The staff member is active and the policy lets their role call ``action`` (I14)."""
    if not staff.active:
        raise PermissionDenied(
            f"staff member {staff.staff_id!r} is deactivated", staff_id=staff.staff_id
        )
    if uow.policy.permits(staff.role, action) is not True:  # only a plain True grants
        raise PermissionDenied(
            f"a {staff.role.value} may not call {action}",
            staff_id=staff.staff_id,
            role=staff.role.value,
            action=action,
        )


class Context:
    """What one run of a command knows: the unit of work, the command, what its fields
    refer to, the hotel, the time; and the steps handlers share.

    For an operation, ``at`` (the time, read from the clock when it starts) and ``hotel``
    (read once its permission is checked) are set before the handler runs. Reference data
    reads the time with :meth:`now` if it needs it, and has no ``hotel``.
    """

    __slots__ = ("actor", "at", "command", "found", "hotel", "hotel_id", "outcome", "uow")

    at: datetime
    hotel: Hotel

    def __init__(self, uow: UnitOfWork, command: Command) -> None:
        self.uow = uow
        self.command = command
        # the acting staff member ("" for reference data)
        self.actor: str = command.staff_id if command.operation else ""  # type: ignore[attr-defined]
        self.found: dict[str, Any] = {}
        """What the command's reference fields refer to, by field name (a ``Ref.ROOM`` field
        gives a Room, ``Ref.ROOM_STATE`` a RoomOccupancy, ``Ref.BOOKING`` a Booking...)."""
        self.hotel_id = ""
        self.outcome: object = None
        """What the handler gives its service besides log entries (see :func:`run`)."""
        if command.operation:
            self.at = now(uow)  # an operation is timed when it starts

    def now(self) -> datetime:
        """The time of this run: the clock is read once, the first time it is needed."""
        try:
            return self.at
        except AttributeError:
            self.at = now(self.uow)
            return self.at

    # --- the fixed order: existence, hotel, permission ---------------------------------------

    def admit(
        self, lookups: tuple[tuple[str, Lookup, bool, bool], ...], many: frozenset[str]
    ) -> None:
        """Look up every reference in argument order (``lookups``: the route's; ``many``:
        its fields naming several things, each looked up in turn and found as a tuple),
        check they all share one hotel, and check the acting staff member's permission."""
        command, uow, found = self.command, self.uow, self.found
        members: list[Any] = []  # what the fields in ``many`` name
        several: dict[str, tuple[Any, ...]] = {}
        for name, way, new, registers_hotel in lookups:
            value = getattr(command, name)
            if name in many:
                get = getattr(uow, way.repository).get
                named = []
                for one in value:
                    thing = get(one)
                    if thing is None:
                        raise way.refuse_missing(one)
                    named.append(thing)
                several[name] = tuple(named)
                members.extend(named)
                continue
            thing = getattr(uow, way.repository).get(value)
            if new:  # a registration's id: it must not exist yet
                if thing is not None:
                    raise way.refuse_taken(value)
                if registers_hotel:
                    self.hotel_id = value  # the hotel being registered
            elif thing is None:
                raise way.refuse_missing(value)
            else:
                found[name] = thing
        if found:
            first, *others = found.values()
            self.hotel_id = first.hotel_id
            check_same_hotel(self.hotel_id, *others, *members)
            found.update(several)
        if command.operation:
            authorise(uow, found["staff_id"], command.action)
            self.hotel = get_hotel(uow, self.hotel_id)
            if not self.hotel.active:
                raise PermissionDenied(
                    f"hotel {self.hotel_id!r} is deactivated", hotel_id=self.hotel_id
                )

    # --- shared steps for handlers -----------------------------------------------------------

    def occupancy(self, room_id: str) -> RoomOccupancy:
        """The occupancy record of ``room_id`` (which exists: it was looked up)."""
        return room_occupancy(self.uow, room_id)

    def check(self, t: Transition, occupancy: RoomOccupancy, **context: object) -> RoomState:
        """The room's state if row ``t`` may apply to it, else the error the table names.

        The room's times never go backwards: if its record changed later than the clock
        says it is now (a clock set back), this run takes that time instead."""
        state = self._state(occupancy)
        refusal = t.refusal(state, self.hotel.require_inspection)
        if refusal is not None:
            self._refuse(refusal, occupancy, context)
        return state

    def check_any(
        self, action: str, variants: tuple[str, ...], occupancy: RoomOccupancy, **context: object
    ) -> tuple[Transition, RoomState]:
        """The first of the rows ``action``/``variants`` that admits the room's state, and
        that state; if none does, the error the first row names (see :func:`choose`)."""
        state = self._state(occupancy)
        chosen = choose(action, variants, state, self.hotel.require_inspection)
        if isinstance(chosen, Refusal):
            self._refuse(chosen, occupancy, context)
        return chosen, state

    def _state(self, occupancy: RoomOccupancy) -> RoomState:
        # the room's times never go backwards (see check)
        if occupancy.updated_at > self.at:
            self.at = occupancy.updated_at
        return RoomState.of(  # as state_of
            occupancy.status,
            occupancy.condition,
            occupancy.booking_id is not None,
            occupancy.arriving_booking_id is not None,
            occupancy.service_status,
            occupancy.discrepancy,
        )

    @staticmethod
    def _refuse(
        refusal: Refusal, occupancy: RoomOccupancy, context: Mapping[str, object]
    ) -> NoReturn:
        room_id = occupancy.room_id
        raise refusal.error(f"{refusal.describe()} (room {room_id!r})", room_id=room_id, **context)

    def booking_stage(self, booking: Booking) -> tuple[BookingStage, RoomOccupancy | None]:
        """The booking's stage and the occupancy record holding it, if any."""
        if booking.checked_out_at is not None:
            return _DEPARTED, None
        holder = self.uow.occupancies.for_booking(booking.booking_id)
        return stage_of(booking, holder is not None), holder

    @staticmethod
    def variant_for(holder: RoomOccupancy, booking_id: str) -> str:
        """The variant of a row acting on ``booking_id`` in the room ``holder``: "arriving"
        when it awaits the occupied room as its arriving booking, else ""."""
        return "arriving" if holder.arriving_booking_id == booking_id else ""

    def store_booking(self, before: Booking, after: Booking) -> None:
        """Store ``after``, the booking as the booking table's rule left ``before`` (see
        :meth:`~hotel_occupancy.domain.bookings.BookingRule.admit`), if it changed."""
        if after is not before:
            self.uow.bookings.update(after)

    def update_tasks(self, t: Transition, room_id: str, booking_id: str | None) -> None:
        """Open, start, close or cancel the room's tasks as row ``t`` says (I6)."""
        if not t.touches_tasks:
            return
        tasks = self.uow.tasks
        for task, new in task_changes(
            t,
            tasks.open_for_room(room_id),
            self.hotel,
            room_id,
            self.actor,
            booking_id,
            self.at,
            new_id,
        ):
            if new:
                tasks.add(task)
            else:
                tasks.update(task)

    def _acted(self) -> dict[str, MetadataValue]:
        """What every entry's metadata starts with: the service called and the role the
        acting staff member (found and authorised) called it in."""
        staff: Staff = self.found["staff_id"]
        return {"action": self.command.action, "role": staff.role.value}

    def draft(
        self,
        t: Transition,
        *,
        room_id: str,
        before: RoomState,
        after: RoomState,
        booking_id: str | None = None,
        from_room_id: str | None = None,
        metadata: Mapping[str, MetadataValue] | None = None,
        source: tuple[RoomState, RoomState] | None = None,
    ) -> LogEntry:
        """A log entry (id not yet assigned) for row ``t`` on ``room_id``, with the command's
        notes. Its metadata names the service called (``action``, what the policy allowed),
        the row it ran when that differs (``step``), the row's ``variant``, the discrepancy
        it resolved (``resolved_discrepancy``; ``source_resolved_discrepancy`` for the room a
        booking left, ``source`` being its states before and after), the guest service
        status it changed (``service_status_before``/``_after``), the role the staff member
        acted in (``role``: I14 is judged by it, so a later change of role leaves the
        entry allowed), and the command's own entry metadata."""
        command = self.command
        meta = self._acted()
        if t.action != command.action:
            meta["step"] = t.action
        if t.variant:
            meta["variant"] = t.variant
        if before.discrepancy is not None and after.discrepancy is None:
            meta["resolved_discrepancy"] = before.discrepancy.value
        if before.guest_service is not after.guest_service:
            meta["service_status_before"] = before.guest_service.value
            meta["service_status_after"] = after.guest_service.value
        if source is not None and source[0].discrepancy is not None and not source[1].discrepancy:
            meta["source_resolved_discrepancy"] = source[0].discrepancy.value
        extra = command.entry_metadata()
        if extra:
            meta.update(extra)
        if metadata:
            meta.update(metadata)
        return LogEntry(  # by position, in the order of _ENTRY_FIELDS
            0,  # id
            self.hotel_id,
            room_id,
            t.operation,
            self.actor,  # performed_by
            before.status,
            after.status,
            before.condition,
            after.condition,
            self.at,  # timestamp
            booking_id,
            from_room_id,
            command.notes,
            meta,  # metadata
            command.request_id,
        )

    def draft_for_booking(
        self, booking_id: str, *, metadata: Mapping[str, MetadataValue] | None = None
    ) -> LogEntry:
        """A log entry (id not yet assigned) for a change to a booking that holds no room:
        STAY_CHANGE, no room and no room state, the command's notes, and metadata as
        :meth:`draft` makes it."""
        command = self.command
        meta = self._acted()
        extra = command.entry_metadata()
        if extra:
            meta.update(extra)
        if metadata:
            meta.update(metadata)
        return LogEntry(
            0,
            self.hotel_id,
            None,
            _STAY_CHANGE,
            self.actor,
            None,
            None,
            None,
            None,
            self.at,
            booking_id,
            None,
            command.notes,
            meta,
            command.request_id,
        )


# Context.draft builds every log entry by position: a call of fifteen keyword arguments
# costs a third more, on every entry. Its order is checked against the class's here.
_ENTRY_FIELDS = (
    "id",
    "hotel_id",
    "room_id",
    "operation",
    "performed_by",
    "status_before",
    "status_after",
    "condition_before",
    "condition_after",
    "timestamp",
    "booking_id",
    "from_room_id",
    "notes",
    "metadata",
    "request_id",
)
if tuple(f.name for f in attrs.fields(LogEntry)) != _ENTRY_FIELDS:  # pragma: no cover
    raise ImportError("LogEntry's fields changed: update Context.draft and _ENTRY_FIELDS")


def _used(uow: UnitOfWork, command: Command, fingerprint: str) -> RequestRecord | None:
    """The record of the command's ``request_id`` if it was used for this very call;
    RequestIdConflict if it was used for another; None if it is new."""
    assert command.request_id is not None
    record = uow.requests.get(command.request_id)
    if record is not None and record.fingerprint != fingerprint:
        raise RequestIdConflict(  # naming no more than the caller's own id
            f"request_id {command.request_id!r} was already used for another call",
            request_id=command.request_id,
        )
    return record


def lock_rows(uow: UnitOfWork, command: Command, route: _Route) -> None:
    """Take the rows an operation will change in one canonical order, before anything is
    read: the bookings (the one held by the room of ``booking_of``, then those the command
    names), then every room's occupancy record, in ascending room id, in one call. Two
    operations then never wait for each other in opposite orders (no deadlock on
    PostgreSQL). What is missing is left for the existence checks to refuse, in argument
    order."""
    booking_ids: list[str] = []
    if command.booking_of is not None:
        held = uow.bookings.held_by(getattr(command, command.booking_of))
        if held is not None:
            booking_ids.append(held.booking_id)
    for name in route.booking_fields:
        value = getattr(command, name)
        if uow.bookings.get(value) is not None:
            booking_ids.append(value)
    room_ids: list[str] = []
    for name in route.room_fields:
        room_ids.append(getattr(command, name))
    if room_ids or booking_ids:
        uow.occupancies.lock(room_ids, holding=booking_ids)


def execute(uow: UnitOfWork, command: Command) -> tuple[LogEntry, ...]:
    """Carry out ``command`` in one transaction, in the fixed order of §6, and return the
    log entries it appended (empty for reference data). Their events are published after
    commit. A repeated ``request_id`` with the same command returns the very same entries
    and changes nothing; with another command it is RequestIdConflict."""
    return run(uow, command)[0]


def run(uow: UnitOfWork, command: Command) -> tuple[tuple[LogEntry, ...], object]:
    """:func:`execute`, also returning what the handler gave its service besides the
    entries (``Context.outcome``: a worksheet plan...; None for a replayed call)."""
    if not isinstance(command, Command):
        raise InvalidInput(f"execute() takes a Command, not {type(command).__name__}")
    route = _HANDLERS.get(type(command))
    if route is None:
        raise TypeError(f"no handler for {type(command).__name__}")
    request_id = command.request_id
    fingerprint = command.fingerprint() if request_id is not None else ""
    with uow:
        if request_id is not None and _used(uow, command, fingerprint) is not None:
            return (tuple(uow.log.for_request(request_id)) if command.operation else ()), None
        if command.operation:
            lock_rows(uow, command, route)
        context = Context(uow, command)
        context.admit(route.lookups, route.many)
        drafts = route.handler(context, command)
        if isinstance(drafts, Stored):  # done before, by the same call: nothing to write
            return tuple(drafts), context.outcome
        if request_id is not None:
            uow.requests.add(
                RequestRecord(
                    request_id, command.action, fingerprint, context.hotel_id, context.now()
                )
            )
        entries = uow.log.append(drafts) if drafts else ()
        if entries:
            uow.emit(OccupancyEvent.from_entry(entry) for entry in entries)
        uow.commit()
    return entries, context.outcome
