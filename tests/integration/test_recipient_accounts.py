"""Registered recipients' accounts over real HTTP: invited by staff, taken up, signed in to, read, answered.

A browser is played by an aiohttp session with its own cookie jar: it fetches the pages, posts their forms with
the CSRF token they carry, and reads the e-mails and SMS codes the worker delivered to the development outbox.
E-identification is approved at /dev/eid/approve, as a person would approve it in the app.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from identity.accounts.passwords import common_passwords
from sigill import demo
from store.records import RecipientAccount
from tests.integration.harness import ANNA, EVA, JAN, Server

PASSWORD = "korvbröd-på-torsdagar"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"\b(\d{6})\b")
_INVITATION = re.compile(r"(http://\S+/konto/inbjudan/\S+)")


@dataclass
class Page:
    status: int
    text: str
    url: str


class Browser:
    """One person's browser: cookies kept (for 127.0.0.1 too), forms posted with their CSRF token."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.last: Page | None = None

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str) -> Page:
        async with self.http.get(self._url(path)) as resp:
            self.last = Page(resp.status, await resp.text(), str(resp.url))
        return self.last

    async def post(self, path: str, fields: dict[str, str] | None = None, *, csrf: bool = True) -> Page:
        data = dict(fields or {})
        if csrf:
            assert self.last is not None, "post after a page, whose form carries the token"
            data["csrf_token"] = _CSRF.findall(self.last.text)[0]
        async with self.http.post(self._url(path), data=data) as resp:
            self.last = Page(resp.status, await resp.text(), str(resp.url))
        return self.last

    async def post_form(self, path: str, form: aiohttp.FormData) -> Page:
        async with self.http.post(self._url(path), data=form) as resp:
            self.last = Page(resp.status, await resp.text(), str(resp.url))
        return self.last

    def csrf(self) -> str:
        assert self.last is not None
        return str(_CSRF.findall(self.last.text)[0])

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.server.base}{path}"


@pytest.fixture
async def browser(server: Server) -> Any:
    opened = Browser(server)
    yield opened
    await opened.close()


def unique_address() -> str:
    return f"mottagare-{uuid.uuid4().hex[:10]}@klinik.example"


def unique_phone() -> str:
    return f"+467012{uuid.uuid4().int % 100000:05d}"


async def latest_code(server: Server, phone: str, count: int) -> str:
    items = await server.wait_for_outbox(phone, count)
    assert items[0]["channel"] == "sms"
    found = _CODE.findall(items[0]["body"])
    assert found, items[0]["body"]
    return str(found[0])


async def invite(server: Server, address: str, *, as_user: str = ANNA, **extra: str) -> dict[str, Any]:
    resp = await server.post(
        "/accounts/invitations", as_user, json={"email": address, "name": "Klinik", **extra}
    )
    assert resp.status == 201, resp.body
    body: dict[str, Any] = resp.body
    return body


async def invitation_link(server: Server, address: str, count: int = 1) -> str:
    items = await server.wait_for_outbox(address, count)
    assert items[0]["channel"] == "email"
    return str(_INVITATION.findall(items[0]["body"])[0])


async def take_up(
    server: Server, browser: Browser, address: str, phone: str, password: str = PASSWORD
) -> None:
    """Follow the invitation e-mail: choose a password and the number, confirm with the SMS code."""
    link = await invitation_link(server, address)
    form = await browser.get(link)
    assert form.status == 200, form.text
    chosen = await browser.post(link, {"password": password, "repeat_password": password, "phone": phone})
    assert chosen.status == 200 and "Bekräfta ditt mobilnummer" in chosen.text, chosen.text
    code = await latest_code(server, phone, 1)
    confirmed = await browser.post("/konto/inbjudan/bekrafta", {"code": code})
    assert confirmed.status == 200 and confirmed.url.endswith("/konto/inkorg"), confirmed.text


