"""领导批示, 催办 and 会办 through the web client: each step by the right role, CSRF on, wrong roles refused."""
from __future__ import annotations

import re
from collections.abc import Callable

from tests.engine.test_cooperation import reporting_with_naxi
from tests.factories import World, assignment
from tests.webui.conftest import Browser
from tests.webui.test_lifecycle_web import do_step, inbox_links

Login = Callable[[str], Browser]


def page(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_an_instruction_is_written_answered_and_closed_on_the_pages(login_as: Login, world: World) -> None:
    first = world.register("1-1")
    second = world.register("1-2", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    leader, head = login_as("leader"), login_as("head")
    form = page(leader, f"/instructions/new?task={first}")
    assert re.search(rf'<option selected value="{first}">', form) or f'value="{first}" selected' in form
    response = leader.submit("/instructions/new", {"task_ids": [first, second], "text": "请倒排工期，确保年底完成",
                                                   "answer_due": "2026-03-20"})
    assert "批示 PS-2026-001 已送各牵头单位落实并答复" in response.get_data(as_text=True)
    assert "请倒排工期，确保年底完成" in page(head, f"/work/{inbox_links(head)['答复领导批示']}")
    do_step(head, "答复领导批示", {"answer": "已倒排工期，9月底完工"})
    do_step(leader, "阅示答复", {"decision": "close", "comment": "很好"})
    html = page(head, f"/tasks/{first}")
    for text in ("请倒排工期，确保年底完成", "已倒排工期，9月底完工", "阅结", "很好", "已阅结"):
        assert text in html, text
    kpi = page(leader, "/dashboard").split('data-kpi="instructions">')[1].split("</div>")[0]
    assert re.search(r">1</a>", kpi) and "共 1 件批示" in kpi  # the second task's still open
    assert page(head, "/instructions/new", status=403)


def test_a_chase_is_sent_from_the_task_page_and_answered_from_the_top_of_the_inbox(login_as: Login,
                                                                                    world: World) -> None:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    supervisor, staff = login_as("supervisor"), login_as("staff")
    link = re.search(r'href="(/chase/\d+)"', page(supervisor, f"/tasks/{task_id}"))
    assert link
    response = supervisor.submit(link.group(1), {"message": "请于3月13日前报送实施方案", "reply_due": "2026-03-13"})
    assert "已催办江阳区" in response.get_data(as_text=True)
    inbox = page(staff, "/inbox")
    assert inbox.index("反馈催办") < inbox.index("编制整改实施方案")
    do_step(staff, "反馈催办", {"answer": "正在征求意见"})
    html = page(supervisor, f"/tasks/{task_id}")
    assert "请于3月13日前报送实施方案" in html and "正在征求意见" in html and "已反馈" in html
    assert page(staff, link.group(1), status=403)


def test_a_contribution_is_given_and_shown_in_the_lead_units_report_form(login_as: Login, world: World) -> None:
    task_id = reporting_with_naxi(world)
    world.next_month()
    other_staff, staff = login_as("other_staff"), login_as("staff")
    do_step(other_staff, "报送配合工作情况", {"content": "完成2个排污口水质监测"})
    form = page(staff, f"/work/{inbox_links(staff)['填报月度进展']}")
    assert "配合单位报送情况" in form and "完成2个排污口水质监测" in form
    assert "配合单位会办" in page(staff, f"/tasks/{task_id}")
    assert "单位督办记录" in page(login_as("supervisor"), "/dashboard")
