"""What follows a case's result: work that takes longer goes on as a rectification task of the ledger (the case
stays open until the task is signed off), and a sample of the closed cases is called back (回访); a complainant
not satisfied (不满意) sends the case back to its unit, which signs for it and investigates again."""
from __future__ import annotations

import math
import secrets
from collections.abc import Sequence

from sqlalchemy import select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean
from engine.core.statuses import CaseCallback, CaseStatus
from engine.core.text import N_
from engine.core.workdays import add_working_days
from engine.features.cases.actions import start_case
from engine.features.rectification.events import TaskClosed
from engine.store.models import ComplaintCase, RectificationTask
from engine.workflow.step import Step

TASK_FIELDS = (
    Field("task_code", "line", label=N_("整改任务编号"), help=N_("台账中整改任务的编号，如 1-1")),
    Field("reason", label=N_("说明"), help=N_("为什么需要长期整改")),
)
CALLBACK_FIELDS = (
    Field("result", "choice", choices={"satisfied": N_("满意"), "unsatisfied": N_("不满意（重新办理）")},
          label=N_("回访结果"), widget="radio"),
    Field("note", label=N_("回访情况"), help=N_("回访方式、时间和举报人的意见")),
)


def link_task(step: Step, case: ComplaintCase, data: dict[str, str]) -> None:
    """长期整改: the accepted case goes on as the ledger's task; it closes when the task is signed off."""
    cleaned = clean(TASK_FIELDS, data)
    if case.status not in (CaseStatus.ACCEPTED, CaseStatus.PUBLISHED):
        raise InvalidSubmission({"task_code": [N_("办理结果审核通过后才能转为整改任务")]})
    task = step.session.scalar(select(RectificationTask).where(RectificationTask.code == cleaned["task_code"]))
    if task is None:
        raise InvalidSubmission({"task_code": [N_("台账中没有这个编号的整改任务")]})
    if task.status.is_closed():
        raise InvalidSubmission({"task_code": [N_("这项整改任务已销号")]})
    before = {"status": case.status.value, "task_id": case.task_id}
    case.task_id, case.status = task.id, CaseStatus.RECTIFYING
    step.task = task  # the task's own history says so too
    step.audit("case.to_task", ("complaint_case", case.id),
               f"信访件 {case.number} 转为整改任务 {task.code} 长期整改：{cleaned['reason']}", before=before,
               after={"status": case.status.value, "task_id": task.id})


def end_rectifying(step: Step, event: TaskClosed) -> None:
    """销号 of the task a case went on as: the case is closed (published, or waiting for its batch's publication)."""
    cases = step.session.scalars(select(ComplaintCase).where(
        ComplaintCase.task_id == step.the_task.id, ComplaintCase.status == CaseStatus.RECTIFYING))
    for case in cases:
        case.status = CaseStatus.PUBLISHED if case.published_at is not None else CaseStatus.ACCEPTED
        step.audit("case.rectified", ("complaint_case", case.id),
                   f"整改任务 {step.the_task.code} 已销号，信访件 {case.number} 办结",
                   after={"status": case.status.value})


def sample_callbacks(step: Step, closed: Sequence[ComplaintCase]) -> list[ComplaintCase]:
    """The share of the closed cases (at least one when the share is not nil) to be called back, at random."""
    share = step.settings.case_callback_percent
    if not closed or not share:
        return []
    chosen = secrets.SystemRandom().sample(list(closed), max(1, math.ceil(len(closed) * share / 100)))
    for case in chosen:
        case.callback = CaseCallback.PENDING
    return chosen


def record_callback(step: Step, case: ComplaintCase, data: dict[str, str]) -> None:
    cleaned = clean(CALLBACK_FIELDS, data)
    if case.callback is not CaseCallback.PENDING:
        raise InvalidSubmission({"result": [N_("这件信访件不在待回访之列")]})
    case.callback, case.callback_note, case.called_back_at = CaseCallback(cleaned["result"]), cleaned["note"], step.now
    step.audit("case.called_back", ("complaint_case", case.id),
               f"回访信访件 {case.number}：{case.callback.label}。{cleaned['note']}",
               after={"callback": case.callback.value})
    if case.callback is CaseCallback.UNSATISFIED:
        reopen(step, case)


def reopen(step: Step, case: ComplaintCase) -> None:
    """群众不满意不放过: the case goes back to its unit with a new report date, as when it was first handed down."""
    case.status = CaseStatus.SIGNING
    case.report_due = add_working_days(step.today, step.settings.case_report_working_days)
    step.audit("case.reopened", ("complaint_case", case.id),
               f"举报人不满意，信访件 {case.number} 重新交{case.unit.name}办理，{case.report_due} 前报告",
               after={"status": case.status.value, "report_due": case.report_due.isoformat()})
    start_case(step, case)
