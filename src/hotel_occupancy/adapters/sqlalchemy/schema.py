"""The database schema, as SQLAlchemy Core tables.

The database guards what it can, so that no code path, concurrent or not, can break it:

- one occupancy record per room (its primary key is the room) and at most one room per
  booking, in one role: unique ``booking_id`` and ``arriving_booking_id`` columns, and a
  trigger refusing a booking one record holds as its booking and another as its arriving
  booking (:data:`OCCUPANCY_TRIGGERS`, §9);
- the front desk (§9): an arriving booking only in an OCCUPIED room holding another
  booking (CHECK); a cancelled or no-show booking was never checked in, is not both, names
  who closed it, and no room holds it (trigger); only a booking still expected is queued
  at the desk (CHECK); a member taken out of a party keeps its row, without a position;
- same-hotel references: every reference to a room, staff member or booking carries the
  hotel id and points at a ``(hotel_id, id)`` unique key, so a row of one hotel can never
  name another hotel's room, staff or booking;
- status/booking consistency (CHECK): OCCUPIED rooms hold a booking, rooms out of order
  or in maintenance hold none, a vacant room's status follows its condition;
- one open cleaning task per room, one open maintenance task per room (partial unique
  indexes);
- a unique PIN per hotel among in-house guests (PINs are cleared at checkout, and NULLs
  never collide), and departed guests hold neither PIN nor device token (CHECK);
- the housekeeping day (§10, CHECK): a service status only on an OCCUPIED room; a
  discrepancy names who reported it and when, a skip or person discrepancy only on an
  OCCUPIED room and a sleeper only on another one, observed guests only with a
  discrepancy; an out-of-service window only on a room out of order or in maintenance,
  with the condition it returns in (DIRTY or CLEAN); one night audit per hotel and
  business date (primary key);
- a unique ``request_id``;
- log entries record a state change (the four before/after states all set), except
  history imported from legacy audit columns (§12), for the operations an audit column
  becomes, and a STAY_CHANGE of a booking that holds no room (§9), naming the booking:
  all four NULL, and only such entries may name no room (CHECK);
- one writer per hotel (§12): a trigger refuses the library's log entries for a hotel the
  legacy application owns (:data:`ONE_WRITER_TRIGGERS`).

On PostgreSQL the log also carries the event feed's order (§11, see :mod:`.feed`): a
``BEFORE INSERT`` row trigger sets ``ho_log.txid`` (whatever the writer sent) to the
writing transaction's id, raised to the highest ``txid`` of the entries already naming its
rooms, and a statement-level ``AFTER INSERT`` trigger sends ``NOTIFY hotel_occupancy_feed``
(no payload; in a schema of the library's own, the schema's channel, :func:`feed_channel`):
writers send no statement for the feed. On SQLite ``txid`` stays NULL (the
feed reads by id there) and the partial indexes on it stay empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import DDL
from sqlalchemy.types import DateTime, TypeDecorator

from hotel_occupancy.domain.enums import (
    Condition,
    DiscrepancyKind,
    GuestType,
    OccupancyStatus,
    Operation,
    ServiceStatus,
    StaffRole,
    TaskKind,
    TaskStatus,
)
from hotel_occupancy.domain.legacy import Owner
from hotel_occupancy.domain.side_by_side import LEGACY_WRITES

__all__ = ["metadata"]

ID = 128  # matches hotel_occupancy.domain.validation.MAX_ID_LENGTH

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)
"""The library's tables, without a schema: on PostgreSQL an engine of
:func:`~hotel_occupancy.adapters.sqlalchemy.engine.in_schema` places them in a schema of
their own (SQLAlchemy's ``schema_translate_map``), so one metadata serves every placement."""


def schema_of(bind: Engine | Connection) -> str | None:
    """The schema an engine or connection places the library's tables in (see
    :func:`~hotel_occupancy.adapters.sqlalchemy.engine.in_schema`); None: the
    connection's default schema."""
    translate = bind.get_execution_options().get("schema_translate_map") or {}
    schema: str | None = translate.get(None)
    return schema


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime: refuses naive values, stores UTC, always reads back aware UTC.

    PostgreSQL stores it as ``timestamptz``; SQLite as its ISO text in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    # On SQLite each value would pass two processors, this type's and then (or first)
    # DateTime's, three Python calls deep: every operation binds and reads a dozen.
    # These give the very same values in one call (tests/unit/test_fast_paths.py holds
    # them to the two composed, for every kind of value).

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _sqlite_datetime


_SQLITE_FORMAT = "%04d-%02d-%02d %02d:%02d:%02d.%06d"
"""SQLite's DateTime storage format (SQLAlchemy's default), by position."""


def _sqlite_text(value: datetime | None) -> str | None:
    """UTCDateTime's process_bind_param, then SQLite DateTime's bind processor."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} cannot be stored")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return _SQLITE_FORMAT % (
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def _sqlite_datetime(value: str | None) -> datetime | None:
    """SQLite DateTime's result processor, then UTCDateTime's process_result_value."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def as_utc(value: datetime | str) -> datetime:
    """An aware UTC datetime from a value of a UTCDateTime column as the database driver
    returns it: aware (PostgreSQL), naive UTC, or SQLite's ISO text (naive UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _one_of(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v.value)) for v in values)})"


def _id(name: str, *args: Any, **kw: Any) -> Column[str]:
    return Column(name, String(ID), *args, **kw)


HOTEL_CHECKS = {
    "stayover_every_range": "stayover_every >= 0 AND stayover_every <= 366",
    "checkout_credits_range": "checkout_credits >= 1 AND checkout_credits <= 100",
    "stayover_credits_range": "stayover_credits >= 1 AND stayover_credits <= 100",
}
"""The CHECK constraints of ``ho_hotels`` on its housekeeping settings (§10), by name
(migration 0007 adds the same)."""

hotels = Table(
    "ho_hotels",
    metadata,
    _id("hotel_id", primary_key=True),
    Column("name", Text, nullable=False),
    Column(
        "require_inspection",
        Boolean(create_constraint=True, name="inspection_bool"),
        nullable=False,
    ),
    Column("timezone", String(64), nullable=False),
    Column("checkout_time", Time, nullable=False),
    Column(
        "enforce_stay_dates",
        Boolean(create_constraint=True, name="stay_dates_bool"),
        nullable=False,
    ),
    # the housekeeping day (§10): how often stayovers are cleaned, what a cleaning counts for
    Column("stayover_every", Integer, nullable=False, server_default=text("1")),
    Column("checkout_credits", Integer, nullable=False, server_default=text("2")),
    Column("stayover_credits", Integer, nullable=False, server_default=text("1")),
    # deactivated hotels (revision 0008): their staff may do nothing
    Column(
        "active",
        Boolean(create_constraint=True, name="hotel_active_bool"),
        nullable=False,
        server_default=text("TRUE"),
    ),
    *(CheckConstraint(condition, name=name) for name, condition in HOTEL_CHECKS.items()),
)

rooms = Table(
    "ho_rooms",
    metadata,
    _id("room_id", primary_key=True),
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), nullable=False),
    _id("number", nullable=False),
    Column("capacity", Integer, nullable=True),
    UniqueConstraint("hotel_id", "number"),
    UniqueConstraint("hotel_id", "room_id"),
    CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
)

staff = Table(
    "ho_staff",
    metadata,
    _id("staff_id", primary_key=True),
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean(create_constraint=True, name="active_bool"), nullable=False),
    UniqueConstraint("hotel_id", "staff_id"),
    CheckConstraint(_one_of("role", StaffRole), name="role_known"),
)

BOOKING_CLOSURE_CHECKS = {
    # a booking that never arrived is closed once: cancelled or a no-show, not both
    "cancelled_or_no_show": "cancelled_at IS NULL OR no_show_at IS NULL",
    "closed_never_checked_in": (
        "(cancelled_at IS NULL AND no_show_at IS NULL) OR checked_in_at IS NULL"
    ),
    "cancelled_by_someone": "(cancelled_at IS NULL) = (cancelled_by IS NULL)",
    "no_show_by_someone": "(no_show_at IS NULL) = (no_show_by IS NULL)",
    # only a guest still expected waits at the desk
    "queued_only_expected": (
        "queued_at IS NULL OR "
        "(checked_in_at IS NULL AND cancelled_at IS NULL AND no_show_at IS NULL)"
    ),
}
"""The CHECK constraints of ``ho_bookings`` on its cancellation, no-show and queue columns
(§9), by name (migration 0006 adds the same)."""

_EXPECTED = text("checked_in_at IS NULL AND cancelled_at IS NULL AND no_show_at IS NULL")
_IN_HOUSE = text("checked_in_at IS NOT NULL AND checked_out_at IS NULL")

bookings = Table(
    "ho_bookings",
    metadata,
    _id("booking_id", primary_key=True),
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), nullable=False),
    _id("reference", nullable=False),
    Column("arrival", Date, nullable=False),
    Column("departure", Date, nullable=False),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("checked_out_at", UTCDateTime, nullable=True),
    Column("moved_at", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    _id("cancelled_by", nullable=True),
    Column("no_show_at", UTCDateTime, nullable=True),
    _id("no_show_by", nullable=True),
    Column("queued_at", UTCDateTime, nullable=True),
    UniqueConstraint("hotel_id", "booking_id"),
    ForeignKeyConstraint(["hotel_id", "cancelled_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    ForeignKeyConstraint(["hotel_id", "no_show_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    CheckConstraint("departure >= arrival", name="dates_ordered"),
    CheckConstraint("checked_out_at IS NULL OR checked_in_at IS NOT NULL", name="out_after_in"),
    *(CheckConstraint(condition, name=name) for name, condition in BOOKING_CLOSURE_CHECKS.items()),
    # the front desk's lists (§9): a day's arrivals, the late ones, who is in house
    Index(None, "hotel_id", "arrival"),
    Index(
        "ix_ho_bookings_expected_arrival",
        "hotel_id",
        "arrival",
        sqlite_where=_EXPECTED,
        postgresql_where=_EXPECTED,
    ),
    Index(
        "ix_ho_bookings_in_house_departure",
        "hotel_id",
        "departure",
        sqlite_where=_IN_HOUSE,
        postgresql_where=_IN_HOUSE,
    ),
)

booking_guests = Table(
    "ho_booking_guests",
    metadata,
    _id("booking_guest_id", primary_key=True),
    _id("booking_id", ForeignKey("ho_bookings.booking_id"), nullable=False),
    # the member's place in the party; NULL: taken out of it (update_party), kept because
    # its guest records name it
    Column("position", Integer, nullable=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    UniqueConstraint("booking_id", "position"),
)

_STATUS_RULES = " AND ".join(
    [
        "(status <> 'OCCUPIED' OR booking_id IS NOT NULL)",
        "(status NOT IN ('OUT_OF_ORDER', 'MAINTENANCE') OR booking_id IS NULL)",
        "(status <> 'VACANT_CLEAN' OR condition IN ('CLEAN', 'INSPECTED'))",
        "(status <> 'VACANT_DIRTY' OR condition IN ('DIRTY', 'CLEANING'))",
        "((status = 'OCCUPIED') = (occupied_since IS NOT NULL))",
    ]
)

ARRIVING_RULE = (
    "arriving_booking_id IS NULL OR (status = 'OCCUPIED' AND booking_id IS NOT NULL "
    "AND arriving_booking_id <> booking_id)"
)
"""An arriving booking waits only in an occupied room, for another booking's guest to
leave (CHECK ``arriving_into_occupied``)."""

_WINDOW_STATUSES = (OccupancyStatus.OUT_OF_ORDER, OccupancyStatus.MAINTENANCE)
_OCCUPIED_DISCREPANCIES = (DiscrepancyKind.SKIP, DiscrepancyKind.PERSON)
_RETURN_CONDITIONS = (Condition.DIRTY, Condition.CLEAN)

HOUSEKEEPING_CHECKS = {
    "service_status_known": _one_of("service_status", ServiceStatus),
    # only the guests of an occupied room ask anything of housekeeping
    "service_only_occupied": "service_status = 'NONE' OR status = 'OCCUPIED'",
    "discrepancy_known": _one_of("discrepancy", DiscrepancyKind),
    # a skip or a person discrepancy is about an occupied room, a sleeper about a vacant one
    "discrepancy_matches_status": (
        f"discrepancy IS NULL OR ({_one_of('discrepancy', _OCCUPIED_DISCREPANCIES)} AND "
        "status = 'OCCUPIED') OR (discrepancy = 'SLEEP' AND status <> 'OCCUPIED')"
    ),
    "discrepancy_reported": (
        "(discrepancy IS NULL) = (discrepancy_by IS NULL) AND "
        "(discrepancy IS NULL) = (discrepancy_at IS NULL)"
    ),
    "observed_guests_counted": (
        "observed_guests IS NULL OR (observed_guests >= 0 AND discrepancy IS NOT NULL)"
    ),
    "return_condition_known": _one_of("return_condition", _RETURN_CONDITIONS),
    "window_complete": "(out_of_service_until IS NULL) = (return_condition IS NULL)",
    "window_out_of_service": (
        f"out_of_service_until IS NULL OR {_one_of('status', _WINDOW_STATUSES)}"
    ),
}
"""The CHECK constraints of ``ho_occupancies`` on the housekeeping day's columns (§10):
service status, discrepancy and out-of-service window, by name (migration 0007 adds the
same)."""

_DISCREPANCY_OPEN = text("discrepancy IS NOT NULL")

occupancies = Table(
    "ho_occupancies",
    metadata,
    _id("room_id", primary_key=True),
    _id("hotel_id", nullable=False),
    Column("status", String(20), nullable=False),
    Column("condition", String(20), nullable=False),
    _id("booking_id", nullable=True, unique=True),
    Column("occupied_since", UTCDateTime, nullable=True),
    Column("expected_checkout", UTCDateTime, nullable=True),
    _id("assigned_by", nullable=True),
    _id("last_cleaned_by", nullable=True),
    Column("last_cleaned_at", UTCDateTime, nullable=True),
    _id("last_inspected_by", nullable=True),
    Column("last_inspected_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # a booking pre-assigned to the room while its in-house guest is due out (§9)
    _id("arriving_booking_id", nullable=True, unique=True),
    # the housekeeping day (§10): what the guests asked, what housekeeping saw, and the
    # last day of an out-of-order or maintenance window with the condition it returns in
    Column("service_status", String(20), nullable=False, server_default=ServiceStatus.NONE.value),
    Column("discrepancy", String(20), nullable=True),
    _id("discrepancy_by", nullable=True),
    Column("discrepancy_at", UTCDateTime, nullable=True),
    Column("observed_guests", Integer, nullable=True),
    Column("out_of_service_until", Date, nullable=True),
    Column("return_condition", String(20), nullable=True),
    ForeignKeyConstraint(["hotel_id", "room_id"], ["ho_rooms.hotel_id", "ho_rooms.room_id"]),
    ForeignKeyConstraint(
        ["hotel_id", "booking_id"], ["ho_bookings.hotel_id", "ho_bookings.booking_id"]
    ),
    ForeignKeyConstraint(
        ["hotel_id", "arriving_booking_id"], ["ho_bookings.hotel_id", "ho_bookings.booking_id"]
    ),
    ForeignKeyConstraint(["hotel_id", "assigned_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    ForeignKeyConstraint(
        ["hotel_id", "last_cleaned_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]
    ),
    ForeignKeyConstraint(
        ["hotel_id", "last_inspected_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]
    ),
    ForeignKeyConstraint(
        ["hotel_id", "discrepancy_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]
    ),
    CheckConstraint(_one_of("status", OccupancyStatus), name="status_known"),
    CheckConstraint(_one_of("condition", Condition), name="condition_known"),
    CheckConstraint(_STATUS_RULES, name="status_consistent"),
    CheckConstraint(ARRIVING_RULE, name="arriving_into_occupied"),
    *(CheckConstraint(condition, name=name) for name, condition in HOUSEKEEPING_CHECKS.items()),
    Index(None, "hotel_id", "status"),
    Index(None, "booking_id", "status"),
    # the open discrepancies of a hotel (§10): few, so a partial index
    Index(
        "ix_ho_occupancies_open_discrepancies",
        "hotel_id",
        sqlite_where=_DISCREPANCY_OPEN,
        postgresql_where=_DISCREPANCY_OPEN,
    ),
)

guests = Table(
    "ho_guests",
    metadata,
    _id("guest_id", primary_key=True),
    _id("hotel_id", nullable=False),
    _id("booking_id", nullable=False),
    _id("booking_guest_id", ForeignKey("ho_booking_guests.booking_guest_id"), nullable=False),
    Column("guest_type", String(20), nullable=False),
    _id("primary_guest_id", ForeignKey("ho_guests.guest_id"), nullable=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("check_in_date", Date, nullable=False),
    Column("check_out_date", Date, nullable=True),
    Column("id_pin", String(6), nullable=True),
    Column("device_token", Text, nullable=True),
    ForeignKeyConstraint(
        ["hotel_id", "booking_id"], ["ho_bookings.hotel_id", "ho_bookings.booking_id"]
    ),
    UniqueConstraint("hotel_id", "id_pin"),
    CheckConstraint(_one_of("guest_type", GuestType), name="guest_type_known"),
    CheckConstraint(
        "check_out_date IS NULL OR (id_pin IS NULL AND device_token IS NULL)",
        name="departed_hold_nothing",
    ),
    CheckConstraint("check_out_date IS NOT NULL OR id_pin IS NOT NULL", name="in_house_have_pin"),
    Index(None, "booking_id"),
)

_OPEN = "status IN ('OPEN', 'IN_PROGRESS')"

tasks = Table(
    "ho_tasks",
    metadata,
    _id("task_id", primary_key=True),
    _id("hotel_id", nullable=False),
    _id("room_id", nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    _id("created_by", nullable=True),
    _id("assigned_to", nullable=True),
    _id("booking_id", nullable=True),
    Column("started_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    ForeignKeyConstraint(["hotel_id", "room_id"], ["ho_rooms.hotel_id", "ho_rooms.room_id"]),
    ForeignKeyConstraint(["hotel_id", "created_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    ForeignKeyConstraint(["hotel_id", "assigned_to"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    ForeignKeyConstraint(
        ["hotel_id", "booking_id"], ["ho_bookings.hotel_id", "ho_bookings.booking_id"]
    ),
    CheckConstraint(_one_of("kind", TaskKind), name="kind_known"),
    CheckConstraint(_one_of("status", TaskStatus), name="status_known"),
    Index(None, "hotel_id", "status"),
    Index(None, "room_id", "status"),
    Index(
        "uq_ho_tasks_one_open_cleaning_per_room",
        "room_id",
        unique=True,
        sqlite_where=text(f"{_OPEN} AND kind IN ('TURNOVER', 'CLEANING')"),
        postgresql_where=text(f"{_OPEN} AND kind IN ('TURNOVER', 'CLEANING')"),
    ),
    Index(
        "uq_ho_tasks_one_open_maintenance_per_room",
        "room_id",
        unique=True,
        sqlite_where=text(f"{_OPEN} AND kind = 'MAINTENANCE'"),
        postgresql_where=text(f"{_OPEN} AND kind = 'MAINTENANCE'"),
    ),
)

_STATES = ("status_before", "status_after", "condition_before", "condition_after")
HISTORY_OPERATIONS = (
    Operation.ASSIGN,
    Operation.REASSIGN,
    Operation.UNASSIGN,
    Operation.MOVE,
    Operation.CHECKIN,
    Operation.CHECKOUT,
)
"""The operations a legacy audit column can become (domain.legacy.AUDIT_COLUMNS): the only
ones whose log entries may lack the four state fields (imported history, §12)."""

HISTORY_OPERATION_RULE = (
    f"status_after IS NOT NULL OR {_one_of('operation', HISTORY_OPERATIONS)} OR "
    "(operation = 'STAY_CHANGE' AND room_id IS NULL AND booking_id IS NOT NULL)"
)
"""Which log entries may lack the four states (CHECK ``history_operation``): imported
history, and a change to a booking that holds no room (STAY_CHANGE naming the booking and
no room, §9)."""

_TXID_SET = text("txid IS NOT NULL")
_FROM_ROOM_TXID_SET = text("from_room_id IS NOT NULL AND txid IS NOT NULL")

log = Table(
    "ho_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _id("hotel_id", nullable=False),
    _id("room_id", nullable=True),  # NULL only on imported history naming no room
    Column("operation", String(20), nullable=False),
    _id("performed_by", nullable=False),
    _id("booking_id", nullable=True),
    _id("from_room_id", nullable=True),
    # the four states are NULL only on history imported from legacy audit columns
    Column("status_before", String(20), nullable=True),
    Column("status_after", String(20), nullable=True),
    Column("condition_before", String(20), nullable=True),
    Column("condition_after", String(20), nullable=True),
    Column("notes", Text, nullable=False),
    Column("metadata", Text, nullable=False),
    Column("timestamp", UTCDateTime, nullable=False),
    _id("request_id", nullable=True),
    # the feed's order on PostgreSQL, set by the trigger (see FEED_TRIGGERS); NULL on SQLite
    Column("txid", BigInteger, nullable=True),
    ForeignKeyConstraint(["hotel_id", "room_id"], ["ho_rooms.hotel_id", "ho_rooms.room_id"]),
    ForeignKeyConstraint(["hotel_id", "from_room_id"], ["ho_rooms.hotel_id", "ho_rooms.room_id"]),
    ForeignKeyConstraint(["hotel_id", "performed_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    ForeignKeyConstraint(
        ["hotel_id", "booking_id"], ["ho_bookings.hotel_id", "ho_bookings.booking_id"]
    ),
    ForeignKeyConstraint(["request_id"], ["ho_requests.request_id"]),
    CheckConstraint(_one_of("operation", Operation), name="operation_known"),
    CheckConstraint("from_room_id IS NULL OR from_room_id <> room_id", name="source_is_not_target"),
    CheckConstraint(
        " OR ".join(
            [
                "(" + " AND ".join(f"{c} IS NULL" for c in _STATES) + ")",
                "(" + " AND ".join(f"{c} IS NOT NULL" for c in _STATES) + ")",
            ]
        ),
        name="states_all_or_none",
    ),
    CheckConstraint(
        "room_id IS NOT NULL OR status_after IS NULL", name="room_unknown_only_in_history"
    ),
    CheckConstraint(HISTORY_OPERATION_RULE, name="history_operation"),
    Index(None, "room_id", "operation", "timestamp"),
    Index(None, "hotel_id", "operation", "timestamp"),  # a night audit's entries (§10)
    Index(None, "from_room_id"),
    Index(None, "booking_id", "timestamp"),
    Index(None, "performed_by", "timestamp"),
    Index(None, "request_id"),
    # the feed (PostgreSQL): pages in (txid, id) order, and the trigger's look-ups of a
    # room's latest txid; partial, so they stay empty on SQLite where txid is NULL
    Index(None, "txid", "id", sqlite_where=_TXID_SET, postgresql_where=_TXID_SET),
    Index(None, "room_id", "txid", sqlite_where=_TXID_SET, postgresql_where=_TXID_SET),
    Index(
        None,
        "from_room_id",
        "txid",
        sqlite_where=_FROM_ROOM_TXID_SET,
        postgresql_where=_FROM_ROOM_TXID_SET,
    ),
)

LOG_ENTRY_COLUMNS = tuple(c for c in log.c if c.name != "txid")
"""The columns of ``ho_log`` a :class:`~hotel_occupancy.domain.model.LogEntry` is read
from: all but the feed's key, so that reading entries works on a database of a revision
before 0004 too (the migrations' tests run services on older revisions)."""

FEED_CHANNEL = "hotel_occupancy_feed"
"""The PostgreSQL channel a transaction that appends to the log notifies (at commit), for
the library's tables in the default schema (:func:`feed_channel` for another)."""


def feed_channel(schema: str | None) -> str:
    """The PostgreSQL channel of the log in ``schema`` (None: the default schema):
    ``hotel_occupancy_feed.<schema>``, so that two instances of the library in two schemas
    of one database never wake each other's feed."""
    return FEED_CHANNEL if schema is None else f"{FEED_CHANNEL}.{schema}"


def feed_triggers(channel: str) -> tuple[str, ...]:
    """The PostgreSQL DDL of the feed, notifying ``channel``: see :data:`FEED_TRIGGERS`."""
    return (
        # the feed's order key: every transaction that is still running has an id at least
        # the reader's horizon (txid_snapshot_xmin), and so has every entry it writes; a
        # room's entries get non-decreasing keys (the room's operations queue up on its lock,
        # so its earlier entries are visible here), whatever order the transactions' ids are in
        """CREATE FUNCTION ho_log_feed_txid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := GREATEST(
        txid_current(),
        (SELECT max(txid) FROM ho_log WHERE room_id = NEW.room_id AND txid IS NOT NULL),
        (SELECT max(txid) FROM ho_log
         WHERE from_room_id = NEW.room_id AND from_room_id IS NOT NULL AND txid IS NOT NULL),
        (SELECT max(txid) FROM ho_log WHERE room_id = NEW.from_room_id AND txid IS NOT NULL),
        (SELECT max(txid) FROM ho_log
         WHERE from_room_id = NEW.from_room_id AND from_room_id IS NOT NULL
           AND txid IS NOT NULL));
    RETURN NEW;
END
$$""",
        f"""CREATE FUNCTION ho_log_feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', '');
    RETURN NULL;
END
$$""",
        "CREATE TRIGGER ho_log_feed_txid BEFORE INSERT ON ho_log "
        "FOR EACH ROW EXECUTE FUNCTION ho_log_feed_txid()",
        "CREATE TRIGGER ho_log_feed_notify AFTER INSERT ON ho_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION ho_log_feed_notify()",
    )


FEED_TRIGGERS = feed_triggers(FEED_CHANNEL)
"""The PostgreSQL DDL of the feed, run after ``ho_log`` is created (migration 0004 runs
the same statements), in the default schema; in another, the channel is the schema's
(:func:`feed_channel`) and the names resolve in it (see :mod:`.migrate`)."""

FEED_FUNCTIONS = ("ho_log_feed_txid", "ho_log_feed_notify")
"""The trigger functions of :data:`FEED_TRIGGERS` (dropped after ``ho_log``)."""


def _postgresql_ddl(statement: str) -> DDL:
    ddl = DDL(statement)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    return ddl.execute_if(dialect="postgresql")


def _create_feed(target: Table, connection: Connection, **kw: Any) -> None:
    if connection.dialect.name == "postgresql":
        for statement in feed_triggers(feed_channel(schema_of(connection))):
            connection.execute(DDL(statement))  # type: ignore[no-untyped-call]


event.listen(log, "after_create", _create_feed)
for _function in FEED_FUNCTIONS:
    event.listen(log, "after_drop", _postgresql_ddl(f"DROP FUNCTION IF EXISTS {_function}()"))

night_audits = Table(
    "ho_night_audits",
    metadata,
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), primary_key=True),
    Column("business_date", Date, primary_key=True),
    _id("performed_by", nullable=False),
    Column("performed_at", UTCDateTime, nullable=False),
    Column("rooms_changed", Integer, nullable=False),
    ForeignKeyConstraint(["hotel_id", "performed_by"], ["ho_staff.hotel_id", "ho_staff.staff_id"]),
    CheckConstraint("rooms_changed >= 0", name="rooms_changed_not_negative"),
)
"""The night audits done (§10): at most one per hotel and business date (its primary key),
by a staff member of the hotel."""

