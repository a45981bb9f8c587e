"""The use cases of notifications: the notification centre, a person's choices, delivery failures for the
administrator, and the sweep's delivery pass."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import Clock
from engine.core.errors import InvalidSubmission, NotFound
from engine.core.fields import Field, clean
from engine.core.settings import Settings
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.notifications import centre
from engine.features.notifications.delivery import Delivery, DeliveryResult
from engine.features.notifications.preferences import CATEGORIES, CHANNELS, Preferences, field_name
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import Notice, NotificationPreference, OutboxMessage, OutboxStatus, User
from engine.store.transactions import Transactions

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MOBILE = re.compile(r"\+?\d{6,15}")
#: delivery failures the administrator's page lists
FAILURES_SHOWN = 200


@dataclass(frozen=True)
class DeliveryFailure:
    message: OutboxMessage
    person: str
    notice_text: str


class NotificationUseCases:
    def __init__(self, transactions: Transactions, access: Access, clock: Clock, settings: Settings,
                 delivery: Delivery) -> None:
        self.transactions, self.access, self.clock, self.settings = transactions, access, clock, settings
        self.delivery = delivery

    # --- the notification centre ---------------------------------------------------------

    def centre(self, actor: Actor, page: int = 1) -> centre.CentrePage:
        return self.transactions.read(lambda s: centre.centre_page(s, actor, self.clock.now(), page))

    def unread_count(self, actor: Actor) -> int:
        return self.transactions.read(lambda s: centre.unread_count(s, actor, self.clock.now()))

    def mark_read(self, actor: Actor, notice_id: int) -> Notice:
        return self.transactions.run(lambda s: centre.mark_read(s, actor, notice_id, self.clock.now()))

    def read_among(self, actor: Actor, notice_ids: list[int]) -> set[int]:
        return self.transactions.read(lambda s: centre.read_among(s, actor, notice_ids))

    def mark_all_read(self, actor: Actor) -> int:
        return self.transactions.run(lambda s: centre.mark_all_read(s, actor, self.clock.now()))

    # --- a person's choices --------------------------------------------------------------

    def channels(self) -> list[str]:
        """The channels this site has configured."""
        return self.settings.channels.configured()

    def preference_fields(self) -> tuple[Field, ...]:
        offered = {channel: CHANNELS[channel] for channel in self.channels()}
        return (
            Field("email", "line", required=False, max_length=254, label=N_("电子邮箱")),
            Field("mobile", "line", required=False, max_length=20, label=N_("手机号码"),
                  help=N_("短信和群机器人的提醒用它找到您")),
            *(Field(field_name(category), "choices", required=False, choices=offered, label=label)
              for category, label in CATEGORIES.items()),
            Field("quiet_start", "int", low=0, high=23, label=N_("免打扰开始（时）")),
            Field("quiet_end", "int", low=0, high=23, label=N_("免打扰结束（时）"),
                  help=N_("这段时间内的通知在结束时发出；开始和结束相同即不设免打扰")),
            Field("digest", "bool", required=False, label=N_("每日摘要"),
                  help=N_("电子邮件和短信每天早上汇总发送一次，不逐条发送")),
        )

    def preferences(self, actor: Actor) -> Preferences:
        def work(session: Session) -> Preferences:
            return Preferences.of(session.get(NotificationPreference, actor.user_id), actor.role)

        return self.transactions.read(work)

    def save_preferences(self, actor: Actor, data: dict[str, Any]) -> None:
        cleaned = clean(self.preference_fields(), data)
        check_addresses(cleaned)

        def work(session: Session) -> None:
            row = session.get(NotificationPreference, actor.user_id)
            before = Preferences.of(row, actor.role).as_form() if row is not None else None
            row = row or NotificationPreference(user_id=actor.user_id)
            row.email, row.mobile = cleaned["email"] or "", cleaned["mobile"] or ""
            row.channels = {category: cleaned[field_name(category)] for category in CATEGORIES}
            row.quiet_start, row.quiet_end, row.digest = cleaned["quiet_start"], cleaned["quiet_end"], cleaned["digest"]
            row.updated_at = self.clock.now()
            session.add(row)
            record(session, actor, self.clock.now(), "notification.preferences", ("user", actor.user_id),
                   "更改通知设置", before=before, after=Preferences.of(row, actor.role).as_form())

        self.transactions.run(work)

    # --- delivery --------------------------------------------------------------------------

    def deliver_due(self) -> DeliveryResult:
        """The sweep's delivery pass: send what is due on every configured channel."""
        return self.delivery.deliver_due()

    def failures(self, actor: Actor) -> list[DeliveryFailure]:
        self.access.require(actor, "incident.manage")

        def work(session: Session) -> list[DeliveryFailure]:
            rows = session.execute(select(OutboxMessage, User.display_name, Notice.text)
                                   .join(User, User.id == OutboxMessage.user_id)
                                   .join(Notice, Notice.id == OutboxMessage.notice_id)
                                   .where(OutboxMessage.status == OutboxStatus.FAILED)
                                   .order_by(OutboxMessage.id.desc()).limit(FAILURES_SHOWN))
            return [DeliveryFailure(message, person, text) for message, person, text in rows]

        return self.transactions.read(work)

    def retry(self, actor: Actor, message_id: int) -> None:
        """Send a failed message again with the next sweep, with its attempts counted afresh."""
        self.access.require(actor, "incident.manage")

        def work(session: Session) -> None:
            message = session.get(OutboxMessage, message_id, with_for_update=True)
            if message is None or message.status is not OutboxStatus.FAILED:
                raise NotFound("没有这条未送达的通知")
            message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, self.clock.now()
            record(session, actor, self.clock.now(), "notification.retried", ("outbox", message.id),
                   f"重新发送未送达的通知（{message.channel}）", before={"error": message.last_error})

        self.transactions.run(work)


def check_addresses(cleaned: dict[str, Any]) -> None:
    errors = {}
    if cleaned["email"] and not EMAIL.fullmatch(cleaned["email"]):
        errors["email"] = [N_("不是有效的电子邮箱地址")]
    if cleaned["mobile"] and not MOBILE.fullmatch(cleaned["mobile"]):
        errors["mobile"] = [N_("手机号码应为 6 到 15 位数字")]
    if errors:
        raise InvalidSubmission(errors)
