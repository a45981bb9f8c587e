"""A batch of complaint cases (第N批) from the inspection group's spreadsheet: read with the ledger import's reader
(any .xlsx, .xls or .csv; the header found by the columns' names), each row checked and its unit found as the
ledger import finds units; every bad row listed; imported all or nothing."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.errors import DomainError, InvalidSubmission
from engine.core.grid import read_grid
from engine.core.spreadsheet import Column, ImportRejected, Problem, Row, table_rows
from engine.core.statuses import CaseCategory
from engine.core.text import N_
from engine.features.accounts.access import Access
from engine.features.cases.import_jobs import queue_job, register_batch
from engine.features.cases.registration import NewCase, next_batch_number
from engine.features.reporting.ledger_matching import Units
from engine.features.rounds.register import current_round_id
from engine.store.database import Session
from engine.store.files import CheckedFile, FileStore
from engine.store.models import ComplaintCase, InspectionRound, Unit
from engine.store.transactions import Transactions
from engine.workflow.instances import Processes

COLUMNS = (
    Column("案件编号", ("信访件编号", "受理编号", "编号", "案件号", "交办编号")),
    Column("受理日期", ("受理时间", "来信日期", "来电日期", "举报日期", "收件日期")),
    Column("信访内容", ("举报内容", "反映问题", "投诉内容", "信访件内容", "内容")),
    Column("地点", ("问题地点", "所在地", "地址", "行政区域", "区域"), required=False),
    Column("被投诉对象", ("被举报对象", "污染者", "被投诉单位", "被举报单位", "涉及对象"), required=False),
    Column("污染类型", ("类别", "问题类别", "污染类别", "类型")),
    Column("责任单位", ("转办单位", "交办单位", "办理单位", "承办单位")),
    Column("办结时限", ("回复时限", "办理时限", "反馈时限", "答复时限")),
)
CATEGORY_WORDS: dict[CaseCategory, tuple[str, ...]] = {
    CaseCategory.AIR: ("大气", "空气", "废气", "油烟", "扬尘", "异味", "恶臭", "烟尘"),
    CaseCategory.WATER: ("水", "废水", "污水", "水污染", "黑臭水体"),
    CaseCategory.NOISE: ("噪声", "噪音"),
    CaseCategory.SOIL: ("土壤",),
    CaseCategory.SOLID_WASTE: ("固废", "固体废物", "垃圾", "危废", "危险废物"),
    CaseCategory.ECOLOGY: ("生态", "生态破坏", "非法采砂", "毁林", "采矿"),
    CaseCategory.OTHER: ("其他", "辐射", "其它"),
}
SHA256 = re.compile(r"[0-9a-f]{64}")
DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class PreviewCase:
    row: int
    case: NewCase
    unit_name: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class CasePreview:
    """What the import would do: the batch's number, its cases, and every problem (then nothing is imported)."""

    round_name: str
    batch_number: int
    cases: list[PreviewCase]
    problems: list[Problem]

    @property
    def importable(self) -> bool:
        return bool(self.cases) and not self.problems


@dataclass(frozen=True)
class ImportedBatch:
    batch_id: int
    number: int
    cases: int


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = DATE_TEXT.match(str(value or ""))
    if match is None:
        raise ValueError("日期应写成 2026-07-15 或 2026年7月15日")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("没有这一天") from None


def read_category(text: str) -> CaseCategory:
    first = re.split(r"[、,，;；/\s]+", text.strip())[0] if text.strip() else ""
    for category, words in CATEGORY_WORDS.items():
        if first in words or first.removesuffix("污染") in words:
            return category
    raise ValueError(f"不认识的污染类型「{text}」（可写：大气、水、噪声、土壤、固废、生态、其他）")


class _Reader:
    def __init__(self, session: Session, processes: Processes) -> None:
        self.units = Units(session.scalars(select(Unit)), processes.roles)
        self.seen: dict[str, int] = {}

    def case(self, row: Row, problems: list[Problem]) -> PreviewCase | None:
        before = len(problems)
        values: dict[str, Any] = {}
        for name, read in (("受理日期", read_date), ("办结时限", read_date), ("污染类型", read_category)):
            try:
                values[name] = read(row.values.get(name) if name != "污染类型" else row.text(name))
            except ValueError as exc:
                problems.append(row.problem(name, str(exc)))
        for name in ("案件编号", "信访内容"):
            if not row.text(name):
                problems.append(row.problem(name, "必填"))
        number = row.text("案件编号")[:64]
        if number in self.seen:
            problems.append(row.problem("案件编号", f"与第 {self.seen[number]} 行重复"))
        self.seen.setdefault(number, row.number)
        try:
            units = self.units.read(row.text("责任单位"))
        except ValueError as exc:
            problems.append(row.problem("责任单位", str(exc)))
            return None
        if units.cooperating:
            problems.append(row.problem("责任单位", "一件信访件只转办一个责任单位"))
        if "受理日期" in values and "办结时限" in values and values["办结时限"] < values["受理日期"]:
            problems.append(row.problem("办结时限", "不能早于受理日期"))
        if len(problems) > before:
            return None
        new = NewCase(number, values["受理日期"], row.text("信访内容"), row.text("地点")[:300],
                      row.text("被投诉对象")[:300], values["污染类型"], units.lead.id, values["办结时限"])
        return PreviewCase(row.number, new, units.lead.name, units.warnings)


