"""How fast does the scheduler fire a month's report timers, and does each fire exactly once?

Builds a small province (bench/province.py) and adds N reporting tasks whose monthly report
timer falls due at one instant (按月交账: the month is over, every unit owes its report). Then,
for 1 and 2 sweeping processes, on a fresh copy of that database: starts that many real
`duban tick --now …` processes at once, waits for them all, and checks that

- every timer that was due has fired (nothing due is left),
- each fired exactly once: no task has two reports or two report processes for one period.

Prints timers/s per backend and number of processes; the time includes each process's start
(loading the BPMN files, connecting). Run:

    .venv/bin/python bench/timer_sweep.py --timers 100000
    .venv/bin/python bench/timer_sweep.py --timers 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import clone_reporting_tasks, generate  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.store.database import Database  # noqa: E402
from engine.store.models import InstanceStatus, ProcessInstance, ProgressReport  # noqa: E402

DUBAN = str(Path(sys.executable).with_name("duban"))
#: tasks in the province around the due timers (its own timers due at that instant fire too)
PROVINCE_TASKS = 2_000


@dataclass(frozen=True)
class SweepRun:
    backend: str
    processes: int
    due: int
    seconds: float
    left_due: int
    duplicates: int

    @property
    def rate(self) -> float:
        return self.due / self.seconds

    def line(self) -> str:
        verdict = "exactly once" if self.left_due == 0 and self.duplicates == 0 else \
            f"FAILED: {self.left_due} left due, {self.duplicates} fired twice"
        return (f"{self.backend:<10} {self.processes:>9} {self.due:>8} {self.seconds:>9.1f} "
                f"{self.rate:>9.0f}  {verdict}")


def prepare(url: str, timers: int) -> datetime:
    """The province and its due timers; returns the instant to sweep at."""
    db = Database(url)
    db.upgrade_schema()
    generate(db, PROVINCE_TASKS)
    started = time.perf_counter()
    due = clone_reporting_tasks(db, timers)
    print(f"{timers} report timers due at {due.isoformat()} ({time.perf_counter() - started:.0f} s to clone)")
    db.dispose()
    return due + timedelta(minutes=1)


def count_due(url: str, now: datetime) -> int:
    db = Database(url)
    with db.transaction(write=False) as session:
        due = session.scalar(select(func.count()).select_from(ProcessInstance).where(
            ProcessInstance.status == InstanceStatus.RUNNING, ProcessInstance.next_timer_at <= now))
    db.dispose()
    return int(due or 0)


def count_duplicates(url: str) -> int:
    """Periods with more than one report, or more than one live report process, for the same task."""
    db = Database(url)
    with db.transaction(write=False) as session:
        reports = select(ProgressReport.task_id).group_by(ProgressReport.task_id, ProgressReport.period) \
            .having(func.count() > 1).subquery()
        processes = select(ProcessInstance.task_id).where(
            ProcessInstance.process_id == "monthly_report", ProcessInstance.status != InstanceStatus.CANCELLED) \
            .group_by(ProcessInstance.task_id, ProcessInstance.business_key).having(func.count() > 1).subquery()
        twice = session.scalar(select(func.count()).select_from(reports)) + \
            session.scalar(select(func.count()).select_from(processes))
    db.dispose()
    return int(twice)


def sweep(backend: str, url: str, processes: int, now: datetime) -> SweepRun:
    due = count_due(url, now)
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    running = [subprocess.Popen([DUBAN, "tick", "--now", now.isoformat()], env=env, stdout=subprocess.PIPE,  # noqa: S603
                                stderr=subprocess.STDOUT, text=True) for _ in range(processes)]
    outputs = [process.communicate()[0] for process in running]
    seconds = time.perf_counter() - started
    for process, output in zip(running, outputs, strict=True):
        print(f"  [{backend}, {processes} process(es)] exit {process.returncode}: {output.strip()[-300:]}")
    return SweepRun(backend, processes, due, seconds, count_due(url, now), count_duplicates(url))


def sqlite_runs(folder: Path, timers: int, counts: list[int]) -> list[SweepRun]:
    original = folder / "sweep.sqlite3"
    now = prepare(f"sqlite:///{original}", timers)
    runs = []
    for processes in counts:
        copy = folder / f"sweep-{processes}.sqlite3"
        shutil.copyfile(original, copy)
        runs.append(sweep("SQLite", f"sqlite:///{copy}", processes, now))
    return runs


def postgres_runs(server_url: str, timers: int, counts: list[int]) -> list[SweepRun]:
    """The province in one database, each run on a copy of it (CREATE DATABASE … TEMPLATE)."""
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    names = ["duban_sweep", *(f"duban_sweep_{count}" for count in counts)]
    recreate(server, names[0])
    now = prepare(database_url(server_url, names[0]), timers)
    runs = []
    for name, processes in zip(names[1:], counts, strict=True):
        recreate(server, name, template=names[0])
        runs.append(sweep("PostgreSQL", database_url(server_url, name), processes, now))
    for name in names:
        drop(server, name)
    server.dispose()
    return runs


def recreate(server, name: str, template: str | None = None) -> None:  # type: ignore[no-untyped-def]
    drop(server, name)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))


def drop(server, name: str) -> None:  # type: ignore[no-untyped-def]
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timers", type=int, default=100_000)
    parser.add_argument("--processes", default="1,2", help="numbers of sweeping processes to try, comma-separated")
    parser.add_argument("--postgres", default="", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    counts = [int(count) for count in args.processes.split(",")]
    runs: list[SweepRun] = []
    folder = Path(tempfile.mkdtemp(prefix="duban-sweep-"))
    try:
        if not args.no_sqlite:
            runs += sqlite_runs(folder, args.timers, counts)
        if args.postgres:
            runs += postgres_runs(args.postgres, args.timers, counts)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} CPUs; {args.timers} report timers due at once in a province of "
          f"{PROVINCE_TASKS} more tasks")
    print(f"{'backend':<10} {'processes':>9} {'fired':>8} {'seconds':>9} {'timers/s':>9}  check")
    for run in runs:
        print(run.line())


if __name__ == "__main__":
    main()
