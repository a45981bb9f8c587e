"""Environmental targets: the target line, on track or not, monthly values entered and imported."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.core.errors import InvalidSubmission, PermissionDenied
from engine.core.spreadsheet import ImportRejected
from engine.features.targets.indicators import IndicatorStatus
from engine.store.models import AuditEvent, IndicatorValue
from tests.factories import World
from tests.xlsx import xlsx

PM25 = {"code": "pm25", "name": "细颗粒物（PM2.5）年均浓度", "unit": "μg/m³", "direction": "at_most",
        "baseline_year": "2015", "baseline_value": "55.0", "target_value": "42.9",
        "target_text": "比2015年下降22.1%以上", "deadline": "2020-12-31"}
GOOD_DAYS = {"code": "good_days", "name": "空气质量优良天数比例", "unit": "%", "direction": "at_least",
             "baseline_year": "", "baseline_value": "", "target_value": "78.9", "target_text": "",
             "deadline": "2026-12-31"}


def define(world: World) -> dict[str, int]:
    return {data["code"]: world.duban.targets.save_indicator(world["coordinator"], data) for data in (PM25, GOOD_DAYS)}


def audit_count(world: World, action: str) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_the_target_line_runs_from_the_baseline_to_the_target(world: World) -> None:
    ids = define(world)
    world.duban.targets.record_values(world["coordinator"], "2026-02", {ids["good_days"]: ("80", "")})
    views = {view.indicator.code: view for view in world.duban.targets.indicators(world["leader"])}
    pm25 = views["pm25"]
    from engine.features.targets.indicators import planned_value
    assert planned_value(pm25.indicator, "2015-12") == 55.0
    assert planned_value(pm25.indicator, "2018-06") == pytest.approx(55.0 - 12.1 * 30 / 60)
    assert planned_value(pm25.indicator, "2020-12") == planned_value(pm25.indicator, "2026-01") == 42.9
    assert pm25.status is IndicatorStatus.NO_DATA
    good = views["good_days"]
    assert good.status is IndicatorStatus.MET and good.latest is not None and good.latest.value == 80
    assert good.points[0].period == "2026-02" and good.points[-1].period == "2026-12"
    assert all(point.planned == 78.9 for point in good.points)


@pytest.mark.parametrize(("value", "deadline", "status"), [
    ("44.0", "2020-12-31", IndicatorStatus.MISSED), ("42.0", "2020-12-31", IndicatorStatus.MET),
    ("44.5", "2027-12-31", IndicatorStatus.ON_TRACK), ("53.0", "2027-12-31", IndicatorStatus.BEHIND),
])
def test_on_track_or_not(world: World, value: str, deadline: str, status: IndicatorStatus) -> None:
    indicator_id = world.duban.targets.save_indicator(world["coordinator"], {**PM25, "deadline": deadline})
    world.duban.targets.record_values(world["coordinator"], "2026-02", {indicator_id: (value, "")})
    [view] = world.duban.targets.indicators(world["coordinator"])
    assert view.status is status


def test_values_are_recorded_once_and_audited(world: World) -> None:
    ids = define(world)
    entries = {ids["pm25"]: ("48.5", "1-2月累计"), ids["good_days"]: ("", "")}
    assert world.duban.targets.record_values(world["coordinator"], "2026-02", entries) == 1
    assert world.duban.targets.record_values(world["coordinator"], "2026-02", entries) == 0
    assert world.duban.targets.record_values(world["coordinator"], "2026-02", {ids["pm25"]: ("47", "")}) == 1
    assert audit_count(world, "indicator.value_recorded") == 2
    assert audit_count(world, "indicator.created") == 2
    with pytest.raises(InvalidSubmission) as bad:
        world.duban.targets.record_values(world["coordinator"], "2026-04", {ids["good_days"]: ("120", "")})
    assert set(bad.value.errors) == {"period", f"value_{ids['good_days']}"}
    with pytest.raises(PermissionDenied):
        world.duban.targets.record_values(world["supervisor"], "2026-02", entries)


def test_indicator_definitions_are_checked(world: World) -> None:
    define(world)
    with pytest.raises(InvalidSubmission) as bad:
        world.duban.targets.save_indicator(world["coordinator"], {**PM25, "code": "PM 2.5", "baseline_value": "",
                                                          "target_value": "abc"})
    assert set(bad.value.errors) == {"code", "target_value", "baseline_value"}
    with pytest.raises(InvalidSubmission, match="同名"):
        world.duban.targets.save_indicator(world["coordinator"], {**PM25, "code": "other"})


def test_values_import_is_all_or_nothing_and_idempotent(world: World) -> None:
    define(world)
    header = ("指标", "月份", "数值", "说明")
    good = xlsx([("pm25", "2026-01", 52.1, ""), ("空气质量优良天数比例", "2026年2月", "81.2%", "累计"),
                 ("pm25", date(2026, 2, 1), 49.7, "1-2月累计")], header=header)
    result = world.duban.targets.import_values(world["coordinator"], good)
    assert (result.changed, result.unchanged) == (3, 0)
    again = world.duban.targets.import_values(world["coordinator"], good)
    assert (again.changed, again.unchanged) == (0, 3)
    bad = xlsx([("pm25", "2026-01", 50, ""), ("SO2", "2026-01", 10, ""), ("pm25", "2026-13", 10, ""),
                ("good_days", "2026-01", 150, ""), ("pm25", "2026-01", 51, ""), ("pm25", "2027-01", "", "")],
               header=header)
    with pytest.raises(ImportRejected) as refused:
        world.duban.targets.import_values(world["coordinator"], bad)
    assert {(p.row, p.column) for p in refused.value.problems} == {
        (3, "指标"), (4, "月份"), (5, "数值"), (6, "月份"), (7, "月份"), (7, "数值")}
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(IndicatorValue.value).where(IndicatorValue.period == "2026-01")) == 52.1
