"""Changing an occupancy record: the state it is in, and the record in a new state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotel_occupancy.domain.model import RoomOccupancy, replace
from hotel_occupancy.domain.transitions import RoomState, Service, Stamp, Tenancy, Transition

__all__ = ["left_by", "released", "state_of", "vacated", "with_state"]

# (globals: on Python 3.11 reading a member off its Enum class is several times dearer)
_CLEANED, _INSPECTED = Stamp.CLEANED, Stamp.INSPECTED
_ASSIGNED = Tenancy.ASSIGNED
_IN_SERVICE = Service.IN_SERVICE


def state_of(occupancy: RoomOccupancy) -> RoomState:
    """The state of the room the record describes."""
    return RoomState.of(
        occupancy.status,
        occupancy.condition,
        occupancy.booking_id is not None,
        occupancy.arriving_booking_id is not None,
        occupancy.service_status,
        occupancy.discrepancy,
    )


def with_state(
    occupancy: RoomOccupancy,
    state: RoomState,
    at: datetime,
    *,
    stamp: Stamp | None = None,
    staff_id: str | None = None,
    **changes: Any,
) -> RoomOccupancy:
    """The record moved to ``state`` at ``at`` (and the other ``changes``), in one copy.
    ``stamp`` records who (``staff_id``) cleaned or inspected the room, and when. What the
    state says of the service status and the discrepancy is written too: a resolved
    discrepancy takes its report with it, and a room back in service its window."""
    if stamp is None:
        pass
    elif stamp is _CLEANED:
        changes.update(last_cleaned_by=staff_id, last_cleaned_at=at)
    elif stamp is _INSPECTED:
        changes.update(last_inspected_by=staff_id, last_inspected_at=at)
    if state.guest_service is not occupancy.service_status:
        changes["service_status"] = state.guest_service
    if state.discrepancy is None and occupancy.discrepancy is not None:
        changes.update(
            discrepancy=None, discrepancy_by=None, discrepancy_at=None, observed_guests=None
        )
    elif state.discrepancy is not occupancy.discrepancy:
        changes["discrepancy"] = state.discrepancy
    if state.service is _IN_SERVICE and occupancy.out_of_service_until is not None:
        changes.update(out_of_service_until=None, return_condition=None)
    return replace(
        occupancy, status=state.status, condition=state.condition, updated_at=at, **changes
    )


def vacated(occupancy: RoomOccupancy, state: RoomState, at: datetime) -> RoomOccupancy:
    """The record after its booking left, in ``state``. A room an arriving booking awaited
    is handed to it (``state`` is then pre-assigned, as the transition table says): the
    arriving booking becomes the room's booking."""
    handed_over = state.tenancy is _ASSIGNED and occupancy.arriving_booking_id is not None
    return with_state(
        occupancy,
        state,
        at,
        booking_id=occupancy.arriving_booking_id if handed_over else None,
        arriving_booking_id=None,
        occupied_since=None,
        expected_checkout=None,
        assigned_by=None,
    )


def released(occupancy: RoomOccupancy, state: RoomState, at: datetime) -> RoomOccupancy:
    """The record after its arriving booking was taken off it, in ``state``."""
    return with_state(occupancy, state, at, arriving_booking_id=None)


def left_by(
    t: Transition, occupancy: RoomOccupancy, state: RoomState, at: datetime
) -> RoomOccupancy:
    """The record after the booking row ``t`` took off it left, in ``state``: a row that
    releases the room's arriving booking (``t.arriving is False``) leaves the room's own
    booking be; any other vacates the room (handed to its arriving booking, if any)."""
    if t.arriving is False:
        return released(occupancy, state, at)
    return vacated(occupancy, state, at)
