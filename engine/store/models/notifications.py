"""What the notification centre and the outgoing channels keep: who read which notice, each person's choices, and
the outbox of messages waiting to be sent."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models.base import Base, stored_enum


class NoticeRead(Base):
    """A person has read a notice (a notice to a role is read by each of its people on their own)."""

    __tablename__ = "notice_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    read_at: Mapped[datetime]


class NotificationPreference(Base):
    """A person's choices; without a row the defaults of their role apply."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    mobile: Mapped[str] = mapped_column(String(32), default="")
    #: kind of notice -> the channels it goes to besides the notification centre
    channels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: local hours [start, end) in which nothing is sent (start == end: none)
    quiet_start: Mapped[int] = mapped_column(default=0)
    quiet_end: Mapped[int] = mapped_column(default=0)
    #: one message a day instead of one a notice
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    def is_pending(self) -> bool:
        return self is OutboxStatus.PENDING


class OutboxMessage(Base):
    """One notice for one person on one channel, written in the transaction of the step that caused it and sent
    afterwards by the sweep."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at", "id"),
                      Index("ix_outbox_messages_attempted", "channel", "attempted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    #: the e-mail address or mobile number, as the person gave it when the notice was posted
    address: Mapped[str] = mapped_column(String(254), default="")
    locale: Mapped[str] = mapped_column(String(16))
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    status: Mapped[OutboxStatus] = mapped_column(stored_enum(OutboxStatus))
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    #: a sweep that took it and sends it until then (a crashed sweep's messages are taken again afterwards)
    claimed_until: Mapped[datetime | None]
    #: the sweep that took it (only it records what became of the sending)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    #: the message out it travels in (a robot's message carries several notices; a digest, a person's day)
    sending: Mapped[str | None] = mapped_column(String(80))
    #: when its last attempt ended, sent or not: a robot's posts of the last minute are counted from it
    attempted_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
