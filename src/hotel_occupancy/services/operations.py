"""The operation services of §4: every state change of a room.

Each service builds its command (:mod:`hotel_occupancy.domain.commands`), which checks the
input, and runs it with :func:`~hotel_occupancy.services.runner.execute`: in one
transaction a used ``request_id`` is replayed or refused, the things it names are looked up
(in the order of its arguments), checked to belong to one hotel, the acting staff member's
permission is checked, then the state against the domain's tables; only then does anything
change. It returns the log entries it appended; their events are published after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from hotel_occupancy.domain.commands import (
    AssignRoom,
    CancelBooking,
    ChangeStay,
    CheckIn,
    CheckoutRoom,
    CompleteCleaning,
    InspectRoom,
    MarkDirty,
    MarkNoShow,
    MoveGuest,
    QueueArrival,
    ReassignRoom,
    ReturnToService,
    SetOutOfOrder,
    StartCleaning,
    StartMaintenance,
    UnassignRoom,
    UpdateParty,
)
from hotel_occupancy.domain.enums import Condition
from hotel_occupancy.domain.model import BookingGuest, LogEntry
from hotel_occupancy.services.ports import UnitOfWork
from hotel_occupancy.services.runner import execute

__all__ = [
    "assign_room",
    "cancel_booking",
    "change_stay",
    "check_in",
    "checkout_room",
    "complete_cleaning",
    "inspect_room",
    "mark_dirty",
    "mark_no_show",
    "move_guest",
    "queue_arrival",
    "reassign_room",
    "return_to_service",
    "set_out_of_order",
    "start_cleaning",
    "start_maintenance",
    "unassign_room",
    "update_party",
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
    With ``check_in=False`` this pre-assigns a vacant room in service in any condition, or
    an OCCUPIED room whose guest departs today or is overdue: the booking is then the room's
    ``arriving_booking_id`` until their checkout, which hands the room to it (§9).
    Where the hotel enforces stay dates, a check-in outside the booking's dates is
    BookingNotAssignable.
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
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    reason: str,
    until: date | None = None,
    return_condition: Condition = Condition.DIRTY,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Take a vacant, unassigned room out of order (it keeps its condition). With
    ``until`` (the last day out of order, the hotel's local date, not before today) the
    night audit of that day returns it to service in ``return_condition`` (DIRTY, the
    default, or CLEAN)."""
    return execute(
        uow,
        SetOutOfOrder(
            room_id=room_id,
            staff_id=staff_id,
            reason=reason,
            until=until,
            return_condition=return_condition,
            request_id=request_id,
        ),
    )


def start_maintenance(
    uow: UnitOfWork,
    *,
    room_id: str,
    staff_id: str,
    reason: str,
    until: date | None = None,
    return_condition: Condition = Condition.DIRTY,
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Put a vacant, unassigned room into maintenance, with a MAINTENANCE task. With
    ``until`` the night audit of that day returns it to service in ``return_condition``,
    as :func:`set_out_of_order` does."""
    return execute(
        uow,
        StartMaintenance(
            room_id=room_id,
            staff_id=staff_id,
            reason=reason,
            until=until,
            return_condition=return_condition,
            request_id=request_id,
        ),
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


# --- §9: the front desk ------------------------------------------------------------------


def change_stay(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    arrival: date | None = None,
    departure: date | None = None,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """New dates for a booking not yet departed (a date left as None keeps its value).

    In house, the arrival can no longer change and the new departure may not be before
    today (the hotel's local date); the room's ``expected_checkout`` follows the departure.
    A room an arriving booking awaits cannot be kept past today. The STAY_CHANGE entry (on
    the booking's room when it holds one, else on the booking alone) records the dates
    before and after in its metadata. Dates that change nothing log nothing: ``()``.
    """
    return execute(
        uow,
        ChangeStay(
            booking_id=booking_id,
            staff_id=staff_id,
            arrival=arrival,
            departure=departure,
            notes=notes,
            request_id=request_id,
        ),
    )


def update_party(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    party: Sequence[BookingGuest],
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """The booking's whole new party (at least one; the first is the primary).

    Before check-in it replaces the party. In house, a member who joins gets a guest record
    with a fresh PIN, one who leaves departs (check-out date today, PIN and token cleared),
    a renamed one keeps their guest id and PIN; the primary must stay first. The party must
    fit the room holding the booking. Logged as STAY_CHANGE (counts in the metadata, never
    names); the same party again logs nothing: ``()``.
    """
    return execute(
        uow,
        UpdateParty(
            booking_id=booking_id,
            staff_id=staff_id,
            party=party,
            notes=notes,
            request_id=request_id,
        ),
    )


def cancel_booking(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    reason: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Cancel a booking neither in house nor checked out. A pre-assignment is released
    (UNASSIGN on the room, ``metadata["why"] == "cancelled"``); the booking records who and
    when, and can never be assigned or checked in again."""
    return execute(
        uow,
        CancelBooking(
            booking_id=booking_id, staff_id=staff_id, reason=reason, request_id=request_id
        ),
    )


def mark_no_show(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Record that a booking's guest never arrived (from its arrival date on), as
    :func:`cancel_booking` does for a cancellation (``metadata["why"] == "no_show"``)."""
    return execute(
        uow,
        MarkNoShow(booking_id=booking_id, staff_id=staff_id, notes=notes, request_id=request_id),
    )


def queue_arrival(
    uow: UnitOfWork, *, booking_id: str, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """The pre-assigned booking's guest is waiting at the desk: the booking is queued
    (``queued_at``) until check-in, unassignment, cancellation or no-show clears it, and its
    room's cleaning comes first. Logged as STAY_CHANGE on the room."""
    return execute(
        uow, QueueArrival(booking_id=booking_id, staff_id=staff_id, request_id=request_id)
    )
