"""The e-mails Sigill sends: Swedish, UTF-8, the organisation and the sender, the link, and never content in notices."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from notify.errors import BadPayload
from notify.mime import compose, plain_text
from notify.render import Renderer

ORG = "Västerås stad"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LINK = "https://sigill.vasteras.se/r/org-1/dlv-1/tok-ÄÖ-secret"


def link_payload(**changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "link",
        "to": "åsa.öberg@example.org",
        "sender": "Anna Andersson",
        "loa": 2,
        "method": "sms",
        "open_message": "Hej Åsa!\nHär kommer svaret på din fråga om förskoleplats.\n\nVänliga hälsningar",
        "link": LINK,
        "message_id": "msg-123",
        "delivery_id": "dlv-1",
    }
    payload.update(changes)
    return payload


def notice_payload(**changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "notice",
        "to": "socialtjanst@vasteras.example",
        "mailbox_kind": "function",
        "sender": "Bertil Berg",
        "loa": 3,
        "message_id": "msg-456",
        "delivery_id": "dlv-2",
    }
    payload.update(changes)
    return payload


def over_the_wire(message: EmailMessage) -> EmailMessage:
    """The mail as a receiving program parses it from the bytes SMTP carries (UTF-8 headers under SMTPUTF8)."""
    parsed = email.message_from_string(message.as_bytes().decode("utf-8"), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_link_mail_names_the_organisation_and_sender_and_carries_the_open_message_and_link() -> None:
    mail = Renderer().email(link_payload(), ORG)
    received = over_the_wire(compose(mail, "noreply@vasteras.se", NOW))

    assert received["Subject"] == "Säkert meddelande från Västerås stad"
    assert received["From"].addresses[0].display_name == ORG
    assert received["From"].addresses[0].addr_spec == "noreply@vasteras.se"
    assert received["To"] == "åsa.öberg@example.org"
    assert received["X-Sigill-Message"] == "msg-123"
    text = plain_text(received)
    assert "Anna Andersson på Västerås stad har skickat ett säkert meddelande till dig." in text
    assert "Här kommer svaret på din fråga om förskoleplats." in text
    assert LINK in text.split()
    assert "engångskod i ett sms" in text
    html_part = received.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert '<html lang="sv">' in html
    assert f'<a href="{LINK}"' in html
    assert "Hej Åsa!<br>Här kommer svaret på din fråga om förskoleplats.</p>" in html


def test_every_part_is_utf8_and_seven_bit_safe_on_the_wire() -> None:
    message = compose(Renderer().email(link_payload(to="asa@example.org"), ORG), "noreply@vasteras.se", NOW)
    raw = message.as_bytes()
    assert raw.isascii()  # quoted-printable bodies and RFC 2047 subject: any relay carries it
    assert b"=?utf-8?" in raw
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert part.get_content_charset() == "utf-8"
            assert part["Content-Transfer-Encoding"] == "quoted-printable"


def test_html_in_the_open_message_or_names_is_shown_as_text_not_markup() -> None:
    mail = Renderer().email(
        link_payload(sender='<img src=x onerror="alert(1)">', open_message="<script>alert(1)</script>"), ORG
    )
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "<img" not in mail.html
    # The plain-text part shows the text as it was written.
    assert "<script>alert(1)</script>" in mail.text


def test_a_line_break_in_a_name_cannot_add_a_header() -> None:
    mail = Renderer().email(link_payload(sender="Anna\r\nBcc: victim@example.org"), "Kommun\nX-Evil: 1")
    received = over_the_wire(compose(mail, "noreply@vasteras.se", NOW))
    assert received["Bcc"] is None
    assert received["X-Evil"] is None
    assert received["From"].addresses[0].display_name == "Kommun X-Evil: 1"


def test_a_notice_says_a_message_waits_and_nothing_of_its_content() -> None:
    mail = Renderer().email(notice_payload(), ORG)
    assert mail.subject == "Nytt säkert meddelande från Bertil Berg"
    assert mail.message_id == "msg-456"
    assert (
        "Bertil Berg har skickat ett säkert meddelande till funktionsbrevlådan socialtjanst@vasteras.example."
        in (mail.text)
    )
    assert "skickas meddelandets innehåll aldrig med e-post" in mail.text
    assert "http" not in mail.text


def test_a_notice_ignores_content_even_if_a_payload_carried_some() -> None:
    mail = Renderer().email(
        notice_payload(
            mailbox_kind="personal", subject="Hemligt ämne", body="Hemlig text", open_message="Hej"
        ),
        ORG,
    )
    for secret in ("Hemligt ämne", "Hemlig text"):
        assert secret not in mail.text
        assert secret not in mail.html
        assert secret not in mail.subject
    assert "till dig." in mail.text


@pytest.mark.parametrize(
    ("method", "words"),
    [
        ("email", "direkt med länken"),
        ("sms", "engångskod i ett sms"),
        ("eid", "BankID eller Freja eID"),
        ("siths", "SITHS-kort"),
    ],
)
def test_the_mail_says_how_the_recipient_will_identify(method: str, words: str) -> None:
    assert words in Renderer().email(link_payload(method=method), ORG).text


def test_an_sms_payload_becomes_an_sms() -> None:
    sms = Renderer().sms({"kind": "sms", "to": "+46701234567", "text": "Din kod är 123456"})
    assert (sms.to, sms.text) == ("+46701234567", "Din kod är 123456")


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "postcard", "to": "a@example.org"},
        {"kind": "link", "to": "a@example.org", "sender": "A", "open_message": "x"},  # no link
        {"kind": "notice", "sender": "A"},  # no address
    ],
)
def test_a_payload_that_is_no_known_notification_is_refused(payload: dict[str, object]) -> None:
    with pytest.raises(BadPayload):
        Renderer().email(payload, ORG)


def test_an_invitation_carries_its_link_and_its_expiry_in_swedish_time() -> None:
    mail = Renderer().email(
        {
            "kind": "invitation",
            "to": "jan.dahl@dentalklinik.example",
            "name": "Jan Dahl",
            "sender": "Anna Andersson",
            "link": "https://sigill.vasteras.se/konto/inbjudan/abc",
            "expires_at": "2026-03-09T08:15:00+00:00",
        },
        ORG,
    )
    assert mail.subject == "Inbjudan till säkra meddelanden från Västerås stad"
    assert mail.text.startswith("Hej Jan Dahl!\n")
    assert "Anna Andersson på Västerås stad har bjudit in dig till ett konto i Sigill." in mail.text
    assert "https://sigill.vasteras.se/konto/inbjudan/abc" in mail.text.split()
    assert "Länken gäller till 9 mars 2026 kl. 09.15." in mail.text  # CET, UTC+1
    assert '<a href="https://sigill.vasteras.se/konto/inbjudan/abc"' in mail.html
    assert mail.message_id is None


def test_an_invitation_in_summer_shows_summer_time() -> None:
    payload = {
        "kind": "invitation",
        "to": "jan.dahl@dentalklinik.example",
        "name": "Jan Dahl",
        "sender": "Anna Andersson",
        "link": "https://sigill.vasteras.se/konto/inbjudan/abc",
        "expires_at": "2026-07-01T06:05:00+00:00",
    }
    assert "Länken gäller till 1 juli 2026 kl. 08.05." in Renderer().email(payload, ORG).text  # CEST, UTC+2
