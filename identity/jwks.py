"""The issuer's signing keys (a JWKS document), fetched over HTTP and cached.

Every API request checks a token signature, so the keys must come from memory: the document is fetched once,
parsed once (into key objects PyJWT can verify with directly) and kept for `ttl`. An unknown `kid` means the
issuer may have rolled its keys over, so it triggers a refetch, but fetches are spaced at least
`refetch_interval` apart whatever the number of different kids: a flood of tokens with made-up kids costs the
JWKS endpoint one request a minute, not one per token. When the endpoint is down, the keys already cached keep
working; a failed fetch is retried after `failure_backoff`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import aiohttp
import jwt

from identity.errors import InvalidToken

log = logging.getLogger(__name__)

# The only signature algorithm accepted for staff tokens (Entra ID signs access tokens with RS256).
SIGNING_ALGORITHM: Final = "RS256"

# A JWKS document is a few kilobytes; anything much larger is not one.
_MAX_DOCUMENT_BYTES: Final = 512 * 1024


class JwksUnavailable(Exception):
    """The JWKS document could not be fetched or parsed (internal: callers see InvalidToken)."""


class JwksCache:
    """Signing keys by `kid`, fetched from `url` with aiohttp and refreshed as described in the module."""

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], datetime],
        http: aiohttp.ClientSession | None = None,
        ttl: timedelta = timedelta(hours=1),
        refetch_interval: timedelta = timedelta(minutes=1),
        failure_backoff: timedelta = timedelta(seconds=10),
        timeout_s: float = 5.0,
    ) -> None:
        self._url = url
        self._clock = clock
        self._http = http
        # A session made here is ours to close; one passed in belongs to the caller.
        self._owns_http = http is None
        self._ttl = ttl
        self._refetch_interval = refetch_interval
        self._failure_backoff = failure_backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._keys: dict[str, Any] = {}
        self._fetched_at: datetime | None = None
        self._next_fetch_allowed: datetime | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any:
        """The verification key for `kid`; raises InvalidToken when there is none (or no keys at all)."""
        now = self._clock()
        key = self._keys.get(kid)
        # While a refresh is under way (it may wait on a slow endpoint), a known key is used as it is.
        if key is not None and (self._is_fresh(now) or self._lock.locked()):
            return key
        async with self._lock:
            # Another request may have refreshed the keys while this one waited for the lock.
            key = self._keys.get(kid)
            now = self._clock()
            if (key is None or not self._is_fresh(now)) and self._may_fetch(now):
                await self._refresh(now)
                key = self._keys.get(kid)
        if key is not None:
            return key
        if not self._keys:
            raise InvalidToken("the issuer's signing keys are unavailable")
        raise InvalidToken("token signed with an unknown key")

    async def close(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.close()
        self._http = None

    def _is_fresh(self, now: datetime) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self._ttl

    def _may_fetch(self, now: datetime) -> bool:
        return self._next_fetch_allowed is None or now >= self._next_fetch_allowed

    async def _refresh(self, now: datetime) -> None:
        """Fetch and replace the keys; on failure keep the old ones (a stale key beats refusing everyone)."""
        try:
            keys = parse_jwks(await self._fetch())
        except JwksUnavailable as exc:
            self._next_fetch_allowed = now + self._failure_backoff
            log.warning("JWKS fetch failed (%s); keeping %d cached keys", exc, len(self._keys))
            return
        self._keys = keys
        self._fetched_at = now
        self._next_fetch_allowed = now + self._refetch_interval

    async def _fetch(self) -> Any:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            async with self._http.get(self._url, timeout=self._timeout) as response:
                if response.status != 200:
                    raise JwksUnavailable(f"HTTP {response.status}")
                body = await _read_capped(response)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise JwksUnavailable(type(exc).__name__) from exc
        try:
            return json.loads(body)
        except ValueError as exc:
            raise JwksUnavailable("document is not JSON") from exc


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    body = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > _MAX_DOCUMENT_BYTES:
            raise JwksUnavailable("document too large")
    return bytes(body)


def parse_jwks(document: Any) -> dict[str, Any]:
    """Key objects by kid, for the RSA signing keys in a JWKS document; other keys are skipped."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise JwksUnavailable("document has no key list")
    keys: dict[str, Any] = {}
    for entry in document["keys"]:
        parsed = _signing_key(entry)
        if parsed is not None:
            keys[parsed[0]] = parsed[1]
    if not keys:
        raise JwksUnavailable("document has no usable RSA signing key")
    return keys


def _signing_key(entry: Any) -> tuple[str, Any] | None:
    if not isinstance(entry, dict) or entry.get("kty") != "RSA":
        return None
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid:
        return None
    if entry.get("use", "sig") != "sig" or entry.get("alg", SIGNING_ALGORITHM) != SIGNING_ALGORITHM:
        return None
    try:
        # The algorithm is fixed here, never taken from the document or the token.
        return kid, jwt.PyJWK(entry, algorithm=SIGNING_ALGORITHM).key
    except jwt.PyJWTError:
        log.warning("skipping an unusable key in the JWKS document")
        return None
