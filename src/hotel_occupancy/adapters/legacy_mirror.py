"""The legacy database the mirror writes (§12, side by side): :class:`LegacySqlTarget`.

It implements :class:`~hotel_occupancy.services.ports.LegacyMirrorTarget` on SQLite or
PostgreSQL with SQLAlchemy Core, through the legacy tables of
:data:`~hotel_occupancy.adapters.legacy.legacy_metadata`, and keeps its own bookkeeping in
the same database (:data:`mirror_metadata`), so that the legacy rows and the mirror's
position commit together:

- ``ho_mirror_positions``: each consumer's feed position;
- ``ho_mirror_synced``: the hotels each consumer wrote whole, with the handover they were
  written for;
- ``ho_mirror_ids``: the legacy rows the mirror made for library rows the legacy database
  lacked, (kind, library id, legacy hotel) -> legacy id (one library id per legacy row).

:meth:`LegacySqlTarget.prepare` creates them if missing; :meth:`~LegacySqlTarget.apply`
calls it once per target (lazily), so a caller need not. Reading never creates them: before
the first write the position is None and the maps are empty.

Finding the legacy row of a library id, per kind (``staff``, ``room``, ``booking``,
``party`` for a booking's party row, ``guest``): the ``ho_mirror_ids`` row, if its legacy
row still exists; else the import's convention (the library id is the hotel's prefix then
the legacy id: ``"17"``, ``"L-17"``; a guest's ``"L-guest-17"``) when that legacy row
exists, belongs to the same legacy hotel (a party row: to the booking being written) and
is not the mirror's row for another library id; else a new legacy row, whose id the
database assigns (or, on a table without an id default, the largest id plus one), recorded
in ``ho_mirror_ids``. A row of another hotel is never matched.

Transactions. :meth:`~LegacySqlTarget.apply` is one transaction. On SQLite it takes the
write lock first (``BEGIN IMMEDIATE``; if the engine's own begin handler has already
opened a deferred transaction, an early write takes the lock) and turns foreign keys on
for its connection (restored afterwards), so both dialects refuse a dangling reference.
On PostgreSQL it locks the consumer's position row (``SELECT ... FOR UPDATE``; a consumer
without one inserts it first, ``ON CONFLICT DO NOTHING``, so a concurrent first apply
waits for it) and sets the session time zone to the legacy zone for the transaction (a
``timestamptz`` legacy column then reads the naive values in that zone). The stored
position is compared with ``expected`` before anything is written.

Values. The domain's times are aware; the legacy columns hold naive times in
``legacy_timezone`` (a naive time given is refused). Microseconds are kept. Text longer
than its legacy column allows is refused (PostgreSQL would refuse it; SQLite is held to
the same), as is an audit column pair that is not one of the four of
:data:`~hotel_occupancy.domain.side_by_side.MIRROR_AUDIT`, or a reference the hotel's rows
and the legacy database cannot resolve: :class:`~hotel_occupancy.InvalidInput`, nothing
written. A database failure is translated as the library's own adapter does
(:func:`~hotel_occupancy.adapters.sqlalchemy.errors.translate`): a lock, deadlock,
serialization or integrity failure is :class:`~hotel_occupancy.ConcurrencyConflict`
(nothing written, safe to retry), anything else :class:`~hotel_occupancy.StorageError`.
``guests_guest.id_pin`` is never written, and no error quotes a device token.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Final, Literal

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, CreateTable

from hotel_occupancy.adapters.legacy import (
    EngineHolder,
    bookingguest,
    guest,
    hotel,
    legacy_engine,
    legacy_zone,
    room,
    roombooking,
    staff,
)
from hotel_occupancy.adapters.sqlalchemy.errors import translate
from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime, as_utc
from hotel_occupancy.domain.errors import ConcurrencyConflict, HotelNotFound, InvalidInput
from hotel_occupancy.domain.side_by_side import (
    MIRROR_AUDIT,
    MirrorBooking,
    MirrorGuest,
    MirrorHotel,
    MirrorRoom,
    MirrorStaff,
)

__all__ = [
    "KINDS",
    "LegacySqlTarget",
    "mirror_ids",
    "mirror_metadata",
    "mirror_positions",
    "mirror_synced",
]

Kind = Literal["staff", "room", "booking", "party", "guest"]

KINDS: Final[tuple[Kind, ...]] = ("staff", "room", "booking", "party", "guest")
"""The kinds of legacy row the mirror finds or makes, in the order it writes them."""

_TABLE_OF: Final[Mapping[Kind, Table]] = {
    "staff": staff,
    "room": room,
    "booking": roombooking,
    "party": bookingguest,
    "guest": guest,
}

_KEY_LENGTH = 128  # hotel_occupancy.domain.validation.MAX_ID_LENGTH

# --- the mirror's own tables ---------------------------------------------------------------

mirror_metadata = MetaData()
"""The mirror's bookkeeping tables, kept in the legacy database beside the legacy tables
(no foreign key to them)."""

mirror_positions = Table(
    "ho_mirror_positions",
    mirror_metadata,
    Column("consumer", String(_KEY_LENGTH), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

mirror_synced = Table(
    "ho_mirror_synced",
    mirror_metadata,
    Column("consumer", String(_KEY_LENGTH), nullable=False),
    Column("hotel_id", String(_KEY_LENGTH), nullable=False),
    Column("handover_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("consumer", "hotel_id", name="pk_ho_mirror_synced"),
)

mirror_ids = Table(
    "ho_mirror_ids",
    mirror_metadata,
    Column("kind", String(20), nullable=False),
    Column("library_id", String(_KEY_LENGTH), nullable=False),
    Column("legacy_id", Integer, nullable=False),
    Column("legacy_hotel_id", Integer, nullable=False),
    PrimaryKeyConstraint("kind", "library_id", "legacy_hotel_id", name="pk_ho_mirror_ids"),
    UniqueConstraint("kind", "legacy_id", name="uq_ho_mirror_ids_legacy"),
    Index("ix_ho_mirror_ids_hotel", "legacy_hotel_id"),
)

# --- values --------------------------------------------------------------------------------

_AUDIT_PAIRS: Final[frozenset[tuple[str, str]]] = frozenset(MIRROR_AUDIT.values())
"""The eight audit columns, as the four (at, by) pairs the mirror may write."""

_CHUNK = 500
"""How many ids one ``IN (...)`` lookup names."""

_MAX_ID: Final[Mapping[str, int]] = {"sqlite": 2**63 - 1, "postgresql": 2**31 - 1}
"""The largest legacy id a dialect's INTEGER holds (a larger one is no legacy row)."""


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class LegacySqlTarget(EngineHolder):
    """A legacy database on SQLite or PostgreSQL that the mirror writes.

    ``LegacySqlTarget(engine, legacy_timezone="UTC")`` writes through an engine made
    elsewhere (closing the target leaves it open); :meth:`open` makes one from a URL (and
    :meth:`close` disposes of it). A context manager. The bookkeeping tables are created
    by :meth:`prepare`, which :meth:`apply` calls first (once per target); the reading
    methods find nothing until then.
    """

    def __init__(self, engine: Engine, *, legacy_timezone: str = "UTC") -> None:
        self._zone = legacy_zone(legacy_timezone)
        dialect = engine.dialect.name
        if dialect not in _MAX_ID:
            raise ValueError(f"the legacy database is sqlite or postgresql, not {dialect}")
        self.engine = engine
        self._legacy_timezone = legacy_timezone
        self._sqlite = dialect == "sqlite"
        self._max_id = _MAX_ID[dialect]
        self._owns_engine = False
        self._prepared = False
        self._explicit_ids: dict[str, bool] = {}

    @classmethod
    def open(cls, url: str, *, legacy_timezone: str = "UTC") -> LegacySqlTarget:
        """A target on the database at ``url``. A SQLite file must exist
        (:class:`FileNotFoundError` otherwise: no legacy database is created); a bare
        ``postgresql://`` URL uses psycopg 3."""
        engine = legacy_engine(url, read_only=False)
        try:
            target = cls(engine, legacy_timezone=legacy_timezone)
        except BaseException:
            engine.dispose()
            raise
        target._owns_engine = True
        return target

    @property
    def legacy_timezone(self) -> str:
        """The IANA zone the legacy database's naive times are written in."""
        return self._legacy_timezone

    # transactions -----------------------------------------------------------------------------

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sa_exc.DBAPIError as error:
            raise translate(error) from error

    @contextmanager
    def _writing(self, *, lock: bool) -> Iterator[Connection]:
        """One transaction, committed at the end (rolled back on an error). On SQLite it
        takes the write lock at its start (``BEGIN IMMEDIATE``; with ``lock``, also by an
        early write if the engine began a deferred transaction itself) and, with ``lock``,
        has foreign keys on; on PostgreSQL, naive times are in the legacy zone."""
        with self._translated(), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection if self._sqlite else None
            restore_keys = False
            if lock and isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
                (on,) = raw.execute("PRAGMA foreign_keys").fetchone() or (0,)
                if not on:
                    raw.execute("PRAGMA foreign_keys = ON")
                    restore_keys = True
            try:
                with conn.begin():
                    if self._sqlite:
                        self._lock_sqlite(conn, raw, early_write=lock)
                    else:
                        conn.execute(select(func.set_config("TimeZone", self._tz_name(), True)))
                    yield conn
            finally:
                if restore_keys and isinstance(raw, sqlite3.Connection):
                    try:
                        raw.execute("PRAGMA foreign_keys = OFF")
                    except sqlite3.Error:  # pragma: no cover - a broken connection
                        conn.invalidate()

    def _lock_sqlite(self, conn: Connection, raw: object, *, early_write: bool) -> None:
        if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif early_write:  # the engine's begin handler opened a (perhaps deferred) one
            conn.execute(
                update(mirror_positions)
                .where(literal(1) == literal(0))
                .values(consumer=mirror_positions.c.consumer)
            )

    def _tz_name(self) -> str:
        return "UTC" if self._zone is UTC else self._legacy_timezone

    @contextmanager
    def _reading(self) -> Iterator[Connection | None]:
        """A connection to read the mirror's tables, or None while they do not exist
        (reading never creates them: a diff on a read-only legacy database reads here)."""
        with self._translated(), self.engine.connect() as conn:
            try:
                if not self._prepared:
                    present = inspect(conn).get_table_names()
                    if any(t.name not in present for t in mirror_metadata.sorted_tables):
                        yield None
                        return
                    self._prepared = True
                yield conn
            finally:
                conn.rollback()

    def prepare(self) -> None:
        """Create the mirror's tables and index if they are missing (idempotent; the other
        methods call it first, once per target)."""
        if self._prepared:
            return
        with self._writing(lock=False) as conn:
            for table in mirror_metadata.sorted_tables:
                conn.execute(CreateTable(table, if_not_exists=True))
                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                    conn.execute(CreateIndex(index, if_not_exists=True))
        self._prepared = True

    # reading ----------------------------------------------------------------------------------

    def position(self, consumer: str) -> str | None:
        """The feed position the consumer has mirrored up to, or None before its first."""
        _key("consumer", consumer)
        p = mirror_positions
        with self._reading() as conn:
            if conn is None:
                return None
            value = conn.execute(select(p.c.position).where(p.c.consumer == consumer)).scalar()
        return None if value is None else str(value)

    def synced(self, consumer: str) -> dict[str, datetime]:
        """The hotels the consumer wrote whole, each with the (aware UTC) time of the
        handover it wrote them for, by hotel id."""
        _key("consumer", consumer)
        s = mirror_synced
        with self._reading() as conn:
            if conn is None:
                return {}
            rows = conn.execute(
                select(s.c.hotel_id, s.c.handover_at)
                .where(s.c.consumer == consumer)
                .order_by(s.c.hotel_id)
            ).all()
        return {str(hotel_id): as_utc(at) for hotel_id, at in rows}

    def id_map(self, legacy_hotel_id: int) -> dict[tuple[str, int], str]:
        """The legacy rows of the hotel the mirror made: (kind, legacy id) -> the
        library's id."""
        m = mirror_ids
        with self._reading() as conn:
            if conn is None:
                return {}
            rows = conn.execute(
                select(m.c.kind, m.c.legacy_id, m.c.library_id)
                .where(m.c.legacy_hotel_id == legacy_hotel_id)
                .order_by(m.c.kind, m.c.legacy_id)
            ).all()
        return {
            (str(kind), int(legacy_id)): str(library_id) for kind, legacy_id, library_id in rows
        }

    def unwritten_bookings(
        self, legacy_hotel_id: int, prefix: str, booking_ids: Collection[str]
    ) -> set[str]:
        """Those of the library's bookings that have no legacy row in the hotel yet: not
        made by the mirror, and not (after ``prefix``) the key of a row of the hotel."""
        made = {
            library_id for (kind, _), library_id in self.id_map(legacy_hotel_id).items()
            if kind == "booking"
        }  # fmt: skip
        wanted = [b for b in booking_ids if b not in made]
        keys = {b: self._convention(prefix, "booking", b) for b in wanted}
        found: set[int] = set()
        candidates = sorted({k for k in keys.values() if k is not None})
        with self._translated(), self.engine.connect() as conn:
            for chunk in _chunks(candidates):
                found.update(
                    conn.execute(
                        select(roombooking.c.id).where(
                            roombooking.c.hotel_id == legacy_hotel_id,
                            roombooking.c.id.in_(chunk),
                        )
                    ).scalars()
                )
            conn.rollback()
        return {b for b, key in keys.items() if key is None or key not in found}

    # writing ----------------------------------------------------------------------------------

    def apply(
        self,
        hotels: Sequence[MirrorHotel],
        *,
        consumer: str,
        expected: str | None,
        position: str | None,
        synced: Mapping[str, datetime] | None = None,
    ) -> None:
        """In one transaction: unless the consumer's stored position is still ``expected``
        (:class:`~hotel_occupancy.ConcurrencyConflict`, nothing written), write every
        hotel's rows (staff, rooms, bookings with their party and guests), making the legacy
        rows the library's own lack, then store ``position`` (when not None) and the
        ``synced`` hotels (hotel id -> handover time). Any error writes nothing."""
        _key("consumer", consumer)
        handovers = {
            _key("synced hotel id", hotel_id): _aware(f"synced[{hotel_id!r}]", at)
            for hotel_id, at in (synced or {}).items()
        }
        self.prepare()
        now = datetime.now(UTC)
        with self._writing(lock=True) as conn:
            placeholder = self._check_position(conn, consumer, expected, position, now)
            for mirror in hotels:
                _HotelWriter(self, conn, mirror).write()
            p = mirror_positions
            if position is not None:
                self._upsert(
                    conn,
                    p,
                    {"consumer": consumer, "position": position, "updated_at": now},
                    keys=("consumer",),
                )
            elif placeholder:
                conn.execute(delete(p).where(p.c.consumer == consumer))
            for hotel_id, at in sorted(handovers.items()):
                self._upsert(
                    conn,
                    mirror_synced,
                    {"consumer": consumer, "hotel_id": hotel_id, "handover_at": at},
                    keys=("consumer", "hotel_id"),
                )

    def _check_position(
        self,
        conn: Connection,
        consumer: str,
        expected: str | None,
        position: str | None,
        now: datetime,
    ) -> bool:
        """Compare-and-set, first thing in the transaction: raise ConcurrencyConflict
        unless the stored position is ``expected``. True if a placeholder row was inserted
        (PostgreSQL, a first apply) that must go if no position is stored."""
        p = mirror_positions
        current = select(p.c.position).where(p.c.consumer == consumer)
        inserted = False
        if self._sqlite:
            stored = conn.execute(current).scalar()
        elif expected is None:  # lock the row of a first apply: insert it, or wait for it
            statement = (
                pg_dialect.insert(p)
                .values(consumer=consumer, position=position or "", updated_at=now)
                .on_conflict_do_nothing(index_elements=[p.c.consumer])
                .returning(p.c.consumer)
            )
            inserted = conn.execute(statement).first() is not None
            stored = None if inserted else conn.execute(current.with_for_update()).scalar()
        else:
            stored = conn.execute(current.with_for_update()).scalar()
        if stored != expected:
            raise ConcurrencyConflict(
                f"the mirror of consumer {consumer!r} is at position {stored!r}, not "
                f"{expected!r} as expected: another mirror wrote first; nothing was written "
                "(read the position again and retry)"
            )
        return inserted

    def _upsert(
        self, conn: Connection, table: Table, values: Mapping[str, Any], *, keys: Sequence[str]
    ) -> None:
        changed = {name: value for name, value in values.items() if name not in keys}
        index = [table.c[k] for k in keys]
        if self._sqlite:
            lite = sqlite_dialect.insert(table).values(dict(values))
            conn.execute(lite.on_conflict_do_update(index_elements=index, set_=changed))
        else:
            pg = pg_dialect.insert(table).values(dict(values))
            conn.execute(pg.on_conflict_do_update(index_elements=index, set_=changed))

    # legacy ids -------------------------------------------------------------------------------

    def _local(self, what: str, value: datetime | None) -> datetime | None:
        """An aware time as the legacy column holds it: naive, in the legacy zone."""
        if value is None:
            return None
        return _aware(what, value).astimezone(self._zone).replace(tzinfo=None)

    def _insert_row(self, conn: Connection, table: Table, values: Mapping[str, Any]) -> int:
        """Insert a legacy row; its id is the database's (or the largest plus one)."""
        if self._needs_explicit_id(conn, table):
            new_id = int(
                conn.execute(select(func.coalesce(func.max(table.c.id), 0) + 1)).scalar_one()
            )
            conn.execute(insert(table).values(id=new_id, **values))
            return new_id
        result = conn.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        if key is None or key[0] is None:  # pragma: no cover - the id column has a default
            raise RuntimeError(f"the database gave no id to the new {table.name} row")
        return int(key[0])

    def _needs_explicit_id(self, conn: Connection, table: Table) -> bool:
        """Whether the table's ``id`` gets no value from the database: on SQLite a column
        that is not the rowid (``INTEGER PRIMARY KEY``), on PostgreSQL one without a default
        or identity (the shipped schema's ids are given by the application)."""
        known = self._explicit_ids.get(table.name)
        if known is not None:
            return known
        if self._sqlite:
            columns = conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")').all()
            keys = [c for c in columns if c[5]]
            rowid = len(keys) == 1 and keys[0][1] == "id" and str(keys[0][2]).upper() == "INTEGER"
            explicit = not rowid
        else:
            default = conn.execute(
                text(
                    "SELECT column_default IS NOT NULL OR is_identity = 'YES' "
                    "FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = :table AND column_name = 'id'"
                ),
                {"table": table.name},
            ).scalar()
            explicit = not default
        self._explicit_ids[table.name] = explicit
        return explicit

    def _convention(self, prefix: str, kind: Kind, library_id: str) -> int | None:
        """The legacy id the import would have given ``library_id``, if it is one."""
        if not library_id.startswith(prefix):
            return None
        rest = library_id[len(prefix) :]
        if kind == "guest":
            if not rest.startswith("guest-"):
                return None
            rest = rest[len("guest-") :]
        if not (rest.isascii() and rest.isdigit()) or str(int(rest)) != rest:
            return None
        value = int(rest)
        return value if value <= self._max_id else None


