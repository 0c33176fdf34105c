"""Message bodies as HTML: escaped text, and only plain http(s) addresses made into links."""

from __future__ import annotations

import pytest

from portal.text import linkify


def test_text_is_escaped_never_interpreted() -> None:
    html = linkify('<script>alert("x")</script> & <b onclick=1>fet</b>')
    assert (
        str(html) == "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b onclick=1&gt;fet&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    ("text", "href", "after"),
    [
        ("Se https://vasteras.se/tider.", "https://vasteras.se/tider", "."),
        ("(http://exempel.se/a)", "http://exempel.se/a", ")"),
        (
            "https://sv.wikipedia.org/wiki/Ån_(vattendrag), läs",
            "https://sv.wikipedia.org/wiki/Ån_(vattendrag)",
            ", läs",
        ),
        ("https://a.se/s?x=1&y=2!", "https://a.se/s?x=1&amp;y=2", "!"),
        ("HTTPS://A.SE:8443/p", "HTTPS://A.SE:8443/p", ""),
    ],
)
def test_web_addresses_become_links_without_their_trailing_punctuation(
    text: str, href: str, after: str
) -> None:
    html = str(linkify(text))
    assert (
        f'<a href="{href}" rel="noopener noreferrer nofollow" class="external-link">{href}</a>{after}' in html
    )


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://exempel.se/fil",
        "vbscript:msgbox",
        "www.exempel.se",
    ],
)
def test_nothing_but_http_and_https_becomes_a_link(text: str) -> None:
    assert "<a " not in str(linkify(text))


def test_an_address_cannot_break_out_of_its_attribute() -> None:
    html = str(linkify('https://evil.example/"onmouseover="alert(1) and https://x.se/\'a'))
    assert 'href="https://evil.example/"' in html
    assert '"onmouseover' not in html.replace("&#34;onmouseover", "")
    assert 'href="https://x.se/"' in html
