"""The hotel's calendar: local dates and the expected checkout, as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hotel_occupancy.domain.model import Hotel
from hotel_occupancy.domain.zones import zone

__all__ = ["expected_checkout", "local_date"]


def local_date(hotel: Hotel, moment: datetime) -> date:
    """The hotel's local calendar date at the aware ``moment``."""
    return moment.astimezone(zone(hotel.timezone)).date()


def expected_checkout(hotel: Hotel, departure: date) -> datetime:
    """The ``departure`` date at the hotel's checkout time, as an aware UTC datetime."""
    local = datetime.combine(departure, hotel.checkout_time, zone(hotel.timezone))
    return local.astimezone(UTC)
