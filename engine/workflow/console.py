"""An instance as an administrator looks after it: what it is, where its tokens are, its timers and data; suspend,
resume, and moving a token back to a step done before.

None of this decides anything of the business: moving back opens the earlier step again for the role (and unit,
and person) that does it, and the rules of who may decide apply to it as to any work item. The actions (service
tasks) done since that step say through the registry what moving back over them does: one that may run again
runs again when the process passes it, one with an undo hook is undone first; one that declares neither stops
the move, since it would run twice.
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
from engine.workflow.migration import listed, step_name
from engine.workflow.registry import Registry
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


#: what moving back does with an action done since the step: it runs again later, it is undone now (and runs
#: again later), or it stops the move
RERUN, UNDO, REFUSED = "rerun", "undo", "refused"


@dataclass(frozen=True)
class ActionBetween:
    """A service task done since the step a token would move back to, and what moving back does with its action."""

    name: str
    action: str
    outcome: str

    def refuses(self) -> bool:
        return self.outcome == REFUSED


@dataclass(frozen=True)
class EarlierStep:
    """A user task the instance has done, that a token may be moved back to, with the actions done since."""

    spiff_task_id: str
    bpmn_id: str
    name: str
    lane: str
    actions: tuple[ActionBetween, ...] = ()

    def can_move_back(self) -> bool:
        return not any(action.refuses() for action in self.actions)

    def refused_actions(self) -> list[str]:
        return [action.name for action in self.actions if action.refuses()]


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
        if task.state == TaskState.COMPLETED and spec.manual:
            state.earlier_steps.append(earlier_step(processes.registry, task))
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
    plan = earlier_step(processes.registry, task)
    if not plan.can_move_back():
        refused = N_("不能退回到这个环节：其后已执行的「%(actions)s」既不能再执行一次，也没有撤销办法",
                     actions=listed(plan.refused_actions()))
        raise InvalidSubmission({"step": [refused]})
    _undo_actions(processes.registry, step, task)
    with clock_scope(processes.runtime.clock):
        workflow.reset_from_task_id(task.id)
    processes.save(step, workflow, waiting)
    step.audit("process.moved_back", ("instance", instance.id),
               f"流程实例 {instance.id} 退回到「{plan.name}」：{reason}{_consequences(plan)}",
               after={"step": task.task_spec.bpmn_id, "reason": reason,
                      "undone": [action.action for action in plan.actions if action.outcome == UNDO],
                      "run_again": [action.action for action in plan.actions if action.outcome == RERUN]})
    return plan.name


def _undo_actions(registry: Registry, step: Step, task: SpiffTask) -> None:
    """Undo, the latest first, the actions done since the task that say how (within the step's transaction)."""
    for done in reversed(_service_tasks_after(task)):
        undo = registry.undos.get(done.task_spec.extensions["action"])
        if undo is not None:
            undo(step, dict(done.data))


def earlier_step(registry: Registry, task: SpiffTask) -> EarlierStep:
    """The done user task as a step to move back to, with what moving back does with each action done since."""
    spec = task.task_spec
    actions = tuple(ActionBetween(step_name(each.task_spec), each.task_spec.extensions["action"],
                                  _outcome(registry, each.task_spec.extensions["action"]))
                    for each in _service_tasks_after(task))
    return EarlierStep(str(task.id), spec.bpmn_id, step_name(spec), spec.lane or "", actions)


def _outcome(registry: Registry, action: str) -> str:
    if action in registry.undos:
        return UNDO
    return RERUN if action in registry.rerunnable else REFUSED


def _consequences(plan: EarlierStep) -> str:
    undone = "、".join(action.name for action in plan.actions if action.outcome == UNDO)
    rerun = "、".join(action.name for action in plan.actions if action.outcome == RERUN)
    return (f"（已撤销「{undone}」）" if undone else "") + (f"（「{rerun}」将再次执行）" if rerun else "")


def _earlier_step(workflow: BpmnWorkflow, spiff_task_id: str) -> SpiffTask:
    try:
        task = workflow.get_task_from_id(UUID(spiff_task_id))
    except (ValueError, TaskNotFoundException):
        task = None
    if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual:
        raise InvalidSubmission({"step": [N_("只能退回到这个流程已经办理过的环节")]})
    return task


def _service_tasks_after(task: SpiffTask) -> list[SpiffTask]:
    """The service tasks done since this task, in the order they ran: moving back to it takes the process back
    before them, so their actions (start a report cycle, close a notice) would run a second time."""
    done = [each for each in task if each is not task and each.state == TaskState.COMPLETED
            and isinstance(each.task_spec, ServiceTask)]
    return sorted(done, key=lambda each: each.last_state_change)


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
