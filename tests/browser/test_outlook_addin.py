"""The Outlook add-in: the staff app's compose pane ("Kryptera meddelande") and read pane ("Öppna meddelande")
inside the scripted Outlook host page (/app/dev/hosts/outlook.html), which answers the Office.js stand-in's calls
from a draft or a received mail, as Outlook would.

Every screen is checked with axe-core, the pane inside the host page included, and photographed into
test-output/screenshots/outlook/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, FrameLocator, Playwright, expect

from tests.browser.conftest import (
    SCREENSHOTS,
    STEP_TIMEOUT_MS,
    LiveServer,
    Walk,
    _server_environment,
    screenshot_name,
    wait_until,
)
from tests.browser.reading import ATTACHMENT
from tests.browser.staff import ANNA, JAN, Staff, unique_address, unique_phone
from tests.fixtures import LOOPBACK, free_port, stop_process, wait_until_listening

BERTIL = "bertil.berg@vasteras.example"
CECILIA = "cecilia.ceder@vasteras.example"
EVA = "eva.ek@regiongavleborg.example"
HOST_PAGE = "/app/dev/hosts/outlook.html"
NOT_A_RECIPIENT = "Du är inte mottagare av det här meddelandet."
NOTICE = "Meddelandet skickades krypterat med Sigill och kan inte läsas här."
# What Outlook for Windows and Outlook on the web write: a line per <p class=MsoNormal> or <div>, a blank line as
# <div><br></div>, plus what must never run or show: a script, an event handler, a style sheet.
DRAFT_HTML = (
    "<html><head><style>p {color: red}</style></head><body>"
    "<div>Hej Jan!</div><div><br></div>"
    '<p class="MsoNormal">Här kommer <b>beslutet</b> om bygglov.</p>'
    '<p class="MsoNormal">Läs mer på <a href="https://example.org/hjalp">hjälpsidan</a>.</p>'
    "<script>window.parent.document.title = 'utkastets skript körde';</script>"
    '<img src="x" alt="" onerror="window.parent.document.title = \'utkastets bild körde\'">'
    "<ul><li>Ritning</li><li>Kontrollplan</li></ul>"
    "</body></html>"
)
DRAFT_TEXT = (
    "Hej Jan!\n\nHär kommer beslutet om bygglov.\nLäs mer på hjälpsidan (https://example.org/hjalp).\n"
    "• Ritning\n• Kontrollplan"
)


class OutlookWalk:
    """A person in the scripted Outlook host page, with the Sigill pane in its frame."""

    def __init__(self, walk: Walk, axe_source: str) -> None:
        self.walk = walk
        self.page = walk.page
        self._axe = axe_source

    def open(self, **params: str) -> None:
        self.walk.goto(f"{HOST_PAGE}?{urlencode(params)}")

    @property
    def pane(self) -> FrameLocator:
        return self.page.frame_locator("#pane")

    def check(self, step: str) -> None:
        """Screenshot and axe-core for the host page and the pane inside it: axe checks a frame it is loaded in."""
        for frame in self.page.frames[1:]:
            frame.evaluate(f"() => {{ {self._axe}\n }}")
        self.walk.check(step)


def _outlook_walk(
    request: pytest.FixtureRequest, browser: Browser, server: LiveServer, axe_source: str
) -> Iterator[OutlookWalk]:
    (SCREENSHOTS / "outlook").mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=server.base, locale="sv-SE", accept_downloads=True)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    walk = Walk(
        context, server.base, f"outlook/{screenshot_name(request.node.name)}", axe_source, javascript=True
    )
    try:
        yield OutlookWalk(walk, axe_source)
    finally:
        walk.close()


@pytest.fixture
def outlook(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, axe_source: str
) -> Iterator[OutlookWalk]:
    yield from _outlook_walk(request, browser, live_server, axe_source)


# The Entra app registration the panes sign in with through nested app authentication; without one ([webapp]
# client_id or [teams] sso_app_id, unset in development) they use Office.auth.getAccessToken.
NAA_CLIENT_ID = "0b5c3f4e-7a1d-4e2b-9c3a-5d6e7f8a9b0c"


@pytest.fixture(scope="module")
def naa_server() -> Iterator[LiveServer]:
    """A second development server, configured with the app registration nested app authentication needs."""
    with tempfile.TemporaryDirectory(prefix="sigill-outlook-naa-") as tmp:
        data_dir, log, port = Path(tmp) / "data", Path(tmp) / "server.log", free_port()
        command = [sys.executable, "-m", "sigill", "serve", "--host", LOOPBACK, "--port", str(port)]
        command += ["--data-dir", str(data_dir)]
        env = _server_environment() | {"SIGILL_WEBAPP_CLIENT_ID": NAA_CLIENT_ID}
        with log.open("wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            wait_until_listening(LOOPBACK, port, process, log)
            yield LiveServer(f"http://{LOOPBACK}:{port}", data_dir, log)
        finally:
            stop_process(process)


@pytest.fixture
def naa_outlook(
    request: pytest.FixtureRequest, browser: Browser, naa_server: LiveServer, axe_source: str
) -> Iterator[OutlookWalk]:
    yield from _outlook_walk(request, browser, naa_server, axe_source)


@pytest.fixture
def naa_staff(playwright: Playwright, naa_server: LiveServer) -> Iterator[Staff]:
    context = playwright.request.new_context(base_url=naa_server.base)
    yield Staff(context)
    context.dispose()


def _write_draft(outlook: OutlookWalk, *, to: str, cc: str, subject: str) -> None:
    page = outlook.page
    page.get_by_label("Till", exact=True).fill(to)
    page.get_by_label("Kopia", exact=True).fill(cc)
    page.get_by_label("Ämne").fill(subject)
    page.get_by_label("Brödtext (HTML, som Outlook sparar den)").fill(DRAFT_HTML)
    page.get_by_label("Bifoga filer").set_input_files(
        {"name": ATTACHMENT.name, "mimeType": ATTACHMENT.content_type, "buffer": ATTACHMENT.content}
    )
    expect(page.get_by_role("list", name="Bilagor i utkastet")).to_contain_text(ATTACHMENT.name)


def _choose_sms(pane: FrameLocator, address: str, phone: str) -> None:
    pane.get_by_label(f"Identifieringsmetod för {address}").select_option("sms")
    pane.get_by_label(f"Mobilnummer för {address}").fill(phone)


def _sent_by_anna(staff: Staff, subject: str) -> dict[str, Any]:
    """The message in Anna's Skickade with this subject, as she reads it through the API."""
    headers = {"Authorization": f"Bearer {staff.token(ANNA, 3)}"}

    def find() -> str | None:
        response = staff.api.get(f"/api/v1/mailboxes/{ANNA}/sent", headers=headers)
        assert response.status == 200, response.text()
        return next((i["message_id"] for i in response.json()["items"] if i["subject"] == subject), None)

    message_id = wait_until(find, what="the message in Anna's Skickade")
    return staff.message(message_id)


