"""Refused requests: the trail keeps one event per person, route and minute; the admin sees every one counted."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from engine.core.clock import local_today
from tests.factories import World
from tests.webui.conftest import Browser

ROW = re.compile(r"<tr>\s*<td[^>]*>([\d-]+)</td>\s*<td>([^<]*) <code[^>]*>([^<]+)</code></td>\s*"
                 r"<td><code[^>]*>([^<]+)</code></td>\s*<td[^>]*>(\d+)</td>")


def counted(html: str) -> list[tuple[str, str, str, int]]:
    """The refusals table: (day, username, route, count) per row."""
    return [(day, username, route.replace("&lt;", "<").replace("&gt;", ">"), int(count))
            for day, _, username, route, count in ROW.findall(html)]


def test_every_refusal_is_counted_per_person_route_and_day(login_as: Callable[[str], Browser], world: World) -> None:
    staff = login_as("staff")
    for missing in range(1000, 1060):
        assert staff.get(f"/tasks/{missing}").status_code == 404
    assert staff.get("/admin/users").status_code == 403
    today = local_today(world.duban.clock).isoformat()
    world.duban.clock.advance(days=1)  # type: ignore[attr-defined]
    assert login_as("staff").get("/tasks/1000").status_code == 404
    tomorrow = local_today(world.duban.clock).isoformat()
    admin = login_as("admin")
    html = admin.get("/admin/audit?action=access.refused").get_data(as_text=True)
    assert "被拒绝的访问：按人员、路径和日期计数" in html
    assert counted(html) == [(tomorrow, "staff", "GET /tasks/<int:task_id>", 1),
                             (today, "staff", "GET /tasks/<int:task_id>", 60),
                             (today, "staff", "GET /admin/users", 1)]
    only_yesterday = admin.get(f"/admin/audit?action=access&since={today}&until={today}").get_data(as_text=True)
    assert [row[3] for row in counted(only_yesterday)] == [60, 1]
    assert "被拒绝的访问：按人员" not in admin.get("/admin/audit").get_data(as_text=True)  # only when asked
    assert "所选日期内没有被拒绝的访问" in admin.get(
        f"/admin/audit?action=access.refused&until={(world.duban.clock.now() - timedelta(days=30)).date()}"
    ).get_data(as_text=True)
