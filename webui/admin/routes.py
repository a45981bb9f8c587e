"""Administration: accounts (create, edit, deactivate, unlock, reset password) and the audit trail."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.wrappers import Response

from engine.core.clock import local_today
from engine.core.errors import InvalidSubmission, NotFound
from engine.features.accounts.users import UserFilters, temporary_password
from engine.features.audit.trail import ACTION_FAMILIES, AuditFilters
from webui.admin.audit_text import CSV_COLUMNS, action_text, audit_json, csv_value
from webui.admin.forms import ButtonForm, NewUserForm, ProfileForm
from webui.auth.session import current_actor
from webui.errors import permission_required
from webui.extensions import engine
from webui.forms import add_errors
from webui.params import MAX_ID, query_date, query_id

if TYPE_CHECKING:
    from engine.store.models import AccessRefusal, User

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
USER_STATES = (("", _l("全部状态")), ("active", _l("在用")), ("locked", _l("已锁定")), ("inactive", _l("已停用")))


# --- accounts ----------------------------------------------------------------------------------

@bp.route("/users")
@login_required
@permission_required("user.manage")
def users() -> str:
    filters = UserFilters(q=request.args.get("q", "")[:64], role=request.args.get("role", "")[:32],
                          state=request.args.get("state", "")[:16], page=query_id(request.args.get("page")) or 1)
    page = engine().accounts.list_users(current_actor(), filters)
    return render_template("admin/users.html", page=page, rows=page.rows, filters=filters, states=USER_STATES,
                           roles=engine().roles.roles, units=dict(engine().tasks.choices({"units"})["units"]),
                           button=ButtonForm())


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
@permission_required("user.manage")
def new_user() -> str | Response:
    form = NewUserForm()
    form.fill_choices()
    if form.validate_on_submit():
        password = temporary_password()
        try:
            user_id = engine().accounts.create_user(
                current_actor(), username=(form.username.data or "").strip(), password=password,
                display_name=form.display_name.data or "", title=form.title.data or "", role=form.role.data or "",
                unit_code=form.unit.data or None, must_change_password=True)
        except InvalidSubmission as exc:
            add_errors(form, exc.errors)
        else:
            return _show_password(user_id, password, created=True)
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
@permission_required("user.manage")
def edit_user(user_id: int) -> str | Response:
    user = _user(user_id)
    form = ProfileForm(data={"display_name": user.display_name, "title": user.title, "role": user.role,
                             "unit": user.unit.code if user.unit else ""})
    form.fill_choices()
    if form.validate_on_submit():
        try:
            engine().accounts.update_user(current_actor(), user_id, display_name=form.display_name.data or "",
                                 title=form.title.data or "", role=form.role.data or "",
                                 unit_code=form.unit.data or None)
        except InvalidSubmission as exc:
            add_errors(form, exc.errors)
        else:
            flash(_("已保存用户 %(name)s", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@login_required
@permission_required("user.manage")
def deactivate_user(user_id: int) -> Response:
    return _button(user_id, lambda: engine().accounts.set_user_active(current_actor(), user_id, False),
                   _("已停用 %(name)s"))


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@login_required
@permission_required("user.manage")
def activate_user(user_id: int) -> Response:
    return _button(user_id, lambda: engine().accounts.set_user_active(current_actor(), user_id, True),
                   _("已启用 %(name)s"))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@login_required
@permission_required("user.manage")
def unlock_user(user_id: int) -> Response:
    return _button(user_id, lambda: engine().accounts.unlock_user(current_actor(), user_id), _("已解锁 %(name)s"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@login_required
@permission_required("user.manage")
def reset_password(user_id: int) -> str:
    _user(user_id)
    return _show_password(user_id, engine().accounts.reset_password(current_actor(), user_id), created=False)


def _button(user_id: int, action: Callable[[], None], message: str) -> Response:
    """The POST of a button (CSRFProtect has checked its token before the view runs)."""
    user = _user(user_id)
    action()
    flash(message % {"name": user.username}, "success")
    return redirect(url_for("admin.users"))


def _show_password(user_id: int, password: str, created: bool) -> str:
    """Shown once, in this response only: never flashed (the session cookie is signed, not encrypted)."""
    return render_template("admin/password_shown.html", user=_user(user_id), password=password, created=created)


def _user(user_id: int) -> User:
    user = engine().accounts.user(user_id) if user_id <= MAX_ID else None
    if user is None:
        raise NotFound(_("没有这个用户"))
    return user


# --- the audit trail ---------------------------------------------------------------------------------

bp.add_app_template_filter(audit_json, "audit_json")
bp.add_app_template_global(action_text, "audit_action")


@bp.route("/audit")
@login_required
@permission_required("audit.view")
def audit_trail() -> str:
    filters = audit_filters()
    page = engine().audit.trail(current_actor(), filters)
    report = engine().audit.verify(current_actor()) if request.args.get("verify") == "1" else None
    return render_template("admin/audit.html", page=page, filters=filters, report=report,
                           families=ACTION_FAMILIES, args=filter_args(filters), refusals=_refusals(filters))


def _refusals(filters: AuditFilters) -> list[AccessRefusal] | None:
    """Refused requests counted per person, route and day, when refusals are what the page looks at: the days
    filtered, else the last week."""
    if filters.action not in ("access", "access.refused"):
        return None
    until = filters.until or local_today(engine().clock)
    return engine().audit.refusals(current_actor(), filters.since or until - timedelta(days=6), until)


@bp.route("/audit.csv")
@login_required
@permission_required("audit.view")
def audit_export() -> Response:
    rows = stream_with_context(_csv_rows(audit_filters()))
    today = local_today(engine().clock)
    return Response(rows, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=duban-audit-{today:%Y%m%d}.csv"})


def _csv_rows(filters: AuditFilters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
    writer.writerow(CSV_COLUMNS)
    for event in engine().audit.events(current_actor(), filters):
        writer.writerow([csv_value(event, name) for name in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def audit_filters() -> AuditFilters:
    args = request.args
    return AuditFilters(
        action=args.get("action", "")[:64], actor=args.get("actor", "")[:64], task_id=query_id(args.get("task")),
        object=args.get("object", "")[:130], since=query_date(args.get("since")), until=query_date(args.get("until")),
        q=args.get("q", "")[:100], client_addr=args.get("client", "")[:64], page=min(query_id(args.get("page")) or 1,
                                                                                   MAX_ID))


def filter_args(filters: AuditFilters) -> dict[str, str]:
    """The filters as query arguments, for pagination and export links."""
    values = {"action": filters.action, "actor": filters.actor, "task": filters.task_id or "",
              "object": filters.object, "since": filters.since or "", "until": filters.until or "",
              "q": filters.q, "client": filters.client_addr}
    return {name: str(value) for name, value in values.items() if value}
