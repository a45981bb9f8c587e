"""The leaders' dashboard: where the rectification stands, in numbers a ledger filter can reproduce.

Every count here is defined so that one ledger query (queries.LedgerFilters) lists exactly
the tasks behind it: by category, by lead unit (牵头单位), by lead leader, by status, by
colour (open tasks only) and "a monthly report overdue and not sent". The month-by-month
curve reads each task's status at each month's end from the audit trail (task.status events).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from engine.clock import LOCAL_TZ
from engine.models import (
    AuditEvent,
    Category,
    Escalation,
    EscalationLevel,
    EscalationStatus,
    ProgressReport,
    RectificationTask,
    ReportStatus,
    TaskStatus,
    Unit,
    User,
    WarningLevel,
)
from engine.periods import next_period, period_of
from engine.queries import month_end

CURVE_MONTHS = 36
BEHIND_LIMIT = 8


@dataclass(frozen=True)
class StatusCounts:
    counts: dict[TaskStatus, int] = field(default_factory=dict)

    @classmethod
    def of(cls, statuses: Iterable[TaskStatus]) -> StatusCounts:
        counted = Counter(statuses)
        return cls({status: counted.get(status, 0) for status in TaskStatus})

    def __getitem__(self, status: TaskStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completion(self) -> float:
        """Share signed off (销号率), in percent."""
        return 100 * self[TaskStatus.CLOSED] / self.total if self.total else 0.0


@dataclass(frozen=True)
class GroupRow:
    """A category, lead unit or lead leader with the counts of its tasks."""

    id: int
    label: str
    statuses: StatusCounts
    red: int = 0
    yellow: int = 0
    overdue: int = 0  # tasks with a report overdue and not sent

    def behind(self) -> tuple[int, int, int]:
        return self.red, self.overdue, self.yellow


@dataclass(frozen=True)
class MonthPoint:
    period: str
    statuses: StatusCounts  # at the end of the month (now, for this month)
    closed_in_month: int


@dataclass(frozen=True)
class OverdueReport:
    task_id: int
    code: str
    title: str
    unit: str
    period: str
    due_date: date
    days: int


@dataclass(frozen=True)
class EscalationSummary:
    """Escalations (通报/约谈/曝光/追责): open now, and issued within a period."""

    open: int = 0
    open_by_level: dict[str, int] = field(default_factory=dict)
    issued: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    today: date
    statuses: StatusCounts
    warnings: dict[WarningLevel, int]
    categories: list[GroupRow]
    units: list[GroupRow]
    leaders: list[GroupRow]
    overdue_reports: list[OverdueReport]
    overdue_tasks: int
    escalations: EscalationSummary
    curve: list[MonthPoint]
    behind: list[GroupRow]


@dataclass(frozen=True)
class _Fact:
    id: int
    status: TaskStatus
    warning: WarningLevel
    category_id: int
    lead_unit_id: int
    lead_leader_id: int
    registered_at: datetime
    closed_at: datetime | None
    overdue: bool


def escalation_counts(session: Session, scope: ColumnElement[bool], start: datetime | None = None,
                      end: datetime | None = None) -> EscalationSummary:
    """Escalations (通报/约谈/曝光/追责) of the tasks in scope: approved and not finished yet (by level),
    and, given a period [start, end), those the lead leaders approved in it."""
    approved = (select(Escalation, RectificationTask.code, Unit.name)
                .join(RectificationTask, RectificationTask.id == Escalation.task_id)
                .join(Unit, Unit.id == Escalation.unit_id)
                .where(scope, Escalation.approved_level.is_not(None)))
    under_way = session.scalars(select(Escalation.approved_level).join(
        RectificationTask, RectificationTask.id == Escalation.task_id).where(
        scope, Escalation.approved_level.is_not(None), Escalation.status.in_(UNDER_WAY)))
    by_level = Counter(EscalationLevel(level).label for level in under_way)
    issued = []
    if start is not None and end is not None:
        rows = session.execute(approved.where(Escalation.decided_at >= start, Escalation.decided_at < end)
                               .order_by(Escalation.decided_at, Escalation.id))
        issued = [{"task_id": e.task_id, "code": code, "unit": unit, "level": EscalationLevel(e.approved_level).label,
                   "issued_at": e.decided_at, "reason": e.reasons} for e, code, unit in rows]
    return EscalationSummary(open=sum(by_level.values()), open_by_level=dict(by_level), issued=issued)


#: approved escalations still being carried out, committed to or reviewed
UNDER_WAY = (EscalationStatus.CARRYING_OUT, EscalationStatus.AWAITING_COMMITMENT, EscalationStatus.UNDER_REVIEW)


def build_dashboard(session: Session, scope: ColumnElement[bool], now: datetime) -> Dashboard:
    today = now.astimezone(LOCAL_TZ).date()
    facts = _facts(session, scope)
    open_facts = [fact for fact in facts if not fact.status.is_closed()]
    units = _groups(facts, "lead_unit_id", _names(session, Unit, {f.lead_unit_id for f in facts}))
    return Dashboard(
        today=today,
        statuses=StatusCounts.of(fact.status for fact in facts),
        warnings={level: sum(1 for f in open_facts if f.warning is level) for level in WarningLevel},
        categories=_groups(facts, "category_id", _category_names(session)),
        units=units,
        leaders=_groups(facts, "lead_leader_id", _leader_names(session, {f.lead_leader_id for f in facts})),
        overdue_reports=overdue_reports(session, scope, today),
        overdue_tasks=sum(1 for fact in facts if fact.overdue),
        escalations=escalation_counts(session, scope),
        curve=completion_curve(session, facts, now),
        behind=sorted((row for row in units if any(row.behind())), key=GroupRow.behind, reverse=True)[:BEHIND_LIMIT],
    )


def _facts(session: Session, scope: ColumnElement[bool]) -> list[_Fact]:
    overdue = set(session.scalars(select(ProgressReport.task_id).where(*_owed_overdue())))
    rows = session.execute(select(
        RectificationTask.id, RectificationTask.status, RectificationTask.warning, RectificationTask.category_id,
        RectificationTask.lead_unit_id, RectificationTask.lead_leader_id, RectificationTask.registered_at,
        RectificationTask.closed_at).where(scope))
    return [_Fact(*row, overdue=row.id in overdue) for row in rows]


def _owed_overdue() -> list[ColumnElement[bool]]:
    """逾期未报: past its due day and still not sent up (the rule of the ledger filter and of the colours)."""
    return [ProgressReport.overdue.is_(True), ProgressReport.submitted_at.is_(None),
            ProgressReport.status != ReportStatus.CANCELLED]


def _groups(facts: Sequence[_Fact], key: str, names: dict[int, tuple[Any, str]]) -> list[GroupRow]:
    grouped: dict[int, list[_Fact]] = {}
    for fact in facts:
        grouped.setdefault(getattr(fact, key), []).append(fact)
    rows = [GroupRow(group_id, names.get(group_id, (0, str(group_id)))[1],
                     StatusCounts.of(f.status for f in members),
                     red=sum(1 for f in members if f.warning is WarningLevel.RED and not f.status.is_closed()),
                     yellow=sum(1 for f in members if f.warning is WarningLevel.YELLOW and not f.status.is_closed()),
                     overdue=sum(1 for f in members if f.overdue))
            for group_id, members in grouped.items()]
    return sorted(rows, key=lambda row: (names.get(row.id, (0, ""))[0], row.id))


def _category_names(session: Session) -> dict[int, tuple[Any, str]]:
    return {c.id: (c.number, f"{c.number}. {c.name}") for c in session.scalars(select(Category))}


def _names(session: Session, model: type[Unit], ids: set[int]) -> dict[int, tuple[Any, str]]:
    return {unit.id: (unit.position, unit.name) for unit in session.scalars(select(model).where(model.id.in_(ids)))}


def _leader_names(session: Session, ids: set[int]) -> dict[int, tuple[Any, str]]:
    return {user.id: (user.id, user.display_name) for user in session.scalars(select(User).where(User.id.in_(ids)))}


def overdue_reports(session: Session, scope: ColumnElement[bool], today: date) -> list[OverdueReport]:
    query = (select(ProgressReport, RectificationTask.code, RectificationTask.title, Unit.name)
             .join(RectificationTask, RectificationTask.id == ProgressReport.task_id)
             .join(Unit, Unit.id == RectificationTask.lead_unit_id)
             .where(scope, *_owed_overdue()).order_by(ProgressReport.due_date, RectificationTask.id))
    return [OverdueReport(report.task_id, code, title, unit, report.period, report.due_date,
                          (today - report.due_date).days)
            for report, code, title, unit in session.execute(query)]


# --- status over time ----------------------------------------------------------------------

def status_history(session: Session, task_ids: Iterable[int]) -> dict[int, list[tuple[datetime, TaskStatus]]]:
    """Each task's status changes (task.status audit events), oldest first."""
    history: dict[int, list[tuple[datetime, TaskStatus]]] = {}
    query = (select(AuditEvent.task_id, AuditEvent.at, AuditEvent.after)
             .where(AuditEvent.action == "task.status", AuditEvent.task_id.in_(list(task_ids)))
             .order_by(AuditEvent.at, AuditEvent.id))
    for task_id, at, after in session.execute(query):
        if after and after.get("status") in TaskStatus._value2member_map_:
            history.setdefault(task_id, []).append((at, TaskStatus(after["status"])))
    return history


