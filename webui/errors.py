"""Domain exceptions become HTTP answers here, and only here."""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from engine.core.errors import (
    Conflict,
    DomainError,
    FileUnavailable,
    InvalidSubmission,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unanswered,
)
from engine.core.text import N_
from webui.api.problems import http_problem, is_api_request
from webui.auth.session import current_actor
from webui.extensions import engine
from webui.i18n import error_text, translated

log = logging.getLogger("duban.web")
F = TypeVar("F", bound=Callable[..., Any])


def permission_required(permission: str) -> Callable[[F], F]:
    """The route layer of authorization: the role must hold the permission (roles.yaml)."""
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not engine().roles.allows(current_user.role, permission):
                raise PermissionDenied(N_("角色无权访问（%(permission)s）", permission=permission))
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorator


def register(app: Flask) -> None:
    app.register_error_handler(NotFound, _refused(404))
    app.register_error_handler(PermissionDenied, _refused(403))
    app.register_error_handler(Conflict, _conflict)
    app.register_error_handler(RateLimited, _rate_limited)
    app.register_error_handler(Unanswered, _unanswered)
    app.register_error_handler(FileUnavailable, _file_unavailable)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(InvalidSubmission, _invalid)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


def _refused(code: int) -> Callable[[DomainError], tuple[str, int]]:
    def handler(error: DomainError) -> tuple[str, int]:
        if current_user.is_authenticated:
            route = request.url_rule.rule if request.url_rule else request.path
            engine().accounts.refuse(current_actor(), f"{request.method} {route}", f"{error}（{request.path}）")
        return render_template("error.html", code=code, message=error_text(error)), code
    return handler


def _conflict(error: Conflict) -> Response:
    flash(error_text(error), "warning")
    return redirect(url_for("tasks.inbox"))


def _rate_limited(error: RateLimited) -> tuple[str, int]:
    return render_template("error.html", code=429, message=error_text(error)), 429


def _unanswered(error: Unanswered) -> tuple[str, int]:
    log.warning("the database did not answer on %s %s", request.method, request.path)
    return render_template("error.html", code=503, message=error_text(error)), 503


def _file_unavailable(error: FileUnavailable) -> tuple[str, int]:
    return render_template("error.html", code=410, message=error_text(error)), 410


def _too_large(error: RequestEntityTooLarge) -> tuple[str, int] | Response:
    if is_api_request():
        return http_problem(error)
    message = _("上传的内容太大：一次提交的文件合计不能超过 100 MB，单个文件不能超过规定上限。")
    return render_template("error.html", code=413, message=message), 413


def _invalid(error: InvalidSubmission) -> tuple[str, int]:
    return render_template("error.html", code=400, message=_("提交的内容有误：%(detail)s", detail=_detail(error))), 400


def _detail(error: InvalidSubmission) -> str:
    return "；".join(translated(message) for messages in error.errors.values() for message in messages)


def _csrf(error: CSRFError) -> tuple[str, int] | Response:
    if is_api_request():
        return http_problem(error)
    return render_template("error.html", code=400, message=_("表单已失效或缺少安全令牌，请刷新页面后重试。")), 400


def _http(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
    if error.code is None or error.code < 400:
        return error
    if is_api_request():  # a path under /api/ that names no operation, or not with this method
        return http_problem(error)
    return render_template("error.html", code=error.code, message=error.description), error.code


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    message = _("系统出现意外错误，操作未生效。请稍后重试或联系管理员。")
    return render_template("error.html", code=500, message=message), 500
