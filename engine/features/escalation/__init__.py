"""督办问责: escalation of lagging work, notice → interview → exposure → accountability.

An escalation is an instance of the BPMN process `escalation` (workflows/escalation.bpmn)
linked to a rectification task, plus an `Escalation` record. It is started when the task's
work slips (an overdue report, a report judged lagging, a passed deadline: the rectification
feature's TaskSlipped) or by hand by a supervisor; the task's own process goes on meanwhile.
When the task is closed, an escalation nobody has proposed yet is withdrawn.

A complaint case climbs the same ladder: the cases feature raises its triggers (triggers.raise_on with the
case's Subject); the escalation then names no task, and its unit's steps go to the unit the case is handed to.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.core.statuses import EscalationTriggerKind
from engine.features.escalation.actions import ACTIONS
from engine.features.escalation.forms import HANDLERS
from engine.features.escalation.triggers import (
    ESCALATION_PROCESS,
    open_escalation,
    raise_trigger,
    withdraw_unproposed,
)
from engine.features.rectification.events import TaskClosed, TaskSlipped
from engine.store.models import Escalation
from engine.workflow.registry import IdOf, Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_actions(ACTIONS)
    registry.add_forms(HANDLERS)
    registry.subscribe(TaskSlipped, escalate_slipped_work)
    registry.subscribe(TaskClosed, withdraw_when_closed)
    registry.route_unit_work(_held_unit_first(registry.work_unit))


def escalate_slipped_work(step: Step, event: TaskSlipped) -> bool:
    """Open an escalation (True: a proposal now waits for the supervision group) or add to the open one."""
    opens = open_escalation(step.session, step.the_task.id) is None
    raise_trigger(step, EscalationTriggerKind(event.reason), event.detail)
    return opens


def withdraw_when_closed(step: Step, event: TaskClosed) -> None:
    withdraw_unproposed(step, event.reason)


def _held_unit_first(routed: IdOf) -> IdOf:
    """An escalation of no task (a complaint case's) gives its unit's steps to the unit held to account; any other
    step goes where it went."""
    def unit_of(step: Step) -> int | None:
        instance = step.instance
        if step.task is None and instance is not None and instance.process_id == ESCALATION_PROCESS:
            return step.session.scalar(select(Escalation.unit_id).where(Escalation.instance_id == instance.id))
        return routed(step)

    return unit_of
