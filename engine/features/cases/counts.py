"""How many complaint cases, by batch, unit, category and finding, and how many are open and overdue: the
dashboard's and the monthly bulletin's figures, counted as the register counts them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from engine.core.statuses import UNDER_WAY_ESCALATION_STATUSES, CaseCategory, CaseFinding, EscalationLevel
from engine.features.cases.queries import OPEN_STATUSES
from engine.store.models import CaseBatch, ComplaintCase, Escalation, Unit


@dataclass(frozen=True)
class CaseLine:
    """One batch's (named by its number) or one unit's cases: all, still open, open past their report date."""

    key: int
    name: str
    total: int
    open: int
    overdue: int


@dataclass(frozen=True)
class CaseCounts:
    total: int = 0
    open: int = 0
    overdue: int = 0
    batches: list[CaseLine] = field(default_factory=list)
    units: list[CaseLine] = field(default_factory=list)
    categories: dict[CaseCategory, int] = field(default_factory=dict)
    findings: dict[CaseFinding, int] = field(default_factory=dict)
    #: 督办问责 of cases approved and not finished, by level (通报, 约谈 …)
    escalations: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseEscalations:
    """The cases' escalations of a period, as the bulletin lists a task's: approved in it (named by the case's
    第N批-number and unit), and started in it."""

    issued: list[dict[str, Any]]
    started: int


def case_counts(session: Session, visible: ColumnElement[bool], today: date) -> CaseCounts:
    is_open = ComplaintCase.status.in_(OPEN_STATUSES)
    figures = (func.count(), func.count().filter(is_open),
               func.count().filter(and_(is_open, ComplaintCase.report_due < today)))
    batches = [CaseLine(batch_id, str(number), *counts) for batch_id, number, *counts in session.execute(
        select(CaseBatch.id, CaseBatch.number, *figures).join(CaseBatch, CaseBatch.id == ComplaintCase.batch_id)
        .where(visible).group_by(CaseBatch.id, CaseBatch.number).order_by(CaseBatch.id))]
    units = [CaseLine(unit_id, name, *counts) for unit_id, name, *counts in session.execute(
        select(Unit.id, Unit.name, *figures).join(Unit, Unit.id == ComplaintCase.unit_id).where(visible)
        .group_by(Unit.id, Unit.name, Unit.position).order_by(func.count().filter(is_open).desc(), Unit.position))]
    categories = Counter(dict(session.execute(select(ComplaintCase.category, func.count()).where(visible)
                                              .group_by(ComplaintCase.category)).all()))
    findings = Counter(dict(session.execute(select(ComplaintCase.finding, func.count()).where(
        visible, ComplaintCase.finding.is_not(None)).group_by(ComplaintCase.finding)).all()))
    return CaseCounts(sum(line.total for line in batches), sum(line.open for line in batches),
                      sum(line.overdue for line in batches), batches, units,
                      {category: categories[category] for category in CaseCategory if categories[category]},
                      {finding: findings[finding] for finding in CaseFinding if findings[finding]},
                      _under_way(session, visible))


def _under_way(session: Session, visible: ColumnElement[bool]) -> dict[str, int]:
    levels = session.scalars(select(Escalation.approved_level).join(
        ComplaintCase, ComplaintCase.id == Escalation.case_id).where(
        visible, Escalation.approved_level.is_not(None), Escalation.status.in_(UNDER_WAY_ESCALATION_STATUSES)))
    return dict(Counter(EscalationLevel(level).label for level in levels))


def case_escalations(session: Session, visible: ColumnElement[bool], start: datetime, end: datetime) -> CaseEscalations:
    """The escalations of the cases in view approved within [start, end), and how many were started in it."""
    rows = session.execute(
        select(Escalation, CaseBatch.number, ComplaintCase.number, Unit.name)
        .join(ComplaintCase, ComplaintCase.id == Escalation.case_id)
        .join(CaseBatch, CaseBatch.id == ComplaintCase.batch_id).join(Unit, Unit.id == Escalation.unit_id)
        .where(visible, Escalation.approved_level.is_not(None), Escalation.decided_at >= start,
               Escalation.decided_at < end).order_by(Escalation.decided_at, Escalation.id))
    issued = [{"case_id": e.case_id, "code": f"第{batch}批-{number}", "unit": unit,
               "level": EscalationLevel(e.approved_level).label, "issued_at": e.decided_at, "reason": e.reasons}
              for e, batch, number, unit in rows]
    started = session.scalar(select(func.count(Escalation.id)).join(
        ComplaintCase, ComplaintCase.id == Escalation.case_id).where(
        visible, Escalation.opened_at >= start, Escalation.opened_at < end)) or 0
    return CaseEscalations(issued, started)
