"""强化措施 in the demo's history: the seed's measures (measures.yaml) registered when the history begins, each
period's report filed and accepted through the same use cases a person would use, and the yearly review. Stories:

- 5.4 (江阳区, the demo unit): its latest report was returned with reasons a couple of days ago; it waits, filled in
  as sent, in the demo unit's inbox;
- 4.4 (市综合行政执法局): its latest report was never filed: red;
- 3.3 and 7.3: their latest reports wait for the supervision group's review;
- 6.2: the yearly review found it lagging (推进滞后): red; 2.4, 4.5 and 7.6 still wait for theirs.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.core.statuses import MeasurePeriodKind
from engine.features.measures.periods import next_period, next_period_start, period_of
from engine.features.measures.records import key_prefix
from engine.store.models import HumanTask, HumanTaskStatus, ProcessInstance, Unit

if TYPE_CHECKING:
    from engine.app import Duban

MEASURES_FILE = Path(__file__).with_name("measures.yaml")
DEMO_UNIT = "jiangyang"
RETURNED, UNREPORTED, LAGGING = (5, 4), (4, 4), (6, 2)
AWAITING_REVIEW = frozenset({(3, 3), (7, 3)})
UNREVIEWED = frozenset({(2, 4), (4, 5), (7, 6)})
RETURN_REASON = "“两江四岸”造林面积与台账不一致，请核实后补充佐证材料重新报送。"
Key = tuple[int, int]


class MeasureStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    actors: dict[str, Actor]
    today: date
    content: dict[str, Any]
    round_ids: dict[str, int]

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...
        def progress(self, text: str) -> None: ...

    def _measure_history(self, start: datetime, recent: datetime) -> None:
        content = yaml.safe_load(MEASURES_FILE.read_text(encoding="utf-8"))
        self.measures = {(c["number"], n): (c, m) for c in content["categories"]
                         for n, m in enumerate(c["measures"], 1)}
        self.measure_ids: dict[Key, int] = {}
        self.at(start + timedelta(hours=2), self._register_measures)
        kind = MeasurePeriodKind(self.sim.settings.measure_period)
        period, opened = period_of(start.date(), kind), []
        while next_period_start(period) <= self.today:
            opened.append(period)
            period = next_period(period)
        for index, period in enumerate(opened):
            base = datetime.combine(next_period_start(period), time(10), LOCAL_TZ)
            for offset, key in enumerate(self.measures):
                self._report_story(key, base + timedelta(minutes=offset), index == len(opened) - 1, recent)
        for year in range(start.year, self.today.year + 1):
            opens = date(year, self.sim.settings.measure_review_month, 1)
            if start.date() < opens <= self.today:
                self._review_story(datetime.combine(opens + timedelta(days=2), time(15), LOCAL_TZ),
                                   year == self.today.year)

    def _register_measures(self) -> None:
        round_id = self.round_ids[self.content["rounds"][0]["key"]]  # the seed's measures answer the central round
        units = self._measure_units()
        for key, (category, measure) in self.measures.items():
            self.measure_ids[key] = self.sim.measures.register(self.actors["coordinator"], {
                "round_id": round_id, "category_number": category["number"], "category_name": category["name"],
                "title": measure["title"], "content": measure["content"], "lead_unit_id": units[measure["lead_unit"]],
                "cooperating_unit_ids": [units[u] for u in measure["cooperating_units"]],
                "period_kind": self.sim.settings.measure_period})
        self.progress(f"{len(self.measure_ids)} strengthening measures in {len({k[0] for k in self.measures})} "
                      "categories registered")

    def _report_story(self, key: Key, base: datetime, latest: bool, recent: datetime) -> None:
        if latest and key == UNREPORTED:
            return
        submitted = base + timedelta(days=4)
        self.at(submitted, lambda: self._measure_step(key, "measure_report_submit", self._report_text(key)))
        if latest and key == RETURNED:
            self.at(max(recent - timedelta(days=2), submitted + timedelta(hours=2)), lambda: self._measure_step(
                key, "measure_report_review", {"decision": "return", "comment": RETURN_REASON}))
        elif not (latest and key in AWAITING_REVIEW):
            self.at(base + timedelta(days=7), lambda: self._measure_step(
                key, "measure_report_review", {"decision": "accept", "comment": ""}))

    def _review_story(self, when: datetime, this_year: bool) -> None:
        for offset, key in enumerate(self.measures):
            if this_year and key in UNREVIEWED:
                continue
            rating = "lagging" if key == LAGGING else ("effective" if offset % 3 == 0 else "on_track")
            opinion = {"lagging": "危险废物处置设施建设滞后于规划进度，年度目标未完成，须倒排工期加快推进。",
                       "effective": "全年工作措施有力，制度建设和工程推进成效明显。",
                       "on_track": "各项工作按计划有序推进，个别事项需加快进度。"}[rating]
            self.at(when + timedelta(minutes=offset), lambda key=key, rating=rating, opinion=opinion:
                    self._measure_step(key, "measure_review", {"rating": rating, "opinion": opinion}))

    def _report_text(self, key: Key) -> dict[str, Any]:
        _category, measure = self.measures[key]
        return {"work_done": f"围绕“{measure['title']}”，制定本期工作要点，召开专题调度会，分解任务到科室和区县。",
                "progress": "本期各项工作按计划推进，阶段目标已完成。", "problems": "部分配合单位工作进度不一。",
                "next_steps": "加强调度，按季度通报进展。", "evidence": "工作要点、调度会议纪要"}

    def _measure_step(self, key: Key, form: str, data: dict[str, Any]) -> None:
        _category, measure = self.measures[key]
        actor = self.actors["supervisor"] if form != "measure_report_submit" else self._measure_staff(
            measure["lead_unit"])
        with self.sim.db.transaction(write=False) as session:
            work_id = session.scalar(select(HumanTask.id).join(
                ProcessInstance, ProcessInstance.id == HumanTask.instance_id).where(
                ProcessInstance.business_key.startswith(key_prefix(self.measure_ids[key])),
                HumanTask.form == form, HumanTask.status == HumanTaskStatus.OPEN).order_by(HumanTask.id).limit(1))
        if work_id is None:
            raise RuntimeError(f"demo: no open {form} for measure {key}")
        self.sim.work.complete(actor, work_id, data)

    def _measure_staff(self, unit: str) -> Actor:
        return self.actors["unit_staff" if unit == DEMO_UNIT else f"staff_{unit}"]

    def _measure_units(self) -> dict[str, int]:
        with self.sim.db.transaction(write=False) as session:
            return {code: unit_id for code, unit_id in session.execute(select(Unit.code, Unit.id))}
