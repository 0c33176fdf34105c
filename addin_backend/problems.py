"""application/problem+json responses (RFC 9457) with a stable `code`."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str = "", **extra: Any) -> web.Response:
    body = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
        **extra,
    }
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type=PROBLEM_TYPE, charset="utf-8"
    )


def unauthorized(reason: str) -> web.Response:
    response = problem(401, "unauthorized", "Du behöver logga in.", reason)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response
