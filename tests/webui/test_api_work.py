"""The API does every kind of work the web does: a complaint case's, a strengthening measure's and a problem clue's
steps as well as a task's, with the same refusals as their pages; drafts (暂存) shared with the pages; a batch all or
nothing, naming what it refuses; and the rate limit counted where DUBAN_RATELIMIT_STORAGE_URI says."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from limits.storage import MemoryStorage
from sqlalchemy import select

from engine.app import Duban
from engine.core.clock import LOCAL_TZ
from engine.store.models import AuditEvent
from tests.cases import ROWS, case_named, case_work, import_batch
from tests.escalations import register_clue
from tests.factories import World
from tests.measures import REPORT, measure_work, register_measure
from tests.webui.conftest import Browser, bearer, token_of
from webui import create_app

FIRST, SECOND = (row.split(",")[0] for row in ROWS[:2])
Login = Callable[[str], Browser]


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=LOCAL_TZ)


def audited(duban: Duban, action: str) -> list[AuditEvent]:
    with duban.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_a_complaint_case_s_step_is_done_through_the_api(api: Any, duban: Duban, world: World) -> None:
    import_batch(world)
    sign = case_work(world, "staff", FIRST)
    inbox = api("staff")("get", "/inbox").get_json()["items"]
    assert [(item["id"], item["subject"]["kind"], item["subject"]["code"]) for item in inbox] == [
        (sign.id, "case", FIRST)]
    form = api("staff")("get", f"/work/{sign.id}")
    assert form.status_code == 200, form.get_json()
    body = form.get_json()
    assert body["subject"] == {"kind": "case", "id": case_named(world, FIRST).id, "code": FIRST,
                               "title": "江阳区大山坪街道"} and body["task_id"] is None
    assert "decision" in {field["name"] for field in body["fields"]}
    refused = api("staff")("post", f"/work/{sign.id}", json={"decision": "return"})  # a return needs its reason
    assert refused.status_code == 400 and "reason" in refused.get_json()["errors"]
    done = api("staff")("post", f"/work/{sign.id}", json={"decision": "receive"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["subject"]["kind"] == "case"
    assert [step["mine"] for step in done.get_json()["steps"]] == [True]  # the report is the unit's next
    assert [event.actor_username for event in audited(duban, "case.signed")] == ["staff"]


@pytest.mark.parametrize(("username", "number", "status"), [
    ("other_staff", FIRST, 404),  # another unit's case: not found, as on its page
    ("head", FIRST, 403),  # the unit's case, but the officer's step
    ("discipline", FIRST, 403),  # who may not see complaint cases
    ("staff", SECOND, 404),
])
def test_a_case_s_step_is_refused_as_its_page_refuses_it(api: Any, login_as: Login, world: World, username: str,
                                                         number: str, status: int) -> None:
    import_batch(world)
    owner = "staff" if number == FIRST else "other_staff"
    work_id = case_work(world, owner, number).id
    assert api(username)("get", f"/work/{work_id}").status_code == status
    assert api(username)("post", f"/work/{work_id}", json={"decision": "receive"}).status_code == status
    assert login_as(username).get(f"/cases/work/{work_id}").status_code == status
    assert case_work(world, owner, number).id == work_id  # still open


def test_a_measure_report_is_drafted_resumed_on_the_page_and_filed_through_the_api(
        api: Any, login_as: Login, duban: Duban, world: World) -> None:
    register_measure(world)
    world.go_to(at("2026-04-01"))
    [work] = measure_work(world, "staff")
    staff = api("staff")
    assert staff("get", f"/work/{work.id}/draft").get_json() == {"saved_at": None, "data": {}}
    saved = staff("put", f"/work/{work.id}/draft", json={"work_done": "已起草考核办法", "nonsense": "x"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["data"] == {"work_done": "已起草考核办法"} and saved.get_json()["saved_at"]
    assert staff("get", f"/work/{work.id}").get_json()["initial"]["work_done"] == "已起草考核办法"
    assert "已起草考核办法" in login_as("staff").get(f"/measures/work/{work.id}").get_data(as_text=True)
    assert api("other_staff")("get", f"/work/{work.id}/draft").status_code == 404  # nobody else's
    assert staff("delete", f"/work/{work.id}/draft").get_json() == {"discarded": True}
    assert staff("delete", f"/work/{work.id}/draft").get_json() == {"discarded": False}
    assert staff("get", f"/work/{work.id}/draft").get_json()["saved_at"] is None
    assert [event.action for event in audited(duban, "work.draft_saved") + audited(duban, "work.draft_discarded")
            ] == ["work.draft_saved", "work.draft_discarded"]
    staff("put", f"/work/{work.id}/draft", json={"progress": "半成品"})
    filed = staff("post", f"/work/{work.id}", json=REPORT)
    assert filed.status_code == 200, filed.get_json()
    assert filed.get_json()["subject"]["kind"] == "measure" and filed.get_json()["subject"]["code"] == "QH-01"
    [review] = measure_work(world, "supervisor")
    assert api("supervisor")("get", f"/work/{review.id}/draft").get_json()["saved_at"] is None  # done: drafts gone
    refused = api("supervisor")("put", f"/work/{review.id}/draft", json={"comment": "先记下"})
    assert refused.status_code == 400 and "form" in refused.get_json()["errors"]  # a decision keeps no draft


def test_a_problem_clue_s_step_is_done_through_the_api(api: Any, login_as: Login, duban: Duban,
                                                       world: World) -> None:
    clue_id = register_clue(world)
    [work] = [work for work in world.work_for("discipline") if work.task_id is None]
    for username, status in (("staff", 403), ("leader", 403)):  # no clue.view; may see clues, not investigate
        assert api(username)("get", f"/work/{work.id}").status_code == status
        assert login_as(username).get(f"/clues/work/{work.id}").status_code == status
    form = api("discipline")("get", f"/work/{work.id}").get_json()
    assert form["subject"]["kind"] == "clue" and form["subject"]["id"] == clue_id
    done = api("discipline")("post", f"/work/{work.id}", json={"findings": "经核查，该排污口确系直排",
                                                               "verdict": "founded"})
    assert done.status_code == 200, done.get_json()
    assert [event.actor_username for event in audited(duban, "work.completed")] == ["discipline"]


def overdue_follow_ups(world: World) -> list[int]:
    """The coordination group's 督办 of the three cases of a batch left unreported past their date."""
    import_batch(world)
    world.go_to(at("2026-03-20"))
    follow_ups = [work.id for work in world.work_for("coordinator") if work.form == "case_follow_up"]
    assert len(follow_ups) == 3
    return follow_ups


