"""整改目标: environmental indicators, their monthly values and whether each is on track.

An indicator has a baseline (the value of a base year), a target value, a direction (the
value must end at most or at least the target) and a deadline. Its *target line* runs
straight from the baseline (December of the base year) to the target (the deadline's
month), and stays at the target after it; without a baseline the target holds every month.
A month's value is what the monitoring bulletin publishes for that month: for annual
indicators (PM2.5 annual average, share of good-air days) the year-to-date value.

Status of an indicator, from its latest value:
  已达到目标值   the value meets the target itself
  符合目标进度   it does not yet, but it meets the target line for its month
  落后于目标进度 it misses the target line
  逾期未达标     the deadline has passed and the latest value misses the target
  暂无数据       no value entered yet
"""
from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import InvalidSubmission, NotFound
from engine.core.fields import Field, clean
from engine.core.periods import next_period, parse_period, period_of
from engine.core.spreadsheet import Column, ImportRejected, Problem, Row, cell_text
from engine.core.statuses import TargetDirection
from engine.core.text import N_, Text, message_of
from engine.store.models import EnvironmentalIndicator, IndicatorValue
from engine.workflow.step import Step

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
PERIOD_TEXT = re.compile(r"^(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*月?$")
VALUE_MAX = 1_000_000
CHART_MONTHS_MAX = 120
VALUE_COLUMNS = (Column("指标", ("指标名称", "指标代码")), Column("月份", ("年月", "期间")),
                 Column("数值", ("值", "监测值", "指标值")), Column("说明", ("备注",), required=False))
VALUE_TEXT_MAX = 20
#: an indicator as defined; its two values are typed as text and read by parse_number (a percentage unit caps them)
INDICATOR_FIELDS = (
    Field("name", "line", label=N_("指标名称")),
    Field("code", "line", max_length=64, label=N_("代码"),
          help=N_("小写字母、数字和下划线，导入数据时可用代码代替名称")),
    Field("unit", "line", required=False, max_length=32, label=N_("计量单位"), help=N_("如 μg/m³、%、个")),
    Field("direction", "choice", choices={TargetDirection.AT_MOST.value: N_("不高于目标值（越低越好）"),
                                          TargetDirection.AT_LEAST.value: N_("不低于目标值（越高越好）")},
          label=N_("目标方向"), widget="select"),
    Field("baseline_year", "int", required=False, low=1990, high=2100, label=N_("基准年"), widget="line"),
    Field("baseline_value", "line", required=False, max_length=VALUE_TEXT_MAX, label=N_("基准值")),
    Field("target_value", "line", max_length=VALUE_TEXT_MAX, label=N_("目标值")),
    Field("target_text", "line", required=False, label=N_("目标表述"), help=N_("如：比2015年下降22.1%以上")),
    Field("deadline", "date", label=N_("目标期限")),
)


class IndicatorStatus(enum.StrEnum):
    NO_DATA = "no_data"
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"

    @property
    def label(self) -> Text:
        return {"no_data": N_("暂无数据"), "met": N_("已达到目标值"), "on_track": N_("符合目标进度"),
                "behind": N_("落后于目标进度"), "missed": N_("逾期未达标")}[self.value]

    def is_ok(self) -> bool:
        return self in (IndicatorStatus.MET, IndicatorStatus.ON_TRACK)


@dataclass(frozen=True)
class Point:
    period: str
    value: float | None
    planned: float

    def on_track(self, direction: TargetDirection) -> bool | None:
        return None if self.value is None else direction.meets(self.value, self.planned)


@dataclass
class IndicatorView:
    indicator: EnvironmentalIndicator
    values: list[IndicatorValue]  # newest first
    points: list[Point] = field(default_factory=list)  # the chart's months, oldest first
    status: IndicatorStatus = IndicatorStatus.NO_DATA

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[0] if self.values else None

    @property
    def planned_latest(self) -> float | None:
        latest = self.latest
        return planned_value(self.indicator, latest.period) if latest else None


# --- the target line and the status ----------------------------------------------------------

def _months_between(start: str, end: str) -> int:
    first, last = parse_period(start), parse_period(end)
    return (last.year - first.year) * 12 + last.month - first.month


def planned_value(indicator: EnvironmentalIndicator, period: str) -> float:
    """The target line at a month: straight from the baseline to the target, then flat."""
    if indicator.baseline_value is None or indicator.baseline_year is None:
        return indicator.target_value
    start, end = f"{indicator.baseline_year}-12", period_of(indicator.deadline)
    span = _months_between(start, end)
    share = 1.0 if span <= 0 else min(1.0, max(0.0, _months_between(start, period) / span))
    return round(indicator.baseline_value + (indicator.target_value - indicator.baseline_value) * share, 4)


