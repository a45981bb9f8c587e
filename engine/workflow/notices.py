"""Reminders shown in the inbox of a role (within one unit, for unit roles)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from engine.store.database import Session
from engine.store.models import Notice
from engine.workflow.step import Step

#: a notice stays in the inbox this long
NOTICE_DAYS = 14


def notify(step: Step, role: str, kind: str, text: str, unit_id: int | None = None) -> None:
    post_notice(step.session, step.now, step.task.id if step.task is not None else None, (role,), kind, text, unit_id)


def post_notice(session: Session, now: datetime, task_id: int | None, roles: Sequence[str], kind: str, text: str,
                unit_id: int | None = None) -> None:
    """Post a notice to each of the roles (of the unit, for unit roles)."""
    session.add_all(Notice(created_at=now, task_id=task_id, role=role, unit_id=unit_id, kind=kind, text=text,
                           expires_at=now + timedelta(days=NOTICE_DAYS)) for role in roles)
