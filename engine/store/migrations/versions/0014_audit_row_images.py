"""audit events keep the after-images of the business rows their transaction wrote

Revision ID: 0014
Revises: 0013

`duban audit verify --state` compares each business row with the last image the trail holds of it.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.add_column(sa.Column("state", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.drop_column("state")
