"""Finding and locking the instances whose timers are due.

A timer is due once its instant has passed (strictly, as SpiffWorkflow compares).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import InstanceStatus, ProcessInstance


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"fired {self.fired}, failed {self.failed}, skipped {self.skipped}"


def due_instances(session: Session, now: datetime, limit: int) -> list[int]:
    return list(session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.RUNNING,
                                         ProcessInstance.blocked.is_(False), ProcessInstance.next_timer_at < now)
        .order_by(ProcessInstance.next_timer_at, ProcessInstance.id).limit(limit)))


def lock_due_instance(session: Session, instance_id: int, now: datetime) -> ProcessInstance | None:
    """Lock the instance if it is still due; None when another sweep has it or has fired it."""
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                              .with_for_update(skip_locked=True))
    if instance is None or not instance.status.is_running() or instance.blocked \
            or instance.next_timer_at is None or instance.next_timer_at >= now:
        return None
    return instance
