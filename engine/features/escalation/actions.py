"""Service tasks of workflows/escalation.bpmn (duban:action)."""
from __future__ import annotations

from typing import Any

from engine.core.statuses import EscalationTriggerKind
from engine.core.text import N_, Text
from engine.features.escalation.triggers import Subject, escalation_of, raise_on
from engine.features.notifications.notices import notify
from engine.store.models import AccountabilityCase
from engine.workflow.registry import Action
from engine.workflow.step import Step


def refer_for_accountability(step: Step, data: dict[str, Any]) -> None:
    """追责 approved: the case goes to the discipline commission with the proposal's reasons and evidence."""
    escalation = escalation_of(step)
    step.session.add(AccountabilityCase(escalation_id=escalation.id, referred_at=step.now))
    step.audit("escalation.referred", ("escalation", escalation.id),
               f"移送纪委监委追责：{escalation.unit.name}，{escalation.reasons}")
    notify(step, "discipline", "accountability_referred",
           N_("%(code)s %(unit)s 整改不力，移送追责，请调查处理", code=escalation.subject_code,
              unit=Text(escalation.unit.name)))  # a unit's name, in English too if the catalog has it


def escalate_again(step: Step, data: dict[str, Any]) -> None:
    """The supervisor found the work still lagging: a new escalation of the same task or case, one step up the
    ladder by default."""
    escalation = escalation_of(step)
    detail = f"第 {escalation.id} 号督办问责（{escalation.level.label}）后整改仍不到位：{escalation.closing_comment}"
    raise_on(step, Subject.of(escalation), EscalationTriggerKind.REPEATED, detail, predecessor=escalation)


ACTIONS: dict[str, Action] = {
    "refer_for_accountability": refer_for_accountability,
    "escalate_again": escalate_again,
}
