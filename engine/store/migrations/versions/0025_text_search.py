"""the ledger's search on the databases' own text indexes: FTS5 trigram tables (SQLite), pg_trgm GIN indexes
(PostgreSQL) on the tasks' and the monthly reports' texts; the dashboard's summary the sweep refreshes

Revision ID: 0025
Revises: 0024

The statements live in engine/store/search_index.py, which every schema upgrade runs again (a later
migration that copies one of the tables drops its triggers).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models
from engine.store import search_index

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.install(op.get_bind())
    op.create_table(
        "dashboard_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("as_of", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_summaries")),
        sa.UniqueConstraint("key", name=op.f("uq_dashboard_summaries_key")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_summaries")
    search_index.remove(op.get_bind())
