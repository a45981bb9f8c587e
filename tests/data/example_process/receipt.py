"""签收: the smallest real process added to duban, as docs/architecture.md shows it.

A feature package (here one module) and its BPMN file: when a task is assigned (交办), its lead unit
acknowledges receipt; after three days without it, the coordination group is reminded. Nothing in
engine/workflow or in the other features changes: the feature registers its form and its action, and
subscribes to the rectification feature's TaskAssigned event to start its process.
"""
from __future__ import annotations

from typing import Any

from engine.core.clock import Clock
from engine.core.fields import Field
from engine.core.settings import Settings
from engine.features.notifications.notices import notify
from engine.features.rectification.events import TaskAssigned
from engine.workflow.forms import FormHandler
from engine.workflow.registry import Registry
from engine.workflow.step import Step

PROCESS = "receipt"


class AcknowledgeHandler(FormHandler):
    """签收: the unit's officer confirms the task has reached the unit."""

    name = "receipt_acknowledge"
    fields = (Field("note", required=False),)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        step.audit("task.received", ("task", step.the_task.id), f"签收 {step.the_task.code}",
                   after={"note": data["note"] or ""})
        return {}


def remind_receipt(step: Step, data: dict[str, Any]) -> None:
    notify(step, "coordinator", "receipt_overdue", f"{step.the_task.code} 交办三日仍未签收")


def start_receipt(step: Step, event: TaskAssigned) -> None:
    step.processes.start(step, PROCESS, {})


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.add_forms([AcknowledgeHandler()])
    registry.add_actions({"remind_receipt": remind_receipt})
    registry.subscribe(TaskAssigned, start_receipt)
