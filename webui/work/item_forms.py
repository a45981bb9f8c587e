"""The form of a work item, whatever it works for, built once for the web pages and the API: a task's step (an
objection's answers once per objection), a complaint case's (the units to choose from), a measure's, a clue's."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from engine.features.clues.queries import ClueWorkItem
from engine.features.measures.queries import MeasureWorkItem
from engine.features.signoff.forms import ObjectionAnswerHandler
from engine.features.work.items import CaseWorkItem, WorkItem
from engine.features.work.subjects import AnyWorkItem
from webui.extensions import engine
from webui.forms import EngineForm, form_for, sources
from webui.work.forms import objection_answers_form


def build_form(item: WorkItem, **options: Any) -> EngineForm:
    """The form of a task's step, from its handler's fields, starting from what is on record, the ladder's level or
    a drafted text (`options` go to the form: the API's submitted values)."""
    handler = engine().registry.forms[item.work.form]
    if isinstance(handler, ObjectionAnswerHandler):  # one decision and one answer per objection
        objections = [objection.id for objection in item.extra.get("objections", [])]
        return objection_answers_form(handler.answer_fields, objections)(data=item.initial, **options)
    return form_for(handler.fields, data=item.initial, choices=lambda: engine().tasks.choices(sources(handler.fields)),
                    **options)


def case_form(item: CaseWorkItem, **options: Any) -> EngineForm:
    return form_for(engine().registry.forms[item.work.form].fields, data=item.initial,
                    choices=lambda: {"units": engine().cases.units()}, **options)


def measure_form(item: MeasureWorkItem, **options: Any) -> EngineForm:
    return form_for(engine().registry.forms[item.work.form].fields, data=item.initial, **options)


def clue_form(item: ClueWorkItem, **options: Any) -> EngineForm:
    return form_for(engine().registry.forms[item.work.form].fields, **options)


def draft_values(formdata: MultiDict[str, Any]) -> dict[str, Any]:
    """What a 暂存 keeps of a form as sent: a field sent once as its value, a field sent several times as the list."""
    return {name: values if len(values) > 1 else values[0] for name, values in formdata.lists()}


def work_form(item: AnyWorkItem, **options: Any) -> EngineForm:
    """The form its own page asks of this work item."""
    if isinstance(item, WorkItem):
        return build_form(item, **options)
    if isinstance(item, CaseWorkItem):
        return case_form(item, **options)
    if isinstance(item, MeasureWorkItem):
        return measure_form(item, **options)
    return clue_form(item, **options)
