"""The headers every response carries, whichever face, route or refusal produced it."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping

# aiohttp would announce "Python/3.x aiohttp/3.x"; versions are nobody's business.
SERVER_NAME = "Sigill"
# Pages are the faces' business and set their own policy. HTML that comes without one may load nothing from
# elsewhere and be framed by no one; anything else may load nothing at all.
HTML_CSP = (
    "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def new_request_id() -> str:
    return secrets.token_hex(8)


def secure(
    headers: MutableMapping[str, str], *, request_id: str, content_type: str, production: bool
) -> None:
    """Set the common headers; a face's own choice (its CSP, its caching) is kept."""
    headers["X-Request-Id"] = request_id
    headers["Server"] = SERVER_NAME
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Content-Security-Policy", HTML_CSP if content_type == "text/html" else OTHER_CSP)
    if production:
        # Only behind https (production requires an https public_url); a browser remembers it for a year.
        headers.setdefault("Strict-Transport-Security", HSTS)
