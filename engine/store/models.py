"""The database: SQLAlchemy 2.0 declarative models.

Human tasks have their own table so that inboxes and ledgers are plain indexed
queries; a process instance row holds only the workflow state (the spec lives once
per deployed version).
"""
from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, query_expression, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


# --- enums -------------------------------------------------------------------------------

class TaskStatus(enum.StrEnum):
    """Where a rectification task stands (the four columns of every ledger)."""

    REGISTERED = "registered"        # 未启动: registered, plan not yet filed
    IN_PROGRESS = "in_progress"      # 推进中: plan filed, rectifying and reporting monthly
    PENDING_SIGNOFF = "pending_signoff"  # 待销号: sign-off applied for, being verified/approved
    CLOSED = "closed"                # 已销号

    @property
    def label(self) -> str:
        return TASK_STATUS_LABELS[self]

    def is_closed(self) -> bool:
        return self is TaskStatus.CLOSED

    def can_apply_for_signoff(self) -> bool:
        return self is TaskStatus.IN_PROGRESS

    def is_reporting(self) -> bool:
        return self in (TaskStatus.IN_PROGRESS, TaskStatus.PENDING_SIGNOFF)


TASK_STATUS_LABELS = {
    TaskStatus.REGISTERED: "未启动",
    TaskStatus.IN_PROGRESS: "推进中",
    TaskStatus.PENDING_SIGNOFF: "待销号",
    TaskStatus.CLOSED: "已销号",
}


class DeadlineKind(enum.StrEnum):
    DATE = "date"            # 整改时限 is a date
    IMMEDIATE = "immediate"  # 立行立改: act at once
    STANDING = "standing"    # 长期坚持: a standing task with no end

    def has_date(self) -> bool:
        return self is not DeadlineKind.STANDING


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    def is_running(self) -> bool:
        return self is InstanceStatus.RUNNING


class HumanTaskStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    def is_open(self) -> bool:
        return self is HumanTaskStatus.OPEN


class PlanStatus(enum.StrEnum):
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    FILED = "filed"
    RETURNED = "returned"


class ReportStatus(enum.StrEnum):
    REQUESTED = "requested"  # the month is over; the unit owes its report
    DRAFTED = "drafted"      # the officer has written it; the unit head has not signed it yet
    SUBMITTED = "submitted"  # signed and sent up (交账)
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # the task was signed off before this report was due

    def is_final(self) -> bool:
        return self in (ReportStatus.ACCEPTED, ReportStatus.CANCELLED)

    def awaits_unit(self) -> bool:
        return self in (ReportStatus.REQUESTED, ReportStatus.DRAFTED, ReportStatus.RETURNED)


class WarningLevel(enum.StrEnum):
    """预警: green on track, yellow needs attention, red needs action. Rules: engine/warnings.py."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "绿", "yellow": "黄", "red": "红"}[self.value]


class TargetDirection(enum.StrEnum):
    """Which side of its target value an environmental indicator must be on."""

    AT_MOST = "at_most"    # 不高于: lower is better (PM2.5, sections worse than class V)
    AT_LEAST = "at_least"  # 不低于: higher is better (good-air days, sections at class III)

    def meets(self, value: float, target: float) -> bool:
        return value <= target if self is TargetDirection.AT_MOST else value >= target

    @property
    def label(self) -> str:
        return "不高于" if self is TargetDirection.AT_MOST else "不低于"


class SignoffStatus(enum.StrEnum):
    APPLIED = "applied"        # drafted by the officer
    SUBMITTED = "submitted"    # signed by the unit head, with the supervisor for verification
    VERIFIED = "verified"      # the five standards are met; on to 公示
    IN_NOTICE = "in_notice"    # 公示: on the public pages, objections may come in
    NOTICE_DONE = "notice_done"  # the notice period is over, objections (if any) all answered
    APPROVED = "approved"      # the lead leader approved: 已销号
    RETURNED = "returned"


class ObjectionStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"        # the objection is right: back to rectification
    DISMISSED = "dismissed"  # answered with the reason recorded


class ReopenReason(enum.StrEnum):
    RECURRENCE = "recurrence"   # 问题复发
    COMPLAINT = "complaint"     # 新的群众投诉
    MEDIA = "media"             # 媒体报道
    INSPECTION = "inspection"   # 上级检查发现


# --- organisation ------------------------------------------------------------------------

class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    #: consecutive failed logins; reset by a successful one or an unlock
    failed_logins: Mapped[int] = mapped_column(default=0)
    #: set when failed_logins reached the limit; the account refuses logins until it expires or is unlocked
    locked_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    #: set when an administrator chose the password: the person must choose their own before working
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the language the person chose for the web pages (e.g. "en"); None: the site's default
    locale: Mapped[str | None] = mapped_column(String(16))

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginSession(Base):
    """One login: the browser holds a random token, the database its hash, so logout really ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    client_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(lazy="joined")


