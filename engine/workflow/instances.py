"""Process instances: start, advance, save, and mirror their user tasks into human_tasks.

Every method works inside the caller's transaction (it only flushes); the use case in
engine/service.py commits or rolls back the whole step.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.task import Task as SpiffTask
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from engine.core.clock import LOCAL_TZ
from engine.core.errors import Conflict
from engine.core.roles import RoleModel
from engine.features.rectification.actions import ACTIONS, forget_report_cycles
from engine.features.rectification.warnings import ReportFacts, WarningRules, describe, reassess, recent_reports_of
from engine.store.audit import lock_head_ahead
from engine.store.database import Rows, as_written, insert_row, write_behind
from engine.store.models import (
    HumanTask,
    HumanTaskStatus,
    InstanceStatus,
    ProcessInstance,
    ProcessVersion,
    TaskStatus,
    TaskStatusChange,
)
from engine.workflow.loader import ProcessDefinition
from engine.workflow.runtime import WorkflowRuntime, all_tasks, find_task, next_timer_at, ready_human_tasks
from engine.workflow.step import Step

END_OF_DAY = time(23, 59, 59)


class Processes:
    """The workflow side of every use case."""

    def __init__(self, runtime: WorkflowRuntime, roles: RoleModel, rules: WarningRules) -> None:
        self.runtime = runtime
        self.roles = roles
        self.rules = rules
        self._current: dict[str, int] = {}
        self._versions: dict[int, tuple[str, str]] = {}  # a deployed version never changes: (name, spec_json)

    # --- versions --------------------------------------------------------------------------

    def deploy(self, session: Session, definitions: Sequence[ProcessDefinition], now: datetime) -> list[str]:
        """Store each definition not stored yet; new instances start on these versions."""
        added = []
        for definition in definitions:
            version = session.scalar(select(ProcessVersion).where(
                ProcessVersion.process_id == definition.process_id, ProcessVersion.sha256 == definition.sha256))
            if version is None:
                version = ProcessVersion(process_id=definition.process_id, name=definition.name,
                                         sha256=definition.sha256,
                                         file_name=definition.file_name, bpmn_xml=definition.bpmn_xml,
                                         spec_json=definition.spec_json, deployed_at=now)
                session.add(version)
                session.flush()
                added.append(f"{definition.process_id}@{definition.sha256[:12]}")
            self._current[definition.process_id] = version.id
        return added

    def current_version(self, process_id: str) -> int:
        try:
            return self._current[process_id]
        except KeyError:
            raise LookupError(f"process {process_id!r} is not deployed") from None

    def _version(self, session: Session, version_id: int) -> tuple[str, str]:
        """A deployed version's name and spec, read once."""
        if version_id not in self._versions:
            version = session.get_one(ProcessVersion, version_id)
            self._versions[version_id] = (version.name or version.process_id, version.spec_json)
        return self._versions[version_id]

    def _spec_json(self, session: Session, version_id: int) -> str:
        return self._version(session, version_id)[1]

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, step: Step, process_id: str, data: dict[str, Any], business_key: str = "") -> ProcessInstance:
        """Start a new instance for step.task on the current version and run it to its first wait."""
        version_id = self.current_version(process_id)
        task_id = step.the_task.id if step.task is not None else None
        workflow = self.runtime.new(self._spec_json(step.session, version_id), {"task_id": task_id, **data})
        instance = new_instance(step.session, {
            "version_id": version_id, "process_id": process_id, "task_id": task_id,
            "parent_id": step.instance.id if step.instance is not None else None, "business_key": business_key,
            "status": InstanceStatus.RUNNING, "state_json": "{}", "next_timer_at": None, "blocked": False,
            "lock_version": 1, "created_at": step.now, "updated_at": step.now})
        child = step.for_instance(instance)
        self.runtime.advance(workflow, lambda task: self._run_action(child, task))
        self._save(child, workflow, waiting=set(), reassess=step.instance is None)
        name = self._version(step.session, version_id)[0]
        child.audit("process.started", ("instance", instance.id), f"启动「{name}」{business_key}".strip())
        return instance

    def load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        return self.runtime.restore(self._spec_json(session, instance.version_id), instance.state_json)

    def complete(self, step: Step, process_data: dict[str, Any]) -> None:
        """Complete step.human_task's user task with the given variables and run on."""
        workflow = self.load(step.session, step.the_instance)
        waiting = waiting_work(step.the_instance, workflow)
        spiff_task = find_task(workflow, step.the_work.spiff_task_id)
        if spiff_task is None or spiff_task.state != TaskState.READY:
            raise Conflict("这项工作已经有人处理过了")
        self.runtime.complete(workflow, spiff_task, process_data, lambda task: self._run_action(step, task))
        self._save(step, workflow, waiting, last=True)

    def fire_timers(self, step: Step, reassess: bool = True) -> None:
        """Run the instance's due timers on. `reassess=False`: the caller reassesses the task's colour later (a
        sweep's batch, with reassess_tasks)."""
        workflow = self.load(step.session, step.the_instance)
        waiting = waiting_work(step.the_instance, workflow)
        self.runtime.advance(workflow, lambda task: self._run_action(step, task))
        self._save(step, workflow, waiting, reassess=reassess)

    def reassess_tasks(self, steps: Sequence[Step]) -> None:
        """The colour of each step's task, from one read of their reports (a sweep's batch, at its end)."""
        history = recent_reports_of(steps[0].session, {step.the_task.id for step in steps}) if steps else {}
        for step in steps:
            self._reassess_warning(step, history[step.the_task.id])

    def cancel(self, step: Step, instance: ProcessInstance, reason: str) -> None:
        child = step.for_instance(instance)
        workflow = self.load(step.session, instance)
        waiting = waiting_work(instance, workflow)
        workflow.cancel()
        instance.status = InstanceStatus.CANCELLED
        forget_report_cycles(step.session)
        self._save(child, workflow, waiting)
        child.audit("process.cancelled", ("instance", instance.id),
                    f"「{instance.version.name or instance.process_id}」{instance.business_key} 终止：{reason}")

    def _run_action(self, step: Step, task: SpiffTask) -> dict[str, Any] | None:
        name = task.task_spec.extensions["action"]
        return ACTIONS[name](step, dict(task.data))

    # --- persistence -------------------------------------------------------------------------

    def _save(self, step: Step, workflow: BpmnWorkflow, waiting: set[str], reassess: bool = True,
              last: bool = False) -> None:
        """Store the instance's state and mirror its user tasks; `waiting` were its open ones when loaded.

        The task's colour is reassessed (`reassess`), except for an instance started within another instance's
        step: the colour follows the task's deadline and reports, and what that step changes of them is assessed
        when the other instance is saved after it (a manual escalation, started beside the main instance, changes
        neither); and except in a sweep's batch, which reassesses its tasks at its end (reassess_tasks).
        `last`: nothing is read after this before the commit (a person's step), so the audit chain's head is
        locked with the reassessment's read, and the commit has it at hand.
        """
        instance = step.the_instance
        completed = workflow.is_completed()
        store_state(step.session, instance, {
            "state_json": self.runtime.dump(workflow),
            "next_timer_at": None if completed else next_timer_at(workflow),
            "status": InstanceStatus.COMPLETED if instance.status.is_running() and completed else instance.status,
            "updated_at": step.now})
        self._sync_human_tasks(step, workflow, waiting)
        if instance.parent_id is None and step.task is not None:
            self._sync_task_status(step, workflow)
        step.session.flush()
        if step.task is not None and reassess:
            if last:
                lock_head_ahead(step.session)
            self._reassess_warning(step)

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
        new = [self._human_task(step, spiff_task) for spiff_id, spiff_task in ready.items() if spiff_id not in waiting]
        if new:
            step.session.connection().execute(NEW_WORK, new, execution_options=write_behind())

    def _human_task(self, step: Step, spiff_task: SpiffTask) -> dict[str, Any]:
        """The row of a user task that has just become ready."""
        spec = spiff_task.task_spec
        role = self.roles.role_for_lane(spec.lane) or ""
        extensions = spec.extensions
        task = step.task
        unit_id = task.lead_unit_id if task is not None and self.roles.scope(role).is_unit_scoped() else None
        assignee = task.lead_leader_id if task is not None and extensions.get("assignee") == "lead_leader" else None
        return dict(
            instance_id=step.the_instance.id, task_id=task.id if task else None, spiff_task_id=str(spiff_task.id),
            bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id, lane=spec.lane or "", role=role,
            unit_id=unit_id, assignee_id=assignee, form=extensions.get("form", ""),
            standing=extensions.get("standing") == "true", due_at=self._due_at(spiff_task),
            status=HumanTaskStatus.OPEN, created_at=step.now, data={})

    def _due_at(self, spiff_task: SpiffTask) -> datetime | None:
        expression = spiff_task.task_spec.extensions.get("due")
        if not expression:
            return None
        value = self.runtime.evaluate(dict(spiff_task.data), expression)
        if not value:
            return None
        return datetime.combine(date.fromisoformat(str(value)[:10]), END_OF_DAY, LOCAL_TZ)

    def _sync_task_status(self, step: Step, workflow: BpmnWorkflow) -> None:
        task = step.the_task
        status = derived_status(workflow)
        if status is not None and status != task.status:
            before = task.status
            task.status = status
            step.session.add(TaskStatusChange(task_id=task.id, at=step.now, before=before, after=status))
            step.audit("task.status", ("task", task.id), f"任务状态：{before.label} → {status.label}",
                       before={"status": before.value}, after={"status": status.value})


    def _reassess_warning(self, step: Step, reports: Sequence[ReportFacts] | None = None) -> None:
        task = step.the_task
        before = task.warning
        if reassess(step.session, self.rules, task, step.today, reports):
            reasons = "、".join(describe(reason, step.today) for reason in task.warning_reasons)
            step.audit("task.warning", ("task", task.id), f"预警：{before.label} → {task.warning.label}"
                       + (f"（{reasons}）" if reasons else ""),
                       before={"warning": before.value}, after={"warning": task.warning.value,
                                                                "reasons": task.warning_reasons})


