"""HTTP under load: gunicorn on PostgreSQL with 1 and 2 workers, people reporting and reading inboxes.

For each worker count: rebuild the database at DATABASE_URL (its public schema is dropped!) with a
city whose monthly reports are all open (bench/http_seed.py), serve it with gunicorn as the README's
production section does, and let locust (bench/locustfile.py, one process, headless) play a staff
member and a head per unit and a few supervisors for a fixed time: read the inbox, open the report
form, submit (staff), sign (head), accept (supervisor). Prints requests/s, p50 and p95 per request
type and overall, every failure (and gunicorn's complaints), the memory of the gunicorn workers (peak
VmHWM, and resident once everyone is logged in) and the CPU time per request of the workers and of
PostgreSQL.

    pip install -e '.[bench]'
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_http .venv/bin/python bench/http_load.py
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from http_seed import PASSWORD, Aftermath, City, aftermath, build_city  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
MIB = 1024 * 1024
#: seconds the users may take to log in before the measured run (which then lasts --seconds)
LOGIN_ALLOWANCE = 120


@dataclass
class RequestStats:
    name: str
    count: int
    failures: int
    per_second: float
    p50: float
    p95: float


@dataclass
class Run:
    workers: int
    stats: list[RequestStats]
    failures: list[str]
    server_log: list[str]
    logins: dict[str, float]
    usage: WorkerUsage
    database: Aftermath
    load: tuple[float, float, float]
    race: bool

    @property
    def total(self) -> RequestStats:
        return next(stats for stats in self.stats if stats.name == "Aggregated")


@dataclass
class WorkerUsage:
    """Memory of the worker that used most: its peak over the whole run (VmHWM, logins included) and
    the most sampled once everyone had logged in (VmRSS); CPU time after the logins of all workers and
    of the PostgreSQL backends serving this database."""

    peak: int = 0
    after_logins: int = 0
    cpu_seconds: float = 0.0
    database_cpu_seconds: float = 0.0


class CpuMeter:
    """CPU time processes used since the meter started (a process first seen later started later)."""

    def __init__(self) -> None:
        self.baseline: dict[int, float] | None = None
        self.latest: dict[int, float] = {}

    def read(self, pids: list[int]) -> float:
        now = {pid: cpu_seconds(pid) for pid in pids}
        if self.baseline is None:
            self.baseline = now
        self.latest.update({pid: used for pid, used in now.items() if used})
        return sum(used - self.baseline.get(pid, 0.0) for pid, used in self.latest.items())


class WorkerSampler(threading.Thread):
    """Reads the memory and CPU time of every worker of a gunicorn master (and of the database
    backends) twice a second."""

    def __init__(self, master: int, logged_in: Path, database_url: str) -> None:
        super().__init__(name="worker-sampler", daemon=True)
        self.master, self.logged_in = master, logged_in
        self.usage = WorkerUsage()
        self.workers_cpu, self.database_cpu = CpuMeter(), CpuMeter()
        self.database = psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.sample()

    def sample(self) -> None:
        pids = worker_pids(self.master)
        for pid in pids:
            status = memory_status(pid)
            self.usage.peak = max(self.usage.peak, status.get("VmHWM", 0))
            if self.logged_in.exists():
                self.usage.after_logins = max(self.usage.after_logins, status.get("VmRSS", 0))
        if self.logged_in.exists():
            self.usage.cpu_seconds = self.workers_cpu.read(pids)
            self.usage.database_cpu_seconds = self.database_cpu.read(self.backend_pids())

    def backend_pids(self) -> list[int]:
        rows = self.database.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()").fetchall()
        return [int(pid) for (pid,) in rows]

    def stop(self) -> WorkerUsage:
        self.sample()  # the workers are still up: VmHWM now covers the whole run
        self.stopped.set()
        self.database.close()
        return self.usage


def worker_pids(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def memory_status(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process in bytes (Linux); empty once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in lines
            if line.startswith(("VmHWM:", "VmRSS:"))}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used (Linux); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(url: str, workers: int, port: int, folder: Path) -> subprocess.Popen[bytes]:
    """Production settings (README), plain HTTP on localhost, the demo clock at the city's today."""
    env = {**os.environ, "DATABASE_URL": url, "DUBAN_INSTANCE": str(folder), "DUBAN_ENV": "production",
           "SECRET_KEY": secrets.token_hex(32), "DUBAN_SECURE_COOKIES": "0", "DUBAN_DEMO_CLOCK": "1",
           "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    with (folder / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:webui.gunicorn_conf",
                                   "webui.wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    wait_for(f"http://127.0.0.1:{port}/login")
    while len(worker_pids(server.pid)) < workers:
        time.sleep(0.2)
    return server


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urlopen(url, timeout=5):  # noqa: S310 - the local server just started
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def run_locust(city: City, port: int, args: argparse.Namespace, folder: Path) -> Path:
    users = 2 * len(city.units) + city.supervisors
    seconds = args.seconds
    env = {**os.environ, "BENCH_UNITS": ",".join(city.units), "BENCH_SUPERVISORS": str(city.supervisors),
           "BENCH_PASSWORD": PASSWORD, "BENCH_SECONDS": str(seconds), "BENCH_LOGIN_STATS": str(folder / "login.json"),
           "BENCH_RACE": "1" if args.race else "0"}
    prefix = folder / "locust"
    with (folder / "locust.log").open("wb") as log:
        subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",  # noqa: S603
                        "-u", str(users), "-r", str(users), "-t", f"{seconds + LOGIN_ALLOWANCE}s",
                        "--stop-timeout", "10", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix)],
                       cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return prefix


