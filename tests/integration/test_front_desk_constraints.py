"""The database itself guards the front desk's rules (§9), whatever writes to it.

Each test of the table below writes raw SQL that tries to break one rule of bookings that
are cancelled, marked as no-shows, queued at the desk or arriving into a room whose guest
is due out, and shows the database refuses it; the others show what it still accepts, that
its refusals reach callers as domain errors, and (PostgreSQL) that two writers racing to
place one booking in two rooms cannot both win.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from tests.integration.sessions import WAIT, until, waiting_for_locks
from tests.support import FakeClock

AT = "2026-03-10 15:00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh database of each kind: hotel H with B in house in R1 (D arriving into it),
    F in house in R2, C pre-assigned to R3, R4 vacant, R9 a room without an occupancy
    record, E arriving, G cancelled and N a no-show; hotel H2 with B2."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    for hotel, rooms in (("H", ("R1", "R2", "R3", "R4")), ("H2", ("X1",))):
        services.register_hotel(uow, hotel_id=hotel, name=hotel)
        for room in rooms:
            services.register_room(uow, hotel_id=hotel, room_id=room, number=room)
        services.register_staff(
            uow, hotel_id=hotel, staff_id=f"{hotel}-fd", name="F", role=ho.StaffRole.MANAGER
        )
    for booking, hotel in [(b, "H") for b in "BCDEFGN"] + [("B2", "H2")]:
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
    services.assign_room(uow, booking_id="F", room_id="R2", staff_id="H-fd")
    services.assign_room(uow, booking_id="C", room_id="R3", staff_id="H-fd", check_in=False)
    with engine.begin() as conn:
        for statement in (
            "UPDATE ho_occupancies SET arriving_booking_id = 'D' WHERE room_id = 'R1'",
            f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'H-fd' "
            "WHERE booking_id = 'G'",
            f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'H-fd' "
            "WHERE booking_id = 'N'",
            "INSERT INTO ho_rooms (room_id, hotel_id, number) VALUES ('R9', 'H', 'R9')",
        ):
            conn.execute(text(statement))
    return engine


def _new_record(booking_column: str, booking_id: str) -> str:
    """INSERT the occupancy record of R9, vacant and clean, holding ``booking_id``."""
    return (
        f"INSERT INTO ho_occupancies (room_id, hotel_id, status, condition, {booking_column}, "
        f"created_at, updated_at) VALUES ('R9', 'H', 'VACANT_CLEAN', 'CLEAN', '{booking_id}', "
        f"'{AT}', '{AT}')"
    )


def _entry(room: str, operation: str, booking: str, states: str) -> str:
    """INSERT a log entry of hotel H; ``states``: the four before/after values as SQL."""
    return (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, booking_id, "
        "status_before, status_after, condition_before, condition_after, notes, metadata, "
        f"timestamp) VALUES ('H', {room}, '{operation}', 'H-fd', {booking}, {states}, '', "
        f"'{{}}', '{AT}')"
    )


_NO_STATES = "NULL, NULL, NULL, NULL"
_STATES = "'VACANT_CLEAN', 'VACANT_CLEAN', 'CLEAN', 'CLEAN'"

ATTEMPTS = {
    # a booking is held by at most one room, in one role
    "a booking in house in one room and arriving into another": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'B' WHERE room_id = 'R2'"
    ),
    "a booking arriving into one room and pre-assigned to another": (
        "UPDATE ho_occupancies SET booking_id = 'D' WHERE room_id = 'R4'"
    ),
    "a new record holding a booking that arrives into another room": _new_record("booking_id", "D"),
    "a booking arriving into two rooms": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'D' WHERE room_id = 'R2'"
    ),
    "one booking as a room's booking and its arriving booking": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'B' WHERE room_id = 'R1'"
    ),
    "an arriving booking on a vacant room": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'E' WHERE room_id = 'R3'"
    ),
    "an arriving booking on a room that holds none": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'E' WHERE room_id = 'R4'"
    ),
    "an arriving booking of another hotel": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'B2' WHERE room_id = 'R2'"
    ),
    # a booking that never arrived stays closed
    "a checked-in booking cancelled": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'H-fd' "
        "WHERE booking_id = 'B'"
    ),
    "a checked-in booking marked as a no-show": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'H-fd' WHERE booking_id = 'B'"
    ),
    "a cancelled booking checked in": (
        f"UPDATE ho_bookings SET checked_in_at = '{AT}' WHERE booking_id = 'G'"
    ),
    "a no-show booking checked in": (
        f"UPDATE ho_bookings SET checked_in_at = '{AT}' WHERE booking_id = 'N'"
    ),
    "a booking both cancelled and a no-show": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'H-fd' WHERE booking_id = 'G'"
    ),
    "a cancellation by nobody": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}' WHERE booking_id = 'E'"
    ),
    "a canceller without a cancellation": (
        "UPDATE ho_bookings SET cancelled_by = 'H-fd' WHERE booking_id = 'E'"
    ),
    "a no-show by nobody": f"UPDATE ho_bookings SET no_show_at = '{AT}' WHERE booking_id = 'E'",
    "a cancellation by another hotel's staff member": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'H2-fd' "
        "WHERE booking_id = 'E'"
    ),
    "a no-show marked by another hotel's staff member": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'H2-fd' WHERE booking_id = 'E'"
    ),
    "a cancelled booking put on a room": (
        "UPDATE ho_occupancies SET booking_id = 'G' WHERE room_id = 'R4'"
    ),
    "a cancelled booking arriving into a room": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'G' WHERE room_id = 'R2'"
    ),
    "a no-show booking put on a room": (
        "UPDATE ho_occupancies SET booking_id = 'N' WHERE room_id = 'R4'"
    ),
    "a new record holding a cancelled booking": _new_record("booking_id", "G"),
    "a pre-assigned booking cancelled while its room still holds it": (
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'H-fd' "
        "WHERE booking_id = 'C'"
    ),
    "an arriving booking marked as a no-show while it awaits its room": (
        f"UPDATE ho_bookings SET no_show_at = '{AT}', no_show_by = 'H-fd' WHERE booking_id = 'D'"
    ),
    # only a guest still expected waits at the desk
    "a checked-in booking queued at the desk": (
        f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'B'"
    ),
    "a cancelled booking queued at the desk": (
        f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'G'"
    ),
    "a no-show booking queued at the desk": (
        f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'N'"
    ),
    # log entries without a room or states
    "a STAY_CHANGE entry naming neither a room nor a booking": _entry(
        "NULL", "STAY_CHANGE", "NULL", _NO_STATES
    ),
    "a STAY_CHANGE entry naming no room but states": _entry("NULL", "STAY_CHANGE", "'E'", _STATES),
    "a STAY_CHANGE entry on a room without states": _entry(
        "'R4'", "STAY_CHANGE", "'E'", _NO_STATES
    ),
    "an entry of another operation naming a booking and no room": _entry(
        "NULL", "STATUS_CHANGE", "'E'", _NO_STATES
    ),
    "a cleaning entry naming no room and no states": _entry(
        "NULL", "CLEAN_START", "NULL", _NO_STATES
    ),
}


@pytest.mark.parametrize("statement", list(ATTEMPTS.values()), ids=list(ATTEMPTS))
def test_the_database_refuses_raw_sql_that_breaks_a_front_desk_rule(
    engine: Engine, statement: str
) -> None:
    """Raw SQL that would break one rule of §9 is refused by the database itself."""
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(statement))


ACCEPTED = {
    "the arriving booking taking the room over at checkout (one UPDATE)": (
        "UPDATE ho_occupancies SET booking_id = 'D', arriving_booking_id = NULL, "
        "status = 'VACANT_DIRTY', condition = 'DIRTY', occupied_since = NULL, "
        "expected_checkout = NULL WHERE room_id = 'R1'"
    ),
    "an arriving booking released": (
        "UPDATE ho_occupancies SET arriving_booking_id = NULL WHERE room_id = 'R1'"
    ),
    "a booking arriving into a second occupied room": (
        "UPDATE ho_occupancies SET arriving_booking_id = 'E' WHERE room_id = 'R2'"
    ),
    "a pre-assigned booking cancelled once its room is released": (
        "UPDATE ho_occupancies SET booking_id = NULL WHERE room_id = 'R3'; "
        f"UPDATE ho_bookings SET cancelled_at = '{AT}', cancelled_by = 'H-fd' "
        "WHERE booking_id = 'C'"
    ),
    "a pre-assigned booking queued at the desk": (
        f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'C'"
    ),
    "a STAY_CHANGE entry naming a booking and no room": _entry(
        "NULL", "STAY_CHANGE", "'E'", _NO_STATES
    ),
    "a STAY_CHANGE entry on a room, with its states": _entry("'R4'", "STAY_CHANGE", "'E'", _STATES),
    "imported history naming no room": _entry("NULL", "ASSIGN", "'E'", _NO_STATES),
    "a room's record holding its own booking again": (
        "UPDATE ho_occupancies SET booking_id = 'B', arriving_booking_id = 'D' WHERE room_id = 'R1'"
    ),
}


@pytest.mark.parametrize("statements", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_the_database_accepts_the_writes_the_front_desk_makes(
    engine: Engine, statements: str
) -> None:
    """Writes of the same shapes that keep the rules are accepted, so each refusal above is
    the rule at work, not a broken setup."""
    with engine.begin() as conn:
        for statement in statements.split("; "):
            conn.execute(text(statement))


def test_a_guard_s_refusal_reaches_a_caller_as_a_domain_error(engine: Engine) -> None:
    """A trigger's refusal inside a unit of work is ConcurrencyConflict, as a unique
    violation of the room's booking is, and says which rule it is."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    for statement, rule in (
        (ATTEMPTS["a booking in house in one room and arriving into another"], "one role"),
        (ATTEMPTS["a cancelled booking put on a room"], "cancelled or no-show"),
    ):
        with pytest.raises(ho.ConcurrencyConflict, match=f"hotel_occupancy: .*{rule}"), uow:
            uow.connection.execute(text(statement))


