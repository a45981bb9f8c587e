"""The ledger in Excel: the export button of the ledger page, and the coordinator's import of an office's ledger.

The import is a few pages: upload -> (the columns, when a header is not recognised) -> preview -> confirm.
The uploaded file is kept by the engine under its SHA-256 between the steps; every step reads the rows
again from that file, with the column mapping given in the address (map=列名=字段, as on the CLI) or a
saved profile. Nothing the page shows of the rows is sent back.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.errors import DomainError, InvalidSubmission
from engine.core.spreadsheet import ImportRejected
from engine.features.reporting.ledger_import import template_workbook
from engine.features.reporting.ledger_preview import LedgerPreview
from engine.features.reporting.ledger_reading import FIELDS, mapping_fields, mapping_from, parse_mapping
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import form_for
from webui.i18n import translated
from webui.params import query_id
from webui.reporting.forms import ConfirmForm, LedgerUploadForm, read_upload
from webui.tasks.routes import ledger_filters

bp = Blueprint("ledger_io", __name__, url_prefix="/ledger", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAME_MAX = 200


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
def upload() -> str | Response:
    form = upload_form()
    if form.validate_on_submit() and (content := read_upload(form)) is not None:
        name = (form.file.data.filename or "")[:NAME_MAX]
        sha256 = engine().reporting.keep_ledger(current_actor(), content, name)
        return redirect(url_for("ledger_io.preview", sha256=sha256, name=name, profile=form.profile.data or None,
                                round=form.round.data or None))
    return render_template("reporting/ledger_import.html", form=form, result=None, problems=None)


def upload_form(**options: Any) -> LedgerUploadForm:
    """The upload form with the saved profiles and the rounds to choose from (the current round first chosen)."""
    form = LedgerUploadForm(**options)
    profiles = engine().reporting.import_profiles(current_actor())
    form.profile.choices = [("", _("（按表头自动识别）")), *((name, name) for name in profiles)]
    rounds = engine().rounds.rounds()
    form.round.choices = [(str(found.id), found.name) for found in rounds]
    if not form.round.data:
        form.round.data = next((str(found.id) for found in rounds if found.current), "")
    return form


def _choice() -> dict[str, Any]:
    """The file's name, the saved profile and the column mapping the address carries (map=列名=字段)."""
    return {"name": request.args.get("name", "")[:NAME_MAX], "profile": request.args.get("profile", ""),
            "map": request.args.getlist("map"), "round": query_id(request.args.get("round"))}


def _preview(sha256: str, choice: dict[str, Any]) -> LedgerPreview:
    """The kept file read again, with the mapping and profile of the address."""
    reporting = engine().reporting
    content = reporting.kept_ledger(current_actor(), sha256)
    return reporting.preview_import(current_actor(), content, mapping=parse_mapping(choice["map"]),
                                    profile=choice["profile"], round_id=choice["round"])


@bp.route("/import/<sha256>")
@login_required
@permission_required("ledger.import")
def preview(sha256: str) -> str | Response:
    choice = _choice()
    try:
        understood = _preview(sha256, choice)
    except (DomainError, ValueError) as exc:
        return _refused(exc)
    if understood.needs_mapping:
        return redirect(url_for("ledger_io.columns", sha256=sha256, **choice))
    return render_template("reporting/ledger_preview.html", preview=understood, choice=choice, sha256=sha256,
                           form=ConfirmForm(), field_labels=FIELDS)


@bp.route("/import/<sha256>/columns", methods=["GET", "POST"])
@login_required
@permission_required("ledger.import")
def columns(sha256: str) -> str | Response:
    """这一列是…？: the person says what each column holds; the answer may be saved as a profile."""
    choice = _choice()
    try:
        understood = _preview(sha256, choice)
    except (DomainError, ValueError) as exc:
        return _refused(exc)
    fields = mapping_fields(understood.columns)
    form = form_for(fields)
    if form.validate_on_submit():
        answers = form.engine_data()
        mapping = mapping_from(understood.columns, answers)
        try:
            if answers.get("profile_name"):
                engine().reporting.save_import_profile(current_actor(), answers["profile_name"], mapping)
                flash(_("已保存列对应方案「%(name)s」", name=" ".join(answers["profile_name"].split())), "success")
        except InvalidSubmission as exc:
            form.add_errors(exc.errors)
        else:
            chosen = [f"{header}={field}" for header, field in mapping.items()]
            return redirect(url_for("ledger_io.preview", sha256=sha256, name=choice["name"], map=chosen,
                                    round=choice["round"]))
    return render_template("reporting/ledger_columns.html", form=form, preview=understood, choice=choice,
                           sha256=sha256)


@bp.route("/import/<sha256>/confirm", methods=["POST"])
@login_required
@permission_required("ledger.import")
def confirm(sha256: str) -> str | Response:
    choice = _choice()
    if not ConfirmForm().validate_on_submit():
        flash(_("表单已失效，请刷新页面后重试。"), "danger")
        return redirect(url_for("ledger_io.preview", sha256=sha256, **choice))
    reporting = engine().reporting
    try:
        content = reporting.kept_ledger(current_actor(), sha256)
        result = reporting.import_tasks(current_actor(), content, file_name=choice["name"],
                                        mapping=parse_mapping(choice["map"]), profile=choice["profile"],
                                        round_id=choice["round"])
    except (DomainError, ValueError) as exc:
        return _refused(exc)
    return _import_page(result=result)


def _import_page(**shown: Any) -> str:
    """The upload page again, with a result or the problems of the file."""
    return render_template("reporting/ledger_import.html", form=upload_form(formdata=None),
                           **{"result": None, "problems": None, **shown})


def _refused(exc: Exception) -> str | Response:
    """A file that cannot be imported: its problems on the upload page; a kept file gone: upload it again."""
    if isinstance(exc, ImportRejected):
        return _import_page(problems=exc.problems)
    if isinstance(exc, InvalidSubmission):  # a round that is not there
        flash(gettext("；").join(translated(message) for messages in exc.errors.values() for message in messages),
              "danger")
        return redirect(url_for("ledger_io.upload"))
    flash(str(exc), "danger")
    return redirect(url_for("ledger_io.upload"))


@bp.route("/import/template.xlsx")
@login_required
@permission_required("ledger.import")
def template() -> Response:
    return send_file(io.BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True,
                     download_name="整改任务台账导入模板.xlsx")
