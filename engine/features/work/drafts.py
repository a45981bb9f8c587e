"""暂存: a long form saved unfinished, one draft per work item and person, resumed when the person opens it again.

A draft is what the person typed, kept as text within each field's length; it is checked only when the form is
submitted, and it never counts as submitted: the work item stays open and nothing of the domain changes.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, select

from engine.core.actor import Actor
from engine.core.errors import InvalidSubmission
from engine.core.fields import HANDLED_ELSEWHERE, Field
from engine.core.text import N_, without_controls
from engine.store.database import Session
from engine.store.models import HumanTask, WorkDraft
from engine.workflow.forms import FormHandler
from engine.workflow.step import Step


def draft_data(handler: FormHandler, data: dict[str, Any]) -> dict[str, Any]:
    """What of a submission a draft keeps: the form's own fields, as text no longer than each allows."""
    if not handler.keeps_drafts:
        raise InvalidSubmission({"form": [N_("这张表单不能暂存")]})
    return {field.name: _kept(field, data.get(field.name)) for field in handler.fields
            if field.kind not in HANDLED_ELSEWHERE and data.get(field.name) not in (None, "", [])}


def _kept(field: Field, value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [without_controls(str(item))[:field.longest] for item in value]
    return without_controls(str(value))[:field.longest]


def save_draft(step: Step, data: dict[str, Any]) -> WorkDraft:
    """Keep (or replace) the person's draft of the step's work item; audited, the work stays open."""
    work = step.the_work
    draft = step.session.scalar(select(WorkDraft).where(WorkDraft.work_id == work.id,
                                                        WorkDraft.user_id == step.actor.user_id))
    if draft is None:
        draft = WorkDraft(work_id=work.id, user_id=step.actor.user_id, data=data, saved_at=step.now)
        step.session.add(draft)
    else:
        draft.data, draft.saved_at = data, step.now
    step.session.flush()
    step.audit("work.draft_saved", ("human_task", work.id), f"暂存「{work.name}」", after={"fields": sorted(data)})
    return draft


def discard_draft(step: Step) -> bool:
    """The person gives up their draft of the step's work item (audited); False when they had none."""
    work = step.the_work
    draft = draft_of(step.session, step.actor, work)
    if draft is None:
        return False
    step.session.delete(draft)
    step.audit("work.draft_discarded", ("human_task", work.id), f"放弃暂存「{work.name}」",
               before={"fields": sorted(draft.data)})
    return True


def resumed(handler: FormHandler, draft: WorkDraft) -> dict[str, Any]:
    """A draft as a form starts from it: dates as dates, a date that no longer reads as one left out."""
    kinds = {field.name: field.kind for field in handler.fields}
    values: dict[str, Any] = {}
    for name, value in draft.data.items():
        if kinds.get(name) == "date":
            try:
                values[name] = date.fromisoformat(str(value))
            except ValueError:
                continue
        else:
            values[name] = value
    return values


_DRAFT = select(WorkDraft).where(WorkDraft.work_id == bindparam("work_id"), WorkDraft.user_id == bindparam("user_id"))


def draft_of(session: Session, actor: Actor, work: HumanTask) -> WorkDraft | None:
    return session.scalar(_DRAFT, {"work_id": work.id, "user_id": actor.user_id})


def discard_drafts(session: Session, work: HumanTask) -> None:
    """The work is done: its drafts, everyone's, have served."""
    session.execute(delete(WorkDraft).where(WorkDraft.work_id == work.id))
