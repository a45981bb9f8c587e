"""A task's status follows its process: workflows/rectification.bpmn declares it (duban:status) on where the
process waits and on how it ended."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.core.statuses import TaskStatus
from engine.features.rectification.actions import MAIN_PROCESS
from engine.store.models import TaskStatusChange
from engine.workflow.instances import declared_status
from engine.workflow.step import Step


def sync_status(step: Step, workflow: BpmnWorkflow) -> None:
    """After a save of a task's main process: its status as the process now declares it (kept, and audited, when
    it changes)."""
    if step.task is None or step.the_instance.process_id != MAIN_PROCESS:
        return
    declared = declared_status(workflow)
    task = step.the_task
    if declared is None or TaskStatus(declared) == task.status:
        return
    before, task.status = task.status, TaskStatus(declared)
    step.session.add(TaskStatusChange(task_id=task.id, at=step.now, before=before, after=task.status))
    step.audit("task.status", ("task", task.id), f"任务状态：{before.label} → {task.status.label}",
               before={"status": before.value}, after={"status": task.status.value})
