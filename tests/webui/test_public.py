"""The public pages (no login) and the sign-off procedure as people meet it in the browser."""
from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.core.statuses import ObjectionStatus
from engine.store.models import AuditEvent
from tests.engine.test_dashboard_and_bulletin import bulletin_text
from tests.factories import PHOTO, World, apply_for_signoff, checklist, report_month, walk_to_reporting
from tests.webui.conftest import CSRF_FIELD, Browser
from tests.webui.test_lifecycle_web import inbox_links

Login = Callable[[str], Browser]
CHALLENGE = re.compile(r"(\d+) 加 (\d+) 等于几")
SECRET = "内部意见不得公开XYZ"


def published_task(world: World) -> tuple[int, int]:
    """A task in 公示, with internal comments that must never reach the public pages."""
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    world.do("staff", task_id, "report_submit", progress=f"内部进展 {SECRET}", percent_complete=60)
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", decision="accept", comment=SECRET)
    apply_for_signoff(world, task_id)
    world.do("supervisor", task_id, "signoff_verify", **{**checklist(), "site_findings": SECRET,
                                                         "site_check_date": "2026-04-01"})
    world.do("publicity", task_id, "signoff_notice", text="关于拟销号的公示：请社会各界监督。")
    return task_id, world.duban.public.open_notices()[0].id


def object_to(visitor: Browser, world: World, url: str, data: dict[str, str], follow: bool = True) -> TestResponse:
    """Fill the objection form as a person does: read the sum, take a few seconds, answer it."""
    page = visitor.client.get(url).get_data(as_text=True)
    token, sum_asked = CSRF_FIELD.search(page), CHALLENGE.search(page)
    assert token and sum_asked, url
    world.duban.clock.advance(seconds=5)  # type: ignore[attr-defined]
    answer = str(int(sum_asked.group(1)) + int(sum_asked.group(2)))
    return visitor.client.post(url, data={"csrf_token": token.group(1), "challenge_answer": answer, **data},
                               follow_redirects=follow)


def test_public_pages_need_no_login_and_never_show_internal_fields(app: Flask, world: World,
                                                                    login_as: Login) -> None:
    task_id, notice_id = published_task(world)
    public = Browser(app.test_client())
    pages = [public.get(url) for url in ("/public/", f"/public/tasks/{task_id}", "/public/notices",
                                         f"/public/notices/{notice_id}")]
    assert all(page.status_code == 200 for page in pages)
    html = "".join(page.get_data(as_text=True) for page in pages)
    assert "关于拟销号的公示" in html and "提出异议" in html
    for internal in (SECRET, "现场照片.png", "验收报告.pdf", "supervisor", "李四", "督办组张三", "/attachments/",
                     "/work/", "退出"):
        assert internal not in html, internal
    assert "暂无公开的进展情况" in pages[1].get_data(as_text=True)

    publicity = login_as("publicity")
    page = publicity.get("/publicity/progress").get_data(as_text=True)
    assert "2026-03" in page
    token = CSRF_FIELD.search(page)
    assert token
    report_id = int(page.split('name="report_id" value="')[1].split('"')[0])
    publicity.client.post("/publicity/progress", data={"csrf_token": token.group(1), "report_id": report_id,
                                                       "text": "截污纳管工程完成六成。"})
    shown = public.get(f"/public/tasks/{task_id}").get_data(as_text=True)
    assert "截污纳管工程完成六成。" in shown and SECRET not in shown


def test_anyone_can_object_during_the_notice_and_abuse_is_refused(app: Flask, world: World) -> None:
    task_id, notice_id = published_task(world)
    url = f"/public/notices/{notice_id}"
    visitor = Browser(app.test_client())
    short = object_to(visitor, world, url, {"content": "不行"})
    assert "字段长度必须介于" in short.get_data(as_text=True) or "个字" in short.get_data(as_text=True)
    done = object_to(visitor, world, url, {"content": "排污口夜间仍在排水，整改不到位。", "contact": "13900000000"})
    assert "您的异议已经收到" in done.get_data(as_text=True)
    for _ in range(world.duban.settings.objections_per_hour - 1):
        object_to(visitor, world, url, {"content": "重复提交的异议，整改不到位。"})
    refused = object_to(visitor, world, url, {"content": "再提交一次的异议，整改不到位。"}, follow=False)
    assert refused.status_code == 429
    assert "请一小时后再试" in refused.get_data(as_text=True)
    world.tick(days=10)
    closed = visitor.get(url).get_data(as_text=True)
    assert "不再受理异议" in closed and "提交异议" not in closed
    page = world.duban.work.task_page(world["supervisor"], task_id)
    assert len(page.objections) == world.duban.settings.objections_per_hour
    assert all(o.status is ObjectionStatus.PENDING for o in page.objections)
    assert "13900000000" not in visitor.get(f"/public/tasks/{task_id}").get_data(as_text=True)


