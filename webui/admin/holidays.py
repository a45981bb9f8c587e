"""节假日表: the administrators keep the holidays and make-up working days of the years the statutory calendar
package does not cover yet — list, add, delete, import a .csv or .xlsx."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from engine.core.errors import InvalidSubmission
from engine.core.spreadsheet import ImportRejected, Problem
from engine.features.holidays.usecases import PERMISSION
from webui.admin.forms import ButtonForm
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import add_errors

bp = Blueprint("holidays", __name__, url_prefix="/admin/holidays", template_folder="templates")
MAX_BYTES = 2 * 1024 * 1024


class DayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期"))])
    kind = SelectField(_l("类型"), choices=[SelectChoice("", _l("请选择")), SelectChoice("holiday", _l("放假")),
                                          SelectChoice("workday", _l("调休补班"))],
                       validators=[DataRequired(_l("请选择放假或补班"))])
    name = StringField(_l("名称"), validators=[Optional(), Length(max=50)], description=_l("如：元旦、春节"))


class ImportForm(FlaskForm):
    file = FileField(_l("文件（.csv 或 .xlsx）"), validators=[
        FileRequired(_l("请选择文件")), FileAllowed(["csv", "xlsx"], _l("只能上传 .csv 或 .xlsx 文件"))],
        description=_l("三列：日期（2027-01-01）、类型（holiday 放假 / workday 补班）、名称"))


@bp.route("/", methods=["GET"])
@login_required
@permission_required(PERMISSION)
def index() -> str:
    return _page(DayForm(), ImportForm())


@bp.route("/", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def add() -> str | Response:
    form = DayForm()
    if form.validate_on_submit():
        try:
            engine().holidays.add(current_actor(), form.day.data, form.kind.data or "", form.name.data or "")
        except InvalidSubmission as exc:
            add_errors(form, exc.errors)
        else:
            flash(_("已添加 %(day)s", day=form.day.data), "success")
            return redirect(url_for("holidays.index"))
    return _page(form, ImportForm())


@bp.route("/<int:day_id>/delete", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def delete(day_id: int) -> Response:
    if ButtonForm().validate_on_submit():
        engine().holidays.delete(current_actor(), day_id)
        flash(_("已删除"), "success")
    return redirect(url_for("holidays.index"))


@bp.route("/import", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def import_file() -> str | Response:
    form = ImportForm()
    problems: list[Problem] = []
    if form.validate_on_submit():
        content = form.file.data.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            form.file.errors = [_("文件不能超过 2 MB")]
        else:
            try:
                count = engine().holidays.import_file(current_actor(), content, form.file.data.filename or "")
            except ImportRejected as exc:
                problems = exc.problems
            else:
                flash(_("已导入 %(n)s 天", n=count), "success")
                return redirect(url_for("holidays.index"))
    return _page(DayForm(formdata=None), form, problems)


@bp.app_context_processor
def calendar_warning() -> dict[str, object]:
    """`years_without_calendar()` for the dashboard's banner (asked only where a page shows it)."""
    return {"years_without_calendar": lambda: engine().holidays.years_without_calendar()}


def _page(day_form: DayForm, import_form: ImportForm, problems: list[Problem] | None = None) -> str:
    return render_template("admin/holidays.html", days=engine().holidays.days(current_actor()), day_form=day_form,
                           import_form=import_form, problems=problems or [], button=ButtonForm())
