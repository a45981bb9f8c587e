"""Time travel for the demo: move the clock forward so months pass in a browser session.

Only when the site runs with DUBAN_DEMO_CLOCK=1 (as `make run` does). The offset is kept in the
database, so every worker and `duban tick` agree; time only moves forward.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from engine.core.actor import Actor
from engine.core.clock import OffsetClock
from engine.store.audit import record
from engine.store.models import Setting

OFFSET_KEY = "demo_clock_offset_seconds"
MAX_STEP = timedelta(days=92)


def stored_offset(session: Session) -> timedelta:
    setting = session.get(Setting, OFFSET_KEY)
    return timedelta(seconds=float(setting.value)) if setting else timedelta()


def advance(session: Session, clock: OffsetClock, actor: Actor, step: timedelta) -> timedelta:
    if not timedelta() < step <= MAX_STEP:
        raise ValueError(f"the demo clock moves forward by at most {MAX_STEP.days} days at a time")
    offset = stored_offset(session) + step
    setting = session.get(Setting, OFFSET_KEY) or Setting(key=OFFSET_KEY)
    setting.value = str(offset.total_seconds())
    session.add(setting)
    before = clock.now()
    clock.offset = offset
    record(session, actor, clock.now(), "demo.clock_advanced", ("clock", "demo"),
           f"演示时钟前进 {step}：{before:%Y-%m-%d %H:%M} → {clock.now():%Y-%m-%d %H:%M}")
    return offset