def assess(indicator: EnvironmentalIndicator, values: Sequence[IndicatorValue], today: date) -> IndicatorView:
    ordered = sorted(values, key=lambda v: v.period, reverse=True)
    view = IndicatorView(indicator, ordered, chart_points(indicator, ordered, today))
    latest = view.latest
    if latest is None:
        return view
    direction = indicator.direction
    if direction.meets(latest.value, indicator.target_value):
        view.status = IndicatorStatus.MET
    elif today > indicator.deadline:
        view.status = IndicatorStatus.MISSED
    elif direction.meets(latest.value, planned_value(indicator, latest.period)):
        view.status = IndicatorStatus.ON_TRACK
    else:
        view.status = IndicatorStatus.BEHIND
    return view


def chart_points(indicator: EnvironmentalIndicator, values: Sequence[IndicatorValue], today: date) -> list[Point]:
    """Every month from the first value (or this month) to the later of the deadline and the last value."""
    by_period = {value.period: value.value for value in values}
    first = min(by_period, default=period_of(today))
    last = max([period_of(indicator.deadline), *by_period])
    points: list[Point] = []
    period = first
    while period <= last and len(points) < CHART_MONTHS_MAX:
        points.append(Point(period, by_period.get(period), planned_value(indicator, period)))
        period = next_period(period)
    return points


def indicator_views(session: Session, today: date) -> list[IndicatorView]:
    indicators = list(session.scalars(select(EnvironmentalIndicator).order_by(EnvironmentalIndicator.id)))
    values: dict[int, list[IndicatorValue]] = {}
    for value in session.scalars(select(IndicatorValue)):
        values.setdefault(value.indicator_id, []).append(value)
    return [assess(indicator, values.get(indicator.id, []), today) for indicator in indicators]


# --- defining an indicator -------------------------------------------------------------------

def parse_number(raw: Any, unit: str = "") -> float:
    """A value as entered: 85.71, "85.71%", " 43 "; ValueError with a message for a person."""
    if isinstance(raw, bool):
        raise ValueError(N_("应为数字"))
    text = cell_text(raw).replace(",", "").replace("，", "")
    text = text.removesuffix("%").strip() if unit == "%" or text.endswith("%") else text
    try:
        value = float(text)
    except ValueError:
        raise ValueError(N_("应为数字")) from None
    if not math.isfinite(value) or not 0 <= value <= VALUE_MAX:
        raise ValueError(N_("应在 0 到 %(high)s 之间", high=VALUE_MAX))
    if unit == "%" and value > 100:
        raise ValueError(N_("百分比不能超过 100"))
    return value


def clean_indicator(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    try:
        cleaned = clean(INDICATOR_FIELDS, data)
    except InvalidSubmission as exc:
        errors.update(exc.errors)
        cleaned = {}
    if "code" in cleaned and not CODE_PATTERN.match(cleaned["code"]):
        errors["code"] = [N_("代码只能用小写字母、数字和下划线，并以字母开头")]
    unit = cleaned.get("unit") or ""
    for name, required in (("baseline_value", False), ("target_value", True)):  # typed as text, read as numbers
        raw = data.get(name)
        if raw is None or cell_text(raw) == "":
            cleaned[name] = None
            if required:
                errors[name] = [N_("必填")]
            continue
        try:
            cleaned[name] = parse_number(raw, unit)
        except ValueError as exc:
            errors[name] = [message_of(exc)]
    if (cleaned.get("baseline_value") is None) != (cleaned.get("baseline_year") is None) and "baseline_year" in cleaned:
        errors.setdefault("baseline_value", []).append(N_("基准年和基准值要么都填，要么都不填"))
    if errors:
        raise InvalidSubmission(errors)
    cleaned["unit"] = unit
    cleaned["target_text"] = cleaned.get("target_text") or ""
    return cleaned


def indicator_summary(indicator: EnvironmentalIndicator) -> dict[str, Any]:
    return {"code": indicator.code, "name": indicator.name, "unit": indicator.unit,
            "direction": indicator.direction.value, "baseline_year": indicator.baseline_year,
            "baseline_value": indicator.baseline_value, "target_value": indicator.target_value,
            "target_text": indicator.target_text, "deadline": indicator.deadline.isoformat()}


def save_indicator(step: Step, data: Mapping[str, Any], indicator_id: int | None = None) -> EnvironmentalIndicator:
    cleaned = clean_indicator(data)
    session = step.session
    indicator = session.get(EnvironmentalIndicator, indicator_id) if indicator_id else None
    if indicator_id and indicator is None:
        raise NotFound(N_("没有这个指标"))
    for name in ("code", "name"):
        clash = session.scalar(select(EnvironmentalIndicator.id).where(
            getattr(EnvironmentalIndicator, name) == cleaned[name]))
        if clash and clash != indicator_id:
            raise InvalidSubmission({name: [N_("已有同名指标") if name == "name" else N_("代码已被其他指标使用")]})
    before = indicator_summary(indicator) if indicator else None
    indicator = indicator or EnvironmentalIndicator(created_at=step.now)
    for name, value in cleaned.items():
        setattr(indicator, name, date.fromisoformat(value) if name == "deadline" else value)
    indicator.direction = TargetDirection(cleaned["direction"])
    session.add(indicator)
    session.flush()
    step.audit("indicator.updated" if before else "indicator.created", ("indicator", indicator.id),
               f"{'修改' if before else '新增'}整改目标指标「{indicator.name}」", before=before,
               after=indicator_summary(indicator))
    return indicator


# --- monthly values ---------------------------------------------------------------------------

def check_period(raw: Any, today: date) -> str:
    """A month from a form or a cell: 2026-10, 2026年10月, an Excel date; not after this month."""
    if isinstance(raw, datetime | date):
        period = period_of(raw)
    else:
        match = PERIOD_TEXT.match(cell_text(raw))
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(N_("月份格式应为 YYYY-MM，如 2026-10"))
        period = f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    if period > period_of(today):
        raise ValueError(N_("不能录入以后月份的数据"))
    if period < "2000-01":
        raise ValueError(N_("月份太早"))
    return period


def record_value(step: Step, indicator: EnvironmentalIndicator, period: str, value: float, note: str = "") -> bool:
    """Store one month's value; False (and nothing written) when it is already so."""
    current = step.session.scalar(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.period == period))
    if current is not None and (current.value, current.note) == (value, note):
        return False
    before = {"value": current.value, "note": current.note} if current else None
    current = current or IndicatorValue(indicator_id=indicator.id, period=period)
    current.value, current.note = value, note
    current.recorded_by_id, current.recorded_at = step.actor.user_id, step.now
    step.session.add(current)
    step.session.flush()
    step.audit("indicator.value_recorded", ("indicator", indicator.id),
               f"录入「{indicator.name}」{period}：{value:g}{indicator.unit}", before=before,
               after={"period": period, "value": value, "note": note})
    return True


