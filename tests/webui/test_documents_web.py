"""公文 and attachments through the web client and the command line: the task page's buttons, the printable page,
the .docx, a file sent with a form and its preview."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from docx import Document

from tests.factories import REPORT, World, walk_to_reporting
from tests.webui.conftest import Browser
from tests.webui.test_cli import run
from tests.webui.test_lifecycle_web import photo

Login = Callable[[str], Browser]


def test_the_office_issues_a_document_from_the_task_page_and_prints_it(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    coordinator = login_as("coordinator")
    page = coordinator.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "印发交办函" in page and "印发督办单" in page and "印发销号审批表" not in page
    response = coordinator.post_with_token_from(f"/tasks/{task_id}", f"/tasks/{task_id}/documents/assignment", {})
    html = response.get_data(as_text=True)
    assert "已印发交办函 泸整改办函〔2026〕1号" in html
    assert "关于交办生态环境保护督察整改任务的函" in html and "请你单位按要求制定整改实施方案" in html
    assert 'data-print' in html and "js/print.js" in html
    document_id = int(re.search(r'href="/documents/(\d+)\.docx"', html).group(1))  # type: ignore[union-attr]
    staff = login_as("staff")  # the unit reads what was sent to it, and downloads it
    download = staff.get(f"/documents/{document_id}.docx")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    text = "\n".join(p.text for p in Document(io.BytesIO(download.data)).paragraphs)
    assert "泸整改办函〔2026〕1号" in text
    assert "/documents/assignment" not in staff.get(f"/tasks/{task_id}").get_data(as_text=True)  # no buttons
    assert login_as("other_staff").get(f"/documents/{document_id}").status_code == 404


def test_a_document_that_does_not_apply_is_refused_with_a_message(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    coordinator = login_as("coordinator")
    response = coordinator.post_with_token_from(f"/tasks/{task_id}", f"/tasks/{task_id}/documents/assignment", {})
    assert "交办函不适用于该任务的当前状态" in response.get_data(as_text=True)


def test_files_sent_with_a_monthly_report_show_in_the_gallery_with_previews(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    staff = login_as("staff")
    work_id = next(w.id for w in world.work_for("staff", task_id) if w.form == "report_submit")
    response = staff.submit(f"/work/{work_id}", {"progress": "完成排污口封堵", "percent_complete": "60",
                                                 "attachments": [photo(), (io.BytesIO(REPORT.data), "验收报告.pdf")]})
    assert response.status_code == 200 and "已完成" in response.get_data(as_text=True)
    page = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    gallery = page.split('class="card-body gallery"')[1]
    previews = re.findall(r'src="(/attachments/\d+/preview)"', page)
    assert len(previews) == 2 and "现场照片.png" in gallery
    preview = staff.get(previews[0])
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    assert login_as("other_staff").get(previews[0]).status_code == 404


def test_the_document_command_writes_the_docx_with_its_number(world: World, tmp_path: Path) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    url, target = world.duban.db.url, tmp_path / "督办单.docx"
    code, output = run(["document", "supervision", "--task", "1-1", "-o", str(target)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "issued 泸整改办督〔2026〕1号" in output, output
    cells = [c.text for t in Document(io.BytesIO(target.read_bytes())).tables for r in t.rows for c in r.cells]
    assert "督办要求" in cells and "1-1" in cells
    code, output = run(["document", "signoff_approval", "--task", "1-1"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "销号审批表不适用于该任务的当前状态" in output
    code, output = run(["document", "supervision", "--task", "1-1", "--user", "staff"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "document.issue" in output
