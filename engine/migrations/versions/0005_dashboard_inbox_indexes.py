"""indexes for the dashboard: its month curve, its overdue reports

Revision ID: 0005
Revises: 0004

- task_status_changes by (before, after, at): each kind of change in each month is one range of the index,
  counted without grouping (the index was (at, before, after), each month's changes grouped by both);
- progress_reports' overdue index also holds the status, so that "overdue, not sent, not cancelled"
  is read from the index alone.

bench/queries.py measures what these are for (README, Benchmarks).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OVERDUE = ["overdue", "due_date", "task_id", "submitted_at"]


def upgrade() -> None:
    op.create_index("ix_task_status_changes_change", "task_status_changes", ["before", "after", "at"])
    op.drop_index("ix_task_status_changes_at", table_name="task_status_changes")
    op.drop_index("ix_progress_reports_overdue", table_name="progress_reports")
    op.create_index("ix_progress_reports_overdue", "progress_reports", [*OVERDUE, "status"])


def downgrade() -> None:
    op.drop_index("ix_progress_reports_overdue", table_name="progress_reports")
    op.create_index("ix_progress_reports_overdue", "progress_reports", OVERDUE)
    op.create_index("ix_task_status_changes_at", "task_status_changes", ["at", "before", "after"])
    op.drop_index("ix_task_status_changes_change", table_name="task_status_changes")
