"""强化措施: a round's strengthening measures (举一反三), their periodic reports and yearly reviews."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import MeasurePeriodKind, MeasureRating, MeasureReportStatus, MeasureStatus
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit
    from engine.store.models.rounds import InspectionRound

measure_cooperating_units = Table(
    "measure_cooperating_units",
    Base.metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class Measure(Base):
    """One strengthening measure of a round: long-term work of a lead unit, reported each period, reviewed yearly."""

    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("round_id", "number", name="ux_measures_round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    #: 一是…七是: the category's number (1–7 in the seed) and its heading
    category_number: Mapped[int]
    category_name: Mapped[str] = mapped_column(String(200))
    #: the measure's number within the round (1, 2, … across the categories)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period_kind: Mapped[MeasurePeriodKind] = mapped_column(stored_enum(MeasurePeriodKind))
    status: Mapped[MeasureStatus] = mapped_column(stored_enum(MeasureStatus), index=True)
    registered_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closing_note: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[InspectionRound] = relationship()
    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    cooperating_units: Mapped[list[Unit]] = relationship(secondary=measure_cooperating_units,
                                                         order_by="Unit.position")

    @property
    def code(self) -> str:
        return f"QH-{self.number:02d}"

    def unit_ids(self) -> set[int]:
        return {self.lead_unit_id, *(unit.id for unit in self.cooperating_units)}


class MeasureReport(Base):
    """The lead unit's report on a measure for one period (2026-Q3, 2026-H2, 2026-07, 2026)."""

    __tablename__ = "measure_reports"
    __table_args__ = (UniqueConstraint("measure_id", "period", name="ux_measure_reports_measure_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[MeasureReportStatus] = mapped_column(stored_enum(MeasureReportStatus), index=True)
    requested_at: Mapped[datetime]
    due_date: Mapped[date] = mapped_column(Date)
    #: 主要工作 / 进展成效 / 存在问题 / 下一步打算 / 佐证材料
    work_done: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")
    returns: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None]
    overdue: Mapped[bool] = mapped_column(default=False)

    measure: Mapped[Measure] = relationship()


class MeasureReview(Base):
    """年度评估: the supervision group's yearly judgement of a measure."""

    __tablename__ = "measure_reviews"
    __table_args__ = (UniqueConstraint("measure_id", "year", name="ux_measure_reviews_measure_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    year: Mapped[int]
    rating: Mapped[MeasureRating] = mapped_column(stored_enum(MeasureRating))
    opinion: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime]

    measure: Mapped[Measure] = relationship()
