"""What does duban add to one step of SpiffWorkflow?

Measures, in one run on the same machine:
  duban   completing one user task through the engine's service (load the row, check the
          permission, validate the form, complete, run the engine, save, sync the inbox, audit,
          commit) on SQLite;
  raw     the same step on SpiffWorkflow alone, in memory: deserialize the stored state,
          complete the task, run engine steps, serialize.
The step is 交办 (assign) of a freshly registered task, repeated over many tasks so every
sample starts from the same state. Run: .venv/bin/python bench/engine_overhead.py [samples]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import select  # noqa: E402

import engine.users  # noqa: E402
from engine.bpmn.runtime import clock_scope, find_task  # noqa: E402
from engine.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.db import Database  # noqa: E402
from engine.models import HumanTask, HumanTaskStatus, ProcessInstance, ProcessVersion  # noqa: E402
from engine.roles import load_roles  # noqa: E402
from engine.service import Duban  # noqa: E402
from tests import factories  # noqa: E402


def setup(samples: int) -> tuple[factories.World, list[int]]:
    engine.users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    folder = tempfile.mkdtemp()
    clock = FakeClock(datetime(2026, 3, 10, 9, tzinfo=LOCAL_TZ))
    duban = Duban(Database(f"sqlite:///{folder}/bench.sqlite3"), load_roles(ROOT / "roles.yaml"), clock,
                  sorted((ROOT / "workflows").glob("*.bpmn")))
    world = factories.build_world(duban)
    task_ids = [world.register(f"B-{i}") for i in range(samples)]
    with duban.db.transaction(write=False) as session:
        work = dict(session.execute(select(HumanTask.task_id, HumanTask.id).where(
            HumanTask.form == "assign", HumanTask.status == HumanTaskStatus.OPEN)).all())
    return world, [work[task_id] for task_id in task_ids]


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


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    world, work_ids = setup(samples)
    raw = time_raw(world, raw_inputs(world, work_ids))
    duban = time_duban(world, work_ids)
    p50_raw, p50_duban = statistics.median(raw) * 1000, statistics.median(duban) * 1000
    p95 = lambda xs: statistics.quantiles(xs, n=20)[-1] * 1000  # noqa: E731
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {samples} samples each")
    print(f"raw SpiffWorkflow step (deserialize, complete, engine steps, serialize): "
          f"p50 {p50_raw:.2f} ms, p95 {p95(raw):.2f} ms")
    print(f"duban service step (load, permission, validate, complete, save, inbox, audit, commit): "
          f"p50 {p50_duban:.2f} ms, p95 {p95(duban):.2f} ms")
    print(f"ratio (p50): {p50_duban / p50_raw:.2f}x")


if __name__ == "__main__":
    main()
