"""Which running instances of a process can move onto a version, counted in one pass over them all for the
migration page, which then tries only the instances of the page it shows.

The count reads no more than it needs: a version that removes nothing from the one an instance is on lets every
instance of it move; one that removes only user tasks is answered by the open work items; only otherwise are the
stored states read (as JSON, not restored). The page's own rows are tried in full, as the migration would.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from engine.store.database import Session
from engine.store.models import HumanTask, HumanTaskStatus, InstanceStatus, ProcessInstance, ProcessVersion
from engine.workflow.migration import RemovedSteps, at_removed_step, removed_steps

#: instances a page of the migration lists
PAGE_SIZE = 50
SHOWN = ("all", "movable", "refused")


@dataclass(frozen=True)
class Candidate:
    """A running instance on another version than the target, as the migration page lists it."""

    instance_id: int
    business_key: str
    task_code: str
    version_id: int
    from_number: int


@dataclass
class Classified:
    """The candidates split by the quick check: those at a step the target version removes cannot move."""

    movable: list[Candidate] = field(default_factory=list)
    refused: list[Candidate] = field(default_factory=list)

    def shown(self, show: str) -> list[Candidate]:
        if show == "movable":
            return self.movable
        if show == "refused":
            return self.refused
        return sorted([*self.movable, *self.refused], key=lambda row: row.instance_id)


def classify(session: Session, candidates: list[Candidate], target: ProcessVersion) -> Classified:
    stuck: set[int] = set()
    for version_id in {row.version_id for row in candidates}:
        removed = removed_steps(session.get_one(ProcessVersion, version_id).spec_json, target.spec_json)
        if not removed.nothing():
            stuck |= _at_removed(session, version_id, removed)
    result = Classified()
    for row in candidates:
        (result.refused if row.instance_id in stuck else result.movable).append(row)
    return result


def _at_removed(session: Session, version_id: int, removed: RemovedSteps) -> set[int]:
    """The running instances of the version that are at a removed step."""
    running = (ProcessInstance.version_id == version_id, ProcessInstance.status == InstanceStatus.RUNNING)
    if removed.by_work_items:
        return set(session.scalars(select(HumanTask.instance_id).join(
            ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
            *running, HumanTask.status == HumanTaskStatus.OPEN,
            HumanTask.bpmn_id.in_(removed.steps.get("", frozenset())))))
    states = session.execute(select(ProcessInstance.id, ProcessInstance.state_json).where(*running))
    return {instance_id for instance_id, state in states if at_removed_step(state, removed)}
