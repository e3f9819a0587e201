"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hotel_occupancy.adapters.sqlalchemy.schema import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ho_hotels",
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "require_inspection",
            sa.Boolean(create_constraint=True, name="inspection_bool"),
            nullable=False,
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("checkout_time", sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint("hotel_id", name=op.f("pk_ho_hotels")),
    )
    op.create_table(
        "ho_bookings",
        sa.Column("booking_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("arrival", sa.Date(), nullable=False),
        sa.Column("departure", sa.Date(), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_out_at", UTCDateTime(), nullable=True),
        sa.Column("moved_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "checked_out_at IS NULL OR checked_in_at IS NOT NULL",
            name=op.f("ck_ho_bookings_out_after_in"),
        ),
        sa.CheckConstraint("departure >= arrival", name=op.f("ck_ho_bookings_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_bookings_hotel_id_ho_hotels")
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_ho_bookings")),
        sa.UniqueConstraint(
            "hotel_id", "booking_id", name=op.f("uq_ho_bookings_hotel_id_booking_id")
        ),
    )
    op.create_table(
        "ho_requests",
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_requests_hotel_id_ho_hotels")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_ho_requests")),
    )
    op.create_table(
        "ho_rooms",
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("number", sa.String(length=128), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 1", name=op.f("ck_ho_rooms_capacity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_rooms_hotel_id_ho_hotels")
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_ho_rooms")),
        sa.UniqueConstraint("hotel_id", "number", name=op.f("uq_ho_rooms_hotel_id_number")),
        sa.UniqueConstraint("hotel_id", "room_id", name=op.f("uq_ho_rooms_hotel_id_room_id")),
    )
    op.create_table(
        "ho_staff",
        sa.Column("staff_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(create_constraint=True, name="active_bool"), nullable=False),
        sa.CheckConstraint(
            "role IN ('FRONT_DESK', 'HOUSEKEEPING', 'SUPERVISOR', 'MAINTENANCE', 'MANAGER')",
            name=op.f("ck_ho_staff_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id"], ["ho_hotels.hotel_id"], name=op.f("fk_ho_staff_hotel_id_ho_hotels")
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_ho_staff")),
        sa.UniqueConstraint("hotel_id", "staff_id", name=op.f("uq_ho_staff_hotel_id_staff_id")),
    )
    op.create_table(
        "ho_booking_guests",
        sa.Column("booking_guest_id", sa.String(length=128), nullable=False),
        sa.Column("booking_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["ho_bookings.booking_id"],
            name=op.f("fk_ho_booking_guests_booking_id_ho_bookings"),
        ),
        sa.PrimaryKeyConstraint("booking_guest_id", name=op.f("pk_ho_booking_guests")),
        sa.UniqueConstraint(
            "booking_id", "position", name=op.f("uq_ho_booking_guests_booking_id_position")
        ),
    )
    op.create_table(
        "ho_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("performed_by", sa.String(length=128), nullable=False),
        sa.Column("booking_id", sa.String(length=128), nullable=True),
        sa.Column("from_room_id", sa.String(length=128), nullable=True),
        sa.Column("status_before", sa.String(length=20), nullable=False),
        sa.Column("status_after", sa.String(length=20), nullable=False),
        sa.Column("condition_before", sa.String(length=20), nullable=False),
        sa.Column("condition_after", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.CheckConstraint(
            "operation IN ('ASSIGN', 'REASSIGN', 'UNASSIGN', 'MOVE', 'CHECKIN', 'CHECKOUT', 'CLEAN_START', 'CLEAN_COMPLETE', 'INSPECT', 'MAINTENANCE', 'STATUS_CHANGE', 'OUT_OF_ORDER')",
            name=op.f("ck_ho_log_operation_known"),
        ),
        sa.CheckConstraint(
            "from_room_id IS NULL OR from_room_id <> room_id",
            name=op.f("ck_ho_log_source_is_not_target"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "booking_id"],
            ["ho_bookings.hotel_id", "ho_bookings.booking_id"],
            name=op.f("fk_ho_log_hotel_id_booking_id_ho_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "from_room_id"],
            ["ho_rooms.hotel_id", "ho_rooms.room_id"],
            name=op.f("fk_ho_log_hotel_id_from_room_id_ho_rooms"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "performed_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_log_hotel_id_performed_by_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "room_id"],
            ["ho_rooms.hotel_id", "ho_rooms.room_id"],
            name=op.f("fk_ho_log_hotel_id_room_id_ho_rooms"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["ho_requests.request_id"],
            name=op.f("fk_ho_log_request_id_ho_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ho_log")),
    )
    op.create_index(
        op.f("ix_ho_log_booking_id_timestamp"), "ho_log", ["booking_id", "timestamp"], unique=False
    )
    op.create_index(op.f("ix_ho_log_from_room_id"), "ho_log", ["from_room_id"], unique=False)
    op.create_index(
        op.f("ix_ho_log_performed_by_timestamp"),
        "ho_log",
        ["performed_by", "timestamp"],
        unique=False,
    )
    op.create_index(op.f("ix_ho_log_request_id"), "ho_log", ["request_id"], unique=False)
    op.create_index(
        op.f("ix_ho_log_room_id_operation_timestamp"),
        "ho_log",
        ["room_id", "operation", "timestamp"],
        unique=False,
    )

    op.create_table(
        "ho_occupancies",
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("condition", sa.String(length=20), nullable=False),
        sa.Column("booking_id", sa.String(length=128), nullable=True),
        sa.Column("occupied_since", UTCDateTime(), nullable=True),
        sa.Column("expected_checkout", UTCDateTime(), nullable=True),
        sa.Column("assigned_by", sa.String(length=128), nullable=True),
        sa.Column("last_cleaned_by", sa.String(length=128), nullable=True),
        sa.Column("last_cleaned_at", UTCDateTime(), nullable=True),
        sa.Column("last_inspected_by", sa.String(length=128), nullable=True),
        sa.Column("last_inspected_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(status <> 'OCCUPIED' OR booking_id IS NOT NULL) AND (status NOT IN ('OUT_OF_ORDER', 'MAINTENANCE') OR booking_id IS NULL) AND (status <> 'VACANT_CLEAN' OR condition IN ('CLEAN', 'INSPECTED')) AND (status <> 'VACANT_DIRTY' OR condition IN ('DIRTY', 'CLEANING')) AND ((status = 'OCCUPIED') = (occupied_since IS NOT NULL))",
            name=op.f("ck_ho_occupancies_status_consistent"),
        ),
        sa.CheckConstraint(
            "condition IN ('DIRTY', 'CLEANING', 'CLEAN', 'INSPECTED')",
            name=op.f("ck_ho_occupancies_condition_known"),
        ),
        sa.CheckConstraint(
            "status IN ('VACANT_CLEAN', 'VACANT_DIRTY', 'OCCUPIED', 'OUT_OF_ORDER', 'MAINTENANCE')",
            name=op.f("ck_ho_occupancies_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "assigned_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_occupancies_hotel_id_assigned_by_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "booking_id"],
            ["ho_bookings.hotel_id", "ho_bookings.booking_id"],
            name=op.f("fk_ho_occupancies_hotel_id_booking_id_ho_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "last_cleaned_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_occupancies_hotel_id_last_cleaned_by_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "last_inspected_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_occupancies_hotel_id_last_inspected_by_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "room_id"],
            ["ho_rooms.hotel_id", "ho_rooms.room_id"],
            name=op.f("fk_ho_occupancies_hotel_id_room_id_ho_rooms"),
        ),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_ho_occupancies")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_ho_occupancies_booking_id")),
    )
    op.create_index(
        op.f("ix_ho_occupancies_booking_id_status"),
        "ho_occupancies",
        ["booking_id", "status"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ho_occupancies_hotel_id_status"),
        "ho_occupancies",
        ["hotel_id", "status"],
        unique=False,
    )

    op.create_table(
        "ho_tasks",
        sa.Column("task_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=True),
        sa.Column("assigned_to", sa.String(length=128), nullable=True),
        sa.Column("booking_id", sa.String(length=128), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('TURNOVER', 'CLEANING', 'INSPECTION', 'MAINTENANCE')",
            name=op.f("ck_ho_tasks_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED')",
            name=op.f("ck_ho_tasks_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "assigned_to"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_tasks_hotel_id_assigned_to_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "booking_id"],
            ["ho_bookings.hotel_id", "ho_bookings.booking_id"],
            name=op.f("fk_ho_tasks_hotel_id_booking_id_ho_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "created_by"],
            ["ho_staff.hotel_id", "ho_staff.staff_id"],
            name=op.f("fk_ho_tasks_hotel_id_created_by_ho_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "room_id"],
            ["ho_rooms.hotel_id", "ho_rooms.room_id"],
            name=op.f("fk_ho_tasks_hotel_id_room_id_ho_rooms"),
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_ho_tasks")),
    )
    op.create_index(
        op.f("ix_ho_tasks_hotel_id_status"), "ho_tasks", ["hotel_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_ho_tasks_room_id_status"), "ho_tasks", ["room_id", "status"], unique=False
    )
    op.create_index(
        "uq_ho_tasks_one_open_cleaning_per_room",
        "ho_tasks",
        ["room_id"],
        unique=True,
        sqlite_where=sa.text(
            "status IN ('OPEN', 'IN_PROGRESS') AND kind IN ('TURNOVER', 'CLEANING')"
        ),
        postgresql_where=sa.text(
            "status IN ('OPEN', 'IN_PROGRESS') AND kind IN ('TURNOVER', 'CLEANING')"
        ),
    )
    op.create_index(
        "uq_ho_tasks_one_open_maintenance_per_room",
        "ho_tasks",
        ["room_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('OPEN', 'IN_PROGRESS') AND kind = 'MAINTENANCE'"),
        postgresql_where=sa.text("status IN ('OPEN', 'IN_PROGRESS') AND kind = 'MAINTENANCE'"),
    )

    op.create_table(
        "ho_guests",
        sa.Column("guest_id", sa.String(length=128), nullable=False),
        sa.Column("hotel_id", sa.String(length=128), nullable=False),
        sa.Column("booking_id", sa.String(length=128), nullable=False),
        sa.Column("booking_guest_id", sa.String(length=128), nullable=False),
        sa.Column("guest_type", sa.String(length=20), nullable=False),
        sa.Column("primary_guest_id", sa.String(length=128), nullable=True),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("check_in_date", sa.Date(), nullable=False),
        sa.Column("check_out_date", sa.Date(), nullable=True),
        sa.Column("id_pin", sa.String(length=6), nullable=True),
        sa.Column("device_token", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "guest_type IN ('PRIMARY', 'COMPANION')", name=op.f("ck_ho_guests_guest_type_known")
        ),
        sa.CheckConstraint(
            "check_out_date IS NOT NULL OR id_pin IS NOT NULL",
            name=op.f("ck_ho_guests_in_house_have_pin"),
        ),
        sa.CheckConstraint(
            "check_out_date IS NULL OR (id_pin IS NULL AND device_token IS NULL)",
            name=op.f("ck_ho_guests_departed_hold_nothing"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_guest_id"],
            ["ho_booking_guests.booking_guest_id"],
            name=op.f("fk_ho_guests_booking_guest_id_ho_booking_guests"),
        ),
        sa.ForeignKeyConstraint(
            ["hotel_id", "booking_id"],
            ["ho_bookings.hotel_id", "ho_bookings.booking_id"],
            name=op.f("fk_ho_guests_hotel_id_booking_id_ho_bookings"),
        ),
        sa.ForeignKeyConstraint(
            ["primary_guest_id"],
            ["ho_guests.guest_id"],
            name=op.f("fk_ho_guests_primary_guest_id_ho_guests"),
        ),
        sa.PrimaryKeyConstraint("guest_id", name=op.f("pk_ho_guests")),
        sa.UniqueConstraint("hotel_id", "id_pin", name=op.f("uq_ho_guests_hotel_id_id_pin")),
    )
    op.create_index(op.f("ix_ho_guests_booking_id"), "ho_guests", ["booking_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ho_guests_booking_id"), table_name="ho_guests")

    op.drop_table("ho_guests")
    op.drop_index(
        "uq_ho_tasks_one_open_maintenance_per_room",
        table_name="ho_tasks",
        sqlite_where=sa.text("status IN ('OPEN', 'IN_PROGRESS') AND kind = 'MAINTENANCE'"),
        postgresql_where=sa.text("status IN ('OPEN', 'IN_PROGRESS') AND kind = 'MAINTENANCE'"),
    )
    op.drop_index(
        "uq_ho_tasks_one_open_cleaning_per_room",
        table_name="ho_tasks",
        sqlite_where=sa.text(
            "status IN ('OPEN', 'IN_PROGRESS') AND kind IN ('TURNOVER', 'CLEANING')"
        ),
        postgresql_where=sa.text(
            "status IN ('OPEN', 'IN_PROGRESS') AND kind IN ('TURNOVER', 'CLEANING')"
        ),
    )
    op.drop_index(op.f("ix_ho_tasks_room_id_status"), table_name="ho_tasks")
    op.drop_index(op.f("ix_ho_tasks_hotel_id_status"), table_name="ho_tasks")

    op.drop_table("ho_tasks")
    op.drop_index(op.f("ix_ho_occupancies_hotel_id_status"), table_name="ho_occupancies")
    op.drop_index(op.f("ix_ho_occupancies_booking_id_status"), table_name="ho_occupancies")

    op.drop_table("ho_occupancies")
    op.drop_index(op.f("ix_ho_log_room_id_operation_timestamp"), table_name="ho_log")
    op.drop_index(op.f("ix_ho_log_request_id"), table_name="ho_log")
    op.drop_index(op.f("ix_ho_log_performed_by_timestamp"), table_name="ho_log")
    op.drop_index(op.f("ix_ho_log_from_room_id"), table_name="ho_log")
    op.drop_index(op.f("ix_ho_log_booking_id_timestamp"), table_name="ho_log")

    op.drop_table("ho_log")
    op.drop_table("ho_booking_guests")
    op.drop_table("ho_staff")
    op.drop_table("ho_rooms")
    op.drop_table("ho_requests")
    op.drop_table("ho_bookings")
    op.drop_table("ho_hotels")
