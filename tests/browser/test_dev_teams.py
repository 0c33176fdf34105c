"""/dev/teams in a browser: a person picks a demo user, talks to the bot and presses the cards' actions.

Every step goes through the real bot at /api/messages: the page posts the activities Teams would post, and shows
the replies the bot sends to the page's connector stand-in and the cards it answers invokes with.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import FilePayload, Locator, Page, expect

from identity.dev_issuer import dev_tenant_id
from sigill.demo import dev_object_id
from tests.browser.conftest import Walk
from tests.browser.staff import Staff, unique_address

# Teams keeps one chat per person, and so does the page: each test talks as its own person.
ANNA = "anna.andersson@vasteras.example"
ANNA_OPTION = f"Anna Andersson ({ANNA})"
BERTIL_OPTION = "Bertil Berg (bertil.berg@vasteras.example)"
CECILIA = "cecilia.ceder@vasteras.example"
CECILIA_OPTION = f"Cecilia Ceder ({CECILIA})"
EVA = "eva.ek@regiongavleborg.example"
EVA_OPTION = f"Eva Ek ({EVA})"


def open_chat_as(walk: Walk, option: str, language: str = "Svenska (sv-SE)") -> None:
    walk.goto("/dev/teams")
    walk.page.get_by_label("Användare").select_option(label=option)
    walk.page.get_by_label("Språk i Teams").select_option(label=language)
    walk.page.get_by_role("button", name="Öppna chatten").click()


def chat(page: Page) -> Locator:
    return page.get_by_role("log", name="Meddelanden")


def latest_card(page: Page) -> Locator:
    return chat(page).locator(".card").last


def test_a_person_opens_the_chat_and_the_bot_welcomes_them(walk: Walk) -> None:
    walk.goto("/dev/teams")
    expect(walk.page.get_by_role("heading", name="Teams-förhandsvisning", level=1)).to_be_visible()
    walk.page.get_by_text("Demoanvändarna och deras id:n").click()
    eva = walk.page.get_by_role("row", name=re.compile("^Eva Ek"))
    expect(eva).to_contain_text(dev_tenant_id("regiongavleborg.example"))
    expect(eva).to_contain_text(dev_object_id(EVA))
    walk.check("start")

    open_chat_as(walk, EVA_OPTION)
    expect(walk.page.locator("#dt-tenant-id")).to_have_text(dev_tenant_id("regiongavleborg.example"))
    expect(walk.page.locator("#dt-object-id")).to_have_text(dev_object_id(EVA))
    welcome = latest_card(walk.page)
    expect(welcome.get_by_text("Välkommen till Sigill")).to_be_visible()
    expect(welcome.get_by_role("button", name="Skickade")).to_be_visible()
    walk.check("welcome")

    # The keyboard alone: the chat's text field has the focus once the chat is open.
    expect(walk.page.get_by_label("Skriv ett meddelande till Sigill")).to_be_focused()
    walk.page.keyboard.type("hjälp")
    walk.page.keyboard.press("Enter")
    expect(chat(walk.page).get_by_text("Välkommen till Sigill")).to_have_count(2)


def test_an_unknown_user_gets_the_refusal_card_and_nothing_else(walk: Walk) -> None:
    open_chat_as(walk, "Okänd användare (okänd organisation)")
    expect(latest_card(walk.page).get_by_text("Sigill är inte tillgängligt för dig")).to_be_visible()
    expect(chat(walk.page).locator(".card")).to_have_count(1)
    walk.check("refusal")

    walk.page.get_by_label("Skriv ett meddelande till Sigill").fill("inkorg")
    walk.page.get_by_role("button", name="Skicka i chatten").click()
    expect(chat(walk.page).locator(".card")).to_have_count(2)
    expect(latest_card(walk.page).get_by_text("Sigill är inte tillgängligt för dig")).to_be_visible()
    expect(chat(walk.page).get_by_text(re.compile("Inkorg"))).to_have_count(0)


def test_anna_composes_sends_and_sees_the_message_unopened_in_sent(walk: Walk, staff: Staff) -> None:
    open_chat_as(walk, ANNA_OPTION)
    expect(latest_card(walk.page).get_by_text("Välkommen till Sigill")).to_be_visible()
    walk.page.get_by_label("Skriv ett meddelande till Sigill").fill("nytt")
    walk.page.get_by_role("button", name="Skicka i chatten").click()
    compose = latest_card(walk.page)
    expect(compose.get_by_role("heading", name="Nytt meddelande")).to_be_visible()
    walk.check("compose")

    recipient, subject = unique_address("teams"), f"Provsvar {uuid.uuid4().hex[:8]}"
    compose.get_by_role("textbox", name="Mottagare (e-postadresser, skilda med kommatecken)").fill(recipient)
    compose.get_by_role("textbox", name="Ämne").fill(subject)
    compose.get_by_role("textbox", name="Meddelande", exact=True).fill(
        "Hej! Här är provsvaret från i tisdags."
    )
    compose.get_by_role("radio", name="Tillitsnivå 1 (LoA1)").check()
    # The level decides which identification methods the card offers an unregistered recipient.
    compose.get_by_role("button", name="Uppdatera val").click()
    method = latest_card(walk.page).get_by_role(
        "combobox", name=re.compile(f"Identifieringsmetod för {recipient}")
    )
    expect(method).to_be_visible()
    method.select_option(label="E-post")
    walk.check("filled")

    latest_card(walk.page).get_by_role("button", name="Skicka", exact=True).click()
    sent = latest_card(walk.page)
    expect(sent.get_by_text("Skickade")).to_be_visible()
    # The row is the innermost container holding the subject and its own Öppna button.
    row = (
        sent.locator(".ac-container", has_text=subject)
        .filter(has=walk.page.get_by_role("button", name="Öppna"))
        .last
    )
    expect(row).to_contain_text("Oöppnat")
    expect(row).to_contain_text(recipient)
    walk.check("sent")
    # The message really left: the recipient's link arrived in the development outbox.
    assert staff.link_for(recipient).startswith(walk.base)


def test_files_added_in_the_url_dialog_join_the_compose_card(walk: Walk) -> None:
    open_chat_as(walk, BERTIL_OPTION)
    # A card's buttons work from the keyboard.
    latest_card(walk.page).get_by_role("button", name="Nytt meddelande").focus()
    walk.page.keyboard.press("Enter")
    # The compose card the bot answered with takes the welcome card's place, as in Teams.
    compose = latest_card(walk.page)
    expect(compose.get_by_role("heading", name="Nytt meddelande")).to_be_visible()
    expect(chat(walk.page).locator(".card")).to_have_count(1)
    compose.get_by_role("textbox", name="Mottagare (e-postadresser, skilda med kommatecken)").fill(
        unique_address("filer")
    )
    compose.get_by_role("textbox", name="Ämne").fill("Intyg")
    compose.get_by_role("textbox", name="Meddelande", exact=True).fill("Intyget bifogas.")
    compose.get_by_role("radio", name="Tillitsnivå 1 (LoA1)").check()
    compose.get_by_role("button", name="Lägg till filer").click()

    dialog = walk.page.get_by_role("dialog", name="Lägg till filer")
    expect(dialog).to_be_visible()
    frame = walk.page.frame_locator("iframe.dialog-frame")
    expect(frame.get_by_role("heading", name="Lägg till filer")).to_be_visible()
    walk.check("file-dialog")

    intyg = FilePayload(name="intyg_åäö.txt", mimeType="text/plain", buffer="Intyg för Åsa".encode())
    frame.get_by_label("Välj filer").set_input_files(files=[intyg])
    frame.get_by_role("button", name="Lägg till").click()
    # The page's TeamsJS submits the dialog; Teams closes it and tells the bot, which updates the card.
    expect(dialog).to_be_hidden()
    expect(latest_card(walk.page)).to_contain_text("intyg_åäö.txt")
    expect(latest_card(walk.page).get_by_role("textbox", name="Ämne")).to_have_value("Intyg")
    walk.check("files-listed")


def test_teams_in_english_gets_the_cards_in_english(walk: Walk) -> None:
    open_chat_as(walk, "Okänd användare (okänd organisation)", "Engelska (en-US)")
    walk.page.get_by_label("Skriv ett meddelande till Sigill").fill("inbox")
    walk.page.get_by_role("button", name="Skicka i chatten").click()
    expect(chat(walk.page).locator(".msg.own")).to_have_count(1)
    expect(
        latest_card(walk.page).get_by_role("heading", name="Sigill is not available to you")
    ).to_be_visible()
    walk.check("english")


def test_a_notice_arrives_unasked_and_its_message_opens_in_a_dialog(walk: Walk, staff: Staff) -> None:
    open_chat_as(walk, CECILIA_OPTION)
    expect(latest_card(walk.page).get_by_text("Välkommen till Sigill")).to_be_visible()

    # Anna sends Cecilia a long message through the REST API; the bot posts the notice into Cecilia's chat.
    subject = f"Utredning {uuid.uuid4().hex[:6]}"
    body = "Början av utredningen. " + "Bakgrund och bedömning i ärendet. " * 120 + "Slutet av utredningen."
    message = {
        "recipients": [{"address": CECILIA}],
        "subject": subject,
        "body": body,
        "loa": 1,
        "reply_allowed": True,
    }
    headers = {"Authorization": f"Bearer {staff.token(ANNA)}"}
    response = staff.api.post("/api/v1/messages", data=message, headers=headers)
    assert response.status == 201, response.text()
    notice = latest_card(walk.page)
    expect(notice.get_by_role("heading", name="Nytt säkert meddelande")).to_be_visible()
    expect(notice).to_contain_text("Anna Andersson")
    expect(notice).not_to_contain_text(subject)
    walk.check("notice")

    notice.get_by_role("button", name="Öppna meddelandet").click()
    dialog = walk.page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(subject)
    expect(dialog).to_contain_text("Början av utredningen.")
    expect(dialog).not_to_contain_text("Slutet av utredningen.")
    walk.check("message-dialog")

    # A submit inside the dialog (task/submit) answers with the next card of the same dialog.
    dialog.get_by_role("button", name="Visa hela").click()
    expect(dialog).to_contain_text("Slutet av utredningen.")
    expect(dialog).to_be_visible()

    dialog.get_by_role("button", name="Tillbaka").click()
    expect(dialog).to_be_hidden()
    # The keyboard goes back where it was: on the button that opened the dialog.
    expect(latest_card(walk.page).get_by_role("button", name="Öppna meddelandet")).to_be_focused()
