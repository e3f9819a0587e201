"""The front desk's changes to a booking (§9): its dates, its party, a cancellation, a
no-show, a guest waiting at the desk; and a hotel's settings (reference data).

What each may do in each stage of the booking is the booking table's
(:data:`~hotel_occupancy.domain.bookings.BOOKING_RULES`); what it does to the room holding
the booking, the transition table's. A change to a booking that holds no room is logged
on the booking alone (STAY_CHANGE, no room).
"""

from __future__ import annotations

from hotel_occupancy.domain.bookings import BookingStage, booking_rule
from hotel_occupancy.domain.commands import (
    CancelBooking,
    ChangeStay,
    MarkNoShow,
    QueueArrival,
    UpdateHotel,
    UpdateParty,
)
from hotel_occupancy.domain.dates import expected_checkout, local_date
from hotel_occupancy.domain.enums import GuestType
from hotel_occupancy.domain.errors import (
    AlreadyRegistered,
    BookingNotAssignable,
    InvalidInput,
)
from hotel_occupancy.domain.model import (
    Booking,
    BookingGuest,
    Guest,
    LogEntry,
    MetadataValue,
    RoomOccupancy,
    new_id,
    replace,
)
from hotel_occupancy.domain.occupancy import left_by, with_state
from hotel_occupancy.domain.rules import check_capacity
from hotel_occupancy.domain.transitions import transition
from hotel_occupancy.services.lookups import get_room
from hotel_occupancy.services.pins import fresh_pins, rest
from hotel_occupancy.services.runner import Context, handles

_IN_HOUSE = BookingStage.IN_HOUSE
_COMPANION = GuestType.COMPANION


def _log(
    ctx: Context,
    booking: Booking,
    holder: RoomOccupancy | None,
    metadata: dict[str, MetadataValue],
) -> LogEntry:
    """The entry of the service's change to ``booking``: on the room holding it, after the
    service's row (in the variant for the booking's role there) checked the room and, if
    the row says so, took the booking off it; else on the booking alone."""
    if holder is None:
        return ctx.draft_for_booking(booking.booking_id, metadata=metadata)
    t = transition(ctx.command.action, ctx.variant_for(holder, booking.booking_id))
    before = ctx.check(t, holder, booking_id=booking.booking_id)
    after = t.apply(before)
    if t.tenancy is not None or t.arriving is not None:  # the booking leaves the room
        ctx.uow.occupancies.update(left_by(t, holder, after, ctx.at))
    elif after != before:  # (the front office resolved a discrepancy, §10)
        ctx.uow.occupancies.update(with_state(holder, after, ctx.at))
    return ctx.draft(
        t,
        room_id=holder.room_id,
        before=before,
        after=after,
        booking_id=booking.booking_id,
        metadata=metadata,
    )


# --- change_stay ------------------------------------------------------------------------

_CHANGE_STAY_RULE = booking_rule("change_stay")


@handles(ChangeStay)
def change_stay(ctx: Context, cmd: ChangeStay) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    stage, holder = ctx.booking_stage(booking)
    _CHANGE_STAY_RULE.admit(booking, stage, ctx.at)
    arrival = booking.arrival if cmd.arrival is None else cmd.arrival
    departure = booking.departure if cmd.departure is None else cmd.departure
    if departure < arrival:
        raise InvalidInput(
            f"departure {departure.isoformat()} would be before arrival {arrival.isoformat()}",
            booking_id=booking.booking_id,
        )
    if (arrival, departure) == (booking.arrival, booking.departure):
        return []  # nothing changes: nothing to log (a repeated sync is harmless)
    in_house = stage is _IN_HOUSE
    today = local_date(ctx.hotel, ctx.at)
    if in_house and arrival != booking.arrival:
        raise BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) is in house: its "
            "arrival can no longer change",
            booking_id=booking.booking_id,
        )
    if in_house and departure < today:
        raise BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) is in house: its new "
            f"departure {departure.isoformat()} is before today ({today.isoformat()})",
            booking_id=booking.booking_id,
        )
    entry = _log(
        ctx,
        booking,
        holder,
        {
            "arrival_before": booking.arrival.isoformat(),
            "arrival_after": arrival.isoformat(),
            "departure_before": booking.departure.isoformat(),
            "departure_after": departure.isoformat(),
        },
    )
    ctx.uow.bookings.update(replace(booking, arrival=arrival, departure=departure))
    if in_house and holder is not None and holder.booking_id == booking.booking_id:
        current = ctx.occupancy(holder.room_id)  # as _log left it (a discrepancy resolved)
        ctx.uow.occupancies.update(
            replace(
                current,
                expected_checkout=expected_checkout(ctx.hotel, departure),
                updated_at=ctx.at,
            )
        )
    return [entry]


# --- update_party -----------------------------------------------------------------------

_UPDATE_PARTY_RULE = booking_rule("update_party")


