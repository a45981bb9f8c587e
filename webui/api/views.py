"""The engine's answers as the API says them (schemas.py): codes with their labels in the reader's language."""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from engine.core.actor import Actor
from engine.core.fields import Field
from engine.features.audit.labels import action_label
from engine.features.escalation.queries import EscalationPage as EngineEscalationPage
from engine.features.escalation.queries import EscalationRegister
from engine.features.rectification.queries import LedgerPage
from engine.features.reporting.dashboard import Dashboard, GroupRow, StatusCounts
from engine.features.work.inbox import InboxEntry, InboxPage
from engine.features.work.subjects import AnyWorkItem, Subject, entry_subject, subject_of
from engine.features.work.task_page import TaskPage
from webui.api import schemas
from webui.extensions import engine
from webui.i18n import translated


def labelled(member: enum.Enum) -> schemas.Labelled:
    return schemas.Labelled(value=str(member.value), label=translated(member.label))  # type: ignore[attr-defined]


def inbox(page: InboxPage) -> schemas.InboxPage:
    items = [_inbox_item(entry, entry_subject(entry)) for entry in page.entries]
    kinds = [schemas.InboxKind(form=kind.form, name=translated(kind.name), count=kind.count) for kind in page.kinds]
    return schemas.InboxPage(items=items, kinds=kinds, total=page.total, page=page.page, pages=page.pages)


def _inbox_item(entry: InboxEntry, about: Subject | None) -> schemas.InboxItem:
    return schemas.InboxItem(
        id=entry.work.id, name=translated(entry.work.name), form=entry.work.form,
        subject=subject(about) if about else None, task_id=entry.work.task_id,
        task_code=about.code if about else "", task_title=about.title if about else "",
        unit=entry.work.task.lead_unit.name if entry.work.task else "", period=entry.period, due_at=entry.work.due_at,
        overdue=entry.overdue, arrived_at=entry.work.created_at, returned=entry.work.returned_at is not None,
        return_reason=entry.work.return_reason)


def task_summary(task: Any, current_steps: Iterable[str], last_report: str | None) -> dict[str, Any]:
    return {"id": task.id, "code": task.code, "title": task.title, "category": task.category.name,
            "status": labelled(task.status), "warning": labelled(task.warning), "lead_unit": task.lead_unit.name,
            "lead_leader": task.lead_leader.display_name,
            "deadline": schemas.Deadline(kind=labelled(task.deadline_kind), date=task.deadline,
                                         text=task.deadline_text),
            "current_steps": [translated(step) for step in current_steps], "last_report": last_report}


def ledger(page: LedgerPage) -> schemas.TaskPage:
    items = [schemas.TaskSummary(**task_summary(row.task, row.current_steps,
                                                row.last_report.period if row.last_report else None))
             for row in page.rows]
    return schemas.TaskPage(items=items, total=page.total, page=page.page, pages=page.pages)


def steps(open_work: Iterable[Any], mine: Iterable[Any]) -> list[schemas.Step]:
    my_ids = {work.id for work in mine}
    return [schemas.Step(id=work.id, name=translated(work.name), role=translated(engine().roles.role_name(work.role)),
                         unit=work.unit.name if work.unit else "", due_at=work.due_at, mine=work.id in my_ids)
            for work in open_work if not work.standing]


def history(events: Iterable[Any]) -> list[schemas.HistoryEvent]:
    return [schemas.HistoryEvent(at=event.at, actor=event.actor_name, action=event.action,
                                 label=translated(action_label(event.action) or event.action), summary=event.summary)
            for event in events]


def reports(page: TaskPage) -> list[schemas.MonthlyReport]:
    return [schemas.MonthlyReport(
        period=report.period, status=labelled(report.status), due_date=report.due_date, progress=report.progress,
        percent_complete=report.percent_complete, problems=report.problems, next_steps=report.next_steps,
        submitted_at=report.submitted_at, overdue=report.overdue, lagging=report.lagging,
        review_comment=report.review_comment) for report in page.reports]


def task_detail(page: TaskPage) -> schemas.TaskDetail:
    task = page.task
    open_steps = [work for work in page.open_work if not work.standing]
    facts = schemas.TaskFacts(
        problem=task.problem, target=task.target, measures=task.measures, instructions=task.instructions,
        cooperating_units=[unit.name for unit in task.cooperating_units], plan_due=task.plan_due,
        registered_at=task.registered_at, closed_at=task.closed_at, received_at=task.received_at,
        extensions=task.extensions)
    last = page.reports[-1].period if page.reports else None
    return schemas.TaskDetail(**task_summary(task, [work.name for work in open_steps], last), facts=facts,
                              steps=steps(page.open_work, page.my_work), history=history(page.history),
                              reports=reports(page))


def form_field(field: Field, offered: Iterable[Any] | None) -> schemas.FormField:
    """A field as the page asks it: its rules from the engine, its choices as the page's form offers them (units,
    leaders and categories from the records)."""
    choices = [schemas.Labelled(value=str(choice[0]), label=str(choice[1]))
               for choice in offered or () if choice[0] not in ("", None)] or None
    bounded = field.kind == "int"
    return schemas.FormField(name=field.name, kind=field.kind, required=field.required,
                             label=translated(field.label) if field.label else field.name,
                             help=translated(field.help) if field.help else "", choices=choices,
                             low=field.low if bounded else None, high=field.high if bounded else None,
                             max_length=field.longest if field.kind in ("text", "line") else None)


