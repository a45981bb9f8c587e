"""Everyday use in a real browser: a returned plan, another unit's task refused, the keyboard, a phone."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.factories import PASSWORD, assignment

People = Callable[..., Person]
RETURNED, REFUSED, KEYBOARD, PHONE = "E2E-R", "E2E-X", "E2E-K", "E2E-P"
MAX_TABS = 60


def assigned(site: Site, code: str) -> int:
    """A task registered and assigned to 江阳区: its plan is waiting for the unit's staff."""
    task_id = site.world.register(code=code)
    site.world.do("coordinator", task_id, "assign", **assignment(site.world, plan_due="2026-04-10"))
    return task_id


def draft_plan(staff: Person, code: str, content: str) -> None:
    def fill(page: object) -> None:
        staff.page.get_by_label("整改实施方案", exact=True).fill(content)
        staff.page.get_by_label("时间节点").fill("4月完成排查")
        staff.page.get_by_label("联系人及电话").fill("李四")

    staff.do_step("编制整改实施方案", code, fill, "plan-draft")


def test_a_returned_plan_comes_back_to_the_unit_with_the_comment(site: Site, person: People) -> None:
    task_id = assigned(site, RETURNED)
    staff, head, supervisor = person("staff"), person("head"), person("supervisor")
    draft_plan(staff, RETURNED, "第一稿")
    head.do_step("签发实施方案", RETURNED, lambda page: page.get_by_label("同意签发，报送").check(), "plan-sign")

    def send_back(page: object) -> None:
        supervisor.page.get_by_label("退回修改").check()
        supervisor.page.get_by_label("意见说明").fill("请细化措施，明确每段管网的完成时间")

    supervisor.do_step("审核备案实施方案", RETURNED, send_back, "plan-return")
    row = staff.inbox_row("编制整改实施方案", RETURNED)
    row.get_by_role("link", name="办理").click()
    staff.expect_heading("编制整改实施方案")
    staff.shot("plan-returned-form")
    assert staff.page.get_by_text("请细化措施，明确每段管网的完成时间").count() > 0
    staff.open(f"/tasks/{task_id}", "task-plan-returned")
    assert staff.page.get_by_text("退回修改：请细化措施").count() > 0


def refused(someone: Person, path: str, status: int, heading: str, name: str) -> None:
    response = someone.page.goto(path)
    someone.shot(name)
    assert response is not None and response.status == status
    someone.expect_heading(heading)


def test_another_units_task_is_refused(site: Site, person: People) -> None:
    """Another unit's task and work look like unknown ones (not found); a page of another role is refused."""
    task_id = assigned(site, REFUSED)
    work_id = next(w.id for w in site.world.work_for("staff", task_id) if w.form == "plan_draft")
    stranger = person("other_staff")
    refused(stranger, f"/tasks/{task_id}", 404, "没有找到", "refused-task-of-another-unit")
    assert stranger.page.get_by_text("长江干流沿岸污水直排").count() == 0
    refused(stranger, f"/work/{work_id}", 404, "没有找到", "refused-work-of-another-unit")
    refused(stranger, "/tasks/new", 403, "无权访问", "refused-registration")
    stranger.page.get_by_role("link", name="返回我的待办").click()
    stranger.expect_heading("我的待办")
    assert stranger.page.get_by_text(REFUSED).count() == 0


def tab_to(someone: Person, selector: str) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(MAX_TABS):
        someone.page.keyboard.press("Tab")
        if someone.page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_logging_in_and_drafting_a_plan_with_the_keyboard_only(site: Site, person: People) -> None:
    task_id = assigned(site, KEYBOARD)
    work_id = next(w.id for w in site.world.work_for("staff", task_id) if w.form == "plan_draft")
    staff = person("staff", login=False)
    staff.open("/login", "keyboard-login")
    tab_to(staff, "input[name=username]")
    staff.page.keyboard.type("staff")
    staff.page.keyboard.press("Tab")
    staff.page.keyboard.type(PASSWORD)
    staff.page.keyboard.press("Enter")
    staff.expect_heading("我的待办")
    staff.page.keyboard.press("Tab")  # the first stop on every page skips the menu
    assert staff.page.evaluate("document.activeElement.textContent") == "跳到正文"

    tab_to(staff, f"a.btn[href='/work/{work_id}']")
    staff.page.keyboard.press("Enter")
    staff.expect_heading("编制整改实施方案")
    for name, text in (("content", "键盘填写的方案"), ("milestones", "4月完成"), ("contact", "李四")):
        tab_to(staff, f"[name={name}]")
        staff.page.keyboard.type(text)
    staff.shot("keyboard-plan-form")
    tab_to(staff, "main form button[type=submit]")
    staff.page.keyboard.press("Enter")
    staff.expect_flash(f"已完成「编制整改实施方案」：{KEYBOARD}")
    staff.shot("keyboard-plan-done")


def fits_the_phone(someone: Person, path: str, name: str) -> None:
    someone.open(path, name)
    assert someone.page_width() <= PHONE_WIDTH, f"{path} is wider than the phone: {someone.page_width()} px"


def test_main_pages_fit_a_phone(site: Site, person: People) -> None:
    task_id = assigned(site, PHONE)
    coordinator = person("coordinator", phone=True, login=False)
    fits_the_phone(coordinator, "/login", "login")
    coordinator.login()
    for path, name in (("/inbox", "inbox"), (f"/tasks/{task_id}", "task"), ("/ledger", "ledger"),
                       ("/tasks/new", "register-form"), ("/escalations", "escalations"), ("/dashboard", "dashboard"),
                       ("/public/", "public")):
        fits_the_phone(coordinator, path, name)
    staff = person("staff", phone=True)
    work_id = next(w.id for w in site.world.work_for("staff", task_id) if w.form == "plan_draft")
    fits_the_phone(staff, f"/work/{work_id}", "plan-form")
    draft_on_the_phone(staff)


def draft_on_the_phone(staff: Person) -> None:
    """The form is filled and sent on the phone; the answer and the menu fit it too."""
    page = staff.page
    page.get_by_label("整改实施方案", exact=True).fill("手机上填写的方案")
    page.get_by_label("时间节点").fill("4月完成排查")
    page.get_by_label("联系人及电话").fill("李四")
    staff.submit()
    staff.expect_flash(f"已完成「编制整改实施方案」：{PHONE}")
    staff.shot("plan-done")
    assert staff.page_width() <= PHONE_WIDTH
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="整改任务台账").click()
    staff.expect_heading("整改任务台账")
    assert staff.page_width() <= PHONE_WIDTH
    staff.shot("ledger-from-menu")


def test_menu_entries_stay_on_one_line_on_a_narrow_screen(site: Site, person: People) -> None:
    coordinator = person("coordinator")
    coordinator.page.set_viewport_size({"width": 800, "height": 800})
    coordinator.open("/inbox", "menu-800px")
    heights = coordinator.page.eval_on_selector_all(".navbar .nav-link", "links => links.map(a => a.offsetHeight)")
    line = min(heights)
    assert heights and all(height < 1.5 * line for height in heights), heights
