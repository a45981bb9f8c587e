"""What does duban add to one step of SpiffWorkflow?

Measures, in one run on the same machine:
  duban   completing one user task through the engine's service (load the row, check the
          permission, validate the form, complete, run the engine, save, sync the inbox, audit,
          commit) on SQLite, and on PostgreSQL with --postgres URL (in a schema of its own);
  raw     the same step on SpiffWorkflow alone, in memory: deserialize the stored state,
          complete the task, run engine steps, serialize.
The step is 交办 (assign) of a freshly registered task, repeated over many tasks so every
sample starts from the same state. Run:

    .venv/bin/python bench/engine_overhead.py [--samples 200] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

import engine.users  # noqa: E402
from engine.bpmn.runtime import clock_scope, find_task  # noqa: E402
from engine.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.models import HumanTask, HumanTaskStatus, ProcessInstance, ProcessVersion  # noqa: E402
from engine.roles import load_roles  # noqa: E402
from engine.service import Duban  # noqa: E402
from tests import factories  # noqa: E402
from tests.postgres import postgres_schema  # noqa: E402


def setup(samples: int, url: str = "") -> tuple[factories.World, list[int]]:
    engine.users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    url = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    clock = FakeClock(datetime(2026, 3, 10, 9, tzinfo=LOCAL_TZ))
    duban = Duban(Database(url), load_roles(ROOT / "roles.yaml"), clock, sorted((ROOT / "workflows").glob("*.bpmn")))
    world = factories.build_world(duban)
    return world, open_assign_work(world, [world.register(f"B-{i}") for i in range(samples)])


def time_duban(world: factories.World, work_ids: list[int]) -> list[float]:
    data = factories.assignment(world)
    timings = []
    for work_id in work_ids:
        started = time.perf_counter()
        world.duban.complete(world["coordinator"], work_id, data)
        timings.append(time.perf_counter() - started)
    return timings


def raw_inputs(world: factories.World, work_ids: list[int]) -> list[tuple[str, str]]:
    """The stored state and spec of each task's instance before the step."""
    with world.duban.db.transaction(write=False) as session:
        rows = session.execute(select(HumanTask.spiff_task_id, ProcessInstance.state_json, ProcessVersion.spec_json)
                               .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                               .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
                               .where(HumanTask.id.in_(work_ids))).all()
    return [(spiff_id, json.dumps({**json.loads(state), **json.loads(spec)})) for spiff_id, state, spec in rows]


def time_raw(world: factories.World, inputs: list[tuple[str, str]]) -> list[float]:
    serializer = world.duban.runtime.serializer
    data = {"deadline": "2026-12-31", "plan_due": "2026-04-10"}
    timings = []
    with clock_scope(world.duban.clock):
        for spiff_id, document in inputs:
            started = time.perf_counter()
            workflow = serializer.deserialize_json(document)
            workflow.script_engine = world.duban.runtime.script_engine
            task = find_task(workflow, spiff_id)
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
            serializer.serialize_json(workflow)
            timings.append(time.perf_counter() - started)
    return timings


def statements_per_step(world: factories.World, work_ids: list[int]) -> float:
    """SQL statements one step sends (BEGIN and COMMIT included)."""
    sent: list[str] = []

    def count(*_args: object) -> None:
        sent.append("")

    event.listen(world.duban.db.engine, "before_cursor_execute", count)
    time_duban(world, work_ids)
    event.remove(world.duban.db.engine, "before_cursor_execute", count)
    return len(sent) / len(work_ids) + 2


def p50(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] * 1000


@dataclass(frozen=True)
class Measured:
    """One database's figures: raw alone, raw and duban in turn, and the SQL statements of a step."""

    backend: str
    raw_alone: list[float]
    raw: list[float]
    duban: list[float]
    statements: float

    def lines(self) -> list[str]:
        rows = [(f"raw SpiffWorkflow, alone ({self.backend}'s states)", self.raw_alone, "", ""),
                (f"raw SpiffWorkflow, in turn ({self.backend})", self.raw, "", ""),
                (f"duban on {self.backend}, in turn", self.duban, f"{self.statements:.0f}",
                 f"{p50(self.duban) / p50(self.raw):.1f}   {p50(self.duban) / p50(self.raw_alone):.1f}")]
        return [f"{name:<46} {p50(times):>7.2f} {p95(times):>7.2f} {sql:>9} {ratio:>13}"
                for name, times, sql, ratio in rows]


def measure(backend: str, url: str, samples: int) -> Measured:
    """raw and duban timings on one database, the raw step from the same stored states.

    The raw step is timed twice: alone, in a loop of its own (its code and data stay in the CPU's
    caches from one step to the next), and in turn with duban, one raw step then one duban step,
    so that both run in the same conditions and a machine that slows down or speeds up during
    the run (a shared host) weighs on both alike. The ratio is given against each.
    """
    world, work_ids = setup(samples + 20, url)
    time_duban(world, work_ids[:20])  # warm: first statements compiled, caches filled
    inputs = raw_inputs(world, work_ids[20:])
    raw_alone = time_raw(world, inputs)
    raw, duban = [], []
    for work_id, stored in zip(work_ids[20:], inputs, strict=True):
        raw += time_raw(world, [stored])
        duban += time_duban(world, [work_id])
    fresh = [world.register(f"S-{i}") for i in range(10)]
    statements = statements_per_step(world, open_assign_work(world, fresh))
    world.duban.db.dispose()
    return Measured(backend, raw_alone, raw, duban, statements)


def open_assign_work(world: factories.World, task_ids: list[int]) -> list[int]:
    with world.duban.db.transaction(write=False) as session:
        work = dict(session.execute(select(HumanTask.task_id, HumanTask.id).where(
            HumanTask.form == "assign", HumanTask.status == HumanTaskStatus.OPEN)).all())
    return [work[task_id] for task_id in task_ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--postgres", default="", metavar="URL", help="also measure on this PostgreSQL server")
    args = parser.parse_args()
    results = [measure("SQLite", "", args.samples)]
    if args.postgres:
        with postgres_schema(args.postgres, "bench") as url:
            results.append(measure("PostgreSQL", url, args.samples))
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {args.samples} samples each; "
          f"step: 交办 (assign) of a registered task")
    print(f"{'':<46} {'p50 ms':>7} {'p95 ms':>7} {'SQL/step':>9} {'× raw: in turn, alone (p50)':>13}")
    for result in results:
        print("\n".join(result.lines()))


if __name__ == "__main__":
    main()
