"""The coordinator brings in the office's own ledger in a real browser: upload, the columns, the preview, confirm."""
from __future__ import annotations

from collections.abc import Callable

from tests.e2e.people import PHONE_WIDTH, Person, Site
from tests.ledgers import CITY_LEDGER, HEADER, ledger_xlsx

People = Callable[..., Person]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_office_ledger_is_uploaded_mapped_previewed_and_confirmed(site: Site, person: People) -> None:
    header = tuple("牵头处室" if name == "责任单位" else name for name in HEADER)
    content = ledger_xlsx([row for row in CITY_LEDGER if "常务副市长" not in row], header)
    coordinator = person("coordinator")
    coordinator.open("/ledger/import", "ledger-upload")
    coordinator.page.get_by_label("台账文件（.xlsx、.xls 或 .csv）").set_input_files(
        {"name": "市整改任务清单.xlsx", "mimeType": XLSX, "buffer": content})
    coordinator.page.get_by_role("button", name="上传并预览").click()
    coordinator.expect_heading("台账的列")
    coordinator.shot("ledger-columns")
    assert coordinator.page.get_by_text("还没有找到这些列：责任单位").count() == 1
    coordinator.page.get_by_label("牵头处室").select_option("units")
    coordinator.page.get_by_label("保存为列对应方案（可选）").fill("市整改办清单")
    coordinator.page.get_by_role("button", name="按此对应预览").click()
    coordinator.expect_heading("导入预览")
    coordinator.shot("ledger-preview")
    preview = coordinator.page.locator("#import-preview")
    assert preview.get_by_text("「2019年6月」读作 2019-06-30").count() == 1
    assert preview.get_by_text("类别行「三、土壤污染防治方面」→ 3. 土壤污染防治方面").count() == 1
    assert preview.get_by_text("跳过（注释行）", exact=False).count() == 1
    coordinator.page.get_by_role("button", name="确认导入 4 项新任务").click()
    coordinator.expect_heading("导入整改任务台账")
    coordinator.shot("ledger-imported")
    assert coordinator.page.get_by_text("已导入：新登记 4 项任务", exact=False).count() == 1
    coordinator.page.get_by_role("link", name="1-2").click()
    coordinator.expect_heading("1-2")
    coordinator.shot("imported-task")
    assert coordinator.page.get_by_text("台账原文：2018年6月底前完成并长期坚持", exact=False).count() == 1


def test_the_preview_fits_a_phone(site: Site, person: People) -> None:
    coordinator = person("coordinator", phone=True)
    coordinator.open("/ledger/import", "ledger-upload-phone")
    coordinator.page.get_by_label("台账文件（.xlsx、.xls 或 .csv）").set_input_files(
        {"name": "清单.xlsx", "mimeType": XLSX, "buffer": ledger_xlsx([*CITY_LEDGER[4:6], CITY_LEDGER[-2]])})
    coordinator.page.get_by_role("button", name="上传并预览").click()
    coordinator.expect_heading("导入预览")
    coordinator.shot("ledger-preview-phone")
    assert coordinator.page.locator("#import-preview").get_by_text("1-1").count() == 1
    width = coordinator.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH
