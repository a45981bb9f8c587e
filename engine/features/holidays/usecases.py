"""The use cases of the holiday table: the administrators keep it; every change is put into the working-day
calendar at once (and the table is loaded into it when duban starts)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from engine.core import workdays
from engine.core.actor import Actor
from engine.core.clock import Clock, local_today
from engine.core.errors import InvalidSubmission
from engine.core.spreadsheet import read_csv, read_table
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.holidays import table
from engine.store.models import CalendarDay
from engine.store.transactions import Transactions

PERMISSION = "user.manage"  # the system administrators' (roles.yaml: 管理用户、单位…)
T = TypeVar("T")


class HolidayUseCases:
    def __init__(self, transactions: Transactions, access: Access, clock: Clock) -> None:
        self.transactions = transactions
        self.access = access
        self.clock = clock

    def load(self) -> None:
        """Put the table into the working-day calendar (at start-up; after each change it is done already)."""
        workdays.use_table(self.transactions.read(table.table))

    def days(self, actor: Actor) -> list[CalendarDay]:
        self.access.require(actor, PERMISSION)
        return self.transactions.read(table.all_days)

    def add(self, actor: Actor, day: date | None, kind: str, name: str) -> None:
        self.access.require(actor, PERMISSION)
        if day is None or kind not in ("holiday", "workday"):
            raise InvalidSubmission({"day": [N_("请填写日期并选择放假或补班")]})
        entry = table.Entry(day, kind == "workday", name.strip()[:50])
        self._change(lambda s: table.add_day(s, actor, self.clock.now(), entry))

    def delete(self, actor: Actor, day_id: int) -> None:
        self.access.require(actor, PERMISSION)
        self._change(lambda s: table.delete_day(s, actor, self.clock.now(), day_id))

    def import_file(self, actor: Actor, content: bytes, file_name: str) -> int:
        """A .csv or .xlsx of 日期 · 类型 (holiday/workday) · 名称; every bad row listed, nothing taken then."""
        self.access.require(actor, PERMISSION)
        rows = read_csv(content, table.COLUMNS) if file_name.lower().endswith(".csv") else \
            read_table(content, table.COLUMNS)
        entries = table.read_entries(rows)
        return self._change(lambda s: table.import_days(s, actor, self.clock.now(), entries))

    def years_without_calendar(self) -> list[int]:
        """The years a deadline or a 公示 reaches where working days are only guessed (for the dashboard's banner)."""
        return self.transactions.read(lambda s: table.years_without_calendar(s, local_today(self.clock)))

    def _change(self, work: Callable[[Session], T]) -> T:
        def change_and_read(session: Session) -> tuple[T, dict[date, bool]]:
            result = work(session)
            return result, table.table(session)

        result, days = self.transactions.run(change_and_read)
        workdays.use_table(days)
        return result
