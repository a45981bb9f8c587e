"""Figures counted ahead of time: the dashboard of a province, refreshed by the sweep."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class DashboardSummary(Base):
    """The dashboard's figures as they stood at `as_of`, for everyone who sees every task: one row for all the
    tasks ("all"), one for each inspection round ("round-<id>"). Derived from the audited rows and rebuilt
    every sweep, so it is not audited."""

    __tablename__ = "dashboard_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    as_of: Mapped[datetime]
    #: the dashboard (engine/features/reporting/dashboard.py Dashboard) as JSON
    content: Mapped[str] = mapped_column(Text)
