"""Legacy hotel databases for tests: the legacy schema, a builder, and a generator.

The legacy application that :mod:`hotel_occupancy` replaces kept its data in the tables of
``legacy_schema.sql`` (shipped with this package as :data:`LEGACY_SCHEMA`). An importer of
that data has to cope with what years of the legacy application left behind, so its tests
need legacy databases of two kinds:

- **one precise defect**: :class:`LegacyDatabase` inserts rows one at a time (a hotel, a
  room, a booking, a party member, a guest, a task), writes what the legacy application
  wrote for a check-in (:meth:`LegacyDatabase.in_house_booking`), a clean checkout
  (:meth:`LegacyDatabase.departed_booking`) or an assignment before arrival
  (:meth:`LegacyDatabase.pre_assigned_booking`), and runs raw SQL for anything else
  (:meth:`LegacyDatabase.execute`);
- **realistic volume**: :func:`generate_legacy_database` writes hotels, staff, rooms and
  years of bookings with their parties, guests, audit columns and housekeeping tasks,
  then "today" (rooms in house, arrivals assigned in advance, vacant rooms in every legacy
  status), and plants each kind of :data:`DEFECT_KINDS` a counted number of times.

Datetimes are naive (the legacy application stored naive UTC). On SQLite dates are written
as ISO text (``YYYY-MM-DD``) and datetimes as ``YYYY-MM-DD HH:MM:SS[.ffffff]``, what the
sqlite3 driver writes for them; on PostgreSQL they are passed to the driver as they are.

This module uses SQLAlchemy and the standard library only, not the rest of
:mod:`hotel_occupancy`; importing it imports its package, :mod:`hotel_occupancy.testing`,
which needs pytest (the contract suite).
"""

from __future__ import annotations

import heapq
import random
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources
from typing import Any, Final

import sqlalchemy
from sqlalchemy import Connection, Engine, text

__all__ = [
    "DEFECT_KINDS",
    "GENERATED_TODAY",
    "LEGACY_SCHEMA",
    "LEGACY_TABLES",
    "SQLITE_ONLY_DEFECTS",
    "GeneratedLegacy",
    "LegacyDatabase",
    "create_legacy_schema",
    "default_bookings_per_hotel",
    "generate_legacy_database",
]

LEGACY_SCHEMA: Final[str] = (
    resources.files("hotel_occupancy.testing")
    .joinpath("legacy_schema.sql")
    .read_bytes()
    .decode("utf-8")
)
"""The legacy schema as the legacy application created it on SQLite (``legacy_schema.sql``)."""

LEGACY_TABLES: Final[tuple[str, ...]] = (
    "hotel_hotel",
    "staff_staff",
    "rooms_room",
    "hotel_roombooking",
    "hotel_bookingguest",
    "guests_guest",
    "housekeeping_housekeepingtask",
)
"""The legacy tables, each after the tables it refers to (drop them in reverse order)."""

DEFECT_KINDS: Final[tuple[str, ...]] = (
    "double_occupancy",
    "phantom_occupancy",
    "occupied_flag_false",
    "preassignment_conflict",
    "cross_hotel_reference",
    "guest_room_drift",
    "lingering_guest",
    "stale_device_token",
    "unknown_room_status",
    "empty_party",
    "unknown_staff_role",
    "dates_reversed",
    "dangling_reference",
    "duplicate_room_number",
    "nul_in_text",
    "unreadable_value",
)
"""The kinds of defect :func:`generate_legacy_database` plants (the keys of ``planted``)."""

SQLITE_ONLY_DEFECTS: Final[frozenset[str]] = frozenset(
    {"dangling_reference", "nul_in_text", "unreadable_value"}
)
"""Defects PostgreSQL cannot store (it enforces foreign keys, refuses NUL in text and checks
dates): planted on SQLite only."""

GENERATED_TODAY: Final[date] = date(2026, 1, 10)
"""The default "today" of a generated database (fixed, so that a seed gives the same rows)."""

_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "hotel_hotel": ("id", "name"),
    "staff_staff": ("id", "hotel_id", "first_name", "last_name", "role", "is_active"),
    "rooms_room": (
        "id",
        "hotel_id",
        "room_number",
        "is_occupied",
        "room_status",
        "guest_fcm_token",
        "cleaned_by_staff_id",
        "inspected_by_staff_id",
        "last_cleaned_at",
        "last_inspected_at",
    ),
    "hotel_roombooking": (
        "id",
        "hotel_id",
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
    ),
    "hotel_bookingguest": ("id", "booking_id", "first_name", "last_name", "is_primary"),
    "guests_guest": (
        "id",
        "hotel_id",
        "room_id",
        "booking_id",
        "booking_guest_id",
        "primary_guest_id",
        "first_name",
        "last_name",
        "guest_type",
        "check_in_date",
        "check_out_date",
        "id_pin",
    ),
    "housekeeping_housekeepingtask": (
        "id",
        "hotel_id",
        "room_id",
        "booking_id",
        "assigned_to_id",
        "created_by_id",
        "task_type",
        "status",
        "created_at",
    ),
}

_AUDIT_TIMESTAMPS: Final[tuple[str, ...]] = (
    "room_assigned_at",
    "room_reassigned_at",
    "room_unassigned_at",
    "room_moved_at",
    "checked_in_at",
    "checked_out_at",
)

_ORDINALS: Final[tuple[str, ...]] = (
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
)


# --- the schema ------------------------------------------------------------------------------


def _postgresql_statements(schema: str) -> list[str]:
    """The legacy schema's statements with PostgreSQL's type names and boolean defaults."""
    without_comments = re.sub(r"--[^\n]*", "", schema)
    translated = re.sub(r"\bDATETIME\b", "TIMESTAMP", without_comments)
    translated = re.sub(r"(\bBOOLEAN\b[^,\n]*\bDEFAULT\s+)1\b", r"\1TRUE", translated)
    translated = re.sub(r"(\bBOOLEAN\b[^,\n]*\bDEFAULT\s+)0\b", r"\1FALSE", translated)
    return [s.strip() for s in translated.split(";") if s.strip()]


def create_legacy_schema(engine: Engine) -> None:
    """Create the legacy tables on ``engine`` (SQLite or PostgreSQL).

    On SQLite the schema text runs as it is (``executescript`` of the sqlite3 driver). On
    PostgreSQL the same tables are created with the usual type names: ``DATETIME`` becomes
    ``TIMESTAMP`` and the boolean defaults ``1``/``0`` become ``TRUE``/``FALSE``; the
    ``INTEGER PRIMARY KEY`` columns, foreign keys and ``UNIQUE`` stay (ids are not generated
    by PostgreSQL: give them, as :class:`LegacyDatabase` does).
    """
    dialect = engine.dialect.name
    if dialect == "sqlite":
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            if driver is None:  # pragma: no cover - a live pooled connection has one
                raise RuntimeError("the pooled SQLite connection has no driver connection")
            driver.executescript(LEGACY_SCHEMA)
            raw.commit()
        finally:
            raw.close()
    elif dialect == "postgresql":
        with engine.begin() as conn:
            for statement in _postgresql_statements(LEGACY_SCHEMA):
                conn.exec_driver_sql(statement)
    else:
        raise NotImplementedError(
            f"the legacy schema exists on sqlite and postgresql, not {dialect}"
        )


# --- values ----------------------------------------------------------------------------------


