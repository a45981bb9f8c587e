"""The leaders' dashboard: where the rectification stands, in numbers a ledger filter can reproduce.

Every count here is defined so that one ledger query (queries.LedgerFilters) lists exactly
the tasks behind it: by category, by lead unit (牵头单位), by lead leader, by status, by
colour (open tasks only) and "a monthly report overdue and not sent". The month-by-month
curve reads each task's status at each month's end from the audit trail (task.status events).

A province has a hundred thousand tasks: every number is counted by the database (GROUP BY),
never by loading the tasks.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import permutations
from typing import Any

from sqlalchemy import ColumnElement, Integer, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from engine.core.clock import LOCAL_TZ, local_midnight
from engine.core.periods import next_period, parse_period, period_of
from engine.core.statuses import (
    UNDER_WAY_ESCALATION_STATUSES,
    EscalationLevel,
    ReportStatus,
    TaskStatus,
    WarningLevel,
)
from engine.features.cases.counts import CaseCounts
from engine.features.measures.queries import MeasureFigures
from engine.features.rectification.queries import month_end
from engine.features.reporting.unit_record import UnitRecord
from engine.store.models import (
    AuditEvent,
    Category,
    Escalation,
    ProgressReport,
    RectificationTask,
    TaskStatusChange,
    Unit,
    User,
    UTCDateTime,
)

CURVE_MONTHS = 36
BEHIND_LIMIT = 8
#: the overdue reports listed (the most overdue first); the count and the ledger link cover them all
OVERDUE_LIST_LIMIT = 20


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
    #: approved by the lead leaders within the period
    issued: list[dict[str, Any]] = field(default_factory=list)
    #: started (启动: proposed by a rule or a supervisor) within the period, whatever became of them
    started: int = 0


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
    overdue_report_count: int = 0
    #: 领导批示 still open, and the tasks they are on; the units' record of chases (催办) and cooperation (会办)
    open_instructions: int = 0
    instructed_tasks: int = 0
    unit_records: list[UnitRecord] = field(default_factory=list)
    #: 延期: tasks whose deadline was extended on a unit's request, and the extensions granted
    extended_tasks: int = 0
    extensions: int = 0
    #: the instant the sweep counted these figures at (dashboard_summary.py); None: counted for this page
    as_of: datetime | None = None
    #: 强化措施 by category and colour, for whoever may see them
    measures: MeasureFigures | None = None
    #: 信访件: the complaint cases by batch, unit, category and finding (None: the person may not see them)
    cases: CaseCounts | None = None


@dataclass(frozen=True)
class _Cell:
    """How many tasks of one group share a status and a colour."""

    group: int
    status: TaskStatus
    warning: WarningLevel
    count: int

    def counts_as(self, level: WarningLevel) -> bool:
        """Colours are counted on open tasks only."""
        return self.warning is level and not self.status.is_closed()


@dataclass(frozen=True)
class _Overdue:
    """Tasks with a report overdue and not sent, by category (0), lead unit (1) and lead leader (2); the reports."""

    tasks: dict[int, dict[int, int]]
    reports: int

    def by(self, kind: int) -> dict[int, int]:
        return self.tasks.get(kind, {})


@dataclass(frozen=True)
class _Grouping:
    """The tasks in scope counted by one column (category, lead unit or lead leader)."""

    cells: list[_Cell]
    overdue: dict[int, int]  # group -> tasks with a report overdue and not sent

    def groups(self) -> set[int]:
        return {cell.group for cell in self.cells}


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
    if start is None or end is None:
        return EscalationSummary(open=sum(by_level.values()), open_by_level=dict(by_level))
    rows = session.execute(approved.where(Escalation.decided_at >= start, Escalation.decided_at < end)
                           .order_by(Escalation.decided_at, Escalation.id))
    issued = [{"task_id": e.task_id, "code": code, "unit": unit, "level": EscalationLevel(e.approved_level).label,
               "issued_at": e.decided_at, "reason": e.reasons} for e, code, unit in rows]
    started = session.scalar(select(func.count(Escalation.id)).join(
        RectificationTask, RectificationTask.id == Escalation.task_id).where(
        scope, Escalation.opened_at >= start, Escalation.opened_at < end)) or 0
    return EscalationSummary(open=sum(by_level.values()), open_by_level=dict(by_level), issued=issued,
                             started=started)


#: approved escalations still being carried out, committed to or reviewed
UNDER_WAY = UNDER_WAY_ESCALATION_STATUSES


def build_dashboard(session: Session, scope: ColumnElement[bool], now: datetime) -> Dashboard:
    today = now.astimezone(LOCAL_TZ).date()
    overdue = _overdue(session, scope)
    categories = _grouping(session, scope, RectificationTask.category_id, overdue.by(0))
    by_unit = _grouping(session, scope, RectificationTask.lead_unit_id, overdue.by(1))
    by_leader = _grouping(session, scope, RectificationTask.lead_leader_id, overdue.by(2))
    units = _groups(by_unit, _names(session, Unit, by_unit.groups()))
    extended_tasks, extensions = session.execute(select(func.count(), func.coalesce(func.sum(
        RectificationTask.extensions), 0)).where(scope, RectificationTask.extensions > 0)).one()
    return Dashboard(
        today=today,
        statuses=_status_counts(categories.cells),
        warnings={level: sum(c.count for c in categories.cells if c.counts_as(level)) for level in WarningLevel},
        categories=_groups(categories, _category_names(session)),
        units=units,
        leaders=_groups(by_leader, _leader_names(session, by_leader.groups())),
        overdue_reports=overdue_reports(session, scope, today, OVERDUE_LIST_LIMIT),
        overdue_report_count=overdue.reports,
        overdue_tasks=sum(overdue.by(0).values()),
        escalations=escalation_counts(session, scope),
        curve=completion_curve(session, scope, now),
        behind=sorted((row for row in units if any(row.behind())), key=GroupRow.behind, reverse=True)[:BEHIND_LIMIT],
        extended_tasks=extended_tasks, extensions=extensions,
    )


def _grouping(session: Session, scope: ColumnElement[bool], group: Any, overdue: dict[int, int]) -> _Grouping:
    """Counted by group, status and colour, from the group's index."""
    cells = session.execute(select(group, RectificationTask.status, RectificationTask.warning, func.count())
                            .where(scope).group_by(group, RectificationTask.status, RectificationTask.warning))
    return _Grouping([_Cell(*row) for row in cells], overdue)


