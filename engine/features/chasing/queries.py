"""Read models of chases: a task's, the open ones pinned atop an inbox, and each unit's record."""
from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, selectinload

from engine.core.statuses import ChaseStatus
from engine.store.models import Chase, RectificationTask


def of_task(session: Session, task_id: int) -> list[Chase]:
    return list(session.scalars(select(Chase).options(selectinload(Chase.unit), selectinload(Chase.chased_by))
                                .where(Chase.task_id == task_id).order_by(Chase.id.desc())))


def by_unit(session: Session, scope: ColumnElement[bool]) -> dict[int, tuple[int, int]]:
    """unit -> (chases awaiting its reply, chases it let pass their reply date), on the tasks in scope."""
    unanswered = func.sum(case((Chase.status == ChaseStatus.OPEN, 1), else_=0))
    late = func.sum(case((Chase.overdue.is_(True), 1), else_=0))
    rows = session.execute(select(Chase.unit_id, unanswered, late).join(RectificationTask).where(scope)
                           .group_by(Chase.unit_id))
    return {unit_id: (int(open_ or 0), int(overdue or 0)) for unit_id, open_, overdue in rows}