consumers = Table(
    "ho_consumers",
    metadata,
    _id("consumer", primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""The feed's named consumers and their positions (§11)."""

requests = Table(
    "ho_requests",
    metadata,
    _id("request_id", primary_key=True),
    Column("action", String(40), nullable=False),
    Column("fingerprint", Text, nullable=False),
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

pin_attempts = Table(
    "ho_pin_attempts",
    metadata,
    _id("room_id", primary_key=True),
    _id("hotel_id", nullable=False),
    Column("failures", Integer, nullable=False),
    Column("first_failure_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
    ForeignKeyConstraint(["hotel_id", "room_id"], ["ho_rooms.hotel_id", "ho_rooms.room_id"]),
    CheckConstraint("failures >= 1", name="failures_positive"),
)
"""Failed PIN attempts per room (verify_guest_pin): at most one row per room."""

resting_pins = Table(
    "ho_resting_pins",
    metadata,
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), primary_key=True),
    Column("pin", String(6), primary_key=True),
    Column("until", UTCDateTime, nullable=False),
    Index(None, "until"),
)
"""PINs freed at checkout, not issued again before ``until`` (the PIN quarantine)."""

legacy_hotels = Table(
    "ho_legacy_hotels",
    metadata,
    _id("hotel_id", ForeignKey("ho_hotels.hotel_id"), primary_key=True),
    Column("legacy_hotel_id", Integer, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("owner", String(20), nullable=False),
    Column("imported_at", UTCDateTime, nullable=False),
    CheckConstraint(_one_of("owner", Owner), name="owner_known"),
)
"""The hotels taken over from a legacy database (§12): which legacy hotel, with which id
prefix, when, and who writes its rooms and bookings now."""

legacy_handovers = Table(
    "ho_legacy_handovers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _id("hotel_id", ForeignKey("ho_legacy_hotels.hotel_id"), nullable=False, index=True),
    Column("owner", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("by", Text, nullable=False),
    Column("reason", Text, nullable=False),
    CheckConstraint(_one_of("owner", Owner), name="owner_known"),
)
"""Every change of an imported hotel's writer (§12): the cut-over to the library and back,
when, by whom and why."""

ONE_WRITER_MESSAGE = "hotel_occupancy: " + LEGACY_WRITES
"""What the database says when it refuses a library change to a legacy-owned hotel."""

_ONE_WRITER_WHEN = (
    "NEW.operation <> 'IMPORT' AND (NEW.status_after IS NOT NULL OR NEW.operation = "
    "'STAY_CHANGE') AND EXISTS (SELECT 1 FROM ho_legacy_hotels WHERE hotel_id = NEW.hotel_id "
    "AND owner = 'LEGACY')"
)
ONE_WRITER_TRIGGERS: dict[str, tuple[str, ...]] = {
    # one writer per hotel (§12): a log entry of a change the library made (not the
    # import's IMPORT entries, not imported history; a STAY_CHANGE naming no room is one)
    # is refused for a hotel the legacy application owns, and every operation appends one
    # in its transaction
    "postgresql": (
        f"""CREATE FUNCTION ho_log_one_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_ONE_WRITER_WHEN} THEN
        RAISE EXCEPTION '{ONE_WRITER_MESSAGE}';
    END IF;
    RETURN NEW;
END
$$""",
        "CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log "
        "FOR EACH ROW EXECUTE FUNCTION ho_log_one_writer()",
    ),
    "sqlite": (
        f"CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log WHEN {_ONE_WRITER_WHEN} "
        f"BEGIN SELECT RAISE(ABORT, '{ONE_WRITER_MESSAGE}'); END",
    ),
}
"""The DDL of the one-writer guard per dialect (migration 0006 runs the same; 0005 ran it
without STAY_CHANGE), made once every table exists."""

for _dialect, _statements in ONE_WRITER_TRIGGERS.items():
    for _statement in _statements:
        _ddl = DDL(_statement)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
        event.listen(metadata, "after_create", _ddl.execute_if(dialect=_dialect))
event.listen(
    metadata, "before_drop", _postgresql_ddl("DROP FUNCTION IF EXISTS ho_log_one_writer() CASCADE")
)

ONE_ROOM_MESSAGE = (
    "hotel_occupancy: a booking is held by at most one room, in one role (booking_id or "
    "arriving_booking_id)"
)
"""What the database says when an occupancy record would hold a booking another one holds
in the other role (I3, §9)."""

CLOSED_BOOKING_MESSAGE = "hotel_occupancy: a cancelled or no-show booking cannot hold a room"
"""What the database says when an occupancy record would hold a cancelled or no-show
booking (§9)."""

PLACEMENT_LOCKS = 0x686F_626B
"""The first key of the PostgreSQL advisory locks the occupancy guard takes on a booking it
is placing (the two-integer key space, like the feed's consumer locks):
``pg_advisory_xact_lock(this, hashtext(booking_id))`` (in a schema of the library's own,
of ``'<schema>.' || booking_id``: :func:`lock_name`)."""

AUDIT_LOCKS = 0x686F_6E61
"""The first key of the PostgreSQL advisory locks that serialise the night audits of a
hotel (§10, :class:`~hotel_occupancy.adapters.sqlalchemy.repositories.NightAudits`):
``pg_advisory_xact_lock(this, hashtext(hotel_id))`` (of :func:`lock_name`'s text in a
schema of the library's own). Distinct from :data:`PLACEMENT_LOCKS`
and the feed's consumer locks (``0x686F6665``); the request ids' locks use the one-bigint
key space, which never meets the two-integer one."""

_ONE_ROOM_WHEN = (
    "EXISTS (SELECT 1 FROM ho_occupancies AS other WHERE other.room_id <> NEW.room_id AND "
    "(other.booking_id = NEW.arriving_booking_id OR other.arriving_booking_id = NEW.booking_id))"
)
_CLOSED_WHEN = (
    "EXISTS (SELECT 1 FROM ho_bookings WHERE ho_bookings.booking_id IN (NEW.booking_id, "
    "NEW.arriving_booking_id) AND (ho_bookings.cancelled_at IS NOT NULL OR "
    "ho_bookings.no_show_at IS NOT NULL))"
)
_PLACING = "INSERT OR UPDATE OF booking_id, arriving_booking_id"
_HELD_WHEN = (
    "(NEW.cancelled_at IS NOT NULL OR NEW.no_show_at IS NOT NULL) AND EXISTS (SELECT 1 FROM "
    "ho_occupancies WHERE ho_occupancies.booking_id = NEW.booking_id OR "
    "ho_occupancies.arriving_booking_id = NEW.booking_id)"
)
_CLOSING = "UPDATE OF cancelled_at, no_show_at"


def lock_name(schema: str | None, name: str) -> str:
    """The text a PostgreSQL advisory lock of the library is keyed on (hashed) for ``name``
    (a request id, a hotel id, a consumer, a booking): ``name`` itself in the default
    schema, ``<schema>.<name>`` in a schema of the library's own, so that two instances in
    two schemas of one database never wait for each other's locks."""
    return name if schema is None else f"{schema}.{name}"


def in_lock_space(statement: str, schema: str | None) -> str:
    """A trigger function's DDL with its advisory locks keyed as :func:`lock_name` keys
    them in ``schema``."""
    if schema is None:
        return statement
    return statement.replace("hashtext(NEW.", f"hashtext('{schema}.' || NEW.")


def _placement_lock(column: str) -> str:
    return f"""    IF NEW.{column} IS NOT NULL AND (TG_OP = 'INSERT'
            OR NEW.{column} IS DISTINCT FROM OLD.{column}) THEN
        PERFORM pg_advisory_xact_lock({PLACEMENT_LOCKS}, hashtext(NEW.{column}));
    END IF;
"""


def _sqlite_guard(name: str, when: str, message: str) -> tuple[str, ...]:
    return tuple(  # one trigger per event
        f"CREATE TRIGGER {name}_{suffix} BEFORE {event_} ON ho_occupancies WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for suffix, event_ in (
            ("insert", "INSERT"),
            ("update", "UPDATE OF booking_id, arriving_booking_id"),
        )
    )


OCCUPANCY_TRIGGERS: dict[str, tuple[str, ...]] = {
    # one room per booking in either role (I3 across the two columns, which the unique
    # keys guard each on its own), and no room for a booking that will never arrive; on
    # PostgreSQL, writers placing the same booking queue up on an advisory lock held to
    # their commit, so the one that waited sees the other's row (read committed)
    "postgresql": (
        f"""CREATE FUNCTION ho_occupancies_one_room_per_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
{_placement_lock("booking_id")}{_placement_lock("arriving_booking_id")}    IF {_ONE_ROOM_WHEN} THEN
        RAISE EXCEPTION '{ONE_ROOM_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
        f"""CREATE FUNCTION ho_occupancies_open_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_CLOSED_WHEN} THEN
        RAISE EXCEPTION '{CLOSED_BOOKING_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
        f"CREATE TRIGGER ho_occupancies_one_room_per_booking BEFORE {_PLACING} ON ho_occupancies "
        "FOR EACH ROW EXECUTE FUNCTION ho_occupancies_one_room_per_booking()",
        f"CREATE TRIGGER ho_occupancies_open_bookings BEFORE {_PLACING} ON ho_occupancies "
        "FOR EACH ROW EXECUTE FUNCTION ho_occupancies_open_bookings()",
        f"""CREATE FUNCTION ho_bookings_closed_unheld() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_HELD_WHEN} THEN
        RAISE EXCEPTION '{CLOSED_BOOKING_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
        f"CREATE TRIGGER ho_bookings_closed_unheld BEFORE {_CLOSING} ON ho_bookings "
        "FOR EACH ROW EXECUTE FUNCTION ho_bookings_closed_unheld()",
    ),
    "sqlite": (
        *_sqlite_guard("ho_occupancies_one_room_per_booking", _ONE_ROOM_WHEN, ONE_ROOM_MESSAGE),
        *_sqlite_guard("ho_occupancies_open_bookings", _CLOSED_WHEN, CLOSED_BOOKING_MESSAGE),
        f"CREATE TRIGGER ho_bookings_closed_unheld BEFORE {_CLOSING} ON ho_bookings "
        f"WHEN {_HELD_WHEN} BEGIN SELECT RAISE(ABORT, '{CLOSED_BOOKING_MESSAGE}'); END",
    ),
}
"""The DDL of the occupancy guards per dialect (migration 0006 runs the same), made once
every table exists. SQLite names a trigger per event (``..._insert``, ``..._update``)."""

OCCUPANCY_FUNCTIONS = (
    "ho_occupancies_one_room_per_booking",
    "ho_occupancies_open_bookings",
    "ho_bookings_closed_unheld",
)
"""The PostgreSQL trigger functions of :data:`OCCUPANCY_TRIGGERS`."""


def _create_occupancy_guards(target: MetaData, connection: Connection, **kw: Any) -> None:
    dialect = connection.dialect.name
    for statement in OCCUPANCY_TRIGGERS.get(dialect, ()):
        if dialect == "postgresql":
            statement = in_lock_space(statement, schema_of(connection))
        connection.execute(DDL(statement))  # type: ignore[no-untyped-call]


event.listen(metadata, "after_create", _create_occupancy_guards)
for _function in OCCUPANCY_FUNCTIONS:
    event.listen(
        metadata,
        "before_drop",
        _postgresql_ddl(f"DROP FUNCTION IF EXISTS {_function}() CASCADE"),
    )
