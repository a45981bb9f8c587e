"""Named actions of the sign-off steps in workflows/rectification.bpmn (duban:action)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.core.statuses import SignoffStatus
from engine.core.text import chinese_date
from engine.store.models import Objection, SignoffApplication, SignoffNotice
from engine.workflow.registry import Action
from engine.workflow.step import Step


def close_notice(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """公示期满: no more objections; each one filed must now be answered before sign-off goes on."""
    notice = step.session.scalar(select(SignoffNotice).where(SignoffNotice.task_id == step.the_task.id)
                                 .order_by(SignoffNotice.id.desc()).limit(1))
    if notice is None:
        raise LookupError(f"task {step.the_task.id} has no sign-off notice to close")
    notice.closed_at = step.now
    objections = step.session.scalar(select(func.count(Objection.id)).where(Objection.notice_id == notice.id)) or 0
    step.audit("signoff.notice_closed", ("notice", notice.id),
               f"公示期满（{chinese_date(notice.start_date)}至{chinese_date(notice.end_date)}），"
               f"收到异议 {objections} 件")
    if objections == 0:
        step.session.get_one(SignoffApplication, notice.signoff_id).status = SignoffStatus.NOTICE_DONE
    return {"objections": objections}


ACTIONS: dict[str, Action] = {"close_notice": close_notice}