def test_a_batch_is_all_or_nothing_and_names_each_item_it_refuses(api: Any, duban: Duban, world: World) -> None:
    follow_ups = overdue_follow_ups(world)
    theirs = case_work(world, "staff", FIRST).id  # the unit's 签收: not the coordination group's to do
    coordinator = api("coordinator")
    mixed = coordinator("post", "/work/batch", json={"kind": "case_follow_up", "work_ids": [*follow_ups, theirs],
                                                     "fields": {"note": "电话督促"}})
    assert mixed.status_code == 403 and mixed.content_type == "application/problem+json"  # as for that one item
    assert mixed.get_json()["errors"] == {f"work.{theirs}": ["这项工作不由您办理"]}
    wrong_kind = coordinator("post", "/work/batch", json={"kind": "report_chase", "work_ids": follow_ups,
                                                          "fields": {"method": "phone", "note": "电话催报"}})
    assert set(wrong_kind.get_json()["errors"]) == {f"work.{work_id}" for work_id in follow_ups}
    unfilled = coordinator("post", "/work/batch", json={"kind": "case_follow_up", "work_ids": follow_ups})
    assert unfilled.status_code == 400 and "note" in unfilled.get_json()["errors"]
    assert coordinator("post", "/work/batch", json={"kind": "case_sign", "work_ids": follow_ups}).status_code == 400
    assert audited(duban, "case.chased") == []  # nothing of a refused batch was done
    done = coordinator("post", "/work/batch", json={"kind": "case_follow_up", "work_ids": follow_ups,
                                                    "fields": {"note": "电话督促，两个工作日内报告"}})
    assert done.status_code == 200, done.get_json()
    assert sorted(item["id"] for item in done.get_json()["done"]) == sorted(follow_ups)
    assert len(audited(duban, "case.chased")) == 3  # each item its own audited step
    again = coordinator("post", "/work/batch", json={"kind": "case_follow_up", "work_ids": follow_ups[:1],
                                                     "fields": {"note": "再次督促"}})
    assert "已由" in again.get_json()["errors"][f"work.{follow_ups[0]}"][0]  # who did it, and when


def test_the_web_s_batch_refuses_as_the_api_does(api: Any, login_as: Login, world: World) -> None:
    follow_ups = overdue_follow_ups(world)
    theirs = case_work(world, "staff", FIRST).id
    browser = login_as("coordinator")
    form = {"kind": "case_follow_up", "note": "电话督促", "work_id": [*follow_ups, theirs]}
    assert browser.post_with_token_from("/inbox", "/work/batch", form).status_code == 403
    api("coordinator")("post", f"/work/{follow_ups[0]}", json={"note": "已电话督促"})
    page = browser.post_with_token_from("/inbox", "/work/batch", {**form, "work_id": follow_ups})
    assert "已由" in page.get_data(as_text=True)  # the one done meanwhile is named, who did it and when
    assert len([work for work in world.work_for("coordinator") if work.form == "case_follow_up"]) == 2


class CountedElsewhere(MemoryStorage):
    """A storage of its own scheme, standing for a shared one (redis://, memcached://)."""

    STORAGE_SCHEME = ["duban-shared"]  # noqa: RUF012 (the limits library reads the class attribute)


def test_the_rate_limit_is_counted_where_the_setting_says(duban: Duban, world: World,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from webui.extensions import limiter

    monkeypatch.setenv("DUBAN_RATELIMIT_STORAGE_URI", "duban-shared://")
    monkeypatch.setenv("DUBAN_API_RATE_LIMIT", "2/minute")
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "t", "TESTING": True})
    assert isinstance(limiter.storage, CountedElsewhere)
    headers = bearer(token_of(duban, world, "coordinator"))
    assert [app.test_client().get("/api/v1/me", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
    assert any("token:" in key for key in limiter.storage.storage)  # counted there, per token


class OutOfReach(MemoryStorage):
    """A shared store that cannot be reached."""

    STORAGE_SCHEME = ["duban-unreachable"]  # noqa: RUF012

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        raise ValueError("connection refused")

    def check(self) -> bool:
        return False


def test_while_the_store_is_out_of_reach_each_process_counts_in_memory(duban: Duban, world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_RATELIMIT_STORAGE_URI", "duban-unreachable://")
    monkeypatch.setenv("DUBAN_API_RATE_LIMIT", "2/minute")
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "t", "TESTING": True})
    headers = bearer(token_of(duban, world, "coordinator"))
    assert [app.test_client().get("/api/v1/me", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
