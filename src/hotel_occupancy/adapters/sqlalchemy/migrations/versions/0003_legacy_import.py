"""legacy import: imported history in the log, IMPORT entries, the legacy hotels

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-15

- ``ho_log``: ``room_id`` and the four state columns become nullable, for history imported
  from a legacy database's audit columns (§12), guarded by CHECK constraints: the four
  states are all NULL or all set, a NULL room only with NULL states, NULL states only for
  the operations an audit column becomes; ``operation_known`` admits IMPORT.
- ``ho_legacy_hotels``: which hotels were taken over from a legacy database, and who owns
  them.

SQLite cannot alter a column or a constraint in place: there ``ho_log`` is copied into a
new table (Alembic's batch mode), with its indexes and foreign keys. Downgrading refuses
while the log holds what revision 0002 cannot store (imported history, IMPORT entries).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime
from hotel_occupancy.domain.errors import StorageError

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("status_before", "status_after", "condition_before", "condition_after")

_OPERATIONS_0002 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER')"
_OPERATIONS_0003 = "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER', 'IMPORT')"
_CHECKS_0003 = {
    "ck_ho_log_states_all_or_none": "(status_before IS NULL AND status_after IS NULL AND condition_before IS NULL AND condition_after IS NULL) OR (status_before IS NOT NULL AND status_after IS NOT NULL AND condition_before IS NOT NULL AND condition_after IS NOT NULL)",
    "ck_ho_log_room_unknown_only_in_history": "room_id IS NOT NULL OR status_after IS NULL",
    "ck_ho_log_history_operation": "status_after IS NOT NULL OR operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT')",
}


def upgrade() -> None:
    with op.batch_alter_table("ho_log") as batch:
        for name in ("room_id", *_STATES):
            length = 128 if name == "room_id" else 20
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=True)
        batch.drop_constraint(op.f("ck_ho_log_operation_known"), type_="check")
        batch.create_check_constraint(op.f("ck_ho_log_operation_known"), _OPERATIONS_0003)
        for name, condition in _CHECKS_0003.items():
            batch.create_check_constraint(op.f(name), condition)
    op.create_table(
        "ho_legacy_hotels",
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("legacy_hotel_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "owner IN ('LEGACY', 'LIBRARY')", name=op.f("ck_ho_legacy_hotels_owner_known")
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id"],
            ["ho_hotels.hotel_id"],
            name=op.f("fk_ho_legacy_hotels_hotel_id_ho_hotels"),
        ),
        sa.PrimaryKeyConstraint("hotel_id", name=op.f("pk_ho_legacy_hotels")),
    )


def downgrade() -> None:
    bind = op.get_bind()
    log = sa.table("ho_log", sa.column("operation"), sa.column("status_after"))
    kept = bind.execute(
        sa.select(sa.func.count())
        .select_from(log)
        .where(sa.or_(log.c.status_after.is_(None), log.c.operation == "IMPORT"))
    ).scalar_one()
    if kept:
        raise StorageError(
            f"cannot downgrade to revision 0002: the log holds {kept} entries imported from "
            "a legacy database (imported history or IMPORT entries), which 0002 cannot store; "
            "nothing was changed"
        )
    op.drop_table("ho_legacy_hotels")
    with op.batch_alter_table("ho_log") as batch:
        for name in _CHECKS_0003:
            batch.drop_constraint(op.f(name), type_="check")
        batch.drop_constraint(op.f("ck_ho_log_operation_known"), type_="check")
        batch.create_check_constraint(op.f("ck_ho_log_operation_known"), _OPERATIONS_0002)
        for name in ("room_id", *_STATES):
            length = 128 if name == "room_id" else 20
            batch.alter_column(name, existing_type=sa.String(length=length), nullable=False)
