"""The link in the e-mail, end to end on the real server: from the e-mail in /dev/outbox to the reply in the sender's
inbox, for every method, and every refusal on the way (mail scanners, CSRF, recalls, wrong people, wrong codes).

The server runs with short SMS windows (a new code after 1 s, 5 codes per 20 s, a 3 s lock) so the limits can be
crossed without waiting an hour; the rules themselves are the defaults' (5 wrong codes lock, codes have 6 digits).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.integration.conftest import BACKENDS, _cosmos
from tests.integration.harness import ANNA, SOCIAL, Server, free_port, run_server, server_settings
from tests.integration.portal_browser import Browser, Page, code_in_outbox, link_in_outbox

TOLVAN = "191212121212"
KARIN = "198112289874"
KARIN_EMAIL = "karin.lind@vardcentralen.example"
NEUTRAL = "Meddelandet går inte att öppna"


@pytest.fixture(scope="module", params=BACKENDS)
async def portal_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    backend = request.param
    settings = server_settings(
        backend,
        tmp_path_factory.mktemp(f"portal-{backend}"),
        free_port(),
        _cosmos(request, backend),
        portal={"code_min_interval_s": 1, "code_send_window_s": 20, "code_lockout_s": 3},
    )
    async for running in run_server(settings):
        yield running


def unique_address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@mottagare.example"


def unique_mobile() -> str:
    return f"+4670{random.randrange(10**7):07d}"


async def send(
    server: Server,
    recipient: dict[str, str],
    *,
    loa: int,
    subject: str = "Ditt ärende",
    body: str = "Hej! Läs mer på https://vasteras.example/info.",
    reply_allowed: bool = True,
    sender: str = ANNA,
    from_: str | None = None,
    files: list[tuple[str, str, bytes]] | None = None,
) -> tuple[str, str]:
    """Send from `sender` to one link recipient; (message id, delivery id)."""
    message: dict[str, Any] = {
        "recipients": [recipient],
        "subject": subject,
        "body": body,
        "loa": loa,
        "reply_allowed": reply_allowed,
    }
    if from_:
        message["from"] = from_
    if files:
        form = aiohttp.FormData()
        form.add_field("message", json.dumps(message), content_type="application/json")
        for name, content_type, data in files:
            form.add_field("attachment", data, filename=name, content_type=content_type)
        response = await server.post("/messages", sender, data=form)
    else:
        response = await server.post("/messages", sender, json=message)
    assert response.status == 201, response.body
    return response.body["id"], response.body["deliveries"][0]["id"]


async def delivery_of(server: Server, message_id: str, *, as_user: str = ANNA) -> dict[str, Any]:
    response = await server.get(f"/messages/{message_id}", as_user)
    assert response.status == 200, response.body
    deliveries: list[dict[str, Any]] = response.body["deliveries"]
    return deliveries[0]


async def approve(server: Server, **fields: str) -> int:
    async with server.session.post(f"{server.base}/dev/eid/approve", json=fields) as response:
        return response.status


async def staff_token(server: Server, email: str, loa: int) -> str:
    async with server.session.post(f"{server.base}/dev/token", json={"email": email, "loa": loa}) as response:
        assert response.status == 200
        token: str = (await response.json())["access_token"]
        return token


async def sender_inbox(server: Server, mailbox: str, as_user: str, loa: int) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {await staff_token(server, as_user, loa)}"}
    url = f"{server.base}/api/v1/mailboxes/{mailbox}/inbox"
    async with server.session.get(url, headers=headers) as response:
        assert response.status == 200, await response.text()
        items: list[dict[str, Any]] = (await response.json())["items"]
        return items


async def read_as_staff(server: Server, message_id: str, as_user: str, loa: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {await staff_token(server, as_user, loa)}"}
    async with server.session.get(f"{server.base}/api/v1/messages/{message_id}", headers=headers) as response:
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body


async def reply_and_find_it(
    server: Server, browser: Browser, reading: Page, mailbox: str, *, loa: int, text: str
) -> dict[str, Any]:
    """Reply on the reading page with a file; the reply as the sender's side reads it through the REST API."""
    form = reading.form("Skicka svar")
    assert reading.field_named_by("Svar") == "body"
    data = aiohttp.FormData()
    data.add_field("csrf_token", form.fields["csrf_token"])
    data.add_field("body", text)
    data.add_field("files", b"svar-bilaga", filename="intyg.pdf", content_type="application/pdf")
    answered = await browser.post(reading.url.rstrip("/") + "/svar", data=data)
    assert answered.status == 200, answered.main
    assert "Ditt svar har skickats." in answered.main
    inbox = await sender_inbox(server, mailbox, ANNA, loa)
    mine = [item for item in inbox if item["subject"] and item["subject"].startswith("Sv: ")]
    assert mine, inbox
    reply = await read_as_staff(server, mine[0]["message_id"], ANNA, loa)
    assert reply["body"] == text
    assert [a["name"] for a in reply["attachments"]] == ["intyg.pdf"]
    return mine[0]


