"""预警: the warning colour of a task and the reasons for it. The rules live here and only here.

green  on track
yellow a report is overdue (逾期未报), the deadline is within N days, or the supervisor judged
       the last report as lagging (进度滞后)
red    the deadline has passed, or the task was yellow for K report periods in a row

A cooperating unit has its own colour on each task it cooperates on (会办): yellow for a missing monthly
contribution, red for K missing in a row (cooperation_colour).

N and K come from Settings (deadline_warning_days, red_after_yellow_periods). Tasks with no
deadline (长期坚持) are never red for a deadline. The colour is stored on the task and
re-assessed after every step and every timer of the task (a sweep's batch reassesses each of its
tasks once, at its end); the timers fire exactly on the days where a colour can change by itself
(deadline - N, deadline + 1, report due + 1).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from engine.core.settings import Settings
from engine.core.statuses import ReportStatus, WarningLevel
from engine.store.models import ProgressReport, RectificationTask
from engine.workflow.step import Step

RED_CODES = frozenset({"deadline_passed", "repeated_yellow"})


class ReportFacts(Protocol):
    """What the rules read of a report (a ProgressReport, or a row of those columns)."""

    period: str
    status: ReportStatus
    overdue: bool
    lagging: bool
    submitted: bool


@dataclass(frozen=True)
class Assessment:
    level: WarningLevel
    reasons: list[dict[str, Any]]


class WarningRules:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def assess(self, task: RectificationTask, reports: Sequence[ReportFacts], today: date) -> Assessment:
        """`reports`: the task's reports, most recent period first."""
        if task.status.is_closed():
            return Assessment(WarningLevel.GREEN, [])
        reasons = [*self._deadline(task, today), *self._reports(reports)]
        if any(reason["code"] in RED_CODES for reason in reasons):
            level = WarningLevel.RED
        else:
            level = WarningLevel.YELLOW if reasons else WarningLevel.GREEN
        return Assessment(level, sorted(reasons, key=lambda r: r["code"] not in RED_CODES))

    def _deadline(self, task: RectificationTask, today: date) -> list[dict[str, Any]]:
        if task.deadline is None or not task.deadline_kind.has_date():
            return []
        if today > task.deadline:
            return [{"code": "deadline_passed", "deadline": task.deadline.isoformat()}]
        if today >= task.deadline - timedelta(days=self.settings.deadline_warning_days):
            return [{"code": "deadline_near", "deadline": task.deadline.isoformat()}]
        return []

    def _reports(self, reports: Sequence[ReportFacts]) -> list[dict[str, Any]]:
        reasons = [{"code": "report_overdue", "period": r.period} for r in reports
                   if r.overdue and not r.submitted and r.status is not ReportStatus.CANCELLED]
        judged = [r for r in reports if r.status is ReportStatus.ACCEPTED]
        if judged and judged[0].lagging:
            reasons.append({"code": "lagging", "period": judged[0].period})
        settled = [r for r in reports if r.status is not ReportStatus.CANCELLED
                   and (r.overdue or r.status is ReportStatus.ACCEPTED)]
        streak = settled[:self.settings.red_after_yellow_periods]
        if len(streak) == self.settings.red_after_yellow_periods and all(r.overdue or r.lagging for r in streak):
            reasons.append({"code": "repeated_yellow", "periods": [r.period for r in reversed(streak)]})
        return reasons


def cooperation_colour(missed: Sequence[bool], settings: Settings) -> WarningLevel:
    """会办: a cooperating unit's colour on a task, from its contributions due so far, newest first (True: missing).

    Yellow when its last contribution is missing, red when the last K were (K = red_after_yellow_periods, the
    rule of the task's own reports); a contribution given since makes it green again.
    """
    streak = list(missed[:settings.red_after_yellow_periods])
    if len(streak) == settings.red_after_yellow_periods and all(streak):
        return WarningLevel.RED
    return WarningLevel.YELLOW if streak and streak[0] else WarningLevel.GREEN


