"""Running SpiffWorkflow under duban's rules: stored specs, injected clock, named actions.

SpiffWorkflow takes the current UTC time from the `datetime` class of its timer module
and offers no way to pass a clock. duban replaces that module's `datetime` with a
subclass whose `now()` asks the clock of the current `clock_scope`, so timers follow the
injected clock (and raise if no scope is open rather than silently use the wall clock).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task as SpiffTask

from engine.core.clock import Clock
from engine.workflow.expressions import RestrictedScriptEngine
from engine.workflow.serializer import make_serializer

_current_clock: ContextVar[Clock | None] = ContextVar("duban_clock", default=None)
# SpiffWorkflow logs every change of a task's state at INFO (at DEBUG with every task id of the instance in
# the record's extras): some twenty records a step, each built and then dropped, and the audit trail says what
# happened. Warnings still come through; a deployment that wants the rest sets these loggers' level itself.
for _name in ("spiff.workflow", "spiff.task"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)
#: Safety net against a workflow that keeps producing work (e.g. a timer loop at 0 s).
MAX_ROUNDS = 200
TIMER_EVENT_TYPES = frozenset(cls.__name__ for cls in (
    TimeDateEventDefinition, DurationTimerEventDefinition, CycleTimerEventDefinition))


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        clock = _current_clock.get()
        if clock is None:
            raise RuntimeError("a SpiffWorkflow timer was evaluated outside clock_scope()")
        instant = clock.now()
        return instant.astimezone(tz) if tz is not None else instant


spiff_timer.datetime = _ClockedDatetime  # type: ignore[misc]


@contextmanager
def clock_scope(clock: Clock) -> Iterator[None]:
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)


ServiceHandler = Callable[[SpiffTask], dict[str, Any] | None]


class WorkflowRuntime:
    """Create, restore, advance and store SpiffWorkflow instances."""

    def __init__(self, clock: Clock, script_engine: RestrictedScriptEngine) -> None:
        self.clock = clock
        self.script_engine = script_engine
        self.serializer = make_serializer()
        self._state_serializer = make_serializer(state_only=True)
        # Specs are built once per deployed version and shared by every instance of it. duban's
        # workflows have no event sub-process with a message or signal start, the one case where
        # SpiffWorkflow changes a spec while running, so sharing is safe.
        self._specs: dict[str, tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]] = {}

    def specs(self, spec_json: str) -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
        if spec_json not in self._specs:
            document = json.loads(spec_json)
            self._specs[spec_json] = (self.serializer.from_dict(document["spec"]),
                                      {k: self.serializer.from_dict(v)
                                       for k, v in document["subprocess_specs"].items()})
        return self._specs[spec_json]

    def new(self, spec_json: str, data: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs(spec_json)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        workflow.task_tree.set_data(**data)
        return workflow

    def restore(self, spec_json: str, state_json: str) -> BpmnWorkflow:
        document = json.loads(state_json)
        self.serializer.migrate(document)
        document["spec"], document["subprocess_specs"] = self.specs(spec_json)  # restored as they are
        workflow = self.serializer.from_dict(document)
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        """The instance state without the spec (that is stored once per version)."""
        return str(self._state_serializer.serialize_json(workflow))

    def advance(self, workflow: BpmnWorkflow, run_service: ServiceHandler) -> None:
        """Run everything that needs no person: gateways, due timers and named actions.

        A service task's action runs when SpiffWorkflow reaches the task in its engine steps, and
        the task completes there with what the action returned, so one pass runs a whole chain.
        """
        def run_action(task: SpiffTask) -> None:
            if isinstance(task.task_spec, ServiceTask):
                task.set_data(**(run_service(task) or {}))

        def complete_action(task: SpiffTask) -> None:
            if isinstance(task.task_spec, ServiceTask) and task.state == TaskState.STARTED:
                task.complete()

        with clock_scope(self.clock):
            for _ in range(MAX_ROUNDS):
                workflow.refresh_timers()
                workflow.do_engine_steps(run_action, complete_action)
                if not _engine_work_left(workflow):
                    return
        raise RuntimeError(f"workflow still busy after {MAX_ROUNDS} rounds; is a timer or loop misconfigured?")

    def complete(self, workflow: BpmnWorkflow, task: SpiffTask, data: dict[str, Any],
                 run_service: ServiceHandler) -> None:
        task.set_data(**data)
        with clock_scope(self.clock):
            task.run()
        self.advance(workflow, run_service)

    def evaluate(self, data: dict[str, Any], expression: str) -> Any:
        with clock_scope(self.clock):
            return self.script_engine.evaluate_in(data, expression)


def all_tasks(workflow: BpmnWorkflow) -> Iterator[SpiffTask]:
    """Every task of the instance, sub-processes included, in creation order.

    A plain walk over the task dictionaries: SpiffWorkflow's tree iterator is general (depth
    limits, filters) and costs several times more, which adds up on every step.
    """
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def ready_human_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    return [task for task in all_tasks(workflow) if task.state == TaskState.READY and task.task_spec.manual]


def _engine_work_left(workflow: BpmnWorkflow) -> bool:
    return any(task.state == TaskState.READY and not task.task_spec.manual for task in all_tasks(workflow))


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """When the earliest waiting timer of this instance is due (aware UTC), if any."""
    due: list[datetime] = []
    for event in workflow.waiting_events():
        if event.event_type not in TIMER_EVENT_TYPES or not event.value:
            continue
        value = event.value["next"] if isinstance(event.value, dict) else event.value
        due.append(TimerEventDefinition.get_datetime(value))
    return min(due) if due else None


def find_task(workflow: BpmnWorkflow, spiff_task_id: str) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(UUID(spiff_task_id))
    except (ValueError, TaskNotFoundException):
        return None
