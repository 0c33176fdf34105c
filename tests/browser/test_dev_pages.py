"""The development pages a person uses beside the portal: the outbox of sent e-mail and SMS, and /dev/eid."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Walk
from tests.browser.staff import KARIN, ORG_NAME, Staff, unique_address

BANKID = "/dev/sim/bankid/rp/v6.0"


def test_the_outbox_page_shows_the_sent_e_mail_with_a_link_that_leads_to_the_message(
    walk: Walk, staff: Staff
) -> None:
    address = unique_address("utkorg")
    staff.send({"address": address}, loa=1)
    link = staff.link_for(address)

    walk.goto(f"/dev/outbox.html?to={address}")
    expect(walk.page.get_by_text(f"Säkert meddelande från {ORG_NAME}")).to_be_visible()
    walk.check("outbox")

    walk.page.get_by_role("link", name=link).click()
    expect(walk.page).to_have_url(link)


def test_a_person_approves_a_pending_bankid_identification_on_the_eid_page(walk: Walk, staff: Staff) -> None:
    approve_on_the_eid_page(walk, staff)


def test_the_eid_page_works_without_javascript(walk_without_javascript: Walk, staff: Staff) -> None:
    approve_on_the_eid_page(walk_without_javascript, staff)


def approve_on_the_eid_page(walk: Walk, staff: Staff) -> None:
    walk.goto("/dev/eid")
    expect(walk.page.get_by_role("heading", name="Väntande identifieringar", level=1)).to_be_visible()
    walk.check("empty")

    # A relying party starts an identification, as the portal does behind "Identifiera med BankID".
    started = staff.api.post(f"{BANKID}/auth", data={"endUserIp": "127.0.0.1"})
    assert started.status == 200, started.text()
    order_ref = started.json()["orderRef"]

    walk.goto("/dev/eid")
    expect(walk.page.get_by_role("heading", name=re.compile(r"^BankID, startad"))).to_be_visible()
    walk.check("pending")

    walk.page.get_by_label("Personnummer").fill(KARIN)
    walk.page.get_by_role("button", name="Godkänn").click()
    expect(walk.page.get_by_role("status")).to_have_text("Identifieringen är godkänd.")
    expect(walk.page.get_by_text("Ingen identifiering väntar just nu.")).to_be_visible()
    walk.check("approved")

    collected = staff.api.post(f"{BANKID}/collect", data={"orderRef": order_ref}).json()
    assert collected["status"] == "complete"
    assert collected["completionData"]["user"]["personalNumber"] == KARIN
