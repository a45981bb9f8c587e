"""Each API view says what it takes and answers with `operation(...)`; the views read their query with it, and the
OpenAPI document (openapi.py) is written from the same declarations."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from engine.core.errors import InvalidSubmission
from engine.core.text import N_

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    answer: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    #: a write needs a write token, or the session with its CSRF header
    writes: bool = False
    #: a list that answers 304 to a matching If-None-Match
    etag: bool = False
    #: readable without logging in (the document and its page)
    public: bool = False
    description: str = ""
    #: what an operation without a model answers with
    media: str = "application/json"


def operation(summary: str, tag: str, **options: Any) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.api_operation = Operation(summary, tag, **options)  # type: ignore[attr-defined]
        return view
    return decorate


def described(view: Callable[..., Any]) -> Operation | None:
    return getattr(view, "api_operation", None)


Q = TypeVar("Q", bound=BaseModel)


def read_query(model: type[Q]) -> Q:
    """The query string as the operation declares it; a value it cannot be is refused, naming the parameter."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise InvalidSubmission(field_errors(exc)) from None


def read_body(model: type[Q]) -> Q:
    """The JSON body as the operation declares it; what it cannot be is refused, naming the field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidSubmission({"": [N_("请以 JSON 对象提交表单的各个字段")]})
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidSubmission(field_errors(exc)) from None


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in error["loc"]) or ""
        errors.setdefault(name, []).append(error["msg"])
    return errors
