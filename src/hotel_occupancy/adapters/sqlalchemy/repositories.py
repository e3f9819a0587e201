"""The repositories of the SQLAlchemy adapter: one SQL statement per port method.

Every method runs inside the unit of work's transaction (``uow.connection``). In a write
transaction the rows an operation is about to change (occupancy records, bookings, a
guest) are read ``FOR NO KEY UPDATE`` on PostgreSQL, so concurrent operations on one room
or booking queue up instead of racing; on SQLite the whole write transaction holds the
database's write lock from BEGIN IMMEDIATE.

Locks on PostgreSQL, and why no two operations deadlock on them:

- ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: the foreign-key checks of a log entry, task
  or occupancy naming a booking take a KEY SHARE lock on the booking's row, which FOR
  UPDATE would block; so a room's operation (mark_dirty on an occupied room, say) never
  waits for an operation holding that room's booking, and the two cannot deadlock.
- The canonical order of an operation's locks is: the ``request_id``'s advisory lock
  (:class:`Requests`), then the hotel's night audit lock (:class:`NightAudits`, only the
  night audit takes it), then the booking, then occupancy records in ascending
  ``room_id``, then guests. :meth:`Bookings.held_by` locks the booking a room holds before
  the room, and :meth:`Occupancies.lock` locks all of an operation's records in one
  statement, in that order (:meth:`Occupancies.for_hotel` all of a hotel's, the night
  audit's). A booking asked for after an occupancy record (today checkout and move read
  the room first) is out of the order: it is locked ``NOWAIT``, so that instead of waiting
  for an operation that holds the booking and waits for this room (a deadlock PostgreSQL
  would only break after its ``deadlock_timeout``), the call fails at once with
  ConcurrencyConflict (nothing changed; safe to retry).
- A row locked in a write transaction is read once: the transaction keeps the booking or
  occupancy record (as it last wrote it), so reading it again sends nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from hotel_occupancy.adapters.sqlalchemy import mapping
from hotel_occupancy.adapters.sqlalchemy.driver import Prepared, read_rows
from hotel_occupancy.adapters.sqlalchemy.schema import (
    AUDIT_LOCKS,
    LOG_ENTRY_COLUMNS,
    booking_guests,
    bookings,
    guests,
    hotels,
    lock_name,
    log,
    night_audits,
    occupancies,
    requests,
    rooms,
    schema_of,
    staff,
    tasks,
)
from hotel_occupancy.domain.enums import OccupancyStatus, Operation
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
from hotel_occupancy.services.ports import RequestRecord


class Transaction(Protocol):
    """What the repositories need of their unit of work's current transaction."""

    @property
    def connection(self) -> Connection:
        """The connection of the current transaction."""

    @property
    def writing(self) -> bool:
        """True inside a read-write transaction (rows are then read ``FOR NO KEY UPDATE``)."""

    rows_read: dict[tuple[str, str], dict[str, Any]]
    """Rows as read (or last written) in the current transaction, by (table, key)."""

    tokens_read: set[str]
    """Guests read in the current write transaction who held a device token."""

    scrub_after_commit: bool
    """Whether the transaction cleared a device token, whose old copies the database
    should then be rid of once it commits (SQLite's write-ahead log)."""


# Statements are built once, with bind parameters: SQLAlchemy then reuses their compiled
# form and cache key on every call instead of building and hashing a new statement.


def _by_key(table: Table, column: str) -> tuple[Prepared, Prepared]:
    """SELECT a row by ``column = :key``: (plain, FOR NO KEY UPDATE)."""
    query = select(table).where(table.c[column] == bindparam("key"))
    return Prepared(query), Prepared(query.with_for_update(key_share=True))


def _update_by_key(table: Table, column: str) -> Prepared:
    """UPDATE a row by ``column = :key``, setting the columns given (see :meth:`Prepared.run`)."""
    return Prepared(update(table).where(table.c[column] == bindparam("key")))


_HOTEL, _ = _by_key(hotels, "hotel_id")
_UPDATE_HOTEL = _update_by_key(hotels, "hotel_id")
_ROOM, _ = _by_key(rooms, "room_id")
_ROOM_NUMBER = Prepared(
    select(rooms.c.room_id).where(
        rooms.c.hotel_id == bindparam("hotel"), rooms.c.number == bindparam("number")
    )
)
_ROOM_BY_NUMBER = Prepared(
    select(rooms).where(
        rooms.c.hotel_id == bindparam("hotel"), rooms.c.number == bindparam("number")
    )
)
_UPDATE_ROOM = _update_by_key(rooms, "room_id")
_STAFF, _ = _by_key(staff, "staff_id")
_HOTEL_OF_STAFF = [
    c.label(f"hotel_{c.name}") for c in hotels.c if c.name != "hotel_id"
]  # the staff member's hotel, read with them
_STAFF_AND_HOTEL = Prepared(
    select(staff, *_HOTEL_OF_STAFF)
    .join(hotels, hotels.c.hotel_id == staff.c.hotel_id)
    .where(staff.c.staff_id == bindparam("key"))
)
_UPDATE_STAFF = _update_by_key(staff, "staff_id")


def bookings_query() -> Select[Any]:
    """Bookings joined with their party (the members in it, not those taken out of it), in
    party order."""
    return (
        select(
            bookings,
            booking_guests.c.booking_guest_id,
            booking_guests.c.first_name,
            booking_guests.c.last_name,
        )
        .join(
            booking_guests,
            (booking_guests.c.booking_id == bookings.c.booking_id)
            & booking_guests.c.position.is_not(None),
        )
        .order_by(bookings.c.booking_id, booking_guests.c.position)
    )


def _booking_queries(key: Any) -> tuple[Prepared, Prepared, Prepared]:
    """The booking ``bookings.booking_id == key`` with its party: (plain, locked, locked
    NOWAIT)."""
    query = bookings_query().where(bookings.c.booking_id == key)
    return (
        Prepared(query),
        Prepared(query.with_for_update(of=bookings, key_share=True)),
        Prepared(query.with_for_update(of=bookings, key_share=True, nowait=True)),
    )


_BOOKING, _BOOKING_LOCKED, _BOOKING_LOCKED_NOWAIT = _booking_queries(bindparam("key"))
_HELD_BY = _booking_queries(  # the booking a room's occupancy record holds
    select(occupancies.c.booking_id)
    .where(occupancies.c.room_id == bindparam("key"))
    .scalar_subquery()
)
_PARTY_OWNERS = Prepared(
    select(booking_guests.c.booking_guest_id, booking_guests.c.booking_id).where(
        booking_guests.c.booking_guest_id.in_(bindparam("ids", expanding=True))
    ),
    expanding=["ids"],
)
_UPDATE_BOOKING = _update_by_key(bookings, "booking_id")
_DETACH_PARTY = Prepared(  # the whole party out of its places, before the members take new ones
    update(booking_guests)
    .where(booking_guests.c.booking_id == bindparam("key"), booking_guests.c.position.is_not(None))
    .values(position=None)
)


