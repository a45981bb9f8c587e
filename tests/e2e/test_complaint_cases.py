"""Complaint cases in a real browser: the unit's officer signs for a case from the inbox and reports it with a photo
on a phone; once accepted and published, the complainant finds the result on the public site with the number and
the code the office gave them, and sees nothing of anyone's personal data."""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.cases import case_named, do_case, import_batch
from tests.e2e.people import Person, Site

People = Callable[..., Person]
WITH_PHONE = ("X5105002026031077,2026-03-09,王五（电话 13812345678）举报工地夜间施工噪声扰民,江阳区茜草街道,"
              "某道路施工项目,噪声,江阳区,2026-03-31")
NUMBER = WITH_PHONE.split(",")[0]


def test_a_case_is_handled_on_a_phone_and_its_complainant_finds_the_result(site: Site, person: People) -> None:
    world = site.world
    batch_id = import_batch(world, WITH_PHONE)
    staff = person("staff", phone=True)
    staff.inbox_row("签收信访件", NUMBER).get_by_role("link", name="办理").click()
    staff.expect_heading("签收信访件")
    staff.page.get_by_label("签收", exact=True).check()
    staff.page.get_by_role("button", name="提交").click()
    staff.expect_flash("已完成「签收信访件」")
    staff.inbox_row("调查处理并报告", NUMBER).get_by_role("link", name="办理").click()
    page = staff.page
    page.get_by_label("查实", exact=True).check()
    page.get_by_label("调查核实情况").fill("夜间施工属实，未办理夜间施工许可")
    page.get_by_label("处理和整改情况").fill("责令停止夜间施工，罚款5000元")
    page.get_by_label("罚款金额（元）").fill("5000")
    staff.shot("case-report")
    page.get_by_role("button", name="提交").click()
    staff.expect_flash("已完成「调查处理并报告」")

    do_case(world, "supervisor", NUMBER, "case_review", decision="accept")
    world.duban.cases.publish_batch(world["publicity"], batch_id)
    code = case_named(world, NUMBER).lookup_code

    visitor = person("visitor", phone=True, login=False)
    public = visitor.open("/public/cases/", "public-cases")
    public.locator("#public-batches a").first.click()
    expect(public.locator("#public-cases")).to_contain_text("责令停止夜间施工，罚款5000元")
    expect(public.locator("body")).not_to_contain_text("13812345678")
    expect(public.locator("body")).not_to_contain_text(code)
    visitor.shot("public-batch")
    public.get_by_role("link", name="信访件公开").click()
    public.get_by_role("link", name="查询我的信访件").click()
    public.get_by_label("案件编号").fill(NUMBER)
    public.get_by_label("查询码").fill(code.lower())
    question = public.locator("label[for=challenge]").inner_text()
    first, second = (int(n) for n in re.findall(r"\d+", question)[:2])
    public.get_by_label(question).fill(str(first + second))
    world.duban.clock.advance(seconds=5)  # type: ignore[attr-defined]
    public.get_by_role("button", name="查询").click()
    expect(public.locator("#lookup-result")).to_contain_text("查实")
    expect(public.locator("#lookup-result")).to_contain_text("王五（电话 ***）")
    visitor.shot("lookup-result")


def test_a_batch_confirmed_on_the_page_shows_its_progress_until_the_sweep_has_imported_it(site: Site,
                                                                                         person: People) -> None:
    from tests.cases import batch_csv

    coordinator = person("coordinator")
    coordinator.open("/cases/import", "case-import")
    coordinator.page.locator("input[type=file]").set_input_files(
        {"name": "第二批.csv", "mimeType": "text/csv", "buffer": batch_csv()})
    coordinator.page.get_by_role("button", name="预览").click()
    coordinator.expect_heading("导入预览")
    coordinator.page.get_by_role("button", name="确认导入 3 件并转办").click()
    coordinator.expect_heading("信访件后台导入")
    expect(coordinator.page.locator("#job-state")).to_have_text("排队中")
    coordinator.shot("case-import-queued")
    site.world.tick(seconds=1)  # the background sweep takes the job; the page reloads itself
    expect(coordinator.page.locator("#job-state")).to_have_text("已完成", timeout=15_000)
    coordinator.shot("case-import-done")
    coordinator.page.locator("#job-batch").click()
    coordinator.expect_heading("信访件")
    expect(coordinator.page.locator("main")).to_contain_text("X5105002026031001")
