"""A PostgreSQL schema of its own, for a test or a benchmark sharing a server with others."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url


@contextmanager
def postgres_schema(server_url: str, prefix: str = "test") -> Iterator[str]:
    """Create a schema on the server, yield the URL that uses it, drop it with all it holds afterwards."""
    schema = f"{prefix}_{uuid4().hex[:16]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        server.dispose()
