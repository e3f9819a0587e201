"""Operations on an in-house stay: moving rooms and checking out."""

from __future__ import annotations

from hotel_occupancy.domain.bookings import booking_rule, stage_of
from hotel_occupancy.domain.commands import CheckoutRoom, MoveGuest
from hotel_occupancy.domain.dates import local_date
from hotel_occupancy.domain.model import LogEntry, Room, RoomOccupancy, replace
from hotel_occupancy.domain.occupancy import vacated, with_state
from hotel_occupancy.domain.rules import check_capacity
from hotel_occupancy.domain.transitions import RoomRole, transition
from hotel_occupancy.services.lookups import get_booking
from hotel_occupancy.services.pins import rest
from hotel_occupancy.services.runner import Context, handles

# The rows and rules these handlers read, taken once.
_MOVE = transition("move_guest")
_MOVE_SOURCE = transition("move_guest", role=RoomRole.SOURCE)
_CHECKOUT = transition("checkout_room")
_MOVE_RULE = booking_rule("move_guest")
_CHECKOUT_RULE = booking_rule("checkout_room")


@handles(MoveGuest)
def move_guest(ctx: Context, cmd: MoveGuest) -> list[LogEntry]:
    source: RoomOccupancy = ctx.found["from_room_id"]
    target_room: Room = ctx.found["to_room_id"]
    t_source = _MOVE_SOURCE
    source_before = ctx.check(t_source, source)
    target = ctx.occupancy(cmd.to_room_id)
    t = _MOVE
    assert source.booking_id is not None  # OCCUPIED rooms hold a booking (I2)
    before = ctx.check(t, target, booking_id=source.booking_id)
    booking = get_booking(ctx.uow, source.booking_id)
    moved = _MOVE_RULE.admit(booking, stage_of(booking, True), ctx.at)
    check_capacity(target_room, booking)
    after = t.apply(before)
    ctx.store_booking(booking, moved)
    source_after = t_source.apply(source_before)
    ctx.uow.occupancies.update(vacated(source, source_after, ctx.at))
    ctx.update_tasks(t_source, cmd.from_room_id, booking.booking_id)
    ctx.uow.occupancies.update(
        with_state(
            target,
            after,
            ctx.at,
            booking_id=booking.booking_id,
            occupied_since=ctx.at,
            expected_checkout=source.expected_checkout,
            assigned_by=cmd.staff_id,
        )
    )
    return [
        ctx.draft(
            t,
            room_id=cmd.to_room_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            from_room_id=cmd.from_room_id,
            source=(source_before, source_after),
        )
    ]


@handles(CheckoutRoom)
def checkout_room(ctx: Context, cmd: CheckoutRoom) -> list[LogEntry]:
    occupancy: RoomOccupancy = ctx.found["room_id"]
    t = _CHECKOUT
    before = ctx.check(t, occupancy)
    assert occupancy.booking_id is not None  # OCCUPIED rooms hold a booking (I2)
    booking = get_booking(ctx.uow, occupancy.booking_id)
    departed = _CHECKOUT_RULE.admit(booking, stage_of(booking, True), ctx.at)
    after = t.apply(before)
    today = local_date(ctx.hotel, ctx.at)
    ctx.store_booking(booking, departed)
    staying = [g for g in ctx.uow.guests.for_booking(booking.booking_id) if g.in_house]
    departing = [replace(g, check_out_date=today, id_pin=None, device_token=None) for g in staying]
    ctx.uow.guests.update_many(departing)
    rest(ctx.uow, ctx.hotel_id, [g.id_pin for g in staying], ctx.at)
    ctx.uow.occupancies.update(vacated(occupancy, after, ctx.at))
    ctx.update_tasks(t, cmd.room_id, booking.booking_id)
    return [
        ctx.draft(
            t,
            room_id=cmd.room_id,
            before=before,
            after=after,
            booking_id=booking.booking_id,
            metadata={"guest_count": len(departing)},
        )
    ]
