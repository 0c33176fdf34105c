"""`/dev/teams`: a local preview of the bot as Teams shows it (development mode, loopback only).

The page (sigill/templates/dev_teams.html, sigill/static/dev_teams/) lets a person pick a demo staff member, type
commands and press the actions of the cards, which Microsoft's `adaptivecards` renderer draws. It posts to
`/api/messages` what Teams would post: `message` activities for typed text, `invoke` activities
(`adaptiveCard/action` for Action.Execute, `task/fetch` and `task/submit` for dialogs), with the tenant id and
object id of the chosen person, and a `serviceUrl` that points back here.

The bot answers an invoke in its HTTP response, but sends the replies to a message through the Bot Connector of the
activity's `serviceUrl`. So this module also serves a stand-in for the connector's conversation routes under
`/dev/teams/connector/v3/conversations/...`: it keeps what the bot sent, per conversation and in memory only, and
the page reads it back from `/dev/teams/conversations/{id}/activities`. The connector routes take only JSON, as the
real one does, which a form on another site cannot send without a preflight that this server never grants.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from addin_backend.problems import problem
from identity.dev_issuer import dev_tenant_id
from sigill import demo
from sigill.vendor import vendor_url

STATIC_DIR: Final = Path(__file__).parent / "static" / "dev_teams"
STATIC_FILES: Final = frozenset({"cards.js", "dev_teams.js", "dev_teams.css"})
_STATIC_TYPES: Final = {".js": "text/javascript", ".css": "text/css"}
# Scripts and styles from this server only, and no inline script; the page talks only to this server and frames
# only its own pages (URL dialogs, such as the file dialog). Nobody may frame the page itself.
HTML_CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The bot as Teams names it in every activity's `recipient`.
BOT_ID: Final = "28:sigill-dev-bot"
BOT_NAME: Final = "Sigill"
# Enough for a long session in one chat; a conversation's oldest activities go first, then the least recent chat.
MAX_ACTIVITIES_PER_CONVERSATION: Final = 500
MAX_CONVERSATIONS: Final = 200
# An object id and a tenant id no organisation has: the page's "unknown user".
UNKNOWN_TENANT_ID: Final = "00000000-0000-4000-8000-00000000dead"
UNKNOWN_OBJECT_ID: Final = "00000000-0000-4000-8000-00000000beef"


@dataclass(frozen=True, slots=True)
class PreviewUser:
    """A person the page can act as: what Teams would put in `from` and `channelData.tenant`."""

    name: str
    email: str
    organisation: str
    tenant_id: str
    object_id: str


def preview_users() -> list[PreviewUser]:
    """Every demo staff member, with the ids the development tenant gives them, and one person nobody knows."""
    users = [
        PreviewUser(
            name=person.name,
            email=person.email,
            organisation=org.name,
            tenant_id=dev_tenant_id(org.domain),
            object_id=demo.dev_object_id(person.email),
        )
        for org in demo.DEMO_ORGANISATIONS
        for person in org.staff
    ]
    unknown = PreviewUser("Okänd användare", "", "okänd organisation", UNKNOWN_TENANT_ID, UNKNOWN_OBJECT_ID)
    return [*users, unknown]


class ConnectorStore:
    """What the bot sent to each conversation through the connector stand-in, in the order it arrived.

    Each stored activity gets a sequence number, so the page asks only for what is newer than what it has; an
    update (PUT) stores the activity again under its id with a new number, and a deletion stores a tombstone.
    """

    def __init__(self) -> None:
        self._conversations: OrderedDict[str, list[tuple[int, dict[str, Any]]]] = OrderedDict()
        self._sequence = itertools.count(1)

    def add(self, conversation_id: str, activity: dict[str, Any], reply_to: str | None = None) -> str:
        activity_id = f"bot-{uuid.uuid4().hex[:16]}"
        stored = {**activity, "id": activity_id}
        if reply_to is not None:
            stored["replyToId"] = reply_to
        self._append(conversation_id, stored)
        return activity_id

    def update(self, conversation_id: str, activity_id: str, activity: dict[str, Any]) -> None:
        self._append(conversation_id, {**activity, "id": activity_id})

    def delete(self, conversation_id: str, activity_id: str) -> None:
        self._append(conversation_id, {"type": "messageDelete", "id": activity_id})

    def since(self, conversation_id: str, after: int) -> tuple[list[dict[str, Any]], int]:
        """The activities stored after sequence number `after`, each with its `sequence`, and the newest number."""
        stored = self._conversations.get(conversation_id, [])
        newer = [{**activity, "sequence": number} for number, activity in stored if number > after]
        return newer, stored[-1][0] if stored else after

    def _append(self, conversation_id: str, activity: dict[str, Any]) -> None:
        stored = self._conversations.setdefault(conversation_id, [])
        self._conversations.move_to_end(conversation_id)
        stored.append((next(self._sequence), activity))
        del stored[:-MAX_ACTIVITIES_PER_CONVERSATION]
        while len(self._conversations) > MAX_CONVERSATIONS:
            self._conversations.popitem(last=False)


CONNECTOR: Final = web.AppKey("dev_teams_connector", ConnectorStore)


def install(app: web.Application) -> None:
    """Mount the page, its files and the connector stand-in on the development app (itself mounted at /dev)."""
    app[CONNECTOR] = ConnectorStore()
    app.router.add_get("/teams", page, name="teams_page")
    app.router.add_get("/teams/static/{name}", static_file)
    app.router.add_get("/teams/conversations/{conversation}/activities", conversation_activities)
    base = "/teams/connector/v3/conversations/{conversation}/activities"
    app.router.add_post(base, send_to_conversation)
    app.router.add_post(base + "/{activity}", reply_to_activity)
    app.router.add_put(base + "/{activity}", update_activity)
    app.router.add_delete(base + "/{activity}", delete_activity)


async def page(request: web.Request) -> web.Response:
    prefix = str(request.app.router["teams_page"].url_for())
    html = (
        _environment()
        .get_template("dev_teams.html")
        .render(
            users=preview_users(),
            bot_id=BOT_ID,
            bot_name=BOT_NAME,
            static=f"{prefix}/static",
            connector=f"{prefix}/connector/",
            conversations=f"{prefix}/conversations",
            adaptive_cards=vendor_url("adaptivecards.min.js"),
        )
    )
    return web.Response(
        text=html,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Security-Policy": HTML_CSP, "Cache-Control": "no-store"},
    )


async def static_file(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    response = web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})
    response.content_type = _STATIC_TYPES[Path(name).suffix]
    return response


async def conversation_activities(request: web.Request) -> web.Response:
    after_text = request.query.get("after", "0")
    if not after_text.isdigit() or len(after_text) > 18:
        return problem(
            400,
            "invalid_query",
            "Parametern after måste vara ett heltal.",
            "`after` is the last sequence number the page has (0 for all).",
        )
    activities, newest = request.app[CONNECTOR].since(request.match_info["conversation"], int(after_text))
    return web.json_response({"activities": activities, "newest": newest})


async def send_to_conversation(request: web.Request) -> web.Response:
    activity = await _activity(request)
    if isinstance(activity, web.Response):
        return activity
    reply_to = activity.get("replyToId") if isinstance(activity.get("replyToId"), str) else None
    activity_id = request.app[CONNECTOR].add(request.match_info["conversation"], activity, reply_to)
    return web.json_response({"id": activity_id})


async def reply_to_activity(request: web.Request) -> web.Response:
    activity = await _activity(request)
    if isinstance(activity, web.Response):
        return activity
    conversation, reply_to = request.match_info["conversation"], request.match_info["activity"]
    activity_id = request.app[CONNECTOR].add(conversation, activity, reply_to)
    return web.json_response({"id": activity_id})


async def update_activity(request: web.Request) -> web.Response:
    activity = await _activity(request)
    if isinstance(activity, web.Response):
        return activity
    conversation, activity_id = request.match_info["conversation"], request.match_info["activity"]
    request.app[CONNECTOR].update(conversation, activity_id, activity)
    return web.json_response({"id": activity_id})


async def delete_activity(request: web.Request) -> web.Response:
    request.app[CONNECTOR].delete(request.match_info["conversation"], request.match_info["activity"])
    return web.Response(status=200)


async def _activity(request: web.Request) -> dict[str, Any] | web.Response:
    """The activity the bot posted: a JSON object, as the Bot Connector accepts it."""
    if request.content_type != "application/json":
        return problem(
            415,
            "unsupported_media_type",
            "Aktiviteten måste skickas som JSON.",
            "Send Content-Type: application/json.",
        )
    try:
        body = json.loads(await request.text())
    except ValueError:
        return problem(400, "invalid_json", "Förfrågan är inte giltig JSON.", "The body is not valid JSON.")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return problem(
            422,
            "invalid_activity",
            "Aktiviteten saknar typ.",
            "An activity is a JSON object with a string `type`.",
        )
    return body


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
