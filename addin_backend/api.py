"""The staff REST API under /api/v1: parse, authenticate, call one service, render."""

from __future__ import annotations

import contextlib
import json
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, cast
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, MultipartReader, hdrs, web
from aiohttp.http import HttpProcessingError
from pydantic import BaseModel, ValidationError

from addin_backend import accounts_api, admin, error_map, lookup_api, render, schemas
from addin_backend.auth import ActorResolver
from addin_backend.error_map import RequestRefused
from addin_backend.openapi import openapi_document
from messaging import actions, cases, folders, reading, sending
from messaging.attachments import IncomingAttachment
from messaging.directory import profile
from messaging.model import Actor, NewMessage, RecipientInput, Reply
from messaging.ports import Deps

log = logging.getLogger(__name__)

DEPS = web.AppKey("deps", Deps)
RESOLVER = web.AppKey("resolver", ActorResolver)
ACTOR = web.RequestKey("actor", Actor)
CHUNK = 256 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authenticate, check the body's shape, run the handler; every failure is answered by error_map."""
    try:
        if request.path != "/api/v1/openapi.json":
            request[ACTOR] = await request.app[RESOLVER].actor(request)
        _check_body_shape(request)
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return await error_map.answer(request, exc)
    except Exception as exc:
        return await error_map.answer(request, exc)


# What the API reads: JSON, or multipart/form-data when files come along.
_BODY_TYPES = ("application/json", "multipart/form-data")
# The JSON part of a multipart body, capped as a JSON body is (the server's client_max_size): room for the longest
# valid message written as escaped JSON.
MESSAGE_PART_MAX_BYTES = 2 * 1024 * 1024


def _check_body_shape(request: web.Request) -> None:
    if not request.body_exists:
        return
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise error_map.compressed_upload()
    if request.content_type not in _BODY_TYPES:
        raise RequestRefused(
            415,
            "unsupported_media_type",
            "Förfrågan har ett format som tjänsten inte tar emot.",
            "Send application/json, or multipart/form-data with attachments.",
        )


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
        if first["type"] == "json_invalid":
            raise RequestRefused(
                400,
                "malformed_json",
                "Förfrågan är inte giltig JSON.",
                f"The body is not JSON: {first['msg']}",
            ) from None
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise RequestRefused(
            422,
            "invalid_body",
            "Förfrågan är inte korrekt ifylld.",
            f"{where}: {first['msg']}",
            pointer=_json_pointer(first["loc"]),
        ) from None


def _json_pointer(location: tuple[int | str, ...]) -> str:
    """Where in the body a fault is, as RFC 9457 suggests: a JSON pointer (RFC 6901) in a URI fragment."""
    return "#" + "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)


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
        reader = await _multipart(request)
        data = await _message_part(reader, schemas.MessageIn)
        result = await sending.send_message(deps, actor, _new_message(data), _attachment_parts(reader))
    else:
        data = _parse(schemas.MessageIn, await request.read())
        result = await sending.send_message(deps, actor, _new_message(data))
    return _created(request, render.sent(result), result.message.message_id)


def _created(request: web.Request, body: dict[str, Any], message_id: str) -> web.Response:
    response = _json(body, status=201)
    response.headers["Location"] = str(request.app.router["message"].url_for(message_id=message_id))
    return response


@contextlib.contextmanager
def _multipart_errors() -> Iterator[None]:
    """aiohttp's multipart parser refuses broken framing with assorted exceptions; all are the client's 400."""
    try:
        yield
    except (ValueError, AssertionError, TypeError, LookupError, zlib.error, HttpProcessingError) as exc:
        raise RequestRefused(
            400,
            "malformed_multipart",
            "Förfrågan går inte att läsa som formulär med bilagor.",
            f"The multipart body is malformed ({type(exc).__name__}).",
        ) from None


async def _multipart(request: web.Request) -> MultipartReader:
    with _multipart_errors():
        return await request.multipart()


async def _next_part(reader: MultipartReader) -> BodyPartReader | MultipartReader | None:
    with _multipart_errors():
        part = await reader.next()
    if isinstance(part, BodyPartReader):
        if hdrs.CONTENT_DISPOSITION not in part.headers:
            raise RequestRefused(
                400,
                "malformed_multipart",
                "Förfrågan går inte att läsa som formulär med bilagor.",
                "Every part needs a Content-Disposition header naming it.",
            )
        if part.headers.get(hdrs.CONTENT_ENCODING, "identity").strip().lower() != "identity":
            raise error_map.compressed_upload()
    return part


