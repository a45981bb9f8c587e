"""The steps of workflows/chase.bpmn: the unit replies to the chase; the reply date passing unanswered."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.core.fields import Field, attachments_field
from engine.core.statuses import ChaseStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.notifications.notices import notify
from engine.store.models import Chase, User
from engine.workflow.forms import FormHandler
from engine.workflow.registry import Action
from engine.workflow.step import Step

CHASE_PROCESS = "chase"
CHASE_FORM = "chase_answer"
KEY_PREFIX = "CB-"


def business_key(chase: Chase) -> str:
    return f"{KEY_PREFIX}{chase.id}"


def chased_unit(step: Step) -> int | None:
    """The unit a chase instance's step is for (its business key names the chase), else None."""
    instance = step.instance
    if instance is None or instance.process_id != CHASE_PROCESS:
        return None
    return step.session.scalar(select(Chase.unit_id).where(
        Chase.id == int(instance.business_key.removeprefix(KEY_PREFIX))))


def chase_of(step: Step) -> Chase:
    found = step.session.scalar(select(Chase).where(Chase.instance_id == step.the_instance.id))
    if found is None:
        raise LookupError(f"no chase for instance {step.the_instance.id}")
    return found


def tell_chaser(step: Step, chase: Chase, kind: str, text: str) -> None:
    role = step.session.scalar(select(User.role).where(User.id == chase.chased_by_id))
    if role is not None:
        notify(step, role, kind, text, user_id=chase.chased_by_id)


class ReplyHandler(FormHandler):
    """反馈催办: what the unit has done about the chased step, and when it will be done."""

    name = CHASE_FORM
    fields = (Field("answer", label=N_("反馈情况"), help=N_("催办事项的办理进展和完成时间")), attachments_field())

    def context(self, step: Step) -> dict[str, Any]:
        return {"chase": chase_of(step)}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        chase = chase_of(step)
        chase.status, chase.answer = ChaseStatus.ANSWERED, data["answer"]
        chase.answered_by_id, chase.answered_at = step.actor.user_id, step.now
        step.audit("chase.answered", ("chase", chase.id),
                   f"{chase.unit.name}反馈催办（{chase.step_name}）：{data['answer']}",
                   after={"status": chase.status.value, "late": chase.overdue})
        tell_chaser(step, chase, "chase_answered", N_("%(unit)s 已反馈催办（%(step)s）：%(answer)s",
                                                      unit=chase.unit.name, step=chase.step_name,
                                                      answer=data["answer"]))
        return {}


def mark_chase_unanswered(step: Step, data: dict[str, Any]) -> None:
    """The reply date passed: the chase counts as unanswered in the unit's record; the chaser is told."""
    chase = chase_of(step)
    chase.overdue = True
    step.audit("chase.unanswered", ("chase", chase.id),
               f"{chase.unit.name}逾期未反馈催办（{chase.step_name}，时限 {chinese_date(chase.reply_due)}）",
               after={"overdue": True})
    tell_chaser(step, chase, "chase_overdue", N_("%(unit)s 逾期未反馈催办（%(step)s，时限 %(due)s）",
                                                 unit=chase.unit.name, step=chase.step_name,
                                                 due=marked_date(chase.reply_due)))


HANDLERS: tuple[FormHandler, ...] = (ReplyHandler(),)
ACTIONS: dict[str, Action] = {"mark_chase_unanswered": mark_chase_unanswered}
