"""The recipient portal wired from the components: sessions, templates, one-time codes, e-identification."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from identity.one_time_codes import CodePolicy, OneTimeCodes
from portal.context import Portal
from portal.sessions import SessionCookies
from portal.templating import environment
from sigill.bootstrap import Components
from sigill.config import PortalSettings


def code_policy(settings: PortalSettings) -> CodePolicy:
    return CodePolicy(
        lifetime=timedelta(seconds=settings.code_lifetime_s),
        max_wrong=settings.code_max_wrong,
        lockout=timedelta(seconds=settings.code_lockout_s),
        min_interval=timedelta(seconds=settings.code_min_interval_s),
        max_sends=settings.code_max_sends,
        send_window=timedelta(seconds=settings.code_send_window_s),
    )


def build_portal(components: Components) -> Portal:
    settings = components.settings
    production = settings.mode == "production"
    clock = components.deps.clock
    return Portal(
        deps=components.deps,
        sessions=SessionCookies(components.portal_key, clock=clock, secure=production),
        templates=environment(),
        codes=OneTimeCodes(components.lookup, clock, policy=code_policy(settings.portal)),
        eid=components.eid,
        oidc=components.oidc,
        production=production,
        link_lifetime=timedelta(days=settings.portal.link_valid_days),
        form_targets=_provider_origin(components),
    )


def _provider_origin(components: Components) -> tuple[str, ...]:
    """The OpenID provider's origin: the SITHS button's form is answered by a redirect there."""
    if components.oidc is None:
        return ()
    parts = urlsplit(components.oidc.issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    base = urlsplit(components.settings.base_url)
    return () if origin == f"{base.scheme}://{base.netloc}" else (origin,)