def _download(staff: Staff, message: dict[str, Any], attachment: dict[str, Any]) -> bytes:
    path = f"/api/v1/messages/{message['id']}/attachments/{attachment['id']}"
    response = staff.api.get(path, headers={"Authorization": f"Bearer {staff.token(ANNA, 3)}"})
    assert response.status == 200, response.text()
    return response.body()


def test_compose_pane_encrypts_the_draft_to_a_registered_and_a_link_recipient_and_closes_it(
    outlook: OutlookWalk, staff: Staff
) -> None:
    link_recipient, phone = unique_address("byggherre"), unique_phone()
    subject = f"Bygglov {uuid.uuid4().hex[:6]}"
    outlook.open(mode="compose", user=ANNA)
    _write_draft(outlook, to=JAN, cc=link_recipient, subject=subject)
    outlook.check("draft")

    outlook.page.get_by_role("button", name="Kryptera meddelande").click()
    pane = outlook.pane
    # The draft, read through Office.js: recipients from To and Cc, the subject, the body as plain text.
    recipients = pane.get_by_label("Mottagare", exact=True)
    expect(recipients).to_have_value(f"{JAN}, {link_recipient}")
    expect(pane.get_by_label("Ämne")).to_have_value(subject)
    expect(pane.get_by_label("Meddelande", exact=True)).to_have_value(DRAFT_TEXT)
    expect(pane.get_by_role("button", name=f"Ta bort {ATTACHMENT.name}")).to_be_visible()
    pane.get_by_label("Tillitsnivå 2").check()
    pane.get_by_label("Mottagaren får svara").check()
    _choose_sms(pane, link_recipient, phone)
    outlook.check("pane")

    pane.get_by_role("button", name="Kryptera meddelande").click()
    # The draft now holds only a notice, without its attachment, and is closed without going through Exchange.
    expect(outlook.page.get_by_role("status")).to_have_text(
        "Utkastet är stängt. Det skickades inte via Exchange."
    )
    events = outlook.page.get_by_role("list", name="Händelser")
    expect(events).to_contain_text("Brödtexten ersattes (body.setAsync)")
    expect(events).to_contain_text(f"Bilagan {ATTACHMENT.name} togs bort ur utkastet")
    expect(events).to_contain_text("Utkastet stängdes utan att skickas (item.close)")
    notice = outlook.page.get_by_label("Brödtext (HTML, som Outlook sparar den)").input_value()
    assert notice == f"<p>{NOTICE}</p>", notice
    expect(outlook.page.get_by_role("list", name="Bilagor i utkastet").get_by_role("listitem")).to_have_count(
        0
    )
    assert outlook.page.title() == "Outlook (utvecklingsvärd) – Sigill", "the draft's HTML ran in the pane"
    outlook.check("closed")

    # Through the API, as Anna: both deliveries, the level and reply choice, the text and the attachment's bytes.
    message = _sent_by_anna(staff, subject)
    deliveries = {d["address"]: d for d in message["deliveries"]}
    assert set(deliveries) == {JAN, link_recipient}
    assert deliveries[link_recipient]["kind"] == "link"
    assert deliveries[link_recipient]["method"] == "sms"
    assert deliveries[JAN]["kind"] != "link"
    assert (message["loa"], message["reply_allowed"], message["body"]) == (2, True, DRAFT_TEXT)
    [attachment] = message["attachments"]
    assert attachment["name"] == ATTACHMENT.name
    assert _download(staff, message, attachment) == ATTACHMENT.content
    # The link recipient's notice went out through Sigill, with the message id in its header.
    [mail] = staff.wait_for_outbox(link_recipient)
    assert mail["headers"]["X-Sigill-Message"] == message["id"]


