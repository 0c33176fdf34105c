"""The link in the e-mail: /r/<org>/<delivery>/<token>, and the pages it leads to.

    GET  /r/<org>/<delivery>/<token>                 who sent it and how to identify; or, once identified, the message
    POST .../oppna                                   e-mail (LoA1): open
    POST .../kod/skicka    GET/POST .../kod          sms (LoA2): send a code; type it
    POST .../eid           GET .../eid               e-ID (LoA3): start BankID or Freja eID; the waiting page
    GET  .../eid/qr.svg    POST .../eid/hamta        the BankID QR code of this second; collect once
    POST .../eid/avbryt                              cancel
    POST .../siths         GET /r/siths/tillbaka     SITHS (LoA3): to the OpenID provider and back
    GET  .../bilagor/<id>                            an attachment, streamed
    POST .../svar          POST .../stang            reply; close the message (end the session)

A GET changes nothing: mail scanners fetch links before people do, so a fetch never opens the message, starts an
identification or sends an SMS. Every state change is a POST with the session's CSRF token (the provider's return
to /r/siths/tillbaka is checked by its OpenID `state`, which only this session knows).

Every request finds the link again (messaging.link_access.find_link): a recalled or expired link shows the neutral
page even to a session that was opened before the recall. The session (a sealed cookie whose path is the
delivery's, so links to two messages do not disturb each other) holds the grant an identification gave.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from identity.eid import messages
from identity.eid.oidc import OidcStart
from identity.eid.service import EidMethod, Pending
from identity.errors import CodeLocked, CodeRateLimited, EidError
from messaging import link_access
from messaging.errors import IdentificationFailed, InvalidRequest, LinkUnavailable
from messaging.link_access import Grant, Link
from portal import forms, qr
from portal.context import PORTAL, Portal
from portal.errors import PortalError
from portal.i18n import translator
from portal.sessions import Session
from portal.templating import language_of, render
from portal.text import linkify

log = logging.getLogger(__name__)

COOKIE: Final = "sigill_link"
SITHS_COOKIE: Final = "sigill_siths"
SITHS_RETURN: Final = "/r/siths/tillbaka"
LINK: Final = "/r/{org}/{delivery}/{token}"
STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")
_MONTHS_SV: Final = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
_MONTHS_EN: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# Session values.
_DELIVERY, _METHOD, _LOA = "delivery", "method", "loa"
# A sentence for the next page: something done (`notice`) or something that went wrong (`problem`).
_EID, _NOTICE, _PROBLEM = "eid", "notice", "problem"


def add_routes(app: web.Application) -> None:
    router = app.router
    router.add_get(SITHS_RETURN, siths_return)
    router.add_get(LINK, landing)
    router.add_post(LINK + "/oppna", open_by_email)
    router.add_post(LINK + "/kod/skicka", send_code)
    router.add_get(LINK + "/kod", code_page)
    router.add_post(LINK + "/kod", check_code)
    router.add_post(LINK + "/eid", start_eid)
    router.add_get(LINK + "/eid", eid_page)
    router.add_get(LINK + "/eid/qr.svg", eid_qr)
    router.add_post(LINK + "/eid/hamta", collect_eid)
    router.add_post(LINK + "/eid/avbryt", cancel_eid)
    router.add_post(LINK + "/siths", start_siths)
    # No HEAD: a download is audited, and a HEAD would be one without a byte sent.
    router.add_get(LINK + "/bilagor/{attachment_id}", download, allow_head=False)
    router.add_post(LINK + "/svar", send_reply)
    router.add_post(LINK + "/stang", close)


@dataclass
class LinkRequest:
    """One request on a link: the portal, the link as it stands now, and the person's session."""

    request: web.Request
    portal: Portal
    link: Link
    token: str
    session: Session

    @property
    def base(self) -> str:
        """The link's own address (without the server), which every page of it lives under."""
        return f"/r/{self.link.org.org_id}/{self.link.delivery.delivery_id}/{self.token}"

    @property
    def cookie_path(self) -> str:
        return f"/r/{self.link.org.org_id}/{self.link.delivery.delivery_id}"

    @property
    def grant(self) -> Grant | None:
        return grant_of(self.session, self.link)

    def page(
        self, template: str, *, status: int = 200, page_path: str | None = None, **context: Any
    ) -> web.Response:
        response = render(
            self.portal.templates,
            self.request,
            template,
            status=status,
            session=self.session,
            page_path=page_path,
            org_name=self.link.org.name,
            base=self.base,
            **context,
        )
        return self.keep(response)

    def keep[R: web.StreamResponse](self, response: R) -> R:
        self.portal.sessions.save(response, self.session, name=COOKIE, path=self.cookie_path)
        return response

    def see_other(self, path: str) -> web.StreamResponse:
        return self.keep(see_other(path))

    @property
    def t(self) -> Any:
        return translator(language_of(self.request))


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def find(request: web.Request, org: str = "", delivery: str = "", token: str = "") -> LinkRequest:
    """The link of this request (LinkUnavailable when it leads nowhere now) with the person's session."""
    portal = request.app[PORTAL]
    m = request.match_info
    org, delivery, token = org or m["org"], delivery or m["delivery"], token or m["token"]
    link = await link_access.find_link(portal.deps, org, delivery, token, lifetime=portal.link_lifetime)
    session = portal.sessions.load(request.cookies, COOKIE)
    if session.get(_DELIVERY) not in (None, link.delivery.delivery_id):
        session = portal.sessions.new()
    return LinkRequest(request, portal, link, token, session)


