"""complaint-case batches imported in the background: the import jobs the sweep runs

Revision ID: 0027
Revises: 0026
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.store.models.base import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
WHEN = UTCDateTime(timezone=True)


def upgrade() -> None:
    state = sa.Enum("queued", "running", "done", "failed", name="importjobstate", native_enum=False, length=32)
    op.create_table(
        "case_import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("state", state, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", WHEN, nullable=False),
        sa.Column("queued_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["case_batches.id"], name=op.f("fk_case_import_jobs_batch_id_case_batches")),
        sa.ForeignKeyConstraint(["queued_by_id"], ["users.id"], name=op.f("fk_case_import_jobs_queued_by_id_users")),
        sa.ForeignKeyConstraint(["round_id"], ["inspection_rounds.id"],
                                name=op.f("fk_case_import_jobs_round_id_inspection_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_import_jobs")),
    )
    op.create_index(op.f("ix_case_import_jobs_state"), "case_import_jobs", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_import_jobs_state"), table_name="case_import_jobs")
    op.drop_table("case_import_jobs")
