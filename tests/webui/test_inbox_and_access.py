"""Each role sees exactly its work; nobody gets at another unit's task by typing its URL."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from engine.store.models import AuditEvent
from tests.factories import World, apply_for_signoff, assignment, receive, through_notice, walk_to_reporting
from tests.webui.conftest import Browser
from tests.webui.test_lifecycle_web import inbox_links

Login = Callable[[str], Browser]


def stage_three_tasks(world: World) -> dict[str, int]:
    """One task waiting for 交办, one for the unit's plan, one reporting (jiangyang) + one of naxi's."""
    waiting = world.register("1-1")
    planning = world.register("1-2")
    world.do("coordinator", planning, "assign", **assignment(world))
    receive(world, planning)
    reporting = world.register("1-3")
    walk_to_reporting(world, reporting)
    world.next_month()
    other = world.register("2-1", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    world.do("coordinator", other, "assign", **assignment(world, lead_unit_id=world.units["naxi"],
                                                          cooperating_unit_ids=[]))
    receive(world, other)
    world.do("other_staff", other, "plan_draft", content="稿", milestones="无", contact="王五")
    return {"waiting": waiting, "planning": planning, "reporting": reporting, "other": other}


def test_each_role_sees_exactly_its_work(login_as: Login, world: World) -> None:
    stage_three_tasks(world)
    expected = {
        "coordinator": {"交办整改任务"},
        "staff": {"编制整改实施方案", "填报月度进展"},
        "head": set(),
        "other_staff": set(),
        "other_head": {"签发实施方案"},
        "supervisor": set(),
        "leader": set(),
        "leader2": set(),
        "publicity": set(),
        "discipline": set(),
        "admin": set(),
    }
    for username, steps in expected.items():
        assert set(inbox_links(login_as(username))) == steps, username


def test_inbox_is_oldest_first_with_due_dates(login_as: Login, world: World, clock) -> None:
    first = world.register("1-1")
    clock.advance(hours=2)
    world.register("1-2")
    html = login_as("coordinator").get("/inbox").get_data(as_text=True)
    assert html.index(">1-1<") < html.index(">1-2<")
    world.do("coordinator", first, "assign", **assignment(world, plan_due="2026-03-20"))
    assert "2026年3月20日" in login_as("staff").get("/inbox").get_data(as_text=True)


def test_another_units_task_is_not_found(login_as: Login, world: World) -> None:
    tasks = stage_three_tasks(world)
    staff = login_as("staff")
    assert staff.get(f"/tasks/{tasks['other']}").status_code == 404
    other_work = world.work_for("other_head", tasks["other"])[0]
    assert staff.get(f"/work/{other_work.id}").status_code == 404
    head = login_as("head")
    response = head.post_with_token_from("/inbox", f"/work/{other_work.id}", {"decision": "submit"})
    assert response.status_code == 404
    assert [w.id for w in world.work_for("other_head", tasks["other"])] == [other_work.id]
    with world.duban.db.transaction(write=False) as session:
        refusals = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert {(r.actor_name, r.object_id.split()[0]) for r in refusals} >= {("staff", "GET"), ("head", "POST")}


def test_cooperating_unit_sees_the_task_but_cannot_act(login_as: Login, world: World) -> None:
    task_id = world.register("1-1", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[world.units["jiangyang"]])
    world.do("coordinator", task_id, "assign", **assignment(world, lead_unit_id=world.units["naxi"],
                                                            cooperating_unit_ids=[world.units["jiangyang"]]))
    staff = login_as("staff")
    assert staff.get(f"/tasks/{task_id}").status_code == 200
    work = world.work_for("other_staff", task_id)[0]
    assert staff.get(f"/work/{work.id}").status_code == 403


def test_wrong_role_is_refused_on_the_route(login_as: Login, world: World) -> None:
    assert login_as("staff").get("/tasks/new").status_code == 403
    assert login_as("admin").get("/ledger").status_code == 403
    task_id = world.register()
    assert login_as("admin").get(f"/tasks/{task_id}").status_code == 403
    work = world.work_for("coordinator", task_id)[0]
    assert login_as("supervisor").get(f"/work/{work.id}").status_code == 403


def test_only_the_lead_leader_approves(login_as: Login, world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    through_notice(world, task_id)
    assert "审批销号" in inbox_links(login_as("leader"))
    assert inbox_links(login_as("leader2")) == {}
    work = world.work_for("leader", task_id)[0]
    assert login_as("leader2").get(f"/work/{work.id}").status_code == 403


def test_ledger_filters_and_unit_scope(login_as: Login, world: World) -> None:
    tasks = stage_three_tasks(world)
    del tasks
    supervisor = login_as("supervisor")
    everything = supervisor.get("/ledger").get_data(as_text=True)
    assert all(code in everything for code in (">1-1<", ">1-2<", ">1-3<", ">2-1<"))
    in_progress = supervisor.get("/ledger?status=in_progress").get_data(as_text=True)
    assert ">1-3<" in in_progress and ">1-1<" not in in_progress
    by_unit = supervisor.get(f"/ledger?unit={world.units['naxi']}").get_data(as_text=True)
    assert ">2-1<" in by_unit and ">1-1<" not in by_unit
    assert ">1-1<" in supervisor.get("/ledger?q=1-1").get_data(as_text=True)
    assert "没有符合条件" in supervisor.get("/ledger?q=不存在的词").get_data(as_text=True)
    own = login_as("staff").get("/ledger").get_data(as_text=True)
    assert ">1-3<" in own and ">2-1<" not in own


def test_refusals_are_recorded_once_per_person_route_and_minute(login_as: Login, world: World) -> None:
    staff = login_as("staff")
    for missing in range(1000, 1200):
        assert staff.get(f"/tasks/{missing}").status_code == 404
    assert staff.get("/admin/users").status_code == 403
    world.duban.clock.advance(minutes=1)  # type: ignore[attr-defined]
    assert staff.get("/tasks/1000").status_code == 404
    with world.duban.db.transaction(write=False) as session:
        refusals = session.execute(select(AuditEvent.object_id, AuditEvent.summary)
                                   .where(AuditEvent.action == "access.refused").order_by(AuditEvent.seq)).all()
    assert [object_id for object_id, _ in refusals] == [
        "GET /tasks/<int:task_id>", "GET /admin/users", "GET /tasks/<int:task_id>"]
    assert "/tasks/1000" in refusals[0].summary
