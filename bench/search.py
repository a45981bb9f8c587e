"""How fast is the ledger's search on a province of 100,000 tasks? (p50/p95 of warm calls, in ms)

Reads a province made by bench/province.py and times the ledger's first page for a leader (what the
web UI calls) with searches of several kinds: a task's code, a word of a title shared by some thousand
tasks, two words, a word of two characters (no trigram: read with LIKE), a word found nowhere, and a
word of the monthly reports. It imports only what every version of the ledger has, so that it measures
an older checkout too: copy it into that checkout's bench/ and run it there, before the newer code
migrates the database.

Run: .venv/bin/python bench/search.py --url sqlite:///instance/province.sqlite3 \\
         --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_province [--samples 30]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from province import open_province  # noqa: E402
from queries import WARM_UP, Figure, backend_name, busiest, describe, measure  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from engine.features.accounts.usecases import actor_for  # noqa: E402
from engine.features.rectification.queries import LedgerFilters  # noqa: E402
from engine.store.database import Database  # noqa: E402
from engine.store.models import RectificationTask  # noqa: E402

TARGET_MS = 150.0


def searches(db: Database) -> dict[str, str]:
    with db.transaction(write=False) as session:
        code = session.scalar(select(RectificationTask.code).order_by(RectificationTask.id)
                              .offset(session.scalar(select(func.count(RectificationTask.id))) // 2).limit(1))
    return {
        "a task's code": code or "",
        "a title's word (尾矿库)": "尾矿库",
        "two words (污水处理厂 提标改造)": "污水处理厂 提标改造",
        "two characters (秸秆)": "秸秆",
        "found nowhere (不存在的词语)": "不存在的词语",
        "a report's word (按计划推进)": "按计划推进",
    }


def run(url: str, samples: int) -> None:
    db = Database(url)
    duban = open_province(db)
    leader = actor_for(busiest(duban).leader)
    for name, q in searches(db).items():
        filters = LedgerFilters(q=q)
        total = duban.tasks.ledger(leader, filters).total
        p50, p95, count = measure(lambda f=filters: duban.tasks.ledger(leader, f), samples)
        print(Figure(f"search: {name}", backend_name(db), p50, p95, count, TARGET_MS).line() + f" {total:>7}",
              flush=True)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", action="append", default=[], help="a generated province (repeat for several)")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    urls = args.url or [os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'province.sqlite3'}")]
    print(f"code: {ROOT}; {args.samples} samples after {WARM_UP} warm-up calls")
    for url in urls:
        print(describe(url))
    print(f"{'query':<44} {'backend':<10} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'met?':>5} {'n':>5} {'found':>7}")
    for url in urls:
        run(url, args.samples)


if __name__ == "__main__":
    main()
