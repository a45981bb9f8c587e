"""Request values read defensively: no NUL byte in any parameter or field (no database stores one), and anything
a database id or a date cannot be becomes None."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

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


class Parameters(ImmutableMultiDict):  # type: ignore[type-arg]
    """The query string's and the form's values with every NUL byte dropped, as the request is parsed: a text
    field, a filter, a login name can then always be stored and searched (PostgreSQL refuses NUL in text)."""

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None) -> None:
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in iter_multi_items(mapping or ())])


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class CleanRequest(Request):
    parameter_storage_class = Parameters
