"""The dashboard, the ledger's Excel import and export, the bulletin and the targets, through the browser."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pytest
from docx import Document
from flask import Flask, url_for
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine.core.statuses import TaskStatus
from engine.features.reporting.dashboard import GroupRow, StatusCounts
from engine.store.models import AuditEvent, RectificationTask
from tests.engine.test_dashboard_and_bulletin import stage_city
from tests.engine.test_ledger_io import GOOD_ROWS
from tests.engine.test_targets import PM25
from tests.factories import World
from tests.ledgers import CITY_LEDGER, HEADER, ledger_xls
from tests.webui.conftest import CSRF_FIELD, Browser
from tests.xlsx import table_of, xlsx
from webui.reporting import dashboard
from webui.reporting.dashboard import ledger_url

Login = Callable[[str], Browser]
NUMBER_LINK = re.compile(r'<a href="([^"]+)" class="dash-number">(\d+)</a>')
LEDGER_TOTAL = re.compile(r'整改任务台账 <span class="badge text-bg-secondary">(\d+)</span>')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)", re.IGNORECASE)


def csrf(text: str) -> str:
    match = CSRF_FIELD.search(text)
    assert match
    return match.group(1)


def page(browser: Browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_every_number_on_the_dashboard_opens_a_ledger_with_that_many_tasks(login_as: Login, world: World) -> None:
    stage_city(world)
    leader = login_as("leader")
    board = page(leader, "/dashboard")
    links = {(html.unescape(url), int(count)) for url, count in NUMBER_LINK.findall(board)}
    assert len(links) > 30
    for url, count in links:
        ledger = page(leader, url)
        total = LEDGER_TOTAL.search(ledger)
        assert total and int(total.group(1)) == count, url


def test_dashboard_charts_are_inline_svg_without_scripts(login_as: Login, world: World) -> None:
    stage_city(world)
    board = page(login_as("coordinator"), "/dashboard")
    assert board.count("<svg") >= 6 and not INLINE_SCRIPT.search(board)
    assert "xlink:href=\"/ledger?" in board  # bars and slices link to the ledger too
    assert "江阳区" in board and "1-2" in board  # the unit most behind, the overdue report


def test_a_bar_chart_of_many_groups_shows_those_with_the_most_tasks(login_as: Login, world: World,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [GroupRow(i, f"单位{i}", StatusCounts.of([TaskStatus.IN_PROGRESS] * (i % 7))) for i in range(1, 31)]
    shown = dashboard.charted(rows)
    assert len(shown) == dashboard.CHART_GROUPS and shown == sorted(shown, key=lambda row: row.id)
    assert min(row.statuses.total for row in shown) >= max(row.statuses.total for row in rows if row not in shown)
    assert dashboard.charted(rows[:5]) == rows[:5]

    stage_city(world)
    leader = login_as("leader")
    assert "见右表" not in page(leader, "/dashboard")
    monkeypatch.setattr(dashboard, "CHART_GROUPS", 1)
    board = page(leader, "/dashboard")
    assert "图中为任务最多的 1 个" in board and "江阳区" in board  # every unit still in the table


def test_dashboard_links_are_the_ledgers_own_addresses(app: Flask) -> None:
    filters = [{}, {"status": "closed"}, {"unit": 7, "lead": 1, "warning": "red"}, {"closed_by": "2026-04"},
               {"category": 3, "status": "in_progress", "lead": 0, "overdue": None, "q": ""},
               {"q": "黑臭 水体&/?"}]
    for script_root in ("", "/duban"):
        with app.test_request_context("/dashboard", base_url=f"http://localhost{script_root}"):
            for given in filters:
                kept = {key: value for key, value in given.items() if value not in (None, "", False)}
                assert ledger_url(**given) == url_for("tasks.ledger", **kept)


def test_dashboard_is_refused_to_unit_roles(login_as: Login, world: World) -> None:
    for username in ("staff", "head", "publicity"):
        assert login_as(username).get("/dashboard").status_code == 403
    assert "/dashboard" not in page(login_as("staff"), "/inbox")
    assert "/dashboard" in page(login_as("leader"), "/inbox")


def test_the_export_button_exports_what_the_page_shows(login_as: Login, world: World) -> None:
    stage_city(world)
    coordinator = login_as("coordinator")
    ledger = page(coordinator, f"/ledger?category={world.categories[1]}")
    button = re.search(r'href="(/ledger/export\.xlsx[^"]*)"', ledger)
    assert button, "no export button"
    response = coordinator.get(html.unescape(button.group(1)))
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    assert sorted(row["编号"] for row in table_of(response.data)) == ["2-1", "2-2"]
    own = login_as("staff").get("/ledger/export.xlsx")
    assert sorted(row["编号"] for row in table_of(own.data)) == ["1-1", "1-2", "1-3"]
    assert login_as("admin").get("/ledger/export.xlsx").status_code == 403


def upload(browser: Browser, content: bytes, name: str = "清单.xlsx", **fields: str) -> TestResponse:
    return browser.submit("/ledger/import", {"file": (io.BytesIO(content), name), **fields})


def confirm(browser: Browser, preview: TestResponse) -> TestResponse:
    """Press 确认导入 on a preview page."""
    text = preview.get_data(as_text=True)
    action = re.search(r'<form id="confirm-form" method="post" action="([^"]+)"', text)
    assert action, "no confirm form"
    return browser.post_with_token_from(preview.request.full_path, html.unescape(action.group(1)), {})


def test_the_coordinator_uploads_a_ledger_sees_the_preview_and_confirms(login_as: Login, world: World) -> None:
    coordinator = login_as("coordinator")
    assert "/ledger/import" in page(coordinator, "/ledger")
    preview = upload(coordinator, xlsx(GOOD_ROWS))
    text = preview.get_data(as_text=True)
    assert "共 3 项任务：新 3 项" in text and "确认导入 3 项新任务" in text
    assert "江阳区" in text and "市水务局" in text
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(RectificationTask.id))) == 0  # nothing before the confirmation
    done = confirm(coordinator, preview)
    assert "已导入：新登记 3 项任务" in done.get_data(as_text=True)
    again = confirm(coordinator, preview)
    assert "已导入：新登记 0 项任务，3 项已在台账中未改动" in again.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(RectificationTask.id))) == 3


def test_an_office_ledger_with_an_unknown_column_goes_through_the_mapping_step(login_as: Login,
                                                                                world: World) -> None:
    coordinator = login_as("coordinator")
    header = tuple("牵头处室" if name == "责任单位" else name for name in HEADER)
    asked = upload(coordinator, ledger_xls([row for row in CITY_LEDGER if "常务副市长" not in row], header),
                   name="清单.xls")
    text = asked.get_data(as_text=True)
    assert "还没有找到这些列：责任单位" in text and "这一列是…？" in text
    answers = {f"column_{index}": "" for index in range(len(header))}
    answers.update(column_0="seq", column_1="problem", column_2="target", column_3="measures", column_4="units",
                   column_5="leader", column_6="deadline", column_7="ignore", profile_name="市整改办清单")
    preview = coordinator.client.post(asked.request.full_path, data={**answers, "csrf_token": csrf(text)},
                                      follow_redirects=True)
    shown = preview.get_data(as_text=True)
    assert "已保存列对应方案「市整改办清单」" in shown and "共 4 项任务：新 4 项" in shown
    assert "「2019年6月」读作 2019-06-30" in shown and "类别行「（二）水污染防治」→ 1. 水污染防治方面" in shown
    assert "跳过（注释行）" in shown and "注意：整改时限 2018-06-30 已过" in shown
    assert world.duban.reporting.import_profiles(world["coordinator"])["市整改办清单"]["牵头处室"] == "units"
    with_profile = upload(coordinator, ledger_xls([row for row in CITY_LEDGER if "常务副市长" not in row], header),
                          name="清单.xls", profile="市整改办清单")
    assert "确认导入 4 项新任务" in with_profile.get_data(as_text=True)


def test_a_bad_upload_lists_every_problem_and_imports_nothing(login_as: Login, world: World) -> None:
    rows = [("1-1", "1", "任务", "目标", "措施", "火星局", "leader", "明天"), ("1-1", "9", "任务", "", "措施", "江阳区",
                                                                          "nobody", "2026-12-31")]
    response = upload(login_as("coordinator"), xlsx(rows), name="bad.xlsx")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "有 6 处问题，不能导入" in text and "确认导入" not in text
    assert "火星局" in text and "（F2）" in text
    not_excel = upload(login_as("coordinator"), b"hello", name="x.xlsx")
    assert "没有找到表头行" in not_excel.get_data(as_text=True)
    pdf = upload(login_as("coordinator"), b"%PDF-1.4\n%\xe2\xe3", name="x.csv")
    assert "文件内容是 pdf" in pdf.get_data(as_text=True)
    assert login_as("coordinator").get("/ledger/import/" + "0" * 64, follow_redirects=True).status_code == 200
    assert login_as("coordinator").get("/ledger/import/../../etc/passwd").status_code == 404
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(RectificationTask.id))) == 0


def test_import_is_for_the_coordinator_only_and_needs_the_token(login_as: Login, app, world: World) -> None:
    assert login_as("supervisor").get("/ledger/import").status_code == 403
    assert "/ledger/import" not in page(login_as("supervisor"), "/ledger")
    preview = upload(login_as("coordinator"), xlsx(GOOD_ROWS))
    assert login_as("supervisor").get(preview.request.full_path).status_code == 403
    forged = login_as("coordinator").client.post(preview.request.full_path.replace("?", "/confirm?"))
    assert "已导入" not in forged.get_data(as_text=True)
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(RectificationTask.id))) == 0
    template = login_as("coordinator").get("/ledger/import/template.xlsx")
    assert template.status_code == 200 and table_of(template.data) == []


def test_the_coordinator_makes_the_monthly_bulletin(login_as: Login, world: World) -> None:
    stage_city(world)
    coordinator = login_as("coordinator")
    preview = page(coordinator, "/bulletin?month=2026-04")
    assert "未按期交账的单位：江阳区" in preview
    response = coordinator.submit("/bulletin?month=2026-04", {"month": "2026-04"}, follow=False)
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "2026年4月通报" in text
    assert login_as("leader").get("/bulletin").status_code == 403
    assert coordinator.get("/bulletin?month=2030-01").status_code == 400


def test_targets_are_shown_with_their_trajectory_and_entered_by_the_coordinator(login_as: Login,
                                                                                  world: World) -> None:
    coordinator = login_as("coordinator")
    created = coordinator.submit("/targets/new", {**PM25, "deadline": "2027-12-31"})
    assert "指标已保存" in created.get_data(as_text=True)
    [view] = world.duban.targets.indicators(world["coordinator"])
    saved = coordinator.submit("/targets/values?period=2026-02", {"period": "2026-02",
                                                                  f"value_{view.indicator.id}": "53.1",
                                                                  f"note_{view.indicator.id}": "1-2月累计"})
    assert "已保存 2026-02 的数据（1 项有变化）" in saved.get_data(as_text=True)
    board = page(login_as("leader"), "/targets")
    assert "落后于目标进度" in board and "<svg" in board and not INLINE_SCRIPT.search(board)
    assert "53.1" in board
    bad = coordinator.submit("/targets/values?period=2026-02", {"period": "2026-02",
                                                                f"value_{view.indicator.id}": "很多"})
    assert "应为数字" in bad.get_data(as_text=True)
    assert login_as("staff").get("/targets").status_code == 403
    assert login_as("supervisor").get("/targets/values").status_code == 403
    with world.duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count()).where(AuditEvent.action == "indicator.value_recorded")) == 1


def test_the_pages_work_before_anything_is_registered(login_as: Login, world: World) -> None:
    leader = login_as("leader")
    assert "还没有登记任务" in page(leader, "/dashboard")
    assert "还没有定义环境质量目标" in page(leader, "/targets")
    assert "没有到期的月度进展" not in page(login_as("coordinator"), "/bulletin")
