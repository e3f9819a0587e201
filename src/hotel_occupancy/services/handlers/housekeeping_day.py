"""The housekeeping day (§10): guest service statuses, housekeeping's observations, the
night audit, out-of-service windows, and sharing the day's tasks among attendants.

What each does to a room is its rows of the transition table; these handlers say which
row applies (the definitions of :mod:`hotel_occupancy.domain.housekeeping_day`) and read
and write in bulk where a call acts on a whole hotel.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence

from hotel_occupancy.domain.commands import (
    AssignTask,
    GenerateWorksheets,
    NightAudit,
    ReportRoomObservation,
    SetOutOfOrder,
    SetServiceStatus,
    StartMaintenance,
)
from hotel_occupancy.domain.dates import local_date
from hotel_occupancy.domain.enums import (
    OccupancyStatus,
    ServiceStatus,
    StaffRole,
    TaskStatus,
)
from hotel_occupancy.domain.errors import InvalidInput, InvalidTransition
from hotel_occupancy.domain.housekeeping import task_changes
from hotel_occupancy.domain.housekeeping_day import finding, stayover_due
from hotel_occupancy.domain.model import (
    BoardRow,
    HousekeepingTask,
    LogEntry,
    MetadataValue,
    RoomOccupancy,
    Staff,
    new_id,
    replace,
)
from hotel_occupancy.domain.model import NightAudit as AuditRecord
from hotel_occupancy.domain.occupancy import state_of, with_state
from hotel_occupancy.domain.transitions import Refusal, Service, Tenancy, choose, transition
from hotel_occupancy.domain.worksheets import (
    WorkItem,
    WorksheetPlan,
    credits_for,
    priority_of,
    share,
)
from hotel_occupancy.services.handlers.housekeeping import room_operation
from hotel_occupancy.services.runner import Context, Stored, handles

__all__ = ["ATTENDANT_ROLES", "work_items"]

ATTENDANT_ROLES = frozenset({StaffRole.HOUSEKEEPING, StaffRole.SUPERVISOR})
"""The roles of the staff a housekeeping task can be given to."""

_OCCUPIED = OccupancyStatus.OCCUPIED
_MAKE_UP_ROOM = ServiceStatus.MAKE_UP_ROOM


# --- what the guests ask ----------------------------------------------------------------


@handles(SetServiceStatus)
def set_service_status(ctx: Context, cmd: SetServiceStatus) -> list[LogEntry]:
    """The room's row for the status asked; a make-up request on a room already to clean
    takes the row that only records it (the table's guards choose)."""
    occupancy: RoomOccupancy = ctx.found["room_id"]
    variants = (
        (cmd.variant, "MAKE_UP_ROOM/dirty") if cmd.status is _MAKE_UP_ROOM else (cmd.variant,)
    )
    t, before = ctx.check_any(cmd.action, variants, occupancy)
    after = t.apply(before)
    ctx.uow.occupancies.update(with_state(occupancy, after, ctx.at))
    ctx.update_tasks(t, cmd.room_id, occupancy.booking_id)
    return [
        ctx.draft(
            t, room_id=cmd.room_id, before=before, after=after, booking_id=occupancy.booking_id
        )
    ]


# --- what housekeeping saw ----------------------------------------------------------------


@handles(ReportRoomObservation)
def report_room_observation(ctx: Context, cmd: ReportRoomObservation) -> list[LogEntry]:
    """Compare the observation with the front office (§10's definitions) and run the row
    of what it finds: a discrepancy opened (or re-reported), or an agreement resolving any
    open one. Every observation is logged."""
    occupancy: RoomOccupancy = ctx.found["room_id"]
    occupied = occupancy.status is _OCCUPIED
    expected = 0
    if occupied and occupancy.booking_id is not None:
        expected = sum(g.in_house for g in ctx.uow.guests.for_booking(occupancy.booking_id))
    found = finding(
        front_office_occupied=occupied,
        occupied=cmd.occupied,
        guests=cmd.guests,
        expected_guests=expected,
    )
    t = transition(cmd.action, "agrees" if found is None else found.value)
    before = ctx.check(t, occupancy)
    after = t.apply(before)
    if found is None:
        record = with_state(occupancy, after, ctx.at)
    else:  # (re)opened: who saw what, and when
        record = with_state(
            occupancy,
            after,
            ctx.at,
            discrepancy_by=cmd.staff_id,
            discrepancy_at=ctx.at,
            observed_guests=cmd.guests,
        )
    ctx.uow.occupancies.update(record)
    return [
        ctx.draft(
            t,
            room_id=cmd.room_id,
            before=before,
            after=after,
            booking_id=occupancy.booking_id,
            metadata={
                "expected_guests": expected,
                "front_office_occupied": occupied,
            },
        )
    ]


# --- out-of-service windows -----------------------------------------------------------------


@handles(SetOutOfOrder)
@handles(StartMaintenance)
def out_of_service(ctx: Context, cmd: SetOutOfOrder | StartMaintenance) -> list[LogEntry]:
    """The row of the command, with its window: ``until`` may not be before today (the
    hotel's local date)."""
    if cmd.until is not None:
        today = local_date(ctx.hotel, ctx.at)
        if cmd.until < today:
            raise InvalidInput(
                f"until {cmd.until.isoformat()} is before today ({today.isoformat()} "
                f"in {ctx.hotel.timezone})",
                room_id=cmd.room_id,
            )
    return room_operation(ctx, cmd, **cmd.record_changes())


# --- the night audit ------------------------------------------------------------------------


@handles(NightAudit)
def night_audit(ctx: Context, cmd: NightAudit) -> Sequence[LogEntry]:
    """Close the business day in one go, once per hotel and date (§10)."""
    uow, hotel = ctx.uow, ctx.hotel
    day = cmd.business_date
    today = local_date(hotel, ctx.at)
    if day > today:
        raise InvalidTransition(
            f"the business date {day.isoformat()} is after today ({today.isoformat()} in "
            f"{hotel.timezone})",
            hotel_id=hotel.hotel_id,
        )
    last = uow.audits.claim(hotel.hotel_id)  # waits for a concurrent audit of the hotel
    if last is not None and day <= last.business_date:
        done = last if day == last.business_date else uow.audits.get(hotel.hotel_id, day)
        if done is not None:  # audited already: its entries, nothing changed
            return Stored(uow.audits.entries(done))
        raise InvalidTransition(
            f"the business date {day.isoformat()} is before the last one audited "
            f"({last.business_date.isoformat()})",
            hotel_id=hotel.hotel_id,
        )
    records = uow.occupancies.for_hotel(hotel.hotel_id)  # locked, in room order
    for record in records:  # one time for every entry: no room's times go backwards
        if record.updated_at > ctx.at:
            ctx.at = record.updated_at
    at = ctx.at
    stays = {s.room_id: s for s in uow.bookings.in_house(hotel.hotel_id) if s.room_id}
    overdue = sorted(s.booking_id for s in stays.values() if s.departure <= day)
    open_tasks: dict[str, list[HousekeepingTask]] = defaultdict(list)
    for task in sorted(uow.tasks.open_for_hotel(hotel.hotel_id), key=_oldest_first):
        open_tasks[task.room_id].append(task)

    changed: list[RoomOccupancy] = []
    created: list[HousekeepingTask] = []
    updated: list[HousekeepingTask] = []
    drafts: list[LogEntry] = []
    for record in records:
        state = state_of(record)
        if state.service is not Service.IN_SERVICE:
            until, condition = record.out_of_service_until, record.return_condition
            if until is None or condition is None or until > day:
                continue
            variants: tuple[str, ...] = (f"return-{condition.value}",)
        elif state.tenancy is Tenancy.OCCUPIED:
            stay = stays.get(record.room_id)
            check_in = (
                local_date(hotel, stay.checked_in_at)
                if stay is not None and stay.checked_in_at is not None
                else day
            )
            due = stayover_due(hotel.stayover_every, check_in, day)
            variants = ("stayover", "service-reset") if due else ("service-reset",)
        else:
            continue
        t = choose(cmd.action, variants, state, hotel.require_inspection)
        if isinstance(t, Refusal):
            continue  # nothing for the audit to do in this room
        after = t.apply(state)
        changed.append(with_state(record, after, at))
        for task, new in task_changes(
            t,
            open_tasks.get(record.room_id, ()),
            hotel,
            record.room_id,
            ctx.actor,
            record.booking_id,
            at,
            new_id,
        ):
            (created if new else updated).append(task)
        metadata: dict[str, MetadataValue] = {}
        if not drafts:  # the first entry says which departures the audit found overdue
            metadata = {
                "overdue_departures": json.dumps(overdue),
                "overdue_count": len(overdue),
            }
        drafts.append(
            ctx.draft(
                t,
                room_id=record.room_id,
                before=state,
                after=after,
                booking_id=record.booking_id,
                metadata=metadata,
            )
        )
    uow.occupancies.update_many(changed)
    uow.tasks.add_many(created)
    uow.tasks.update_many(updated)
    uow.audits.add(AuditRecord(hotel.hotel_id, day, ctx.actor, at, len(drafts)))
    return drafts


def _oldest_first(task: HousekeepingTask) -> tuple[object, ...]:
    return (task.created_at, task.task_id)


# --- attendants and worksheets ------------------------------------------------------------


def _attendant(staff: Staff) -> None:
    """Refuse giving tasks to someone who is not an active housekeeping staff member."""
    if not staff.active:
        raise InvalidTransition(
            f"staff member {staff.staff_id!r} is deactivated and cannot be given tasks",
            staff_id=staff.staff_id,
        )
    if staff.role not in ATTENDANT_ROLES:
        raise InvalidTransition(
            f"staff member {staff.staff_id!r} is {staff.role.value}: tasks go to "
            "HOUSEKEEPING or SUPERVISOR staff",
            staff_id=staff.staff_id,
        )


@handles(AssignTask)
def assign_task(ctx: Context, cmd: AssignTask) -> list[LogEntry]:
    """Give the open task to the attendant. Its room's record is locked first, so that a
    cleaning started meanwhile is not undone; giving a task to whoever has it changes
    nothing. Not a change of the room's state: no log entry (the task records it)."""
    _attendant(ctx.found["assignee_id"])
    task: HousekeepingTask = ctx.found["task_id"]
    ctx.uow.occupancies.lock([task.room_id])
    current = ctx.uow.tasks.get(cmd.task_id)
    if current is None or not current.is_open:
        status = "gone" if current is None else current.status.value
        raise InvalidTransition(
            f"task {cmd.task_id!r} is {status}: only an open task can be given",
            task_id=cmd.task_id,
        )
    if current.assigned_to != cmd.assignee_id:
        ctx.uow.tasks.update(replace(current, assigned_to=cmd.assignee_id, updated_at=ctx.at))
    return []


def work_items(
    board: Sequence[BoardRow], tasks: Sequence[HousekeepingTask], checkout: int, stayover: int
) -> list[WorkItem]:
    """The open cleaning tasks as the worksheets see them: each with its room's number,
    priority (§10's order) and credits (the hotel's)."""
    rooms = {row.room_id: row for row in board}
    items = []
    for task in tasks:
        row = rooms.get(task.room_id)
        if row is None or not task.kind.is_cleaning or not task.is_open:
            continue
        occupied = row.status is _OCCUPIED
        items.append(
            WorkItem(
                task_id=task.task_id,
                room_id=task.room_id,
                number=row.number,
                kind=task.kind,
                status=task.status,
                priority=priority_of(
                    occupied=occupied,
                    assigned=row.arriving_booking_id is not None
                    or (row.booking_id is not None and not occupied),
                    queued=row.queued,
                    service_status=row.service_status,
                ),
                credits=credits_for(
                    occupied=occupied, checkout_credits=checkout, stayover_credits=stayover
                ),
                service_status=row.service_status,
                assigned_to=task.assigned_to,
            )
        )
    return items


@handles(GenerateWorksheets)
def generate_worksheets(ctx: Context, cmd: GenerateWorksheets) -> list[LogEntry]:
    """Share the open, unstarted cleaning tasks among the attendants and store who has
    which (the plan is the call's outcome). The hotel's records are locked first (in room
    order), so no cleaning starts while the tasks are shared out."""
    uow, hotel = ctx.uow, ctx.hotel
    for attendant in ctx.found["attendants"]:  # (found and of the hotel: the runner saw)
        _attendant(attendant)
    uow.occupancies.for_hotel(hotel.hotel_id)
    tasks = uow.tasks.open_for_hotel(hotel.hotel_id)
    items = work_items(
        uow.occupancies.board(hotel.hotel_id),
        tasks,
        hotel.checkout_credits,
        hotel.stayover_credits,
    )
    plan: WorksheetPlan = share(items, cmd.attendants, cmd.max_credits)
    by_id = {task.task_id: task for task in tasks}
    changed = []
    for item in items:
        if item.status is not TaskStatus.OPEN:
            continue  # started: it keeps its attendant
        assignee = plan.assignee(item.task_id)
        task = by_id[item.task_id]
        if task.assigned_to != assignee:
            changed.append(replace(task, assigned_to=assignee, updated_at=ctx.at))
    uow.tasks.update_many(changed)
    ctx.outcome = plan
    return []
