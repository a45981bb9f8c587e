"""Connections and transactions. One use case = one `transaction()`."""
from __future__ import annotations

import contextlib
import copy
import functools
import selectors
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import ServerCursor
from psycopg.pq import TransactionStatus
from psycopg.types.json import Json, Jsonb
from sqlalchemy import Engine, Insert, Table, Update, bindparam, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

MIGRATIONS = Path(__file__).with_name("migrations")

SQLITE_BUSY_TIMEOUT_MS = 30_000

#: execution option of a write whose result the caller does not read: on PostgreSQL it is held back and sent
#: in one pipeline with the transaction's next statement, or with COMMIT (see _send_with_held_writes). The value is
#: True, or the Rows the write must change.
WRITE_BEHIND = "duban_write_behind"
#: the writes held back, by the driver's connection they wait on
_HELD: weakref.WeakKeyDictionary[Any, list[_Write]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Rows:
    """How many rows a write held back must change, and the error if it changes another number."""

    expected: int
    error: Callable[[], Exception]

    def check(self, rowcount: int) -> None:
        if rowcount != self.expected:
            raise self.error()


@dataclass
class Answer:
    """The first row of a read held back like a write (a lock taken ahead, a check sent with the next read),
    kept here when it comes."""

    row: Any = None
    came: bool = False
    statement: Any = None
    parameters: dict[str, Any] | None = None

    def take(self, cursor: Any) -> None:
        self.row, self.came = cursor.fetchone(), True

    def first_row(self, session: Session) -> Any:
        """The row, once it has come; if no statement has carried the read yet, it is sent again now (the held
        one goes with it)."""
        if not self.came:
            return session.execute(self.statement, self.parameters).first()
        return self.row


def read_ahead(session: Session, statement: Any, parameters: dict[str, Any]) -> Answer:
    """A read whose answer is needed a little later: it goes with the transaction's next statement (on
    PostgreSQL one round trip less), and its first row is kept in the Answer returned."""
    answer = Answer(statement=statement, parameters=parameters)
    session.connection().execute(statement, parameters, execution_options=write_behind(answer))
    return answer


def write_behind(expect: Rows | Answer | None = None) -> dict[str, Any]:
    """The execution options of a statement whose result is not read now: with Rows, the rows it must change;
    with an Answer, where its first row is kept."""
    return {WRITE_BEHIND: expect or True}


def write_loaded(session: Session, loaded: Any, values: dict[str, Any]) -> None:
    """Write columns of a row the session has loaded: one UPDATE by its id, held back (write_behind) and checked
    to change that row, not a flush of the unit of work; the object then reads as written."""
    table = loaded.__table__

    def gone() -> Exception:
        return StaleDataError(f"{table.name} {loaded.id} was deleted by another transaction")

    session.connection().execute(_update_by_id(table, tuple(values)),
                                 {"row_id": loaded.id, **{f"new_{key}": value for key, value in values.items()}},
                                 execution_options=write_behind(Rows(1, gone)))
    as_written(loaded, values)


@functools.lru_cache(maxsize=64)
def _update_by_id(table: Table, columns: tuple[str, ...]) -> Update:
    """UPDATE table SET the columns WHERE id = :row_id, built once (SQLAlchemy then compiles it once)."""
    return table.update().where(table.c.id == bindparam("row_id")).values(
        {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})


def as_written(loaded: object, values: dict[str, Any]) -> None:
    """The object now says what its row holds, with nothing left for a flush to write."""
    for key, value in values.items():
        set_committed_value(loaded, key, value)


def insert_row(session: Session, table: Table, values: dict[str, Any]) -> int:
    """INSERT one row of a table with an integer id; its id.

    On PostgreSQL the id is drawn ahead from the table's sequence and the INSERT is held back (write_behind): a
    transaction draws 1 id, then 2, 4… up to 64 at a time as it goes on inserting (a sweep's batch requests a
    report and starts an instance for each task), where INSERT … RETURNING would wait once per row. Ids drawn and
    not used are left out, as those of a rolled-back transaction are. On SQLite, which answers at once, the INSERT
    returns the id.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return int(connection.execute(_inserting(table, returning=True), values).scalar_one())
    drawn = session.info.setdefault(_IDS_DRAWN, {}).setdefault(table.fullname, _Ids())
    if not drawn.free:
        drawn.draw = min(drawn.draw * 2, _MOST_IDS_AT_ONCE) if drawn.draw else 1
        drawn.free = sorted(connection.scalars(_DRAW_IDS, {"table": table.fullname, "count": drawn.draw}))
    row_id = drawn.free.pop(0)
    connection.execute(_inserting(table), {**values, "id": row_id}, execution_options=write_behind())
    return row_id


@dataclass
class _Ids:
    """A table's ids drawn in this transaction and not used yet, and how many the last draw took."""

    free: list[int] = field(default_factory=list)
    draw: int = 0


#: ids drawn for insert_row, by table name, in a session's info (a session is one transaction)
_IDS_DRAWN = "duban.ids_drawn"
_MOST_IDS_AT_ONCE = 64
_DRAW_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")


@functools.lru_cache(maxsize=16)
def _inserting(table: Table, returning: bool = False) -> Insert:
    """INSERT INTO table, built once (SQLAlchemy then compiles it once per set of columns)."""
    return table.insert().returning(table.c.id) if returning else table.insert()


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
    # the driver sends no BEGIN of its own: _send_with_held_writes sends it (see there)
    return {"connect_args": {"autocommit": True}}


def _configure_postgresql(engine: Engine) -> None:
    event.listen(engine, "checkout", _refuse_dead_connection)
    event.listen(engine, "checkout", _leave_begin_to_first_statement)
    event.listen(engine, "do_execute", _execute)
    event.listen(engine, "do_executemany", _execute_many)
    event.listen(engine, "do_execute_no_params", _execute_no_params)
    # SQLAlchemy has no event for the commit itself (its "commit" event comes before, outside its handling of
    # the driver's errors), so the dialect of this engine commits with the writes held back
    engine.dialect.do_commit = _commit_with_held_writes  # type: ignore[method-assign]
    engine.dialect.do_rollback = _rollback_held_writes  # type: ignore[method-assign]


@dataclass(frozen=True)
class _Write:
    """A statement as SQLAlchemy hands it to the driver, and what WRITE_BEHIND expects of it (the rows it must
    change, or an Answer to keep)."""

    statement: str
    parameters: Any
    many: bool = False
    expect: Rows | Answer | None = None

    def run(self, cursor: Any) -> Callable[[], None]:
        """Send it; what to do once its result has come (in a pipeline, at its end): check its row count, or
        keep its answer."""
        if self.many:
            cursor.executemany(self.statement, self.parameters)
        else:
            cursor.execute(self.statement, self.parameters)
        expect = self.expect
        if isinstance(expect, Answer):
            return lambda: expect.take(cursor)
        return (lambda: expect.check(cursor.rowcount)) if expect is not None else _nothing_to_check

    @property
    def checked(self) -> bool:
        """A write whose rows are checked: it must not go with COMMIT, which would keep it whatever they are."""
        return isinstance(self.expect, Rows)


def _expected(behind: Any) -> Rows | Answer | None:
    return behind if isinstance(behind, Rows | Answer) else None


def _nothing_to_check() -> None:
    pass


def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    return _send(cursor, context, statement, parameters, False)


def _execute_many(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    return _send(cursor, context, statement, parameters, True)


def _execute_no_params(cursor: Any, statement: str, context: Any) -> bool:
    return _send(cursor, context, statement, None, False)


def _send(cursor: Any, context: Any, statement: str, parameters: Any, many: bool) -> bool:
    """Every statement on PostgreSQL goes through here. True when it has been sent (or held back) here.

    A write marked WRITE_BEHIND is held back: its result is not read, so it can wait for the next
    statement and go with it in one round trip (see _send_with_held_writes). Any other statement goes
    after BEGIN when no transaction is open and after the writes held back, all in one pipeline.
    """
    connection = cursor.connection
    held = _HELD.get(connection)
    behind = context.execution_options.get(WRITE_BEHIND) if context is not None else None
    if not behind and not held and connection.info.transaction_status != TransactionStatus.IDLE:
        return False  # the common case: within a transaction, nothing held back
    if not _may_pipeline(connection, context):
        if not behind:
            return False
        _Write(statement, parameters, many, _expected(behind)).run(cursor)()
        return True
    if behind:
        write = _Write(statement, _frozen(parameters), many, _expected(behind))
        if not context.root_connection.in_nested_transaction():
            _HELD.setdefault(connection, []).append(write)
            return True
        # within a savepoint it goes at once, and is checked at once: a failure must stay the savepoint's
        _send_with_held_writes(connection, held or [], lambda: write.run(cursor))
        return True
    if isinstance(cursor, ServerCursor):  # a streamed query, which a pipeline cannot carry: it goes alone after
        _send_with_held_writes(connection, held or [], lambda: None)
        return False
    _send_with_held_writes(connection, held or [], lambda: _Write(statement, parameters, many).run(cursor))
    return True


def _frozen(parameters: Any) -> Any:
    """The parameters as they are now: psycopg reads a JSON value when it sends it, and a held write is sent
    later, after the caller may have changed the dict or list it passed."""
    if isinstance(parameters, dict):
        return {key: _frozen_value(value) for key, value in parameters.items()}
    if isinstance(parameters, list | tuple):
        return [_frozen(row) for row in parameters]
    return parameters


def _frozen_value(value: Any) -> Any:
    if isinstance(value, Json | Jsonb):
        return type(value)(copy.deepcopy(value.obj), value.dumps)
    return value


def _may_pipeline(connection: Any, context: Any) -> bool:
    """Not a statement asked to run in autocommit (VACUUM), nor a connection given another isolation level,
    where psycopg begins with that level itself."""
    if not connection.autocommit:
        return False
    return context is None or context.execution_options.get("isolation_level") != "AUTOCOMMIT"


def _send_with_held_writes(connection: Any, held: list[_Write], send: Callable[[], Callable[[], None] | None]) -> None:
    """BEGIN when no transaction is open, the writes held back in their order, then `send` (and the check it
    returns, if any): one pipeline, one round trip. BEGIN opens the transaction with its first statement:
    psycopg, left to open transactions itself, sends BEGIN alone and waits for its answer, so the connections
    are in its autocommit mode and SQLAlchemy, which always begins a transaction, has its BEGIN sent here.

    A held write that fails raises its own error here, at the statement after it; the statements after it in
    the pipeline are not run. Its row count is checked here too.

    A pipeline takes one statement per query: a statement of several joined by ";" fails here. Code that
    uses the driver's connection directly gets autocommit, statement by statement.
    """
    checks = []
    with connection.pipeline():
        if connection.info.transaction_status == TransactionStatus.IDLE:
            connection.execute("BEGIN")
        while held:
            checks.append(held.pop(0).run(connection.cursor()))
        checks.append(send())
    for check in checks:
        if check is not None:
            check()


def _commit_with_held_writes(pooled_connection: Any) -> None:
    """The writes still held back go with COMMIT, unless one has rows to check: those are checked first.
    Without any, psycopg's commit (which skips COMMIT when no statement began a transaction).

    If a held write fails or its check does, the transaction is rolled back here: SQLAlchemy, when its commit
    fails, considers the transaction over and sends no ROLLBACK of its own.
    """
    dbapi_connection = pooled_connection.dbapi_connection
    held = _HELD.get(dbapi_connection)
    if not held:
        pooled_connection.commit()
        return
    try:
        if not any(write.checked for write in held):
            commit = _Write("COMMIT", None)
            _send_with_held_writes(dbapi_connection, held, lambda: commit.run(dbapi_connection.cursor()))
            return
        _send_with_held_writes(dbapi_connection, held, lambda: None)  # checked before COMMIT
    except BaseException:
        held.clear()
        with contextlib.suppress(Exception):
            dbapi_connection.rollback()
        raise
    pooled_connection.commit()


def _rollback_held_writes(pooled_connection: Any) -> None:
    """A rollback drops what was held back with the rest (SQLAlchemy's rollback, and the pool's on return)."""
    _HELD.pop(pooled_connection.dbapi_connection, None)
    pooled_connection.rollback()


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

    @event.listens_for(engine, "after_cursor_execute")
    def _check_rows(_connection: Any, cursor: Any, _statement: str, _parameters: Any, context: Any,
                    _many: bool) -> None:
        """SQLite sends every statement at once: the rows a WRITE_BEHIND write must change are checked here, and
        an Answer is kept."""
        behind = context.execution_options.get(WRITE_BEHIND) if context is not None else None
        if isinstance(behind, Rows):
            behind.check(cursor.rowcount)
        elif isinstance(behind, Answer):
            behind.take(cursor)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("duban_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
