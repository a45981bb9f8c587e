"""What counts as text duban accepts and stores."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

#: control characters other than tab and line breaks: invisible, and PostgreSQL refuses NUL in text
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


class Text(str):
    """A text shown to people, in Chinese, that keeps its message id and parameters.

    The engine never imports flask: it marks such texts with `N_` (pybabel extracts that keyword),
    and the web pages translate them into the reader's language when they show them.
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return _text_of, (self.msgid, self.params)


def _text_of(msgid: str, params: dict[str, Any]) -> Text:
    return Text(msgid, **params)


def N_(msgid: str, **params: Any) -> Text:
    """Mark a text for translation at display time; it reads as the Chinese text meanwhile."""
    return Text(msgid, **params)


def stored_params(text: Text) -> dict[str, Any]:
    """The parameters as JSON keeps them: numbers as they are, a marked text as its message id and parameters (so
    it is put in the reader's language too: a month, a status, a step), anything else (a date, a name) as text."""
    return {name: _stored(value) for name, value in text.params.items()}


def _stored(value: object) -> object:
    if isinstance(value, Text):
        return {"msgid": value.msgid, "params": stored_params(value)}
    return value if isinstance(value, int | float) else str(value)


def restored(msgid: str, params: Mapping[str, Any] | None) -> Text:
    """The marked text that `stored_params` kept, its marked parameters marked again."""
    return Text(msgid, **{name: restored(value["msgid"], value.get("params")) if isinstance(value, dict) else value
                          for name, value in (params or {}).items()})


def in_language(text: Text, lookup: Callable[[str], str]) -> str:
    """The text through a catalog (`lookup`: a message id to its translation), its marked parameters too."""
    params = {name: in_language(value, lookup) if isinstance(value, Text) else value
              for name, value in text.params.items()}
    found = lookup(text.msgid) if text.msgid else ""
    return found % params if params else found


def message_of(error: BaseException) -> str:
    """The message an exception was raised with, kept as given (a marked `Text` stays one)."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, str) else str(error)


def like_escaped(text: str) -> str:
    """Words as a LIKE pattern matches them literally (with escape="\\"): % and _ are no wildcards there."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def chinese_date(day: date | str) -> str:
    """A day (or its ISO text) as Chinese text writes it, without leading zeros: 2027年1月1日."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.year}年{day.month}月{day.day}日"


def marked_date(day: date | str) -> Text:
    """A day within a text put in the reader's language: as chinese_date in Chinese, 2027-01-05 in English."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return N_("%(year)d年%(month)d月%(day)d日", year=day.year, month=day.month, day=day.day)


def chinese_duration(span: timedelta) -> str:
    """A length of time as Chinese text says it: 1天, 2天3小时, 45分钟 (not str(timedelta)'s "1 day, 0:00:00")."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "", f"{minutes}分钟" if minutes else ""]
    return "".join(parts) or "0分钟"
