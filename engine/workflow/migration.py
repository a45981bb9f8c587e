"""Moving a running instance onto another version of its process (SpiffWorkflow's diff_workflow/migrate_workflow).

An instance can move when every task it is at (a step waiting for a person, a timer or event waiting, a
subprocess running) has its counterpart in the new version; otherwise it stays as it is, with the reason. Steps
it has passed that the new version removes are behind it: migrate_workflow leaves such tasks on their old spec
(which the new version cannot restore), so they are taken out of the task tree, their children hung on their
parent; their history stays in the work items and the audit trail. Moving is all or nothing: the new state is
built in memory and checked by storing and restoring it before anything is saved. Timers keep their due instant
unless the new version changes the timer itself; the instance's open work items follow the steps they stand for.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import select

from engine.core.text import N_, Text
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance, ProcessVersion
from engine.workflow.instances import Processes, waiting_work
from engine.workflow.runtime import all_tasks, clock_scope, ready_human_tasks
from engine.workflow.step import Step
from engine.workflow.versions import _REGISTRY, spec_pairs

#: tasks that exist only as a prediction: migrating rebuilds them from the new version
PREDICTED = TaskState.FUTURE | TaskState.LIKELY | TaskState.MAYBE
#: where an instance is: a task in one of these states must have its counterpart in the new version
AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


class MigrationRefused(Exception):
    def __init__(self, reasons: list[Text]) -> None:
        self.reasons = reasons
        super().__init__("；".join(reasons))


@dataclass
class Migrated:
    """An instance rebuilt on the new version, not saved yet."""

    workflow: BpmnWorkflow
    changed_tasks: set[str] = field(default_factory=set)  # ids of tasks whose step the new version changes
    passed_removed: list[str] = field(default_factory=list)  # steps done before that the new version removes


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
    passed = _prune_removed(workflow)
    _check_round_trip(processes, workflow, target)
    return Migrated(workflow, changed, passed)


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
    passed = f"（新版本删除的已办环节「{'、'.join(migrated.passed_removed)}」仅留在历史中）" \
        if migrated.passed_removed else ""
    step.audit("process.migrated", ("instance", instance.id),
               f"流程实例 {instance.id}「{target.name}」{instance.business_key}"
               f" 由第 {before} 版迁移到第 {target.number} 版{passed}",
               before={"version": before},
               after={"version": target.number, "waiting": now_waiting, "passed_removed": migrated.passed_removed})
    return now_waiting


@dataclass(frozen=True)
class RemovedSteps:
    """What a version removes against an earlier one: the task specs of each process spec ("" the top one) and
    the call activities' processes it no longer has. `by_work_items`: every removed step is a top-level user task,
    so the open work items say which instances are at one, without reading their state."""

    steps: dict[str, frozenset[str]]
    processes: frozenset[str]
    by_work_items: bool

    def nothing(self) -> bool:
        return not self.processes and not any(self.steps.values())


def removed_steps(old_spec_json: str, new_spec_json: str) -> RemovedSteps:
    steps, processes, manual = {}, set(), True
    for name, old, new in spec_pairs(old_spec_json, new_spec_json):
        if new is None:
            processes.add(name)
            continue
        removed = SpecDiff(_REGISTRY, old, new).removed
        steps[name] = frozenset(spec.name for spec in removed)
        manual = manual and all(getattr(spec, "manual", False) for spec in removed) and (not removed or name == "")
    return RemovedSteps(steps, frozenset(processes), manual and not processes)


def at_removed_step(state_json: str, removed: RemovedSteps) -> bool:
    """Whether a stored instance state is at (or waits inside) a step the new version removes: read from the
    stored document, without restoring the workflow."""
    document = json.loads(state_json)
    if _at_any(document["tasks"], removed.steps.get("", frozenset())):
        return True
    return any(sub["spec"] in removed.processes or _at_any(sub["tasks"], removed.steps.get(sub["spec"], frozenset()))
               for sub in document["subprocesses"].values())


def _at_any(tasks: dict[str, Any], names: frozenset[str]) -> bool:
    return bool(names) and any(task["task_spec"] in names and int(task["state"]) & AT for task in tasks.values())


def waiting_steps(workflow: BpmnWorkflow) -> list[str]:
    """The names of the steps the instance waits on people for."""
    return [step_name(task.task_spec) for task in ready_human_tasks(workflow)]


def _refuse_removed(workflow: BpmnWorkflow, top: WorkflowDiff, subprocesses: dict[Any, WorkflowDiff | None]) -> None:
    reasons: list[Text] = []
    removed = [task for diff in (top, *subprocesses.values()) if diff for task in diff.removed if task.has_state(AT)]
    names = sorted({step_name(task.task_spec) for task in removed if task.task_spec.bpmn_id})
    if names:
        reasons.append(N_("新版本没有它正停留的环节：%(steps)s", steps=listed(names)))
    gone = [workflow.subprocesses[sub_id].spec.name for sub_id, diff in subprocesses.items() if diff is None]
    if gone:
        reasons.append(N_("新版本没有它正在运行的子流程：%(processes)s", processes=listed(gone)))
    if reasons:
        raise MigrationRefused(reasons)


def _prune_removed(workflow: BpmnWorkflow) -> list[str]:
    """Take out of the tree the tasks still on a spec the new version removed (none is where the instance is:
    those were refused): a finished one's children hang on its parent, a predicted one goes with its branch.
    The names of the finished steps taken out."""
    passed: set[str] = set()
    for each in (workflow, *workflow.subprocesses.values()):
        for task in list(each.tasks.values()):
            if task.id not in each.tasks or each.spec.task_specs.get(task.task_spec.name) is task.task_spec:
                continue
            if task.has_state(PREDICTED):
                _drop_branch(each, task)
            else:
                _splice_out(each, task)
                if task.task_spec.bpmn_id:
                    passed.add(step_name(task.task_spec))
    return sorted(passed)


def _splice_out(workflow: Any, task: SpiffTask) -> None:
    parent, children = task.parent, task.children
    for child in children:
        child.parent = parent
    if parent is not None:
        siblings = parent.children
        at = siblings.index(task)
        parent.children = [*siblings[:at], *children, *siblings[at + 1:]]
    task.children = []
    del workflow.tasks[task.id]
    if workflow.last_task is task:
        workflow.last_task = parent


def _drop_branch(workflow: Any, task: SpiffTask) -> None:
    parent = task.parent
    if parent is not None:
        parent.children = [child for child in parent.children if child is not task]
    for each in list(task):
        workflow.tasks.pop(each.id, None)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def step_name(spec: Any) -> str:
    return str(spec.bpmn_name or spec.bpmn_id)


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
