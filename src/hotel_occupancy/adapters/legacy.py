"""The legacy database (§12), read through SQLAlchemy Core: :class:`LegacySqlSource`.

It implements :class:`~hotel_occupancy.services.ports.LegacySource` on SQLite or PostgreSQL
and never writes: a SQLite file is opened read-only (``mode=ro``), a PostgreSQL transaction
is ``READ ONLY``. The legacy tables are :data:`legacy_metadata` (as ``schema.sql`` creates
them); the side-by-side phase writes through the same definitions.

Leniency. Legacy data is messy and reading it never raises: date, time, boolean and id
columns are fetched as raw values (SQLite: the stored value, through ``type_coerce``;
PostgreSQL: dates and times cast to text in ISO style, so even ``infinity`` or a year after
9999 reads) and parsed here. What cannot be read is None (a boolean: False) and the row gets
a sentence in its ``problems`` naming the column and the (shortened) raw value. Naive times
are in ``legacy_timezone``; every time comes out aware UTC. Text passes through (None is
``""``; NUL bytes are kept, the domain cleans them; undecodable bytes on SQLite are
replaced). ``guests_guest.id_pin`` is never selected, and a problem never quotes a text
column, so no token or PIN reaches a report.

Query strategy. The legacy tables have no index but their primary keys, so a query that
looks party, guest or task rows up by ``booking_id`` scans the whole table: doing that once
per batch makes an import quadratic. :meth:`LegacySqlSource.stays` (and ``open_stays``)
therefore runs four statements per hotel, started together (on SQLite they share one read
transaction; on PostgreSQL they run in one ``REPEATABLE READ`` transaction: one snapshot):
the hotel's bookings in id order (a primary-key scan), and the party, guest and task rows
joined to those bookings and sorted by booking id (one scan and one sort of each table per
hotel, done by the database, spilling to disk if it must). The four sorted streams are
fetched ``batch_size`` rows at a time (PostgreSQL: server-side cursors) and merge-joined
here, so memory holds about one batch, and the number of statements does not grow with
the hotel.
Tasks are read by keyset pagination on their primary key (``id > :last ORDER BY id
LIMIT :batch``: each page starts where the last ended).

On a SQLite file in rollback-journal mode (not WAL) the shared read lock of a hotel's
stream is held until the stream is consumed: the legacy application's writers wait for it
(WAL mode and PostgreSQL do not block writers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    cast,
    create_engine,
    exists,
    false,
    func,
    make_url,
    not_,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.elements import ColumnElement

from hotel_occupancy.domain.legacy import (
    ConflictKind,
    LegacyBooking,
    LegacyGuest,
    LegacyHotel,
    LegacyOrphan,
    LegacyPartyMember,
    LegacyRoom,
    LegacyStaff,
    LegacyStay,
    LegacyTask,
)

__all__ = [
    "EngineHolder",
    "LegacySqlSource",
    "bookingguest",
    "guest",
    "hotel",
    "housekeepingtask",
    "legacy_engine",
    "legacy_metadata",
    "legacy_zone",
    "room",
    "roombooking",
    "staff",
]

# --- the legacy tables (shared/legacy/schema.sql) ------------------------------------------

legacy_metadata = MetaData()
"""The legacy schema's tables: no indexes but the primary keys (and ``id_pin``'s unique)."""

hotel = Table(
    "hotel_hotel",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
)

staff = Table(
    "staff_staff",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("hotel_id", Integer, ForeignKey("hotel_hotel.id"), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("role", String(30), nullable=False),
    Column("is_active", Boolean, nullable=False, server_default=true()),
)

room = Table(
    "rooms_room",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("hotel_id", Integer, ForeignKey("hotel_hotel.id"), nullable=False),
    Column("room_number", String(20), nullable=False),
    Column("is_occupied", Boolean, nullable=False, server_default=false()),
    Column("room_status", String(20), nullable=False, server_default="READY_FOR_GUEST"),
    Column("guest_fcm_token", String(255), nullable=True),
    Column("cleaned_by_staff_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("inspected_by_staff_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("last_cleaned_at", DateTime(), nullable=True),
    Column("last_inspected_at", DateTime(), nullable=True),
)

roombooking = Table(
    "hotel_roombooking",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("hotel_id", Integer, ForeignKey("hotel_hotel.id"), nullable=False),
    Column("booking_id", String(50), nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("assigned_room_id", Integer, ForeignKey("rooms_room.id"), nullable=True),
    Column("checked_in_at", DateTime(), nullable=True),
    Column("checked_out_at", DateTime(), nullable=True),
    Column("room_assigned_at", DateTime(), nullable=True),
    Column("room_assigned_by_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("room_reassigned_at", DateTime(), nullable=True),
    Column("room_reassigned_by_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("room_unassigned_at", DateTime(), nullable=True),
    Column("room_unassigned_by_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("room_moved_at", DateTime(), nullable=True),
    Column("room_moved_by_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
)

bookingguest = Table(
    "hotel_bookingguest",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_id", Integer, ForeignKey("hotel_roombooking.id"), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("is_primary", Boolean, nullable=False, server_default=false()),
)

guest = Table(
    "guests_guest",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("hotel_id", Integer, ForeignKey("hotel_hotel.id"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms_room.id"), nullable=True),
    Column("booking_id", Integer, ForeignKey("hotel_roombooking.id"), nullable=True),
    Column("booking_guest_id", Integer, ForeignKey("hotel_bookingguest.id"), nullable=True),
    Column("primary_guest_id", Integer, ForeignKey("guests_guest.id"), nullable=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("guest_type", String(20), nullable=False),
    Column("check_in_date", Date, nullable=True),
    Column("check_out_date", Date, nullable=True),
    Column("id_pin", String(4), nullable=True, unique=True),  # never read
)

housekeepingtask = Table(
    "housekeeping_housekeepingtask",
    legacy_metadata,
    Column("id", Integer, primary_key=True),
    Column("hotel_id", Integer, ForeignKey("hotel_hotel.id"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms_room.id"), nullable=False),
    Column("booking_id", Integer, ForeignKey("hotel_roombooking.id"), nullable=True),
    Column("assigned_to_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("created_by_id", Integer, ForeignKey("staff_staff.id"), nullable=True),
    Column("task_type", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(), nullable=False),
)

# --- lenient parsing -----------------------------------------------------------------------

_SHOWN = 40
"""How many characters of an unreadable raw value a problem quotes."""

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _shown(raw: object) -> str:
    """A raw value for a problem sentence: quoted, shortened."""
    text = raw if isinstance(raw, str) else repr(raw)
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + "..."
    return repr(text) if isinstance(raw, str) else text


def _text(raw: object) -> str:
    """A text column: passed through (None is ``""``)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw).decode("utf-8", "replace")
    return str(raw)


