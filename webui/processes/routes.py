"""Deployed versions, deploying a BPMN file after seeing its diff, and moving running instances onto a version."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.errors import InvalidSubmission
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import add_errors
from webui.processes.forms import CHANGED_ATTRIBUTES, ButtonForm, DeployForm, FindForm, UploadForm

bp = Blueprint("processes", __name__, url_prefix="/admin/processes", template_folder="templates")
PERMISSION = "process.manage"


@bp.route("/")
@login_required
@permission_required(PERMISSION)
def index() -> str:
    find = FindForm(request.args)
    found = engine().console.find(current_actor(), find.q.data or "") if find.q.data else None
    return render_template("processes/index.html", versions=engine().versions.versions(current_actor()),
                           upload=UploadForm(), find=find, found=found)


@bp.route("/preview", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def preview() -> str | Response:
    upload = UploadForm()
    if upload.validate_on_submit():
        name, content = upload.file.data.filename or "upload.bpmn", upload.file.data.read()
        try:
            diffs = engine().versions.preview(current_actor(), name, content)
        except InvalidSubmission as refused:
            add_errors(upload, refused.errors)
        else:
            confirm = DeployForm(formdata=None, file_name=name, content=content.decode("utf-8"))
            return render_template("processes/preview.html", diffs=diffs, confirm=confirm,
                                   attributes=CHANGED_ATTRIBUTES)
    return render_template("processes/index.html", versions=engine().versions.versions(current_actor()),
                           upload=upload, find=FindForm(formdata=None), found=None)


@bp.route("/deploy", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def deploy() -> Response:
    form = DeployForm()
    if form.validate_on_submit():
        deployed = engine().versions.deploy(current_actor(), form.file_name.data or "",
                                            (form.content.data or "").encode("utf-8"))
        for diff in deployed:
            flash(_("已部署「%(name)s」第 %(number)s 版", name=diff.name, number=diff.number), "success")
    return redirect(url_for("processes.index"))


@bp.route("/<process_id>/versions/<int:number>/migration")
@login_required
@permission_required(PERMISSION)
def migration(process_id: str, number: int) -> str:
    """The dry run, a page at a time, filtered to the movable or the refused instances."""
    page = engine().versions.migration_page(current_actor(), process_id[:100], number,
                                            page=request.args.get("page", 1, type=int) or 1,
                                            show=request.args.get("show", "all")[:10])
    return render_template("processes/migration.html", report=page.report, page=page, form=ButtonForm())


@bp.route("/<process_id>/versions/<int:number>/migration", methods=["POST"])
@login_required
@permission_required(PERMISSION)
def migrate(process_id: str, number: int) -> str | Response:
    form = ButtonForm()
    if not form.validate_on_submit():
        return migration(process_id, number)
    report = engine().versions.migrate(current_actor(), process_id[:100], number)
    flash(_("已迁移 %(moved)s 个流程实例，%(refused)s 个不能迁移，保持原版本",
            moved=len(report.movable), refused=len(report.refused)), "success")
    return render_template("processes/migration.html", report=report, page=None, form=form)
