"""People at work during the HTTP load benchmark: units report, heads sign, supervisors accept.

Each simulated person logs in once with an account of the benchmark's city (bench/http_seed.py), then
keeps reading their inbox (我的待办) and, when it holds a monthly-report step of theirs, opens the
form and submits it the way a browser does: GET the page, take its csrf_token, POST. Once the
reports run out they go on reading their inbox. Run by bench/http_load.py, which passes the city in
the environment: BENCH_UNITS (comma-separated unit codes), BENCH_SUPERVISORS, BENCH_PASSWORD.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

import gevent
from gevent.event import Event
from locust import HttpUser, between, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inbox_page import REPORT_STEPS, Account, alert, csrf_token, report_work

#: set once every simulated person has logged in
EVERYONE_IN = Event()


def accounts(role: str) -> list[Account]:
    """Everyone of this role in the city: a staff member and a head per unit, and the supervisors."""
    units = [unit for unit in os.environ.get("BENCH_UNITS", "jiangyang").split(",") if unit]
    supervisors = int(os.environ.get("BENCH_SUPERVISORS", "1"))
    if role == "supervisor":
        shares = 1 if os.environ.get("BENCH_RACE") == "1" else supervisors
        return [Account(f"supervisor{n}", role, n % shares, shares) for n in range(supervisors)]
    return [Account(f"{role}_{unit}", role) for unit in units]


def everyone_logged_in(environment: Environment) -> None:
    """Logins are measured apart (argon2 makes them slow by design); the run proper starts now, for BENCH_SECONDS."""
    login = environment.stats.get("POST /login", "POST")
    Path(os.environ.get("BENCH_LOGIN_STATS", "login.json")).write_text(json.dumps({
        "count": login.num_requests, "failures": login.num_failures,
        "p50": login.get_response_time_percentile(0.5), "p95": login.get_response_time_percentile(0.95),
        "max": login.max_response_time}))
    environment.stats.reset_all()
    runner = environment.runner
    if runner is not None:
        gevent.spawn_later(float(os.environ.get("BENCH_SECONDS", "60")), runner.quit)


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    role = ""
    pool: itertools.cycle[Account]
    fixed_count = 0
    logins = 0

    def on_start(self) -> None:
        self.account = next(self.pool)
        # One connection per request, as from nginx in front of gunicorn (README, production). Reused
        # keep-alive connections straight to gunicorn meet its 2 s keep-alive: now and then it closes
        # one just as the next request arrives (ConnectionResetError), which a browser would retry.
        self.client.headers["Connection"] = "close"
        page = self.client.get("/login", name="GET /login").text
        data = {"csrf_token": csrf_token(page), "username": self.account.username,
                "password": os.environ.get("BENCH_PASSWORD", "")}
        with self.client.post("/login", data=data, name="POST /login", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.account.username} refused ({response.status_code})")
        Person.logins += 1
        if Person.logins == sum(len(accounts(role)) for role in REPORT_STEPS):
            everyone_logged_in(self.environment)
            EVERYONE_IN.set()
        EVERYONE_IN.wait()  # nobody starts work before the run proper

    @task
    def work_through_inbox(self) -> None:
        step_name, form, data = REPORT_STEPS[self.role]
        inbox = self.client.get("/inbox", name="GET /inbox").text
        waiting = report_work(inbox, step_name, self.account)
        if waiting:
            self.complete(waiting[0], form, data)

    def complete(self, work_id: int, form: str, data: dict[str, str]) -> None:
        page = self.client.get(f"/work/{work_id}", name=f"GET {form}").text
        submitted = {"csrf_token": csrf_token(page), **data}
        with self.client.post(f"/work/{work_id}", data=submitted, name=f"POST {form}", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{self.account.username} {form}: {response.status_code} {alert(response.text)}")


class UnitStaff(Person):
    role = "staff"
    pool = itertools.cycle(accounts("staff"))
    fixed_count = len(accounts("staff"))


class UnitHead(Person):
    role = "head"
    pool = itertools.cycle(accounts("head"))
    fixed_count = len(accounts("head"))


class Supervisor(Person):
    role = "supervisor"
    pool = itertools.cycle(accounts("supervisor"))
    fixed_count = len(accounts("supervisor"))
