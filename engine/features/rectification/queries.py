"""Read models: the inbox, the ledger, a task page. Plain indexed queries, no workflow loading."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.core.actor import Actor
from engine.core.clock import local_midnight
from engine.core.periods import next_period, parse_period
from engine.core.statuses import InstructionStatus, ReportStatus, TaskStatus, WarningLevel
from engine.features.accounts.access import Access, unit_tasks
from engine.features.rectification.ledger_order import ledger_order
from engine.features.rectification.ledger_search import matches_every_word
from engine.features.rounds.register import all_rounds
from engine.store.models import (
    Category,
    HumanTask,
    HumanTaskStatus,
    Instruction,
    ProgressReport,
    RectificationTask,
    Unit,
    User,
)

PAGE_SIZE = 25
#: what a page shows of a task, loaded with it (the objects leave the session before rendering)
TASK_DISPLAY = (joinedload(RectificationTask.category), joinedload(RectificationTask.lead_unit),
                joinedload(RectificationTask.lead_leader), selectinload(RectificationTask.cooperating_units))


@dataclass(frozen=True)
class LedgerFilters:
    #: the inspection round whose tasks are listed; None: every round (全部批次, the city-wide view)
    round_id: int | None = None
    category_id: int | None = None
    unit_id: int | None = None
    status: TaskStatus | None = None
    leader_id: int | None = None
    warning: WarningLevel | None = None
    q: str = ""
    page: int = 1
    #: a column of ledger_order.SORTS, "-" before it for the other way; codes in their natural order by default
    sort: str = ""
    #: with unit_id: only the tasks the unit leads (牵头), not those it cooperates on
    lead_only: bool = False
    #: only tasks with a monthly report overdue and still not sent (逾期未报)
    report_overdue: bool = False
    #: only tasks whose deadline was extended on a unit's request (延期)
    extended: bool = False
    #: only tasks with a leader's instruction still open (领导批示未阅结)
    instructed: bool = False
    #: YYYY-MM: registered / signed off before the end of that month; signed off within it
    registered_by: str = ""
    closed_by: str = ""
    closed_in: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = self._report_conditions()
        if self.round_id:
            conditions.append(RectificationTask.round_id == self.round_id)
        if self.category_id:
            conditions.append(RectificationTask.category_id == self.category_id)
        if self.unit_id and self.lead_only:
            conditions.append(RectificationTask.lead_unit_id == self.unit_id)
        elif self.unit_id:
            conditions.append(unit_tasks(self.unit_id))
        if self.status:
            conditions.append(RectificationTask.status == self.status)
        if self.leader_id:
            conditions.append(RectificationTask.lead_leader_id == self.leader_id)
        if self.warning:
            conditions.append((RectificationTask.warning == self.warning)
                              & (RectificationTask.status != TaskStatus.CLOSED))
        conditions.extend(matches_every_word(self.q))
        return conditions


    def _report_conditions(self) -> list[ColumnElement[bool]]:
        """The filters behind the dashboard's numbers (also honoured by the page and the export)."""
        conditions: list[ColumnElement[bool]] = []
        if self.report_overdue:
            conditions.append(exists(select(ProgressReport.id).where(
                ProgressReport.task_id == RectificationTask.id, ProgressReport.overdue.is_(True),
                ProgressReport.submitted_at.is_(None), ProgressReport.status != ReportStatus.CANCELLED)))
        if self.extended:
            conditions.append(RectificationTask.extensions > 0)
        if self.instructed:
            conditions.append(open_instruction())
        if self.registered_by:
            conditions.append(RectificationTask.registered_at < month_end(self.registered_by))
        if self.closed_by:
            conditions.append(RectificationTask.closed_at < month_end(self.closed_by))
        if self.closed_in:
            conditions.append(RectificationTask.closed_at >= local_midnight(parse_period(self.closed_in)))
            conditions.append(RectificationTask.closed_at < month_end(self.closed_in))
        return conditions


def open_instruction() -> ColumnElement[bool]:
    """The task has a leader's instruction still open: awaiting an answer or the leader's reading (未阅结)."""
    return exists(select(Instruction.id).where(Instruction.task_id == RectificationTask.id,
                                               Instruction.status != InstructionStatus.CLOSED))


