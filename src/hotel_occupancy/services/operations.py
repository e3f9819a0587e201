"""The operation services of §4: every state change of a room.

Each service builds its command (:mod:`hotel_occupancy.domain.commands`), which checks the
input, and runs it with :func:`~hotel_occupancy.services.runner.execute`: in one
transaction a used ``request_id`` is replayed or refused, the things it names are looked up
(in the order of its arguments), checked to belong to one hotel, the acting staff member's
permission is checked, then the state against the domain's tables; only then does anything
change. It returns the log entries it appended; their events are published after commit.
"""

from __future__ import annotations

from hotel_occupancy.domain.commands import (
    AssignRoom,
    CheckIn,
    CheckoutRoom,
    CompleteCleaning,
    InspectRoom,
    MarkDirty,
    MoveGuest,
    ReassignRoom,
    ReturnToService,
    SetOutOfOrder,
    StartCleaning,
    StartMaintenance,
    UnassignRoom,
)
from hotel_occupancy.domain.enums import Condition
from hotel_occupancy.domain.model import LogEntry
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import execute

__all__ = [
    "assign_room",
    "check_in",
    "checkout_room",
    "complete_cleaning",
    "inspect_room",
    "mark_dirty",
    "move_guest",
    "reassign_room",
    "return_to_service",
    "set_out_of_order",
    "start_cleaning",
    "start_maintenance",
    "unassign_room",
]


def assign_room(
    uow: UnitOfWork,
    *,
    booking_id: str,
    room_id: str,
    staff_id: str,
    notes: str = "",
    check_in: bool = True,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Assign a room to an arriving booking, and by default check it in.

    With ``check_in=True`` the room must be ready (VACANT_CLEAN, or INSPECTED where the
    hotel requires inspection); two entries are logged, ASSIGN then CHECKIN. If the booking
    is already pre-assigned to this very room, this is a :func:`check_in` (CHECKIN only).
    With ``check_in=False`` this pre-assigns a vacant room in service in any condition.
    """
    return execute(
        uow,
        AssignRoom(
            booking_id=booking_id,
            room_id=room_id,
            staff_id=staff_id,
            notes=notes,
            check_in=check_in,
            request_id=request_id,
        ),
    )


def check_in(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Check a pre-assigned booking into its room, which must be ready for a guest."""
    return execute(
        uow, CheckIn(booking_id=booking_id, staff_id=staff_id, notes=notes, request_id=request_id)
    )


def reassign_room(
    uow: UnitOfWork,
    *,
    booking_id: str,
    to_room_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Move a pre-assigned (not yet checked-in) booking to another room.

    The old room keeps its status and condition; the REASSIGN entry is written on the
    target with ``from_room_id`` set.
    """
    return execute(
        uow,
        ReassignRoom(
            booking_id=booking_id,
            to_room_id=to_room_id,
            staff_id=staff_id,
            notes=notes,
            request_id=request_id,
        ),
    )


def unassign_room(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Take a booking off its room.

    A pre-assigned booking is simply cleared from the room. An in-house booking (undoing a
    check-in made in error) leaves the room vacant in its current condition; its
    ``checked_in_at`` and the stay's guest records, PINs and tokens are removed, and it can
    be assigned again. After a room move the check-in is final: BookingNotAssignable.
    """
    return execute(
        uow,
        UnassignRoom(booking_id=booking_id, staff_id=staff_id, notes=notes, request_id=request_id),
    )


def move_guest(
    uow: UnitOfWork,
    *,
    from_room_id: str,
    to_room_id: str,
    staff_id: str,
    reason: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Move an in-house booking to another ready room.

    The target becomes OCCUPIED; the source becomes VACANT_DIRTY with a TURNOVER task. The
    guests keep their PINs and device tokens. The MOVE entry is written on the target with
    ``from_room_id`` set; ``reason`` is its notes.
    """
    return execute(
        uow,
        MoveGuest(
            from_room_id=from_room_id,
            to_room_id=to_room_id,
            staff_id=staff_id,
            reason=reason,
            request_id=request_id,
        ),
    )


def checkout_room(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Check the in-house booking out of an occupied room.

    The booking is checked out; its guests get today's ``check_out_date`` and lose their
    PINs and device tokens; the room becomes VACANT_DIRTY with one open TURNOVER task.
    """
    return execute(
        uow, CheckoutRoom(room_id=room_id, staff_id=staff_id, notes=notes, request_id=request_id)
    )


def mark_dirty(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """A CLEAN or INSPECTED room needs cleaning (stayover service, or found dirty): condition
    DIRTY and a CLEANING task, whatever the room's status."""
    return execute(
        uow, MarkDirty(room_id=room_id, staff_id=staff_id, notes=notes, request_id=request_id)
    )


def start_cleaning(
    uow: UnitOfWork, *, room_id: str, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """A cleaner starts on a DIRTY room: condition CLEANING, the open cleaning task
    IN_PROGRESS and assigned to them."""
    return execute(uow, StartCleaning(room_id=room_id, staff_id=staff_id, request_id=request_id))


def complete_cleaning(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Cleaning is finished: condition CLEAN, ``last_cleaned_by`` set, the task DONE; in a
    hotel that requires inspection an INSPECTION task opens."""
    return execute(
        uow,
        CompleteCleaning(room_id=room_id, staff_id=staff_id, notes=notes, request_id=request_id),
    )


def inspect_room(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    passed: bool = True,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Inspect a CLEAN room. Passed: INSPECTED and ``last_inspected_by`` set. Failed: DIRTY
    again with a CLEANING task. Either way the INSPECTION task, if any, is DONE."""
    return execute(
        uow,
        InspectRoom(
            room_id=room_id, staff_id=staff_id, passed=passed, notes=notes, request_id=request_id
        ),
    )


def set_out_of_order(
    uow: UnitOfWork, *, room_id: str, staff_id: str, reason: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Take a vacant, unassigned room out of order (it keeps its condition)."""
    return execute(
        uow, SetOutOfOrder(room_id=room_id, staff_id=staff_id, reason=reason, request_id=request_id)
    )


def start_maintenance(
    uow: UnitOfWork, *, room_id: str, staff_id: str, reason: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Put a vacant, unassigned room into maintenance, with a MAINTENANCE task."""
    return execute(
        uow,
        StartMaintenance(room_id=room_id, staff_id=staff_id, reason=reason, request_id=request_id),
    )


def return_to_service(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    condition: Condition = Condition.DIRTY,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Bring a room back from OUT_OF_ORDER or MAINTENANCE, vacant in ``condition`` (DIRTY, the
    default, with a CLEANING task; or CLEAN). Never INSPECTED: that takes an inspection."""
    return execute(
        uow,
        ReturnToService(
            room_id=room_id,
            staff_id=staff_id,
            condition=condition,
            notes=notes,
            request_id=request_id,
        ),
    )
