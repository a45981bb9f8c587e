"""The use cases of sign-off evidence (佐证材料): who may download a file, and the files of a task."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import NotFound
from engine.features.accounts.access import Access
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import FileStore
from engine.store.models import EvidenceFile, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class SignoffUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access, files: FileStore) -> None:
        self.transactions = transactions
        self.access = access
        self.files = files
        self.clock = processes.runtime.clock

    def evidence_file(self, actor: Actor, file_id: int) -> tuple[Path, EvidenceFile]:
        """A file for download, to those who may see its task; every download is recorded."""
        def work(session: Session) -> tuple[Path, EvidenceFile]:
            evidence = session.get(EvidenceFile, file_id)
            task = session.get(RectificationTask, evidence.task_id) if evidence else None
            if evidence is None or task is None or not self.access.can_view_task(actor, task):
                raise NotFound("没有找到这份材料")
            record(session, actor, self.clock.now(), "evidence.downloaded", ("evidence", evidence.id),
                   f"下载佐证材料「{evidence.original_name}」", task_id=task.id)
            return self.files.path(evidence.sha256), evidence

        return self.transactions.run(work)

    def task_evidence(self, actor: Actor, task_id: int) -> list[EvidenceFile]:
        def work(session: Session) -> list[EvidenceFile]:
            self.access.check_view_task(actor, session.get(RectificationTask, task_id))
            return list(session.scalars(select(EvidenceFile).where(EvidenceFile.task_id == task_id)
                                        .order_by(EvidenceFile.id)))

        return self.transactions.read(work)
