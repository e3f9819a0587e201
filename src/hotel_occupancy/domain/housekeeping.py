"""What a transition does to a room's housekeeping tasks, as a pure plan (§3, I6).

:func:`plan_tasks` reads a row of the transition table and the room's open tasks and says
which tasks to create and which stored tasks to replace; the services store the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from attrs import frozen

from hotel_occupancy.domain.enums import TaskKind, TaskStatus
from hotel_occupancy.domain.model import Hotel, HousekeepingTask, replace
from hotel_occupancy.domain.transitions import CleaningEffect, TaskEffect, Transition

__all__ = ["TaskPlan", "plan_tasks", "task_changes"]


@frozen
class TaskPlan:
    """The changes to a room's tasks, in order: ``(task, new)`` pairs, ``new`` for a task
    to create, else the new version of a stored task (same id) to replace it with."""

    changes: tuple[tuple[HousekeepingTask, bool], ...] = ()

    @property
    def created(self) -> tuple[HousekeepingTask, ...]:
        return tuple(task for task, new in self.changes if new)

    @property
    def updated(self) -> tuple[HousekeepingTask, ...]:
        return tuple(task for task, new in self.changes if not new)

    def __bool__(self) -> bool:
        return bool(self.changes)


NO_CHANGE = TaskPlan()

# Module constants: on Python 3.11 reading a member off its Enum class costs several times
# what reading a global does, and a plan is made on most operations.
_OPEN, _IN_PROGRESS = TaskStatus.OPEN, TaskStatus.IN_PROGRESS
_DONE, _CANCELLED = TaskStatus.DONE, TaskStatus.CANCELLED
_INSPECTION, _MAINTENANCE = TaskKind.INSPECTION, TaskKind.MAINTENANCE
_CLEANING, _TURNOVER = TaskKind.CLEANING, TaskKind.TURNOVER
_C_OPEN, _C_TURNOVER, _C_START = CleaningEffect.OPEN, CleaningEffect.TURNOVER, CleaningEffect.START
_C_COMPLETE = CleaningEffect.COMPLETE
_T_OPEN, _T_COMPLETE = TaskEffect.OPEN, TaskEffect.COMPLETE


def _new_task(
    kind: TaskKind,
    status: TaskStatus,
    hotel: Hotel,
    room_id: str,
    staff_id: str,
    booking_id: str | None,
    at: datetime,
    new_id: Callable[[], str],
) -> HousekeepingTask:
    started = status is _IN_PROGRESS
    return HousekeepingTask(
        task_id=new_id(),
        hotel_id=hotel.hotel_id,
        room_id=room_id,
        kind=kind,
        status=status,
        created_at=at,
        updated_at=at,
        created_by=staff_id,
        booking_id=booking_id,
        assigned_to=staff_id if started else None,
        started_at=at if started else None,
    )


def _closed(task: HousekeepingTask, done: bool, at: datetime) -> HousekeepingTask:
    status = _DONE if done else _CANCELLED
    return replace(task, status=status, updated_at=at, closed_at=at)


def plan_tasks(
    t: Transition,
    open_tasks: Sequence[HousekeepingTask],
    *,
    hotel: Hotel,
    room_id: str,
    staff_id: str,
    booking_id: str | None,
    at: datetime,
    new_id: Callable[[], str],
) -> TaskPlan:
    """Open, start, close or cancel the room's tasks as row ``t`` says.

    ``open_tasks`` are the room's open tasks, oldest first; the oldest of each kind is the
    one acted on. ``new_id`` makes the id of a created task.
    """
    changes = task_changes(t, open_tasks, hotel, room_id, staff_id, booking_id, at, new_id)
    return TaskPlan(tuple(changes)) if changes else NO_CHANGE


def task_changes(
    t: Transition,
    open_tasks: Sequence[HousekeepingTask],
    hotel: Hotel,
    room_id: str,
    staff_id: str,
    booking_id: str | None,
    at: datetime,
    new_id: Callable[[], str],
) -> list[tuple[HousekeepingTask, bool]]:
    """The changes of :func:`plan_tasks` as a plain list of ``(task, new)`` pairs, in order
    (the runner stores them as they come, without a TaskPlan around them)."""
    cleaning = inspection = maintenance = None
    for task in open_tasks:
        kind = task.kind
        if kind is _INSPECTION:
            inspection = inspection or task
        elif kind is _MAINTENANCE:
            maintenance = maintenance or task
        else:  # TURNOVER or CLEANING
            cleaning = cleaning or task
    changes: list[tuple[HousekeepingTask, bool]] = []
    where = (hotel, room_id, staff_id, booking_id, at, new_id)  # of a task created

    effect = t.cleaning
    if effect is _C_OPEN:
        if cleaning is None:
            changes.append((_new_task(_CLEANING, _OPEN, *where), True))
    elif effect is _C_TURNOVER:
        if cleaning is None:
            changes.append((_new_task(_TURNOVER, _OPEN, *where), True))
        else:
            turnover = replace(
                cleaning,
                kind=_TURNOVER,
                status=_OPEN,
                booking_id=booking_id,
                assigned_to=None,  # new work: whoever starts the turnover takes it
                started_at=None,
                updated_at=at,
            )
            changes.append((turnover, False))
    elif effect is _C_START:
        if cleaning is None:
            changes.append((_new_task(_CLEANING, _IN_PROGRESS, *where), True))
        else:
            started = replace(
                cleaning,
                status=_IN_PROGRESS,
                assigned_to=staff_id,
                started_at=at,
                updated_at=at,
            )
            changes.append((started, False))
    elif effect is not None and cleaning is not None:  # COMPLETE or CANCEL
        changes.append((_closed(cleaning, effect is _C_COMPLETE, at), False))

    task_effect = t.inspection
    if task_effect is _T_OPEN:
        if hotel.require_inspection and inspection is None:
            changes.append((_new_task(_INSPECTION, _OPEN, *where), True))
    elif task_effect is not None and inspection is not None:
        changes.append((_closed(inspection, task_effect is _T_COMPLETE, at), False))

    task_effect = t.maintenance
    if task_effect is _T_OPEN:
        if maintenance is None:
            changes.append((_new_task(_MAINTENANCE, _OPEN, *where), True))
    elif task_effect is _T_COMPLETE and maintenance is not None:
        changes.append((_closed(maintenance, True, at), False))

    return changes
