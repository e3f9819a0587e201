"""The database itself guards the housekeeping day's rules (§10), and the SQLAlchemy
repositories store it.

The first tests write raw SQL that tries to break one rule of the hotels' housekeeping
settings, the rooms' service status, discrepancies and out-of-service windows, or the
night audits, and show the database refuses it (and accepts the same shapes that keep
the rules). The others go through the repositories: the bulk reads and writes of the
night audit round-trip every new column, send a number of statements that does not grow
with the hotel, and (PostgreSQL) two audits of one hotel take turns.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from hotel_occupancy.domain.model import NightAudit, replace
from tests.integration.sessions import WAIT, until, waiting_for_locks
from tests.integration.test_statement_counts import counting
from tests.support import FakeClock

AT = "2026-03-10 15:00:00"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


def _build(uow: SqlAlchemyUnitOfWork) -> None:
    """Hotel H: B in house in R1 (due out) with D arriving into it, C pre-assigned to R2,
    R3 out of order, R4 in maintenance, R5 vacant and clean, E arriving; staff member s.
    Hotel H2: room X1, staff member H2-s."""
    for hotel, rooms in (("H", ("R1", "R2", "R3", "R4", "R5")), ("H2", ("X1",))):
        services.register_hotel(uow, hotel_id=hotel, name=hotel)
        for room in rooms:
            services.register_room(uow, hotel_id=hotel, room_id=room, number=room)
    services.register_staff(uow, hotel_id="H", staff_id="s", name="S", role=ho.StaffRole.MANAGER)
    services.register_staff(
        uow, hotel_id="H2", staff_id="H2-s", name="S", role=ho.StaffRole.MANAGER
    )
    for booking in "BCDE":
        services.register_booking(
            uow,
            hotel_id="H",
            booking_id=booking,
            reference=f"REF-{booking}",
            arrival=date(2026, 3, 9 if booking == "B" else 10),
            departure=date(2026, 3, 10 if booking == "B" else 12),
            party=[
                ho.BookingGuest(f"{booking}-1", "A", "B"),
                ho.BookingGuest(f"{booking}-2", "C", "D"),
            ],
        )
    services.assign_room(uow, booking_id="B", room_id="R1", staff_id="s")
    services.assign_room(uow, booking_id="D", room_id="R1", staff_id="s", check_in=False)
    services.assign_room(uow, booking_id="C", room_id="R2", staff_id="s", check_in=False)
    services.set_out_of_order(uow, room_id="R3", staff_id="s", reason="leak")
    services.start_maintenance(uow, room_id="R4", staff_id="s", reason="paint")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A fresh database of each kind holding the hotels of :func:`_build`."""
    engine: Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    )
    _build(SqlAlchemyUnitOfWork(engine, clock=FakeClock()))
    return engine


def _set(room: str, assignments: str) -> str:
    return f"UPDATE ho_occupancies SET {assignments} WHERE room_id = '{room}'"


def _audit(hotel: str, day: str, by: str, rooms_changed: str = "0", at: str = f"'{AT}'") -> str:
    return (
        "INSERT INTO ho_night_audits (hotel_id, business_date, performed_by, performed_at, "
        f"rooms_changed) VALUES ('{hotel}', '{day}', '{by}', {at}, {rooms_changed})"
    )


def _entry(operation: str) -> str:
    return (
        "INSERT INTO ho_log (hotel_id, room_id, operation, performed_by, status_before, "
        "status_after, condition_before, condition_after, notes, metadata, timestamp) VALUES "
        f"('H', 'R1', '{operation}', 's', 'OCCUPIED', 'OCCUPIED', 'CLEAN', 'CLEAN', '', "
        f"'{{}}', '{AT}')"
    )


_REPORTED = f"discrepancy_by = 's', discrepancy_at = '{AT}'"

