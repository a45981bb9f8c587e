"""全程留痕: the audit trail is append-only and hash-chained; any edit, deletion or insertion shows."""
from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import FakeClock
from engine.core.errors import PermissionDenied
from engine.core.roles import RoleModel
from engine.features.accounts import users
from engine.store.audit import GENESIS, HASHED_FIELDS, event_hash, record, verify_chain
from engine.store.database import Database
from engine.store.models import AuditChain, AuditEvent
from tests.conftest import START, WORKFLOWS
from tests.factories import CHEAP_HASHER, World, build_world, walk_to_reporting
from webui.cli import main

Tamper = Callable[[Database], None]


def busy_world(world: World) -> None:
    """A task walked to monthly reporting, a refused attempt and two logins: a few dozen events."""
    task_id = world.register("1-1")
    walk_to_reporting(world, task_id)
    world.duban.accounts.refuse(world["staff"], "GET /tasks/99", "没有找到这项整改任务")
    world.duban.accounts.login("staff", "wrong-password-1", "10.0.0.7")
    world.duban.accounts.login("head", "Secret-pass-1", "10.0.0.8")


def report(db: Database):  # type: ignore[no-untyped-def]
    with db.transaction(write=False) as session:
        return verify_chain(session)


def events(db: Database) -> list[AuditEvent]:
    with db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def raw(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def drop_triggers(db: Database) -> None:
    """What someone editing the database by hand would do first."""
    if db.is_sqlite:
        raw(db, "DROP TRIGGER audit_events_no_update")
        raw(db, "DROP TRIGGER audit_events_no_delete")
    else:
        raw(db, "DROP TRIGGER audit_events_append_only ON audit_events")


def test_every_event_links_to_the_one_before(world: World) -> None:
    busy_world(world)
    chain = events(world.duban.db)
    assert [event.seq for event in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))
    assert all(event.hash == event_hash(event) for event in chain)
    result = report(world.duban.db)
    assert result.ok and result.events == len(chain) and result.head_hash == chain[-1].hash
    failure = next(event for event in chain if event.action == "login.failure")
    assert (failure.actor_username, failure.client_addr, failure.object_type) == ("staff", "10.0.0.7", "user")


def test_the_hash_covers_every_field(world: World) -> None:
    event = events(world.duban.db)[-1]
    changed = {"seq": 999, "at": event.at + timedelta(seconds=1), "actor_id": 77, "unit_id": 3, "task_id": 5,
               "before": {"x": 1}, "after": {"y": 2}, "prev_hash": "f" * 64}
    for name in HASHED_FIELDS:
        original = event_hash(event)
        saved = getattr(event, name)
        setattr(event, name, changed.get(name, f"{saved}!"))
        assert event_hash(event) != original, name
        setattr(event, name, saved)


def test_the_database_refuses_to_change_or_delete_an_event(busy_db: Database) -> None:
    for statement in ("UPDATE audit_events SET summary = '改过' WHERE seq = 3",
                      "DELETE FROM audit_events WHERE seq = 3"):
        with pytest.raises(DatabaseError, match="append-only"):
            raw(busy_db, statement)
    assert report(busy_db).ok


def edit_summary(db: Database) -> None:
    raw(db, "UPDATE audit_events SET summary = '实施方案予以备案' WHERE seq = 5")


def edit_and_rehash(db: Database) -> None:
    """A cleverer edit: the row's own hash is recomputed, so only the next link shows it."""
    event = events(db)[4]
    event.actor_name = "另一个人"
    raw(db, "UPDATE audit_events SET actor_name = :name, hash = :hash WHERE seq = 5",
        name=event.actor_name, hash=event_hash(event))


def delete_one(db: Database) -> None:
    raw(db, "DELETE FROM audit_events WHERE seq = 5")


def delete_newest(db: Database) -> None:
    raw(db, "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")


def insert_after_head(db: Database) -> None:
    """A forged event appended with a correct link and hash, but the head knows nothing of it."""
    last = events(db)[-1]
    forged = AuditEvent(seq=last.seq + 1, at=last.at, actor_id=None, actor_username="leader", actor_name="leader",
                        role="leader", unit_id=None, action="signoff.approve.approve", object_type="signoff",
                        object_id="1", task_id=last.task_id, summary="同意销号", before=None, after=None,
                        client_addr="", prev_hash=last.hash)
    forged.hash = event_hash(forged)
    raw(db, "INSERT INTO audit_events (seq, at, actor_username, actor_name, role, action, object_type, object_id, "
            "summary, client_addr, prev_hash, hash) VALUES (:seq, :at, 'leader', 'leader', 'leader', "
            "'signoff.approve.approve', 'signoff', '1', '同意销号', '', :prev, :hash)",
        seq=forged.seq, at=last.at.replace(tzinfo=None), prev=forged.prev_hash, hash=forged.hash)