# --- rectification tasks -----------------------------------------------------------------

class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))


cooperating_units = Table(
    "task_cooperating_units",
    Base.metadata,
    Column("task_id", ForeignKey("rectification_tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    Index("ix_task_cooperating_units_unit", "unit_id", "task_id"),  # a unit's tasks (ledger, unit scope)
)


class RectificationTask(Base):
    """整改任务: one finding of the inspection and what must be done about it."""

    __tablename__ = "rectification_tasks"
    #: the dashboard counts tasks by category, lead unit and lead leader, then status and colour:
    #: each count reads one of these indexes only, never the tasks themselves
    __table_args__ = (
        Index("ix_rectification_tasks_category_status", "category_id", "status", "warning"),
        Index("ix_rectification_tasks_lead_unit_status", "lead_unit_id", "status", "warning"),
        Index("ix_rectification_tasks_lead_leader_status", "lead_leader_id", "status", "warning"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    lead_leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deadline_kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), index=True)
    registered_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    warning: Mapped[WarningLevel] = mapped_column(_enum(WarningLevel), default=WarningLevel.GREEN, index=True)
    #: why the task has its colour: [{"code": ..., ...}], see engine/warnings.py
    warning_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # loaded on demand: pages ask for them with queries.TASK_DISPLAY; engine steps rarely need them
    category: Mapped[Category] = relationship()
    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    lead_leader: Mapped[User] = relationship(foreign_keys=[lead_leader_id])
    cooperating_units: Mapped[list[Unit]] = relationship(secondary=cooperating_units,
                                                         order_by=Unit.position)
    #: the cooperating units' ids ("3,7,12"; "" for none) when the query that read the task asked for them with
    #: COOPERATING_UNIT_IDS (a step's first read does), else None
    listed_unit_ids: Mapped[str | None] = query_expression()

    def cooperating_unit_ids(self) -> list[int]:
        """The ids as read with the task, or of its units (read now if need be) when it was read without them or
        its units have been loaded or replaced since."""
        if self.listed_unit_ids is None or "cooperating_units" in self.__dict__:
            return [unit.id for unit in self.cooperating_units]
        return [int(unit_id) for unit_id in self.listed_unit_ids.split(",") if unit_id]

    def unit_ids(self) -> set[int]:
        return {self.lead_unit_id, *self.cooperating_unit_ids()}

    def __repr__(self) -> str:
        return f"<RectificationTask {self.code} {self.status}>"


#: a task's cooperating units' ids in one column, for RectificationTask.listed_unit_ids (with_expression)
COOPERATING_UNIT_IDS = func.coalesce(
    select(func.aggregate_strings(cast(cooperating_units.c.unit_id, String), ","))
    .where(cooperating_units.c.task_id == RectificationTask.id).scalar_subquery(), "")


class TaskStatusChange(Base):
    """A task's status changed (the audit trail says so too, as task.status).

    Kept narrow, with an index that holds every column, so that the dashboard's month curve counts
    a province's changes by month without reading the audit trail: one range of the index for each
    kind of change (before, after) and month."""

    __tablename__ = "task_status_changes"
    __table_args__ = (Index("ix_task_status_changes_change", "before", "after", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    at: Mapped[datetime]
    before: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))
    after: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus))


class ImplementationPlan(Base):
    """整改实施方案: the unit's plan, filed (备案) by the supervision group."""

    __tablename__ = "implementation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    revision: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    milestones: Mapped[str] = mapped_column(Text)
    completion_date: Mapped[date | None] = mapped_column(Date)
    contact: Mapped[str] = mapped_column(String(200))
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")


