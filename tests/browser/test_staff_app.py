"""The staff web app (/app/) in a plain browser and in the Teams tab, driven as staff would drive it.

The Teams tab runs inside the scripted Teams host page (/app/dev/hosts/teams.html), which frames /app/teams/ and
answers the TeamsJS calls the tab makes (initialize, getContext, authentication.getAuthToken) over postMessage,
with a development token for the chosen demo user. Every screen is saved to test-output/screenshots/app/ and
checked with axe-core (WCAG 2.1 A/AA) inside the frame that shows it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Frame, FrameLocator, Page, Route, expect

from tests.browser.conftest import SCREENSHOTS, LiveServer, _axe_violations, screenshot_name, wait_until
from tests.browser.staff import ANNA, SOCIAL, Staff, unique_address, unique_phone
from tests.fixtures import LOOPBACK, free_port, stop_process, wait_until_listening

BERTIL = "bertil.berg@vasteras.example"
CECILIA = "cecilia.ceder@vasteras.example"
APP_SCREENSHOTS = SCREENSHOTS / "app"
ATTACHMENT = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"


@dataclass
class Tab:
    """One person's browser showing the app, framed (Teams) or not (plain browser), checked screen by screen."""

    page: Page
    name: str
    axe: str
    framed: bool

    @property
    def app(self) -> Page | FrameLocator:
        return self.page.frame_locator("#tab") if self.framed else self.page

    def frame(self) -> Frame | Page:
        if not self.framed:
            return self.page
        found = self.page.frame(url=lambda url: "/app/teams/" in url)
        assert found is not None, "the Teams tab is not framed"
        return found

    def check(self, step: str) -> None:
        """Save the screen and fail on any WCAG 2.1 A/AA violation axe-core finds in the app's document."""
        APP_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state()
        self.page.screenshot(path=APP_SCREENSHOTS / f"{self.name}-{step}.png", full_page=True)
        violations = _axe_violations(self.axe, self.frame())  # type: ignore[arg-type]  # Frame evaluates as Page
        assert not violations, f"axe-core on {step}:\n" + "\n".join(violations)


@pytest.fixture
def tabs(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, axe_source: str
) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.page.context.close()


