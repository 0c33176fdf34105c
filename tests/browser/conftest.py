"""Browser tests: Debian's Chromium, driven by Playwright, against a real `sigill serve` in development mode.

One server (its own process, free port, own data directory) and one browser serve the whole package; each test
gets a fresh browser context (its own cookies), so tests never share a sign-in. Every page a test looks at goes
through `Walk.check`, which saves a screenshot under test-output/screenshots/ and fails on any WCAG 2.1 A/AA
violation axe-core finds.

The Playwright driver marks its event loop as running between calls, so it must not outlive this package:
the async tests that follow run their own loop. Its fixtures are therefore package-scoped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright

from tests.browser.staff import Staff
from tests.fixtures import LOOPBACK, free_port, stop_process, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Playwright waits this long for an element, a navigation or an expectation before it fails the step.
STEP_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class LiveServer:
    base: str
    data_dir: Path
    log: Path


def _server_environment() -> dict[str, str]:
    """This environment without any SIGILL_* setting of the developer's, in development mode."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIGILL_")}
    # The outbox worker looks five times as often as in development, so e-mails and codes arrive sooner.
    return env | {
        "SIGILL_MODE": "development",
        "SIGILL_LOG_LEVEL": "WARNING",
        "SIGILL_WORKER_POLL_INTERVAL": "0.1",
    }


@pytest.fixture(scope="package")
def live_server() -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory(prefix="sigill-browser-") as tmp:
        data_dir, log, port = Path(tmp) / "data", Path(tmp) / "server.log", free_port()
        command = [sys.executable, "-m", "sigill", "serve", "--host", LOOPBACK, "--port", str(port)]
        command += ["--data-dir", str(data_dir)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=_server_environment()
            )
        try:
            wait_until_listening(LOOPBACK, port, process, log)
            yield LiveServer(f"http://{LOOPBACK}:{port}", data_dir, log)
        finally:
            stop_process(process)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium)")
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def staff(playwright: Playwright, live_server: LiveServer) -> Iterator[Staff]:
    """Staff's side, through the REST API, and the development sinks and simulators."""
    context = playwright.request.new_context(base_url=live_server.base)
    yield Staff(context)
    context.dispose()


@pytest.fixture(scope="package", autouse=True)
def fresh_screenshots() -> None:
    """Each run's screenshots alone: none left over from an earlier run, or from a test since removed."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: `make test` installs it (npm ci)")
    return AXE_SCRIPT.read_text(encoding="utf-8")


class Walk:
    """One person's browser (a fresh context) on the live server, with a check of every page it looks at."""

    def __init__(
        self, context: BrowserContext, base: str, name: str, axe_source: str, *, javascript: bool
    ) -> None:
        self.page = context.new_page()
        self.base = base
        self.javascript = javascript
        self._browser = context.browser
        self._name = name
        self._axe = axe_source
        self._steps: set[str] = set()
        self._checker: Page | None = None

    def goto(self, path_or_url: str) -> None:
        url = path_or_url if path_or_url.startswith("http") else f"{self.base}{path_or_url}"
        self.page.goto(url)

    def check(self, step: str) -> None:
        """Save a screenshot of the page as it is now, then fail on any WCAG 2.1 A/AA violation in it."""
        assert step not in self._steps, f"step {step!r} checked twice in one test"
        self._steps.add(step)
        self.page.wait_for_load_state()
        self.page.screenshot(path=SCREENSHOTS / f"{self._name}-{step}.png", full_page=True)
        violations = _axe_violations(self._axe, self.page if self.javascript else self._rendered_with_axe())
        assert not violations, f"axe-core on {step} ({self.page.url}):\n" + "\n".join(violations)

    def _rendered_with_axe(self) -> Page:
        """The page's document as this browser has it, in a page where axe-core can run.

        axe-core needs timers, which a browser without JavaScript never fires. So the same document is shown
        at the same address in a second page that runs the checker but none of the page's own scripts (they
        never ran here either); its style sheets and images load from the server as they did here.
        """
        if self._checker is None:
            assert self._browser is not None
            self._checker = self._browser.new_context().new_page()
            self._checker.route("**/*", _only_styles_and_images)
        html, url = self.page.content(), self.page.url
        self._checker.route(
            url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
        )
        try:
            self._checker.goto(url)
        finally:
            self._checker.unroute(url)
        return self._checker

    def close(self) -> None:
        if self._checker is not None:
            self._checker.context.close()
        self.page.context.close()


def _only_styles_and_images(route: Route) -> None:
    if route.request.resource_type in ("stylesheet", "image", "font"):
        route.continue_()
    else:
        route.abort()


def _axe_violations(axe_source: str, page: Page) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern,
    # so the page is checked under its real policy (an inline script of its own would still be refused).
    page.evaluate(f"() => {{ {axe_source}\n }}")
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_21_AA,
    )
    return [_describe(violation) for violation in found]


def _describe(violation: dict[str, Any]) -> str:
    nodes = "; ".join(
        f"{json.dumps(node['target'])}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
        for node in violation["nodes"][:5]
    )
    return f"- {violation['id']} ({violation.get('impact')}): {violation['help']} — {nodes}"


def screenshot_name(node_name: str) -> str:
    """The test's part of its screenshots' file names: its name, parameters included, safe for any file system."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_")


def _walk(
    browser: Browser, live_server: LiveServer, axe_source: str, name: str, *, javascript: bool
) -> Iterator[Walk]:
    context = browser.new_context(
        base_url=live_server.base, java_script_enabled=javascript, locale="sv-SE", accept_downloads=True
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    walk = Walk(context, live_server.base, name, axe_source, javascript=javascript)
    try:
        yield walk
    finally:
        walk.close()


@pytest.fixture
def walk(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, axe_source: str
) -> Iterator[Walk]:
    yield from _walk(browser, live_server, axe_source, screenshot_name(request.node.name), javascript=True)


@pytest.fixture
def walk_without_javascript(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer, axe_source: str
) -> Iterator[Walk]:
    """A browser with JavaScript turned off: every page must work as plain HTML forms and links."""
    yield from _walk(browser, live_server, axe_source, screenshot_name(request.node.name), javascript=False)


def wait_until(predicate: Any, *, within: float = 5.0, what: str = "the condition") -> Any:
    """Poll `predicate` until it returns something truthy, and return that; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within} s")
        time.sleep(0.1)
