"""What time does, as people see it in the browser: colours, reminders, chasing, overdue action."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from engine.core.clock import LOCAL_TZ
from tests.factories import World, walk_to_reporting
from tests.webui.conftest import Browser
from tests.webui.test_lifecycle_web import do_step, inbox_links

Login = Callable[[str], Browser]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def test_overdue_report_shows_yellow_and_the_supervisor_chases_it(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    world.duban.escalation.propose(world["supervisor"], task_id, "现场检查发现仍有直排")  # open: it absorbs the slip
    world.go_to(at("2026-04-02T08:00"))
    staff = login_as("staff")
    inbox = staff.get("/inbox").get_data(as_text=True)
    assert "填报月度进展" in inbox and "将于 2026年4月5日 到期" in inbox  # the reminder
    world.go_to(at("2026-04-06T08:00"))
    ledger = login_as("supervisor").get("/ledger").get_data(as_text=True)
    assert "黄：2026-03 月度进展逾期未报" in ledger
    assert "已逾期" in login_as("staff").get("/inbox").get_data(as_text=True)
    supervisor = login_as("supervisor")
    do_step(supervisor, "催报", {"method": "phone", "note": "已电话联系，承诺两日内报送"})
    page = supervisor.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "电话催报 2026-03 月度进展：已电话联系" in page


def test_passed_deadline_is_red_and_an_extension_needs_a_date(login_as: Login, world: World) -> None:
    task_id = world.register(deadline="2026-03-31")
    walk_to_reporting(world, task_id)
    world.go_to(at("2026-04-01T09:00"))
    supervisor = login_as("supervisor")
    assert "红：已超整改时限 1 天" in supervisor.get(f"/tasks/{task_id}").get_data(as_text=True)
    work_id = inbox_links(supervisor)["超期督办"]
    refused = supervisor.submit(f"/work/{work_id}", {"decision": "extend", "comment": "同意"})
    assert "同意延期时须填写新的整改时限" in refused.get_data(as_text=True)
    do_step(supervisor, "超期督办", {"decision": "extend", "new_deadline": "2026-10-31", "comment": "同意延期"})
    page = supervisor.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "2026-10-31" in page and "同意延期" in page
    assert "红：" not in page


def test_the_admin_sees_and_retries_an_incident(login_as: Login, world: World,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)

    def broken(step: Any, data: dict[str, Any]) -> None:
        raise RuntimeError("mail server down")

    original = world.duban.registry.actions["open_report"]
    monkeypatch.setitem(world.duban.registry.actions, "open_report", broken)
    world.go_to(at("2026-04-01T01:00"))
    admin = login_as("admin")
    page = admin.get("/admin/incidents/").get_data(as_text=True)
    assert "RuntimeError: mail server down" in page
    assert login_as("supervisor").get("/admin/incidents/").status_code == 403
    monkeypatch.setitem(world.duban.registry.actions, "open_report", original)
    incident_id = world.duban.work.incidents(world["admin"])[0].id
    response = admin.post_with_token_from("/admin/incidents/", f"/admin/incidents/{incident_id}/retry", {})
    assert "重试成功" in response.get_data(as_text=True)
    assert "填报月度进展" in inbox_links(login_as("staff"))


def test_the_demo_clock_moves_time_forward_and_fires_timers(duban: Any, world: World) -> None:
    from engine.app import Duban
    from engine.core.clock import OffsetClock
    from engine.demo.clock import TimeMachine
    from webui import create_app

    demo = Duban(duban.db, duban.roles, OffsetClock(duban.clock), duban.workflow_files)  # DUBAN_DEMO_CLOCK=1
    demo.init_database()
    world.duban = demo
    app = create_app({"DUBAN_ENGINE": demo, "DUBAN_TIME_MACHINE": TimeMachine, "SECRET_KEY": "t", "TESTING": True})
    task_id = world.register(deadline="2027-12-31")
    walk_to_reporting(world, task_id)
    admin = Browser(app.test_client())
    admin.submit("/login", {"username": "admin", "password": "Secret-pass-1"})
    assert "演示时间 2026年3月10日" in admin.get("/admin/clock/").get_data(as_text=True)
    page = admin.submit("/admin/clock/", {"days": "30"}).get_data(as_text=True)
    assert "演示时间 2026年4月9日" in page and "定时事件：触发 1 个，失败 0 个" in page
    trail = admin.get("/admin/audit?action=demo").get_data(as_text=True)
    assert "演示时钟前进30天：2026-03-10 09:00 → 2026-04-09 09:00（北京时间）" in trail and "days," not in trail
    staff = Browser(app.test_client())
    staff.submit("/login", {"username": "staff", "password": "Secret-pass-1"})
    assert "填报月度进展" in staff.get("/inbox").get_data(as_text=True)
    assert staff.get("/admin/clock/").status_code == 403


def test_the_demo_clock_does_not_exist_outside_demo_mode(login_as: Login) -> None:
    assert login_as("admin").get("/admin/clock/").status_code == 404


def test_a_day_in_a_reminder_reads_as_chinese_text_writes_it_and_in_english_as_iso(app: Any) -> None:
    from datetime import date

    from flask_babel import force_locale

    from engine.core.periods import period_text
    from engine.core.text import N_, marked_date
    from webui.i18n import translated

    reminder = N_("%(code)s %(period)s月度进展将于 %(due)s 到期，请抓紧报送", code="1-1", period=period_text("2027-01"),
                  due=marked_date(date(2027, 1, 5)))
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert translated(reminder) == "1-1 2027年1月月度进展将于 2027年1月5日 到期，请抓紧报送"
        with force_locale("en"):
            assert "2027-01-05" in translated(reminder) and "年" not in translated(reminder)
