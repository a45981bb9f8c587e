"""Every refusal and failure of the API as RFC 9457 problem details (application/problem+json), in one place."""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
from webui.api.schemas import Problem
from webui.i18n import error_text, translated

log = logging.getLogger("duban.api")
PROBLEM_JSON = "application/problem+json"
PREFIX = "/api/"
STATUS_OF: dict[type[DomainError], int] = {NotFound: 404, PermissionDenied: 403, Conflict: 409, RateLimited: 429,
                                           Unanswered: 503, FileUnavailable: 410, InvalidSubmission: 400}


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def problem(status: int, detail: str = "", errors: dict[str, list[str]] | None = None) -> Response:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, instance=request.path,
                   errors=errors)
    response = jsonify(body.model_dump(exclude_none=True))
    response.status_code, response.content_type = status, PROBLEM_JSON
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="duban"'
    return response


def domain_problem(error: DomainError) -> Response:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(error, kind)), 400)
    if status in (403, 404) and current_user.is_authenticated:  # refused as the web refuses: in the audit trail
        from webui.auth.session import current_actor
        from webui.extensions import engine

        route = request.url_rule.rule if request.url_rule else request.path
        engine().accounts.refuse(current_actor(), f"{request.method} {route}", f"{error}（{request.path}）")
    refused: dict[str, list[str]] | None = getattr(error, "errors", None)  # each field or item refused, if said
    errors = {name: [translated(message) for message in messages] for name, messages in refused.items()} \
        if refused else None
    if isinstance(error, InvalidSubmission):
        return problem(400, _("提交的内容有误"), errors)
    return problem(status, error_text(error), errors)


def http_problem(error: HTTPException) -> Response:
    if isinstance(error, CSRFError):
        return problem(403, _("会话登录的写操作须带 X-CSRFToken 请求头（或改用访问令牌）。"))
    response = problem(error.code or 500, str(error.description or ""))
    if error.code == 405 and error.get_response().headers.get("Allow"):
        response.headers["Allow"] = error.get_response().headers["Allow"]
    return response


def unexpected_problem(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, _("系统出现意外错误，操作未生效。请稍后重试或联系管理员。"))


def register(bp: Blueprint) -> None:
    """The API's own answers for its operations; a path under /api/ that names none is answered the same way by
    webui/errors.py, which asks `is_api_request`."""
    bp.register_error_handler(DomainError, domain_problem)
    bp.register_error_handler(HTTPException, http_problem)
    bp.register_error_handler(Exception, unexpected_problem)
