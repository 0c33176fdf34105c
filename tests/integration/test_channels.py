"""The channels against real servers: SMTP (aiosmtpd on 127.0.0.1) and a loopback ACS SMS API that checks signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notify.email_smtp import SmtpConfig, SmtpEmailSender
from notify.errors import PermanentFailure, TemporaryFailure
from notify.ports import Email, Sms
from notify.render import Renderer
from notify.sms_acs import AcsConfig, AcsSmsSender
from tests.fakes.acs_sms import ACCESS_KEY, fake_acs
from tests.fixtures import LOOPBACK, free_port
from tests.fixtures.smtp import SECURE_LOGIN, SmtpServer
from tests.fixtures.tls import loopback_certificate

FROM = "noreply@vasteras.example"
LINK = "http://127.0.0.1:8080/r/org/dlv/token-abc"


def now() -> datetime:
    return datetime.now(UTC)


def link_mail(to: str = "asa.oberg@example.org") -> Email:
    return Renderer().email(
        {
            "kind": "link",
            "to": to,
            "sender": "Anna Andersson",
            "method": "email",
            "open_message": "Hej Åsa! Här är beslutet om färdtjänst.",
            "link": LINK,
            "message_id": "msg-42",
        },
        "Västerås stad",
    )


def plain(server: SmtpServer, **changes: object) -> SmtpConfig:
    fields: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "from_address": FROM,
        "starttls": False,
    }
    fields.update(changes)
    return SmtpConfig(**fields)  # type: ignore[arg-type]


async def test_a_mail_arrives_over_smtp_with_both_parts_swedish_text_and_the_message_header(
    smtp: SmtpServer,
) -> None:
    await SmtpEmailSender(plain(smtp), now).send(link_mail())

    [received] = await smtp.wait_for(1)
    assert received.mail_from == FROM
    assert received.rcpt_tos == ["asa.oberg@example.org"]
    message = received.message
    assert message["Subject"] == "Säkert meddelande från Västerås stad"
    assert message["From"].addresses[0].display_name == "Västerås stad"
    assert message["X-Sigill-Message"] == "msg-42"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Hej Åsa! Här är beslutet om färdtjänst." in text.get_content()
    assert LINK in text.get_content()
    assert f'href="{LINK}"' in html.get_content()


async def test_starttls_and_authentication_are_used_when_the_server_requires_them(
    secure_smtp: SmtpServer,
) -> None:
    assert secure_smtp.certificate is not None
    config = plain(secure_smtp, starttls=True, username=SECURE_LOGIN[0], password=SECURE_LOGIN[1])
    sender = SmtpEmailSender(config, now, tls_context=secure_smtp.certificate.client_context())
    await sender.send(link_mail())
    [received] = await secure_smtp.wait_for(1)
    assert received.message["X-Sigill-Message"] == "msg-42"


async def test_a_wrong_password_or_no_starttls_is_a_temporary_failure_and_sends_nothing(
    secure_smtp: SmtpServer,
) -> None:
    assert secure_smtp.certificate is not None
    context = secure_smtp.certificate.client_context()
    wrong = plain(secure_smtp, starttls=True, username=SECURE_LOGIN[0], password="fel-lösenord")
    with pytest.raises(TemporaryFailure, match="authentication"):
        await SmtpEmailSender(wrong, now, tls_context=context).send(link_mail())
    without_tls = plain(secure_smtp, starttls=False, username=SECURE_LOGIN[0], password=SECURE_LOGIN[1])
    with pytest.raises(TemporaryFailure):
        await SmtpEmailSender(without_tls, now, tls_context=context).send(link_mail())
    assert secure_smtp.messages == []


async def test_an_untrusted_certificate_is_refused(secure_smtp: SmtpServer) -> None:
    config = plain(secure_smtp, starttls=True, username=SECURE_LOGIN[0], password=SECURE_LOGIN[1])
    # The system's trust store does not know the test certificate.
    with pytest.raises(TemporaryFailure):
        await SmtpEmailSender(config, now).send(link_mail())
    assert secure_smtp.messages == []


async def test_a_4xx_is_temporary_and_a_5xx_for_the_recipient_is_permanent(refusing_smtp: SmtpServer) -> None:
    sender = SmtpEmailSender(plain(refusing_smtp), now)
    with pytest.raises(TemporaryFailure, match="451"):
        await sender.send(link_mail())
    with pytest.raises(TemporaryFailure, match="451"):
        await sender.send(link_mail())
    with pytest.raises(PermanentFailure, match="550"):
        await sender.send(link_mail("okand@example.org"))
    await sender.send(link_mail())
    assert [m.rcpt_tos for m in await refusing_smtp.wait_for(1)] == [["asa.oberg@example.org"]]


async def test_no_server_listening_is_a_temporary_failure() -> None:
    config = SmtpConfig(host=LOOPBACK, port=free_port(), from_address=FROM, starttls=False, timeout=2)
    with pytest.raises(TemporaryFailure, match="cannot be used"):
        await SmtpEmailSender(config, now).send(link_mail())


SMS = Sms(to="+46701234567", text="Din kod till Sigill är 123456. Den gäller i 10 minuter.")


async def test_an_sms_goes_to_acs_signed_with_the_access_key() -> None:
    async with fake_acs() as acs:
        sender = AcsSmsSender(
            AcsConfig(from_number="+46700000000", endpoint=acs.endpoint, access_key=ACCESS_KEY)
        )
        try:
            await sender.send(SMS)
        finally:
            await sender.close()
    assert acs.refused == []
    assert [(s.sender, s.to, s.message) for s in acs.sent] == [("+46700000000", SMS.to, SMS.text)]


async def test_a_connection_string_reaches_acs_over_https(tmp_path_factory: pytest.TempPathFactory) -> None:
    certificate = loopback_certificate(tmp_path_factory.mktemp("acs-tls"))
    async with fake_acs(tls=certificate.server_context()) as acs:
        assert acs.connection_string.startswith("endpoint=https://127.0.0.1:")
        sender = AcsSmsSender(
            AcsConfig(from_number="Sigill", connection_string=acs.connection_string),
            client_options={"connection_verify": str(certificate.cert_file)},
        )
        try:
            await sender.send(SMS)
        finally:
            await sender.close()
    assert acs.refused == []
    assert [s.message for s in acs.sent] == [SMS.text]


async def test_a_wrong_access_key_is_refused_by_the_signature_check() -> None:
    async with fake_acs() as acs:
        wrong_key = "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXkgISE="
        sender = AcsSmsSender(
            AcsConfig(from_number="+46700000000", endpoint=acs.endpoint, access_key=wrong_key)
        )
        try:
            with pytest.raises(TemporaryFailure, match="401"):
                await sender.send(SMS)
        finally:
            await sender.close()
    assert acs.refused == ["the signature does not match"]
    assert acs.sent == []


@pytest.mark.parametrize(
    ("answer", "failure"),
    [
        (429, TemporaryFailure),
        (500, TemporaryFailure),
        (400, PermanentFailure),
        ("unsuccessful", PermanentFailure),
    ],
)
async def test_acs_answers_are_sorted_into_temporary_and_permanent(
    answer: int | str, failure: type[Exception]
) -> None:
    async with fake_acs() as acs:
        acs.respond_with(answer)
        sender = AcsSmsSender(
            AcsConfig(from_number="+46700000000", endpoint=acs.endpoint, access_key=ACCESS_KEY)
        )
        try:
            with pytest.raises(failure) as raised:
                await sender.send(SMS)
        finally:
            await sender.close()
    # Neither the number nor the text leaks into the error.
    assert SMS.to not in str(raised.value)
    assert "123456" not in str(raised.value)
    assert acs.sent == []
