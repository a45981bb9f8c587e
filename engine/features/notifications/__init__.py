"""通知: notices that reach people. The notification centre (read and unread, resolved once the work is done),
each person's choices of channel per kind of notice, quiet hours and a daily digest, and the outbox: messages
written in the step's transaction and sent afterwards by the sweep over e-mail, the WeCom and DingTalk group
robots and SMS.

Features post notices with `notices.notify` / `notices.post_notice`; this package tells people of new work and
resolves notices through its settle hook.
"""
from __future__ import annotations

from engine.core.clock import Clock
from engine.core.settings import Settings
from engine.features.notifications.lifecycle import settle_notices
from engine.workflow.registry import Registry


def register(registry: Registry, clock: Clock, settings: Settings) -> None:
    registry.on_settle(settle_notices)
