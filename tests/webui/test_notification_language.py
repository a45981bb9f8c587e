"""Messages wholly in the reader's language: an English reader's e-mails and robot messages carry no Chinese,
their parameters included (the month of a report, a step, a chase method, an escalation level), except the
proper names that have no English name: a unit's name (江阳区) and what people wrote themselves."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from engine.app import Duban
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.roles import RoleModel
from engine.core.settings import Channels, Settings
from engine.core.statuses import EscalationLevel
from engine.core.text import N_, Text
from engine.features.notifications.notices import post_notice
from engine.features.notifications.preferences import CATEGORIES
from engine.store.database import Database
from tests.conftest import WORKFLOWS
from tests.factories import World, city_world, walk_to_reporting
from tests.notifying import notification_outlets
from tests.outlets import Gateway, Mailbox
from webui import create_app
from webui.i18n import message_translator

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: the unit's name has no English name: it stays as it is
UNIT_NAME = "江阳区"
#: the names of units (proper names, with no English in the catalogue) are the only Chinese an English reader gets
UNIT_NAMES = UNIT_NAME + "市水务局"


def english_world(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, channels: Channels) -> World:
    translate = message_translator(create_app({"DUBAN_ENGINE": object(), "SECRET_KEY": "t", "TESTING": True}))
    duban = Duban(db, roles, clock, WORKFLOWS, settings=Settings(channels=channels), storage=tmp_path / "evidence",
                  translate=translate)
    world = city_world(duban)
    everything = {f"channels_{category}": ["email"] for category in CATEGORIES}
    robots = {f"channels_{category}": ["wecom"] for category in CATEGORIES}
    for username, choices in (("staff", everything), ("supervisor", robots), ("coordinator", {})):
        world.duban.accounts.set_locale(world[username], "en")
        world.duban.notifications.save_preferences(world[username], {
            "email": "someone@jiangyang.gov.cn", "mobile": "", "quiet_start": 0, "quiet_end": 0, "digest": False,
            **{f"channels_{category}": [] for category in CATEGORIES}, **choices})
    return world


def han_in(text: str) -> set[str]:
    return set(HAN.findall(text))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_an_english_reader_gets_no_chinese_but_proper_names(db: Database, roles: RoleModel, clock: FakeClock,
                                                             tmp_path: Path) -> None:
    with notification_outlets() as (mailbox, gateway, channels):
        world = english_world(db, roles, clock, tmp_path, channels)
        task_id = world.register()
        walk_to_reporting(world, task_id)
        # an escalation is open, so the overdue report is chased rather than proposed for escalation
        world.duban.escalation.propose(world["supervisor"], task_id, "sewage still seen at the outfall")
        world.next_month()  # last month's report is requested
        today = clock.now().astimezone(LOCAL_TZ).date()
        world.go_to(datetime.combine(today.replace(day=7), time(9), LOCAL_TZ))  # reminded, then overdue
        world.do("supervisor", task_id, "report_chase", method="phone", note="called the office at 10:00")
        post_escalation_notice(world, task_id)
        world.tick(seconds=1)
        assert_english(mailbox, gateway)


def post_escalation_notice(world: World, task_id: int) -> None:
    """What the approval of an escalation tells the unit, naming the unit and the level."""
    duban = world.duban
    text = N_("%(code)s 经牵头市领导批准，对%(unit)s予以%(level)s", code="1-1", unit=Text(UNIT_NAME),
              level=EscalationLevel.INTERVIEW.label)
    duban.transactions.run(lambda s: post_notice(s, duban.settings, duban.clock.now() - timedelta(seconds=1),
                                                 task_id, ("unit_staff",), "escalation_approved", text,
                                                 world.units["jiangyang"]))


def assert_english(mailbox: Mailbox, gateway: Gateway) -> None:
    mails = {mail["Subject"] + "\n" + mail.get_content() for mail in mailbox.messages}
    robot = {body["text"]["content"] for body in gateway.bodies("/wecom")}
    said = "\n\n".join(sorted(mails | robot))
    for expected in ("New work on 1-1", "Step: Report monthly progress", "for " + month_words(), "is due on",
                     "is overdue", "(Phone reminder): called the office at 10:00",
                     "approved Formal interview for 江阳区"):
        assert expected in said, (expected, said)
    assert han_in(said) <= set(UNIT_NAMES), said
    assert robot and all(han_in(text) <= set(UNIT_NAMES) for text in robot), robot


def month_words() -> str:
    return "March 2026"  # the test city's clock starts in March 2026; the first report is for it