ATTEMPTS = {
    # the hotels' housekeeping settings
    "stayovers every -1 nights": "UPDATE ho_hotels SET stayover_every = -1",
    "stayovers every 367 nights": "UPDATE ho_hotels SET stayover_every = 367",
    "checkouts counting 0": "UPDATE ho_hotels SET checkout_credits = 0",
    "checkouts counting 101": "UPDATE ho_hotels SET checkout_credits = 101",
    "stayovers counting 0": "UPDATE ho_hotels SET stayover_credits = 0",
    "stayovers counting 101": "UPDATE ho_hotels SET stayover_credits = 101",
    "no stayover setting": "UPDATE ho_hotels SET stayover_every = NULL",
    # service status
    "an unknown service status": _set("R1", "service_status = 'PLEASE'"),
    "no service status": _set("R1", "service_status = NULL"),
    "a service status on a vacant room": _set("R5", "service_status = 'MAKE_UP_ROOM'"),
    "a service status on a pre-assigned room": _set("R2", "service_status = 'DND'"),
    "a service status on a room out of order": _set("R3", "service_status = 'SERVICE_REFUSED'"),
    "a room checked out keeping its service status": (
        _set("R1", "service_status = 'DND'")
        + "; "
        + _set(
            "R1",
            "status = 'VACANT_DIRTY', condition = 'DIRTY', occupied_since = NULL, "
            "expected_checkout = NULL, arriving_booking_id = NULL",
        )
    ),
    # discrepancies
    "an unknown discrepancy": _set("R1", f"discrepancy = 'GHOST', {_REPORTED}"),
    "a skip on a vacant room": _set("R5", f"discrepancy = 'SKIP', {_REPORTED}"),
    "a person discrepancy on a vacant room": _set("R5", f"discrepancy = 'PERSON', {_REPORTED}"),
    "a sleeper in an occupied room": _set("R1", f"discrepancy = 'SLEEP', {_REPORTED}"),
    "a discrepancy reported by nobody": _set(
        "R1", f"discrepancy = 'SKIP', discrepancy_at = '{AT}'"
    ),
    "a discrepancy reported at no time": _set("R1", "discrepancy = 'SKIP', discrepancy_by = 's'"),
    "a reporter without a discrepancy": _set("R1", "discrepancy_by = 's'"),
    "a report time without a discrepancy": _set("R1", f"discrepancy_at = '{AT}'"),
    "a discrepancy reported by another hotel's staff member": _set(
        "R1", f"discrepancy = 'SKIP', discrepancy_by = 'H2-s', discrepancy_at = '{AT}'"
    ),
    "a negative number of guests seen": _set(
        "R1", f"discrepancy = 'PERSON', {_REPORTED}, observed_guests = -1"
    ),
    "guests counted without a discrepancy": _set("R1", "observed_guests = 2"),
    # out-of-service windows
    "a window returning the room inspected": _set(
        "R3", "out_of_service_until = '2026-03-12', return_condition = 'INSPECTED'"
    ),
    "a window returning the room in cleaning": _set(
        "R3", "out_of_service_until = '2026-03-12', return_condition = 'CLEANING'"
    ),
    "a window without its return condition": _set("R3", "out_of_service_until = '2026-03-12'"),
    "a return condition without a window": _set("R3", "return_condition = 'DIRTY'"),
    "a window on a vacant room": _set(
        "R5", "out_of_service_until = '2026-03-12', return_condition = 'DIRTY'"
    ),
    "a window on an occupied room": _set(
        "R1", "out_of_service_until = '2026-03-12', return_condition = 'CLEAN'"
    ),
    "a room back in service keeping its window": (
        _set("R3", "out_of_service_until = '2026-03-12', return_condition = 'DIRTY'")
        + "; "
        + _set("R3", "status = 'VACANT_DIRTY', condition = 'DIRTY'")
    ),
    # night audits
    "a second audit of one hotel's day": _audit("H", "2026-03-10", "s")
    + "; "
    + _audit("H", "2026-03-10", "s", "3"),
    "an audit changing a negative number of rooms": _audit("H", "2026-03-10", "s", "-1"),
    "an audit by another hotel's staff member": _audit("H", "2026-03-10", "H2-s"),
    "an audit of a hotel that does not exist": _audit("NOPE", "2026-03-10", "s"),
    "an audit at no time": _audit("H", "2026-03-10", "s", at="NULL"),
    "an audit of no day": _audit("H", "2026-03-10", "s").replace("'2026-03-10'", "NULL"),
    # the log
    "an entry of an unknown operation": _entry("NIGHTLY"),
}


