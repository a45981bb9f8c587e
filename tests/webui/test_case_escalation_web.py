"""A complaint case's escalation through the web: each step from the inbox on the escalation's own work page, the
register and the case's page naming the case, a unit kept to its own, the public exposure with public fields only."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from tests.cases import case_named
from tests.engine.test_case_escalation import FIRST, do_escalation, overdue_case
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_api import bearer, token_of

Login = Callable[[str], Browser]
CODE = f"第1批-{FIRST}"


def html(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def escalation_link(browser: Browser, code: str, step: str) -> str:
    """The inbox's 办理 link of the case escalation's open step."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html(browser, "/inbox"), flags=re.S)
    row = next(row for row in rows if code in row and step in row)
    found = re.search(r'href="(/escalations/work/\d+)"', row)
    assert found, row
    return found.group(1)


def do(browser: Browser, code: str, step: str, data: dict[str, object]) -> str:
    response = browser.submit(escalation_link(browser, code, step), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已完成" in page, page[:2000]
    return page


def test_a_case_escalation_is_proposed_approved_and_its_notice_issued_from_the_pages(
        login_as: Login, world: World) -> None:
    escalation = overdue_case(world)
    supervisor, leader, coordinator = (login_as(u) for u in ("supervisor", "leader", "coordinator"))
    form = html(supervisor, escalation_link(supervisor, CODE, "提出问责建议"))
    assert CODE in form and "信访件逾期未办结" in form and "该单位此前未因本信访件被问责" in form
    do(supervisor, CODE, "提出问责建议", {"decision": "propose", "level": "1", "reasons": "逾期未报告办理结果",
                                      "evidence": "报告时限已过三个工作日"})
    assert CODE in html(leader, "/dashboard")  # the leader's desk: what waits for their approval
    do(leader, CODE, "审批问责建议", {"decision": "approve"})
    form = html(coordinator, escalation_link(coordinator, CODE, "签发通报"))
    assert f"关于江阳区信访件 {CODE} 办理不力的通报" in form
    do(coordinator, CODE, "签发通报", {"number": "泸整改办〔2026〕9号", "title": f"关于信访件 {CODE} 的通报",
                                   "text": "现予以通报。"})
    head = login_as("head")
    do(head, CODE, "作出整改承诺", {"commitment": "三日内查处到位", "complete_by": "2026-04-10"})

    register = html(supervisor, "/escalations")
    case_id = case_named(world, FIRST).id
    assert f'href="/cases/{case_id}">{CODE}</a>' in register
    case_page = html(head, f"/cases/{case_id}")
    assert 'id="case-escalations"' in case_page and f"/escalations/{escalation.id}" in case_page
    assert f"签发通报《关于信访件 {CODE} 的通报》" in html(head, f"/escalations/{escalation.id}")
    other = login_as("other_head")  # 纳溪区: not its case, not its escalation
    html(other, f"/escalations/{escalation.id}", status=404)
    own = html(other, "/escalations")
    assert CODE not in own and "第1批-X5105002026031002" in own


def test_a_case_exposure_on_the_public_page_shows_the_case_and_not_the_complainant(
        world: World, client: Browser) -> None:
    escalation = overdue_case(world)
    do_escalation(world, "supervisor", escalation.id, "escalation_propose", decision="propose", level=3,
                  reasons="逾期多日", evidence="报告时限已过三个工作日")
    do_escalation(world, "leader", escalation.id, "escalation_approve", decision="approve", comment="")
    [work] = [w for w in world.work_for("publicity") if w.form == "escalation_exposure"]
    draft = world.duban.work.escalation_item(world["publicity"], work.id).initial or {}
    do_escalation(world, "publicity", escalation.id, "escalation_exposure", headline=draft["headline"],
                  text=draft["text"], channel="泸州日报")
    public = html(client, "/public/exposures")
    assert f"江阳区信访件 {CODE} 办理不力" in public and f"信访件 {CODE}" in public
    assert "凌晨" not in public and "头晕" not in public  # nothing the complainants wrote


def test_the_api_lists_a_case_escalation_by_the_case_and_a_unit_sees_its_own(app: Flask, world: World) -> None:
    escalation = overdue_case(world)
    case_id = case_named(world, FIRST).id

    def listed(username: str, query: str = "") -> dict[str, list[dict[str, object]]]:
        token = bearer(token_of(world.duban, world, username, "read"))
        return app.test_client().get(f"/api/v1/escalations{query}", headers=token).get_json()

    assert [(item["id"], item["case_id"], item["task_id"], item["task_code"])
            for item in listed("supervisor", "?q=031001")["items"]] == [(escalation.id, case_id, None, CODE)]
    own = listed("other_staff")["items"]
    assert [item["task_code"] for item in own] == ["第1批-X5105002026031002"]
