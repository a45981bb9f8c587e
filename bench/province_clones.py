"""Cloning the benchmark province's template tasks (bench/province.py): every row of a template, under fresh
ids, into another unit, category and lead leader, its audit events appended to the hash chain."""
from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import (  # noqa: E402
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    case,
    cast,
    false,
    func,
    literal,
    select,
    text,
    true,
    update,
)

from engine.store.audit import GENESIS, event_hash  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import AuditChain, Base, RectificationTask, Unit, User, UTCDateTime  # noqa: E402

if TYPE_CHECKING:
    from bench.province import Province

TEMPLATE_PREFIX = "TPL-"
CLONES_PER_BATCH = 1000
TITLES = ("沿江排污口整治", "城镇污水处理厂提标改造", "工业园区污水管网建设", "黑臭水体治理", "饮用水水源地保护",
          "扬尘污染整治", "挥发性有机物治理", "餐饮油烟整治", "秸秆禁烧", "非法采砂整治", "尾矿库隐患治理",
          "危险废物规范化管理", "建筑垃圾消纳场建设", "畜禽养殖污染治理", "自然保护区违规项目清理",
          "矿山生态修复", "农村生活污水治理", "白酒企业废水治理", "化工企业搬迁入园", "河道岸线清理")


# --- cloning ----------------------------------------------------------------------------------

#: the tables a task's rows live in, in the order their foreign keys need (audit_events apart: it is chained)
TASK_TABLES = ("rectification_tasks", "task_status_changes", "task_cooperating_units", "process_instances",
               "implementation_plans",
               "progress_reports", "signoff_applications", "signoff_notices", "objections",
               "public_summaries", "human_tasks", "attachments", "notices", "escalations", "escalation_triggers",
               "escalation_notices", "escalation_interviews", "escalation_exposures", "accountability_cases",
               "accountable_persons")
#: audit object types that name a cloned row
AUDIT_OBJECTS = {"task": "rectification_tasks", "instance": "process_instances", "human_task": "human_tasks",
                 "report": "progress_reports", "plan": "implementation_plans", "signoff": "signoff_applications",
                 "attachment": "attachments", "notice": "signoff_notices", "objection": "objections",
                 "public_summary": "public_summaries", "escalation": "escalations"}
#: ids kept in workflow data (state_json) that name a cloned row
STATE_IDS = {"task_id": "rectification_tasks", "escalation_id": "escalations", "report_id": "progress_reports"}
_STATE_ID = re.compile(r'"(' + "|".join(STATE_IDS) + r')": ?(\d+)([,}\]])')


@dataclass
class Template:
    """One template task: its rows' id ranges table by table, and its audit events."""

    name: str
    task_id: int
    code: str
    title: str
    registered_at: datetime
    id_ranges: dict[str, tuple[int, int]]  # table -> (lowest id, highest id) of the template's rows
    state_tokens: list[tuple[str, int, str]]  # ("task_id", 7, ",") as they stand in state_json
    events: list[dict[str, Any]]


@dataclass
class Variation:
    """What a clone changes: its code, title, unit, cooperating unit, category, leader, registration."""

    code: str
    title: str
    unit_id: int
    cooperating_unit_id: int
    category_id: int
    leader_id: int
    registered_earlier: timedelta


@dataclass(frozen=True)
class TemplatePeople:
    """The template's unit, cooperating unit and people, whom each clone replaces by its own."""

    unit: int
    cooperating_unit: int
    staff: int
    head: int
    leader: int


def read_template(connection: Connection, name: str, audit: str) -> Template:
    tasks = Base.metadata.tables["rectification_tasks"]
    task = connection.execute(select(tasks).where(tasks.c.code == f"{TEMPLATE_PREFIX}{name}")).one_or_none()
    if task is None:
        raise SystemExit(f"no template {TEMPLATE_PREFIX}{name}: generate the province first")
    ranges: dict[str, tuple[int, int]] = {}
    for table_name in TASK_TABLES:
        table = Base.metadata.tables[table_name]
        if "id" in table.c:
            low, high = connection.execute(select(func.min(table.c.id), func.max(table.c.id))
                                           .where(_belongs(table, task.id, ranges))).one()
            ranges[table_name] = (low or 0, high or 0)
    instances = Base.metadata.tables["process_instances"]
    states = connection.execute(select(instances.c.state_json).where(instances.c.task_id == task.id)).scalars()
    tokens = sorted({(key, int(number), after) for state in states for key, number, after in _STATE_ID.findall(state)})
    return Template(name, task.id, task.code, task.title, task.registered_at, ranges, tokens,
                    _template_events(connection, task.id, audit))


def _belongs(table: Table, task_id: int, ranges: dict[str, tuple[int, int]]) -> Any:
    """The template's rows of a table: by task, or by the template's escalations."""
    if table.name == "rectification_tasks":
        return table.c.id == task_id
    if "task_id" in table.c:
        return table.c.task_id == task_id
    low, high = ranges["escalations"]
    return table.c.escalation_id.between(low, high) if high else false()