_FOREIGN_KEY = "foreign key constraint"
_NOT_NULL = "(not )?null"
_UNIQUE = "unique constraint"

REFUSED_BY = {
    "stayovers every -1 nights": "ck_ho_hotels_stayover_every_range",
    "stayovers every 367 nights": "ck_ho_hotels_stayover_every_range",
    "checkouts counting 0": "ck_ho_hotels_checkout_credits_range",
    "checkouts counting 101": "ck_ho_hotels_checkout_credits_range",
    "stayovers counting 0": "ck_ho_hotels_stayover_credits_range",
    "stayovers counting 101": "ck_ho_hotels_stayover_credits_range",
    "no stayover setting": _NOT_NULL,
    "an unknown service status": "ck_ho_occupancies_service_status_known",
    "no service status": _NOT_NULL,
    "a service status on a vacant room": "ck_ho_occupancies_service_only_occupied",
    "a service status on a pre-assigned room": "ck_ho_occupancies_service_only_occupied",
    "a service status on a room out of order": "ck_ho_occupancies_service_only_occupied",
    "a room checked out keeping its service status": "ck_ho_occupancies_service_only_occupied",
    "an unknown discrepancy": "ck_ho_occupancies_discrepancy_known",
    "a skip on a vacant room": "ck_ho_occupancies_discrepancy_matches_status",
    "a person discrepancy on a vacant room": "ck_ho_occupancies_discrepancy_matches_status",
    "a sleeper in an occupied room": "ck_ho_occupancies_discrepancy_matches_status",
    "a discrepancy reported by nobody": "ck_ho_occupancies_discrepancy_reported",
    "a discrepancy reported at no time": "ck_ho_occupancies_discrepancy_reported",
    "a reporter without a discrepancy": "ck_ho_occupancies_discrepancy_reported",
    "a report time without a discrepancy": "ck_ho_occupancies_discrepancy_reported",
    "a discrepancy reported by another hotel's staff member": _FOREIGN_KEY,
    "a negative number of guests seen": "ck_ho_occupancies_observed_guests_counted",
    "guests counted without a discrepancy": "ck_ho_occupancies_observed_guests_counted",
    "a window returning the room inspected": "ck_ho_occupancies_return_condition_known",
    "a window returning the room in cleaning": "ck_ho_occupancies_return_condition_known",
    "a window without its return condition": "ck_ho_occupancies_window_complete",
    "a return condition without a window": "ck_ho_occupancies_window_complete",
    "a window on a vacant room": "ck_ho_occupancies_window_out_of_service",
    "a window on an occupied room": "ck_ho_occupancies_window_out_of_service",
    "a room back in service keeping its window": "ck_ho_occupancies_window_out_of_service",
    "a second audit of one hotel's day": _UNIQUE,
    "an audit changing a negative number of rooms": "ck_ho_night_audits_rooms_changed",
    "an audit by another hotel's staff member": _FOREIGN_KEY,
    "an audit of a hotel that does not exist": _FOREIGN_KEY,
    "an audit at no time": _NOT_NULL,
    "an audit of no day": _NOT_NULL,
    "an entry of an unknown operation": "ck_ho_log_operation_known",
}
"""What refuses each attempt, as a pattern of the database's message: the CHECK's name, or
the kind of constraint (SQLite names no foreign key, and the two word the others apart)."""