def _place_members(dialect: Any) -> Any:
    """INSERT a member of a party at its position, or, if its id is stored (in the party, or
    taken out of it), put that member there under its name: one statement per party, as
    an executemany. A member of another booking is left alone (the service checks
    ``party_owners`` first)."""
    statement = dialect.insert(booking_guests)
    return statement.on_conflict_do_update(
        index_elements=["booking_guest_id"],
        set_={
            "position": statement.excluded.position,
            "first_name": statement.excluded.first_name,
            "last_name": statement.excluded.last_name,
        },
        where=booking_guests.c.booking_id == statement.excluded.booking_id,
    )


_PLACE_MEMBERS = {"sqlite": _place_members(sqlite), "postgresql": _place_members(postgresql)}
_PUT_MEMBER = (
    update(booking_guests)
    .where(booking_guests.c.booking_guest_id == bindparam("key"))
    .values(
        position=bindparam("position"),
        first_name=bindparam("first_name"),
        last_name=bindparam("last_name"),
    )
)


def _holds(table: Any, key: Any) -> ColumnElement[bool]:
    """``table`` (ho_occupancies or an alias) holds the booking ``key``, in either role."""
    return or_(table.c.booking_id == key, table.c.arriving_booking_id == key)


def _stays_query(wanted: ColumnElement[bool]) -> Select[Any]:
    """The hotel's (``:hotel``) bookings ``wanted`` as front-desk rows: the booking, its
    party's size and primary's name, the room holding it in either role (one query)."""
    holder = occupancies.alias("holder")
    primary = booking_guests.alias("primary_member")
    member = booking_guests.alias("member")
    party_size = (
        select(func.count())
        .where(member.c.booking_id == bookings.c.booking_id, member.c.position.is_not(None))
        .correlate(bookings)
        .scalar_subquery()
    )
    return (
        select(
            bookings.c.booking_id,
            bookings.c.hotel_id,
            bookings.c.reference,
            bookings.c.arrival,
            bookings.c.departure,
            bookings.c.checked_in_at,
            bookings.c.checked_out_at,
            bookings.c.cancelled_at,
            bookings.c.no_show_at,
            bookings.c.queued_at,
            party_size.label("party_size"),
            primary.c.first_name,
            primary.c.last_name,
            rooms.c.room_id,
            rooms.c.number.label("room_number"),
            holder.c.arriving_booking_id,
            holder.c.expected_checkout,
        )
        .select_from(bookings)
        .outerjoin(
            primary, and_(primary.c.booking_id == bookings.c.booking_id, primary.c.position == 0)
        )
        .outerjoin(holder, _holds(holder, bookings.c.booking_id))
        .outerjoin(rooms, rooms.c.room_id == holder.c.room_id)
        .where(bookings.c.hotel_id == bindparam("hotel"), wanted)
    )


