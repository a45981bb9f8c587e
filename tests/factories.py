"""A small city for tests: units from roles.yaml, two categories, people in every role."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, event, func, select

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.uploads import Upload
from engine.demo.sample_files import pdf, png
from engine.features.accounts.usecases import actor_for
from engine.features.signoff.forms import STANDARDS
from engine.store.audit import record
from engine.store.models import (
    Category,
    HumanTask,
    HumanTaskStatus,
    ProcessInstance,
    RectificationTask,
    SignoffNotice,
    Unit,
)
from engine.workflow.runtime import ready_human_tasks

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Secret-pass-1"
#: argon2's production cost is deliberate; tests need many accounts quickly
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
#: username -> (role, unit code)
PEOPLE = {
    "leader": ("leader", None),
    "leader2": ("leader", None),
    "coordinator": ("coordinator", "office"),
    "supervisor": ("supervisor", "office"),
    "publicity": ("publicity", "office"),
    "discipline": ("discipline", "discipline_commission"),
    "staff": ("unit_staff", "jiangyang"),
    "head": ("unit_head", "jiangyang"),
    "other_staff": ("unit_staff", "naxi"),
    "other_head": ("unit_head", "naxi"),
    "admin": ("admin", None),
}


@dataclass
class World:
    duban: Duban
    actors: dict[str, Actor] = field(default_factory=dict)
    categories: list[int] = field(default_factory=list)
    units: dict[str, int] = field(default_factory=dict)

    def tick(self, **delta: float) -> int:
        """Let time pass on the fake clock and fire what fell due, as the scheduler would."""
        self.duban.clock.advance(**delta)  # type: ignore[attr-defined]
        return self.duban.sweep.fire_due_timers().fired

    def go_to(self, when: datetime) -> int:
        self.duban.clock.set(when)  # type: ignore[attr-defined]
        return self.duban.sweep.fire_due_timers().fired

    def next_month(self) -> int:
        """Move to 00:30 on the first day of next month: last month's report is now requested."""
        today = self.duban.clock.now().astimezone(LOCAL_TZ).date()
        first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return self.go_to(datetime.combine(first, time(0, 30), LOCAL_TZ))

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]

    def register(self, code: str = "1-1", **overrides: Any) -> int:
        data = {
            "code": code, "category_id": self.categories[0], "title": "长江干流沿岸污水直排",
            "problem": "沿江部分排污口污水直排长江。", "target": "2026年底前完成截污纳管。",
            "measures": "1. 排查排污口\n2. 截污纳管", "lead_unit_id": self.units["jiangyang"],
            "cooperating_unit_ids": [self.units["water"]], "lead_leader_id": self["leader"].user_id,
            "deadline_kind": "date", "deadline": "2026-12-31",
        }
        data.update(overrides)
        return self.duban.tasks.register(self["coordinator"], data)

    def work_for(self, username: str, task_id: int | None = None) -> list[HumanTask]:
        """The open work this person may do (inbox and standing actions), oldest first."""
        actor = self[username]
        with self.duban.db.transaction(write=False) as session:
            query = select(HumanTask).where(HumanTask.status == HumanTaskStatus.OPEN,
                                            self.duban.access.work_filter(actor)).order_by(HumanTask.id)
            if task_id is not None:
                query = query.where(HumanTask.task_id == task_id)
            return list(session.scalars(query))

    def do(self, username: str, task_id: int, form: str, uploads: tuple[Upload, ...] = (), **data: Any) -> HumanTask:
        """Complete this person's open work of the given form on the task."""
        matching = [work for work in self.work_for(username, task_id) if work.form == form]
        assert matching, f"{username} has no open {form} work on task {task_id}: {self.work_for(username)}"
        done = self.duban.work.complete(self[username], matching[0].id, data, uploads)
        assert_round_trip(self.duban, task_id)
        return done


def assert_round_trip(duban: Duban, task_id: int) -> None:
    """What is stored restores to the same workflow, and its waiting user tasks are exactly the open rows."""
    with duban.db.transaction(write=False) as session:
        instances = session.scalars(select(ProcessInstance).where(ProcessInstance.task_id == task_id)).all()
        for instance in instances:
            workflow = duban.processes.load(session, instance)
            assert duban.runtime.dump(workflow) == instance.state_json
            ready = {str(t.id) for t in ready_human_tasks(workflow)} if instance.status.is_running() else set()
            open_rows = set(session.scalars(select(HumanTask.spiff_task_id).where(
                HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.OPEN)))
            assert ready == open_rows, (instance.process_id, ready, open_rows)


