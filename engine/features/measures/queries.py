"""Read models of strengthening measures: who sees which, the ledger by category, a measure's page, the figures."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, false, or_, select, true, union
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.core.actor import Actor
from engine.core.roles import Scope
from engine.core.settings import Settings
from engine.core.statuses import MeasureStatus, WarningLevel
from engine.core.text import like_escaped
from engine.features.accounts.access import Access
from engine.features.measures.colours import MeasureColour, assess
from engine.features.measures.records import PROCESSES, key_prefix, measure_id_of
from engine.store.models import (
    AuditEvent,
    HumanTask,
    HumanTaskStatus,
    Measure,
    MeasureReport,
    MeasureReview,
    ProcessInstance,
    User,
    measure_cooperating_units,
)

DISPLAY = (selectinload(Measure.lead_unit), selectinload(Measure.cooperating_units), selectinload(Measure.round))


def visible(access: Access, actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause limiting measures to what the actor may see: a unit sees those it leads or cooperates on."""
    if actor.is_system():
        return true()
    if not access.roles.allows(actor.role, "measure.view"):
        return false()
    scope = access.roles.scope(actor.role)
    if scope is Scope.ALL:
        return true()
    if scope is Scope.UNIT and actor.unit_id is not None:
        led = select(Measure.id).where(Measure.lead_unit_id == actor.unit_id)
        cooperating = select(measure_cooperating_units.c.measure_id).where(
            measure_cooperating_units.c.unit_id == actor.unit_id)
        return Measure.id.in_(union(led, cooperating))
    return false()


@dataclass(frozen=True)
class MeasureFilters:
    round_id: int | None = None
    unit_id: int | None = None
    colour: WarningLevel | None = None
    category: int | None = None
    q: str = ""

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.round_id:
            conditions.append(Measure.round_id == self.round_id)
        if self.unit_id:
            conditions.append(or_(Measure.lead_unit_id == self.unit_id, Measure.cooperating_units.any(id=self.unit_id)))
        if self.category:
            conditions.append(Measure.category_number == self.category)
        if self.q.strip():
            pattern = f"%{like_escaped(self.q.strip())}%"
            conditions.append(or_(Measure.title.ilike(pattern, escape="\\"),
                                  Measure.content.ilike(pattern, escape="\\")))
        return conditions


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    colour: MeasureColour | None
    last_report: MeasureReport | None
    last_review: MeasureReview | None
    current_steps: list[str]


@dataclass(frozen=True)
class CategoryGroup:
    number: int
    name: str
    rows: list[MeasureRow]


@dataclass
class MeasurePage:
    row: MeasureRow
    reports: list[MeasureReport]
    reviews: list[MeasureReview]
    history: list[AuditEvent]
    open_work: list[HumanTask]
    my_work: list[HumanTask]
    people: dict[int, str] = field(default_factory=dict)


def rows(session: Session, where: list[ColumnElement[bool]], today: date, settings: Settings) -> list[MeasureRow]:
    """The measures matching `where`, each with its colour, last report and review and the steps it waits on."""
    measures = list(session.scalars(select(Measure).options(*DISPLAY).where(*where)
                                    .order_by(Measure.round_id, Measure.category_number, Measure.number)))
    ids = [m.id for m in measures]
    reports: dict[int, list[MeasureReport]] = {}
    for report in session.scalars(select(MeasureReport).where(MeasureReport.measure_id.in_(ids))
                                  .order_by(MeasureReport.due_date)):
        reports.setdefault(report.measure_id, []).append(report)
    reviews: dict[int, MeasureReview] = {}
    for review in session.scalars(select(MeasureReview).where(MeasureReview.measure_id.in_(ids))
                                  .order_by(MeasureReview.year)):
        reviews[review.measure_id] = review
    steps = _open_steps(session, ids)
    return [MeasureRow(m, assess(m, reports.get(m.id, []), reviews.get(m.id), today, settings),
                       (reports.get(m.id) or [None])[-1], reviews.get(m.id), steps.get(m.id, []))
            for m in measures]


def _open_steps(session: Session, ids: list[int]) -> dict[int, list[str]]:
    steps: dict[int, list[str]] = {}
    if not ids:
        return steps
    query = (select(ProcessInstance.business_key, HumanTask.name)
             .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .where(HumanTask.status == HumanTaskStatus.OPEN, HumanTask.task_id.is_(None),
                    ProcessInstance.process_id.in_(PROCESSES)))
    wanted = set(ids)
    for key, name in session.execute(query):
        measure_id = measure_id_of(key)
        if measure_id in wanted:
            steps.setdefault(measure_id, []).append(name)
    return steps


def ledger(session: Session, access: Access, actor: Actor, filters: MeasureFilters, today: date,
           settings: Settings) -> list[CategoryGroup]:
    """The measures by category, as far as the actor may see them, narrowed by the filters (the colour last)."""
    found = [row for row in rows(session, [visible(access, actor), *filters.conditions()], today, settings)
             if filters.colour is None or (row.colour is not None and row.colour.level is filters.colour)]
    groups: dict[int, CategoryGroup] = {}
    for row in found:
        group = groups.setdefault(row.measure.category_number,
                                  CategoryGroup(row.measure.category_number, row.measure.category_name, []))
        group.rows.append(row)
    return list(groups.values())