def month_end(period: str) -> datetime:
    """The first instant after the month (local time)."""
    return local_midnight(parse_period(next_period(period)))



@dataclass(frozen=True)
class LedgerRow:
    task: RectificationTask
    current_steps: list[str]
    last_report: ProgressReport | None


@dataclass(frozen=True)
class LedgerPage:
    rows: list[LedgerRow]
    total: int
    page: int
    pages: int


def ledger(session: Session, access: Access, actor: Actor, filters: LedgerFilters) -> LedgerPage:
    where = [access.task_filter(actor), *filters.conditions()]
    total = session.scalar(select(func.count(RectificationTask.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    tasks = list(session.scalars(select(RectificationTask).options(*TASK_DISPLAY).where(*where)
                                 .join(Category).order_by(*ledger_order(filters.sort))
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    ids = [task.id for task in tasks]
    steps = current_steps(session, ids)
    reports = last_reports(session, ids)
    rows = [LedgerRow(task, steps.get(task.id, []), reports.get(task.id)) for task in tasks]
    return LedgerPage(rows, total, page, pages)


def current_steps(session: Session, task_ids: list[int]) -> dict[int, list[str]]:
    steps: dict[int, list[str]] = {}
    query = (select(HumanTask.task_id, HumanTask.name).where(
        HumanTask.task_id.in_(task_ids), HumanTask.status == HumanTaskStatus.OPEN, HumanTask.standing.is_(False))
        .order_by(HumanTask.created_at))
    for task_id, name in session.execute(query):
        steps.setdefault(task_id, []).append(name)
    return steps


def last_reports(session: Session, task_ids: list[int]) -> dict[int, ProgressReport]:
    latest = (select(ProgressReport.task_id, func.max(ProgressReport.period).label("period"))
              .where(ProgressReport.task_id.in_(task_ids)).group_by(ProgressReport.task_id).subquery())
    query = select(ProgressReport).join(latest, (ProgressReport.task_id == latest.c.task_id)
                                        & (ProgressReport.period == latest.c.period))
    return {report.task_id: report for report in session.scalars(query)}


def load_task(session: Session, task_id: int) -> RectificationTask | None:
    """A task with everything a page shows of it."""
    return session.scalar(select(RectificationTask).options(*TASK_DISPLAY, joinedload(RectificationTask.round))
                          .where(RectificationTask.id == task_id))


def people_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.display_name)).all())  # type: ignore[arg-type]


_UNIT_CHOICES = (select(Unit.id, Unit.name).where(Unit.kind.in_(("department", "county", "park")))
                 .order_by(Unit.position))


def unit_choices(session: Session) -> list[tuple[int, str]]:
    """The units that lead or cooperate on tasks (departments, counties, parks), in the order of roles.yaml."""
    return [(unit_id, name) for unit_id, name in session.execute(_UNIT_CHOICES)]


def category_choices(session: Session) -> list[tuple[int, str]]:
    return [(category_id, f"{number}. {name}") for category_id, number, name in session.execute(
        select(Category.id, Category.number, Category.name).order_by(Category.number))]


def round_choices(session: Session) -> list[tuple[int, str]]:
    return [(found.id, found.name) for found in all_rounds(session)]


def leader_choices(session: Session) -> list[tuple[int, str]]:
    return [(user_id, f"{name}（{title}）" if title else name) for user_id, name, title in session.execute(
        select(User.id, User.display_name, User.title).where(User.role == "leader", User.active.is_(True))
        .order_by(User.id))]


#: the lists of records a field may choose from (its `source`), each read only when a form or page needs it
CHOICES: dict[str, Callable[[Session], list[tuple[int, str]]]] = {
    "categories": category_choices, "units": unit_choices, "rounds": round_choices, "leaders": leader_choices}


def choices(session: Session, sources: Collection[str] = tuple(CHOICES)) -> dict[str, list[tuple[int, str]]]:
    """Options for the ledger filters and the registration and assignment forms: the lists `sources` names."""
    return {source: CHOICES[source](session) for source in sources}