@pytest.mark.parametrize("name", list(ATTEMPTS), ids=list(ATTEMPTS))
def test_the_database_refuses_raw_sql_that_breaks_a_housekeeping_rule(
    engine: Engine, name: str
) -> None:
    """Raw SQL that would break one rule of §10 is refused by the database itself, by that
    rule's constraint (what it needs around it is accepted first)."""
    *setup, refused = ATTEMPTS[name].split("; ")
    with engine.begin() as conn:
        for statement in setup:
            conn.execute(text(statement))
    with pytest.raises(IntegrityError) as refusal, engine.begin() as conn:
        conn.execute(text(refused))
    assert re.search(REFUSED_BY[name], str(refusal.value.orig), re.IGNORECASE), refusal.value


ACCEPTED = {
    "stayovers never cleaned": "UPDATE ho_hotels SET stayover_every = 0",
    "stayovers every 366 nights, credits 1 and 100": (
        "UPDATE ho_hotels SET stayover_every = 366, checkout_credits = 100, stayover_credits = 1"
    ),
    "do not disturb on an occupied room": _set("R1", "service_status = 'DND'"),
    "make up room, then none again": (
        _set("R1", "service_status = 'MAKE_UP_ROOM'") + "; " + _set("R1", "service_status = 'NONE'")
    ),
    "a skip on an occupied room": _set("R1", f"discrepancy = 'SKIP', {_REPORTED}"),
    "a person discrepancy with the guests seen": _set(
        "R1", f"discrepancy = 'PERSON', {_REPORTED}, observed_guests = 3"
    ),
    "a sleeper in a vacant room, none counted": _set("R5", f"discrepancy = 'SLEEP', {_REPORTED}"),
    "a sleeper in a pre-assigned room, zero counted": _set(
        "R2", f"discrepancy = 'SLEEP', {_REPORTED}, observed_guests = 0"
    ),
    "a window out of order, back dirty": _set(
        "R3", "out_of_service_until = '2026-03-12', return_condition = 'DIRTY'"
    ),
    "a maintenance window, back clean": _set(
        "R4", "out_of_service_until = '2026-03-10', return_condition = 'CLEAN'"
    ),
    "a room back in service with its window closed": (
        _set("R3", "out_of_service_until = '2026-03-12', return_condition = 'DIRTY'")
        + "; "
        + _set(
            "R3",
            "status = 'VACANT_DIRTY', condition = 'DIRTY', out_of_service_until = NULL, "
            "return_condition = NULL",
        )
    ),
    "audits of two days and of another hotel's day": (
        _audit("H", "2026-03-10", "s")
        + "; "
        + _audit("H", "2026-03-11", "s", "5")
        + "; "
        + _audit("H2", "2026-03-10", "H2-s")
    ),
    "the new operations' log entries": (
        _entry("SERVICE_STATUS") + "; " + _entry("NIGHT_AUDIT") + "; " + _entry("DISCREPANCY")
    ),
}


@pytest.mark.parametrize("statements", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_the_database_accepts_the_writes_the_housekeeping_day_makes(
    engine: Engine, statements: str
) -> None:
    """Writes of the same shapes that keep the rules are accepted, so each refusal above is
    the rule at work, not a broken setup."""
    with engine.begin() as conn:
        for statement in statements.split("; "):
            conn.execute(text(statement))


def test_a_raw_insert_of_a_room_s_record_gets_no_service_status(engine: Engine) -> None:
    """A record written without the new columns (another program, an old writer) gets
    service status NONE and nothing else, which the repositories read back."""
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO ho_rooms (room_id, hotel_id, number) VALUES ('R9', 'H', '9')")
        )
        conn.execute(
            text(
                "INSERT INTO ho_occupancies (room_id, hotel_id, status, condition, created_at, "
                f"updated_at) VALUES ('R9', 'H', 'VACANT_CLEAN', 'CLEAN', '{AT}', '{AT}')"
            )
        )
    uow = SqlAlchemyUnitOfWork(engine)
    with uow.reading():
        record = uow.occupancies.get("R9")
    assert record is not None
    assert record.service_status is ho.ServiceStatus.NONE
    assert (record.discrepancy, record.out_of_service_until, record.return_condition) == (
        None,
        None,
        None,
    )


