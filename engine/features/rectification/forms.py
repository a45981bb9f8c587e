"""The user-task forms of a task's own life (workflows/rectification.bpmn): 交办, the implementation plan, the
monthly report and its follow-up; and the fields of registering a task."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func, select

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean, is_blank, labels_of
from engine.core.periods import period_label
from engine.core.statuses import DeadlineKind, PlanStatus, ReportStatus
from engine.core.text import N_
from engine.features.rectification.actions import report_of_instance, restart_deadline_watch
from engine.features.rectification.events import ReportSubmitted, TaskAssigned, TaskSlipped
from engine.features.rectification.notices import notify_unit, settle_deadline_warnings
from engine.store.models import ImplementationPlan, ProgressReport, Unit, User
from engine.workflow.forms import DecisionHandler, FormHandler
from engine.workflow.step import Step

CODE_MAX = 32
#: who does the task by when: registered, confirmed or changed at 交办
ASSIGNMENT_FIELDS = (
    Field("lead_unit_id", "id", label=N_("牵头单位"), source="units"),
    Field("cooperating_unit_ids", "ids", required=False, label=N_("配合单位"), source="units"),
    Field("lead_leader_id", "id", label=N_("牵头市领导"), source="leaders"),
    Field("deadline_kind", "choice", choices=labels_of(DeadlineKind), label=N_("时限类型"),
          initial=DeadlineKind.DATE.value),
    Field("deadline", "date", required=False, label=N_("整改时限")),
)
REGISTRATION_FIELDS = (
    Field("round_id", "id", required=False, label=N_("督察批次"), source="rounds", blank=N_("当前批次"),
          help=N_("任务所属的督察批次；编号在同一批次内不能重复")),
    Field("code", "line", max_length=CODE_MAX, label=N_("编号")),
    Field("category_id", "id", label=N_("类别"), source="categories"),
    Field("title", "line", label=N_("任务名称")),
    Field("problem", label=N_("督察反馈问题")),
    Field("target", label=N_("整改目标")),
    Field("measures", label=N_("整改措施")),
    *ASSIGNMENT_FIELDS,
)
#: the choices of a head who signs a document: send it up, or back to whoever drafted it
SIGN_LABELS = (N_("同意签发，报送"), N_("退回承办人修改"))


#: what 交办 adds to the registration: the plan's due date and the coordination group's instructions
ASSIGN_FIELDS = (
    Field("plan_due", "date", label=N_("实施方案报送期限")),
    Field("instructions", required=False, label=N_("交办意见"), help=N_("对责任单位的具体要求，随任务交到责任单位")),
)


class AssignHandler(FormHandler):
    """交办: the coordinator sends the registered task to its unit with a plan due date and instructions; who does
    it by when was entered at registration and is changed here only when the coordinator changes it."""

    name = "assign"
    fields = (*ASSIGN_FIELDS, *(replace(field, required=False) for field in ASSIGNMENT_FIELDS))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        if is_blank(data.get("lead_unit_id")):  # the registration stands
            data = {**data, **assignment_form_data(step.the_task)}
        cleaned = clean((*ASSIGN_FIELDS, *ASSIGNMENT_FIELDS), data)
        errors = check_assignment(step, cleaned)
        if cleaned["plan_due"] < step.today.isoformat():
            errors.setdefault("plan_due", []).append(N_("方案报送期限不能早于今天"))
        if cleaned["deadline"] and cleaned["plan_due"] > cleaned["deadline"]:  # the plan leads up to the deadline
            errors.setdefault("plan_due", []).append(N_("方案报送期限不能晚于整改时限"))
        if errors:
            raise InvalidSubmission(errors)
        return cleaned

    def initial(self, step: Step) -> dict[str, Any]:
        """交办 starts from what was registered; the coordinator confirms or changes it."""
        return assignment_form_data(step.the_task)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        task = step.the_task
        before = {**assignment_summary(task), "instructions": task.instructions or ""}
        apply_assignment(step, data)
        task.instructions, task.plan_due = data["instructions"] or "", date.fromisoformat(data["plan_due"])
        after = {**assignment_summary(task), "instructions": task.instructions, "plan_due": data["plan_due"]}
        step.audit("task.assigned", ("task", task.id), f"交办 {task.code}，方案报送期限 {data['plan_due']}"
                   + (f"；交办意见：{task.instructions}" if task.instructions else ""), before=before, after=after)
        if (before["deadline_kind"], before["deadline"]) != (after["deadline_kind"], after["deadline"]):
            restart_deadline_watch(step)
        step.publish(TaskAssigned())
        return {"deadline": data["deadline"], "plan_due": data["plan_due"]}


def assignment_form_data(task: Any) -> dict[str, Any]:
    """Who does the task by when, as registered, in the form's terms."""
    return {"lead_unit_id": task.lead_unit_id, "cooperating_unit_ids": task.cooperating_unit_ids(),
            "lead_leader_id": task.lead_leader_id, "deadline_kind": task.deadline_kind.value,
            "deadline": task.deadline}


