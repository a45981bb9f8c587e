"""What happens to an assigned task beside its plan and reports: 签收 and 退办/改派 by each of its units, and
the units' 延期申请 (requests for a later deadline)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import ExtensionStatus, ReceiptStatus
from engine.store.models.accounts import Unit
from engine.store.models.base import Base, stored_enum


class TaskReceipt(Base):
    """签收: one unit's acknowledgement of a task assigned to it (the lead unit, or a cooperating unit), with the
    return it may make instead and what the coordinator decided. A reassigned unit's row stays, as history."""

    __tablename__ = "task_receipts"
    __table_args__ = (Index("ix_task_receipts_task_unit", "task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    #: the lead unit (True) or a cooperating unit
    lead: Mapped[bool]
    status: Mapped[ReceiptStatus] = mapped_column(stored_enum(ReceiptStatus))
    assigned_at: Mapped[datetime]
    due_date: Mapped[date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    #: the coordinator's answer to a return: why it was refused, or to whom the task went
    decision: Mapped[str] = mapped_column(Text, default="")
    reassigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])


class ExtensionRequest(Base):
    """延期申请: a unit asks for a later deadline; the supervision group reviews, a leader decides."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    status: Mapped[ExtensionStatus] = mapped_column(stored_enum(ExtensionStatus))
    #: beyond the extensions a task may have: decided by the leading group's head instead of the lead leader
    to_head: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    old_deadline: Mapped[date] = mapped_column(Date)
    requested_deadline: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime | None]
    review: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_deadline: Mapped[date | None] = mapped_column(Date)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
