"""What the tests of notifications share: the stand-in outlets, a city whose people choose their channels, notices
posted by hand and the outbox read back."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.app import Duban
from engine.core.clock import FakeClock
from engine.core.roles import RoleModel
from engine.core.settings import Channels, Settings
from engine.features.notifications.notices import post_notice
from engine.features.notifications.preferences import CATEGORIES
from engine.store.database import Database
from engine.store.models import OutboxMessage
from tests.conftest import WORKFLOWS
from tests.factories import World, assignment, city_world
from tests.outlets import DINGTALK_SECRET, SMS_TOKEN, SMTP_LOGIN, Gateway, Mailbox, http_gateway, smtp_server

BASE_URL = "https://duban.example.gov.cn"
STAFF_MAIL, STAFF_MOBILE, SUPERVISOR_MOBILE = "staff@jiangyang.gov.cn", "13800000001", "13900000002"
Outlets = tuple[Mailbox, Gateway, Channels]


@contextmanager
def notification_outlets() -> Iterator[Outlets]:
    """A real SMTP server (plain, with a login) and the HTTP stand-in for the robots and the SMS gateway."""
    with smtp_server() as (mailbox, port), http_gateway() as (gateway, url):
        yield mailbox, gateway, Channels(
            base_url=BASE_URL, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
            smtp_user=SMTP_LOGIN[0], smtp_password=SMTP_LOGIN[1], smtp_sender="duban@example.gov.cn",
            wecom_webhook=f"{url}/wecom?key=k", dingtalk_webhook=f"{url}/dingtalk?access_token=t",
            dingtalk_secret=DINGTALK_SECRET, sms_webhook=f"{url}/sms", sms_token=SMS_TOKEN, timeout_seconds=5)


def world_with(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, channels: Channels,
               **settings: Any) -> World:
    """A small city whose people want nothing on any channel (the robots reach the coordinators and supervisors
    by default) until a test chooses for them."""
    world = city_world(Duban(db, roles, clock, WORKFLOWS, settings=Settings(channels=channels, **settings),
                              storage=tmp_path / "evidence"))
    for username in ("coordinator", "supervisor"):
        choose(world, username)
    return world


def choose(world: World, username: str, **choices: Any) -> None:
    """The person's choices: nothing on any channel unless given."""
    data: dict[str, Any] = {"email": "", "mobile": "", "quiet_start": 0, "quiet_end": 0, "digest": False}
    data.update({f"channels_{category}": [] for category in CATEGORIES})
    data.update(choices)
    world.duban.notifications.save_preferences(world[username], data)


def assigned_task(world: World) -> int:
    task_id = world.register()
    world.do("coordinator", task_id, "assign", **assignment(world))
    return task_id


def post_to(world: World, role: str, unit: str | None, texts: list[str], kind: str = "report_reminder") -> None:
    duban = world.duban
    duban.transactions.run(lambda s: [post_notice(s, duban.settings, duban.clock.now(), None, (role,), kind, text,
                                                  world.units[unit] if unit else None) for text in texts])


def outbox(world: World) -> list[OutboxMessage]:
    with world.duban.db.transaction(write=False) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
