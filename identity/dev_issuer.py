"""The development issuer: signs tokens shaped like Microsoft Entra ID v2 access tokens.

It lets Sigill run and be tested without a Microsoft tenant while exercising the very code that validates real
tokens: `StaffTokenValidator` fetches this issuer's JWKS over HTTP (the server's own `/dev/jwks`) exactly as it
fetches Entra's. Only the issuer and the JWKS address differ. It is mounted only in development mode, which
listens only on loopback.

The RSA key is kept in the data directory (PEM, mode 0600) so tokens survive a restart; tests keep it in memory.
Each organisation gets a fixed tenant id derived from its domain, so development needs no tenant configuration.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import jwt
from jwt.algorithms import RSAAlgorithm

from crypto.signing_keys import new_rsa_private_key_pem
from identity.jwks import SIGNING_ALGORITHM
from identity.staff_tokens import DEFAULT_SCOPE, TENANT_PLACEHOLDER

# Shared with the demo data, so an organisation's development tenant id is the same wherever it is derived.
DEV_TENANT_NAMESPACE: Final = uuid.UUID("6f1c3c5e-3f0a-4c53-9d55-5b2b8f1a9e01")
_KEY_BITS: Final = 2048
_RS256: Final = RSAAlgorithm(RSAAlgorithm.SHA256)


def dev_tenant_id(domain: str) -> str:
    """The development tenant id of the organisation with e-mail domain `domain` (stable, needs no config)."""
    return str(uuid.uuid5(DEV_TENANT_NAMESPACE, f"tenant/{domain.strip().lower()}"))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DevIssuer:
    """Mints development staff tokens and publishes the matching JWKS."""

    def __init__(
        self, private_key_pem: bytes, *, issuer: str, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        # Parsed once: a PEM handed to PyJWT would be parsed again for every token.
        full = RSAAlgorithm.to_jwk(_RS256.prepare_key(private_key_pem), as_dict=True)
        if "d" not in full:
            raise ValueError("the development issuer needs an RSA private key")
        self._signing_key = jwt.PyJWK(full, algorithm=SIGNING_ALGORITHM)
        # The public half as a JWK: the private key's JWK less its private members.
        public = {"kty": "RSA", "n": full["n"], "e": full["e"]}
        self.key_id = _jwk_thumbprint(public)
        self._public_jwk = {**public, "kid": self.key_id, "use": "sig", "alg": SIGNING_ALGORITHM}
        self.issuer = issuer
        self._clock = clock

    @classmethod
    def open(cls, path: Path, *, issuer: str, clock: Callable[[], datetime] = _utc_now) -> DevIssuer:
        """The issuer whose key is in `path`, creating the key file (mode 0600) on first use."""
        return cls(_load_or_create_key(path), issuer=issuer, clock=clock)

    @classmethod
    def in_memory(cls, *, issuer: str, clock: Callable[[], datetime] = _utc_now) -> DevIssuer:
        """An issuer with a fresh key that lives as long as the object (for tests)."""
        return cls(_new_private_key_pem(), issuer=issuer, clock=clock)

    def issuer_for(self, tenant_id: str) -> str:
        """The `iss` of this tenant's tokens: the issuer, with `{tid}` filled in if it is a template."""
        return self.issuer.replace(TENANT_PLACEHOLDER, tenant_id)

    def mint(
        self,
        email: str,
        name: str,
        tenant_id: str,
        object_id: str,
        audience: str,
        lifetime: timedelta = timedelta(hours=1),
        *,
        scope: str = DEFAULT_SCOPE,
        acrs: Sequence[str] = (),
        amr: Sequence[str] = (),
        roles: Sequence[str] = (),
    ) -> str:
        """A signed token with the claims of an Entra ID v2 access token for a signed-in user.

        `acrs` and `amr` say how the person signed in (they decide the level of assurance), `roles` holds the
        app roles assigned to them; each is left out when empty, as Entra leaves it out.
        """
        now = int(self._clock().timestamp())
        claims: dict[str, Any] = {
            "iss": self.issuer_for(tenant_id),
            "aud": audience,
            "tid": tenant_id,
            "oid": object_id,
            "sub": object_id,
            "preferred_username": email,
            "name": name,
            "scp": scope,
            "ver": "2.0",
            "iat": now,
            "nbf": now,
            "exp": now + int(lifetime.total_seconds()),
        }
        optional = {"acrs": list(acrs), "amr": list(amr), "roles": list(roles)}
        claims.update({name: values for name, values in optional.items() if values})
        return jwt.encode(
            claims, self._signing_key, algorithm=SIGNING_ALGORITHM, headers={"kid": self.key_id, "typ": "JWT"}
        )

    def jwks(self) -> dict[str, Any]:
        """The JWKS document that verifies this issuer's tokens."""
        return {"keys": [dict(self._public_jwk)]}


def _jwk_thumbprint(public: dict[str, str]) -> str:
    """RFC 7638 thumbprint: a key id that follows the key, so a new key file means a new kid."""
    canonical = json.dumps({"e": public["e"], "kty": "RSA", "n": public["n"]}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _load_or_create_key(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = _new_private_key_pem()
    # Written to a private temporary file, then linked into place: the key is never readable by others, and
    # when two processes start at once, one key wins and both use it.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes()


def _new_private_key_pem() -> bytes:
    # PyJWT signs but cannot generate keys; crypto/ is where key material is made.
    return new_rsa_private_key_pem(_KEY_BITS)