_IN_HOUSE_NOW = and_(bookings.c.checked_in_at.is_not(None), bookings.c.checked_out_at.is_(None))
_ARRIVALS = Prepared(
    _stays_query(
        and_(
            bookings.c.cancelled_at.is_(None),
            or_(
                bookings.c.arrival == bindparam("day"),
                and_(
                    bookings.c.arrival < bindparam("day"),
                    bookings.c.checked_in_at.is_(None),
                    bookings.c.no_show_at.is_(None),
                ),
            ),
        )
    )
)
_DEPARTURES = Prepared(_stays_query(and_(_IN_HOUSE_NOW, bookings.c.departure <= bindparam("day"))))
_IN_HOUSE_STAYS = Prepared(_stays_query(_IN_HOUSE_NOW))
_OCCUPANCY, _OCCUPANCY_LOCKED = _by_key(occupancies, "room_id")
_HELD = Prepared(select(occupancies).where(_holds(occupancies, bindparam("key"))))
_HELD_LOCKED = Prepared(
    select(occupancies).where(_holds(occupancies, bindparam("key"))).with_for_update(key_share=True)
)
_UPDATE_OCCUPANCY = _update_by_key(occupancies, "room_id")
_ROOMS_AND_HOLDERS = (  # in ascending room_id: the order their locks are taken in
    # each record with its room's row (reference data an operation checks, such as the
    # capacity), so that reading the room costs no statement of its own (see Rooms)
    select(
        occupancies,
        rooms.c.number.label("room_number"),
        rooms.c.capacity.label("room_capacity"),
    )
    .join_from(occupancies, rooms, rooms.c.room_id == occupancies.c.room_id)
    .where(
        occupancies.c.room_id.in_(bindparam("ids", expanding=True))
        | occupancies.c.booking_id.in_(bindparam("bookings", expanding=True))
        | occupancies.c.arriving_booking_id.in_(bindparam("bookings", expanding=True))
    )
    .order_by(occupancies.c.room_id)
)
_ROOMS_AND_HOLDERS_LOCKED = Prepared(  # the records locked, not their rooms' rows
    _ROOMS_AND_HOLDERS.with_for_update(key_share=True, of=occupancies),
    expanding=["ids", "bookings"],
)
_ROOMS_AND_HOLDERS_READ = Prepared(_ROOMS_AND_HOLDERS, expanding=["ids", "bookings"])
_OCCUPANCIES_OF_HOTEL = (  # in ascending room_id: the order their locks are taken in
    select(occupancies)
    .where(occupancies.c.hotel_id == bindparam("key"))
    .order_by(occupancies.c.room_id)
)
_OCCUPANCIES_OF_HOTEL_LOCKED = Prepared(_OCCUPANCIES_OF_HOTEL.with_for_update(key_share=True))
_OCCUPANCIES_OF_HOTEL_READ = Prepared(_OCCUPANCIES_OF_HOTEL)
_IN_HOUSE = (
    select(func.count())
    .where(guests.c.booking_id == occupancies.c.booking_id)
    .where(guests.c.check_out_date.is_(None))
    .correlate(occupancies)
    .scalar_subquery()
)
_ARRIVING = bookings.alias("arriving")
_QUEUED = or_(  # the booking awaiting the room, pre-assigned or arriving, waits at the desk
    and_(
        occupancies.c.status != OccupancyStatus.OCCUPIED.value,
        bookings.c.queued_at.is_not(None),
    ),
    _ARRIVING.c.queued_at.is_not(None),
)
_BOARD = (  # one query: rooms, their occupancy, the bookings' reference and queue, guests
    select(
        rooms.c.room_id,
        rooms.c.number,
        occupancies.c.status,
        occupancies.c.condition,
        occupancies.c.booking_id,
        bookings.c.reference,
        occupancies.c.expected_checkout,
        case((occupancies.c.booking_id.is_(None), 0), else_=_IN_HOUSE),
        occupancies.c.arriving_booking_id,
        occupancies.c.service_status,
        occupancies.c.discrepancy,
        case((_QUEUED, 1), else_=0),  # an integer on both databases (read raw)
    )
    .join(occupancies, occupancies.c.room_id == rooms.c.room_id)
    .outerjoin(bookings, bookings.c.booking_id == occupancies.c.booking_id)
    .outerjoin(_ARRIVING, _ARRIVING.c.booking_id == occupancies.c.arriving_booking_id)
    .where(rooms.c.hotel_id == bindparam("hotel"))
)
_BOARD_COMPILED: dict[tuple[str, str | None], SQLCompiler] = {}  # by dialect name, schema
_GUEST, _GUEST_LOCKED = _by_key(guests, "guest_id")
_DETACHED = booking_guests.c.position.is_(None)
_GUESTS_OF_BOOKING = Prepared(  # in the party's order; those taken out of it last, by check-in
    select(guests)
    .join(booking_guests, booking_guests.c.booking_guest_id == guests.c.booking_guest_id)
    .where(guests.c.booking_id == bindparam("key"))
    .order_by(
        case((_DETACHED, 1), else_=0),  # not NULLS LAST: SQLite and PostgreSQL differ
        booking_guests.c.position,
        case((_DETACHED, guests.c.check_in_date), else_=null()),
        guests.c.guest_id,
    )
)
_PINS_IN_USE = Prepared(
    select(guests.c.id_pin).where(
        guests.c.hotel_id == bindparam("hotel"),
        guests.c.id_pin.in_(bindparam("pins", expanding=True)),
    ),
    expanding=["pins"],
)
_GUEST_BY_PIN = Prepared(
    select(guests).where(
        guests.c.hotel_id == bindparam("hotel"),
        guests.c.id_pin == bindparam("pin"),
        guests.c.check_out_date.is_(None),
    )
)
_UPDATE_GUEST = _update_by_key(guests, "guest_id")
_DELETE_COMPANIONS = Prepared(
    guests.delete().where(
        guests.c.guest_id.in_(bindparam("ids", expanding=True)),
        guests.c.primary_guest_id.is_not(None),
    ),
    expanding=["ids"],
)
_DELETE_GUESTS = Prepared(
    guests.delete().where(guests.c.guest_id.in_(bindparam("ids", expanding=True))),
    expanding=["ids"],
)
# the open statuses written into the SQL (a list of binds would be an expanding IN, which
# SQLAlchemy completes at each execution)
_OPEN: tuple[ColumnElement[Any], ...] = (
    literal_column("'OPEN'"),
    literal_column("'IN_PROGRESS'"),
)
_OPEN_TASKS_OF_ROOM = Prepared(
    select(tasks)
    .where(tasks.c.room_id == bindparam("key"), tasks.c.status.in_(_OPEN))
    .order_by(tasks.c.created_at, tasks.c.task_id)
)
_OPEN_TASKS_OF_HOTEL = Prepared(
    select(tasks).where(tasks.c.hotel_id == bindparam("key"), tasks.c.status.in_(_OPEN))
)
_TASK_OF_ROW = [c.label(f"task_{c.name}") for c in tasks.c]  # a task read beside another row
_TASK_LABELS = tuple((f"task_{c.name}", c.name) for c in tasks.c)
_STAFF_HOTEL_AND_TASKS = Prepared(  # the staff member, their hotel, the rooms' open tasks
    select(staff, *_HOTEL_OF_STAFF, *_TASK_OF_ROW)
    .join(hotels, hotels.c.hotel_id == staff.c.hotel_id)
    .outerjoin(
        tasks,
        and_(tasks.c.room_id.in_(bindparam("rooms", expanding=True)), tasks.c.status.in_(_OPEN)),
    )
    .where(staff.c.staff_id == bindparam("key"))
    .order_by(tasks.c.created_at, tasks.c.task_id),
    expanding=["rooms"],
)
_TASKS_WITH_STAFF = 8
"""The most locked rooms whose open tasks are read with the staff member (an operation
names one or two; more are read by their own query when asked for)."""
_TASK, _ = _by_key(tasks, "task_id")
_UPDATE_TASK = _update_by_key(tasks, "task_id")
_APPEND = insert(log).returning(log.c.id, sort_by_parameter_order=True)
# SQLite: in batches of many rows, whose ids come back in any order (see Log.append)
_APPEND_UNORDERED = insert(log).returning(log.c.id)
_APPEND_ONE = Prepared(insert(log))  # SQLite: the id is the driver's last row id
_APPEND_ONE_RETURNING = Prepared(insert(log).returning(log.c.id))
_APPEND_BATCH = 16
"""The most entries appended by one prepared multi-row INSERT (an assignment with check-in
writes two); a longer batch (a night audit's) takes SQLAlchemy's executemany path."""


def _append_rows(count: int) -> Prepared:
    """INSERT ... VALUES (row 0), ..., (row ``count - 1``) RETURNING id, by bind names
    ``<column>_<row>``: one statement, prepared once per count."""
    names = [c.name for c in log.columns if c.name not in ("id", "txid")]  # as entry_row
    rows: list[dict[str, Any]] = [  # typed: rows after the first would bind untyped
        {name: bindparam(f"{name}_{i}", type_=log.c[name].type) for name in names}
        for i in range(count)
    ]
    return Prepared(insert(log).values(rows).returning(log.c.id), named=True)


