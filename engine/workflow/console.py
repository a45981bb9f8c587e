"""An instance as an administrator looks after it: what it is, where its tokens are, its timers and data; suspend,
resume, and moving a token back to a step done before.

None of this decides anything of the business: moving back opens the earlier step again for the role (and unit,
and person) that does it, and the rules of who may decide apply to it as to any work item.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task as SpiffTask

from engine.core.errors import Conflict, InvalidSubmission
from engine.core.text import N_
from engine.store.models import ProcessInstance
from engine.workflow.instances import Processes, waiting_work
from engine.workflow.migration import listed
from engine.workflow.runtime import all_tasks, clock_scope
from engine.workflow.step import Step
from engine.workflow.versions import current_version

#: the states of a token: where the instance is now
TOKEN_STATES = {TaskState.READY: "ready", TaskState.WAITING: "waiting", TaskState.STARTED: "started",
                TaskState.ERROR: "error"}


@dataclass(frozen=True)
class Token:
    """A task the instance is at: a step waiting for a person (ready), an event or timer waiting (waiting)."""

    spiff_task_id: str
    bpmn_id: str
    name: str
    state: str
    lane: str = ""


@dataclass(frozen=True)
class Timer:
    name: str
    due_at: datetime | None


@dataclass(frozen=True)
class EarlierStep:
    """A user task the instance has done, that a token may be moved back to."""

    spiff_task_id: str
    bpmn_id: str
    name: str
    lane: str


@dataclass
class InstanceState:
    version_number: int
    current_number: int
    version_name: str
    tokens: list[Token] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    earlier_steps: list[EarlierStep] = field(default_factory=list)
    bpmn_xml: str = ""


def instance_state(processes: Processes, session: Any, instance: ProcessInstance) -> InstanceState:
    workflow = processes.load(session, instance)
    current = current_version(session, instance.process_id)
    state = InstanceState(instance.version.number, current.number if current else instance.version.number,
                          instance.version.name or instance.process_id, bpmn_xml=instance.version.bpmn_xml)
    for task in all_tasks(workflow):
        spec = task.task_spec
        if task.state in TOKEN_STATES and getattr(spec, "bpmn_id", None):
            state.tokens.append(Token(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                      TOKEN_STATES[task.state], spec.lane or ""))
        if task.state == TaskState.COMPLETED and spec.manual and not actions_after(task):
            state.earlier_steps.append(EarlierStep(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                                   spec.lane or ""))
    state.timers = _timers(workflow)
    state.data = json.loads(json.dumps(dict(workflow.data) or _last_data(workflow), default=str, ensure_ascii=False))
    return state


def suspend(step: Step, reason: str) -> None:
    """No timer of the instance fires and none of its work items can be done until it is resumed."""
    instance = step.the_instance
    if not instance.status.is_running():
        raise Conflict(N_("流程已结束，不能暂停"))
    if instance.suspended:
        raise Conflict(N_("流程已经暂停"))
    instance.suspended = True
    step.audit("process.suspended", ("instance", instance.id), f"暂停流程实例 {instance.id}：{reason}",
               after={"suspended": True, "reason": reason})


def resume(step: Step, reason: str) -> None:
    """The instance runs again: timers that fell due meanwhile fire at the next sweep."""
    instance = step.the_instance
    if not instance.suspended:
        raise Conflict(N_("流程没有暂停"))
    instance.suspended = False
    step.audit("process.resumed", ("instance", instance.id), f"恢复流程实例 {instance.id}：{reason}",
               after={"suspended": False, "reason": reason})


def move_back(processes: Processes, step: Step, spiff_task_id: str, reason: str) -> str:
    """Take the instance back to a user task it has done: what followed is undone in the process (its open work
    items cancelled) and the step is open again. The step's name."""
    instance = step.the_instance
    if not instance.status.is_running():
        raise Conflict(N_("流程已结束，不能退回"))
    workflow = processes.load(step.session, instance)
    waiting = waiting_work(instance, workflow)
    task = _earlier_step(workflow, spiff_task_id)
    name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
    with clock_scope(processes.runtime.clock):
        workflow.reset_from_task_id(task.id)
    processes.save(step, workflow, waiting)
    step.audit("process.moved_back", ("instance", instance.id),
               f"流程实例 {instance.id} 退回到「{name}」：{reason}",
               after={"step": task.task_spec.bpmn_id, "reason": reason})
    return name


def _earlier_step(workflow: BpmnWorkflow, spiff_task_id: str) -> SpiffTask:
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except (ValueError, TaskNotFoundException):
        task = None
    if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual:
        raise InvalidSubmission({"step": [N_("只能退回到这个流程已经办理过的环节")]})
    done = actions_after(task)
    if done:
        raise InvalidSubmission({"step": [N_("不能退回到这个环节：其后已执行的「%(actions)s」会再执行一次",
                                             actions=listed(done))]})
    return task


def actions_after(task: SpiffTask) -> list[str]:
    """The service tasks done since this task: moving back to it would run their actions (start a report cycle,
    close a notice) a second time, which no reset undoes."""
    return sorted({each.task_spec.bpmn_name or each.task_spec.bpmn_id for each in task
                   if each is not task and each.state == TaskState.COMPLETED
                   and isinstance(each.task_spec, ServiceTask)})


def _timers(workflow: BpmnWorkflow) -> list[Timer]:
    """The timers the instance waits on, with when each is due."""
    timers = []
    for task in all_tasks(workflow):
        definition = getattr(task.task_spec, "event_definition", None)
        if task.state == TaskState.WAITING and isinstance(definition, TimerEventDefinition):
            value = task.internal_data.get("event_value")
            value = value["next"] if isinstance(value, dict) else value
            timers.append(Timer(task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                                TimerEventDefinition.get_datetime(value) if value else None))
    return timers


def _last_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data the instance carries: that of its most recent task."""
    tasks = [task for task in all_tasks(workflow) if task.has_state(TaskState.FINISHED_MASK | TaskState.READY)]
    latest = max(tasks, key=lambda task: task.last_state_change, default=None)
    return dict(latest.data) if latest is not None else {}
