"""信访件 published by batch: only accepted results, only public fields, a complainant's own case by number and code."""
from __future__ import annotations

import pytest

from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.statuses import CaseFinding, CaseStatus
from tests.cases import ROWS, case_named, do_case, import_batch
from tests.factories import World

FIRST, SECOND = ROWS[0].split(",")[0], ROWS[1].split(",")[0]
WITH_PHONE = ("X5105002026031009,2026-03-09,张三（电话 138-1234-5678，身份证 51050219800101123X）举报河边倾倒垃圾,"
              "江阳区黄舣镇,某砂石场,固废,江阳区,2026-03-31")


def accept(world: World, number: str, username: str = "staff", **report: str) -> None:
    do_case(world, username, number, "case_sign", decision="receive")
    do_case(world, username, number, "case_report", **{
        "finding": "confirmed", "found": "属实", "measures": "责令整改，罚款1万元", "fines_yuan": "10000",
        "accountability": "对街道分管负责人诫勉谈话", "persons_held": "1", **report})
    do_case(world, "supervisor", number, "case_review", decision="accept")


def test_a_batch_publishes_its_accepted_results_only(world: World) -> None:
    batch_id = import_batch(world, ROWS[0], ROWS[1], WITH_PHONE)
    with pytest.raises(PermissionDenied):
        world.duban.cases.publish_batch(world["coordinator"], batch_id)
    with pytest.raises(InvalidSubmission):
        world.duban.cases.publish_batch(world["publicity"], batch_id)
    assert world.duban.public_cases.batches() == []
    accept(world, FIRST)
    accept(world, "X5105002026031009")
    assert world.duban.cases.publish_batch(world["publicity"], batch_id) == 2
    [batch] = world.duban.public_cases.batches()
    shown, cases, pages = world.duban.public_cases.batch(batch.id)
    assert (shown.number, shown.cases, pages) == (1, 2, 1)
    assert [case.number for case in cases] == [FIRST, "X5105002026031009"]
    assert cases[0].finding is CaseFinding.CONFIRMED and cases[0].measures == "责令整改，罚款1万元"
    phone = cases[1]
    assert "138" not in phone.summary and "51050219800101123X" not in phone.summary and "***" in phone.summary
    assert not hasattr(phone, "lookup_code") and not hasattr(phone, "found")
    assert case_named(world, SECOND).status is CaseStatus.SIGNING  # not accepted: not published
    accept(world, SECOND, "other_staff")
    assert world.duban.cases.publish_batch(world["publicity"], batch_id) == 1
    assert world.duban.public_cases.batch(batch.id)[0].cases == 3


def test_a_complainant_looks_up_their_case_by_number_and_code(world: World) -> None:
    import_batch(world)
    case = case_named(world, FIRST)
    pending = world.duban.public_cases.lookup(FIRST, case.lookup_code.lower())
    assert pending.status is CaseStatus.SIGNING and not pending.published and pending.finding is None
    for number, code in ((FIRST, "WRONGCOD"), (SECOND, case.lookup_code), ("nothing", case.lookup_code), (FIRST, "")):
        with pytest.raises(NotFound):
            world.duban.public_cases.lookup(number, code)
    accept(world, FIRST)
    assert world.duban.public_cases.lookup(FIRST, case.lookup_code).finding is None  # accepted, not yet published
    world.duban.cases.publish_batch(world["publicity"], case.batch_id)
    published = world.duban.public_cases.lookup(f" {FIRST} ", "-".join(case.lookup_code))
    assert published.published and published.accountability == "对街道分管负责人诫勉谈话"


def test_the_dashboard_and_the_bulletin_count_cases(world: World) -> None:
    import io

    from docx import Document

    import_batch(world)
    accept(world, FIRST)
    board = world.duban.reporting.dashboard(world["leader"])
    assert board.cases is not None
    assert (board.cases.total, board.cases.open, board.cases.overdue) == (3, 2, 0)
    assert [(line.name, line.total, line.open) for line in board.cases.batches] == [("1", 3, 2)]
    assert board.cases.findings == {CaseFinding.CONFIRMED: 1}
    assert [line.name for line in board.cases.units][:2] in (["纳溪区", "市水务局"], ["市水务局", "纳溪区"])
    world.go_to(world.duban.clock.now().replace(day=20))
    document = Document(io.BytesIO(world.duban.reporting.bulletin(world["coordinator"], "2026-03")))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "信访件办理情况" in text and "督察组共转办信访件1批3件" in text and "查实1件" in text
    assert "其中逾期未报告2件" in text


def test_the_dashboards_case_figures_follow_the_chosen_round(world: World) -> None:
    """A round's dashboard counts the cases that came with that round; 全部批次 counts them all."""
    import_batch(world)  # into the current round
    later = world.duban.rounds.create(world["coordinator"], {"name": "省级环境保护督察", "body": "省第二督察组"})
    assert world.duban.reporting.dashboard(world["leader"]).cases.total == 3  # type: ignore[union-attr]
    assert world.duban.reporting.dashboard(world["leader"], later).cases.total == 0  # type: ignore[union-attr]
