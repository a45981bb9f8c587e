"""The dashboard as people read it: legends in the page's type, the curve's table whole, the escalations under way
one click from their register; the bulletin's escalation figure one click from the register too."""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from tests.engine.test_dashboard_and_bulletin import stage_city
from tests.escalations import propose
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_languages import switch
from tests.webui.test_reports_web import page

Login = Callable[[str], Browser]
REGISTER_TOTAL = re.compile(r'督办问责 <span class="badge text-bg-secondary">(\d+)</span>')
CSS = Path(__file__).parents[2] / "webui" / "static" / "css" / "duban.css"


def approved_escalation(world: World) -> dict[str, int]:
    ids = stage_city(world)  # escalations of 1-2 and 2-2 proposed, none approved
    propose(world, ids["overdue"], 1)
    world.do("leader", ids["overdue"], "escalation_approve", decision="approve", comment="同意通报")
    world.tick(hours=1)
    return ids


def register_total(browser: Browser, url: str) -> int:
    found = REGISTER_TOTAL.search(page(browser, url))
    assert found, url
    return int(found.group(1))


def test_escalations_under_way_open_the_register_filtered_alike(login_as: Login, world: World) -> None:
    approved_escalation(world)
    leader = login_as("leader")
    board = page(leader, "/dashboard")
    found = re.search(r'data-kpi="escalations"><a href="([^"]+)" class="dash-number">(\d+)</a>', board)
    assert found, "问责（进行中） is a link"
    url, count = html.unescape(found.group(1)), int(found.group(2))
    assert count == 1 and "status=under_way" in url
    assert register_total(leader, url) == 1
    assert register_total(leader, "/escalations") == 2  # the other one waits for a proposal: not under way


def test_chart_legends_are_written_in_the_page_not_shrunk_in_the_drawing(login_as: Login, world: World) -> None:
    stage_city(world)
    board = page(login_as("coordinator"), "/dashboard")
    assert 'class="legends"' not in board  # pygal's own legend, scaled down with the drawing, is gone
    legends = re.findall(r'<ul class="chart-legend"[^>]*>(.*?)</ul>', board, re.S)
    assert len(legends) >= 6
    assert all(label in legends[0] for label in ("未启动", "推进中", "待销号", "已销号"))
    rule = re.search(r"\.chart-legend \{[^}]*font-size: ([\d.]+)rem", CSS.read_text(encoding="utf-8"))
    assert rule and float(rule.group(1)) * 16 >= 12


def test_the_curve_table_has_the_full_width_for_its_columns(login_as: Login, world: World) -> None:
    stage_city(world)
    board = page(login_as("leader"), "/dashboard")
    column = re.search(r'<div class="([^"]+)">\s*<table class="[^"]*dash-curve', board)
    assert column and "col-12" in column.group(1) and "col-xl-5" not in column.group(1)


def test_the_bulletin_links_its_escalations_to_the_register(login_as: Login, world: World) -> None:
    approved_escalation(world)
    coordinator = login_as("coordinator")
    preview = page(coordinator, "/bulletin?month=2026-04")
    figures = re.search(r"本月启动督办问责 (\d+) 次，经领导批准实施问责措施 (\d+) 次", preview)
    assert figures
    link = re.search(r'<a href="([^"]+)">查看本月启动的督办问责</a>', preview)
    assert link
    assert register_total(coordinator, html.unescape(link.group(1))) == int(figures.group(1)) == 2
    assert register_total(coordinator, "/escalations?approved=2026-04") == int(figures.group(2)) == 1
    assert "2026-04 启动的督办问责" in page(coordinator, "/escalations?opened=2026-04")


def test_a_summary_counted_by_the_sweep_says_when_it_was_counted(login_as: Login, world: World) -> None:
    from tests.engine.test_dashboard_summary import summarising

    stage_city(world)
    assert "每分钟统计一次" not in page(login_as("leader"), "/dashboard")  # a city counted at each visit
    summarising(world).reporting.refresh_dashboard()
    leader = login_as("leader")
    board = page(leader, "/dashboard")
    assert "截至 2026年" in board and "每分钟统计一次" in board
    assert page(leader, "/dashboard") == board  # its charts drawn once, the same again
    english = switch(leader, "/dashboard", "en")
    assert "counted every minute" in english
    legends = re.findall(r'<ul class="chart-legend"[^>]*>(.*?)</ul>', english, re.S)
    assert legends and "未启动" not in legends[0]  # drawn again for a reader of another language
