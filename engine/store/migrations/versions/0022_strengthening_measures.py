"""strengthening measures (强化措施): measures of a round, their periodic reports and yearly reviews

Revision ID: 0022
Revises: 0021
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("category_number", sa.Integer(), nullable=False),
        sa.Column("category_name", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", _enum("month", "quarter", "half", "year"), nullable=False),
        sa.Column("status", _enum("active", "closed"), nullable=False),
        sa.Column("registered_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["lead_unit_id"], ["units.id"], name=op.f("fk_measures_lead_unit_id_units")),
        sa.ForeignKeyConstraint(["round_id"], ["inspection_rounds.id"],
                                name=op.f("fk_measures_round_id_inspection_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
        sa.UniqueConstraint("round_id", "number", name="ux_measures_round_number"),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_lead_unit_id"), ["lead_unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_status"), ["status"], unique=False)
    op.create_table(
        "measure_cooperating_units",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], ondelete="CASCADE",
                                name=op.f("fk_measure_cooperating_units_measure_id_measures")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_measure_cooperating_units_unit_id_units")),
        sa.PrimaryKeyConstraint("measure_id", "unit_id", name=op.f("pk_measure_cooperating_units")),
    )
    _reports()
    _reviews()


def _reports() -> None:
    op.create_table(
        "measure_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("status", _enum("requested", "submitted", "accepted", "returned", "cancelled"), nullable=False),
        sa.Column("requested_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("work_done", sa.Text(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("reminded_at", engine.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], name=op.f("fk_measure_reports_measure_id_measures")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_measure_reports_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"],
                                name=op.f("fk_measure_reports_submitted_by_id_users")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"], name=op.f("fk_measure_reports_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_reports")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_measure_reports_instance_id")),
        sa.UniqueConstraint("measure_id", "period", name="ux_measure_reports_measure_period"),
    )
    with op.batch_alter_table("measure_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_reports_measure_id"), ["measure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_reports_status"), ["status"], unique=False)


def _reviews() -> None:
    op.create_table(
        "measure_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rating", _enum("effective", "on_track", "lagging"), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], name=op.f("fk_measure_reviews_measure_id_measures")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_measure_reviews_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"], name=op.f("fk_measure_reviews_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_reviews")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_measure_reviews_instance_id")),
        sa.UniqueConstraint("measure_id", "year", name="ux_measure_reviews_measure_year"),
    )
    with op.batch_alter_table("measure_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_reviews_measure_id"), ["measure_id"], unique=False)


def downgrade() -> None:
    op.drop_table("measure_reviews")
    op.drop_table("measure_reports")
    op.drop_table("measure_cooperating_units")
    op.drop_table("measures")
