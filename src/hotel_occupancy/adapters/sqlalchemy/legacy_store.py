"""The legacy import's repository on the SQLAlchemy adapter (§12): bulk writes of taken-over
rows and the record of which hotels came from a legacy database.

:meth:`LegacyImports.write` sends one ``executemany`` per table per call, whatever the
number of rows, in the order the foreign keys need (hotels, staff, rooms, bookings, their
party, occupancy records, guests, tasks, log entries). An id already taken (a unique
violation) is :class:`~hotel_occupancy.domain.errors.AlreadyRegistered`; the transaction
must then be rolled back (PostgreSQL has aborted it; SQLite keeps the rows written before
the failing one until it rolls back).

Speed. The few reference rows of a hotel (hotels, staff, rooms, occupancy records) go
through SQLAlchemy Core, their row dicts built by the same mapping functions as the
repositories' ``add``. The bulk (bookings, party, guests, tasks, log entries: about ten
rows per legacy booking) skips SQLAlchemy's per-row parameter processing: each table's
INSERT is written once per dialect (:class:`_Bulk`), each row is a plain tuple of values
already converted as SQLAlchemy's column types would bind them (:func:`_sqlite_utc`,
:func:`_sqlite_day` on SQLite; aware UTC datetimes and dates on PostgreSQL), and the rows
go to the driver's ``executemany`` through ``Connection.exec_driver_sql`` (so the
connection's events and error translation still apply). The tests hold these values to
what SQLAlchemy itself binds.

On SQLite, the import's write transaction also runs with a bigger page cache
(:data:`SQLITE_IMPORT_CACHE_KIB`): a hotel's indexes outgrow the default 2 MiB cache
after a few thousand bookings. The connection's own setting is restored when the
transaction ends (commit or rollback).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam, event, insert, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hotel_occupancy.adapters.sqlalchemy import mapping
from hotel_occupancy.adapters.sqlalchemy.errors import already_taken
from hotel_occupancy.adapters.sqlalchemy.repositories import (
    Hotels,
    Tasks,
    Transaction,
    bookings_query,
)
from hotel_occupancy.adapters.sqlalchemy.schema import (
    booking_guests,
    bookings,
    guests,
    hotels,
    legacy_handovers,
    legacy_hotels,
    log,
    occupancies,
    rooms,
    schema_of,
    staff,
    tasks,
)
from hotel_occupancy.domain.legacy import LegacyHotelRecord, Owner, TakenOver
from hotel_occupancy.domain.model import Booking, Guest, HousekeepingTask, LogEntry, RoomOccupancy
from hotel_occupancy.domain.side_by_side import Handover

__all__ = ["SQLITE_IMPORT_CACHE_KIB", "LegacyImports"]

SQLITE_IMPORT_CACHE_KIB = 64 * 1024
"""The SQLite page cache (KiB) of the import's write transactions (the default is 2 MiB)."""

_INSERT = {table: insert(table) for table in (hotels, staff, rooms, occupancies)}
_RECORD = select(legacy_hotels).where(legacy_hotels.c.hotel_id == bindparam("key"))
_RECORDS = select(legacy_hotels).order_by(legacy_hotels.c.hotel_id)
_HOTEL_OCCUPANCIES = (
    select(occupancies)
    .where(occupancies.c.hotel_id == bindparam("key"))
    .order_by(occupancies.c.room_id)
)
_HOTEL_BOOKINGS = bookings_query().where(bookings.c.hotel_id == bindparam("key"))
_TASKS_BY_ID = select(tasks).where(tasks.c.task_id.in_(bindparam("keys", expanding=True)))
_BOOKING_IDS = (
    select(bookings.c.booking_id)
    .where(bookings.c.hotel_id == bindparam("key"))
    .order_by(bookings.c.booking_id)
)
_HANDOVERS = (
    select(legacy_handovers)
    .where(legacy_handovers.c.hotel_id == bindparam("key"))
    .order_by(legacy_handovers.c.id)
)


def _upsert(dialect: Any) -> Insert:
    """INSERT a legacy hotel record, replacing the one of the same hotel (one statement)."""
    statement = dialect.insert(legacy_hotels)
    replaced = {c.name: statement.excluded[c.name] for c in legacy_hotels.c if c.name != "hotel_id"}
    upsert: Insert = statement.on_conflict_do_update(index_elements=["hotel_id"], set_=replaced)
    return upsert


_SAVE = {"sqlite": _upsert(sqlite), "postgresql": _upsert(postgresql)}
_DELETE_RECORD = legacy_hotels.delete().where(legacy_hotels.c.hotel_id == bindparam("key"))