def _optional_text(raw: object) -> str | None:
    return None if raw is None else _text(raw)


def _id(raw: object) -> int | None:
    """An integer id, or None if ``raw`` is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        stripped = raw.strip()
        if stripped and (stripped.isdigit() or (stripped[0] in "+-" and stripped[1:].isdigit())):
            return int(stripped)
    return None


class _Reader:
    """Parses one row's raw values, collecting a sentence per value it cannot read."""

    __slots__ = ("problems", "zone")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.problems: list[str] = []

    def ref(self, column: str, raw: object) -> int | None:
        """An id column (a reference): None stays None; junk is None, with a problem."""
        if raw is None or type(raw) is int:
            return raw
        value = _id(raw)
        if value is None:
            self.problems.append(f"{column} {_shown(raw)} is not an id; read as none")
        return value

    def flag(self, column: str, raw: object) -> bool:
        """A boolean column: 0/1, true/false, t/f, yes/no...; anything else is False."""
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str):
            word = raw.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        what = "missing" if raw is None else f"{_shown(raw)}, not a boolean"
        self.problems.append(f"{column} is {what}; read as false")
        return False

    def moment(self, column: str, raw: object, *, required: bool = False) -> datetime | None:
        """A date-and-time column as aware UTC (naive values are in the legacy zone)."""
        if raw is None:
            if required:
                self.problems.append(f"{column} is missing")
            return None
        try:
            if isinstance(raw, str):
                try:
                    value = datetime.fromisoformat(raw)
                except ValueError:
                    value = datetime.fromisoformat(raw.strip())
            elif isinstance(raw, datetime):
                value = raw
            elif isinstance(raw, date):
                value = datetime(raw.year, raw.month, raw.day)
            else:
                raise TypeError(type(raw).__name__)
            if value.tzinfo is None:
                if self.zone is UTC:
                    return value.replace(tzinfo=UTC)
                value = value.replace(tzinfo=self.zone)
            return value.astimezone(UTC)
        except (ValueError, TypeError, OverflowError):
            self.problems.append(f"{column} {_shown(raw)} is not a date and time; read as none")
            return None

    def day(self, column: str, raw: object, *, required: bool = False) -> date | None:
        """A date column (a date and time gives its date, as written)."""
        if raw is None:
            if required:
                self.problems.append(f"{column} is missing")
            return None
        if isinstance(raw, str):
            for text in (raw, raw.strip()):
                try:
                    return date.fromisoformat(text)
                except ValueError:
                    pass
                try:  # a date and time: its date, as written
                    return datetime.fromisoformat(text).date()
                except ValueError:
                    pass
        elif isinstance(raw, datetime):
            return raw.date()
        elif isinstance(raw, date):
            return raw
        self.problems.append(f"{column} {_shown(raw)} is not a date; read as none")
        return None

    def done(self) -> tuple[str, ...]:
        return tuple(self.problems)


