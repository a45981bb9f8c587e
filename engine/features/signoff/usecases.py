"""The use cases of sign-off evidence (佐证材料): who may download a file, and the files of a task."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import FileUnavailable, NotFound
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import FileState, FileStore
from engine.store.models import EvidenceFile, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes

UNAVAILABLE = {FileState.MISSING: "的文件已不在存储中", FileState.ALTERED: "的文件已被改动（SHA-256 不符）"}


class SignoffUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access, files: FileStore) -> None:
        self.transactions = transactions
        self.access = access
        self.files = files
        self.clock = processes.runtime.clock

    def evidence_file(self, actor: Actor, file_id: int) -> tuple[Path, EvidenceFile]:
        """A file for download, to those who may see its task; every download is recorded. A file missing
        from the store, or whose bytes no longer match its hash, is not served: that is recorded instead."""
        def work(session: Session) -> tuple[EvidenceFile, FileState]:
            evidence = session.get(EvidenceFile, file_id)
            task = session.get(RectificationTask, evidence.task_id) if evidence else None
            if evidence is None or task is None or not self.access.can_view_task(actor, task):
                raise NotFound("没有找到这份材料")
            state = self.files.state(evidence.sha256)
            if state is FileState.INTACT:
                record(session, actor, self.clock.now(), "evidence.downloaded", ("evidence", evidence.id),
                       f"下载佐证材料「{evidence.original_name}」", task_id=task.id)
            else:
                record(session, actor, self.clock.now(), f"evidence.{state}", ("evidence", evidence.id),
                       f"佐证材料「{evidence.original_name}」{UNAVAILABLE[state]}，未提供下载", task_id=task.id,
                       after={"sha256": evidence.sha256, "state": str(state)})
            return evidence, state

        evidence, state = self.transactions.run(work)
        if state is FileState.MISSING:
            raise FileUnavailable(N_("这份材料的文件已不在存储中。此事已记入审计日志，请联系管理员从备份恢复。"))
        if state is FileState.ALTERED:
            raise FileUnavailable(N_("这份材料的文件已被改动，与上传时的 SHA-256 不符，不予下载。此事已记入审计日志，"
                                     "请联系管理员从备份恢复。"))
        return self.files.path(evidence.sha256), evidence

    def task_evidence(self, actor: Actor, task_id: int) -> list[EvidenceFile]:
        def work(session: Session) -> list[EvidenceFile]:
            self.access.check_view_task(actor, session.get(RectificationTask, task_id))
            return list(session.scalars(select(EvidenceFile).where(EvidenceFile.task_id == task_id)
                                        .order_by(EvidenceFile.id)))

        return self.transactions.read(work)
