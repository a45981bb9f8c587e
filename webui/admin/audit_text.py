"""The audit trail in people's words: an action's label, times in local (Beijing) time, a CSV a person can read."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.core.clock import LOCAL_TZ
from engine.features.audit.labels import action_label
from webui.i18n import translated

if TYPE_CHECKING:
    from engine.store.models import AuditEvent

#: an instant as the audit trail stores it in before/after (UTC, str() of a datetime or its ISO form)
UTC_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)$")
CSV_COLUMNS = ("seq", "at", "actor_username", "actor_name", "role", "unit_id", "action", "action_label",
               "object_type", "object_id", "task_id", "summary", "before", "after", "client_addr", "prev_hash", "hash")


def action_text(action: str) -> str:
    """The action in the reader's language; the code itself only for an action of no known family."""
    label = action_label(action)
    return translated(label) if label is not None else action


def local_instant(value: datetime) -> str:
    """2026-04-08 09:00 (+08:00): the form of the CSV and of the before/after values."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def local_times(value: Any) -> Any:
    """Before/after values with every stored UTC instant given in local time."""
    if isinstance(value, dict):
        return {key: local_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [local_times(item) for item in value]
    if isinstance(value, str) and UTC_INSTANT.match(value):
        return local_instant(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return value


def audit_json(value: object) -> str:
    """Before/after as readable JSON (Chinese as it is, times local; the template escapes it)."""
    return json.dumps(local_times(value), ensure_ascii=False, sort_keys=True)


def csv_value(event: AuditEvent, name: str) -> str:
    if name == "action_label":
        return action_text(event.action)
    value = getattr(event, name)
    if name == "at":
        return local_instant(value)
    if name in ("before", "after"):
        return "" if value is None else audit_json(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text  # no formulas in the spreadsheet
