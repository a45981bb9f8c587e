"""The operator's use cases: is the schema current, write a backup, check one, restore one into an empty database."""
from __future__ import annotations

from pathlib import Path

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.store import backup
from engine.store.database import Database
from engine.store.files import FileStore


class OperationUseCases:
    def __init__(self, db: Database, clock: Clock, files: FileStore) -> None:
        self.db = db
        self.clock = clock
        self.files = files

    @property
    def database_url(self) -> str:
        return self.db.url

    def schema_is_current(self) -> bool:
        return self.db.schema_is_current()

    def backup(self, target: Path, actor: Actor) -> backup.BackupReport:
        """One artifact (database, evidence files, manifest) written while the site keeps running; its digest is
        recorded in the audit trail."""
        return backup.backup(self.db, self.files, target, self.clock, actor)

    def verify_backup(self, source: Path) -> backup.VerifyReport:
        """Every difference between an artifact and its manifest, its rows and the trail's record of it."""
        return backup.verify(source, self.db)

    def restore(self, source: Path, actor: Actor) -> backup.BackupReport:
        """A backup, checked first (an edited one is refused), into an empty database; the restore is audited."""
        return backup.restore(self.db, self.files, source, self.clock, actor)

    def close(self) -> None:
        """Let go of the database connections (before a fork: none may cross it)."""
        self.db.dispose()
