"""Attaching checked files to a task's record: the one way every form that takes files stores them."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.core.actor import Actor
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import CheckedFile, FileWriter
from engine.store.models import Attachment


def attach(session: Session, writer: FileWriter, files: Sequence[CheckedFile], actor: Actor, now: datetime, *,
           task_id: int | None, form: str, human_task_id: int | None = None,
           objection_id: int | None = None) -> list[Attachment]:
    """Write each file under its SHA-256 and record it as attached to the step or the objection; each is audited."""
    attached = []
    for checked in files:
        writer.save(checked)
        attachment = Attachment(task_id=task_id, form=form, human_task_id=human_task_id, objection_id=objection_id,
                                sha256=checked.sha256, size=checked.size, media_type=checked.media_type,
                                original_name=checked.original_name, uploaded_by_id=actor.user_id,
                                uploaded_at=now)
        session.add(attachment)
        session.flush()
        record(session, actor, now, "attachment.uploaded", ("attachment", attachment.id),
               f"上传附件「{checked.original_name}」（{checked.size} 字节，SHA-256 {checked.sha256}）",
               task_id=task_id, after={"sha256": checked.sha256, "size": checked.size,
                                       "media_type": checked.media_type, "form": form})
        attached.append(attachment)
    return attached