def insert_in_the_middle(db: Database) -> None:
    """Make room by moving the later events up one seq, and slip a forged event into the gap."""
    last = events(db)[-1].seq
    for seq in range(last, 5, -1):
        raw(db, "UPDATE audit_events SET seq = seq + 1 WHERE seq = :seq", seq=seq)
    raw(db, "UPDATE audit_chain SET seq = seq + 1")
    raw(db, "INSERT INTO audit_events (seq, at, actor_username, actor_name, role, action, object_type, object_id, "
            "summary, client_addr, prev_hash, hash) SELECT 6, at, actor_username, actor_name, role, action, "
            "object_type, object_id, '补记', client_addr, hash, hash FROM audit_events WHERE seq = 5")


@pytest.fixture(scope="module")
def busy_file(tmp_path_factory: pytest.TempPathFactory, roles: RoleModel) -> Path:
    """One busy database for the tampering tests; each test tampers with its own copy."""
    path = tmp_path_factory.mktemp("busy") / "duban.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP_HASHER)
        duban = Duban(Database(f"sqlite:///{path}"), roles, FakeClock(START), WORKFLOWS)
        busy_world(build_world(duban))
        duban.db.dispose()
    return path


@pytest.fixture
def busy_db(busy_file: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "tampered.sqlite3"
    with closing(sqlite3.connect(busy_file)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    database = Database(f"sqlite:///{copy}")
    yield database
    database.dispose()


@pytest.mark.parametrize(("tamper", "seq", "words"), [
    (edit_summary, 5, "内容已被改动"),
    (edit_and_rehash, 6, "链接断裂"),
    (delete_one, 6, "缺失事件 #5"),
    (delete_newest, None, "缺失末尾事件"),
    (insert_after_head, None, "不是由本系统写入"),
    (insert_in_the_middle, 6, "内容已被改动"),
], ids=lambda value: getattr(value, "__name__", None))
def test_verify_finds_the_first_broken_link(busy_db: Database, tamper: Tamper, seq: int | None, words: str) -> None:
    count = len(events(busy_db))
    drop_triggers(busy_db)
    tamper(busy_db)
    result = report(busy_db)
    assert not result.ok
    assert words in (result.problem or "")
    assert result.at_seq == (seq if seq is not None else count if tamper is delete_newest else count + 1)


def test_an_anchor_catches_a_chain_rewritten_from_scratch(busy_db: Database) -> None:
    anchor = events(busy_db)[9]
    drop_triggers(busy_db)
    edit_summary(busy_db)
    with busy_db.transaction() as session:  # recompute every hash and the head, as a forger would
        previous = GENESIS
        rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        for event in rows:
            event.prev_hash = previous
            event.hash = previous = event_hash(event)
        session.get_one(AuditChain, 1).hash = previous
    assert report(busy_db).ok  # self-consistent again ...
    with busy_db.transaction(write=False) as session:
        anchored = verify_chain(session, {anchor.seq: anchor.hash})  # ... but not with what was noted before
    assert not anchored.ok and anchored.at_seq == anchor.seq and "锚点" in (anchored.problem or "")


def test_a_failed_use_case_leaves_no_event_and_no_gap(world: World) -> None:
    before = report(world.duban.db)
    with pytest.raises(PermissionDenied):
        world.duban.accounts.create_user(world["staff"], username="x1", password="Secret-pass-9", display_name="x",
                                role="admin")
    with pytest.raises(RuntimeError), world.duban.db.transaction() as session:
        record(session, Actor.system(), world.duban.clock.now(), "task.registered", ("task", 1), "回滚")
        raise RuntimeError("boom")
    world.duban.accounts.refuse(world["staff"], "GET /x", "拒绝")
    after = report(world.duban.db)
    assert after.ok and after.events == before.events + 1


@pytest.mark.parametrize("count", [1, 2, 1500])
def test_a_transactions_events_join_the_chain_in_order_however_many(world: World, count: int) -> None:
    before = report(world.duban.db)
    with world.duban.db.transaction() as session:
        for number in range(count):
            record(session, Actor.system(), world.duban.clock.now(), "import.row", ("row", number), f"第 {number} 行")
    after = report(world.duban.db)
    assert after.ok and after.events == before.events + count
    chain = events(world.duban.db)[-count:]
    assert [event.object_id for event in chain] == [str(number) for number in range(count)]
    assert chain[0].prev_hash == before.head_hash and chain[-1].hash == after.head_hash


def test_events_join_the_chain_when_their_transaction_commits(duban: Duban, world: World) -> None:
    """A use case's events are chained as it commits: another writer that commits meanwhile comes first in the
    chain (on PostgreSQL it does not even wait), and a use case that rolls back leaves the head as it was."""
    other = Duban(Database(duban.db.url), duban.roles, duban.clock, duban.workflow_files)
    start = report(duban.db)
    written = threading.Event()
    routes = iter(["GET /tasks/1", "GET /clues/1"])  # (one refusal a person, route and minute is recorded)

    def write_meanwhile() -> None:
        other.accounts.refuse(world["staff"], next(routes), "没有找到")
        written.set()

    for outcome in ("rolled back", "committed"):
        writer = threading.Thread(target=write_meanwhile)
        with contextlib.suppress(RuntimeError), duban.db.transaction() as session:
            record(session, Actor.system(), duban.clock.now(), "task.registered", ("task", 1), outcome)
            writer.start()
            if not duban.db.is_sqlite:  # SQLite's writers take turns from BEGIN on; PostgreSQL's only at the head
                assert written.wait(10), "another writer waited for a transaction that had not begun to commit"
            if outcome == "rolled back":
                raise RuntimeError(outcome)
        writer.join()
        written.clear()
    result = report(duban.db)
    assert result.ok and result.events == start.events + 3
    summaries = [event.summary for event in events(duban.db)[-3:]]
    assert "rolled back" not in summaries and summaries.count("没有找到") == 2 and "committed" in summaries
    other.db.dispose()


def test_concurrent_writers_never_fork_the_chain(duban: Duban, world: World) -> None:
    writers = [Duban(Database(duban.db.url), duban.roles, duban.clock, duban.workflow_files) for _ in range(4)]
    errors: list[BaseException] = []

    def write(writer: Duban, number: int) -> None:
        try:
            for attempt in range(15):
                if attempt % 3 == 0:
                    writer.accounts.login("nobody", "not-the-password-1", f"10.0.{number}.{attempt}")
                else:
                    writer.accounts.refuse(world["staff"], f"GET /tasks/{number}{attempt}", "没有找到")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(writer, n)) for n, writer in enumerate(writers)]
    start = report(duban.db).events
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = report(duban.db)
    assert result.ok and result.events == start + 4 * 15
    with duban.db.transaction(write=False) as session:
        assert session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash)))) == result.events
    for writer in writers:
        writer.db.dispose()


