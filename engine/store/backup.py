"""Backups that prove themselves: one artifact with the database, every evidence file and a manifest.

The database is copied consistently while the site keeps running: on SQLite with the online backup API
(every page inside one read transaction), on PostgreSQL with `pg_dump --format=custom` of one exported
snapshot (engine/store/backup_postgres.py). The manifest holds each member's SHA-256 and a digest of each
table (engine/store/digests.py); the manifest's own SHA-256 is recorded in the audit trail (`backup.made`).

`verify` names every difference: a member added, changed or missing, a table whose digest changed, a row
changed after duban last wrote it (engine/store/state.py), a manifest whose digest the trail never recorded.
`restore` runs the same check first and refuses a backup edited after it was made.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, make_url, select, text, union
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.store import backup_postgres
from engine.store.audit import ChainReport, record, verify_chain
from engine.store.backup_archive import BackupError, OpenedArchive, evidence_name, open_archive, write_archive
from engine.store.database import MIGRATIONS, Database
from engine.store.digests import TableDigests, compare, table_digests
from engine.store.files import FileState, FileStore, write_atomically
from engine.store.models import Attachment, AuditEvent, IssuedDocument
from engine.store.state import check_state

__all__ = ["BackupError", "BackupReport", "VerifyReport", "backup", "check_file", "restore", "verify"]

SQLITE_DB = "database.sqlite3"
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    chain: ChainReport
    digest: str = ""
    files: int = 0
    missing_files: tuple[str, ...] = ()


@dataclass
class VerifyReport:
    """What checking an artifact found: its digest, its chain (SQLite) and every difference, in words."""

    digest: str
    differences: list[str] = field(default_factory=list)
    chain: ChainReport | None = None
    audited: bool | None = None  # None: no live trail to look the digest up in

    @property
    def ok(self) -> bool:
        return not self.differences


@dataclass(frozen=True)
class Snapshot:
    """The database as copied for a backup, and what the manifest says of it."""

    member: str
    path: Path
    chain: ChainReport
    digests: TableDigests
    evidence: list[str]


# --- making a backup ---------------------------------------------------------------------------

def backup(db: Database, files: FileStore, target: Path, clock: Clock, actor: Actor) -> BackupReport:
    """Write the artifact to `target` (which must not exist yet) and record its digest in the audit trail."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
            snapshot = _snapshot(db, Path(work))
            members, missing = _members(snapshot, files)
            digest = write_archive(partial, members, _fields(db, snapshot, clock, missing))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    report = BackupReport(target, target.stat().st_size, snapshot.chain, digest, len(members) - 1, tuple(missing))
    _record_made(db, report, clock, actor)
    return report


def _snapshot(db: Database, work: Path) -> Snapshot:
    if db.is_sqlite:
        copy = work / SQLITE_DB
        _copy(_sqlite_file(db), copy)
        chain = check_file(copy)
        with _read_only(copy) as connection:
            return Snapshot(SQLITE_DB, copy, chain, table_digests(connection), _evidence(connection))
    target = work / backup_postgres.DUMP
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        return backup_postgres.dump(db.url, target, lambda c: _postgres_snapshot(c, target), connection)


def _postgres_snapshot(connection: Connection, dump: Path) -> Snapshot:
    chain = verify_chain(Session(bind=connection))  # type: ignore[arg-type]
    if not chain.ok:
        raise BackupError(f"the audit chain is broken: {chain.problem}")
    return Snapshot(backup_postgres.DUMP, dump, chain, table_digests(connection), _evidence(connection))


def _evidence(connection: Connection) -> list[str]:
    """The SHA-256 of every stored file the database refers to: attachments and issued documents."""
    query = union(select(Attachment.sha256), select(IssuedDocument.sha256))
    return sorted(connection.execute(query).scalars())


