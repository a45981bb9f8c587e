"""An attached file proves itself: bytes changed on disk, or a file gone, are never served as if intact, are
recorded in the audit trail, and `duban audit verify --files` names them."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.store.models import Attachment, AuditEvent
from tests.factories import PHOTO, World, apply_for_signoff, walk_to_reporting
from tests.webui.test_cli import run
from tests.webui.test_public import Login


def stored_evidence(world: World) -> list[tuple[int, Path]]:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    with world.duban.db.transaction(write=False) as session:
        files = session.scalars(select(Attachment).order_by(Attachment.id)).all()
    return [(file.id, world.duban.files.path(file.sha256)) for file in files]


def audited(world: World, action: str) -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == action)))


def test_a_changed_or_missing_evidence_file_is_refused_with_a_clear_page(login_as: Login, world: World) -> None:
    (photo_id, photo), (report_id, report) = stored_evidence(world)
    photo.write_bytes(PHOTO.data + b"edited")
    report.unlink()
    supervisor = login_as("supervisor")
    changed = supervisor.get(f"/attachments/{photo_id}")
    assert changed.status_code == 410 and "已被改动" in changed.get_data(as_text=True)
    missing = supervisor.get(f"/attachments/{report_id}")
    assert missing.status_code == 410 and "已不在存储中" in missing.get_data(as_text=True)
    assert audited(world, "attachment.altered") == [str(photo_id)]
    assert audited(world, "attachment.missing") == [str(report_id)]
    assert audited(world, "attachment.downloaded") == []


def test_audit_verify_files_names_every_changed_or_missing_file(world: World, tmp_path: Path) -> None:
    (photo_id, photo), (report_id, report) = stored_evidence(world)
    url, storage = world.duban.db.url, str(world.duban.files.root)
    code, output = run(["audit", "verify", "--files"], tmp_path, DATABASE_URL=url, DUBAN_STORAGE=storage)
    assert code == 0 and "attached files intact: 2" in output, output
    photo.write_bytes(b"not the photo")
    report.unlink()
    code, output = run(["audit", "verify", "--files"], tmp_path, DATABASE_URL=url, DUBAN_STORAGE=storage)
    assert code == 1
    assert f"attached file #{photo_id} " in output and " altered: 现场照片.png" in output
    assert f"attached file #{report_id} " in output and " missing: 验收报告.pdf" in output
