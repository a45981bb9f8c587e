"""Finding and locking the instances whose timers are due.

A timer is due once its instant has passed (strictly, as SpiffWorkflow compares).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.store.models import InstanceStatus, ProcessInstance


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"fired {self.fired}, failed {self.failed}, skipped {self.skipped}"


def claim_due_instances(session: Session, now: datetime, limit: int,
                        passed: Collection[int] = ()) -> list[ProcessInstance]:
    """Lock up to `limit` due instances for this transaction, the most overdue first.

    On PostgreSQL rows another sweep holds are skipped (FOR UPDATE SKIP LOCKED), so several
    sweeps share the work; on SQLite the caller's write lock already keeps other sweeps out.
    `passed` are instances this sweep has given up on (failed, or still due after firing).
    """
    query = (select(ProcessInstance)
             .where(ProcessInstance.status == InstanceStatus.RUNNING, ProcessInstance.blocked.is_(False),
                    ProcessInstance.next_timer_at < now)
             .order_by(ProcessInstance.next_timer_at, ProcessInstance.id).limit(limit)
             .with_for_update(skip_locked=True)
             .options(selectinload(ProcessInstance.report)))  # reminders and overdue marks read it
    if passed:
        query = query.where(ProcessInstance.id.not_in(passed))
    return list(session.scalars(query))


def lock_due_instance(session: Session, instance_id: int, now: datetime) -> ProcessInstance | None:
    """Lock the instance if it is still due; None when another sweep has it or has fired it."""
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                              .with_for_update(skip_locked=True))
    return instance if instance is not None and instance.is_due(now) else None

