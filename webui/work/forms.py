"""The one work form asked once per item: a decision and an answer to each objection of a sign-off notice."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm

from engine.core.fields import Field
from webui.forms import EngineForm, unbound


class ButtonForm(FlaskForm):
    """A button's post: its CSRF token and nothing else (what it carries is read by the view)."""


class ObjectionAnswers(EngineForm):
    """decision_<id> and answer_<id> for each objection; the engine takes them as answers[id]."""

    objection_ids: tuple[int, ...] = ()

    def engine_data(self) -> dict[str, Any]:
        return {"answers": {str(objection): {spec.name: self[f"{spec.name}_{objection}"].data for spec in self.specs}
                            for objection in self.objection_ids}}

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        super().add_errors({key.replace("answers-", "answer_"): value for key, value in errors.items()})


def objection_answers_form(fields: Sequence[Field], objection_ids: Sequence[int]) -> type[ObjectionAnswers]:
    """The answer fields once for each objection, in the notice's order (built for each page: ids differ)."""
    attributes: dict[str, Any] = {f"{field.name}_{objection}": unbound(field)
                                  for objection in objection_ids for field in fields}
    return type("ObjectionAnswers", (ObjectionAnswers,),
                {**attributes, "specs": tuple(fields), "objection_ids": tuple(objection_ids)})
