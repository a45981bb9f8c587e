"""What one role writes reaches the next: 交办意见, returned work that comes back filled in with its reasons, drafts
of long forms, and who already did a step."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.core.clock import LOCAL_TZ
from engine.core.errors import Conflict, InvalidSubmission
from engine.store.models import AuditEvent, HumanTask, ImplementationPlan, RectificationTask, WorkDraft
from tests.factories import PHOTO, World, apply_for_signoff, assignment, checklist, walk_to_reporting


def open_item(world: World, username: str, task_id: int, form: str) -> HumanTask:
    [work] = [work for work in world.work_for(username, task_id) if work.form == form]
    return work


def events(world: World, action: str) -> list[AuditEvent]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_assigning_asks_only_what_it_adds_and_keeps_the_instructions(world: World) -> None:
    task_id = world.register(lead_unit_id=world.units["naxi"])
    world.do("coordinator", task_id, "assign", plan_due="2026-04-10", instructions="请于4月10日前报送方案并附排查清单")
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        assert task.lead_unit_id == world.units["naxi"]  # the registration stands
        assert (task.instructions, task.plan_due.isoformat()) == ("请于4月10日前报送方案并附排查清单", "2026-04-10")
    [assigned] = events(world, "task.assigned")
    asked = "请于4月10日前报送方案并附排查清单"
    assert (assigned.before["instructions"], assigned.after["instructions"]) == ("", asked)
    assert "交办意见：请于4月10日前报送方案并附排查清单" in assigned.summary
    assert open_item(world, "other_staff", task_id, "plan_draft")  # it reached the registered unit


def test_assigning_may_still_change_the_registration(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world, lead_unit_id=world.units["naxi"],
                                                          cooperating_unit_ids=[]))
    with world.duban.db.transaction(write=False) as session:
        assert session.get_one(RectificationTask, task_id).lead_unit_id == world.units["naxi"]


def test_a_returned_plan_reopens_filled_in_with_who_returned_it_and_why(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="方案正文第一稿", milestones="3月底前排查", contact="李四 123")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="return", comment="请细化每个排污口的完成时间")
    work = open_item(world, "staff", task_id, "plan_draft")
    assert (work.returned_by_id, work.return_reason) == (world["supervisor"].user_id, "请细化每个排污口的完成时间")
    assert work.returned_at == world.duban.clock.now()
    item = world.duban.work.item(world["staff"], work.id)
    assert item.initial is not None and item.initial["content"] == "方案正文第一稿"
    assert item.initial["contact"] == "李四 123"
    assert item.work.returned_by is not None and item.work.returned_by.username == "supervisor"


def test_work_moved_on_is_not_marked_returned(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="方案", milestones="节点", contact="李四")
    assert open_item(world, "head", task_id, "plan_sign").returned_at is None
    world.do("head", task_id, "plan_sign", decision="back", comment="联系人电话缺失")
    assert open_item(world, "staff", task_id, "plan_draft").return_reason == "联系人电话缺失"


def test_a_returned_report_reopens_with_its_last_text(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress="完成排查 12 个排污口", percent_complete=40,
             problems="资金未到位", next_steps="")
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", decision="return", comment="请附现场照片", lagging=False)
    work = open_item(world, "staff", task_id, "report_submit")
    assert work.return_reason == "请附现场照片"
    initial = world.duban.work.item(world["staff"], work.id).initial
    assert initial == {"progress": "完成排查 12 个排污口", "percent_complete": 40, "problems": "资金未到位",
                       "next_steps": ""}


def test_a_returned_signoff_application_reopens_with_its_summary(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.do("staff", task_id, "signoff_apply", uploads=(PHOTO,), summary="全部整改完成，共封堵 12 个排污口",
             evidence_note="照片")
    world.do("head", task_id, "signoff_sign", decision="back", comment="补充验收报告")
    work = open_item(world, "staff", task_id, "signoff_apply")
    assert work.return_reason == "补充验收报告"
    initial = world.duban.work.item(world["staff"], work.id).initial
    assert initial == {"summary": "全部整改完成，共封堵 12 个排污口", "evidence_note": "照片"}


def test_a_draft_is_kept_per_person_audited_and_never_submitted(world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    work = open_item(world, "staff", task_id, "plan_draft")
    world.duban.work.save_draft(world["staff"], work.id, {"content": "写到一半的方案", "milestones": "",
                                                          "completion_date": "2026-09-30", "unknown": "x"})
    item = world.duban.work.item(world["staff"], work.id)
    assert item.initial is not None and item.initial["content"] == "写到一半的方案"
    assert item.initial["completion_date"].isoformat() == "2026-09-30" and "unknown" not in item.initial
    assert item.extra["draft_saved_at"] == world.duban.clock.now()
    assert open_item(world, "staff", task_id, "plan_draft").status.is_open()
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(ImplementationPlan.id))) == 0  # nothing was submitted
    [saved] = events(world, "work.draft_saved")
    assert saved.actor_name == world["staff"].display_name and saved.after == {"fields": ["completion_date", "content"]}
    world.duban.work.save_draft(world["staff"], work.id, {"content": "改过的方案"})  # replaced, not added
    world.do("staff", task_id, "plan_draft", content="定稿方案", milestones="节点", contact="李四")
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(WorkDraft.id))) == 0  # done: the draft has served


def test_a_short_form_takes_no_draft(world: World) -> None:
    task_id = world.register()
    work = open_item(world, "coordinator", task_id, "assign")
    with pytest.raises(InvalidSubmission):
        world.duban.work.save_draft(world["coordinator"], work.id, {"instructions": "草稿"})


def test_work_done_already_says_who_did_it_and_when(world: World) -> None:
    task_id = world.register()
    work = open_item(world, "coordinator", task_id, "assign")
    world.do("coordinator", task_id, "assign", **assignment(world))
    with pytest.raises(Conflict) as refused:
        world.duban.work.complete(world["coordinator"], work.id, assignment(world))
    when = world.duban.clock.now().astimezone(LOCAL_TZ)
    assert str(refused.value) == f"这项工作已由{world['coordinator'].display_name}于 {when:%Y-%m-%d %H:%M} 办理"


def test_a_signoff_returned_by_verification_names_the_unmet_standards(world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist(mechanism_in_place="长效机制尚未建立"))
    work = open_item(world, "staff", task_id, "signoff_apply")
    assert work.return_reason is not None and "长效机制尚未建立" in work.return_reason
