"""The administrator's process pages: deploy a file after seeing its diff, migrate instances, the instance console."""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from unittest.mock import patch

from engine.features.processes import versions
from tests.engine.test_process_migration import (
    at_plan_draft,
    changed_rectification,
    rectification_instance,
    without_plan_signing,
)
from tests.factories import ROOT, World, walk_to_reporting
from tests.webui.conftest import Browser

Login = Callable[[str], Browser]


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"|type="hidden" name="{name}" value="([^"]*)"'
                      rf'|id="{name}" name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return html.unescape(next(group for group in match.groups() if group is not None))


def test_a_file_is_checked_shown_as_a_diff_and_deployed_on_confirmation(login_as: Login, world: World) -> None:
    admin = login_as("admin")
    index = admin.get("/admin/processes/").get_data(as_text=True)
    assert "整改任务办理" in index and "第 1 版" in index
    broken = changed_rectification().replace(b'duban:form="plan_draft"', b'duban:form="no_such_form"')
    refused = admin.post_with_token_from("/admin/processes/", "/admin/processes/preview",
                                         {"file": (io.BytesIO(broken), "rectification.bpmn")})
    assert refused.status_code == 200 and "no_such_form" in refused.get_data(as_text=True)

    same = (ROOT / "workflows" / "rectification.bpmn").read_bytes()
    unchanged = admin.post_with_token_from("/admin/processes/", "/admin/processes/preview",
                                           {"file": (io.BytesIO(same), "rectification.bpmn")}).get_data(as_text=True)
    assert 'id="nothing-to-deploy"' in unchanged and "confirm-deploy" not in unchanged
    preview = admin.post_with_token_from("/admin/processes/", "/admin/processes/preview",
                                         {"file": (io.BytesIO(changed_rectification()), "rectification.bpmn")})
    page = preview.get_data(as_text=True)
    assert "将部署为第 2 版，相对当前的第 1 版" in page
    assert "closed_for_good" in page and "重新打开（问题复发等）" in page and "原名：编制整改实施方案" in page
    deployed = admin.post_with_token_from("/admin/processes/", "/admin/processes/deploy", {
        "file_name": hidden(page, "file_name"), "content": hidden(page, "content")}).get_data(as_text=True)
    assert "已部署「整改任务办理」第 2 版" in deployed


def test_migration_lists_first_then_moves(login_as: Login, world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    world.duban.versions.deploy(world["admin"], "rectification.bpmn", changed_rectification())
    admin = login_as("admin")
    url = "/admin/processes/rectification/versions/2/migration"
    dry = admin.get(url).get_data(as_text=True)
    assert "可以迁移：1 个；不能迁移：0 个" in dry and "之后停在：制定整改实施方案" in dry
    before = admin.get(f"/admin/instances/{rectification_instance(world, task_id).id}").get_data(as_text=True)
    assert "当前为第 2 版" in before  # the dry run moved nothing
    moved = admin.submit(url, {}).get_data(as_text=True)
    assert "已迁移 1 个流程实例" in moved
    console = admin.get(f"/admin/instances/{rectification_instance(world, task_id).id}").get_data(as_text=True)
    assert "第 2 版" in console
    assert login_as("supervisor").get(url).status_code == 403


def test_the_console_suspends_resumes_and_moves_back_with_a_reason(login_as: Login, world: World) -> None:
    task_id = at_plan_draft(world, "1-1")
    world.do("staff", task_id, "plan_draft", content="方案", milestones="无", contact="李四")
    instance_id = rectification_instance(world, task_id).id
    admin = login_as("admin")
    url = f"/admin/instances/{instance_id}"
    page = admin.get(url).get_data(as_text=True)
    assert "签发实施方案" in page and "整改任务办理" in page and "<svg" in page

    empty = admin.post_with_token_from(url, f"{url}/suspend", {"reason": " "}).get_data(as_text=True)
    assert "请写明原因" in empty and "suspended-badge" not in empty
    suspended = admin.post_with_token_from(url, f"{url}/suspend", {"reason": "核实来信"}).get_data(as_text=True)
    assert "suspended-badge" in suspended and "暂停流程实例" in suspended
    resumed = admin.post_with_token_from(url, f"{url}/resume", {"reason": "已核实"}).get_data(as_text=True)
    assert "suspended-badge" not in resumed

    step = re.search(r'<option value="([0-9a-f-]{36})">编制整改实施方案</option>', resumed)
    assert step
    moved = admin.post_with_token_from(url, f"{url}/move-back", {"step": step.group(1), "reason": "方案误交"})
    assert "已退回到「编制整改实施方案」" in moved.get_data(as_text=True)
    assert [w.form for w in world.work_for("staff", task_id) if w.form == "plan_draft"] == ["plan_draft"]


def test_moving_back_over_an_action_shows_what_becomes_of_it_before_confirming(login_as: Login, world: World) -> None:
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    instance_id = rectification_instance(world, task_id).id
    admin = login_as("admin")
    url = f"/admin/instances/{instance_id}"
    page = admin.get(url).get_data(as_text=True)
    assert 'id="move-back-effects"' in page and "启动按月交账" in page and "再次执行" in page
    step = re.search(r'<option value="([0-9a-f-]{36})">审核备案实施方案</option>', page)
    assert step
    confirm = admin.post_with_token_from(url, f"{url}/move-back", {"step": step.group(1), "reason": "误备案"})
    shown = confirm.get_data(as_text=True)
    assert 'id="confirm-move-back"' in shown and "启动按月交账" in shown and "可重复执行" in shown
    assert [w.form for w in world.work_for("supervisor", task_id)] == []  # nothing moved yet
    moved = admin.post_with_token_from(url, f"{url}/move-back", {"step": step.group(1), "reason": "误备案",
                                                                  "confirmed": "yes"})
    assert "已退回到「审核备案实施方案」" in moved.get_data(as_text=True)
    assert [w.form for w in world.work_for("supervisor", task_id)] == ["plan_review"]


def test_the_migration_page_counts_all_pages_the_rows_and_filters_them(login_as: Login, world: World) -> None:
    for n in range(1, 4):
        at_plan_draft(world, f"1-{n}")
    signing = at_plan_draft(world, "2-1")
    world.do("staff", signing, "plan_draft", content="方案", milestones="无", contact="李四")
    world.duban.versions.deploy(world["admin"], "rectification.bpmn", without_plan_signing())
    admin = login_as("admin")
    url = "/admin/processes/rectification/versions/2/migration"
    with patch.object(versions, "PAGE_SIZE", 2):
        first = admin.get(url).get_data(as_text=True)
        second = admin.get(f"{url}?page=2").get_data(as_text=True)
    assert "可以迁移：3 个；不能迁移：1 个" in first and 'id="migration-filter"' in first
    assert first.count('<tr class="movable">') == 2 and 'rel="next"' in first
    assert second.count('<tr class="') == 2 and "签发实施方案" in second  # 1-3, then 2-1 refused
    refused = admin.get(f"{url}?show=refused").get_data(as_text=True)
    assert refused.count('<tr class="refused">') == 1 and '<tr class="movable">' not in refused
    assert "新版本没有它正停留的环节：签发实施方案" in html.unescape(refused)
    assert "可以迁移：3 个；不能迁移：1 个" in refused  # the counts are over every instance
    moved = admin.submit(f"{url}?show=movable", {}).get_data(as_text=True)
    assert "已迁移 3 个流程实例，1 个不能迁移" in moved
    after = admin.get(url).get_data(as_text=True)
    assert "可以迁移：0 个；不能迁移：1 个" in after and "run-migration" not in after
