"""What the API says, as pydantic models: each answer is built from one of them, and the OpenAPI document
(openapi.py) describes the same models, so the document and the answers cannot drift apart."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    #: a refused submission: each field's messages ("" for the form as a whole)
    errors: dict[str, list[str]] | None = None


class Labelled(Schema):
    """A code and how a person reads it, in the requester's language."""

    value: str
    label: str


class Named(Schema):
    id: int
    name: str


class Page(Schema):
    total: int = Field(description="how many there are in all")
    page: int
    pages: int


class Subject(Schema):
    """What a piece of work is for: a rectification task, or (belonging to no task) a complaint case, a strengthening
    measure or a problem clue; its code is the task's code, the case's or the clue's number, the measure's code."""

    kind: Literal["task", "case", "measure", "clue"]
    id: int = Field(description="the record's id: GET /tasks/{id} for a task, GET /cases/{id} for a case")
    code: str
    title: str


class InboxItem(Schema):
    id: int = Field(description="the work item's id: GET and POST /work/{id}")
    name: str
    form: str
    subject: Subject | None
    task_id: int | None
    task_code: str = Field(description="the subject's code (see subject)")
    task_title: str = Field(description="the subject's title (see subject)")
    unit: str
    period: str
    due_at: datetime | None
    overdue: bool
    arrived_at: datetime
    returned: bool
    return_reason: str | None


class InboxKind(Schema):
    form: str
    name: str
    count: int


class InboxPage(Page):
    items: list[InboxItem]
    kinds: list[InboxKind]


class Deadline(Schema):
    kind: Labelled
    date: date | None
    text: str | None


class TaskSummary(Schema):
    id: int
    code: str
    title: str
    category: str
    status: Labelled
    warning: Labelled
    lead_unit: str
    lead_leader: str
    deadline: Deadline
    current_steps: list[str]
    last_report: str | None = Field(description="the month (YYYY-MM) of the last monthly report")


class TaskPage(Page):
    items: list[TaskSummary]


class Step(Schema):
    """A step waiting for someone: who must do what by when."""

    id: int
    name: str
    role: str
    unit: str
    due_at: datetime | None
    mine: bool


class HistoryEvent(Schema):
    at: datetime
    actor: str
    action: str
    label: str
    summary: str


class MonthlyReport(Schema):
    period: str
    status: Labelled
    due_date: date
    progress: str
    percent_complete: int | None
    problems: str
    next_steps: str
    submitted_at: datetime | None
    overdue: bool
    lagging: bool
    review_comment: str


class TaskFacts(Schema):
    problem: str
    target: str
    measures: str
    instructions: str
    cooperating_units: list[str]
    plan_due: date | None
    registered_at: datetime
    closed_at: datetime | None
    received_at: datetime | None
    extensions: int


class TaskDetail(TaskSummary):
    facts: TaskFacts
    steps: list[Step]
    history: list[HistoryEvent]
    reports: list[MonthlyReport]


class FormField(Schema):
    """One field of a step's form, with the rules the web page applies."""

    name: str
    kind: str
    required: bool
    label: str
    help: str
    choices: list[Labelled] | None = None
    low: int | None = None
    high: int | None = None
    max_length: int | None = None


class WorkItem(Schema):
    id: int
    name: str
    form: str
    subject: Subject
    task_id: int | None = Field(description="the task, for a task's step; null for other work (see subject)")
    task_code: str = Field(description="the subject's code (see subject)")
    task_title: str = Field(description="the subject's title (see subject)")
    due_at: datetime | None
    return_reason: str | None
    fields: list[FormField]
    initial: dict[str, Any] = Field(description="what the form starts from (a returned form: the last submission)")


class Completed(Schema):
    id: int
    name: str
    subject: Subject
    task_id: int | None
    steps: list[Step] = Field(description="what waits next on the subject (the task, case, measure or clue)")


class Draft(Schema):
    """暂存: what the person saved of a long form without submitting it (only theirs; the work stays open)."""

    saved_at: datetime | None = Field(description="when it was saved; null: no draft")
    data: dict[str, Any] = Field(description="the form's fields as saved, unchecked")


class DraftDiscarded(Schema):
    discarded: bool = Field(description="false when there was no draft")


class BatchCompletion(Schema):
    """One decision for several work items of one kind (a form the inbox offers to do for many at once)."""

    kind: str = Field(min_length=1, max_length=64, description="the items' form, as the inbox's kinds name it")
    work_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=500)
    fields: dict[str, Any] = Field(default_factory=dict, description="the decision: the fields of the kind's form")


class BatchDone(Schema):
    kind: str
    done: list[Named] = Field(description="each work item (id, step's name), done as its own step")


class EscalationSummary(Schema):
    id: int
    task_id: int | None = Field(description="the task escalated; none for a complaint case's escalation")
    case_id: int | None = Field(None, description="the complaint case escalated; none for a task's escalation")
    task_code: str = Field(description="the task's code, or the complaint case's 第N批-number")
    task_title: str = Field(description="the task's name, or the complaint case's place and kind of pollution")
    unit: str
    trigger: Labelled
    status: Labelled
    level: int | None = Field(description="the approved level, else the proposed, else the suggested one")
    opened_at: datetime
    current_steps: list[str]


class EscalationPage(Page):
    items: list[EscalationSummary]


class EscalationDetail(EscalationSummary):
    reasons: str
    evidence: str
    decision: str
    decision_comment: str
    commitment: str
    complete_by: date | None
    steps: list[Step]
    history: list[HistoryEvent]


class Count(Schema):
    value: str
    label: str
    count: int


class MonthFigure(Schema):
    period: str
    closed_in_month: int
    statuses: list[Count]


class GroupFigures(Schema):
    """One category, unit or leader: its tasks by status, how many are red or yellow, how many owe a report."""

    id: int
    label: str
    total: int
    statuses: list[Count]
    red: int
    yellow: int
    overdue: int


class OverdueReport(Schema):
    task_id: int
    code: str
    title: str
    unit: str
    period: str
    due_date: date
    days: int


class Dashboard(Schema):
    today: date
    total: int
    statuses: list[Count]
    warnings: list[Count]
    overdue_tasks: int
    overdue_reports: int
    open_escalations: int
    escalations_started: int
    open_instructions: int
    extended_tasks: int
    extensions: int
    curve: list[MonthFigure]
    categories: list[GroupFigures]
    units: list[GroupFigures]
    leaders: list[GroupFigures]
    overdue_report_list: list[OverdueReport] = Field(description="the longest overdue monthly reports first")


class Completion(Schema):
    """A step's form, filled in: the same fields the web page sends (see GET /work/{id}); a list of persons is a
    list of objects with the row's fields."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})


class MonthlyReportList(Schema):
    items: list[MonthlyReport]


class Me(Schema):
    username: str
    name: str
    role: str
    unit: str | None
    scope: str = Field(description="read or write for a token; session for the browser's login")
