"""A measure's reporting periods: a month (2026-07), a quarter (2026-Q3), a half-year (2026-H2) or a year (2026)."""
from __future__ import annotations

import re
from datetime import date

from engine.core.periods import period_text as month_text
from engine.core.statuses import MeasurePeriodKind
from engine.core.text import N_, Text

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
QUARTER_NAMES = ("一", "二", "三", "四")
#: the periods in the reader's language (2026年第三季度 / Q3 2026)
QUARTER_TEXTS = (N_("%(year)s年第一季度"), N_("%(year)s年第二季度"), N_("%(year)s年第三季度"), N_("%(year)s年第四季度"))
HALF_TEXTS = (N_("%(year)s年上半年"), N_("%(year)s年下半年"))


def period_of(day: date, kind: MeasurePeriodKind) -> str:
    if kind is MeasurePeriodKind.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if kind is MeasurePeriodKind.QUARTER:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if kind is MeasurePeriodKind.HALF:
        return f"{day.year:04d}-H{1 if day.month <= 6 else 2}"
    return f"{day.year:04d}"


def _parts(period: str) -> tuple[MeasurePeriodKind, int, int]:
    """The kind, the year and the first month of a period; ValueError for anything else."""
    for pattern, kind, months in ((_MONTH, MeasurePeriodKind.MONTH, 1), (_QUARTER, MeasurePeriodKind.QUARTER, 3),
                                  (_HALF, MeasurePeriodKind.HALF, 6)):
        match = pattern.match(str(period))
        if match:
            return kind, int(match.group(1)), (int(match.group(2)) - 1) * months + 1
    match = _YEAR.match(str(period))
    if match:
        return MeasurePeriodKind.YEAR, int(match.group(1)), 1
    raise ValueError(f"not a reporting period: {period!r}")


MONTHS_OF = {MeasurePeriodKind.MONTH: 1, MeasurePeriodKind.QUARTER: 3, MeasurePeriodKind.HALF: 6,
             MeasurePeriodKind.YEAR: 12}


def period_start(period: str) -> date:
    _kind, year, month = _parts(period)
    return date(year, month, 1)


def next_period_start(period: str) -> date:
    kind, year, month = _parts(period)
    following = month - 1 + MONTHS_OF[kind]
    return date(year + following // 12, following % 12 + 1, 1)


def next_period(period: str) -> str:
    return period_of(next_period_start(period), _parts(period)[0])


def report_due(period: str, report_day: int) -> date:
    """A period's report is due on `report_day` of the month after it."""
    return next_period_start(period).replace(day=report_day)


def period_label(period: str) -> str:
    """As the record says it: 2026年第三季度, 2026年下半年, 2026年7月, 2026年度."""
    kind, year, month = _parts(period)
    if kind is MeasurePeriodKind.MONTH:
        return f"{year}年{month}月"
    if kind is MeasurePeriodKind.QUARTER:
        return f"{year}年第{QUARTER_NAMES[(month - 1) // 3]}季度"
    if kind is MeasurePeriodKind.HALF:
        return f"{year}年{'上' if month == 1 else '下'}半年"
    return f"{year}年度"


def period_text(period: str) -> Text:
    """The period as `period_label` says it, marked for translation."""
    kind, year, month = _parts(period)
    if kind is MeasurePeriodKind.MONTH:
        return month_text(f"{year:04d}-{month:02d}")
    if kind is MeasurePeriodKind.QUARTER:
        return N_(QUARTER_TEXTS[(month - 1) // 3], year=year)
    if kind is MeasurePeriodKind.HALF:
        return N_(HALF_TEXTS[0 if month == 1 else 1], year=year)
    return N_("%(year)s年度", year=year)
