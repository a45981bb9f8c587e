"""销号: applications, the public notice (公示), objections and published summaries."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.core.statuses import (
    ObjectionStatus,
    SignoffStatus,
)
from engine.store.models.base import Base, stored_enum


class SignoffApplication(Base):
    """销号申请: the unit's claim that the task is done, and what became of it."""

    __tablename__ = "signoff_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SignoffStatus] = mapped_column(stored_enum(SignoffStatus))
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    #: the supervisor's acceptance check: {standard: {"met": bool, "note": str}} (engine/features/signoff/forms.py)
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    site_check_date: Mapped[date | None] = mapped_column(Date)
    site_check_by: Mapped[str] = mapped_column(String(200), default="")
    site_findings: Mapped[str] = mapped_column(Text, default="")


class SignoffNotice(Base):
    """销号公示: the notice the publicity group puts on the public pages for N working days."""

    __tablename__ = "signoff_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoff_applications.id"))
    text: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None]

    def accepts_objections(self, today: date) -> bool:
        return self.closed_at is None and self.start_date <= today <= self.end_date


class Objection(Base):
    """公示异议: filed by anyone on the public form; each must be answered before sign-off goes on."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("signoff_notices.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    submitted_at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(50), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text)
    client_addr: Mapped[str] = mapped_column(String(64), default="", index=True)
    status: Mapped[ObjectionStatus] = mapped_column(stored_enum(ObjectionStatus))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    #: what the person who filed it is given to look the answer up with (受理编号)
    tracking_code: Mapped[str | None] = mapped_column(String(16), unique=True)


class PublicSummary(Base):
    """A progress summary the publicity group approved for the public pages (never the internal report)."""

    __tablename__ = "public_summaries"
    __table_args__ = (UniqueConstraint("report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"))
    period: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]
