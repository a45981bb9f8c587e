"""Reporting periods (按月交账): a period is a month, written YYYY-MM."""
from __future__ import annotations

import re
from datetime import date

from engine.core.text import N_, Text

PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: a period a filter may name: one whose month, and the month after, a date can hold (not 0000-01 or 9999-12)
FILTER_PERIOD_PATTERN = re.compile(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$")
#: the months, for a period named in the reader's language
MONTHS = (N_("1月"), N_("2月"), N_("3月"), N_("4月"), N_("5月"), N_("6月"), N_("7月"), N_("8月"), N_("9月"),
          N_("10月"), N_("11月"), N_("12月"))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(period: str) -> date:
    """The first day of the period; ValueError for anything not YYYY-MM."""
    match = PERIOD_PATTERN.match(str(period))
    if not match:
        raise ValueError(f"not a period (YYYY-MM): {period!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def next_period(period: str) -> str:
    first = parse_period(period)
    return period_of(date(first.year + first.month // 12, first.month % 12 + 1, 1))


def report_due_date(period: str, report_day: int) -> date:
    """A period's report is due on `report_day` of the following month."""
    following = parse_period(next_period(period))
    return following.replace(day=report_day)


def period_label(period: str) -> str:
    first = parse_period(period)
    return f"{first.year}年{first.month}月"


def period_text(period: str) -> Text:
    """The period as `period_label` says it (2027年1月), marked for translation with its month ("January 2027")."""
    first = parse_period(period)
    return N_("%(year)s年%(month)s", year=first.year, month=MONTHS[first.month - 1])
