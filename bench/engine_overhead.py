"""What does duban add to one step of SpiffWorkflow?

Measures, in one run on the same machine:
  duban   completing one user task through the engine's service (load the row, check the
          permission, validate the form, complete, run the engine, save, sync the inbox, audit,
          commit) on SQLite, and on PostgreSQL with --postgres URL (in a schema of its own);
  raw     the same step on SpiffWorkflow alone, in memory: deserialize the stored state,
          complete the task, run engine steps, serialize, with SpiffWorkflow's own serializer (the spec
          restored and written with the state, where duban keeps it once per version).
On PostgreSQL it counts how often a step waits for the server (a protocol trace). Two steps, each repeated
over many tasks so every sample starts from the same state: 交办 (assign) of a freshly registered task, the
richest step (it checks and changes the task's units, leader and deadline), and 填报月度进展 (the officer's
monthly report), the most frequent. Run:

    .venv/bin/python bench/engine_overhead.py [--samples 200] [--step assign|report]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter  # noqa: E402
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.app import Duban  # noqa: E402
from engine.core.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.core.roles import load_roles  # noqa: E402
from engine.features.accounts import users  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance, ProcessVersion  # noqa: E402
from engine.workflow.runtime import clock_scope, find_task  # noqa: E402
from tests import factories  # noqa: E402
from tests.postgres import postgres_schema, round_trips, traced  # noqa: E402

#: SpiffWorkflow's serializer as it comes, taught only the plain service task (as duban's is): it restores BpmnWorkflow
STOCK_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG,
                                                                           ServiceTask: BpmnTaskSpecConverter}))


@dataclass(frozen=True)
class BenchStep:
    """A user task to time: how to bring a registered task to it, who does it, with what."""

    key: str
    title: str
    form: str
    actor: str
    prepare: Callable[[factories.World, FakeClock, list[int]], None]
    form_data: Callable[[factories.World], dict[str, Any]]
    #: what duban hands SpiffWorkflow for this form (the raw step sets the same)
    process_data: dict[str, Any]


def to_monthly_report(world: factories.World, clock: FakeClock, task_ids: list[int]) -> None:
    """Plan filed, then the month is over: each task's officer owes this month's report."""
    for task_id in task_ids:
        factories.walk_to_reporting(world, task_id)
    clock.set(datetime(2026, 4, 2, 9, tzinfo=LOCAL_TZ))
    world.duban.sweep.fire_due_timers()


STEPS = {step.key: step for step in (
    BenchStep("assign", "交办 (assign) of a registered task", "assign", "coordinator",
              lambda _world, _clock, _tasks: None, factories.assignment,
              {"deadline": "2026-12-31", "plan_due": "2026-04-10"}),
    BenchStep("report", "填报月度进展 (monthly report) of a task in reporting", "report_submit", "staff",
              to_monthly_report, lambda _world: {"progress": "本月完成截污管网 1.2 公里", "percent_complete": 40,
                                                 "problems": "", "next_steps": "继续铺设管网"}, {}),
)}


def setup(step: BenchStep, samples: int, url: str = "") -> tuple[factories.World, list[int]]:
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    url = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    clock = FakeClock(datetime(2026, 3, 10, 9, tzinfo=LOCAL_TZ))
    duban = Duban(Database(url), load_roles(ROOT / "roles.yaml"), clock, sorted((ROOT / "workflows").glob("*.bpmn")))
    world = factories.build_world(duban)
    task_ids = [world.register(f"B-{i}") for i in range(samples)]
    step.prepare(world, clock, task_ids)
    return world, open_work(world, step, task_ids)


def time_duban(world: factories.World, step: BenchStep, work_ids: list[int]) -> list[float]:
    data = step.form_data(world)
    timings = []
    for work_id in work_ids:
        started = time.perf_counter()
        world.duban.work.complete(world[step.actor], work_id, data)
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


def time_raw(world: factories.World, step: BenchStep, inputs: list[tuple[str, str]]) -> list[float]:
    serializer = STOCK_SERIALIZER
    data = step.process_data
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


def statements_per_step(world: factories.World, step: BenchStep, work_ids: list[int]) -> float:
    """SQL statements one step sends, BEGIN and COMMIT included (on PostgreSQL, BEGIN goes with the first one)."""
    with factories.statements_sent(world.duban.db.engine) as sent:
        time_duban(world, step, work_ids)
    begun_apart = sum(statement.startswith("BEGIN") for statement, _ in sent)  # SQLite's BEGIN IMMEDIATE is one
    return (len(sent) + len(work_ids) - begun_apart) / len(work_ids) + 1


def waits_per_step(world: factories.World, step: BenchStep, work_ids: list[int]) -> float:
    """How often one step waits for PostgreSQL's answer (a pipeline of statements is one wait), from a protocol
    trace."""
    with tempfile.TemporaryDirectory() as folder:
        trace_file = Path(folder) / "trace"
        with traced(world.duban.db.engine, trace_file):
            time_duban(world, step, work_ids)
        return len(round_trips(trace_file.read_text())) / len(work_ids)


#: steps done before timing (statements compiled, caches filled), and after it to count statements and waits
WARM_UP, COUNTED = 20, 20


def p50(timings: list[float]) -> float:
    return statistics.median(timings) * 1000


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1] * 1000


@dataclass(frozen=True)
class Measured:
    """One database's figures: raw alone, raw and duban in turn, the SQL statements of a step and
    what one statement costs at the least (a round trip, measured with SELECT 1)."""

    backend: str
    raw_alone: list[float]
    raw: list[float]
    duban: list[float]
    statements: float
    waits: float | None
    round_trip: list[float]

    def lines(self) -> list[str]:
        sql = f"{self.statements:.0f}" + (f" / {self.waits:.0f}" if self.waits is not None else "")
        rows = [(f"raw SpiffWorkflow, alone ({self.backend}'s states)", self.raw_alone, "", ""),
                (f"raw SpiffWorkflow, in turn ({self.backend})", self.raw, "", ""),
                (f"duban on {self.backend}, in turn", self.duban, sql,
                 f"{p50(self.duban) / p50(self.raw):.1f}   {p50(self.duban) / p50(self.raw_alone):.1f}"),
                (f"  one round trip to {self.backend} (SELECT 1)", self.round_trip, "", "")]
        return [f"{name:<46} {p50(times):>7.2f} {p95(times):>7.2f} {sql:>11} {ratio:>13}"
                for name, times, sql, ratio in rows]


def measure(step: BenchStep, backend: str, url: str, samples: int) -> Measured:
    """raw and duban timings on one database, the raw step from the same stored states.

    The raw step is timed twice: alone, in a loop of its own (its code and data stay in the CPU's
    caches from one step to the next), and in turn with duban, one raw step then one duban step,
    so that both run in the same conditions and a machine that slows down or speeds up during
    the run (a shared host) weighs on both alike. The ratio is given against each.
    """
    world, work_ids = setup(step, samples + WARM_UP + COUNTED, url)
    warm, timed, counted = work_ids[:WARM_UP], work_ids[WARM_UP:-COUNTED], work_ids[-COUNTED:]
    time_duban(world, step, warm)  # first statements compiled, caches filled
    inputs = raw_inputs(world, timed)
    raw_alone = time_raw(world, step, inputs)
    raw, duban = [], []
    for work_id, stored in zip(timed, inputs, strict=True):
        raw += time_raw(world, step, [stored])
        duban += time_duban(world, step, [work_id])
    if world.duban.db.is_sqlite:  # it answers in-process: no waits to count
        statements, waits = statements_per_step(world, step, counted), None
    else:
        statements = statements_per_step(world, step, counted[:COUNTED // 2])
        waits = waits_per_step(world, step, counted[COUNTED // 2:])
    round_trip = time_round_trip(world.duban.db)
    world.duban.db.dispose()
    return Measured(backend, raw_alone, raw, duban, statements, waits, round_trip)


def time_round_trip(db: Database, samples: int = 500) -> list[float]:
    """The least a statement costs: SELECT 1 on a connection of the pool, outside a transaction."""
    timings = []
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for _ in range(samples):
            started = time.perf_counter()
            connection.exec_driver_sql("SELECT 1").scalar()
            timings.append(time.perf_counter() - started)
    return timings


def open_work(world: factories.World, step: BenchStep, task_ids: list[int]) -> list[int]:
    with world.duban.db.transaction(write=False) as session:
        work = dict(session.execute(select(HumanTask.task_id, HumanTask.id).where(
            HumanTask.form == step.form, HumanTask.status == HumanTaskStatus.OPEN)).all())
    return [work[task_id] for task_id in task_ids]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--step", choices=sorted(STEPS), action="append", help="the step to time (default: both)")
    parser.add_argument("--postgres", default="", metavar="URL", help="also measure on this PostgreSQL server")
    args = parser.parse_args()
    steps = [STEPS[key] for key in args.step or STEPS]
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {args.samples} samples each")
    for step in steps:
        results = [measure(step, "SQLite", "", args.samples)]
        if args.postgres:
            with postgres_schema(args.postgres, "bench") as url:
                results.append(measure(step, "PostgreSQL", url, args.samples))
        print(f"\nstep: {step.title}")
        print(f"{'':<46} {'p50 ms':>7} {'p95 ms':>7} {'SQL / waits':>11} {'× raw: in turn, alone (p50)':>13}")
        for result in results:
            print("\n".join(result.lines()))


if __name__ == "__main__":
    main()
