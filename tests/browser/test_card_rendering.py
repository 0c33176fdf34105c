"""Every golden card, drawn by Microsoft's `adaptivecards` renderer in Chromium as /dev/teams draws it.

The golden files (tests/unit/adaptive_cards/golden/, kept equal to the builders' output by the unit tests) are
parsed with a SerializationContext, whose events are the renderer's parse warnings and errors, and validated; any
event fails the card. Each card is then rendered into the page, checked for what must never appear in it (a
script, a `javascript:` link, user markdown turned into formatting), and photographed to
test-output/screenshots/cards/<name>.png. The renderer and its settings are the ones `sigill serve` serves:
/vendor/adaptivecards.min.js and /dev/teams/static/cards.js.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from adaptive_cards.golden import all_cards
from tests.browser.conftest import ROOT, SCREENSHOTS, LiveServer

GOLDEN_DIR = ROOT / "tests" / "unit" / "adaptive_cards" / "golden"
GOLDEN = {path.stem: path for path in sorted(GOLDEN_DIR.glob("*.json"))}
CARD_SCREENSHOTS = SCREENSHOTS / "cards"

# Parse, validate and render one card into #card; the problems the renderer reported, and what it drew.
RENDER = """(content) => {
  const target = document.getElementById("card");
  target.replaceChildren();
  const rendered = SigillCards.render(content);
  if (rendered.element) {
    target.append(rendered.element);
  }
  return {
    problems: rendered.problems,
    scripts: target.querySelectorAll("script").length,
    unsafeLinks: [...target.querySelectorAll("a[href]")].filter((a) => !a.href.startsWith("https:")).length,
    bold: [...target.querySelectorAll("strong")].map((node) => node.textContent),
    text: target.innerText,
  };
}"""


@pytest.fixture(scope="module")
def renderer(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A page with the renderer and the preview's card settings, loaded from the live server."""
    page = browser.new_page(locale="sv-SE", viewport={"width": 720, "height": 900})
    page.set_content(
        '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Kort</title>'
        f'<link rel="stylesheet" href="{live_server.base}/dev/teams/static/dev_teams.css"></head>'
        '<body><main><div id="card" style="width: 640px"></div></main>'
        f'<script src="{live_server.base}/vendor/adaptivecards.min.js"></script>'
        f'<script src="{live_server.base}/dev/teams/static/cards.js"></script></body></html>'
    )
    page.wait_for_function("() => window.SigillCards !== undefined")
    yield page
    page.close()


def render(page: Page, content: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(RENDER, content)
    return result


def test_every_card_the_builders_make_has_a_golden_file() -> None:
    assert set(GOLDEN) == set(all_cards())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_card_renders_without_a_parse_warning(renderer: Page, name: str) -> None:
    content = json.loads(GOLDEN[name].read_text(encoding="utf-8"))
    rendered = render(renderer, content)

    assert rendered["problems"] == [], f"{name}: the renderer reported {rendered['problems']}"
    assert rendered["text"].strip(), f"{name}: the renderer drew nothing"
    assert rendered["scripts"] == 0 and rendered["unsafeLinks"] == 0
    # The builders only ever make their own words bold; a subject such as **x** shows its asterisks.
    assert not any(bold == "x" for bold in rendered["bold"])
    CARD_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    renderer.locator("#card").screenshot(path=CARD_SCREENSHOTS / f"{name}.png")
    assert (CARD_SCREENSHOTS / f"{name}.png").stat().st_size > 0


def test_user_markdown_shows_as_typed_in_the_rendered_card(renderer: Page) -> None:
    """The hostile subjects of the golden set read literally: no bold, no link, no heading."""
    content = json.loads(GOLDEN["notice-hostile"].read_text(encoding="utf-8"))
    rendered = render(renderer, content)
    assert "[a](javascript:alert(1))" in rendered["text"]
    assert renderer.locator("#card a").count() == 0


BROKEN_CARDS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown element": (
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlok", "text": "x"}]},
        "UnknownElementType",
    ),
    "unknown action": (
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "x"}],
            "actions": [{"type": "Action.Exekute", "title": "Gör", "verb": "x"}],
        },
        "UnknownActionType",
    ),
    "invalid size": (
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": "x", "size": "Huge"}],
        },
        "InvalidPropertyValue",
    ),
    "invalid language": (
        {
            "type": "AdaptiveCard",
            "version": "1.5",
            "lang": "svenska",
            "body": [{"type": "TextBlock", "text": "x"}],
        },
        "InvalidPropertyValue",
    ),
    "input without id": (
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Input.Text", "label": "Ämne"}]},
        "PropertyCantBeNull",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_CARDS))
def test_the_render_check_fails_a_broken_card(renderer: Page, name: str) -> None:
    """The check above means something: each of these cards gets a renderer event that fails it."""
    content, event = BROKEN_CARDS[name]
    problems = render(renderer, content)["problems"]
    assert any(problem.startswith(f"{event}:") for problem in problems), problems


def test_the_check_holds_for_every_card_in_a_row(renderer: Page) -> None:
    """The renderer's language check once refused every second card's `lang`; rendering twice in a row passes."""
    content = json.loads(GOLDEN["welcome"].read_text(encoding="utf-8"))
    assert [render(renderer, content)["problems"] for _ in range(3)] == [[], [], []]


MARKDOWN_CASES = [
    ("**fet** och _kursiv_", "<p><strong>fet</strong> och <em>kursiv</em></p>"),
    (r"\*\*x\*\* och \_y\_", "<p>**x** och _y_</p>"),
    (
        '<script>alert(1)</script> & "citat"',
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;citat&quot;</p>",
    ),
    (
        "[Sigill](https://sigill.example/a)",
        '<p><a href="https://sigill.example/a" target="_blank" rel="noopener noreferrer">Sigill</a></p>',
    ),
    ("[a](javascript:alert(1))", "<p>[a](javascript:alert(1))</p>"),
    (r"\[a\](https://x.example)", "<p>[a](https://x.example)</p>"),
    ("- ett\n- två\n1. tre", "<ul><li>ett</li><li>två</li></ul><ol><li>tre</li></ol>"),
    (r"\- inte en lista", "<p>- inte en lista</p>"),
    ("rad ett\n\nrad tre", "<p>rad ett</p><br><p>rad tre</p>"),
]


@pytest.mark.parametrize(("markdown", "html"), MARKDOWN_CASES)
def test_the_markdown_of_teams_is_drawn_and_escaped_text_stays_text(
    renderer: Page, markdown: str, html: str
) -> None:
    assert renderer.evaluate("(text) => SigillCards.markdownToHtml(text)", markdown) == html
