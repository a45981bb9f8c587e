"""Process instances: deploy versions, start, advance, save, and mirror their user tasks into human_tasks.

Every method works inside the caller's transaction (it only flushes); the use case commits or rolls
back the whole step. What a step means in the domain comes from the features through the Registry:
the actions service tasks name, the people and units steps go to, the hooks after a save.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import update

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.errors import Conflict
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.store.database import Session
from engine.store.models import HumanTask, HumanTaskStatus, InstanceStatus, ProcessInstance, ProcessVersion
from engine.workflow.loader import ProcessDefinition
from engine.workflow.registry import Registry
from engine.workflow.runtime import WorkflowRuntime, all_tasks, find_task, next_timer_at, ready_human_tasks
from engine.workflow.step import Step
from engine.workflow.versions import VersionDiff, current_version_id, store_new

END_OF_DAY = time(23, 59, 59)


class Processes:
    """The workflow side of every use case."""

    def __init__(self, runtime: WorkflowRuntime, roles: RoleModel, registry: Registry, settings: Settings) -> None:
        self.runtime = runtime
        self.roles = roles
        self.registry = registry
        self.settings = settings
        self._versions: dict[int, tuple[str, str]] = {}  # a deployed version never changes: (name, spec_json)

    def step(self, session: Session, actor: Actor, **objects: Any) -> Step:
        """A use case's step, now (the runtime's clock): `objects` are the task, instance, work item it is on."""
        return Step(session, actor, self.runtime.clock.now(), self.settings, self, **objects)

    # --- versions --------------------------------------------------------------------------

    def deploy(self, session: Session, definitions: Sequence[ProcessDefinition], now: datetime) -> list[VersionDiff]:
        """Store each definition whose content is not deployed yet as its process's next version (new instances
        start on it); content deployed before, as any version, changes nothing."""
        return store_new(session, definitions, now)

    def current_version(self, session: Session, process_id: str) -> int:
        """The id of the version new instances start on, as the database says (another process may deploy)."""
        version_id = current_version_id(session, process_id)
        if version_id is None:
            raise LookupError(f"process {process_id!r} is not deployed")
        return version_id

    def version(self, session: Session, version_id: int) -> tuple[str, str]:
        """A deployed version's name and spec, read once."""
        if version_id not in self._versions:
            version = session.get_one(ProcessVersion, version_id)
            self._versions[version_id] = (version.name or version.process_id, version.spec_json)
        return self._versions[version_id]

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, step: Step, process_id: str, data: dict[str, Any], business_key: str = "") -> ProcessInstance:
        """Start a new instance for step.task on the current version and run it to its first wait."""
        return self.start_many(step, process_id, [(data, business_key)])[0]

    def start_many(self, step: Step, process_id: str,
                   starts: Sequence[tuple[dict[str, Any], str]]) -> list[ProcessInstance]:
        """Start an instance for each (data, business key), as `start` does, reading the version once and inserting
        the instances together (a batch of complaint cases)."""
        version_id = self.current_version(step.session, process_id)
        name, spec_json = self.version(step.session, version_id)
        task_id = step.task.id if step.task is not None else None
        parent_id = step.instance.id if step.instance is not None else None
        instances = [ProcessInstance(
            version_id=version_id, process_id=process_id, task_id=task_id, business_key=business_key,
            parent_id=parent_id, status=InstanceStatus.RUNNING, state_json="{}", blocked=False, created_at=step.now,
            updated_at=step.now) for _, business_key in starts]
        step.session.add_all(instances)
        step.session.flush()  # their actions refer to them by id
        for instance, (data, business_key) in zip(instances, starts, strict=True):
            workflow = self.runtime.new(spec_json, {"task_id": task_id, **data})
            child = step.for_instance(instance)
            self.runtime.advance(workflow, lambda task, child=child: self._run_action(child, task))
            self._save(child, workflow, waiting=set())
            child.audit("process.started", ("instance", instance.id), f"启动「{name}」{business_key}".strip())
        return instances

    def load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        return self.runtime.restore(self.version(session, instance.version_id)[1], instance.state_json)

    def complete(self, step: Step, process_data: dict[str, Any]) -> None:
        """Complete step.human_task's user task with the given variables and run on."""
        workflow = self.load(step.session, step.the_instance)
        waiting = waiting_work(step.the_instance, workflow)
        spiff_task = find_task(workflow, step.the_work.spiff_task_id)
        if spiff_task is None or spiff_task.state != TaskState.READY:
            raise Conflict("这项工作已经有人处理过了")
        self.runtime.complete(workflow, spiff_task, process_data, lambda task: self._run_action(step, task))
        self._save(step, workflow, waiting)

    def fire_timers(self, step: Step) -> None:
        """Run the instance's due timers on."""
        workflow = self.load(step.session, step.the_instance)
        waiting = waiting_work(step.the_instance, workflow)
        self.runtime.advance(workflow, lambda task: self._run_action(step, task))
        self._save(step, workflow, waiting)

    def cancel(self, step: Step, instance: ProcessInstance, reason: str) -> None:
        child = step.for_instance(instance)
        workflow = self.load(step.session, instance)
        waiting = waiting_work(instance, workflow)
        workflow.cancel()
        instance.status = InstanceStatus.CANCELLED
        self._save(child, workflow, waiting)
        name = self.version(step.session, instance.version_id)[0]
        child.audit("process.cancelled", ("instance", instance.id), f"「{name}」{instance.business_key} 终止：{reason}")

    def settle(self, steps: Sequence[Step]) -> None:
        """The end of a use case: the features' settle hooks see the steps it ran (a sweep's batch at once)."""
        self.registry.settle(steps)

    def _run_action(self, step: Step, task: SpiffTask) -> dict[str, Any] | None:
        name = task.task_spec.extensions["action"]
        return self.registry.actions[name](step, dict(task.data))

    # --- persistence -------------------------------------------------------------------------

    def save(self, step: Step, workflow: BpmnWorkflow, waiting: set[str]) -> None:
        """Store a workflow an administrator's action changed (a migration, a move back) as any step does."""
        self._save(step, workflow, waiting)

    def _save(self, step: Step, workflow: BpmnWorkflow, waiting: set[str]) -> None:
        """Store the instance's state and mirror its user tasks; `waiting` were its open ones when loaded.

        The version column makes a concurrent save of the same instance fail (StaleDataError) when it is flushed:
        at the use case's next query or at its commit, with whatever else it wrote.
        """
        instance = step.the_instance
        completed = workflow.is_completed()
        instance.state_json = self.runtime.dump(workflow)
        instance.next_timer_at = None if completed else next_timer_at(workflow)
        if instance.status.is_running() and completed:
            instance.status = InstanceStatus.COMPLETED
        instance.updated_at = step.now
        if not instance.status.is_running():
            step.ended.append(instance)
        self._sync_human_tasks(step, workflow, waiting)
        self.registry.saved(step, workflow)

    def _sync_human_tasks(self, step: Step, workflow: BpmnWorkflow, waiting: set[str]) -> None:
        """Open rows mirror the ready user tasks: those waiting before and no longer ready are cancelled
        (interrupted by an event, or cancelled with the instance), newly ready ones get a row."""
        instance = step.the_instance
        ready = {str(t.id): t for t in ready_human_tasks(workflow)} if instance.status.is_running() else {}
        gone = waiting - ready.keys() - ({step.human_task.spiff_task_id} if step.human_task else set())
        if gone:
            step.session.execute(update(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.spiff_task_id.in_(gone),
                HumanTask.status == HumanTaskStatus.OPEN).values(status=HumanTaskStatus.CANCELLED))
        opened = [self._human_task(step, spiff_task) for spiff_id, spiff_task in ready.items()
                  if spiff_id not in waiting]
        step.session.add_all(opened)
        step.opened.extend(opened)

    def _human_task(self, step: Step, spiff_task: SpiffTask) -> HumanTask:
        """The row of a user task that has just become ready: for its lane's role, within the unit the features
        route the step to (a unit-scoped role), or for one person (duban:assignee)."""
        spec = spiff_task.task_spec
        role = self.roles.role_for_lane(spec.lane) or ""
        extensions = spec.extensions
        unit_id = self.registry.work_unit(step) if self.roles.scope(role).is_unit_scoped() else None
        assignee = extensions.get("assignee")
        return HumanTask(
            instance_id=step.the_instance.id, task_id=step.task.id if step.task is not None else None,
            spiff_task_id=str(spiff_task.id), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
            lane=spec.lane or "", role=role, unit_id=unit_id,
            assignee_id=self.registry.assignees[assignee](step) if assignee else None,
            form=extensions.get("form", ""), standing=extensions.get("standing") == "true",
            due_at=self.due_at(spiff_task), status=HumanTaskStatus.OPEN, created_at=step.now, data={})

    def due_at(self, spiff_task: SpiffTask) -> datetime | None:
        expression = spiff_task.task_spec.extensions.get("due")
        if not expression:
            return None
        value = self.runtime.evaluate(dict(spiff_task.data), expression)
        if not value:
            return None
        return datetime.combine(date.fromisoformat(str(value)[:10]), END_OF_DAY, LOCAL_TZ)


def waiting_work(instance: ProcessInstance, workflow: BpmnWorkflow) -> set[str]:
    """The user tasks a stored instance waits on: exactly those with an open row in human_tasks."""
    return {str(t.id) for t in ready_human_tasks(workflow)} if instance.status.is_running() else set()


def declared_status(workflow: BpmnWorkflow) -> str | None:
    """What the BPMN declares (duban:status) on where the process now waits, or on the end event it reached."""
    for spiff_task in ready_human_tasks(workflow):
        status = spiff_task.task_spec.extensions.get("status")
        if status:
            return str(status)
    if workflow.is_completed():
        for spiff_task in all_tasks(workflow):
            if spiff_task.state == TaskState.COMPLETED and isinstance(spiff_task.task_spec, EndEvent):
                status = spiff_task.task_spec.extensions.get("status")
                if status:
                    return str(status)
    return None
