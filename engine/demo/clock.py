"""Time travel for the demo: move the clock forward so months pass in a browser session.

Only when the site runs with DUBAN_DEMO_CLOCK=1 (as `make run` does): the business clock is an
OffsetClock, and its offset is kept in the database, so every worker and `duban tick` agree; time
only moves forward. The entry points (webui/cli.py, webui/wsgi.py) hand the web app a TimeMachine.
"""
from __future__ import annotations

from datetime import timedelta

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, OffsetClock
from engine.core.errors import PermissionDenied
from engine.core.text import chinese_duration
from engine.store.audit import record
from engine.store.database import Session
from engine.store.models import Setting
from engine.workflow.sweep import SweepResult

OFFSET_KEY = "demo_clock_offset_seconds"
MAX_STEP = timedelta(days=92)


class TimeMachine:
    def __init__(self, duban: Duban) -> None:
        if not isinstance(duban.clock, OffsetClock):
            raise PermissionDenied("只有演示模式才能调整时钟")
        self.duban = duban
        self.clock: OffsetClock = duban.clock

    def sync(self) -> None:
        """Pick up the offset another worker may have set."""
        self.clock.offset = self.duban.transactions.read(stored_offset)

    def advance(self, actor: Actor, step: timedelta) -> SweepResult:
        """Move the clock forward, then fire what fell due, as the sweep would."""
        self.duban.access.require(actor, "demo.clock")
        self.duban.transactions.run(lambda session: advance(session, self.clock, actor, step))
        return self.duban.sweep.fire_due_timers()


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
           f"演示时钟前进{chinese_duration(step)}：{before.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} → "
           f"{clock.now().astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}（北京时间）")
    return offset
