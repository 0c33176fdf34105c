"""Proactive Teams notices over real HTTP: a staff user who talked to the bot gets a card when a message arrives.

The server is the real `sigill serve` app on both store backends; the bot posts its cards to a fake Bot
Connector on 127.0.0.1, which records each `POST /v3/conversations/{id}/activities`. The e-mail notices go to
the development sink (/dev/outbox). Each user's conversation is their own (`a:personal-<object id>`), so a
card is known to be theirs by the path it was posted to. Bertil never has a personal chat with the bot here.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from store.records import ConversationReference
from tests.integration.conftest import BACKENDS, _cosmos
from tests.integration.harness import (
    ANNA,
    BERTIL,
    CECILIA,
    SOCIAL,
    Server,
    environment_for,
    free_port,
    run_server,
    server_settings,
)
from tests.integration.teams_harness import (
    FakeConnector,
    TeamsUser,
    actions,
    dev_teams_user,
    dialog_card,
    message_activity,
    post_activity,
    running_connector,
    task_fetch,
    texts,
    valid_card,
)

# Long enough for the worker (polling every half second in development) to have sent anything it was going to.
SETTLE_S = 1.5


@pytest.fixture(scope="module", params=BACKENDS)
async def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """The development server, with a failed notification tried again after a fifth of a second."""
    backend = request.param
    settings = server_settings(
        backend,
        tmp_path_factory.mktemp(f"notices-{backend}"),
        free_port(),
        _cosmos(request, backend),
        worker={"retry_delay": 0.2},
    )
    async for started in run_server(settings):
        yield started


@pytest.fixture(scope="module")
async def connector() -> AsyncIterator[FakeConnector]:
    async for running in running_connector():
        yield running


@pytest.fixture(autouse=True)
def fresh_connector(connector: FakeConnector) -> None:
    connector.clear()
    connector.fail_with = None
    connector.refused = 0


async def say_hello(server: Server, connector: FakeConnector, user: TeamsUser) -> None:
    """The user opens the bot and types "hjälp": from now on the bot knows where to reach them."""
    answer = await post_activity(server, message_activity(user, connector, "hjälp"))
    assert answer.status in (200, 202), answer
    # The bot's answer was posted before the HTTP answer came back: what follows is only notices.
    connector.clear()


def cards_to(connector: FakeConnector, user: TeamsUser) -> list[dict[str, Any]]:
    """The cards posted into `user`'s personal chat with the bot."""
    path = f"/v3/conversations/{user.conversation_id}/activities"
    return [
        valid_card(attachment["content"])
        for activity, posted in zip(connector.activities, connector.paths, strict=True)
        if posted == path and activity.get("type") == "message"
        for attachment in activity.get("attachments") or []
    ]


async def wait_for_cards(connector: FakeConnector, user: TeamsUser, count: int = 1) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + 10
    while len(found := cards_to(connector, user)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"{len(found)} of {count} cards to {user.name} within 10 s: {connector.paths}"
            )
        await asyncio.sleep(0.05)
    return found


def open_button(card: dict[str, Any]) -> dict[str, Any]:
    [button] = actions(card)
    return button


async def send(server: Server, as_user: str, *to: str, subject: str = "Beslut om bistånd") -> str:
    resp = await server.send(
        as_user, recipients=[{"address": address} for address in to], subject=subject, loa=2
    )
    assert resp.status == 201, resp.body
    message_id: str = resp.body["id"]
    return message_id


