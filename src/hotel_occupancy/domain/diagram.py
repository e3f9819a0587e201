"""The docs' state diagram, generated from the transition table and the booking table.

Everything here is read off :data:`~hotel_occupancy.domain.transitions.TRANSITIONS` and
:data:`~hotel_occupancy.domain.bookings.BOOKING_RULES`: every
consistent room state (:func:`~hotel_occupancy.domain.transitions.all_states`) is tried
against every row, in a hotel that requires inspection and in one that does not; each row
whose guards the state passes gives an edge from the state to the one the row leads to.
Nothing is drawn by hand, so the diagram cannot disagree with the code.

A room state has more dimensions than one diagram can show (tenancy, condition, service,
an arriving booking, the guests' service status, an open discrepancy: over a hundred
consistent states), so each diagram projects the states onto some of them: the status
diagram onto the headline status (pre-assigned and awaited rooms apart), the others onto
the condition, the guest service status and the discrepancy. Every row is drawn on the
status diagram (a row that changes only another dimension loops on its status) and on
each other diagram whose dimension it changes.

Regenerate the committed page with::

    python -m hotel_occupancy.domain.diagram > docs/state-diagram.md

and check that it is up to date (exit status 1 if not) with::

    python -m hotel_occupancy.domain.diagram --check docs/state-diagram.md
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import NamedTuple, TypeVar

from hotel_occupancy.domain.bookings import BOOKING_RULES, BookingStage
from hotel_occupancy.domain.enums import (
    Condition,
    DiscrepancyKind,
    OccupancyStatus,
    ServiceStatus,
)
from hotel_occupancy.domain.transitions import (
    ARRIVING_VARIANTS,
    FRONT_OFFICE,
    INITIAL_STATE,
    READY,
    RESOLVED,
    TRANSITIONS,
    CleaningEffect,
    Guard,
    RoomRole,
    RoomState,
    Service,
    Stamp,
    TaskEffect,
    Tenancy,
    Transition,
    all_states,
    ready_conditions,
)

__all__ = [
    "COMMAND",
    "Edge",
    "booking_diagram",
    "booking_edges",
    "booking_table",
    "condition_diagram",
    "condition_edges",
    "discrepancy_diagram",
    "discrepancy_edges",
    "guest_service_diagram",
    "guest_service_edges",
    "main",
    "render",
    "role_name",
    "row_label",
    "status_diagram",
    "status_edges",
    "status_node",
    "transition_table",
]

COMMAND = "python -m hotel_occupancy.domain.diagram > docs/state-diagram.md"
"""The command that regenerates the committed page."""

REGISTERED = "register_room"
"""The label of the edge from the start marker: how a room enters its first state."""

FRONT_OFFICE_LABEL = "front office"
"""How the discrepancy diagram labels the front office's rows, which all resolve an open
discrepancy (:data:`~hotel_occupancy.domain.transitions.FRONT_OFFICE`); the page lists
them."""

NO_DISCREPANCY = "NONE"
"""The node of the discrepancy diagram for a room with no open discrepancy."""

_INSPECTION_SETTINGS = (False, True)

_E = TypeVar("_E", bound=Enum)

# How a service's arguments select a variant (a row with a non-empty ``variant``). A row
# whose variant is missing here makes :func:`render` fail, so the page never goes stale.
_VARIANT_ARGUMENTS: dict[tuple[str, str], str] = {
    ("assign_room", "pre-assign"): (
        "`check_in=False`; with `check_in=True` (the default) the same call then applies "
        "the `check_in` row, and both are judged before anything changes"
    ),
    ("assign_room", "due-out"): (
        "`check_in=False` onto an OCCUPIED room whose in-house guest departs today or is "
        "overdue (the service checks the dates): the booking becomes the room's arriving "
        "booking, and the room still holds the in-house one"
    ),
    ("reassign_room", "arriving"): (
        "the booking moved is the source room's arriving booking (the source stays "
        "OCCUPIED by its in-house guest)"
    ),
    ("inspect_room", "passed"): "`passed=True` (the default)",
    ("inspect_room", "failed"): "`passed=False`",
    ("return_to_service", "DIRTY"): "`condition=Condition.DIRTY` (the default)",
    ("return_to_service", "CLEAN"): "`condition=Condition.CLEAN`",
    ("set_service_status", "NONE"): ("`status=ServiceStatus.NONE`: the guests' request is lifted"),
    ("set_service_status", "DND"): "`status=ServiceStatus.DND` (do not disturb)",
    ("set_service_status", "SERVICE_REFUSED"): (
        "`status=ServiceStatus.SERVICE_REFUSED`: the guests decline today's cleaning"
    ),
    ("set_service_status", "MAKE_UP_ROOM"): (
        "`status=ServiceStatus.MAKE_UP_ROOM` on a room that is clean: it is to be cleaned now"
    ),
    ("set_service_status", "MAKE_UP_ROOM/dirty"): (
        "`status=ServiceStatus.MAKE_UP_ROOM` on a room already to clean or being cleaned: "
        "the request is recorded, the cleaning task is the one already open (the table's "
        "guards choose between the two rows)"
    ),
    ("report_room_observation", "agrees"): (
        "what housekeeping saw (`occupied`, `guests`) agrees with the front office: an open "
        "discrepancy is resolved; an occupied room whose guests were not counted "
        "(`guests=None`) agrees on occupancy"
    ),
    ("report_room_observation", "SKIP"): (
        "`occupied=False` on a room the front office has OCCUPIED (the guest may have "
        "left without checking out)"
    ),
    ("report_room_observation", "SLEEP"): (
        "`occupied=True` on a room the front office has vacant (someone is in a room nobody sold)"
    ),
    ("report_room_observation", "PERSON"): (
        "`occupied=True` with a `guests` count other than the in-house guests of the room's booking"
    ),
    ("night_audit", "stayover"): (
        "run by the audit on each OCCUPIED room whose stayover cleaning is due on the "
        "business date (the hotel's `stayover_every`, counted in nights since check-in)"
    ),
    ("night_audit", "service-reset"): (
        "run by the audit on each other OCCUPIED room with a guest service status"
    ),
    ("night_audit", "return-DIRTY"): (
        "run by the audit on each room whose out-of-service window (`until`) ends on or "
        "before the business date, with `return_condition=Condition.DIRTY` (the default)"
    ),
    ("night_audit", "return-CLEAN"): (
        "as the row before, for a window set with `return_condition=Condition.CLEAN`"
    ),
    **{
        (action, "arriving"): (
            "the booking acted on is the room's arriving booking, not the in-house one"
        )
        for action in (
            "unassign_room",
            "change_stay",
            "update_party",
            "cancel_booking",
            "mark_no_show",
            "queue_arrival",
        )
    },
}

_CLEANING_EFFECTS: dict[CleaningEffect, str] = {
    CleaningEffect.OPEN: "cleaning task: one is open (a new CLEANING task if none was)",
    CleaningEffect.TURNOVER: (
        "cleaning task: the open one becomes an OPEN TURNOVER task (a TURNOVER task is "
        "created if none was open)"
    ),
    CleaningEffect.START: "cleaning task: IN_PROGRESS, assigned to the cleaner",
    CleaningEffect.COMPLETE: "cleaning task: DONE",
    CleaningEffect.CANCEL: "cleaning task: the open one, if any, CANCELLED",
}

_INSPECTION_EFFECTS: dict[TaskEffect, str] = {
    TaskEffect.OPEN: "INSPECTION task: opened, if the hotel requires inspection",
    TaskEffect.COMPLETE: "INSPECTION task: the open one, if any, DONE",
    TaskEffect.CANCEL: "INSPECTION task: the open one, if any, CANCELLED",
}

_STAMPS: dict[Stamp, str] = {
    Stamp.CLEANED: "records `last_cleaned_by` and `last_cleaned_at`",
    Stamp.INSPECTED: "records `last_inspected_by` and `last_inspected_at`",
}

_MAINTENANCE_EFFECTS: dict[TaskEffect, str] = {
    TaskEffect.OPEN: "MAINTENANCE task: opened",
    TaskEffect.COMPLETE: "MAINTENANCE task: the open one, if any, DONE",
    TaskEffect.CANCEL: "MAINTENANCE task: the open one, if any, CANCELLED",
}


class Edge(NamedTuple):
    """An arrow of a diagram: from one node to another, with the rows that draw it."""

    source: str
    target: str
    labels: tuple[str, ...]


def _order(member: _E) -> int:
    """The position of an enum member in its declaration: the order the docs use."""
    return list(type(member)).index(member)


def _names(members: Iterable[_E]) -> str:
    """``A``, ``A or B``, ``A, B or C``: members in declaration order."""
    values = [m.value for m in sorted(members, key=_order)]
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} or {values[-1]}"


def _has_source_row(action: str) -> bool:
    return any(t.action == action and t.role is RoomRole.SOURCE for t in TRANSITIONS)


def _room(t: Transition) -> str:
    """``room``, or ``target`` and ``source`` for the services that touch two rooms."""
    if t.role is RoomRole.SOURCE:
        return "source"
    return "target" if _has_source_row(t.action) else "room"


def role_name(t: Transition) -> str:
    """Which room a row is about, as the table says it: ``room``, or ``target`` and
    ``source`` for the services that touch two rooms; followed by ``(arriving booking)``
    for a row about the room's arriving booking (a variant of
    :data:`~hotel_occupancy.domain.transitions.ARRIVING_VARIANTS`) rather than the booking
    the room holds."""
    room = _room(t)
    return f"{room} (arriving booking)" if t.variant in ARRIVING_VARIANTS else room


def row_label(t: Transition) -> str:
    """How a row is named on the diagrams: the service, then its variant and room role when
    they matter, e.g. ``inspect_room (failed)``, ``move_guest (source)`` or
    ``reassign_room (arriving) (source)``."""
    details = [f"({t.variant})"] if t.variant else []
    if _has_source_row(t.action):
        details.append(f"({_room(t)})")
    return " ".join([t.action, *details])


# --- nodes -------------------------------------------------------------------------------


_NodeKey = tuple[int, str]
"""A node of a diagram: its rank (the order of the nodes on the page) and its id."""


def status_node(state: RoomState) -> str:
    """The node of ``state`` on the status diagram: its headline status, set apart when a
    vacant room is pre-assigned (e.g. ``VACANT_CLEAN_PRE_ASSIGNED``) and when an occupied
    room is awaited by an arriving booking (``OCCUPIED_ARRIVING``)."""
    suffix = "_PRE_ASSIGNED" if state.tenancy is Tenancy.ASSIGNED else ""
    if state.arriving:
        suffix += "_ARRIVING"
    return f"{state.status.value}{suffix}"


def _status_key(state: RoomState) -> _NodeKey:
    apart = state.tenancy is Tenancy.ASSIGNED or state.arriving
    return (2 * _order(state.status) + apart, status_node(state))


def _condition_key(state: RoomState) -> _NodeKey:
    return (_order(state.condition), state.condition.value)


def _guest_service_key(state: RoomState) -> _NodeKey:
    return (_order(state.guest_service), state.guest_service.value)


def _discrepancy_key(state: RoomState) -> _NodeKey:
    if state.discrepancy is None:
        return (0, NO_DISCREPANCY)
    return (1 + _order(state.discrepancy), state.discrepancy.value)


def _status_title(state: RoomState) -> str:
    suffix = " (pre-assigned)" if state.tenancy is Tenancy.ASSIGNED else ""
    if state.arriving:
        suffix += " (+arriving booking)"
    return f"{state.status.value}{suffix}"


def _status_nodes() -> list[tuple[str, str]]:
    """Every status node (id, title), in the order of the statuses."""
    nodes = {_status_key(s): _status_title(s) for s in all_states()}
    return [(node, title) for (_, node), title in sorted(nodes.items())]


# --- edges -------------------------------------------------------------------------------


_Step = tuple[RoomState, Transition, bool, RoomState]


@functools.cache
def _steps() -> tuple[_Step, ...]:
    """Every (state, row, require_inspection, new state) the table allows (worked out
    once: the table is fixed when the module is imported)."""
    return tuple(
        (state, t, require_inspection, t.apply(state))
        for state in all_states()
        for t in TRANSITIONS
        for require_inspection in _INSPECTION_SETTINGS
        if t.refusal(state, require_inspection) is None
    )


def _edges(
    node: Callable[[RoomState], _NodeKey],
    *,
    keep_loops: bool,
    name: Callable[[Transition], str] = row_label,
) -> tuple[Edge, ...]:
    """The edges between the nodes ``node`` maps states to, one per pair of nodes, each
    labelled with the rows that draw it (as ``name`` names a row; marked when only one
    inspection setting draws it)."""
    settings: dict[tuple[_NodeKey, _NodeKey], dict[str, set[bool]]] = {}
    for before, t, require_inspection, after in _steps():
        pair = (node(before), node(after))
        if pair[0] == pair[1] and not keep_loops:
            continue
        settings.setdefault(pair, {}).setdefault(name(t), set()).add(require_inspection)
    edges = []
    for (source, target), labels in sorted(settings.items()):
        marked = []
        for label, seen in labels.items():
            if seen == {True}:
                label += " [inspection required]"
            elif seen == {False}:
                label += " [inspection not required]"
            marked.append(label)
        edges.append(Edge(source[1], target[1], tuple(sorted(marked))))
    return tuple(edges)


@functools.cache
def status_edges() -> tuple[Edge, ...]:
    """The edges of the status diagram, self-loops included (a row that changes only the
    condition, such as ``mark_dirty`` on an occupied room, loops on its status)."""
    return _edges(_status_key, keep_loops=True)


@functools.cache
def condition_edges() -> tuple[Edge, ...]:
    """The edges of the condition diagram: only the rows that change the condition."""
    return _edges(_condition_key, keep_loops=False)


@functools.cache
def guest_service_edges() -> tuple[Edge, ...]:
    """The edges of the guest service status diagram: only the rows that change it."""
    return _edges(_guest_service_key, keep_loops=False)


def _discrepancy_label(t: Transition) -> str:
    return FRONT_OFFICE_LABEL if t.action in FRONT_OFFICE else row_label(t)


@functools.cache
def discrepancy_edges() -> tuple[Edge, ...]:
    """The edges of the discrepancy diagram: only the rows that open, change or resolve
    a discrepancy, the front office's rows under one label (:data:`FRONT_OFFICE_LABEL`)."""
    return _edges(_discrepancy_key, keep_loops=False, name=_discrepancy_label)


