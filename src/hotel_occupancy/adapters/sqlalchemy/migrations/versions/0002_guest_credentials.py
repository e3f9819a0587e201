"""guest credentials: failed PIN attempts per room and resting PINs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ho_pin_attempts",
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.CheckConstraint("failures >= 1", name=op.f("ck_ho_pin_attempts_failures_positive")),
        sa.ForeignKeyConstraint(
            ["hotel_id", "room_id"],
            ["ho_rooms.hotel_id", "ho_rooms.room_id"],
            name=op.f("fk_ho_pin_attempts_hotel_id_room_id_ho_rooms"),
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_ho_pin_attempts")),
    )
    op.create_table(
        "ho_resting_pins",
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("pin", sa.String(length=6), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_resting_pins_hotel_id_ho_hotels")
        ),
        sa.PrimaryKeyConstraint("hotel_id", "pin", name=op.f("pk_ho_resting_pins")),
    )
    op.create_index(op.f("ix_ho_resting_pins_until"), "ho_resting_pins", ["until"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ho_resting_pins_until"), table_name="ho_resting_pins")
    op.drop_table("ho_resting_pins")
    op.drop_table("ho_pin_attempts")