def check_assignment(step: Step, cleaned: dict[str, Any]) -> dict[str, list[str]]:
    """Cross-field and database checks shared by registration, assignment and the ledger import: the units
    exist, the lead unit is not also cooperating, the lead leader is an active leader, a deadline date is given
    where one is due."""
    errors: dict[str, list[str]] = {}
    named = {cleaned["lead_unit_id"], *cleaned["cooperating_unit_ids"]}
    known = set(step.session.scalars(select(Unit.id).where(Unit.id.in_(named))))
    if cleaned["lead_unit_id"] not in known:
        errors["lead_unit_id"] = [N_("没有这个单位")]
    if cleaned["lead_unit_id"] in cleaned["cooperating_unit_ids"]:
        errors["cooperating_unit_ids"] = [N_("配合单位不能包含牵头单位")]
    if any(unit_id not in known for unit_id in cleaned["cooperating_unit_ids"]):
        errors["cooperating_unit_ids"] = [N_("没有这个单位")]
    leader = step.session.scalar(select(User.id).where(User.id == cleaned["lead_leader_id"], User.role == "leader",
                                                       User.active.is_(True)))
    if leader is None:
        errors["lead_leader_id"] = [N_("请选择一位牵头市领导")]
    kind = DeadlineKind(cleaned["deadline_kind"])
    if kind is DeadlineKind.DATE and not cleaned["deadline"]:
        errors["deadline"] = [N_("限期完成的任务须填写整改时限")]
    if kind is DeadlineKind.STANDING:
        cleaned["deadline"] = None
    return errors


def apply_assignment(step: Step, data: dict[str, Any]) -> None:
    """The task's units, leader and deadline as assigned."""
    task = step.the_task
    task.lead_unit_id, task.lead_leader_id = data["lead_unit_id"], data["lead_leader_id"]
    task.deadline_kind = DeadlineKind(data["deadline_kind"])
    task.deadline = date.fromisoformat(data["deadline"]) if data["deadline"] else None
    if sorted(task.cooperating_unit_ids()) != data["cooperating_unit_ids"]:  # kept as a set (no order)
        task.cooperating_units = [step.session.get_one(Unit, i) for i in data["cooperating_unit_ids"]]
    step.session.expire(task, ["lead_unit", "lead_leader"])  # they follow the ids just set


def assignment_summary(task: Any) -> dict[str, Any]:
    return {
        "lead_unit_id": task.lead_unit_id,
        "cooperating_unit_ids": sorted(task.cooperating_unit_ids()),
        "lead_leader_id": task.lead_leader_id,
        "deadline_kind": str(task.deadline_kind),
        "deadline": task.deadline.isoformat() if task.deadline else None,
    }


class PlanDraftHandler(FormHandler):
    """编制整改实施方案 (the unit's implementation plan)."""

    name = "plan_draft"
    keeps_drafts = True
    fields = (
        Field("content", label=N_("整改实施方案"), help=N_("整改思路、具体措施、责任分工、资金保障")),
        Field("milestones", label=N_("时间节点"), help=N_("分阶段的完成时间和标志性成果")),
        Field("completion_date", "date", required=False, label=N_("计划完成日期")),
        Field("contact", "line", label=N_("联系人及电话")),
        attachments_field(N_("方案文本及附件"),
                          N_("盖章的方案文本、图纸等：PDF、Office 文档或照片，每件不超过 20 MB；可多选")),
    )

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        revision = step.session.scalar(
            select(func.coalesce(func.max(ImplementationPlan.revision), 0))
            .where(ImplementationPlan.task_id == step.the_task.id)) + 1
        plan = ImplementationPlan(
            task_id=step.the_task.id, revision=revision, content=data["content"], milestones=data["milestones"],
            completion_date=date.fromisoformat(data["completion_date"]) if data["completion_date"] else None,
            contact=data["contact"], status=PlanStatus.DRAFTED, drafted_by_id=step.actor.user_id,
            drafted_at=step.now)
        step.session.add(plan)
        step.session.flush()
        step.audit("plan.drafted", ("plan", plan.id), f"编制实施方案（第 {revision} 稿）", after={"revision": revision})
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        """A returned plan comes back as it was sent: the unit revises it rather than retyping it."""
        plan = step.session.scalar(select(ImplementationPlan).where(ImplementationPlan.task_id == step.the_task.id)
                                   .order_by(ImplementationPlan.revision.desc()).limit(1))
        if plan is None:
            return None
        return {"content": plan.content, "milestones": plan.milestones, "completion_date": plan.completion_date,
                "contact": plan.contact}