# --- Mermaid -------------------------------------------------------------------------------


def _mermaid(declarations: Sequence[str], start: str, edges: Sequence[Edge]) -> str:
    lines = ["```mermaid", "stateDiagram-v2", *declarations, f"    [*] --> {start} : {REGISTERED}"]
    lines += [f"    {e.source} --> {e.target} : {', '.join(e.labels)}" for e in edges]
    lines.append("```")
    return "\n".join(lines)


def status_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` block of the headline statuses (pre-assigned rooms
    apart), every edge labelled with the rows that lead along it."""
    declarations = [f'    state "{title}" as {node}' for node, title in _status_nodes()]
    return _mermaid(declarations, status_node(INITIAL_STATE), status_edges())


def condition_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` block of the housekeeping condition."""
    declarations = [f"    state {c.value}" for c in Condition]
    return _mermaid(declarations, INITIAL_STATE.condition.value, condition_edges())


def guest_service_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` block of the guests' service status."""
    declarations = [f"    state {s.value}" for s in ServiceStatus]
    return _mermaid(declarations, INITIAL_STATE.guest_service.value, guest_service_edges())


def discrepancy_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` block of a room's open discrepancy (none, SKIP,
    SLEEP or PERSON)."""
    declarations = [
        f'    state "none open" as {NO_DISCREPANCY}',
        *(f"    state {d.value}" for d in DiscrepancyKind),
    ]
    assert INITIAL_STATE.discrepancy is None
    return _mermaid(declarations, NO_DISCREPANCY, discrepancy_edges())


# --- the table -------------------------------------------------------------------------------


def _among(members: frozenset[_E], every: Iterable[_E]) -> str:
    """``is A or B``, or ``is not C`` when that is shorter to say."""
    missing = [m for m in every if m not in members]
    if missing and len(missing) < len(members):
        return f"is not {_names(missing)}"
    return f"is {_names(members)}"


def _discrepancy_guard(kinds: frozenset[DiscrepancyKind | None]) -> str:
    open_kinds = frozenset(k for k in kinds if k is not None)
    missing = [k for k in DiscrepancyKind if k not in open_kinds]
    if None in kinds and len(missing) == 1:
        return f"no open {missing[0].value} discrepancy"
    if None in kinds and not missing:
        return "any discrepancy or none"
    text = f"open discrepancy is {_names(open_kinds)}" if open_kinds else ""
    if None in kinds:
        return f"no open discrepancy, or {text}" if text else "no open discrepancy"
    return text


def _guard_text(guard: Guard) -> str:
    parts = []
    if guard.tenancy is not None:
        parts.append(f"tenancy is {_names(guard.tenancy)}")
    if guard.service is not None:
        parts.append(f"service is {_names(guard.service)}")
    if guard.condition is READY:
        parts.append(
            f"condition is ready: {_names(ready_conditions(False))}, only "
            f"{_names(ready_conditions(True))} if the hotel requires inspection"
        )
    elif isinstance(guard.condition, frozenset):
        parts.append(f"condition is {_names(guard.condition)}")
    if guard.arriving is True:
        parts.append("an arriving booking awaits the room")
    elif guard.arriving is False:
        parts.append("no arriving booking awaits the room")
    if guard.guest_service is not None:
        parts.append(f"guest service {_among(guard.guest_service, ServiceStatus)}")
    if guard.discrepancy is not None:
        parts.append(_discrepancy_guard(guard.discrepancy))
    return f"{' and '.join(parts) or 'always'}, else `{guard.error.__name__}`"


def _new_state_text(t: Transition) -> str:
    changes = [
        f"{name} → {value.value}"
        for name, value in (
            ("tenancy", t.tenancy),
            ("condition", t.condition),
            ("service", t.service),
        )
        if value is not None
    ]
    if t.guest_service is not None:
        changes.append(f"guest service → {t.guest_service.value}")
    if t.discrepancy is RESOLVED:
        changes.append("discrepancy → none (an open one is resolved)")
    elif isinstance(t.discrepancy, DiscrepancyKind):
        changes.append(
            f"discrepancy → {t.discrepancy.value} (opened, or reported again: who saw "
            "it, when, and the guests counted)"
        )
    if t.arriving is True:
        changes.append("arriving booking → the booking acted on")
    elif t.arriving is False:
        changes.append("arriving booking → none (released)")
    if _hands_over(t):
        changes.append(
            "an awaited room is handed to its arriving booking: tenancy → ASSIGNED "
            "(pre-assigned to it) instead of VACANT"
        )
    return "<br>".join(changes) or "unchanged"


def _hands_over(t: Transition) -> bool:
    """Whether the row can leave an awaited room vacant, which hands the room over to its
    arriving booking (see :meth:`~hotel_occupancy.domain.transitions.Transition.apply`)."""
    return t.tenancy is Tenancy.VACANT and any(
        row is t and before.arriving and after.tenancy is Tenancy.ASSIGNED
        for before, row, _, after in _steps()
    )


def _effects_text(t: Transition) -> str:
    effects = []
    if t.cleaning is not None:
        effects.append(_CLEANING_EFFECTS[t.cleaning])
    if t.inspection is not None:
        effects.append(_INSPECTION_EFFECTS[t.inspection])
    if t.maintenance is not None:
        effects.append(_MAINTENANCE_EFFECTS[t.maintenance])
    if t.stamp is not None:
        effects.append(_STAMPS[t.stamp])
    return "<br>".join(effects) or "none"


def _variant_text(t: Transition) -> str:
    if not t.variant:
        return "—"
    try:
        arguments = _VARIANT_ARGUMENTS[(t.action, t.variant)]
    except KeyError:
        raise LookupError(
            f"describe the arguments of variant {t.variant!r} of {t.action} in "
            f"{__name__}._VARIANT_ARGUMENTS"
        ) from None
    return f"`{t.variant}`: {arguments}"


def _operation_text(t: Transition) -> str:
    if t.role is RoomRole.SOURCE:
        return f"{t.operation.value} (written on the target, `from_room_id` = this room)"
    return t.operation.value


def transition_table() -> str:
    """A Markdown table of every row of the transition table, in the table's order."""
    lines = [
        "| service | variant | room | logs | guards, in order (error if refused) "
        "| new state | effects |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        guards = (
            "<br>".join(f"{i}. {_guard_text(g)}" for i, g in enumerate(t.guards, 1))
            or "none: any room"
        )
        cells = [
            f"`{t.action}`",
            _variant_text(t),
            role_name(t),
            _operation_text(t),
            guards,
            _new_state_text(t),
            _effects_text(t),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


# --- the booking table ------------------------------------------------------------------------


def booking_edges() -> tuple[Edge, ...]:
    """The edges of the booking diagram: one from every stage a rule of the booking table
    accepts to the stage the rule leaves the booking in (a loop on the stage for a rule
    that leaves it where it is), labelled with the rules, in the order of the stages."""
    edges: dict[tuple[BookingStage, BookingStage], list[str]] = {}
    for rule in BOOKING_RULES:
        for stage in sorted(rule.stages, key=_order):
            after = rule.after or stage
            label = rule.action
            if rule.final_after_move and stage is BookingStage.IN_HOUSE:
                label += " (until a move)"
            edges.setdefault((stage, after), []).append(label)
    return tuple(
        Edge(source.value, target.value, tuple(labels))
        for (source, target), labels in sorted(
            edges.items(), key=lambda item: (_order(item[0][0]), _order(item[0][1]))
        )
    )


def booking_diagram() -> str:
    """A Mermaid ``stateDiagram-v2`` block of the booking stages: an arrow for every stage
    a rule of the booking table accepts, to the stage it leaves the booking in."""
    declarations = [f"    state {stage.value}" for stage in BookingStage]
    start = BookingStage.ARRIVING.value
    lines = [
        "```mermaid",
        "stateDiagram-v2",
        *declarations,
        f"    [*] --> {start} : register_booking",
    ]
    lines += [f"    {e.source} --> {e.target} : {', '.join(e.labels)}" for e in booking_edges()]
    lines.append("```")
    return "\n".join(lines)