class ProgressReport(Base):
    """月度进展报告 (按月交账): one unit's report for one month of one task."""

    __tablename__ = "progress_reports"
    __table_args__ = (Index("ix_progress_reports_task_period", "task_id", "period"),
                      # 逾期未报: overdue, not sent and not cancelled, the most overdue first (dashboard, ledger
                      # filter), read from the index alone
                      Index("ix_progress_reports_overdue", "overdue", "due_date", "task_id", "submitted_at",
                            "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the month reported on
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus))
    requested_at: Mapped[datetime]
    due_date: Mapped[date] = mapped_column(Date)
    progress: Mapped[str] = mapped_column(Text, default="")
    percent_complete: Mapped[int | None]
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]  # first signed and sent up by the unit head
    reminded_at: Mapped[datetime | None]
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # 逾期未报: not in by the due day
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")
    lagging: Mapped[bool] = mapped_column(Boolean, default=False)  # 进度滞后, marked by the supervisor

    task: Mapped[RectificationTask] = relationship()

    def needs_attention(self) -> bool:
        """A yellow period: overdue or judged lagging."""
        return self.overdue or self.lagging


class SignoffApplication(Base):
    """销号申请: the unit's claim that the task is done, and what became of it."""

    __tablename__ = "signoff_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SignoffStatus] = mapped_column(_enum(SignoffStatus))
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    #: the supervisor's acceptance check: {standard: {"met": bool, "note": str}} (engine/signoff.py)
    checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    site_check_date: Mapped[date | None] = mapped_column(Date)
    site_check_by: Mapped[str] = mapped_column(String(200), default="")
    site_findings: Mapped[str] = mapped_column(Text, default="")


class EvidenceFile(Base):
    """佐证材料: a file stored outside the web root under its SHA-256, shown only to who may see the task."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    signoff_id: Mapped[int | None] = mapped_column(ForeignKey("signoff_applications.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]


class SignoffNotice(Base):
    """销号公示: the notice the publicity group puts on the public pages for N working days."""

    __tablename__ = "signoff_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    signoff_id: Mapped[int] = mapped_column(ForeignKey("signoff_applications.id"))
    text: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None]

    def accepts_objections(self, today: date) -> bool:
        return self.closed_at is None and self.start_date <= today <= self.end_date


class Objection(Base):
    """公示异议: filed by anyone on the public form; each must be answered before sign-off goes on."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("signoff_notices.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    submitted_at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(50), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text)
    client_addr: Mapped[str] = mapped_column(String(64), default="", index=True)
    status: Mapped[ObjectionStatus] = mapped_column(_enum(ObjectionStatus))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]


class PublicSummary(Base):
    """A progress summary the publicity group approved for the public pages (never the internal report)."""

    __tablename__ = "public_summaries"
    __table_args__ = (UniqueConstraint("report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"))
    period: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime]


# --- environmental targets ---------------------------------------------------------------

class EnvironmentalIndicator(Base):
    """整改目标: an environmental quality indicator with a baseline, a target value and a deadline."""

    __tablename__ = "environmental_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[TargetDirection] = mapped_column(_enum(TargetDirection))
    baseline_year: Mapped[int | None]
    baseline_value: Mapped[float | None]
    target_value: Mapped[float]
    #: the target as the plan words it, e.g. 比2015年下降22.1%以上
    target_text: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<EnvironmentalIndicator {self.code}>"


class IndicatorValue(Base):
    """One month's value of an indicator (for annual indicators: the year-to-date value)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("environmental_indicators.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    value: Mapped[float]
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


# --- the workflow runtime ----------------------------------------------------------------

class ProcessVersion(Base):
    """One deployed version of one BPMN process, kept as long as any instance uses it."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    deployed_at: Mapped[datetime]


