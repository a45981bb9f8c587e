"""领导批示: a leader's instruction on several tasks at once, each lead unit's answer, the leader closing it or
asking again, the answer date passing, and who may do what."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.statuses import InstructionStatus
from engine.features.instructions.usecases import open_count
from engine.features.notifications.preferences import category_of
from engine.features.rectification.queries import LedgerFilters
from engine.store.models import AuditEvent, InstanceStatus, Instruction, Notice, ProcessInstance
from tests.factories import World


def two_tasks(world: World) -> tuple[int, int]:
    first = world.register("1-1")
    second = world.register("1-2", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    return first, second


def write(world: World, *task_ids: int, answer_due: str = "2026-03-20") -> str:
    return world.duban.instructions.write(world["leader"], {"task_ids": list(task_ids), "answer_due": answer_due,
                                                            "text": "请加快截污纳管进度，按月报告"})


def instructions(world: World) -> list[Instruction]:
    with world.duban.db.transaction(write=False) as session:
        found = list(session.scalars(select(Instruction).order_by(Instruction.id)))
        for instruction in found:
            _ = instruction.answers
        return found


def notices(world: World, kind: str) -> list[tuple[str, int | None, int | None]]:
    with world.duban.db.transaction(write=False) as session:
        return [tuple(row) for row in session.execute(select(Notice.role, Notice.unit_id, Notice.user_id).where(
            Notice.kind == kind).order_by(Notice.id))]  # type: ignore[misc]


def test_an_instruction_on_two_tasks_is_answered_closed_and_asked_again(world: World) -> None:
    first, second = two_tasks(world)
    assert write(world, first, second) == "PS-2026-001"
    assert [(i.batch, i.task_id, i.unit_id, i.status) for i in instructions(world)] == [
        ("PS-2026-001", first, world.units["jiangyang"], InstructionStatus.AWAITING_ANSWER),
        ("PS-2026-001", second, world.units["naxi"], InstructionStatus.AWAITING_ANSWER)]
    assert ("unit_head", world.units["naxi"], None) in notices(world, "instruction")
    assert ("unit_head", world.units["naxi"], None) in notices(world, "new_work")  # announced as new work too
    [answer] = [w for w in world.work_for("head", first) if w.form == "instruction_answer"]
    assert answer.due_at is not None and answer.due_at.date().isoformat() == "2026-03-20"
    assert not [w for w in world.work_for("other_head", first) if w.form == "instruction_answer"]

    world.do("head", first, "instruction_answer", answer="已完成3个排污口截污")
    world.do("other_head", second, "instruction_answer", answer="正在排查")
    assert [w.form for w in world.work_for("leader2")] == []  # the answers go to the leader who wrote it
    world.do("leader", first, "instruction_review", decision="close", comment="")
    world.do("leader", second, "instruction_review", decision="again", comment="请于月底前完成排查",
             answer_due="2026-03-31")
    closed, again = instructions(world)
    assert (closed.status, again.status, again.answer_due.isoformat()) == (
        InstructionStatus.CLOSED, InstructionStatus.AWAITING_ANSWER, "2026-03-31")
    assert [(a.answer, a.decision, a.comment) for a in again.answers] == [("正在排查", "again", "请于月底前完成排查")]

    world.do("other_head", second, "instruction_answer", answer="排查已完成")
    world.do("leader", second, "instruction_review", decision="close", comment="同意")
    assert [i.status for i in instructions(world)] == [InstructionStatus.CLOSED] * 2
    with world.duban.db.transaction(write=False) as session:
        assert {session.get_one(ProcessInstance, i.instance_id).status
                for i in instructions(world)} == {InstanceStatus.COMPLETED}
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.task_id == second,
                                                                  AuditEvent.action.startswith("instruction."))).all()
        assert actions == ["instruction.written", "instruction.answered", "instruction.again",
                           "instruction.answered", "instruction.closed"]
        assert open_count(session, world.duban.access.task_filter(world["leader"])) == 0


def test_open_instructions_are_counted_on_the_dashboard(world: World) -> None:
    first, second = two_tasks(world)
    write(world, first, second)
    world.do("head", first, "instruction_answer", answer="已落实")
    world.do("leader", first, "instruction_review", decision="close", comment="")
    board = world.duban.reporting.dashboard(world["coordinator"])
    assert (board.open_instructions, board.instructed_tasks) == (1, 1)
    listed = world.duban.tasks.ledger(world["coordinator"], LedgerFilters(instructed=True))
    assert [row.task.id for row in listed.rows] == [second]  # the dashboard's link lists the task counted


def test_an_unanswered_instruction_is_told_to_the_unit_and_the_leader_once(world: World) -> None:
    first = world.register()
    write(world, first, answer_due="2026-03-12")
    world.tick(days=2)
    assert notices(world, "instruction_overdue") == []
    world.tick(days=1)  # 2026-03-13: the answer date has passed
    assert notices(world, "instruction_overdue") == [
        ("unit_staff", world.units["jiangyang"], None), ("unit_head", world.units["jiangyang"], None),
        ("leader", None, world["leader"].user_id)]
    world.tick(days=5)
    assert len(notices(world, "instruction_overdue")) == 3
    world.do("head", first, "instruction_answer", answer="迟报：已落实")  # the answer is still owed, and taken
    assert instructions(world)[0].status is InstructionStatus.ANSWERED


def test_only_a_leader_writes_and_only_the_unit_and_the_leader_act(world: World) -> None:
    first = world.register()
    with pytest.raises(PermissionDenied):
        world.duban.instructions.write(world["coordinator"], {"task_ids": [first], "text": "x",
                                                              "answer_due": "2026-03-20"})
    with pytest.raises(InvalidSubmission) as refused:
        write(world, first, answer_due="2026-03-10")
    assert "answer_due" in refused.value.errors
    write(world, first)
    [answer] = [w for w in world.work_for("head", first) if w.form == "instruction_answer"]
    with pytest.raises(NotFound):  # another unit's work, on a task it does not see
        world.duban.work.complete(world["other_head"], answer.id, {"answer": "不是本单位"})
    world.do("head", first, "instruction_answer", answer="已落实")
    [review] = [w for w in world.work_for("leader", first) if w.form == "instruction_review"]
    with pytest.raises(PermissionDenied):
        world.duban.work.complete(world["leader2"], review.id, {"decision": "close"})
    with pytest.raises(InvalidSubmission) as refused:
        world.duban.work.complete(world["leader"], review.id, {"decision": "again"})
    assert set(refused.value.errors) == {"comment", "answer_due"}


def test_instructions_and_chases_are_the_notification_centres_kinds_of_the_same_name() -> None:
    assert [category_of(kind) for kind in ("instruction", "chased", "instruction_overdue", "chase_overdue",
                                           "contribution_missing")] == [
        "instruction", "chase", "overdue", "overdue", "overdue"]
