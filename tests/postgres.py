"""A PostgreSQL schema of its own, for a test or a benchmark sharing a server with others."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from psycopg import pq
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


@contextmanager
def postgres_schema(server_url: str, prefix: str = "test") -> Iterator[str]:
    """Create a schema on the server, yield the URL that uses it, drop it with all it holds afterwards."""
    schema = f"{prefix}_{uuid4().hex[:16]}"
    _on_server(server_url, f'CREATE SCHEMA "{schema}"')
    try:
        yield make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    finally:
        _on_server(server_url, f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def postgres_database(server_url: str, prefix: str = "test") -> Iterator[str]:
    """Create a database on the server, yield its URL, drop it afterwards."""
    name = _create_database(server_url, prefix)
    try:
        yield _database_url(server_url, name)
    finally:
        _drop(server_url, name)


class TemplateCopies:
    """Databases copied from a template, each made while the test before it runs, and dropped after.

    CREATE DATABASE … TEMPLATE takes about half a second, mostly the server copying its catalogues: done by a
    thread in the background, a test's copy is usually ready when the test starts. The same thread drops each
    copy once its test is done; close() waits for it and says if a drop failed.
    """

    def __init__(self, server_url: str, template: str) -> None:
        self.server_url, self.template = server_url, template
        self.maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="template-copies")
        self.next: Future[str] = self.maker.submit(_create_database, server_url, "test", template)
        self.dropped: list[Future[None]] = []

    @contextmanager
    def copy(self) -> Iterator[str]:
        """A fresh copy of the template, its URL yielded; it is dropped afterwards, and the next one begun."""
        name = self.next.result()
        self.next = self.maker.submit(_create_database, self.server_url, "test", self.template)
        try:
            yield _database_url(self.server_url, name)
        finally:
            self.dropped.append(self.maker.submit(_drop, self.server_url, name))

    def close(self) -> None:
        self.maker.shutdown(wait=True)
        _drop(self.server_url, self.next.result())
        for drop in self.dropped:
            drop.result()


def _create_database(server_url: str, prefix: str, template: str | None = None) -> str:
    name = f"{prefix}_{uuid4().hex[:16]}"
    _on_server(server_url, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop(server_url: str, name: str) -> None:
    _on_server(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _on_server(server_url: str, statement: str) -> None:
    """One statement outside any transaction (CREATE and DROP DATABASE cannot run in one)."""
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        server.dispose()


def round_trips(trace: str) -> list[str]:
    """What the client sent that it then waited on, from a libpq trace: a simple query, or the Sync ending
    extended queries (a pipeline's, or a single statement's)."""
    sent = [line.split("\t") for line in trace.splitlines() if line.startswith("F\t")]
    return [fields[3].strip() if fields[2] == "Query" else "Sync" for fields in sent if fields[2] in ("Query", "Sync")]


@contextmanager
def traced(engine: Engine, trace_file: Path) -> Iterator[None]:
    """The protocol of every connection the engine's pool hands out meanwhile, into the file; the pool's
    connections are closed afterwards (they were traced)."""
    with open(trace_file, "w") as trace:
        def trace_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

        event.listen(engine, "checkout", trace_connection)
        try:
            yield
        finally:
            event.remove(engine, "checkout", trace_connection)
            engine.dispose()