# --- values as the column types bind them ---------------------------------------------------


def _naive(value: datetime) -> ValueError:
    return ValueError(f"naive datetime {value!r} cannot be stored")


def _sqlite_utc(value: datetime | None) -> str | None:
    """A UTCDateTime value as SQLite stores it: UTC, ISO text with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            raise _naive(value)
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:-6]  # without its "+00:00"


def _sqlite_day(value: date | None) -> str | None:
    """A Date value as SQLite stores it: ``YYYY-MM-DD`` (a datetime gives its date)."""
    return None if value is None else date.isoformat(value)


def _postgresql_utc(value: datetime | None) -> datetime | None:
    """A UTCDateTime value as psycopg is given it: aware UTC."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.utcoffset() is None:
            raise _naive(value)
        value = value.astimezone(UTC)
    return value


def _same_day(value: date | None) -> date | None:
    return value


# the metadata text mapping.entry_row writes: sorted keys, no spaces
_metadata_text = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _enum(value: Any) -> Any:
    return None if value is None else value.value


# --- the bulk tables ----------------------------------------------------------------------------

Utc = Callable[[datetime | None], Any]
Day = Callable[[date | None], Any]


def _booking_rows(items: Sequence[Booking], utc: Utc, day: Day) -> list[tuple[Any, ...]]:
    return [
        (
            b.booking_id,
            b.hotel_id,
            b.reference,
            day(b.arrival),
            day(b.departure),
            utc(b.checked_in_at),
            utc(b.checked_out_at),
            utc(b.moved_at),
            utc(b.cancelled_at),
            b.cancelled_by,
            utc(b.no_show_at),
            b.no_show_by,
            utc(b.queued_at),
        )
        for b in items
    ]


def _party_rows(items: Sequence[Booking], utc: Utc, day: Day) -> list[tuple[Any, ...]]:
    return [
        (m.booking_guest_id, b.booking_id, position, m.first_name, m.last_name)
        for b in items
        for position, m in enumerate(b.party)
    ]


def _guest_rows(items: Sequence[Guest], utc: Utc, day: Day) -> list[tuple[Any, ...]]:
    return [
        (
            g.guest_id,
            g.hotel_id,
            g.booking_id,
            g.booking_guest_id,
            g.guest_type.value,
            g.primary_guest_id,
            g.first_name,
            g.last_name,
            day(g.check_in_date),
            day(g.check_out_date),
            g.id_pin,
            g.device_token,
        )
        for g in items
    ]


def _task_rows(items: Sequence[HousekeepingTask], utc: Utc, day: Day) -> list[tuple[Any, ...]]:
    return [
        (
            t.task_id,
            t.hotel_id,
            t.room_id,
            t.kind.value,
            t.status.value,
            utc(t.created_at),
            utc(t.updated_at),
            t.created_by,
            t.assigned_to,
            t.booking_id,
            utc(t.started_at),
            utc(t.closed_at),
        )
        for t in items
    ]


def _entry_rows(items: Sequence[LogEntry], utc: Utc, day: Day) -> list[tuple[Any, ...]]:
    text = _metadata_text
    return [
        (
            e.hotel_id,
            e.room_id,
            e.operation.value,
            e.performed_by,
            e.booking_id,
            e.from_room_id,
            _enum(e.status_before),
            _enum(e.status_after),
            _enum(e.condition_before),
            _enum(e.condition_after),
            e.notes,
            text(dict(e.metadata)),
            utc(e.timestamp),
            e.request_id,
        )
        for e in items
    ]


class _Bulk:
    """How one table's rows are written in bulk: the column names (in the order of the
    tuples ``rows`` makes) and the INSERT, written once per dialect."""

    __slots__ = ("names", "rows", "statements", "table")

    def __init__(
        self,
        table: Table,
        names: Sequence[str],
        rows: Callable[[Any, Utc, Day], list[tuple[Any, ...]]],
    ) -> None:
        self.table = table
        self.names = tuple(names)
        self.rows = rows
        self.statements: dict[tuple[str, str | None], str] = {}

    def statement(self, conn: Connection) -> str:
        """``INSERT INTO t (a, b) VALUES (?, ?)`` in the dialect's quoting and positional
        parameter style, the table in the connection's schema if it has one (see
        :func:`~.engine.in_schema`)."""
        dialect = conn.dialect
        schema = schema_of(conn)
        found = self.statements.get((dialect.name, schema))
        if found is None:
            quote = dialect.identifier_preparer
            mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
            table = quote.format_table(self.table)
            if schema is not None:
                table = f"{quote.quote_schema(schema)}.{table}"
            found = (
                f"INSERT INTO {table} "
                f"({', '.join(quote.quote(n) for n in self.names)}) "
                f"VALUES ({', '.join([mark] * len(self.names))})"
            )
            self.statements[(dialect.name, schema)] = found
        return found


