"""Separation of duties (职责分离): nobody decides on what they themselves wrote, signed or proposed,
and nobody oversees a task of their own unit.

A document passes through a chain of user tasks (the forms named in the BPMN). Whoever did an
earlier step of the current round may not do a later one, even if their role has since
changed. Oversight steps (review, verification, approval) are refused to anyone belonging to
one of the task's responsible units.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.errors import PermissionDenied
from engine.core.text import N_
from engine.store.models import HumanTask, HumanTaskStatus, RectificationTask

#: the forms one document passes through, in order (the first one opens a new round)
CHAINS: tuple[tuple[str, ...], ...] = (
    ("plan_draft", "plan_sign", "plan_review"),
    ("report_submit", "report_sign", "report_review"),
    ("signoff_apply", "signoff_sign", "signoff_verify", "signoff_approve"),
)
#: steps that oversee a unit's work: never done by someone of that unit
OVERSIGHT_FORMS = frozenset({"plan_review", "report_review", "signoff_verify", "signoff_approve"})


def check(session: Session, actor: Actor, work: HumanTask, task: RectificationTask) -> None:
    if work.form in OVERSIGHT_FORMS and actor.unit_id is not None and actor.unit_id in task.unit_ids():
        raise PermissionDenied(N_("按职责分离要求，本单位的整改任务不能由本单位人员审核、核验或审批，"
                                  "请由其他人员办理"))
    if actor.user_id is not None and actor.user_id in earlier_actors(session, work):
        raise PermissionDenied(N_("按职责分离要求，您办理过这份材料的前一环节，不能再审核、核验或审批，"
                                  "请由其他人员办理"))


def earlier_actors(session: Session, work: HumanTask) -> set[int]:
    """Who completed an earlier step of the same document in its current round."""
    chain = next((chain for chain in CHAINS if work.form in chain[1:]), None)
    if chain is None:
        return set()
    earlier = chain[:chain.index(work.form)]
    done = (HumanTask.instance_id == work.instance_id) & (HumanTask.status == HumanTaskStatus.COMPLETED)
    round_start = session.scalar(select(func.max(HumanTask.id)).where(done, HumanTask.form == chain[0]))
    if round_start is None:
        return set()
    people = session.scalars(select(HumanTask.completed_by_id).where(
        done, HumanTask.form.in_(earlier), HumanTask.id >= round_start))
    return {person for person in people if person is not None}
