"""Serving the staff web app under /app/: its files, its runtime configuration, and each page's framing policy.

Teams and Outlook frame the app cross-site, so its pages name exactly those hosts in `frame-ancestors` (plus this
server itself in development, for the scripted host pages); the browser page may be framed by no one. No page has
inline script. The development-only files (the scripted hosts, the Office.js stand-in) are absent in production.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.integration.harness import Server, free_port, run_server, server_settings

HOST_ORIGINS = (
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.cloud.microsoft",
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://*.outlook.com",
)
SSO_APP_ID = "6a0c6b8e-1d7e-4a53-9a59-3f6f3e1d2c10"


@pytest.fixture(scope="module")
async def dev_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    settings = server_settings("sqlite", tmp_path_factory.mktemp("webapp-dev"), free_port())
    async for running in run_server(settings):
        yield running


@pytest.fixture(scope="module")
async def production_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    settings = server_settings(
        "sqlite",
        tmp_path_factory.mktemp("webapp-prod"),
        free_port(),
        mode="production",
        public_url="https://sigill.example.se",
        entra={
            "tenants": {"00000000-0000-0000-0000-000000000001": "vasteras.example"},
            "audiences": ["api://x"],
        },
        teams={"sso_app_id": SSO_APP_ID},
    )
    async for running in run_server(settings):
        yield running


async def _get(server: Server, path: str) -> tuple[int, dict[str, str], str]:
    base = f"http://127.0.0.1:{server.settings.port}"
    async with server.session.get(f"{base}{path}", allow_redirects=False) as resp:
        return resp.status, dict(resp.headers), await resp.text()


def _directives(csp: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


class _Scripts(HTMLParser):
    """Every <script> of a page, and whether any element carries inline event handlers or a style attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline: list[str] = []
        self._in_script = False
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self.scripts.append(names)
            self._in_script = True
        self.inline += [f"{tag}[{name}]" for name in names if name.startswith("on") or name == "style"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data.strip()


def _page_scripts(html: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(
    ("path", "framed_by_hosts"),
    [
        ("/app/", False),
        ("/app/teams/", True),
        ("/app/outlook/compose.html", True),
        ("/app/outlook/read.html", True),
    ],
)
async def test_development_pages_are_framed_only_by_the_hosts_and_this_server(
    dev_server: Server, path: str, framed_by_hosts: bool
) -> None:
    status, headers, html = await _get(dev_server, path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    policy = _directives(headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    expected = [*HOST_ORIGINS] if framed_by_hosts else []
    for origin in expected:
        assert origin in policy["frame-ancestors"], origin
    assert "'self'" in policy["frame-ancestors"]
    if not framed_by_hosts:
        assert policy["frame-ancestors"] == ["'self'"]
    # A frame-ancestors list is the whole answer to framing: no X-Frame-Options to contradict it.
    assert "X-Frame-Options" not in headers
    scripts = _page_scripts(html)
    assert scripts.scripts, "the page loads its module"
    assert all(s.get("src") for s in scripts.scripts), "no inline script"
    assert scripts.script_text == ""
    assert scripts.inline == []


async def test_production_pages_drop_this_server_from_framing_and_load_office_js_only_on_outlook_pages(
    production_server: Server,
) -> None:
    _, headers, _ = await _get(production_server, "/app/")
    browser = _directives(headers["Content-Security-Policy"])
    assert browser["frame-ancestors"] == ["'none'"]
    assert browser["script-src"] == ["'self'"]
    # MSAL.js talks to the Entra authority; nothing else is reachable.
    assert browser["connect-src"] == ["'self'", "https://login.microsoftonline.com"]
    assert browser["frame-src"] == ["'self'", "https://login.microsoftonline.com"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")

    _, headers, _ = await _get(production_server, "/app/teams/")
    teams = _directives(headers["Content-Security-Policy"])
    assert teams["frame-ancestors"][: len(HOST_ORIGINS)] == list(HOST_ORIGINS)
    assert "'self'" not in teams["frame-ancestors"]
    assert teams["script-src"] == ["'self'"]

    for pane in ("/app/outlook/compose.html", "/app/outlook/read.html"):
        status, headers, _ = await _get(production_server, pane)
        assert status == 200, pane
        outlook = _directives(headers["Content-Security-Policy"])
        assert outlook["script-src"] == ["'self'", "https://appsforoffice.microsoft.com"], pane
        assert "'self'" not in outlook["frame-ancestors"], pane


async def test_runtime_configuration_names_office_js_and_the_entra_sign_in(
    dev_server: Server, production_server: Server
) -> None:
    status, _, _ = await _get(dev_server, "/app/config.json")
    assert status == 200
    async with dev_server.session.get(f"{dev_server.base}/app/config.json") as resp:
        development: dict[str, Any] = await resp.json()
    assert development["mode"] == "development"
    assert development["office_js"] == "/app/dev/office-standin.js"
    assert development["entra"]["redirect_uri"] == f"{dev_server.base}/app/"

    async with production_server.session.get(
        f"http://127.0.0.1:{production_server.settings.port}/app/config.json"
    ) as resp:
        production: dict[str, Any] = await resp.json()
    assert production == {
        "mode": "production",
        "office_js": "https://appsforoffice.microsoft.com/lib/1/hosted/office.js",
        "entra": {
            "client_id": SSO_APP_ID,
            "authority": "https://login.microsoftonline.com/organizations",
            "scopes": [f"api://sigill.example.se/{SSO_APP_ID}/access_as_user"],
            "redirect_uri": "https://sigill.example.se/app/",
        },
        "portal_url": "https://sigill.example.se",
    }


async def test_files_are_served_with_their_types_and_nothing_outside_the_app(dev_server: Server) -> None:
    status, headers, body = await _get(dev_server, "/app/js/app.js")
    assert status == 200
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "export async function startApp" in body
    status, headers, _ = await _get(dev_server, "/app/app.css")
    assert (status, headers["Content-Type"]) == (200, "text/css; charset=utf-8")

    # A folder without its slash is sent to the slash, so the page's addresses resolve as written.
    for path, target in (("/app", "/app/"), ("/app/teams", "/app/teams/")):
        status, headers, _ = await _get(dev_server, path)
        assert (status, headers["Location"]) == (308, target), path

    for path in (
        "/app/../pyproject.toml",
        "/app/%2e%2e/%2e%2e/pyproject.toml",
        "/app/js/..%2f..%2f..%2fwebapp_routes.py",
        "/app/.hidden",
        "/app/nothing-here.js",
        "/app/js/",
    ):
        status, _, body = await _get(dev_server, path)
        assert status == 404, path
        assert "[project]" not in body


async def test_development_files_exist_only_in_development(
    dev_server: Server, production_server: Server
) -> None:
    for path in ("/app/dev/hosts/teams.html", "/app/dev/hosts/teams-host.js", "/app/dev/office-standin.js"):
        status, _, _ = await _get(dev_server, path)
        assert status == 200, path
        status, _, _ = await _get(production_server, path)
        assert status == 404, path
    # The scripted Teams host answers TeamsJS for this origin only.
    _, _, host_script = await _get(dev_server, "/app/dev/hosts/teams-host.js")
    assert re.search(r"event\.origin !== location\.origin", host_script)


async def test_the_outlook_panes_load_office_js_in_their_head_from_where_the_deployment_takes_it(
    dev_server: Server, production_server: Server
) -> None:
    for pane in ("/app/outlook/compose.html", "/app/outlook/read.html"):
        _, _, page = await _get(dev_server, pane)
        head = page.partition("</head>")[0]
        # A classic script before the page's module: Office.js is there before the pane's own code runs.
        assert head.index('<script src="/app/outlook/office.js"></script>') < head.index('type="module"'), (
            pane
        )

    status, headers, script = await _get(dev_server, "/app/outlook/office.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    _, _, standin = await _get(dev_server, "/app/dev/office-standin.js")
    assert script == standin

    status, headers, _ = await _get(production_server, "/app/outlook/office.js")
    assert status == 302
    assert headers["Location"] == "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