def test_compose_pane_shows_a_refusal_next_to_its_field_and_leaves_the_draft_as_it_was(
    outlook: OutlookWalk, staff: Staff
) -> None:
    link_recipient = unique_address("granne")
    subject = f"Grannehörande {uuid.uuid4().hex[:6]}"
    outlook.open(mode="compose", user=ANNA)
    _write_draft(outlook, to=link_recipient, cc="", subject=subject)
    outlook.page.get_by_role("button", name="Kryptera meddelande").click()
    pane = outlook.pane
    pane.get_by_label("Tillitsnivå 2").check()
    # Not a mobile number: the API refuses it, and the pane says so at the field.
    _choose_sms(pane, link_recipient, "12345")
    pane.get_by_role("button", name="Kryptera meddelande").click()

    phone = pane.get_by_label(f"Mobilnummer för {link_recipient}")
    expect(pane.get_by_role("alert").first).to_be_visible()
    described_by = phone.get_attribute("aria-describedby") or ""
    assert described_by, "the phone field names no error text"
    error = pane.locator(f"#{described_by.split()[0]}")
    expect(error).not_to_be_empty()
    expect(phone).to_have_value("12345")
    expect(pane.get_by_label("Meddelande", exact=True)).to_have_value(DRAFT_TEXT)
    outlook.check("refused")

    # Nothing was sent, and the draft in Outlook is untouched and still open.
    assert outlook.page.get_by_label("Brödtext (HTML, som Outlook sparar den)").input_value() == DRAFT_HTML
    expect(outlook.page.get_by_role("list", name="Bilagor i utkastet")).to_contain_text(ATTACHMENT.name)
    events = outlook.page.get_by_role("list", name="Händelser")
    expect(events).to_contain_text("Token till tillägget")
    for changed in ("Brödtexten ersattes", "togs bort ur utkastet", "Utkastet stängdes"):
        expect(events).not_to_contain_text(changed)
    expect(outlook.page.get_by_label("Ämne")).to_be_enabled()
    assert staff.outbox(link_recipient) == []


