"""督办问责: escalations, their triggers and what each level recorded; persons held accountable."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import (
    EscalationLevel,
    EscalationStatus,
    EscalationTriggerKind,
)
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit
    from engine.store.models.cases import ComplaintCase
    from engine.store.models.rectification import RectificationTask


class Escalation(Base):
    """督办问责: one step up the ladder for one task's lead unit, or one complaint case's unit, from trigger to
    closure. It belongs to a task or to a case, never both."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_task_status", "task_id", "status"),
        Index("ix_escalations_case_status", "case_id", "status"),
        CheckConstraint("(task_id IS NULL) <> (case_id IS NULL)", name="ck_escalations_one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_cases.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the unit held to account
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    trigger: Mapped[EscalationTriggerKind] = mapped_column(stored_enum(EscalationTriggerKind))
    status: Mapped[EscalationStatus] = mapped_column(stored_enum(EscalationStatus), index=True)
    opened_at: Mapped[datetime]
    #: the ladder's default for this task's history, and why
    suggested_level: Mapped[int]
    suggestion: Mapped[str] = mapped_column(Text, default="")
    proposed_level: Mapped[int | None]
    reasons: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime | None]
    approved_level: Mapped[int | None]
    decision: Mapped[str] = mapped_column(String(16), default="")  # approve | change | reject
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    commitment: Mapped[str] = mapped_column(Text, default="")
    complete_by: Mapped[date | None] = mapped_column(Date)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime | None]
    closing_comment: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    task: Mapped[RectificationTask | None] = relationship()
    case: Mapped[ComplaintCase | None] = relationship()
    unit: Mapped[Unit] = relationship()
    triggers: Mapped[list[EscalationTrigger]] = relationship(order_by="EscalationTrigger.id",
                                                             back_populates="escalation")
    notice: Mapped[EscalationNotice | None] = relationship()
    interview: Mapped[EscalationInterview | None] = relationship()
    exposure: Mapped[EscalationExposure | None] = relationship()
    accountability: Mapped[AccountabilityCase | None] = relationship()

    @property
    def level(self) -> EscalationLevel:
        """The level as it now stands: approved, else proposed, else suggested."""
        for value in (self.approved_level, self.proposed_level, self.suggested_level):
            if value is not None:
                return EscalationLevel(value)
        return EscalationLevel.NOTICE

    @property
    def shown_level(self) -> EscalationLevel | None:
        """What a register shows: the approved level, or the one on the table while it is being decided;
        none for an escalation that was dropped or rejected (nothing was applied)."""
        if self.approved_level is not None:
            return EscalationLevel(self.approved_level)
        return self.level if self.status.is_open() else None

    @property
    def subject_code(self) -> str:
        """What pages and texts call the escalated work: the task's code, or the case's 第N批-number."""
        if self.case is not None:
            return f"{self.case.batch.title}-{self.case.number}"
        return self.task.code if self.task is not None else ""

    @property
    def subject_title(self) -> str:
        """The task's name, or what a case is about in public words: its place and kind of pollution."""
        if self.case is not None:
            return f"{self.case.place or self.case.polluter}{self.case.category.label}问题信访件"
        return self.task.title if self.task is not None else ""

    def __repr__(self) -> str:
        subject = f"case={self.case_id}" if self.case_id else f"task={self.task_id}"
        return f"<Escalation {self.id} {subject} {self.status}>"


class EscalationTrigger(Base):
    """What set an escalation off, and every later trigger an open escalation absorbed."""

    __tablename__ = "escalation_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[EscalationTriggerKind] = mapped_column(stored_enum(EscalationTriggerKind))
    detail: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    absorbed: Mapped[bool] = mapped_column(Boolean, default=False)  # came while the escalation was open

    escalation: Mapped[Escalation] = relationship(back_populates="triggers")


class EscalationNotice(Base):
    """通报: the circulated notice, drafted by duban and edited and issued by the office."""

    __tablename__ = "escalation_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EscalationInterview(Base):
    """约谈: when and where, who was interviewed, who interviewed, what was promised."""

    __tablename__ = "escalation_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    interviewees: Mapped[str] = mapped_column(Text)
    interviewers: Mapped[str] = mapped_column(Text)
    commitments: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EscalationExposure(Base):
    """曝光: published by the publicity group; from then on it is on the public pages."""

    __tablename__ = "escalation_exposures"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    headline: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime] = mapped_column(index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AccountabilityCase(Base):
    """追责: the referral to the discipline commission and what it found and decided."""

    __tablename__ = "accountability_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    referred_at: Mapped[datetime]
    findings: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    persons: Mapped[list[AccountablePerson]] = relationship(
        primaryjoin="AccountabilityCase.escalation_id == foreign(AccountablePerson.escalation_id)",
        order_by="AccountablePerson.id", viewonly=True)


class AccountablePerson(Base):
    """A person held accountable: by an escalation's accountability case or by a problem clue's decision."""

    __tablename__ = "accountable_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), index=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clues.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(200), default="")  # 单位及职务
    measure: Mapped[str] = mapped_column(String(32))  # engine/features/escalation/accountability.py MEASURES
    detail: Mapped[str] = mapped_column(String(500), default="")