def latest_plan(step: Step) -> ImplementationPlan:
    plan = step.session.scalar(select(ImplementationPlan).where(ImplementationPlan.task_id == step.the_task.id)
                               .order_by(ImplementationPlan.revision.desc()).limit(1))
    if plan is None:
        raise InvalidSubmission({"decision": [N_("还没有实施方案")]})
    return plan


class PlanSignHandler(DecisionHandler):
    """签发: the unit head sends the plan up, or back to the drafter."""

    name, approving, declining = "plan_sign", "submit", "back"
    choice_labels = SIGN_LABELS

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        plan = latest_plan(step)
        plan.status = PlanStatus.SUBMITTED if approved else PlanStatus.RETURNED
        if not approved:
            plan.review_comment = data["comment"]
        step.audit("plan.signed" if approved else "plan.sent_back", ("plan", plan.id),
                   f"单位负责人{'签发' if approved else '退回'}实施方案（第 {plan.revision} 稿）"
                   + (f"：{data['comment']}" if data["comment"] else ""))


class PlanReviewHandler(DecisionHandler):
    """备案: the supervision group files the plan, or returns it with comments."""

    name, approving, declining = "plan_review", "file", "return"
    choice_labels = (N_("予以备案"), N_("退回修改"))

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        plan = latest_plan(step)
        plan.status = PlanStatus.FILED if approved else PlanStatus.RETURNED
        plan.decided_at = step.now
        plan.review_comment = data["comment"] or ""
        step.audit("plan.filed" if approved else "plan.returned", ("plan", plan.id),
                   f"实施方案（第 {plan.revision} 稿）{'予以备案' if approved else '退回修改'}"
                   + (f"：{data['comment']}" if data["comment"] else ""))


def current_report(step: Step) -> ProgressReport:
    report = report_of_instance(step)
    if report is None:
        raise InvalidSubmission({"decision": [N_("本期交账尚未发起")]})
    return report


class ReportSubmitHandler(FormHandler):
    """交账: the unit's progress report for one month."""

    name = "report_submit"
    keeps_drafts = True
    fields = (
        Field("progress", label=N_("本月工作进展")),
        Field("percent_complete", "int", low=0, high=100, label=N_("总体完成进度（%）")),
        Field("problems", required=False, label=N_("存在的问题")),
        Field("next_steps", required=False, label=N_("下一步工作")),
        attachments_field(N_("现场照片及附件"), N_("本月现场照片、工作台账等，每件不超过 20 MB；可多选")),
    )

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        report = current_report(step)
        report.progress, report.percent_complete = data["progress"], data["percent_complete"]
        report.problems, report.next_steps = data["problems"] or "", data["next_steps"] or ""
        report.status, report.drafted_by_id, report.drafted_at = ReportStatus.DRAFTED, step.actor.user_id, step.now
        step.audit("report.drafted", ("report", report.id),
                   f"填报 {report.period} 月度进展（完成 {report.percent_complete}%）")
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        """A returned report comes back as it was sent."""
        report = report_of_instance(step)
        if report is None or report.drafted_at is None:
            return None
        return {"progress": report.progress, "percent_complete": report.percent_complete,
                "problems": report.problems, "next_steps": report.next_steps}


