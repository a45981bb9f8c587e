"""An operation's answer: its model as JSON, and for a long list an ETag (a matching If-None-Match gets 304)."""
from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import BaseModel


def answer(model: BaseModel, etag: bool = False, status: int = 200) -> Response:
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    if etag:  # the caller may keep it, and asks again with If-None-Match (webui/security.py leaves it so)
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)
    return response
