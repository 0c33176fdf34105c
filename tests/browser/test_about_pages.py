"""The pages the Teams app package links to (privacy, terms), in both languages, and the root address."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Walk


def test_privacy_and_terms_pages_read_in_swedish_and_english(walk: Walk) -> None:
    walk.goto("/privacy")
    expect(walk.page.get_by_role("heading", name="Integritet i Sigill", level=1)).to_be_visible()
    expect(walk.page.get_by_text("personuppgiftsansvarig")).to_be_visible()
    walk.check("privacy")
    walk.page.get_by_role("link", name="English").click()
    expect(walk.page.get_by_role("heading", name="Privacy in Sigill", level=1)).to_be_visible()
    walk.check("privacy-en")

    walk.goto("/terms?lang=sv")
    expect(walk.page.get_by_role("heading", name="Användarvillkor", level=1)).to_be_visible()
    walk.check("terms")


def test_the_root_address_leads_to_the_staff_web_app(walk: Walk) -> None:
    walk.goto("/")
    expect(walk.page).to_have_url(f"{walk.base}/app/")
