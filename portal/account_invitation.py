"""Taking up an invitation: /konto/inbjudan/<org>/<account>/<token>.

    GET  /konto/inbjudan/<org>/<account>/<token>   Lösenord, Upprepa lösenordet, Mobilnummer, "Fortsätt"
    POST /konto/inbjudan/<org>/<account>/<token>   password and number stored, a code sent
    GET  /konto/inbjudan/bekrafta                  Kod, "Bekräfta"
    POST /konto/inbjudan/bekrafta                  the right code activates the account and signs in (LoA2)
    POST /konto/inbjudan/ny-kod                    another code

A GET changes nothing (mail scanners fetch links before people do). An unknown, used, expired or replaced
invitation gets one neutral page, 404, whichever it was. The rules are messaging/invitations.py's.
"""

from __future__ import annotations

from aiohttp import web

from identity.errors import IdentityError
from messaging.account_signin import PASSWORD_SMS
from messaging.accounts import AccountRef, account_actor
from messaging.errors import InvalidRequest, NotFound
from messaging.invitations import CodeSent, open_invitation
from portal.account_session import (
    INBOX_PATH,
    accounts_of,
    code_errors,
    form,
    page,
    redirect,
    session_of,
    sign_in_session,
    text,
)
from portal.account_texts import account_translator
from portal.templating import language_of

LINK_PATH = "/konto/inbjudan/{org_id}/{account_id}/{token}"
CONFIRM_PATH = "/konto/inbjudan/bekrafta"
# Which field each refusal of messaging belongs under.
_FIELD_OF = {"password_mismatch": "repeat_password", "phone_invalid": "phone", "phone_not_mobile": "phone"}


def add_routes(app: web.Application) -> None:
    app.router.add_get(CONFIRM_PATH, confirm_page)
    app.router.add_post(CONFIRM_PATH, confirm)
    app.router.add_post("/konto/inbjudan/ny-kod", resend)
    app.router.add_get(LINK_PATH, invitation_page)
    app.router.add_post(LINK_PATH, choose)


def _gone(request: web.Request) -> web.StreamResponse:
    ta = account_translator(language_of(request))
    return page(
        request,
        "invitation_gone.html",
        status=404,
        title=ta("invitation_gone_title"),
        page_path="/konto/logga-in",
    )


async def invitation_page(
    request: web.Request, *, errors: dict[str, str] | None = None, phone: str | None = None
) -> web.StreamResponse:
    info = request.match_info
    deps = accounts_of(request).portal.deps
    try:
        found = await open_invitation(deps, info["org_id"], info["account_id"], info["token"])
    except NotFound:
        return _gone(request)
    ta = account_translator(language_of(request))
    return page(
        request,
        "invitation.html",
        status=422 if errors else 200,
        title=ta("invitation_title"),
        org_name=found.org_name,
        invited_org=found.org_name,
        email=found.account.email,
        phone=found.phone if phone is None else phone,
        errors=errors or {},
    )


async def choose(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    info = request.match_info
    ta = account_translator(language_of(request))
    password, repeated = text(data, "password"), text(data, "repeat_password")
    phone = text(data, "phone", 40).strip()
    if not phone:
        return await invitation_page(request, errors={"phone": ta("phone_missing")}, phone=phone)
    ref = AccountRef(info["org_id"], info["account_id"])
    try:
        sent = await accounts_of(request).acceptance.choose(ref, info["token"], password, repeated, phone)
    except NotFound:
        return _gone(request)
    except (InvalidRequest, IdentityError) as exc:
        field = _FIELD_OF.get(exc.code, "password")
        return await invitation_page(request, errors={field: exc.message_sv}, phone=phone)
    session = session_of(request)
    session.set("invite", str(ref))
    _remember(request, sent)
    return redirect(request, CONFIRM_PATH)


def _remember(request: web.Request, sent: CodeSent) -> None:
    session = session_of(request)
    session.set("phone", sent.masked_phone)
    session.set("resent", "no" if sent.retry_at else "yes")


async def confirm_page(
    request: web.Request, *, status: int = 200, errors: dict[str, str] | None = None
) -> web.StreamResponse:
    session = session_of(request)
    if AccountRef.parse(session.get("invite")) is None:
        return _gone(request)
    ta = account_translator(language_of(request))
    phone = session.get("phone") or ""
    notice = (
        ta("code_sent", phone=phone) if session.get("resent") != "no" else ta("code_not_resent", phone=phone)
    )
    return page(
        request,
        "code.html",
        status=status,
        title=ta("confirm_title"),
        errors=errors or {},
        notice=notice,
        action=CONFIRM_PATH,
        resend_action="/konto/inbjudan/ny-kod",
        button=ta("confirm"),
        page_path=CONFIRM_PATH,
    )


async def confirm(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    ref = AccountRef.parse(session_of(request).get("invite"))
    if ref is None:
        return _gone(request)
    typed = text(data, "code", 20).strip()
    if not typed:
        ta = account_translator(language_of(request))
        return await confirm_page(request, status=422, errors={"code": ta("code_missing")})
    try:
        check, account = await accounts_of(request).acceptance.confirm(ref, typed)
    except NotFound:
        return _gone(request)
    if account is None:
        status, errors = code_errors(request, check)
        return await confirm_page(request, status=status, errors=errors)
    # Password and code are both proven this minute: the holder is signed in at LoA2.
    sign_in_session(request, account_actor(account, loa=2, method=PASSWORD_SMS))
    return redirect(request, INBOX_PATH)


async def resend(request: web.Request) -> web.StreamResponse:
    await form(request)
    ref = AccountRef.parse(session_of(request).get("invite"))
    if ref is None:
        return _gone(request)
    try:
        _remember(request, await accounts_of(request).acceptance.send_code(ref))
    except NotFound:
        return _gone(request)
    return redirect(request, CONFIRM_PATH)
