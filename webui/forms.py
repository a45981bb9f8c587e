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

from flask_babel import lazy_gettext as _l
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
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from engine.core.fields import LINE_MAX, TEXT_MAX, Field
from webui.i18n import lazy

#: rows a list of persons offers before any is filled in
PERSON_ROWS = 6
Choices = Mapping[str, Sequence[tuple[Any, str]]]


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

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """The engine's refusal, each message on the field it names (or above the form)."""
        for name, messages in errors.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.extend(messages)
            else:
                field.errors = [*field.errors, *messages]

    def fill_choices(self, choices: Choices) -> None:
        """The options of the fields whose choices come from the records (units, leaders, categories, tasks)."""
        for spec in self.specs:
            if spec.source:
                field = self._fields[spec.name]
                field.choices = [SelectChoice(value, label) for value, label in choices[spec.source]]  # type: ignore[attr-defined]


def form_for(fields: Sequence[Field], data: Mapping[str, Any] | None = None,
             choices: Callable[[], Choices] | None = None) -> EngineForm:
    """The form of these fields, starting from `data`; `choices` reads the options of id and ids fields."""
    form = form_class(tuple(fields))(data=data)
    if choices is not None and any(field.source for field in fields):
        form.fill_choices(choices())
    return form


@cache
def form_class(fields: tuple[Field, ...]) -> type[EngineForm]:
    """A FlaskForm (CSRF included) with one WTForms field per engine field, in the engine's order."""
    attributes: dict[str, Any] = {field.name: unbound(field) for field in fields}
    return type("EngineForm", (EngineForm,), {**attributes, "specs": fields})


def unbound(field: Field) -> UnboundField:
    """The WTForms field that asks for an engine field, with its label, help text and simple checks."""
    options: dict[str, Any] = {"label": lazy(field.label) if field.label else None,
                               "description": lazy(field.help) if field.help else ""}
    if field.kind in ("choice", "id", "ids") or field.choices:
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
    coerce = int if field.kind in ("int", "id", "ids") else str
    labels = field.choice_labels or tuple(map(str, field.choices))  # unlabelled choices show as they are
    offered = [SelectChoice(value, lazy(label)) for value, label in zip(field.choices, labels, strict=True)]
    if field.blank:
        offered.insert(0, SelectChoice("", lazy(field.blank)))
    validators = [_required(field, InputRequired)]
    if field.kind == "ids":
        return SelectMultipleField(coerce=coerce, choices=offered, validators=validators, **options)
    if field.widget == "radio" or (field.kind != "id" and field.widget != "select"):
        return RadioField(coerce=coerce, choices=offered, default=field.initial, validators=validators, **options)
    return SelectField(coerce=coerce, choices=offered, default=field.initial, validators=validators, **options)


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


# --- the forms not yet built from the engine's fields ---------------------------------------------

TEXT = [Length(max=TEXT_MAX)]
LINE = [Length(max=LINE_MAX)]


# --- 督办问责 (escalation) and 问题线索 (problem clues) ---------------------------------------------

LEVEL_CHOICES = [SelectChoice(1, _l("通报")), SelectChoice(2, _l("约谈")), SelectChoice(3, _l("曝光")),
                 SelectChoice(4, _l("追责"))]
MEASURE_CHOICES = [SelectChoice("", _l("请选择")), SelectChoice("criticism", _l("批评教育")),
                   SelectChoice("self_examination", _l("责令检查")), SelectChoice("admonition", _l("诫勉")),
                   SelectChoice("organisational", _l("组织处理")), SelectChoice("party_discipline", _l("党纪处分")),
                   SelectChoice("administrative", _l("政务处分")), SelectChoice("judicial", _l("移送司法机关"))]


def level_field(label: Any, description: Any = "") -> RadioField:
    return RadioField(label, choices=LEVEL_CHOICES, coerce=int, validators=[Optional()], description=description)


class PersonForm(Form):
    """One row of persons held accountable (a sub-form: the outer form carries the CSRF token)."""

    name = StringField(_l("姓名"), validators=[Optional(), Length(max=100)])
    post = StringField(_l("单位及职务"), validators=[Optional(), Length(max=200)])
    measure = SelectField(_l("处理措施"), choices=MEASURE_CHOICES, validators=[Optional()])
    detail = StringField(_l("说明"), validators=[Optional(), Length(max=500)])


