"""延期申请 (workflows/extension.bpmn): opening a request, and the rules every step of it checks."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, PermissionDenied
from engine.core.statuses import ExtensionStatus
from engine.core.text import N_, Text, chinese_date, marked_date
from engine.store.database import Session
from engine.store.models import ExtensionRequest, RectificationTask, User
from engine.workflow.step import Step

EXTENSION_PROCESS = "deadline_extension"
OPEN_STATUSES = tuple(status for status in ExtensionStatus if status.is_open())


def open_request(session: Session, task_id: int) -> ExtensionRequest | None:
    return session.scalar(select(ExtensionRequest).where(
        ExtensionRequest.task_id == task_id, ExtensionRequest.status.in_(OPEN_STATUSES)).limit(1))


def check_may_request(step: Step, task: RectificationTask) -> None:
    """Only the lead unit's officer asks, for a task with a dated deadline that has not passed."""
    if not is_lead_officer(step.actor, task):
        raise PermissionDenied(N_("只有牵头单位承办人可以申请延期"))
    refusal = request_refusal(task, step.today)
    if refusal is not None:
        raise InvalidSubmission({"deadline": [refusal]})


def is_lead_officer(actor: Actor, task: RectificationTask) -> bool:
    return actor.role == "unit_staff" and actor.unit_id == task.lead_unit_id


def request_refusal(task: RectificationTask, today: date) -> Text | None:
    """Why the task's deadline cannot be extended now, if it cannot."""
    if task.status.is_closed():
        return N_("任务已销号，不能申请延期")
    if task.deadline is None or not task.deadline_kind.has_date():
        return N_("这项任务没有整改时限，无需延期")
    if today > task.deadline:
        return N_("整改时限（%(deadline)s）已过，不能再申请延期", deadline=marked_date(task.deadline))
    return None


def may_request(session: Session, actor: Actor, task: RectificationTask, today: date) -> bool:
    """Whether the task page offers this person to ask for a later deadline."""
    return (is_lead_officer(actor, task) and request_refusal(task, today) is None
            and open_request(session, task.id) is None)


def start_request(step: Step) -> ExtensionRequest:
    """The unit opens a request: its process starts at the form the officer fills in."""
    task: RectificationTask = step.the_task
    check_may_request(step, task)
    if open_request(step.session, task.id) is not None:
        raise InvalidSubmission({"deadline": [N_("这项任务已有一份延期申请在办理中")]})
    assert task.deadline is not None  # noqa: S101 - checked above
    to_head = task.extensions >= step.settings.extensions_per_task
    instance = step.processes.start(step, EXTENSION_PROCESS, {"deadline": task.deadline.isoformat(),
                                                              "to_head": to_head})
    request = ExtensionRequest(task_id=task.id, instance_id=instance.id, status=ExtensionStatus.DRAFTING,
                               to_head=to_head, opened_by_id=step.actor.user_id, opened_at=step.now,
                               old_deadline=task.deadline, reasons="", review="", decision_comment="")
    step.session.add(request)
    step.session.flush()
    step.audit("extension.opened", ("extension", request.id),
               f"提出延期申请（现整改时限 {chinese_date(task.deadline)}）"
               + (f"，已延期 {task.extensions} 次，报领导小组组长审批" if to_head else ""),
               after={"deadline": task.deadline.isoformat(), "to_head": to_head})
    return request


def request_of(step: Step) -> ExtensionRequest:
    request = step.session.scalar(select(ExtensionRequest).where(ExtensionRequest.instance_id == step.the_instance.id))
    if request is None:
        raise LookupError(f"no extension request for instance {step.the_instance.id}")
    return request


def group_head(step: Step) -> int | None:
    """领导小组组长: the active leader whose title the settings name; the task's lead leader if there is none."""
    head = step.session.scalar(select(User.id).where(
        User.role == "leader", User.active.is_(True), User.title == step.settings.leading_group_head_title,
    ).order_by(User.id).limit(1))
    if head is not None:
        return head
    return step.task.lead_leader_id if step.task is not None else None


def check_not_involved(actor: Actor, request: ExtensionRequest, task: RectificationTask) -> None:
    """职责分离: nobody reviews or decides a request they made or reviewed, or one of their own unit's task."""
    involved = {request.opened_by_id, request.reviewed_by_id} - {None}
    if actor.user_id in involved or (actor.unit_id is not None and actor.unit_id in task.unit_ids()):
        raise PermissionDenied(N_("按职责分离要求，您不能审核或审批自己单位或自己经手的延期申请"))
