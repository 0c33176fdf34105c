"""Talking to the Teams bot as Teams does: activities posted to /api/messages, replies caught by a fake connector.

`FakeConnector` is a Bot Connector on 127.0.0.1: the bot sends its message replies (and proactive notices)
there, to `POST /v3/conversations/{id}/activities[/{replyToId}]`, and it answers `{"id": ...}` as the service
does. Invokes (`adaptiveCard/action`, `task/fetch`, `task/submit`) are answered in the HTTP response itself.
The activity builders write the fields Teams writes: channelId msteams, channelData.tenant.id, from.id and
from.aadObjectId, conversation.id, recipient, serviceUrl and locale.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from identity.dev_issuer import dev_tenant_id
from sigill.demo import dev_object_id
from tests.fixtures import free_port
from tests.integration.harness import Server
from tests.unit.adaptive_cards.cardtools import schema_errors

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
BOT_ID = "28:sigill-dev-bot"
_ids = itertools.count(1)


@dataclass
class FakeConnector:
    """Records every activity the bot sends; `url` is the serviceUrl to put in activities."""

    url: str = ""
    activities: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # When set, the connector answers this status (a failing Teams) instead of 201; `refused` counts those answers.
    fail_with: int | None = None
    refused: int = 0
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._receive)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._receive)
        app.router.add_post("/v3/conversations", self._create_conversation)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        if self.fail_with is not None:
            self.refused += 1
            return web.json_response({"error": {"code": "ServiceError"}}, status=self.fail_with)
        body = await request.json()
        self.activities.append(body)
        self.paths.append(request.path)
        self._arrived.set()
        return web.json_response({"id": f"activity-{next(_ids)}"}, status=201)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        return web.json_response({"id": f"conversation-{next(_ids)}"}, status=201)

    def clear(self) -> None:
        self.activities.clear()
        self.paths.clear()

    def messages(self) -> list[dict[str, Any]]:
        """The message activities received (typing and traces left out)."""
        return [a for a in self.activities if a.get("type") == "message"]

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards of every message received, in order (each checked against the 1.5 schema)."""
        return [
            valid_card(attachment["content"])
            for activity in self.messages()
            for attachment in activity.get("attachments") or []
            if attachment.get("contentType") == ADAPTIVE_CARD
        ]

    async def wait_for_messages(self, count: int = 1, *, within: float = 5.0) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + within
        while len(self.messages()) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"{len(self.messages())} of {count} messages within {within} s")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)
        return self.messages()


async def running_connector() -> AsyncIterator[FakeConnector]:
    connector = FakeConnector()
    await connector.start()
    try:
        yield connector
    finally:
        await connector.close()


@dataclass(frozen=True)
class TeamsUser:
    """Who Teams says is typing or clicking: tenant id and Entra object id (the only identity the bot uses)."""

    tenant_id: str
    object_id: str
    name: str = "Teams User"
    locale: str = "sv-SE"

    @property
    def teams_id(self) -> str:
        """The user's Teams id (an MRI, as in `from.id` and a card's refresh userIds)."""
        return f"29:{self.object_id}"

    @property
    def conversation_id(self) -> str:
        """The personal chat with the bot (one per user)."""
        return f"a:personal-{self.object_id}"


def dev_teams_user(email: str, *, locale: str = "sv-SE") -> TeamsUser:
    """A demo staff member as Teams would name them in the development tenant of their organisation."""
    domain = email.rpartition("@")[2]
    return TeamsUser(dev_tenant_id(domain), dev_object_id(email), email.partition("@")[0], locale)


def _base(user: TeamsUser, connector: FakeConnector, kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"f:{uuid.uuid4().hex}",
        "timestamp": "2026-11-25T08:00:00.000Z",
        "localTimestamp": "2026-11-25T09:00:00.000+01:00",
        "serviceUrl": connector.url,
        "channelId": "msteams",
        "from": {"id": user.teams_id, "name": user.name, "aadObjectId": user.object_id},
        "conversation": {
            "conversationType": "personal",
            "tenantId": user.tenant_id,
            "id": user.conversation_id,
        },
        "recipient": {"id": BOT_ID, "name": "Sigill"},
        "entities": [{"locale": user.locale, "country": "SE", "platform": "Web", "type": "clientInfo"}],
        "channelData": {"tenant": {"id": user.tenant_id}},
        "locale": user.locale,
    }


def message_activity(user: TeamsUser, connector: FakeConnector, text: str) -> dict[str, Any]:
    return {**_base(user, connector, "message"), "text": text, "textFormat": "plain"}


