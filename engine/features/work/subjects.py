"""What a work item is for: a rectification task or, belonging to no task, a complaint case (信访件), a strengthening
measure (强化措施) or a problem clue (问题线索). Each kind of work is opened as its own page opens it, with that page's
permission; its subject is said the same way whatever the kind (the API's `subject`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select

from engine.core.errors import NotFound
from engine.features.cases.queries import of_instance as case_of_instance
from engine.features.clues.queries import ClueWorkItem, clue_of_instance
from engine.features.measures.queries import MeasureWorkItem, measure_of_instance
from engine.features.work.inbox import InboxEntry
from engine.features.work.items import CaseWorkItem, WorkItem
from engine.store.database import Session
from engine.store.models import Clue, ComplaintCase, HumanTask, Measure, RectificationTask

SubjectKind = Literal["task", "case", "measure", "clue"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("task", "case", "measure", "clue")
#: the permission the pages of a kind's work ask beyond the work item's own role and unit (a task's: none)
KIND_PERMISSIONS: dict[str, str] = {"case": "case.view", "measure": "measure.view", "clue": "clue.view"}

AnyWorkItem = WorkItem | CaseWorkItem | MeasureWorkItem | ClueWorkItem


@dataclass(frozen=True)
class Subject:
    """What a piece of work is about, as a list names it: its kind, its record, its code or number and title."""

    kind: SubjectKind
    id: int
    code: str
    title: str


def kind_of(session: Session, human_task_id: int) -> SubjectKind:
    """The kind of record a work item works for; work of nothing duban knows is not found."""
    found = session.execute(select(HumanTask.task_id, HumanTask.instance_id)
                            .where(HumanTask.id == human_task_id)).one_or_none()
    if found is None:
        raise NotFound("没有找到这项工作")
    task_id, instance_id = found
    if task_id is not None:
        return "task"
    if measure_of_instance(session, instance_id) is not None:
        return "measure"
    if case_of_instance(session, instance_id) is not None:
        return "case"
    if clue_of_instance(session, instance_id) is not None:
        return "clue"
    raise NotFound("没有找到这项工作")


def subject_of(item: AnyWorkItem) -> Subject:
    """The subject of an opened work item, whatever its kind."""
    if isinstance(item, WorkItem):
        return _task(item.task)
    if isinstance(item, CaseWorkItem):
        return _case(item.page.case)
    if isinstance(item, MeasureWorkItem):
        return _measure(item.page.row.measure)
    return _clue(item.page.clue)


def entry_subject(entry: InboxEntry) -> Subject | None:
    """The subject of an inbox entry, as the inbox shows it (None: work of nothing duban knows)."""
    if entry.work.task is not None:
        return _task(entry.work.task)
    if entry.case is not None:
        return _case(entry.case)
    if entry.measure is not None:
        return _measure(entry.measure)
    return _clue(entry.clue) if entry.clue is not None else None


def _task(task: RectificationTask) -> Subject:
    return Subject("task", task.id, task.code, task.title)


def _case(case: ComplaintCase) -> Subject:
    return Subject("case", case.id, case.number, case.place or case.polluter or case.number)


def _measure(measure: Measure) -> Subject:
    return Subject("measure", measure.id, measure.code, measure.title)


def _clue(clue: Clue) -> Subject:
    return Subject("clue", clue.id, clue.number, clue.title)