class ProcessInstance(Base):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_id: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    business_key: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[InstanceStatus] = mapped_column(_enum(InstanceStatus), index=True)
    state_json: Mapped[str] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None]
    #: an unresolved incident: the sweep leaves the instance alone until someone retries it
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    version: Mapped[ProcessVersion] = relationship()
    #: a monthly report cycle's report (none for other processes); read with the work item at every step
    report: Mapped[ProgressReport | None] = relationship(
        primaryjoin="ProgressReport.instance_id == ProcessInstance.id", foreign_keys="ProgressReport.instance_id",
        viewonly=True, uselist=False)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}
    # the sweep reads the due instances in this order (a month's timers share one instant: by next_timer_at
    # alone the database sorted all of them to find the first 50)
    __table_args__ = (Index("ix_process_instances_due", "next_timer_at", "id"),)

    def is_due(self, now: datetime) -> bool:
        """A timer of this instance should fire now (strictly after its instant, as SpiffWorkflow compares)."""
        return (self.status.is_running() and not self.blocked
                and self.next_timer_at is not None and self.next_timer_at < now)


class HumanTask(Base):
    """A user task that is (or was) waiting for a person: the inbox reads this table."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        # an inbox page is read from this index alone, then its 50 rows are fetched by id
        Index("ix_human_tasks_work_queue", "status", "role", "unit_id", "standing", "created_at", "id",
              "assignee_id"),
        # the same for a role's shared work (no unit): PostgreSQL narrows the index above by "unit_id IS NULL"
        # but does not read its order past it, and sorted the whole queue (30,000 rows for the supervisors)
        Index("ix_human_tasks_shared_queue", "status", "role", "standing", "created_at", "id", "assignee_id",
              postgresql_where=text("unit_id IS NULL"), sqlite_where=text("unit_id IS NULL")),
        Index("ix_human_tasks_instance", "instance_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    form: Mapped[str] = mapped_column(String(64))
    standing: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None]
    status: Mapped[HumanTaskStatus] = mapped_column(_enum(HumanTaskStatus))
    created_at: Mapped[datetime]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    task: Mapped[RectificationTask | None] = relationship()
    instance: Mapped[ProcessInstance] = relationship()
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])


class AuditEvent(Base):
    """全程留痕: one state change, who made it, when, and what it was before and after.

    Events are append-only and hash-chained: `seq` numbers them without gaps, `prev_hash` is
    the hash of event seq-1 and `hash` covers this event's fields and `prev_hash`
    (engine/audit.py). Editing, deleting or inserting a row breaks the chain.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_username: Mapped[str] = mapped_column(String(64), default="")
    actor_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChain(Base):
    """The head of the audit chain (one row): the last event's seq and hash.

    Appends lock and update it in the same transaction, so writers never fork the chain,
    and deleting the newest events (which leaves no gap behind) still shows.
    """

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class Notice(Base):
    """A reminder shown in the inbox of a role (of a unit): e.g. a report due in three days."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_inbox", "role", "unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]


class Incident(Base):
    """A timer whose instance failed: recorded with its error, visible to the admin, retryable."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"))
    error: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=1)
    resolved_at: Mapped[datetime | None]

    def is_open(self) -> bool:
        return self.resolved_at is None


