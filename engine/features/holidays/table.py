"""The holiday and make-up-day table: reading it, changing it (audited), importing it from a file, and the years a
deadline or a 公示 reaches that no calendar covers."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.spreadsheet import Column, ImportRejected, Problem, Row
from engine.core.statuses import TaskStatus
from engine.core.text import N_
from engine.core.workdays import uncovered_years
from engine.store.audit import record
from engine.store.models import CalendarDay, RectificationTask, SignoffNotice

COLUMNS = (Column("日期", ("date",)), Column("类型", ("kind", "type")), Column("名称", ("name",), required=False))
#: how a row may say what the day is: True = a make-up working day, False = a holiday
KINDS = {"holiday": False, "放假": False, "休": False, "节假日": False,
         "workday": True, "补班": True, "班": True, "调休上班": True}
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class Entry:
    day: date
    working: bool
    name: str


def all_days(session: Session) -> list[CalendarDay]:
    return list(session.scalars(select(CalendarDay).order_by(CalendarDay.day)))


def table(session: Session) -> dict[date, bool]:
    return {day: working for day, working in session.execute(select(CalendarDay.day, CalendarDay.working))}


def add_day(session: Session, actor: Actor, now: datetime, entry: Entry) -> CalendarDay:
    if session.scalar(select(CalendarDay.id).where(CalendarDay.day == entry.day)):
        raise InvalidSubmission({"day": [N_("%(day)s 已经在表中，请先删除再添加", day=entry.day.isoformat())]})
    row = CalendarDay(day=entry.day, working=entry.working, name=entry.name, created_by_id=actor.user_id,
                      created_at=now)
    session.add(row)
    session.flush()
    record(session, actor, now, "calendar.day_added", ("calendar_day", row.id),
           f"节假日表添加 {_day_text(entry)}", after=_as_dict(entry))
    return row


def delete_day(session: Session, actor: Actor, now: datetime, day_id: int) -> None:
    row = session.get(CalendarDay, day_id)
    if row is None:
        raise NotFound(N_("节假日表中没有这一天"))
    entry = Entry(row.day, row.working, row.name)
    session.execute(delete(CalendarDay).where(CalendarDay.id == day_id))
    record(session, actor, now, "calendar.day_deleted", ("calendar_day", day_id),
           f"节假日表删除 {_day_text(entry)}", before=_as_dict(entry))


def import_days(session: Session, actor: Actor, now: datetime, entries: Sequence[Entry]) -> int:
    """Add every entry; a day already in the table is replaced. Returns how many days were written."""
    days = [entry.day for entry in entries]
    session.execute(delete(CalendarDay).where(CalendarDay.day.in_(days)))
    session.add_all(CalendarDay(day=entry.day, working=entry.working, name=entry.name, created_by_id=actor.user_id,
                                created_at=now) for entry in entries)
    session.flush()
    record(session, actor, now, "calendar.imported", ("calendar_day", ""),
           f"导入节假日表 {len(entries)} 天", after={"days": [_as_dict(entry) for entry in entries]})
    return len(entries)


def read_entries(rows: Sequence[Row]) -> list[Entry]:
    """The rows of an imported file as entries; every bad row is listed and nothing is taken when one is bad."""
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[date, int] = {}
    for row in rows:
        day, kind = parse_day(row.values.get("日期")), KINDS.get(row.text("类型").lower())
        if day is None:
            problems.append(row.problem("日期", f"「{row.text('日期')}」不是日期，请写成 2027-01-01"))
        if kind is None:
            problems.append(row.problem("类型", f"「{row.text('类型')}」应为 holiday（放假）或 workday（补班）"))
        if day is not None and day in seen:
            problems.append(row.problem("日期", f"与第 {seen[day]} 行重复"))
        if day is not None and kind is not None and day not in seen:
            seen[day] = row.number
            entries.append(Entry(day, kind, row.text("名称")[:50]))
    if problems:
        raise ImportRejected(problems)
    if not entries:
        raise ImportRejected([Problem(0, "", "文件中没有任何日期")])
    return entries


def parse_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_PATTERN.match(str(value or "").strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def years_without_calendar(session: Session, today: date) -> list[int]:
    """Years from today on that an open task's deadline or a 公示 reaches, which no calendar covers."""
    deadline = session.scalar(select(func.max(RectificationTask.deadline)).where(
        RectificationTask.status != TaskStatus.CLOSED))
    notice_end = session.scalar(select(func.max(SignoffNotice.end_date)).where(SignoffNotice.closed_at.is_(None)))
    last = max(day for day in (today, deadline, notice_end) if day is not None)
    listed = {day.year for day in table(session)}
    years = uncovered_years(date(year, 1, 1) for year in range(today.year, last.year + 1))
    return [year for year in years if year not in listed]


def _day_text(entry: Entry) -> str:
    kind = "补班" if entry.working else "放假"
    return f"{entry.day.isoformat()} {kind} {entry.name}".strip()


def _as_dict(entry: Entry) -> dict[str, Any]:
    return {"day": entry.day.isoformat(), "working": entry.working, "name": entry.name}
