"""How many complaint cases, by batch, unit, category and finding, and how many are open and overdue: the
dashboard's and the monthly bulletin's figures, counted as the register counts them."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from engine.core.statuses import CaseCategory, CaseFinding
from engine.features.cases.queries import OPEN_STATUSES
from engine.store.models import CaseBatch, ComplaintCase, Unit


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
                      {finding: findings[finding] for finding in CaseFinding if findings[finding]})
