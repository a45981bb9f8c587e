"""The databases' own text indexes behind the ledger's search: a task's texts and its monthly reports' texts.

SQLite: two FTS5 tables with the trigram tokenizer (SQLite 3.34 or later), external-content tables over
rectification_tasks and progress_reports kept up to date by triggers, so that every INSERT, UPDATE of a
text and DELETE, whoever makes it, changes the index in the same transaction. PostgreSQL: GIN trigram
indexes (pg_trgm) on each table's texts joined into one, which ILIKE '%word%' uses.

Put in place by migration 0024 and again by every schema upgrade, like the audit trail's triggers: a
later migration that rebuilds one of the tables (SQLite's batch mode copies it) drops its triggers, and
the upgrade puts them back and rebuilds the index. Trigrams need three characters: a shorter word is
searched with LIKE (engine/features/rectification/ledger_search.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: every object of the search index is named so; the schema comparison with the models leaves them out
PREFIX = "search_"
#: a word shorter than this has no trigram: the index cannot find it
TRIGRAM = 3
#: between two texts of a row in the PostgreSQL index: a word (never holding a space) cannot run across it
SEPARATOR = " "


@dataclass(frozen=True)
class Indexed:
    """One table's texts in the index."""

    name: str  # the FTS5 table (SQLite) or the index (PostgreSQL)
    table: str
    columns: tuple[str, ...]

    def joined(self, table: str | None = None) -> str:
        """The texts joined into one (the PostgreSQL index's expression; queries repeat it to use the index)."""
        prefix = f"{table}." if table else ""
        return f" || '{SEPARATOR}' || ".join(f"{prefix}{column}" for column in self.columns)


TASK_TEXTS = Indexed("search_task_texts", "rectification_tasks", ("code", "title", "problem", "target", "measures"))
REPORT_TEXTS = Indexed("search_report_texts", "progress_reports", ("progress", "problems", "next_steps"))
INDEXED = (TASK_TEXTS, REPORT_TEXTS)


def is_search_object(name: str | None) -> bool:
    """A table, trigger or index of the search index (none of them is described by the models)."""
    return bool(name) and str(name).startswith(PREFIX)


def install(connection: Connection) -> None:
    """Create what is missing of the index, and fill what was created (nothing is asked when all is there)."""
    if connection.dialect.name == "sqlite":
        _install_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        _install_postgres(connection)


def remove(connection: Connection) -> None:
    for indexed in INDEXED:
        if connection.dialect.name == "sqlite":
            for event in ("insert", "update", "delete"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {indexed.name}_{event}")
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {indexed.name}")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {indexed.name}")


# --- SQLite: FTS5, trigram tokenizer ---------------------------------------------------------------

def _install_sqlite(connection: Connection) -> None:
    present = {name for name in connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").scalars() if is_search_object(name)}
    for indexed in INDEXED:
        triggers = {f"{indexed.name}_{event}" for event in ("insert", "update", "delete")}
        if indexed.name in present and triggers <= present:
            continue
        if indexed.name not in present:
            connection.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {indexed.name} USING fts5({', '.join(indexed.columns)}, "
                f"content='{indexed.table}', content_rowid='id', tokenize='trigram')")
        for statement in _sqlite_triggers(indexed):
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO {indexed.name}({indexed.name}) VALUES ('rebuild')")  # noqa: S608


def _sqlite_triggers(indexed: Indexed) -> list[str]:
    name, table, columns = indexed.name, indexed.table, ", ".join(indexed.columns)
    new = ", ".join(f"new.{column}" for column in indexed.columns)
    old = ", ".join(f"old.{column}" for column in indexed.columns)
    # names of this module only (S608)
    forget = f"INSERT INTO {name}({name}, rowid, {columns}) VALUES ('delete', old.id, {old});"  # noqa: S608
    learn = f"INSERT INTO {name}(rowid, {columns}) VALUES (new.id, {new});"  # noqa: S608
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {forget} {learn} END",
    ]


# --- PostgreSQL: pg_trgm ----------------------------------------------------------------------------

def _install_postgres(connection: Connection) -> None:
    present = {name for name in connection.exec_driver_sql(
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()").scalars() if is_search_object(name)}
    missing = [indexed for indexed in INDEXED if indexed.name not in present]
    if not missing:
        return
    schema = _trigram_schema(connection)
    if schema is None:
        return
    for indexed in missing:
        connection.exec_driver_sql(f'CREATE INDEX {indexed.name} ON {indexed.table} USING gin '
                                   f'(({indexed.joined()}) "{schema}".gin_trgm_ops)')
        # the planner knows an expression index's values only once the table is analysed: without that, a
        # database upgraded with its tasks in it would read them all rather than use the index
        connection.exec_driver_sql(f"ANALYZE {indexed.table}")


def _trigram_schema(connection: Connection) -> str | None:
    """The schema holding pg_trgm, installed into public (where tests' and tenants' schemas come and go, it
    stays); None, and the search reads the tables, where it cannot be installed."""
    installed = _extension_schema(connection)
    if installed is not None:
        return installed
    public = connection.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").first()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if public else ""))
    except DBAPIError as exc:
        log.warning("pg_trgm cannot be installed (%s): the ledger's search reads the tables without an index",
                    exc.orig)
        return None
    return _extension_schema(connection)


def _extension_schema(connection: Connection) -> str | None:
    return connection.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
