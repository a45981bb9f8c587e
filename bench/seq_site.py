"""Sites for bench/http_sequential.py: a checkout's demo city in a database of its own, served by gunicorn.

Only the checkout's command line is used (`duban demo`, gunicorn with `webui/gunicorn_conf.py`) and
PostgreSQL's `psql`; nothing of the project is imported, so any two checkouts can be compared.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from seq_http import BenchError

SECRET_KEY = secrets.token_hex(32)
START_SECONDS = 90


@dataclass(frozen=True)
class Tree:
    """A checkout of the project with its own .venv."""

    path: Path
    label: str

    @property
    def commit(self) -> str:
        done = subprocess.run(["git", "-C", str(self.path), "rev-parse", "HEAD"],  # noqa: S603, S607
                              capture_output=True, text=True, check=False)
        return done.stdout.strip() or "(not a git checkout)"

    def tool(self, name: str) -> str:
        path = self.path / ".venv" / "bin" / name
        if not path.exists():
            raise BenchError(f"{path} is missing: run `make install` in {self.path}")
        return str(path)


class Database:
    """Where the sites' data goes: SQLite files, or databases of their own on a PostgreSQL server."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.postgres = spec != "sqlite"
        self.name = "postgresql" if self.postgres else "sqlite"
        self._prefix = f"bench_seq_{os.getpid()}_"
        if self.postgres and shutil.which("psql") is None:
            raise BenchError("psql is needed to create the PostgreSQL databases")

    def url(self, folder: Path, key: str) -> str:
        """The DATABASE_URL of the site `key` (its SQLite file lives in `folder`)."""
        if not self.postgres:
            return f"sqlite:///{folder / 'duban.sqlite3'}"
        parts = urlsplit(self.spec)
        return urlunsplit(parts._replace(path=f"/{self._prefix}{key}"))

    def create(self, key: str, template: str | None = None) -> None:
        if self.postgres:
            copy = f" TEMPLATE {self._prefix}{template}" if template else ""
            self._psql(f"CREATE DATABASE {self._prefix}{key}{copy}")

    def drop(self, key: str) -> None:
        if self.postgres:
            self._psql(f"DROP DATABASE IF EXISTS {self._prefix}{key} WITH (FORCE)")

    def _psql(self, sql: str) -> None:
        parts = urlsplit(self.spec)
        server = urlunsplit(parts._replace(scheme="postgresql"))
        done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server, "-c", sql],  # noqa: S603, S607
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise BenchError(f"psql {sql!r}: {done.stderr.strip()}")


@dataclass(frozen=True)
class Seed:
    """A demo city built once by a tree: an instance folder and a database to copy for each run."""

    tree: Tree
    database: Database
    key: str
    folder: Path


def site_env(url: str, folder: Path, port: int = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUBAN_", "VIRTUAL_ENV", "FLASK_"))}
    env.update(DATABASE_URL=url, DUBAN_INSTANCE=str(folder), DUBAN_DEMO_CLOCK="1", SECRET_KEY=SECRET_KEY,
               DUBAN_SWEEP_SECONDS="0", WEB_CONCURRENCY="1", HOST="127.0.0.1", PORT=str(port))
    return env


def build_seed(tree: Tree, database: Database, key: str, work: Path) -> Seed:
    """`duban demo` into a fresh database and instance folder."""
    folder = work / key
    folder.mkdir()
    database.create(key)
    env = site_env(database.url(folder, key), folder)
    done = subprocess.run([tree.tool("duban"), "demo"], cwd=tree.path, env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise BenchError(f"duban demo in {tree.path} failed:\n{done.stdout}\n{done.stderr}")
    return Seed(tree, database, key, folder)


def copy_seed(seed: Seed, key: str, work: Path) -> tuple[str, Path]:
    """A fresh copy of the seed's city (database and instance folder) for one run: its DATABASE_URL and folder."""
    folder = work / key
    shutil.copytree(seed.folder, folder)
    seed.database.create(key, template=seed.key)
    return seed.database.url(folder, key), folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn_command(tree: Tree) -> list[str]:
    """Production's command (README, Production), without gunicorn's control socket when it has one."""
    gunicorn = tree.tool("gunicorn")
    command = [gunicorn, "--config", "python:webui.gunicorn_conf"]
    helptext = subprocess.run([gunicorn, "--help"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    if "--no-control-socket" in helptext:
        command.append("--no-control-socket")
    return [*command, "webui.wsgi:app"]


@contextmanager
def serve(tree: Tree, url: str, folder: Path) -> Iterator[int]:
    """gunicorn with one worker on a free port until the block ends; yields the port."""
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(gunicorn_command(tree), cwd=tree.path, env=site_env(url, folder, port),  # noqa: S603
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(server, port, folder)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_until_up(server: subprocess.Popen[bytes], port: int, folder: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"the server stopped: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            with urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise BenchError(f"the server did not answer within {START_SECONDS} s")
