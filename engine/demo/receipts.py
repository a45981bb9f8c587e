"""签收, 退办/改派 and 延期申请 in the demo's history, through the same use cases a person would use.

Every unit of an assigned task signs for it a few hours after 交办, except in these stories:

- 1-5: 叙永县, a cooperating unit, has not signed: the task is yellow and the coordinator's follow-up waits;
- 2-1: 市交通运输局 returned it (not its work); the coordinator gave its part to 市自然资源和规划局, which signed;
- 2-2: 市经济和信息化局 returned it; the coordinator's answer waits.

And the units' requests for a later deadline:

- 3-6: extended by three months, approved by the lead leader a month ago;
- 2-7: refused by the lead leader (the old deadline stands);
- 3-8: reviewed by the supervision group, waiting for the lead leader;
- 1-4 (江阳区, the demo unit): asked three days ago, waiting for the supervision group's review.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import local_today
from engine.core.uploads import Upload
from engine.demo.sample_files import png
from engine.store.models import HumanTask, HumanTaskStatus, RectificationTask, Unit

if TYPE_CHECKING:
    from engine.app import Duban

#: task code -> (what happens, the unit it happens to, the unit it is given to)
RECEIPT_STORIES = {"1-5": ("late", "xuyong", ""), "2-1": ("reassigned", "transport", "natural_resources"),
                   "2-2": ("returned", "industry", "")}
#: task code -> (how far the request came, days before today it was made)
EXTENSION_STORIES = {"3-6": ("approved", 40), "2-7": ("refused", 30), "3-8": ("deciding", 6), "1-4": ("reviewing", 3)}
REVIEWS = {"support": {"opinion": "support", "comment": "经核实，延期理由属实，建议同意。"},
           "oppose": {"opinion": "oppose", "comment": "延期理由不充分，应加大投入按期完成。"}}
DEMO_UNIT = "jiangyang"
#: units whose officers the stories need beside the tasks' own units
STORY_UNITS = frozenset({"natural_resources"})


class ReceiptStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    actors: dict[str, Actor]
    task_ids: dict[str, int]
    content: dict[str, Any]

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...
        def _do(self, username: str, code: str, form: str, **data: Any) -> None: ...
        def _do_leader(self, code: str, task: dict[str, Any], form: str, **data: Any) -> None: ...

    def _staff_of(self, unit: str) -> Actor:
        return self.actors["unit_staff" if unit == DEMO_UNIT else f"staff_{unit}"]

    def _receipts(self, code: str, task: dict[str, Any], assigned: datetime) -> None:
        """Each unit signs a few hours after 交办, unless its story says otherwise."""
        kind, story_unit, new_unit = RECEIPT_STORIES.get(code, ("", "", ""))
        for offset, unit in enumerate([task["lead_unit"], *task["cooperating_units"]]):
            when = assigned + timedelta(hours=2 + offset)
            if unit != story_unit:
                self.at(when, lambda unit=unit: self._sign(code, unit, decision="receive", reason=""))
            elif kind in ("reassigned", "returned"):
                self.at(when, lambda unit=unit: self._sign(code, unit, decision="return",
                                                           reason="本单位不承担该项工作的行业监管职责，建议改由其他单位配合。"))
        if kind == "reassigned":
            self.at(assigned + timedelta(days=1), lambda: self._do(
                "coordinator", code, "receipt_return_decide", decision="reassign",
                unit_id=self._unit_id(new_unit), reason="经核实，该项工作由自然资源部门负责，改派配合。"))
            self.at(assigned + timedelta(days=1, hours=3), lambda: self._sign(code, new_unit, decision="receive",
                                                                              reason=""))

    def _sign(self, code: str, unit: str, **data: Any) -> None:
        with self.sim.db.transaction(write=False) as session:
            work_id = session.scalar(select(HumanTask.id).where(
                HumanTask.task_id == self.task_ids[code], HumanTask.form == "receipt_sign",
                HumanTask.status == HumanTaskStatus.OPEN, HumanTask.unit_id == self._unit_id(unit, session)))
        if work_id is None:
            raise RuntimeError(f"demo: no receipt of {unit} for {code}")
        self.sim.work.complete(self._staff_of(unit), work_id, data)

    def _unit_id(self, code: str, session: Any = None) -> int:
        if session is None:
            with self.sim.db.transaction(write=False) as own:
                return self._unit_id(code, own)
        return int(session.scalars(select(Unit.id).where(Unit.code == code)).one())

    def _extension_history(self, recent: datetime) -> None:
        for code, (stage, days) in EXTENSION_STORIES.items():
            asked = recent - timedelta(days=days)
            self.at(asked, lambda code=code: self._ask_extension(code))
            if stage in ("approved", "refused", "deciding"):
                review = REVIEWS["oppose" if stage == "refused" else "support"]
                self.at(asked + timedelta(days=2), lambda code=code, review=review: self._do(
                    "supervisor", code, "extension_review", **review))
            if stage in ("approved", "refused"):
                decision = {"decision": "approve", "comment": "同意延期，请按新时限完成，不得再次延期。"} \
                    if stage == "approved" else {"decision": "refuse", "comment": "不同意延期，请倒排工期、按期完成。"}
                self.at(asked + timedelta(days=4), lambda code=code, decision=decision: self._decide(code, decision))

    def _ask_extension(self, code: str) -> None:
        with self.sim.db.transaction(write=False) as session:
            task = session.get_one(RectificationTask, self.task_ids[code])
            unit = session.get_one(Unit, task.lead_unit_id).code
            deadline = task.deadline
        assert deadline is not None  # noqa: S101 - the stories' tasks have a dated deadline
        staff = self._staff_of(unit)
        work_id = self.sim.extensions.open(staff, self.task_ids[code])
        new = max(deadline, local_today(self.sim.clock)) + timedelta(days=92)
        self.sim.work.complete(staff, work_id, {
            "decision": "submit", "new_deadline": new.isoformat(),
            "reasons": "受汛期和项目审批影响，主体工程无法按期完工，已完成前期工作，申请顺延三个月。"},
            (Upload("施工进度说明.png", png()),))

    def _decide(self, code: str, decision: dict[str, Any]) -> None:
        task = next(t for t in self.content["tasks"] if t["code"] == code)
        self._do_leader(code, task, "extension_decide", **decision)
