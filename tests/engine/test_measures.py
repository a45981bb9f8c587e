"""强化措施: a measure's period reports (reported, returned, resubmitted, accepted), its yearly review, its colours
by the clock, who sees it, and the office closing a round's measures."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from sqlalchemy import select

from engine.core.clock import LOCAL_TZ
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.statuses import MeasureRating, MeasureReportStatus, MeasureStatus, WarningLevel
from engine.features.measures.queries import MeasureFilters
from engine.store.models import AuditEvent, InstanceStatus, MeasureReport, ProcessInstance
from tests.factories import World
from tests.measures import REPORT, do_measure, measure_work, register_measure, round_id


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T00:30:00").replace(tzinfo=LOCAL_TZ)


def colour_of(world: World, measure_id: int) -> tuple[WarningLevel | None, str]:
    row = world.duban.measures.page(world["supervisor"], measure_id).row
    return (row.colour.level, str(row.colour.reason or "")) if row.colour else (None, "")


def reports(world: World, measure_id: int) -> list[MeasureReport]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(MeasureReport).where(MeasureReport.measure_id == measure_id)
                                    .order_by(MeasureReport.period)))


def test_a_quarter_is_reported_returned_resubmitted_and_accepted(world: World) -> None:
    measure_id = register_measure(world)
    assert measure_work(world, "staff") == []  # nothing is owed before the quarter ends
    world.go_to(at("2026-04-01"))
    [report] = reports(world, measure_id)
    assert (report.period, report.due_date.isoformat(), report.status) == ("2026-Q1", "2026-04-10",
                                                                           MeasureReportStatus.REQUESTED)
    [work] = measure_work(world, "staff", "measure_report_submit")
    assert work.due_at is not None and work.due_at.astimezone(LOCAL_TZ).date().isoformat() == "2026-04-10"
    assert measure_work(world, "other_staff") == []  # the lead unit's, nobody else's
    do_measure(world, "staff", "measure_report_submit", **REPORT)
    do_measure(world, "supervisor", "measure_report_review", decision="return", comment="缺少考核结果")
    [again] = measure_work(world, "staff", "measure_report_submit")
    assert again.return_reason == "缺少考核结果" and again.returned_by_id == world["supervisor"].user_id
    item = world.duban.work.measure_item(world["staff"], again.id)
    assert item.initial is not None and item.initial["work_done"] == REPORT["work_done"]  # reopened as it was sent
    do_measure(world, "staff", "measure_report_submit", **{**REPORT, "progress": "已完成考核"})
    do_measure(world, "supervisor", "measure_report_review", decision="accept", comment="")
    [report] = reports(world, measure_id)
    assert (report.status, report.progress, report.returns) == (MeasureReportStatus.ACCEPTED, "已完成考核", 1)
    page = world.duban.measures.page(world["leader"], measure_id)
    assert [event.action for event in page.history if event.object_type == "measure_report"] == [
        "measure_report.requested", "measure_report.submitted", "measure_report.returned",
        "measure_report.submitted", "measure_report.accepted"]
    with world.duban.db.transaction(write=False) as session:  # the next quarter is already under way
        keys = set(session.scalars(select(ProcessInstance.business_key).where(
            ProcessInstance.process_id == "measure_report", ProcessInstance.status == InstanceStatus.RUNNING)))
    assert f"QH{measure_id}:2026-Q2" in keys


def test_the_colour_follows_the_clock(world: World) -> None:
    measure_id = register_measure(world)
    assert colour_of(world, measure_id) == (WarningLevel.GREEN, "")
    world.go_to(at("2026-04-01"))
    assert colour_of(world, measure_id)[0] is WarningLevel.GREEN
    world.go_to(at("2026-04-08"))
    assert colour_of(world, measure_id) == (WarningLevel.YELLOW, "黄：2026年第一季度工作报告 2026-04-10 到期")
    world.go_to(at("2026-04-12"))
    assert colour_of(world, measure_id) == (WarningLevel.YELLOW, "黄：2026年第一季度工作报告逾期 2 天")
    assert reports(world, measure_id)[0].overdue  # the timer marked it
    world.go_to(at("2026-04-27"))
    assert colour_of(world, measure_id) == (WarningLevel.RED, "红：2026年第一季度工作报告逾期 17 天")
    do_measure(world, "staff", "measure_report_submit", **REPORT)
    assert colour_of(world, measure_id)[0] is WarningLevel.GREEN  # sent: the supervision group owes the review


def test_the_yearly_review_and_a_lagging_measure_turns_red(world: World) -> None:
    measure_id = register_measure(world, period_kind="year")
    world.go_to(at("2026-11-30"))
    assert measure_work(world, "supervisor", "measure_review") == []
    world.go_to(at("2026-12-01"))
    [work] = measure_work(world, "supervisor", "measure_review")
    assert work.due_at is not None and work.due_at.astimezone(LOCAL_TZ).date().isoformat() == "2026-12-31"
    with pytest.raises(InvalidSubmission):
        world.duban.work.complete(world["supervisor"], work.id, {"rating": "excellent", "opinion": "x"})
    do_measure(world, "supervisor", "measure_review", rating="lagging", opinion="考核办法尚未出台")
    page = world.duban.measures.page(world["supervisor"], measure_id)
    assert [(r.year, r.rating) for r in page.reviews] == [(2026, MeasureRating.LAGGING)]
    assert colour_of(world, measure_id) == (WarningLevel.RED, "红：2026年度评估为推进滞后")
    with world.duban.db.transaction(write=False) as session:  # next year's review is scheduled
        assert session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.business_key == f"QH{measure_id}:2027")) is not None


def test_a_unit_sees_only_its_measures_and_the_ledger_filters(world: World) -> None:
    ours = register_measure(world)
    theirs = register_measure(world, unit="naxi", category_number=2, title="完善环境准入制度",
                              category_name="坚决以生态环境保护硬约束推动绿色发展", cooperating_unit_ids=[])
    world.go_to(at("2026-04-27"))
    do_measure(world, "staff", "measure_report_submit", **REPORT)

    def ids(username: str, **filters: object) -> list[int]:
        groups = world.duban.measures.ledger(world[username], MeasureFilters(**filters))  # type: ignore[arg-type]
        return [row.measure.id for group in groups for row in group.rows]

    assert ids("supervisor") == [ours, theirs]
    assert ids("staff") == [ours] and ids("other_staff") == [theirs]
    assert ids("water_staff") == [ours]  # a cooperating unit sees the measure too
    assert ids("supervisor", colour=WarningLevel.RED) == [theirs]
    assert ids("supervisor", unit_id=world.units["naxi"]) == [theirs]
    assert ids("supervisor", category=1) == [ours]
    assert ids("supervisor", round_id=round_id(world) + 1) == []
    with pytest.raises(NotFound):
        world.duban.measures.page(world["other_staff"], ours)
    with pytest.raises(PermissionDenied):
        world.duban.measures.ledger(world["admin"], MeasureFilters())
    with pytest.raises(PermissionDenied):
        world.duban.measures.register(world["supervisor"], {})
    figures = world.duban.measures.figures(world["leader"])
    assert (figures.total, figures.by_colour) == (2, {"green": 1, "yellow": 0, "red": 1})
    assert figures.by_category == [(1, "坚决贯彻落实中央重大决策部署", {"green": 1}),
                                   (2, "坚决以生态环境保护硬约束推动绿色发展", {"red": 1})]
    workbook = world.duban.measures.export(world["staff"], MeasureFilters())
    assert workbook[:2] == b"PK"


def test_the_office_closes_the_rounds_measures(world: World) -> None:
    measure_id = register_measure(world)
    world.go_to(at("2026-04-01"))
    with pytest.raises(PermissionDenied):
        world.duban.measures.close_round(world["supervisor"], {"round_id": round_id(world), "note": "x"})
    closed = world.duban.measures.close_round(world["coordinator"], {"round_id": round_id(world),
                                                                    "note": "七大类措施均已建立长效机制"})
    assert closed == 1
    page = world.duban.measures.page(world["leader"], measure_id)
    assert page.row.measure.status is MeasureStatus.CLOSED and page.row.colour is None and page.open_work == []
    assert [r.status for r in page.reports] == [MeasureReportStatus.CANCELLED]
    assert measure_work(world, "staff") == []
    with world.duban.db.transaction(write=False) as session:
        assert not list(session.scalars(select(ProcessInstance).where(
            ProcessInstance.process_id.startswith("measure"), ProcessInstance.status == InstanceStatus.RUNNING)))
        assert session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "measure.closed")) == \
            "强化措施 QH-01 结束：七大类措施均已建立长效机制"
    with pytest.raises(InvalidSubmission):  # nothing left to close
        world.duban.measures.close_round(world["coordinator"], {"round_id": round_id(world), "note": "再次"})


def test_the_dashboard_and_the_bulletin_count_the_measures(world: World) -> None:
    register_measure(world)
    register_measure(world, unit="naxi", category_number=2, title="完善环境准入制度",
                     category_name="坚决以生态环境保护硬约束推动绿色发展", cooperating_unit_ids=[])
    world.go_to(at("2026-04-01"))
    do_measure(world, "staff", "measure_report_submit", **REPORT)
    do_measure(world, "supervisor", "measure_report_review", decision="return", comment="缺少佐证材料")
    do_measure(world, "staff", "measure_report_submit", **REPORT)
    do_measure(world, "supervisor", "measure_report_review", decision="accept", comment="")
    world.go_to(at("2026-05-01"))
    board = world.duban.reporting.dashboard(world["leader"])
    assert board.measures is not None and (board.measures.total, board.measures.by_colour) == (
        2, {"green": 1, "yellow": 0, "red": 1})
    month = world.duban.reporting.bulletin_data(world["coordinator"], "2026-04").measures
    assert month is not None
    assert (month.due, month.on_time, month.overdue, month.accepted, month.returned) == (2, 1, 1, 1, 1)
    assert month.sentence() == ("全市2大类2条强化措施，推进中2条。本月应报送2026年第一季度工作报告2份，按期报送1份，"
                                "逾期未报1份；审核通过1份，退回重报1份。当前预警：绿1条、黄0条、红1条。")
    march = world.duban.reporting.bulletin_data(world["coordinator"], "2026-03").measures
    assert march is not None and march.due == 0 and "本月无到期的工作报告" in march.sentence()
    document = Document(io.BytesIO(world.duban.reporting.bulletin(world["coordinator"], "2026-04")))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "七、强化措施推进情况" in texts and month.sentence() in texts


def test_a_report_returned_after_its_due_date_is_owed_again_within_days_not_late_at_once(world: World) -> None:
    measure_id = register_measure(world)
    world.go_to(at("2026-04-01"))
    do_measure(world, "staff", "measure_report_submit", **REPORT)
    world.go_to(at("2026-04-20"))
    do_measure(world, "supervisor", "measure_report_review", decision="return", comment="请补充考核结果")
    assert colour_of(world, measure_id) == (WarningLevel.YELLOW, "黄：2026年第一季度工作报告 2026-04-23 到期")
    [again] = measure_work(world, "staff", "measure_report_submit")
    assert again.due_at is not None and again.due_at.astimezone(LOCAL_TZ).date().isoformat() == "2026-04-23"
    world.go_to(at("2026-04-25"))
    assert colour_of(world, measure_id) == (WarningLevel.YELLOW, "黄：2026年第一季度工作报告逾期 2 天")


def test_an_inbox_names_the_measure_of_each_open_quarter(world: World) -> None:
    """Two quarters' reports of one measure open at once: each inbox entry is the measure's."""
    measure_id = register_measure(world)
    world.go_to(at("2026-07-12"))  # the first quarter's report never sent, the second's requested
    entries = [entry for entry in world.duban.work.inbox(world["staff"]).entries
               if entry.work.form == "measure_report_submit"]
    assert len(entries) == 2 and {entry.measure.id for entry in entries if entry.measure} == {measure_id}
    assert all(entry.measure is not None for entry in entries)
