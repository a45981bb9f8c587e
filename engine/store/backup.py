"""Backups: a consistent snapshot of the database while the site keeps running, and restoring one.

SQLite: the online backup API copies every page inside one read transaction, so the copy is
the database as it was at one instant even while writers go on (WAL lets them). The copy is
checked (integrity_check and the audit chain) before it is renamed into place.

PostgreSQL: use the database's own tools (see POSTGRES_HOWTO); duban does not wrap them.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.errors import DomainError
from engine.store.audit import ChainReport, record, verify_chain
from engine.store.database import MIGRATIONS, Database

POSTGRES_HOWTO = (
    "PostgreSQL is backed up with its own tools, while the site runs:\n"
    "  pg_dump --format=custom --file=duban.dump \"$PGURL\"        # consistent snapshot (one transaction)\n"
    "  createdb duban_restored && pg_restore --no-owner --dbname=duban_restored duban.dump\n"
    "then point DATABASE_URL at the restored database and run `duban audit verify`."
)
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    chain: ChainReport


def backup(db: Database, target: Path) -> BackupReport:
    """Write a checked snapshot of the live database to `target` (which must not exist yet)."""
    source = _sqlite_file(db)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        chain = check_file(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, chain)


def restore(db: Database, source: Path, clock: Clock, actor: Actor) -> BackupReport:
    """Copy a checked backup into an empty database, bring its schema up to date, record the restore."""
    target = _sqlite_file(db)
    chain = check_file(source)
    _require_empty(db)
    db.dispose()
    _copy(source, target)
    db.dispose()
    db.upgrade_schema()
    with db.transaction() as session:
        record(session, actor, clock.now(), "system.restored", ("backup", source.name[:64]),
               f"从备份 {source.name} 恢复数据库（{chain.events} 条审计记录，末条 #{chain.head_seq}）",
               after={"file": source.name, "head_seq": chain.head_seq, "head_hash": chain.head_hash})
    with db.transaction(write=False) as session:
        return BackupReport(source, source.stat().st_size, verify_chain(session))


def check_file(path: Path) -> ChainReport:
    """A backup is usable if SQLite finds it intact, duban knows its schema and its audit chain holds."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite database")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with Session(engine) as session:
            _check_integrity(session, path)
            _check_revision(session, path)
            chain = verify_chain(session)
    except DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a duban database: {exc.orig}") from None
    finally:
        engine.dispose()
    if not chain.ok:
        raise BackupError(f"{path}: the audit chain is broken: {chain.problem}")
    return chain


def _check_integrity(session: Session, path: Path) -> None:
    result = session.execute(text("PRAGMA integrity_check")).scalar()
    if result != "ok":
        raise BackupError(f"{path}: SQLite integrity check failed: {result}")


def _check_revision(session: Session, path: Path) -> None:
    from alembic.script import ScriptDirectory

    if "alembic_version" not in inspect(session.connection()).get_table_names():
        raise BackupError(f"{path} is not a duban database (no schema version)")
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    scripts = ScriptDirectory(str(MIGRATIONS))
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(f"{path} has schema version {revision!r}, unknown to this duban (newer?)")


def _require_empty(db: Database) -> None:
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table != "alembic_version" and connection.execute(
                    select(text("1")).select_from(text(f'"{table}"')).limit(1)).first():
                raise BackupError(f"the database {db.url} is not empty (table {table} has rows); "
                                  "restore only into a new, empty database")


def _copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file


def _sqlite_file(db: Database) -> Path:
    if not db.is_sqlite:
        raise BackupError(POSTGRES_HOWTO)
    name = make_url(db.url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{db.url} is not an SQLite database file")
    return Path(name)
