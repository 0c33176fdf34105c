"""CSRF protection for every POST of the portal: a per-session token in each form, checked on arrival.

The token lives in the sealed session cookie (portal/sessions.py) and is repeated in a hidden field named
`csrf_token`. A POST whose field is missing or differs (compared in constant time) is refused with 403 and changes
nothing. The session cookie is SameSite=Lax as well, but a token does not depend on the browser's good behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from crypto.hashing import constant_time_equals
from portal.sessions import Session

FIELD: Final = "csrf_token"


class CsrfRefused(Exception):
    """A state-changing request came without this session's CSRF token."""


def check(session: Session, form: Mapping[str, object]) -> None:
    """Raise CsrfRefused unless `form` carries `session`'s token. A new session has none to match."""
    sent = form.get(FIELD)
    if session.new or not isinstance(sent, str) or not sent:
        raise CsrfRefused("no CSRF token, or no session to match it")
    if not constant_time_equals(sent, session.csrf):
        raise CsrfRefused("the CSRF token does not match the session")
