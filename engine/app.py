"""The engine's façade: the features' use cases, composed.

The CLI, the web UI and the tests drive duban through `Duban`. Each of its attributes holds one
feature's use cases (`duban.work.complete(...)`, `duban.escalation.propose(...)`); each use case is
one transaction, run by the one `Transactions` every feature is given here. The workflow runtime
learns what the features mean from the Registry each feature registers with.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import Clock, SystemClock
from engine.core.roles import RoleModel, load_roles
from engine.core.settings import Settings
from engine.features import (
    cases,
    chasing,
    clues,
    cooperation,
    escalation,
    extension,
    instructions,
    measures,
    notifications,
    receipt,
    rectification,
    signoff,
)
from engine.features.accounts.access import Access
from engine.features.accounts.usecases import AccountUseCases
from engine.features.audit.usecases import AuditUseCases
from engine.features.cases.import_usecases import CaseImportJobs
from engine.features.cases.usecases import CaseUseCases
from engine.features.chasing.usecases import ChaseUseCases
from engine.features.clues.usecases import ClueUseCases
from engine.features.documents.usecases import DocumentUseCases
from engine.features.escalation.usecases import EscalationUseCases
from engine.features.extension.usecases import ExtensionUseCases
from engine.features.holidays.usecases import HolidayUseCases
from engine.features.instructions.usecases import InstructionUseCases
from engine.features.measures.usecases import MeasureUseCases
from engine.features.notifications.channels import configured_channels
from engine.features.notifications.delivery import Delivery
from engine.features.notifications.messages import Composer, Translate, untranslated
from engine.features.notifications.usecases import NotificationUseCases
from engine.features.operations.usecases import OperationUseCases
from engine.features.processes.console import ConsoleUseCases
from engine.features.processes.versions import VersionUseCases
from engine.features.public.cases import PublicCaseUseCases
from engine.features.public.usecases import PublicUseCases
from engine.features.rectification.usecases import TaskUseCases
from engine.features.reporting.case_import import CaseImportUseCases
from engine.features.reporting.usecases import ReportingUseCases
from engine.features.rounds.register import ensure_a_round
from engine.features.rounds.usecases import RoundUseCases
from engine.features.targets.usecases import TargetUseCases
from engine.features.tokens.usecases import TokenUseCases
from engine.features.work.attachments import AttachmentUseCases
from engine.features.work.items import WorkItems
from engine.features.work.usecases import WorkUseCases
from engine.store import state
from engine.store.audit import record
from engine.store.database import Database, Session
from engine.store.files import FileStore
from engine.store.models import Unit
from engine.store.transactions import Transactions
from engine.workflow.expressions import RestrictedScriptEngine, base_functions
from engine.workflow.instances import Processes
from engine.workflow.loader import ProcessDefinition, Vocabulary, load_file, load_files
from engine.workflow.registry import Registry
from engine.workflow.runtime import WorkflowRuntime
from engine.workflow.sweep import Sweep, SweepResult
from engine.workflow.versions import record_deployment


class Feature(Protocol):
    """A feature package with processes: it tells the runtime what its BPMN files name."""

    def register(self, registry: Registry, clock: Clock, settings: Settings) -> None: ...


class TimeMachine(Protocol):
    """The business clock moved forward by hand, where the site runs on a demo clock (engine/demo/clock.py)."""

    def sync(self) -> None:
        """Take up the offset another process may have set."""

    def advance(self, actor: Actor, step: timedelta) -> SweepResult:
        """Move forward by `step`, then fire what fell due."""


#: the features whose processes duban runs (workflows/*.bpmn), each registering what its BPMN names, and those
#: that follow every step (notifications: new work, and notices resolved once their work is done)
PROCESS_FEATURES: tuple[Feature, ...] = (rectification, signoff, escalation, clues, instructions, chasing, cooperation,
                                         receipt, extension, measures, cases, notifications)


class Duban:
    def __init__(self, db: Database, roles: RoleModel, clock: Clock, workflow_files: Sequence[Path],
                 settings: Settings | None = None, storage: Path | None = None,
                 features: Sequence[Feature] = PROCESS_FEATURES, translate: Translate = untranslated) -> None:
        self.db, self.roles, self.clock = db, roles, clock
        self.workflow_files = list(workflow_files)
        self.settings = settings or Settings()
        self.registry = build_registry(clock, self.settings, features)
        self.vocabulary = build_vocabulary(self.registry, roles)
        self.runtime = WorkflowRuntime(clock, RestrictedScriptEngine(self.vocabulary.functions))
        self.processes = Processes(self.runtime, roles, self.registry, self.settings)
        self.definitions: list[ProcessDefinition] = load_files(workflow_files, self.vocabulary)
        self.transactions = Transactions(db)
        self.access = Access(roles)
        self.files = FileStore(storage or default_storage(db), self.settings.evidence_max_mb * 1024 * 1024)
        self.translate = translate
        self._compose()

    def _compose(self) -> None:
        transactions, processes, access = self.transactions, self.processes, self.access
        self.sweep = Sweep(transactions, processes)
        self.accounts = AccountUseCases(transactions, access, self.clock, self.settings)
        self.tokens = TokenUseCases(transactions, access, self.clock, self.settings)
        self.audit = AuditUseCases(transactions, access, self.files)
        self.rounds = RoundUseCases(transactions, access, self.clock)
        self.tasks = TaskUseCases(transactions, processes, access)
        self.work = WorkUseCases(transactions, WorkItems(processes, access, self.files), access, self.files,
                                 self.sweep)
        self.attachments = AttachmentUseCases(transactions, access, self.files, self.clock)
        self.escalation = EscalationUseCases(transactions, processes, access)
        self.clues = ClueUseCases(transactions, processes, access)
        self.cases = CaseUseCases(transactions, processes, access)
        self.case_import = CaseImportUseCases(transactions, processes, access, self.files)
        self.case_jobs = CaseImportJobs(transactions, processes, access)
        self.instructions = InstructionUseCases(transactions, processes, access)
        self.chases = ChaseUseCases(transactions, processes, access)
        self.measures = MeasureUseCases(transactions, processes, access)
        self.extensions = ExtensionUseCases(transactions, processes, access)
        self.reporting = ReportingUseCases(transactions, processes, access, self.files)
        self.targets = TargetUseCases(transactions, processes, access)
        self.public_cases = PublicCaseUseCases(transactions)
        self.public = PublicUseCases(transactions, processes, access, self.settings, self.files)
        self.operations = OperationUseCases(self.db, self.clock, self.files)
        self.documents = DocumentUseCases(transactions, access, self.files, self.clock, self.settings)
        delivery = Delivery(transactions, self.clock, self.settings, configured_channels(self.settings.channels),
                            Composer(self.translate, self.settings.channels.base_url))
        self.notifications = NotificationUseCases(transactions, access, self.clock, self.settings, delivery)
        self.sweep.after_timers(self.case_jobs.run_queued)  # the batches of complaint cases queued from the page
        self.sweep.after_timers(self.notifications.deliver_due)
        self.versions = VersionUseCases(transactions, processes, access, self.vocabulary)
        self.console = ConsoleUseCases(transactions, processes, access)
        self.holidays = HolidayUseCases(transactions, self.access, self.clock)
        self.sweep.after_timers(self.holidays.load)  # another process's change reaches this one within a sweep
        self.sweep.after_timers(self.reporting.refresh_dashboard)  # a province's dashboard, counted once a sweep

    def init_database(self) -> list[str]:
        """Create missing tables, sync the unit tree from roles.yaml, deploy the workflows, load the holiday table."""
        self.db.upgrade_schema()
        self.holidays.load()

        def work(session: Session) -> list[str]:
            self._record_state_baseline(session)
            self._sync_units(session)
            self._first_round(session)
            deployed = [diff for diff in self.processes.deploy(session, self.definitions, self.clock.now())
                        if diff.is_new()]
            for diff in deployed:
                record_deployment(session, Actor.system(), self.clock.now(), diff)
            return [f"{diff.process_id}@{diff.number}" for diff in deployed]

        return self.transactions.run(work)

    def _sync_units(self, session: Session) -> None:
        """Make the units table say what roles.yaml says; each created or changed unit is audited."""
        by_code = {unit.code: unit for unit in session.scalars(select(Unit))}
        for position, spec in enumerate(self.roles.units):
            unit = by_code.get(spec.code) or Unit(code=spec.code)
            before = unit_summary(unit) if unit.id else None
            unit.name, unit.kind, unit.position = spec.name, spec.kind, position
            unit.parent_id = by_code[spec.parent].id if spec.parent else None
            session.add(unit)
            session.flush()
            by_code[spec.code] = unit
            if before != unit_summary(unit):
                record(session, Actor.system(), self.clock.now(), "unit.synced", ("unit", unit.id),
                       f"{'更新' if before else '导入'}单位 {unit.name}（{self.roles.source}）",
                       before=before, after=unit_summary(unit))

    def _first_round(self, session: Session) -> None:
        made = ensure_a_round(session, self.clock.now())
        if made:
            record(session, Actor.system(), self.clock.now(), "round.created", ("round", made.id),
                   f"建立督察批次 {made.name}", after={"name": made.name})

    def _record_state_baseline(self, session: Session) -> None:
        """Rows written before the trail kept after-images are vouched for once, as they are at the upgrade."""
        if state.needs_baseline(session):
            count = state.vouch_for_all(session)
            record(session, Actor.system(), self.clock.now(), "audit.state_baseline", ("audit", "state"),
                   f"记录现有 {count} 行业务数据的基准状态（此前的改动未逐行留存改后状态）")

    def unit_choices(self) -> list[tuple[str, str]]:
        return [(unit.code, unit.name) for unit in self.roles.units]


def open_engine(database_url: str, roles_file: Path, workflows: Path, clock: Clock, *, storage: Path,
                settings: Settings | None = None, translate: Translate = untranslated,
                migration_url: str | None = None) -> Duban:
    """duban as configured: its database (and the schema owner's URL for migrations, if another), roles.yaml, the
    workflows/*.bpmn it runs, its clock and file storage, and the catalogs its messages are translated with."""
    return Duban(Database(database_url, migration_url=migration_url), load_roles(roles_file), clock,
                 sorted(workflows.glob("*.bpmn")), settings or Settings.from_env(), storage=storage,
                 translate=translate)


def check_workflow_file(path: Path, roles_file: Path) -> list[str]:
    """Check one BPMN file as start-up does: the ids of its processes, or ConfigError naming what is wrong."""
    clock = SystemClock()
    vocabulary = build_vocabulary(build_registry(clock, Settings()), load_roles(roles_file))
    return [definition.process_id for definition in load_file(path, vocabulary)]


def build_registry(clock: Clock, settings: Settings, features: Sequence[Feature] = PROCESS_FEATURES) -> Registry:
    """What the workflow runtime runs: the features' forms, actions, functions and hooks."""
    registry = Registry()
    registry.add_functions(base_functions(clock))
    for feature in features:
        feature.register(registry, clock, settings)
    return registry


def build_vocabulary(registry: Registry, roles: RoleModel) -> Vocabulary:
    """What workflows may name: lanes of roles.yaml and what the features registered (every registered form has
    its fields, from which the web builds its page)."""
    return Vocabulary(roles, set(registry.forms), set(registry.actions), registry.functions, registry.statuses,
                      set(registry.assignees))


def default_storage(db: Database) -> Path:
    """Beside a SQLite file; elsewhere (PostgreSQL) DUBAN_STORAGE should be set."""
    database = db.engine.url.database
    if db.is_sqlite and database and database != ":memory:":
        return Path(database).resolve().parent / "evidence"
    return Path("instance") / "evidence"


def unit_summary(unit: Unit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "position": unit.position}
