"""The HTTP load benchmark reads the real inbox and fills in the real report forms."""
from __future__ import annotations

from collections.abc import Callable

from bench.inbox_page import REPORT_STEPS, Account, csrf_token, report_work
from tests.factories import World, walk_to_reporting
from tests.webui.conftest import Browser

Login = Callable[[str], Browser]


def test_the_benchmark_finds_each_report_step_in_the_inbox_and_its_form_data_is_accepted(
        login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2028-12-31")
    walk_to_reporting(world, task_id)
    world.next_month()
    for username, role in (("staff", "staff"), ("head", "head"), ("supervisor", "supervisor")):
        step_name, form, data = REPORT_STEPS[role]
        browser = login_as(username)
        waiting = report_work(browser.get("/inbox").get_data(as_text=True), step_name, Account(username, role))
        assert waiting == [work.id for work in world.work_for(username, task_id) if work.form == form]
        token = csrf_token(browser.get(f"/work/{waiting[0]}").get_data(as_text=True))
        response = browser.client.post(f"/work/{waiting[0]}", data={"csrf_token": token, **data})
        assert (response.status_code, response.location) == (302, "/inbox")
    assert not [work for work in world.work_for("supervisor", task_id) if work.form.startswith("report_")]


def test_supervisors_share_the_reports_without_overlap() -> None:
    inbox = "".join(f'<tr><td>审核月度进展</td><td><a href="/work/{n}">办理</a></td></tr>' for n in range(10, 20))
    shares = [report_work(inbox, "审核月度进展", Account(f"supervisor{n}", "supervisor", n, 3)) for n in range(3)]
    assert sorted(work_id for share in shares for work_id in share) == list(range(10, 20))
    assert all(shares)