def persons_field() -> FieldList:
    return FieldList(FormField(PersonForm), label=_l("被追究责任人员"), min_entries=6, max_entries=30,
                     description=_l("每行一人；空行不计"))


class EscalationProposeForm(EngineForm):
    decision = RadioField(_l("意见"), choices=[SelectChoice("propose", _l("提出问责建议")),
                                             SelectChoice("drop", _l("不予问责"))], validators=[InputRequired()])
    level = level_field(_l("建议问责方式"), _l("默认值按本任务的问责记录逐级升级"))
    reasons = TextAreaField(_l("理由"), validators=[DataRequired(), *TEXT])
    evidence = TextAreaField(_l("事实依据和佐证材料"), validators=[Optional(), *TEXT],
                             description=_l("提出问责建议时必填"))

    def validate_level(self, field: RadioField) -> None:
        if self.decision.data == "propose" and not field.data:
            raise ValidationError(_l("请选择问责方式"))

    def validate_evidence(self, field: TextAreaField) -> None:
        if self.decision.data == "propose" and not (field.data or "").strip():
            raise ValidationError(_l("提出问责建议须说明事实依据和佐证材料"))


class EscalationApproveForm(EngineForm):
    decision = RadioField(_l("审批意见"), choices=[SelectChoice("approve", _l("同意")),
                                               SelectChoice("change", _l("调整问责方式")),
                                               SelectChoice("reject", _l("不同意"))], validators=[InputRequired()])
    level = level_field(_l("调整为"), _l("选择“调整问责方式”时填写"))
    comment = TextAreaField(_l("理由"), validators=TEXT, description=_l("调整或不同意时必填"))

    def validate_level(self, field: RadioField) -> None:
        if self.decision.data == "change" and not field.data:
            raise ValidationError(_l("调整问责方式时须选择新的问责方式"))

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data in ("change", "reject") and not (field.data or "").strip():
            raise ValidationError(_l("调整或不同意时须说明理由"))


class EscalationNoticeForm(EngineForm):
    number = StringField(_l("文号"), validators=[Optional(), *LINE])
    title = StringField(_l("标题"), validators=[DataRequired(), *LINE])
    text = TextAreaField(_l("通报正文"), validators=[DataRequired(), *TEXT],
                         description=_l("系统已根据任务记录起草，请核改后签发"))


class EscalationInterviewForm(EngineForm):
    held_on = DateField(_l("约谈日期"), validators=[InputRequired()])
    place = StringField(_l("约谈地点"), validators=[DataRequired(), *LINE])
    interviewees = TextAreaField(_l("被约谈人"), validators=[DataRequired(), *TEXT], description=_l("姓名及职务"))
    interviewers = TextAreaField(_l("约谈人"), validators=[DataRequired(), *TEXT], description=_l("姓名及职务"))
    commitments = TextAreaField(_l("约谈中作出的承诺"), validators=[DataRequired(), *TEXT])


class EscalationExposureForm(EngineForm):
    headline = StringField(_l("曝光标题"), validators=[DataRequired(), *LINE])
    text = TextAreaField(_l("曝光内容"), validators=[DataRequired(), *TEXT],
                         description=_l("将在公开页面发布：只写事实，不写内部意见和工作人员姓名"))
    channel = StringField(_l("发布渠道"), validators=[Optional(), *LINE], description=_l("如：泸州日报、市政府网站"))


class EscalationAccountabilityForm(EngineForm):
    findings = TextAreaField(_l("调查情况"), validators=[DataRequired(), *TEXT])
    decision = TextAreaField(_l("处理决定"), validators=[DataRequired(), *TEXT])
    decided_on = DateField(_l("决定日期"), validators=[InputRequired()])
    document_number = StringField(_l("决定文号"), validators=[Optional(), *LINE])
    persons = persons_field()


