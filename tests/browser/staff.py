"""The other side of a browser walkthrough: staff on the REST API, the development sink and the e-ID simulators.

Synchronous (Playwright's request context), since the browser tests themselves are synchronous.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import APIRequestContext, APIResponse, FilePayload

ANNA = "anna.andersson@vasteras.example"
SOCIAL = "socialtjanst@vasteras.example"
ORG_NAME = "Västerås stad (demo)"
SENDER_NAME = "Anna Andersson"
JAN = "jan.dahl@dentalklinik.example"
# The documented development-mode demo password (`make run` prints it).
JAN_PASSWORD = "demo-tandvard-2026"
JAN_PHONE = "+46701234567"
# Skatteverket's test numbers, known to the e-ID simulators (identity/simulators/persons.py).
KARIN = "198112289874"
MAJA = "198507099805"
OUTBOX_WITHIN = 5.0
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def unique_address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def unique_phone() -> str:
    """A Swedish mobile number no other test uses (the code limits count per delivery and per number)."""
    return f"+46708{uuid.uuid4().int % 1_000_000:06d}"


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Sent:
    message_id: str
    delivery_id: str
    subject: str
    body: str


def _json(response: APIResponse, *expected: int) -> Any:
    assert response.status in expected, f"{response.status} {response.url}: {response.text()}"
    return response.json()


@dataclass
class Staff:
    api: APIRequestContext
    _tokens: dict[tuple[str, int | None], str] = field(default_factory=dict)

    def token(self, email: str, loa: int | None = None) -> str:
        if (email, loa) not in self._tokens:
            wanted: dict[str, Any] = {"email": email} | ({"loa": loa} if loa else {})
            self._tokens[email, loa] = _json(self.api.post("/dev/token", data=wanted), 200)["access_token"]
        return self._tokens[email, loa]

    def _headers(self, email: str, loa: int | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email, loa)}"}

    def send(
        self,
        recipient: dict[str, str],
        *,
        loa: int,
        attachment: Attachment | None = None,
        sender: str = ANNA,
        mailbox: str | None = None,
        reply_allowed: bool = True,
    ) -> Sent:
        """Send one message to one recipient (with one attachment, when given) as `sender`, from `mailbox`
        (a function mailbox `sender` belongs to; the sender's own when None)."""
        subject = f"Beslut {uuid.uuid4().hex[:6]}"
        body = f"Hej! Här är beslutet i ditt ärende ({uuid.uuid4().hex[:6]}). Läs mer på https://example.org/hjalp"
        message = {
            "recipients": [recipient],
            "subject": subject,
            "body": body,
            "loa": loa,
            "reply_allowed": reply_allowed,
        } | ({"from": mailbox} if mailbox else {})
        headers = self._headers(sender)
        if attachment is None:
            response = self.api.post("/api/v1/messages", data=message, headers=headers)
        else:
            file = FilePayload(
                name=attachment.name, mimeType=attachment.content_type, buffer=attachment.content
            )
            response = self.api.post(
                "/api/v1/messages",
                multipart={"message": json.dumps(message), "attachment": file},
                headers=headers,
            )
        sent = _json(response, 201)
        return Sent(sent["id"], sent["deliveries"][0]["id"], subject, body)

    def invite(self, email: str, name: str, *, phone: str, personal_number: str, as_user: str = ANNA) -> None:
        """Invite a registered recipient to an account of the sender's organisation."""
        person = {"email": email, "name": name, "phone": phone, "personal_number": personal_number}
        _json(self.api.post("/api/v1/accounts/invitations", data=person, headers=self._headers(as_user)), 201)

    def recall(self, sent: Sent, *, as_user: str = ANNA) -> None:
        path = f"/api/v1/messages/{sent.message_id}/deliveries/{sent.delivery_id}/recall"
        response = self.api.post(path, headers=self._headers(as_user))
        assert response.status in (200, 204), f"{response.status}: {response.text()}"

    def message(self, message_id: str, *, as_user: str = ANNA) -> dict[str, Any]:
        """The message as its sender sees it (deliveries and their status), read at LoA3."""
        found: dict[str, Any] = _json(
            self.api.get(f"/api/v1/messages/{message_id}", headers=self._headers(as_user, 3)), 200
        )
        return found

    def replies_to(self, message_id: str, *, mailbox: str = ANNA, reader: str = ANNA) -> list[dict[str, Any]]:
        """The replies to `message_id` in `mailbox`'s inbox, each opened in full by `reader` at LoA3, with the
        case the inbox files it under (function mailboxes only)."""
        inbox = _json(
            self.api.get(f"/api/v1/mailboxes/{mailbox}/inbox", headers=self._headers(reader, 3)), 200
        )
        opened = [
            self.message(item["message_id"], as_user=reader) | {"case": item.get("case")}
            for item in inbox["items"]
        ]
        return [m for m in opened if m.get("in_reply_to") == message_id]

    def outbox(self, to: str) -> list[dict[str, Any]]:
        """What the development sink sent to `to`, newest first."""
        items: list[dict[str, Any]] = _json(self.api.get("/dev/outbox", params={"to": to}), 200)["items"]
        return items

    def wait_for_outbox(
        self, to: str, count: int = 1, *, within: float = OUTBOX_WITHIN
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while True:
            items = self.outbox(to)
            if len(items) >= count:
                return items
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(items)} of {count} sends to {to} in /dev/outbox after {within} s")
            time.sleep(0.1)

    def link_for(self, address: str, *, path: str = "/r/") -> str:
        """The link under `path` in the newest e-mail to `address` (read from the body, as the person would)."""
        [newest, *_] = self.wait_for_outbox(address)
        assert newest["channel"] == "email"
        links = re.findall(rf"https?://\S+{re.escape(path)}\S+", newest["body"])
        assert len(links) == 1, newest["body"]
        return str(links[0])

    def sms_code(self, phone: str, count: int = 1) -> str:
        """The one-time code in the newest SMS to `phone`, once `count` have been sent there."""
        [newest, *_] = self.wait_for_outbox(phone, count)
        assert newest["channel"] == "sms"
        codes = CODE.findall(newest["body"])
        assert len(codes) == 1, "the SMS should carry exactly one 6-digit code"
        return str(codes[0])

    def approve_eid(self, personal_number: str, method: str, *, within: float = 5.0) -> None:
        """Approve the pending BankID or Freja eID identification as that person (POST /dev/eid/approve)."""
        self._approve({"personal_number": personal_number}, method, within)

    def approve_siths(self, email: str, *, within: float = 5.0) -> None:
        """Complete the pending SITHS sign-in with that e-mail claim."""
        self._approve({"email": email}, "siths", within)

    def _approve(self, person: dict[str, str], method: str, within: float) -> None:
        # The browser starts the identification asynchronously: wait until the simulator has it.
        deadline = time.monotonic() + within
        while True:
            response = self.api.post("/dev/eid/approve", data=person)
            if response.status == 200:
                done = response.json()
                assert done["result"] == "godkand"
                assert done["method"] == method, f"approved a {done['method']} identification, not {method}"
                return
            assert response.status == 404, f"{response.status}: {response.text()}"
            if time.monotonic() > deadline:
                raise AssertionError(f"no pending {method} identification within {within} s")
            time.sleep(0.1)
