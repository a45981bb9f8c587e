"""信访件: a batch imported all or nothing, each case signed for or returned, investigated, reported with evidence,
reviewed; deadlines in working days with colours and a reminder; a unit sees only its own cases."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidSubmission, NotFound
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import CaseCategory, CaseFinding, CaseStatus, WarningLevel
from engine.core.uploads import Upload
from engine.features.cases.queries import CaseFilters
from engine.store.models import Attachment, AuditEvent, Notice
from tests.cases import ROWS, batch_csv, case_named, do_case, import_batch
from tests.factories import World

FIRST, SECOND, THIRD = (row.split(",")[0] for row in ROWS)
PHOTO = Upload("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)


def test_a_batch_is_previewed_then_imported_each_case_handed_to_its_unit(world: World) -> None:
    preview = world.duban.case_import.preview(world["coordinator"], batch_csv())
    assert preview.importable and preview.batch_number == 1
    assert [(c.case.number, c.unit_name, c.case.category) for c in preview.cases] == [
        (FIRST, "江阳区", CaseCategory.NOISE), (SECOND, "纳溪区", CaseCategory.AIR),
        (THIRD, "市水务局", CaseCategory.WATER)]
    import_batch(world)
    case = case_named(world, FIRST)
    assert case.status is CaseStatus.SIGNING and len(case.lookup_code) == 8
    assert case.report_due == date(2026, 3, 19)  # 7 working days after 2026-03-10
    assert [w.form for w in world.work_for("staff")] == ["case_sign"]
    assert [w.form for w in world.work_for("other_staff")] == ["case_sign"]
    second = world.duban.case_import.preview(world["coordinator"], batch_csv(ROWS[0]))
    assert [(p.row, p.column, p.message) for p in second.problems] == [(2, "案件编号", "这件信访件已经导入过")]
    assert second.batch_number == 2


def test_a_bad_file_imports_nothing_and_lists_every_bad_row(world: World) -> None:
    bad = ("Y1,2026-02-30,内容,地点,对象,大气,江阳区,2026-03-31",
           "Y2,2026-03-01,,地点,对象,光污染,不存在局,2026-03-31",
           "Y1,2026-03-01,内容,地点,对象,水,江阳区,2026-02-01")
    with pytest.raises(ImportRejected) as refused:
        world.duban.case_import.import_batch(world["coordinator"], batch_csv(*bad), "坏.csv")
    where = [(p.row, p.column) for p in refused.value.problems]
    assert where == [(2, "受理日期"), (3, "信访内容"), (3, "污染类型"), (3, "责任单位"), (4, "案件编号"),
                     (4, "办结时限")]
    assert world.duban.cases.batches(world["coordinator"]) == []


def test_confirmed_with_measures_through_review_with_evidence(world: World) -> None:
    import_batch(world)
    do_case(world, "staff", FIRST, "case_sign", decision="receive")
    assert case_named(world, FIRST).status is CaseStatus.INVESTIGATING
    with pytest.raises(InvalidSubmission) as refused:
        do_case(world, "staff", FIRST, "case_report", finding="confirmed", found="属实")
    assert "measures" in refused.value.errors
    do_case(world, "staff", FIRST, "case_report", (PHOTO,), finding="confirmed", found="工地夜间违规施工属实",
            measures="责令停止夜间施工，立案处罚", orders="1", fines_yuan="20000", closures="0",
            accountability="", persons_held="")
    case = case_named(world, FIRST)
    assert (case.status, case.finding, case.fines_yuan, case.orders) == (CaseStatus.REVIEWING, CaseFinding.CONFIRMED,
                                                                         20000, 1)
    do_case(world, "supervisor", FIRST, "case_review", decision="return", comment="请补充处罚决定书")
    assert case_named(world, FIRST).status is CaseStatus.INVESTIGATING
    [again] = world.work_for("staff")
    assert again.form == "case_report" and again.return_reason == "请补充处罚决定书"
    item = world.duban.work.case_item(world["staff"], again.id)
    assert item.initial is not None and item.initial["fines_yuan"] == 20000  # starts from the last report
    do_case(world, "staff", FIRST, "case_report", finding="confirmed", found="工地夜间违规施工属实",
            measures="责令停止夜间施工，罚款2万元（泸环罚〔2026〕3号）", orders="1", fines_yuan="20000")
    do_case(world, "supervisor", FIRST, "case_review", decision="accept", comment="")
    case = case_named(world, FIRST)
    assert case.status is CaseStatus.ACCEPTED and case.accepted_at is not None
    page = world.duban.cases.page(world["leader"], case.id)
    assert [a.original_name for a in page.attachments] == ["现场照片.png"] and page.open_work == []
    with world.duban.db.transaction(write=False) as session:
        [attachment] = session.scalars(select(Attachment))
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "complaint_case")))
    assert attachment.task_id is None
    assert actions == ["case.signed", "case.reported", "case.sent_back", "case.reported", "case.accepted"]


def test_unfounded_needs_no_measures(world: World) -> None:
    import_batch(world)
    do_case(world, "other_staff", SECOND, "case_sign", decision="receive")
    do_case(world, "other_staff", SECOND, "case_report", finding="unfounded", found="现场监测无异常，企业停产中")
    do_case(world, "supervisor", SECOND, "case_review", decision="accept")
    assert case_named(world, SECOND).finding is CaseFinding.UNFOUNDED


def test_a_return_is_reassigned_or_refused(world: World) -> None:
    import_batch(world)
    with pytest.raises(InvalidSubmission):
        do_case(world, "staff", FIRST, "case_sign", decision="return")
    do_case(world, "staff", FIRST, "case_sign", decision="return", reason="工地在纳溪区辖区")
    assert case_named(world, FIRST).status is CaseStatus.RETURNED
    do_case(world, "coordinator", FIRST, "case_return_decide", decision="reassign", unit_id=str(world.units["naxi"]),
            reason="属纳溪区管辖")
    case = case_named(world, FIRST)
    assert case.status is CaseStatus.SIGNING and case.unit_id == world.units["naxi"]
    assert world.work_for("staff") == []
    do_case(world, "other_staff", FIRST, "case_sign", decision="return", reason="不在本区")
    do_case(world, "coordinator", FIRST, "case_return_decide", decision="reject", reason="经核实在纳溪区")
    do_case(world, "other_staff", FIRST, "case_sign", decision="receive")
    assert case_named(world, FIRST).status is CaseStatus.INVESTIGATING


def test_colours_by_working_days_and_a_reminder_when_late(world: World) -> None:
    import_batch(world)
    for username, number in (("staff", FIRST), ("other_staff", SECOND)):  # THIRD is not even signed for
        do_case(world, username, number, "case_sign", decision="receive")
    coordinator = world["coordinator"]
    colours = {row.case.number: row.colour for row in world.duban.cases.register(coordinator, CaseFilters()).rows}
    assert set(colours.values()) == {WarningLevel.GREEN}
    world.go_to(datetime(2026, 3, 17, 9, 0, tzinfo=world.duban.clock.now().tzinfo))  # 2 working days before
    yellow = world.duban.cases.register(coordinator, CaseFilters(colour=WarningLevel.YELLOW))
    assert yellow.total == 3
    world.go_to(datetime(2026, 3, 20, 9, 0, tzinfo=world.duban.clock.now().tzinfo))
    red = world.duban.cases.register(coordinator, CaseFilters(overdue=True))
    assert red.total == 3 and {row.colour for row in red.rows} == {WarningLevel.RED}
    with world.duban.db.transaction(write=False) as session:
        kinds = list(session.scalars(select(Notice.role).where(Notice.kind == "case_overdue")))
    assert sorted(kinds) == sorted(["unit_staff", "unit_head"] * 3 + ["coordinator"] * 3)
    [line] = world.duban.cases.batches(coordinator)
    assert (line.cases, line.open, line.overdue) == (3, 3, 3)
    follow_ups = [work.id for work in world.work_for("coordinator") if work.form == "case_follow_up"]
    assert len(follow_ups) == 3  # 督办: the coordination group chases all of them with one decision
    world.duban.work.complete_many(coordinator, follow_ups, {"note": "电话督促，两个工作日内报告"})
    with world.duban.db.transaction(write=False) as session:
        chased = list(session.scalars(select(Notice.unit_id).where(Notice.kind == "case_chased")))
    assert len(chased) == 6 and [w.form for w in world.work_for("coordinator")].count("case_follow_up") == 0


def test_a_unit_sees_only_its_cases_and_the_register_filters(world: World) -> None:
    import_batch(world)
    staff = world.duban.cases.register(world["staff"], CaseFilters())
    assert [row.case.number for row in staff.rows] == [FIRST]
    other = case_named(world, SECOND)
    with pytest.raises(NotFound):
        world.duban.cases.page(world["staff"], other.id)
    everything = world.duban.cases.register(world["leader"], CaseFilters(category=CaseCategory.AIR))
    assert [row.case.number for row in everything.rows] == [SECOND]
    page = world.duban.cases.page(world["leader"], case_named(world, FIRST).id)
    assert [case.number for case in page.repeated] == [THIRD]  # same place and polluter, written differently


def test_a_batch_handed_down_after_its_reply_deadline_is_overdue_at_once(world: World) -> None:
    import_batch(world, "X9,2026-01-05,夜间施工噪声扰民,江阳区大山坪街道,某工地,噪声,江阳区,2026-02-01")
    case = case_named(world, "X9")
    assert case.report_due == date(2026, 2, 1) and case.status is CaseStatus.SIGNING
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(Notice.id).where(Notice.kind == "case_overdue", Notice.role == "coordinator"))
    assert [w.form for w in world.work_for("coordinator")].count("case_follow_up") == 1
