"""全程留痕: the audit events and the head of their hash chain."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base


class AuditEvent(Base):
    """全程留痕: one state change, who made it, when, and what it was before and after.

    Events are append-only and hash-chained: `seq` numbers them without gaps, `prev_hash` is
    the hash of event seq-1 and `hash` covers this event's fields and `prev_hash`
    (engine/store/audit.py). Editing, deleting or inserting a row breaks the chain.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_username: Mapped[str] = mapped_column(String(64), default="")
    actor_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    #: after-images of the business rows the event's transaction wrote (table → id → columns; None: deleted)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The head of the audit chain (one row): the last event's seq and hash.

    Appends lock and update it in the same transaction, so writers never fork the chain,
    and deleting the newest events (which leaves no gap behind) still shows.
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
