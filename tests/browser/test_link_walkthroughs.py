"""A recipient opens a message by its link, by every identification method, as a person would in a browser.

Staff send through the REST API; the browser takes the link from the e-mail in the development sink, identifies
(the SMS code read from the sink, e-ID approved on the simulators as the person would approve it in the app),
reads, downloads the attachment and replies; the reply is then read back in the sender's inbox through the API.
Controls are found by the visible labels the portal promises (screen-reader users find them the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Walk, wait_until
from tests.browser.reading import ATTACHMENT, assert_answered, read_download_and_reply
from tests.browser.staff import (
    KARIN,
    MAJA,
    ORG_NAME,
    SENDER_NAME,
    SOCIAL,
    Sent,
    Staff,
    unique_address,
    unique_phone,
)


@dataclass(frozen=True)
class Recipient:
    """Who a walkthrough sends to, at which level, and how that person identifies in the browser."""

    fields: dict[str, str]
    loa: int
    identify: Callable[[Walk, Staff, Recipient], None]
    # What the sender's view says the delivery was opened with.
    opened_method: str

    @property
    def address(self) -> str:
        return self.fields["address"]


def masked(phone: str) -> str:
    """The number as the portal shows it: "+46 70 *** ** 67"."""
    return f"{phone[:3]} {phone[3:5]} *** ** {phone[-2:]}"


def open_by_email(walk: Walk, staff: Staff, recipient: Recipient) -> None:
    walk.page.get_by_role("button", name="Öppna meddelandet").click()


def open_by_sms_code(walk: Walk, staff: Staff, recipient: Recipient) -> None:
    phone = recipient.fields["phone"]
    walk.page.get_by_role("button", name="Skicka kod").click()
    expect(walk.page.get_by_text(masked(phone))).to_be_visible()
    expect(walk.page.get_by_text(phone)).to_have_count(0)
    walk.check("code-sent")
    code = staff.sms_code(phone)

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    walk.page.get_by_label("Kod").fill(wrong)
    walk.page.get_by_role("button", name="Öppna meddelandet").click()
    expect(walk.page.get_by_label("Kod")).to_be_visible()
    expect(walk.page.get_by_text("Det finns ett problem")).to_be_visible()
    walk.check("wrong-code")

    walk.page.get_by_label("Kod").fill(code)
    walk.page.get_by_role("button", name="Öppna meddelandet").click()


def open_by_eid(button: str, method: str) -> Callable[[Walk, Staff, Recipient], None]:
    def identify(walk: Walk, staff: Staff, recipient: Recipient) -> None:
        walk.page.get_by_role("button", name=button).click()
        expect(walk.page.get_by_role("button", name=button)).to_have_count(0)
        walk.check(f"{method}-waiting")
        staff.approve_eid(recipient.fields["personal_number"], method)
        # With JavaScript the waiting page collects by itself and moves on; without, the person presses Fortsätt.
        if not walk.javascript:
            walk.page.get_by_role("button", name="Fortsätt").click()

    return identify


def open_by_siths(walk: Walk, staff: Staff, recipient: Recipient) -> None:
    walk.page.get_by_role("button", name="Identifiera med SITHS-kort").click()
    # The identity provider's own sign-in page (the development simulator of it).
    expect(walk.page.get_by_role("heading", name="Logga in med SITHS-kort")).to_be_visible()
    walk.check("siths-provider")
    staff.approve_siths(recipient.address)
    walk.page.get_by_role("button", name="Fortsätt").click()


RECIPIENTS: dict[str, Callable[[], Recipient]] = {
    "email-loa1": lambda: Recipient({"address": unique_address("epost")}, 1, open_by_email, "email"),
    "sms-loa2": lambda: Recipient(
        {"address": unique_address("sms"), "method": "sms", "phone": unique_phone()},
        2,
        open_by_sms_code,
        "sms",
    ),
    "bankid-loa3": lambda: Recipient(
        {"address": unique_address("bankid"), "method": "eid", "personal_number": KARIN},
        3,
        open_by_eid("Identifiera med BankID", "bankid"),
        "bankid",
    ),
    "freja-loa3": lambda: Recipient(
        {"address": unique_address("freja"), "method": "eid", "personal_number": MAJA},
        3,
        open_by_eid("Identifiera med Freja eID", "freja"),
        "freja",
    ),
    "siths-loa3": lambda: Recipient(
        {"address": unique_address("siths"), "method": "siths"}, 3, open_by_siths, "siths"
    ),
}


def arrive_by_link(walk: Walk, staff: Staff, recipient: Recipient) -> Sent:
    """Staff send; the person opens the link from the e-mail and sees who sent it, at which level."""
    sent = staff.send(recipient.fields, loa=recipient.loa, attachment=ATTACHMENT)
    walk.goto(staff.link_for(recipient.address))
    expect(walk.page.get_by_text(ORG_NAME).first).to_be_visible()
    expect(walk.page.get_by_text(SENDER_NAME).first).to_be_visible()
    expect(walk.page.get_by_text(sent.subject)).to_have_count(0)
    walk.check("link")
    return sent


@pytest.mark.parametrize("method", list(RECIPIENTS))
def test_a_recipient_opens_reads_downloads_and_replies(walk: Walk, staff: Staff, method: str) -> None:
    recipient = RECIPIENTS[method]()
    sent = arrive_by_link(walk, staff, recipient)
    recipient.identify(walk, staff, recipient)
    reply = read_download_and_reply(walk, sent)
    assert_answered(staff, sent, reply, opened_method=recipient.opened_method)


@pytest.mark.parametrize("method", ["sms-loa2", "bankid-loa3"])
def test_the_same_walk_works_without_javascript(
    walk_without_javascript: Walk, staff: Staff, method: str
) -> None:
    walk = walk_without_javascript
    recipient = RECIPIENTS[method]()
    sent = arrive_by_link(walk, staff, recipient)
    recipient.identify(walk, staff, recipient)
    reply = read_download_and_reply(walk, sent)
    assert_answered(staff, sent, reply, opened_method=recipient.opened_method)


def test_a_recalled_link_and_an_unknown_one_show_the_same_neutral_page(walk: Walk, staff: Staff) -> None:
    recipient = RECIPIENTS["email-loa1"]()
    sent = staff.send(recipient.fields, loa=1)
    link = staff.link_for(recipient.address)
    token = link.rsplit("/", 1)[1]
    unknown = link[: -len(token)] + ("B" if token[0] == "A" else "A") + token[1:]

    response = walk.page.goto(unknown)
    assert response is not None and response.status == 404
    expect(walk.page.get_by_role("button", name="Öppna meddelandet")).to_have_count(0)
    unknown_page = walk.page.locator("main").inner_text()
    walk.check("unknown-link")

    staff.recall(sent)
    response = walk.page.goto(link)
    assert response is not None and response.status == 404
    assert walk.page.locator("main").inner_text() == unknown_page
    walk.check("recalled-link")


def test_five_wrong_codes_lock_the_link_and_the_page_says_so(walk: Walk, staff: Staff) -> None:
    recipient = RECIPIENTS["sms-loa2"]()
    sent = arrive_by_link(walk, staff, recipient)
    walk.page.get_by_role("button", name="Skicka kod").click()
    code = staff.sms_code(recipient.fields["phone"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    for _ in range(5):
        walk.page.get_by_label("Kod").fill(wrong)
        walk.page.get_by_role("button", name="Öppna meddelandet").click()
    # Locked: even the right code opens nothing now, and the page says when to try again.
    walk.page.get_by_label("Kod").fill(code)
    with walk.page.expect_response(lambda r: r.request.method == "POST") as answered:
        walk.page.get_by_role("button", name="Öppna meddelandet").click()
    assert answered.value.status == 429
    expect(walk.page.get_by_text("för många gånger").first).to_be_visible()
    expect(walk.page.get_by_text(sent.subject)).to_have_count(0)
    walk.check("locked")
    assert staff.message(sent.message_id)["deliveries"][0]["status"] == "unopened"


def test_the_link_page_speaks_english_on_request(walk: Walk, staff: Staff) -> None:
    recipient = RECIPIENTS["email-loa1"]()
    staff.send(recipient.fields, loa=1)
    walk.goto(staff.link_for(recipient.address))
    walk.page.get_by_role("link", name="English").click()
    expect(walk.page.locator("html")).to_have_attribute("lang", "en")
    expect(walk.page.get_by_role("heading", name="You have received a secure message")).to_be_visible()
    # The labels people and tests find controls by stay as the product fixes them.
    expect(walk.page.get_by_role("button", name="Öppna meddelandet")).to_be_visible()
    walk.check("english")


def test_a_reply_to_a_function_mailbox_arrives_there_as_a_new_case(walk: Walk, staff: Staff) -> None:
    address = unique_address("funktion")
    sent = staff.send({"address": address}, loa=1, attachment=ATTACHMENT, mailbox=SOCIAL)
    walk.goto(staff.link_for(address))
    expect(walk.page.get_by_text("Socialtjänsten").first).to_be_visible()
    walk.page.get_by_role("button", name="Öppna meddelandet").click()
    reply = read_download_and_reply(walk, sent)

    [arrived] = wait_until(
        lambda: staff.replies_to(sent.message_id, mailbox=SOCIAL), what="the reply in the function mailbox"
    )
    assert arrived["body"] == reply
    assert arrived["case"] is not None
    assert staff.message(sent.message_id)["deliveries"][0]["status"] == "answered"