# --- the repositories ------------------------------------------------------------------------


def _audit_day(record: ho.RoomOccupancy) -> ho.RoomOccupancy:
    """What a night audit might write on each room: the new columns, whatever its state."""
    at = NOW + timedelta(hours=1)
    if record.status is ho.OccupancyStatus.OCCUPIED:
        return replace(
            record,
            service_status=ho.ServiceStatus.SERVICE_REFUSED,
            discrepancy=ho.DiscrepancyKind.PERSON,
            discrepancy_by="s",
            discrepancy_at=at,
            observed_guests=3,
            updated_at=at,
        )
    if record.status in (ho.OccupancyStatus.OUT_OF_ORDER, ho.OccupancyStatus.MAINTENANCE):
        return replace(
            record,
            out_of_service_until=date(2026, 3, 12),
            return_condition=ho.Condition.CLEAN,
            updated_at=at,
        )
    return replace(
        record,
        discrepancy=ho.DiscrepancyKind.SLEEP,
        discrepancy_by="s",
        discrepancy_at=at,
        updated_at=at,
    )


def test_for_hotel_and_update_many_round_trip_every_new_column(engine: Engine) -> None:
    """for_hotel reads every record of the hotel by room id (none of another hotel's);
    update_many writes them all, and the next transaction reads back what it wrote, the
    service status, discrepancy and window included."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with uow:
        records = uow.occupancies.for_hotel("H")
        assert [r.room_id for r in records] == ["R1", "R2", "R3", "R4", "R5"]
        changed = [_audit_day(r) for r in records]
        uow.occupancies.update_many(changed)
        assert [uow.occupancies.get(r.room_id) for r in records] == changed
        uow.commit()
    with uow.reading():
        assert list(uow.occupancies.for_hotel("H")) == changed
        assert [r.room_id for r in uow.occupancies.for_hotel("H2")] == ["X1"]
        assert uow.occupancies.for_hotel("NOPE") == []
        board = {row.room_id: row for row in uow.occupancies.board("H")}
    assert board["R1"].service_status is ho.ServiceStatus.SERVICE_REFUSED
    assert board["R1"].discrepancy is ho.DiscrepancyKind.PERSON
    assert board["R5"].discrepancy is ho.DiscrepancyKind.SLEEP
    assert board["R3"].discrepancy is None
    assert board["R3"].service_status is ho.ServiceStatus.NONE
    assert SqlAlchemyUnitOfWork(engine).snapshot().occupancies[:5] == tuple(changed)


def test_after_for_hotel_a_write_transaction_reads_its_records_without_a_statement(
    engine: Engine,
) -> None:
    """In a write transaction for_hotel locks the hotel's records (FOR NO KEY UPDATE on
    PostgreSQL) in one SELECT; get, for_booking and lock of them then send nothing, and an
    update after update_many writes only what changed since."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    with uow:
        event.listen(engine, "before_cursor_execute", record)
        try:
            records = uow.occupancies.for_hotel("H")
            (select,) = sent
            assert select.lstrip().upper().startswith("SELECT")
            if engine.dialect.name == "postgresql":
                assert "FOR NO KEY UPDATE" in select
            assert uow.occupancies.get("R3") == records[2]
            held = uow.occupancies.for_booking("D")
            assert held is not None
            assert held.room_id == "R1"
            assert set(uow.occupancies.lock(["R2", "R5"], holding=["B", "C"])) == {
                "R1",
                "R2",
                "R5",
            }
            assert len(sent) == 1
            changed = [_audit_day(r) for r in records]
            uow.occupancies.update_many(changed)
            assert len(sent) == 2
            uow.occupancies.update(replace(changed[0], service_status=ho.ServiceStatus.DND))
            assert len(sent) == 3
            assert sent[2].split(" SET ", 1)[1].split(" WHERE ", 1)[0].split("=")[0].strip() == (
                "service_status"
            )
            uow.occupancies.update(changed[1])  # as update_many wrote it: nothing to send
            assert len(sent) == 3
        finally:
            event.remove(engine, "before_cursor_execute", record)
        uow.commit()
    with uow.reading():
        after = uow.occupancies.get("R1")
    assert after is not None
    assert after.service_status is ho.ServiceStatus.DND


