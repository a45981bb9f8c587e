"""Every form a workflow may name is shown from its handler's fields: a label, a help text and labelled choices
in the reader's language, whichever feature registered it."""
from __future__ import annotations

import re

from flask import Flask
from flask_babel import force_locale

from engine.app import Duban
from engine.core.fields import Field
from engine.features.signoff.forms import ObjectionAnswerHandler
from webui.forms import form_for

CJK = re.compile(r"[\u3400-\u9fff]")


def shown_fields(duban: Duban) -> dict[str, tuple[Field, ...]]:
    """Every registered form's fields, as its page asks for them (the answer to each objection for that form)."""
    return {name: tuple(handler.answer_fields if isinstance(handler, ObjectionAnswerHandler) else handler.fields)
            for name, handler in duban.registry.forms.items()}


def rendered(fields: tuple[Field, ...]) -> dict[str, str]:
    form = form_for(fields)
    return {field.name: str(form[field.name].label) + str(form[field.name]) + str(form[field.name].description)
            for field in fields}


def test_every_registered_form_labels_each_field_and_each_choice(app: Flask, duban: Duban) -> None:
    forms = shown_fields(duban)
    assert {"assign", "signoff_verify", "objection_answer", "escalation_accountability", "clue_decision"} <= set(forms)
    with app.test_request_context():
        for name, fields in forms.items():
            assert fields, name
            html = rendered(fields)
            for field in fields:
                assert field.label and field.label in html[field.name], (name, field.name)
                assert not field.help or field.help in html[field.name], (name, field.name)
                for label in field.choice_labels:
                    assert f">{label}</label>" in html[field.name] or f">{label}</option>" in html[field.name]


def test_every_registered_form_reads_in_english(app: Flask, duban: Duban) -> None:
    with app.test_request_context(), force_locale("en"):
        for name, fields in shown_fields(duban).items():
            for field_name, html in rendered(fields).items():
                assert not CJK.search(html), (name, field_name, html)
