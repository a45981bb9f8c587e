"""信访件: the complaint cases an inspection group hands down in numbered batches (第N批) while it is in town."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import CaseCallback, CaseCategory, CaseFinding, CaseStatus, ImportJobState
from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit
    from engine.store.models.rounds import InspectionRound


class CaseBatch(Base):
    """第N批: one spreadsheet of cases from the inspection group, imported all at once and published together."""

    __tablename__ = "case_batches"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 第N批
    received_on: Mapped[date] = mapped_column(Date)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]

    round: Mapped[InspectionRound] = relationship()

    @property
    def title(self) -> str:
        return f"第{self.number}批"


class ComplaintCase(Base):
    """One complaint from the public: what it says, the unit it is handed to, and what the unit found and did."""

    __tablename__ = "complaint_cases"
    __table_args__ = (
        Index("ix_complaint_cases_batch_number", "batch_id", "number"),
        Index("ix_complaint_cases_unit_status", "unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("case_batches.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # the inspection group's case number
    #: given to the complainant through the office, with the number it opens the case's public result
    lookup_code: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(300), default="")
    polluter: Mapped[str] = mapped_column(String(300), default="")
    #: place and polluter as compared to find repeated complaints (folded, no spaces or punctuation)
    place_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    polluter_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    category: Mapped[CaseCategory] = mapped_column(stored_enum(CaseCategory), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    reply_due: Mapped[date] = mapped_column(Date)  # the inspection group's reply deadline
    report_due: Mapped[date] = mapped_column(Date, index=True)  # the unit's report, in working days
    status: Mapped[CaseStatus] = mapped_column(stored_enum(CaseStatus), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    signed_at: Mapped[datetime | None]
    return_reason: Mapped[str] = mapped_column(Text, default="")
    finding: Mapped[CaseFinding | None] = mapped_column(stored_enum(CaseFinding), index=True)
    found: Mapped[str] = mapped_column(Text, default="")  # what the investigation found
    measures: Mapped[str] = mapped_column(Text, default="")  # what was done: orders, closures …
    orders: Mapped[int] = mapped_column(Integer, default=0)  # 责令整改
    fines_yuan: Mapped[int] = mapped_column(Integer, default=0)
    closures: Mapped[int] = mapped_column(Integer, default=0)  # 关停取缔
    accountability: Mapped[str] = mapped_column(Text, default="")
    persons_held: Mapped[int] = mapped_column(Integer, default=0)  # people held accountable
    reported_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    accepted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    #: 长期整改: the ledger's task the case's longer work goes on as
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    callback: Mapped[CaseCallback | None] = mapped_column(stored_enum(CaseCallback), index=True)
    callback_note: Mapped[str] = mapped_column(Text, default="")
    called_back_at: Mapped[datetime | None]
    imported_at: Mapped[datetime]

    batch: Mapped[CaseBatch] = relationship()
    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<ComplaintCase {self.number} {self.status}>"


class CaseImportJob(Base):
    """A confirmed batch waiting for the background sweep to register it (all of it, or nothing): the rows as the
    preview read them, who queued it, and how far it got. Bookkeeping, not a business row: the batch it makes is."""

    __tablename__ = "case_import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    #: the cases as the preview read them (dates as ISO text, the unit by id)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[ImportJobState] = mapped_column(stored_enum(ImportJobState), index=True)
    #: how many times a sweep took it: the claim the run that registers the batch must still hold
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("case_batches.id"))
    queued_at: Mapped[datetime]
    queued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    batch: Mapped[CaseBatch | None] = relationship()