def _members(snapshot: Snapshot, files: FileStore) -> tuple[dict[str, Path], list[str]]:
    members = {snapshot.member: snapshot.path}
    missing = []
    for sha256 in snapshot.evidence:
        if files.state(sha256) is FileState.INTACT:
            members[evidence_name(sha256)] = files.path(sha256)
        else:
            missing.append(sha256)
    return members, missing


def _fields(db: Database, snapshot: Snapshot, clock: Clock, missing: list[str]) -> dict[str, object]:
    return {"made_at": clock.now().isoformat(), "dialect": db.engine.dialect.name, "database": snapshot.member,
            "audit_head": {"seq": snapshot.chain.head_seq, "hash": snapshot.chain.head_hash},
            "tables": snapshot.digests, "evidence_missing": missing}


def _record_made(db: Database, report: BackupReport, clock: Clock, actor: Actor) -> None:
    with db.transaction() as session:
        record(session, actor, clock.now(), "backup.made", ("backup", report.digest),
               f"备份 {report.path.name}（清单 SHA-256 {report.digest}，{report.files} 个佐证文件，"
               f"审计记录至 #{report.chain.head_seq}）",
               after={"file": report.path.name, "manifest_sha256": report.digest, "files": report.files,
                      "evidence_missing": list(report.missing_files), "head_seq": report.chain.head_seq})


# --- verifying and restoring -----------------------------------------------------------------------

def verify(source: Path, live: Database | None = None) -> VerifyReport:
    """Check an artifact: members against the manifest, tables against their digests, rows against the trail
    (SQLite), and the manifest's digest against the `backup.made` events of the live database, if given."""
    with _opened(source) as opened:
        return _verify_opened(opened, live)


def _verify_opened(opened: OpenedArchive, live: Database | None) -> VerifyReport:
    report = VerifyReport(opened.digest, list(opened.differences))
    if opened.manifest.get("dialect") == "sqlite":
        _check_sqlite_member(opened, report)
    if live is not None:
        report.audited = _audited(live, opened.digest)
        if report.audited is False:
            report.differences.append(f"the manifest's SHA-256 {opened.digest} is not one the audit trail of "
                                      f"{live.url} recorded when a backup was made")
    return report


def _check_sqlite_member(opened: OpenedArchive, report: VerifyReport) -> None:
    copy = opened.member(SQLITE_DB)
    if not copy.is_file():
        return  # already named as missing
    try:
        report.chain = check_file(copy)
    except BackupError as exc:
        report.differences.append(str(exc))
        return
    with _read_only(copy) as connection:
        report.differences.extend(_content_differences(connection, opened))


def _content_differences(connection: Connection, opened: OpenedArchive) -> list[str]:
    """Tables against the manifest's digests; rows against the trail's after-images (a copy of this duban's
    schema: an older one is compared row by row once restored and upgraded, by `duban audit verify --state`)."""
    differences = compare(opened.manifest.get("tables", {}), table_digests(connection))
    if MigrationContext.configure(connection).get_current_revision() != _head_revision():
        return differences
    state = check_state(Session(bind=connection))  # type: ignore[arg-type]
    return differences + [f"row {found.describe()}" for found in state.differences]


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _audited(live: Database, digest: str) -> bool | None:
    """Whether the live trail recorded this digest; None when it records no backup at all (a new database)."""
    with live.transaction(write=False) as session:
        if "audit_events" not in inspect(session.connection()).get_table_names():
            return None
        made = session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "backup.made")).all()
    return None if not made else digest in made


def restore(db: Database, files: FileStore, source: Path, clock: Clock, actor: Actor) -> BackupReport:
    """Check the artifact, refuse it if anything differs, else load it into the empty database and put its
    evidence files back; the restore is audited."""
    with _opened(source) as opened:
        checked = _verify_opened(opened, None)
        if not checked.ok:
            raise BackupError(_refusal(source, checked))
        _require_empty(db)
        _load(db, opened)
        restored = _put_back_files(opened, files)
    db.upgrade_schema()
    with db.transaction() as session:
        head = verify_chain(session)
        record(session, actor, clock.now(), "system.restored", ("backup", checked.digest),
               f"从备份 {source.name} 恢复数据库（{head.events} 条审计记录，末条 #{head.head_seq}），"
               f"恢复佐证文件 {restored} 个",
               after={"file": source.name, "manifest_sha256": checked.digest, "head_seq": head.head_seq,
                      "head_hash": head.head_hash, "files": restored})
    with db.transaction(write=False) as session:
        return BackupReport(source, source.stat().st_size, verify_chain(session), checked.digest, restored)


