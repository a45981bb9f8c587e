"""问题线索: problem clues, with the tasks and units they concern."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import (
    ClueStatus,
    ClueVerdict,
)
from engine.store.models.base import Base, stored_enum

clue_tasks = Table(
    "clue_tasks",
    Base.metadata,
    Column("clue_id", ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("rectification_tasks.id"), primary_key=True),
)


clue_units = Table(
    "clue_units",
    Base.metadata,
    Column("clue_id", ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit
    from engine.store.models.escalation import AccountablePerson
    from engine.store.models.rectification import RectificationTask


class Clue(Base):
    """问题线索: a clue handed down (e.g. by the inspection team), investigated by the discipline commission."""

    __tablename__ = "clues"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 线索编号, e.g. XS-2026-001
    source: Mapped[str] = mapped_column(String(200))              # 来源
    source_reference: Mapped[str] = mapped_column(String(100), default="")  # 来文号
    received_on: Mapped[date] = mapped_column(Date)
    reply_due: Mapped[date] = mapped_column(Date)  # 办结反馈时限
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ClueStatus] = mapped_column(stored_enum(ClueStatus), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime]
    findings: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[ClueVerdict | None] = mapped_column(stored_enum(ClueVerdict))
    investigated_at: Mapped[datetime | None]
    responsibility: Mapped[str] = mapped_column(Text, default="")
    determined_at: Mapped[datetime | None]
    decision: Mapped[str] = mapped_column(Text, default="")
    document_number: Mapped[str] = mapped_column(String(100), default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    tasks: Mapped[list[RectificationTask]] = relationship(secondary=clue_tasks, order_by="RectificationTask.code")
    units: Mapped[list[Unit]] = relationship(secondary=clue_units, order_by="Unit.position")
    persons: Mapped[list[AccountablePerson]] = relationship(order_by="AccountablePerson.id", viewonly=True)

    def __repr__(self) -> str:
        return f"<Clue {self.number} {self.status}>"
