"""an escalation belongs to a rectification task or to a complaint case (信访件), exactly one of them

Revision ID: 0026
Revises: 0025

Complaint cases climb the same ladder (通报 → 约谈 → 曝光 → 追责) as tasks: escalations.case_id beside task_id,
task_id no longer required, and a check that exactly one of them is set.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_SUBJECT = "(task_id IS NULL) <> (case_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key("fk_escalations_case_id_complaint_cases", "complaint_cases", ["case_id"], ["id"])
        batch_op.create_index("ix_escalations_case_status", ["case_id", "status"], unique=False)
        batch_op.create_check_constraint("ck_escalations_one_subject", ONE_SUBJECT)


def downgrade() -> None:
    """A case's escalations (and what hangs on them) cannot stand without a task: they go with the column."""
    cases = "SELECT id FROM escalations WHERE case_id IS NOT NULL"
    for table in ("accountable_persons", "accountability_cases", "escalation_exposures", "escalation_interviews",
                  "escalation_notices", "escalation_triggers"):
        op.execute(f"DELETE FROM {table} WHERE escalation_id IN ({cases})")  # noqa: S608 - fixed names
    op.execute(f"UPDATE escalations SET predecessor_id = NULL WHERE predecessor_id IN ({cases})")  # noqa: S608
    op.execute("DELETE FROM escalations WHERE case_id IS NOT NULL")
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.drop_constraint("ck_escalations_one_subject", type_="check")
        batch_op.drop_index("ix_escalations_case_status")
        batch_op.drop_constraint("fk_escalations_case_id_complaint_cases", type_="foreignkey")
        batch_op.drop_column("case_id")
        batch_op.alter_column("task_id", existing_type=sa.Integer(), nullable=False)
