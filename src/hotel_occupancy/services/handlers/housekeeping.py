"""Operations on one room's condition and service state: cleaning, inspection, out of
order, maintenance, return to service. Everything specific to each lives in its rows of
the transition table (new state, task effects, who is recorded); one handler serves all."""

from __future__ import annotations

from hotel_occupancy.domain.commands import (
    CompleteCleaning,
    InspectRoom,
    MarkDirty,
    ReturnToService,
    SetOutOfOrder,
    StartCleaning,
    StartMaintenance,
)
from hotel_occupancy.domain.model import LogEntry, RoomOccupancy
from hotel_occupancy.domain.occupancy import with_state
from hotel_occupancy.domain.transitions import transition
from hotel_occupancy.services.runner import Context, handles

RoomCommand = (
    MarkDirty
    | StartCleaning
    | CompleteCleaning
    | InspectRoom
    | SetOutOfOrder
    | StartMaintenance
    | ReturnToService
)


def room_operation(ctx: Context, cmd: RoomCommand, **changes: object) -> list[LogEntry]:
    """Apply the command's row of the table to its room (and ``changes`` to its record)."""
    occupancy: RoomOccupancy = ctx.found["room_id"]
    t = transition(cmd.action, cmd.variant)
    before = ctx.check(t, occupancy)
    after = t.apply(before)
    ctx.uow.occupancies.update(
        with_state(occupancy, after, ctx.at, stamp=t.stamp, staff_id=cmd.staff_id, **changes)
    )
    ctx.update_tasks(t, cmd.room_id, occupancy.booking_id)
    return [
        ctx.draft(
            t,
            room_id=cmd.room_id,
            before=before,
            after=after,
            booking_id=occupancy.booking_id,
        )
    ]


handles(MarkDirty)(room_operation)
handles(StartCleaning)(room_operation)
handles(CompleteCleaning)(room_operation)
handles(InspectRoom)(room_operation)
handles(ReturnToService)(room_operation)
