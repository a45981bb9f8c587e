"""the ledger's search on the databases' own text indexes: FTS5 trigram tables (SQLite), pg_trgm GIN indexes
(PostgreSQL) on the tasks' and the monthly reports' texts

Revision ID: 0024
Revises: 0018

The statements live in engine/store/search_index.py, which every schema upgrade runs again (a later
migration that copies one of the tables drops its triggers).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from engine.store import search_index

revision: str = "0024"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.install(op.get_bind())


def downgrade() -> None:
    search_index.remove(op.get_bind())
