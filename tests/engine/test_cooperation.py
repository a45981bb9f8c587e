"""会办: each month the cooperating units owe their contribution some days before the lead unit's report; the
lead unit sees them in its report form; a missing one is told to the lead unit and the supervision group and
turns the cooperating unit yellow, then red after K months in a row; the wrong unit is refused."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.errors import PermissionDenied
from engine.core.settings import Settings
from engine.core.statuses import WarningLevel
from engine.store.models import AuditEvent, Contribution, InstanceStatus, Notice, ProcessInstance
from tests.factories import World, assignment, sign_off


def reporting_with_naxi(world: World) -> int:
    """A task of 江阳区 with 纳溪区 cooperating, its plan filed: it reports monthly."""
    naxi = [world.units["naxi"]]
    task_id = world.register(cooperating_unit_ids=naxi)
    world.do("coordinator", task_id, "assign", **assignment(world, cooperating_unit_ids=naxi))
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="同意备案")
    return task_id


def contributions(world: World) -> list[tuple[str, str, str]]:
    with world.duban.db.transaction(write=False) as session:
        return [(c.period, c.due_on.isoformat(), c.status.value) for c in session.scalars(
            select(Contribution).order_by(Contribution.period))]


def colour(world: World) -> WarningLevel:
    records = world.duban.reporting.dashboard(world["supervisor"]).unit_records
    return next((r.cooperation for r in records if r.unit == "纳溪区"), WarningLevel.GREEN)


def test_a_contribution_given_is_in_the_lead_units_report_form(world: World) -> None:
    task_id = reporting_with_naxi(world)
    world.next_month()  # 04-01: March's report is requested, and naxi's contribution, due 3 days before the 5th
    assert contributions(world) == [("2026-03", "2026-04-02", "requested")]
    [work] = [w for w in world.work_for("other_staff", task_id) if w.form == "cooperation_contribute"]
    assert work.unit_id == world.units["naxi"] and work.due_at is not None
    assert not [w for w in world.work_for("staff", task_id) if w.form == "cooperation_contribute"]
    with pytest.raises(PermissionDenied):  # the lead unit sees the task, but the contribution is naxi's
        world.duban.work.complete(world["staff"], work.id, {"content": "不是配合单位"})
    world.do("other_staff", task_id, "cooperation_contribute", content="完成沿江2个排污口水质监测")
    assert contributions(world) == [("2026-03", "2026-04-02", "given")]
    [report] = [w for w in world.work_for("staff", task_id) if w.form == "report_submit"]
    item = world.duban.work.item(world["staff"], report.id)
    assert [(c.unit.name, c.content) for c in item.extra["contributions"]] == [("纳溪区", "完成沿江2个排污口水质监测")]
    page = world.duban.work.task_page(world["supervisor"], task_id)
    assert page.cooperation == {world.units["naxi"]: WarningLevel.GREEN}
    world.do("staff", task_id, "report_submit", progress="完成截污管网 2 公里", percent_complete=40)
    world.do("head", task_id, "report_sign", decision="submit", comment="")  # the whole goes up
    [review] = [w for w in world.work_for("supervisor", task_id) if w.form == "report_review"]
    assert [c.content for c in world.duban.work.item(world["supervisor"], review.id).extra["contributions"]] == [
        "完成沿江2个排污口水质监测"]
    with world.duban.db.transaction(write=False) as session:
        said = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "report.contributions")).all()
    assert said == ["2026年3月月度进展连同配合单位情况一并报送：纳溪区（已报送）"]
    world.tick(days=5)
    assert contributions(world) == [("2026-03", "2026-04-02", "given")]  # the missing timer never fires
    assert colour(world) is WarningLevel.GREEN


def test_missing_contributions_turn_the_cooperating_unit_yellow_then_red(world: World) -> None:
    task_id = reporting_with_naxi(world)
    world.next_month()
    world.tick(days=1)  # 04-02 00:30: still due today
    assert contributions(world)[0][2] == "requested"
    world.tick(days=1)  # 04-03: missing
    assert contributions(world) == [("2026-03", "2026-04-02", "missing")]
    assert not [w for w in world.work_for("other_staff", task_id) if w.form == "cooperation_contribute"]
    with world.duban.db.transaction(write=False) as session:
        told = sorted(session.execute(select(Notice.role, Notice.unit_id).where(
            Notice.kind == "contribution_missing")).all())
    assert told == sorted([("unit_staff", world.units["jiangyang"]), ("unit_head", world.units["jiangyang"]),
                           ("supervisor", None), ("unit_staff", world.units["naxi"]),
                           ("unit_head", world.units["naxi"])])
    assert colour(world) is WarningLevel.YELLOW
    page = world.duban.work.task_page(world["staff"], task_id)  # the lead unit sees it on the task's page
    assert page.cooperation == {world.units["naxi"]: WarningLevel.YELLOW}
    assert world.duban.work.task_page(world["supervisor"], task_id).task.warning is WarningLevel.GREEN

    world.next_month()
    world.tick(days=2)  # April's missing too: two in a row
    assert [c[2] for c in contributions(world)] == ["missing", "missing"]
    assert colour(world) is WarningLevel.RED
    [record] = [r for r in world.duban.reporting.dashboard(world["supervisor"]).unit_records if r.unit == "纳溪区"]
    assert record.contributions_missing == 2

    world.next_month()
    world.do("other_staff", task_id, "cooperation_contribute", content="补充开展联合执法")
    world.tick(days=2)
    assert colour(world) is WarningLevel.GREEN


def test_a_contribution_step_may_be_chased_and_the_chase_goes_to_the_cooperating_unit(world: World) -> None:
    task_id = reporting_with_naxi(world)
    world.next_month()
    [work] = [w for w in world.work_for("other_staff", task_id) if w.form == "cooperation_contribute"]
    world.duban.chases.chase(world["supervisor"], work.id, {"message": "请今天报送", "reply_due": "2026-04-01"})
    assert world.duban.work.inbox(world["other_staff"]).entries[0].work.form == "chase_answer"
    assert not [w for w in world.work_for("staff", task_id) if w.form == "chase_answer"]


def test_signing_off_withdraws_the_contributions_and_chases_still_owed(world: World) -> None:
    late_reports = Duban(world.duban.db, world.duban.roles, world.duban.clock, world.duban.workflow_files,
                         Settings(report_day=28), storage=world.duban.files.root)
    late_reports.init_database()
    world = replace(world, duban=late_reports)  # March's report due 04-28, the contribution 04-25
    task_id = reporting_with_naxi(world)
    world.next_month()
    [work] = [w for w in world.work_for("other_staff", task_id) if w.form == "cooperation_contribute"]
    world.duban.chases.chase(world["supervisor"], work.id, {"message": "请报送", "reply_due": "2026-04-20"})
    sign_off(world, task_id)
    assert contributions(world) == [("2026-03", "2026-04-25", "requested")]
    with world.duban.db.transaction(write=False) as session:
        running = session.scalars(select(ProcessInstance.process_id).where(
            ProcessInstance.task_id == task_id, ProcessInstance.process_id.in_(("cooperation", "chase")))).all()
        statuses = session.scalars(select(ProcessInstance.status).where(
            ProcessInstance.task_id == task_id, ProcessInstance.process_id.in_(("cooperation", "chase")))).all()
    assert sorted(running) == ["chase", "cooperation"] and set(statuses) == {InstanceStatus.CANCELLED}
    assert not [w for w in world.work_for("other_staff", task_id) if w.form in ("cooperation_contribute",
                                                                                 "chase_answer")]


def test_the_days_before_the_report_and_the_proposed_dates_are_settings() -> None:
    settings = Settings.from_env({"DUBAN_CONTRIBUTION_DAYS_BEFORE_REPORT": "2", "DUBAN_CHASE_REPLY_WORKING_DAYS": "3",
                                  "DUBAN_INSTRUCTION_ANSWER_WORKING_DAYS": "10"})
    assert (settings.contribution_days_before_report, settings.chase_reply_working_days,
            settings.instruction_answer_working_days, settings.instruction_read_working_days) == (2, 3, 10, 3)
    for name, value in (("DUBAN_CONTRIBUTION_DAYS_BEFORE_REPORT", "28"), ("DUBAN_CHASE_REPLY_WORKING_DAYS", "0")):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: value})
