"""Colours mean something and choices with consequences are made, not inherited: an approving opinion is green, a
returning one red; registration, the leader's escalation decision and the other consequential choices start empty."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.engine.test_dashboard_and_bulletin import stage_city
from tests.escalations import propose
from tests.factories import World, assignment, walk_to_reporting
from tests.webui.conftest import Browser
from tests.webui.test_reports_web import csrf, page

Login = Callable[[str], Browser]
OPINION = re.compile(r'<div class="small opinion ([^"]+)">([^<]+)</div>')


def opinions(html: str) -> dict[str, str]:
    return {text.strip(): classes for classes, text in OPINION.findall(html)}


def test_an_approving_opinion_is_green_and_a_returning_one_red(login_as: Login, world: World) -> None:
    filed = world.register("1-1")
    walk_to_reporting(world, filed)  # the supervisor files the plan: 同意备案
    returned = world.register("1-2")
    world.do("coordinator", returned, "assign", **assignment(world))
    world.do("staff", returned, "plan_draft", content="方案", milestones="节点", contact="李四")
    world.do("head", returned, "plan_sign", decision="submit", comment="")
    world.do("supervisor", returned, "plan_review", decision="return", comment="措施不具体，请补充")
    supervisor = login_as("supervisor")
    approved = opinions(page(supervisor, f"/tasks/{filed}"))
    assert "text-success" in approved["意见：同意备案"] and "text-danger" not in approved["意见：同意备案"]
    sent_back = opinions(page(supervisor, f"/tasks/{returned}"))
    assert "text-danger" in sent_back["退回意见：措施不具体，请补充"]


def test_registration_starts_with_no_unit_and_no_leader_and_requires_them(login_as: Login, world: World) -> None:
    coordinator = login_as("coordinator")
    form = page(coordinator, "/tasks/new")
    for name in ("lead_unit_id", "lead_leader_id", "category_id"):
        select = re.search(rf'<select[^>]*id="{name}"[^>]*>(.*?)</select>', form, re.S)
        assert select, name
        assert select.group(1).startswith('<option selected value="">请选择</option>'), name
        assert select.group(1).count("selected") == 1
    response = coordinator.submit("/tasks/new", {
        "csrf_token": csrf(form), "code": "9-9", "category_id": str(world.categories[0]), "title": "未选单位的任务",
        "problem": "问题", "target": "目标", "measures": "措施", "lead_unit_id": "", "lead_leader_id": "",
        "deadline_kind": "date", "deadline": "2026-12-31"}, follow=False)
    assert response.status_code == 200  # the form again, with its mistakes: nothing registered
    again = response.get_data(as_text=True)
    assert again.count("invalid-feedback") >= 2 and "未选单位的任务" in again


def test_the_leaders_escalation_decision_starts_empty(login_as: Login, world: World) -> None:
    ids = stage_city(world)
    propose(world, ids["overdue"], 1)
    work = next(w for w in world.work_for("leader", ids["overdue"]) if w.form == "escalation_approve")
    form = page(login_as("leader"), f"/work/{work.id}")
    decisions = re.findall(r'<input([^>]*)name="decision"([^>]*)>', form)
    assert len(decisions) == 3 and not any("checked" in a + b for a, b in decisions)
    assert all("required" in a + b for a, b in decisions)
    supervisor_work = next(w for w in world.work_for("supervisor", ids["lagging"]) if w.form == "escalation_propose")
    proposal = page(login_as("supervisor"), f"/work/{supervisor_work.id}")
    assert not any("checked" in a + b for a, b in re.findall(r'<input([^>]*)name="decision"([^>]*)>', proposal))


def test_the_unit_picker_is_offered_over_the_plain_list(login_as: Login, world: World) -> None:
    form = page(login_as("coordinator"), "/tasks/new")
    assert re.search(r'<select[^>]*data-picker[^>]*id="cooperating_unit_ids"[^>]*multiple|'
                     r'<select[^>]*id="cooperating_unit_ids"[^>]*data-picker', form)
    assert "/static/vendor/tom-select/tom-select.complete.min.js" in form and "/static/js/pickers.js" in form
    assert "cdn" not in form.lower()
