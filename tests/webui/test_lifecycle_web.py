"""Every step of a task's normal life through the web client, each by the right role, CSRF on."""
from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from engine.features.rectification.queries import LedgerFilters
from engine.features.work import items
from engine.store.models import HumanTask, RectificationTask
from tests.factories import PHOTO, REPORT, World, checklist
from tests.webui.conftest import CSRF_FIELD, Browser

Login = Callable[[str], Browser]


def inbox_links(browser: Browser) -> dict[str, int]:
    """Step name -> work id, as the inbox shows them."""
    html = browser.get("/inbox").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    links = {}
    for row in rows:
        work = re.search(r'href="/work/(\d+)"', row)
        cells = re.findall(r'data-label="待办事项">([^<]+)', row)
        if work and cells:
            links[cells[0].strip()] = int(work.group(1))
    return links


def do_step(browser: Browser, step: str, data: dict[str, object]) -> str:
    links = inbox_links(browser)
    assert step in links, f"{step!r} not in inbox: {links}"
    response = browser.submit(f"/work/{links[step]}", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "已完成" in html, html[:3000]
    return html


def register(browser: Browser, world: World, code: str = "9-1") -> int:
    response = browser.submit("/tasks/new", {
        "code": code, "category_id": world.categories[0], "title": "城区黑臭水体整治",
        "problem": "城区仍有黑臭水体。", "target": "消除黑臭水体。", "measures": "1. 控源截污\n2. 清淤疏浚",
        "lead_unit_id": world.units["jiangyang"], "cooperating_unit_ids": [world.units["water"]],
        "lead_leader_id": world["leader"].user_id, "deadline_kind": "date", "deadline": "2026-12-31"})
    html = response.get_data(as_text=True)
    assert "整改任务已登记" in html, html[:2000]
    with world.duban.db.transaction(write=False) as session:
        return session.scalars(select(RectificationTask.id).where(RectificationTask.code == code)).one()


def test_a_task_walks_its_whole_life_in_the_browser(login_as: Login, world: World) -> None:
    coordinator, staff, head = login_as("coordinator"), login_as("staff"), login_as("head")
    supervisor, leader = login_as("supervisor"), login_as("leader")
    task_id = register(coordinator, world)
    assert "未启动" in coordinator.get(f"/tasks/{task_id}").get_data(as_text=True)

    do_step(coordinator, "交办整改任务", {
        "lead_unit_id": world.units["jiangyang"], "cooperating_unit_ids": [world.units["water"]],
        "lead_leader_id": world["leader"].user_id, "deadline_kind": "date", "deadline": "2026-12-31",
        "plan_due": "2026-04-01", "instructions": "按期报送"})
    do_step(staff, "编制整改实施方案", {"content": "第一稿", "milestones": "4月完成", "contact": "李四"})
    do_step(head, "签发实施方案", {"decision": "submit"})
    do_step(supervisor, "审核备案实施方案", {"decision": "return", "comment": "请细化措施"})
    page = staff.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "请细化措施" in page
    do_step(staff, "编制整改实施方案", {"content": "第二稿", "milestones": "4月完成", "contact": "李四"})
    do_step(head, "签发实施方案", {"decision": "submit"})
    do_step(supervisor, "审核备案实施方案", {"decision": "file"})
    assert "推进中" in staff.get(f"/tasks/{task_id}").get_data(as_text=True)

    world.next_month()  # a month later everyone logs in again: sessions end after hours of idleness
    staff, head, supervisor, leader = login_as("staff"), login_as("head"), login_as("supervisor"), login_as("leader")
    coordinator = login_as("coordinator")
    do_step(staff, "填报月度进展", {"progress": "完成截污 30%", "percent_complete": "30"})
    do_step(head, "签发月度进展", {"decision": "submit"})
    do_step(supervisor, "审核月度进展", {"decision": "return", "comment": "数据不全"})
    do_step(staff, "填报月度进展", {"progress": "完成截污 35%", "percent_complete": "35"})
    do_step(head, "签发月度进展", {"decision": "submit"})
    do_step(supervisor, "审核月度进展", {"decision": "accept"})

    work_id = next(w.id for w in world.work_for("staff", task_id) if w.form == "signoff_apply")
    assert f"/work/{work_id}" in staff.get(f"/tasks/{task_id}").get_data(as_text=True)
    response = staff.submit(f"/work/{work_id}", {"summary": "已全部整改完成", "evidence_note": "验收报告",
                                                 "evidence": [photo(), (io.BytesIO(REPORT.data), "验收报告.pdf")]})
    assert "已完成" in response.get_data(as_text=True)
    do_step(head, "签发销号申请", {"decision": "submit"})
    do_step(supervisor, "核验整改成效", web_checklist())
    publicity = login_as("publicity")
    draft = publicity.get(f"/work/{inbox_links(publicity)['发布销号公示']}").get_data(as_text=True)
    assert "拟销号的公示" in draft and "公示期为" in draft
    do_step(publicity, "发布销号公示", {"text": "关于 9-1 号整改任务拟销号的公示"})
    world.tick(days=10)
    leader, coordinator = login_as("leader"), login_as("coordinator")
    do_step(leader, "审批销号", {"decision": "approve"})

    page = coordinator.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "已销号" in page and "销号日期" in page
    for text in ("登记整改任务 9-1", "予以备案", "退回修改：请细化措施", "2026-03 月度进展审核通过",
                 "上传附件「验收报告.pdf」", "整改成效核验通过", "发布销号公示", "牵头市领导审批销号通过"):
        assert text in page, text


def photo() -> tuple[io.BytesIO, str]:
    return io.BytesIO(PHOTO.data), "现场照片.png"


def web_checklist(**unmet: str) -> dict[str, object]:
    """The verification form as the browser posts it: unticked boxes are simply absent."""
    data = {key: value for key, value in checklist(**unmet).items() if value is not False}
    return {key: ("y" if value is True else value) for key, value in data.items()}


def test_a_bad_form_is_shown_again_with_errors_and_saves_nothing(login_as: Login, world: World) -> None:
    task_id = world.register()
    staff = login_as("coordinator")
    work_id = inbox_links(staff)["交办整改任务"]
    before = _count_work(world)
    response = staff.submit(f"/work/{work_id}", {"lead_unit_id": world.units["jiangyang"],
                                                 "deadline_kind": "date", "plan_due": "not a date"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请修改标出的内容" in html and "is-invalid" in html
    assert _count_work(world) == before
    assert [w.form for w in world.work_for("coordinator", task_id)] == ["assign"]


def test_returning_without_a_comment_is_refused(login_as: Login, world: World) -> None:
    from tests.factories import assignment

    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="稿", milestones="无", contact="李四")
    head = login_as("head")
    response = head.submit(f"/work/{inbox_links(head)['签发实施方案']}", {"decision": "back", "comment": ""})
    assert "退回时必须填写意见说明" in response.get_data(as_text=True)
    assert [w.form for w in world.work_for("head", task_id)] == ["plan_sign"]


def field_errors(html: str) -> dict[str, list[str]]:
    """The messages a page shows under each field (by the field's id)."""
    blocks = html.split('<div class="mb-3">')[1:]
    return {found.group(1): re.findall(r'<div class="invalid-feedback d-block">([^<]+)</div>', block)
            for block in blocks if (found := re.search(r'\bid="(\w+)"', block))}


def test_registration_refused_by_the_engine_shows_each_message_on_its_field(login_as: Login, world: World) -> None:
    response = login_as("coordinator").submit("/tasks/new", {
        "code": "9-2", "category_id": world.categories[0], "title": "城区黑臭水体整治", "problem": "黑臭水体。",
        "target": "消除。", "measures": "截污", "lead_unit_id": world.units["jiangyang"],
        "cooperating_unit_ids": [world.units["jiangyang"]], "lead_leader_id": world["leader"].user_id,
        "deadline_kind": "date"})
    errors = field_errors(response.get_data(as_text=True))
    assert errors["cooperating_unit_ids"] == ["配合单位不能包含牵头单位"]
    assert errors["deadline"] == ["限期完成的任务须填写整改时限"]
    assert not errors["code"] and not errors["lead_unit_id"]
    assert world.duban.tasks.ledger(world["coordinator"], LedgerFilters()).total == 0


def test_a_step_already_done_by_someone_else_says_so(login_as: Login, world: World) -> None:
    world.register()
    first, second = login_as("coordinator"), login_as("coordinator")
    work_id = inbox_links(first)["交办整改任务"]
    page = second.get(f"/work/{work_id}")  # the second person opened the form too
    assert page.status_code == 200
    from tests.factories import assignment

    data = {k: v for k, v in assignment(world).items() if v is not None}
    assert "已完成" in first.submit(f"/work/{work_id}", data).get_data(as_text=True)
    token = CSRF_FIELD.search(page.get_data(as_text=True))
    assert token
    late = second.client.post(f"/work/{work_id}", data={"csrf_token": token.group(1), **data}, follow_redirects=True)
    said = late.get_data(as_text=True)  # who handled it, and when (Beijing time)
    assert f"这项工作已由{world['coordinator'].display_name}于 2026-" in said and " 办理" in said


def _count_work(world: World) -> int:
    with world.duban.db.transaction(write=False) as session:
        return session.scalar(select(func.count(HumanTask.id))) or 0


def test_a_submitted_form_is_checked_without_the_task_page_which_comes_back_with_its_errors(
        login_as: Login, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission needs only the form; the task's page (facts, history, reports) is read again only to show the
    form with its errors."""
    from tests.factories import assignment

    task_id = world.register(code="1-7")
    world.do("coordinator", task_id, "assign", **assignment(world))
    world.do("staff", task_id, "plan_draft", content="稿", milestones="无", contact="李四")
    head = login_as("head")
    work_id = inbox_links(head)["签发实施方案"]
    pages: list[int] = []
    real_page = items.beside_a_form
    monkeypatch.setattr(items, "beside_a_form", lambda *args: pages.append(1) or real_page(*args))
    refused = head.submit(f"/work/{work_id}", {"decision": "back", "comment": ""})
    assert "退回时必须填写意见说明" in refused.get_data(as_text=True) and "1-7" in refused.get_data(as_text=True)
    assert len(pages) == 2  # the form opened (a GET), then shown again with its errors
    head.submit(f"/work/{work_id}", {"decision": "back", "comment": "措施不具体"})
    assert len(pages) == 3  # the form opened again; the submission itself, and the inbox it leads to, read none
    assert "plan_draft" in [w.form for w in world.work_for("staff", task_id)]