def _new_page(browser: Browser, live_server: LiveServer) -> Page:
    # Tall enough that the framed tab shows whole screens in the screenshots.
    context = browser.new_context(
        base_url=live_server.base,
        locale="sv-SE",
        viewport={"width": 1280, "height": 1400},
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def teams_tab(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe: str,
    request: pytest.FixtureRequest,
    user: str,
) -> Tab:
    page = _new_page(browser, live_server)
    page.goto(f"/app/dev/hosts/teams.html?user={user}")
    tab = Tab(page, f"{screenshot_name(request.node.name)}-{user.split('.')[0]}", axe, framed=True)
    tabs.append(tab)
    expect(tab.app.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()
    return tab


def browser_tab(
    tabs: list[Tab], browser: Browser, live_server: LiveServer, axe: str, request: pytest.FixtureRequest
) -> Tab:
    page = _new_page(browser, live_server)
    tab = Tab(page, screenshot_name(request.node.name), axe, framed=False)
    tabs.append(tab)
    return tab


def sign_in(tab: Tab, name: str, loa: int = 2) -> None:
    tab.page.goto("/app/")
    tab.page.get_by_label("Tillitsnivå vid inloggning").select_option(str(loa))
    tab.page.get_by_role("button", name=f"Logga in som {name}").click()
    expect(tab.page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()


def test_development_sign_in_lists_the_demo_staff_and_opens_the_inbox(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    tab = browser_tab(tabs, browser, live_server, axe_source, request)
    tab.page.goto("/app/")
    expect(tab.page.get_by_role("heading", name="Logga in (utveckling)")).to_be_visible()
    for name in ("Anna Andersson", "Bertil Berg", "Cecilia Ceder", "Eva Ek"):
        expect(tab.page.get_by_role("button", name=f"Logga in som {name}")).to_be_visible()
    tab.check("sign-in")

    tab.page.get_by_role("button", name="Logga in som Bertil Berg").click()
    expect(tab.page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()
    expect(tab.page.get_by_text("Inloggad som Bertil Berg")).to_be_visible()
    navigation = tab.page.get_by_role("navigation", name="Meddelanden")
    expect(navigation.get_by_role("heading", name="Socialtjänsten")).to_be_visible()
    tab.check("inbox")

    # The token is in this tab's sessionStorage, never in a cookie: a reload stays signed in, and no cookie exists.
    tab.page.reload()
    expect(tab.page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()
    assert tab.page.context.cookies() == []
    tab.page.get_by_role("button", name="Logga ut").click()
    expect(tab.page.get_by_role("heading", name="Logga in (utveckling)")).to_be_visible()

    # The link in a staff notice (/app/#/message/<id>) opens that message once the reader has signed in.
    sent = staff.send({"address": BERTIL}, loa=1, sender=CECILIA)
    link = f"{live_server.base}/app/#/message/{sent.message_id}"
    wait_until(
        lambda: any(link in item.get("body", "") for item in staff.outbox(BERTIL)),
        what=f"the notice to {BERTIL} with {link}",
    )
    tab.page.goto(link)
    tab.page.get_by_role("button", name="Logga in som Bertil Berg").click()
    expect(tab.page.get_by_role("heading", name=sent.subject, level=1)).to_be_visible()
    assert tab.page.title() == f"{sent.subject} – Sigill"


def test_teams_tab_sends_to_a_link_recipient_with_an_attachment_and_recalls_it(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    tab = teams_tab(tabs, browser, live_server, axe_source, request, ANNA)
    app = tab.app
    tab.check("inbox")
    # The tab signed in through Teams single sign-on, and keeps no cookie.
    calls = tab.page.evaluate("window.teamsHostCalls")
    assert calls[:2] == ["initialize", "getContext"]
    assert "authentication.getAuthToken" in calls
    assert tab.page.context.cookies() == []
    recipient, phone = unique_address("extern"), unique_phone()
    subject = f"Kallelse {uuid.uuid4().hex[:6]}"

    app.get_by_role("link", name="Nytt meddelande").click()
    expect(app.get_by_role("heading", name="Nytt meddelande", level=1)).to_be_visible()
    tab.check("compose-empty")
    app.get_by_label("Mottagare", exact=True).fill(recipient)
    app.get_by_label("Ämne").fill(subject)
    app.get_by_label("Meddelande", exact=True).fill("Välkommen på möte tisdag kl. 10.")
    app.get_by_label("Lägg till filer").set_input_files(
        {"name": "kallelse.pdf", "mimeType": "application/pdf", "buffer": ATTACHMENT}
    )
    expect(app.get_by_role("button", name="Ta bort kallelse.pdf")).to_be_visible()
    # Each level carries the user guide's one-line help.
    expect(app.get_by_text("Du behöver mottagarens mobilnummer.")).to_be_visible()
    app.get_by_label("Tillitsnivå 2 (LoA2)").check()
    method = app.get_by_label(f"Identifieringsmetod för {recipient}")
    expect(method).to_have_value("sms")
    app.get_by_label(f"Mobilnummer för {recipient}").fill(phone)
    app.get_by_label("Mottagaren får svara").check()
    open_message = app.get_by_label("Öppet meddelande")
    expect(open_message).to_have_attribute(
        "placeholder",
        "Du har fått ett krypterat meddelande. Öppna länken och identifiera dig för att läsa det.",
    )
    expect(app.get_by_text("Det öppna meddelandet krypteras inte")).to_be_visible()
    tab.check("compose-filled")

    app.get_by_role("button", name="Skicka").click()
    expect(app.get_by_role("status").filter(has_text="Meddelandet är skickat.")).to_be_visible()
    tab.check("compose-sent")

    app.get_by_role("navigation", name="Meddelanden").get_by_role("link", name="Skickade").first.click()
    expect(app.get_by_role("heading", name="Skickade", level=1)).to_be_visible()
    row = app.get_by_role("row").filter(has_text=subject)
    expect(row.get_by_role("img", name=f"{recipient}: Ej öppnat")).to_be_visible()
    tab.check("sent")

    row.get_by_role("link", name=subject).click()
    expect(app.get_by_role("heading", name=subject, level=1)).to_be_visible()
    toggle = app.get_by_role("button", name=recipient)
    # The status word is shown beside the icon, and explained in a tooltip on keyboard focus as on hover.
    toggle.focus()
    expect(
        app.get_by_role("tooltip").filter(has_text="Mottagaren har inte öppnat meddelandet.")
    ).to_be_visible()
    tab.check("message-sender")
    with tab.page.expect_download() as downloaded:
        app.get_by_role("button", name="Ladda ner kallelse.pdf").click()
    path = downloaded.value.path()
    assert downloaded.value.suggested_filename == "kallelse.pdf"
    assert path.read_bytes() == ATTACHMENT

    toggle.click()
    details = app.get_by_role("region", name=f"Detaljer för {recipient}")
    expect(details.get_by_text("Inte ännu").first).to_be_visible()
    expect(details.get_by_text("Sms-kod")).to_be_visible()
    tab.check("delivery-details")
    details.get_by_role("button", name="Återkalla").click()
    dialog = app.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Vill du återkalla meddelandet till {recipient}?")
    tab.check("recall-confirm")
    # Cancel first: nothing happens.
    dialog.get_by_role("button", name="Avbryt").click()
    expect(app.get_by_role("alertdialog")).to_have_count(0)
    sent = [d for d in _sent_message(staff, subject)["deliveries"] if d["address"] == recipient]
    assert sent[0]["status"] == "unopened"

    app.get_by_role("region", name=f"Detaljer för {recipient}").get_by_role(
        "button", name="Återkalla"
    ).click()
    app.get_by_role("alertdialog").get_by_role("button", name="Ja, återkalla").click()
    expect(
        app.get_by_role("status").filter(has_text=f"Meddelandet till {recipient} är återkallat.")
    ).to_be_visible()
    expect(app.get_by_role("button", name=recipient)).to_contain_text("Återkallat")
    tab.check("recalled")
    assert [d["status"] for d in _sent_message(staff, subject)["deliveries"]] == ["recalled"]

    app.get_by_role("button", name="Tillbaka").click()
    expect(app.get_by_role("heading", name="Skickade", level=1)).to_be_visible()
    # Länkar lists the messages to recipients outside Sigill, with the identification method.
    app.get_by_role("navigation", name="Meddelanden").get_by_role("link", name="Länkar").first.click()
    links_row = app.get_by_role("row").filter(has_text=subject)
    expect(links_row).to_contain_text("Sms-kod")
    tab.check("links")
    app.get_by_role("navigation", name="Meddelanden").get_by_role("link", name="Skickade").first.click()
    expect(
        app.get_by_role("row").filter(has_text=subject).get_by_role("img", name=f"{recipient}: Återkallat")
    ).to_be_visible()


def _sent_message(staff: Staff, subject: str) -> dict[str, object]:
    """The message Anna sent with `subject`, as her sent folder and the message endpoint show it."""
    headers = {"Authorization": f"Bearer {staff.token(ANNA, 3)}"}
    items = staff.api.get(f"/api/v1/mailboxes/{ANNA}/sent?limit=50", headers=headers).json()["items"]
    found = [item for item in items if item["subject"] == subject]
    assert len(found) == 1, f"{subject} not in Anna's sent folder"
    return staff.message(found[0]["message_id"])


def test_an_error_from_the_api_shows_at_its_field_and_keeps_what_was_typed(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    tab = teams_tab(tabs, browser, live_server, axe_source, request, ANNA)
    app = tab.app
    recipient = unique_address("fel")
    app.get_by_role("link", name="Nytt meddelande").click()
    app.get_by_label("Mottagare", exact=True).fill(recipient)
    app.get_by_label("Ämne").fill("Ämnet finns kvar")
    app.get_by_label("Meddelande", exact=True).fill("Texten finns kvar")
    app.get_by_label("Tillitsnivå 2 (LoA2)").check()
    phone = app.get_by_label(f"Mobilnummer för {recipient}")
    phone.fill("12")
    app.get_by_role("button", name="Skicka").click()

    summary = app.get_by_role("alert")
    expect(summary).to_be_visible()
    # The error sits with the phone field (tied to it by aria-describedby), and nothing typed is gone.
    described = phone.get_attribute("aria-describedby") or ""
    assert "error" in described
    error_text = app.locator(f"#{described.split()[-1]}").inner_text()
    assert error_text.strip()
    expect(phone).to_have_value("12")
    expect(app.get_by_label("Ämne")).to_have_value("Ämnet finns kvar")
    expect(app.get_by_label("Meddelande", exact=True)).to_have_value("Texten finns kvar")
    expect(app.get_by_label("Mottagare", exact=True)).to_have_value(recipient)
    tab.check("compose-error")


def test_bertil_sees_the_case_anna_took_highlighted_with_her_name_and_cannot_take_it(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    case = staff.send({"address": SOCIAL}, loa=1, sender=CECILIA)
    free = staff.send({"address": SOCIAL}, loa=1, sender=CECILIA)

    anna = teams_tab(tabs, browser, live_server, axe_source, request, ANNA)
    _open_function_inbox(anna)
    row = anna.app.get_by_role("row").filter(has_text=case.subject)
    expect(row).to_contain_text("Öppet")
    row.get_by_role("button", name=f"Hantera ärendet {case.subject}").click()
    anna.check("manage-menu")
    row.get_by_role("button", name="Ta ärendet", exact=True).click()
    expect(anna.app.get_by_role("status").filter(has_text="Du har tagit ärendet.")).to_be_visible()
    expect(anna.app.get_by_role("row").filter(has_text=case.subject)).to_contain_text("Taget av dig")

    bertil = teams_tab(tabs, browser, live_server, axe_source, request, BERTIL)
    _open_function_inbox(bertil)
    taken = bertil.app.get_by_role("row").filter(has_text=case.subject)
    expect(taken).to_contain_text("Taget av Anna Andersson")
    expect(taken).to_have_class(re.compile(r"\brow--taken\b"))
    # Highlighted: the taken row's cells are yellow, the free row's are not.
    assert (
        taken.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
        == "rgb(255, 242, 168)"
    )
    other = bertil.app.get_by_role("row").filter(has_text=free.subject)
    assert (
        other.locator("td").first.evaluate("td => getComputedStyle(td).backgroundColor")
        != "rgb(255, 242, 168)"
    )
    # Only the holder may do anything with a taken case: Bertil is offered no Hantera, so no Ta ärendet.
    expect(taken.get_by_role("button")).to_have_count(0)
    expect(other.get_by_role("button", name=f"Hantera ärendet {free.subject}")).to_be_visible()
    bertil.check("function-inbox")

    # The filters: Andras shows Anna's case, Otilldelade the free one only, Mina neither.
    app = bertil.app
    app.get_by_label("Visa ärenden").select_option("others")
    expect(app.get_by_role("row").filter(has_text=case.subject)).to_have_count(1)
    expect(app.get_by_role("row").filter(has_text=free.subject)).to_have_count(0)
    bertil.check("filter-others")
    app.get_by_label("Visa ärenden").select_option("unassigned")
    expect(app.get_by_role("row").filter(has_text=free.subject)).to_have_count(1)
    expect(app.get_by_role("row").filter(has_text=case.subject)).to_have_count(0)
    app.get_by_label("Visa ärenden").select_option("me")
    expect(app.get_by_role("row").filter(has_text=case.subject)).to_have_count(0)

    # Anna releases, closes and deletes (with confirmation) through Hantera; Stängda lists the closed case.
    anna_app = anna.app
    row = anna_app.get_by_role("row").filter(has_text=case.subject)
    row.get_by_role("button", name=f"Hantera ärendet {case.subject}").click()
    row.get_by_role("button", name="Släpp ärendet", exact=True).click()
    expect(anna_app.get_by_role("status").filter(has_text="Ärendet är släppt.")).to_be_visible()
    row = anna_app.get_by_role("row").filter(has_text=case.subject)
    row.get_by_role("button", name=f"Hantera ärendet {case.subject}").click()
    row.get_by_role("button", name="Avsluta ärendet", exact=True).click()
    expect(anna_app.get_by_role("status").filter(has_text="Ärendet är avslutat.")).to_be_visible()
    anna_app.get_by_label("Status", exact=True).select_option("closed")
    expect(anna_app.get_by_role("row").filter(has_text=case.subject)).to_contain_text("Avslutat")
    anna_app.get_by_label("Status", exact=True).select_option("open")
    row = anna_app.get_by_role("row").filter(has_text=free.subject)
    row.get_by_role("button", name=f"Hantera ärendet {free.subject}").click()
    row.get_by_role("button", name="Ta bort ärendet", exact=True).click()
    dialog = anna_app.get_by_role("alertdialog")
    expect(dialog).to_contain_text(free.subject)
    anna.check("delete-confirm")
    dialog.get_by_role("button", name="Ja, ta bort").click()
    expect(anna_app.get_by_role("status").filter(has_text="Ärendet är borttaget.")).to_be_visible()
    expect(anna_app.get_by_role("row").filter(has_text=free.subject)).to_have_count(0)


def _open_function_inbox(tab: Tab) -> None:
    navigation = tab.app.get_by_role("navigation", name="Meddelanden")
    navigation.get_by_role("list", name="Socialtjänsten").get_by_role("link", name="Inkorg").click()
    expect(tab.app.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()
    expect(tab.app.get_by_text("Socialtjänsten", exact=True).first).to_be_visible()


def test_a_message_above_the_sign_in_level_offers_step_up_and_then_opens(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    sent = staff.send({"address": BERTIL}, loa=3, sender=CECILIA, reply_allowed=True)
    tab = browser_tab(tabs, browser, live_server, axe_source, request)
    sign_in(tab, "Bertil Berg", loa=2)
    row = tab.page.get_by_role("row").filter(has_text="Kräver tillitsnivå 3").filter(has_text=CECILIA).first
    expect(row).to_be_visible()
    tab.check("inbox-locked")
    tab.page.goto(f"/app/#/message/{sent.message_id}")
    expect(tab.page.get_by_role("heading", name="Meddelandet kräver tillitsnivå 3")).to_be_visible()
    tab.check("step-up")
    tab.page.get_by_role("button", name="Logga in på tillitsnivå 3").click()
    expect(tab.page.get_by_role("heading", name=sent.subject, level=1)).to_be_visible()
    expect(tab.page.get_by_text(sent.body)).to_be_visible()
    tab.check("message-recipient")

    # Replies are allowed: the reply form answers the sender.
    tab.page.get_by_label("Svar", exact=True).fill("Tack, jag har läst beslutet.")
    tab.page.get_by_role("button", name="Skicka svar").click()
    expect(tab.page.get_by_role("status").filter(has_text="Ditt svar är skickat.")).to_be_visible()
    assert [r["body"] for r in staff.replies_to(sent.message_id, mailbox=CECILIA, reader=CECILIA)] == [
        "Tack, jag har läst beslutet."
    ]

    # Cecilia, in Teams, sees Bertil's delivery answered and goes from its details to the reply (Visa svar).
    cecilia = teams_tab(tabs, browser, live_server, axe_source, request, CECILIA)
    app = cecilia.app
    app.get_by_role("navigation", name="Meddelanden").get_by_role("link", name="Skickade").first.click()
    row = app.get_by_role("row").filter(has_text=sent.subject)
    expect(row.get_by_role("img", name=f"{BERTIL}: Besvarat")).to_be_visible()
    row.get_by_role("link", name=sent.subject).click()
    app.get_by_role("button", name=BERTIL).hover()
    expect(
        app.get_by_role("tooltip").filter(has_text="Mottagaren har svarat på meddelandet.")
    ).to_be_visible()
    app.get_by_role("button", name=BERTIL).click()
    details = app.get_by_role("region", name=f"Detaljer för {BERTIL}")
    expect(details.get_by_role("button", name="Återkalla")).to_have_count(0)
    details.get_by_role("button", name="Gå till meddelande").click()
    expect(app.get_by_role("heading", name="Meddelande", level=2)).to_be_focused()
    cecilia.check("message-answered")
    details.get_by_role("button", name="Visa svar").click()
    # The reply is at the original's level (LoA3) and Teams signs in at LoA2: the tab says so and offers the
    # browser, where the sign-in can be raised.
    expect(app.get_by_role("heading", name="Meddelandet kräver tillitsnivå 3", level=1)).to_be_visible()
    reply_id = staff.replies_to(sent.message_id, mailbox=CECILIA, reader=CECILIA)[0]["id"]
    expect(app.get_by_role("link", name="Öppna i webbläsaren")).to_have_attribute(
        "href", f"{live_server.base}/app/#/message/{reply_id}"
    )
    cecilia.check("reply-step-up")


def test_folders_page_with_previous_and_next(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    # A mailbox of its own for this test: Eva in the other organisation, 26 messages, 25 a page.
    eva = "eva.ek@regiongavleborg.example"
    for _ in range(26):
        staff.send({"address": unique_address("sida")}, loa=1, sender=eva)
    tab = browser_tab(tabs, browser, live_server, axe_source, request)
    sign_in(tab, "Eva Ek")
    tab.page.get_by_role("navigation", name="Meddelanden").get_by_role("link", name="Skickade").click()
    expect(tab.page.get_by_role("heading", name="Skickade", level=1)).to_be_visible()
    rows = tab.page.locator("tbody tr")
    expect(rows).to_have_count(25)
    expect(tab.page.get_by_role("button", name="Föregående")).to_have_count(0)
    first_subject = rows.first.get_by_role("link").inner_text()
    tab.page.get_by_role("button", name="Nästa").click()
    expect(tab.page.get_by_text("Sida 2")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).not_to_have_text(first_subject)
    tab.check("sent-page-2")
    tab.page.get_by_role("button", name="Föregående").click()
    expect(tab.page.get_by_text("Sida 1")).to_be_visible()
    expect(rows).to_have_count(25)
    expect(rows.first.get_by_role("link")).to_have_text(first_subject)


def test_the_teams_tab_speaks_english_when_teams_runs_in_english(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    page = _new_page(browser, live_server)
    page.goto(f"/app/dev/hosts/teams.html?user={ANNA}&locale=en-US")
    tab = Tab(page, screenshot_name(request.node.name), axe_source, framed=True)
    tabs.append(tab)
    app = tab.app
    expect(app.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    assert tab.frame().evaluate("document.documentElement.lang") == "en"
    app.get_by_role("link", name="New message").click()
    # The level texts come from the API in the host's language.
    expect(app.get_by_text("You need the recipient's mobile number.")).to_be_visible()
    expect(app.get_by_role("button", name="Send")).to_be_visible()
    tab.check("compose-english")


# What the focused element is called: its label, its aria-label, or its text.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return (label || el.getAttribute("aria-label") || el.textContent || "").trim();
}"""
# Whether the focused element shows it: an outline or a box shadow that is not none.
FOCUS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  return outline || style.boxShadow !== "none";
}"""


def _tab_to(page: Page, name: str, *, within: int = 60) -> None:
    """Press Tab until the focused element is called `name`, checking on the way that focus is always visible."""
    for _ in range(within):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if focused:
            assert page.evaluate(FOCUS_VISIBLE), f"focus on {focused!r} is not visible"
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_alone_signs_in_composes_and_sends_with_focus_always_visible(
    tabs: list[Tab],
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    request: pytest.FixtureRequest,
    staff: Staff,
) -> None:
    tab = browser_tab(tabs, browser, live_server, axe_source, request)
    page = tab.page
    page.goto("/app/")
    expect(page.get_by_role("heading", name="Logga in (utveckling)")).to_be_visible()
    _tab_to(page, "Logga in som Cecilia Ceder")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()

    _tab_to(page, "Nytt meddelande")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nytt meddelande", level=1)).to_be_focused()
    subject = f"Tangentbord {uuid.uuid4().hex[:6]}"
    _tab_to(page, "Mottagare")
    page.keyboard.type(BERTIL)
    _tab_to(page, "Ämne")
    page.keyboard.type(subject)
    _tab_to(page, "Meddelande")
    page.keyboard.type("Skrivet utan mus.")
    _tab_to(page, "Tillitsnivå 1 (LoA1)")
    page.keyboard.press("Space")
    expect(page.get_by_text(f"{BERTIL} finns i Sigill")).to_be_visible()
    _tab_to(page, "Skicka")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Meddelandet är skickat.")).to_be_focused()
    tab.check("sent-by-keyboard")
    sent = staff.api.get(
        f"/api/v1/mailboxes/{CECILIA}/sent?limit=50",
        headers={"Authorization": f"Bearer {staff.token(CECILIA, 3)}"},
    ).json()["items"]
    assert [item["deliveries"][0]["address"] for item in sent if item["subject"] == subject] == [BERTIL]


SSO_APP_ID = "6a0c6b8e-1d7e-4a53-9a59-3f6f3e1d2c10"
PUBLIC_URL = "https://sigill.example.se"


@pytest.fixture(scope="module")
def production_server() -> Iterator[str]:
    """`sigill serve` in production mode on loopback, configured for Entra sign-in (no tenant is ever reached)."""
    with tempfile.TemporaryDirectory(prefix="sigill-prod-app-") as tmp:
        port, log = free_port(), Path(tmp) / "server.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("SIGILL_")} | {
            "SIGILL_MODE": "production",
            "SIGILL_LOG_LEVEL": "WARNING",
            "SIGILL_PUBLIC_URL": PUBLIC_URL,
            "SIGILL_ENTRA_TENANTS": '{"00000000-0000-0000-0000-000000000001" = "vasteras.example"}',
            "SIGILL_ENTRA_AUDIENCES": '["api://sigill"]',
            "SIGILL_TEAMS_SSO_APP_ID": SSO_APP_ID,
        }
        command = [sys.executable, "-m", "sigill", "serve", "--host", LOOPBACK, "--port", str(port)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--data-dir", str(Path(tmp) / "data")],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        try:
            wait_until_listening(LOOPBACK, port, process, log)
            yield f"http://{LOOPBACK}:{port}"
        finally:
            stop_process(process)


def test_production_sign_in_sends_the_browser_to_entra_for_the_api_scope(
    tabs: list[Tab],
    browser: Browser,
    production_server: str,
    axe_source: str,
    request: pytest.FixtureRequest,
) -> None:
    context = browser.new_context(base_url=production_server, locale="sv-SE")
    page = context.new_page()
    tab = Tab(page, screenshot_name(request.node.name), axe_source, framed=False)
    tabs.append(tab)
    asked: list[str] = []

    def entra(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Entra</title>")

    # Microsoft's sign-in page is outside this test: the request to it is what the app decides.
    page.route("https://login.microsoftonline.com/**", entra)
    page.goto("/app/")
    expect(page.get_by_role("heading", name="Logga in", level=1)).to_be_visible()
    assert page.get_by_role("button", name="Logga in som Anna Andersson").count() == 0
    tab.check("production-sign-in")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("https://login.microsoftonline.com/**")

    authorize = urlsplit(asked[0])
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert authorize.path == "/organizations/oauth2/v2.0/authorize"
    assert query["client_id"] == SSO_APP_ID
    assert f"api://sigill.example.se/{SSO_APP_ID}/access_as_user" in query["scope"].split()
    assert query["redirect_uri"] == f"{PUBLIC_URL}/app/"
    # Authorization code with PKCE: the single-page app holds no secret.
    assert (query["response_type"], query["code_challenge_method"]) == ("code", "S256")
