"""What a message says, in its reader's language: short, with the task's code, the step, the deadline and a link.

Only what the notice itself says to its readers and where to look: never the task's internal record. The engine
has no catalogs of its own; the web side hands it a `Translate` reading the same ones its pages use.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.core.clock import LOCAL_TZ
from engine.core.text import N_, Text, in_language, restored

#: (locale, message id, parameters) -> the text in that language
Translate = Callable[[str, str, dict[str, Any]], str]


def untranslated(locale: str, msgid: str, params: dict[str, Any]) -> str:
    """The Chinese source text, for an engine with no catalogs (the command line's, the tests')."""
    return in_language(Text(msgid, **params), lambda found: found)


@dataclass(frozen=True)
class Outgoing:
    """One queued message with what it says, as read from its notice (and the notice's task and work item)."""

    id: int
    channel: str
    address: str
    locale: str
    user_id: int
    digest: bool
    kind: str
    text: str
    msgid: str | None
    params: dict[str, Any] | None
    task_code: str | None
    step: str | None
    due_at: datetime | None
    path: str
    notice_id: int
    #: the message out it travels in, and until when the sweep that claimed it may send it
    sending: str = ""
    lease_end: datetime | None = None


def path_of(task_id: int | None, work_id: int | None) -> str:
    """Where the message's link leads: the work to do, the task, or the notification centre."""
    if work_id is not None:
        return f"/work/{work_id}"
    return f"/tasks/{task_id}" if task_id is not None else "/notifications"


class Composer:
    def __init__(self, translate: Translate, base_url: str) -> None:
        self.translate = translate
        self.base_url = base_url.rstrip("/")

    def say(self, locale: str, text: Text) -> str:
        return self.translate(locale, text.msgid, dict(text.params))

    def title(self, message: Outgoing) -> str:
        if message.task_code:
            return self.say(message.locale, N_("督办提醒：%(code)s", code=message.task_code))
        return self.say(message.locale, N_("督办提醒"))

    def body(self, message: Outgoing) -> str:
        """The notice, then the step, the deadline and the link, a line each."""
        locale = message.locale
        said = restored(message.msgid, message.params) if message.msgid else Text(message.text)
        lines = [self.say(locale, said)]
        if message.step:
            lines.append(self.say(locale, N_("环节：%(step)s", step=self.translate(locale, message.step, {}))))
        if message.due_at is not None:
            due = message.due_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
            lines.append(self.say(locale, N_("期限：%(due)s", due=due)))
        lines.append(self.say(locale, N_("查看：%(link)s", link=self.base_url + message.path)))
        return "\n".join(lines)

    def digest_title(self, locale: str, count: int) -> str:
        return self.say(locale, N_("督办每日摘要：%(count)s 条通知", count=count))

    def batch_title(self, locale: str, count: int) -> str:
        return self.say(locale, N_("督办提醒：%(count)s 条通知", count=count))

    def many(self, messages: Sequence[Outgoing]) -> str:
        """Several notices in one message (a digest, a robot's batch), separated by a blank line."""
        return "\n\n".join(f"{self.title(message)}\n{self.body(message)}" for message in messages)
