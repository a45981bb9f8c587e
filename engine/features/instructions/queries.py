"""Read models of leaders' instructions: a task's, and the tasks one may be written on."""
from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from engine.core.statuses import TaskStatus
from engine.store.models import Instruction, RectificationTask


def of_task(session: Session, task_id: int) -> list[Instruction]:
    return list(session.scalars(select(Instruction).options(
        selectinload(Instruction.answers), selectinload(Instruction.leader), selectinload(Instruction.unit))
        .where(Instruction.task_id == task_id).order_by(Instruction.id.desc())))


def open_tasks(session: Session, scope: ColumnElement[bool]) -> list[tuple[int, str]]:
    rows = session.execute(select(RectificationTask.id, RectificationTask.code, RectificationTask.title).where(
        scope, RectificationTask.status != TaskStatus.CLOSED).order_by(RectificationTask.id))
    return [(task_id, f"{code} {title}") for task_id, code, title in rows]
