"""The workflow serializer, taught the one spec class its default config forgets, and one that stores an
instance's state without its specs."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask


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


def make_serializer(state_only: bool = False) -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer; with `state_only`, one whose documents leave out the specs."""
    # SpiffWorkflow 3.2.0's DEFAULT_CONFIG has no converter for the plain ServiceTask that BpmnParser produces;
    # duban runs service tasks as named actions, so the generic task converter (lane, extensions,
    # documentation) is all it needs.
    config = {**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter}
    if state_only:
        config[BpmnWorkflow] = InstanceStateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
