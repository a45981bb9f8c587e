"""A task's page: its facts, history, current steps, plans, reports, sign-off and what this person may do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.core.settings import Settings
from engine.core.statuses import WarningLevel
from engine.features.accounts.access import Access
from engine.features.audit.trail import task_history
from engine.features.chasing import queries as chases
from engine.features.cooperation import queries as contributions
from engine.features.documents.usecases import TaskDocuments
from engine.features.escalation.queries import hide_from_unit
from engine.features.extension.requests import may_request
from engine.features.instructions import queries as instructions
from engine.features.rectification.queries import people_names
from engine.features.work.attachments import task_attachments
from engine.store.models import (
    Attachment,
    AuditEvent,
    Chase,
    Clue,
    ComplaintCase,
    Contribution,
    Escalation,
    ExtensionRequest,
    HumanTask,
    HumanTaskStatus,
    ImplementationPlan,
    Instruction,
    Objection,
    ProgressReport,
    RectificationTask,
    SignoffApplication,
    SignoffNotice,
    TaskReceipt,
    Unit,
)
from engine.workflow.progress import ProcessPath

#: audit events a task page leaves out because a domain event says the same step in words (a process started or
#: ended is the machinery under the step a person took)
HISTORY_HIDDEN = frozenset({"work.completed", "process.started", "process.cancelled"})


@dataclass
class TaskPage:
    task: RectificationTask
    history: list[AuditEvent] = field(default_factory=list)
    open_work: list[HumanTask] = field(default_factory=list)
    my_work: list[HumanTask] = field(default_factory=list)
    plans: list[ImplementationPlan] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    signoffs: list[SignoffApplication] = field(default_factory=list)
    people: dict[int, str] = field(default_factory=dict)
    #: every unit's name by id, for the history's before and after
    units: dict[int, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    notices: list[SignoffNotice] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)
    chases: list[Chase] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    #: each cooperating unit's colour on the task (会办)
    cooperation: dict[int, WarningLevel] = field(default_factory=dict)
    #: 签收 by each unit (a reassigned unit's too) and the units' 延期申请, oldest first
    receipts: list[TaskReceipt] = field(default_factory=list)
    extensions: list[ExtensionRequest] = field(default_factory=list)
    may_request_extension: bool = False


@dataclass(frozen=True)
class TaskView:
    """A task's page as the web shows it: the page, where its process has been, and what the other features hold
    of the task, as far as the person may see it."""

    page: TaskPage
    path: ProcessPath | None
    escalations: list[Escalation]
    clues: list[Clue]
    documents: TaskDocuments
    cases: list[ComplaintCase]


def task_page(session: Session, access: Access, actor: Actor, task: RectificationTask, settings: Settings,
              today: date) -> TaskPage:
    """Everything the task's own page shows: its documents, history, current steps and exceptions."""
    page = beside_a_form(session, access, actor, task, today)
    page.open_work = list(session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.task_id == task.id, HumanTask.status == HumanTaskStatus.OPEN).order_by(HumanTask.created_at)))
    page.my_work = [work for work in page.open_work if access.can_act(actor, work)]
    page.history = [event for event in task_history(session, task.id) if event.action not in HISTORY_HIDDEN]
    hide_from_unit(session, access, actor, task, page)
    page.units = dict(session.execute(select(Unit.id, Unit.name)).all())  # type: ignore[arg-type]
    _exceptions(session, task, page, settings)
    return page


def beside_a_form(session: Session, access: Access, actor: Actor, task: RectificationTask, today: date) -> TaskPage:
    """What a work item's page shows of its task beside the form: its plans, reports, sign-off and public notices
    with their files, and the units' 签收 and 延期申请 (not its history, current steps or exceptions)."""
    page = TaskPage(task)
    page.plans = list(session.scalars(select(ImplementationPlan).where(ImplementationPlan.task_id == task.id)
                                      .order_by(ImplementationPlan.revision.desc())))
    page.reports = list(session.scalars(select(ProgressReport).where(ProgressReport.task_id == task.id)
                                        .order_by(ProgressReport.period.desc())))
    page.signoffs = list(session.scalars(select(SignoffApplication).where(SignoffApplication.task_id == task.id)
                                         .order_by(SignoffApplication.id.desc())))
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


def _exceptions(session: Session, task: RectificationTask, page: TaskPage, settings: Settings) -> None:
    """Leaders' instructions and their answers, chases, the cooperating units' contributions and colours."""
    page.instructions = instructions.of_task(session, task.id)
    page.chases = chases.of_task(session, task.id)
    page.contributions = contributions.of_task(session, task.id)
    page.cooperation = contributions.colours_on_task(page.contributions, settings)
