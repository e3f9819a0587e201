"""Sharing the day's cleaning among the housekeeping attendants: the worksheets (§10).

Each open cleaning task (a TURNOVER or a CLEANING, OPEN or IN_PROGRESS) is a
:class:`WorkItem`. :func:`share` deals the unstarted ones out to the attendants on duty and
gives one :class:`Worksheet` per attendant: the rooms they clean, in the order to clean them.

Priority
    How urgent a room is, :func:`priority_of` (lower comes first):

    1. ``KEEP_OUT`` is checked first: an occupied room whose guests hung do-not-disturb or
       refused service comes last whatever else holds, in case the sign comes off;
    2. ``QUEUED_ARRIVAL``: an arriving guest waits at the desk for the room;
    3. ``ARRIVAL``: the room is pre-assigned to an arriving booking, or awaited by one (a
       due-out room is ``ARRIVAL`` or ``QUEUED_ARRIVAL`` even while it is occupied);
    4. ``VACANT_DIRTY``: a vacant room to make sellable;
    5. ``MAKE_UP_ROOM``: the guests asked for their room to be made up;
    6. ``STAYOVER``: an occupied room's daily cleaning.

Work order
    Tasks are done in work order, :func:`work_order`: by priority, then by room number in
    natural order ("2" before "10"), then by task id. Every sheet and the overflow list
    their tasks in work order.

Credits
    A credit is the hotel's unit of housekeeping effort: each task is worth a whole number
    of credits (at least 1), so that attendants get a fair share of the work rather than
    the same number of rooms. :func:`credits_for` gives a task's worth from the hotel's two
    rates: a vacant room's clean (a checkout/turnover) is worth ``checkout_credits``, an
    occupied room's (a stayover) ``stayover_credits``; a checkout is usually worth more. An
    attendant's *load* is the sum of the credits of the tasks on their sheet, and
    ``max_credits``, if given, is the most one attendant may be given in a shift.

How :func:`share` deals the tasks
    1. Its arguments are checked first, and bad ones are refused with
       :class:`~hotel_occupancy.domain.errors.InvalidInput`: ``attendants`` must be a
       non-empty sequence of distinct non-empty staff ids; ``max_credits`` is None (no
       limit) or an int of at least 1; every item must be a TURNOVER or a CLEANING, OPEN
       or IN_PROGRESS, worth at least 1 credit, and no two items may share a task id.
    2. A started (IN_PROGRESS) task stays with the attendant cleaning it (its
       ``assigned_to``): it is on their sheet if they are among ``attendants``, and its
       credits count towards their load. It is never moved, never in the overflow and
       never in :attr:`WorksheetPlan.assignments`. A started task whose cleaner is not
       among ``attendants`` (or is unknown) is on no sheet.
    3. The unstarted (OPEN) tasks are taken one by one in work order. Each goes to the
       attendant with the lowest load so far (on a tie, the one listed first in
       ``attendants``) among those it still fits: load + the task's credits at most
       ``max_credits``. If it fits nobody it goes to the overflow, for a supervisor to
       deal with. Whom an unstarted task was given before is ignored: the sheets are made
       anew each time.
    4. The plan depends only on the inputs, not on the order of ``items``: the same tasks
       and attendants always give the same sheets.

:func:`sheet_for` reads one attendant's current sheet back from the tasks as stored once a
plan was applied (every task ``assigned_to`` them, in work order).

Everything here is pure: nothing is read or stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrs import frozen

from hotel_occupancy.domain.enums import ServiceStatus, TaskKind, TaskStatus, WorkPriority
from hotel_occupancy.domain.errors import InvalidInput
from hotel_occupancy.domain.model import natural_key

__all__ = [
    "WorkItem",
    "WorkOrderKey",
    "Worksheet",
    "WorksheetLine",
    "WorksheetPlan",
    "as_stored",
    "credits_for",
    "priority_of",
    "share",
    "sheet_for",
    "work_order",
]

WorkOrderKey = tuple[WorkPriority, str, str]
"""The sort key of :func:`work_order`: (priority, natural room number, task id)."""

_KINDS = (TaskKind.TURNOVER, TaskKind.CLEANING)
_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


def priority_of(
    *, occupied: bool, assigned: bool, queued: bool, service_status: ServiceStatus
) -> WorkPriority:
    """How urgent cleaning a room is (see the module's *Priority*).

    ``assigned``: an arriving booking is pre-assigned to the room or awaits it; ``queued``:
    that booking's guest waits at the desk. ``service_status`` only matters on an occupied
    room: do-not-disturb or service refused puts it last, whatever else holds.
    """
    if occupied and service_status.keeps_out:
        return WorkPriority.KEEP_OUT
    if queued:
        return WorkPriority.QUEUED_ARRIVAL
    if assigned:
        return WorkPriority.ARRIVAL
    if not occupied:
        return WorkPriority.VACANT_DIRTY
    if service_status is ServiceStatus.MAKE_UP_ROOM:
        return WorkPriority.MAKE_UP_ROOM
    return WorkPriority.STAYOVER


def credits_for(*, occupied: bool, checkout_credits: int, stayover_credits: int) -> int:
    """The credits a room's cleaning is worth: ``stayover_credits`` for an occupied room,
    ``checkout_credits`` for a vacant one (a turnover or another vacant clean).

    Both rates must be ints of at least 1, else :class:`InvalidInput`.
    """
    _require_credits(checkout_credits, "checkout_credits")
    _require_credits(stayover_credits, "stayover_credits")
    return stayover_credits if occupied else checkout_credits


@frozen
class WorkItem:
    """One open cleaning task as :func:`share` sees it.

    ``kind`` is TURNOVER or CLEANING, ``status`` OPEN or IN_PROGRESS, ``credits`` at least 1
    (:func:`credits_for`), ``priority`` from :func:`priority_of`. ``assigned_to``: who has
    the task now; for a started task, the attendant cleaning it.
    """

    task_id: str
    room_id: str
    number: str
    kind: TaskKind
    status: TaskStatus
    priority: WorkPriority
    credits: int
    service_status: ServiceStatus
    assigned_to: str | None = None


@frozen
class WorksheetLine:
    """One task on a worksheet: what the attendant sees."""

    task_id: str
    room_id: str
    number: str
    kind: TaskKind
    status: TaskStatus
    priority: WorkPriority
    credits: int
    service_status: ServiceStatus


@frozen
class Worksheet:
    """One attendant's tasks, in work order."""

    staff_id: str
    lines: tuple[WorksheetLine, ...] = ()

    @property
    def credits(self) -> int:
        """The attendant's load: the sum of the lines' credits."""
        return sum(line.credits for line in self.lines)


@frozen
class WorksheetPlan:
    """What :func:`share` decided.

    ``sheets``: one per attendant, in the order the attendants were given. ``overflow``: the
    unstarted tasks nobody could take, in work order. ``assignments``: ``(task_id,
    staff_id)`` for every unstarted task put on a sheet, in work order (started tasks are
    not in it: they keep their attendant).
    """

    sheets: tuple[Worksheet, ...]
    overflow: tuple[WorksheetLine, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()

    def assignee(self, task_id: str) -> str | None:
        """Whom the unstarted task ``task_id`` was given to, or None (overflow, started or
        unknown task)."""
        for assigned_task, staff_id in self.assignments:
            if assigned_task == task_id:
                return staff_id
        return None

    def sheet(self, staff_id: str) -> Worksheet | None:
        """The sheet of ``staff_id``, or None if they were not among the attendants."""
        for sheet in self.sheets:
            if sheet.staff_id == staff_id:
                return sheet
        return None

    @property
    def assignment_map(self) -> Mapping[str, str]:
        """``assignments`` as a new dict, task id to staff id."""
        return dict(self.assignments)


def work_order(item: WorkItem | WorksheetLine) -> WorkOrderKey:
    """The order tasks are done in: (priority, natural room number, task id)."""
    return (item.priority, natural_key(item.number), item.task_id)


def _line(item: WorkItem) -> WorksheetLine:
    return WorksheetLine(
        task_id=item.task_id,
        room_id=item.room_id,
        number=item.number,
        kind=item.kind,
        status=item.status,
        priority=item.priority,
        credits=item.credits,
        service_status=item.service_status,
    )


def _require_credits(value: object, name: str) -> None:
    if type(value) is not int or value < 1:
        raise InvalidInput(f"{name} must be an int of at least 1, not {value!r}")


def _check_items(items: Sequence[WorkItem]) -> None:
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, WorkItem):
            raise InvalidInput(f"a work item must be a WorkItem, not {item!r}")
        if item.kind not in _KINDS:
            raise InvalidInput(
                f"task {item.task_id!r} is a {item.kind}: only TURNOVER and CLEANING tasks "
                "go on worksheets",
                task_id=item.task_id,
            )
        if item.status not in _STATUSES:
            raise InvalidInput(
                f"task {item.task_id!r} is {item.status}: only OPEN and IN_PROGRESS tasks "
                "go on worksheets",
                task_id=item.task_id,
            )
        if type(item.credits) is not int or item.credits < 1:
            raise InvalidInput(
                f"task {item.task_id!r} must be worth an int of at least 1 credit, "
                f"not {item.credits!r}",
                task_id=item.task_id,
            )
        if item.task_id in seen:
            raise InvalidInput(f"task {item.task_id!r} is given twice", task_id=item.task_id)
        seen.add(item.task_id)


def _check_attendants(attendants: Sequence[str]) -> None:
    if isinstance(attendants, str):
        raise InvalidInput("attendants must be a sequence of staff ids, not one string")
    if not attendants:
        raise InvalidInput("at least one attendant is needed to share the work")
    seen: set[str] = set()
    for staff_id in attendants:
        if not isinstance(staff_id, str) or not staff_id:
            raise InvalidInput(f"an attendant must be a non-empty staff id, not {staff_id!r}")
        if staff_id in seen:
            raise InvalidInput(f"attendant {staff_id!r} is given twice", staff_id=staff_id)
        seen.add(staff_id)


def share(
    items: Sequence[WorkItem], attendants: Sequence[str], max_credits: int | None = None
) -> WorksheetPlan:
    """Share the open cleaning tasks ``items`` among ``attendants`` (see the module's *How
    share deals the tasks*); at most ``max_credits`` per attendant for the tasks it deals
    out, no limit if None."""
    _check_attendants(attendants)
    if max_credits is not None:
        _require_credits(max_credits, "max_credits")
    _check_items(items)

    order = {staff_id: index for index, staff_id in enumerate(attendants)}
    loads = dict.fromkeys(attendants, 0)
    taken: dict[str, list[WorkItem]] = {staff_id: [] for staff_id in attendants}
    unstarted: list[WorkItem] = []
    for item in items:
        if item.status is TaskStatus.IN_PROGRESS:
            holder = item.assigned_to
            if holder is not None and holder in loads:
                loads[holder] += item.credits
                taken[holder].append(item)
        else:
            unstarted.append(item)

    overflow: list[WorksheetLine] = []
    assignments: list[tuple[str, str]] = []
    for item in sorted(unstarted, key=work_order):
        fits = [
            staff_id
            for staff_id in attendants
            if max_credits is None or loads[staff_id] + item.credits <= max_credits
        ]
        if not fits:
            overflow.append(_line(item))
            continue
        chosen = min(fits, key=lambda staff_id: (loads[staff_id], order[staff_id]))
        loads[chosen] += item.credits
        taken[chosen].append(item)
        assignments.append((item.task_id, chosen))

    sheets = tuple(
        Worksheet(
            staff_id=staff_id,
            lines=tuple(_line(item) for item in sorted(taken[staff_id], key=work_order)),
        )
        for staff_id in attendants
    )
    return WorksheetPlan(sheets=sheets, overflow=tuple(overflow), assignments=tuple(assignments))


def sheet_for(items: Sequence[WorkItem], staff_id: str) -> Worksheet:
    """The current sheet of ``staff_id``: the items ``assigned_to`` them, started or not, in
    work order. The items are checked as :func:`share` checks them."""
    if not isinstance(staff_id, str) or not staff_id:
        raise InvalidInput(f"staff_id must be a non-empty staff id, not {staff_id!r}")
    _check_items(items)
    mine = sorted((item for item in items if item.assigned_to == staff_id), key=work_order)
    return Worksheet(staff_id=staff_id, lines=tuple(_line(item) for item in mine))


def as_stored(items: Sequence[WorkItem], attendants: Sequence[str] | None = None) -> WorksheetPlan:
    """The plan the items stand for as stored (each ``assigned_to`` its attendant): the
    sheet of each of ``attendants`` (default: everyone holding an item, by staff id), the
    unstarted items nobody holds as the overflow, and the unstarted items held, in work
    order, as the assignments. Right after :func:`share` was applied to the items, this
    is the plan it gave."""
    _check_items(items)
    if attendants is None:
        attendants = sorted({i.assigned_to for i in items if i.assigned_to is not None})
    ordered = sorted(items, key=work_order)
    sheets = tuple(sheet_for(items, staff_id) for staff_id in attendants)
    on_sheets = set(attendants)
    return WorksheetPlan(
        sheets=sheets,
        overflow=tuple(
            _line(i) for i in ordered if i.status is TaskStatus.OPEN and i.assigned_to is None
        ),
        assignments=tuple(
            (i.task_id, i.assigned_to)
            for i in ordered
            if i.status is TaskStatus.OPEN and i.assigned_to in on_sheets
        ),
    )
