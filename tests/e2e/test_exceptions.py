"""签收, 退办/改派 and 延期申请 in a real browser, each step by the person whose work it is."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from playwright.sync_api import Page, expect

from engine.core.clock import LOCAL_TZ
from engine.demo.sample_files import png
from tests.e2e.people import Person, Site
from tests.factories import assignment, walk_to_reporting

People = Callable[..., Person]


def assigned(site: Site, code: str) -> int:
    world = site.world
    task_id = world.register(code=code, cooperating_unit_ids=[])
    world.do("coordinator", task_id, "assign", **assignment(world, cooperating_unit_ids=[]))
    return task_id


def test_the_unit_signs_for_an_assigned_task(site: Site, person: People) -> None:
    task_id = assigned(site, "QS-1")
    staff = person("staff")
    staff.do_step("签收任务", "QS-1", lambda page: page.get_by_label("签收", exact=True).check(), "receipt-sign")
    page = staff.open(f"/tasks/{task_id}", "task-received")
    expect(page.locator("[data-fact='received']")).to_be_visible()
    expect(page.locator("[data-receipt='received']")).to_contain_text("江阳区")
    staff.open("/ledger?q=QS-1", "ledger-received")
    expect(staff.page.locator("td[data-label='签收']")).not_to_contain_text("—")


def test_a_returned_task_goes_to_another_unit(site: Site, person: People) -> None:
    assigned(site, "QS-2")

    def give_back(page: Page) -> None:
        page.get_by_label("退办（不属于本单位职责）", exact=True).check()
        page.get_by_label("说明").fill("该排污口位于纳溪区")

    def reassign(page: Page) -> None:
        page.get_by_label("改派其他单位", exact=True).check()
        page.get_by_label("改派给").select_option(str(site.world.units["naxi"]))
        page.get_by_label("理由").fill("经核实属纳溪区")

    person("staff").do_step("签收任务", "QS-2", give_back, "receipt-return")
    person("coordinator").do_step("处理退办", "QS-2", reassign, "return-reassign")
    other = person("other_staff")
    expect(other.inbox_row("签收任务", "QS-2")).to_be_visible()
    other.do_step("签收任务", "QS-2", lambda page: page.get_by_label("签收", exact=True).check(), "new-unit-signs")


def test_an_extension_is_asked_reviewed_and_approved(site: Site, person: People) -> None:
    world = site.world
    task_id = world.register(code="YQ-1", deadline="2026-05-31")
    walk_to_reporting(world, task_id)
    world.go_to(datetime.combine(date(2026, 5, 10), time(9), LOCAL_TZ))
    staff = person("staff")
    page = staff.open(f"/tasks/{task_id}", "task-before-extension")
    page.get_by_role("button", name="申请延期").click()
    staff.expect_heading("填报延期申请")
    page.get_by_label("申请延至").fill("2026-07-31")
    page.get_by_label("延期理由").fill("汛期无法施工，需顺延两个月")
    page.get_by_label("佐证材料", exact=True).set_input_files(
        [{"name": "汛期照片.png", "mimeType": "image/png", "buffer": png()}])
    staff.shot("extension-request-form")
    staff.submit()
    staff.expect_flash("已完成「填报延期申请」：YQ-1")

    def support(page: Page) -> None:
        page.get_by_label("理由充分，建议同意", exact=True).check()
        page.get_by_label("审核说明").fill("情况属实")

    person("supervisor").do_step("审核延期申请", "YQ-1", support, "extension-review")
    person("leader").do_step("审批延期申请", "YQ-1",
                             lambda page: page.get_by_label("同意延期", exact=True).check(), "extension-decide")
    page = staff.open(f"/tasks/{task_id}", "task-extended")
    expect(page.locator(".task-facts")).to_contain_text("已延期 1 次")
    expect(page.locator("[data-extension='approved']")).to_contain_text("2026年7月31日")
