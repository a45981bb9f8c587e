"""The whole normal life of one rectification task, driven through the engine façade."""
from __future__ import annotations

from sqlalchemy import select

from engine.core.statuses import PlanStatus, ReportStatus, TaskStatus
from engine.store.models import ImplementationPlan, InstanceStatus, ProcessInstance, ProgressReport, RectificationTask
from tests.factories import (
    PHOTO,
    World,
    apply_for_signoff,
    assignment,
    checklist,
    through_notice,
    walk_to_reporting,
)


def task_status(world: World, task_id: int) -> TaskStatus:
    with world.duban.db.transaction(write=False) as session:
        return session.get_one(RectificationTask, task_id).status


def test_registration_waits_for_assignment(world: World) -> None:
    task_id = world.register()
    assert task_status(world, task_id) is TaskStatus.REGISTERED
    assert [w.form for w in world.work_for("coordinator")] == ["assign"]
    assert world.work_for("staff") == []


def test_whole_normal_life(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    assert task_status(world, task_id) is TaskStatus.IN_PROGRESS
    assert [w.form for w in world.work_for("staff", task_id)] == ["signoff_apply"]

    world.next_month()
    world.do("staff", task_id, "report_submit", progress="完成排查 40 个排污口", percent_complete=40)
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", decision="accept", comment="")

    world.do("staff", task_id, "signoff_apply", uploads=(PHOTO,), summary="全部截污纳管完成", evidence_note="照片")
    assert task_status(world, task_id) is TaskStatus.PENDING_SIGNOFF
    world.do("head", task_id, "signoff_sign", decision="submit", comment="")
    through_notice(world, task_id)
    world.do("leader", task_id, "signoff_approve", decision="approve", comment="同意销号")

    assert task_status(world, task_id) is TaskStatus.CLOSED
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        assert task.closed_at is not None
        instances = session.scalars(select(ProcessInstance).where(ProcessInstance.task_id == task_id)).all()
        assert sorted((i.process_id, i.business_key, i.status) for i in instances) == [
            ("cooperation", "HB-1", InstanceStatus.COMPLETED),  # 市水务局's March contribution, missing
            ("deadline_watch", "2026-12-31", InstanceStatus.CANCELLED),
            ("monthly_report", "2026-03", InstanceStatus.COMPLETED),  # reported, its timers run out in the notice
            ("monthly_report", "2026-04", InstanceStatus.CANCELLED),  # April had begun, not yet ended
            ("rectification", "", InstanceStatus.RUNNING)]  # waits, should the problem come back (reopen)
        report = session.scalars(select(ProgressReport)).one()
        assert (report.period, report.status) == ("2026-03", ReportStatus.ACCEPTED)
    assert world.work_for("staff", task_id) == []
    assert [w.form for w in world.work_for("supervisor", task_id)] == ["reopen"]


def test_returned_plan_comes_back_to_the_unit(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="初稿", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="return", comment="措施不具体")

    assert [w.form for w in world.work_for("staff", task_id)] == ["plan_draft"]
    world.do("staff", task_id, "plan_draft", content="第二稿", milestones="按月推进", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")
    with world.duban.db.transaction(write=False) as session:
        plans = session.scalars(select(ImplementationPlan).order_by(ImplementationPlan.revision)).all()
        assert [(p.revision, p.status, p.review_comment) for p in plans] == [
            (1, PlanStatus.RETURNED, "措施不具体"), (2, PlanStatus.FILED, "")]
    assert task_status(world, task_id) is TaskStatus.IN_PROGRESS


def test_unit_head_sends_plan_back_to_drafter(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="初稿", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="back", comment="补充时间节点")
    assert [w.form for w in world.work_for("staff", task_id)] == ["plan_draft"]
    assert world.work_for("supervisor", task_id) == []


def test_returned_report_and_failed_verification_loop_back(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress="进展", percent_complete=10)
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", decision="return", comment="数据不实")
    world.do("staff", task_id, "report_submit", progress="进展（修改）", percent_complete=12)
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", decision="accept", comment="", lagging=True)
    with world.duban.db.transaction(write=False) as session:
        report = session.scalars(select(ProgressReport)).one()
        assert (report.progress, report.lagging, report.status) == ("进展（修改）", True, ReportStatus.ACCEPTED)

    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist(similar_fixed="下游仍有同类排污口未整改"))
    assert task_status(world, task_id) is TaskStatus.IN_PROGRESS
    assert [w.form for w in world.work_for("staff", task_id)] == ["signoff_apply"]


def test_each_month_asks_for_the_report_of_the_month_just_ended(world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    assert world.duban.sweep.fire_due_timers().fired == 0
    world.next_month()  # 1 April: March's report is due on 5 April
    world.next_month()  # 1 May: April's too
    with world.duban.db.transaction(write=False) as session:
        reports = session.execute(select(ProgressReport.period, ProgressReport.due_date, ProgressReport.status)
                                  .order_by(ProgressReport.period)).all()
        keys = session.scalars(select(ProcessInstance.business_key).where(
            ProcessInstance.process_id == "monthly_report").order_by(ProcessInstance.id)).all()
    assert [(p, d.isoformat(), s) for p, d, s in reports] == [
        ("2026-03", "2026-04-05", ReportStatus.REQUESTED), ("2026-04", "2026-05-05", ReportStatus.REQUESTED)]
    assert keys == ["2026-03", "2026-04", "2026-05"]
    assert len([w for w in world.work_for("staff", task_id) if w.form == "report_submit"]) == 2
