"""What every account page shares: the account session cookie, forms with their CSRF check, and rendering.

The account session is a sealed cookie of its own (`sigill_konto`, path /konto; portal/sessions.py), apart from
the link sessions, so signing in to an account never touches a link's session or the other way round. It holds:

    acct, loa, method   the signed-in account ("<org>/<account>"), its level and how it was reached
    pending             an account whose password was right, waiting for its SMS code
    choices, choice_for the accounts to choose among (one address, several organisations), and what proved it
    eid, eid_for, next  an e-identification under way, whether it signs in or steps up, and the page to return to
    oidc                a SITHS sign-in under way (state, nonce and PKCE verifier never leave the server side)
    invite              an invitation whose link checked out, waiting for its SMS code

A sign-in always starts a new session (a new CSRF token), so nothing from before it carries over. Every request
of a signed-in page reads the account again: a disabled account signs out at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from multidict import MultiDictProxy

from identity.eid.service import EidMethod
from identity.one_time_codes import CodeCheck
from messaging.account_signin import AccountSignIn
from messaging.accounts import AccountRef
from messaging.invitations import Acceptance
from messaging.model import Actor
from portal.account_texts import account_translator
from portal.context import PORTAL, Portal
from portal.forms import small_form
from portal.sessions import Session
from portal.templating import language_of, render

COOKIE: Final = "sigill_konto"
PATH: Final = "/konto"
SIGN_IN_PATH: Final = "/konto/logga-in"
INBOX_PATH: Final = "/konto/inkorg"
EID_METHODS: Final = {"bankid": EidMethod.BANKID, "freja": EidMethod.FREJA}


@dataclass
class Accounts:
    portal: Portal
    sign_in: AccountSignIn
    acceptance: Acceptance


ACCOUNTS: Final = web.AppKey("accounts", Accounts)
SESSION: Final = web.RequestKey("account_session", Session)


def accounts_of(request: web.Request) -> Accounts:
    return request.app[ACCOUNTS]


def session_of(request: web.Request) -> Session:
    """This request's account session (a new one when the cookie is missing, broken or ended)."""
    session = request.get(SESSION)
    if session is None:
        session = request.app[PORTAL].sessions.load(request.cookies, COOKIE)
        request[SESSION] = session
    return session


def fresh_session(request: web.Request) -> Session:
    """A new session in place of the old: at every sign-in, so no token or value from before it survives."""
    session = request.app[PORTAL].sessions.new()
    request[SESSION] = session
    return session


def keep(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Seal the session into the response (its idle time starts again)."""
    request.app[PORTAL].sessions.save(response, session_of(request), name=COOKIE, path=PATH)
    return response


def redirect(request: web.Request, location: str) -> web.StreamResponse:
    """303 See Other to `location`, with the session kept."""
    return keep(request, web.Response(status=303, headers={"Location": location}))


def page(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.StreamResponse:
    """A page from templates/konto/, in the person's language, with the session kept."""
    portal = request.app[PORTAL]
    session = session_of(request)
    response = render(
        portal.templates,
        request,
        f"konto/{template}",
        status=status,
        session=session,
        ta=account_translator(language_of(request)),
        **context,
    )
    return keep(request, response)


async def form(request: web.Request) -> MultiDictProxy[str]:
    """The posted form, refused (CsrfRefused: 403) unless it carries this session's CSRF token."""
    return await small_form(request, session_of(request))


def text(data: MultiDictProxy[str], name: str, limit: int = 1024) -> str:
    """A text field of the form, at most `limit` characters ("" when absent)."""
    return data.get(name, "")[:limit]


def sign_in_session(request: web.Request, actor: Actor) -> None:
    """Start a new session signed in as `actor` (at its level, by its method)."""
    session = fresh_session(request)
    session.set("acct", str(AccountRef(actor.org_id, actor.user_id)))
    session.set("loa", str(actor.loa))
    session.set("method", actor.sign_in_method)


async def signed_in(request: web.Request) -> Actor | None:
    """The signed-in holder, read again from the store; None when the session has none (or it ended)."""
    session = session_of(request)
    ref = AccountRef.parse(session.get("acct"))
    loa = session.get("loa") or ""
    if ref is None or not loa.isdigit():
        return None
    return await accounts_of(request).sign_in.actor(ref, loa=int(loa), method=session.get("method") or "")


async def require_actor(request: web.Request) -> Actor:
    """The signed-in holder; anyone else is sent to the sign-in page."""
    actor = await signed_in(request)
    if actor is None:
        raise web.HTTPSeeOther(SIGN_IN_PATH)
    return actor


def offers(portal: Portal, method: str) -> bool:
    """Whether this server offers `method` ("bankid", "freja", "siths")."""
    if method == "siths":
        return portal.oidc is not None
    return portal.eid is not None and method in EID_METHODS and portal.eid.offers(EID_METHODS[method])


def sign_in_form(
    request: web.Request, *, status: int = 200, errors: dict[str, str] | None = None, email: str = ""
) -> web.StreamResponse:
    """The sign-in page: the password form and the e-ID buttons this server offers."""
    portal = request.app[PORTAL]
    return page(
        request,
        "sign_in.html",
        status=status,
        title=account_translator(language_of(request))("sign_in_title"),
        errors=errors or {},
        email=email,
        offers_bankid=offers(portal, "bankid"),
        offers_freja=offers(portal, "freja"),
        offers_siths=offers(portal, "siths"),
        page_path=SIGN_IN_PATH,
    )


def code_errors(request: web.Request, check: CodeCheck) -> tuple[int, dict[str, str]]:
    """The status and the error under the Kod field for a code that was not accepted."""
    ta = account_translator(language_of(request))
    if check.outcome == "locked":
        return 429, {"code": ta("code_locked")}
    if check.outcome == "expired":
        return 422, {"code": ta("code_expired")}
    if check.outcome == "malformed":
        return 422, {"code": ta("code_malformed")}
    return 422, {"code": ta("code_wrong", tries=check.tries_left)}
