"""The OpenAPI 3.1 document, written from the code: every operation of the blueprint with the models it declares
(operations.py, schemas.py, queries.py), assembled by apispec."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import Flask
from pydantic import BaseModel

from webui.api.operations import Operation, described
from webui.api.schemas import Problem

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
PROBLEMS = {400: "提交的内容或查询参数有误", 401: "未登录或访问令牌无效", 403: "无权（角色、单位或令牌权限范围）",
            404: "没有找到（或不在本人的范围内）", 409: "已被办理或已被他人改动", 429: "请求过于频繁"}
INTRODUCTION = ("duban 的 JSON 接口：与网页相同的用例、权限、单位范围与审计。用个人访问令牌"
                "（Authorization: Bearer dbn_…，在「访问令牌」页面创建）或浏览器的登录会话调用；"
                "会话的写操作须带 X-CSRFToken 请求头。错误按 RFC 9457 以 application/problem+json 返回。")


def build_document(app: Flask) -> dict[str, Any]:
    spec = APISpec(title="duban API", version=VERSION, openapi_version="3.1.0",
                   info={"description": INTRODUCTION}, servers=[{"url": "/api/v1"}],
                   security=[{"token": []}, {"session": []}])
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer", "bearerFormat": "dbn_…"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "duban_session"})
    _add_schema(spec, Problem)
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        declared = described(app.view_functions[rule.endpoint]) if rule.endpoint.startswith("api.") else None
        if declared is None:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        operations = {method.lower(): _operation(spec, declared, rule.arguments, rule.endpoint) for method in methods}
        spec.path(path=PARAMETER.sub(r"{\2}", rule.rule.removeprefix("/api/v1")), operations=operations)
    return spec.to_dict()


def _operation(spec: APISpec, declared: Operation, arguments: set[str], endpoint: str) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": declared.summary, "tags": [declared.tag],
                                 "operationId": endpoint.removeprefix("api."),
                                 "parameters": _path_parameters(arguments) + _query_parameters(declared.query),
                                 "responses": _responses(spec, declared)}
    if declared.description:
        operation["description"] = declared.description
    if declared.public:
        operation["security"] = []
    if declared.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _add_schema(spec, declared.body)}}}
    return operation


def _path_parameters(arguments: set[str]) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": ID_SCHEMA} for name in sorted(arguments)]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": _nullable_dropped(property_)}
            | ({"description": property_["description"]} if "description" in property_ else {})
            for name, property_ in schema["properties"].items()]


def _nullable_dropped(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is left out rather than sent as null: `anyOf [X, null]` says X."""
    options = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    kept = {key: value for key, value in schema.items() if key not in ("anyOf", "default", "description", "title")}
    return {**options[0], **kept} if len(options) == 1 else kept


def _responses(spec: APISpec, declared: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if declared.answer is not None:
        responses["200"] = {"description": "OK", "content": {
            "application/json": {"schema": _add_schema(spec, declared.answer)}}}
    else:
        kind = "object" if declared.media == "application/json" else "string"
        responses["200"] = {"description": "OK", "content": {declared.media: {"schema": {"type": kind}}}}
    if declared.etag:
        responses["200"]["headers"] = {"ETag": {"schema": {"type": "string"}}}
        responses["304"] = {"description": "与 If-None-Match 相同：内容未变"}
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    for status, text in PROBLEMS.items():
        if declared.public and status != 429:
            continue
        responses[str(status)] = {"description": text, "content": problem}
    return responses


def _add_schema(spec: APISpec, model: type[BaseModel]) -> dict[str, str]:
    """The model in the document's components (with the models it uses), and the reference to it."""
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in schema.pop("$defs", {}).items():
        if name not in spec.components.schemas:
            spec.components.schema(name, definition)
    if model.__name__ not in spec.components.schemas:
        spec.components.schema(model.__name__, schema)
    return {"$ref": REF.format(model=model.__name__)}