def _overdue(session: Session, scope: ColumnElement[bool]) -> _Overdue:
    """The overdue tasks read once (a CTE), then counted by category, lead unit and lead leader in one statement."""
    owed = (select(RectificationTask.id, RectificationTask.category_id, RectificationTask.lead_unit_id,
                   RectificationTask.lead_leader_id)
            .where(scope, RectificationTask.id.in_(select(ProgressReport.task_id).where(*_owed_overdue())))
            .cte("overdue_tasks"))
    counts = union_all(*(select(literal(kind).label("kind"), key.label("key"), func.count().label("tasks"))
                         .group_by(key) for kind, key in enumerate((owed.c.category_id, owed.c.lead_unit_id,
                                                                    owed.c.lead_leader_id))))
    tasks: dict[int, dict[int, int]] = {}
    for kind, key, count in session.execute(counts):
        tasks.setdefault(kind, {})[key] = count
    reports = select(func.count(ProgressReport.id)).where(*_owed_overdue())
    return _Overdue(tasks, session.scalar(_in_scope(reports, scope, ProgressReport.task_id)) or 0)


def _in_scope(query: Any, scope: ColumnElement[bool], task_id: Any) -> Any:
    """Limited to the tasks in scope; everyone who sees the dashboard sees every task, and then no join is
    needed (SQLite would rather read every task than the one index that answers)."""
    if isinstance(scope, True_):
        return query
    return query.join(RectificationTask, RectificationTask.id == task_id).where(scope)


def _status_counts(cells: Iterable[_Cell]) -> StatusCounts:
    counted: Counter[TaskStatus] = Counter()
    for cell in cells:
        counted[cell.status] += cell.count
    return StatusCounts({status: counted.get(status, 0) for status in TaskStatus})


def _owed_overdue() -> list[ColumnElement[bool]]:
    """逾期未报: past its due day and still not sent up (the rule of the ledger filter and of the colours)."""
    return [ProgressReport.overdue.is_(True), ProgressReport.submitted_at.is_(None),
            ProgressReport.status != ReportStatus.CANCELLED]


def _groups(grouping: _Grouping, names: dict[int, tuple[Any, str]]) -> list[GroupRow]:
    grouped: dict[int, list[_Cell]] = {}
    for cell in grouping.cells:
        grouped.setdefault(cell.group, []).append(cell)
    rows = [GroupRow(group_id, names.get(group_id, (0, str(group_id)))[1], _status_counts(members),
                     red=sum(c.count for c in members if c.counts_as(WarningLevel.RED)),
                     yellow=sum(c.count for c in members if c.counts_as(WarningLevel.YELLOW)),
                     overdue=grouping.overdue.get(group_id, 0))
            for group_id, members in grouped.items()]
    return sorted(rows, key=lambda row: (names.get(row.id, (0, ""))[0], row.id))


