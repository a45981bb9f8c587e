"""Reminders shown in the inbox of a role (within one unit, for unit roles)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.store.database import write_behind
from engine.store.models import Notice
from engine.workflow.step import Step

#: a notice stays in the inbox this long
NOTICE_DAYS = 14


#: built once: the sweep posts notices for most of the timers it fires
NEW_NOTICES = Notice.__table__.insert().inline()  # no RETURNING of the id: nothing reads it


def notify(step: Step, role: str, kind: str, text: str, unit_id: int | None = None) -> None:
    post_notice(step.session, step.now, step.task.id if step.task else None, (role,), kind, text, unit_id)


def post_notice(session: Session, now: datetime, task_id: int | None, roles: Sequence[str], kind: str, text: str,
                unit_id: int | None = None) -> None:
    """Post a notice to each of the roles (written at once, not kept as objects to flush)."""
    rows = [{"created_at": now, "task_id": task_id, "role": role, "unit_id": unit_id, "kind": kind, "text": text,
             "expires_at": now + timedelta(days=NOTICE_DAYS)} for role in roles]
    session.connection().execute(NEW_NOTICES, rows, execution_options=write_behind())


def notify_unit(step: Step, kind: str, text: str) -> None:
    """Both the officer and the head of the task's lead unit."""
    post_notice(step.session, step.now, step.the_task.id, ("unit_staff", "unit_head"), kind, text,
                step.the_task.lead_unit_id)
