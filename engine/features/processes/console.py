"""The instance console: any instance with its process, version, tokens, data, timers, work items, history and
incidents; suspend, resume and move back, each audited with its reason."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.processes.versions import PERMISSION
from engine.store.database import Session
from engine.store.models import AuditEvent, HumanTask, Incident, ProcessInstance, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow import console
from engine.workflow.console import EarlierStep, InstanceState
from engine.workflow.instances import Processes
from engine.workflow.progress import ProcessPath, instance_path
from engine.workflow.step import Step

REASON_MAX = 500


@dataclass(frozen=True)
class WorkRow:
    id: int
    name: str
    role: str
    status: str
    spiff_task_id: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor_name: str
    action: str
    summary: str


@dataclass
class InstanceConsole:
    id: int
    process_id: str
    business_key: str
    status: str
    suspended: bool
    blocked: bool
    created_at: datetime
    updated_at: datetime
    task_id: int | None
    task_code: str
    state: InstanceState
    work: list[WorkRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    children: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, process, key, status
    path: ProcessPath | None = None

    def is_running(self) -> bool:
        return self.status == "running"


class ConsoleUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access

    def find(self, actor: Actor, query: str) -> list[tuple[int, str, str, str, str]]:
        """Instances by id or by their task's code: id, process, business key, task code, status."""
        self.access.require(actor, PERMISSION)
        text = query.strip()[:64]
        if not text:
            return []

        def work(session: Session) -> list[tuple[int, str, str, str, str]]:
            condition = RectificationTask.code == text
            if text.isdigit():
                condition = or_(condition, ProcessInstance.id == int(text))
            rows = session.execute(
                select(ProcessInstance.id, ProcessInstance.process_id, ProcessInstance.business_key,
                       RectificationTask.code, ProcessInstance.status)
                .outerjoin(RectificationTask, RectificationTask.id == ProcessInstance.task_id)
                .where(condition).order_by(ProcessInstance.id).limit(100))
            return [(i, p, k, c or "", s.value) for i, p, k, c, s in rows]

        return self.transactions.read(work)

    def instance(self, actor: Actor, instance_id: int) -> InstanceConsole:
        self.access.require(actor, PERMISSION)
        return self.transactions.read(lambda session: self._console(session, instance_id))

    def earlier_step(self, actor: Actor, instance_id: int, spiff_task_id: str) -> EarlierStep | None:
        """A step the instance has done, with what moving back to it does with the actions done since."""
        steps = self.instance(actor, instance_id).state.earlier_steps
        return next((step for step in steps if step.spiff_task_id == spiff_task_id), None)

    def suspend(self, actor: Actor, instance_id: int, reason: str) -> None:
        self._act(actor, instance_id, reason, lambda step: console.suspend(step, _reason(reason)))

    def resume(self, actor: Actor, instance_id: int, reason: str) -> None:
        self._act(actor, instance_id, reason, lambda step: console.resume(step, _reason(reason)))

    def move_back(self, actor: Actor, instance_id: int, spiff_task_id: str, reason: str) -> str:
        """Take the instance back to a step it has done (one done by mistake): the step's name."""
        return self._act(actor, instance_id, reason,
                         lambda step: console.move_back(self.processes, step, spiff_task_id, _reason(reason)))

    def _act(self, actor: Actor, instance_id: int, reason: str, action: Callable[[Step], Any]) -> Any:
        self.access.require(actor, PERMISSION)
        _reason(reason)

        def work(session: Session) -> Any:
            instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                                      .with_for_update())
            if instance is None:
                raise NotFound(N_("没有这个流程实例"))
            task = session.get(RectificationTask, instance.task_id) if instance.task_id else None
            step = self.processes.step(session, actor, task=task, instance=instance)
            result = action(step)
            self.processes.settle([step])
            return result

        return self.transactions.run(work)

    def _console(self, session: Session, instance_id: int) -> InstanceConsole:
        instance = session.scalar(select(ProcessInstance).options(joinedload(ProcessInstance.version))
                                  .where(ProcessInstance.id == instance_id))
        if instance is None:
            raise NotFound(N_("没有这个流程实例"))
        task = session.get(RectificationTask, instance.task_id) if instance.task_id else None
        view = InstanceConsole(instance.id, instance.process_id, instance.business_key, instance.status.value,
                               instance.suspended, instance.blocked, instance.created_at, instance.updated_at,
                               instance.task_id, task.code if task else "",
                               console.instance_state(self.processes, session, instance))
        view.path = instance_path(session, self.processes, instance)
        view.work = _work_rows(session, instance_id)
        view.history = _history(session, instance_id, [row.id for row in view.work])
        view.incidents = list(session.scalars(select(Incident).where(Incident.instance_id == instance_id)
                                              .order_by(Incident.occurred_at.desc())))
        view.children = [(i, p, k, s.value) for i, p, k, s in session.execute(
            select(ProcessInstance.id, ProcessInstance.process_id, ProcessInstance.business_key,
                   ProcessInstance.status).where(ProcessInstance.parent_id == instance_id)
            .order_by(ProcessInstance.id))]
        return view


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidSubmission({"reason": [N_("请写明原因")]})
    if len(text) > REASON_MAX:
        raise InvalidSubmission({"reason": [N_("原因最多 %(max)s 个字", max=REASON_MAX)]})
    return text


def _work_rows(session: Session, instance_id: int) -> list[WorkRow]:
    rows = session.scalars(select(HumanTask).options(joinedload(HumanTask.completed_by))
                           .where(HumanTask.instance_id == instance_id).order_by(HumanTask.id))
    return [WorkRow(row.id, row.name, row.role, row.status.value, row.spiff_task_id, row.created_at, row.due_at,
                    row.completed_at, row.completed_by.display_name if row.completed_by else "") for row in rows]


def _history(session: Session, instance_id: int, work_ids: list[int]) -> list[HistoryRow]:
    """What was recorded on the instance and on its work items, the latest first."""
    on_instance = and_(AuditEvent.object_type == "instance", AuditEvent.object_id == str(instance_id))
    on_work = and_(AuditEvent.object_type == "human_task", AuditEvent.object_id.in_([str(i) for i in work_ids]))
    events = session.scalars(select(AuditEvent).where(or_(on_instance, on_work))
                             .order_by(AuditEvent.seq.desc()).limit(200))
    return [HistoryRow(event.at, event.actor_name, event.action, event.summary) for event in events]