def _template_events(connection: Connection, task_id: int, audit: str) -> list[dict[str, Any]]:
    """The task's audit events; `status` keeps the task.* ones its history and the dashboard read."""
    events = Base.metadata.tables["audit_events"]
    query = select(events).where(events.c.task_id == task_id).order_by(events.c.seq)
    if audit == "status":
        query = query.where(events.c.action.like("task.%"))
    return [dict(row._mapping) for row in connection.execute(query)]


@dataclass
class Offsets:
    """Fresh ids: each clone's rows of a table are the template's ids shifted by one offset."""

    next_ids: dict[str, int]

    def take(self, template: Template, count: int) -> dict[str, list[int]]:
        offsets = {}
        for table_name, (low, high) in template.id_ranges.items():
            span = high - low + 1 if high else 0
            start = self.next_ids[table_name]
            offsets[table_name] = [start + index * span - low for index in range(count)]
            self.next_ids[table_name] = start + count * span
        return offsets


def clone_statement(table: Table, clones: Table, template: Template, people: TemplatePeople) -> Any:
    """INSERT … SELECT: every row of the template in `table`, once per row of `clones`."""
    offsets = {name: clones.c[f"off_{name}"] for name in template.id_ranges}
    columns = [_cloned_column(table, column, clones, template, people, offsets) for column in table.c]
    return table.insert().from_select([column.key for column in table.c],
                                      select(*columns).select_from(table).join(clones, true())
                                      .where(_belongs(table, template.task_id, template.id_ranges)))


def _cloned_column(table: Table, column: Column[Any], clones: Table, template: Template, people: TemplatePeople,
                   offsets: dict[str, Column[Any]]) -> Any:
    if table.name == "rectification_tasks" and column.key in ("code", "title", "registered_at"):
        return clones.c[column.key]
    if column.key == "state_json":
        return _renumbered_state(column, template, offsets)
    if column.key == "id" and column.primary_key:
        return column + offsets[table.name]
    for key in column.foreign_keys:
        target = key.column.table.name
        if target in offsets:
            return column + offsets[target]
        if target == "users":
            return case((column == people.staff, clones.c.staff_id), (column == people.head, clones.c.head_id),
                        (column == people.leader, clones.c.leader_id), else_=column)
        if target == "units":
            return case((column == people.unit, clones.c.unit_id),
                        (column == people.cooperating_unit, clones.c.cooperating_unit_id), else_=column)
        if target == "categories":
            return clones.c.category_id
    return column


def _renumbered_state(column: Column[Any], template: Template, offsets: dict[str, Column[Any]]) -> Any:
    """The workflow data names the task (and escalation, report) by id: the clone's ids instead."""
    state: Any = column
    for key, number, after in template.state_tokens:
        fresh = cast(literal(number) + offsets[STATE_IDS[key]], String)
        state = func.replace(state, f'"{key}": {number}{after}', literal(f'"{key}": ') + fresh + literal(after))
        state = func.replace(state, f'"{key}":{number}{after}', literal(f'"{key}":') + fresh + literal(after))
    return state


def clone_table(metadata: MetaData, template: Template) -> Table:
    """What each clone changes, one row per clone, in a scratch table the INSERT … SELECTs join."""
    offsets = [Column(f"off_{name}", Integer) for name in template.id_ranges]
    return Table("bench_clones", metadata, Column("number", Integer, primary_key=True), Column("code", String(32)),
                 Column("title", String(300)), Column("unit_id", Integer), Column("cooperating_unit_id", Integer),
                 Column("category_id", Integer), Column("leader_id", Integer), Column("staff_id", Integer),
                 Column("head_id", Integer), Column("registered_at", UTCDateTime()), *offsets)


@dataclass
class AuditChainer:
    """Appends each clone's audit events as duban would: its words and people, the next links of the chain."""

    province: Province
    people: TemplatePeople
    chain: tuple[int, str]  # the head: (seq, hash)
    next_id: int

    def events(self, template: Template, clone: dict[str, Any], offsets: dict[str, int]) -> list[dict[str, Any]]:
        people = {self.people.staff: clone["staff_id"], self.people.head: clone["head_id"],
                  self.people.leader: clone["leader_id"]}
        units = {self.people.unit: clone["unit_id"], self.people.cooperating_unit: clone["cooperating_unit_id"]}
        return [self._append(template, dict(event), clone, offsets, people, units) for event in template.events]

    def _append(self, template: Template, event: dict[str, Any], clone: dict[str, Any], offsets: dict[str, int],
                people: dict[int, int], units: dict[int, int]) -> dict[str, Any]:
        target = AUDIT_OBJECTS.get(event["object_type"])
        if target in offsets and event["object_id"].isdigit():
            event["object_id"] = str(int(event["object_id"]) + offsets[target])
        if event["action"] == "task.registered":
            event["at"] = clone["registered_at"]
        event["summary"] = event["summary"].replace(template.code, clone["code"]).replace(template.title,
                                                                                          clone["title"])
        event["task_id"] = clone["number"]
        event["actor_id"] = people.get(event["actor_id"], event["actor_id"])
        event["unit_id"] = units.get(event["unit_id"], event["unit_id"])
        if event["actor_id"] in self.province.names:
            event["actor_username"], event["actor_name"] = self.province.names[event["actor_id"]]
        seq, prev_hash = self.chain
        event.update(id=self.next_id, seq=seq + 1, prev_hash=prev_hash)
        event["hash"] = event_hash(SimpleNamespace(**event))  # type: ignore[arg-type]
        self.chain, self.next_id = (event["seq"], event["hash"]), self.next_id + 1
        return event


