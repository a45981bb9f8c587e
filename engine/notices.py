"""Reminders shown in the inbox of a role (within one unit, for unit roles)."""
from __future__ import annotations

from datetime import timedelta

from engine.models import Notice
from engine.step import Step

#: a notice stays in the inbox this long
NOTICE_DAYS = 14


def notify(step: Step, role: str, kind: str, text: str, unit_id: int | None = None) -> Notice:
    notice = Notice(created_at=step.now, task_id=step.task.id if step.task else None, role=role, unit_id=unit_id,
                    kind=kind, text=text, expires_at=step.now + timedelta(days=NOTICE_DAYS))
    step.session.add(notice)
    return notice


def notify_unit(step: Step, kind: str, text: str) -> None:
    """Both the officer and the head of the task's lead unit."""
    for role in ("unit_staff", "unit_head"):
        notify(step, role, kind, text, step.the_task.lead_unit_id)