# --- the source ----------------------------------------------------------------------------

_TABLES_WITH_HOTEL = (room, staff, roombooking, housekeepingtask)
"""Tables whose rows cannot exist without their hotel (guests are told apart below)."""


def _is_open(b: Table) -> ColumnElement[bool]:
    """A booking is *open*: not checked out, and assigned to a room or checked in. Judged
    on the raw columns, so a malformed non-null value counts as set in both directions."""
    return and_(
        b.c.checked_out_at.is_(None),
        or_(b.c.assigned_room_id.is_not(None), b.c.checked_in_at.is_not(None)),
    )


def legacy_zone(name: str) -> tzinfo:
    """The zone of a legacy database's naive times, by IANA name (ValueError if unknown)."""
    try:
        return UTC if name == "UTC" else ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown legacy time zone {name!r}") from error


def legacy_engine(url: str, *, read_only: bool) -> Engine:
    """An engine on the legacy database at ``url``. A SQLite file must exist
    (:class:`FileNotFoundError` otherwise: no legacy database is created by mistake), and
    with ``read_only`` is opened ``mode=ro``; a bare ``postgresql://`` URL uses psycopg 3."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed)
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValueError(
            f"the legacy database must be a SQLite file path, not {database or 'memory'!r}"
        )
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no legacy database at {path}")
    if not read_only:
        return create_engine(f"sqlite:///{path}")
    uri = path.as_uri() + "?mode=ro"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    # a pool of its own connections (not the one-per-thread pool of sqlite://): a stream
    # still being read and another read each have their own
    return create_engine("sqlite://", creator=connect, poolclass=QueuePool)


class EngineHolder:
    """Something over an engine it may have made: :meth:`close` disposes of the engine
    only then (one made elsewhere stays open). A context manager."""

    engine: Engine
    _owns_engine: bool = False

    def close(self) -> None:
        """Release the connections (of an engine :meth:`open` made; others stay open)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class LegacySqlSource(EngineHolder):
    """A legacy database on SQLite or PostgreSQL, read (never written) by the import.

    ``LegacySqlSource(engine, legacy_timezone="UTC", batch_size=2000)`` reads through an
    engine made elsewhere (closing the source leaves it open);
    :meth:`open` makes one from a URL (and :meth:`close` disposes of it). A context manager.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        legacy_timezone: str = "UTC",
        batch_size: int = 2000,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._zone = legacy_zone(legacy_timezone)
        self.engine = engine
        self.legacy_timezone = legacy_timezone
        self.batch_size = batch_size
        self._owns_engine = False
        self._sqlite = engine.dialect.name == "sqlite"
        self._streams = bool(engine.dialect.supports_server_side_cursors)

    @classmethod
    def open(
        cls, url: str, *, legacy_timezone: str = "UTC", batch_size: int = 2000
    ) -> LegacySqlSource:
        """A source on the database at ``url``. A SQLite file is opened read-only and must
        exist (:class:`FileNotFoundError` otherwise: nothing is created); a bare
        ``postgresql://`` URL uses psycopg 3."""
        engine = legacy_engine(url, read_only=True)
        try:
            source = cls(engine, legacy_timezone=legacy_timezone, batch_size=batch_size)
        except BaseException:
            engine.dispose()
            raise
        source._owns_engine = True
        return source

    # connections and statements -------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A connection for reading: on PostgreSQL a read-only REPEATABLE READ transaction
        (one snapshot for every statement) with ISO dates and UTC times as text; on SQLite
        undecodable text is replaced instead of raising."""
        with self.engine.connect() as conn:
            if self._sqlite:
                raw = conn.connection.dbapi_connection
                if isinstance(raw, sqlite3.Connection):
                    raw.text_factory = partial(str, encoding="utf-8", errors="replace")
            elif self.engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                conn.execute(
                    select(
                        func.set_config("DateStyle", "ISO, YMD", True),
                        func.set_config("TimeZone", "UTC", True),
                    )
                )
            try:
                yield conn
            finally:
                conn.rollback()

    def _raw(self, column: Column[Any]) -> ColumnElement[Any]:
        """How a column is selected so that reading it cannot raise in SQLAlchemy."""
        if column.primary_key:
            return column
        if self._sqlite:
            if isinstance(column.type, String):
                return column
            return type_coerce(column, String).label(column.name)
        if isinstance(column.type, DateTime | Date):
            return cast(column, Text).label(column.name)
        return column

    def _columns(self, table: Table, *names: str) -> list[ColumnElement[Any]]:
        return [self._raw(table.c[name]) for name in names]

    def _rows(self, conn: Connection, statement: Select[Any]) -> Iterator[Sequence[Any]]:
        """Execute now; fetch ``batch_size`` rows at a time (server-side where supported).

        Without server-side cursors (SQLite) the rows are the driver's own tuples, fetched
        from the DBAPI cursor: every column is selected raw (:meth:`_raw`: no type of it
        converts a value on the way out), so SQLAlchemy's Row objects would only add their
        cost. With them (PostgreSQL) SQLAlchemy's result is read, which has already
        buffered the first rows of the server-side cursor."""
        options = {"yield_per": self.batch_size} if self._streams else {}
        result = conn.execute(statement, execution_options=options)
        size = self.batch_size

        def rows() -> Iterator[Sequence[Any]]:
            try:
                if self._streams:
                    for part in result.partitions(size):
                        yield from part
                else:
                    cursor = result.cursor
                    while part := cursor.fetchmany(size):
                        yield from part
            finally:
                result.close()

        return rows()

    # reference rows ---------------------------------------------------------------------------

    def hotels(self) -> Sequence[LegacyHotel]:
        """Every hotel, by id."""
        with self._connect() as conn:
            rows = conn.execute(select(hotel.c.id, hotel.c.name).order_by(hotel.c.id)).all()
        return [LegacyHotel(id=int(r[0]), name=_text(r[1])) for r in rows]

    def room_hotels(self) -> Mapping[int, int]:
        """Every room's hotel, by room id (a room whose hotel id is no id is left out)."""
        return self._hotels_of(room)

    def staff_hotels(self) -> Mapping[int, int]:
        """Every staff member's hotel, by staff id."""
        return self._hotels_of(staff)

    def _hotels_of(self, table: Table) -> dict[int, int]:
        with self._connect() as conn:
            rows = conn.execute(
                select(table.c.id, self._raw(table.c.hotel_id)).order_by(table.c.id)
            ).all()
        out: dict[int, int] = {}
        for row_id, raw in rows:
            hotel_id = _id(raw)
            if hotel_id is not None:
                out[int(row_id)] = hotel_id
        return out

    def staff(self, hotel_id: int) -> Sequence[LegacyStaff]:
        """The hotel's staff, by id."""
        statement = (
            select(*self._columns(staff, "id", "first_name", "last_name", "role", "is_active"))
            .where(staff.c.hotel_id == hotel_id)
            .order_by(staff.c.id)
        )
        with self._connect() as conn:
            rows = conn.execute(statement).all()
        out = []
        for row_id, first, last, role, active in rows:
            reader = _Reader(self._zone)
            is_active = reader.flag("is_active", active)
            out.append(
                LegacyStaff(
                    id=int(row_id),
                    hotel_id=hotel_id,
                    first_name=_text(first),
                    last_name=_text(last),
                    role=_text(role),
                    is_active=is_active,
                    problems=reader.done(),
                )
            )
        return out

    def rooms(self, hotel_id: int) -> Sequence[LegacyRoom]:
        """The hotel's rooms, by id."""
        statement = (
            select(
                *self._columns(
                    room,
                    "id",
                    "room_number",
                    "is_occupied",
                    "room_status",
                    "guest_fcm_token",
                    "cleaned_by_staff_id",
                    "inspected_by_staff_id",
                    "last_cleaned_at",
                    "last_inspected_at",
                )
            )
            .where(room.c.hotel_id == hotel_id)
            .order_by(room.c.id)
        )
        with self._connect() as conn:
            rows = conn.execute(statement).all()
        out = []
        for (
            row_id,
            number,
            occupied,
            status,
            token,
            cleaned_by,
            inspected_by,
            cleaned,
            seen,
        ) in rows:
            reader = _Reader(self._zone)
            out.append(
                LegacyRoom(
                    id=int(row_id),
                    hotel_id=hotel_id,
                    room_number=_text(number),
                    is_occupied=reader.flag("is_occupied", occupied),
                    room_status=_text(status),
                    guest_fcm_token=_optional_text(token),
                    cleaned_by_staff_id=reader.ref("cleaned_by_staff_id", cleaned_by),
                    inspected_by_staff_id=reader.ref("inspected_by_staff_id", inspected_by),
                    last_cleaned_at=reader.moment("last_cleaned_at", cleaned),
                    last_inspected_at=reader.moment("last_inspected_at", seen),
                    problems=reader.done(),
                )
            )
        return out

    # bookings ---------------------------------------------------------------------------------

    _BOOKING_COLUMNS = (
        "id",
        "booking_id",
        "check_in",
        "check_out",
        "assigned_room_id",
        "checked_in_at",
        "checked_out_at",
        "room_assigned_at",
        "room_assigned_by_id",
        "room_reassigned_at",
        "room_reassigned_by_id",
        "room_unassigned_at",
        "room_unassigned_by_id",
        "room_moved_at",
        "room_moved_by_id",
    )
    _PARTY_COLUMNS = ("id", "first_name", "last_name", "is_primary")
    _GUEST_COLUMNS = (  # never id_pin
        "id",
        "hotel_id",
        "room_id",
        "booking_guest_id",
        "primary_guest_id",
        "first_name",
        "last_name",
        "guest_type",
        "check_in_date",
        "check_out_date",
    )

    def count_bookings(self, hotel_id: int) -> int:
        """How many bookings the hotel has (open or not)."""
        with self._connect() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(roombooking)
                .where(roombooking.c.hotel_id == hotel_id)
            ).scalar_one()
        return int(count)

    def open_stays(self, hotel_id: int) -> Sequence[LegacyStay]:
        """The hotel's open bookings (not checked out, assigned to a room or checked in),
        by id, each with its party and guest rows."""
        with self._connect() as conn:
            return list(self._stays(conn, hotel_id, opened=True))

    def stays(self, hotel_id: int) -> Generator[LegacyStay, None, None]:
        """The hotel's other bookings, by id, each with its party and guest rows: streamed,
        one batch in memory at a time."""
        with self._connect() as conn:
            yield from self._stays(conn, hotel_id, opened=False)

    def _stays(self, conn: Connection, hotel_id: int, *, opened: bool) -> Iterator[LegacyStay]:
        """Four sorted streams (bookings by id; party, guest and task rows by booking id,
        then id), all started before the first row is read, merge-joined on the booking id."""
        b, p, g, t = roombooking, bookingguest, guest, housekeepingtask
        which = and_(b.c.hotel_id == hotel_id, _is_open(b) if opened else not_(_is_open(b)))

        def naming(table: Table, *columns: ColumnElement[Any]) -> _Grouped:
            statement = (
                select(b.c.id, *columns)
                .select_from(table.join(b, b.c.id == table.c.booking_id))
                .where(which)
                .order_by(b.c.id, table.c.id)
            )
            return _Grouped(self._rows(conn, statement))

        bookings = self._rows(
            conn, select(*self._columns(b, *self._BOOKING_COLUMNS)).where(which).order_by(b.c.id)
        )
        party = naming(p, *self._columns(p, *self._PARTY_COLUMNS))
        guests = naming(g, *self._columns(g, *self._GUEST_COLUMNS))
        tasks = naming(t, self._raw(t.c.room_id))
        for row in bookings:
            booking = self._booking(row, hotel_id)
            task_rooms: dict[int, None] = {}
            for _, raw_room in tasks.take(booking.id):
                room_id = _id(raw_room)
                if room_id is not None:
                    task_rooms[room_id] = None
            yield LegacyStay(
                booking=booking,
                party=tuple(self._member(m) for m in party.take(booking.id)),
                guests=tuple(self._guest(r, hotel_id) for r in guests.take(booking.id)),
                task_rooms=tuple(task_rooms),
            )

    def _booking(self, row: Sequence[Any], hotel_id: int) -> LegacyBooking:
        (
            row_id,
            reference,
            check_in,
            check_out,
            assigned_room_id,
            checked_in_at,
            checked_out_at,
            assigned_at,
            assigned_by,
            reassigned_at,
            reassigned_by,
            unassigned_at,
            unassigned_by,
            moved_at,
            moved_by,
        ) = row
        r = _Reader(self._zone)
        return LegacyBooking(
            id=int(row_id),
            hotel_id=hotel_id,
            booking_id=_text(reference),
            check_in=r.day("check_in", check_in, required=True),
            check_out=r.day("check_out", check_out, required=True),
            assigned_room_id=r.ref("assigned_room_id", assigned_room_id),
            checked_in_at=r.moment("checked_in_at", checked_in_at),
            checked_out_at=r.moment("checked_out_at", checked_out_at),
            room_assigned_at=r.moment("room_assigned_at", assigned_at),
            room_assigned_by_id=r.ref("room_assigned_by_id", assigned_by),
            room_reassigned_at=r.moment("room_reassigned_at", reassigned_at),
            room_reassigned_by_id=r.ref("room_reassigned_by_id", reassigned_by),
            room_unassigned_at=r.moment("room_unassigned_at", unassigned_at),
            room_unassigned_by_id=r.ref("room_unassigned_by_id", unassigned_by),
            room_moved_at=r.moment("room_moved_at", moved_at),
            room_moved_by_id=r.ref("room_moved_by_id", moved_by),
            problems=r.done(),
        )

    def _member(self, row: Sequence[Any]) -> LegacyPartyMember:
        booking_id, row_id, first, last, primary = row
        r = _Reader(self._zone)
        return LegacyPartyMember(
            id=int(row_id),
            booking_id=int(booking_id),
            first_name=_text(first),
            last_name=_text(last),
            is_primary=r.flag("is_primary", primary),
            problems=r.done(),
        )

    def _guest(self, row: Sequence[Any], hotel_id: int) -> LegacyGuest:
        """A guest row of a booking of ``hotel_id`` (its own hotel id, if unreadable, is
        taken to be the booking's, with a problem)."""
        (
            booking_id,
            row_id,
            own_hotel,
            room_id,
            booking_guest_id,
            primary_guest_id,
            first,
            last,
            guest_type,
            check_in_date,
            check_out_date,
        ) = row
        r = _Reader(self._zone)
        guest_hotel = _id(own_hotel)
        if guest_hotel is None:
            r.problems.append(f"hotel_id {_shown(own_hotel)} is not an id; read as the booking's")
            guest_hotel = hotel_id
        return LegacyGuest(
            id=int(row_id),
            hotel_id=guest_hotel,
            first_name=_text(first),
            last_name=_text(last),
            guest_type=_text(guest_type),
            room_id=r.ref("room_id", room_id),
            booking_id=int(booking_id),
            booking_guest_id=r.ref("booking_guest_id", booking_guest_id),
            primary_guest_id=r.ref("primary_guest_id", primary_guest_id),
            check_in_date=r.day("check_in_date", check_in_date),
            check_out_date=r.day("check_out_date", check_out_date),
            problems=r.done(),
        )

    # tasks ------------------------------------------------------------------------------------

    def tasks(self, hotel_id: int) -> Generator[LegacyTask, None, None]:
        """The hotel's housekeeping tasks, by id, each with the hotel of the booking it
        names: keyset pages of ``batch_size`` on the primary key."""
        t, b = housekeepingtask, roombooking
        page = (
            select(
                *self._columns(
                    t,
                    "id",
                    "room_id",
                    "task_type",
                    "status",
                    "created_at",
                    "booking_id",
                    "assigned_to_id",
                    "created_by_id",
                ),
                self._raw(b.c.hotel_id).label("booking_hotel_id"),
            )
            .select_from(t.outerjoin(b, b.c.id == t.c.booking_id))
            .where(t.c.hotel_id == hotel_id)
            .order_by(t.c.id)
            .limit(self.batch_size)
        )
        last: int | None = None
        with self._connect() as conn:
            while True:
                statement = page if last is None else page.where(t.c.id > last)
                result = conn.execute(statement)
                rows = result.cursor.fetchall()  # raw columns: the driver's tuples will do
                result.close()
                for row in rows:
                    yield self._task(row, hotel_id)
                if len(rows) < self.batch_size:
                    return
                last = int(rows[-1][0])

    def _task(self, row: Sequence[Any], hotel_id: int) -> LegacyTask:
        (
            row_id,
            room_id,
            task_type,
            status,
            created_at,
            booking_id,
            assigned_to,
            created_by,
            booking_hotel,
        ) = row
        r = _Reader(self._zone)
        return LegacyTask(
            id=int(row_id),
            hotel_id=hotel_id,
            room_id=r.ref("room_id", room_id),
            task_type=_text(task_type),
            status=_text(status),
            created_at=r.moment("created_at", created_at, required=True),
            booking_id=r.ref("booking_id", booking_id),
            booking_hotel_id=_id(booking_hotel),
            assigned_to_id=r.ref("assigned_to_id", assigned_to),
            created_by_id=r.ref("created_by_id", created_by),
            problems=r.done(),
        )

    # orphans ----------------------------------------------------------------------------------

    def orphans(self) -> Generator[LegacyOrphan, None, None]:
        """Rows that belong to no hotel or booking, table by table, by id (anti-joins)."""
        dangling = ConflictKind.DANGLING_REFERENCE.value
        h, b, p, g = hotel, roombooking, bookingguest, guest
        with self._connect() as conn:
            for table in _TABLES_WITH_HOTEL:
                statement = (
                    select(table.c.id, self._raw(table.c.hotel_id))
                    .where(~exists().where(h.c.id == table.c.hotel_id))
                    .order_by(table.c.id)
                )
                for row_id, raw in self._rows(conn, statement):
                    yield LegacyOrphan(table.name, int(row_id), dangling, _names("hotel", raw))
            statement = (
                select(p.c.id, self._raw(p.c.booking_id))
                .where(~exists().where(b.c.id == p.c.booking_id))
                .order_by(p.c.id)
            )
            for row_id, raw in self._rows(conn, statement):
                yield LegacyOrphan(p.name, int(row_id), dangling, _names("booking", raw))
            # a guest whose booking exists is delivered with that booking's stay
            statement = (
                select(
                    g.c.id,
                    self._raw(g.c.hotel_id),
                    self._raw(g.c.booking_id),
                    exists().where(h.c.id == g.c.hotel_id).label("hotel_exists"),
                )
                .where(or_(g.c.booking_id.is_(None), ~exists().where(b.c.id == g.c.booking_id)))
                .order_by(g.c.id)
            )
            for row_id, raw_hotel, raw_booking, hotel_exists in self._rows(conn, statement):
                if raw_booking is not None:
                    yield LegacyOrphan(
                        g.name, int(row_id), dangling, _names("booking", raw_booking)
                    )
                elif not hotel_exists:
                    yield LegacyOrphan(g.name, int(row_id), dangling, _names("hotel", raw_hotel))
                else:
                    yield LegacyOrphan(
                        g.name,
                        int(row_id),
                        ConflictKind.GUEST_WITHOUT_BOOKING.value,
                        "names no booking",
                    )


class _Grouped:
    """A stream of rows sorted by their first column (a booking id), taken group by group
    in ascending order of that id."""

    __slots__ = ("_head", "_rows")

    def __init__(self, rows: Iterator[Sequence[Any]]) -> None:
        self._rows = rows
        self._head = next(rows, None)

    def take(self, key: int) -> list[Sequence[Any]]:
        """The rows of ``key`` (rows of smaller keys, which no caller asked for, are
        passed over)."""
        out: list[Sequence[Any]] = []
        head = self._head
        while head is not None and head[0] <= key:
            if head[0] == key:
                out.append(head)
            head = next(self._rows, None)
        self._head = head
        return out


def _names(what: str, raw: object) -> str:
    """The detail of a dangling reference."""
    if raw is None:
        return f"names no {what}"
    return f"names {what} {_shown(raw)}, which does not exist"
