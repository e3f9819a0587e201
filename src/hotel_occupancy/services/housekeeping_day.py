"""The housekeeping day's services (§10): the night audit, guest service statuses,
housekeeping's observations and the discrepancies they find, tasks given to attendants
and the day's worksheets.

The mutating services run their command with the runner, like every operation; the
queries read in their own read-only transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from hotel_occupancy.domain.commands import (
    AssignTask,
    GenerateWorksheets,
    NightAudit,
    ReportRoomObservation,
    SetServiceStatus,
)
from hotel_occupancy.domain.enums import DiscrepancyKind, ServiceStatus
from hotel_occupancy.domain.model import DiscrepancyRow, LogEntry, natural_key
from hotel_occupancy.domain.rules import check_same_hotel
from hotel_occupancy.domain.validation import require_id
from hotel_occupancy.domain.worksheets import (
    WorkItem,
    Worksheet,
    WorksheetPlan,
    as_stored,
    sheet_for,
)
from hotel_occupancy.domain.zones import zone
from hotel_occupancy.services import lookups as c
from hotel_occupancy.services.handlers.housekeeping_day import work_items
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import execute, run

__all__ = [
    "assign_task",
    "discrepancies",
    "generate_worksheets",
    "night_audit",
    "report_room_observation",
    "set_service_status",
    "worksheet",
    "worksheets",
]


def night_audit(
    uow: UnitOfWork, *, hotel_id: str, business_date: date, staff_id: str
) -> tuple[LogEntry, ...]:
    """Close the hotel's business day ``business_date`` (its local date) and return the
    entries (NIGHT_AUDIT, one per room it changed, in room id order):

    - every OCCUPIED room in condition CLEAN or INSPECTED whose guest's stayover cleaning
      is due (the hotel's ``stayover_every``, counted in nights since check-in) becomes
      DIRTY with a CLEANING task;
    - every guest service status (DND, MAKE_UP_ROOM, SERVICE_REFUSED) is reset to NONE;
    - a room out of order or in maintenance whose window's ``until`` date is the business
      date (or before it, if that day's audit was missed) returns to service in its return
      condition.

    The first entry's metadata lists the in-house bookings overdue to depart
    (``overdue_departures``, a JSON list of booking ids, and ``overdue_count``).

    Once per hotel and business date, whatever the number of callers: a second call for
    the same date (a scheduler firing twice, even at the same moment) returns the first
    call's entries and changes nothing. A date after today, or before the last date
    audited, is InvalidTransition. Front desk and manager.
    """
    return execute(
        uow, NightAudit(hotel_id=hotel_id, business_date=business_date, staff_id=staff_id)
    )


def set_service_status(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    status: ServiceStatus,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Record what the guests of an OCCUPIED room ask of housekeeping (SERVICE_STATUS):
    DND (do not disturb) or SERVICE_REFUSED keep cleaners out (``start_cleaning`` is
    InvalidTransition; the task stays open); MAKE_UP_ROOM asks for cleaning now, and makes
    a CLEAN or INSPECTED room DIRTY with a CLEANING task; NONE lifts any of them. A room
    that is not occupied is RoomNotOccupied; setting the status the room already has is
    InvalidTransition. Checkout, a move out and the night audit reset it."""
    return execute(
        uow,
        SetServiceStatus(
            room_id=room_id, staff_id=staff_id, status=status, notes=notes, request_id=request_id
        ),
    )


def report_room_observation(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    occupied: bool,
    guests: int | None = None,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Record what housekeeping saw in a room (DISCREPANCY, logged every time): whether it
    is ``occupied`` and, if counted, how many ``guests`` are in it. Against the front
    office it finds a SKIP (the front office says occupied, the room was vacant), a SLEEP
    (the front office says vacant, someone was in it) or a PERSON (occupied both ways, a
    different number of guests), kept open on the room and listed by
    :func:`discrepancies`; an agreeing observation resolves the open one. A room with an
    open SLEEP cannot be assigned or checked into (RoomNotAvailable). Any front-office
    operation on the room resolves its discrepancy too (its entry's metadata says
    ``resolved_discrepancy``)."""
    return execute(
        uow,
        ReportRoomObservation(
            room_id=room_id,
            staff_id=staff_id,
            occupied=occupied,
            guests=guests,
            notes=notes,
            request_id=request_id,
        ),
    )


def assign_task(
    uow: UnitOfWork,
    *,
    task_id: str,
    assignee_id: str,
    staff_id: str,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Give an open task to ``assignee_id``, an active HOUSEKEEPING or SUPERVISOR staff
    member of the task's hotel (else InvalidTransition). Supervisor and manager. A task is
    not a room's state: nothing is logged (the empty tuple is returned); the task records
    its ``assigned_to``."""
    return execute(
        uow,
        AssignTask(
            task_id=task_id, assignee_id=assignee_id, staff_id=staff_id, request_id=request_id
        ),
    )


def generate_worksheets(
    uow: UnitOfWork,
    *,
    hotel_id: str,
    attendants: Sequence[str],
    staff_id: str,
    max_credits: int | None = None,
    request_id: str | None = None,
) -> WorksheetPlan:
    """Share the hotel's open, unstarted cleaning tasks among ``attendants`` (active
    HOUSEKEEPING or SUPERVISOR staff of the hotel) and store who has which; return the
    plan: one :class:`~hotel_occupancy.domain.worksheets.Worksheet` per attendant, in
    their order, and the overflow nobody could take without going over ``max_credits``.

    Tasks go most urgent first (queued arrivals, other pre-assigned arrivals, vacant dirty
    rooms, MAKE_UP_ROOM, stayovers; DND and refused rooms last), each to the attendant
    with the fewest credits so far; a checkout (vacant room) cleaning counts the hotel's
    ``checkout_credits``, a stayover its ``stayover_credits``. A task already started
    keeps its attendant and counts on their sheet. The same inputs give the same sheets.
    Supervisor and manager. With a ``request_id`` already used for this call, nothing is
    shared again: the attendants' current sheets are returned, with the unassigned
    unstarted tasks as overflow.
    """
    command = GenerateWorksheets(
        hotel_id=hotel_id,
        attendants=tuple(attendants),
        staff_id=staff_id,
        max_credits=max_credits,
        request_id=request_id,
    )
    _entries, plan = run(uow, command)
    if isinstance(plan, WorksheetPlan):
        return plan
    return as_stored(_stored_items(uow, hotel_id), command.attendants)


def _stored_items(uow: UnitOfWork, hotel_id: str, staff_id: str | None = None) -> list[WorkItem]:
    """The hotel's open cleaning tasks as the worksheets see them, in a read transaction
    (which first checks that ``staff_id``, if given, is of the hotel)."""
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        if staff_id is not None:
            check_same_hotel(hotel_id, c.get_staff(uow, staff_id))
        return work_items(
            uow.occupancies.board(hotel_id),
            uow.tasks.open_for_hotel(hotel_id),
            hotel.checkout_credits,
            hotel.stayover_credits,
        )


def worksheets(uow: UnitOfWork, hotel_id: str) -> WorksheetPlan:
    """The hotel's worksheets as its tasks now stand: one sheet per staff member holding
    an open cleaning task (by staff id), in work order, and as ``overflow`` the open
    unstarted cleaning tasks nobody holds (left over by :func:`generate_worksheets`, or
    opened since)."""
    require_id("hotel_id", hotel_id)
    return as_stored(_stored_items(uow, hotel_id))


def worksheet(uow: UnitOfWork, hotel_id: str, staff_id: str) -> Worksheet:
    """One attendant's open cleaning tasks in the hotel, in the order to do them (most
    urgent first, then by room number), each with its room number, kind, priority,
    credits and the room's service status."""
    require_id("hotel_id", hotel_id)
    require_id("staff_id", staff_id)
    return sheet_for(_stored_items(uow, hotel_id, staff_id), staff_id)


def discrepancies(uow: UnitOfWork, hotel_id: str) -> tuple[DiscrepancyRow, ...]:
    """The hotel's open discrepancies, in natural order of room number: each with what
    the front office says now (status, in-house booking and its guests) and what
    housekeeping saw, who reported it and when (UTC and the hotel's local time)."""
    require_id("hotel_id", hotel_id)
    with uow.reading():
        hotel = c.get_hotel(uow, hotel_id)
        board = {row.room_id: row for row in uow.occupancies.board(hotel_id)}
        records = [r for r in uow.occupancies.for_hotel(hotel_id) if r.discrepancy is not None]
    tz = zone(hotel.timezone)
    rows = []
    for record in records:
        row = board[record.room_id]
        kind = record.discrepancy
        assert kind is not None
        assert record.discrepancy_by is not None
        assert record.discrepancy_at is not None
        rows.append(
            DiscrepancyRow(
                room_id=record.room_id,
                number=row.number,
                kind=kind,
                status=record.status,
                booking_id=record.booking_id if record.is_occupied else None,
                expected_guests=row.guest_count,
                observed_occupied=kind is not DiscrepancyKind.SKIP,
                observed_guests=record.observed_guests,
                reported_by=record.discrepancy_by,
                reported_at=record.discrepancy_at,
                reported_at_local=record.discrepancy_at.astimezone(tz),
            )
        )
    return tuple(sorted(rows, key=lambda r: natural_key(r.number)))
