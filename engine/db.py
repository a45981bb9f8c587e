"""Connections and transactions. One use case = one `transaction()`."""
from __future__ import annotations

import selectors
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Database:
    """The one place that knows how to open a transaction on SQLite or PostgreSQL."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo, **_engine_options(url))
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        else:
            _configure_postgresql(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(duban_write=True)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def upgrade_schema(self) -> None:
        """Create the schema, or bring an older one up to date (Alembic migrations)."""
        with self.engine.begin() as connection:
            config = self._alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def schema_is_current(self) -> bool:
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """Commit on success, roll back on any exception.

        Writers on SQLite take the write lock at BEGIN (BEGIN IMMEDIATE), so two
        concurrent use cases never both read a state the other is about to change.
        """
        factory = self._write_sessions if write else self._sessions
        with factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    # the driver sends no BEGIN of its own: _begin_first sends it (see there)
    return {"connect_args": {"autocommit": True}}


def _configure_postgresql(engine: Engine) -> None:
    event.listen(engine, "checkout", _refuse_dead_connection)
    event.listen(engine, "checkout", _leave_begin_to_first_statement)
    event.listen(engine, "do_execute", _begin_with_first_statement)
    event.listen(engine, "do_executemany", _begin_with_first_statement_of_many)
    event.listen(engine, "do_execute_no_params", _begin_with_first_parameterless_statement)


def _begin_with_first_statement(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    return _begin_first(cursor, context, lambda: cursor.execute(statement, parameters))


def _begin_with_first_statement_of_many(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    return _begin_first(cursor, context, lambda: cursor.executemany(statement, parameters))


def _begin_with_first_parameterless_statement(cursor: Any, statement: str, context: Any) -> bool:
    return _begin_first(cursor, context, lambda: cursor.execute(statement))


def _begin_first(cursor: Any, context: Any, execute: Callable[[], Any]) -> bool:
    """Open the transaction with its first statement: BEGIN and the statement go in one round trip.

    psycopg, left to open transactions itself, sends BEGIN alone and waits for its answer before
    the statement: one round trip more in every transaction. So the connections are in psycopg's
    autocommit mode (it sends no BEGIN), and a statement SQLAlchemy executes while the server is
    outside a transaction (the first of each: SQLAlchemy always begins one) goes after a BEGIN, in
    one pipeline. COMMIT and ROLLBACK go as before; psycopg skips them when no statement began a
    transaction. True when the statement has been executed here.

    Left alone: a statement asked to run in autocommit (isolation_level="AUTOCOMMIT", e.g. VACUUM),
    and a connection given another isolation level, where psycopg begins with that level itself.
    A pipeline takes one statement per query: a first statement of several joined by ";" fails.
    Code that uses the driver's connection directly gets autocommit, statement by statement.
    """
    connection = cursor.connection
    if connection.info.transaction_status != TransactionStatus.IDLE or not connection.autocommit:
        return False
    if context is not None and context.execution_options.get("isolation_level") == "AUTOCOMMIT":
        return False
    if isinstance(cursor, ServerCursor):  # a streamed query, which a pipeline cannot carry: BEGIN goes alone
        connection.execute("BEGIN")
        return False
    with connection.pipeline():
        connection.execute("BEGIN")
        execute()
    return True


def _leave_begin_to_first_statement(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Back to psycopg's autocommit mode: SQLAlchemy turns it off when it resets a connection that
    ran with an isolation level of its own (AUTOCOMMIT included)."""
    if not dbapi_connection.autocommit:
        dbapi_connection.autocommit = True


def _refuse_dead_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no pooled connection the server has closed (a restart, a terminated backend).

    An idle connection has nothing to read: when its socket is readable the server has said goodbye
    (its last message, then end of file). Looking costs no round trip, where SQLAlchemy's pool_pre_ping
    sends a query at every checkout. The pool then opens a new connection in its place.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise exc.DisconnectionError("the connection is closed")
    with selectors.DefaultSelector() as selector:  # not select(): a busy process has file numbers past 1024
        selector.register(dbapi_connection.fileno(), selectors.EVENT_READ)
        if selector.select(timeout=0):
            raise exc.DisconnectionError("the server closed the connection")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("duban_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
