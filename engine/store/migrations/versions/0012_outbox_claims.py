"""the outbox knows which sweep took a message, the message out it travels in, and when it was last attempted

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sending", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("attempted_at", engine.store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_outbox_messages_attempted", ["channel", "attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_attempted")
        batch_op.drop_column("attempted_at")
        batch_op.drop_column("sending")
        batch_op.drop_column("claimed_by")
