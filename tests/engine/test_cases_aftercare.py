"""信访件 after their result: longer work goes on as a ledger task (linked both ways, closed with it); a sample of
closed cases is called back, and 不满意 sends the case back to its unit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidSubmission, PermissionDenied
from engine.core.statuses import CaseCallback, CaseStatus
from engine.features.cases.queries import CaseFilters
from engine.store.models import AuditEvent
from tests.cases import ROWS, case_named, do_case, import_batch
from tests.engine.test_cases_public import accept
from tests.factories import World, sign_off, walk_to_reporting

FIRST = ROWS[0].split(",")[0]


def test_longer_work_goes_on_as_a_task_and_closes_with_it(world: World) -> None:
    task_id = world.register()
    import_batch(world, ROWS[0])
    case = case_named(world, FIRST)
    with pytest.raises(InvalidSubmission):  # not yet accepted
        world.duban.cases.to_task(world["coordinator"], case.id, {"task_code": "1-1", "reason": "需长期治理"})
    accept(world, FIRST)
    with pytest.raises(PermissionDenied):
        world.duban.cases.to_task(world["supervisor"], case.id, {"task_code": "1-1", "reason": "需长期治理"})
    with pytest.raises(InvalidSubmission):
        world.duban.cases.to_task(world["coordinator"], case.id, {"task_code": "9-9", "reason": "需长期治理"})
    world.duban.cases.to_task(world["coordinator"], case.id, {"task_code": "1-1", "reason": "工地搬迁需半年"})
    case = case_named(world, FIRST)
    assert (case.status, case.task_id) == (CaseStatus.RECTIFYING, task_id)
    assert [c.number for c in world.duban.cases.of_task(world["leader"], task_id)] == [FIRST]
    assert world.duban.cases.of_task(world["other_staff"], task_id) == []
    with world.duban.db.transaction(write=False) as session:
        linked = session.scalar(select(AuditEvent.task_id).where(AuditEvent.action == "case.to_task"))
    assert linked == task_id  # in the task's history too
    assert world.duban.cases.publish_batch(world["publicity"], case.batch_id) == 1  # published while rectifying
    assert case_named(world, FIRST).status is CaseStatus.RECTIFYING
    walk_to_reporting(world, task_id)
    sign_off(world, task_id)
    assert case_named(world, FIRST).status is CaseStatus.PUBLISHED


def test_a_called_back_complainant_not_satisfied_reopens_the_case(world: World) -> None:
    batch_id = import_batch(world, ROWS[0])
    accept(world, FIRST)
    world.duban.cases.publish_batch(world["publicity"], batch_id)
    case = case_named(world, FIRST)
    assert case.callback is CaseCallback.PENDING  # one closed case: it is the sample
    pending = world.duban.cases.register(world["coordinator"], CaseFilters(callback=CaseCallback.PENDING))
    assert [row.case.number for row in pending.rows] == [FIRST]
    world.duban.cases.record_callback(world["coordinator"], case.id,
                                      {"result": "unsatisfied", "note": "电话回访，举报人称夜间仍有施工"})
    case = case_named(world, FIRST)
    assert (case.status, case.callback) == (CaseStatus.SIGNING, CaseCallback.UNSATISFIED)
    with pytest.raises(InvalidSubmission):
        world.duban.cases.record_callback(world["coordinator"], case.id, {"result": "satisfied", "note": "再次"})
    do_case(world, "staff", FIRST, "case_sign", decision="receive")
    assert [w.form for w in world.work_for("staff")] == ["case_report"]
    page = world.duban.cases.page(world["leader"], case.id)
    assert [event.action for event in page.history][-3:] == ["case.called_back", "case.reopened", "case.signed"]
