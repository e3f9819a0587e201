"""The in-memory adapter: a real unit of work over plain Python dictionaries.

It is meant for tests and demos, but it is not a toy: every service call is one
serialisable transaction (the store's lock is held from ``with uow:`` to its end), a
failed or refused call is undone completely through an undo journal, events are
published only after commit, and every lookup goes through an index, so an operation
costs the same in a hotel of ten rooms or ten thousand.

Several units of work (one per thread) may share one :class:`InMemoryStore`::

    store = InMemoryStore()
    uow_a = InMemoryUnitOfWork(store=store)
    uow_b = InMemoryUnitOfWork(store=store)

The feed (§11) reads the log by id: one writer at a time holds the store, so an entry with
a lower id can never commit after one with a higher id was read. A position is the text of
the last id read (``"0"`` before everything); the log's ids are kept in order, overall and
per hotel, so a page costs O(limit + log n). A follower waiting for events waits on a
condition of the store, notified when a transaction that appended to the log commits.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime
from operator import attrgetter
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, cast

from attrs import frozen

from hotel_occupancy.domain.bookings import stage_of
from hotel_occupancy.domain.credentials import PinAttempts, PinRules, RestingPin
from hotel_occupancy.domain.enums import OPEN_TASK_STATUSES, OccupancyStatus, Operation
from hotel_occupancy.domain.errors import AlreadyRegistered, InvalidInput
from hotel_occupancy.domain.events import OccupancyEvent
from hotel_occupancy.domain.feed import ConsumerPosition
from hotel_occupancy.domain.invariants import StoreSnapshot
from hotel_occupancy.domain.legacy import LegacyHotelRecord, Owner, TakenOver
from hotel_occupancy.domain.model import (
    BoardRow,
    Booking,
    Guest,
    Hotel,
    HousekeepingTask,
    LogEntry,
    NightAudit,
    Room,
    RoomOccupancy,
    Staff,
    StayRow,
    replace,
)
from hotel_occupancy.domain.side_by_side import Handover, library_writes, refuse_legacy_writes
from hotel_occupancy.services.ports import Clock, Notifier, PinSource, Policy, RequestRecord
from hotel_occupancy.services.unit_of_work import UnitOfWorkBase, system_clock

__all__ = ["InMemoryStore", "InMemoryUnitOfWork", "RecordingNotifier", "system_clock"]

_NIGHT_AUDIT = Operation.NIGHT_AUDIT  # (a global: dearer read off its class on Python 3.11)
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Undoable(Protocol):
    def _set(self, key: Any, old: Any, new: Any) -> None: ...


Journal = list[tuple[_Undoable, Any, Any, Any]]
"""The undo journal of a transaction: (table, key, row before, row after) per write, undone
last first by writing the row before back."""


def _undo(journal: Journal, mark: int = 0) -> None:
    """Undo the journal's writes after its first ``mark``, last first."""
    while len(journal) > mark:
        table, key, old, new = journal.pop()
        table._set(key, new, old)


class IntegrityViolation(RuntimeError):
    """A write broke a uniqueness rule of the store: a bug in a service, never user input
    (the legacy import's bulk write turns it into AlreadyRegistered)."""

    def __init__(self, table: str, message: str) -> None:
        super().__init__(f"{table}: {message}")
        self.table = table
        self.detail = message


