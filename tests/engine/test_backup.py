"""Backups: a consistent snapshot taken while people keep working, restored into an empty database."""
from __future__ import annotations

import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import Clock, FakeClock
from engine.store import append_only
from engine.store.audit import verify_chain
from engine.store.backup import BackupError, BackupReport
from engine.store.backup import backup as make_backup
from engine.store.backup import restore as restore_backup
from engine.store.database import Database
from engine.store.files import FileStore
from engine.store.models import AuditEvent, HumanTask, ProcessInstance, RectificationTask, User
from tests.conftest import START
from tests.factories import World, assert_round_trip, assignment
from webui.cli import main

COUNTED = (RectificationTask, ProcessInstance, HumanTask, AuditEvent, User)


def backup(db: Database, target: Path) -> BackupReport:
    """A backup of `db` by the system, its evidence taken from beside the target."""
    return make_backup(db, FileStore(target.parent / "evidence", 1 << 20), target, FakeClock(START), Actor.system())


def restore(db: Database, source: Path, clock: Clock, actor: Actor) -> BackupReport:
    return restore_backup(db, FileStore(source.parent / "restored-evidence", 1 << 20), source, clock, actor)


@contextmanager
def database_in(artifact: Path, folder: Path) -> Iterator[Database]:
    """The SQLite database a backup artifact holds, unpacked into `folder`."""
    with tarfile.open(artifact) as archive:
        archive.extract("database.sqlite3", folder, filter="data")
    snapshot = Database(f"sqlite:///{folder / 'database.sqlite3'}")
    yield snapshot
    snapshot.dispose()


def counts(db: Database) -> dict[str, int]:
    with db.transaction(write=False) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0 for model in COUNTED}


def keep_working(world: World, stop: threading.Event, errors: list[BaseException]) -> None:
    """Register and assign tasks, and be refused now and then, until told to stop."""
    number = 0
    try:
        while not stop.is_set() and number < 40:
            number += 1
            task_id = world.register(f"9-{number}")
            world.duban.work.complete(world["coordinator"], world.work_for("coordinator", task_id)[0].id,
                                 assignment(world))
            world.duban.accounts.refuse(world["staff"], f"GET /tasks/{task_id + 1000}", "没有找到")
    except BaseException as exc:  # reported by the test
        errors.append(exc)


@pytest.mark.sqlite_only
def test_a_backup_taken_mid_activity_restores_whole(world: World, duban: Duban, tmp_path: Path) -> None:
    world.register("1-1")
    stop, errors = threading.Event(), []  # type: ignore[var-annotated]
    worker = threading.Thread(target=keep_working, args=(world, stop, errors))
    worker.start()
    try:
        while counts(duban.db)["RectificationTask"] < 4:
            pass
        taken = backup(duban.db, tmp_path / "mid.tar")
        with database_in(taken.path, tmp_path / "unpacked") as snapshot:
            in_backup = counts(snapshot)["RectificationTask"]
        while counts(duban.db)["RectificationTask"] < in_backup + 2 and worker.is_alive():
            pass  # the work went on after the snapshot
    finally:
        stop.set()
        worker.join()
    assert not errors
    assert taken.chain.ok
    live = counts(duban.db)
    restored_db = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    restored = Duban(restored_db, duban.roles, duban.clock, duban.workflow_files)
    result = restore(restored_db, taken.path, duban.clock, Actor.system())
    assert result.chain.ok and result.chain.events == taken.chain.events + 1  # + the restore itself
    after = counts(restored_db)
    assert 4 <= after["RectificationTask"] == in_backup < live["RectificationTask"]
    assert after["AuditEvent"] == taken.chain.events + 1  # the backup.made event came after the snapshot
    restored.init_database()
    with restored_db.transaction(write=False) as session:
        task_ids = session.scalars(select(RectificationTask.id)).all()
    for task_id in task_ids:  # every task's workflow state agrees with its open work: no torn transaction
        assert_round_trip(restored, task_id)
    restored.accounts.refuse(world["staff"], "GET /after-restore", "恢复后继续工作")
    with restored_db.transaction(write=False) as session:
        assert verify_chain(session).ok
    restored_db.dispose()


