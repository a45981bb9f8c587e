"""The workflow serializer, taught the one spec class its default config forgets and the workflow
class duban runs, and the converter that stores an instance's state without its specs."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask

from engine.bpmn.workflow import DubanWorkflow


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
    """The converter, for DubanWorkflow under the name BpmnWorkflow: states read and written are SpiffWorkflow's."""
    class Converter(converter):  # type: ignore[valid-type,misc]
        def __init__(self, target_class: type, registry: Any) -> None:
            super().__init__(target_class, registry, typename=BpmnWorkflow.__name__)
    return Converter


def make_serializer(state_only: bool = False) -> BpmnWorkflowSerializer:
    """SpiffWorkflow's serializer; with `state_only`, one whose documents leave out the specs."""
    # SpiffWorkflow 3.2.0's DEFAULT_CONFIG has no converter for the plain ServiceTask
    # that BpmnParser produces; duban runs service tasks as named actions, so the
    # generic task converter (lane, extensions, documentation) is all it needs.
    config = {**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter}
    workflow_converter = config.pop(BpmnWorkflow)
    config[DubanWorkflow] = _stored_as_bpmn_workflow(InstanceStateConverter if state_only else workflow_converter)
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
