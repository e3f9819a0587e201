"""The database itself refuses what would break the invariants, whatever writes to it.

Each test writes raw SQL that tries to break one rule and shows the database refuses it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from tests.support import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh database of each kind with two hotels in it."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    for hotel, rooms in (("H", ("R1", "R2", "R3")), ("H2", ("X1",))):
        services.register_hotel(uow, hotel_id=hotel, name=hotel)
        for room in rooms:
            services.register_room(uow, hotel_id=hotel, room_id=room, number=room)
        services.register_staff(
            uow, hotel_id=hotel, staff_id=f"{hotel}-fd", name="F", role=ho.StaffRole.MANAGER
        )
    for booking, hotel in (("B", "H"), ("C", "H"), ("B2", "H2")):
        services.register_booking(
            uow,
            hotel_id=hotel,
            booking_id=booking,
            reference=booking,
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 11),
            party=[ho.BookingGuest(f"{booking}-1", "A", "B")],
        )
    services.assign_room(uow, booking_id="B", room_id="R1", staff_id="H-fd")
    services.assign_room(uow, booking_id="C", room_id="R3", staff_id="H-fd")
    services.mark_dirty(uow, room_id="R2", staff_id="H-fd")
    return engine


ATTEMPTS = {
    "a second occupancy record for a room": (
        "INSERT INTO ho_occupancies (room_id, hotel_id, status, condition, created_at, "
        "updated_at) VALUES ('R1', 'H', 'VACANT_CLEAN', 'CLEAN', '2026-01-01', '2026-01-01')"
    ),
    "one booking in two rooms": ("UPDATE ho_occupancies SET booking_id = 'B' WHERE room_id = 'R2'"),
    "a room holding another hotel's booking": (
        "UPDATE ho_occupancies SET booking_id = 'B2' WHERE room_id = 'R2'"
    ),
    "an occupancy record naming another hotel's room": (
        "UPDATE ho_occupancies SET hotel_id = 'H2' WHERE room_id = 'R2'"
    ),
    "a log entry by another hotel's staff member": (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, status_before, "
        "status_after, condition_before, condition_after, notes, metadata, timestamp) VALUES "
        "('H', 'R1', 'CHECKOUT', 'H2-fd', 'OCCUPIED', 'VACANT_DIRTY', 'CLEAN', 'DIRTY', '', "
        "'{}', '2026-01-01')"
    ),
    "a log entry moving a guest from another hotel's room": (
        "INSERT INTO ho_log (hotel_id, room_id, from_room_id, operation, performed_by, "
        "status_before, status_after, condition_before, condition_after, notes, metadata, "
        "timestamp) VALUES ('H', 'R2', 'X1', 'MOVE', 'H-fd', 'VACANT_CLEAN', 'OCCUPIED', "
        "'CLEAN', 'CLEAN', '', '{}', '2026-01-01')"
    ),
    "an OCCUPIED room without a booking": (
        "UPDATE ho_occupancies SET status = 'OCCUPIED', occupied_since = '2026-01-01' "
        "WHERE room_id = 'R2'"
    ),
    "an out-of-order room holding a booking": (
        "UPDATE ho_occupancies SET status = 'OUT_OF_ORDER', occupied_since = NULL "
        "WHERE room_id = 'R1'"
    ),
    "a VACANT_CLEAN room whose condition is DIRTY": (
        "UPDATE ho_occupancies SET status = 'VACANT_CLEAN' WHERE room_id = 'R2'"
    ),
    "an unknown status": ("UPDATE ho_occupancies SET status = 'SOLD_TWICE' WHERE room_id = 'R2'"),
    "two in-house guests of one hotel sharing a PIN": (
        "UPDATE ho_guests SET id_pin = (SELECT g.id_pin FROM ho_guests g "
        "WHERE g.booking_id = 'B') WHERE booking_id = 'C'"
    ),
    "a departed guest keeping a PIN": (
        "UPDATE ho_guests SET check_out_date = '2026-03-11' WHERE booking_id = 'B'"
    ),
    "a departed guest keeping a device token": (
        "UPDATE ho_guests SET check_out_date = '2026-03-11', id_pin = NULL, "
        "device_token = 'phone' WHERE booking_id = 'B'"
    ),
    "a request_id used twice": (
        "INSERT INTO ho_requests (request_id, action, fingerprint, hotel_id, created_at) "
        "VALUES ('r', 'a', 'f', 'H', '2026-01-01'), ('r', 'a', 'f', 'H', '2026-01-01')"
    ),
    "a second open cleaning task for a room": (
        "INSERT INTO ho_tasks (task_id, hotel_id, room_id, kind, status, created_at, "
        "updated_at) VALUES ('t-extra', 'H', 'R2', 'TURNOVER', 'OPEN', '2026-01-01', "
        "'2026-01-01')"
    ),
    "two rooms of one hotel with the same number": (
        "INSERT INTO ho_rooms (room_id, hotel_id, number) VALUES ('R9', 'H', 'R1')"
    ),
    "a booking that departs before it arrives": (
        "UPDATE ho_bookings SET departure = '2026-03-01' WHERE booking_id = 'B'"
    ),
}


@pytest.mark.parametrize("statement", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
def test_the_database_refuses_raw_sql_that_breaks_an_invariant(
    engine: Engine, statement: str
) -> None:
    """Raw SQL that would break one rule is refused by the database itself."""
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(statement))


def test_the_fixture_hotel_is_sound_so_each_refusal_is_the_rule_at_work(engine: Engine) -> None:
    """The starting state is valid: refusals above come from the rule, not a broken setup."""
    from hotel_occupancy.domain.invariants import check_invariants

    assert check_invariants(SqlAlchemyUnitOfWork(engine).snapshot()) == []
    with engine.begin() as conn:  # and a harmless write of the same shape is accepted
        conn.execute(text("UPDATE ho_occupancies SET booking_id = NULL WHERE room_id = 'R2'"))


EXPECTED_INDEXES = {
    "ho_occupancies": {("hotel_id", "status"), ("booking_id", "status")},
    "ho_log": {
        ("room_id", "operation", "timestamp"),
        ("booking_id", "timestamp"),
        ("performed_by", "timestamp"),
    },
}


def test_the_indexes_the_original_design_asked_for_exist(engine: Engine) -> None:
    """Status by hotel, booking by status, log by room/operation/time, booking/time, staff/time."""
    inspector = inspect(engine)
    for table, wanted in EXPECTED_INDEXES.items():
        have = {tuple(str(c) for c in i["column_names"]) for i in inspector.get_indexes(table)}
        assert wanted <= have, f"{table} lacks {wanted - have}"
