"""A task's attachments (and a complaint case's): which of them a person may see, sending one (audited) and its
preview."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.errors import FileUnavailable, NotFound
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.cases.queries import case_of_attachment
from engine.features.escalation.queries import hidden_instances
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import FileState, FileStore
from engine.store.models import Attachment, RectificationTask
from engine.store.previews import preview
from engine.store.transactions import Transactions

UNAVAILABLE = {FileState.MISSING: "的文件已不在存储中", FileState.ALTERED: "的文件已被改动（SHA-256 不符）"}


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
        """A file for download, to those who may see it on its task's page; every download is recorded. A file
        missing from the store, or whose bytes no longer match its hash, is not served: that is recorded instead."""
        def work(session: Session) -> tuple[Attachment, FileState]:
            attachment = self._visible(session, actor, attachment_id)
            state = self.files.state(attachment.sha256)
            if state is FileState.INTACT:
                record(session, actor, self.clock.now(), "attachment.downloaded", ("attachment", attachment.id),
                       f"下载附件「{attachment.original_name}」", task_id=attachment.task_id)
            else:
                record(session, actor, self.clock.now(), f"attachment.{state}", ("attachment", attachment.id),
                       f"附件「{attachment.original_name}」{UNAVAILABLE[state]}，未提供下载",
                       task_id=attachment.task_id, after={"sha256": attachment.sha256, "state": str(state)})
            return attachment, state

        attachment, state = self.transactions.run(work)
        if state is FileState.MISSING:
            raise FileUnavailable(N_("这份材料的文件已不在存储中。此事已记入审计日志，请联系管理员从备份恢复。"))
        if state is FileState.ALTERED:
            raise FileUnavailable(N_("这份材料的文件已被改动，与上传时的 SHA-256 不符，不予下载。此事已记入审计日志，"
                                     "请联系管理员从备份恢复。"))
        return self.files.path(attachment.sha256), attachment

    def preview(self, actor: Actor, attachment_id: int) -> Path:
        """A photo's thumbnail or a PDF's first page, drawn on the server, to those who may see the file."""
        attachment = self.transactions.read(lambda session: self._visible(session, actor, attachment_id))
        drawn = preview(self.files, attachment.sha256, attachment.media_type)
        if drawn is None:
            raise NotFound(N_("这份材料没有预览"))
        return drawn

    def _visible(self, session: Session, actor: Actor, attachment_id: int) -> Attachment:
        attachment = session.get(Attachment, attachment_id)
        if attachment is not None and attachment.task_id is None:  # a complaint case's evidence
            self.access.check_view_case(actor, case_of_attachment(session, attachment))
            return attachment
        task = session.get(RectificationTask, attachment.task_id) if attachment else None
        if attachment is None or task is None or not self.access.can_view_task(actor, task) or \
                attachment not in task_attachments(session, self.access, actor, task):
            raise NotFound(N_("没有找到这份材料"))
        return attachment
