"""The use cases of background batch imports: a job as its page shows it, and the sweep's pass that runs them."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from engine.core.actor import Actor
from engine.core.errors import Busy, DomainError, NotFound, Unanswered
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import ImportJobState
from engine.features.accounts.access import Access
from engine.features.accounts.usecases import actor_for
from engine.features.cases.import_jobs import (
    ATTEMPTS,
    JobTaken,
    Progress,
    claim,
    fail_job,
    problems_text,
    record_progress,
    run_job,
)
from engine.store.database import Session
from engine.store.models import CaseBatch, CaseImportJob, User
from engine.store.transactions import Transactions, transient
from engine.workflow.instances import Processes

log = logging.getLogger("duban.cases")
#: what a person is told of a failure that is no fault of the file (the log has the details)
UNEXPECTED = "导入时系统出错，未导入任何信访件；请联系系统管理员查看日志"
#: jobs one sweep runs at most (the timers wait meanwhile)
JOBS_PER_SWEEP = 5


@dataclass(frozen=True)
class ImportJobView:
    """A background import as its page shows it."""

    id: int
    file_name: str
    state: ImportJobState
    total: int
    done: int
    error: str
    queued_at: datetime
    queued_by: str
    started_at: datetime | None
    finished_at: datetime | None
    batch_id: int | None
    batch_number: int | None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "state": self.state.value, "total": self.total, "done": self.done,
                "error": self.error, "batch_id": self.batch_id, "batch_number": self.batch_number,
                "finished": self.state.is_finished()}


class CaseImportJobs:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.clock = processes.runtime.clock

    def job(self, actor: Actor, job_id: int) -> ImportJobView:
        self.access.require(actor, "case.import")
        views = self.transactions.read(lambda s: _views(s, CaseImportJob.id == job_id))
        if not views:
            raise NotFound("没有这个导入任务")
        return views[0]

    def recent(self, actor: Actor, count: int = 10) -> list[ImportJobView]:
        self.access.require(actor, "case.import")
        return self.transactions.read(lambda s: _views(s, limit=count))

    def run_queued(self) -> int:
        """The sweep's pass: run the queued jobs one after the other; how many were run."""
        passed: list[int] = []
        while len(passed) < JOBS_PER_SWEEP and (
                claimed := self.transactions.run(lambda s: claim(s, self.clock.now(), passed))):
            self._run(*claimed)
            passed.append(claimed[0])
        return len(passed)

    def _run(self, job_id: int, attempt: int) -> None:
        def work(session: Session) -> CaseBatch:
            step = self.processes.step(session, _queued_by(session, job_id))
            batch = run_job(step, job_id, attempt, self._progress(job_id))
            self.processes.settle([step])
            return batch

        try:
            self.transactions.run(work)
        except JobTaken:
            log.warning("import job %s was taken by another sweep meanwhile", job_id)
        except ImportRejected as exc:
            self._failed(job_id, problems_text(exc.problems), again=False)
        except (Busy, Unanswered) as exc:
            self._failed(job_id, str(exc), again=attempt < ATTEMPTS)
        except DomainError as exc:
            self._failed(job_id, str(exc), again=False)
        except Exception as exc:  # the job's fault or the database's: it must not stop the sweep
            log.exception("import job %s failed", job_id)
            again = isinstance(exc, DBAPIError) and transient(exc) and attempt < ATTEMPTS
            self._failed(job_id, UNEXPECTED, again=again)

    def _progress(self, job_id: int) -> Progress:
        return lambda done: self.transactions.aside(lambda s: record_progress(s, job_id, done))

    def _failed(self, job_id: int, error: str, again: bool) -> None:
        def work(session: Session) -> None:
            fail_job(self.processes.step(session, Actor.system()), job_id, error, again)

        self.transactions.run(work)


def _queued_by(session: Session, job_id: int) -> Actor:
    """The batch is registered as the person who confirmed it (the batch's importer), or by the system."""
    user = session.scalar(select(User).join(CaseImportJob, CaseImportJob.queued_by_id == User.id)
                          .where(CaseImportJob.id == job_id))
    return actor_for(user) if user is not None else Actor.system()


def _views(session: Session, *where: object, limit: int = 1) -> list[ImportJobView]:
    rows = session.execute(select(CaseImportJob, User.display_name, CaseBatch.number)
                           .outerjoin(User, User.id == CaseImportJob.queued_by_id)
                           .outerjoin(CaseBatch, CaseBatch.id == CaseImportJob.batch_id)
                           .where(*where).order_by(CaseImportJob.id.desc()).limit(limit))
    return [ImportJobView(job.id, job.file_name, job.state, job.total, job.done, job.error, job.queued_at,
                          name or "", job.started_at, job.finished_at, job.batch_id, number)
            for job, name, number in rows]
