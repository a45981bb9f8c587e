"""Refused requests counted per person, route and (local) day: one row each, its count raised by every refusal."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.store.database import Session
from engine.store.models import AccessRefusal

#: the most rows the admin's table shows
SHOWN = 100


def count_refusal(session: Session, actor: Actor, route: str, now: datetime) -> None:
    """One more refusal of this person on this route today (one statement: concurrent refusals all count)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"day": now.astimezone(LOCAL_TZ).date(), "actor_username": actor.username[:64],
              "actor_name": actor.display_name[:100], "route": route[:64], "count": 1, "last_at": now}
    statement = dialect.insert(AccessRefusal).values(values)
    session.execute(statement.on_conflict_do_update(
        index_elements=["day", "actor_username", "route"],
        set_={"count": AccessRefusal.count + 1, "last_at": now, "actor_name": values["actor_name"]}))


def refusal_counts(session: Session, since: date, until: date) -> list[AccessRefusal]:
    """The days' counts, newest day first, the most refused first within a day."""
    return list(session.scalars(
        select(AccessRefusal).where(AccessRefusal.day >= since, AccessRefusal.day <= until)
        .order_by(AccessRefusal.day.desc(), AccessRefusal.count.desc(), AccessRefusal.id).limit(SHOWN)))
