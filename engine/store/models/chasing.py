"""催办: the office chasing a unit on an open step, and the unit's reply."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import ChaseStatus
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit, User
    from engine.store.models.rectification import RectificationTask


class Chase(Base):
    __tablename__ = "chases"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    work_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"))  # the step chased
    step_name: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    reply_due: Mapped[date] = mapped_column(Date)
    chased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chased_at: Mapped[datetime]
    status: Mapped[ChaseStatus] = mapped_column(stored_enum(ChaseStatus), index=True)
    #: the reply date passed without a reply (it stays counted once replied late)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    task: Mapped[RectificationTask | None] = relationship()
    unit: Mapped[Unit] = relationship()
    chased_by: Mapped[User | None] = relationship(foreign_keys=[chased_by_id])
