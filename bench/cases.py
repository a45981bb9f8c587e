"""Complaint cases (信访件) at the scale of an inspection round: how long a 2,000-case batch takes to import, and
how fast the register and the public batch page are with 50,000 cases (p50/p95, warm).

On an empty database (a new SQLite file, or an empty PostgreSQL database) it:

1. imports a batch of 2,000 cases through the import use case (read, checked, each case's process started, all
   in one transaction), timed once, after timing its preview;
2. adds 24 more batches of 2,000 cases straight into the table (copies of the first, spread over every state,
   a third of them published; no processes: the pages timed read the cases only), 50,000 in all;
3. times the register (the engine's call and the whole page) for the coordination group with no filter, with
   batch + category, with unit + colour, overdue only, and for one unit's officer; the public page of a
   published batch and the public index.

`--import-only` stops after step 1 (the import's figure alone, on an empty database each time).

Run: .venv/bin/python bench/cases.py --url sqlite:///instance/bench-cases.sqlite3 \\
         --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_cases [--samples 30] [--import-only]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import make_duban  # noqa: E402
from queries import Figure, _logged_in, backend_name, measure  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from engine.app import Duban  # noqa: E402
from engine.core.actor import Actor  # noqa: E402
from engine.core.clock import LOCAL_TZ, FakeClock  # noqa: E402
from engine.core.statuses import CaseCategory, CaseFinding, CaseStatus, WarningLevel  # noqa: E402
from engine.features.accounts.usecases import actor_for  # noqa: E402
from engine.features.cases.queries import CaseFilters  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import CaseBatch, ComplaintCase, Unit, User  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from webui import create_app  # noqa: E402

BATCH = 2_000
BATCHES = 25
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=LOCAL_TZ)
TARGET_MS = 150.0
CATEGORIES = ("大气", "水", "噪声", "固废", "生态", "土壤")
SPREAD = (CaseStatus.SIGNING, CaseStatus.INVESTIGATING, CaseStatus.INVESTIGATING, CaseStatus.REVIEWING,
          CaseStatus.ACCEPTED, CaseStatus.PUBLISHED, CaseStatus.PUBLISHED, CaseStatus.PUBLISHED)
PEOPLE = (("coordinator", "coordinator", "office"), ("publicity", "publicity", "office"),
          ("staff_jiangyang", "unit_staff", "jiangyang"))


def open_bench(url: str, filled: bool) -> Duban:
    """duban on the bench's database: empty (the people are added), or already filled by an earlier run."""
    duban = make_duban(Database(url), FakeClock(NOW))
    duban.init_database()
    with duban.db.transaction(write=False) as session:
        has_cases = session.scalar(select(ComplaintCase.id).limit(1)) is not None
    if filled != has_cases:
        raise SystemExit(f"{url}: give an empty database, or --pages-only on one an earlier run filled")
    if filled:
        return duban
    for username, role, unit in PEOPLE:
        duban.accounts.create_user(Actor.system(), username=username, password=PASSWORD, display_name=username,
                                   role=role, unit_code=unit)
    return duban


def batch_csv(duban: Duban) -> bytes:
    with duban.db.transaction(write=False) as session:
        units = list(session.scalars(select(Unit.name).where(Unit.kind.in_(("department", "county", "park")))
                                     .order_by(Unit.position)))
    received, due = NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=20)
    rows = ["案件编号,受理日期,信访内容,地点,被投诉对象,污染类型,责任单位,办结时限"]
    for n in range(BATCH):
        rows.append(f"X2026{n:06d},{received},夜间施工噪声和扬尘扰民，反映多次未解决（第{n}件）,某街道{n % 300}号,"
                    f"某企业{n % 700},{CATEGORIES[n % len(CATEGORIES)]},{units[n % len(units)]},{due}")
    return "\n".join(rows).encode()


def import_first_batch(duban: Duban) -> list[str]:
    content, coordinator = batch_csv(duban), _actor(duban, "coordinator")
    started = time.perf_counter()
    preview = duban.case_import.preview(coordinator, content)
    previewed = time.perf_counter() - started
    if preview.problems:
        raise SystemExit(f"the generated batch has problems: {preview.problems[:3]}")
    started = time.perf_counter()
    batch = duban.case_import.import_batch(coordinator, content, "bench.csv")
    imported = time.perf_counter() - started
    return [f"preview of a {BATCH}-case batch: {previewed:.1f} s",
            f"import of a {BATCH}-case batch (batch {batch.number}, every process started): {imported:.1f} s "
            f"({imported / BATCH * 1000:.1f} ms a case)"]


