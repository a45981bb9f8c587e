"""In a real browser: photos sent with a monthly report shown as previews, and an official document issued from
the task page and laid out for printing, on a desktop and on a phone."""
from __future__ import annotations

from collections.abc import Callable

from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.factories import PHOTO, REPORT, walk_to_reporting

People = Callable[..., Person]
CODE = "E2E-D"


def test_report_photos_are_previewed_and_a_document_prints(site: Site, person: People) -> None:
    task_id = site.world.register(code=CODE, deadline="2027-12-31")
    walk_to_reporting(site.world, task_id)
    site.world.next_month()
    staff = person("staff")

    def fill(page: object) -> None:
        staff.page.get_by_label("本月工作进展").fill("排污口已封堵，截污管网完成 60%")
        staff.page.get_by_label("总体完成进度（%）").fill("60")
        staff.page.get_by_label("现场照片及附件").set_input_files([
            {"name": "现场照片.png", "mimeType": "image/png", "buffer": PHOTO.data},
            {"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": REPORT.data}])

    staff.do_step("填报月度进展", CODE, fill, "report-with-photos")
    coordinator = person("coordinator")
    page = coordinator.open(f"/tasks/{task_id}", "task-with-attachments")
    previews = page.locator("#attachments img")
    assert previews.count() == 2
    previews.first.scroll_into_view_if_needed()  # below the current step, facts and history: loaded when seen
    page.wait_for_function("() => [...document.querySelectorAll('#attachments img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    with page.expect_navigation():
        page.get_by_role("button", name="印发督办单").click()
    coordinator.expect_flash("已印发督办单 泸整改办督〔2026〕1号")
    coordinator.expect_heading("生态环境保护督察整改督办单")
    coordinator.shot("document")
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden() and page.get_by_role("button", name="打印").is_hidden()
    coordinator.shot("document-print")
    phone = person("staff", phone=True)
    phone.open(page.url.removeprefix(site.url), "document-phone")
    phone.expect_heading("生态环境保护督察整改督办单")
    assert phone.page_width() <= PHONE_WIDTH
