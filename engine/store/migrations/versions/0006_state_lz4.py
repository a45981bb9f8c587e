"""process state compressed with lz4 on PostgreSQL

Revision ID: 0006
Revises: 0005

An instance's state (a few KB of JSON) is rewritten by every step and every timer fired, and read by
the next. PostgreSQL compresses such values with its own pglz unless told otherwise; lz4 compresses and
decompresses them faster (PostgreSQL 14 and later, when built with lz4, as the common packages are).
Values are compressed as they are written: existing rows change as their instances move on.

SQLite and older or other PostgreSQL servers keep what they have.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: the first PostgreSQL release with a column's COMPRESSION
LZ4_SINCE = 140000


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")


def _set_compression(method: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql" or not _server_has_lz4(connection):
        return
    op.execute(f"ALTER TABLE process_instances ALTER COLUMN state_json SET COMPRESSION {method}")


def _server_has_lz4(connection: sa.Connection) -> bool:
    if int(connection.execute(sa.text("SHOW server_version_num")).scalar_one()) < LZ4_SINCE:
        return False
    try:  # a server built without lz4 refuses the setting
        with connection.begin_nested():
            connection.execute(sa.text("SET LOCAL default_toast_compression = 'lz4'"))
    except sa.exc.DBAPIError:
        return False
    return True
