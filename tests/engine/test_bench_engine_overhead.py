"""The engine-overhead benchmark times real steps: each sample completes its task's open work."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.engine_overhead import STEPS, BenchStep, measure
from engine.store.database import Database
from engine.store.models import HumanTask, HumanTaskStatus


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_each_step_is_timed_in_duban_and_raw_and_completes_its_work(db: Database, step: BenchStep) -> None:
    measured = measure(step, "this database", db.url, samples=3)
    assert len(measured.raw_alone) == len(measured.raw) == len(measured.duban) == 3
    assert measured.statements >= 5 and measured.round_trip
    # on PostgreSQL each statement waits for its answer, and so does pool_pre_ping's check of the connection
    assert measured.waits is None if db.is_sqlite else measured.statements <= measured.waits <= measured.statements + 1
    with db.transaction(write=False) as session:
        left_open = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.form == step.form, HumanTask.status == HumanTaskStatus.OPEN))
    assert left_open == 0  # warm-up, timed and counted samples: every one completed its step
    assert len(measured.lines()) == 4  # raw alone, raw in turn, duban, the round trip
