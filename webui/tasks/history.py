"""A task's history in people's words: what changed, as labelled fields with names instead of ids and codes."""
from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.core.statuses import (
    ChaseStatus,
    ContributionStatus,
    DeadlineKind,
    EscalationLevel,
    EscalationStatus,
    EscalationTriggerKind,
    ExtensionStatus,
    InstructionStatus,
    PlanStatus,
    ReceiptStatus,
    ReportStatus,
    SignoffStatus,
    TaskStatus,
    WarningLevel,
)
from webui.formatting import local_date
from webui.i18n import translated

#: the fields a person reads in a change, in the order shown; other fields (hashes, form data) are left out
LABELS = {
    "code": _l("编号"), "title": _l("名称"), "status": _l("状态"), "warning": _l("预警"), "reasons": _l("预警原因"),
    "lead_unit_id": _l("牵头单位"), "cooperating_unit_ids": _l("配合单位"), "unit_id": _l("单位"),
    "unit": _l("单位"), "lead_leader_id": _l("牵头市领导"), "deadline_kind": _l("时限类型"),
    "deadline": _l("整改时限"), "old": _l("原整改时限"), "requested": _l("申请延至"),
    "extensions": _l("已延期次数"), "plan_due": _l("实施方案报送期限"), "instructions": _l("交办意见"),
    "due": _l("期限"), "answer_due": _l("答复期限"), "reply_due": _l("反馈期限"), "reason": _l("理由"),
    "note": _l("说明"), "opinion": _l("意见"), "revision": _l("稿次"), "lagging": _l("进度滞后"),
    "late": _l("逾期反馈"), "overdue": _l("逾期"), "closed_at": _l("销号日期"), "batch": _l("批次"),
    "trigger": _l("启动情形"), "level": _l("问责方式"), "suggested_level": _l("建议问责方式"), "persons": _l("人数"),
}
#: the status a change speaks of, by the kind of record it was made on
STATUSES: dict[str, type[enum.StrEnum]] = {
    "task": TaskStatus, "plan": PlanStatus, "report": ReportStatus, "signoff": SignoffStatus,
    "instruction": InstructionStatus, "chase": ChaseStatus, "contribution": ContributionStatus,
    "receipt": ReceiptStatus, "extension": ExtensionStatus, "escalation": EscalationStatus,
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Recorded(Protocol):
    """An audit event as this page reads it."""

    object_type: str
    before: Any
    after: Any


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str | None  # None: the field was not there before (a record created)
    after: str | None   # None: the field is gone (a record removed)


def history_changes(event: Recorded, units: Mapping[int, str], people: Mapping[int, str]) -> list[FieldChange]:
    """The fields an event changed, each labelled and written out; fields that stayed the same are left out."""
    before, after = _fields(event.before), _fields(event.after)
    words = _Words(event.object_type, units, people)
    changes = []
    for key, label in LABELS.items():
        if key not in before and key not in after:
            continue
        if key in before and key in after and before[key] == after[key]:
            continue
        changes.append(FieldChange(str(label), words.of(key, before[key]) if key in before else None,
                                   words.of(key, after[key]) if key in after else None))
    return changes


def _fields(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class _Words:
    object_type: str
    units: Mapping[int, str]
    people: Mapping[int, str]

    def of(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, list):
            return "、".join(self.of(key, item) for item in value)
        return self._named(key, value)

    def _named(self, key: str, value: Any) -> str:
        if key in ("unit", "unit_id", "lead_unit_id", "cooperating_unit_ids"):
            return self.units.get(value, _("（已删除的单位）"))
        if key == "lead_leader_id":
            return self.people.get(value, _("（已删除的用户）"))
        labelled = self._labelled(key, value)
        if labelled is not None:
            return labelled
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return local_date(date.fromisoformat(value))
        return str(value)

    def _labelled(self, key: str, value: Any) -> str | None:
        kinds: dict[str, Callable[[Any], Any]] = {
            "status": STATUSES.get(self.object_type, _unknown), "warning": WarningLevel,
            "deadline_kind": DeadlineKind, "trigger": EscalationTriggerKind, "level": EscalationLevel,
            "suggested_level": EscalationLevel,
        }
        if key not in kinds:
            return None
        try:
            return translated(kinds[key](value).label)
        except (ValueError, KeyError, AttributeError):
            return str(value)


def _unknown(value: Any) -> Any:
    raise ValueError(value)
