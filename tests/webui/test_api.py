"""The JSON API: tokens and the session, scope and unit scoping, the same refusals as the web pages, the same form
rules and audit, problem details, ETags and the rate limit."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.app import Duban
from engine.store.models import AuditEvent
from tests.factories import World, assignment, walk_to_reporting
from tests.webui.conftest import CSRF_FIELD, Browser, bearer, token_of
from webui import create_app


def work_of(world: World, username: str, task_id: int, form: str) -> int:
    return next(work.id for work in world.work_for(username, task_id) if work.form == form)


def test_a_token_acts_as_its_person_and_a_request_without_one_is_refused(app: Flask, api: Any, world: World) -> None:
    me = api("staff", "read")("get", "/me")
    assert me.status_code == 200
    assert me.get_json() == {"username": "staff", "name": "staff", "role": "unit_staff", "unit": "江阳区",
                             "scope": "read"}
    assert "Set-Cookie" not in me.headers  # a token starts no session
    anonymous = app.test_client().get("/api/v1/inbox")
    assert anonymous.status_code == 401
    assert anonymous.content_type == "application/problem+json"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    forged = app.test_client().get("/api/v1/inbox", headers=bearer("dbn_" + "x" * 43))
    assert forged.status_code == 401


def test_the_token_lifecycle_on_the_person_s_own_page(login_as: Callable[[str], Browser], app: Flask,
                                                       duban: Duban, world: World) -> None:
    browser = login_as("staff")
    created = browser.submit("/account/tokens", {"name": "移动端", "scope": "read", "expires_days": ""})
    page = created.get_data(as_text=True)
    secret = page.split('user-select-all text-break">')[1].split("<")[0]
    assert secret.startswith("dbn_") and len(secret) > 40
    listed = browser.get("/account/tokens").get_data(as_text=True)
    assert "移动端" in listed and secret[:12] in listed and secret not in listed  # shown once, then only its prefix
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 200
    token_id = duban.tokens.mine(world["staff"])[0].id
    assert duban.tokens.mine(world["staff"])[0].last_used_at is not None
    browser.post_with_token_from("/account/tokens", f"/account/tokens/{token_id}/revoke", {})
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    with duban.db.transaction(write=False) as session:
        audited = list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("token.%"))
                                       .order_by(AuditEvent.seq)))
    assert [(event.action, event.actor_username) for event in audited] == [("token.created", "staff"),
                                                                           ("token.revoked", "staff")]
    assert secret not in str([(event.summary, event.after) for event in audited])


def test_nobody_revokes_another_person_s_token(duban: Duban, world: World) -> None:
    token_of(duban, world, "staff")
    token_id = duban.tokens.mine(world["staff"])[0].id
    from engine.core.errors import NotFound

    with pytest.raises(NotFound):
        duban.tokens.revoke(world["other_staff"], token_id)
    assert duban.tokens.mine(world["staff"])[0].live


def test_an_expired_token_or_a_deactivated_account_no_longer_works(app: Flask, duban: Duban, world: World) -> None:
    expiring = token_of(duban, world, "staff", expires_days=1)
    lasting = token_of(duban, world, "head")
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(expiring)).status_code == 200
    world.tick(days=2)
    assert client.get("/api/v1/me", headers=bearer(expiring)).status_code == 401
    duban.accounts.set_user_active(world["admin"], world["head"].user_id, False)
    assert client.get("/api/v1/me", headers=bearer(lasting)).status_code == 401


def test_a_read_token_reads_but_does_not_do_work(api: Any, world: World) -> None:
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    read = api("coordinator", "read")
    assert read("get", f"/work/{work_id}").status_code == 200
    refused = read("post", f"/work/{work_id}", json=assignment(world))
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert "scope" in refused.get_json()["detail"]
    assert work_of(world, "coordinator", task_id, "assign") == work_id  # still open


def test_completing_work_through_the_api_is_the_web_s_step_audited_the_same(api: Any, duban: Duban,
                                                                           world: World) -> None:
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    done = api("coordinator")("post", f"/work/{work_id}", json=assignment(world))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["task_id"] == task_id
    assert any(step["name"] for step in done.get_json()["steps"])
    task = api("coordinator")("get", f"/tasks/{task_id}").get_json()
    assert task["status"]["value"] == "in_progress" or task["current_steps"]
    assert any(event["action"] == "task.assigned" and event["actor"] == "coordinator" for event in task["history"])


def test_the_form_rules_are_the_web_s(api: Any, login_as: Callable[[str], Browser], world: World) -> None:
    """A submission the web page refuses is refused by the API on the same field."""
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    bad = {**assignment(world), "plan_due": "", "instructions": "意" * 5001}
    refused = api("coordinator")("post", f"/work/{work_id}", json=bad)
    assert refused.status_code == 400
    assert set(refused.get_json()["errors"]) == {"plan_due", "instructions"}
    page = login_as("coordinator").submit(f"/work/{work_id}", {k: v for k, v in bad.items() if v is not None
                                                               and not isinstance(v, list)})
    assert page.status_code == 200 and "请修改标出的内容后重新提交" in page.get_data(as_text=True)
    assert work_of(world, "coordinator", task_id, "assign") == work_id


def test_the_engine_s_rules_across_fields_are_the_same_too(api: Any, world: World) -> None:
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    late = assignment(world, plan_due="2027-06-30", deadline="2026-12-31")  # the plan due after the deadline
    refused = api("coordinator")("post", f"/work/{work_id}", json=late)
    assert refused.status_code == 400
    assert refused.get_json()["errors"]


@pytest.mark.parametrize(("username", "path", "status"), [
    ("other_staff", "/tasks/{task}", 404),  # another unit's task: not found, as on the web
    ("staff", "/dashboard", 403),  # a unit's officer has no dashboard
    ("admin", "/tasks", 403),  # the administrator makes no business decisions and reads no ledger
    ("staff", "/work/{work}", 403),  # the coordination group's step on the unit's own task
    ("other_staff", "/work/{work}", 404),  # … and on another unit's task
])
def test_the_api_refuses_what_the_web_refuses(api: Any, login_as: Callable[[str], Browser], world: World,
                                             username: str, path: str, status: int) -> None:
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    filled = path.format(task=task_id, work=work_id)
    answer = api(username)("get", filled)
    assert answer.status_code == status
    assert answer.content_type == "application/problem+json"
    web = filled.replace("/tasks", "/ledger", 1) if filled == "/tasks" else filled
    assert login_as(username).get(web).status_code == status


def test_another_unit_s_work_is_refused_on_both_sides(api: Any, login_as: Callable[[str], Browser],
                                                     world: World) -> None:
    task_id = world.register()
    work_of(world, "coordinator", task_id, "assign")
    assign_id = work_of(world, "coordinator", task_id, "assign")
    api("coordinator")("post", f"/work/{assign_id}", json=assignment(world))
    receipt = next(work.id for work in world.work_for("staff", task_id) if work.form == "receipt_sign")
    assert api("supervisor")("post", f"/work/{receipt}", json={"decision": "receive"}).status_code == 403
    assert login_as("supervisor").get(f"/work/{receipt}").status_code == 403
    assert api("other_staff")("get", f"/work/{receipt}").status_code == 404
    assert login_as("other_staff").get(f"/work/{receipt}").status_code == 404


def test_a_unit_sees_its_own_tasks_only(api: Any, world: World) -> None:
    ours = world.register("1-1")
    theirs = world.register("1-2", lead_unit_id=world.units["naxi"], cooperating_unit_ids=[])
    codes = {task["code"] for task in api("staff")("get", "/tasks").get_json()["items"]}
    assert codes == {"1-1"}
    assert api("other_staff")("get", f"/tasks/{theirs}").status_code == 200
    assert api("other_staff")("get", f"/tasks/{ours}").status_code == 404


def test_the_browser_s_session_reads_and_writes_only_with_the_csrf_header(login_as: Callable[[str], Browser],
                                                                          world: World) -> None:
    task_id = world.register()
    work_id = work_of(world, "coordinator", task_id, "assign")
    browser = login_as("coordinator")
    assert browser.get("/api/v1/inbox").status_code == 200
    refused = browser.client.post(f"/api/v1/work/{work_id}", json=assignment(world))
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    csrf = CSRF_FIELD.search(browser.get("/inbox").get_data(as_text=True))
    assert csrf
    done = browser.client.post(f"/api/v1/work/{work_id}", json=assignment(world),
                               headers={"X-CSRFToken": csrf.group(1)})
    assert done.status_code == 200, done.get_json()


def test_errors_are_problem_details(api: Any, world: World) -> None:
    call = api("coordinator")
    for path, status in (("/nowhere", 404), ("/tasks/2147483647", 404), ("/tasks?page=0", 400),
                         ("/tasks?status=unknown", 400)):
        answer = call("get", path)
        assert answer.status_code == status, path
        assert answer.content_type == "application/problem+json"
        body = answer.get_json()
        assert body["status"] == status and body["title"] and body["instance"].startswith("/api/v1/")
    assert call("delete", "/inbox").status_code == 405
    assert call("post", "/work/1", data="not json", content_type="application/json").status_code in (400, 404)
    assert "page" in call("get", "/tasks?page=x").get_json()["errors"]


def test_long_lists_are_paged_and_carry_an_etag(api: Any, world: World) -> None:
    for number in range(1, 4):
        world.register(f"1-{number}")
    call = api("coordinator")
    first = call("get", "/tasks?sort=-code")
    assert [task["code"] for task in first.get_json()["items"]] == ["1-3", "1-2", "1-1"]
    assert first.get_json()["total"] == 3 and first.get_json()["pages"] == 1
    etag = first.headers["ETag"]
    assert set(first.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}  # kept, asked again
    assert call("get", "/me").headers["Cache-Control"] == "no-store"
    assert call("get", "/tasks?sort=-code", headers={"If-None-Match": etag}).status_code == 304
    assert call("get", "/tasks?sort=code", headers={"If-None-Match": etag}).status_code == 200


def test_the_api_is_rate_limited_per_caller(duban: Duban, world: World) -> None:
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "t", "TESTING": True, "DUBAN_API_RATE_LIMIT": "3/minute"})
    client: FlaskClient = app.test_client()
    headers = bearer(token_of(duban, world, "coordinator"))
    answers = [client.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get("/api/v1/me", headers=headers)
    assert limited.content_type == "application/problem+json"
    assert client.get("/api/v1/me", headers=bearer(token_of(duban, world, "supervisor"))).status_code == 200


def test_the_document_and_its_page_are_public(app: Flask) -> None:
    client = app.test_client()
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert document.get_json()["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/work/{work_id}" in page and "Authorization: Bearer" in page


def test_reports_and_the_dashboard_say_what_the_pages_say(api: Any, login_as: Callable[[str], Browser],
                                                           world: World) -> None:
    task_id = world.register()
    walk_to_reporting(world, task_id)
    world.next_month()
    world.tick(days=10)  # March's report was due on 5 April and is not in
    reports = api("staff", "read")("get", f"/tasks/{task_id}/reports").get_json()["items"]
    assert [(report["period"], report["overdue"]) for report in reports] == [("2026-03", True)]
    board = api("leader", "read")("get", "/dashboard").get_json()
    assert board["overdue_reports"] == 1 and board["total"] == 1
    assert [(late["code"], late["period"]) for late in board["overdue_report_list"]] == [("1-1", "2026-03")]
    assert {unit["label"]: unit["overdue"] for unit in board["units"]} == {"江阳区": 1}
    page = login_as("leader").get("/dashboard").get_data(as_text=True)
    assert "2026-03" in page and "1-1" in page


@pytest.mark.parametrize("month", ["0000-01", "9999-12"])
def test_a_month_no_date_can_hold_is_refused_not_a_server_error(api: Any, login_as: Callable[[str], Browser],
                                                                 month: str) -> None:
    call = api("coordinator")
    assert call("get", f"/tasks?registered_by={month}").status_code == 400
    assert call("get", f"/escalations?opened={month}").status_code == 400
    browser = login_as("coordinator")
    assert browser.get(f"/ledger?registered_by={month}").status_code == 200  # the page ignores it
    assert browser.get(f"/escalations?opened={month}").status_code == 200


def test_complaint_cases_are_listed_and_read_within_the_unit_and_without_the_complainants_code(
        api: Any, world: World) -> None:
    from tests.cases import ROWS, case_named, import_batch

    import_batch(world)
    listed = api("coordinator", "read")("get", "/cases").get_json()
    assert listed["total"] == len(ROWS) and {item["number"] for item in listed["items"]} == {
        row.split(",")[0] for row in ROWS}
    noise = api("coordinator", "read")("get", "/cases?category=noise").get_json()
    assert [item["category"]["label"] for item in noise["items"]] == ["噪声"]
    own = api("staff", "read")("get", "/cases").get_json()  # 江阳区's officer: its own case only
    assert [item["unit"] for item in own["items"]] == ["江阳区"]
    mine = case_named(world, ROWS[0].split(",")[0])
    detail = api("staff", "read")("get", f"/cases/{mine.id}")
    assert detail.status_code == 200
    body = detail.get_json()
    assert body["content"].startswith("夜间施工噪声") and body["status"]["value"] == "signing"
    assert [step["name"] for step in body["steps"]] == ["签收信访件"] and body["steps"][0]["mine"]
    assert mine.lookup_code not in detail.get_data(as_text=True)
    other = case_named(world, ROWS[1].split(",")[0])  # 纳溪区's
    assert api("staff", "read")("get", f"/cases/{other.id}").status_code == 404
    assert api("staff", "read")("get", "/cases?colour=purple").status_code == 400
