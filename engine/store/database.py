"""Connections and transactions. One use case = one `transaction()`."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, orm
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from engine.store import append_only, search_index
from engine.store.audit import append_to_chain
from engine.store.state import row_key, vouched

if TYPE_CHECKING:
    from engine.store.models import AuditEvent

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000


class CommitUnanswered(Exception):
    """The connection was lost while COMMIT was on its way: the transaction may or may not be committed."""


class Session(orm.Session):
    """A use case's session: beside the unit of work, the audit events it records (store/audit.py), which join
    the audit chain when its transaction commits, and the business rows it wrote, whose after-images they carry."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit_events: list[AuditEvent] = []
        #: the business rows this transaction wrote and deleted, imaged into its last audit event (store/state.py)
        self.written_rows: dict[int, Any] = {}
        self.deleted_rows: set[tuple[str, str]] = set()

    def flush(self, objects: Any = None) -> None:
        """Note the business rows about to be written or deleted, then write them."""
        self.written_rows.update((id(row), row) for row in (*self.new, *self.dirty) if vouched(row))
        self.deleted_rows.update(row_key(row) for row in self.deleted if vouched(row))
        super().flush(objects)


class Database:
    """The one place that knows how to open a transaction on SQLite or PostgreSQL."""

    def __init__(self, url: str, echo: bool = False, migration_url: str | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo, **_engine_options(url))
        #: the schema's owner, when the application's own role may not change tables (PostgreSQL)
        self.migration_url = migration_url or None
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        writer = self.engine.execution_options(duban_write=True)
        self._write_sessions = sessionmaker(writer, class_=Session, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def upgrade_schema(self) -> None:
        """Create the schema, or bring an older one up to date (Alembic migrations); put back the audit trail's
        append-only triggers if they are missing (a restored copy made without them, or dropped by hand), and
        what is missing of the search index (a table copied by a later migration loses its triggers). With a
        migration URL this is done as the schema's owner; a current schema asks nothing of either role."""
        with self.migration_connection() as connection:
            config = self._alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            append_only.install(connection)
            search_index.install(connection)

    @contextmanager
    def migration_connection(self) -> Iterator[Connection]:
        """A connection for Alembic, in one transaction, as the schema's owner if there is one.

        SQLite alters a table by copying it and dropping the original, which its foreign keys forbid while
        other tables refer to it: they are off while the migrations run, and every reference is checked before
        the commit (a migration that broke one fails whole)."""
        engine = create_engine(self.migration_url) if self.migration_url else self.engine
        sqlite = engine.dialect.name == "sqlite"
        try:
            with engine.connect() as connection:
                if sqlite:  # outside a transaction, or SQLite ignores it
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
                try:
                    with connection.begin():
                        yield connection
                        if sqlite:
                            _check_references(connection)
                finally:
                    if sqlite:
                        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        finally:
            if engine is not self.engine:
                engine.dispose()

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
        """Commit on success, roll back on any exception; the audit events recorded meanwhile are chained and
        written just before the commit.

        Writers on SQLite take the write lock at BEGIN (BEGIN IMMEDIATE), so two concurrent use cases never both
        read a state the other is about to change. Everything is flushed before COMMIT is sent, so a connection
        lost at COMMIT (CommitUnanswered) is the only failure whose outcome is unknown.
        """
        factory = self._write_sessions if write else self._sessions
        with factory() as session:
            transaction = session.begin()
            try:
                yield session
                append_to_chain(session)
                session.flush()
            except BaseException:
                transaction.rollback()
                raise
            try:
                transaction.commit()
            except DBAPIError as exc:
                if exc.connection_invalidated:
                    raise CommitUnanswered(str(exc.orig)) from exc
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _check_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise RuntimeError(f"the migration left {len(broken)} broken reference(s), e.g. {table} row {rowid} "
                           f"to {parent}")


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    # a pooled connection the server has closed (a restart, a fail-over) is replaced before it is handed out
    return {"pool_pre_ping": True}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's "begin" event below emits BEGIN, not the driver (pysqlite's own begins too late)
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