class EscalationCommitmentForm(EngineForm):
    commitment = TextAreaField(_l("整改承诺"), validators=[DataRequired(), *TEXT],
                               description=_l("针对通报、约谈、曝光或追责指出的问题，承诺采取的整改措施"))
    complete_by = DateField(_l("承诺完成时限"), validators=[InputRequired()])


class EscalationCloseForm(EngineForm):
    decision = RadioField(_l("意见"), choices=[SelectChoice("close", _l("办结")),
                                             SelectChoice("escalate", _l("整改仍不到位，再次升级"))],
                          validators=[InputRequired()])
    comment = TextAreaField(_l("承诺兑现情况"), validators=[DataRequired(), *TEXT])


class ProposeEscalationForm(FlaskForm):
    """A supervisor starts an escalation by hand from the task page."""

    reason = TextAreaField(_l("提出问责的原因"), validators=[DataRequired(), *TEXT],
                           description=_l("如：现场检查发现整改不实、群众反映问题反弹"))


class ClueRegisterForm(EngineForm):
    source = StringField(_l("线索来源"), validators=[DataRequired(), *LINE],
                         description=_l("如：中央生态环境保护督察组转办、省委督察办交办"))
    source_reference = StringField(_l("来文号"), validators=[Optional(), *LINE])
    received_on = DateField(_l("收到日期"), validators=[InputRequired()])
    reply_due = DateField(_l("办结反馈时限"), validators=[InputRequired()])
    title = StringField(_l("线索摘要"), validators=[DataRequired(), *LINE])
    content = TextAreaField(_l("线索内容"), validators=[DataRequired(), *TEXT])
    task_ids = SelectMultipleField(_l("相关整改任务"), coerce=int, validators=[Optional()])
    unit_ids = SelectMultipleField(_l("涉及单位"), coerce=int, validators=[Optional()])

    def fill_choices(self, choices: dict[str, list[tuple[int, str]]]) -> None:
        self.task_ids.choices = [SelectChoice(value, label) for value, label in choices["tasks"]]
        self.unit_ids.choices = [SelectChoice(value, label) for value, label in choices["units"]]


class ClueInvestigateForm(EngineForm):
    findings = TextAreaField(_l("调查核实情况"), validators=[DataRequired(), *TEXT])
    verdict = RadioField(_l("核实结论"), choices=[SelectChoice("founded", _l("属实")),
                                                SelectChoice("partly", _l("部分属实")),
                                                SelectChoice("unfounded", _l("不属实"))], validators=[InputRequired()])


class ClueResponsibilityForm(EngineForm):
    responsibility = TextAreaField(_l("责任认定"), validators=[DataRequired(), *TEXT],
                                   description=_l("责任单位和责任人，主体责任、监管责任、直接责任、领导责任"))


class ClueDecisionForm(EngineForm):
    decision = TextAreaField(_l("处理决定"), validators=[DataRequired(), *TEXT])
    decided_on = DateField(_l("决定日期"), validators=[InputRequired()])
    document_number = StringField(_l("决定文号"), validators=[Optional(), *LINE])
    persons = persons_field()


class ClueCloseForm(EngineForm):
    feedback = TextAreaField(_l("办结反馈情况"), validators=[DataRequired(), *TEXT],
                             description=_l("向线索来源单位反馈的办理结果"))


ESCALATION_FORMS: dict[str, type[EngineForm]] = {
    "escalation_propose": EscalationProposeForm,
    "escalation_approve": EscalationApproveForm,
    "escalation_notice": EscalationNoticeForm,
    "escalation_interview": EscalationInterviewForm,
    "escalation_exposure": EscalationExposureForm,
    "escalation_accountability": EscalationAccountabilityForm,
    "escalation_commitment": EscalationCommitmentForm,
    "escalation_close": EscalationCloseForm,
}
CLUE_FORMS: dict[str, type[EngineForm]] = {
    "clue_investigate": ClueInvestigateForm,
    "clue_responsibility": ClueResponsibilityForm,
    "clue_decision": ClueDecisionForm,
    "clue_close": ClueCloseForm,
}


FORMS: dict[str, type[EngineForm]] = {
    **ESCALATION_FORMS,
    **CLUE_FORMS,
}