def _sqlite_value(value: object) -> object:
    """A value as the sqlite3 driver writes it: dates and datetimes as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _same_value(value: object) -> object:
    """A value as it is (PostgreSQL drivers adapt dates and datetimes themselves)."""
    return value


def _value_adapter(dialect: str) -> Callable[[object], object]:
    return _sqlite_value if dialect == "sqlite" else _same_value


def _datetime_text(value: datetime) -> object:
    return value.isoformat(" ")


def _date_text(value: date) -> object:
    return value.isoformat()


def _same_datetime(value: datetime) -> object:
    return value


def _same_date(value: date) -> object:
    return value


# --- the builder -----------------------------------------------------------------------------


class LegacyDatabase:
    """A builder of legacy rows, one at a time, for tests that need one precise defect.

    ``bind`` is an engine (each call runs in a transaction of its own and commits) or a
    connection (calls run in the caller's transaction, which the caller commits). Each
    insert returns the row's integer id: the one given as ``id=``, or the table's largest id
    plus one. Nothing is checked: any value the legacy columns can hold can be written,
    including ones the legacy application never wrote. On SQLite, foreign keys are enforced
    only when the ``foreign_keys`` pragma is on, and this builder never turns it on, so
    dangling references can be written with a plain engine.

    ``seed`` makes the guests' 4-digit ``id_pin`` values (chosen among the unused ones)
    repeatable.
    """

    def __init__(self, bind: Engine | Connection, *, seed: int = 0) -> None:
        self._bind = bind
        self._active: Connection | None = bind if isinstance(bind, Connection) else None
        self._adapt = _value_adapter(bind.dialect.name)
        self._rng = random.Random(seed)

    @property
    def dialect(self) -> str:
        """The name of the database's dialect (``sqlite`` or ``postgresql``)."""
        return self._bind.dialect.name

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """The connection to run on: the bound or current one, else a new transaction."""
        if self._active is not None:
            yield self._active
            return
        assert isinstance(self._bind, Engine)
        with self._bind.begin() as conn:
            self._active = conn
            try:
                yield conn
            finally:
                self._active = None

    def execute(self, sql: str, **params: object) -> list[tuple[Any, ...]]:
        """Run raw SQL with named ``:params``; return the rows it returns (or ``[]``).

        Dates and datetimes among the parameters are written as the legacy application
        wrote them (ISO text on SQLite); strings are written as they are, so
        ``execute("UPDATE rooms_room SET last_cleaned_at = :v WHERE id = 1", v="yesterday")``
        stores text that is not a date.
        """
        with self._connection() as conn:
            result = conn.execute(text(sql), {k: self._adapt(v) for k, v in params.items()})
            if result.returns_rows:
                return [tuple(row) for row in result]
            return []

    def _insert(self, table: str, row_id: int | None, values: dict[str, object]) -> int:
        with self._connection() as conn:
            if row_id is None:
                row_id = int(
                    conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()
                )
            columns = ["id", *values]
            conn.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + c for c in columns)})"
                ),
                {"id": row_id, **{k: self._adapt(v) for k, v in values.items()}},
            )
        return row_id

    def _unused_pin(self) -> str | None:
        """A 4-digit ``id_pin`` no guest holds (``None`` when all 10,000 are taken)."""
        with self._connection() as conn:
            used = {
                str(pin)
                for (pin,) in conn.execute(
                    text("SELECT id_pin FROM guests_guest WHERE id_pin IS NOT NULL")
                )
            }
        if len(used) >= 10_000:
            return None
        if len(used) > 9_000:
            return self._rng.choice(sorted({f"{n:04d}" for n in range(10_000)} - used))
        while True:
            pin = f"{self._rng.randrange(10_000):04d}"
            if pin not in used:
                return pin

    # --- one row -----------------------------------------------------------------------------

    def hotel(self, name: str = "Grand", *, id: int | None = None) -> int:
        """Insert a ``hotel_hotel`` row."""
        return self._insert("hotel_hotel", id, {"name": name})

    def staff(
        self,
        hotel_id: int,
        *,
        first_name: str = "Ann",
        last_name: str = "Lee",
        role: str = "FRONT_DESK",
        is_active: bool = True,
        id: int | None = None,
    ) -> int:
        """Insert a ``staff_staff`` row."""
        return self._insert(
            "staff_staff",
            id,
            {
                "hotel_id": hotel_id,
                "first_name": first_name,
                "last_name": last_name,
                "role": role,
                "is_active": is_active,
            },
        )

    def room(
        self,
        hotel_id: int,
        number: str,
        *,
        is_occupied: bool = False,
        room_status: str = "READY_FOR_GUEST",
        guest_fcm_token: str | None = None,
        cleaned_by_staff_id: int | None = None,
        inspected_by_staff_id: int | None = None,
        last_cleaned_at: datetime | None = None,
        last_inspected_at: datetime | None = None,
        id: int | None = None,
    ) -> int:
        """Insert a ``rooms_room`` row."""
        return self._insert(
            "rooms_room",
            id,
            {
                "hotel_id": hotel_id,
                "room_number": number,
                "is_occupied": is_occupied,
                "room_status": room_status,
                "guest_fcm_token": guest_fcm_token,
                "cleaned_by_staff_id": cleaned_by_staff_id,
                "inspected_by_staff_id": inspected_by_staff_id,
                "last_cleaned_at": last_cleaned_at,
                "last_inspected_at": last_inspected_at,
            },
        )

    def booking(
        self,
        hotel_id: int,
        *,
        booking_id: str | None = None,
        check_in: date = date(2026, 1, 10),
        check_out: date = date(2026, 1, 12),
        assigned_room_id: int | None = None,
        checked_in_at: datetime | None = None,
        checked_out_at: datetime | None = None,
        room_assigned_at: datetime | None = None,
        room_assigned_by_id: int | None = None,
        room_reassigned_at: datetime | None = None,
        room_reassigned_by_id: int | None = None,
        room_unassigned_at: datetime | None = None,
        room_unassigned_by_id: int | None = None,
        room_moved_at: datetime | None = None,
        room_moved_by_id: int | None = None,
        id: int | None = None,
    ) -> int:
        """Insert a ``hotel_roombooking`` row (``booking_id`` defaults to ``f"BK-{id}"``)."""
        with self._connection() as conn:
            if id is None:
                id = int(
                    conn.execute(
                        text("SELECT COALESCE(MAX(id), 0) + 1 FROM hotel_roombooking")
                    ).scalar_one()
                )
            return self._insert(
                "hotel_roombooking",
                id,
                {
                    "hotel_id": hotel_id,
                    "booking_id": f"BK-{id}" if booking_id is None else booking_id,
                    "check_in": check_in,
                    "check_out": check_out,
                    "assigned_room_id": assigned_room_id,
                    "checked_in_at": checked_in_at,
                    "checked_out_at": checked_out_at,
                    "room_assigned_at": room_assigned_at,
                    "room_assigned_by_id": room_assigned_by_id,
                    "room_reassigned_at": room_reassigned_at,
                    "room_reassigned_by_id": room_reassigned_by_id,
                    "room_unassigned_at": room_unassigned_at,
                    "room_unassigned_by_id": room_unassigned_by_id,
                    "room_moved_at": room_moved_at,
                    "room_moved_by_id": room_moved_by_id,
                },
            )

    def party_member(
        self,
        booking_id: int,
        *,
        first_name: str = "Guest",
        last_name: str = "One",
        is_primary: bool = False,
        id: int | None = None,
    ) -> int:
        """Insert a ``hotel_bookingguest`` row (a member of a booking's party)."""
        return self._insert(
            "hotel_bookingguest",
            id,
            {
                "booking_id": booking_id,
                "first_name": first_name,
                "last_name": last_name,
                "is_primary": is_primary,
            },
        )

    def guest(
        self,
        hotel_id: int,
        *,
        first_name: str = "Guest",
        last_name: str = "One",
        guest_type: str = "PRIMARY",
        room_id: int | None = None,
        booking_id: int | None = None,
        booking_guest_id: int | None = None,
        primary_guest_id: int | None = None,
        check_in_date: date | None = None,
        check_out_date: date | None = None,
        id_pin: str | None = None,
        id: int | None = None,
    ) -> int:
        """Insert a ``guests_guest`` row."""
        return self._insert(
            "guests_guest",
            id,
            {
                "hotel_id": hotel_id,
                "room_id": room_id,
                "booking_id": booking_id,
                "booking_guest_id": booking_guest_id,
                "primary_guest_id": primary_guest_id,
                "first_name": first_name,
                "last_name": last_name,
                "guest_type": guest_type,
                "check_in_date": check_in_date,
                "check_out_date": check_out_date,
                "id_pin": id_pin,
            },
        )

    def task(
        self,
        hotel_id: int,
        room_id: int,
        *,
        task_type: str = "TURNOVER",
        status: str = "OPEN",
        created_at: datetime = datetime(2026, 1, 1, 9),
        booking_id: int | None = None,
        assigned_to_id: int | None = None,
        created_by_id: int | None = None,
        id: int | None = None,
    ) -> int:
        """Insert a ``housekeeping_housekeepingtask`` row."""
        return self._insert(
            "housekeeping_housekeepingtask",
            id,
            {
                "hotel_id": hotel_id,
                "room_id": room_id,
                "booking_id": booking_id,
                "assigned_to_id": assigned_to_id,
                "created_by_id": created_by_id,
                "task_type": task_type,
                "status": status,
                "created_at": created_at,
            },
        )

    # --- what the legacy application wrote ---------------------------------------------------

    def _party(
        self, booking: int, guests: int, names: Sequence[tuple[str, str]] | None
    ) -> list[int]:
        """The booking's party: ``guests`` rows, the first one primary."""
        if guests < 1:
            raise ValueError("a party has at least one member (use booking() for none)")
        chosen = list(names) if names is not None else []
        chosen += [
            ("Guest", _ORDINALS[i] if i < len(_ORDINALS) else f"No{i + 1}")
            for i in range(len(chosen), guests)
        ]
        return [
            self.party_member(booking, first_name=first, last_name=last, is_primary=i == 0)
            for i, (first, last) in enumerate(chosen[:guests])
        ]

    def _guest_rows(
        self,
        hotel_id: int,
        booking: int,
        party: list[int],
        *,
        room_id: int | None,
        check_in_date: date,
        check_out_date: date | None,
        with_pins: bool,
    ) -> list[int]:
        """One ``guests_guest`` row per party member, companions pointing at the primary."""
        with self._connection() as conn:
            members = {
                int(row_id): (str(first), str(last))
                for row_id, first, last in conn.execute(
                    text(
                        "SELECT id, first_name, last_name FROM hotel_bookingguest "
                        "WHERE booking_id = :b"
                    ),
                    {"b": booking},
                )
            }
        ids: list[int] = []
        for member in party:
            first, last = members[member]
            ids.append(
                self.guest(
                    hotel_id,
                    first_name=first,
                    last_name=last,
                    guest_type="PRIMARY" if not ids else "COMPANION",
                    room_id=room_id,
                    booking_id=booking,
                    booking_guest_id=member,
                    primary_guest_id=ids[0] if ids else None,
                    check_in_date=check_in_date,
                    check_out_date=check_out_date,
                    id_pin=self._unused_pin() if with_pins else None,
                )
            )
        return ids

    def in_house_booking(
        self,
        hotel_id: int,
        room_id: int,
        *,
        guests: int = 2,
        checked_in_at: datetime = datetime(2026, 1, 10, 15),
        token: str | None = None,
        check_in: date | None = None,
        check_out: date | None = None,
        assigned_at: datetime | None = None,
        assigned_by_id: int | None = None,
        booking_id: str | None = None,
        names: Sequence[tuple[str, str]] | None = None,
        id: int | None = None,
    ) -> int:
        """Write what the legacy application wrote for a check-in; return the booking's id.

        The booking (``check_in`` defaults to the day of ``checked_in_at``, ``check_out``
        to two days later) is assigned to ``room_id`` (``room_assigned_at`` defaults to ten
        minutes before ``checked_in_at``, by ``assigned_by_id``) and checked in. Its party
        has ``guests`` members (``names``, else "Guest One", "Guest Two", ...), the first
        primary; each member has a ``guests_guest`` row in the room with the booking, its
        party row, the primary's guest id (companions), its ``guest_type``, the
        ``check_in_date`` and an unused 4-digit ``id_pin``. The room is set
        ``is_occupied = 1``, ``room_status = 'OCCUPIED'``, ``guest_fcm_token = token``.
        """
        arrival = checked_in_at.date() if check_in is None else check_in
        with self._connection():
            booking = self.booking(
                hotel_id,
                booking_id=booking_id,
                check_in=arrival,
                check_out=arrival + timedelta(days=2) if check_out is None else check_out,
                assigned_room_id=room_id,
                checked_in_at=checked_in_at,
                room_assigned_at=(
                    checked_in_at - timedelta(minutes=10) if assigned_at is None else assigned_at
                ),
                room_assigned_by_id=assigned_by_id,
                id=id,
            )
            party = self._party(booking, guests, names)
            self._guest_rows(
                hotel_id,
                booking,
                party,
                room_id=room_id,
                check_in_date=checked_in_at.date(),
                check_out_date=None,
                with_pins=True,
            )
            self.execute(
                "UPDATE rooms_room SET is_occupied = :occupied, room_status = 'OCCUPIED', "
                "guest_fcm_token = :token WHERE id = :room",
                occupied=True,
                token=token,
                room=room_id,
            )
        return booking

    def departed_booking(
        self,
        hotel_id: int,
        room_id: int,
        *,
        guests: int = 2,
        checked_in_at: datetime = datetime(2026, 1, 10, 15),
        checked_out_at: datetime | None = None,
        check_in: date | None = None,
        check_out: date | None = None,
        assigned_at: datetime | None = None,
        assigned_by_id: int | None = None,
        booking_id: str | None = None,
        names: Sequence[tuple[str, str]] | None = None,
        update_room: bool = True,
        id: int | None = None,
    ) -> int:
        """Write a complete past stay as a clean legacy checkout leaves it; return its id.

        Like :meth:`in_house_booking`, then checked out: ``checked_out_at`` (default: two
        days after check-in at 10:00) is set and ``assigned_room_id`` cleared; the guests'
        ``room_id`` and ``id_pin`` are cleared and their ``check_out_date`` set. With
        ``update_room`` (the default) the room is left as checkout left it:
        ``is_occupied = 0``, ``room_status = 'CHECKOUT_DIRTY'``, ``guest_fcm_token``
        untouched (the legacy application never cleared it), and an ``OPEN`` ``TURNOVER``
        task for the booking created at ``checked_out_at``.
        """
        arrival = checked_in_at.date() if check_in is None else check_in
        departed = (
            datetime.combine(checked_in_at.date() + timedelta(days=2), time(10))
            if checked_out_at is None
            else checked_out_at
        )
        with self._connection():
            booking = self.booking(
                hotel_id,
                booking_id=booking_id,
                check_in=arrival,
                check_out=departed.date() if check_out is None else check_out,
                assigned_room_id=None,
                checked_in_at=checked_in_at,
                checked_out_at=departed,
                room_assigned_at=(
                    checked_in_at - timedelta(minutes=10) if assigned_at is None else assigned_at
                ),
                room_assigned_by_id=assigned_by_id,
                id=id,
            )
            party = self._party(booking, guests, names)
            self._guest_rows(
                hotel_id,
                booking,
                party,
                room_id=None,
                check_in_date=checked_in_at.date(),
                check_out_date=departed.date(),
                with_pins=False,
            )
            if update_room:
                self.execute(
                    "UPDATE rooms_room SET is_occupied = :vacant, "
                    "room_status = 'CHECKOUT_DIRTY' WHERE id = :room",
                    vacant=False,
                    room=room_id,
                )
                self.task(
                    hotel_id,
                    room_id,
                    task_type="TURNOVER",
                    status="OPEN",
                    created_at=departed,
                    booking_id=booking,
                )
        return booking

    def pre_assigned_booking(
        self,
        hotel_id: int,
        room_id: int,
        *,
        guests: int = 2,
        check_in: date = date(2026, 1, 10),
        check_out: date | None = None,
        assigned_at: datetime | None = None,
        assigned_by_id: int | None = None,
        booking_id: str | None = None,
        names: Sequence[tuple[str, str]] | None = None,
        id: int | None = None,
    ) -> int:
        """Write a booking assigned to ``room_id`` before arrival (not checked in).

        The booking (``check_out`` defaults to two days after ``check_in``) has
        ``assigned_room_id``, ``room_assigned_at`` (default: noon the day before arrival)
        and ``room_assigned_by_id``, and its party (the first member primary); there are no
        ``guests_guest`` rows yet (the legacy application wrote them at check-in) and the
        room is not touched.
        """
        with self._connection():
            booking = self.booking(
                hotel_id,
                booking_id=booking_id,
                check_in=check_in,
                check_out=check_in + timedelta(days=2) if check_out is None else check_out,
                assigned_room_id=room_id,
                room_assigned_at=(
                    datetime.combine(check_in - timedelta(days=1), time(12))
                    if assigned_at is None
                    else assigned_at
                ),
                room_assigned_by_id=assigned_by_id,
                id=id,
            )
            self._party(booking, guests, names)
        return booking


