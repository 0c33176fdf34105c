"""The Teams bot over real HTTP: activities posted to /api/messages as Teams posts them, on both store backends."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from adaptive_cards.elements import plain
from tests.integration.harness import ANNA, BERTIL, CECILIA, EVA, SOCIAL, Server
from tests.integration.portal_browser import Browser, link_in_outbox
from tests.integration.teams_harness import (
    BotAnswer,
    FakeConnector,
    TeamsUser,
    action_titled,
    actions,
    dev_teams_user,
    dialog_card,
    invoke_action,
    invoke_card,
    members_added,
    message_activity,
    post_activity,
    running_connector,
    task_fetch,
    task_submit,
    texts,
)


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async for running in running_connector():
        yield running


UNKNOWN_TENANT = TeamsUser("0b0b0b0b-1111-2222-3333-444455556666", "7c7c7c7c-1111-2222-3333-444455556666")


async def test_install_sends_the_welcome_card_with_the_users_function_mailboxes(
    server: Server, connector: FakeConnector
) -> None:
    answer = await post_activity(server, members_added(dev_teams_user(ANNA), connector))

    assert answer.status == 202
    [card] = connector.cards()
    assert "Välkommen till Sigill" in texts(card)
    assert [a["title"] for a in actions(card)] == [
        "Nytt meddelande",
        "Inkorg",
        "Skickade",
        "Länkar",
        "Socialtjänsten",
    ]
    assert (actions(card)[-1]["verb"], actions(card)[-1]["data"]) == ("mailbox.open", {"mailbox": SOCIAL})


async def test_help_in_english_when_teams_reports_an_english_locale(
    server: Server, connector: FakeConnector
) -> None:
    await post_activity(server, message_activity(dev_teams_user(CECILIA, locale="en-US"), connector, "help"))

    [card] = connector.cards()
    assert "Welcome to Sigill" in texts(card)
    # Cecilia belongs to no function mailbox: no mailbox buttons.
    assert [a["title"] for a in actions(card)] == ["New message", "Inbox", "Sent", "Links"]


async def test_an_unknown_tenant_gets_the_refusal_card_and_nothing_else(
    server: Server, connector: FakeConnector
) -> None:
    await post_activity(server, message_activity(UNKNOWN_TENANT, connector, "inkorg"))
    invoke = await post_activity(
        server, invoke_action(UNKNOWN_TENANT, connector, "folder.open", {"folder": "inbox"})
    )

    [card] = connector.cards()
    assert texts(card) == [
        "Sigill är inte tillgängligt för dig",
        "Din organisation eller ditt konto är inte anslutet till Sigill. Är du ny i Sigill? Öppna fliken "
        "Meddelanden en gång, så kopplas ditt konto, och försök sedan igen. Annars: kontakta din administratör.",
    ]
    assert actions(card) == []
    assert len(connector.activities) == 1
    assert invoke_card(invoke) == card


async def test_an_unknown_user_of_a_known_tenant_is_refused(server: Server, connector: FakeConnector) -> None:
    anna = dev_teams_user(ANNA)
    stranger = TeamsUser(anna.tenant_id, "5e5e5e5e-1111-2222-3333-444455556666")

    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    before = [e async for e in server.components.store.audit_events(org.org_id)]

    answer = await post_activity(
        server, invoke_action(stranger, connector, "folder.open", {"folder": "inbox"})
    )
    again = await post_activity(server, message_activity(stranger, connector, "inkorg"))

    assert "Sigill är inte tillgängligt för dig" in texts(invoke_card(answer))
    assert again.status == 202
    assert [texts(card)[0] for card in connector.cards()] == ["Sigill är inte tillgängligt för dig"]
    # Audited like a refused sign-in: who tried (tenant and object id); once a minute, not once per click.
    new = [e async for e in server.components.store.audit_events(org.org_id)][len(before) :]
    assert [(e.action, e.actor, e.target, e.details) for e in new] == [
        (
            "signin.refused",
            f"entra:{stranger.object_id}",
            f"tenant:{stranger.tenant_id}",
            {"reason": "unknown_staff_user"},
        )
    ]


async def test_a_user_of_another_organisations_tenant_is_refused(
    server: Server, connector: FakeConnector
) -> None:
    # Eva's object id under Västerås' tenant: the pair is what identifies, never the object id alone.
    eva = dev_teams_user(EVA)
    crossed = TeamsUser(dev_teams_user(ANNA).tenant_id, eva.object_id)

    answer = await post_activity(
        server, invoke_action(crossed, connector, "folder.open", {"folder": "inbox"})
    )

    assert "Sigill är inte tillgängligt för dig" in texts(invoke_card(answer))


async def test_development_answers_only_loopback(server: Server, connector: FakeConnector) -> None:
    anna = dev_teams_user(ANNA)
    foreign_host = await post_activity(
        server, message_activity(anna, connector, "hjälp"), Host="sigill.example"
    )
    activity = message_activity(anna, connector, "hjälp")
    activity["serviceUrl"] = "https://smba.trafficmanager.net/emea/"
    foreign_connector = await post_activity(server, activity)

    assert foreign_host.status == 403
    assert foreign_host.body["code"] == "host_not_loopback"
    assert foreign_connector.status == 403
    assert foreign_connector.body["code"] == "service_url_not_loopback"
    assert connector.activities == []


# ---- The walk: folders, the message dialog, details and recall, function mailbox cases, forged ids ----


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


async def press(
    server: Server, user: TeamsUser, connector: FakeConnector, action: dict[str, Any]
) -> BotAnswer:
    """Press an Action.Execute of a card as Teams does: its verb and its data (with the inputs' values)."""
    assert action["type"] == "Action.Execute", action
    return await post_activity(server, invoke_action(user, connector, action["verb"], action.get("data", {})))


async def open_folder(
    server: Server, user: TeamsUser, connector: FakeConnector, folder: str, **data: str
) -> dict[str, Any]:
    return invoke_card(
        await post_activity(server, invoke_action(user, connector, "folder.open", {"folder": folder, **data}))
    )


def row_of(card: dict[str, Any], subject: str) -> dict[str, Any]:
    """The row (a Container with its own Öppna or Visa status button) that shows `subject`."""
    containers = [node for node in nodes(card) if node.get("type") == "Container"]
    rows = [c for c in containers if any(_row_verb(a) in ROW_VERBS for a in row_buttons(c))]
    matching = [row for row in rows if subject in texts(row)]
    assert len(matching) == 1, [texts(row) for row in rows]
    return matching[0]


ROW_VERBS = ("message.open", "details.open")


def row_buttons(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for item in row.get("items", []) if item.get("type") == "ActionSet" for a in item["actions"]]


def _row_verb(action: dict[str, Any]) -> str | None:
    verb = action.get("verb") or action.get("data", {}).get("verb")
    return str(verb) if verb else None


def open_button(row: dict[str, Any]) -> dict[str, Any]:
    """The row's button that opens its message (a dialog) or its recipient's status."""
    [button] = [a for a in row_buttons(row) if _row_verb(a) in ROW_VERBS]
    return button


def nodes(value: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for child in value.values():
            found.extend(nodes(child))
    elif isinstance(value, list):
        for child in value:
            found.extend(nodes(child))
    return found


async def send_link(
    server: Server, subject: str, *, sender: str = ANNA, loa: int = 1
) -> tuple[str, str, str]:
    """A message from `sender` to a new link recipient (e-mail method); (message id, delivery id, address)."""
    address = f"mottagare-{uuid.uuid4().hex[:8]}@mottagare.example"
    response = await server.send(sender, recipients=[{"address": address}], subject=subject, loa=loa)
    assert response.status == 201, response.body
    return response.body["id"], response.body["deliveries"][0]["id"], address


async def staff_send(
    server: Server, sender: str, to: str, subject: str, *, loa: int = 2, body: str = "Text"
) -> str:
    token = await staff_token(server, sender, loa)
    message = {
        "recipients": [{"address": to}],
        "subject": subject,
        "body": body,
        "loa": loa,
        "reply_allowed": True,
    }
    async with server.session.post(
        f"{server.base}/api/v1/messages", json=message, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 201, await response.text()
        message_id: str = (await response.json())["id"]
        return message_id


async def staff_token(server: Server, email: str, loa: int) -> str:
    async with server.session.post(f"{server.base}/dev/token", json={"email": email, "loa": loa}) as response:
        assert response.status == 200
        token: str = (await response.json())["access_token"]
        return token


async def test_sent_shows_a_link_unopened_and_a_refresh_shows_it_opened_after_the_portal_opened_it(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject = unique("Kallelse")
    _, _, address = await send_link(server, subject)

    sent = await open_folder(server, anna, connector, "sent")
    assert texts(sent)[0] == "Skickade"
    row = row_of(sent, subject)
    assert "✉️ Oöppnat" in texts(row)
    assert f"Till {address}" in texts(row)
    assert "LoA1" in texts(row)
    assert sent["refresh"]["userIds"] == [anna.teams_id]

    async with Browser(server) as browser:
        landing = await browser.get(await link_in_outbox(server, address))
        opened = await browser.press(landing, "Öppna meddelandet")
        assert opened.status == 200

    refreshed = invoke_card(await press(server, anna, connector, sent["refresh"]["action"]))
    assert "📖 Öppnat" in texts(row_of(refreshed, subject))
    assert connector.activities == []


async def test_recall_of_an_unopened_delivery_asks_first_then_the_link_no_longer_opens(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject = unique("Återkallas")
    message_id, delivery_id, address = await send_link(server, subject)
    links = await open_folder(server, anna, connector, "links")
    open_details = open_button(row_of(links, subject))
    assert (open_details["verb"], open_details["data"]) == (
        "details.open",
        {"message": message_id, "delivery": delivery_id},
    )

    details = invoke_card(await press(server, anna, connector, open_details))
    assert "✉️ Oöppnat" in texts(details)
    confirm = invoke_card(await press(server, anna, connector, action_titled(details, "Återkalla")))
    assert texts(confirm)[0] == "Återkalla meddelandet?"
    assert address in texts(confirm)[1]
    recalled = invoke_card(await press(server, anna, connector, action_titled(confirm, "Bekräfta")))

    assert "Meddelandet är återkallat." in texts(recalled)
    assert "⛔ Återkallat" in texts(recalled)
    assert "Återkalla" not in [a["title"] for a in actions(recalled)]
    rest = await server.get(f"/messages/{message_id}", ANNA)
    assert rest.body["deliveries"][0]["status"] == "recalled"
    # Pressing the confirmation again (a stale card) is refused: the delivery is no longer unopened.
    again = invoke_card(await press(server, anna, connector, action_titled(confirm, "Bekräfta")))
    assert texts(again)[0] == "Det gick inte"


async def test_the_message_dialog_shows_content_at_the_users_level_and_only_a_portal_button_above_it(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    readable, above = unique("Läsbart"), unique("Hemligt")
    readable_id = await staff_send(server, CECILIA, ANNA, readable, loa=2, body="Hej Anna, åäö.")
    above_id = await staff_send(server, CECILIA, ANNA, above, loa=3, body="Hemlig text")

    inbox = await open_folder(server, anna, connector, "inbox")
    assert "Kräver tillitsnivå 3" in texts(inbox)
    open_readable = open_button(row_of(inbox, readable))
    assert open_readable["type"] == "Action.Submit"
    assert open_readable["data"]["msteams"] == {"type": "task/fetch"}
    dialog = dialog_card(await post_activity(server, task_fetch(anna, connector, open_readable["data"])))
    assert readable in texts(dialog) and "Hej Anna, åäö." in texts(dialog)
    assert "Tillbaka" in [a["title"] for a in actions(dialog)]

    locked = dialog_card(
        await post_activity(
            server, task_fetch(anna, connector, {"verb": "message.open", "message": above_id})
        )
    )
    assert above not in " ".join(texts(locked)) and "Hemlig text" not in " ".join(texts(locked))
    assert "Meddelandet kräver tillitsnivå 3. Du är inloggad på nivå 2." in texts(locked)[0]
    portal = action_titled(locked, "Öppna i portalen")
    assert portal["url"] == f"{server.base}/app/#/message/{above_id}"

    back = await post_activity(server, task_submit(anna, connector, {"verb": "dialog.back"}))
    assert (back.status, back.body) == (200, {})
    rest = await server.get(f"/messages/{readable_id}", CECILIA)
    assert rest.body["deliveries"][0]["status"] == "opened"


async def test_a_case_taken_by_anna_shows_her_name_to_bertil_and_his_take_is_refused(
    server: Server, connector: FakeConnector
) -> None:
    anna, bertil = dev_teams_user(ANNA), dev_teams_user(BERTIL)
    subject = unique("Ärende")
    await staff_send(server, CECILIA, SOCIAL, subject)

    mailbox = invoke_card(
        await post_activity(server, invoke_action(anna, connector, "mailbox.open", {"mailbox": SOCIAL}))
    )
    assert texts(mailbox)[0] == "Socialtjänsten: Inkorg"
    manage = action_titled(row_of(mailbox, subject), "Hantera")
    case_card = invoke_card(await press(server, anna, connector, manage))
    taken = invoke_card(await press(server, anna, connector, action_titled(case_card, "Ta ärendet")))
    assert "Taget av Anna Andersson" in texts(taken)
    assert "Släpp ärendet" in [a["title"] for a in actions(taken)]

    seen_by_bertil = invoke_card(
        await post_activity(server, invoke_action(bertil, connector, "mailbox.open", {"mailbox": SOCIAL}))
    )
    row = row_of(seen_by_bertil, subject)
    assert row["style"] == "warning"
    assert "Taget av Anna Andersson · Öppet" in texts(row)
    refused = invoke_card(await press(server, bertil, connector, action_titled(case_card, "Ta ärendet")))
    # The refusal names the holder; the card escapes it as markdown-neutral text.
    assert plain(f"Ärendet är redan taget av en annan handläggare. (Anna Andersson, {ANNA})") in texts(
        refused
    )
    assert "Taget av Anna Andersson" in texts(refused)
    bertils_manage = invoke_card(await press(server, bertil, connector, action_titled(row, "Hantera")))
    assert "Ta ärendet" in [a["title"] for a in actions(bertils_manage)]  # offered; the server decides

    # The filters: Mina / Andras / Otilldelade, Öppna / Stängda.
    async def filtered(user: TeamsUser, assignee: str, status: str = "open") -> list[str]:
        data = {"folder": "inbox", "mailbox": SOCIAL, "assignee": assignee, "status": status}
        card = invoke_card(await post_activity(server, invoke_action(user, connector, "folder.filter", data)))
        return texts(card)

    assert subject in await filtered(anna, "mine")
    assert subject not in await filtered(bertil, "mine")
    assert subject in await filtered(bertil, "others")
    assert subject not in await filtered(bertil, "unassigned")
    closed = invoke_card(await press(server, anna, connector, action_titled(taken, "Avsluta ärendet")))
    assert "Stängt" in " ".join(texts(closed))
    assert subject not in await filtered(anna, "all", "open")
    assert subject in await filtered(anna, "all", "closed")


async def test_a_forged_or_foreign_id_gets_the_same_card_as_a_missing_one(
    server: Server, connector: FakeConnector
) -> None:
    cecilia = dev_teams_user(CECILIA)
    subject = unique("Annas")
    message_id, delivery_id, _ = await send_link(server, subject)
    case_subject = unique("Socialt")
    await staff_send(server, CECILIA, SOCIAL, case_subject)
    anna_view = invoke_card(
        await post_activity(
            server, invoke_action(dev_teams_user(ANNA), connector, "mailbox.open", {"mailbox": SOCIAL})
        )
    )
    case_data = action_titled(row_of(anna_view, case_subject), "Hantera")["data"]

    missing = dialog_card(
        await post_activity(
            server, task_fetch(cecilia, connector, {"verb": "message.open", "message": uuid.uuid4().hex})
        )
    )
    foreign = dialog_card(
        await post_activity(
            server, task_fetch(cecilia, connector, {"verb": "message.open", "message": message_id})
        )
    )
    assert foreign == missing
    assert texts(missing) == [
        "Det gick inte",
        "Det du letar efter finns inte, eller så har du inte tillgång till det.",
    ]
    assert subject not in str(foreign)

    answers = [
        await post_activity(server, invoke_action(cecilia, connector, verb, data))
        for verb, data in (
            ("details.open", {"message": message_id, "delivery": delivery_id}),
            ("delivery.recall.confirm", {"message": message_id, "delivery": delivery_id}),
            ("details.open", {"message": uuid.uuid4().hex, "delivery": uuid.uuid4().hex}),
            ("case.take", case_data),
            ("case.manage", {"mailbox": SOCIAL, "case": uuid.uuid4().hex}),
            ("mailbox.open", {"mailbox": SOCIAL}),
            ("folder.page", {"folder": "sent", "cursor": "not-a-cursor"}),
            ("folder.open", {"folder": "drafts"}),
            ("details.open", {"message": {"$ne": ""}}),
        )
    ]
    assert [invoke_card(answer) for answer in answers] == [invoke_card(answers[0])] * len(answers)
    assert texts(invoke_card(answers[0])) == texts(missing)
    rest = await server.get(f"/messages/{message_id}", ANNA)
    assert rest.body["deliveries"][0]["status"] == "unopened"
    # Nothing was sent to Cecilia's chat (the invokes are answered in their responses).
    assert [a for a in connector.activities if a["conversation"]["id"] == cecilia.conversation_id] == []


async def test_pages_of_ten_newest_first_with_previous_and_next(
    server: Server, connector: FakeConnector
) -> None:
    eva = dev_teams_user(EVA)
    subjects = [f"Sida {n:02d} {uuid.uuid4().hex[:6]}" for n in range(12)]
    for subject in subjects:
        await send_link(server, subject, sender=EVA)

    first = await open_folder(server, eva, connector, "sent")
    shown = [s for s in reversed(subjects) if s in texts(first)]
    assert shown == list(reversed(subjects))[:10]
    assert "Sida 1" in texts(first)
    assert [a["title"] for a in actions(first) if a.get("verb") == "folder.page"] == ["Nästa"]
    second = invoke_card(await press(server, eva, connector, action_titled(first, "Nästa")))
    assert [s for s in reversed(subjects) if s in texts(second)] == list(reversed(subjects))[10:]
    assert "Sida 2" in texts(second)
    back = invoke_card(await press(server, eva, connector, action_titled(second, "Föregående")))
    assert [s for s in reversed(subjects) if s in texts(back)] == shown


async def test_typed_commands_answer_with_the_cards_of_the_buttons(
    server: Server, connector: FakeConnector
) -> None:
    bertil = dev_teams_user(BERTIL)
    for typed, title in (
        ("nytt", "Nytt meddelande"),
        ("inkorg", "Inkorg"),
        ("Skickade", "Skickade"),
        ("länkar", "Länkar"),
        ("funktionsbrevlåda", "Socialtjänsten: Inkorg"),
        ("hjälp", "Välkommen till Sigill"),
        ("vad är detta?", "Välkommen till Sigill"),
    ):
        connector.clear()
        answer = await post_activity(server, message_activity(bertil, connector, typed))
        assert answer.status == 202
        [card] = connector.cards()
        assert texts(card)[0] == title, typed
    connector.clear()
    await post_activity(server, message_activity(dev_teams_user(BERTIL, locale="en-GB"), connector, "sent"))
    [card] = connector.cards()
    assert texts(card)[0] == "Sent"


async def test_a_long_body_is_cut_with_visa_hela_and_attachments_link_to_the_signed_in_web_app(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject, body = unique("Långt"), "Rad med text. " * 300
    token = await staff_token(server, CECILIA, 2)
    message = {
        "recipients": [{"address": ANNA}],
        "subject": subject,
        "body": body,
        "loa": 2,
        "reply_allowed": True,
    }
    form = aiohttp.FormData()
    form.add_field("message", json.dumps(message), content_type="application/json")
    form.add_field("attachment", b"%PDF-1.7 intyg", filename="intyg.pdf", content_type="application/pdf")
    async with server.session.post(
        f"{server.base}/api/v1/messages", data=form, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        assert response.status == 201, await response.text()
        message_id = (await response.json())["id"]

    first = dialog_card(
        await post_activity(
            server, task_fetch(anna, connector, {"verb": "message.open", "message": message_id})
        )
    )
    shown = next(t for t in texts(first) if t.startswith("Rad med text."))
    assert shown.endswith("…") and len(shown) < len(body)
    assert action_titled(first, "📎 intyg.pdf")["url"] == f"{server.base}/app/#/message/{message_id}"
    show_all = action_titled(first, "Visa hela")
    assert show_all["data"] == {"verb": "message.full", "message": message_id}
    whole = dialog_card(await post_activity(server, task_submit(anna, connector, show_all["data"])))
    assert body.strip() in [t.strip() for t in texts(whole)]
    assert "Visa hela" not in [a["title"] for a in actions(whole)]


async def test_an_unknown_verb_gets_a_card_saying_so_and_changes_nothing(
    server: Server, connector: FakeConnector
) -> None:
    answer = await post_activity(
        server, invoke_action(dev_teams_user(ANNA), connector, "case.explode", {"case": "x"})
    )

    assert texts(invoke_card(answer)) == ["Det gick inte", "Den här åtgärden finns inte."]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"type": 5}',
        b'{"type": "message"}',
        b"{}",
        b'{"type": "message", "conversation": {}}',
    ],
)
async def test_a_body_that_is_no_activity_is_refused_with_a_problem(server: Server, body: bytes) -> None:
    async with server.session.post(
        f"{server.base}/api/messages", data=body, headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400
        assert response.content_type == "application/problem+json"
        assert (await response.json())["code"] == "activity_invalid"


async def test_release_and_delete_with_confirmation(server: Server, connector: FakeConnector) -> None:
    bertil = dev_teams_user(BERTIL)
    subject = unique("Släpps")
    await staff_send(server, CECILIA, SOCIAL, subject)
    mailbox = invoke_card(
        await post_activity(server, invoke_action(bertil, connector, "mailbox.open", {"mailbox": SOCIAL}))
    )
    case_card = invoke_card(
        await press(server, bertil, connector, action_titled(row_of(mailbox, subject), "Hantera"))
    )
    assert "Otilldelat" in texts(case_card)
    taken = invoke_card(await press(server, bertil, connector, action_titled(case_card, "Ta ärendet")))
    assert "Taget av Bertil Berg" in texts(taken)

    released = invoke_card(await press(server, bertil, connector, action_titled(taken, "Släpp ärendet")))
    assert "Otilldelat" in texts(released)
    assert "Ta ärendet" in [a["title"] for a in actions(released)]

    confirm = invoke_card(await press(server, bertil, connector, action_titled(released, "Ta bort ärendet")))
    assert texts(confirm)[0] == "Ta bort ärendet?"
    assert [a["title"] for a in actions(confirm)] == ["Bekräfta", "Avbryt"]
    kept = invoke_card(await press(server, bertil, connector, action_titled(confirm, "Avbryt")))
    assert texts(kept)[0] == "Hantera ärende"
    after = invoke_card(await press(server, bertil, connector, action_titled(confirm, "Bekräfta")))
    assert texts(after)[0] == "Socialtjänsten: Inkorg"
    assert subject not in texts(after)
    gone = invoke_card(await press(server, bertil, connector, action_titled(case_card, "Ta ärendet")))
    assert texts(gone) == [
        "Det gick inte",
        "Det du letar efter finns inte, eller så har du inte tillgång till det.",
    ]


async def test_only_the_teams_channel_names_a_user(server: Server, connector: FakeConnector) -> None:
    # Another channel of the same bot (Direct Line, Web Chat) lets its client write tenant and object id itself.
    activity = invoke_action(dev_teams_user(ANNA), connector, "folder.open", {"folder": "inbox"})
    activity["channelId"] = "directline"

    answer = await post_activity(server, activity)

    assert "Sigill är inte tillgängligt för dig" in texts(invoke_card(answer))


async def test_visa_svar_opens_the_recipients_reply_from_the_details_card(
    server: Server, connector: FakeConnector
) -> None:
    anna = dev_teams_user(ANNA)
    subject = unique("Frågan")
    message_id, delivery_id, address = await send_link(server, subject)
    details_before = invoke_card(
        await press(
            server,
            anna,
            connector,
            open_button(row_of(await open_folder(server, anna, connector, "links"), subject)),
        )
    )
    assert "Visa svar" not in [a["title"] for a in actions(details_before)]

    async with Browser(server) as browser:
        landing = await browser.get(await link_in_outbox(server, address))
        reading = await browser.press(landing, "Öppna meddelandet")
        answered = await browser.press(reading, "Skicka svar", body="Svaret, med åäö.")
        assert "Ditt svar har skickats." in answered.main

    rest = await server.get(f"/messages/{message_id}", ANNA)
    reply_id = rest.body["deliveries"][0]["reply_message_id"]
    assert reply_id and reply_id != message_id
    details = invoke_card(
        await post_activity(
            server,
            invoke_action(anna, connector, "details.open", {"message": message_id, "delivery": delivery_id}),
        )
    )
    assert "↩️ Besvarat" in texts(details)
    show_reply = action_titled(details, "Visa svar")
    assert show_reply["data"]["message"] == reply_id
    dialog = dialog_card(await post_activity(server, task_fetch(anna, connector, show_reply["data"])))
    assert "Svaret, med åäö." in texts(dialog)
    # Cecilia presses the same button (a forged card): nothing of the reply reaches her.
    cecilia = dev_teams_user(CECILIA)
    refused = dialog_card(await post_activity(server, task_fetch(cecilia, connector, show_reply["data"])))
    assert "Svaret, med åäö." not in texts(refused)
