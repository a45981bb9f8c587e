"""A measure's colour (预警), read from its reports and its last yearly review at a given day.

Green: on time. Yellow: a report due within the reminder days, or late. Red: a report late by more than
`measure_red_after_days`, or the last yearly review found the measure lagging (推进滞后). A closed measure has
no colour. A report sent in and returned is owed again within the reminder days of its return (or by its due
date, if later): a unit that reported on time is not late because its report came back.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from engine.core.clock import LOCAL_TZ
from engine.core.settings import Settings
from engine.core.statuses import MeasureRating, MeasureReportStatus, WarningLevel
from engine.core.text import N_, Text
from engine.features.measures.periods import period_text
from engine.store.models import Measure, MeasureReport, MeasureReview


@dataclass(frozen=True)
class MeasureColour:
    level: WarningLevel
    reason: Text | None = None


GREEN = MeasureColour(WarningLevel.GREEN)


def assess(measure: Measure, reports: Sequence[MeasureReport], last_review: MeasureReview | None, today: date,
           settings: Settings) -> MeasureColour | None:
    if not measure.status.is_active():
        return None
    owed = sorted(((owed_by(r, settings), r) for r in reports if r.status.awaits_unit()), key=lambda o: o[0])
    late = [(today - due).days for due, _ in owed if today > due]
    if late and late[0] > settings.measure_red_after_days:
        return MeasureColour(WarningLevel.RED, N_("红：%(period)s工作报告逾期 %(days)s 天",
                                                  period=period_text(owed[0][1].period), days=late[0]))
    if last_review is not None and last_review.rating is MeasureRating.LAGGING:
        return MeasureColour(WarningLevel.RED, N_("红：%(year)s年度评估为推进滞后", year=last_review.year))
    if late:
        return MeasureColour(WarningLevel.YELLOW, N_("黄：%(period)s工作报告逾期 %(days)s 天",
                                                     period=period_text(owed[0][1].period), days=late[0]))
    soon = [(due, r) for due, r in owed if (due - today).days <= settings.reminder_days]
    if soon:
        return MeasureColour(WarningLevel.YELLOW, N_("黄：%(period)s工作报告 %(due)s 到期",
                                                     period=period_text(soon[0][1].period), due=soon[0][0]))
    return GREEN


def owed_by(report: MeasureReport, settings: Settings) -> date:
    """The day a report the unit owes is due: its due date, or a few days after it was returned."""
    if report.status is MeasureReportStatus.RETURNED and report.reviewed_at is not None:
        returned = report.reviewed_at.astimezone(LOCAL_TZ).date()
        return max(report.due_date, returned + timedelta(days=settings.reminder_days))
    return report.due_date