# --- the generator ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedLegacy:
    """What :func:`generate_legacy_database` wrote.

    ``planted``: for every kind of :data:`DEFECT_KINDS`, the number of instances planted
    (0 when ``defects=False``, for a kind the database cannot hold, or for
    ``cross_hotel_reference`` with one hotel). ``rows``: the number of rows in each legacy
    table at the end. ``audit_timestamps``: the number of non-null values among the six
    audit timestamp columns of ``hotel_roombooking``, counted by a query at the end.
    ``hotel_ids``: the hotels generated. ``today``: the generated database's "today".
    """

    planted: dict[str, int]
    rows: dict[str, int]
    audit_timestamps: int
    hotel_ids: list[int]
    today: date


_FIRST_NAMES: Final[tuple[str, ...]] = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sofia", "Mateo", "Mia", "Lucas",
    "Amara", "Kenji", "Fatima", "Omar", "Chloe", "Ivan", "Priya", "Arjun", "Hana", "Yuki",
    "Lena", "Jonas", "Marta", "Pablo", "Zoe", "Leo", "Ines", "Tariq", "Nora", "Felix",
    "Aisha", "Diego", "Greta", "Hugo", "Elif", "Kwame", "Mei", "Sven", "Rosa", "Theo",
)  # fmt: skip
_LAST_NAMES: Final[tuple[str, ...]] = (
    "Smith", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Nguyen", "Kim", "Tanaka",
    "Silva", "Okafor", "Haddad", "Patel", "Johansson", "Novak", "O'Brien", "Schmidt",
    "Martin", "Lopez", "Costa", "Ivanova", "Yilmaz", "Chen", "Wang", "Singh", "Brown",
    "Jensen", "de Vries", "Moreau", "Fischer", "Horvat", "Mensah", "Ali", "Sato", "Park",
    "Cohen", "Andersen", "Popescu", "Nakamura", "Ortiz",
)  # fmt: skip
_HOTEL_NAMES: Final[tuple[str, ...]] = (
    "Grand Hotel Central",
    "Harbour View Hotel",
    "The Alpine Lodge",
    "Riverside Suites",
    "Old Town Inn",
    "Seaside Resort",
)
_ROLES: Final[tuple[str, ...]] = (
    "FRONT_DESK",
    "HOUSEKEEPING",
    "SUPERVISOR",
    "MAINTENANCE",
    "MANAGER",
)

# the "today" states of a room; every vacant one is a legacy room_status
_IN_HOUSE: Final = "IN_HOUSE"
_READY_INSPECTED: Final = "READY_INSPECTED"
_READY: Final = "READY"
_DIRTY: Final = "CHECKOUT_DIRTY"
_CLEANING: Final = "CLEANING_IN_PROGRESS"
_CLEANED: Final = "CLEANED_UNINSPECTED"
_MAINTENANCE: Final = "MAINTENANCE_REQUIRED"
_OUT_OF_ORDER: Final = "OUT_OF_ORDER"
_VACANT_STATES: Final[tuple[str, ...]] = (
    _READY_INSPECTED,
    _READY,
    _DIRTY,
    _CLEANING,
    _CLEANED,
    _MAINTENANCE,
    _OUT_OF_ORDER,
)
_VACANT_WEIGHTS: Final[tuple[int, ...]] = (30, 15, 15, 10, 12, 10, 8)
_FORCED: Final[frozenset[str]] = frozenset({_DIRTY, _CLEANING, _CLEANED})
"""States whose room's last stay checked out this morning."""

# nights of a stay (mean about 2.3) and party sizes (1-4, mean about 1.9), by lookup
_NIGHTS: Final[tuple[int, ...]] = (
    (1,) * 38 + (2,) * 30 + (3,) * 14 + (4,) * 8 + (5,) * 4 + (6,) * 2 + (7,) * 2 + (10,) + (14,)
)
_PARTY: Final[tuple[int, ...]] = (1,) * 35 + (2,) * 45 + (3,) * 12 + (4,) * 8

_DAY: Final = timedelta(days=1)


class _Writer:
    """Buffers rows per table and writes them with ``executemany``, batch by batch.

    All buffers are written together, parents first, whenever one fills, so foreign keys
    hold at every statement (PostgreSQL checks them).
    """

    def __init__(
        self,
        conn: Connection,
        batch_size: int,
        progress: Callable[[str, int], object] | None,
    ) -> None:
        style = conn.dialect.paramstyle
        if style == "qmark":
            mark = "?"
        elif style in ("format", "pyformat"):
            mark = "%s"
        else:  # pragma: no cover - sqlite3 and psycopg use the two above
            raise NotImplementedError(f"paramstyle {style}")
        self._conn = conn
        self._batch_size = batch_size
        self._progress = progress
        self._sql = {
            table: f"INSERT INTO {table} ({', '.join(cols)}) "
            f"VALUES ({', '.join([mark] * len(cols))})"
            for table, cols in _COLUMNS.items()
        }
        self.buffers: dict[str, list[tuple[object, ...]]] = {t: [] for t in LEGACY_TABLES}
        self.written: dict[str, int] = dict.fromkeys(LEGACY_TABLES, 0)
        self.next_id: dict[str, int] = {}
        for table in LEGACY_TABLES:
            largest = conn.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one()
            self.next_id[table] = int(largest) + 1

    def new_id(self, table: str) -> int:
        """The next id of ``table``."""
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def add(self, table: str, row: tuple[object, ...]) -> None:
        """Buffer a row (its values already as the driver takes them)."""
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row, parents first."""
        for table in LEGACY_TABLES:
            buffer = self.buffers[table]
            if buffer:
                self._conn.exec_driver_sql(self._sql[table], buffer)
                self.written[table] += len(buffer)
                buffer.clear()
                if self._progress is not None:
                    self._progress(table, self.written[table])


class _Staff:
    """A hotel's staff ids by role (all, and active only)."""

    def __init__(self) -> None:
        self.all: dict[str, list[int]] = {role: [] for role in _ROLES}
        self.active: dict[str, list[int]] = {role: [] for role in _ROLES}
        self.desk: list[int] = []
        self.desk_active: list[int] = []


