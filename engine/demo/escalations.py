"""督办问责 and 问题线索 in the demo's history, through the same use cases a person would use.

Overdue reports, lagging reports and passed deadlines open escalation proposals by themselves
as the simulated months pass. The supervision group of the demo city answers them as an office
would: a proposal still waiting after a week is settled with a phone call (dropped, with the
reason); a few tasks have a story that shows each level of the ladder and leaves work waiting for each role today:

- 3-3 (red, the demo leader's): notified (通报); the commitment was not kept, so escalated
  again: an interview (约谈) now waits for the demo leader's approval;
- 3-4 (江阳区, the demo unit): interviewed; the unit head owes the commitment;
- 3-10: proposed as a notice, the leader raised it to public exposure (曝光): published;
- 4-3: accountability (追责) referred to the discipline commission, under investigation;
- 2-8: a fresh proposal by hand in the supervision group's inbox;
- two problem clues: one closed with its decision, one waiting for responsibility to be determined.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.core.actor import Actor
from engine.core.clock import LOCAL_TZ, FakeClock
from engine.core.statuses import EscalationStatus
from engine.store.models import Escalation, HumanTask, HumanTaskStatus, RectificationTask, Unit

if TYPE_CHECKING:
    from engine.app import Duban

#: the supervision group settles other proposals this many days after they arrive
SETTLE_AFTER_DAYS = 7
SETTLED_BECAUSE = {
    "report_overdue": "已电话催报，单位说明了原因并已补报，暂不问责。",
    "lagging": "已当面提醒单位加快进度，下月跟踪，暂不问责。",
    "deadline_passed": "已下达超期督办意见，暂不问责，继续跟踪。",
}


CLOSED_CLUE: dict[str, Any] = {
    "source": "中央第五生态环境保护督察组", "reference": "督察转办〔{year}〕3号", "code": "4-1", "units": ["xuyong"],
    "title": "自然保护区内违规采石场长期未关停",
    "content": "群众举报：叙永县自然保护区实验区内一采石场长期违规开采，有关部门监管不力。"}
CLOSED_CLUE_STEPS: list[tuple[int, str, str, dict[str, Any]]] = [
    (15, "discipline", "clue_investigate", {
        "findings": "经查，采石场确在保护区实验区内违规开采，县自然资源局未依法查处。", "verdict": "founded"}),
    (25, "discipline", "clue_responsibility", {
        "responsibility": "叙永县自然资源局负有监管责任；县政府分管负责人负有领导责任。"}),
    (35, "discipline", "clue_decision", {
        "decision": "对相关责任人分别给予党纪处分、政务处分和诫勉。", "decided_on": 0,
        "document_number": "叙纪发〔{year}〕11号", "persons": [
            {"name": "李建国", "post": "叙永县自然资源局局长", "measure": "party_discipline", "detail": "党内严重警告"},
            {"name": "周平", "post": "叙永县自然资源局执法大队大队长", "measure": "administrative", "detail": "记过"},
            {"name": "陈立", "post": "叙永县人民政府副县长", "measure": "admonition", "detail": ""}]}),
    (38, "coordinator", "clue_close", {"feedback": "已将调查处理情况书面反馈中央第五生态环境保护督察组。"}),
]
PENDING_CLUE: dict[str, Any] = {
    "source": "省委生态环境保护督察办公室", "reference": "川督办〔{year}〕45号", "code": "3-3", "units": ["ecology"],
    "title": "县级饮用水水源保护区整改弄虚作假",
    "content": "反映：某县级饮用水水源保护区内违规设施仅作遮挡处理，未实际拆除。"}


class EscalationStories:
    """Mixed into engine.demo.DemoBuilder, which provides these."""

    sim: Duban
    clock: FakeClock
    actors: dict[str, Actor]
    task_ids: dict[str, int]
    content: dict[str, Any]

    if TYPE_CHECKING:
        def at(self, when: datetime, action: Callable[[], None]) -> None: ...
        def _person_of(self, task: dict[str, Any], who: str) -> Actor: ...

    def _escalation_history(self, start: datetime, recent: datetime) -> None:
        self._notice_then_again("3-3", recent)
        self._interview_awaiting_commitment("3-4", recent)
        self._exposure_raised_by_the_leader("3-10", recent)
        self._accountability_under_investigation("4-3", recent)
        self.at(recent - timedelta(days=1), lambda: self._by_hand("2-8", "群众来信反映园区企业夜间偷排废气。"))
        self._clues(start, recent)
        day = start
        while day < recent:
            self.at(day.replace(hour=11), self._settle_proposals)
            day += timedelta(days=1)

    # --- the stories ------------------------------------------------------------------------

    def _notice_then_again(self, code: str, recent: datetime) -> None:
        steps: list[tuple[int, Callable[[], None]]] = [
            (-50, lambda: self._by_hand(code, "超过整改时限仍未完成，现场检查发现水源保护区内违规设施尚未拆除。")),
            (-50, lambda: self._propose(code, 1, "超过整改时限近 20 天，整改明显滞后。")),
            (-49, lambda: self._as_leader(code, "escalation_approve", decision="approve", comment="同意通报。")),
            (-47, lambda: self._drafted(self.actors["coordinator"], code, "escalation_notice",
                                        number="泸整改办〔{year}〕17号")),
            (-44, lambda: self._as_unit(code, "head", "escalation_commitment", complete_by=38,
                                        commitment="制定拆除方案，一个月内完成保护区内违规设施拆除并复绿。")),
            (-2, lambda: self._as("supervisor", code, "escalation_close", decision="escalate",
                                  comment="承诺期限已过，现场核查违规设施仍未拆除，承诺未兑现。")),
            (-1, lambda: self._propose(code, 2, "通报后仍未按承诺完成整改。")),
        ]
        self._schedule(recent, steps)

    def _interview_awaiting_commitment(self, code: str, recent: datetime) -> None:
        steps: list[tuple[int, Callable[[], None]]] = [
            (-8, lambda: self._by_hand(code, "现场检查发现保护区内违规设施拆除进度明显滞后于实施方案。")),
            (-8, lambda: self._propose(code, 2, "拆除进度明显滞后，需约谈单位主要负责人。")),
            (-7, lambda: self._as_leader(code, "escalation_approve", decision="approve", comment="同意约谈。")),
            (-3, lambda: self._drafted(self.actors["supervisor"], code, "escalation_interview", held_on=0,
                                       place="市政府第三会议室",
                                       commitments="区政府表示两个月内完成全部违规设施拆除，每周报告进展。")),
        ]
        self._schedule(recent, steps)

    def _exposure_raised_by_the_leader(self, code: str, recent: datetime) -> None:
        steps: list[tuple[int, Callable[[], None]]] = [
            (-40, lambda: self._by_hand(code, "多个规模养殖场粪污直排，群众反映强烈。")),
            (-40, lambda: self._propose(code, 1, "养殖污染治理滞后，群众反映强烈。")),
            (-39, lambda: self._as_leader(code, "escalation_approve", decision="change", level=3,
                                          comment="群众反映强烈，问题典型，予以公开曝光。")),
            (-37, lambda: self._drafted(self.actors["publicity"], code, "escalation_exposure",
                                        channel="泸州日报、泸州市人民政府网站")),
            (-35, lambda: self._as_unit(code, "head", "escalation_commitment", complete_by=55,
                                        commitment="关停直排养殖场 3 家，其余养殖场年底前全部配套粪污处理设施。")),
        ]
        self._schedule(recent, steps)

    def _accountability_under_investigation(self, code: str, recent: datetime) -> None:
        steps: list[tuple[int, Callable[[], None]]] = [
            (-15, lambda: self._by_hand(code, "核查发现生态流量在线监测数据与月度进展不符，存在虚报整改进度问题。")),
            (-15, lambda: self._propose(code, 4, "虚报整改进度，性质恶劣。")),
            (-14, lambda: self._as_leader(code, "escalation_approve", decision="approve",
                                          comment="同意移送纪委监委追责。")),
        ]
        self._schedule(recent, steps)

    def _schedule(self, recent: datetime, steps: list[tuple[int, Callable[[], None]]]) -> None:
        for order, (days, action) in enumerate(steps):
            self.at(recent + timedelta(days=days, minutes=order), action)

    # --- problem clues ----------------------------------------------------------------------

    def _clues(self, start: datetime, recent: datetime) -> None:
        closed = start + timedelta(days=20)
        self.at(closed, lambda: self._register_clue(**CLOSED_CLUE))
        for days, who, form, data in CLOSED_CLUE_STEPS:
            self.at(closed + timedelta(days=days),
                    lambda who=who, form=form, data=data: self._clue_step(who, form, data))
        pending = recent - timedelta(days=20)
        self.at(pending, lambda: self._register_clue(**PENDING_CLUE))
        self.at(pending + timedelta(days=10), lambda: self._clue_step("discipline", "clue_investigate", {
            "findings": "经现场核查，部分违规设施确未拆除，仅作遮挡。", "verdict": "partly"}))

    def _register_clue(self, source: str, reference: str, code: str, units: list[str], title: str,
                       content: str) -> None:
        today = self._today()
        unit_ids = self._unit_ids_of(units)
        self.sim.clues.register(self.actors["coordinator"], {
            "source": source, "source_reference": reference.format(year=today.year),
            "received_on": (today - timedelta(days=1)).isoformat(),
            "reply_due": (today + timedelta(days=60)).isoformat(), "title": title, "content": content,
            "task_ids": [self.task_ids[code]], "unit_ids": unit_ids})

    def _clue_step(self, who: str, form: str, data: dict[str, Any]) -> None:
        work_id = self._story_work_id(None, form)
        values = {key: (self._today() + timedelta(days=value)).isoformat() if key == "decided_on" else value
                  for key, value in data.items()}
        if "document_number" in values:
            values["document_number"] = values["document_number"].format(year=self._today().year)
        self.sim.work.complete(self.actors[who], work_id, values)

    # --- doing things -----------------------------------------------------------------------

    def _by_hand(self, code: str, reason: str) -> None:
        self.sim.escalation.propose(self.actors["supervisor"], self.task_ids[code], reason)

    def _propose(self, code: str, level: int, reasons: str) -> None:
        evidence = "月度进展报告、现场检查记录及照片。"
        self._as("supervisor", code, "escalation_propose", decision="propose", level=level, reasons=reasons,
                 evidence=evidence)

    def _as(self, username: str, code: str, form: str, **data: Any) -> None:
        self.sim.work.complete(self.actors[username], self._story_work_id(code, form), self._dated(data))

    def _as_leader(self, code: str, form: str, **data: Any) -> None:
        """As the task's lead leader (only they may approve its escalations)."""
        with self.sim.db.transaction(write=False) as session:
            leader_id = session.get_one(RectificationTask, self.task_ids[code]).lead_leader_id
        actor = next(actor for actor in self.actors.values() if actor.user_id == leader_id)
        self.sim.work.complete(actor, self._story_work_id(code, form), self._dated(data))

    def _as_unit(self, code: str, who: str, form: str, **data: Any) -> None:
        actor = self._person_of(self._task(code), who)
        self.sim.work.complete(actor, self._story_work_id(code, form), self._dated(data))

    def _drafted(self, actor: Actor, code: str, form: str, **data: Any) -> None:
        """Take duban's draft of the text (as the person sees it on the form) and complete the step with it."""
        work_id = self._story_work_id(code, form)
        draft = self.sim.work.item(actor, work_id).initial or {}
        values = {**{k: v.isoformat() if isinstance(v, date) else v for k, v in draft.items()}, **self._dated(data)}
        if "number" in values:
            values["number"] = values["number"].format(year=self._today().year)
        self.sim.work.complete(actor, work_id, values)

    def _dated(self, data: dict[str, Any]) -> dict[str, Any]:
        """Day offsets (ints) for date fields become dates counted from the day the step is done."""
        dates = ("complete_by", "held_on", "decided_on")
        return {key: (self._today() + timedelta(days=value)).isoformat() if key in dates else value
                for key, value in data.items()}

    def _settle_proposals(self) -> None:
        """The office's usual answer to an automatic proposal: a phone call, recorded, a week later."""
        cutoff = self.clock.now() - timedelta(days=SETTLE_AFTER_DAYS)
        with self.sim.db.transaction(write=False) as session:
            waiting = session.execute(select(HumanTask.id, Escalation.trigger).join(
                Escalation, Escalation.instance_id == HumanTask.instance_id).where(
                HumanTask.form == "escalation_propose", HumanTask.status == HumanTaskStatus.OPEN,
                HumanTask.created_at < cutoff, Escalation.status == EscalationStatus.PROPOSING,
                Escalation.task_id.is_not(None))).all()  # the complaint cases' proposals wait for the supervisor
        for work_id, trigger in waiting:
            self.sim.work.complete(self.actors["supervisor"], work_id, {
                "decision": "drop", "reasons": SETTLED_BECAUSE.get(trigger, "已督促整改，暂不问责。")})

    # --- lookups ----------------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock.now().astimezone(LOCAL_TZ).date()

    def _task(self, code: str) -> dict[str, Any]:
        return next(task for task in self.content["tasks"] if task["code"] == code)

    def _story_work_id(self, code: str | None, form: str) -> int:
        with self.sim.db.transaction(write=False) as session:
            task_id = self.task_ids[code] if code else None
            query = select(HumanTask.id).where(HumanTask.form == form, HumanTask.status == HumanTaskStatus.OPEN,
                                               HumanTask.task_id.is_(None) if task_id is None
                                               else HumanTask.task_id == task_id)
            work_id = session.scalar(query.order_by(HumanTask.id).limit(1))
        if work_id is None:
            raise RuntimeError(f"demo: no open {form} for {code or 'a clue'}")
        return work_id

    def _unit_ids_of(self, codes: list[str]) -> list[int]:
        with self.sim.db.transaction(write=False) as session:
            return list(session.scalars(select(Unit.id).where(Unit.code.in_(codes))))
