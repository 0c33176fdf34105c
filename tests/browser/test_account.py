"""A registered recipient's account: Jan Dahl signs in with password and SMS code (LoA2), reads, downloads and
replies, and steps up with BankID (LoA3) to open a message above his sign-in's level."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Walk
from tests.browser.reading import ATTACHMENT, EID_WITHIN_MS, assert_answered, read_download_and_reply
from tests.browser.staff import JAN, JAN_PASSWORD, JAN_PHONE, KARIN, Staff, unique_address, unique_phone

# The demo account's personal identity number (sigill/demo.py), which its e-ID step-up must prove.
JAN_PERSONAL_NUMBER = "197505151238"
LOCKED_AT_3 = "Kräver säkerhetsnivå 3"
NEW_PASSWORD = "Kvist-och-Lind i Ljusdal 2026"


def sign_in_at_loa2(walk: Walk, staff: Staff) -> None:
    codes_before = len(staff.outbox(JAN_PHONE))
    walk.goto("/konto/logga-in")
    expect(walk.page.get_by_role("heading", name="Logga in", level=1)).to_be_visible()
    walk.check("sign-in")

    walk.page.get_by_label("E-post").fill(JAN)
    walk.page.get_by_label("Lösenord").fill(JAN_PASSWORD)
    walk.page.get_by_role("button", name="Logga in").click()
    expect(walk.page.get_by_label("Kod")).to_be_visible()
    walk.check("code")

    walk.page.get_by_label("Kod").fill(staff.sms_code(JAN_PHONE, codes_before + 1))
    walk.page.get_by_role("button", name="Logga in").click()
    expect(walk.page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()


def test_jan_dahl_signs_in_at_loa2_reads_and_replies_then_steps_up_to_loa3_with_bankid(
    walk: Walk, staff: Staff
) -> None:
    # One sign-in for the whole walk: the account's SMS codes come at most once a minute.
    at_2 = staff.send({"address": JAN}, loa=2, attachment=ATTACHMENT)
    at_3 = staff.send({"address": JAN}, loa=3)

    sign_in_at_loa2(walk, staff)
    # At LoA2 the LoA3 message is listed, but not even its subject is shown.
    expect(walk.page.get_by_role("link", name=at_2.subject)).to_be_visible()
    expect(walk.page.get_by_text(at_3.subject)).to_have_count(0)
    expect(walk.page.get_by_role("link", name=LOCKED_AT_3).first).to_be_visible()
    walk.check("inbox-loa2")

    walk.page.get_by_role("link", name=at_2.subject).click()
    reply = read_download_and_reply(walk, at_2, step="message-loa2")
    assert_answered(staff, at_2, reply, opened_method=None)

    walk.goto("/konto/inkorg")
    walk.page.get_by_role("link", name=LOCKED_AT_3).first.click()
    expect(walk.page.get_by_role("heading", name="Meddelandet kräver e-legitimation")).to_be_visible()
    expect(walk.page.get_by_text(at_3.subject)).to_have_count(0)
    walk.check("step-up")

    walk.page.get_by_role("button", name="Identifiera med BankID").click()
    expect(walk.page.get_by_role("button", name="Identifiera med BankID")).to_have_count(0)
    walk.check("bankid-waiting")
    staff.approve_eid(JAN_PERSONAL_NUMBER, "bankid")
    # The waiting page collects by itself and returns to the message it was asked for.
    expect(walk.page.get_by_text(at_3.subject).first).to_be_visible(timeout=EID_WITHIN_MS)
    expect(walk.page.get_by_text("Här är beslutet i ditt ärende", exact=False)).to_be_visible()
    walk.check("message-loa3")

    # LoA3 opens every level: nothing in the inbox is locked any more.
    walk.goto("/konto/inkorg")
    expect(walk.page.get_by_role("link", name=at_3.subject)).to_be_visible()
    expect(walk.page.get_by_role("link", name=LOCKED_AT_3)).to_have_count(0)
    walk.check("inbox-loa3")


def test_an_invited_person_sets_a_password_confirms_the_mobile_and_reads_a_message(
    walk: Walk, staff: Staff
) -> None:
    email, phone = unique_address("inbjuden"), unique_phone()
    staff.invite(email, "Karin Lind, Vårdcentralen", phone=phone, personal_number=KARIN)
    walk.goto(staff.link_for(email, path="/konto/inbjudan/"))
    walk.check("invitation")

    # A common password is refused, with the reason beside the field.
    walk.page.get_by_label("Lösenord", exact=True).fill("password1234")
    walk.page.get_by_label("Upprepa lösenordet").fill("password1234")
    walk.page.get_by_role("button", name="Fortsätt").click()
    expect(walk.page.get_by_text("Det finns ett problem")).to_be_visible()
    expect(walk.page.get_by_text("Lösenordet är för vanligt").first).to_be_visible()
    walk.check("common-password")

    walk.page.get_by_label("Lösenord", exact=True).fill(NEW_PASSWORD)
    walk.page.get_by_label("Upprepa lösenordet").fill(NEW_PASSWORD)
    walk.page.get_by_role("button", name="Fortsätt").click()
    expect(walk.page.get_by_label("Kod")).to_be_visible()
    walk.check("confirm-mobile")

    walk.page.get_by_label("Kod").fill(staff.sms_code(phone))
    walk.page.get_by_role("button", name="Bekräfta").click()
    expect(walk.page.get_by_role("heading", name="Inkorg", level=1)).to_be_visible()
    walk.check("inbox")

    # From now on messages to the address go to the account, not by link.
    sent = staff.send({"address": email}, loa=2)
    walk.page.reload()
    walk.page.get_by_role("link", name=sent.subject).click()
    expect(walk.page.get_by_text("Här är beslutet i ditt ärende", exact=False)).to_be_visible()
    walk.check("message")
