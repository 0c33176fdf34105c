"""The Teams file dialog: the page "Lägg till filer" opens, and the upload that puts files in a compose draft.

Adaptive Cards cannot carry files, so the compose card's "Lägg till filer" asks Teams for a dialog (task module)
showing this page. A dialog has no bearer token: the page and its form carry an upload token instead, a
short-lived capability for one draft (bot/drafts.py). Nothing is authorised by a cookie, so a page elsewhere cannot
make a browser add files (the token is unguessable and never leaves the dialog), and a POST from another origin is
refused besides. The token travels in the query string of the page (which the server never logs) and in a form
field of the upload, never in a path.

The upload streams in and is held by the draft until the message is sent, within the draft's size limit and the
messaging rules for attachments (their number, size and file names). Then the page hands the result to Teams
(`microsoftTeams.dialog.url.submit`), which closes the dialog; the next compose card lists the files.

Teams frames the page, so it may be framed by Teams' origins only. Scripts and styles come from this server; no
inline script.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from typing import Final
from urllib.parse import unquote, urlencode, urlsplit

import jinja2
from aiohttp import BodyPartReader, MultipartReader, web

from bot.context import BotContext
from bot.drafts import Draft, DraftFile, DraftFull, DraftStore
from messaging.errors import InvalidRequest
from messaging.ports import Limits
from messaging.validation import check_attachment_count, check_file_name

log = logging.getLogger(__name__)

PAGE_PATH: Final = "/teams/files"
SCRIPT_PATH: Final = "/teams/static/file-dialog.js"
STYLESHEET_PATH: Final = "/teams/static/file-dialog.css"
# TeamsJS, served by `sigill serve` from npm (sigill/vendor.py).
TEAMS_JS_PATH: Final = "/vendor/teams-js.min.js"
TOKEN_FIELD: Final = "t"  # noqa: S105 - the name of a form field
FILES_FIELD: Final = "files"
# Teams' web, desktop and Microsoft 365 hosts, which frame dialogs. `connect-src 'self'` keeps TeamsJS from
# fetching its list of Teams origins from Microsoft's CDN: it then uses the list it carries.
TEAMS_ORIGINS: Final = "https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    f"form-action 'self'; frame-ancestors 'self' {TEAMS_ORIGINS}; base-uri 'none'"
)
_MAX_TOKEN_BYTES: Final = 100
_CHUNK: Final = 64 * 1024
_STATIC: Final = {
    "file-dialog.js": ("file_dialog.js", "text/javascript"),
    "file-dialog.css": ("file_dialog.css", "text/css"),
}


@dataclass(frozen=True, slots=True)
class _Setup:
    drafts: DraftStore
    limits: Limits
    templates: jinja2.Environment
    # The origin people reach the server at (behind a proxy, not the address the request arrived at).
    public_origin: str


_SETUP: Final = web.AppKey("teams_file_dialog", _Setup)


class _Refused(Exception):
    """An upload that adds nothing, with the sentence the page shows and its status."""

    def __init__(self, status: int, message_sv: str) -> None:
        super().__init__(message_sv)
        self.status = status
        self.message_sv = message_sv


def dialog_url(public_url: str, token: str) -> str:
    """The page's address for one upload token, as the task module response gives it to Teams."""
    return f"{public_url.rstrip('/')}{PAGE_PATH}?{urlencode({TOKEN_FIELD: token})}"


def add_routes(app: web.Application, ctx: BotContext) -> None:
    """GET and POST /teams/files and the page's script and stylesheet, on the bot's drafts."""
    add_dialog_routes(app, ctx.drafts, ctx.deps.limits, ctx.public_url)