# The writes every step and every timer fired makes are prepared Core statements, not flushes of the unit of
# work: the ORM's bookkeeping for these few rows cost more than a step's SQL. The loaded objects are told what
# was written (set_committed_value), so they read as the database does and nothing is flushed twice.

def new_instance(session: Session, values: dict[str, Any]) -> ProcessInstance:
    """Insert an instance's row; the object returned is the session's, as if loaded (no flush writes it again)."""
    instance = ProcessInstance(id=insert_row(session, _INSTANCES, values), **values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def store_state(session: Session, instance: ProcessInstance, values: dict[str, Any]) -> None:
    """Write an instance's state with one UPDATE that checks and moves its lock_version, as the ORM would.

    Nothing reads its result: it may go with the transaction's next statement, where its row is checked.
    """
    def stale() -> Exception:
        return StaleDataError(f"process instance {instance.id} was changed by another transaction")

    session.connection().execute(STORE_STATE, {**values, "instance_id": instance.id,
                                               "known_version": instance.lock_version},
                                 execution_options=write_behind(Rows(1, stale)))
    as_written(instance, {**values, "lock_version": instance.lock_version + 1})


def close_work(session: Session, work_item: HumanTask, values: dict[str, Any]) -> None:
    """Write what closes an open work item (its status, who, when, the form's data); checked like store_state."""
    session.connection().execute(CLOSE_WORK, {**values, "work_id": work_item.id},
                                 execution_options=write_behind(Rows(1, _already_done)))
    as_written(work_item, values)


def _already_done() -> Exception:
    return Conflict("这项工作已经有人处理过了")


_INSTANCES = ProcessInstance.__table__
_WORK = HumanTask.__table__
NEW_WORK = _WORK.insert().inline()  # no RETURNING of the id: nothing reads it
CLOSE_WORK = _WORK.update().where(_WORK.c.id == bindparam("work_id"), _WORK.c.status == HumanTaskStatus.OPEN)
#: built once: every step and every timer fired stores an instance's state with it
STORE_STATE = (_INSTANCES.update()
               .where(_INSTANCES.c.id == bindparam("instance_id"),
                      _INSTANCES.c.lock_version == bindparam("known_version"))
               .values(lock_version=_INSTANCES.c.lock_version + 1))


def waiting_work(instance: ProcessInstance, workflow: BpmnWorkflow) -> set[str]:
    """The user tasks a stored instance waits on: exactly those with an open row in human_tasks."""
    return {str(t.id) for t in ready_human_tasks(workflow)} if instance.status.is_running() else set()


def derived_status(workflow: BpmnWorkflow) -> TaskStatus | None:
    """The task's status is declared in the BPMN (duban:status) on where the process now waits."""
    for spiff_task in ready_human_tasks(workflow):
        status = spiff_task.task_spec.extensions.get("status")
        if status:
            return TaskStatus(status)
    if workflow.is_completed():
        for spiff_task in all_tasks(workflow):
            if spiff_task.state == TaskState.COMPLETED and isinstance(spiff_task.task_spec, EndEvent):
                status = spiff_task.task_spec.extensions.get("status")
                if status:
                    return TaskStatus(status)
    return None
