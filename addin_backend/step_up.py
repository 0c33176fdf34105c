"""The step-up challenge (RFC 9470) for a caller whose sign-in is below a message's level.

The answer is 401 with

    WWW-Authenticate: Bearer error="insufficient_user_authentication",
        error_description="...", acr_values="c1", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6..."

and a problem+json body with `code: step_up_required` and `required_loa`. `acr_values` names what the client asks
the issuer for: the Conditional Access authentication context bound to the level (see identity/staff_loa.py), or,
where the level has none, the level's identifier in the Swedish assurance framework. `claims` is Microsoft Entra
ID's claims challenge for that context, base64 of `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`: a
client passes it unchanged to MSAL (`claims` of acquireToken), and Entra runs the context's policy.
"""

from __future__ import annotations

import base64
import json
from typing import Final

from aiohttp import web

from addin_backend.problems import problem
from identity.staff_loa import LoaRules
from messaging.errors import StepUpRequired

# The rules staff tokens are read by; set on the application by the composition root.
LOA_RULES: Final = web.AppKey("loa_rules", LoaRules)
# The Swedish assurance framework's identifiers of the levels (DIGG, "Tillitsramverk för Svensk e-legitimation").
_LEVEL_URI: Final = "http://id.elegnamnden.se/loa/1.0/loa{level}"


def step_up_problem(request: web.Request, exc: StepUpRequired) -> web.Response:
    """401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication"` and problem+json."""
    response = problem(
        401,
        exc.code,
        exc.message_sv,
        f"This message needs a sign-in at LoA{exc.required_loa}.",
        required_loa=exc.required_loa,
    )
    response.headers["WWW-Authenticate"] = step_up_challenge(
        exc.required_loa, request.config_dict.get(LOA_RULES)
    )
    return response


def step_up_challenge(required_loa: int, rules: LoaRules | None) -> str:
    """The `WWW-Authenticate` value that asks for a sign-in at `required_loa`."""
    contexts = rules.auth_contexts_for(required_loa) if rules is not None else ()
    parameters = {
        "error": "insufficient_user_authentication",
        "error_description": f"A sign-in at LoA{required_loa} is required",
        "acr_values": contexts[0] if contexts else _LEVEL_URI.format(level=required_loa),
    }
    if contexts:
        parameters["claims"] = claims_challenge(contexts[0])
    return "Bearer " + ", ".join(f'{name}="{value}"' for name, value in parameters.items())


def claims_challenge(auth_context: str) -> str:
    """Entra's claims challenge for one authentication context, base64-encoded as Entra's own APIs send it."""
    request = {"access_token": {"acrs": {"essential": True, "value": auth_context}}}
    return base64.b64encode(json.dumps(request, separators=(",", ":")).encode()).decode("ascii")
