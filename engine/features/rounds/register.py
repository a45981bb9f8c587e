"""The rounds themselves: which one a new task answers when none is named, and the first one a city gets."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import InspectionRound

FIRST_ROUND = "督察反馈整改"


def current_round_id(session: Session) -> int | None:
    """The round most recently begun (by its dates, then by when it was entered)."""
    return session.scalar(select(InspectionRound.id).order_by(
        InspectionRound.feedback_on.desc().nulls_last(), InspectionRound.started_on.desc().nulls_last(),
        InspectionRound.id.desc()).limit(1))


def ensure_a_round(session: Session, now: datetime) -> InspectionRound | None:
    """A city with no round yet gets one, so that tasks can be registered; the new round, if one was made."""
    if current_round_id(session) is not None:
        return None
    first = InspectionRound(name=FIRST_ROUND, created_at=now)
    session.add(first)
    session.flush()
    return first


def all_rounds(session: Session) -> list[InspectionRound]:
    return list(session.scalars(select(InspectionRound).order_by(
        InspectionRound.feedback_on.nulls_last(), InspectionRound.started_on.nulls_last(), InspectionRound.id)))
