"""the administrators' holiday and make-up-day table; an objection's tracking code

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as engine/features/public/objections.py


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_calendar_days_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_days_day")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_objections_tracking_code"), ["tracking_code"])
    _give_codes_to_earlier_objections()


def _give_codes_to_earlier_objections() -> None:
    """Objections filed before codes existed get one too, so that every published answer has its number."""
    objections = sa.table("objections", sa.column("id", sa.Integer), sa.column("tracking_code", sa.String))
    bind = op.get_bind()
    taken: set[str] = set()
    for (objection_id,) in bind.execute(sa.select(objections.c.id).where(objections.c.tracking_code.is_(None))):
        code = _code()
        while code in taken:
            code = _code()
        taken.add(code)
        bind.execute(objections.update().where(objections.c.id == objection_id).values(tracking_code=code))


def _code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def downgrade() -> None:
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_objections_tracking_code"), type_="unique")
        batch_op.drop_column("tracking_code")
    op.drop_table("calendar_days")
