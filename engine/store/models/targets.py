"""整改目标: environmental indicators and their monthly values."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.core.statuses import (
    TargetDirection,
)
from engine.store.models.base import Base, stored_enum


class EnvironmentalIndicator(Base):
    """整改目标: an environmental quality indicator with a baseline, a target value and a deadline."""

    __tablename__ = "environmental_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[TargetDirection] = mapped_column(stored_enum(TargetDirection))
    baseline_year: Mapped[int | None]
    baseline_value: Mapped[float | None]
    target_value: Mapped[float]
    #: the target as the plan words it, e.g. 比2015年下降22.1%以上
    target_text: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<EnvironmentalIndicator {self.code}>"


class IndicatorValue(Base):
    """One month's value of an indicator (for annual indicators: the year-to-date value)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("environmental_indicators.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    value: Mapped[float]
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]
