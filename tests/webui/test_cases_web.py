"""信访件 through the web: a batch uploaded, previewed and confirmed; a case signed, reported with a photo and
reviewed from the inbox; the register filtered; a unit kept to its own cases; a bad file listed row by row."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from tests.cases import ROWS, batch_csv, case_named, import_batch
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_cli import run

Login = Callable[[str], Browser]
FIRST, SECOND = ROWS[0].split(",")[0], ROWS[1].split(",")[0]


def html(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def case_link(browser: Browser, number: str) -> str:
    """The inbox's 办理 link of the case's open step."""
    page = html(browser, "/inbox")
    row = next(row for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S) if number in row)
    found = re.search(r'href="(/cases/work/\d+)"', row)
    assert found, row
    return found.group(1)


def upload(browser: Browser, content: bytes) -> str:
    page = html(browser, "/cases/import")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    response = browser.client.post("/cases/import", data={"csrf_token": token.group(1),
                                                          "file": (io.BytesIO(content), "第一批.csv")},
                                   content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def confirm_upload(browser: Browser, content: bytes) -> str:
    """Upload, preview and confirm a batch: the page the confirmation leads to (its background job's)."""
    preview = upload(browser, content)
    confirm = re.search(r'action="(/cases/import/[0-9a-f]{64}/confirm[^"]*)"', preview)
    assert confirm, preview
    done = browser.post_with_token_from("/cases/import", confirm.group(1).replace("&amp;", "&"), {})
    return done.get_data(as_text=True)


def test_a_batch_is_uploaded_previewed_and_confirmed_then_imported_in_the_background(login_as: Login,
                                                                                   world: World) -> None:
    coordinator = login_as("coordinator")
    preview = upload(coordinator, batch_csv())
    assert "第1批导入，共 3 件" in preview and FIRST in preview and "纳溪区" in preview
    page = confirm_upload(coordinator, batch_csv())
    assert "已提交后台导入" in page and "排队中" in page and 'http-equiv="refresh"' in page
    job_url = re.search(r'<a href="(/cases/import/jobs/\d+)">', html(coordinator, "/cases/import"))
    assert job_url and world.duban.cases.batches(world["coordinator"]) == []
    assert coordinator.get(job_url.group(1) + ".json").get_json() == {
        "id": int(job_url.group(1).rsplit("/", 1)[1]), "state": "queued", "total": 3, "done": 0, "error": "",
        "batch_id": None, "batch_number": None, "finished": False}
    world.tick(seconds=1)  # the sweep runs the job
    page = html(coordinator, job_url.group(1))
    assert "已完成" in page and "已导入第1批信访件 3 件" in page and 'http-equiv="refresh"' not in page
    batch = re.search(r'href="(/cases\?batch=\d+)" id="job-batch"', page)
    assert batch
    register = html(coordinator, batch.group(1))
    assert FIRST in register and SECOND in register
    assert coordinator.get(job_url.group(1) + ".json").get_json()["state"] == "done"
    assert "第1批" in html(coordinator, "/cases/batches")
    staff = login_as("staff")
    html(staff, job_url.group(1), status=403)
    html(staff, job_url.group(1) + ".json", status=403)


def test_a_batch_that_fails_in_the_background_says_why_and_registers_nothing(login_as: Login,
                                                                             world: World) -> None:
    coordinator = login_as("coordinator")
    page = confirm_upload(coordinator, batch_csv())
    import_batch(world, ROWS[1])  # one of its cases arrives by the command line meanwhile
    world.tick(seconds=1)
    job_url = re.search(r'<a href="(/cases/import/jobs/\d+)">', html(coordinator, "/cases/import"))
    assert job_url and "排队中" in page
    page = html(coordinator, job_url.group(1))
    assert "导入失败" in page and "未导入任何信访件" in page and f"信访件 {SECOND} 已经导入过" in page
    assert [line.cases for line in world.duban.cases.batches(world["coordinator"])] == [1]


def test_a_bad_file_lists_every_problem_and_imports_nothing(login_as: Login, world: World) -> None:
    page = upload(login_as("coordinator"), batch_csv("Z1,2026-03-01,内容,地点,对象,光污染,不存在局,2026-03-31"))
    assert "不能导入" in page and "不认识的污染类型" in page and "没有单位「不存在局」" in page
    assert "确认导入" not in page
    assert world.duban.cases.batches(world["coordinator"]) == []


def test_a_case_from_the_inbox_to_acceptance(login_as: Login, world: World) -> None:
    import_batch(world)
    staff, supervisor = login_as("staff"), login_as("supervisor")
    response = staff.submit(case_link(staff, FIRST), {"decision": "receive", "reason": ""})
    assert "已完成「签收信访件」" in response.get_data(as_text=True)
    form = html(staff, case_link(staff, FIRST))
    assert 'enctype="multipart/form-data"' in form and "罚款金额（元）" in form
    report = staff.submit(case_link(staff, FIRST), {
        "finding": "confirmed", "found": "夜间施工属实", "measures": "责令停工整改", "orders": "1",
        "fines_yuan": "5000", "closures": "", "accountability": "", "persons_held": ""})
    assert "已完成「调查处理并报告」" in report.get_data(as_text=True)
    accepted = supervisor.submit(case_link(supervisor, FIRST), {"decision": "accept", "comment": ""})
    assert accepted.status_code == 200
    case_page = html(supervisor, f"/cases/{case_named(world, FIRST).id}")
    assert "待公开" in case_page and "责令整改 1 家，罚款 5000 元" in case_page and "签收信访件" in case_page


def test_the_register_filters_and_a_unit_sees_only_its_cases(login_as: Login, world: World) -> None:
    import_batch(world)
    leader, staff = login_as("leader"), login_as("staff")
    everything = html(leader, "/cases")
    assert FIRST in everything and SECOND in everything
    air = html(leader, "/cases?category=air&colour=green&batch=x&unit=99999999999")
    assert SECOND in air and FIRST not in air
    own = html(staff, "/cases")
    assert FIRST in own and SECOND not in own
    html(staff, f"/cases/{case_named(world, SECOND).id}", status=404)
    html(staff, "/cases/import", status=403)
    html(login_as("admin"), "/cases", status=403)


def test_the_command_line_checks_then_imports_a_batch(world: World, tmp_path: Path) -> None:
    batch = tmp_path / "第一批.csv"
    batch.write_bytes(batch_csv())
    url = world.duban.db.url
    code, output = run(["import-cases", str(batch), "--check"], tmp_path, DATABASE_URL=url)
    assert code == 0 and "第1批：3 件，问题 0 处" in output and "would import 3 case(s)" in output
    assert world.duban.cases.batches(world["coordinator"]) == []
    code, output = run(["import-cases", str(batch), "--round", "没有这一轮"], tmp_path, DATABASE_URL=url)
    assert code == 1 and "没有这个督察批次" in output
    code, output = run(["import-cases", str(batch)], tmp_path, DATABASE_URL=url)
    assert code == 0 and "imported batch 1: 3 case(s)" in output, output
    code, output = run(["import-cases", str(batch)], tmp_path, DATABASE_URL=url)
    assert code == 1 and "这件信访件已经导入过" in output


def test_the_public_pages_show_published_results_and_the_lookup_asks_for_a_sum(login_as: Login, client: Browser,
                                                                                 world: World) -> None:
    batch_id = import_batch(world)
    staff, supervisor, publicity = login_as("staff"), login_as("supervisor"), login_as("publicity")
    staff.submit(case_link(staff, FIRST), {"decision": "receive"})
    staff.submit(case_link(staff, FIRST), {"finding": "unfounded", "found": "现场未发现夜间施工"})
    supervisor.submit(case_link(supervisor, FIRST), {"decision": "accept"})
    done = publicity.post_with_token_from("/cases/batches", f"/cases/batches/{batch_id}/publish", {})
    assert "已公开 1 件信访件的办理结果" in done.get_data(as_text=True)
    index = html(client, "/public/cases/")
    public_batch = re.search(r'href="(/public/cases/batches/\d+)"', index)
    assert public_batch
    page = html(client, public_batch.group(1))
    assert FIRST in page and "不属实" in page and SECOND not in page and "某建筑工地" not in page
    case = case_named(world, FIRST)
    assert case.lookup_code not in page
    wrong = client.submit("/public/cases/lookup", {"number": FIRST, "code": case.lookup_code,
                                                   "challenge_answer": "x"}).get_data(as_text=True)
    assert "验证题答案不对" in wrong and "lookup-result" not in wrong
    assert case.lookup_code in html(login_as("coordinator"), f"/cases/{case.id}")
    assert case.lookup_code not in html(staff, f"/cases/{case.id}")


def test_a_complainant_finds_their_case_on_the_public_site(client: Browser, world: World) -> None:
    import_batch(world)
    case = case_named(world, FIRST)
    page = html(client, "/public/cases/lookup")
    first, second = (int(n) for n in re.search(r"(\d+) 加 (\d+) 等于几", page).groups())  # type: ignore[union-attr]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    world.duban.clock.advance(seconds=5)  # type: ignore[attr-defined]
    found = client.client.post("/public/cases/lookup", data={
        "csrf_token": token.group(1), "number": FIRST, "code": case.lookup_code,
        "challenge_answer": str(first + second)}).get_data(as_text=True)
    assert "lookup-result" in found and "正在办理" in found and "江阳区大山坪街道" in found


def test_a_callback_and_a_task_from_the_case_page(login_as: Login, world: World) -> None:
    task_id = world.register()
    batch_id = import_batch(world, ROWS[0])
    from tests.engine.test_cases_public import accept
    accept(world, FIRST)
    case = case_named(world, FIRST)
    coordinator = login_as("coordinator")
    refused = coordinator.post_with_token_from(f"/cases/{case.id}", f"/cases/{case.id}/task",
                                               {"task_code": "9-9", "reason": "长期"})
    assert "台账中没有这个编号的整改任务" in refused.get_data(as_text=True)
    linked = coordinator.post_with_token_from(f"/cases/{case.id}", f"/cases/{case.id}/task",
                                              {"task_code": "1-1", "reason": "工地搬迁需半年"})
    assert "信访件已转为整改任务" in linked.get_data(as_text=True)
    assert FIRST in html(coordinator, f"/tasks/{task_id}")
    world.duban.cases.publish_batch(world["publicity"], batch_id)
    assert case_named(world, FIRST).callback is None  # still rectifying: not closed, not called back
    html(login_as("staff"), f"/cases/{case.id}/callback", status=405)


def test_a_complainant_not_satisfied_on_the_phone_reopens_the_case(login_as: Login, world: World) -> None:
    from tests.engine.test_cases_public import accept
    batch_id = import_batch(world, ROWS[0])
    accept(world, FIRST)
    world.duban.cases.publish_batch(world["publicity"], batch_id)
    case = case_named(world, FIRST)
    coordinator = login_as("coordinator")
    assert FIRST in html(coordinator, "/cases?callback=pending")
    assert 'id="callback-form"' in html(coordinator, f"/cases/{case.id}")
    done = coordinator.post_with_token_from(f"/cases/{case.id}", f"/cases/{case.id}/callback",
                                            {"result": "unsatisfied", "note": "举报人称仍有夜间施工"})
    page = done.get_data(as_text=True)
    assert "已记录回访结果" in page and "不满意" in page and "待签收" in page
    staff = login_as("staff")
    assert case_link(staff, FIRST).startswith("/cases/work/")


def test_a_case_s_evidence_is_downloaded_by_whoever_sees_the_case(login_as: Login, world: World) -> None:
    from engine.core.uploads import Upload
    from tests.cases import do_case
    import_batch(world, ROWS[0])
    do_case(world, "staff", FIRST, "case_sign", decision="receive")
    do_case(world, "staff", FIRST, "case_report", (Upload("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),),
            finding="unfounded", found="现场未发现夜间施工")
    page = html(login_as("leader"), f"/cases/{case_named(world, FIRST).id}")
    link = re.search(r'href="(/attachments/\d+)">现场照片.png', page)
    assert link
    assert login_as("leader").get(link.group(1)).status_code == 200
    assert login_as("staff").get(link.group(1)).status_code == 200
    assert login_as("other_staff").get(link.group(1)).status_code == 404
