"""The timer sweep: fire every timer that is due, exactly once, also with several sweeps at once.

A timer is due once its instant has passed (strictly, as SpiffWorkflow compares).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import Busy, Conflict
from engine.store.database import Session
from engine.store.models import InstanceStatus, ProcessInstance
from engine.store.transactions import Transactions, transient
from engine.workflow.incidents import open_incident
from engine.workflow.instances import Processes
from engine.workflow.step import Step

log = logging.getLogger("duban.sweep")


@dataclass
class SweepResult:
    fired: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"fired {self.fired}, failed {self.failed}, skipped {self.skipped}"


class Sweep:
    """Fires due timers, a batch of instances per transaction.

    Safe to run in several processes at once: each transaction locks the instances it fires (the write
    lock on SQLite; FOR UPDATE SKIP LOCKED on PostgreSQL, so sweeps take different batches) and only
    those still due. A batch is all or nothing: if one of its instances fails, the whole transaction
    rolls back and each instance of the batch is fired again in a transaction of its own, where the
    failing one becomes an incident and is left alone. A crash loses the batch in hand, whose
    transaction rolls back; the next sweep fires it.

    A failure of the moment (a lost connection, a serialization failure) is not the instance's fault: its
    timer is tried again after a pause that doubles each time, and becomes an incident only when the
    retries (Settings.timer_retries) are spent.
    """

    def __init__(self, transactions: Transactions, processes: Processes,
                 pause: Callable[[float], None] = time.sleep) -> None:
        self.transactions = transactions
        self.processes = processes
        self.clock = processes.runtime.clock
        self.pause = pause
        self.passes: list[Callable[[], object]] = []
        #: set when work is waiting that need not wait for the next round (a batch queued from a page)
        self.wanted = threading.Event()

    def soon(self) -> None:
        """Ask this process's sweeper, if it runs one, for a sweep now rather than at its next round."""
        self.wanted.set()

    def after_timers(self, work: Callable[[], object]) -> None:
        """Run `work` at the end of every sweep (the features' outboxes: what the timers' steps wrote goes out)."""
        self.passes.append(work)

    def fire_due_timers(self, batch: int = 50) -> SweepResult:
        result = SweepResult()
        now = self.clock.now()
        passed: set[int] = set()
        while self._fire_batch(now, batch, passed, result):
            pass
        self._run_passes()
        return result

    def _run_passes(self) -> None:
        for work in self.passes:
            try:
                work()
            except Exception:  # a channel's trouble must not stop the timers; the next sweep tries again
                log.exception("a sweep pass (%s) failed", getattr(work, "__qualname__", work))

    def _fire_batch(self, now: datetime, size: int, passed: set[int], result: SweepResult) -> list[int]:
        """One transaction: claim and fire up to `size` due instances; the ids claimed.

        An instance that fails, or is somehow still due after firing, joins `passed`: this sweep does
        not take it again.
        """
        claimed: list[int] = []

        def work(session: Session) -> None:
            instances = claim_due_instances(session, now, size, passed)
            claimed[:] = [instance.id for instance in instances]  # a second attempt claims afresh
            tasks = self.processes.registry.tasks_by_id(session, {i.task_id for i in instances if i.task_id})
            steps = [self._step(session, tasks.get(instance.task_id), instance) for instance in instances]
            for step in steps:
                self.processes.fire_timers(step)
            self.processes.settle(steps)
            passed.update(instance.id for instance in instances if instance.is_due(now))

        try:
            self.transactions.run(work)
        except Busy:
            log.warning("the database stayed busy (another sweep at work?): the next sweep fires the rest")
            return []
        except Exception as exc:  # one instance failed: the batch rolled back, each goes again on its own
            log.warning("a timer in a batch of %d failed (%s): firing them one by one", len(claimed), exc)
            return self._fire_one_by_one(now, claimed, passed, result)
        result.fired += len(claimed)
        return claimed

    def _fire_one_by_one(self, now: datetime, instance_ids: list[int], passed: set[int],
                         result: SweepResult) -> list[int]:
        for instance_id in dict.fromkeys(instance_ids):
            outcome = self._fire_instance(instance_id, now)
            result.count(outcome)
            if outcome != "fired":
                passed.add(instance_id)
        return instance_ids

    def _fire_instance(self, instance_id: int, now: datetime) -> str:
        """Fire one instance in a transaction of its own (a retry, or a batch that failed as a whole)."""
        def work(session: Session) -> str:
            instance = lock_due_instance(session, instance_id, now)
            if instance is None:
                return "skipped"  # another sweep fired it (or holds it) already
            self.fire(session, Actor.system(), instance)
            return "fired"

        settings = self.processes.settings
        for retry in range(settings.timer_retries + 1):
            try:
                return self.transactions.run(work)
            except Conflict:
                return "skipped"
            except Exception as exc:  # any failure of one instance must not stop the sweep
                if not transient(exc) or retry == settings.timer_retries:
                    return self._incident(instance_id, exc)
                log.warning("timer of instance %s met a database failure (%s): trying again", instance_id, exc)
                self.pause(settings.timer_retry_seconds * 2**retry)
        return "failed"

    def _incident(self, instance_id: int, exc: Exception) -> str:
        log.error("timer of instance %s failed", instance_id, exc_info=exc)
        self.transactions.run(partial(open_incident, instance_id=instance_id, error=exc, now=self.clock.now()))
        return "failed"

    def fire(self, session: Session, actor: Actor, instance: ProcessInstance) -> None:
        """Fire the timers of one instance the caller has locked, and settle its step."""
        tasks = self.processes.registry.tasks_by_id(session, {instance.task_id} if instance.task_id else set())
        step = self._step(session, tasks.get(instance.task_id), instance, actor)
        self.processes.fire_timers(step)
        self.processes.settle([step])

    def _step(self, session: Session, task: object, instance: ProcessInstance,
              actor: Actor | None = None) -> Step:
        return self.processes.step(session, actor or Actor.system(), task=task, instance=instance)


def claim_due_instances(session: Session, now: datetime, limit: int,
                        passed: Collection[int] = ()) -> list[ProcessInstance]:
    """Lock up to `limit` due instances for this transaction, the most overdue first.

    On PostgreSQL rows another sweep holds are skipped (FOR UPDATE SKIP LOCKED), so several
    sweeps share the work; on SQLite the caller's write lock already keeps other sweeps out.
    `passed` are instances this sweep has given up on (failed, or still due after firing).
    """
    query = (select(ProcessInstance)
             .where(ProcessInstance.status == InstanceStatus.RUNNING, ProcessInstance.blocked.is_(False),
                    ProcessInstance.suspended.is_(False), ProcessInstance.next_timer_at < now)
             .order_by(ProcessInstance.next_timer_at, ProcessInstance.id).limit(limit)
             .with_for_update(skip_locked=True))
    if passed:
        query = query.where(ProcessInstance.id.not_in(passed))
    return list(session.scalars(query))


def lock_due_instance(session: Session, instance_id: int, now: datetime) -> ProcessInstance | None:
    """Lock the instance if it is still due; None when another sweep has it or has fired it."""
    instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                              .with_for_update(skip_locked=True))
    return instance if instance is not None and instance.is_due(now) else None