_BOOKINGS = _Bulk(
    bookings,
    ("booking_id", "hotel_id", "reference", "arrival", "departure", "checked_in_at",
     "checked_out_at", "moved_at", "cancelled_at", "cancelled_by", "no_show_at", "no_show_by",
     "queued_at"),
    _booking_rows,
)  # fmt: skip
_PARTY = _Bulk(
    booking_guests,
    ("booking_guest_id", "booking_id", "position", "first_name", "last_name"),
    _party_rows,
)
_GUESTS = _Bulk(
    guests,
    ("guest_id", "hotel_id", "booking_id", "booking_guest_id", "guest_type", "primary_guest_id",
     "first_name", "last_name", "check_in_date", "check_out_date", "id_pin", "device_token"),
    _guest_rows,
)  # fmt: skip
_TASKS = _Bulk(
    tasks,
    ("task_id", "hotel_id", "room_id", "kind", "status", "created_at", "updated_at",
     "created_by", "assigned_to", "booking_id", "started_at", "closed_at"),
    _task_rows,
)  # fmt: skip
_ENTRIES = _Bulk(
    log,  # without its id: the database numbers the entries in the order given
    ("hotel_id", "room_id", "operation", "performed_by", "booking_id", "from_room_id",
     "status_before", "status_after", "condition_before", "condition_after", "notes",
     "metadata", "timestamp", "request_id"),
    _entry_rows,
)  # fmt: skip
BULK = (_BOOKINGS, _PARTY, _GUESTS, _TASKS, _ENTRIES)
"""The bulk tables' writers (the tests compare their rows with SQLAlchemy's)."""

_CONVERTERS: dict[str, tuple[Utc, Day]] = {
    "sqlite": (_sqlite_utc, _sqlite_day),
    "postgresql": (_postgresql_utc, _same_day),
}


