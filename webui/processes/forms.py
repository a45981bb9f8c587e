"""The forms of the process pages: a BPMN file to deploy, its confirmation, and a reason for a console action."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

REASON_MAX = 500
#: what each attribute SpiffWorkflow compares means, for the diff of two versions
CHANGED_ATTRIBUTES = {
    "bpmn_name": _l("名称"), "extensions": _l("办理设置（表单、期限、状态、指定人）"), "lane": _l("泳道（角色）"),
    "outputs": _l("后续流转"), "inputs": _l("前序流转"), "event_definition": _l("事件（定时等）"),
    "cond_task_specs": _l("流转条件"), "default_task_spec": _l("默认流转"), "documentation": _l("说明"),
    "typename": _l("元素类型"),
}


class ButtonForm(FlaskForm):
    """A POST button: CSRF only."""


class UploadForm(FlaskForm):
    file = FileField(_l("BPMN 文件"), validators=[FileRequired(_l("请选择一个 BPMN 文件"))],
                     description=_l("与启动时相同的检查；先显示与当前版本的差异，确认后才部署"))


class DeployForm(FlaskForm):
    """The checked file, sent again with the confirmation (it is checked again before it is stored)."""

    file_name = HiddenField(validators=[DataRequired(), Length(max=200)])
    content = HiddenField(validators=[DataRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请写明原因")), Length(max=REASON_MAX)],
                           description=_l("写入审计日志"))


class MoveBackForm(ReasonForm):
    step = SelectField(_l("退回到"), validators=[DataRequired(_l("请选择环节"))])
    #: set by the confirmation page, which shows what becomes of the actions done since the step
    confirmed = HiddenField()


class FindForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("流程实例编号或整改任务编号"), validators=[Length(max=64)])
