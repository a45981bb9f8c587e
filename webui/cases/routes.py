"""信访件 pages: the batches, the register with its filters, one case, its steps, and a batch's import."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import DomainError, InvalidSubmission
from engine.core.fields import Field
from engine.core.spreadsheet import ImportRejected
from engine.core.statuses import CaseCallback, CaseCategory, CaseFinding, CaseStatus, WarningLevel
from engine.features.cases.aftercare import CALLBACK_FIELDS, TASK_FIELDS
from engine.features.cases.queries import CaseFilters
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import translated
from webui.params import query_id
from webui.reporting.forms import ConfirmForm, LedgerUploadForm, read_upload
from webui.work.item_forms import case_form
from webui.work.routes import completed

bp = Blueprint("cases", __name__, template_folder="templates")
NAME_MAX = 200
#: a background import's page reloads itself this often until the job is done or failed
JOB_REFRESH_SECONDS = 3


@bp.app_context_processor
def case_helpers() -> dict[str, Any]:
    return {"case_status": lambda status: translated(CaseStatus(status).label),
            "case_finding": lambda finding: translated(CaseFinding(finding).label) if finding else "",
            "case_category": lambda category: translated(CaseCategory(category).label)}


def _choice(enum: type[Any], raw: str | None) -> Any:
    try:
        return enum(raw) if raw else None
    except ValueError:
        return None


def case_filters() -> CaseFilters:
    args = request.args
    return CaseFilters(batch_id=query_id(args.get("batch")), unit_id=query_id(args.get("unit")),
                       category=_choice(CaseCategory, args.get("category")),
                       finding=_choice(CaseFinding, args.get("finding")),
                       status=_choice(CaseStatus, args.get("status")),
                       colour=_choice(WarningLevel, args.get("colour")), overdue=args.get("overdue") == "1",
                       callback=_choice(CaseCallback, args.get("callback")),
                       q=args.get("q", "")[:100], page=query_id(args.get("page")) or 1)


@bp.route("/cases/batches")
@login_required
@permission_required("case.view")
def batches() -> str:
    return render_template("cases/batches.html", lines=engine().cases.batches(current_actor()))


@bp.route("/cases/batches/<int:batch_id>/publish", methods=["POST"])
@login_required
@permission_required("case.publish")
def publish(batch_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        flash(_("表单已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("cases.batches"))
    try:
        count = engine().cases.publish_batch(current_actor(), batch_id)
    except InvalidSubmission as exc:
        flash("；".join(translated(message) for messages in exc.errors.values() for message in messages), "warning")
    else:
        flash(_("已公开 %(n)s 件信访件的办理结果", n=count), "success")
    return redirect(url_for("cases.batches"))


@bp.route("/cases")
@login_required
@permission_required("case.view")
def index() -> str:
    filters = case_filters()
    actor = current_actor()
    return render_template("cases/index.html", page=engine().cases.register(actor, filters),
                           filters=filters, units=engine().cases.units(), batches=engine().cases.batch_choices(),
                           categories=list(CaseCategory), findings=list(CaseFinding), statuses=list(CaseStatus),
                           colours=list(WarningLevel), callbacks=list(CaseCallback))


@bp.route("/cases/<int:case_id>")
@login_required
@permission_required("case.view")
def show(case_id: int) -> str:
    return render_template("cases/case.html", page=engine().cases.page(current_actor(), case_id),
                           escalations=engine().escalation.of_case(current_actor(), case_id),
                           task_form=form_for(TASK_FIELDS), callback_form=form_for(CALLBACK_FIELDS))


@bp.route("/cases/<int:case_id>/task", methods=["POST"])
@login_required
@permission_required("case.manage")
def to_task(case_id: int) -> str | Response:
    return _aftercare(case_id, TASK_FIELDS, engine().cases.to_task, _("信访件已转为整改任务，随任务销号办结"))


@bp.route("/cases/<int:case_id>/callback", methods=["POST"])
@login_required
@permission_required("case.manage")
def callback(case_id: int) -> str | Response:
    return _aftercare(case_id, CALLBACK_FIELDS, engine().cases.record_callback, _("已记录回访结果"))


def _aftercare(case_id: int, fields: tuple[Field, ...], change: Callable[..., None], done: str) -> str | Response:
    form = form_for(fields)
    if form.validate_on_submit():
        try:
            change(current_actor(), case_id, form.engine_data())
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            flash(done, "success")
            return redirect(url_for("cases.show", case_id=case_id))
    forms = {"task_form": form_for(TASK_FIELDS), "callback_form": form_for(CALLBACK_FIELDS)}
    forms["task_form" if fields is TASK_FIELDS else "callback_form"] = form
    return render_template("cases/case.html", page=engine().cases.page(current_actor(), case_id),
                           escalations=engine().escalation.of_case(current_actor(), case_id), **forms)


@bp.route("/cases/work/<int:work_id>", methods=["GET", "POST"])
@login_required
@permission_required("case.view")
def work(work_id: int) -> str | Response:
    item = engine().work.case_item(current_actor(), work_id)
    form = case_form(item)
    if completed(form, work_id):
        flash(_("已完成「%(step)s」：%(number)s", step=translated(item.work.name), number=item.page.case.number),
              "success")
        return redirect(url_for("tasks.inbox"))
    return render_template("cases/work.html", item=item, page=item.page, form=form)


@bp.route("/cases/import", methods=["GET", "POST"])
@login_required
@permission_required("case.import")
def upload() -> str | Response:
    form = LedgerUploadForm()
    form.profile.choices = [("", "")]
    if form.validate_on_submit() and (content := read_upload(form)) is not None:
        name = (form.file.data.filename or "")[:NAME_MAX]
        sha256 = engine().case_import.keep(current_actor(), content, name)
        return redirect(url_for("cases.preview", sha256=sha256, name=name))
    return render_template("cases/import.html", form=form, problems=None,
                           jobs=engine().case_jobs.recent(current_actor()))


@bp.route("/cases/import/<sha256>")
@login_required
@permission_required("case.import")
def preview(sha256: str) -> str | Response:
    name = request.args.get("name", "")[:NAME_MAX]
    try:
        content = engine().case_import.kept(current_actor(), sha256)
        understood = engine().case_import.preview(current_actor(), content)
    except (DomainError, ValueError) as exc:
        return _refused(exc)
    return render_template("cases/preview.html", preview=understood, name=name, sha256=sha256, form=ConfirmForm())


@bp.route("/cases/import/<sha256>/confirm", methods=["POST"])
@login_required
@permission_required("case.import")
def confirm(sha256: str) -> str | Response:
    name = request.args.get("name", "")[:NAME_MAX]
    if not ConfirmForm().validate_on_submit():
        flash(_("表单已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("cases.preview", sha256=sha256, name=name))
    try:
        content = engine().case_import.kept(current_actor(), sha256)
        job_id = engine().case_import.queue(current_actor(), content, name)
    except (DomainError, ValueError) as exc:
        return _refused(exc)
    engine().sweep.soon()
    flash(_("已提交后台导入，完成后各件即转办各责任单位"), "success")
    return redirect(url_for("cases.job", job_id=job_id))


@bp.route("/cases/import/jobs/<int:job_id>")
@login_required
@permission_required("case.import")
def job(job_id: int) -> str:
    return render_template("cases/job.html", job=engine().case_jobs.job(current_actor(), job_id),
                           refresh_seconds=JOB_REFRESH_SECONDS)


@bp.route("/cases/import/jobs/<int:job_id>.json")
@login_required
@permission_required("case.import")
def job_json(job_id: int) -> Response:
    return jsonify(engine().case_jobs.job(current_actor(), job_id).as_json())


def _refused(exc: Exception) -> str | Response:
    if isinstance(exc, ImportRejected):
        return render_template("cases/import.html", form=LedgerUploadForm(formdata=None), problems=exc.problems,
                               jobs=engine().case_jobs.recent(current_actor()))
    flash(str(exc), "danger")
    return redirect(url_for("cases.upload"))
