"""A day at a small hotel, on the in-memory adapter.

Run it with ``python -m hotel_occupancy.demo`` (or ``python3 tasks.py demo``). It drives
the public services only, prints the room board, the open housekeeping tasks and the
operation log, shows a few refusals, and ends by checking every invariant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO

import hotel_occupancy as ho
from hotel_occupancy import services
from hotel_occupancy.adapters.memory import InMemoryUnitOfWork, RecordingNotifier
from hotel_occupancy.domain.invariants import check_invariants

HOTEL = "seaview"


class DemoClock:
    """The demo's clock: it starts at 07:00 local (UTC) and moves when the story says."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, hour: int, minute: int = 0) -> None:
        self.now = self.now.replace(hour=hour, minute=minute)


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        out.write(("  " + line).rstrip() + "\n")
        if index == 0:
            out.write("  " + "  ".join("-" * w for w in widths) + "\n")


def print_board(uow: InMemoryUnitOfWork, out: TextIO) -> None:
    rows = [["room", "status", "condition", "booking", "guests", "expected checkout"]]
    for row in services.room_board(uow, HOTEL):
        rows.append(
            [
                row.number,
                row.status.value,
                row.condition.value,
                row.booking_reference or "",
                str(row.guest_count) if row.guest_count else "",
                row.expected_checkout.strftime("%a %d %b %H:%M") if row.expected_checkout else "",
            ]
        )
    _table(rows, out)


def print_tasks(uow: InMemoryUnitOfWork, out: TextIO, numbers: dict[str, str]) -> None:
    tasks = services.open_tasks(uow, HOTEL)
    if not tasks:
        out.write("  (none)\n")
        return
    rows = [["room", "task", "status", "assigned to"]]
    for task in tasks:
        rows.append(
            [numbers[task.room_id], task.kind.value, task.status.value, task.assigned_to or ""]
        )
    _table(rows, out)


def print_log(uow: InMemoryUnitOfWork, out: TextIO, numbers: dict[str, str]) -> None:
    entries = sorted(
        {e.id: e for r in numbers for e in services.room_history(uow, r)}.values(),
        key=lambda e: e.id,
    )
    rows = [["#", "time", "room", "operation", "by", "status", "condition", "notes"]]
    for e in entries:
        room = numbers[e.room_id]
        if e.from_room_id:
            room = f"{numbers[e.from_room_id]}->{room}"
        status = e.status_after.value
        if e.status_before != e.status_after:
            status = f"{e.status_before.value}->{status}"
        condition = e.condition_after.value
        if e.condition_before != e.condition_after:
            condition = f"{e.condition_before.value}->{condition}"
        rows.append(
            [
                str(e.id),
                e.timestamp.strftime("%H:%M"),
                room,
                e.operation.value,
                e.performed_by,
                status,
                condition,
                e.notes,
            ]
        )
    _table(rows, out)


