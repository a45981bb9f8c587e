"""Deploying a BPMN file as new versions of its processes, and moving running instances onto a version."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from engine.core.actor import Actor
from engine.core.errors import ConfigError, InvalidSubmission, NotFound
from engine.core.text import N_, Text
from engine.features.accounts.access import Access
from engine.features.processes.planning import PAGE_SIZE, SHOWN, Candidate, Classified, classify
from engine.store.database import Session
from engine.store.models import InstanceStatus, ProcessInstance, ProcessVersion, RectificationTask
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes
from engine.workflow.loader import ProcessDefinition, Vocabulary, load_bytes
from engine.workflow.migration import MigrationRefused, apply, rebuild, waiting_steps
from engine.workflow.versions import VersionDiff, compare, record_deployment, version_by_number

PERMISSION = "process.manage"
#: the largest BPMN file accepted for deployment
MAX_BPMN_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class VersionRow:
    process_id: str
    name: str
    number: int
    file_name: str
    deployed_at: datetime
    running: int
    current: bool


@dataclass
class MigrationRow:
    """One running instance and whether it moves (or, in a dry run, would move) onto the version."""

    instance_id: int
    business_key: str
    task_code: str
    from_number: int
    reasons: list[Text] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)

    def can_move(self) -> bool:
        return not self.reasons


@dataclass
class MigrationReport:
    process_id: str
    name: str
    number: int
    dry_run: bool
    rows: list[MigrationRow] = field(default_factory=list)

    @property
    def movable(self) -> list[MigrationRow]:
        return [row for row in self.rows if row.can_move()]

    @property
    def refused(self) -> list[MigrationRow]:
        return [row for row in self.rows if not row.can_move()]


@dataclass
class MigrationPage:
    """A page of a dry run: the counts over every instance that would move, and this page's rows tried in full
    (a row the quick count took for movable may still be refused here, with the reason)."""

    report: MigrationReport
    movable: int
    refused: int
    show: str
    page: int
    pages: int


class VersionUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access,
                 vocabulary: Vocabulary) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.vocabulary = vocabulary

    def versions(self, actor: Actor) -> list[VersionRow]:
        """Every deployed version, the newest of each process first, with its running instances."""
        self.access.require(actor, PERMISSION)
        return self.transactions.read(_version_rows)

    def preview(self, actor: Actor, file_name: str, content: bytes) -> list[VersionDiff]:
        """What deploying the file would change, process by process, without storing anything."""
        self.access.require(actor, PERMISSION)
        definitions = self._checked(file_name, content)
        return self.transactions.read(lambda session: _compare(session, definitions))

    def deploy(self, actor: Actor, file_name: str, content: bytes) -> list[VersionDiff]:
        """Store each process of the file whose content is new as its next version, audited with its diff."""
        self.access.require(actor, PERMISSION)
        definitions = self._checked(file_name, content)

        def work(session: Session) -> list[VersionDiff]:
            now = self.processes.runtime.clock.now()
            deployed = [diff for diff in self.processes.deploy(session, definitions, now) if diff.is_new()]
            if not deployed:
                raise InvalidSubmission({"file": [N_("文件中的流程都已部署过，内容没有变化")]})
            for diff in deployed:
                record_deployment(session, actor, now, diff)
            return deployed

        return self.transactions.run(work)

    def _checked(self, file_name: str, content: bytes) -> list[ProcessDefinition]:
        if not content:
            raise InvalidSubmission({"file": [N_("请选择一个 BPMN 文件")]})
        if len(content) > MAX_BPMN_BYTES:
            raise InvalidSubmission({"file": [N_("文件过大（最大 2 MB）")]})
        try:
            return load_bytes(file_name or "upload.bpmn", content, self.vocabulary)
        except ConfigError as exc:
            raise InvalidSubmission({"file": [N_("文件未通过检查：%(problem)s", problem=str(exc))]}) from None

    def migrate(self, actor: Actor, process_id: str, number: int, dry_run: bool = False) -> MigrationReport:
        """Move every running instance of the process that is on another version onto version `number`, each
        in a transaction of its own (all or nothing per instance); those that cannot move stay, with why. A dry
        run says the same and changes nothing."""
        self.access.require(actor, PERMISSION)
        target_id, report, candidates = self.transactions.read(lambda s: self._candidates(s, process_id, number))
        report.dry_run = dry_run
        report.rows = [_row(candidate) for candidate in candidates]
        if dry_run:
            self._try_all(report.rows, target_id)
            return report
        for row in report.rows:
            try:
                row.waiting = self.transactions.run(lambda s, r=row: self._move(s, actor, r, target_id))
            except MigrationRefused as refused:
                row.reasons = refused.reasons
        return report

    def _try_all(self, rows: list[MigrationRow], target_id: int) -> None:
        """Each row tried in a read of its own: where it would wait, or why it cannot move."""
        for row in rows:
            try:
                row.waiting = self.transactions.read(lambda s, r=row: self._try(s, r, target_id))
            except MigrationRefused as refused:
                row.reasons = refused.reasons

    def migration_page(self, actor: Actor, process_id: str, number: int, page: int = 1, show: str = "all",
                       per_page: int | None = None) -> MigrationPage:
        """A dry run a page at a time: how many instances can move and how many cannot (counted in one pass over
        them all), and the page's instances (all, the movable or the refused ones) tried in full."""
        self.access.require(actor, PERMISSION)
        show = show if show in SHOWN else "all"
        per_page = per_page or PAGE_SIZE

        def work(session: Session) -> tuple[int, MigrationReport, Classified]:
            target_id, report, candidates = self._candidates(session, process_id, number)
            return target_id, report, classify(session, candidates, session.get_one(ProcessVersion, target_id))

        target_id, report, classified = self.transactions.read(work)
        shown = classified.shown(show)
        pages = max(1, -(-len(shown) // per_page))
        page = min(max(page, 1), pages)
        report.rows = [_row(candidate) for candidate in shown[(page - 1) * per_page:page * per_page]]
        self._try_all(report.rows, target_id)
        return MigrationPage(report, len(classified.movable), len(classified.refused), show, page, pages)

    def _candidates(self, session: Session, process_id: str, number: int) -> tuple[int, MigrationReport,
                                                                                        list[Candidate]]:
        target = version_by_number(session, process_id, number)
        if target is None:
            raise NotFound(N_("流程 %(process)s 没有第 %(number)s 版", process=process_id, number=number))
        report = MigrationReport(process_id, target.name, number, dry_run=True)
        query = (select(ProcessInstance.id, ProcessInstance.business_key, RectificationTask.code,
                        ProcessInstance.version_id, ProcessVersion.number)
                 .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
                 .outerjoin(RectificationTask, RectificationTask.id == ProcessInstance.task_id)
                 .where(ProcessInstance.process_id == process_id, ProcessInstance.status == InstanceStatus.RUNNING,
                        ProcessInstance.version_id != target.id).order_by(ProcessInstance.id))
        candidates = [Candidate(i, key, code or "", version_id, n) for i, key, code, version_id, n
                      in session.execute(query)]
        return target.id, report, candidates

    def _try(self, session: Session, row: MigrationRow, target_id: int) -> list[str]:
        instance = session.get_one(ProcessInstance, row.instance_id)
        migrated = rebuild(self.processes, instance, session.get_one(ProcessVersion, target_id), session)
        return waiting_steps(migrated.workflow)

    def _move(self, session: Session, actor: Actor, row: MigrationRow, target_id: int) -> list[str]:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.id == row.instance_id)
                                  .with_for_update())
        if instance is None:
            raise MigrationRefused([N_("流程实例已不存在")])
        task = session.get(RectificationTask, instance.task_id) if instance.task_id else None
        step = self.processes.step(session, actor, task=task, instance=instance)
        waiting = apply(self.processes, step, session.get_one(ProcessVersion, target_id))
        self.processes.settle([step])
        return waiting


def _row(candidate: Candidate) -> MigrationRow:
    return MigrationRow(candidate.instance_id, candidate.business_key, candidate.task_code, candidate.from_number)


def _version_rows(session: Session) -> list[VersionRow]:
    running = dict(session.execute(select(ProcessInstance.version_id, func.count()).where(
        ProcessInstance.status == InstanceStatus.RUNNING).group_by(ProcessInstance.version_id)).all())
    versions = session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                               ProcessVersion.number.desc())).all()
    rows, seen = [], set()
    for version in versions:
        rows.append(VersionRow(version.process_id, version.name or version.process_id, version.number,
                               version.file_name, version.deployed_at, running.get(version.id, 0),
                               version.process_id not in seen))
        seen.add(version.process_id)
    return rows


def _compare(session: Session, definitions: list[ProcessDefinition]) -> list[VersionDiff]:
    return compare(session, definitions)
