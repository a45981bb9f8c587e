"""The units' record on the dashboard beside their tasks: the chases (催办) they owe or let pass, their colour as
a cooperating unit (会办) and its missing contributions; and the leaders' instructions still open."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine.core.settings import Settings
from engine.core.statuses import WarningLevel
from engine.features.chasing import queries as chases
from engine.features.cooperation import queries as contributions
from engine.features.instructions.usecases import open_count
from engine.features.rectification.queries import open_instruction
from engine.store.models import RectificationTask, Unit


@dataclass(frozen=True)
class UnitRecord:
    unit_id: int
    unit: str
    chases_unanswered: int = 0
    chases_overdue: int = 0
    cooperation: WarningLevel = WarningLevel.GREEN
    contributions_missing: int = 0

    def has_something(self) -> bool:
        return bool(self.chases_unanswered or self.chases_overdue or self.contributions_missing)


def unit_records(session: Session, scope: ColumnElement[bool], settings: Settings) -> list[UnitRecord]:
    """The units with a chase unanswered or late, or a contribution missing, in the unit tree's order."""
    chased = chases.by_unit(session, scope)
    cooperating = contributions.by_unit(session, scope, settings)
    ids = chased.keys() | cooperating.keys()
    if not ids:
        return []
    units = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)).order_by(Unit.position))
    records = []
    for unit_id, name in units:
        unanswered, overdue = chased.get(unit_id, (0, 0))
        cooperation = cooperating.get(unit_id)
        record = UnitRecord(unit_id, name, unanswered, overdue,
                            cooperation.colour if cooperation else WarningLevel.GREEN,
                            cooperation.missing if cooperation else 0)
        if record.has_something():
            records.append(record)
    return records


def open_instructions(session: Session, scope: ColumnElement[bool]) -> int:
    return open_count(session, scope)


def instructed_tasks(session: Session, scope: ColumnElement[bool]) -> int:
    """The tasks with an instruction still open: what the ledger lists with its `instructed` filter."""
    return session.scalar(select(func.count(RectificationTask.id)).where(scope, open_instruction())) or 0
