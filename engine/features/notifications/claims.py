"""Claiming the outbox: which due messages a sweep takes, and which of them travel together.

A claim is a short transaction of its own. It marks each message it takes with the sweep's id and a lease
(`claimed_until`), and names the message out each travels in (`sending`): a robot's message carries several
notices, a digest a person's notices of the day. Another sweep skips what is claimed (FOR UPDATE SKIP LOCKED on
PostgreSQL; on SQLite the write lock serialises the claims) until the lease runs out, so a sweep that died between
its claim and its sending has its messages taken again then.

A group robot takes at most `robot_messages_per_minute` messages in any 60 seconds. The posts of the last minute
are counted from the outbox itself: every message out that ended its attempt less than a minute ago
(`attempted_at`, taken after the post returned) and every one claimed and not yet done. Claims of a robot's
messages take a lock of their own on PostgreSQL, so two sweeps never both spend the last of the allowance.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, text

from engine.core.settings import Settings
from engine.features.notifications.messages import Outgoing, path_of
from engine.features.notifications.preferences import ROBOTS
from engine.store.database import Session
from engine.store.models import HumanTask, Notice, OutboxMessage, OutboxStatus, RectificationTask

#: a sweep has this long to send what it claimed before another may take it
CLAIM_MINUTES = 10
#: e-mails and text messages one claim takes
CLAIM_SIZE = 100
#: the window a robot's allowance counts
ROBOT_WINDOW = timedelta(minutes=1)
#: pg_advisory_xact_lock keys of the robots' claims ("duban" and the channel's number)
ROBOT_LOCKS = {channel: 0x647562616E00 + number for number, channel in enumerate(ROBOTS, start=1)}


def claim(session: Session, now: datetime, settings: Settings, channels: Sequence[str], sweeper: str,
          claim_id: str) -> list[Outgoing]:
    """Take the due messages of each channel, as many as it may send now, for this sweep until the lease ends."""
    taken: list[OutboxMessage] = []
    for channel in channels:
        room = capacity(session, channel, now, settings)
        if room <= 0:
            continue
        if channel in ROBOTS:  # a robot's message says a notice once to all of its readers: take them together
            notices = (select(OutboxMessage.notice_id).where(due(channel, now)).group_by(OutboxMessage.notice_id)
                       .order_by(func.min(OutboxMessage.next_attempt_at), OutboxMessage.notice_id).limit(room))
            which = select(OutboxMessage).where(due(channel, now), OutboxMessage.notice_id.in_(notices))
        else:
            which = select(OutboxMessage).where(due(channel, now)).limit(room)
        taken.extend(session.scalars(which.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                                     .with_for_update(skip_locked=True)))
    for message in taken:
        message.claimed_until, message.claimed_by = now + timedelta(minutes=CLAIM_MINUTES), sweeper
    name_sendings(taken, settings.robot_notices_per_message, claim_id)
    return outgoing(session, taken)


def due(channel: str, now: datetime) -> ColumnElement[bool]:
    """Pending, its time come, claimed by nobody (or by a sweep whose lease ran out). A robot's message whose last
    post is still within the window waits until it is out of it, so that post stays counted."""
    condition = and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now,
                     OutboxMessage.channel == channel,
                     or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
    if channel in ROBOTS:
        condition = and_(condition, or_(OutboxMessage.attempted_at.is_(None),
                                        OutboxMessage.attempted_at <= now - ROBOT_WINDOW))
    return condition


def capacity(session: Session, channel: str, now: datetime, settings: Settings) -> int:
    """How many messages of the channel a claim may take: for a robot, how many notices its remaining posts this
    minute carry, `robot_notices_per_message` each."""
    if channel not in ROBOTS:
        return CLAIM_SIZE
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROBOT_LOCKS[channel]})
    return max(0, settings.robot_messages_per_minute - posts_within(session, channel, now)) \
        * settings.robot_notices_per_message


def posts_within(session: Session, channel: str, now: datetime) -> int:
    """The robot's messages out in the last minute: attempted in it, or claimed and not yet done."""
    in_flight = and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.claimed_until > now)
    return session.scalar(select(func.count(func.distinct(OutboxMessage.sending))).where(
        OutboxMessage.channel == channel, OutboxMessage.sending.is_not(None),
        or_(OutboxMessage.attempted_at > now - ROBOT_WINDOW, in_flight))) or 0


def name_sendings(messages: Sequence[OutboxMessage], per_robot_message: int, claim_id: str) -> None:
    """Robots: several notices a message, each notice once however many of the group it is for. E-mail and SMS:
    a message a notice, or one a person for the digest."""
    groups: dict[tuple[object, ...], list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        if message.channel in ROBOTS:
            groups[(message.channel, "notice", message.notice_id)].append(message)
        elif message.digest:
            groups[(message.channel, "digest", message.user_id)].append(message)
        else:
            groups[(message.channel, "one", message.id)].append(message)
    number = 0
    robot_notices: dict[str, list[list[OutboxMessage]]] = defaultdict(list)
    for (channel, kind, _), grouped in groups.items():
        if kind == "notice":
            robot_notices[str(channel)].append(grouped)
            continue
        number += 1
        for message in grouped:
            message.sending = f"{claim_id}/{number}"
    for notices in robot_notices.values():
        for start in range(0, len(notices), per_robot_message):
            number += 1
            for message in (m for readers in notices[start:start + per_robot_message] for m in readers):
                message.sending = f"{claim_id}/{number}"


def outgoing(session: Session, messages: Sequence[OutboxMessage]) -> list[Outgoing]:
    """What each message says: its notice, the step and deadline of the work it is about, the task's code."""
    if not messages:
        return []
    notices = {notice.id: (notice, code, step, due_at) for notice, code, step, due_at in session.execute(
        select(Notice, RectificationTask.code, HumanTask.name, HumanTask.due_at)
        .outerjoin(RectificationTask, RectificationTask.id == Notice.task_id)
        .outerjoin(HumanTask, HumanTask.id == Notice.work_id)
        .where(Notice.id.in_({message.notice_id for message in messages})))}
    said = []
    for message in messages:
        notice, code, step, due_at = notices[message.notice_id]
        said.append(Outgoing(message.id, message.channel, message.address, message.locale, message.user_id,
                             message.digest, notice.kind, notice.text, notice.msgid, notice.params, code, step,
                             due_at, path_of(notice.task_id, notice.work_id), notice.id, message.sending or "",
                             message.claimed_until))
    return said
