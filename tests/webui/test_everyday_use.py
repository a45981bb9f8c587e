"""Everyday use without a browser: every field labelled, long lists paginated, every action answered, no CDN."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import lxml.html
import pytest
from flask import Flask
from sqlalchemy import select

from engine.features.accounts import users
from engine.features.audit import trail as audit
from engine.features.clues import queries as clue_queries
from engine.features.escalation import queries as escalation_queries
from engine.features.public import disclosure
from engine.features.rectification import queries
from engine.features.work import inbox
from engine.store.models import SignoffNotice
from tests.escalations import carry_out, do_clue, propose, register_clue
from tests.factories import (
    PASSWORD,
    ROOT,
    World,
    apply_for_signoff,
    assignment,
    checklist,
    report_month,
    walk_to_reporting,
)
from tests.webui.conftest import TEMPLATE_FILES, Browser
from tests.webui.test_lifecycle_web import register

Login = Callable[[str], Browser]
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
EVERYONE = ("leader", "coordinator", "supervisor", "publicity", "discipline", "staff", "head", "admin")


def unlabelled_fields(html: str) -> list[str]:
    """Visible inputs, selects and text areas that no label names (a <label for>, aria-label or a wrapping label)."""
    document = lxml.html.fromstring(html)
    labelled = {label.get("for") for label in document.iter("label") if label.get("for")}
    missing = []
    for element in document.xpath("//input | //select | //textarea"):
        if element.get("type", "text") in UNLABELLED_TYPES or element.get("hidden") is not None:
            continue
        if element.get("aria-label") or element.get("aria-labelledby") or element.get("id") in labelled \
                or element.xpath("ancestor::label"):
            continue
        missing.append(lxml.html.tostring(element, encoding="unicode")[:160])
    return missing


def test_a_field_without_a_label_is_noticed() -> None:
    html = ('<form><label for="a">A</label><input id="a"><label>B <input name="b"></label>'
            '<input name="c"><select name="d"></select><input type="hidden" name="e"><textarea aria-label="F">'
            '</textarea></form>')
    assert [lxml.html.fromstring(field).get("name") for field in unlabelled_fields(html)] == ["c", "d"]


def page_urls(app: Flask) -> list[str]:
    """Every page without a parameter in its address that answers GET."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith("/static")
                  and not rule.rule.endswith((".xlsx", ".csv", ".docx")))


def assert_labelled(browser: Browser, url: str) -> bool:
    response = browser.get(url)
    html = response.get_data(as_text=True)
    if response.status_code != 200 or response.mimetype != "text/html" or "<form" not in html:
        return False
    assert unlabelled_fields(html) == [], url
    return True


def test_every_field_of_every_page_without_parameters_is_labelled(app: Flask, login_as: Login,
                                                                   client: Browser, world: World) -> None:
    world.register()
    assert assert_labelled(client, "/login")
    checked = 0
    for username in EVERYONE:
        browser = login_as(username)
        checked += sum(assert_labelled(browser, url) for url in page_urls(app))
    assert checked > 20  # the filters of the ledger and registers, registration, users, targets …


def work_pages(world: World, login_as: Login) -> Iterator[str]:
    """The form of every open piece of work, opened by the person whose work it is."""
    for username in EVERYONE:
        browser = login_as(username)
        for work in world.work_for(username):
            url = f"/work/{work.id}" if work.task_id is not None else f"/clues/work/{work.id}"
            assert_labelled(browser, url)
            yield work.form


def test_every_field_of_every_work_form_is_labelled(login_as: Login, world: World) -> None:
    seen = set()
    first, second, third = world.register("1-1"), world.register("1-2"), world.register("1-3")
    seen |= set(work_pages(world, login_as))
    walk_to_reporting(world, first)
    walk_to_reporting(world, second)
    walk_to_reporting(world, third)
    world.next_month()
    report_month(world, first)
    apply_for_signoff(world, first)
    world.do("staff", second, "report_submit", progress="按计划推进", percent_complete=50)
    world.duban.escalation.propose(world["supervisor"], third, "现场检查发现整改不实")
    seen |= set(work_pages(world, login_as))
    propose(world, third, 4)
    world.do("leader", third, "escalation_approve", decision="approve", comment="")
    register_clue(world)
    seen |= set(work_pages(world, login_as))
    carry_out(world, third, 4)
    do_clue(world, "discipline", "clue_investigate", findings="属实", verdict="founded")
    seen |= set(work_pages(world, login_as))
    assert {"assign", "report_submit", "report_sign", "signoff_verify", "signoff_apply", "escalation_commitment",
            "clue_responsibility"} <= seen, seen
    supervisor = login_as("supervisor")
    assert assert_labelled(supervisor, f"/tasks/{third}/escalate")
    assert assert_labelled(login_as("admin"), f"/admin/users/{world['staff'].user_id}/edit")