# Mail scanners and GETs.


async def test_a_hundred_gets_of_a_link_open_nothing_start_nothing_and_send_nothing(
    portal_server: Server,
) -> None:
    phone = unique_mobile()
    links = []
    sent = []
    for recipient, loa in (
        ({"address": unique_address("scan-mail")}, 1),
        ({"address": unique_address("scan-sms"), "method": "sms", "phone": phone}, 2),
        ({"address": unique_address("scan-eid"), "method": "eid", "personal_number": TOLVAN}, 3),
    ):
        message_id, _ = await send(portal_server, recipient, loa=loa)
        sent.append(message_id)
        links.append(await link_in_outbox(portal_server, recipient["address"]))
    async with Browser(portal_server) as scanner:
        for link in links:
            pages = await asyncio.gather(*(scanner.get(link) for _ in range(100)))
            assert {page.status for page in pages} == {200}
            assert all("Västerås stad" in page.main and "Anna Andersson" in page.main for page in pages)
    for message_id in sent:
        delivery = await delivery_of(portal_server, message_id)
        assert (delivery["status"], delivery["opened_at"]) == ("unopened", None)
    assert [item for item in await portal_server.outbox(phone)] == []
    # No identification was started: there is nothing for /dev/eid to approve.
    assert await approve(portal_server, personal_number=TOLVAN) == 404