def _notice_to(staff: Staff, address: str, message_id: str) -> dict[str, Any]:
    """The e-mail Sigill sent to `address` about `message_id`, found by its X-Sigill-Message header."""

    def find() -> dict[str, Any] | None:
        return next(
            (m for m in staff.outbox(address) if m.get("headers", {}).get("X-Sigill-Message") == message_id),
            None,
        )

    found: dict[str, Any] = wait_until(find, what=f"the notice to {address}")
    return found


def test_read_pane_opens_the_notice_mails_message_for_its_recipient_who_replies(
    outlook: OutlookWalk, staff: Staff
) -> None:
    sent = staff.send({"address": BERTIL}, loa=2, attachment=ATTACHMENT)
    mail = _notice_to(staff, BERTIL, sent.message_id)
    outlook.open(mode="read", user=BERTIL, mail=mail["id"])
    expect(outlook.page.get_by_role("heading", name=mail["subject"])).to_be_visible()
    outlook.check("mail")

    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    pane = outlook.pane
    expect(pane.get_by_role("heading", name=sent.subject)).to_be_visible()
    expect(pane.get_by_text("Här är beslutet i ditt ärende", exact=False)).to_be_visible()
    expect(pane.get_by_role("button", name=f"Ladda ner {ATTACHMENT.name}")).to_be_visible()
    outlook.check("message")

    reply = f"Tack, jag tar det. ({uuid.uuid4().hex[:8]})"
    pane.get_by_label("Svar", exact=True).fill(reply)
    pane.get_by_role("button", name="Skicka svar").click()
    expect(pane.get_by_text("Ditt svar är skickat.")).to_be_visible()
    replies = wait_until(lambda: staff.replies_to(sent.message_id), what="the reply in Anna's inbox")
    assert [r["body"] for r in replies] == [reply]
    outlook.check("replied")


def test_read_pane_shows_the_sender_every_recipients_status(outlook: OutlookWalk, staff: Staff) -> None:
    sent = staff.send({"address": BERTIL}, loa=2)
    mail = _notice_to(staff, BERTIL, sent.message_id)
    # The notice forwarded to Anna, its sender: she sees the message as sent, with Bertil's delivery.
    outlook.open(mode="read", user=ANNA, mailbox=BERTIL, mail=mail["id"])
    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    pane = outlook.pane
    expect(pane.get_by_role("heading", name=sent.subject)).to_be_visible()
    expect(pane.get_by_role("listitem").filter(has_text=BERTIL)).to_contain_text("Ej öppnat")
    outlook.check("sender")


def test_read_pane_refuses_a_user_who_is_not_a_recipient(outlook: OutlookWalk, staff: Staff) -> None:
    sent = staff.send({"address": BERTIL}, loa=2)
    mail = _notice_to(staff, BERTIL, sent.message_id)
    # Bertil's notice, forwarded to Cecilia: she is told plainly that the message is not hers.
    outlook.open(mode="read", user=CECILIA, mailbox=BERTIL, mail=mail["id"])
    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    expect(outlook.pane.get_by_text(NOT_A_RECIPIENT)).to_be_visible()
    expect(outlook.pane.get_by_text(sent.subject)).to_have_count(0)
    outlook.check("refused")