def test_the_public_objection_form_is_labelled(client: Browser, world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    with world.duban.db.transaction(write=False) as session:
        notice_id = session.scalars(select(SignoffNotice.id).where(SignoffNotice.task_id == task_id)).one()
    assert assert_labelled(client, f"/public/notices/{notice_id}")


# --- long lists are paginated ----------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pages of two rows, so that a few rows make a long list."""
    for module in (queries, disclosure, escalation_queries, clue_queries):
        monkeypatch.setattr(module, "PAGE_SIZE", 2)
    monkeypatch.setattr(inbox, "INBOX_PAGE_SIZE", 2)
    monkeypatch.setattr(audit, "AUDIT_PAGE_SIZE", 2)
    monkeypatch.setattr(users, "USER_PAGE_SIZE", 2)
    return 2


def second_page(browser: Browser, url: str, row: str) -> None:
    """The list has a link to page 2; page 2 shows other rows than page 1."""
    first = browser.get(url).get_data(as_text=True)
    links = re.findall(r'class="page-link" href="([^"]+page=2[^"]*)"', first)
    assert links, f"{url} has no link to its second page"
    second = browser.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert 'aria-current="page">2<' in second, url
    rows_on = [set(re.findall(row, html)) for html in (first, second)]
    assert rows_on[0] and rows_on[1] and not rows_on[0] & rows_on[1], (url, rows_on)


def test_long_lists_have_pages(small_pages: int, login_as: Login, world: World) -> None:
    tasks = [world.register(f"1-{number}") for number in range(1, 6)]
    for task_id in tasks[:3]:
        world.duban.escalation.propose(world["supervisor"], task_id, "整改不实")
    for _ in range(3):
        register_clue(world)
    coordinator = login_as("coordinator")
    second_page(coordinator, "/inbox", r'href="/work/(\d+)"')
    second_page(coordinator, "/ledger", r'href="/tasks/(\d+)"')
    second_page(coordinator, "/escalations", r'href="/escalations/(\d+)"')
    second_page(coordinator, "/clues", r'href="/clues/(\d+)"')
    admin = login_as("admin")
    second_page(admin, "/admin/audit", r'<td data-label="#" class="text-nowrap small">(\d+)<')
    second_page(admin, "/admin/users", r'<code>(\w+)</code>')


def test_the_public_list_has_pages(small_pages: int, client: Browser, world: World) -> None:
    for number in range(1, 4):
        task_id = world.register(f"1-{number}")
        walk_to_reporting(world, task_id)
    second_page(client, "/public/", r'href="/public/tasks/(\d+)"')


def test_the_page_links_show_a_window_around_the_current_page(small_pages: int, login_as: Login,
                                                              world: World) -> None:
    for number in range(1, 21):
        world.register(f"1-{number}")
    html = login_as("coordinator").get("/ledger?page=5").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r'class="page-link" href="[^"]*page=\d+[^"]*"[^>]*>(\d+)<', html)]
    assert numbers == [1, 3, 4, 5, 6, 7, 10], numbers
    assert "上一页" in html and "下一页" in html and "…" in html


# --- every action says how it went -----------------------------------------------------------------------

ALERT = re.compile(r'<div class="alert alert-(success|info|warning|danger)[^"]*"[^>]*role="alert">\s*([^<]+)')


def flashed(html: str) -> list[str]:
    return [text.strip() for _kind, text in ALERT.findall(html)]


def test_every_main_action_ends_with_a_message(login_as: Login, client: Browser, world: World) -> None:
    assert "欢迎，staff" in flashed(
        client.submit("/login", {"username": "staff", "password": PASSWORD}).get_data(as_text=True))
    coordinator = login_as("coordinator")
    task_id = register(coordinator, world, code="9-9")  # asserts 整改任务已登记
    work = world.work_for("coordinator", task_id)[0]
    data = {key: value for key, value in assignment(world).items() if value is not None}
    assert "已完成「交办整改任务」：9-9" in flashed(coordinator.submit(f"/work/{work.id}", data).get_data(as_text=True))
    html = login_as("supervisor").submit(f"/tasks/{task_id}/escalate", {"reason": "群众反映问题反弹"})
    assert "已启动督办问责，请提出问责建议" in flashed(html.get_data(as_text=True))
    html = coordinator.submit("/clues/new", {"source": "督察组转办", "received_on": "2026-03-09",
                                             "reply_due": "2026-04-30", "title": "排污口直排", "content": "群众举报"})
    assert "问题线索已登记，已交纪委监委调查核实" in flashed(html.get_data(as_text=True))
    html = login_as("admin").post_with_token_from("/admin/users", f"/admin/users/{world['head'].user_id}/deactivate",
                                                  {})
    assert "已停用 head" in flashed(html.get_data(as_text=True))
    html = coordinator.submit("/account/password", {"current": PASSWORD, "password": "Another-pass-2",
                                                    "confirm": "Another-pass-2"})
    assert "密码已修改" in flashed(html.get_data(as_text=True))
    html = coordinator.post_with_token_from("/inbox", "/logout", {})
    assert "已退出登录" in flashed(html.get_data(as_text=True))


def test_a_work_form_with_mistakes_says_so(login_as: Login, world: World) -> None:
    task_id = world.register()
    coordinator = login_as("coordinator")
    work = world.work_for("coordinator", task_id)[0]
    html = coordinator.submit(f"/work/{work.id}", {"plan_due": "not a date"}).get_data(as_text=True)
    assert "请修改标出的内容后重新提交。" in flashed(html)


# --- static assets come with the package -----------------------------------------------------------------

REMOTE_ASSET = re.compile(r'<(?:script|link)\b[^>]*(?:src|href)="(?:https?:)?//', re.I)


def test_scripts_and_styles_are_served_by_duban_itself() -> None:
    assert TEMPLATE_FILES
    remote = [str(path.relative_to(ROOT)) for path in TEMPLATE_FILES if REMOTE_ASSET.search(path.read_text())]
    assert remote == []
    assert (ROOT / "webui" / "static" / "vendor" / "bootstrap" / "bootstrap.min.css").exists()


def test_pages_load_their_styles_from_the_package(login_as: Login) -> None:
    html = login_as("coordinator").get("/inbox").get_data(as_text=True)
    assets = re.findall(r'<(?:link|script)\b[^>]*(?:href|src)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    assert login_as("staff").get(assets[0]).status_code == 200
