"""Reminders to the people of a task's lead unit."""
from __future__ import annotations

from engine.features.notifications.notices import post_notice, resolve_notices
from engine.workflow.step import Step


def notify_unit(step: Step, kind: str, text: str) -> None:
    """Both the officer and the head of the task's lead unit."""
    post_notice(step.session, step.settings, step.now, step.the_task.id, ("unit_staff", "unit_head"), kind, text,
                step.the_task.lead_unit_id, instance_id=step.instance.id if step.instance is not None else None)


def settle_deadline_warnings(step: Step) -> None:
    """The deadline was moved: the warnings that it is near or has passed no longer hold."""
    resolve_notices(step, ("deadline_near", "deadline_passed"))
