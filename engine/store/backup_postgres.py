"""PostgreSQL in a backup: `pg_dump --format=custom` of one exported snapshot, and `pg_restore` into an empty database.

The table digests and the audit chain are read in the very transaction whose snapshot pg_dump dumps
(pg_export_snapshot, pg_dump --snapshot), so the manifest describes exactly what the dump holds, while
the site keeps running.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, make_url

from engine.store.backup_archive import BackupError

DUMP = "database.dump"
T = TypeVar("T")


def dump(url: str, target: Path, read: Callable[[Connection], T], connection: Connection) -> T:
    """Dump the database at `url` to `target` as `connection` (in a REPEATABLE READ transaction) sees it; `read`
    runs in that same snapshot."""
    snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    with _libpq(url) as (address, env):
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", address], env)
    return read(connection)


def restore(url: str, source: Path) -> None:
    """Load a custom-format dump into the (empty) database at `url`, as its owner."""
    with _libpq(url) as (address, env):
        _run(["pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error", f"--dbname={address}",
              str(source)], env)


def clear(connection: Connection) -> None:
    """Drop every table of the current schema: what a refused restore had loaded (the database was empty)."""
    tables = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").scalars().all()
    for table in tables:
        connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')


@contextmanager
def _libpq(url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The address libpq tools take (no driver name, no password on the command line) and their environment."""
    parsed = make_url(url)
    address = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    yield address, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client of the server's version")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
