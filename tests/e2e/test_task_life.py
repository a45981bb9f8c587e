"""A task's whole normal life in a real browser, every step by the person whose work it is."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from engine.core.clock import LOCAL_TZ
from engine.demo.sample_files import pdf, png
from engine.features.signoff.forms import STANDARDS
from engine.store.models import SignoffNotice
from tests.e2e.people import Person, Site

if TYPE_CHECKING:
    from playwright.sync_api import Page

People = Callable[..., Person]
CODE = "E2E-1"


def register(coordinator: Person, site: Site) -> int:
    world, page = site.world, coordinator.page
    coordinator.open("/tasks/new", "register")
    page.get_by_label("编号", exact=True).fill(CODE)
    page.get_by_label("类别", exact=True).select_option(str(world.categories[0]))
    page.get_by_label("任务名称", exact=True).fill("城区黑臭水体整治")
    page.get_by_label("督察反馈问题", exact=True).fill("城区仍有黑臭水体。")
    page.get_by_label("整改目标", exact=True).fill("消除黑臭水体。")
    page.get_by_label("整改措施", exact=True).fill("1. 控源截污\n2. 清淤疏浚")
    page.get_by_label("牵头单位", exact=True).select_option(str(world.units["jiangyang"]))
    coordinator.pick("cooperating_unit_ids", "市水务局")
    page.get_by_label("牵头市领导", exact=True).select_option(str(world["leader"].user_id))
    page.get_by_label("限期完成", exact=True).check()
    page.get_by_label("整改时限", exact=True).fill("2026-12-31")
    coordinator.shot("register-filled")
    page.get_by_role("button", name="登记").click()
    coordinator.expect_flash("整改任务已登记，等待交办")
    coordinator.shot("task-registered")
    match = re.search(r"/tasks/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def assign(page: Page) -> None:
    page.get_by_label("实施方案报送期限").fill("2026-04-01")
    page.get_by_label("交办意见").fill("按期报送")


def draft_plan(page: Page) -> None:
    page.get_by_label("整改实施方案", exact=True).fill("控源截污、清淤疏浚、生态补水")
    page.get_by_label("时间节点").fill("4月完成排查，10月完成截污")
    page.get_by_label("联系人及电话").fill("李四 0830-1234567")


def choose(option: str) -> Callable[[Page], None]:
    return lambda page: page.get_by_label(option, exact=True).check()


def report_progress(page: Page) -> None:
    page.get_by_label("本月工作进展").fill("完成截污管网 3 公里")
    page.get_by_label("总体完成进度（%）").fill("30")


def verify(page: Page) -> None:
    for label in STANDARDS.values():
        page.get_by_label(label, exact=True).check()
    notes = page.get_by_label("核验说明")
    for index in range(notes.count()):
        notes.nth(index).fill("经核查已达到")
    page.get_by_label("现场核查日期").fill("2026-03-31")
    page.get_by_label("现场核查人员").fill("督办组张三、李四")
    page.get_by_label("现场核查情况").fill("现场核查，排污口已全部封堵")


def apply_for_signoff(staff: Person, task_id: int) -> None:
    page = staff.open(f"/tasks/{task_id}", "task-reporting")
    page.get_by_role("link", name="申请销号").click()
    staff.expect_heading("申请销号")
    page.get_by_label("整改完成情况").fill("已全部整改完成")
    page.get_by_label("佐证材料", exact=True).set_input_files([
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": png()},
        {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": pdf()}])
    page.get_by_label("佐证材料说明").fill("整改前后照片和验收报告")
    staff.shot("signoff-apply-form")
    staff.submit()
    staff.shot("signoff-apply-done")
    staff.expect_flash(f"已完成「申请销号」：{CODE}")


def after_notice(site: Site, task_id: int) -> None:
    """Let the 公示 period run out (holidays may make it longer than a week)."""
    world = site.world
    with world.duban.db.transaction(write=False) as session:
        end = session.scalar(select(func.max(SignoffNotice.end_date)).where(SignoffNotice.task_id == task_id))
    assert end is not None
    world.go_to(max(world.duban.clock.now() + timedelta(days=10),
                    datetime.combine(end + timedelta(days=1), time(0, 30), LOCAL_TZ)))


def plan_filed(site: Site, person: People) -> tuple[int, dict[str, Person]]:
    people = {name: person(name) for name in ("coordinator", "staff", "head", "supervisor")}
    task_id = register(people["coordinator"], site)
    people["coordinator"].do_step("交办整改任务", CODE, assign, "assign")
    people["staff"].do_step("编制整改实施方案", CODE, draft_plan, "plan-draft")
    people["head"].do_step("签发实施方案", CODE, choose("同意签发，报送"), "plan-sign")
    people["supervisor"].do_step("审核备案实施方案", CODE, choose("予以备案"), "plan-review")
    people["staff"].open(f"/tasks/{task_id}", "task-filed")
    people["staff"].expect_status("推进中")
    return task_id, people


def test_a_task_lives_from_registration_to_sign_off(site: Site, person: People) -> None:
    task_id, people = plan_filed(site, person)
    site.world.next_month()  # March's report is now due; a month of idleness ended every session
    for someone in people.values():
        someone.login()
    staff, head, supervisor = people["staff"], people["head"], people["supervisor"]
    staff.do_step("填报月度进展", CODE, report_progress, "report")
    head.do_step("签发月度进展", CODE, choose("同意签发，报送"), "report-sign")
    supervisor.do_step("审核月度进展", CODE, choose("审核通过"), "report-review")

    apply_for_signoff(staff, task_id)
    head.do_step("签发销号申请", CODE, choose("同意签发，报送"), "signoff-sign")
    supervisor.do_step("核验整改成效", CODE, verify, "signoff-verify")
    person("publicity").do_step("发布销号公示", CODE, lambda page: None, "signoff-notice")
    anyone = person("public", login=False)
    anyone.open("/public/notices", "public-notices")
    assert anyone.page.get_by_text("城区黑臭水体整治").count() > 0
    after_notice(site, task_id)
    person("leader").do_step("审批销号", CODE, choose("同意销号"), "signoff-approve")

    coordinator = people["coordinator"]
    coordinator.login()
    coordinator.open(f"/tasks/{task_id}", "task-signed-off")
    coordinator.expect_status("已销号")
    for text in ("登记整改任务 E2E-1", "予以备案", "2026-03 月度进展审核通过", "上传附件「验收报告.pdf」",
                 "整改成效核验通过", "发布销号公示", "牵头市领导审批销号通过"):
        assert coordinator.page.get_by_text(text).count() > 0, text
    coordinator.open("/ledger", "ledger")
    coordinator.open("/public/", "public")
