"""Read models of contributions: a task's, those of a report's month, and each cooperating unit's colour."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from engine.core.settings import Settings
from engine.core.statuses import ContributionStatus, WarningLevel
from engine.features.rectification.warnings import cooperation_colour
from engine.store.models import Contribution, RectificationTask

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
    """unit -> its colour as a cooperating unit (the worst of its tasks) and its missing contributions.

    The colour reads only each task's last K contributions (K = red_after_yellow_periods), numbered in the
    database; the missing ones are counted there too."""
    settled = (Contribution.status != ContributionStatus.REQUESTED, scope)
    newness = func.row_number().over(partition_by=(Contribution.task_id, Contribution.unit_id),
                                     order_by=Contribution.period.desc()).label("newness")
    numbered = (select(Contribution.task_id, Contribution.unit_id, Contribution.status, newness)
                .join(RectificationTask).where(*settled).subquery())
    recent = session.execute(select(numbered.c.task_id, numbered.c.unit_id, numbered.c.status)
                             .where(numbered.c.newness <= settings.red_after_yellow_periods)
                             .order_by(numbered.c.task_id, numbered.c.unit_id, numbered.c.newness))
    missed: dict[tuple[int, int], list[bool]] = defaultdict(list)
    for task_id, unit_id, status in recent:
        missed[task_id, unit_id].append(ContributionStatus(status) is ContributionStatus.MISSING)
    counts: dict[int, int] = {unit_id: count for unit_id, count in session.execute(
        select(Contribution.unit_id, func.count(Contribution.id)).join(RectificationTask)
        .where(scope, Contribution.status == ContributionStatus.MISSING).group_by(Contribution.unit_id))}
    colours: dict[int, WarningLevel] = {}
    for (_task_id, unit_id), marks in missed.items():
        colours[unit_id] = max(colours.get(unit_id, WarningLevel.GREEN), cooperation_colour(marks, settings),
                               key=SEVERITY.__getitem__)
    return {unit_id: UnitCooperation(colours.get(unit_id, WarningLevel.GREEN), counts.get(unit_id, 0))
            for unit_id in colours.keys() | counts.keys()}
