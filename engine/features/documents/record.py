"""What the documents of a task are written from: the task and the latest of each of its records."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.core.statuses import EscalationLevel
from engine.store.models import (
    Escalation,
    HumanTask,
    HumanTaskStatus,
    ImplementationPlan,
    ProgressReport,
    RectificationTask,
    SignoffApplication,
    SignoffNotice,
)

Latest = TypeVar("Latest", ImplementationPlan, SignoffApplication, SignoffNotice)


@dataclass
class TaskRecord:
    task: RectificationTask
    assigned: bool
    plan: ImplementationPlan | None
    report: ProgressReport | None
    notice_escalation: Escalation | None  # the latest escalation approved at 通报
    interview_escalation: Escalation | None  # the latest approved at 约谈
    signoff: SignoffApplication | None
    signoff_notice: SignoffNotice | None


def task_record(session: Session, task: RectificationTask) -> TaskRecord:
    assigned = session.scalar(select(HumanTask.id).where(
        HumanTask.task_id == task.id, HumanTask.form == "assign",
        HumanTask.status == HumanTaskStatus.COMPLETED).limit(1)) is not None
    return TaskRecord(
        task, assigned, _latest(session, ImplementationPlan, task), _latest_report(session, task),
        _escalation(session, task, EscalationLevel.NOTICE), _escalation(session, task, EscalationLevel.INTERVIEW),
        _latest(session, SignoffApplication, task), _latest(session, SignoffNotice, task))


def _latest(session: Session, model: type[Latest], task: RectificationTask) -> Latest | None:
    return session.scalar(select(model).where(model.task_id == task.id).order_by(model.id.desc()).limit(1))


def _latest_report(session: Session, task: RectificationTask) -> ProgressReport | None:
    return session.scalar(select(ProgressReport).where(
        ProgressReport.task_id == task.id, ProgressReport.submitted_at.is_not(None))
        .order_by(ProgressReport.period.desc()).limit(1))


def _escalation(session: Session, task: RectificationTask, level: EscalationLevel) -> Escalation | None:
    return session.scalar(select(Escalation).options(joinedload(Escalation.notice), joinedload(Escalation.interview),
                                                     joinedload(Escalation.unit))
                          .where(Escalation.task_id == task.id, Escalation.approved_level == int(level))
                          .order_by(Escalation.id.desc()).limit(1))
