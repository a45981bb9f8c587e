"""What each user-task form means in the domain.

A user task in BPMN names a form (duban:form). Here each form name has a handler that
validates the submitted data again (never trusting the web layer), writes the domain
record (plan, report, sign-off) and returns the few variables the BPMN gateways read.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select

from engine.core.errors import InvalidSubmission
from engine.core.periods import period_label
from engine.core.text import N_, message_of, without_controls
from engine.features.escalation.triggers import raise_trigger
from engine.features.rectification.actions import report_of_instance, restart_deadline_watch
from engine.store.database import Answer, read_ahead, write_loaded
from engine.store.models import (
    DeadlineKind,
    EscalationTriggerKind,
    ImplementationPlan,
    PlanStatus,
    ProgressReport,
    ReportStatus,
    Unit,
    User,
)
from engine.workflow.notices import notify_unit
from engine.workflow.step import Step

TEXT_MAX = 5000
LINE_MAX = 200


# --- field rules ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text | line | choice | date | int | bool | ids | id
    required: bool = True
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 100

    def clean(self, raw: Any) -> Any:
        if _blank(raw):
            if self.required:
                raise ValueError(N_("必填"))
            return [] if self.kind == "ids" else (False if self.kind == "bool" else None)
        return _CLEANERS[self.kind](self, raw)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def _text(field: Field, raw: Any, limit: int = TEXT_MAX) -> str:
    text = without_controls(str(raw)).strip()
    if len(text) > limit:
        raise ValueError(N_("不能超过 %(limit)s 个字符", limit=limit))
    return text


def _choice(field: Field, raw: Any) -> str:
    if raw not in field.choices:
        raise ValueError(N_("不是有效的选项"))
    return str(raw)


def _date(field: Field, raw: Any) -> str:
    try:
        value = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(N_("日期格式应为 YYYY-MM-DD")) from None
    if not 2000 <= value.year <= 2100:
        raise ValueError(N_("日期超出范围"))
    return value.isoformat()


def _int(field: Field, raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(N_("应为整数")) from None
    if not field.low <= value <= field.high:
        raise ValueError(N_("应在 %(low)s 到 %(high)s 之间", low=field.low, high=field.high))
    return value


def _bool(field: Field, raw: Any) -> bool:
    return raw in (True, "y", "yes", "on", "true", "1", 1)


def _ids(field: Field, raw: Any) -> list[int]:
    values = raw if isinstance(raw, list | tuple) else [raw]
    return sorted({_int(Field(field.name, "int", low=1, high=2**31), value) for value in values})


_CLEANERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": _text,
    "line": lambda f, raw: _text(f, raw, LINE_MAX),
    "choice": _choice,
    "date": _date,
    "int": _int,
    "bool": _bool,
    "ids": _ids,
    "id": lambda f, raw: _int(Field(f.name, "int", low=1, high=2**31), raw),
}


def clean(fields: tuple[Field, ...], data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every field; raise InvalidSubmission listing every bad one."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        try:
            cleaned[field.name] = field.clean(data.get(field.name))
        except ValueError as exc:
            errors[field.name] = [message_of(exc)]
    if errors:
        raise InvalidSubmission(errors)
    return cleaned


def require_comment_unless(cleaned: dict[str, Any], approving: str) -> None:
    if cleaned["decision"] != approving and not cleaned.get("comment"):
        raise InvalidSubmission({"comment": [N_("退回时必须填写意见")]})


# --- handlers ----------------------------------------------------------------------------

class FormHandler:
    """Base: validate, apply to the domain, return the variables the BPMN needs."""

    name: str = ""
    fields: tuple[Field, ...] = ()

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        return clean(self.fields, data)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def context(self, step: Step) -> dict[str, Any]:
        """What the person needs beside the form, beyond the task page (a draft, the items to answer)."""
        return {}


class AssignHandler(FormHandler):
    """交办: the coordinator confirms who does what by when and sends it to the unit."""

    name = "assign"
    fields = (
        Field("lead_unit_id", "id"),
        Field("cooperating_unit_ids", "ids", required=False),
        Field("lead_leader_id", "id"),
        Field("deadline_kind", "choice", choices=tuple(kind.value for kind in DeadlineKind)),
        Field("deadline", "date", required=False),
        Field("plan_due", "date"),
        Field("instructions", required=False),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        errors = check_assignment(step, cleaned, leader_later=True)
        if cleaned["plan_due"] < step.today.isoformat():
            errors.setdefault("plan_due", []).append(N_("方案报送期限不能早于今天"))
        if cleaned["deadline"] and cleaned["plan_due"] > cleaned["deadline"]:  # the plan leads up to the deadline
            errors.setdefault("plan_due", []).append(N_("方案报送期限不能晚于整改时限"))
        if errors:
            step.verify(errors)  # with the lead leader's, if it was left for later
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        task = step.the_task
        before = assignment_summary(task)
        apply_assignment(step, data)
        after = assignment_summary(task)
        step.audit("task.assigned", ("task", task.id), f"交办 {task.code}，方案报送期限 {data['plan_due']}",
                   before=before, after=after)
        if (before["deadline_kind"], before["deadline"]) != (after["deadline_kind"], after["deadline"]):
            restart_deadline_watch(step)
        return {"deadline": data["deadline"], "plan_due": data["plan_due"]}


KNOWN_UNITS = select(Unit.id).where(Unit.id.in_(bindparam("ids", expanding=True)))
ACTIVE_LEADER = select(User.id).where(User.id == bindparam("id"), User.role == "leader", User.active.is_(True))


def check_assignment(step: Step, cleaned: dict[str, Any], leader_later: bool = False) -> dict[str, list[str]]:
    """Cross-field and database checks shared by registration and assignment.

    The lead leader must be an active leader. With `leader_later` (a caller that calls step.verify before it
    commits), when the task has that leader already (nothing of it is written), the check is left to step.verify:
    its read goes with the step's writes, one round trip less. A new leader is checked at once: an unknown id must
    not reach the task's row.
    """
    errors: dict[str, list[str]] = {}
    leader = read_ahead(step.session, ACTIVE_LEADER, {"id": cleaned["lead_leader_id"]})  # goes with the next read
    named = {cleaned["lead_unit_id"], *cleaned["cooperating_unit_ids"]}
    known = step.task.unit_ids() & named if step.task is not None else set()  # a task's units exist (foreign keys)
    if named - known:
        known |= set(step.session.scalars(KNOWN_UNITS, {"ids": list(named - known)}))
    if cleaned["lead_unit_id"] not in known:
        errors["lead_unit_id"] = [N_("没有这个单位")]
    if cleaned["lead_unit_id"] in cleaned["cooperating_unit_ids"]:
        errors["cooperating_unit_ids"] = [N_("配合单位不能包含牵头单位")]
    unknown = [i for i in cleaned["cooperating_unit_ids"] if i not in known]
    if unknown:
        errors["cooperating_unit_ids"] = [N_("没有这个单位")]
    if leader_later and step.task is not None and step.task.lead_leader_id == cleaned["lead_leader_id"]:
        step.check_later(lambda: leader_errors(step, leader))
    else:
        errors.update(leader_errors(step, leader))
    kind = DeadlineKind(cleaned["deadline_kind"])
    if kind is DeadlineKind.DATE and not cleaned["deadline"]:
        errors["deadline"] = [N_("请填写整改时限")]
    if kind is DeadlineKind.STANDING:
        cleaned["deadline"] = None
    return errors


def leader_errors(step: Step, leader: Answer) -> dict[str, list[str]]:
    return {} if leader.first_row(step.session) is not None else {"lead_leader_id": [N_("请选择一位牵头市领导")]}


def apply_assignment(step: Step, data: dict[str, Any]) -> None:
    """The task's units, leader and deadline as assigned; what is already so is left alone (nothing to flush)."""
    task = step.the_task
    values = {"lead_unit_id": data["lead_unit_id"], "lead_leader_id": data["lead_leader_id"],
              "deadline_kind": DeadlineKind(data["deadline_kind"]),
              "deadline": date.fromisoformat(data["deadline"]) if data["deadline"] else None}
    for name, value in values.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
    if sorted(task.cooperating_unit_ids()) != sorted(data["cooperating_unit_ids"]):  # kept as a set (no order)
        task.cooperating_units = [step.session.get(Unit, i) for i in data["cooperating_unit_ids"]]  # type: ignore[misc]
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
    fields = (
        Field("content"),
        Field("milestones"),
        Field("completion_date", "date", required=False),
        Field("contact", "line"),
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


class DecisionHandler(FormHandler):
    """A decision on a document: the approving choice moves it on, the other sends it back."""

    approving = ""
    declining = ""
    extra_fields: tuple[Field, ...] = ()

    @property
    def fields(self) -> tuple[Field, ...]:  # type: ignore[override]
        return (Field("decision", "choice", choices=(self.approving, self.declining)),
                Field("comment", required=False), *self.extra_fields)

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        require_comment_unless(cleaned, self.approving)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        approved = data["decision"] == self.approving
        self.decide(step, data, approved)
        return {"decision": data["decision"]}

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        raise NotImplementedError


def latest_plan(step: Step) -> ImplementationPlan:
    plan = step.session.scalar(select(ImplementationPlan).where(ImplementationPlan.task_id == step.the_task.id)
                               .order_by(ImplementationPlan.revision.desc()).limit(1))
    if plan is None:
        raise InvalidSubmission({"decision": [N_("还没有实施方案")]})
    return plan


class PlanSignHandler(DecisionHandler):
    """签发: the unit head sends the plan up, or back to the drafter."""

    name, approving, declining = "plan_sign", "submit", "back"

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
    fields = (
        Field("progress"),
        Field("percent_complete", "int", low=0, high=100),
        Field("problems", required=False),
        Field("next_steps", required=False),
    )

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        report = current_report(step)
        write_loaded(step.session, report, {
            "progress": data["progress"], "percent_complete": data["percent_complete"],
            "problems": data["problems"] or "", "next_steps": data["next_steps"] or "",
            "status": ReportStatus.DRAFTED, "drafted_by_id": step.actor.user_id, "drafted_at": step.now})
        step.audit("report.drafted", ("report", report.id),
                   f"填报 {report.period} 月度进展（完成 {report.percent_complete}%）")
        return {}


class ReportSignHandler(DecisionHandler):
    name, approving, declining = "report_sign", "submit", "back"

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        report = current_report(step)
        if approved:
            write_loaded(step.session, report, {"status": ReportStatus.SUBMITTED,
                                                "submitted_at": report.submitted_at or step.now})
        else:
            write_loaded(step.session, report, {"status": ReportStatus.RETURNED, "review_comment": data["comment"]})
        step.audit("report.signed" if approved else "report.sent_back", ("report", report.id),
                   f"单位负责人{'签发' if approved else '退回'} {report.period} 月度进展"
                   + (f"：{data['comment']}" if data["comment"] else ""))


class ReportReviewHandler(DecisionHandler):
    """The supervisor accepts the month's report (possibly marking it lagging) or returns it."""

    name, approving, declining = "report_review", "accept", "return"
    extra_fields = (Field("lagging", "bool", required=False),)

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        report = current_report(step)
        write_loaded(step.session, report, {
            "status": ReportStatus.ACCEPTED if approved else ReportStatus.RETURNED, "reviewed_at": step.now,
            "review_comment": data["comment"] or "", "lagging": bool(approved and data["lagging"])})
        verdict = ("通过（进度滞后）" if report.lagging else "通过") if approved else "退回"
        step.audit("report.accepted" if approved else "report.returned", ("report", report.id),
                   f"{report.period} 月度进展审核{verdict}" + (f"：{data['comment']}" if data["comment"] else ""),
                   after={"lagging": report.lagging})
        if report.lagging:
            comment = f"：{data['comment']}" if data["comment"] else ""
            raise_trigger(step, EscalationTriggerKind.LAGGING,
                          f"{period_label(report.period)}月度进展经审核认定进度滞后{comment}")


CHASE_METHODS = {"phone": "电话催报", "notice": "书面催报", "onsite": "现场督导"}


class ReportChaseHandler(FormHandler):
    """催报: the supervisor follows up an overdue report and records how."""

    name = "report_chase"
    fields = (Field("method", "choice", choices=tuple(CHASE_METHODS)), Field("note"))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        report = current_report(step)
        method = CHASE_METHODS[data["method"]]
        step.audit("report.chased", ("report", report.id), f"{method} {report.period} 月度进展：{data['note']}")
        notify_unit(step, "report_chased", f"{step.the_task.code} 整改督办组{method}：{data['note']}")
        return {}


class OverdueActionHandler(FormHandler):
    """超期督办: the deadline passed without sign-off; the supervisor urges the unit or extends the deadline."""

    name = "overdue_action"
    fields = (Field("decision", "choice", choices=("urge", "extend")), Field("new_deadline", "date", required=False),
              Field("comment"))

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
            return {"decision": "extend", "deadline": data["new_deadline"]}
        step.audit("task.urged", ("task", task.id), f"超期督办：{data['comment']}")
        notify_unit(step, "urged", f"{task.code} 超期督办意见：{data['comment']}")
        return {"decision": "urge"}


CORE_HANDLERS: tuple[FormHandler, ...] = (
    AssignHandler(), PlanDraftHandler(), PlanSignHandler(), PlanReviewHandler(),
    ReportSubmitHandler(), ReportSignHandler(), ReportReviewHandler(), ReportChaseHandler(),
    OverdueActionHandler(),
)