async def sign_in(
    server: Server, browser: Browser, address: str, password: str, phone: str, sms: int
) -> Page:
    await browser.get("/konto/logga-in")
    asked = await browser.post("/konto/logga-in", {"email": address, "password": password})
    assert asked.status == 200 and 'name="code"' in asked.text, asked.text
    code = await latest_code(server, phone, sms)
    return await browser.post("/konto/kod", {"code": code})


async def stored_account(server: Server, address: str, domain: str = "vasteras.example") -> RecipientAccount:
    store = server.components.store
    org = await store.organisation_by_domain(domain)
    assert org is not None
    async with store.unit_of_work(org.org_id) as uow:
        account = await uow.recipients.by_email(address)
    assert account is not None
    return account


async def test_invited_person_signs_in_reads_steps_up_and_replies(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    personal_number = "198112289874"
    invited = await invite(server, address, personal_number="19811228-9874")
    assert invited["account"]["status"] == "invited" and invited["status"] == "sent"
    # Nothing secret comes back, and nothing secret is stored in the clear.
    assert "token" not in str(invited) and personal_number not in str(invited)

    await take_up(server, browser, address, phone)
    account = await stored_account(server, address)
    assert (
        account.status == "active"
        and account.password_hash
        and account.password_hash.startswith("$argon2id$")
    )
    assert [(m.kind, m.is_default, m.confirmed_at is not None) for m in account.methods] == [
        ("sms", True, True)
    ]
    stored = repr(account)
    assert phone not in stored and phone[3:] not in stored and personal_number not in stored
    assert PASSWORD not in stored

    level2 = await server.send(
        ANNA, recipients=[{"address": address}], subject="Nivå två", body="Hej nivå 2", loa=2
    )
    level3 = await server.send(
        ANNA, recipients=[{"address": address}], subject="Nivå tre", body="Hemligt nivå 3", loa=3
    )
    assert level2.status == 201 and level3.status == 201
    assert all(d["kind"] == "registered" for d in level3.body["deliveries"])

    # A new browser signs in with password and SMS code: LoA2.
    await browser.close()
    browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    inbox = await sign_in(server, browser, address, PASSWORD, phone, 2)
    assert inbox.status == 200 and inbox.url.endswith("/konto/inkorg")
    assert "Nivå två" in inbox.text and "Nivå tre" not in inbox.text
    assert "Kräver säkerhetsnivå 3" in inbox.text

    read2 = await browser.get(f"/konto/meddelanden/{level2.body['id']}")
    assert read2.status == 200 and "Hej nivå 2" in read2.text
    asked = await browser.get(f"/konto/meddelanden/{level3.body['id']}")
    assert asked.status == 403 and "Hemligt" not in asked.text
    assert "Identifiera med BankID" in asked.text and "Identifiera med Freja eID" in asked.text

    # Step-up with BankID, approved as the account's person at /dev/eid.
    waiting = await browser.post("/konto/hoj-niva", {"method": "bankid", "next": level3.body["id"]})
    assert waiting.status == 200 and waiting.url.endswith("/konto/eid"), waiting.text
    async with server.session.post(
        f"{server.base}/dev/eid/approve", json={"personal_number": personal_number}
    ) as approved:
        assert approved.status == 200, await approved.text()
    opened = await browser.post("/konto/eid")
    assert opened.status == 200 and "Hemligt nivå 3" in opened.text, opened.text
    assert "Säkerhetsnivå 3" in opened.text
    # LoA3 opens the lower levels too.
    assert "Hej nivå 2" in (await browser.get(f"/konto/meddelanden/{level2.body['id']}")).text

    replied = await browser.post(f"/konto/meddelanden/{level3.body['id']}/svar", {"body": "Tack, mottaget!"})
    assert replied.status == 200 and "Ditt svar är skickat." in replied.text
    anna_inbox = await server.get(f"/mailboxes/{ANNA}/inbox", await _loa3_token(server))
    item = next(i for i in anna_inbox.body["items"] if i["from"] == address)
    assert item["subject"] == "Sv: Nivå tre" and item["loa"] == 3
    reply = await server.get(f"/messages/{item['message_id']}", await _loa3_token(server))
    assert reply.body["body"] == "Tack, mottaget!"
    sent = await server.get(f"/messages/{level3.body['id']}", await _loa3_token(server))
    assert sent.body["deliveries"][0]["status"] == "answered"


async def _loa3_token(server: Server) -> str:
    """ANNA at LoA3, registered under a name of its own in the harness's token cache."""
    name = f"{ANNA}#loa3"
    if name not in server.tokens:
        async with server.session.post(f"{server.base}/dev/token", json={"email": ANNA, "loa": 3}) as resp:
            server.tokens[name] = (await resp.json())["access_token"]
    return name


async def test_reply_with_an_attachment_and_download(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    await take_up(server, browser, address, phone)
    form = aiohttp.FormData()
    message = {
        "recipients": [{"address": address}],
        "subject": "Med bilaga",
        "body": "Se bilagan",
        "loa": 2,
        "reply_allowed": True,
    }
    form.add_field("message", json.dumps(message), content_type="application/json")
    form.add_field("attachment", b"%PDF-1.7 intyg", filename="intyg.pdf", content_type="application/pdf")
    sent = await server.post("/messages", ANNA, data=form)
    assert sent.status == 201
    page = await browser.get(f"/konto/meddelanden/{sent.body['id']}")
    href = re.findall(r'href="(/konto/meddelanden/[^"]+/bilagor/[^"]+)"', page.text)[0]
    async with browser.http.get(f"{server.base}{href}") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Disposition"] == "attachment; filename*=UTF-8''intyg.pdf"
        assert await resp.read() == b"%PDF-1.7 intyg"

    reply = aiohttp.FormData()
    reply.add_field("csrf_token", browser.csrf())
    reply.add_field("body", "Här är svaret")
    reply.add_field("files", b"svar-bifogat", filename="svar.txt", content_type="text/plain")
    answered = await browser.post_form(f"/konto/meddelanden/{sent.body['id']}/svar", reply)
    assert answered.status == 200 and "Ditt svar är skickat." in answered.text
    inbox = await server.get(f"/mailboxes/{ANNA}/inbox", ANNA)
    item = next(i for i in inbox.body["items"] if i["from"] == address and i["subject"] == "Sv: Med bilaga")
    opened = await server.get(f"/messages/{item['message_id']}", ANNA)
    assert [a["name"] for a in opened.body["attachments"]] == ["svar.txt"]


async def test_demo_account_signs_in_with_the_demo_password(server: Server, browser: Browser) -> None:
    sent = await server.send(
        ANNA, recipients=[{"address": JAN}], subject="Till kliniken", body="Hej Jan", loa=2
    )
    assert sent.status == 201
    inbox = await sign_in(server, browser, JAN, demo.CLINIC_PASSWORD, demo.CLINIC_PHONE, 1)
    assert inbox.status == 200 and "Till kliniken" in inbox.text
    assert "Jan Dahl, Dentalklinik AB" in inbox.text and "+46 70 *** ** 67" not in inbox.text
    signed_out = await browser.post("/konto/logga-ut")
    assert signed_out.url.endswith("/konto/logga-in")
    assert (await browser.get("/konto/inkorg")).url.endswith("/konto/logga-in")


async def test_unknown_address_and_wrong_password_get_the_same_answer(
    server: Server, browser: Browser
) -> None:
    await browser.get("/konto/logga-in")
    wrong = await browser.post("/konto/logga-in", {"email": JAN, "password": "fel-lösenord-helt-och-hållet"})
    unknown = await browser.post(
        "/konto/logga-in", {"email": JAN.replace("jan", "ingen"), "password": "fel-lösenord-helt-och-hållet"}
    )
    assert wrong.status == unknown.status == 403
    assert "Fel e-postadress eller lösenord." in wrong.text
    assert wrong.text.replace(JAN, "X") == unknown.text.replace(JAN.replace("jan", "ingen"), "X")


async def test_five_wrong_passwords_lock_the_address_known_or_not(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    await take_up(server, browser, address, phone)
    unknown = unique_address()
    for target in (address, unknown):
        await browser.get("/konto/logga-in")
        statuses = [
            (await browser.post("/konto/logga-in", {"email": target, "password": f"fel-lösenord-{i}"})).status
            for i in range(5)
        ]
        assert statuses == [403, 403, 403, 403, 429], (target, statuses)
        # Locked: even the right password is refused, unchecked, with the same words for both addresses.
        locked = await browser.post("/konto/logga-in", {"email": target, "password": PASSWORD})
        assert locked.status == 429 and "Du har försökt för många gånger." in locked.text
    account = await stored_account(server, address)
    assert account.password_tries.locked_until is not None
    staff_view = await server.get(f"/accounts/{account.account_id}", ANNA)
    assert staff_view.status == 200 and staff_view.body["locked_until"] is not None
    events = [e async for e in server.components.store.audit_events(account.org_id)]
    assert any(e.action == "account.locked" and e.target == f"account:{account.account_id}" for e in events)


async def test_five_wrong_codes_lock_the_second_step(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    await take_up(server, browser, address, phone)
    await browser.http.close()
    browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    await browser.get("/konto/logga-in")
    asked = await browser.post("/konto/logga-in", {"email": address, "password": PASSWORD})
    assert "+46 70 *** **" in asked.text and phone not in asked.text
    code = await latest_code(server, phone, 2)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    statuses = [(await browser.post("/konto/kod", {"code": wrong})).status for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 429]
    assert "Du har angett fel kod för många gånger." in browser.last.text  # type: ignore[union-attr]
    # The right code no longer opens, and no new code goes out while the lock lasts.
    refused = await browser.post("/konto/kod", {"code": code})
    assert refused.status == 429
    await browser.post("/konto/kod/ny")
    await asyncio.sleep(1.0)
    assert len(await server.outbox(phone)) == 2


async def test_a_new_code_at_most_once_a_minute(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    link = await invitation_link(server, address)
    await browser.get(link)
    await browser.post(link, {"password": PASSWORD, "repeat_password": PASSWORD, "phone": phone})
    await server.wait_for_outbox(phone, 1)
    again = await browser.post("/konto/inbjudan/ny-kod")
    assert again.status == 200 and "En kod skickades nyss" in again.text
    await asyncio.sleep(1.0)
    assert len(await server.outbox(phone)) == 1


async def test_common_and_short_passwords_are_refused(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    link = await invitation_link(server, address)
    common = next(p for p in sorted(common_passwords()) if len(p) >= 12)
    cases = {
        common: "Lösenordet är för vanligt",
        common.upper(): "Lösenordet är för vanligt",
        "kort-lösen": "minst 12 tecken",
    }
    for password, words in cases.items():
        await browser.get(link)
        refused = await browser.post(
            link, {"password": password, "repeat_password": password, "phone": phone}
        )
        assert refused.status == 422 and words in refused.text, password
    account = await stored_account(server, address)
    assert account.status == "invited" and account.password_hash is None
    await asyncio.sleep(0.5)
    assert await server.outbox(phone) == []


async def test_one_address_in_two_organisations_chooses_the_organisation(
    server: Server, browser: Browser
) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address, as_user=ANNA)
    await take_up(server, browser, address, phone)
    await invite(server, address, as_user=EVA)
    await browser.http.close()
    browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    items = await server.wait_for_outbox(address, 2)
    link = _INVITATION.findall(items[0]["body"])[0]
    await browser.get(link)
    await browser.post(link, {"password": PASSWORD, "repeat_password": PASSWORD, "phone": phone})
    # The same number confirmed for the second organisation's account too.
    code = await latest_code(server, phone, 2)
    await browser.post("/konto/inbjudan/bekrafta", {"code": code})
    sent = await server.send(EVA, recipients=[{"address": address}], subject="Från regionen", body="x", loa=2)
    assert sent.status == 201

    await browser.http.close()
    browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    await browser.get("/konto/logga-in")
    choice = await browser.post("/konto/logga-in", {"email": address, "password": PASSWORD})
    assert choice.url.endswith("/konto/organisation")
    assert "Västerås stad (demo)" in choice.text and "Region Gävleborg (demo)" in choice.text
    gavleborg = await stored_account(server, address, "regiongavleborg.example")
    asked = await browser.post(
        "/konto/organisation", {"organisation": f"{gavleborg.org_id}/{gavleborg.account_id}"}
    )
    assert 'name="code"' in asked.text
    code = await latest_code(server, phone, 3)
    inbox = await browser.post("/konto/kod", {"code": code})
    assert "Från regionen" in inbox.text and "Region Gävleborg (demo)" in inbox.text


async def test_invitations_are_single_use_and_only_the_newest_works(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    first = await invitation_link(server, address)
    renewed = await invite(server, address)
    assert renewed["renewed"] is True
    second = await invitation_link(server, address, 2)
    assert first != second
    gone = await browser.get(first)
    assert gone.status == 404 and "Inbjudan gäller inte" in gone.text
    # A fetch (a mail scanner) changes nothing: the link still works after it.
    await browser.get(second)
    await browser.get(second)
    await take_up(server, browser, address, phone)
    used = await browser.get(second)
    assert used.status == 404
    again = await server.post("/accounts/invitations", ANNA, json={"email": address, "name": "Klinik"})
    assert (again.status, again.body["code"]) == (409, "account_exists")
    # Only a digest of the token is stored.
    token = second.rsplit("/", 1)[1]
    account = await stored_account(server, address)
    async with server.components.store.unit_of_work(account.org_id) as uow:
        challenge = await uow.challenges.get(f"invite-{account.account_id}")
    assert challenge is not None and challenge.consumed_at is not None and token not in repr(challenge)


async def test_invitation_api_refuses_bad_input_and_is_audited(server: Server) -> None:
    bad = await server.post("/accounts/invitations", ANNA, json={"email": "inte-en-adress", "name": "X"})
    assert (bad.status, bad.body["code"]) == (422, "email_invalid")
    phone = await server.post(
        "/accounts/invitations", ANNA, json={"email": unique_address(), "name": "X", "phone": "08-123 456 78"}
    )
    assert (phone.status, phone.body["code"]) == (422, "phone_not_mobile")
    extra = await server.post(
        "/accounts/invitations", ANNA, json={"email": unique_address(), "name": "X", "x": 1}
    )
    assert (extra.status, extra.body["code"]) == (422, "invalid_body")
    taken = await server.post("/accounts/invitations", ANNA, json={"email": ANNA, "name": "X"})
    assert (taken.status, taken.body["code"]) == (409, "address_taken")
    anonymous = await server.post(
        "/accounts/invitations", None, json={"email": unique_address(), "name": "X"}
    )
    assert anonymous.status == 401

    address = unique_address()
    made = await invite(server, address, phone="070-111 22 33")
    org = await server.components.store.organisation_by_domain("vasteras.example")
    assert org is not None
    events = [e async for e in server.components.store.audit_events(org.org_id)]
    invited = [
        e for e in events if e.action == "account.invited" and e.target == f"account:{made['account']['id']}"
    ]
    assert invited and invited[-1].actor.startswith("staff:") and "070" not in str(invited[-1].details)
    mail = (await server.wait_for_outbox(address))[0]
    assert mail["subject"] == "Inbjudan till säkra meddelanden från Västerås stad (demo)"
    assert "/konto/inbjudan/" in mail["body"]


async def approve(server: Server, **who: str) -> None:
    async with server.session.post(f"{server.base}/dev/eid/approve", json=who) as approved:
        assert approved.status == 200, await approved.text()


async def test_bankid_signs_in_the_holder_of_the_personal_number_only(
    server: Server, browser: Browser
) -> None:
    address, phone, personal_number = unique_address(), unique_phone(), "197010632391"
    await invite(server, address, personal_number=personal_number)
    await take_up(server, browser, address, phone)
    secret = await server.send(
        ANNA, recipients=[{"address": address}], subject="Tre", body="Bara nivå 3", loa=3
    )
    assert secret.status == 201

    for who, signs_in in (("191212121212", False), (personal_number, True)):
        await browser.http.close()
        browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        await browser.get("/konto/logga-in")
        waiting = await browser.post("/konto/logga-in/eid", {"method": "bankid"})
        assert waiting.url.endswith("/konto/eid") and 'src="/konto/eid/qr"' in waiting.text
        await approve(server, personal_number=who)
        done = await browser.post("/konto/eid")
        if not signs_in:
            assert done.status == 403 and "Identifieringen misslyckades" in done.text
            assert (await browser.get("/konto/inkorg")).url.endswith("/konto/logga-in")
            continue
        assert done.url.endswith("/konto/inkorg") and "Säkerhetsnivå 3" in done.text
        assert "Bara nivå 3" in (await browser.get(f"/konto/meddelanden/{secret.body['id']}")).text


async def test_step_up_as_another_person_opens_nothing_and_is_audited(
    server: Server, browser: Browser
) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address, personal_number="198507099805")
    await take_up(server, browser, address, phone)
    secret = await server.send(
        ANNA, recipients=[{"address": address}], subject="Tre", body="Hemlig text", loa=3
    )
    await browser.get(f"/konto/meddelanden/{secret.body['id']}")
    await browser.post("/konto/hoj-niva", {"method": "bankid", "next": secret.body["id"]})
    await approve(server, personal_number="191212121212")
    refused = await browser.post("/konto/eid")
    assert refused.status == 403 and "Hemlig text" not in refused.text
    assert "Identifieringen misslyckades." in refused.text and "Säkerhetsnivå 2" in refused.text
    account = await stored_account(server, address)
    events = [e async for e in server.components.store.audit_events(account.org_id)]
    assert any(
        e.action == "account.step_up_refused" and e.target == f"account:{account.account_id}" for e in events
    )
    assert not any("191212121212" in str(e) for e in events)


async def test_siths_signs_in_by_the_e_mail_claim(server: Server, browser: Browser) -> None:
    address, phone = unique_address(), unique_phone()
    await invite(server, address)
    await take_up(server, browser, address, phone)
    secret = await server.send(
        ANNA, recipients=[{"address": address}], subject="Tre", body="Via SITHS", loa=3
    )

    for email, signs_in in ((unique_address(), False), (address, True)):
        await browser.http.close()
        browser.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        await browser.get("/konto/logga-in")
        at_provider = await browser.post("/konto/logga-in/eid", {"method": "siths"})
        assert "/dev/sim/" in at_provider.url, at_provider.url
        await approve(server, email=email)
        back = await browser.get(at_provider.url)
        if not signs_in:
            assert back.status == 403 and "Identifieringen misslyckades" in back.text
            continue
        assert back.url.endswith("/konto/inkorg") and "Säkerhetsnivå 3" in back.text
        assert "Via SITHS" in (await browser.get(f"/konto/meddelanden/{secret.body['id']}")).text


async def test_the_demo_banner_names_the_clinic_password(capsys: pytest.CaptureFixture[str]) -> None:
    from sigill import commands, config

    commands._print_banner(config.load(None, environ={}))
    line = next(line for line in capsys.readouterr().out.splitlines() if JAN in line)
    assert demo.CLINIC_PASSWORD in line and "/konto/logga-in" in line


async def test_a_code_sent_to_one_number_does_not_confirm_another(server: Server, browser: Browser) -> None:
    address, first, second = unique_address(), unique_phone(), unique_phone()
    await invite(server, address)
    link = await invitation_link(server, address)
    await browser.get(link)
    await browser.post(link, {"password": PASSWORD, "repeat_password": PASSWORD, "phone": first})
    code = await latest_code(server, first, 1)
    await browser.get(link)
    changed = await browser.post(link, {"password": PASSWORD, "repeat_password": PASSWORD, "phone": second})
    assert "En kod skickades nyss" in changed.text  # at most one code a minute, whatever the number
    refused = await browser.post("/konto/inbjudan/bekrafta", {"code": code})
    assert refused.status == 422 and "Koden gäller inte längre" in refused.text
    assert (await stored_account(server, address)).status == "invited"
