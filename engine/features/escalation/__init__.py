"""督办问责: escalation of lagging work, notice → interview → exposure → accountability.

An escalation is an instance of the BPMN process `escalation` (workflows/escalation.bpmn)
linked to a rectification task, plus an `Escalation` record. It is started when the task's
work slips (an overdue report, a report judged lagging, a passed deadline: the rectification
feature's TaskSlipped) or by hand by a supervisor; the task's own process goes on meanwhile.
When the task is closed, an escalation nobody has proposed yet is withdrawn.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.core.statuses import EscalationTriggerKind
from engine.features.escalation.actions import ACTIONS
from engine.features.escalation.forms import HANDLERS
from engine.features.escalation.triggers import open_escalation, raise_trigger, withdraw_unproposed
from engine.features.rectification.events import TaskClosed, TaskSlipped
from engine.workflow.registry import Registry
from engine.workflow.step import Step


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_actions(ACTIONS)
    registry.add_forms(HANDLERS)
    registry.subscribe(TaskSlipped, escalate_slipped_work)
    registry.subscribe(TaskClosed, withdraw_when_closed)


def escalate_slipped_work(step: Step, event: TaskSlipped) -> bool:
    """Open an escalation (True: a proposal now waits for the supervision group) or add to the open one."""
    opens = open_escalation(step.session, step.the_task.id) is None
    raise_trigger(step, EscalationTriggerKind(event.reason), event.detail)
    return opens


def withdraw_when_closed(step: Step, event: TaskClosed) -> None:
    withdraw_unproposed(step, event.reason)
