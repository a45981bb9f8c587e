"""The forms of 延期申请 (workflows/extension.bpmn): the unit's request with its reasons and evidence, the
supervision group's review, and the leader's decision (approve, change the date, refuse)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, attachments_field, clean
from engine.core.statuses import ExtensionStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.extension.requests import check_may_request, check_not_involved, request_of
from engine.features.notifications.notices import notify
from engine.features.rectification.actions import restart_deadline_watch
from engine.features.rectification.notices import notify_unit
from engine.workflow.forms import FormHandler
from engine.workflow.step import Step


class RequestHandler(FormHandler):
    """The lead unit's officer asks for a new deadline, with reasons and evidence, before the deadline passes."""

    name = "extension_request"
    fields = (
        Field("decision", "choice", choices={"submit": N_("提交申请"), "withdraw": N_("撤回，不再申请")},
              label=N_("操作"), widget="radio"),
        Field("new_deadline", "date", required=False, label=N_("申请延至")),
        Field("reasons", required=False, label=N_("延期理由"), help=N_("客观原因、已完成的工作和新的完成计划")),
        attachments_field(N_("佐证材料")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] == "withdraw":
            return cleaned
        task = step.the_task
        check_may_request(step, task)
        errors: dict[str, list[Any]] = {}
        if not cleaned["new_deadline"]:
            errors["new_deadline"] = [N_("必填")]
        elif date.fromisoformat(cleaned["new_deadline"]) <= task.deadline:
            errors["new_deadline"] = [N_("申请的时限须晚于现整改时限（%(deadline)s）",
                                                 deadline=marked_date(task.deadline))]
        if not cleaned["reasons"]:
            errors["reasons"] = [N_("必填")]
        if errors:
            raise InvalidSubmission(errors)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        request = request_of(step)
        if data["decision"] == "withdraw":
            request.status = ExtensionStatus.WITHDRAWN
            step.audit("extension.withdrawn", ("extension", request.id), "撤回延期申请")
            return {"decision": "withdraw"}
        request.status, request.requested_at = ExtensionStatus.REVIEWING, step.now
        request.requested_deadline = date.fromisoformat(data["new_deadline"])
        request.reasons = data["reasons"]
        step.audit("extension.requested", ("extension", request.id),
                   f"申请将整改时限由 {chinese_date(request.old_deadline)}"
                   f"延至{chinese_date(request.requested_deadline)}：{request.reasons}",
                   after={"old": request.old_deadline.isoformat(), "requested": data["new_deadline"]})
        return {"decision": "submit"}

    def initial(self, step: Step) -> dict[str, Any] | None:
        return {"decision": "submit"}


class ReviewHandler(FormHandler):
    """The supervision group reviews the request and says what it thinks; a leader decides."""

    name = "extension_review"
    fields = (
        Field("opinion", "choice", choices={"support": N_("理由充分，建议同意"), "oppose": N_("理由不足，建议不同意")},
              label=N_("审核意见"), widget="radio"),
        Field("comment", label=N_("审核说明")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        check_not_involved(step.actor, request_of(step), step.the_task)
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        request = request_of(step)
        label = "建议同意" if data["opinion"] == "support" else "建议不同意"
        request.status, request.reviewed_by_id = ExtensionStatus.DECIDING, step.actor.user_id
        request.review = f"{label}：{data['comment']}"
        step.audit("extension.reviewed", ("extension", request.id), f"审核延期申请：{request.review}",
                   after={"opinion": data["opinion"]})
        return {}


class DecisionHandler(FormHandler):
    """The lead leader (or, beyond the extensions a task may have, the leading group's head) approves the new
    deadline, sets another one, or refuses; an extended deadline moves the task's deadline timers."""

    name = "extension_decide"
    fields = (
        Field("decision", "choice", choices={"approve": N_("同意延期"), "change": N_("同意延期，改定时限"),
                                             "refuse": N_("不同意延期")}, label=N_("审批意见"), widget="radio"),
        Field("granted_deadline", "date", required=False, label=N_("改定的整改时限"), help=N_("改定时限时必填")),
        Field("comment", required=False, label=N_("审批说明"), help=N_("不同意时必填")),
    )

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        request = request_of(step)
        check_not_involved(step.actor, request, step.the_task)
        if cleaned["decision"] == "change":
            granted = cleaned["granted_deadline"]
            if not granted:
                raise InvalidSubmission({"granted_deadline": [N_("改定时限时必填")]})
            if date.fromisoformat(granted) <= max(step.the_task.deadline, step.today):
                raise InvalidSubmission({"granted_deadline": [N_("改定的时限须晚于现整改时限和今天")]})
        if cleaned["decision"] == "refuse" and not cleaned["comment"]:
            raise InvalidSubmission({"comment": [N_("不同意时须说明理由")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        request, task = request_of(step), step.the_task
        request.decided_by_id, request.decided_at = step.actor.user_id, step.now
        request.decision_comment = data["comment"] or ""
        if data["decision"] == "refuse":
            request.status = ExtensionStatus.REFUSED
            step.audit("extension.refused", ("extension", request.id),
                       f"不同意延期：{request.decision_comment}，整改时限仍为 {chinese_date(task.deadline)}")
            notify_unit(step, "extension_refused", N_("%(code)s 延期申请未获同意，整改时限仍为 %(deadline)s",
                                                      code=task.code, deadline=marked_date(task.deadline)))
            return {"decision": "refuse"}
        assert request.requested_deadline is not None  # noqa: S101 - a request reaches a leader with its date
        granted = request.requested_deadline if data["decision"] == "approve" else date.fromisoformat(
            data["granted_deadline"])
        extend(step, request, granted, ExtensionStatus.APPROVED if data["decision"] == "approve"
               else ExtensionStatus.CHANGED)
        return {"decision": data["decision"]}


def extend(step: Step, request: Any, granted: date, status: ExtensionStatus) -> None:
    """The task's deadline moves: its deadline timers count to the new one, the old one never fires."""
    task = step.the_task
    old = task.deadline
    request.status, request.granted_deadline = status, granted
    task.deadline = granted
    task.extensions += 1
    step.audit("task.deadline_extended", ("task", task.id),
               f"同意延期：整改时限由 {chinese_date(old) if old else '未定'}延至{chinese_date(granted)}"
               f"（第 {task.extensions} 次延期）",
               before={"deadline": old.isoformat() if old else None},
               after={"deadline": granted.isoformat(), "extensions": task.extensions})
    restart_deadline_watch(step)
    notify_unit(step, "extension_granted", N_("%(code)s 延期申请已同意，整改时限延至 %(deadline)s",
                                              code=task.code, deadline=marked_date(granted)))
    notify(step, "supervisor", "extension_granted", N_("%(code)s 整改时限延至 %(deadline)s", code=task.code,
                                                       deadline=marked_date(granted)))


HANDLERS = (RequestHandler(), ReviewHandler(), DecisionHandler())
