"""The use cases of a person's work: the inbox, a work item, completing it, a task's page; and the timers that
failed (incidents), which an administrator retries."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.errors import Conflict, DomainError, InvalidSubmission, NotFound
from engine.core.text import N_
from engine.core.uploads import Upload
from engine.features.accounts.access import Access
from engine.features.cases import queries as case_queries
from engine.features.clues import queries as clue_queries
from engine.features.clues.queries import ClueWorkItem
from engine.features.documents.usecases import task_documents
from engine.features.escalation import queries as escalation_queries
from engine.features.measures.queries import MeasureWorkItem
from engine.features.notifications import centre
from engine.features.rectification.queries import load_task, unit_choices
from engine.features.work import inbox as inbox_queries
from engine.features.work.drafts import draft_of
from engine.features.work.items import CaseWorkItem, EscalationWorkItem, WorkItem, WorkItems
from engine.features.work.subjects import KIND_PERMISSIONS, AnyWorkItem, kind_of
from engine.features.work.task_page import TaskPage, TaskView, task_page
from engine.store.database import Session
from engine.store.files import FileStore
from engine.store.models import HumanTask, Incident, Notice, ProcessInstance, RectificationTask, WorkDraft
from engine.store.transactions import Transactions
from engine.workflow.incidents import list_incidents, open_incident, resolve_incident
from engine.workflow.progress import ProcessPath, task_path
from engine.workflow.sweep import Sweep

log = logging.getLogger("duban.engine")


class WorkUseCases:
    def __init__(self, transactions: Transactions, items: WorkItems, access: Access, files: FileStore,
                 sweep: Sweep) -> None:
        self.transactions = transactions
        self.items = items
        self.access = access
        self.files = files
        self.sweep = sweep
        self.processes = items.processes
        self.clock = self.processes.runtime.clock

    def inbox(self, actor: Actor, page: int = 1,
              filters: inbox_queries.InboxFilters | None = None) -> inbox_queries.InboxPage:
        return self.transactions.read(
            lambda s: inbox_queries.inbox(s, self.access, actor, self.clock.now(), page, filters))

    def inbox_view(self, actor: Actor, page: int = 1,
                   filters: inbox_queries.InboxFilters | None = None) -> inbox_queries.InboxView:
        """The inbox page with its reminders, their read marks, the unread count and the filter's units: one read."""
        def work(session: Session) -> inbox_queries.InboxView:
            now = self.clock.now()
            notices = inbox_queries.notices(session, actor, now)
            return inbox_queries.InboxView(
                inbox_queries.inbox(session, self.access, actor, now, page, filters), notices,
                centre.read_among(session, actor, [notice.id for notice in notices]),
                centre.unread_count(session, actor, now), unit_choices(session))

        return self.transactions.read(work)

    def notices(self, actor: Actor) -> list[Notice]:
        return self.transactions.read(lambda s: inbox_queries.notices(s, actor, self.clock.now()))

    def item(self, actor: Actor, human_task_id: int, whole: bool = True) -> WorkItem:
        """A work item to show (`whole`), or only its form, to check what was submitted."""
        return self.transactions.read(lambda s: self.items.item(s, actor, human_task_id, whole))

    def clue_item(self, actor: Actor, human_task_id: int) -> ClueWorkItem:
        self.access.require(actor, "clue.view")
        return self.transactions.read(lambda s: self.items.clue_item(s, actor, human_task_id))

    def measure_item(self, actor: Actor, human_task_id: int) -> MeasureWorkItem:
        self.access.require(actor, "measure.view")
        return self.transactions.read(lambda s: self.items.measure_item(s, actor, human_task_id))
    def case_item(self, actor: Actor, human_task_id: int) -> CaseWorkItem:
        self.access.require(actor, "case.view")
        return self.transactions.read(lambda s: self.items.case_item(s, actor, human_task_id))

    def escalation_item(self, actor: Actor, human_task_id: int) -> EscalationWorkItem:
        """A step of a complaint case's escalation (the task's are items of their task)."""
        self.access.require(actor, "escalation.view")
        return self.transactions.read(lambda s: self.items.escalation_item(s, actor, human_task_id))

    def complete(self, actor: Actor, human_task_id: int, data: dict[str, Any],
                 uploads: Sequence[Upload] = ()) -> HumanTask:
        """Do one user task: all or nothing, the files it brought included."""
        writer = self.files.writer()
        try:
            return self.transactions.run(
                lambda s: self.items.complete(s, actor, human_task_id, data, uploads, writer))
        except BaseException:
            writer.discard_new()  # nothing of a failed step is kept, its files included
            raise

    def any_item(self, actor: Actor, human_task_id: int, whole: bool = True) -> AnyWorkItem:
        """A work item whatever it works for, opened as its own page opens it (a complaint case's step by whoever
        may see cases, …); `whole` as for `item`."""
        def work(session: Session) -> AnyWorkItem:
            kind = self._kind_allowed(session, actor, human_task_id)
            if kind == "task":
                return self.items.item(session, actor, human_task_id, whole)
            opening = {"case": self.items.case_item, "measure": self.items.measure_item,
                       "clue": self.items.clue_item}[kind]
            return opening(session, actor, human_task_id)

        return self.transactions.read(work)

    def complete_many(self, actor: Actor, human_task_ids: Sequence[int], data: dict[str, Any],
                      form: str | None = None) -> list[HumanTask]:
        """One decision for several work items of the same form (催报 for many units): one transaction, each item
        its own audited step; if one cannot be done, none is, and each refusal is said."""
        if not human_task_ids:
            raise InvalidSubmission({"work": [N_("请选择要办理的事项")]})
        writer = self.files.writer()
        return self.transactions.run(
            lambda s: self.items.complete_many(s, actor, human_task_ids, data, writer, form))

    def draft(self, actor: Actor, human_task_id: int) -> WorkDraft | None:
        """The person's 暂存 of an open work item they may do, if any."""
        def work(session: Session) -> WorkDraft | None:
            self._kind_allowed(session, actor, human_task_id)
            return draft_of(session, actor, self.items.open(session, actor, human_task_id, lock=False)[0])

        return self.transactions.read(work)

    def save_draft(self, actor: Actor, human_task_id: int, data: dict[str, Any]) -> WorkDraft:
        """暂存 a long form; the work item stays open."""
        def work(session: Session) -> WorkDraft:
            self._kind_allowed(session, actor, human_task_id)
            return self.items.save_draft(session, actor, human_task_id, data)

        return self.transactions.run(work)

    def discard_draft(self, actor: Actor, human_task_id: int) -> bool:
        """The person gives up their 暂存 (audited); False when there was none."""
        def work(session: Session) -> bool:
            self._kind_allowed(session, actor, human_task_id)
            return self.items.discard_draft(session, actor, human_task_id)

        return self.transactions.run(work)

    def _kind_allowed(self, session: Session, actor: Actor, human_task_id: int) -> str:
        """The kind of the work item, checked against the permission its page asks (a complaint case's: case.view)."""
        kind = kind_of(session, human_task_id)
        if kind in KIND_PERMISSIONS:
            self.access.require(actor, KIND_PERMISSIONS[kind])
        return kind

    def task_page(self, actor: Actor, task_id: int) -> TaskPage:
        def work(session: Session) -> TaskPage:
            task = self.access.check_view_task(actor, load_task(session, task_id))
            return task_page(session, self.access, actor, task, self.processes.settings, local_today(self.clock))

        return self.transactions.read(work)

    def task_view(self, actor: Actor, task_id: int) -> TaskView:
        """Everything a task's page shows, from one read: the page, its process's path, and what the other
        features hold of the task (escalations, problem clues, documents, complaint cases) as far as the person
        may see them."""
        def work(session: Session) -> TaskView:
            task = self.access.check_view_task(actor, load_task(session, task_id))
            clues = clue_queries.for_task(session, task.id) if self.access.can_view_clues(actor) else []
            return TaskView(task_page(session, self.access, actor, task, self.processes.settings,
                                      local_today(self.clock)),
                            task_path(session, self.processes, task.id),
                            escalation_queries.for_task(session, self.access, actor, task.id), clues,
                            task_documents(session, task), case_queries.of_task(session, self.access, actor, task.id))

        return self.transactions.read(work)

    def task_path(self, actor: Actor, task_id: int) -> ProcessPath | None:
        """Where the task's process has been and waits now, for its diagram."""
        def work(session: Session) -> ProcessPath | None:
            self.access.check_view_task(actor, session.get(RectificationTask, task_id))
            return task_path(session, self.processes, task_id)

        return self.transactions.read(work)

    # --- incidents -----------------------------------------------------------------------

    def incidents(self, actor: Actor, include_resolved: bool = False) -> list[Incident]:
        self.access.require(actor, "incident.manage")
        return self.transactions.read(lambda s: list_incidents(s, include_resolved))

    def retry_incident(self, actor: Actor, incident_id: int) -> bool:
        """Fire the blocked instance again; True when it went through and the incident is resolved."""
        self.access.require(actor, "incident.manage")
        incident = self.transactions.read(lambda s: s.get(Incident, incident_id))
        if incident is None or not incident.is_open():
            raise NotFound("没有这个未处理的故障")

        def work(session: Session) -> None:
            instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == incident.instance_id)
                                      .with_for_update())
            if instance is None:
                raise NotFound("没有这个未处理的故障")
            if instance.suspended:
                raise Conflict(N_("该流程已暂停：请先在流程实例页面恢复运行，再重试"))
            self.sweep.fire(session, actor, instance)
            resolve_incident(session, incident_id, actor, self.clock.now())

        try:
            self.transactions.run(work)
        except (Conflict, DomainError):
            raise
        except Exception as exc:  # the retry failed again: record it, keep the instance blocked
            log.exception("retry of incident %s failed", incident_id)
            self.transactions.run(partial(open_incident, instance_id=incident.instance_id, error=exc,
                                          now=self.clock.now()))
            return False
        return True
