"""A backup is one artifact that proves itself: the database, every evidence file and a manifest; an edited one
is named and refused."""
from __future__ import annotations

import json
import sqlite3
import tarfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from engine.app import Duban
from engine.core.actor import Actor
from engine.store.backup import BackupError, BackupReport, verify
from engine.store.backup_archive import write_archive
from engine.store.database import Database
from engine.store.digests import table_digests
from engine.store.models import Attachment, AuditEvent, ProgressReport, User
from tests.conftest import POSTGRES_URL, WORKFLOWS
from tests.factories import PHOTO, REPORT, World, walk_to_reporting
from tests.postgres import postgres_database
from webui.cli import main


@dataclass(frozen=True)
class Office:
    """What the tests edit: a task, its report (with two evidence files) and a unit's staff member."""

    task_id: int
    report_id: int
    staff_id: int
    evidence: tuple[str, ...]


def busy_office(world: World) -> Office:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", uploads=(PHOTO, REPORT), progress="按计划推进", percent_complete=50)
    with world.duban.db.transaction(write=False) as session:
        report_id = session.scalars(select(ProgressReport.id).where(ProgressReport.task_id == task_id)).one()
        evidence = tuple(session.scalars(select(Attachment.sha256).order_by(Attachment.id)))
    staff = world["staff"].user_id
    assert staff is not None and len(evidence) == 2
    return Office(task_id, report_id, staff, evidence)


def take(duban: Duban, path: Path) -> BackupReport:
    return duban.operations.backup(path, Actor.system())


def other_duban(duban: Duban, url: str, storage: Path) -> Duban:
    return Duban(Database(url), duban.roles, duban.clock, WORKFLOWS, storage=storage)


def unpacked(artifact: Path, folder: Path) -> Path:
    with tarfile.open(artifact) as archive:
        archive.extractall(folder, filter="data")
    return folder


def repack(folder: Path, target: Path, forge_manifest: bool = False) -> Path:
    """Put the (edited) members back into an artifact: under the original manifest, or under a manifest
    recomputed to match them, as someone covering their tracks would."""
    manifest = json.loads((folder / "manifest.json").read_bytes())
    members = {name: folder / name for name in manifest["files"] if (folder / name).exists()}
    members.update({str(path.relative_to(folder)): path for path in (folder / "files").rglob("*") if path.is_file()})
    if forge_manifest:
        forged = Database(f"sqlite:///{folder / 'database.sqlite3'}")
        with forged.engine.connect() as connection:
            manifest["tables"] = table_digests(connection)
        forged.dispose()
        fields = {key: value for key, value in manifest.items() if key not in ("format", "files")}
        write_archive(target, members, fields)
        return target
    with tarfile.open(target, "w") as archive:
        archive.add(folder / "manifest.json", arcname="manifest.json")
        for name, path in members.items():
            archive.add(path, arcname=name)
    return target


def edit_by_hand(database: Path, office: Office) -> None:
    """A user made admin, a task's status and title changed, a report's text changed."""
    with closing(sqlite3.connect(database)) as connection, connection:
        connection.execute("UPDATE users SET role = 'admin' WHERE id = ?", (office.staff_id,))
        connection.execute("UPDATE rectification_tasks SET status = 'closed', title = '已整改' WHERE id = ?",
                           (office.task_id,))
        connection.execute("UPDATE progress_reports SET progress = '全部完成' WHERE id = ?", (office.report_id,))


def the_edits(office: Office) -> list[str]:
    return [f"row users #{office.staff_id} changed outside duban (fields: role;",
            f"row rectification_tasks #{office.task_id} changed outside duban (fields: status, title;",
            f"row progress_reports #{office.report_id} changed outside duban (fields: progress;"]


def named(differences: list[str], expected: list[str]) -> bool:
    return all(any(difference.startswith(start) for difference in differences) for start in expected)


@pytest.fixture
def empty(duban: Duban, tmp_path: Path) -> Iterator[Duban]:
    """A new, empty database of the same kind, with a storage of its own."""
    if duban.db.is_sqlite:
        restored = other_duban(duban, f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "restored-files")
        yield restored
        restored.db.dispose()
        return
    with postgres_database(POSTGRES_URL) as url:
        restored = other_duban(duban, url, tmp_path / "restored-files")
        yield restored
        restored.db.dispose()


def test_a_backup_holds_the_database_every_evidence_file_and_a_manifest(world: World, duban: Duban,
                                                                       tmp_path: Path) -> None:
    office = busy_office(world)
    taken = take(duban, tmp_path / "office.tar")
    assert taken.files == 2 and not taken.missing_files
    with tarfile.open(taken.path) as archive:
        names = set(archive.getnames())
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    database = "database.sqlite3" if duban.db.is_sqlite else "database.dump"
    assert names == {"manifest.json", database, *(f"files/{sha[:2]}/{sha}" for sha in office.evidence)}
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert manifest["tables"]["users"]["rows"] >= 10 and len(manifest["tables"]["users"]["sha256"]) == 64
    with duban.db.transaction(write=False) as session:
        made = session.scalars(select(AuditEvent).where(AuditEvent.action == "backup.made")).one()
    assert made.object_id == taken.digest and made.after and made.after["manifest_sha256"] == taken.digest
    checked = verify(taken.path, duban.db)
    assert checked.ok and checked.audited is True, checked.differences


