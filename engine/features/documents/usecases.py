"""The use cases of official documents: which apply to a task, issuing one (its 文号, its file, the audit
trail), and reading an issued one again (to print it, or its .docx)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import Clock, local_today
from engine.core.errors import Conflict, NotFound
from engine.core.settings import Settings
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.documents.kinds import KINDS, DocumentKind, fill
from engine.features.documents.numbers import document_number, next_serial
from engine.features.documents.record import task_record
from engine.features.documents.templates import DocumentTemplates
from engine.features.rectification.queries import load_task
from engine.features.rounds.register import current_round_id
from engine.store.audit import record
from engine.store.database import Session
from engine.store.files import CheckedFile, FileStore, FileWriter
from engine.store.models import IssuedDocument, RectificationTask
from engine.store.transactions import Transactions

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class TaskDocuments:
    """What the task page shows: the documents issued for the task, and those it may issue now."""

    issued: list[IssuedDocument]
    applicable: list[DocumentKind]


def task_documents(session: Session, task: RectificationTask) -> TaskDocuments:
    """The documents issued for a task the person may see, and those it may issue now."""
    issued = list(session.scalars(select(IssuedDocument).where(IssuedDocument.task_id == task.id)
                                  .order_by(IssuedDocument.id)))
    state = task_record(session, task)
    return TaskDocuments(issued, [kind for kind in KINDS.values() if kind.applies(state)])


class DocumentUseCases:
    def __init__(self, transactions: Transactions, access: Access, files: FileStore, clock: Clock,
                 settings: Settings) -> None:
        self.transactions = transactions
        self.access = access
        self.files = files
        self.clock = clock
        self.settings = settings
        self.templates = DocumentTemplates(Path(settings.document_templates) if settings.document_templates else None)

    def of_task(self, actor: Actor, task_id: int) -> TaskDocuments:
        return self.transactions.read(lambda session: task_documents(session, self._task(session, actor, task_id)))

    def task_id(self, actor: Actor, code: str, round_id: int | None = None) -> int:
        """The task with this code in a round, the current one unless another is given (the command line names tasks
        by code; a code names a task within its round)."""
        def work(session: Session) -> int:
            task_id = session.scalar(select(RectificationTask.id).where(
                RectificationTask.round_id == (round_id or current_round_id(session)), RectificationTask.code == code))
            return self._task(session, actor, task_id or 0).id

        return self.transactions.read(work)

    def issue(self, actor: Actor, kind_code: str, task_id: int) -> IssuedDocument:
        """Write a document from the task's record with the next 文号 of its kind and year; the .docx is kept
        under its SHA-256 and the number and the hash go into the audit trail."""
        self.access.require(actor, "document.issue")
        kind = KINDS.get(kind_code)
        if kind is None:
            raise NotFound(N_("没有这种公文"))
        writer = self.files.writer()
        try:
            return self.transactions.run(lambda session: self._issue(session, actor, kind, task_id, writer))
        except BaseException:
            writer.discard_new()
            raise

    def _issue(self, session: Session, actor: Actor, kind: DocumentKind, task_id: int,
               writer: FileWriter) -> IssuedDocument:
        task = self._task(session, actor, task_id)
        state = task_record(session, task)
        if not kind.applies(state):
            raise Conflict(N_("%(kind)s不适用于该任务的当前状态", kind=kind.name))
        today, now = local_today(self.clock), self.clock.now()
        serial = next_serial(session, kind.code, today.year)
        number = document_number(self.settings.document_prefix, kind.series, today.year, serial)
        fields = fill(kind, state, issuer=self.settings.document_issuer, number=number, today=today)
        content = self.templates.render(kind.code, fields)
        checked = CheckedFile(f"{kind.name}-{number}.docx", hashlib.sha256(content).hexdigest(), len(content), DOCX,
                              content)
        writer.save(checked)
        document = IssuedDocument(kind=kind.code, year=today.year, serial=serial, number=number, task_id=task.id,
                                  context=fields, sha256=checked.sha256, size=checked.size,
                                  issued_by_id=actor.user_id, issued_at=now)
        session.add(document)
        session.flush()
        record(session, actor, now, "document.issued", ("document", document.id),
               f"印发{kind.name} {number}（SHA-256 {checked.sha256}）", task_id=task.id,
               after={"kind": kind.code, "number": number, "sha256": checked.sha256, "size": checked.size})
        return document

    def issued(self, actor: Actor, document_id: int) -> IssuedDocument:
        """An issued document, to whoever may see its task (to print it from the browser)."""
        return self.transactions.read(lambda session: self._issued(session, actor, document_id))

    def docx(self, actor: Actor, document_id: int) -> tuple[Path, IssuedDocument]:
        """The .docx as issued (the very file whose hash the audit trail holds); every download is recorded."""
        def work(session: Session) -> tuple[Path, IssuedDocument]:
            document = self._issued(session, actor, document_id)
            record(session, actor, self.clock.now(), "document.downloaded", ("document", document.id),
                   f"下载{KINDS[document.kind].name} {document.number}", task_id=document.task_id)
            return self.files.path(document.sha256), document

        return self.transactions.run(work)

    def _issued(self, session: Session, actor: Actor, document_id: int) -> IssuedDocument:
        document = session.get(IssuedDocument, document_id)
        if document is None:
            raise NotFound(N_("没有找到这份公文"))
        self._task(session, actor, document.task_id)
        return document

    def _task(self, session: Session, actor: Actor, task_id: int) -> RectificationTask:
        """The task, with what documents say of it; the operator at the command line sees every task."""
        task = load_task(session, task_id)
        if actor.is_system() and task is not None:
            return task
        return self.access.check_view_task(actor, task)
