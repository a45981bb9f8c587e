"""The notification centre in a real browser: the unread count in the menu, a notice leading to its work, mark
all read, and the choices page with its grid of kinds and channels, on a desktop and on a phone."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from engine.core.settings import Channels, Settings
from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.factories import assignment, receive

People = Callable[..., Person]
#: channels configured (nothing is sent: no sweep runs in these tests), so the choices page offers them
SETTINGS = Settings(channels=Channels(smtp_host="127.0.0.1", smtp_sender="duban@example.gov.cn",
                                      wecom_webhook="http://127.0.0.1:9/wecom", sms_webhook="http://127.0.0.1:9/sms"))


def assigned(site: Site, code: str) -> int:
    task_id = site.world.register(code=code)
    site.world.do("coordinator", task_id, "assign", **assignment(site.world, plan_due="2026-04-10"))
    receive(site.world, task_id)  # 签收: its notice is resolved, the plan's is left
    return task_id


def test_a_notice_in_the_menu_leads_to_the_work_and_is_read(site: Site, person: People) -> None:
    assigned(site, "E2E-N1")
    staff = person("staff")
    menu = staff.page.locator("#notifications-link")
    expect(menu).to_contain_text("1")
    menu.click()
    staff.expect_heading("通知中心")
    staff.shot("centre")
    notice = staff.page.locator("ul.notices li.notice-unread").filter(has_text="E2E-N1 有新的待办")
    notice.get_by_role("button", name="查看").click()
    staff.expect_heading("编制整改实施方案")
    staff.shot("work-from-notice")
    expect(staff.page.locator("#notifications-link .badge")).to_have_count(0)


def test_mark_all_read_and_the_choices_on_a_phone(site: Site, person: People) -> None:
    assigned(site, "E2E-N2")
    assigned(site, "E2E-N3")
    staff = person("staff", phone=True)
    staff.open("/notifications", "centre-phone")
    assert staff.page_width() <= PHONE_WIDTH
    staff.page.get_by_role("button", name="全部标为已读").click()
    staff.expect_flash("条通知标为已读")
    staff.shot("all-read")
    staff.open("/notifications/settings", "settings-phone")
    assert staff.page_width() <= PHONE_WIDTH
    staff.page.get_by_label("电子邮箱").fill("staff@jiangyang.gov.cn")
    staff.page.get_by_label("逾期 · 短信").check()
    staff.page.get_by_label("免打扰开始（时）").fill("22")
    staff.page.get_by_label("免打扰结束（时）").fill("7")
    staff.page.get_by_role("button", name="保存").click()
    staff.expect_flash("通知设置已保存")
    staff.shot("settings-saved")
    expect(staff.page.get_by_label("逾期 · 短信")).to_be_checked()


def test_the_choices_page_on_a_desktop(site: Site, person: People) -> None:
    leader = person("leader")
    leader.open("/notifications/settings", "settings-desktop")
    expect(leader.page.get_by_label("每日摘要")).to_be_checked()  # leaders' default
