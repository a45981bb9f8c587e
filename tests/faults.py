"""Faults of the moment, caused on purpose: a database connection that breaks under a use case."""
from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session


def lose_connection(session: Session) -> None:
    """Break the session's connection as a server restart would. On PostgreSQL its own backend is terminated
    (pg_terminate_backend, from a connection of its own; no other test's backend is touched) and the next
    statement meets the break; SQLite has no server, so the driver's error is raised as SQLAlchemy would."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                               connection_invalidated=True)
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    terminate_backend(connection.engine.url.render_as_string(hide_password=False), pid)
    connection.exec_driver_sql("SELECT 1")


def terminate_backend(url: str, pid: int) -> None:
    killer = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with killer.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
    finally:
        killer.dispose()