def record_values(step: Step, period: Any, entries: Mapping[int, tuple[Any, str]]) -> int:
    """The month's values of several indicators from the entry form; blank values are left as they are."""
    errors: dict[str, list[str]] = {}
    try:
        month = check_period(period, step.today)
    except ValueError as exc:
        errors["period"] = [message_of(exc)]
    parsed: list[tuple[EnvironmentalIndicator, float, str]] = []
    for indicator_id, (raw, note) in entries.items():
        indicator = step.session.get(EnvironmentalIndicator, indicator_id)
        if indicator is None:
            errors[f"value_{indicator_id}"] = [N_("没有这个指标")]
        elif cell_text(raw) != "":
            try:
                parsed.append((indicator, parse_number(raw, indicator.unit), cell_text(note)[:300]))
            except ValueError as exc:
                errors[f"value_{indicator_id}"] = [message_of(exc)]
    if errors:
        raise InvalidSubmission(errors)
    return sum(record_value(step, indicator, month, value, note) for indicator, value, note in parsed)


@dataclass
class ValuesImportResult:
    changed: int = 0
    unchanged: int = 0


def import_values(step: Step, rows: Sequence[Row]) -> ValuesImportResult:
    """All or nothing: every row checked first; then the values that differ are stored (audited)."""
    indicators: dict[str, EnvironmentalIndicator] = {}
    for indicator in step.session.scalars(select(EnvironmentalIndicator)):
        indicators.setdefault(indicator.code, indicator)
        indicators.setdefault(indicator.name, indicator)
    problems: list[Problem] = []
    checked: list[tuple[EnvironmentalIndicator, str, float, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        entry, row_problems = _value_row(step, row, indicators)
        if entry and (entry[0].id, entry[1]) in seen:
            row_problems.append(row.problem("月份", f"与第 {seen[(entry[0].id, entry[1])]} 行是同一指标的同一月份"))
        elif entry:
            seen[(entry[0].id, entry[1])] = row.number
            checked.append(entry)
        problems += row_problems
    if problems:
        raise ImportRejected(problems)
    result = ValuesImportResult()
    for indicator, period, value, note in checked:
        if record_value(step, indicator, period, value, note):
            result.changed += 1
        else:
            result.unchanged += 1
    return result


def _value_row(step: Step, row: Row, indicators: dict[str, EnvironmentalIndicator]) -> tuple[
        tuple[EnvironmentalIndicator, str, float, str] | None, list[Problem]]:
    problems: list[Problem] = []
    indicator = indicators.get(row.text("指标"))
    if indicator is None:
        missing = not row.text("指标")
        problem = N_("必须填写") if missing else N_("没有这个指标（请用指标名称或代码）")
        problems.append(row.problem("指标", problem))
    period = value = None
    try:
        period = check_period(row.values.get("月份"), step.today)
    except ValueError as exc:
        problems.append(row.problem("月份", str(exc)))
    try:
        value = parse_number(row.values.get("数值"), indicator.unit if indicator else "")
    except ValueError as exc:
        problems.append(row.problem("数值", N_("必须填写") if not row.text(N_("数值")) else str(exc)))
    if problems or indicator is None or period is None or value is None:
        return None, problems
    return (indicator, period, value, row.text("说明")[:300]), problems
