"""User data shows as typed: never bold, a link, a list or a heading, and never breaks the JSON or a page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt

from adaptive_cards.elements import plain, to_json
from adaptive_cards.folders import folder_card
from adaptive_cards.golden import CARDS, HOSTILE
from adaptive_cards.views import FolderRow, FolderView
from tests.unit.adaptive_cards.cardtools import nodes, texts

# markdown-it is the parser the Adaptive Cards JavaScript renderer uses; CommonMark mode with HTML off.
MARKDOWN = MarkdownIt("commonmark", {"html": False})
SAMPLES = [
    *HOSTILE,
    "_kursiv_ och ~~struken~~",
    "- en punkt",
    "  + en till",
    "1. första",
    "12) tolfte",
    "> citat",
    "---",
    "rubrik\n===",
    "rubrik\n---",
    "`kod`",
    "![bild](https://evil.example/x.png)",
    "<https://evil.example>",
    "{{DATE(2017-02-14T06:08:39Z, SHORT)}}",
    "a\\*b\\",
    "Åsa Öberg & Ärla <b>fet</b>",
    "rad ett\n- rad två\n3. rad tre\n# rad fyra",
]


def _rendered_text(markdown: str) -> str:
    """What a reader sees: the inline text of the rendered markdown, with any markup it made."""
    return MARKDOWN.render(markdown)


@pytest.mark.parametrize("value", SAMPLES)
def test_escaped_text_renders_as_one_plain_paragraph(value: str) -> None:
    html = _rendered_text(plain(value))
    tags = set(re.findall(r"<(/?[a-z0-9]+)", html))
    assert tags <= {"p", "/p", "br"}, html
    # And every character typed is still there, in order.
    shown = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    shown = shown.replace("&amp;", "&")
    assert [line.strip() for line in shown.strip().splitlines()] == [
        line.strip() for line in value.strip().splitlines()
    ]


def test_hostile_subject_in_a_folder_row_is_escaped_and_the_json_round_trips() -> None:
    row = FolderRow(
        "m1", "[a](javascript:alert(1)) **x** </script>", 'Eva "E" Ek', datetime.now(UTC), 1, "unopened"
    )
    card = folder_card(FolderView("inbox", [row]), "sv")
    subject = next(text for text in texts(card) if "javascript" in text)
    assert subject == "\\[a\\]\\(javascript:alert\\(1\\)\\) \\*\\*x\\*\\* \\</script\\>"
    assert "<a " not in MARKDOWN.render(subject)
    assert json.loads(json.dumps(card)) == card


def test_to_json_is_safe_inside_a_script_element() -> None:
    card = CARDS["notice-hostile"]("sv") | {"speak": "</script><script>alert(1)</script> & å"}
    encoded = to_json(card)
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == card


def test_no_golden_text_block_contains_an_unescaped_link() -> None:
    for build in CARDS.values():
        for locale in ("sv", "en"):
            card = build(locale)  # type: ignore[arg-type]
            for node in nodes(card):
                for key in ("text", "value"):
                    if node.get("type") in ("TextBlock", None) and isinstance(node.get(key), str):
                        assert "<a " not in MARKDOWN.render(node[key]), node[key]
