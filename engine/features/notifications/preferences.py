"""What a person chooses: which kinds of notice reach them on which channel, quiet hours, a daily digest.

Every notice shows in the notification centre; the channels are the ways out besides. Without choices of
their own, a person gets the defaults of their role (ROLE_DEFAULTS). A channel the site has not configured
(engine/core/settings.py, Channels) is never offered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.core.clock import LOCAL_TZ
from engine.core.text import N_, Text
from engine.store.models import NotificationPreference

#: the kinds of notice people choose channels for, and the notices' own kinds in each
CATEGORIES: dict[str, Text] = {
    "work": N_("新的待办和退回"),
    "reminder": N_("到期提醒"),
    "overdue": N_("逾期"),
    "chase": N_("催报和督办意见"),
    "instruction": N_("领导批示和督办问责"),
    "decision": N_("审批结果"),
}
KIND_CATEGORY = {
    "new_work": "work", "returned": "work", "accountability_referred": "work", "objection_filed": "work",
    "report_requested": "reminder", "report_reminder": "reminder", "deadline_near": "reminder",
    "report_overdue": "overdue", "deadline_passed": "overdue",
    "instruction_overdue": "overdue", "chase_overdue": "overdue", "contribution_missing": "overdue",
    "report_chased": "chase", "urged": "chase", "chased": "chase",
    "instruction": "instruction", "escalation_notice": "instruction", "escalation_interview": "instruction",
    "escalation_exposure": "instruction", "escalation_accountability": "instruction",
    "escalation_approved": "decision", "escalation_rejected": "decision",
}
#: the ways out besides the notification centre
CHANNELS: dict[str, Text] = {"email": N_("电子邮件"), "sms": N_("短信"), "wecom": N_("企业微信群机器人"),
                             "dingtalk": N_("钉钉群机器人")}
ROBOTS = ("wecom", "dingtalk")

_EVERYTHING = tuple(CATEGORIES)
_URGENT = ("work", "overdue", "chase", "instruction")
#: role -> (channel -> the categories it carries), and whether the role gets a daily digest instead of single
#: messages. Leaders read one message a morning; a unit's officers get what is urgent by SMS as well.
ROLE_DEFAULTS: dict[str, tuple[dict[str, tuple[str, ...]], bool]] = {
    "leader": ({"email": _EVERYTHING}, True),
    "coordinator": ({"email": _EVERYTHING, "wecom": ("work",), "dingtalk": ("work",)}, False),
    "supervisor": ({"email": _EVERYTHING, "wecom": ("work", "overdue"), "dingtalk": ("work", "overdue")}, False),
    "publicity": ({"email": _EVERYTHING}, False),
    "discipline": ({"email": _EVERYTHING}, False),
    "unit_head": ({"email": _EVERYTHING, "sms": ("overdue", "instruction")}, False),
    "unit_staff": ({"email": _EVERYTHING, "sms": _URGENT}, False),
}


def category_of(kind: str) -> str:
    return KIND_CATEGORY.get(kind, "reminder")


@dataclass(frozen=True)
class Preferences:
    """A person's choices, their own or their role's defaults."""

    email: str = ""
    mobile: str = ""
    #: category -> channels
    channels: dict[str, list[str]] = field(default_factory=dict)
    quiet_start: int = 0
    quiet_end: int = 0
    digest: bool = False

    @classmethod
    def of(cls, row: NotificationPreference | None, role: str) -> Preferences:
        if row is None:
            return cls.defaults(role)
        return cls(row.email, row.mobile, {c: list(v) for c, v in row.channels.items()}, row.quiet_start,
                   row.quiet_end, row.digest)

    @classmethod
    def defaults(cls, role: str) -> Preferences:
        by_channel, digest = ROLE_DEFAULTS.get(role, ({}, False))
        channels = {category: [channel for channel, carried in by_channel.items() if category in carried]
                    for category in CATEGORIES}
        return cls(channels=channels, digest=digest)

    def channels_for(self, kind: str, configured: list[str]) -> list[str]:
        """The channels a notice of this kind goes to, of those the site has, that can reach this person."""
        reachable = {"email": bool(self.email), "sms": bool(self.mobile), "wecom": True, "dingtalk": True}
        return [channel for channel in self.channels.get(category_of(kind), [])
                if channel in configured and reachable.get(channel, False)]

    def is_quiet(self, hour: int) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= hour < self.quiet_end
        return hour >= self.quiet_start or hour < self.quiet_end

    def send_at(self, now: datetime, digest_hour: int, digest: bool) -> datetime:
        """When a notice posted now goes out: at once, after the quiet hours, or with the next digest."""
        if digest:
            return next_hour(now, digest_hour)
        if self.is_quiet(now.astimezone(LOCAL_TZ).hour):
            return next_hour(now, self.quiet_end)
        return now

    def as_form(self) -> dict[str, Any]:
        data: dict[str, Any] = {"email": self.email, "mobile": self.mobile, "quiet_start": self.quiet_start,
                                "quiet_end": self.quiet_end, "digest": self.digest}
        data.update({field_name(category): list(self.channels.get(category, [])) for category in CATEGORIES})
        return data


def field_name(category: str) -> str:
    return f"channels_{category}"


def next_hour(now: datetime, hour: int) -> datetime:
    """The next local instant at `hour` o'clock (today's if still ahead)."""
    local = now.astimezone(LOCAL_TZ)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)
