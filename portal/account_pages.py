"""Pages of registered recipients' accounts (/konto/...): signing in with password and SMS code.

    GET  /konto                      the inbox when signed in, else the sign-in page
    GET  /konto/logga-in             E-post, Lösenord, "Logga in"; and the e-ID buttons (portal/account_eid.py)
    POST /konto/logga-in             the password; then the organisation (when several) and the SMS code
    GET  /konto/organisation         choose among the accounts the password (or e-ID) opened
    POST /konto/organisation
    GET  /konto/kod                  Kod, "Logga in"; POST /konto/kod checks it (LoA2); /konto/kod/ny sends again
    POST /konto/logga-ut

Wrong address and wrong password get the same page, word for word, with 403 (a form sign-in has no
WWW-Authenticate challenge to give, which a 401 would need); a locked address, known or not, gets 429
(messaging/account_signin.py). The inbox and the messages are in portal/account_inbox.py, the invitation in
portal/account_invitation.py, e-identification in portal/account_eid.py.
"""

from __future__ import annotations

from aiohttp import web

from crypto.hashing import PasswordHasher
from messaging.account_signin import AccountSignIn
from messaging.accounts import AccountRef
from messaging.errors import CredentialsRefused, TooManyTries
from messaging.invitations import Acceptance, CodeSent
from messaging.model import Actor
from portal import account_eid, account_inbox, account_invitation
from portal.account_session import (
    ACCOUNTS,
    INBOX_PATH,
    SIGN_IN_PATH,
    Accounts,
    accounts_of,
    code_errors,
    form,
    fresh_session,
    page,
    redirect,
    session_of,
    sign_in_form,
    sign_in_session,
    signed_in,
    text,
)
from portal.account_texts import account_translator
from portal.context import PORTAL
from portal.templating import language_of


def add_routes(app: web.Application) -> None:
    """Add the account pages to `app` (the portal's pages share its middleware, sessions and templates)."""
    portal = app[PORTAL]
    passwords = PasswordHasher()
    app[ACCOUNTS] = Accounts(
        portal,
        AccountSignIn(portal.deps, portal.codes, passwords),
        Acceptance(portal.deps, portal.codes, passwords),
    )
    app.router.add_get("/konto", home)
    app.router.add_get(SIGN_IN_PATH, sign_in_page)
    app.router.add_post(SIGN_IN_PATH, sign_in)
    app.router.add_get("/konto/organisation", choose_page)
    app.router.add_post("/konto/organisation", choose)
    app.router.add_get("/konto/kod", code_page)
    app.router.add_post("/konto/kod", check_code)
    app.router.add_post("/konto/kod/ny", resend_code)
    app.router.add_post("/konto/logga-ut", sign_out)
    account_eid.add_routes(app)
    account_inbox.add_routes(app)
    account_invitation.add_routes(app)


async def home(request: web.Request) -> web.StreamResponse:
    return redirect(request, INBOX_PATH if await signed_in(request) else SIGN_IN_PATH)


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    if await signed_in(request):
        return redirect(request, INBOX_PATH)
    return sign_in_form(request)