def _category_names(session: Session) -> dict[int, tuple[Any, str]]:
    return {c.id: (c.number, f"{c.number}. {c.name}") for c in session.scalars(select(Category))}


def _names(session: Session, model: type[Unit], ids: set[int]) -> dict[int, tuple[Any, str]]:
    return {unit.id: (unit.position, unit.name) for unit in session.scalars(select(model).where(model.id.in_(ids)))}


def _leader_names(session: Session, ids: set[int]) -> dict[int, tuple[Any, str]]:
    return {user.id: (user.id, user.display_name) for user in session.scalars(select(User).where(User.id.in_(ids)))}


def overdue_reports(session: Session, scope: ColumnElement[bool], today: date,
                    limit: int | None = None) -> list[OverdueReport]:
    query = (select(ProgressReport, RectificationTask.code, RectificationTask.title, Unit.name)
             .join(RectificationTask, RectificationTask.id == ProgressReport.task_id)
             .join(Unit, Unit.id == RectificationTask.lead_unit_id)
             .where(scope, *_owed_overdue()).order_by(ProgressReport.due_date, ProgressReport.task_id).limit(limit))
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


def completion_curve(session: Session, scope: ColumnElement[bool], now: datetime) -> list[MonthPoint]:
    """Each month's statuses at its end: registrations and status changes counted by month, then added up."""
    first = session.scalar(select(func.min(RectificationTask.registered_at)).where(scope))
    if first is None:
        return []
    periods = _periods(period_of(first.astimezone(LOCAL_TZ).date()), period_of(now.astimezone(LOCAL_TZ).date()))
    ends = [min(month_end(period), now) for period in periods]
    months = _monthly_counts(session, scope, [local_midnight(parse_period(periods[0])), *ends])
    points, running = [], Counter[TaskStatus]()
    for month, period in enumerate(periods, start=1):
        for earlier in (0, month) if month == 1 else (month,):
            running[TaskStatus.REGISTERED] += months[earlier].registered
            for (before, after), count in months[earlier].changes.items():
                running[before] -= count
                running[after] += count
        points.append(MonthPoint(period, StatusCounts({status: running.get(status, 0) for status in TaskStatus}),
                                 months[month].closed))
    return points


def _periods(first: str, current: str) -> list[str]:
    periods = [first]
    while periods[-1] < current:
        periods.append(next_period(periods[-1]))
    return periods[-CURVE_MONTHS:]


#: every status change there can be, (before, after)
STATUS_CHANGES = tuple(permutations(TaskStatus, 2))
#: where the first window starts: it holds everything before the first month shown
BEGINNING = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Month:
    """What happened within one window of time: tasks registered, tasks signed off, status changes."""

    registered: int
    closed: int
    changes: dict[tuple[TaskStatus, TaskStatus], int]


def _monthly_counts(session: Session, scope: ColumnElement[bool], bounds: Sequence[datetime]) -> list[_Month]:
    """Counts in each window: 0 before the first month shown, n in the n-th (up to now). One statement with a row
    per window, each number a range count on an index: registered_at, closed_at, and (before, after, at) of
    the status changes, so that nothing is grouped or sorted."""
    windows = union_all(*(select(literal(month, Integer).label("month"), literal(start, UTCDateTime()).label("start"),
                                 literal(end, UTCDateTime()).label("stop"))
                          for month, (start, end) in enumerate(zip([BEGINNING, *bounds[:-1]], bounds, strict=True))))
    window = windows.subquery("windows")

    def tasks(instant: Any) -> Any:
        return (select(func.count()).select_from(RectificationTask)
                .where(scope, instant >= window.c.start, instant < window.c.stop).scalar_subquery())

    def changes(before: TaskStatus, after: TaskStatus) -> Any:
        change = TaskStatusChange
        query = select(func.count()).select_from(change).where(
            change.before == before, change.after == after, change.at >= window.c.start, change.at < window.c.stop)
        return _in_scope(query, scope, change.task_id).scalar_subquery()

    rows = session.execute(select(window.c.month, tasks(RectificationTask.registered_at),
                                  tasks(RectificationTask.closed_at), *(changes(*pair) for pair in STATUS_CHANGES))
                           .order_by(window.c.month))
    return [_Month(registered, closed, dict(zip(STATUS_CHANGES, counts, strict=True)))
            for _, registered, closed, *counts in rows]
