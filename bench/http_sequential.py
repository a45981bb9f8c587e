"""Latency of single user actions over HTTP, one request at a time, compared between checkouts.

    python3 bench/http_sequential.py --tree /work/old --tree /work/new \\
        --database sqlite --database postgresql+psycopg://postgres@127.0.0.1:5432/test --rounds 3

Each --tree is a checkout with its own .venv (`make install`); it is served with its own code and used
only through its command line and over HTTP, so checkouts whose insides differ can be compared. For
each database, each tree builds the demo city once (`duban demo`, all trees at the same time); every
round then starts from fresh copies of them (copied SQLite files, or CREATE DATABASE … TEMPLATE:
databases of their own on the PostgreSQL server, dropped afterwards; no other database is touched),
each served by its tree's gunicorn with `webui/gunicorn_conf.py`, one worker (WEB_CONCURRENCY=1), the
demo clock on and the background sweep off (DUBAN_SWEEP_SECONDS=0: the clock page fires what falls due).

The sites of a round are up side by side and measured in lockstep, one request at a time: each step
(a registration, a plan chain, a round of pages, a report) is done on every site in turn, A then B in
odd rounds, B then A in even ones, so that a change in the machine's speed (other work, a busy disk)
falls on every tree alike.

In a round, on each site, the people log in and open every page a few times to warm up; then:
  - the coordinator registers --samples (+2 warm-up) tasks of 江阳区 (/tasks/new), then each task goes
    through its plan chain: 交办 (coordinator, form `assign`), the plan drafted (unit_staff, `plan_draft`),
    signed (unit_head, `plan_sign`) and filed (supervisor, `plan_review`): each POST is timed, and the
    chain as the four people see it (per step: the form page, the POST, the page it leads to);
  - the admin moves the demo clock to the next month's first day (the clock page): each task with a
    filed plan has its monthly report requested;
  - the inbox (unit_staff, with those reports open), the same inbox narrowed to the month's reports, a task
    page (supervisor), the ledger (coordinator) and the dashboard (leader) are read in turn. The narrowed inbox
    compares like with like: whatever else a tree's demo city and processes put in the unit's inbox (签收,
    complaint cases, measures), it shows the month's reports and the reminders; a tree without inbox filters
    ignores the query and shows its whole inbox, which is then the month's reports (and one plan) itself;
  - unit_staff submits each task's monthly report (form `report_submit` of /work/<id>): the POST is timed.
Every POST must redirect to a page with its success message, and its work item must be gone.
Prints, per database, each action's median and 90th percentile per tree (in ms) over all rounds, and for
each other tree the ratio of its median to the first tree's and the median of the ratios of paired samples
(the same step on both sites, one right after the other); the first two tasks are warm-up, left out.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from seq_http import BenchError, Browser, Form, Response, Values, has_form, links
from seq_site import Database, Seed, Tree, build_seed, copy_seed, serve

PASSWORD = "duban-demo-2026"  # noqa: S105 - the demo city's accounts
PEOPLE = ("coordinator", "unit_staff", "unit_head", "supervisor", "leader", "admin")
UNIT, LEADER = "江阳区", "杨海燕"  # unit_staff's and unit_head's unit; the demo leader
WARMUP = 2
DONE = "已完成"
PAGES = {"inbox GET": ("unit_staff", "/inbox"), "inbox reports GET": ("unit_staff", "/inbox?kind=report_submit"),
         "task page GET": ("supervisor", "/tasks/{task}"),
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
ORDER = ("report_submit POST", "inbox GET", "inbox reports GET", "task page GET", "ledger GET", "dashboard GET",
         "register POST", "assign POST", "plan_draft POST", "plan_sign POST", "plan_review POST",
         "plan chain (4 steps)")
Samples = dict[str, list[float]]


class Visit:
    """The benchmark's people on one served site, and the times they measured there."""

    def __init__(self, port: int) -> None:
        self.people = {name: Browser(port, name) for name in PEOPLE}
        self.timed: Samples = defaultdict(list)
        self.tasks: list[int] = []
        self.today = date.min

    def start(self) -> None:
        """Everyone logs in; each page is opened a few times."""
        for name, browser in self.people.items():
            browser.login(name, PASSWORD)
        self.today = business_day(self.people["admin"])
        for n in range(3):
            self.read_pages(n, keep=False)

    def kept(self, n: int) -> Samples:
        """Where the times of the n-th task go: nowhere for the warm-up ones."""
        return self.timed if n >= WARMUP else defaultdict(list)

    def register(self, n: int) -> None:
        self.tasks.append(register(self.people["coordinator"], n, self.today, self.kept(n)))

    def plan_chain(self, n: int) -> None:
        plan_chain(self.people, self.tasks[n], self.today, self.kept(n))

    def advance(self) -> None:
        advance_to_month_start(self.people["admin"])

    def read_pages(self, n: int, keep: bool = True) -> None:
        """Each page once (a task page of the benchmark's tasks, or the demo's first before there are any)."""
        task = self.tasks[n % len(self.tasks)] if self.tasks else 1
        for action, (person, path) in PAGES.items():
            answer = self.people[person].page(path.format(task=task))
            if keep:
                self.timed[action].append(answer.ms)

    def report(self, n: int) -> None:
        work_step(self.people["unit_staff"], self.tasks[n], "report_submit POST", {"progress", "percent_complete"},
                  REPORT, self.kept(n))

    def close(self) -> None:
        for browser in self.people.values():
            browser.close()