def members_added(user: TeamsUser, connector: FakeConnector) -> dict[str, Any]:
    """What Teams sends when the user installs the app: the bot and the user join the personal chat."""
    activity = _base(user, connector, "conversationUpdate")
    activity["membersAdded"] = [{"id": BOT_ID}, {"id": user.teams_id, "aadObjectId": user.object_id}]
    return activity


def invoke_action(
    user: TeamsUser, connector: FakeConnector, verb: str, data: dict[str, Any]
) -> dict[str, Any]:
    """An Action.Execute press: invoke `adaptiveCard/action` with the verb and the action's data (+ inputs)."""
    activity = _base(user, connector, "invoke")
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {
        "action": {"type": "Action.Execute", "id": uuid.uuid4().hex[:8], "verb": verb, "data": dict(data)},
        "trigger": "manual",
    }
    return activity


def task_fetch(user: TeamsUser, connector: FakeConnector, data: dict[str, Any]) -> dict[str, Any]:
    """Opening a dialog (an Action.Submit with msteams.type task/fetch): invoke `task/fetch`, value.data."""
    activity = _base(user, connector, "invoke")
    activity["name"] = "task/fetch"
    activity["value"] = {"data": {**data, "msteams": {"type": "task/fetch"}}, "context": {"theme": "default"}}
    return activity


def task_submit(user: TeamsUser, connector: FakeConnector, data: dict[str, Any]) -> dict[str, Any]:
    """An action inside a dialog's card: invoke `task/submit`, value.data."""
    activity = _base(user, connector, "invoke")
    activity["name"] = "task/submit"
    activity["value"] = {"data": dict(data), "context": {"theme": "default"}}
    return activity


@dataclass
class BotAnswer:
    status: int
    body: Any


async def post_activity(server: Server, activity: dict[str, Any], **headers: str) -> BotAnswer:
    async with server.session.post(f"{server.base}/api/messages", json=activity, headers=headers) as resp:
        body: Any = None
        if resp.content_length != 0 and resp.content_type in ("application/json", "application/problem+json"):
            body = await resp.json(content_type=None)
        return BotAnswer(resp.status, body)


def invoke_card(answer: BotAnswer) -> dict[str, Any]:
    """The card an Action.Execute answer replaces the pressed one with."""
    assert answer.status == 200, answer
    assert answer.body["statusCode"] == 200, answer.body
    assert answer.body["type"] == ADAPTIVE_CARD, answer.body
    card: dict[str, Any] = answer.body["value"]
    return valid_card(card)


def dialog_card(answer: BotAnswer) -> dict[str, Any]:
    """The card a task/fetch (or task/submit) answer shows in the dialog."""
    assert answer.status == 200, answer
    task = answer.body["task"]
    assert task["type"] == "continue", task
    assert task["value"]["card"]["contentType"] == ADAPTIVE_CARD
    card: dict[str, Any] = task["value"]["card"]["content"]
    return valid_card(card)


def valid_card(card: dict[str, Any]) -> dict[str, Any]:
    """`card`, once it validates against the official Adaptive Cards 1.5 schema."""
    errors = schema_errors(card)
    assert not errors, errors
    return card


def texts(card: Any) -> list[str]:
    """Every text a card shows (TextBlocks, facts, action titles, choices), for asserting what a user reads."""
    found: list[str] = []
    if isinstance(card, dict):
        for key in ("text", "title", "value"):
            if isinstance(card.get(key), str) and card.get("type") != "Input.Text":
                found.append(card[key])
        for value in card.values():
            if isinstance(value, (dict, list)):
                found.extend(texts(value))
    elif isinstance(card, list):
        for value in card:
            found.extend(texts(value))
    return found


def actions(card: Any) -> list[dict[str, Any]]:
    """Every action a user can press (card actions, action sets, select actions), in order; the card's
    refresh action is Teams' own, not a button."""
    found: list[dict[str, Any]] = []
    if isinstance(card, dict):
        if str(card.get("type", "")).startswith("Action."):
            found.append(card)
        for key, value in card.items():
            if isinstance(value, (dict, list)) and key != "refresh":
                found.extend(actions(value))
    elif isinstance(card, list):
        for value in card:
            found.extend(actions(value))
    return found


def action_titled(card: Any, title: str) -> dict[str, Any]:
    matches = [a for a in actions(card) if a.get("title") == title]
    assert matches, f"no action {title!r} among {[a.get('title') for a in actions(card)]}"
    return matches[0]
