"""The dashboard's numbers and the monthly bulletin, checked against counts made independently here."""
from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, time

import pytest
from docx import Document
from sqlalchemy import select, true

from engine.core.clock import LOCAL_TZ, local_midnight
from engine.core.errors import InvalidSubmission, PermissionDenied
from engine.core.periods import parse_period
from engine.core.statuses import ReportStatus, TaskStatus, WarningLevel
from engine.features.rectification.queries import month_end
from engine.features.reporting.dashboard import completion_curve, status_at, status_history
from engine.store.models import AuditEvent, ProgressReport, RectificationTask
from tests.escalations import propose
from tests.factories import World, apply_for_signoff, assignment, checklist, report_month, walk_to_reporting


def stage_city(world: World) -> dict[str, int]:
    """Five tasks in every state: closed in April, a report overdue, lagging, pending sign-off, not started."""
    ids = {"closed": world.register("1-1"), "overdue": world.register("1-2", deadline="2026-05-15"),
           "new": world.register("2-1", category_id=world.categories[1], lead_unit_id=world.units["naxi"],
                                 cooperating_unit_ids=[], lead_leader_id=world["leader2"].user_id),
           "lagging": world.register("2-2", category_id=world.categories[1], lead_unit_id=world.units["naxi"],
                                     cooperating_unit_ids=[], lead_leader_id=world["leader2"].user_id),
           "pending": world.register("1-3", deadline_kind="standing", deadline=None)}
    for key in ("closed", "overdue", "pending"):
        walk_to_reporting(world, ids[key])
    world.do("coordinator", ids["lagging"], "assign", **assignment(world, lead_unit_id=world.units["naxi"],
                                                                  cooperating_unit_ids=[], deadline="2026-12-31",
                                                                  lead_leader_id=world["leader2"].user_id))
    world.do("other_staff", ids["lagging"], "plan_draft", content="方案", milestones="节点", contact="王五")
    world.do("other_head", ids["lagging"], "plan_sign", decision="submit", comment="")
    world.do("supervisor", ids["lagging"], "plan_review", decision="file", comment="")
    world.next_month()  # 2026-04-01: March's reports are requested, due 2026-04-05
    report_month(world, ids["closed"])
    report_month(world, ids["pending"])
    world.do("other_staff", ids["lagging"], "report_submit", progress="慢", percent_complete=10)
    world.do("other_head", ids["lagging"], "report_sign", decision="submit", comment="")
    world.do("supervisor", ids["lagging"], "report_review", decision="accept", lagging=True, comment="滞后")
    # an escalation of 1-2 is open: its overdue report adds to it, and the supervisor chases the report
    world.duban.escalation.propose(world["supervisor"], ids["overdue"], "现场检查发现仍有直排")
    world.go_to(datetime(2026, 4, 8, 9, tzinfo=LOCAL_TZ))  # the report of 1-2 is now overdue
    world.do("supervisor", ids["overdue"], "report_chase", method="phone", note="已电话催报")
    apply_for_signoff(world, ids["closed"])
    world.do("supervisor", ids["closed"], "signoff_verify", **{**checklist(), "site_check_date": "2026-04-08"})
    world.do("publicity", ids["closed"], "signoff_notice", text="拟销号公示")  # 8 to 14 April: 5 working days
    world.go_to(datetime(2026, 4, 15, 10, tzinfo=LOCAL_TZ))
    world.do("leader", ids["closed"], "signoff_approve", decision="approve", comment="同意")
    apply_for_signoff(world, ids["pending"])
    world.go_to(datetime.combine(datetime(2026, 4, 20).date(), time(10), LOCAL_TZ))
    return ids


def all_tasks(world: World) -> list[RectificationTask]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(RectificationTask)))


