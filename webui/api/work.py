"""Doing a piece of work through the API, whatever it works for (a task, a complaint case, a strengthening measure, a
problem clue): the step's form as its web page builds it (webui/work/item_forms.py), filled from the JSON body and
checked by the same fields and rules, then the same use case completes it."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, request
from werkzeug.datastructures import MultiDict

from engine.core.errors import InvalidSubmission
from engine.core.fields import Field
from engine.core.text import N_
from engine.features.work.subjects import subject_of
from webui.api import schemas, views
from webui.api.answers import answer
from webui.api.blueprint import bp
from webui.api.operations import operation
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.forms import EngineForm, sent_files
from webui.i18n import translated
from webui.work.item_forms import work_form


@bp.get("/work/<int:work_id>")
@operation(N_("一项待办的表单：字段、规则、初始内容（退回的表单：上次提交的内容）"), "work", answer=schemas.WorkItem)
def work_item(work_id: int) -> Response:
    item = engine().work.any_item(current_actor(), work_id)
    form = work_form(item, formdata=None, meta={"csrf": False})
    return answer(views.work_item(item, form_fields(form)))


@bp.post("/work/<int:work_id>")
@operation(N_("办理一项待办：按网页表单的字段和规则提交（JSON；带附件时用 multipart/form-data，字段名相同）"), "work",
           answer=schemas.Completed, body=schemas.Completion, writes=True)
def complete(work_id: int) -> Response:
    actor = current_actor()
    item = engine().work.any_item(actor, work_id, whole=False)
    form = work_form(item, formdata=submitted(), meta={"csrf": False})
    if not form.validate():
        raise InvalidSubmission(flat_errors(form.errors))
    engine().work.complete(actor, work_id, form.engine_data(), sent_files())
    about = subject_of(item)
    return answer(schemas.Completed(id=work_id, name=translated(item.work.name), subject=views.subject(about),
                                    task_id=item.work.task_id, steps=views.subject_steps(actor, about)))


def form_fields(form: EngineForm) -> list[tuple[Field, list[Any] | None]]:
    """The engine fields the page's form asks, under the names it asks them (an objection's answer once for each
    objection: `decision_12`), with the choices it offers."""
    fields = []
    for name, asked in form._fields.items():
        spec = next((spec for spec in form.specs if name == spec.name or name.startswith(f"{spec.name}_")), None)
        if spec is not None:
            offered = [_choice(choice) for choice in getattr(asked, "choices", None) or ()]
            fields.append((spec if spec.name == name else replace(spec, name=name), offered))
    return fields


def _choice(choice: Any) -> tuple[Any, str]:
    """An option as WTForms keeps it: a SelectChoice, or a (value, label) pair."""
    if isinstance(choice, tuple):
        return choice[0], str(choice[1])
    return choice.value, str(choice.label)


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def submitted() -> MultiDict[str, Any]:
    """The body as a browser would have sent the form (see `as_formdata`); a form with files comes as one."""
    if request.mimetype in FORM_TYPES:
        return MultiDict(request.form)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidSubmission({"": [N_("请以 JSON 对象提交表单的各个字段")]})
    return as_formdata(body)


def as_formdata(body: dict[str, Any]) -> MultiDict[str, Any]:
    """A JSON object as a browser would have sent the form: a list is several values of one field, a list of objects
    the rows of a list of persons (`persons-0-name`); true is a ticked box, false and null are left out."""
    pairs: list[tuple[str, str]] = []
    for name, value in body.items():
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, dict):
                pairs += [(f"{name}-{index}-{part}", _text(raw)) for part, raw in item.items() if _given(raw)]
            elif _given(item):
                pairs.append((name, _text(item)))
    return MultiDict(pairs)


def _given(value: Any) -> bool:
    return value is not None and value is not False


def _text(value: Any) -> str:
    return "y" if value is True else str(value)


def flat_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """WTForms' errors, a list of persons' rows included, as field → messages."""
    flat: dict[str, list[str]] = {}
    for name, messages in errors.items():
        for message in messages:
            if isinstance(message, dict):
                for part, texts in message.items():
                    flat.setdefault(f"{name}.{part}", []).extend(str(text) for text in texts)
            else:
                flat.setdefault(name or "", []).append(str(message))
    return flat
