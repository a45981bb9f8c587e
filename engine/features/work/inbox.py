"""The inbox: a person's open work, oldest first (chases on top) or as they sort and filter it, and the reminders
for their role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from engine.core.actor import Actor
from engine.core.statuses import WarningLevel
from engine.features.accounts.access import WORK_QUEUES, Access
from engine.features.cases.queries import of_instances as inbox_cases
from engine.features.chasing.forms import CHASE_FORM
from engine.features.clues.queries import inbox_clues
from engine.features.escalation.queries import case_escalations_of
from engine.features.measures.queries import inbox_measures
from engine.store.models import (
    Clue,
    ComplaintCase,
    Escalation,
    HumanTask,
    Measure,
    Notice,
    ProcessInstance,
    RectificationTask,
)

#: an inbox shows this many entries a page, oldest first; a supervisor of a province may have thousands
INBOX_PAGE_SIZE = 50
#: how an inbox may be sorted: by arrival, oldest or newest first, or by due date, the most urgent first
INBOX_SORTS = ("arrived", "newest", "due")
#: "due soon" in an inbox filter: due within this many days
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class InboxFilters:
    """What a person narrows their inbox to: a kind of step (its form), a unit, a colour, overdue or due soon."""

    kind: str = ""
    unit_id: int | None = None
    warning: WarningLevel | None = None
    due: str = ""  # overdue | soon
    sort: str = "arrived"

    def narrowed(self) -> bool:
        return bool(self.kind or self.unit_id or self.warning or self.due) or self.sort != "arrived"


@dataclass(frozen=True)
class InboxEntry:
    work: HumanTask
    period: str
    overdue: bool
    clue: Clue | None = None  # the problem clue of work that belongs to no task
    measure: Measure | None = None  # the strengthening measure of work that belongs to no task
    case: ComplaintCase | None = None  # the complaint case of work that belongs to no task
    escalation: Escalation | None = None  # the complaint case's escalation of work that belongs to no task


@dataclass(frozen=True)
class InboxKind:
    """One kind of step in the person's inbox and how many of it wait."""

    form: str
    name: str
    count: int


@dataclass(frozen=True)
class InboxPage:
    entries: list[InboxEntry]
    total: int
    page: int
    pages: int
    kinds: list[InboxKind]


@dataclass(frozen=True)
class InboxView:
    """All an inbox page shows, read in one transaction: the page of work, the reminders and which of them the
    person has read, the menu's unread count and the units the filter offers."""

    page: InboxPage
    notices: list[Notice]
    read_notices: set[int]
    unread_notices: int
    units: list[tuple[int, str]]


# Each statement is built once, over WORK_QUEUES; a request binds the person (Access.work_person) and its values.
_ORDER = (HumanTask.created_at, HumanTask.id)
_KINDS = {name: select(HumanTask.form, HumanTask.name, func.count(HumanTask.id)).where(queue)
          .group_by(HumanTask.form, HumanTask.name) for name, queue in WORK_QUEUES.items()}
_HEADS = {name: select(*_ORDER).where(queue).order_by(*_ORDER).limit(bindparam("limit"))
          for name, queue in WORK_QUEUES.items()}
#: a chase is always a unit's: only the unit's queue is read, never the shared queue of a city's or a province's office
_CHASED = select(HumanTask.id).where(WORK_QUEUES["unit"], HumanTask.form == CHASE_FORM).order_by(HumanTask.id)
_ENTRIES = (select(HumanTask, ProcessInstance.process_id, ProcessInstance.business_key)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .options(joinedload(HumanTask.task).joinedload(RectificationTask.lead_unit),
                     joinedload(HumanTask.returned_by))
            .where(HumanTask.id.in_(bindparam("ids", expanding=True))))
_NOTICES_OF_ROLE = and_(Notice.role == bindparam("role"), Notice.expires_at > bindparam("now"),
                        Notice.resolved_at.is_(None), Notice.work_id.is_(None),
                        or_(Notice.user_id.is_(None), Notice.user_id == bindparam("user_id")))
_NOTICES = {unit: select(Notice).where(_NOTICES_OF_ROLE, Notice.unit_id.is_(None) if unit == "shared"
                                       else Notice.unit_id == bindparam("unit_id"))
            .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(bindparam("limit"))
            for unit in ("shared", "unit")}


