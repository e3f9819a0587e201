"""Bringing a legacy-owned hotel up to date (§12, side by side: ``import`` run again).

While the legacy application owns a hotel it is its only writer, so what the library holds
for the hotel is what the last import made of the legacy rows. Importing again reconciles
the legacy rows as they are now, by the same rules, and :class:`LegacyUpdate` makes the
store say the same, writing only what differs:

- staff, rooms, bookings and tasks that are new are added; those that changed are
  updated (a booking's party the library cannot change yet: that is reported, not done);
- a booking's guest records follow its stay: a new in-house guest gets a fresh PIN, one
  already in house keeps their PIN and device, a departed one loses both;
- each room whose state, holder or housekeeping changed gets the new state and an IMPORT
  entry (with the state it had before), so the log still replays to the state (I9); its
  open tasks are those the new state needs, the others are cancelled;
- the history entries of new or changed bookings that the log does not hold yet are
  appended, marked as imported.

Nothing is ever removed from the log. A second run on unchanged legacy rows writes
nothing. :attr:`LegacyUpdate.changes` counts what was written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import attrs

from hotel_occupancy.domain.enums import Condition, OccupancyStatus, Operation, TaskStatus
from hotel_occupancy.domain.legacy import TakenOver
from hotel_occupancy.domain.model import (
    Booking,
    Guest,
    HousekeepingTask,
    LogEntry,
    RoomOccupancy,
)
from hotel_occupancy.services.ports import LegacyImportUnitOfWork

__all__ = ["CHANGE_KEYS", "LegacyUpdate"]

CHANGE_KEYS: tuple[str, ...] = (
    "staff_added",
    "staff_updated",
    "rooms_added",
    "bookings_added",
    "bookings_updated",
    "parties_not_changed",
    "guests_added",
    "guests_updated",
    "guests_removed",
    "rooms_changed",
    "tasks_added",
    "tasks_updated",
    "tasks_cancelled",
    "history_entries_added",
)
"""What a repeated import counts, in the order its summary shows them."""

_OCCUPANCY_FIELDS = ("status", "condition", "booking_id", "expected_checkout", "assigned_by",
                     "last_cleaned_by", "last_cleaned_at", "last_inspected_by",
                     "last_inspected_at")  # fmt: skip
"""The fields of an occupancy record a change of the legacy rows can change (not its
creation and update times, which are the import's "now")."""

_TASK_FIELDS = ("room_id", "kind", "status", "created_by", "assigned_to", "booking_id")
"""The fields of a task that say what it is (not its times, which the import may take
from its own "now")."""


def _entry_key(entry: LogEntry) -> tuple[object, ...]:
    """One audit column's entry: its operation and time (the room it names is the legacy
    row's best guess, which a later change of the row may change)."""
    return (entry.operation, entry.timestamp)


class LegacyUpdate:
    """Writes, in place of a fresh import's bulk write, only what differs between the
    store and a new takeover of a legacy-owned hotel (give it the takeover's rows in the
    order the import makes them: reference rows, stays, tasks, then the rooms)."""

    def __init__(self, uow: LegacyImportUnitOfWork, now: datetime) -> None:
        self.uow = uow
        self.now = now
        self.changes: Counter[str] = Counter(dict.fromkeys(CHANGE_KEYS, 0))
        self._changed_bookings: set[str] = set()
        self._tasks_written: set[str] = set()

    def write(self, rows: TakenOver) -> None:
        """Bring the store in line with these rows of the takeover."""
        self._staff(rows)
        self._rooms(rows)
        for booking in rows.bookings:
            self._booking(booking)
        self._guests(rows)
        self._tasks(rows.tasks)
        self._occupancies(rows.occupancies, rows.entries)
        self._history(rows.entries)

    # reference rows -------------------------------------------------------------------------

    def _staff(self, rows: TakenOver) -> None:
        staff = self.uow.staff
        for member in rows.staff:
            found = staff.get(member.staff_id)
            if found is None:
                staff.add(member)
                self.changes["staff_added"] += 1
            elif found != member:
                staff.update(member)
                self.changes["staff_updated"] += 1

    def _rooms(self, rows: TakenOver) -> None:
        for room in rows.rooms:
            if self.uow.rooms.get(room.room_id) is None:
                self.uow.rooms.add(room)
                self.changes["rooms_added"] += 1

    # bookings and guests --------------------------------------------------------------------

    def _booking(self, booking: Booking) -> None:
        found = self.uow.bookings.get(booking.booking_id)
        if found is None:
            self.uow.bookings.add(booking)
            self.changes["bookings_added"] += 1
            self._changed_bookings.add(booking.booking_id)
            return
        if found.party != booking.party:
            self.changes["parties_not_changed"] += 1
            booking = attrs.evolve(booking, party=found.party)
        if found != booking:
            self.uow.bookings.update(booking)
            self.changes["bookings_updated"] += 1
            self._changed_bookings.add(booking.booking_id)

    def _guests(self, rows: TakenOver) -> None:
        wanted: dict[str, list[Guest]] = {}
        for guest in rows.guests:
            wanted.setdefault(guest.booking_id, []).append(guest)
        added: list[Guest] = []
        updated: list[Guest] = []
        removed: list[str] = []
        for booking in rows.bookings:
            if booking.booking_id not in self._changed_bookings:
                continue  # the same stay makes the same guests
            held = {g.guest_id: g for g in self.uow.guests.for_booking(booking.booking_id)}
            for guest in wanted.get(booking.booking_id, []):
                found = held.pop(guest.guest_id, None)
                if found is None:
                    added.append(guest)
                    continue
                if guest.in_house and found.in_house:  # still in house: keep PIN and device
                    guest = attrs.evolve(
                        guest, id_pin=found.id_pin, device_token=found.device_token
                    )
                if guest != found:
                    updated.append(guest)
            removed.extend(held)
        if removed:
            self.uow.guests.remove_many(removed)
        if updated:
            self.uow.guests.update_many(updated)
        if added:
            self.uow.guests.add_many(added)
        self.changes["guests_added"] += len(added)
        self.changes["guests_updated"] += len(updated)
        self.changes["guests_removed"] += len(removed)

    # tasks ----------------------------------------------------------------------------------

    def _tasks(self, tasks: Sequence[HousekeepingTask]) -> None:
        if not tasks:
            return
        held = self.uow.legacy.tasks([t.task_id for t in tasks])
        for task in tasks:
            self._task(task, held.get(task.task_id))

    def _task(self, task: HousekeepingTask, found: HousekeepingTask | None) -> None:
        number = 0
        while found is not None and not found.is_open and task.is_open:
            # a task the store has closed that the legacy rows say is open (or an id the
            # import makes for a room and kind): the open one is another task, numbered
            number += 1
            renamed = f"{task.task_id.partition('@')[0]}@{number}"
            found = self.uow.legacy.tasks([renamed]).get(renamed)
            task = attrs.evolve(task, task_id=renamed)
        self._tasks_written.add(task.task_id)
        if found is None:
            self.uow.tasks.add(task)
            self.changes["tasks_added"] += 1
        elif any(getattr(found, f) != getattr(task, f) for f in _TASK_FIELDS):
            self.uow.tasks.update(attrs.evolve(task, created_at=found.created_at))
            self.changes["tasks_updated"] += 1

    # rooms ----------------------------------------------------------------------------------

    def _occupancies(
        self, occupancies: Sequence[RoomOccupancy], entries: Sequence[LogEntry]
    ) -> None:
        if not occupancies:
            return
        imports = {e.room_id: e for e in entries if e.operation is Operation.IMPORT}
        changed: list[tuple[RoomOccupancy, RoomOccupancy | None]] = []
        for target in occupancies:
            found = self.uow.occupancies.get(target.room_id)
            if found is None or any(
                getattr(found, f) != getattr(target, f) for f in _OCCUPANCY_FIELDS
            ):
                changed.append((target, found))
        # a booking that changes rooms is let go of first (one room per booking, I5)
        for target, found in changed:
            if found is not None and found.booking_id not in (None, target.booking_id):
                self.uow.occupancies.update(_released(found, self.now))
        drafts: list[LogEntry] = []
        for target, found in changed:
            if found is None:
                self.uow.occupancies.add(target)
            else:
                same_stay = target.booking_id is not None and found.booking_id == target.booking_id
                since = (found.occupied_since if same_stay else None) or target.occupied_since
                self.uow.occupancies.update(
                    attrs.evolve(target, created_at=found.created_at, occupied_since=since)
                )
            entry = imports[target.room_id]
            if found is not None:
                entry = attrs.evolve(
                    entry, status_before=found.status, condition_before=found.condition
                )
            drafts.append(entry)
            self._cancel_stale_tasks(target.room_id)
        if drafts:
            self.uow.log.append(drafts)
        self.changes["rooms_changed"] += len(changed)

    def _cancel_stale_tasks(self, room_id: str) -> None:
        """Cancel the room's open tasks the new state does not need (the takeover's tasks
        for the room were written before)."""
        for task in self.uow.tasks.open_for_room(room_id):
            if task.task_id not in self._tasks_written:
                self.uow.tasks.update(
                    attrs.evolve(
                        task,
                        status=TaskStatus.CANCELLED,
                        updated_at=self.now,
                        closed_at=self.now,
                    )
                )
                self.changes["tasks_cancelled"] += 1

    # history --------------------------------------------------------------------------------

    def _history(self, entries: Sequence[LogEntry]) -> None:
        by_booking: dict[str, list[LogEntry]] = {}
        for entry in entries:
            if (
                entry.operation is not Operation.IMPORT
                and entry.booking_id in self._changed_bookings
            ):
                by_booking.setdefault(entry.booking_id, []).append(entry)
        drafts: list[LogEntry] = []
        for booking_id, wanted in by_booking.items():
            held = {_entry_key(e) for e in self.uow.log.for_booking(booking_id)}
            drafts.extend(e for e in wanted if _entry_key(e) not in held)
        if drafts:
            self.uow.log.append(drafts)
        self.changes["history_entries_added"] += len(drafts)


def _released(occupancy: RoomOccupancy, now: datetime) -> RoomOccupancy:
    """A room's record with no booking, for a moment in the transaction: vacant, dirty."""
    return attrs.evolve(
        occupancy,
        status=OccupancyStatus.VACANT_DIRTY,
        condition=Condition.DIRTY,
        booking_id=None,
        occupied_since=None,
        expected_checkout=None,
        assigned_by=None,
        updated_at=now,
    )
