"""The user-task forms of workflows/escalation.bpmn: what each step means in the domain."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean, labels_of
from engine.core.statuses import EscalationLevel, EscalationStatus
from engine.core.text import N_, Text
from engine.features.escalation.accountability import PERSONS, clean_persons, describe_persons, record_persons
from engine.features.escalation.queries import of_instance, starting_values
from engine.features.escalation.triggers import escalation_of
from engine.features.notifications.notices import notify, post_notice
from engine.features.rectification.notices import notify_unit
from engine.store.models import (
    AccountabilityCase,
    Escalation,
    EscalationExposure,
    EscalationInterview,
    EscalationNotice,
)
from engine.workflow.forms import FormHandler
from engine.workflow.step import Step

#: a supervisor proposes an escalation by hand from a task's page, with the reason
REASON = (Field("reason", label=N_("提出问责的原因"), help=N_("如：现场检查发现整改不实、群众反映问题反弹")),)
APPROVAL_DECISIONS = {"approve": N_("同意"), "change": N_("调整问责方式"), "reject": N_("不同意")}


def level_field(label: str, help: str) -> Field:
    return Field("level", "int", required=False, low=1, high=4, choices=labels_of(EscalationLevel), label=label,
                 help=help)


def _require(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidSubmission(errors)


def _not_after_today(step: Step, value: str, field: str, errors: dict[str, list[str]]) -> None:
    if value > step.today.isoformat():
        errors[field] = [N_("不能晚于今天")]


class EscalationHandler(FormHandler):
    """A step of an escalation: beside its form, the escalation it belongs to; its form starts from the ladder's
    default level or from duban's drafts."""

    def context(self, step: Step) -> dict[str, Any]:
        return {"escalation": of_instance(step.session, step.the_instance.id)}

    def initial(self, step: Step) -> dict[str, Any]:
        escalation = of_instance(step.session, step.the_instance.id)
        return starting_values(step.session, step.actor, escalation, self.name, step.today)


def _notify_unit(step: Step, escalation: Escalation, kind: str, text: str) -> None:
    """The officer and the head of the unit held to account: a task's lead unit, or the unit a case is handed to."""
    if escalation.task_id is not None:
        notify_unit(step, kind, text)
        return
    post_notice(step.session, step.settings, step.now, None, ("unit_staff", "unit_head"), kind, text,
                escalation.unit_id, instance_id=step.the_instance.id)


def _carried_out(escalation: Escalation) -> None:
    """The level's step is done and recorded (its own audit event says so): the unit now owes a commitment."""
    escalation.status = EscalationStatus.AWAITING_COMMITMENT