def read_stats(prefix: Path) -> list[RequestStats]:
    with Path(f"{prefix}_stats.csv").open(newline="") as stats_file:
        return [RequestStats(row["Name"], int(row["Request Count"]), int(row["Failure Count"]),
                             float(row["Requests/s"]), float(row["50%"] or 0), float(row["95%"] or 0))
                for row in csv.DictReader(stats_file) if row["Request Count"] != "0"]


def read_failures(prefix: Path) -> list[str]:
    with Path(f"{prefix}_failures.csv").open(newline="") as failures_file:
        return [f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}"
                for row in csv.DictReader(failures_file)]


def measure(url: str, workers: int, args: argparse.Namespace) -> Run:
    started = time.perf_counter()
    city = build_city(url, args.units, args.tasks, args.supervisors)
    print(f"\n{workers} worker(s): city of {args.tasks} tasks built in {time.perf_counter() - started:.0f} s")
    with tempfile.TemporaryDirectory(prefix="duban-http-") as name:
        folder = Path(name)
        port = free_port()
        server = start_gunicorn(url, workers, port, folder)
        sampler = WorkerSampler(server.pid, folder / "login.json", url)
        sampler.start()
        try:
            load = os.getloadavg()
            prefix = run_locust(city, port, args, folder)
            usage = sampler.stop()
        finally:
            stop(server)
        logins = json.loads((folder / "login.json").read_text()) if (folder / "login.json").exists() else {}
        return Run(workers, read_stats(prefix), read_failures(prefix), server_trouble(folder / "gunicorn.log"),
                   logins, usage, aftermath(url), load, args.race)


def server_trouble(log: Path) -> list[str]:
    """gunicorn's and duban's own complaints (not the access log): errors, warnings, workers restarted."""
    lines = log.read_text(errors="replace").splitlines()
    signs = ("[ERROR]", "[CRITICAL]", "[WARNING]", "Traceback", "Error", "WORKER TIMEOUT")
    return [f"server log: {line}" for line in lines if '" 200 ' not in line and '" 302 ' not in line
            and any(sign in line for sign in signs)][:40]


