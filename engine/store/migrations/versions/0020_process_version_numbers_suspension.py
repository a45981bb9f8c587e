"""process versions numbered per process; instances suspended by an administrator

Revision ID: 0020
Revises: 0019
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    _number_earlier_versions()
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_process_versions_number", ["process_id", "number"])
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended", sa.Boolean(), server_default=sa.text("false"), nullable=False))


def _number_earlier_versions() -> None:
    """Versions deployed before numbers existed are numbered in the order they were stored."""
    versions = sa.table("process_versions", sa.column("id", sa.Integer), sa.column("process_id", sa.String),
                        sa.column("number", sa.Integer))
    bind = op.get_bind()
    counts: dict[str, int] = {}
    for version_id, process_id in bind.execute(sa.select(versions.c.id, versions.c.process_id)
                                               .order_by(versions.c.id)).all():
        counts[process_id] = counts.get(process_id, 0) + 1
        bind.execute(versions.update().where(versions.c.id == version_id).values(number=counts[process_id]))


def downgrade() -> None:
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_column("suspended")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_process_versions_number", type_="unique")
        batch_op.drop_column("number")
