"""月度通报: the monthly bulletin the office sends round, as the facts of one month.

Month M covers: the status of every task at the end of M (read from the audit trail), by
category; the tasks signed off in M; the monthly reports due in M (按月交账: the reports on
M-1, due on the report day of M) — on time, late, still missing, lagging — naming the units;
the escalations issued and the other supervision acts (催报, 超期督办, 延期) of M; the tasks
whose deadline falls in M+1, and those past their deadline and not signed off at the end of M.
bulletin_docx.py writes it as a Word document.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from engine.core.clock import LOCAL_TZ, local_midnight
from engine.core.errors import InvalidSubmission
from engine.core.periods import next_period, parse_period, period_label, period_of
from engine.core.statuses import ReportStatus, TaskStatus, WarningLevel
from engine.features.measures.bulletin import MeasureMonth
from engine.features.rectification.queries import TASK_DISPLAY, month_end
from engine.features.reporting.dashboard import (
    EscalationSummary,
    StatusCounts,
    escalation_counts,
    status_at,
    status_history,
)
from engine.store.audit import head_before
from engine.store.models import AuditEvent, Category, ProgressReport, RectificationTask, Unit

SUPERVISION_ACTIONS = {"report.chased": "催报", "task.urged": "超期督办", "task.deadline_extended": "延期"}


@dataclass(frozen=True)
class CategoryLine:
    label: str
    statuses: StatusCounts
    closed_in_month: int


@dataclass(frozen=True)
class TaskLine:
    code: str
    title: str
    unit: str
    leader: str = ""
    when: date | None = None  # sign-off day or deadline
    status: TaskStatus | None = None


@dataclass(frozen=True)
class ReportLine:
    unit: str
    code: str
    title: str
    period: str
    due_date: date
    submitted_on: date | None
    overdue: bool
    lagging: bool


@dataclass
class BulletinData:
    month: str
    city: str
    office: str
    issue: int
    made_on: date
    month_over: bool
    statuses: StatusCounts
    categories: list[CategoryLine]
    signed_off: list[TaskLine]
    reports: list[ReportLine]
    escalations: EscalationSummary
    supervision: dict[str, int]
    due_next_month: list[TaskLine]
    past_deadline: list[TaskLine]
    warnings_now: dict[WarningLevel, int] = field(default_factory=dict)
    #: the audit chain's head as published on /public/audit-head the day the bulletin is made (events, hash)
    audit_head: tuple[int, str] = (0, "")
    #: the inspection round the bulletin is about; "" for every round
    round_name: str = ""
    #: the strengthening measures' figures of the month, if the city has measures
    measures: MeasureMonth | None = None

    @property
    def label(self) -> str:
        return period_label(self.month)

    @property
    def month_end_day(self) -> date:
        return parse_period(next_period(self.month)) - timedelta(days=1)

    def overdue_reports(self) -> list[ReportLine]:
        return [line for line in self.reports if line.overdue]

    def lagging_reports(self) -> list[ReportLine]:
        return [line for line in self.reports if line.lagging]

    def overdue_units(self) -> list[str]:
        return list(dict.fromkeys(line.unit for line in self.overdue_reports()))


def check_month(month: str, today: date) -> str:
    try:
        parse_period(month)
    except ValueError:
        raise InvalidSubmission({"month": ["月份格式应为 YYYY-MM，如 2026-10"]}) from None
    if month > period_of(today):
        raise InvalidSubmission({"month": ["这个月还没有开始，不能生成通报"]})
    return month


def bulletin_data(session: Session, scope: ColumnElement[bool], month: str, now: datetime) -> BulletinData:
    today = now.astimezone(LOCAL_TZ).date()
    check_month(month, today)
    start, end = local_midnight(parse_period(month)), min(month_end(month), now)
    tasks = list(session.scalars(select(RectificationTask).options(*TASK_DISPLAY).where(scope)
                                 .join(Category).order_by(Category.number, RectificationTask.id)))
    history = status_history(session, [task.id for task in tasks])
    at_end = {task.id: status_at(task.registered_at, history.get(task.id, []), end) for task in tasks}
    registered = [task for task in tasks if at_end[task.id] is not None]
    first = min((task.registered_at for task in tasks), default=now)
    return BulletinData(
        month=month, city=_unit_name(session, "city", "本市"), office=_office(session), issue=_issue(first, month),
        made_on=today, month_over=month_end(month) <= now,
        statuses=StatusCounts.of(at_end[task.id] for task in registered),  # type: ignore[misc]
        categories=_categories(registered, at_end, start, end),
        signed_off=[_line(task, task.closed_at.astimezone(LOCAL_TZ).date()) for task in registered
                    if task.closed_at and start <= task.closed_at < end],
        reports=_reports(session, scope, month),
        escalations=escalation_counts(session, scope, start, end),
        supervision=_supervision(session, [task.id for task in tasks], start, end),
        due_next_month=_due_in(registered, at_end, next_period(month)),
        past_deadline=[_line(task, task.deadline) for task in registered if task.deadline
                       and task.deadline < min(parse_period(next_period(month)), today)
                       and task.deadline_kind.has_date() and at_end[task.id] is not TaskStatus.CLOSED],
        warnings_now=dict(Counter(task.warning for task in tasks if not task.status.is_closed())),
        audit_head=head_before(session, local_midnight(today)),
    )


def _line(task: RectificationTask, when: date | None) -> TaskLine:
    return TaskLine(task.code, task.title, task.lead_unit.name, task.lead_leader.display_name, when, task.status)


def _categories(tasks: list[RectificationTask], at_end: dict[int, TaskStatus | None], start: datetime,
                end: datetime) -> list[CategoryLine]:
    lines: dict[int, list[RectificationTask]] = {}
    for task in tasks:
        lines.setdefault(task.category_id, []).append(task)
    return [CategoryLine(f"{members[0].category.number}. {members[0].category.name}",
                         StatusCounts.of(at_end[t.id] for t in members),  # type: ignore[misc]
                         sum(1 for t in members if t.closed_at and start <= t.closed_at < end))
            for members in lines.values()]


def _reports(session: Session, scope: ColumnElement[bool], month: str) -> list[ReportLine]:
    first = parse_period(month)
    query = (select(ProgressReport, RectificationTask.code, RectificationTask.title, Unit.name)
             .join(RectificationTask, RectificationTask.id == ProgressReport.task_id)
             .join(Unit, Unit.id == RectificationTask.lead_unit_id)
             .where(scope, ProgressReport.due_date >= first, ProgressReport.due_date < parse_period(next_period(month)),
                    ProgressReport.status != ReportStatus.CANCELLED)
             .order_by(Unit.position, RectificationTask.id))
    return [ReportLine(unit, code, title, report.period, report.due_date,
                       report.submitted_at.astimezone(LOCAL_TZ).date() if report.submitted_at else None,
                       report.overdue, report.lagging and report.status is ReportStatus.ACCEPTED)
            for report, code, title, unit in session.execute(query)]


def _supervision(session: Session, task_ids: list[int], start: datetime, end: datetime) -> dict[str, int]:
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.in_(list(SUPERVISION_ACTIONS)), AuditEvent.task_id.in_(task_ids),
        AuditEvent.at >= start, AuditEvent.at < end))
    counted = Counter(actions)
    return {label: counted.get(action, 0) for action, label in SUPERVISION_ACTIONS.items()}


def _due_in(tasks: list[RectificationTask], at_end: dict[int, TaskStatus | None], month: str) -> list[TaskLine]:
    first, after = parse_period(month), parse_period(next_period(month))
    due = [task for task in tasks if task.deadline and task.deadline_kind.has_date()
           and first <= task.deadline < after and at_end[task.id] is not TaskStatus.CLOSED]
    return [_line(task, task.deadline) for task in sorted(due, key=lambda t: (t.deadline, t.id))]


def _unit_name(session: Session, kind: str, default: str) -> str:
    return session.scalar(select(Unit.name).where(Unit.kind == kind).order_by(Unit.position).limit(1)) or default


def _office(session: Session) -> str:
    name = session.scalar(select(Unit.name).where(Unit.code == "office"))
    return name or "整改工作领导小组办公室"


def _issue(first_registration: datetime, month: str) -> int:
    """第 N 期: months since the month of the first registration, counting it as the first."""
    start = parse_period(period_of(first_registration.astimezone(LOCAL_TZ).date()))
    current = parse_period(month)
    return max(1, (current.year - start.year) * 12 + current.month - start.month + 1)
