"""front desk: bookings that change, arrivals into departing rooms

Revision ID: 0006
Revises: 0005
Create Date: 2027-04-01

- ``ho_hotels.enforce_stay_dates`` (existing hotels: false, today's behaviour).
- ``ho_bookings``: ``cancelled_at``/``cancelled_by``, ``no_show_at``/``no_show_by`` (the
  staff member, of the booking's hotel) and ``queued_at``, all NULL on existing bookings,
  with CHECKs: not both cancelled and a no-show, neither ever checked in, the staff member
  named exactly when the time is, queued only while still expected. Indexes for the front
  desk's lists: ``(hotel_id, arrival)``, and partial ones on the bookings still expected
  and on those in house.
- ``ho_booking_guests.position`` becomes nullable: a member taken out of its party keeps
  its row (its guest records name it), without a place.
- ``ho_occupancies.arriving_booking_id``: unique, of the room's hotel, only on an OCCUPIED
  room holding another booking (CHECK ``arriving_into_occupied``); triggers refuse a
  booking held by two rooms in different roles, and a room holding a cancelled or no-show
  booking (PostgreSQL: functions of the same names).
- ``ho_log``: ``operation_known`` admits STAY_CHANGE, and ``history_operation`` admits a
  STAY_CHANGE entry naming a booking and no room without the four states (a change to a
  booking that holds no room). The one-writer guard now also refuses such an entry for a
  legacy-owned hotel: its trigger (and function) is made again.

SQLite alters these tables by copying each into a new one (Alembic's batch mode; the
migration runs with foreign key enforcement off and checks the references at the end),
which drops the copied table's triggers: the one-writer trigger is made again after
``ho_log`` is copied. PostgreSQL alters them in place (the feed's triggers stay).

Downgrading refuses while the database holds what revision 0005 cannot store or would
misstate: STAY_CHANGE entries, members taken out of a party, cancelled or no-show bookings,
arriving bookings. The hotels' ``enforce_stay_dates`` and the queue at the desk
(``queued_at``) are dropped (0005 has neither). The triggers' text is frozen here (the
test of this migration compares it with the one create_schema makes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime, in_lock_space, schema_of
from hotel_occupancy.domain.errors import StorageError

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BOOKING_CHECKS = {
    "ck_ho_bookings_cancelled_or_no_show": "cancelled_at IS NULL OR no_show_at IS NULL",
    "ck_ho_bookings_closed_never_checked_in": "(cancelled_at IS NULL AND no_show_at IS NULL) OR checked_in_at IS NULL",
    "ck_ho_bookings_cancelled_by_someone": "(cancelled_at IS NULL) = (cancelled_by IS NULL)",
    "ck_ho_bookings_no_show_by_someone": "(no_show_at IS NULL) = (no_show_by IS NULL)",
    "ck_ho_bookings_queued_only_expected": "queued_at IS NULL OR (checked_in_at IS NULL AND cancelled_at IS NULL AND no_show_at IS NULL)",
}
_BOOKING_STAFF = ("cancelled_by", "no_show_by")
_BOOKING_INDEXES = (
    ("ix_ho_bookings_hotel_id_arrival", ["hotel_id", "arrival"], None),
    (
        "ix_ho_bookings_expected_arrival",
        ["hotel_id", "arrival"],
        "checked_in_at IS NULL AND cancelled_at IS NULL AND no_show_at IS NULL",
    ),
    (
        "ix_ho_bookings_in_house_departure",
        ["hotel_id", "departure"],
        "checked_in_at IS NOT NULL AND checked_out_at IS NULL",
    ),
)
_ARRIVING_RULE = "arriving_booking_id IS NULL OR (status = 'OCCUPIED' AND booking_id IS NOT NULL AND arriving_booking_id <> booking_id)"

_OPERATIONS_0005 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER', 'IMPORT')"
_OPERATIONS_0006 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER', 'STAY_CHANGE', 'IMPORT')"
_HISTORY_0005 = "status_after IS NOT NULL OR operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT')"
_HISTORY_0006 = "status_after IS NOT NULL OR operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT') OR (operation = 'STAY_CHANGE' AND room_id IS NULL AND booking_id IS NOT NULL)"

_LEGACY_WRITES = (
    "hotel_occupancy: the legacy application writes this hotel until `legacy cutover` "
    "hands it to the library"
)
_ONE_WRITER_WHEN_0005 = (
    "NEW.operation <> 'IMPORT' AND NEW.status_after IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "ho_legacy_hotels WHERE hotel_id = NEW.hotel_id AND owner = 'LEGACY')"
)
_ONE_WRITER_WHEN_0006 = (
    "NEW.operation <> 'IMPORT' AND (NEW.status_after IS NOT NULL OR NEW.operation = "
    "'STAY_CHANGE') AND EXISTS (SELECT 1 FROM ho_legacy_hotels WHERE hotel_id = NEW.hotel_id "
    "AND owner = 'LEGACY')"
)


def _one_writer(dialect: str, when: str) -> tuple[str, ...]:
    """The one-writer guard's DDL (as revision 0005 made it, with its condition ``when``)."""
    if dialect == "postgresql":
        return (
            f"""CREATE FUNCTION ho_log_one_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {when} THEN
        RAISE EXCEPTION '{_LEGACY_WRITES}';
    END IF;
    RETURN NEW;
END
$$""",
            "CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log "
            "FOR EACH ROW EXECUTE FUNCTION ho_log_one_writer()",
        )
    return (
        f"CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{_LEGACY_WRITES}'); END",
    )


