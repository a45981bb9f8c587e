"""an index for the dashboard's month curve: task_status_changes by (before, after, at)

Revision ID: 0005
Revises: 0004

Each kind of change (before, after) in each month is one range of the index, counted without grouping
(the index was (at, before, after), and each month's changes were grouped by before and after).

bench/queries.py measures what these are for (README, Benchmarks).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_task_status_changes_change", "task_status_changes", ["before", "after", "at"])
    op.drop_index("ix_task_status_changes_at", table_name="task_status_changes")


def downgrade() -> None:
    op.create_index("ix_task_status_changes_at", "task_status_changes", ["at", "before", "after"])
    op.drop_index("ix_task_status_changes_change", table_name="task_status_changes")
