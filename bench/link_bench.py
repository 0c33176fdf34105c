"""`sigill bench links`: link opens per second at LoA1 and LoA2, beside `/healthz` of the same run.

The server runs in its own process (`sigill serve` in development mode, SQLite + files + key file, the outbox
worker inside, e-mail and SMS to the development sink), the load from this one. Staff send the messages through
the REST API first (not measured); the links are read from the development sink as a person would read them.

One open is what a person's browser does, each in its own cookie jar:
- LoA1: GET the link, POST its form "Öppna meddelandet", follow to the reading page;
- LoA2: GET the link, POST "Skicka kod", wait for the SMS in the development sink and read the code from it,
  POST the code with "Öppna meddelandet", follow to the reading page.
An open counts only when the reading page shows the message's subject. The LoA2 figure includes the outbox
worker's time to send the SMS, as a person's wait does. `/healthz` is measured with the same number of clients.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp

SENDER = "anna.andersson@vasteras.example"
# One send carries this many recipients (the server's default cap is 25).
RECIPIENTS_PER_SEND = 25
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
SMS_WITHIN_S = 10.0
_PHONE_BASE = uuid.uuid4().int % 5_000_000
START_WITHIN_S = 60.0


@dataclass
class Target:
    address: str
    subject: str
    phone: str = ""
    # Read from the e-mail in the development sink once it has arrived.
    link: str = ""


def run(*, opens: int = 200, clients: int = 8, health_requests: int = 2000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sigill-link-bench-") as tmp:
        port = _free_port()
        server = _start_server(Path(tmp), port)
        try:
            return asyncio.run(_measure(f"http://127.0.0.1:{port}", opens, clients, health_requests))
        finally:
            server.terminate()
            server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIGILL_")}
    env |= {"SIGILL_MODE": "development", "SIGILL_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "sigill", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen([*command, "--data-dir", str(data_dir)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + START_WITHIN_S
    import urllib.request

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start")


async def _measure(base: str, opens: int, clients: int, health_requests: int) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=clients * 2)
    async with aiohttp.ClientSession(connector=connector) as staff:
        token = await _token(staff, base)
        loa1 = await _send_all(staff, base, token, opens, loa=1, clients=clients)
        loa2 = await _send_all(staff, base, token, opens, loa=2, clients=clients)
        await _read_links(staff, base, [*loa1, *loa2])
        health = await _load(clients, [base] * health_requests, lambda url: _healthz(staff, url))
        first = await _load(clients, loa1, lambda target: _open_loa1(connector, target))
        sms_waits = Timings()
        second = await _load(clients, loa2, lambda t: _open_loa2(connector, staff, base, t, sms_waits))
    return {
        "bench": "links",
        "opens": opens,
        "clients": clients,
        "loa1_opens_per_s": _rounded(first.per_second),
        "loa1_p50_ms": first.pct(50),
        "loa1_p99_ms": first.pct(99),
        "loa2_opens_per_s": _rounded(second.per_second),
        "loa2_p50_ms": second.pct(50),
        "loa2_p99_ms": second.pct(99),
        # Of an LoA2 open, the wait from "Skicka kod" until the SMS is in the sink (the worker's polling).
        "loa2_sms_wait_p50_ms": sms_waits.pct(50),
        "healthz_requests": health_requests,
        "healthz_requests_per_s": _rounded(health.per_second),
        "healthz_p99_ms": health.pct(99),
    }


def _rounded(value: float) -> float:
    return round(value, 1)


@dataclass
class Timings:
    latencies_s: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies_s) / self.elapsed_s if self.elapsed_s else 0.0

    def pct(self, pct: int) -> float:
        ordered = sorted(self.latencies_s)
        if len(ordered) < 2:
            return round(1000 * (ordered[0] if ordered else 0.0), 2)
        return round(1000 * statistics.quantiles(ordered, n=100, method="inclusive")[pct - 1], 2)


async def _load[T](clients: int, work: Iterable[T], one: Callable[[T], Awaitable[None]]) -> Timings:
    """Run `one` over `work` with `clients` concurrent callers; each call's latency and the whole time."""
    queue = list(work)
    timings = Timings()

    async def client() -> None:
        while queue:
            item = queue.pop()
            started = time.perf_counter()
            await one(item)
            timings.latencies_s.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    timings.elapsed_s = time.perf_counter() - started
    return timings


async def _token(session: aiohttp.ClientSession, base: str) -> str:
    async with session.post(f"{base}/dev/token", json={"email": SENDER}) as resp:
        if resp.status != 200:
            raise RuntimeError(f"/dev/token answered {resp.status}")
        return str((await resp.json())["access_token"])


async def _send_all(
    session: aiohttp.ClientSession, base: str, token: str, count: int, *, loa: int, clients: int
) -> list[Target]:
    """`count` deliveries at `loa` (LoA2 by SMS code, each to its own number), sent in messages of 25."""
    step = RECIPIENTS_PER_SEND
    batches = [range(start, min(start + step, count)) for start in range(0, count, step)]
    targets: list[Target] = []

    async def send(batch: range) -> None:
        subject = f"Bänk {uuid.uuid4().hex[:10]}"
        recipients = [_recipient(loa, n) for n in batch]
        message = {
            "recipients": recipients,
            "subject": subject,
            "body": "Text",
            "loa": loa,
            "reply_allowed": False,
        }
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(f"{base}/api/v1/messages", json=message, headers=headers) as resp:
            if resp.status != 201:
                raise RuntimeError(f"sending answered {resp.status}: {await resp.text()}")
        targets.extend(Target(r["address"], subject, r.get("phone", "")) for r in recipients)

    await _load(clients, batches, send)
    return targets


