"""The audit trail as people read it: filtered pages, an export, a task's history."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from engine.core.clock import local_midnight
from engine.core.text import like_escaped
from engine.store.models import AuditEvent, Unit

AUDIT_PAGE_SIZE = 50
#: the families of actions an administrator filters by (the part before the first dot)
ACTION_FAMILIES = ("login", "logout", "user", "access", "task", "work", "plan", "report", "signoff", "process",
                   "unit", "category", "system")


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""        # a family ("login") or a full action ("login.failure")
    actor: str = ""         # username or name, part of it
    task_id: int | None = None
    object: str = ""        # "user:12" or "user"
    since: date | None = None
    until: date | None = None  # inclusive, local calendar days
    q: str = ""             # words in the summary
    client_addr: str = ""
    page: int = 1

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.action:
            family = AuditEvent.action.like(f"{like_escaped(self.action)}.%", escape="\\")
            conditions.append(or_(AuditEvent.action == self.action, family))
        if self.actor.strip():
            pattern = f"%{like_escaped(self.actor.strip())}%"
            conditions.append(or_(AuditEvent.actor_username.ilike(pattern, escape="\\"),
                                  AuditEvent.actor_name.ilike(pattern, escape="\\")))
        if self.task_id:
            conditions.append(AuditEvent.task_id == self.task_id)
        if self.object.strip():
            kind, _, ident = self.object.strip().partition(":")
            conditions.append(AuditEvent.object_type == kind)
            if ident:
                conditions.append(AuditEvent.object_id == ident)
        conditions.extend(self._time_window())
        if self.q.strip():
            conditions.append(AuditEvent.summary.ilike(f"%{like_escaped(self.q.strip())}%", escape="\\"))
        if self.client_addr.strip():
            conditions.append(AuditEvent.client_addr.like(f"{like_escaped(self.client_addr.strip())}%", escape="\\"))
        return conditions

    def _time_window(self) -> list[ColumnElement[bool]]:
        window: list[ColumnElement[bool]] = []
        if self.since:
            window.append(AuditEvent.at >= local_midnight(self.since))
        if self.until:
            window.append(AuditEvent.at < local_midnight(self.until + timedelta(days=1)))
        return window



@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    people: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)


def audit_page(session: Session, filters: AuditFilters, page_size: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """The newest events first, filtered."""
    where = filters.conditions()
    total = session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    events = list(session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.seq.desc())
                                  .offset((page - 1) * page_size).limit(page_size)))
    units = dict(session.execute(select(Unit.id, Unit.name)).all())
    return AuditPage(events, total, page, pages, units=units)  # type: ignore[arg-type]


def all_events(session: Session, filters: AuditFilters) -> Iterator[AuditEvent]:
    """Every matching event, oldest first (for export)."""
    query = select(AuditEvent).where(*filters.conditions()).order_by(AuditEvent.seq)
    yield from session.scalars(query.execution_options(yield_per=1000))


def task_history(session: Session, task_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(AuditEvent.at, AuditEvent.seq)
    return list(session.scalars(query))