async def sign_in(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    ta = account_translator(language_of(request))
    email, password = text(data, "email", 254).strip(), text(data, "password")
    errors = {}
    if not email:
        errors["email"] = ta("email_missing")
    if not password:
        errors["password"] = ta("password_missing")
    if errors:
        return sign_in_form(request, status=422, errors=errors, email=email)
    try:
        opened = await accounts_of(request).sign_in.password(email, password)
    except TooManyTries:
        return sign_in_form(request, status=429, errors={"email": ta("too_many_tries")}, email=email)
    except CredentialsRefused:
        return sign_in_form(request, status=403, errors={"email": ta("sign_in_failed")}, email=email)
    session = fresh_session(request)
    if len(opened) > 1:
        session.set("choices", ",".join(str(AccountRef.of(a)) for a in opened))
        session.set("choice_for", "password")
        return redirect(request, "/konto/organisation")
    return await _second_step(request, AccountRef.of(opened[0]))


async def _second_step(request: web.Request, ref: AccountRef) -> web.StreamResponse:
    """The password was right: send the SMS code and ask for it."""
    session = session_of(request)
    session.set("pending", str(ref))
    sent = await accounts_of(request).sign_in.send_code(ref)
    _remember_sent(request, sent)
    return redirect(request, "/konto/kod")


def _remember_sent(request: web.Request, sent: CodeSent) -> None:
    session = session_of(request)
    session.set("phone", sent.masked_phone)
    session.set("resent", "no" if sent.retry_at else "yes")


async def choose_page(request: web.Request, *, errors: dict[str, str] | None = None) -> web.StreamResponse:
    refs = _choices(request)
    if not refs:
        return redirect(request, SIGN_IN_PATH)
    store = accounts_of(request).portal.deps.store
    names: dict[str, str] = {}
    for ref in refs:
        org = await store.organisation(ref.org_id)
        if org is not None:
            names[ref.org_id] = org.name
    ta = account_translator(language_of(request))
    options = [(str(ref), names[ref.org_id]) for ref in refs if ref.org_id in names]
    options.sort(key=lambda option: option[1].lower())
    return page(
        request,
        "choose_org.html",
        status=422 if errors else 200,
        title=ta("choose_org_title"),
        errors=errors or {},
        options=options,
        page_path="/konto/organisation",
    )


def _choices(request: web.Request) -> list[AccountRef]:
    raw = session_of(request).get("choices") or ""
    return [ref for ref in (AccountRef.parse(part) for part in raw.split(",")) if ref is not None]


async def choose(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    session = session_of(request)
    chosen = AccountRef.parse(text(data, "organisation", 200))
    refs = _choices(request)
    if chosen is None or chosen not in refs:
        ta = account_translator(language_of(request))
        return await choose_page(request, errors={"organisation": ta("choose_org_missing")})
    proven_by = session.pop("choice_for")
    session.pop("choices")
    if proven_by == "password":
        return await _second_step(request, chosen)
    if proven_by in ("bankid", "freja", "siths"):
        actor = await accounts_of(request).sign_in.signed_in_with_eid(chosen, proven_by)
        return _signed_in(request, actor)
    return redirect(request, SIGN_IN_PATH)


def _signed_in(request: web.Request, actor: Actor) -> web.StreamResponse:
    sign_in_session(request, actor)
    return redirect(request, INBOX_PATH)


async def code_page(
    request: web.Request, *, status: int = 200, errors: dict[str, str] | None = None
) -> web.StreamResponse:
    session = session_of(request)
    if AccountRef.parse(session.get("pending")) is None:
        return redirect(request, SIGN_IN_PATH)
    ta = account_translator(language_of(request))
    phone = session.get("phone") or ""
    notice = (
        ta("code_sent", phone=phone) if session.get("resent") != "no" else ta("code_not_resent", phone=phone)
    )
    return page(
        request,
        "code.html",
        status=status,
        title=ta("code_title"),
        errors=errors or {},
        notice=notice,
        action="/konto/kod",
        resend_action="/konto/kod/ny",
        button=ta("sign_in"),
        page_path="/konto/kod",
    )


async def check_code(request: web.Request) -> web.StreamResponse:
    data = await form(request)
    session = session_of(request)
    ref = AccountRef.parse(session.get("pending"))
    if ref is None:
        return redirect(request, SIGN_IN_PATH)
    typed = text(data, "code", 20).strip()
    if not typed:
        ta = account_translator(language_of(request))
        return await code_page(request, status=422, errors={"code": ta("code_missing")})
    check, actor = await accounts_of(request).sign_in.check_code(ref, typed)
    if actor is None:
        status, errors = code_errors(request, check)
        return await code_page(request, status=status, errors=errors)
    return _signed_in(request, actor)


async def resend_code(request: web.Request) -> web.StreamResponse:
    await form(request)
    ref = AccountRef.parse(session_of(request).get("pending"))
    if ref is None:
        return redirect(request, SIGN_IN_PATH)
    _remember_sent(request, await accounts_of(request).sign_in.send_code(ref))
    return redirect(request, "/konto/kod")


async def sign_out(request: web.Request) -> web.StreamResponse:
    await form(request)
    fresh_session(request)
    return redirect(request, SIGN_IN_PATH)