#: how many of a task's reports, the newest, its colour is assessed from
RECENT = 24
#: the facts of a task's recent reports, newest first (built once: every step reads them)
RECENT_REPORTS = (select(ProgressReport.period, ProgressReport.status, ProgressReport.overdue, ProgressReport.lagging,
                         ProgressReport.submitted_at.is_not(None).label("submitted"))
                  .where(ProgressReport.task_id == bindparam("task_id"))
                  .order_by(ProgressReport.period.desc()).limit(RECENT))
_NEWEST_FIRST = (func.row_number().over(partition_by=ProgressReport.task_id, order_by=ProgressReport.period.desc())
                 .label("newness"))
_NUMBERED = select(*RECENT_REPORTS.selected_columns, ProgressReport.task_id, _NEWEST_FIRST).where(
    ProgressReport.task_id.in_(bindparam("task_ids", expanding=True))).subquery()
#: the same of many tasks at once (a sweep's batch), by task and newest first
RECENT_REPORTS_OF_TASKS = (select(_NUMBERED).where(_NUMBERED.c.newness <= RECENT)
                           .order_by(_NUMBERED.c.task_id, _NUMBERED.c.newness))


def recent_reports_of(session: Session, task_ids: Collection[int]) -> dict[int, list[Row[Any]]]:
    """The facts of each task's recent reports, newest first, from one read."""
    by_task: dict[int, list[Row[Any]]] = {task_id: [] for task_id in task_ids}
    for row in session.execute(RECENT_REPORTS_OF_TASKS, {"task_ids": sorted(task_ids)}):
        by_task[row.task_id].append(row)
    return by_task


def reassess(session: Session, rules: WarningRules, task: RectificationTask, today: date,
             reports: Sequence[ReportFacts] | None = None) -> bool:
    """Store the task's colour; True when it changed. `reports`: its recent ones, if read already."""
    if reports is None:
        reports = session.execute(RECENT_REPORTS, {"task_id": task.id}).all()
    assessment = rules.assess(task, reports, today)
    changed = (assessment.level, assessment.reasons) != (task.warning, task.warning_reasons)
    if changed:
        task.warning, task.warning_reasons = assessment.level, assessment.reasons
    return changed


def settle_colours(steps: Sequence[Step]) -> None:
    """The end of a use case: the colour of each task its steps worked on, from one read of their reports."""
    by_task = {step.task.id: step for step in steps if isinstance(step.task, RectificationTask)}
    if not by_task:
        return
    history = recent_reports_of(steps[0].session, by_task.keys())
    for task_id, step in sorted(by_task.items()):
        _reassess_and_record(step, history[task_id])


def _reassess_and_record(step: Step, reports: Sequence[ReportFacts]) -> None:
    task = step.the_task
    before = task.warning
    if reassess(step.session, WarningRules(step.settings), task, step.today, reports):
        reasons = "、".join(describe(reason, step.today) for reason in task.warning_reasons)
        step.audit("task.warning", ("task", task.id), f"预警：{before.label} → {task.warning.label}"
                   + (f"（{reasons}）" if reasons else ""),
                   before={"warning": before.value}, after={"warning": task.warning.value,
                                                            "reasons": task.warning_reasons})


def describe(reason: dict[str, Any], today: date) -> str:
    """A reason in words (Chinese, for the audit trail; the web UI has its own translatable texts)."""
    code = reason["code"]
    if code == "deadline_passed":
        return f"已超整改时限 {(today - date.fromisoformat(reason['deadline'])).days} 天"
    if code == "deadline_near":
        return f"距整改时限还有 {(date.fromisoformat(reason['deadline']) - today).days} 天"
    if code == "report_overdue":
        return f"{reason['period']} 月度进展逾期未报"
    if code == "lagging":
        return f"{reason['period']} 月度进展滞后"
    return f"连续 {len(reason['periods'])} 期预警（{'、'.join(reason['periods'])}）"
