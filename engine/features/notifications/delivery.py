"""Sending the outbox: the sweep's delivery pass.

A pass claims the messages that are due in a short transaction of its own (claims.py: the sweep's id and a
lease on each); sends each message out outside any transaction, so a slow server holds no lock, and only while
its lease lasts; and records right after each one, in another short transaction, that it was sent (or why not).
A failure is tried again later, waiting twice as long each time; after the last attempt the message is a
delivery failure the administrator sees with its error. A sweep that dies between its claim and its sending
leaves its messages claimed until the lease runs out; the next sweep sends them then. Two sweeps never take the
same message; a message goes out twice only if a sweep dies after the server took it and before it recorded so.

Robots allow about 20 messages a minute: a robot message carries several notices, and a claim takes no more
than the posts left in the last 60 seconds (claims.py).
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.notifications.channels import Channel, DeliveryError, Envelope
from engine.features.notifications.claims import claim
from engine.features.notifications.messages import Composer, Outgoing
from engine.features.notifications.preferences import ROBOTS
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import OutboxMessage, OutboxStatus
from engine.store.transactions import Transactions

log = logging.getLogger("duban.notifications")

#: a pass stops after this many claims; the next sweep goes on
PASS_CLAIMS = 20


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, to retry {self.retried}, failed {self.failed}"


@dataclass(frozen=True)
class Sending:
    """One envelope for one channel, and the outbox messages it carries."""

    channel: str
    envelope: Envelope
    message_ids: tuple[int, ...]
    lease_end: datetime | None = None


def sweeper_id() -> str:
    """Names a delivery pass: the host, the process and a random part (two threads of a process differ)."""
    return f"{socket.gethostname()[:30]}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


class Delivery:
    def __init__(self, transactions: Transactions, clock: Clock, settings: Settings, channels: dict[str, Channel],
                 composer: Composer) -> None:
        self.transactions, self.clock, self.settings = transactions, clock, settings
        self.channels, self.composer = channels, composer

    def deliver_due(self) -> DeliveryResult:
        result, sweeper = DeliveryResult(), sweeper_id()
        for number in range(PASS_CLAIMS):
            messages = self.transactions.run(lambda s, n=number: claim(
                s, self.clock.now(), self.settings, list(self.channels), sweeper, f"{sweeper}/{n}"))
            if not messages:
                break
            for sending in envelopes(messages, self.composer):
                if sending.lease_end is not None and self.clock.now() >= sending.lease_end:
                    continue  # too late: another sweep may have taken it by now
                error = self._send(sending)
                self.transactions.run(lambda s, m=sending, e=error: record_outcome(
                    s, self.clock.now(), sweeper, m, e, self.settings, result))
        return result

    def _send(self, sending: Sending) -> str | None:
        """None when sent, else what went wrong."""
        try:
            self.channels[sending.channel].send(sending.envelope)
        except DeliveryError as exc:
            log.warning("%s: %s", sending.channel, exc)
            return str(exc)
        return None


def envelopes(messages: Sequence[Outgoing], composer: Composer) -> list[Sending]:
    """What each message out named by the claim says: one notice, a robot's batch or a person's digest."""
    by_sending: dict[str, list[Outgoing]] = defaultdict(list)
    for message in messages:
        by_sending[message.sending or str(message.id)].append(message)
    return [envelope(grouped, composer) for grouped in by_sending.values()]


def envelope(grouped: list[Outgoing], composer: Composer) -> Sending:
    first = grouped[0]
    ids, lease_end = tuple(message.id for message in grouped), first.lease_end
    if first.channel in ROBOTS:
        by_notice: dict[int, Outgoing] = {}
        for message in grouped:
            by_notice.setdefault(message.notice_id, message)
        firsts = list(by_notice.values())
        mobiles = tuple(dict.fromkeys(message.address for message in grouped if message.address))
        if len(firsts) == 1:
            return Sending(first.channel, Envelope(composer.title(first), composer.body(first), mobiles), ids,
                           lease_end)
        return Sending(first.channel, Envelope(composer.batch_title(first.locale, len(firsts)),
                                               composer.many(firsts), mobiles), ids, lease_end)
    if first.digest:
        return Sending(first.channel, Envelope(composer.digest_title(first.locale, len(grouped)),
                                               composer.many(grouped), (first.address,)), ids, lease_end)
    return Sending(first.channel, Envelope(composer.title(first), composer.body(first), (first.address,)), ids,
                   lease_end)


def record_outcome(session: Session, now: datetime, sweeper: str, sending: Sending, error: str | None,
                   settings: Settings, result: DeliveryResult) -> None:
    """Sent: the messages are done (even if this sweep's lease ran out meanwhile). Not sent: tried again later,
    unless another sweep has them by now."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(sending.message_ids))
                           .order_by(OutboxMessage.id).with_for_update())
    for message in rows:
        if message.status is not OutboxStatus.PENDING or (error is not None and message.claimed_by != sweeper):
            continue
        message.claimed_until, message.attempted_at = None, now
        if error is None:
            message.status, message.sent_at = OutboxStatus.SENT, now
            result.sent += 1
        else:
            failed_once_more(session, message, error, now, settings, result)


def failed_once_more(session: Session, message: OutboxMessage, error: str, now: datetime, settings: Settings,
                     result: DeliveryResult) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    if message.attempts < settings.notify_attempts:
        message.next_attempt_at = now + timedelta(minutes=settings.notify_backoff_minutes * 2 ** (message.attempts - 1))
        result.retried += 1
        return
    message.status = OutboxStatus.FAILED
    result.failed += 1
    record(session, Actor.system(), now, "notification.failed", ("outbox", message.id),
           f"通知未能送达（{message.channel}，已尝试 {message.attempts} 次）：{message.last_error[:200]}")
