"""A task's page: its facts, history, current steps, plans, reports, sign-off and what this person may do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.features.accounts.access import Access
from engine.features.audit.trail import task_history
from engine.features.escalation.queries import hide_from_unit
from engine.features.extension.requests import may_request
from engine.features.rectification.queries import people_names
from engine.features.work.attachments import task_attachments
from engine.store.models import (
    Attachment,
    AuditEvent,
    ExtensionRequest,
    HumanTask,
    HumanTaskStatus,
    ImplementationPlan,
    Objection,
    ProgressReport,
    RectificationTask,
    SignoffApplication,
    SignoffNotice,
    TaskReceipt,
)

#: audit events a task page leaves out because a domain event says the same step in words
HISTORY_HIDDEN = frozenset({"work.completed"})


@dataclass
class TaskPage:
    task: RectificationTask
    history: list[AuditEvent]
    open_work: list[HumanTask]
    my_work: list[HumanTask]
    plans: list[ImplementationPlan]
    reports: list[ProgressReport]
    signoffs: list[SignoffApplication]
    people: dict[int, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    notices: list[SignoffNotice] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    #: 签收 by each unit (a reassigned unit's too) and the units' 延期申请, oldest first
    receipts: list[TaskReceipt] = field(default_factory=list)
    extensions: list[ExtensionRequest] = field(default_factory=list)
    may_request_extension: bool = False


def task_page(session: Session, access: Access, actor: Actor, task: RectificationTask, today: date) -> TaskPage:
    open_work = list(session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.task_id == task.id, HumanTask.status == HumanTaskStatus.OPEN).order_by(HumanTask.created_at)))
    plans = list(session.scalars(select(ImplementationPlan).where(ImplementationPlan.task_id == task.id)
                                 .order_by(ImplementationPlan.revision.desc())))
    reports = list(session.scalars(select(ProgressReport).where(ProgressReport.task_id == task.id)
                                   .order_by(ProgressReport.period.desc())))
    signoffs = list(session.scalars(select(SignoffApplication).where(SignoffApplication.task_id == task.id)
                                    .order_by(SignoffApplication.id.desc())))
    history = [event for event in task_history(session, task.id) if event.action not in HISTORY_HIDDEN]
    page = TaskPage(task, history, open_work,
                    [work for work in open_work if access.can_act(actor, work)], plans, reports, signoffs)
    hide_from_unit(session, access, actor, task, page)
    page.people = people_names(session)
    page.attachments = task_attachments(session, access, actor, task)
    page.notices = list(session.scalars(select(SignoffNotice).where(SignoffNotice.task_id == task.id)
                                        .order_by(SignoffNotice.id.desc())))
    page.objections = list(session.scalars(select(Objection).where(Objection.task_id == task.id)
                                           .order_by(Objection.id)))
    page.receipts = list(session.scalars(select(TaskReceipt).options(joinedload(TaskReceipt.unit))
                                         .where(TaskReceipt.task_id == task.id).order_by(TaskReceipt.id)))
    page.extensions = list(session.scalars(select(ExtensionRequest).where(ExtensionRequest.task_id == task.id)
                                           .order_by(ExtensionRequest.id)))
    page.may_request_extension = may_request(session, actor, task, today)
    return page
