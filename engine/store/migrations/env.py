"""Alembic environment: duban runs migrations from code (engine.store.database.Database.upgrade_schema)."""
from __future__ import annotations

from alembic import context

from engine.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
