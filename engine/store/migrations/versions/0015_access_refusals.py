"""every refused request counted per person, route and day

Revision ID: 0015
Revises: 0014

The first refusal of a person on a route within a minute is an audit event; the others were only logged.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from engine.store.models.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_refusals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor_username", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(100), nullable=False),
        sa.Column("route", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("day", "actor_username", "route", name="ux_access_refusals_day_actor_route"),
    )


def downgrade() -> None:
    op.drop_table("access_refusals")