@handles(UpdateParty)
def update_party(ctx: Context, cmd: UpdateParty) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    stage, holder = ctx.booking_stage(booking)
    _UPDATE_PARTY_RULE.admit(booking, stage, ctx.at)
    party = tuple(cmd.party)
    if party == booking.party:
        return []  # nothing changes: nothing to log
    uow = ctx.uow
    before_ids = {m.booking_guest_id for m in booking.party}
    new_ids = [m.booking_guest_id for m in party if m.booking_guest_id not in before_ids]
    taken = {
        member: owner
        for member, owner in uow.bookings.party_owners(new_ids).items()
        if owner != booking.booking_id
    }
    if taken:
        raise AlreadyRegistered(
            f"booking guest ids already belong to another booking: {sorted(taken)}",
            booking_id=booking.booking_id,
            booking_guest_ids=tuple(sorted(taken)),
        )
    in_house = stage is _IN_HOUSE
    if in_house and party[0].booking_guest_id != booking.primary.booking_guest_id:
        raise BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) is in house: its "
            f"primary guest {booking.primary.booking_guest_id!r} stays first in the party",
            booking_id=booking.booking_id,
        )
    if holder is not None:
        check_capacity(get_room(uow, holder.room_id), booking, len(party))
    after_ids = {m.booking_guest_id for m in party}
    removed = [m for m in booking.party if m.booking_guest_id not in after_ids]
    renamed = [m for m in party if m.booking_guest_id in before_ids and m not in booking.party]
    entry = _log(
        ctx,
        booking,
        holder,
        {
            "party_before": len(booking.party),
            "party_after": len(party),
            "joined": len(new_ids),
            "left": len(removed),
            "renamed": len(renamed),
        },
    )
    changed = replace(booking, party=party)
    uow.bookings.set_party(changed)
    if in_house:
        _update_stay(ctx, booking, party, new_ids, removed, renamed)
    return [entry]


def _update_stay(
    ctx: Context,
    booking: Booking,
    party: tuple[BookingGuest, ...],
    joined: list[str],
    removed: list[BookingGuest],
    renamed: list[BookingGuest],
) -> None:
    """The in-house guest records after the party changed: a Guest with a fresh PIN for
    each member who joined, the records of those who left depart, renamed ones keep their
    id and PIN."""
    uow, hotel, at = ctx.uow, ctx.hotel, ctx.at
    today = local_date(hotel, at)
    staying = {
        g.booking_guest_id: g for g in uow.guests.for_booking(booking.booking_id) if g.in_house
    }
    primary = staying[booking.primary.booking_guest_id]
    gone = {m.booking_guest_id for m in removed}
    leaving = [
        replace(g, check_out_date=today, id_pin=None, device_token=None)
        for member_id, g in staying.items()
        if member_id in gone
    ]
    names = {m.booking_guest_id: m for m in renamed}
    changes = leaving + [
        replace(
            staying[member_id],
            first_name=names[member_id].first_name,
            last_name=names[member_id].last_name,
        )
        for member_id in names
        if member_id in staying
    ]
    if changes:
        uow.guests.update_many(changes)
    if leaving:
        rest(
            uow,
            hotel.hotel_id,
            [staying[member_id].id_pin for member_id in gone if member_id in staying],
            at,
        )
    if joined:
        members = {m.booking_guest_id: m for m in party}
        pins = fresh_pins(uow, hotel.hotel_id, len(joined), at)
        uow.guests.add_many(
            [
                Guest(
                    guest_id=new_id(),
                    hotel_id=hotel.hotel_id,
                    booking_id=booking.booking_id,
                    booking_guest_id=member_id,
                    guest_type=_COMPANION,
                    primary_guest_id=primary.guest_id,
                    first_name=members[member_id].first_name,
                    last_name=members[member_id].last_name,
                    check_in_date=today,
                    id_pin=pins[index],
                )
                for index, member_id in enumerate(joined)
            ]
        )


# --- cancel_booking and mark_no_show ----------------------------------------------------

_CLOSE_RULES = {a: booking_rule(a) for a in ("cancel_booking", "mark_no_show")}


def _close(ctx: Context, why: str) -> list[LogEntry]:
    """Cancel the booking, or mark it as a no-show (``why``): a pre-assignment is released
    (UNASSIGN on its room, the metadata saying why)."""
    booking: Booking = ctx.found["booking_id"]
    stage, holder = ctx.booking_stage(booking)
    rule = _CLOSE_RULES[ctx.command.action]
    closed = rule.admit(booking, stage, ctx.at, by=ctx.actor)
    today = local_date(ctx.hotel, ctx.at)
    if why == "no_show" and today < booking.arrival:
        raise BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) arrives on "
            f"{booking.arrival.isoformat()}: it cannot be a no-show before then",
            booking_id=booking.booking_id,
        )
    entry = _log(ctx, booking, holder, {"why": why})
    ctx.store_booking(booking, closed)
    return [entry]


@handles(CancelBooking)
def cancel_booking(ctx: Context, cmd: CancelBooking) -> list[LogEntry]:
    return _close(ctx, "cancelled")


@handles(MarkNoShow)
def mark_no_show(ctx: Context, cmd: MarkNoShow) -> list[LogEntry]:
    return _close(ctx, "no_show")


# --- queue_arrival ----------------------------------------------------------------------

_QUEUE_RULE = booking_rule("queue_arrival")


@handles(QueueArrival)
def queue_arrival(ctx: Context, cmd: QueueArrival) -> list[LogEntry]:
    booking: Booking = ctx.found["booking_id"]
    stage, holder = ctx.booking_stage(booking)
    queued = _QUEUE_RULE.admit(booking, stage, ctx.at)
    assert holder is not None  # a pre-assigned booking has a room
    entry = _log(ctx, booking, holder, {"queued": True})
    ctx.store_booking(booking, queued)
    return [entry]


# --- update_hotel (reference data) ------------------------------------------------------


@handles(UpdateHotel)
def update_hotel(ctx: Context, cmd: UpdateHotel) -> tuple[LogEntry, ...]:
    hotel = ctx.found["hotel_id"]
    changed = replace(hotel, **cmd.changes())
    if changed != hotel:
        ctx.uow.hotels.update(changed)
    return ()
