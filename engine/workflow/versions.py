"""Deployed versions of the processes: numbered per process, stored with their BPMN, compared with each other.

Every process and sweeper reads the current version from the database (the highest number), so a version
deployed by one of them is the one all of them start new instances on.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from sqlalchemy import bindparam, func, select

from engine.core.actor import Actor
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import ProcessVersion
from engine.workflow.loader import ProcessDefinition
from engine.workflow.serializer import make_serializer

#: converts task specs to compare them, as SpiffWorkflow's diff expects
_REGISTRY = make_serializer().registry


@dataclass(frozen=True)
class StepChange:
    """One BPMN element of a process that a new version adds, removes or changes (`what`: the attributes)."""

    bpmn_id: str
    name: str
    what: tuple[str, ...] = ()
    was: str = ""  # the name before, when the new version renames it


@dataclass
class VersionDiff:
    """What a version changes against another of the same process (against none: the first version)."""

    process_id: str
    name: str
    file_name: str
    from_number: int | None
    number: int | None = None  # the number it was (or would be) deployed as
    added: list[StepChange] = field(default_factory=list)
    removed: list[StepChange] = field(default_factory=list)
    changed: list[StepChange] = field(default_factory=list)
    same_as: int | None = None  # the content is already deployed, as this version

    def is_new(self) -> bool:
        return self.same_as is None


def current_version(session: Session, process_id: str) -> ProcessVersion | None:
    """The version new instances of the process start on: the one deployed last."""
    return session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                          .order_by(ProcessVersion.number.desc()).limit(1))


#: read at every start of an instance: built once
_CURRENT_VERSION_ID = (select(ProcessVersion.id).where(ProcessVersion.process_id == bindparam("process_id"))
                       .order_by(ProcessVersion.number.desc()).limit(1))


def current_version_id(session: Session, process_id: str) -> int | None:
    """The id of current_version."""
    return session.scalar(_CURRENT_VERSION_ID, {"process_id": process_id})


def version_by_number(session: Session, process_id: str, number: int) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                       ProcessVersion.number == number))


def compare(session: Session, definitions: Sequence[ProcessDefinition]) -> list[VersionDiff]:
    """Each definition against the current version of its process, without storing anything."""
    return [_compare_one(session, definition) for definition in definitions]


def store_new(session: Session, definitions: Sequence[ProcessDefinition], now: datetime) -> list[VersionDiff]:
    """Store each definition whose content is not deployed yet as the next version of its process; the diffs of
    every definition (those already deployed say `same_as`)."""
    diffs = []
    for definition in definitions:
        diff = _compare_one(session, definition)
        if diff.is_new():
            session.add(ProcessVersion(process_id=definition.process_id, name=definition.name, number=diff.number,
                                       sha256=definition.sha256, file_name=definition.file_name,
                                       bpmn_xml=definition.bpmn_xml, spec_json=definition.spec_json,
                                       deployed_at=now))
            session.flush()
        diffs.append(diff)
    return diffs


def _compare_one(session: Session, definition: ProcessDefinition) -> VersionDiff:
    diff = VersionDiff(definition.process_id, definition.name, definition.file_name, None)
    same = session.scalar(select(ProcessVersion.number).where(ProcessVersion.process_id == definition.process_id,
                                                              ProcessVersion.sha256 == definition.sha256))
    if same is not None:
        diff.same_as = diff.number = same
        return diff
    current = current_version(session, definition.process_id)
    last = session.scalar(select(func.max(ProcessVersion.number))
                          .where(ProcessVersion.process_id == definition.process_id))
    diff.number = (last or 0) + 1
    if current is not None:
        diff.from_number = current.number
        _fill(diff, spec_diffs(current.spec_json, definition.spec_json))
    return diff


def spec_diffs(old_spec_json: str, new_spec_json: str) -> list[SpecDiff]:
    """SpiffWorkflow's diff of the process spec and of each call activity's spec both versions have."""
    old, new = _specs(old_spec_json), _specs(new_spec_json)
    return [SpecDiff(_REGISTRY, old[name], new[name]) for name in old if name in new]


def spec_pairs(old_spec_json: str, new_spec_json: str) -> list[tuple[str, BpmnProcessSpec, BpmnProcessSpec | None]]:
    """Each process spec of the old version ("" the top one) with the new version's of the same name, if any."""
    old, new = _specs(old_spec_json), _specs(new_spec_json)
    return [(name, spec, new.get(name)) for name, spec in old.items()]


def _specs(spec_json: str) -> dict[str, BpmnProcessSpec]:
    document = json.loads(spec_json)
    specs = {"": _REGISTRY.restore(document["spec"])}
    specs.update({name: _REGISTRY.restore(spec) for name, spec in document["subprocess_specs"].items()})
    return specs


def _fill(diff: VersionDiff, spec_diffs: Sequence[SpecDiff]) -> None:
    for each in spec_diffs:
        diff.added += [_change(spec) for spec in each.added if _is_element(spec)]
        diff.removed += [_change(spec) for spec in each.removed if _is_element(spec)]
        diff.changed += [_changed(spec, each.alignment[spec], tuple(keys)) for spec, keys in each.changed.items()
                         if _is_element(spec)]


def _is_element(spec: Any) -> bool:
    """A spec drawn in the BPMN (not one SpiffWorkflow adds: Start, End, a boundary event's split)."""
    return bool(getattr(spec, "bpmn_id", None))


def _change(spec: Any) -> StepChange:
    return StepChange(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id)


def _changed(old: Any, new: Any, what: tuple[str, ...]) -> StepChange:
    name, before = new.bpmn_name or new.bpmn_id, old.bpmn_name or old.bpmn_id
    return StepChange(new.bpmn_id, name, what, before if before != name else "")


def record_deployment(session: Session, actor: Actor, now: datetime, diff: VersionDiff) -> None:
    """The audit event of a deployed version, with what it changes against the version it follows."""
    against = f"，相对第 {diff.from_number} 版" if diff.from_number else ""
    counts = f"新增 {len(diff.added)} 个、删除 {len(diff.removed)} 个、修改 {len(diff.changed)} 个环节" \
        if diff.from_number else "首个版本"
    record(session, actor, now, "process.deployed", ("process", f"{diff.process_id}@{diff.number}"),
           f"部署「{diff.name}」第 {diff.number} 版（{diff.file_name}{against}：{counts}）",
           after={"process": diff.process_id, "number": diff.number, "file": diff.file_name,
                  "from_number": diff.from_number,
                  "added": [change.bpmn_id for change in diff.added],
                  "removed": [change.bpmn_id for change in diff.removed],
                  "changed": {change.bpmn_id: list(change.what) for change in diff.changed}})
