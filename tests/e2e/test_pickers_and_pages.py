"""What people see in a browser: the unit picker searches and shows what is chosen; registration starts with no
unit and no leader chosen; the dashboard's tables and legends read whole at 1366 px."""
from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.people import Person, Site

People = Callable[..., Person]


def test_the_unit_picker_searches_and_shows_the_chosen_units(site: Site, person: People) -> None:
    coordinator = person("coordinator")
    page = coordinator.open("/tasks/new", "register")
    for name in ("lead_unit_id", "lead_leader_id"):
        assert page.locator(f"#{name}").input_value() == ""  # 请选择: nothing chosen for the person
    control = page.locator("#cooperating_unit_ids-ts-control")
    control.fill("水务")
    options = page.locator("#cooperating_unit_ids-ts-dropdown .option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("市水务局")
    options.first.click()
    coordinator.pick("cooperating_unit_ids", "江阳区")
    chosen = page.locator(".ts-wrapper .item")
    expect(chosen).to_have_count(2)
    expect(chosen.nth(0)).to_contain_text("市水务局")
    expect(chosen.nth(1)).to_contain_text("江阳区")
    coordinator.shot("units-chosen")
    values = page.locator("#cooperating_unit_ids").evaluate("s => [...s.selectedOptions].map(o => o.text)")
    assert values == ["市水务局", "江阳区"]
    control.fill("没有这个单位")
    expect(page.locator("#cooperating_unit_ids-ts-dropdown .no-results")).to_have_text("没有匹配的选项")
    chosen.nth(0).locator(".remove").click()
    expect(chosen).to_have_count(1)


def test_the_dashboard_reads_whole_on_a_laptop_screen(site: Site, person: People) -> None:
    site.world.register("PG-1")
    leader = person("leader")
    leader.page.set_viewport_size({"width": 1366, "height": 768})
    page = leader.open("/dashboard", "dashboard-1366")
    table = page.locator("table.dash-curve")
    header = table.locator("th", has_text="销号率")
    box, frame = header.bounding_box(), table.locator("xpath=..").bounding_box()
    assert box and frame and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1  # not cut off
    sizes = page.eval_on_selector_all(".chart-legend li",
                                      "items => items.map(i => parseFloat(getComputedStyle(i).fontSize))")
    assert sizes and min(sizes) >= 12, sizes


#: the size on screen of each number printed on the dashboard's donuts: its font size times the drawing's scale
DONUT_NUMBERS = """texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


def test_the_donuts_numbers_read_at_12_px_or_more_on_a_laptop_and_a_phone(site: Site, person: People) -> None:
    site.world.register("PG-2")
    laptop = person("leader")
    laptop.page.set_viewport_size({"width": 1366, "height": 768})
    for reader, name in ((laptop, "dashboard-donut-1366"), (person("leader", phone=True), "dashboard-donut-390")):
        page = reader.open("/dashboard", name)
        sizes = page.eval_on_selector_all("svg.chart-donut text.value", DONUT_NUMBERS)
        assert sizes and min(sizes) >= 12, (name, sizes)


def test_the_open_instructions_on_the_dashboard_open_their_tasks_in_the_ledger(site: Site, person: People) -> None:
    world = site.world
    task_id = world.register("PS-1")
    world.duban.instructions.write(world["leader"], {"task_ids": [task_id], "answer_due": "2026-03-20",
                                                     "text": "请加快进度"})
    page = person("leader").open("/dashboard", "dashboard-instructions")
    page.locator('[data-kpi="instructions"] a').click()
    expect(page.locator("#extra-filters")).to_contain_text("有未阅结的领导批示")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr")).to_contain_text("PS-1")
