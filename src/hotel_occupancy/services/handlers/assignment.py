"""Assigning bookings to rooms: assign (and check in), check in, reassign, unassign."""

from __future__ import annotations

from hotel_occupancy.domain.bookings import BookingStage, booking_rule
from hotel_occupancy.domain.commands import AssignRoom, CheckIn, ReassignRoom, UnassignRoom
from hotel_occupancy.domain.dates import expected_checkout, local_date
from hotel_occupancy.domain.enums import GuestType, OccupancyStatus
from hotel_occupancy.domain.errors import RoomNotAvailable
from hotel_occupancy.domain.model import Booking, Guest, LogEntry, Room, RoomOccupancy, new_id
from hotel_occupancy.domain.occupancy import left_by, with_state
from hotel_occupancy.domain.rules import check_capacity, check_due_out, check_stay_dates
from hotel_occupancy.domain.transitions import RoomRole, transition
from hotel_occupancy.services.lookups import get_booking
from hotel_occupancy.services.pins import fresh_pins, rest
from hotel_occupancy.services.runner import Context, handles

# The rows and rules these handlers read, and the members they compare with, taken once.
_ASSIGN = transition("assign_room", "pre-assign")
_ASSIGN_DUE_OUT = transition("assign_room", "due-out")
_CHECK_IN = transition("check_in")
_REASSIGN = transition("reassign_room")
_REASSIGN_SOURCE = {
    v: transition("reassign_room", v, role=RoomRole.SOURCE) for v in ("", "arriving")
}
_UNASSIGN = {v: transition("unassign_room", v) for v in ("", "arriving")}
_ASSIGN_RULE = booking_rule("assign_room")
_CHECK_IN_RULE = booking_rule("check_in")
_REASSIGN_RULE = booking_rule("reassign_room")
_UNASSIGN_RULE = booking_rule("unassign_room")
_ASSIGNED = BookingStage.ASSIGNED
_IN_HOUSE = BookingStage.IN_HOUSE
_IN = OccupancyStatus.OCCUPIED
_PRIMARY, _COMPANION = GuestType.PRIMARY, GuestType.COMPANION


