"""The ledger in Excel: the export button of the ledger page and the coordinator's upload page."""
from __future__ import annotations

import io

from flask import Blueprint, render_template, send_file
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.spreadsheet import ImportRejected
from engine.features.reporting.ledger_import import template_workbook
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.reporting.forms import LedgerUploadForm, read_upload
from webui.tasks.routes import ledger_filters

bp = Blueprint("ledger_io", __name__, url_prefix="/ledger", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/export.xlsx")
@login_required
@permission_required("ledger.export")
def export() -> Response:
    content, _count = engine().reporting.export_ledger(current_actor(), ledger_filters())
    name = f"整改任务台账-{local_today(engine().clock).isoformat()}.xlsx"
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@permission_required("ledger.import")
def upload() -> str:
    form = LedgerUploadForm()
    result = problems = None
    if form.validate_on_submit() and (content := read_upload(form)) is not None:
        try:
            result = engine().reporting.import_tasks(current_actor(), content, file_name=form.file.data.filename or "",
                                           dry_run=form.check_only.data)
        except ImportRejected as exc:
            problems = exc.problems
    return render_template("reporting/ledger_import.html", form=form, result=result, problems=problems)


@bp.route("/import/template.xlsx")
@login_required
@permission_required("ledger.import")
def template() -> Response:
    return send_file(io.BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True,
                     download_name="整改任务台账导入模板.xlsx")
