"""整改任务: the tasks, their categories and units, plans, monthly reports and status changes."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.statuses import (
    DeadlineKind,
    PlanStatus,
    ReportStatus,
    TaskStatus,
    WarningLevel,
)
from engine.store.models.base import Base, stored_enum


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

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit, User
    from engine.store.models.rounds import InspectionRound


class RectificationTask(Base):
    """整改任务: one finding of the inspection and what must be done about it."""

    __tablename__ = "rectification_tasks"
    #: the dashboard counts tasks by category, lead unit and lead leader, then status and colour:
    #: each count reads one of these indexes only, never the tasks themselves
    __table_args__ = (
        Index("ix_rectification_tasks_category_status", "category_id", "status", "warning"),
        Index("ix_rectification_tasks_lead_unit_status", "lead_unit_id", "status", "warning"),
        Index("ix_rectification_tasks_lead_leader_status", "lead_leader_id", "status", "warning"),
        #: a code names a task within its round: the next round numbers its tasks from 1-1 again
        UniqueConstraint("round_id", "code", name="uq_rectification_tasks_round_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    #: the inspection round whose feedback the task answers
    round_id: Mapped[int] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    lead_leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deadline_kind: Mapped[DeadlineKind] = mapped_column(stored_enum(DeadlineKind))
    deadline: Mapped[date | None] = mapped_column(Date)
    #: 整改时限 as the office's ledger wrote it (2018年12月底前), when the task was imported from one
    deadline_text: Mapped[str | None] = mapped_column(String(100))
    #: 交办意见: what the coordination group asked of the unit when it assigned the task, and by when the plan is due
    instructions: Mapped[str] = mapped_column(Text, default="", server_default="")
    plan_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(stored_enum(TaskStatus), index=True)
    registered_at: Mapped[datetime] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    warning: Mapped[WarningLevel] = mapped_column(stored_enum(WarningLevel), default=WarningLevel.GREEN, index=True)
    #: why the task has its colour: [{"code": ..., ...}], see engine/features/rectification/warnings.py
    warning_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: 签收: when the lead unit acknowledged the task; whether a unit let the receipt period pass without it
    received_at: Mapped[datetime | None]
    receipt_late: Mapped[bool] = mapped_column(default=False)
    #: 延期: how many times the deadline was extended on a unit's request
    extensions: Mapped[int] = mapped_column(default=0)

    # loaded on demand: pages ask for them with queries.TASK_DISPLAY; engine steps rarely need them
    category: Mapped[Category] = relationship()
    round: Mapped[InspectionRound] = relationship()
    lead_unit: Mapped[Unit] = relationship(foreign_keys=[lead_unit_id])
    lead_leader: Mapped[User] = relationship(foreign_keys=[lead_leader_id])
    cooperating_units: Mapped[list[Unit]] = relationship(secondary=cooperating_units,
                                                         order_by="Unit.position")
    def cooperating_unit_ids(self) -> list[int]:
        return [unit.id for unit in self.cooperating_units]

    def unit_ids(self) -> set[int]:
        return {self.lead_unit_id, *self.cooperating_unit_ids()}

    def __repr__(self) -> str:
        return f"<RectificationTask {self.code} {self.status}>"


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
    before: Mapped[TaskStatus] = mapped_column(stored_enum(TaskStatus))
    after: Mapped[TaskStatus] = mapped_column(stored_enum(TaskStatus))


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
    status: Mapped[PlanStatus] = mapped_column(stored_enum(PlanStatus))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drafted_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(Text, default="")


class ProgressReport(Base):
    """月度进展报告 (按月交账): one unit's report for one month of one task."""

    __tablename__ = "progress_reports"
    # one report per task and month: the database refuses what the instance's lock already prevents
    __table_args__ = (Index("ix_progress_reports_task_period", "task_id", "period", unique=True),
                      # 逾期未报: overdue, not sent and not cancelled, the most overdue first (dashboard, ledger
                      # filter), read from the index alone
                      Index("ix_progress_reports_overdue", "overdue", "due_date", "task_id", "submitted_at",
                            "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("rectification_tasks.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM, the month reported on
    status: Mapped[ReportStatus] = mapped_column(stored_enum(ReportStatus))
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


class ImportProfile(Base):
    """A saved answer to "这一列是…？": which field each header of an office's own ledger holds."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: {header as written in the ledger: field (ledger_reading.FIELDS)}
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    saved_at: Mapped[datetime]