def measure(ports: list[int], count: int) -> list[Samples]:
    """One round against sites served side by side, in lockstep: every step is done on each site in turn,
    so that what slows the machine down at any moment slows every site alike. The times in ms per site."""
    visits = [Visit(port) for port in ports]
    total = count + WARMUP
    for visit in visits:
        visit.start()
    for n in range(total):
        for visit in visits:
            visit.register(n)
    for n in range(total):
        for visit in visits:
            visit.plan_chain(n)
    for visit in visits:
        visit.advance()
    for n in range(total):
        for visit in visits:
            visit.read_pages(n, keep=n >= WARMUP)
    for n in range(total):
        for visit in visits:
            visit.report(n)
    for visit in visits:
        visit.close()
    return [visit.timed for visit in visits]


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
                "category_id": form.option_value("category_id", "1."),
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


def run_database(trees: list[Tree], database: Database, rounds: int, count: int, work: Path) -> dict[int, Samples]:
    """Every round on one database: the samples per tree (its index)."""
    results: dict[int, Samples] = {index: defaultdict(list) for index in range(len(trees))}
    keys = [f"seed{index}" for index in range(len(trees))]
    try:
        say(f"{database.name}: the demo city is built by " + ", ".join(tree.label for tree in trees))
        with ThreadPoolExecutor() as pool:
            seeds = list(pool.map(lambda tree, key: build_seed(tree, database, key, work), trees, keys))
        for number in range(1, rounds + 1):
            order = round_order(len(trees), number)
            samples = one_round([seeds[index] for index in order], number, count, work)
            for index, timed in zip(order, samples, strict=True):
                say(f"{database.name} round {number} {trees[index].label}: " + summary(timed))
                for action, times in timed.items():
                    results[index][action].extend(times)
    finally:
        for key in keys:
            database.drop(key)
            shutil.rmtree(work / key, ignore_errors=True)
    return results


def round_order(trees: int, number: int) -> list[int]:
    """Which site goes first at each step: A B … in odd rounds, … B A in even ones."""
    order = list(range(trees))
    return order if number % 2 else order[::-1]


def one_round(seeds: list[Seed], number: int, count: int, work: Path) -> list[Samples]:
    """A fresh copy of each seed's city, all served at once and measured in lockstep."""
    keys = [f"r{number}s{seed.key}" for seed in seeds]
    try:
        with ExitStack() as stack:
            ports = []
            for seed, key in zip(seeds, keys, strict=True):
                url, folder = copy_seed(seed, key, work)
                ports.append(stack.enter_context(serve(seed.tree, url, folder)))
            return measure(ports, count)
    finally:
        for seed, key in zip(seeds, keys, strict=True):
            seed.database.drop(key)
            shutil.rmtree(work / key, ignore_errors=True)


def summary(samples: Samples) -> str:
    return ", ".join(f"{action.rsplit(' ', 1)[0]} {statistics.median(samples[action]):.1f}"
                     for action in ORDER[:6] if samples.get(action)) + " ms (medians)"


def p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10, method="inclusive")[8] if len(times) > 1 else times[0]


def table(trees: list[Tree], results: dict[int, Samples]) -> Iterator[str]:
    """Per action: n, each tree's median and p90, then per other tree the ratio of its median to the first
    tree's and the median of the ratios of the samples taken side by side (less moved by a slow spell)."""
    first = trees[0].label
    heads = "".join(f"{t.label + ' median':>11}{t.label + ' p90':>9}" for t in trees)
    ratios = "".join(f"{t.label + '/' + first:>8}{'paired':>8}" for t in trees[1:])
    yield f"{'action':<22}{'n':>5}{heads}{ratios}"
    for action in ORDER:
        runs = [results[index].get(action, []) for index in range(len(trees))]
        if not runs[0]:
            continue
        medians = [statistics.median(times) for times in runs]
        cells = "".join(f"{m:>11.1f}{p90(times):>9.1f}" for m, times in zip(medians, runs, strict=True))
        compared = "".join(f"{m / medians[0]:>8.2f}{paired(runs[0], times):>8.2f}"
                           for m, times in zip(medians[1:], runs[1:], strict=True))
        yield f"{action:<22}{len(runs[0]):>5}{cells}{compared}"


def paired(base: list[float], other: list[float]) -> float:
    """The median ratio of the samples taken one after the other on two sites (same task, same step)."""
    return statistics.median(b / a for a, b in zip(base, other, strict=True))


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="a checkout with its .venv (repeat)")
    parser.add_argument("--database", action="append",
                        help="'sqlite' or a PostgreSQL URL whose server gets databases of its own (repeat)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per database; the trees' order alternates")
    parser.add_argument("--samples", type=int, default=20, help="tasks (so samples of each action) per round and tree")
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