def test_dashboard_numbers_equal_independent_counts(world: World) -> None:
    ids = stage_city(world)
    board = world.duban.reporting.dashboard(world["leader"])
    tasks = all_tasks(world)
    with world.duban.db.transaction(write=False) as session:
        reports = list(session.scalars(select(ProgressReport)))
    owed = {r.task_id for r in reports if r.overdue and r.submitted_at is None and r.status != ReportStatus.CANCELLED}
    assert owed == {ids["overdue"]}
    assert board.statuses.counts == {s: sum(1 for t in tasks if t.status is s) for s in TaskStatus}
    assert board.statuses[TaskStatus.CLOSED] == 1 and board.statuses[TaskStatus.PENDING_SIGNOFF] == 1
    open_tasks = [t for t in tasks if not t.status.is_closed()]
    assert board.warnings == {level: sum(1 for t in open_tasks if t.warning is level) for level in WarningLevel}
    for rows, key in ((board.categories, "category_id"), (board.units, "lead_unit_id"),
                      (board.leaders, "lead_leader_id")):
        expected = Counter((getattr(t, key), t.status) for t in tasks)
        assert {(row.id, s): row.statuses[s] for row in rows for s in TaskStatus if row.statuses[s]} == expected
        for row in rows:
            mine = [t for t in open_tasks if getattr(t, key) == row.id]
            assert row.red == sum(1 for t in mine if t.warning is WarningLevel.RED)
            assert row.yellow == sum(1 for t in mine if t.warning is WarningLevel.YELLOW)
            assert row.overdue == sum(1 for t in tasks if getattr(t, key) == row.id and t.id in owed)
    assert board.overdue_tasks == 1 and [r.code for r in board.overdue_reports] == ["1-2"]
    assert board.overdue_reports[0].days == 15 and board.overdue_reports[0].unit == "江阳区"
    assert board.behind[0].label == "江阳区"
    assert board.escalations.open == 0  # escalations were proposed for 1-2 and 2-2, none approved yet


def test_approved_escalations_count_on_the_dashboard_and_in_the_bulletin(world: World) -> None:
    ids = stage_city(world)
    propose(world, ids["overdue"], 1)
    world.do("leader", ids["overdue"], "escalation_approve", decision="approve", comment="同意通报")
    world.tick(hours=1)
    board = world.duban.reporting.dashboard(world["leader"])
    assert (board.escalations.open, board.escalations.open_by_level) == (1, {"通报": 1})
    [issued] = world.duban.reporting.bulletin_data(world["coordinator"], "2026-04").escalations.issued
    assert (issued["code"], issued["unit"], issued["level"]) == ("1-2", "江阳区", "通报")
    assert world.duban.reporting.bulletin_data(world["coordinator"], "2026-03").escalations.issued == []


def test_completion_curve_reads_each_months_end_from_the_audit_trail(world: World) -> None:
    stage_city(world)
    curve = world.duban.reporting.dashboard(world["coordinator"]).curve
    assert [point.period for point in curve] == ["2026-03", "2026-04"]
    march, april = curve
    assert march.statuses.counts == {TaskStatus.REGISTERED: 1, TaskStatus.IN_PROGRESS: 4,
                                     TaskStatus.PENDING_SIGNOFF: 0, TaskStatus.CLOSED: 0}
    assert april.statuses.counts == world.duban.reporting.dashboard(world["coordinator"]).statuses.counts
    assert (march.closed_in_month, april.closed_in_month) == (0, 1)
    assert april.statuses.completion == pytest.approx(20.0)


def test_the_curve_equals_each_months_end_read_from_the_audit_trail(world: World) -> None:
    """Counted afresh here from the task.status audit events, month by month, for every task and for one
    category: a task signed off, then reopened the next month; another registered two months later."""
    ids = stage_city(world)
    world.go_to(datetime(2026, 5, 6, 10, tzinfo=LOCAL_TZ))
    world.do("supervisor", ids["closed"], "reopen", reason_kind="recurrence", reason="群众举报排污口复发",
             new_deadline="2026-09-30")
    world.go_to(datetime(2026, 6, 2, 9, tzinfo=LOCAL_TZ))
    world.register("2-3", category_id=world.categories[1])
    world.tick(minutes=1)
    now = world.duban.clock.now()
    with world.duban.db.transaction(write=False) as session:
        for scope in (true(), RectificationTask.category_id == world.categories[0]):
            curve = completion_curve(session, scope, now)
            tasks = list(session.scalars(select(RectificationTask).where(scope)))
            history = status_history(session, [task.id for task in tasks])
            assert [point.period for point in curve] == ["2026-03", "2026-04", "2026-05", "2026-06"]
            for point in curve:
                start, end = local_midnight(parse_period(point.period)), min(month_end(point.period), now)
                at_end = Counter(status_at(task.registered_at, history.get(task.id, []), end) for task in tasks)
                assert point.statuses.counts == {status: at_end[status] for status in TaskStatus}
                assert point.closed_in_month == sum(1 for task in tasks
                                                    if task.closed_at and start <= task.closed_at < end)
    whole_city = world.duban.reporting.dashboard(world["leader"]).curve
    april, june = whole_city[1], whole_city[-1]
    assert (april.statuses[TaskStatus.CLOSED], april.closed_in_month) == (1, 0)  # reopened in May: no longer
    assert (june.statuses.total, june.statuses[TaskStatus.CLOSED], june.statuses[TaskStatus.REGISTERED]) == (6, 0, 2)