def test_the_board_says_whose_guest_waits_at_the_desk(engine: Engine) -> None:
    """queued is true on a vacant room whose pre-assigned booking is queued and on an
    occupied room whose arriving booking is, and on no other room."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())

    def queued() -> set[str]:
        with uow.reading():
            return {row.room_id for row in uow.occupancies.board("H") if row.queued}

    assert queued() == set()
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'C'"))
    assert queued() == {"R2"}
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE ho_bookings SET queued_at = '{AT}' WHERE booking_id = 'D'"))
    assert queued() == {"R1", "R2"}
    with engine.begin() as conn:
        conn.execute(text("UPDATE ho_bookings SET queued_at = NULL WHERE booking_id = 'C'"))
    assert queued() == {"R1"}


def test_the_hotels_housekeeping_settings_round_trip(engine: Engine) -> None:
    """A hotel's stayover frequency and credits are stored, updated and read back, by
    itself and with a staff member."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with uow:
        hotel = uow.hotels.get("H")
        assert hotel is not None
        assert (hotel.stayover_every, hotel.checkout_credits, hotel.stayover_credits) == (1, 2, 1)
        uow.hotels.update(replace(hotel, stayover_every=0, checkout_credits=7, stayover_credits=3))
        uow.hotels.add(
            ho.Hotel("H3", "Three", stayover_every=366, checkout_credits=100, stayover_credits=100)
        )
        uow.commit()
    with uow.reading():
        hotel = uow.hotels.get("H")
        three = uow.hotels.get("H3")
    assert hotel is not None
    assert three is not None
    assert (hotel.stayover_every, hotel.checkout_credits, hotel.stayover_credits) == (0, 7, 3)
    assert (three.stayover_every, three.checkout_credits, three.stayover_credits) == (
        366,
        100,
        100,
    )
    fresh = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with fresh.reading():
        assert fresh.staff.get("s") is not None
        assert fresh.hotels.get("H") == hotel  # the hotel read with the staff member


def _task(n: int, room: str) -> ho.HousekeepingTask:
    return ho.HousekeepingTask(
        task_id=f"t{n}",
        hotel_id="H",
        room_id=room,
        kind=ho.TaskKind.INSPECTION,
        status=ho.TaskStatus.OPEN,
        created_at=NOW,
        updated_at=NOW,
        created_by="s",
    )


