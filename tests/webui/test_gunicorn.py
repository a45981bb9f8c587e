"""Production serving: gunicorn with several workers, each sweeping the timers; every timer fires once."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.request import urlopen

from sqlalchemy import select

from engine.store.models import AuditEvent
from tests.factories import ROOT, World, walk_to_reporting


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def requested_periods(world: World) -> Counter[str]:
    with world.duban.db.transaction(write=False) as session:
        rows = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "report.requested")).all()
    return Counter(summary[2:10] for summary in rows)  # "发起2026年3月月度交账..." -> "2026年3月"


def test_two_gunicorn_workers_serve_and_fire_each_timer_once(world: World, tmp_path: Path) -> None:
    task_id = world.register(deadline="2028-12-31")
    walk_to_reporting(world, task_id)  # in March 2026 of the fake clock: months of timers are due in real time
    port = free_port()
    env = {**os.environ, "DATABASE_URL": world.duban.db.url, "DUBAN_INSTANCE": str(tmp_path),
           "DUBAN_ENV": "production", "SECRET_KEY": "k" * 48, "DUBAN_SECURE_COOKIES": "0",
           "DUBAN_SWEEP_SECONDS": "1", "PORT": str(port), "WEB_CONCURRENCY": "2"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:webui.gunicorn_conf",
                               "webui.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/public/")
        assert "长江干流沿岸污水直排" in page
        assert wait_until(lambda: len(requested_periods(world)) >= 8), requested_periods(world)
        time.sleep(3)  # let both workers sweep a few more times
        counts = requested_periods(world)
        assert set(counts.values()) == {1}, counts  # each month asked once, by whichever worker got there
        workers = Counter(line for line in server_log(server) if "Booting worker" in line)
        assert len(workers) == 2
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def wait_for(url: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def wait_until(check: object, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


def server_log(server: subprocess.Popen[bytes]) -> list[str]:
    os.killpg(server.pid, signal.SIGTERM)
    output, _ = server.communicate(timeout=30)
    return output.decode(errors="replace").splitlines()