def test_dashboard_is_for_leaders_the_office_and_supervisors(world: World) -> None:
    for username in ("staff", "head", "publicity", "discipline", "admin"):
        with pytest.raises(PermissionDenied):
            world.duban.reporting.dashboard(world[username])


def bulletin_text(content: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def test_the_monthly_bulletin_reports_the_month(world: World) -> None:
    stage_city(world)
    text, tables = bulletin_text(world.duban.reporting.bulletin(world["coordinator"], "2026-04"))
    assert "2026年4月通报" in text and "第2期" in text and "本月尚未结束" in text
    assert "全市5项整改任务中，已销号1项、待销号1项、推进中2项、未启动1项，销号率20.0%" in text
    categories = next(t for t in tables if t[0][0] == "类别")
    assert categories[1] == ["1. 水污染防治方面", "3", "1", "1", "1", "0", "1", "33.3%"]
    assert categories[-1][:2] == ["合计", "5"]
    signed = next(t for t in tables if t[0][:2] == ["编号", "整改任务"] and t[0][-1] == "销号日期")
    assert [row[0] for row in signed[1:]] == ["1-1"] and signed[1][-1] == "2026年4月15日"
    assert "应报送月度进展4份，按期报送3份，逾期后补报0份，逾期未报1份" in text
    assert "以下单位未按期交账：江阳区（1-2）" in text
    overdue = next(t for t in tables if t[0][0] == "责任单位")
    assert overdue[1] == ["江阳区", "1-2", "长江干流沿岸污水直排", "2026年4月5日", "至今未报"]
    assert "进度滞后：纳溪区（2-2）" in text
    assert "2026年4月启动督办问责2次，尚无经领导批准实施的通报、约谈、曝光、追责" in text and "催报1次" in text
    due = next(t for t in tables if t[0][-1] == "状态")
    assert [row[0] for row in due[1:]] == ["1-2"] and due[1][4] == "2026年5月15日"
    with world.duban.db.transaction(write=False) as session:
        made = session.scalars(select(AuditEvent).where(AuditEvent.action == "bulletin.made")).one()
    assert made.actor_name == "coordinator" and made.object_id == "2026-04"


def test_a_past_month_is_told_as_it_was_at_its_end(world: World) -> None:
    stage_city(world)
    text, _ = bulletin_text(world.duban.reporting.bulletin(world["coordinator"], "2026-03"))
    assert "截至2026年3月31日，全市5项整改任务中，已销号0项、待销号0项、推进中4项、未启动1项" in text
    assert "2026年3月无销号任务" in text and "2026年3月没有到期的月度进展报告" in text
    assert "本月尚未结束" not in text


def test_bulletin_months_are_checked_and_only_the_office_makes_them(world: World) -> None:
    with pytest.raises(InvalidSubmission, match="还没有开始"):
        world.duban.reporting.bulletin(world["coordinator"], "2026-05")
    with pytest.raises(InvalidSubmission, match="YYYY-MM"):
        world.duban.reporting.bulletin(world["coordinator"], "2026-4")
    with pytest.raises(PermissionDenied):
        world.duban.reporting.bulletin(world["supervisor"], "2026-03")
