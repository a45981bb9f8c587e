"""What a user task's form means: a handler per form name (duban:form), registered by its feature.

A handler validates the submitted data again (never trusting the web layer), writes the domain
record and returns the few variables the BPMN gateways read.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field, clean
from engine.core.text import N_
from engine.workflow.step import Step


class FormHandler:
    """Base: validate, apply to the domain, return the variables the BPMN needs."""

    name: str = ""
    fields: tuple[Field, ...] = ()
    #: a long form the person may save unfinished (暂存) and resume
    keeps_drafts: bool = False
    #: a form several work items may share one submission of (the same decision for many, at once)
    batchable: bool = False

    @property
    def files_field(self) -> str | None:
        """The field whose files the form takes (checked before `clean`, attached to the step after `apply`)."""
        return next((field.name for field in self.fields if field.kind == "files"), None)

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        return clean(self.fields, data)

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def context(self, step: Step) -> dict[str, Any]:
        """What the person needs beside the form, beyond the task page (a draft, the items to answer)."""
        return {}

    def initial(self, step: Step) -> dict[str, Any] | None:
        """What the form starts with (what is already on record, a drafted text), if anything."""
        return None

    def sent_back(self, data: dict[str, Any]) -> str | None:
        """Why this submission sends the work back to whoever did it before (退回), or None when it moves it on."""
        return None


class DecisionHandler(FormHandler):
    """A decision on a document: the approving choice moves it on, the other sends it back with a comment."""

    approving = ""
    declining = ""
    #: what the page shows for the approving and for the declining choice
    choice_labels: tuple[str, str] = ("", "")
    extra_fields: tuple[Field, ...] = ()

    @property
    def fields(self) -> tuple[Field, ...]:  # type: ignore[override]
        approving, declining = self.choice_labels
        return (Field("decision", "choice", choices={self.approving: approving, self.declining: declining},
                      label=N_("意见")),
                *self.extra_fields,
                Field("comment", required=False, label=N_("意见说明"), help=N_("退回时必填")))

    def clean(self, step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
        cleaned = clean(self.fields, data)
        if cleaned["decision"] != self.approving and not cleaned.get("comment"):
            raise InvalidSubmission({"comment": [N_("退回时必须填写意见说明")]})
        return cleaned

    def apply(self, step: Step, data: dict[str, Any]) -> dict[str, Any]:
        self.decide(step, data, data["decision"] == self.approving)
        return {"decision": data["decision"]}

    def sent_back(self, data: dict[str, Any]) -> str | None:
        return None if data["decision"] == self.approving else str(data.get("comment") or "")

    def decide(self, step: Step, data: dict[str, Any], approved: bool) -> None:
        raise NotImplementedError
