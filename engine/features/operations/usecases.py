"""The operator's use cases: is the schema current, write a backup, restore one into an empty database."""
from __future__ import annotations

from pathlib import Path

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.store import backup
from engine.store.database import Database


class OperationUseCases:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @property
    def database_url(self) -> str:
        return self.db.url

    def schema_is_current(self) -> bool:
        return self.db.schema_is_current()

    def backup(self, target: Path) -> backup.BackupReport:
        """A consistent, checked snapshot of the database (SQLite) while the site keeps running."""
        return backup.backup(self.db, target)

    def restore(self, source: Path, actor: Actor) -> backup.BackupReport:
        """A backup, checked first, into an empty database; the restore is audited."""
        return backup.restore(self.db, source, self.clock, actor)

    def close(self) -> None:
        """Let go of the database connections (before a fork: none may cross it)."""
        self.db.dispose()
