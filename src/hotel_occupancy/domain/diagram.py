"""The docs' state diagram, generated from the transition table and the booking table.

Everything here is read off :data:`~hotel_occupancy.domain.transitions.TRANSITIONS` and
:data:`~hotel_occupancy.domain.bookings.BOOKING_RULES`: every
consistent room state (:func:`~hotel_occupancy.domain.transitions.all_states`) is tried
against every row, in a hotel that requires inspection and in one that does not; each row
whose guards the state passes gives an edge from the state to the one the row leads to.
Nothing is drawn by hand, so the diagram cannot disagree with the code.

Regenerate the committed page with::

    python -m hotel_occupancy.domain.diagram > docs/state-diagram.md

and check that it is up to date (exit status 1 if not) with::

    python -m hotel_occupancy.domain.diagram --check docs/state-diagram.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import NamedTuple, TypeVar

from hotel_occupancy.domain.bookings import BOOKING_RULES, BookingStage
from hotel_occupancy.domain.enums import Condition, OccupancyStatus
from hotel_occupancy.domain.transitions import (
    ARRIVING_VARIANTS,
    INITIAL_STATE,
    READY,
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


def _steps() -> Iterable[tuple[RoomState, Transition, bool, RoomState]]:
    """Every (state, row, require_inspection, new state) the table allows."""
    for state in all_states():
        for t in TRANSITIONS:
            for require_inspection in _INSPECTION_SETTINGS:
                if t.refusal(state, require_inspection) is None:
                    yield state, t, require_inspection, t.apply(state)


def _edges(node: Callable[[RoomState], _NodeKey], *, keep_loops: bool) -> tuple[Edge, ...]:
    """The edges between the nodes ``node`` maps states to, one per pair of nodes, each
    labelled with the rows that draw it (marked when only one inspection setting does)."""
    settings: dict[tuple[_NodeKey, _NodeKey], dict[str, set[bool]]] = {}
    for before, t, require_inspection, after in _steps():
        pair = (node(before), node(after))
        if pair[0] == pair[1] and not keep_loops:
            continue
        settings.setdefault(pair, {}).setdefault(row_label(t), set()).add(require_inspection)
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


def status_edges() -> tuple[Edge, ...]:
    """The edges of the status diagram, self-loops included (a row that changes only the
    condition, such as ``mark_dirty`` on an occupied room, loops on its status)."""
    return _edges(_status_key, keep_loops=True)


def condition_edges() -> tuple[Edge, ...]:
    """The edges of the condition diagram: only the rows that change the condition."""
    return _edges(_condition_key, keep_loops=False)


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


# --- the table -------------------------------------------------------------------------------


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
    return any(
        before.arriving and after.tenancy is Tenancy.ASSIGNED and t.tenancy is Tenancy.VACANT
        for before, row, _, after in _steps()
        if row is t
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
        guards = "<br>".join(f"{i}. {_guard_text(g)}" for i, g in enumerate(t.guards, 1))
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
        ]
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
        "arriving booking; the table's guards are written in them:",
        _vocabulary(),
        f"A newly registered room is {initial.status.value}, condition "
        f"{initial.condition.value}, {initial.tenancy.value.lower()}, "
        f"{initial.service.value.replace('_', ' ').lower()}, and has no log entry.",
        "## Occupancy and service status",
        "Each arrow is labelled with the services (and their variant or room role) that move "
        "a room along it. An arrow that loops back on a status changes only the condition or "
        "the booking. A move or a reassignment touches two rooms: the target (where the log "
        "entry is written) and the source. An occupied room awaited by an arriving booking "
        "(`OCCUPIED_ARRIVING`) is drawn apart; a variant `(arriving)` acts on that arriving "
        "booking, not on the in-house one.",
        status_diagram(),
        "## Housekeeping condition",
        "Only the services that change the condition are drawn; every other one leaves the "
        "condition as it is. Cleaning and `mark_dirty` depend on the condition alone, "
        "whatever the room's status.",
        condition_diagram(),
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
