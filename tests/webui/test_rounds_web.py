"""督察批次 through the browser: the rounds page, the round selector kept while moving between the ledger, the
dashboard, the bulletin and the public pages, registering and importing into a round."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

from docx import Document
from sqlalchemy import select

from engine.store.models import AuditEvent, RectificationTask
from tests.engine.test_ledger_io import GOOD_ROWS
from tests.engine.test_rounds import PROVINCIAL, two_rounds
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_reports_web import confirm, page, upload
from tests.xlsx import xlsx

Login = Callable[[str], Browser]
LEDGER_TOTAL = re.compile(r'<h1 class="page-title me-auto">[^<]*<span class="badge text-bg-secondary">(\d+)</span>')
DASHBOARD_TOTAL = re.compile(r'整改任务</div><div class="fs-3"><a href="([^"]*)" class="dash-number">(\d+)</a>')


def city_of_two_rounds(world: World) -> tuple[int, int]:
    """Three tasks of the first round, two of the provincial one (their codes the same as the first's)."""
    first, provincial = two_rounds(world)
    for code in ("1-1", "1-2", "1-3"):
        world.register(code, round_id=first)
    for code in ("1-1", "1-2"):
        world.register(code, round_id=provincial)
    world.tick(hours=1)
    return first, provincial


def ledger_total(browser: Browser, url: str = "/ledger") -> int:
    found = LEDGER_TOTAL.search(page(browser, url))
    assert found, url
    return int(found.group(1))


def dashboard_total(browser: Browser, url: str = "/dashboard") -> tuple[str, int]:
    found = DASHBOARD_TOTAL.search(page(browser, url))
    assert found, url
    return html.unescape(found.group(1)), int(found.group(2))


def test_the_choice_of_round_is_kept_between_the_ledger_dashboard_and_bulletin(login_as: Login, world: World) -> None:
    first, provincial = city_of_two_rounds(world)
    coordinator = login_as("coordinator")
    assert ledger_total(coordinator) == 5  # every round until one is chosen
    assert "全部批次" in page(coordinator, "/ledger") and "省级环境保护督察" in page(coordinator, "/ledger")
    assert ledger_total(coordinator, f"/ledger?round={provincial}") == 2
    link, total = dashboard_total(coordinator)  # the choice goes with the person
    assert total == 2 and f"round={provincial}" in link
    assert ledger_total(coordinator, link) == 2  # the dashboard's number opens exactly those tasks
    bulletin = page(coordinator, "/bulletin?month=2026-03")
    assert "全市 2 项整改任务" in bulletin and "省级环境保护督察" in bulletin
    word = coordinator.post_with_token_from("/bulletin?month=2026-03", "/bulletin", {"month": "2026-03"})
    title = [p.text for p in Document(io.BytesIO(word.data)).paragraphs if "通报" in p.text and "落实" in p.text]
    assert title and "落实省级环境保护督察反馈意见" in title[0]
    assert dashboard_total(coordinator, f"/dashboard?round={first}")[1] == 3
    assert ledger_total(coordinator) == 3
    assert dashboard_total(coordinator, "/dashboard?round=all")[1] == 5  # 全部批次: the city-wide view sums them
    assert ledger_total(coordinator) == 5
    assert ledger_total(coordinator, "/ledger?round=nonsense") == 5  # an unknown round shows every round


def test_the_public_pages_filter_by_round(client: Browser, world: World) -> None:
    first, provincial = city_of_two_rounds(world)

    def listed(url: str) -> int:
        return len(re.findall(r'href="/public/tasks/\d+"', page(client, url)))

    assert listed("/public/") == 5
    assert listed(f"/public/?round={provincial}") == 2
    assert "省级环境保护督察反馈问题整改任务" in page(client, "/public/")  # kept for the visitor too
    assert listed(f"/public/?round={first}") == 3
    every = page(client, "/public/?round=all")
    assert listed("/public/?round=all") == 5
    assert every.count('<div class="small text-muted text-wrap">省级环境保护督察</div>') == 2  # beside each code
    task_id = re.findall(r'href="/public/tasks/(\d+)"', page(client, f"/public/?round={provincial}"))[0]
    assert "省级环境保护督察" in page(client, f"/public/tasks/{task_id}")


def test_the_rounds_page_lists_enters_and_edits_rounds(login_as: Login, world: World) -> None:
    _first, provincial = city_of_two_rounds(world)
    coordinator = login_as("coordinator")
    listing = page(coordinator, "/rounds")
    assert "省级环境保护督察" in listing and "四川省第二环境保护督察组" in listing and "当前批次" in listing
    assert 'href="/rounds"' in page(coordinator, "/inbox")  # in the menu
    made = coordinator.submit("/rounds/new", {"name": "中央环境保护督察“回头看”", "body": "中央第四环境保护督察组",
                                              "started_on": "2018-06-05", "ended_on": "2018-07-05",
                                              "feedback_on": "2018-10-17", "description": ""})
    assert "督察批次已保存" in made.get_data(as_text=True) and "中央第四环境保护督察组" in made.get_data(as_text=True)
    backwards = coordinator.submit(f"/rounds/{provincial}/edit", {**PROVINCIAL, "ended_on": "2019-01-01"})
    assert "结束日期不能早于进驻日期" in backwards.get_data(as_text=True)
    taken = coordinator.submit(f"/rounds/{provincial}/edit", {**PROVINCIAL, "name": "中央环境保护督察“回头看”"})
    assert "已有同名的督察批次" in taken.get_data(as_text=True)
    edited = coordinator.submit(f"/rounds/{provincial}/edit", {**PROVINCIAL, "description": "十个问题"})
    assert "十个问题" in edited.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "round")
                                  .order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["round.created", "round.created", "round.updated"]
    assert page(login_as("admin"), "/rounds")
    supervisor = login_as("supervisor")
    assert supervisor.get("/rounds").status_code == 403 and supervisor.get("/rounds/new").status_code == 403
    assert coordinator.get("/rounds/999999/edit").status_code == 404