class Setting(Base):
    """Small named values the program keeps between runs (e.g. the demo clock offset)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- escalation and accountability (督办问责) ----------------------------------------------------

class EscalationLevel(enum.IntEnum):
    """The ladder for lagging work: each repeat climbs a step (rules: engine/escalation/ladder.py)."""

    NOTICE = 1          # 通报: a circulated notice
    INTERVIEW = 2       # 约谈: a formal interview of the unit's leaders
    EXPOSURE = 3        # 曝光: public exposure
    ACCOUNTABILITY = 4  # 追责: accountability, referred to the discipline commission

    @property
    def label(self) -> str:
        return ESCALATION_LEVEL_LABELS[self]

    def climb(self) -> EscalationLevel:
        return EscalationLevel(min(self + 1, EscalationLevel.ACCOUNTABILITY))


ESCALATION_LEVEL_LABELS = {
    EscalationLevel.NOTICE: "通报",
    EscalationLevel.INTERVIEW: "约谈",
    EscalationLevel.EXPOSURE: "曝光",
    EscalationLevel.ACCOUNTABILITY: "追责",
}


class EscalationTriggerKind(enum.StrEnum):
    REPORT_OVERDUE = "report_overdue"    # a monthly report was not in by its due day
    LAGGING = "lagging"                  # the supervisor judged a report as lagging
    DEADLINE_PASSED = "deadline_passed"  # the deadline passed without sign-off
    MANUAL = "manual"                    # a supervisor proposed it by hand, with a reason
    REPEATED = "repeated"                # the previous escalation did not work: escalated again

    @property
    def label(self) -> str:
        return {"report_overdue": "逾期未报", "lagging": "进度滞后", "deadline_passed": "超过整改时限",
                "manual": "督办组提出", "repeated": "再次升级"}[self.value]


class EscalationStatus(enum.StrEnum):
    PROPOSING = "proposing"                      # waits for the supervisor's proposal
    AWAITING_APPROVAL = "awaiting_approval"      # waits for the lead leader
    CARRYING_OUT = "carrying_out"                # approved: notice, interview, exposure or accountability under way
    AWAITING_COMMITMENT = "awaiting_commitment"  # carried out: waits for the unit's commitment
    UNDER_REVIEW = "under_review"                # committed: the supervisor closes it or escalates again
    CLOSED = "closed"
    ESCALATED = "escalated"                      # closed by escalating again (see its successor)
    REJECTED = "rejected"                        # the lead leader did not approve it
    DROPPED = "dropped"                          # the supervisor decided not to propose anything

    def is_open(self) -> bool:
        return self in OPEN_ESCALATION_STATUSES

    def was_carried_out(self) -> bool:
        """Approved, so it counts on the ladder (whether or not it is finished)."""
        return self in (EscalationStatus.CARRYING_OUT, EscalationStatus.AWAITING_COMMITMENT,
                        EscalationStatus.UNDER_REVIEW, EscalationStatus.CLOSED, EscalationStatus.ESCALATED)


OPEN_ESCALATION_STATUSES = frozenset({
    EscalationStatus.PROPOSING, EscalationStatus.AWAITING_APPROVAL, EscalationStatus.CARRYING_OUT,
    EscalationStatus.AWAITING_COMMITMENT, EscalationStatus.UNDER_REVIEW})


class Escalation(Base):
    """督办问责: one step up the ladder for one task's lead unit, from trigger to closure."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_task_status", "task_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)  # the unit held to account
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))
    trigger: Mapped[EscalationTriggerKind] = mapped_column(_enum(EscalationTriggerKind))
    status: Mapped[EscalationStatus] = mapped_column(_enum(EscalationStatus), index=True)
    opened_at: Mapped[datetime]
    #: the ladder's default for this task's history, and why
    suggested_level: Mapped[int]
    suggestion: Mapped[str] = mapped_column(Text, default="")
    proposed_level: Mapped[int | None]
    reasons: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime | None]
    approved_level: Mapped[int | None]
    decision: Mapped[str] = mapped_column(String(16), default="")  # approve | change | reject
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    commitment: Mapped[str] = mapped_column(Text, default="")
    complete_by: Mapped[date | None] = mapped_column(Date)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committed_at: Mapped[datetime | None]
    closing_comment: Mapped[str] = mapped_column(Text, default="")
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    task: Mapped[RectificationTask] = relationship()
    unit: Mapped[Unit] = relationship()
    triggers: Mapped[list[EscalationTrigger]] = relationship(order_by="EscalationTrigger.id",
                                                             back_populates="escalation")
    notice: Mapped[EscalationNotice | None] = relationship()
    interview: Mapped[EscalationInterview | None] = relationship()
    exposure: Mapped[EscalationExposure | None] = relationship()
    accountability: Mapped[AccountabilityCase | None] = relationship()

    @property
    def level(self) -> EscalationLevel:
        """The level as it now stands: approved, else proposed, else suggested."""
        for value in (self.approved_level, self.proposed_level, self.suggested_level):
            if value is not None:
                return EscalationLevel(value)
        return EscalationLevel.NOTICE

    @property
    def shown_level(self) -> EscalationLevel | None:
        """What a register shows: the approved level, or the one on the table while it is being decided;
        none for an escalation that was dropped or rejected (nothing was applied)."""
        if self.approved_level is not None:
            return EscalationLevel(self.approved_level)
        return self.level if self.status.is_open() else None

    def __repr__(self) -> str:
        return f"<Escalation {self.id} task={self.task_id} {self.status}>"