class _Placeholder:
    def __repr__(self) -> str:
        return "(its room)"


_ITS_ROOM = _Placeholder()


def booking_table() -> str:
    """A Markdown table of every rule of the booking table."""
    lines = [
        "| service | accepts | refuses (BookingNotAssignable) | leaves the booking |",
        "|---|---|---|---|",
    ]
    for rule in BOOKING_RULES:
        refusals = [
            f"{stage.value}: {rule.refusals[stage].format(room_id=_ITS_ROOM)}"
            for stage in sorted(rule.refusals, key=_order)
        ]
        if rule.final_after_move:
            refusals.append("IN_HOUSE after a room move: the check-in is final")
        if rule.queues:
            refusals.append(
                f"{_names(rule.stages)} with `queued_at` set: is already waiting at the desk"
            )
        after = rule.after.value if rule.after is not None else "in its stage"
        if rule.moves:
            after += " (the move is recorded)"
        if rule.queues:
            after += " (queued at the desk: `queued_at` set)"
        cells = [f"`{rule.action}`", _names(rule.stages), "<br>".join(refusals), after]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


# --- the page ----------------------------------------------------------------------------------


def _vocabulary() -> str:
    return "\n".join(
        [
            f"- **tenancy**: {_names(Tenancy)}. ASSIGNED means pre-assigned to an arriving "
            "booking that has not checked in; the status stays VACANT_CLEAN or VACANT_DIRTY.",
            "- **arriving**: whether an arriving booking awaits the room. Only an OCCUPIED "
            "room whose guest is due out is awaited: `assign_room(check_in=False)` "
            "pre-assigned an arrival to it, and it holds both bookings (`booking_id` and "
            "`arriving_booking_id`). When the room is left vacant it is handed to the "
            "arriving booking: pre-assigned to it. A state label shows it, e.g. "
            f"`{RoomState(Tenancy.OCCUPIED, Condition.DIRTY, arriving=True).label()}`.",
            f"- **condition**: {_names(Condition)}.",
            f"- **service**: {_names(Service)}. Only rooms IN_SERVICE are ever assigned or "
            "occupied.",
            f"- The headline **status** ({_names(OccupancyStatus)}) is derived from the three: "
            "OUT_OF_ORDER or MAINTENANCE from the service, else OCCUPIED from the tenancy, "
            "else VACANT_DIRTY while the condition is DIRTY or CLEANING and VACANT_CLEAN "
            "when it is CLEAN or INSPECTED.",
            f"- **guest service**: {_names(ServiceStatus)}: what the guests of an occupied "
            "room ask of housekeeping (the occupancy's `service_status`). Only an OCCUPIED "
            "room has one other than NONE. DND and SERVICE_REFUSED keep cleaners out.",
            f"- **discrepancy**: none, or the open one: {_names(DiscrepancyKind)} (the "
            "occupancy's `discrepancy`): what housekeeping saw against the front office. "
            "SKIP and PERSON are about an OCCUPIED room, SLEEP about one that is not. A "
            f"state label shows both, e.g. `{_EXAMPLE.label()}`. Neither changes the "
            "headline status.",
        ]
    )


