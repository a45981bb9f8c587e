"""Web forms built from the engine's fields: each form's fields and rules are written once, in the engine.

A form handler (and the registration of tasks and clues, the indicators, the objections of the public)
lists its fields (engine/core/fields.py). A page's form is built from them: the WTForms field each kind
asks with, its label, help text and choices, and the simple checks a submission gets before it goes to
the engine (required, lengths, number ranges, a date). Rules across fields are the engine's alone: when
it refuses a submission, its messages are shown on the fields they name (`add_errors`).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from engine.core.fields import Field
from engine.core.text import N_
from engine.core.uploads import Upload
from webui.i18n import lazy

#: rows a list of persons offers before any is filled in
PERSON_ROWS = 6
Choices = Mapping[str, Sequence[tuple[Any, str]]]
#: the empty first option of a select whose choice has consequences
PLEASE_CHOOSE = N_("请选择")


class EngineForm(FlaskForm):
    """A form whose data goes to an engine use case (dates as ISO strings; files go separately)."""

    #: the engine's fields the form was built from
    specs: tuple[Field, ...] = ()

    def engine_data(self) -> dict[str, Any]:
        data = {}
        for name, field in self._fields.items():
            if name == "csrf_token" or isinstance(field, MultipleFileField):
                continue
            value = field.data
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        add_errors(self, errors)

    def fill_choices(self, choices: Choices) -> None:
        """The options of the fields whose choices come from the records (units, leaders, categories, tasks)."""
        for spec in self.specs:
            if spec.source:
                field = self._fields[spec.name]
                options = [SelectChoice(value, label) for value, label in choices[spec.source]]
                if spec.kind == "id":  # a unit, a leader, a category: chosen, never taken from the top of the list
                    options.insert(0, SelectChoice("", lazy(spec.blank or PLEASE_CHOOSE)))
                field.choices = options  # type: ignore[attr-defined]


def add_errors(form: FlaskForm, errors: Mapping[str, list[str]]) -> None:
    """The engine's refusal, each message on the field it names (or above the form)."""
    for name, messages in errors.items():
        field = form._fields.get(name)
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


def form_for(fields: Sequence[Field], data: Mapping[str, Any] | None = None,
             choices: Callable[[], Choices] | None = None, **options: Any) -> EngineForm:
    """The form of these fields, starting from `data`; `choices` reads the options of id and ids fields; `options`
    go to the form (the API gives the submitted values as `formdata`, without a CSRF field)."""
    form = form_class(tuple(fields))(data=data, **options)
    if choices is not None and sources(fields):
        form.fill_choices(choices())
    return form


def sources(fields: Sequence[Field]) -> set[str]:
    """The lists of records these fields choose from (units, leaders, categories, rounds, tasks)."""
    return {field.source for field in fields if field.source}


@cache
def form_class(fields: tuple[Field, ...]) -> type[EngineForm]:
    """A FlaskForm (CSRF included) with one WTForms field per engine field, in the engine's order."""
    attributes: dict[str, Any] = {field.name: unbound(field) for field in fields}
    return type("EngineForm", (EngineForm,), {**attributes, "specs": fields})


def unbound(field: Field) -> UnboundField:
    """The WTForms field that asks for an engine field, with its label, help text and simple checks."""
    options: dict[str, Any] = {"label": lazy(field.label) if field.label else None,
                               "description": lazy(field.help) if field.help else ""}
    if field.kind in ("choice", "choices", "id", "ids") or field.choices:
        return _choosing(field, options)
    if field.kind == "persons":
        return FieldList(FormField(_rows_form(field.parts)), min_entries=PERSON_ROWS, max_entries=field.high, **options)
    if field.kind == "files":
        return MultipleFileField(**options)
    if field.kind == "bool":
        return BooleanField(**options)
    if field.kind == "date":
        return DateField(validators=[_required(field, InputRequired)], **options)
    if field.kind == "int" and field.widget != "line":
        return IntegerField(validators=[_required(field, InputRequired), NumberRange(field.low, field.high)],
                            **options)
    field_class = TextAreaField if field.kind == "text" else StringField
    return field_class(validators=[_required(field, DataRequired), _length(field)], **options)


def _choosing(field: Field, options: dict[str, Any]) -> UnboundField:
    """A radio, a select or a multiple select; ids and numbers are sent back as numbers."""
    coerce = _id_or_none if field.kind == "id" else int if field.kind in ("int", "ids") else str
    labels = field.choice_labels or ("",) * len(field.choices)
    offered = [SelectChoice(value, lazy(label) if label else str(value))  # an unlabelled choice shows as it is
               for value, label in zip(field.choices, labels, strict=True)]
    if field.blank:
        offered.insert(0, SelectChoice("", lazy(field.blank)))
    validators = [_required(field, InputRequired)]
    if field.kind == "ids":
        return SelectMultipleField(coerce=coerce, choices=offered, validators=validators, **options)
    if field.kind == "choices":  # a few fixed options: a check box each
        return SelectMultipleField(choices=offered, validators=[Optional()], widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), **options)
    if field.widget == "radio" or (field.kind != "id" and field.widget != "select"):
        return RadioField(coerce=coerce, choices=offered, default=field.initial, validators=validators, **options)
    return SelectField(coerce=coerce, choices=offered, default=field.initial, validators=validators, **options)


def _id_or_none(value: Any) -> int | None:
    """A record's id as chosen; None for the empty 请选择 option."""
    return None if value in ("", None) else int(value)


def _required(field: Field, check: type[DataRequired] | type[InputRequired]) -> DataRequired | InputRequired | Optional:
    return check() if field.required else Optional()


def _length(field: Field) -> Length:
    if field.kind == "int":  # a number typed as text: as many digits as its highest value has
        return Length(max=len(str(field.high)))
    return Length(min=field.min_length or -1, max=field.longest)


@cache
def _rows_form(parts: tuple[Field, ...]) -> type[Form]:
    """One row of a list (a sub-form: the outer form carries the CSRF token)."""
    return type("RowForm", (Form,), {part.name: unbound(part) for part in parts})


def sent_files() -> list[Upload]:
    """The files a form sent, read whole (the request size is capped by MAX_CONTENT_LENGTH); the engine checks them
    by content against what the form accepts."""
    return [Upload(stored.filename or "", stored.read()) for name in request.files
            for stored in request.files.getlist(name) if stored and stored.filename]