class ReportSignHandler(DecisionHandler):
    name, approving, declining = "report_sign", "submit", "back"
    choice_labels = SIGN_LABELS

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        report = current_report(step)
        if approved:
            report.status, report.submitted_at = ReportStatus.SUBMITTED, report.submitted_at or step.now
        else:
            report.status, report.review_comment = ReportStatus.RETURNED, data["comment"]
        step.audit("report.signed" if approved else "report.sent_back", ("report", report.id),
                   f"单位负责人{'签发' if approved else '退回'} {report.period} 月度进展"
                   + (f"：{data['comment']}" if data["comment"] else ""))
        if approved:
            step.publish(ReportSubmitted(report.period))


class ReportReviewHandler(DecisionHandler):
    """The supervisor accepts the month's report (possibly marking it lagging) or returns it."""

    name, approving, declining = "report_review", "accept", "return"
    choice_labels = (N_("审核通过"), N_("退回重报"))
    extra_fields = (Field("lagging", "bool", required=False, label=N_("进度滞后"),
                          help=N_("本月进展明显落后于实施方案的时间节点")),)

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        report = current_report(step)
        report.status = ReportStatus.ACCEPTED if approved else ReportStatus.RETURNED
        report.reviewed_at, report.review_comment = step.now, data["comment"] or ""
        report.lagging = bool(approved and data["lagging"])
        verdict = ("通过（进度滞后）" if report.lagging else "通过") if approved else "退回"
        step.audit("report.accepted" if approved else "report.returned", ("report", report.id),
                   f"{report.period} 月度进展审核{verdict}" + (f"：{data['comment']}" if data["comment"] else ""),
                   after={"lagging": report.lagging})
        if report.lagging:
            comment = f"：{data['comment']}" if data["comment"] else ""
            step.publish(TaskSlipped("lagging", f"{period_label(report.period)}月度进展经审核认定进度滞后{comment}"))


CHASE_METHODS = {"phone": N_("电话催报"), "notice": N_("书面催报"), "onsite": N_("现场督导")}


class ReportChaseHandler(FormHandler):
    """催报: the supervisor follows up an overdue report and records how."""

    name = "report_chase"
    batchable = True
    fields = (Field("method", "choice", choices=CHASE_METHODS, label=N_("催报方式")),
              Field("note", label=N_("催报情况"), help=N_("联系了谁、对方说明的原因、承诺的报送时间")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        report = current_report(step)
        method = CHASE_METHODS[data["method"]]
        step.audit("report.chased", ("report", report.id), f"{method} {report.period} 月度进展：{data['note']}")
        notify_unit(step, "report_chased", N_("%(code)s 整改督办组%(method)s：%(note)s", code=step.the_task.code,
                                              method=method, note=data["note"]))
        return {}


class OverdueActionHandler(FormHandler):
    """超期督办: the deadline passed without sign-off; the supervisor urges the unit or extends the deadline."""

    name = "overdue_action"
    fields = (Field("decision", "choice", choices={"urge": N_("督促整改"), "extend": N_("同意延期")},
                    label=N_("督办意见")),
              Field("new_deadline", "date", required=False, label=N_("新的整改时限"), help=N_("同意延期时填写")),
              Field("comment", label=N_("督办意见说明")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "extend":
            if not cleaned["new_deadline"]:
                raise InvalidSubmission({"new_deadline": [N_("同意延期时须填写新的整改时限")]})
            if cleaned["new_deadline"] <= step.today.isoformat():
                raise InvalidSubmission({"new_deadline": [N_("新的整改时限须晚于今天")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        task = step.the_task
        if data["decision"] == "extend":
            before = task.deadline.isoformat() if task.deadline else None
            task.deadline = date.fromisoformat(data["new_deadline"])
            step.audit("task.deadline_extended", ("task", task.id),
                       f"同意延期：整改时限 {before} → {data['new_deadline']}：{data['comment']}",
                       before={"deadline": before}, after={"deadline": data["new_deadline"]})
            settle_deadline_warnings(step)
            return {"decision": "extend", "deadline": data["new_deadline"]}
        step.audit("task.urged", ("task", task.id), f"超期督办：{data['comment']}")
        notify_unit(step, "urged", N_("%(code)s 超期督办意见：%(comment)s", code=task.code, comment=data["comment"]))
        return {"decision": "urge"}


HANDLERS: tuple[FormHandler, ...] = (
    AssignHandler(), PlanDraftHandler(), PlanSignHandler(), PlanReviewHandler(),
    ReportSubmitHandler(), ReportSignHandler(), ReportReviewHandler(), ReportChaseHandler(),
    OverdueActionHandler(),
)
