"""公文: the official documents duban issued, and the sequences their numbers (文号) come from."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class DocumentSequence(Base):
    """The last serial issued for a kind of document in a year: read FOR UPDATE while the next is issued."""

    __tablename__ = "document_sequences"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class IssuedDocument(Base):
    """A document issued for a task: its 文号, what it said (to print it again) and the SHA-256 of its .docx."""

    __tablename__ = "issued_documents"
    __table_args__ = (UniqueConstraint("kind", "year", "serial"), UniqueConstraint("number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(100))  # 文号, e.g. 泸整改办〔2026〕12号
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    #: the fields the template was filled with (engine/features/documents/kinds.py)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
