"""The notification centre in the browser: the unread count in the menu, links to the work, read and unread, the
choices page; and messages in the reader's language."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.roles import RoleModel
from engine.core.settings import Channels, Settings
from engine.features.notifications.notices import post_notice
from engine.store.database import Database
from tests.conftest import WORKFLOWS
from tests.factories import World, assignment, build_world
from tests.outlets import SMTP_LOGIN, smtp_server
from tests.webui.conftest import Browser
from webui import create_app
from webui.i18n import message_translator

Login = Callable[[str], Browser]
MENU_COUNT = re.compile(r'id="notifications-link">通知 <span class="badge text-bg-danger"[^>]*>(\d+)</span>')


def assigned_task(world: World) -> int:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    return task_id


def menu_count(browser: Browser) -> int:
    match = MENU_COUNT.search(browser.get("/inbox").get_data(as_text=True))
    return int(match.group(1)) if match else 0


def test_the_menu_counts_unread_notices_and_the_centre_leads_to_the_work(world: World, login_as: Login) -> None:
    task_id = assigned_task(world)
    staff = login_as("staff")
    assert menu_count(staff) == 1
    centre = staff.get("/notifications").get_data(as_text=True)
    assert "1-1 有新的待办" in centre and "未读" in centre
    [notice_id] = re.findall(r"/notifications/(\d+)/open", centre)
    opened = staff.post_with_token_from("/notifications", f"/notifications/{notice_id}/open", {})
    plan = next(work for work in world.work_for("staff", task_id) if work.form == "plan_draft")
    assert opened.request.path == f"/work/{plan.id}"
    assert menu_count(staff) == 0
    assert menu_count(login_as("other_staff")) == 0  # another unit's officer


def test_mark_all_read_and_a_post_without_the_token_is_refused(world: World, login_as: Login) -> None:
    assigned_task(world)
    staff = login_as("staff")
    assert staff.client.post("/notifications/read-all").status_code == 400
    assert menu_count(staff) == 1
    page = staff.post_with_token_from("/notifications", "/notifications/read-all", {}).get_data(as_text=True)
    assert "已将 1 条通知标为已读" in page
    assert menu_count(staff) == 0


def test_a_reminder_in_the_inbox_is_marked_read_there(world: World, login_as: Login) -> None:
    duban = world.duban
    text, unit = "1-1 请于 2026-04-05 前报送", world.units["jiangyang"]
    duban.transactions.run(lambda s: post_notice(s, duban.settings, duban.clock.now(), None, ("unit_staff",),
                                                 "report_reminder", text, unit))
    staff = login_as("staff")
    inbox = staff.get("/inbox").get_data(as_text=True)
    [notice_id] = re.findall(r"/notifications/(\d+)/read\?back=inbox", inbox)
    assert "未读" in inbox and menu_count(staff) == 1
    page = staff.post_with_token_from("/inbox", f"/notifications/{notice_id}/read?back=inbox", {})
    assert page.request.path == "/inbox"
    shown = page.get_data(as_text=True)
    assert "1-1 请于 2026-04-05 前报送" in shown and "back=inbox" not in shown and menu_count(staff) == 0


def test_the_choices_page_shows_its_errors_and_saves(world: World, login_as: Login) -> None:
    staff = login_as("staff")
    page = staff.get("/notifications/settings").get_data(as_text=True)
    assert "本系统尚未配置电子邮件、短信或群机器人" in page  # the test site has no channel
    refused = staff.submit("/notifications/settings", {"email": "not-an-address", "mobile": "138",
                                                       "quiet_start": "22", "quiet_end": "7"})
    assert "不是有效的电子邮箱地址" in refused.get_data(as_text=True)
    assert "手机号码应为 6 到 15 位数字" in refused.get_data(as_text=True)
    saved = staff.submit("/notifications/settings", {"email": "staff@jiangyang.gov.cn", "mobile": "13800000001",
                                                     "quiet_start": "22", "quiet_end": "7", "digest": "y"})
    assert "通知设置已保存" in saved.get_data(as_text=True)
    chosen = world.duban.notifications.preferences(world["staff"])
    assert (chosen.email, chosen.quiet_start, chosen.quiet_end, chosen.digest) == ("staff@jiangyang.gov.cn", 22, 7,
                                                                                   True)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_an_english_reader_gets_the_message_in_english(db: Database, roles: RoleModel, clock: FakeClock,
                                                       tmp_path: Path) -> None:
    translate = message_translator(create_app({"DUBAN_ENGINE": object(), "SECRET_KEY": "t", "TESTING": True}))
    with smtp_server() as (mailbox, port):
        channels = Channels(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_user=SMTP_LOGIN[0],
                            smtp_password=SMTP_LOGIN[1], smtp_sender="duban@example.gov.cn")
        duban = Duban(db, roles, clock, WORKFLOWS, settings=Settings(channels=channels),
                      storage=tmp_path / "evidence", translate=translate)
        world = build_world(duban)
        world.duban.accounts.set_locale(world["staff"], "en")
        world.duban.notifications.save_preferences(world["staff"], {
            "email": "staff@jiangyang.gov.cn", "quiet_start": 0, "quiet_end": 0, "channels_work": ["email"]})
        assigned_task(world)
        world.tick(seconds=1)
    [mail] = mailbox.messages
    assert mail["Subject"] == "Duban: 1-1"
    body = mail.get_content()
    assert "New work on 1-1" in body and "Step: " in body and "Open: http://127.0.0.1:5000/work/" in body


def test_the_administrator_sees_undelivered_notifications(app: Flask, login_as: Login) -> None:
    page = login_as("admin").get("/admin/notifications").get_data(as_text=True)
    assert "没有发送失败的通知" in page
