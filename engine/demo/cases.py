"""信访件 in the demo's history: two batches handed down by the inspection group, through the same use cases a
person would use, so that every state can be seen today:

- 第1批 (20 cases, 24 days ago): most signed, reported and accepted, then published 12 days ago; a sample called
  back, one complainant satisfied and one not (that case is back with its unit); one case went on as task 1-4
  (长期整改); one was accepted after the publication and waits for the next; two are red (reports overdue), one
  was returned by the supervision group, one was returned by its unit and reassigned.
- 第2批 (20 cases, 4 days ago, confirmed on the import page and registered by the background sweep, so the page
  lists its job): some waiting for 签收, some being investigated, some reported and under review, one
  returned by its unit waiting for the coordination group.
- On the escalation ladder: the overdue cases of 第1批 were proposed for 督办问责 by themselves, three working days
  after their report dates; X2026A017 was notified (通报) and its unit owes a commitment, the others' proposals wait
  for the supervision group.

The same polluter and the same place come back in several complaints, as they do (重复投诉).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ
from engine.store.models import ComplaintCase, Escalation, HumanTask, HumanTaskStatus, Unit

if TYPE_CHECKING:
    from engine.app import Duban

HEADER = "案件编号,受理日期,信访内容,地点,被投诉对象,污染类型,责任单位,办结时限"
#: (what is complained of, category, place, polluter, unit code)
COMPLAINTS = (
    ("夜间施工噪声扰民，凌晨两点仍在打桩", "噪声", "江阳区大山坪街道", "某商住项目工地", "jiangyang"),
    ("化工厂排放刺鼻气味，附近居民头晕", "大气", "纳溪区安富街道", "泸州某化工有限公司", "naxi"),
    ("河道有黑色污水排入长江", "水", "江阳区黄舣镇", "某砂石加工场", "jiangyang"),
    ("餐馆油烟直排，没有安装净化器", "大气", "龙马潭区小市街道", "某火锅店", "longmatan"),
    ("山上有人非法开采砂石，毁坏林地", "生态", "合江县九支镇", "某采石场", "hejiang"),
    ("垃圾堆放在河边，长期无人清运", "固废", "泸县福集镇", "福集镇垃圾中转点", "luxian"),
    ("养猪场粪污直排农田和沟渠", "水", "泸县玉蟾街道", "某生猪养殖场", "agriculture"),
    ("搅拌站扬尘大，道路上全是泥浆", "大气", "龙马潭区红星街道", "某商砼搅拌站", "housing"),
    ("酒厂酒糟随意堆放，气味难闻", "固废", "泸州白酒产业园区", "某酒业有限公司", "liquor_park"),
    ("砂石场夜间作业，运输车辆噪声大", "噪声", "江阳区黄舣镇", "某砂石加工场", "jiangyang"),
)
FINDINGS = ("confirmed", "partly", "confirmed", "unfounded")
REPORT = {"found": "经现场核查，{what}情况基本属实。", "measures": "已责令立即整改，立案查处，整改完成后组织复查。",
          "unfounded_found": "经现场核查和走访，未发现反映的问题，企业近期已停产检修。"}


class CaseStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    actors: dict[str, Actor]
    task_ids: dict[str, int]

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...

    def _case_history(self, recent: datetime) -> None:
        first, second = recent - timedelta(days=24), recent - timedelta(days=4)
        self.at(first, lambda: self._hand_down("第1批.csv", "X2026A", first, 20))
        self.at(first + timedelta(days=1), lambda: self._work_first_batch())
        self.at(first + timedelta(days=5), lambda: self._review_first_batch())
        self.at(recent - timedelta(days=12), lambda: self._publish("X2026A"))
        self.at(recent - timedelta(days=11), lambda: self._after_publication())
        self.at(recent - timedelta(days=8), lambda: self._call_back())
        self.at(second, lambda: self._hand_down("第2批.csv", "X2026B", second, 20, background=True))
        self.at(second + timedelta(days=1), lambda: self._work_second_batch())
        self.at(recent - timedelta(days=6), lambda: self._notify_overdue_case("X2026A017"))

    # --- the stories --------------------------------------------------------------------------

    def _hand_down(self, name: str, prefix: str, when: datetime, count: int, background: bool = False) -> None:
        received = when.astimezone(LOCAL_TZ).date() - timedelta(days=1)
        rows = [HEADER]
        for n, (what, category, place, polluter, unit) in zip(range(1, count + 1), itertools.cycle(COMPLAINTS),
                                                              strict=False):
            rows.append(f"{prefix}{n:03d},{received},{what},{place},{polluter},{category},{self._unit_name(unit)},"
                        f"{received + timedelta(days=20)}")
        content = "\n".join(rows).encode()
        if background:  # as the page does it: queued, then registered by the sweep
            self.sim.case_import.queue(self.actors["coordinator"], content, name)
            self.sim.case_jobs.run_queued()
        else:
            self.sim.case_import.import_batch(self.actors["coordinator"], content, name)

    def _work_first_batch(self) -> None:
        for n in range(1, 21):
            if n == 20:
                self._step(f"X2026A{n:03d}", "case_sign", decision="return", reason="不属本单位职责，应由属地区县办理")
                self._step(f"X2026A{n:03d}", "case_return_decide", decision="reassign", reason="属地管理",
                           unit_id=str(self._unit_id("naxi")))
            self._step(f"X2026A{n:03d}", "case_sign", decision="receive", reason="")
            if n not in (17, 18):  # these two are overdue (red)
                self._report(f"X2026A{n:03d}", n)

    def _review_first_batch(self) -> None:
        for n in range(1, 20):
            if n in (16, 17, 18):
                continue  # 16 is accepted after the publication; 17 and 18 are still being investigated
            decision = "return" if n == 19 else "accept"
            self._step(f"X2026A{n:03d}", "case_review", decision=decision,
                       comment="请补充处罚决定书和整改前后照片" if decision == "return" else "")

    def _publish(self, prefix: str) -> None:
        batch_id = self._case(f"{prefix}001").batch_id
        self.sim.cases.to_task(self.actors["coordinator"], self._case(f"{prefix}002").id,
                               {"task_code": "1-4", "reason": "企业搬迁入园需半年以上，纳入整改任务长期推进"})
        self.sim.cases.publish_batch(self.actors["publicity"], batch_id)

    def _after_publication(self) -> None:
        self._step("X2026A016", "case_review", decision="accept", comment="")

    def _call_back(self) -> None:
        pending = [case for case in self._cases("X2026A") if case.callback is not None]
        for case, result in zip(pending, ("satisfied", "unsatisfied", "satisfied"), strict=False):
            note = "电话回访，举报人对处理结果满意" if result == "satisfied" else "电话回访，举报人反映问题仍然存在"
            self.sim.cases.record_callback(self.actors["coordinator"], case.id, {"result": result, "note": note})

    def _work_second_batch(self) -> None:
        for n in range(1, 21):
            number = f"X2026B{n:03d}"
            if n <= 5:
                continue  # waiting for 签收
            if n == 6:
                self._step(number, "case_sign", decision="return", reason="该企业在相邻区县，请改交属地办理")
                continue
            self._step(number, "case_sign", decision="receive", reason="")
            if n >= 14:
                self._report(number, n)

    def _notify_overdue_case(self, number: str) -> None:
        """The proposal the ladder opened for the overdue case: 通报, approved, issued with duban's draft."""
        case = self._case(number)
        self._escalation_step(case, "escalation_propose", decision="propose", level="1",
                              reasons="逾期多日未报告办理结果，经电话督促仍未报告。",
                              evidence="信访件办理记录、督办记录。")
        self._escalation_step(case, "escalation_approve", decision="approve", comment="同意通报。")
        work_id = self._escalation_work(case, "escalation_notice")
        draft = self.sim.work.escalation_item(self.actors["coordinator"], work_id).initial or {}
        self.sim.work.complete(self.actors["coordinator"], work_id, {**draft, "number": ""})

    # --- helpers ----------------------------------------------------------------------------------

    def _escalation_work(self, case: ComplaintCase, form: str) -> int:
        with self.sim.db.transaction(write=False) as session:
            return session.scalars(select(HumanTask.id).join(
                Escalation, Escalation.instance_id == HumanTask.instance_id).where(
                Escalation.case_id == case.id, HumanTask.form == form, HumanTask.status == HumanTaskStatus.OPEN)).one()

    def _escalation_step(self, case: ComplaintCase, form: str, **data: Any) -> None:
        who = {"escalation_propose": "supervisor", "escalation_approve": "leader"}[form]
        self.sim.work.complete(self.actors[who], self._escalation_work(case, form), data)

    def _report(self, number: str, n: int) -> None:
        finding = FINDINGS[n % len(FINDINGS)]
        what = COMPLAINTS[(n - 1) % len(COMPLAINTS)][0]
        data: dict[str, Any] = {"finding": finding, "found": REPORT["found"].format(what=what)}
        if finding == "unfounded":
            data["found"] = REPORT["unfounded_found"]
        else:
            data.update(measures=REPORT["measures"], orders="1", fines_yuan=str(10000 * (n % 4 + 1)),
                        accountability="对属地街道分管负责人诫勉谈话" if n % 5 == 0 else "",
                        persons_held="1" if n % 5 == 0 else "")
        self._step(number, "case_report", **data)

    def _step(self, number: str, form: str, **data: Any) -> None:
        case = self._case(number)
        with self.sim.db.transaction(write=False) as session:
            work = session.scalars(select(HumanTask).where(
                HumanTask.instance_id == case.instance_id, HumanTask.status == HumanTaskStatus.OPEN,
                HumanTask.form == form)).one()
        self.sim.work.complete(self._actor_for(work), work.id, data)

    def _actor_for(self, work: HumanTask) -> Actor:
        if work.unit_id is None:
            return self.actors[work.role]
        code = next(code for code, unit_id in self._units().items() if unit_id == work.unit_id)
        return self.actors["unit_staff" if code == "jiangyang" else f"staff_{code}"]

    def _case(self, number: str) -> ComplaintCase:
        with self.sim.db.transaction(write=False) as session:
            return session.scalars(select(ComplaintCase).where(ComplaintCase.number == number)).one()

    def _cases(self, prefix: str) -> list[ComplaintCase]:
        with self.sim.db.transaction(write=False) as session:
            return list(session.scalars(select(ComplaintCase).where(ComplaintCase.number.startswith(prefix))
                                        .order_by(ComplaintCase.number)))

    def _units(self) -> dict[str, int]:
        with self.sim.db.transaction(write=False) as session:
            return dict(session.execute(select(Unit.code, Unit.id)).all())  # type: ignore[arg-type]

    def _unit_id(self, code: str) -> int:
        return self._units()[code]

    def _unit_name(self, code: str) -> str:
        with self.sim.db.transaction(write=False) as session:
            return session.scalars(select(Unit.name).where(Unit.code == code)).one()