class _Table(Generic[K, V]):
    """Rows by primary key plus secondary indexes, every write journaled for rollback.

    An index maps each row to one index key, or None for none (``indexes``); a ``multi``
    index maps it to a tuple of zero or more. A unique index refuses two rows under one
    key. A write touches only the index keys that change, so updating a row costs the same
    whatever the size of the table.
    """

    def __init__(
        self,
        name: str,
        key: Callable[[V], K],
        indexes: Mapping[str, Callable[[V], Hashable | None]] | None = None,
        unique: Collection[str] = (),
        multi: Mapping[str, Callable[[V], tuple[Hashable, ...]]] | None = None,
    ) -> None:
        self.name = name
        self._key = key
        self.rows: dict[K, V] = {}
        declared: list[tuple[str, Callable[[V], Any], bool]] = [
            (n, fn, False) for n, fn in (indexes or {}).items()
        ]
        declared += [(n, fn, True) for n, fn in (multi or {}).items()]
        self._indexes: dict[str, dict[Hashable, set[K]]] = {n: {} for n, _, _ in declared}
        self._index_list = tuple(
            (n, fn, is_multi, self._indexes[n], n in unique) for n, fn, is_multi in declared
        )

    def get(self, key: K) -> V | None:
        return self.rows.get(key)

    def in_key_order(self) -> tuple[V, ...]:
        return tuple(self.rows[k] for k in sorted(self.rows))  # type: ignore[type-var]

    def find(self, index: str, value: Hashable) -> list[V]:
        keys = self._indexes[index].get(value, ())
        return [self.rows[k] for k in keys]

    def has(self, index: str, value: Hashable) -> bool:
        return bool(self._indexes[index].get(value))

    def insert(self, row: V, journal: Journal) -> None:
        key = self._key(row)
        if key in self.rows:
            raise IntegrityViolation(self.name, f"duplicate key {key!r}")
        self._write(key, row, journal)

    def update(self, row: V, journal: Journal) -> None:
        key = self._key(row)
        if key not in self.rows:
            raise IntegrityViolation(self.name, f"no row {key!r} to update")
        self._write(key, row, journal)

    def delete(self, key: K, journal: Journal) -> None:
        if key in self.rows:
            self._write(key, None, journal)

    def _write(self, key: K, row: V | None, journal: Journal) -> None:
        old = self.rows.get(key)
        self._set(key, old, row)
        journal.append((self, key, old, row))

    def _set(self, key: K, old: V | None, new: V | None) -> None:
        """Replace ``old`` (the row stored under ``key``, or None) by ``new`` (or None to
        delete), checking unique indexes before changing anything."""
        changed: list[tuple[dict[Hashable, set[K]], Any, Any, bool]] = []
        for name, fn, is_multi, index, unique in self._index_list:
            before = None if old is None else fn(old)
            after = None if new is None else fn(new)
            if before == after:
                continue
            if is_multi:  # a multi index's tuple may hold None ("no key") and repeats
                before, after = set(before or ()), set(after or ())
                before.discard(None)
                after.discard(None)
                if unique:
                    for value in after:
                        holders = index.get(value)
                        if holders and key not in holders:
                            message = f"{name} {value!r} already taken"
                            raise IntegrityViolation(self.name, message)
            elif unique and after is not None:
                holders = index.get(after)
                if holders and key not in holders:
                    raise IntegrityViolation(self.name, f"{name} {after!r} already taken")
            changed.append((index, before, after, is_multi))
        for index, before, after, is_multi in changed:
            if is_multi:
                for value in before:
                    _unfile(index, value, key)
                for value in after:
                    _file(index, value, key)
            else:
                if before is not None:
                    _unfile(index, before, key)
                if after is not None:
                    _file(index, after, key)
        if new is None:
            self.rows.pop(key, None)
        else:
            self.rows[key] = new


def _file(index: dict[Hashable, set[Any]], value: Hashable, key: Any) -> None:
    bucket = index.get(value)
    if bucket is None:
        index[value] = {key}
    else:
        bucket.add(key)


def _unfile(index: dict[Hashable, set[Any]], value: Hashable, key: Any) -> None:
    holders = index[value]
    holders.discard(key)
    if not holders:
        del index[value]


class _Counter:
    """A journaled counter (the last log entry id)."""

    def __init__(self) -> None:
        self.value = 0

    def advance(self, journal: Journal, by: int = 1) -> int:
        """Move on by ``by``; the new value (the last of the ``by`` values taken)."""
        journal.append((self, None, self.value, self.value + by))
        self.value += by
        return self.value

    def _set(self, key: None, old: int, new: int) -> None:
        self.value = new


class _FeedIds:
    """The log's ids in order, overall (under None) and per hotel: the feed's index.

    Ids are appended increasing, so each list stays sorted and a position is found by
    bisection. An append is journaled as (key, length before, length after); undoing it
    cuts the list back.
    """

    def __init__(self) -> None:
        self.ids: dict[str | None, list[int]] = {None: []}

    def extend(self, entries: Sequence[LogEntry], journal: Journal) -> None:
        groups: dict[str | None, list[int]] = {None: [e.id for e in entries]}
        for entry in entries:
            groups.setdefault(entry.hotel_id, []).append(entry.id)
        for key, ids in groups.items():
            held = self.ids.setdefault(key, [])
            journal.append((self, key, len(held), len(held) + len(ids)))
            held.extend(ids)

    def _set(self, key: str | None, old: int, new: int) -> None:
        del self.ids[key][new:]


_POSITION = re.compile(r"(?:0|[1-9][0-9]{0,18})")
"""A position of the in-memory feed: the last id read, in decimal ("0" before all)."""


@frozen
class _Numbered(Generic[V]):
    """A row numbered in the order it was added (a table whose rows have no key)."""

    number: int
    row: V


@frozen
class _Detached:
    """A member taken out of a booking's party (update_party): its id stays the booking's."""

    member_id: str
    booking_id: str