def fill_to_scale(duban: Duban) -> int:
    """24 more batches copied from the first, spread over every state; the id of a published batch."""
    with duban.db.transaction() as session:
        first = session.scalars(select(ComplaintCase).order_by(ComplaintCase.id)).all()
        template = [{column.key: getattr(case, column.key) for column in ComplaintCase.__table__.columns
                     if column.key not in ("id", "instance_id", "batch_id", "number", "status")} for case in first]
        published = 0
        for number in range(2, BATCHES + 1):
            batch = CaseBatch(round_id=first[0].round_id, number=number, received_on=NOW.date(), file_name="",
                              imported_at=NOW, published_at=NOW if number % 3 == 0 else None)
            session.add(batch)
            session.flush()
            published = batch.id if batch.published_at else published
            session.execute(insert(ComplaintCase), [_copy(row, batch, n) for n, row in enumerate(template)])
    with duban.db.engine.connect() as connection:  # the planner's statistics, as after a day of imports
        connection.execute(text("ANALYZE"))
        connection.commit()
    return published


def _copy(row: dict[str, Any], batch: CaseBatch, n: int) -> dict[str, Any]:
    status = CaseStatus.PUBLISHED if batch.published_at else SPREAD[n % len(SPREAD)]
    reported = status not in (CaseStatus.SIGNING, CaseStatus.INVESTIGATING)
    return {**row, "batch_id": batch.id, "number": f"X2026-{batch.number:02d}-{n:06d}", "status": status,
            "finding": list(CaseFinding)[n % 3] if reported else None,
            "report_due": NOW.date() + timedelta(days=n % 15 - 5),
            "published_at": batch.published_at if status is CaseStatus.PUBLISHED else None}


def figures(duban: Duban, published_batch: int, samples: int) -> list[Figure]:
    with duban.db.transaction(write=False) as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.code == "naxi"))
        if session.scalar(select(User.id).where(User.username == "coordinator")) is None:
            raise SystemExit("the bench's people are missing: was this database filled by bench/cases.py?")
        batch_id = session.scalar(select(CaseBatch.id).where(CaseBatch.number == 1))
    coordinator, staff = _actor(duban, "coordinator"), _actor(duban, "staff_jiangyang")
    app = create_app({"DUBAN_ENGINE": duban, "SECRET_KEY": "bench-secret-key-" + "x" * 32, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    office, unit, public = (_logged_in(app.test_client(), "coordinator"),
                            _logged_in(app.test_client(), "staff_jiangyang"), app.test_client())
    calls: dict[str, Callable[[], object]] = {
        "register, no filter": lambda: duban.cases.register(coordinator, CaseFilters()),
        "register, batch + category": lambda: duban.cases.register(
            coordinator, CaseFilters(batch_id=batch_id, category=CaseCategory.AIR)),
        "register, unit + colour": lambda: duban.cases.register(
            coordinator, CaseFilters(unit_id=unit_id, colour=WarningLevel.YELLOW)),
        "register, overdue": lambda: duban.cases.register(coordinator, CaseFilters(overdue=True)),
        "register, one unit's officer": lambda: duban.cases.register(staff, CaseFilters()),
        "page /cases, no filter": _page(office, "/cases"),
        "page /cases?unit=…&colour=yellow": _page(office, f"/cases?unit={unit_id}&colour=yellow"),
        "page /cases, one unit's officer": _page(unit, "/cases"),
        "public batch page (2,000 cases)": _page(public, f"/public/cases/batches/{published_batch}"),
        "public index": _page(public, "/public/cases/"),
        "page /inbox, empty (the layout's own cost)": _page(unit, "/inbox"),
    }
    return [Figure(name, backend_name(duban.db), *measure(call, samples), target=TARGET_MS)
            for name, call in calls.items()]


def _a_published_batch(duban: Duban) -> int:
    with duban.db.transaction(write=False) as session:
        return session.scalars(select(CaseBatch.id).where(CaseBatch.published_at.is_not(None))).first() or 0


def _page(client: Any, url: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return response
    return get


def _actor(duban: Duban, username: str) -> Actor:
    with duban.db.transaction(write=False) as session:
        return actor_for(session.scalars(select(User).where(User.username == username)).one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", default=[], help="an empty database (repeatable)")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--pages-only", action="store_true", help="time the pages of a database already filled")
    parser.add_argument("--import-only", action="store_true", help="time the import of a batch only")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    for url in args.url or [os.environ.get("DATABASE_URL", "sqlite:///instance/bench-cases.sqlite3")]:
        duban = open_bench(url, args.pages_only)
        print(f"--- {backend_name(duban.db)}: {duban.db.engine.url.render_as_string(hide_password=True)}")
        if args.pages_only:
            published = _a_published_batch(duban)
        else:
            for line in import_first_batch(duban):
                print(line)
            if args.import_only:
                continue
            started = time.perf_counter()
            published = fill_to_scale(duban)
            print(f"filled to {BATCH * BATCHES} cases in {time.perf_counter() - started:.1f} s")
        print(f"{'what':<44} {'backend':<10} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'met':>5} {'n':>5}")
        for figure in figures(duban, published, args.samples):
            print(figure.line())


if __name__ == "__main__":
    main()
