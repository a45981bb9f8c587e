"""催办: the office chases a unit on an open step; the unit's inbox shows it on top; an unanswered chase is
counted in the unit's record; the wrong role, the chased unit's own people and a closed step are refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import Conflict, NotFound, PermissionDenied
from engine.core.statuses import ChaseStatus
from engine.store.models import AuditEvent, Chase, HumanTask, Notice
from tests.factories import World, assignment


def assigned(world: World, **overrides: object) -> int:
    task_id = world.register(**overrides)  # type: ignore[arg-type]
    world.do("coordinator", task_id, "assign", **assignment(world, **overrides))
    return task_id


def plan_work(world: World, task_id: int) -> HumanTask:
    [work] = [w for w in world.work_for("staff", task_id) if w.form == "plan_draft"]
    return work


def chase(world: World, work_id: int, by: str = "supervisor", reply_due: str = "2026-03-12") -> int:
    return world.duban.chases.chase(world[by], work_id, {"message": "请抓紧报送实施方案", "reply_due": reply_due})


def chases(world: World) -> list[Chase]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(Chase).order_by(Chase.id)))


def test_a_chase_is_on_top_of_the_units_inbox_and_answered(world: World) -> None:
    task_id = assigned(world)
    work = plan_work(world, task_id)
    world.register("1-2")  # more work, newer than the step chased
    chase(world, work.id)
    [sent] = chases(world)
    assert (sent.unit_id, sent.work_id, sent.step_name, sent.status) == (
        world.units["jiangyang"], work.id, work.name, ChaseStatus.OPEN)
    inbox = world.duban.work.inbox(world["staff"])
    assert inbox.entries[0].work.form == "chase_answer"
    assert [e.work.form for e in inbox.entries].count("chase_answer") == 1
    with world.duban.db.transaction(write=False) as session:
        assert session.scalars(select(Notice.role).where(Notice.kind == "chased")).all() == ["unit_staff",
                                                                                              "unit_head"]
    world.do("staff", task_id, "chase_answer", answer="方案正在征求意见，3月15日前报送")
    [answered] = chases(world)
    assert (answered.status, answered.overdue, answered.answer) == (ChaseStatus.ANSWERED, False,
                                                                    "方案正在征求意见，3月15日前报送")
    assert world.duban.work.inbox(world["staff"]).entries[0].work.form != "chase_answer"
    with world.duban.db.transaction(write=False) as session:
        told = session.execute(select(Notice.kind, Notice.user_id).where(Notice.kind == "chase_answered")).all()
        assert told == [("chase_answered", world["supervisor"].user_id)]
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith("chase."))
                                  .order_by(AuditEvent.id)).all()
        assert actions == ["chase.sent", "chase.answered"]
    assert world.duban.reporting.dashboard(world["coordinator"]).unit_records == []


def test_an_unanswered_chase_counts_in_the_units_record(world: World) -> None:
    task_id = assigned(world)
    chase(world, plan_work(world, task_id).id, by="coordinator")
    world.tick(days=2)
    assert not chases(world)[0].overdue
    world.tick(days=1)  # 03-12 has passed
    [late] = chases(world)
    assert (late.status, late.overdue) == (ChaseStatus.OPEN, True)
    [record] = world.duban.reporting.dashboard(world["coordinator"]).unit_records
    assert (record.unit, record.chases_unanswered, record.chases_overdue) == ("江阳区", 1, 1)
    with world.duban.db.transaction(write=False) as session:
        told = session.execute(select(Notice.user_id).where(Notice.kind == "chase_overdue")).scalars().all()
        assert told == [world["coordinator"].user_id]
    world.tick(days=3)
    world.do("staff", task_id, "chase_answer", answer="迟复：已报送")
    [record] = world.duban.reporting.dashboard(world["coordinator"]).unit_records
    assert (record.chases_unanswered, record.chases_overdue) == (0, 1)  # answered late: still on record


def test_chasing_is_refused_to_other_roles_to_the_chased_unit_and_on_a_done_step(world: World) -> None:
    task_id = assigned(world)
    work = plan_work(world, task_id)
    for refused in ("leader", "staff", "head"):
        with pytest.raises(PermissionDenied):
            chase(world, work.id, by=refused)
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    with pytest.raises(Conflict):
        chase(world, work.id)  # the step is done
    [review] = [w for w in world.work_for("head", task_id) if w.form == "plan_sign"]
    chase(world, review.id)  # the head's step: the chase goes to the unit's officers
    [sent] = chases(world)
    assert sent.unit_id == world.units["jiangyang"]
    [reply] = [w for w in world.work_for("staff", task_id) if w.form == "chase_answer"]
    with pytest.raises(NotFound):  # only the chased unit replies
        world.duban.work.complete(world["other_staff"], reply.id, {"answer": "不是本单位"})