class InMemoryStore:
    """The data of the in-memory adapter; share one between units of work and threads."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.hotels: _Table[str, Hotel] = _Table("hotels", attrgetter("hotel_id"))
        self.rooms: _Table[str, Room] = _Table(
            "rooms",
            attrgetter("room_id"),
            {"number": attrgetter("hotel_id", "number")},
            unique={"number"},
        )
        self.staff: _Table[str, Staff] = _Table("staff", attrgetter("staff_id"))
        self.bookings: _Table[str, Booking] = _Table(
            "bookings",
            attrgetter("booking_id"),
            {"hotel": attrgetter("hotel_id")},
            unique={"guest"},
            multi={"guest": lambda b: tuple(g.booking_guest_id for g in b.party)},
        )
        self.detached: _Table[str, _Detached] = _Table("detached_members", lambda d: d.member_id)
        """Members no longer in their booking's party (their ids stay taken)."""
        self.occupancies: _Table[str, RoomOccupancy] = _Table(
            "occupancies",
            attrgetter("room_id"),
            {"hotel": attrgetter("hotel_id")},
            unique={"booking"},
            # one room per booking, in either role (I3)
            multi={"booking": attrgetter("booking_id", "arriving_booking_id")},
        )
        self.guests: _Table[str, Guest] = _Table(
            "guests",
            attrgetter("guest_id"),
            {
                "booking": attrgetter("booking_id"),
                "pin": lambda g: (g.hotel_id, g.id_pin) if g.id_pin else None,
            },
            unique={"pin"},
        )
        self.tasks: _Table[str, HousekeepingTask] = _Table(
            "tasks",
            attrgetter("task_id"),
            {
                "open_room": lambda t: t.room_id if t.status in OPEN_TASK_STATUSES else None,
                "open_hotel": lambda t: t.hotel_id if t.status in OPEN_TASK_STATUSES else None,
            },
        )
        self.log: _Table[int, LogEntry] = _Table(
            "log",
            attrgetter("id"),
            {
                "room": attrgetter("room_id"),
                "from_room": attrgetter("from_room_id"),  # a move's or reassignment's source
                "booking": attrgetter("booking_id"),
                "request": attrgetter("request_id"),
                "audit": lambda e: (
                    (e.hotel_id, e.metadata.get("business_date"))
                    if e.operation is _NIGHT_AUDIT
                    else None
                ),
            },
        )
        self.requests: _Table[str, RequestRecord] = _Table("requests", lambda r: r.request_id)
        self.audits: _Table[tuple[str, date], NightAudit] = _Table(
            "night_audits",
            lambda a: (a.hotel_id, a.business_date),
            {"hotel": attrgetter("hotel_id")},
        )
        self.pin_attempts: _Table[str, PinAttempts] = _Table("pin_attempts", lambda a: a.room_id)
        self.resting_pins: _Table[tuple[str, str], RestingPin] = _Table(
            "resting_pins", lambda r: (r.hotel_id, r.pin)
        )
        self.log_ids = _Counter()
        self.feed_ids = _FeedIds()
        self.consumers: _Table[str, ConsumerPosition] = _Table("consumers", lambda c: c.consumer)
        self.committed_log_id = 0
        """The last log id committed (changed under :attr:`log_grown`)."""
        self.log_grown = threading.Condition()
        """Notified when a transaction that appended to the log commits."""
        self.legacy_hotels: _Table[str, LegacyHotelRecord] = _Table(
            "legacy_hotels", lambda r: r.hotel_id
        )
        self.handovers: _Table[int, _Numbered[Handover]] = _Table(
            "legacy_handovers", lambda h: h.number
        )

    def snapshot(self) -> StoreSnapshot:
        """Everything stored, as an immutable snapshot (for invariant checks and tests)."""
        with self.lock:
            return StoreSnapshot(  # every table in key order, as the SQL adapter gives it
                hotels=self.hotels.in_key_order(),
                rooms=self.rooms.in_key_order(),
                staff=self.staff.in_key_order(),
                bookings=self.bookings.in_key_order(),
                guests=self.guests.in_key_order(),
                occupancies=self.occupancies.in_key_order(),
                tasks=self.tasks.in_key_order(),
                log=self.log.in_key_order(),
                request_ids=frozenset(self.requests.rows),
            )


class RecordingNotifier:
    """A notifier that keeps every published event in :attr:`events`, in order."""

    def __init__(self) -> None:
        self.events: list[OccupancyEvent] = []
        self._lock = threading.Lock()

    def publish(self, event: OccupancyEvent) -> None:
        with self._lock:
            self.events.append(event)

    def clear(self) -> None:
        """Forget the events recorded so far."""
        with self._lock:
            self.events.clear()


class _Outside:
    """What repositories see of the store outside ``with uow:`` (``uow._live``): any use
    of it is refused. (An attribute read instead of a property call that checks: a
    repository reads the store about ten times an operation.)"""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("repositories are only usable inside `with uow:`")


_OUTSIDE = cast(InMemoryStore, _Outside())


class _Repository:
    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        self._uow = uow

    @property
    def _journal(self) -> Journal:
        journal = self._uow._journal
        if journal is None:
            raise RuntimeError("repositories are only usable inside `with uow:`")
        if self._uow._read_only:
            raise RuntimeError("this transaction is read-only (`with uow.reading():`)")
        return journal


