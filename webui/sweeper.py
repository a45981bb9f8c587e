"""The web server's background timer sweep: `duban tick` every N seconds, in a daemon thread, or sooner when a page
asks for it (`Sweep.soon`: a batch of complaint cases queued).

Several web workers (or machines) may each run one: the engine fires every timer exactly once.
"""
from __future__ import annotations

import logging
import threading

from engine.app import Duban

log = logging.getLogger("duban.sweeper")


class TimerSweeper(threading.Thread):
    def __init__(self, engine: Duban, seconds: int) -> None:
        super().__init__(name="duban-timer-sweep", daemon=True)
        self.engine, self.seconds = engine, seconds
        self._stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.sweep_once()
            self.engine.sweep.wanted.wait(self.seconds)  # a round, or less when a page asks for a sweep soon
            self.engine.sweep.wanted.clear()
            if self._stopped.is_set():
                return

    def sweep_once(self) -> None:
        try:
            result = self.engine.sweep.fire_due_timers()
        except Exception:  # the database may be away for a moment: try again next round
            log.exception("timer sweep failed")
            return
        if result.fired or result.failed:
            log.info("timer sweep: %s", result)

    def stop(self) -> None:
        self._stopped.set()
        self.engine.sweep.wanted.set()


def start_sweeper(engine: Duban) -> TimerSweeper | None:
    seconds = engine.settings.sweep_seconds
    if seconds <= 0:
        return None
    sweeper = TimerSweeper(engine, seconds)
    sweeper.start()
    return sweeper
