"""a province of 100,000 tasks: indexes for inbox pages, the dashboard's counts, a unit's tasks, overdue reports;
task_status_changes (filled from the audit trail's task.status events) for the dashboard's month curve

Revision ID: 0004
Revises: 0003_locale

bench/queries.py measures what these are for (README, Benchmarks).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003_locale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: name -> (table, columns)
NEW_INDEXES = {
    "ix_human_tasks_work_queue": ("human_tasks", ["status", "role", "unit_id", "standing", "created_at",
                                                  "id", "assignee_id"]),
    "ix_rectification_tasks_category_status": ("rectification_tasks", ["category_id", "status", "warning"]),
    "ix_rectification_tasks_lead_unit_status": ("rectification_tasks", ["lead_unit_id", "status", "warning"]),
    "ix_rectification_tasks_lead_leader_status": ("rectification_tasks", ["lead_leader_id", "status", "warning"]),
    "ix_rectification_tasks_registered_at": ("rectification_tasks", ["registered_at"]),
    "ix_rectification_tasks_closed_at": ("rectification_tasks", ["closed_at"]),
    "ix_task_cooperating_units_unit": ("task_cooperating_units", ["unit_id", "task_id"]),
    "ix_progress_reports_overdue": ("progress_reports", ["overdue", "due_date", "task_id", "submitted_at"]),
}
#: replaced by the indexes above, which begin with the same columns
OLD_INDEXES = {
    "ix_human_tasks_inbox": ("human_tasks", ["status", "role", "unit_id", "created_at"]),
    "ix_rectification_tasks_category_id": ("rectification_tasks", ["category_id"]),
    "ix_rectification_tasks_lead_unit_id": ("rectification_tasks", ["lead_unit_id"]),
    "ix_rectification_tasks_lead_leader_id": ("rectification_tasks", ["lead_leader_id"]),
}


STATUS = sa.Enum("registered", "in_progress", "pending_signoff", "closed", name="taskstatus", native_enum=False,
                 length=32)


def upgrade() -> None:
    create_status_changes()
    for name, (table, columns) in NEW_INDEXES.items():
        op.create_index(name, table, columns)
    for name, (table, _) in OLD_INDEXES.items():
        op.drop_index(name, table_name=table)


def create_status_changes() -> None:
    op.create_table(
        "task_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", STATUS, nullable=False),
        sa.Column("after", STATUS, nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["rectification_tasks.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_status_changes_at", "task_status_changes", ["at", "before", "after"])
    op.create_index("ix_task_status_changes_task_id", "task_status_changes", ["task_id"])
    copy_status_events()


def copy_status_events() -> None:
    """Every task.status event of the audit trail so far, as a row (the trail itself is not touched)."""
    events = sa.table("audit_events", sa.column("task_id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
                      sa.column("action", sa.String), sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    changes = sa.table("task_status_changes", sa.column("task_id", sa.Integer),
                       sa.column("at", sa.DateTime(timezone=True)), sa.column("before", sa.String),
                       sa.column("after", sa.String))
    connection = op.get_bind()
    rows = [{"task_id": task_id, "at": at, "before": before["status"], "after": after["status"]}
            for task_id, at, before, after in connection.execute(
                sa.select(events.c.task_id, events.c.at, events.c.before, events.c.after)
                .where(events.c.action == "task.status", events.c.task_id.is_not(None)))
            if before and after and "status" in before and "status" in after]
    if rows:
        connection.execute(changes.insert(), rows)


def downgrade() -> None:
    op.drop_table("task_status_changes")
    for name, (table, columns) in OLD_INDEXES.items():
        op.create_index(name, table, columns)
    for name, (table, _) in NEW_INDEXES.items():
        op.drop_index(name, table_name=table)