def _refusal(source: Path, checked: VerifyReport) -> str:
    listed = "\n".join(f"  - {difference}" for difference in checked.differences)
    return f"{source} was changed after it was made; not restored. Differences:\n{listed}"


def _load(db: Database, opened: OpenedArchive) -> None:
    if db.is_sqlite:
        if opened.manifest.get("dialect") != "sqlite":
            raise BackupError("this backup holds a PostgreSQL dump; restore it into a PostgreSQL database")
        target = _sqlite_file(db)
        db.dispose()
        _copy(opened.member(SQLITE_DB), target)
        db.dispose()
        return
    if opened.manifest.get("dialect") != "postgresql":
        raise BackupError("this backup holds an SQLite database; restore it into an SQLite database")
    backup_postgres.restore(db.migration_url or db.url, opened.member(backup_postgres.DUMP))
    _check_restored_postgres(db, opened)


def _check_restored_postgres(db: Database, opened: OpenedArchive) -> None:
    """A dump cannot be read before it is loaded: its tables and rows are checked once loaded, and a database
    that differs is emptied again."""
    with db.engine.connect() as connection:
        differences = _content_differences(connection, opened)
    if differences:
        with create_engine(db.migration_url or db.url).begin() as connection:
            backup_postgres.clear(connection)
        raise BackupError(_refusal(Path(opened.manifest.get("database", "")),
                                   VerifyReport(opened.digest, differences)))


def _put_back_files(opened: OpenedArchive, files: FileStore) -> int:
    restored = 0
    for sha256, path in opened.evidence():
        if files.state(sha256) is not FileState.INTACT:
            write_atomically(files.path(sha256), path.read_bytes())
            restored += 1
    return restored


@contextmanager
def _opened(source: Path) -> Iterator[OpenedArchive]:
    with tempfile.TemporaryDirectory(prefix="duban-restore-") as work:
        yield open_archive(source, Path(work))


# --- SQLite ------------------------------------------------------------------------------------

def check_file(path: Path) -> ChainReport:
    """An SQLite copy is usable if SQLite finds it intact, duban knows its schema and its audit chain holds."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as file:
        if file.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path.name} is not an SQLite database")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with Session(engine) as session:
            _check_integrity(session, path)
            _check_revision(session, path)
            chain = verify_chain(session)
    except DatabaseError as exc:
        raise BackupError(f"{path.name} cannot be read as a duban database: {exc.orig}") from None
    finally:
        engine.dispose()
    if not chain.ok:
        raise BackupError(f"{path.name}: the audit chain is broken: {chain.problem}")
    return chain


@contextmanager
def _read_only(path: Path) -> Iterator[Connection]:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _check_integrity(session: Session, path: Path) -> None:
    result = session.execute(text("PRAGMA integrity_check")).scalar()
    if result != "ok":
        raise BackupError(f"{path.name}: SQLite integrity check failed: {result}")


def _check_revision(session: Session, path: Path) -> None:
    from alembic.script import ScriptDirectory

    if "alembic_version" not in inspect(session.connection()).get_table_names():
        raise BackupError(f"{path.name} is not a duban database (no schema version)")
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    scripts = ScriptDirectory(str(MIGRATIONS))
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(f"{path.name} has schema version {revision!r}, unknown to this duban (newer?)")


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
    name = make_url(db.url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{db.url} is not an SQLite database file")
    return Path(name)
