"""A digest of each table: its rows in primary-key order, each written as canonical JSON, through SHA-256.

Two databases of one dialect holding the same rows give the same digests; a changed, added or removed
row changes its table's digest. Read inside one transaction, the digests describe one instant.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from engine.store.canonical import dumps, plain
from engine.store.models import Base

TableDigests = dict[str, dict[str, Any]]  # table → {"rows": n, "sha256": hex}


def table_digests(connection: Connection) -> TableDigests:
    """The digest and row count of every table duban defines that the database holds."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    return {table.name: _digest(connection, table, {c["name"] for c in inspector.get_columns(table.name)})
            for table in Base.metadata.sorted_tables if table.name in present}


def _digest(connection: Connection, table: Table, present: set[str]) -> dict[str, Any]:
    """Only the columns the database holds: a copy made by an older duban has fewer."""
    columns = [column for column in table.columns if column.name in present]
    order = [column for column in table.primary_key.columns if column.name in present] or columns
    digest, rows = hashlib.sha256(), 0
    for row in connection.execute(select(*columns).order_by(*order)).yield_per(1000):
        digest.update(dumps([plain(value) for value in row]).encode("ascii") + b"\n")
        rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def compare(recorded: TableDigests, found: TableDigests) -> list[str]:
    """Each table whose digest is not the recorded one, in words."""
    problems = []
    for name in sorted(recorded.keys() | found.keys()):
        was, now = recorded.get(name), found.get(name)
        if now is None:
            problems.append(f"table {name}: missing")
        elif was is None:
            problems.append(f"table {name}: added")
        elif was != now:
            problems.append(f"table {name}: contents changed ({was['rows']} rows recorded, {now['rows']} found; "
                            f"digest {now['sha256'][:12]}… instead of {was['sha256'][:12]}…)")
    return problems