_APPEND_ROWS = {count: _append_rows(count) for count in range(2, _APPEND_BATCH + 1)}
_LOG_OF_ROOM = Prepared(
    select(*LOG_ENTRY_COLUMNS)
    .where((log.c.room_id == bindparam("key")) | (log.c.from_room_id == bindparam("key")))
    .order_by(log.c.id.desc())
)
_LOG_OF_BOOKING = Prepared(
    select(*LOG_ENTRY_COLUMNS).where(log.c.booking_id == bindparam("key")).order_by(log.c.id.desc())
)
_LOG_OF_REQUEST = Prepared(
    select(*LOG_ENTRY_COLUMNS).where(log.c.request_id == bindparam("key")).order_by(log.c.id)
)
_REQUEST, _ = _by_key(requests, "request_id")
_LOCK_REQUEST = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key"), 0)))
_LOCK_AUDITS = select(func.pg_advisory_xact_lock(AUDIT_LOCKS, func.hashtext(bindparam("hotel"))))
_LATEST_AUDIT = Prepared(
    select(night_audits)
    .where(night_audits.c.hotel_id == bindparam("hotel"))
    .order_by(night_audits.c.business_date.desc())
    .limit(1)
)
_AUDIT = Prepared(
    select(night_audits).where(
        night_audits.c.hotel_id == bindparam("hotel"),
        night_audits.c.business_date == bindparam("day"),
    )
)
_AUDIT_ENTRIES = Prepared(  # by the index (hotel_id, operation, timestamp)
    select(*LOG_ENTRY_COLUMNS)
    .where(
        log.c.hotel_id == bindparam("hotel"),
        log.c.operation == Operation.NIGHT_AUDIT.value,
        log.c.timestamp == bindparam("at"),
    )
    .order_by(log.c.id)
)
_INSERT = {
    table: Prepared(insert(table))
    for table in (
        hotels,
        rooms,
        staff,
        bookings,
        booking_guests,
        occupancies,
        guests,
        tasks,
        requests,
        night_audits,
    )
}


class _Repository:
    def __init__(self, uow: Transaction) -> None:
        self._uow = uow

    @property
    def _conn(self) -> Connection:
        return self._uow.connection

    def _one(self, query: Prepared, **parameters: Any) -> Mapping[Any, Any] | None:
        rows = query.rows(self._conn, parameters)
        return rows[0] if rows else None

    def _all(self, query: Prepared, **parameters: Any) -> Sequence[Mapping[Any, Any]]:
        return query.rows(self._conn, parameters)

    def _remember(self, table: Table, key: str, row: Mapping[Any, Any]) -> None:
        """Note ``row`` as read in this transaction, so that updating it writes only the
        columns that change. Only for rows no other transaction can change before ours
        ends: those locked FOR NO KEY UPDATE (PostgreSQL) or read in a write transaction
        (SQLite's single writer), or guarded by such a row (a room's tasks by its
        occupancy)."""
        if self._uow.writing:
            self._uow.rows_read[(table.name, key)] = dict(row)

    def _locked(self, plain: Any, locked: Any) -> Any:
        """The locking form (FOR NO KEY UPDATE) in a write transaction (PostgreSQL; SQLite
        ignores it)."""
        return locked if self._uow.writing else plain

    def _holds(self, table: Table) -> bool:
        """Whether this transaction has locked a row of ``table`` (see :meth:`_remember`)."""
        return any(name == table.name for name, _ in self._uow.rows_read)

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:
            _INSERT[table].run(self._conn, rows[0])
        elif rows:
            _INSERT[table].run_many(self._conn, rows)

    def _update_many(self, table: Table, key: str, entities: Sequence[Any]) -> list[dict[str, Any]]:
        """The executemany rows of an UPDATE of ``table`` by ``:key`` writing ``entities``
        (keyed by their field ``key``). An executemany has one column set: the columns any
        of them changes from the row as read in this transaction, if every one was read
        (fewer columns to bind, check and index, as :meth:`_update`), else all. The rows as
        read become what was written. None: nothing changed."""
        rows_read = self._uow.rows_read
        written: list[tuple[str, dict[str, Any]]] = []
        columns: set[str] = set()
        every_one_read = True
        for entity in entities:
            values = mapping.plain(entity, key)
            name = getattr(entity, key)
            read = rows_read.get((table.name, name))
            if read is None:
                every_one_read = False
            else:
                columns.update(k for k, v in values.items() if k not in read or read[k] != v)
                read.update(values)
            written.append((name, values))
        if every_one_read:
            if not columns:
                return []
            return [{**{c: v[c] for c in columns}, "key": name} for name, v in written]
        return [{**values, "key": name} for name, values in written]

    def _update(self, statement: Prepared, table: Table, key: str, values: dict[str, Any]) -> None:
        """UPDATE the row ``key``: only the columns that differ from the row as read in this
        transaction, if it was (fewer columns to bind, check and index), else all."""
        read = self._uow.rows_read.get((table.name, key))
        if read is not None:
            values = {k: v for k, v in values.items() if k not in read or read[k] != v}
            if not values:
                return
            read.update(values)
        statement.run(self._conn, {**values, "key": key})


_Reference = TypeVar("_Reference", Hotel, Room)


class _KeptThisTransaction(_Repository, Generic[_Reference]):
    """Reference data a transaction reads once and keeps until it ends, and no longer:
    another unit of work may change it between two transactions (``update_hotel``,
    ``update_room``), so what one read is forgotten when it ends. Read by its own query
    or along with another row, in the same statement (:meth:`_read_with`)."""

    _key: str  # the field naming it (``hotel_id``, ``room_id``)

    def __init__(self, uow: Transaction) -> None:
        super().__init__(uow)
        self._read_now: dict[str, _Reference] = {}

    def _read_with(self, thing: _Reference) -> None:
        """``thing``, read along with something else in this transaction."""
        self._read_now[getattr(thing, self._key)] = thing

    def _end_transaction(self) -> None:  # called by the unit of work
        """Forget what the transaction read: the next one reads it afresh."""
        self._read_now.clear()


class Hotels(_KeptThisTransaction[Hotel]):
    """Hotels, kept once read (see :class:`_KeptThisTransaction`). An operation reads its
    hotel with the acting staff member, in the same statement (:meth:`StaffMembers.get`),
    so it costs no query of its own."""

    _key = "hotel_id"

    def get(self, hotel_id: str) -> Hotel | None:
        hotel = self._read_now.get(hotel_id)
        if hotel is not None:
            return hotel
        row = self._one(_HOTEL, key=hotel_id)
        if row is None:
            return None
        hotel = self._read_now[hotel_id] = mapping.hotel(row)
        return hotel

    def add(self, hotel: Hotel) -> None:
        self._insert(hotels, [mapping.plain(hotel)])

    def update(self, hotel: Hotel) -> None:
        values = mapping.plain(hotel, "hotel_id")
        _UPDATE_HOTEL.run(self._conn, {**values, "key": hotel.hotel_id})
        self._read_now[hotel.hotel_id] = hotel  # kept if the transaction commits

    def _written(self, written: Iterable[Hotel]) -> None:
        """Hotels this transaction inserted in bulk (the legacy import): known from now on
        in it."""
        for hotel in written:
            self._read_with(hotel)


