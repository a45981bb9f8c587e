"""The OpenAPI document and a page that reads it to people (no script: the page is drawn on the server)."""
from __future__ import annotations

from functools import cache
from typing import Any

from flask import Response, current_app, jsonify, render_template

from engine.core.text import N_
from webui.api.blueprint import bp
from webui.api.openapi import build_document
from webui.api.operations import operation


@bp.get("/openapi.json")
@operation(N_("本接口的 OpenAPI 3.1 文档"), "document", public=True)
def openapi() -> Response:
    return jsonify(document())


@bp.get("/docs")
@operation(N_("接口文档页面"), "document", public=True, media="text/html")
def docs() -> str:
    return render_template("api/docs.html", doc=document())


def document() -> dict[str, Any]:
    return _document(current_app._get_current_object())  # type: ignore[attr-defined]


@cache
def _document(app: Any) -> dict[str, Any]:
    return build_document(app)
