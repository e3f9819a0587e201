"""housekeeping day: night audit, service status, discrepancies, out-of-service windows

Revision ID: 0007
Revises: 0006
Create Date: 2027-06-01

- ``ho_hotels``: ``stayover_every`` (nights between stayover cleanings, 0 to 366; existing
  hotels: 1, every day), ``checkout_credits`` and ``stayover_credits`` (what a cleaning
  counts for on a worksheet, 1 to 100; existing hotels: 2 and 1), NOT NULL, with those
  server defaults and CHECKs ``stayover_every_range``, ``checkout_credits_range``,
  ``stayover_credits_range``.
- ``ho_occupancies``:

  - ``service_status`` NOT NULL, server default ``'NONE'`` (existing records), a known
    value (CHECK ``service_status_known``), other than NONE only on an OCCUPIED room
    (``service_only_occupied``);
  - ``discrepancy`` (SKIP, SLEEP or PERSON: ``discrepancy_known``; SKIP and PERSON only on
    an OCCUPIED room, SLEEP only on another: ``discrepancy_matches_status``), with
    ``discrepancy_by`` (a staff member of the room's hotel: a foreign key to
    ``ho_staff (hotel_id, staff_id)``) and ``discrepancy_at``, set exactly when it is
    (``discrepancy_reported``), and ``observed_guests`` (at least 0, only with a
    discrepancy: ``observed_guests_counted``); a partial index on ``hotel_id`` of the
    records with a discrepancy (``ix_ho_occupancies_open_discrepancies``);
  - ``out_of_service_until`` and ``return_condition`` (DIRTY or CLEAN:
    ``return_condition_known``), set together (``window_complete``) and only while the
    room is OUT_OF_ORDER or MAINTENANCE (``window_out_of_service``);

  all NULL on existing records.
- ``ho_night_audits`` (new): one row per hotel and business date (its primary key), who
  did it (a staff member of the hotel), when, and how many rooms it changed (at least 0).
- ``ho_log``: ``operation_known`` admits SERVICE_STATUS, NIGHT_AUDIT and DISCREPANCY; an
  index on ``(hotel_id, operation, timestamp)`` finds a night audit's entries.

SQLite alters ``ho_hotels``, ``ho_occupancies`` and ``ho_log`` by copying each into a new
one (Alembic's batch mode), which drops the copied table's triggers, and renaming a copy
checks the triggers naming it: the guards revision 0006 made (the one-writer trigger on
``ho_log``, the occupancy guards on ``ho_occupancies``, and ``ho_bookings_closed_unheld``,
which reads ``ho_occupancies``) are dropped first and made again afterwards, as 0006 made
them (their text is frozen here; the test of this migration compares it with the one
create_schema makes). PostgreSQL alters the tables in place: its triggers and functions
stay.

Downgrading refuses while the database holds what revision 0006 cannot store: a service
status other than NONE, a discrepancy or an out-of-service window on an occupancy record,
a NIGHT_AUDIT, SERVICE_STATUS or DISCREPANCY log entry, a night audit. The hotels'
housekeeping settings are dropped (0006 has none; they misstate nothing when gone).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime
from hotel_occupancy.domain.errors import StorageError

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOTEL_COLUMNS = (("stayover_every", "1"), ("checkout_credits", "2"), ("stayover_credits", "1"))
_HOTEL_CHECKS = {
    "ck_ho_hotels_stayover_every_range": "stayover_every >= 0 AND stayover_every <= 366",
    "ck_ho_hotels_checkout_credits_range": "checkout_credits >= 1 AND checkout_credits <= 100",
    "ck_ho_hotels_stayover_credits_range": "stayover_credits >= 1 AND stayover_credits <= 100",
}

_OCCUPANCY_COLUMNS = (
    ("service_status", sa.String(length=20)),
    ("discrepancy", sa.String(length=20)),
    ("discrepancy_by", sa.String(length=128)),
    ("discrepancy_at", UTCDateTime()),
    ("observed_guests", sa.Integer()),
    ("out_of_service_until", sa.Date()),
    ("return_condition", sa.String(length=20)),
)
_OCCUPANCY_CHECKS = {
    "ck_ho_occupancies_service_status_known": "service_status IN ('NONE', 'DND', 'MAKE_UP_ROOM', 'SERVICE_REFUSED')",
    "ck_ho_occupancies_service_only_occupied": "service_status = 'NONE' OR status = 'OCCUPIED'",
    "ck_ho_occupancies_discrepancy_known": "discrepancy IN ('SKIP', 'SLEEP', 'PERSON')",
    "ck_ho_occupancies_discrepancy_matches_status": "discrepancy IS NULL OR (discrepancy IN ('SKIP', 'PERSON') AND status = 'OCCUPIED') OR (discrepancy = 'SLEEP' AND status <> 'OCCUPIED')",
    "ck_ho_occupancies_discrepancy_reported": "(discrepancy IS NULL) = (discrepancy_by IS NULL) AND (discrepancy IS NULL) = (discrepancy_at IS NULL)",
    "ck_ho_occupancies_observed_guests_counted": "observed_guests IS NULL OR (observed_guests >= 0 AND discrepancy IS NOT NULL)",
    "ck_ho_occupancies_return_condition_known": "return_condition IN ('DIRTY', 'CLEAN')",
    "ck_ho_occupancies_window_complete": "(out_of_service_until IS NULL) = (return_condition IS NULL)",
    "ck_ho_occupancies_window_out_of_service": "out_of_service_until IS NULL OR status IN ('OUT_OF_ORDER', 'MAINTENANCE')",
}
_DISCREPANCY_FK = "fk_ho_occupancies_hotel_id_discrepancy_by_ho_staff"
_DISCREPANCY_INDEX = "ix_ho_occupancies_open_discrepancies"

_OPERATIONS_0006 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER', 'STAY_CHANGE', 'IMPORT')"
_OPERATIONS_0007 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER', 'STAY_CHANGE', 'SERVICE_STATUS', 'NIGHT_AUDIT', 'DISCREPANCY', 'IMPORT')"
_NEW_OPERATIONS = ("SERVICE_STATUS", "NIGHT_AUDIT", "DISCREPANCY")
_LOG_INDEX = "ix_ho_log_hotel_id_operation_timestamp"

# SQLite's triggers as revision 0006 made them (and create_schema makes them at this
# revision), frozen
_LEGACY_WRITES = (
    "hotel_occupancy: the legacy application writes this hotel until `legacy cutover` "
    "hands it to the library"
)
_ONE_WRITER_WHEN = (
    "NEW.operation <> 'IMPORT' AND (NEW.status_after IS NOT NULL OR NEW.operation = "
    "'STAY_CHANGE') AND EXISTS (SELECT 1 FROM ho_legacy_hotels WHERE hotel_id = NEW.hotel_id "
    "AND owner = 'LEGACY')"
)
_ONE_ROOM_MESSAGE = (
    "hotel_occupancy: a booking is held by at most one room, in one role (booking_id or "
    "arriving_booking_id)"
)
_CLOSED_MESSAGE = "hotel_occupancy: a cancelled or no-show booking cannot hold a room"
_ONE_ROOM_WHEN = "EXISTS (SELECT 1 FROM ho_occupancies AS other WHERE other.room_id <> NEW.room_id AND (other.booking_id = NEW.arriving_booking_id OR other.arriving_booking_id = NEW.booking_id))"
_CLOSED_WHEN = "EXISTS (SELECT 1 FROM ho_bookings WHERE ho_bookings.booking_id IN (NEW.booking_id, NEW.arriving_booking_id) AND (ho_bookings.cancelled_at IS NOT NULL OR ho_bookings.no_show_at IS NOT NULL))"
_HELD_WHEN = "(NEW.cancelled_at IS NOT NULL OR NEW.no_show_at IS NOT NULL) AND EXISTS (SELECT 1 FROM ho_occupancies WHERE ho_occupancies.booking_id = NEW.booking_id OR ho_occupancies.arriving_booking_id = NEW.booking_id)"
_SQLITE_TRIGGERS = {
    "ho_log_one_writer": (
        f"CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log WHEN {_ONE_WRITER_WHEN} "
        f"BEGIN SELECT RAISE(ABORT, '{_LEGACY_WRITES}'); END"
    ),
    **{
        f"{name}_{suffix}": (
            f"CREATE TRIGGER {name}_{suffix} BEFORE {event} ON ho_occupancies WHEN {when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        for name, when, message in (
            ("ho_occupancies_one_room_per_booking", _ONE_ROOM_WHEN, _ONE_ROOM_MESSAGE),
            ("ho_occupancies_open_bookings", _CLOSED_WHEN, _CLOSED_MESSAGE),
        )
        for suffix, event in (
            ("insert", "INSERT"),
            ("update", "UPDATE OF booking_id, arriving_booking_id"),
        )
    },
    "ho_bookings_closed_unheld": (
        "CREATE TRIGGER ho_bookings_closed_unheld BEFORE UPDATE OF cancelled_at, no_show_at "
        f"ON ho_bookings WHEN {_HELD_WHEN} BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END"
    ),
}


def _drop_sqlite_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _make_sqlite_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)


def _replace_check(batch: BatchOperations, name: str, condition: str) -> None:
    batch.drop_constraint(op.f(name), type_="check")
    batch.create_check_constraint(op.f(name), condition)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_sqlite_triggers(dialect)

    with op.batch_alter_table("ho_hotels") as batch:  # existing hotels: the defaults
        for name, default in _HOTEL_COLUMNS:
            batch.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text(default))
            )
        for name, condition in _HOTEL_CHECKS.items():
            batch.create_check_constraint(op.f(name), condition)

    with op.batch_alter_table("ho_occupancies") as batch:  # existing records: NONE, NULL
        for name, kind in _OCCUPANCY_COLUMNS:
            if name == "service_status":
                batch.add_column(
                    sa.Column(name, kind, nullable=False, server_default=sa.text("'NONE'"))
                )
            else:
                batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_foreign_key(
            op.f(_DISCREPANCY_FK),
            "ho_staff",
            ["hotel_id", "discrepancy_by"],
            ["hotel_id", "staff_id"],
        )
        for name, condition in _OCCUPANCY_CHECKS.items():
            batch.create_check_constraint(op.f(name), condition)
    partial = sa.text("discrepancy IS NOT NULL")
    op.create_index(
        _DISCREPANCY_INDEX,
        "ho_occupancies",
        ["hotel_id"],
        unique=False,
        sqlite_where=partial,
        postgresql_where=partial,
    )

    with op.batch_alter_table("ho_log") as batch:
        _replace_check(batch, "ck_ho_log_operation_known", _OPERATIONS_0007)
    op.create_index(_LOG_INDEX, "ho_log", ["hotel_id", "operation", "timestamp"], unique=False)

    op.create_table(
        "ho_night_audits",
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("performed_by", sa.String(length=128), nullable=False),
        sa.Column("performed_at", UTCDateTime(), nullable=False),
        sa.Column("rooms_changed", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rooms_changed >= 0", name=op.f("ck_ho_night_audits_rooms_changed_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_night_audits_hotel_id_ho_hotels")
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "performed_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_night_audits_hotel_id_performed_by_ho_staff"),
        ),
        sa.PrimaryKeyConstraint("hotel_id", "business_date", name=op.f("pk_ho_night_audits")),
    )

    _make_sqlite_triggers(dialect)


def _refuse_what_0006_cannot_store() -> None:
    bind = op.get_bind()
    operations = ", ".join(f"'{name}'" for name in _NEW_OPERATIONS)
    counts = {
        "occupancy records with a service status": (
            "SELECT count(*) FROM ho_occupancies WHERE service_status <> 'NONE'"
        ),
        "discrepancies": "SELECT count(*) FROM ho_occupancies WHERE discrepancy IS NOT NULL",
        "out-of-service windows": (
            "SELECT count(*) FROM ho_occupancies WHERE out_of_service_until IS NOT NULL"
        ),
        "NIGHT_AUDIT, SERVICE_STATUS or DISCREPANCY log entries": (
            f"SELECT count(*) FROM ho_log WHERE operation IN ({operations})"
        ),
        "night audits": "SELECT count(*) FROM ho_night_audits",
    }
    kept = {what: bind.execute(sa.text(query)).scalar_one() for what, query in counts.items()}
    held = ", ".join(f"{n} {what}" for what, n in kept.items() if n)
    if held:
        raise StorageError(
            f"cannot downgrade to revision 0006: the database holds {held}, which 0006 "
            "cannot store; nothing was changed"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _refuse_what_0006_cannot_store()
    _drop_sqlite_triggers(dialect)

    op.drop_table("ho_night_audits")

    op.drop_index(_LOG_INDEX, table_name="ho_log")
    with op.batch_alter_table("ho_log") as batch:
        _replace_check(batch, "ck_ho_log_operation_known", _OPERATIONS_0006)

    op.drop_index(_DISCREPANCY_INDEX, table_name="ho_occupancies")
    with op.batch_alter_table("ho_occupancies") as batch:
        for name in _OCCUPANCY_CHECKS:
            batch.drop_constraint(op.f(name), type_="check")
        batch.drop_constraint(op.f(_DISCREPANCY_FK), type_="foreignkey")
        for name, _ in reversed(_OCCUPANCY_COLUMNS):
            batch.drop_column(name)

    with op.batch_alter_table("ho_hotels") as batch:
        for name in _HOTEL_CHECKS:
            batch.drop_constraint(op.f(name), type_="check")
        for name, _ in reversed(_HOTEL_COLUMNS):
            batch.drop_column(name)

    _make_sqlite_triggers(dialect)
