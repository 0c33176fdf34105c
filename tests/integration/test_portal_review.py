"""The portal under bad input, as a reviewer tries it from outside: every refusal is a plain Swedish page with a
4xx status (never a 500), and changes nothing.
"""

from __future__ import annotations

import re

from sigill import demo
from tests.integration.harness import JAN, Server
from tests.integration.portal_browser import Browser, code_in_outbox, link_in_outbox
from tests.integration.test_portal_link import delivery_of, send, unique_address, unique_mobile

# A multipart body whose framing is broken: no boundary line ever comes.
BROKEN_MULTIPART = {"data": b"\xff\xfe", "headers": {"Content-Type": "multipart/form-data; boundary=zz"}}
UNREADABLE = "Förfrågan gick inte att läsa."
NOT_A_CODE = "Koden består av 6 siffror."


async def test_a_broken_multipart_body_on_a_link_form_is_a_400_page_and_opens_nothing(server: Server) -> None:
    address = unique_address("trasig")
    message_id, _ = await send(server, {"address": address, "method": "email"}, loa=1)
    link = await link_in_outbox(server, address)
    async with Browser(server) as browser:
        landing = await browser.get(link)
        assert landing.has_button("Öppna meddelandet")
        refused = await browser.post(link + "/oppna", **BROKEN_MULTIPART)
    assert refused.status == 400, refused.main
    assert UNREADABLE in refused.main and "Traceback" not in refused.text
    assert (await delivery_of(server, message_id))["status"] == "unopened"


async def test_a_broken_multipart_body_on_an_account_form_is_a_400_page(server: Server) -> None:
    async with Browser(server) as browser:
        sign_in = await browser.get("/konto/logga-in")
        assert sign_in.status == 200
        refused = await browser.post("/konto/logga-in", **BROKEN_MULTIPART)
        refused_code = await browser.post("/konto/kod", **BROKEN_MULTIPART)
    assert (refused.status, refused_code.status) == (400, 400), (refused.main, refused_code.main)
    assert UNREADABLE in refused.main and UNREADABLE in refused_code.main


async def test_a_link_reply_that_is_too_long_keeps_the_form_and_says_why(server: Server) -> None:
    address = unique_address("langt")
    message_id, _ = await send(server, {"address": address, "method": "email"}, loa=1)
    link = await link_in_outbox(server, address)
    too_long = "å" * (server.components.deps.limits.body_max_chars + 1)
    async with Browser(server) as browser:
        reading = await browser.press(await browser.get(link), "Öppna meddelandet")
        refused = await browser.press(reading, "Skicka svar", body=too_long)
    assert refused.status == 422, refused.main
    # The refusal stands beside the field, in Swedish, and what the person wrote is still there to shorten.
    assert "Meddelandet får vara högst" in refused.main
    assert refused.field_named_by("Svar") == "body" and too_long in refused.text
    assert (await delivery_of(server, message_id))["status"] == "opened"


async def test_what_cannot_be_a_code_is_refused_without_costing_a_try_on_a_link(server: Server) -> None:
    phone = unique_mobile()
    address = unique_address("bokstaver")
    message_id, _ = await send(server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    link = await link_in_outbox(server, address)
    async with Browser(server) as browser:
        asked = await browser.press(await browser.get(link), "Skicka kod")
        code = await code_in_outbox(server, phone)
        # Letters, a digit too many, a digit too few: five of them would have locked the delivery.
        for typed in ("abcdef", "1234567", "12345", "l2345б", "9" * 3000, "١٢٣٤٥٦"):
            refused = await browser.press(asked, "Öppna meddelandet", code=typed)
            assert refused.status == 422, (typed, refused.main)
            assert NOT_A_CODE in refused.main and "försök kvar" not in refused.main
        wrong = "000000" if code != "000000" else "111111"
        counted = await browser.press(asked, "Öppna meddelandet", code=wrong)
        assert counted.status == 422 and "Du har 4 försök kvar." in counted.main
        opened = await browser.press(asked, "Öppna meddelandet", code=code)
    assert opened.status == 200 and opened.has_button("Skicka svar"), opened.main
    delivery = await delivery_of(server, message_id)
    assert (delivery["status"], delivery["locked_until"]) == ("opened", None)


async def test_what_cannot_be_a_code_is_refused_without_costing_a_try_at_sign_in(server: Server) -> None:
    async with Browser(server) as browser:
        sign_in = await browser.get("/konto/logga-in")
        asked = await browser.press(sign_in, "Logga in", email=JAN, password=demo.CLINIC_PASSWORD)
        assert asked.field_named_by("Kod") == "code", asked.main
        code = await code_in_outbox(server, demo.CLINIC_PHONE)
        for typed in ("abcdef", "1234567", "12 34"):
            refused = await browser.press(asked, "Logga in", code=typed)
            assert refused.status == 422, (typed, refused.main)
            assert NOT_A_CODE in refused.main and "försök kvar" not in refused.main
        wrong = "000000" if code != "000000" else "111111"
        counted = await browser.press(asked, "Logga in", code=wrong)
        assert counted.status == 422 and "Du har 4 försök kvar." in counted.main
        inbox = await browser.press(asked, "Logga in", code=code)
    assert inbox.status == 200 and inbox.url.endswith("/konto/inkorg"), inbox.main


def _marked_swedish(html: str, tag: str, text: str) -> bool:
    """Whether a `tag` element reading `text` carries lang="sv"."""
    return re.search(rf'<{tag}\b[^>]*\blang="sv"[^>]*>\s*{re.escape(text)}\s*</{tag}>', html) is not None


async def test_the_swedish_labels_on_an_english_page_are_marked_swedish(server: Server) -> None:
    phone = unique_mobile()
    address = unique_address("engelska")
    await send(server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    link = await link_in_outbox(server, address)
    async with Browser(server) as browser:
        landing = await browser.get(link + "?lang=en")
        asked = await browser.press(landing, "Skicka kod")
        sign_in = await browser.get("/konto/logga-in?lang=en")
    assert '<html lang="en">' in landing.text and '<html lang="en">' in asked.text
    assert _marked_swedish(landing.text, "button", "Skicka kod")
    assert _marked_swedish(asked.text, "button", "Öppna meddelandet")
    assert _marked_swedish(asked.text, "label", "Kod")
    for label in ("E-post", "Lösenord"):
        assert _marked_swedish(sign_in.text, "label", label), label
    for button in (
        "Logga in",
        "Identifiera med BankID",
        "Identifiera med Freja eID",
        "Identifiera med SITHS-kort",
    ):
        assert _marked_swedish(sign_in.text, "button", button), button
    # English words stay English: only the fixed Swedish labels are marked.
    assert not re.search(r'lang="sv"[^>]*>\s*Send a new code', asked.text)