async def test_the_page_before_identification_says_who_sent_it_the_level_and_how_to_identify(
    portal_server: Server,
) -> None:
    phone = "+46701234567"
    address = unique_address("before")
    await send(portal_server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    async with Browser(portal_server) as browser:
        page = await browser.get(await link_in_outbox(portal_server, address))
        assert page.status == 200
        assert "Anna Andersson" in page.main and "Västerås stad (demo)" in page.main
        assert "Tillitsnivå 2 (LoA2)" in page.main
        assert "+46 70 *** ** 67" in page.main and phone not in page.text
        assert page.has_button("Skicka kod")
        assert "Ditt ärende" not in page.text  # nothing of the content before identification
        english = await browser.get(page.url + "?lang=en")
        assert '<html lang="en">' in english.text and "Level 2 (LoA2)" in english.main
        assert english.has_button("Skicka kod")  # the product's labels stay as they are
        # The choice is remembered (a cookie), and the switch back is a plain link.
        remembered = await browser.get(page.url)
        assert '<html lang="en">' in remembered.text
        assert f'href="{urlsplit(page.url).path}?lang=sv"' in remembered.text
        assert '<html lang="sv">' in (await browser.get(page.url + "?lang=sv")).text


async def test_portal_pages_carry_the_security_headers(portal_server: Server) -> None:
    address = unique_address("headers")
    await send(portal_server, {"address": address}, loa=1)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        reading = await browser.press(landing, "Öppna meddelandet")
        unknown = await browser.get("/r/0/0/nothing-here-at-all-000")
    for page in (landing, reading, unknown):
        csp = page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        assert "<script>" not in page.text  # no inline script at all
    cookie = next(v for k, v in reading.headers.items() if k.lower() == "set-cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# The neutral page.


async def test_recalled_expired_and_unknown_links_show_the_same_page_with_404(portal_server: Server) -> None:
    recalled_to, expired_to, known_to = (unique_address(p) for p in ("recalled", "expired", "known"))
    recalled_message, recalled_delivery = await send(portal_server, {"address": recalled_to}, loa=1)
    _, expired_delivery = await send(portal_server, {"address": expired_to}, loa=1)
    await send(portal_server, {"address": known_to}, loa=1)
    recalled_link = await link_in_outbox(portal_server, recalled_to)
    expired_link = await link_in_outbox(portal_server, expired_to)
    known_link = await link_in_outbox(portal_server, known_to)
    recall = await portal_server.post(
        f"/messages/{recalled_message}/deliveries/{recalled_delivery}/recall", ANNA
    )
    assert recall.status == 200, recall.body
    await _age_delivery(portal_server, expired_delivery, days=31)
    org, delivery, token = known_link.split("/")[2:5]
    unknown = [
        f"/r/{org}/{delivery}/{'x' * len(token)}",  # a wrong token
        f"/r/{org}/{uuid.uuid4().hex}/{token}",  # no such delivery
        f"/r/{uuid.uuid4().hex}/{delivery}/{token}",  # no such organisation
        f"/r/{org}/{delivery}",  # cut short
    ]
    async with Browser(portal_server) as browser:
        pages = [await browser.get(path) for path in (recalled_link, expired_link, *unknown)]
    assert {page.status for page in pages} == {404}
    assert len({page.main for page in pages}) == 1
    assert NEUTRAL in pages[0].main


async def _age_delivery(server: Server, delivery_id: str, *, days: int) -> None:
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    async with server.components.store.unit_of_work(org.org_id) as uow:
        delivery = await uow.deliveries.get(delivery_id)
        assert delivery is not None
        delivery.sent_at -= timedelta(days=days)
        uow.deliveries.update(delivery)
        await uow.commit()


# CSRF.


async def test_every_state_change_needs_the_sessions_csrf_token(portal_server: Server) -> None:
    phone = unique_mobile()
    mail_to, sms_to = unique_address("csrf-mail"), unique_address("csrf-sms")
    mail_message, _ = await send(portal_server, {"address": mail_to}, loa=1)
    sms_message, _ = await send(portal_server, {"address": sms_to, "method": "sms", "phone": phone}, loa=2)
    mail_link = await link_in_outbox(portal_server, mail_to)
    sms_link = await link_in_outbox(portal_server, sms_to)
    async with Browser(portal_server) as browser, Browser(portal_server) as other:
        landing = await browser.get(mail_link)
        their_token = (await other.get(mail_link)).form("Öppna meddelandet").fields["csrf_token"]
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": their_token}):
            refused = await browser.post(mail_link + "/oppna", data=data)
            assert refused.status == 403, data
            assert "Ladda om sidan" in refused.main
        # Without the session cookie, the page's own token is worth nothing either.
        async with aiohttp.ClientSession() as bare:
            token = landing.form("Öppna meddelandet").fields["csrf_token"]
            async with bare.post(browser.url(mail_link + "/oppna"), data={"csrf_token": token}) as response:
                assert response.status == 403
        await browser.get(sms_link)
        assert (await browser.post(sms_link + "/kod/skicka", data={})).status == 403
    assert (await delivery_of(portal_server, mail_message))["status"] == "unopened"
    assert (await delivery_of(portal_server, sms_message))["status"] == "unopened"
    assert await portal_server.outbox(phone) == []


# E-mail (LoA1), end to end.


async def test_email_link_opens_reads_downloads_and_replies_into_a_function_mailbox(
    portal_server: Server,
) -> None:
    address = unique_address("lo1")
    message_id, _ = await send(
        portal_server,
        {"address": address},
        loa=1,
        subject="Kallelse",
        body='Välkommen! Se https://vasteras.example/karta?x=1&y=2 <b>"inte html"</b>',
        from_=SOCIAL,
        files=[
            ("kallelse.pdf", "application/pdf", b"%PDF-1.7 kallelse"),
            ("Karta över ån.txt", "text/plain", b"karta"),
        ],
    )
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        reading = await browser.press(landing, "Öppna meddelandet")
        assert reading.status == 200
        assert '<h1 class="heading-l">Kallelse</h1>' in reading.text
        assert (
            '<a href="https://vasteras.example/karta?x=1&amp;y=2" rel="noopener noreferrer nofollow"'
            in reading.text
        )
        assert "&lt;b&gt;&#34;inte html&#34;&lt;/b&gt;" in reading.text and "<b>" not in reading.text
        delivery = await delivery_of(portal_server, message_id)
        assert (delivery["status"], delivery["opened_method"], delivery["opened_loa"]) == (
            "opened",
            "email",
            1,
        )
        assert delivery["opened_at"] is not None
        hrefs = re.findall(r'href="([^"]+/bilagor/[0-9a-f]+)"', reading.text)
        assert len(hrefs) == 2
        async with browser.session.get(browser.url(hrefs[1])) as response:
            assert response.status == 200
            assert await response.read() == b"karta"
            assert response.headers["Content-Type"].startswith("text/plain")
            assert (
                response.headers["Content-Disposition"]
                == "attachment; filename*=UTF-8''Karta%20%C3%B6ver%20%C3%A5n.txt"
            )
            assert response.headers["Cache-Control"] == "no-store"
            assert "sandbox" in response.headers["Content-Security-Policy"]
        reply = await reply_and_find_it(portal_server, browser, reading, SOCIAL, loa=1, text="Jag kommer.")
    assert reply["case"] is not None and reply["case"]["status"] == "open"
    delivery = await delivery_of(portal_server, message_id)
    assert delivery["status"] == "answered" and delivery["answered_at"] is not None


async def test_a_reply_without_text_is_refused_with_an_error_tied_to_the_field(portal_server: Server) -> None:
    address = unique_address("empty-reply")
    message_id, _ = await send(portal_server, {"address": address}, loa=1)
    async with Browser(portal_server) as browser:
        reading = await browser.press(
            await browser.get(await link_in_outbox(portal_server, address)), "Öppna meddelandet"
        )
        refused = await browser.press(reading, "Skicka svar", body="   ")
        assert refused.status == 422
        assert '<a href="#body">Skriv ditt svar</a>' in refused.text
        assert 'aria-describedby="body-error"' in refused.text
    assert (await delivery_of(portal_server, message_id))["status"] == "opened"


async def test_no_reply_form_when_replies_are_not_allowed(portal_server: Server) -> None:
    address = unique_address("no-reply")
    await send(portal_server, {"address": address}, loa=1, reply_allowed=False)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        reading = await browser.press(landing, "Öppna meddelandet")
        assert not reading.has_button("Skicka svar")
        assert "Avsändaren har inte gjort det möjligt att svara" in reading.main
        refused = await browser.post(
            reading.url + "/svar", data={"csrf_token": reading.forms[0].fields["csrf_token"], "body": "Hej"}
        )
        assert refused.status == 403


# SMS (LoA2).


async def test_sms_code_opens_the_message_end_to_end(portal_server: Server) -> None:
    phone = unique_mobile()
    address = unique_address("lo2")
    message_id, _ = await send(portal_server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        code_page = await browser.press(landing, "Skicka kod")
        assert code_page.status == 200 and code_page.url.endswith("/kod")
        masked = f"+46 70 *** ** {phone[-2:]}"
        assert masked in code_page.main
        assert code_page.field_named_by("Kod") == "code"
        code = await code_in_outbox(portal_server, phone)
        reading = await browser.press(code_page, "Öppna meddelandet", code=code)
        assert reading.status == 200 and "Ditt ärende" in reading.main
        # A code works once.
        again = await browser.post(
            code_page.url, data={"csrf_token": reading.forms[0].fields["csrf_token"], "code": code}
        )
        assert again.status in (200, 422)
        await reply_and_find_it(portal_server, browser, reading, ANNA, loa=2, text="Tack för beskedet.")
    delivery = await delivery_of(portal_server, message_id)
    assert (delivery["status"], delivery["opened_method"], delivery["opened_loa"]) == ("answered", "sms", 2)
    [sms] = [item for item in await portal_server.outbox(phone) if item["channel"] == "sms"]
    assert "Västerås stad (demo)" in sms["body"]


async def test_new_codes_at_most_once_per_interval_and_five_per_window(portal_server: Server) -> None:
    phone = unique_mobile()
    address = unique_address("rate")
    await send(portal_server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        first = await browser.press(landing, "Skicka kod")
        assert first.status == 200
        too_soon = await browser.press(first, "Skicka en ny kod")
        assert too_soon.status == 429
        assert "Du kan inte få en ny kod riktigt än" in too_soon.main
        await portal_server.wait_for_outbox(phone, 1)
        for _ in range(4):
            await asyncio.sleep(1.1)
            assert (await browser.press(first, "Skicka en ny kod")).status == 200
        await asyncio.sleep(1.1)
        sixth = await browser.press(first, "Skicka en ny kod")
        assert sixth.status == 429
    await asyncio.sleep(1)
    assert len(await portal_server.outbox(phone)) == 5


async def test_five_wrong_codes_lock_the_delivery_and_the_sender_sees_it(portal_server: Server) -> None:
    phone = unique_mobile()
    address = unique_address("lock")
    message_id, _ = await send(portal_server, {"address": address, "method": "sms", "phone": phone}, loa=2)
    async with Browser(portal_server) as browser:
        code_page = await browser.press(
            await browser.get(await link_in_outbox(portal_server, address)), "Skicka kod"
        )
        code = await code_in_outbox(portal_server, phone)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for tries_left in (4, 3, 2, 1):
            page = await browser.press(code_page, "Öppna meddelandet", code=wrong)
            assert page.status == 422
            assert f"Du har {tries_left} försök kvar" in page.main
            assert '<a href="#code">' in page.text
        locked = await browser.press(code_page, "Öppna meddelandet", code=wrong)
        assert locked.status == 429
        assert "Du har skrivit fel kod för många gånger" in locked.main
        delivery = await delivery_of(portal_server, message_id)
        assert delivery["locked_until"] is not None and delivery["status"] == "unopened"
        # While locked, even the right code opens nothing, and no new code goes out.
        assert (await browser.press(code_page, "Öppna meddelandet", code=code)).status == 429
        assert (await browser.press(code_page, "Skicka en ny kod")).status == 429
        assert (await delivery_of(portal_server, message_id))["status"] == "unopened"
        await asyncio.sleep(3.2)
        fresh = await browser.press(code_page, "Skicka en ny kod")
        assert fresh.status == 200
        new_code = await code_in_outbox(portal_server, phone, 2)
        reading = await browser.press(fresh, "Öppna meddelandet", code=new_code)
        assert reading.status == 200 and "Ditt ärende" in reading.main
    assert (await delivery_of(portal_server, message_id))["status"] == "opened"


# e-ID (LoA3).


@pytest.mark.parametrize(
    ("button", "method"), [("Identifiera med BankID", "bankid"), ("Identifiera med Freja eID", "freja")]
)
async def test_eid_opens_for_the_right_person_end_to_end(
    portal_server: Server, button: str, method: str
) -> None:
    address = unique_address(f"lo3-{method}")
    message_id, _ = await send(
        portal_server, {"address": address, "method": "eid", "personal_number": "19121212-1212"}, loa=3
    )
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        waiting = await browser.press(landing, button)
        assert waiting.status == 200 and waiting.url.endswith("/eid")
        assert waiting.has_button("Fortsätt")
        if method == "bankid":
            assert 'href="bankid:///?autostarttoken=' in waiting.text
            qr = await browser.get(waiting.url + "/qr.svg")
            assert qr.status == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
            assert b"<svg" in qr.raw
            still = await browser.press(waiting, "Fortsätt")
            assert still.status == 200 and "Starta BankID-appen" in still.main
        assert await approve(portal_server, personal_number=TOLVAN) == 200
        reading = await browser.press(waiting, "Fortsätt")
        assert reading.status == 200 and "Ditt ärende" in reading.main
        await reply_and_find_it(portal_server, browser, reading, ANNA, loa=3, text=f"Svar via {method}.")
    delivery = await delivery_of(portal_server, message_id, as_user=ANNA)
    assert (delivery["status"], delivery["opened_method"], delivery["opened_loa"]) == ("answered", method, 3)


async def test_a_wrong_personal_number_opens_nothing_and_is_audited(portal_server: Server) -> None:
    address = unique_address("wrong-person")
    message_id, delivery_id = await send(
        portal_server, {"address": address, "method": "eid", "personal_number": TOLVAN}, loa=3
    )
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        waiting = await browser.press(landing, "Identifiera med BankID")
        assert await approve(portal_server, personal_number=KARIN) == 200
        refused = await browser.press(waiting, "Fortsätt")
        assert refused.status == 403
        assert refused.main == "Identifieringen misslyckades Identifieringen misslyckades."
        again = await browser.get(landing.url)
        assert again.has_button("Identifiera med BankID") and "Ditt ärende" not in again.text
    assert (await delivery_of(portal_server, message_id))["status"] == "unopened"
    org = await portal_server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    events = [e async for e in portal_server.components.store.audit_events(org.org_id)]
    failed = [
        e
        for e in events
        if e.action == "link.identification_failed" and e.target == f"delivery:{delivery_id}"
    ]
    assert [e.details["reason"] for e in failed] == ["person_mismatch"]
    assert KARIN not in json.dumps([e.details for e in events]) and TOLVAN not in json.dumps(
        [e.details for e in events]
    )


# SITHS (LoA3).


async def test_siths_opens_for_the_cards_own_address_end_to_end(portal_server: Server) -> None:
    message_id, _ = await send(portal_server, {"address": KARIN_EMAIL, "method": "siths"}, loa=3)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, KARIN_EMAIL))
        form = landing.form("Identifiera med SITHS-kort")
        async with browser.session.post(
            browser.url(form.action), data=form.fields, allow_redirects=False
        ) as response:
            assert response.status == 303
            authorize = response.headers["Location"]
        assert "acr_values=http%3A%2F%2Fid.elegnamnden.se%2Floa%2F1.0%2Floa3" in authorize
        assert "code_challenge_method=S256" in authorize
        sign_in = await browser.get(authorize)
        assert await approve(portal_server, email=KARIN_EMAIL) == 200
        reading = await browser.get(sign_in.url)
        assert reading.status == 200 and "Ditt ärende" in reading.main
        await reply_and_find_it(portal_server, browser, reading, ANNA, loa=3, text="Svar med SITHS.")
    delivery = await delivery_of(portal_server, message_id)
    assert (delivery["status"], delivery["opened_method"], delivery["opened_loa"]) == ("answered", "siths", 3)


async def test_siths_with_another_address_opens_nothing(portal_server: Server) -> None:
    address = unique_address("siths-other")
    message_id, _ = await send(portal_server, {"address": address, "method": "siths"}, loa=3)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        form = landing.form("Identifiera med SITHS-kort")
        async with browser.session.post(
            browser.url(form.action), data=form.fields, allow_redirects=False
        ) as response:
            sign_in = await browser.get(response.headers["Location"])
        assert await approve(portal_server, email=KARIN_EMAIL) == 200
        refused = await browser.get(sign_in.url)
        assert refused.status == 403 and "Identifieringen misslyckades" in refused.main
        assert "Ditt ärende" not in refused.text
    assert (await delivery_of(portal_server, message_id))["status"] == "unopened"


# Sessions.


async def test_a_recall_ends_a_session_that_began_before_it(portal_server: Server) -> None:
    address = unique_address("recall-session")
    message_id, delivery_id = await send(
        portal_server, {"address": address}, loa=1, files=[("a.txt", "text/plain", b"a")]
    )
    link = await link_in_outbox(portal_server, address)
    async with Browser(portal_server) as browser:
        landing = await browser.get(link)
        form = landing.form("Öppna meddelandet")
        async with browser.session.post(
            browser.url(form.action), data=form.fields, allow_redirects=False
        ) as response:
            assert response.status == 303  # identified; not read yet, so still unopened and recallable
        recall = await portal_server.post(f"/messages/{message_id}/deliveries/{delivery_id}/recall", ANNA)
        assert recall.status == 200, recall.body
        after = await browser.get(link)
        assert after.status == 404 and NEUTRAL in after.main
        message = await portal_server.get(f"/messages/{message_id}", ANNA)
        attachment_id = message.body["attachments"][0]["id"]
        assert (await browser.get(f"{link}/bilagor/{attachment_id}")).status == 404
        assert (
            await browser.post(f"{link}/svar", data={"csrf_token": form.fields["csrf_token"], "body": "x"})
        ).status == 404
    assert (await delivery_of(portal_server, message_id))["status"] == "recalled"


async def test_one_deliverys_session_cannot_read_another_deliverys_message_or_attachment(
    portal_server: Server,
) -> None:
    mine_to, theirs_to = unique_address("mine"), unique_address("theirs")
    _, _ = await send(
        portal_server, {"address": mine_to}, loa=1, subject="Mitt", files=[("m.txt", "text/plain", b"m")]
    )
    theirs_message, _ = await send(
        portal_server, {"address": theirs_to}, loa=1, subject="Deras", files=[("d.txt", "text/plain", b"d")]
    )
    mine, theirs = (
        await link_in_outbox(portal_server, mine_to),
        await link_in_outbox(portal_server, theirs_to),
    )
    their_attachment = (await portal_server.get(f"/messages/{theirs_message}", ANNA)).body["attachments"][0][
        "id"
    ]
    async with Browser(portal_server) as browser:
        reading = await browser.press(await browser.get(mine), "Öppna meddelandet")
        assert "Mitt" in reading.main
        sealed = browser.cookie("sigill_link")
        assert sealed
        # The cookie carried over by hand to the other link still opens nothing there.
        headers = {"Cookie": f"sigill_link={sealed}"}
        async with aiohttp.ClientSession() as thief:
            async with thief.get(browser.url(theirs), headers=headers) as response:
                page = await response.text()
                assert response.status == 200 and "Deras" not in page and "Öppna meddelandet" in page
            async with thief.get(
                browser.url(f"{theirs}/bilagor/{their_attachment}"), headers=headers
            ) as response:
                assert response.status == 404
        # Nor does the other message's attachment open under this link.
        assert (await browser.get(f"{mine}/bilagor/{their_attachment}")).status == 404
    assert (await delivery_of(portal_server, theirs_message))["status"] == "unopened"


async def test_closing_the_message_ends_the_session(portal_server: Server) -> None:
    address = unique_address("close")
    await send(portal_server, {"address": address}, loa=1)
    async with Browser(portal_server) as browser:
        link = await link_in_outbox(portal_server, address)
        reading = await browser.press(await browser.get(link), "Öppna meddelandet")
        closed = await browser.press(reading, "Stäng meddelandet")
        assert closed.status == 200 and closed.has_button("Öppna meddelandet")
        assert "Ditt ärende" not in closed.text


async def test_the_bankid_page_renews_its_qr_code_and_scripts_collect_through_the_same_post(
    portal_server: Server,
) -> None:
    address = unique_address("qr")
    await send(portal_server, {"address": address, "method": "eid", "personal_number": TOLVAN}, loa=3)
    async with Browser(portal_server) as browser:
        landing = await browser.get(await link_in_outbox(portal_server, address))
        waiting = await browser.press(landing, "Identifiera med BankID")
        assert '<script src="/static/portal.js"></script>' in waiting.text
        first = await browser.get(waiting.url + "/qr.svg")
        await asyncio.sleep(1.1)
        second = await browser.get(waiting.url + "/qr.svg?s=1")
        assert first.raw != second.raw  # the animated code: a new one every second
        collect = waiting.form("Fortsätt")
        headers = {"Accept": "application/json"}
        pending = await browser.post(waiting.url + "/hamta", data=collect.fields, headers=headers)
        assert pending.status == 200
        assert json.loads(pending.text) == {"status": "pending", "message": "Starta BankID-appen."}
        assert await approve(portal_server, personal_number=TOLVAN) == 200
        done = json.loads(
            (await browser.post(waiting.url + "/hamta", data=collect.fields, headers=headers)).text
        )
        assert done == {"status": "done", "next": landing.url.removeprefix(portal_server.base)}
        reading = await browser.get(done["next"])
        assert "Ditt ärende" in reading.main
    async with Browser(portal_server) as anonymous:
        # No identification under way in this browser: no QR code to show.
        assert (await anonymous.get(waiting.url + "/qr.svg")).status == 404
