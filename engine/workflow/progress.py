"""Where a task's process has been and where it waits: the data behind its diagram."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from engine.store.models import HumanTask, HumanTaskStatus, InstanceStatus, ProcessInstance, ProcessVersion
from engine.workflow.instances import Processes
from engine.workflow.loader import NS

#: when one element is in several states (loops), the most telling one wins
PRECEDENCE = {"current": 3, "waiting": 2, "done": 1, "cancelled": 0}


@dataclass(frozen=True)
class NodeState:
    state: str
    role: str = ""
    unit: str = ""
    due: datetime | None = None


@dataclass
class ProcessPath:
    bpmn_xml: str
    nodes: dict[str, NodeState] = field(default_factory=dict)
    flows_taken: set[str] = field(default_factory=set)
    steps: set[tuple[str, str]] = field(default_factory=set)  # (from element, to element) actually moved along

    def mark(self, element_id: str, state: NodeState) -> None:
        current = self.nodes.get(element_id)
        if current is None or PRECEDENCE[state.state] > PRECEDENCE[current.state]:
            self.nodes[element_id] = state


def task_path(session: Session, processes: Processes, task_id: int) -> ProcessPath | None:
    """The path of the instances that work for a task (task_id): its main process and its running companions
    (on a rectification task: its report cycles and deadline timers), drawn as one."""
    instances = _instances_to_show(session, task_id)
    if not instances:
        return None
    files = _files_of(session, instances)
    path = ProcessPath(files[instances[0].version_id])
    # an instance drawn from another file version is left out: its ids may not match this picture
    drawn = [instance for instance in instances if files[instance.version_id] == path.bpmn_xml]
    waiting = _waiting_work(session, [instance.id for instance in drawn])
    for instance in drawn:
        _mark_instance(path, processes.load(session, instance), waiting)
    path.flows_taken = _flows_taken(path)
    return path


def instance_path(session: Session, processes: Processes, instance: ProcessInstance) -> ProcessPath:
    """The path of one instance, drawn on its own version's file."""
    path = ProcessPath(instance.version.bpmn_xml)
    _mark_instance(path, processes.load(session, instance), _waiting_work(session, [instance.id]))
    path.flows_taken = _flows_taken(path)
    return path


def _instances_to_show(session: Session, task_id: int) -> list[ProcessInstance]:
    """The task's main instance and its running companions."""
    instances = list(session.scalars(select(ProcessInstance).where(
        ProcessInstance.task_id == task_id,
        or_(ProcessInstance.parent_id.is_(None), ProcessInstance.status == InstanceStatus.RUNNING))
        .order_by(ProcessInstance.parent_id.is_not(None), ProcessInstance.id)))
    if not instances or instances[0].parent_id is not None:
        return []
    return [instances[0], *(instance for instance in instances if instance.parent_id is not None)]


def _files_of(session: Session, instances: list[ProcessInstance]) -> dict[int, str]:
    """The BPMN file of each of these instances' versions (one read for all)."""
    return dict(session.execute(select(ProcessVersion.id, ProcessVersion.bpmn_xml).where(  # type: ignore[arg-type]
        ProcessVersion.id.in_({instance.version_id for instance in instances}))).all())


def _waiting_work(session: Session, instance_ids: list[int]) -> dict[str, HumanTask]:
    """The open work items of these instances by their SpiffWorkflow task's id, with their units."""
    rows = session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.instance_id.in_(instance_ids), HumanTask.status == HumanTaskStatus.OPEN))
    return {row.spiff_task_id: row for row in rows}


def _mark_instance(path: ProcessPath, workflow: BpmnWorkflow, waiting: dict[str, HumanTask]) -> None:
    for spiff_task in workflow.get_tasks():
        element_id = spiff_task.task_spec.bpmn_id
        if not element_id:
            continue  # SpiffWorkflow's own bookkeeping tasks have no element in the picture
        state = _state_of(spiff_task, waiting.get(str(spiff_task.id)))
        if state is not None:
            path.mark(element_id, state)
            origin = _visible_parent(spiff_task)
            if origin is not None and origin.state == TaskState.COMPLETED:
                path.steps.add((origin.task_spec.bpmn_id, element_id))


def _visible_parent(spiff_task: Any) -> Any:
    """The nearest ancestor in the task tree that is an element of the diagram."""
    parent = spiff_task.parent
    while parent is not None and not parent.task_spec.bpmn_id:
        parent = parent.parent
    return parent


def _state_of(spiff_task: object, work: HumanTask | None) -> NodeState | None:
    state = spiff_task.state  # type: ignore[attr-defined]
    if state == TaskState.COMPLETED:
        return NodeState("done")
    if state == TaskState.READY and work is not None:
        return NodeState("current", work.role, work.unit.name if work.unit else "", work.due_at)
    if state == TaskState.WAITING and getattr(spiff_task.task_spec, "event_definition", None) is not None:  # type: ignore[attr-defined]
        due = spiff_task.internal_data.get("event_value")  # type: ignore[attr-defined]
        return NodeState("waiting", due=_parse_due(due))
    return None


def _parse_due(value: object) -> datetime | None:
    if isinstance(value, dict):
        value = value.get("next")
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _flows_taken(path: ProcessPath) -> set[str]:
    """The sequence flows the instance really moved along (the task tree records each move)."""
    root = etree.fromstring(path.bpmn_xml.encode("utf-8"))
    return {flow.get("id") for flow in root.iterfind(".//bpmn:sequenceFlow", NS)
            if (flow.get("sourceRef"), flow.get("targetRef")) in path.steps}
