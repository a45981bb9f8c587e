"""Latency of single user actions over HTTP, one request at a time, compared between checkouts.

    python3 bench/http_sequential.py --tree /work/old --tree /work/new \\
        --database sqlite --database postgresql+psycopg://postgres@127.0.0.1:5432/test --rounds 3

Each --tree is a checkout with its own .venv (`make install`); it is served with its own code and used
only through its command line and over HTTP, so checkouts whose insides differ can be compared. For
each database, each tree builds the demo city once (`duban demo`); every run then starts from a fresh
copy of it (a copied SQLite file, or CREATE DATABASE … TEMPLATE in a database of its own on the
PostgreSQL server, dropped afterwards; other databases are not touched), served by gunicorn with
`webui/gunicorn_conf.py`, one worker (WEB_CONCURRENCY=1), the demo clock on and the background sweep
off (DUBAN_SWEEP_SECONDS=0: the clock page fires what falls due). Rounds alternate the trees' order
(A B, then B A, …) so that a drift in the machine's speed is shared.

In a run, the people log in and every page is opened a few times to warm up; then, one request at a time:
  - the coordinator registers --samples (+2 warm-up) tasks of 江阳区 (/tasks/new), then each task goes
    through its plan chain: 交办 (coordinator, form `assign`), the plan drafted (unit_staff, `plan_draft`),
    signed (unit_head, `plan_sign`) and filed (supervisor, `plan_review`): each POST is timed, and the
    chain as the four people see it (per step: the form page, the POST, the page it leads to);
  - the admin moves the demo clock to the next month's first day (the clock page): each task with a
    filed plan has its monthly report requested;
  - the inbox (unit_staff, with those reports open), a task page (supervisor), the ledger (coordinator)
    and the dashboard (leader) are read in turn;
  - unit_staff submits each task's monthly report (form `report_submit` of /work/<id>): the POST is timed.
Every POST must redirect to a page with its success message, and its work item must be gone.
Prints, per database, each action's median and 90th percentile per tree (in ms) and the ratio of each
tree's median to the first tree's, over all rounds; the first two of each POST are left out.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from seq_http import BenchError, Browser, Form, Response, Values, has_form, links
from seq_site import Database, Seed, Tree, build_seed, copy_seed, serve

PASSWORD = "duban-demo-2026"  # noqa: S105 - the demo city's accounts
PEOPLE = ("coordinator", "unit_staff", "unit_head", "supervisor", "leader", "admin")
UNIT, LEADER = "江阳区", "杨海燕"  # unit_staff's and unit_head's unit; the demo leader
WARMUP = 2
DONE = "已完成"
PAGES = {"inbox GET": ("unit_staff", "/inbox"), "task page GET": ("supervisor", "/tasks/{task}"),
         "ledger GET": ("coordinator", "/ledger"), "dashboard GET": ("leader", "/dashboard")}
PLAN_STEPS = (
    ("assign POST", "coordinator", {"plan_due"}, {"instructions": "按期报送整改实施方案"}),
    ("plan_draft POST", "unit_staff", {"content"},
     {"content": "整改思路、措施、分工和资金保障。", "milestones": "按季度推进，年底完成。",
      "contact": "李娜 0830-1234567"}),
    ("plan_sign POST", "unit_head", {"decision"}, {"decision": "submit", "comment": ""}),
    ("plan_review POST", "supervisor", {"decision"}, {"decision": "file", "comment": "同意备案"}),
)
REPORT = {"progress": "本月按方案推进，完成现场排查。", "percent_complete": "30", "problems": "",
          "next_steps": "继续推进"}
ORDER = ("report_submit POST", "inbox GET", "task page GET", "ledger GET", "dashboard GET", "register POST",
         "assign POST", "plan_draft POST", "plan_sign POST", "plan_review POST", "plan chain (4 steps)")
Samples = dict[str, list[float]]


def measure(port: int, count: int) -> Samples:
    """One run against a served demo city: every action's times in ms."""
    people = {name: Browser(port, name) for name in PEOPLE}
    for name, browser in people.items():
        browser.login(name, PASSWORD)
    today = business_day(people["admin"])
    read_pages(people, [], 3, defaultdict(list))
    timed: Samples = defaultdict(list)
    tasks = [register(people["coordinator"], n, today, kept(timed, n)) for n in range(count + WARMUP)]
    for n, task in enumerate(tasks):
        plan_chain(people, task, today, kept(timed, n))
    advance_to_month_start(people["admin"])
    read_pages(people, tasks, WARMUP, defaultdict(list))
    read_pages(people, tasks, count, timed)
    for n, task in enumerate(tasks):
        monthly_report(people["unit_staff"], task, kept(timed, n))
    for browser in people.values():
        browser.close()
    return timed