class _Hotels(_Repository):
    def get(self, hotel_id: str) -> Hotel | None:
        return self._uow._live.hotels.get(hotel_id)

    def add(self, hotel: Hotel) -> None:
        self._uow._live.hotels.insert(hotel, self._journal)

    def update(self, hotel: Hotel) -> None:
        self._uow._live.hotels.update(hotel, self._journal)


class _Rooms(_Repository):
    def get(self, room_id: str) -> Room | None:
        return self._uow._live.rooms.get(room_id)

    def number_taken(self, hotel_id: str, number: str) -> bool:
        return self._uow._live.rooms.has("number", (hotel_id, number))

    def by_number(self, hotel_id: str, number: str) -> Room | None:
        found = self._uow._live.rooms.find("number", (hotel_id, number))
        return found[0] if found else None

    def add(self, room: Room) -> None:
        self._uow._live.rooms.insert(room, self._journal)

    def update(self, room: Room) -> None:
        self._uow._live.rooms.update(room, self._journal)


class _Staff(_Repository):
    def get(self, staff_id: str) -> Staff | None:
        return self._uow._live.staff.get(staff_id)

    def add(self, staff: Staff) -> None:
        self._uow._live.staff.insert(staff, self._journal)

    def update(self, staff: Staff) -> None:
        self._uow._live.staff.update(staff, self._journal)


