"""The signed-in holder's mailbox: the inbox, a message, its attachments, and the reply.

    GET  /konto/inkorg                                   the inbox, newest first (?cursor= for the next page)
    GET  /konto/meddelanden/<id>                         a message; above the session's level, the step-up page
    GET  /konto/meddelanden/<id>/bilagor/<attachment>    a download (Content-Disposition: attachment)
    POST /konto/meddelanden/<id>/svar                    Svar (and files): "Skicka svar"

The account's mailbox is its personal mailbox: messages sent to its address as a registered recipient. Every
rule (who may read, at which level, who may reply) is messaging's: these pages ask and render. A message above
the session's level is listed without its subject, and opening it asks for e-identification (LoA3 opens
LoA1–3).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiohttp import web

from messaging import actions, folders, reading
from messaging.accounts import AccountRef
from messaging.attachments import IncomingAttachment
from messaging.errors import InvalidRequest, StepUpRequired
from messaging.model import Actor, Reply
from messaging.sealing import open_content
from portal.account_session import (
    accounts_of,
    offers,
    page,
    redirect,
    require_actor,
    session_of,
)
from portal.account_texts import account_translator
from portal.forms import reply_form
from portal.templating import language_of
from portal.text import linkify

STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")
MONTHS: Final = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip
REPLY_PREFIX: Final = "Sv: "
SUBJECT_MAX: Final = 255


def add_routes(app: web.Application) -> None:
    app.router.add_get("/konto/inkorg", inbox)
    app.router.add_get("/konto/meddelanden/{message_id}", message_page)
    app.router.add_get("/konto/meddelanden/{message_id}/bilagor/{attachment_id}", download)
    app.router.add_post("/konto/meddelanden/{message_id}/svar", reply)


def when(at: datetime, language: str) -> str:
    """A time as people in Sweden read it: "24 november 2026 kl. 10.15" (or "24 November 2026, 10:15")."""
    local = at.astimezone(STOCKHOLM)
    month = MONTHS["en" if language == "en" else "sv"][local.month - 1]
    if language == "en":
        return f"{local.day} {month} {local.year}, {local:%H:%M}"
    return f"{local.day} {month} {local.year} kl. {local:%H.%M}"


async def _frame(request: web.Request, actor: Actor) -> dict[str, Any]:
    """What every signed-in page shows: who is signed in, where, at which level; and a notice to show once."""
    org = await accounts_of(request).portal.deps.store.organisation(actor.org_id)
    return {
        "org_name": org.name if org else "",
        "actor": actor,
        "notice": session_of(request).pop("notice") or "",
    }


async def inbox(request: web.Request) -> web.StreamResponse:
    actor = await require_actor(request)
    deps = accounts_of(request).portal.deps
    cursor = request.query.get("cursor") or None
    listing = await folders.list_folder(deps, actor, actor.email, "inbox", limit=25, cursor=cursor)
    language = language_of(request)
    ta = account_translator(language)
    items = [
        {
            "href": f"/konto/meddelanden/{item.message.message_id}",
            "subject": item.subject,
            "locked": item.locked,
            "loa": item.message.loa,
            "sent": when(item.message.sent_at, language),
            "from": item.message.sender_mailbox,
            "status": ta(f"status_{item.delivery.status}") if item.delivery else "",
            "has_attachments": item.has_attachments,
        }
        for item in listing.items
    ]
    return page(
        request,
        "inbox.html",
        title=ta("inbox_title"),
        items=items,
        next_href=f"/konto/inkorg?cursor={quote(listing.next_cursor)}" if listing.next_cursor else "",
        **await _frame(request, actor),
    )


async def message_page(
    request: web.Request, *, errors: dict[str, str] | None = None, reply_text: str = ""
) -> web.StreamResponse:
    actor = await require_actor(request)
    deps = accounts_of(request).portal.deps
    message_id = request.match_info["message_id"]
    language = language_of(request)
    try:
        opened = await reading.open_message(deps, actor, message_id)
    except StepUpRequired as exc:
        return await _step_up_page(request, actor, message_id, exc.required_loa)
    own = opened.own_delivery
    return page(
        request,
        "message.html",
        status=422 if errors else 200,
        title=opened.content.subject,
        message_id=message_id,
        subject=opened.content.subject,
        body_html=linkify(opened.content.body),
        sender=opened.message.sender_mailbox,
        sent=when(opened.message.sent_at, language),
        loa=opened.message.loa,
        attachments=[
            {
                "href": f"/konto/meddelanden/{message_id}/bilagor/{a.meta.attachment_id}",
                "name": a.name,
                "size": a.meta.size,
            }
            for a in opened.attachments
        ],
        reply_allowed=opened.message.reply_allowed and own is not None and own.status != "recalled",
        answered=own is not None and own.status == "answered",
        errors=errors or {},
        reply_text=reply_text,
        page_path=f"/konto/meddelanden/{message_id}",
        **await _frame(request, actor),
    )


async def _step_up_page(
    request: web.Request, actor: Actor, message_id: str, required_loa: int
) -> web.StreamResponse:
    accounts = accounts_of(request)
    ta = account_translator(language_of(request))
    personal = await accounts.sign_in.offers_personal_eid(AccountRef(actor.org_id, actor.user_id))
    return page(
        request,
        "step_up.html",
        status=403,
        title=ta("step_up_title"),
        message_id=message_id,
        required_loa=required_loa,
        offers_bankid=personal and offers(accounts.portal, "bankid"),
        offers_freja=personal and offers(accounts.portal, "freja"),
        offers_siths=offers(accounts.portal, "siths"),
        no_personal_eid=not personal
        and (offers(accounts.portal, "bankid") or offers(accounts.portal, "freja")),
        page_path=f"/konto/meddelanden/{message_id}",
        **await _frame(request, actor),
    )


async def download(request: web.Request) -> web.StreamResponse:
    actor = await require_actor(request)
    deps = accounts_of(request).portal.deps
    stream = await reading.download_attachment(
        deps, actor, request.match_info["message_id"], request.match_info["attachment_id"]
    )
    response = web.StreamResponse(
        headers={
            "Content-Type": stream.content_type or "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stream.name)}",
            "Content-Length": str(stream.size),
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    async for chunk in stream.chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


async def reply(request: web.Request) -> web.StreamResponse:
    """The reply form, streamed (portal/forms.py): its CSRF token is checked before any file is read."""
    actor = await require_actor(request)
    limits = accounts_of(request).portal.deps.limits
    sent = await reply_form(request, session_of(request), limits.body_max_chars)
    return await _send_reply(request, actor, request.match_info["message_id"], sent.body, sent.files)


async def _send_reply(
    request: web.Request,
    actor: Actor,
    message_id: str,
    body: str,
    files: AsyncIterator[IncomingAttachment] | None,
) -> web.StreamResponse:
    ta = account_translator(language_of(request))
    if not body.strip():
        return await message_page(request, errors={"body": ta("reply_missing")})
    deps = accounts_of(request).portal.deps
    subject = await _reply_subject(request, actor, message_id)
    try:
        await actions.reply(deps, actor, message_id, Reply(subject, body), files)
    except InvalidRequest as exc:
        return await message_page(request, errors={"body": exc.message_sv}, reply_text=body)
    session_of(request).set("notice", ta("reply_sent"))
    return redirect(request, f"/konto/meddelanden/{message_id}")


async def _reply_subject(request: web.Request, actor: Actor, message_id: str) -> str:
    """ "Sv: " and the message's subject, read without counting as a read (the reply itself is audited)."""
    deps = accounts_of(request).portal.deps
    async with deps.store.unit_of_work(actor.org_id) as uow:
        access = await reading.find_access(uow, actor, message_id)
    key = await reading.open_key(deps, access.message)
    subject = open_content(key, actor.org_id, message_id, access.message.sealed_content).subject
    return (subject if subject.startswith(REPLY_PREFIX) else REPLY_PREFIX + subject)[:SUBJECT_MAX]