def test_a_stay_change_naming_no_room_is_refused_for_a_legacy_owned_hotel(engine: Engine) -> None:
    """The one-writer guard refuses a booking's change logged without a room for a hotel
    the legacy application owns (PermissionDenied), as it refuses a room's change."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ho_legacy_hotels (hotel_id, legacy_hotel_id, prefix, owner, "
                f"imported_at) VALUES ('H', 1, '', 'LEGACY', '{AT}')"
            )
        )
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with pytest.raises(ho.PermissionDenied, match="legacy cutover"), uow:
        uow.connection.execute(text(_entry("NULL", "STAY_CHANGE", "'E'", _NO_STATES)))
    with engine.begin() as conn:  # imported history is still the import's to write
        conn.execute(text(_entry("NULL", "ASSIGN", "'E'", _NO_STATES)))


def test_two_writers_racing_to_place_one_booking_in_two_rooms_cannot_both_win(
    postgres_engine: Engine,
) -> None:
    """PostgreSQL: while one transaction has made E the arriving booking of R2, another
    pre-assigning E to R4 waits for it, then sees its row and is refused (without the
    guard's lock, neither would see the other's row under read committed)."""
    engine = postgres_engine
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    services.register_hotel(uow, hotel_id="H", name="H")
    services.register_staff(uow, hotel_id="H", staff_id="fd", name="F", role=ho.StaffRole.MANAGER)
    for room in ("R2", "R4"):
        services.register_room(uow, hotel_id="H", room_id=room, number=room)
    for booking in ("E", "F"):
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=booking,
            reference=booking,
            arrival=date(2026, 3, 10),
            departure=date(2026, 3, 11),
            party=[ho.BookingGuest(f"{booking}-1", "A", "B")],
        )
    services.assign_room(uow, booking_id="F", room_id="R2", staff_id="fd")
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE ho_occupancies SET booking_id = 'E' WHERE room_id = 'R4'")
                )
        except IntegrityError as error:
            outcome.append(error)
        else:
            outcome.append(None)

    with engine.connect() as first:
        first.begin()
        first.execute(
            text("UPDATE ho_occupancies SET arriving_booking_id = 'E' WHERE room_id = 'R2'")
        )
        racer = threading.Thread(target=second)
        racer.start()
        until(lambda: waiting_for_locks(engine) == 1, "the second writer waits for the first")
        first.commit()
    racer.join(WAIT)
    assert not racer.is_alive()
    (error,) = outcome
    assert error is not None
    assert "one role" in str(error)
    with engine.connect() as conn:
        held = conn.execute(
            text(
                "SELECT room_id FROM ho_occupancies "
                "WHERE booking_id = 'E' OR arriving_booking_id = 'E'"
            )
        ).scalars()
        assert list(held) == ["R2"]
