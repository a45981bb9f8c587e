"""整改时限 as offices write it: a date cell, or free text read into a kind and a date.

    2018年12月底前 · 2019年底前 · 2019年6月 · 2018-12-31 · 2018年12月31日 · 2019年上半年
    立行立改 · 长期坚持 · 立行立改、长期坚持 · 2018年6月底前完成并长期坚持 · 立行立改（2026-06-30）

A month or a year means its last day ("by the end of"). A text with a date is a deadline by that
date (the latest, if it names several); without one, 立行立改 comes before 长期坚持. The original
text is kept on the task; `reading` says how it was read, for the preview.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.core.spreadsheet import cell_text
from engine.core.statuses import DeadlineKind

IMMEDIATE, STANDING = "立行立改", "长期坚持"
STANDING_WORDS = (STANDING, "长期推进", "持续推进", "持续开展", "常态化")
ACCEPTED = "应为日期（如 2026-12-31、2026年12月底前、2026年底前）、立行立改或长期坚持"
#: (pattern, how it names its date) in the order they are tried on what is left of the text
DATE_PATTERNS = (
    (re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"), "day"),
    (re.compile(r"(\d{4})\s*年\s*(上|下)半年"), "half"),
    (re.compile(r"(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度"), "quarter"),
    (re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*月?"), "month"),
    (re.compile(r"(\d{4})\s*年"), "year"),
    (re.compile(r"^(\d{4})$"), "year"),
)
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    date: date | None
    text: str  # as written ("" for a date cell)
    several_dates: bool = False

    @property
    def reading(self) -> str:
        """How the cell was read: 「2018年12月底前」读作 2018-12-31."""
        if self.date and self.kind is DeadlineKind.DATE:
            read = self.date.isoformat()
            if any(word in self.text for word in STANDING_WORDS):
                read += "，并长期坚持"
        elif self.date:
            read = f"立行立改，{self.date.isoformat()} 前"
        else:
            read = self.kind.label
        if self.several_dates:
            read += "（写有多个日期，取最晚的）"
        return f"「{self.text}」读作 {read}" if self.text else read


def read_deadline(value: Any) -> Deadline:
    """The deadline of a cell; ValueError says what would be accepted."""
    if isinstance(value, datetime):
        return Deadline(DeadlineKind.DATE, value.date(), "")
    if isinstance(value, date):
        return Deadline(DeadlineKind.DATE, value, "")
    text = cell_text(value)
    plain = unicodedata.normalize("NFKC", text).replace(" ", "")
    dates = _dates(plain)
    latest = max(dates) if dates else None
    several = len(set(dates)) > 1
    if latest and plain.startswith(IMMEDIATE):
        return Deadline(DeadlineKind.IMMEDIATE, latest, text, several)
    if latest:
        return Deadline(DeadlineKind.DATE, latest, text, several)
    if IMMEDIATE in plain:
        return Deadline(DeadlineKind.IMMEDIATE, None, text)
    if any(word in plain for word in STANDING_WORDS):
        return Deadline(DeadlineKind.STANDING, None, text)
    raise ValueError(ACCEPTED)


def parse_deadline(value: Any) -> tuple[str, str | None]:
    """(deadline_kind, ISO date or None) of a cell, as registration takes them."""
    deadline = read_deadline(value)
    return deadline.kind.value, deadline.date.isoformat() if deadline.date else None


def _dates(text: str) -> list[date]:
    found: list[date] = []
    rest = text
    for pattern, precision in DATE_PATTERNS:
        for match in pattern.finditer(rest):
            found.append(_date_of(precision, *match.groups()))
        rest = pattern.sub("|", rest)
    return found


def _date_of(precision: str, year_text: str, part: str = "", day_text: str = "") -> date:
    year = int(year_text)
    if precision == "half":
        month = 6 if part == "上" else 12
    elif precision == "quarter":
        month = QUARTERS[part] * 3
    else:
        month = int(part) if part else 12
    try:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, int(day_text) if day_text else last)
    except ValueError:
        raise ValueError(f"{ACCEPTED}；「{year_text}年{part}月{day_text}」不是有效的日期") from None
