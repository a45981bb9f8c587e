"""complaint cases (信访件) in batches (第N批); an attachment may be a case's (no task)

Revision ID: 0024
Revises: 0023
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
WHEN = engine.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("imported_at", WHEN, nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["imported_by_id"], ["users.id"], name=op.f("fk_case_batches_imported_by_id_users")),
        sa.ForeignKeyConstraint(["round_id"], ["inspection_rounds.id"],
                                name=op.f("fk_case_batches_round_id_inspection_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_batches")),
        sa.UniqueConstraint("round_id", "number", name=op.f("uq_case_batches_round_id")),
    )
    op.create_index(op.f("ix_case_batches_round_id"), "case_batches", ["round_id"], unique=False)
    _cases()
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=True)


def _cases() -> None:
    category = sa.Enum("air", "water", "noise", "soil", "solid_waste", "ecology", "other",
                       name="casecategory", native_enum=False, length=32)
    status = sa.Enum("signing", "returned", "investigating", "reviewing", "accepted", "published", "rectifying",
                     name="casestatus", native_enum=False, length=32)
    finding = sa.Enum("confirmed", "partly", "unfounded", name="casefinding", native_enum=False, length=32)
    callback = sa.Enum("pending", "satisfied", "unsatisfied", name="casecallback", native_enum=False, length=32)
    op.create_table(
        "complaint_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("lookup_code", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("polluter", sa.String(length=300), nullable=False),
        sa.Column("place_key", sa.String(length=300), nullable=False),
        sa.Column("polluter_key", sa.String(length=300), nullable=False),
        sa.Column("category", category, nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("report_due", sa.Date(), nullable=False),
        sa.Column("status", status, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", WHEN, nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("finding", finding, nullable=True),
        sa.Column("found", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("fines_yuan", sa.Integer(), nullable=False),
        sa.Column("closures", sa.Integer(), nullable=False),
        sa.Column("accountability", sa.Text(), nullable=False),
        sa.Column("persons_held", sa.Integer(), nullable=False),
        sa.Column("reported_at", WHEN, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("accepted_at", WHEN, nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("callback", callback, nullable=True),
        sa.Column("callback_note", sa.Text(), nullable=False),
        sa.Column("called_back_at", WHEN, nullable=True),
        sa.Column("imported_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["case_batches.id"], name=op.f("fk_complaint_cases_batch_id_case_batches")),
        sa.ForeignKeyConstraint(["round_id"], ["inspection_rounds.id"],
                                name=op.f("fk_complaint_cases_round_id_inspection_rounds")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_complaint_cases_unit_id_units")),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_complaint_cases_instance_id_process_instances")),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"],
                                name=op.f("fk_complaint_cases_task_id_rectification_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_complaint_cases_number")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_complaint_cases_instance_id")),
    )
    for column in ("batch_id", "round_id", "place_key", "polluter_key", "category", "unit_id", "report_due",
                   "status", "finding", "task_id", "callback"):
        op.create_index(op.f(f"ix_complaint_cases_{column}"), "complaint_cases", [column], unique=False)
    op.create_index("ix_complaint_cases_batch_number", "complaint_cases", ["batch_id", "number"], unique=False)
    op.create_index("ix_complaint_cases_unit_status", "complaint_cases", ["unit_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("complaint_cases")
    op.drop_table("case_batches")