def subject(found: Subject) -> schemas.Subject:
    return schemas.Subject(kind=found.kind, id=found.id, code=found.code, title=found.title)


def work_item(item: AnyWorkItem, fields: Iterable[tuple[Field, Iterable[Any] | None]]) -> schemas.WorkItem:
    about = subject_of(item)
    return schemas.WorkItem(id=item.work.id, name=translated(item.work.name), form=item.work.form,
                            subject=subject(about), task_id=item.work.task_id, task_code=about.code,
                            task_title=about.title, due_at=item.work.due_at, return_reason=item.work.return_reason,
                            fields=[form_field(field, offered) for field, offered in fields],
                            initial=plain(getattr(item, "initial", None) or {}))


def subject_steps(actor: Actor, about: Subject) -> list[schemas.Step]:
    """What waits now on the subject, from its page (the task's, the case's, the measure's, the clue's)."""
    pages = {"task": engine().work.task_page, "case": engine().cases.page, "measure": engine().measures.page,
             "clue": engine().clues.page}
    page = pages[about.kind](actor, about.id)
    return steps(page.open_work, page.my_work)


def draft(found: Any) -> schemas.Draft:
    """A person's draft (a WorkDraft), or None."""
    return schemas.Draft(saved_at=found.saved_at if found else None, data=plain(found.data) if found else {})


def plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a form starts from, as JSON can say it."""
    def value(raw: Any) -> Any:
        if isinstance(raw, datetime) or hasattr(raw, "isoformat"):
            return raw.isoformat()
        if isinstance(raw, list | tuple):
            return [value(item) for item in raw]
        if isinstance(raw, dict):
            return {str(key): value(item) for key, item in raw.items()}
        return raw if raw is None or isinstance(raw, str | int | float | bool) else str(raw)
    return {str(key): value(raw) for key, raw in data.items()}


def escalation_summary(escalation: Any, current_steps: Iterable[str]) -> dict[str, Any]:
    level = escalation.approved_level or escalation.proposed_level or escalation.suggested_level
    return {"id": escalation.id, "task_id": escalation.task_id, "case_id": escalation.case_id,
            "task_code": escalation.subject_code, "task_title": escalation.subject_title, "unit": escalation.unit.name,
            "trigger": labelled(escalation.trigger),
            "status": labelled(escalation.status), "level": level, "opened_at": escalation.opened_at,
            "current_steps": [translated(step) for step in current_steps]}


def escalations(register: EscalationRegister) -> schemas.EscalationPage:
    items = [schemas.EscalationSummary(**escalation_summary(row.escalation, row.current_steps))
             for row in register.rows]
    return schemas.EscalationPage(items=items, total=register.total, page=register.page, pages=register.pages)


def escalation_detail(page: EngineEscalationPage) -> schemas.EscalationDetail:
    escalation = page.escalation
    open_steps = [work.name for work in page.open_work if not work.standing]
    return schemas.EscalationDetail(
        **escalation_summary(escalation, open_steps), reasons=escalation.reasons, evidence=escalation.evidence,
        decision=escalation.decision, decision_comment=escalation.decision_comment,
        commitment=escalation.commitment, complete_by=escalation.complete_by,
        steps=steps(page.open_work, page.my_work), history=history(page.history))


def counts(statuses: StatusCounts) -> list[schemas.Count]:
    return [schemas.Count(value=status.value, label=translated(status.label), count=count)
            for status, count in statuses.counts.items()]


def dashboard(board: Dashboard) -> schemas.Dashboard:
    warnings = [schemas.Count(value=level.value, label=translated(level.label), count=count)
                for level, count in board.warnings.items()]
    curve = [schemas.MonthFigure(period=point.period, closed_in_month=point.closed_in_month,
                                 statuses=counts(point.statuses)) for point in board.curve]
    return schemas.Dashboard(
        today=board.today, total=board.statuses.total, statuses=counts(board.statuses), warnings=warnings,
        overdue_tasks=board.overdue_tasks, overdue_reports=board.overdue_report_count,
        open_escalations=board.escalations.open, escalations_started=board.escalations.started,
        open_instructions=board.open_instructions, extended_tasks=board.extended_tasks,
        extensions=board.extensions, curve=curve, categories=groups(board.categories), units=groups(board.units),
        leaders=groups(board.leaders),
        overdue_report_list=[schemas.OverdueReport(task_id=report.task_id, code=report.code, title=report.title,
                                                   unit=report.unit, period=report.period,
                                                   due_date=report.due_date, days=report.days)
                             for report in board.overdue_reports])


def groups(rows: Iterable[GroupRow]) -> list[schemas.GroupFigures]:
    return [schemas.GroupFigures(id=row.id, label=translated(row.label), total=row.statuses.total,
                                 statuses=counts(row.statuses), red=row.red, yellow=row.yellow, overdue=row.overdue)
            for row in rows]