def test_a_task_is_registered_into_the_round_chosen(login_as: Login, world: World) -> None:
    first, provincial = city_of_two_rounds(world)
    coordinator = login_as("coordinator")
    form = page(coordinator, "/tasks/new")
    assert re.search(rf'<option selected value="{provincial}">', form)  # the current round is chosen first
    data = {"round_id": str(first), "code": "1-1", "category_id": str(world.categories[0]), "title": "新任务",
            "problem": "问题", "target": "目标", "measures": "措施", "lead_unit_id": str(world.units["naxi"]),
            "lead_leader_id": str(world["leader"].user_id), "deadline_kind": "date", "deadline": "2026-12-31"}
    refused = coordinator.submit("/tasks/new", data)
    assert "本批次已有这个编号" in refused.get_data(as_text=True)
    registered = coordinator.submit("/tasks/new", {**data, "code": "1-9"}).get_data(as_text=True)
    assert '<dd class="col-sm-9" data-fact="round">督察反馈整改</dd>' in registered  # the task page says its round
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(RectificationTask.round_id).where(RectificationTask.code == "1-9")) == first


def test_a_ledger_is_imported_into_the_round_chosen_on_the_upload_page(login_as: Login, world: World) -> None:
    first, provincial = city_of_two_rounds(world)
    coordinator = login_as("coordinator")
    assert "省级环境保护督察" in page(coordinator, "/ledger/import")
    preview = upload(coordinator, xlsx(GOOD_ROWS), round=str(first))
    text = preview.get_data(as_text=True)
    assert "登记到督察批次：督察反馈整改" in text
    assert "编号 1-2 已在台账中，但" in text and "确认导入" not in text  # compared with that round's own 1-2
    preview = upload(coordinator, xlsx([row for row in GOOD_ROWS if row[0] == "2-1"]), round=str(provincial))
    assert "登记到督察批次：省级环境保护督察" in preview.get_data(as_text=True)
    unknown = coordinator.get(preview.request.full_path.replace(f"round={provincial}", "round=999999"),
                              follow_redirects=True)
    assert "没有这个督察批次" in unknown.get_data(as_text=True)
    done = confirm(coordinator, preview)
    assert "已导入：新登记 1 项任务" in done.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(RectificationTask.round_id).where(RectificationTask.code == "2-1")) == provincial
