"""What the portal's pages need, built once by the composition root and kept on the application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import jinja2
from aiohttp import web

from identity.eid.oidc import OidcService
from identity.eid.service import EidService
from identity.one_time_codes import OneTimeCodes
from messaging.ports import Deps
from portal.sessions import SessionCookies


@dataclass
class Portal:
    deps: Deps
    sessions: SessionCookies
    templates: jinja2.Environment
    codes: OneTimeCodes
    # BankID and Freja eID; SITHS (None when no OpenID provider is configured).
    eid: EidService | None
    oidc: OidcService | None
    production: bool
    # How long after sending a link still opens.
    link_lifetime: timedelta = timedelta(days=30)
    # Origins a form may lead to besides this server (the OpenID provider's sign-in page).
    form_targets: tuple[str, ...] = ()

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.deps.clock


PORTAL: Final = web.AppKey("portal", Portal)
