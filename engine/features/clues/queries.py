"""Read models of problem clues: the register, a clue's page, a task's clues."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.core.actor import Actor
from engine.core.statuses import ClueStatus
from engine.core.text import like_escaped
from engine.features.accounts.access import Access
from engine.features.clues.forms import CLUE_PROCESS
from engine.store.models import AuditEvent, Clue, HumanTask, HumanTaskStatus, User, clue_units

PAGE_SIZE = 25
OPEN = "open"
CLUE_DISPLAY = (selectinload(Clue.tasks), selectinload(Clue.units), selectinload(Clue.persons))


@dataclass(frozen=True)
class ClueFilters:
    status: str = ""  # a ClueStatus value, or "open"
    unit_id: int | None = None
    q: str = ""
    page: int = 1

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.status == OPEN:
            conditions.append(Clue.status != ClueStatus.CLOSED)
        elif self.status in ClueStatus._value2member_map_:
            conditions.append(Clue.status == ClueStatus(self.status))
        if self.unit_id:
            conditions.append(exists(select(clue_units.c.clue_id).where(
                clue_units.c.clue_id == Clue.id, clue_units.c.unit_id == self.unit_id)))
        if self.q.strip():
            pattern = f"%{like_escaped(self.q.strip())}%"
            conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in (
                Clue.number, Clue.title, Clue.content, Clue.source))))
        return conditions


@dataclass(frozen=True)
class ClueRow:
    clue: Clue
    current_steps: list[str]


@dataclass(frozen=True)
class ClueRegister:
    rows: list[ClueRow]
    total: int
    page: int
    pages: int


@dataclass
class CluePage:
    clue: Clue
    history: list[AuditEvent]
    open_work: list[HumanTask]
    my_work: list[HumanTask]
    people: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClueWorkItem:
    work: HumanTask
    page: CluePage


def register(session: Session, filters: ClueFilters) -> ClueRegister:
    where = filters.conditions()
    total = session.scalar(select(func.count(Clue.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    clues = list(session.scalars(select(Clue).options(*CLUE_DISPLAY).where(*where).order_by(Clue.id.desc())
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    steps: dict[int, list[str]] = {}
    query = select(HumanTask.instance_id, HumanTask.name).where(
        HumanTask.instance_id.in_([c.instance_id for c in clues if c.instance_id]),
        HumanTask.status == HumanTaskStatus.OPEN)
    for instance_id, name in session.execute(query):
        steps.setdefault(instance_id, []).append(name)
    return ClueRegister([ClueRow(c, steps.get(c.instance_id or 0, [])) for c in clues], total, page, pages)


def load(session: Session, clue_id: int) -> Clue | None:
    return session.scalar(select(Clue).options(*CLUE_DISPLAY).where(Clue.id == clue_id))


def clue_of_instance(session: Session, instance_id: int) -> Clue | None:
    return session.scalar(select(Clue).options(*CLUE_DISPLAY).where(Clue.instance_id == instance_id))


def clue_page(session: Session, access: Access, actor: Actor, clue: Clue) -> CluePage:
    history = list(session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "clue", AuditEvent.object_id == str(clue.id)).order_by(AuditEvent.at, AuditEvent.id)))
    open_work = list(session.scalars(select(HumanTask).options(joinedload(HumanTask.unit)).where(
        HumanTask.instance_id == (clue.instance_id or 0), HumanTask.status == HumanTaskStatus.OPEN)
        .order_by(HumanTask.id)))  # the unit named after the session (the API's steps)
    page = CluePage(clue, history, open_work, [w for w in open_work if access.can_act(actor, w)])
    page.people = dict(session.execute(select(User.id, User.display_name)).all())  # type: ignore[arg-type]
    return page


def for_task(session: Session, task_id: int) -> list[Clue]:
    return list(session.scalars(select(Clue).where(Clue.tasks.any(id=task_id)).order_by(Clue.id.desc())))


_CLUES_OF_INSTANCES = (select(Clue).options(joinedload(Clue.units))
                       .where(Clue.instance_id.in_(bindparam("ids", expanding=True))))


def inbox_clues(session: Session, instances: Mapping[int, tuple[str, str]]) -> dict[int, Clue]:
    """The clues of some inbox entries, by process instance (instances: each one's process and business key)."""
    instance_ids = [instance_id for instance_id, (process_id, _) in instances.items() if process_id == CLUE_PROCESS]
    if not instance_ids:
        return {}
    clues = session.scalars(_CLUES_OF_INSTANCES, {"ids": instance_ids})
    return {clue.instance_id or 0: clue for clue in clues.unique()}
