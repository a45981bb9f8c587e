"""The web server's sweeper thread sweeps every round, and at once when a page asks for it (a batch queued)."""
from __future__ import annotations

import time
from collections.abc import Callable

from engine.core.statuses import ImportJobState
from tests.cases import batch_csv
from tests.factories import World
from webui.sweeper import TimerSweeper


class CountingSweeper(TimerSweeper):
    sweeps = 0

    def sweep_once(self) -> None:
        super().sweep_once()
        self.sweeps += 1


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_queued_batch_is_swept_at_once_not_at_the_next_round(world: World) -> None:
    duban = world.duban
    sweeper = CountingSweeper(duban, seconds=3600)
    sweeper.start()
    try:
        wait_for(lambda: sweeper.sweeps == 1, "the sweeper's first round")
        job_id = duban.case_import.queue(world["coordinator"], batch_csv(), "第一批.csv")
        duban.sweep.soon()
        wait_for(lambda: duban.case_jobs.job(world["coordinator"], job_id).state is ImportJobState.DONE,
                 "the sweeper did not take the batch")
        # the batch is done inside the second sweep, which is counted once it returns: an hour before the next round
        wait_for(lambda: sweeper.sweeps == 2, "the sweep that took the batch")
    finally:
        sweeper.stop()
        sweeper.join(timeout=30)
    assert not sweeper.is_alive()