def inbox(session: Session, access: Access, actor: Actor, now: datetime, page: int = 1,
          filters: InboxFilters | None = None) -> InboxPage:
    """One page of the person's open work, oldest first unless sorted otherwise, narrowed by the filters."""
    filters = filters or InboxFilters()
    queues, person = access.work_queues(actor), access.work_person(actor)
    kinds = _kinds(session, queues, person)
    if filters.narrowed():
        total, page, pages, ids = _narrowed_ids(session, queues, person, filters, now, page)
    else:
        total = sum(kind.count for kind in kinds)
        pages = _pages(total)
        page = min(max(1, page), pages)
        chased = list(session.scalars(_CHASED, person)) if any(kind.form == CHASE_FORM for kind in kinds) else []
        ids = [work_id for work_id in _page_ids(session, queues, person, (page - 1) * INBOX_PAGE_SIZE)
               if work_id not in chased]
        if page == 1:  # chases on top
            ids = chased + ids
    order = {work_id: position for position, work_id in enumerate(ids)}
    rows = sorted(session.execute(_ENTRIES, {"ids": ids}).all(), key=lambda row: order[row[0].id])
    taskless = {work.instance_id: (process_id, key) for work, process_id, key in rows if work.task_id is None}
    clues, measures = inbox_clues(session, taskless), inbox_measures(session, taskless)
    cases, escalations = inbox_cases(session, taskless), case_escalations_of(session, taskless)
    entries = [InboxEntry(work, period, work.due_at is not None and work.due_at < now, clues.get(work.instance_id),
                          measures.get(work.instance_id), cases.get(work.instance_id),
                          escalations.get(work.instance_id)) for work, _, period in rows]
    return InboxPage(entries, total, page, pages, kinds)


def _pages(total: int) -> int:
    return max(1, -(-total // INBOX_PAGE_SIZE))


def _page_ids(session: Session, queues: list[str], person: dict[str, object], offset: int) -> list[int]:
    """The ids of one inbox page, merged from the queues in order; each is read from the inbox index alone."""
    heads = [row for queue in queues
             for row in session.execute(_HEADS[queue], {**person, "limit": offset + INBOX_PAGE_SIZE})]
    return [work_id for _, work_id in sorted(heads)[offset:offset + INBOX_PAGE_SIZE]]


def _narrowed_ids(session: Session, queues: list[str], person: dict[str, object], filters: InboxFilters,
                  now: datetime, page: int) -> tuple[int, int, int, list[int]]:
    """The total, the page, the pages and the ids of one page of the filtered, sorted inbox."""
    query = _narrowed(select(HumanTask.id), queues, filters, now)
    total = session.scalar(select(func.count()).select_from(query.subquery()), person) or 0
    pages = _pages(total)
    page = min(max(1, page), pages)
    ordering = {"arrived": _ORDER,
                "newest": (HumanTask.created_at.desc(), HumanTask.id.desc()),
                "due": (HumanTask.due_at.is_(None), HumanTask.due_at, *_ORDER)}
    ids = list(session.scalars(query.order_by(*ordering.get(filters.sort, ordering["arrived"]))
                               .offset((page - 1) * INBOX_PAGE_SIZE).limit(INBOX_PAGE_SIZE), person))
    return total, page, pages, ids


def _narrowed(query: Select[tuple[int]], queues: list[str], filters: InboxFilters,
              now: datetime) -> Select[tuple[int]]:
    query = query.outerjoin(RectificationTask, RectificationTask.id == HumanTask.task_id).where(
        or_(*(WORK_QUEUES[queue] for queue in queues)))
    if filters.kind:
        query = query.where(HumanTask.form == filters.kind)
    if filters.unit_id:
        query = query.where(or_(HumanTask.unit_id == filters.unit_id,
                                RectificationTask.lead_unit_id == filters.unit_id))
    if filters.warning is not None:
        query = query.where(RectificationTask.warning == filters.warning)
    if filters.due == "overdue":
        query = query.where(HumanTask.due_at < now)
    elif filters.due == "soon":
        query = query.where(HumanTask.due_at >= now, HumanTask.due_at < now + timedelta(days=DUE_SOON_DAYS))
    return query


def _kinds(session: Session, queues: list[str], person: dict[str, object]) -> list[InboxKind]:
    """The kinds of step waiting in the person's inbox, with their counts (the filter's choices)."""
    counted: dict[tuple[str, str], int] = {}
    for queue in queues:
        for form, name, count in session.execute(_KINDS[queue], person):
            counted[(form, name)] = counted.get((form, name), 0) + count
    return [InboxKind(form, name, count) for (form, name), count in sorted(counted.items())]


def notices(session: Session, actor: Actor, now: datetime, limit: int = 20) -> list[Notice]:
    """Reminders for this person's role (and unit), newest first, until they expire or their work is done (the
    notices of new work are the inbox's own entries)."""
    values = {"role": actor.role, "user_id": actor.user_id, "unit_id": actor.unit_id, "now": now, "limit": limit}
    newest = [notice for unit in (("shared", "unit") if actor.unit_id is not None else ("shared",))
              for notice in session.scalars(_NOTICES[unit], values)]
    return sorted(newest, key=lambda notice: (notice.created_at, notice.id), reverse=True)[:limit]
