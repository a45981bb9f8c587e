"""Moving a running instance onto another version of its process (SpiffWorkflow's diff_workflow/migrate_workflow).

An instance can move when every task it has run or waits on has its counterpart in the new version; otherwise
it stays as it is, with the reason. Moving is all or nothing: the new state is built in memory and checked by
storing and restoring it before anything is saved. Timers keep their due instant unless the new version changes
the timer itself; the instance's open work items follow the steps they stand for.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import select

from engine.core.text import N_, Text
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance, ProcessVersion
from engine.workflow.instances import Processes, waiting_work
from engine.workflow.runtime import all_tasks, clock_scope, ready_human_tasks
from engine.workflow.step import Step
from engine.workflow.versions import _REGISTRY

#: tasks that exist only as a prediction: migrating rebuilds them from the new version
PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE


class MigrationRefused(Exception):
    def __init__(self, reasons: list[Text]) -> None:
        self.reasons = reasons
        super().__init__("；".join(reasons))


@dataclass
class Migrated:
    """An instance rebuilt on the new version, not saved yet."""

    workflow: BpmnWorkflow
    changed_tasks: set[str] = field(default_factory=set)  # ids of tasks whose step the new version changes


def rebuild(processes: Processes, instance: ProcessInstance, target: ProcessVersion,
            session: Any) -> Migrated:
    """The instance's workflow moved onto `target` in memory, or MigrationRefused saying why it cannot move."""
    if not instance.status.is_running():
        raise MigrationRefused([N_("流程已结束")])
    workflow = processes.load(session, instance)
    spec, subprocess_specs = processes.runtime.specs(target.spec_json)
    top, subprocesses = diff_workflow(_REGISTRY, workflow, spec, subprocess_specs)
    _refuse_removed(workflow, top, subprocesses)
    changed = {str(task.id) for diff in (top, *subprocesses.values()) if diff for task in diff.changed}
    timers = _timer_values(workflow, changed)
    with clock_scope(processes.runtime.clock):
        migrate_workflow(top, workflow, spec)
        for sub_id, diff in subprocesses.items():
            sub = workflow.subprocesses[sub_id]
            if diff is not None:
                migrate_workflow(diff, sub, subprocess_specs[sub.spec.name])
        workflow.subprocess_specs = subprocess_specs
        _restore_timers(workflow, timers)
    _check_round_trip(processes, workflow, target)
    return Migrated(workflow, changed)


def apply(processes: Processes, step: Step, target: ProcessVersion) -> list[str]:
    """Move step.instance onto `target` and save it; the names of the steps it waits on afterwards."""
    instance = step.the_instance
    waiting = waiting_work(instance, processes.load(step.session, instance))
    migrated = rebuild(processes, instance, target, step.session)
    before = instance.version.number
    instance.version_id = target.id
    instance.version = target
    _follow_work_items(processes, step, migrated, waiting)
    processes.save(step, migrated.workflow, waiting)
    now_waiting = waiting_steps(migrated.workflow)
    step.audit("process.migrated", ("instance", instance.id),
               f"流程实例 {instance.id}「{target.name}」{instance.business_key}"
               f" 由第 {before} 版迁移到第 {target.number} 版",
               before={"version": before}, after={"version": target.number, "waiting": now_waiting})
    return now_waiting


def waiting_steps(workflow: BpmnWorkflow) -> list[str]:
    """The names of the steps the instance waits on people for."""
    return [task.task_spec.bpmn_name or task.task_spec.bpmn_id for task in ready_human_tasks(workflow)]


def _refuse_removed(workflow: BpmnWorkflow, top: WorkflowDiff, subprocesses: dict[Any, WorkflowDiff | None]) -> None:
    reasons: list[Text] = []
    removed = [task for diff in (top, *subprocesses.values()) if diff for task in diff.removed
               if not task.has_state(PREDICTED)]
    names = sorted({task.task_spec.bpmn_name or task.task_spec.bpmn_id for task in removed
                    if task.task_spec.bpmn_id})
    if names:
        reasons.append(N_("新版本没有它已经过或正停留的环节：%(steps)s", steps=listed(names)))
    gone = [workflow.subprocesses[sub_id].spec.name for sub_id, diff in subprocesses.items() if diff is None]
    if gone:
        reasons.append(N_("新版本没有它正在运行的子流程：%(processes)s", processes=listed(gone)))
    if reasons:
        raise MigrationRefused(reasons)


def listed(names: list[str]) -> Text:
    """Names (of steps, of processes) as one text whose every name is looked up in the reader's language."""
    text = Text(names[-1])
    for name in reversed(names[:-1]):
        text = N_("%(first)s、%(rest)s", first=Text(name), rest=text)
    return text


def _timer_values(workflow: BpmnWorkflow, changed: set[str]) -> dict[str, Any]:
    """The due instants of the timers the instance waits on, whose definition the new version keeps."""
    return {str(task.id): task.internal_data["event_value"] for task in all_tasks(workflow)
            if task.state == TaskState.WAITING and "event_value" in task.internal_data
            and str(task.id) not in changed}


def _restore_timers(workflow: BpmnWorkflow, timers: dict[str, Any]) -> None:
    for task in all_tasks(workflow):
        value = timers.get(str(task.id))
        if value is not None and task.state == TaskState.WAITING:
            task.internal_data["event_value"] = value
            task.internal_data.pop("event_fired", None)


def _check_round_trip(processes: Processes, workflow: BpmnWorkflow, target: ProcessVersion) -> None:
    """What would be saved restores on the new version's spec: else the instance cannot move."""
    try:
        state = processes.runtime.dump(workflow)
        processes.runtime.restore(target.spec_json, state)
        json.loads(state)
    except Exception as exc:  # any failure means the moved state is unusable: refuse, change nothing
        error = f"{type(exc).__name__}: {exc}"
        raise MigrationRefused([N_("迁移后的流程状态无法恢复：%(error)s", error=error)]) from None


def _follow_work_items(processes: Processes, step: Step, migrated: Migrated, waiting: set[str]) -> None:
    """Open work items of steps the new version changes say what the new version says (name, form, due date);
    one whose lane changed is closed here and opened again for the new role when the instance is saved."""
    ready = {str(task.id): task for task in ready_human_tasks(migrated.workflow)}
    rows = step.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == step.the_instance.id, HumanTask.status == HumanTaskStatus.OPEN,
        HumanTask.spiff_task_id.in_(migrated.changed_tasks & waiting)))
    for row in rows:
        task = ready.get(row.spiff_task_id)
        if task is not None and (task.task_spec.lane or "") == row.lane:
            _describe(processes, row, task)
        else:
            row.status = HumanTaskStatus.CANCELLED
            waiting.discard(row.spiff_task_id)
    step.session.flush()


def _describe(processes: Processes, row: HumanTask, task: SpiffTask) -> None:
    spec = task.task_spec
    row.bpmn_id, row.name = spec.bpmn_id, spec.bpmn_name or spec.bpmn_id
    row.form, row.standing = spec.extensions.get("form", ""), spec.extensions.get("standing") == "true"
    row.due_at = processes.due_at(task)
