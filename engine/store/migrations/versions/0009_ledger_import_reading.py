"""an imported task keeps its deadline as the office's ledger wrote it; saved column mappings of ledgers

Revision ID: 0009
Revises: 0008

整改时限 is often free text in an office's own ledger (2018年12月底前, 长期坚持); the import reads it into a
kind and a date and keeps the text beside them. A person who tells the import which field an unknown
column holds may save the answer as a named profile for the next file.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.store.models.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rectification_tasks") as batch:
        batch.add_column(sa.Column("deadline_text", sa.String(length=100), nullable=True))
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("saved_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("import_profiles")
    with op.batch_alter_table("rectification_tasks") as batch:
        batch.drop_column("deadline_text")