def print_run(run: Run) -> None:
    chain = run.database.audit_chain
    print(f"load average before the run {run.load[0]:.1f}; report steps done {run.database.completed_steps}, "
          f"still open {run.database.open_steps}; audit chain of {chain.events} events "
          f"{'intact' if chain.ok else 'BROKEN: ' + str(chain.problem)}")
    print(f"logins before the run: {run.logins.get('count', 0)}, failed {run.logins.get('failures', '?')}, "
          f"p50 {run.logins.get('p50', 0):.0f} ms, p95 {run.logins.get('p95', 0):.0f} ms, "
          f"max {run.logins.get('max', 0):.0f} ms")
    print(f"  {'request':<22} {'count':>7} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for stats in run.stats:
        print(f"  {stats.name:<22} {stats.count:>7} {stats.failures:>5} {stats.per_second:>7.1f} "
              f"{stats.p50:>7.0f} {stats.p95:>7.0f}")
    for failure in run.failures + run.server_log + unrecorded_steps(run):
        print(f"  FAILURE {failure}")
    for form, count in already_handled(run).items():
        print(f"  {form}: {count} answered 'already handled' (the supervisors race for the same reports)")


def unrecorded_steps(run: Run) -> list[str]:
    """A POST answered with the inbox that did nothing; expected only of supervisors told to race.

    (The database may hold a few more than were counted: a request in flight when locust stops is done
    but not counted.)"""
    return [f"{form}: {count} more submitted than done in the database"
            for form, count in missing_steps(run).items() if count > 0 and not (run.race and form == "report_review")]


def already_handled(run: Run) -> dict[str, int]:
    return {form: count for form, count in missing_steps(run).items()
            if count > 0 and run.race and form == "report_review"}


def missing_steps(run: Run) -> dict[str, int]:
    posted = {stats.name.removeprefix("POST "): stats.count - stats.failures for stats in run.stats
              if stats.name.startswith("POST report_")}
    return {form: count - run.database.completed_steps.get(form, 0) for form, count in posted.items()
            if count != run.database.completed_steps.get(form, 0)}


def print_summary(runs: list[Run]) -> None:
    print(f"\n{'workers':>7} {'requests/s':>11} {'p50 ms':>7} {'p95 ms':>7} {'failures':>9} {'report steps':>13} "
          f"{'peak worker MiB':>16} {'after logins MiB':>17} {'CPU ms/request: workers':>24} {'database':>9}")
    for run in runs:
        total = run.total
        steps = sum(run.database.completed_steps.values())
        failures = (total.failures + len(run.server_log) + len(unrecorded_steps(run))
                    + (not run.database.audit_chain.ok))
        print(f"{run.workers:>7} {total.per_second:>11.1f} {total.p50:>7.0f} {total.p95:>7.0f} {failures:>9} "
              f"{steps:>13} {run.usage.peak / MIB:>16.0f} {run.usage.after_logins / MIB:>17.0f} "
              f"{run.usage.cpu_seconds * 1000 / max(total.count, 1):>24.0f} "
              f"{run.usage.database_cpu_seconds * 1000 / max(total.count, 1):>9.0f}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--tasks", type=int, default=320, help="tasks, each with its monthly report open")
    parser.add_argument("--units", type=int, default=8, help="units; each has a staff member and a head logged in")
    parser.add_argument("--supervisors", type=int, default=4)
    parser.add_argument("--race", action="store_true",
                        help="supervisors take the same reports: concurrent accepts, all but one refused")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (its public schema is dropped and rebuilt)")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, PostgreSQL; "
          f"{2 * args.units + args.supervisors} users for {args.seconds} s, {args.tasks} tasks in {args.units} units, "
          f"threads per worker: {os.environ.get('DUBAN_THREADS', '4')}")
    runs = []
    for workers in args.workers:
        runs.append(measure(url, workers, args))
        print_run(runs[-1])
    print_summary(runs)


if __name__ == "__main__":
    main()
