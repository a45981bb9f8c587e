"""A task's attachments: which of them a person may see, sending one (audited) and its preview."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.errors import NotFound
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.escalation.queries import hidden_instances
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import FileStore
from engine.store.models import Attachment, RectificationTask
from engine.store.previews import preview
from engine.store.transactions import Transactions


def task_attachments(session: Session, access: Access, actor: Actor, task: RectificationTask) -> list[Attachment]:
    """The files attached to a task's steps and objections, oldest first, but another unit's escalation's."""
    hidden = hidden_instances(session, access, actor, task)
    attachments = session.scalars(select(Attachment).outerjoin(Attachment.human_task)
                                  .options(contains_eager(Attachment.human_task))
                                  .where(Attachment.task_id == task.id).order_by(Attachment.id))
    return [attachment for attachment in attachments
            if attachment.human_task is None or attachment.human_task.instance_id not in hidden]


class AttachmentUseCases:
    def __init__(self, transactions: Transactions, access: Access, files: FileStore, clock: Clock) -> None:
        self.transactions = transactions
        self.access = access
        self.files = files
        self.clock = clock

    def download(self, actor: Actor, attachment_id: int) -> tuple[Path, Attachment]:
        """A file for download, to those who may see it on its task's page; every download is recorded."""
        def work(session: Session) -> tuple[Path, Attachment]:
            attachment = self._visible(session, actor, attachment_id)
            record(session, actor, self.clock.now(), "attachment.downloaded", ("attachment", attachment.id),
                   f"下载附件「{attachment.original_name}」", task_id=attachment.task_id)
            return self.files.path(attachment.sha256), attachment

        return self.transactions.run(work)

    def preview(self, actor: Actor, attachment_id: int) -> Path:
        """A photo's thumbnail or a PDF's first page, drawn on the server, to those who may see the file."""
        attachment = self.transactions.read(lambda session: self._visible(session, actor, attachment_id))
        drawn = preview(self.files, attachment.sha256, attachment.media_type)
        if drawn is None:
            raise NotFound(N_("这份材料没有预览"))
        return drawn

    def _visible(self, session: Session, actor: Actor, attachment_id: int) -> Attachment:
        attachment = session.get(Attachment, attachment_id)
        task = session.get(RectificationTask, attachment.task_id) if attachment else None
        if attachment is None or task is None or not self.access.can_view_task(actor, task) or \
                attachment not in task_attachments(session, self.access, actor, task):
            raise NotFound(N_("没有找到这份材料"))
        return attachment
