"""deactivated hotels

Revision ID: 0008
Revises: 0007
Create Date: 2027-07-01

- ``ho_hotels``: ``active`` (boolean, NOT NULL, server default TRUE: every existing hotel
  stays active; on SQLite a CHECK ``ck_ho_hotels_hotel_active_bool`` keeps it 0 or 1).

SQLite adds the column in place (``ALTER TABLE ... ADD COLUMN``, with its CHECK), so no
table is copied and no trigger has to be made again. Downgrading refuses while a hotel is
deactivated: revision 0007 cannot say so, and its staff would be free to act again.

SQLite drops the column by copying ``ho_hotels`` into a new table without it (Alembic's
batch mode, the CHECK dropped with it): a database made by ``create_schema`` holds the CHECK
at table level, where SQLite's own ``DROP COLUMN`` refuses to drop a column it names. The
copy keeps the table's indexes; the triggers on ``ho_hotels`` or naming it (none at this
revision, but a host may have added its own) are dropped first and made again afterwards
from the text the database holds. PostgreSQL drops the column in place.
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
    if op.get_bind().dialect.name == "sqlite":
        _drop_on_sqlite()
    else:
        op.drop_column("ho_hotels", "active")


_TRIGGERS_OF_HOTELS = sa.text(
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
    "AND (tbl_name = 'ho_hotels' OR instr(sql, 'ho_hotels') > 0) ORDER BY name"
)


def _drop_on_sqlite() -> None:
    """Copy ``ho_hotels`` without ``active`` (and its CHECK, wherever it is declared),
    keeping the triggers of (or naming) the table as they were."""
    bind = op.get_bind()
    triggers = [(str(name), str(sql)) for name, sql in bind.execute(_TRIGGERS_OF_HOTELS)]
    for name, _ in triggers:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    checks = {check["name"] for check in sa.inspect(bind).get_check_constraints("ho_hotels")}
    with op.batch_alter_table("ho_hotels", recreate="always") as batch:
        if _CHECK in checks:
            batch.drop_constraint(op.f(_CHECK), type_="check")
        batch.drop_column("active")
    for _, sql in triggers:
        op.execute(sql)