def test_unit_changes_from_roles_yaml_are_audited(world: World) -> None:
    duban = world.duban
    renamed = replace(duban.roles, units=tuple(
        replace(unit, name="江阳区（新）") if unit.code == "jiangyang" else unit for unit in duban.roles.units))
    Duban(duban.db, renamed, duban.clock, duban.workflow_files).init_database()
    with duban.db.transaction(write=False) as session:
        synced = session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.synced")
                                 .order_by(AuditEvent.seq.desc())).first()
    assert synced is not None and synced.before and synced.after
    assert (synced.before["name"], synced.after["name"]) == ("江阳区", "江阳区（新）")


def test_cli_verify_exits_non_zero_naming_the_link(world: World, tmp_path: Path) -> None:
    busy_world(world)
    env = {"DATABASE_URL": world.duban.db.url, "DUBAN_INSTANCE": str(tmp_path), "SECRET_KEY": "k" * 32}
    intact = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert intact.exit_code == 0 and "audit chain intact" in intact.output
    head = events(world.duban.db)[-1]
    assert f"#{head.seq} {head.hash}" in intact.output
    anchored = CliRunner().invoke(main, ["audit", "verify", "--anchor", f"{head.seq}:{head.hash}"], env=env)
    assert anchored.exit_code == 0
    drop_triggers(world.duban.db)
    delete_one(world.duban.db)
    broken = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert "BROKEN at event #6" in broken.output and "缺失事件 #5" in broken.output
    assert "Traceback" not in broken.output


@pytest.mark.postgres
def test_concurrent_writers_on_postgresql_never_fork_the_chain(roles: RoleModel) -> None:
    """Runs with DUBAN_TEST_POSTGRES_URL=postgresql+psycopg://... naming a database the test may wipe."""
    url = os.environ.get("DUBAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("DUBAN_TEST_POSTGRES_URL is not set")
    with Database(url).engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    world = build_world(Duban(Database(url), roles, FakeClock(START), WORKFLOWS))
    test_concurrent_writers_never_fork_the_chain(world.duban, world)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(world.duban.db, "DELETE FROM audit_events WHERE seq = 1")
    world.duban.db.dispose()
