"""The inbox: a person's open work, oldest first (chases on top), and the reminders for their role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.features.accounts.access import Access
from engine.features.chasing.forms import CHASE_FORM
from engine.features.clues.queries import inbox_clues
from engine.store.models import Clue, HumanTask, HumanTaskStatus, Notice, ProcessInstance, RectificationTask

#: an inbox shows this many entries a page, oldest first; a supervisor of a province may have thousands
INBOX_PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxEntry:
    work: HumanTask
    period: str
    overdue: bool
    clue: Clue | None = None  # the problem clue of work that belongs to no task


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    total: int
    page: int
    pages: int


def inbox(session: Session, access: Access, actor: Actor, now: datetime, page: int = 1) -> InboxPage:
    """One page of the person's open work, oldest first."""
    # standing = false, not IS FALSE: PostgreSQL reads only '=' from an index
    queues = [(HumanTask.status == HumanTaskStatus.OPEN, HumanTask.standing == false(), queue)
              for queue in access.work_queues(actor)]
    total = sum(session.scalar(select(func.count(HumanTask.id)).where(*where)) or 0 for where in queues)
    pages = max(1, -(-total // INBOX_PAGE_SIZE))
    page = min(max(1, page), pages)
    chased = _chased_ids(session, queues)
    ids = [work_id for work_id in _page_ids(session, queues, (page - 1) * INBOX_PAGE_SIZE) if work_id not in chased]
    if page == 1:
        ids = chased + ids
    rows = session.execute(select(HumanTask, ProcessInstance.business_key)
                           .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                           .options(joinedload(HumanTask.task).joinedload(RectificationTask.lead_unit))
                           .where(HumanTask.id.in_(ids)).order_by(HumanTask.created_at, HumanTask.id)).all()
    rows.sort(key=lambda row: row[0].id not in chased)  # chases on top (a stable sort keeps the rest in order)
    clues = inbox_clues(session, [work.instance_id for work, _ in rows if work.task_id is None])
    entries = [InboxEntry(work, period, work.due_at is not None and work.due_at < now, clues.get(work.instance_id))
               for work, period in rows]
    return InboxPage(entries, total, page, pages)


def _page_ids(session: Session, queues: list[tuple[ColumnElement[bool], ...]], offset: int) -> list[int]:
    """The ids of one inbox page, merged from the queues in order; each is read from the inbox index alone."""
    order = (HumanTask.created_at, HumanTask.id)
    heads = [row for where in queues for row in session.execute(
        select(*order).where(*where).order_by(*order).limit(offset + INBOX_PAGE_SIZE))]
    return [work_id for _, work_id in sorted(heads)[offset:offset + INBOX_PAGE_SIZE]]


def _chased_ids(session: Session, queues: list[tuple[ColumnElement[bool], ...]]) -> list[int]:
    """The open chases (催办) among the person's work: the inbox shows them on top of its first page. A chase is
    always a unit's: only the unit's queue (the second, after the role's shared work) is read, never the shared
    queue of a city's or a province's office."""
    return [work_id for where in queues[1:] for work_id in session.scalars(
        select(HumanTask.id).where(*where, HumanTask.form == CHASE_FORM).order_by(HumanTask.id))]


def notices(session: Session, actor: Actor, now: datetime, limit: int = 20) -> list[Notice]:
    """Reminders for this person's role (and unit), newest first, until they expire or their work is done (the
    notices of new work are the inbox's own entries)."""
    newest: list[Notice] = []
    for unit in (None, actor.unit_id) if actor.unit_id is not None else (None,):
        query = (select(Notice).where(Notice.role == actor.role, Notice.unit_id.is_(unit) if unit is None
                                      else Notice.unit_id == unit, Notice.expires_at > now,
                                      Notice.resolved_at.is_(None), Notice.work_id.is_(None),
                                      or_(Notice.user_id.is_(None), Notice.user_id == actor.user_id))
                 .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))
        newest.extend(session.scalars(query))
    return sorted(newest, key=lambda notice: (notice.created_at, notice.id), reverse=True)[:limit]
