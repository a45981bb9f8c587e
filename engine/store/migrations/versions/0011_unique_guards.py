"""the database refuses a second report of a task for one month and a second open work item for one BPMN task

Revision ID: 0011
Revises: 0010

Both are already prevented by the lock every use case and sweep takes on the process instance; the
constraints make the database say so too, should a future change forget the lock.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.drop_index("ix_progress_reports_task_period", table_name="progress_reports")
    op.create_index("ix_progress_reports_task_period", "progress_reports", ["task_id", "period"], unique=True)
    op.create_index("ux_human_tasks_open_step", "human_tasks", ["instance_id", "spiff_task_id"], unique=True,
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    op.drop_index("ux_human_tasks_open_step", table_name="human_tasks")
    op.drop_index("ix_progress_reports_task_period", table_name="progress_reports")
    op.create_index("ix_progress_reports_task_period", "progress_reports", ["task_id", "period"])