class ProposeHandler(EscalationHandler):
    """提出问责建议: the supervisor proposes a level with reasons and evidence, or decides not to."""

    name = "escalation_propose"
    fields = (Field("decision", "choice", choices={"propose": N_("提出问责建议"), "drop": N_("不予问责")},
                    label=N_("意见")),
              level_field(N_("建议问责方式"), N_("默认值按本任务的问责记录逐级升级")),
              Field("reasons", label=N_("理由")),
              Field("evidence", required=False, label=N_("事实依据和佐证材料"), help=N_("提出问责建议时必填")),
              attachments_field(N_("佐证材料附件")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        errors: dict[str, list[str]] = {}
        if cleaned["decision"] == "propose":
            if cleaned["level"] is None:
                errors["level"] = [N_("请选择问责方式")]
            if not cleaned["evidence"]:
                errors["evidence"] = [N_("提出问责建议须说明事实依据和佐证材料")]
        _require(errors)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        escalation.reasons, escalation.evidence = data["reasons"], data["evidence"] or ""
        escalation.proposed_by_id, escalation.proposed_at = step.actor.user_id, step.now
        if data["decision"] == "drop":
            escalation.status, escalation.closed_at = EscalationStatus.DROPPED, step.now
            escalation.closed_by_id = step.actor.user_id
            step.audit("escalation.dropped", ("escalation", escalation.id), f"不予问责：{data['reasons']}")
            return {"decision": "drop"}
        level = EscalationLevel(data["level"])
        escalation.proposed_level, escalation.status = int(level), EscalationStatus.AWAITING_APPROVAL
        step.audit("escalation.proposed", ("escalation", escalation.id),
                   f"提出问责建议：{level.label}。理由：{data['reasons']}", after={"level": int(level)})
        return {"decision": "propose", "level": int(level)}


class ApproveHandler(EscalationHandler):
    """审批问责建议: the task's lead leader approves, changes the level, or rejects, with a reason."""

    name = "escalation_approve"
    fields = (Field("decision", "choice", choices=APPROVAL_DECISIONS, label=N_("审批意见")),
              level_field(N_("调整为"), N_("选择“调整问责方式”时填写")),
              Field("comment", required=False, label=N_("理由"), help=N_("调整或不同意时必填")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        errors: dict[str, list[str]] = {}
        if cleaned["decision"] == "change":
            if cleaned["level"] is None:
                errors["level"] = [N_("调整问责方式时须选择新的问责方式")]
            elif cleaned["level"] == escalation_of(step).proposed_level:
                errors["level"] = [N_("新的问责方式与建议相同，请选择“同意”")]
        if cleaned["decision"] != "approve" and not cleaned["comment"]:
            errors["comment"] = [N_("调整或不同意时须说明理由")]
        _require(errors)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        escalation.decision, escalation.decision_comment = data["decision"], data["comment"] or ""
        escalation.decided_by_id, escalation.decided_at = step.actor.user_id, step.now
        proposed = EscalationLevel(escalation.proposed_level or escalation.suggested_level)
        if data["decision"] == "reject":
            return self._reject(step, escalation, proposed, data["comment"])
        level = EscalationLevel(data["level"]) if data["decision"] == "change" else proposed
        escalation.approved_level, escalation.status = int(level), EscalationStatus.CARRYING_OUT
        verdict = f"将{proposed.label}调整为{level.label}" if level is not proposed else f"同意{level.label}"
        step.audit("escalation.approved", ("escalation", escalation.id),
                   f"牵头市领导{verdict}" + (f"：{data['comment']}" if data["comment"] else ""),
                   before={"level": int(proposed)}, after={"level": int(level)})
        _notify_unit(step, escalation, "escalation_approved",
                    N_("%(code)s 经牵头市领导批准，对%(unit)s予以%(level)s", code=escalation.subject_code,
                       unit=Text(escalation.unit.name), level=level.label))
        return {"decision": data["decision"], "level": int(level)}

    def _reject(self, step: Step, escalation: Escalation, proposed: EscalationLevel, comment: str) -> dict[str, Any]:
        escalation.status, escalation.closed_at = EscalationStatus.REJECTED, step.now
        step.audit("escalation.rejected", ("escalation", escalation.id),
                   f"牵头市领导不同意{proposed.label}：{comment}")
        notify(step, "supervisor", "escalation_rejected",
               N_("%(code)s 问责建议（%(level)s）未获批准：%(comment)s", code=escalation.subject_code,
                  level=proposed.label, comment=comment))
        return {"decision": "reject"}


class NoticeHandler(EscalationHandler):
    """签发通报: the office edits duban's draft and issues the notice."""

    name = "escalation_notice"
    fields = (Field("number", "line", required=False, label=N_("文号")), Field("title", "line", label=N_("标题")),
              Field("text", label=N_("通报正文"), help=N_("系统已根据任务记录起草，请核改后签发")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        step.session.add(EscalationNotice(escalation_id=escalation.id, number=data["number"] or "",
                                          title=data["title"], text=data["text"], issued_at=step.now,
                                          issued_by_id=step.actor.user_id))
        number = f"（{data['number']}）" if data["number"] else ""
        step.audit("escalation.notice_issued", ("escalation", escalation.id), f"签发通报《{data['title']}》{number}")
        _notify_unit(step, escalation, "escalation_notice", N_("%(code)s 通报：%(title)s，请作出整改承诺",
                                                               code=escalation.subject_code, title=data["title"]))
        _carried_out(escalation)
        return {}


class InterviewHandler(EscalationHandler):
    """约谈: the supervision group records the interview of the unit's leaders."""

    name = "escalation_interview"
    fields = (Field("held_on", "date", label=N_("约谈日期")), Field("place", "line", label=N_("约谈地点")),
              Field("interviewees", label=N_("被约谈人"), help=N_("姓名及职务")),
              Field("interviewers", label=N_("约谈人"), help=N_("姓名及职务")),
              Field("commitments", label=N_("约谈中作出的承诺")),
              attachments_field(N_("约谈记录附件"), N_("签字的约谈记录、签到表、照片等，每件不超过 20 MB；可多选")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        errors: dict[str, list[str]] = {}
        _not_after_today(step, cleaned["held_on"], "held_on", errors)
        _require(errors)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        step.session.add(EscalationInterview(
            escalation_id=escalation.id, held_on=date.fromisoformat(data["held_on"]), place=data["place"],
            interviewees=data["interviewees"], interviewers=data["interviewers"], commitments=data["commitments"],
            recorded_at=step.now, recorded_by_id=step.actor.user_id))
        step.audit("escalation.interview_recorded", ("escalation", escalation.id),
                   f"{data['held_on']} 在{data['place']}约谈{data['interviewees']}（约谈人：{data['interviewers']}）")
        _notify_unit(step, escalation, "escalation_interview",
                    N_("%(code)s 约谈已记录，请作出书面整改承诺", code=escalation.subject_code))
        _carried_out(escalation)
        return {}


class ExposureHandler(EscalationHandler):
    """发布曝光: the publicity group publishes; from now on it is on the public pages."""

    name = "escalation_exposure"
    fields = (Field("headline", "line", label=N_("曝光标题")),
              Field("text", label=N_("曝光内容"), help=N_("将在公开页面发布：只写事实，不写内部意见和工作人员姓名")),
              Field("channel", "line", required=False, label=N_("发布渠道"), help=N_("如：泸州日报、市政府网站")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        step.session.add(EscalationExposure(escalation_id=escalation.id, headline=data["headline"], text=data["text"],
                                            channel=data["channel"] or "", published_at=step.now,
                                            published_by_id=step.actor.user_id))
        channel = f"（{data['channel']}）" if data["channel"] else ""
        step.audit("escalation.exposure_published", ("escalation", escalation.id),
                   f"公开曝光《{data['headline']}》{channel}")
        _notify_unit(step, escalation, "escalation_exposure",
                     N_("%(code)s 已被公开曝光，请作出整改承诺", code=escalation.subject_code))
        _carried_out(escalation)
        return {}


class AccountabilityHandler(EscalationHandler):
    """调查处理: the discipline commission records what it found and decided, person by person."""

    name = "escalation_accountability"
    fields = (Field("findings", label=N_("调查情况")), Field("decision", label=N_("处理决定")),
              Field("decided_on", "date", label=N_("决定日期")),
              Field("document_number", "line", required=False, label=N_("决定文号")), PERSONS)

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        errors: dict[str, list[str]] = {}
        _not_after_today(step, cleaned["decided_on"], "decided_on", errors)
        _require(errors)
        cleaned["persons"] = clean_persons(data.get("persons"))
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        case = step.session.scalar(select(AccountabilityCase).where(AccountabilityCase.escalation_id == escalation.id))
        if case is None:
            raise InvalidSubmission({"decision": [N_("尚未移送纪委监委")]})
        case.findings, case.decision = data["findings"], data["decision"]
        case.decided_on, case.document_number = date.fromisoformat(data["decided_on"]), data["document_number"] or ""
        case.recorded_at, case.recorded_by_id = step.now, step.actor.user_id
        record_persons(step, data["persons"], escalation_id=escalation.id)
        step.audit("escalation.accountability_decided", ("escalation", escalation.id),
                   f"追责调查处理结果：{data['decision']}（{describe_persons(data['persons'])}）",
                   after={"persons": len(data["persons"])})
        _notify_unit(step, escalation, "escalation_accountability",
                     N_("%(code)s 追责调查处理结果已作出，请作出整改承诺", code=escalation.subject_code))
        notify(step, "supervisor", "escalation_accountability", N_("%(code)s 纪委监委已作出追责处理决定",
                                                                code=escalation.subject_code))
        _carried_out(escalation)
        return {}


class CommitmentHandler(EscalationHandler):
    """作出整改承诺: the unit says what it will do, and by when."""

    name = "escalation_commitment"
    fields = (Field("commitment", label=N_("整改承诺"),
                    help=N_("针对通报、约谈、曝光或追责指出的问题，承诺采取的整改措施")),
              Field("complete_by", "date", label=N_("承诺完成时限")),
              attachments_field(N_("书面承诺"), N_("盖章的书面承诺扫描件等，每件不超过 20 MB；可多选")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["complete_by"] <= step.today.isoformat():
            raise InvalidSubmission({"complete_by": [N_("完成时限须晚于今天")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        escalation.commitment, escalation.complete_by = data["commitment"], date.fromisoformat(data["complete_by"])
        escalation.committed_by_id, escalation.committed_at = step.actor.user_id, step.now
        escalation.status = EscalationStatus.UNDER_REVIEW
        step.audit("escalation.committed", ("escalation", escalation.id),
                   f"责任单位承诺于 {data['complete_by']} 前：{data['commitment']}")
        return {"complete_by": data["complete_by"]}


class CloseHandler(EscalationHandler):
    """问责办结: the supervisor closes the escalation, or escalates again if the work still lags."""

    name = "escalation_close"
    fields = (Field("decision", "choice", choices={"close": N_("办结"), "escalate": N_("整改仍不到位，再次升级")},
                    label=N_("意见")),
              Field("comment", label=N_("承诺兑现情况")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        escalation = escalation_of(step)
        escalation.closing_comment = data["comment"]
        escalation.closed_by_id, escalation.closed_at = step.actor.user_id, step.now
        if data["decision"] == "escalate":
            escalation.status = EscalationStatus.ESCALATED
            step.audit("escalation.escalated", ("escalation", escalation.id),
                       f"整改仍不到位，再次升级：{data['comment']}")
        else:
            escalation.status = EscalationStatus.CLOSED
            step.audit("escalation.closed", ("escalation", escalation.id), f"督办问责办结：{data['comment']}")
        return {"decision": data["decision"]}


HANDLERS: tuple[FormHandler, ...] = (
    ProposeHandler(), ApproveHandler(), NoticeHandler(), InterviewHandler(), ExposureHandler(),
    AccountabilityHandler(), CommitmentHandler(), CloseHandler(),
)
