"""Reminders (提醒) in a real browser: the inbox's reminder of a report due is marked read there, the menu's count
goes down, and once the report is submitted the reminder is gone from the inbox and shown as done in the
notification centre."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.people import Person, Site
from tests.factories import walk_to_reporting

People = Callable[..., Person]
CODE = "E2E-R1"


def report_progress(page: Page) -> None:
    page.get_by_label("本月工作进展").fill("完成截污管网 3 公里")
    page.get_by_label("总体完成进度（%）").fill("30")


def unread_in_menu(staff: Person) -> int:
    badge = staff.page.locator("#notifications-link .badge")
    return int(badge.first.inner_text()) if badge.count() else 0


def test_a_reminder_is_read_in_the_inbox_and_resolves_once_the_report_is_submitted(site: Site,
                                                                                    person: People) -> None:
    task_id = site.world.register(code=CODE)
    walk_to_reporting(site.world, task_id)
    site.world.next_month()  # March's report is asked for: 请于 2026年4月5日 前报送
    staff = person("staff")
    staff.open("/inbox", "reminder-unread")
    reminder = staff.page.locator("li.reminder").filter(has_text=f"{CODE} 请于 2026年4月5日 前报送")
    expect(reminder).to_contain_text("未读")
    unread = unread_in_menu(staff)
    reminder.get_by_role("button", name="标为已读").click()
    expect(reminder).not_to_contain_text("未读")
    expect(reminder.get_by_role("button", name="标为已读")).to_have_count(0)
    assert unread_in_menu(staff) == unread - 1
    staff.shot("reminder-read")
    staff.do_step("填报月度进展", CODE, report_progress, "report")
    expect(staff.page.locator("li.reminder").filter(has_text=CODE)).to_have_count(0)  # submitted: no reminder
    staff.open("/notifications", "centre-resolved")
    asked = staff.page.locator("ul.notices li").filter(has_text=f"{CODE} 请于 2026年4月5日 前报送")
    expect(asked).to_contain_text("已办结")
