"""Query-string values read defensively: anything a database id or a date cannot be becomes None."""
from __future__ import annotations

from datetime import date

MAX_ID = 2**31 - 1


def query_id(raw: str | None) -> int | None:
    """A positive whole number that fits a database id, or None (never an OverflowError in the database)."""
    if not raw or len(raw) > 10 or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw) if 0 < int(raw) <= MAX_ID else None


def query_date(raw: str | None) -> date | None:
    try:
        value = date.fromisoformat(raw or "")
    except ValueError:
        return None
    return value if 2000 <= value.year <= 2100 else None