_EXAMPLE = RoomState(
    Tenancy.OCCUPIED,
    Condition.CLEAN,
    guest_service=ServiceStatus.DND,
    discrepancy=DiscrepancyKind.PERSON,
)


def render() -> str:
    """The whole Markdown page ``docs/state-diagram.md``, ending with a newline."""
    initial = INITIAL_STATE
    sections = [
        f"<!-- Generated from the transition table; do not edit. Regenerate with: {COMMAND} -->",
        "# Room states, transitions and booking stages",
        "This page is generated from the one transition table "
        "(`hotel_occupancy.domain.transitions.TRANSITIONS`), which the services and "
        "`services.allowed_operations` also read, so it always says what the code does. "
        "Every room state is tried against every row, in a hotel that requires inspection "
        "and in one that does not. See [Concepts](concepts.md) for the ideas behind it.",
        "A room's state has three dimensions, and an occupied room may be awaited by an "
        "arriving booking; a room also has its guests' service status and may have an "
        "open discrepancy. The table's guards are written in them:",
        _vocabulary(),
        f"A newly registered room is {initial.status.value}, condition "
        f"{initial.condition.value}, {initial.tenancy.value.lower()}, "
        f"{initial.service.value.replace('_', ' ').lower()}, guest service "
        f"{initial.guest_service.value}, with no discrepancy and no log entry.",
        "## Occupancy and service status",
        "Each arrow is labelled with the services (and their variant or room role) that move "
        "a room along it. An arrow that loops back on a status changes only the condition, "
        "the booking, the guest service status or the discrepancy (or nothing but the "
        "log). A move or a reassignment touches two rooms: the target (where the log "
        "entry is written) and the source. An occupied room awaited by an arriving booking "
        "(`OCCUPIED_ARRIVING`) is drawn apart; a variant `(arriving)` acts on that arriving "
        "booking, not on the in-house one. The guest service status and an open "
        "discrepancy are not drawn here (they do not change the headline status): they "
        "have diagrams of their own below.",
        status_diagram(),
        "## Housekeeping condition",
        "Only the services that change the condition are drawn; every other one leaves the "
        "condition as it is. Cleaning and `mark_dirty` depend on the condition alone, "
        "whatever the room's status.",
        condition_diagram(),
        "## Guest service status",
        "What the guests of an occupied room ask of housekeeping. Only the services that "
        "change it are drawn. `set_service_status` sets it on an OCCUPIED room; setting "
        "the status the room already has is refused. The guests leaving (a checkout, a "
        "move out, an undone check-in) and the night audit reset it to NONE. "
        "`start_cleaning` is refused while it is DND or SERVICE_REFUSED (the room's "
        "cleaning task stays open), and MAKE_UP_ROOM on a clean room makes it DIRTY with "
        "a cleaning task (see the condition above).",
        guest_service_diagram(),
        "## Discrepancies",
        "What housekeeping saw against the front office, opened by "
        "`report_room_observation` and listed by `services.discrepancies`. Only the "
        "services that open, change or resolve one are drawn. An observation that agrees "
        "with the front office resolves the open discrepancy, and so does every row of "
        f"the front office's services, drawn as `{FRONT_OFFICE_LABEL}`: "
        f"{', '.join(f'`{a}`' for a in sorted(FRONT_OFFICE))}; the entry of the room "
        "acted on then has `resolved_discrepancy` in its metadata. A room with an open "
        "SLEEP cannot be assigned, checked into or moved into (`RoomNotAvailable`).",
        discrepancy_diagram(),
        "## The transition table",
        "One line per row. The guards are about the room's state only, checked in order; "
        "the first that fails gives the error. The services check the input, the "
        "`request_id`, existence, the hotel, the permission and the booking's own state "
        "before these (see [errors and the check order](concepts.md#errors-and-the-check-"
        "order)), and the party's size against the room's capacity after them.",
        transition_table(),
        "## Booking stages",
        "Generated from the booking table (`hotel_occupancy.domain.bookings.BOOKING_RULES`), "
        f"which the services read for the booking's side of an operation. A booking is "
        f"{_names(BookingStage)}. `assign_room` with check-in (the default) takes an "
        "arriving booking through ASSIGNED to IN_HOUSE in one call. An arrow that loops back "
        "on a stage is a service that leaves the booking in its stage (new dates, a new "
        "party, a move, a guest queued at the desk). A booking pre-assigned to a room whose "
        "guest is due out (the room's arriving booking) is ASSIGNED too. Leaving ASSIGNED "
        "(checked in, unassigned, cancelled, no-show) takes the guest out of the desk's "
        "queue. A refusal is `BookingNotAssignable`, raised before anything changes.",
        booking_diagram(),
        booking_table(),
    ]
    return "\n\n".join(sections) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the page, or with ``--check PATH`` tell whether PATH is up to date (exit 1 if
    it is not)."""
    parser = argparse.ArgumentParser(
        prog="python -m hotel_occupancy.domain.diagram",
        description="Print docs/state-diagram.md, generated from the transition table.",
    )
    parser.add_argument(
        "--check",
        metavar="PATH",
        type=Path,
        help="exit with status 1 if PATH differs from the generated page",
    )
    args = parser.parse_args(argv)
    page = render()
    if args.check is None:
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            sys.stdout.write(page)
        else:  # UTF-8 whatever the locale, and "\n" line endings on every platform
            sys.stdout.flush()
            out.write(page.encode("utf-8"))
            out.flush()
        return 0
    path: Path = args.check
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = None
    if current != page:
        print(f"{path} is out of date; regenerate it with: {COMMAND}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