def add_dialog_routes(app: web.Application, drafts: DraftStore, limits: Limits, public_url: str) -> None:
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("bot", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    public = urlsplit(public_url)
    app[_SETUP] = _Setup(drafts, limits, templates, f"{public.scheme}://{public.netloc}")
    app.router.add_get(PAGE_PATH, page)
    app.router.add_post(PAGE_PATH, upload)
    app.router.add_get("/teams/static/{name}", static_file)


async def page(request: web.Request) -> web.Response:
    setup = request.app[_SETUP]
    token = request.query.get(TOKEN_FIELD, "")
    draft = setup.drafts.by_upload_token(token) if token else None
    if draft is None:
        return _gone(setup)
    added = request.query.get("added", "")
    done = added.isdigit() and int(added) > 0
    return _render(setup, draft, token, done=done, added=int(added) if done else 0)


async def upload(request: web.Request) -> web.Response:
    setup = request.app[_SETUP]
    if not _same_origin(request):
        return _gone(setup, status=403)
    if not request.content_type.startswith("multipart/"):
        return _gone(setup, status=415)
    try:
        reader = await request.multipart()
        token = await _token(reader)
        draft = setup.drafts.by_upload_token(token) if token else None
        if draft is None:
            return _gone(setup)
        try:
            files = await _files(reader, setup, draft)
            setup.drafts.add_files(draft, files)
        except _Refused as refused:
            return _render(setup, draft, token, error=refused.message_sv, status=refused.status)
        except DraftFull:
            return _render(setup, draft, token, error=_too_large(setup, draft), status=413)
    except (ValueError, AssertionError, LookupError, TypeError) as exc:
        log.info("file dialog upload refused: malformed multipart (%s)", type(exc).__name__)
        return _gone(setup, status=400)
    # A count says nothing of the content; no file name reaches a log line.
    log.info("file dialog: %d file(s) added to a draft", len(files))
    raise web.HTTPSeeOther(f"{PAGE_PATH}?{urlencode({TOKEN_FIELD: token, 'added': len(files)})}")


async def static_file(request: web.Request) -> web.Response:
    entry = _STATIC.get(request.match_info["name"])
    if entry is None:
        raise web.HTTPNotFound()
    resource, content_type = entry
    text = (resources.files("bot") / "static" / resource).read_text(encoding="utf-8")
    response = web.Response(text=text, content_type=content_type, charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _same_origin(request: web.Request) -> bool:
    """Whether the POST comes from a page of this server (the upload token is what authorises it).

    Browsers say where a request comes from in `Sec-Fetch-Site`; one that does not names the page's origin, or
    "null" under the page's no-referrer policy.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin in (None, "null", request.app[_SETUP].public_origin)


async def _token(reader: MultipartReader) -> str:
    """The form's first field, the upload token (read before any file, and bounded)."""
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != TOKEN_FIELD:
        return ""
    data = b""
    while chunk := await part.read_chunk(_MAX_TOKEN_BYTES + 1):
        data += chunk
        if len(data) > _MAX_TOKEN_BYTES:
            return ""
    return data.decode("ascii", errors="replace").strip()


async def _files(reader: MultipartReader, setup: _Setup, draft: Draft) -> list[DraftFile]:
    """Every file of the form, or none: a refused one (too many, too large, a bad name) keeps none of them."""
    files: list[DraftFile] = []
    room = setup.drafts.room_for(draft)
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name != FILES_FIELD:
            raise _Refused(400, "Formuläret innehåller något annat än filer.")
        # Browsers percent-encode what a quoted header value cannot hold (as the REST API reads it too).
        name = unquote(part.filename or "")
        if not name:
            await part.release()  # "no file chosen" comes as an empty part without a name
            continue
        try:
            check_file_name(name)
            check_attachment_count(len(draft.files) + len(files) + 1, setup.limits)
        except InvalidRequest as exc:
            raise _Refused(422, exc.message_sv) from None
        data = await _read(part, min(room, setup.limits.attachment_max_bytes))
        if data is None:
            raise _Refused(413, _too_large(setup, draft))
        room -= len(data)
        content_type = part.headers.get("Content-Type", "application/octet-stream")
        files.append(DraftFile(_base_name(name), content_type, data))
    if not files:
        raise _Refused(422, "Välj minst en fil.")
    return files


async def _read(part: BodyPartReader, most: int) -> bytes | None:
    """The part's bytes, or None as soon as they pass `most` (the rest is never read into memory)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(_CHUNK):
        size += len(chunk)
        if size > most:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _base_name(name: str) -> str:
    # Some browsers send a whole path; the message keeps the last component (messaging cleans it again).
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip() or name


def _too_large(setup: _Setup, draft: Draft) -> str:
    file_mb = min(setup.limits.attachment_max_bytes, setup.drafts.draft_file_bytes) // 2**20
    draft_mb = setup.drafts.draft_file_bytes // 2**20
    limit = (
        f"En fil får vara högst {file_mb} MB och filerna högst {draft_mb} MB tillsammans."
        if file_mb < draft_mb
        else f"Filerna får vara högst {draft_mb} MB tillsammans."
    )
    return f"Filerna får inte plats. {limit} Skicka större filer från webbappen eller Outlook."


def _render(
    setup: _Setup,
    draft: Draft,
    token: str,
    *,
    done: bool = False,
    added: int = 0,
    error: str = "",
    status: int = 200,
) -> web.Response:
    html = setup.templates.get_template("file_dialog.html").render(
        action=PAGE_PATH,
        token=token,
        draft_id=draft.draft_id,
        names=[item.name for item in draft.files],
        done=done,
        done_text=("1 fil har lagts till." if added == 1 else f"{added} filer har lagts till."),
        error=error,
        file_mb=min(setup.limits.attachment_max_bytes, setup.drafts.draft_file_bytes) // 2**20,
        draft_mb=setup.drafts.draft_file_bytes // 2**20,
        stylesheet=STYLESHEET_PATH,
        script=SCRIPT_PATH,
        teams_js=TEAMS_JS_PATH,
    )
    return _html(html, status)


_GONE: Final = {
    404: (
        "Dialogen har gått ut",
        "Stäng dialogen och tryck på Lägg till filer på kortet igen. Utkastet kan också ha skickats eller tagits bort.",
    ),
    400: ("Filerna kunde inte tas emot", "Formuläret gick inte att läsa. Stäng dialogen och försök igen."),
    403: ("Filerna kunde inte tas emot", "Filer kan bara läggas till från dialogen i Teams."),
    415: ("Filerna kunde inte tas emot", "Formuläret gick inte att läsa. Stäng dialogen och försök igen."),
}


def _gone(setup: _Setup, status: int = 404) -> web.Response:
    title, message = _GONE[status]
    html = setup.templates.get_template("file_dialog_gone.html").render(
        stylesheet=STYLESHEET_PATH, title=title, message=message
    )
    return _html(html, status)


def _html(html: str, status: int) -> web.Response:
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response
