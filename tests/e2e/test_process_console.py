"""The administrator's process pages in a real browser: a new version deployed after seeing its diff, running
instances moved onto it, and an instance suspended (its work waits) and resumed from the console."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.e2e.test_everyday_use import assigned, draft_plan
from tests.engine.test_process_migration import changed_rectification, without_plan_signing
from tests.factories import PASSWORD, receive, walk_to_reporting

People = Callable[..., Person]


def administrator(person: People, phone: bool = False) -> Person:
    """The administrator, logged in: their first page is the accounts' (they have no inbox)."""
    admin = person("admin", phone=phone, login=False)
    admin.open("/login", "login")
    admin.page.get_by_label("用户名").fill("admin")
    admin.page.get_by_label("密码").fill(PASSWORD)
    admin.page.get_by_role("button", name="登录").click()
    admin.expect_heading("用户管理")
    return admin


def test_a_suspended_instance_keeps_its_work_waiting_until_resumed(site: Site, person: People) -> None:
    task_id = assigned(site, "E2E-S")
    receive(site.world, task_id)
    admin = administrator(person)
    admin.open("/admin/processes/?q=E2E-S", "find-instance")
    admin.page.locator("#found a").first.click()
    admin.expect_heading("流程实例")
    expect(admin.page.locator("#tokens")).to_contain_text("编制整改实施方案")
    admin.page.get_by_label("原因").first.fill("核实来信反映的情况")
    admin.page.locator("#suspend-form").get_by_role("button", name="暂停").click()
    expect(admin.page.locator("#suspended-badge")).to_be_visible()
    admin.expect_flash("流程实例已暂停")
    admin.shot("suspended")

    staff = person("staff")
    staff.inbox_row("编制整改实施方案", "E2E-S").get_by_role("link", name="办理").click()
    staff.page.get_by_label("整改实施方案", exact=True).fill("方案")
    staff.page.get_by_label("时间节点").fill("4月完成排查")
    staff.page.get_by_label("联系人及电话").fill("李四")
    staff.submit()
    expect(staff.page.locator("main > .alert").filter(has_text="暂停")).to_be_visible()
    staff.shot("refused-while-suspended")

    admin.page.get_by_label("原因").first.fill("已核实")
    admin.page.locator("#suspend-form").get_by_role("button", name="恢复运行").click()
    expect(admin.page.locator("#suspended-badge")).to_have_count(0)
    draft_plan(staff, "E2E-S", "方案")


def test_a_new_version_is_deployed_after_its_diff_and_instances_move(site: Site, person: People, tmp_path) -> None:
    assigned(site, "E2E-V")
    changed = tmp_path / "rectification.bpmn"
    changed.write_bytes(changed_rectification())
    admin = administrator(person)
    admin.open("/admin/processes/", "versions")
    admin.page.get_by_label("BPMN 文件").set_input_files(str(changed))
    admin.page.get_by_role("button", name="检查并查看差异").click()
    expect(admin.page.locator(".diff-removed")).to_contain_text("重新打开（问题复发等）")
    expect(admin.page.locator(".diff-changed")).to_contain_text("原名：编制整改实施方案")
    admin.shot("diff")
    admin.page.get_by_role("button", name="确认部署").click()
    admin.expect_flash("已部署「整改任务办理」第 2 版")
    admin.page.get_by_role("link", name="迁移到此版本…").first.click()  # version 2, listed above version 1
    admin.expect_heading("第 2 版")
    expect(admin.page.locator("#migration-summary")).to_contain_text("可以迁移")
    admin.shot("dry-run")
    admin.page.locator("#run-migration").get_by_role("button").click()
    expect(admin.page.locator("#migration-summary")).to_contain_text("已迁移")
    admin.shot("migrated")

    phone = administrator(person, phone=True)
    phone.open("/admin/processes/", "versions-phone")
    assert phone.page_width() <= PHONE_WIDTH


def test_moving_back_over_an_action_says_what_becomes_of_it_before_it_is_confirmed(site: Site,
                                                                                  person: People) -> None:
    task_id = site.world.register(code="E2E-B")
    walk_to_reporting(site.world, task_id)  # filing the plan started the monthly reports (启动按月交账)
    admin = administrator(person)
    admin.open("/admin/processes/?q=E2E-B", "find-instance")
    admin.page.locator("#found a").first.click()
    admin.expect_heading("流程实例")
    form = admin.page.locator("#move-back-form")
    form.get_by_label("退回到").select_option(label="审核备案实施方案")
    form.locator("textarea[name=reason]").fill("误备案，需重新审核")  # (the suspend form's 原因 comes first)
    form.get_by_role("button", name="退回").click()
    admin.expect_heading("审核备案实施方案")
    expect(admin.page.locator("#move-back-plan")).to_contain_text("启动按月交账")
    expect(admin.page.locator("#move-back-plan")).to_contain_text("再次执行")
    admin.shot("move-back-plan")
    admin.page.get_by_role("button", name="确认退回").click()
    admin.expect_flash("已退回到「审核备案实施方案」")
    expect(admin.page.locator("#tokens")).to_contain_text("审核备案实施方案")


def test_the_migration_page_filters_the_instances_that_cannot_move(site: Site, person: People) -> None:
    for code in ("E2E-M1", "E2E-M2"):
        receive(site.world, assigned(site, code))
    signing = assigned(site, "E2E-M3")
    receive(site.world, signing)
    site.world.do("staff", signing, "plan_draft", content="方案", milestones="无", contact="李四")
    deployed = site.world.duban.versions.deploy(site.world["admin"], "rectification.bpmn", without_plan_signing())
    admin = administrator(person)
    admin.open(f"/admin/processes/rectification/versions/{deployed[0].number}/migration", "migration")
    expect(admin.page.locator("#migration-summary")).to_contain_text("不能迁移")  # (the site has others' instances)
    admin.page.locator("#migration-filter").get_by_role("link", name="不能迁移").click()
    expect(admin.page.locator("#migration-rows tbody tr.movable")).to_have_count(0)
    expect(admin.page.locator("#migration-rows tr", has_text="E2E-M3")).to_contain_text(
        "新版本没有它正停留的环节：签发实施方案")
    expect(admin.page.locator("#migration-rows tr", has_text="E2E-M1")).to_have_count(0)
    admin.shot("migration-refused")
