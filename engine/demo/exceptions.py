"""The demo city's 领导批示, 催办 and 会办: an example of each at different stages (mixed into DemoBuilder)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.app import Duban
from engine.core.actor import Actor
from engine.core.clock import FakeClock
from engine.store.models import HumanTask, HumanTaskStatus, Unit

DEMO_UNIT = "jiangyang"  # its people are the demo's own logins (engine/demo/city.py)
#: cooperating units that let their monthly contribution slip (the others give theirs the next day)
SLIPPING_UNITS = frozenset({"transport", "hejiang"})
INSTRUCTIONS = ("请倒排工期、挂图作战，确保按期完成整改，每月报告进展。",
                "群众反映强烈，请立即组织现场核查，一周内报告处理情况。",
                "请举一反三，对全市同类问题开展排查。")


class ExceptionStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    clock: FakeClock
    actors: dict[str, Actor]
    task_ids: dict[str, int]
    content: dict[str, Any]

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...
        def _person_of(self, task: dict[str, Any], who: str) -> Actor: ...
        def _task(self, code: str) -> dict[str, Any]: ...
        def _story_work_id(self, code: str | None, form: str) -> int: ...
        def _stages(self) -> dict[str, str]: ...
        def _today(self) -> date: ...

    def _exception_history(self, start: datetime, recent: datetime) -> None:
        stages = self._stages()
        reporting = [code for code, stage in stages.items() if stage == "in_progress"]
        planning = [code for code, stage in stages.items() if stage in ("assigned", "plan_drafted")]
        self._instructions(reporting[:4], recent)
        self._chases(planning[:3] or reporting[:3], recent)
        day = start
        while day < recent:
            self.at(day.replace(hour=15), self._give_contributions)
            day += timedelta(days=1)

    # --- 领导批示 --------------------------------------------------------------------------

    def _instructions(self, codes: list[str], recent: datetime) -> None:
        if len(codes) < 4:
            return
        closed, again, unanswered, fresh = codes
        steps: list[tuple[int, Callable[[], None]]] = [
            (-30, lambda: self._instruct([closed], INSTRUCTIONS[0], 10)),
            (-25, lambda: self._answer(closed, "已制定倒排工期计划，明确 12 个节点，按月报告。")),
            (-24, lambda: self._read(closed, decision="close", comment="同意，请抓好落实。")),
            (-20, lambda: self._instruct([again, unanswered], INSTRUCTIONS[1], 7)),
            (-15, lambda: self._answer(again, "已组织现场核查，发现问题 3 处，正在整改。")),
            (-14, lambda: self._read(again, decision="again", comment="请于下周报告 3 处问题整改完成情况。",
                                     answer_due=(self._today() + timedelta(days=20)).isoformat())),
            (-2, lambda: self._instruct([fresh], INSTRUCTIONS[2], 10)),
        ]
        for order, (days, action) in enumerate(steps):
            self.at(recent + timedelta(days=days, minutes=order), action)

    def _instruct(self, codes: list[str], text: str, days: int) -> None:
        self.sim.instructions.write(self.actors["leader"], {
            "task_ids": [self.task_ids[code] for code in codes], "text": text,
            "answer_due": (self._today() + timedelta(days=days)).isoformat()})

    def _answer(self, code: str, answer: str) -> None:
        actor = self._person_of(self._task(code), "head")
        self.sim.work.complete(actor, self._story_work_id(code, "instruction_answer"), {"answer": answer})

    def _read(self, code: str, **data: Any) -> None:
        self.sim.work.complete(self.actors["leader"], self._story_work_id(code, "instruction_review"), data)

    # --- 催办 --------------------------------------------------------------------------------

    def _chases(self, codes: list[str], recent: datetime) -> None:
        if not codes:
            return
        answered, unanswered, waiting = (codes * 3)[:3]
        steps: list[tuple[int, Callable[[], None]]] = [
            (-8, lambda: self._chase("supervisor", answered, "请加快实施方案编制，按期报送。", 2)),
            (-7, lambda: self._reply(answered, "方案已完成初稿，正在征求相关部门意见，3 日内报送。")),
            (-6, lambda: self._chase("coordinator", unanswered, "实施方案报送期限临近，请抓紧。", 2)),
            (-1, lambda: self._chase("supervisor", waiting, "请说明方案编制进度和存在的困难。", 3)),
        ]
        for order, (days, action) in enumerate(steps):
            self.at(recent + timedelta(days=days, hours=1, minutes=order), action)

    def _chase(self, username: str, code: str, message: str, days: int) -> None:
        with self.sim.db.transaction(write=False) as session:
            work_id = session.scalar(select(HumanTask.id).where(
                HumanTask.task_id == self.task_ids[code], HumanTask.status == HumanTaskStatus.OPEN,
                HumanTask.unit_id.is_not(None), HumanTask.form != "chase_answer").order_by(HumanTask.id).limit(1))
        if work_id is not None:
            self.sim.chases.chase(self.actors[username], work_id, {
                "message": message, "reply_due": (self._today() + timedelta(days=days)).isoformat()})

    def _reply(self, code: str, answer: str) -> None:
        actor = self._person_of(self._task(code), "staff")
        self.sim.work.complete(actor, self._story_work_id(code, "chase_answer"), {"answer": answer})

    # --- 会办 --------------------------------------------------------------------------------

    def _give_contributions(self) -> None:
        """Cooperating units give their contribution the day after it is asked, except those that let it slip."""
        cutoff = self.clock.now() - timedelta(hours=20)
        with self.sim.db.transaction(write=False) as session:
            waiting = session.execute(select(HumanTask.id, Unit.code).join(Unit, Unit.id == HumanTask.unit_id).where(
                HumanTask.form == "cooperation_contribute", HumanTask.status == HumanTaskStatus.OPEN,
                HumanTask.created_at < cutoff)).all()
        for work_id, unit in waiting:
            if unit not in SLIPPING_UNITS:
                staff = "unit_staff" if unit == DEMO_UNIT else f"staff_{unit}"
                self.sim.work.complete(self.actors[staff], work_id, {
                    "content": "按牵头单位要求完成本月配合工作：开展联合检查，提供相关数据和材料。"})
