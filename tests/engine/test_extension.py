"""延期申请 (workflows/extension.bpmn): the lead unit asks for a later deadline with reasons and evidence, the
supervision group reviews, a leader approves, changes the date or refuses; an extension moves the deadline timers."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select, update

from engine.core.clock import LOCAL_TZ
from engine.core.errors import InvalidSubmission, NotFound, PermissionDenied
from engine.core.statuses import ExtensionStatus
from engine.features.rectification.queries import LedgerFilters
from engine.store.models import Attachment, AuditEvent, ExtensionRequest, RectificationTask, User
from tests.engine.test_receipt import person
from tests.factories import PHOTO, World, walk_to_reporting


def on(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0, 30), LOCAL_TZ)


def reporting(world: World, deadline: str = "2026-05-31") -> int:
    task_id = world.register(deadline=deadline)
    walk_to_reporting(world, task_id)
    return task_id


def request(world: World, task_id: int, new_deadline: str = "2026-07-31") -> None:
    world.duban.extensions.open(world["staff"], task_id)
    world.do("staff", task_id, "extension_request", uploads=(PHOTO,), decision="submit", new_deadline=new_deadline,
             reasons="汛期无法施工，需顺延两个月")
    world.do("supervisor", task_id, "extension_review", opinion="support", comment="理由属实")


def deadline_passed(world: World, task_id: int) -> list[str]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent.summary).where(
            AuditEvent.task_id == task_id, AuditEvent.action == "task.deadline_passed").order_by(AuditEvent.seq)))


def task_of(world: World, task_id: int) -> RectificationTask:
    with world.duban.db.transaction(write=False) as session:
        return session.get_one(RectificationTask, task_id)


def test_an_approved_extension_moves_the_deadline_and_its_timers(world: World) -> None:
    task_id = reporting(world)
    world.go_to(on("2026-05-10"))
    request(world, task_id)
    assert [w.form for w in world.work_for("leader", task_id)] == ["extension_decide"]
    world.do("leader", task_id, "extension_decide", decision="approve", comment="同意")
    task = task_of(world, task_id)
    assert (task.deadline, task.extensions) == (date(2026, 7, 31), 1)
    with world.duban.db.transaction(write=False) as session:
        extension = session.scalars(select(ExtensionRequest)).one()
        assert (extension.status, extension.granted_deadline) == (ExtensionStatus.APPROVED, date(2026, 7, 31))
        evidence = session.scalars(select(Attachment.form).where(Attachment.task_id == task_id)).all()
    assert "extension_request" in evidence
    world.go_to(on("2026-06-02"))  # the old deadline never fires
    assert deadline_passed(world, task_id) == []
    world.go_to(on("2026-08-01"))
    world.go_to(on("2026-08-20"))
    assert deadline_passed(world, task_id) == ["超期预警：已超过整改时限（2026年7月31日）"]  # the new one, once


def test_extensions_are_counted_on_the_dashboard_and_the_ledger_lists_the_extended_tasks(world: World) -> None:
    task_id, other = reporting(world), world.register("1-2")
    world.go_to(on("2026-05-10"))
    request(world, task_id)
    world.do("leader", task_id, "extension_decide", decision="approve", comment="")
    request(world, task_id, "2026-09-30")
    world.do("leader", task_id, "extension_decide", decision="approve", comment="")  # no head: the lead leader
    board = world.duban.reporting.dashboard(world["leader"])
    assert (board.extended_tasks, board.extensions) == (1, 2)
    page = world.duban.tasks.ledger(world["leader"], LedgerFilters(extended=True))
    assert [row.task.id for row in page.rows] == [task_id] and other != task_id


def test_the_leader_may_set_another_date(world: World) -> None:
    task_id = reporting(world)
    world.go_to(on("2026-05-10"))
    request(world, task_id)
    with pytest.raises(InvalidSubmission):
        world.do("leader", task_id, "extension_decide", decision="change", granted_deadline="", comment="")
    world.do("leader", task_id, "extension_decide", decision="change", granted_deadline="2026-06-30", comment="")
    assert task_of(world, task_id).deadline == date(2026, 6, 30)
    world.go_to(on("2026-07-01"))
    world.go_to(on("2026-07-10"))
    assert deadline_passed(world, task_id) == ["超期预警：已超过整改时限（2026年6月30日）"]


def test_a_refused_extension_leaves_the_old_deadline(world: World) -> None:
    task_id = reporting(world)
    world.go_to(on("2026-05-10"))
    request(world, task_id)
    with pytest.raises(InvalidSubmission):  # a refusal says why
        world.do("leader", task_id, "extension_decide", decision="refuse", comment="")
    world.do("leader", task_id, "extension_decide", decision="refuse", comment="应加快施工进度")
    task = task_of(world, task_id)
    assert (task.deadline, task.extensions) == (date(2026, 5, 31), 0)
    world.go_to(on("2026-06-01"))
    world.go_to(on("2026-06-10"))
    assert deadline_passed(world, task_id) == ["超期预警：已超过整改时限（2026年5月31日）"]


def test_beyond_the_extensions_allowed_the_request_goes_to_the_leading_groups_head(world: World) -> None:
    with world.duban.db.transaction() as session:
        session.execute(update(User).where(User.username == "leader2").values(title="市委书记"))
    task_id = reporting(world)
    world.go_to(on("2026-05-10"))
    request(world, task_id)
    world.do("leader", task_id, "extension_decide", decision="approve", comment="")
    request(world, task_id, "2026-09-30")  # a second one: the task may have one
    assert world.work_for("leader", task_id) == []
    assert [w.name for w in world.work_for("leader2", task_id)] == ["审批延期申请（领导小组组长）"]
    world.do("leader2", task_id, "extension_decide", decision="approve", comment="")
    assert (task_of(world, task_id).deadline, task_of(world, task_id).extensions) == (date(2026, 9, 30), 2)


def test_only_the_lead_units_officer_asks_and_only_before_the_deadline(world: World) -> None:
    task_id = reporting(world)
    with pytest.raises(NotFound):  # another unit does not see the task
        world.duban.extensions.open(world["other_staff"], task_id)
    with pytest.raises(PermissionDenied):
        world.duban.extensions.open(world["head"], task_id)
    with pytest.raises(PermissionDenied):
        world.duban.extensions.open(world["supervisor"], task_id)
    world.duban.extensions.open(world["staff"], task_id)
    with pytest.raises(InvalidSubmission):  # one request at a time
        world.duban.extensions.open(world["staff"], task_id)
    with pytest.raises(InvalidSubmission) as refused:  # later than the deadline, and with reasons
        world.do("staff", task_id, "extension_request", decision="submit", new_deadline="2026-05-01", reasons="")
    assert set(refused.value.errors) == {"new_deadline", "reasons"}
    world.go_to(on("2026-06-01"))
    with pytest.raises(InvalidSubmission):  # the deadline has passed
        world.do("staff", task_id, "extension_request", decision="submit", new_deadline="2026-08-01", reasons="来不及")
    world.do("staff", task_id, "extension_request", decision="withdraw", new_deadline="", reasons="")
    with world.duban.db.transaction(write=False) as session:
        assert session.scalars(select(ExtensionRequest.status)).all() == [ExtensionStatus.WITHDRAWN]
    with pytest.raises(InvalidSubmission):  # and now the deadline has passed
        world.duban.extensions.open(world["staff"], task_id)


def test_nobody_reviews_or_decides_their_own_units_request(world: World) -> None:
    person(world, "own_supervisor", "supervisor", "jiangyang")
    task_id = reporting(world)
    world.duban.extensions.open(world["staff"], task_id)
    world.do("staff", task_id, "extension_request", decision="submit", new_deadline="2026-07-31", reasons="汛期")
    with pytest.raises(PermissionDenied):
        world.do("own_supervisor", task_id, "extension_review", opinion="support", comment="同意")
    world.do("supervisor", task_id, "extension_review", opinion="oppose", comment="理由不足")
    decision = world.work_for("leader", task_id)[0].id
    with pytest.raises(PermissionDenied):  # the decision is the lead leader's, not another leader's
        world.duban.work.complete(world["leader2"], decision, {"decision": "approve", "comment": ""})
    with pytest.raises(PermissionDenied):  # nor the supervisor's
        world.duban.work.complete(world["supervisor"], decision, {"decision": "approve", "comment": ""})
    world.do("leader", task_id, "extension_decide", decision="refuse", comment="同意督办组意见")
