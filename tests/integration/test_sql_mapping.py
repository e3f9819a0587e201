"""Reading values as database drivers return them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hotel_occupancy.adapters.sqlalchemy.schema import as_utc


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-12 11:00:00.000000",  # SQLite's text, naive UTC
        datetime(2026, 3, 12, 11),  # a naive datetime, UTC
        datetime(2026, 3, 12, 12, tzinfo=timezone(timedelta(hours=1))),  # aware, elsewhere
        datetime(2026, 3, 12, 11, tzinfo=UTC),  # aware UTC
    ],
)
def test_a_driver_value_of_a_utc_column_reads_as_aware_utc(value: datetime | str) -> None:
    """as_utc gives the same aware UTC instant whatever form the driver returned."""
    read = as_utc(value)
    assert read == datetime(2026, 3, 12, 11, tzinfo=UTC)
    assert read.tzinfo is UTC