def _recipient(loa: int, n: int) -> dict[str, str]:
    address = f"bank-{loa}-{n}-{uuid.uuid4().hex[:6]}@example.org"
    if loa == 1:
        return {"address": address}
    # Swedish mobile numbers, one per delivery (the code limits count per number too).
    return {"address": address, "method": "sms", "phone": f"+4670{_PHONE_BASE + n:07d}"}


async def _read_links(session: aiohttp.ClientSession, base: str, targets: list[Target]) -> None:
    """Fill in each target's link from the e-mail the development sink received for it."""
    wanted = {t.address for t in targets}
    deadline = time.monotonic() + max(30.0, len(targets) / 10)
    while True:
        async with session.get(f"{base}/dev/outbox") as resp:
            items = (await resp.json())["items"]
        links = {i["to"]: i["link"] for i in items if i["channel"] == "email" and i["to"] in wanted}
        if len(links) == len(wanted):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(links)} of {len(wanted)} e-mails reached the development sink")
        await asyncio.sleep(0.5)
    for target in targets:
        target.link = links[target.address]


async def _healthz(session: aiohttp.ClientSession, url: str) -> None:
    async with session.get(f"{url}/healthz") as resp:
        await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"/healthz answered {resp.status}")


def _browser(connector: aiohttp.TCPConnector) -> aiohttp.ClientSession:
    # A person's own cookie jar; `unsafe` keeps cookies of an IP-address host such as 127.0.0.1.
    return aiohttp.ClientSession(
        connector=connector, connector_owner=False, cookie_jar=aiohttp.CookieJar(unsafe=True)
    )


async def _open_loa1(connector: aiohttp.TCPConnector, target: Target) -> None:
    async with _browser(connector) as browser:
        page = await _get(browser, target.link)
        page = await _submit(browser, page, "Öppna meddelandet")
        _expect_message(page, target)


async def _open_loa2(
    connector: aiohttp.TCPConnector,
    staff: aiohttp.ClientSession,
    base: str,
    target: Target,
    sms_waits: Timings,
) -> None:
    async with _browser(connector) as browser:
        page = await _get(browser, target.link)
        page = await _submit(browser, page, "Skicka kod")
        asked = time.perf_counter()
        code = await _sms_code(staff, base, target.phone)
        sms_waits.latencies_s.append(time.perf_counter() - asked)
        page = await _submit(browser, page, "Öppna meddelandet", {"code": code})
        _expect_message(page, target)


async def _sms_code(staff: aiohttp.ClientSession, base: str, phone: str) -> str:
    deadline = time.monotonic() + SMS_WITHIN_S
    while True:
        async with staff.get(f"{base}/dev/outbox", params={"to": phone}) as resp:
            items = (await resp.json())["items"]
        if items and (found := CODE.search(items[0]["body"])):
            return found.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError(f"no SMS code within {SMS_WITHIN_S} s")
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    html: str


async def _get(browser: aiohttp.ClientSession, url: str) -> Page:
    async with browser.get(url) as resp:
        return Page(str(resp.url), resp.status, await resp.text())


async def _submit(
    browser: aiohttp.ClientSession, page: Page, button: str, values: dict[str, str] | None = None
) -> Page:
    """Press the form button labelled `button` on `page`, as a browser would (hidden fields, CSRF token)."""
    form = _form_with_button(page, button)
    fields = {**form.fields, **(values or {})}
    async with browser.post(urljoin(page.url, form.action), data=fields) as resp:
        return Page(str(resp.url), resp.status, await resp.text())


def _expect_message(page: Page, target: Target) -> None:
    if page.status != 200 or target.subject not in page.html:
        raise RuntimeError(f"the open ended on {page.url} with status {page.status}, not on the message")


@dataclass
class _Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The POST forms of a page: their action, hidden and prefilled fields, and buttons by visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._current: _Form | None = None
        self._button: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = _Form(a.get("action", ""))
        elif self._current is not None and tag == "input" and a.get("name"):
            if a.get("type", "text") not in ("submit", "checkbox", "radio", "file"):
                self._current.fields[a["name"]] = a.get("value", "")
        elif self._current is not None and tag == "button":
            self._button, self._text = (a.get("name", ""), a.get("value", "")), []

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._current is not None and self._button is not None:
            self._current.buttons[" ".join("".join(self._text).split())] = self._button
            self._button = None
        elif tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _form_with_button(page: Page, button: str) -> _Form:
    parser = _Forms()
    parser.feed(page.html)
    for form in parser.forms:
        if button in form.buttons:
            name, value = form.buttons[button]
            return _Form(form.action or page.url, {**form.fields, **({name: value} if name else {})})
    raise RuntimeError(f"no form with the button {button!r} on {page.url} (status {page.status})")
