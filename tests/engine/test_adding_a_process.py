"""A new process is a feature package and its BPMN file, and nothing else: the example of
docs/architecture.md (tests/data/example_process) runs beside duban's own processes."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.app import PROCESS_FEATURES, Duban
from engine.core.clock import FakeClock
from engine.core.errors import ConfigError
from engine.core.roles import RoleModel
from engine.store.database import Database
from engine.store.models import AuditEvent, Notice
from tests.conftest import WORKFLOWS
from tests.data.example_process import receipt
from tests.factories import ROOT, World, assert_round_trip, assignment, build_world

EXAMPLE = ROOT / "tests" / "data" / "example_process" / "receipt.bpmn"


@pytest.fixture
def with_receipt(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path) -> World:
    duban = Duban(db, roles, clock, [*WORKFLOWS, EXAMPLE], storage=tmp_path / "files",
                  features=(*PROCESS_FEATURES, receipt))
    return build_world(duban)


def test_the_added_process_starts_on_its_event_and_runs_its_steps(with_receipt: World) -> None:
    world = with_receipt
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    assert sorted(work.form for work in world.work_for("staff", task_id)) == [
        "plan_draft", "receipt_acknowledge", "receipt_sign"]  # duban's own 签收 (workflows/receipt.bpmn) beside it
    world.tick(days=4)  # no receipt after three days: the coordination group is told
    with world.duban.db.transaction(write=False) as session:
        notices = session.scalars(select(Notice.text).where(Notice.role == "coordinator",
                                                            Notice.kind == "receipt_overdue")).all()
    assert notices == ["1-1 交办三日仍未签收"]
    world.do("staff", task_id, "receipt_acknowledge", note="已收到，正在编制方案")
    with world.duban.db.transaction(write=False) as session:
        received = session.scalars(select(AuditEvent).where(AuditEvent.action == "task.received")).one()
    assert (received.task_id, received.after) == (task_id, {"note": "已收到，正在编制方案"})
    assert sorted(work.form for work in world.work_for("staff", task_id)) == ["plan_draft", "receipt_sign"]
    assert_round_trip(world.duban, task_id)


def test_a_workflow_naming_a_form_no_feature_registered_is_refused(db: Database, roles: RoleModel,
                                                                   clock: FakeClock) -> None:
    with pytest.raises(ConfigError, match="receipt_acknowledge"):
        Duban(db, roles, clock, [*WORKFLOWS, EXAMPLE])
