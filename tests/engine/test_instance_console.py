"""The instance console: suspending stops an instance's timers and work, resuming fires what fell due, and a
token moved back to an earlier step opens that step again for the people who do it."""
from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from engine.core.errors import Conflict, InvalidSubmission, PermissionDenied
from engine.store.models import AuditEvent
from engine.workflow.incidents import open_incident
from tests.engine.test_process_migration import at_plan_draft, in_notice, rectification_instance
from tests.factories import World, assert_round_trip, walk_to_reporting


def actions_on(world: World, instance_id: int) -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "instance", AuditEvent.object_id == str(instance_id)).order_by(AuditEvent.seq)))


def test_a_suspended_instance_fires_no_timer_and_resuming_fires_what_fell_due(world: World) -> None:
    task_id, notice_over = in_notice(world, "1-1")
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    world.duban.console.suspend(admin, instance.id, "核实公示期间收到的来信")
    assert world.duban.console.instance(admin, instance.id).suspended

    world.go_to(notice_over + timedelta(days=3))
    assert [w.form for w in world.work_for("leader", task_id)] == []  # the notice period's timer did not fire
    timers = world.duban.console.instance(admin, instance.id).state.timers
    assert [timer.name for timer in timers] == ["公示期满"]

    world.duban.console.resume(admin, instance.id, "来信已核实，与本任务无关")
    assert world.duban.sweep.fire_due_timers().fired >= 1
    assert [w.form for w in world.work_for("leader", task_id)] == ["signoff_approve"]
    assert actions_on(world, instance.id)[-2:] == ["process.suspended", "process.resumed"]
    assert_round_trip(world.duban, task_id)


def test_the_work_of_a_suspended_instance_cannot_be_done(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    instance = rectification_instance(world, task_id)
    world.duban.console.suspend(world["admin"], instance.id, "方案要求调整")
    with pytest.raises(Conflict, match="暂停"):
        world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")
    with pytest.raises(InvalidSubmission, match="原因"):
        world.duban.console.resume(world["admin"], instance.id, "  ")
    world.duban.console.resume(world["admin"], instance.id, "已调整")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")


def test_a_step_done_by_mistake_is_opened_again_with_the_reason(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    view = world.duban.console.instance(admin, instance.id)
    assert [token.bpmn_id for token in view.state.tokens if token.state == "ready"] == ["review_plan"]
    earlier = {step.bpmn_id: step.spiff_task_id for step in view.state.earlier_steps}
    assert {"assign", "draft_plan", "sign_plan"} <= earlier.keys()

    with pytest.raises(PermissionDenied):
        world.duban.console.move_back(world["supervisor"], instance.id, earlier["sign_plan"], "签错了")
    name = world.duban.console.move_back(admin, instance.id, earlier["sign_plan"], "负责人误点签发，核对后再签")
    assert name == "签发实施方案"
    assert "plan_review" not in [w.form for w in world.work_for("supervisor", task_id)]
    assert [w.form for w in world.work_for("head", task_id)] == ["plan_sign"]
    assert actions_on(world, instance.id)[-1] == "process.moved_back"
    assert_round_trip(world.duban, task_id)
    world.do("head", task_id, "plan_sign", decision="submit", comment="核对无误")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")

    with pytest.raises(InvalidSubmission, match="办理过的环节"):
        world.duban.console.move_back(admin, instance.id, view.state.tokens[0].spiff_task_id, "不是办理过的")


def test_an_incident_of_a_suspended_instance_waits_for_its_resumption(world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    instance = rectification_instance(world, task_id)
    world.duban.transactions.run(partial(open_incident, instance_id=instance.id, error=ValueError("数据有误"),
                                         now=world.duban.clock.now()))
    admin = world["admin"]
    world.duban.console.suspend(admin, instance.id, "先查明数据")
    view = world.duban.console.instance(admin, instance.id)
    assert view.blocked and [incident.error for incident in view.incidents] == ["ValueError: 数据有误"]
    with pytest.raises(Conflict, match="恢复运行"):
        world.duban.work.retry_incident(admin, view.incidents[0].id)
    world.duban.console.resume(admin, instance.id, "数据已更正")
    assert world.duban.work.retry_incident(admin, view.incidents[0].id)
    assert not world.duban.console.instance(admin, instance.id).blocked


def test_no_move_back_over_an_action_that_would_run_again(world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)  # filing the plan started the monthly reports (启动按月交账)
    instance = rectification_instance(world, task_id)
    admin = world["admin"]
    view = world.duban.console.instance(admin, instance.id)
    assert "draft_plan" not in {step.bpmn_id for step in view.state.earlier_steps}
    spiff_id = next(row.spiff_task_id for row in view.work if row.name == "编制整改实施方案")
    with pytest.raises(InvalidSubmission, match="启动按月交账"):
        world.duban.console.move_back(admin, instance.id, spiff_id, "误备案")
    assert rectification_instance(world, task_id).state_json == instance.state_json