def grant_of(session: Session, link: Link) -> Grant | None:
    delivery, method, loa = session.get(_DELIVERY), session.get(_METHOD), session.get(_LOA)
    if delivery != link.delivery.delivery_id or not method or not loa or not loa.isdigit():
        return None
    grant = Grant(link.org.org_id, delivery, method, int(loa))
    return grant if link_access.granted(link, grant) else None


def granted_session(lr: LinkRequest, grant: Grant) -> Session:
    """A new session for an identified person: a new CSRF token, so nothing from before identification carries over."""
    session = lr.portal.sessions.new()
    session.set(_DELIVERY, grant.delivery_id)
    session.set(_METHOD, grant.method)
    session.set(_LOA, str(grant.loa))
    return session


# The page before identification, and the message after it.


async def landing(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    grant = lr.grant
    if grant is not None:
        return await message_page(lr, grant)
    view = await link_access.describe(lr.portal.deps, lr.link)
    return lr.page(
        "link_identify.html",
        title=lr.t("identify_title"),
        view=view,
        locked_until=_clock_time(view.locked_until),
        offers=_offers(lr.portal),
        notice=lr.session.pop(_NOTICE) or "",
        problem=lr.session.pop(_PROBLEM) or "",
    )


async def message_page(
    lr: LinkRequest, grant: Grant, *, errors: dict[str, str] | None = None, body: str = "", status: int = 200
) -> web.StreamResponse:
    message = await link_access.read(lr.portal.deps, lr.link, grant)
    language = language_of(lr.request)
    notice = lr.session.pop(_NOTICE)
    return lr.page(
        "link_message.html",
        status=status,
        page_path=lr.base,
        title=message.subject,
        message=message,
        body_html=linkify(message.body),
        sent_at=_date_time(message.sent_at, language),
        attachments=[
            (a.meta.attachment_id, a.name, _size(a.meta.size, language)) for a in message.attachments
        ],
        errors=errors or {},
        reply_body=body,
        notice=notice if notice and not errors else "",
    )


async def open_by_email(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    await forms.small_form(request, lr.session)
    grant = await link_access.open_by_email(lr.portal.deps, lr.link)
    lr.session = granted_session(lr, grant)
    return lr.see_other(lr.base)


# SMS (LoA2).


async def send_code(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    await forms.small_form(request, lr.session)
    try:
        await link_access.send_code(lr.portal.deps, lr.portal.codes, lr.link)
    except CodeLocked as exc:
        return await _code_form(lr, {"code": lr.t("code_locked_until", time=_clock_time(exc.until))}, 429)
    except CodeRateLimited as exc:
        return await _code_form(lr, {"code": lr.t("code_wait", time=_clock_time(exc.retry_at))}, 429)
    lr.session.set(_NOTICE, lr.t("code_sent"))
    return lr.see_other(lr.base + "/kod")


async def code_page(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    if lr.link.method != "sms":
        raise LinkUnavailable
    return await _code_form(lr, {}, 200)


async def check_code(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    form = await forms.small_form(request, lr.session)
    typed = form.get("code", "").strip()
    if not typed:
        return await _code_form(lr, {"code": lr.t("code_missing")}, 422)
    result, grant = await link_access.check_code(lr.portal.deps, lr.portal.codes, lr.link, typed)
    if grant is not None:
        lr.session = granted_session(lr, grant)
        return lr.see_other(lr.base)
    if result.outcome == "locked":
        return await _code_form(
            lr, {"code": lr.t("code_locked_until", time=_clock_time(result.locked_until))}, 429
        )
    if result.outcome == "expired":
        return await _code_form(lr, {"code": lr.t("code_expired")}, 422)
    if result.outcome == "malformed":
        return await _code_form(lr, {"code": lr.t("code_malformed")}, 422)
    return await _code_form(lr, {"code": lr.t("code_wrong", tries=result.tries_left)}, 422)


async def _code_form(lr: LinkRequest, errors: dict[str, str], status: int) -> web.StreamResponse:
    view = await link_access.describe(lr.portal.deps, lr.link)
    notice = lr.session.pop(_NOTICE)
    return lr.page(
        "link_code.html",
        status=status,
        page_path=lr.base + "/kod",
        title=lr.t("code_title"),
        view=view,
        minutes=max(1, int(lr.portal.codes.policy.lifetime.total_seconds() // 60)),
        errors=errors,
        notice=notice if notice and not errors else "",
    )


# BankID and Freja eID (LoA3).


def _offers(portal: Portal) -> dict[str, bool]:
    return {
        "bankid": portal.eid is not None and portal.eid.offers(EidMethod.BANKID),
        "freja": portal.eid is not None and portal.eid.offers(EidMethod.FREJA),
        "siths": portal.oidc is not None,
    }


async def start_eid(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    form = await forms.small_form(request, lr.session)
    offers = _offers(lr.portal)
    provider = form.get("provider", "")
    if provider not in ("bankid", "freja") or not offers[provider] or lr.portal.eid is None:
        raise PortalError(400, "error_400")
    expected = await link_access.expected_person(lr.portal.deps, lr.link)
    try:
        pending = await lr.portal.eid.start(EidMethod(provider), expected, _client_ip(request))
    except EidError as exc:
        return _eid_failed(lr, exc)
    lr.session.set(_EID, json.dumps(pending.to_record(), separators=(",", ":")))
    return lr.see_other(lr.base + "/eid")


async def eid_page(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    pending = _pending(lr)
    if pending is None:
        return lr.see_other(lr.base)
    message = _first_message(pending)
    return _waiting(lr, pending, message.text(language_of(request)))


def _waiting(lr: LinkRequest, pending: Pending, message: str) -> web.StreamResponse:
    bankid = pending.method is EidMethod.BANKID
    return lr.page(
        "link_eid.html",
        page_path=lr.base + "/eid",
        title=lr.t("bankid_title" if bankid else "freja_title"),
        bankid=bankid,
        autostart=pending.autostart_link() or "",
        message=message,
    )


async def eid_qr(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    pending = _pending(lr)
    content = lr.portal.eid.qr_content(pending) if pending is not None and lr.portal.eid is not None else None
    if content is None:
        raise web.HTTPNotFound
    response = web.Response(body=qr.svg(content), content_type="image/svg+xml")
    return lr.keep(response)


async def collect_eid(request: web.Request) -> web.StreamResponse:
    """Ask the provider once. Scripts ask with Accept: application/json and get where to go; forms get the page."""
    lr = await find(request)
    await forms.small_form(request, lr.session)
    wants_json = "application/json" in request.headers.get("Accept", "")
    pending = _pending(lr)
    if pending is None or lr.portal.eid is None:
        return _done(lr, lr.base, wants_json)
    language = language_of(request)
    try:
        result = await lr.portal.eid.collect(pending)
    except EidError as exc:
        lr.session.pop(_EID)
        lr.session.set(_PROBLEM, exc.message_en if language == "en" else exc.message_sv)
        return _done(lr, lr.base, wants_json)
    if result.status == "pending":
        if wants_json:
            return lr.keep(web.json_response({"status": "pending", "message": result.message.text(language)}))
        return _waiting(lr, pending, result.message.text(language))
    lr.session.pop(_EID)
    if result.status == "failed":
        lr.session.set(_PROBLEM, result.message.text(language))
        return _done(lr, lr.base, wants_json)
    try:
        grant = await link_access.identify_person(
            lr.portal.deps, lr.link, result.personal_number, pending.method.value
        )
    except IdentificationFailed:
        if wants_json:
            lr.session.set(_PROBLEM, lr.t("eid_failed"))
            return _done(lr, lr.base, wants_json)
        return _identification_failed(lr)
    lr.session = granted_session(lr, grant)
    return _done(lr, lr.base, wants_json)


def _identification_failed(lr: LinkRequest) -> web.StreamResponse:
    """Someone other than the delivery's person identified: nothing opens, and nothing more is said."""
    return lr.page(
        "error.html",
        status=403,
        page_path=lr.base,
        title=lr.t("eid_failed_title"),
        sentence=lr.t("eid_failed"),
    )


def _done(lr: LinkRequest, location: str, wants_json: bool) -> web.StreamResponse:
    if wants_json:
        return lr.keep(web.json_response({"status": "done", "next": location}))
    return lr.see_other(location)


async def cancel_eid(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    await forms.small_form(request, lr.session)
    pending = _pending(lr)
    lr.session.pop(_EID)
    if pending is not None and lr.portal.eid is not None:
        try:
            await lr.portal.eid.cancel(pending)
        except EidError as exc:
            log.info("cancelling an e-identification failed: %s", exc.code)
    return lr.see_other(lr.base)


def _pending(lr: LinkRequest) -> Pending | None:
    raw = lr.session.get(_EID)
    if not raw or lr.link.method != "eid":
        return None
    try:
        return Pending.from_record(json.loads(raw))
    except (ValueError, TypeError):
        return None


def _first_message(pending: Pending) -> messages.UserMessage:
    if pending.method is EidMethod.BANKID:
        return messages.bankid_pending("outstandingTransaction")
    return messages.freja_status("STARTED")


def _eid_failed(lr: LinkRequest, exc: EidError) -> web.StreamResponse:
    language = language_of(lr.request)
    lr.session.set(_PROBLEM, exc.message_en if language == "en" else exc.message_sv)
    return lr.see_other(lr.base)


def _client_ip(request: web.Request) -> str:
    return request.remote or "127.0.0.1"


# SITHS (LoA3) through OpenID Connect.


async def start_siths(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    await forms.small_form(request, lr.session)
    if lr.link.method != "siths" or lr.portal.oidc is None:
        raise LinkUnavailable
    try:
        start = await lr.portal.oidc.authorization_url(lr.portal.deps.base_url + SITHS_RETURN)
    except EidError as exc:
        return _eid_failed(lr, exc)
    # The way back comes to one fixed address, where the delivery's cookie is not sent: this cookie says
    # which link the sign-in belongs to, and keeps the PKCE verifier, state and nonce sealed.
    sign_in = lr.portal.sessions.new()
    sign_in.set("org", lr.link.org.org_id)
    sign_in.set("delivery", lr.link.delivery.delivery_id)
    sign_in.set("token", lr.token)
    sign_in.set("oidc", json.dumps(start.to_record(), separators=(",", ":")))
    response = lr.see_other(start.url)
    lr.portal.sessions.save(response, sign_in, name=SITHS_COOKIE, path=SITHS_RETURN)
    return response


async def siths_return(request: web.Request) -> web.StreamResponse:
    portal = request.app[PORTAL]
    sign_in = portal.sessions.open(request.cookies.get(SITHS_COOKIE, ""), SITHS_COOKIE)
    if sign_in is None or portal.oidc is None:
        raise PortalError(400, "session_ended")
    org, delivery, token = sign_in.get("org") or "", sign_in.get("delivery") or "", sign_in.get("token") or ""
    lr = await find(request, org, delivery, token)
    try:
        start = OidcStart.from_record(json.loads(sign_in.get("oidc") or "{}"))
    except ValueError:
        raise PortalError(400, "session_ended") from None
    query = request.query
    if "error" in query:
        lr.session.set(_PROBLEM, lr.t("siths_cancelled"))
        response = lr.see_other(lr.base)
    else:
        identity = await portal.oidc.complete(start, code=query.get("code", ""), state=query.get("state", ""))
        try:
            grant = await link_access.identify_email(portal.deps, lr.link, identity.email)
        except IdentificationFailed:
            response = _identification_failed(lr)
        else:
            lr.session = granted_session(lr, grant)
            response = lr.see_other(lr.base)
    portal.sessions.clear(response, name=SITHS_COOKIE, path=SITHS_RETURN)
    return response


# Reading, downloading, replying.


async def download(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    stream = await link_access.attachment(
        lr.portal.deps, lr.link, lr.grant, request.match_info["attachment_id"]
    )
    response = web.StreamResponse(
        headers={
            "Content-Type": _safe_content_type(stream.content_type),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stream.name, safe='')}",
            "Content-Length": str(stream.size),
        }
    )
    lr.keep(response)
    await response.prepare(request)
    # A segment that fails to decrypt raises here, after the headers: the middleware aborts the connection.
    async for chunk in stream.chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


def _safe_content_type(value: str) -> str:
    """The stored type when it is a plain `type/subtype`; anything else downloads as bytes."""
    kind, _, sub = value.partition("/")
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
    if kind and sub and set(kind) <= allowed and set(sub) <= allowed:
        return value
    return "application/octet-stream"


async def send_reply(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    grant = lr.grant
    if grant is None:
        raise LinkUnavailable
    form = await forms.reply_form(request, lr.session, lr.portal.deps.limits.body_max_chars)
    if not form.body.strip():
        return await message_page(lr, grant, errors={"body": lr.t("reply_missing")}, status=422)
    try:
        await link_access.reply(lr.portal.deps, lr.link, grant, form.body, form.files)
    except InvalidRequest as exc:
        # A reply the rules refuse (too long, ...) keeps what the person wrote, with the reason beside it.
        return await message_page(lr, grant, errors={"body": exc.message_sv}, body=form.body, status=422)
    lr.session.set(_NOTICE, lr.t("reply_sent"))
    return lr.see_other(lr.base)


async def close(request: web.Request) -> web.StreamResponse:
    lr = await find(request)
    await forms.small_form(request, lr.session)
    response = see_other(lr.base)
    lr.portal.sessions.clear(response, name=COOKIE, path=lr.cookie_path)
    return response


# Dates and sizes, the Swedish way.


def _clock_time(at: datetime | None) -> str:
    return at.astimezone(STOCKHOLM).strftime("%H:%M") if at is not None else ""


def _date_time(at: datetime, language: str) -> str:
    local = at.astimezone(STOCKHOLM)
    if language == "en":
        return f"{local.day} {_MONTHS_EN[local.month - 1]} {local.year} at {local:%H:%M}"
    return f"{local.day} {_MONTHS_SV[local.month - 1]} {local.year} kl. {local:%H:%M}"


def _size(size: int, language: str) -> str:
    comma = "," if language == "sv" else "."
    if size < 1024:
        return f"{size} B" if language == "en" else f"{size} byte"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", comma)
