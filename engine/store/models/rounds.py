"""督察批次: the inspection rounds a city answers (a central inspection, its 回头看, a provincial one…)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class InspectionRound(Base):
    """One round of inspection: who inspected, when its feedback came, and (through its tasks) its own ledger."""

    __tablename__ = "inspection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: the inspecting body (中央第五环境保护督察组)
    body: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: when the inspectors were in town, and when their feedback (反馈意见) came
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    feedback_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime]