async def _message_part[M: BaseModel](reader: MultipartReader, model: type[M]) -> M:
    """The JSON part named `message` must come first, so it is checked before any file is read."""
    part = await _next_part(reader)
    if not isinstance(part, BodyPartReader) or part.name != "message":
        raise RequestRefused(
            422,
            "message_part_missing",
            "Förfrågan saknar meddelandet.",
            "The first part of the multipart body must be named 'message' and hold the JSON.",
        )
    raw = bytearray()
    async for chunk in _chunks(part):
        raw += chunk
        if len(raw) > MESSAGE_PART_MAX_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MESSAGE_PART_MAX_BYTES, actual_size=len(raw))
    return _parse(model, bytes(raw))


async def _attachment_parts(reader: MultipartReader) -> AsyncIterator[IncomingAttachment]:
    while (part := await _next_part(reader)) is not None:
        if not isinstance(part, BodyPartReader) or part.name != "attachment":
            raise RequestRefused(
                422,
                "unexpected_part",
                "Förfrågan innehåller en okänd del.",
                "Only 'attachment' parts may follow.",
            )
        yield IncomingAttachment(
            # Browsers send the name as raw UTF-8; some clients percent-encode it.
            name=unquote(part.filename or ""),
            content_type=part.headers.get("Content-Type", "application/octet-stream"),
            chunks=_chunks(part),
        )


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while True:
        with _multipart_errors():
            chunk = await part.read_chunk(CHUNK)
        if not chunk:
            return
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
    # Plain ASCII digits only: int() would also take " 5", "+5", "5_0" and "٥".
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise RequestRefused(
            422, f"{name}_invalid", "Ett värde i förfrågan är ogiltigt.", f"{name} must be an integer"
        )
    return int(raw)


def _choice(raw: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if raw is None:
        return None
    if raw not in allowed:
        raise RequestRefused(
            422,
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
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    # A segment that fails to decrypt raises here, after the headers are sent: error_map aborts the connection.
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
        reader = await _multipart(request)
        data = await _message_part(reader, schemas.ReplyIn)
        result = await actions.reply(
            deps, actor, message_id, Reply(data.subject, data.body), _attachment_parts(reader)
        )
    else:
        data = _parse(schemas.ReplyIn, await request.read())
        result = await actions.reply(deps, actor, message_id, Reply(data.subject, data.body))
    return _created(request, render.sent(result), result.message.message_id)


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
    return _json(render.case(view.case, view.holder, view.holder_name).model_dump())


async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document(_deps(request).limits))


async def _remember_started(request: web.Request, response: web.StreamResponse) -> None:
    """From here on the status line is on the wire; a later failure must abort, not answer again."""
    request[error_map.STARTED] = response


def create_api(deps: Deps, resolver: ActorResolver) -> web.Application:
    api = web.Application(middlewares=[api_errors])
    api.on_response_prepare.append(_remember_started)
    api[DEPS] = deps
    api[RESOLVER] = resolver
    api.router.add_get("/openapi.json", openapi)
    api.router.add_get("/me", me)
    api.router.add_post("/messages", send)
    api.router.add_get("/messages/{message_id}", get_message, name="message")
    api.router.add_get("/messages/{message_id}/attachments/{attachment_id}", download)
    api.router.add_post("/messages/{message_id}/deliveries/{delivery_id}/recall", recall)
    api.router.add_post("/messages/{message_id}/replies", reply)
    api.router.add_get("/mailboxes/{address}/{folder:inbox|sent|links}", folder)
    api.router.add_post(
        "/mailboxes/{address}/cases/{case_id}/{action:take|release|close|reopen}", case_action
    )
    api.router.add_delete("/mailboxes/{address}/cases/{case_id}", case_action)
    admin.add_routes(api.router, actor=_actor, deps=_deps, parse=_parse)
    accounts_api.add_routes(api.router, actor=_actor, deps=_deps, parse=_parse)
    lookup_api.add_routes(api.router, actor=_actor, deps=_deps, parse=_parse)
    return api
