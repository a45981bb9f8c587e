"""inspection rounds (督察批次): each task belongs to one

Revision ID: 0019
Revises: 0018
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
FIRST_ROUND = "督察反馈整改"  # as engine/features/rounds/register.py names the round it makes when there is none


def upgrade() -> None:
    rounds = op.create_table(
        "inspection_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=200), server_default="", nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("feedback_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_rounds")),
        sa.UniqueConstraint("name", name=op.f("uq_inspection_rounds_name")),
    )
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
    _earlier_tasks_into_the_first_round(rounds)
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.alter_column("round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_rectification_tasks_round_id"), ["round_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_rectification_tasks_round_id_inspection_rounds"),
                                    "inspection_rounds", ["round_id"], ["id"])


def _earlier_tasks_into_the_first_round(rounds: sa.Table) -> None:
    """Tasks registered before rounds existed answer one round: it is made for them."""
    bind = op.get_bind()
    tasks = sa.table("rectification_tasks", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer),
                     sa.column("registered_at", engine.store.models.UTCDateTime(timezone=True)))
    first_registered = bind.execute(sa.select(sa.func.min(tasks.c.registered_at))).scalar()
    if first_registered is None:  # no task yet: init_database makes the first round
        return
    # the round existed as soon as its first task did
    bind.execute(rounds.insert().values(name=FIRST_ROUND, body="", description="", created_at=first_registered))
    round_id = bind.execute(sa.select(rounds.c.id).where(rounds.c.name == FIRST_ROUND)).scalar_one()
    bind.execute(tasks.update().values(round_id=round_id))


def downgrade() -> None:
    with op.batch_alter_table("rectification_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_rectification_tasks_round_id_inspection_rounds"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rectification_tasks_round_id"))
        batch_op.drop_column("round_id")
    op.drop_table("inspection_rounds")
