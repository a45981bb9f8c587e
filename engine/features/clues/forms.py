"""Registration of a clue and the user-task forms of workflows/clue.bpmn."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean, labels_of
from engine.core.statuses import ClueStatus, ClueVerdict
from engine.core.text import N_
from engine.features.escalation.accountability import PERSONS, clean_persons, describe_persons, record_persons
from engine.store.models import Clue, RectificationTask, Unit
from engine.workflow.forms import FormHandler
from engine.workflow.step import Step

CLUE_PROCESS = "clue"
REGISTRATION_FIELDS = (
    Field("source", "line", label=N_("线索来源"), help=N_("如：中央生态环境保护督察组转办、省委督察办交办")),
    Field("source_reference", "line", required=False, label=N_("来文号")),
    Field("received_on", "date", label=N_("收到日期")),
    Field("reply_due", "date", label=N_("办结反馈时限")),
    Field("title", "line", label=N_("线索摘要")),
    Field("content", label=N_("线索内容")),
    Field("task_ids", "ids", required=False, label=N_("相关整改任务"), source="tasks"),
    Field("unit_ids", "ids", required=False, label=N_("涉及单位"), source="units"),
)


def clean_registration(step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = clean(REGISTRATION_FIELDS, data)
    errors: dict[str, list[str]] = {}
    if cleaned["received_on"] > step.today.isoformat():
        errors["received_on"] = [N_("收到日期不能晚于今天")]
    if cleaned["reply_due"] < cleaned["received_on"]:
        errors["reply_due"] = [N_("办结时限不能早于收到日期")]
    if len(_existing(step, RectificationTask, cleaned["task_ids"])) != len(cleaned["task_ids"]):
        errors["task_ids"] = [N_("没有这个整改任务")]
    if len(_existing(step, Unit, cleaned["unit_ids"])) != len(cleaned["unit_ids"]):
        errors["unit_ids"] = [N_("没有这个单位")]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned


def _existing(step: Step, model: type[RectificationTask] | type[Unit], ids: list[int]) -> list[Any]:
    return list(step.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []


def create_clue(step: Step, data: dict[str, Any]) -> Clue:
    received = date.fromisoformat(data["received_on"])
    clue = Clue(number=_next_number(step, received.year), source=data["source"],
                source_reference=data["source_reference"] or "", received_on=received,
                reply_due=date.fromisoformat(data["reply_due"]), title=data["title"], content=data["content"],
                status=ClueStatus.INVESTIGATING, registered_by_id=step.actor.user_id or 0, registered_at=step.now,
                tasks=_existing(step, RectificationTask, data["task_ids"]),
                units=_existing(step, Unit, data["unit_ids"]))
    step.session.add(clue)
    step.session.flush()
    step.audit("clue.registered", ("clue", clue.id), f"登记问题线索 {clue.number}：{clue.title}（来源：{clue.source}）",
               after={"number": clue.number, "tasks": data["task_ids"], "units": data["unit_ids"]})
    instance = step.processes.start(step, CLUE_PROCESS, {"clue_id": clue.id, "reply_due": data["reply_due"]},
                                    business_key=clue.number)
    clue.instance_id = instance.id
    return clue


def _next_number(step: Step, year: int) -> str:
    prefix = f"XS-{year}-"
    count = step.session.scalar(select(func.count(Clue.id)).where(Clue.number.startswith(prefix))) or 0
    return f"{prefix}{count + 1:03d}"


def clue_of(step: Step) -> Clue:
    clue = step.session.scalar(select(Clue).where(Clue.instance_id == step.the_instance.id))
    if clue is None:
        raise LookupError(f"no clue for instance {step.the_instance.id}")
    return clue


class InvestigateHandler(FormHandler):
    """调查核实: what the investigation found, and whether the clue is founded."""

    name = "clue_investigate"
    fields = (Field("findings", label=N_("调查核实情况")),
              Field("verdict", "choice", choices=labels_of(ClueVerdict), label=N_("核实结论")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        clue = clue_of(step)
        verdict = ClueVerdict(data["verdict"])
        clue.findings, clue.verdict, clue.investigated_at = data["findings"], verdict, step.now
        clue.status = ClueStatus.CLOSING if verdict is ClueVerdict.UNFOUNDED else ClueStatus.DETERMINING
        step.audit("clue.investigated", ("clue", clue.id), f"调查核实：{verdict.label}。{data['findings']}",
                   after={"verdict": verdict.value})
        return {"verdict": verdict.value}


class ResponsibilityHandler(FormHandler):
    """认定责任: who is responsible for what (主体责任, 监管责任, 直接责任 …)."""

    name = "clue_responsibility"
    fields = (Field("responsibility", label=N_("责任认定"),
                    help=N_("责任单位和责任人，主体责任、监管责任、直接责任、领导责任")),)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        clue = clue_of(step)
        clue.responsibility, clue.determined_at, clue.status = data["responsibility"], step.now, ClueStatus.DECIDING
        step.audit("clue.responsibility", ("clue", clue.id), f"责任认定：{data['responsibility']}")
        return {}


class DecisionHandler(FormHandler):
    """作出处理决定: the decision, its document, and each person's measure."""

    name = "clue_decision"
    fields = (Field("decision", label=N_("处理决定")), Field("decided_on", "date", label=N_("决定日期")),
              Field("document_number", "line", required=False, label=N_("决定文号")), PERSONS)

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decided_on"] > step.today.isoformat():
            raise InvalidSubmission({"decided_on": [N_("不能晚于今天")]})
        cleaned["persons"] = clean_persons(data.get("persons"))
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        clue = clue_of(step)
        clue.decision, clue.decided_on = data["decision"], date.fromisoformat(data["decided_on"])
        clue.document_number, clue.decided_at = data["document_number"] or "", step.now
        clue.status = ClueStatus.CLOSING
        record_persons(step, data["persons"], clue_id=clue.id)
        step.audit("clue.decided", ("clue", clue.id),
                   f"处理决定：{data['decision']}（{describe_persons(data['persons'])}）",
                   after={"persons": len(data["persons"])})
        return {}


class CloseHandler(FormHandler):
    """办结反馈: the office reports back to the source and closes the clue."""

    name = "clue_close"
    fields = (Field("feedback", label=N_("办结反馈情况"), help=N_("向线索来源单位反馈的办理结果")),)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        clue = clue_of(step)
        clue.feedback, clue.status = data["feedback"], ClueStatus.CLOSED
        clue.closed_at, clue.closed_by_id = step.now, step.actor.user_id
        step.audit("clue.closed", ("clue", clue.id), f"问题线索 {clue.number} 办结：{data['feedback']}")
        return {}


HANDLERS: tuple[FormHandler, ...] = (InvestigateHandler(), ResponsibilityHandler(), DecisionHandler(), CloseHandler())
