"""Compose in Teams over real HTTP: the compose card's verbs, the draft, the file dialog and the send."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adaptive_cards.elements import plain
from tests.fixtures import free_port
from tests.integration.harness import ANNA, BERTIL, Server
from tests.integration.tampering import all_stored_bytes
from tests.integration.teams_harness import (
    BotAnswer,
    FakeConnector,
    TeamsUser,
    dev_teams_user,
    dialog_card,
    invoke_action,
    invoke_card,
    message_activity,
    post_activity,
    running_connector,
    task_fetch,
    task_submit,
    texts,
    valid_card,
)
from tests.unit.adaptive_cards.cardtools import nodes

TEAMS_ORIGINS = ("https://teams.microsoft.com", "https://*.teams.microsoft.com", "https://*.cloud.microsoft")


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async for running in running_connector():
        yield running


def _external() -> str:
    return f"extern-{uuid.uuid4().hex[:8]}@example.org"


async def _press(
    server: Server, connector: FakeConnector, user: TeamsUser, verb: str, data: dict[str, Any]
) -> dict[str, Any]:
    return invoke_card(await post_activity(server, invoke_action(user, connector, verb, data)))


async def _new_draft(server: Server, connector: FakeConnector, user: TeamsUser) -> tuple[str, dict[str, Any]]:
    card = await _press(server, connector, user, "compose.new", {})
    [send] = [n for n in nodes(card) if n.get("verb") == "compose.send"]
    return send["data"]["draft"], card


def _input(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    [found] = [n for n in nodes(card) if n.get("id") == input_id]
    return found


def _has_input(card: dict[str, Any], input_id: str) -> bool:
    return any(n.get("id") == input_id for n in nodes(card))


def _shown_under(card: dict[str, Any], input_id: str) -> str | None:
    """The text shown right under an input (its error), or None when the next element is another field."""
    body: list[dict[str, Any]] = card["body"]
    index = next(i for i, element in enumerate(body) if element.get("id") == input_id)
    following = body[index + 1] if index + 1 < len(body) else {}
    if following.get("type") == "TextBlock" and following.get("color") == "Attention":
        return str(following["text"])
    return None


async def _sent_item(server: Server, sender: str, subject: str) -> dict[str, Any]:
    listing = await server.get(f"/mailboxes/{sender}/sent", sender)
    assert listing.status == 200, listing.body
    [item] = [i for i in listing.body["items"] if i.get("subject") == subject]
    return item


async def test_compose_and_send_to_an_sms_recipient_at_loa2(server: Server, connector: FakeConnector) -> None:
    anna = dev_teams_user(ANNA)
    to, subject = _external(), f"Provsvar {uuid.uuid4().hex[:6]}"
    draft, card = await _new_draft(server, connector, anna)
    assert "Nytt meddelande" in texts(card)

    # Level 2 chosen, "Uppdatera val": the link recipient gets only the methods that reach LoA2, and a phone field.
    typed = {
        "draft": draft,
        "recipients": f"{to}, {BERTIL}",
        "subject": subject,
        "body": "Hej Åsa",
        "loa": "2",
    }
    card = await _press(server, connector, anna, "compose.refresh", typed)
    method = _input(card, "method_0")
    assert [c["value"] for c in method["choices"]] == ["sms", "eid", "siths"]
    assert method["value"] == "sms"
    assert _has_input(card, "phone_0")
    # Bertil is registered: no identification to choose for him.
    assert not _has_input(card, "method_1")
    assert _input(card, "subject")["value"] == subject
    assert _input(card, "body")["value"] == "Hej Åsa"

    sent = await _press(
        server, connector, anna, "compose.send", typed | {"method_0": "sms", "phone_0": "070-123 45 67"}
    )

    assert "Skickade" in texts(sent)
    assert any(subject in t for t in texts(sent))
    item = await _sent_item(server, ANNA, subject)
    opened = await server.get(f"/messages/{item['message_id']}", ANNA)
    by_address = {d["address"]: d for d in opened.body["deliveries"]}
    assert by_address[to]["kind"] == "link"
    assert by_address[to]["method"] == "sms"
    assert by_address[BERTIL]["kind"] == "registered"
    assert opened.body["loa"] == 2
    assert opened.body["body"] == "Hej Åsa"
    [link] = await server.wait_for_outbox(to)
    assert link["kind"] == "link"
    # The draft is gone once sent: pressing Skicka again on the old card sends nothing twice.
    again = await _press(server, connector, anna, "compose.send", typed)
    assert any("Utkastet finns inte längre" in t for t in texts(again))


async def test_compose_and_send_an_email_link_at_loa1(server: Server, connector: FakeConnector) -> None:
    anna = dev_teams_user(ANNA)
    to, subject = _external(), f"Kallelse {uuid.uuid4().hex[:6]}"
    draft, _ = await _new_draft(server, connector, anna)
    typed = {"draft": draft, "recipients": to, "subject": subject, "body": "Välkommen", "loa": "1"}

    card = await _press(server, connector, anna, "compose.refresh", typed)
    assert [c["value"] for c in _input(card, "method_0")["choices"]] == ["email", "sms", "eid", "siths"]
    assert not _has_input(card, "phone_0")
    open_message = _input(card, "open_message")
    assert "krypterat meddelande" in open_message["placeholder"]
    assert any("krypteras inte" in t for t in texts(card))

    sent = await _press(
        server, connector, anna, "compose.send", typed | {"method_0": "email", "reply_allowed": "false"}
    )

    assert any(subject in t for t in texts(sent))
    item = await _sent_item(server, ANNA, subject)
    opened = await server.get(f"/messages/{item['message_id']}", ANNA)
    assert opened.body["reply_allowed"] is False
    [delivery] = opened.body["deliveries"]
    assert (delivery["kind"], delivery["method"]) == ("link", "email")
    [link] = await server.wait_for_outbox(to)
    assert "krypterat meddelande" in link["body"]


async def test_a_refused_send_shows_each_error_by_its_field_and_keeps_what_was_typed(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    to = _external()
    draft, _ = await _new_draft(server, connector, anna)
    typed = {
        "draft": draft,
        "recipients": to,
        "subject": "",
        "body": "Texten som inte får försvinna",
        "loa": "2",
        "method_0": "sms",
        "phone_0": "08-123 456 78",
    }
    await _press(server, connector, anna, "compose.refresh", {"draft": draft, "recipients": to, "loa": "2"})

    card = await _press(server, connector, anna, "compose.send", typed)

    assert _shown_under(card, "subject") == "Ange ett ämne."
    assert _input(card, "subject")["errorMessage"] == "Ange ett ämne."
    assert (
        _shown_under(card, "phone_0")
        == "Numret är inte ett mobilnummer. Ange ett mobilnummer som kan ta emot sms."
    )
    assert _input(card, "phone_0")["value"] == "08-123 456 78"
    assert _input(card, "body")["value"] == "Texten som inte får försvinna"
    assert _input(card, "recipients")["value"] == to
    assert _input(card, "loa")["value"] == "2"
    assert _shown_under(card, "body") is None
    listing = await server.get(f"/mailboxes/{ANNA}/sent", ANNA)
    assert all(i.get("subject") != "" for i in listing.body["items"])
    assert await server.outbox(to) == []


async def test_a_body_longer_than_the_card_shows_is_sent_whole(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject = f"Lång text {uuid.uuid4().hex[:6]}"
    recipients = "\n".join(_external() for _ in range(25))
    # 6000 characters of four bytes each: with 25 recipients listed, more than the card's 40 KB can hold.
    body = "😀" * 6000
    draft, _ = await _new_draft(server, connector, anna)
    typed = {"draft": draft, "recipients": recipients, "subject": subject, "body": body, "loa": "2"}
    await _press(server, connector, anna, "compose.refresh", typed)
    typed |= {f"method_{i}": "sms" for i in range(25)} | {f"phone_{i}": "070-123 45 67" for i in range(25)}

    card = await _press(server, connector, anna, "compose.refresh", typed)
    shown = _input(card, "body")["value"]
    assert len(shown) < len(body) and shown.endswith("…")
    assert any("längre än kortet rymmer" in t for t in texts(card))
    # The card's inputs come back as the card showed them: the cut body, unchanged.
    await _press(server, connector, anna, "compose.send", typed | {"body": shown})

    item = await _sent_item(server, ANNA, subject)
    opened = await server.get(f"/messages/{item['message_id']}", ANNA)
    assert opened.body["body"] == body
    assert len(opened.body["deliveries"]) == 25


async def test_a_method_below_the_level_is_refused_by_its_recipient(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    draft, _ = await _new_draft(server, connector, anna)
    first, second = _external(), _external()
    await _press(
        server, connector, anna, "compose.refresh", {"draft": draft, "recipients": f"{first}\n{second}"}
    )
    # The sender raised the level to 3 without "Uppdatera val": e-mail no longer reaches it.
    typed = {
        "draft": draft,
        "recipients": f"{first}\n{second}",
        "subject": "Journal",
        "body": "Känsligt",
        "loa": "3",
        "method_0": "eid",
        "personal_number_0": "19121212-1212",
        "method_1": "email",
    }

    card = await _press(server, connector, anna, "compose.send", typed)

    assert _shown_under(card, "method_1") == "Identifiering med e-post räcker inte för tillitsnivå 3."
    assert _shown_under(card, "method_0") is None
    assert [c["value"] for c in _input(card, "method_1")["choices"]] == ["eid", "siths"]
    assert await server.outbox(first) == []


async def test_an_invalid_address_is_shown_by_the_recipients_field(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    draft, _ = await _new_draft(server, connector, anna)

    card = await _press(
        server,
        connector,
        anna,
        "compose.refresh",
        {"draft": draft, "recipients": "inte-en-adress", "subject": "Ä"},
    )

    assert _shown_under(card, "recipients") == "En mottagaradress är inte en giltig e-postadress."
    assert _input(card, "recipients")["value"] == "inte-en-adress"
    assert _input(card, "subject")["value"] == "Ä"


async def test_files_from_the_dialog_join_the_draft_and_arrive_intact(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject = f"Bilaga {uuid.uuid4().hex[:6]}"
    draft, _ = await _new_draft(server, connector, anna)
    typed = {"draft": draft, "recipients": BERTIL, "subject": subject, "body": "Se bifogat", "loa": "1"}

    # "Lägg till filer": a dialog with a page of sigill serve; what was typed comes along and is kept.
    answer = await post_activity(server, task_fetch(anna, connector, {"verb": "compose.files", **typed}))
    url = _dialog_url(answer)
    assert url.startswith(f"{server.base}/teams/files?t=")
    page = await server.session.get(url)
    html = await page.text()
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    assert all(origin in csp for origin in TEAMS_ORIGINS)
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert re.search(r"<script>", html) is None
    assert '<html lang="sv">' in html and "Välj filer" in html
    assert "/vendor/teams-js.min.js" in html
    script = await server.session.get(f"{server.base}/teams/static/file-dialog.js")
    assert script.status == 200 and script.content_type == "text/javascript"
    assert "microsoftTeams.dialog.url.submit" in await script.text()

    content = os.urandom(300_000) + b"slut"
    posted = await _upload(server, url, [("utlåtande å.pdf", content, "application/pdf")])
    assert posted.status == 303
    done = await server.session.get(f"{server.base}{posted.headers['Location']}")
    done_html = await done.text()
    assert "1 fil har lagts till." in done_html
    assert 'data-done="true"' in done_html
    assert "utlåtande å.pdf" in done_html

    # Teams closes the dialog (task/submit from dialog.url.submit); the next card lists the file.
    closed = await post_activity(
        server, task_submit(anna, connector, {"verb": "compose.files", "draft": draft})
    )
    assert closed.status == 200
    card = await _press(server, connector, anna, "compose.refresh", {"draft": draft})
    assert any("utlåtande å.pdf" in t for t in texts(card))
    assert _input(card, "subject")["value"] == subject

    await _press(server, connector, anna, "compose.send", {"draft": draft})

    item = await _sent_item(server, ANNA, subject)
    opened = await server.get(f"/messages/{item['message_id']}", ANNA)
    [attachment] = opened.body["attachments"]
    assert attachment["name"] == "utlåtande å.pdf"
    download = await server.get(f"/messages/{item['message_id']}/attachments/{attachment['id']}", ANNA)
    assert download.status == 200
    assert hashlib.sha256(download.raw).digest() == hashlib.sha256(content).digest()


async def test_closing_the_file_dialog_replaces_the_compose_card_with_one_listing_the_files(
    server: Server,
) -> None:
    async for updates in _updating_connector():
        anna = dev_teams_user(ANNA)
        draft, _ = await _new_draft(server, updates, anna)
        fetch = task_fetch(anna, updates, {"verb": "compose.files", "draft": draft, "subject": "Med bilaga"})
        url = _dialog_url(await post_activity(server, fetch))
        assert (await _upload(server, url, [("remiss.txt", b"remiss", "text/plain")])).status == 303

        # Teams names the message holding the card that opened the dialog in replyToId.
        submit = task_submit(anna, updates, {"verb": "compose.files", "draft": draft}) | {
            "replyToId": "card-1"
        }
        closed = await post_activity(server, submit)

        assert closed.status == 200
        [(path, activity)] = updates.updated
        assert path == f"/v3/conversations/{anna.conversation_id}/activities/card-1"
        [attachment] = activity["attachments"]
        card = valid_card(attachment["content"])
        assert any("remiss.txt" in t for t in texts(card))
        assert _input(card, "subject")["value"] == "Med bilaga"


async def test_another_users_draft_id_gets_nothing(server: Server, connector: FakeConnector) -> None:
    anna, bertil = dev_teams_user(ANNA), dev_teams_user(BERTIL)
    draft, _ = await _new_draft(server, connector, anna)
    await _press(server, connector, anna, "compose.refresh", {"draft": draft, "subject": "Annas utkast"})
    forged = {"draft": draft, "subject": "Bertils försök", "recipients": BERTIL, "body": "x", "loa": "1"}

    refreshed = await _press(server, connector, bertil, "compose.refresh", forged)
    sent = await _press(server, connector, bertil, "compose.send", forged)
    dialog = dialog_card(
        await post_activity(server, task_fetch(bertil, connector, {"verb": "compose.files", **forged}))
    )

    unknown = await _press(server, connector, bertil, "compose.refresh", forged | {"draft": "x" * 43})
    assert refreshed == sent == unknown
    assert any("Utkastet finns inte längre" in t for t in texts(refreshed))
    assert not any("Annas utkast" in t for t in texts(refreshed) + texts(dialog))
    assert not any(n.get("type", "").startswith("Input.") for n in nodes(refreshed))
    # Anna's draft is as she left it.
    card = await _press(server, connector, anna, "compose.refresh", {"draft": draft})
    assert _input(card, "subject")["value"] == "Annas utkast"
    listing = await server.get(f"/mailboxes/{BERTIL}/sent", BERTIL)
    assert all(i.get("subject") != "Bertils försök" for i in listing.body["items"])


async def test_the_file_dialog_refuses_what_it_must(server: Server, connector: FakeConnector) -> None:
    anna = dev_teams_user(ANNA)
    draft, _ = await _new_draft(server, connector, anna)
    url = _dialog_url(
        await post_activity(server, task_fetch(anna, connector, {"verb": "compose.files", "draft": draft}))
    )
    token = url.partition("?t=")[2]

    unknown = await server.session.get(f"{server.base}/teams/files?t=not-a-token")
    assert unknown.status == 404
    assert "Dialogen har gått ut" in await unknown.text()
    # A form on another site cannot post here, even with the token.
    foreign = await _upload(server, url, [("a.txt", b"a", "text/plain")], origin="https://evil.example")
    assert foreign.status == 403
    cross_site = await _upload(server, url, [("a.txt", b"a", "text/plain")], fetch_site="cross-site")
    assert cross_site.status == 403
    wrong_token = await _upload(server, f"{server.base}/teams/files?t=x", [("a.txt", b"a", "text/plain")])
    assert wrong_token.status == 404
    nothing = await _upload(server, url, [])
    assert nothing.status == 422
    assert "Välj minst en fil." in await nothing.text()
    bad_name = await _upload(server, url, [("faktura\u202efdp.exe", b"MZ", "application/octet-stream")])
    assert bad_name.status == 422
    assert "filnamn" in await bad_name.text()

    card = await _press(server, connector, anna, "compose.refresh", {"draft": draft})
    assert not any("📎" in t for t in texts(card))
    assert token


class _UpdatingConnector(FakeConnector):
    """A connector that also takes updates of a sent activity (PUT), as the Bot Connector does."""

    updated: list[tuple[str, dict[str, Any]]]

    async def start(self) -> None:
        self.updated = []
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._receive)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        self._runner = runner
        self.url = f"http://127.0.0.1:{port}/"

    async def _update(self, request: web.Request) -> web.Response:
        self.updated.append((request.path, await request.json()))
        return web.json_response({"id": request.match_info["activity"]})


async def _updating_connector() -> AsyncIterator[_UpdatingConnector]:
    connector = _UpdatingConnector()
    await connector.start()
    try:
        yield connector
    finally:
        await connector.close()


async def test_files_over_the_limit_are_refused_whole_and_names_show_as_typed(
    small_server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    draft, _ = await _new_draft(small_server, connector, anna)
    fetch = task_fetch(anna, connector, {"verb": "compose.files", "draft": draft})
    url = _dialog_url(await post_activity(small_server, fetch))
    odd_name = "<img src=x onerror=alert(1)>.txt"

    too_large = await _upload(
        small_server,
        url,
        [
            (odd_name, b"small", "text/plain"),
            ("stor.bin", b"x" * (1024 * 1024 + 1), "application/octet-stream"),
        ],
    )

    assert too_large.status == 413
    page = await small_server.session.get(url)
    assert "Filer i meddelandet" not in await page.text()
    added = await _upload(small_server, url, [(odd_name, b"small", "text/plain")])
    assert added.status == 303
    page = await small_server.session.get(url)
    html = await page.text()
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "<img" not in html
    card = await _press(small_server, connector, anna, "compose.refresh", {"draft": draft})
    assert f"📎 {plain(odd_name)}" in texts(card)


async def test_typing_nytt_sends_a_compose_card(server: Server, connector: FakeConnector) -> None:
    await post_activity(server, message_activity(dev_teams_user(ANNA), connector, "nytt"))

    [card] = connector.cards()
    assert "Nytt meddelande" in texts(card)
    assert _input(card, "recipients")["value"] == ""
    assert [n["title"] for n in nodes(card) if n.get("type", "").startswith("Action.")] == [
        "Skicka",
        "Uppdatera val",
        "Lägg till filer",
    ]


async def test_no_draft_content_reaches_a_log_line(
    server: Server, connector: FakeConnector, caplog: pytest.LogCaptureFixture
) -> None:
    # Everything Sigill and the bot's SDK say, down to DEBUG (the store driver's statements are WARNING-only, as
    # sigill/logs.py configures them).
    for name in ("bot", "messaging", "sigill", "addin_backend", "microsoft_agents", "notify", "store"):
        caplog.set_level(logging.DEBUG, logger=name)
    anna = dev_teams_user(ANNA)
    secrets = [
        "Hemlig rubrik 4711",
        "Hemlig text 4711",
        "hemlig-4711@example.org",
        "0701112299",
        "hemlig4711.pdf",
    ]
    draft, _ = await _new_draft(server, connector, anna)
    typed = {"draft": draft, "recipients": secrets[2], "subject": secrets[0], "body": secrets[1], "loa": "2"}
    url = _dialog_url(
        await post_activity(server, task_fetch(anna, connector, {"verb": "compose.files", **typed}))
    )
    await _upload(server, url, [(secrets[4], b"innehall", "application/pdf")])
    await _press(server, connector, anna, "compose.refresh", typed)
    await _press(
        server, connector, anna, "compose.send", typed | {"method_0": "sms", "phone_0": "08-1234567"}
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "file dialog: 1 file(s) added to a draft" in logged
    assert not [secret for secret in secrets if secret in logged]
    assert url.partition("?t=")[2] not in logged


def _dialog_url(answer: BotAnswer) -> str:
    assert answer.status == 200, answer
    task = answer.body["task"]
    assert task["type"] == "continue"
    url: str = task["value"]["url"]
    return url


async def _upload(
    server: Server,
    page_url: str,
    files: list[tuple[str, bytes, str]],
    *,
    origin: str | None = None,
    fetch_site: str | None = None,
) -> aiohttp.ClientResponse:
    token = page_url.partition("?t=")[2]
    form = aiohttp.FormData()
    form.add_field("t", token)
    for name, content, content_type in files:
        form.add_field("files", content, filename=name, content_type=content_type)
    if not files:
        form.add_field("files", b"", filename="", content_type="application/octet-stream")
    headers = {"Origin": origin or server.base.rstrip("/")}
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    response = await server.session.post(
        f"{server.base}/teams/files", data=form, headers=headers, allow_redirects=False
    )
    await response.read()
    return response


async def test_a_message_composed_in_teams_reaches_the_store_only_sealed(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject, body, phone, file_bytes = (
        "TEAMS-MARKÖR-ÄMNE-3c1d",
        "TEAMS-MARKÖR-TEXT-8e2f",
        "0701114455",
        b"TEAMS-BILAGA-6a7b",
    )
    draft, _ = await _new_draft(server, connector, anna)
    typed = {"draft": draft, "recipients": "markor@example.org", "subject": subject, "body": body, "loa": "2"}
    url = _dialog_url(
        await post_activity(server, task_fetch(anna, connector, {"verb": "compose.files", **typed}))
    )
    await _upload(server, url, [("markor.txt", file_bytes * 50, "text/plain")])
    await _press(server, connector, anna, "compose.refresh", typed)
    await _press(server, connector, anna, "compose.send", typed | {"method_0": "sms", "phone_0": phone})
    sent = await _sent_item(server, ANNA, subject)  # it was sent, and reads back whole
    assert sent["subject"] == subject

    stored = await all_stored_bytes(server)
    for marker in (subject.encode(), body.encode(), phone.encode(), b"+46701114455", file_bytes):
        assert marker not in stored, marker