class Rooms(_KeptThisTransaction[Room]):
    """Rooms. A room read with its occupancy record (:meth:`Occupancies.lock`) is kept
    (see :class:`_KeptThisTransaction`), so that an operation checking it (a capacity)
    sends no statement for it."""

    _key = "room_id"

    def get(self, room_id: str) -> Room | None:
        room = self._read_now.get(room_id)
        if room is not None:
            return room
        row = self._one(_ROOM, key=room_id)
        return mapping.room(row) if row else None

    def number_taken(self, hotel_id: str, number: str) -> bool:
        return self._one(_ROOM_NUMBER, hotel=hotel_id, number=number) is not None

    def by_number(self, hotel_id: str, number: str) -> Room | None:
        row = self._one(_ROOM_BY_NUMBER, hotel=hotel_id, number=number)
        return mapping.room(row) if row else None

    def add(self, room: Room) -> None:
        self._insert(rooms, [mapping.plain(room)])

    def update(self, room: Room) -> None:
        values = mapping.plain(room, "room_id", "hotel_id")  # a room keeps its hotel
        _UPDATE_ROOM.run(self._conn, {**values, "key": room.room_id})
        self._read_now.pop(room.room_id, None)  # read again if asked for


class StaffMembers(_Repository):
    def __init__(
        self, uow: Transaction, hotels: Hotels, occupancies: Occupancies, tasks: Tasks
    ) -> None:
        super().__init__(uow)
        self._hotels = hotels
        self._occupancies = occupancies
        self._tasks = tasks

    def get(self, staff_id: str) -> Staff | None:
        """The staff member; their hotel is read in the same statement, for the operation
        they are about to do (see :class:`Hotels`), and so are the open tasks of the rooms
        whose occupancy records this write transaction has locked (see :class:`Tasks`).

        The tasks are read here, not with the records' lock: on PostgreSQL a statement
        reads the snapshot it started with, so the locking statement, having waited for
        the transaction that held a record (and changed its room's tasks), would join
        the tasks as they were before that transaction committed. This statement starts
        once the locks are held, and sees them as they are.

        On PostgreSQL only, where every statement is a round trip to the server: on SQLite
        the joined read costs about what the query it saves does (measured: 1.7% more
        instructions per guest cycle), so the tasks are read by their own query there."""
        conn = self._conn
        rooms = (
            self._tasks._unread(self._occupancies._locked_rooms())
            if conn.dialect.name == "postgresql"
            else ()
        )
        if not rooms:
            row = self._one(_STAFF_AND_HOTEL, key=staff_id)
        else:
            rows = self._all(_STAFF_HOTEL_AND_TASKS, key=staff_id, rooms=rooms)
            row = rows[0] if rows else None
            if row is not None:
                self._tasks._read_with(rooms, rows)
        if row is None:
            return None
        self._hotels._read_with(mapping.hotel_of_staff(row))
        return mapping.staff(row)

    def add(self, member: Staff) -> None:
        self._insert(staff, [mapping.plain(member)])

    def update(self, member: Staff) -> None:
        self._update(_UPDATE_STAFF, staff, member.staff_id, mapping.plain(member, "staff_id"))