def test_tasks_are_added_updated_and_read_in_bulk(engine: Engine) -> None:
    """add_many stores new tasks and update_many replaces them, one statement each; get
    reads any task, open or closed, and None for an unknown id."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    new = [_task(n, room) for n, room in enumerate(("R2", "R5"))]
    with uow:
        with counting(engine) as statements:
            uow.tasks.add_many(new)
            uow.tasks.add_many([])
        assert statements == ["INSERT"]
        uow.commit()
    later = NOW + timedelta(minutes=5)
    done = [
        replace(
            new[0], status=ho.TaskStatus.DONE, assigned_to="s", closed_at=later, updated_at=later
        ),
        replace(new[1], status=ho.TaskStatus.IN_PROGRESS, started_at=later, updated_at=later),
    ]
    with uow:
        assert uow.tasks.get("t0") == new[0]
        with counting(engine) as statements:
            uow.tasks.update_many(done)
            uow.tasks.update_many([])
        assert statements == ["UPDATE"]
        uow.commit()
    with uow.reading():
        assert [uow.tasks.get("t0"), uow.tasks.get("t1")] == done
        assert uow.tasks.get("nope") is None
        assert [t.task_id for t in uow.tasks.open_for_hotel("H") if t.task_id in ("t0", "t1")] == [
            "t1"
        ]


def _entries(
    hotel: str, at: datetime, *specs: tuple[ho.Operation, str | None]
) -> list[ho.LogEntry]:
    """Drafts of entries on R1 (unchanged), each (operation, business date named)."""
    room = "R1" if hotel == "H" else "X1"
    by = "s" if hotel == "H" else "H2-s"
    status = ho.OccupancyStatus.OCCUPIED if hotel == "H" else ho.OccupancyStatus.VACANT_CLEAN
    return [
        ho.LogEntry(
            id=0,
            hotel_id=hotel,
            room_id=room,
            operation=operation,
            performed_by=by,
            status_before=status,
            status_after=status,
            condition_before=ho.Condition.CLEAN,
            condition_after=ho.Condition.CLEAN,
            timestamp=at,
            metadata={} if day is None else {"business_date": day},
        )
        for operation, day in specs
    ]


def test_night_audits_are_claimed_recorded_and_their_entries_found(engine: Engine) -> None:
    """claim gives the hotel's latest audit (None before the first), get a day's, entries
    the hotel's NIGHT_AUDIT entries timed as the audit that name its day, in id order."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    first = NightAudit("H", DAY, "s", NOW, rooms_changed=2)
    second = NightAudit("H", DAY + timedelta(days=1), "s", NOW + timedelta(days=1))
    other = NightAudit("H2", DAY + timedelta(days=5), "H2-s", NOW)
    with uow:
        assert uow.audits.claim("H") is None
        uow.audits.add(first)
        written = uow.log.append(
            _entries(
                "H",
                NOW,
                (ho.Operation.NIGHT_AUDIT, DAY.isoformat()),
                (ho.Operation.NIGHT_AUDIT, "2026-03-09"),  # another day's, same time
                (ho.Operation.SERVICE_STATUS, DAY.isoformat()),  # another operation
                (ho.Operation.NIGHT_AUDIT, None),
                (ho.Operation.NIGHT_AUDIT, DAY.isoformat()),
            )
            + _entries("H", NOW + timedelta(seconds=1), (ho.Operation.NIGHT_AUDIT, DAY.isoformat()))
            + _entries("H2", NOW, (ho.Operation.NIGHT_AUDIT, DAY.isoformat()))
        )
        uow.commit()
    with uow:
        assert uow.audits.claim("H") == first
        uow.audits.add(second)
        uow.audits.add(other)
        uow.commit()
    with uow.reading():
        assert uow.audits.claim("H") == second
        assert uow.audits.claim("H2") == other
        assert uow.audits.get("H", DAY) == first
        assert uow.audits.get("H", DAY - timedelta(days=1)) is None
        assert uow.audits.get("H2", DAY) is None
        assert list(uow.audits.entries(first)) == [written[0], written[4]]
        assert list(uow.audits.entries(second)) == []