class _Bookings(_Repository):
    def get(self, booking_id: str) -> Booking | None:
        return self._uow._live.bookings.get(booking_id)

    def guest_ids_taken(self, booking_guest_ids: Collection[str]) -> set[str]:
        return set(self.party_owners(booking_guest_ids))

    def party_owners(self, booking_guest_ids: Collection[str]) -> Mapping[str, str]:
        store = self._uow._live
        owners: dict[str, str] = {}
        for member_id in booking_guest_ids:
            holders = store.bookings.find("guest", member_id)
            if holders:
                owners[member_id] = holders[0].booking_id
            elif (detached := store.detached.get(member_id)) is not None:
                owners[member_id] = detached.booking_id
        return owners

    def add(self, booking: Booking) -> None:
        self._uow._live.bookings.insert(booking, self._journal)

    def update(self, booking: Booking) -> None:
        table = self._uow._live.bookings
        stored = table.get(booking.booking_id)
        if stored is not None and stored.party is not booking.party:
            booking = replace(booking, party=stored.party)  # the party changes by set_party
        table.update(booking, self._journal)

    def set_party(self, booking: Booking) -> None:
        store, journal = self._uow._live, self._journal
        stored = store.bookings.get(booking.booking_id)
        if stored is None:
            raise IntegrityViolation("bookings", f"no row {booking.booking_id!r} to update")
        now = {m.booking_guest_id for m in booking.party}
        for member in stored.party:
            if member.booking_guest_id not in now:
                store.detached.insert(
                    _Detached(member.booking_guest_id, booking.booking_id), journal
                )
        for member_id in now:
            detached = store.detached.get(member_id)
            if detached is not None and detached.booking_id == booking.booking_id:
                store.detached.delete(member_id, journal)
        store.bookings.update(replace(stored, party=booking.party), journal)

    def _stays(self, hotel_id: str, wanted: Callable[[Booking], bool]) -> list[StayRow]:
        store = self._uow._live
        rows = []
        for booking in store.bookings.find("hotel", hotel_id):
            if not wanted(booking):
                continue
            holder = _holder(store, booking.booking_id)
            room = store.rooms.get(holder.room_id) if holder is not None else None
            arriving = holder is not None and holder.arriving_booking_id == booking.booking_id
            in_room = holder if holder is not None and not arriving and booking.in_house else None
            rows.append(
                StayRow(
                    booking_id=booking.booking_id,
                    hotel_id=booking.hotel_id,
                    reference=booking.reference,
                    stage=stage_of(booking, holder is not None),
                    arrival=booking.arrival,
                    departure=booking.departure,
                    party_size=len(booking.party),
                    primary_name=booking.primary.full_name,
                    room_id=room.room_id if room is not None else None,
                    room_number=room.number if room is not None else None,
                    arriving=arriving,
                    queued=booking.queued_at is not None,
                    checked_in_at=booking.checked_in_at,
                    checked_out_at=booking.checked_out_at,
                    expected_checkout=in_room.expected_checkout if in_room is not None else None,
                )
            )
        return rows

    def arrivals(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        def wanted(b: Booking) -> bool:
            if b.cancelled_at is not None:
                return False
            late = b.arrival < day and b.checked_in_at is None and b.no_show_at is None
            return b.arrival == day or late

        return self._stays(hotel_id, wanted)

    def departures(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        return self._stays(hotel_id, lambda b: b.in_house and b.departure <= day)

    def in_house(self, hotel_id: str) -> Sequence[StayRow]:
        return self._stays(hotel_id, lambda b: b.in_house)

    def held_by(self, room_id: str) -> Booking | None:
        occupancy = self._uow._live.occupancies.get(room_id)
        if occupancy is None or occupancy.booking_id is None:
            return None
        return self._uow._live.bookings.get(occupancy.booking_id)


def _holder(store: InMemoryStore, booking_id: str) -> RoomOccupancy | None:
    """The occupancy record holding the booking, in either role."""
    found = store.occupancies.find("booking", booking_id)
    return found[0] if found else None


class _Occupancies(_Repository):
    def get(self, room_id: str) -> RoomOccupancy | None:
        return self._uow._live.occupancies.get(room_id)

    def for_booking(self, booking_id: str) -> RoomOccupancy | None:
        return _holder(self._uow._live, booking_id)

    def board(self, hotel_id: str) -> Sequence[BoardRow]:
        store = self._uow._live
        rows = []
        for occupancy in store.occupancies.find("hotel", hotel_id):
            room = store.rooms.get(occupancy.room_id)
            assert room is not None  # I1: every occupancy record has its room
            booking = store.bookings.get(occupancy.booking_id) if occupancy.booking_id else None
            arriving = (
                store.bookings.get(occupancy.arriving_booking_id)
                if occupancy.arriving_booking_id
                else None
            )
            awaiting = arriving if arriving is not None else booking
            queued = (
                awaiting is not None
                and awaiting.queued_at is not None
                and (arriving is not None or occupancy.status is not OccupancyStatus.OCCUPIED)
            )
            guests = (
                sum(1 for g in store.guests.find("booking", booking.booking_id) if g.in_house)
                if booking is not None
                else 0
            )
            rows.append(
                BoardRow(
                    room_id=room.room_id,
                    number=room.number,
                    status=occupancy.status,
                    condition=occupancy.condition,
                    booking_id=occupancy.booking_id,
                    booking_reference=booking.reference if booking else None,
                    guest_count=guests,
                    expected_checkout=occupancy.expected_checkout,
                    arriving_booking_id=occupancy.arriving_booking_id,
                    service_status=occupancy.service_status,
                    discrepancy=occupancy.discrepancy,
                    queued=queued,
                )
            )
        return rows

    def for_hotel(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        return sorted(self._uow._live.occupancies.find("hotel", hotel_id), key=_room_id)

    def add(self, occupancy: RoomOccupancy) -> None:
        self._uow._live.occupancies.insert(occupancy, self._journal)

    def update(self, occupancy: RoomOccupancy) -> None:
        self._uow._live.occupancies.update(occupancy, self._journal)

    def update_many(self, occupancies: Sequence[RoomOccupancy]) -> None:
        table, journal = self._uow._live.occupancies, self._journal
        for occupancy in occupancies:
            table.update(occupancy, journal)

    def lock(
        self, room_ids: Collection[str], *, holding: Collection[str] = ()
    ) -> Mapping[str, RoomOccupancy]:
        # one writer at a time holds the store: nothing to lock, only to read
        found = {r: o for r in room_ids if (o := self._uow._live.occupancies.get(r)) is not None}
        for booking_id in holding:
            holder = self.for_booking(booking_id)
            if holder is not None:
                found[holder.room_id] = holder
        return found


class _Guests(_Repository):
    def get(self, guest_id: str) -> Guest | None:
        return self._uow._live.guests.get(guest_id)

    def for_booking(self, booking_id: str) -> Sequence[Guest]:
        store = self._uow._live
        guests = store.guests.find("booking", booking_id)
        booking = store.bookings.get(booking_id)
        order = {m.booking_guest_id: i for i, m in enumerate(booking.party)} if booking else {}
        detached = len(order)  # members no longer in the party come last, by check-in date

        def key(g: Guest) -> tuple[int, date, str]:
            position = order.get(g.booking_guest_id, detached)
            return (position, g.check_in_date if position == detached else date.min, g.guest_id)

        return sorted(guests, key=key)

    def pins_in_use(self, hotel_id: str, pins: Collection[str]) -> set[str]:
        table = self._uow._live.guests
        return {p for p in pins if table.has("pin", (hotel_id, p))}

    def find_by_pin(self, hotel_id: str, pin: str) -> Guest | None:
        found = self._uow._live.guests.find("pin", (hotel_id, pin))
        return found[0] if found else None

    def add_many(self, guests: Sequence[Guest]) -> None:
        table, journal = self._uow._live.guests, self._journal
        for guest in guests:
            table.insert(guest, journal)

    def update_many(self, guests: Sequence[Guest]) -> None:
        table, journal = self._uow._live.guests, self._journal
        for guest in guests:
            table.update(guest, journal)

    def remove_many(self, guest_ids: Collection[str]) -> None:
        table, journal = self._uow._live.guests, self._journal
        for guest_id in guest_ids:
            table.delete(guest_id, journal)


def _task_order(task: HousekeepingTask) -> tuple[datetime, str]:
    return (task.created_at, task.task_id)


def _room_id(occupancy: RoomOccupancy) -> str:
    return occupancy.room_id


class _Tasks(_Repository):
    def open_for_room(self, room_id: str) -> Sequence[HousekeepingTask]:
        found = self._uow._live.tasks.find("open_room", room_id)
        return sorted(found, key=_task_order) if len(found) > 1 else found

    def open_for_hotel(self, hotel_id: str) -> Sequence[HousekeepingTask]:
        return self._uow._live.tasks.find("open_hotel", hotel_id)

    def get(self, task_id: str) -> HousekeepingTask | None:
        return self._uow._live.tasks.get(task_id)

    def add(self, task: HousekeepingTask) -> None:
        self._uow._live.tasks.insert(task, self._journal)

    def update(self, task: HousekeepingTask) -> None:
        self._uow._live.tasks.update(task, self._journal)

    def add_many(self, tasks: Sequence[HousekeepingTask]) -> None:
        table, journal = self._uow._live.tasks, self._journal
        for task in tasks:
            table.insert(task, journal)

    def update_many(self, tasks: Sequence[HousekeepingTask]) -> None:
        table, journal = self._uow._live.tasks, self._journal
        for task in tasks:
            table.update(task, journal)


class _Audits(_Repository):
    # one writer at a time holds the store: claiming needs no lock of its own
    def claim(self, hotel_id: str) -> NightAudit | None:
        audits = self._uow._live.audits.find("hotel", hotel_id)
        return max(audits, key=lambda a: a.business_date, default=None)

    def get(self, hotel_id: str, business_date: date) -> NightAudit | None:
        return self._uow._live.audits.get((hotel_id, business_date))

    def add(self, audit: NightAudit) -> None:
        self._uow._live.audits.insert(audit, self._journal)

    def entries(self, audit: NightAudit) -> Sequence[LogEntry]:
        found = self._uow._live.log.find("audit", (audit.hotel_id, audit.business_date.isoformat()))
        return sorted((e for e in found if e.timestamp == audit.performed_at), key=lambda e: e.id)


class _Log(_Repository):
    def append(self, drafts: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
        store, journal = self._uow._live, self._journal
        owners = store.legacy_hotels
        if owners.rows:  # one writer per hotel (§12), as the SQL schema's trigger
            for draft in drafts:
                record = owners.get(draft.hotel_id)
                if record is not None and record.owner is Owner.LEGACY and library_writes(draft):
                    raise refuse_legacy_writes(draft.hotel_id)
        stored = []
        for draft in drafts:
            entry = replace(draft, id=store.log_ids.advance(journal))
            store.log.insert(entry, journal)
            stored.append(entry)
        store.feed_ids.extend(stored, journal)
        return tuple(stored)

    def _entries(self, index: str, key: str, newest_first: bool) -> Sequence[LogEntry]:
        return sorted(
            self._uow._live.log.find(index, key), key=lambda e: e.id, reverse=newest_first
        )

    def for_room(self, room_id: str) -> Sequence[LogEntry]:
        log = self._uow._live.log
        found = {e.id: e for e in log.find("room", room_id)}
        found.update((e.id, e) for e in log.find("from_room", room_id))
        return [found[i] for i in sorted(found, reverse=True)]

    def for_booking(self, booking_id: str) -> Sequence[LogEntry]:
        return self._entries("booking", booking_id, newest_first=True)

    def for_request(self, request_id: str) -> Sequence[LogEntry]:
        return self._entries("request", request_id, newest_first=False)


class _Credentials(_Repository):
    def attempts(self, room_id: str) -> PinAttempts | None:
        return self._uow._live.pin_attempts.get(room_id)

    def save_attempts(self, attempts: PinAttempts) -> None:
        table = self._uow._live.pin_attempts
        if table.get(attempts.room_id) is None:
            table.insert(attempts, self._journal)
        else:
            table.update(attempts, self._journal)

    def clear_attempts(self, room_id: str) -> None:
        self._uow._live.pin_attempts.delete(room_id, self._journal)

    def quarantine(self, hotel_id: str, pins: Collection[str], until: datetime) -> None:
        table, journal = self._uow._live.resting_pins, self._journal
        for pin in pins:
            resting = table.get((hotel_id, pin))
            if resting is None:
                table.insert(RestingPin(hotel_id, pin, until), journal)
            elif resting.until < until:
                table.update(RestingPin(hotel_id, pin, until), journal)

    def quarantined(self, hotel_id: str, pins: Collection[str], at: datetime) -> set[str]:
        table = self._uow._live.resting_pins
        return {
            pin
            for pin in pins
            if (resting := table.get((hotel_id, pin))) is not None and resting.until > at
        }


class _Requests(_Repository):
    def get(self, request_id: str) -> RequestRecord | None:
        return self._uow._live.requests.get(request_id)

    def add(self, record: RequestRecord) -> None:
        self._uow._live.requests.insert(record, self._journal)


class _LegacyImports(_Repository):
    """The legacy import's bulk writes and records (§12)."""

    def record(self, hotel_id: str) -> LegacyHotelRecord | None:
        return self._uow._live.legacy_hotels.get(hotel_id)

    def save(self, record: LegacyHotelRecord) -> None:
        table = self._uow._live.legacy_hotels
        if table.get(record.hotel_id) is None:
            table.insert(record, self._journal)
        else:
            table.update(record, self._journal)

    def records(self) -> Sequence[LegacyHotelRecord]:
        return list(self._uow._live.legacy_hotels.in_key_order())

    def occupancies(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        return sorted(self._uow._live.occupancies.find("hotel", hotel_id), key=lambda o: o.room_id)

    def bookings(self, hotel_id: str) -> Sequence[Booking]:
        return [b for b in self._uow._live.bookings.in_key_order() if b.hotel_id == hotel_id]

    def tasks(self, task_ids: Collection[str]) -> Mapping[str, HousekeepingTask]:
        table = self._uow._live.tasks
        return {t.task_id: t for t in map(table.get, task_ids) if t is not None}

    def booking_ids(self, hotel_id: str) -> Sequence[str]:
        return [b.booking_id for b in self.bookings(hotel_id)]

    def handovers(self, hotel_id: str) -> Sequence[Handover]:
        rows = self._uow._live.handovers.in_key_order()
        return [h.row for h in rows if h.row.hotel_id == hotel_id]

    def hand_over(self, handover: Handover) -> None:
        table = self._uow._live.handovers
        table.insert(_Numbered(len(table.in_key_order()) + 1, handover), self._journal)

    def write(self, rows: TakenOver) -> None:
        """Insert the rows in :class:`TakenOver`'s order; an id already taken is
        AlreadyRegistered, and the write is then undone whole (the transaction goes on)."""
        store, journal = self._uow._live, self._journal
        mark = len(journal)
        tables: tuple[tuple[_Table[Any, Any], Sequence[Any]], ...] = (
            (store.hotels, rows.hotels),
            (store.staff, rows.staff),
            (store.rooms, rows.rooms),
            (store.bookings, rows.bookings),
            (store.occupancies, rows.occupancies),
            (store.guests, rows.guests),
            (store.tasks, rows.tasks),
        )
        try:
            for table, new in tables:
                insert = table.insert
                for row in new:
                    insert(row, journal)
            if rows.entries:
                last = store.log_ids.advance(journal, by=len(rows.entries))
                first = last - len(rows.entries) + 1
                entries = [
                    replace(draft, id=number)
                    for number, draft in enumerate(rows.entries, start=first)
                ]
                for entry in entries:
                    store.log.insert(entry, journal)
                store.feed_ids.extend(entries, journal)
        except IntegrityViolation as error:
            _undo(journal, mark)
            raise AlreadyRegistered(
                f"a row written to {error.table} is already registered ({error.detail}); "
                "nothing of this write was kept",
                table=error.table,
            ) from error


class _Feed(_Repository):
    """The log as a feed (§11): read by id, since one writer at a time holds the store."""

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        super().__init__(uow)
        self._seen: int | None = None  # the last committed id when this feed last read

    @staticmethod
    def _last_id(store: InMemoryStore, position: str) -> int:
        """The id a position stands after; InvalidInput unless this store made it."""
        if not isinstance(position, str) or not _POSITION.fullmatch(position):
            raise InvalidInput(f"{position!r} is not a position of the in-memory feed")
        last = int(position)
        if last > store.log_ids.value:
            raise InvalidInput(f"{position!r} is past the end of this store's feed")
        return last

    def read(
        self, after: str, *, hotel_id: str | None, limit: int
    ) -> tuple[Sequence[LogEntry], str]:
        store = self._uow._live
        last = self._last_id(store, after)
        self._seen = store.committed_log_id
        everything = store.feed_ids.ids[None]
        ids = everything if hotel_id is None else store.feed_ids.ids.get(hotel_id, [])
        start = bisect_right(ids, last)
        taken = ids[start : start + limit]
        rows = store.log.rows
        entries = [rows[i] for i in taken]
        if taken and len(taken) == limit:
            return entries, str(taken[-1])  # more of the hotel's entries may follow
        # every entry of the hotel after ``last`` was read: past every other one too
        return entries, (str(max(last, everything[-1])) if everything else after)

    def precedes(self, earlier: str, later: str) -> bool:
        store = self._uow._live
        return self._last_id(store, earlier) < self._last_id(store, later)

    def lag(self, after: str) -> int:
        store = self._uow._live
        everything = store.feed_ids.ids[None]
        return len(everything) - bisect_right(everything, self._last_id(store, after))

    def consumer(self, name: str) -> ConsumerPosition | None:
        return self._uow._live.consumers.get(name)

    def save_consumer(self, position: ConsumerPosition) -> None:
        table = self._uow._live.consumers
        if table.get(position.consumer) is None:
            table.insert(position, self._journal)
        else:
            table.update(position, self._journal)

    def consumers(self) -> Sequence[ConsumerPosition]:
        return self._uow._live.consumers.in_key_order()

    def wait(self, timeout: float) -> None:
        """Return at once if a commit appended to the log since this feed last read, else
        when one does, or after ``timeout`` seconds."""
        if self._uow._journal is not None:  # it would keep every writer out meanwhile
            raise RuntimeError("feed.wait is only usable outside a transaction")
        store = self._uow.store
        with store.log_grown:
            if self._seen is not None and store.committed_log_id != self._seen:
                return
            store.log_grown.wait(max(0.0, timeout))


class InMemoryUnitOfWork(UnitOfWorkBase):
    """A unit of work over an :class:`InMemoryStore` (a new, empty one by default).

    ``clock`` returns aware UTC datetimes (default: the system clock); ``notifier`` receives
    the events after commit (default: none); ``policy`` is the role policy (default:
    :class:`~hotel_occupancy.domain.policy.RolePolicy`); ``pins`` is the source of guest
    PINs (default: drawn with :mod:`secrets`) and ``pin_rules`` its limits on PIN guesses and
    its quarantine of freed PINs (default: ``PinRules()``). One unit of work serves any number
    of calls one after another; give each thread its own, sharing the store.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        policy: Policy | None = None,
        store: InMemoryStore | None = None,
        pins: PinSource | None = None,
        pin_rules: PinRules | None = None,
    ) -> None:
        super().__init__(
            clock=clock, notifier=notifier, policy=policy, pins=pins, pin_rules=pin_rules
        )
        self.store = store if store is not None else InMemoryStore()
        self._journal: Journal | None = None
        self._live = _OUTSIDE
        """The store inside ``with uow:``, else what refuses every use (see _Outside)."""
        self._read_only = False
        self._hotels = _Hotels(self)
        self._rooms = _Rooms(self)
        self._staff = _Staff(self)
        self._bookings = _Bookings(self)
        self._occupancies = _Occupancies(self)
        self._guests = _Guests(self)
        self._tasks = _Tasks(self)
        self._log = _Log(self)
        self._requests = _Requests(self)
        self._credentials = _Credentials(self)
        self._legacy = _LegacyImports(self)
        self._feed = _Feed(self)
        self._audits = _Audits(self)

    @property
    def hotels(self) -> _Hotels:
        return self._hotels

    @property
    def rooms(self) -> _Rooms:
        return self._rooms

    @property
    def staff(self) -> _Staff:
        return self._staff

    @property
    def bookings(self) -> _Bookings:
        return self._bookings

    @property
    def occupancies(self) -> _Occupancies:
        return self._occupancies

    @property
    def guests(self) -> _Guests:
        return self._guests

    @property
    def tasks(self) -> _Tasks:
        return self._tasks

    @property
    def log(self) -> _Log:
        return self._log

    @property
    def requests(self) -> _Requests:
        return self._requests

    @property
    def credentials(self) -> _Credentials:
        return self._credentials

    @property
    def legacy(self) -> _LegacyImports:
        return self._legacy

    @property
    def feed(self) -> _Feed:
        return self._feed

    @property
    def audits(self) -> _Audits:
        return self._audits

    def _require_transaction(self) -> None:
        if self._journal is None:
            raise RuntimeError("repositories are only usable inside `with uow:`")

    def snapshot(self) -> StoreSnapshot:
        """Everything in the store, as an immutable snapshot."""
        return self.store.snapshot()

    def __enter__(self) -> InMemoryUnitOfWork:
        self.store.lock.acquire()
        if self._journal is not None:  # only the thread holding the lock can get here
            self.store.lock.release()
            raise RuntimeError("this unit of work is already in a transaction")
        self._read_only = self._begin_events()
        self._journal = []
        self._live = self.store
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._journal = None
            self._live = _OUTSIDE
            self.store.lock.release()
        self._publish_committed()

    def commit(self) -> None:
        """Keep the transaction's changes; its events are published when the block ends."""
        self._require_transaction()
        self._journal = []
        self._events_committed()
        store = self.store
        if store.log_ids.value != store.committed_log_id:  # the log grew: wake followers
            with store.log_grown:
                store.committed_log_id = store.log_ids.value
                store.log_grown.notify_all()

    def rollback(self) -> None:
        """Undo every change since the last commit and drop its events."""
        journal = self._journal
        if journal is None:
            return
        _undo(journal)
        self._drop_events()

    def emit(self, events: Iterable[OccupancyEvent]) -> None:
        """Queue events to publish after commit."""
        self._require_transaction()
        super().emit(events)
