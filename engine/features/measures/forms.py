"""The user-task forms of workflows/measure.bpmn: the lead unit's report, its review, the yearly review."""
from __future__ import annotations

from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, labels_of
from engine.core.statuses import MeasureRating, MeasureReportStatus
from engine.core.text import N_
from engine.features.measures.actions import tell_unit
from engine.features.measures.colours import owed_by
from engine.features.measures.periods import period_label
from engine.features.measures.records import measure_of, report_of
from engine.store.models import MeasureReport, MeasureReview
from engine.workflow.forms import DecisionHandler, FormHandler
from engine.workflow.step import Step

REPORT_FIELDS = (
    Field("work_done", label=N_("本期主要工作")),
    Field("progress", label=N_("进展成效")),
    Field("problems", required=False, label=N_("存在的问题")),
    Field("next_steps", required=False, label=N_("下一步打算")),
    Field("evidence", required=False, label=N_("佐证材料"),
          help=N_("印发的文件、制度、会议纪要等的名称和文号")),
)


def current_report(step: Step) -> MeasureReport:
    report = report_of(step)
    if report is None:
        raise InvalidSubmission({"work_done": [N_("本期报告尚未发起")]})
    return report


class MeasureReportHandler(FormHandler):
    """The lead unit's report on a measure for one period."""

    name = "measure_report_submit"
    keeps_drafts = True
    fields = REPORT_FIELDS

    def context(self, step: Step) -> dict[str, Any]:
        return {"report": report_of(step)}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        report = current_report(step)
        for name in ("work_done", "progress", "problems", "next_steps", "evidence"):
            setattr(report, name, data[name] or "")
        report.status = MeasureReportStatus.SUBMITTED
        report.submitted_by_id, report.submitted_at = step.actor.user_id, step.now
        step.audit("measure_report.submitted", ("measure_report", report.id),
                   f"报送强化措施 {report.measure.code} {period_label(report.period)}工作报告"
                   + ("（退回后重报）" if report.returns else ""),
                   after={name: data[name] or "" for name in ("work_done", "progress", "problems", "next_steps")})
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        """A returned report comes back as it was sent."""
        report = report_of(step)
        if report is None or report.submitted_at is None:
            return None
        return {name: getattr(report, name) for name in ("work_done", "progress", "problems", "next_steps", "evidence")}


class MeasureReportReviewHandler(DecisionHandler):
    """The supervision group accepts the period's report or returns it with its reasons."""

    name, approving, declining = "measure_report_review", "accept", "return"
    choice_labels = (N_("审核通过"), N_("退回重报"))

    def context(self, step: Step) -> dict[str, Any]:
        return {"report": report_of(step)}

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        """A returned report is due again a few days after its return (the form it reopens says so)."""
        variables = super().apply(step, data)
        report = current_report(step)
        return {**variables, "due": owed_by(report, step.settings).isoformat()}

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        report = current_report(step)
        report.status = MeasureReportStatus.ACCEPTED if approved else MeasureReportStatus.RETURNED
        report.reviewed_by_id, report.reviewed_at = step.actor.user_id, step.now
        report.review_comment = data["comment"] or ""
        if not approved:
            report.returns += 1
        step.audit("measure_report.accepted" if approved else "measure_report.returned",
                   ("measure_report", report.id),
                   f"强化措施 {report.measure.code} {period_label(report.period)}工作报告"
                   f"{'审核通过' if approved else '退回重报'}" + (f"：{data['comment']}" if data["comment"] else ""))
        if not approved:
            tell_unit(step, report.measure, "returned", N_("强化措施 %(code)s 工作报告被退回：%(reason)s",
                                                           code=report.measure.code, reason=data["comment"]))


class MeasureReviewHandler(FormHandler):
    """年度评估: the supervision group's judgement of the measure's year, with its opinion."""

    name = "measure_review"
    fields = (Field("rating", "choice", choices=labels_of(MeasureRating), label=N_("评估等次")),
              Field("opinion", label=N_("评估意见")))

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        measure = measure_of(step)
        year = int(step.the_instance.business_key.rpartition(":")[2])
        rating = MeasureRating(data["rating"])
        review = MeasureReview(measure_id=measure.id, instance_id=step.the_instance.id, year=year, rating=rating,
                               opinion=data["opinion"], reviewed_by_id=step.actor.user_id, reviewed_at=step.now)
        step.session.add(review)
        step.session.flush()
        step.audit("measure_review.recorded", ("measure_review", review.id),
                   f"强化措施 {measure.code} {year}年度评估：{rating.label}。{data['opinion']}",
                   after={"rating": rating.value, "year": year})
        return {"rating": rating.value}


HANDLERS: tuple[FormHandler, ...] = (MeasureReportHandler(), MeasureReportReviewHandler(), MeasureReviewHandler())
