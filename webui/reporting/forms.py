"""The forms of reporting: the month of a bulletin, and a spreadsheet to upload (the ledger's and the targets')."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class BulletinForm(FlaskForm):
    month = HiddenField(lazy_gettext("月份"), validators=[DataRequired()])


class UploadForm(FlaskForm):
    file = FileField(lazy_gettext("Excel 文件（.xlsx）"), validators=[
        FileRequired(lazy_gettext("请选择文件")), FileAllowed(["xlsx"], lazy_gettext("只能上传 .xlsx 文件"))])


class LedgerUploadForm(FlaskForm):
    """An office's ledger as it is kept; a saved column mapping may be chosen for it (the choices: the profiles)."""

    file = FileField(lazy_gettext("台账文件（.xlsx、.xls 或 .csv）"), validators=[
        FileRequired(lazy_gettext("请选择文件")),
        FileAllowed(["xlsx", "xls", "csv"], lazy_gettext("只能上传 .xlsx、.xls 或 .csv 文件"))])
    profile = SelectField(lazy_gettext("列对应方案"), choices=[], validate_choice=False,
                          description=lazy_gettext("表头与以前保存的方案相同时选用；一般不用选"))
    #: the round whose ledger the tasks join (the engine checks the id)
    round = SelectField(lazy_gettext("督察批次"), choices=[], validate_choice=False,
                        description=lazy_gettext("导入的任务登记到这一批次；编号与本批次已有任务比对"))


class ConfirmForm(FlaskForm):
    """The confirmation of a previewed import (the rows are read again from the kept file, never from the page)."""


def read_upload(form: UploadForm | LedgerUploadForm) -> bytes | None:
    """The uploaded bytes, or None (with a form error) when the file is too large."""
    content = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        form.file.errors = [_("文件不能超过 10 MB")]
        return None
    return content
