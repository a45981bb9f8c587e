"""The ledger's orders: any column, codes in their natural order (its search: ledger_search.py)."""
from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import aliased

from engine.core.statuses import TaskStatus
from engine.store.models import (
    Category,
    HumanTask,
    HumanTaskStatus,
    ProgressReport,
    RectificationTask,
    Unit,
    User,
)

#: the ledger's own query joins some of these tables: an order reads them under names of its own
_UNIT, _USER = aliased(Unit), aliased(User)


#: the columns the ledger sorts by (?sort=NAME, or -NAME for the other way)
SORTS = ("code", "title", "unit", "leader", "deadline", "status", "step", "report")


def ledger_order(sort: str) -> list[ColumnElement[object]]:
    """The ORDER BY of the ledger; by default (and after every sort) codes in their natural order: category, then
    1-2 before 1-10 (a shorter number first)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    natural = [Category.number, func.length(RectificationTask.code), RectificationTask.code, RectificationTask.id]
    if key not in SORTS or key == "code":
        return [column.desc() for column in natural] if descending else natural
    first = _sort_column(key)
    return [first.desc().nulls_last() if descending else first.asc().nulls_last(), *natural]


def _sort_column(key: str) -> ColumnElement[object]:
    if key == "title":
        return RectificationTask.title
    if key == "unit":
        return select(_UNIT.position).where(_UNIT.id == RectificationTask.lead_unit_id).scalar_subquery()
    if key == "leader":
        return select(_USER.display_name).where(_USER.id == RectificationTask.lead_leader_id).scalar_subquery()
    if key == "deadline":
        return RectificationTask.deadline
    if key == "status":  # in the order of a task's life
        return case({status: index for index, status in enumerate(TaskStatus)}, value=RectificationTask.status)
    if key == "step":
        return select(func.min(HumanTask.name)).where(
            HumanTask.task_id == RectificationTask.id, HumanTask.status == HumanTaskStatus.OPEN,
            HumanTask.standing.is_(False)).scalar_subquery()
    latest = select(ProgressReport.percent_complete).where(ProgressReport.task_id == RectificationTask.id)
    return latest.order_by(ProgressReport.period.desc()).limit(1).scalar_subquery()