def preview_cases(session: Session, processes: Processes, content: bytes, round_id: int) -> CasePreview:
    rows = table_rows((cells for _, cells in read_grid(content).rows), COLUMNS)
    reader = _Reader(session, processes)
    problems: list[Problem] = []
    cases = [case for row in rows if (case := reader.case(row, problems)) is not None]
    known = set(session.scalars(select(ComplaintCase.number).where(
        ComplaintCase.number.in_([case.case.number for case in cases])))) if cases else set()
    problems += [Problem(case.row, "案件编号", "这件信访件已经导入过") for case in cases if case.case.number in known]
    if not rows:
        problems.append(Problem(0, "", "表中没有信访件"))
    round_ = session.get_one(InspectionRound, round_id)
    step = processes.step(session, Actor.system())
    return CasePreview(round_.name, next_batch_number(step, round_id), cases, problems)


class CaseImportUseCases:
    def __init__(self, transactions: Transactions, processes: Processes, access: Access, files: FileStore) -> None:
        self.transactions = transactions
        self.processes = processes
        self.access = access
        self.files = files

    def keep(self, actor: Actor, content: bytes, file_name: str) -> str:
        """Keep an uploaded batch under its SHA-256 until the person confirms its preview; the hash names it."""
        self.access.require(actor, "case.import")
        sha256 = hashlib.sha256(content).hexdigest()
        self.files.writer().save(CheckedFile(file_name, sha256, len(content), "application/octet-stream", content))
        return sha256

    def kept(self, actor: Actor, sha256: str) -> bytes:
        """A batch kept by `keep`; DomainError if there is none by that hash."""
        self.access.require(actor, "case.import")
        path = self.files.path(sha256) if SHA256.fullmatch(sha256) else None
        if path is None or not path.is_file():
            raise DomainError("上传的文件已不在，请重新上传")
        return path.read_bytes()

    def preview(self, actor: Actor, content: bytes, round_name: str = "") -> CasePreview:
        """What importing the file would do; nothing is written."""
        self.access.require(actor, "case.import")
        return self.transactions.read(
            lambda s: preview_cases(s, self.processes, content, self._round(s, round_name)))

    def import_batch(self, actor: Actor, content: bytes, file_name: str, round_name: str = "") -> ImportedBatch:
        """Import the file as the round's next batch, every case handed to its unit; nothing if any row is bad (the
        command line's import, in the foreground)."""
        self.access.require(actor, "case.import")

        def work(session: Session) -> ImportedBatch:
            round_id, cases = self._importable(session, content, round_name)
            step = self.processes.step(session, actor)
            batch = register_batch(step, round_id, file_name, cases)
            self.processes.settle([step])
            return ImportedBatch(batch.id, batch.number, len(cases))

        return self.transactions.run(work)

    def queue(self, actor: Actor, content: bytes, file_name: str, round_name: str = "") -> int:
        """Queue the file's batch for the background sweep (the page's import); the job's id. Nothing is queued if any
        row is bad."""
        self.access.require(actor, "case.import")

        def work(session: Session) -> int:
            round_id, cases = self._importable(session, content, round_name)
            return queue_job(self.processes.step(session, actor), round_id, file_name, cases).id

        return self.transactions.run(work)

    def _importable(self, session: Session, content: bytes, round_name: str) -> tuple[int, list[NewCase]]:
        round_id = self._round(session, round_name)
        preview = preview_cases(session, self.processes, content, round_id)
        if not preview.importable:
            raise ImportRejected(preview.problems or [Problem(0, "", "表中没有信访件")])
        return round_id, [c.case for c in preview.cases]

    def rounds(self) -> list[str]:
        return self.transactions.read(lambda s: list(s.scalars(select(InspectionRound.name).order_by(
            InspectionRound.id))))

    @staticmethod
    def _round(session: Session, name: str) -> int:
        if name:
            round_id = session.scalar(select(InspectionRound.id).where(InspectionRound.name == name))
            if round_id is None:
                raise InvalidSubmission({"round": [N_("没有这个督察批次：%(name)s", name=name)]})
            return round_id
        current = current_round_id(session)
        if current is None:
            raise InvalidSubmission({"round": [N_("还没有督察批次，请先登记督察批次")]})
        return current
