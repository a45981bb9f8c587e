"""A complaint case on the escalation ladder in a real browser: three working days after its report date the
supervision group finds the proposal in its inbox, named by the case's 第N批-number, proposes a notice on the
escalation's own page, and the case's page lists the escalation."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.cases import ROWS, case_named, import_batch
from tests.e2e.people import Person, Site
from tests.engine.test_time import at

People = Callable[..., Person]
NUMBER = ROWS[0].split(",")[0]
CODE = f"第1批-{NUMBER}"


def test_the_supervisor_proposes_a_notice_for_an_overdue_case(site: Site, person: People) -> None:
    world = site.world
    import_batch(world, ROWS[0])
    world.go_to(at("2026-03-24", 0, 30))  # due 19 March; three working days later
    supervisor = person("supervisor")
    supervisor.inbox_row("提出问责建议", CODE).get_by_role("link", name="办理").click()
    supervisor.expect_heading("提出问责建议")
    page = supervisor.page
    expect(page.locator(".escalation-card")).to_contain_text("信访件逾期未办结")
    page.get_by_label("提出问责建议", exact=True).check()
    page.get_by_label("事实依据和佐证材料").fill("报告时限 3 月 19 日已过三个工作日，仍未签收")
    supervisor.shot("case-escalation-propose")
    page.get_by_role("button", name="提交").click()
    supervisor.expect_flash("已完成「提出问责建议」")

    case_id = case_named(world, NUMBER).id
    case_page = supervisor.open(f"/cases/{case_id}", "case-with-escalation")
    expect(case_page.locator("#case-escalations")).to_contain_text("通报")
    expect(case_page.locator("#case-escalations")).to_contain_text("江阳区")
