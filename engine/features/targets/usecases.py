"""The use cases of the environmental targets (整改目标): the indicators, their values month by month."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.spreadsheet import read_table
from engine.features.accounts.access import Access
from engine.features.targets import indicators as targets
from engine.store.models import EnvironmentalIndicator
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes


class TargetUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.clock = processes.runtime.clock

    def indicators(self, actor: Actor) -> list[targets.IndicatorView]:
        self.access.require(actor, "targets.view")
        return self.transactions.read(lambda s: targets.indicator_views(s, local_today(self.clock)))

    def indicator(self, actor: Actor, indicator_id: int) -> EnvironmentalIndicator | None:
        self.access.require(actor, "targets.view")
        return self.transactions.read(lambda s: s.get(EnvironmentalIndicator, indicator_id))

    def save_indicator(self, actor: Actor, data: Mapping[str, Any], indicator_id: int | None = None) -> int:
        """Define a new indicator, or change one (audited with before and after)."""
        self.access.require(actor, "targets.edit")
        return self.transactions.run(
            lambda s: targets.save_indicator(self.processes.step(s, actor), data, indicator_id).id)

    def record_values(self, actor: Actor, period: str, entries: Mapping[int, tuple[Any, str]]) -> int:
        """One month's values of the indicators; returns how many changed."""
        self.access.require(actor, "targets.edit")
        return self.transactions.run(lambda s: targets.record_values(self.processes.step(s, actor), period, entries))

    def import_values(self, actor: Actor, content: bytes) -> targets.ValuesImportResult:
        """Monthly values from an .xlsx (指标 · 月份 · 数值 · 说明); all or nothing."""
        self.access.require(actor, "targets.edit")
        rows = read_table(content, targets.VALUE_COLUMNS)
        return self.transactions.run(lambda s: targets.import_values(self.processes.step(s, actor), rows))