class _Room:
    """A room's plan for "today" and what its history left on it."""

    __slots__ = (
        "booking_check_out",
        "cleaned_at",
        "cleaned_by",
        "current_check_in",
        "forced",
        "horizon",
        "hotel",
        "id",
        "inspected_at",
        "inspected_by",
        "inspections",
        "last_booking",
        "last_checkout",
        "last_stay_booking",
        "number",
        "pre_assigned",
        "staff",
        "state",
        "stays",
        "token",
    )

    def __init__(self, hotel: int, room_id: int, number: str, staff: _Staff, state: str) -> None:
        self.hotel = hotel
        self.id = room_id
        self.number = number
        self.staff = staff
        self.state = state
        self.horizon = 0
        self.forced = False
        self.stays = 0
        self.current_check_in = 0
        self.pre_assigned = False
        self.inspections = state != _READY
        self.token: str | None = None
        self.cleaned_at: datetime | None = None
        self.cleaned_by: int | None = None
        self.inspected_at: datetime | None = None
        self.inspected_by: int | None = None
        self.last_booking: int | None = None
        self.last_stay_booking: int | None = None
        self.last_checkout: datetime | None = None
        self.booking_check_out: date | None = None


class _Hotel:
    """A generated hotel: its rooms, staff and the pools defects are planted from."""

    def __init__(self, hotel_id: int) -> None:
        self.id = hotel_id
        self.staff = _Staff()
        self.rooms: list[_Room] = []
        self.floor_size = 20
        self.booking_seq: dict[int, int] = {}
        self.history_sample: list[int] = []
        self.history_seen = 0
        self.in_house: list[tuple[int, int, date]] = []
        self.pre_assigned: list[tuple[int, int, date, date]] = []
        self.exemplars: set[int] = set()


