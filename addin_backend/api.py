"""The staff REST API under /api/v1: parse, authenticate, call one service, render."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError

from addin_backend import render, schemas
from addin_backend.auth import ActorResolver, InvalidCredentials
from addin_backend.openapi import openapi_document
from addin_backend.problems import from_error, problem, unauthorized
from identity.errors import IdentityError
from messaging import actions, cases, folders, reading, sending
from messaging.attachments import IncomingAttachment
from messaging.directory import profile
from messaging.errors import MessagingError
from messaging.model import Actor, NewMessage, RecipientInput, Reply
from messaging.ports import Deps
from store.errors import StoreUnavailable

log = logging.getLogger(__name__)

DEPS = web.AppKey("deps", Deps)
RESOLVER = web.AppKey("resolver", ActorResolver)
ACTOR = web.RequestKey("actor", Actor)
CHUNK = 256 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        if request.path != "/api/v1/openapi.json":
            request[ACTOR] = await request.app[RESOLVER].actor(request)
        return await handler(request)
    except (InvalidCredentials, IdentityError) as exc:
        return unauthorized(str(exc) or "The token was refused.")
    except MessagingError as exc:
        return from_error(exc)
    except BadRequest as exc:
        return problem(422, exc.code, exc.title, exc.detail)
    except StoreUnavailable:
        log.exception("store unavailable")
        return problem(503, "unavailable", "Tjänsten är inte tillgänglig just nu. Försök igen om en stund.")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        # aiohttp's own refusals (no such route, wrong method, body too large) in the API's format.
        return problem(
            exc.status, _HTTP_CODES.get(exc.status, "http_error"), _HTTP_TITLES.get(exc.status, exc.reason)
        )
    except Exception:
        log.exception("unexpected error in %s %s", request.method, request.rel_url.path)
        return problem(500, "internal_error", "Något gick fel hos oss. Försök igen.")


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
_HTTP_TITLES = {
    404: "Det finns inget sådant i tjänsten.",
    405: "Den metoden går inte att använda här.",
    413: "Förfrågan är för stor.",
}


class BadRequest(Exception):
    def __init__(self, code: str, title: str, detail: str) -> None:
        super().__init__(code)
        self.code, self.title, self.detail = code, title, detail


def _actor(request: web.Request) -> Actor:
    return request[ACTOR]


def _deps(request: web.Request) -> Deps:
    return request.app[DEPS]


def _json(body: object, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _parse[M: BaseModel](model: type[M], raw: bytes | str) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise BadRequest(
            "invalid_body",
            "Förfrågan är inte korrekt ifylld.",
            f"{where}: {first['msg']}",
        ) from None


async def me(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    org, boxes = await profile(deps, actor)
    body = schemas.MeOut(
        email=actor.email,
        name=actor.name,
        organisation=org.name,
        loa=actor.loa,
        mailboxes=[schemas.MailboxOut(address=b.address, name=b.name, kind=b.kind) for b in boxes],
    )
    return _json(body.model_dump())


def _new_message(data: schemas.MessageIn) -> NewMessage:
    return NewMessage(
        recipients=[
            RecipientInput(
                address=r.address, method=r.method, phone=r.phone, personal_number=r.personal_number
            )
            for r in data.recipients
        ],
        subject=data.subject,
        body=data.body,
        loa=data.loa,
        reply_allowed=data.reply_allowed,
        sender_mailbox=data.from_,
        open_message=data.open_message or "",
    )


async def send(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        data = await _message_part(reader, schemas.MessageIn)
        result = await sending.send_message(deps, actor, _new_message(data), _attachment_parts(reader))
    else:
        data = _parse(schemas.MessageIn, await request.read())
        result = await sending.send_message(deps, actor, _new_message(data))
    return _json(render.sent(result), status=201)


async def _message_part[M: BaseModel](reader: Any, model: type[M]) -> M:
    """The JSON part named `message` must come first, so it is checked before any file is read."""
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "message":
        raise BadRequest(
            "message_part_missing",
            "Förfrågan saknar meddelandet.",
            "The first part of the multipart body must be named 'message' and hold the JSON.",
        )
    return _parse(model, await part.read(decode=True))


async def _attachment_parts(reader: Any) -> AsyncIterator[IncomingAttachment]:
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != "attachment":
            raise BadRequest(
                "unexpected_part", "Förfrågan innehåller en okänd del.", "Only 'attachment' parts may follow."
            )
        yield IncomingAttachment(
            # Browsers send the name as raw UTF-8; some clients percent-encode it.
            name=unquote(part.filename or ""),
            content_type=part.headers.get("Content-Type", "application/octet-stream"),
            chunks=_chunks(part),
        )


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk


async def folder(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    name = request.match_info["folder"]
    query = request.rel_url.query
    page = await folders.list_folder(
        deps,
        actor,
        request.match_info["address"],
        cast(folders.Folder, name),
        limit=_int(query.get("limit", "25"), "limit"),
        cursor=query.get("cursor"),
        assigned=_choice(query.get("assigned"), ("me", "others", "unassigned"), "assigned"),  # type: ignore[arg-type]
        status=_choice(query.get("status"), ("open", "closed"), "status"),  # type: ignore[arg-type]
    )
    return _json(render.folder(page))


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(
            f"{name}_invalid", "Ett värde i förfrågan är ogiltigt.", f"{name} must be an integer"
        ) from None


def _choice(raw: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise BadRequest(
            f"{name}_invalid",
            "Ett filter i förfrågan är ogiltigt.",
            f"{name} must be one of {', '.join(allowed)}",
        )
    return raw


async def get_message(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    opened = await reading.open_message(deps, actor, request.match_info["message_id"])
    return _json(render.message(opened, sender_side=opened.is_sender))


async def download(request: web.Request) -> web.StreamResponse:
    actor, deps = _actor(request), _deps(request)
    stream = await reading.download_attachment(
        deps, actor, request.match_info["message_id"], request.match_info["attachment_id"]
    )
    response = web.StreamResponse(
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stream.name)}",
            "Content-Length": str(stream.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    async for chunk in stream.chunks:
        await response.write(chunk)
    await response.write_eof()
    return response


async def recall(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    delivery = await actions.recall(
        deps, actor, request.match_info["message_id"], request.match_info["delivery_id"]
    )
    return _json(render.delivery(delivery).model_dump())


async def reply(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    message_id = request.match_info["message_id"]
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        data = await _message_part(reader, schemas.ReplyIn)
        result = await actions.reply(
            deps, actor, message_id, Reply(data.subject, data.body), _attachment_parts(reader)
        )
    else:
        data = _parse(schemas.ReplyIn, await request.read())
        result = await actions.reply(deps, actor, message_id, Reply(data.subject, data.body))
    return _json(render.sent(result), status=201)


async def case_action(request: web.Request) -> web.Response:
    actor, deps = _actor(request), _deps(request)
    action = "delete" if request.method == "DELETE" else request.match_info["action"]
    view = await cases.act_on_case(
        deps,
        actor,
        request.match_info["address"],
        request.match_info["case_id"],
        action,  # type: ignore[arg-type]
    )
    return _json(render.case(view.case, view.holder).model_dump())


async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document())


def create_api(deps: Deps, resolver: ActorResolver) -> web.Application:
    api = web.Application(middlewares=[api_errors])
    api[DEPS] = deps
    api[RESOLVER] = resolver
    api.router.add_get("/openapi.json", openapi)
    api.router.add_get("/me", me)
    api.router.add_post("/messages", send)
    api.router.add_get("/messages/{message_id}", get_message)
    api.router.add_get("/messages/{message_id}/attachments/{attachment_id}", download)
    api.router.add_post("/messages/{message_id}/deliveries/{delivery_id}/recall", recall)
    api.router.add_post("/messages/{message_id}/replies", reply)
    api.router.add_get("/mailboxes/{address}/{folder:inbox|sent|links}", folder)
    api.router.add_post(
        "/mailboxes/{address}/cases/{case_id}/{action:take|release|close|reopen}", case_action
    )
    api.router.add_delete("/mailboxes/{address}/cases/{case_id}", case_action)
    return api
