"""Alembic environment: duban runs migrations from code (engine.store.database.Database.upgrade_schema)."""
from __future__ import annotations

from alembic import context

from engine.store.models import Base
from engine.store.search_index import is_search_object

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    include_name=lambda name, kind, parent: not is_search_object(name),  # the search index: not in the models
)
with context.begin_transaction():
    context.run_migrations()
