"""The notification centre: a person's notices, newest first, read or not, and resolved once their work is done."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, select

from engine.core.actor import Actor
from engine.core.errors import NotFound
from engine.store.database import Session
from engine.store.models import Notice, NoticeRead, RectificationTask

#: notices a page of the centre shows
CENTRE_PAGE_SIZE = 30


@dataclass(frozen=True)
class CentreEntry:
    notice: Notice
    task_code: str | None
    read: bool

    @property
    def resolved(self) -> bool:
        return self.notice.is_resolved()


@dataclass(frozen=True)
class CentrePage:
    entries: list[CentreEntry]
    unread: int
    page: int
    pages: int


def _for_person(of_a_unit: bool) -> ColumnElement[bool]:
    units = or_(Notice.unit_id.is_(None), Notice.unit_id == bindparam("unit_id")) if of_a_unit \
        else Notice.unit_id.is_(None)
    return and_(Notice.role == bindparam("role"), units,
                or_(Notice.user_id.is_(None), Notice.user_id == bindparam("user_id")))


#: The notices a person sees: their role's (of their unit, for unit roles), and their own. Built once, for a person
#: with a unit and without; a query binds the person (`person`).
_FOR_PERSON = {True: _for_person(True), False: _for_person(False)}
_IS_READ = exists().where(NoticeRead.notice_id == Notice.id, NoticeRead.user_id == bindparam("user_id"))
#: not read, its work not done, not older than a notice stays in the inbox
_UNREAD_COUNT = {unit: select(func.count(Notice.id)).where(
    where, Notice.resolved_at.is_(None), Notice.expires_at > bindparam("now"), ~_IS_READ)
    for unit, where in _FOR_PERSON.items()}
_READ_AMONG = select(NoticeRead.notice_id).where(NoticeRead.user_id == bindparam("user_id"),
                                                 NoticeRead.notice_id.in_(bindparam("ids", expanding=True)))


def for_person(actor: Actor) -> ColumnElement[bool]:
    return _FOR_PERSON[actor.unit_id is not None]


def person(actor: Actor) -> dict[str, object]:
    """The values for_person binds."""
    return {"role": actor.role, "unit_id": actor.unit_id, "user_id": actor.user_id}


def centre_page(session: Session, actor: Actor, now: datetime, page: int = 1) -> CentrePage:
    total = session.scalar(select(func.count(Notice.id)).where(for_person(actor)), person(actor)) or 0
    pages = max(1, -(-total // CENTRE_PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.execute(select(Notice, RectificationTask.code, _IS_READ)
                           .outerjoin(RectificationTask, RectificationTask.id == Notice.task_id)
                           .where(for_person(actor)).order_by(Notice.created_at.desc(), Notice.id.desc())
                           .offset((page - 1) * CENTRE_PAGE_SIZE).limit(CENTRE_PAGE_SIZE), person(actor))
    entries = [CentreEntry(notice, code, bool(read)) for notice, code, read in rows]
    return CentrePage(entries, unread_count(session, actor, now), page, pages)


def unread_count(session: Session, actor: Actor, now: datetime) -> int:
    if actor.user_id is None:
        return 0
    return session.scalar(_UNREAD_COUNT[actor.unit_id is not None], {**person(actor), "now": now}) or 0


def mark_read(session: Session, actor: Actor, notice_id: int, now: datetime) -> Notice:
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, for_person(actor)), person(actor))
    if notice is None:
        raise NotFound("没有这条通知")
    if session.get(NoticeRead, (actor.user_id, notice_id)) is None:
        session.add(NoticeRead(user_id=actor.user_id, notice_id=notice_id, read_at=now))
    return notice


def read_among(session: Session, actor: Actor, notice_ids: list[int]) -> set[int]:
    """Which of these notices the person has read."""
    if not notice_ids or actor.user_id is None:
        return set()
    return set(session.scalars(_READ_AMONG, {"user_id": actor.user_id, "ids": notice_ids}))


def mark_all_read(session: Session, actor: Actor, now: datetime) -> int:
    ids = list(session.scalars(select(Notice.id).where(for_person(actor), ~_IS_READ), person(actor)))
    session.add_all(NoticeRead(user_id=actor.user_id, notice_id=notice_id, read_at=now) for notice_id in ids)
    return len(ids)
