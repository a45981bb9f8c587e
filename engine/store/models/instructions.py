"""领导批示: a leader's instruction on a task, and the answers of the task's lead unit."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import InstructionStatus
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit, User
    from engine.store.models.rectification import RectificationTask


class Instruction(Base):
    """One task's part of a leader's instruction (one written on several tasks has a row per task, one batch)."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)  # PS-2026-001: the tasks written on together
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    answer_due: Mapped[date] = mapped_column(Date)
    status: Mapped[InstructionStatus] = mapped_column(stored_enum(InstructionStatus), index=True)
    written_at: Mapped[datetime]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    closed_at: Mapped[datetime | None]

    task: Mapped[RectificationTask] = relationship()
    unit: Mapped[Unit] = relationship()
    leader: Mapped[User] = relationship()
    answers: Mapped[list[InstructionAnswer]] = relationship(order_by="InstructionAnswer.id",
                                                            back_populates="instruction")


class InstructionAnswer(Base):
    """The unit's answer to one round of an instruction, and what the leader said of it."""

    __tablename__ = "instruction_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("instructions.id"), index=True)
    answer: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime]
    decision: Mapped[str] = mapped_column(String(16), default="")  # close | again
    comment: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime | None]

    instruction: Mapped[Instruction] = relationship(back_populates="answers")