class LegacyImports:
    """:class:`~hotel_occupancy.services.ports.LegacyImportRepository` on SQLAlchemy."""

    def __init__(self, uow: Transaction, hotels: Hotels, tasks: Tasks) -> None:
        self._uow = uow
        self._hotels = hotels
        self._tasks = tasks

    def record(self, hotel_id: str) -> LegacyHotelRecord | None:
        row = self._uow.connection.execute(_RECORD, {"key": hotel_id}).first()
        return mapping.legacy_hotel(row._mapping) if row is not None else None

    def save(self, record: LegacyHotelRecord) -> None:
        conn = self._uow.connection
        values = mapping.plain(record)
        upsert = _SAVE.get(conn.dialect.name)
        if upsert is None:  # another database: two statements
            conn.execute(_DELETE_RECORD, {"key": record.hotel_id})
            upsert = insert(legacy_hotels)
        self._execute(conn, legacy_hotels, lambda: conn.execute(upsert, [values]), [values])

    def records(self) -> Sequence[LegacyHotelRecord]:
        rows = self._uow.connection.execute(_RECORDS)
        return [mapping.legacy_hotel(row._mapping) for row in rows]

    def occupancies(self, hotel_id: str) -> Sequence[RoomOccupancy]:
        rows = self._uow.connection.execute(_HOTEL_OCCUPANCIES, {"key": hotel_id})
        return [mapping.occupancy(row._mapping) for row in rows]

    def bookings(self, hotel_id: str) -> Sequence[Booking]:
        rows = self._uow.connection.execute(_HOTEL_BOOKINGS, {"key": hotel_id})
        return list(mapping.bookings(row._mapping for row in rows).values())

    def tasks(self, task_ids: Collection[str]) -> Mapping[str, HousekeepingTask]:
        found: dict[str, HousekeepingTask] = {}
        ids = list(task_ids)
        conn = self._uow.connection
        for start in range(0, len(ids), 500):  # under every database's parameter limit
            rows = conn.execute(_TASKS_BY_ID, {"keys": ids[start : start + 500]})
            found.update((row.task_id, mapping.task(row._mapping)) for row in rows)
        return found

    def booking_ids(self, hotel_id: str) -> Sequence[str]:
        return list(self._uow.connection.execute(_BOOKING_IDS, {"key": hotel_id}).scalars())

    def handovers(self, hotel_id: str) -> Sequence[Handover]:
        rows = self._uow.connection.execute(_HANDOVERS, {"key": hotel_id})
        return [Handover(r.hotel_id, Owner(r.owner), r.at, r.by, r.reason) for r in rows]

    def hand_over(self, handover: Handover) -> None:
        conn = self._uow.connection
        values = [mapping.plain(handover)]
        statement = insert(legacy_handovers)
        self._execute(conn, legacy_handovers, lambda: conn.execute(statement, values), values)

    def write(self, rows: TakenOver) -> None:
        conn = self._uow.connection
        converters = _CONVERTERS.get(conn.dialect.name)
        if conn.dialect.name == "sqlite":
            _bigger_cache(conn)
        plain = mapping.plain
        for table, values in (
            (hotels, [plain(h) for h in rows.hotels]),
            (staff, [plain(m) for m in rows.staff]),
            (rooms, [plain(r) for r in rows.rooms]),
        ):
            if values:
                self._core(conn, table, values)
        if rows.bookings:
            self._bulk(conn, _BOOKINGS, rows.bookings, converters)
            self._bulk(conn, _PARTY, rows.bookings, converters)
        if rows.occupancies:
            self._core(conn, occupancies, [plain(o) for o in rows.occupancies])
        if rows.guests:  # a primary before its companions
            self._bulk(conn, _GUESTS, rows.guests, converters)
        if rows.tasks:
            self._bulk(conn, _TASKS, rows.tasks, converters)
            self._tasks._forget(rows.tasks)  # (of rooms written here: none is kept)
        if rows.entries:
            self._bulk(conn, _ENTRIES, rows.entries, converters)
        # hotels never change: the transaction knows these (kept only if it commits)
        self._hotels._written(rows.hotels)

    def _core(self, conn: Connection, table: Table, values: list[dict[str, Any]]) -> None:
        statement = _INSERT[table]
        self._execute(conn, table, lambda: conn.execute(statement, values), values)

    def _bulk(
        self,
        conn: Connection,
        bulk: _Bulk,
        items: Sequence[Any],
        converters: tuple[Utc, Day] | None,
    ) -> None:
        if converters is None:  # another database: through SQLAlchemy's own binding
            values = self._dicts(bulk, items)
            self._execute(conn, bulk.table, lambda: conn.execute(insert(bulk.table), values))
            return
        tuples = bulk.rows(items, *converters)
        statement = bulk.statement(conn)
        self._execute(
            conn,
            bulk.table,
            lambda: conn.exec_driver_sql(statement, tuples),
            tuples,
            bulk.names,
        )

    @staticmethod
    def _dicts(bulk: _Bulk, items: Sequence[Any]) -> list[dict[str, Any]]:
        if bulk is _BOOKINGS:
            return [mapping.booking_row(b) for b in items]
        if bulk is _PARTY:
            return [member for b in items for member in mapping.party_rows(b)]
        if bulk is _ENTRIES:
            return [mapping.entry_row(e) for e in items]
        return [mapping.plain(item) for item in items]

    @staticmethod
    def _execute(
        conn: Connection,
        table: Table,
        run: Callable[[], object],
        values: Sequence[Any] = (),
        names: Sequence[str] = (),
    ) -> None:
        driver: Any = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        changes = driver.total_changes if driver is not None else 0
        try:
            run()
        except sa_exc.IntegrityError as error:
            failed = None
            if driver is not None:  # SQLite ran the rows one by one up to the failing one
                done = driver.total_changes - changes
                if 0 <= done < len(values):
                    row = values[done]
                    failed = row if isinstance(row, dict) else dict(zip(names, row, strict=True))
            taken = already_taken(error, table, failed)
            if taken is None:
                raise
            raise taken from error


# --- SQLite's page cache during an import ---------------------------------------------------------

_RAISED = "hotel_occupancy_legacy_cache"
"""The key, in the connection's ``info``, of the cache size to restore (set while raised)."""


def _bigger_cache(conn: Connection) -> None:
    """Raise the SQLite page cache for the rest of the transaction (once per transaction);
    its end restores the connection's setting."""
    info = conn.info
    if _RAISED in info:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB}")
    finally:
        cursor.close()
    info[_RAISED] = before

    def restore(conn: Connection) -> None:
        size = conn.info.pop(_RAISED, None)
        if size is not None:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(f"PRAGMA cache_size = {int(size)}")
            finally:
                cursor.close()

    event.listen(conn, "commit", restore, once=True)
    event.listen(conn, "rollback", restore, once=True)
