"""公开: what the public pages show, and objections filed by anyone during a sign-off notice.

Only fields meant for the public leave this module: the task's code, title, category, lead unit,
lead leader, deadline and status (never the internal warning colour or its reasons); progress
summaries the publicity group approved; the sign-off notices, the answered objections and the
销号 result. Never internal comments, evidence, or names of officials below the lead leader.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, NotFound, RateLimited
from engine.core.fields import Field, clean
from engine.core.settings import Settings
from engine.core.statuses import ObjectionStatus, ReportStatus, TaskStatus
from engine.core.text import N_, chinese_date
from engine.features.notifications.notices import post_notice
from engine.features.public.objections import (
    ClosingResult,
    PublicObjection,
    answered_objections,
    closing_result,
    new_tracking_code,
)
from engine.features.rectification.queries import PAGE_SIZE, TASK_DISPLAY, load_task
from engine.store.attachments import attach
from engine.store.audit import record
from engine.store.files import PHOTO_TYPES, CheckedFile, FileWriter, Limits
from engine.store.models import Objection, ProgressReport, PublicSummary, RectificationTask, SignoffNotice

OBJECTION_FIELDS = (
    Field("content", min_length=10, max_length=2000, label=N_("异议内容"),
          help=N_("请说明该问题哪些方面没有整改到位，最好附上时间、地点")),
    Field("name", "line", required=False, max_length=50, label=N_("姓名（可不填）")),
    Field("contact", "line", required=False, max_length=100, label=N_("联系方式（可不填，仅用于核实，不公开）")),
    Field("photos", "files", required=False, label=N_("现场照片（可不传）"),
          help=N_("最多 3 张照片（JPG、PNG、WEBP 或 HEIC），每张不超过 5 MB；不公开，仅供核实")),
)
#: what the public may attach to an objection: a few photos, smaller than officials' files
OBJECTION_PHOTOS = Limits(PHOTO_TYPES, max_bytes=5 * 1024 * 1024, max_count=3)


@dataclass(frozen=True)
class PublicTask:
    id: int
    code: str
    title: str
    category: str
    unit: str
    leader: str
    deadline_kind: str
    deadline: date | None
    status: TaskStatus
    problem: str = ""
    target: str = ""
    measures: str = ""
    closed_at: datetime | None = None
    #: the inspection round whose feedback the task answers (codes repeat across rounds)
    round_id: int | None = None
    #: its name, on the task's own page
    round_name: str = ""

    @classmethod
    def of(cls, task: RectificationTask, full: bool = False) -> PublicTask:
        details = {"problem": task.problem, "target": task.target, "measures": task.measures,
                   "round_name": task.round.name} if full else {}
        return cls(task.id, task.code, task.title, f"{task.category.number}. {task.category.name}",
                   task.lead_unit.name, task.lead_leader.display_name, task.deadline_kind.value, task.deadline,
                   task.status, closed_at=task.closed_at, round_id=task.round_id, **details)


@dataclass(frozen=True)
class PublicNotice:
    id: int
    task_id: int
    task_code: str
    task_title: str
    text: str
    start_date: date
    end_date: date
    open: bool


def public_tasks(session: Session, page: int, status: TaskStatus | None = None,
                 round_id: int | None = None) -> tuple[list[PublicTask], int]:
    """A page of the tasks (of one round, or of every round) and how many pages there are."""
    where = [RectificationTask.status == status] if status else []
    if round_id:
        where.append(RectificationTask.round_id == round_id)
    total = session.scalar(select(func.count(RectificationTask.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    query = (select(RectificationTask).options(*TASK_DISPLAY).where(*where).order_by(RectificationTask.id)
             .offset((min(max(page, 1), pages) - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return [PublicTask.of(task) for task in session.scalars(query)], pages


@dataclass(frozen=True)
class PublicTaskPage:
    task: PublicTask
    summaries: list[PublicSummary]
    notices: list[PublicNotice]
    objections: list[PublicObjection]
    result: ClosingResult | None


def public_task(session: Session, task_id: int) -> PublicTaskPage:
    task = load_task(session, task_id)
    if task is None:
        raise NotFound(N_("没有找到这项整改任务"))
    summaries = list(session.scalars(select(PublicSummary).where(PublicSummary.task_id == task_id)
                                     .order_by(PublicSummary.period.desc())))
    notices = session.scalars(select(SignoffNotice).where(SignoffNotice.task_id == task_id)
                              .order_by(SignoffNotice.id.desc()))
    return PublicTaskPage(PublicTask.of(task, full=True), summaries, [_public_notice(n, task) for n in notices],
                          answered_objections(session, task_id), closing_result(session, task))


def open_notices(session: Session, today: date, round_id: int | None = None) -> list[PublicNotice]:
    query = (select(SignoffNotice, RectificationTask).join(RectificationTask)
             .where(SignoffNotice.closed_at.is_(None), SignoffNotice.start_date <= today,
                    SignoffNotice.end_date >= today, RectificationTask.status != TaskStatus.CLOSED)
             .order_by(SignoffNotice.end_date))
    if round_id:
        query = query.where(RectificationTask.round_id == round_id)
    return [_public_notice(notice, task, today) for notice, task in session.execute(query)]


def notice_for_objection(session: Session, notice_id: int, today: date) -> PublicNotice:
    row = session.execute(select(SignoffNotice, RectificationTask).join(RectificationTask)
                          .where(SignoffNotice.id == notice_id)).first()
    if row is None:
        raise NotFound(N_("没有找到这份公示"))
    return _public_notice(row[0], row[1], today)


def _public_notice(notice: SignoffNotice, task: RectificationTask, today: date | None = None) -> PublicNotice:
    is_open = not task.status.is_closed() and (notice.accepts_objections(today) if today else notice.closed_at is None)
    return PublicNotice(notice.id, task.id, task.code, task.title, notice.text, notice.start_date, notice.end_date,
                        is_open)


def file_objection(session: Session, notice_id: int, data: dict[str, Any], actor: Actor, now: datetime,
                   today: date, settings: Settings, photos: Sequence[CheckedFile], writer: FileWriter) -> Objection:
    """Anyone may object while a notice is up, with a few photos; one address may file only so many an hour.
    The person is given a tracking code to look the answer up with."""
    cleaned = clean(OBJECTION_FIELDS, data)
    notice = session.get(SignoffNotice, notice_id, with_for_update=True)
    if notice is None:
        raise NotFound(N_("没有找到这份公示"))
    task = session.get_one(RectificationTask, notice.task_id)
    if not notice.accepts_objections(today) or task.status.is_closed():
        raise InvalidSubmission({"content": [N_("公示期为 %(start)s 至 %(end)s，现在不在公示期内",
                                                 start=chinese_date(notice.start_date),
                                                 end=chinese_date(notice.end_date))]})
    recent = session.scalar(select(func.count(Objection.id)).where(
        Objection.client_addr == actor.client_addr, Objection.submitted_at > now - timedelta(hours=1))) or 0
    if recent >= settings.objections_per_hour:
        raise RateLimited(N_("您提交得太频繁了，请一小时后再试"))
    objection = Objection(notice_id=notice.id, task_id=notice.task_id, submitted_at=now, name=cleaned["name"] or "",
                          contact=cleaned["contact"] or "", content=cleaned["content"],
                          client_addr=actor.client_addr, status=ObjectionStatus.PENDING,
                          tracking_code=new_tracking_code(session))
    session.add(objection)
    session.flush()
    record(session, actor, now, "objection.filed", ("objection", objection.id), "收到公示异议", task_id=notice.task_id)
    attach(session, writer, photos, actor, now, task_id=notice.task_id, form="objection", objection_id=objection.id)
    post_notice(session, settings, now, notice.task_id, ("supervisor",), "objection_filed",
                N_("销号公示收到异议（公示期至 %(end)s），公示期满后须逐件答复", end=notice.end_date))
    return objection


def reports_to_publish(session: Session) -> list[ProgressReport]:
    """Accepted monthly reports whose public summary the publicity group has not written yet."""
    published = select(PublicSummary.report_id)
    return list(session.scalars(select(ProgressReport).options(joinedload(ProgressReport.task))
                                .where(ProgressReport.status == ReportStatus.ACCEPTED,
                                       ProgressReport.id.not_in(published))
                                .order_by(ProgressReport.period.desc(), ProgressReport.task_id).limit(200)))


def publish_summary(session: Session, actor: Actor, now: datetime, report_id: int, text: str) -> PublicSummary:
    report = session.get(ProgressReport, report_id)
    if report is None or report.status is not ReportStatus.ACCEPTED:
        raise NotFound(N_("没有找到这份已审核通过的月度进展"))
    cleaned = clean((Field("text"),), {"text": text})
    if session.scalar(select(PublicSummary.id).where(PublicSummary.report_id == report_id)):
        raise InvalidSubmission({"text": [N_("这份进展已经公开过了")]})
    summary = PublicSummary(task_id=report.task_id, report_id=report.id, period=report.period, text=cleaned["text"],
                            published_by_id=actor.user_id, published_at=now)
    session.add(summary)
    session.flush()
    record(session, actor, now, "progress.published", ("public_summary", summary.id),
           f"公开 {report.period} 进展摘要", task_id=report.task_id)
    return summary

