"""Use cases of the office's reporting: dashboard, ledger in Excel, monthly bulletin, targets.

A part of the façade `engine.service.Duban` (which inherits it): the same rules hold, one
method per use case, one transaction per call, permission checked first. An actor of the
system role (the `duban` command run by the operator) passes the permission checks and sees
every task; a person sees what their role's scope allows (access.task_filter).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.core.actor import SYSTEM_ROLE, Actor
from engine.core.clock import local_today
from engine.core.errors import NotFound
from engine.core.spreadsheet import ImportRejected, Problem, read_table
from engine.features.rectification.queries import LedgerFilters
from engine.features.reporting import bulletin, dashboard, ledger_io
from engine.features.reporting.bulletin_docx import render_docx
from engine.features.targets import indicators as targets
from engine.store.models import Category, EnvironmentalIndicator, TaskStatus, Unit, User, WarningLevel

if TYPE_CHECKING:
    from engine.core.clock import Clock
    from engine.features.accounts.access import Access
    from engine.store.database import Database
    from engine.store.models import RectificationTask
    from engine.workflow.step import Step

T = TypeVar("T")


class _DryRun(Exception):
    """Raised inside a checking-only import so that its transaction rolls back."""

    def __init__(self, result: ledger_io.ImportResult) -> None:
        self.result = result


class ReportingUseCases:
    if TYPE_CHECKING:
        db: Database
        access: Access
        clock: Clock

        def _use_case(self, work: Callable[[Session], T]) -> T: ...
        def _read(self, work: Callable[[Session], T]) -> T: ...
        def _step(self, session: Session, actor: Actor, **objects: Any) -> Step: ...
        def _create_task(self, step: Step, data: dict[str, Any]) -> RectificationTask: ...

    def _allow(self, actor: Actor, permission: str) -> None:
        if not actor.is_system():
            self.access.require(actor, permission)

    def _scope(self, actor: Actor) -> ColumnElement[bool]:
        return true() if actor.is_system() else self.access.task_filter(actor)

    def command_line_actor(self, username: str | None = None) -> Actor:
        """Who the `duban` command acts as: a named account (its permissions and scope), or the operator."""
        if not username:
            return Actor(None, "cli", "命令行", SYSTEM_ROLE, None)
        user = self._read(lambda s: s.scalar(select(User).where(User.username == username, User.active.is_(True))))
        if user is None:
            raise NotFound(f"没有用户 {username}")
        return Actor(user.id, user.username, user.display_name, user.role, user.unit_id)

    def ledger_filters(self, category_number: int | None = None, unit_code: str | None = None,
                       status: str | None = None, warning: str | None = None) -> LedgerFilters:
        """Ledger filters named the way an operator types them (category number, unit code)."""
        def work(session: Session) -> LedgerFilters:
            category = session.scalar(select(Category.id).where(Category.number == category_number)) \
                if category_number is not None else None
            unit = session.scalar(select(Unit.id).where(Unit.code == unit_code)) if unit_code else None
            if (category_number is not None and category is None) or (unit_code and unit is None):
                raise NotFound("没有这个类别或单位")
            return LedgerFilters(category_id=category, unit_id=unit, status=TaskStatus(status) if status else None,
                                 warning=WarningLevel(warning) if warning else None)

        return self._read(work)

    # --- dashboard ---------------------------------------------------------------------------

    def dashboard(self, actor: Actor) -> dashboard.Dashboard:
        self._allow(actor, "dashboard.view")
        return self._read(lambda s: dashboard.build_dashboard(s, self._scope(actor), self.clock.now()))

    # --- the ledger in Excel ------------------------------------------------------------------

    def export_ledger(self, actor: Actor, filters: LedgerFilters,
                      progress: ledger_io.ProgressReporter = ledger_io.SILENT) -> tuple[bytes, int]:
        """The ledger as .xlsx, filtered like the page (every page of it); (content, number of tasks)."""
        self._allow(actor, "ledger.export")

        def work(session: Session) -> tuple[bytes, int]:
            rows = ledger_io.export_rows(session, self._scope(actor), replace(filters, page=1))
            described = ledger_io.describe_filters(session, filters)
            meta = ledger_io.ExportMeta(self.clock.now(), actor.display_name, described)
            content = ledger_io.ledger_workbook(rows, local_today(self.clock), meta, progress)
            self._step(session, actor).audit("ledger.exported", ("ledger", "xlsx"), f"导出台账 {len(rows)} 项任务",
                                             after={"count": len(rows), "filters": described})
            return content, len(rows)

        return self._use_case(work)

    def import_tasks(self, actor: Actor, content: bytes, *, file_name: str = "", dry_run: bool = False,
                     progress: ledger_io.ProgressReporter = ledger_io.SILENT) -> ledger_io.ImportResult:
        """Register every new task of an .xlsx ledger, each with its process started; all or nothing."""
        self._allow(actor, "ledger.import")
        rows = read_table(content, ledger_io.LEDGER_COLUMNS)

        def work(session: Session) -> ledger_io.ImportResult:
            step = self._step(session, actor)
            result = ledger_io.import_rows(step, rows, self._create_task, progress)
            if dry_run:
                raise _DryRun(result)
            if result.created or result.new_categories:
                step.audit("ledger.imported", ("ledger", file_name or "xlsx"),
                           f"导入台账{f'「{file_name}」' if file_name else ''}：新登记 {len(result.created)} 项，"
                           f"未变 {len(result.unchanged)} 项", after={"created": result.created,
                                                                     "new_categories": result.new_categories})
            return result

        try:
            return self._use_case(work)
        except _DryRun as checked:
            return replace(checked.result, dry_run=True, task_ids={})
        except IntegrityError:  # a task with one of these codes was registered meanwhile
            clash = Problem(0, "编号", "导入时有相同编号的任务被登记，未导入任何内容，请重新导入")
            raise ImportRejected([clash]) from None

    # --- the monthly bulletin -------------------------------------------------------------------

    def bulletin(self, actor: Actor, month: str) -> bytes:
        """月度通报 of a month (YYYY-MM) as .docx."""
        self._allow(actor, "bulletin.make")

        def work(session: Session) -> bytes:
            data = bulletin.bulletin_data(session, self._scope(actor), month, self.clock.now())
            self._step(session, actor).audit("bulletin.made", ("bulletin", month), f"生成{data.label}月度通报")
            return render_docx(data)

        return self._use_case(work)

    def bulletin_data(self, actor: Actor, month: str) -> bulletin.BulletinData:
        self._allow(actor, "bulletin.make")
        return self._read(lambda s: bulletin.bulletin_data(s, self._scope(actor), month, self.clock.now()))

    # --- environmental targets -------------------------------------------------------------------

    def indicators(self, actor: Actor) -> list[targets.IndicatorView]:
        self._allow(actor, "targets.view")
        return self._read(lambda s: targets.indicator_views(s, local_today(self.clock)))

    def indicator(self, actor: Actor, indicator_id: int) -> EnvironmentalIndicator | None:
        self._allow(actor, "targets.view")
        return self._read(lambda s: s.get(EnvironmentalIndicator, indicator_id))

    def save_indicator(self, actor: Actor, data: Mapping[str, Any], indicator_id: int | None = None) -> int:
        """Define a new indicator, or change one (audited with before and after)."""
        self._allow(actor, "targets.edit")
        return self._use_case(lambda s: targets.save_indicator(self._step(s, actor), data, indicator_id).id)

    def record_indicator_values(self, actor: Actor, period: str, entries: Mapping[int, tuple[Any, str]]) -> int:
        """One month's values of the indicators; returns how many changed."""
        self._allow(actor, "targets.edit")
        return self._use_case(lambda s: targets.record_values(self._step(s, actor), period, entries))

    def import_indicator_values(self, actor: Actor, content: bytes) -> targets.ValuesImportResult:
        """Monthly values from an .xlsx (指标 · 月份 · 数值 · 说明); all or nothing."""
        self._allow(actor, "targets.edit")
        rows = read_table(content, targets.VALUE_COLUMNS)
        return self._use_case(lambda s: targets.import_values(self._step(s, actor), rows))

