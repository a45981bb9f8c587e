"""Texts duban drafts from a task's (or a complaint case's) record for people to edit: the notice (通报) and the
exposure (曝光).

"What is late, since when" is read from the record: reports still not in, the deadline, reports
judged lagging, and the triggers of the escalation; never from anyone's memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import LOCAL_TZ
from engine.core.periods import period_label
from engine.core.statuses import EscalationLevel, ReportStatus
from engine.features.escalation.triggers import Subject, past_escalations
from engine.store.models import ComplaintCase, Escalation, ProgressReport, RectificationTask

OFFICE = "整改工作领导小组办公室"
ADDRESSEES = "各县（区）人民政府、园区管委会，市级有关部门：\n"


@dataclass(frozen=True)
class Draft:
    title: str
    text: str


def problems(session: Session, escalation: Escalation, today: date, internal: bool = True) -> list[str]:
    """What is wrong with the task today, each with since when. If nothing is wrong today (fixed meanwhile,
    or a reason no record shows, such as a site visit), what set the escalation off: for the public, only
    what happened, not who inside raised it."""
    task, case = escalation.task, escalation.case
    if case is not None:
        lines = _case_late(case, today)
    else:
        lines = [*_overdue_reports(session, task, today), *_deadline(task, today), *_lagging(session, task)]
    if not lines and case is not None and not internal:
        lines = [str(trigger.kind.label) for trigger in escalation.triggers]  # a review's comments stay inside
    if not lines:
        lines = [f"{_local_day(trigger.occurred_at)} {trigger.kind.label}：{trigger.detail}" if internal
                 else trigger.detail for trigger in escalation.triggers]
    return lines


def _case_late(case: ComplaintCase, today: date) -> list[str]:
    if not case.status.is_open() or today <= case.report_due:
        return []
    return [f"办理结果应于 {case.report_due.isoformat()} 前报告，已逾期 {(today - case.report_due).days} 天仍未办结"]


def _local_day(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).date().isoformat()


def _overdue_reports(session: Session, task: RectificationTask, today: date) -> list[str]:
    reports = session.scalars(select(ProgressReport).where(
        ProgressReport.task_id == task.id, ProgressReport.overdue.is_(True),
        ProgressReport.submitted_at.is_(None), ProgressReport.status != ReportStatus.CANCELLED)
        .order_by(ProgressReport.period))
    return [f"{period_label(r.period)}月度进展逾期未报（应于 {r.due_date.isoformat()} 前报送，"
            f"已逾期 {(today - r.due_date).days} 天）" for r in reports]


def _deadline(task: RectificationTask, today: date) -> list[str]:
    if task.deadline is None or not task.deadline_kind.has_date() or today <= task.deadline:
        return []
    return [f"已超过整改时限（{task.deadline.isoformat()}）{(today - task.deadline).days} 天，尚未完成销号"]


def _lagging(session: Session, task: RectificationTask) -> list[str]:
    periods = session.scalars(select(ProgressReport.period).where(
        ProgressReport.task_id == task.id, ProgressReport.lagging.is_(True)).order_by(ProgressReport.period))
    return [f"{period_label(period)}月度进展经审核认定进度滞后" for period in periods]


def _numbered(lines: list[str]) -> str:
    lines = [line.rstrip("。；;.， ") for line in lines]
    return "\n".join(f"{number}. {line}；" if number < len(lines) else f"{number}. {line}。"
                     for number, line in enumerate(lines, 1))


def _earlier(session: Session, escalation: Escalation) -> str:
    levels = sorted({past.level for past in past_escalations(session, Subject.of(escalation))
                     if past.decided_at != escalation.decided_at})
    return "、".join(level.label for level in levels)


def _history(session: Session, escalation: Escalation, still: str = "") -> str:
    """"此前已对该单位予以通报、约谈，…" when the ladder counts earlier levels, else nothing."""
    earlier = _earlier(session, escalation)
    return f"此前已对该单位予以{earlier}，{still}" if earlier else ""


def _signed(issuer: str, today: date) -> str:
    return f"{issuer or OFFICE}\n{today.year}年{today.month}月{today.day}日"


def _deadline_text(task: RectificationTask) -> str:
    if task.deadline is None or not task.deadline_kind.has_date():
        return "长期坚持"
    return task.deadline.isoformat()


def notice(session: Session, escalation: Escalation, today: date, issuer: str = "") -> Draft:
    """通报: for the coordinator to edit and issue."""
    if escalation.case is not None:
        return _case_notice(session, escalation, escalation.case, today, issuer)
    task, unit = escalation.task, escalation.unit.name
    history = _history(session, escalation, "但整改仍不到位。")
    text = (
        f"{ADDRESSEES}　　{unit}牵头负责中央生态环境保护督察反馈问题整改任务“{task.code} {task.title}”"
        f"（牵头市领导：{task.lead_leader.display_name}），整改时限为 {_deadline_text(task)}。"
        f"截至 {today.isoformat()}，该任务存在以下问题：\n"
        f"{_numbered(problems(session, escalation, today))}\n"
        f"　　{history}经牵头市领导批准，现对{unit}予以通报。请{unit}深刻剖析原因，压实整改责任，立即采取有效措施"
        "加快整改进度，并在 5 个工作日内报送整改承诺（整改措施和完成时限）。各地各部门要引以为戒、举一反三，"
        f"确保按期完成整改任务。\n\n{_signed(issuer, today)}"
    )
    return Draft(f"关于{unit}“{task.code} {task.title}”整改任务推进不力的通报", text)


def exposure(session: Session, escalation: Escalation, today: date) -> Draft:
    """曝光: for the publicity group to edit and publish. Public: no internal comments, no names."""
    if escalation.case is not None:
        return _case_exposure(session, escalation, escalation.case, today)
    task, unit = escalation.task, escalation.unit.name
    history = _history(session, escalation)
    text = (
        f"中央生态环境保护督察反馈问题整改任务“{task.code} {task.title}”由{unit}牵头负责，"
        f"整改时限为 {_deadline_text(task)}。经督查，截至 {today.isoformat()}，该任务存在以下问题：\n"
        f"{_numbered(problems(session, escalation, today, internal=False))}\n"
        f"{history}整改仍未到位。现予以公开曝光，接受社会监督。{unit}须立即整改，整改进展将持续公开。"
    )
    return Draft(f"{unit}“{task.title}”整改推进不力", text)


def _case_notice(session: Session, escalation: Escalation, case: ComplaintCase, today: date, issuer: str) -> Draft:
    unit, code = escalation.unit.name, escalation.subject_code
    history = _history(session, escalation, "但办理仍不到位。")
    text = (
        f"{ADDRESSEES}　　督察组转办的信访件 {code}（{escalation.subject_title}）交由{unit}办理，"
        f"办理结果应于 {case.report_due.isoformat()} 前报告。截至 {today.isoformat()}，该件存在以下问题：\n"
        f"{_numbered(problems(session, escalation, today))}\n"
        f"　　{history}经批准，现对{unit}予以通报。请{unit}立即查处到位，在 5 个工作日内报送办理结果和整改承诺，"
        f"做到件件有着落、事事有回音。\n\n{_signed(issuer, today)}"
    )
    return Draft(f"关于{unit}信访件 {code} 办理不力的通报", text)


def _case_exposure(session: Session, escalation: Escalation, case: ComplaintCase, today: date) -> Draft:
    """Public: the case's number, place and kind of pollution, never what the complainant wrote or who they are."""
    unit, code = escalation.unit.name, escalation.subject_code
    history = _history(session, escalation)
    text = (
        f"中央生态环境保护督察组转办的信访件 {code}（{escalation.subject_title}）由{unit}办理，"
        f"办理结果应于 {case.report_due.isoformat()} 前报告。经督查，截至 {today.isoformat()}，该件存在以下问题：\n"
        f"{_numbered(problems(session, escalation, today, internal=False))}\n"
        f"{history}办理仍未到位。现予以公开曝光，接受社会监督。{unit}须立即查处，办理结果将随批次公开。"
    )
    return Draft(f"{unit}信访件 {code} 办理不力", text)


def interviewees(escalation: Escalation) -> str:
    return f"{escalation.unit.name}主要负责人、分管负责人"


def level_label(value: int | None) -> str:
    return EscalationLevel(value).label if value else ""
