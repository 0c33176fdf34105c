"""Reading the portal's forms: small url-encoded ones, and the reply form with files (multipart, streamed).

Each form's CSRF token is checked before anything else in it is used. Files are not read into memory: the reply
form's file parts are handed on as streams, which messaging/ encrypts into blob storage as they arrive, within
the size limits.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from aiohttp import BodyPartReader, MultipartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict, MultiDictProxy

from messaging.attachments import IncomingAttachment
from portal import csrf
from portal.errors import PortalError
from portal.sessions import Session

CHUNK: Final = 64 * 1024
# The CSRF token and other small fields of a multipart form.
SMALL_FIELD_MAX: Final = 4096


@dataclass(frozen=True, slots=True)
class ReplyForm:
    body: str
    # The files that follow, read as they are consumed (None when the form came url-encoded, without files).
    files: AsyncIterator[IncomingAttachment] | None


async def small_form(request: web.Request, session: Session) -> MultiDictProxy[str]:
    """A url-encoded form whose CSRF token matches the session (CsrfRefused otherwise)."""
    # `post()` also parses multipart bodies, whose broken framing is the sender's 400, not our 500.
    with _malformed():
        form = await request.post()
    csrf.check(session, form)
    return MultiDictProxy(MultiDict((k, v) for k, v in form.items() if isinstance(v, str)))


async def reply_form(request: web.Request, session: Session, body_max_chars: int) -> ReplyForm:
    """The reply form: `csrf_token` first, then `body`, then any number of `files` parts."""
    if request.content_type != "multipart/form-data":
        form = await small_form(request, session)
        return ReplyForm(form.get("body", ""), None)
    with _malformed():
        reader = await request.multipart()
    fields: MultiDict[str] = MultiDict()
    for name, limit in ((csrf.FIELD, SMALL_FIELD_MAX), ("body", body_max_chars * 4 + 1024)):
        part = await _next(reader)
        if not isinstance(part, BodyPartReader) or part.name != name:
            raise csrf.CsrfRefused("the reply form's fields are not in their order")
        fields[name] = await _text(part, limit)
        if name == csrf.FIELD:
            csrf.check(session, fields)
    return ReplyForm(fields["body"], _files(reader))


async def _files(reader: MultipartReader) -> AsyncIterator[IncomingAttachment]:
    while (part := await _next(reader)) is not None:
        if not isinstance(part, BodyPartReader) or part.name != "files":
            raise PortalError(400, "error_400")
        if not part.filename:
            # A file field left empty still sends a part, with no name and no content.
            await part.release()
            continue
        yield IncomingAttachment(
            name=unquote(part.filename),
            content_type=part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream"),
            chunks=_chunks(part),
        )


async def _next(reader: MultipartReader) -> BodyPartReader | MultipartReader | None:
    with _malformed():
        part = await reader.next()
    encoding = part.headers.get(hdrs.CONTENT_ENCODING, "identity") if isinstance(part, BodyPartReader) else ""
    if encoding and encoding.strip().lower() != "identity":
        raise PortalError(415, "error_400")
    return part


async def _text(part: BodyPartReader, limit: int) -> str:
    raw = bytearray()
    async for chunk in _chunks(part):
        raw += chunk
        if len(raw) > limit:
            raise PortalError(413, "error_413")
    try:
        return raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise PortalError(400, "error_400") from None


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while True:
        with _malformed():
            chunk = await part.read_chunk(CHUNK)
        if not chunk:
            return
        yield chunk


@contextlib.contextmanager
def _malformed() -> Iterator[None]:
    """aiohttp's multipart parser refuses broken framing with assorted exceptions: all are the sender's 400."""
    try:
        yield
    except (ValueError, AssertionError, TypeError, LookupError, zlib.error, HttpProcessingError):
        raise PortalError(400, "error_400") from None
