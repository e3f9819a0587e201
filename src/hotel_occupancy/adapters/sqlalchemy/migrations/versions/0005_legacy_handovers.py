"""legacy handovers: every change of an imported hotel's writer

Revision ID: 0005
Revises: 0004
Create Date: 2027-03-01

- ``ho_legacy_handovers``: the cut-overs of imported hotels to the library and back (§12,
  ``legacy cutover``): the hotel, its new owner, when, by whom and why. Nothing existing
  changes; downgrading drops the table (the records' ``owner`` column keeps who writes
  each hotel now).
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


def downgrade() -> None:
    op.drop_index(op.f("ix_ho_legacy_handovers_hotel_id"), table_name="ho_legacy_handovers")
    op.drop_table("ho_legacy_handovers")