def test_evidence_is_a_download_for_who_may_see_the_task(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    page = login_as("supervisor").get(f"/tasks/{task_id}").get_data(as_text=True)
    link = page.split('href="/attachments/')[1].split('"')[0]
    response = login_as("supervisor").get(f"/attachments/{link}")
    assert response.status_code == 200 and response.data == PHOTO.data
    assert response.headers["Content-Disposition"].startswith("inline")  # a photo opens in the gallery
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert login_as("other_staff").get(f"/attachments/{link}").status_code == 404
    assert Browser(login_as("staff").client).get(f"/attachments/{link}").status_code == 200


def test_a_refused_upload_says_why_in_the_form(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    staff = login_as("staff")
    work_id = next(w.id for w in world.work_for("staff", task_id) if w.form == "signoff_apply")
    response = staff.submit(f"/work/{work_id}", {"summary": "完成", "evidence": [
        (io.BytesIO(b"MZ\x90\x00" + b"\0" * 300), "验收报告.pdf"), (io.BytesIO(b""), "空.jpg")]})
    html = response.get_data(as_text=True)
    assert "验收报告.pdf：不接受此类文件（实际内容为 exe）" in html and "空.jpg：文件是空的" in html
    assert [w.form for w in world.work_for("staff", task_id)] == ["signoff_apply"]


def test_the_verification_checklist_and_the_objection_answers_in_the_browser(login_as: Login, world: World) -> None:
    from tests.webui.test_lifecycle_web import do_step, web_checklist

    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    apply_for_signoff(world, task_id)
    supervisor = login_as("supervisor")
    form = supervisor.get(f"/work/{inbox_links(supervisor)['核验整改成效']}").get_data(as_text=True)
    assert "举一反三" in form and "现场核查记录" in form
    do_step(supervisor, "核验整改成效", web_checklist())
    do_step(login_as("publicity"), "发布销号公示", {"text": "拟销号公示"})
    notice_id = world.duban.public.open_notices()[0].id
    world.duban.public.file_objection(notice_id, {"content": "整改后问题又出现了，请核查。"}, "192.0.2.10")
    world.tick(days=10)
    supervisor = login_as("supervisor")
    work_id = inbox_links(supervisor)["答复公示异议"]
    page = supervisor.get(f"/work/{work_id}").get_data(as_text=True)
    assert "整改后问题又出现了" in page
    objection_id = world.duban.work.task_page(world["supervisor"], task_id).objections[0].id
    do_step(supervisor, "答复公示异议", {f"decision_{objection_id}": "dismissed",
                                      f"answer_{objection_id}": "经复核，系上游企业排放，已另行处理"})
    assert "审批销号" in inbox_links(login_as("leader"))


def test_the_audit_chain_s_head_is_published_once_a_day(client: Browser, world: World) -> None:
    with world.duban.db.transaction(write=False) as session:
        seq, digest = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())).first()
    world.duban.clock.advance(days=1)  # type: ignore[attr-defined]
    world.register("9-9")  # today's events are published tomorrow
    page = client.get("/public/audit-head")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "2026年3月10日" in text
    assert f"<dd class=\"col-sm-9\">{seq}</dd>" in text and digest in text
    assert world.duban.audit.verify(world["admin"], {seq: digest}).ok  # an outsider's note still matches
    assert "/public/audit-head" in client.get("/public/").get_data(as_text=True)
    bulletin, _ = bulletin_text(world.duban.reporting.bulletin(world["coordinator"], "2026-03"))
    assert f"审计记录链头（截至2026年3月10日24时）：共 {seq} 条记录，SHA-256 {digest}" in bulletin
