"""会办: each cooperating unit's contribution to a task's monthly report."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import ContributionStatus
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (UniqueConstraint("task_id", "unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ContributionStatus] = mapped_column(stored_enum(ContributionStatus), index=True)
    requested_at: Mapped[datetime]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    content: Mapped[str] = mapped_column(Text, default="")
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
