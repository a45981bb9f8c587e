"""领导批示, 催办 and 会办 in a real browser: a leader's instruction on two tasks answered and closed, a chase sent
from the task page and answered from the top of the unit's inbox, a cooperating unit's contribution seen in the
lead unit's report form."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.people import Person, Site
from tests.factories import assignment

People = Callable[..., Person]


def assigned(site: Site, code: str, **overrides: object) -> int:
    task_id = site.world.register(code=code, **overrides)  # type: ignore[arg-type]
    site.world.do("coordinator", task_id, "assign", **assignment(site.world, plan_due="2026-04-10", **overrides))
    return task_id


def test_a_leader_instructs_two_tasks_and_closes_the_answer(site: Site, person: People) -> None:
    first = assigned(site, "E2E-I1")
    second = assigned(site, "E2E-I2", lead_unit_id=site.world.units["naxi"], cooperating_unit_ids=[])
    leader = person("leader")
    leader.open(f"/tasks/{first}", "task")
    leader.page.locator("#instructions").get_by_role("link", name="批示").click()
    leader.expect_heading("领导批示")
    leader.page.get_by_label("批示的整改任务").select_option([str(first), str(second)])
    leader.page.get_by_label("批示内容").fill("请倒排工期，确保年底前完成")
    leader.page.get_by_label("答复时限").fill("2026-03-20")
    leader.shot("instruction-form")
    leader.page.get_by_role("button", name="送单位落实").click()
    leader.expect_flash("已送各牵头单位落实并答复")

    head = person("head")

    def answer(page: Page) -> None:
        expect(page.locator("#instruction")).to_contain_text("请倒排工期，确保年底前完成")
        page.get_by_label("落实情况").fill("已倒排工期，9月底完工")

    head.do_step("答复领导批示", "E2E-I1", answer, "answer")
    leader.do_step("阅示答复", "E2E-I1", lambda page: page.get_by_label("阅结", exact=True).check(), "close")
    leader.open(f"/tasks/{first}", "task-closed")
    expect(leader.page.locator("#instructions")).to_contain_text("已倒排工期，9月底完工")
    expect(leader.page.locator("#instructions")).to_contain_text("已阅结")
    leader.open("/dashboard", "dashboard")
    expect(leader.page.locator("#open-instructions")).to_contain_text("1")  # naxi has not answered yet


def test_a_chase_from_the_task_page_lands_on_top_of_the_units_inbox(site: Site, person: People) -> None:
    task_id = assigned(site, "E2E-C1")
    supervisor = person("supervisor")
    supervisor.open(f"/tasks/{task_id}", "task")
    supervisor.page.get_by_role("link", name="催办").first.click()
    supervisor.expect_heading("催办")
    supervisor.page.get_by_label("催办内容").fill("请于3月13日前报送实施方案")
    supervisor.page.get_by_label("反馈时限").fill("2026-03-13")
    supervisor.page.get_by_role("button", name="发出催办").click()
    supervisor.expect_flash("已催办江阳区")

    staff = person("staff")
    staff.open("/inbox", "inbox-chased")
    first_row = staff.page.locator("tbody tr").first
    expect(first_row).to_contain_text("反馈催办")
    expect(first_row.locator(".chased")).to_be_visible()
    staff.do_step("反馈催办", "E2E-C1", lambda page: page.get_by_label("反馈情况").fill("正在征求意见，明日报送"),
                  "reply")
    supervisor.open(f"/tasks/{task_id}", "task-replied")
    expect(supervisor.page.locator("#chases")).to_contain_text("正在征求意见，明日报送")


def test_a_cooperating_units_contribution_is_in_the_lead_units_report_form(site: Site, person: People) -> None:
    world = site.world
    naxi = [world.units["naxi"]]
    task_id = assigned(site, "E2E-H1", cooperating_unit_ids=naxi)
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="同意备案")
    world.next_month()
    other_staff = person("other_staff")
    other_staff.do_step("报送配合工作情况", "E2E-H1",
                        lambda page: page.get_by_label("本月配合工作情况").fill("完成2个排污口水质监测"), "contribute")
    staff = person("staff")
    staff.inbox_row("填报月度进展", "E2E-H1").get_by_role("link", name="办理").click()
    staff.expect_heading("填报月度进展")
    expect(staff.page.locator("#contributions")).to_contain_text("纳溪区")
    expect(staff.page.locator("#contributions")).to_contain_text("完成2个排污口水质监测")
    staff.shot("report-with-contributions")
