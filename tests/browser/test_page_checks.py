"""The page check itself fails on a page that breaks WCAG, with JavaScript and without, and keeps a screenshot.

Every other browser test relies on `Walk.check` to catch accessibility faults; these show it would.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Route

from tests.browser.conftest import SCREENSHOTS, Walk, screenshot_name

# No language, no title, an image without a text alternative, a field without a label.
FAULTY = (
    '<!doctype html><html><body><main><img src="/healthz"><input type="text" name="kod"></main></body></html>'
)


def _serve_faulty(walk: Walk) -> None:
    def fulfill(route: Route) -> None:
        route.fulfill(body=FAULTY, content_type="text/html; charset=utf-8")

    walk.page.route(f"{walk.base}/trasig-sida", fulfill)
    walk.goto("/trasig-sida")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_check_names_each_wcag_violation_and_still_saves_the_screenshot(
    request: pytest.FixtureRequest, javascript: bool
) -> None:
    walk: Walk = request.getfixturevalue("walk" if javascript else "walk_without_javascript")
    _serve_faulty(walk)

    with pytest.raises(AssertionError) as failed:
        walk.check("faulty")

    for rule in ("html-has-lang", "document-title", "image-alt", "label"):
        assert f"- {rule} " in str(failed.value)
    assert (SCREENSHOTS / f"{screenshot_name(request.node.name)}-faulty.png").stat().st_size > 0
