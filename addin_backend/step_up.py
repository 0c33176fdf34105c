"""The step-up challenge (RFC 9470) for a caller whose sign-in is below a message's level."""

from __future__ import annotations

from aiohttp import web

from addin_backend.problems import problem
from messaging.errors import StepUpRequired


def step_up_problem(request: web.Request, exc: StepUpRequired) -> web.Response:
    """401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication"` and problem+json."""
    response = problem(401, exc.code, exc.message_sv, exc.detail, required_loa=exc.required_loa)
    response.headers["WWW-Authenticate"] = (
        f'Bearer error="insufficient_user_authentication", acr_values="loa{exc.required_loa}"'
    )
    return response