def kept(timed: Samples, n: int) -> Samples:
    """Where the times of the n-th task go: nowhere for the warm-up ones."""
    return timed if n >= WARMUP else defaultdict(list)


def business_day(admin: Browser) -> date:
    """Today on the site's demo clock, as its clock page shows it."""
    found = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", admin.page("/admin/clock/").text)
    if found is None:
        raise BenchError("no date on the demo clock page")
    return date(*(int(part) for part in found.groups()))


def register(coordinator: Browser, n: int, today: date, timed: Samples) -> int:
    def values(form: Form) -> Values:
        return {"code": f"BENCH-{n:03d}", "title": f"压测整改任务 {n}", "problem": "督察反馈的问题。",
                "target": "问题整改到位。", "measures": "排查、整治、验收。", "cooperating_unit_ids": [],
                "lead_unit_id": form.option_value("lead_unit_id", UNIT),
                "lead_leader_id": form.option_value("lead_leader_id", LEADER),
                "deadline_kind": "date", "deadline": (today + timedelta(days=365)).isoformat()}

    _, answer, _ = coordinator.submit("/tasks/new", values, {"code", "lead_unit_id"}, expect="整改任务已登记")
    timed["register POST"].append(answer.ms)
    return int(re.fullmatch(r"/tasks/(\d+)", answer.location_path).group(1))  # type: ignore[union-attr]


def plan_chain(people: dict[str, Browser], task: int, today: date, timed: Samples) -> None:
    chain = 0.0
    for action, person, needed, values in PLAN_STEPS:
        if action == "assign POST":
            values = {**values, "plan_due": (today + timedelta(days=20)).isoformat()}
        chain += work_step(people[person], task, action, needed, values, timed)
    timed["plan chain (4 steps)"].append(chain)


def work_step(browser: Browser, task: int, action: str, needed: set[str], values: Values, timed: Samples) -> float:
    """Do this person's work on the task; the POST's time goes to `timed`, the step's whole time is returned."""
    work, page = my_work(browser, task, needed)
    form_page, answer, landed = browser.send(f"/work/{work}", page, values, needed, expect=DONE)
    timed[action].append(answer.ms)
    if browser.get(f"/work/{work}").status == 200:
        raise BenchError(f"{browser.name}: work item {work} ({action}) is still open after its POST")
    return form_page.ms + answer.ms + landed.ms


def my_work(browser: Browser, task: int, needed: set[str]) -> tuple[int, Response]:
    """The work item this person can do on the task (a button of the task page) whose form has the `needed`
    fields, with its form page."""
    for work in links(browser.page(f"/tasks/{task}").text, r'href="/work/(\d+)"'):
        page = browser.page(f"/work/{work}")
        if has_form(page.text, needed):
            return work, page
    raise BenchError(f"{browser.name}: no work item with the fields {sorted(needed)} on task {task}")


def advance_to_month_start(admin: Browser) -> None:
    """Move the demo clock to the first day of next month: the month's reports are requested."""
    today = business_day(admin)
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    days = (first - today).days
    while days:
        step = max(step for step in (1, 7, 30) if step <= days)
        admin.submit("/admin/clock/", {"days": str(step)}, expect="时钟已前进")
        days -= step
    if business_day(admin) != first:
        raise BenchError(f"the demo clock is not at {first}")


