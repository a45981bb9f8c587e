"""销号: the user-task forms of a task's sign-off — the application with its evidence, the verification against
the acceptance standards, the public notice (公示) and its objections, the approval — and reopening a closed task."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean, labels_of
from engine.core.statuses import ObjectionStatus, ReopenReason, SignoffStatus
from engine.core.text import N_, Text, chinese_date
from engine.core.workdays import add_working_days
from engine.features.rectification.actions import restart_deadline_watch
from engine.features.rectification.forms import SIGN_LABELS
from engine.store.models import Attachment, Objection, RectificationTask, SignoffApplication, SignoffNotice, Unit
from engine.workflow.forms import DecisionHandler, FormHandler
from engine.workflow.step import Step

#: the five standards every sign-off is checked against (五个不放过 in practice)
STANDARDS: dict[str, Text] = {
    "measures_done": N_("整改措施全部落实到位"),
    "violations_punished": N_("违法违规行为依法依规查处到位"),
    "results_meet_norms": N_("整改效果达到规定标准"),
    "similar_fixed": N_("举一反三，周边同类问题一并整改"),
    "mechanism_in_place": N_("长效机制已经建立"),
}


def notice_period(published: date, working_days: int) -> tuple[date, date]:
    """公示 runs from the first working day on or after publication, for N working days."""
    start = add_working_days(published, 0)
    return start, add_working_days(start, working_days - 1)


def draft_notice(task: RectificationTask, unit_name: str, start: date, end: date, working_days: int) -> str:
    """The notice text the publicity group starts from (only public facts of the task)."""
    return (f"关于{task.code}号整改任务拟销号的公示\n\n"
            f"{unit_name}牵头负责的“{task.title}”整改任务，整改目标为：{task.target}\n"
            f"经责任单位申请、市整改工作领导小组办公室整改督办组现场核验，该任务已达到销号标准，拟予销号。"
            f"现予公示，公示期为 {chinese_date(start)} 至 {chinese_date(end)}（{working_days} 个工作日）。"
            f"公示期间如有异议，请通过本页面提交。")


# --- the forms of the sign-off steps -------------------------------------------------------------

class SignoffApplyHandler(FormHandler):
    """申请销号: the unit says the task is done, shows how, and attaches the evidence."""

    name = "signoff_apply"
    keeps_drafts = True
    fields = (Field("summary", label=N_("整改完成情况"), help=N_("对照整改目标和措施逐项说明完成情况")),
              Field("evidence", "files", required=False, label=N_("佐证材料"), help=N_(
                  "整改前后照片、验收报告、处罚文书等：照片、PDF、Office 文档或短视频，每件不超过 20 MB；可多选")),
              Field("evidence_note", required=False, label=N_("佐证材料说明")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        if step.the_task.status.is_closed():
            raise InvalidSubmission({"summary": [N_("任务已销号")]})
        cleaned = clean(self.fields, data)
        if not step.uploads and not has_evidence(step):
            raise InvalidSubmission({"evidence": [N_("请上传佐证材料（照片、PDF 或 Office 文档）")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        application = SignoffApplication(
            task_id=step.the_task.id, summary=data["summary"], evidence_note=data["evidence_note"] or "",
            status=SignoffStatus.APPLIED, applied_by_id=step.actor.user_id, applied_at=step.now)
        step.session.add(application)
        step.session.flush()
        step.audit("signoff.applied", ("signoff", application.id), f"申请销号，附佐证材料 {len(step.uploads)} 件")
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        """A returned application comes back as it was sent (its evidence stays attached to the task)."""
        application = step.session.scalar(
            select(SignoffApplication).where(SignoffApplication.task_id == step.the_task.id)
            .order_by(SignoffApplication.id.desc()).limit(1))
        if application is None:
            return None
        return {"summary": application.summary, "evidence_note": application.evidence_note}


def has_evidence(step: Step) -> bool:
    """Evidence sent with an earlier application counts for the next (a returned application is sent again)."""
    return step.session.scalar(select(Attachment.id).where(
        Attachment.task_id == step.the_task.id, Attachment.form == SignoffApplyHandler.name).limit(1)) is not None


def latest_signoff(step: Step) -> SignoffApplication:
    application = step.session.scalar(
        select(SignoffApplication).where(SignoffApplication.task_id == step.the_task.id)
        .order_by(SignoffApplication.id.desc()).limit(1))
    if application is None:
        raise InvalidSubmission({"decision": [N_("还没有销号申请")]})
    return application


class SignoffDecision(DecisionHandler):
    """A level of the sign-off ladder that approves or returns: unit head, lead leader."""

    status_if_approved = SignoffStatus.SUBMITTED
    label = ""

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        application = latest_signoff(step)
        application.status = self.status_if_approved if approved else SignoffStatus.RETURNED
        application.decided_at, application.decision_comment = step.now, data["comment"] or ""
        outcome = "通过" if approved else "退回"
        step.audit(f"signoff.{self.name.removeprefix('signoff_')}.{data['decision']}", ("signoff", application.id),
                   f"{self.label}{outcome}" + (f"：{data['comment']}" if data["comment"] else ""))


class SignoffSignHandler(SignoffDecision):
    name, approving, declining, label = "signoff_sign", "submit", "back", "单位负责人签发销号申请："
    choice_labels = SIGN_LABELS
    status_if_approved = SignoffStatus.SUBMITTED


class SignoffApproveHandler(SignoffDecision):
    name, approving, declining, label = "signoff_approve", "approve", "return", "牵头市领导审批销号"
    choice_labels = (N_("同意销号"), N_("退回"))
    status_if_approved = SignoffStatus.APPROVED


class SignoffVerifyHandler(FormHandler):
    """核验整改成效: the five standards, each with a note, and the on-site check. One unmet: back."""

    name = "signoff_verify"
    fields = (
        *(field for key, standard in STANDARDS.items() for field in (
            Field(f"{key}_met", "bool", required=False, label=standard), Field(f"{key}_note", label=N_("核验说明")))),
        Field("site_check_date", "date", label=N_("现场核查日期")),
        Field("site_check_by", "line", label=N_("现场核查人员")),
        Field("site_findings", label=N_("现场核查情况")),
        Field("comment", required=False, label=N_("核验意见"),
              help=N_("五项标准均达到则进入公示；任何一项未达到即退回责任单位")),
        attachments_field(N_("现场核查照片及记录"), N_("现场照片、核查记录表、监测报告等，每件不超过 20 MB；可多选")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["site_check_date"] > step.today.isoformat():
            raise InvalidSubmission({"site_check_date": [N_("现场核查日期不能晚于今天")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        application = latest_signoff(step)
        checklist = {key: {"met": bool(data[f"{key}_met"]), "note": data[f"{key}_note"]} for key in STANDARDS}
        unmet = [STANDARDS[key] for key, item in checklist.items() if not item["met"]]
        application.checklist = checklist
        application.site_check_date = date.fromisoformat(data["site_check_date"])
        application.site_check_by, application.site_findings = data["site_check_by"], data["site_findings"]
        application.status = SignoffStatus.RETURNED if unmet else SignoffStatus.VERIFIED
        application.decided_at = step.now
        application.decision_comment = (("未达到：" + "；".join(f"{STANDARDS[k]}（{v['note']}）" for k, v in
                                                          checklist.items() if not v["met"]))
                                        if unmet else (data["comment"] or ""))
        step.audit("signoff.verified" if not unmet else "signoff.verify_failed", ("signoff", application.id),
                   ("整改成效核验通过（五项标准均达到）" if not unmet else "整改成效核验未通过：" + "、".join(unmet))
                   + f"；现场核查 {chinese_date(data['site_check_date'])}（{data['site_check_by']}）",
                   after={"checklist": checklist})
        return {"decision": "return" if unmet else "pass"}

    def sent_back(self, data: dict[str, Any]) -> str | None:
        unmet = [f"{standard}（{data[f'{key}_note']}）" for key, standard in STANDARDS.items()
                 if not data[f"{key}_met"]]
        return "未达到：" + "；".join(unmet) if unmet else None

    def context(self, step: Step) -> dict[str, Any]:
        return {"standards": STANDARDS}


class SignoffNoticeHandler(FormHandler):
    """发布销号公示: the publicity group puts the notice on the public pages for N working days."""

    name = "signoff_notice"
    fields = (Field("text", label=N_("公示内容"), help=N_("将在公开页面发布；只写可以公开的内容")),)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        application = latest_signoff(step)
        start, end = notice_period(step.today, step.settings.notice_working_days)
        notice = SignoffNotice(task_id=step.the_task.id, signoff_id=application.id, text=data["text"],
                               published_by_id=step.actor.user_id, published_at=step.now,
                               start_date=start, end_date=end)
        step.session.add(notice)
        application.status = SignoffStatus.IN_NOTICE
        step.session.flush()
        step.audit("signoff.notice_published", ("notice", notice.id),
                   f"发布销号公示，公示期 {chinese_date(start)}至{chinese_date(end)}"
                   f"（{step.settings.notice_working_days} 个工作日）")
        return {"notice_end": end.isoformat()}

    def context(self, step: Step) -> dict[str, Any]:
        start, end = notice_period(step.today, step.settings.notice_working_days)
        return {"start": start, "end": end}

    def initial(self, step: Step) -> dict[str, Any]:
        """The notice text the publicity group starts from."""
        start, end = notice_period(step.today, step.settings.notice_working_days)
        task = step.the_task
        unit = step.session.get_one(Unit, task.lead_unit_id).name
        return {"text": draft_notice(task, unit, start, end, step.settings.notice_working_days)}


def current_notice(step: Step) -> SignoffNotice:
    notice = step.session.scalar(select(SignoffNotice).where(SignoffNotice.task_id == step.the_task.id)
                                 .order_by(SignoffNotice.id.desc()).limit(1))
    if notice is None:
        raise InvalidSubmission({"objections": [N_("没有公示")]})
    return notice


def notice_objections(step: Step, notice: SignoffNotice) -> list[Objection]:
    return list(step.session.scalars(select(Objection).where(Objection.notice_id == notice.id)
                                     .order_by(Objection.id)))


class ObjectionAnswerHandler(FormHandler):
    """答复公示异议: every objection answered — upheld (back to rectification) or dismissed with the reason.

    Its fields are asked once per objection of the notice (`answer_fields`), sent as answers[objection id]."""

    name = "objection_answer"
    answer_fields = (
        Field("decision", "choice", choices={"dismissed": N_("异议不成立"), "upheld": N_("异议成立，退回整改")},
              label=N_("答复结论")),
        Field("answer", label=N_("答复意见")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        answers, errors = {}, {}
        for objection in notice_objections(step, current_notice(step)):
            key = str(objection.id)
            try:
                answers[key] = clean(self.answer_fields, (data.get("answers") or {}).get(key) or {})
            except InvalidSubmission as exc:
                errors[f"answers-{key}"] = [f"{k}: {'、'.join(v)}" for k, v in exc.errors.items()]
        if errors:
            raise InvalidSubmission(errors)
        return {"answers": answers}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        upheld = False
        for objection in notice_objections(step, current_notice(step)):
            answer = data["answers"][str(objection.id)]
            objection.status = ObjectionStatus(answer["decision"])
            objection.answer, objection.answered_at = answer["answer"], step.now
            objection.answered_by_id = step.actor.user_id
            is_upheld = objection.status is ObjectionStatus.UPHELD
            upheld = upheld or is_upheld
            step.audit("objection.answered", ("objection", objection.id),
                       f"公示异议{'成立' if is_upheld else '不成立'}：{answer['answer']}")
        if upheld:
            latest_signoff(step).status = SignoffStatus.RETURNED
        else:
            latest_signoff(step).status = SignoffStatus.NOTICE_DONE
        return {"decision": "upheld" if upheld else "dismissed"}

    def context(self, step: Step) -> dict[str, Any]:
        notice = current_notice(step)
        return {"notice": notice, "objections": notice_objections(step, notice)}


class ReopenHandler(FormHandler):
    """重新打开: the problem came back; the task returns to rectification and keeps its history."""

    name = "reopen"
    fields = (Field("reason_kind", "choice", choices=labels_of(ReopenReason), label=N_("重新打开的原因")),
              Field("reason", label=N_("情况说明")),
              Field("new_deadline", "date", required=False, label=N_("新的整改时限")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["new_deadline"] and cleaned["new_deadline"] <= step.today.isoformat():
            raise InvalidSubmission({"new_deadline": [N_("新的整改时限须晚于今天")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        task = step.the_task
        closed_on = task.closed_at
        task.closed_at = None
        if data["new_deadline"]:
            task.deadline = date.fromisoformat(data["new_deadline"])
        step.audit("task.reopened", ("task", task.id),
                   f"重新打开（{ReopenReason(data['reason_kind']).label}）：{data['reason']}",
                   before={"closed_at": closed_on.isoformat() if closed_on else None},
                   after={"deadline": task.deadline.isoformat() if task.deadline else None})
        restart_deadline_watch(step)
        return {"deadline": task.deadline.isoformat() if task.deadline else None}


HANDLERS: tuple[FormHandler, ...] = (
    SignoffApplyHandler(), SignoffSignHandler(), SignoffVerifyHandler(), SignoffNoticeHandler(),
    ObjectionAnswerHandler(), SignoffApproveHandler(), ReopenHandler(),
)