# --- putting it together -----------------------------------------------------------------------

def variations(province: Province, count: int, first: int, rng: random.Random) -> Iterator[Variation]:
    for number in range(first, first + count):
        unit = rng.choice(province.units)
        category_id, category_number = rng.choice(province.categories)
        yield Variation(
            code=f"{category_number}-{number:06d}", title=f"{rng.choice(TITLES)}（{number}）", unit_id=unit,
            cooperating_unit_id=rng.choice(province.units), category_id=category_id,
            leader_id=rng.choice(province.leaders), registered_earlier=timedelta(days=rng.randrange(0, 25)))


def clone_tasks(db: Database, province: Province, plan: Sequence[tuple[str, int]], audit: str = "status",
                seed: int = 2026, progress: Callable[[int], None] = lambda done: None) -> int:
    """Clone the named templates (template name, how many) into the province; returns how many tasks were added."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible province, not a secret
    with db.engine.connect() as connection:
        templates = {name: read_template(connection, name, audit) for name, _ in plan}
        people = _template_people(connection, templates[plan[0][0]])
        offsets = Offsets({name: _next_id(connection, name) for name in TASK_TABLES
                           if "id" in Base.metadata.tables[name].c})
        chainer = AuditChainer(province, people, _chain_head(connection), _next_id(connection, "audit_events"))
    done = 0
    for name, count in plan:
        for start in range(0, count, CLONES_PER_BATCH):
            size = min(CLONES_PER_BATCH, count - start)
            batch = list(variations(province, size, offsets.next_ids["rectification_tasks"], rng))
            _clone_batch(db, templates[name], people, offsets, chainer, batch)
            done += size
            progress(done)
    _reset_sequences(db)
    return done


def _clone_batch(db: Database, template: Template, people: TemplatePeople, offsets: Offsets,
                 chainer: AuditChainer, batch: list[Variation]) -> None:
    """One transaction: the clones' rows table by table, their audit events, the chain's new head."""
    taken = offsets.take(template, len(batch))
    clones = [_clone_row(template, variation, index, taken, chainer.province) for index, variation in enumerate(batch)]
    metadata = MetaData()
    scratch = clone_table(metadata, template)
    with db.engine.begin() as connection:
        metadata.drop_all(connection)
        metadata.create_all(connection)
        connection.execute(scratch.insert(), clones)
        for table_name in TASK_TABLES:
            connection.execute(clone_statement(Base.metadata.tables[table_name], scratch, template, people))
        events = [event for clone in clones
                  for event in chainer.events(template, clone, {k[4:]: v for k, v in clone.items()
                                                                if k.startswith("off_")})]
        if events:
            connection.execute(Base.metadata.tables["audit_events"].insert(), events)
        connection.execute(update(AuditChain).where(AuditChain.id == 1)
                           .values(seq=chainer.chain[0], hash=chainer.chain[1]))
        metadata.drop_all(connection)


def _clone_row(template: Template, variation: Variation, index: int, taken: dict[str, list[int]],
               province: Province) -> dict[str, Any]:
    return {"number": template.task_id + taken["rectification_tasks"][index], "code": variation.code,
            "title": variation.title, "unit_id": variation.unit_id,
            "cooperating_unit_id": variation.cooperating_unit_id, "category_id": variation.category_id,
            "leader_id": variation.leader_id, "staff_id": province.staff[variation.unit_id],
            "head_id": province.heads[variation.unit_id],
            "registered_at": template.registered_at - variation.registered_earlier,
            **{f"off_{name}": offsets[index] for name, offsets in taken.items()}}


def _template_people(connection: Connection, template: Template) -> TemplatePeople:
    users = dict(connection.execute(select(User.username, User.id)).all())
    units = dict(connection.execute(select(Unit.code, Unit.id)).all())
    leader = connection.execute(select(RectificationTask.lead_leader_id)
                                .where(RectificationTask.id == template.task_id)).scalar_one()
    return TemplatePeople(units["jiangyang"], units["water"], users["staff"], users["head"], leader)


def _next_id(connection: Connection, table_name: str) -> int:
    return (connection.execute(select(func.max(Base.metadata.tables[table_name].c.id))).scalar() or 0) + 1


def _chain_head(connection: Connection) -> tuple[int, str]:
    head = connection.execute(select(AuditChain.seq, AuditChain.hash).where(AuditChain.id == 1)).one_or_none()
    return (head.seq, head.hash) if head else (0, GENESIS)


def _reset_sequences(db: Database) -> None:
    """PostgreSQL hands out ids from sequences the explicit ids above did not move."""
    if db.is_sqlite:
        return
    with db.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
                connection.execute(text(  # table names from the models, not from input
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))


