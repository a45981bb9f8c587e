"""Read models of contributions: a task's, those of a report's month, and each cooperating unit's colour."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from engine.core.settings import Settings
from engine.core.statuses import ContributionStatus, WarningLevel
from engine.features.rectification.warnings import cooperation_colour
from engine.store.models import Contribution, RectificationTask

#: how many months of a unit's contributions its colour is read from
RECENT = 12
SEVERITY = {WarningLevel.GREEN: 0, WarningLevel.YELLOW: 1, WarningLevel.RED: 2}


@dataclass(frozen=True)
class UnitCooperation:
    """A cooperating unit's record: its colour (the worst over its tasks) and its missing contributions."""

    colour: WarningLevel
    missing: int


def of_task(session: Session, task_id: int) -> list[Contribution]:
    return list(session.scalars(select(Contribution).options(selectinload(Contribution.unit))
                                .where(Contribution.task_id == task_id)
                                .order_by(Contribution.period.desc(), Contribution.id)))


def of_period(session: Session, task_id: int, period: str) -> list[Contribution]:
    """The contributions to the lead unit's report of one month."""
    return [c for c in of_task(session, task_id) if c.period == period]


def colours_on_task(contributions: list[Contribution], settings: Settings) -> dict[int, WarningLevel]:
    """Each cooperating unit's colour on the task these contributions (newest first) are for."""
    missed: dict[int, list[bool]] = defaultdict(list)
    for contribution in contributions:
        if contribution.status is not ContributionStatus.REQUESTED:
            missed[contribution.unit_id].append(contribution.status is ContributionStatus.MISSING)
    return {unit_id: cooperation_colour(marks, settings) for unit_id, marks in missed.items()}


def by_unit(session: Session, scope: ColumnElement[bool], settings: Settings) -> dict[int, UnitCooperation]:
    """unit -> its colour as a cooperating unit (the worst of its tasks) and its missing contributions."""
    rows = session.execute(select(Contribution.task_id, Contribution.unit_id, Contribution.status)
                           .join(RectificationTask).where(scope, Contribution.status != ContributionStatus.REQUESTED)
                           .order_by(Contribution.period.desc()))
    missed: dict[tuple[int, int], list[bool]] = defaultdict(list)
    for task_id, unit_id, status in rows:
        if len(missed[task_id, unit_id]) < RECENT:
            missed[task_id, unit_id].append(status is ContributionStatus.MISSING)
    record: dict[int, UnitCooperation] = {}
    for (_task_id, unit_id), marks in missed.items():
        colour = cooperation_colour(marks, settings)
        before = record.get(unit_id, UnitCooperation(WarningLevel.GREEN, 0))
        worst = max(before.colour, colour, key=SEVERITY.__getitem__)
        record[unit_id] = UnitCooperation(worst, before.missing + sum(marks))
    return record
