"""The SMTP test server receives what a real client sends, envelope and all."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING

import aiosmtplib

if TYPE_CHECKING:
    from tests.fixtures.smtp import SmtpServer


async def test_a_sent_mail_arrives_with_its_envelope_and_content(smtp: SmtpServer) -> None:
    mail = EmailMessage()
    mail["From"] = "Sigill <noreply@kommun.example>"
    mail["To"] = "Åsa Öberg <asa@mottagare.example>"
    mail["Subject"] = "Du har fått ett säkert meddelande"
    mail.set_content("Öppna meddelandet via länken.\n")

    await aiosmtplib.send(
        mail,
        hostname=smtp.host,
        port=smtp.port,
        recipients=["asa@mottagare.example", "arkiv@kommun.example"],  # the second as a blind copy
    )

    [received] = await smtp.wait_for(1)
    assert smtp.messages == [received]
    assert received.mail_from == "noreply@kommun.example"
    assert received.rcpt_tos == ["asa@mottagare.example", "arkiv@kommun.example"]
    assert received.message["Subject"] == "Du har fått ett säkert meddelande"
    assert received.message["To"].addresses[0].display_name == "Åsa Öberg"
    body = received.message.get_body(("plain",))
    assert body is not None and body.get_content() == "Öppna meddelandet via länken.\n"

    smtp.clear()
    assert smtp.messages == []