def test_restore_puts_back_the_database_and_the_evidence(world: World, duban: Duban, empty: Duban,
                                                         tmp_path: Path) -> None:
    office = busy_office(world)
    taken = take(duban, tmp_path / "office.tar")
    restored = empty.operations.restore(taken.path, Actor.system())
    assert restored.chain.ok and restored.files == 2
    count, damaged = empty.audit.verify_files(Actor.system())
    assert count == 2 and not damaged
    assert empty.audit.verify_state(Actor.system()).ok
    assert {empty.files.path(sha).read_bytes() for sha in office.evidence} == {PHOTO.data, REPORT.data}


@pytest.mark.sqlite_only
def test_a_backup_edited_by_hand_is_refused_naming_what_differs(world: World, duban: Duban, empty: Duban,
                                                                tmp_path: Path) -> None:
    office = busy_office(world)
    taken = take(duban, tmp_path / "office.tar")
    folder = unpacked(taken.path, tmp_path / "unpacked")
    edit_by_hand(folder / "database.sqlite3", office)
    edited = repack(folder, tmp_path / "edited.tar")
    checked = verify(edited, duban.db)
    assert "file changed: database.sqlite3 (its SHA-256 is not the manifest's)" in checked.differences
    assert named(checked.differences, ["table users: contents changed", "table rectification_tasks: contents changed",
                                       "table progress_reports: contents changed", *the_edits(office)])
    with pytest.raises(BackupError) as refused:
        empty.operations.restore(edited, Actor.system())
    assert "was changed after it was made; not restored" in str(refused.value)
    assert all(edit in str(refused.value) for edit in the_edits(office))
    assert "users" not in inspect(empty.db.engine).get_table_names()  # nothing was loaded


@pytest.mark.sqlite_only
def test_a_backup_with_a_forged_manifest_is_refused_by_its_rows_and_its_digest(world: World, duban: Duban,
                                                                              empty: Duban, tmp_path: Path) -> None:
    office = busy_office(world)
    taken = take(duban, tmp_path / "office.tar")
    folder = unpacked(taken.path, tmp_path / "unpacked")
    edit_by_hand(folder / "database.sqlite3", office)
    forged = repack(folder, tmp_path / "forged.tar", forge_manifest=True)
    checked = verify(forged, duban.db)
    assert not any(d.startswith(("file ", "table ")) for d in checked.differences)  # the manifest matches ...
    assert named(checked.differences, the_edits(office))  # ... but the rows are not as the trail left them
    assert checked.audited is False
    assert any("is not one the audit trail" in difference for difference in checked.differences)
    with pytest.raises(BackupError, match="not restored"):
        empty.operations.restore(forged, Actor.system())


@pytest.mark.sqlite_only
def test_evidence_files_changed_removed_or_added_are_named(world: World, duban: Duban, tmp_path: Path) -> None:
    office = busy_office(world)
    taken = take(duban, tmp_path / "office.tar")
    folder = unpacked(taken.path, tmp_path / "unpacked")
    photo, pdf = (folder / "files" / sha[:2] / sha for sha in office.evidence)
    photo.write_bytes(photo.read_bytes() + b"!")
    pdf.unlink()
    (folder / "files" / "00").mkdir()
    (folder / "files" / "00" / "stray").write_bytes(b"hello")
    checked = verify(repack(folder, tmp_path / "edited.tar"), duban.db)
    assert sorted(checked.differences) == sorted([
        f"file changed: files/{office.evidence[0][:2]}/{office.evidence[0]} (its SHA-256 is not the manifest's)",
        f"file missing: files/{office.evidence[1][:2]}/{office.evidence[1]}",
        "file added: files/00/stray (not in the manifest)",
    ])


@pytest.mark.sqlite_only
def test_the_command_line_verifies_and_refuses_naming_each_difference(world: World, duban: Duban,
                                                                      tmp_path: Path) -> None:
    office = busy_office(world)
    env = {"DATABASE_URL": duban.db.url, "DUBAN_INSTANCE": str(tmp_path), "SECRET_KEY": "k" * 32,
           "DUBAN_STORAGE": str(duban.files.root)}
    made = CliRunner().invoke(main, ["backup", str(tmp_path / "office.tar")], env=env)
    assert made.exit_code == 0, made.output
    assert "evidence files: 2; manifest sha256" in made.output
    folder = unpacked(tmp_path / "office.tar", tmp_path / "unpacked")
    edit_by_hand(folder / "database.sqlite3", office)
    repack(folder, tmp_path / "edited.tar")
    checked = CliRunner().invoke(main, ["backup", "verify", str(tmp_path / "edited.tar")], env=env)
    assert checked.exit_code == 1
    assert "DIFFERS: file changed: database.sqlite3" in checked.output
    assert all(f"DIFFERS: {edit}" in checked.output for edit in the_edits(office))
    target = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "DUBAN_STORAGE": str(tmp_path / "new")}
    refused = CliRunner().invoke(main, ["restore", str(tmp_path / "edited.tar")], env=target)
    assert refused.exit_code == 1 and "not restored" in refused.output and "Traceback" not in refused.output


def test_a_database_edited_before_its_backup_is_refused_on_restore(world: World, duban: Duban, empty: Duban,
                                                                    tmp_path: Path) -> None:
    """On PostgreSQL the dump is checked once loaded: rows not as the trail left them are named, and the
    database is emptied again."""
    office = busy_office(world)
    with duban.db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'admin' WHERE id = :id"), {"id": office.staff_id})
    taken = take(duban, tmp_path / "office.tar")
    with pytest.raises(BackupError) as refused:
        empty.operations.restore(taken.path, Actor.system())
    assert f"row users #{office.staff_id} changed outside duban (fields: role;" in str(refused.value)
    with empty.db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:  # nothing of the refused backup stays
        with empty.db.transaction(write=False) as session:
            assert session.scalars(select(User.id)).first() is None
