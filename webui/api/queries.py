"""The query strings of the lists: the ledger's filters, the inbox's and the escalation register's, as the web
pages take them."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.core.periods import FILTER_PERIOD_PATTERN
from engine.core.statuses import EscalationStatus, EscalationTriggerKind, TaskStatus, WarningLevel
from engine.features.rectification.ledger_order import SORTS
from engine.features.work.inbox import INBOX_SORTS

MAX_ID = 2**31 - 1
Id = Field(default=None, ge=1, le=MAX_ID)
Period = Field(default=None, pattern=FILTER_PERIOD_PATTERN.pattern)

TaskStatusValue = Literal[tuple(status.value for status in TaskStatus)]  # type: ignore[valid-type]
WarningValue = Literal[tuple(level.value for level in WarningLevel)]  # type: ignore[valid-type]
LedgerSort = Literal[tuple(sort for name in SORTS for sort in (name, f"-{name}"))]  # type: ignore[valid-type]
InboxSort = Literal[tuple(INBOX_SORTS)]  # type: ignore[valid-type]
EscalationStatusValue = Literal[("open", *(status.value for status in EscalationStatus))]  # type: ignore[valid-type]
TriggerValue = Literal[tuple(kind.value for kind in EscalationTriggerKind)]  # type: ignore[valid-type]


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")

    page: int = Field(default=1, ge=1, le=100000)


class LedgerQuery(Query):
    category: int | None = Id
    unit: int | None = Id
    leader: int | None = Id
    status: TaskStatusValue | None = None
    warning: WarningValue | None = None
    q: str = Field(default="", max_length=100)
    sort: LedgerSort | None = None
    lead: bool = Field(default=False, description="only the tasks the unit leads")
    overdue: bool = Field(default=False, description="a monthly report overdue")
    extended: bool = Field(default=False, description="the deadline extended")
    registered_by: str | None = Period
    closed_by: str | None = Period
    closed_in: str | None = Period


class InboxQuery(Query):
    kind: str = Field(default="", max_length=64, description="a form, as the inbox's kinds name it")
    unit: int | None = Id
    warning: WarningValue | None = None
    due: Literal["overdue", "soon"] | None = None
    sort: InboxSort = "arrived"


class EscalationQuery(Query):
    level: int | None = Field(default=None, ge=1, le=4)
    unit: int | None = Id
    status: EscalationStatusValue | None = None
    trigger: TriggerValue | None = None
    q: str = Field(default="", max_length=100)
    opened: str | None = Period
    approved: str | None = Period
