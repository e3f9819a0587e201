"""event feed: the log's feed order on PostgreSQL, the consumers' positions

Revision ID: 0004
Revises: 0003
Create Date: 2027-02-01

- ``ho_log.txid`` (BIGINT, NULL on SQLite): on PostgreSQL the feed's order key, set by a
  ``BEFORE INSERT`` row trigger (the writing transaction's id, raised to the highest key of
  the entries already naming its rooms); entries written before this revision get 0, so a
  reader at the start gets them first, by id. A statement-level ``AFTER INSERT`` trigger
  sends ``NOTIFY hotel_occupancy_feed`` (no payload). Partial indexes on ``(txid, id)``,
  ``(room_id, txid)`` and ``(from_room_id, txid)`` (empty on SQLite).
- ``ho_consumers``: the feed's named consumers and their positions.

The trigger functions' text is frozen here (the test of this migration compares it with
the one :func:`~hotel_occupancy.adapters.sqlalchemy.create_schema` makes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime, feed_channel, schema_of

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TXID_SET = "txid IS NOT NULL"
_FROM_ROOM_TXID_SET = "from_room_id IS NOT NULL AND txid IS NOT NULL"

_FEED_TRIGGERS = (
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
    # the channel: hotel_occupancy_feed, or schema.feed_channel's for a schema of its own
    """CREATE FUNCTION ho_log_feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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

_INDEXES = (
    ("ix_ho_log_txid_id", ["txid", "id"], _TXID_SET),
    ("ix_ho_log_room_id_txid", ["room_id", "txid"], _TXID_SET),
    ("ix_ho_log_from_room_id_txid", ["from_room_id", "txid"], _FROM_ROOM_TXID_SET),
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # the existing entries get 0 (a constant default: no rewrite of the table), then
        # the trigger sets the column of every new entry
        op.add_column(
            "ho_log", sa.Column("txid", sa.BigInteger(), nullable=True, server_default="0")
        )
        op.alter_column("ho_log", "txid", server_default=None, existing_type=sa.BigInteger())
    else:
        op.add_column("ho_log", sa.Column("txid", sa.BigInteger(), nullable=True))
    for name, columns, where in _INDEXES:
        op.create_index(
            name,
            "ho_log",
            columns,
            unique=False,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    if postgresql:
        channel = feed_channel(schema_of(op.get_bind()))
        for statement in _FEED_TRIGGERS:
            op.execute(statement.replace("{channel}", channel))
    op.create_table(
        "ho_consumers",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_ho_consumers")),
    )


def downgrade() -> None:
    op.drop_table("ho_consumers")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ho_log_feed_notify ON ho_log")
        op.execute("DROP TRIGGER IF EXISTS ho_log_feed_txid ON ho_log")
        op.execute("DROP FUNCTION IF EXISTS ho_log_feed_notify()")
        op.execute("DROP FUNCTION IF EXISTS ho_log_feed_txid()")
    for name, _, _ in _INDEXES:
        op.drop_index(name, table_name="ho_log")
    with op.batch_alter_table("ho_log") as batch:
        batch.drop_column("txid")
