"""What a person sees of work sent back and of a long inbox: the returned form filled in with its reasons in sight on
a phone, and the inbox narrowed to one kind of step."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.people import PHONE, PHONE_WIDTH, Person, Site
from tests.factories import assignment

People = Callable[..., Person]
REASON = "请细化每个排污口的完成时间，并附排查清单"


def returned_plan(site: Site, code: str) -> None:
    world = site.world
    task_id = world.register(code=code)
    world.do("coordinator", task_id, "assign", **assignment(world, plan_due="2026-04-10"))
    world.do("staff", task_id, "plan_draft", content="控源截污、清淤疏浚、生态补水", milestones="4月完成排查",
             contact="李四 0830-1234567")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="return", comment=REASON)


def test_a_returned_plan_opens_filled_in_with_its_reasons_in_sight_on_a_phone(site: Site, person: People) -> None:
    returned_plan(site, "E2E-R1")
    staff = person("staff", phone=True)
    row = staff.inbox_row("编制整改实施方案", "E2E-R1")
    expect(row.locator(".returned-mark")).to_contain_text("已退回")
    row.get_by_role("link", name="办理").click()
    staff.expect_heading("编制整改实施方案")
    staff.shot("returned-form")
    reasons = staff.page.locator("#returned-reasons")
    expect(reasons).to_contain_text(REASON)
    box = reasons.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]  # seen without scrolling
    assert staff.page.evaluate("window.scrollY") == 0 and staff.page_width() <= PHONE_WIDTH
    expect(staff.page.get_by_label("整改实施方案", exact=True)).to_have_value("控源截污、清淤疏浚、生态补水")
    expect(staff.page.get_by_label("联系人及电话")).to_have_value("李四 0830-1234567")


def test_the_supervisor_narrows_the_inbox_to_one_kind_of_step(site: Site, person: People) -> None:
    world = site.world
    filed = world.register(code="E2E-F1")
    world.do("coordinator", filed, "assign", **assignment(world, plan_due="2026-04-10"))
    world.do("staff", filed, "plan_draft", content="方案", milestones="节点", contact="李四")
    world.do("head", filed, "plan_sign", decision="submit", comment="")
    proposed = world.register(code="E2E-F2")
    world.duban.escalation.propose(world["supervisor"], proposed, "群众反映排污口仍在直排")
    supervisor = person("supervisor")
    supervisor.open("/inbox", "inbox-all")
    rows = supervisor.page.locator("main tbody tr")
    expect(rows.filter(has_text="E2E-F1")).to_have_count(1)
    expect(rows.filter(has_text="E2E-F2")).to_have_count(1)
    supervisor.page.get_by_label("事项类型").select_option("plan_review")
    supervisor.page.locator("#inbox-filters").get_by_role("button", name="筛选").click()
    supervisor.shot("inbox-plan-reviews")
    expect(rows.filter(has_text="E2E-F1")).to_have_count(1)
    expect(rows.filter(has_text="E2E-F2")).to_have_count(0)
    expect(supervisor.page.get_by_label("事项类型")).to_have_value("plan_review")
    expect(supervisor.page.locator("td[data-label='待办事项']")).to_contain_text(["审核备案实施方案"])
