"""What the pages read of complaint cases: the batches, the register with its filters and colours, one case."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.core.settings import Settings
from engine.core.statuses import CaseCallback, CaseCategory, CaseFinding, CaseStatus, WarningLevel
from engine.features.accounts.access import Access
from engine.features.cases.actions import CASE_PROCESS, colour, yellow_until
from engine.store.models import (
    Attachment,
    AuditEvent,
    CaseBatch,
    ComplaintCase,
    HumanTask,
    HumanTaskStatus,
    ProcessInstance,
)

PAGE_SIZE = 50
OPEN_STATUSES = tuple(status for status in CaseStatus if status.is_open())


@dataclass(frozen=True)
class CaseFilters:
    batch_id: int | None = None
    unit_id: int | None = None
    category: CaseCategory | None = None
    finding: CaseFinding | None = None
    status: CaseStatus | None = None
    colour: WarningLevel | None = None
    overdue: bool = False
    callback: CaseCallback | None = None
    q: str = ""
    page: int = 1


@dataclass(frozen=True)
class CaseRow:
    case: ComplaintCase
    colour: WarningLevel


@dataclass(frozen=True)
class CaseRegister:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class BatchLine:
    batch: CaseBatch
    cases: int
    open: int
    overdue: int
    accepted: int


@dataclass
class CasePage:
    case: ComplaintCase
    colour: WarningLevel
    open_work: list[HumanTask]
    my_work: list[HumanTask]
    history: list[AuditEvent]
    attachments: list[Attachment]
    repeated: list[ComplaintCase] = field(default_factory=list)


def batches(session: Session, visible: ColumnElement[bool], today: date) -> list[BatchLine]:
    """Every batch, newest first, with how many of its cases the person sees, are open, overdue, accepted."""
    is_open = ComplaintCase.status.in_(OPEN_STATUSES)
    counts = {row[0]: tuple(row[1:]) for row in session.execute(
        select(ComplaintCase.batch_id, func.count(),
               func.count().filter(is_open),
               func.count().filter(and_(is_open, ComplaintCase.report_due < today)),
               func.count().filter(ComplaintCase.status.in_((CaseStatus.ACCEPTED, CaseStatus.PUBLISHED))))
        .where(visible).group_by(ComplaintCase.batch_id))}
    rows = session.scalars(select(CaseBatch).options(joinedload(CaseBatch.round))
                           .order_by(CaseBatch.round_id.desc(), CaseBatch.number.desc()))
    return [BatchLine(batch, *counts[batch.id]) for batch in rows if batch.id in counts]


def register(session: Session, visible: ColumnElement[bool], filters: CaseFilters, today: date,
             settings: Settings) -> CaseRegister:
    query = _filtered(select(ComplaintCase.id).where(visible), filters, today, settings)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    ids = list(session.scalars(query.order_by(ComplaintCase.batch_id.desc(), ComplaintCase.number)
                               .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    cases = {case.id: case for case in session.scalars(
        select(ComplaintCase).options(joinedload(ComplaintCase.unit), joinedload(ComplaintCase.batch))
        .where(ComplaintCase.id.in_(ids)))} if ids else {}
    rows = [CaseRow(cases[i], colour(cases[i], today, settings)) for i in ids]
    return CaseRegister(rows, total, page, pages)


def _filtered(query: Select[tuple[int]], filters: CaseFilters, today: date, settings: Settings) -> Select[tuple[int]]:
    exact = ((filters.batch_id, ComplaintCase.batch_id), (filters.unit_id, ComplaintCase.unit_id),
             (filters.category, ComplaintCase.category), (filters.finding, ComplaintCase.finding),
             (filters.status, ComplaintCase.status), (filters.callback, ComplaintCase.callback))
    for value, column in exact:
        if value is not None:
            query = query.where(column == value)
    if filters.overdue:
        query = query.where(ComplaintCase.status.in_(OPEN_STATUSES), ComplaintCase.report_due < today)
    if filters.colour is not None:
        query = query.where(_colour_is(filters.colour, today, settings))
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(or_(ComplaintCase.number.like(like), ComplaintCase.place.like(like),
                                ComplaintCase.polluter.like(like), ComplaintCase.content.like(like)))
    return query


def _colour_is(level: WarningLevel, today: date, settings: Settings) -> ColumnElement[bool]:
    """The colour rules of actions.colour as a WHERE clause."""
    is_open = ComplaintCase.status.in_(OPEN_STATUSES)
    near = yellow_until(today, settings)
    if level is WarningLevel.RED:
        return and_(is_open, ComplaintCase.report_due < today)
    if level is WarningLevel.YELLOW:
        return and_(is_open, ComplaintCase.report_due >= today, ComplaintCase.report_due <= near)
    return or_(~is_open, ComplaintCase.report_due > near)


def load(session: Session, case_id: int) -> ComplaintCase | None:
    return session.scalar(select(ComplaintCase).options(joinedload(ComplaintCase.unit), joinedload(ComplaintCase.batch))
                          .where(ComplaintCase.id == case_id))


def case_page(session: Session, access: Access, actor: Actor, case: ComplaintCase, today: date,
              settings: Settings) -> CasePage:
    """The case, its colour, its open steps (those the person may do), its record, its evidence, its repeats."""
    instance_id = case.instance_id or 0
    open_work = list(session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.instance_id == instance_id, HumanTask.status == HumanTaskStatus.OPEN).order_by(HumanTask.id)))
    history = list(session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "complaint_case", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.at, AuditEvent.id)))
    instances = select(ProcessInstance.id).where(ProcessInstance.process_id == CASE_PROCESS,
                                                 ProcessInstance.business_key == case.number)  # reopened: several
    attachments = list(session.scalars(select(Attachment).join(HumanTask, HumanTask.id == Attachment.human_task_id)
                                       .where(HumanTask.instance_id.in_(instances)).order_by(Attachment.id)))
    return CasePage(case, colour(case, today, settings), open_work, [w for w in open_work if access.can_act(actor, w)],
                    history, attachments, repeated(session, case, access.case_filter(actor)))


def repeated(session: Session, case: ComplaintCase, visible: ColumnElement[bool]) -> list[ComplaintCase]:
    """Other complaints about the same place or the same polluter (as compared: folded, no punctuation)."""
    same = [column == key for column, key in ((ComplaintCase.place_key, case.place_key),
                                              (ComplaintCase.polluter_key, case.polluter_key)) if key]
    if not same:
        return []
    return list(session.scalars(select(ComplaintCase).options(joinedload(ComplaintCase.batch))
                                .where(visible, ComplaintCase.id != case.id, or_(*same))
                                .order_by(ComplaintCase.received_on, ComplaintCase.id).limit(50)))


def of_task(session: Session, access: Access, actor: Actor, task_id: int) -> list[ComplaintCase]:
    """The cases that went on as this task (for its page), as far as the person may see them."""
    if not access.roles.allows(actor.role, "case.view"):
        return []
    return list(session.scalars(select(ComplaintCase).where(ComplaintCase.task_id == task_id,
                                                            access.case_filter(actor)).order_by(ComplaintCase.number)))


_CASES_OF_INSTANCES = select(ComplaintCase).where(ComplaintCase.instance_id.in_(bindparam("ids", expanding=True)))


def of_instances(session: Session, instances: Mapping[int, tuple[str, str]]) -> dict[int, ComplaintCase]:
    """The cases of work items that belong to no task (for the inbox), by instance (instances: each one's
    process and business key)."""
    instance_ids = [instance_id for instance_id, (process_id, _) in instances.items() if process_id == CASE_PROCESS]
    if not instance_ids:
        return {}
    return {case.instance_id: case for case in session.scalars(
        _CASES_OF_INSTANCES, {"ids": instance_ids}) if case.instance_id is not None}


def of_instance(session: Session, instance_id: int) -> ComplaintCase | None:
    return session.scalar(select(ComplaintCase).options(joinedload(ComplaintCase.unit), joinedload(ComplaintCase.batch))
                          .where(ComplaintCase.instance_id == instance_id))


def case_of_attachment(session: Session, attachment: Attachment) -> ComplaintCase | None:
    """The case whose step took this file (any of its instances, a reopened case has several), or None."""
    if attachment.human_task_id is None:
        return None
    return session.scalar(select(ComplaintCase).join(ProcessInstance, and_(
        ProcessInstance.process_id == CASE_PROCESS, ProcessInstance.business_key == ComplaintCase.number))
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id).where(HumanTask.id == attachment.human_task_id))
