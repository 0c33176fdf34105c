"""`/dev/eid` and the e-identification simulators under `/dev/sim` (development mode only).

The simulators (identity/simulators/) speak BankID's, Freja eID's and an OpenID provider's protocols; the
development configuration points Sigill's own clients at them (sigill/eid.py). `/dev/eid` lists what waits for a
person and lets one approve it as a test person, or decline it; `POST /dev/eid/approve` does the same for
scripts and tests:

- `{"personal_number": "..."}` approves the oldest pending BankID or Freja eID identification as that person;
- `{"email": "..."}` completes the oldest pending SITHS sign-in with that e-mail claim;
- `"reference"` picks one identification instead of the oldest, and `"acr"` signs a SITHS person in at another
  level than asked for (to see it refused).

`POST /dev/eid/decline {"reference": "..."}` declines as the person would. The page's forms post the same
fields; a form from another site is refused (its `Origin` is not this server).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from addin_backend.problems import problem
from identity.errors import InvalidPersonalNumber
from identity.simulators.bankid import BankIdSimulator
from identity.simulators.common import NoSuchPending, PendingIdentification
from identity.simulators.freja import FrejaSigner, FrejaSimulator
from identity.simulators.oidc import OidcSimulator, RegisteredClient
from identity.simulators.persons import SIMULATED_PERSONS
from identity.simulators.registry import OIDC_PATH, Simulators
from sigill.config import Settings
from sigill.eid import SIMULATOR_PREFIX, freja_signer_file, simulator_url

SIMULATORS: Final = web.AppKey("eid_simulators", Simulators)
# The page loads nothing and runs nothing; its forms post only here; nobody may frame it.
HTML_CSP: Final = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
_STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")
_METHOD_NAMES: Final = {"bankid": "BankID", "freja": "Freja eID", "siths": "SITHS-kort"}
_DONE: Final = {
    "godkand": "Identifieringen är godkänd.",
    "avbruten": "Identifieringen är avbruten.",
}


def build_simulators(settings: Settings, clock: Callable[[], datetime]) -> Simulators:
    """The simulators of a development server, at the addresses the development configuration calls."""
    client = RegisteredClient(
        client_id=settings.siths.client_id,
        client_secret=settings.siths.client_secret,
        redirect_prefix=f"{settings.base_url}/",
    )
    return Simulators(
        bankid=BankIdSimulator(clock=clock),
        freja=FrejaSimulator(FrejaSigner.open(freja_signer_file(settings)), clock=clock),
        oidc=OidcSimulator(
            simulator_url(settings, OIDC_PATH),
            client,
            clock=clock,
            dev_eid_url=f"{settings.base_url}/dev/eid",
        ),
    )


def install(app: web.Application, settings: Settings, clock: Callable[[], datetime]) -> None:
    """Mount the simulators under /sim and the /eid page on the development app (itself mounted at /dev)."""
    simulators = build_simulators(settings, clock)
    app[SIMULATORS] = simulators
    simulators.add_routes(app, SIMULATOR_PREFIX)
    app.router.add_get("/eid", page, name="eid_page")
    app.router.add_post("/eid/approve", approve)
    app.router.add_post("/eid/decline", decline)


async def page(request: web.Request) -> web.Response:
    notice = _DONE.get(request.query.get("klart", ""), "")
    return _render(request, notice=notice)


async def approve(request: web.Request) -> web.StreamResponse:
    fields = await _fields(request)
    if isinstance(fields, web.StreamResponse):
        return fields
    simulators = request.app[SIMULATORS]
    personal_number, email = fields.get("personal_number", ""), fields.get("email", "")
    reference = fields.get("reference", "")
    if bool(personal_number) == bool(email):
        return _refuse(
            request,
            422,
            "invalid_body",
            "Ange antingen ett personnummer eller en e-postadress.",
            'Send {"personal_number": "..."} or {"email": "..."}, optionally with "reference".',
        )
    try:
        if personal_number:
            done = simulators.approve_person(personal_number, reference)
        else:
            done = simulators.approve_email(email, reference, fields.get("acr", ""))
    except InvalidPersonalNumber as exc:
        return _refuse(request, 422, exc.code, exc.message_sv, exc.detail)
    except NoSuchPending:
        return _nothing_pending(request)
    return _done(request, done, "godkand")


async def decline(request: web.Request) -> web.StreamResponse:
    fields = await _fields(request)
    if isinstance(fields, web.StreamResponse):
        return fields
    try:
        done = request.app[SIMULATORS].decline(fields.get("reference", ""))
    except NoSuchPending:
        return _nothing_pending(request)
    return _done(request, done, "avbruten")


async def _fields(request: web.Request) -> dict[str, str] | web.StreamResponse:
    """The request's fields from JSON (scripts) or a form (the page); a cross-site form is refused."""
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.text())
        except ValueError:
            return problem(
                400, "invalid_json", "Förfrågan är inte giltig JSON.", "The body is not valid JSON."
            )
        if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
            return problem(422, "invalid_body", "Fälten ska vara text.", "Every field must be a string.")
        return {key: value.strip() for key, value in body.items()}
    if request.content_type != "application/x-www-form-urlencoded":
        return problem(
            415, "unsupported_media_type", "Skicka JSON eller ett formulär.", "Send JSON or a form."
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        return problem(403, "cross_site_form", "Formuläret kommer från en annan webbplats.", "Wrong Origin.")
    form = await request.post()
    return {key: str(value).strip() for key, value in form.items()}


def _is_form(request: web.Request) -> bool:
    return request.content_type == "application/x-www-form-urlencoded"


def _done(request: web.Request, done: PendingIdentification, what: str) -> web.StreamResponse:
    if _is_form(request):
        raise web.HTTPSeeOther(f"{request.app.router['eid_page'].url_for()}?klart={what}")
    return web.json_response({"method": done.method, "reference": done.reference, "result": what})


def _nothing_pending(request: web.Request) -> web.StreamResponse:
    return _refuse(
        request,
        404,
        "no_pending_identification",
        "Det finns ingen väntande identifiering att svara på.",
        "No pending identification of that kind (or with that reference).",
    )


def _refuse(request: web.Request, status: int, code: str, title: str, detail: str) -> web.StreamResponse:
    if _is_form(request):
        return _render(request, error=title, status=status)
    return problem(status, code, title, detail)


def _render(request: web.Request, *, notice: str = "", error: str = "", status: int = 200) -> web.Response:
    pending = [_view(index, item) for index, item in enumerate(request.app[SIMULATORS].pending(), start=1)]
    html = (
        _environment()
        .get_template("dev_eid.html")
        .render(
            pending=pending,
            persons=SIMULATED_PERSONS,
            notice=notice,
            error=error,
            approve_url=f"{_base(request)}/approve",
            decline_url=f"{_base(request)}/decline",
            page_url=_base(request),
        )
    )
    return web.Response(
        status=status,
        text=html,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Content-Security-Policy": HTML_CSP,
            "Cache-Control": "no-store",
            # Under the site-wide `no-referrer` a browser posts this page's forms with `Origin: null`, which
            # `_fields` must refuse; the page carries no secret in its address, so it may name its origin.
            "Referrer-Policy": "same-origin",
        },
    )


def _base(request: web.Request) -> str:
    return str(request.app.router["eid_page"].url_for())


def _view(index: int, item: PendingIdentification) -> Mapping[str, Any]:
    default_person = item.requested or SIMULATED_PERSONS[0].personal_number
    return {
        "index": index,
        "method": item.method,
        "method_name": _METHOD_NAMES.get(item.method, item.method),
        "reference": item.reference,
        "started": item.started_at.astimezone(_STOCKHOLM).strftime("%H:%M:%S"),
        "requested": item.requested,
        "by_email": item.method == "siths",
        "default_value": SIMULATED_PERSONS[0].email if item.method == "siths" else default_person,
    }


@cache
def _environment() -> Environment:
    templates = Path(__file__).parent / "templates"
    return Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
