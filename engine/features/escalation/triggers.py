"""Starting an escalation, or adding a new trigger to the one already open for the task (or the complaint case).

An open escalation absorbs every later trigger of its task (each is recorded on it), so an
overdue report month after month does not flood the supervision group with proposals: there
is one proposal per task while one is open. A complaint case climbs the same ladder: its escalations
are held against the unit the case is handed to, and counted per case as a task's are per task.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from engine.core.statuses import OPEN_ESCALATION_STATUSES, EscalationLevel, EscalationStatus, EscalationTriggerKind
from engine.features.escalation.ladder import EscalationLadder, PastEscalation
from engine.store.models import ComplaintCase, Escalation, EscalationTrigger, ProcessInstance, RectificationTask
from engine.workflow.step import Step

ESCALATION_PROCESS = "escalation"


@dataclass(frozen=True)
class Subject:
    """What is escalated: a task (its lead unit held to account) or a complaint case (the unit it is handed to)."""

    unit_id: int
    task_id: int | None = None
    case_id: int | None = None

    @classmethod
    def of(cls, escalation: Escalation) -> Subject:
        return cls(escalation.unit_id, escalation.task_id, escalation.case_id)

    def is_(self) -> ColumnElement[bool]:
        """Escalations of this task, or of this case."""
        if self.case_id is not None:
            return Escalation.case_id == self.case_id
        return Escalation.task_id == self.task_id

    def lock(self, session: Session) -> None:
        """Two triggers of one task or case at once (two timers in two workers) must not open two escalations."""
        if self.case_id is not None:
            session.execute(select(ComplaintCase.id).where(ComplaintCase.id == self.case_id).with_for_update())
        else:
            session.execute(select(RectificationTask.id).where(RectificationTask.id == self.task_id).with_for_update())


def task_subject(task: RectificationTask) -> Subject:
    return Subject(task.lead_unit_id, task_id=task.id)


def case_subject(case: ComplaintCase) -> Subject:
    return Subject(case.unit_id, case_id=case.id)


def raise_trigger(step: Step, kind: EscalationTriggerKind, detail: str,
                  predecessor: Escalation | None = None) -> Escalation:
    """Something went wrong with step's task: open an escalation, or record it on the open one."""
    return raise_on(step, task_subject(step.the_task), kind, detail, predecessor)


def raise_on(step: Step, subject: Subject, kind: EscalationTriggerKind, detail: str,
             predecessor: Escalation | None = None) -> Escalation:
    """Something went wrong with a task or a case: open an escalation, or record it on the open one."""
    subject.lock(step.session)
    current = _open_of(step.session, subject)
    if current is not None:
        return _absorb(step, current, kind, detail)
    return _open(step, subject, kind, detail, predecessor)


def open_escalation(session: Session, task_id: int) -> Escalation | None:
    return _open_of(session, Subject(0, task_id=task_id))


def open_case_escalation(session: Session, case_id: int) -> Escalation | None:
    return _open_of(session, Subject(0, case_id=case_id))


def _open_of(session: Session, subject: Subject) -> Escalation | None:
    return session.scalar(select(Escalation).where(
        subject.is_(), Escalation.status.in_(OPEN_ESCALATION_STATUSES)).order_by(Escalation.id).limit(1))


def past_escalations(session: Session, subject: Subject) -> list[PastEscalation]:
    """The approved escalations of this task (or case) against this unit: what the ladder counts."""
    rows = session.execute(select(Escalation.approved_level, Escalation.decided_at, Escalation.status).where(
        subject.is_(), Escalation.unit_id == subject.unit_id, Escalation.approved_level.is_not(None)))
    return [PastEscalation(EscalationLevel(level), decided_at) for level, decided_at, status in rows
            if decided_at is not None and EscalationStatus(status).was_carried_out()]


def escalation_of(step: Step) -> Escalation:
    """The escalation whose process instance this step runs in."""
    escalation = step.session.scalar(select(Escalation).where(Escalation.instance_id == step.the_instance.id))
    if escalation is None:
        raise LookupError(f"no escalation for instance {step.the_instance.id}")
    return escalation


def _absorb(step: Step, escalation: Escalation, kind: EscalationTriggerKind, detail: str) -> Escalation:
    step.session.add(EscalationTrigger(escalation_id=escalation.id, kind=kind, detail=detail, occurred_at=step.now,
                                       actor_id=step.actor.user_id, absorbed=True))
    step.audit("escalation.trigger_absorbed", ("escalation", escalation.id),
               f"{kind.label}：{detail}（并入进行中的第 {escalation.id} 号督办问责）", after={"trigger": kind.value})
    return escalation


def _open(step: Step, subject: Subject, kind: EscalationTriggerKind, detail: str,
          predecessor: Escalation | None) -> Escalation:
    suggestion = EscalationLadder(step.settings).suggest(kind, past_escalations(step.session, subject), step.now,
                                                         "本信访件" if subject.case_id is not None else "本任务")
    escalation = Escalation(
        task_id=subject.task_id, case_id=subject.case_id, unit_id=subject.unit_id,
        predecessor_id=predecessor.id if predecessor else None,
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
    withdraw_unproposed_of(step, task_subject(step.the_task), reason)


def withdraw_unproposed_of(step: Step, subject: Subject, reason: str) -> None:
    """The task or case is done: its escalations nobody has proposed yet are withdrawn."""
    waiting = step.session.scalars(select(Escalation).where(
        subject.is_(), Escalation.status == EscalationStatus.PROPOSING))
    for escalation in waiting:
        escalation.status, escalation.reasons, escalation.closed_at = EscalationStatus.DROPPED, reason, step.now
        step.audit("escalation.withdrawn", ("escalation", escalation.id),
                   f"第 {escalation.id} 号督办问责撤回：{reason}")
        instance = step.session.get(ProcessInstance, escalation.instance_id) if escalation.instance_id else None
        if instance is not None and instance.status.is_running():
            step.processes.cancel(step, instance, reason)
