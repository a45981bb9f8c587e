"""Starting an escalation, or adding a new trigger to the one already open for the task.

An open escalation absorbs every later trigger of its task (each is recorded on it), so an
overdue report month after month does not flood the supervision group with proposals: there
is one proposal per task while one is open.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.statuses import OPEN_ESCALATION_STATUSES, EscalationLevel, EscalationStatus, EscalationTriggerKind
from engine.features.escalation.ladder import EscalationLadder, PastEscalation
from engine.store.models import Escalation, EscalationTrigger, ProcessInstance, RectificationTask
from engine.workflow.step import Step

ESCALATION_PROCESS = "escalation"


def raise_trigger(step: Step, kind: EscalationTriggerKind, detail: str,
                  predecessor: Escalation | None = None) -> Escalation:
    """Something went wrong with step's task: open an escalation, or record it on the open one."""
    task = step.the_task
    _lock(step.session, task)
    current = open_escalation(step.session, task.id)
    if current is not None:
        return _absorb(step, current, kind, detail)
    return _open(step, kind, detail, predecessor)


def open_escalation(session: Session, task_id: int) -> Escalation | None:
    return session.scalar(select(Escalation).where(
        Escalation.task_id == task_id, Escalation.status.in_(OPEN_ESCALATION_STATUSES))
        .order_by(Escalation.id).limit(1))


def past_escalations(session: Session, task_id: int, unit_id: int) -> list[PastEscalation]:
    """The approved escalations of this task against this unit: what the ladder counts."""
    rows = session.execute(select(Escalation.approved_level, Escalation.decided_at, Escalation.status).where(
        Escalation.task_id == task_id, Escalation.unit_id == unit_id, Escalation.approved_level.is_not(None)))
    return [PastEscalation(EscalationLevel(level), decided_at) for level, decided_at, status in rows
            if decided_at is not None and EscalationStatus(status).was_carried_out()]


def escalation_of(step: Step) -> Escalation:
    """The escalation whose process instance this step runs in."""
    escalation = step.session.scalar(select(Escalation).where(Escalation.instance_id == step.the_instance.id))
    if escalation is None:
        raise LookupError(f"no escalation for instance {step.the_instance.id}")
    return escalation


def _lock(session: Session, task: RectificationTask) -> None:
    """Two triggers of one task at once (two timers in two workers) must not open two escalations."""
    session.execute(select(RectificationTask.id).where(RectificationTask.id == task.id).with_for_update())


def _absorb(step: Step, escalation: Escalation, kind: EscalationTriggerKind, detail: str) -> Escalation:
    step.session.add(EscalationTrigger(escalation_id=escalation.id, kind=kind, detail=detail, occurred_at=step.now,
                                       actor_id=step.actor.user_id, absorbed=True))
    step.audit("escalation.trigger_absorbed", ("escalation", escalation.id),
               f"{kind.label}：{detail}（并入进行中的第 {escalation.id} 号督办问责）", after={"trigger": kind.value})
    return escalation


def _open(step: Step, kind: EscalationTriggerKind, detail: str, predecessor: Escalation | None) -> Escalation:
    task = step.the_task
    history = past_escalations(step.session, task.id, task.lead_unit_id)
    suggestion = EscalationLadder(step.settings).suggest(kind, history, step.now)
    escalation = Escalation(
        task_id=task.id, unit_id=task.lead_unit_id, predecessor_id=predecessor.id if predecessor else None,
        trigger=kind, status=EscalationStatus.PROPOSING, opened_at=step.now,
        suggested_level=int(suggestion.level), suggestion=suggestion.why)
    step.session.add(escalation)
    step.session.flush()
    step.session.add(EscalationTrigger(escalation_id=escalation.id, kind=kind, detail=detail, occurred_at=step.now,
                                       actor_id=step.actor.user_id))
    step.audit("escalation.triggered", ("escalation", escalation.id),
               f"{kind.label}，启动第 {escalation.id} 号督办问责：{detail}",
               after={"trigger": kind.value, "suggested_level": escalation.suggested_level})
    instance = step.processes.start(step, ESCALATION_PROCESS, {"escalation_id": escalation.id, "complete_by": None})
    escalation.instance_id = instance.id
    return escalation


def withdraw_unproposed(step: Step, reason: str) -> None:
    """The task is signed off: an escalation nobody has proposed yet is moot. Proposed ones go on to the leader,
    and approved ones are carried out: an accountability case does not end because the work was finally done."""
    waiting = step.session.scalars(select(Escalation).where(
        Escalation.task_id == step.the_task.id, Escalation.status == EscalationStatus.PROPOSING))
    for escalation in waiting:
        escalation.status, escalation.reasons, escalation.closed_at = EscalationStatus.DROPPED, reason, step.now
        step.audit("escalation.withdrawn", ("escalation", escalation.id),
                   f"第 {escalation.id} 号督办问责撤回：{reason}")
        instance = step.session.get(ProcessInstance, escalation.instance_id) if escalation.instance_id else None
        if instance is not None and instance.status.is_running():
            step.processes.cancel(step, instance, reason)
