"""a task's code is unique within its inspection round, no longer city-wide

Revision ID: 0021
Revises: 0020

The next round numbers its tasks from 1-1 again (the provincial inspection's 1-1 is not the central one's).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the first migration left the unique constraint on code unnamed: SQLite reflects it under this name, PostgreSQL
#: named it itself
UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
CITY_WIDE = {"sqlite": "uq_rectification_tasks_code", "postgresql": "rectification_tasks_code_key"}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("rectification_tasks", naming_convention=UNNAMED) as batch_op:
        batch_op.drop_constraint(CITY_WIDE.get(dialect, CITY_WIDE["sqlite"]), type_="unique")
        batch_op.create_unique_constraint("uq_rectification_tasks_round_code", ["round_id", "code"])
        batch_op.create_index("ix_rectification_tasks_code", ["code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rectification_tasks") as batch_op:
        batch_op.drop_index("ix_rectification_tasks_code")
        batch_op.drop_constraint("uq_rectification_tasks_round_code", type_="unique")
        batch_op.create_unique_constraint("uq_rectification_tasks_code", ["code"])
