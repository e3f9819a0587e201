"""The booking table: the one place that decides what may happen to a booking.

A booking moves through stages (:class:`BookingStage`): arriving, assigned (pre-assigned
to a room, not yet checked in), in house, departed; or, if it never arrives, cancelled or
no-show. :data:`BOOKING_RULES` lists, for each
operation service that acts on a booking, the stages it accepts, why it refuses each of
the others, and what it makes of the booking. The services read this table, as they read
the room table (:mod:`hotel_occupancy.domain.transitions`) for the room's side; nothing
else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from attrs import frozen

from hotel_occupancy.domain.enums import BookingStage
from hotel_occupancy.domain.errors import BookingNotAssignable
from hotel_occupancy.domain.model import Booking, replace

__all__ = [
    "BOOKING_RULES",
    "BookingRule",
    "BookingStage",
    "booking_rule",
    "room_rule",
    "stage_from",
    "stage_of",
]


# The stages as module constants: on Python 3.11 reading a member off its Enum class costs
# several times what reading a global does, and the rules below run on every operation.
_ARRIVING = BookingStage.ARRIVING
_ASSIGNED = BookingStage.ASSIGNED
_IN_HOUSE = BookingStage.IN_HOUSE
_DEPARTED = BookingStage.DEPARTED
_CANCELLED = BookingStage.CANCELLED
_NO_SHOW = BookingStage.NO_SHOW


def stage_of(booking: Booking, assigned: bool) -> BookingStage:
    """The stage of ``booking``; ``assigned``: whether a room holds it (in either role)."""
    return stage_from(
        booking.checked_in_at is not None,
        booking.checked_out_at is not None,
        booking.cancelled_at is not None,
        booking.no_show_at is not None,
        assigned,
    )


def stage_from(
    checked_in: bool, checked_out: bool, cancelled: bool, no_show: bool, assigned: bool
) -> BookingStage:
    """The stage of a booking from its recorded facts (what :func:`stage_of` reads; an
    adapter's read model that has the columns but not the Booking uses it directly)."""
    if checked_out:
        return _DEPARTED
    if checked_in:
        return _IN_HOUSE
    if cancelled:
        return _CANCELLED
    if no_show:
        return _NO_SHOW
    return _ASSIGNED if assigned else _ARRIVING


_CHECKED_OUT = "is already checked out"
_CHECKED_IN = "is already checked in"
_NOT_ASSIGNED = "is not assigned to a room"


@frozen
class BookingRule:
    """One row of the booking table: which stages a service accepts, and its effect.

    ``refusals`` gives, for each stage refused, the words of the refusal (``{room_id}``
    stands for the room holding the booking); a closed stage without words of its own gets
    the common ones. ``after`` is the stage it leaves the booking in (None: unchanged).
    ``final_after_move``: refused for an in-house booking that has moved rooms since its
    check-in (the check-in is then final). ``moves``: it records a room move of the stay.
    ``queues``: it puts the booking's guest in the queue at the desk (refused if already
    there). ``of_room``: the service judges the booking held by the room it acts on (the
    room's own, or the one awaiting it for ``check_in``) before the room, so that judging
    a room (:func:`hotel_occupancy.services.allowed_operations`) judges that booking first;
    False for the services that bring a booking from elsewhere (assign, reassign) and for
    those that judge the room first (move, checkout: an occupied room's booking is in
    house). Leaving the pre-assigned stage (checked in, unassigned, cancelled, no-show)
    takes a booking out of the queue.
    """

    action: str
    stages: frozenset[BookingStage]
    refusals: Mapping[BookingStage, str]
    after: BookingStage | None = None
    final_after_move: bool = False
    moves: bool = False
    queues: bool = False
    of_room: bool = True

    def __attrs_post_init__(self) -> None:
        words = {**_CLOSED_WORDS, **self.refusals}
        object.__setattr__(self, "refusals", {s: words[s] for s in BookingStage if s in words})
        missing = set(BookingStage) - self.stages - set(self.refusals)
        if missing:
            raise ValueError(f"{self.action}: no refusal for {sorted(missing)}")

    def refusal(
        self, booking: Booking, stage: BookingStage, room_id: str | None = None
    ) -> BookingNotAssignable | None:
        """The error refusing this service for ``booking`` in ``stage``, or None."""
        if stage in self.stages:
            if self.final_after_move and stage is _IN_HOUSE and booking.moved_at:
                why = "has moved rooms since check-in, so the check-in can no longer be undone"
            elif self.queues and booking.queued_at is not None:
                why = "is already waiting at the desk"
            else:
                return None
        else:
            why = self.refusals[stage].format(room_id=room_id)
        return BookingNotAssignable(
            f"booking {booking.reference!r} ({booking.booking_id!r}) {why}",
            booking_id=booking.booking_id,
        )

    def apply(
        self, booking: Booking, stage: BookingStage, at: datetime, by: str | None = None
    ) -> Booking:
        """The booking after this service acted on it at ``at`` (``by``: the acting staff
        member), coming from ``stage``."""
        after = self.after
        changes: dict[str, object] = {}
        if after is _IN_HOUSE and stage is not _IN_HOUSE:
            changes["checked_in_at"] = at
        elif after is _DEPARTED:
            changes["checked_out_at"] = at
        elif after is _ARRIVING and stage is _IN_HOUSE:
            changes["checked_in_at"] = None
        elif after is _CANCELLED:
            changes.update(cancelled_at=at, cancelled_by=by)
        elif after is _NO_SHOW:
            changes.update(no_show_at=at, no_show_by=by)
        if self.moves:
            changes["moved_at"] = at
        if self.queues:
            changes["queued_at"] = at
        elif after is not None and after is not _ASSIGNED and booking.queued_at is not None:
            changes["queued_at"] = None  # no longer waiting for a pre-assigned room
        return replace(booking, **changes) if changes else booking

    def admit(
        self,
        booking: Booking,
        stage: BookingStage,
        at: datetime,
        room_id: str | None = None,
        by: str | None = None,
    ) -> Booking:
        """The booking after this service acts on it at ``at`` (what :meth:`apply` gives);
        the :meth:`refusal` is raised instead if this rule refuses it in ``stage``. Nothing
        is stored: the caller stores the result, if it differs, once every check passed."""
        refusal = self.refusal(booking, stage, room_id)
        if refusal is not None:
            raise refusal
        return self.apply(booking, stage, at, by)


_S = BookingStage
_CLOSED_WORDS: Mapping[BookingStage, str] = {
    _S.DEPARTED: _CHECKED_OUT,
    _S.CANCELLED: "is cancelled",
    _S.NO_SHOW: "is marked as a no-show",
}
_NEEDS_IN_HOUSE = {
    _S.ARRIVING: "is not in house",
    _S.ASSIGNED: "is not in house",
}
_LIVE = frozenset({_S.ARRIVING, _S.ASSIGNED, _S.IN_HOUSE})
_NOT_YET_ARRIVED = frozenset({_S.ARRIVING, _S.ASSIGNED})
_ARRIVED = {
    _S.IN_HOUSE: "is in house: check it out instead",
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
        of_room=False,
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
        of_room=False,
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
        of_room=False,
    ),
    BookingRule(
        "checkout_room",
        frozenset({_S.IN_HOUSE}),
        _NEEDS_IN_HOUSE,
        after=_S.DEPARTED,
        of_room=False,
    ),
    BookingRule("change_stay", _LIVE, {}),
    BookingRule("update_party", _LIVE, {}),
    BookingRule(
        "cancel_booking",
        _NOT_YET_ARRIVED,
        {**_ARRIVED, _S.CANCELLED: "is already cancelled"},
        after=_S.CANCELLED,
    ),
    BookingRule(
        "mark_no_show",
        _NOT_YET_ARRIVED,
        {**_ARRIVED, _S.NO_SHOW: "is already marked as a no-show"},
        after=_S.NO_SHOW,
    ),
    BookingRule(
        "queue_arrival",
        frozenset({_S.ASSIGNED}),
        {_S.ARRIVING: "is not pre-assigned to a room", _S.IN_HOUSE: _CHECKED_IN},
        queues=True,
    ),
)
"""Every rule of the booking table, one per service that acts on a booking."""

_BY_ACTION: Mapping[str, BookingRule] = {rule.action: rule for rule in BOOKING_RULES}


def booking_rule(action: str) -> BookingRule:
    """The booking table's rule for the service ``action``; KeyError if it has none."""
    return _BY_ACTION[action]


def room_rule(action: str) -> BookingRule | None:
    """The booking table's rule for ``action`` if the booking it acts on is one the room
    acted on holds (``of_room``), else None."""
    rule = _BY_ACTION.get(action)
    return rule if rule is not None and rule.of_room else None