async def test_a_user_who_talked_to_the_bot_gets_a_card_when_a_message_arrives(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    await say_hello(server, connector, anna)
    subject = f"Hemligt ämne {uuid.uuid4().hex[:6]}"

    message_id = await send(server, CECILIA, ANNA, subject=subject)

    [card] = await wait_for_cards(connector, anna)
    shown = texts(card)
    assert "Nytt säkert meddelande" in shown
    assert {"title": "Från", "value": "Cecilia Ceder"} in card["body"][2]["facts"]
    assert {"title": "Tillitsnivå", "value": "LoA2"} in card["body"][2]["facts"]
    # The subject is sealed: the card never shows it, nor anything else of the content.
    assert not any(subject in value for value in shown)
    assert "Hemligt" not in str(card)
    button = open_button(card)
    assert button["title"] == "Öppna meddelandet"
    assert button["data"] == {
        "msteams": {"type": "task/fetch"},
        "verb": "message.open",
        "message": message_id,
    }
    # Pressing it opens the message in the bot's dialog, where Anna's access is checked as for any opening.
    opened = dialog_card(await post_activity(server, task_fetch(anna, connector, button["data"])))
    assert subject in texts(opened)
    # The e-mail goes out as before, beside the card.
    [mail] = [
        item
        for item in await server.wait_for_outbox(ANNA)
        if item.get("headers", {}).get("X-Sigill-Message") == message_id
    ]
    assert mail["kind"] == "notice"


async def test_a_member_of_a_function_mailbox_gets_a_card_naming_the_mailbox(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    await say_hello(server, connector, anna)

    message_id = await send(server, CECILIA, SOCIAL)

    [card] = await wait_for_cards(connector, anna)
    assert "En funktionsbrevlåda du tillhör har fått ett krypterat meddelande i Sigill." in texts(card)
    assert {"title": "Funktionsbrevlåda", "value": "Socialtjänsten"} in card["body"][2]["facts"]
    assert open_button(card)["data"]["message"] == message_id
    # Bertil belongs to the mailbox too but never opened the bot: nothing was posted for him.
    await asyncio.sleep(SETTLE_S)
    assert cards_to(connector, dev_teams_user(BERTIL)) == []
    assert len(cards_to(connector, anna)) == 1


async def test_a_user_who_never_talked_to_the_bot_gets_only_the_email(
    server: Server, connector: FakeConnector
) -> None:
    before = len(await server.outbox(BERTIL))

    message_id = await send(server, CECILIA, BERTIL)

    [mail, *_] = await server.wait_for_outbox(BERTIL, before + 1)
    assert mail["kind"] == "notice" and mail["headers"]["X-Sigill-Message"] == message_id
    await asyncio.sleep(SETTLE_S)
    assert connector.activities == [] and connector.refused == 0
    # No error anywhere: the sender's view shows the delivery without a failed notification.
    sent = await server.get(f"/messages/{message_id}", CECILIA)
    assert sent.status == 200, sent.body
    assert [d["notification_failed_at"] for d in sent.body["deliveries"]] == [None]


async def test_the_sender_gets_no_card_for_their_own_message(
    server: Server, connector: FakeConnector
) -> None:
    anna, cecilia = dev_teams_user(ANNA), dev_teams_user(CECILIA)
    await say_hello(server, connector, anna)
    await say_hello(server, connector, cecilia)

    # Anna writes to her own function mailbox and to Cecilia; Cecilia's card goes after Anna's would have.
    await send(server, ANNA, SOCIAL, CECILIA)

    await wait_for_cards(connector, cecilia)
    await asyncio.sleep(SETTLE_S)
    assert cards_to(connector, anna) == []
    assert len(cards_to(connector, cecilia)) == 1


async def test_a_failed_post_is_tried_again_and_the_card_arrives_once(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    await say_hello(server, connector, anna)
    connector.fail_with = 500

    message_id = await send(server, CECILIA, ANNA)

    deadline = asyncio.get_running_loop().time() + 10
    while connector.refused == 0:
        assert asyncio.get_running_loop().time() < deadline, "the worker never tried Teams"
        await asyncio.sleep(0.05)
    assert cards_to(connector, anna) == []
    connector.fail_with = None

    [card] = await wait_for_cards(connector, anna)
    assert open_button(card)["data"]["message"] == message_id
    await asyncio.sleep(SETTLE_S)
    assert len(cards_to(connector, anna)) == 1
    # The card and nothing else: no error text of the failed try reaches the chat.
    assert len(connector.messages()) == 1
    # A Teams failure that passed marks nothing on the delivery.
    sent = await server.get(f"/messages/{message_id}", CECILIA)
    assert [d["notification_failed_at"] for d in sent.body["deliveries"]] == [None]


async def test_a_notice_teams_refuses_for_good_is_not_tried_again(
    server: Server, connector: FakeConnector
) -> None:
    """403: the user removed the app or blocked the bot. One try, no retries, and the e-mail stands."""
    anna = dev_teams_user(ANNA)
    await say_hello(server, connector, anna)
    connector.fail_with = 403

    message_id = await send(server, CECILIA, ANNA)

    deadline = asyncio.get_running_loop().time() + 10
    while connector.refused == 0:
        assert asyncio.get_running_loop().time() < deadline, "the worker never tried Teams"
        await asyncio.sleep(0.05)
    await asyncio.sleep(SETTLE_S)  # seven retry delays of the 500 test
    assert connector.refused == 1
    sent = await server.get(f"/messages/{message_id}", CECILIA)
    assert [d["notification_failed_at"] for d in sent.body["deliveries"]] == [None]


async def test_a_notice_speaks_english_to_a_user_whose_teams_is_in_english(
    server: Server, connector: FakeConnector
) -> None:
    cecilia = dev_teams_user(CECILIA, locale="en-GB")
    await say_hello(server, connector, cecilia)

    await send(server, ANNA, CECILIA)

    [card] = await wait_for_cards(connector, cecilia)
    assert card["lang"] == "en"
    assert "New secure message" in texts(card)
    assert open_button(card)["title"] == "Open the message"


async def test_a_group_chat_is_never_used_for_a_notice(server: Server, connector: FakeConnector) -> None:
    """Bertil only ever wrote to the bot in a group chat: a notice there would be read by the whole group."""
    bertil = dev_teams_user(BERTIL)
    in_group = message_activity(bertil, connector, "hjälp")
    in_group["conversation"] = {**in_group["conversation"], "conversationType": "groupChat", "isGroup": True}
    in_group["conversation"]["id"] = "19:group-chat@thread.v2"
    await post_activity(server, in_group)
    connector.clear()
    before = len(await server.outbox(BERTIL))

    await send(server, CECILIA, BERTIL)

    await server.wait_for_outbox(BERTIL, before + 1)
    await asyncio.sleep(SETTLE_S)
    assert connector.activities == []


async def test_a_reference_is_written_once_and_again_only_when_the_chat_moves(
    server: Server, connector: FakeConnector
) -> None:
    cecilia = dev_teams_user(CECILIA)
    await say_hello(server, connector, cecilia)
    first = await stored_reference(server, CECILIA)
    await say_hello(server, connector, cecilia)
    assert await stored_reference(server, CECILIA) == first  # same chat: not written again

    moved = TeamsUser(cecilia.tenant_id, cecilia.object_id, cecilia.name)
    activity = message_activity(moved, connector, "inkorg")
    activity["conversation"]["id"] = "a:a-new-personal-chat"
    await post_activity(server, activity)
    connector.clear()
    updated = await stored_reference(server, CECILIA)
    assert updated.conversation_id == "a:a-new-personal-chat" and updated.version != first.version

    await send(server, ANNA, CECILIA)

    deadline = asyncio.get_running_loop().time() + 10
    while not connector.paths:
        assert asyncio.get_running_loop().time() < deadline, "no notice within 10 s"
        await asyncio.sleep(0.05)
    assert connector.paths == ["/v3/conversations/a:a-new-personal-chat/activities"]


async def stored_reference(server: Server, email: str) -> ConversationReference:
    """What the store holds for a demo user (the conversation the bot would post a notice into)."""
    store = server.components.store
    org = await store.organisation_by_domain(email.rpartition("@")[2])
    assert org is not None
    async with store.unit_of_work(org.org_id) as uow:
        user = await uow.staff.by_email(email)
        assert user is not None
        found = await uow.references.get(user.user_id)
    assert found is not None
    return found


async def test_sigill_worker_sends_the_card_without_a_web_server(
    web_only_server: Server, connector: FakeConnector
) -> None:
    server, anna = web_only_server, dev_teams_user(ANNA)
    await say_hello(server, connector, anna)
    message_id = await send(server, CECILIA, ANNA)
    await asyncio.sleep(SETTLE_S)
    assert connector.activities == []  # the server itself does not send

    env = {**os.environ, **environment_for(server.settings)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sigill", "worker", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        [card] = await wait_for_cards(connector, anna)
        assert open_button(card)["data"]["message"] == message_id
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Sigill outbox worker running (e-mail, SMS, Teams)." in stdout.decode()