def run(out: TextIO = sys.stdout) -> int:
    """Play the day; return 0 if every invariant holds at the end, 1 otherwise."""
    clock = DemoClock(datetime(2026, 6, 1, 7, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    uow = InMemoryUnitOfWork(clock=clock, notifier=notifier)
    say: Callable[[str], object] = lambda text: out.write(text + "\n")  # noqa: E731

    services.register_hotel(
        uow, hotel_id=HOTEL, name="Seaview Inn", require_inspection=True, checkout_time=time(11)
    )
    numbers = {}
    for number, capacity in [("1", 2), ("2", 2), ("3", 4), ("10", 2), ("11", 1), ("12", 3)]:
        room_id = f"room-{number}"
        numbers[room_id] = number
        services.register_room(
            uow, hotel_id=HOTEL, room_id=room_id, number=number, capacity=capacity
        )
    for staff_id, name, role in [
        ("ana", "Ana (front desk)", ho.StaffRole.FRONT_DESK),
        ("ben", "Ben (housekeeping)", ho.StaffRole.HOUSEKEEPING),
        ("cho", "Cho (supervisor)", ho.StaffRole.SUPERVISOR),
        ("dev", "Dev (maintenance)", ho.StaffRole.MAINTENANCE),
    ]:
        services.register_staff(uow, hotel_id=HOTEL, staff_id=staff_id, name=name, role=role)

    today = date(2026, 6, 1)

    def booking(booking_id: str, names: list[str], nights: int) -> None:
        party = [
            ho.BookingGuest(f"{booking_id}-{i}", *name.split(" ", 1))
            for i, name in enumerate(names)
        ]
        services.register_booking(
            uow,
            hotel_id=HOTEL,
            booking_id=booking_id,
            reference=f"SV-{booking_id.upper()}",
            arrival=today - timedelta(days=1),
            departure=today + timedelta(days=nights),
            party=party,
        )

    say("Seaview Inn: six rooms, rooms need an inspection before a guest checks in.\n")
    say("07:00 Last night's guests are in rooms 1 and 3.")
    booking("lee", ["Mei Lee", "Jun Lee"], 0)
    booking("okafor", ["Ada Okafor", "Obi Okafor", "Ife Okafor"], 2)
    # rooms start VACANT_CLEAN/CLEAN; the supervisor inspects them before opening
    for room_id in numbers:
        services.inspect_room(uow, room_id=room_id, staff_id="cho", notes="opening round")
    services.assign_room(uow, booking_id="lee", room_id="room-1", staff_id="ana")
    services.assign_room(uow, booking_id="okafor", room_id="room-3", staff_id="ana")

    clock.at(8, 30)
    say("08:30 The Okafors report a leaking tap; Ana moves them to room 12.")
    services.move_guest(
        uow, from_room_id="room-3", to_room_id="room-12", staff_id="ana", reason="leaking tap"
    )
    services.start_maintenance(uow, room_id="room-3", staff_id="dev", reason="leaking tap")

    clock.at(10, 15)
    say("10:15 The Lees check out; Ben turns room 1 over, Cho inspects it.")
    services.checkout_room(uow, room_id="room-1", staff_id="ana")
    services.start_cleaning(uow, room_id="room-1", staff_id="ben")
    clock.at(10, 50)
    services.complete_cleaning(uow, room_id="room-1", staff_id="ben")
    clock.at(11, 5)
    services.inspect_room(uow, room_id="room-1", staff_id="cho", passed=False, notes="hair in sink")
    services.start_cleaning(uow, room_id="room-1", staff_id="ben")
    services.complete_cleaning(uow, room_id="room-1", staff_id="ben")
    services.inspect_room(uow, room_id="room-1", staff_id="cho")

    clock.at(12, 0)
    say("12:00 Two arrivals are pre-assigned; room 11 goes out of order (broken window).")
    booking("garcia", ["Lucia Garcia"], 3)
    booking("novak", ["Petra Novak", "Tomas Novak"], 1)
    services.assign_room(
        uow, booking_id="garcia", room_id="room-10", staff_id="ana", check_in=False
    )
    services.assign_room(uow, booking_id="novak", room_id="room-2", staff_id="ana", check_in=False)
    services.set_out_of_order(uow, room_id="room-11", staff_id="dev", reason="broken window")

    clock.at(15, 0)
    say("15:00 Ms Garcia arrives and checks in; the Novaks prefer room 1 and check in there.")
    services.check_in(uow, booking_id="garcia", staff_id="ana")
    services.reassign_room(uow, booking_id="novak", to_room_id="room-1", staff_id="ana")
    services.check_in(uow, booking_id="novak", staff_id="ana", notes="late arrival")

    clock.at(16, 0)
    say("16:00 Dev fixes the tap; room 3 comes back dirty and is cleaned.")
    services.return_to_service(uow, room_id="room-3", staff_id="dev")
    services.start_cleaning(uow, room_id="room-3", staff_id="ben")
    services.complete_cleaning(uow, room_id="room-3", staff_id="ben")

    clock.at(17, 0)
    say("17:00 What the library refuses, and why:")
    booking("walkin", ["Sam Walk"], 1)
    refusals: list[tuple[str, Callable[[], object]]] = [
        (
            "check a walk-in into room 3 before its inspection",
            lambda: services.assign_room(
                uow, booking_id="walkin", room_id="room-3", staff_id="ana"
            ),
        ),
        (
            "a housekeeper checks a guest out",
            lambda: services.checkout_room(uow, room_id="room-12", staff_id="ben"),
        ),
        (
            "move the family of three into double room 2",
            lambda: services.move_guest(
                uow, from_room_id="room-12", to_room_id="room-2", staff_id="ana"
            ),
        ),
        (
            "undo the Okafors' check-in after their move",
            lambda: services.unassign_room(uow, booking_id="okafor", staff_id="ana"),
        ),
    ]
    for label, attempt in refusals:
        try:
            attempt()
        except ho.RoomOccupancyError as error:
            say(f"  - {label}: {type(error).__name__}: {error}")
        else:  # pragma: no cover - the story is fixed
            say(f"  - {label}: unexpectedly allowed")

    say("\nRoom board at the end of the day:")
    print_board(uow, out)
    say("\nOpen housekeeping tasks:")
    print_tasks(uow, out, numbers)
    say("\nOperation log:")
    print_log(uow, out, numbers)
    violations = check_invariants(uow.store.snapshot())
    say(f"\n{len(notifier.events)} events published after commit.")
    if violations:
        say("Invariants BROKEN:")
        for violation in violations:
            say(f"  {violation}")
        return 1
    say("Every invariant (I1-I14) holds.")
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
