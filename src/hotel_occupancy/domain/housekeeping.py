"""What a transition does to a room's housekeeping tasks, as a pure plan (§3, I6).

:func:`plan_tasks` reads a row of the transition table and the room's open tasks and says
which tasks to create and which stored tasks to replace; the services store the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypedDict

from attrs import frozen

from hotel_occupancy.domain.enums import TaskKind, TaskStatus
from hotel_occupancy.domain.model import Hotel, HousekeepingTask, replace
from hotel_occupancy.domain.transitions import CleaningEffect, TaskEffect, Transition

__all__ = ["TaskPlan", "plan_tasks"]


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


class _Where(TypedDict):
    """Where and when a created task belongs."""

    hotel: Hotel
    room_id: str
    staff_id: str
    booking_id: str | None
    at: datetime
    new_id: Callable[[], str]


def _new_task(
    kind: TaskKind,
    status: TaskStatus,
    *,
    hotel: Hotel,
    room_id: str,
    staff_id: str,
    booking_id: str | None,
    at: datetime,
    new_id: Callable[[], str],
) -> HousekeepingTask:
    started = status is TaskStatus.IN_PROGRESS
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
    status = TaskStatus.DONE if done else TaskStatus.CANCELLED
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
    cleaning = inspection = maintenance = None
    for task in open_tasks:
        if task.kind is TaskKind.INSPECTION:
            inspection = inspection or task
        elif task.kind is TaskKind.MAINTENANCE:
            maintenance = maintenance or task
        else:  # TURNOVER or CLEANING
            cleaning = cleaning or task
    changes: list[tuple[HousekeepingTask, bool]] = []
    where: _Where = {
        "hotel": hotel,
        "room_id": room_id,
        "staff_id": staff_id,
        "booking_id": booking_id,
        "at": at,
        "new_id": new_id,
    }

    effect = t.cleaning
    if effect is CleaningEffect.OPEN:
        if cleaning is None:
            changes.append((_new_task(TaskKind.CLEANING, TaskStatus.OPEN, **where), True))
    elif effect is CleaningEffect.TURNOVER:
        if cleaning is None:
            changes.append((_new_task(TaskKind.TURNOVER, TaskStatus.OPEN, **where), True))
        else:
            turnover = replace(
                cleaning,
                kind=TaskKind.TURNOVER,
                status=TaskStatus.OPEN,
                booking_id=booking_id,
                assigned_to=None,  # new work: whoever starts the turnover takes it
                started_at=None,
                updated_at=at,
            )
            changes.append((turnover, False))
    elif effect is CleaningEffect.START:
        if cleaning is None:
            changes.append((_new_task(TaskKind.CLEANING, TaskStatus.IN_PROGRESS, **where), True))
        else:
            started = replace(
                cleaning,
                status=TaskStatus.IN_PROGRESS,
                assigned_to=staff_id,
                started_at=at,
                updated_at=at,
            )
            changes.append((started, False))
    elif effect is not None and cleaning is not None:  # COMPLETE or CANCEL
        changes.append((_closed(cleaning, effect is CleaningEffect.COMPLETE, at), False))

    if t.inspection is TaskEffect.OPEN:
        if hotel.require_inspection and inspection is None:
            changes.append((_new_task(TaskKind.INSPECTION, TaskStatus.OPEN, **where), True))
    elif t.inspection is not None and inspection is not None:
        changes.append((_closed(inspection, t.inspection is TaskEffect.COMPLETE, at), False))

    if t.maintenance is TaskEffect.OPEN:
        if maintenance is None:
            changes.append((_new_task(TaskKind.MAINTENANCE, TaskStatus.OPEN, **where), True))
    elif t.maintenance is TaskEffect.COMPLETE and maintenance is not None:
        changes.append((_closed(maintenance, True, at), False))

    return TaskPlan(tuple(changes)) if changes else NO_CHANGE
