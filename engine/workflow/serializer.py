"""The workflow serializer, taught the one spec class its default config forgets and the workflow
class duban runs, and the converter that stores an instance's state without its specs."""
from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine.workflow.tree_walk import DubanWorkflow


@functools.lru_cache(maxsize=1 << 14)
def task_id(text: str) -> UUID:
    """A stored task id as a UUID, one object per id.

    SpiffWorkflow keys its tasks by id and links them by id (a task's parent, its children): every
    walk of the tree looks ids up. Restored by SpiffWorkflow, each mention of an id is a UUID of
    its own, parsed anew, and a lookup compares two such objects in Python; with one object per id
    the dictionary finds it by identity.
    """
    return UUID(text)


class TaskStateConverter(TaskConverter):
    """SpiffWorkflow's task converter, with the task ids restored through task_id."""

    def from_dict(self, dct: dict[str, Any], workflow: BpmnWorkflow) -> Task:
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=task_id(dct["id"]))
        task._parent = task_id(dct["parent"]) if dct["parent"] is not None else None
        task._children = [task_id(child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and task.parent is not None:
            data = DeepMerge.merge({}, task.parent.data)
            data.update(self.registry.restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = self.registry.restore(dct["data"])
        task.data = data
        return task


class InstanceStateConverter(BpmnWorkflowConverter):
    """A top-level workflow as BpmnWorkflowConverter writes it, less the process specs.

    duban stores the specs once per deployed version (process_versions.spec_json) and gives them
    back to every restore; converting them again on every save was a third of the save's time.
    Restoring is BpmnWorkflowConverter's own.
    """

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        document: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        document["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        document["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return document


def _stored_as_bpmn_workflow(converter: type[BpmnWorkflowConverter]) -> type[BpmnWorkflowConverter]:
    """The converter, for DubanWorkflow under the name BpmnWorkflow: states read and written are SpiffWorkflow's.
    Its tasks are keyed by the ids task_id gives."""
    class Converter(converter):  # type: ignore[valid-type,misc]
        def __init__(self, target_class: type, registry: Any) -> None:
            super().__init__(target_class, registry, typename=BpmnWorkflow.__name__)

        def mapping_from_dict(self, mapping: dict[str, Any], key_class: type | None = None,
                              **kwargs: Any) -> dict[Any, Any]:
            return super().mapping_from_dict(mapping, task_id if key_class is UUID else key_class, **kwargs)
    return Converter


def make_serializer(state_only: bool = False) -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer; with `state_only`, one whose documents leave out the specs."""
    # SpiffWorkflow 3.2.0's DEFAULT_CONFIG has no converter for the plain ServiceTask
    # that BpmnParser produces; duban runs service tasks as named actions, so the
    # generic task converter (lane, extensions, documentation) is all it needs.
    config = {**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter, Task: TaskStateConverter}
    workflow_converter = config.pop(BpmnWorkflow)
    config[DubanWorkflow] = _stored_as_bpmn_workflow(InstanceStateConverter if state_only else workflow_converter)
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