class _Generator:
    """Writes one realistic legacy database (see :func:`generate_legacy_database`)."""

    def __init__(
        self,
        conn: Connection,
        *,
        rng: random.Random,
        today: date,
        writer: _Writer,
    ) -> None:
        self.conn = conn
        self.rng = rng
        self.r = rng.random
        self.today = today
        self.today_ord = today.toordinal()
        self.now = datetime.combine(today, time(18))
        self.w = writer
        sqlite = conn.dialect.name == "sqlite"
        self.ts: Callable[[datetime], object] = _datetime_text if sqlite else _same_datetime
        self.dt: Callable[[date], object] = _date_text if sqlite else _same_date
        self.hotels: list[_Hotel] = []
        self.pins: list[str] = []
        self.years = 1

    # --- small helpers -----------------------------------------------------------------------

    def pick(self, ids: Sequence[int]) -> int:
        """One of ``ids`` at random."""
        return ids[int(self.r() * len(ids))]

    def maybe(self, ids: Sequence[int], p: float) -> int | None:
        """One of ``ids`` with probability ``p``, else ``None``."""
        return ids[int(self.r() * len(ids))] if self.r() < p else None

    def moment(self, day_ord: int, start_hour: float, hours: float) -> datetime:
        """A random time on day ``day_ord`` between ``start_hour`` and ``start_hour+hours``."""
        seconds = start_hour * 3600 + self.r() * hours * 3600
        micro = int(self.r() * 1_000_000) if self.r() < 0.9 else 0
        return datetime.fromordinal(day_ord) + timedelta(seconds=int(seconds), microseconds=micro)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A random datetime strictly between ``start`` and ``end`` (when there is room)."""
        span = (end - start).total_seconds()
        if span <= 2:
            return start + (end - start) / 2
        return start + timedelta(seconds=1 + self.r() * (span - 2))

    def token(self) -> str:
        """A device token like the legacy app's push tokens."""
        bits = self.rng.getrandbits
        return f"{bits(64):016x}:APA91b{bits(128):032x}{bits(64):016x}"

    def booking_ref(self, hotel: _Hotel, check_in: date) -> str:
        """The human reference of a new booking of ``hotel``: ``BK-<year>-<seq>``."""
        year = check_in.year
        seq = hotel.booking_seq.get(year, 0) + 1
        hotel.booking_seq[year] = seq
        return f"BK-{year}-{seq:06d}"

    # --- hotels, staff, rooms ----------------------------------------------------------------

    def hotels_and_staff(self, hotels: int, rooms_per_hotel: int) -> None:
        """Write the hotels and their staff (every role, a few inactive)."""
        w = self.w
        for index in range(hotels):
            hotel = _Hotel(w.new_id("hotel_hotel"))
            name = _HOTEL_NAMES[index] if index < len(_HOTEL_NAMES) else f"Hotel {index + 1}"
            w.add("hotel_hotel", (hotel.id, name))
            counts = {
                "FRONT_DESK": max(3, rooms_per_hotel // 40),
                "HOUSEKEEPING": max(4, rooms_per_hotel // 15),
                "SUPERVISOR": max(2, rooms_per_hotel // 100),
                "MAINTENANCE": max(2, rooms_per_hotel // 120),
                "MANAGER": max(1, rooms_per_hotel // 300),
            }
            for role in _ROLES:
                for n in range(counts[role]):
                    staff_id = w.new_id("staff_staff")
                    active = not (n == counts[role] - 1 and n >= 2) and self.r() >= 0.05
                    w.add(
                        "staff_staff",
                        (
                            staff_id,
                            hotel.id,
                            self.rng.choice(_FIRST_NAMES),
                            self.rng.choice(_LAST_NAMES),
                            role,
                            active,
                        ),
                    )
                    hotel.staff.all[role].append(staff_id)
                    if active:
                        hotel.staff.active[role].append(staff_id)
            for role in _ROLES:  # every role keeps someone active
                if not hotel.staff.active[role]:
                    hotel.staff.active[role].append(hotel.staff.all[role][0])
            staff = hotel.staff
            staff.desk = (
                staff.all["FRONT_DESK"] * 4 + staff.all["SUPERVISOR"] + staff.all["MANAGER"]
            )
            staff.desk_active = (
                staff.active["FRONT_DESK"] * 4
                + staff.active["SUPERVISOR"]
                + staff.active["MANAGER"]
            )
            self.hotels.append(hotel)

    def rooms(self, rooms_per_hotel: int, bookings_per_hotel: int, years: int) -> None:
        """Plan every room's "today" and history; write the rooms."""
        r = self.r
        for hotel in self.hotels:
            states = self._states(rooms_per_hotel)
            first_of_state: set[str] = set()
            for index, state in enumerate(states):
                number = f"{index // hotel.floor_size + 1}{index % hotel.floor_size + 1:02d}"
                room = _Room(hotel.id, self.w.new_id("rooms_room"), number, hotel.staff, state)
                if state not in first_of_state:
                    first_of_state.add(state)
                    hotel.exemplars.add(room.id)
                if state == _IN_HOUSE:
                    back = (0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 6)[int(r() * 12)]
                    room.current_check_in = self.today_ord - back
                    room.horizon = room.current_check_in
                    if r() < 0.6:
                        room.token = self.token()
                elif state in _FORCED:
                    room.horizon = self.today_ord
                    room.forced = True
                elif state == _OUT_OF_ORDER:
                    room.horizon = self.today_ord - 3 - int(r() * 25)
                else:
                    room.horizon = self.today_ord - int(r() * 3)
                if state in (_READY, _READY_INSPECTED):
                    room.pre_assigned = r() < 0.4
                elif state in _FORCED:
                    room.pre_assigned = r() < 0.15
                hotel.rooms.append(room)
                self.w.add(
                    "rooms_room",
                    (
                        room.id,
                        hotel.id,
                        number,
                        state == _IN_HOUSE,
                        "OCCUPIED" if state == _IN_HOUSE else _status_of(state),
                        room.token,
                        None,
                        None,
                        None,
                        None,
                    ),
                )
            current = sum(1 for room in hotel.rooms if room.state == _IN_HOUSE or room.pre_assigned)
            future = max(1, rooms_per_hotel // 20)
            history = max(0, bookings_per_hotel - current - future)
            base, extra = divmod(history, rooms_per_hotel)
            lucky = set(self.rng.sample(range(rooms_per_hotel), extra))
            for index, room in enumerate(hotel.rooms):
                room.stays = base + (1 if index in lucky else 0)
                if room.forced and room.stays == 0:
                    room.stays = 1
        self.years = years

    def _states(self, n: int) -> list[str]:
        """The "today" states of a hotel's ``n`` rooms, in room order."""
        in_house = round(n * (0.60 + 0.10 * self.r()))
        vacant = n - in_house
        states = [_IN_HOUSE] * in_house
        states += list(_VACANT_STATES[: min(vacant, len(_VACANT_STATES))])
        states += self.rng.choices(
            _VACANT_STATES, weights=_VACANT_WEIGHTS, k=max(0, vacant - len(_VACANT_STATES))
        )
        self.rng.shuffle(states)
        return states

    # --- history -----------------------------------------------------------------------------

    def _room_stays(self, index: int, room: _Room) -> Iterator[tuple[int, int, int]]:
        """A room's past stays in order: ``(check-in day, room index, nights)``.

        Stay ``i`` of ``n`` lies in the ``i``-th of ``n`` equal slots of the room's history,
        so stays never overlap; the last stay of a "forced" room checks out on its horizon.
        """
        n = room.stays
        if n == 0:
            return
        start = self.today_ord - self.years * 365
        span = room.horizon - start
        if span < n:
            start, span = room.horizon - n, n
        r = self.r
        last = n - 1
        for i in range(n):
            a = start + (i * span) // n
            length = start + ((i + 1) * span) // n - a
            nights = _NIGHTS[int(r() * 100)]
            if nights > length:
                nights = length
            if i == last and room.forced:
                yield a + length - nights, index, nights
            else:
                yield a + int(r() * (length - nights + 1)), index, nights

    def history(self) -> None:
        """Write every room's past stays, in check-in order over all rooms."""
        rooms = [room for hotel in self.hotels for room in hotel.rooms]
        streams = [self._room_stays(index, room) for index, room in enumerate(rooms)]
        by_id = {hotel.id: hotel for hotel in self.hotels}
        remaining = [room.stays for room in rooms]
        for check_in, index, nights in heapq.merge(*streams):
            room = rooms[index]
            remaining[index] -= 1
            self.past_stay(by_id[room.hotel], room, check_in, nights, remaining[index] == 0)

    def audit(
        self, desk: Sequence[int], checked_in_at: datetime, check_in_ord: int
    ) -> tuple[object, ...]:
        """The assignment audit columns of a booking checked in at ``checked_in_at``.

        Returns ``(assigned_at, by, reassigned_at, by, unassigned_at, by)``, values ready.
        """
        r = self.r
        ts = self.ts
        if r() < 0.4:  # assigned at the desk on arrival
            assigned = checked_in_at - timedelta(seconds=60 + r() * 7200)
        else:
            assigned = self.moment(check_in_ord - 1 - int(r() * 20), 8, 12)
        reassigned: object = None
        reassigned_by: int | None = None
        unassigned: object = None
        unassigned_by: int | None = None
        p = r()
        if p < 0.10:
            reassigned = ts(self.between(assigned, checked_in_at))
            reassigned_by = self.pick(desk)
        elif p < 0.14:  # unassigned, then assigned again (room_assigned_at is the later one)
            unassigned = ts(assigned - timedelta(seconds=3600 + r() * 3 * 86400))
            unassigned_by = self.pick(desk)
        return (
            ts(assigned),
            self.pick(desk),
            reassigned,
            reassigned_by,
            unassigned,
            unassigned_by,
        )

    def party(self, booking: int, size: int) -> list[tuple[int, str, str]]:
        """Write a booking's party (the first member primary); return ``(id, first, last)``."""
        w = self.w
        members: list[tuple[int, str, str]] = []
        surname = _LAST_NAMES[int(self.r() * len(_LAST_NAMES))]
        for i in range(size):
            member = w.new_id("hotel_bookingguest")
            first = _FIRST_NAMES[int(self.r() * len(_FIRST_NAMES))]
            last = surname if self.r() < 0.7 else _LAST_NAMES[int(self.r() * len(_LAST_NAMES))]
            w.add("hotel_bookingguest", (member, booking, first, last, i == 0))
            members.append((member, first, last))
        return members

    def guests(
        self,
        hotel: int,
        booking: int,
        members: list[tuple[int, str, str]],
        room: int | None,
        check_in_date: date,
        check_out_date: date | None,
        pins: bool,
    ) -> None:
        """Write a ``guests_guest`` row per party member."""
        w = self.w
        primary: int | None = None
        checked_in = self.dt(check_in_date)
        checked_out = None if check_out_date is None else self.dt(check_out_date)
        for member, first, last in members:
            guest = w.new_id("guests_guest")
            pin = (self.pins.pop() if self.pins else None) if pins else None
            w.add(
                "guests_guest",
                (
                    guest,
                    hotel,
                    room,
                    booking,
                    member,
                    primary,
                    first,
                    last,
                    "PRIMARY" if primary is None else "COMPANION",
                    checked_in,
                    checked_out,
                    pin,
                ),
            )
            if primary is None:
                primary = guest

    def task(
        self,
        hotel: int,
        room: int,
        booking: int | None,
        assigned: int | None,
        created_by: int | None,
        task_type: str,
        status: str,
        created_at: datetime,
    ) -> None:
        """Buffer a housekeeping task."""
        self.w.add(
            "housekeeping_housekeepingtask",
            (
                self.w.new_id("housekeeping_housekeepingtask"),
                hotel,
                room,
                booking,
                assigned,
                created_by,
                task_type,
                status,
                self.ts(created_at),
            ),
        )

    def past_stay(self, hotel: _Hotel, room: _Room, ci_ord: int, nights: int, last: bool) -> None:
        """Write a checked-out stay: booking, party, guests, tasks; update the room's plan."""
        r = self.r
        w = self.w
        ts = self.ts
        staff = room.staff
        desk = staff.desk
        final = room.state if last else ""
        forced_last = last and room.forced
        check_in = date.fromordinal(ci_ord)
        co_ord = ci_ord + nights
        checked_in_at = self.moment(ci_ord, 14.5, 9)
        out_ord = co_ord
        if nights >= 2 and not forced_last and r() < 0.04:  # left early
            out_ord = ci_ord + 1 + int(r() * (nights - 1))
        checked_out_at = self.moment(out_ord, 7, 4.5)
        booking = w.new_id("hotel_roombooking")
        moved: object = None
        moved_by: int | None = None
        if nights >= 2 and r() < 0.03:
            moved = ts(self.between(checked_in_at, checked_out_at))
            moved_by = self.pick(desk)
        w.add(
            "hotel_roombooking",
            (
                booking,
                hotel.id,
                self.booking_ref(hotel, check_in),
                self.dt(check_in),
                self.dt(date.fromordinal(co_ord)),
                None,
                ts(checked_in_at),
                ts(checked_out_at),
                *self.audit(desk, checked_in_at, ci_ord),
                moved,
                moved_by,
            ),
        )
        members = self.party(booking, _PARTY[int(r() * 100)])
        self.guests(
            hotel.id,
            booking,
            members,
            None,
            checked_in_at.date(),
            checked_out_at.date(),
            False,
        )
        room.last_checkout = checked_out_at
        room.last_stay_booking = booking
        if not last:
            hotel.history_seen += 1
            if len(hotel.history_sample) < 32:
                hotel.history_sample.append(booking)
            else:
                slot = int(r() * hotel.history_seen)
                if slot < 32:
                    hotel.history_sample[slot] = booking
        housekeepers = staff.all["HOUSEKEEPING"]
        # a stay-over clean on longer stays
        if nights >= 3 and r() < 0.6:
            at = self.moment(ci_ord + 1, 9, 3)
            self.task(
                hotel.id, room.id, booking, self.pick(housekeepers), None, "CLEANING", "DONE", at
            )
        if r() < 0.025:
            at = self.between(checked_in_at, checked_out_at)
            self.task(
                hotel.id,
                room.id,
                booking if r() < 0.5 else None,
                self.pick(staff.all["MAINTENANCE"]),
                self.pick(desk),
                "MAINTENANCE",
                "DONE" if r() < 0.85 else "CANCELLED",
                at,
            )
        # the turnover after checkout (and, often, its inspection)
        created = checked_out_at + timedelta(seconds=r() * 300)
        created_by = self.maybe(desk, 0.5)
        if final == _DIRTY:
            active_hk = staff.active["HOUSEKEEPING"]
            self.task(
                hotel.id,
                room.id,
                booking,
                self.maybe(active_hk, 0.5),
                created_by,
                "TURNOVER",
                "OPEN",
                created,
            )
            return
        if final == _CLEANING:
            active_hk = staff.active["HOUSEKEEPING"]
            self.task(
                hotel.id,
                room.id,
                booking,
                self.pick(active_hk),
                created_by,
                "TURNOVER",
                "IN_PROGRESS",
                created,
            )
            return
        cleaner = self.pick(housekeepers if not last else staff.active["HOUSEKEEPING"])
        done = last or r() >= 0.03
        self.task(
            hotel.id,
            room.id,
            booking,
            cleaner,
            created_by,
            "TURNOVER",
            "DONE" if done else "CANCELLED",
            created,
        )
        if not done:
            return
        cleaned = created + timedelta(seconds=1200 + r() * 7800)
        room.cleaned_at, room.cleaned_by = cleaned, cleaner
        if final == _CLEANED:
            inspector = self.maybe(staff.active["SUPERVISOR"], 0.5)
            self.task(hotel.id, room.id, booking, inspector, None, "INSPECTION", "OPEN", cleaned)
            return
        if room.inspections and (final == _READY_INSPECTED or r() < 0.55):
            inspector = self.pick(
                staff.all["SUPERVISOR"] if not last else staff.active["SUPERVISOR"]
            )
            status = "DONE" if final == _READY_INSPECTED or r() >= 0.02 else "CANCELLED"
            self.task(hotel.id, room.id, booking, inspector, None, "INSPECTION", status, cleaned)
            if status == "DONE":
                room.inspected_at = cleaned + timedelta(seconds=600 + r() * 2100)
                room.inspected_by = inspector

    # --- today -------------------------------------------------------------------------------

    def current(self) -> None:
        """Write today's bookings (in house, assigned in advance, not yet assigned) and the
        open tasks of vacant rooms."""
        r = self.r
        w = self.w
        ts = self.ts
        today = self.today_ord
        for hotel in self.hotels:
            staff = hotel.staff
            desk = staff.desk_active
            for room in hotel.rooms:
                if room.state == _IN_HOUSE:
                    ci_ord = room.current_check_in
                    if ci_ord == today:
                        checked_in_at = self.moment(ci_ord, 14, 3.8)
                    else:
                        checked_in_at = self.moment(ci_ord, 14.5, 9)
                    co_ord = max(ci_ord + 1, today + (0 if r() < 0.12 else 1 + int(r() * 5)))
                    booking = w.new_id("hotel_roombooking")
                    moved: object = None
                    moved_by: int | None = None
                    if ci_ord < today and r() < 0.03:
                        moved = ts(self.between(checked_in_at, self.now))
                        moved_by = self.pick(desk)
                    check_in = date.fromordinal(ci_ord)
                    check_out = date.fromordinal(co_ord)
                    w.add(
                        "hotel_roombooking",
                        (
                            booking,
                            hotel.id,
                            self.booking_ref(hotel, check_in),
                            self.dt(check_in),
                            self.dt(check_out),
                            room.id,
                            ts(checked_in_at),
                            None,
                            *self.audit(desk, checked_in_at, ci_ord),
                            moved,
                            moved_by,
                        ),
                    )
                    members = self.party(booking, _PARTY[int(r() * 100)])
                    self.guests(
                        hotel.id, booking, members, room.id, checked_in_at.date(), None, True
                    )
                    room.last_booking = booking
                    room.booking_check_out = check_out
                    if room.id not in hotel.exemplars:
                        hotel.in_house.append((room.id, booking, check_out))
                    if ci_ord < today and r() < 0.2:
                        p = r()
                        status = "OPEN" if p < 0.5 else "IN_PROGRESS" if p < 0.75 else "DONE"
                        cleaner = self.pick(staff.active["HOUSEKEEPING"])
                        self.task(
                            hotel.id,
                            room.id,
                            booking,
                            cleaner if status != "OPEN" or r() < 0.5 else None,
                            self.maybe(desk, 0.3),
                            "CLEANING",
                            status,
                            self.moment(today, 8, 4),
                        )
                        if status == "DONE":
                            room.cleaned_at = self.moment(today, 12, 2)
                            room.cleaned_by = cleaner
                    continue
                if room.last_stay_booking is not None:
                    room.last_booking = room.last_stay_booking
                if room.state == _MAINTENANCE:
                    start = room.last_checkout or self.moment(today - 2, 8, 8)
                    self.task(
                        hotel.id,
                        room.id,
                        None,
                        self.maybe(staff.active["MAINTENANCE"], 0.5),
                        self.pick(desk + staff.active["HOUSEKEEPING"]),
                        "MAINTENANCE",
                        "OPEN",
                        self.between(start, self.now),
                    )
                elif room.state == _OUT_OF_ORDER:
                    self.task(
                        hotel.id,
                        room.id,
                        None,
                        self.pick(staff.active["MAINTENANCE"]),
                        self.pick(desk),
                        "MAINTENANCE",
                        "IN_PROGRESS",
                        self.moment(room.horizon + 1, 8, 4),
                    )
                elif room.state == _READY and room.cleaned_at is None:
                    room.cleaned_at = self.moment(today - 1, 10, 4)
                    room.cleaned_by = self.pick(staff.active["HOUSEKEEPING"])
                elif room.state == _READY_INSPECTED and room.inspected_at is None:
                    room.cleaned_at = self.moment(today - 1, 10, 2)
                    room.cleaned_by = self.pick(staff.active["HOUSEKEEPING"])
                    room.inspected_at = self.moment(today - 1, 13, 2)
                    room.inspected_by = self.pick(staff.active["SUPERVISOR"])
                if room.pre_assigned:
                    ci_ord = today if r() < 0.75 else today + 1 + int(r() * 3)
                    booking = self.pre_assigned(hotel, room.id, ci_ord)
                    if room.id not in hotel.exemplars:
                        check_in = date.fromordinal(ci_ord)
                        hotel.pre_assigned.append((room.id, booking, check_in, check_in))
            for _ in range(max(1, len(hotel.rooms) // 20)):  # arrivals without a room yet
                ci_ord = today + 1 + int(r() * 10)
                booking = w.new_id("hotel_roombooking")
                check_in = date.fromordinal(ci_ord)
                w.add(
                    "hotel_roombooking",
                    (
                        booking,
                        hotel.id,
                        self.booking_ref(hotel, check_in),
                        self.dt(check_in),
                        self.dt(date.fromordinal(ci_ord + _NIGHTS[int(r() * 100)])),
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                    ),
                )
                self.party(booking, _PARTY[int(r() * 100)])

    def pre_assigned(self, hotel: _Hotel, room: int, ci_ord: int) -> int:
        """Write a booking assigned to ``room`` ahead of its arrival on ``ci_ord``."""
        r = self.r
        desk = hotel.staff.desk_active
        booking = self.w.new_id("hotel_roombooking")
        check_in = date.fromordinal(ci_ord)
        assigned = self.moment(self.today_ord - int(r() * 6), 8, 9.9)
        reassigned: object = None
        reassigned_by: int | None = None
        if r() < 0.1:
            reassigned = self.ts(self.between(assigned, self.now))
            reassigned_by = self.pick(desk)
        self.w.add(
            "hotel_roombooking",
            (
                booking,
                hotel.id,
                self.booking_ref(hotel, check_in),
                self.dt(check_in),
                self.dt(date.fromordinal(ci_ord + _NIGHTS[int(r() * 100)])),
                room,
                None,
                None,
                self.ts(assigned),
                self.pick(desk),
                reassigned,
                reassigned_by,
                None,
                None,
                None,
                None,
            ),
        )
        self.party(booking, _PARTY[int(r() * 100)])
        return booking

    def finish_rooms(self) -> None:
        """Write what each room's history left on it (last cleaned / inspected, by whom)."""
        self.w.flush()
        sql = (
            "UPDATE rooms_room SET cleaned_by_staff_id = :cb, last_cleaned_at = :ca, "
            "inspected_by_staff_id = :ib, last_inspected_at = :ia WHERE id = :id"
        )
        rows = [
            {
                "id": room.id,
                "cb": room.cleaned_by,
                "ca": None if room.cleaned_at is None else self.ts(room.cleaned_at),
                "ib": room.inspected_by,
                "ia": None if room.inspected_at is None else self.ts(room.inspected_at),
            }
            for hotel in self.hotels
            for room in hotel.rooms
            if room.cleaned_at is not None or room.inspected_at is not None
        ]
        if rows:
            self.conn.execute(text(sql), rows)


def _status_of(state: str) -> str:
    """The legacy ``room_status`` of a vacant room's plan."""
    return "READY_FOR_GUEST" if state in (_READY, _READY_INSPECTED) else state


# --- defects ---------------------------------------------------------------------------------


class _Planter:
    """Plants the defects of :data:`DEFECT_KINDS`, with the builder, and counts them."""

    def __init__(self, gen: _Generator, db: LegacyDatabase) -> None:
        self.gen = gen
        self.db = db
        self.rng = gen.rng
        self.used: set[int] = set()
        self.used_bookings: set[int] = set()
        self.sqlite = db.dialect == "sqlite"
        self.extra_rooms: dict[int, int] = {}
        self.vacant: dict[int, list[int]] = {}
        self.ready: dict[int, list[int]] = {}
        for hotel in gen.hotels:
            candidates = [
                room
                for room in hotel.rooms
                if room.id not in hotel.exemplars and room.state != _IN_HOUSE
            ]
            self.ready[hotel.id] = [
                room.id
                for room in candidates
                if room.state in (_READY, _READY_INSPECTED) and not room.pre_assigned
            ]
            self.vacant[hotel.id] = [
                room.id
                for room in candidates
                if room.state in (_DIRTY, _CLEANING, _CLEANED, _MAINTENANCE)
                and not room.pre_assigned
            ]
            self.rng.shuffle(self.ready[hotel.id])
            self.rng.shuffle(self.vacant[hotel.id])
            self.rng.shuffle(hotel.in_house)
            self.rng.shuffle(hotel.pre_assigned)

    # --- resources ---------------------------------------------------------------------------

    def new_room(self, hotel: _Hotel) -> int:
        """A new, clean, vacant room of ``hotel`` (when the generated ones are used up)."""
        n = len(hotel.rooms) + self.extra_rooms.get(hotel.id, 0)
        self.extra_rooms[hotel.id] = self.extra_rooms.get(hotel.id, 0) + 1
        number = f"{n // hotel.floor_size + 1}{n % hotel.floor_size + 1:02d}"
        return self.db.room(
            hotel.id,
            number,
            cleaned_by_staff_id=self.gen.pick(hotel.staff.active["HOUSEKEEPING"]),
            last_cleaned_at=self.gen.moment(self.gen.today_ord - 1, 10, 3),
        )

    def free_room(self, hotel: _Hotel, *, ready_only: bool = False) -> int:
        """A vacant room of ``hotel`` no other defect uses (a new one if none is left)."""
        pools = [self.ready[hotel.id]] + ([] if ready_only else [self.vacant[hotel.id]])
        for pool in pools:
            while pool:
                room = pool.pop()
                if room not in self.used:
                    self.used.add(room)
                    return room
        room = self.new_room(hotel)
        self.used.add(room)
        return room

    def checked_in_at(self) -> datetime:
        """A check-in time of a guest in house today (today or in the last two days)."""
        day = self.gen.today_ord - int(self.gen.r() * 3)
        return self.gen.moment(day, 14, 3.8)

    def in_house_room(self, hotel: _Hotel, *, leaving_later: bool = False) -> tuple[int, int, date]:
        """An in-house room no other defect uses: ``(room, booking, check_out)``."""
        for i, (room, booking, check_out) in enumerate(hotel.in_house):
            if room in self.used or (leaving_later and check_out <= self.gen.today):
                continue
            del hotel.in_house[i]
            self.used.add(room)
            return room, booking, check_out
        room = self.new_room(hotel)
        self.used.add(room)
        check_out = self.gen.today + timedelta(days=2)
        booking = self.in_house(hotel, room, check_out=check_out)
        return room, booking, check_out

    def in_house(
        self,
        hotel: _Hotel,
        room: int,
        *,
        check_out: date | None = None,
        for_hotel: _Hotel | None = None,
    ) -> int:
        """Check a new booking of ``for_hotel`` (default ``hotel``) into ``room``."""
        owner = hotel if for_hotel is None else for_hotel
        at = self.checked_in_at()
        gen = self.gen
        return self.db.in_house_booking(
            owner.id,
            room,
            guests=1 + int(gen.r() * 3),
            checked_in_at=at,
            token=gen.token() if gen.r() < 0.5 else None,
            check_out=check_out or gen.today + timedelta(days=1 + int(gen.r() * 3)),
            assigned_by_id=gen.pick(owner.staff.desk_active),
            booking_id=gen.booking_ref(owner, at.date()),
            names=self.names(),
        )

    def names(self) -> list[tuple[str, str]]:
        """Four random guest names."""
        return [(self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES)) for _ in range(4)]

    def pre_assign(
        self,
        hotel: _Hotel,
        room: int,
        check_in: date,
        *,
        for_hotel: _Hotel | None = None,
        nights: int = 2,
    ) -> int:
        """Assign a new booking of ``for_hotel`` (default ``hotel``) to ``room``."""
        owner = hotel if for_hotel is None else for_hotel
        gen = self.gen
        return self.db.pre_assigned_booking(
            owner.id,
            room,
            guests=1 + int(gen.r() * 3),
            check_in=check_in,
            check_out=check_in + timedelta(days=nights),
            assigned_at=gen.moment(gen.today_ord - int(gen.r() * 4), 8, 9.9),
            assigned_by_id=gen.pick(owner.staff.desk_active),
            booking_id=gen.booking_ref(owner, check_in),
            names=self.names(),
        )

    def past_booking(self, hotel: _Hotel) -> int:
        """A past booking of ``hotel`` no other defect uses (a new one if none is left)."""
        while hotel.history_sample:
            booking = hotel.history_sample.pop()
            if booking not in self.used_bookings:
                self.used_bookings.add(booking)
                return booking
        gen = self.gen
        at = gen.moment(gen.today_ord - 30, 15, 4)
        booking = self.db.departed_booking(
            hotel.id,
            hotel.rooms[0].id,
            checked_in_at=at,
            booking_id=gen.booking_ref(hotel, at.date()),
            update_room=False,
        )
        self.used_bookings.add(booking)
        return booking

    # --- the defects -------------------------------------------------------------------------

    def plant(self) -> dict[str, int]:
        """Plant every kind of defect; return the number of each planted."""
        hotels = self.gen.hotels
        planted = dict.fromkeys(DEFECT_KINDS, 0)
        enforced = False
        if self.sqlite:
            enforced = bool(self.db.execute("PRAGMA foreign_keys")[0][0])
        per_kind = max(3, len(hotels))
        for k, kind in enumerate(DEFECT_KINDS):
            if kind in SQLITE_ONLY_DEFECTS and (not self.sqlite or enforced):
                continue
            if kind == "cross_hotel_reference" and len(hotels) < 2:
                continue
            method: Callable[[int, _Hotel], None] = getattr(self, kind)
            for i in range(per_kind):
                method(i, hotels[(i + k) % len(hotels)])
                planted[kind] += 1
        return planted

    def double_occupancy(self, i: int, hotel: _Hotel) -> None:
        """A second in-house booking checked into an in-house room."""
        room, _, _ = self.in_house_room(hotel)
        self.in_house(hotel, room)

    def phantom_occupancy(self, i: int, hotel: _Hotel) -> None:
        """A vacant room flagged occupied (status OCCUPIED, or still READY_FOR_GUEST)."""
        room = self.free_room(hotel, ready_only=True)
        status = "READY_FOR_GUEST" if i % 3 == 1 else "OCCUPIED"
        self.db.execute(
            "UPDATE rooms_room SET is_occupied = :yes, room_status = :status WHERE id = :room",
            yes=True,
            status=status,
            room=room,
        )

    def occupied_flag_false(self, i: int, hotel: _Hotel) -> None:
        """An in-house room with ``is_occupied = 0``, as Guest.delete() left it (the deleted
        guest being a companion, when the booking has one)."""
        room, booking, _ = self.in_house_room(hotel)
        companions = self.db.execute(
            "SELECT id FROM guests_guest WHERE booking_id = :b AND guest_type = 'COMPANION' "
            "ORDER BY id",
            b=booking,
        )
        if companions:
            self.db.execute("DELETE FROM guests_guest WHERE id = :g", g=companions[-1][0])
        self.db.execute(
            "UPDATE rooms_room SET is_occupied = :no WHERE id = :room", no=False, room=room
        )

    def preassignment_conflict(self, i: int, hotel: _Hotel) -> None:
        """A second booking assigned to a room already assigned to an arrival (even ``i``),
        or an arrival assigned to a room whose guests stay past its arrival (odd ``i``)."""
        today = self.gen.today
        if i % 2 == 0:
            found: tuple[int, date] | None = None
            for j, (room, _, check_in, _) in enumerate(hotel.pre_assigned):
                if room not in self.used:
                    del hotel.pre_assigned[j]
                    self.used.add(room)
                    found = room, check_in
                    break
            if found is None:
                room = self.free_room(hotel, ready_only=True)
                self.pre_assign(hotel, room, today)
                found = room, today
            self.pre_assign(hotel, found[0], found[1], nights=3)
        else:
            room, _, check_out = self.in_house_room(hotel, leaving_later=True)
            arrival = today + timedelta(days=int(self.gen.r() * (check_out - today).days))
            self.pre_assign(hotel, room, arrival)

    def cross_hotel_reference(self, i: int, hotel: _Hotel) -> None:
        """A booking of ``hotel`` assigned (even ``i``) or checked into (odd ``i``) a room of
        another hotel."""
        hotels = self.gen.hotels
        other = hotels[(hotels.index(hotel) + 1) % len(hotels)]
        room = self.free_room(other, ready_only=True)
        if i % 2 == 0:
            self.pre_assign(other, room, self.gen.today, for_hotel=hotel)
        else:
            self.in_house(other, room, for_hotel=hotel)

    def guest_room_drift(self, i: int, hotel: _Hotel) -> None:
        """An in-house guest whose ``room_id`` is another room than its booking's."""
        room, booking, _ = self.in_house_room(hotel)
        guests = self.db.execute(
            "SELECT id FROM guests_guest WHERE booking_id = :b ORDER BY id", b=booking
        )
        others = [r.id for r in hotel.rooms if r.id != room]
        self.db.execute(
            "UPDATE guests_guest SET room_id = :other WHERE id = :g",
            other=self.rng.choice(others),
            g=guests[-1][0],
        )

    def lingering_guest(self, i: int, hotel: _Hotel) -> None:
        """The guests of a room's last checked-out booking still in the room (room_id set,
        check_out_date NULL)."""
        rooms = [
            r
            for r in hotel.rooms
            if r.id not in self.used
            and r.id not in hotel.exemplars
            and r.last_stay_booking is not None
        ]
        if rooms:
            room = self.rng.choice(rooms)
            room_id, booking = room.id, room.last_stay_booking
        else:
            room_id = self.free_room(hotel)
            gen = self.gen
            booking = self.db.departed_booking(
                hotel.id,
                room_id,
                checked_in_at=gen.moment(gen.today_ord - 3, 15, 4),
                checked_out_at=gen.moment(gen.today_ord - 1, 8, 3),
            )
        self.used.add(room_id)
        self.db.execute(
            "UPDATE guests_guest SET room_id = :room, check_out_date = NULL WHERE booking_id = :b",
            room=room_id,
            b=booking,
        )

    def stale_device_token(self, i: int, hotel: _Hotel) -> None:
        """A vacant room keeping the device token of its last guest."""
        room = self.free_room(hotel)
        self.db.execute(
            "UPDATE rooms_room SET guest_fcm_token = :t WHERE id = :room",
            t=self.gen.token(),
            room=room,
        )

    def unknown_room_status(self, i: int, hotel: _Hotel) -> None:
        """A vacant room with a room_status the legacy code never defined."""
        room = self.free_room(hotel)
        self.db.execute(
            "UPDATE rooms_room SET room_status = :s WHERE id = :room",
            s=("DIRTY", "ready", "CLOSED", "Cleaning")[i % 4],
            room=room,
        )

    def empty_party(self, i: int, hotel: _Hotel) -> None:
        """A booking without party rows: a future arrival, a past stay, or an assigned
        arrival."""
        gen = self.gen
        today = gen.today
        variant = i % 3
        if variant == 0:
            check_in = today + timedelta(days=3 + int(gen.r() * 10))
            self.db.booking(
                hotel.id,
                booking_id=gen.booking_ref(hotel, check_in),
                check_in=check_in,
                check_out=check_in + timedelta(days=2),
            )
        elif variant == 1:
            at = gen.moment(gen.today_ord - 60 - int(gen.r() * 200), 15, 5)
            out = gen.moment(at.toordinal() + 2, 8, 3)
            self.db.booking(
                hotel.id,
                booking_id=gen.booking_ref(hotel, at.date()),
                check_in=at.date(),
                check_out=out.date(),
                checked_in_at=at,
                checked_out_at=out,
                room_assigned_at=at - timedelta(minutes=20),
                room_assigned_by_id=gen.pick(hotel.staff.desk),
            )
        else:
            room = self.free_room(hotel, ready_only=True)
            self.db.booking(
                hotel.id,
                booking_id=gen.booking_ref(hotel, today),
                check_in=today,
                check_out=today + timedelta(days=2),
                assigned_room_id=room,
                room_assigned_at=gen.moment(gen.today_ord - 1, 9, 8),
                room_assigned_by_id=gen.pick(hotel.staff.desk_active),
            )

    def unknown_staff_role(self, i: int, hotel: _Hotel) -> None:
        """A member of staff with a role the legacy code never defined."""
        self.db.staff(
            hotel.id,
            first_name=self.rng.choice(_FIRST_NAMES),
            last_name=self.rng.choice(_LAST_NAMES),
            role=("NIGHT_AUDITOR", "housekeeping", "CONCIERGE", "Front Desk")[i % 4],
        )

    def dates_reversed(self, i: int, hotel: _Hotel) -> None:
        """A booking whose check_out is before its check_in: a future arrival, a past stay,
        or an assigned arrival."""
        gen = self.gen
        today = gen.today
        variant = i % 3
        if variant == 0:
            check_in = today + timedelta(days=5 + int(gen.r() * 10))
            booking = self.db.booking(
                hotel.id,
                booking_id=gen.booking_ref(hotel, check_in),
                check_in=check_in,
                check_out=check_in - timedelta(days=2),
            )
            self.db.party_member(booking, first_name="Guest", last_name="Reversed", is_primary=True)
        elif variant == 1:
            at = gen.moment(gen.today_ord - 90 - int(gen.r() * 100), 15, 5)
            self.db.departed_booking(
                hotel.id,
                hotel.rooms[0].id,
                checked_in_at=at,
                checked_out_at=gen.moment(at.toordinal() + 1, 8, 3),
                check_in=at.date() + timedelta(days=1),
                check_out=at.date(),
                assigned_by_id=gen.pick(hotel.staff.desk),
                booking_id=gen.booking_ref(hotel, at.date()),
                names=self.names(),
                update_room=False,
            )
        else:
            room = self.free_room(hotel, ready_only=True)
            arrival = today + timedelta(days=1)
            booking = self.pre_assign(hotel, room, arrival)
            self.db.execute(
                "UPDATE hotel_roombooking SET check_out = :d WHERE id = :b",
                d=arrival - timedelta(days=1),
                b=booking,
            )

    def dangling_reference(self, i: int, hotel: _Hotel) -> None:
        """An id that does not exist: a booking's assigned_room_id (i % 3 == 0), a guest's
        booking_id (1), a room's cleaned_by_staff_id (2)."""
        gen = self.gen
        variant = i % 3
        if variant == 0:
            (missing,) = self.db.execute("SELECT MAX(id) + 1000 + :i FROM rooms_room", i=i)[0]
            check_in = gen.today + timedelta(days=1)
            booking = self.db.booking(
                hotel.id,
                booking_id=gen.booking_ref(hotel, check_in),
                check_in=check_in,
                check_out=check_in + timedelta(days=2),
                assigned_room_id=int(missing),
                room_assigned_at=gen.moment(gen.today_ord, 9, 6),
                room_assigned_by_id=gen.pick(hotel.staff.desk_active),
            )
            self.db.party_member(
                booking,
                first_name=self.rng.choice(_FIRST_NAMES),
                last_name=self.rng.choice(_LAST_NAMES),
                is_primary=True,
            )
        elif variant == 1:
            (missing,) = self.db.execute(
                "SELECT MAX(id) + 100000 + :i FROM hotel_roombooking", i=i
            )[0]
            day = gen.today - timedelta(days=40)
            self.db.guest(
                hotel.id,
                first_name=self.rng.choice(_FIRST_NAMES),
                last_name=self.rng.choice(_LAST_NAMES),
                booking_id=int(missing),
                check_in_date=day,
                check_out_date=day + timedelta(days=2),
            )
        else:
            (missing,) = self.db.execute("SELECT MAX(id) + 1000 + :i FROM staff_staff", i=i)[0]
            room = self.free_room(hotel)
            self.db.execute(
                "UPDATE rooms_room SET cleaned_by_staff_id = :s WHERE id = :room",
                s=int(missing),
                room=room,
            )

    def duplicate_room_number(self, i: int, hotel: _Hotel) -> None:
        """A second room of the hotel with an existing room's number."""
        existing = self.rng.choice(hotel.rooms)
        self.db.room(
            hotel.id,
            existing.number,
            room_status=("READY_FOR_GUEST", "OUT_OF_ORDER", "CHECKOUT_DIRTY")[i % 3],
        )

    def nul_in_text(self, i: int, hotel: _Hotel) -> None:
        """A NUL character inside a name: a guest's, a party member's or a staff member's."""
        variant = i % 3
        if variant == 2:
            staff = self.gen.pick(hotel.staff.all["FRONT_DESK"])
            table, row = "staff_staff", staff
        else:
            booking = self.past_booking(hotel)
            table = "guests_guest" if variant == 0 else "hotel_bookingguest"
            row = self.db.execute(f"SELECT MIN(id) FROM {table} WHERE booking_id = :b", b=booking)[
                0
            ][0]
        (name,) = self.db.execute(f"SELECT last_name FROM {table} WHERE id = :id", id=row)[0]
        self.db.execute(
            f"UPDATE {table} SET last_name = :n WHERE id = :id",
            n=f"{name[:2]}\x00{name[2:]}",
            id=row,
        )

    def unreadable_value(self, i: int, hotel: _Hotel) -> None:
        """Text that is not a date in a DATETIME or DATE column."""
        variant = i % 5
        if variant == 2:
            room = self.rng.choice(hotel.rooms).id
            self.db.execute(
                "UPDATE rooms_room SET last_cleaned_at = 'not a date' WHERE id = :room", room=room
            )
            return
        booking = self.past_booking(hotel)
        if variant == 0:
            self.db.execute(
                "UPDATE hotel_roombooking SET checked_out_at = 'yesterday' WHERE id = :b", b=booking
            )
        elif variant == 1:
            self.db.execute(
                "UPDATE guests_guest SET check_in_date = '2025-13-45' WHERE booking_id = :b",
                b=booking,
            )
        elif variant == 3:
            self.db.execute(
                "UPDATE hotel_roombooking SET check_in = '31/12/2025' WHERE id = :b", b=booking
            )
        else:
            self.db.execute(
                "UPDATE housekeeping_housekeepingtask SET created_at = '2025-02-30 25:61:00' "
                "WHERE booking_id = :b",
                b=booking,
            )


def default_bookings_per_hotel(rooms_per_hotel: int, years: int) -> int:
    """Enough bookings for ``years`` of history at about 2-day stays (about 80% booked)."""
    return max(1, round(rooms_per_hotel * years * 365 * 0.8 / 2.3))


def generate_legacy_database(
    engine: Engine,
    *,
    hotels: int = 2,
    rooms_per_hotel: int = 300,
    years: int = 3,
    bookings_per_hotel: int | None = None,
    seed: int = 0,
    defects: bool = True,
    batch_size: int = 5000,
    progress: Callable[[str, int], object] | None = None,
    today: date = GENERATED_TODAY,
) -> GeneratedLegacy:
    """Write a realistic legacy database on ``engine``; return what was written.

    Creates the legacy tables if ``hotel_hotel`` does not exist. For each of ``hotels``
    hotels: staff of every role (a few inactive); ``rooms_per_hotel`` rooms numbered by
    floor (``101``..``120``, ``201``.., 20 a floor); ``bookings_per_hotel`` bookings
    (default: :func:`default_bookings_per_hotel`), most of them ``years`` of past stays that
    never overlap on a room, each with its party (1-4, the first primary), its guests and
    the audit columns a legacy stay left (assigned at/by; sometimes reassigned, or
    unassigned then assigned again, or moved; checked in and out), and its housekeeping
    tasks (a TURNOVER after checkout, often an INSPECTION, stay-over CLEANING, now and then
    MAINTENANCE; done, some cancelled). Then "today" (``today``, with "now" at 18:00):
    60-70% of rooms in house (``OCCUPIED``, ``is_occupied = 1``, a device token on some),
    arrivals assigned in advance, a few arrivals without a room, and the vacant rooms in
    every legacy status (``READY_FOR_GUEST`` with and without an inspection recorded,
    ``CHECKOUT_DIRTY``, ``CLEANING_IN_PROGRESS``, ``CLEANED_UNINSPECTED``,
    ``MAINTENANCE_REQUIRED``, ``OUT_OF_ORDER``) with their open tasks.

    With ``defects``, at least three instances of each kind of :data:`DEFECT_KINDS` are
    planted (one more per hotel beyond three hotels), spread over the hotels; the kinds of
    :data:`SQLITE_ONLY_DEFECTS` only on SQLite (and ``dangling_reference`` only while the
    connection does not enforce foreign keys), ``cross_hotel_reference`` only with two
    hotels or more. Rows are streamed in batches of ``batch_size`` with ``executemany``;
    ``progress(table, rows_so_far)`` is called after each batch written to a table.
    Everything is written in one transaction. The same arguments give the same rows.
    """
    if hotels < 1 or rooms_per_hotel < 1 or years < 1 or batch_size < 1:
        raise ValueError("hotels, rooms_per_hotel, years and batch_size must be at least 1")
    if bookings_per_hotel is None:
        bookings_per_hotel = default_bookings_per_hotel(rooms_per_hotel, years)
    if not sqlalchemy.inspect(engine).has_table("hotel_hotel"):
        create_legacy_schema(engine)
    rng = random.Random(seed)
    with engine.begin() as conn:
        writer = _Writer(conn, batch_size, progress)
        gen = _Generator(conn, rng=rng, today=today, writer=writer)
        used_pins = {
            str(pin)
            for (pin,) in conn.execute(
                text("SELECT id_pin FROM guests_guest WHERE id_pin IS NOT NULL")
            )
        }
        gen.pins = [pin for pin in (f"{n:04d}" for n in range(10_000)) if pin not in used_pins]
        rng.shuffle(gen.pins)
        gen.hotels_and_staff(hotels, rooms_per_hotel)
        gen.rooms(rooms_per_hotel, bookings_per_hotel, years)
        gen.history()
        gen.current()
        gen.finish_rooms()
        planted = dict.fromkeys(DEFECT_KINDS, 0)
        if defects:
            planted = _Planter(gen, LegacyDatabase(conn, seed=seed)).plant()
        rows = {
            table: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for table in LEGACY_TABLES
        }
        audit = conn.execute(
            text(
                "SELECT "
                + " + ".join(f"COUNT({column})" for column in _AUDIT_TIMESTAMPS)
                + " FROM hotel_roombooking"
            )
        ).scalar_one()
    return GeneratedLegacy(
        planted=planted,
        rows=rows,
        audit_timestamps=int(audit),
        hotel_ids=[hotel.id for hotel in gen.hotels],
        today=today,
    )
