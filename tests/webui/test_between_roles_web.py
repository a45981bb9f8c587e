"""What one role writes reaches the next, and inboxes that can be worked, as people see them in their browser."""
from __future__ import annotations

import re
from collections.abc import Callable

from engine.core.statuses import WarningLevel
from tests.engine.test_time import at
from tests.factories import World, assignment, report_month, walk_to_reporting
from tests.webui.conftest import CSRF_FIELD, Browser
from tests.webui.test_lifecycle_web import inbox_links

Login = Callable[[str], Browser]


def returned_plan(world: World) -> int:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world, instructions="方案须列明每个排污口的整改时间"))
    world.do("staff", task_id, "plan_draft", content="方案正文第一稿", milestones="3月底前排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="return", comment="请细化每个排污口的完成时间")
    return task_id


def test_the_instructions_show_on_the_task_page_the_plan_form_and_in_the_history(login_as: Login,
                                                                                  world: World) -> None:
    task_id = returned_plan(world)
    staff = login_as("staff")
    task_page = staff.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'id="task-instructions">方案须列明每个排污口的整改时间' in task_page
    assert re.search(r"<dt>交办意见</dt>\s*<dd><del[^>]*>—</del> → <span[^>]*>方案须列明每个排污口的整改时间</span>",
                     task_page)  # the history's before and after
    form = staff.get(f"/work/{inbox_links(staff)['编制整改实施方案']}").get_data(as_text=True)
    assert 'id="instructions"' in form and "方案须列明每个排污口的整改时间" in form


def test_a_returned_plan_is_marked_in_the_inbox_and_opens_filled_in_under_its_reasons(login_as: Login,
                                                                                     world: World) -> None:
    returned_plan(world)
    staff = login_as("staff")
    inbox = staff.get("/inbox").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", inbox, flags=re.S) if "编制整改实施方案" in r)
    assert "已退回" in row and world["supervisor"].display_name in row
    form = staff.get(f"/work/{inbox_links(staff)['编制整改实施方案']}").get_data(as_text=True)
    reasons = form.index('id="returned-reasons"')
    assert reasons < form.index('enctype="multipart/form-data"') and "请细化每个排污口的完成时间" in form[reasons:]
    assert "方案正文第一稿</textarea>" in form and 'value="李四"' in form


def test_assigning_shows_the_registration_and_asks_what_it_adds(login_as: Login, world: World) -> None:
    task_id = world.register()
    coordinator = login_as("coordinator")
    work_id = inbox_links(coordinator)["交办整改任务"]
    form = coordinator.get(f"/work/{work_id}").get_data(as_text=True)
    details = form.index("<details")
    assert form.index('name="plan_due"') < details < form.index('name="lead_unit_id"')
    assert form.index('name="instructions"') < details
    done = coordinator.submit(f"/work/{work_id}", {"plan_due": "2026-04-10", "instructions": "按期报送"})
    assert "已完成「交办整改任务」" in done.get_data(as_text=True)
    assert "按期报送" in coordinator.get(f"/tasks/{task_id}").get_data(as_text=True)


def test_a_draft_is_saved_without_checks_and_resumed(login_as: Login, world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    staff = login_as("staff")
    work_id = inbox_links(staff)["编制整改实施方案"]
    page = staff.get(f"/work/{work_id}").get_data(as_text=True)
    assert 'name="save_draft"' in page
    token = CSRF_FIELD.search(page)
    assert token
    saved = staff.client.post(f"/work/{work_id}", data={"csrf_token": token.group(1), "save_draft": "1",
                                                        "content": "写到一半的方案"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "已暂存" in text and "写到一半的方案</textarea>" in text and 'id="draft-note"' in text
    assert "编制整改实施方案" in staff.get("/inbox").get_data(as_text=True)  # still to do
    refused = staff.client.post(f"/work/{work_id}", data={"save_draft": "1", "content": "x"})
    assert refused.status_code == 400  # no token: refused, nothing kept
    assert "写到一半的方案</textarea>" in staff.get(f"/work/{work_id}").get_data(as_text=True)


def test_the_inbox_filters_and_does_many_chases_at_once(login_as: Login, world: World) -> None:
    tasks = []
    for code in ("1-1", "1-2"):
        task_id = world.register(code, deadline="2027-12-31")
        walk_to_reporting(world, task_id)
        world.duban.escalation.propose(world["supervisor"], task_id, "现场检查发现仍有直排")
        tasks.append(task_id)
    world.go_to(at("2026-04-06", 8))
    supervisor = login_as("supervisor")
    page = supervisor.get("/inbox?kind=report_chase").get_data(as_text=True)
    assert page.count('name="work_id"') == 2 and 'id="batch-decision"' in page
    for unit, shown in (("jiangyang", 2), ("naxi", 0)):  # both tasks were assigned to 江阳区
        narrowed = supervisor.get(f"/inbox?kind=report_chase&unit={world.units[unit]}").get_data(as_text=True)
        assert narrowed.count('name="work_id"') == shown
    assert "name=\"work_id\"" not in supervisor.get("/inbox").get_data(as_text=True)  # no batch without a kind
    ids = re.findall(r'name="work_id" value="(\d+)"', page)
    token = CSRF_FIELD.search(page)
    assert token
    staff = login_as("staff")
    staff_token = CSRF_FIELD.search(staff.get("/inbox").get_data(as_text=True))
    assert staff_token
    refused = staff.client.post("/work/batch", data={"csrf_token": staff_token.group(1), "kind": "report_chase",
                                                     "work_id": ids, "method": "phone", "note": "已催报"})
    assert refused.status_code == 403  # each item is checked as its own form is
    done = supervisor.client.post("/work/batch", data={"csrf_token": token.group(1), "kind": "report_chase",
                                                       "work_id": ids, "method": "phone", "note": "已电话催报"},
                                  follow_redirects=True).get_data(as_text=True)
    assert "已批量办理 2 项" in done
    assert all("report_chase" not in [w.form for w in world.work_for("supervisor", t)] for t in tasks)
    assert world.duban.work.inbox(world["supervisor"]).total == 2  # the two proposals wait
    assert WarningLevel.YELLOW.value in supervisor.get("/inbox").get_data(as_text=True)  # the colour filter


def test_a_leader_starts_at_the_dashboard_with_approvals_and_own_tasks(login_as: Login, world: World) -> None:
    task_id = world.register()
    leader = login_as("leader")
    home = leader.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'id="leader-desk"' in home and "待我审批" in home and "我牵头的整改任务" in home
    assert f'href="/tasks/{task_id}"' in home
    assert "整改工作总览" in login_as("coordinator").get("/dashboard").get_data(as_text=True)
    assert 'id="leader-desk"' not in login_as("coordinator").get("/dashboard").get_data(as_text=True)
    assert login_as("coordinator").get("/").location.endswith("/inbox")


def test_the_publicity_queue_is_counted_in_the_inbox_and_paged(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    publicity = login_as("publicity")
    inbox = publicity.get("/inbox").get_data(as_text=True)
    assert 'id="publish-queue"' in inbox and "待公开的整改进展 1 份" in inbox
    queue = publicity.get("/publicity/progress").get_data(as_text=True)
    assert 'id="queue-total">1<' in queue and queue.count('class="card card-body mb-3 publish-item"') == 1
    assert "没有待公开的进展" in publicity.get(f"/publicity/progress?unit={world.units['naxi']}").get_data(as_text=True)
