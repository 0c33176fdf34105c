"""E-identification on the account pages: signing in at LoA3, and stepping up from LoA2 to read a message.

    POST /konto/logga-in/eid     method=bankid|freja|siths: sign in with e-ID (Freja eID asks the personal number)
    GET  /konto/eid/freja        Personnummer, then Freja eID's request goes to that person's app
    POST /konto/eid/freja
    POST /konto/hoj-niva         method=..., next=<message id>: step up the signed-in holder
    GET  /konto/eid              the waiting page: BankID's QR code and autostart link, the provider's message
    POST /konto/eid              collect once ("Fortsätt"); on completion sign in, or step up and go on
    GET  /konto/eid/status       JSON {status, message} for portal.js, which polls it every two seconds
    GET  /konto/eid/qr           this second's BankID QR code (SVG)
    POST /konto/eid/avbryt       cancel
    GET  /konto/siths/retur      the OpenID provider sends the browser back here with code and state

What is under way lives on the server side of the session (the sealed cookie): the order reference and the QR
secret, the OpenID state, nonce and PKCE verifier. Which accounts the identified person may enter is
messaging/account_signin.py's decision.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Final, Literal

import segno
from aiohttp import web

from identity.contact import normalize_personal_number
from identity.eid.oidc import OidcStart
from identity.eid.service import EidMethod, Pending
from identity.errors import EidError, InvalidPersonalNumber
from messaging.accounts import AccountRef
from messaging.errors import IdentityMismatch
from messaging.model import Actor
from portal.account_session import (
    EID_METHODS,
    INBOX_PATH,
    SIGN_IN_PATH,
    accounts_of,
    form,
    keep,
    offers,
    page,
    redirect,
    require_actor,
    session_of,
    sign_in_form,
    sign_in_session,
    text,
)
from portal.account_texts import account_translator
from portal.templating import language_of

Purpose = Literal["sign-in", "step-up"]
WAIT_PATH: Final = "/konto/eid"
SITHS_RETURN_PATH: Final = "/konto/siths/retur"


def add_routes(app: web.Application) -> None:
    app.router.add_post("/konto/logga-in/eid", start_sign_in)
    app.router.add_get("/konto/eid/freja", freja_page)
    app.router.add_post("/konto/eid/freja", freja_start)
    app.router.add_post("/konto/hoj-niva", start_step_up)
    app.router.add_get(WAIT_PATH, waiting_page)
    app.router.add_post(WAIT_PATH, collect)
    app.router.add_get("/konto/eid/status", status)
    app.router.add_get("/konto/eid/qr", qr_code)
    app.router.add_post("/konto/eid/avbryt", cancel)
    app.router.add_get(SITHS_RETURN_PATH, siths_return)


async def start_sign_in(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    method = text(data, "method", 10)
    portal = accounts_of(request).portal
    if not offers(portal, method):
        raise web.HTTPNotFound()
    if method == "freja":
        return redirect(request, "/konto/eid/freja")
    return await _start(request, method, None, "sign-in", INBOX_PATH)


async def freja_page(request: web.Request, *, errors: dict[str, str] | None = None) -> web.StreamResponse:
    ta = account_translator(language_of(request))
    return page(
        request,
        "freja.html",
        status=422 if errors else 200,
        title=ta("eid_title_freja"),
        errors=errors or {},
        page_path="/konto/eid/freja",
    )


async def freja_start(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    if not offers(accounts_of(request).portal, "freja"):
        raise web.HTTPNotFound()
    try:
        personal_number = normalize_personal_number(text(data, "personal_number", 20))
    except InvalidPersonalNumber:
        ta = account_translator(language_of(request))
        return await freja_page(request, errors={"personal_number": ta("personal_number_invalid")})
    return await _start(request, "freja", personal_number, "sign-in", INBOX_PATH)


async def start_step_up(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    actor = await require_actor(request)
    method = text(data, "method", 10)
    message_id = text(data, "next", 64)
    back = f"/konto/meddelanden/{message_id}" if message_id.isalnum() else INBOX_PATH
    accounts = accounts_of(request)
    if not offers(accounts.portal, method):
        raise web.HTTPNotFound()
    personal_number = None
    if method != "siths":
        personal_number = await accounts.sign_in.personal_number(AccountRef(actor.org_id, actor.user_id))
        if personal_number is None:
            # No stored number: BankID and Freja eID cannot show it is the holder (the page says so).
            return redirect(request, back)
    return await _start(request, method, personal_number, "step-up", back)


async def _start(
    request: web.Request, method: str, personal_number: str | None, purpose: Purpose, next_path: str
) -> web.StreamResponse:
    accounts = accounts_of(request)
    session = session_of(request)
    session.set("eid_for", purpose)
    session.set("next", next_path)
    if method == "siths":
        assert accounts.portal.oidc is not None
        base = accounts.portal.deps.base_url
        start = await accounts.portal.oidc.authorization_url(f"{base}{SITHS_RETURN_PATH}")
        session.set("oidc", json.dumps(start.to_record()))
        return redirect(request, start.url)
    assert accounts.portal.eid is not None
    pending = await accounts.portal.eid.start(
        EID_METHODS[method], personal_number, request.remote or "127.0.0.1"
    )
    session.set("eid", json.dumps(pending.to_record()))
    return redirect(request, WAIT_PATH)


def _pending(request: web.Request) -> Pending | None:
    raw = session_of(request).get("eid")
    if not raw:
        return None
    try:
        return Pending.from_record(json.loads(raw))
    except ValueError:
        return None


async def waiting_page(
    request: web.Request, *, message: str = "", status_code: int = 200
) -> web.StreamResponse:
    pending = _pending(request)
    if pending is None:
        return redirect(request, SIGN_IN_PATH)
    ta = account_translator(language_of(request))
    bankid = pending.method is EidMethod.BANKID
    return page(
        request,
        "eid_wait.html",
        status=status_code,
        title=ta("eid_title_bankid" if bankid else "eid_title_freja"),
        bankid=bankid,
        autostart=pending.autostart_link() or "",
        message=message,
        page_path=WAIT_PATH,
    )


async def status(request: web.Request) -> web.StreamResponse:
    """For portal.js: where the identification stands (it collects once; completion is acted on by POST)."""
    pending = _pending(request)
    eid = accounts_of(request).portal.eid
    if pending is None or eid is None:
        return web.json_response({"status": "failed", "message": ""}, headers={"Cache-Control": "no-store"})
    result = await eid.collect(pending)
    body = {"status": result.status, "message": result.message.text(language_of(request))}
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def qr_code(request: web.Request) -> web.StreamResponse:
    pending = _pending(request)
    eid = accounts_of(request).portal.eid
    content = eid.qr_content(pending) if pending is not None and eid is not None else None
    if content is None:
        raise web.HTTPNotFound()
    out = io.BytesIO()
    segno.make(content, error="l").save(out, kind="svg", scale=6, border=2, title="BankID")
    return web.Response(
        body=out.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


async def collect(request: web.Request) -> web.StreamResponse:
    """Ask the provider once. portal.js asks with Accept: application/json and is told where to go next."""
    response = await _collect(request)
    if (
        "application/json" not in request.headers.get("Accept", "")
        or response.content_type == "application/json"
    ):
        return response
    # Done: a redirect goes on as JSON; a sign-in that failed starts again at the sign-in page.
    next_path = response.headers.get("Location", SIGN_IN_PATH) if response.status == 303 else SIGN_IN_PATH
    return keep(request, web.json_response({"status": "done", "next": next_path}))


async def _collect(request: web.Request) -> web.StreamResponse:
    await form(request)
    pending = _pending(request)
    eid = accounts_of(request).portal.eid
    if pending is None or eid is None:
        return redirect(request, SIGN_IN_PATH)
    language = language_of(request)
    try:
        result = await eid.collect(pending)
    except EidError as exc:
        return await _failed(request, exc.message_en if language == "en" else exc.message_sv)
    if result.status == "pending":
        if "application/json" in request.headers.get("Accept", ""):
            body = {"status": "pending", "message": result.message.text(language)}
            return keep(request, web.json_response(body))
        return await waiting_page(request, message=result.message.text(language))
    if result.status == "failed" or result.personal_number is None:
        return await _failed(request, result.message.text(language))
    if pending.method is EidMethod.BANKID:
        return await _identified(request, "bankid", personal_number=result.personal_number)
    return await _identified(request, "freja", personal_number=result.personal_number)


async def cancel(request: web.Request) -> web.StreamResponse:
    await form(request)
    pending = _pending(request)
    eid = accounts_of(request).portal.eid
    session = session_of(request)
    session.pop("eid")
    if pending is not None and eid is not None:
        # Already over at the provider (an error): nothing left to cancel.
        with contextlib.suppress(EidError):
            await eid.cancel(pending)
    back = session.pop("next") if session.pop("eid_for") == "step-up" else None
    return redirect(request, back or SIGN_IN_PATH)


async def siths_return(request: web.Request) -> web.StreamResponse:
    session = session_of(request)
    raw, oidc = session.pop("oidc"), accounts_of(request).portal.oidc
    if not raw or oidc is None:
        return redirect(request, SIGN_IN_PATH)
    try:
        start = OidcStart.from_record(json.loads(raw))
        identity = await oidc.complete(
            start, code=request.query.get("code", "")[:2048], state=request.query.get("state", "")[:512]
        )
    except (ValueError, EidError):
        ta = account_translator(language_of(request))
        return await _failed(request, ta("eid_failed"))
    return await _identified(request, "siths", email=identity.email)


async def _identified(
    request: web.Request,
    method: str,
    *,
    personal_number: str | None = None,
    email: str | None = None,
) -> web.StreamResponse:
    """The provider says who it is: sign that person in, or step the holder up, as the session intends."""
    session = session_of(request)
    session.pop("eid")
    sign_in = accounts_of(request).sign_in
    if session.get("eid_for") == "step-up":
        ref = AccountRef.parse(session.get("acct"))
        if ref is None:
            return redirect(request, SIGN_IN_PATH)
        try:
            actor = await sign_in.step_up(ref, method, personal_number=personal_number, email=email)
        except IdentityMismatch:
            ta = account_translator(language_of(request))
            return await _failed(request, ta("eid_failed"))
        return _stepped_up(request, actor)
    if personal_number is not None:
        found = await sign_in.accounts_of_person(personal_number)
    else:
        found = await sign_in.accounts_at_address(email or "")
    if not found:
        ta = account_translator(language_of(request))
        return await _failed(request, ta("eid_no_account"), status_code=403)
    if len(found) > 1:
        session.set("choices", ",".join(str(AccountRef.of(a)) for a in found))
        session.set("choice_for", method)
        return redirect(request, "/konto/organisation")
    actor = await sign_in.signed_in_with_eid(AccountRef.of(found[0]), method)
    sign_in_session(request, actor)
    return redirect(request, INBOX_PATH)


def _stepped_up(request: web.Request, actor: Actor) -> web.StreamResponse:
    session = session_of(request)
    next_path = session.pop("next") or INBOX_PATH
    session.pop("eid_for")
    session.set("loa", str(actor.loa))
    session.set("method", actor.sign_in_method)
    return redirect(request, next_path)


async def _failed(request: web.Request, message: str, *, status_code: int = 400) -> web.StreamResponse:
    """The identification did not sign anyone in: back where it started, saying so."""
    session = session_of(request)
    session.pop("eid")
    session.pop("oidc")
    if session.pop("eid_for") == "step-up":
        next_path = session.pop("next") or INBOX_PATH
        session.set("notice", message)
        return redirect(request, next_path)
    session.pop("next")
    return sign_in_form(request, status=status_code, errors={"eid": message})