def read_pages(people: dict[str, Browser], tasks: list[int], count: int, timed: Samples) -> None:
    """Each page `count` times, in turn (a task page needs the benchmark's tasks; the demo's first otherwise)."""
    for n in range(count):
        task = tasks[n % len(tasks)] if tasks else 1
        for action, (person, path) in PAGES.items():
            timed[action].append(people[person].page(path.format(task=task)).ms)


def monthly_report(staff: Browser, task: int, timed: Samples) -> None:
    work_step(staff, task, "report_submit POST", {"progress", "percent_complete"}, REPORT, timed)


def run_database(trees: list[Tree], database: Database, rounds: int, count: int, work: Path) -> dict[int, Samples]:
    """Every round of every tree on one database: the samples per tree (its index)."""
    results: dict[int, Samples] = {index: defaultdict(list) for index in range(len(trees))}
    seeds: list[Seed] = []
    try:
        for index, tree in enumerate(trees):
            say(f"{database.name}: {tree.label} builds the demo city")
            seeds.append(build_seed(tree, database, f"seed{index}", work))
        for number in range(1, rounds + 1):
            for index in round_order(len(trees), number):
                samples = one_run(seeds[index], f"r{number}t{index}", count, work)
                say(f"{database.name} round {number} {trees[index].label}: " + summary(samples))
                for action, times in samples.items():
                    results[index][action].extend(times)
    finally:
        for seed in seeds:
            database.drop(seed.key)
            shutil.rmtree(seed.folder, ignore_errors=True)
    return results


def round_order(trees: int, number: int) -> list[int]:
    order = list(range(trees))
    return order if number % 2 else order[::-1]


def one_run(seed: Seed, key: str, count: int, work: Path) -> Samples:
    url, folder = copy_seed(seed, key, work)
    try:
        with serve(seed.tree, url, folder) as port:
            return measure(port, count)
    finally:
        seed.database.drop(key)
        shutil.rmtree(folder, ignore_errors=True)


def summary(samples: Samples) -> str:
    return ", ".join(f"{action.split()[0]} {statistics.median(samples[action]):.1f}"
                     for action in ORDER[:5] if samples.get(action)) + " ms (medians)"


def p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) > 1 else times[0]


def table(trees: list[Tree], results: dict[int, Samples]) -> Iterator[str]:
    heads = "".join(f"{t.label + ' median':>11}{t.label + ' p90':>9}" for t in trees)
    ratios = "".join(f"{t.label + '/' + trees[0].label:>8}" for t in trees[1:])
    yield f"{'action':<22}{'n':>5}{heads}{ratios}"
    for action in ORDER:
        counts = {len(results[i].get(action, [])) for i in results}
        if not max(counts):
            continue
        medians = [statistics.median(results[i][action]) for i in results]
        cells = "".join(f"{m:>11.1f}{p90(results[i][action]):>9.1f}" for i, m in zip(results, medians, strict=True))
        yield (f"{action:<22}{'/'.join(map(str, sorted(counts))):>5}{cells}"
               + "".join(f"{m / medians[0]:>8.2f}" for m in medians[1:]))


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="a checkout with its .venv (repeat)")
    parser.add_argument("--database", action="append",
                        help="'sqlite' or a PostgreSQL URL whose server gets databases of its own (repeat)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per tree and database, order alternating")
    parser.add_argument("--samples", type=int, default=20, help="tasks (so samples of each action) per run")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    trees = [Tree(Path(path).resolve(), chr(ord("A") + index)) for index, path in enumerate(args.tree)]
    for tree in trees:
        print(f"{tree.label}: {tree.path} at {tree.commit}")
    print(f"{args.rounds} rounds × {args.samples} samples per tree; gunicorn, 1 worker; times in ms")
    with tempfile.TemporaryDirectory(prefix="bench_seq_") as work:
        for database in [Database(spec) for spec in args.database or ["sqlite"]]:
            results = run_database(trees, database, args.rounds, args.samples, Path(work))
            print(f"\n{database.name}")
            for line in table(trees, results):
                print(line)
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