class Bookings(_Repository):
    """Bookings. In a write transaction a booking is read locked, once: the transaction
    keeps it (as it last wrote it) until it ends."""

    def __init__(self, uow: Transaction) -> None:
        super().__init__(uow)
        self._kept: dict[str, Booking] = {}  # locked in this write transaction

    def get(self, booking_id: str) -> Booking | None:
        kept = self._kept.get(booking_id) if self._uow.writing else None
        if kept is not None:
            return kept
        return self._read(
            self._query(_BOOKING, _BOOKING_LOCKED, _BOOKING_LOCKED_NOWAIT), booking_id
        )

    def held_by(self, room_id: str) -> Booking | None:
        """The booking ``room_id``'s occupancy record holds (None if it holds none, or there
        is no such room), locked in a write transaction. For taking the booking's lock
        before the room's, in the canonical order (see the module's documentation): the
        caller then locks the room and checks it still holds this booking."""
        return self._read(self._query(*_HELD_BY), room_id)

    def _query(self, plain: Prepared, locked: Prepared, nowait: Prepared) -> Prepared:
        query: Prepared = self._locked(plain, locked)
        if query is locked and self._holds(occupancies):
            return nowait  # out of the canonical order: never wait
        return query

    def _read(self, query: Prepared, key: str) -> Booking | None:
        rows = self._all(query, key=key)
        if not rows:
            return None
        booking_id = rows[0]["booking_id"]
        booking = mapping.bookings(rows)[booking_id]
        if self._uow.writing:  # locked
            self._remember(bookings, booking_id, rows[0])
            self._kept[booking_id] = booking
        return booking

    def guest_ids_taken(self, booking_guest_ids: Collection[str]) -> set[str]:
        return set(self.party_owners(booking_guest_ids))

    def party_owners(self, booking_guest_ids: Collection[str]) -> Mapping[str, str]:
        if not booking_guest_ids:
            return {}
        rows = _PARTY_OWNERS.rows(self._conn, {"ids": list(booking_guest_ids)})
        return {str(row["booking_guest_id"]): str(row["booking_id"]) for row in rows}

    def add(self, booking: Booking) -> None:
        self._insert(bookings, [mapping.booking_row(booking)])
        self._insert(booking_guests, mapping.party_rows(booking))

    def update(self, booking: Booking) -> None:
        # only the booking row: its party changes through set_party
        values = mapping.booking_row(booking)
        del values["booking_id"]
        self._update(_UPDATE_BOOKING, bookings, booking.booking_id, values)
        kept = self._kept.get(booking.booking_id)
        if kept is not None:
            self._kept[booking.booking_id] = replace(booking, party=kept.party)

    def set_party(self, booking: Booking) -> None:
        """Two statements whatever the party's size: every member of the booking leaves
        its place (so that no two share one while they move: positions are unique per
        booking), then one executemany puts each member of ``booking.party`` at its
        place, inserting the new ones and attaching again those taken out before."""
        conn = self._conn
        rows = mapping.party_rows(booking)
        place = _PLACE_MEMBERS.get(conn.dialect.name)
        _DETACH_PARTY.run(conn, {"key": booking.booking_id})
        if not rows:  # no party (the services refuse one): every member taken out
            pass
        elif place is not None:
            conn.execute(place, rows)
        else:  # a database without INSERT ... ON CONFLICT: which are stored, then each kind
            stored = self.party_owners([row["booking_guest_id"] for row in rows])
            known = [
                {**row, "key": row["booking_guest_id"]}
                for row in rows
                if stored.get(row["booking_guest_id"]) == booking.booking_id
            ]
            new = [row for row in rows if row["booking_guest_id"] not in stored]
            if known:
                conn.execute(_PUT_MEMBER, known)
            if new:
                self._insert(booking_guests, new)
        kept = self._kept.get(booking.booking_id)
        if kept is not None:
            self._kept[booking.booking_id] = replace(kept, party=booking.party)

    def arrivals(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        return self._stays(_ARRIVALS, hotel=hotel_id, day=day)

    def departures(self, hotel_id: str, day: date) -> Sequence[StayRow]:
        return self._stays(_DEPARTURES, hotel=hotel_id, day=day)

    def in_house(self, hotel_id: str) -> Sequence[StayRow]:
        return self._stays(_IN_HOUSE_STAYS, hotel=hotel_id)

    def _stays(self, query: Prepared, **parameters: Any) -> list[StayRow]:
        return [mapping.stay_row(row) for row in self._all(query, **parameters)]

    def _end_transaction(self) -> None:  # called by the unit of work
        self._kept.clear()


class Occupancies(_Repository):
    """Occupancy records. In a write transaction a record is read locked, once: the
    transaction keeps it (as it last wrote it) until it ends."""

    def __init__(self, uow: Transaction, rooms: Rooms) -> None:
        super().__init__(uow)
        self._rooms = rooms
        self._kept: dict[str, RoomOccupancy] = {}  # locked in this write transaction
        self._holders_kept: set[str] = set()  # bookings whose holding record is kept

    def get(self, room_id: str) -> RoomOccupancy | None:
        kept = self._kept.get(room_id) if self._uow.writing else None
        if kept is not None:
            return kept
        return self._read(self._one(self._locked(_OCCUPANCY, _OCCUPANCY_LOCKED), key=room_id))

    def _locked_rooms(self) -> Collection[str]:
        """The rooms whose records this write transaction has locked (none outside one)."""
        return self._kept.keys() if self._uow.writing else ()

    def for_booking(self, booking_id: str) -> RoomOccupancy | None:
        if self._uow.writing and booking_id in self._holders_kept:
            return next((o for o in self._kept.values() if o.holds(booking_id)), None)
        return self._read(self._one(self._locked(_HELD, _HELD_LOCKED), key=booking_id))

    def lock(
        self, room_ids: Collection[str], *, holding: Collection[str] = ()
    ) -> dict[str, RoomOccupancy]:
        """The occupancy records of ``room_ids`` and those holding the bookings
        ``holding``, by room id, locked in one statement in ascending ``room_id`` (the
        canonical order between occupancy records): an operation locking all its records
        with one call never deadlocks with another doing the same. Lock the bookings
        first (``holding``'s holders are only certain while their bookings are locked).
        Later ``get`` and ``for_booking`` calls for them in the transaction send nothing.
        Outside a write transaction it reads them, without locks."""
        writing = self._uow.writing
        wanted = sorted(set(room_ids) - set(self._kept)) if writing else sorted(set(room_ids))
        holders = sorted(set(holding) - self._holders_kept) if writing else sorted(set(holding))
        found: dict[str, RoomOccupancy] = {}
        if wanted or holders:
            query = _ROOMS_AND_HOLDERS_LOCKED if writing else _ROOMS_AND_HOLDERS_READ
            for row in self._all(query, ids=wanted, bookings=holders):
                occupancy = self._read(row)
                assert occupancy is not None
                found[occupancy.room_id] = occupancy
                self._rooms._read_with(mapping.room_of_occupancy(row))
            if writing:
                self._holders_kept.update(holders)
        if writing:
            held = set(holding)
            for occupancy in self._kept.values():
                if (
                    occupancy.room_id in room_ids
                    or occupancy.booking_id in held
                    or occupancy.arriving_booking_id in held
                ):
                    found[occupancy.room_id] = occupancy
        return found

    def for_hotel(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        """Every occupancy record of the hotel, in ascending ``room_id``, in one statement:
        in a write transaction locked in that order (the canonical one) and kept, with the
        bookings they hold, so that later ``get``, ``for_booking`` and ``lock`` calls for
        them send nothing. (A record the transaction already keeps is read again: the
        database holds what the transaction last wrote.)"""
        query = self._locked(_OCCUPANCIES_OF_HOTEL_READ, _OCCUPANCIES_OF_HOTEL_LOCKED)
        found: list[RoomOccupancy] = []
        for row in self._all(query, key=hotel_id):
            occupancy = self._read(row)
            assert occupancy is not None
            found.append(occupancy)
        if self._uow.writing:  # a booking held by a locked record can be held by no other
            self._holders_kept.update(
                booking_id
                for occupancy in found
                for booking_id in (occupancy.booking_id, occupancy.arriving_booking_id)
                if booking_id is not None
            )
        return found

    def _read(self, row: Mapping[Any, Any] | None) -> RoomOccupancy | None:
        if row is None:
            return None
        occupancy = mapping.occupancy(row)
        if self._uow.writing:  # locked
            self._remember(occupancies, row["room_id"], row)
            self._kept[occupancy.room_id] = occupancy
        return occupancy

    def board(self, hotel_id: str) -> Sequence[BoardRow]:
        # A hotel's whole board in one query. It is sent as the SQL text SQLAlchemy
        # compiled for this database to the driver's cursor (driver.read_rows), so the
        # rows come back as the driver gives them, without a result processor per value
        # (a third less time for 10,000 rooms) or a SQLAlchemy Row per row (about 6 ms).
        conn = self._conn
        placement = (conn.dialect.name, schema_of(conn))  # the tables' schema is in the text
        compiled = _BOARD_COMPILED.get(placement)
        if compiled is None:
            translate = conn.get_execution_options().get("schema_translate_map")
            compiled = _BOARD.compile(
                dialect=conn.dialect,
                schema_translate_map=translate,
                render_schema_translate=bool(translate),
            )
            _BOARD_COMPILED[placement] = compiled
        values = compiled.construct_params({"hotel": hotel_id})
        parameters: Any = (
            tuple(values[name] for name in compiled.positiontup or ())
            if compiled.positional
            else values
        )
        return read_rows(conn, compiled.string, parameters, mapping.board_rows)

    def add(self, occupancy: RoomOccupancy) -> None:
        self._insert(occupancies, [mapping.plain(occupancy)])

    def update(self, occupancy: RoomOccupancy) -> None:
        values = mapping.plain(occupancy, "room_id")
        self._update(_UPDATE_OCCUPANCY, occupancies, occupancy.room_id, values)
        if occupancy.room_id in self._kept:
            self._kept[occupancy.room_id] = occupancy

    def update_many(self, records: Sequence[RoomOccupancy]) -> None:
        """One executemany for all of them (the night audit's bulk write), each row written
        whole (an executemany has one column set); what the transaction keeps follows."""
        if not records:
            return
        rows = self._update_many(occupancies, "room_id", records)
        if rows:
            _UPDATE_OCCUPANCY.run_many(self._conn, rows)
        for occupancy in records:
            if occupancy.room_id in self._kept:
                self._kept[occupancy.room_id] = occupancy

    def _end_transaction(self) -> None:  # called by the unit of work
        self._kept.clear()
        self._holders_kept.clear()


class Guests(_Repository):
    def get(self, guest_id: str) -> Guest | None:
        # locked in a write transaction: a device token written from a stale read could
        # otherwise undo a checkout that committed in between (PostgreSQL)
        row = self._one(self._locked(_GUEST, _GUEST_LOCKED), key=guest_id)
        return mapping.guest(row) if row else None

    def for_booking(self, booking_id: str) -> Sequence[Guest]:
        found = [mapping.guest(row) for row in self._all(_GUESTS_OF_BOOKING, key=booking_id)]
        if self._uow.writing:  # which of them hold a device token, to scrub it when cleared
            self._uow.tokens_read.update(g.guest_id for g in found if g.device_token)
        return found

    def pins_in_use(self, hotel_id: str, pins: Collection[str]) -> set[str]:
        rows = _PINS_IN_USE.rows(self._conn, {"hotel": hotel_id, "pins": list(pins)})
        return {row["id_pin"] for row in rows if row["id_pin"] is not None}

    def find_by_pin(self, hotel_id: str, pin: str) -> Guest | None:
        row = self._one(_GUEST_BY_PIN, hotel=hotel_id, pin=pin)
        return mapping.guest(row) if row else None

    def add_many(self, new: Sequence[Guest]) -> None:
        if new:  # one executemany, the primary guest first: companions point at it
            self._insert(guests, [mapping.plain(g) for g in new])

    def update_many(self, changed: Sequence[Guest]) -> None:
        held = self._uow.tokens_read
        if any(g.device_token is None and g.guest_id in held for g in changed):
            self._uow.scrub_after_commit = True
        if changed:  # one executemany, whatever the party size
            _UPDATE_GUEST.run_many(
                self._conn, [{**mapping.plain(g, "guest_id"), "key": g.guest_id} for g in changed]
            )

    def remove_many(self, guest_ids: Collection[str]) -> None:
        if self._uow.tokens_read.intersection(guest_ids):
            self._uow.scrub_after_commit = True
        if guest_ids:  # companions first (they reference the primary guest)
            _DELETE_COMPANIONS.run(self._conn, {"ids": list(guest_ids)})
            _DELETE_GUESTS.run(self._conn, {"ids": list(guest_ids)})


class Tasks(_Repository):
    """Housekeeping tasks. A room's open tasks, read in a write transaction that holds the
    room's occupancy record, are kept until it ends (no other transaction changes them
    before: they are guarded by that record), as the transaction writes them: a later
    ``open_for_room`` sends nothing. Read along with the staff member
    (:meth:`StaffMembers.get`), they cost no statement of their own. Whatever the keep
    cannot follow exactly (a bulk write, a task older than one kept) makes it forget the
    room: the next call reads it."""

    def __init__(self, uow: Transaction) -> None:
        super().__init__(uow)
        self._open: dict[str, list[HousekeepingTask]] = {}  # by room, oldest first

    def open_for_room(self, room_id: str) -> Sequence[HousekeepingTask]:
        kept = self._open.get(room_id) if self._uow.writing else None
        if kept is not None:
            return list(kept)
        return [self._read(row) for row in self._all(_OPEN_TASKS_OF_ROOM, key=room_id)]

    def _read(self, row: Mapping[Any, Any]) -> HousekeepingTask:
        """The task of ``row``, an open task of a room whose record is locked."""
        self._remember(tasks, row["task_id"], row)  # guarded by the room's locked record
        return mapping.task(row)

    def _unread(self, rooms: Collection[str]) -> list[str]:
        """Of ``rooms`` (locked in this write transaction), those whose open tasks are not
        kept; none if there are more than :data:`_TASKS_WITH_STAFF` of them."""
        unread = sorted(r for r in rooms if r not in self._open)
        return unread if len(unread) <= _TASKS_WITH_STAFF else []

    def _read_with(self, rooms: Sequence[str], rows: Sequence[Mapping[Any, Any]]) -> None:
        """Keep the open tasks of the locked ``rooms``, read in ``rows`` (columns labelled
        ``task_<name>``, oldest first; a row without a task is the staff member alone)."""
        for room_id in rooms:
            self._open[room_id] = []
        for row in rows:
            if row["task_task_id"] is None:
                continue
            task = self._read({name: row[label] for label, name in _TASK_LABELS})
            self._open[task.room_id].append(task)

    def _follow(self, task: HousekeepingTask) -> None:
        """Keep what the transaction wrote (added or updated) of a room whose open tasks
        are kept."""
        for room_id, other in list(self._open.items()):  # a task given another room
            if room_id != task.room_id and any(t.task_id == task.task_id for t in other):
                del self._open[room_id]
        kept = self._open.get(task.room_id)
        if kept is None:
            return
        at = next((i for i, t in enumerate(kept) if t.task_id == task.task_id), None)
        if at is None:  # added, or open again
            if not task.status.is_open:
                return
            if any(t.created_at >= task.created_at for t in kept):
                # its place among equal times is the database's collation's to say
                del self._open[task.room_id]
            else:
                kept.append(task)
        elif kept[at].created_at != task.created_at:  # moved in the order
            del self._open[task.room_id]
        elif task.status.is_open:
            kept[at] = task
        else:
            del kept[at]

    def _forget(self, changed: Iterable[HousekeepingTask]) -> None:
        """Forget the kept open tasks of the rooms of ``changed``."""
        for task in changed:
            self._open.pop(task.room_id, None)

    def _end_transaction(self) -> None:  # called by the unit of work
        self._open.clear()

    def open_for_hotel(self, hotel_id: str) -> Sequence[HousekeepingTask]:
        return [mapping.task(row) for row in self._all(_OPEN_TASKS_OF_HOTEL, key=hotel_id)]

    def get(self, task_id: str) -> HousekeepingTask | None:
        row = self._one(_TASK, key=task_id)
        return mapping.task(row) if row else None

    def add(self, task: HousekeepingTask) -> None:
        self._insert(tasks, [mapping.plain(task)])
        self._follow(task)

    def update(self, task: HousekeepingTask) -> None:
        self._update(_UPDATE_TASK, tasks, task.task_id, mapping.plain(task, "task_id"))
        self._follow(task)

    def add_many(self, new: Sequence[HousekeepingTask]) -> None:
        if new:  # one executemany, whatever their number
            self._insert(tasks, [mapping.plain(t) for t in new])
            self._forget(new)

    def update_many(self, changed: Sequence[HousekeepingTask]) -> None:
        rows = self._update_many(tasks, "task_id", changed) if changed else []
        if rows:  # one executemany
            _UPDATE_TASK.run_many(self._conn, rows)
        self._forget(changed)


class Log(_Repository):
    def append(self, drafts: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
        if not drafts:
            return ()
        rows = [mapping.entry_row(d) for d in drafts]
        conn = self._conn
        if len(rows) == 1 and conn.dialect.name == "sqlite":  # the driver's last row id
            _, last = _APPEND_ONE.run(conn, rows[0])
            ids = [last]
        elif len(rows) == 1:  # RETURNING
            ids = [_APPEND_ONE_RETURNING.rows(conn, rows[0])[0]["id"]]
        elif len(rows) <= _APPEND_BATCH:
            # One INSERT of every row. Both databases insert the rows of a VALUES list in
            # its order, each taking the next id of the log's sequence (SQLite: the next
            # rowid, under the database's only write lock; PostgreSQL: nextval, which
            # never goes back), whatever order RETURNING gives them back in: sorted, the
            # ids are the rows' in order.
            values = {f"{k}_{i}": v for i, row in enumerate(rows) for k, v in row.items()}
            ids = sorted(r["id"] for r in _APPEND_ROWS[len(rows)].rows(conn, values))
        elif self._conn.dialect.name == "sqlite":
            # RETURNING in parameter order makes SQLAlchemy send one INSERT per row on
            # SQLite; a night audit writes one entry per room. The ids returned, sorted,
            # are the rows' in order (as above).
            ids = sorted(self._conn.execute(_APPEND_UNORDERED, rows).scalars())
        else:
            ids = list(self._conn.execute(_APPEND, rows).scalars())
        return tuple(replace(d, id=i) for d, i in zip(drafts, ids, strict=True))

    def for_room(self, room_id: str) -> Sequence[LogEntry]:
        return mapping.entries(self._all(_LOG_OF_ROOM, key=room_id))

    def for_booking(self, booking_id: str) -> Sequence[LogEntry]:
        return mapping.entries(self._all(_LOG_OF_BOOKING, key=booking_id))

    def for_request(self, request_id: str) -> Sequence[LogEntry]:
        return mapping.entries(self._all(_LOG_OF_REQUEST, key=request_id))


class Requests(_Repository):
    """Used request ids. On PostgreSQL, looking one up in a write transaction first takes
    a transaction-scoped advisory lock on it (keyed by a 64-bit hash of the id), in a
    statement of its own: two concurrent calls with the same ``request_id`` (a
    double-click) are then serialised, and the second one's lookup, taking its snapshot
    once the first has committed or rolled back, sees the first one's record and replays
    its entries, or finds none and proceeds. Without it, under READ COMMITTED, the second
    lookup would run before the first commits, find nothing, wait for the first's row
    locks, and be refused by the state the first left (RoomNotOccupied...). Calls with
    different ids never wait for each other (a hash collision only makes two wait). SQLite
    needs nothing: its write transactions hold the write lock from BEGIN."""

    def get(self, request_id: str) -> RequestRecord | None:
        if self._uow.writing and self._conn.dialect.name == "postgresql":
            key = lock_name(schema_of(self._conn), request_id)  # the schema's own lock space
            self._conn.execute(_LOCK_REQUEST, {"key": key})
        row = self._one(_REQUEST, key=request_id)
        return mapping.request(row) if row else None

    def add(self, record: RequestRecord) -> None:
        self._insert(requests, [mapping.plain(record)])


class NightAudits(_Repository):
    """The night audits done (§10). On PostgreSQL, :meth:`claim` in a write transaction
    first takes a transaction-scoped advisory lock on the hotel
    (``pg_advisory_xact_lock(AUDIT_LOCKS, hashtext(hotel_id))``, see
    :data:`~hotel_occupancy.adapters.sqlalchemy.schema.AUDIT_LOCKS`), in a statement of its
    own, so that two audits of one hotel take turns: the second one's lookup, taking its
    snapshot once the first has ended, sees what it committed (under READ COMMITTED).
    Other hotels' audits and other operations never wait on it (a hash collision only
    makes two hotels' audits take turns). SQLite needs nothing: its write transactions
    hold the write lock from BEGIN. The primary key (hotel, business date) refuses a second
    audit of a day whatever happens: the unit of work raises it as ConcurrencyConflict."""

    def claim(self, hotel_id: str) -> NightAudit | None:
        if self._uow.writing and self._conn.dialect.name == "postgresql":
            key = lock_name(schema_of(self._conn), hotel_id)  # the schema's own lock space
            self._conn.execute(_LOCK_AUDITS, {"hotel": key})
        row = self._one(_LATEST_AUDIT, hotel=hotel_id)
        return mapping.night_audit(row) if row else None

    def get(self, hotel_id: str, business_date: date) -> NightAudit | None:
        row = self._one(_AUDIT, hotel=hotel_id, day=business_date)
        return mapping.night_audit(row) if row else None

    def add(self, audit: NightAudit) -> None:
        self._insert(night_audits, [mapping.plain(audit)])

    def entries(self, audit: NightAudit) -> Sequence[LogEntry]:
        """One SELECT of the hotel's NIGHT_AUDIT entries timed ``performed_at`` (by the
        index on (hotel_id, operation, timestamp)), of which those whose metadata names the
        audit's business date are kept."""
        day = audit.business_date.isoformat()
        found = self._all(_AUDIT_ENTRIES, hotel=audit.hotel_id, at=audit.performed_at)
        return [e for e in mapping.entries(found) if e.metadata.get("business_date") == day]


__all__ = [
    "Bookings",
    "Guests",
    "Hotels",
    "Log",
    "NightAudits",
    "Occupancies",
    "Requests",
    "Rooms",
    "StaffMembers",
    "Tasks",
]
