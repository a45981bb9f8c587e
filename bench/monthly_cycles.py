"""Does a task cost more per step after years of monthly reporting? (按月交账 over 1, 12 and 36 months)

Runs one rectification task through N monthly cycles (the month ends: the report is requested;
reminder and overdue timers pass; the unit reports, the head signs, the supervisor accepts) on
a fresh SQLite database, then times the steps of one more cycle and prints the time per step
and the stored state of the task's instances. Run: .venv/bin/python bench/monthly_cycles.py
"""
from __future__ import annotations

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
from sqlalchemy import func, select  # noqa: E402

from engine.app import Duban  # noqa: E402
from engine.core.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.core.roles import load_roles  # noqa: E402
from engine.features.accounts import users  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import ProcessInstance  # noqa: E402
from tests import factories  # noqa: E402

MEASURED_CYCLES = 3


def build(months: int) -> tuple[factories.World, int]:
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    folder = tempfile.mkdtemp()
    clock = FakeClock(datetime(2026, 3, 10, 9, tzinfo=LOCAL_TZ))
    duban = Duban(Database(f"sqlite:///{folder}/bench.sqlite3"), load_roles(ROOT / "roles.yaml"), clock,
                  sorted((ROOT / "workflows").glob("*.bpmn")))
    factories.assert_round_trip = lambda *args: None  # measure the engine, not the test checks
    world = factories.build_world(duban)
    task_id = world.register(deadline="2035-12-31")
    factories.walk_to_reporting(world, task_id)
    for _ in range(months):
        one_cycle(world, task_id)
    return world, task_id


def one_cycle(world: factories.World, task_id: int) -> list[float]:
    """One month; returns the seconds each step took (4 timer sweeps, 3 people's steps)."""
    timings = []
    for step in (lambda: world.next_month(), lambda: world.tick(days=1, hours=1),
                 lambda: world.do("staff", task_id, "report_submit", progress="按计划推进", percent_complete=50),
                 lambda: world.do("head", task_id, "report_sign", decision="submit", comment=""),
                 lambda: world.do("supervisor", task_id, "report_review", decision="accept", comment=""),
                 lambda: world.tick(days=4)):
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
    return timings


def state_sizes(world: factories.World, task_id: int) -> tuple[int, int, int]:
    with world.duban.db.transaction(write=False) as session:
        main = session.scalar(select(func.length(ProcessInstance.state_json)).where(
            ProcessInstance.task_id == task_id, ProcessInstance.parent_id.is_(None)))
        latest_cycle = session.scalar(select(func.length(ProcessInstance.state_json)).where(
            ProcessInstance.task_id == task_id, ProcessInstance.process_id == "monthly_report")
            .order_by(ProcessInstance.id.desc()).limit(1))
        count = session.scalar(select(func.count(ProcessInstance.id)).where(ProcessInstance.task_id == task_id))
    return main or 0, latest_cycle or 0, count or 0


def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, SQLite")
    print(f"{'months':>6} {'per step (ms, median)':>22} {'per cycle (ms)':>15} {'main state (B)':>15} "
          f"{'cycle state (B)':>16} {'instances':>10}")
    baseline = None
    for months in (1, 12, 36):
        world, task_id = build(months)
        cycles = [one_cycle(world, task_id) for _ in range(MEASURED_CYCLES)]
        steps = [t for cycle in cycles for t in cycle]
        per_step = statistics.median(steps) * 1000
        per_cycle = statistics.median(sum(cycle) for cycle in cycles) * 1000
        main_size, cycle_size, count = state_sizes(world, task_id)
        baseline = baseline or per_cycle
        print(f"{months:>6} {per_step:>22.2f} {per_cycle:>15.1f} {main_size:>15} {cycle_size:>16} {count:>10}"
              f"   ({per_cycle / baseline:.2f}x the 1-month cycle)")


if __name__ == "__main__":
    main()
