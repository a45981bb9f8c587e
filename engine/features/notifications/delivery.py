"""Sending the outbox: the sweep's delivery pass.

A pass claims the messages that are due (FOR UPDATE SKIP LOCKED on PostgreSQL, so two sweeps take different
messages; on SQLite the write lock serialises the claims) and marks them taken for a while; sends them outside
any transaction, so a slow server holds no lock; then records what happened. A failure is tried again later,
waiting twice as long each time; after the last attempt the message is a delivery failure the administrator
sees with its error. A sweep that dies while sending leaves its messages taken until the claim runs out; the
next sweep sends them then (a message is sent at least once, and once unless a sweep dies mid-send).

Robots allow about 20 messages a minute: a robot message carries several notices, and a pass sends no more
than the minute's remaining allowance.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.notifications.channels import Channel, DeliveryError, Envelope
from engine.features.notifications.messages import Composer, Outgoing, path_of
from engine.features.notifications.preferences import ROBOTS
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import HumanTask, Notice, OutboxMessage, OutboxStatus, RectificationTask
from engine.store.transactions import Transactions

log = logging.getLogger("duban.notifications")

#: a sweep has this long to send what it claimed before another may take it
CLAIM_MINUTES = 10
#: e-mails and text messages one claim takes
CLAIM_SIZE = 100
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


class Delivery:
    def __init__(self, transactions: Transactions, clock: Clock, settings: Settings, channels: dict[str, Channel],
                 composer: Composer) -> None:
        self.transactions, self.clock, self.settings = transactions, clock, settings
        self.channels, self.composer = channels, composer

    def deliver_due(self) -> DeliveryResult:
        result = DeliveryResult()
        for _ in range(PASS_CLAIMS):
            messages = self.transactions.run(lambda s: claim(s, self.clock.now(), self.settings, list(self.channels)))
            if not messages:
                break
            outcomes = [(sending, self._send(sending)) for sending in envelopes(messages, self.composer,
                                                                                  self.settings)]
            self.transactions.run(lambda s, o=outcomes: record_outcomes(s, self.clock.now(), o, self.settings, result))
        return result

    def _send(self, sending: Sending) -> str | None:
        """None when sent, else what went wrong."""
        try:
            self.channels[sending.channel].send(sending.envelope)
        except DeliveryError as exc:
            log.warning("%s: %s", sending.channel, exc)
            return str(exc)
        return None


def claim(session: Session, now: datetime, settings: Settings, channels: Sequence[str]) -> list[Outgoing]:
    """Take the due messages of each channel, as many as it may send now."""
    taken: list[OutboxMessage] = []
    for channel in channels:
        room = capacity(session, channel, now, settings)
        if room > 0:
            taken.extend(session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
                       OutboxMessage.channel == channel,
                       or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(room)
                .with_for_update(skip_locked=True)))
    for message in taken:
        message.claimed_until = now + timedelta(minutes=CLAIM_MINUTES)
    return outgoing(session, taken)


def capacity(session: Session, channel: str, now: datetime, settings: Settings) -> int:
    """How many messages of the channel a claim may take: a robot's remaining allowance this minute, in notices."""
    if channel not in ROBOTS:
        return CLAIM_SIZE
    per_message = settings.robot_notices_per_message
    sent = session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.channel == channel, OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at > now - timedelta(minutes=1))) or 0
    robot_messages = -(-sent // per_message)
    return max(0, settings.robot_messages_per_minute - robot_messages) * per_message


def outgoing(session: Session, messages: Sequence[OutboxMessage]) -> list[Outgoing]:
    """What each message says: its notice, the step and deadline of the work it is about, the task's code."""
    notices = {notice.id: (notice, code, step, due) for notice, code, step, due in session.execute(
        select(Notice, RectificationTask.code, HumanTask.name, HumanTask.due_at)
        .outerjoin(RectificationTask, RectificationTask.id == Notice.task_id)
        .outerjoin(HumanTask, HumanTask.id == Notice.work_id)
        .where(Notice.id.in_({message.notice_id for message in messages})))}
    said = []
    for message in messages:
        notice, code, step, due = notices[message.notice_id]
        said.append(Outgoing(message.id, message.channel, message.address, message.locale, message.user_id,
                             message.digest, notice.kind, notice.text, notice.msgid, notice.params, code, step, due,
                             path_of(notice.task_id, notice.work_id), notice.id))
    return said


def envelopes(messages: Sequence[Outgoing], composer: Composer, settings: Settings) -> list[Sending]:
    """Robots: several notices a message, each notice once however many of the group it is for. E-mail and SMS:
    a message a notice, or one a person for the digest."""
    sendings: list[Sending] = []
    for channel in ROBOTS:
        by_notice: dict[int, list[Outgoing]] = defaultdict(list)
        for message in messages:
            if message.channel == channel:
                by_notice[message.notice_id].append(message)
        notices = list(by_notice.values())
        for start in range(0, len(notices), settings.robot_notices_per_message):
            sendings.append(robot_message(channel, notices[start:start + settings.robot_notices_per_message],
                                          composer))
    digests: dict[tuple[int, str], list[Outgoing]] = defaultdict(list)
    for message in messages:
        if message.channel in ROBOTS:
            continue
        if message.digest:
            digests[(message.user_id, message.channel)].append(message)
        else:
            sendings.append(Sending(message.channel, Envelope(composer.title(message), composer.body(message),
                                                              (message.address,)), (message.id,)))
    for (_, channel), grouped in digests.items():
        first = grouped[0]
        sendings.append(Sending(channel, Envelope(composer.digest_title(first.locale, len(grouped)),
                                                  composer.many(grouped), (first.address,)),
                                tuple(message.id for message in grouped)))
    return sendings


def robot_message(channel: str, notices: list[list[Outgoing]], composer: Composer) -> Sending:
    firsts = [readers[0] for readers in notices]
    mobiles = tuple(dict.fromkeys(m.address for readers in notices for m in readers if m.address))
    ids = tuple(m.id for readers in notices for m in readers)
    if len(firsts) == 1:
        return Sending(channel, Envelope(composer.title(firsts[0]), composer.body(firsts[0]), mobiles), ids)
    return Sending(channel, Envelope(composer.batch_title(firsts[0].locale, len(firsts)), composer.many(firsts),
                                     mobiles), ids)


def record_outcomes(session: Session, now: datetime, outcomes: Sequence[tuple[Sending, str | None]],
                    settings: Settings, result: DeliveryResult) -> None:
    rows = {m.id: m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(
        [message_id for sending, _ in outcomes for message_id in sending.message_ids])))}
    for sending, error in outcomes:
        for message_id in sending.message_ids:
            message = rows[message_id]
            message.claimed_until = None
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