def build_world(duban: Duban) -> World:
    duban.init_database()
    world = World(duban)
    with duban.db.transaction() as session:
        for number, name in ((1, "水污染防治方面"), (2, "大气污染防治方面")):
            session.add(category := Category(number=number, name=name))
            session.flush()
            record(session, Actor.system(), duban.clock.now(), "category.created", ("category", category.id),
                   f"导入整改任务类别 {number}. {name}")
        world.categories = list(session.scalars(select(Category.id).order_by(Category.number)))
        world.units = {unit.code: unit.id for unit in session.scalars(select(Unit))}
    system = Actor.system()
    for username, (role, unit) in PEOPLE.items():
        user_id = duban.accounts.create_user(system, username=username, password=PASSWORD, display_name=username,
                                    role=role, unit_code=unit, title="副市长" if role == "leader" else "")
        user = duban.accounts.user(user_id)
        assert user is not None
        world.actors[username] = actor_for(user)
    return world


def load_world(duban: Duban) -> World:
    """The World of a database build_world has filled (a copy of the test city)."""
    duban.init_database()
    world = World(duban)
    with duban.db.transaction(write=False) as session:
        world.categories = list(session.scalars(select(Category.id).order_by(Category.number)))
        world.units = {unit.code: unit.id for unit in session.scalars(select(Unit))}
    for username in PEOPLE:
        user_id = duban.accounts.user_id(username)
        user = duban.accounts.user(user_id) if user_id is not None else None
        assert user is not None, f"{username} is not in the test city"
        world.actors[username] = actor_for(user)
    return world


def city_world(duban: Duban) -> World:
    """The test city in duban's database: read when the database is a copy of it, else built."""
    duban.init_database()
    return load_world(duban) if duban.accounts.user_id("admin") is not None else build_world(duban)


def report_month(world: World, task_id: int, **review: Any) -> None:
    """The unit reports on the open period; the head signs; the supervisor accepts."""
    world.do("staff", task_id, "report_submit", progress="按计划推进", percent_complete=50)
    world.do("head", task_id, "report_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "report_review", **{"decision": "accept", "comment": "", **review})


def walk_to_reporting(world: World, task_id: int) -> None:
    """Assign (keeping the registered deadline), plan, sign and file: the task is now reporting monthly."""
    with world.duban.db.transaction(write=False) as session:
        task = session.get_one(RectificationTask, task_id)
        kept = {"deadline_kind": task.deadline_kind.value,
                "deadline": task.deadline.isoformat() if task.deadline else None}
    world.do("coordinator", task_id, "assign", **assignment(world, **kept))
    world.do("staff", task_id, "plan_draft", content="方案正文", milestones="3月底前完成排查", contact="李四")
    world.do("head", task_id, "plan_sign", decision="submit", comment="")
    world.do("supervisor", task_id, "plan_review", decision="file", comment="同意备案")


def assignment(world: World, **overrides: Any) -> dict[str, Any]:
    data = {
        "lead_unit_id": world.units["jiangyang"], "cooperating_unit_ids": [world.units["water"]],
        "lead_leader_id": world["leader"].user_id, "deadline_kind": "date", "deadline": "2026-12-31",
        "plan_due": "2026-04-10", "instructions": "请按期报送实施方案",
    }
    data.update(overrides)
    if data["deadline"] and "plan_due" not in overrides:  # the plan is due by the deadline at the latest
        data["plan_due"] = min(data["plan_due"], data["deadline"])
    return data


PHOTO = Upload("现场照片.png", png())
REPORT = Upload("验收报告.pdf", pdf())


def checklist(**unmet: str) -> dict[str, Any]:
    """The verification form: every standard met, except those given (with their notes)."""
    data: dict[str, Any] = {}
    for key in STANDARDS:
        data[f"{key}_met"] = key not in unmet
        data[f"{key}_note"] = unmet.get(key, "经核查已达到")
    return {**data, "site_check_date": "2026-03-10", "site_check_by": "督办组张三、李四",
            "site_findings": "现场核查，排污口已全部封堵", "comment": ""}


def apply_for_signoff(world: World, task_id: int) -> None:
    world.do("staff", task_id, "signoff_apply", uploads=(PHOTO, REPORT), summary="全部整改完成",
             evidence_note="整改前后照片和验收报告")
    world.do("head", task_id, "signoff_sign", decision="submit", comment="")


def through_notice(world: World, task_id: int) -> None:
    """Verified, the notice published, and its period over with no objection."""
    world.do("supervisor", task_id, "signoff_verify", **checklist())
    world.do("publicity", task_id, "signoff_notice", text="拟销号公示")
    with world.duban.db.transaction(write=False) as session:
        end = session.scalar(select(func.max(SignoffNotice.end_date)).where(SignoffNotice.task_id == task_id))
    assert end is not None
    over = datetime.combine(end + timedelta(days=1), time(0, 30), LOCAL_TZ)  # holidays may make the 公示 longer
    world.go_to(max(world.duban.clock.now() + timedelta(days=10), over))


def sign_off(world: World, task_id: int) -> None:
    """From reporting to 已销号 by the whole procedure."""
    apply_for_signoff(world, task_id)
    through_notice(world, task_id)
    world.do("leader", task_id, "signoff_approve", decision="approve", comment="同意销号")


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the engine sends within the block, with their parameters, in order."""
    sent: list[tuple[str, Any]] = []

    def note(_connection: object, _cursor: object, statement: str, parameters: Any, *_args: object) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
