"""How fast are the pages people open most, on a province of 100,000 tasks? (p50/p95, warm)

Reads a province made by bench/province.py (one database URL per --url; SQLite and PostgreSQL
side by side when both are given) and times, through the engine's own service calls (what the
web UI calls), then as whole pages through the Flask test client:

- the inbox's first page for a unit's staff officer and for a supervisor;
- a ledger page with two filters (category + status; unit + warning colour);
- the dashboard (总览) for a leader: a province's is read from the summary the sweep keeps (counted once
  first, and that one count timed).

Run: .venv/bin/python bench/queries.py --url sqlite:///instance/province.sqlite3 \\
         --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_province [--samples 50]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flask.testing import FlaskClient  # noqa: E402
from province import open_province  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from engine.app import Duban  # noqa: E402
from engine.core.statuses import TaskStatus, WarningLevel  # noqa: E402
from engine.features.accounts.usecases import actor_for  # noqa: E402
from engine.features.rectification.queries import LedgerFilters  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import HumanTask, HumanTaskStatus, RectificationTask, User  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from webui import create_app  # noqa: E402

WARM_UP = 3
MAX_SECONDS = 30.0  # per measurement: fewer samples for a slow one rather than a bench that never ends
TARGETS_MS = {"inbox": 50.0, "ledger": 150.0, "dashboard": 150.0}


@dataclass(frozen=True)
class Figure:
    query: str
    backend: str
    p50: float
    p95: float
    samples: int
    target: float

    def line(self) -> str:
        met = "yes" if self.p95 < self.target else "NO"
        return (f"{self.query:<44} {self.backend:<10} {self.p50:>8.1f} {self.p95:>8.1f} {self.target:>7.0f} "
                f"{met:>5} {self.samples:>5}")


def measure(call: Callable[[], object], samples: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds of `samples` warm calls (or as many as fit in MAX_SECONDS)."""
    for _ in range(WARM_UP):
        call()
    timings: list[float] = []
    deadline = time.perf_counter() + MAX_SECONDS
    while len(timings) < samples and (len(timings) < 5 or time.perf_counter() < deadline):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20, method="inclusive")[-1], len(timings)


@dataclass(frozen=True)
class Readers:
    """The people whose pages are timed, chosen as the busiest of their kind."""

    staff: User
    supervisor: User
    leader: User
    category_id: int
    unit_id: int


def busiest(duban: Duban) -> Readers:
    with duban.db.transaction(write=False) as session:
        open_work = (select(HumanTask.unit_id, func.count().label("n")).where(
            HumanTask.status == HumanTaskStatus.OPEN, HumanTask.role == "unit_staff")
            .group_by(HumanTask.unit_id).order_by(func.count().desc()).limit(1))
        unit_id = session.execute(open_work).one().unit_id
        category_id = session.scalar(select(RectificationTask.category_id).group_by(RectificationTask.category_id)
                                     .order_by(func.count().desc()).limit(1))
        staff = session.scalars(select(User).where(User.role == "unit_staff", User.unit_id == unit_id)
                                .order_by(User.id)).first()
        supervisor = session.scalars(select(User).where(User.username == "supervisor")).one()
        leader = session.scalars(select(User).where(User.username == "leader")).one()
        if staff is None or category_id is None:
            raise SystemExit("no unit staff or no tasks: generate the province with bench/province.py first")
        return Readers(staff, supervisor, leader, category_id, unit_id)


def engine_calls(duban: Duban, readers: Readers) -> dict[str, tuple[str, Callable[[], object]]]:
    staff, supervisor, leader = (actor_for(user) for user in (readers.staff, readers.supervisor, readers.leader))
    by_category = LedgerFilters(category_id=readers.category_id, status=TaskStatus.IN_PROGRESS)
    by_unit = LedgerFilters(unit_id=readers.unit_id, warning=WarningLevel.YELLOW)
    return {
        "inbox, unit staff": ("inbox", lambda: duban.work.inbox(staff)),
        "inbox, supervisor": ("inbox", lambda: duban.work.inbox(supervisor)),
        "ledger, category + status": ("ledger", lambda: duban.tasks.ledger(leader, by_category)),
        "ledger, unit + colour": ("ledger", lambda: duban.tasks.ledger(leader, by_unit)),
        "dashboard totals": ("dashboard", lambda: duban.reporting.dashboard(leader)),
    }


def page_calls(duban: Duban, readers: Readers) -> dict[str, tuple[str, Callable[[], object]]]:
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "bench-secret-key-" + "x" * 32, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    browsers = {user.username: _logged_in(app.test_client(), user.username)
                for user in (readers.staff, readers.supervisor, readers.leader)}

    def page(username: str, url: str) -> Callable[[], object]:
        def get() -> object:
            response = browsers[username].get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            return response
        return get

    staff, supervisor, leader = readers.staff.username, readers.supervisor.username, readers.leader.username
    return {
        "page /inbox, unit staff": ("inbox", page(staff, "/inbox")),
        "page /inbox, supervisor": ("inbox", page(supervisor, "/inbox")),
        "page /ledger, category + status": ("ledger", page(leader, f"/ledger?category={readers.category_id}"
                                                                   "&status=in_progress")),
        "page /ledger, unit + colour": ("ledger", page(leader, f"/ledger?unit={readers.unit_id}&warning=yellow")),
        "page /dashboard": ("dashboard", page(leader, "/dashboard")),
    }


def _logged_in(client: FlaskClient, username: str) -> FlaskClient:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed ({response.status_code})")
    return client


def backend_name(db: Database) -> str:
    return "SQLite" if db.is_sqlite else "PostgreSQL"


def run(url: str, samples: int, pages: bool, only: str = "") -> list[Figure]:
    db = Database(url)
    duban = open_province(db)
    readers = busiest(duban)
    started = time.perf_counter()
    kept = duban.reporting.refresh_dashboard()  # the sweep's pass, as the running site has done within a minute
    print(f"{'dashboard summary counted (the sweep)':<44} {backend_name(db):<10} "
          f"{(time.perf_counter() - started) * 1000:>8.1f} {'kept' if kept else 'not kept (a small city)':>8}",
          flush=True)
    calls = engine_calls(duban, readers)
    if pages:
        calls.update(page_calls(duban, readers))
    figures = []
    for name, (kind, call) in calls.items():
        if only not in name:
            continue
        p50, p95, count = measure(call, samples)
        figure = Figure(name, backend_name(db), p50, p95, count, TARGETS_MS[kind])
        print(figure.line(), flush=True)
        figures.append(figure)
    db.dispose()
    return figures


def describe(url: str) -> str:
    db = Database(url)
    with db.transaction(write=False) as session:
        tasks = session.scalar(select(func.count(RectificationTask.id)))
        work = session.scalar(select(func.count(HumanTask.id)).where(HumanTask.status == HumanTaskStatus.OPEN))
    db.dispose()
    return f"{backend_name(db)}: {tasks} tasks, {work} open human tasks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", default=[], help="a generated province (repeat for several)")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--no-pages", action="store_true", help="only the engine calls, not the Flask pages")
    parser.add_argument("--only", default="", help="only the calls whose name holds this text (dashboard, inbox…)")
    args = parser.parse_args()
    urls = args.url or [os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'province.sqlite3'}")]
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; {args.samples} samples after "
          f"{WARM_UP} warm-up calls (fewer if {MAX_SECONDS:.0f} s run out)")
    for url in urls:
        print(describe(url))
    print(f"{'query':<44} {'backend':<10} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'met?':>5} {'n':>5}")
    for url in urls:
        run(url, args.samples, not args.no_pages, args.only)


if __name__ == "__main__":
    main()
