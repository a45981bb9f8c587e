"""The workflow serializer, taught the one spec class its default config forgets."""
from __future__ import annotations

from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask


def make_serializer() -> BpmnWorkflowSerializer:
    # SpiffWorkflow 3.2.0's DEFAULT_CONFIG has no converter for the plain ServiceTask
    # that BpmnParser produces; duban runs service tasks as named actions, so the
    # generic task converter (lane, extensions, documentation) is all it needs.
    config = {**DEFAULT_CONFIG, ServiceTask: BpmnTaskSpecConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