class EscalationTrigger(Base):
    """What set an escalation off, and every later trigger an open escalation absorbed."""

    __tablename__ = "escalation_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    kind: Mapped[EscalationTriggerKind] = mapped_column(_enum(EscalationTriggerKind))
    detail: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    absorbed: Mapped[bool] = mapped_column(Boolean, default=False)  # came while the escalation was open

    escalation: Mapped[Escalation] = relationship(back_populates="triggers")


class EscalationNotice(Base):
    """通报: the circulated notice, drafted by duban and edited and issued by the office."""

    __tablename__ = "escalation_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EscalationInterview(Base):
    """约谈: when and where, who was interviewed, who interviewed, what was promised."""

    __tablename__ = "escalation_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    interviewees: Mapped[str] = mapped_column(Text)
    interviewers: Mapped[str] = mapped_column(Text)
    commitments: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EscalationExposure(Base):
    """曝光: published by the publicity group; from then on it is on the public pages."""

    __tablename__ = "escalation_exposures"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    headline: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[datetime] = mapped_column(index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AccountabilityCase(Base):
    """追责: the referral to the discipline commission and what it found and decided."""

    __tablename__ = "accountability_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), unique=True)
    referred_at: Mapped[datetime]
    findings: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    persons: Mapped[list[AccountablePerson]] = relationship(
        primaryjoin="AccountabilityCase.escalation_id == foreign(AccountablePerson.escalation_id)",
        order_by="AccountablePerson.id", viewonly=True)


class AccountablePerson(Base):
    """A person held accountable: by an escalation's accountability case or by a problem clue's decision."""

    __tablename__ = "accountable_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"), index=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clues.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    post: Mapped[str] = mapped_column(String(200), default="")  # 单位及职务
    measure: Mapped[str] = mapped_column(String(32))  # engine/accountability.py MEASURES
    detail: Mapped[str] = mapped_column(String(500), default="")


# --- problem clues (问题线索) --------------------------------------------------------------------

class ClueStatus(enum.StrEnum):
    INVESTIGATING = "investigating"  # 调查核实
    DETERMINING = "determining"      # 认定责任
    DECIDING = "deciding"            # 作出处理决定
    CLOSING = "closing"              # 办结反馈 by the office
    CLOSED = "closed"

    def is_open(self) -> bool:
        return self is not ClueStatus.CLOSED


class ClueVerdict(enum.StrEnum):
    FOUNDED = "founded"      # 属实
    PARTLY = "partly"        # 部分属实
    UNFOUNDED = "unfounded"  # 不属实

    @property
    def label(self) -> str:
        return {"founded": "属实", "partly": "部分属实", "unfounded": "不属实"}[self.value]


clue_tasks = Table(
    "clue_tasks",
    Base.metadata,
    Column("clue_id", ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    Column("task_id", ForeignKey("rectification_tasks.id"), primary_key=True),
)

clue_units = Table(
    "clue_units",
    Base.metadata,
    Column("clue_id", ForeignKey("clues.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)


class Clue(Base):
    """问题线索: a clue handed down (e.g. by the inspection team), investigated by the discipline commission."""

    __tablename__ = "clues"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 线索编号, e.g. XS-2026-001
    source: Mapped[str] = mapped_column(String(200))              # 来源
    source_reference: Mapped[str] = mapped_column(String(100), default="")  # 来文号
    received_on: Mapped[date] = mapped_column(Date)
    reply_due: Mapped[date] = mapped_column(Date)  # 办结反馈时限
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ClueStatus] = mapped_column(_enum(ClueStatus), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), unique=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime]
    findings: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[ClueVerdict | None] = mapped_column(_enum(ClueVerdict))
    investigated_at: Mapped[datetime | None]
    responsibility: Mapped[str] = mapped_column(Text, default="")
    determined_at: Mapped[datetime | None]
    decision: Mapped[str] = mapped_column(Text, default="")
    document_number: Mapped[str] = mapped_column(String(100), default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None]
    feedback: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    tasks: Mapped[list[RectificationTask]] = relationship(secondary=clue_tasks, order_by=RectificationTask.code)
    units: Mapped[list[Unit]] = relationship(secondary=clue_units, order_by=Unit.position)
    persons: Mapped[list[AccountablePerson]] = relationship(order_by=AccountablePerson.id, viewonly=True)

    def __repr__(self) -> str:
        return f"<Clue {self.number} {self.status}>"
