"""强化措施 in a real browser: the lead unit files its quarterly report from the inbox, the supervision group
returns it with its reasons, the unit finds it filled in and files it again; the ledger and the measure's page,
on a desk and on a phone."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from playwright.sync_api import Page, expect

from engine.core.clock import LOCAL_TZ
from tests.e2e.people import Person, Site
from tests.measures import register_measure

People = Callable[..., Person]


def test_a_quarterly_report_returned_and_filed_again(site: Site, person: People) -> None:
    measure_id = register_measure(site.world)
    site.world.go_to(datetime(2026, 4, 1, 0, 30, tzinfo=LOCAL_TZ))
    staff = person("staff")

    def report(page: Page) -> None:
        page.get_by_label("本期主要工作").fill("印发职责分工方案")
        page.get_by_label("进展成效").fill("职责已明确到部门")

    staff.do_step("报送强化措施工作报告", "QH-01", report, "report")
    supervisor = person("supervisor")

    def send_back(page: Page) -> None:
        expect(page.locator("#report-under-review")).to_contain_text("印发职责分工方案")
        page.get_by_label("退回重报").check()
        page.get_by_label("意见说明").fill("请补充考核结果")

    supervisor.do_step("审核强化措施工作报告", "QH-01", send_back, "return")
    row = staff.inbox_row("报送强化措施工作报告", "QH-01")
    expect(row).to_contain_text("已退回")
    row.get_by_role("link", name="办理").click()
    expect(staff.page.locator("#returned-reasons")).to_contain_text("请补充考核结果")
    expect(staff.page.get_by_label("本期主要工作")).to_have_value("印发职责分工方案")
    staff.page.get_by_label("进展成效").fill("职责已明确，考核结果已印发")
    staff.shot("report-again")
    staff.submit()
    staff.expect_flash("已完成「报送强化措施工作报告」：QH-01")
    supervisor.do_step("审核强化措施工作报告", "QH-01", lambda page: page.get_by_label("审核通过").check(), "accept")
    supervisor.open("/measures", "ledger")
    expect(supervisor.page.locator(".measure-row")).to_have_count(1)
    supervisor.open(f"/measures/{measure_id}", "measure")
    expect(supervisor.page.locator("#measure-reports")).to_contain_text("审核通过")
    expect(supervisor.page.locator("#measure-history")).to_contain_text("退回重报：请补充考核结果")
    phone = person("staff", phone=True)
    phone.open("/measures", "ledger")
    assert phone.page_width() <= 390
    phone.open(f"/measures/{measure_id}", "measure")
    assert phone.page_width() <= 390
