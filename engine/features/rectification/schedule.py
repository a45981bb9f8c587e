"""The dates workflows/rectification.bpmn reckons with: the functions its timers and due dates call."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.core.clock import Clock, local_today
from engine.core.periods import next_period, parse_period, report_due_date
from engine.core.settings import Settings
from engine.core.workdays import add_working_days
from engine.workflow.expressions import add_days


def expression_functions(clock: Clock, settings: Settings) -> dict[str, Callable[..., Any]]:
    def report_due(period: str) -> str:
        return report_due_date(period, settings.report_day).isoformat()

    def reminder_day(due: str) -> str:
        """The day the unit is reminded of a report due on `due` that is not in yet."""
        return add_days(due, -settings.reminder_days)

    def deadline_warning_day(deadline: str) -> str:
        return add_days(deadline, -settings.deadline_warning_days)

    def review_due() -> str:
        """Today plus the review allowance, in working days (statutory calendar)."""
        return add_working_days(local_today(clock), settings.review_working_days).isoformat()

    return {"report_due": report_due, "reminder_day": reminder_day, "deadline_warning_day": deadline_warning_day,
            "review_due": review_due, "next_period_start": next_period_start}


def next_period_start(period: str) -> str:
    return parse_period(next_period(period)).isoformat()
