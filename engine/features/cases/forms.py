"""The forms of a complaint case (workflows/complaint_case.bpmn): 签收 or 退办 by its unit, the coordination
group's answer to a return (改派 or 驳回), the unit's report with evidence, the supervision group's review."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean, labels_of
from engine.core.statuses import CaseFinding, CaseStatus
from engine.core.text import N_
from engine.core.workdays import add_working_days
from engine.features.cases.actions import case_of, reroute_open_work, unit_name
from engine.features.cases.ladder import SENT_BACK, escalate_when_returned_again, withdraw_when_accepted
from engine.features.notifications.notices import notify
from engine.store.models import Unit
from engine.workflow.forms import DecisionHandler, FormHandler
from engine.workflow.step import Step

#: the units a case may be handed to: city departments, counties and parks
RESPONSIBLE_KINDS = ("department", "county", "park")


class CaseSignHandler(FormHandler):
    """签收 or 退办: the unit takes the case as its own, or returns it saying whose it is."""

    name = "case_sign"
    fields = (
        Field("decision", "choice", choices={"receive": N_("签收"), "return": N_("退办（不属于本单位职责）")},
              label=N_("签收意见"), widget="radio"),
        Field("reason", required=False, label=N_("说明"), help=N_("退办时必填：为什么不属于本单位，应由哪个单位办理")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "return" and not cleaned["reason"]:
            raise InvalidSubmission({"reason": [N_("退办须说明理由")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        case = case_of(step)
        name = unit_name(step, case.unit_id)
        if data["decision"] == "return":
            case.status, case.return_reason = CaseStatus.RETURNED, data["reason"]
            step.audit("case.returned", ("complaint_case", case.id),
                       f"{name}退办信访件 {case.number}：{data['reason']}",
                       after={"unit_id": case.unit_id, "reason": data["reason"]})
            return {"decision": "return"}
        case.status, case.signed_at = CaseStatus.INVESTIGATING, step.now
        step.audit("case.signed", ("complaint_case", case.id), f"{name}签收信访件 {case.number}",
                   after={"unit_id": case.unit_id, "note": data["reason"] or ""})
        return {"decision": "receive"}


class CaseReturnDecisionHandler(FormHandler):
    """The coordination group answers a return: the case goes to another unit (改派), or back to the same (驳回)."""

    name = "case_return_decide"
    fields = (
        Field("decision", "choice", choices={"reassign": N_("改派其他单位"), "reject": N_("驳回退办")},
              label=N_("处理意见"), widget="radio"),
        Field("unit_id", "id", required=False, label=N_("改派给"), source="units", help=N_("改派时必填")),
        Field("reason", label=N_("理由")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "reassign":
            unit = step.session.get(Unit, cleaned["unit_id"]) if cleaned["unit_id"] else None
            if unit is None or unit.kind not in RESPONSIBLE_KINDS:
                raise InvalidSubmission({"unit_id": [N_("改派须选择一个责任单位")]})
            if unit.id == case_of(step).unit_id:
                raise InvalidSubmission({"unit_id": [N_("请选择退办单位以外的单位")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        case = case_of(step)
        old = unit_name(step, case.unit_id)
        sign_due = add_working_days(step.today, step.settings.case_sign_working_days).isoformat()
        case.status = CaseStatus.SIGNING
        if data["decision"] == "reassign":
            before = {"unit_id": case.unit_id}
            case.unit_id = data["unit_id"]
            reroute_open_work(step, case)
            step.audit("case.reassigned", ("complaint_case", case.id),
                       f"信访件 {case.number} 改派：{old} → {unit_name(step, case.unit_id)}（{data['reason']}）",
                       before=before, after={"unit_id": case.unit_id})
        else:
            step.audit("case.return_rejected", ("complaint_case", case.id),
                       f"驳回{old}对信访件 {case.number} 的退办：{data['reason']}", after={"reason": data["reason"]})
        for role in ("unit_staff", "unit_head"):
            notify(step, role, "case_handed", N_("信访件 %(number)s 请签收办理：%(reason)s", number=case.number,
                                                 reason=data["reason"]), unit_id=case.unit_id)
        return {"decision": data["decision"], "unit_id": case.unit_id, "case_sign_due": sign_due}


REPORT_FIELDS = (
    Field("finding", "choice", choices=labels_of(CaseFinding), label=N_("核查结论"), widget="radio"),
    Field("found", label=N_("调查核实情况"), help=N_("现场核查了什么、发现了什么问题")),
    Field("measures", required=False, label=N_("处理和整改情况"),
          help=N_("责令整改、立案处罚、关停取缔等，查实的必填")),
    Field("orders", "int", required=False, low=0, high=10_000, label=N_("责令整改（家）")),
    Field("fines_yuan", "int", required=False, low=0, high=2_000_000_000, label=N_("罚款金额（元）")),
    Field("closures", "int", required=False, low=0, high=10_000, label=N_("关停取缔（家）")),
    Field("accountability", required=False, label=N_("问责情况"), help=N_("被问责的单位和人员、问责方式")),
    Field("persons_held", "int", required=False, low=0, high=10_000, label=N_("问责人数")),
    attachments_field(),
)


class CaseReportHandler(FormHandler):
    """调查处理并报告: what the unit found (查实, 部分查实, 不属实), what it did about it, with its evidence."""

    name = "case_report"
    fields = REPORT_FIELDS

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["finding"] != CaseFinding.UNFOUNDED and not cleaned["measures"]:
            raise InvalidSubmission({"measures": [N_("查实或部分查实的，须写明处理和整改情况")]})
        if cleaned["persons_held"] and not cleaned["accountability"]:
            raise InvalidSubmission({"accountability": [N_("有人员被问责的，须写明问责情况")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        case = case_of(step)
        finding = CaseFinding(data["finding"])
        case.finding, case.found, case.measures = finding, data["found"], data["measures"] or ""
        case.orders, case.fines_yuan = data["orders"] or 0, data["fines_yuan"] or 0
        case.closures, case.persons_held = data["closures"] or 0, data["persons_held"] or 0
        case.accountability, case.reported_at = data["accountability"] or "", step.now
        case.status = CaseStatus.REVIEWING
        step.audit("case.reported", ("complaint_case", case.id), f"信访件 {case.number} 报告办理结果：{finding.label}",
                   after={"finding": finding.value, "fines_yuan": case.fines_yuan, "orders": case.orders,
                          "closures": case.closures, "persons_held": case.persons_held})
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        case = case_of(step)
        if case.finding is None:
            return None
        return {"finding": case.finding.value, "found": case.found, "measures": case.measures, "orders": case.orders,
                "fines_yuan": case.fines_yuan, "closures": case.closures, "accountability": case.accountability,
                "persons_held": case.persons_held}


class CaseReviewHandler(DecisionHandler):
    """审核: the supervision group accepts the unit's result, or returns it to the unit with what is missing."""

    name = "case_review"
    approving, declining = "accept", "return"
    choice_labels = (N_("审核通过"), N_("退回重新办理"))

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        case = case_of(step)
        case.review_note = data["comment"] or ""
        if approved:
            case.status, case.accepted_at = CaseStatus.ACCEPTED, step.now
            step.audit("case.accepted", ("complaint_case", case.id), f"信访件 {case.number} 办理结果审核通过")
            withdraw_when_accepted(step, case)
            return
        case.status = CaseStatus.INVESTIGATING
        escalate_when_returned_again(step, case, data["comment"] or "")
        step.audit(SENT_BACK, ("complaint_case", case.id),
                   f"信访件 {case.number} 办理结果退回：{data['comment']}", after={"comment": data["comment"]})


class CaseFollowUpHandler(FormHandler):
    """督办: the coordination group chases the unit of an overdue case (for many overdue cases at once, from the
    inbox); a case reported in the meantime is only noted."""

    name = "case_follow_up"
    batchable = True
    fields = (Field("note", label=N_("督办意见"), help=N_("督促的方式和要求，如：电话督促，限两个工作日内报告")),)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        case = case_of(step)
        waiting = case.status in (CaseStatus.SIGNING, CaseStatus.RETURNED, CaseStatus.INVESTIGATING)
        step.audit("case.chased", ("complaint_case", case.id),
                   f"督办逾期信访件 {case.number}：{data['note']}" + ("" if waiting else "（已报告，无需再督促）"),
                   after={"note": data["note"], "status": case.status.value})
        if waiting:
            for role in ("unit_staff", "unit_head"):
                notify(step, role, "case_chased", N_("信访件 %(number)s 已逾期，督办意见：%(note)s",
                                                     number=case.number, note=data["note"]), unit_id=case.unit_id)
        return {}


HANDLERS: tuple[FormHandler, ...] = (CaseSignHandler(), CaseReturnDecisionHandler(), CaseReportHandler(),
                                     CaseReviewHandler(), CaseFollowUpHandler())