def _check_in(ctx: Context, booking: Booking, occupancy: RoomOccupancy) -> LogEntry:
    """Check the pre-assigned ``booking`` into its room: the CHECKIN part of §4."""
    t = _CHECK_IN
    before = ctx.check(t, occupancy, booking_id=booking.booking_id)
    after = t.apply(before)
    uow, hotel, at = ctx.uow, ctx.hotel, ctx.at
    ctx.store_booking(booking, _CHECK_IN_RULE.apply(booking, _ASSIGNED, at))
    pins = fresh_pins(uow, hotel.hotel_id, len(booking.party), at)
    today = local_date(hotel, at)
    primary_id = new_id()
    guests = [
        Guest(
            guest_id=primary_id if index == 0 else new_id(),
            hotel_id=hotel.hotel_id,
            booking_id=booking.booking_id,
            booking_guest_id=member.booking_guest_id,
            guest_type=_PRIMARY if index == 0 else _COMPANION,
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
        with_state(
            occupancy,
            after,
            at,
            occupied_since=at,
            expected_checkout=expected_checkout(hotel, booking.departure),
        )
    )
    return ctx.draft(
        t,
        room_id=occupancy.room_id,
        before=before,
        after=after,
        booking_id=booking.booking_id,
        metadata={"guest_count": len(guests)},
    )


@handles(AssignRoom)
def assign_room(ctx: Context, cmd: AssignRoom) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    room: Room = ctx.found["room_id"]
    stage, holder = ctx.booking_stage(booking)
    pre_assigned_here = holder is not None and holder.room_id == cmd.room_id
    if cmd.check_in and pre_assigned_here and stage is _ASSIGNED:
        assert holder is not None  # pre-assigned to this very room: a check-in, as check_in
        check_stay_dates(ctx.hotel, booking, local_date(ctx.hotel, ctx.at))
        return [_check_in(ctx, booking, holder)]
    refused = _ASSIGN_RULE.refusal(booking, stage, holder.room_id if holder else None)
    if refused is not None:
        raise refused
    if cmd.check_in:
        check_stay_dates(ctx.hotel, booking, local_date(ctx.hotel, ctx.at))
    occupancy = ctx.occupancy(cmd.room_id)
    if not cmd.check_in and occupancy.booking_id is not None and occupancy.status is _IN:
        return [_assign_due_out(ctx, booking, room, occupancy)]
    t = _ASSIGN  # the row of AssignRoom's one variant, pre-assign
    before = ctx.check(t, occupancy, booking_id=booking.booking_id)
    after = t.apply(before)
    if cmd.check_in:  # the check-in's readiness guard, judged before anything changes
        refusal = _CHECK_IN.refusal(after, ctx.hotel.require_inspection)
        if refusal is not None:
            wanted = refusal.guard.expectation(ctx.hotel.require_inspection)
            raise refusal.error(
                f"assign_room with check-in needs the room {wanted}, "
                f"but it is {before.label()} (room {cmd.room_id!r})",
                room_id=cmd.room_id,
                booking_id=booking.booking_id,
            )
    check_capacity(room, booking)
    assigned = with_state(
        occupancy, after, ctx.at, booking_id=booking.booking_id, assigned_by=cmd.staff_id
    )
    if not cmd.check_in:  # with check-in, the check-in below writes the record once
        ctx.uow.occupancies.update(assigned)
    entries = [
        ctx.draft(
            t,
            room_id=cmd.room_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            metadata={"party_size": len(booking.party), "check_in": cmd.check_in},
        )
    ]
    if cmd.check_in:
        entries.append(_check_in(ctx, booking, assigned))
    return entries


def _assign_due_out(
    ctx: Context, booking: Booking, room: Room, occupancy: RoomOccupancy
) -> LogEntry:
    """Pre-assign the arriving ``booking`` to the occupied room of ``occupancy``, whose
    guest departs today or is overdue (§9): its arriving booking until their checkout."""
    t = _ASSIGN_DUE_OUT
    before = ctx.check(t, occupancy, booking_id=booking.booking_id)
    assert occupancy.booking_id is not None  # OCCUPIED rooms hold a booking (I2)
    in_house = get_booking(ctx.uow, occupancy.booking_id)
    check_due_out(room.room_id, in_house, local_date(ctx.hotel, ctx.at))
    check_capacity(room, booking)
    after = t.apply(before)
    ctx.uow.occupancies.update(
        with_state(occupancy, after, ctx.at, arriving_booking_id=booking.booking_id)
    )
    return ctx.draft(
        t,
        room_id=room.room_id,
        before=before,
        after=after,
        booking_id=booking.booking_id,
        metadata={"party_size": len(booking.party), "check_in": False, "arriving": True},
    )


@handles(CheckIn)
def check_in(ctx: Context, cmd: CheckIn) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    stage, holder = ctx.booking_stage(booking)
    refused = _CHECK_IN_RULE.refusal(booking, stage)
    if refused is not None:
        raise refused
    check_stay_dates(ctx.hotel, booking, local_date(ctx.hotel, ctx.at))
    assert holder is not None  # an ASSIGNED booking has a room
    return [_check_in(ctx, booking, holder)]


@handles(ReassignRoom)
def reassign_room(ctx: Context, cmd: ReassignRoom) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    room: Room = ctx.found["to_room_id"]
    stage, source = ctx.booking_stage(booking)
    refused = _REASSIGN_RULE.refusal(booking, stage)
    if refused is not None:
        raise refused
    assert source is not None  # an ASSIGNED booking has a room
    if source.room_id == cmd.to_room_id:
        raise RoomNotAvailable(
            f"booking {booking.reference!r} is already assigned to room {cmd.to_room_id!r}",
            room_id=cmd.to_room_id,
            booking_id=booking.booking_id,
        )
    t_source = _REASSIGN_SOURCE[ctx.variant_for(source, booking.booking_id)]
    source_before = ctx.check(t_source, source, booking_id=booking.booking_id)
    target = ctx.occupancy(cmd.to_room_id)
    t = _REASSIGN
    before = ctx.check(t, target, booking_id=booking.booking_id)
    check_capacity(room, booking)
    after = t.apply(before)
    source_after = t_source.apply(source_before)
    ctx.uow.occupancies.update(left_by(t_source, source, source_after, ctx.at))
    ctx.uow.occupancies.update(
        with_state(target, after, ctx.at, booking_id=booking.booking_id, assigned_by=cmd.staff_id)
    )
    return [
        ctx.draft(
            t,
            room_id=cmd.to_room_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            from_room_id=source.room_id,
            source=(source_before, source_after),
        )
    ]


@handles(UnassignRoom)
def unassign_room(ctx: Context, cmd: UnassignRoom) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    stage, occupancy = ctx.booking_stage(booking)
    refused = _UNASSIGN_RULE.refusal(booking, stage)
    if refused is not None:
        raise refused
    assert occupancy is not None  # an assigned or in-house booking has a room
    t = _UNASSIGN[ctx.variant_for(occupancy, booking.booking_id)]
    before = ctx.check(t, occupancy, booking_id=booking.booking_id)
    after = t.apply(before)
    ctx.store_booking(booking, _UNASSIGN_RULE.apply(booking, stage, ctx.at))
    undo_check_in = stage is _IN_HOUSE
    if undo_check_in:
        stay = [g for g in ctx.uow.guests.for_booking(booking.booking_id) if g.in_house]
        ctx.uow.guests.remove_many([g.guest_id for g in stay])
        rest(ctx.uow, ctx.hotel_id, [g.id_pin for g in stay], ctx.at)
    ctx.uow.occupancies.update(left_by(t, occupancy, after, ctx.at))
    return [
        ctx.draft(
            t,
            room_id=occupancy.room_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            metadata={"undo_check_in": undo_check_in},
        )
    ]
