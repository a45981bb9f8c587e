"""indexes for the dashboard's month curve and overdue reports, and for a role's shared inbox on PostgreSQL

Revision ID: 0005
Revises: 0004

- task_status_changes by (before, after, at): each kind of change in each month is one range of the index,
  counted without grouping (the index was (at, before, after), each month's changes grouped by both);
- progress_reports' overdue index also holds the status, so that "overdue, not sent, not cancelled"
  is read from the index alone;
- human_tasks' shared queue (unit_id IS NULL) in an index of its own, in inbox order: PostgreSQL does
  not read the order of the work queue index past an IS NULL, and sorted a supervisor's whole queue.

bench/queries.py measures what these are for (README, Benchmarks).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OVERDUE = ["overdue", "due_date", "task_id", "submitted_at"]
SHARED_QUEUE = ["status", "role", "standing", "created_at", "id", "assignee_id"]


def upgrade() -> None:
    op.create_index("ix_task_status_changes_change", "task_status_changes", ["before", "after", "at"])
    op.drop_index("ix_task_status_changes_at", table_name="task_status_changes")
    op.drop_index("ix_progress_reports_overdue", table_name="progress_reports")
    op.create_index("ix_progress_reports_overdue", "progress_reports", [*OVERDUE, "status"])
    unit_is_null = sa.text("unit_id IS NULL")
    op.create_index("ix_human_tasks_shared_queue", "human_tasks", SHARED_QUEUE, postgresql_where=unit_is_null,
                    sqlite_where=unit_is_null)


def downgrade() -> None:
    op.drop_index("ix_human_tasks_shared_queue", table_name="human_tasks")
    op.drop_index("ix_progress_reports_overdue", table_name="progress_reports")
    op.create_index("ix_progress_reports_overdue", "progress_reports", OVERDUE)
    op.create_index("ix_task_status_changes_at", "task_status_changes", ["at", "before", "after"])
    op.drop_index("ix_task_status_changes_change", table_name="task_status_changes")
