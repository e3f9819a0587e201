"""The housekeeping day's definitions (§10), as pure functions: what an observation finds
against the front office, and which nights a stayover cleaning is due.

The transition table (:mod:`hotel_occupancy.domain.transitions`) says what each finding
and each night audit step does to a room; these functions only say which row applies.
"""

from __future__ import annotations

from datetime import date

from hotel_occupancy.domain.enums import DiscrepancyKind

__all__ = ["finding", "stayover_due"]


def finding(
    *,
    front_office_occupied: bool,
    occupied: bool,
    guests: int | None,
    expected_guests: int,
) -> DiscrepancyKind | None:
    """What housekeeping's observation of a room finds, exactly as §10 defines it:

    - SKIP: the front office says the room is occupied, housekeeping found it vacant;
    - SLEEP: the front office says it is vacant, housekeeping found it occupied;
    - PERSON: occupied both ways, and the number of guests housekeeping counted
      (``guests``) differs from the front office's (``expected_guests``, the in-house
      guests of its booking);
    - None: the observation agrees (an occupied room whose guests were not counted
      agrees on occupancy).
    """
    if front_office_occupied and not occupied:
        return DiscrepancyKind.SKIP
    if occupied and not front_office_occupied:
        return DiscrepancyKind.SLEEP
    if occupied and guests is not None and guests != expected_guests:
        return DiscrepancyKind.PERSON
    return None


def stayover_due(every: int, check_in: date, business_date: date) -> bool:
    """Whether the night audit of ``business_date`` orders a stayover cleaning for a guest
    who checked in on ``check_in`` (the hotel's local dates), in a hotel cleaning its
    stayovers every ``every`` nights (0: never).

    After the audit of ``business_date`` the guest has had ``business_date - check_in +
    1`` nights; a cleaning is due when that count is a multiple of ``every``: with 1,
    every day; with 2, the second day, the fourth... A guest whose check-in date is after
    the business date (a clock or data error) is never due.
    """
    if every <= 0:
        return False
    nights = (business_date - check_in).days + 1
    return nights >= 1 and nights % every == 0