def _drop_one_writer(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ho_log_one_writer ON ho_log")
        op.execute("DROP FUNCTION IF EXISTS ho_log_one_writer()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ho_log_one_writer")


_ONE_ROOM_MESSAGE = (
    "hotel_occupancy: a booking is held by at most one room, in one role (booking_id or "
    "arriving_booking_id)"
)
_CLOSED_MESSAGE = "hotel_occupancy: a cancelled or no-show booking cannot hold a room"
_ONE_ROOM_WHEN = "EXISTS (SELECT 1 FROM ho_occupancies AS other WHERE other.room_id <> NEW.room_id AND (other.booking_id = NEW.arriving_booking_id OR other.arriving_booking_id = NEW.booking_id))"
_CLOSED_WHEN = "EXISTS (SELECT 1 FROM ho_bookings WHERE ho_bookings.booking_id IN (NEW.booking_id, NEW.arriving_booking_id) AND (ho_bookings.cancelled_at IS NOT NULL OR ho_bookings.no_show_at IS NOT NULL))"
_PLACING = "INSERT OR UPDATE OF booking_id, arriving_booking_id"
_HELD_WHEN = "(NEW.cancelled_at IS NOT NULL OR NEW.no_show_at IS NOT NULL) AND EXISTS (SELECT 1 FROM ho_occupancies WHERE ho_occupancies.booking_id = NEW.booking_id OR ho_occupancies.arriving_booking_id = NEW.booking_id)"
_CLOSING = "UPDATE OF cancelled_at, no_show_at"
_GUARDS = ("ho_occupancies_one_room_per_booking", "ho_occupancies_open_bookings")

_OCCUPANCY_GUARDS = {
    "postgresql": (
        f"""CREATE FUNCTION ho_occupancies_one_room_per_booking() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.booking_id IS NOT NULL AND (TG_OP = 'INSERT'
            OR NEW.booking_id IS DISTINCT FROM OLD.booking_id) THEN
        PERFORM pg_advisory_xact_lock(1752130155, hashtext(NEW.booking_id));
    END IF;
    IF NEW.arriving_booking_id IS NOT NULL AND (TG_OP = 'INSERT'
            OR NEW.arriving_booking_id IS DISTINCT FROM OLD.arriving_booking_id) THEN
        PERFORM pg_advisory_xact_lock(1752130155, hashtext(NEW.arriving_booking_id));
    END IF;
    IF {_ONE_ROOM_WHEN} THEN
        RAISE EXCEPTION '{_ONE_ROOM_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
        f"""CREATE FUNCTION ho_occupancies_open_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_CLOSED_WHEN} THEN
        RAISE EXCEPTION '{_CLOSED_MESSAGE}' USING ERRCODE = 'check_violation';
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
        RAISE EXCEPTION '{_CLOSED_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$""",
        f"CREATE TRIGGER ho_bookings_closed_unheld BEFORE {_CLOSING} ON ho_bookings "
        "FOR EACH ROW EXECUTE FUNCTION ho_bookings_closed_unheld()",
    ),
    "sqlite": (
        *(
            f"CREATE TRIGGER {name}_{suffix} BEFORE {event} ON ho_occupancies WHEN {when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for name, when, message in (
                (_GUARDS[0], _ONE_ROOM_WHEN, _ONE_ROOM_MESSAGE),
                (_GUARDS[1], _CLOSED_WHEN, _CLOSED_MESSAGE),
            )
            for suffix, event in (
                ("insert", "INSERT"),
                ("update", "UPDATE OF booking_id, arriving_booking_id"),
            )
        ),
        f"CREATE TRIGGER ho_bookings_closed_unheld BEFORE {_CLOSING} ON ho_bookings "
        f"WHEN {_HELD_WHEN} BEGIN SELECT RAISE(ABORT, '{_CLOSED_MESSAGE}'); END",
    ),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("ho_hotels") as batch:  # existing hotels: false
        batch.add_column(
            sa.Column(
                "enforce_stay_dates",
                sa.Boolean(create_constraint=True, name=op.f("ck_ho_hotels_stay_dates_bool")),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("ho_hotels") as batch:
        batch.alter_column("enforce_stay_dates", existing_type=sa.Boolean(), server_default=None)

    with op.batch_alter_table("ho_bookings") as batch:
        for name in ("cancelled_at", "cancelled_by", "no_show_at", "no_show_by", "queued_at"):
            kind = sa.String(length=128) if name in _BOOKING_STAFF else UTCDateTime()
            batch.add_column(sa.Column(name, kind, nullable=True))
        for name in _BOOKING_STAFF:
            batch.create_foreign_key(
                op.f(f"fk_ho_bookings_hotel_id_{name}_ho_staff"),
                "ho_staff",
                ["hotel_id", name],
                ["hotel_id", "staff_id"],
            )
        for name, condition in _BOOKING_CHECKS.items():
            batch.create_check_constraint(op.f(name), condition)
    for name, columns, where in _BOOKING_INDEXES:
        partial = None if where is None else sa.text(where)
        op.create_index(
            name,
            "ho_bookings",
            columns,
            unique=False,
            sqlite_where=partial,
            postgresql_where=partial,
        )

    with op.batch_alter_table("ho_booking_guests") as batch:
        batch.alter_column("position", existing_type=sa.Integer(), nullable=True)

    with op.batch_alter_table("ho_occupancies") as batch:
        batch.add_column(sa.Column("arriving_booking_id", sa.String(length=128), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_ho_occupancies_arriving_booking_id"), ["arriving_booking_id"]
        )
        batch.create_foreign_key(
            op.f("fk_ho_occupancies_hotel_id_arriving_booking_id_ho_bookings"),
            "ho_bookings",
            ["hotel_id", "arriving_booking_id"],
            ["hotel_id", "booking_id"],
        )
        batch.create_check_constraint(
            op.f("ck_ho_occupancies_arriving_into_occupied"), _ARRIVING_RULE
        )

    _drop_one_writer(dialect)
    with op.batch_alter_table("ho_log") as batch:
        _replace_check(batch, "ck_ho_log_operation_known", _OPERATIONS_0006)
        _replace_check(batch, "ck_ho_log_history_operation", _HISTORY_0006)
    schema = schema_of(op.get_bind())  # the guards' locks: keyed in the schema's own space
    for statement in (
        *_one_writer(dialect, _ONE_WRITER_WHEN_0006),
        *(in_lock_space(s, schema) for s in _OCCUPANCY_GUARDS.get(dialect, ())),
    ):
        op.execute(statement)


def _replace_check(batch: BatchOperations, name: str, condition: str) -> None:
    batch.drop_constraint(op.f(name), type_="check")
    batch.create_check_constraint(op.f(name), condition)


def _refuse_what_0005_cannot_store() -> None:
    bind = op.get_bind()
    counts = {
        "STAY_CHANGE log entries": "SELECT count(*) FROM ho_log WHERE operation = 'STAY_CHANGE'",
        "members taken out of a party": (
            "SELECT count(*) FROM ho_booking_guests WHERE position IS NULL"
        ),
        "cancelled or no-show bookings": (
            "SELECT count(*) FROM ho_bookings "
            "WHERE cancelled_at IS NOT NULL OR no_show_at IS NOT NULL"
        ),
        "arriving bookings": (
            "SELECT count(*) FROM ho_occupancies WHERE arriving_booking_id IS NOT NULL"
        ),
    }
    kept = {what: bind.execute(sa.text(query)).scalar_one() for what, query in counts.items()}
    held = ", ".join(f"{n} {what}" for what, n in kept.items() if n)
    if held:
        raise StorageError(
            f"cannot downgrade to revision 0005: the database holds {held}, which 0005 "
            "cannot store; nothing was changed"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _refuse_what_0005_cannot_store()
    if dialect == "postgresql":
        for name in _GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON ho_occupancies")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        op.execute("DROP TRIGGER IF EXISTS ho_bookings_closed_unheld ON ho_bookings")
        op.execute("DROP FUNCTION IF EXISTS ho_bookings_closed_unheld()")
    else:
        for name in _GUARDS:
            for suffix in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
        op.execute("DROP TRIGGER IF EXISTS ho_bookings_closed_unheld")

    _drop_one_writer(dialect)
    with op.batch_alter_table("ho_log") as batch:
        _replace_check(batch, "ck_ho_log_history_operation", _HISTORY_0005)
        _replace_check(batch, "ck_ho_log_operation_known", _OPERATIONS_0005)
    for statement in _one_writer(dialect, _ONE_WRITER_WHEN_0005):
        op.execute(statement)

    with op.batch_alter_table("ho_occupancies") as batch:
        batch.drop_constraint(op.f("ck_ho_occupancies_arriving_into_occupied"), type_="check")
        batch.drop_constraint(
            op.f("fk_ho_occupancies_hotel_id_arriving_booking_id_ho_bookings"),
            type_="foreignkey",
        )
        batch.drop_constraint(op.f("uq_ho_occupancies_arriving_booking_id"), type_="unique")
        batch.drop_column("arriving_booking_id")

    with op.batch_alter_table("ho_booking_guests") as batch:
        batch.alter_column("position", existing_type=sa.Integer(), nullable=False)

    for name, _, _ in _BOOKING_INDEXES:
        op.drop_index(name, table_name="ho_bookings")
    with op.batch_alter_table("ho_bookings") as batch:
        for name in _BOOKING_CHECKS:
            batch.drop_constraint(op.f(name), type_="check")
        for name in _BOOKING_STAFF:
            batch.drop_constraint(
                op.f(f"fk_ho_bookings_hotel_id_{name}_ho_staff"), type_="foreignkey"
            )
        for name in ("queued_at", "no_show_by", "no_show_at", "cancelled_by", "cancelled_at"):
            batch.drop_column(name)

    with op.batch_alter_table("ho_hotels") as batch:
        if dialect != "postgresql":  # the Boolean's CHECK (PostgreSQL has a boolean type)
            batch.drop_constraint(op.f("ck_ho_hotels_stay_dates_bool"), type_="check")
        batch.drop_column("enforce_stay_dates")
