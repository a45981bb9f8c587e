"""Notifications that reach people: the notification centre, and messages sent through a real SMTP server and a
local HTTP server standing in for the WeCom and DingTalk robots and an SMS gateway."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.errors import InvalidSubmission
from engine.core.roles import RoleModel
from engine.core.settings import Channels
from engine.features.notifications.notices import post_notice
from engine.store.database import Database
from engine.store.models import HumanTask, HumanTaskStatus, Notice, OutboxStatus
from tests.escalations import register_clue
from tests.factories import World, report_month, sign_off, walk_to_reporting
from tests.notifying import (
    BASE_URL,
    STAFF_MAIL,
    STAFF_MOBILE,
    SUPERVISOR_MOBILE,
    Outlets,
    assigned_task,
    choose,
    notification_outlets,
    outbox,
    post_to,
    world_with,
)
from tests.outlets import Gateway, Mailbox

# the stand-in SMTP server wants a login over a plain connection (the tests have no certificate)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def outlets() -> Iterator[Outlets]:
    with notification_outlets() as outlets:
        yield outlets


@pytest.fixture
def world(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path,
          outlets: Outlets) -> World:
    return world_with(db, roles, clock, tmp_path, outlets[2])


@pytest.fixture
def mailbox(outlets: Outlets) -> Mailbox:
    return outlets[0]


@pytest.fixture
def gateway(outlets: Outlets) -> Gateway:
    return outlets[1]


def test_new_work_reaches_the_unit_officer_by_email_and_sms_once(world: World, mailbox: Mailbox,
                                                                  gateway: Gateway) -> None:
    choose(world, "staff", email=STAFF_MAIL, mobile=STAFF_MOBILE, channels_work=["email", "sms"])
    task_id = assigned_task(world)
    world.tick(seconds=1)
    world.tick(seconds=1)
    work_id = next(work.id for work in world.work_for("staff", task_id) if work.form == "plan_draft")
    assert len(mailbox.messages) == 2  # 签收 and the plan: each new work item once
    mail = next(mail for mail in mailbox.messages if f"/work/{work_id}" in mail.get_content())
    assert mail["To"] == STAFF_MAIL and mail["Subject"] == "督办提醒：1-1"
    body = mail.get_content()
    assert "1-1 有新的待办" in body and f"{BASE_URL}/work/{work_id}" in body and "环节：" in body
    texts = gateway.bodies("/sms")
    assert len(texts) == 2
    assert all(sms["mobiles"] == [STAFF_MOBILE] and "1-1 有新的待办" in sms["text"] for sms in texts)
    assert {message.status for message in outbox(world)} == {OutboxStatus.SENT}


def test_robots_get_their_json_and_the_dingtalk_request_is_signed(world: World, gateway: Gateway) -> None:
    choose(world, "supervisor", mobile=SUPERVISOR_MOBILE, channels_work=["wecom", "dingtalk"])
    task_id = assigned_task(world)
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.tick(seconds=1)
    [wecom] = gateway.bodies("/wecom")
    assert wecom["msgtype"] == "text" and wecom["text"]["mentioned_mobile_list"] == [SUPERVISOR_MOBILE]
    assert wecom["text"]["content"].startswith("督办提醒：1-1\n1-1 有新的待办")
    [dingtalk] = gateway.bodies("/dingtalk")  # the stand-in refuses a request whose signature is wrong
    assert dingtalk["msgtype"] == "text" and dingtalk["at"]["atMobiles"] == [SUPERVISOR_MOBILE]
    assert "1-1 有新的待办" in dingtalk["text"]["content"]


def test_a_server_that_was_down_gets_the_message_once_after_the_backoff(world: World, mailbox: Mailbox) -> None:
    choose(world, "staff", email=STAFF_MAIL, channels_work=["email"])
    mailbox.down = True
    assigned_task(world)
    world.tick(seconds=1)
    messages = outbox(world)  # 签收 and the plan
    assert len(messages) == 2
    assert all(message.status is OutboxStatus.PENDING and message.attempts == 1 and "451" in message.last_error
               for message in messages)
    mailbox.down = False
    world.tick(seconds=30)  # the first retry waits a minute
    assert mailbox.messages == []
    world.tick(minutes=1)
    world.tick(minutes=5)
    assert len(mailbox.messages) == 2
    assert {message.status for message in outbox(world)} == {OutboxStatus.SENT}


def test_after_the_last_attempt_the_administrator_sees_the_failure_and_may_send_it_again(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path,
        outlets: Outlets) -> None:
    world = world_with(db, roles, clock, tmp_path, replace(outlets[2], sms_token="wrong"), notify_attempts=2)
    choose(world, "staff", mobile=STAFF_MOBILE, channels_work=["sms"])
    assigned_task(world)
    world.tick(seconds=1)
    world.tick(minutes=2)
    failure, _receipt = world.duban.notifications.failures(world["admin"])
    assert failure.message.status is OutboxStatus.FAILED and failure.message.attempts == 2
    assert "401" in failure.message.last_error and failure.person == "staff"
    assert "key" not in failure.message.last_error and "token" not in failure.message.last_error
    world.duban.notifications.retry(world["admin"], failure.message.id)
    assert failure.message.id in {message.id for message in outbox(world) if message.status is OutboxStatus.PENDING}
    assert len(world.duban.notifications.failures(world["admin"])) == 1


def test_nothing_is_sent_for_a_step_that_rolled_back(world: World, mailbox: Mailbox) -> None:
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"])
    duban = world.duban

    def step_that_fails(session: Any) -> None:
        post_notice(session, duban.settings, duban.clock.now(), None, ("unit_staff",), "report_reminder", "请报送",
                    world.units["jiangyang"])
        raise RuntimeError("the step failed after its notice")

    with pytest.raises(RuntimeError):
        duban.transactions.run(step_that_fails)
    world.tick(seconds=1)
    assert outbox(world) == [] and mailbox.messages == []


def test_quiet_hours_hold_messages_until_they_end(world: World, mailbox: Mailbox) -> None:
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"], quiet_start=22, quiet_end=7)
    world.go_to(datetime(2026, 3, 10, 23, 0, tzinfo=LOCAL_TZ))
    post_to(world, "unit_staff", "jiangyang", ["1-1 请于 2026-04-05 前报送月度进展"])
    world.tick(hours=7, minutes=59)
    assert mailbox.messages == []
    world.tick(minutes=2)  # 07:01
    assert [mail["Subject"] for mail in mailbox.messages] == ["督办提醒"]


def test_a_daily_digest_sends_one_message_in_the_morning(world: World, mailbox: Mailbox) -> None:
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"], digest=True)
    post_to(world, "unit_staff", "jiangyang", ["1-1 月度进展三日后到期", "1-2 月度进展三日后到期"])
    world.tick(hours=12)
    assert mailbox.messages == []
    world.go_to(datetime(2026, 3, 11, 8, 1, tzinfo=LOCAL_TZ))
    [digest] = mailbox.messages
    assert digest["Subject"] == "督办每日摘要：2 条通知"
    assert "1-1 月度进展三日后到期" in digest.get_content() and "1-2 月度进展三日后到期" in digest.get_content()


def test_a_robot_message_carries_several_notices_within_the_rate_limit(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path,
        outlets: Outlets) -> None:
    _, gateway, channels = outlets
    world = world_with(db, roles, clock, tmp_path, channels, robot_messages_per_minute=2, robot_notices_per_message=3)
    choose(world, "supervisor", channels_reminder=["wecom"])
    post_to(world, "supervisor", None, [f"第 {number} 条提醒" for number in range(1, 9)])
    world.tick(seconds=1)
    assert [len(body["text"]["content"].split("\n\n")) for body in gateway.bodies("/wecom")] == [3, 3]
    world.tick(seconds=20)
    assert len(gateway.bodies("/wecom")) == 2  # two a minute
    world.tick(minutes=1)
    contents = [body["text"]["content"] for body in gateway.bodies("/wecom")]
    assert len(contents) == 3 and contents[2].startswith("督办提醒：2 条通知\n")
    assert all(f"第 {number} 条提醒" in "".join(contents) for number in range(1, 9))


def test_two_sweepers_send_each_message_once(world: World, mailbox: Mailbox) -> None:
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"])
    post_to(world, "unit_staff", "jiangyang", [f"第 {number} 条提醒" for number in range(40)])
    world.duban.clock.advance(seconds=1)  # type: ignore[attr-defined]
    start = threading.Barrier(2)

    def sweep() -> None:
        start.wait()
        world.duban.notifications.deliver_due()

    sweepers = [threading.Thread(target=sweep) for _ in range(2)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join()
    bodies = sorted(mail.get_content().splitlines()[0] for mail in mailbox.messages)
    assert bodies == sorted(f"第 {number} 条提醒" for number in range(40))


def test_the_centre_counts_unread_marks_read_and_resolves_done_work(world: World) -> None:
    centre = world.duban.notifications
    task_id = assigned_task(world)
    assert centre.unread_count(world["staff"]) == 2  # 签收 and the plan
    assert centre.unread_count(world["other_staff"]) == 0  # another unit's officer sees nothing of it
    world.do("staff", task_id, "receipt_sign", decision="receive", reason="")
    assert centre.unread_count(world["staff"]) == 1  # signed for: that notice is resolved
    [entry] = [entry for entry in centre.centre(world["staff"]).entries if not entry.resolved]
    assert entry.notice.text == "1-1 有新的待办" and entry.task_code == "1-1" and not entry.read
    centre.mark_read(world["staff"], entry.notice.id)
    assert centre.unread_count(world["staff"]) == 0
    assert all(entry.read or entry.resolved for entry in centre.centre(world["staff"]).entries)
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    assert all(entry.resolved for entry in centre.centre(world["staff"]).entries)  # the plan is drafted
    assert centre.unread_count(world["head"]) == 1  # the head's signature waits
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    assert centre.unread_count(world["head"]) == 0  # done: no longer unread, though never opened
    post_to(world, "unit_staff", "jiangyang", ["提醒一", "提醒二"])
    assert centre.mark_all_read(world["staff"]) == 3  # the two reminders and the 签收 notice never opened
    assert centre.unread_count(world["staff"]) == 0


def test_work_opened_by_a_hand_proposed_escalation_or_a_new_clue_is_announced(world: World) -> None:
    task_id = world.register()
    before = open_work_ids(world)
    world.duban.escalation.propose(world["supervisor"], task_id, "群众反映排污口仍在直排")
    register_clue(world, task_ids=[task_id])
    with world.duban.db.transaction(write=False) as session:
        opened = session.scalars(select(HumanTask).where(
            HumanTask.status == HumanTaskStatus.OPEN, HumanTask.standing.is_(False),
            HumanTask.id.not_in(before))).all()
        announced = set(session.scalars(select(Notice.work_id).where(Notice.kind == "new_work")))
    assert {work.form for work in opened} >= {"clue_investigate"} and len(opened) >= 2, [w.form for w in opened]
    assert all(work.id in announced for work in opened), [(work.form, work.id) for work in opened]


def open_work_ids(world: World) -> set[int]:
    with world.duban.db.transaction(write=False) as session:
        return set(session.scalars(select(HumanTask.id).where(HumanTask.status == HumanTaskStatus.OPEN)))


def test_choices_are_checked_and_unconfigured_channels_are_not_offered(world: World) -> None:
    with pytest.raises(InvalidSubmission) as refused:
        choose(world, "staff", email="not-an-address", mobile="12ab", channels_work=["fax"], quiet_start=24)
    assert set(refused.value.errors) == {"channels_work", "quiet_start"}
    with pytest.raises(InvalidSubmission) as refused:
        choose(world, "staff", email="not-an-address", mobile="12ab")
    assert set(refused.value.errors) == {"email", "mobile"}
    assert world.duban.notifications.preferences(world["leader"]).digest  # leaders' default


def test_without_channels_only_the_centre_is_used(db: Database, roles: RoleModel, clock: FakeClock,
                                                  tmp_path: Path) -> None:
    world = world_with(db, roles, clock, tmp_path, Channels())
    assigned_task(world)
    world.tick(seconds=1)
    assert outbox(world) == [] and world.duban.notifications.unread_count(world["staff"]) == 2  # 签收, the plan
    assert [field.name for field in world.duban.notifications.preference_fields()][:2] == ["email", "mobile"]
    assert world.duban.notifications.channels() == []


def reminders(world: World, username: str) -> list[str]:
    return [notice.text for notice in world.duban.work.notices(world[username])]


def test_a_report_reminder_resolves_once_the_report_is_submitted_and_may_be_read_before(world: World) -> None:
    centre = world.duban.notifications
    task_id = world.register()
    walk_to_reporting(world, task_id)
    world.next_month()
    [asked] = reminders(world, "staff")
    assert asked.endswith("请于 2026年4月5日 前报送2026年3月月度进展") and reminders(world, "head") == [asked]
    unread = centre.unread_count(world["staff"])
    notice_id = next(entry.notice.id for entry in centre.centre(world["staff"]).entries
                     if entry.notice.kind == "report_requested")
    centre.mark_read(world["staff"], notice_id)
    assert centre.unread_count(world["staff"]) == unread - 1 and reminders(world, "staff") == [asked]
    world.do("staff", task_id, "report_submit", progress="按计划推进", percent_complete=50)
    assert reminders(world, "staff") == [] and reminders(world, "head") == []  # submitted: nothing left to remind
    assert centre.unread_count(world["staff"]) == 0
    assert all(entry.resolved for entry in centre.centre(world["head"]).entries
               if entry.notice.kind == "report_requested")


def test_a_moved_deadline_settles_its_warnings_and_a_signed_off_task_leaves_no_reminder(world: World) -> None:
    task_id = world.register(deadline="2026-04-30")
    walk_to_reporting(world, task_id)
    world.next_month()
    report_month(world, task_id)
    world.go_to(datetime(2026, 5, 1, 0, 1, tzinfo=LOCAL_TZ))
    assert "1-1 已超过整改时限（2026年4月30日），尚未销号" in reminders(world, "staff")
    world.do("supervisor", task_id, "overdue_action", decision="extend", new_deadline="2026-09-30",
             comment="涉及征地拆迁，同意延期")
    assert reminders(world, "staff") == ["1-1 请于 2026年5月5日 前报送2026年4月月度进展"]
    sign_off(world, task_id)  # April's report never sent: the task is closed, its report cycle with it
    assert reminders(world, "staff") == [] and reminders(world, "head") == []
