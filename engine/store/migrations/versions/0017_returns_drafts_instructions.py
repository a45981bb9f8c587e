"""what travels between roles: a task's 交办意见 and plan due date, who sent a work item back and why, and the
drafts (暂存) of long forms, one per work item and person

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instructions", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("plan_due", sa.Date(), nullable=True))
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("returned_at", engine.store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("return_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key("fk_human_tasks_returned_by_id", "users", ["returned_by_id"], ["id"])
    op.create_table("work_drafts",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("work_id", sa.Integer(), nullable=False),
                    sa.Column("user_id", sa.Integer(), nullable=False),
                    sa.Column("data", sa.JSON(), nullable=False),
                    sa.Column("saved_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(["work_id"], ["human_tasks.id"]),
                    sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
                    sa.PrimaryKeyConstraint("id"),
                    sa.UniqueConstraint("work_id", "user_id", name="ux_work_drafts_work_user"))


def downgrade() -> None:
    op.drop_table("work_drafts")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_constraint("fk_human_tasks_returned_by_id", type_="foreignkey")
        batch_op.drop_column("return_reason")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_by_id")
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.drop_column("plan_due")
        batch_op.drop_column("instructions")