@pytest.mark.sqlite_only
def test_restore_only_into_an_empty_database_and_only_an_intact_backup(world: World, duban: Duban,
                                                                       tmp_path: Path) -> None:
    good = backup(duban.db, tmp_path / "good.tar").path
    with pytest.raises(BackupError, match="already exists"):
        backup(duban.db, good)
    with pytest.raises(BackupError, match="not empty"):
        restore(duban.db, good, duban.clock, Actor.system())
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("hello", encoding="utf-8")
    empty = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(BackupError, match="not a duban backup"):
        restore(empty, not_sqlite, duban.clock, Actor.system())
    with duban.db.engine.begin() as connection:  # someone deletes an audit event in the live database ...
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        connection.exec_driver_sql("DELETE FROM audit_events WHERE seq = 2")
    broken = backup_refused(duban, tmp_path / "broken.tar")
    assert "audit chain is broken" in broken
    assert not (tmp_path / "broken.tar").exists() and not (tmp_path / "broken.tar.partial").exists()
    restore(empty, good, duban.clock, Actor.system())  # the earlier, intact backup still restores
    empty.dispose()


def backup_refused(duban: Duban, path: Path) -> str:
    with pytest.raises(BackupError) as refused:
        backup(duban.db, path)
    return str(refused.value)


@pytest.mark.sqlite_only
def test_backup_and_restore_from_the_command_line(world: World, duban: Duban, tmp_path: Path) -> None:
    env = {"DATABASE_URL": duban.db.url, "DUBAN_INSTANCE": str(tmp_path), "SECRET_KEY": "k" * 32}
    taken = CliRunner().invoke(main, ["backup", str(tmp_path / "b.tar")], env=env)
    assert taken.exit_code == 0, taken.output
    assert "backup written" in taken.output and "audit chain intact" in taken.output
    verified = CliRunner().invoke(main, ["backup", "verify", str(tmp_path / "b.tar")], env=env)
    assert verified.exit_code == 0, verified.output
    assert "backup intact" in verified.output and "recorded in the audit trail" in verified.output
    target = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"}
    restored = CliRunner().invoke(main, ["restore", str(tmp_path / "b.tar")], env=target)
    assert restored.exit_code == 0, restored.output
    again = CliRunner().invoke(main, ["restore", str(tmp_path / "b.tar")], env=target)
    assert again.exit_code == 1 and "not empty" in again.output and "Traceback" not in again.output
    verified = CliRunner().invoke(main, ["audit", "verify"], env=target)
    assert verified.exit_code == 0 and "audit chain intact" in verified.output
    with Database(target["DATABASE_URL"]).transaction(write=False) as session:
        restore_event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert restore_event is not None and restore_event.action == "system.restored"
    assert restore_event.actor_username.startswith("cli:")


def refuses_edits(db: Database) -> bool:
    try:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE audit_events SET summary = summary WHERE seq = 1")
    except DatabaseError as exc:
        return "append-only" in str(exc)
    return False


def test_init_puts_back_the_append_only_triggers(world: World, duban: Duban) -> None:
    assert refuses_edits(duban.db)
    with duban.db.engine.begin() as connection:
        append_only.remove(connection)
    assert not refuses_edits(duban.db)
    duban.init_database()
    assert refuses_edits(duban.db)


@pytest.mark.sqlite_only
def test_restore_puts_back_the_append_only_triggers(world: World, duban: Duban, tmp_path: Path) -> None:
    with duban.db.engine.begin() as connection:
        append_only.remove(connection)
    copy = backup(duban.db, tmp_path / "without-triggers.tar").path
    restored = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    restore(restored, copy, duban.clock, Actor.system())
    assert refuses_edits(restored)
    restored.dispose()
