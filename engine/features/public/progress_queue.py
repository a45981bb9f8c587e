"""宣传报道组's queue of accepted monthly reports waiting for a public summary: a page at a time, by unit and month."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from engine.core.statuses import ReportStatus
from engine.store.models import ProgressReport, PublicSummary, RectificationTask

#: summaries are written one by one: a page holds this many reports
QUEUE_PAGE_SIZE = 10


@dataclass(frozen=True)
class QueueFilters:
    unit_id: int | None = None
    period: str = ""  # YYYY-MM
    page: int = 1


@dataclass(frozen=True)
class PublishQueue:
    reports: list[ProgressReport]
    total: int
    page: int
    pages: int
    periods: list[str]  # the months with reports waiting (the filter's choices)


def _waiting() -> Select[tuple[ProgressReport]]:
    published = select(PublicSummary.report_id)
    return select(ProgressReport).where(ProgressReport.status == ReportStatus.ACCEPTED,
                                        ProgressReport.id.not_in(published))


def count_to_publish(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(_waiting().subquery())) or 0


def publish_queue(session: Session, filters: QueueFilters) -> PublishQueue:
    """Accepted monthly reports whose public summary is not written yet, newest month first, narrowed as asked."""
    query = _waiting()
    if filters.unit_id:
        query = query.join(RectificationTask, RectificationTask.id == ProgressReport.task_id).where(
            RectificationTask.lead_unit_id == filters.unit_id)
    if filters.period:
        query = query.where(ProgressReport.period == filters.period)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    shown = joinedload(ProgressReport.task).joinedload(RectificationTask.lead_unit)
    reports = list(session.scalars(query.options(shown).order_by(ProgressReport.period.desc(), ProgressReport.task_id)
                                   .offset((page - 1) * QUEUE_PAGE_SIZE).limit(QUEUE_PAGE_SIZE)))
    periods = list(session.scalars(_waiting().with_only_columns(ProgressReport.period).distinct()
                                   .order_by(ProgressReport.period.desc())))
    return PublishQueue(reports, total, page, pages, periods)
