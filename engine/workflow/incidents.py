"""Incidents: an instance whose timer failed is recorded, blocked, and waits for a retry."""
from __future__ import annotations

import traceback
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.store.audit import record
from engine.store.models import Incident, ProcessInstance

ERROR_MAX = 500


def open_incident(session: Session, instance_id: int, error: BaseException, now: datetime) -> Incident:
    """Record the failure (or one more attempt of a known one) and keep the sweep off the instance."""
    instance = session.get_one(ProcessInstance, instance_id, with_for_update=True)
    instance.blocked = True
    message = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    details = "".join(traceback.format_exception(error))[-8000:]
    incident = session.scalar(select(Incident).where(Incident.instance_id == instance_id,
                                                     Incident.resolved_at.is_(None)))
    if incident is None:
        incident = Incident(instance_id=instance_id, task_id=instance.task_id, error=message, details=details,
                            occurred_at=now, attempts=1)
        session.add(incident)
    else:
        incident.error, incident.details, incident.attempts = message, details, incident.attempts + 1
    session.flush()
    record(session, Actor.system(), now, "timer.incident", ("instance", instance_id),
           f"定时任务出错，已暂停该流程：{message}", task_id=instance.task_id)
    return incident


def resolve_incident(session: Session, incident_id: int, actor: Actor, now: datetime) -> None:
    incident = session.get_one(Incident, incident_id)
    incident.resolved_at = now
    session.get_one(ProcessInstance, incident.instance_id).blocked = False
    record(session, actor, now, "timer.incident_resolved", ("incident", incident_id),
           f"重试成功，故障已解除（第 {incident.attempts} 次出错后）", task_id=incident.task_id)


def list_incidents(session: Session, include_resolved: bool) -> list[Incident]:
    query = select(Incident).order_by(Incident.occurred_at.desc())
    if not include_resolved:
        query = query.where(Incident.resolved_at.is_(None))
    return list(session.scalars(query.limit(200)))