def page(session: Session, access: Access, actor: Actor, measure_id: int, today: date,
         settings: Settings) -> MeasurePage | None:
    found = rows(session, [Measure.id == measure_id, visible(access, actor)], today, settings)
    if not found:
        return None
    row = found[0]
    reports = list(session.scalars(select(MeasureReport).where(MeasureReport.measure_id == measure_id)
                                   .order_by(MeasureReport.due_date.desc())))
    reviews = list(session.scalars(select(MeasureReview).where(MeasureReview.measure_id == measure_id)
                                   .order_by(MeasureReview.year.desc())))
    open_work = list(session.scalars(select(HumanTask).options(selectinload(HumanTask.unit))
                                     .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                                     .where(HumanTask.status == HumanTaskStatus.OPEN,
                                            ProcessInstance.process_id.in_(PROCESSES),
                                            ProcessInstance.business_key.startswith(key_prefix(measure_id)))
                                     .order_by(HumanTask.id)))
    result = MeasurePage(row, reports, reviews, history(session, measure_id, reports, reviews), open_work,
                         [work for work in open_work if access.can_act(actor, work)])
    result.people = dict(session.execute(select(User.id, User.display_name)).all())  # type: ignore[arg-type]
    return result


def history(session: Session, measure_id: int, reports: list[MeasureReport],
            reviews: list[MeasureReview]) -> list[AuditEvent]:
    objects = [and_(AuditEvent.object_type == "measure", AuditEvent.object_id == str(measure_id))]
    if reports:
        objects.append(and_(AuditEvent.object_type == "measure_report",
                            AuditEvent.object_id.in_([str(r.id) for r in reports])))
    if reviews:
        objects.append(and_(AuditEvent.object_type == "measure_review",
                            AuditEvent.object_id.in_([str(r.id) for r in reviews])))
    return list(session.scalars(select(AuditEvent).where(or_(*objects)).order_by(AuditEvent.at, AuditEvent.id)))


@dataclass(frozen=True)
class MeasureFigures:
    """The dashboard's measures block: how many measures, by category and by colour."""

    total: int
    closed: int
    by_colour: dict[str, int]
    by_category: list[tuple[int, str, dict[str, int]]]


def figures(session: Session, access: Access, actor: Actor, today: date, settings: Settings,
            round_id: int | None = None) -> MeasureFigures:
    where = [visible(access, actor), *([Measure.round_id == round_id] if round_id else [])]
    found = rows(session, where, today, settings)
    by_colour = Counter(row.colour.level.value for row in found if row.colour is not None)
    categories: dict[int, tuple[str, Counter[str]]] = {}
    for row in found:
        _name, counts = categories.setdefault(row.measure.category_number, (row.measure.category_name, Counter()))
        counts[row.colour.level.value if row.colour is not None else "closed"] += 1
    return MeasureFigures(len(found), sum(1 for row in found if row.measure.status is MeasureStatus.CLOSED),
                          {level.value: by_colour[level.value] for level in WarningLevel},
                          [(number, name, dict(counts)) for number, (name, counts) in sorted(categories.items())])


_MEASURES_WITH_UNIT = (select(Measure).options(joinedload(Measure.lead_unit))
                       .where(Measure.id.in_(bindparam("ids", expanding=True))))


def inbox_measures(session: Session, instances: Mapping[int, tuple[str, str]]) -> dict[int, Measure]:
    """The measures of some inbox entries, by process instance (instances: each one's process and business key);
    a measure may have several periods' reports open at once."""
    measure_of = {instance_id: measure_id_of(key) for instance_id, (process_id, key) in instances.items()
                  if process_id in PROCESSES}
    wanted = {measure_id for measure_id in measure_of.values() if measure_id is not None}
    if not wanted:
        return {}
    measures = {measure.id: measure for measure in session.scalars(_MEASURES_WITH_UNIT, {"ids": sorted(wanted)})}
    return {instance_id: measures[measure_id] for instance_id, measure_id in measure_of.items()
            if measure_id in measures}


@dataclass
class MeasureWorkItem:
    """A step of a measure's process with the measure's page, what the form needs beside it and starts from."""

    work: HumanTask
    page: MeasurePage
    extra: dict[str, Any] = field(default_factory=dict)
    initial: dict[str, Any] | None = None


def measure_of_instance(session: Session, instance_id: int) -> int | None:
    """The measure a process instance works for, if it is one of a measure's."""
    found = session.execute(select(ProcessInstance.process_id, ProcessInstance.business_key)
                            .where(ProcessInstance.id == instance_id)).one_or_none()
    if found is None or found[0] not in PROCESSES:
        return None
    return measure_id_of(found[1])
