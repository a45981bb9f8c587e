"""Posting a notice: shown in the notification centre of the people it is for, and written to the outbox for
each channel they chose, in the transaction of the step that caused it (a step that rolls back sends nothing)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, true, update

from engine.core.settings import Settings
from engine.core.text import Text, stored_params
from engine.features.accounts.preferences import LOCALES
from engine.features.notifications.preferences import ROBOTS, Preferences
from engine.store.database import Session
from engine.store.models import Notice, NotificationPreference, OutboxMessage, OutboxStatus, User
from engine.workflow.step import Step

#: a notice stays in the inbox's reminders this long (the notification centre keeps it)
NOTICE_DAYS = 14


@dataclass(frozen=True)
class Addressee:
    """Whom a notice is for: the people of a role (of one unit), or one person of it."""

    role: str
    unit_id: int | None = None
    user_id: int | None = None

    def people(self) -> ColumnElement[bool]:
        return (User.role == self.role) & User.active.is_(True) & (
            User.unit_id == self.unit_id if self.unit_id is not None else true()) & (
            User.id == self.user_id if self.user_id is not None else true())


def notify(step: Step, role: str, kind: str, text: str, unit_id: int | None = None, user_id: int | None = None) -> None:
    """A notice from a step to the people of a role (of a unit), or to one person of it."""
    post(step.session, step.settings, Notice(
        created_at=step.now, task_id=step.task.id if step.task is not None else None, role=role, unit_id=unit_id,
        user_id=user_id, kind=kind, text=text, instance_id=step.instance.id if step.instance is not None else None))


def resolve_notices(step: Step, kinds: Sequence[str]) -> None:
    """The step's task's notices of these kinds no longer hold (a deadline moved: its warnings are settled)."""
    step.session.execute(update(Notice).where(Notice.task_id == step.the_task.id, Notice.kind.in_(kinds),
                                              Notice.resolved_at.is_(None)).values(resolved_at=step.now))


def post_notice(session: Session, settings: Settings, now: datetime, task_id: int | None, roles: Sequence[str],
                kind: str, text: str, unit_id: int | None = None, *, instance_id: int | None = None) -> None:
    """A notice to each of the roles (of the unit, for unit roles)."""
    for role in roles:
        post(session, settings, Notice(created_at=now, task_id=task_id, role=role, unit_id=unit_id, kind=kind,
                                       text=text, instance_id=instance_id))


def post(session: Session, settings: Settings, notice: Notice) -> Notice:
    """Keep the notice and queue its messages on the channels each of its people chose."""
    notice.expires_at = notice.created_at + timedelta(days=NOTICE_DAYS)
    if isinstance(notice.text, Text):
        notice.msgid, notice.params = notice.text.msgid, stored_params(notice.text) or None
    session.add(notice)
    configured = settings.channels.configured()
    if configured:
        session.flush()  # the messages refer to the notice by its id
        addressee = Addressee(notice.role, notice.unit_id, notice.user_id)
        session.add_all(messages_for(session, settings, notice, addressee, configured))
    return notice


def messages_for(session: Session, settings: Settings, notice: Notice, addressee: Addressee,
                 configured: list[str]) -> list[OutboxMessage]:
    rows = session.execute(select(User, NotificationPreference)
                           .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
                           .where(addressee.people()).order_by(User.id))
    messages = []
    for user, row in rows:
        preferences = Preferences.of(row, user.role)
        for channel in preferences.channels_for(notice.kind, configured):
            digest = preferences.digest and channel not in ROBOTS
            messages.append(OutboxMessage(
                notice_id=notice.id, user_id=user.id, channel=channel, address=address(preferences, channel),
                locale=user.locale or LOCALES[0], digest=digest, created_at=notice.created_at,
                status=OutboxStatus.PENDING,
                next_attempt_at=preferences.send_at(notice.created_at, settings.digest_hour, digest),
                attempts=0, last_error=""))
    return messages


def address(preferences: Preferences, channel: str) -> str:
    """Where a channel reaches the person: an e-mail address, a mobile number (robots mention it)."""
    return preferences.email if channel == "email" else preferences.mobile