def _key(what: str, value: str) -> str:
    if not isinstance(value, str) or not value or len(value) > _KEY_LENGTH:
        raise InvalidInput(f"{what} must be a text of 1 to {_KEY_LENGTH} characters")
    return value


def _aware(what: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"{what} must be an aware datetime, not {value!r}")
    return value


class _HotelWriter:
    """Writes one MirrorHotel in the target's transaction: finds or makes the legacy row of
    every library id it names (looked up in bulk first), then writes the rows in foreign
    key order."""

    def __init__(self, target: LegacySqlTarget, conn: Connection, mirror: MirrorHotel) -> None:
        self.target = target
        self.conn = conn
        self.mirror = mirror
        self.hotel_id = mirror.legacy_hotel_id
        self.prefix = mirror.prefix
        self.known: dict[tuple[Kind, str], int] = {}
        """Library id -> legacy id, resolved (the map's, the convention's, or new)."""
        self.mapped: dict[tuple[Kind, str], int] = {}
        """The ho_mirror_ids rows of the library ids this hotel names."""
        self.claimed: dict[tuple[Kind, int], str] = {}
        """ho_mirror_ids rows of any hotel for the convention's candidate legacy ids."""
        self.present: dict[Kind, dict[int, int | None]] = {k: {} for k in KINDS}
        """Legacy rows that exist in this hotel -> their booking (party rows), or None."""
        self.updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}

    # the rows ---------------------------------------------------------------------------------

    def write(self) -> None:
        m = self.mirror
        exists = self.conn.execute(select(hotel.c.id).where(hotel.c.id == self.hotel_id)).first()
        if exists is None:
            raise HotelNotFound(
                f"hotel {m.hotel_id}: legacy hotel {self.hotel_id} is not in the legacy database",
                hotel_id=m.hotel_id,
            )
        self._look_up()
        for s in m.staff:
            self._staff(s)
        for r in m.rooms:
            self._room(r)
        self._flush("room")
        for b in m.bookings:
            self._booking(b)
        self._flush("booking")
        parties: dict[str, dict[str, int]] = {}
        for b in m.bookings:
            parties[b.booking_id] = self._party(b)
        self._flush("party")
        for b in m.bookings:
            for g in _primaries_first(b):
                self._guest(b, g, parties[b.booking_id])
        self._flush("guest")

    def _staff(self, s: MirrorStaff) -> None:
        if self._find("staff", s.staff_id) is not None:
            return  # an existing legacy staff row is never changed
        values = {
            "hotel_id": self.hotel_id,
            "first_name": s.name,
            "last_name": "",
            "role": s.role.value,
            "is_active": s.active,
        }
        self._make("staff", s.staff_id, values)

    def _room(self, r: MirrorRoom) -> None:
        t = self.target
        values = {
            "is_occupied": r.is_occupied,
            "room_status": r.room_status,
            "guest_fcm_token": r.device_token,
            "cleaned_by_staff_id": self._staff_ref(r.cleaned_by, f"room {r.room_id}"),
            "inspected_by_staff_id": self._staff_ref(r.inspected_by, f"room {r.room_id}"),
            "last_cleaned_at": t._local(f"room {r.room_id} last_cleaned_at", r.last_cleaned_at),
            "last_inspected_at": t._local(
                f"room {r.room_id} last_inspected_at", r.last_inspected_at
            ),
        }
        self._write("room", r.room_id, values, {"hotel_id": self.hotel_id, "room_number": r.number})

    def _booking(self, b: MirrorBooking) -> None:
        t = self.target
        what = f"booking {b.booking_id}"
        values: dict[str, Any] = {
            "booking_id": b.reference,
            "check_in": _day(f"{what} arrival", b.arrival),
            "check_out": _day(f"{what} departure", b.departure),
            "assigned_room_id": self._ref("room", b.assigned_room, what),
            "checked_in_at": t._local(f"{what} checked_in_at", b.checked_in_at),
            "checked_out_at": t._local(f"{what} checked_out_at", b.checked_out_at),
            "room_moved_at": t._local(f"{what} moved_at", b.moved_at),
        }
        for audit in b.audit:
            if (audit.at_column, audit.by_column) not in _AUDIT_PAIRS:
                raise InvalidInput(
                    f"{what}: ({audit.at_column!r}, {audit.by_column!r}) is not a pair of "
                    f"the legacy audit columns {sorted(_AUDIT_PAIRS)}",
                    booking_id=b.booking_id,
                )
            values[audit.at_column] = t._local(f"{what} {audit.at_column}", audit.at)
            values[audit.by_column] = self._staff_ref(audit.by, what)
        self._write("booking", b.booking_id, values, {"hotel_id": self.hotel_id})

    def _party(self, b: MirrorBooking) -> dict[str, int]:
        booking_row = self.known[("booking", b.booking_id)]
        out: dict[str, int] = {}
        for index, member in enumerate(b.party):
            values = {
                "booking_id": booking_row,
                "first_name": member.first_name,
                "last_name": member.last_name,
                "is_primary": index == 0,
            }
            out[member.booking_guest_id] = self._write(
                "party", member.booking_guest_id, values, {}, booking=booking_row
            )
        return out

    def _guest(self, b: MirrorBooking, g: MirrorGuest, party: Mapping[str, int]) -> None:
        what = f"guest {g.guest_id} of booking {b.booking_id}"
        member = party.get(g.booking_guest_id)
        if member is None:
            raise InvalidInput(
                f"{what} names party member {g.booking_guest_id!r}, not one of the booking's",
                guest_id=g.guest_id,
            )
        values = {
            "hotel_id": self.hotel_id,
            "room_id": self._ref("room", g.room_id, what),
            "booking_id": self.known[("booking", b.booking_id)],
            "booking_guest_id": member,
            "primary_guest_id": self._ref("guest", g.primary_guest_id, what),
            "first_name": g.first_name,
            "last_name": g.last_name,
            "guest_type": g.guest_type.value,
            "check_in_date": _day(f"{what} check_in_date", g.check_in_date),
            "check_out_date": _day(f"{what} check_out_date", g.check_out_date),
        }
        self._write("guest", g.guest_id, values, {})

    # finding and making legacy rows -----------------------------------------------------------

    def _named(self) -> dict[Kind, set[str]]:
        """Every library id the hotel's rows name, by kind."""
        m = self.mirror
        named: dict[Kind, set[str]] = {k: set() for k in KINDS}
        named["staff"].update(s.staff_id for s in m.staff)
        for r in m.rooms:
            named["room"].add(r.room_id)
            named["staff"].update(x for x in (r.cleaned_by, r.inspected_by) if x is not None)
        for b in m.bookings:
            named["booking"].add(b.booking_id)
            if b.assigned_room is not None:
                named["room"].add(b.assigned_room)
            named["staff"].update(a.by for a in b.audit)
            named["party"].update(p.booking_guest_id for p in b.party)
            for g in b.guests:
                named["guest"].add(g.guest_id)
                if g.primary_guest_id is not None:
                    named["guest"].add(g.primary_guest_id)
                if g.room_id is not None:
                    named["room"].add(g.room_id)
        return named

    def _look_up(self) -> None:
        """Load, in bulk, the map rows of the named ids, the map rows claiming their
        convention ids, and which of the legacy rows exist in this hotel."""
        conn, ids = self.conn, mirror_ids
        for kind, library_ids in self._named().items():
            for library_id in library_ids:
                _key(f"{kind} id", library_id)
            for part in _chunks(library_ids):
                rows = conn.execute(
                    select(ids.c.library_id, ids.c.legacy_id).where(
                        ids.c.kind == kind,
                        ids.c.legacy_hotel_id == self.hotel_id,
                        ids.c.library_id.in_(part),
                    )
                )
                for library_id, legacy_id in rows:
                    self.mapped[(kind, str(library_id))] = int(legacy_id)
            candidates = {
                c
                for c in (self.target._convention(self.prefix, kind, i) for i in library_ids)
                if c is not None
            }
            for part in _chunks(candidates):
                rows = conn.execute(
                    select(ids.c.legacy_id, ids.c.library_id).where(
                        ids.c.kind == kind, ids.c.legacy_id.in_(part)
                    )
                )
                for legacy_id, library_id in rows:
                    self.claimed[(kind, int(legacy_id))] = str(library_id)
            wanted = candidates | {v for (k, _), v in self.mapped.items() if k == kind}
            table = _TABLE_OF[kind]
            for part in _chunks(wanted):
                if kind == "party":
                    found = conn.execute(
                        select(table.c.id, table.c.booking_id).where(table.c.id.in_(part))
                    )
                    for row_id, booking_row in found:
                        owner = booking_row if type(booking_row) is int else None
                        self.present[kind][int(row_id)] = owner
                else:
                    in_hotel = conn.execute(
                        select(table.c.id).where(
                            table.c.id.in_(part), table.c.hotel_id == self.hotel_id
                        )
                    )
                    for (row_id,) in in_hotel:
                        self.present[kind][int(row_id)] = None

    def _find(self, kind: Kind, library_id: str, *, booking: int | None = None) -> int | None:
        """The legacy row of a library id, if there is one (cached once found)."""
        known = self.known.get((kind, library_id))
        if known is not None:
            return known
        present = self.present[kind]

        def usable(legacy_id: int) -> bool:
            return legacy_id in present and (kind != "party" or present[legacy_id] == booking)

        legacy_id = self.mapped.get((kind, library_id))
        if legacy_id is None or not usable(legacy_id):
            legacy_id = self.target._convention(self.prefix, kind, library_id)
            claimant = self.claimed.get((kind, legacy_id)) if legacy_id is not None else None
            if legacy_id is None or claimant not in (None, library_id) or not usable(legacy_id):
                return None
        self.known[(kind, library_id)] = legacy_id
        return legacy_id

    def _ref(self, kind: Kind, library_id: str | None, what: str) -> int | None:
        """The legacy id of a row another row refers to (None for None): written in this
        hotel's rows or found; never made here."""
        if library_id is None:
            return None
        legacy_id = self._find(kind, library_id)
        if legacy_id is None:
            raise InvalidInput(
                f"{what} names {kind} {library_id!r}, which neither the hotel's rows to write "
                f"nor legacy hotel {self.hotel_id} has",
                hotel_id=self.mirror.hotel_id,
            )
        return legacy_id

    def _staff_ref(self, library_id: str | None, what: str) -> int | None:
        return self._ref("staff", library_id, what)

    def _write(
        self,
        kind: Kind,
        library_id: str,
        values: Mapping[str, Any],
        on_insert: Mapping[str, Any],
        *,
        booking: int | None = None,
    ) -> int:
        """Update the legacy row of ``library_id`` (batched until :meth:`_flush`), or insert
        one with ``on_insert`` too; return its id."""
        table = _TABLE_OF[kind]
        _fits(table, values, f"{kind} {library_id}")
        legacy_id = self._find(kind, library_id, booking=booking)
        if legacy_id is not None:
            names = tuple(sorted(values))
            row = {"row_id": legacy_id, **{f"v_{name}": value for name, value in values.items()}}
            self.updates.setdefault((kind, names), []).append(row)
            return legacy_id
        return self._make(kind, library_id, {**on_insert, **values})

    def _make(self, kind: Kind, library_id: str, values: Mapping[str, Any]) -> int:
        """Insert a legacy row for a library id and record it in ho_mirror_ids."""
        table = _TABLE_OF[kind]
        _fits(table, values, f"{kind} {library_id}")
        legacy_id = self.target._insert_row(self.conn, table, values)
        ids = mirror_ids
        # a map row naming this legacy id is stale (its row was gone: the id is reused)
        self.conn.execute(delete(ids).where(ids.c.kind == kind, ids.c.legacy_id == legacy_id))
        self.conn.execute(
            delete(ids).where(
                ids.c.kind == kind,
                ids.c.library_id == library_id,
                ids.c.legacy_hotel_id == self.hotel_id,
            )
        )
        self.conn.execute(
            insert(ids).values(
                kind=kind,
                library_id=library_id,
                legacy_id=legacy_id,
                legacy_hotel_id=self.hotel_id,
            )
        )
        self.known[(kind, library_id)] = legacy_id
        self.mapped[(kind, library_id)] = legacy_id
        self.claimed[(kind, legacy_id)] = library_id
        self.present[kind][legacy_id] = values.get("booking_id") if kind == "party" else None
        return legacy_id

    def _flush(self, kind: Kind) -> None:
        """Run the batched updates of a kind (one executemany per set of columns)."""
        table = _TABLE_OF[kind]
        for (batch_kind, names), rows in list(self.updates.items()):
            if batch_kind != kind:
                continue
            statement = (
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names})
            )
            self.conn.execute(statement, rows)
            del self.updates[(batch_kind, names)]


