"""The booking table: the one place that decides what may happen to a booking.

A booking moves through stages (:class:`BookingStage`): arriving, assigned (pre-assigned
to a room, not yet checked in), in house, departed. :data:`BOOKING_RULES` lists, for each
operation service that acts on a booking, the stages it accepts, why it refuses each of
the others, and what it makes of the booking. The services read this table, as they read
the room table (:mod:`hotel_occupancy.domain.transitions`) for the room's side; nothing
else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from attrs import frozen

from hotel_occupancy.domain.errors import BookingNotAssignable
from hotel_occupancy.domain.model import Booking, replace

__all__ = [
    "BOOKING_RULES",
    "BookingRule",
    "BookingStage",
    "booking_rule",
    "stage_of",
]


class BookingStage(StrEnum):
    """Where a booking stands."""

    ARRIVING = "ARRIVING"  # registered, neither assigned nor checked in
    ASSIGNED = "ASSIGNED"  # pre-assigned to a room, not yet checked in
    IN_HOUSE = "IN_HOUSE"  # checked in, not checked out
    DEPARTED = "DEPARTED"  # checked out


# The stages as module constants: on Python 3.11 reading a member off its Enum class costs
# several times what reading a global does, and the rules below run on every operation.
_ARRIVING = BookingStage.ARRIVING
_ASSIGNED = BookingStage.ASSIGNED
_IN_HOUSE = BookingStage.IN_HOUSE
_DEPARTED = BookingStage.DEPARTED


def stage_of(booking: Booking, assigned: bool) -> BookingStage:
    """The stage of ``booking``; ``assigned``: whether a room holds it."""
    if booking.checked_out_at is not None:
        return _DEPARTED
    if booking.checked_in_at is not None:
        return _IN_HOUSE
    return _ASSIGNED if assigned else _ARRIVING


_CHECKED_OUT = "is already checked out"
_CHECKED_IN = "is already checked in"
_NOT_ASSIGNED = "is not assigned to a room"


@frozen
class BookingRule:
    """One row of the booking table: which stages a service accepts, and its effect.

    ``refusals`` gives, for each stage refused, the words of the refusal (``{room_id}``
    stands for the room holding the booking). ``after`` is the stage it leaves the booking
    in (None: unchanged). ``final_after_move``: refused for an in-house booking that has
    moved rooms since its check-in (the check-in is then final). ``moves``: it records a
    room move of the stay.
    """

    action: str
    stages: frozenset[BookingStage]
    refusals: Mapping[BookingStage, str]
    after: BookingStage | None = None
    final_after_move: bool = False
    moves: bool = False

    def refusal(
        self, booking: Booking, stage: BookingStage, room_id: str | None = None
    ) -> BookingNotAssignable | None:
        """The error refusing this service for ``booking`` in ``stage``, or None."""
        if stage in self.stages:
            if self.final_after_move and stage is _IN_HOUSE and booking.moved_at:
                why = "has moved rooms since check-in, so the check-in can no longer be undone"
            else:
                return None
        else:
            why = self.refusals[stage].format(room_id=room_id)
        return BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) {why}",
            booking_id=booking.booking_id,
        )

    def apply(self, booking: Booking, stage: BookingStage, at: datetime) -> Booking:
        """The booking after this service acted on it at ``at``, coming from ``stage``."""
        after = self.after
        changes: dict[str, object] = {}
        if after is _IN_HOUSE and stage is not _IN_HOUSE:
            changes["checked_in_at"] = at
        elif after is _DEPARTED:
            changes["checked_out_at"] = at
        elif after is _ARRIVING and stage is _IN_HOUSE:
            changes["checked_in_at"] = None
        if self.moves:
            changes["moved_at"] = at
        return replace(booking, **changes) if changes else booking

    def admit(
        self, booking: Booking, stage: BookingStage, at: datetime, room_id: str | None = None
    ) -> Booking:
        """The booking after this service acts on it at ``at`` (what :meth:`apply` gives);
        the :meth:`refusal` is raised instead if this rule refuses it in ``stage``. Nothing
        is stored: the caller stores the result, if it differs, once every check passed."""
        refusal = self.refusal(booking, stage, room_id)
        if refusal is not None:
            raise refusal
        return self.apply(booking, stage, at)


_S = BookingStage
_NEEDS_IN_HOUSE = {
    _S.ARRIVING: "is not in house",
    _S.ASSIGNED: "is not in house",
    _S.DEPARTED: _CHECKED_OUT,
}

BOOKING_RULES: tuple[BookingRule, ...] = (
    BookingRule(
        "assign_room",
        frozenset({_S.ARRIVING}),
        {
            _S.ASSIGNED: "is already assigned to room {room_id!r}",
            _S.IN_HOUSE: _CHECKED_IN,
            _S.DEPARTED: _CHECKED_OUT,
        },
        after=_S.ASSIGNED,
    ),
    BookingRule(
        "check_in",
        frozenset({_S.ASSIGNED}),
        {_S.ARRIVING: _NOT_ASSIGNED, _S.IN_HOUSE: _CHECKED_IN, _S.DEPARTED: _CHECKED_OUT},
        after=_S.IN_HOUSE,
    ),
    BookingRule(
        "reassign_room",
        frozenset({_S.ASSIGNED}),
        {
            _S.ARRIVING: "is not pre-assigned to a room",
            _S.IN_HOUSE: _CHECKED_IN,
            _S.DEPARTED: _CHECKED_OUT,
        },
        after=_S.ASSIGNED,
    ),
    BookingRule(
        "unassign_room",
        frozenset({_S.ASSIGNED, _S.IN_HOUSE}),
        {_S.ARRIVING: _NOT_ASSIGNED, _S.DEPARTED: _CHECKED_OUT},
        after=_S.ARRIVING,
        final_after_move=True,
    ),
    BookingRule(
        "move_guest",
        frozenset({_S.IN_HOUSE}),
        _NEEDS_IN_HOUSE,
        moves=True,
    ),
    BookingRule(
        "checkout_room",
        frozenset({_S.IN_HOUSE}),
        _NEEDS_IN_HOUSE,
        after=_S.DEPARTED,
    ),
)
"""Every rule of the booking table, one per service that acts on a booking."""

_BY_ACTION: Mapping[str, BookingRule] = {rule.action: rule for rule in BOOKING_RULES}


def booking_rule(action: str) -> BookingRule:
    """The booking table's rule for the service ``action``; KeyError if it has none."""
    return _BY_ACTION[action]
