"""The measures' figures of a month, for the monthly bulletin: the reports due in it and what became of them, the
reviews made in it, and the colours now."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.settings import Settings
from engine.core.statuses import MeasureRating, MeasureReportStatus, MeasureStatus
from engine.features.accounts.access import Access
from engine.features.measures.periods import period_label
from engine.features.measures.queries import figures
from engine.store.models import AuditEvent, Measure, MeasureReport, MeasureReview


@dataclass(frozen=True)
class MeasureMonth:
    total: int
    categories: int
    active: int
    #: the periods whose reports fell due in the month (2026年第一季度)
    periods: list[str]
    due: int
    on_time: int
    overdue: int
    accepted: int
    returned: int
    reviews: dict[MeasureRating, int] = field(default_factory=dict)
    colours: dict[str, int] = field(default_factory=dict)

    def sentence(self) -> str:
        """The bulletin's paragraph, as the office writes it."""
        text = f"全市{self.categories}大类{self.total}条强化措施，推进中{self.active}条。"
        if self.due:
            text += (f"本月应报送{'、'.join(self.periods)}工作报告{self.due}份，按期报送{self.on_time}份，"
                     f"逾期未报{self.overdue}份；")
        else:
            text += "本月无到期的工作报告；"
        text += f"审核通过{self.accepted}份，退回重报{self.returned}份。"
        if self.reviews:
            ratings = "、".join(f"{rating.label}{count}条" for rating, count in self.reviews.items())
            text += f"完成年度评估{ratings}。"
        return text + (f"当前预警：绿{self.colours.get('green', 0)}条、黄{self.colours.get('yellow', 0)}条、"
                       f"红{self.colours.get('red', 0)}条。")


def month_figures(session: Session, access: Access, start: datetime, end: datetime, now: datetime,
                  settings: Settings) -> MeasureMonth | None:
    """The month [start, end) of the measures (None when the city has none)."""
    total = session.scalar(select(func.count(Measure.id))) or 0
    if not total:
        return None
    first, last = start.astimezone(LOCAL_TZ).date(), end.astimezone(LOCAL_TZ).date()
    due = list(session.scalars(select(MeasureReport).where(
        MeasureReport.due_date >= first, MeasureReport.due_date < last,
        MeasureReport.status != MeasureReportStatus.CANCELLED).order_by(MeasureReport.period)))
    on_time = [r for r in due if r.submitted_at is not None and _day(r.submitted_at) <= r.due_date]
    overdue = [r for r in due if r.due_date < now.astimezone(LOCAL_TZ).date()
               and (r.submitted_at is None or _day(r.submitted_at) > r.due_date)]
    reviews = Counter(session.scalars(select(MeasureReview.rating).where(
        MeasureReview.reviewed_at >= start, MeasureReview.reviewed_at < end)))
    now_figures = figures(session, access, Actor.system(), now.astimezone(LOCAL_TZ).date(), settings)
    return MeasureMonth(
        total=total, categories=session.scalar(select(func.count(func.distinct(Measure.category_number)))) or 0,
        active=session.scalar(select(func.count(Measure.id)).where(Measure.status == MeasureStatus.ACTIVE)) or 0,
        periods=list(dict.fromkeys(period_label(r.period) for r in due)), due=len(due), on_time=len(on_time),
        overdue=len(overdue), accepted=_events(session, "measure_report.accepted", start, end),
        returned=_events(session, "measure_report.returned", start, end),
        reviews={rating: reviews[rating] for rating in MeasureRating if reviews[rating]},
        colours=now_figures.by_colour)


def _day(when: datetime) -> date:
    return when.astimezone(LOCAL_TZ).date()


def _events(session: Session, action: str, start: datetime, end: datetime) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == action, AuditEvent.at >= start, AuditEvent.at < end)) or 0
