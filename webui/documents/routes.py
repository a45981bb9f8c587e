"""公文 pages: issue a document from a task's page, print it from the browser, download its .docx."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.features.documents.kinds import KINDS
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.i18n import translated

bp = Blueprint("documents", __name__, template_folder="templates")


@bp.route("/tasks/<int:task_id>/documents/<kind>", methods=["POST"])
@login_required
@permission_required("document.issue")
def issue(task_id: int, kind: str) -> Response:
    """A button on the task page (CSRF checked for every POST): the next 文号, then the document to print."""
    document = engine().documents.issue(current_actor(), kind, task_id)
    flash(_("已印发%(kind)s %(number)s", kind=translated(KINDS[document.kind].name), number=document.number),
          "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.route("/documents/<int:document_id>")
@login_required
@permission_required("task.view")
def show(document_id: int) -> str:
    """The document as issued, laid out for printing from the browser."""
    document = engine().documents.issued(current_actor(), document_id)
    return render_template("documents/show.html", document=document, kind=KINDS[document.kind])


@bp.route("/documents/<int:document_id>.docx")
@login_required
@permission_required("task.view")
def docx(document_id: int) -> Response:
    path, document = engine().documents.docx(current_actor(), document_id)
    name = f"{KINDS[document.kind].name}-{document.number}.docx"
    return send_file(path, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     as_attachment=True, download_name=name, max_age=0)
