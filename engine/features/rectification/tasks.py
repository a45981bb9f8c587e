"""登记: a rectification task comes into being, by hand or from a ledger, and its process starts."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import InvalidSubmission
from engine.core.fields import clean
from engine.core.statuses import DeadlineKind, TaskStatus
from engine.core.text import N_
from engine.features.rectification.actions import MAIN_PROCESS
from engine.features.rectification.forms import REGISTRATION_FIELDS, check_assignment
from engine.features.rounds.register import current_round_id
from engine.store.models import Category, InspectionRound, RectificationTask, Unit
from engine.workflow.step import Step


def checked_registration(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The registration form's data, every problem of it reported at once."""
    cleaned = clean(REGISTRATION_FIELDS, data)
    errors = check_assignment(step, cleaned)
    if step.session.get(Category, cleaned["category_id"]) is None:
        errors["category_id"] = ["没有这个类别"]
    cleaned["round_id"] = cleaned["round_id"] or current_round_id(step.session)
    if step.session.get(InspectionRound, cleaned["round_id"] or 0) is None:
        errors["round_id"] = [N_("没有这个督察批次")]
    elif code_taken(step.session, cleaned["round_id"], cleaned["code"]):
        errors["code"] = [N_("本批次已有这个编号")]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned


def code_taken(session: Session, round_id: int, code: str) -> bool:
    """A code names one task within its round (another round may have its own 1-1)."""
    return session.scalar(select(RectificationTask.id).where(
        RectificationTask.round_id == round_id, RectificationTask.code == code)) is not None


def create_task(step: Step, data: dict[str, Any]) -> RectificationTask:
    """A task from checked registration data; its process starts and waits for 交办."""
    task = RectificationTask(
        code=data["code"], round_id=data.get("round_id") or current_round_id(step.session),
        category_id=data["category_id"], title=data["title"], problem=data["problem"],
        target=data["target"], measures=data["measures"], lead_unit_id=data["lead_unit_id"],
        lead_leader_id=data["lead_leader_id"], deadline_kind=DeadlineKind(data["deadline_kind"]),
        deadline=date.fromisoformat(data["deadline"]) if data["deadline"] else None,
        deadline_text=data.get("deadline_text") or None, status=TaskStatus.REGISTERED, registered_at=step.now,
        cooperating_units=[step.session.get_one(Unit, i) for i in data["cooperating_unit_ids"]])
    step.session.add(task)
    step.session.flush()
    step.task = task
    step.audit("task.registered", ("task", task.id), f"登记整改任务 {task.code} {task.title}",
               after={"code": task.code, "title": task.title})
    step.processes.start(step, MAIN_PROCESS, {"deadline": data["deadline"]})
    return task
