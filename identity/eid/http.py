"""HTTP for the e-identification clients: mutual TLS, capped bodies, and one error for every transport failure.

BankID and Freja eID accept only callers that present the relying party's certificate, and they are reached over
TLS whose server certificate is issued by their own CA; `client_tls` builds that context from files. Every
transport problem (refused connection, timeout, TLS failure, a body that is not JSON or is absurdly large) becomes
`EidUnavailable`, so callers handle one error and the person sees one calm sentence.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import aiohttp

from identity.errors import EidUnavailable

log = logging.getLogger(__name__)

# Provider answers are a few kilobytes (a Freja result with a photo is the largest); a cap keeps a broken or
# hostile endpoint from filling memory.
_MAX_BODY_BYTES: Final = 2 * 1024 * 1024


def client_tls(cert_file: str = "", key_file: str = "", ca_file: str = "") -> ssl.SSLContext | None:
    """A TLS context with the relying party's certificate and the provider's CA; None when neither is set.

    Raises OSError or ssl.SSLError when a file cannot be read or used: a start-up error, not a runtime one.
    """
    if not cert_file and not ca_file:
        return None
    context = ssl.create_default_context(cafile=ca_file or None)
    if cert_file:
        context.load_cert_chain(cert_file, key_file or None)
    return context


@dataclass(frozen=True, slots=True)
class ProviderResponse:
    """An answer from a provider: its status and its body parsed as JSON (None when empty)."""

    status: int
    body: Any


class ProviderHttp:
    """One aiohttp session per provider, created on first use (inside the running event loop)."""

    def __init__(
        self,
        provider: str,
        *,
        tls: ssl.SSLContext | None = None,
        timeout_s: float = 10.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.provider = provider
        self._tls = tls
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session
        # A session made here is ours to close; one passed in belongs to the caller.
        self._owns_session = session is None

    async def post_json(self, url: str, payload: Mapping[str, Any]) -> ProviderResponse:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return await self._request("POST", url, data=body, headers={"Content-Type": "application/json"})

    async def post_raw(self, url: str, body: str, content_type: str) -> ProviderResponse:
        return await self._request("POST", url, data=body.encode(), headers={"Content-Type": content_type})

    async def post_form(
        self, url: str, fields: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> ProviderResponse:
        return await self._request("POST", url, data=dict(fields), headers=dict(headers or {}))

    async def get(self, url: str) -> ProviderResponse:
        return await self._request("GET", url)

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def _request(self, method: str, url: str, **kwargs: Any) -> ProviderResponse:
        if self._session is None:
            connector = aiohttp.TCPConnector(ssl=self._tls if self._tls is not None else True)
            self._session = aiohttp.ClientSession(connector=connector)
        try:
            async with self._session.request(method, url, timeout=self._timeout, **kwargs) as response:
                raw = await _read_capped(response)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ssl.SSLError) as exc:
            # The URL's path may carry a reference; the provider's name and the failure's kind are enough.
            log.warning("%s could not be reached: %s", self.provider, type(exc).__name__)
            raise EidUnavailable(f"{self.provider} could not be reached") from exc
        return ProviderResponse(status, _parse(raw, self.provider, status))


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > _MAX_BODY_BYTES:
            raise aiohttp.ClientPayloadError("answer too large")
    return bytes(body)


def _parse(raw: bytes, provider: str, status: int) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        # A proxy's HTML error page, or a provider in maintenance: nothing to read in it.
        log.warning("%s answered HTTP %d with a body that is not JSON", provider, status)
        if status >= 500:
            raise EidUnavailable(f"{provider} answered HTTP {status}") from None
        raise EidUnavailable(f"{provider} answered out of protocol") from None
