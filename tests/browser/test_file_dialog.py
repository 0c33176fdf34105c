"""The Teams file dialog's page in a browser: a person picks files and adds them to the compose draft.

The dialog is opened as Teams opens it: the compose card's "Lägg till filer" (a task/fetch invoke to the real
bot) answers with the page's address, which the browser then loads. Every state is checked with axe-core and
saved as a screenshot; the page runs under its own Content-Security-Policy, which allows no inline script.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import APIRequestContext, ConsoleMessage, expect

from tests.browser.conftest import LiveServer, Walk
from tests.integration.teams_harness import FakeConnector, dev_teams_user, invoke_action, task_fetch
from tests.unit.adaptive_cards.cardtools import nodes

ANNA = "anna.andersson@vasteras.example"
# Invokes are answered in their own HTTP response: the bot sends nothing to this (never started) connector.
UNUSED_CONNECTOR = FakeConnector(url="http://127.0.0.1:9/")


def _invoke(api: APIRequestContext, activity: dict[str, Any]) -> Any:
    response = api.post("/api/messages", data=activity)
    assert response.status == 200, response.text()
    return response.json()


def _open_file_dialog(api: APIRequestContext) -> tuple[str, str]:
    """Anna's new compose card, then "Lägg till filer": the draft id and the dialog's address."""
    anna = dev_teams_user(ANNA)
    card = _invoke(api, invoke_action(anna, UNUSED_CONNECTOR, "compose.new", {}))["value"]
    [send] = [n for n in nodes(card) if n.get("verb") == "compose.send"]
    draft = send["data"]["draft"]
    fetched = _invoke(api, task_fetch(anna, UNUSED_CONNECTOR, {"verb": "compose.files", "draft": draft}))
    return draft, fetched["task"]["value"]["url"]


def test_a_person_adds_files_in_the_dialog(walk: Walk, live_server: LiveServer) -> None:
    csp_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # TeamsJS asks Microsoft's CDN for its list of Teams origins and, refused, uses the list it carries.
        if "Content Security Policy" in message.text and "validDomains" not in message.text:
            csp_errors.append(message.text)

    walk.page.on("console", on_console)
    _, url = _open_file_dialog(walk.page.request)
    walk.goto(url)
    expect(walk.page.get_by_role("heading", name="Lägg till filer", level=1)).to_be_visible()
    walk.check("form")

    walk.page.get_by_role("button", name="Lägg till").click()
    expect(walk.page.get_by_role("alert")).to_contain_text("Välj minst en fil.")
    walk.check("no-file")

    walk.page.get_by_label("Välj filer").set_input_files(
        [
            {"name": "remiss.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 remiss"},
            {"name": "röntgen.png", "mimeType": "image/png", "buffer": b"\x89PNG bild"},
        ]
    )
    walk.page.get_by_role("button", name="Lägg till").click()

    expect(walk.page.get_by_role("status")).to_have_text("2 filer har lagts till.")
    files = walk.page.get_by_role("list")
    expect(files.get_by_role("listitem")).to_have_text(["remiss.pdf", "röntgen.png"])
    expect(walk.page.get_by_role("button", name="Stäng")).to_be_visible()
    walk.check("done")
    assert csp_errors == [], csp_errors