def test_read_pane_offers_the_mails_link_to_a_link_recipient_outside_the_organisation(
    outlook: OutlookWalk, staff: Staff
) -> None:
    # Eva works in another organisation: Anna's message reaches her as a personal link, which the pane offers.
    sent = staff.send({"address": EVA, "method": "email"}, loa=1)
    mail = _notice_to(staff, EVA, sent.message_id)
    link = staff.link_for(EVA)
    outlook.open(mode="read", user=EVA, mail=mail["id"])
    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    expect(outlook.pane.get_by_text(NOT_A_RECIPIENT)).to_be_visible()
    offered = outlook.pane.get_by_role("link", name="Öppna länken i e-postmeddelandet")
    expect(offered).to_have_attribute("href", link)
    outlook.check("link")


def test_read_pane_without_internet_headers_still_offers_the_link_in_the_mail(
    outlook: OutlookWalk, staff: Staff
) -> None:
    # An Outlook before Mailbox 1.8 hands over no headers: the pane finds Sigill's link in the mail's text.
    sent = staff.send({"address": EVA, "method": "email"}, loa=1)
    mail = _notice_to(staff, EVA, sent.message_id)
    link = staff.link_for(EVA)
    outlook.open(mode="read", user=EVA, mail=mail["id"], headers="none")
    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    offered = outlook.pane.get_by_role("link", name="Öppna länken i e-postmeddelandet")
    expect(offered).to_have_attribute("href", link)
    expect(outlook.pane.get_by_text(sent.subject)).to_have_count(0)
    outlook.check("no-headers")


def test_read_pane_steps_up_to_the_messages_level(outlook: OutlookWalk, staff: Staff) -> None:
    sent = staff.send({"address": BERTIL}, loa=3)
    mail = _notice_to(staff, BERTIL, sent.message_id)
    outlook.open(mode="read", user=BERTIL, mail=mail["id"])
    outlook.page.get_by_role("button", name="Öppna meddelande").click()
    pane = outlook.pane
    step_up = pane.get_by_role("button", name="Logga in på tillitsnivå 3")
    expect(step_up).to_be_visible()
    outlook.check("step-up")
    step_up.click()
    expect(pane.get_by_role("heading", name=sent.subject)).to_be_visible()
    expect(outlook.page.get_by_role("list", name="Händelser")).to_contain_text(
        "Ny inloggning på tillitsnivå 3"
    )


def test_read_pane_signs_in_and_steps_up_through_nested_app_authentication(
    naa_outlook: OutlookWalk, naa_staff: Staff
) -> None:
    sent = naa_staff.send({"address": BERTIL}, loa=3)
    mail = _notice_to(naa_staff, BERTIL, sent.message_id)
    # An Outlook that supports nested app authentication: MSAL.js gets the tokens over Office's bridge.
    naa_outlook.open(mode="read", user=BERTIL, mail=mail["id"], naa="1")
    naa_outlook.page.get_by_role("button", name="Öppna meddelande").click()
    pane = naa_outlook.pane
    step_up = pane.get_by_role("button", name="Logga in på tillitsnivå 3")
    expect(step_up).to_be_visible()
    events = naa_outlook.page.get_by_role("list", name="Händelser")
    # Silently first; never Office's own single sign-on.
    expect(events).to_contain_text("Nested app authentication: GetToken")
    expect(events).not_to_contain_text("Token till tillägget")
    naa_outlook.check("step-up")

    step_up.click()
    expect(pane.get_by_role("heading", name=sent.subject)).to_be_visible()
    # The API's claims challenge went to MSAL.js, which asked with a popup (the host's sign-in prompt).
    expect(events).to_contain_text("Nested app authentication: GetTokenPopup med claims-krav")
    naa_outlook.check("message")


