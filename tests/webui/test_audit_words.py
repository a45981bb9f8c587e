"""The audit trail in people's words: every action a label in both languages, local (Beijing) times on the page
and in the CSV, durations written as the summary's language writes them."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from engine.core.text import chinese_duration
from engine.features.audit.labels import ACTION_LABELS, action_label
from engine.store.models import AuditEvent
from tests.engine.test_dashboard_and_bulletin import stage_city
from tests.escalations import propose
from tests.factories import World
from tests.webui.conftest import Browser
from tests.webui.test_reports_web import page
from webui.admin.audit_text import action_text, local_times

Login = Callable[[str], Browser]


def own_label(action: str) -> bool:
    """Labelled by the action itself or the code it extends (signoff.sign.submit), not by its family only."""
    code = action
    while code and code not in ACTION_LABELS:
        code = code.rpartition(".")[0]
    return bool(code)


def busy_city(world: World, login_as: Login) -> None:
    ids = stage_city(world)
    propose(world, ids["overdue"], 1)
    world.do("leader", ids["overdue"], "escalation_approve", decision="approve", comment="同意通报")
    world.tick(hours=1)
    login_as("admin")  # login.success


def test_every_action_recorded_in_months_of_work_has_its_words_in_both_languages(app: Flask, login_as: Login,
                                                                                 world: World) -> None:
    busy_city(world, login_as)
    with world.duban.db.transaction(write=False) as session:
        actions = set(session.scalars(select(AuditEvent.action).distinct()))
    assert len(actions) > 25
    assert {action for action in actions if not own_label(action)} == set()
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            chinese = {action: action_text(action) for action in actions}
        with force_locale("en"):
            english = {action: action_text(action) for action in actions}
    assert chinese["login.success"] == "登录成功" and english["login.success"] == "Logged in"
    untranslated = {action for action in actions if english[action] == chinese[action] or not english[action].isascii()}
    assert untranslated == set()


def test_a_code_of_no_known_kind_is_shown_as_it_is_and_a_family_by_its_name() -> None:
    assert action_label("signoff.sign.back") == ACTION_LABELS["signoff.sign.back"]
    assert action_label("report.something_new") is not None  # 月度进展, the family
    assert action_label("nothing.known") is None


def test_the_audit_page_speaks_in_words_and_local_time(login_as: Login, world: World) -> None:
    busy_city(world, login_as)
    admin = login_as("admin")
    trail = page(admin, "/admin/audit?action=login")
    assert "登录成功" in trail and '<code class="small">login.success</code>' not in trail
    assert "时间（北京时间）" in trail and '<option value="login" selected>登录</option>' in trail
    escalations = page(admin, "/admin/audit?action=escalation")
    assert "批准问责" in escalations and "提出问责建议" in escalations
    assert "+00:00" not in escalations  # before/after instants are local too


def test_the_csv_has_the_words_and_local_times(login_as: Login, world: World) -> None:
    busy_city(world, login_as)
    body = login_as("admin").get("/admin/audit.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    with world.duban.db.transaction(write=False) as session:
        first = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).first()
    assert first is not None
    local = first.at + timedelta(hours=8)
    assert rows[0]["at"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert {row["action_label"] for row in rows if row["action"] == "task.registered"} == {"登记整改任务"}
    assert "+00:00" not in body and all(row["action_label"] for row in rows)


def test_stored_instants_and_durations_read_as_people_write_them() -> None:
    assert local_times({"at": "2026-03-10 01:00:00+00:00", "n": [{"due": "2026-03-10T16:30:00+00:00"}], "d": "x"}) \
        == {"at": "2026-03-10 09:00:00", "n": [{"due": "2026-03-11 00:30:00"}], "d": "x"}
    assert chinese_duration(timedelta(days=1)) == "1天"
    assert chinese_duration(timedelta(days=2, hours=3)) == "2天3小时"
    assert chinese_duration(timedelta(minutes=45)) == "45分钟"
