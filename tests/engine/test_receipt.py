"""签收 and 退办/改派 (workflows/receipt.bpmn): each unit of an assigned task signs for it within its receipt period,
or returns it; the coordinator reassigns a returned task or refuses the return; a late receipt turns the task
yellow and goes to the coordinator."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.roles import RoleModel
from engine.core.settings import Settings
from engine.core.statuses import ReceiptStatus, WarningLevel
from engine.features.accounts.usecases import actor_for
from engine.store.database import Database
from engine.store.models import AuditEvent, HumanTask, Notice, RectificationTask, TaskReceipt
from tests.conftest import WORKFLOWS
from tests.factories import PASSWORD, World, assignment, build_world, sign_off


def assigned(world: World, **overrides: object) -> int:
    task_id = world.register(**overrides)  # type: ignore[arg-type]
    world.do("coordinator", task_id, "assign", **assignment(world, **overrides))
    return task_id


def task_of(world: World, task_id: int) -> RectificationTask:
    with world.duban.db.transaction(write=False) as session:
        return session.get_one(RectificationTask, task_id)


def person(world: World, username: str, role: str, unit: str) -> Actor:
    user_id = world.duban.accounts.create_user(Actor.system(), username=username, password=PASSWORD,
                                               display_name=username, role=role, unit_code=unit)
    user = world.duban.accounts.user(user_id)
    assert user is not None
    world.actors[username] = actor_for(user)
    return world.actors[username]


def audit_actions(world: World, task_id: int, prefix: str = "task.") -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.summary).where(
            AuditEvent.task_id == task_id, AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.seq)))


def test_the_lead_and_each_cooperating_unit_sign_for_an_assigned_task(world: World) -> None:
    task_id = assigned(world)
    assert [w.form for w in world.work_for("staff", task_id)] == ["receipt_sign", "plan_draft"]
    assert [w.form for w in world.work_for("water_staff", task_id)] == ["receipt_sign"]
    assert world.work_for("other_staff", task_id) == []
    world.tick(hours=2)
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="已收到")
    world.do("water_staff", task_id, "receipt_sign", decision="receive", reason="")
    task = task_of(world, task_id)
    assert task.received_at == world.duban.clock.now()
    with world.duban.db.transaction(write=False) as session:
        rows = session.scalars(select(TaskReceipt).order_by(TaskReceipt.id)).all()
        assert [(row.unit_id, row.lead, row.status) for row in rows] == [
            (world.units["jiangyang"], True, ReceiptStatus.RECEIVED),
            (world.units["water"], False, ReceiptStatus.RECEIVED)]
    assert [w.form for w in world.work_for("staff", task_id)] == ["plan_draft"]
    assert "江阳区签收" in audit_actions(world, task_id)


def test_a_unit_signs_only_its_own_receipt(world: World) -> None:
    task_id = assigned(world)
    work_id = next(w.id for w in world.work_for("staff", task_id) if w.form == "receipt_sign")
    with pytest.raises(NotFound):  # another unit does not even see the task
        world.duban.work.complete(world["other_staff"], work_id, {"decision": "receive"})
    with pytest.raises(PermissionDenied):  # the unit's head is not its officer
        world.duban.work.complete(world["head"], work_id, {"decision": "receive"})
    with pytest.raises(PermissionDenied):
        world.duban.work.complete(world["coordinator"], work_id, {"decision": "receive"})


def test_a_receipt_not_made_in_time_turns_the_task_yellow_and_goes_to_the_coordinator(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])  # Tuesday 10 March: two working days, until Thursday
    world.go_to(datetime.combine(date(2026, 3, 12), time(23, 0), LOCAL_TZ))
    assert world.work_for("coordinator", task_id) == []
    assert task_of(world, task_id).warning is WarningLevel.GREEN
    world.go_to(datetime.combine(date(2026, 3, 13), time(0, 30), LOCAL_TZ))
    task = task_of(world, task_id)
    assert (task.warning, task.warning_reasons, task.receipt_late) == (
        WarningLevel.YELLOW, [{"code": "receipt_late"}], True)
    assert [w.form for w in world.work_for("coordinator", task_id)] == ["receipt_follow_up"]
    with world.duban.db.transaction(write=False) as session:
        notices = session.scalars(select(Notice.text).where(Notice.kind == "receipt_late")).all()
    assert notices == ["1-1 交办后江阳区逾期未签收，请督促"]
    world.tick(days=3)  # the timer fired once
    assert len(world.work_for("coordinator", task_id)) == 1

    world.do("coordinator", task_id, "receipt_follow_up", decision="chase", reason="请今天内签收")
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="")
    task = task_of(world, task_id)
    assert (task.warning, task.receipt_late, task.received_at is not None) == (WarningLevel.GREEN, False, True)
    assert "江阳区签收（逾期，签收期限 2026年3月12日）" in audit_actions(world, task_id)


def test_signing_late_ends_the_coordinators_follow_up(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])
    world.tick(days=4)
    assert [w.form for w in world.work_for("coordinator", task_id)] == ["receipt_follow_up"]
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="")
    assert world.work_for("coordinator", task_id) == []


def test_a_returned_task_is_reassigned_and_the_new_unit_starts_at_receipt(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])
    with pytest.raises(InvalidSubmission) as refused:
        world.do("staff", task_id, "receipt_sign", decision="return", reason="")
    assert "reason" in refused.value.errors
    world.do("staff", task_id, "receipt_sign", decision="return", reason="该排污口位于纳溪区，不属本区管辖")
    assert [w.form for w in world.work_for("coordinator", task_id)] == ["receipt_return_decide"]
    with pytest.raises(InvalidSubmission):  # the unit that returned it is no new unit
        world.do("coordinator", task_id, "receipt_return_decide", decision="reassign",
                 unit_id=world.units["jiangyang"], reason="改派")
    world.do("coordinator", task_id, "receipt_return_decide", decision="reassign", unit_id=world.units["naxi"],
             reason="经核实属纳溪区")
    task = task_of(world, task_id)
    assert task.lead_unit_id == world.units["naxi"]
    assert world.work_for("staff", task_id) == []
    assert [w.form for w in world.work_for("other_staff", task_id)] == ["plan_draft", "receipt_sign"]
    with world.duban.db.transaction(write=False) as session:
        rows = session.scalars(select(TaskReceipt).order_by(TaskReceipt.id)).all()
        assert [(row.unit_id, row.status, row.return_reason) for row in rows] == [
            (world.units["jiangyang"], ReceiptStatus.REASSIGNED, "该排污口位于纳溪区，不属本区管辖"),
            (world.units["naxi"], ReceiptStatus.WAITING, "")]
        plan_work = session.scalars(select(HumanTask.unit_id).where(HumanTask.form == "plan_draft")).all()
    assert plan_work == [world.units["naxi"]]
    assert "改派：江阳区 → 纳溪区（经核实属纳溪区）" in audit_actions(world, task_id)
    world.do("other_staff", task_id, "receipt_sign", decision="receive", reason="")
    assert task_of(world, task_id).received_at is not None


def test_a_refused_return_must_be_signed_for(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])
    world.do("staff", task_id, "receipt_sign", decision="return", reason="不属本区职责")
    with pytest.raises(InvalidSubmission):  # a refusal says why
        world.do("coordinator", task_id, "receipt_return_decide", decision="reject", reason="")
    world.do("coordinator", task_id, "receipt_return_decide", decision="reject", reason="属地管理，由江阳区牵头")
    assert sorted(w.form for w in world.work_for("staff", task_id)) == ["plan_draft", "receipt_sign"]
    with pytest.raises(InvalidSubmission) as refused:
        world.do("staff", task_id, "receipt_sign", decision="return", reason="仍认为不属本区")
    assert refused.value.errors == {"decision": ["退办已被驳回，请签收"]}
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="")
    assert any(summary.startswith("驳回江阳区的退办：属地管理") for summary in audit_actions(world, task_id))


def test_a_task_is_returned_only_within_the_receipt_period(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])
    world.tick(days=4)
    with pytest.raises(InvalidSubmission) as refused:
        world.do("staff", task_id, "receipt_sign", decision="return", reason="不属本区")
    assert "decision" in refused.value.errors


def test_the_coordinator_may_reassign_a_late_receipt(world: World) -> None:
    task_id = assigned(world, cooperating_unit_ids=[])
    world.tick(days=4)
    world.do("coordinator", task_id, "receipt_follow_up", decision="reassign", unit_id=world.units["naxi"],
             reason="江阳区长期未签收，改由纳溪区牵头")
    task = task_of(world, task_id)
    assert (task.lead_unit_id, task.receipt_late) == (world.units["naxi"], False)
    assert world.work_for("staff", task_id) == []
    assert sorted(w.form for w in world.work_for("other_staff", task_id)) == ["plan_draft", "receipt_sign"]


def test_the_receipt_period_is_a_setting(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path) -> None:
    world = build_world(Duban(db, roles, clock, WORKFLOWS, settings=Settings(receipt_working_days=5),
                              storage=tmp_path / "files"))
    assigned(world, cooperating_unit_ids=[])  # Tuesday 10 March: five working days, until Tuesday 17 March
    with world.duban.db.transaction(write=False) as session:
        assert session.scalars(select(TaskReceipt.due_date)).all() == [date(2026, 3, 17)]


def test_the_rules_are_read_from_the_environment_and_checked() -> None:
    settings = Settings.from_env({"DUBAN_RECEIPT_WORKING_DAYS": "3", "DUBAN_EXTENSIONS_PER_TASK": "2",
                                  "DUBAN_LEADING_GROUP_HEAD_TITLE": "市长"})
    assert (settings.receipt_working_days, settings.extensions_per_task, settings.leading_group_head_title) == (
        3, 2, "市长")
    with pytest.raises(ValueError, match="DUBAN_RECEIPT_WORKING_DAYS"):
        Settings.from_env({"DUBAN_RECEIPT_WORKING_DAYS": "0"})


def test_a_receipt_still_waiting_ends_when_the_task_is_signed_off(world: World) -> None:
    task_id = assigned(world)
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="")
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="")
    world.tick(days=4)  # 市水务局 never signs: late, followed up by the coordinator
    assert task_of(world, task_id).receipt_late
    sign_off(world, task_id)
    assert world.work_for("water_staff", task_id) == []
    assert [w.form for w in world.work_for("coordinator", task_id)] == []
    assert not task_of(world, task_id).receipt_late