def test_compose_pane_speaks_english_in_an_english_outlook(outlook: OutlookWalk) -> None:
    outlook.open(mode="compose", user=ANNA, lang="en-US")
    outlook.page.get_by_label("Ämne").fill("Hello")
    outlook.page.get_by_role("button", name="Kryptera meddelande").click()
    expect(outlook.pane.get_by_role("button", name="Encrypt message")).to_be_visible()
    expect(outlook.pane.get_by_label("Subject")).to_have_value("Hello")
    outlook.check("english")


def test_a_pane_opened_outside_outlook_says_where_to_open_it(outlook: OutlookWalk) -> None:
    outlook.walk.goto("/app/outlook/compose.html")
    expect(outlook.page.get_by_role("heading", name="Öppna Sigill från Outlook")).to_be_visible()
    outlook.check("outside")


CONVERSIONS = json.dumps(
    {
        "outlook-web": ["<div>Rad ett</div><div><br></div><div>Rad tre<br></div>", "Rad ett\n\nRad tre"],
        "paragraphs": ["<p>Första stycket</p>\n\n<p>Andra\n  stycket</p>", "Första stycket\n\nAndra stycket"],
        "entities-stay-text": [
            "<p>&lt;b&gt;inte fet&lt;/b&gt; &amp; 5&nbsp;kr</p>",
            "<b>inte fet</b> & 5 kr",
        ],
        "link-with-own-text": [
            '<a href="https://a.example/x">https://a.example/x</a>',
            "https://a.example/x",
        ],
        "no-script-text": ["<script>var hemligt = 1;</script><style>p{}</style>Synligt", "Synligt"],
        "table": ["<table><tr><td>A</td><td>B</td></tr><tr><td>C</td></tr></table>", "A\tB\nC"],
    }
)


def test_draft_html_becomes_the_text_a_reader_sees(outlook: OutlookWalk) -> None:
    outlook.open(mode="compose", user=ANNA)
    results: dict[str, str] = outlook.page.evaluate(
        """async (cases) => {
            const { htmlToText } = await import('/app/outlook/draft.js');
            return Object.fromEntries(Object.entries(cases).map(([name, [html]]) => [name, htmlToText(html)]));
        }""",
        json.loads(CONVERSIONS),
    )
    expected = {name: text for name, (_, text) in json.loads(CONVERSIONS).items()}
    assert results == expected


def test_the_message_id_is_found_in_the_headers_and_only_in_links_to_this_sigill(
    outlook: OutlookWalk,
) -> None:
    outlook.open(mode="read", user=BERTIL)
    origin = outlook.walk.base
    found: dict[str, Any] = outlook.page.evaluate(
        """async (origin) => {
            const { headerMessageId, sigillLink } = await import('/app/outlook/current-item.js');
            return {
                folded: headerMessageId('Subject: Hej\\r\\nX-Sigill-Message:\\r\\n abc123_-Z\\r\\nTo: b@x'),
                anyCase: headerMessageId('x-sigill-message: m1\\r\\n'),
                hostile: headerMessageId('X-Sigill-Message: ../../admin\\r\\n'),
                missing: headerMessageId('Subject: Hej\\r\\n'),
                appLink: sigillLink(`Läs det: ${origin}/app/#/message/m42.`, origin),
                portalLink: sigillLink(`Öppna ${origin}/r/org/del/tok`, origin),
                elsewhere: sigillLink('Öppna https://sigill.example.net/app/#/message/m42', origin),
            };
        }""",
        origin,
    )
    assert found["folded"] == "abc123_-Z"
    assert found["anyCase"] == "m1"
    assert found["hostile"] is None and found["missing"] is None
    assert found["appLink"] == {"link": f"{origin}/app/#/message/m42", "messageId": "m42"}
    assert found["portalLink"] == {"link": f"{origin}/r/org/del/tok", "messageId": None}
    assert found["elsewhere"] == {"link": None, "messageId": None}
