"""Every text the link pages use exists in Swedish and English, with the same placeholders in both."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from portal import i18n
from portal.errors import status_page
from portal.i18n import TEXTS, parse_language, translator

PORTAL = Path(i18n.__file__).parent
TEMPLATES = [
    "base.html",
    "macros.html",
    "error.html",
    "link_gone.html",
    "_notices.html",
    "link_identify.html",
    "link_code.html",
    "link_eid.html",
    "link_message.html",
]
SOURCES = ["link_pages.py", "middleware.py", "errors.py"]
_USED = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""")
_ERROR_PAGE = re.compile(r'ErrorPage\(\s*[^,]+,\s*"([a-z0-9_]+)",\s*"([a-z0-9_]+)"')


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for name in TEMPLATES:
        keys |= set(_USED.findall((PORTAL / "templates" / name).read_text()))
    for name in SOURCES:
        source = (PORTAL / name).read_text()
        keys |= set(_USED.findall(source))
        keys |= {key for pair in _ERROR_PAGE.findall(source) for key in pair}
    keys |= {f"level_{loa}" for loa in (1, 2, 3)} | {f"method_{m}" for m in ("email", "sms", "eid", "siths")}
    for status in (400, 403, 404, 405, 408, 409, 413, 429, 500, 503):
        page = status_page(status)
        keys |= {page.key, page.title_key}
    return keys


def test_every_text_a_page_uses_exists() -> None:
    used = _used_keys()
    assert len(used) > 60
    assert sorted(used - set(TEXTS)) == []


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_text_has_both_languages_with_the_same_placeholders(key: str) -> None:
    swedish, english = TEXTS[key]
    assert swedish.strip() and english.strip()
    fields = [
        {name for _, name, _, _ in string.Formatter().parse(text) if name} for text in (swedish, english)
    ]
    assert fields[0] == fields[1]


def test_swedish_is_the_default_and_english_is_available() -> None:
    assert i18n.DEFAULT_LANGUAGE == "sv"
    assert translator("sv")("cancel") == "Avbryt" and translator("en")("cancel") == "Cancel"
    assert translator("en")("code_wrong", tries=2).endswith("You have 2 tries left.")
    assert [parse_language(v) for v in ("sv", "en", "de", None, "EN")] == ["sv", "en", None, None, None]