def status_at(registered_at: datetime, changes: Sequence[tuple[datetime, TaskStatus]],
              instant: datetime) -> TaskStatus | None:
    """The task's status at an instant; None if it was not registered yet."""
    if registered_at >= instant:
        return None
    status = TaskStatus.REGISTERED
    for at, changed in changes:
        if at >= instant:
            break
        status = changed
    return status


def completion_curve(session: Session, facts: Sequence[_Fact], now: datetime) -> list[MonthPoint]:
    if not facts:
        return []
    history = status_history(session, [fact.id for fact in facts])
    current = period_of(now.astimezone(LOCAL_TZ).date())
    period = period_of(min(fact.registered_at for fact in facts).astimezone(LOCAL_TZ).date())
    periods = []
    while period <= current:
        periods.append(period)
        period = next_period(period)
    points = []
    for period in periods[-CURVE_MONTHS:]:
        instant = min(month_end(period), now)
        statuses = [status_at(f.registered_at, history.get(f.id, []), instant) for f in facts]
        closed_in_month = sum(1 for f in facts if f.closed_at and period_of(
            f.closed_at.astimezone(LOCAL_TZ).date()) == period and f.closed_at < instant)
        points.append(MonthPoint(period, StatusCounts.of(s for s in statuses if s is not None), closed_in_month))
    return points
