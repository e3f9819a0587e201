"""The operation services of §4: every state change of a room.

Each service validates its input, then runs in one transaction: a used ``request_id`` is
replayed or refused, the things it names are looked up (in the order of its arguments),
checked to belong to one hotel, the acting staff member's permission is checked, then
the room's state against the transition table; only then does it change anything. It
returns the log entries it appended; their events are published after commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotel_occupancy.domain.enums import Condition, GuestType
from hotel_occupancy.domain.errors import BookingNotAssignable, InvalidInput, RoomNotAvailable
from hotel_occupancy.domain.model import Booking, Guest, Hotel, LogEntry, RoomOccupancy, replace
from hotel_occupancy.domain.transitions import RoomRole, Tenancy, Transition, transition
from hotel_occupancy.domain.validation import (
    require_bool,
    require_enum,
    require_id,
    require_optional_id,
    require_text,
)
from hotel_occupancy.services import _common as c
from hotel_occupancy.services.ports import UnitOfWork

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

_Result = tuple[str, Sequence[LogEntry]]


def _refuse_booking(booking: Booking, why: str) -> BookingNotAssignable:
    return BookingNotAssignable(
        f"booking {booking.reference!r} ({booking.booking_id!r}) {why}",
        booking_id=booking.booking_id,
    )


def _require_arriving(booking: Booking) -> None:
    """The booking is neither checked out nor in house."""
    if booking.checked_out:
        raise _refuse_booking(booking, "is already checked out")
    if booking.in_house:
        raise _refuse_booking(booking, "is already checked in")


def _check_in_effects(
    op: c.OpContext,
    *,
    hotel: Hotel,
    booking: Booking,
    occupancy: RoomOccupancy,
    staff_id: str,
    notes: str,
) -> LogEntry:
    """Check the pre-assigned ``booking`` into its room: the CHECKIN part of §4."""
    t = transition("check_in")
    before = c.refuse_unless_allowed(t, occupancy, hotel, booking_id=booking.booking_id)
    after = t.apply(before)
    uow = op.uow
    uow.bookings.update(replace(booking, checked_in_at=op.at))
    pins = c.fresh_pins(uow, hotel.hotel_id, len(booking.party))
    today = c.local_date(hotel, op.at)
    primary_id = c.new_id()
    guests = [
        Guest(
            guest_id=primary_id if index == 0 else c.new_id(),
            hotel_id=hotel.hotel_id,
            booking_id=booking.booking_id,
            booking_guest_id=member.booking_guest_id,
            guest_type=GuestType.PRIMARY if index == 0 else GuestType.COMPANION,
            primary_guest_id=None if index == 0 else primary_id,
            first_name=member.first_name,
            last_name=member.last_name,
            check_in_date=today,
            id_pin=pins[index],
        )
        for index, member in enumerate(booking.party)
    ]
    uow.guests.add_many(guests)
    uow.occupancies.update(
        c.with_state(
            occupancy,
            after,
            op.at,
            occupied_since=op.at,
            expected_checkout=c.expected_checkout(hotel, booking),
        )
    )
    return c.draft_entry(
        t,
        op,
        hotel_id=hotel.hotel_id,
        room_id=occupancy.room_id,
        staff_id=staff_id,
        before=before,
        after=after,
        booking_id=booking.booking_id,
        notes=notes,
        metadata={"guest_count": len(guests)},
    )


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
    require_id("booking_id", booking_id)
    require_id("room_id", room_id)
    require_id("staff_id", staff_id)
    require_text("notes", notes)
    require_bool("check_in", check_in)
    require_optional_id("request_id", request_id)

    def body(op: c.OpContext) -> _Result:
        booking = c.get_booking(uow, booking_id)
        room = c.get_room(uow, room_id)
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(booking.hotel_id, room, staff)
        c.authorise(uow, staff, "assign_room")
        hotel = c.get_hotel(uow, booking.hotel_id)
        _require_arriving(booking)
        current = uow.occupancies.for_booking(booking_id)
        if current is not None:
            if current.room_id == room_id and check_in:
                entry = _check_in_effects(
                    op,
                    hotel=hotel,
                    booking=booking,
                    occupancy=current,
                    staff_id=staff_id,
                    notes=notes,
                )
                return hotel.hotel_id, [entry]
            raise _refuse_booking(booking, f"is already assigned to room {current.room_id!r}")
        occupancy = c.room_occupancy(uow, room_id)
        t = transition("assign_room", "pre-assign")
        before = c.refuse_unless_allowed(t, occupancy, hotel, booking_id=booking_id)
        after = t.apply(before)
        if check_in:  # the check-in's readiness guard, judged before anything changes
            refusal = transition("check_in").refusal(after, hotel.require_inspection)
            if refusal is not None:
                wanted = refusal.guard.expectation(hotel.require_inspection)
                raise refusal.error(
                    f"assign_room with check-in needs the room {wanted}, "
                    f"but it is {before.label()} (room {room_id!r})",
                    room_id=room_id,
                    booking_id=booking_id,
                )
        c.check_capacity(room, booking)
        assigned = c.with_state(
            occupancy, after, op.at, booking_id=booking_id, assigned_by=staff_id
        )
        if not check_in:  # with check-in, the check-in below writes the record once
            uow.occupancies.update(assigned)
        entries = [
            c.draft_entry(
                t,
                op,
                hotel_id=hotel.hotel_id,
                room_id=room_id,
                staff_id=staff_id,
                before=before,
                after=after,
                booking_id=booking_id,
                notes=notes,
                metadata={"party_size": len(booking.party), "check_in": check_in},
            )
        ]
        if check_in:
            entries.append(
                _check_in_effects(
                    op,
                    hotel=hotel,
                    booking=booking,
                    occupancy=assigned,
                    staff_id=staff_id,
                    notes=notes,
                )
            )
        return hotel.hotel_id, entries

    arguments = {
        "booking_id": booking_id,
        "room_id": room_id,
        "staff_id": staff_id,
        "notes": notes,
        "check_in": check_in,
    }
    return c.run_operation(uow, "assign_room", arguments, request_id, body)


def check_in(
    uow: UnitOfWork,
    *,
    booking_id: str,
    staff_id: str,
    notes: str = "",
    request_id: str | None = None,
) -> tuple[LogEntry, ...]:
    """Check a pre-assigned booking into its room, which must be ready for a guest."""
    require_id("booking_id", booking_id)
    require_id("staff_id", staff_id)
    require_text("notes", notes)
    require_optional_id("request_id", request_id)

    def body(op: c.OpContext) -> _Result:
        booking = c.get_booking(uow, booking_id)
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(booking.hotel_id, staff)
        c.authorise(uow, staff, "check_in")
        hotel = c.get_hotel(uow, booking.hotel_id)
        _require_arriving(booking)
        occupancy = uow.occupancies.for_booking(booking_id)
        if occupancy is None:
            raise _refuse_booking(booking, "is not assigned to a room")
        entry = _check_in_effects(
            op, hotel=hotel, booking=booking, occupancy=occupancy, staff_id=staff_id, notes=notes
        )
        return hotel.hotel_id, [entry]

    arguments = {"booking_id": booking_id, "staff_id": staff_id, "notes": notes}
    return c.run_operation(uow, "check_in", arguments, request_id, body)


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
    require_id("booking_id", booking_id)
    require_id("to_room_id", to_room_id)
    require_id("staff_id", staff_id)
    require_text("notes", notes)
    require_optional_id("request_id", request_id)

    def body(op: c.OpContext) -> _Result:
        booking = c.get_booking(uow, booking_id)
        room = c.get_room(uow, to_room_id)
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(booking.hotel_id, room, staff)
        c.authorise(uow, staff, "reassign_room")
        hotel = c.get_hotel(uow, booking.hotel_id)
        _require_arriving(booking)
        source = uow.occupancies.for_booking(booking_id)
        if source is None:
            raise _refuse_booking(booking, "is not pre-assigned to a room")
        if source.room_id == to_room_id:
            raise RoomNotAvailable(
                f"booking {booking.reference!r} is already assigned to room {to_room_id!r}",
                room_id=to_room_id,
                booking_id=booking_id,
            )
        t_source = transition("reassign_room", role=RoomRole.SOURCE)
        source_before = c.refuse_unless_allowed(t_source, source, hotel, booking_id=booking_id)
        target = c.room_occupancy(uow, to_room_id)
        t = transition("reassign_room")
        before = c.refuse_unless_allowed(t, target, hotel, booking_id=booking_id)
        c.check_capacity(room, booking)
        after = t.apply(before)
        uow.occupancies.update(c.vacated(source, t_source.apply(source_before), op.at))
        uow.occupancies.update(
            c.with_state(target, after, op.at, booking_id=booking_id, assigned_by=staff_id)
        )
        entry = c.draft_entry(
            t,
            op,
            hotel_id=hotel.hotel_id,
            room_id=to_room_id,
            staff_id=staff_id,
            before=before,
            after=after,
            booking_id=booking_id,
            from_room_id=source.room_id,
            notes=notes,
        )
        return hotel.hotel_id, [entry]

    arguments = {
        "booking_id": booking_id,
        "to_room_id": to_room_id,
        "staff_id": staff_id,
        "notes": notes,
    }
    return c.run_operation(uow, "reassign_room", arguments, request_id, body)


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
    require_id("booking_id", booking_id)
    require_id("staff_id", staff_id)
    require_text("notes", notes)
    require_optional_id("request_id", request_id)

    def body(op: c.OpContext) -> _Result:
        booking = c.get_booking(uow, booking_id)
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(booking.hotel_id, staff)
        c.authorise(uow, staff, "unassign_room")
        hotel = c.get_hotel(uow, booking.hotel_id)
        if booking.checked_out:
            raise _refuse_booking(booking, "is already checked out")
        occupancy = uow.occupancies.for_booking(booking_id)
        if occupancy is None:
            raise _refuse_booking(booking, "is not assigned to a room")
        if booking.in_house and booking.moved_at is not None:
            raise _refuse_booking(
                booking, "has moved rooms since check-in, so the check-in can no longer be undone"
            )
        t = transition("unassign_room")
        before = c.refuse_unless_allowed(t, occupancy, hotel, booking_id=booking_id)
        after = t.apply(before)
        undo_check_in = before.tenancy is Tenancy.OCCUPIED
        if undo_check_in:
            uow.bookings.update(replace(booking, checked_in_at=None))
            stay = [g.guest_id for g in uow.guests.for_booking(booking_id) if g.in_house]
            uow.guests.remove_many(stay)
        uow.occupancies.update(c.vacated(occupancy, after, op.at))
        entry = c.draft_entry(
            t,
            op,
            hotel_id=hotel.hotel_id,
            room_id=occupancy.room_id,
            staff_id=staff_id,
            before=before,
            after=after,
            booking_id=booking_id,
            notes=notes,
            metadata={"undo_check_in": undo_check_in},
        )
        return hotel.hotel_id, [entry]

    arguments = {"booking_id": booking_id, "staff_id": staff_id, "notes": notes}
    return c.run_operation(uow, "unassign_room", arguments, request_id, body)


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
    require_id("from_room_id", from_room_id)
    require_id("to_room_id", to_room_id)
    require_id("staff_id", staff_id)
    require_text("reason", reason)
    require_optional_id("request_id", request_id)
    if from_room_id == to_room_id:
        raise InvalidInput(
            f"a guest cannot move from room {from_room_id!r} to the same room",
            room_id=from_room_id,
        )

    def body(op: c.OpContext) -> _Result:
        source = c.room_occupancy(uow, from_room_id)  # the room's existence, in one read
        target_room = c.get_room(uow, to_room_id)
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(source.hotel_id, target_room, staff)
        c.authorise(uow, staff, "move_guest")
        hotel = c.get_hotel(uow, source.hotel_id)
        t_source = transition("move_guest", role=RoomRole.SOURCE)
        source_before = c.refuse_unless_allowed(t_source, source, hotel)
        target = c.room_occupancy(uow, to_room_id)
        t = transition("move_guest")
        assert source.booking_id is not None  # OCCUPIED rooms hold a booking (I2)
        before = c.refuse_unless_allowed(t, target, hotel, booking_id=source.booking_id)
        booking = c.get_booking(uow, source.booking_id)
        c.check_capacity(target_room, booking)
        after = t.apply(before)
        uow.bookings.update(replace(booking, moved_at=op.at))
        uow.occupancies.update(c.vacated(source, t_source.apply(source_before), op.at))
        c.apply_task_effects(
            uow,
            t_source,
            hotel=hotel,
            room_id=from_room_id,
            staff_id=staff_id,
            booking_id=booking.booking_id,
            at=op.at,
        )
        uow.occupancies.update(
            c.with_state(
                target,
                after,
                op.at,
                booking_id=booking.booking_id,
                occupied_since=op.at,
                expected_checkout=source.expected_checkout,
                assigned_by=staff_id,
            )
        )
        entry = c.draft_entry(
            t,
            op,
            hotel_id=hotel.hotel_id,
            room_id=to_room_id,
            staff_id=staff_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            from_room_id=from_room_id,
            notes=reason,
        )
        return hotel.hotel_id, [entry]

    arguments = {
        "from_room_id": from_room_id,
        "to_room_id": to_room_id,
        "staff_id": staff_id,
        "reason": reason,
    }
    return c.run_operation(uow, "move_guest", arguments, request_id, body)


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
    require_id("room_id", room_id)
    require_id("staff_id", staff_id)
    require_text("notes", notes)
    require_optional_id("request_id", request_id)

    def body(op: c.OpContext) -> _Result:
        occupancy = c.room_occupancy(uow, room_id)  # the room's existence, in one read
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(occupancy.hotel_id, staff)
        c.authorise(uow, staff, "checkout_room")
        hotel = c.get_hotel(uow, occupancy.hotel_id)
        t = transition("checkout_room")
        before = c.refuse_unless_allowed(t, occupancy, hotel)
        assert occupancy.booking_id is not None  # OCCUPIED rooms hold a booking (I2)
        booking = c.get_booking(uow, occupancy.booking_id)
        after = t.apply(before)
        today = c.local_date(hotel, op.at)
        uow.bookings.update(replace(booking, checked_out_at=op.at))
        departing = [
            replace(g, check_out_date=today, id_pin=None, device_token=None)
            for g in uow.guests.for_booking(booking.booking_id)
            if g.in_house
        ]
        uow.guests.update_many(departing)
        uow.occupancies.update(c.vacated(occupancy, after, op.at))
        c.apply_task_effects(
            uow,
            t,
            hotel=hotel,
            room_id=room_id,
            staff_id=staff_id,
            booking_id=booking.booking_id,
            at=op.at,
        )
        entry = c.draft_entry(
            t,
            op,
            hotel_id=hotel.hotel_id,
            room_id=room_id,
            staff_id=staff_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            notes=notes,
            metadata={"guest_count": len(departing)},
        )
        return hotel.hotel_id, [entry]

    arguments = {"room_id": room_id, "staff_id": staff_id, "notes": notes}
    return c.run_operation(uow, "checkout_room", arguments, request_id, body)


def _room_operation(
    uow: UnitOfWork,
    t: Transition,
    *,
    room_id: str,
    staff_id: str,
    notes: str,
    request_id: str | None,
    arguments: dict[str, object],
) -> tuple[LogEntry, ...]:
    """A housekeeping or service-state operation on one room, as row ``t`` says."""

    def body(op: c.OpContext) -> _Result:
        occupancy = c.room_occupancy(uow, room_id)  # the room's existence, in one read
        staff = c.get_staff(uow, staff_id)
        c.same_hotel(occupancy.hotel_id, staff)
        c.authorise(uow, staff, t.action)
        hotel = c.get_hotel(uow, occupancy.hotel_id)
        before = c.refuse_unless_allowed(t, occupancy, hotel)
        after = t.apply(before)
        who: dict[str, object] = {}
        if t.action == "complete_cleaning":
            who = {"last_cleaned_by": staff_id, "last_cleaned_at": op.at}
        elif after.condition is Condition.INSPECTED and t.action == "inspect_room":
            who = {"last_inspected_by": staff_id, "last_inspected_at": op.at}
        uow.occupancies.update(c.with_state(occupancy, after, op.at, **who))
        c.apply_task_effects(
            uow,
            t,
            hotel=hotel,
            room_id=room_id,
            staff_id=staff_id,
            booking_id=occupancy.booking_id,
            at=op.at,
        )
        metadata = {"passed": t.variant == "passed"} if t.action == "inspect_room" else None
        entry = c.draft_entry(
            t,
            op,
            hotel_id=hotel.hotel_id,
            room_id=room_id,
            staff_id=staff_id,
            before=before,
            after=after,
            booking_id=occupancy.booking_id,
            notes=notes,
            metadata=metadata,
        )
        return hotel.hotel_id, [entry]

    return c.run_operation(uow, t.action, arguments, request_id, body)


def _validate_room_call(room_id: str, staff_id: str, request_id: str | None) -> None:
    require_id("room_id", room_id)
    require_id("staff_id", staff_id)
    require_optional_id("request_id", request_id)


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
    _validate_room_call(room_id, staff_id, request_id)
    require_text("notes", notes)
    return _room_operation(
        uow,
        transition("mark_dirty"),
        room_id=room_id,
        staff_id=staff_id,
        notes=notes,
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id, "notes": notes},
    )


def start_cleaning(
    uow: UnitOfWork, *, room_id: str, staff_id: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """A cleaner starts on a DIRTY room: condition CLEANING, the open cleaning task
    IN_PROGRESS and assigned to them."""
    _validate_room_call(room_id, staff_id, request_id)
    return _room_operation(
        uow,
        transition("start_cleaning"),
        room_id=room_id,
        staff_id=staff_id,
        notes="",
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id},
    )


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
    _validate_room_call(room_id, staff_id, request_id)
    require_text("notes", notes)
    return _room_operation(
        uow,
        transition("complete_cleaning"),
        room_id=room_id,
        staff_id=staff_id,
        notes=notes,
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id, "notes": notes},
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
    _validate_room_call(room_id, staff_id, request_id)
    require_bool("passed", passed)
    require_text("notes", notes)
    return _room_operation(
        uow,
        transition("inspect_room", "passed" if passed else "failed"),
        room_id=room_id,
        staff_id=staff_id,
        notes=notes,
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id, "passed": passed, "notes": notes},
    )


def set_out_of_order(
    uow: UnitOfWork, *, room_id: str, staff_id: str, reason: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Take a vacant, unassigned room out of order (it keeps its condition)."""
    _validate_room_call(room_id, staff_id, request_id)
    require_text("reason", reason, required=True)
    return _room_operation(
        uow,
        transition("set_out_of_order"),
        room_id=room_id,
        staff_id=staff_id,
        notes=reason,
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id, "reason": reason},
    )


def start_maintenance(
    uow: UnitOfWork, *, room_id: str, staff_id: str, reason: str, request_id: str | None = None
) -> tuple[LogEntry, ...]:
    """Put a vacant, unassigned room into maintenance, with a MAINTENANCE task."""
    _validate_room_call(room_id, staff_id, request_id)
    require_text("reason", reason, required=True)
    return _room_operation(
        uow,
        transition("start_maintenance"),
        room_id=room_id,
        staff_id=staff_id,
        notes=reason,
        request_id=request_id,
        arguments={"room_id": room_id, "staff_id": staff_id, "reason": reason},
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
    _validate_room_call(room_id, staff_id, request_id)
    chosen = require_enum("condition", Condition, condition)
    if chosen not in (Condition.DIRTY, Condition.CLEAN):
        raise InvalidInput(
            f"a room returns to service DIRTY or CLEAN, not {chosen.value}", room_id=room_id
        )
    require_text("notes", notes)
    return _room_operation(
        uow,
        transition("return_to_service", chosen.value),
        room_id=room_id,
        staff_id=staff_id,
        notes=notes,
        request_id=request_id,
        arguments={
            "room_id": room_id,
            "staff_id": staff_id,
            "condition": chosen.value,
            "notes": notes,
        },
    )
