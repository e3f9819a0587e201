"""legacy handovers and one writer per hotel

Revision ID: 0005
Revises: 0004
Create Date: 2027-03-01

- ``ho_legacy_handovers``: the cut-overs of imported hotels to the library and back (§12,
  ``legacy cutover``): the hotel, its new owner, when, by whom and why. Nothing existing
  changes; downgrading drops the table (the records' ``owner`` column keeps who writes
  each hotel now).
- The trigger ``ho_log_one_writer`` (SQLite, and PostgreSQL with its function): a log
  entry of a change the library made (not an IMPORT entry, not imported history) is
  refused for a hotel the legacy application owns. Every operation appends one in its
  transaction, so the operation is refused whole. Its text is frozen here (the test of
  this migration compares it with the one create_schema makes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_WHEN = (
    "NEW.operation <> 'IMPORT' AND NEW.status_after IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "ho_legacy_hotels WHERE hotel_id = NEW.hotel_id AND owner = 'LEGACY')"
)
_MESSAGE = (
    "hotel_occupancy: the legacy application writes this hotel until `legacy cutover` "
    "hands it to the library"
)
_ONE_WRITER = {
    "postgresql": (
        f"""CREATE FUNCTION ho_log_one_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {_WHEN} THEN
        RAISE EXCEPTION '{_MESSAGE}';
    END IF;
    RETURN NEW;
END
$$""",
        "CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log "
        "FOR EACH ROW EXECUTE FUNCTION ho_log_one_writer()",
    ),
    "sqlite": (
        f"CREATE TRIGGER ho_log_one_writer BEFORE INSERT ON ho_log WHEN {_WHEN} "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    ),
}


def upgrade() -> None:
    op.create_table(
        "ho_legacy_handovers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "owner IN ('LEGACY', 'LIBRARY')", name=op.f("ck_ho_legacy_handovers_owner_known")
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id"],
            ["ho_legacy_hotels.hotel_id"],
            name=op.f("fk_ho_legacy_handovers_hotel_id_ho_legacy_hotels"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ho_legacy_handovers")),
    )
    op.create_index(
        op.f("ix_ho_legacy_handovers_hotel_id"), "ho_legacy_handovers", ["hotel_id"], unique=False
    )
    for statement in _ONE_WRITER.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS ho_log_one_writer"
        + (" ON ho_log" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ho_log_one_writer()")
    op.drop_index(op.f("ix_ho_legacy_handovers_hotel_id"), table_name="ho_legacy_handovers")
    op.drop_table("ho_legacy_handovers")