def _primaries_first(b: MirrorBooking) -> list[MirrorGuest]:
    """The booking's guests, each after the guest it names as its primary (if that is one
    of them)."""
    pending = list(b.guests)
    ids = {g.guest_id for g in pending}
    done: set[str] = set()
    out: list[MirrorGuest] = []
    while pending:
        ready = [
            g
            for g in pending
            if g.primary_guest_id is None
            or g.primary_guest_id not in ids
            or g.primary_guest_id in done
            or g.primary_guest_id == g.guest_id
        ]
        if not ready:
            raise InvalidInput(
                f"booking {b.booking_id}: the guests' primary_guest_id form a cycle",
                booking_id=b.booking_id,
            )
        for g in ready:
            out.append(g)
            done.add(g.guest_id)
        pending = [g for g in pending if g.guest_id not in done]
    return out


def _day(what: str, value: date | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"{what} must be a date, not {value!r}")
    return value


def _fits(table: Table, values: Mapping[str, Any], what: str) -> None:
    """Refuse a text longer than its legacy column allows (never quoting it)."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        length = getattr(table.c[name].type, "length", None)
        if length is not None and len(value) > length:
            raise InvalidInput(
                f"{what}: {table.name}.{name} holds at most {length} characters, the value "
                f"has {len(value)}"
            )
