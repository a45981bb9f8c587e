"""The ledger's search (every word found in some text of the task) and its orders (any column, codes naturally)."""
from __future__ import annotations

import re

from sqlalchemy import ColumnElement, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from engine.core.statuses import TaskStatus
from engine.core.text import like_escaped
from engine.store.models import (
    Category,
    HumanTask,
    HumanTaskStatus,
    ProgressReport,
    RectificationTask,
    Unit,
    User,
    cooperating_units,
)

#: at most this many words are searched for (the search box takes 100 characters)
MAX_WORDS = 8
_WORDS = re.compile(r"[^\s\u3000，,、；;]+")

#: the ledger's own query joins some of these tables: a search reads them under names of its own
_CATEGORY, _UNIT, _USER = aliased(Category), aliased(Unit), aliased(User)
_TASK_TEXTS = (RectificationTask.code, RectificationTask.title, RectificationTask.problem, RectificationTask.target,
               RectificationTask.measures)
_REPORT_TEXTS = (ProgressReport.progress, ProgressReport.problems, ProgressReport.next_steps)


def search_words(q: str) -> list[str]:
    """The words of a search: split at spaces (also the full-width one) and at Chinese and Latin commas."""
    return list(dict.fromkeys(_WORDS.findall(q)))[:MAX_WORDS]


def matches_every_word(q: str) -> list[ColumnElement[bool]]:
    """One condition per word: the word is in the task's code, title, problem, target or measures, in the name of its
    category, lead unit, a cooperating unit or lead leader, or in one of its monthly reports."""
    return [_matches(f"%{like_escaped(word)}%") for word in search_words(q)]


def _matches(pattern: str) -> ColumnElement[bool]:
    def found(column: ColumnElement[str]) -> ColumnElement[bool]:
        return column.ilike(pattern, escape="\\")

    return or_(
        *(found(column) for column in _TASK_TEXTS),
        exists(select(_CATEGORY.id).where(_CATEGORY.id == RectificationTask.category_id, found(_CATEGORY.name))),
        exists(select(_UNIT.id).where(_UNIT.id == RectificationTask.lead_unit_id, found(_UNIT.name))),
        exists(select(_USER.id).where(_USER.id == RectificationTask.lead_leader_id, found(_USER.display_name))),
        exists(select(_UNIT.id).join(cooperating_units, cooperating_units.c.unit_id == _UNIT.id).where(
            cooperating_units.c.task_id == RectificationTask.id, found(_UNIT.name))),
        exists(select(ProgressReport.id).where(ProgressReport.task_id == RectificationTask.id,
                                               or_(*(found(column) for column in _REPORT_TEXTS)))),
    )


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
