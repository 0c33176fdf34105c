"""A small browser for the portal's tests: a cookie jar, real HTTP, and forms found the way people find them.

Forms are found by the visible text of their submit button and fields by their label, which is the contract the
portal keeps with screen-reader users (and with these tests): a page that renamed "Öppna meddelandet" would fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import aiohttp

from tests.integration.harness import Server

LINK_PATTERN = r"/r/[0-9a-f]+/[0-9a-f]+/[A-Za-z0-9_-]+"


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: dict[str, str] = field(default_factory=dict)
    # (text, name, value) of each submit button.
    buttons: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: dict[str, str]
    forms: list[Form]
    # label text -> the id it is tied to (`for`)
    labels: dict[str, str]
    # id -> name of every input and textarea
    inputs: dict[str, str]
    raw: bytes = b""

    def form(self, button: str) -> Form:
        """The form whose submit button reads `button`."""
        for form in self.forms:
            if any(text == button for text, _, _ in form.buttons):
                return form
        raise AssertionError(f"no form with a button {button!r} on {self.url} ({self.status}): {self.main}")

    def has_button(self, button: str) -> bool:
        return any(text == button for form in self.forms for text, _, _ in form.buttons)

    def field_named_by(self, label: str) -> str:
        """The name of the input that the label `label` is tied to."""
        assert label in self.labels, f"no label {label!r} on {self.url}: {sorted(self.labels)}"
        return self.inputs[self.labels[label]]

    @property
    def main(self) -> str:
        """The text of the page's main landmark, tags removed and spaces collapsed."""
        match = re.search(r"<main\b.*?</main>", self.text, re.S)
        inner = match.group(0) if match else self.text
        return " ".join(re.sub(r"<[^>]+>", " ", inner).split())


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self._form: Form | None = None
        self._button: list[str] | None = None
        self._button_attrs: dict[str, str] = {}
        self._label_for: str | None = None
        self._label_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), a.get("enctype", ""))
            self.forms.append(self._form)
        elif tag == "input":
            if a.get("id") and a.get("name"):
                self.inputs[a["id"]] = a["name"]
            if self._form is not None and a.get("name") and a.get("type", "text") != "file":
                self._form.fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "textarea" and a.get("id") and a.get("name"):
            self.inputs[a["id"]] = a["name"]
        elif tag == "button":
            self._button, self._button_attrs = [], a
        elif tag == "label":
            self._label_for, self._label_text = a.get("for", ""), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "button" and self._button is not None:
            text = " ".join("".join(self._button).split())
            if self._form is not None:
                self._form.buttons.append(
                    (text, self._button_attrs.get("name", ""), self._button_attrs.get("value", ""))
                )
            self._button = None
        elif tag == "label" and self._label_for is not None:
            self.labels[" ".join("".join(self._label_text).split())] = self._label_for
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)
        if self._label_for is not None:
            self._label_text.append(data)


def parse(status: int, url: str, text: str, headers: dict[str, str], raw: bytes = b"") -> Page:
    parser = _Parser()
    if "html" in headers.get("Content-Type", ""):
        parser.feed(text)
    return Page(status, url, text, headers, parser.forms, parser.labels, parser.inputs, raw)


class Browser:
    """One person's browser: its own cookies, following redirects as a browser does."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    def url(self, path: str) -> str:
        return urljoin(self.server.base + "/", path)

    async def get(self, path: str, **kw: Any) -> Page:
        async with self.session.get(self.url(path), **kw) as response:
            raw = await response.read()
            return parse(
                response.status,
                str(response.url),
                raw.decode("utf-8", "replace"),
                dict(response.headers),
                raw,
            )

    async def post(self, path: str, data: Any = None, **kw: Any) -> Page:
        async with self.session.post(self.url(path), data=data, **kw) as response:
            raw = await response.read()
            return parse(
                response.status,
                str(response.url),
                raw.decode("utf-8", "replace"),
                dict(response.headers),
                raw,
            )

    async def press(self, page: Page, button: str, **values: str) -> Page:
        """Submit the form whose button reads `button`, with its hidden fields and `values`."""
        form = page.form(button)
        data = dict(form.fields)
        for text, name, value in form.buttons:
            if text == button and name:
                data[name] = value
        data.update(values)
        return await self.post(urljoin(page.url, form.action), data=data)

    def cookie(self, name: str) -> str | None:
        for morsel in self.session.cookie_jar:
            if morsel.key == name:
                return morsel.value
        return None


async def link_in_outbox(server: Server, to: str) -> str:
    """The path of the link in the newest e-mail to `to` (waiting for the worker to send it)."""
    items = await server.wait_for_outbox(to)
    email = next(item for item in items if item["channel"] == "email")
    match = re.search(LINK_PATTERN, email["body"])
    assert match, email["body"]
    return match.group(0)


async def code_in_outbox(server: Server, phone: str, count: int = 1) -> str:
    """The 6-digit code in the newest SMS to `phone`, once `count` SMS have gone there."""
    items = await server.wait_for_outbox(phone, count)
    sms = [item for item in items if item["channel"] == "sms"]
    match = re.search(r"\b(\d{6})\b", sms[0]["body"])
    assert match, sms[0]["body"]
    return match.group(1)
