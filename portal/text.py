"""A message body as HTML: the text escaped, line breaks kept by CSS, and web addresses made into links.

The body is never treated as HTML. It is escaped as a whole; then only what matches a strict pattern of an
http(s) address becomes a link, built from the escaped text, so nothing a sender or an attacker writes can add
an attribute, a script or another scheme (javascript:, data:). Links carry rel="noopener noreferrer" and the
page's Referrer-Policy is no-referrer: the address of the message (which holds the link's token) never leaks.
"""

from __future__ import annotations

import re
from typing import Final

from markupsafe import Markup, escape

# An http(s) address: a host of letters, digits, dots and dashes (with an optional port), then a path without
# spaces, quotes or angle brackets. Matched against the raw text, then escaped piece by piece.
_URL: Final = re.compile(r"\bhttps?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:/[^\s<>\"'`]*)?", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address.
_TRAILING: Final = ".,;:!?)]}»”’'"


def linkify(text: str) -> Markup:
    """`text` as safe HTML with its web addresses as links."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url, tail = _split_trailing(match.group(0))
        parts.append(escape(text[position : match.start()]))
        parts.append(
            Markup('<a href="{0}" rel="noopener noreferrer nofollow" class="external-link">{0}</a>').format(
                url
            )
        )
        parts.append(escape(tail))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _split_trailing(url: str) -> tuple[str, str]:
    end = len(url)
    while end > 0 and url[end - 1] in _TRAILING:
        # A closing parenthesis belongs to the address when it has an opening one (Wikipedia-style paths).
        if url[end - 1] == ")" and url.count("(", 0, end) >= url.count(")", 0, end):
            break
        end -= 1
    return url[:end], url[end:]
