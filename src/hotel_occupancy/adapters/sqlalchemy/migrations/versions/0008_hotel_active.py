"""deactivated hotels

Revision ID: 0008
Revises: 0007
Create Date: 2027-07-01

- ``ho_hotels``: ``active`` (boolean, NOT NULL, server default TRUE: every existing hotel
  stays active; on SQLite a CHECK ``ck_ho_hotels_hotel_active_bool`` keeps it 0 or 1).

SQLite adds the column in place (``ALTER TABLE ... ADD COLUMN``, with its CHECK), so no
table is copied and no trigger has to be made again. Downgrading refuses while a hotel is
deactivated: revision 0007 cannot say so, and its staff would be free to act again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.domain.errors import StorageError

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECK = "ck_ho_hotels_hotel_active_bool"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE ho_hotels ADD COLUMN active BOOLEAN DEFAULT TRUE NOT NULL "
            f"CONSTRAINT {_CHECK} CHECK (active IN (0, 1))"
        )
    else:
        op.add_column(
            "ho_hotels",
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.text("TRUE")),
        )


def downgrade() -> None:
    inactive = op.get_bind().execute(sa.text("SELECT count(*) FROM ho_hotels WHERE NOT active"))
    count = inactive.scalar_one()
    if count:
        raise StorageError(
            f"cannot downgrade to revision 0007: {count} hotel(s) are deactivated, which it "
            "cannot store (reactivate them first)"
        )
    op.drop_column("ho_hotels", "active")
