"""全程留痕: every state change writes an audit event inside the same transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.models import AuditEvent


def record(session: Session, actor: Actor, at: datetime, action: str, obj: tuple[str, object], summary: str,
           *, task_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    """Add one audit event; the caller's transaction commits or discards it with the change."""
    object_type, object_id = obj
    event = AuditEvent(
        at=at, actor_id=actor.user_id, actor_name=actor.display_name, role=actor.role,
        unit_id=actor.unit_id, action=action, object_type=object_type, object_id=str(object_id),
        task_id=task_id, summary=summary, before=before, after=after, client_addr=actor.client_addr,
    )
    session.add(event)
    return event


def task_history(session: Session, task_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.task_id == task_id).order_by(AuditEvent.at, AuditEvent.id)
    return list(session.scalars(query))
