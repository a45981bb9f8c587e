"""The task page people want: the current step, the facts and the history first, in words; the diagram below."""
from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

from flask import Flask

from tests.factories import World, assignment, walk_to_reporting
from tests.webui.conftest import Browser, statements_of, transactions_of
from webui.tasks.history import FieldChange, history_changes

Login = Callable[[str], Browser]


def test_the_current_step_and_the_facts_come_before_the_diagram(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    world.do("coordinator", task_id, "assign", **assignment(world, plan_due="2026-04-10"))
    page = login_as("staff").get(f"/tasks/{task_id}").get_data(as_text=True)
    step, facts = page.index('id="current-step"'), page.index("督察反馈问题")
    history, diagram = page.index('id="task-history"'), page.index('id="process-diagram"')
    assert step < facts < diagram and step < history < diagram
    current = page[step:facts]
    assert "签收任务" in current and "待 责任单位承办人（江阳区） 办理" in current  # who must do what
    assert "您可以办理" in current  # and the button for it, at the top
    assert "<svg" not in page[:diagram] and "<svg" in page[diagram:]
    assert re.search(r'<details class="card mt-3 process-diagram" id="process-diagram" open>', page)
    assert '<script src="/static/js/task.js"></script>' in page


def test_the_current_step_says_by_when(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    world.next_month()
    page = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    current = page[page.index('id="current-step"'):page.index("督察反馈问题")]
    assert "填报月度进展" in current and "期限" in current and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", current)
    assert "已逾期" not in current
    world.tick(days=10)  # the report was due on the 5th
    late = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r'<span class="text-danger fw-semibold">\d{4}年\d{1,2}月5日 已逾期</span>', late)


def test_the_history_is_in_words_without_json_or_ids(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    page = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    history = page[page.index('id="task-history"'):page.index('id="process-diagram"')]
    assert "启动「" not in history and "整改任务办理" not in history  # no process machinery
    assert "{" not in history and "_id" not in history and "lead_unit" not in history
    assert "<dt>交办意见</dt>" in history and "请按期报送实施方案" in history
    assert re.search(r"<dt>状态</dt>\s*<dd><del[^>]*>未启动</del> → <span[^>]*>推进中</span></dd>", history)
    assert "<dt>实施方案报送期限</dt>" in history and "2026年4月10日" in history  # dates as people write them


def test_a_change_of_units_and_leader_reads_as_names(app: Flask, world: World) -> None:
    jiangyang, water = world.units["jiangyang"], world.units["water"]
    leader = world["leader"].user_id
    event = SimpleNamespace(object_type="task", before={"lead_unit_id": jiangyang, "cooperating_unit_ids": [water],
                                                        "lead_leader_id": leader, "status": "registered"},
                            after={"lead_unit_id": water, "cooperating_unit_ids": [], "lead_leader_id": leader,
                                   "status": "registered", "sha256": "ab" * 32})
    with app.test_request_context():
        changes = history_changes(event, {jiangyang: "江阳区", water: "市水务局"}, {leader: "张市长"})
    assert changes == [FieldChange("牵头单位", "江阳区", "市水务局"), FieldChange("配合单位", "市水务局", "—")]


def test_the_favicon_is_served_and_linked(login_as: Login) -> None:
    staff = login_as("staff")
    page = staff.get("/inbox").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/favicon.ico"' in page
    svg, ico = staff.get("/static/favicon.svg"), staff.get("/static/favicon.ico")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert ico.status_code == 200 and ico.data[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_the_print_stylesheet_leaves_out_navigation_and_buttons(login_as: Login) -> None:
    css = login_as("staff").get("/static/css/duban.css").get_data(as_text=True)
    printed = " ".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    assert ".navbar" in printed and ".btn" in printed and ".process-diagram" in printed
    assert ".diagram-scroll svg { width: 100%; height: auto; }" in printed


def test_a_task_page_reads_what_it_shows_in_one_transaction(login_as: Login, world: World) -> None:
    """The person's session, then the page with its path, escalations, clues, documents, cases and round in one
    read; the menu's unread count is the other (each is a BEGIN, a COMMIT and, on PostgreSQL, a pool check of its
    own)."""
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    supervisor = login_as("supervisor")
    supervisor.get(f"/tasks/{task_id}")
    page, transactions = transactions_of(world.duban, supervisor, f"/tasks/{task_id}")
    assert page.status_code == 200 and 'id="process-diagram"' in page.get_data(as_text=True)
    assert transactions == 3


def test_the_diagram_reads_the_files_of_its_instances_once(login_as: Login, world: World) -> None:
    """The main process and its running companions (a month's report cycle, the deadline's timers) are drawn on one
    picture: their versions' BPMN files are read in one statement, not one by one, and no round is counted."""
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    world.next_month()
    supervisor = login_as("supervisor")
    supervisor.get(f"/tasks/{task_id}")
    page, statements = statements_of(world.duban, supervisor, f"/tasks/{task_id}")
    assert page.status_code == 200 and "填报月度进展" in page.get_data(as_text=True)
    assert len([sent for sent in statements if "bpmn_xml" in sent]) == 1
    assert not [sent for sent in statements if "GROUP BY rectification_tasks.round_id" in sent]
    assert 'data-fact="round">督察反馈整改<' in page.get_data(as_text=True)


def test_a_work_item_page_reads_what_it_shows_beside_the_form(login_as: Login, world: World) -> None:
    """Beside a form: the task's facts, plans, reports, sign-off and notices; not its history, current steps or
    exceptions, which its own page shows."""
    task_id = world.register("1-1")
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="整改方案", milestones="年底完成", contact="李四")
    text, statements = form_page_statements(login_as, world, "head", task_id, "plan_sign")
    assert "整改方案" in text and 'data-fact="round">督察反馈整改<' in text
    read = " ".join(statements)
    assert "FROM audit_events" not in read and "FROM instructions" not in read and "FROM chases" not in read


def test_a_form_reads_only_the_lists_its_fields_choose_from(login_as: Login, world: World) -> None:
    """交办 chooses units and a leader: its page reads those two lists, not the categories or the rounds that
    registration chooses from."""
    text, statements = form_page_statements(login_as, world, "coordinator", world.register("1-1"), "assign")
    assert 'name="lead_leader_id"' in text and 'name="cooperating_unit_ids"' in text
    read = [sent.split()[1].split(".")[0] for sent in statements if sent.startswith("SELECT")]
    assert "categories" not in read and "inspection_rounds" not in read  # no list but those the form offers
    assert any(sent.startswith("SELECT units.id, units.name") for sent in statements)
    assert any(sent.startswith("SELECT users.id, users.display_name, users.title") for sent in statements)


def form_page_statements(login_as: Login, world: World, person: str, task_id: int, form: str) -> tuple[str, list[str]]:
    """The page of the person's work item of this form on the task (opened once before), and the SQL it sent."""
    browser = login_as(person)
    work_id = next(work.id for work in world.work_for(person, task_id) if work.form == form)
    browser.get(f"/work/{work_id}")
    page, statements = statements_of(world.duban, browser, f"/work/{work_id}")
    assert page.status_code == 200
    return page.get_data(as_text=True), statements
