"""Sending the outbox once: a claim names its sweep and lasts a lease, a sweep that died after its claim has its
messages sent once the lease is over, two sweeps never send one message twice nor spend a robot's allowance twice,
and a robot never gets more than its allowance in any 60 seconds of the clock."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from engine.core.clock import FakeClock
from engine.core.roles import RoleModel
from engine.features.notifications import claims, delivery
from engine.store.database import Database
from engine.store.models import OutboxStatus
from tests.factories import World
from tests.notifying import STAFF_MAIL, STAFF_MOBILE, Outlets, choose, notification_outlets, outbox, post_to, world_with
from tests.outlets import Gateway

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def outlets() -> Iterator[Outlets]:
    with notification_outlets() as outlets:
        yield outlets


def at_once(work: Callable[[], object], sweeps: int = 2) -> None:
    """Run the work in several threads started together (several sweeps of several servers)."""
    start = threading.Barrier(sweeps)

    def run() -> None:
        start.wait()
        work()

    threads = [threading.Thread(target=run) for _ in range(sweeps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_sweep_that_died_after_its_claim_has_its_messages_sent_once_the_lease_is_over(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets) -> None:
    mailbox, _, channels = outlets
    world = world_with(db, roles, clock, tmp_path, channels)
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"])
    post_to(world, "unit_staff", "jiangyang", ["提醒一", "提醒二"])
    duban = world.duban
    clock.advance(seconds=1)
    taken = duban.transactions.run(lambda s: claims.claim(s, clock.now(), duban.settings, ["email"], "dead", "dead/0"))
    assert len(taken) == 2 and {message.claimed_by for message in outbox(world)} == {"dead"}
    world.tick(minutes=claims.CLAIM_MINUTES - 1)
    assert mailbox.messages == []  # still the dead sweep's
    world.tick(minutes=1)
    assert sorted(mail.get_content().splitlines()[0] for mail in mailbox.messages) == ["提醒一", "提醒二"]
    assert {message.status for message in outbox(world)} == {OutboxStatus.SENT}
    assert "dead" not in {message.claimed_by for message in outbox(world)}
    world.tick(minutes=claims.CLAIM_MINUTES * 2)
    assert len(mailbox.messages) == 2


def test_two_sweeps_on_a_slow_server_send_each_message_once(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets,
        monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox, _, channels = outlets
    world = world_with(db, roles, clock, tmp_path, channels)
    choose(world, "staff", email=STAFF_MAIL, channels_reminder=["email"])
    post_to(world, "unit_staff", "jiangyang", [f"第 {number} 条提醒" for number in range(24)])
    monkeypatch.setattr(claims, "CLAIM_SIZE", 4)  # many small claims, so the two sweeps take turns
    mailbox.delay = 0.01
    clock.advance(seconds=1)
    at_once(world.duban.notifications.deliver_due)
    bodies = sorted(mail.get_content().splitlines()[0] for mail in mailbox.messages)
    assert bodies == sorted(f"第 {number} 条提醒" for number in range(24))
    assert {message.status for message in outbox(world)} == {OutboxStatus.SENT}


def test_two_sweeps_never_spend_a_robots_allowance_twice(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets) -> None:
    _, gateway, channels = outlets
    world = world_with(db, roles, clock, tmp_path, channels, robot_messages_per_minute=3,
                       robot_notices_per_message=1)
    choose(world, "supervisor", channels_reminder=["wecom"])
    post_to(world, "supervisor", None, [f"第 {number} 条提醒" for number in range(12)])
    clock.advance(seconds=1)
    at_once(world.duban.notifications.deliver_due)
    assert len(gateway.bodies("/wecom")) == 3


def robot_world(db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, gateway: Gateway,
                outlets: Outlets) -> World:
    """A robot that takes four messages a minute, two notices each; each post takes 7 s of the clock."""
    world = world_with(db, roles, clock, tmp_path, outlets[2], robot_messages_per_minute=4,
                       robot_notices_per_message=2)
    gateway.clock, gateway.post_seconds = clock, 7
    choose(world, "supervisor", channels_reminder=["wecom"])
    return world


def busiest_minute(gateway: Gateway) -> int:
    """The most posts in any 60 seconds of the clock."""
    times = sorted(when for path, when in gateway.times if path == "/wecom")
    return max(sum(1 for other in times if start <= other < start + timedelta(seconds=60)) for start in times)


def test_a_robot_never_gets_more_than_its_allowance_in_any_60_seconds(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets) -> None:
    gateway = outlets[1]
    world = robot_world(db, roles, clock, tmp_path, gateway, outlets)
    post_to(world, "supervisor", None, [f"第 {number} 条提醒" for number in range(20)])
    for minute in range(8):
        if minute == 2:
            post_to(world, "supervisor", None, [f"第 {number} 条提醒" for number in range(20, 26)])
        for _ in range(6):
            world.tick(seconds=10)
    assert busiest_minute(gateway) == 4  # the allowance, used in full and never passed
    contents = "\n\n".join(body["text"]["content"] for body in gateway.bodies("/wecom"))
    for number in range(26):
        assert contents.count(f"第 {number} 条提醒\n") == 1, number
    assert {message.status for message in outbox(world)} == {OutboxStatus.SENT}


def test_a_robot_that_was_down_counts_its_failed_posts_too(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets) -> None:
    gateway = outlets[1]
    world = robot_world(db, roles, clock, tmp_path, gateway, outlets)
    gateway.down = True
    post_to(world, "supervisor", None, [f"第 {number} 条提醒" for number in range(16)])
    world.tick(seconds=1)
    [message, *_] = outbox(world)
    assert message.attempts == 1 and message.attempted_at is not None and "503" in message.last_error
    with world.duban.db.transaction(write=False) as session:
        assert claims.posts_within(session, "wecom", clock.now()) == 4  # 4 posts refused: the minute is spent


def test_a_sweep_sends_nothing_once_its_lease_is_over(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets,
        monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = outlets[1]
    world = world_with(db, roles, clock, tmp_path, outlets[2])
    choose(world, "staff", mobile=STAFF_MOBILE, channels_reminder=["sms"])
    post_to(world, "unit_staff", "jiangyang", [f"第 {number} 条提醒" for number in range(5)])
    gateway.clock, gateway.post_seconds = clock, 4 * 60  # a gateway so slow that the claim runs out after 3
    monkeypatch.setattr(delivery, "PASS_CLAIMS", 1)
    clock.advance(seconds=1)
    result = world.duban.notifications.deliver_due()
    assert result.sent == 3 and len(gateway.bodies("/sms")) == 3
    assert [message.status for message in outbox(world)][3:] == [OutboxStatus.PENDING] * 2
    world.duban.notifications.deliver_due()  # the next sweep: the claim is over, so it takes them
    texts = sorted(body["text"].splitlines()[1] for body in gateway.bodies("/sms"))
    assert texts == sorted(f"第 {number} 条提醒" for number in range(5))


def test_a_robot_says_a_notice_once_to_all_its_readers_even_at_the_end_of_its_allowance(
        db: Database, roles: RoleModel, clock: FakeClock, tmp_path: Path, outlets: Outlets) -> None:
    gateway = outlets[1]
    world = world_with(db, roles, clock, tmp_path, outlets[2], robot_messages_per_minute=1,
                       robot_notices_per_message=1)
    for username, mobile in (("leader", "13700000001"), ("leader2", "13700000002")):
        choose(world, username, mobile=mobile, channels_reminder=["wecom"])
    post_to(world, "leader", None, ["第 1 条提醒", "第 2 条提醒"])
    for _ in range(4):
        world.tick(seconds=40)
    posts = gateway.bodies("/wecom")
    assert [post["text"]["content"].splitlines()[1] for post in posts] == ["第 1 条提醒", "第 2 条提醒"]
    assert all(post["text"]["mentioned_mobile_list"] == ["13700000001", "13700000002"] for post in posts)
