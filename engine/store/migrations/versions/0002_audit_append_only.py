"""audit events are append-only: the database refuses UPDATE and DELETE on audit_events

Revision ID: 0002
Revises: 0001

Kept apart from the generated initial schema because autogenerate knows nothing of triggers; the
statements live in engine/store/append_only.py, which every schema upgrade runs again.
The hash chain (engine/audit.py) still catches changes made by someone who drops these
triggers first; the triggers stop mistakes and casual edits at the door.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from engine.store import append_only

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    append_only.install(op.get_bind())


def downgrade() -> None:
    append_only.remove(op.get_bind())
