"""The workflow runtime's tables: deployed versions, instances, work items (human tasks), incidents, notices.

Human tasks have their own table so that inboxes and ledgers are plain indexed queries; an instance row
holds only the workflow state (the spec lives once per deployed version).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models.base import Base, stored_enum

if TYPE_CHECKING:
    from engine.store.models.accounts import Unit, User
    from engine.store.models.rectification import RectificationTask


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


class ProcessVersion(Base):
    """One deployed version of one BPMN process, kept as long as any instance uses it."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "sha256"),
                      UniqueConstraint("process_id", "number", name="uq_process_versions_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    #: 1, 2, 3… per process, in the order deployed; new instances start on the highest
    number: Mapped[int]
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
    status: Mapped[InstanceStatus] = mapped_column(stored_enum(InstanceStatus), index=True)
    state_json: Mapped[str] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None]
    #: an unresolved incident: the sweep leaves the instance alone until someone retries it
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: suspended by an administrator: no timer fires and no work item can be done until it is resumed
    suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    lock_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    version: Mapped[ProcessVersion] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": lock_version}
    # the sweep reads the due instances in this order (a month's timers share one instant: by next_timer_at
    # alone the database sorted all of them to find the first 50)
    __table_args__ = (Index("ix_process_instances_due", "next_timer_at", "id"),)

    def is_due(self, now: datetime) -> bool:
        """A timer of this instance should fire now (strictly after its instant, as SpiffWorkflow compares)."""
        return (self.status.is_running() and not self.blocked and not self.suspended
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
        # one open work item per BPMN task: the database refuses what the instance's lock already prevents
        Index("ux_human_tasks_open_step", "instance_id", "spiff_task_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
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
    status: Mapped[HumanTaskStatus] = mapped_column(stored_enum(HumanTaskStatus))
    created_at: Mapped[datetime]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: the step that opened this work sent earlier work back (退回): who, when and why
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)

    task: Mapped[RectificationTask | None] = relationship()
    instance: Mapped[ProcessInstance] = relationship()
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])


class WorkDraft(Base):
    """暂存: what one person has written so far in a work item's form; never a submission."""

    __tablename__ = "work_drafts"
    __table_args__ = (UniqueConstraint("work_id", "user_id", name="ux_work_drafts_work_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("human_tasks.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any]]
    saved_at: Mapped[datetime]


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


class Notice(Base):
    """A notice to the people of a role (of a unit), or to one person: new work, a reminder, an overdue mark, an
    instruction. Each reader marks it read; it resolves itself once the work it is about is done."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_inbox", "role", "unit_id", "created_at"),
                      Index("ix_notices_instance", "instance_id", "resolved_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    task_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_tasks.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    #: the text's message id and parameters, when it was marked for translation (N_)
    msgid: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any] | None]
    #: only this person of the role (the step's assignee), or everyone of the role (and unit)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the process instance whose step posted it, and the work item it asks for
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    work_id: Mapped[int | None] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    #: when the work it is about was done
    resolved_at: Mapped[datetime | None]

    def is_resolved(self) -> bool:
        return self.resolved_at is not None
