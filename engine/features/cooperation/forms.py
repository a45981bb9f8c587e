"""The steps of workflows/cooperation.bpmn: a contribution requested with the lead unit's report, given by the
cooperating unit, or found missing when its date passed."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.fields import Field, attachments_field
from engine.core.periods import period_label, period_text
from engine.core.statuses import ContributionStatus
from engine.core.text import N_, chinese_date, marked_date
from engine.features.notifications.notices import notify
from engine.features.rectification.events import ReportRequested, ReportSubmitted
from engine.features.rectification.notices import notify_unit
from engine.store.models import Contribution, RectificationTask
from engine.workflow.forms import FormHandler
from engine.workflow.registry import Action
from engine.workflow.step import Step

COOPERATION_PROCESS = "cooperation"
KEY_PREFIX = "HB-"
UNIT_ROLES = ("unit_staff", "unit_head")
#: a contribution's state, as the history says it
CONTRIBUTION_WORDS = {ContributionStatus.REQUESTED: "尚未报送", ContributionStatus.GIVEN: "已报送",
                      ContributionStatus.MISSING: "逾期未报"}


def contributing_unit(step: Step) -> int | None:
    """The cooperating unit a cooperation instance's step is for (its business key names the contribution)."""
    instance = step.instance
    if instance is None or instance.process_id != COOPERATION_PROCESS:
        return None
    # the contribution was usually just written in this transaction: get() finds it without a query
    contribution = step.session.get(Contribution, int(instance.business_key.removeprefix(KEY_PREFIX)))
    return contribution.unit_id if contribution is not None else None


def contribution_of(step: Step) -> Contribution:
    found = step.session.scalar(select(Contribution).where(Contribution.instance_id == step.the_instance.id))
    if found is None:
        raise LookupError(f"no contribution for instance {step.the_instance.id}")
    return found


def request_contributions(step: Step, event: ReportRequested) -> None:
    """The lead unit's report of a month is requested: each cooperating unit owes its contribution first."""
    task: RectificationTask = step.the_task
    due = max(date.fromisoformat(event.due) - timedelta(days=step.settings.contribution_days_before_report),
              step.today)
    for unit in task.cooperating_units:
        contribution = Contribution(task_id=task.id, unit_id=unit.id, period=event.period, due_on=due,
                                    status=ContributionStatus.REQUESTED, requested_at=step.now)
        step.session.add(contribution)
        step.session.flush()
        instance = step.processes.start(step, COOPERATION_PROCESS, {"due_on": due.isoformat()},
                                        business_key=f"{KEY_PREFIX}{contribution.id}")
        contribution.instance_id = instance.id
        step.audit("contribution.requested", ("contribution", contribution.id),
                   f"请配合单位{unit.name}于{chinese_date(due)}前报送{period_label(event.period)}配合工作情况")
        text = N_("%(code)s 请于 %(due)s 前报送%(period)s配合工作情况（牵头单位 %(lead)s）", code=task.code,
                  due=marked_date(due), period=period_text(event.period), lead=task.lead_unit.name)
        for role in UNIT_ROLES:
            notify(step.for_instance(instance), role, "contribution_requested", text, unit_id=unit.id)


def report_with_contributions(step: Step, event: ReportSubmitted) -> None:
    """The lead unit sends up its report with the cooperating units' contributions: the history says which."""
    contributions = step.session.scalars(select(Contribution).where(
        Contribution.task_id == step.the_task.id, Contribution.period == event.period).order_by(Contribution.id))
    said = "、".join(f"{c.unit.name}（{CONTRIBUTION_WORDS[c.status]}）" for c in contributions)
    if said:
        step.audit("report.contributions", ("task", step.the_task.id),
                   f"{period_label(event.period)}月度进展连同配合单位情况一并报送：{said}")


class ContributeHandler(FormHandler):
    """报送配合工作情况: what the cooperating unit did for the task this month."""

    name = "cooperation_contribute"
    fields = (Field("content", label=N_("本月配合工作情况"),
                    help=N_("本单位本月为该任务开展的工作、取得的进展和存在的问题")), attachments_field())

    def context(self, step: Step) -> dict[str, Any]:
        return {"contribution": contribution_of(step)}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        contribution = contribution_of(step)
        contribution.status, contribution.content = ContributionStatus.GIVEN, data["content"]
        contribution.given_by_id, contribution.given_at = step.actor.user_id, step.now
        step.audit("contribution.given", ("contribution", contribution.id),
                   f"{contribution.unit.name}报送{period_label(contribution.period)}配合工作情况：{data['content']}",
                   after={"status": contribution.status.value})
        return {}


def mark_contribution_missing(step: Step, data: dict[str, Any]) -> None:
    """The date passed without the contribution: the lead unit, the supervision group and the unit are told."""
    contribution = contribution_of(step)
    contribution.status = ContributionStatus.MISSING
    unit = contribution.unit.name
    step.audit("contribution.missing", ("contribution", contribution.id),
               f"配合单位{unit}逾期未报送{period_label(contribution.period)}配合工作情况"
               f"（时限 {chinese_date(contribution.due_on)}）",
               after={"status": contribution.status.value})
    text = N_("%(code)s 配合单位 %(unit)s 逾期未报送%(period)s配合工作情况", code=step.the_task.code, unit=unit,
              period=period_text(contribution.period))
    notify_unit(step, "contribution_missing", text)
    notify(step, "supervisor", "contribution_missing", text)
    for role in UNIT_ROLES:
        notify(step, role, "contribution_missing", text, unit_id=contribution.unit_id)


HANDLERS: tuple[FormHandler, ...] = (ContributeHandler(),)
ACTIONS: dict[str, Action] = {"mark_contribution_missing": mark_contribution_missing}