def test_a_second_audit_of_one_day_is_a_concurrency_conflict(engine: Engine) -> None:
    """The primary key refuses a second audit of a hotel's day; the unit of work raises it
    as ConcurrencyConflict (a concurrent audit won), and the first one stays."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    audit = NightAudit("H", DAY, "s", NOW, rooms_changed=1)
    with uow:
        uow.audits.add(audit)
        uow.commit()
    with pytest.raises(ho.ConcurrencyConflict, match="concurrent change"), uow:
        uow.audits.add(replace(audit, rooms_changed=4, performed_at=NOW + timedelta(hours=1)))
    with uow.reading():
        assert uow.audits.get("H", DAY) == audit


def _hotel_of(uow: SqlAlchemyUnitOfWork, hotel: str, rooms: int) -> None:
    services.register_hotel(uow, hotel_id=hotel, name=hotel)
    services.register_staff(
        uow, hotel_id=hotel, staff_id=f"{hotel}-s", name="S", role=ho.StaffRole.MANAGER
    )
    for n in range(rooms):
        services.register_room(uow, hotel_id=hotel, room_id=f"{hotel}-{n:03d}", number=str(n))


def _bulk_statements(engine: Engine, hotel: str) -> Sequence[str]:
    """The statements of a night audit's bulk path on the hotel: read every record and
    open task, write every record, add a task per room and update them, record the audit."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    at = NOW + timedelta(hours=2)
    with counting(engine) as statements, uow:
        uow.audits.claim(hotel)
        records = uow.occupancies.for_hotel(hotel)
        uow.tasks.open_for_hotel(hotel)
        uow.occupancies.update_many([replace(r, updated_at=at) for r in records])
        new = [
            replace(
                _task(n, r.room_id),
                task_id=f"{r.room_id}-t",
                hotel_id=hotel,
                created_by=f"{hotel}-s",
            )
            for n, r in enumerate(records)
        ]
        uow.tasks.add_many(new)
        uow.tasks.update_many([replace(t, status=ho.TaskStatus.CANCELLED) for t in new])
        uow.audits.add(NightAudit(hotel, DAY, f"{hotel}-s", at, rooms_changed=len(records)))
        uow.commit()
    return list(statements)


def test_the_night_audit_s_bulk_path_sends_as_many_statements_for_60_rooms_as_for_6(
    engine: Engine,
) -> None:
    """claim, for_hotel, update_many, add_many, update_many and add send the same
    statements for a hotel of 6 rooms as for one of 60: none per room."""
    uow = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    _hotel_of(uow, "small", 6)
    _hotel_of(uow, "large", 60)
    small = _bulk_statements(engine, "small")
    large = _bulk_statements(engine, "large")
    assert small == large
    expected = ["SELECT", "SELECT", "SELECT", "UPDATE", "INSERT", "UPDATE", "INSERT"]
    if engine.dialect.name == "postgresql":  # claim's advisory lock
        assert small == ["SELECT", *expected]
    else:  # BEGIN IMMEDIATE
        assert small == ["BEGIN", *expected]
    with uow.reading():
        assert len(uow.occupancies.for_hotel("large")) == 60
        audit = uow.audits.claim("large")
    assert audit is not None
    assert audit.rooms_changed == 60


def test_two_audits_of_one_hotel_take_turns_and_other_hotels_never_wait(
    postgres_engine: Engine,
) -> None:
    """PostgreSQL: while one transaction has claimed hotel H's audit, a second claim of H
    waits for it and then sees the audit it recorded; a claim of hotel H2 meanwhile goes
    straight through."""
    engine = postgres_engine
    _build(SqlAlchemyUnitOfWork(engine, clock=FakeClock()))
    audit = NightAudit("H", DAY, "s", NOW, rooms_changed=5)
    seen: list[NightAudit | None] = []

    def second() -> None:
        other = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
        with other:
            seen.append(other.audits.claim("H"))

    first = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
    with first:
        assert first.audits.claim("H") is None
        first.audits.add(audit)
        racer = threading.Thread(target=second)
        racer.start()
        until(lambda: waiting_for_locks(engine) == 1, "the second claim waits for the first")
        elsewhere = SqlAlchemyUnitOfWork(engine, clock=FakeClock())
        with elsewhere:
            assert elsewhere.audits.claim("H2") is None  # another hotel: no wait
        assert seen == []
        first.commit()
    racer.join(WAIT)
    assert not racer.is_alive()
    assert seen == [audit]
