"""One e-mail, composed once: what SMTP sends is what the development sink records.

UTF-8 throughout: the subject and display names are encoded as RFC 2047 words
by the email package when they hold å, ä or ö, and each part carries
`charset="utf-8"` in quoted-printable; an address with such letters makes the
mail an SMTPUTF8 one. Line ends become CRLF when the message is serialised for SMTP.
"""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from notify.ports import Email

HEADER_MESSAGE_ID = "X-Sigill-Message"


def compose(mail: Email, from_address: str, now: datetime) -> EmailMessage:
    # An address with å, ä or ö in it cannot be an encoded word: such a mail goes out as SMTPUTF8.
    international = not (mail.to.isascii() and from_address.isascii())
    message = EmailMessage(policy=email.policy.SMTPUTF8 if international else email.policy.SMTP)
    local, _, domain = from_address.rpartition("@")
    message["From"] = Address(display_name=one_line(mail.from_name), username=local, domain=domain)
    message["To"] = mail.to
    message["Subject"] = one_line(mail.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=domain or None)
    # RFC 3834: an automatic message, so out-of-office replies stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    if mail.message_id:
        message[HEADER_MESSAGE_ID] = mail.message_id
    # Quoted-printable: 7-bit safe through any relay, and still readable in the raw.
    message.set_content(mail.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def plain_text(message: EmailMessage) -> str:
    """The plain-text part as a reader's mail program shows it."""
    part = message.get_body(("plain",))
    if not isinstance(part, EmailMessage):
        return ""
    text: str = part.get_content()
    return text


def one_line(text: str) -> str:
    """Header text without line breaks or runs of white space (a name could hold either)."""
    return " ".join(text.split())
