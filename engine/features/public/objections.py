"""What the public sees of objections: the tracking code a person is given, the answer they look up with it, the
answers published beside the notice, and the 销号 result. Never the name, contact, address or photos of whoever
filed one."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.errors import NotFound
from engine.core.statuses import ObjectionStatus
from engine.core.text import N_
from engine.store.models import Objection, RectificationTask, SignoffNotice

#: no 0/O, 1/I/L: a code people read out on the phone or copy from paper
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


@dataclass(frozen=True)
class PublicObjection:
    """An objection as anyone may read it: what it says and how it was answered."""

    tracking_code: str
    task_id: int
    task_code: str
    task_title: str
    submitted_on: datetime
    content: str
    status: ObjectionStatus
    answer: str
    answered_at: datetime | None


@dataclass(frozen=True)
class ClosingResult:
    """销号结果: when the task was signed off, after which 公示 and how many objections (all answered)."""

    closed_at: datetime
    notice_start: date | None
    notice_end: date | None
    objections: int


def new_tracking_code(session: Session) -> str:
    """Random (nothing to guess from one code the next), grouped for reading: 7K3M-Q9TX-WD."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if session.scalar(select(Objection.id).where(Objection.tracking_code == code)) is None:
            return code


def normal_code(code: str) -> str:
    """What a person typed, as stored: upper case, groups of 4-4-2 whatever separators they used."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())[:CODE_LENGTH]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def objection_by_code(session: Session, code: str) -> PublicObjection:
    row = session.execute(select(Objection, RectificationTask).join(RectificationTask)
                          .where(Objection.tracking_code == normal_code(code))).first()
    if row is None:
        raise NotFound(N_("没有找到这个受理编号，请核对后再查"))
    return _public(*row)


def answered_objections(session: Session, task_id: int) -> list[PublicObjection]:
    """The answered objections of a task's notices, published with their answers."""
    rows = session.execute(select(Objection, RectificationTask).join(RectificationTask)
                           .where(Objection.task_id == task_id, Objection.status != ObjectionStatus.PENDING)
                           .order_by(Objection.submitted_at))
    return [_public(objection, task) for objection, task in rows]


def closing_result(session: Session, task: RectificationTask) -> ClosingResult | None:
    if not task.status.is_closed() or task.closed_at is None:
        return None
    notice = session.scalar(select(SignoffNotice).where(SignoffNotice.task_id == task.id)
                            .order_by(SignoffNotice.id.desc()).limit(1))
    count = 0 if notice is None else session.scalar(
        select(func.count(Objection.id)).where(Objection.notice_id == notice.id)) or 0
    return ClosingResult(task.closed_at, notice.start_date if notice else None, notice.end_date if notice else None,
                         count)


def _public(objection: Objection, task: RectificationTask) -> PublicObjection:
    return PublicObjection(objection.tracking_code or "", task.id, task.code, task.title, objection.submitted_at,
                           objection.content, objection.status, objection.answer, objection.answered_at)
